/*
 * analysis.h - analysis for prevention (DESIGN 1.1): hot spots (Getis-Ord Gi*
 * over a hexagonal grid in metres), reports of the same threat nearby
 * (duplicates and repeat places), trends, statistics and the district
 * officer's patrol plan.
 *
 * The computations read the reports from the in-memory map index through a
 * point source (tz_point_source: the threat map's police view in the server,
 * a bare index in benchmarks and tests) or, for what needs districts and
 * deadlines, from the threat map's scan of the stored reports
 * (tz_threatmap_scan) in one pass; never from the store itself. Nothing here
 * changes a report: merging a duplicate is the threat map's
 * (tz_threatmap_merge). Hot spots, linked reports, the duplicate hint,
 * trends, statistics and patrol plans answer with structs that http writes
 * (http/render.h, issue 13). The endpoints take their query as a struct
 * that http read from the query string (http/query.h), each value checked
 * there against this header's limits and the threat map's names; the rules
 * across values (a band of at most so many cells, from before to, a district
 * that must be given) are checked here, listed in errs after what the reader
 * listed, and an endpoint answers TZ_EINVAL, computing nothing, when errs
 * holds any error.
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
    /* Optional: ids never counted, ascending (merged duplicates: a threat counts once). */
    const int64_t *skip;
    size_t skip_count;
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
/* A class's name: hot_99 .. hot_90, none, cold_90 .. cold_99 for cls +3 .. -3. */
const char *tz_hotspot_class_name(int cls);

/*
 * GET
 * /api/v1/analysis/hotspots?cell=&band=&fdr=&all=&district=&category=&group=&status=&from=&to=&bbox=
 * (district: only the reports inside that district's polygon; errs: district
 * when there is no such district): the hot spots, computed with proj, into
 * out (free with tz_hotspots_free).
 */
struct tz_hotspot_query {
    struct tz_hotspot_params params; /* from tz_hotspot_defaults, then cell=, band=, fdr= */
    bool band_given;                 /* band= was given (else 1.5 cells) */
    bool all;                        /* all=: every cell, not only the significant ones */
    const char *district;            /* district= (borrowed), or NULL */
    struct tz_public_query filters;  /* category=, group=, status=, from=, to=, bbox= */
};
/* The query's band: its default when none was given, else at most TZ_HOTSPOT_BAND_MAX_CELLS
 * cells (errs: band). */
void tz_hotspot_query_band(struct tz_hotspot_query *q, struct tz_field_errors *errs);
tz_err tz_analysis_hotspots(struct tz_threatmap *tm, const struct tz_hotspot_query *q,
                            struct tz_proj *proj, struct tz_hotspots *out,
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
 * For the 201 answer to POST /api/v1/reports: the open reports (new,
 * verifying, confirmed, referred) of rec's category within
 * TZ_NEARBY_RADIUS_M received in the TZ_NEARBY_WINDOW_S before rec, that the
 * public may see, nearest first: at most TZ_NEARBY_MAX in out, *count of
 * them. The reporter may still send theirs; this only tells them.
 */
tz_err tz_analysis_submission_nearby(struct tz_threatmap *tm, const struct tz_report_rec *rec,
                                     struct tz_nearby out[TZ_NEARBY_MAX], size_t *count);

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

/* A report and what is linked to it (free with tz_linked_clear). */
#define TZ_LINKED_MAX (TZ_NEARBY_MAX * 5)
struct tz_linked {
    struct tz_report_rec rec;
    size_t found;                        /* reports linked, all of them */
    struct tz_nearby near[TZ_LINKED_MAX]; /* the nearest, near_count of them */
    size_t near_count;
    struct tz_merge_rec *merges; /* the merges it is part of, oldest first */
    size_t merge_count;
};
void tz_linked_clear(struct tz_linked *l);

/*
 * GET /api/v1/analysis/linked?id=N: the report, the reports linked to it as
 * the same place (same category, TZ_NEARBY_RADIUS_M, TZ_NEARBY_WINDOW_S
 * either side), and the merges it is part of.
 */
tz_err tz_analysis_linked(struct tz_threatmap *tm, int64_t id, struct tz_linked *out);

/* ---- trends, statistics, patrol plans (read from the store in one pass) ---- */

#define TZ_TRENDS_BUCKETS_MAX 156 /* three years of weeks */

/* One series of trends: a category's (or, for the total, every category asked for). */
struct tz_trends_series {
    int category;          /* index into tz_threatmap_category_list; -1 for the total */
    uint64_t *counts;      /* reports per period */
    uint64_t *year_before; /* the same period a year earlier */
};

/* Trends, as tz_analysis_trends answers them (free with tz_trends_clear). */
struct tz_trends {
    bool week;                         /* periods are weeks, else calendar months */
    char *district;                    /* the district asked for, or NULL */
    char *unit;                        /* the unit asked for, or NULL */
    size_t periods;                    /* how many */
    int64_t *first_day;                /* each period's first local day (days since 1970-01-01) */
    struct tz_trends_series total;     /* every category asked for together */
    struct tz_trends_series *series;   /* the categories asked for with reports, in catalogue order */
    size_t series_count;
    uint64_t *values;                  /* what the series point into */
};

/*
 * GET /api/v1/analysis/trends?period=week|month&from=&to=&district=&unit=&category=&group=
 * Counts per category per week (Monday to Sunday, Polish time) or calendar
 * month in [from, to) (default: the 12 months to now), each beside the same
 * period a year earlier (the month a year before; the week 52 weeks before).
 * The change in per cent is tz_trends_change_pct's. errs: to, when from is
 * not before to or they are more than TZ_TRENDS_BUCKETS_MAX periods apart.
 * On an error out holds nothing.
 */
struct tz_trends_query {
    bool month;                         /* period=month (the default), else week */
    int64_t from;                       /* 0: a year of periods to `to` */
    bool has_to;
    int64_t to;                         /* else now */
    const char *district;               /* a district id (borrowed), or NULL */
    const char *unit;                   /* a unit (borrowed), or NULL */
    bool on[TZ_MAP_MAX_CATEGORIES];     /* the categories asked for (category=, group=) */
};
/* Every category, a month at a time, a year to now. */
void tz_trends_query_init(struct tz_trends_query *q);
tz_err tz_analysis_trends(struct tz_threatmap *tm, const struct tz_trends_query *q, int64_t now,
                          struct tz_trends *out, struct tz_field_errors *errs);
void tz_trends_clear(struct tz_trends *t);
/* The change from before to now in per cent; false (no figure) when before is 0. */
bool tz_trends_change_pct(uint64_t now, uint64_t before, double *pct);

/* How http writes statistics (format=): the analysis reads it with the rest of the query. */
enum tz_stats_format { TZ_STATS_JSON, TZ_STATS_CSV, TZ_STATS_GEOJSON, TZ_STATS_TEXT };
/* What statistics are per (by=). */
enum tz_stats_by { TZ_STATS_BY_DISTRICT, TZ_STATS_BY_UNIT, TZ_STATS_BY_REGION };

/* Deadline compliance of a group's reports for one deadline. */
struct tz_stats_deadline {
    uint32_t on_time, late, overdue, open;
};

/* The statistics of one district, unit or the region. */
struct tz_stats_group {
    const char *key;  /* district id, unit name or "region" (the threat map's or static) */
    const char *name; /* what to call it */
    uint64_t total;
    uint32_t by_category[TZ_MAP_MAX_CATEGORIES]; /* index of tz_threatmap_category_list */
    uint32_t by_status[TZ_STATUS_COUNT];
    struct tz_stats_deadline takeup, verify;
};

/* Statistics, as tz_analysis_stats answers them (free with tz_stats_clear). */
struct tz_stats {
    enum tz_stats_by by;
    enum tz_stats_format format;             /* the format asked for */
    int64_t from, to;                        /* the period, 0 where open */
    const struct tz_district_rec *districts; /* the threat map's, valid while it is open */
    size_t district_count;
    struct tz_stats_group *groups; /* by district: one per district; by unit: one per unit */
    size_t count;
};

/*
 * GET /api/v1/analysis/stats?by=district|unit|region&from=&to=&format=json|csv|geojson|text
 * Per district, unit or region (this instance's districts together): reports
 * received in [from, to) by category and by status, and deadline compliance
 * at `now` (take-up and verification: on time, late, overdue and still open;
 * the share on time is tz_stats_on_time_pct's). errs: to, when from is not
 * before to. On an error out holds nothing.
 */
struct tz_stats_query {
    enum tz_stats_by by;
    enum tz_stats_format format;
    int64_t from, to; /* 0 where open */
};
tz_err tz_analysis_stats(struct tz_threatmap *tm, const struct tz_stats_query *q, int64_t now,
                         struct tz_stats *out, struct tz_field_errors *errs);
void tz_stats_clear(struct tz_stats *s);
/* The share on time, on_time / (on_time + late + overdue), in per cent; false when none. */
bool tz_stats_on_time_pct(const struct tz_stats_deadline *d, double *pct);
/* Whether district d belongs to group g of s. */
bool tz_stats_group_has(const struct tz_stats *s, const struct tz_stats_group *g,
                        const struct tz_district_rec *d);

/*
 * The statistics of tz_analysis_stats read by who (actor, role, client: an
 * operator's `tarcza stats`), answered only once their "analysis.read" entry
 * (object analysis/stats, fields {"endpoint":"stats","view":"cli"}) is in
 * the audit log; on any error out holds nothing.
 */
tz_err tz_analysis_stats_read(struct tz_threatmap *tm, const struct tz_stats_query *q, int64_t now,
                              const struct tz_audit_rec *who, struct tz_stats *out,
                              struct tz_field_errors *errs);

#define TZ_PATROL_DAYS 90      /* reports considered: received in the 90 days before now */
#define TZ_PATROL_HALF_LIFE 14 /* days: a report's weight halves every 14 days */
#define TZ_PATROL_LIMIT 10     /* places in a plan by default */
#define TZ_PATROL_LIMIT_MAX 50

#define TZ_PATROL_REPORTS_MAX 100 /* reports named per place */

/* One place of a patrol plan. */
struct tz_patrol_place {
    double lat, lon; /* the mean of its reports' */
    double score;
    int category;    /* index into tz_threatmap_category_list */
    int64_t last;    /* when its latest report was received */
    uint32_t n, me_too, overdue; /* reports, me-too votes, reports past a deadline */
    uint32_t by_status[TZ_STATUS_COUNT];
    int64_t reports[TZ_PATROL_REPORTS_MAX]; /* their ids, the first report_count */
    size_t report_count;
};

/* A patrol plan, as tz_analysis_patrol answers it (free with tz_patrol_clear). */
struct tz_patrol {
    const struct tz_district_rec *district; /* the threat map's, valid while it is open */
    int64_t generated_at;                   /* now */
    int64_t reports_from;                   /* TZ_PATROL_DAYS before now */
    size_t reports;                         /* reports considered */
    size_t places;                          /* places scoring above 0 */
    struct tz_patrol_place *top;            /* the best, ranked, top_count of them (<= limit) */
    size_t top_count;
};

/*
 * GET /api/v1/analysis/patrol?district=ID&limit=N
 * The places (see tz_places_group) of the district to visit this week,
 * ranked by score (docs/analysis.md). errs: district, "required" when none
 * is given. On an error out holds nothing.
 */
struct tz_patrol_query {
    const struct tz_district_rec *district; /* the threat map's, or NULL */
    size_t limit;                           /* places: 1 .. TZ_PATROL_LIMIT_MAX */
};
tz_err tz_analysis_patrol(struct tz_threatmap *tm, const struct tz_patrol_query *q, int64_t now,
                          struct tz_patrol *out, struct tz_field_errors *errs);
void tz_patrol_clear(struct tz_patrol *p);

#endif
