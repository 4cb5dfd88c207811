/*
 * patrol.c - the district officer's patrol plan: the places of a district
 * to visit this week, ranked by score, each with its reason.
 *
 * The district's reports received in the last TZ_PATROL_DAYS are grouped
 * into places (tz_places_group: same category, 100 m, 14 days, chained), and
 * a place scores the sum over its reports of
 *
 *   weight(status) * 0.5 ^ (age_days / TZ_PATROL_HALF_LIFE) * (1 + 0.5 * me_too)
 *
 * with weight 3 for confirmed, 1.5 for verifying, 1 for new and referred,
 * 0.25 for not_confirmed, and 0 for eliminated and rejected (docs/analysis.md).
 * Places scoring 0 are left out. The plan is a struct that http writes
 * (http/render.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "base/tztime.h"

static const double WEIGHT[TZ_STATUS_COUNT] = {
    [TZ_STATUS_NEW] = 1.0,        [TZ_STATUS_VERIFYING] = 1.5,
    [TZ_STATUS_CONFIRMED] = 3.0,  [TZ_STATUS_NOT_CONFIRMED] = 0.25,
    [TZ_STATUS_ELIMINATED] = 0.0, [TZ_STATUS_REFERRED] = 1.0,
    [TZ_STATUS_REJECTED] = 0.0,
};

struct prow {
    int64_t id;
    int category;
    uint8_t status;
    double lat, lon;
    int64_t received_at;
    int me_too;
    bool overdue;
};

struct collect {
    struct tz_threatmap *tm;
    int64_t now;
    struct prow *rows;
    size_t n, cap;
};

#define PATROL_ROWS_MAX 2000000 /* a district's reports in the window, at most */

static tz_err collect_row(void *ctx, const struct tz_report_row *r)
{
    struct collect *c = ctx;
    enum tz_status st;
    int cat = an_category(c->tm, r->category);
    if (cat < 0 || tz_status_parse(r->status, &st) != TZ_OK)
        return TZ_OK;
    if (c->n == c->cap) {
        if (c->cap >= PATROL_ROWS_MAX)
            return TZ_ETOOBIG;
        size_t cap = c->cap ? c->cap * 2 : 256;
        struct prow *p = realloc(c->rows, cap * sizeof *p);
        if (!p)
            return TZ_ENOMEM;
        c->rows = p;
        c->cap = cap;
    }
    bool overdue = (st == TZ_STATUS_NEW && r->takeup_due && c->now > r->takeup_due) ||
                   (st == TZ_STATUS_VERIFYING && r->verify_due && c->now > r->verify_due);
    c->rows[c->n++] =
        (struct prow){r->id, cat, (uint8_t)st, r->lat, r->lon, r->received_at, r->me_too, overdue};
    return TZ_OK;
}

struct place {
    uint32_t root; /* the row that names it */
    double score;
    double sx, sy; /* sums of lat, lon */
    uint32_t n, me_too, overdue;
    uint32_t by_status[TZ_STATUS_COUNT];
    int64_t last;
};

static int by_score(const void *a, const void *b)
{
    const struct place *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->root > y->root) - (x->root < y->root);
}

/* The place of each row: pts and place_of (c->n of each), the places in places (*np). */
static tz_err group_places(const struct collect *c, uint32_t *place_of, struct place *places,
                           size_t *np)
{
    size_t m = c->n ? c->n : 1;
    struct tz_place_point *pts = malloc(m * sizeof *pts);
    uint32_t *slot = malloc(m * sizeof *slot); /* a root's place in `places` */
    tz_err err = pts && slot ? TZ_OK : TZ_ENOMEM;
    for (size_t i = 0; !err && i < c->n; i++)
        pts[i] = (struct tz_place_point){(uint8_t)c->rows[i].category, c->rows[i].lat,
                                         c->rows[i].lon, c->rows[i].received_at};
    if (!err)
        err = tz_places_group(pts, c->n, TZ_NEARBY_RADIUS_M, TZ_NEARBY_WINDOW_S, place_of);
    for (size_t i = 0; !err && i < c->n; i++) {
        const struct prow *r = &c->rows[i];
        uint32_t root = place_of[i];
        if (root == i) { /* the root comes first: it is the smallest index of its place */
            slot[i] = (uint32_t)*np;
            places[(*np)++] = (struct place){.root = root};
        }
        struct place *p = &places[slot[root]];
        double age = (double)(c->now - r->received_at) / 86400.0;
        p->score += WEIGHT[r->status] * pow(0.5, (age > 0 ? age : 0) / TZ_PATROL_HALF_LIFE) *
                    (1.0 + 0.5 * r->me_too);
        p->sx += r->lat;
        p->sy += r->lon;
        p->n++;
        p->me_too += (uint32_t)r->me_too;
        p->overdue += r->overdue;
        p->by_status[r->status]++;
        p->last = r->received_at > p->last ? r->received_at : p->last;
    }
    free(pts);
    free(slot);
    return err;
}

/* The first `limit` ranked places into out->top, with their reports' ids. */
static tz_err fill_plan(const struct collect *c, const uint32_t *place_of,
                        const struct place *places, size_t np, size_t limit, struct tz_patrol *out)
{
    size_t n = np < limit ? np : limit;
    out->reports = c->n;
    out->places = np;
    out->top = calloc(n ? n : 1, sizeof *out->top);
    if (!out->top)
        return TZ_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct place *p = &places[i];
        struct tz_patrol_place *t = &out->top[i];
        *t = (struct tz_patrol_place){.lat = p->sx / p->n,
                                      .lon = p->sy / p->n,
                                      .score = p->score,
                                      .category = c->rows[p->root].category,
                                      .last = p->last,
                                      .n = p->n,
                                      .me_too = p->me_too,
                                      .overdue = p->overdue};
        memcpy(t->by_status, p->by_status, sizeof t->by_status);
        for (size_t k = 0; k < c->n && t->report_count < TZ_PATROL_REPORTS_MAX; k++) {
            if (place_of[k] == p->root)
                t->reports[t->report_count++] = c->rows[k].id;
        }
    }
    out->top_count = n;
    return TZ_OK;
}

tz_err tz_analysis_patrol(struct tz_threatmap *tm, const struct tz_patrol_query *q, int64_t now,
                          struct tz_patrol *out, struct tz_field_errors *errs)
{
    const struct tz_district_rec *d = q->district;
    size_t limit = q->limit, np = 0;
    memset(out, 0, sizeof *out);
    if (!d && !errs->count)
        tz_fielderr_add(errs, "district", "required");
    if (errs->count)
        return TZ_EINVAL;
    tz_err err;
    struct collect c = {.tm = tm, .now = now};
    struct tz_scan_filter f = {
        .district_id = d->id, .from = now - (int64_t)TZ_PATROL_DAYS * 86400, .to = now + 1};
    uint32_t *place_of = NULL;
    struct place *places = NULL;
    err = tz_threatmap_scan(tm, &f, collect_row, &c);
    if (err)
        goto done;
    place_of = malloc((c.n ? c.n : 1) * sizeof *place_of);
    places = calloc(c.n ? c.n : 1, sizeof *places);
    err = place_of && places ? group_places(&c, place_of, places, &np) : TZ_ENOMEM;
    if (err)
        goto done;
    /* Drop the places that score nothing, then rank. */
    size_t kept = 0;
    for (size_t i = 0; i < np; i++) {
        if (places[i].score > 0)
            places[kept++] = places[i];
    }
    qsort(places, kept, sizeof *places, by_score);
    out->district = d;
    out->generated_at = now;
    out->reports_from = now - (int64_t)TZ_PATROL_DAYS * 86400;
    err = fill_plan(&c, place_of, places, kept, limit, out);
done:
    free(place_of);
    free(places);
    free(c.rows);
    if (err)
        tz_patrol_clear(out);
    return err;
}

void tz_patrol_clear(struct tz_patrol *p)
{
    if (!p)
        return;
    free(p->top);
    memset(p, 0, sizeof *p);
}
