/*
 * analysis.h - analysis for prevention (DESIGN 1.1): hot spots (Getis-Ord Gi*
 * over a hexagonal grid in metres), reports of the same threat nearby
 * (duplicates and repeat places), trends, statistics and the district
 * officer's patrol plan.
 *
 * The computations read the reports from the in-memory map index through a
 * point source (tz_point_source: the threat map's police view in the server,
 * a bare index in benchmarks and tests) or, for what needs districts and
 * deadlines, from the store in one pass. Nothing here changes a report but
 * tz_analysis_merge. The *_json functions read outside input (query strings)
 * and have the shape of the HTTP layer's query handlers: TZ_EINVAL with errs
 * for a bad parameter.
 *
 * Formulas and defaults are documented in docs/analysis.md.
 */
#ifndef TZ_ANALYSIS_ANALYSIS_H
#define TZ_ANALYSIS_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fielderr.h"
#include "threatmap/mapindex.h"
#include "threatmap/threatmap.h"

/* ---- projection: WGS 84 <-> EPSG:2180 (PUWG 1992, metres), through PROJ ---- */

struct tz_proj;

/* Opens a transformation of its own (use one per thread). TZ_EIO when PROJ lacks EPSG:2180. */
tz_err tz_proj_open(struct tz_proj **out);
/* Projects n points in place: (lon, lat) degrees become (x easting, y northing) metres. */
tz_err tz_proj_forward(struct tz_proj *p, double *x, double *y, size_t n);
/* The inverse: metres back to degrees. */
tz_err tz_proj_inverse(struct tz_proj *p, double *x, double *y, size_t n);
void tz_proj_close(struct tz_proj *p);

/* ---- hexagonal grid in metres ---- */

/*
 * Pointy-top hexagons whose centres are cell_m apart (flat side to flat
 * side), in axial coordinates: the centre of (q, r) is
 * x = cell_m * (q + r / 2), y = cell_m * sqrt(3) / 2 * r, from EPSG:2180's origin.
 */
struct tz_hex {
    int32_t q, r;
};

/* The hexagon holding (x, y). */
struct tz_hex tz_hex_of(double cell_m, double x, double y);
/* Its centre. */
void tz_hex_centre(double cell_m, struct tz_hex h, double *x, double *y);
/* Its six corners, counterclockwise from the one at 30 degrees. */
void tz_hex_corners(double cell_m, struct tz_hex h, double xy[6][2]);
/* Distance between the centres of two hexagons, metres. */
double tz_hex_distance(double cell_m, struct tz_hex a, struct tz_hex b);

/* ---- hot spots: Getis-Ord Gi* ---- */

#define TZ_HOTSPOT_CELL_DEFAULT 250.0 /* metres */
#define TZ_HOTSPOT_CELL_MIN 50.0
#define TZ_HOTSPOT_CELL_MAX 10000.0
#define TZ_HOTSPOT_BAND_FACTOR 1.5   /* default band: 1.5 cells, the six ring neighbours */
#define TZ_HOTSPOT_BAND_MAX_CELLS 10 /* the band is at most 10 cells */
#define TZ_HOTSPOT_FEATURES_MAX 50000

struct tz_hotspot_params {
    double cell_m; /* hexagon size (centre to centre) */
    double band_m; /* neighbours: cells whose centres are within this distance, self included */
    bool fdr;      /* Benjamini-Hochberg false discovery rate correction */
};

/* The defaults: 250 m cells, a band of 1.5 cells, FDR on. */
struct tz_hotspot_params tz_hotspot_defaults(void);

/* One cell of the study area (the cells that hold at least one report). */
struct tz_hotspot_cell {
    struct tz_hex hex;
    uint32_t count;      /* reports in the cell */
    uint32_t neighbours; /* cells within the band, itself included */
    double z;            /* Gi* as a z-score */
    double p;            /* two-sided p-value */
    int cls;             /* +3/+2/+1 hot at 99/95/90 %, -1/-2/-3 cold, 0 not significant */
};

/*
 * Computes Gi* of every cell (hex and count set; the rest written) with
 * binary weights over the band, then classes them at 90/95/99 % (after FDR
 * when p->fdr). With a uniform field (every count equal) or one cell every
 * z is 0. TZ_EINVAL for parameters out of range; TZ_ENOMEM.
 */
tz_err tz_hotspot_gistar(struct tz_hotspot_cell *cells, size_t n, const struct tz_hotspot_params *p,
                         double *mean, double *sd);

/* Where points come from: visit(src, v, fn, ctx) calls fn with batches, as tz_map_index_visit. */
struct tz_point_source {
    tz_err (*visit)(void *src, const struct tz_map_visit *v, tz_map_visit_fn fn, void *ctx);
    void *src;
    /* Optional: a further test each point must pass (hot spots of one district). */
    bool (*keep)(void *keep_ctx, const struct tz_map_point *p);
    void *keep_ctx;
};

/* A point source over a bare map index. */
struct tz_point_source tz_point_source_index(struct tz_map_index *idx);
/* A point source over the threat map's police view. */
struct tz_point_source tz_point_source_threatmap(struct tz_threatmap *tm);

/* The hot spots of the points a visit finds. */
struct tz_hotspots {
    struct tz_hotspot_params params;
    struct tz_hotspot_cell *cells;
    size_t n;
    uint64_t points; /* reports counted */
    double mean, sd; /* of the counts per cell */
};

/* Bins the points of v into hexagons (projected with proj) and computes Gi*. */
tz_err tz_hotspots_compute(const struct tz_point_source *src, struct tz_proj *proj,
                           const struct tz_map_visit *v, const struct tz_hotspot_params *p,
                           struct tz_hotspots *out);
void tz_hotspots_free(struct tz_hotspots *h);
/*
 * Writes the cells as a GeoJSON FeatureCollection of hexagons (WGS 84):
 * only the significant ones unless all, at most TZ_HOTSPOT_FEATURES_MAX.
 */
tz_err tz_hotspots_geojson(const struct tz_hotspots *h, struct tz_proj *proj, bool all,
                           struct tz_buf *out);

/*
 * GET
 * /api/v1/analysis/hotspots?cell=&band=&fdr=&all=&district=&category=&group=&status=&from=&to=&bbox=
 * (district: only the reports inside that district's polygon)
 */
tz_err tz_analysis_hotspots_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                                 size_t count, int64_t now, struct tz_buf *out,
                                 struct tz_field_errors *errs);

/* ---- the same threat nearby: duplicates and repeat places ---- */

#define TZ_NEARBY_RADIUS_M 100.0        /* same place: within this distance */
#define TZ_NEARBY_WINDOW_S (14 * 86400) /* and within this time of each other */
#define TZ_NEARBY_MAX 10                /* reports named in one answer */

/* Great-circle distance in metres (haversine on the mean Earth radius, 6,371,008.8 m). */
double tz_distance_m(double lat1, double lon1, double lat2, double lon2);

/* What tz_nearby_find looks for. */
struct tz_nearby_query {
    uint8_t category;    /* map index number of the category */
    uint8_t status_mask; /* statuses that count (bit s = status s) */
    double lat, lon;
    double radius_m;    /* distance <= radius_m */
    int64_t from, to;   /* received_at in [from, to] (inclusive both) */
    int64_t exclude_id; /* the report itself, or 0 */
};

/* One report found nearby. */
struct tz_nearby {
    int64_t id;
    double distance_m;
    uint8_t status;
    int64_t received_at;
};

/*
 * Finds the reports that match q, nearest first (then oldest): at most max
 * of them in out, and how many matched in *found. Reads only the index's
 * nodes around the point.
 */
tz_err tz_nearby_find(const struct tz_point_source *src, const struct tz_nearby_query *q,
                      struct tz_nearby *out, size_t max, size_t *found);

/*
 * For the 201 answer to POST /api/v1/reports: adds "nearby":[{id,
 * distance_m, status, received_at}] to the JSON object in out (which ends
 * with '}'): open reports (new, verifying, confirmed, referred) of the same
 * category within TZ_NEARBY_RADIUS_M received in the TZ_NEARBY_WINDOW_S
 * before rec, that the public may see. The reporter may still send theirs;
 * this only tells them.
 */
tz_err tz_analysis_submission_nearby(struct tz_threatmap *tm, const struct tz_report_rec *rec,
                                     struct tz_buf *out);

/*
 * Groups reports into places: two reports of the same category within
 * radius_m and window_s of each other are linked, and a place is what the
 * links join (single linkage). place[i] gets the smallest index of i's place.
 */
struct tz_place_point {
    uint8_t category;
    double lat, lon;
    int64_t t;
};
tz_err tz_places_group(const struct tz_place_point *pts, size_t n, double radius_m,
                       int64_t window_s, uint32_t *place);

/*
 * GET /api/v1/analysis/linked?id=N: the report, the reports linked to it as
 * the same place (same category, TZ_NEARBY_RADIUS_M, TZ_NEARBY_WINDOW_S
 * either side), and the merges it is part of.
 */
tz_err tz_analysis_linked_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                               size_t count, int64_t now, struct tz_buf *out,
                               struct tz_field_errors *errs);

/*
 * Merges the report duplicate into original (an officer's action): both stay,
 * the merge is recorded with actor, time and note, and audit (may be NULL) in
 * the same transaction (see tz_store_merge_report for the errors).
 */
tz_err tz_analysis_merge(struct tz_threatmap *tm, int64_t duplicate, int64_t original,
                         const char *actor, const char *note, int64_t now,
                         const struct tz_audit_rec *audit);

/* ---- trends, statistics, patrol plans (read from the store in one pass) ---- */

#define TZ_TRENDS_BUCKETS_MAX 156 /* three years of weeks */

/*
 * GET /api/v1/analysis/trends?period=week|month&from=&to=&district=&unit=&category=&group=
 * Counts per category per week (Monday to Sunday, Polish time) or calendar
 * month in [from, to) (default: the 12 months to now), each beside the same
 * period a year earlier (the month a year before; the week 52 weeks before)
 * and the change in per cent (null where the year before had none).
 */
tz_err tz_analysis_trends_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                               size_t count, int64_t now, struct tz_buf *out,
                               struct tz_field_errors *errs);

/* What tz_analysis_stats writes. */
enum tz_stats_format { TZ_STATS_JSON, TZ_STATS_CSV, TZ_STATS_GEOJSON, TZ_STATS_TEXT };

/*
 * GET /api/v1/analysis/stats?by=district|unit|region&from=&to=&format=json|csv|geojson|text
 * Per district, unit or region (this instance's districts together): reports
 * received in [from, to) by category and by status, and deadline compliance
 * at `now` (take-up and verification: on time, late, overdue and still open,
 * and the share on time). *format says what was written (for the content type).
 */
tz_err tz_analysis_stats(struct tz_threatmap *tm, const struct tz_query_param *params, size_t count,
                         int64_t now, struct tz_buf *out, enum tz_stats_format *format,
                         struct tz_field_errors *errs);

#define TZ_PATROL_DAYS 90      /* reports considered: received in the 90 days before now */
#define TZ_PATROL_HALF_LIFE 14 /* days: a report's weight halves every 14 days */
#define TZ_PATROL_LIMIT 10     /* places in a plan by default */
#define TZ_PATROL_LIMIT_MAX 50

/*
 * GET /api/v1/analysis/patrol?district=ID&limit=N
 * The places (see tz_places_group) of the district to visit this week,
 * ranked by score (docs/analysis.md), each with the reason, as GeoJSON points.
 */
tz_err tz_analysis_patrol_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                               size_t count, int64_t now, struct tz_buf *out,
                               struct tz_field_errors *errs);

#endif
