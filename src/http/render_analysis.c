/*
 * render_analysis.c - the answers of analysis (src/analysis) as the API
 * writes them, through base/jsonw: hot spots as a GeoJSON FeatureCollection
 * of hexagons and the reports linked to one report.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/tztime.h"
#include "http/render.h"

/*
 * "key":v as printf writes it, with `decimals` decimals or, for decimals < 0,
 * six significant digits (%.6g): the forms these answers have always had.
 */
static void put_kfixed(struct tz_jw *w, const char *key, double v, int decimals)
{
    char text[64];
    int n = decimals < 0 ? snprintf(text, sizeof text, "%.6g", v)
                         : snprintf(text, sizeof text, "%.*f", decimals, v);
    tz_jw_key(w, key);
    if (n > 0 && (size_t)n < sizeof text && isfinite(v))
        tz_jw_raw(w, text, (size_t)n);
    else
        tz_jw_null(w);
}

static tz_err put_cell(struct tz_jw *w, const struct tz_hotspots *h, const struct tz_hotspot_cell *c,
                       struct tz_proj *proj)
{
    static const int conf[] = {0, 90, 95, 99};
    double xy[6][2], lon[7], lat[7];
    tz_hex_corners(h->params.cell_m, c->hex, xy);
    for (int k = 0; k < 6; k++) {
        lon[k] = xy[k][0];
        lat[k] = xy[k][1];
    }
    tz_hex_centre(h->params.cell_m, c->hex, &lon[6], &lat[6]);
    tz_err err = tz_proj_inverse(proj, lon, lat, 7);
    if (err)
        return err;
    tz_jw_object(w);
    tz_http_put_feature_geometry(w, "Polygon");
    tz_jw_array(w);
    tz_jw_array(w);
    for (int k = 0; k <= 6; k++) { /* the ring closes on its first corner */
        tz_jw_array(w);
        tz_http_put_degrees(w, lon[k % 6]);
        tz_http_put_degrees(w, lat[k % 6]);
        tz_jw_array_end(w);
    }
    tz_jw_array_end(w);
    tz_jw_array_end(w);
    tz_jw_object_end(w);
    tz_jw_key(w, "properties");
    tz_jw_object(w);
    tz_jw_kint(w, "q", c->hex.q);
    tz_jw_kint(w, "r", c->hex.r);
    tz_jw_kuint(w, "count", c->count);
    tz_jw_kuint(w, "neighbours", c->neighbours);
    put_kfixed(w, "z", c->z, 4);
    put_kfixed(w, "p", c->p, -1);
    tz_jw_kint(w, "class", c->cls);
    tz_jw_kstr(w, "label", tz_hotspot_class_name(c->cls));
    tz_jw_kint(w, "confidence", conf[abs(c->cls)]);
    tz_jw_key(w, "centre");
    tz_jw_array(w);
    tz_http_put_degrees(w, lon[6]);
    tz_http_put_degrees(w, lat[6]);
    tz_jw_array_end(w);
    tz_jw_object_end(w);
    tz_jw_object_end(w);
    return TZ_OK;
}

tz_err tz_http_hotspots_geojson(const struct tz_hotspots *h, struct tz_proj *proj, bool all,
                                struct tz_buf *out)
{
    size_t counts[7] = {0}, written = 0;
    bool truncated = false;
    tz_err err = TZ_OK;
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "type", "FeatureCollection");
    tz_jw_key(&w, "features");
    tz_jw_array(&w);
    for (size_t i = 0; !err && !w.err && i < h->n; i++) {
        const struct tz_hotspot_cell *c = &h->cells[i];
        counts[c->cls + 3]++;
        if (!all && c->cls == 0)
            continue;
        if (written == TZ_HOTSPOT_FEATURES_MAX) {
            truncated = true;
            continue;
        }
        written++;
        err = put_cell(&w, h, c, proj);
    }
    tz_jw_array_end(&w);
    tz_jw_kstr(&w, "crs_cells", "EPSG:2180");
    put_kfixed(&w, "cell_m", h->params.cell_m, 1);
    put_kfixed(&w, "band_m", h->params.band_m, 1);
    tz_jw_kbool(&w, "fdr", h->params.fdr);
    tz_jw_kuint(&w, "cells", h->n);
    tz_jw_kuint(&w, "points", h->points);
    put_kfixed(&w, "mean", h->mean, 4);
    put_kfixed(&w, "sd", h->sd, 4);
    tz_jw_kbool(&w, "truncated", truncated);
    tz_jw_key(&w, "classes");
    tz_jw_object(&w);
    for (int k = 0; k < 7; k++)
        tz_jw_kuint(&w, tz_hotspot_class_name(k - 3), counts[k]);
    tz_jw_object_end(&w);
    tz_jw_object_end(&w);
    tz_err written_err = tz_jw_end(&w);
    return err ? err : written_err;
}

tz_err tz_http_hotspots_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                             size_t count, int64_t now, struct tz_buf *out,
                             struct tz_field_errors *errs)
{
    (void)now;
    struct tz_proj *proj = NULL;
    struct tz_hotspots h = {0};
    struct tz_hotspot_query q;
    tz_err err = tz_proj_open(&proj);
    if (!err)
        err = tz_http_hotspot_query(tm, params, count, &q, errs);
    if (!err)
        err = tz_analysis_hotspots(tm, &q, proj, &h, errs);
    if (!err)
        err = tz_http_hotspots_geojson(&h, proj, q.all, out);
    tz_hotspots_free(&h);
    tz_proj_close(proj);
    return err;
}

tz_err tz_http_linked_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                           size_t count, int64_t now, struct tz_buf *out,
                           struct tz_field_errors *errs)
{
    (void)now;
    struct tz_linked l;
    int64_t id = 0;
    tz_err err = tz_http_linked_query(params, count, &id, errs);
    if (err)
        return err;
    err = tz_analysis_linked(tm, id, &l);
    if (err)
        return err;
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    tz_jw_kint(&w, "id", l.rec.id);
    tz_jw_kstr(&w, "category", l.rec.category);
    tz_jw_kstr(&w, "status", l.rec.status);
    put_kfixed(&w, "radius_m", TZ_NEARBY_RADIUS_M, 0);
    tz_jw_kint(&w, "window_days", TZ_NEARBY_WINDOW_S / 86400);
    tz_jw_kuint(&w, "found", l.found);
    tz_jw_key(&w, "linked");
    tz_http_put_nearby(&w, l.near, l.near_count);
    tz_jw_key(&w, "merges");
    tz_jw_array(&w);
    for (size_t i = 0; i < l.merge_count; i++) {
        const struct tz_merge_rec *m = &l.merges[i];
        tz_jw_object(&w);
        tz_jw_kint(&w, "duplicate", m->report_id);
        tz_jw_kint(&w, "original", m->original_id);
        tz_jw_ktime(&w, "at", m->at);
        tz_jw_kstr(&w, "actor", m->actor);
        tz_jw_kstr(&w, "note", m->note);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    tz_linked_clear(&l);
    return tz_jw_end(&w);
}
