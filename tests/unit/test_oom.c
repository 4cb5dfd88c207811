/*
 * Allocation failure, tested as SQLite tests it: the Nth allocation fails,
 * for every N up to the number of allocations one clean run makes.
 *
 * The fault injector sits under every allocator the code under test uses:
 *  - the project's own malloc, calloc, realloc, strdup, strndup and
 *    aligned_alloc calls, through -Wl,--wrap=... on this executable (the
 *    linker points the undefined references of the static module libraries
 *    at __wrap_malloc and so on; __real_malloc is libc's, or ASan's when it
 *    is in), so production code carries no test hook;
 *  - SQLite's, through SQLITE_CONFIG_MALLOC with its default methods wrapped;
 *  - jansson's, through json_set_alloc_funcs.
 * GEOS (C++ new) is not covered: it throws, and geo/ catches.
 *
 * Each scenario (the store; the report path: prepare, submit, transition,
 * read back; the map index: build, add, status change, query; the district
 * import) is run once in a child process with the injector counting, then
 * once per N (on a fresh copy of the database; 64 runs to a child, and a
 * failing batch again one N per child) with allocation N failing: with
 * TZ_OOM_PERSIST=1 in the environment every allocation from N on fails.
 * Each child checks that every call answered TZ_OK or TZ_ENOMEM (TZ_OK only
 * where the failure could be absorbed), that what was written is whole or
 * absent, that the map index agrees with the store, that the database passes
 * PRAGMA integrity_check, and under LeakSanitizer that nothing leaked. A
 * crash or a failed check names the scenario and the N.
 *
 * TZ_OOM_STRIDE (default: see each scenario) samples every k-th N; 1 runs all.
 * TZ_OOM_ONLY=N runs that N alone (after the counting run).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/report_json.h"
#include "oom_harness.h"
#include "threatmap/mapindex.h"

/* ---- the store: insert, read back, status change, history ------------------------------------ */

static int64_t at(const char *rfc3339)
{
    int64_t t = 0;
    if (tz_time_parse(rfc3339, strlen(rfc3339), &t) != TZ_OK)
        abort();
    return t;
}

static void fill_report(struct tz_report_rec *rec, int64_t now)
{
    memset(rec, 0, sizeof *rec);
    snprintf(rec->category, sizeof rec->category, "speeding");
    rec->lat = 50.05;
    rec->lon = 19.95;
    snprintf(rec->district_id, sizeof rec->district_id, "A");
    snprintf(rec->status, sizeof rec->status, "new");
    rec->received_at = now;
    rec->status_changed_at = now;
    rec->takeup_due = now + 3600;
    memset(rec->token_hash, 7, sizeof rec->token_hash);
}

static void store_scenario(long fail_at)
{
    char path[64];
    fresh_db(path);
    int64_t now = at("2026-11-25T10:00:00Z");
    char description[] = "Za szybko pod szkołą";
    struct tz_store *store = NULL;
    CHECK(tz_store_open_sqlite(path, &store) == TZ_OK);

    struct tz_report_rec rec;
    fill_report(&rec, now);
    rec.description = description;
    struct tz_report_rec got = {0};
    struct tz_transition_rec *hist = NULL;
    size_t hist_n = 0;
    struct tz_status_change change = {.expected_status = "new", .new_status = "verifying",
                                      .at = now + 60, .taken_up_at = now + 60,
                                      .actor = "oom", .note = "sprawdzam"};
    oom_arm(fail_at);
    tz_err inserted = tz_store_insert_reports(store, &rec, 1);
    tz_err read = TZ_ENOMEM, changed = TZ_ENOMEM, listed = TZ_ENOMEM;
    if (inserted == TZ_OK) {
        read = tz_store_get_report(store, rec.id, &got);
        change.report_id = rec.id;
        changed = tz_store_change_status(store, &change);
        listed = tz_store_history(store, rec.id, &hist, &hist_n);
    }
    oom_disarm();
    CHECK_RC(inserted);
    CHECK_RC(read);
    CHECK_RC(changed);
    CHECK_RC(listed);
    if (read == TZ_OK)
        CHECK(got.description && strcmp(got.description, description) == 0);
    tz_report_rec_clear(&got);
    tz_transition_recs_free(hist, hist_n);

    /* Whole or absent: the report with its fields; the change with its history entry. */
    int64_t count = -1;
    CHECK(tz_store_count_reports(store, &count) == TZ_OK);
    CHECK(count == (inserted == TZ_OK ? 1 : 0));
    if (inserted != TZ_OK)
        CHECK(rec.id == 0);
    if (count == 1) {
        CHECK(tz_store_get_report(store, 1, &got) == TZ_OK);
        CHECK(strcmp(got.category, "speeding") == 0 && strcmp(got.district_id, "A") == 0);
        CHECK(got.description && strcmp(got.description, description) == 0);
        CHECK(tz_store_history(store, 1, &hist, &hist_n) == TZ_OK);
        if (changed == TZ_OK)
            CHECK(strcmp(got.status, "verifying") == 0);
        if (strcmp(got.status, "verifying") == 0)
            CHECK(hist_n == 1 && strcmp(hist[0].to, "verifying") == 0 && got.taken_up_at != 0);
        else
            CHECK(strcmp(got.status, "new") == 0 && hist_n == 0 && got.taken_up_at == 0);
        tz_report_rec_clear(&got);
        tz_transition_recs_free(hist, hist_n);
    }
    tz_store_close(store);
    check_integrity(path);
    remove_db(path);
}

static void store_answers_enomem_and_stays_whole(void **state)
{
    for_every_n("store", store_scenario, 8);
}

/* ---- the report path: prepare, submit, transition, read back --------------------------------- */

struct visit_count {
    size_t points, verifying;
};

static tz_err count_points(void *ctx, const struct tz_map_point *pts, size_t n)
{
    struct visit_count *c = ctx;
    c->points += n;
    for (size_t i = 0; i < n; i++)
        c->verifying += pts[i].status == TZ_STATUS_VERIFYING;
    return TZ_OK;
}

static const char report_body[] = "{\"category\":\"speeding\",\"lat\":50.05,\"lon\":19.95,"
                                  "\"description\":\"Za szybko pod szkołą\"}";

/* The reporter's view of report id (read by its token), its description appended to out: the
 * read a reporter makes, as a struct (http renders it; the bytes it holds are what matter here). */
static tz_err read_reporter_view(struct tz_threatmap *tm, int64_t id, const char *token,
                                 int64_t now, struct tz_buf *out)
{
    struct tz_report_view view;
    tz_err err = tz_threatmap_report_read(tm, id, token, now, &view);
    if (err)
        return err;
    if (view.reporter && view.rec.description)
        err = tz_buf_puts(out, view.rec.description);
    tz_report_view_clear(&view);
    return err;
}

static void report_scenario(long fail_at)
{
    char path[64];
    fresh_db(path);
    int64_t now = at("2026-11-25T10:00:00Z");
    struct tz_store *store = NULL;
    struct tz_threatmap *tm = NULL;
    CHECK(tz_store_open_sqlite(path, &store) == TZ_OK);
    CHECK(tz_threatmap_open(store, NULL, &tm) == TZ_OK);

    struct tz_submission sub;
    struct tz_field_errors errs = {0};
    struct tz_buf out;
    tz_buf_init(&out, 1 << 20);
    tz_err prepared, submitted = TZ_ENOMEM, moved = TZ_ENOMEM, read = TZ_ENOMEM;
    oom_arm(fail_at);
    prepared = tz_http_report_prepare(tm, report_body, strlen(report_body), "192.0.2.1", now, &sub,
                                    &errs);
    if (prepared == TZ_OK)
        submitted = tz_threatmap_submit(tm, &sub);
    if (submitted == TZ_OK) {
        struct tz_transition_request req = {.report_id = sub.rec.id, .to = "verifying",
                                            .role = TZ_AUTH_OFFICER, .actor = "oom"};
        moved = tz_threatmap_transition(tm, &req, now + 60, &errs);
        read = read_reporter_view(tm, sub.rec.id, sub.token, now + 120, &out);
    }
    oom_disarm();
    CHECK_RC(prepared);
    CHECK_RC(submitted);
    CHECK_RC(moved);
    CHECK_RC(read);
    if (read == TZ_OK)
        CHECK(out.data && strstr(out.data, "Za szybko pod szkołą"));

    /* Whole or absent, and readable by its reporter when there. */
    int64_t count = -1;
    CHECK(tz_store_count_reports(store, &count) == TZ_OK);
    if (submitted == TZ_OK)
        CHECK(count == 1);
    else
        CHECK(count == 0);
    bool verifying = false;
    if (count == 1) {
        tz_buf_reset(&out);
        CHECK(read_reporter_view(tm, 1, sub.token, now + 120, &out) == TZ_OK);
        CHECK(strstr(out.data, "Za szybko pod szkołą"));
        struct tz_report_rec got = {0};
        CHECK(tz_store_get_report(store, 1, &got) == TZ_OK);
        verifying = strcmp(got.status, "verifying") == 0;
        CHECK(verifying || strcmp(got.status, "new") == 0);
        if (moved == TZ_OK)
            CHECK(verifying);
        tz_report_rec_clear(&got);
    }
    /* The map index agrees with the store once it has caught up with it. */
    CHECK(tz_threatmap_sync(tm) == TZ_OK);
    struct tz_map_visit v;
    struct tz_public_query q;
    tz_public_query_init(&q);
    tz_threatmap_visit_of(tm, &q, &v);
    struct visit_count seen = {0};
    CHECK(tz_threatmap_visit(tm, &v, count_points, &seen) == TZ_OK);
    CHECK((int64_t)seen.points == count);
    CHECK(seen.verifying == (verifying ? 1u : 0u));

    tz_buf_free(&out);
    tz_submission_clear(&sub);
    tz_threatmap_close(tm);
    tz_store_close(store);
    check_integrity(path);
    remove_db(path);
}

static void report_path_answers_enomem_and_is_whole_or_absent(void **state)
{
    for_every_n("report path", report_scenario, 1);
}

/* ---- the map index: build, add, status change, query ----------------------------------------- */

#define INDEX_POINTS 300

static void index_scenario(long fail_at)
{
    static struct tz_map_point pts[INDEX_POINTS];
    int64_t now = at("2026-11-25T10:00:00Z");
    for (size_t i = 0; i < INDEX_POINTS; i++)
        pts[i] = (struct tz_map_point){.id = (int64_t)i + 1,
                                       .lat = 50.0 + (double)(i % 17) * 0.01,
                                       .lon = 19.9 + (double)(i % 23) * 0.01,
                                       .category = (uint8_t)(i % 5),
                                       .status = TZ_STATUS_NEW,
                                       .received_at = now - (int64_t)i * 3600,
                                       .status_changed_at = now - (int64_t)i * 3600};
    struct tz_map_usual usual = {0};
    for (size_t c = 0; c < TZ_MAP_MAX_CATEGORIES; c++)
        usual.status_mask[c] = (1u << TZ_STATUS_NEW) | (1u << TZ_STATUS_VERIFYING);
    struct tz_map_point extra = {.id = 1000, .lat = 50.05, .lon = 19.95, .category = 1,
                                 .status = TZ_STATUS_NEW, .received_at = now,
                                 .status_changed_at = now};
    struct tz_map_query q = {.west = 19.0, .south = 49.0, .east = 21.0, .north = 51.0,
                             .zoom = 12, .mode = TZ_MAP_CLUSTERS};
    for (size_t c = 0; c < TZ_MAP_MAX_CATEGORIES; c++)
        q.filter.status_mask[c] = 0x7f;
    struct tz_map_result res = {0};
    struct tz_map_index *idx = NULL;

    oom_arm(fail_at);
    tz_err built = tz_map_index_build_usual(pts, INDEX_POINTS, &usual, now, &idx);
    tz_err added = TZ_ENOMEM, moved = TZ_ENOMEM, asked = TZ_ENOMEM, hexed = TZ_ENOMEM;
    if (built == TZ_OK) {
        added = tz_map_index_add(idx, &extra);
        moved = tz_map_index_set_status(idx, 7, TZ_STATUS_VERIFYING, now + 60);
        asked = tz_map_index_query(idx, &q, &res);
        q.mode = TZ_MAP_HEX;
        hexed = tz_map_index_query(idx, &q, &res);
    }
    oom_disarm();
    CHECK_RC(built);
    CHECK_RC(added);
    CHECK_RC(moved);
    CHECK_RC(asked);
    CHECK_RC(hexed);
    if (built != TZ_OK) {
        CHECK(idx == NULL);
    } else {
        /* The index holds what the calls that answered TZ_OK put there, and nothing else. */
        size_t expect = INDEX_POINTS + (added == TZ_OK ? 1 : 0);
        CHECK(tz_map_index_size(idx) == expect);
        q.mode = TZ_MAP_CLUSTERS;
        CHECK(tz_map_index_query(idx, &q, &res) == TZ_OK);
        CHECK(res.matched == expect);
        memset(q.filter.status_mask, 1u << TZ_STATUS_VERIFYING, sizeof q.filter.status_mask);
        CHECK(tz_map_index_query(idx, &q, &res) == TZ_OK);
        CHECK(res.matched == (moved == TZ_OK ? 1u : 0u));
        /* The usual view's copy agrees with a walk of the whole index. */
        memset(q.filter.status_mask, (1u << TZ_STATUS_NEW) | (1u << TZ_STATUS_VERIFYING),
               sizeof q.filter.status_mask);
        CHECK(tz_map_index_query(idx, &q, &res) == TZ_OK);
        CHECK(res.matched == expect);
    }
    tz_map_result_free(&res);
    tz_map_index_free(idx);
}

static void map_index_answers_enomem_and_stays_consistent(void **state)
{
    for_every_n("map index", index_scenario, 1);
}

/* ---- the district import: a GeoJSON parser and one transaction ------------------------------ */

static void districts_scenario(long fail_at)
{
    char path[64];
    fresh_db_of(path, empty_template);
    struct tz_store *store = NULL;
    CHECK(tz_store_open_sqlite(path, &store) == TZ_OK);
    struct tz_geo_problems problems = {0};
    oom_arm(fail_at);
    tz_err imported = tz_threatmap_import_districts(store, two_districts, strlen(two_districts),
                                                    &problems);
    oom_disarm();
    CHECK_RC(imported);
    tz_geo_problems_free(&problems);
    /* All or nothing. */
    struct tz_district_rec *d = NULL;
    size_t n = 0;
    CHECK(tz_store_districts(store, &d, &n) == TZ_OK);
    CHECK(n == (imported == TZ_OK ? 2u : 0u));
    tz_district_recs_free(d, n);
    tz_store_close(store);
    check_integrity(path);
    remove_db(path);
}

static void district_import_answers_enomem_and_is_all_or_nothing(void **state)
{
    for_every_n("district import", districts_scenario, 4);
}

int main(void)
{
    oom_install();
    const char *persist = getenv("TZ_OOM_PERSIST");
    oom_persist = persist && strcmp(persist, "1") == 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(map_index_answers_enomem_and_stays_consistent),
        cmocka_unit_test(store_answers_enomem_and_stays_whole),
        cmocka_unit_test(report_path_answers_enomem_and_is_whole_or_absent),
        cmocka_unit_test(district_import_answers_enomem_and_is_all_or_nothing),
    };
    return cmocka_run_group_tests(tests, make_template, drop_template);
}
