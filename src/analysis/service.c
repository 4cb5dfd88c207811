/*
 * service.c - hot spots as the endpoint asks for them: the query's rules
 * across values (the band, the district), computed over the threat map's
 * police view.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"

/* The box of a GeoJSON geometry's coordinates (any nesting), grown into b[4] = w, s, e, n. */
static void grow_box(const json_t *coords, double b[4], int depth)
{
    if (depth > 8 || !json_is_array(coords))
        return;
    if (json_array_size(coords) >= 2 && json_is_number(json_array_get(coords, 0))) {
        double lon = json_number_value(json_array_get(coords, 0));
        double lat = json_number_value(json_array_get(coords, 1));
        b[0] = fmin(b[0], lon);
        b[1] = fmin(b[1], lat);
        b[2] = fmax(b[2], lon);
        b[3] = fmax(b[3], lat);
        return;
    }
    size_t i;
    const json_t *c;
    json_array_foreach(coords, i, c) grow_box(c, b, depth + 1);
}

/* Narrows v to the box of district d; false when its geometry cannot be read. */
static bool district_box(const struct tz_district_rec *d, struct tz_map_visit *v)
{
    json_t *g = json_loads(d->geometry, 0, NULL);
    double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    grow_box(json_object_get(g, "coordinates"), b, 0);
    json_decref(g);
    if (!(b[0] <= b[2] && b[1] <= b[3]))
        return false;
    if (v->has_box) { /* the user's box and the district's together */
        b[0] = fmax(b[0], v->west);
        b[1] = fmax(b[1], v->south);
        b[2] = fmin(b[2], v->east);
        b[3] = fmin(b[3], v->north);
    }
    v->has_box = true;
    v->west = b[0];
    v->south = b[1];
    v->east = fmax(b[0], b[2]); /* boxes that do not meet make an empty one */
    v->north = fmax(b[1], b[3]);
    if (b[2] < b[0] || b[3] < b[1])
        memset(v->filter.status_mask, 0, sizeof v->filter.status_mask);
    return true;
}

struct in_district {
    struct tz_threatmap *tm;
    size_t index;
};

static bool keep_in_district(void *ctx, const struct tz_map_point *p)
{
    struct in_district *d = ctx;
    size_t at;
    return tz_threatmap_locate(d->tm, p->lat, p->lon, &at) == TZ_OK && at == d->index;
}

void tz_hotspot_query_band(struct tz_hotspot_query *q, struct tz_field_errors *errs)
{
    struct tz_hotspot_params *hp = &q->params;
    if (!q->band_given)
        hp->band_m = hp->cell_m * TZ_HOTSPOT_BAND_FACTOR;
    else if (hp->band_m > hp->cell_m * TZ_HOTSPOT_BAND_MAX_CELLS)
        tz_fielderr_add(errs, "band", "must be at most %d cells", TZ_HOTSPOT_BAND_MAX_CELLS);
}

tz_err tz_analysis_hotspots(struct tz_threatmap *tm, const struct tz_hotspot_query *q,
                            struct tz_proj *proj, struct tz_hotspots *out,
                            struct tz_field_errors *errs)
{
    const char *district = q->district;
    memset(out, 0, sizeof *out);
    struct tz_map_visit v;
    tz_threatmap_visit_of(tm, &q->filters, &v);
    struct tz_point_source src = tz_point_source_threatmap(tm);
    struct in_district in = {.tm = tm};
    if (district) {
        size_t nd;
        const struct tz_district_rec *ds = tz_threatmap_district_list(tm, &nd);
        while (in.index < nd && strcmp(ds[in.index].id, district) != 0)
            in.index++;
        if (in.index == nd || !district_box(&ds[in.index], &v))
            tz_fielderr_add(errs, "district", "no such district");
        src.keep = keep_in_district;
        src.keep_ctx = &in;
    }
    if (errs->count)
        return TZ_EINVAL;
    int64_t *merged = NULL;
    tz_err err = tz_threatmap_merged_duplicates(tm, &merged, &src.skip_count);
    src.skip = merged;
    if (!err)
        err = tz_hotspots_compute(&src, proj, &v, &q->params, out);
    free(merged);
    return err;
}
