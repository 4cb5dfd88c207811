/*
 * nearby.c - the same threat nearby: the duplicate check on submission, the
 * reports linked to one as the same place, places as groups, and merging a
 * duplicate into its original.
 *
 * The rule (docs/analysis.md): two reports are the same place when they are
 * of the same category, at most 100 m apart (great circle) and received at
 * most 14 days apart; both bounds are inclusive. A check reads the map
 * index's nodes in a box around the point (the radius in degrees, widened a
 * little), then measures each candidate.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"

#define EARTH_R 6371008.8
#define M_PER_DEG_LAT (EARTH_R * M_PI / 180.0)

double tz_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * (M_PI / 180.0), p2 = lat2 * (M_PI / 180.0);
    double dp = p2 - p1, dl = (lon2 - lon1) * (M_PI / 180.0);
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    return 2.0 * EARTH_R * asin(sqrt(a < 1.0 ? a : 1.0));
}

struct finding {
    const struct tz_nearby_query *q;
    struct tz_nearby *out;
    size_t max, kept, found;
};

static bool before(const struct tz_nearby *a, const struct tz_nearby *b)
{
    if (a->distance_m != b->distance_m)
        return a->distance_m < b->distance_m;
    if (a->received_at != b->received_at)
        return a->received_at < b->received_at;
    return a->id < b->id;
}

static tz_err take(void *ctx, const struct tz_map_point *pts, size_t n)
{
    struct finding *f = ctx;
    for (size_t i = 0; i < n; i++) {
        const struct tz_map_point *p = &pts[i];
        if (p->id == f->q->exclude_id || p->received_at > f->q->to)
            continue;
        double d = tz_distance_m(f->q->lat, f->q->lon, p->lat, p->lon);
        if (d > f->q->radius_m)
            continue;
        f->found++;
        struct tz_nearby nb = {p->id, d, p->status, p->received_at};
        /* Keep the best max, in order: insertion into a short array. */
        size_t at = f->kept;
        while (at > 0 && before(&nb, &f->out[at - 1]))
            at--;
        if (at >= f->max)
            continue;
        size_t last = f->kept < f->max ? f->kept : f->max - 1;
        memmove(&f->out[at + 1], &f->out[at], (last - at) * sizeof nb);
        f->out[at] = nb;
        if (f->kept < f->max)
            f->kept++;
    }
    return TZ_OK;
}

tz_err tz_nearby_find(const struct tz_point_source *src, const struct tz_nearby_query *q,
                      struct tz_nearby *out, size_t max, size_t *found)
{
    *found = 0;
    if (!isfinite(q->lat) || !isfinite(q->lon) || fabs(q->lat) > 89 || fabs(q->lon) > 180 ||
        !(q->radius_m >= 0) || q->radius_m > 100000 || q->category >= TZ_MAP_MAX_CATEGORIES)
        return TZ_EINVAL;
    /* The box holds the circle: a degree of longitude shrinks with cos(lat). The margin covers
     * the index's rounding and the sphere's curvature over the radius. */
    double dlat = q->radius_m / M_PER_DEG_LAT * 1.01 + 1e-6;
    double dlon = dlat / cos(q->lat * (M_PI / 180.0));
    struct tz_map_visit v = {
        .has_box = true,
        .west = fmax(-180.0, q->lon - dlon),
        .east = fmin(180.0, q->lon + dlon),
        .south = fmax(-90.0, q->lat - dlat),
        .north = fmin(90.0, q->lat + dlat),
    };
    v.filter.status_mask[q->category] = q->status_mask;
    v.filter.received_from = q->from ? q->from : 1;
    v.filter.received_to = q->to < INT64_MAX ? q->to + 1 : 0;
    /* With max 0 only the count is wanted: a one-place array that nobody reads. */
    struct tz_nearby spare;
    struct finding f = {.q = q, .out = max ? out : &spare, .max = max ? max : 1};
    tz_err err = src->visit(src->src, &v, take, &f);
    *found = err ? 0 : f.found;
    return err;
}

/* The category's number in the map index, or -1. */
static int category_number(struct tz_threatmap *tm, const char *code, const char **visibility)
{
    size_t n;
    const struct tz_category_rec *cats = tz_threatmap_category_list(tm, &n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(cats[i].code, code) == 0) {
            *visibility = cats[i].visibility;
            return (int)i;
        }
    }
    return -1;
}

tz_err tz_analysis_submission_nearby(struct tz_threatmap *tm, const struct tz_report_rec *rec,
                                     struct tz_nearby out[TZ_NEARBY_MAX], size_t *count)
{
    *count = 0;
    const char *visibility = "never";
    int cat = category_number(tm, rec->category, &visibility);
    /* Only what the public may see: never a hidden category, confirmed ones once confirmed. */
    uint8_t mask = 1u << TZ_STATUS_NEW | 1u << TZ_STATUS_VERIFYING | 1u << TZ_STATUS_CONFIRMED |
                   1u << TZ_STATUS_REFERRED;
    if (strcmp(visibility, "once_confirmed") == 0)
        mask = 1u << TZ_STATUS_CONFIRMED | 1u << TZ_STATUS_REFERRED;
    size_t found = 0;
    tz_err err = TZ_OK;
    if (cat >= 0 && strcmp(visibility, "never") != 0) {
        struct tz_nearby_query q = {
            .category = (uint8_t)cat,
            .status_mask = mask,
            .lat = rec->lat,
            .lon = rec->lon,
            .radius_m = TZ_NEARBY_RADIUS_M,
            .from = rec->received_at - TZ_NEARBY_WINDOW_S,
            .to = rec->received_at,
            .exclude_id = rec->id,
        };
        struct tz_point_source src = tz_point_source_threatmap(tm);
        err = tz_nearby_find(&src, &q, out, TZ_NEARBY_MAX, &found);
    }
    if (!err)
        *count = found < TZ_NEARBY_MAX ? found : TZ_NEARBY_MAX;
    return err;
}

/* ---- places -------------------------------------------------------------- */

static uint32_t find_root(uint32_t *parent, uint32_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static void unite(uint32_t *parent, uint32_t a, uint32_t b)
{
    a = find_root(parent, a);
    b = find_root(parent, b);
    if (a != b)
        parent[a > b ? a : b] = a < b ? a : b; /* the smaller index is the root */
}

struct cellref {
    uint64_t key;
    uint32_t i;
};

static int cmp_cellref(const void *a, const void *b)
{
    const struct cellref *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static uint64_t cell_key(uint8_t cat, int64_t cx, int64_t cy)
{
    return (uint64_t)cat << 56 | (uint64_t)(cx & 0xFFFFFFF) << 28 | (uint64_t)(cy & 0xFFFFFFF);
}

tz_err tz_places_group(const struct tz_place_point *pts, size_t n, double radius_m,
                       int64_t window_s, uint32_t *place)
{
    if (n >= UINT32_MAX || !(radius_m > 0) || window_s < 0)
        return TZ_EINVAL;
    if (n == 0)
        return TZ_OK;
    /* Cells of radius_m on a local equirectangular grid (cos of the mean latitude, shrunk to
     * the smallest cos of the points so that a cell is never narrower than the radius). */
    double cosmin = 1.0;
    for (size_t i = 0; i < n; i++)
        cosmin = fmin(cosmin, cos(pts[i].lat * (M_PI / 180.0)));
    if (cosmin < 0.01)
        cosmin = 0.01;
    double cell_lat = radius_m / M_PER_DEG_LAT * 1.01, cell_lon = cell_lat / cosmin;
    struct cellref *refs = malloc(n * sizeof *refs);
    uint32_t *parent = malloc(n * sizeof *parent);
    tz_err err = refs && parent ? TZ_OK : TZ_ENOMEM;
    if (err)
        goto done;
    for (size_t i = 0; i < n; i++) {
        parent[i] = (uint32_t)i;
        int64_t cx = (int64_t)floor(pts[i].lon / cell_lon),
                cy = (int64_t)floor(pts[i].lat / cell_lat);
        refs[i] = (struct cellref){cell_key(pts[i].category, cx, cy), (uint32_t)i};
    }
    qsort(refs, n, sizeof *refs, cmp_cellref);
    for (size_t i = 0; i < n; i++) {
        const struct tz_place_point *a = &pts[i];
        int64_t cx = (int64_t)floor(a->lon / cell_lon), cy = (int64_t)floor(a->lat / cell_lat);
        for (int dx = -1; dx <= 1; dx++) {
            for (int dy = -1; dy <= 1; dy++) {
                struct cellref key = {cell_key(a->category, cx + dx, cy + dy), 0};
                /* The first ref of the cell: lower bound by key. */
                size_t lo = 0, hi = n;
                while (lo < hi) {
                    size_t m = lo + (hi - lo) / 2;
                    if (refs[m].key < key.key)
                        lo = m + 1;
                    else
                        hi = m;
                }
                for (size_t k = lo; k < n && refs[k].key == key.key; k++) {
                    const struct tz_place_point *b = &pts[refs[k].i];
                    if (refs[k].i > i && b->category == a->category &&
                        llabs(b->t - a->t) <= window_s &&
                        tz_distance_m(a->lat, a->lon, b->lat, b->lon) <= radius_m)
                        unite(parent, (uint32_t)i, refs[k].i);
                }
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        place[i] = find_root(parent, (uint32_t)i);
done:
    free(refs);
    free(parent);
    return err;
}

/* ---- the linked view and merging ------------------------------------------- */

void tz_linked_clear(struct tz_linked *l)
{
    tz_report_rec_clear(&l->rec);
    tz_merge_recs_free(l->merges, l->merge_count);
    l->merges = NULL;
    l->merge_count = 0;
}

tz_err tz_analysis_linked(struct tz_threatmap *tm, int64_t id, struct tz_linked *out)
{
    memset(out, 0, sizeof *out);
    tz_err err;
    char assignee[TZ_ACCOUNT_NAME_MAX];
    if ((err = tz_threatmap_police_report(tm, id, &out->rec, assignee)))
        return err;
    const char *visibility;
    int cat = category_number(tm, out->rec.category, &visibility);
    if (cat >= 0) {
        struct tz_nearby_query q = {
            .category = (uint8_t)cat,
            .status_mask = 0x7F,
            .lat = out->rec.lat,
            .lon = out->rec.lon,
            .radius_m = TZ_NEARBY_RADIUS_M,
            .from = out->rec.received_at - TZ_NEARBY_WINDOW_S,
            .to = out->rec.received_at + TZ_NEARBY_WINDOW_S,
            .exclude_id = out->rec.id,
        };
        struct tz_point_source src = tz_point_source_threatmap(tm);
        err = tz_nearby_find(&src, &q, out->near, TZ_LINKED_MAX, &out->found);
    }
    out->near_count = out->found < TZ_LINKED_MAX ? out->found : TZ_LINKED_MAX;
    if (!err)
        err = tz_threatmap_merges(tm, id, &out->merges, &out->merge_count);
    if (err)
        tz_linked_clear(out);
    return err;
}
