/*
 * bench_alerts.c - the Atom feed of an area over many reports (issue 19:
 * p99 <= 20 ms over 10 M reports). Fills a fresh store with N reports over
 * Poland (70 % around twenty towns, the rest anywhere), opens the threat map
 * and the alerts over it, and times tz_alerts_feed (the 50 newest public
 * reports of the area, what GET /api/v1/alerts/feed.atom renders) for
 * circles of 2 km, boxes of a district's size and polygons around random
 * town points, and a district's feed.
 *
 *   bench_alerts [N [QUERIES]]      (default 10000000 reports, 2000 queries)
 * prints
 *   alerts_fill reports=N seconds=S
 *   alerts_feed kind=circle reports=N queries=Q entries_mean=E p50_ms=.. p99_ms=.. max_ms=..
 *               cpu_p50_ms=.. cpu_p99_ms=.. cpu_max_ms=..  (the thread's CPU time: apart from
 *               waiting for a core) preempted=.. slept=.. major_faults=..  (queries taken off
 *               their core, queries that slept, page faults that read the disk) The database lives
 * in a fresh directory under $TZ_BENCH_DIR (default /tmp; 10 M reports take about 4 GB), removed at
 * the end.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "base/tztime.h"
#include "rng.h"
#include "store/store.h"
#include "threatmap/threatmap.h"

#define BATCH 10000

static const char *const categories[] = {"illegal_parking", "illegal_parking", "speeding",
                                         "public_drinking", "vandalism",       "stray_dogs",
                                         "illegal_dumping"};
static const double towns[20][2] = {
    {19.94, 50.06}, {21.01, 52.23}, {17.03, 51.11}, {16.93, 52.41}, {18.65, 54.35},
    {19.46, 51.76}, {18.00, 53.12}, {22.57, 51.25}, {23.16, 53.13}, {14.55, 53.43},
    {19.02, 50.26}, {20.63, 50.87}, {21.99, 50.04}, {20.49, 53.78}, {17.92, 50.67},
    {15.51, 51.94}, {18.60, 53.01}, {19.12, 50.81}, {16.17, 51.20}, {18.54, 54.52},
};

static char dir[256];

static void make_report(struct tz_report_rec *r, int64_t now, size_t i, size_t n)
{
    memset(r, 0, sizeof *r);
    if (uniform() < 0.7) {
        const double *t = towns[next() % 20];
        r->lon = t[0] + gauss() * 0.06;
        r->lat = t[1] + gauss() * 0.04;
    } else {
        r->lon = 14.2 + uniform() * 9.9;
        r->lat = 49.1 + uniform() * 5.7;
    }
    snprintf(r->category, sizeof r->category, "%s",
             categories[next() % (sizeof categories / sizeof categories[0])]);
    snprintf(r->district_id, sizeof r->district_id, "PL-%02d", (int)(next() % 4));
    snprintf(r->status, sizeof r->status, "%s", i % 5 == 0 ? "confirmed" : "new");
    r->received_at = now - 86400 * 365 + (int64_t)((double)i / (double)n * 86400 * 365);
    r->status_changed_at = r->received_at;
    r->takeup_due = r->received_at + 2 * 86400;
    uint64_t x = next(), y = next();
    for (int k = 0; k < TZ_HASH_LEN; k++) {
        r->token_hash[k] = (uint8_t)(x >> (k % 8 * 8)) ^ (uint8_t)k;
        r->reporter_hash[k] = (uint8_t)(y >> (k % 8 * 8));
    }
}

static int fill(struct tz_store *store, size_t n)
{
    struct tz_district_rec d[4];
    char ids[4][8];
    for (int i = 0; i < 4; i++) {
        snprintf(ids[i], sizeof ids[i], "PL-%02d", i);
        d[i] = (struct tz_district_rec){.name = "Rejon", .unit = "KWP", .officer = NULL};
        memcpy(d[i].id, ids[i], sizeof ids[i]);
        static char geo[4][256];
        double w = 14 + i * 2.6;
        snprintf(geo[i], sizeof geo[i],
                 "{\"type\":\"Polygon\",\"coordinates\":[[[%.1f,49],[%.1f,49],[%.1f,55],"
                 "[%.1f,55],[%.1f,49]]]}",
                 w, w + 2.6, w + 2.6, w, w);
        d[i].geometry = geo[i];
    }
    if (tz_store_put_districts(store, d, 4))
        return 1;
    struct tz_report_rec *recs = calloc(BATCH, sizeof *recs);
    if (!recs)
        return 1;
    int64_t now = tz_time_now();
    for (size_t done = 0; done < n;) {
        size_t m = n - done < BATCH ? n - done : BATCH;
        for (size_t i = 0; i < m; i++)
            make_report(&recs[i], now, done + i, n);
        tz_err err = tz_store_insert_reports(store, recs, m);
        if (err) {
            fprintf(stderr, "bench_alerts: insert: %s\n", tz_err_str(err));
            free(recs);
            return 1;
        }
        done += m;
    }
    free(recs);
    return 0;
}

/* What the thread waited for, besides the CPU: page faults that read the disk, and the times it
 * was taken off its core (involuntary) or slept (voluntary: a lock, I/O). */
static void waits(long *major, long *forced, long *slept)
{
    struct rusage u;
    getrusage(RUSAGE_THREAD, &u);
    *major = u.ru_majflt;
    *forced = u.ru_nivcsw;
    *slept = u.ru_nvcsw;
}

/* CPU time of this thread: what a query costs apart from waiting for a core on a busy machine. */
static int64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_ns(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static tz_err count_entry(void *ctx, const struct tz_report_view *v)
{
    (void)v;
    ++*(size_t *)ctx;
    return TZ_OK;
}

/* The text of a random area of kind k around a town point. */
static void area_text(int k, char *out, size_t size)
{
    const double *t = towns[next() % 20];
    double lon = t[0] + gauss() * 0.03, lat = t[1] + gauss() * 0.02;
    if (k == 0)
        snprintf(out, size, "circle:%.5f,%.5f,2000", lon, lat);
    else if (k == 1)
        snprintf(out, size, "bbox:%.5f,%.5f,%.5f,%.5f", lon - 0.04, lat - 0.025, lon + 0.04,
                 lat + 0.025);
    else if (k == 2)
        snprintf(out, size, "polygon:%.5f %.5f,%.5f %.5f,%.5f %.5f,%.5f %.5f", lon - 0.03,
                 lat - 0.02, lon + 0.03, lat - 0.02, lon + 0.01, lat + 0.02, lon - 0.03,
                 lat + 0.01);
    else
        snprintf(out, size, "district:PL-%02d", (int)(next() % 4));
}

static int run_queries(struct tz_alerts *alerts, size_t n, size_t queries)
{
    static const char *const kinds[] = {"circle", "bbox", "polygon", "district"};
    int64_t *ns = calloc(queries, sizeof *ns), *cpu = calloc(queries, sizeof *cpu);
    if (!ns || !cpu) {
        free(ns);
        free(cpu);
        return 1;
    }
    int64_t now = tz_time_now();
    for (int k = 0; k < 4; k++) {
        size_t entries = 0, preempted = 0, slept = 0;
        long major = 0;
        for (size_t q = 0; q < queries; q++) {
            char text[512];
            const char *why;
            struct tz_alert_spec spec = {0};
            area_text(k, text, sizeof text);
            if (tz_alert_area_parse(text, strlen(text), &spec.area, &why)) {
                fprintf(stderr, "bench_alerts: %s: %s\n", text, why);
                free(ns);
                free(cpu);
                return 1;
            }
            long maj0, forced0, slept0, maj1, forced1, slept1;
            waits(&maj0, &forced0, &slept0);
            int64_t t0 = tz_time_mono_ns(), c0 = cpu_ns();
            tz_err err =
                tz_alerts_feed(alerts, &spec, now, TZ_ALERT_FEED_MAX, count_entry, &entries);
            ns[q] = tz_time_mono_ns() - t0;
            cpu[q] = cpu_ns() - c0;
            waits(&maj1, &forced1, &slept1);
            major += maj1 - maj0;
            if (forced1 > forced0)
                preempted++;
            if (slept1 > slept0)
                slept++;
            if (err) {
                fprintf(stderr, "bench_alerts: feed: %s\n", tz_err_str(err));
                free(ns);
                free(cpu);
                return 1;
            }
        }
        qsort(ns, queries, sizeof *ns, cmp_ns);
        qsort(cpu, queries, sizeof *cpu, cmp_ns);
        printf("alerts_feed kind=%s reports=%zu queries=%zu entries_mean=%.1f p50_ms=%.2f"
               " p99_ms=%.2f max_ms=%.2f cpu_p50_ms=%.2f cpu_p99_ms=%.2f cpu_max_ms=%.2f"
               " preempted=%zu slept=%zu major_faults=%ld\n",
               kinds[k], n, queries, (double)entries / (double)queries,
               (double)ns[queries / 2] / 1e6, (double)ns[queries * 99 / 100] / 1e6,
               (double)ns[queries - 1] / 1e6, (double)cpu[queries / 2] / 1e6,
               (double)cpu[queries * 99 / 100] / 1e6, (double)cpu[queries - 1] / 1e6, preempted,
               slept, major);
        fflush(stdout);
    }
    free(ns);
    free(cpu);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 10000000;
    size_t queries = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 2000;
    if (n == 0 || queries == 0) {
        fprintf(stderr, "usage: bench_alerts [REPORTS [QUERIES]]\n");
        return 2;
    }
    const char *base = getenv("TZ_BENCH_DIR");
    if ((size_t)snprintf(dir, sizeof dir, "%s/tarcza-alerts-XXXXXX",
                         base && *base ? base : "/tmp") >= sizeof dir)
        return 2;
    if (!mkdtemp(dir))
        return 1;
    char path[300];
    snprintf(path, sizeof path, "%s/alerts.db", dir);
    struct tz_store *store = NULL;
    struct tz_threatmap *tm = NULL;
    struct tz_alerts *alerts = NULL;
    int rc = 1;
    int64_t t0 = tz_time_mono_ns();
    if (tz_store_open_sqlite(path, &store) || fill(store, n))
        goto done;
    printf("alerts_fill reports=%zu seconds=%.1f\n", n, (double)(tz_time_mono_ns() - t0) / 1e9);
    struct tz_threatmap_config cfg = tz_threatmap_defaults();
    if (tz_threatmap_open(store, &cfg, &tm) || tz_alerts_open(tm, store, NULL, &alerts))
        goto done;
    rc = run_queries(alerts, n, queries);
done:
    if (rc)
        fprintf(stderr, "bench_alerts: failed\n");
    tz_alerts_close(alerts);
    tz_threatmap_close(tm);
    tz_store_close(store);
    char p[320];
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
    rmdir(dir);
    return rc;
}
