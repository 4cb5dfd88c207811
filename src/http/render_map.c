/*
 * render_map.c - GET /api/v1/map: the threat map's answer (a map index
 * result, tz_threatmap_map) as a GeoJSON FeatureCollection (RFC 7946; see
 * tz_http_map_geojson in render.h), through base/jsonw. A map answer is
 * mostly coordinates, written with six decimals by tz_jw_fixed6.
 */
#include <string.h>

#include "base/tztime.h"
#include "http/render.h"

/* A code from table[i] (a key or a value), or null when there is none. */
static const char *code_of(const char *const *table, size_t n, size_t i)
{
    return table && i < n ? table[i] : NULL;
}

/* "counts":{"status":n,...} for the statuses with points. */
static void put_counts(struct tz_jw *w, const struct tz_map_feature *f,
                       const char *const *status_codes)
{
    tz_jw_key(w, "counts");
    tz_jw_object(w);
    for (size_t s = 0; s < TZ_MAP_STATUSES; s++) {
        if (!f->by_status[s])
            continue;
        const char *code = code_of(status_codes, TZ_MAP_STATUSES, s);
        tz_jw_key(w, code ? code : "null");
        tz_jw_uint(w, f->by_status[s]);
    }
    tz_jw_object_end(w);
}

/* [v0,v1,...] with six decimals each, in one step (the fast call jsonw has for coordinates). */
static void put_numbers(struct tz_jw *w, const double *v, size_t n)
{
    tz_jw_fixed6_array(w, v, n);
}

/* Opens a Point feature at (lon, lat) and its properties. */
static void put_point_feature(struct tz_jw *w, double lon, double lat)
{
    const double pos[2] = {lon, lat};
    tz_jw_object(w);
    tz_http_put_feature_geometry(w, "Point");
    put_numbers(w, pos, 2);
    tz_jw_object_end(w);
    tz_jw_key(w, "properties");
    tz_jw_object(w);
}

static void put_cluster(struct tz_jw *w, const struct tz_map_feature *f,
                        const char *const *status_codes)
{
    const double bbox[4] = {f->west, f->south, f->east, f->north};
    put_point_feature(w, f->lon, f->lat);
    tz_jw_kbool(w, "cluster", true);
    tz_jw_kuint(w, "count", f->count);
    put_counts(w, f, status_codes);
    tz_jw_key(w, "bbox");
    put_numbers(w, bbox, 4);
    tz_jw_kint(w, "expansion_zoom", f->expansion_zoom);
    tz_jw_object_end(w);
    tz_jw_object_end(w);
}

static void put_single(struct tz_jw *w, const struct tz_map_feature *f,
                       const char *const *category_codes, size_t category_count,
                       const char *const *status_codes)
{
    char when[TZ_TIME_TEXT_MAX];
    tz_time_format(f->received_at, when);
    put_point_feature(w, f->lon, f->lat);
    tz_jw_kbool(w, "cluster", false);
    tz_jw_kint(w, "id", f->id);
    tz_jw_kstr(w, "category", code_of(category_codes, category_count, f->category));
    tz_jw_kstr(w, "status", code_of(status_codes, TZ_MAP_STATUSES, f->status));
    tz_jw_kstr(w, "received_at", when);
    tz_jw_object_end(w);
    tz_jw_object_end(w);
}

static void put_hex(struct tz_jw *w, const struct tz_map_feature *f,
                    const char *const *status_codes)
{
    tz_jw_object(w);
    tz_http_put_feature_geometry(w, "Polygon");
    tz_jw_array(w);
    tz_jw_array(w);
    for (int i = 0; i <= 6; i++) /* the ring closes on its first corner */
        put_numbers(w, f->hex[i % 6], 2);
    tz_jw_array_end(w);
    tz_jw_array_end(w);
    tz_jw_object_end(w);
    tz_jw_key(w, "properties");
    tz_jw_object(w);
    tz_jw_kuint(w, "count", f->count);
    put_counts(w, f, status_codes);
    tz_jw_object_end(w);
    tz_jw_object_end(w);
}

tz_err tz_http_map_geojson(const struct tz_map_result *r, enum tz_map_mode mode,
                           const char *const *category_codes, size_t category_count,
                           const char *const *status_codes, struct tz_buf *out)
{
    uint32_t max_count = 0;
    for (size_t i = 0; i < r->count; i++)
        max_count = r->features[i].count > max_count ? r->features[i].count : max_count;
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "type", "FeatureCollection");
    tz_jw_kuint(&w, "matched", r->matched);
    tz_jw_kbool(&w, "truncated", r->truncated);
    if (mode == TZ_MAP_HEX)
        tz_jw_kuint(&w, "max_count", max_count);
    tz_jw_key(&w, "features");
    tz_jw_array(&w);
    for (size_t i = 0; i < r->count && !w.err; i++) {
        const struct tz_map_feature *f = &r->features[i];
        if (mode == TZ_MAP_HEX)
            put_hex(&w, f, status_codes);
        else if (f->count > 1)
            put_cluster(&w, f, status_codes);
        else
            put_single(&w, f, category_codes, category_count, status_codes);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

tz_err tz_http_map_json(struct tz_threatmap *tm, const struct tz_query_param *params, size_t count,
                        int64_t now, struct tz_buf *out, struct tz_field_errors *errs)
{
    struct tz_map_result result = {0};
    struct tz_public_query q;
    tz_public_query_init(&q);
    tz_err err = tz_http_public_query(tm, params, count, TZ_HTTP_QUERY_MAP, &q, errs);
    if (!err)
        err = tz_threatmap_map(tm, &q, now, &result, errs);
    if (!err) {
        const char *status_codes[TZ_MAP_STATUSES];
        for (int s = 0; s < TZ_MAP_STATUSES; s++)
            status_codes[s] = tz_status_code((enum tz_status)s);
        size_t categories = 0;
        const char *const *category_codes = tz_threatmap_category_codes(tm, &categories);
        err = tz_http_map_geojson(&result, q.mode, category_codes, categories, status_codes, out);
    }
    tz_map_result_free(&result);
    return err;
}
