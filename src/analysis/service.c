/*
 * service.c - the analysis endpoints' side of the analysis: query strings in,
 * JSON or GeoJSON out, computed over the threat map's police view.
 */
#include <string.h>

#include "analysis/internal.h"

tz_err tz_analysis_hotspots_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                                 size_t count, int64_t now, struct tz_buf *out,
                                 struct tz_field_errors *errs)
{
    (void)now;
    static const char *const keys[] = {"cell", "band", "fdr", "all", NULL};
    struct an_params ap;
    struct tz_hotspot_params hp = tz_hotspot_defaults();
    bool all = false, band_given = false;
    tz_err err = an_split(params, count, keys, &ap, errs);
    if (err)
        return err;
    for (size_t i = 0; i < ap.own_count; i++) {
        const struct tz_query_param *p = ap.own[i];
        if (strcmp(p->key, "cell") == 0)
            an_double(p, TZ_HOTSPOT_CELL_MIN, TZ_HOTSPOT_CELL_MAX, &hp.cell_m, errs);
        else if (strcmp(p->key, "band") == 0)
            band_given =
                an_double(p, 0, TZ_HOTSPOT_CELL_MAX * TZ_HOTSPOT_BAND_MAX_CELLS, &hp.band_m, errs);
        else if (strcmp(p->key, "fdr") == 0)
            an_bool(p, &hp.fdr, errs);
        else
            an_bool(p, &all, errs);
    }
    if (!band_given)
        hp.band_m = hp.cell_m * TZ_HOTSPOT_BAND_FACTOR;
    else if (hp.band_m > hp.cell_m * TZ_HOTSPOT_BAND_MAX_CELLS)
        tz_fielderr_add(errs, "band", "must be at most %d cells", TZ_HOTSPOT_BAND_MAX_CELLS);
    struct tz_map_visit v;
    tz_err perr = tz_threatmap_parse_visit(tm, ap.rest, ap.rest_count, &v, errs);
    if (perr || errs->count)
        return TZ_EINVAL;

    struct tz_proj *proj = NULL;
    struct tz_hotspots h = {0};
    struct tz_point_source src = tz_point_source_threatmap(tm);
    err = tz_proj_open(&proj);
    if (!err)
        err = tz_hotspots_compute(&src, proj, &v, &hp, &h);
    if (!err)
        err = tz_hotspots_geojson(&h, proj, all, out);
    tz_hotspots_free(&h);
    tz_proj_close(proj);
    return err;
}
