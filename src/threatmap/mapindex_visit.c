/*
 * mapindex_visit.c - every point of the map index that passes a filter, in a
 * box or everywhere (tz_map_index_visit in mapindex.h), for exports and
 * analyses: the points are gathered under the read lock from A and L (every
 * live point is in one of them) and handed to the caller's callback in
 * batches after it.
 */
#include "threatmap/mapindex_internal.h"

#include <pthread.h>
#include <stdlib.h>

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
        if (!mi_query_valid(&q)) {
            free(v);
            return TZ_EINVAL;
        }
        if (!mi_view_units(&q, &v->box) || v->rfrom >= v->rto) {
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
