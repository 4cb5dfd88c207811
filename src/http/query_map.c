/*
 * query_map.c - the query strings of the threat map's views (GET
 * /api/v1/reports, /api/v1/map, the open-data export, analysis' filters):
 * each parameter's text read here, its value's rule threatmap's (query.h).
 * Bounded, and no allocation: this runs on every map request.
 */
#include <float.h>
#include <sodium.h>
#include <string.h>

#include "base/num.h"
#include "base/tztime.h"
#include "http/query.h"

#define PARAM_VALUE_MAX 4096 /* longest query value we look at */

/* Calls set for each item of a comma-separated list of at most max_items; TZ_EINVAL when empty. */
static tz_err split_list(const char *s, size_t max_items,
                         tz_err (*set)(const struct tz_threatmap *tm, struct tz_public_query *q,
                                       const char *item, size_t n),
                         const struct tz_threatmap *tm, struct tz_public_query *q)
{
    size_t items = 0;
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        if (n == 0 || ++items > max_items)
            return TZ_EINVAL;
        tz_err err = set(tm, q, s, n);
        if (err)
            return err;
        s += n + (comma ? 1 : 0);
        if (comma && !*s)
            return TZ_EINVAL; /* trailing comma */
    }
    return items ? TZ_OK : TZ_EINVAL;
}

static tz_err set_status(const struct tz_threatmap *tm, struct tz_public_query *q,
                         const char *item, size_t n)
{
    (void)tm;
    return tz_public_query_status(q, item, n);
}

/* Reads "W,S,E,N" in degrees (decimal numbers only). */
static tz_err read_bbox(const char *s, struct tz_public_query *q)
{
    double v[4];
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if ((i < 3) != (comma != NULL) || tz_num_parse_double(p, n, -DBL_MAX, DBL_MAX, &v[i]))
            return TZ_EINVAL;
        p += n + 1;
    }
    return tz_public_query_bbox(q, v[0], v[1], v[2], v[3]);
}

/* A cursor is the id to continue below, as base64url text, so clients treat it as opaque. */
static tz_err read_cursor(const char *s, struct tz_public_query *q)
{
    char text[32];
    size_t n = 0;
    int64_t id;
    if (sodium_base642bin((unsigned char *)text, sizeof text - 1, s, strlen(s), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        tz_num_parse_i64(text, n, INT64_MIN, INT64_MAX, &id))
        return TZ_EINVAL;
    return tz_public_query_cursor(q, id);
}

static tz_err read_whole(const char *s, int64_t *v)
{
    return tz_num_parse_i64(s, strlen(s), INT64_MIN, INT64_MAX, v) ? TZ_EINVAL : TZ_OK;
}

static tz_err read_time(const char *s, bool upper, struct tz_public_query *q)
{
    int64_t t;
    tz_err err = tz_time_parse(s, strlen(s), &t);
    if (!err)
        tz_public_query_time(q, upper, t);
    return err;
}

static tz_err read_mode(const char *s, struct tz_public_query *q)
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
#define FILTERS                                                                                    \
    (TZ_HTTP_QUERY_LIST | TZ_HTTP_QUERY_MAP | TZ_HTTP_QUERY_EXPORT | TZ_HTTP_QUERY_VISIT)
        {"bbox", FILTERS},   {"category", FILTERS},           {"group", FILTERS},
        {"status", FILTERS}, {"from", FILTERS},               {"to", FILTERS},
#undef FILTERS
        {"cursor", TZ_HTTP_QUERY_LIST}, {"limit", TZ_HTTP_QUERY_LIST},
        {"zoom", TZ_HTTP_QUERY_MAP},    {"mode", TZ_HTTP_QUERY_MAP},
    };
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        if (strcmp(k, params[i].key) == 0)
            return (params[i].kinds & allowed) != 0;
    }
    return false;
}

/* Reads the value v of a known parameter k into q; *why names what it must be. */
static tz_err read_value(const struct tz_threatmap *tm, const char *k, const char *v,
                         struct tz_public_query *q, const char **why)
{
    int64_t n = 0;
    static const char *const when = "must be a date (YYYY-MM-DD) or an RFC 3339 date-time";
    if (strcmp(k, "bbox") == 0) {
        *why = "must be W,S,E,N in degrees, west <= east, south <= north";
        return read_bbox(v, q);
    } else if (strcmp(k, "category") == 0) {
        *why = "must be a comma-separated list of category codes";
        return split_list(v, TZ_FILTER_MAX_CATEGORIES, tz_public_query_category, tm, q);
    } else if (strcmp(k, "group") == 0) {
        *why = "must be a comma-separated list of group codes";
        return split_list(v, TZ_QUERY_GROUPS_MAX, tz_public_query_group, tm, q);
    } else if (strcmp(k, "status") == 0) {
        *why = "must be a comma-separated list of status codes";
        return split_list(v, TZ_STATUS_COUNT, set_status, tm, q);
    } else if (strcmp(k, "from") == 0 || strcmp(k, "to") == 0) {
        *why = when;
        return read_time(v, k[0] == 't', q);
    } else if (strcmp(k, "cursor") == 0) {
        *why = "is not a cursor this service gave out";
        return read_cursor(v, q);
    } else if (strcmp(k, "limit") == 0) {
        *why = "must be a whole number from 1 to 200";
        return read_whole(v, &n) ? TZ_EINVAL : tz_public_query_limit(q, n);
    } else if (strcmp(k, "zoom") == 0) {
        *why = "must be a whole number from 0 to 20";
        return read_whole(v, &n) ? TZ_EINVAL : tz_public_query_zoom(q, n);
    }
    *why = "must be clusters or hex";
    return read_mode(v, q);
}

tz_err tz_http_public_query(const struct tz_threatmap *tm, const struct tz_query_param *params,
                            size_t count, unsigned kinds, struct tz_public_query *q,
                            struct tz_field_errors *errs)
{
    for (size_t i = 0; i < count; i++) {
        const char *k = params[i].key, *v = params[i].value ? params[i].value : "";
        const char *why = NULL;
        if (!param_allowed(k, kinds))
            tz_fielderr_add(errs, k, "unknown parameter");
        else if (strlen(v) > PARAM_VALUE_MAX)
            tz_fielderr_add(errs, k, "too long");
        else if (read_value(tm, k, v, q, &why))
            tz_fielderr_add(errs, k, "%s", why);
    }
    return errs->count ? TZ_EINVAL : TZ_OK;
}
