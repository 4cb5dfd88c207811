/*
 * mapindex_query.c - a map query (tz_map_index_query in mapindex.h): checks
 * it, turns its viewport and filter into the index's units, runs the plan
 * (mapindex_walk.c) under the read lock and turns the bins into features:
 * centroids and boxes of clusters, the one report of a cluster of one,
 * hexagons' corners.
 */
#include "threatmap/mapindex_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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
bool mi_view_units(const struct tz_map_query *qu, struct box *v)
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

/* Whether a query's zoom, viewport and mode make sense. */
bool mi_query_valid(const struct tz_map_query *q)
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
    if (!mi_query_valid(qu))
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
    if (!mi_view_units(qu, &q.view) || q.rfrom >= q.rto)
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
    mi_query_plan(&q, &qu->filter);
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
