/*
 * test_mapindex_snap.c - the map index's snapshot (threatmap/mapindex_snap.c,
 * threatmap/snapshot.c): an index written and read back answers every query
 * as the one written did, and keeps answering the same after the same
 * updates; every damaged file is refused (a flipped byte anywhere, a file cut
 * short or grown, a newer format version, another magic), and a file whose
 * checksum was made to fit but whose arrays lie is refused or, when its
 * arrays are merely wrong, never crashes a query or an update; and at the
 * threat map's level, a snapshot of another database, or of a later state of
 * this one, is refused and the map built from the database answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/tztime.h"
#include "threatmap/mapindex.h"
#include "threatmap/query.h"
#include "threatmap/threatmap.h"

#define T0 1735689600 /* 2025-01-01 */
#define NOW (T0 + 400 * 86400)

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double uniform(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static struct tz_map_point random_point(int64_t id)
{
    double lat, lon;
    if (uniform() < 0.9) {
        lat = 50.0 + uniform() * 0.2;
        lon = 19.8 + uniform() * 0.3;
    } else {
        lat = -80 + uniform() * 160;
        lon = -180 + uniform() * 360;
    }
    int64_t recv = T0 + (int64_t)(rnd() % (365 * 86400));
    return (struct tz_map_point){
        .id = id,
        .lat = lat,
        .lon = lon,
        .category = (uint8_t)(rnd() % 12),
        .status = (uint8_t)(rnd() % TZ_MAP_STATUSES),
        .received_at = recv,
        .status_changed_at = recv + (int64_t)(rnd() % (30 * 86400)),
    };
}

static struct tz_map_usual usual_view(void)
{
    struct tz_map_usual u = {0};
    for (int c = 0; c < 12; c++)
        u.status_mask[c] = c == 3 ? 0 : 0x3F;
    u.shown_for[1] = 7 * 86400;
    u.shown_for[4] = 30 * 86400;
    return u;
}

/* An index with chunks of the build, merged chunks of updates and a buffer, and status changes. */
static struct tz_map_index *make_index(size_t n)
{
    struct tz_map_point *pts = malloc(n * sizeof *pts);
    for (size_t i = 0; i < n; i++)
        pts[i] = random_point((int64_t)(i + 1) * 2);
    struct tz_map_usual u = usual_view();
    struct tz_map_index *idx = NULL;
    assert_int_equal(tz_map_index_build_usual(pts, n, &u, NOW, &idx), TZ_OK);
    for (size_t i = 0; i < 9000; i++) { /* past a buffer's worth: a chunk of updates */
        struct tz_map_point p = random_point((int64_t)(2 * n + 1 + i));
        assert_int_equal(tz_map_index_add(idx, &p), TZ_OK);
    }
    for (size_t i = 0; i < 2000; i++) {
        int64_t id = (int64_t)(rnd() % n + 1) * 2;
        assert_int_equal(tz_map_index_set_status(idx, id, (uint8_t)(rnd() % TZ_MAP_STATUSES),
                                                 NOW - (int64_t)(rnd() % (60 * 86400))),
                         TZ_OK);
    }
    free(pts);
    return idx;
}

static struct tz_map_query random_query(void)
{
    struct tz_map_query q = {.zoom = (int)(rnd() % 17),
                             .mode = rnd() % 3 == 0 ? TZ_MAP_HEX : TZ_MAP_CLUSTERS};
    if (rnd() % 4 == 0) {
        q.west = -180, q.east = 180, q.south = -85, q.north = 85;
        q.zoom = (int)(rnd() % 4);
    } else {
        double w = 0.3 / (1 << (rnd() % 6));
        q.west = 19.8 + uniform() * 0.3, q.south = 50.0 + uniform() * 0.2;
        q.east = q.west + w, q.north = q.south + w * 0.6;
    }
    struct tz_map_usual u = usual_view();
    bool usual = rnd() % 2;
    for (int c = 0; c < TZ_MAP_MAX_CATEGORIES; c++)
        q.filter.status_mask[c] = usual ? u.status_mask[c] : (uint8_t)(rnd() % 128);
    if (usual) {
        q.filter.min_changed_at[1] = NOW - 7 * 86400;
        q.filter.min_changed_at[4] = NOW - 30 * 86400;
    }
    if (rnd() % 3 == 0) {
        q.filter.received_from = T0 + (int64_t)(rnd() % (200 * 86400));
        q.filter.received_to = q.filter.received_from + 90 * 86400;
    }
    return q;
}

static void assert_same_answer(const struct tz_map_index *a, const struct tz_map_index *b,
                               const struct tz_map_query *q)
{
    struct tz_map_result ra = {0}, rb = {0};
    assert_int_equal(tz_map_index_query(a, q, &ra), TZ_OK);
    assert_int_equal(tz_map_index_query(b, q, &rb), TZ_OK);
    assert_int_equal(ra.matched, rb.matched);
    assert_int_equal(ra.count, rb.count);
    assert_int_equal(ra.truncated, rb.truncated);
    for (size_t i = 0; i < ra.count; i++) {
        const struct tz_map_feature *x = &ra.features[i], *y = &rb.features[i];
        assert_int_equal(x->count, y->count);
        assert_int_equal(x->id, y->id);
        assert_true(x->lat == y->lat && x->lon == y->lon);
        assert_memory_equal(x->by_status, y->by_status, sizeof x->by_status);
    }
    tz_map_result_free(&ra);
    tz_map_result_free(&rb);
}

/* The index written to memory (through a temporary file). */
static uint8_t *save_to_memory(const struct tz_map_index *idx, size_t *len)
{
    char path[] = "/tmp/tarcza-snap-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    struct tz_map_snap_meta meta = {.report_id = 42, .transition_seq = 7, .written_at = NOW};
    memset(meta.owner, 0xAB, sizeof meta.owner);
    assert_int_equal(tz_map_index_save(idx, &meta, fd), TZ_OK);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    uint8_t *buf = malloc((size_t)st.st_size);
    assert_int_equal(pread(fd, buf, (size_t)st.st_size, 0), st.st_size);
    close(fd);
    *len = (size_t)st.st_size;
    return buf;
}

static void refused(const uint8_t *buf, size_t len, const char *reason)
{
    struct tz_map_snap_meta meta;
    struct tz_map_index *idx = (struct tz_map_index *)&meta; /* must come back NULL */
    char why[256] = "";
    assert_int_equal(tz_map_index_load_mem(buf, len, &meta, &idx, why, sizeof why), TZ_EINVAL);
    assert_null(idx);
    if (reason && !strstr(why, reason))
        fail_msg("refused for \"%s\", not \"%s\"", why, reason);
}

static void test_round_trip(void **state)
{
    (void)state;
    struct tz_map_index *idx = make_index(30000);
    size_t len;
    uint8_t *buf = save_to_memory(idx, &len);
    struct tz_map_snap_meta meta;
    struct tz_map_index *back = NULL;
    char why[256] = "";
    assert_int_equal(tz_map_index_load_mem(buf, len, &meta, &back, why, sizeof why), TZ_OK);
    assert_int_equal(meta.report_id, 42);
    assert_int_equal(meta.transition_seq, 7);
    assert_int_equal(meta.owner[31], 0xAB);
    assert_int_equal(tz_map_index_size(back), tz_map_index_size(idx));
    for (int i = 0; i < 400; i++) {
        struct tz_map_query q = random_query();
        assert_same_answer(idx, back, &q);
    }
    /* The same updates on both (a chunk's worth of new reports, changes, expiries): still alike. */
    for (size_t i = 0; i < 9000; i++) {
        struct tz_map_point p = random_point((int64_t)(1000000 + i));
        assert_int_equal(tz_map_index_add(idx, &p), TZ_OK);
        assert_int_equal(tz_map_index_add(back, &p), TZ_OK);
    }
    for (int i = 0; i < 500; i++) {
        int64_t id = (int64_t)(rnd() % 30000 + 1) * 2;
        uint8_t st = (uint8_t)(rnd() % TZ_MAP_STATUSES);
        assert_int_equal(tz_map_index_set_status(idx, id, st, NOW + i), TZ_OK);
        assert_int_equal(tz_map_index_set_status(back, id, st, NOW + i), TZ_OK);
    }
    assert_int_equal(tz_map_index_expire(idx, NOW + 20 * 86400), TZ_OK);
    assert_int_equal(tz_map_index_expire(back, NOW + 20 * 86400), TZ_OK);
    for (int i = 0; i < 200; i++) {
        struct tz_map_query q = random_query();
        assert_same_answer(idx, back, &q);
    }
    /* Written again, the loaded index makes the same file. */
    size_t len2;
    uint8_t *again = save_to_memory(back, &len2);
    uint8_t *first = save_to_memory(idx, &len);
    assert_int_equal(len, len2);
    free(again);
    free(first);
    free(buf);
    tz_map_index_free(back);
    tz_map_index_free(idx);
}

static void test_empty_round_trip(void **state)
{
    (void)state;
    struct tz_map_index *idx = NULL;
    assert_int_equal(tz_map_index_build(NULL, 0, &idx), TZ_OK);
    size_t len;
    uint8_t *buf = save_to_memory(idx, &len);
    struct tz_map_snap_meta meta;
    struct tz_map_index *back = NULL;
    assert_int_equal(tz_map_index_load_mem(buf, len, &meta, &back, NULL, 0), TZ_OK);
    assert_int_equal(tz_map_index_size(back), 0);
    struct tz_map_point p = random_point(5);
    assert_int_equal(tz_map_index_add(back, &p), TZ_OK);
    assert_int_equal(tz_map_index_size(back), 1);
    free(buf);
    tz_map_index_free(back);
    tz_map_index_free(idx);
}

static void test_every_flipped_byte_refused(void **state)
{
    (void)state;
    struct tz_map_index *idx = make_index(5000);
    size_t len;
    uint8_t *buf = save_to_memory(idx, &len);
    /* Every byte of the header and the counts, then a stride through the arrays, and the last. */
    for (size_t at = 0; at < len; at = at < 512 ? at + 1 : at + 997) {
        uint8_t keep = buf[at];
        buf[at] ^= (uint8_t)(1u << (at % 8));
        refused(buf, len, NULL);
        buf[at] = keep;
    }
    buf[len - 1] ^= 0x80;
    refused(buf, len, "checksum");
    free(buf);
    tz_map_index_free(idx);
}

static void test_truncated_and_grown_refused(void **state)
{
    (void)state;
    struct tz_map_index *idx = make_index(5000);
    size_t len;
    uint8_t *buf = save_to_memory(idx, &len);
    size_t cuts[] = {0, 1, 7, 100, 127, 128, 200, len / 2, len - 8, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        refused(buf, cuts[i], cuts[i] < 128 ? "truncated" : NULL);
    refused(buf, len - 1, "truncated or grown");
    uint8_t *grown = calloc(len + 16, 1);
    memcpy(grown, buf, len);
    refused(grown, len + 16, "truncated or grown");
    free(grown);
    free(buf);
    tz_map_index_free(idx);
}

static void test_other_version_and_magic_refused(void **state)
{
    (void)state;
    struct tz_map_index *idx = make_index(2000);
    size_t len;
    uint8_t *buf = save_to_memory(idx, &len);
    uint32_t v = TZ_MAP_SNAP_VERSION + 1; /* written by a newer tarcza, its checksum right */
    memcpy(buf + 8, &v, 4);
    tz_map_snap_seal(buf, len);
    refused(buf, len, "version 2");
    v = TZ_MAP_SNAP_VERSION;
    memcpy(buf + 8, &v, 4);
    memcpy(buf, "TZSNAPX\n", 8);
    tz_map_snap_seal(buf, len);
    refused(buf, len, "not a map index snapshot");
    free(buf);
    tz_map_index_free(idx);
}

/* Sealed files with lying arrays: refused, or taken and then safe to query and update. */
static void test_sealed_lies_never_crash(void **state)
{
    (void)state;
    struct tz_map_index *idx = make_index(3000);
    size_t len;
    uint8_t *buf = save_to_memory(idx, &len);
    uint8_t *bad = malloc(len);
    int taken = 0, refusals = 0;
    for (int round = 0; round < 300; round++) {
        memcpy(bad, buf, len);
        for (int k = 0; k < 1 + round % 4; k++)
            bad[128 + rnd() % (len - 128)] ^= (uint8_t)(1u << (rnd() % 8));
        tz_map_snap_seal(bad, len);
        struct tz_map_snap_meta meta;
        struct tz_map_index *back = NULL;
        if (tz_map_index_load_mem(bad, len, &meta, &back, NULL, 0) != TZ_OK) {
            refusals++;
            continue;
        }
        taken++;
        for (int i = 0; i < 10; i++) {
            struct tz_map_query q = random_query();
            struct tz_map_result r = {0};
            (void)tz_map_index_query(back, &q, &r);
            tz_map_result_free(&r);
        }
        for (int i = 0; i < 20; i++) {
            struct tz_map_point p = random_point((int64_t)(5000000 + i));
            (void)tz_map_index_add(back, &p);
            (void)tz_map_index_set_status(back, (int64_t)(rnd() % 3000 + 1) * 2,
                                          (uint8_t)(rnd() % TZ_MAP_STATUSES), NOW);
        }
        (void)tz_map_index_expire(back, NOW + 90 * 86400);
        tz_map_index_free(back);
    }
    assert_true(refusals > 0);
    assert_true(taken > 0); /* a flipped coordinate or time is no inconsistency */
    free(bad);
    free(buf);
    tz_map_index_free(idx);
}

/* ---- the threat map's side: a snapshot beside the database --------------- */

static const char districts[] =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"id\":\"A\",\"properties\":{\"name\":\"Zachód\",\"unit\":\"KP I\","
    "\"officer\":\"asp. Jan Kowalski\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[19.7,49.9],[20.3,49.9],[20.3,50.3],[19.7,50.3],[19.7,49.9]]]}}]}";

struct db {
    char path[64], snap[80];
    struct tz_store *store;
};

static void db_make(struct db *d, size_t reports, uint64_t seed)
{
    snprintf(d->path, sizeof d->path, "/tmp/tarcza-snapdb-XXXXXX");
    int fd = mkstemp(d->path);
    assert_true(fd >= 0);
    close(fd);
    snprintf(d->snap, sizeof d->snap, "%s.mapindex", d->path);
    struct tz_geo_problems problems = {0};
    assert_int_equal(tz_store_open_sqlite(d->path, &d->store), TZ_OK);
    assert_int_equal(
        tz_threatmap_import_districts(d->store, districts, strlen(districts), &problems), TZ_OK);
    assert_int_equal(tz_threatmap_demo(d->store, reports, seed, tz_time_now()), TZ_OK);
}

static void db_drop(struct db *d)
{
    tz_store_close(d->store);
    const char *ext[] = {"", "-wal", "-shm", ".mapindex"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        char p[100];
        snprintf(p, sizeof p, "%s%s", d->path, ext[i]);
        unlink(p);
    }
}

static struct tz_threatmap *map_open(struct db *d, const char *snap)
{
    struct tz_threatmap_config cfg = tz_threatmap_defaults();
    cfg.snapshot_path = snap;
    struct tz_threatmap *tm = NULL;
    assert_int_equal(tz_threatmap_open(d->store, &cfg, &tm), TZ_OK);
    return tm;
}

/* The public map of the whole region at a few zooms, as one string of counts and positions. */
static void map_answer(struct tz_threatmap *tm, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int zoom = 2; zoom <= 14; zoom += 4) {
        struct tz_public_query q;
        tz_public_query_init(&q);
        assert_int_equal(tz_public_query_bbox(&q, 19.0, 49.5, 21.0, 50.5), TZ_OK);
        assert_int_equal(tz_public_query_zoom(&q, zoom), TZ_OK);
        struct tz_map_result r = {0};
        struct tz_field_errors errs = {0};
        assert_int_equal(tz_threatmap_map(tm, &q, tz_time_now(), &r, &errs), TZ_OK);
        used += (size_t)snprintf(out + used, size - used, "z%d m%llu:", zoom,
                                 (unsigned long long)r.matched);
        for (size_t i = 0; i < r.count && used < size - 64; i++)
            used += (size_t)snprintf(out + used, size - used, "%u@%.6f,%.6f;", r.features[i].count,
                                     r.features[i].lat, r.features[i].lon);
        tz_map_result_free(&r);
    }
}

static void test_threatmap_snapshot_used_and_refused(void **state)
{
    (void)state;
    static char built[1 << 16], from_snap[1 << 16], other[1 << 16], fresh[1 << 16];
    struct db a, b;
    db_make(&a, 3000, 1);
    db_make(&b, 2000, 2);
    struct tz_threatmap *tm = map_open(&a, a.snap);
    map_answer(tm, built, sizeof built);
    struct tz_threatmap_snap_info info = {0};
    assert_int_equal(tz_threatmap_snapshot(tm, &info), TZ_OK);
    assert_int_equal(info.reports, 3000);
    assert_true(info.bytes > 3000 * 100);
    info = (struct tz_threatmap_snap_info){.if_changed = true};
    assert_int_equal(tz_threatmap_snapshot(tm, &info), TZ_OK);
    assert_true(info.skipped); /* nothing new */
    tz_threatmap_close(tm);

    tm = map_open(&a, a.snap); /* from the snapshot: the same answers */
    map_answer(tm, from_snap, sizeof from_snap);
    assert_string_equal(built, from_snap);
    tz_threatmap_close(tm);

    /* Database b with a's snapshot: b has no report 3000: refused, b's own map. */
    tm = map_open(&b, a.snap);
    map_answer(tm, other, sizeof other);
    tz_threatmap_close(tm);
    tm = map_open(&b, NULL);
    map_answer(tm, fresh, sizeof fresh);
    tz_threatmap_close(tm);
    assert_string_equal(other, fresh);
    assert_string_not_equal(other, built);

    /* A database of more reports from another seed: report 3000 differs: refused. */
    db_drop(&b);
    db_make(&b, 4000, 3);
    tm = map_open(&b, a.snap);
    map_answer(tm, other, sizeof other);
    tz_threatmap_close(tm);
    tm = map_open(&b, NULL);
    map_answer(tm, fresh, sizeof fresh);
    tz_threatmap_close(tm);
    assert_string_equal(other, fresh);

    /* A damaged snapshot: refused, a's map built from the database. */
    int fd = open(a.snap, O_RDWR);
    assert_true(fd >= 0);
    uint8_t byte;
    assert_int_equal(pread(fd, &byte, 1, 5000), 1);
    byte ^= 0x10;
    assert_int_equal(pwrite(fd, &byte, 1, 5000), 1);
    close(fd);
    tm = map_open(&a, a.snap);
    map_answer(tm, from_snap, sizeof from_snap);
    assert_string_equal(built, from_snap);
    tz_threatmap_close(tm);
    db_drop(&a);
    db_drop(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_empty_round_trip),
        cmocka_unit_test(test_every_flipped_byte_refused),
        cmocka_unit_test(test_truncated_and_grown_refused),
        cmocka_unit_test(test_other_version_and_magic_refused),
        cmocka_unit_test(test_sealed_lies_never_crash),
        cmocka_unit_test(test_threatmap_snapshot_used_and_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
