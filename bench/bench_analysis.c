/*
 * bench_analysis.c - the analysis against DESIGN.md section 4 and issue 5:
 * hot spots (Gi*) over 1,000,000 reports with about 100,000 non-empty 250 m
 * cells in at most 1 s, and the duplicate check on submission in at most
 * 100 us per report with 1,000,000 reports stored.
 *
 *   bench_analysis [--points N] [--export FILE]
 *
 * Draws N reports (fixed seed): a quarter in the big cities' hot spots and
 * the rest around 600 towns spread over Poland, 46 % illegal parking, 20 %
 * speeding, received over the year before NOW. Then, on the map index built
 * from them: hot spots with the defaults (250 m cells, a 375 m band, FDR),
 * ROUNDS times (projection, binning, Gi*, classes; and the GeoJSON of the
 * significant cells apart); and the nearby check of a new report at the
 * place of CHECKS random stored ones (same category, 100 m, 14 days).
 * Output, key=value:
 *   analysis hotspots points=... cells=... hot=... cold=... best_s=... median_s=... geojson_s=...
 *   analysis nearby checks=... mean_us=... p99_us=... found_mean=...
 * --export FILE writes the points as CSV (lon,lat) for bench/postgis_hotspots.sh.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analysis.h"
#include "http/render.h"
#include "rng.h"

#define NOW 1748736000 /* 2025-06-01T00:00:00Z */
#define DAY 86400
#define ROUNDS 5
#define CHECKS 100000
#define TOWNS 600

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Big cities: lat, lon, spread (degrees). */
static const double cities[][3] = {
    {50.0614, 19.9366, 0.010}, {50.0650, 19.9450, 0.040}, {52.2297, 21.0122, 0.050},
    {51.1079, 17.0385, 0.040}, {51.7592, 19.4560, 0.040}, {52.4064, 16.9252, 0.040},
    {54.3520, 18.6466, 0.040}, {50.2649, 19.0238, 0.040},
};

static int pick_category(void)
{
    double u = uniform();
    if (u < 0.46)
        return 0;
    if (u < 0.66)
        return 1;
    if (u < 0.76)
        return 9;
    return 2 + (int)(uniform() * 25) % 25;
}

static struct tz_map_point *make_points(size_t n)
{
    struct tz_map_point *pts = malloc(n * sizeof *pts);
    double towns[TOWNS][3];
    for (int t = 0; t < TOWNS; t++) {
        towns[t][0] = 49.6 + uniform() * 4.7;
        towns[t][1] = 14.8 + uniform() * 8.6;
        towns[t][2] = 0.0018 + uniform() * 0.0036;
    }
    for (size_t i = 0; pts && i < n; i++) {
        double lat, lon, s;
        if (uniform() < 0.25) {
            const double *c = cities[(size_t)(uniform() * 8) % 8];
            lat = c[0];
            lon = c[1];
            s = c[2];
        } else {
            const double *c = towns[(size_t)(uniform() * TOWNS) % TOWNS];
            lat = c[0];
            lon = c[1];
            s = c[2];
        }
        int64_t recv = NOW - (int64_t)(uniform() * 365 * DAY);
        pts[i] = (struct tz_map_point){
            .id = (int64_t)i + 1,
            .lat = lat + gauss() * s,
            .lon = lon + gauss() * s * 1.6,
            .category = (uint8_t)pick_category(),
            .status = (uint8_t)(uniform() * 6),
            .received_at = recv,
            .status_changed_at = recv + DAY,
        };
    }
    return pts;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t n = 1000000;
    const char *export = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--points") == 0)
            n = (size_t)strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--export") == 0)
            export = argv[i + 1];
    }
    struct tz_map_point *pts = make_points(n);
    struct tz_map_index *idx = NULL;
    if (!pts || tz_map_index_build(pts, n, &idx) != TZ_OK) {
        fprintf(stderr, "bench_analysis: cannot build the index\n");
        return 1;
    }
    if (export) {
        FILE *f = fopen(export, "w");
        for (size_t i = 0; f && i < n; i++)
            fprintf(f, "%.7f,%.7f\n", pts[i].lon, pts[i].lat);
        if (!f || fclose(f) != 0) {
            fprintf(stderr, "bench_analysis: cannot write %s\n", export);
            return 1;
        }
    }

    /* Hot spots, as GET /api/v1/analysis/hotspots computes them (a projection of its own). */
    struct tz_point_source src = tz_point_source_index(idx);
    struct tz_map_visit v = {0};
    memset(v.filter.status_mask, 0x7F, sizeof v.filter.status_mask);
    struct tz_hotspot_params hp = tz_hotspot_defaults();
    double times[ROUNDS], geojson_s = 0;
    size_t cells = 0, hot = 0, cold = 0, json_bytes = 0;
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_s();
        struct tz_proj *proj = NULL;
        struct tz_hotspots h;
        if (tz_proj_open(&proj) != TZ_OK || tz_hotspots_compute(&src, proj, &v, &hp, &h) != TZ_OK) {
            fprintf(stderr, "bench_analysis: hot spots failed\n");
            return 1;
        }
        times[r] = now_s() - t0;
        cells = h.n;
        hot = cold = 0;
        for (size_t i = 0; i < h.n; i++) {
            hot += h.cells[i].cls > 0;
            cold += h.cells[i].cls < 0;
        }
        struct tz_buf b;
        tz_buf_init(&b, 256u << 20);
        double t1 = now_s();
        tz_http_hotspots_geojson(&h, proj, false, &b);
        geojson_s = now_s() - t1;
        json_bytes = b.len;
        tz_buf_free(&b);
        tz_hotspots_free(&h);
        tz_proj_close(proj);
    }
    qsort(times, ROUNDS, sizeof *times, cmp_double);
    printf("analysis hotspots points=%zu cells=%zu hot=%zu cold=%zu best_s=%.3f median_s=%.3f "
           "geojson_s=%.3f geojson_bytes=%zu\n",
           n, cells, hot, cold, times[0], times[ROUNDS / 2], geojson_s, json_bytes);

    /* The duplicate check of a new report at the place of a random stored one. */
    double *us = malloc(CHECKS * sizeof *us);
    uint64_t found_total = 0;
    for (size_t k = 0; us && k < CHECKS; k++) {
        const struct tz_map_point *p = &pts[next() % n];
        struct tz_nearby_query q = {
            .category = p->category,
            .status_mask = 0x27, /* new, verifying, confirmed, referred */
            .lat = p->lat + (uniform() - 0.5) * 0.0005,
            .lon = p->lon + (uniform() - 0.5) * 0.0008,
            .radius_m = TZ_NEARBY_RADIUS_M,
            .from = NOW - TZ_NEARBY_WINDOW_S,
            .to = NOW,
        };
        struct tz_nearby out[TZ_NEARBY_MAX];
        size_t found = 0;
        double t0 = now_s();
        tz_nearby_find(&src, &q, out, TZ_NEARBY_MAX, &found);
        us[k] = (now_s() - t0) * 1e6;
        found_total += found;
    }
    double sum = 0;
    for (size_t k = 0; us && k < CHECKS; k++)
        sum += us[k];
    if (us)
        qsort(us, CHECKS, sizeof *us, cmp_double);
    printf("analysis nearby stored=%zu checks=%d mean_us=%.1f p50_us=%.1f p99_us=%.1f "
           "found_mean=%.2f\n",
           n, CHECKS, us ? sum / CHECKS : 0, us ? us[CHECKS / 2] : 0,
           us ? us[CHECKS * 99 / 100] : 0, (double)found_total / CHECKS);
    free(us);
    tz_map_index_free(idx);
    free(pts);
    return 0;
}
