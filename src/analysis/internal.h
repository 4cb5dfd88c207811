/*
 * internal.h - what the analysis/ files share; not part of the module's
 * promise (that is analysis.h).
 */
#ifndef TZ_ANALYSIS_INTERNAL_H
#define TZ_ANALYSIS_INTERNAL_H

#include "analysis/analysis.h"

#define AN_PARAMS_MAX 64 /* query parameters looked at */

/* The query parameters an analysis reads itself (keys), and the others (the map filters). */
struct an_params {
    const struct tz_query_param *own[AN_PARAMS_MAX];
    size_t own_count;
    struct tz_query_param rest[AN_PARAMS_MAX];
    size_t rest_count;
};

/* Splits params into those whose key is in keys (NULL-terminated) and the rest. */
tz_err an_split(const struct tz_query_param *params, size_t count, const char *const *keys,
                struct an_params *out, struct tz_field_errors *errs);
/* an_split for an analysis that takes no map filters: each of the rest is an unknown parameter
 * (listed in errs; the caller answers 400 once it has checked its own). */
tz_err an_split_own(const struct tz_query_param *params, size_t count, const char *const *keys,
                    struct an_params *out, struct tz_field_errors *errs);
/* Reads a number in [lo, hi]; false (and an entry in errs) otherwise. */
bool an_double(const struct tz_query_param *p, double lo, double hi, double *out,
               struct tz_field_errors *errs);
/* Reads true/false/1/0. */
bool an_bool(const struct tz_query_param *p, bool *out, struct tz_field_errors *errs);
/* Reads a date or RFC 3339 date-time. */
bool an_time(const struct tz_query_param *p, int64_t *out, struct tz_field_errors *errs);
/* Whether the value is one of choices (NULL-terminated); its index in *out. */
bool an_choice(const struct tz_query_param *p, const char *const *choices, int *out,
               struct tz_field_errors *errs);

/* The Polish calendar day (days since 1970-01-01) of instant t. */
int64_t an_local_day(int64_t t);
/* The instant of 00:00 Polish time on local day d. */
int64_t an_day_start(int64_t d);
/* The category's number in the threat map's list, or -1. */
int an_category(struct tz_threatmap *tm, const char *code);
/*
 * Reads category= and group= (comma-separated codes) into on[] (every
 * category when neither is given); false with an entry in errs otherwise.
 */
bool an_categories(struct tz_threatmap *tm, const struct tz_query_param *p, bool *on, bool *any,
                   struct tz_field_errors *errs);

#endif
