/*
 * mapindex.c - the in-memory map index (see mapindex.h): how it works (this
 * comment) and its build. The other pieces, and what they share, are listed
 * in mapindex_internal.h: updates, the query's walk, the query, visits.
 *
 * What it must do: answer "the clusters (or hex bins) of the reports in this
 * viewport at this zoom that pass this filter" for a million reports and more
 * in a few milliseconds, for any filter, with no rebuild per filter.
 *
 * Points. A report is kept as a structure of arrays: x and y as 32-bit Web
 * Mercator coordinates (1/2^32 of the world, under 1 cm), a category and a
 * status byte, received_at and status_changed_at as 32-bit seconds from 2020.
 * Points are sorted by the Morton (Z-order) key of (x, y), so each quadtree
 * square is a contiguous run of points.
 *
 * Grid. Cluster cells are TZ_MAP_CELL_PX = 64 px squares at 256-px tiles,
 * i.e. quadtree squares of level zoom + 2: a cell at zoom z is exactly the
 * union of its four cells at z + 1, which makes clusters stable across zooms.
 *
 * Trees (mapindex_tree.c). Over a run of points sorted by key there is a
 * quadtree (one per category, or one for all) whose nodes know, per status,
 * the count, the sums of x and y (for centroids) and the box of the points,
 * and the range of received_at (in days) and of status_changed_at (in hours),
 * rounded outward. A query walks a tree: a node whose points of some statuses
 * all pass the time filters, lie in the viewport and fall in one cell (or one
 * hexagon) is added to that cell whole; a node where none can pass is
 * dropped; anything else descends, down to nodes of at most 128 points that
 * are scanned. The cost follows the number of cells and the points near
 * their edges, not the number of points.
 *
 * Sets. A node that mixes categories cannot answer a category filter, and
 * one that mixes old and new reports cannot answer a date filter, so the
 * points are kept in six sets (each a structure of arrays with trees):
 *   A  by received_at, in chunks of n/16 points (4,096 to 65,536), a tree per
 *      (chunk, category). A received_at range reads the chunks it touches:
 *      those inside it from node sums, at most two in part. Every point of A
 *      changed status within LATE (14 days) of its receipt, so a
 *      min_changed_at window (the public not_confirmed and eliminated ones)
 *      drops old chunks at their roots too.
 *   L  the "late" points, whose status changed more than LATE after receipt
 *      (eliminated weeks later, say), in chunks by status_changed_at, a tree
 *      per (chunk, category): a window reads only the chunks changed in it.
 *   B  the points of the build (A's and L's) again, a tree per category over
 *      all times, and
 *   C  the same points in one tree for all categories. B and C keep no times:
 *      they answer the statuses whose time filters all their points meet (no
 *      date range, no window or one they all meet), C those that the filter
 *      asks of every category, B the others, so that an unfiltered map reads
 *      one to 27-odd trees instead of every chunk of A and L.
 *   P  (with a usual view, tz_map_usual: the public rules) the points of the
 *      build that view shows, in one tree for all categories, with times. A
 *      query of that view (every public map) reads its statuses from P alone:
 *      one tree, like an unfiltered map, where B, A and L would need a tree
 *      per category and per time chunk for the hidden categories and the
 *      windows. A point leaves P when its window closes (a heap of expiries,
 *      tz_map_index_expire) or a change hides it; a hidden point of the build
 *      that a change shows moves to A's buffer (P has no place for it). In hex
 *      mode P also answers a filter that wants most of the view's categories:
 *      the others' points are taken back out (usual_minus).
 *   W  P's points in a status with a window (not confirmed, eliminated: a few
 *      per cent), a tree per category, with a buffer that takes the build's
 *      points as they change into such a status. A public map filtered to a
 *      category or a group reads those statuses from W instead of every time
 *      chunk of A and L.
 * A point lives in A or L; B, C, P and W mirror points of the build. Hex
 * bins need no ids or boxes of points, so in hex mode a status that all but
 * a few categories want is counted from C and the others' points are taken
 * back out through their trees in B. About 170 bytes per report.
 *
 * Updates. A new report goes to the end of A (or L), a buffer that queries
 * scan point by point; every MI_BUFFER_POINTS the buffer is sorted into a new
 * chunk, merged with earlier such chunks up to 65,536 points (a few ms). A
 * status change rewrites the point in place and recomputes the nodes above it
 * (a leaf and its ancestors) in each set; a change that makes a point late
 * moves it to L's buffer and leaves dead slots in the other sets. Ids are
 * found in a sorted array. A writer-preferring rwlock lets queries run
 * together; an update waits for the queries in flight. A new build tidies
 * up (a start from a snapshot, mapindex_snap.c, keeps the index as it was).
 * The build sorts the points once and makes the sets on two threads.
 */
#include "threatmap/mapindex_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- build -------------------------------------------------------------- */

#define GROW(field, cap)                                                                           \
    do {                                                                                           \
        void *p_ = realloc((field), (cap) * sizeof *(field));                                      \
        if (!p_)                                                                                   \
            return TZ_ENOMEM;                                                                      \
        (field) = p_;                                                                              \
    } while (0)

tz_err mi_master_reserve(struct tz_map_index *idx, size_t cap)
{
    if (cap <= idx->cap)
        return TZ_OK;
    GROW(idx->id, cap);
    for (int s = 0; s < NSETS; s++)
        GROW(idx->pos[s], cap);
    GROW(idx->sid, cap);
    GROW(idx->spid, cap);
    idx->cap = cap;
    return TZ_OK;
}

/* Sorts the ids of the build; TZ_EINVAL for an id given twice. */
static tz_err build_ids(struct tz_map_index *idx, const struct tz_map_point *pts, size_t n)
{
    /* The store hands reports over newest first: ids in order, one way or the other. */
    bool up = true, down = true;
    for (size_t i = 1; i < n && (up || down); i++) {
        up &= pts[i].id > pts[i - 1].id;
        down &= pts[i].id < pts[i - 1].id;
    }
    for (size_t i = 0; i < n; i++)
        idx->id[i] = pts[i].id;
    if (up || down) {
        for (size_t i = 0; i < n; i++) {
            size_t from = up ? i : n - 1 - i;
            idx->sid[i] = pts[from].id;
            idx->spid[i] = (uint32_t)from;
        }
        return TZ_OK;
    }
    uint64_t *keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys)
        return TZ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        keys[i] = (uint64_t)pts[i].id ^ (1ull << 63);
        idx->spid[i] = (uint32_t)i;
    }
    tz_err err = mi_sort_by_key(keys, idx->spid, n);
    for (size_t i = 0; !err && i < n; i++) {
        idx->sid[i] = (int64_t)(keys[i] ^ (1ull << 63));
        if (i > 0 && idx->sid[i] == idx->sid[i - 1])
            err = TZ_EINVAL;
    }
    free(keys);
    return err;
}

/* n / div rounded up to a power of two, within [lo, hi]. */
static size_t chunk_size(size_t n, size_t div, size_t lo, size_t hi)
{
    size_t c = lo;
    while (c < hi && c < n / div)
        c *= 2;
    return c;
}

tz_err mi_index_new(struct tz_map_index **out)
{
    struct tz_map_index *idx = calloc(1, sizeof *idx);
    if (!idx)
        return TZ_ENOMEM;
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    /* Writers first: a steady stream of queries must not hold an update back. */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    int rc = pthread_rwlock_init(&idx->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    if (rc != 0) {
        free(idx);
        return TZ_ENOMEM;
    }
    *out = idx;
    return TZ_OK;
}

/* Points [from, to) as records with their keys, sorted by key: half of them per thread. */
struct convert {
    const struct tz_map_point *pts;
    size_t from, to, late;
    struct mi_rec *raw;
    uint64_t *k;
    uint32_t *order;
    tz_err err;
};

static void *convert_points(void *arg)
{
    struct convert *c = arg;
    for (size_t i = c->from; i < c->to; i++) {
        c->raw[i] = rec_of(&c->pts[i], (uint32_t)i);
        c->k[i] = mi_morton(c->raw[i].x, c->raw[i].y);
        c->order[i] = (uint32_t)i;
        c->late += is_late(c->raw[i].recv, c->raw[i].ch);
    }
    c->err = mi_sort_by_key(c->k + c->from, c->order + c->from, c->to - c->from);
    return NULL;
}

/*
 * All the points in Morton order (all, all_keys; n of each), equal keys in
 * input order; *late tells how many belong to L.
 */
static tz_err order_points(const struct tz_map_point *pts, size_t n, struct mi_rec *all,
                           uint64_t *all_keys, size_t *late, void *work)
{
    size_t m = n ? n : 1, h = n / 2;
    struct mi_rec *raw = work;
    uint64_t *k = (uint64_t *)(raw + m);
    uint32_t *order = (uint32_t *)(k + m);
    struct convert half[2] = {{pts, 0, h, 0, raw, k, order, TZ_OK},
                              {pts, h, n, 0, raw, k, order, TZ_OK}};
    pthread_t thread;
    bool threaded = pthread_create(&thread, NULL, convert_points, &half[1]) == 0;
    convert_points(&half[0]);
    if (threaded)
        pthread_join(thread, NULL);
    else
        convert_points(&half[1]);
    if (half[0].err || half[1].err)
        return half[0].err ? half[0].err : half[1].err;
    /* Merges the two sorted halves, the left one first among equal keys (as one stable sort
     * would), gathering the records on the way. */
    for (size_t i = 0, j = h, d = 0; d < n; d++) {
        size_t t = j >= n || (i < h && k[i] <= k[j]) ? i++ : j++;
        all[d] = raw[order[t]];
        all_keys[d] = k[t];
    }
    *late = half[0].late + half[1].late;
    return TZ_OK;
}

/* A's points (in key order) then L's, from all; returns how many belong to A. */
static size_t split_late(const struct mi_rec *all, const uint64_t *all_keys, size_t n, size_t late,
                         struct mi_rec *recs, uint64_t *keys)
{
    size_t a = 0, l = n - late;
    for (size_t j = 0; j < n; j++) {
        size_t d = is_late(all[j].recv, all[j].ch) ? l++ : a++;
        recs[d] = all[j];
        keys[d] = all_keys[j];
    }
    return n - late;
}

/* Builds P over the points of `all` (in key order) that the usual view shows, W over those of
 * them in a status with a window, and the heap of their expiries. */
static tz_err build_usual(struct tz_map_index *idx, const struct mi_rec *all,
                          const uint64_t *all_keys, size_t n, void *work)
{
    struct mi_set *p = &idx->set[SET_P];
    struct mi_rec *sel = malloc((n ? n : 1) * sizeof *sel);
    uint64_t *sel_keys = malloc((n ? n : 1) * sizeof *sel_keys);
    size_t m = 0, timed = 0;
    tz_err err = sel && sel_keys ? TZ_OK : TZ_ENOMEM;
    for (size_t t = 0; !err && t < n; t++) {
        const struct mi_rec *r = &all[t];
        if (!usual_shows(idx, r->cat, r->st, r->ch)) {
            note_expired(idx, r->cat, r->st, r->ch);
            continue;
        }
        timed += usual_until(idx, r->st, r->ch) != 0;
        sel[m] = *r;
        sel_keys[m++] = all_keys[t];
    }
    p->one_tree = true;
    if (!err)
        err = mi_set_build(p, sel, sel_keys, m, MI_TIME_NONE, 0, idx->pos[SET_P], work);
    /* W: those of them in a status with a window, a tree per category (sel is reused). */
    size_t w = 0;
    for (size_t i = 0; !err && i < m; i++) {
        if (usual_until(idx, sel[i].st, sel[i].ch)) {
            sel_keys[w] = sel_keys[i];
            sel[w++] = sel[i];
        }
    }
    if (!err)
        err = mi_set_build(&idx->set[SET_W], sel, sel_keys, w, MI_TIME_NONE, 0, idx->pos[SET_W],
                           work);
    if (!err && timed) {
        idx->exp = malloc(timed * sizeof *idx->exp);
        err = idx->exp ? TZ_OK : TZ_ENOMEM;
    }
    for (size_t i = 0; !err && i < w; i++) /* W's points are those with an expiry */
        idx->exp[idx->nexp++] = (struct expiry){usual_until(idx, sel[i].st, sel[i].ch), sel[i].pid};
    idx->exp_cap = idx->nexp;
    for (size_t i = idx->nexp / 2; i-- > 0;)
        mi_expiry_sift_down(idx->exp, idx->nexp, i);
    free(sel);
    free(sel_keys);
    return err;
}

/* B, P and W, built on a thread of their own beside A, L and C (about half the work each). */
struct side_build {
    struct tz_map_index *idx;
    const struct mi_rec *all; /* every point of the build in key order */
    const uint64_t *all_keys;
    size_t n;
    tz_err err;
};

static void *build_side(void *arg)
{
    struct side_build *sb = arg;
    struct tz_map_index *idx = sb->idx;
    void *work = malloc(mi_set_build_work(sb->n));
    tz_err err = work ? TZ_OK : TZ_ENOMEM;
    memset(idx->pos[SET_B], 0xFF, sb->n * sizeof *idx->pos[SET_B]);
    memset(idx->pos[SET_P], 0xFF, sb->n * sizeof *idx->pos[SET_P]);
    memset(idx->pos[SET_W], 0xFF, sb->n * sizeof *idx->pos[SET_W]);
    if (!err)
        err = mi_set_build(&idx->set[SET_B], sb->all, sb->all_keys, sb->n, MI_TIME_NONE, 0,
                           idx->pos[SET_B], work);
    if (!err && idx->has_usual)
        err = build_usual(idx, sb->all, sb->all_keys, sb->n, work);
    free(work);
    sb->err = err;
    return NULL;
}

/*
 * The hour that nodes count status changes from: the build's `now`, or the
 * clock, so that the windows a query asks for, which end at its present, lie
 * well inside the 3.7 years either side that the nodes' hours reach (a report
 * dated far off by a bad clock must not move it).
 */
static int32_t ch_base(const struct tz_map_usual *usual, int64_t now)
{
    int32_t t = rel_time(usual ? now : (int64_t)time(NULL));
    return t - (int32_t)(((int64_t)t % MI_TICK + MI_TICK) % MI_TICK);
}

/* A usual view whose windows are at most ten years and a `now` after 2000. */
static bool usual_valid(const struct tz_map_usual *usual, int64_t now)
{
    for (int s = 0; s < NSTAT; s++) {
        if (usual->shown_for[s] < 0 || usual->shown_for[s] > 10 * 366 * (int64_t)MI_DAY)
            return false;
    }
    return now > 946684800;
}

static tz_err build(const struct tz_map_point *pts, size_t n, const struct tz_map_usual *usual,
                    int64_t now, struct tz_map_index **out)
{
    *out = NULL;
    if (n >= NONE / 2)
        return TZ_ETOOBIG;
    if (usual && !usual_valid(usual, now))
        return TZ_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!point_valid(&pts[i]))
            return TZ_EINVAL;
    }
    struct tz_map_index *idx = NULL;
    struct mi_rec *recs = malloc((n ? n : 1) * sizeof *recs);
    uint64_t *keys = malloc((n ? n : 1) * sizeof *keys);
    struct mi_rec *all = malloc((n ? n : 1) * sizeof *all);
    uint64_t *all_keys = malloc((n ? n : 1) * sizeof *all_keys);
    /* One scratch area for every step: fresh memory costs a page fault per 4 KiB. */
    size_t in_a = 0, late = 0,
           order_work = (n ? n : 1) * (sizeof *recs + sizeof *keys + sizeof(uint32_t));
    size_t set_work = mi_set_build_work(n);
    void *work = malloc(order_work > set_work ? order_work : set_work);
    tz_err err = recs && keys && all && all_keys && work ? mi_index_new(&idx) : TZ_ENOMEM;
    if (!err)
        err = mi_master_reserve(idx, n + n / 16 + MI_BUFFER_POINTS);
    if (!err)
        err = order_points(pts, n, all, all_keys, &late, work);
    if (err)
        goto done;
    idx->n = n;
    if (usual) {
        idx->has_usual = true;
        idx->usual = *usual;
        idx->usual_now = now;
    }
    int32_t base = ch_base(usual, now);
    for (int s = 0; s < NSETS; s++)
        idx->set[s].L.ch_base = base;
    idx->set[SET_C].one_tree = true;
    idx->set[SET_B].timeless = idx->set[SET_C].timeless = true;
    /* Two threads: the sets share nothing but the sorted points, which they only read. */
    struct side_build side = {idx, all, all_keys, n, TZ_OK};
    pthread_t thread;
    bool threaded = pthread_create(&thread, NULL, build_side, &side) == 0;
    if (!threaded)
        build_side(&side);
    static const int main_sets[] = {SET_A, SET_L, SET_C}; /* this thread's; build_side's others */
    for (size_t i = 0; i < sizeof main_sets / sizeof main_sets[0]; i++)
        memset(idx->pos[main_sets[i]], 0xFF, n * sizeof *idx->pos[main_sets[i]]);
    in_a = split_late(all, all_keys, n, late, recs, keys);
    err = mi_set_build(&idx->set[SET_A], recs, keys, in_a, MI_TIME_RECEIVED,
                       chunk_size(in_a, 16, 4096, 65536), idx->pos[SET_A], work);
    if (!err)
        err = mi_set_build(&idx->set[SET_L], recs + in_a, keys + in_a, n - in_a, MI_TIME_CHANGED,
                           chunk_size(n - in_a, 8, 16384, 65536), idx->pos[SET_L], work);
    if (!err)
        err = mi_set_build(&idx->set[SET_C], all, all_keys, n, MI_TIME_NONE, 0, idx->pos[SET_C],
                           work);
    if (!err) /* last: it is the shorter thread's */
        err = build_ids(idx, pts, n);
    if (threaded)
        pthread_join(thread, NULL);
    if (!err)
        err = side.err;
done:
    free(recs);
    free(keys);
    free(all);
    free(all_keys);
    free(work);
    if (err) {
        tz_map_index_free(idx);
        return err;
    }
    *out = idx;
    return TZ_OK;
}

tz_err tz_map_index_build(const struct tz_map_point *pts, size_t n, struct tz_map_index **out)
{
    return build(pts, n, NULL, 0, out);
}

tz_err tz_map_index_build_usual(const struct tz_map_point *pts, size_t n,
                                const struct tz_map_usual *usual, int64_t now,
                                struct tz_map_index **out)
{
    return build(pts, n, usual, now, out);
}

void tz_map_index_free(struct tz_map_index *idx)
{
    if (!idx)
        return;
    pthread_rwlock_destroy(&idx->lock);
    for (int s = 0; s < NSETS; s++) {
        mi_set_free(&idx->set[s]);
        free(idx->pos[s]);
    }
    free(idx->id);
    free(idx->exp);
    free(idx->sid);
    free(idx->spid);
    free(idx);
}

size_t tz_map_index_size(const struct tz_map_index *idx)
{
    struct tz_map_index *w = (struct tz_map_index *)idx; /* the lock is not part of the value */
    pthread_rwlock_rdlock(&w->lock);
    size_t n = idx->n;
    pthread_rwlock_unlock(&w->lock);
    return n;
}

size_t tz_map_index_bytes(const struct tz_map_index *idx)
{
    struct tz_map_index *w = (struct tz_map_index *)idx;
    pthread_rwlock_rdlock(&w->lock);
    size_t bytes = sizeof *idx + idx->cap * (2 * sizeof(int64_t) + (NSETS + 1) * sizeof(uint32_t)) +
                   idx->exp_cap * sizeof *idx->exp;
    for (int s = 0; s < NSETS; s++)
        bytes += mi_set_bytes(&idx->set[s]);
    pthread_rwlock_unlock(&w->lock);
    return bytes;
}
