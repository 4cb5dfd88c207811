/*
 * query.c - the queries of the threat map's views: each value's rule as the
 * caller sets it (the wire format is read in http/query_map.c), what the
 * public may see of a filter, and GET /api/v1/reports' pages of the public
 * view, walked by keyset below a cursor.
 */
#include <string.h>

#include "threatmap/internal.h"

#define LIST_ROUNDS_MAX 8    /* store pages scanned for one answer page */

void tz_public_query_init(struct tz_public_query *q)
{
    memset(q, 0, sizeof *q);
    q->limit = TZ_LIST_PAGE_DEFAULT;
    q->mode = TZ_MAP_CLUSTERS;
}

static tz_err add_category(const struct tz_threatmap *tm, struct tz_report_filter *f,
                           const char *item, size_t n)
{
    char code[TZ_CODE_MAX];
    if (n >= sizeof code)
        return TZ_EINVAL;
    memcpy(code, item, n);
    code[n] = '\0';
    if (!tz_threatmap_category(tm, code))
        return TZ_EINVAL;
    for (size_t i = 0; i < f->category_count; i++) {
        if (strcmp(f->categories[i], code) == 0)
            return TZ_OK;
    }
    if (f->category_count >= TZ_FILTER_MAX_CATEGORIES)
        return TZ_EINVAL;
    memcpy(f->categories[f->category_count++], code, n + 1);
    return TZ_OK;
}

tz_err tz_public_query_category(const struct tz_threatmap *tm, struct tz_public_query *q,
                                const char *code, size_t n)
{
    return add_category(tm, &q->filter, code, n);
}

tz_err tz_public_query_group(const struct tz_threatmap *tm, struct tz_public_query *q,
                             const char *code, size_t n)
{
    bool known = false;
    for (size_t i = 0; i < tm->group_count; i++) {
        const char *g = tm->groups[i].code;
        known = known || (strlen(g) == n && memcmp(g, code, n) == 0);
    }
    if (!known)
        return TZ_EINVAL;
    for (size_t i = 0; i < tm->category_count; i++) {
        const struct tz_category_rec *c = &tm->categories[i];
        if (strlen(c->group) == n && memcmp(c->group, code, n) == 0) {
            tz_err err = add_category(tm, &q->filter, c->code, strlen(c->code));
            if (err)
                return err;
        }
    }
    return TZ_OK;
}

static tz_err add_status(struct tz_report_filter *f, const char *item, size_t n)
{
    char code[TZ_STATUS_MAX];
    enum tz_status s;
    if (n >= sizeof code)
        return TZ_EINVAL;
    memcpy(code, item, n);
    code[n] = '\0';
    if (tz_status_parse(code, &s) != TZ_OK)
        return TZ_EINVAL;
    for (size_t i = 0; i < f->status_count; i++) {
        if (strcmp(f->statuses[i], code) == 0)
            return TZ_OK;
    }
    if (f->status_count >= sizeof f->statuses / sizeof f->statuses[0])
        return TZ_EINVAL;
    memcpy(f->statuses[f->status_count++], code, n + 1);
    return TZ_OK;
}

tz_err tz_public_query_status(struct tz_public_query *q, const char *code, size_t n)
{
    return add_status(&q->filter, code, n);
}

tz_err tz_public_query_bbox(struct tz_public_query *q, double west, double south, double east,
                            double north)
{
    if (west < -180 || east > 180 || south < -90 || north > 90 || west > east || south > north)
        return TZ_EINVAL;
    struct tz_report_filter *f = &q->filter;
    f->has_bbox = true;
    f->west = west;
    f->south = south;
    f->east = east;
    f->north = north;
    return TZ_OK;
}

/*
 * A filter takes 0 for an open end, so an instant at or before the epoch (no
 * report is that old) becomes the nearest one that keeps its meaning: from
 * open, to 1 (nothing is received before it).
 */
void tz_public_query_time(struct tz_public_query *q, bool upper, int64_t t)
{
    int64_t *end = upper ? &q->filter.to : &q->filter.from;
    *end = t > 0 ? t : upper ? 1 : 0;
}

tz_err tz_public_query_cursor(struct tz_public_query *q, int64_t before_id)
{
    if (before_id < 1)
        return TZ_EINVAL;
    q->filter.before_id = before_id;
    return TZ_OK;
}

tz_err tz_public_query_limit(struct tz_public_query *q, int64_t limit)
{
    if (limit < 1 || limit > TZ_LIST_PAGE_MAX)
        return TZ_EINVAL;
    q->limit = (size_t)limit;
    return TZ_OK;
}

tz_err tz_public_query_zoom(struct tz_public_query *q, int64_t zoom)
{
    if (zoom < 0 || zoom > TZ_MAP_MAX_ZOOM)
        return TZ_EINVAL;
    q->zoom = (int)zoom;
    q->has_zoom = true;
    return TZ_OK;
}

/* Narrows the filter to what the public may see at all: never rejected, never hidden categories. */
void tz_threatmap_restrict_public(struct tz_threatmap *tm, struct tz_report_filter *f)
{
    if (f->status_count == 0) {
        for (int s = 0; s < TZ_STATUS_COUNT; s++) {
            if (s != TZ_STATUS_REJECTED)
                add_status(f, tz_status_code(s), strlen(tz_status_code(s)));
        }
    }
    if (f->category_count == 0) {
        for (size_t i = 0; i < tm->category_count; i++) {
            const struct tz_category_rec *c = &tm->categories[i];
            add_category(tm, f, c->code, strlen(c->code));
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < f->category_count; i++) {
        const struct tz_category_rec *c = tz_threatmap_category(tm, f->categories[i]);
        if (c && strcmp(c->visibility, "never") != 0)
            memmove(f->categories[kept++], f->categories[i], TZ_CODE_MAX);
    }
    f->category_count = kept;
}

tz_err tz_threatmap_list(struct tz_threatmap *tm, const struct tz_public_query *query,
                         int64_t now, tz_report_view_fn fn, void *ctx, int64_t *next_before)
{
    *next_before = 0;
    struct tz_public_query q = *query;
    tz_threatmap_restrict_public(tm, &q.filter);
    tz_err err = TZ_OK;

    size_t emitted = 0;
    bool more = q.filter.category_count > 0 && q.filter.status_count > 0;
    int64_t last = 0;
    for (int round = 0; !err && more && emitted < q.limit && round < LIST_ROUNDS_MAX; round++) {
        struct tz_report_rec *recs = NULL;
        size_t n = 0;
        q.filter.limit = q.limit - emitted;
        err = tz_store_list_reports(tm->store, &q.filter, &recs, &n);
        for (size_t i = 0; !err && i < n; i++) {
            last = recs[i].id;
            if (!tm_publicly_visible(tm, &recs[i], now))
                continue;
            emitted++;
            struct tz_report_view view = {.rec = recs[i]}; /* borrowed: recs frees it */
            err = fn(ctx, &view);
        }
        more = n == q.filter.limit;
        q.filter.before_id = last;
        tz_report_recs_free(recs, n);
    }
    if (!err && more && last > 0)
        *next_before = last;
    return err;
}
