/*
 * stats.c - statistics per district, unit or region for a period: reports by
 * category and status, and deadline compliance (DESIGN 1.1: 2 days to take
 * up, 5 to verify), as JSON, CSV, GeoJSON or a terminal table. One scan of
 * the store.
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

enum by { BY_DISTRICT, BY_UNIT, BY_REGION };

struct deadline {
    uint32_t on_time, late, overdue, open;
};

struct agg {
    const char *key;  /* district id, unit name or "region" */
    const char *name; /* what to call it */
    uint64_t total;
    uint32_t by_cat[TZ_MAP_MAX_CATEGORIES];
    uint32_t by_status[TZ_STATUS_COUNT];
    struct deadline takeup, verify;
};

struct stats {
    struct tz_threatmap *tm;
    enum by by;
    int64_t now;
    const struct tz_district_rec *districts;
    size_t nd;
    struct agg *aggs; /* by district: one per district; by unit: one per distinct unit */
    size_t n;
};

static struct agg *agg_for(struct stats *s, const struct tz_report_row *r)
{
    const char *key = s->by == BY_DISTRICT ? r->district_id : s->by == BY_UNIT ? r->unit : "region";
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->aggs[i].key, key) == 0)
            return &s->aggs[i];
    }
    return NULL;
}

static void judge(struct deadline *d, int64_t due, int64_t done, bool waiting, int64_t now)
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
    struct agg *a = agg_for(s, r);
    enum tz_status st;
    if (!a || tz_status_parse(r->status, &st) != TZ_OK)
        return TZ_OK;
    int c = an_category(s->tm, r->category);
    a->total++;
    if (c >= 0)
        a->by_cat[c]++;
    a->by_status[st]++;
    int64_t handled = r->taken_up_at;
    if (!handled && st == TZ_STATUS_REJECTED)
        handled = r->status_changed_at; /* rejected straight from new */
    judge(&a->takeup, r->takeup_due, handled, st == TZ_STATUS_NEW, s->now);
    judge(&a->verify, r->verify_due, r->verified_at, st == TZ_STATUS_VERIFYING, s->now);
    return TZ_OK;
}

/* The groups: every district, every distinct unit, or the one region. */
static tz_err make_groups(struct stats *s)
{
    s->aggs = calloc(s->nd + 1, sizeof *s->aggs);
    if (!s->aggs)
        return TZ_ENOMEM;
    if (s->by == BY_REGION) {
        s->aggs[s->n++] = (struct agg){.key = "region", .name = "all districts"};
        return TZ_OK;
    }
    for (size_t i = 0; i < s->nd; i++) {
        const struct tz_district_rec *d = &s->districts[i];
        const char *key = s->by == BY_DISTRICT ? d->id : d->unit;
        bool seen = false;
        for (size_t k = 0; k < s->n && !seen; k++)
            seen = strcmp(s->aggs[k].key, key) == 0;
        if (!seen)
            s->aggs[s->n++] =
                (struct agg){.key = key, .name = s->by == BY_DISTRICT ? d->name : d->unit};
    }
    return TZ_OK;
}

static double share(const struct deadline *d)
{
    uint32_t base = d->on_time + d->late + d->overdue;
    return base ? 100.0 * d->on_time / base : -1.0;
}

static tz_err put_share(struct tz_buf *out, const struct deadline *d)
{
    double v = share(d);
    return v < 0 ? tz_buf_puts(out, "null") : tz_buf_printf(out, "%.1f", v);
}

static tz_err put_deadline(struct tz_buf *out, const char *name, const struct deadline *d)
{
    tz_err err = tz_buf_printf(out,
                               "\"%s\":{\"on_time\":%u,\"late\":%u,\"overdue\":%u,\"open\":%u,"
                               "\"on_time_pct\":",
                               name, d->on_time, d->late, d->overdue, d->open);
    if (!err)
        err = put_share(out, d);
    return err ? err : tz_buf_puts(out, "}");
}

/* The properties of one group as a JSON object. */
static tz_err put_props(const struct stats *s, const struct agg *a, struct tz_buf *out)
{
    size_t ncat;
    const struct tz_category_rec *cats = tz_threatmap_category_list(s->tm, &ncat);
    tz_err err = tz_buf_puts(out, "{\"key\":");
    if (!err)
        err = tz_buf_json_cstr(out, a->key);
    if (!err)
        err = tz_buf_puts(out, ",\"name\":");
    if (!err)
        err = tz_buf_json_cstr(out, a->name);
    if (!err)
        err = tz_buf_printf(out, ",\"total\":%llu,\"by_status\":{", (unsigned long long)a->total);
    for (int k = 0; !err && k < TZ_STATUS_COUNT; k++)
        err = tz_buf_printf(out, "%s\"%s\":%u", k ? "," : "", tz_status_code(k), a->by_status[k]);
    if (!err)
        err = tz_buf_puts(out, "},\"by_category\":{");
    for (size_t c = 0, w = 0; !err && c < ncat; c++) {
        if (a->by_cat[c])
            err = tz_buf_printf(out, "%s\"%s\":%u", w++ ? "," : "", cats[c].code, a->by_cat[c]);
    }
    if (!err)
        err = tz_buf_puts(out, "},");
    if (!err)
        err = put_deadline(out, "takeup", &a->takeup);
    if (!err)
        err = tz_buf_puts(out, ",");
    if (!err)
        err = put_deadline(out, "verification", &a->verify);
    return err ? err : tz_buf_puts(out, "}");
}

/* A CSV field: quoted, quotes doubled, and a leading = + - @ defused for spreadsheets. */
static tz_err put_csv_text(struct tz_buf *out, const char *s)
{
    tz_err err = tz_buf_puts(out, strchr("=+-@\t\r", s[0]) && s[0] ? "\"'" : "\"");
    for (const char *p = s; !err && *p; p++)
        err = *p == '"' ? tz_buf_puts(out, "\"\"") : tz_buf_append(out, p, 1);
    return err ? err : tz_buf_puts(out, "\"");
}

static tz_err write_csv(const struct stats *s, struct tz_buf *out)
{
    size_t ncat;
    const struct tz_category_rec *cats = tz_threatmap_category_list(s->tm, &ncat);
    tz_err err = tz_buf_puts(out, "key,name,total");
    for (int k = 0; !err && k < TZ_STATUS_COUNT; k++)
        err = tz_buf_printf(out, ",status_%s", tz_status_code(k));
    for (size_t c = 0; !err && c < ncat; c++)
        err = tz_buf_printf(out, ",category_%s", cats[c].code);
    if (!err)
        err = tz_buf_puts(out, ",takeup_on_time,takeup_late,takeup_overdue,takeup_open,"
                               "takeup_on_time_pct,verify_on_time,verify_late,verify_overdue,"
                               "verify_open,verify_on_time_pct\r\n");
    for (size_t i = 0; !err && i < s->n; i++) {
        const struct agg *a = &s->aggs[i];
        err = put_csv_text(out, a->key);
        if (!err)
            err = tz_buf_puts(out, ",");
        if (!err)
            err = put_csv_text(out, a->name);
        if (!err)
            err = tz_buf_printf(out, ",%llu", (unsigned long long)a->total);
        for (int k = 0; !err && k < TZ_STATUS_COUNT; k++)
            err = tz_buf_printf(out, ",%u", a->by_status[k]);
        for (size_t c = 0; !err && c < ncat; c++)
            err = tz_buf_printf(out, ",%u", a->by_cat[c]);
        const struct deadline *d[2] = {&a->takeup, &a->verify};
        for (int k = 0; !err && k < 2; k++) {
            err = tz_buf_printf(out, ",%u,%u,%u,%u,", d[k]->on_time, d[k]->late, d[k]->overdue,
                                d[k]->open);
            if (!err && share(d[k]) >= 0)
                err = tz_buf_printf(out, "%.1f", share(d[k]));
        }
        if (!err)
            err = tz_buf_puts(out, "\r\n");
    }
    return err;
}

/* The geometry of a group: its district's, or a collection of its districts'. */
static tz_err put_geometry(const struct stats *s, const struct agg *a, struct tz_buf *out)
{
    tz_err err = TZ_OK;
    if (s->by == BY_DISTRICT) {
        for (size_t i = 0; i < s->nd; i++) {
            if (strcmp(s->districts[i].id, a->key) == 0)
                return tz_buf_puts(out, s->districts[i].geometry);
        }
        return tz_buf_puts(out, "null");
    }
    err = tz_buf_puts(out, "{\"type\":\"GeometryCollection\",\"geometries\":[");
    for (size_t i = 0, w = 0; !err && i < s->nd; i++) {
        if (s->by == BY_UNIT && strcmp(s->districts[i].unit, a->key) != 0)
            continue;
        if (w++)
            err = tz_buf_puts(out, ",");
        if (!err)
            err = tz_buf_puts(out, s->districts[i].geometry);
    }
    return err ? err : tz_buf_puts(out, "]}");
}

static tz_err write_text(const struct stats *s, struct tz_buf *out)
{
    tz_err err = tz_buf_printf(out, "%-12s %-34s %7s", "key", "name", "total");
    for (int k = 0; !err && k < TZ_STATUS_COUNT; k++)
        err = tz_buf_printf(out, " %9.9s", tz_status_code(k));
    if (!err)
        err = tz_buf_printf(out, " %9s %9s\n", "takeup%", "verify%");
    for (size_t i = 0; !err && i < s->n; i++) {
        const struct agg *a = &s->aggs[i];
        /* A unit's key is its name: said once. */
        err = tz_buf_printf(out, "%-12.12s %-34.34s %7llu", s->by == BY_UNIT ? "-" : a->key,
                            a->name, (unsigned long long)a->total);
        for (int k = 0; !err && k < TZ_STATUS_COUNT; k++)
            err = tz_buf_printf(out, " %9u", a->by_status[k]);
        const struct deadline *d[2] = {&a->takeup, &a->verify};
        for (int k = 0; !err && k < 2; k++)
            err = share(d[k]) < 0 ? tz_buf_printf(out, " %9s", "-")
                                  : tz_buf_printf(out, " %9.1f", share(d[k]));
        if (!err)
            err = tz_buf_puts(out, "\n");
    }
    return err;
}

tz_err tz_analysis_stats(struct tz_threatmap *tm, const struct tz_query_param *params, size_t count,
                         int64_t now, struct tz_buf *out, enum tz_stats_format *format,
                         struct tz_field_errors *errs)
{
    static const char *const keys[] = {"by", "from", "to", "format", NULL};
    static const char *const bys[] = {"district", "unit", "region", NULL};
    static const char *const formats[] = {"json", "csv", "geojson", "text", NULL};
    struct an_params ap;
    struct stats s = {.tm = tm, .by = BY_DISTRICT, .now = now};
    struct tz_scan_filter f = {0};
    int fmt = 0;
    tz_err err = an_split_own(params, count, keys, &ap, errs);
    if (err)
        return err;
    for (size_t i = 0; i < ap.own_count; i++) {
        const struct tz_query_param *p = ap.own[i];
        int choice;
        if (strcmp(p->key, "by") == 0 && an_choice(p, bys, &choice, errs))
            s.by = (enum by)choice;
        else if (strcmp(p->key, "from") == 0)
            an_time(p, &f.from, errs);
        else if (strcmp(p->key, "to") == 0)
            an_time(p, &f.to, errs);
        else if (strcmp(p->key, "format") == 0)
            an_choice(p, formats, &fmt, errs);
    }
    if (f.from && f.to && f.from >= f.to)
        tz_fielderr_add(errs, "to", "must be after from");
    if (errs->count)
        return TZ_EINVAL;
    *format = (enum tz_stats_format)fmt;
    s.districts = tz_threatmap_district_list(tm, &s.nd);
    err = make_groups(&s);
    if (!err)
        err = tz_store_scan_reports(tz_threatmap_store(tm), &f, add_row, &s);
    if (err)
        goto done;
    if (fmt == 1) {
        err = write_csv(&s, out);
        goto done;
    }
    if (fmt == 3) {
        err = write_text(&s, out);
        goto done;
    }
    char from[TZ_TIME_TEXT_MAX] = "", to[TZ_TIME_TEXT_MAX] = "";
    if (f.from)
        tz_time_format(f.from, from);
    if (f.to)
        tz_time_format(f.to, to);
    err = tz_buf_printf(out, "{%s\"by\":\"%s\",\"from\":%s%s%s,\"to\":%s%s%s,\"%s\":[",
                        fmt == 2 ? "\"type\":\"FeatureCollection\"," : "", bys[s.by],
                        f.from ? "\"" : "", f.from ? from : "null", f.from ? "\"" : "",
                        f.to ? "\"" : "", f.to ? to : "null", f.to ? "\"" : "",
                        fmt == 2 ? "features" : "groups");
    for (size_t i = 0; !err && i < s.n; i++) {
        if (i)
            err = tz_buf_puts(out, ",");
        if (!err && fmt == 2)
            err = tz_buf_puts(out, "{\"type\":\"Feature\",\"geometry\":");
        if (!err && fmt == 2)
            err = put_geometry(&s, &s.aggs[i], out);
        if (!err && fmt == 2)
            err = tz_buf_puts(out, ",\"properties\":");
        if (!err)
            err = put_props(&s, &s.aggs[i], out);
        if (!err && fmt == 2)
            err = tz_buf_puts(out, "}");
    }
    if (!err)
        err = tz_buf_puts(out, "]}");
done:
    free(s.aggs);
    return err;
}
