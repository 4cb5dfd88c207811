/*
 * bench_photos.c - what a report's photos cost (issue 19).
 *
 *   bench_photos [SECONDS]
 *
 * 1. Re-encoding: a photo-like JPEG of about 4 MB (a gradient under noise,
 *    quality 92, as large in pixels and bytes as a phone's photo) through tz_photo_process
 * (container check, header, decode with shrink-on-load, the 1600 px and 320 px JPEGs), one thread,
 *    ten runs: median and slowest milliseconds per photo.
 * 2. Durable intake with three photos: threads (one per core) each encode
 *    three such photos anew and hand the report with them to the group
 *    committer (tz_committer_insert waits for the fsync), for SECONDS
 *    (default 10): reports per second, every report and its photos on disk.
 * 3. The committer alone with three encoded photos a report (what it writes:
 *    the display sizes and thumbnails), 64 threads: reports per second and
 *    the megabytes per second that reach the disk.
 *
 * Output lines:
 *   photo_reencode input_bytes=... width=... height=... runs=10 median_ms=... max_ms=...
 *   photo_intake threads=2 photos_per_report=3 reports=... seconds=... reports_per_s=...
 *   photo_commit threads=64 photos_per_report=3 reports=... reports_per_s=... mb_per_s=...
 * The database lives in a fresh directory under /tmp, removed at the end.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/tztime.h"
#include "photo/photo.h"
#include "store/committer.h"
#include "store/store.h"
#include "support/photo_images.h"

#define RUNS 10
#define PHOTOS 3
#define COMMIT_THREADS 64

static char dir[64], db_path[128];
static uint8_t *input; /* the ~4 MB JPEG */
static int in_w, in_h;
static size_t input_len;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A 12-megapixel JPEG (4000 x 3000, a phone's) of 3.5 to 5 MB: the noise's sigma is raised
 * until the file is that large. */
static int make_input(void)
{
    in_w = 4000;
    in_h = 3000;
    for (int sigma = 2; sigma <= 40; sigma++) {
        free(input);
        input = NULL;
        if (photo_image_make(".jpg[Q=92]", in_w, in_h, 0, sigma, &input, &input_len) != 0)
            return -1;
        if (input_len >= 3500000 && input_len <= TZ_PHOTO_MAX_BYTES)
            return 0;
        if (input_len > TZ_PHOTO_MAX_BYTES)
            break;
    }
    fprintf(stderr, "bench_photos: no 12 MP JPEG of about 4 MB\n");
    return -1;
}

static int bench_reencode(void)
{
    int64_t ns[RUNS];
    struct tz_photo p = {0};
    for (int i = 0; i < RUNS; i++) {
        const char *why;
        int64_t t0 = tz_time_mono_ns();
        tz_err err = tz_photo_process(input, input_len, &p, &why);
        ns[i] = tz_time_mono_ns() - t0;
        if (err) {
            fprintf(stderr, "bench_photos: %s: %s\n", tz_err_str(err), why ? why : "");
            return 1;
        }
        if (i < RUNS - 1)
            tz_photo_clear(&p);
    }
    qsort(ns, RUNS, sizeof ns[0], cmp_i64);
    printf("photo_reencode input_bytes=%zu input_px=%dx%d output_bytes=%zu thumb_bytes=%zu runs=%d "
           "median_ms=%.1f"
           " max_ms=%.1f\n",
           input_len, in_w, in_h, p.full_len, p.thumb_len, RUNS, (double)ns[RUNS / 2] / 1e6,
           (double)ns[RUNS - 1] / 1e6);
    tz_photo_clear(&p);
    return 0;
}

static void make_report(struct tz_report_rec *r, int64_t now)
{
    memset(r, 0, sizeof *r);
    snprintf(r->category, sizeof r->category, "illegal_parking");
    r->lat = 50.0;
    r->lon = 19.9;
    snprintf(r->district_id, sizeof r->district_id, "bench-1");
    snprintf(r->status, sizeof r->status, "new");
    r->received_at = now;
    r->status_changed_at = now;
    r->takeup_due = now + 172800;
    randombytes_buf(r->token_hash, sizeof r->token_hash);
}

struct run {
    struct tz_committer *committer;
    int64_t deadline_ns;
    bool encode;                       /* encode three photos per report (else reuse `ready`) */
    struct tz_photo_rec ready[PHOTOS]; /* encoded once, for the committer alone */
    atomic_long reports;
    atomic_long bytes;
    atomic_int failures;
};

/* Fills photos[] by encoding the input anew three times; false on failure. */
static bool encode_three(struct tz_photo_rec photos[PHOTOS])
{
    for (int k = 0; k < PHOTOS; k++) {
        struct tz_photo p;
        const char *why;
        if (tz_photo_process(input, input_len, &p, &why) != TZ_OK)
            return false;
        photos[k] = (struct tz_photo_rec){.idx = k + 1,
                                          .width = p.width,
                                          .height = p.height,
                                          .thumb_width = p.thumb_width,
                                          .thumb_height = p.thumb_height,
                                          .image = p.full,
                                          .image_len = p.full_len,
                                          .thumb = p.thumb,
                                          .thumb_len = p.thumb_len};
    }
    return true;
}

static void *intake_thread(void *arg)
{
    struct run *run = arg;
    int64_t now = tz_time_now();
    while (tz_time_mono_ns() < run->deadline_ns) {
        struct tz_report_rec r;
        make_report(&r, now);
        struct tz_photo_rec photos[PHOTOS];
        if (run->encode && !encode_three(photos)) {
            atomic_fetch_add(&run->failures, 1);
            break;
        }
        r.photos = run->encode ? photos : run->ready;
        r.photo_count = PHOTOS;
        tz_err err;
        while ((err = tz_committer_insert(run->committer, &r)) == TZ_EBUSY)
            usleep(50);
        if (err)
            atomic_fetch_add(&run->failures, 1);
        else
            atomic_fetch_add(&run->reports, 1);
        for (int k = 0; k < PHOTOS; k++)
            atomic_fetch_add(&run->bytes, (long)(r.photos[k].image_len + r.photos[k].thumb_len));
        if (run->encode)
            for (int k = 0; k < PHOTOS; k++)
                tz_photo_rec_clear(&photos[k]);
    }
    return NULL;
}

/* Runs threads of intake for seconds on a fresh store; prints one line named label. */
static int bench_intake(const char *label, int threads, bool encode, double seconds)
{
    struct tz_store *store = NULL;
    snprintf(db_path, sizeof db_path, "%s/photos.db", dir);
    tz_err err = tz_store_open_sqlite(db_path, &store);
    struct tz_district_rec d = {.id = "bench-1",
                                .name = "Rejon benchmarku",
                                .unit = "KMP Kraków",
                                .officer = "asp. Test",
                                .geometry = "{\"type\":\"Polygon\",\"coordinates\":[[[19.8,49.9],"
                                            "[20.1,49.9],[20.1,50.1],[19.8,50.1],[19.8,49.9]]]}"};
    if (!err)
        err = tz_store_put_districts(store, &d, 1);
    struct run *run = calloc(1, sizeof *run);
    if (!err && !run)
        err = TZ_ENOMEM;
    if (!err)
        err = tz_committer_start(store, 512, 4096, &run->committer);
    if (err) {
        fprintf(stderr, "bench_photos: store: %s\n", tz_err_str(err));
        free(run);
        tz_store_close(store);
        return 1;
    }
    run->encode = encode;
    if (!encode && !encode_three(run->ready)) {
        fprintf(stderr, "bench_photos: encoding failed\n");
        return 1;
    }
    pthread_t tids[COMMIT_THREADS];
    int64_t t0 = tz_time_mono_ns();
    run->deadline_ns = t0 + (int64_t)(seconds * 1e9);
    for (int i = 0; i < threads; i++)
        pthread_create(&tids[i], NULL, intake_thread, run);
    for (int i = 0; i < threads; i++)
        pthread_join(tids[i], NULL);
    double s = (double)(tz_time_mono_ns() - t0) / 1e9;
    long n = atomic_load(&run->reports);
    printf("%s threads=%d photos_per_report=%d reports=%ld seconds=%.2f reports_per_s=%.1f"
           " mb_per_s=%.1f failures=%d\n",
           label, threads, PHOTOS, n, s, (double)n / s, (double)atomic_load(&run->bytes) / s / 1e6,
           atomic_load(&run->failures));
    tz_committer_stop(run->committer);
    for (int k = 0; k < PHOTOS; k++)
        tz_photo_rec_clear(&run->ready[k]);
    int failures = atomic_load(&run->failures);
    free(run);
    tz_store_close(store);
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", db_path, suffixes[i]);
        unlink(p);
    }
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? strtod(argv[1], NULL) : 10;
    if (!(seconds > 0)) {
        fprintf(stderr, "usage: bench_photos [SECONDS]\n");
        return 2;
    }
    snprintf(dir, sizeof dir, "/tmp/tz_bench_photos_XXXXXX");
    if (!mkdtemp(dir) || tz_photo_init() != TZ_OK || make_input() != 0)
        return 1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int rc = bench_reencode();
    if (!rc)
        rc = bench_intake("photo_intake", cores > 0 && cores < 64 ? (int)cores : 2, true, seconds);
    if (!rc)
        rc = bench_intake("photo_commit", COMMIT_THREADS, false, seconds);
    free(input);
    rmdir(dir);
    return rc;
}
