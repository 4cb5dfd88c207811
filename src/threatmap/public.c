/*
 * public.c - the public view for interfaces other than our own JSON API
 * (Open311, the open-data export): the catalogue by position, one report if
 * the public may see it, and the public view page by page, by keyset, so that
 * a reader holds one page however many reports there are; the public status
 * changes (Open311's servicerequestupdates), by time, bounded.
 */
#include <string.h>

#include "threatmap/internal.h"

size_t tz_threatmap_category_count(const struct tz_threatmap *tm)
{
    return tm->category_count;
}

const struct tz_category_rec *tz_threatmap_category_at(const struct tz_threatmap *tm, size_t i)
{
    return i < tm->category_count ? &tm->categories[i] : NULL;
}

const struct tz_group_rec *tz_threatmap_group(const struct tz_threatmap *tm, const char *code)
{
    for (size_t i = 0; i < tm->group_count; i++) {
        if (strcmp(tm->groups[i].code, code) == 0)
            return &tm->groups[i];
    }
    return NULL;
}

tz_err tz_threatmap_public_report(struct tz_threatmap *tm, int64_t id, int64_t now,
                                  struct tz_report_rec *out)
{
    tz_err err = tz_store_get_report(tm->store, id, out);
    if (err)
        return err;
    if (!tm_publicly_visible(tm, out, now)) {
        tz_report_rec_clear(out);
        return TZ_ENOTFOUND;
    }
    return TZ_OK;
}

tz_err tz_threatmap_public_page(struct tz_threatmap *tm, struct tz_report_filter *filter,
                                int64_t now, struct tz_report_rec **out, size_t *count, bool *more)
{
    *out = NULL;
    *count = 0;
    *more = false;
    if (filter->limit < 1 || filter->limit > 1000)
        return TZ_EINVAL;
    /* A narrowed filter with no category or no status left matches nothing (not everything). */
    if (filter->category_count == 0 || filter->status_count == 0)
        return TZ_OK;
    struct tz_report_rec *recs = NULL;
    size_t n = 0;
    tz_err err = tz_store_list_reports(tm->store, filter, &recs, &n);
    if (err)
        return err;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (tm_publicly_visible(tm, &recs[i], now)) {
            if (kept != i)
                recs[kept] = recs[i];
            kept++;
        } else {
            tz_report_rec_clear(&recs[i]);
        }
    }
    *more = n == filter->limit;
    if (n)
        filter->before_id = recs[n - 1].id;
    if (kept == 0) {
        tz_report_recs_free(recs, 0);
        recs = NULL;
    }
    *out = recs;
    *count = kept;
    return TZ_OK;
}

size_t tz_threatmap_group_count(const struct tz_threatmap *tm)
{
    return tm->group_count;
}

const struct tz_group_rec *tz_threatmap_group_at(const struct tz_threatmap *tm, size_t i)
{
    return i < tm->group_count ? &tm->groups[i] : NULL;
}

/* The public updates under way: the report of the last change read, kept for its next ones. */
struct updates {
    struct tz_threatmap *tm;
    int64_t now;
    struct tz_report_rec report;
    bool have, visible;
};

/* Whether the public may see change's report now (read once for a run of its changes). */
static tz_err report_visible(struct updates *u, int64_t id, bool *visible)
{
    if (!u->have || u->report.id != id) {
        tz_report_rec_clear(&u->report);
        u->have = false;
        tz_err err = tz_store_get_report(u->tm->store, id, &u->report);
        if (err == TZ_ENOTFOUND) {
            *visible = false;
            return TZ_OK;
        }
        if (err)
            return err;
        u->have = true;
        u->visible = tm_publicly_visible(u->tm, &u->report, u->now);
    }
    *visible = u->visible;
    return TZ_OK;
}

#define UPDATES_PAGE 500

tz_err tz_threatmap_public_updates(struct tz_threatmap *tm, int64_t from, int64_t to, int64_t now,
                                   size_t max, tz_public_update_fn fn, void *ctx, bool *complete)
{
    *complete = false;
    if (from > to || max < 1 || max > 1000)
        return TZ_EINVAL;
    struct updates u = {.tm = tm, .now = now};
    int64_t at = 0, seq = 0;
    size_t given = 0, scanned = 0;
    tz_err err = TZ_OK;
    bool more = true;
    while (!err && more && given < max && scanned < TZ_PUBLIC_UPDATES_SCAN_MAX) {
        struct tz_transition_rec *t = NULL;
        size_t n = 0;
        err = tz_store_transitions_between(tm->store, from, to, at, seq, UPDATES_PAGE, &t, &n);
        more = !err && n == UPDATES_PAGE;
        for (size_t i = 0; !err && i < n && given < max; i++) {
            bool visible = false;
            at = t[i].at;
            seq = t[i].seq;
            scanned++;
            if (strcmp(t[i].to, "rejected") != 0)
                err = report_visible(&u, t[i].report_id, &visible);
            if (!err && visible) {
                err = fn(ctx, &t[i], &u.report);
                given++;
            }
            more = more || i + 1 < n; /* stopped inside the page: there is more */
        }
        tz_transition_recs_free(t, n);
    }
    tz_report_rec_clear(&u.report);
    *complete = !err && !more;
    return err;
}
