/*
 * Unit tests of the map index (src/threatmap/mapindex*.c): every answer is
 * checked against a brute-force pass over the same points. Random viewports,
 * zooms and filters over clustered points; clusters cell by cell (count, counts
 * by status, box, centroid, expansion zoom, the id of single reports); hex bins
 * point by point; clusters stable across zooms; additions, status changes and
 * the edges of the time filters; empty and degenerate cases; GeoJSON parsed
 * back with jansson; queries running beside updates.
 *
 * Points are placed at the centres of the index's 1/2^32 grid, so that "in the
 * viewport" (west <= lon <= east, south <= lat <= north) means the same here
 * and in the index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/render.h"
#include "threatmap/mapindex.h"

#define WORLD 4294967296.0
#define MAX_LAT 85.051128779806592
#define T0 1700000000 /* 2023-11-14 */
#define YEAR (365 * 86400)
#define NPOINTS 50000

/* ---- the reference: projection, points, brute force ------------------------------------ */

static uint64_t rng_state = 0x853c49e6748fea9bull;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static double gauss(void)
{
    double u = uniform() + 1e-12, v = uniform();
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

static double ux(double lon)
{
    return (lon + 180.0) / 360.0 * WORLD;
}

static double uy(double lat)
{
    lat = lat > MAX_LAT ? MAX_LAT : lat < -MAX_LAT ? -MAX_LAT : lat;
    double s = sin(lat * M_PI / 180.0);
    return (0.5 - log((1.0 + s) / (1.0 - s)) / (4.0 * M_PI)) * WORLD;
}

/* Web Mercator y without the clamp at the edge of the map (for hexagon corners beyond it). */
static double uy_raw(double lat)
{
    double s = sin(lat * M_PI / 180.0);
    return (0.5 - log((1.0 + s) / (1.0 - s)) / (4.0 * M_PI)) * WORLD;
}

static double lon_of(double u)
{
    return u / WORLD * 360.0 - 180.0;
}

static double lat_of(double u)
{
    return atan(sinh(M_PI * (1.0 - 2.0 * u / WORLD))) * 180.0 / M_PI;
}

static uint32_t unit(double u)
{
    return u <= 0 ? 0 : u >= WORLD - 1 ? UINT32_MAX : (uint32_t)u;
}

struct tpt {
    struct tz_map_point p;
    uint32_t x, y;
};

/* A point at the centre of its grid square. */
static struct tpt make_point(int64_t id, double lat, double lon, int cat, int st, int64_t recv,
                             int64_t changed)
{
    struct tpt t;
    t.x = unit(ux(lon));
    t.y = unit(uy(lat));
    t.p = (struct tz_map_point){
        id, lat_of(t.y + 0.5), lon_of(t.x + 0.5), (uint8_t)cat, (uint8_t)st, recv, changed};
    return t;
}

static const double spots[][3] = {
    {50.0614, 19.9366, 0.010}, {50.0700, 19.9450, 0.004}, {50.0470, 19.9600, 0.020},
    {50.0850, 19.9000, 0.030}, {50.0200, 20.0200, 0.015}, {52.2297, 21.0122, 0.05},
};

/* Clustered like reports: hot spots, a background over the region and a few far away. */
static struct tpt random_point(int64_t id)
{
    double lat, lon, r = uniform();
    if (r < 0.70) {
        const double *s = spots[rnd() % (sizeof spots / sizeof spots[0])];
        lat = s[0] + gauss() * s[2];
        lon = s[1] + gauss() * s[2] * 1.5;
    } else if (r < 0.97) {
        lat = 49.9 + uniform() * 0.35;
        lon = 19.7 + uniform() * 0.6;
    } else {
        lat = -80 + uniform() * 160;
        lon = -180 + uniform() * 360;
    }
    int cat = r < 0.46 ? 0 : (int)(rnd() % 27);
    int st = (int)(rnd() % TZ_MAP_STATUSES);
    int64_t recv = T0 + (int64_t)(rnd() % YEAR);
    int64_t changed = recv + (int64_t)(rnd() % (20 * 86400));
    if (rnd() % 50 == 0) /* a few exact duplicates of a spot */
        lat = 50.0614, lon = 19.9366;
    return make_point(id, lat, lon, cat, st, recv, changed);
}

static bool passes(const struct tz_map_filter *f, const struct tz_map_point *p)
{
    return ((f->status_mask[p->category] >> p->status) & 1) &&
           (!f->received_from || p->received_at >= f->received_from) &&
           (!f->received_to || p->received_at < f->received_to) &&
           (!f->min_changed_at[p->status] || p->status_changed_at >= f->min_changed_at[p->status]);
}

static bool in_view(const struct tz_map_query *q, const struct tz_map_point *p)
{
    return p->lon >= q->west && p->lon <= q->east && p->lat >= q->south && p->lat <= q->north;
}

static void all_pass(struct tz_map_filter *f)
{
    memset(f, 0, sizeof *f);
    memset(f->status_mask, 0x7F, sizeof f->status_mask);
}

/*
 * The usual view of the second run of the tests (like the public rules): every
 * status but rejected, none of category 10, only the settled ones of category
 * 12; not_confirmed (3) shown for 7 days after the change, eliminated (4) for 30.
 */
static bool usual_run;   /* the index was built with test_usual */
static int64_t test_now; /* the time the usual view is brought to */
static struct tz_map_usual test_usual;

static void make_usual(void)
{
    memset(&test_usual, 0, sizeof test_usual);
    memset(test_usual.status_mask, 0x3F, sizeof test_usual.status_mask);
    test_usual.status_mask[10] = 0;
    test_usual.status_mask[12] = 1 << 2 | 1 << 4 | 1 << 5;
    test_usual.shown_for[3] = 7 * 86400;
    test_usual.shown_for[4] = 30 * 86400;
}

/* A filter of the usual view at test_now: the view's statuses (or some of them), its windows
 * or narrower ones, now and then a wider window or a date range. */
static struct tz_map_filter usual_filter(void)
{
    struct tz_map_filter f;
    memset(&f, 0, sizeof f);
    uint8_t some = rnd() % 3 ? 0x7F : (uint8_t)(rnd() & 0x7F);
    for (int c = 0; c < TZ_MAP_MAX_CATEGORIES; c++)
        f.status_mask[c] = test_usual.status_mask[c] & some;
    /* A public map filtered to most categories (a group), or to one. */
    if (rnd() % 4 == 0) {
        for (int k = 0; k < 3; k++)
            f.status_mask[1 + rnd() % 26] = 0;
    } else if (rnd() % 6 == 0) {
        int keep = (int)(rnd() % 27);
        for (int c = 0; c < TZ_MAP_MAX_CATEGORIES; c++)
            f.status_mask[c] = c == keep ? f.status_mask[c] : 0;
    }
    for (int s = 0; s < TZ_MAP_STATUSES; s++) {
        if (!test_usual.shown_for[s])
            continue;
        int64_t narrower = (int64_t)(rnd() % (3 * 86400));
        f.min_changed_at[s] = test_now - test_usual.shown_for[s] + 1 + narrower;
        if (rnd() % 8 == 0)
            f.min_changed_at[s] -= 5 * 86400;
    }
    if (rnd() % 8 == 0)
        f.received_from = test_now - (int64_t)(rnd() % (90 * 86400));
    if (rnd() % 8 == 0) /* a window on a status the view shows without one */
        f.min_changed_at[rnd() % 3] = test_now - (int64_t)(rnd() % (60 * 86400));
    return f;
}

static struct tz_map_filter random_filter(void)
{
    struct tz_map_filter f;
    if (usual_run && rnd() % 2)
        return usual_filter();
    all_pass(&f);
    if (rnd() % 4 == 0)
        return f;
    int kind = (int)(rnd() % 4);
    for (int c = 0; c < TZ_MAP_MAX_CATEGORIES; c++) {
        if (kind == 1)
            f.status_mask[c] = (uint8_t)(rnd() % 4 ? 0x3F : rnd() & 0x7F);
        else if (kind == 2)
            f.status_mask[c] = rnd() % 3 ? 0 : 0x7F;
        else if (kind == 3) /* like the public rules: all but a few categories and statuses */
            f.status_mask[c] = (uint8_t)(rnd() % 12 ? 0x3F : rnd() % 2 ? 0 : rnd() & 0x3F);
    }
    if (rnd() % 2) {
        f.received_from = rnd() % 3 ? T0 + (int64_t)(rnd() % YEAR) : 0;
        f.received_to = rnd() % 2 ? f.received_from + (int64_t)(rnd() % (YEAR / 2)) + 1 : 0;
    }
    for (int s = 0; s < TZ_MAP_STATUSES; s++) {
        if (rnd() % 4 == 0)
            f.min_changed_at[s] = T0 + (int64_t)(rnd() % (YEAR + 30 * 86400));
    }
    return f;
}

/* A viewport around a random point, of one to eight screens at the zoom, sometimes huge. */
static struct tz_map_query random_query(const struct tpt *pts, size_t n)
{
    struct tz_map_query q = {.zoom = (int)(rnd() % 19), .mode = TZ_MAP_CLUSTERS};
    const struct tz_map_point *c = &pts[rnd() % n].p;
    double w = 360.0 / pow(2.0, q.zoom) * (0.5 + uniform() * 8.0);
    if (rnd() % 10 == 0)
        w *= 50;
    double h = w * 0.6 * cos(c->lat * M_PI / 180.0);
    q.west = fmax(-180, c->lon - w * uniform());
    q.east = fmin(180, q.west + w);
    q.south = fmax(-90, c->lat - h * uniform());
    q.north = fmin(90, q.south + h);
    q.filter = random_filter();
    return q;
}

/* ---- checking an answer ------------------------------------------------------------------ */

struct member {
    uint64_t key;
    size_t i;
};

static int by_key(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key ? 1 : (x->i > y->i) - (x->i < y->i);
}

static uint64_t cell_of(uint32_t x, uint32_t y, int zoom)
{
    int shift = 30 - zoom;
    return ((uint64_t)(y >> shift) << 32) | (x >> shift);
}

static const double hex_r = TZ_MAP_HEX_PX / 1.7320508075688772;

/* The hexagon (axial q, r) holding pixel (px, py): the nearest centre, by cube rounding. */
static uint64_t hex_of(double px, double py)
{
    double fq = (px * sqrt(3.0) / 3.0 - py / 3.0) / hex_r, fr = (py * 2.0 / 3.0) / hex_r;
    double fs = -fq - fr;
    double q = round(fq), r = round(fr), s = round(fs);
    double dq = fabs(q - fq), dr = fabs(r - fr), ds = fabs(s - fs);
    if (dq > dr && dq > ds)
        q = -r - s;
    else if (dr > ds)
        r = -q - s;
    return ((uint64_t)(uint32_t)(int32_t)q << 32) | (uint32_t)(int32_t)r;
}

static uint64_t hex_of_units(double x, double y, int zoom)
{
    double scale = ldexp(1.0, zoom - 24);
    return hex_of(x * scale, y * scale);
}

/* The key of the bin a feature stands for. */
static uint64_t feature_key(const struct tz_map_query *q, const struct tz_map_feature *f)
{
    double x = ux(f->lon), y = uy(f->lat);
    if (q->mode == TZ_MAP_HEX)
        return hex_of_units(x, y, q->zoom);
    return cell_of((uint32_t)floor(x), (uint32_t)floor(y), q->zoom);
}

/* The members of each bin, sorted by key; returns how many passing points there are. */
static size_t brute(const struct tpt *pts, size_t n, const struct tz_map_query *q,
                    struct member *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!passes(&q->filter, &pts[i].p) || !in_view(q, &pts[i].p))
            continue;
        out[m].key = q->mode == TZ_MAP_HEX ? hex_of_units(pts[i].x + 0.5, pts[i].y + 0.5, q->zoom)
                                           : cell_of(pts[i].x, pts[i].y, q->zoom);
        out[m++].i = i;
    }
    qsort(out, m, sizeof *out, by_key);
    return m;
}

/* Index of the first member with this key, or m. */
static size_t find_key(const struct member *mem, size_t m, uint64_t key)
{
    size_t l = 0, r = m;
    while (l < r) {
        size_t k = (l + r) / 2;
        if (mem[k].key < key)
            l = k + 1;
        else
            r = k;
    }
    return l < m && mem[l].key == key ? l : m;
}

static struct member *scratch_members;

/* Runs q and checks every feature against the brute force; returns the answer's size. */
static size_t check_query(const struct tz_map_index *idx, const struct tpt *pts, size_t n,
                          const struct tz_map_query *q, struct tz_map_result *r)
{
    assert_int_equal(tz_map_index_query(idx, q, r), TZ_OK);
    size_t m = brute(pts, n, q, scratch_members);
    struct member *mem = scratch_members;
    assert_int_equal(r->matched, m);
    size_t groups = 0;
    for (size_t i = 0; i < m; i++)
        groups += i == 0 || mem[i].key != mem[i - 1].key;
    assert_true(r->count <= TZ_MAP_MAX_FEATURES);
    if (!r->truncated)
        assert_int_equal(r->count, groups);
    else /* all bins were taken (hex bins emptied again are left out) */
        assert_true(r->count > TZ_MAP_MAX_FEATURES * 9 / 10 && r->count < groups);

    uint64_t total = 0;
    for (size_t k = 0; k < r->count; k++) {
        const struct tz_map_feature *f = &r->features[k];
        size_t at = find_key(mem, m, feature_key(q, f));
        assert_true(at < m);
        size_t end = at;
        uint32_t by[TZ_MAP_STATUSES] = {0};
        uint32_t x0 = UINT32_MAX, y0 = UINT32_MAX, x1 = 0, y1 = 0;
        double sx = 0, sy = 0;
        for (; end < m && mem[end].key == mem[at].key; end++) {
            const struct tpt *t = &pts[mem[end].i];
            by[t->p.status]++;
            x0 = t->x < x0 ? t->x : x0;
            x1 = t->x > x1 ? t->x : x1;
            y0 = t->y < y0 ? t->y : y0;
            y1 = t->y > y1 ? t->y : y1;
            sx += t->x;
            sy += t->y;
        }
        assert_int_equal(f->count, end - at);
        total += f->count;
        for (int s = 0; s < TZ_MAP_STATUSES; s++)
            assert_int_equal(f->by_status[s], by[s]);
        if (q->mode == TZ_MAP_HEX) {
            /* Corners are R from the centre in pixels, counterclockwise, inside the box. */
            double area = 0;
            for (int c = 0; c < 6; c++) {
                double scale = ldexp(1.0, q->zoom - 24);
                double dx = (ux(f->hex[c][0]) - ux(f->lon)) * scale;
                double dy = (uy_raw(f->hex[c][1]) - uy_raw(f->lat)) * scale;
                assert_true(fabs(sqrt(dx * dx + dy * dy) - hex_r) < 1e-3);
                assert_true(f->hex[c][0] >= f->west - 1e-12 && f->hex[c][0] <= f->east + 1e-12);
                assert_true(f->hex[c][1] >= f->south - 1e-12 && f->hex[c][1] <= f->north + 1e-12);
                const double *n = f->hex[(c + 1) % 6];
                area += f->hex[c][0] * n[1] - n[0] * f->hex[c][1];
            }
            assert_true(area > 0);
            continue;
        }
        assert_true(fabs(f->west - lon_of(x0 + 0.5)) < 1e-9);
        assert_true(fabs(f->east - lon_of(x1 + 0.5)) < 1e-9);
        assert_true(fabs(f->north - lat_of(y0 + 0.5)) < 1e-9);
        assert_true(fabs(f->south - lat_of(y1 + 0.5)) < 1e-9);
        if (f->count == 1) {
            const struct tpt *t = &pts[mem[at].i];
            assert_int_equal(f->id, t->p.id);
            assert_int_equal(f->category, t->p.category);
            assert_int_equal(f->status, t->p.status);
            assert_int_equal(f->received_at, t->p.received_at);
            assert_true(fabs(f->lon - t->p.lon) < 1e-9 && fabs(f->lat - t->p.lat) < 1e-9);
            continue;
        }
        assert_true(fabs(f->lon - lon_of(sx / f->count + 0.5)) < 1e-7);
        assert_true(fabs(f->lat - lat_of(sy / f->count + 0.5)) < 1e-7);
        int ez = q->zoom + 1;
        while (ez < TZ_MAP_MAX_ZOOM && cell_of(x0, y0, ez) == cell_of(x1, y1, ez))
            ez++;
        assert_int_equal(f->expansion_zoom, ez);
    }
    if (!r->truncated)
        assert_int_equal(total, m);
    return r->count;
}

/* ---- fixtures --------------------------------------------------------------------------- */

static struct tpt *pts;
static size_t npts;
static struct tz_map_index *idx;

static int setup(void **state)
{
    rng_state = 0x853c49e6748fea9bull;
    test_now = T0 + YEAR - 10 * 86400;
    make_usual();
    npts = NPOINTS;
    pts = malloc((NPOINTS + 40000) * sizeof *pts);
    scratch_members = malloc((NPOINTS + 40000) * sizeof *scratch_members);
    struct tz_map_point *in = malloc(NPOINTS * sizeof *in);
    if (!pts || !scratch_members || !in)
        return -1;
    for (size_t i = 0; i < npts; i++) {
        /* Ids mostly increasing, some out of order. */
        int64_t id = (int64_t)i * 3 + 1 + (i % 97 == 0 ? 1 : 0);
        pts[i] = random_point(id);
        in[i] = pts[i].p;
    }
    tz_err err = usual_run ? tz_map_index_build_usual(in, npts, &test_usual, test_now, &idx)
                           : tz_map_index_build(in, npts, &idx);
    free(in);
    return err == TZ_OK ? 0 : -1;
}

/* The same tests again on an index built with a usual view (test_usual), brought to a time
 * near the end of the points' year. */
static int setup_usual(void **state)
{
    usual_run = true;
    return setup(state);
}

static int teardown(void **state)
{
    tz_map_index_free(idx);
    free(pts);
    free(scratch_members);
    idx = NULL;
    pts = NULL;
    return 0;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void random_queries_match_brute_force(void **state)
{
    struct tz_map_result r = {0};
    size_t features = 0, singles = 0, truncated = 0;
    for (int k = 0; k < 200; k++) {
        struct tz_map_query q = random_query(pts, npts);
        features += check_query(idx, pts, npts, &q, &r);
        for (size_t i = 0; i < r.count; i++)
            singles += r.features[i].count == 1;
        truncated += r.truncated;
        q.mode = TZ_MAP_HEX;
        check_query(idx, pts, npts, &q, &r);
    }
    tz_map_result_free(&r);
    /* The random cases cover clusters, single reports and cut answers. */
    assert_true(features > 2000);
    assert_true(singles > 200);
    /* (The run with a usual view draws other filters, narrower on average: cut answers come from
     * the first run.) */
    assert_true(truncated > 0 || usual_run);
}

static void clusters_are_the_union_of_the_clusters_one_zoom_in(void **state)
{
    struct tz_map_result a = {0}, b = {0};
    for (int k = 0; k < 60; k++) {
        struct tz_map_query q = random_query(pts, npts);
        q.zoom = (int)(rnd() % TZ_MAP_MAX_ZOOM);
        assert_int_equal(tz_map_index_query(idx, &q, &a), TZ_OK);
        q.zoom++;
        assert_int_equal(tz_map_index_query(idx, &q, &b), TZ_OK);
        if (a.truncated || b.truncated)
            continue;
        assert_int_equal(a.matched, b.matched);
        for (size_t i = 0; i < a.count; i++) {
            q.zoom--;
            uint64_t cell = feature_key(&q, &a.features[i]);
            q.zoom++;
            uint32_t sum = 0, by[TZ_MAP_STATUSES] = {0};
            for (size_t j = 0; j < b.count; j++) {
                const struct tz_map_feature *f = &b.features[j];
                if (cell_of((uint32_t)floor(ux(f->lon)), (uint32_t)floor(uy(f->lat)), q.zoom - 1) ==
                    cell) {
                    sum += f->count;
                    for (int s = 0; s < TZ_MAP_STATUSES; s++)
                        by[s] += f->by_status[s];
                }
            }
            assert_int_equal(sum, a.features[i].count);
            assert_memory_equal(by, a.features[i].by_status, sizeof by);
        }
    }
    tz_map_result_free(&a);
    tz_map_result_free(&b);
}

static struct tz_map_query whole_world(int zoom, enum tz_map_mode mode)
{
    struct tz_map_query q = {-180, -90, 180, 90, zoom, mode, {{0}, 0, 0, {0}}};
    all_pass(&q.filter);
    return q;
}

static void zoom_0_shows_the_whole_world(void **state)
{
    struct tz_map_result r = {0};
    struct tz_map_query q = whole_world(0, TZ_MAP_CLUSTERS);
    check_query(idx, pts, npts, &q, &r);
    assert_int_equal(r.matched, npts);
    assert_true(r.count <= 16); /* 4 x 4 cells of 64 px */
    q.mode = TZ_MAP_HEX;
    check_query(idx, pts, npts, &q, &r);
    assert_int_equal(r.matched, npts);
    tz_map_result_free(&r);
}

static void a_viewport_with_nothing_is_empty(void **state)
{
    struct tz_map_result r = {0};
    struct tz_map_query q = whole_world(9, TZ_MAP_CLUSTERS);
    q.west = -40, q.east = -39.5, q.south = 30, q.north = 30.2; /* the Atlantic */
    assert_int_equal(tz_map_index_query(idx, &q, &r), TZ_OK);
    assert_int_equal(r.count, 0);
    assert_int_equal(r.matched, 0);
    /* A viewport thinner than the grid holds nothing either. */
    q.west = q.east = 19.9366123456789;
    q.south = 50.0, q.north = 50.1;
    assert_int_equal(tz_map_index_query(idx, &q, &r), TZ_OK);
    assert_int_equal(r.matched, 0);
    tz_map_result_free(&r);
}

static void bad_queries_and_points_are_refused(void **state)
{
    struct tz_map_result r = {0};
    struct tz_map_query q = whole_world(3, TZ_MAP_CLUSTERS);
    q.zoom = TZ_MAP_MAX_ZOOM + 1;
    assert_int_equal(tz_map_index_query(idx, &q, &r), TZ_EINVAL);
    q.zoom = -1;
    assert_int_equal(tz_map_index_query(idx, &q, &r), TZ_EINVAL);
    q = whole_world(3, TZ_MAP_CLUSTERS);
    q.west = 20, q.east = 19;
    assert_int_equal(tz_map_index_query(idx, &q, &r), TZ_EINVAL);
    q = whole_world(3, TZ_MAP_CLUSTERS);
    q.north = NAN;
    assert_int_equal(tz_map_index_query(idx, &q, &r), TZ_EINVAL);
    tz_map_result_free(&r);

    struct tz_map_point bad[] = {
        {1, 91, 0, 0, 0, T0, T0},
        {1, 0, 181, 0, 0, T0, T0},
        {1, NAN, 0, 0, 0, T0, T0},
        {1, 0, 0, TZ_MAP_MAX_CATEGORIES, 0, T0, T0},
        {1, 0, 0, 0, TZ_MAP_STATUSES, T0, T0},
    };
    struct tz_map_index *other = NULL;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(tz_map_index_build(&bad[i], 1, &other), TZ_EINVAL);
        assert_null(other);
        assert_int_equal(tz_map_index_add(idx, &bad[i]), TZ_EINVAL);
    }
    struct tz_map_point twice[2] = {{7, 50, 20, 0, 0, T0, T0}, {7, 51, 20, 0, 0, T0, T0}};
    assert_int_equal(tz_map_index_build(twice, 2, &other), TZ_EINVAL);
    assert_int_equal(tz_map_index_add(idx, &pts[5].p), TZ_ECONFLICT);
    assert_int_equal(tz_map_index_set_status(idx, -5, 1, T0), TZ_ENOTFOUND);
    assert_int_equal(tz_map_index_set_status(idx, pts[0].p.id, TZ_MAP_STATUSES, T0), TZ_EINVAL);
    assert_int_equal(tz_map_index_size(idx), npts);
}

static void an_empty_index_answers_and_grows(void **state)
{
    struct tz_map_index *e = NULL;
    assert_int_equal(tz_map_index_build(NULL, 0, &e), TZ_OK);
    assert_int_equal(tz_map_index_size(e), 0);
    struct tz_map_result r = {0};
    struct tz_map_query q = whole_world(5, TZ_MAP_CLUSTERS);
    assert_int_equal(tz_map_index_query(e, &q, &r), TZ_OK);
    assert_int_equal(r.count, 0);
    assert_int_equal(r.matched, 0);
    struct tpt t = make_point(42, 50.06, 19.94, 3, 2, T0, T0);
    assert_int_equal(tz_map_index_add(e, &t.p), TZ_OK);
    assert_int_equal(tz_map_index_query(e, &q, &r), TZ_OK);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.features[0].id, 42);
    assert_int_equal(r.features[0].count, 1);
    assert_int_equal(tz_map_index_set_status(e, 42, 4, T0 + 5), TZ_OK);
    assert_int_equal(tz_map_index_query(e, &q, &r), TZ_OK);
    assert_int_equal(r.features[0].status, 4);
    assert_true(tz_map_index_bytes(e) > 0);
    tz_map_result_free(&r);
    tz_map_index_free(e);
}

/* Count of the query over the whole world at zoom 3 with filter f. */
static uint64_t world_count(const struct tz_map_index *x, const struct tz_map_filter *f)
{
    struct tz_map_result r = {0};
    struct tz_map_query q = whole_world(3, TZ_MAP_CLUSTERS);
    q.filter = *f;
    assert_int_equal(tz_map_index_query(x, &q, &r), TZ_OK);
    uint64_t m = r.matched;
    tz_map_result_free(&r);
    return m;
}

static void time_filters_hold_at_their_edges(void **state)
{
    struct tz_map_point in[3];
    in[0] = make_point(1, 50.06, 19.94, 1, 3, T0, T0 + 1000).p;
    in[1] = make_point(2, 50.07, 19.95, 1, 3, T0 + 10, T0 + 2000).p;
    in[2] = make_point(3, 50.08, 19.96, 2, 4, T0 + 20, T0 + 3000).p;
    struct tz_map_index *x = NULL;
    assert_int_equal(tz_map_index_build(in, 3, &x), TZ_OK);
    struct tz_map_filter f;
    all_pass(&f);
    assert_int_equal(world_count(x, &f), 3);
    f.received_from = T0 + 10; /* from is included */
    assert_int_equal(world_count(x, &f), 2);
    f.received_to = T0 + 20; /* to is not */
    assert_int_equal(world_count(x, &f), 1);
    f.received_from = T0 + 11;
    assert_int_equal(world_count(x, &f), 0);
    all_pass(&f);
    f.min_changed_at[3] = T0 + 2000; /* the change at the limit is shown */
    assert_int_equal(world_count(x, &f), 2);
    f.min_changed_at[3] = T0 + 2001;
    assert_int_equal(world_count(x, &f), 1);
    f.min_changed_at[4] = T0 + 3001; /* each status has its own window */
    assert_int_equal(world_count(x, &f), 0);
    /* A status change starts the window again and moves the point between statuses. */
    assert_int_equal(tz_map_index_set_status(x, 1, 4, T0 + 5000), TZ_OK);
    assert_int_equal(world_count(x, &f), 1);
    all_pass(&f);
    f.status_mask[2] = 0;
    f.status_mask[1] = 1u << 4;
    assert_int_equal(world_count(x, &f), 1);
    f.status_mask[1] = 1u << 3;
    assert_int_equal(world_count(x, &f), 1);
    tz_map_index_free(x);
}

/* Brute-force checks of a few fixed and random queries over the current points. */
static void recheck(struct tz_map_result *r, int rounds)
{
    struct tz_map_query q = whole_world(2, TZ_MAP_CLUSTERS);
    check_query(idx, pts, npts, &q, r);
    for (int k = 0; k < rounds; k++) {
        q = random_query(pts, npts);
        check_query(idx, pts, npts, &q, r);
        q.mode = TZ_MAP_HEX;
        check_query(idx, pts, npts, &q, r);
    }
}

static void additions_and_status_changes_show_in_the_next_query(void **state)
{
    struct tz_map_result r = {0};
    /* A new report is in the very next answer, as a single report at a street zoom. */
    struct tpt t = make_point(10000000, 50.0631, 19.9402, 5, 0, T0 + YEAR, T0 + YEAR);
    assert_int_equal(tz_map_index_add(idx, &t.p), TZ_OK);
    pts[npts++] = t;
    struct tz_map_query q = whole_world(20, TZ_MAP_CLUSTERS);
    q.west = t.p.lon - 1e-5, q.east = t.p.lon + 1e-5, q.south = t.p.lat - 1e-5;
    q.north = t.p.lat + 1e-5;
    check_query(idx, pts, npts, &q, &r);
    bool seen = false;
    for (size_t i = 0; i < r.count; i++)
        seen |= r.features[i].id == t.p.id;
    assert_true(seen);

    /* Status changes of points of the build, the base and the chunk layouts both. */
    for (int k = 0; k < 300; k++) {
        struct tpt *p = &pts[rnd() % npts];
        p->p.status = (uint8_t)(rnd() % TZ_MAP_STATUSES);
        p->p.status_changed_at = T0 + YEAR + (int64_t)(rnd() % (30 * 86400));
        assert_int_equal(tz_map_index_set_status(idx, p->p.id, p->p.status, p->p.status_changed_at),
                         TZ_OK);
    }
    recheck(&r, 10);

    /* Enough new reports to make new chunks (out of id order too), then more changes. */
    for (int k = 0; k < 36000; k++) {
        int64_t id = 10000001 + k + (k % 10 == 0 ? 50000 : 0);
        struct tpt n = random_point(id);
        n.p.received_at = T0 + YEAR + k;
        n.p.status_changed_at = n.p.received_at;
        assert_int_equal(tz_map_index_add(idx, &n.p), TZ_OK);
        pts[npts++] = n;
    }
    assert_int_equal(tz_map_index_size(idx), npts);
    recheck(&r, 10);
    for (int k = 0; k < 300; k++) {
        struct tpt *p = &pts[npts - 1 - rnd() % 36000];
        p->p.status = (uint8_t)(rnd() % TZ_MAP_STATUSES);
        p->p.status_changed_at = p->p.received_at + 100;
        assert_int_equal(tz_map_index_set_status(idx, p->p.id, p->p.status, p->p.status_changed_at),
                         TZ_OK);
    }
    recheck(&r, 15);
    tz_map_result_free(&r);
}

static void late_status_changes_move_points_and_stay_counted(void **state)
{
    /* Changes long after receipt send points to the index's late set; enough of them, some
     * twice, make chunks there and leave dead slots behind. */
    struct tz_map_result r = {0};
    for (int round = 0; round < 2; round++) {
        for (int k = 0; k < 12000; k++) {
            struct tpt *p = &pts[rnd() % npts];
            p->p.status = (uint8_t)(rnd() % TZ_MAP_STATUSES);
            p->p.status_changed_at = T0 + 2 * YEAR + round * 86400 + k;
            assert_int_equal(
                tz_map_index_set_status(idx, p->p.id, p->p.status, p->p.status_changed_at), TZ_OK);
        }
        recheck(&r, 10);
        /* A window that only the latest changes meet. */
        struct tz_map_query q = whole_world(4, TZ_MAP_CLUSTERS);
        for (int s = 0; s < TZ_MAP_STATUSES; s++)
            q.filter.min_changed_at[s] = T0 + 2 * YEAR + round * 86400 + 6000;
        check_query(idx, pts, npts, &q, &r);
        q.mode = TZ_MAP_HEX;
        check_query(idx, pts, npts, &q, &r);
    }
    assert_int_equal(tz_map_index_size(idx), npts);
    tz_map_result_free(&r);
}

static void geojson_parses_and_its_counts_match(void **state)
{
    static const char *const cats[27] = {
        "parking", "speeding", "c2",  "c3",  "c4",  "c5",  "c6",  "c7",  "c8",
        "alcohol", "c10",      "c11", "c12", "c13", "c14", "c15", "c16", "c17",
        "c18",     "c19",      "c20", "c21", "c22", "c23", "c24", "c25", "c\"26"};
    static const char *const sts[TZ_MAP_STATUSES] = {
        "new", "verifying", "confirmed", "not_confirmed", "eliminated", "referred", "rejected"};
    struct tz_map_result r = {0};
    for (int k = 0; k < 40; k++) {
        struct tz_map_query q = random_query(pts, npts);
        q.mode = k % 2 ? TZ_MAP_HEX : TZ_MAP_CLUSTERS;
        assert_int_equal(tz_map_index_query(idx, &q, &r), TZ_OK);
        struct tz_buf b;
        tz_buf_init(&b, 64u << 20);
        assert_int_equal(tz_http_map_geojson(&r, q.mode, cats, 27, sts, &b), TZ_OK);
        json_error_t jerr;
        json_t *fc = json_loadb(b.data, b.len, 0, &jerr);
        assert_non_null(fc);
        assert_string_equal(json_string_value(json_object_get(fc, "type")), "FeatureCollection");
        assert_int_equal(json_integer_value(json_object_get(fc, "matched")), r.matched);
        assert_true(json_is_boolean(json_object_get(fc, "truncated")));
        json_t *features = json_object_get(fc, "features");
        assert_int_equal(json_array_size(features), r.count);
        long long sum = 0, max = 0;
        for (size_t i = 0; i < json_array_size(features); i++) {
            json_t *f = json_array_get(features, i), *props = json_object_get(f, "properties");
            json_t *geom = json_object_get(f, "geometry");
            const char *type = json_string_value(json_object_get(geom, "type"));
            long long count = json_is_integer(json_object_get(props, "count"))
                                  ? json_integer_value(json_object_get(props, "count"))
                                  : 1;
            sum += count;
            max = count > max ? count : max;
            if (q.mode == TZ_MAP_HEX) {
                assert_string_equal(type, "Polygon");
                json_t *ring = json_array_get(json_object_get(geom, "coordinates"), 0);
                assert_int_equal(json_array_size(ring), 7);
                assert_true(json_equal(json_array_get(ring, 0), json_array_get(ring, 6)));
                long long by = 0;
                const char *key;
                json_t *v;
                json_object_foreach(json_object_get(props, "counts"), key, v) by +=
                    json_integer_value(v);
                assert_int_equal(by, count);
                continue;
            }
            assert_string_equal(type, "Point");
            json_t *coords = json_object_get(geom, "coordinates");
            assert_true(fabs(json_real_value(json_array_get(coords, 0)) - r.features[i].lon) <
                        1e-6);
            if (json_is_true(json_object_get(props, "cluster"))) {
                assert_int_equal(json_array_size(json_object_get(props, "bbox")), 4);
                assert_true(json_is_integer(json_object_get(props, "expansion_zoom")));
            } else {
                assert_int_equal(json_integer_value(json_object_get(props, "id")),
                                 r.features[i].id);
                assert_string_equal(json_string_value(json_object_get(props, "category")),
                                    cats[r.features[i].category]);
                assert_string_equal(json_string_value(json_object_get(props, "status")),
                                    sts[r.features[i].status]);
                assert_int_equal(strlen(json_string_value(json_object_get(props, "received_at"))),
                                 20);
            }
        }
        if (!r.truncated)
            assert_int_equal(sum, r.matched);
        if (q.mode == TZ_MAP_HEX)
            assert_int_equal(json_integer_value(json_object_get(fc, "max_count")), max);
        json_decref(fc);
        tz_buf_free(&b);
    }
    tz_map_result_free(&r);
}

struct reader {
    const struct tz_map_index *x;
    int failures;
};

static void *read_loop(void *arg)
{
    struct reader *rd = arg;
    struct tz_map_result r = {0};
    struct tz_map_query q = whole_world(4, TZ_MAP_CLUSTERS);
    uint64_t last = 0;
    for (int k = 0; k < 150; k++) {
        q.mode = k % 2 ? TZ_MAP_HEX : TZ_MAP_CLUSTERS;
        if (tz_map_index_query(rd->x, &q, &r) != TZ_OK || r.matched < last)
            rd->failures++;
        uint64_t sum = 0;
        for (size_t i = 0; i < r.count; i++)
            sum += r.features[i].count;
        if (sum != r.matched)
            rd->failures++;
        last = r.matched; /* points are only ever added */
    }
    tz_map_result_free(&r);
    return NULL;
}

/*
 * As days pass, reports leave the usual view (a not_confirmed one a week after
 * the change); answers follow whether or not the view was brought up to date,
 * and a report that was hidden and is shown again after a change is counted.
 */
static void the_usual_view_follows_the_clock(void **state)
{
    struct tz_map_result r = {0};
    int64_t start = test_now;
    for (int day = 1; day <= 40; day += 3) {
        test_now = start + day * 86400;
        if (day % 2)
            assert_int_equal(tz_map_index_expire(idx, test_now), TZ_OK);
        for (int k = 0; k < 4; k++) {
            struct tz_map_query q = random_query(pts, npts);
            q.filter = usual_filter();
            check_query(idx, pts, npts, &q, &r);
            q.mode = TZ_MAP_HEX;
            check_query(idx, pts, npts, &q, &r);
        }
        /* Changes now: some into the view, some out of it, some of reports it let go. */
        for (int k = 0; k < 200; k++) {
            struct tpt *p = &pts[rnd() % npts];
            p->p.status = (uint8_t)(rnd() % TZ_MAP_STATUSES);
            p->p.status_changed_at = test_now - (int64_t)(rnd() % (10 * 86400));
            if (p->p.status_changed_at < p->p.received_at)
                p->p.status_changed_at = p->p.received_at;
            assert_int_equal(
                tz_map_index_set_status(idx, p->p.id, p->p.status, p->p.status_changed_at), TZ_OK);
        }
    }
    struct tz_map_query q = whole_world(3, TZ_MAP_CLUSTERS);
    q.filter = usual_filter();
    check_query(idx, pts, npts, &q, &r);
    tz_map_result_free(&r);
}

static void queries_run_beside_updates(void **state)
{
    struct tz_map_index *x = NULL;
    assert_int_equal(tz_map_index_build(NULL, 0, &x), TZ_OK);
    struct reader rd[3] = {{x, 0}, {x, 0}, {x, 0}};
    pthread_t tid[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&tid[i], NULL, read_loop, &rd[i]), 0);
    for (int k = 0; k < 20000; k++) {
        struct tpt t = random_point(k + 1);
        assert_int_equal(tz_map_index_add(x, &t.p), TZ_OK);
        if (k % 7 == 0)
            assert_int_equal(tz_map_index_set_status(x, k / 2 + 1, (uint8_t)(k % 7), T0 + k),
                             TZ_OK);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(tid[i], NULL);
        assert_int_equal(rd[i].failures, 0);
    }
    struct tz_map_filter f;
    all_pass(&f);
    assert_int_equal(world_count(x, &f), 20000);
    tz_map_index_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_queries_match_brute_force),
        cmocka_unit_test(clusters_are_the_union_of_the_clusters_one_zoom_in),
        cmocka_unit_test(zoom_0_shows_the_whole_world),
        cmocka_unit_test(a_viewport_with_nothing_is_empty),
        cmocka_unit_test(bad_queries_and_points_are_refused),
        cmocka_unit_test(an_empty_index_answers_and_grows),
        cmocka_unit_test(time_filters_hold_at_their_edges),
        cmocka_unit_test(geojson_parses_and_its_counts_match),
        cmocka_unit_test(additions_and_status_changes_show_in_the_next_query),
        cmocka_unit_test(late_status_changes_move_points_and_stay_counted),
        cmocka_unit_test(the_usual_view_follows_the_clock),
        cmocka_unit_test(queries_run_beside_updates),
    };
    int failed = cmocka_run_group_tests_name("plain", tests, setup, teardown);
    return failed + cmocka_run_group_tests_name("usual view", tests, setup_usual, teardown);
}
