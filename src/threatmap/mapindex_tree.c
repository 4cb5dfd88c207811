/*
 * mapindex_tree.c - the storage of the map index (see mapindex_tree.h).
 *
 * A tree is built over a run of points sorted by Morton key: a node covers
 * the points sharing a key prefix, cut at the first 2-bit digit where its
 * points differ (so each inner node has 2 to 4 children and the tree is no
 * deeper than 32), down to leaves of at most MI_LEAF_POINTS points (or points
 * at one spot). Nodes are stored in build order with consecutive children, so
 * a tree is an array walk; each node's sums are recomputed from its children.
 */
#include "threatmap/mapindex_tree.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

int16_t mi_day_floor(int32_t t)
{
    int32_t d = t / MI_DAY - (t % MI_DAY < 0);
    return (int16_t)(d < INT16_MIN ? INT16_MIN : d > INT16_MAX ? INT16_MAX : d);
}

int16_t mi_day_ceil(int32_t t)
{
    int32_t d = t / MI_DAY + (t % MI_DAY > 0);
    return (int16_t)(d < INT16_MIN ? INT16_MIN : d > INT16_MAX ? INT16_MAX : d);
}

/* Floors and ceilings are kept inside (INT16_MIN, INT16_MAX) except where they saturate, which
 * the readers take as an open end (a minimum below the range, a maximum above it); a maximum
 * below the range or a minimum above it stays a bound. */
int16_t mi_tick_floor(int32_t t, int32_t base)
{
    int64_t d = (int64_t)t - base;
    int64_t h = d / MI_TICK - (d % MI_TICK < 0);
    return (int16_t)(h < INT16_MIN ? INT16_MIN : h > INT16_MAX - 1 ? INT16_MAX - 1 : h);
}

int16_t mi_tick_ceil(int32_t t, int32_t base)
{
    int64_t d = (int64_t)t - base;
    int64_t h = d / MI_TICK + (d % MI_TICK > 0);
    return (int16_t)(h < INT16_MIN + 1 ? INT16_MIN + 1 : h > INT16_MAX ? INT16_MAX : h);
}

static uint64_t spread_bits(uint32_t v)
{
    uint64_t x = v;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFull;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFull;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0Full;
    x = (x | (x << 2)) & 0x3333333333333333ull;
    x = (x | (x << 1)) & 0x5555555555555555ull;
    return x;
}

uint64_t mi_morton(uint32_t x, uint32_t y)
{
    return spread_bits(x) | (spread_bits(y) << 1);
}

/* Least significant digit first, 11 bits a pass; passes where every key has the same digit are
 * skipped (most of them for points in one country). */
tz_err mi_sort_by_key(uint64_t *keys, uint32_t *vals, size_t n)
{
    enum { DIGIT = 11, RADIX = 1 << DIGIT, PASSES = 6 };
    tz_err err = TZ_ENOMEM;
    uint64_t *k2 = malloc((n ? n : 1) * sizeof *k2);
    uint32_t *v2 = malloc((n ? n : 1) * sizeof *v2);
    size_t *hist = calloc((size_t)PASSES * RADIX, sizeof *hist);
    if (!k2 || !v2 || !hist)
        goto done;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = keys[i];
        for (int p = 0; p < PASSES; p++)
            hist[(size_t)p * RADIX + ((k >> (p * DIGIT)) & (RADIX - 1))]++;
    }
    uint64_t *ka = keys, *kb = k2;
    uint32_t *va = vals, *vb = v2;
    for (int p = 0; p < PASSES; p++) {
        size_t *h = hist + (size_t)p * RADIX;
        bool trivial = false;
        for (size_t d = 0; d < RADIX && !trivial; d++)
            trivial = h[d] == n;
        if (trivial)
            continue;
        size_t sum = 0;
        for (size_t d = 0; d < RADIX; d++) {
            size_t c = h[d];
            h[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t at = h[(ka[i] >> (p * DIGIT)) & (RADIX - 1)]++;
            kb[at] = ka[i];
            vb[at] = va[i];
        }
        uint64_t *kt = ka;
        ka = kb;
        kb = kt;
        uint32_t *vt = va;
        va = vb;
        vb = vt;
    }
    if (ka != keys) {
        memcpy(keys, ka, n * sizeof *keys);
        memcpy(vals, va, n * sizeof *vals);
    }
    err = TZ_OK;
done:
    free(k2);
    free(v2);
    free(hist);
    return err;
}

/* ---- layouts ------------------------------------------------------------ */

#define GROW(field, cap)                                                                           \
    do {                                                                                           \
        void *p_ = realloc((field), (cap) * sizeof *(field));                                      \
        if (!p_)                                                                                   \
            return TZ_ENOMEM;                                                                      \
        (field) = p_;                                                                              \
    } while (0)

/* Makes room for cap points (and their times unless timeless); on failure the contents are as
 * they were. */
static tz_err layout_reserve(struct mi_layout *L, size_t cap, bool timeless)
{
    if (cap <= L->cap)
        return TZ_OK;
    GROW(L->x, cap);
    GROW(L->y, cap);
    GROW(L->pid, cap);
    if (!timeless) {
        GROW(L->recv, cap);
        GROW(L->ch, cap);
    }
    GROW(L->cat, cap);
    GROW(L->st, cap);
    L->cap = cap;
    return TZ_OK;
}

/* Makes room for `need` nodes in all. */
static tz_err nodes_reserve(struct mi_layout *L, size_t need)
{
    if (need <= L->nodes_cap)
        return TZ_OK;
    size_t cap = L->nodes_cap + L->nodes_cap / 4;
    if (cap < need)
        cap = need;
    GROW(L->nodes, cap);
    GROW(L->sums, cap);
    L->nodes_cap = cap;
    return TZ_OK;
}

static void layout_free(struct mi_layout *L)
{
    free(L->x);
    free(L->y);
    free(L->pid);
    free(L->recv);
    free(L->ch);
    free(L->cat);
    free(L->st);
    free(L->nodes);
    free(L->sums);
    memset(L, 0, sizeof *L);
}

/* Recomputes what node ni knows from its points (leaf) or its children. */
static void node_update(struct mi_layout *L, uint32_t ni)
{
    struct mi_node *nd = &L->nodes[ni];
    struct mi_sums *sm = &L->sums[ni];
    int32_t ch_min[MI_NSTAT], ch_max[MI_NSTAT], recv_min = INT32_MAX, recv_max = INT32_MIN;
    for (int s = 0; s < MI_NSTAT; s++) {
        sm->count[s] = 0;
        sm->box[s][0] = sm->box[s][1] = UINT32_MAX;
        sm->box[s][2] = sm->box[s][3] = 0;
        sm->sx[s] = sm->sy[s] = 0;
        ch_min[s] = INT32_MAX;
        ch_max[s] = INT32_MIN;
    }
    if (!nd->child) {
        for (uint32_t p = nd->begin; p < nd->end; p++) {
            unsigned s = L->st[p];
            if (s >= MI_NSTAT)
                continue;
            uint32_t x = L->x[p], y = L->y[p];
            int32_t ch = L->ch ? L->ch[p] : 0, recv = L->recv ? L->recv[p] : 0;
            sm->count[s]++;
            sm->box[s][0] = x < sm->box[s][0] ? x : sm->box[s][0];
            sm->box[s][1] = y < sm->box[s][1] ? y : sm->box[s][1];
            sm->box[s][2] = x > sm->box[s][2] ? x : sm->box[s][2];
            sm->box[s][3] = y > sm->box[s][3] ? y : sm->box[s][3];
            sm->sx[s] += x;
            sm->sy[s] += y;
            ch_min[s] = ch < ch_min[s] ? ch : ch_min[s];
            ch_max[s] = ch > ch_max[s] ? ch : ch_max[s];
            recv_min = recv < recv_min ? recv : recv_min;
            recv_max = recv > recv_max ? recv : recv_max;
        }
        for (int s = 0; s < MI_NSTAT; s++) {
            nd->ch_min[s] = sm->count[s] ? mi_tick_floor(ch_min[s], L->ch_base) : INT16_MAX;
            nd->ch_max[s] = sm->count[s] ? mi_tick_ceil(ch_max[s], L->ch_base) : INT16_MIN;
        }
        nd->recv_min = recv_min <= recv_max ? mi_day_floor(recv_min) : INT16_MAX;
        nd->recv_max = recv_min <= recv_max ? mi_day_ceil(recv_max) : INT16_MIN;
    } else {
        for (int s = 0; s < MI_NSTAT; s++) {
            nd->ch_min[s] = INT16_MAX;
            nd->ch_max[s] = INT16_MIN;
        }
        nd->recv_min = INT16_MAX;
        nd->recv_max = INT16_MIN;
        for (uint32_t c = nd->child; c < nd->child + nd->nchild; c++) {
            const struct mi_node *k = &L->nodes[c];
            const struct mi_sums *ks = &L->sums[c];
            for (int s = 0; s < MI_NSTAT; s++) {
                if (!ks->count[s])
                    continue;
                sm->count[s] += ks->count[s];
                sm->box[s][0] = ks->box[s][0] < sm->box[s][0] ? ks->box[s][0] : sm->box[s][0];
                sm->box[s][1] = ks->box[s][1] < sm->box[s][1] ? ks->box[s][1] : sm->box[s][1];
                sm->box[s][2] = ks->box[s][2] > sm->box[s][2] ? ks->box[s][2] : sm->box[s][2];
                sm->box[s][3] = ks->box[s][3] > sm->box[s][3] ? ks->box[s][3] : sm->box[s][3];
                sm->sx[s] += ks->sx[s];
                sm->sy[s] += ks->sy[s];
                nd->ch_min[s] = k->ch_min[s] < nd->ch_min[s] ? k->ch_min[s] : nd->ch_min[s];
                nd->ch_max[s] = k->ch_max[s] > nd->ch_max[s] ? k->ch_max[s] : nd->ch_max[s];
            }
            nd->recv_min = k->recv_min < nd->recv_min ? k->recv_min : nd->recv_min;
            nd->recv_max = k->recv_max > nd->recv_max ? k->recv_max : nd->recv_max;
        }
    }
    nd->present = 0;
    nd->x0 = nd->y0 = UINT32_MAX;
    nd->x1 = nd->y1 = 0;
    for (int s = 0; s < MI_NSTAT; s++) {
        if (!sm->count[s])
            continue;
        nd->present |= (uint8_t)(1u << s);
        nd->x0 = sm->box[s][0] < nd->x0 ? sm->box[s][0] : nd->x0;
        nd->y0 = sm->box[s][1] < nd->y0 ? sm->box[s][1] : nd->y0;
        nd->x1 = sm->box[s][2] > nd->x1 ? sm->box[s][2] : nd->x1;
        nd->y1 = sm->box[s][3] > nd->y1 ? sm->box[s][3] : nd->y1;
    }
}

/* ---- trees -------------------------------------------------------------- */

_Static_assert(sizeof(struct mi_node) == 64, "a node is one cache line");

static bool is_leaf_run(const uint64_t *k, uint32_t b, uint32_t e)
{
    return e - b <= MI_LEAF_POINTS || k[b] == k[e - 1];
}

/*
 * Cuts the sorted keys k[b..e), which are not all equal, at their first
 * differing 2-bit digit: part i is [bounds[i], bounds[i + 1]). Returns the
 * number of parts (2..4).
 */
static int split_run(const uint64_t *k, uint32_t b, uint32_t e, uint32_t bounds[5])
{
    int shift = 62 - (__builtin_clzll(k[b] ^ k[e - 1]) & ~1);
    int parts = 0;
    uint32_t lo = b;
    bounds[0] = b;
    for (uint64_t digit = ((k[b] >> shift) & 3) + 1; digit <= 4 && lo < e; digit++) {
        uint32_t hi = e;
        if (digit < 4) {
            uint32_t l = lo, r = e; /* the first key whose digit is >= digit */
            while (l < r) {
                uint32_t m = l + (r - l) / 2;
                if (((k[m] >> shift) & 3) < digit)
                    l = m + 1;
                else
                    r = m;
            }
            hi = l;
        }
        if (hi > lo)
            bounds[++parts] = hi;
        lo = hi;
    }
    return parts;
}

static size_t count_nodes(const uint64_t *k, uint32_t b, uint32_t e)
{
    if (is_leaf_run(k, b, e))
        return 1;
    uint32_t bounds[5];
    int parts = split_run(k, b, e, bounds);
    size_t total = 1;
    for (int i = 0; i < parts; i++)
        total += count_nodes(k, bounds[i], bounds[i + 1]);
    return total;
}

/*
 * Fills node ni over layout positions [b, e) and its subtree (room was
 * reserved). The key of position p is k[p - off].
 */
static void fill_node(struct mi_layout *L, const uint64_t *k, uint32_t off, uint32_t ni, uint32_t b,
                      uint32_t e)
{
    struct mi_node *nd = &L->nodes[ni];
    nd->begin = b;
    nd->end = e;
    nd->child = 0;
    nd->nchild = 0;
    if (!is_leaf_run(k, b - off, e - off)) {
        uint32_t bounds[5];
        int parts = split_run(k, b - off, e - off, bounds);
        uint32_t first = (uint32_t)L->nnodes;
        L->nnodes += (size_t)parts;
        nd->child = first;
        nd->nchild = (uint8_t)parts;
        for (int i = 0; i < parts; i++)
            fill_node(L, k, off, first + (uint32_t)i, bounds[i] + off, bounds[i + 1] + off);
    }
    node_update(L, ni);
}

/* Nodes that trees_build needs over keys k[0..n) of categories cats[0..n) (NULL: one tree). */
static size_t count_trees(const uint8_t *cats, const uint64_t *k, uint32_t n)
{
    size_t total = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t j = cats ? i : n;
        while (j < n && cats[j] == cats[i])
            j++;
        total += count_nodes(k, i, j);
        i = j;
    }
    return total;
}

/*
 * Builds one tree per category over positions [b, e), sorted by (category,
 * key), or one tree in root[0] if one_tree; k[p - b] is the key of position
 * p. Room for the nodes was reserved.
 */
static void trees_build(struct mi_layout *L, bool one_tree, const uint64_t *k, uint32_t b,
                        uint32_t e, uint32_t root[MI_NCAT])
{
    for (int c = 0; c < MI_NCAT; c++)
        root[c] = MI_NONE;
    for (uint32_t i = b; i < e;) {
        uint32_t j = one_tree ? e : i;
        while (j < e && L->cat[j] == L->cat[i])
            j++;
        uint32_t r = (uint32_t)L->nnodes++;
        root[one_tree ? 0 : L->cat[i]] = r;
        fill_node(L, k, b, r, i, j);
        i = j;
    }
}

/* Recomputes the nodes from root down to the leaf holding position pos. */
static void refresh_path(struct mi_layout *L, uint32_t root, uint32_t pos)
{
    uint32_t path[40]; /* a tree is at most 33 deep */
    int depth = 0;
    uint32_t ni = root;
    for (;;) {
        path[depth++] = ni;
        const struct mi_node *nd = &L->nodes[ni];
        if (!nd->child || depth == 40)
            break;
        uint32_t next = nd->child;
        for (uint32_t c = nd->child; c < nd->child + nd->nchild; c++) {
            if (pos >= L->nodes[c].begin && pos < L->nodes[c].end)
                next = c;
        }
        ni = next;
    }
    while (depth > 0)
        node_update(L, path[--depth]);
}

/* ---- sets --------------------------------------------------------------- */

static tz_err chunks_reserve(struct mi_set *s, size_t need)
{
    if (need <= s->chunks_cap)
        return TZ_OK;
    size_t cap = s->chunks_cap * 2 > need ? s->chunks_cap * 2 : need + 4;
    GROW(s->chunks, cap);
    s->chunks_cap = cap;
    return TZ_OK;
}

static void put_rec(struct mi_layout *L, size_t j, const struct mi_rec *r)
{
    L->x[j] = r->x;
    L->y[j] = r->y;
    L->pid[j] = r->pid;
    if (L->recv) {
        L->recv[j] = r->recv;
        L->ch[j] = r->ch;
    }
    L->cat[j] = r->cat;
    L->st[j] = r->st;
}

/*
 * Cuts recs in chunks of about chunk_points by time: a histogram of the times
 * in 65,536 buckets, a new chunk whenever one is full. Writes each record's
 * chunk; returns the number of chunks (0 on failure).
 */
static size_t cut_by_time(const struct mi_rec *recs, size_t m, enum mi_time time,
                          size_t chunk_points, uint32_t *chunk)
{
    enum { BUCKETS = 65536 };
    if (time == MI_TIME_NONE || m <= chunk_points) {
        memset(chunk, 0, m * sizeof *chunk);
        return 1;
    }
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t j = 0; j < m; j++) {
        int64_t t = time == MI_TIME_RECEIVED ? recs[j].recv : recs[j].ch;
        lo = t < lo ? t : lo;
        hi = t > hi ? t : hi;
    }
    uint32_t *map = calloc(BUCKETS, sizeof *map);
    if (!map)
        return 0;
    uint64_t span = (uint64_t)(hi - lo) + 1;
#define BUCKET(j)                                                                                  \
    ((size_t)((uint64_t)((time == MI_TIME_RECEIVED ? recs[j].recv : recs[j].ch) - lo) * BUCKETS /  \
              span))
    for (size_t j = 0; j < m; j++)
        map[BUCKET(j)]++;
    uint32_t cur = 0;
    size_t acc = 0;
    for (size_t b = 0; b < BUCKETS; b++) {
        acc += map[b];
        map[b] = cur;
        if (acc >= chunk_points) {
            cur++;
            acc = 0;
        }
    }
    for (size_t j = 0; j < m; j++)
        chunk[j] = map[BUCKET(j)];
#undef BUCKET
    free(map);
    return cur + (acc > 0);
}

struct keyed { /* one write stream per group rather than one per group and array */
    struct mi_rec r;
    uint64_t key;
};

size_t mi_set_build_work(size_t m)
{
    return (m ? m : 1) * (sizeof(struct keyed) + sizeof(uint64_t) + sizeof(uint32_t));
}

tz_err mi_set_build(struct mi_set *s, const struct mi_rec *recs, const uint64_t *keys, size_t m,
                    enum mi_time time, size_t chunk_points, uint32_t *pos, void *work)
{
    assert(s->L.n == 0 && s->nchunks == 0); /* empty but for its flags */
    size_t cap = time == MI_TIME_NONE ? m : m + m / 16 + MI_BUFFER_POINTS;
    struct keyed *sorted = work;
    uint64_t *sorted_keys = (uint64_t *)(sorted + (m ? m : 1));
    const uint64_t *k = sorted_keys;
    uint32_t *chunk = (uint32_t *)(sorted_keys + (m ? m : 1));
    size_t *start = NULL, nchunks = 0;
    tz_err err = layout_reserve(&s->L, cap ? cap : 1, s->timeless);
    if (!err) {
        nchunks = cut_by_time(recs, m, time, chunk_points, chunk);
        start = calloc(nchunks * MI_NCAT + 1, sizeof *start);
        err = nchunks && start ? chunks_reserve(s, nchunks) : TZ_ENOMEM;
    }
    if (err)
        goto done;
    /* Stable counting sort by (chunk, category): the key order holds inside each. */
    for (size_t j = 0; j < m; j++)
        start[chunk[j] * MI_NCAT + (s->one_tree ? 0 : recs[j].cat) + 1]++;
    for (size_t g = 0; g < nchunks * MI_NCAT; g++)
        start[g + 1] += start[g];
    if (nchunks == 1 && s->one_tree) { /* one group: the input order is the order */
        for (size_t d = 0; d < m; d++) {
            put_rec(&s->L, d, &recs[d]);
            pos[recs[d].pid] = (uint32_t)d;
        }
        k = keys;
    } else {
        for (size_t j = 0; j < m; j++) {
            size_t d = start[chunk[j] * MI_NCAT + (s->one_tree ? 0 : recs[j].cat)]++;
            sorted[d].r = recs[j];
            sorted[d].key = keys[j];
        }
        for (size_t d = 0; d < m; d++) {
            put_rec(&s->L, d, &sorted[d].r);
            sorted_keys[d] = sorted[d].key;
            pos[sorted[d].r.pid] = (uint32_t)d;
        }
    }
    s->L.n = m;
    /* start[g] is now the end of group g: chunk c ends at start[c * NCAT + NCAT - 1]. */
    size_t need = 0;
    for (size_t c = 0, b = 0; c < nchunks; c++) {
        size_t e = start[c * MI_NCAT + MI_NCAT - 1];
        need += count_trees(s->one_tree ? NULL : s->L.cat + b, k + b, (uint32_t)(e - b));
        b = e;
    }
    err = nodes_reserve(&s->L, need);
    if (err)
        goto done;
    for (size_t c = 0, b = 0; c < nchunks; c++) {
        size_t e = start[c * MI_NCAT + MI_NCAT - 1];
        if (e == b)
            continue;
        struct mi_chunk *ck = &s->chunks[s->nchunks++];
        ck->begin = (uint32_t)b;
        ck->end = (uint32_t)e;
        ck->node0 = (uint32_t)s->L.nnodes;
        trees_build(&s->L, s->one_tree, k + b, (uint32_t)b, (uint32_t)e, ck->root);
        b = e;
    }
    s->frozen = m;
    s->built_chunks = s->nchunks;
done:
    free(start);
    return err;
}

tz_err mi_set_reserve(struct mi_set *s)
{
    if (s->L.n < s->L.cap)
        return TZ_OK;
    return layout_reserve(&s->L, s->L.cap + s->L.cap / 2 + 1024, s->timeless);
}

uint32_t mi_set_append(struct mi_set *s, const struct mi_rec *r)
{
    assert(s->L.n < s->L.cap); /* room reserved (mi_set_reserve) */
    put_rec(&s->L, s->L.n, r);
    return (uint32_t)s->L.n++;
}

/* The chunk holding frozen position pos. */
static const struct mi_chunk *chunk_of(const struct mi_set *s, uint32_t pos)
{
    size_t l = 0, r = s->nchunks;
    while (r - l > 1) {
        size_t m = l + (r - l) / 2;
        if (s->chunks[m].begin <= pos)
            l = m;
        else
            r = m;
    }
    return &s->chunks[l];
}

void mi_set_update(struct mi_set *s, uint32_t pos, uint8_t status, int32_t ch)
{
    s->L.st[pos] = status;
    if (status != MI_TOMB && s->L.ch)
        s->L.ch[pos] = ch;
    if (pos < s->frozen)
        refresh_path(&s->L, chunk_of(s, pos)->root[s->one_tree ? 0 : s->L.cat[pos]], pos);
}

/*
 * Sorts the live points of [from, n) by (category, key) into one chunk that
 * replaces the chunks there, dropping dead slots; updates pos[pid].
 */
static tz_err rebuild_tail(struct mi_set *s, size_t from, uint32_t *pos)
{
    struct mi_layout *L = &s->L;
    size_t m = L->n - from, live = 0;
    uint64_t *key = malloc((m ? m : 1) * sizeof *key), *k = malloc((m ? m : 1) * sizeof *k);
    uint32_t *order = malloc((m ? m : 1) * sizeof *order);
    uint32_t *src = malloc((m ? m : 1) * sizeof *src);
    uint8_t *cats = malloc(m ? m : 1);
    uint32_t *tmp = malloc((m ? m : 1) * sizeof *tmp);
    size_t start[MI_NCAT + 1] = {0};
    tz_err err =
        key && k && order && src && cats && tmp ? chunks_reserve(s, s->nchunks + 1) : TZ_ENOMEM;
    if (err)
        goto done;
    for (size_t i = 0; i < m; i++) {
        if (L->st[from + i] >= MI_NSTAT)
            continue;
        key[live] = mi_morton(L->x[from + i], L->y[from + i]);
        order[live++] = (uint32_t)i;
    }
    err = mi_sort_by_key(key, order, live);
    if (err)
        goto done;
    for (size_t j = 0; j < live; j++)
        start[(s->one_tree ? 0 : L->cat[from + order[j]]) + 1]++;
    for (int c = 0; c < MI_NCAT; c++)
        start[c + 1] += start[c];
    for (size_t j = 0; j < live; j++) {
        size_t d = start[s->one_tree ? 0 : L->cat[from + order[j]]]++;
        k[d] = key[j];
        src[d] = order[j];
        cats[d] = L->cat[from + order[j]];
    }
    size_t keep = s->nchunks; /* the chunks before `from` stay */
    while (keep > 0 && s->chunks[keep - 1].begin >= from)
        keep--;
    size_t base = keep < s->nchunks ? s->chunks[keep].node0 : L->nnodes;
    err = nodes_reserve(L, base + count_trees(s->one_tree ? NULL : cats, k, (uint32_t)live));
    if (err)
        goto done;
        /* Nothing can fail from here on. */
#define PERMUTE(arr, type)                                                                         \
    do {                                                                                           \
        type *t_ = (type *)tmp;                                                                    \
        for (size_t d = 0; d < live; d++)                                                          \
            t_[d] = (arr)[from + src[d]];                                                          \
        memcpy((arr) + from, t_, live * sizeof(type));                                             \
    } while (0)
    PERMUTE(L->x, uint32_t);
    PERMUTE(L->y, uint32_t);
    PERMUTE(L->pid, uint32_t);
    if (L->recv) {
        PERMUTE(L->recv, int32_t);
        PERMUTE(L->ch, int32_t);
    }
    PERMUTE(L->cat, uint8_t);
    PERMUTE(L->st, uint8_t);
#undef PERMUTE
    L->n = from + live;
    for (size_t d = 0; d < live; d++)
        pos[L->pid[from + d]] = (uint32_t)(from + d);
    s->nchunks = keep;
    L->nnodes = base;
    if (live) {
        struct mi_chunk *ck = &s->chunks[s->nchunks++];
        ck->begin = (uint32_t)from;
        ck->end = (uint32_t)L->n;
        ck->node0 = (uint32_t)base;
        trees_build(L, s->one_tree, k, (uint32_t)from, (uint32_t)L->n, ck->root);
    }
    s->frozen = L->n;
done:
    free(key);
    free(k);
    free(order);
    free(src);
    free(cats);
    free(tmp);
    return err;
}

tz_err mi_set_freeze(struct mi_set *s, uint32_t *pos)
{
    if (s->L.n - s->frozen < MI_BUFFER_POINTS)
        return TZ_OK;
    /* Like a binary counter: the new chunk takes in the chunks made of earlier buffers while
     * they are no bigger than it, so their number stays small. */
    size_t from = s->frozen, tail = s->L.n - s->frozen;
    for (size_t k = s->nchunks; k > s->built_chunks; k--) {
        const struct mi_chunk *prev = &s->chunks[k - 1];
        size_t size = prev->end - prev->begin;
        if (size > tail || size + tail > MI_MERGE_MAX)
            break;
        from = prev->begin;
        tail += size;
    }
    return rebuild_tail(s, from, pos);
}

size_t mi_set_bytes(const struct mi_set *s)
{
    size_t per_point = (s->timeless ? 3 : 5) * sizeof(uint32_t) + 2 * sizeof(uint8_t);
    return s->L.cap * per_point +
           s->L.nodes_cap * (sizeof(struct mi_node) + sizeof(struct mi_sums)) +
           s->chunks_cap * sizeof(struct mi_chunk);
}

void mi_set_free(struct mi_set *s)
{
    layout_free(&s->L);
    free(s->chunks);
    memset(s, 0, sizeof *s);
}
