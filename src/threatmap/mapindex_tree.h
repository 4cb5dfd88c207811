/*
 * mapindex_tree.h - the storage of the map index, private to mapindex*.c: points
 * as a structure of arrays sorted by Morton key, quadtrees with per-status sums
 * over them, and "sets" of such trees cut in time chunks with a buffer of new
 * points at the end. mapindex.c says how the index uses six of them.
 */
#ifndef TZ_THREATMAP_MAPINDEX_TREE_H
#define TZ_THREATMAP_MAPINDEX_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "threatmap/mapindex.h"

#define MI_NSTAT TZ_MAP_STATUSES
#define MI_NCAT TZ_MAP_MAX_CATEGORIES
#define MI_TOMB MI_NSTAT      /* the status of a slot whose point moved away */
#define MI_NONE UINT32_MAX    /* no position, no node */
#define MI_LEAF_POINTS 64     /* a node with more points is split */
#define MI_BUFFER_POINTS 8192 /* new points kept unsorted before they make a chunk */
#define MI_MERGE_MAX 65536    /* chunks made of the buffer merge up to this size */

#define MI_DAY 86400
#define MI_TICK 3600 /* nodes keep status_changed_at in hours from their layout's ch_base */

/*
 * A quadtree node over points [begin, end) of a layout: what a query tests
 * first, in one cache line. Times are rounded outward (minima down, maxima
 * up), so that "all pass" and "none passes" stay true: received_at in days
 * from the epoch; status_changed_at, which the public windows of a few days
 * cut, in hours from the layout's ch_base (mi_tick_*: about 3.7 years either
 * side of it; beyond, bounds are open).
 */
struct mi_node {
    uint32_t begin, end;
    uint32_t child;  /* first child (children are consecutive); 0 for a leaf */
    uint8_t nchild;  /* 2..4 */
    uint8_t present; /* statuses with points */
    int16_t recv_min, recv_max;
    uint32_t x0, y0, x1, y1;                    /* box of its points */
    int16_t ch_min[MI_NSTAT], ch_max[MI_NSTAT]; /* status_changed_at, by status */
};

/* What a node knows of its points by status: read when the node is counted whole. */
struct mi_sums {
    uint32_t count[MI_NSTAT];
    uint32_t box[MI_NSTAT][4]; /* x0, y0, x1, y1 (x0 > x1 when count is 0) */
    uint64_t sx[MI_NSTAT], sy[MI_NSTAT];
};

/* Points in one order (structure of arrays) and the nodes over them. */
struct mi_layout {
    uint32_t *x, *y;    /* Web Mercator, 1/2^32 of the world */
    uint32_t *pid;      /* the point's number in the index */
    int32_t *recv, *ch; /* received_at, status_changed_at: seconds from the epoch (or NULL) */
    uint8_t *cat, *st;  /* st is MI_TOMB for a dead slot */
    int32_t ch_base;    /* the hour the nodes' status_changed_at bounds count from */
    size_t n, cap;
    struct mi_node *nodes;
    struct mi_sums *sums; /* one per node */
    size_t nnodes, nodes_cap;
};

/* A run of a layout sorted by (category, key), with a tree per category. */
struct mi_chunk {
    uint32_t begin, end;
    uint32_t node0;         /* its first node: the chunk's nodes are [node0, next chunk's) */
    uint32_t root[MI_NCAT]; /* MI_NONE where the chunk has no point of the category */
};

/* A layout cut in chunks, ordered by a time, with a buffer of new points at its end. */
struct mi_set {
    struct mi_layout L;
    struct mi_chunk *chunks;
    size_t nchunks, chunks_cap;
    size_t frozen;       /* points [0, frozen) are in chunks, [frozen, n) the buffer */
    size_t built_chunks; /* chunks made by the build (never merged) */
    bool one_tree;       /* one tree for all categories (in root[0]) rather than one each */
    bool timeless;       /* keeps no times (recv and ch are NULL, nodes' time bounds unset) */
};

/* One point while the index is built (packed, so that sorting moves one record). */
struct mi_rec {
    uint32_t x, y;
    int32_t recv, ch;
    uint32_t pid;
    uint8_t cat, st;
};

/* Which time cuts a set in chunks at build. */
enum mi_time { MI_TIME_NONE, MI_TIME_RECEIVED, MI_TIME_CHANGED };

/* Day bounds of a time (seconds from the epoch): the day it falls in, rounded down or up. */
int16_t mi_day_floor(int32_t t);
int16_t mi_day_ceil(int32_t t);
/* Hour bounds of a time from base, rounded down or up (saturating: see mi_tick_lo/hi). */
int16_t mi_tick_floor(int32_t t, int32_t base);
int16_t mi_tick_ceil(int32_t t, int32_t base);
/* A lower (upper) bound in seconds from the epoch of a rounded-down (up) hour bound;
 * INT64_MIN (INT64_MAX) where it saturated. Inline: queries call them for every node. */
static inline int64_t mi_tick_lo(int16_t v, int32_t base)
{
    return v == INT16_MIN ? INT64_MIN : (int64_t)base + (int64_t)v * MI_TICK;
}

static inline int64_t mi_tick_hi(int16_t v, int32_t base)
{
    return v == INT16_MAX ? INT64_MAX : (int64_t)base + (int64_t)v * MI_TICK;
}
/* The Morton (Z-order) key of (x, y). */
uint64_t mi_morton(uint32_t x, uint32_t y);
/* Sorts vals by keys (n of each, both reordered; stable radix sort). */
tz_err mi_sort_by_key(uint64_t *keys, uint32_t *vals, size_t n);

/*
 * Builds set s over recs[0..m) (sorted by key, keys[i] theirs): chunks of
 * about chunk_points by `time` (one chunk for MI_TIME_NONE), a tree per
 * (chunk, category), or per chunk if s->one_tree. Writes each point's
 * position to pos[pid]. s is empty but for its flags; work is scratch space
 * of mi_set_build_work(m) bytes.
 */
tz_err mi_set_build(struct mi_set *s, const struct mi_rec *recs, const uint64_t *keys, size_t m,
                    enum mi_time time, size_t chunk_points, uint32_t *pos, void *work);
/* Bytes of `work` that mi_set_build needs for m points (the caller's, so that builds reuse it). */
size_t mi_set_build_work(size_t m);
/* Reserves room for the buffer to take one more point. */
tz_err mi_set_reserve(struct mi_set *s);
/* Appends r to the buffer (room reserved); returns its position. */
uint32_t mi_set_append(struct mi_set *s, const struct mi_rec *r);
/* Sets the status and change time of the point at pos and fixes the nodes above it. */
void mi_set_update(struct mi_set *s, uint32_t pos, uint8_t status, int32_t ch);
/*
 * Turns a full buffer into a chunk (merging the chunks it made before, up to
 * MI_MERGE_MAX) and drops dead slots; updates pos[pid] of the points it moves.
 * Does nothing while the buffer holds fewer than MI_BUFFER_POINTS; on failure
 * the set is unchanged (the buffer is still read as a buffer).
 */
tz_err mi_set_freeze(struct mi_set *s, uint32_t *pos);
/* Bytes the set holds. */
size_t mi_set_bytes(const struct mi_set *s);
void mi_set_free(struct mi_set *s);

#endif
