/*
 * query.c - GET /api/v1/reports: the query string is outside input, read
 * into a store filter with every value bounded and checked, then pages of the
 * public view are walked by an opaque keyset cursor.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tztime.h"
#include "threatmap/internal.h"

#define PARAM_VALUE_MAX 4096 /* longest query value we look at */
#define LIST_ROUNDS_MAX 8    /* store pages scanned for one answer page */

tz_err tm_split_list(const char *s, size_t max_items,
                     tz_err (*fn)(void *ctx, const char *item, size_t n), void *ctx)
{
    size_t items = 0;
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        if (n == 0 || ++items > max_items)
            return TZ_EINVAL;
        tz_err err = fn(ctx, s, n);
        if (err)
            return err;
        s += n + (comma ? 1 : 0);
        if (comma && !*s)
            return TZ_EINVAL; /* trailing comma */
    }
    return items ? TZ_OK : TZ_EINVAL;
}

static tz_err add_category(void *ctx, const char *item, size_t n)
{
    struct tm_query *q = ctx;
    char code[TZ_CODE_MAX];
    if (n >= sizeof code)
        return TZ_EINVAL;
    memcpy(code, item, n);
    code[n] = '\0';
    if (!tz_threatmap_category(q->tm, code))
        return TZ_EINVAL;
    for (size_t i = 0; i < q->filter.category_count; i++) {
        if (strcmp(q->filter.categories[i], code) == 0)
            return TZ_OK;
    }
    if (q->filter.category_count >= TZ_FILTER_MAX_CATEGORIES)
        return TZ_EINVAL;
    memcpy(q->filter.categories[q->filter.category_count++], code, n + 1);
    return TZ_OK;
}

static tz_err add_group(void *ctx, const char *item, size_t n)
{
    struct tm_query *q = ctx;
    bool known = false;
    for (size_t i = 0; i < q->tm->group_count; i++) {
        const char *g = q->tm->groups[i].code;
        known = known || (strlen(g) == n && memcmp(g, item, n) == 0);
    }
    if (!known)
        return TZ_EINVAL;
    for (size_t i = 0; i < q->tm->category_count; i++) {
        const struct tz_category_rec *c = &q->tm->categories[i];
        if (strlen(c->group) == n && memcmp(c->group, item, n) == 0) {
            tz_err err = add_category(ctx, c->code, strlen(c->code));
            if (err)
                return err;
        }
    }
    return TZ_OK;
}

static tz_err add_status(void *ctx, const char *item, size_t n)
{
    struct tm_query *q = ctx;
    char code[TZ_STATUS_MAX];
    enum tz_status s;
    if (n >= sizeof code)
        return TZ_EINVAL;
    memcpy(code, item, n);
    code[n] = '\0';
    if (tz_status_parse(code, &s) != TZ_OK)
        return TZ_EINVAL;
    for (size_t i = 0; i < q->filter.status_count; i++) {
        if (strcmp(q->filter.statuses[i], code) == 0)
            return TZ_OK;
    }
    if (q->filter.status_count >= sizeof q->filter.statuses / sizeof q->filter.statuses[0])
        return TZ_EINVAL;
    memcpy(q->filter.statuses[q->filter.status_count++], code, n + 1);
    return TZ_OK;
}

/* Reads "W,S,E,N" in degrees. */
static tz_err parse_bbox(const char *s, struct tz_report_filter *f)
{
    double v[4];
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        char *end;
        errno = 0;
        v[i] = strtod(p, &end);
        if (end == p || errno || !isfinite(v[i]))
            return TZ_EINVAL;
        if (i < 3 && *end != ',')
            return TZ_EINVAL;
        if (i == 3 && *end != '\0')
            return TZ_EINVAL;
        p = end + 1;
    }
    if (v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 || v[0] > v[2] || v[1] > v[3])
        return TZ_EINVAL;
    f->has_bbox = true;
    f->west = v[0];
    f->south = v[1];
    f->east = v[2];
    f->north = v[3];
    return TZ_OK;
}

/* A cursor is the id to continue below, as base64url text, so clients treat it as opaque. */
static tz_err parse_cursor(const char *s, int64_t *before_id)
{
    char text[32];
    size_t n = 0;
    if (sodium_base642bin((unsigned char *)text, sizeof text - 1, s, strlen(s), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return TZ_EINVAL;
    text[n] = '\0';
    char *end;
    errno = 0;
    long long id = strtoll(text, &end, 10);
    if (n == 0 || *end || errno || id <= 0)
        return TZ_EINVAL;
    *before_id = id;
    return TZ_OK;
}

static void make_cursor(int64_t before_id, char *out, size_t size)
{
    char text[32];
    int n = snprintf(text, sizeof text, "%lld", (long long)before_id);
    sodium_bin2base64(out, size, (const unsigned char *)text, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static tz_err parse_limit(const char *s, size_t *limit)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < 1 || v > TZ_LIST_PAGE_MAX)
        return TZ_EINVAL;
    *limit = (size_t)v;
    return TZ_OK;
}

/*
 * Reads from or to. A filter takes 0 for an open end, so an instant at or
 * before the epoch (no report is that old) becomes the nearest one that keeps
 * its meaning: from open, to 1 (nothing is received before it).
 */
static tz_err parse_time_param(const char *s, bool upper, int64_t *out)
{
    int64_t t;
    tz_err err = tz_time_parse(s, strlen(s), &t);
    if (err)
        return err;
    *out = t > 0 ? t : upper ? 1 : 0;
    return TZ_OK;
}

static tz_err parse_zoom(const char *s, struct tm_query *q)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < 0 || v > TZ_MAP_MAX_ZOOM)
        return TZ_EINVAL;
    q->zoom = (int)v;
    q->has_zoom = true;
    return TZ_OK;
}

static tz_err parse_mode(const char *s, struct tm_query *q)
{
    if (strcmp(s, "clusters") == 0)
        q->mode = TZ_MAP_CLUSTERS;
    else if (strcmp(s, "hex") == 0)
        q->mode = TZ_MAP_HEX;
    else
        return TZ_EINVAL;
    return TZ_OK;
}

/* Whether parameter k belongs to the query kinds in `allowed`. */
static bool param_allowed(const char *k, unsigned allowed)
{
    static const struct {
        const char *key;
        unsigned kinds;
    } params[] = {
    /* the filters, shared by every kind of query */
#define FILTERS (TM_QUERY_LIST | TM_QUERY_MAP | TM_QUERY_EXPORT | TM_QUERY_VISIT)
        {"bbox", FILTERS},         {"category", FILTERS},    {"group", FILTERS},
        {"status", FILTERS},       {"from", FILTERS},        {"to", FILTERS},
#undef FILTERS
        {"cursor", TM_QUERY_LIST}, {"limit", TM_QUERY_LIST}, {"zoom", TM_QUERY_MAP},
        {"mode", TM_QUERY_MAP},
    };
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        if (strcmp(k, params[i].key) == 0)
            return (params[i].kinds & allowed) != 0;
    }
    return false;
}

/* Reads one parameter; false (and an entry in errs) when it is wrong. */
static void read_param(struct tm_query *q, const struct tz_query_param *p, unsigned allowed,
                       struct tz_field_errors *errs)
{
    const char *k = p->key, *v = p->value ? p->value : "";
    tz_err err = TZ_OK;
    const char *why = NULL;
    if (!param_allowed(k, allowed)) {
        err = TZ_EINVAL;
        why = "unknown parameter";
    } else if (strlen(v) > PARAM_VALUE_MAX) {
        err = TZ_EINVAL;
        why = "too long";
    } else if (strcmp(k, "bbox") == 0) {
        err = parse_bbox(v, &q->filter);
        why = "must be W,S,E,N in degrees, west <= east, south <= north";
    } else if (strcmp(k, "category") == 0) {
        err = tm_split_list(v, TZ_FILTER_MAX_CATEGORIES, add_category, q);
        why = "must be a comma-separated list of category codes";
    } else if (strcmp(k, "group") == 0) {
        err = tm_split_list(v, 16, add_group, q);
        why = "must be a comma-separated list of group codes";
    } else if (strcmp(k, "status") == 0) {
        err = tm_split_list(v, TZ_STATUS_COUNT, add_status, q);
        why = "must be a comma-separated list of status codes";
    } else if (strcmp(k, "from") == 0) {
        err = parse_time_param(v, false, &q->filter.from);
        why = "must be a date (YYYY-MM-DD) or an RFC 3339 date-time";
    } else if (strcmp(k, "to") == 0) {
        err = parse_time_param(v, true, &q->filter.to);
        why = "must be a date (YYYY-MM-DD) or an RFC 3339 date-time";
    } else if (strcmp(k, "cursor") == 0) {
        err = parse_cursor(v, &q->filter.before_id);
        why = "is not a cursor this service gave out";
    } else if (strcmp(k, "limit") == 0) {
        err = parse_limit(v, &q->limit);
        why = "must be a whole number from 1 to 200";
    } else if (strcmp(k, "zoom") == 0) {
        err = parse_zoom(v, q);
        why = "must be a whole number from 0 to 20";
    } else {
        err = parse_mode(v, q);
        why = "must be clusters or hex";
    }
    if (err)
        tz_fielderr_add(errs, k, "%s", why);
}

/* Narrows the filter to what the public may see at all: never rejected, never hidden categories. */
static void restrict_to_public(struct tm_query *q)
{
    struct tz_report_filter *f = &q->filter;
    if (f->status_count == 0) {
        for (int s = 0; s < TZ_STATUS_COUNT; s++) {
            if (s != TZ_STATUS_REJECTED)
                add_status(q, tz_status_code(s), strlen(tz_status_code(s)));
        }
    }
    if (f->category_count == 0) {
        for (size_t i = 0; i < q->tm->category_count; i++) {
            const struct tz_category_rec *c = &q->tm->categories[i];
            add_category(q, c->code, strlen(c->code));
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < f->category_count; i++) {
        const struct tz_category_rec *c = tz_threatmap_category(q->tm, f->categories[i]);
        if (c && strcmp(c->visibility, "never") != 0)
            memmove(f->categories[kept++], f->categories[i], TZ_CODE_MAX);
    }
    f->category_count = kept;
}

tz_err tm_parse_query(struct tz_threatmap *tm, const struct tz_query_param *params, size_t count,
                      unsigned allowed, struct tm_query *q, struct tz_field_errors *errs)
{
    memset(q, 0, sizeof *q);
    q->tm = tm;
    q->limit = TZ_LIST_PAGE_DEFAULT;
    for (size_t i = 0; i < count; i++)
        read_param(q, &params[i], allowed, errs);
    return errs->count ? TZ_EINVAL : TZ_OK;
}

tz_err tz_threatmap_list_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                              size_t count, int64_t now, struct tz_buf *out,
                              struct tz_field_errors *errs)
{
    struct tm_query q;
    tz_err parse_err = tm_parse_query(tm, params, count, TM_QUERY_LIST, &q, errs);
    if (parse_err)
        return parse_err;
    restrict_to_public(&q);

    tz_err err = tz_buf_puts(out, "{\"items\":[");
    size_t emitted = 0;
    bool more = q.filter.category_count > 0 && q.filter.status_count > 0;
    int64_t next_before = 0;
    for (int round = 0; !err && more && emitted < q.limit && round < LIST_ROUNDS_MAX; round++) {
        struct tz_report_rec *recs = NULL;
        size_t n = 0;
        q.filter.limit = q.limit - emitted;
        err = tz_store_list_reports(tm->store, &q.filter, &recs, &n);
        for (size_t i = 0; !err && i < n; i++) {
            next_before = recs[i].id;
            if (!tm_publicly_visible(tm, &recs[i], now))
                continue;
            if (emitted++)
                err = tz_buf_puts(out, ",");
            if (!err)
                err = tm_render_report(tm, &recs[i], now, false, out);
        }
        more = n == q.filter.limit;
        q.filter.before_id = next_before;
        tz_report_recs_free(recs, n);
    }
    if (!err)
        err = tz_buf_puts(out, "],\"next_cursor\":");
    if (!err && more && next_before > 0) {
        char cursor[64];
        make_cursor(next_before, cursor, sizeof cursor);
        err = tz_buf_printf(out, "\"%s\"}", cursor);
    } else if (!err) {
        err = tz_buf_puts(out, "null}");
    }
    return err;
}

void tz_threatmap_restrict_public(struct tz_threatmap *tm, struct tz_report_filter *filter)
{
    struct tm_query q = {.tm = tm, .filter = *filter};
    restrict_to_public(&q);
    *filter = q.filter;
}

tz_err tz_threatmap_public_filter(struct tz_threatmap *tm, const struct tz_query_param *params,
                                  size_t count, struct tz_report_filter *out,
                                  struct tz_field_errors *errs)
{
    struct tm_query q;
    tz_err err = tm_parse_query(tm, params, count, TM_QUERY_EXPORT, &q, errs);
    if (err)
        return err;
    restrict_to_public(&q);
    *out = q.filter;
    return TZ_OK;
}
