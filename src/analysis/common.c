/*
 * common.c - what the analyses share: the Polish calendar day of an instant
 * and a category's number in the threat map's list. (The query strings are
 * read in http/query_analysis.c.)
 */
#include <string.h>

#include "analysis/internal.h"
#include "base/tztime.h"

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
