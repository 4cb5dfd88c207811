/*
 * Unit tests of src/analysis: the hexagonal grid, Getis-Ord Gi* against
 * values worked out by hand on small grids (edge cells with fewer
 * neighbours, a uniform field, FDR), the projection to EPSG:2180, and the map
 * index's visits against a brute-force pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "base/tztime.h"
#include "http/render.h"
#include "http/report_json.h"

/* Statistics as JSON, in the shape of the other query functions. */
static tz_err stats_json(struct tz_threatmap *tm, const struct tz_query_param *params, size_t count,
                         int64_t now, struct tz_buf *out, struct tz_field_errors *errs)
{
    enum tz_stats_format format;
    return tz_http_stats(tm, params, count, now, out, &format, errs);
}

#define T0 1700000000 /* 2023-11-14 */
#define DAY 86400

static struct tz_hotspot_params params(double cell, double band, bool fdr)
{
    return (struct tz_hotspot_params){.cell_m = cell, .band_m = band, .fdr = fdr};
}

static struct tz_hotspot_cell *find(struct tz_hotspot_cell *c, size_t n, int q, int r)
{
    for (size_t i = 0; i < n; i++) {
        if (c[i].hex.q == q && c[i].hex.r == r)
            return &c[i];
    }
    fail_msg("no cell %d,%d", q, r);
    return NULL;
}

/* ---- hexagons ------------------------------------------------------------------------ */

static void test_hex_grid(void **state)
{
    (void)state;
    double cell = 250;
    for (int q = -3; q <= 3; q++) {
        for (int r = -3; r <= 3; r++) {
            struct tz_hex h = {q, r};
            double x, y;
            tz_hex_centre(cell, h, &x, &y);
            struct tz_hex back = tz_hex_of(cell, x, y);
            assert_int_equal(back.q, q);
            assert_int_equal(back.r, r);
            /* Just inside each corner still belongs to the hexagon. */
            double xy[6][2];
            tz_hex_corners(cell, h, xy);
            for (int k = 0; k < 6; k++) {
                struct tz_hex in =
                    tz_hex_of(cell, x + 0.99 * (xy[k][0] - x), y + 0.99 * (xy[k][1] - y));
                assert_int_equal(in.q, q);
                assert_int_equal(in.r, r);
            }
        }
    }
    /* The six neighbours are one cell away, the next ring sqrt(3) and 2 cells. */
    struct tz_hex o = {0, 0};
    assert_float_equal(tz_hex_distance(cell, o, (struct tz_hex){1, 0}), 250, 1e-9);
    assert_float_equal(tz_hex_distance(cell, o, (struct tz_hex){1, -1}), 250, 1e-9);
    assert_float_equal(tz_hex_distance(cell, o, (struct tz_hex){1, 1}), 250 * sqrt(3), 1e-9);
    assert_float_equal(tz_hex_distance(cell, o, (struct tz_hex){2, 0}), 500, 1e-9);
    /* Centre-to-flat-side is half a cell: 124 m east of the centre is in, 126 m out. */
    assert_int_equal(tz_hex_of(cell, 124, 0).q, 0);
    assert_int_equal(tz_hex_of(cell, 126, 0).q, 1);
}

/* ---- Gi* by hand --------------------------------------------------------------------- */

/*
 * Three cells in a row, counts 1, 2, 3; band 1.5 cells. n = 3, mean 2,
 * sd = sqrt(14/3 - 4) = sqrt(2/3). The end cells have W = 2:
 * Gi* = (3 - 2*2) / (sqrt(2/3) * sqrt((3*2 - 4) / 2)) = -1/sqrt(2/3) = -1.224745, and +1.224745
 * for the other end; the middle (W = 3 = n) has no variance: 0.
 */
static void test_gistar_row(void **state)
{
    (void)state;
    struct tz_hotspot_cell c[3] = {
        {.hex = {0, 0}, .count = 1}, {.hex = {1, 0}, .count = 2}, {.hex = {2, 0}, .count = 3}};
    struct tz_hotspot_params p = params(250, 375, false);
    double mean, sd;
    assert_int_equal(tz_hotspot_gistar(c, 3, &p, &mean, &sd), TZ_OK);
    assert_float_equal(mean, 2.0, 1e-12);
    assert_float_equal(sd, sqrt(2.0 / 3.0), 1e-12);
    assert_float_equal(c[0].z, -1.224744871, 1e-8);
    assert_float_equal(c[1].z, 0.0, 1e-12);
    assert_float_equal(c[2].z, 1.224744871, 1e-8);
    assert_int_equal(c[0].neighbours, 2);
    assert_int_equal(c[1].neighbours, 3);
    /* Two-sided p: 2 (1 - Phi(1.2247)) = 0.220671. */
    assert_float_equal(c[2].p, 0.2206713619, 1e-8);
    assert_float_equal(c[1].p, 1.0, 1e-12);
    for (int i = 0; i < 3; i++)
        assert_int_equal(c[i].cls, 0);
}

/*
 * A 3 x 3 parallelogram (q, r in 0..2), the centre (1,1) at 10 and the
 * other eight at 1: n = 9, mean 2, sum of squares 108, sd = sqrt(12 - 4) = 2 sqrt 2.
 *   (1,1): six neighbours, W = 7, sum 16: (16 - 14) / (2.828427 sqrt((63 - 49)/8)) = 0.534522
 *   (0,0): an edge cell, neighbours (1,0), (0,1): W = 3, sum 3:
 *          (3 - 6) / (2.828427 * sqrt((27 - 9)/8)) = -0.707107
 *   (2,0): neighbours (1,0), (2,1), (1,1): W = 4, sum 13:
 *          (13 - 8) / (2.828427 * sqrt((36 - 16)/8)) = 1.118034
 */
static void test_gistar_edges(void **state)
{
    (void)state;
    struct tz_hotspot_cell c[9];
    size_t n = 0;
    for (int q = 0; q < 3; q++) {
        for (int r = 0; r < 3; r++)
            c[n++] = (struct tz_hotspot_cell){.hex = {q, r}, .count = q == 1 && r == 1 ? 10 : 1};
    }
    struct tz_hotspot_params p = params(250, 375, true);
    double mean, sd;
    assert_int_equal(tz_hotspot_gistar(c, n, &p, &mean, &sd), TZ_OK);
    assert_float_equal(sd, 2 * sqrt(2.0), 1e-12);
    struct tz_hotspot_cell *centre = find(c, n, 1, 1), *corner = find(c, n, 0, 0);
    struct tz_hotspot_cell *side = find(c, n, 2, 0), *far = find(c, n, 2, 2);
    assert_int_equal(centre->neighbours, 7);
    assert_int_equal(corner->neighbours, 3);
    assert_int_equal(side->neighbours, 4);
    assert_int_equal(far->neighbours, 3); /* (2,2): (1,2), (2,1) */
    assert_float_equal(centre->z, 0.5345224838, 1e-8);
    assert_float_equal(corner->z, -0.7071067812, 1e-8);
    assert_float_equal(side->z, 1.1180339887, 1e-8);
    assert_float_equal(far->z, -0.7071067812, 1e-8);
    assert_float_equal(side->p, erfc(1.1180339887 / sqrt(2.0)), 1e-9);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(c[i].cls, 0); /* nine cells say nothing significant */

    /* A band of 0 makes every cell its own only neighbour: Gi* becomes the cell's z-score. */
    p = params(250, 0, false);
    assert_int_equal(tz_hotspot_gistar(c, n, &p, NULL, NULL), TZ_OK);
    /* (10 - 2) / (2.828427 * sqrt((9 - 1)/8)) = 2.828427, p = 0.004678: hot at 99 %. */
    assert_float_equal(find(c, n, 1, 1)->z, 2.8284271247, 1e-8);
    assert_int_equal(find(c, n, 1, 1)->cls, 3);
    assert_float_equal(find(c, n, 0, 0)->z, (1 - 2) / (2 * sqrt(2.0)), 1e-8);
}

/* Every cell at the same count: no variance, no hot or cold spot anywhere. */
static void test_gistar_uniform(void **state)
{
    (void)state;
    struct tz_hotspot_cell c[100];
    size_t n = 0;
    for (int q = 0; q < 10; q++) {
        for (int r = 0; r < 10; r++)
            c[n++] = (struct tz_hotspot_cell){.hex = {q, r}, .count = 4};
    }
    for (int fdr = 0; fdr < 2; fdr++) {
        struct tz_hotspot_params p = params(250, 375, fdr);
        double mean, sd;
        assert_int_equal(tz_hotspot_gistar(c, n, &p, &mean, &sd), TZ_OK);
        assert_float_equal(mean, 4.0, 1e-12);
        assert_float_equal(sd, 0.0, 1e-12);
        for (size_t i = 0; i < n; i++) {
            assert_float_equal(c[i].z, 0.0, 1e-12);
            assert_int_equal(c[i].cls, 0);
        }
    }
    /* One cell alone. */
    struct tz_hotspot_cell one = {.hex = {5, 5}, .count = 9};
    struct tz_hotspot_params p = tz_hotspot_defaults();
    assert_int_equal(tz_hotspot_gistar(&one, 1, &p, NULL, NULL), TZ_OK);
    assert_float_equal(one.z, 0.0, 1e-12);
    assert_int_equal(one.cls, 0);
}

/*
 * A 20 x 20 field of ones with a flower of seven cells at 20 around (10,10)
 * and one at 0: the flower's centre is hot at 99 % with or without FDR; FDR
 * never finds more than the raw tests; the cold and the quiet are not hot.
 */
static void test_gistar_flower_fdr(void **state)
{
    (void)state;
    size_t n = 400;
    struct tz_hotspot_cell *raw = calloc(n, sizeof *raw), *fdr = calloc(n, sizeof *fdr);
    assert_non_null(raw);
    assert_non_null(fdr);
    static const int ring[7][2] = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, -1}, {-1, 1}};
    size_t k = 0;
    for (int q = 0; q < 20; q++) {
        for (int r = 0; r < 20; r++) {
            unsigned count = 1;
            for (int j = 0; j < 7; j++)
                count = q == 10 + ring[j][0] && r == 10 + ring[j][1] ? 20 : count;
            if (q == 3 && r == 3)
                count = 0; /* an empty cell is no cell: it must not exist at all */
            if (count)
                raw[k++] = (struct tz_hotspot_cell){.hex = {q, r}, .count = count};
        }
    }
    n = k;
    memcpy(fdr, raw, n * sizeof *raw);
    struct tz_hotspot_params p = params(250, 375, false);
    assert_int_equal(tz_hotspot_gistar(raw, n, &p, NULL, NULL), TZ_OK);
    p.fdr = true;
    assert_int_equal(tz_hotspot_gistar(fdr, n, &p, NULL, NULL), TZ_OK);
    assert_int_equal(find(raw, n, 10, 10)->cls, 3);
    assert_int_equal(find(fdr, n, 10, 10)->cls, 3);
    assert_int_equal(find(fdr, n, 0, 0)->cls <= 0, 1);
    size_t sig_raw = 0, sig_fdr = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(abs(fdr[i].cls) <= abs(raw[i].cls));
        assert_float_equal(fdr[i].z, raw[i].z, 1e-12);
        sig_raw += raw[i].cls != 0;
        sig_fdr += fdr[i].cls != 0;
    }
    assert_true(sig_fdr <= sig_raw);
    assert_true(sig_fdr >= 7);
    /* (3,2), beside the empty (3,3), has one neighbour fewer. */
    assert_int_equal(find(raw, n, 3, 2)->neighbours, 6);
    free(raw);
    free(fdr);
}

static void test_gistar_params(void **state)
{
    (void)state;
    struct tz_hotspot_cell c = {.hex = {0, 0}, .count = 1};
    struct tz_hotspot_params p = params(10, 15, true); /* cell too small */
    assert_int_equal(tz_hotspot_gistar(&c, 1, &p, NULL, NULL), TZ_EINVAL);
    p = params(250, 250 * 11, true); /* band over 10 cells */
    assert_int_equal(tz_hotspot_gistar(&c, 1, &p, NULL, NULL), TZ_EINVAL);
    p = params(NAN, 1, true);
    assert_int_equal(tz_hotspot_gistar(&c, 1, &p, NULL, NULL), TZ_EINVAL);
    /* A band of exactly one cell takes the ring. */
    struct tz_hotspot_cell two[2] = {{.hex = {0, 0}, .count = 1}, {.hex = {0, 1}, .count = 1}};
    p = params(250, 250, true);
    assert_int_equal(tz_hotspot_gistar(two, 2, &p, NULL, NULL), TZ_OK);
    assert_int_equal(two[0].neighbours, 2);
}

/* ---- projection ---------------------------------------------------------------------- */

static void test_proj(void **state)
{
    (void)state;
    struct tz_proj *p = NULL;
    assert_int_equal(tz_proj_open(&p), TZ_OK);
    /* EPSG:2180: central meridian 19 E, false easting 500 km, false northing -5300 km. */
    double x[3] = {19.0, 19.94, 19.94}, y[3] = {52.0, 50.06, 50.07};
    assert_int_equal(tz_proj_forward(p, x, y, 3), TZ_OK);
    assert_float_equal(x[0], 500000.0, 1e-3);
    assert_true(y[0] > 455000 && y[0] < 465000);
    /* 0.01 degree of latitude is about 1112 m; the grid's scale is 0.9993 to 1.0003 here. */
    double d = hypot(x[2] - x[1], y[2] - y[1]);
    assert_true(d > 1108 && d < 1114);
    assert_int_equal(tz_proj_inverse(p, x, y, 3), TZ_OK);
    assert_float_equal(x[1], 19.94, 1e-9);
    assert_float_equal(y[1], 50.06, 1e-9);
    tz_proj_close(p);
}

/* ---- visits of the map index --------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static double uniform(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

struct seen {
    size_t n;
    int64_t ids_sum;
};

static tz_err count_batch(void *ctx, const struct tz_map_point *pts, size_t n)
{
    struct seen *s = ctx;
    s->n += n;
    for (size_t i = 0; i < n; i++)
        s->ids_sum += pts[i].id;
    return TZ_OK;
}

static bool passes(const struct tz_map_point *p, const struct tz_map_visit *v)
{
    if (!((v->filter.status_mask[p->category] >> p->status) & 1))
        return false;
    if (v->filter.received_from && p->received_at < v->filter.received_from)
        return false;
    if (v->filter.received_to && p->received_at >= v->filter.received_to)
        return false;
    if (p->status_changed_at < v->filter.min_changed_at[p->status])
        return false;
    /* Away from the box's edges by far more than the index's rounding. */
    return !v->has_box ||
           (p->lon >= v->west && p->lon <= v->east && p->lat >= v->south && p->lat <= v->north);
}

static void check_visit(struct tz_map_index *idx, const struct tz_map_point *pts, size_t n,
                        const struct tz_map_visit *v)
{
    struct seen want = {0}, got = {0};
    for (size_t i = 0; i < n; i++) {
        if (passes(&pts[i], v)) {
            want.n++;
            want.ids_sum += pts[i].id;
        }
    }
    assert_int_equal(tz_map_index_visit(idx, v, count_batch, &got), TZ_OK);
    assert_int_equal(got.n, want.n);
    assert_int_equal(got.ids_sum, want.ids_sum);
}

static void random_visit(struct tz_map_visit *v)
{
    memset(v, 0, sizeof *v);
    for (int c = 0; c < 8; c++)
        v->filter.status_mask[c] = uniform() < 0.7 ? (uint8_t)(uniform() * 128) : 0x7F;
    if (uniform() < 0.5) {
        v->has_box = true;
        /* Box edges on a coarse grid away from any point (points sit on odd 1e-5 steps). */
        v->west = 19.8 + floor(uniform() * 10) * 0.02 + 0.000002;
        v->east = v->west + 0.05;
        v->south = 50.0 + floor(uniform() * 10) * 0.01 + 0.000002;
        v->north = v->south + 0.04;
    }
    if (uniform() < 0.5)
        v->filter.received_from = T0 + (int64_t)(uniform() * 300) * DAY + 1;
    if (uniform() < 0.5)
        v->filter.received_to = T0 + (int64_t)(uniform() * 365) * DAY + 1;
    if (uniform() < 0.3)
        v->filter.min_changed_at[4] = T0 + (int64_t)(uniform() * 365) * DAY + 1;
}

static struct tz_map_point random_point(int64_t id)
{
    int64_t recv = T0 + (int64_t)(uniform() * 365 * DAY);
    return (struct tz_map_point){
        .id = id,
        /* On a 1e-5 degree lattice offset by half a step: never on a box edge. */
        .lon = 19.8 + floor(uniform() * 30000) * 1e-5 + 5e-6,
        .lat = 50.0 + floor(uniform() * 15000) * 1e-5 + 5e-6,
        .category = (uint8_t)(uniform() * 8),
        .status = (uint8_t)(uniform() * 7),
        .received_at = recv,
        .status_changed_at = recv + (uniform() < 0.2 ? 30 * DAY : DAY),
    };
}

static void test_visit(void **state)
{
    (void)state;
    size_t n = 30000, extra = 12000;
    struct tz_map_point *pts = calloc(n + extra, sizeof *pts);
    assert_non_null(pts);
    for (size_t i = 0; i < n; i++)
        pts[i] = random_point((int64_t)i + 1);
    struct tz_map_index *idx = NULL;
    assert_int_equal(tz_map_index_build(pts, n, &idx), TZ_OK);
    struct tz_map_visit v;
    for (int t = 0; t < 40; t++) {
        random_visit(&v);
        check_visit(idx, pts, n, &v);
    }
    /* New reports (past the buffer, so some are frozen into chunks) and status changes,
     * some late enough to move to the late set. */
    for (size_t i = n; i < n + extra; i++) {
        pts[i] = random_point((int64_t)i + 1);
        assert_int_equal(tz_map_index_add(idx, &pts[i]), TZ_OK);
    }
    n += extra;
    for (int k = 0; k < 3000; k++) {
        size_t i = (size_t)(uniform() * (double)n);
        pts[i].status = (uint8_t)(uniform() * 7);
        pts[i].status_changed_at = pts[i].received_at + (int64_t)(uniform() * 40) * DAY;
        assert_int_equal(
            tz_map_index_set_status(idx, pts[i].id, pts[i].status, pts[i].status_changed_at),
            TZ_OK);
    }
    for (int t = 0; t < 40; t++) {
        random_visit(&v);
        check_visit(idx, pts, n, &v);
    }
    /* Everything, and a bad box. */
    memset(&v, 0, sizeof v);
    memset(v.filter.status_mask, 0x7F, sizeof v.filter.status_mask);
    check_visit(idx, pts, n, &v);
    v.has_box = true;
    v.west = 20;
    v.east = 19;
    struct seen got = {0};
    assert_int_equal(tz_map_index_visit(idx, &v, count_batch, &got), TZ_EINVAL);
    tz_map_index_free(idx);
    free(pts);
}

/* Hot spots from points: a tight cluster in a scattered field is a hot spot at its place. */
static void test_hotspots_compute(void **state)
{
    (void)state;
    size_t n = 20000;
    struct tz_map_point *pts = calloc(n, sizeof *pts);
    assert_non_null(pts);
    for (size_t i = 0; i < n; i++) {
        pts[i] = random_point((int64_t)i + 1);
        if (i % 10 == 0) { /* a tenth within ~100 m of one spot */
            pts[i].lon = 19.94 + (uniform() - 0.5) * 0.002;
            pts[i].lat = 50.06 + (uniform() - 0.5) * 0.0012;
        }
    }
    struct tz_map_index *idx = NULL;
    assert_int_equal(tz_map_index_build(pts, n, &idx), TZ_OK);
    struct tz_proj *proj = NULL;
    assert_int_equal(tz_proj_open(&proj), TZ_OK);
    struct tz_point_source src = tz_point_source_index(idx);
    struct tz_map_visit v = {0};
    memset(v.filter.status_mask, 0x7F, sizeof v.filter.status_mask);
    struct tz_hotspot_params p = tz_hotspot_defaults();
    struct tz_hotspots h;
    assert_int_equal(tz_hotspots_compute(&src, proj, &v, &p, &h), TZ_OK);
    assert_int_equal(h.points, n);
    uint64_t total = 0;
    for (size_t i = 0; i < h.n; i++)
        total += h.cells[i].count;
    assert_int_equal(total, n);
    double x = 19.94, y = 50.06;
    assert_int_equal(tz_proj_forward(proj, &x, &y, 1), TZ_OK);
    struct tz_hex spot = tz_hex_of(p.cell_m, x, y);
    struct tz_hotspot_cell *c = find(h.cells, h.n, spot.q, spot.r);
    assert_int_equal(c->cls, 3);
    struct tz_buf b;
    tz_buf_init(&b, 64u << 20);
    assert_int_equal(tz_http_hotspots_geojson(&h, proj, false, &b), TZ_OK);
    assert_non_null(strstr(b.data, "\"hot_99\""));
    assert_non_null(strstr(b.data, "\"Polygon\""));
    tz_buf_free(&b);
    tz_hotspots_free(&h);
    tz_proj_close(proj);
    tz_map_index_free(idx);
    free(pts);
}

/* ---- the same threat nearby ---------------------------------------------------------- */

#define R_EARTH 6371008.8
#define BASE_LAT 50.06
#define BASE_LON 19.94

/* The point d metres north (bearing 0) or east (bearing 90) of the base, on the same sphere. */
static void offset(double d, bool east, double *lat, double *lon)
{
    *lat = BASE_LAT;
    *lon = BASE_LON;
    if (east)
        *lon += 2 * asin(sin(d / (2 * R_EARTH)) / cos(BASE_LAT * M_PI / 180)) * 180 / M_PI;
    else
        *lat += d / R_EARTH * 180 / M_PI;
}

static void test_distance(void **state)
{
    (void)state;
    double lat, lon;
    offset(100, false, &lat, &lon);
    assert_float_equal(tz_distance_m(BASE_LAT, BASE_LON, lat, lon), 100, 1e-6);
    offset(100, true, &lat, &lon);
    assert_float_equal(tz_distance_m(BASE_LAT, BASE_LON, lat, lon), 100, 1e-6);
    assert_float_equal(tz_distance_m(50, 20, 50, 20), 0, 1e-12);
}

static void test_nearby_thresholds(void **state)
{
    (void)state;
    int64_t now = T0 + 100 * DAY, win = 14 * DAY;
    struct {
        double d;
        bool east;
        uint8_t cat, status;
        int64_t recv;
        bool want;
    } cases[] = {
        {99.5, false, 1, 0, now - DAY, true},    /* 1: just inside, north */
        {100.5, false, 1, 0, now - DAY, false},  /* 2: just beyond */
        {99.5, true, 1, 2, now - DAY, true},     /* 3: just inside, east, confirmed */
        {100.5, true, 1, 0, now - DAY, false},   /* 4: just beyond, east */
        {10, false, 1, 1, now - win, true},      /* 5: received exactly 14 days before */
        {10, false, 1, 1, now - win - 1, false}, /* 6: a second older */
        {10, false, 2, 0, now - DAY, false},     /* 7: another category */
        {10, false, 1, 6, now - DAY, false},     /* 8: rejected */
        {0, false, 1, 0, now, false},            /* 9: the report itself */
        {50, true, 1, 0, now, true},             /* 10: at the same second */
        {10, false, 1, 0, now + 1, false},       /* 11: after it */
    };
    size_t n = sizeof cases / sizeof cases[0];
    struct tz_map_point pts[16];
    for (size_t i = 0; i < n; i++) {
        pts[i] = (struct tz_map_point){.id = (int64_t)i + 1,
                                       .category = cases[i].cat,
                                       .status = cases[i].status,
                                       .received_at = cases[i].recv,
                                       .status_changed_at = cases[i].recv};
        offset(cases[i].d, cases[i].east, &pts[i].lat, &pts[i].lon);
    }
    struct tz_map_index *idx = NULL;
    assert_int_equal(tz_map_index_build(pts, n, &idx), TZ_OK);
    struct tz_point_source src = tz_point_source_index(idx);
    struct tz_nearby_query q = {
        .category = 1,
        .status_mask = 0x3F, /* all but rejected */
        .lat = BASE_LAT,
        .lon = BASE_LON,
        .radius_m = 100,
        .from = now - win,
        .to = now,
        .exclude_id = 9,
    };
    struct tz_nearby out[8];
    size_t found = 0;
    assert_int_equal(tz_nearby_find(&src, &q, out, 8, &found), TZ_OK);
    assert_int_equal(found, 4);
    /* Nearest first: 5 (10 m), 10 (50 m), then 1 and 3 at 99.5 m, older first (same time: id). */
    assert_int_equal(out[0].id, 5);
    assert_int_equal(out[1].id, 10);
    assert_int_equal(out[2].id, 1);
    assert_int_equal(out[3].id, 3);
    assert_float_equal(out[2].distance_m, 99.5, 0.05);
    assert_int_equal(out[3].status, 2);
    /* A short answer keeps the nearest; found still counts all. */
    assert_int_equal(tz_nearby_find(&src, &q, out, 2, &found), TZ_OK);
    assert_int_equal(found, 4);
    assert_int_equal(out[0].id, 5);
    assert_int_equal(out[1].id, 10);
    assert_int_equal(tz_nearby_find(&src, &q, out, 0, &found), TZ_OK);
    assert_int_equal(found, 4);
    /* Widened by a metre, the two at 100.5 m join. */
    q.radius_m = 101;
    assert_int_equal(tz_nearby_find(&src, &q, out, 8, &found), TZ_OK);
    assert_int_equal(found, 6);
    q.lat = NAN;
    assert_int_equal(tz_nearby_find(&src, &q, out, 8, &found), TZ_EINVAL);
    tz_map_index_free(idx);
}

static void test_places(void **state)
{
    (void)state;
    int64_t t = T0, win = 14 * DAY;
    struct tz_place_point p[8];
    double lat, lon;
    /* 0, 1, 2 on a line 90 m apart: a chain, one place, though 0 and 2 are 180 m apart. */
    for (int i = 0; i < 3; i++) {
        offset(90.0 * i, false, &lat, &lon);
        p[i] = (struct tz_place_point){1, lat, lon, t};
    }
    offset(-100.5, false, &lat, &lon); /* 3: 100.5 m south of 0: its own place */
    p[3] = (struct tz_place_point){1, lat, lon, t};
    offset(-99.5, true, &lat, &lon); /* 4: 99.5 m west of 0: joins */
    p[4] = (struct tz_place_point){1, lat, lon, t};
    p[5] = (struct tz_place_point){1, BASE_LAT, BASE_LON, t + win + 1}; /* a second too late */
    p[6] = (struct tz_place_point){2, BASE_LAT, BASE_LON, t};           /* another category */
    p[7] = (struct tz_place_point){1, BASE_LAT, BASE_LON, t - win};     /* exactly 14 days */
    uint32_t place[8];
    assert_int_equal(tz_places_group(p, 8, 100, win, place), TZ_OK);
    assert_int_equal(place[0], 0);
    assert_int_equal(place[1], 0);
    assert_int_equal(place[2], 0);
    assert_int_equal(place[3], 3);
    assert_int_equal(place[4], 0);
    assert_int_equal(place[5], 5);
    assert_int_equal(place[6], 6);
    assert_int_equal(place[7], 0);
    assert_int_equal(tz_places_group(p, 8, 0, win, place), TZ_EINVAL);
    assert_int_equal(tz_places_group(p, 0, 100, win, place), TZ_OK);
}

/* ---- merging, in a real store ---------------------------------------------------------- */

static void test_merge(void **state)
{
    (void)state;
    char path[] = "/tmp/tz_analysis_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    struct tz_store *store = NULL;
    assert_int_equal(tz_store_open_sqlite(path, &store), TZ_OK);
    assert_int_equal(tz_threatmap_demo(store, 20, 7, T0), TZ_OK);
    struct tz_threatmap *tm = NULL;
    assert_int_equal(tz_threatmap_open(store, NULL, &tm), TZ_OK);
    assert_int_equal(tz_threatmap_merge(tm, 2, 1, "cli:kowalski", "same car", T0, NULL), TZ_OK);
    assert_int_equal(tz_threatmap_merge(tm, 2, 3, "a", NULL, T0, NULL), TZ_ECONFLICT); /* merged */
    assert_int_equal(tz_threatmap_merge(tm, 4, 2, "a", NULL, T0, NULL),
                     TZ_ECONFLICT); /* into a dup */
    assert_int_equal(tz_threatmap_merge(tm, 1, 5, "a", NULL, T0, NULL),
                     TZ_ECONFLICT); /* has dups */
    assert_int_equal(tz_threatmap_merge(tm, 4, 4, "a", NULL, T0, NULL), TZ_EINVAL);
    assert_int_equal(tz_threatmap_merge(tm, 4, 1, "", NULL, T0, NULL), TZ_EINVAL);
    assert_int_equal(tz_threatmap_merge(tm, 4, 999, "a", NULL, T0, NULL), TZ_ENOTFOUND);
    assert_int_equal(tz_threatmap_merge(tm, 3, 1, "cli:nowak", NULL, T0 + 5, NULL), TZ_OK);
    struct tz_merge_rec *m = NULL;
    size_t n = 0;
    assert_int_equal(tz_store_report_merges(store, 1, &m, &n), TZ_OK);
    assert_int_equal(n, 2);
    assert_int_equal(m[0].report_id, 2);
    assert_int_equal(m[0].original_id, 1);
    assert_string_equal(m[0].actor, "cli:kowalski");
    assert_string_equal(m[0].note, "same car");
    assert_null(m[1].note);
    tz_merge_recs_free(m, n);
    assert_int_equal(tz_store_report_merges(store, 2, &m, &n), TZ_OK);
    assert_int_equal(n, 1);
    tz_merge_recs_free(m, n);
    /* Both reports stay; their histories are untouched. */
    struct tz_report_rec rec = {0};
    assert_int_equal(tz_store_get_report(store, 2, &rec), TZ_OK);
    tz_report_rec_clear(&rec);
    tz_threatmap_close(tm);
    tz_store_close(store);
    char side[sizeof path + 8];
    for (int k = 0; k < 2; k++) {
        snprintf(side, sizeof side, "%s%s", path, k ? "-wal" : "-shm");
        unlink(side);
    }
    unlink(path);
}

/* ---- patrol plan and statistics on constructed reports ------------------------------ */

struct store_fixture {
    char path[64];
    struct tz_store *store;
    struct tz_threatmap *tm;
};

static void fixture_open(struct store_fixture *f)
{
    snprintf(f->path, sizeof f->path, "/tmp/tz_analysis_XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    close(fd);
    unlink(f->path);
    assert_int_equal(tz_store_open_sqlite(f->path, &f->store), TZ_OK);
    assert_int_equal(tz_threatmap_demo(f->store, 0, 7, T0), TZ_OK); /* districts only */
    assert_int_equal(tz_threatmap_open(f->store, NULL, &f->tm), TZ_OK);
}

static void fixture_close(struct store_fixture *f)
{
    tz_threatmap_close(f->tm);
    tz_store_close(f->store);
    char side[80];
    for (int k = 0; k < 2; k++) {
        snprintf(side, sizeof side, "%s%s", f->path, k ? "-wal" : "-shm");
        unlink(side);
    }
    unlink(f->path);
}

/* Files a report at (lat, lon) and moves it through the statuses given (NULL-terminated). */
static int64_t file_report(struct store_fixture *f, const char *category, double lat, double lon,
                           int64_t now, ...)
{
    char body[256];
    snprintf(body, sizeof body, "{\"category\":\"%s\",\"lat\":%.6f,\"lon\":%.6f}", category, lat,
             lon);
    struct tz_submission sub = {0};
    struct tz_field_errors errs = {0};
    assert_int_equal(
        tz_http_report_prepare(f->tm, body, strlen(body), "127.0.0.1", now, &sub, &errs), TZ_OK);
    assert_int_equal(tz_threatmap_submit(f->tm, &sub), TZ_OK);
    int64_t id = sub.rec.id;
    tz_submission_clear(&sub);
    va_list ap;
    va_start(ap, now);
    for (const char *to; (to = va_arg(ap, const char *));) {
        struct tz_transition_request req = {
            .report_id = id, .to = to, .role = TZ_AUTH_SUPERVISOR, .actor = "test", .note = "n"};
        assert_int_equal(tz_threatmap_transition(f->tm, &req, now + 60, &errs), TZ_OK);
    }
    va_end(ap);
    return id;
}

static json_t *call(struct store_fixture *f,
                    tz_err (*fn)(struct tz_threatmap *, const struct tz_query_param *, size_t,
                                 int64_t, struct tz_buf *, struct tz_field_errors *),
                    const struct tz_query_param *params, size_t n, int64_t now)
{
    struct tz_buf b;
    tz_buf_init(&b, 16u << 20);
    struct tz_field_errors errs = {0};
    assert_int_equal(fn(f->tm, params, n, now, &b, &errs), TZ_OK);
    json_error_t jerr;
    json_t *j = json_loads(b.data, 0, &jerr);
    assert_non_null(j);
    tz_buf_free(&b);
    return j;
}

/* The patrol plan without an address register: every place's nearest address is null. */
static tz_err patrol_json(struct tz_threatmap *tm, const struct tz_query_param *params, size_t n,
                          int64_t now, struct tz_buf *out, struct tz_field_errors *errs)
{
    return tz_http_patrol_json(tm, NULL, params, n, now, out, errs);
}

/*
 * The same answers as the structs analysis hands http (issue 13): the plan's
 * places ranked with their reports, statistics per group with the share on
 * time, trends per period; a bad query leaves nothing to free.
 */
static void check_structs(struct store_fixture *f, const char *district, int64_t now, int64_t a)
{
    struct tz_field_errors errs = {0};
    struct tz_query_param pp[] = {{"district", district}, {"limit", "2"}};
    struct tz_patrol plan;
    struct tz_patrol_query pq; /* read as http reads the query string */
    assert_int_equal(tz_http_patrol_query(f->tm, pp, 2, &pq, &errs), TZ_OK);
    assert_int_equal(tz_analysis_patrol(f->tm, &pq, now + 120, &plan, &errs), TZ_OK);
    assert_int_equal(plan.places, 3);
    assert_int_equal(plan.top_count, 2); /* limit=2 */
    assert_int_equal(plan.reports, 5);
    assert_string_equal(plan.district->id, district);
    assert_float_equal(plan.top[0].score, 3.0, 0.01);
    assert_int_equal(plan.top[0].report_count, 1);
    assert_int_equal(plan.top[0].reports[0], a);
    assert_int_equal(plan.top[1].by_status[TZ_STATUS_NEW], 2);
    tz_patrol_clear(&plan);

    struct tz_query_param sp[] = {{"by", "region"}, {"format", "csv"}};
    struct tz_stats st;
    struct tz_stats_query sq;
    double pct = 0;
    assert_int_equal(tz_http_stats_query(sp, 2, &sq, &errs), TZ_OK);
    assert_int_equal(tz_analysis_stats(f->tm, &sq, now + 3 * 86400, &st, &errs), TZ_OK);
    assert_int_equal(st.format, TZ_STATS_CSV);
    assert_int_equal(st.count, 1);
    assert_int_equal(st.groups[0].total, 5);
    assert_int_equal(st.groups[0].takeup.overdue, 2);
    assert_true(tz_stats_on_time_pct(&st.groups[0].takeup, &pct));
    assert_float_equal(pct, 60.0, 1e-9);
    tz_stats_clear(&st);

    struct tz_query_param tp[] = {{"period", "week"}};
    struct tz_trends tr;
    struct tz_trends_query tq;
    assert_int_equal(tz_http_trends_query(f->tm, tp, 1, &tq, &errs), TZ_OK);
    assert_int_equal(tz_analysis_trends(f->tm, &tq, now + 120, &tr, &errs), TZ_OK);
    assert_true(tr.week);
    assert_int_equal(tr.periods, 52);
    assert_int_equal(tr.total.counts[tr.periods - 1], 5);
    assert_int_equal(tr.total.year_before[tr.periods - 1], 0);
    assert_false(tz_trends_change_pct(5, 0, &pct));
    assert_int_equal(tr.series_count, 4); /* parking, begging, vandalism, speeding */
    tz_trends_clear(&tr);

    struct tz_query_param bad[] = {{"period", "year"}};
    assert_int_equal(tz_http_trends_query(f->tm, bad, 1, &tq, &errs), TZ_OK);
    assert_int_equal(tz_analysis_trends(f->tm, &tq, now, &tr, &errs), TZ_EINVAL);
    assert_int_equal(errs.count, 1);
    tz_trends_clear(&tr); /* nothing held: clearing is safe */
}

/*
 * In the Old Town: A, one confirmed report (score 3); B, two new reports 50 m
 * apart (2); D, one not confirmed (0.25); C, one eliminated (0: left out).
 * All filed now, so the decay is 1.
 */
static void test_patrol_and_stats(void **state)
{
    (void)state;
    struct store_fixture f;
    fixture_open(&f);
    int64_t now = tz_time_now() - 3600;
    double lat = 50.0617, lon = 19.9373;
    int64_t a =
        file_report(&f, "illegal_parking", lat, lon, now, "verifying", "confirmed", (char *)NULL);
    int64_t b1 = file_report(&f, "begging", lat + 0.0027, lon, now, (char *)NULL);
    int64_t b2 = file_report(&f, "begging", lat + 0.0027 + 0.00045, lon, now, (char *)NULL);
    file_report(&f, "vandalism", lat - 0.0020, lon, now, "verifying", "confirmed", "eliminated",
                (char *)NULL);
    int64_t d = file_report(&f, "speeding", lat, lon + 0.003, now, "verifying", "not_confirmed",
                            (char *)NULL);
    struct tz_report_rec rec = {0};
    assert_int_equal(tz_store_get_report(f.store, a, &rec), TZ_OK);
    char district[TZ_ID_MAX];
    memcpy(district, rec.district_id, sizeof district);
    tz_report_rec_clear(&rec);

    struct tz_query_param p[] = {{"district", district}};
    json_t *plan = call(&f, patrol_json, p, 1, now + 120);
    json_t *features = json_object_get(plan, "features");
    assert_int_equal(json_array_size(features), 3);
    json_t *first = json_object_get(json_array_get(features, 0), "properties");
    json_t *second = json_object_get(json_array_get(features, 1), "properties");
    json_t *third = json_object_get(json_array_get(features, 2), "properties");
    assert_float_equal(json_real_value(json_object_get(first, "score")), 3.0, 0.01);
    assert_float_equal(json_real_value(json_object_get(second, "score")), 2.0, 0.01);
    assert_float_equal(json_real_value(json_object_get(third, "score")), 0.25, 0.01);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(first, "reports"), 0)), a);
    json_t *reports = json_object_get(second, "reports");
    assert_int_equal(json_array_size(reports), 2);
    assert_int_equal(json_integer_value(json_array_get(reports, 0)), b1);
    assert_int_equal(json_integer_value(json_array_get(reports, 1)), b2);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(third, "reports"), 0)), d);
    assert_non_null(strstr(json_string_value(json_object_get(first, "reason")), "1 confirmed"));
    assert_non_null(strstr(json_string_value(json_object_get(second, "reason")), "2 new"));
    assert_true(json_is_null(json_object_get(first, "nearest_address")));
    json_decref(plan);

    /* Statistics of the same five: by status, and every take-up on time. */
    struct tz_query_param sp[] = {{"by", "region"}};
    json_t *st = call(&f, stats_json, sp, 1, now + 120);
    json_t *g = json_array_get(json_object_get(st, "groups"), 0);
    assert_int_equal(json_integer_value(json_object_get(g, "total")), 5);
    json_t *by = json_object_get(g, "by_status");
    assert_int_equal(json_integer_value(json_object_get(by, "new")), 2);
    assert_int_equal(json_integer_value(json_object_get(by, "confirmed")), 1);
    assert_int_equal(json_integer_value(json_object_get(by, "eliminated")), 1);
    json_t *tu = json_object_get(g, "takeup");
    assert_int_equal(json_integer_value(json_object_get(tu, "on_time")), 3);
    assert_int_equal(json_integer_value(json_object_get(tu, "open")), 2);
    assert_float_equal(json_real_value(json_object_get(tu, "on_time_pct")), 100.0, 1e-9);
    json_decref(st);

    /* Three days later the two new ones are overdue. */
    st = call(&f, stats_json, sp, 1, now + 3 * 86400);
    tu = json_object_get(json_array_get(json_object_get(st, "groups"), 0), "takeup");
    assert_int_equal(json_integer_value(json_object_get(tu, "overdue")), 2);
    assert_float_equal(json_real_value(json_object_get(tu, "on_time_pct")), 60.0, 1e-9);
    json_decref(st);

    /* Trends: this month holds the five; the year before, none. */
    struct tz_query_param tp[] = {{"period", "month"}};
    json_t *tr = call(&f, tz_http_trends_json, tp, 1, now + 120);
    json_t *counts = json_object_get(json_object_get(tr, "total"), "counts");
    assert_int_equal(json_integer_value(json_array_get(counts, json_array_size(counts) - 1)), 5);
    assert_true(json_is_null(json_array_get(
        json_object_get(json_object_get(tr, "total"), "change_pct"), json_array_size(counts) - 1)));
    json_decref(tr);
    check_structs(&f, district, now, a);
    fixture_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex_grid),
        cmocka_unit_test(test_gistar_row),
        cmocka_unit_test(test_gistar_edges),
        cmocka_unit_test(test_gistar_uniform),
        cmocka_unit_test(test_gistar_flower_fdr),
        cmocka_unit_test(test_gistar_params),
        cmocka_unit_test(test_proj),
        cmocka_unit_test(test_visit),
        cmocka_unit_test(test_hotspots_compute),
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_nearby_thresholds),
        cmocka_unit_test(test_places),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_patrol_and_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
