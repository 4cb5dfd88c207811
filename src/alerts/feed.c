/*
 * feed.c - the reports of an area's feed: the newest the public sees, by
 * the time they were received (then id), read in bounded time however many
 * reports the store holds.
 *
 * An area with a box (a rectangle, a circle, a polygon) is read from the
 * threat map's in-memory index (tz_threatmap_visit): the points of the box
 * received in the last week, month, year or ever - the first window that
 * yields enough - are kept when the area holds them, the newest
 * CANDIDATES_MAX of them in a heap; each is then read as the public sees it
 * (tz_threatmap_public_report, which owns the visibility rules), newest
 * first, until max are given. The index's own filter narrows by category and
 * leaves out rejected reports, so few candidates are turned away. Because
 * the box of an area is bounded (TZ_ALERT_SPAN_*), so is a visit.
 *
 * A district has no box here: its feed is the public list's newest pages
 * (by id), kept when the report lies in the district, at most SCAN_MAX read.
 */
#include <stdlib.h>
#include <string.h>

#include "alerts/internal.h"

#define CANDIDATES_MAX (4 * TZ_ALERT_FEED_MAX)
#define LIST_PAGE 200
#define SCAN_MAX 2000
#define DAY 86400

/* A min-heap on (received_at, id) of the newest candidates seen. */
struct candidates {
    struct tz_map_point p[CANDIDATES_MAX];
    size_t n;
    size_t seen;
    const struct tz_alert_area *area;
};

static bool older(const struct tz_map_point *a, const struct tz_map_point *b)
{
    return a->received_at != b->received_at ? a->received_at < b->received_at : a->id < b->id;
}

static void sift_down(struct candidates *c, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < c->n && older(&c->p[l], &c->p[m]))
            m = l;
        if (r < c->n && older(&c->p[r], &c->p[m]))
            m = r;
        if (m == i)
            return;
        struct tz_map_point t = c->p[i];
        c->p[i] = c->p[m];
        c->p[m] = t;
        i = m;
    }
}

static void push(struct candidates *c, const struct tz_map_point *pt)
{
    c->seen++;
    if (c->n == CANDIDATES_MAX) {
        if (!older(&c->p[0], pt))
            return;
        c->p[0] = *pt;
        sift_down(c, 0);
        return;
    }
    size_t i = c->n++;
    c->p[i] = *pt;
    while (i > 0 && older(&c->p[i], &c->p[(i - 1) / 2])) {
        struct tz_map_point t = c->p[i];
        c->p[i] = c->p[(i - 1) / 2];
        c->p[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static tz_err collect(void *ctx, const struct tz_map_point *pts, size_t n)
{
    struct candidates *c = ctx;
    for (size_t i = 0; i < n; i++)
        if (tz_alert_area_contains(c->area, pts[i].lat, pts[i].lon, NULL))
            push(c, &pts[i]);
    return TZ_OK;
}

static int newest_first(const void *a, const void *b)
{
    const struct tz_map_point *x = a, *y = b;
    return older(x, y) ? 1 : older(y, x) ? -1 : 0;
}

/* Hands fn the public view of a report: its public fields only. */
static tz_err give(struct tz_alerts *a, int64_t id, int64_t now, tz_report_view_fn fn, void *ctx,
                   bool *given)
{
    struct tz_report_view v = {0};
    *given = false;
    tz_err err = tz_threatmap_public_report(a->tm, id, now, &v.rec);
    if (err == TZ_ENOTFOUND)
        return TZ_OK;
    if (err)
        return err;
    free(v.rec.description); /* the reporter's words never leave */
    v.rec.description = NULL;
    err = fn(ctx, &v);
    tz_report_rec_clear(&v.rec);
    *given = err == TZ_OK;
    return err;
}

static tz_err public_query(struct tz_alerts *a, const struct tz_alert_spec *spec,
                           struct tz_public_query *q)
{
    static const char *const shown[] = {"new",           "verifying",  "confirmed",
                                        "not_confirmed", "eliminated", "referred"};
    tz_public_query_init(q);
    tz_err err = TZ_OK;
    const struct tz_alert_area *ar = &spec->area;
    if (ar->kind != TZ_AREA_DISTRICT)
        err = tz_public_query_bbox(q, ar->west, ar->south, ar->east, ar->north);
    for (size_t i = 0; !err && i < spec->category_count; i++)
        err = tz_public_query_category(a->tm, q, spec->categories[i], strlen(spec->categories[i]));
    for (size_t i = 0; !err && ar->kind != TZ_AREA_DISTRICT && i < 6; i++)
        err = tz_public_query_status(q, shown[i], strlen(shown[i]));
    return err;
}

static tz_err feed_from_index(struct tz_alerts *a, const struct tz_alert_spec *spec,
                              const struct tz_public_query *q, int64_t now, size_t max,
                              tz_report_view_fn fn, void *ctx)
{
    static const int64_t windows[] = {7 * DAY, 31 * DAY, 366 * DAY, 0};
    struct candidates *c = malloc(sizeof *c);
    if (!c)
        return TZ_ENOMEM;
    struct tz_map_visit v;
    tz_threatmap_visit_of(a->tm, q, &v);
    tz_err err = TZ_OK;
    size_t given = 0;
    for (size_t w = 0; !err && w < sizeof windows / sizeof windows[0] && given < max; w++) {
        c->n = c->seen = 0;
        c->area = &spec->area;
        v.filter.received_from = windows[w] ? now - windows[w] : 0;
        if ((err = tz_threatmap_visit(a->tm, &v, collect, c)))
            break;
        if (c->seen < max && windows[w])
            continue; /* too few even before the public rules: a wider window */
        qsort(c->p, c->n, sizeof c->p[0], newest_first);
        given = 0;
        for (size_t i = 0; !err && i < c->n && given < max; i++) {
            bool one = false;
            err = give(a, c->p[i].id, now, fn, ctx, &one);
            given += one;
        }
        /* Fewer than max public among the candidates: the wider window's are asked for only
         * when this one held no more than the heap (else the newest have been seen). */
        if (given < max && c->seen > CANDIDATES_MAX)
            break;
    }
    free(c);
    return err;
}

struct list_ctx {
    const struct tz_alert_spec *spec;
    size_t max, given, read;
    tz_report_view_fn fn;
    void *ctx;
};

static tz_err list_one(void *ctx, const struct tz_report_view *v)
{
    struct list_ctx *f = ctx;
    f->read++;
    if (f->given >= f->max || !tz_alert_spec_matches(f->spec, &v->rec))
        return TZ_OK;
    f->given++;
    return f->fn(f->ctx, v);
}

static tz_err feed_from_list(struct tz_alerts *a, const struct tz_alert_spec *spec,
                             struct tz_public_query *q, int64_t now, size_t max,
                             tz_report_view_fn fn, void *ctx)
{
    struct list_ctx f = {.spec = spec, .max = max, .fn = fn, .ctx = ctx};
    tz_err err = tz_public_query_limit(q, LIST_PAGE);
    while (!err && f.given < max && f.read < SCAN_MAX) {
        int64_t next = 0;
        if ((err = tz_threatmap_list(a->tm, q, now, list_one, &f, &next)) || next == 0)
            break;
        err = tz_public_query_cursor(q, next);
    }
    return err;
}

tz_err tz_alerts_feed(struct tz_alerts *a, const struct tz_alert_spec *spec, int64_t now,
                      size_t max, tz_report_view_fn fn, void *ctx)
{
    if (max < 1 || max > TZ_ALERT_FEED_MAX)
        return TZ_EINVAL;
    struct tz_public_query q;
    tz_err err = public_query(a, spec, &q);
    if (err)
        return err;
    if (spec->area.kind == TZ_AREA_DISTRICT)
        return feed_from_list(a, spec, &q, now, max, fn, ctx);
    return feed_from_index(a, spec, &q, now, max, fn, ctx);
}
