/*
 * router.c - finds the district whose polygon covers a point.
 *
 * The shared part of a router is immutable after tz_router_build: each
 * district's geometry as WKB, its bounding box and the box around them all.
 * GEOS does the geometry: an STRtree finds the districts whose boxes hold the
 * point and a prepared geometry answers "covers" in O(log n) of the polygon's
 * vertices, through an index it builds on its first use.
 *
 * Threads. A GEOS context handle may serve one thread at a time, and a
 * prepared geometry builds its index lazily (mutating itself on a query), as
 * does an STRtree on its first query, so none of them may be shared between
 * concurrent callers. A single mutex around them would be correct and
 * uncontended fast, but every caller would queue on one lock and one cache
 * line, so concurrent routing would not scale past one core. Instead the
 * router has one slot per online CPU (at most MAX_SLOTS); each slot is a
 * whole private GEOS world - context, STRtree, and the districts read back
 * from WKB and prepared on first need - behind its own mutex. A thread starts
 * at the slot its thread number picks, so distinct threads usually hold
 * distinct, uncontended locks; when its slot is busy it tries a few others,
 * then waits. Slots, not thread-local storage: nothing has to be cleaned up
 * when a thread ends (libmicrohttpd may start a thread per connection), and
 * memory is bounded by the CPUs, at worst one copy of the districts per slot,
 * each built only for the districts that slot has met.
 *
 * One thing stays shared all the same: GEOS 3.11 counts the geometries of
 * its default GeometryFactory, which every context uses, in a plain int, so
 * each geometry made or freed writes one cache line common to all threads.
 * A locate makes one geometry (the query point), so that line moves between
 * cores on every call and scaling stays below linear. (The race on that
 * counter is harmless: the default factory is never freed.)
 *
 * tz_router_free must not run while any tz_router_locate on the same router
 * is in progress; that is the caller's ordering.
 */
#include "geo/geo.h"

#include <math.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geo/geos_util.h"

#define MAX_SLOTS 64
#define PROBES 4 /* slots tried without waiting before waiting on one's own */

/* One private set of GEOS objects; used under its lock only. */
struct slot {
    alignas(64) pthread_mutex_t lock; /* on its own cache lines: no false sharing */
    bool ready;                       /* the fields below are made */
    struct geo_ctx ctx;
    GEOSWKBReader *reader;
    GEOSSTRtree *tree;
    GEOSGeometry **geoms;              /* per district, NULL until first needed */
    const GEOSPreparedGeometry **prep; /* likewise */
    size_t *cand;                      /* the districts whose boxes hold the point */
    size_t ncand;
};

struct tz_router {
    size_t count;
    unsigned char **wkb; /* each district's geometry, read by the slots */
    size_t *wkb_len;
    double *box;   /* 4 per district: xmin, ymin, xmax, ymax */
    double all[4]; /* the box around every district */
    size_t nslots;
    struct slot *slots;
};

size_t tz_router_count(const struct tz_router *router)
{
    return router ? router->count : 0;
}

/* Reads one district's GeoJSON and keeps it as WKB and a box; TZ_EINVAL unless polygonal. */
static tz_err add_district(struct tz_router *r, size_t i, struct geo_ctx *c,
                           GEOSGeoJSONReader *reader, GEOSWKBWriter *writer, const char *text)
{
    if (!text)
        return TZ_EINVAL;
    GEOSGeometry *g = GEOSGeoJSONReader_readGeometry_r(c->h, reader, text);
    if (!g)
        return TZ_EINVAL;
    tz_err err = TZ_OK;
    int type = GEOSGeomTypeId_r(c->h, g);
    double *box = &r->box[4 * i];
    size_t len = 0;
    unsigned char *wkb = NULL;
    if ((type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) || GEOSisEmpty_r(c->h, g) != 0 ||
        !GEOSGeom_getExtent_r(c->h, g, &box[0], &box[1], &box[2], &box[3])) {
        err = TZ_EINVAL;
        goto done;
    }
    for (int k = 0; k < 4; k++)
        if (!isfinite(box[k]))
            err = TZ_EINVAL;
    if (err)
        goto done;
    wkb = GEOSWKBWriter_write_r(c->h, writer, g, &len);
    if (!wkb || !(r->wkb[i] = malloc(len))) {
        err = TZ_ENOMEM;
        goto done;
    }
    memcpy(r->wkb[i], wkb, len);
    r->wkb_len[i] = len;
done:
    if (wkb)
        GEOSFree_r(c->h, wkb);
    GEOSGeom_destroy_r(c->h, g);
    return err;
}

static size_t slot_count(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        return 1;
    return cpus > MAX_SLOTS ? MAX_SLOTS : (size_t)cpus;
}

tz_err tz_router_build(const char *const *geometries, size_t count, struct tz_router **out)
{
    *out = NULL;
    if (!geometries && count)
        return TZ_EINVAL;
    struct geo_ctx c = {0};
    GEOSGeoJSONReader *reader = NULL;
    GEOSWKBWriter *writer = NULL;
    tz_err err = TZ_ENOMEM;
    struct tz_router *r = calloc(1, sizeof *r);
    if (!r)
        return TZ_ENOMEM;
    size_t n = count ? count : 1;
    r->count = count;
    r->nslots = slot_count();
    r->wkb = calloc(n, sizeof *r->wkb);
    r->wkb_len = calloc(n, sizeof *r->wkb_len);
    r->box = calloc(n, 4 * sizeof *r->box);
    /* aligned_alloc wants a multiple of the alignment: sizeof(struct slot) is one. */
    r->slots = aligned_alloc(alignof(struct slot), r->nslots * sizeof *r->slots);
    if (r->slots)
        memset(r->slots, 0, r->nslots * sizeof *r->slots);
    else
        r->nslots = 0;
    if (!r->wkb || !r->wkb_len || !r->box || !r->slots)
        goto fail;
    size_t want = r->nslots;
    for (r->nslots = 0; r->nslots < want; r->nslots++) /* free destroys only the ones made */
        if (pthread_mutex_init(&r->slots[r->nslots].lock, NULL) != 0)
            goto fail;
    if (geo_ctx_init(&c) || !(reader = GEOSGeoJSONReader_create_r(c.h)) ||
        !(writer = GEOSWKBWriter_create_r(c.h)))
        goto fail;
    GEOSWKBWriter_setOutputDimension_r(c.h, writer, 2);
    r->all[0] = r->all[1] = INFINITY;
    r->all[2] = r->all[3] = -INFINITY;
    for (size_t i = 0; i < count; i++) {
        if ((err = add_district(r, i, &c, reader, writer, geometries[i])))
            goto fail;
        const double *box = &r->box[4 * i];
        r->all[0] = fmin(r->all[0], box[0]);
        r->all[1] = fmin(r->all[1], box[1]);
        r->all[2] = fmax(r->all[2], box[2]);
        r->all[3] = fmax(r->all[3], box[3]);
    }
    err = TZ_OK;
    *out = r;
    r = NULL;
fail:
    if (writer)
        GEOSWKBWriter_destroy_r(c.h, writer);
    if (reader)
        GEOSGeoJSONReader_destroy_r(c.h, reader);
    geo_ctx_finish(&c);
    tz_router_free(r);
    return err;
}

/* Undoes slot_init, also a half-done one. */
static void slot_finish(struct slot *s, size_t count)
{
    GEOSContextHandle_t h = s->ctx.h;
    if (h) {
        for (size_t i = 0; s->geoms && i < count; i++) {
            if (s->prep && s->prep[i])
                GEOSPreparedGeom_destroy_r(h, s->prep[i]);
            if (s->geoms[i])
                GEOSGeom_destroy_r(h, s->geoms[i]);
        }
        if (s->tree)
            GEOSSTRtree_destroy_r(h, s->tree);
        if (s->reader)
            GEOSWKBReader_destroy_r(h, s->reader);
    }
    geo_ctx_finish(&s->ctx);
    free(s->geoms);
    free(s->prep);
    free(s->cand);
    s->geoms = NULL;
    s->prep = NULL;
    s->cand = NULL;
    s->tree = NULL;
    s->reader = NULL;
    s->ready = false;
}

/* Makes a slot's context and STRtree; the districts themselves come later, one by one. */
static tz_err slot_init(struct slot *s, const struct tz_router *r)
{
    size_t n = r->count ? r->count : 1;
    if (geo_ctx_init(&s->ctx))
        goto fail;
    GEOSContextHandle_t h = s->ctx.h;
    s->geoms = calloc(n, sizeof *s->geoms);
    s->prep = calloc(n, sizeof *s->prep);
    s->cand = calloc(n, sizeof *s->cand);
    s->reader = GEOSWKBReader_create_r(h);
    s->tree = GEOSSTRtree_create_r(h, 10);
    if (!s->geoms || !s->prep || !s->cand || !s->reader || !s->tree)
        goto fail;
    for (size_t i = 0; i < r->count; i++) {
        const double *b = &r->box[4 * i];
        /* The tree copies the envelope (GEOS >= 3.9), so the box geometry can go at once. */
        GEOSGeometry *box = GEOSGeom_createRectangle_r(h, b[0], b[1], b[2], b[3]);
        if (!box)
            goto fail;
        /* The item is the index plus one: an item pointer must not be NULL. */
        GEOSSTRtree_insert_r(h, s->tree, box, (void *)(uintptr_t)(i + 1));
        GEOSGeom_destroy_r(h, box);
    }
    s->ready = true;
    return TZ_OK;
fail:
    slot_finish(s, r->count);
    return TZ_ENOMEM;
}

/* Picks a slot and locks it; see the top of the file. */
static struct slot *slot_acquire(struct tz_router *r)
{
    static atomic_uint next_thread;
    static _Thread_local unsigned thread_no; /* 0 until this thread first routes */
    if (!thread_no)
        thread_no = atomic_fetch_add_explicit(&next_thread, 1, memory_order_relaxed) + 1;
    size_t home = (thread_no - 1) % r->nslots;
    size_t probes = r->nslots < PROBES ? r->nslots : PROBES;
    for (size_t k = 0; k < probes; k++) {
        struct slot *s = &r->slots[(home + k) % r->nslots];
        if (pthread_mutex_trylock(&s->lock) == 0)
            return s;
    }
    struct slot *s = &r->slots[home];
    pthread_mutex_lock(&s->lock);
    return s;
}

/* STRtree callback: collects a candidate district. */
static void collect(void *item, void *userdata)
{
    struct slot *s = userdata;
    s->cand[s->ncand++] = (size_t)(uintptr_t)item - 1;
}

/* The slot's prepared geometry of district i, read from WKB on first need. */
static const GEOSPreparedGeometry *prepared(struct slot *s, const struct tz_router *r, size_t i)
{
    if (s->prep[i])
        return s->prep[i];
    GEOSContextHandle_t h = s->ctx.h;
    if (!s->geoms[i] &&
        !(s->geoms[i] = GEOSWKBReader_read_r(h, s->reader, r->wkb[i], r->wkb_len[i])))
        return NULL;
    return s->prep[i] = GEOSPrepare_r(h, s->geoms[i]);
}

/* Finds the lowest-index district that covers pt among the slot's candidates. */
static tz_err slot_locate(struct slot *s, const struct tz_router *r, const GEOSGeometry *pt,
                          size_t *index)
{
    GEOSContextHandle_t h = s->ctx.h;
    s->ncand = 0;
    GEOSSTRtree_query_r(h, s->tree, pt, collect, s);
    /* Lowest index first, so that the first district that covers the point is the answer. */
    for (size_t k = 1; k < s->ncand; k++) {
        size_t v = s->cand[k], m = k;
        for (; m > 0 && s->cand[m - 1] > v; m--)
            s->cand[m] = s->cand[m - 1];
        s->cand[m] = v;
    }
    for (size_t k = 0; k < s->ncand; k++) {
        const GEOSPreparedGeometry *prep = prepared(s, r, s->cand[k]);
        if (!prep)
            return TZ_ENOMEM;
        char covers = GEOSPreparedCovers_r(h, prep, pt);
        if (covers == 2)
            return TZ_ENOMEM; /* a GEOS exception on a point query: out of memory */
        if (covers) {
            *index = s->cand[k];
            return TZ_OK;
        }
    }
    return TZ_EOUTSIDE;
}

tz_err tz_router_locate(struct tz_router *router, double lat, double lon, size_t *index)
{
    if (!router || !index || !isfinite(lat) || !isfinite(lon))
        return TZ_EINVAL;
    const double *all = router->all;
    if (lon < all[0] || lat < all[1] || lon > all[2] || lat > all[3])
        return TZ_EOUTSIDE; /* the common case for points far away, without a lock */
    struct slot *s = slot_acquire(router);
    tz_err err = TZ_OK;
    if (!s->ready)
        err = slot_init(s, router);
    if (!err) {
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(s->ctx.h, lon, lat);
        if (!pt) {
            err = TZ_ENOMEM;
        } else {
            err = slot_locate(s, router, pt, index);
            GEOSGeom_destroy_r(s->ctx.h, pt);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return err;
}

void tz_router_free(struct tz_router *router)
{
    if (!router)
        return;
    for (size_t s = 0; router->slots && s < router->nslots; s++) {
        slot_finish(&router->slots[s], router->count);
        pthread_mutex_destroy(&router->slots[s].lock);
    }
    free(router->slots);
    for (size_t i = 0; router->wkb && i < router->count; i++)
        free(router->wkb[i]);
    free(router->wkb);
    free(router->wkb_len);
    free(router->box);
    free(router);
}
