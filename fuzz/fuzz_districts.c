/*
 * fuzz_districts.c - libFuzzer harness of the GeoJSON district import
 * (tz_geo_parse_districts), the parser behind `tarcza import-districts` and
 * the district upload of the admin API. No store: the parse is all of it.
 *
 * What must hold, beyond "no crash, no leak, no undefined behaviour":
 *   - TZ_OK: no problems; every district has a unique, non-empty id of at
 *     most 63 bytes, a name, unit and officer, and a geometry that is
 *     non-empty GeoJSON text of a Polygon or MultiPolygon. The router accepts
 *     the geometries (tz_router_build) and finds a district at the first
 *     vertex of each (a polygon covers its own boundary).
 *   - TZ_EINVAL: no districts; at least one problem, sorted by feature, each
 *     with an index that is a feature's or TZ_GEO_DOCUMENT and a message of
 *     valid UTF-8 (problems are printed and served as JSON).
 *   - nothing else (TZ_ETOOBIG cannot happen below TZ_GEO_MAX_DOCUMENT).
 */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "check.h"
#include "geo/geo.h"

#define LOCATE_MAX 16 /* districts whose first vertex is routed, per input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first vertex of a Polygon's or MultiPolygon's geometry text, as (lon, lat). */
static void first_vertex(const char *geometry, double *lon, double *lat)
{
    json_error_t jerr;
    json_t *g = json_loads(geometry, 0, &jerr);
    FUZZ_CHECK(g != NULL, "geometry is not JSON: %s: %.200s", jerr.text, geometry);
    const char *type = json_string_value(json_object_get(g, "type"));
    FUZZ_CHECK(type && (strcmp(type, "Polygon") == 0 || strcmp(type, "MultiPolygon") == 0),
               "geometry type %s", type ? type : "(none)");
    json_t *rings = json_object_get(g, "coordinates");
    if (strcmp(type, "MultiPolygon") == 0)
        rings = json_array_get(rings, 0);
    json_t *pos = json_array_get(json_array_get(rings, 0), 0);
    FUZZ_CHECK(json_is_number(json_array_get(pos, 0)) && json_is_number(json_array_get(pos, 1)),
               "geometry has no first position: %.200s", geometry);
    *lon = json_number_value(json_array_get(pos, 0));
    *lat = json_number_value(json_array_get(pos, 1));
    json_decref(g);
}

static int by_id(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void check_districts(const struct tz_geo_districts *d)
{
    const char **ids = calloc(d->count ? d->count : 1, sizeof *ids);
    const char **geometries = calloc(d->count ? d->count : 1, sizeof *geometries);
    FUZZ_CHECK(ids && geometries, "out of memory");
    for (size_t i = 0; i < d->count; i++) {
        const struct tz_geo_district *x = &d->items[i];
        FUZZ_CHECK(x->id && x->id[0] && strlen(x->id) <= 63, "district %zu: id", i);
        FUZZ_CHECK(fuzz_utf8_valid(x->id, strlen(x->id)), "district %zu: id not UTF-8", i);
        FUZZ_CHECK(x->name && x->unit && x->officer, "district %s: text missing", x->id);
        FUZZ_CHECK(x->geometry && x->geometry[0], "district %s: empty geometry", x->id);
        ids[i] = x->id;
        geometries[i] = x->geometry;
    }
    qsort(ids, d->count, sizeof *ids, by_id);
    for (size_t i = 1; i < d->count; i++)
        FUZZ_CHECK(strcmp(ids[i - 1], ids[i]) != 0, "id %s twice", ids[i]);

    struct tz_router *router = NULL;
    tz_err err = tz_router_build(geometries, d->count, &router);
    FUZZ_CHECK(err == TZ_OK, "the router refuses imported districts: %s", tz_err_str(err));
    FUZZ_CHECK(tz_router_count(router) == d->count, "router count");
    for (size_t i = 0; i < d->count && i < LOCATE_MAX; i++) {
        double lon, lat;
        size_t index = SIZE_MAX;
        first_vertex(d->items[i].geometry, &lon, &lat);
        err = tz_router_locate(router, lat, lon, &index);
        FUZZ_CHECK(err == TZ_OK && index < d->count,
                   "district %s: its vertex (%.17g, %.17g) is not routed: %s", d->items[i].id, lon,
                   lat, tz_err_str(err));
    }
    tz_router_free(router);
    free(geometries);
    free(ids);
}

static void check_problems(const struct tz_geo_problems *p)
{
    FUZZ_CHECK(p->count > 0, "TZ_EINVAL without a problem");
    for (size_t i = 0; i < p->count; i++) {
        const struct tz_geo_problem *x = &p->items[i];
        FUZZ_CHECK(x->message && x->message[0], "problem %zu has no message", i);
        FUZZ_CHECK(fuzz_utf8_valid(x->message, strlen(x->message)),
                   "problem %zu: message not UTF-8", i);
        FUZZ_CHECK(!x->id || fuzz_utf8_valid(x->id, strlen(x->id)), "problem %zu: id not UTF-8", i);
        FUZZ_CHECK(x->index != TZ_GEO_DOCUMENT || !x->id, "a document problem with an id");
        if (i > 0)
            FUZZ_CHECK(p->items[i - 1].index <= x->index, "problems %zu and %zu out of order",
                       i - 1, i);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tz_geo_districts d;
    struct tz_geo_problems problems;
    tz_err err = tz_geo_parse_districts((const char *)data, size, &d, &problems);
    if (err == TZ_OK) {
        FUZZ_CHECK(problems.count == 0, "TZ_OK with %zu problems", problems.count);
        check_districts(&d);
    } else {
        FUZZ_CHECK(err == TZ_EINVAL, "unexpected %s", tz_err_str(err));
        FUZZ_CHECK(d.count == 0 && d.items == NULL, "a refused document leaves districts");
        check_problems(&problems);
    }
    tz_geo_districts_free(&d);
    tz_geo_problems_free(&problems);
    return 0;
}
