/*
 * mapindex.c - the in-memory map index (see mapindex.h).
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
 * together; an update waits for the queries in flight. A restart (a new
 * build) tidies up. The build sorts the points once and makes the sets on
 * two threads.
 */
#include "threatmap/mapindex.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static double unit_x(double lon)
{
    return (lon + 180.0) / 360.0 * WORLD;
}

static double unit_y(double lat)
{
    if (lat > MAX_LAT)
        lat = MAX_LAT;
    if (lat < -MAX_LAT)
        lat = -MAX_LAT;
    double s = sin(lat * (M_PI / 180.0));
    return (0.5 - log((1.0 + s) / (1.0 - s)) / (4.0 * M_PI)) * WORLD;
}

static double lon_of(double ux)
{
    return ux / WORLD * 360.0 - 180.0;
}

static double lat_of(double uy)
{
    return atan(sinh(M_PI * (1.0 - 2.0 * uy / WORLD))) * (180.0 / M_PI);
}

static uint32_t to_unit(double u)
{
    if (!(u > 0.0))
        return 0;
    if (u >= WORLD - 1.0)
        return UINT32_MAX;
    return (uint32_t)u;
}

/* A point's time: seconds from EPOCH, kept inside the int32 range. */
static int32_t rel_time(int64_t t)
{
    int64_t r = t - EPOCH;
    if (r < (int64_t)INT32_MIN + 2)
        return INT32_MIN + 2;
    if (r > (int64_t)INT32_MAX - 2)
        return INT32_MAX - 2;
    return (int32_t)r;
}

/* A filter's bound: 0 means open and becomes `open`. */
static int32_t rel_bound(int64_t t, int32_t open)
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

static bool point_valid(const struct tz_map_point *p)
{
    return isfinite(p->lat) && isfinite(p->lon) && p->lat >= -90.0 && p->lat <= 90.0 &&
           p->lon >= -180.0 && p->lon <= 180.0 && p->category < NCAT && p->status < NSTAT;
}

static struct mi_rec rec_of(const struct tz_map_point *p, uint32_t pid)
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

static bool is_late(int32_t recv, int32_t ch)
{
    return (int64_t)ch - recv > LATE;
}

/* ---- build -------------------------------------------------------------- */

#define GROW(field, cap)                                                                           \
    do {                                                                                           \
        void *p_ = realloc((field), (cap) * sizeof *(field));                                      \
        if (!p_)                                                                                   \
            return TZ_ENOMEM;                                                                      \
        (field) = p_;                                                                              \
    } while (0)

static tz_err master_reserve(struct tz_map_index *idx, size_t cap)
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

static tz_err index_new(struct tz_map_index **out)
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

/* ---- the usual view ----------------------------------------------------- */

/* When the usual view lets go of a point of status s changed at ch (relative); 0: never. */
static int64_t usual_until(const struct tz_map_index *idx, unsigned s, int32_t ch)
{
    int64_t w = idx->usual.shown_for[s];
    return w > 0 ? (int64_t)ch + EPOCH + w + USUAL_MARGIN : 0;
}

static bool usual_shows(const struct tz_map_index *idx, unsigned k, unsigned s, int32_t ch)
{
    if (!((idx->usual.status_mask[k] >> s) & 1))
        return false;
    int64_t until = usual_until(idx, s, ch);
    return until == 0 || until > idx->usual_now;
}

/* Records that a point the view would show but for its time is not in P. */
static void note_expired(struct tz_map_index *idx, unsigned k, unsigned s, int32_t ch)
{
    if (!((idx->usual.status_mask[k] >> s) & 1))
        return; /* hidden for its category and status: a query of the view never wants it */
    if (!idx->expired_any[s] || ch > idx->expired_max_ch[s])
        idx->expired_max_ch[s] = ch;
    idx->expired_any[s] = true;
}

static void expiry_sift_down(struct expiry *h, size_t n, size_t i)
{
    for (;;) {
        size_t least = i, l = 2 * i + 1, r = l + 1;
        if (l < n && h[l].at < h[least].at)
            least = l;
        if (r < n && h[r].at < h[least].at)
            least = r;
        if (least == i)
            return;
        struct expiry t = h[i];
        h[i] = h[least];
        h[least] = t;
        i = least;
    }
}

static tz_err expiry_push(struct tz_map_index *idx, int64_t at, uint32_t pid)
{
    if (idx->nexp == idx->exp_cap) {
        size_t cap = idx->exp_cap ? idx->exp_cap * 2 : 1024;
        struct expiry *h = realloc(idx->exp, cap * sizeof *h);
        if (!h)
            return TZ_ENOMEM;
        idx->exp = h;
        idx->exp_cap = cap;
    }
    size_t i = idx->nexp++;
    while (i > 0 && idx->exp[(i - 1) / 2].at > at) {
        idx->exp[i] = idx->exp[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    idx->exp[i] = (struct expiry){at, pid};
    return TZ_OK;
}

static struct expiry expiry_pop(struct tz_map_index *idx)
{
    struct expiry top = idx->exp[0];
    idx->exp[0] = idx->exp[--idx->nexp];
    expiry_sift_down(idx->exp, idx->nexp, 0);
    return top;
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
        expiry_sift_down(idx->exp, idx->nexp, i);
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
    tz_err err = recs && keys && all && all_keys && work ? index_new(&idx) : TZ_ENOMEM;
    if (!err)
        err = master_reserve(idx, n + n / 16 + MI_BUFFER_POINTS);
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

/* ---- updates ------------------------------------------------------------ */

/* Index in sid of the first id >= id. */
static size_t id_lower_bound(const struct tz_map_index *idx, int64_t id)
{
    size_t l = 0, r = idx->n;
    if (r > 0 && idx->sid[r - 1] < id)
        return r; /* the usual case: a new, larger id */
    while (l < r) {
        size_t m = l + (r - l) / 2;
        if (idx->sid[m] < id)
            l = m + 1;
        else
            r = m;
    }
    return l;
}

tz_err tz_map_index_add(struct tz_map_index *idx, const struct tz_map_point *p)
{
    if (!point_valid(p))
        return TZ_EINVAL;
    if (pthread_rwlock_wrlock(&idx->lock) != 0)
        return TZ_EBUSY;
    tz_err err = TZ_OK;
    size_t at = id_lower_bound(idx, p->id);
    if (at < idx->n && idx->sid[at] == p->id) {
        err = TZ_ECONFLICT;
        goto done;
    }
    if (idx->n >= NONE / 2 - 1) {
        err = TZ_ETOOBIG;
        goto done;
    }
    struct mi_rec r = rec_of(p, (uint32_t)idx->n);
    int home = is_late(r.recv, r.ch) ? SET_L : SET_A;
    if (idx->n == idx->cap)
        err = master_reserve(idx, idx->cap + idx->cap / 2 + 1024);
    if (!err)
        err = mi_set_reserve(&idx->set[home]);
    if (err)
        goto done;
    idx->id[r.pid] = p->id;
    for (int s = 0; s < NSETS; s++)
        idx->pos[s][r.pid] = NONE;
    memmove(idx->sid + at + 1, idx->sid + at, (idx->n - at) * sizeof *idx->sid);
    memmove(idx->spid + at + 1, idx->spid + at, (idx->n - at) * sizeof *idx->spid);
    idx->sid[at] = p->id;
    idx->spid[at] = r.pid;
    idx->n++;
    idx->pos[home][r.pid] = mi_set_append(&idx->set[home], &r);
    (void)mi_set_freeze(&idx->set[home], idx->pos[home]); /* on failure it stays in the buffer */
done:
    pthread_rwlock_unlock(&idx->lock);
    return err;
}

/*
 * Moves the point pid, which lives in set `from`, to the buffer of set `to`
 * (A or L) with a new status, leaving dead slots wherever it was.
 */
static tz_err move_point(struct tz_map_index *idx, int from, int to, uint32_t pid, uint8_t status,
                         int32_t ch)
{
    struct mi_set *dest = &idx->set[to];
    tz_err err = mi_set_reserve(dest);
    if (err)
        return err;
    const struct mi_layout *L = &idx->set[from].L;
    uint32_t p = idx->pos[from][pid];
    struct mi_rec r = {L->x[p], L->y[p], L->recv[p], ch, pid, L->cat[p], status};
    for (int s = 0; s < NSETS; s++) {
        if (idx->pos[s][pid] != NONE) {
            mi_set_update(&idx->set[s], idx->pos[s][pid], MI_TOMB, 0);
            idx->pos[s][pid] = NONE;
        }
    }
    idx->pos[to][pid] = mi_set_append(dest, &r);
    (void)mi_set_freeze(dest, idx->pos[to]);
    return TZ_OK;
}

/* Whether A's point at position pa is one of the build's, which P mirrors where shown. */
static bool built_in_a(const struct tz_map_index *idx, uint32_t pa)
{
    const struct mi_set *a = &idx->set[SET_A];
    return a->built_chunks > 0 && pa < a->chunks[a->built_chunks - 1].end;
}

/*
 * Keeps W current for the build point pid of A (category k, at position pa)
 * that takes a new status: out of W, and back into W's buffer if the usual
 * view shows it in a status with a window.
 */
static void window_update(struct tz_map_index *idx, uint32_t pid, uint32_t pa, unsigned k,
                          uint8_t status, int32_t ch)
{
    struct mi_set *w = &idx->set[SET_W];
    if (idx->pos[SET_W][pid] != NONE) {
        mi_set_update(w, idx->pos[SET_W][pid], MI_TOMB, 0);
        idx->pos[SET_W][pid] = NONE;
    }
    if (!usual_until(idx, status, ch) || !usual_shows(idx, k, status, ch))
        return;
    const struct mi_layout *A = &idx->set[SET_A].L;
    struct mi_rec r = {A->x[pa], A->y[pa], A->recv[pa], ch, pid, (uint8_t)k, status};
    /* Without room the point is missing from W: the queries that read W would miss it, so the
     * view stops answering through W (window_ok) until a restart. */
    if (mi_set_reserve(w) != TZ_OK) {
        idx->window_broken = true;
        return;
    }
    idx->pos[SET_W][pid] = mi_set_append(w, &r);
    (void)mi_set_freeze(w, idx->pos[SET_W]);
}

/* Brings P's copy of the build point pid (category k) to a new status in place. */
static void usual_update(struct tz_map_index *idx, uint32_t pid, unsigned k, uint8_t status,
                         int32_t ch)
{
    bool shows = usual_shows(idx, k, status, ch);
    if (!shows)
        note_expired(idx, k, status, ch);
    uint32_t pp = idx->pos[SET_P][pid];
    if (pp == NONE)
        return;
    mi_set_update(&idx->set[SET_P], pp, shows ? status : MI_TOMB, ch);
    int64_t until = usual_until(idx, status, ch);
    /* Without its expiry the point stays in P past its time: answers stay right, only slower. */
    if (shows && until)
        (void)expiry_push(idx, until, pid);
}

tz_err tz_map_index_set_status(struct tz_map_index *idx, int64_t id, uint8_t status,
                               int64_t changed_at)
{
    if (status >= NSTAT)
        return TZ_EINVAL;
    if (pthread_rwlock_wrlock(&idx->lock) != 0)
        return TZ_EBUSY;
    tz_err err = TZ_OK;
    size_t at = id_lower_bound(idx, id);
    if (at >= idx->n || idx->sid[at] != id) {
        err = TZ_ENOTFOUND;
        goto done;
    }
    uint32_t pid = idx->spid[at];
    int32_t ch = rel_time(changed_at);
    uint32_t pl = idx->pos[SET_L][pid], pa = idx->pos[SET_A][pid];
    if (pl != NONE) {
        /* In L's buffer: in place; in a chunk of L: to the buffer, which keeps chunks in
         * status_changed_at order. */
        if (pl >= idx->set[SET_L].frozen)
            mi_set_update(&idx->set[SET_L], pl, status, ch);
        else
            err = move_point(idx, SET_L, SET_L, pid, status, ch);
    } else if (is_late(idx->set[SET_A].L.recv[pa], ch)) {
        err = move_point(idx, SET_A, SET_L, pid, status, ch);
    } else if (idx->has_usual && built_in_a(idx, pa) && idx->pos[SET_P][pid] == NONE &&
               usual_shows(idx, idx->set[SET_A].L.cat[pa], status, ch)) {
        /* Hidden from the usual view at the build and shown now: P has no place for it, and
         * queries of the view read A's chunks of the build only for other statuses. */
        err = move_point(idx, SET_A, SET_A, pid, status, ch);
    } else {
        for (int s = SET_A; s <= SET_C; s++) {
            if (idx->pos[s][pid] != NONE)
                mi_set_update(&idx->set[s], idx->pos[s][pid], status, ch);
        }
        if (idx->has_usual)
            usual_update(idx, pid, idx->set[SET_A].L.cat[pa], status, ch);
        if (idx->has_usual && built_in_a(idx, pa))
            window_update(idx, pid, pa, idx->set[SET_A].L.cat[pa], status, ch);
    }
done:
    pthread_rwlock_unlock(&idx->lock);
    return err;
}

tz_err tz_map_index_expire(struct tz_map_index *idx, int64_t now)
{
    if (!idx->has_usual)
        return TZ_OK;
    if (pthread_rwlock_rdlock(&idx->lock) != 0)
        return TZ_EBUSY;
    bool due = idx->nexp > 0 && idx->exp[0].at <= now;
    pthread_rwlock_unlock(&idx->lock);
    if (!due)
        return TZ_OK;
    if (pthread_rwlock_wrlock(&idx->lock) != 0)
        return TZ_EBUSY;
    idx->usual_now = now > idx->usual_now ? now : idx->usual_now;
    const struct mi_layout *P = &idx->set[SET_P].L;
    /* A bounded share per call, so that queries never wait long behind a backlog. */
    for (int done = 0; done < 4096 && idx->nexp > 0 && idx->exp[0].at <= now; done++) {
        struct expiry e = expiry_pop(idx);
        uint32_t pp = idx->pos[SET_P][e.pid];
        if (pp == NONE || P->st[pp] >= NSTAT)
            continue; /* moved away or hidden already */
        unsigned s = P->st[pp];
        int32_t ch = P->ch[pp];
        if (usual_until(idx, s, ch) != e.at)
            continue; /* changed since: a later entry stands for it */
        note_expired(idx, P->cat[pp], s, ch);
        mi_set_update(&idx->set[SET_P], pp, MI_TOMB, 0);
        uint32_t pw = idx->pos[SET_W][e.pid];
        if (pw != NONE) {
            mi_set_update(&idx->set[SET_W], pw, MI_TOMB, 0);
            idx->pos[SET_W][e.pid] = NONE;
        }
    }
    pthread_rwlock_unlock(&idx->lock);
    return TZ_OK;
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

/* v rounded half away from zero, as an integer (v - 0.5 is v + -0.5 exactly: no branch needed). */
static inline int64_t round_half_away(double v)
{
    return (int64_t)(v + copysign(0.5, v));
}

/*
 * The axial coordinates (q, r) of the pointy-top hexagon nearest pixel (px, py): cube rounding,
 * where the coordinate that rounded farthest is made up from the other two. Without branches
 * (which of the three it is follows no pattern a predictor could learn), in integers: the
 * rounded values are exact in a double as in an int64, so the result is the same.
 */
static inline void hex_round(const struct qctx *q, double px, double py, int64_t *hq, int64_t *hr)
{
    double fq = (px * (SQRT3 / 3.0) - py / 3.0) * q->inv_r;
    double fr = py * (2.0 / 3.0) * q->inv_r;
    double fs = -fq - fr;
    int64_t iq = round_half_away(fq), ir = round_half_away(fr), is = round_half_away(fs);
    double dq = fabs((double)iq - fq), dr = fabs((double)ir - fr), ds = fabs((double)is - fs);
    /* All ones where that coordinate is made up (a ?: here becomes a branch). */
    int64_t fix_q = -(int64_t)((dq > dr) & (dq > ds));
    int64_t fix_r = ~fix_q & -(int64_t)(dr > ds);
    *hq = iq + ((-ir - is - iq) & fix_q);
    *hr = ir + ((-iq - is - ir) & fix_r);
}

static uint64_t hex_key(int64_t hq, int64_t hr)
{
    return ((uint64_t)(uint32_t)(hq + 0x40000000) << 32) | (uint32_t)(hr + 0x40000000);
}

/*
 * What hex_holds compares with: half the width of a hexagon and its centre-to-corner distance,
 * less a margin, in pixels times `unit`, a power of two: every rounding of hex_holds is then the
 * same as in pixels, and so is the answer.
 */
struct hex_limits {
    double x, s;
};

static inline struct hex_limits hex_limits(double unit)
{
    const double margin = 1e-6, hex_r = TZ_MAP_HEX_PX / SQRT3; /* qctx.hex_r */
    return (struct hex_limits){(TZ_MAP_HEX_PX / 2.0 - margin) * unit, (hex_r - margin) * unit};
}

/* Whether (dx, dy) from a hexagon's centre is inside it with room to spare, so that rounding
 * to the nearest centre cannot pick a neighbour: |dx| <= W/2, |dy| <= R - |dx|/sqrt(3). */
static inline bool hex_holds(double dx, double dy, struct hex_limits lim)
{
    /* Both tests whole: one branch for the caller rather than two. */
    return (dx <= lim.x) & (dy + dx * (1.0 / SQRT3) <= lim.s);
}

static uint64_t cell_key(const struct qctx *q, uint32_t x, uint32_t y)
{
    return ((uint64_t)(y >> q->shift) << 32) | (x >> q->shift);
}

/* Whether the points in box b (quantum centres) all lie in one bin; writes its key. */
static bool fits_one(struct qctx *q, const struct box *b, uint64_t *key)
{
    if (q->mode == TZ_MAP_CLUSTERS) {
        *key = cell_key(q, b->x0, b->y0);
        return (b->x0 >> q->shift) == (b->x1 >> q->shift) &&
               (b->y0 >> q->shift) == (b->y1 >> q->shift);
    }
    double x0 = ((double)b->x0 + 0.5) * q->px_scale, x1 = ((double)b->x1 + 0.5) * q->px_scale;
    double y0 = ((double)b->y0 + 0.5) * q->px_scale, y1 = ((double)b->y1 + 0.5) * q->px_scale;
    /* Too big for any hexagon (the corner test below, at best, with the box at the centre):
     * no rounding needed. */
    if (x1 - x0 >= TZ_MAP_HEX_PX || (y1 - y0) + (x1 - x0) * (1.0 / SQRT3) >= 2 * q->hex_r)
        return false;
    /* The hexagon of the centre holds the box if it holds the corner farthest from its centre
     * (it is convex and symmetric). */
    int64_t hq, hr;
    hex_round(q, (x0 + x1) / 2, (y0 + y1) / 2, &hq, &hr);
    double cx = q->hex_r * SQRT3 * ((double)hq + (double)hr / 2), cy = q->hex_r * 1.5 * (double)hr;
    *key = hex_key(hq, hr);
    return hex_holds(fmax(fabs(x0 - cx), fabs(x1 - cx)), fmax(fabs(y0 - cy), fabs(y1 - cy)),
                     hex_limits(1.0));
}

/* The bin of key, made if new; NULL once TZ_MAP_MAX_FEATURES bins exist. */
static struct bin *bin_get(struct qctx *q, uint64_t key)
{
    if (q->have_last && q->last_key == key)
        return q->last_bin;
    struct scratch *sc = q->sc;
    size_t h = (size_t)((key * 0x9E3779B97F4A7C15ull) >> (64 - q->table_bits));
    struct bin *b = NULL;
    for (;; h = (h + 1) & q->table_mask) {
        if (sc->keys[h] == key) {
            b = &sc->bins[sc->slot[h]];
            break;
        }
        if (sc->keys[h] == EMPTY_KEY) {
            if (q->sign < 0) /* a point taken out was never counted: its bin was left out */
                break;
            if (q->nbins == q->limit) {
                q->truncated = true;
                break;
            }
            sc->keys[h] = key;
            sc->slot[h] = (uint32_t)q->nbins;
            b = &sc->bins[q->nbins++];
            memset(b, 0, sizeof *b);
            b->x0 = b->y0 = UINT32_MAX;
            b->key = key;
            break;
        }
    }
    q->have_last = true;
    q->last_key = key;
    q->last_bin = b;
    return b;
}

/* Clusters: adds the point at position p (x, y, status s). */
static inline __attribute__((always_inline)) void add_point(struct qctx *q, uint32_t p, uint32_t x,
                                                            uint32_t y, unsigned s)
{
    q->matched++;
    struct bin *b = bin_get(q, cell_key(q, x, y));
    if (!b)
        return;
    if (b->count++ == 0) {
        b->ref = p;
        b->ref_set = q->set;
        b->ref_node = 0;
    }
    b->by[s]++;
    b->sx += x;
    b->sy += y;
    b->x0 = x < b->x0 ? x : b->x0;
    b->x1 = x > b->x1 ? x : b->x1;
    b->y0 = y < b->y0 ? y : b->y0;
    b->y1 = y > b->y1 ? y : b->y1;
}

/*
 * Hex bins: the hexagon a scan is filling and the one before it. Points come in Morton order, so
 * mostly they are in the last point's hexagon, and when not, often in the one before (the order
 * goes back and forth across an edge). A local of the scan: read through q on every point, these
 * could not stay in registers (the writes to the bins might change q, for all the compiler knows).
 * Centres are kept in units less half a unit, (px / px_scale) - 0.5: exact (px_scale is a power
 * of two), so that x - ux is a point's (px - cx) / px_scale, the same rounding and all.
 */
struct hex_fill {
    double ux, uy, pux, puy; /* centres of the current and the previous hexagon */
    struct bin *bin, *pbin;  /* their bins (the sink when left out) */
    struct bin *sink;        /* takes the counts of the points whose bin was left out */
    double scale, unit;      /* px_scale and its inverse */
    struct hex_limits lim;   /* hex_limits(unit) */
};

/* Makes the hexagon of the point (x, y), which the current one does not hold, the current one. */
static __attribute__((noinline)) void hex_switch(struct qctx *q, struct hex_fill *h, uint32_t x,
                                                 uint32_t y)
{
    double ux = h->pux, uy = h->puy;
    struct bin *b = h->pbin;
    if (!hex_holds(fabs((double)x - ux), fabs((double)y - uy), h->lim)) {
        int64_t hq, hr;
        hex_round(q, ((double)x + 0.5) * h->scale, ((double)y + 0.5) * h->scale, &hq, &hr);
        ux = q->hex_r * SQRT3 * ((double)hq + (double)hr / 2) * h->unit - 0.5;
        uy = q->hex_r * 1.5 * (double)hr * h->unit - 0.5;
        b = bin_get(q, hex_key(hq, hr));
        b = b ? b : h->sink;
    }
    h->pux = h->ux;
    h->puy = h->uy;
    h->pbin = h->bin;
    h->ux = ux;
    h->uy = uy;
    h->bin = b;
}

/* Adds the points of statuses `mask` of node ni, which all pass and share bin `key`. */
static void add_node(struct qctx *q, uint32_t ni, unsigned mask, uint64_t key)
{
    const struct mi_sums *sm = &q->L->sums[ni];
    uint32_t count = 0;
    for (unsigned m = mask; m; m &= m - 1)
        count += sm->count[__builtin_ctz(m)];
    q->matched += (uint64_t)((int64_t)q->sign * count);
    struct bin *b = bin_get(q, key);
    if (!b)
        return;
    if (q->sign < 0) {
        b->count -= count;
        for (unsigned m = mask; m; m &= m - 1)
            b->by[__builtin_ctz(m)] -= sm->count[__builtin_ctz(m)];
        return;
    }
    if (b->count == 0 && count == 1) {
        b->ref = ni;
        b->ref_set = q->set;
        b->ref_node = 1;
        b->ref_mask = (uint8_t)mask;
    }
    b->count += count;
    for (unsigned m = mask; m; m &= m - 1) {
        int s = __builtin_ctz(m);
        b->by[s] += sm->count[s];
        b->sx += sm->sx[s];
        b->sy += sm->sy[s];
        b->x0 = sm->box[s][0] < b->x0 ? sm->box[s][0] : b->x0;
        b->y0 = sm->box[s][1] < b->y0 ? sm->box[s][1] : b->y0;
        b->x1 = sm->box[s][2] > b->x1 ? sm->box[s][2] : b->x1;
        b->y1 = sm->box[s][3] > b->y1 ? sm->box[s][3] : b->y1;
    }
}

static bool box_in_view(const struct qctx *q, const struct box *b)
{
    return b->x0 >= q->view.x0 && b->x1 <= q->view.x1 && b->y0 >= q->view.y0 && b->y1 <= q->view.y1;
}

/*
 * What a scan tests of each point, copied out of q and the layout before the
 * loop: the loop writes through q, so the compiler would read them again on
 * every point. (The windows by status stay in q: copied too, they cost the
 * hex loop a register and 1 % of its instructions.)
 */
struct pass_test {
    const uint32_t *x, *y;
    const int32_t *recv, *ch;
    const uint8_t *st;
    struct box view;
    int32_t rfrom, rto;
};

static inline __attribute__((always_inline)) struct pass_test pass_test_of(const struct qctx *q)
{
    const struct mi_layout *L = q->L;
    return (struct pass_test){L->x, L->y, L->recv, L->ch, L->st, q->view, q->rfrom, q->rto};
}

/*
 * Whether the point at p (status s, at x, y: the caller reads them once) has
 * a status in S, lies in the viewport (unless the run is known to) and passes
 * the time filters (unless the set keeps no times). Evaluated whole rather
 * than short-circuited: cheaper than the branches it saves.
 */
static inline __attribute__((always_inline)) bool passes(const struct qctx *q,
                                                         const struct pass_test t, uint32_t p,
                                                         unsigned s, uint32_t x, uint32_t y,
                                                         unsigned S, bool timeless, bool inside)
{
    bool ok = (S >> s) & 1;
    if (!inside)
        ok &= (x >= t.view.x0) & (x <= t.view.x1) & (y >= t.view.y0) & (y <= t.view.y1);
    if (!timeless)
        ok &= (t.recv[p] >= t.rfrom) & (t.recv[p] < t.rto) & (t.ch[p] >= q->minch[s]);
    return ok;
}

/*
 * Counts the points of positions [b, e) with statuses in S that pass; made
 * once per kind of set, so that the loop holds no test it does not need.
 */
static inline __attribute__((always_inline)) void scan_run(struct qctx *q, uint32_t b, uint32_t e,
                                                           unsigned S, bool timeless)
{
    const struct pass_test t = pass_test_of(q);
    for (uint32_t p = b; p < e; p++) {
        unsigned s = t.st[p];
        uint32_t x = t.x[p], y = t.y[p];
        if (passes(q, t, p, s, x, y, S, timeless, false))
            add_point(q, p, x, y, s);
    }
}

/*
 * Hex bins: scan_run's counterpart, made also for runs inside the viewport (a node's box
 * inside it), which need no test of the position.
 */
static inline __attribute__((always_inline)) void
scan_hex_run(struct qctx *q, uint32_t b, uint32_t e, unsigned S, bool timeless, bool inside)
{
    const struct pass_test t = pass_test_of(q);
    const double scale = q->px_scale, unit = 1.0 / scale;
    const struct hex_limits lim = hex_limits(unit);
    const uint32_t sign = (uint32_t)q->sign;
    static _Thread_local struct bin sink; /* what it holds is never read */
    struct hex_fill h = {.ux = q->hcx * unit - 0.5, .uy = q->hcy * unit - 0.5};
    h.pux = h.puy = INFINITY;
    h.bin = q->hbin ? q->hbin : &sink;
    h.pbin = h.sink = &sink;
    h.scale = scale;
    h.unit = unit;
    h.lim = lim;
    uint32_t run = 0; /* points counted in h.bin->by but not yet in its count */
    uint64_t passed = 0;
    for (uint32_t p = b; p < e; p++) {
        unsigned s = t.st[p];
        uint32_t x = t.x[p], y = t.y[p];
        if (!passes(q, t, p, s, x, y, S, timeless, inside))
            continue;
        if (!hex_holds(fabs((double)x - h.ux), fabs((double)y - h.uy), lim)) {
            h.bin->count += sign * run;
            passed += run;
            run = 0;
            hex_switch(q, &h, x, y);
        }
        h.bin->by[s] += sign;
        run++;
    }
    h.bin->count += sign * run;
    passed += run;
    q->matched += (uint64_t)q->sign * passed;
    q->hcx = (h.ux + 0.5) * scale;
    q->hcy = (h.uy + 0.5) * scale;
    q->hbin = h.bin != &sink ? h.bin : NULL;
}

static void scan(struct qctx *q, uint32_t b, uint32_t e, unsigned S)
{
    if (q->mode == TZ_MAP_HEX)
        q->timeless ? scan_hex_run(q, b, e, S, true, false)
                    : scan_hex_run(q, b, e, S, false, false);
    else
        q->timeless ? scan_run(q, b, e, S, true) : scan_run(q, b, e, S, false);
}

/* Scans the points of statuses S of node nd. */
static void scan_node(struct qctx *q, const struct mi_node *nd, unsigned S)
{
    const struct box b = {nd->x0, nd->y0, nd->x1, nd->y1};
    if (q->mode != TZ_MAP_HEX || !box_in_view(q, &b))
        scan(q, nd->begin, nd->end, S);
    else if (q->timeless)
        scan_hex_run(q, nd->begin, nd->end, S, true, true);
    else
        scan_hex_run(q, nd->begin, nd->end, S, false, true);
}

/* Counts the points of statuses S under node ni. */
static void visit(struct qctx *q, uint32_t ni, unsigned S)
{
    const struct mi_node *nd = &q->L->nodes[ni];
    const struct box *v = &q->view;
    S &= nd->present;
    if (!S || nd->x1 < v->x0 || nd->x0 > v->x1 || nd->y1 < v->y0 || nd->y0 > v->y1)
        return;
    unsigned clean = 0, mixed = 0;
    if (q->timeless) {
        clean = S;
        S = 0;
    } else if (q->lfrom > DAY_S(nd->recv_max) || q->lto <= DAY_S(nd->recv_min)) {
        return;
    }
    bool recv_clean = q->lfrom <= DAY_S(nd->recv_min) && DAY_S(nd->recv_max) < q->lto;
    for (unsigned m = S; m; m &= m - 1) {
        int s = __builtin_ctz(m);
        if (mi_tick_hi(nd->ch_max[s], q->L->ch_base) < q->lminch[s])
            continue; /* none of them passes */
        if (recv_clean && mi_tick_lo(nd->ch_min[s], q->L->ch_base) >= q->lminch[s])
            clean |= 1u << s;
        else
            mixed |= 1u << s;
    }
    S = clean | mixed;
    if (!S)
        return;
    if (clean) {
        struct box cb = {nd->x0, nd->y0, nd->x1, nd->y1};
        if (clean != nd->present) {
            const struct mi_sums *sm = &q->L->sums[ni];
            cb = (struct box){UINT32_MAX, UINT32_MAX, 0, 0};
            for (unsigned m = clean; m; m &= m - 1) {
                const uint32_t *a = sm->box[__builtin_ctz(m)];
                cb.x0 = a[0] < cb.x0 ? a[0] : cb.x0;
                cb.y0 = a[1] < cb.y0 ? a[1] : cb.y0;
                cb.x1 = a[2] > cb.x1 ? a[2] : cb.x1;
                cb.y1 = a[3] > cb.y1 ? a[3] : cb.y1;
            }
        }
        uint64_t key;
        if (box_in_view(q, &cb) && fits_one(q, &cb, &key)) {
            add_node(q, ni, clean, key);
            S = mixed;
            if (!S)
                return;
        }
    }
    /* Scanning a few points costs less than visiting the nodes above them. */
    if (!nd->child || nd->end - nd->begin <= SCAN_POINTS) {
        scan_node(q, nd, S);
        return;
    }
    for (uint32_t c = nd->child; c < nd->child + nd->nchild; c++)
        visit(q, c, S);
}

static void use_set(struct qctx *q, int set)
{
    q->L = &q->idx->set[set].L;
    q->set = (uint8_t)set;
    q->timeless = q->idx->set[set].timeless;
    q->have_last = false;
    q->hcx = q->hcy = INFINITY; /* the bin cached with it may be the wrong way round (sign) */
}

/* Counts (sign 1) or takes back out (-1) the points of statuses S under root of a set. */
static void walk(struct qctx *q, int set, uint32_t root, unsigned S, int sign)
{
    if (root == NONE || !S)
        return;
    use_set(q, set);
    q->sign = sign;
    visit(q, root, S);
    q->sign = 1;
}

/* The buffer of a set, not yet in any tree: every point of statuses S is checked. */
static void scan_buffer(struct qctx *q, int set, const struct tz_map_filter *f, unsigned S)
{
    use_set(q, set);
    const struct mi_layout *L = q->L;
    for (uint32_t p = (uint32_t)q->idx->set[set].frozen; p < L->n; p++)
        scan(q, p, p + 1, f->status_mask[L->cat[p]] & S);
}

/*
 * Statuses of category k whose points in A's and L's chunks of the build (the
 * points of B and C) all pass the time filters: B and C keep no times, so they are
 * read only for these.
 */
static unsigned base_clean(const struct qctx *q, int k)
{
    int64_t rmin = INT64_MAX, rmax = INT64_MIN, chmin[NSTAT];
    for (int s = 0; s < NSTAT; s++)
        chmin[s] = INT64_MAX;
    for (size_t t = 0; t < 2; t++) {
        const struct mi_set *a = &q->idx->set[t ? SET_L : SET_A];
        for (size_t i = 0; i < a->built_chunks; i++) {
            uint32_t r = a->chunks[i].root[k];
            if (r == NONE || !a->L.nodes[r].present)
                continue;
            const struct mi_node *nd = &a->L.nodes[r];
            rmin = DAY_S(nd->recv_min) < rmin ? DAY_S(nd->recv_min) : rmin;
            rmax = DAY_S(nd->recv_max) > rmax ? DAY_S(nd->recv_max) : rmax;
            for (int s = 0; s < NSTAT; s++) {
                if ((nd->present >> s) & 1) {
                    int64_t lo = mi_tick_lo(nd->ch_min[s], a->L.ch_base);
                    chmin[s] = lo < chmin[s] ? lo : chmin[s];
                }
            }
        }
    }
    if (rmin <= rmax && (q->lfrom > rmin || rmax >= q->lto))
        return 0;
    unsigned clean = 0;
    for (int s = 0; s < NSTAT; s++)
        clean |= chmin[s] >= q->lminch[s] ? 1u << s : 0;
    return clean;
}

/*
 * Statuses that P answers for every category: the filter asks for each of
 * them from exactly the categories the usual view shows it for (in hex mode
 * also from all but a few of them, whose points are then taken back out:
 * minus[k]); every point that left the view by time fails the filter's
 * window; and no received_at bound cuts through P (one tree over all times
 * would then be read point by point).
 */
static unsigned usual_statuses(const struct qctx *q, const struct tz_map_filter *f,
                               unsigned minus[NCAT])
{
    const struct tz_map_index *idx = q->idx;
    const struct mi_set *p = &idx->set[SET_P], *b = &idx->set[SET_B], *c = &idx->set[SET_C];
    if (!idx->has_usual || !p->nchunks)
        return 0;
    /* The share of the build's points taken out (from B's counts, which include the points
     * that left the view by time) is judged against all of them (C's). */
    const struct mi_sums *all = c->nchunks ? &c->L.sums[c->chunks[0].root[0]] : NULL;
    const struct mi_node *root = &p->L.nodes[p->chunks[0].root[0]];
    if (root->present && (q->lfrom > DAY_S(root->recv_min) || DAY_S(root->recv_max) >= q->lto))
        return 0;
    unsigned S = 0;
    for (int s = 0; s < NSTAT; s++) {
        bool asked = false, within = true;
        uint32_t out = 0; /* points of status s the view shows and the filter does not want */
        for (int k = 0; k < NCAT; k++) {
            bool want = (f->status_mask[k] >> s) & 1, shown = (idx->usual.status_mask[k] >> s) & 1;
            asked |= want;
            within &= !want || shown;
            if (shown && !want && b->nchunks && b->chunks[0].root[k] != NONE)
                out += b->L.sums[b->chunks[0].root[k]].count[s];
        }
        if (!asked || !within || (idx->expired_any[s] && idx->expired_max_ch[s] >= q->lminch[s]))
            continue;
        /* Clusters need each point's box and id, which cannot be taken back out. */
        if (out && (q->mode != TZ_MAP_HEX || !all || out > all->count[s] / 4))
            continue;
        S |= 1u << s;
        for (int k = 0; out && k < NCAT; k++) {
            if (((idx->usual.status_mask[k] & ~f->status_mask[k]) >> s) & 1)
                minus[k] |= 1u << s;
        }
    }
    return S;
}

/*
 * Statuses with a window in the usual view that W answers for the categories
 * that want them (when P does not answer them): every category the filter
 * asks them of shows them in the view, and every point that left the view by
 * time fails the filter's window. W holds the other points of the build in
 * them.
 */
static unsigned window_statuses(const struct qctx *q, const struct tz_map_filter *f)
{
    const struct tz_map_index *idx = q->idx;
    if (!idx->has_usual || idx->window_broken)
        return 0;
    unsigned S = 0;
    for (int s = 0; s < NSTAT; s++) {
        if (!idx->usual.shown_for[s])
            continue;
        bool asked = false, within = true;
        for (int k = 0; k < NCAT; k++) {
            bool want = (f->status_mask[k] >> s) & 1, shown = (idx->usual.status_mask[k] >> s) & 1;
            asked |= want;
            within &= !want || shown;
        }
        if (asked && within && (!idx->expired_any[s] || idx->expired_max_ch[s] < q->lminch[s]))
            S |= 1u << s;
    }
    return S;
}

/*
 * Takes the points of statuses S of category k out of the hex bins, as P
 * counted them: from B for statuses the filter puts no window on (P then
 * holds every point of the build that B holds for them), else from A's and
 * L's chunks of the build under the filter's window (every point of the
 * category that passes it is in P too: usual_statuses checked that the points
 * that left P fail it).
 */
static void usual_minus(struct qctx *q, int k, unsigned S)
{
    const struct tz_map_index *idx = q->idx;
    unsigned timed = 0;
    for (int s = 0; s < NSTAT; s++)
        timed |= q->lminch[s] != INT64_MIN ? 1u << s : 0;
    const struct mi_set *b = &idx->set[SET_B];
    walk(q, SET_B, b->nchunks ? b->chunks[0].root[k] : NONE, S & ~timed, -1);
    static const int timed_sets[] = {SET_A, SET_L};
    for (size_t t = 0; t < 2; t++) {
        const struct mi_set *x = &idx->set[timed_sets[t]];
        for (size_t i = 0; i < x->built_chunks; i++)
            walk(q, timed_sets[t], x->chunks[i].root[k], S & timed, -1);
    }
}

/*
 * Reads each (category, status) the filter asks for from exactly one place
 * (see the top): P for the statuses of the usual view (usual_statuses); C for the statuses the
 * filter asks of every category (in hex mode also of all but a few, whose points are then taken
 * back out of the bins) and whose time filters all of C meets; B for the other statuses whose
 * filters the category's points of the build meet; A's and L's chunks of the build for the
 * rest; their later chunks and buffers always.
 */
static void plan(struct qctx *q, const struct tz_map_filter *f)
{
    const struct mi_set *a = &q->idx->set[SET_A], *b = &q->idx->set[SET_B];
    const struct mi_set *c = &q->idx->set[SET_C], *l = &q->idx->set[SET_L];
    const struct mi_set *p = &q->idx->set[SET_P], *w = &q->idx->set[SET_W];
    uint32_t croot = c->nchunks ? c->chunks[0].root[0] : NONE, broot[NCAT];
    unsigned clean[NCAT], minus[NCAT] = {0}, usual_out[NCAT] = {0};
    unsigned usual = usual_statuses(q, f, usual_out); /* statuses for P */
    unsigned window = window_statuses(q, f) & ~usual; /* statuses for W */
    unsigned built = ALL_STATUSES & ~usual & ~window; /* the build's points elsewhere */
    unsigned every = croot != NONE ? built : 0;       /* statuses for C */
    for (int k = 0; k < NCAT; k++) {
        broot[k] = b->nchunks ? b->chunks[0].root[k] : NONE;
        clean[k] = broot[k] != NONE ? base_clean(q, k) & built : 0;
        if (broot[k] != NONE)
            every &= clean[k];
    }
    for (int s = 0; s < NSTAT; s++) {
        if (!((every >> s) & 1))
            continue;
        uint32_t out = 0; /* points of status s in C of categories that do not want it */
        for (int k = 0; k < NCAT; k++) {
            if (broot[k] != NONE && !((f->status_mask[k] >> s) & 1))
                out += b->L.sums[broot[k]].count[s];
        }
        /* Clusters need each point's box and id, which cannot be taken back out. */
        if (out && (q->mode != TZ_MAP_HEX || out > c->L.sums[croot].count[s] / 4)) {
            every &= ~(1u << s);
            continue;
        }
        for (int k = 0; out && k < NCAT; k++) {
            if (broot[k] != NONE && !((f->status_mask[k] >> s) & 1))
                minus[k] |= 1u << s;
        }
    }
    walk(q, SET_P, p->nchunks ? p->chunks[0].root[0] : NONE, usual, 1);
    for (int k = 0; k < NCAT; k++) {
        if (usual_out[k])
            usual_minus(q, k, usual_out[k]);
    }
    walk(q, SET_C, croot, every, 1);
    for (int k = 0; k < NCAT; k++)
        walk(q, SET_B, broot[k], minus[k], -1);
    for (int k = 0; k < NCAT; k++) {
        unsigned M = f->status_mask[k] & ALL_STATUSES;
        if (!M)
            continue;
        unsigned U = every | (M & clean[k]);
        walk(q, SET_B, broot[k], M & clean[k] & ~every, 1);
        for (size_t i = 0; i < a->nchunks; i++)
            walk(q, SET_A, a->chunks[i].root[k], i < a->built_chunks ? M & ~U & built : M, 1);
        for (size_t i = 0; i < l->nchunks; i++)
            walk(q, SET_L, l->chunks[i].root[k], i < l->built_chunks ? M & ~U & built : M, 1);
        for (size_t i = 0; i < w->nchunks; i++)
            walk(q, SET_W, w->chunks[i].root[k], M & window, 1);
    }
    scan_buffer(q, SET_A, f, ALL_STATUSES);
    scan_buffer(q, SET_L, f, ALL_STATUSES);
    if (window)
        scan_buffer(q, SET_W, f, window);
}

static tz_err scratch_ready(struct tz_map_result *out, size_t limit, struct scratch **res)
{
    struct scratch *sc = out->priv;
    if (!sc) {
        sc = calloc(1, sizeof *sc);
        if (!sc)
            return TZ_ENOMEM;
        out->priv = sc;
    }
    size_t want = 16;
    while (want < 2 * limit)
        want *= 2;
    if (sc->table_cap < want) {
        uint64_t *k = realloc(sc->keys, want * sizeof *k);
        if (!k)
            return TZ_ENOMEM;
        sc->keys = k;
        uint32_t *s = realloc(sc->slot, want * sizeof *s);
        if (!s)
            return TZ_ENOMEM;
        sc->slot = s;
        sc->table_cap = want;
    }
    if (sc->bins_cap < limit) {
        struct bin *b = realloc(sc->bins, limit * sizeof *b);
        if (!b)
            return TZ_ENOMEM;
        sc->bins = b;
        sc->bins_cap = limit;
    }
    *res = sc;
    return TZ_OK;
}

/* The one point behind a bin of count 1: its layout and position. */
static void single_point(const struct tz_map_index *idx, const struct bin *b,
                         const struct mi_layout **L, uint32_t *pos)
{
    *L = &idx->set[b->ref_set].L;
    if (!b->ref_node) {
        *pos = b->ref;
        return;
    }
    uint32_t ni = b->ref;
    for (;;) {
        const struct mi_node *nd = &(*L)->nodes[ni];
        if (!nd->child)
            break;
        uint32_t next = nd->child;
        for (uint32_t c = nd->child; c < nd->child + nd->nchild; c++) {
            uint32_t n = 0;
            for (unsigned m = b->ref_mask; m; m &= m - 1)
                n += (*L)->sums[c].count[__builtin_ctz(m)];
            if (n)
                next = c;
        }
        ni = next;
    }
    const struct mi_node *leaf = &(*L)->nodes[ni];
    *pos = leaf->begin;
    for (uint32_t p = leaf->begin; p < leaf->end; p++) {
        if ((*L)->st[p] < NSTAT && ((b->ref_mask >> (*L)->st[p]) & 1)) {
            *pos = p;
            break;
        }
    }
}

/* The received_at of the live point at position p of layout L: B and C keep no times, but each
 * of their live points lives in A or L too. */
static int32_t received_of(const struct tz_map_index *idx, const struct mi_layout *L, uint32_t p)
{
    if (L->recv)
        return L->recv[p];
    uint32_t pid = L->pid[p], pa = idx->pos[SET_A][pid];
    return pa != NONE ? idx->set[SET_A].L.recv[pa] : idx->set[SET_L].L.recv[idx->pos[SET_L][pid]];
}

/*
 * Hexagons of a row share the latitudes of their centres and corners: a small
 * cache of rows saves most of the atan and sinh calls of a hex answer.
 */
#define HEX_ROWS 64

struct hex_row {
    int64_t hr;
    bool set;
    double lat, corner_lat[6];
};

struct hex_rows {
    double dx[6], dy[6]; /* corners from the centre, px */
    struct hex_row row[HEX_ROWS];
};

static void hex_rows_init(const struct qctx *q, struct hex_rows *hr)
{
    for (int i = 0; i < 6; i++) {
        /* Pixel y grows southward, so turning clockwise on screen is counterclockwise on the
         * map, as RFC 7946 wants outer rings. */
        double a = (-30.0 - 60.0 * i) * (M_PI / 180.0);
        hr->dx[i] = q->hex_r * cos(a);
        hr->dy[i] = q->hex_r * sin(a);
    }
    for (int i = 0; i < HEX_ROWS; i++)
        hr->row[i].set = false;
}

static void make_feature(const struct qctx *q, struct hex_rows *rows, const struct bin *b,
                         struct tz_map_feature *f)
{
    memset(f, 0, sizeof *f);
    f->count = b->count;
    memcpy(f->by_status, b->by, sizeof f->by_status);
    if (q->mode == TZ_MAP_HEX) {
        int64_t hq = (int64_t)(b->key >> 32) - 0x40000000;
        int64_t hr = (int64_t)(b->key & 0xFFFFFFFFu) - 0x40000000;
        double cx = q->hex_r * SQRT3 * ((double)hq + (double)hr / 2.0);
        double cy = q->hex_r * 1.5 * (double)hr;
        struct hex_row *row = &rows->row[(uint64_t)hr % HEX_ROWS];
        if (!row->set || row->hr != hr) {
            row->hr = hr;
            row->set = true;
            row->lat = lat_of(cy / q->px_scale);
            for (int i = 0; i < 6; i++)
                row->corner_lat[i] = lat_of((cy + rows->dy[i]) / q->px_scale);
        }
        f->lon = lon_of(cx / q->px_scale);
        f->lat = row->lat;
        for (int i = 0; i < 6; i++) {
            f->hex[i][0] = lon_of((cx + rows->dx[i]) / q->px_scale);
            f->hex[i][1] = row->corner_lat[i];
        }
        /* The box of the hexagon (its points may have been counted from whole nodes and taken
         * back out by category, which leaves no box of their own). */
        f->west = f->hex[2][0];
        f->east = f->hex[0][0];
        f->north = f->hex[1][1];
        f->south = f->hex[4][1];
        return;
    }
    f->west = lon_of((double)b->x0 + 0.5);
    f->east = lon_of((double)b->x1 + 0.5);
    f->north = lat_of((double)b->y0 + 0.5);
    f->south = lat_of((double)b->y1 + 0.5);
    if (b->count == 1) {
        const struct mi_layout *L;
        uint32_t p;
        single_point(q->idx, b, &L, &p);
        f->lon = lon_of((double)L->x[p] + 0.5);
        f->lat = lat_of((double)L->y[p] + 0.5);
        f->id = q->idx->id[L->pid[p]];
        f->category = L->cat[p];
        f->status = L->st[p];
        f->received_at = (int64_t)received_of(q->idx, L, p) + EPOCH;
        f->expansion_zoom = q->zoom;
        return;
    }
    f->lon = lon_of((double)b->sx / b->count + 0.5);
    f->lat = lat_of((double)b->sy / b->count + 0.5);
    /* The points share a cell at zoom z while (x0, y0) and (x1, y1) agree above bit 30 - z. */
    uint32_t diff = (b->x0 ^ b->x1) | (b->y0 ^ b->y1);
    int ez = 31 - (diff ? 32 - __builtin_clz(diff) : 0);
    f->expansion_zoom = ez > TZ_MAP_MAX_ZOOM ? TZ_MAP_MAX_ZOOM : ez;
}

/* Turns the viewport into index units; false when it holds no position. */
static bool view_units(const struct tz_map_query *qu, struct box *v)
{
    double x0 = ceil(unit_x(qu->west) - 0.5), x1 = floor(unit_x(qu->east) - 0.5);
    double y0 = ceil(unit_y(qu->north) - 0.5), y1 = floor(unit_y(qu->south) - 0.5);
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > WORLD - 1 ? WORLD - 1 : x1;
    y1 = y1 > WORLD - 1 ? WORLD - 1 : y1;
    if (x0 > x1 || y0 > y1)
        return false;
    *v = (struct box){(uint32_t)x0, (uint32_t)y0, (uint32_t)x1, (uint32_t)y1};
    return true;
}

/* How many bins the viewport can hold, at most TZ_MAP_MAX_FEATURES. */
static size_t bins_limit(const struct qctx *q)
{
    double est;
    if (q->mode == TZ_MAP_CLUSTERS) {
        est = ((double)(q->view.x1 >> q->shift) - (q->view.x0 >> q->shift) + 1) *
              ((double)(q->view.y1 >> q->shift) - (q->view.y0 >> q->shift) + 1);
    } else {
        double w = ((double)q->view.x1 - q->view.x0 + 1) * q->px_scale;
        double h = ((double)q->view.y1 - q->view.y0 + 1) * q->px_scale;
        est = (w / TZ_MAP_HEX_PX + 2) * (h / (1.5 * q->hex_r) + 3);
    }
    return est < TZ_MAP_MAX_FEATURES ? (size_t)est : TZ_MAP_MAX_FEATURES;
}

static bool query_valid(const struct tz_map_query *q)
{
    return q->zoom >= 0 && q->zoom <= TZ_MAP_MAX_ZOOM && isfinite(q->west) && isfinite(q->east) &&
           isfinite(q->south) && isfinite(q->north) && q->west <= q->east && q->south <= q->north &&
           (q->mode == TZ_MAP_CLUSTERS || q->mode == TZ_MAP_HEX);
}

tz_err tz_map_index_query(const struct tz_map_index *idx, const struct tz_map_query *qu,
                          struct tz_map_result *out)
{
    out->count = 0;
    out->matched = 0;
    out->truncated = false;
    if (!query_valid(qu))
        return TZ_EINVAL;
    struct qctx q = {
        .idx = idx,
        .mode = qu->mode,
        .zoom = qu->zoom,
        .shift = 30 - qu->zoom,
        .px_scale = ldexp(1.0, qu->zoom - 24),
        .hex_r = TZ_MAP_HEX_PX / SQRT3,
        .inv_r = SQRT3 / TZ_MAP_HEX_PX,
        .hcx = INFINITY,
        .hcy = INFINITY,
        .rfrom = rel_bound(qu->filter.received_from, INT32_MIN),
        .rto = rel_bound(qu->filter.received_to, INT32_MAX),
        .sign = 1,
    };
    q.lfrom = qu->filter.received_from ? q.rfrom : INT64_MIN;
    q.lto = qu->filter.received_to ? q.rto : INT64_MAX;
    for (int s = 0; s < NSTAT; s++) {
        q.minch[s] = rel_bound(qu->filter.min_changed_at[s], INT32_MIN);
        q.lminch[s] = qu->filter.min_changed_at[s] ? q.minch[s] : INT64_MIN;
    }
    q.minch[NSTAT] = INT32_MAX; /* dead slots never pass */
    if (!view_units(qu, &q.view) || q.rfrom >= q.rto)
        return TZ_OK;
    q.limit = bins_limit(&q);
    tz_err err = scratch_ready(out, q.limit, &q.sc);
    if (err)
        return err;
    q.table_bits = 4;
    while (((size_t)1 << q.table_bits) < 2 * q.limit)
        q.table_bits++;
    q.table_mask = ((size_t)1 << q.table_bits) - 1;
    memset(q.sc->keys, 0xFF, ((size_t)1 << q.table_bits) * sizeof *q.sc->keys);

    struct tz_map_index *w = (struct tz_map_index *)idx; /* the lock is not part of the value */
    if (pthread_rwlock_rdlock(&w->lock) != 0)
        return TZ_EBUSY;
    plan(&q, &qu->filter);
    struct hex_rows rows;
    if (q.mode == TZ_MAP_HEX)
        hex_rows_init(&q, &rows);
    if (out->cap < q.nbins) {
        struct tz_map_feature *f = realloc(out->features, q.nbins * sizeof *f);
        if (!f) {
            err = TZ_ENOMEM;
            goto done;
        }
        out->features = f;
        out->cap = q.nbins;
    }
    for (size_t i = 0; i < q.nbins; i++) {
        if (q.sc->bins[i].count) /* a hex bin may have lost all its points again */
            make_feature(&q, &rows, &q.sc->bins[i], &out->features[out->count++]);
    }
    out->matched = q.matched;
    out->truncated = q.truncated;
done:
    pthread_rwlock_unlock(&w->lock);
    return err;
}

void tz_map_result_free(struct tz_map_result *r)
{
    struct scratch *sc = r->priv;
    if (sc) {
        free(sc->keys);
        free(sc->slot);
        free(sc->bins);
        free(sc);
    }
    free(r->features);
    memset(r, 0, sizeof *r);
}

/* ---- visits ------------------------------------------------------------- */

#define VISIT_BATCH 1024

/* A point gathered under the lock, converted to a tz_map_point after it. */
struct vrec {
    int64_t id;
    uint32_t x, y;
    int32_t recv, ch;
    uint8_t cat, st;
};

/* A visit under way: the box in units, the filter as relative times, the points gathered. */
struct vctx {
    const struct tz_map_index *idx;
    const struct mi_layout *L;
    struct box box;
    const uint8_t *mask; /* statuses wanted per category */
    int32_t rfrom, rto;  /* received_at in [rfrom, rto) */
    int32_t minch[NSTAT + 1];
    int64_t lfrom, lto; /* the same for node bounds, open ends past any time */
    bool no_ids;
    struct vrec *recs;
    size_t n, cap;
    tz_err err;
};

/* Checks the points at positions [b, e) of the layout one by one. */
static void visit_scan(struct vctx *v, uint32_t b, uint32_t e)
{
    const struct mi_layout *L = v->L;
    for (uint32_t p = b; p < e && !v->err; p++) {
        unsigned s = L->st[p];
        uint32_t x = L->x[p], y = L->y[p];
        if (s >= NSTAT || !((v->mask[L->cat[p]] >> s) & 1) || x < v->box.x0 || x > v->box.x1 ||
            y < v->box.y0 || y > v->box.y1 || L->recv[p] < v->rfrom || L->recv[p] >= v->rto ||
            L->ch[p] < v->minch[s])
            continue;
        if (v->n == v->cap) {
            size_t cap = v->cap ? v->cap * 2 : 1024;
            struct vrec *r = realloc(v->recs, cap * sizeof *r);
            if (!r) {
                v->err = TZ_ENOMEM;
                return;
            }
            v->recs = r;
            v->cap = cap;
        }
        v->recs[v->n++] = (struct vrec){
            .id = v->no_ids ? 0 : v->idx->id[L->pid[p]],
            .x = x,
            .y = y,
            .recv = L->recv[p],
            .ch = L->ch[p],
            .cat = L->cat[p],
            .st = (uint8_t)s,
        };
    }
}

/* Hands the gathered points to fn in batches, outside the lock. */
static tz_err visit_deliver(const struct vctx *v, tz_map_visit_fn fn, void *ctx)
{
    struct tz_map_point *batch = malloc(VISIT_BATCH * sizeof *batch);
    if (!batch)
        return TZ_ENOMEM;
    tz_err err = TZ_OK;
    for (size_t i = 0; !err && i < v->n; i += VISIT_BATCH) {
        size_t m = v->n - i < VISIT_BATCH ? v->n - i : VISIT_BATCH;
        for (size_t k = 0; k < m; k++) {
            const struct vrec *r = &v->recs[i + k];
            batch[k] = (struct tz_map_point){
                .id = r->id,
                .lat = lat_of(r->y + 0.5),
                .lon = lon_of(r->x + 0.5),
                .category = r->cat,
                .status = r->st,
                .received_at = (int64_t)r->recv + EPOCH,
                .status_changed_at = (int64_t)r->ch + EPOCH,
            };
        }
        err = fn(ctx, batch, m);
    }
    free(batch);
    return err;
}

/* Descends node ni, dropping subtrees outside the box, the period or the statuses wanted. */
static void visit_node(struct vctx *v, uint32_t ni, unsigned S)
{
    const struct mi_node *nd = &v->L->nodes[ni];
    if (v->err || !(S & nd->present) || nd->x1 < v->box.x0 || nd->x0 > v->box.x1 ||
        nd->y1 < v->box.y0 || nd->y0 > v->box.y1 || v->lfrom > DAY_S(nd->recv_max) ||
        v->lto <= DAY_S(nd->recv_min))
        return;
    if (!nd->child) {
        visit_scan(v, nd->begin, nd->end);
        return;
    }
    for (uint32_t c = nd->child; c < nd->child + nd->nchild; c++)
        visit_node(v, c, S);
}

tz_err tz_map_index_visit(const struct tz_map_index *idx, const struct tz_map_visit *vq,
                          tz_map_visit_fn fn, void *ctx)
{
    struct vctx *v = calloc(1, sizeof *v);
    if (!v)
        return TZ_ENOMEM;
    *v = (struct vctx){
        .idx = idx,
        .box = {0, 0, UINT32_MAX, UINT32_MAX},
        .mask = vq->filter.status_mask,
        .rfrom = rel_bound(vq->filter.received_from, INT32_MIN),
        .rto = rel_bound(vq->filter.received_to, INT32_MAX),
        .no_ids = vq->no_ids,
    };
    v->lfrom = vq->filter.received_from ? v->rfrom : INT64_MIN;
    v->lto = vq->filter.received_to ? v->rto : INT64_MAX;
    for (int s = 0; s < NSTAT; s++)
        v->minch[s] = rel_bound(vq->filter.min_changed_at[s], INT32_MIN);
    v->minch[NSTAT] = INT32_MAX;
    tz_err err = TZ_OK;
    if (vq->has_box) {
        struct tz_map_query q = {
            .west = vq->west, .south = vq->south, .east = vq->east, .north = vq->north};
        if (!query_valid(&q)) {
            free(v);
            return TZ_EINVAL;
        }
        if (!view_units(&q, &v->box) || v->rfrom >= v->rto) {
            free(v);
            return TZ_OK;
        }
    }
    struct tz_map_index *w = (struct tz_map_index *)idx; /* the lock is not part of the value */
    if (pthread_rwlock_rdlock(&w->lock) != 0) {
        free(v);
        return TZ_EBUSY;
    }
    /* Every live point is in A or in L (B, C and P mirror them): their chunks, then buffers. */
    static const int sets[] = {SET_A, SET_L};
    for (size_t si = 0; si < 2 && !v->err; si++) {
        const struct mi_set *set = &idx->set[sets[si]];
        v->L = &set->L;
        for (size_t i = 0; i < set->nchunks && !v->err; i++) {
            for (int k = 0; k < NCAT; k++) {
                uint32_t root = set->chunks[i].root[k];
                unsigned S = v->mask[k] & ALL_STATUSES;
                if (root != NONE && S)
                    visit_node(v, root, S);
            }
        }
        visit_scan(v, (uint32_t)set->frozen, (uint32_t)set->L.n);
    }
    /* The lock is held only while the points are gathered: updates wait milliseconds, not for
     * whatever fn does with a million points. */
    pthread_rwlock_unlock(&w->lock);
    err = v->err ? v->err : visit_deliver(v, fn, ctx);
    free(v->recs);
    free(v);
    return err;
}
