/* districts.c - importing district polygons from GeoJSON into the store, all or nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonguard.h"
#include "threatmap/internal.h"

/* Stores parsed districts; the records borrow the strings of d. */
static tz_err put_parsed(struct tz_store *store, const struct tz_geo_districts *d)
{
    struct tz_district_rec *recs = calloc(d->count ? d->count : 1, sizeof *recs);
    if (!recs)
        return TZ_ENOMEM;
    for (size_t i = 0; i < d->count; i++) {
        snprintf(recs[i].id, sizeof recs[i].id, "%s", d->items[i].id);
        recs[i].name = d->items[i].name;
        recs[i].unit = d->items[i].unit;
        recs[i].officer = d->items[i].officer;
        recs[i].geometry = d->items[i].geometry;
    }
    tz_err err = tz_store_put_districts(store, recs, d->count);
    free(recs);
    return err;
}

tz_err tz_threatmap_import_districts(struct tz_store *store, const char *json, size_t len,
                                     struct tz_geo_problems *problems)
{
    struct tz_geo_districts parsed = {0};
    tz_json_guard_begin();
    tz_err err = tz_geo_parse_districts(json, len, &parsed, problems);
    if (tz_json_guard_failed()) {
        if (problems) /* what a parse short of memory found is not the file's fault */
            tz_geo_problems_free(problems);
        err = TZ_ENOMEM;
    }
    if (!err)
        err = put_parsed(store, &parsed);
    tz_geo_districts_free(&parsed);
    return err;
}

tz_err tm_put_demo_districts(struct tz_store *store)
{
    struct tz_geo_districts demo = {0};
    tz_err err = tz_geo_demo_districts(&demo);
    if (!err)
        err = put_parsed(store, &demo);
    tz_geo_districts_free(&demo);
    return err;
}
