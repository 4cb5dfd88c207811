/*
 * mapindex_walk.c - how a map query counts (see mapindex.c's top comment): the
 * plan that reads each (category, status) the filter asks for from exactly one
 * set, and the walk down a set's trees that adds whole nodes to a cluster cell
 * or a hexagon where it can and scans points where it must. The hot loops of
 * the index live here, in one translation unit, so that they inline.
 */
#include "threatmap/mapindex_internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

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
void mi_query_plan(struct qctx *q, const struct tz_map_filter *f)
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
