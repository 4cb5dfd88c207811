/*
 * mapindex_internal.h - what the pieces of the map index share, private to
 * src/threatmap/mapindex*.c: the index's own structure (the six sets of
 * mapindex_tree.h, the ids, the usual view and its expiries), coordinates and
 * times as the index keeps them, the usual view's rules, and a query's
 * context. mapindex.c's top comment says how the pieces fit:
 *   mapindex.c         the build, free and sizes
 *   mapindex_update.c  a new report, a status change, expiries of the usual view
 *   mapindex_walk.c    a query's plan (which set answers what) and the walk that
 *                      counts points into bins
 *   mapindex_query.c   a query: its entry point, the bins turned into features
 *   mapindex_visit.c   every point under a filter, handed to a callback
 *   mapindex_snap.c    the index written to a file and read back
 */
#ifndef TZ_THREATMAP_MAPINDEX_INTERNAL_H
#define TZ_THREATMAP_MAPINDEX_INTERNAL_H

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "threatmap/mapindex.h"
#include "threatmap/mapindex_tree.h"

#define EPOCH 1577836800  /* 2020-01-01T00:00:00Z: times are int32 seconds from here */
#define LATE (14 * 86400) /* a status change later than this after receipt is "late" */
#define NSTAT MI_NSTAT
#define NCAT MI_NCAT
#define ALL_STATUSES ((1u << NSTAT) - 1)
#define NONE MI_NONE
#define WORLD 4294967296.0         /* units across the world */
#define MAX_LAT 85.051128779806592 /* Web Mercator's edge */
#define EMPTY_KEY UINT64_MAX
#define SQRT3 1.7320508075688772
#define DAY_S(d) ((int64_t)(d)*MI_DAY) /* a node's day bound in seconds */
#define SCAN_POINTS 128 /* a node this small that does not fit one bin is scanned whole */

enum { SET_A, SET_B, SET_C, SET_L, SET_P, SET_W, NSETS };

/*
 * The usual view hides a point an hour after its window has closed: a window
 * counted in local calendar days may be an hour longer than whole days (a
 * day of 25 hours), and no filter with such a window may want a point the
 * view has let go.
 */
#define USUAL_MARGIN 3600

/* A point of P that leaves the usual view at `at` (Unix seconds), unless it changed since. */
struct expiry {
    int64_t at;
    uint32_t pid;
};

struct tz_map_index {
    pthread_rwlock_t lock;
    struct mi_set set[NSETS];
    /* By point number (pid): id and position in each set (NONE if absent). */
    int64_t *id;
    uint32_t *pos[NSETS];
    /* Ids ascending, with their point numbers. */
    int64_t *sid;
    uint32_t *spid;
    size_t n, cap;
    /* The usual view (tz_map_usual): P holds the points of the build it shows. */
    bool has_usual;
    struct tz_map_usual usual;
    int64_t usual_now;             /* the latest time the view was brought to */
    bool expired_any[NSTAT];       /* a point of the status left the view by time */
    bool window_broken;            /* W missed a point (no memory): not read any more */
    int32_t expired_max_ch[NSTAT]; /* the latest status_changed_at among those */
    struct expiry *exp;            /* a min-heap by `at` */
    size_t nexp, exp_cap;
};

/* ---- coordinates and times ---------------------------------------------- */

static inline double unit_x(double lon)
{
    return (lon + 180.0) / 360.0 * WORLD;
}

static inline double unit_y(double lat)
{
    if (lat > MAX_LAT)
        lat = MAX_LAT;
    if (lat < -MAX_LAT)
        lat = -MAX_LAT;
    double s = sin(lat * (M_PI / 180.0));
    return (0.5 - log((1.0 + s) / (1.0 - s)) / (4.0 * M_PI)) * WORLD;
}

static inline double lon_of(double ux)
{
    return ux / WORLD * 360.0 - 180.0;
}

static inline double lat_of(double uy)
{
    return atan(sinh(M_PI * (1.0 - 2.0 * uy / WORLD))) * (180.0 / M_PI);
}

static inline uint32_t to_unit(double u)
{
    if (!(u > 0.0))
        return 0;
    if (u >= WORLD - 1.0)
        return UINT32_MAX;
    return (uint32_t)u;
}

/* A point's time: seconds from EPOCH, kept inside the int32 range. */
static inline int32_t rel_time(int64_t t)
{
    int64_t r = t - EPOCH;
    if (r < (int64_t)INT32_MIN + 2)
        return INT32_MIN + 2;
    if (r > (int64_t)INT32_MAX - 2)
        return INT32_MAX - 2;
    return (int32_t)r;
}

/* A filter's bound: 0 means open and becomes `open`. */
static inline int32_t rel_bound(int64_t t, int32_t open)
{
    if (t == 0)
        return open;
    int64_t r = t - EPOCH;
    if (r < (int64_t)INT32_MIN + 1)
        return INT32_MIN + 1;
    if (r > (int64_t)INT32_MAX - 1)
        return INT32_MAX - 1;
    return (int32_t)r;
}

static inline bool point_valid(const struct tz_map_point *p)
{
    return isfinite(p->lat) && isfinite(p->lon) && p->lat >= -90.0 && p->lat <= 90.0 &&
           p->lon >= -180.0 && p->lon <= 180.0 && p->category < NCAT && p->status < NSTAT;
}

static inline struct mi_rec rec_of(const struct tz_map_point *p, uint32_t pid)
{
    return (struct mi_rec){
        .x = to_unit(unit_x(p->lon)),
        .y = to_unit(unit_y(p->lat)),
        .recv = rel_time(p->received_at),
        .ch = rel_time(p->status_changed_at),
        .pid = pid,
        .cat = p->category,
        .st = p->status,
    };
}

static inline bool is_late(int32_t recv, int32_t ch)
{
    return (int64_t)ch - recv > LATE;
}

/* ---- the usual view ----------------------------------------------------- */

/* When the usual view lets go of a point of status s changed at ch (relative); 0: never. */
static inline int64_t usual_until(const struct tz_map_index *idx, unsigned s, int32_t ch)
{
    int64_t w = idx->usual.shown_for[s];
    return w > 0 ? (int64_t)ch + EPOCH + w + USUAL_MARGIN : 0;
}

static inline bool usual_shows(const struct tz_map_index *idx, unsigned k, unsigned s, int32_t ch)
{
    if (!((idx->usual.status_mask[k] >> s) & 1))
        return false;
    int64_t until = usual_until(idx, s, ch);
    return until == 0 || until > idx->usual_now;
}

/* Records that a point the view would show but for its time is not in P. */
static inline void note_expired(struct tz_map_index *idx, unsigned k, unsigned s, int32_t ch)
{
    if (!((idx->usual.status_mask[k] >> s) & 1))
        return; /* hidden for its category and status: a query of the view never wants it */
    if (!idx->expired_any[s] || ch > idx->expired_max_ch[s])
        idx->expired_max_ch[s] = ch;
    idx->expired_any[s] = true;
}

/* An empty index with its lock (mapindex.c). */
tz_err mi_index_new(struct tz_map_index **out);
/* Grows the arrays by point number to hold cap points (mapindex.c). */
tz_err mi_master_reserve(struct tz_map_index *idx, size_t cap);
/* Restores the expiry heap's order below i (mapindex_update.c). */
void mi_expiry_sift_down(struct expiry *h, size_t n, size_t i);

/* ---- queries ------------------------------------------------------------ */

/* A cell or hex bin being filled. */
struct bin {
    uint32_t count;
    uint32_t by[NSTAT];
    uint32_t x0, y0, x1, y1;
    uint64_t sx, sy;
    uint64_t key;
    uint32_t ref;     /* its first point: a position, or a node (ref_node) */
    uint8_t ref_set;  /* the set of ref */
    uint8_t ref_node; /* ref is a node whose points of statuses ref_mask are this one point */
    uint8_t ref_mask;
};

/* Scratch kept in tz_map_result.priv between queries. */
struct scratch {
    uint64_t *keys; /* hash table of bin keys, EMPTY_KEY when free */
    uint32_t *slot; /* the bin of each key */
    size_t table_cap;
    struct bin *bins;
    size_t bins_cap;
};

struct box {
    uint32_t x0, y0, x1, y1; /* inclusive */
};

struct qctx {
    const struct tz_map_index *idx;
    const struct mi_layout *L; /* the set being read */
    uint8_t set;
    bool timeless; /* the set keeps no times: every point read passes the time filters */
    int sign;      /* 1, or -1 while taking points back out (hex bins only) */
    struct box view;
    int32_t rfrom, rto; /* received_at in [rfrom, rto) */
    int32_t minch[NSTAT + 1];
    int64_t lfrom, lto, lminch[NSTAT]; /* the same with open ends past any time, for nodes */
    enum tz_map_mode mode;
    int zoom;
    int shift;       /* clusters: cell = unit >> shift */
    double px_scale; /* pixels per unit at the zoom */
    double hex_r;    /* hex: centre to corner, px */
    double inv_r;
    double hcx, hcy; /* hex: centre (px) of the last point's hexagon, and its bin */
    struct bin *hbin;
    struct scratch *sc;
    size_t table_mask;
    int table_bits;
    size_t nbins, limit;
    bool truncated;
    bool have_last;
    uint64_t last_key;
    struct bin *last_bin;
    uint64_t matched;
};

/* Counts the points that f lets through into q's bins, each from one set (mapindex_walk.c). */
void mi_query_plan(struct qctx *q, const struct tz_map_filter *f);
/* Whether a query's zoom, viewport and mode make sense (mapindex_query.c). */
bool mi_query_valid(const struct tz_map_query *q);
/* Turns the viewport into index units; false when it holds no position (mapindex_query.c). */
bool mi_view_units(const struct tz_map_query *qu, struct box *v);

#endif
