/*
 * stats.c - statistics per district, unit or region for a period: reports by
 * category and status, and deadline compliance (DESIGN 1.1: 2 days to take
 * up, 5 to verify), as a struct that http writes as JSON, CSV, GeoJSON or
 * a terminal table (http/render.h). One scan of the store.
 *
 * Compliance at `now`: a report taken up (or rejected unread) is on time when
 * that happened by its take-up deadline, late otherwise; one still new is
 * overdue past the deadline, open before it. The same for verification with
 * the verification deadline and the statuses after verifying. The share on
 * time is on_time / (on_time + late + overdue).
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "base/tztime.h"

struct stats {
    struct tz_threatmap *tm;
    int64_t now;
    struct tz_stats *out;
};

static struct tz_stats_group *agg_for(struct tz_stats *s, const struct tz_report_row *r)
{
    const char *key = s->by == TZ_STATS_BY_DISTRICT ? r->district_id
                      : s->by == TZ_STATS_BY_UNIT   ? r->unit
                                                    : "region";
    for (size_t i = 0; i < s->count; i++) {
        if (strcmp(s->groups[i].key, key) == 0)
            return &s->groups[i];
    }
    return NULL;
}

static void judge(struct tz_stats_deadline *d, int64_t due, int64_t done, bool waiting, int64_t now)
{
    if (!due)
        return;
    if (done)
        *(done <= due ? &d->on_time : &d->late) += 1;
    else if (waiting)
        *(now > due ? &d->overdue : &d->open) += 1;
}

static tz_err add_row(void *ctx, const struct tz_report_row *r)
{
    struct stats *s = ctx;
    struct tz_stats_group *a = agg_for(s->out, r);
    enum tz_status st;
    if (!a || tz_status_parse(r->status, &st) != TZ_OK)
        return TZ_OK;
    int c = an_category(s->tm, r->category);
    a->total++;
    if (c >= 0)
        a->by_category[c]++;
    a->by_status[st]++;
    int64_t handled = r->taken_up_at;
    if (!handled && st == TZ_STATUS_REJECTED)
        handled = r->status_changed_at; /* rejected straight from new */
    judge(&a->takeup, r->takeup_due, handled, st == TZ_STATUS_NEW, s->now);
    judge(&a->verify, r->verify_due, r->verified_at, st == TZ_STATUS_VERIFYING, s->now);
    return TZ_OK;
}

/* The groups: every district, every distinct unit, or the one region. */
static tz_err make_groups(struct tz_stats *s)
{
    s->groups = calloc(s->district_count + 1, sizeof *s->groups);
    if (!s->groups)
        return TZ_ENOMEM;
    if (s->by == TZ_STATS_BY_REGION) {
        s->groups[s->count++] = (struct tz_stats_group){.key = "region", .name = "all districts"};
        return TZ_OK;
    }
    for (size_t i = 0; i < s->district_count; i++) {
        const struct tz_district_rec *d = &s->districts[i];
        const char *key = s->by == TZ_STATS_BY_DISTRICT ? d->id : d->unit;
        bool seen = false;
        for (size_t k = 0; k < s->count && !seen; k++)
            seen = strcmp(s->groups[k].key, key) == 0;
        if (!seen)
            s->groups[s->count++] = (struct tz_stats_group){
                .key = key, .name = s->by == TZ_STATS_BY_DISTRICT ? d->name : d->unit};
    }
    return TZ_OK;
}

bool tz_stats_on_time_pct(const struct tz_stats_deadline *d, double *pct)
{
    uint32_t base = d->on_time + d->late + d->overdue;
    if (!base)
        return false;
    *pct = 100.0 * d->on_time / base;
    return true;
}

bool tz_stats_group_has(const struct tz_stats *s, const struct tz_stats_group *g,
                        const struct tz_district_rec *d)
{
    if (s->by == TZ_STATS_BY_DISTRICT)
        return strcmp(d->id, g->key) == 0;
    return s->by == TZ_STATS_BY_REGION || strcmp(d->unit, g->key) == 0;
}

tz_err tz_analysis_stats(struct tz_threatmap *tm, const struct tz_stats_query *q, int64_t now,
                         struct tz_stats *out, struct tz_field_errors *errs)
{
    memset(out, 0, sizeof *out);
    if (q->from && q->to && q->from >= q->to)
        tz_fielderr_add(errs, "to", "must be after from");
    if (errs->count)
        return TZ_EINVAL;
    out->by = q->by;
    out->format = q->format;
    out->from = q->from;
    out->to = q->to;
    tz_err err;
    struct stats s = {.tm = tm, .now = now, .out = out};
    struct tz_scan_filter f = {.from = out->from, .to = out->to};
    out->districts = tz_threatmap_district_list(tm, &out->district_count);
    err = make_groups(out);
    if (!err)
        err = tz_threatmap_scan(tm, &f, add_row, &s);
    if (err)
        tz_stats_clear(out);
    return err;
}

void tz_stats_clear(struct tz_stats *s)
{
    if (!s)
        return;
    free(s->groups);
    memset(s, 0, sizeof *s);
}
