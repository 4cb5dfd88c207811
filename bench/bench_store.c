/*
 * bench_store.c - how fast the store takes durable reports.
 *
 *   bench_store [N [SECONDS]]
 *
 * 1. The SQLite batched-insert ceiling: N reports (default 200,000) inserted
 *    with tz_store_insert_reports in batches of 1, 10, 100 and 1000 per
 *    transaction, synchronous=FULL, one fresh database per batch size. Small
 *    batches pay one fsync per transaction, so each case also stops after
 *    SECONDS (default 10) and reports the rate of what it did, and the CPU
 *    time of the whole process (writer and checkpointer) per report, which
 *    other load on the machine disturbs less than the rate. After each case
 *    a "wal" line gives the store's checkpoint counters (tz_store_stats).
 * 2. Group commit: 64 threads call tz_committer_insert concurrently, each
 *    call waiting for its own durable commit; rate and per-call latency.
 * 3. Reads: tz_store_get_report by random id, and pages of tz_store_list_reports
 *    for a few filter shapes, one thread.
 *
 * Output lines, one per case:
 *   store_insert batch=100 reports=200000 seconds=1.23 reports_per_s=162601 cpu_us_per_report=9.8
 *   wal batch=100 checkpoints=... frames_checkpointed=... wal_resets=... ...
 *   committer threads=64 reports=... reports_per_s=... p50_us=... p99_us=...
 *   store_get_report reads=... ns_per_op=...
 *   store_list filter=bbox_all rows=100 us_per_query=...
 * Databases live in a fresh directory under /tmp, removed at the end.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/tztime.h"
#include "store/committer.h"
#include "store/store.h"

#define COMMIT_THREADS 64

static const char *const categories[] = {
    "illegal_parking", "illegal_parking", "illegal_parking", "illegal_parking", "speeding",
    "speeding",        "public_drinking", "vandalism",       "stray_dogs",      "illegal_dumping",
};

static char dir[64];

/* CPU time of the whole process (every thread: the writer, the checkpointer), in ns. */
static int64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* xorshift64*: a small deterministic generator, enough for spreading points. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static void make_report(struct tz_report_rec *r, uint64_t *rng, int64_t now)
{
    memset(r, 0, sizeof *r);
    uint64_t x = next_rand(rng);
    snprintf(r->category, sizeof r->category, "%s",
             categories[x % (sizeof categories / sizeof categories[0])]);
    r->lat = 49.9 + (double)(x >> 40 & 0xffff) / 65536.0 * 0.2;
    r->lon = 19.8 + (double)(x >> 24 & 0xffff) / 65536.0 * 0.3;
    snprintf(r->district_id, sizeof r->district_id, "bench-1");
    snprintf(r->status, sizeof r->status, "new");
    r->description = "Samochody parkują na chodniku przy przejściu dla pieszych, "
                     "piesi muszą wchodzić na jezdnię.";
    r->received_at = now;
    r->status_changed_at = now;
    r->takeup_due = tz_time_add_pl_days(now, 2);
    for (int i = 0; i < TZ_HASH_LEN; i++) {
        r->token_hash[i] = (uint8_t)(x >> (i % 8 * 8));
        r->reporter_hash[i] = (uint8_t)(x >> ((i + 3) % 8 * 8));
    }
}

/* One line of the store's background counters (WAL checkpoints) after a case. */
static void print_stats(const char *label, struct tz_store *store)
{
    struct tz_store_stats st;
    if (tz_store_stats(store, &st) != TZ_OK)
        return;
    printf("wal %s checkpoints=%" PRIu64 " frames_checkpointed=%" PRIu64 " wal_resets=%" PRIu64
           " wal_pages_max=%" PRIu64 " writer_wait_max_us=%" PRId64 "\n",
           label, st.checkpoints, st.frames_checkpointed, st.wal_resets, st.wal_pages_max,
           st.writer_wait_ns_max / 1000);
}

static void remove_db(const char *path)
{
    const char *suffixes[] = {"", "-wal", "-shm"};
    char p[160];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

/* A fresh store with one district, at dir/name. */
static struct tz_store *fresh_store(const char *name, char *path, size_t path_size)
{
    snprintf(path, path_size, "%s/%s", dir, name);
    remove_db(path);
    struct tz_store *store = NULL;
    tz_err err = tz_store_open_sqlite(path, &store);
    if (err) {
        fprintf(stderr, "bench_store: open %s: %s\n", path, tz_err_str(err));
        return NULL;
    }
    struct tz_district_rec d = {.id = "bench-1",
                                .name = "Rejon benchmarku",
                                .unit = "KMP Kraków",
                                .officer = "asp. Test",
                                .geometry = "{\"type\":\"Polygon\",\"coordinates\":[[[19.8,49.9],"
                                            "[20.1,49.9],[20.1,50.1],[19.8,50.1],[19.8,49.9]]]}"};
    err = tz_store_put_districts(store, &d, 1);
    if (err) {
        fprintf(stderr, "bench_store: districts: %s\n", tz_err_str(err));
        tz_store_close(store);
        return NULL;
    }
    return store;
}

static int bench_batches(size_t n, double max_s)
{
    static const size_t sizes[] = {1, 10, 100, 1000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t batch = sizes[k];
        char path[160];
        struct tz_store *store = fresh_store("batch.db", path, sizeof path);
        if (!store)
            return 1;
        struct tz_report_rec *recs = calloc(batch, sizeof *recs);
        if (!recs) {
            tz_store_close(store);
            return 1;
        }
        uint64_t rng = 0x9e3779b97f4a7c15ULL + batch;
        int64_t now = tz_time_now();
        size_t done = 0;
        int64_t t0 = tz_time_mono_ns(), t1 = t0, c0 = cpu_ns();
        while (done < n) {
            size_t m = n - done < batch ? n - done : batch;
            for (size_t i = 0; i < m; i++)
                make_report(&recs[i], &rng, now);
            tz_err err = tz_store_insert_reports(store, recs, m);
            if (err) {
                fprintf(stderr, "bench_store: insert: %s\n", tz_err_str(err));
                free(recs);
                tz_store_close(store);
                return 1;
            }
            done += m;
            t1 = tz_time_mono_ns();
            if ((double)(t1 - t0) / 1e9 > max_s)
                break;
        }
        double secs = (double)(t1 - t0) / 1e9;
        printf("store_insert batch=%zu reports=%zu seconds=%.2f reports_per_s=%.0f"
               " cpu_us_per_report=%.1f\n",
               batch, done, secs, (double)done / secs, (double)(cpu_ns() - c0) / 1e3 / done);
        char label[32];
        snprintf(label, sizeof label, "batch=%zu", batch);
        print_stats(label, store);
        fflush(stdout);
        free(recs);
        tz_store_close(store);
        remove_db(path);
    }
    return 0;
}

struct commit_run {
    struct tz_committer *committer;
    size_t n;
    int64_t deadline_ns;
    atomic_size_t next; /* the next slot in latency_ns to claim */
    atomic_int failures;
    int64_t *latency_ns;
};

static void *commit_thread(void *arg)
{
    struct commit_run *run = arg;
    uint64_t rng = (uint64_t)(uintptr_t)&rng | 1;
    int64_t now = tz_time_now();
    for (;;) {
        size_t slot = atomic_fetch_add(&run->next, 1);
        if (slot >= run->n)
            break;
        struct tz_report_rec r;
        make_report(&r, &rng, now);
        int64_t t0 = tz_time_mono_ns();
        tz_err err;
        while ((err = tz_committer_insert(run->committer, &r)) == TZ_EBUSY)
            usleep(50);
        int64_t t1 = tz_time_mono_ns();
        run->latency_ns[slot] = t1 - t0;
        if (err)
            atomic_fetch_add(&run->failures, 1);
        if (t1 > run->deadline_ns) {
            /* Time is up: make every thread stop at its next claim. */
            atomic_store(&run->next, run->n);
            break;
        }
    }
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/*
 * Pages of 100 for a few filter shapes, on the database the committer filled.
 * The two small boxes match too few recent reports for the list's windows of
 * recent ids and are read through the grid-cell index: bbox_small lies in one
 * cell, bbox_4cells on the corner of four.
 */
static void bench_lists(struct tz_store *store)
{
    enum { SHAPES = 5 };
    struct tz_report_filter f[SHAPES];
    const char *names[SHAPES] = {"bbox_all", "bbox_small", "bbox_4cells", "category",
                                 "category_none"};
    memset(f, 0, sizeof f);
    f[0] = (struct tz_report_filter){
        .has_bbox = true, .west = 19.8, .east = 20.1, .south = 49.9, .north = 50.1};
    f[1] = (struct tz_report_filter){
        .has_bbox = true, .west = 19.9, .east = 19.905, .south = 50.0, .north = 50.005};
    f[2] = (struct tz_report_filter){
        .has_bbox = true, .west = 19.995, .east = 20.005, .south = 49.995, .north = 50.005};
    f[3].category_count = 1;
    snprintf(f[3].categories[0], TZ_CODE_MAX, "stray_dogs"); /* 1 in 10 */
    f[4].category_count = 1;
    snprintf(f[4].categories[0], TZ_CODE_MAX, "drownings"); /* none */
    for (int k = 0; k < SHAPES; k++) {
        enum { RUNS = 50 };
        size_t rows = 0;
        int64_t t0 = tz_time_mono_ns();
        for (int i = 0; i < RUNS; i++) {
            struct tz_report_rec *recs;
            size_t n;
            if (tz_store_list_reports(store, &f[k], &recs, &n) == TZ_OK) {
                rows += n;
                tz_report_recs_free(recs, n);
            }
        }
        int64_t t1 = tz_time_mono_ns();
        printf("store_list filter=%s rows=%zu us_per_query=%.0f\n", names[k], rows / RUNS,
               (double)(t1 - t0) / RUNS / 1000);
    }
}

static int bench_committer(size_t n, double max_s)
{
    char path[160];
    struct tz_store *store = fresh_store("committer.db", path, sizeof path);
    if (!store)
        return 1;
    struct tz_committer *committer = NULL;
    struct commit_run run = {.n = n};
    run.latency_ns = calloc(n, sizeof *run.latency_ns);
    tz_err err = run.latency_ns ? tz_committer_start(store, 1000, 4096, &committer) : TZ_ENOMEM;
    if (err) {
        fprintf(stderr, "bench_store: committer: %s\n", tz_err_str(err));
        free(run.latency_ns);
        tz_store_close(store);
        return 1;
    }
    run.committer = committer;
    atomic_init(&run.next, 0);
    atomic_init(&run.failures, 0);

    pthread_t th[COMMIT_THREADS];
    int64_t t0 = tz_time_mono_ns();
    run.deadline_ns = t0 + (int64_t)(max_s * 1e9);
    int started = 0;
    for (; started < COMMIT_THREADS; started++)
        if (pthread_create(&th[started], NULL, commit_thread, &run) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    int64_t t1 = tz_time_mono_ns();
    tz_committer_stop(committer);

    /* Slots claimed after the deadline stayed 0: count only the ones measured. */
    size_t done = 0;
    for (size_t i = 0; i < n; i++)
        if (run.latency_ns[i] > 0)
            run.latency_ns[done++] = run.latency_ns[i];
    qsort(run.latency_ns, done, sizeof run.latency_ns[0], cmp_i64);
    double secs = (double)(t1 - t0) / 1e9;
    int64_t p50 = done ? run.latency_ns[done / 2] : 0;
    int64_t p99 = done ? run.latency_ns[done * 99 / 100] : 0;
    printf("committer threads=%d reports=%zu seconds=%.2f reports_per_s=%.0f p50_us=%" PRId64
           " p99_us=%" PRId64 " failures=%d\n",
           started, done, secs, (double)done / secs, p50 / 1000, p99 / 1000,
           atomic_load(&run.failures));
    print_stats("committer", store);
    fflush(stdout);

    /* Reads by id on the database just written. */
    int64_t count = 0;
    if (tz_store_count_reports(store, &count) == TZ_OK && count > 0) {
        enum { READS = 200000 };
        uint64_t rng = 42;
        int64_t r0 = tz_time_mono_ns();
        int found = 0;
        for (int i = 0; i < READS; i++) {
            struct tz_report_rec rec;
            if (tz_store_get_report(store, 1 + (int64_t)(next_rand(&rng) % (uint64_t)count),
                                    &rec) == TZ_OK)
                found++;
            tz_report_rec_clear(&rec);
        }
        int64_t r1 = tz_time_mono_ns();
        printf("store_get_report reads=%d found=%d ns_per_op=%.0f\n", READS, found,
               (double)(r1 - r0) / READS);
        bench_lists(store);
    }

    free(run.latency_ns);
    tz_store_close(store);
    remove_db(path);
    return atomic_load(&run.failures) ? 1 : 0;
}

int main(int argc, char **argv)
{
    size_t n = 200000;
    double max_s = 10;
    if (argc > 1) {
        char *end;
        long long v = strtoll(argv[1], &end, 10);
        if (*end || v <= 0) {
            fprintf(stderr, "usage: bench_store [N [SECONDS]]\n");
            return 2;
        }
        n = (size_t)v;
    }
    if (argc > 2) {
        char *end;
        max_s = strtod(argv[2], &end);
        if (*end || !(max_s > 0)) {
            fprintf(stderr, "usage: bench_store [N [SECONDS]]\n");
            return 2;
        }
    }
    snprintf(dir, sizeof dir, "/tmp/tz_bench_store_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("bench_store: mkdtemp");
        return 1;
    }
    int rc = bench_batches(n, max_s);
    if (rc == 0)
        rc = bench_committer(n, max_s);
    rmdir(dir);
    return rc;
}
