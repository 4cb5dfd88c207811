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
#define TZ_MAP_MAX_FEATURES 10000 /* most features in one answer (see tz_map_result) */
#define TZ_MAP_CELL_PX 64         /* clusters: grid cells of 64 x 64 px at 256-px tiles */
#define TZ_MAP_HEX_PX 40          /* hex bins: 40 px across (flat side to flat side) */

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

/*
 * A point is in the viewport when west <= lon <= east and south <= lat <= north.
 * The index keeps positions to 1/2^32 of the Web Mercator world (under 1 cm), so
 * a point within that distance of an edge may fall either side of it.
 */
struct tz_map_query {
    double west, south, east, north; /* the viewport, degrees (west <= east, south <= north) */
    int zoom;                        /* 0..TZ_MAP_MAX_ZOOM, Web Mercator */
    enum tz_map_mode mode;
    struct tz_map_filter filter;
};

/*
 * One feature of an answer. Clusters are the cells of a grid of
 * TZ_MAP_CELL_PX-pixel squares at the query's zoom (aligned with the tiles, so
 * a cluster at zoom z is exactly the union of the clusters at z + 1 inside it).
 * A cluster (count > 1) has its centroid (the mean of its points in Web
 * Mercator), counts by status, the box of its points and the zoom at which it
 * splits (the lowest zoom at which its points no longer share one cell, at
 * most TZ_MAP_MAX_ZOOM: points at one spot stay a cluster); a single report
 * (count == 1) has its id, category, status and received_at. A hex bin
 * (pointy-top hexagons TZ_MAP_HEX_PX across at the zoom, anchored at the
 * world's corner) has its centre, count, counts by status, its six corners
 * (counterclockwise) and their box.
 */
struct tz_map_feature {
    double lat, lon;
    uint32_t count;
    uint32_t by_status[TZ_MAP_STATUSES];
    double west, south, east, north; /* clusters: box of the points; hex: of the hexagon */
    int expansion_zoom;              /* clusters: the zoom at which it splits */
    int64_t id;                      /* single report */
    uint8_t category, status;        /* single report */
    int64_t received_at;             /* single report */
    double hex[6][2];                /* hex bins: corners as (lon, lat) */
};

/*
 * An answer: at most TZ_MAP_MAX_FEATURES features; when the viewport holds
 * more cells or bins than that, the rest are left out and truncated is set
 * (matched still counts every passing point). Zero it before first use.
 */
struct tz_map_result {
    struct tz_map_feature *features;
    size_t count;
    size_t cap;
    uint64_t matched; /* points in the viewport that passed the filter */
    bool truncated;   /* cells or bins beyond TZ_MAP_MAX_FEATURES were left out */
    void *priv;       /* the index's scratch space, kept for the next query */
};

struct tz_map_index;

/*
 * Builds an index over n points (copied; the caller keeps pts). TZ_EINVAL for
 * a point off the globe, a category >= TZ_MAP_MAX_CATEGORIES, a status >=
 * TZ_MAP_STATUSES or an id given twice. Times are kept to the second between
 * 1952 and 2088.
 */
tz_err tz_map_index_build(const struct tz_map_point *pts, size_t n, struct tz_map_index **out);
/*
 * The view that most queries ask for (the public map): per category the
 * statuses it shows, and per status for how long after a status change it
 * still shows a report (0: no limit). An index built with it keeps the points
 * that view shows once more, in one tree for all categories, so that a query
 * whose filter asks for exactly those statuses of those categories (with any
 * status subset, any viewport and time windows no wider than shown_for) costs
 * about what an unfiltered one costs, instead of a walk per category and per
 * time chunk. It changes how fast an answer comes, never the answer.
 */
struct tz_map_usual {
    uint8_t status_mask[TZ_MAP_MAX_CATEGORIES];
    int64_t shown_for[TZ_MAP_STATUSES]; /* seconds */
};

/*
 * Builds the index as tz_map_index_build does, and the copy of the usual view
 * as it is at `now` (Unix seconds). Keep it current with tz_map_index_expire.
 * TZ_EINVAL also for a window over ten years or a `now` before 2000.
 */
tz_err tz_map_index_build_usual(const struct tz_map_point *pts, size_t n,
                                const struct tz_map_usual *usual, int64_t now,
                                struct tz_map_index **out);
/*
 * Takes the points whose time in the usual view has passed by `now` out of
 * its copy (at most a few thousand a call). Cheap when there is nothing to do
 * (call it before each query); without it, queries of the usual view stay
 * right but slow down.
 */
tz_err tz_map_index_expire(struct tz_map_index *idx, int64_t now);
/* Adds a new report (TZ_ECONFLICT if its id is indexed already). */
tz_err tz_map_index_add(struct tz_map_index *idx, const struct tz_map_point *p);
/* Records a status change; TZ_ENOTFOUND if the id is not indexed. */
tz_err tz_map_index_set_status(struct tz_map_index *idx, int64_t id, uint8_t status,
                               int64_t changed_at);
/* Number of points indexed. */
size_t tz_map_index_size(const struct tz_map_index *idx);
/* Bytes the index holds (for the memory-per-report figure). */
size_t tz_map_index_bytes(const struct tz_map_index *idx);
void tz_map_index_free(struct tz_map_index *idx);

/*
 * Answers a query into out (reset first; reuse it across queries to save
 * allocations). TZ_EINVAL for a zoom outside 0..TZ_MAP_MAX_ZOOM or a viewport
 * that is not finite or has west > east or south > north.
 */
tz_err tz_map_index_query(const struct tz_map_index *idx, const struct tz_map_query *q,
                          struct tz_map_result *out);
void tz_map_result_free(struct tz_map_result *r);

/* http writes a result as GeoJSON: tz_http_map_geojson in http/render.h. */

/*
 * A visit: every indexed point that passes filter and, when has_box, lies in
 * west <= lon <= east, south <= lat <= north (degrees; the same edge
 * tolerance as a query). For analysis (hot spots, nearby reports), which need
 * the points themselves rather than bins.
 */
struct tz_map_visit {
    bool no_ids; /* the caller needs no ids: every id is 0 (saves a memory read per point) */
    bool has_box;
    double west, south, east, north;
    struct tz_map_filter filter;
};

/* Receives a batch of n visited points (lat/lon rounded to the index's units, under 1 cm). */
typedef tz_err (*tz_map_visit_fn)(void *ctx, const struct tz_map_point *pts, size_t n);

/*
 * Calls fn with the points of the visit in batches (in no set order), walking
 * the trees so that a small box or a short period reads only the nodes that
 * meet it. The points are gathered under the index's read lock (about 30
 * bytes each) and handed to fn after it is released, so fn may take its time
 * and may update idx. A non-zero return of fn stops the visit and is
 * returned. TZ_EINVAL for a box that is not finite or has west > east or
 * south > north.
 */
tz_err tz_map_index_visit(const struct tz_map_index *idx, const struct tz_map_visit *v,
                          tz_map_visit_fn fn, void *ctx);

/*
 * Snapshots: the built index written to a file and read back, so that a start
 * reads the index instead of scanning every report and building it
 * (mapindex_snap.c says what the file holds). The meta says what the file
 * belongs to; the index does not read it, its caller checks it.
 */
#define TZ_MAP_SNAP_VERSION 1

struct tz_map_snap_meta {
    uint8_t owner[32];      /* the caller's mark of its database (and of the feed's position) */
    uint8_t context[32];    /* the caller's mark of what the points mean (categories, rules) */
    int64_t report_id;      /* the change feed's position the index reflects: reports up to */
    int64_t transition_seq; /* ... and status changes up to */
    int64_t written_at;     /* Unix seconds */
};

/*
 * Writes idx and meta to fd (at its start; fd is left at the header's end) under
 * the index's read lock: queries go on, updates wait for the copy into the file
 * (the page cache; the caller syncs). TZ_EIO, TZ_ENOSPACE.
 */
tz_err tz_map_index_save(const struct tz_map_index *idx, const struct tz_map_snap_meta *meta,
                         int fd);
/*
 * Reads an index written by tz_map_index_save from fd (the whole file) or
 * from buf. TZ_EINVAL for a file that is not one, of another version, cut
 * short, damaged (checksum) or inconsistent, with the reason in why (when
 * why_size > 0); TZ_EIO, TZ_ENOMEM. Nothing is returned on failure.
 */
tz_err tz_map_index_load(int fd, struct tz_map_snap_meta *meta, struct tz_map_index **out,
                         char *why, size_t why_size);
tz_err tz_map_index_load_mem(const void *buf, size_t len, struct tz_map_snap_meta *meta,
                             struct tz_map_index **out, char *why, size_t why_size);
/* Writes the checksum of a snapshot held in buf into its header (tests and fuzzing: a changed
 * file that the checksum no longer hides from the reader's other checks). */
void tz_map_snap_seal(void *buf, size_t len);

#endif
