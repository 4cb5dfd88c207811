/*
 * hotspot.c - hot spots: reports binned into hexagons laid in metres
 * (EPSG:2180), and the Getis-Ord Gi* statistic of each non-empty cell with
 * binary weights over a distance band (self included):
 *
 *   Gi* = (sum_j w_ij x_j - mean * W_i) / (sd * sqrt((n W_i - W_i^2) / (n - 1)))
 *
 * where n is the number of cells, x_j their counts, W_i = sum_j w_ij the cells
 * within the band of i, mean and sd (population) those of the counts. The
 * two-sided p-value is erfc(|z| / sqrt 2); each confidence level (90, 95,
 * 99 %) gets its own Benjamini-Hochberg threshold when FDR is on.
 *
 * Cells live in an open-addressing hash table keyed by their axial
 * coordinates, so the sums over neighbours are a few lookups per cell.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

#define SQRT3 1.7320508075688772
#define EMPTY UINT64_MAX
#define MAX_OFFSETS 512 /* (2K+1)^2 with K the rings of a 10-cell band, filtered */
#define BATCH 1024

struct tz_hotspot_params tz_hotspot_defaults(void)
{
    return (struct tz_hotspot_params){
        .cell_m = TZ_HOTSPOT_CELL_DEFAULT,
        .band_m = TZ_HOTSPOT_CELL_DEFAULT * TZ_HOTSPOT_BAND_FACTOR,
        .fdr = true,
    };
}

/* ---- hexagons ----------------------------------------------------------- */

struct tz_hex tz_hex_of(double cell_m, double x, double y)
{
    double rf = y / (cell_m * SQRT3 / 2.0);
    double qf = x / cell_m - rf / 2.0;
    double sf = -qf - rf;
    double q = round(qf), r = round(rf), s = round(sf);
    double dq = fabs(q - qf), dr = fabs(r - rf), ds = fabs(s - sf);
    if (dq > dr && dq > ds)
        q = -r - s;
    else if (dr > ds)
        r = -q - s;
    return (struct tz_hex){(int32_t)q, (int32_t)r};
}

void tz_hex_centre(double cell_m, struct tz_hex h, double *x, double *y)
{
    *x = cell_m * (h.q + h.r / 2.0);
    *y = cell_m * SQRT3 / 2.0 * h.r;
}

void tz_hex_corners(double cell_m, struct tz_hex h, double xy[6][2])
{
    double cx, cy, rad = cell_m / SQRT3;
    tz_hex_centre(cell_m, h, &cx, &cy);
    for (int k = 0; k < 6; k++) {
        double a = (30.0 + 60.0 * k) * (M_PI / 180.0);
        xy[k][0] = cx + rad * cos(a);
        xy[k][1] = cy + rad * sin(a);
    }
}

double tz_hex_distance(double cell_m, struct tz_hex a, struct tz_hex b)
{
    double dq = (double)a.q - b.q, dr = (double)a.r - b.r;
    return cell_m * sqrt(dq * dq + dq * dr + dr * dr);
}

/* ---- the cell table ----------------------------------------------------- */

struct table {
    uint64_t *keys;
    uint32_t *slot; /* index into the cells */
    size_t mask;
};

static uint64_t hex_key(struct tz_hex h)
{
    return (uint64_t)(uint32_t)h.q << 32 | (uint32_t)h.r;
}

static size_t hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k;
}

static tz_err table_init(struct table *t, size_t cells)
{
    size_t cap = 16;
    while (cap < 2 * cells)
        cap *= 2;
    t->keys = malloc(cap * sizeof *t->keys);
    t->slot = malloc(cap * sizeof *t->slot);
    t->mask = cap - 1;
    if (!t->keys || !t->slot)
        return TZ_ENOMEM;
    memset(t->keys, 0xFF, cap * sizeof *t->keys);
    return TZ_OK;
}

static void table_free(struct table *t)
{
    free(t->keys);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

/* Position of key in the table: its own, or the free one where it would go. */
static size_t table_find(const struct table *t, uint64_t key)
{
    size_t i = hash(key) & t->mask;
    while (t->keys[i] != EMPTY && t->keys[i] != key)
        i = (i + 1) & t->mask;
    return i;
}

/* ---- Gi* ---------------------------------------------------------------- */

/* The axial offsets of the cells within band_m of a cell, itself included. */
static size_t band_offsets(const struct tz_hotspot_params *p, struct tz_hex *off)
{
    int k = (int)ceil(p->band_m / (p->cell_m * SQRT3 / 2.0)) + 1;
    size_t n = 0;
    struct tz_hex zero = {0, 0};
    for (int dq = -k; dq <= k; dq++) {
        for (int dr = -k; dr <= k; dr++) {
            struct tz_hex h = {dq, dr};
            /* A hair of tolerance so that a band of exactly one ring counts that ring. */
            if (tz_hex_distance(p->cell_m, zero, h) <= p->band_m * (1.0 + 1e-9) && n < MAX_OFFSETS)
                off[n++] = h;
        }
    }
    return n;
}

static bool params_valid(const struct tz_hotspot_params *p)
{
    return isfinite(p->cell_m) && isfinite(p->band_m) && p->cell_m >= TZ_HOTSPOT_CELL_MIN &&
           p->cell_m <= TZ_HOTSPOT_CELL_MAX && p->band_m >= 0 &&
           p->band_m <= p->cell_m * TZ_HOTSPOT_BAND_MAX_CELLS;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * The Benjamini-Hochberg threshold at false discovery rate alpha over the m
 * sorted p-values: the largest p_(k) with p_(k) <= k / m * alpha, or -1 when
 * no test passes.
 */
static double bh_threshold(const double *sorted, size_t m, double alpha)
{
    for (size_t k = m; k > 0; k--) {
        if (sorted[k - 1] <= (double)k / (double)m * alpha)
            return sorted[k - 1];
    }
    return -1.0;
}

static const double LEVELS[3] = {0.10, 0.05, 0.01}; /* 90, 95, 99 % confidence */

/* Writes each cell's class from its z and p. */
static tz_err classify(struct tz_hotspot_cell *cells, size_t n, bool fdr)
{
    double thr[3] = {LEVELS[0], LEVELS[1], LEVELS[2]};
    if (fdr && n > 0) {
        double *ps = malloc(n * sizeof *ps);
        if (!ps)
            return TZ_ENOMEM;
        for (size_t i = 0; i < n; i++)
            ps[i] = cells[i].p;
        qsort(ps, n, sizeof *ps, cmp_double);
        for (int l = 0; l < 3; l++)
            thr[l] = bh_threshold(ps, n, LEVELS[l]);
        free(ps);
    }
    for (size_t i = 0; i < n; i++) {
        int level = 0;
        for (int l = 0; l < 3; l++) {
            /* Unadjusted, the test is p < alpha; under BH, p <= the threshold. */
            bool sig = fdr ? cells[i].p <= thr[l] : cells[i].p < thr[l];
            if (sig && cells[i].z != 0.0)
                level = l + 1;
        }
        cells[i].cls = cells[i].z > 0 ? level : -level;
    }
    return TZ_OK;
}

tz_err tz_hotspot_gistar(struct tz_hotspot_cell *cells, size_t n, const struct tz_hotspot_params *p,
                         double *mean, double *sd)
{
    if (!params_valid(p))
        return TZ_EINVAL;
    struct tz_hex off[MAX_OFFSETS];
    size_t noff = band_offsets(p, off);
    struct table t = {0};
    tz_err err = table_init(&t, n);
    if (err)
        goto done;
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; i++) {
        size_t at = table_find(&t, hex_key(cells[i].hex));
        if (t.keys[at] == EMPTY) { /* a cell given twice keeps its first place */
            t.keys[at] = hex_key(cells[i].hex);
            t.slot[at] = (uint32_t)i;
        }
        sum += cells[i].count;
        sum2 += (double)cells[i].count * cells[i].count;
    }
    double nn = (double)n, xbar = n ? sum / nn : 0.0;
    double var = n ? sum2 / nn - xbar * xbar : 0.0;
    double s = var > 0 ? sqrt(var) : 0.0;
    /* Counts are whole numbers: a variance this small relative to the mean is rounding. */
    if (s <= 1e-12 * (xbar > 1 ? xbar : 1))
        s = 0;
    for (size_t i = 0; i < n; i++) {
        double lsum = 0, w = 0;
        for (size_t k = 0; k < noff; k++) {
            struct tz_hex h = {cells[i].hex.q + off[k].q, cells[i].hex.r + off[k].r};
            size_t at = table_find(&t, hex_key(h));
            if (t.keys[at] != EMPTY) {
                lsum += cells[t.slot[at]].count;
                w += 1;
            }
        }
        double den2 = n > 1 ? (nn * w - w * w) / (nn - 1) : 0.0;
        double z = 0.0;
        if (s > 0 && den2 > 0)
            z = (lsum - xbar * w) / (s * sqrt(den2));
        cells[i].neighbours = (uint32_t)w;
        cells[i].z = z;
        cells[i].p = erfc(fabs(z) / sqrt(2.0));
    }
    err = classify(cells, n, p->fdr);
    if (mean)
        *mean = xbar;
    if (sd)
        *sd = s;
done:
    table_free(&t);
    return err;
}

/* ---- from points -------------------------------------------------------- */

/* Binning under way: the table grows with the cells found. */
struct binning {
    const struct tz_point_source *src;
    struct tz_proj *proj;
    double cell_m;
    struct table t;
    struct tz_hotspot_cell *cells;
    size_t n, cap;
    uint64_t points;
    uint64_t last_key; /* the cell of the last point, EMPTY at first */
    uint32_t last;
    double x[BATCH], y[BATCH];
};

static tz_err grow(struct binning *b)
{
    size_t cap = b->cap ? b->cap * 2 : 4096;
    struct tz_hotspot_cell *c = realloc(b->cells, cap * sizeof *c);
    if (!c)
        return TZ_ENOMEM;
    b->cells = c;
    b->cap = cap;
    /* Rehash into a table twice the cells' room. */
    struct table t = {0};
    tz_err err = table_init(&t, cap);
    if (err) {
        table_free(&t);
        return err;
    }
    for (size_t i = 0; i < b->n; i++) {
        size_t at = table_find(&t, hex_key(b->cells[i].hex));
        t.keys[at] = hex_key(b->cells[i].hex);
        t.slot[at] = (uint32_t)i;
    }
    table_free(&b->t);
    b->t = t;
    return TZ_OK;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Whether the source counts point p: not skipped, and kept by its test. */
static bool counted(const struct tz_point_source *src, const struct tz_map_point *p)
{
    if (src->skip_count && bsearch(&p->id, src->skip, src->skip_count, sizeof *src->skip, cmp_id))
        return false;
    return !src->keep || src->keep(src->keep_ctx, p);
}

static tz_err bin_batch(void *ctx, const struct tz_map_point *pts, size_t n)
{
    struct binning *b = ctx;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!counted(b->src, &pts[i]))
            continue;
        b->x[m] = pts[i].lon;
        b->y[m] = pts[i].lat;
        m++;
    }
    n = m;
    tz_err err = tz_proj_forward(b->proj, b->x, b->y, n);
    if (err && err != TZ_EINVAL)
        return err;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(b->x[i]) || !isfinite(b->y[i]) || fabs(b->x[i]) > 1e8 || fabs(b->y[i]) > 1e8)
            continue; /* not projectable (far off the grid's zone) */
        struct tz_hex h = tz_hex_of(b->cell_m, b->x[i], b->y[i]);
        uint64_t key = hex_key(h);
        /* Points come in runs along a Z-order curve: the last cell is often the next one. */
        if (key == b->last_key) {
            b->cells[b->last].count++;
            b->points++;
            continue;
        }
        size_t at = table_find(&b->t, key);
        if (b->t.keys[at] == EMPTY) {
            if (b->n == b->cap) {
                if ((err = grow(b)))
                    return err;
                at = table_find(&b->t, key);
            }
            b->t.keys[at] = key;
            b->t.slot[at] = (uint32_t)b->n;
            b->cells[b->n++] = (struct tz_hotspot_cell){.hex = h};
        }
        b->last_key = key;
        b->last = b->t.slot[at];
        b->cells[b->last].count++;
        b->points++;
    }
    return TZ_OK;
}

tz_err tz_hotspots_compute(const struct tz_point_source *src, struct tz_proj *proj,
                           const struct tz_map_visit *v, const struct tz_hotspot_params *p,
                           struct tz_hotspots *out)
{
    memset(out, 0, sizeof *out);
    if (!params_valid(p))
        return TZ_EINVAL;
    struct binning *b = calloc(1, sizeof *b);
    if (!b)
        return TZ_ENOMEM;
    b->src = src;
    b->proj = proj;
    b->cell_m = p->cell_m;
    b->last_key = EMPTY;
    tz_err err = grow(b);
    struct tz_map_visit vv = *v;
    vv.no_ids = src->skip_count == 0; /* ids are read only to skip some */
    if (!err)
        err = src->visit(src->src, &vv, bin_batch, b);
    out->params = *p;
    out->cells = b->cells;
    out->n = b->n;
    out->points = b->points;
    b->cells = NULL;
    if (!err)
        err = tz_hotspot_gistar(out->cells, out->n, p, &out->mean, &out->sd);
    table_free(&b->t);
    free(b);
    if (err)
        tz_hotspots_free(out);
    return err;
}

void tz_hotspots_free(struct tz_hotspots *h)
{
    free(h->cells);
    memset(h, 0, sizeof *h);
}

static tz_err index_visit(void *src, const struct tz_map_visit *v, tz_map_visit_fn fn, void *ctx)
{
    return tz_map_index_visit(src, v, fn, ctx);
}

static tz_err threatmap_visit(void *src, const struct tz_map_visit *v, tz_map_visit_fn fn,
                              void *ctx)
{
    return tz_threatmap_visit(src, v, fn, ctx);
}

struct tz_point_source tz_point_source_index(struct tz_map_index *idx)
{
    return (struct tz_point_source){.visit = index_visit, .src = idx};
}

struct tz_point_source tz_point_source_threatmap(struct tz_threatmap *tm)
{
    return (struct tz_point_source){.visit = threatmap_visit, .src = tm};
}

const char *tz_hotspot_class_name(int cls)
{
    static const char *const names[] = {"cold_99", "cold_95", "cold_90", "none",
                                        "hot_90",  "hot_95",  "hot_99"};
    return cls >= -3 && cls <= 3 ? names[cls + 3] : "none";
}
