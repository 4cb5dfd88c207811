/*
 * bench_routing.c - district routing throughput (DESIGN.md section 4: at
 * least 1 M points/s against real-size polygons).
 *
 * Routes N random points (default 2,000,000; the first argument changes it)
 * spread over the box around Kraków, first through the demo districts, then
 * through the demo districts behind one district of 6,000 vertices (a wiggly
 * circle over the city centre, index 0, so most points meet it), each on one
 * thread and on two. Points are drawn before the clock starts. Output, one
 * line per run, key=value:
 *   routing demo_districts threads=1 points=2000000 inside=... points_per_s=...
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/tztime.h"
#include "geo/geo.h"

#define BIG_VERTICES 6000

struct job {
    struct tz_router *router;
    const double *lat, *lon;
    size_t n;
    size_t inside;
    int failed;
};

static void *route(void *arg)
{
    struct job *j = arg;
    for (size_t k = 0; k < j->n; k++) {
        size_t index;
        tz_err err = tz_router_locate(j->router, j->lat[k], j->lon[k], &index);
        if (err == TZ_OK)
            j->inside++;
        else if (err != TZ_EOUTSIDE)
            j->failed = 1;
    }
    return NULL;
}

/* Routes the n points on `threads` threads and prints one result line; 0 on success. */
static int run(const char *name, struct tz_router *router, const double *lat, const double *lon,
               size_t n, int threads)
{
    struct job jobs[2];
    pthread_t tids[2];
    /* Warm up: every slot the threads will use builds its prepared geometries first. */
    struct job warm = {router, lat, lon, n < 20000 ? n : 20000, 0, 0};
    route(&warm);
    int64_t start = tz_time_mono_ns();
    for (int t = 0; t < threads; t++) {
        size_t from = n * (size_t)t / (size_t)threads, to = n * (size_t)(t + 1) / (size_t)threads;
        jobs[t] = (struct job){router, lat + from, lon + from, to - from, 0, 0};
        if (pthread_create(&tids[t], NULL, route, &jobs[t]) != 0)
            return 1;
    }
    size_t inside = 0;
    int failed = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tids[t], NULL);
        inside += jobs[t].inside;
        failed |= jobs[t].failed;
    }
    double seconds = (double)(tz_time_mono_ns() - start) / 1e9;
    if (failed) {
        fprintf(stderr, "bench_routing: %s: routing failed\n", name);
        return 1;
    }
    printf("routing %s threads=%d points=%zu inside=%zu points_per_s=%.0f\n", name, threads, n,
           inside, (double)n / seconds);
    fflush(stdout);
    return 0;
}

/* A closed ring of BIG_VERTICES around (lon0, lat0), its radius wiggling by 10 %. */
static char *wiggly_circle(double lon0, double lat0, double radius)
{
    struct tz_buf b;
    tz_buf_init(&b, 1u << 22);
    tz_err err = tz_buf_puts(&b, "{\"type\":\"Polygon\",\"coordinates\":[[");
    for (size_t k = 0; !err && k <= BIG_VERTICES; k++) {
        double t = 2 * M_PI * (double)(k % BIG_VERTICES) / BIG_VERTICES;
        double r = radius * (1 + 0.1 * sin(50 * t));
        /* cos(lat) keeps it round on the ground rather than in degrees. */
        err = tz_buf_printf(&b, "%s[%.7f,%.7f]", k ? "," : "",
                            lon0 + r * cos(t) / cos(lat0 * M_PI / 180), lat0 + r * sin(t));
    }
    if (!err)
        err = tz_buf_puts(&b, "]]}");
    if (err) {
        tz_buf_free(&b);
        return NULL;
    }
    return tz_buf_take(&b);
}

int main(int argc, char **argv)
{
    size_t n = 2000000;
    if (argc > 1) {
        char *end;
        unsigned long long v = strtoull(argv[1], &end, 10);
        if (*end || v == 0 || v > 1000000000ull) {
            fprintf(stderr, "usage: bench_routing [points]\n");
            return 2;
        }
        n = (size_t)v;
    }
    struct tz_geo_districts demo;
    if (tz_geo_demo_districts(&demo) != TZ_OK) {
        fprintf(stderr, "bench_routing: no demo districts\n");
        return 1;
    }
    const char **geoms = calloc(demo.count + 1, sizeof *geoms);
    char *big = wiggly_circle(19.94, 50.06, 0.03);
    double *lat = malloc(n * sizeof *lat), *lon = malloc(n * sizeof *lon);
    if (!geoms || !big || !lat || !lon) {
        fprintf(stderr, "bench_routing: out of memory\n");
        return 1;
    }
    /* A fixed-seed xorshift spreads the points over Kraków's box: about 70 % fall inside. */
    uint64_t x = 88172645463325252ull;
    for (size_t k = 0; k < n; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        lon[k] = 19.79 + 0.43 * (double)(x >> 11) / 9007199254740992.0;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        lat[k] = 49.965 + 0.165 * (double)(x >> 11) / 9007199254740992.0;
    }

    int failed = 0;
    struct tz_router *router = NULL;
    for (size_t i = 0; i < demo.count; i++)
        geoms[i] = demo.items[i].geometry;
    if (tz_router_build(geoms, demo.count, &router) != TZ_OK) {
        fprintf(stderr, "bench_routing: cannot build the demo router\n");
        return 1;
    }
    failed |= run("demo_districts", router, lat, lon, n, 1);
    failed |= run("demo_districts", router, lat, lon, n, 2);
    tz_router_free(router);

    geoms[0] = big;
    for (size_t i = 0; i < demo.count; i++)
        geoms[i + 1] = demo.items[i].geometry;
    if (tz_router_build(geoms, demo.count + 1, &router) != TZ_OK) {
        fprintf(stderr, "bench_routing: cannot build the big-district router\n");
        return 1;
    }
    failed |= run("big_district_6000_vertices", router, lat, lon, n, 1);
    failed |= run("big_district_6000_vertices", router, lat, lon, n, 2);
    tz_router_free(router);

    free(lat);
    free(lon);
    free(big);
    free(geoms);
    tz_geo_districts_free(&demo);
    return failed;
}
