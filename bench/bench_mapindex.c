/*
 * bench_mapindex.c - the map index against DESIGN.md section 4: build of 1 M
 * reports in at most 0.5 s, any viewport with any filters at p99 <= 5 ms in
 * process, at most 200 bytes per report resident.
 *
 *   bench_mapindex [--points N] [--only CASE] [--export DIR]
 *
 * Draws N reports (default 1,000,000; fixed seed) the way KMZB's fall: most
 * in Kraków's hot spots, the rest in other cities and spread over Poland;
 * 46 % illegal parking, 20 % speeding, 10 % alcohol; statuses mixed; received
 * over the year before NOW. Then times the build, and queries for four
 * viewports (Poland at zoom 6, Kraków at 11, a district at 14, a street at
 * 17, each a 1280 x 800 screen around a jittered centre) under nine filters,
 * in both modes, ROUNDS times each. Then additions and status changes.
 * Output, key=value:
 *   mapindex build points=... build_s=... bytes_per_report=... rss_bytes_per_report=...
 *   mapindex query mode=clusters view=city filter=last30 p50_us=... p99_us=... features=...
 *   mapindex query_all p50_us=... p99_us=... max_us=...
 *   mapindex update add_us=... set_status_us=...
 * --export DIR writes DIR/points.bin and DIR/queries.json for
 * bench/supercluster.mjs, which runs the same queries through supercluster.
 */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/tztime.h"
#include "rng.h"
#include "threatmap/mapindex.h"

#define NOW 1748736000 /* 2025-06-01T00:00:00Z */
#define DAY 86400
#define ROUNDS 200
#define SCREEN_W 1280
#define SCREEN_H 800

enum { NEW, VERIFYING, CONFIRMED, NOT_CONFIRMED, ELIMINATED, REFERRED, REJECTED };

/* Hot spots: lat, lon, spread (degrees), weight. Kraków first. */
static const double spots[][4] = {
    {50.0614, 19.9366, 0.006, 14}, /* Rynek Główny */
    {50.0520, 19.9450, 0.008, 8},  /* Kazimierz */
    {50.0440, 19.9550, 0.010, 6},  /* Podgórze */
    {50.0720, 20.0380, 0.015, 7},  /* Nowa Huta */
    {50.0830, 19.8950, 0.012, 5},  /* Bronowice */
    {50.0200, 19.9000, 0.015, 5},  /* Łagiewniki, Ruczaj */
    {50.0650, 19.9450, 0.040, 10}, /* the rest of the city */
    {52.2297, 21.0122, 0.050, 8},  /* Warszawa */
    {51.1079, 17.0385, 0.040, 4},  /* Wrocław */
    {51.7592, 19.4560, 0.040, 3},  /* Łódź */
    {52.4064, 16.9252, 0.040, 3},  /* Poznań */
    {54.3520, 18.6466, 0.040, 3},  /* Gdańsk */
    {50.2649, 19.0238, 0.040, 4},  /* Katowice */
};
#define NSPOTS (sizeof spots / sizeof spots[0])
#define POLAND_W 14.12
#define POLAND_E 24.15
#define POLAND_S 49.00
#define POLAND_N 54.84

static void place(double *lat, double *lon)
{
    static double total = 0;
    if (total == 0) {
        for (size_t i = 0; i < NSPOTS; i++)
            total += spots[i][3];
    }
    if (uniform() < 0.15) { /* the background over the whole country */
        *lat = POLAND_S + uniform() * (POLAND_N - POLAND_S);
        *lon = POLAND_W + uniform() * (POLAND_E - POLAND_W);
        return;
    }
    double w = uniform() * total;
    size_t i = 0;
    while (i + 1 < NSPOTS && w >= spots[i][3])
        w -= spots[i++][3];
    *lat = spots[i][0] + gauss() * spots[i][2];
    *lon = spots[i][1] + gauss() * spots[i][2] * 1.6;
}

static int pick_category(void)
{
    double r = uniform();
    if (r < 0.46)
        return 0; /* illegal parking */
    if (r < 0.66)
        return 1; /* speeding */
    if (r < 0.76)
        return 9; /* alcohol in public */
    static const int rest[] = {2,  3,  4,  5,  6,  7,  8,  10, 11, 12, 13, 14,
                               15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26};
    return rest[next() % 24];
}

static int pick_status(void)
{
    static const double cum[] = {0.08, 0.15, 0.45, 0.70, 0.90, 0.95, 1.0};
    double r = uniform();
    int s = 0;
    while (s < 6 && r >= cum[s])
        s++;
    return s;
}

static struct tz_map_point *make_points(size_t n)
{
    struct tz_map_point *pts = malloc(n * sizeof *pts);
    if (!pts)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        struct tz_map_point *p = &pts[i];
        place(&p->lat, &p->lon);
        /* Received over the past year in order, so ids grow with time as the store's do. */
        p->id = (int64_t)i + 1;
        p->received_at = NOW - 365 * DAY + (int64_t)((double)i / n * 365 * DAY);
        p->category = (uint8_t)pick_category();
        p->status = (uint8_t)pick_status();
        int64_t changed = p->received_at + (int64_t)(uniform() * 10 * DAY);
        p->status_changed_at = p->status == NEW ? p->received_at : (changed < NOW ? changed : NOW);
        if (p->status == ELIMINATED && uniform() < 0.3) /* some eliminated months later */
            p->status_changed_at = p->received_at + (int64_t)(uniform() * (NOW - p->received_at));
    }
    return pts;
}

/* ---- viewports and filters -------------------------------------------------------------- */

struct view {
    const char *name;
    int zoom;
    double lat, lon, jitter; /* centre and how far it wanders, degrees */
};

static const struct view views[] = {
    {"poland", 6, 52.0, 19.4, 0.5},
    {"city", 11, 50.0614, 19.9366, 0.03},
    {"district", 14, 50.0614, 19.9366, 0.02},
    {"street", 17, 50.0614, 19.9366, 0.01},
};
#define NVIEWS (sizeof views / sizeof views[0])

static const char *const filter_names[] = {
    "none",          "public",          "category",     "status",       "last30",
    "category_date", "public_category", "public_group", "public_last30"};
#define NFILTERS (sizeof filter_names / sizeof filter_names[0])

static struct tz_map_filter make_filter(size_t which)
{
    struct tz_map_filter f;
    memset(&f, 0, sizeof f);
    memset(f.status_mask, 0x7F, sizeof f.status_mask);
    switch (which) {
    case 1: /* what the public sees (DESIGN 1.1) */
        memset(f.status_mask, 0x7F & ~(1 << REJECTED), sizeof f.status_mask);
        f.status_mask[10] = 0; /* a category never public */
        f.status_mask[12] = 1 << CONFIRMED | 1 << ELIMINATED | 1 << REFERRED;
        f.min_changed_at[NOT_CONFIRMED] = NOW - 7 * DAY;
        f.min_changed_at[ELIMINATED] = NOW - 30 * DAY;
        break;
    case 6: /* what the public API sends for a filtered public map: the public rules and */
    case 7: /* one category, a group of three, or the last 30 days */
    case 8:
        f = make_filter(1);
        for (int k = 0; k < TZ_MAP_MAX_CATEGORIES; k++) {
            bool in_group = k == 1 || k == 3 || k == 9;
            if ((which == 6 && k != 0) || (which == 7 && !in_group))
                f.status_mask[k] = 0;
        }
        if (which == 8)
            f.received_from = NOW - 30 * DAY;
        break;
    case 2:
        memset(f.status_mask, 0, sizeof f.status_mask);
        f.status_mask[0] = 0x7F;
        break;
    case 3:
        memset(f.status_mask, 1 << NEW | 1 << VERIFYING | 1 << CONFIRMED, sizeof f.status_mask);
        break;
    case 4:
        f.received_from = NOW - 30 * DAY;
        break;
    case 5:
        memset(f.status_mask, 0, sizeof f.status_mask);
        f.status_mask[0] = 0x7F;
        f.received_from = NOW - 120 * DAY;
        f.received_to = NOW - 60 * DAY;
        break;
    default:
        break;
    }
    return f;
}

/* A 1280 x 800 screen at the view's zoom around a jittered centre. */
static struct tz_map_query make_query(const struct view *v)
{
    struct tz_map_query q = {.zoom = v->zoom};
    double lat = v->lat + (uniform() * 2 - 1) * v->jitter;
    double lon = v->lon + (uniform() * 2 - 1) * v->jitter * 1.6;
    double world = 256.0 * pow(2.0, v->zoom);
    double half_w = SCREEN_W / 2.0 / world * 360.0;
    q.west = lon - half_w;
    q.east = lon + half_w;
    /* Heights in Mercator: go through y. */
    double y = 0.5 - log(tan(M_PI / 4 + lat * M_PI / 360.0)) / (2 * M_PI);
    double dy = SCREEN_H / 2.0 / world;
    q.north = atan(sinh(M_PI * (1 - 2 * (y - dy)))) * 180.0 / M_PI;
    q.south = atan(sinh(M_PI * (1 - 2 * (y + dy)))) * 180.0 / M_PI;
    return q;
}

/* ---- measuring -------------------------------------------------------------------------- */

static size_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (size_t)sysconf(_SC_PAGESIZE);
}

/* CPU time of this thread: what a query costs without the time other processes take the core. */
static int64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* CPU time of the whole process (the build runs on two threads). */
static int64_t process_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double percentile(int64_t *v, size_t n, double p)
{
    qsort(v, n, sizeof *v, cmp_i64);
    size_t at = (size_t)ceil(p * (double)n) - 1;
    return (double)v[at < n ? at : n - 1] / 1000.0;
}

static int64_t *all_times, *all_cpu;
static size_t all_count;
static const char *label = "query"; /* "query_after_updates" in the second round */
static const char *only;            /* --only: run the cases whose line contains this */

/* Runs ROUNDS queries of one view, filter and mode; prints one line. */
static int run_queries(const struct tz_map_index *idx, size_t vi, size_t fi, enum tz_map_mode mode,
                       struct tz_map_result *r, FILE *export)
{
    int64_t times[ROUNDS], cpu[ROUNDS];
    size_t features = 0, matched = 0;
    char name[128];
    snprintf(name, sizeof name, "mode=%s view=%s filter=%s",
             mode == TZ_MAP_HEX ? "hex" : "clusters", views[vi].name, filter_names[fi]);
    if (only && !strstr(name, only))
        return 0;
    for (int k = 0; k < ROUNDS; k++) {
        struct tz_map_query q = make_query(&views[vi]);
        q.mode = mode;
        q.filter = make_filter(fi);
        int64_t t0 = tz_time_mono_ns(), c0 = cpu_ns();
        tz_err err = tz_map_index_query(idx, &q, r);
        cpu[k] = cpu_ns() - c0;
        times[k] = tz_time_mono_ns() - t0;
        if (err) {
            fprintf(stderr, "bench_mapindex: query: %s\n", tz_err_str(err));
            return 1;
        }
        features += r->count;
        matched += r->matched;
        all_cpu[all_count] = cpu[k];
        all_times[all_count++] = times[k];
        static size_t exported;
        if (export && mode == TZ_MAP_CLUSTERS && fi == 0)
            fprintf(export, "%s{\"view\":\"%s\",\"zoom\":%d,\"bbox\":[%.7f,%.7f,%.7f,%.7f]}",
                    exported++ ? ",\n" : "", views[vi].name, q.zoom, q.west, q.south, q.east,
                    q.north);
    }
    double p50 = percentile(times, ROUNDS, 0.50), p99 = percentile(times, ROUNDS, 0.99);
    double c50 = percentile(cpu, ROUNDS, 0.50), c99 = percentile(cpu, ROUNDS, 0.99);
    printf("mapindex %s %s p50_us=%.0f p99_us=%.0f cpu_p50_us=%.0f cpu_p99_us=%.0f features=%zu "
           "matched=%zu\n",
           label, name, p50, p99, c50, c99, features / ROUNDS, matched / ROUNDS);
    fflush(stdout);
    return 0;
}

static void summary(const char *what)
{
    printf("mapindex %s queries=%zu p50_us=%.0f p99_us=%.0f max_us=%.0f cpu_p50_us=%.0f "
           "cpu_p99_us=%.0f cpu_max_us=%.0f\n",
           what, all_count, percentile(all_times, all_count, 0.50),
           percentile(all_times, all_count, 0.99), percentile(all_times, all_count, 1.0),
           percentile(all_cpu, all_count, 0.50), percentile(all_cpu, all_count, 0.99),
           percentile(all_cpu, all_count, 1.0));
    fflush(stdout);
}

/* ---- export for bench/supercluster.mjs -------------------------------------------------- */

static int export_points(const char *dir, const struct tz_map_point *pts, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/points.bin", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 1;
    /* "TZMP0001", n as uint32 and 4 bytes of padding; then lon, lat, received_at,
     * status_changed_at (float64 each) and category, status (uint8 each), n of each. */
    uint32_t head[2] = {(uint32_t)n, 0};
    int bad = fwrite("TZMP0001", 1, 8, f) != 8 || fwrite(head, sizeof head, 1, f) != 1;
    for (int field = 0; field < 6 && !bad; field++) {
        for (size_t i = 0; i < n && !bad; i++) {
            const struct tz_map_point *p = &pts[i];
            double d = field == 0   ? p->lon
                       : field == 1 ? p->lat
                       : field == 2 ? (double)p->received_at
                                    : (double)p->status_changed_at;
            if (field < 4)
                bad = fwrite(&d, sizeof d, 1, f) != 1;
            else
                bad = fputc(field == 4 ? p->category : p->status, f) == EOF;
        }
    }
    return fclose(f) != 0 || bad;
}

static void export_filters(FILE *f)
{
    fprintf(f, "],\n\"filters\":{");
    for (size_t fi = 0; fi < NFILTERS; fi++) {
        struct tz_map_filter flt = make_filter(fi);
        fprintf(f, "%s\"%s\":{\"status_mask\":[", fi ? ",\n" : "\n", filter_names[fi]);
        for (int c = 0; c < TZ_MAP_MAX_CATEGORIES; c++)
            fprintf(f, "%s%u", c ? "," : "", flt.status_mask[c]);
        fprintf(f, "],\"received_from\":%lld,\"received_to\":%lld,\"min_changed_at\":[",
                (long long)flt.received_from, (long long)flt.received_to);
        for (int s = 0; s < TZ_MAP_STATUSES; s++)
            fprintf(f, "%s%lld", s ? "," : "", (long long)flt.min_changed_at[s]);
        fprintf(f, "]}");
    }
    fprintf(f, "}}\n");
}

int main(int argc, char **argv)
{
    size_t n = 1000000;
    const char *export_dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--points") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(argv[++i], &end, 10);
            if (errno || *end || v == 0) {
                fprintf(stderr, "bench_mapindex: bad --points\n");
                return 2;
            }
            n = (size_t)v;
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else if (strcmp(argv[i], "--export") == 0 && i + 1 < argc) {
            export_dir = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_mapindex [--points N] [--only CASE] [--export DIR]\n");
            return 2;
        }
    }
    struct tz_map_point *pts = make_points(n);
    all_times = malloc(NVIEWS * NFILTERS * 2 * ROUNDS * sizeof *all_times);
    all_cpu = malloc(NVIEWS * NFILTERS * 2 * ROUNDS * sizeof *all_cpu);
    if (!pts || !all_times || !all_cpu)
        return 1;
    FILE *qf = NULL;
    if (export_dir) {
        char path[4096];
        mkdir(export_dir, 0755);
        snprintf(path, sizeof path, "%s/queries.json", export_dir);
        qf = fopen(path, "w");
        if (!qf || export_points(export_dir, pts, n)) {
            fprintf(stderr, "bench_mapindex: cannot write to %s\n", export_dir);
            return 1;
        }
        fprintf(qf, "{\"now\":%d,\"queries\":[\n", NOW);
    }

    malloc_trim(0);
    size_t rss0 = rss_bytes();
    struct tz_map_index *idx = NULL;
    /* The server builds its index with the public rules as the usual view: so does this. */
    struct tz_map_filter pub = make_filter(1);
    struct tz_map_usual usual = {0};
    memcpy(usual.status_mask, pub.status_mask, sizeof usual.status_mask);
    for (int s = 0; s < TZ_MAP_STATUSES; s++)
        usual.shown_for[s] = pub.min_changed_at[s] ? NOW - pub.min_changed_at[s] : 0;
    int64_t t0 = tz_time_mono_ns(), c0 = process_cpu_ns();
    tz_err err = tz_map_index_build_usual(pts, n, &usual, NOW, &idx);
    double build_s = (double)(tz_time_mono_ns() - t0) / 1e9;
    double build_cpu_s = (double)(process_cpu_ns() - c0) / 1e9;
    if (err) {
        fprintf(stderr, "bench_mapindex: build: %s\n", tz_err_str(err));
        return 1;
    }
    malloc_trim(0);
    size_t rss1 = rss_bytes();
    printf("mapindex build points=%zu build_s=%.3f build_cpu_s=%.3f bytes_per_report=%.1f "
           "rss_bytes_per_report=%.1f\n",
           n, build_s, build_cpu_s, (double)tz_map_index_bytes(idx) / n, (double)(rss1 - rss0) / n);
    fflush(stdout);

    struct tz_map_result r = {0};
    for (int mode = 0; mode < 2; mode++) {
        for (size_t vi = 0; vi < NVIEWS; vi++) {
            for (size_t fi = 0; fi < NFILTERS; fi++) {
                if (run_queries(idx, vi, fi, mode ? TZ_MAP_HEX : TZ_MAP_CLUSTERS, &r, qf))
                    return 1;
            }
        }
    }
    if (all_count)
        summary("query_all");
    if (qf) {
        export_filters(qf);
        fclose(qf);
    }

    if (only) { /* profiling one case */
        tz_map_result_free(&r);
        tz_map_index_free(idx);
        free(pts);
        free(all_times);
        free(all_cpu);
        return 0;
    }
    /* Updates: new reports (through the buffer into new chunks) and status changes. */
    size_t adds = 100000, changes = 100000;
    t0 = tz_time_mono_ns();
    for (size_t i = 0; i < adds; i++) {
        struct tz_map_point p = pts[next() % n];
        p.id = (int64_t)(n + i + 1);
        p.received_at = p.status_changed_at = NOW + (int64_t)i;
        p.status = NEW;
        if (tz_map_index_add(idx, &p) != TZ_OK)
            return 1;
    }
    double add_us = (double)(tz_time_mono_ns() - t0) / 1e3 / adds;
    t0 = tz_time_mono_ns();
    for (size_t i = 0; i < changes; i++) {
        if (tz_map_index_set_status(idx, (int64_t)(next() % (n + adds)) + 1, VERIFYING,
                                    NOW + 200000) != TZ_OK)
            return 1;
    }
    double set_us = (double)(tz_time_mono_ns() - t0) / 1e3 / changes;
    printf("mapindex update adds=%zu add_us=%.2f changes=%zu set_status_us=%.2f points=%zu\n", adds,
           add_us, changes, set_us, tz_map_index_size(idx));
    all_count = 0;
    label = "query_after_updates";
    for (size_t vi = 0; vi < NVIEWS; vi++) {
        for (size_t fi = 0; fi < NFILTERS; fi++) {
            if (run_queries(idx, vi, fi, TZ_MAP_CLUSTERS, &r, NULL))
                return 1;
        }
    }
    if (all_count)
        summary("query_all_after_updates");
    tz_map_result_free(&r);
    tz_map_index_free(idx);
    free(pts);
    free(all_times);
    free(all_cpu);
    return 0;
}
