/*
 * query_analysis.c - the query strings of the analysis endpoints (hot spots,
 * linked reports, trends, statistics, patrol plans): each value read from its
 * text and checked against analysis.h's limits and the threat map's names, in
 * the order of the parameters, into the struct the analysis takes; the rules
 * across values are the analysis's own (analysis.h).
 */
#include <math.h>
#include <string.h>

#include "base/num.h"
#include "base/tztime.h"
#include "http/query.h"

#define PARAMS_MAX 64 /* query parameters looked at */
#define TIME_MAX 256  /* longest date text looked at */

/* Whether key is one of keys (NULL-terminated). */
static bool one_of(const char *key, const char *const *keys)
{
    for (size_t k = 0; keys[k]; k++) {
        if (strcmp(key, keys[k]) == 0)
            return true;
    }
    return false;
}

/* Lists each parameter not in keys as unknown; TZ_EINVAL (nothing listed) past PARAMS_MAX. */
static tz_err only_own(const struct tz_query_param *params, size_t count, const char *const *keys,
                       struct tz_field_errors *errs)
{
    if (count > PARAMS_MAX) {
        tz_fielderr_add(errs, "query", "at most %d parameters", PARAMS_MAX);
        return TZ_EINVAL;
    }
    for (size_t i = 0; i < count; i++) {
        if (!one_of(params[i].key, keys))
            tz_fielderr_add(errs, params[i].key, "unknown parameter");
    }
    return TZ_OK;
}

static const char *value_of(const struct tz_query_param *p)
{
    return p->value ? p->value : "";
}

/* A number in [lo, hi]; false (and an entry in errs) otherwise. */
static bool read_number(const struct tz_query_param *p, double lo, double hi, double *out,
                        struct tz_field_errors *errs)
{
    const char *s = value_of(p);
    double v;
    if (tz_num_parse_double(s, strlen(s), lo, hi, &v)) {
        tz_fielderr_add(errs, p->key, "must be a number from %g to %g", lo, hi);
        return false;
    }
    *out = v;
    return true;
}

/* true/false/1/0. */
static bool read_bool(const struct tz_query_param *p, bool *out, struct tz_field_errors *errs)
{
    const char *s = value_of(p);
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0) {
        *out = false;
        return true;
    }
    tz_fielderr_add(errs, p->key, "must be true or false");
    return false;
}

/* A date or an RFC 3339 date-time. */
static bool read_time(const struct tz_query_param *p, int64_t *out, struct tz_field_errors *errs)
{
    const char *s = value_of(p);
    if (strlen(s) >= TIME_MAX || tz_time_parse(s, strlen(s), out) != TZ_OK) {
        tz_fielderr_add(errs, p->key, "must be a date (YYYY-MM-DD) or an RFC 3339 date-time");
        return false;
    }
    return true;
}

/* Whether the value is one of choices (NULL-terminated); its index in *out. */
static bool read_choice(const struct tz_query_param *p, const char *const *choices, int *out,
                        struct tz_field_errors *errs)
{
    const char *s = value_of(p);
    for (int i = 0; choices[i]; i++) {
        if (strcmp(s, choices[i]) == 0) {
            *out = i;
            return true;
        }
    }
    tz_fielderr_add(errs, p->key, "is not one of the accepted values");
    return false;
}

tz_err tz_http_hotspot_query(const struct tz_threatmap *tm, const struct tz_query_param *params,
                             size_t count, struct tz_hotspot_query *q,
                             struct tz_field_errors *errs)
{
    static const char *const keys[] = {"cell", "band", "fdr", "all", "district", NULL};
    struct tz_query_param rest[PARAMS_MAX];
    size_t rest_count = 0;
    memset(q, 0, sizeof *q);
    q->params = tz_hotspot_defaults();
    tz_public_query_init(&q->filters);
    if (count > PARAMS_MAX) {
        tz_fielderr_add(errs, "query", "at most %d parameters", PARAMS_MAX);
        return TZ_EINVAL;
    }
    for (size_t i = 0; i < count; i++) {
        const struct tz_query_param *p = &params[i];
        if (!one_of(p->key, keys))
            rest[rest_count++] = *p; /* the map's filters, read below */
        else if (strcmp(p->key, "cell") == 0)
            read_number(p, TZ_HOTSPOT_CELL_MIN, TZ_HOTSPOT_CELL_MAX, &q->params.cell_m, errs);
        else if (strcmp(p->key, "band") == 0)
            q->band_given = read_number(p, 0, TZ_HOTSPOT_CELL_MAX * TZ_HOTSPOT_BAND_MAX_CELLS,
                                        &q->params.band_m, errs);
        else if (strcmp(p->key, "fdr") == 0)
            read_bool(p, &q->params.fdr, errs);
        else if (strcmp(p->key, "district") == 0)
            q->district = value_of(p);
        else
            read_bool(p, &q->all, errs);
    }
    tz_hotspot_query_band(q, errs);
    tz_http_public_query(tm, rest, rest_count, TZ_HTTP_QUERY_VISIT, &q->filters, errs);
    return TZ_OK;
}

tz_err tz_http_linked_query(const struct tz_query_param *params, size_t count, int64_t *id,
                            struct tz_field_errors *errs)
{
    static const char *const keys[] = {"id", NULL};
    double idd = 0;
    bool have = false;
    tz_err err = only_own(params, count, keys, errs);
    for (size_t i = 0; !err && i < count; i++) {
        if (one_of(params[i].key, keys)) /* a JSON-safe whole number */
            have = read_number(&params[i], 1, 9007199254740991.0, &idd, errs);
    }
    if (err)
        return err;
    if (!have && !errs->count)
        tz_fielderr_add(errs, "id", "required");
    else if (have && idd != floor(idd))
        tz_fielderr_add(errs, "id", "must be a whole number");
    *id = (int64_t)idd;
    return errs->count ? TZ_EINVAL : TZ_OK;
}

/* category= or group= (comma-separated codes) into on[]; the first of them clears it. */
static void read_categories(const struct tz_threatmap *tm, const struct tz_query_param *p,
                            bool *on, bool *any, struct tz_field_errors *errs)
{
    size_t n;
    const struct tz_category_rec *cats = tz_threatmap_category_list(tm, &n);
    const char *s = value_of(p);
    bool group = strcmp(p->key, "group") == 0;
    if (!*any)
        memset(on, 0, TZ_MAP_MAX_CATEGORIES * sizeof *on);
    *any = true;
    size_t items = 0;
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        bool known = false;
        for (size_t i = 0; i < n && len > 0; i++) {
            const char *code = group ? cats[i].group : cats[i].code;
            if (strlen(code) == len && memcmp(code, s, len) == 0) {
                on[i] = true;
                known = true;
            }
        }
        if (!known || ++items > TZ_MAP_MAX_CATEGORIES) {
            tz_fielderr_add(errs, p->key, "must be a comma-separated list of %s codes",
                            group ? "group" : "category");
            return;
        }
        s += len + (comma ? 1 : 0);
    }
    if (items == 0)
        tz_fielderr_add(errs, p->key, "must not be empty");
}

tz_err tz_http_trends_query(const struct tz_threatmap *tm, const struct tz_query_param *params,
                            size_t count, struct tz_trends_query *q, struct tz_field_errors *errs)
{
    static const char *const keys[] = {"period", "from",     "to",    "district",
                                       "unit",   "category", "group", NULL};
    static const char *const periods[] = {"week", "month", NULL};
    bool any = false;
    tz_trends_query_init(q);
    tz_err err = only_own(params, count, keys, errs);
    for (size_t i = 0; !err && i < count; i++) {
        const struct tz_query_param *p = &params[i];
        const char *v = value_of(p);
        int choice;
        if (strcmp(p->key, "period") == 0 && read_choice(p, periods, &choice, errs))
            q->month = choice == 1;
        else if (strcmp(p->key, "from") == 0)
            read_time(p, &q->from, errs);
        else if (strcmp(p->key, "to") == 0)
            q->has_to = read_time(p, &q->to, errs) || q->has_to;
        else if (strcmp(p->key, "district") == 0 && !tz_threatmap_district(tm, v))
            tz_fielderr_add(errs, "district", "no such district");
        else if (strcmp(p->key, "district") == 0)
            q->district = v;
        else if (strcmp(p->key, "unit") == 0)
            q->unit = v;
        else if (strcmp(p->key, "category") == 0 || strcmp(p->key, "group") == 0)
            read_categories(tm, p, q->on, &any, errs);
    }
    return err;
}

tz_err tz_http_stats_query(const struct tz_query_param *params, size_t count,
                           struct tz_stats_query *q, struct tz_field_errors *errs)
{
    static const char *const keys[] = {"by", "from", "to", "format", NULL};
    static const char *const bys[] = {"district", "unit", "region", NULL};
    static const char *const formats[] = {"json", "csv", "geojson", "text", NULL};
    int fmt = 0;
    memset(q, 0, sizeof *q);
    tz_err err = only_own(params, count, keys, errs);
    for (size_t i = 0; !err && i < count; i++) {
        const struct tz_query_param *p = &params[i];
        int choice;
        if (strcmp(p->key, "by") == 0 && read_choice(p, bys, &choice, errs))
            q->by = (enum tz_stats_by)choice;
        else if (strcmp(p->key, "from") == 0)
            read_time(p, &q->from, errs);
        else if (strcmp(p->key, "to") == 0)
            read_time(p, &q->to, errs);
        else if (strcmp(p->key, "format") == 0)
            read_choice(p, formats, &fmt, errs);
    }
    q->format = (enum tz_stats_format)fmt;
    return err;
}

tz_err tz_http_patrol_query(const struct tz_threatmap *tm, const struct tz_query_param *params,
                            size_t count, struct tz_patrol_query *q, struct tz_field_errors *errs)
{
    static const char *const keys[] = {"district", "limit", NULL};
    double lim = TZ_PATROL_LIMIT;
    memset(q, 0, sizeof *q);
    tz_err err = only_own(params, count, keys, errs);
    for (size_t i = 0; !err && i < count; i++) {
        const struct tz_query_param *p = &params[i];
        if (strcmp(p->key, "limit") == 0) {
            if (read_number(p, 1, TZ_PATROL_LIMIT_MAX, &lim, errs) && lim != floor(lim))
                tz_fielderr_add(errs, "limit", "must be a whole number");
        } else if (strcmp(p->key, "district") == 0 &&
                   !(q->district = tz_threatmap_district(tm, value_of(p)))) {
            tz_fielderr_add(errs, "district", "no such district");
        }
    }
    q->limit = (size_t)lim;
    return err;
}
