/*
 * mapindex_geojson.c - a map index answer as a GeoJSON FeatureCollection
 * (RFC 7946; see tz_map_result_geojson in mapindex.h). Kept apart from the
 * index: it reads only the public result.
 */
#include <string.h>

#include "base/tztime.h"
#include "threatmap/mapindex.h"

/* Appends a code from table[i], or null when there is none. */
static tz_err put_code(struct tz_buf *out, const char *const *table, size_t n, size_t i)
{
    if (!table || i >= n || !table[i])
        return tz_buf_puts(out, "null");
    return tz_buf_json_cstr(out, table[i]);
}

/* Appends {"status":n,...} for the statuses with points. */
static tz_err put_counts(struct tz_buf *out, const struct tz_map_feature *f,
                         const char *const *status_codes)
{
    tz_err err = tz_buf_puts(out, "{");
    bool first = true;
    for (size_t s = 0; !err && s < TZ_MAP_STATUSES; s++) {
        if (!f->by_status[s])
            continue;
        if (!first)
            err = tz_buf_puts(out, ",");
        first = false;
        if (!err)
            err = put_code(out, status_codes, TZ_MAP_STATUSES, s);
        if (!err)
            err = tz_buf_puts(out, ":");
        if (!err)
            err = tz_buf_uint(out, f->by_status[s]);
    }
    return err ? err : tz_buf_puts(out, "}");
}

/* Appends "[v0,v1,...]" with six decimals each (coordinates are most of a map answer). */
static tz_err put_numbers(struct tz_buf *out, const double *v, size_t n)
{
    tz_err err = tz_buf_puts(out, "[");
    for (size_t i = 0; !err && i < n; i++) {
        if (i)
            err = tz_buf_puts(out, ",");
        if (!err)
            err = tz_buf_fixed6(out, v[i]);
    }
    return err ? err : tz_buf_puts(out, "]");
}

/* Appends the start of a Point feature at (lon, lat), up to its open properties. */
static tz_err put_point_feature(struct tz_buf *out, double lon, double lat)
{
    const double pos[2] = {lon, lat};
    tz_err err = tz_buf_puts(out, "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
                                  "\"coordinates\":");
    if (!err)
        err = put_numbers(out, pos, 2);
    return err ? err : tz_buf_puts(out, "},\"properties\":{");
}

static tz_err put_cluster(struct tz_buf *out, const struct tz_map_feature *f,
                          const char *const *status_codes)
{
    const double bbox[4] = {f->west, f->south, f->east, f->north};
    tz_err err = put_point_feature(out, f->lon, f->lat);
    if (!err)
        err = tz_buf_puts(out, "\"cluster\":true,\"count\":");
    if (!err)
        err = tz_buf_uint(out, f->count);
    if (!err)
        err = tz_buf_puts(out, ",\"counts\":");
    if (!err)
        err = put_counts(out, f, status_codes);
    if (!err)
        err = tz_buf_puts(out, ",\"bbox\":");
    if (!err)
        err = put_numbers(out, bbox, 4);
    return err ? err : tz_buf_printf(out, ",\"expansion_zoom\":%d}}", f->expansion_zoom);
}

static tz_err put_single(struct tz_buf *out, const struct tz_map_feature *f,
                         const char *const *category_codes, size_t category_count,
                         const char *const *status_codes)
{
    char when[TZ_TIME_TEXT_MAX];
    tz_time_format(f->received_at, when);
    tz_err err = put_point_feature(out, f->lon, f->lat);
    if (!err)
        err = tz_buf_printf(out, "\"cluster\":false,\"id\":%lld,\"category\":", (long long)f->id);
    if (!err)
        err = put_code(out, category_codes, category_count, f->category);
    if (!err)
        err = tz_buf_puts(out, ",\"status\":");
    if (!err)
        err = put_code(out, status_codes, TZ_MAP_STATUSES, f->status);
    if (!err)
        err = tz_buf_printf(out, ",\"received_at\":\"%s\"}}", when);
    return err;
}

static tz_err put_hex(struct tz_buf *out, const struct tz_map_feature *f,
                      const char *const *status_codes)
{
    tz_err err = tz_buf_puts(out, "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\","
                                  "\"coordinates\":[[");
    for (int i = 0; !err && i <= 6; i++) { /* the ring closes on its first corner */
        if (i)
            err = tz_buf_puts(out, ",");
        if (!err)
            err = put_numbers(out, f->hex[i % 6], 2);
    }
    if (!err)
        err = tz_buf_puts(out, "]]},\"properties\":{\"count\":");
    if (!err)
        err = tz_buf_uint(out, f->count);
    if (!err)
        err = tz_buf_puts(out, ",\"counts\":");
    if (!err)
        err = put_counts(out, f, status_codes);
    return err ? err : tz_buf_puts(out, "}}");
}

tz_err tz_map_result_geojson(const struct tz_map_result *r, enum tz_map_mode mode,
                             const char *const *category_codes, size_t category_count,
                             const char *const *status_codes, struct tz_buf *out)
{
    uint32_t max_count = 0;
    for (size_t i = 0; i < r->count; i++)
        max_count = r->features[i].count > max_count ? r->features[i].count : max_count;
    tz_err err = tz_buf_printf(out, "{\"type\":\"FeatureCollection\",\"matched\":%llu,",
                               (unsigned long long)r->matched);
    if (!err)
        err = tz_buf_printf(out, "\"truncated\":%s,", r->truncated ? "true" : "false");
    if (!err && mode == TZ_MAP_HEX)
        err = tz_buf_printf(out, "\"max_count\":%u,", (unsigned)max_count);
    if (!err)
        err = tz_buf_puts(out, "\"features\":[");
    for (size_t i = 0; !err && i < r->count; i++) {
        const struct tz_map_feature *f = &r->features[i];
        if (i)
            err = tz_buf_puts(out, ",");
        if (err)
            break;
        if (mode == TZ_MAP_HEX)
            err = put_hex(out, f, status_codes);
        else if (f->count > 1)
            err = put_cluster(out, f, status_codes);
        else
            err = put_single(out, f, category_codes, category_count, status_codes);
    }
    return err ? err : tz_buf_puts(out, "]}");
}
