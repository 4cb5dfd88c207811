/*
 * fixture.c - the shared threat map of fuzz_report and fuzz_query (see
 * fixture.h). The database lives under $TMPDIR (scripts/fuzz.sh points it at
 * its scratch directory, so that a harness killed by a crash leaves nothing
 * behind in /tmp).
 */
#include "fixture.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/tztime.h"
#include "check.h"

#define FIXTURE_SEED 20260328

static struct fuzz_fixture fixture;
static char dir[PATH_MAX];
static char db[PATH_MAX];

/* Removes the database, its WAL and shared-memory files, and the directory. */
static void fixture_close(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    tz_threatmap_close(fixture.tm);
    tz_store_close(fixture.store);
    fixture.tm = NULL;
    fixture.store = NULL;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s%s", db, suffixes[i]);
        unlink(path);
    }
    rmdir(dir);
    free(fixture.points);
}

/* Reads where every stored report lies, a page at a time. */
static void load_points(void)
{
    struct tz_report_filter filter = {.limit = 1000};
    for (;;) {
        struct tz_report_rec *recs = NULL;
        size_t n = 0;
        tz_err err = tz_store_list_reports(fixture.store, &filter, &recs, &n);
        FUZZ_CHECK(err == TZ_OK, "tz_store_list_reports: %s", tz_err_str(err));
        double(*grown)[2] = realloc(fixture.points, (fixture.point_count + n + 1) * sizeof *grown);
        FUZZ_CHECK(grown != NULL, "out of memory");
        fixture.points = grown;
        for (size_t i = 0; i < n; i++) {
            fixture.points[fixture.point_count][0] = recs[i].lat;
            fixture.points[fixture.point_count][1] = recs[i].lon;
            fixture.point_count++;
            filter.before_id = recs[i].id;
        }
        tz_report_recs_free(recs, n);
        if (n < filter.limit)
            break;
    }
}

const struct fuzz_fixture *fuzz_fixture_open(size_t reports)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(dir, sizeof dir, "%s/tarcza-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    FUZZ_CHECK(n > 0 && (size_t)n < sizeof dir, "TMPDIR is too long");
    FUZZ_CHECK(mkdtemp(dir) != NULL, "cannot make a directory under %s", dir);
    n = snprintf(db, sizeof db, "%s/fixture.db", dir);
    FUZZ_CHECK(n > 0 && (size_t)n < sizeof db, "TMPDIR is too long");

    static const char clock[] = "2026-03-28T09:00:00Z"; /* a Saturday before the DST change */
    tz_err err = tz_time_parse(clock, sizeof clock - 1, &fixture.now);
    FUZZ_CHECK(err == TZ_OK, "%s", tz_err_str(err));
    err = tz_store_open_sqlite(db, &fixture.store);
    FUZZ_CHECK(err == TZ_OK, "tz_store_open_sqlite(%s): %s", db, tz_err_str(err));
    /* Demo districts when the store has none, then the reports. */
    err = tz_threatmap_demo(fixture.store, reports, FIXTURE_SEED, fixture.now);
    FUZZ_CHECK(err == TZ_OK, "tz_threatmap_demo: %s", tz_err_str(err));
    struct tz_threatmap_config cfg = tz_threatmap_defaults();
    err = tz_threatmap_open(fixture.store, &cfg, &fixture.tm);
    FUZZ_CHECK(err == TZ_OK, "tz_threatmap_open: %s", tz_err_str(err));
    FUZZ_CHECK(tz_threatmap_district_count(fixture.tm) > 0, "the demo has no districts");
    load_points();
    FUZZ_CHECK(fixture.point_count == reports, "%zu of %zu reports", fixture.point_count, reports);
    atexit(fixture_close);
    return &fixture;
}

void fuzz_check_field_errors(const struct tz_field_errors *errs)
{
    FUZZ_CHECK(errs->count <= TZ_FIELDERR_MAX, "%zu entries", errs->count);
    for (size_t i = 0; i < errs->count; i++) {
        const struct tz_field_error *e = &errs->items[i];
        FUZZ_CHECK(fuzz_text_ok(e->field, sizeof e->field),
                   "error %zu names a field that is not UTF-8 text", i);
        FUZZ_CHECK(fuzz_text_ok(e->message, sizeof e->message) && e->message[0],
                   "error %zu (field %s) has no UTF-8 message", i, e->field);
    }
}
