/*
 * mapindex.h - the in-memory map index: every report as a point, answering
 * "what is in this viewport at this zoom, under these filters" as clusters or
 * hexagonal bins in milliseconds, for a million reports and more.
 *
 * One index answers every filter combination without a rebuild (unlike
 * supercluster, which must be rebuilt per filter). It is built once from the
 * store at start-up and then kept current: a new report or a status change is
 * visible to the next query. Queries may run from many threads at once and
 * concurrently with updates.
 *
 * The index knows nothing of categories' names or visibility rules: the
 * caller (threatmap) turns the public rules and the user's filters into a
 * tz_map_filter.
 */
#ifndef TZ_THREATMAP_MAPINDEX_H
#define TZ_THREATMAP_MAPINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define TZ_MAP_MAX_CATEGORIES 64 /* category indexes are 0..63 */
#define TZ_MAP_STATUSES 7        /* status indexes follow enum tz_status */
#define TZ_MAP_MAX_ZOOM 20

/* One report as the index keeps it. */
struct tz_map_point {
    int64_t id;
    double lat, lon;
    uint8_t category;          /* index into the caller's category table */
    uint8_t status;            /* enum tz_status */
    int64_t received_at;       /* Unix seconds */
    int64_t status_changed_at; /* Unix seconds */
};

/*
 * Which points a query counts. A point passes when its status is in
 * status_mask[category] (bit s = status s), its received_at is in
 * [received_from, received_to) (0 = open end), and its status_changed_at is at
 * or after min_changed_at[status] (0 = no limit: this carries the public
 * windows, e.g. not_confirmed shown for 7 days after the change).
 */
struct tz_map_filter {
    uint8_t status_mask[TZ_MAP_MAX_CATEGORIES];
    int64_t received_from, received_to;
    int64_t min_changed_at[TZ_MAP_STATUSES];
};

enum tz_map_mode {
    TZ_MAP_CLUSTERS, /* clusters that split as the zoom grows, and single reports */
    TZ_MAP_HEX,      /* hexagonal bins of a fixed size on screen at this zoom */
};

struct tz_map_query {
    double west, south, east, north; /* the viewport, degrees (west <= east) */
    int zoom;                        /* 0..TZ_MAP_MAX_ZOOM, Web Mercator */
    enum tz_map_mode mode;
    struct tz_map_filter filter;
};

/*
 * One feature of an answer. A cluster (count > 1) has its centroid, counts by
 * status, the box of its points and the zoom at which it splits; a single
 * report (count == 1) has its id, category, status and received_at. A hex
 * bin has its centre, count, counts by status and its six corners.
 */
struct tz_map_feature {
    double lat, lon;
    uint32_t count;
    uint32_t by_status[TZ_MAP_STATUSES];
    double west, south, east, north; /* clusters: box of the points */
    int expansion_zoom;              /* clusters: the zoom at which it splits */
    int64_t id;                      /* single report */
    uint8_t category, status;        /* single report */
    int64_t received_at;             /* single report */
    double hex[6][2];                /* hex bins: corners as (lon, lat) */
};

struct tz_map_result {
    struct tz_map_feature *features;
    size_t count;
    size_t cap;
    uint64_t matched; /* points in the viewport that passed the filter */
};

struct tz_map_index;

/* Builds an index over n points (copied; the caller keeps pts). */
tz_err tz_map_index_build(const struct tz_map_point *pts, size_t n, struct tz_map_index **out);
/* Adds a new report. */
tz_err tz_map_index_add(struct tz_map_index *idx, const struct tz_map_point *p);
/* Records a status change; TZ_ENOTFOUND if the id is not indexed. */
tz_err tz_map_index_set_status(struct tz_map_index *idx, int64_t id, uint8_t status,
                               int64_t changed_at);
/* Number of points indexed. */
size_t tz_map_index_size(const struct tz_map_index *idx);
/* Bytes the index holds (for the memory-per-report figure). */
size_t tz_map_index_bytes(const struct tz_map_index *idx);
void tz_map_index_free(struct tz_map_index *idx);

/* Answers a query into out (reset first; reuse it across queries to save allocations). */
tz_err tz_map_index_query(const struct tz_map_index *idx, const struct tz_map_query *q,
                          struct tz_map_result *out);
void tz_map_result_free(struct tz_map_result *r);

/*
 * Writes a result as a GeoJSON FeatureCollection (RFC 7946). Clusters:
 * Point features with properties {cluster:true, count, counts:{status:n},
 * bbox:[w,s,e,n], expansion_zoom}; single reports: {cluster:false, id,
 * category, status, received_at}; hex bins: Polygon features with
 * {count, counts}. The collection carries "matched" and, for hex, "max_count".
 * category_codes[i] and status_codes[s] name the indexes.
 */
tz_err tz_map_result_geojson(const struct tz_map_result *r, enum tz_map_mode mode,
                             const char *const *category_codes, size_t category_count,
                             const char *const *status_codes, struct tz_buf *out);

#endif
