/*
 * params.c - the query parameters of the analysis endpoints: outside input,
 * each value bounded and checked, every mistake listed.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "base/tztime.h"

#define VALUE_MAX 256

tz_err an_split(const struct tz_query_param *params, size_t count, const char *const *keys,
                struct an_params *out, struct tz_field_errors *errs)
{
    memset(out, 0, sizeof *out);
    if (count > AN_PARAMS_MAX) {
        tz_fielderr_add(errs, "query", "at most %d parameters", AN_PARAMS_MAX);
        return TZ_EINVAL;
    }
    for (size_t i = 0; i < count; i++) {
        bool own = false;
        for (size_t k = 0; keys[k] && !own; k++)
            own = strcmp(params[i].key, keys[k]) == 0;
        if (own)
            out->own[out->own_count++] = &params[i];
        else
            out->rest[out->rest_count++] = params[i];
    }
    return TZ_OK;
}

tz_err an_split_own(const struct tz_query_param *params, size_t count, const char *const *keys,
                    struct an_params *out, struct tz_field_errors *errs)
{
    tz_err err = an_split(params, count, keys, out, errs);
    for (size_t i = 0; !err && i < out->rest_count; i++)
        tz_fielderr_add(errs, out->rest[i].key, "unknown parameter");
    return err;
}

static const char *value_of(const struct tz_query_param *p)
{
    return p->value ? p->value : "";
}

bool an_double(const struct tz_query_param *p, double lo, double hi, double *out,
               struct tz_field_errors *errs)
{
    const char *s = value_of(p);
    char *end;
    errno = 0;
    double v = strlen(s) < VALUE_MAX ? strtod(s, &end) : NAN;
    if (strlen(s) >= VALUE_MAX || end == s || *end || errno || !isfinite(v) || v < lo || v > hi) {
        tz_fielderr_add(errs, p->key, "must be a number from %g to %g", lo, hi);
        return false;
    }
    *out = v;
    return true;
}

bool an_bool(const struct tz_query_param *p, bool *out, struct tz_field_errors *errs)
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

bool an_time(const struct tz_query_param *p, int64_t *out, struct tz_field_errors *errs)
{
    const char *s = value_of(p);
    if (strlen(s) >= VALUE_MAX || tz_time_parse(s, strlen(s), out) != TZ_OK) {
        tz_fielderr_add(errs, p->key, "must be a date (YYYY-MM-DD) or an RFC 3339 date-time");
        return false;
    }
    return true;
}

bool an_choice(const struct tz_query_param *p, const char *const *choices, int *out,
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

int64_t an_local_day(int64_t t)
{
    int64_t l = t + tz_time_pl_offset(t);
    return l >= 0 ? l / 86400 : -((-l + 86399) / 86400);
}

int64_t an_day_start(int64_t d)
{
    /* Midnight is never in a DST gap in Poland (changes happen at 02:00 / 03:00 local). */
    int64_t t = d * 86400 - 3600;
    return d * 86400 - tz_time_pl_offset(t);
}

int an_category(struct tz_threatmap *tm, const char *code)
{
    size_t n;
    const struct tz_category_rec *cats = tz_threatmap_category_list(tm, &n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(cats[i].code, code) == 0)
            return (int)i;
    }
    return -1;
}

bool an_categories(struct tz_threatmap *tm, const struct tz_query_param *p, bool *on, bool *any,
                   struct tz_field_errors *errs)
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
            return false;
        }
        s += len + (comma ? 1 : 0);
    }
    if (items == 0)
        tz_fielderr_add(errs, p->key, "must not be empty");
    return items > 0;
}
