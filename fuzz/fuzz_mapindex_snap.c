/*
 * fuzz_mapindex_snap.c - libFuzzer harness of the map index snapshot's reader
 * (threatmap/mapindex_snap.c, tz_map_index_load_mem) and of the index it
 * makes.
 *
 * The reader checks a checksum before it trusts any array, so mutated files
 * would rarely get past it: the first byte of the input picks the mode, bit 0
 * "seal the rest first" (tz_map_snap_seal writes the checksum the file's bytes
 * make, so that the reader's other checks are what stands between a lying
 * file and the index), else the rest is read as it is.
 *
 * What must hold, beyond "no crash, no undefined behaviour, no leak":
 *   - a refused file says why and returns no index;
 *   - a taken index answers queries in every mode, takes new reports, status
 *     changes and expiries, and written again is read back the same size.
 */
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "threatmap/mapindex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1767225600 /* 2026-01-01 */

static void exercise(struct tz_map_index *idx)
{
    static const struct tz_map_query views[] = {
        {.west = -180, .south = -85, .east = 180, .north = 85, .zoom = 0},
        {.west = 19.8, .south = 50.0, .east = 20.1, .north = 50.2, .zoom = 12},
        {.west = 19.8, .south = 50.0, .east = 20.1, .north = 50.2, .zoom = 9, .mode = TZ_MAP_HEX},
        {.west = 19.93, .south = 50.05, .east = 19.95, .north = 50.07, .zoom = 20},
    };
    for (size_t v = 0; v < sizeof views / sizeof views[0]; v++) {
        struct tz_map_query q = views[v];
        memset(q.filter.status_mask, v % 2 ? 0x3F : 0x7F, sizeof q.filter.status_mask);
        if (v == 2)
            q.filter.received_from = NOW - 90 * 86400;
        q.filter.min_changed_at[1] = NOW - 7 * 86400;
        struct tz_map_result r = {0};
        tz_err err = tz_map_index_query(idx, &q, &r);
        FUZZ_CHECK(err == TZ_OK || err == TZ_ENOMEM, "query %zu: %d", v, (int)err);
        FUZZ_CHECK(r.count <= TZ_MAP_MAX_FEATURES, "%zu features", r.count);
        tz_map_result_free(&r);
    }
    for (int i = 0; i < 3; i++) {
        struct tz_map_point p = {.id = (int64_t)1 << 40 | i,
                                 .lat = 50.06,
                                 .lon = 19.94,
                                 .category = (uint8_t)i,
                                 .status = 1,
                                 .received_at = NOW - 86400,
                                 .status_changed_at = NOW - 3600};
        (void)tz_map_index_add(idx, &p);
        (void)tz_map_index_set_status(idx, i + 1, (uint8_t)(i + 3), NOW);
    }
    (void)tz_map_index_expire(idx, NOW + 60 * 86400);
}

/* Writes idx and reads it back: the reader must take what the writer wrote. */
static void round_trip(const struct tz_map_index *idx)
{
    int fd = memfd_create("snap", 0);
    FUZZ_CHECK(fd >= 0, "memfd");
    struct tz_map_snap_meta meta = {.report_id = 1};
    FUZZ_CHECK(tz_map_index_save(idx, &meta, fd) == TZ_OK, "save");
    struct tz_map_index *back = NULL;
    char why[256] = "";
    tz_err err = tz_map_index_load(fd, &meta, &back, why, sizeof why);
    FUZZ_CHECK(err == TZ_OK, "a written index refused: %s", why);
    FUZZ_CHECK(tz_map_index_size(back) == tz_map_index_size(idx), "sizes differ");
    tz_map_index_free(back);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    size_t n = size - 1;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, n);
    if (mode & 1)
        tz_map_snap_seal(buf, n);
    struct tz_map_snap_meta meta;
    struct tz_map_index *idx = NULL;
    char why[256] = "";
    tz_err err = tz_map_index_load_mem(buf, n, &meta, &idx, why, sizeof why);
    if (err) {
        FUZZ_CHECK(idx == NULL, "an index with an error");
        FUZZ_CHECK(err != TZ_EINVAL || why[0], "refused without a reason");
    } else {
        exercise(idx);
        round_trip(idx);
        tz_map_index_free(idx);
    }
    free(buf);
    return 0;
}
