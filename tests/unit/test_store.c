/*
 * Unit tests of src/store: migrations, the seeded catalogue, districts,
 * reports (insert, read back, list filters, status changes, history),
 * durability across close/reopen, the group committer and the background
 * WAL checkpointer.
 *
 * Each test gets a fresh database in its own directory under /tmp, removed
 * afterwards (the store's -wal and -shm files included).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/backend.h" /* tz_store_migration_count */
#include "store/checkpointer.h"
#include "store/committer.h"
#include "store/store.h"

#define T0 1767261600 /* 2026-01-01T10:00:00Z */

struct fixture {
    char dir[64];
    char path[96];
    struct tz_store *store;
};

static void remove_db_files(const struct fixture *f)
{
    const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[128];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
}

static const struct tz_district_rec test_districts[] = {
    {.id = "krk-01",
     .name = "Rejon 1 — Stare Miasto",
     .unit = "KP Kraków-Śródmieście",
     .officer = "asp. Łukasz Żółć",
     .geometry = "{\"type\":\"Polygon\",\"coordinates\":[[[19.9,50.0],[20.0,50.0],[20.0,50.1],"
                 "[19.9,50.0]]]}"},
    {.id = "krk-02",
     .name = "Rejon 2 — Kazimierz",
     .unit = "KP Kraków-Śródmieście",
     .officer = NULL,
     .geometry = "{\"type\":\"Polygon\",\"coordinates\":[[[19.9,50.0],[20.0,50.0],[20.0,49.9],"
                 "[19.9,50.0]]]}"},
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/tz_store_test_XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/store.db", f->dir);
    if (tz_store_open_sqlite(f->path, &f->store) != TZ_OK ||
        tz_store_put_districts(f->store, test_districts, 2) != TZ_OK) {
        tz_store_close(f->store);
        remove_db_files(f);
        rmdir(f->dir);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tz_store_close(f->store);
    remove_db_files(f);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void reopen(struct fixture *f)
{
    tz_store_close(f->store);
    f->store = NULL;
    assert_int_equal(tz_store_open_sqlite(f->path, &f->store), TZ_OK);
}

/* A valid new report; seed varies the hashes and the point. */
static void make_report(struct tz_report_rec *r, const char *category, int seed)
{
    memset(r, 0, sizeof *r);
    snprintf(r->category, sizeof r->category, "%s", category);
    r->lat = 50.05 + seed * 0.0001;
    r->lon = 19.95 + seed * 0.0001;
    snprintf(r->district_id, sizeof r->district_id, "krk-01");
    snprintf(r->status, sizeof r->status, "new");
    r->received_at = T0 + seed;
    r->status_changed_at = T0 + seed;
    r->takeup_due = T0 + seed + 2 * 86400;
    for (int i = 0; i < 32; i++) {
        r->token_hash[i] = (uint8_t)(seed + i);
        r->reporter_hash[i] = (uint8_t)(255 - seed - i);
    }
}

/* Runs SQL on the database file directly, beside the store. */
static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static int raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static int index_exists(const char *path, const char *name)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name = '%s'", name);
    return raw_int(path, sql);
}

/* ---- migrations -------------------------------------------------------------------------- */

static void migrations_reach_version_and_reopen_is_idempotent(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(tz_store_schema_version(f->store), tz_store_migration_count);
    reopen(f);
    assert_int_equal(tz_store_schema_version(f->store), tz_store_migration_count);
    reopen(f);
    assert_int_equal(tz_store_schema_version(f->store), tz_store_migration_count);
    assert_int_equal(raw_int(f->path, "SELECT COUNT(*) FROM schema_migrations"),
                     tz_store_migration_count);
    assert_int_equal(raw_int(f->path, "SELECT COUNT(*) FROM categories"), 27);
    assert_int_equal(raw_int(f->path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
    struct tz_district_rec *d;
    size_t n;
    assert_int_equal(tz_store_districts(f->store, &d, &n), TZ_OK);
    assert_int_equal(n, 2);
    tz_district_recs_free(d, n);

    /* A database left at version 1 gets migrations 2 (the catalogue), 3 and the later ones on open.
     */
    tz_store_close(f->store);
    f->store = NULL;
    raw_exec(f->path, "DELETE FROM categories; DELETE FROM category_groups;"
                      " DELETE FROM schema_migrations WHERE version >= 2;"
                      " DROP INDEX reports_cell; DROP TABLE report_me_too;"
                      " DROP TABLE report_sources; DROP TABLE api_keys;"
                      " DROP TABLE report_links;"
                      /* migration 14's (the exchange's attachments and deviations) */
                      " DROP TABLE x_attachments; DROP TABLE x_deviations;"
                      /* migration 22's (entities added to cases from the assistant) */
                      " DROP TABLE assist_case_entities;"
                      /* migration 16's (the exchange's events and retention) */
                      " DROP TABLE x_nfip; DROP TABLE x_events; DROP TABLE x_retention;"
                      /* migration 9's (the exchange) */
                      " DROP TABLE x_notices; DROP TABLE x_permissions; DROP TABLE x_links; DROP TABLE x_entity_keys;"
                      " DROP TABLE x_entity_fields; DROP TABLE x_entities; DROP TABLE x_addressees;"
                      " DROP TABLE x_messages; DROP TABLE x_cases;"
                      /* migration 5's tables, so that it can run again */
                      " DROP TABLE audit_log; DROP TABLE institutions; DROP TABLE report_assignments;"
                      " DROP TABLE api_tokens; DROP TABLE sessions; DROP TABLE account_districts;"
                      " DROP TABLE accounts;"
                      /* migration 10's (screening's watch-lists) */
                      " DROP TABLE watchlist_persons; DROP TABLE watchlist_documents;"
                      " DROP TABLE watchlist_vehicles; DROP TABLE watchlist_sources;"
                      /* migration 12's column and index, so that it can run again */
                      " DROP INDEX report_transitions_at;"
                      " ALTER TABLE report_transitions DROP COLUMN public_note;"
                      /* migration 20's column, so that it can run again */
                      " ALTER TABLE alert_deliveries DROP COLUMN change_seq;"
                      " CREATE INDEX reports_lat_lon ON reports (lat, lon)");
    assert_int_equal(raw_int(f->path, "SELECT COUNT(*) FROM categories"), 0);
    assert_int_equal(tz_store_open_sqlite(f->path, &f->store), TZ_OK);
    assert_int_equal(tz_store_schema_version(f->store), tz_store_migration_count);
    assert_int_equal(raw_int(f->path, "SELECT COUNT(*) FROM categories"), 27);
    assert_int_equal(raw_int(f->path, "SELECT COUNT(*) FROM category_groups"), 7);
    assert_int_equal(index_exists(f->path, "reports_cell"), 1);
    assert_int_equal(index_exists(f->path, "reports_lat_lon"), 0);
}

static void newer_database_is_refused(void **state)
{
    struct fixture *f = *state;
    tz_store_close(f->store);
    f->store = NULL;
    raw_exec(f->path, "INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)");
    struct tz_store *s = (struct tz_store *)1;
    assert_int_equal(tz_store_open_sqlite(f->path, &s), TZ_ECONFLICT);
    assert_null(s);
    raw_exec(f->path, "DELETE FROM schema_migrations WHERE version = 99");
    assert_int_equal(tz_store_open_sqlite(f->path, &f->store), TZ_OK);
}

static void open_fails_cleanly_on_a_bad_path(void **state)
{
    struct tz_store *s = NULL;
    assert_int_not_equal(tz_store_open_sqlite("/nonexistent-dir/x/y.db", &s), TZ_OK);
    assert_null(s);
    assert_int_equal(tz_store_open_sqlite(NULL, &s), TZ_EINVAL);
    tz_store_close(NULL);
}

/* ---- catalogue --------------------------------------------------------------------------- */

static const struct tz_category_rec *find_category(const struct tz_category_rec *c, size_t n,
                                                   const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].code, code) == 0)
            return &c[i];
    fail_msg("no category %s", code);
    return NULL;
}

static void catalogue_is_seeded(void **state)
{
    struct fixture *f = *state;
    struct tz_category_rec *c;
    size_t n;
    assert_int_equal(tz_store_categories(f->store, &c, &n), TZ_OK);
    assert_int_equal(n, 27);
    assert_string_equal(c[0].code, "illegal_parking");
    assert_string_equal(c[0].group, "road");
    assert_string_equal(c[0].name_pl, "nieprawidłowe parkowanie");
    assert_string_equal(c[0].name_en, "Illegal parking");
    assert_string_equal(c[26].code, "drownings");
    assert_string_equal(c[26].name_pl, "utonięcia");
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c[i].sort_order, (int)i + 1);
        assert_false(c[i].retired);
    }
    const struct tz_category_rec *drug = find_category(c, n, "drug_use");
    assert_string_equal(drug->visibility, "never");
    assert_false(drug->description_required);
    assert_string_equal(drug->group, "public_order");
    const struct tz_category_rec *ent = find_category(c, n, "dangerous_entertainment");
    assert_string_equal(ent->visibility, "once_confirmed");
    assert_true(ent->description_required);
    assert_string_equal(ent->group, "public_order");
    assert_string_equal(ent->name_pl, "miejsce niebezpiecznej działalności rozrywkowej");
    const struct tz_category_rec *cruel = find_category(c, n, "animal_cruelty");
    assert_string_equal(cruel->visibility, "never");
    assert_string_equal(cruel->group, "animals");
    size_t always = 0, required = 0;
    for (size_t i = 0; i < n; i++) {
        always += strcmp(c[i].visibility, "always") == 0;
        required += c[i].description_required;
    }
    assert_int_equal(always, 24);
    assert_int_equal(required, 1);
    tz_category_recs_free(c, n);

    struct tz_group_rec *g;
    assert_int_equal(tz_store_groups(f->store, &g, &n), TZ_OK);
    assert_int_equal(n, 7);
    const char *codes[] = {"road",    "railway",     "public_order", "social",
                           "animals", "environment", "water"};
    for (size_t i = 0; i < n; i++)
        assert_string_equal(g[i].code, codes[i]);
    assert_string_equal(g[0].name_pl, "Bezpieczeństwo w ruchu drogowym");
    assert_string_equal(g[5].name_pl, "Środowisko");
    assert_string_equal(g[6].name_en, "Water safety");
    tz_group_recs_free(g, n);
}

/* ---- districts --------------------------------------------------------------------------- */

static void districts_put_replace_and_list(void **state)
{
    struct fixture *f = *state;
    struct tz_district_rec *d;
    size_t n;
    assert_int_equal(tz_store_districts(f->store, &d, &n), TZ_OK);
    assert_int_equal(n, 2);
    assert_string_equal(d[0].id, "krk-01");
    assert_string_equal(d[0].officer, "asp. Łukasz Żółć");
    assert_string_equal(d[0].name, "Rejon 1 — Stare Miasto");
    assert_string_equal(d[1].id, "krk-02");
    assert_null(d[1].officer);
    assert_string_equal(d[1].geometry, test_districts[1].geometry);
    tz_district_recs_free(d, n);

    /* A report refers to krk-01: replacing the district must keep it valid. */
    struct tz_report_rec r;
    make_report(&r, "vandalism", 1);
    assert_int_equal(tz_store_insert_reports(f->store, &r, 1), TZ_OK);

    struct tz_district_rec more[] = {
        {.id = "krk-01",
         .name = "Rejon 1 (nowy)",
         .unit = "KP I",
         .officer = "st. sierż. Nowak",
         .geometry = "{}"},
        {.id = "a-00", .name = "Pierwszy", .unit = "KP 0", .geometry = "{}"},
    };
    assert_int_equal(tz_store_put_districts(f->store, more, 2), TZ_OK);
    assert_int_equal(tz_store_districts(f->store, &d, &n), TZ_OK);
    assert_int_equal(n, 3);
    assert_string_equal(d[0].id, "a-00");
    assert_string_equal(d[1].id, "krk-01");
    assert_string_equal(d[1].name, "Rejon 1 (nowy)");
    assert_string_equal(d[1].officer, "st. sierż. Nowak");
    assert_string_equal(d[2].id, "krk-02");
    tz_district_recs_free(d, n);

    /* A bad district in the list (no geometry) stores none of the list. */
    struct tz_district_rec bad[] = {
        {.id = "z-1", .name = "ok", .unit = "u", .geometry = "{}"},
        {.id = "z-2", .name = "no geometry", .unit = "u"},
    };
    assert_int_equal(tz_store_put_districts(f->store, bad, 2), TZ_EINVAL);
    assert_int_equal(tz_store_districts(f->store, &d, &n), TZ_OK);
    assert_int_equal(n, 3);
    tz_district_recs_free(d, n);
}

/* ---- reports ----------------------------------------------------------------------------- */

static void assert_report_equal(const struct tz_report_rec *a, const struct tz_report_rec *b)
{
    assert_int_equal(a->id, b->id);
    assert_string_equal(a->category, b->category);
    assert_true(a->lat == b->lat);
    assert_true(a->lon == b->lon);
    assert_string_equal(a->district_id, b->district_id);
    assert_string_equal(a->status, b->status);
    if (a->description)
        assert_string_equal(a->description, b->description);
    else
        assert_null(b->description);
    if (a->public_description)
        assert_string_equal(a->public_description, b->public_description);
    else
        assert_null(b->public_description);
    assert_int_equal(a->received_at, b->received_at);
    assert_int_equal(a->status_changed_at, b->status_changed_at);
    assert_int_equal(a->takeup_due, b->takeup_due);
    assert_int_equal(a->taken_up_at, b->taken_up_at);
    assert_int_equal(a->verify_due, b->verify_due);
    assert_int_equal(a->verified_at, b->verified_at);
    assert_int_equal(a->when_date, b->when_date);
    assert_int_equal(a->when_times, b->when_times);
    assert_int_equal(a->when_weekdays, b->when_weekdays);
    assert_int_equal(a->me_too, b->me_too);
    assert_memory_equal(a->token_hash, b->token_hash, TZ_HASH_LEN);
    assert_memory_equal(a->reporter_hash, b->reporter_hash, TZ_HASH_LEN);
}

static void insert_batch_round_trips_every_field(void **state)
{
    struct fixture *f = *state;
    struct tz_report_rec recs[3];
    make_report(&recs[0], "illegal_parking", 1);
    recs[0].description = "Samochód na chodniku przy ul. Łąkowej — źle zaparkowany, "
                          "zasłania przejście.\r\nCodziennie rano.";
    recs[0].when_date = T0 - 3600;
    recs[0].when_times = 1 | 8;
    recs[0].when_weekdays = 0x1f;
    make_report(&recs[1], "speeding", 2);
    recs[1].description = NULL;
    recs[1].lat = -33.8688;
    recs[1].lon = -151.2093;
    snprintf(recs[1].district_id, sizeof recs[1].district_id, "krk-02");
    make_report(&recs[2], "dangerous_entertainment", 3);
    recs[2].description = "Ognisko nad Wisłą, głośna muzyka";
    recs[2].public_description = "Ognisko nad Wisłą";
    snprintf(recs[2].status, sizeof recs[2].status, "verifying");
    recs[2].taken_up_at = T0 + 100;
    recs[2].verify_due = T0 + 5 * 86400;
    recs[2].me_too = 7;

    assert_int_equal(tz_store_insert_reports(f->store, recs, 3), TZ_OK);
    assert_true(recs[0].id > 0);
    assert_true(recs[1].id > recs[0].id);
    assert_true(recs[2].id > recs[1].id);

    for (int i = 0; i < 3; i++) {
        struct tz_report_rec got;
        assert_int_equal(tz_store_get_report(f->store, recs[i].id, &got), TZ_OK);
        assert_report_equal(&recs[i], &got);
        tz_report_rec_clear(&got);
    }
    int64_t count;
    assert_int_equal(tz_store_count_reports(f->store, &count), TZ_OK);
    assert_int_equal(count, 3);

    struct tz_report_rec none;
    assert_int_equal(tz_store_get_report(f->store, recs[2].id + 1, &none), TZ_ENOTFOUND);
    assert_int_equal(tz_store_get_report(f->store, 0, &none), TZ_ENOTFOUND);
    assert_int_equal(tz_store_insert_reports(f->store, recs, 0), TZ_OK);
}

static void batch_with_one_bad_report_stores_nothing(void **state)
{
    struct fixture *f = *state;
    struct tz_report_rec recs[4];
    for (int i = 0; i < 4; i++)
        make_report(&recs[i], "vandalism", i);
    snprintf(recs[2].category, sizeof recs[2].category, "no_such_category");
    assert_int_equal(tz_store_insert_reports(f->store, recs, 4), TZ_EINVAL);
    for (int i = 0; i < 4; i++)
        assert_int_equal(recs[i].id, 0);
    int64_t count;
    assert_int_equal(tz_store_count_reports(f->store, &count), TZ_OK);
    assert_int_equal(count, 0);

    /* Unknown district, bad status, coordinates off the globe: each refused the same way. */
    make_report(&recs[2], "vandalism", 2);
    snprintf(recs[2].district_id, sizeof recs[2].district_id, "nowhere");
    assert_int_equal(tz_store_insert_reports(f->store, recs, 4), TZ_EINVAL);
    make_report(&recs[2], "vandalism", 2);
    snprintf(recs[2].status, sizeof recs[2].status, "lost");
    assert_int_equal(tz_store_insert_reports(f->store, recs, 4), TZ_EINVAL);
    make_report(&recs[2], "vandalism", 2);
    recs[2].lat = 91;
    assert_int_equal(tz_store_insert_reports(f->store, recs, 4), TZ_EINVAL);
    /* A code that does not fit its array is refused before it reaches the database. */
    make_report(&recs[2], "vandalism", 2);
    memset(recs[2].category, 'x', sizeof recs[2].category);
    assert_int_equal(tz_store_insert_reports(f->store, recs, 4), TZ_EINVAL);
    assert_int_equal(tz_store_count_reports(f->store, &count), TZ_OK);
    assert_int_equal(count, 0);

    /* The store is still usable after the failures. */
    make_report(&recs[2], "vandalism", 2);
    assert_int_equal(tz_store_insert_reports(f->store, recs, 4), TZ_OK);
    assert_int_equal(tz_store_count_reports(f->store, &count), TZ_OK);
    assert_int_equal(count, 4);
}

/*
 * A batch goes in as statements of 32, 8 and 1 reports: every id must still
 * name its own report, and a bad report anywhere must leave nothing stored.
 */
static void insert_batch_ids_name_their_reports(void **state)
{
    struct fixture *f = *state;
    enum { N = 32 + 8 + 5 }; /* one statement of each size, and then some */
    struct tz_report_rec recs[N];
    for (int bad = 0; bad < N; bad += 11) {
        for (int i = 0; i < N; i++)
            make_report(&recs[i], "vandalism", i);
        snprintf(recs[bad].district_id, sizeof recs[bad].district_id, "nowhere");
        assert_int_equal(tz_store_insert_reports(f->store, recs, N), TZ_EINVAL);
        for (int i = 0; i < N; i++)
            assert_int_equal(recs[i].id, 0);
    }
    int64_t count;
    assert_int_equal(tz_store_count_reports(f->store, &count), TZ_OK);
    assert_int_equal(count, 0);

    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N; i++) {
            make_report(&recs[i], i % 2 ? "speeding" : "illegal_parking", round * N + i);
            recs[i].me_too = round * N + i;
        }
        assert_int_equal(tz_store_insert_reports(f->store, recs, N), TZ_OK);
        for (int i = 0; i < N; i++) {
            if (i > 0)
                assert_int_equal(recs[i].id, recs[i - 1].id + 1);
            struct tz_report_rec got;
            assert_int_equal(tz_store_get_report(f->store, recs[i].id, &got), TZ_OK);
            assert_report_equal(&recs[i], &got);
            tz_report_rec_clear(&got);
        }
    }
    assert_int_equal(tz_store_count_reports(f->store, &count), TZ_OK);
    assert_int_equal(count, 2 * N);
}

/* ---- lists ------------------------------------------------------------------------------- */

#define LIST_N 60

/*
 * LIST_N reports on a line of points: report i lies at lat 50 + i/100,
 * lon 19 + i/100, is received at T0 + i hours, has category by i % 3 and
 * status by i % 4.
 */
static const char *const list_categories[] = {"illegal_parking", "speeding", "public_drinking"};
static const char *const list_statuses[] = {"new", "verifying", "confirmed", "rejected"};

static void insert_list_reports(struct fixture *f, int64_t ids[LIST_N])
{
    struct tz_report_rec recs[LIST_N];
    for (int i = 0; i < LIST_N; i++) {
        make_report(&recs[i], list_categories[i % 3], i);
        recs[i].lat = 50 + i / 100.0;
        recs[i].lon = 19 + i / 100.0;
        recs[i].received_at = T0 + i * 3600;
        snprintf(recs[i].status, sizeof recs[i].status, "%s", list_statuses[i % 4]);
    }
    assert_int_equal(tz_store_insert_reports(f->store, recs, LIST_N), TZ_OK);
    for (int i = 0; i < LIST_N; i++)
        ids[i] = recs[i].id;
}

/* Lists with filter and checks that exactly the reports i with want(i) come back, newest first. */
static void expect_list(struct fixture *f, const struct tz_report_filter *filter,
                        const int64_t ids[LIST_N], bool (*want)(int i, const void *arg),
                        const void *arg)
{
    struct tz_report_rec *recs;
    size_t n;
    assert_int_equal(tz_store_list_reports(f->store, filter, &recs, &n), TZ_OK);
    size_t k = 0;
    for (int i = LIST_N - 1; i >= 0; i--) {
        if (!want(i, arg))
            continue;
        assert_true(k < n);
        assert_int_equal(recs[k].id, ids[i]);
        k++;
    }
    assert_int_equal(k, n);
    tz_report_recs_free(recs, n);
}

static bool want_all(int i, const void *arg)
{
    (void)i;
    (void)arg;
    return true;
}

static bool want_range(int i, const void *arg)
{
    const int *r = arg; /* [r[0], r[1]) */
    return i >= r[0] && i < r[1];
}

static bool want_category_0_or_2(int i, const void *arg)
{
    (void)arg;
    return i % 3 == 0 || i % 3 == 2;
}

static bool want_status_1(int i, const void *arg)
{
    (void)arg;
    return i % 4 == 1;
}

static bool want_combined(int i, const void *arg)
{
    (void)arg;
    return i >= 10 && i < 40 && i % 3 == 1 && (i % 4 == 0 || i % 4 == 3);
}

static void list_filters(void **state)
{
    struct fixture *f = *state;
    int64_t ids[LIST_N];
    insert_list_reports(f, ids);

    struct tz_report_filter all = {0};
    expect_list(f, &all, ids, want_all, NULL);

    /* bbox: points 10..19 inclusive (edges inside the box count). */
    struct tz_report_filter box = {
        .has_bbox = true, .west = 19.095, .south = 50.095, .east = 19.195, .north = 50.195};
    int r1[] = {10, 20};
    expect_list(f, &box, ids, want_range, r1);
    box.west = 0; /* the lat range alone decides */
    expect_list(f, &box, ids, want_range, r1);
    box.west = 19.145; /* now lon cuts at 15 */
    int r2[] = {15, 20};
    expect_list(f, &box, ids, want_range, r2);

    struct tz_report_filter cat = {.category_count = 2};
    snprintf(cat.categories[0], TZ_CODE_MAX, "illegal_parking");
    snprintf(cat.categories[1], TZ_CODE_MAX, "public_drinking");
    expect_list(f, &cat, ids, want_category_0_or_2, NULL);

    struct tz_report_filter st = {.status_count = 1};
    snprintf(st.statuses[0], TZ_STATUS_MAX, "verifying");
    expect_list(f, &st, ids, want_status_1, NULL);

    /* from/to is [from, to). */
    struct tz_report_filter time = {.from = T0 + 5 * 3600, .to = T0 + 25 * 3600};
    int r3[] = {5, 25};
    expect_list(f, &time, ids, want_range, r3);
    time.from = 0;
    int r4[] = {0, 25};
    expect_list(f, &time, ids, want_range, r4);

    struct tz_report_filter comb = {
        .from = T0 + 10 * 3600, .to = T0 + 40 * 3600, .category_count = 1, .status_count = 2};
    snprintf(comb.categories[0], TZ_CODE_MAX, "speeding");
    snprintf(comb.statuses[0], TZ_STATUS_MAX, "new");
    snprintf(comb.statuses[1], TZ_STATUS_MAX, "rejected");
    expect_list(f, &comb, ids, want_combined, NULL);

    /* Values are bound, never spliced into the SQL. */
    struct tz_report_filter evil = {.category_count = 1};
    snprintf(evil.categories[0], TZ_CODE_MAX, "x') OR 1=1 --");
    struct tz_report_rec *recs;
    size_t n;
    assert_int_equal(tz_store_list_reports(f->store, &evil, &recs, &n), TZ_OK);
    assert_int_equal(n, 0);
    tz_report_recs_free(recs, n);

    /* Bad filters. */
    struct tz_report_filter bad = {.category_count = TZ_FILTER_MAX_CATEGORIES + 1};
    assert_int_equal(tz_store_list_reports(f->store, &bad, &recs, &n), TZ_EINVAL);
    struct tz_report_filter badbox = {.has_bbox = true, .south = 51, .north = 50};
    assert_int_equal(tz_store_list_reports(f->store, &badbox, &recs, &n), TZ_EINVAL);
}

static void list_paging_visits_every_report_once(void **state)
{
    struct fixture *f = *state;
    int64_t ids[LIST_N];
    insert_list_reports(f, ids);

    bool seen[LIST_N] = {false};
    struct tz_report_filter page = {.limit = 7};
    size_t total = 0, pages = 0;
    for (;;) {
        struct tz_report_rec *recs;
        size_t n;
        assert_int_equal(tz_store_list_reports(f->store, &page, &recs, &n), TZ_OK);
        if (n == 0) {
            tz_report_recs_free(recs, n);
            break;
        }
        assert_true(n <= 7);
        for (size_t k = 0; k < n; k++) {
            int64_t idx = recs[k].id - ids[0];
            assert_true(idx >= 0 && idx < LIST_N);
            assert_false(seen[idx]);
            seen[idx] = true;
            if (k > 0)
                assert_true(recs[k].id < recs[k - 1].id);
        }
        page.before_id = recs[n - 1].id;
        total += n;
        pages++;
        tz_report_recs_free(recs, n);
        assert_true(pages <= LIST_N);
    }
    assert_int_equal(total, LIST_N);
    assert_int_equal(pages, (LIST_N + 6) / 7);
}

/*
 * The list runs in steps (a window of recent ids, a wider window, then the
 * planner's indexes) that must together give exactly what a plain scan would.
 * SPREAD_N reports, some filters dense, some sparse, some matching only old
 * reports, are listed page by page and compared with a brute-force scan.
 */
#define SPREAD_N 3000

static bool spread_match(const struct tz_report_rec *r, const struct tz_report_filter *f)
{
    if (f->has_bbox) {
        if (r->lat < f->south || r->lat > f->north)
            return false;
        bool in_lon = f->west <= f->east ? r->lon >= f->west && r->lon <= f->east
                                         : r->lon >= f->west || r->lon <= f->east;
        if (!in_lon)
            return false;
    }
    bool ok = f->category_count == 0;
    for (size_t i = 0; i < f->category_count; i++)
        ok = ok || strcmp(r->category, f->categories[i]) == 0;
    if (!ok)
        return false;
    ok = f->status_count == 0;
    for (size_t i = 0; i < f->status_count; i++)
        ok = ok || strcmp(r->status, f->statuses[i]) == 0;
    if (!ok)
        return false;
    if (f->from && r->received_at < f->from)
        return false;
    if (f->to && r->received_at >= f->to)
        return false;
    return true;
}

static void check_paging(struct fixture *f, const struct tz_report_rec *all, size_t n_all,
                         struct tz_report_filter filter, size_t *matched)
{
    /* all[] is in id order; expected pages walk it backwards. */
    size_t next = n_all, pages = 0;
    *matched = 0;
    filter.before_id = 0;
    for (;;) {
        struct tz_report_rec *recs;
        size_t n;
        assert_int_equal(tz_store_list_reports(f->store, &filter, &recs, &n), TZ_OK);
        for (size_t k = 0; k < n; k++) {
            while (next > 0 && !spread_match(&all[next - 1], &filter))
                next--;
            assert_true(next > 0);
            assert_int_equal(recs[k].id, all[next - 1].id);
            next--;
        }
        *matched += n;
        if (n < filter.limit) {
            /* A short page is the last one: nothing older may match. */
            while (next > 0)
                assert_false(spread_match(&all[--next], &filter));
            tz_report_recs_free(recs, n);
            break;
        }
        filter.before_id = recs[n - 1].id;
        tz_report_recs_free(recs, n);
        assert_true(++pages <= n_all);
    }
}

static void list_steps_agree_with_a_plain_scan(void **state)
{
    struct fixture *f = *state;
    struct tz_report_rec *all = calloc(SPREAD_N, sizeof *all);
    assert_non_null(all);
    for (int i = 0; i < SPREAD_N; i++) {
        const char *cat = list_categories[i % 3];
        if (i < 1000 && i % 50 == 0)
            cat = "poaching"; /* only among the oldest */
        else if (i % 20 == 0)
            cat = "drownings"; /* 5 % */
        make_report(&all[i], cat, i);
        snprintf(all[i].status, sizeof all[i].status, "%s", list_statuses[(i * 7) % 4]);
        all[i].lat = 50 + ((i * 37) % 1000) / 2000.0;
        all[i].lon = 19.5 + ((i * 91) % 1000) / 1000.0;
        all[i].received_at = T0 + i * 60 + ((i * 13) % 5) * 45; /* not quite in id order */
    }
    assert_int_equal(tz_store_insert_reports(f->store, all, SPREAD_N), TZ_OK);

    struct tz_report_filter filters[10];
    memset(filters, 0, sizeof filters);
    filters[0].limit = 100; /* everything: the first window */
    filters[1].limit = 100; /* 5 %: a second window */
    filters[1].category_count = 1;
    snprintf(filters[1].categories[0], TZ_CODE_MAX, "drownings");
    filters[2].limit = 7; /* only old reports: the planner's index */
    filters[2].category_count = 1;
    snprintf(filters[2].categories[0], TZ_CODE_MAX, "poaching");
    filters[3] = (struct tz_report_filter){
        .limit = 9, .has_bbox = true, .west = 19.6, .east = 19.65, .south = 50.1, .north = 50.2};
    filters[4] = (struct tz_report_filter){
        .limit = 30, .from = T0 + 300 * 60, .to = T0 + 600 * 60}; /* old, by time */
    filters[5] = (struct tz_report_filter){
        .limit = 50, .has_bbox = true, .west = 20.3, .east = 19.7, .south = 50, .north = 50.3};
    filters[6] = (struct tz_report_filter){
        .limit = 40, .from = T0 + 500 * 60, .category_count = 2, .status_count = 2};
    snprintf(filters[6].categories[0], TZ_CODE_MAX, "drownings");
    snprintf(filters[6].categories[1], TZ_CODE_MAX, "speeding");
    snprintf(filters[6].statuses[0], TZ_STATUS_MAX, "new");
    snprintf(filters[6].statuses[1], TZ_STATUS_MAX, "confirmed");
    filters[7] = (struct tz_report_filter){.limit = 25, .category_count = 1};
    snprintf(filters[7].categories[0], TZ_CODE_MAX, "animal_cruelty"); /* none at all */

    /* One status among few categories in a strip: the status index leads. */
    filters[8] = (struct tz_report_filter){.limit = 11,
                                           .status_count = 1,
                                           .category_count = 4,
                                           .has_bbox = true,
                                           .west = 19.5,
                                           .east = 19.6,
                                           .south = 50,
                                           .north = 50.1};
    snprintf(filters[8].statuses[0], TZ_STATUS_MAX, "confirmed");
    for (int k = 0; k < 3; k++)
        snprintf(filters[8].categories[k], TZ_CODE_MAX, "%s", list_categories[k]);
    snprintf(filters[8].categories[3], TZ_CODE_MAX, "drownings");

    /* Nothing looks selective (a tall strip, four statuses): the rowid leads. */
    filters[9] = (struct tz_report_filter){.limit = 13,
                                           .status_count = 4,
                                           .has_bbox = true,
                                           .west = 19.5,
                                           .east = 19.52,
                                           .south = 50,
                                           .north = 50.4};
    for (int k = 0; k < 4; k++)
        snprintf(filters[9].statuses[k], TZ_STATUS_MAX, "%s", list_statuses[k]);

    size_t expected_min[10] = {SPREAD_N, 100, 10, 1, 300, 1, 10, 0, 1, 20};
    for (size_t i = 0; i < 10; i++) {
        size_t matched;
        check_paging(f, all, SPREAD_N, filters[i], &matched);
        size_t brute = 0;
        for (size_t k = 0; k < SPREAD_N; k++)
            brute += spread_match(&all[k], &filters[i]);
        assert_int_equal(matched, brute);
        assert_true(matched >= expected_min[i]);
    }
    free(all);
}

/*
 * A bbox that the window steps cannot fill is read through the grid-cell
 * index (migration 3): one cell (by id, no sort), ranges of cells row by row,
 * two ranges a row across 180°, one long range for a box of many rows. Each
 * must give what a plain scan gives, points on the box's very edges and on
 * cell boundaries included. CELL_N reports over 20° of latitude and every
 * longitude, a quarter of them on cell boundaries, a few by the antimeridian.
 */
#define CELL_N 4000
#define CELL_FILTERS 60

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

/* A number in [lo, hi). */
static double rand_in(uint64_t *s, double lo, double hi)
{
    return lo + (double)(next_rand(s) >> 11) / 9007199254740992.0 * (hi - lo);
}

static void list_by_cells_agrees_with_a_plain_scan(void **state)
{
    struct fixture *f = *state;
    struct tz_report_rec *all = calloc(CELL_N, sizeof *all);
    assert_non_null(all);
    uint64_t rng = 0x2545f4914f6cdd1dULL;
    for (int i = 0; i < CELL_N; i++) {
        make_report(&all[i], list_categories[i % 3], i);
        if (i % 4 == 0) { /* on a cell boundary of the 1/50° grid, as near as doubles get */
            all[i].lat = (double)(2000 + (int)(next_rand(&rng) % 1000)) / 50 - 90;
            all[i].lon = (double)(int)(next_rand(&rng) % 18000) / 50 - 180;
        } else if (i % 50 == 1) { /* by the antimeridian */
            all[i].lat = rand_in(&rng, 40, 60);
            all[i].lon = i % 100 == 1 ? rand_in(&rng, 179.9, 180) : rand_in(&rng, -180, -179.9);
        } else {
            all[i].lat = rand_in(&rng, 40, 60);
            all[i].lon = rand_in(&rng, -180, 180);
        }
    }
    all[2].lat = 90; /* the globe's corners */
    all[2].lon = 180;
    all[6].lat = -90;
    all[6].lon = -180;
    assert_int_equal(tz_store_insert_reports(f->store, all, CELL_N), TZ_OK);

    struct tz_report_filter filters[CELL_FILTERS];
    memset(filters, 0, sizeof filters);
    size_t n = 0;
    /* A box that is one point: exactly the reports there (one cell, its edges on the point). */
    for (int k = 0; k < 16; k++) {
        const struct tz_report_rec *p = &all[(k * 997) % CELL_N];
        filters[n++] = (struct tz_report_filter){.limit = 5,
                                                 .has_bbox = true,
                                                 .south = p->lat,
                                                 .north = p->lat,
                                                 .west = p->lon,
                                                 .east = p->lon};
    }
    /* Boxes whose edges are other reports' coordinates: the edge points are inside. */
    for (int k = 0; k < 16; k++) {
        const struct tz_report_rec *a = &all[(k * 131 + 8) % CELL_N],
                                   *b = &all[(k * 131 + 12) % CELL_N];
        double s = a->lat < b->lat ? a->lat : b->lat, nn = a->lat < b->lat ? b->lat : a->lat;
        double w = a->lon < b->lon ? a->lon : b->lon, e = a->lon < b->lon ? b->lon : a->lon;
        /* Keep them small enough to be read through the cells. */
        if (nn - s > 0.3)
            nn = s + 0.3;
        if (e - w > 3)
            e = w + 3;
        filters[n++] = (struct tz_report_filter){
            .limit = 7, .has_bbox = true, .south = s, .north = nn, .west = w, .east = e};
    }
    /* Random small boxes, some of several rows and columns. */
    for (int k = 0; k < 12; k++) {
        double s = rand_in(&rng, 40, 59.5), w = rand_in(&rng, -180, 170);
        filters[n++] = (struct tz_report_filter){.limit = 11,
                                                 .has_bbox = true,
                                                 .south = s,
                                                 .north = s + rand_in(&rng, 0, 0.5),
                                                 .west = w,
                                                 .east = w + rand_in(&rng, 0, 10)};
    }
    /* Across 180°: two ranges a row; then more rows than ranges allowed, one range. */
    filters[n++] = (struct tz_report_filter){
        .limit = 13, .has_bbox = true, .south = 45, .north = 45.2, .west = 179.95, .east = -179.95};
    filters[n++] = (struct tz_report_filter){
        .limit = 13, .has_bbox = true, .south = 41, .north = 49, .west = 179.9, .east = -179.9};
    /* Tall and narrow: more rows than ranges allowed. */
    filters[n++] = (struct tz_report_filter){
        .limit = 17, .has_bbox = true, .south = 41, .north = 49, .west = 10, .east = 12};
    /* West a hair east of east: all but a sliver of every row. */
    filters[n++] = (struct tz_report_filter){
        .limit = 19, .has_bbox = true, .south = 50, .north = 50.2, .west = 10, .east = 9.999};
    /* The corners of the globe. */
    filters[n++] = (struct tz_report_filter){
        .limit = 3, .has_bbox = true, .south = 89.99, .north = 90, .west = 179.99, .east = 180};
    filters[n++] = (struct tz_report_filter){
        .limit = 3, .has_bbox = true, .south = -90, .north = -90, .west = -180, .east = -180};
    /* A cell boundary as the edge, with a category that the window rarely fills. */
    filters[n] = (struct tz_report_filter){
        .limit = 9, .has_bbox = true, .south = 50, .north = 52, .west = 20, .east = 24};
    filters[n].category_count = 1;
    snprintf(filters[n++].categories[0], TZ_CODE_MAX, "%s", list_categories[1]);
    assert_true(n <= CELL_FILTERS);

    size_t matched_total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t matched;
        check_paging(f, all, CELL_N, filters[i], &matched);
        size_t brute = 0;
        for (size_t k = 0; k < CELL_N; k++)
            brute += spread_match(&all[k], &filters[i]);
        assert_int_equal(matched, brute);
        matched_total += matched;
    }
    /* The point boxes match at least their own report, the corners theirs. */
    for (size_t i = 0; i < 16; i++)
        assert_true(filters[i].south == filters[i].north);
    assert_true(matched_total >= 16 + 2);
    free(all);
}

static void list_limit_defaults_and_caps(void **state)
{
    struct fixture *f = *state;
    enum { N = 1100 };
    struct tz_report_rec *recs = calloc(N, sizeof *recs);
    assert_non_null(recs);
    for (int i = 0; i < N; i++)
        make_report(&recs[i], "begging", i);
    assert_int_equal(tz_store_insert_reports(f->store, recs, N), TZ_OK);
    free(recs);

    size_t n;
    struct tz_report_filter filter = {0};
    assert_int_equal(tz_store_list_reports(f->store, &filter, &recs, &n), TZ_OK);
    assert_int_equal(n, 100);
    tz_report_recs_free(recs, n);
    filter.limit = 5000;
    assert_int_equal(tz_store_list_reports(f->store, &filter, &recs, &n), TZ_OK);
    assert_int_equal(n, 1000);
    tz_report_recs_free(recs, n);
}

/* ---- status changes ---------------------------------------------------------------------- */

static void change_status_and_history(void **state)
{
    struct fixture *f = *state;
    struct tz_report_rec r;
    make_report(&r, "illegal_dumping", 1);
    assert_int_equal(tz_store_insert_reports(f->store, &r, 1), TZ_OK);

    struct tz_status_change ch = {.report_id = r.id,
                                  .expected_status = "new",
                                  .new_status = "verifying",
                                  .at = T0 + 1000,
                                  .taken_up_at = T0 + 1000,
                                  .verify_due = T0 + 1000 + 5 * 86400,
                                  .actor = "asp. Żółć",
                                  .note = "przyjęte"};
    assert_int_equal(tz_store_change_status(f->store, &ch), TZ_OK);

    struct tz_report_rec got;
    assert_int_equal(tz_store_get_report(f->store, r.id, &got), TZ_OK);
    assert_string_equal(got.status, "verifying");
    assert_int_equal(got.status_changed_at, T0 + 1000);
    assert_int_equal(got.taken_up_at, T0 + 1000);
    assert_int_equal(got.verify_due, T0 + 1000 + 5 * 86400);
    assert_int_equal(got.verified_at, 0);
    assert_int_equal(got.takeup_due, r.takeup_due);
    tz_report_rec_clear(&got);

    /* The same change again: the report is no longer "new". */
    assert_int_equal(tz_store_change_status(f->store, &ch), TZ_ECONFLICT);
    ch.report_id = r.id + 1000;
    assert_int_equal(tz_store_change_status(f->store, &ch), TZ_ENOTFOUND);
    /* An unknown status is refused by the schema, and nothing changes. */
    struct tz_status_change bad = {.report_id = r.id,
                                   .expected_status = "verifying",
                                   .new_status = "lost",
                                   .at = T0 + 1500,
                                   .actor = "x"};
    assert_int_equal(tz_store_change_status(f->store, &bad), TZ_EINVAL);
    bad.new_status = NULL;
    assert_int_equal(tz_store_change_status(f->store, &bad), TZ_EINVAL);

    struct tz_status_change ch2 = {.report_id = r.id,
                                   .expected_status = "verifying",
                                   .new_status = "confirmed",
                                   .at = T0 + 2000,
                                   .verified_at = T0 + 2000,
                                   .actor = "asp. Żółć"};
    assert_int_equal(tz_store_change_status(f->store, &ch2), TZ_OK);
    struct tz_status_change ch3 = {.report_id = r.id,
                                   .expected_status = "confirmed",
                                   .new_status = "referred",
                                   .at = T0 + 3000,
                                   .actor = "kom. Nowak",
                                   .note = "do straży miejskiej",
                                   .referred_to = "Straż Miejska Krakowa"};
    assert_int_equal(tz_store_change_status(f->store, &ch3), TZ_OK);

    assert_int_equal(tz_store_get_report(f->store, r.id, &got), TZ_OK);
    assert_string_equal(got.status, "referred");
    assert_int_equal(got.status_changed_at, T0 + 3000);
    assert_int_equal(got.taken_up_at, T0 + 1000); /* kept: the change left it 0 */
    assert_int_equal(got.verified_at, T0 + 2000);
    tz_report_rec_clear(&got);

    struct tz_transition_rec *h;
    size_t n;
    assert_int_equal(tz_store_history(f->store, r.id, &h, &n), TZ_OK);
    assert_int_equal(n, 3);
    assert_string_equal(h[0].from, "new");
    assert_string_equal(h[0].to, "verifying");
    assert_int_equal(h[0].at, T0 + 1000);
    assert_string_equal(h[0].actor, "asp. Żółć");
    assert_string_equal(h[0].note, "przyjęte");
    assert_null(h[0].referred_to);
    assert_string_equal(h[1].from, "verifying");
    assert_string_equal(h[1].to, "confirmed");
    assert_null(h[1].note);
    assert_string_equal(h[2].to, "referred");
    assert_string_equal(h[2].referred_to, "Straż Miejska Krakowa");
    for (size_t i = 0; i < n; i++)
        assert_int_equal(h[i].report_id, r.id);
    tz_transition_recs_free(h, n);

    assert_int_equal(tz_store_history(f->store, r.id + 1000, &h, &n), TZ_OK);
    assert_int_equal(n, 0);
    tz_transition_recs_free(h, n);
}

/* The change feed: new reports and status changes come back in order, in pages. */
static void change_feed_reads_what_is_new(void **state)
{
    struct fixture *f = *state;
    int64_t seq = -1;
    assert_int_equal(tz_store_last_transition_seq(f->store, &seq), TZ_OK);
    assert_int_equal(seq, 0);
    struct tz_report_rec r[3];
    for (int i = 0; i < 3; i++)
        make_report(&r[i], "illegal_dumping", i);
    assert_int_equal(tz_store_insert_reports(f->store, r, 3), TZ_OK);

    struct tz_report_rec *got;
    size_t n;
    assert_int_equal(tz_store_reports_after(f->store, r[0].id, 1000, &got, &n), TZ_OK);
    assert_int_equal(n, 2);
    assert_int_equal(got[0].id, r[1].id);
    assert_int_equal(got[1].id, r[2].id);
    tz_report_recs_free(got, n);
    assert_int_equal(tz_store_reports_after(f->store, 0, 1, &got, &n), TZ_OK);
    assert_int_equal(n, 1);
    assert_int_equal(got[0].id, r[0].id);
    tz_report_recs_free(got, n);
    assert_int_equal(tz_store_reports_after(f->store, r[2].id, 10, &got, &n), TZ_OK);
    assert_int_equal(n, 0);
    tz_report_recs_free(got, n);
    assert_int_equal(tz_store_reports_after(f->store, 0, 0, &got, &n), TZ_EINVAL);
    assert_int_equal(tz_store_reports_after(f->store, 0, 100000, &got, &n), TZ_EINVAL);

    /* Two changes of r[2], one of r[0]: the feed gives them in the order made. */
    const int64_t order[3] = {r[2].id, r[0].id, r[2].id};
    const char *from[3] = {"new", "new", "verifying"},
               *to[3] = {"verifying", "rejected", "confirmed"};
    for (int i = 0; i < 3; i++) {
        struct tz_status_change ch = {.report_id = order[i],
                                      .expected_status = from[i],
                                      .new_status = to[i],
                                      .at = T0 + 100 * (i + 1),
                                      .actor = "test"};
        assert_int_equal(tz_store_change_status(f->store, &ch), TZ_OK);
    }
    struct tz_transition_rec *t;
    assert_int_equal(tz_store_transitions_after(f->store, 0, 1000, &t, &n), TZ_OK);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(t[i].report_id, order[i]);
        assert_string_equal(t[i].to, to[i]);
        assert_int_equal(t[i].at, T0 + 100 * (int64_t)(i + 1));
        if (i)
            assert_true(t[i].seq > t[i - 1].seq);
    }
    int64_t first = t[0].seq, last = t[2].seq;
    tz_transition_recs_free(t, n);
    assert_int_equal(tz_store_last_transition_seq(f->store, &seq), TZ_OK);
    assert_int_equal(seq, last);
    assert_int_equal(tz_store_transitions_after(f->store, first, 1, &t, &n), TZ_OK);
    assert_int_equal(n, 1);
    assert_string_equal(t[0].to, "rejected");
    tz_transition_recs_free(t, n);
    assert_int_equal(tz_store_transitions_after(f->store, last, 10, &t, &n), TZ_OK);
    assert_int_equal(n, 0);
    tz_transition_recs_free(t, n);
}

/* "Me too" counts each reporter once per report, and survives a reopen. */
static void me_too_counts_each_reporter_once(void **state)
{
    struct fixture *f = *state;
    struct tz_report_rec r[2];
    make_report(&r[0], "stray_dogs", 1);
    make_report(&r[1], "stray_dogs", 2);
    assert_int_equal(tz_store_insert_reports(f->store, r, 2), TZ_OK);
    uint8_t anna[TZ_HASH_LEN] = {1}, piotr[TZ_HASH_LEN] = {2};
    int count = -1;
    assert_int_equal(tz_store_add_me_too(f->store, r[0].id, anna, T0, &count), TZ_OK);
    assert_int_equal(count, 1);
    assert_int_equal(tz_store_add_me_too(f->store, r[0].id, anna, T0 + 5, &count), TZ_ECONFLICT);
    assert_int_equal(count, 0);
    assert_int_equal(tz_store_add_me_too(f->store, r[0].id, piotr, T0 + 9, &count), TZ_OK);
    assert_int_equal(count, 2);
    assert_int_equal(tz_store_add_me_too(f->store, r[1].id, anna, T0, &count), TZ_OK);
    assert_int_equal(count, 1);
    assert_int_equal(tz_store_add_me_too(f->store, r[1].id + 100, anna, T0, &count), TZ_ENOTFOUND);
    assert_int_equal(tz_store_add_me_too(f->store, 0, anna, T0, &count), TZ_ENOTFOUND);
    reopen(f);
    struct tz_report_rec got;
    assert_int_equal(tz_store_get_report(f->store, r[0].id, &got), TZ_OK);
    assert_int_equal(got.me_too, 2);
    tz_report_rec_clear(&got);
    assert_int_equal(raw_int(f->path, "SELECT COUNT(*) FROM report_me_too"), 3);
}

static void public_description_set_and_cleared(void **state)
{
    struct fixture *f = *state;
    struct tz_report_rec r, got;
    make_report(&r, "grass_burning", 1);
    r.description = "Ktoś wypala trawę, tel. 600 000 000";
    assert_int_equal(tz_store_insert_reports(f->store, &r, 1), TZ_OK);
    assert_int_equal(tz_store_set_public_description(f->store, r.id, "Wypalanie traw"), TZ_OK);
    assert_int_equal(tz_store_get_report(f->store, r.id, &got), TZ_OK);
    assert_string_equal(got.public_description, "Wypalanie traw");
    assert_string_equal(got.description, r.description);
    tz_report_rec_clear(&got);
    assert_int_equal(tz_store_set_public_description(f->store, r.id, NULL), TZ_OK);
    assert_int_equal(tz_store_get_report(f->store, r.id, &got), TZ_OK);
    assert_null(got.public_description);
    tz_report_rec_clear(&got);
    assert_int_equal(tz_store_set_public_description(f->store, r.id + 1, "x"), TZ_ENOTFOUND);
}

static void data_survives_close_and_reopen(void **state)
{
    struct fixture *f = *state;
    struct tz_report_rec r;
    make_report(&r, "poaching", 5);
    r.description = "Wnyki w lesie koło Niepołomic";
    assert_int_equal(tz_store_insert_reports(f->store, &r, 1), TZ_OK);
    struct tz_status_change ch = {.report_id = r.id,
                                  .expected_status = "new",
                                  .new_status = "rejected",
                                  .at = T0 + 50,
                                  .actor = "a"};
    assert_int_equal(tz_store_change_status(f->store, &ch), TZ_OK);
    reopen(f);

    struct tz_report_rec got;
    assert_int_equal(tz_store_get_report(f->store, r.id, &got), TZ_OK);
    assert_string_equal(got.status, "rejected");
    assert_string_equal(got.description, r.description);
    assert_memory_equal(got.token_hash, r.token_hash, TZ_HASH_LEN);
    tz_report_rec_clear(&got);
    struct tz_transition_rec *h;
    size_t n;
    assert_int_equal(tz_store_history(f->store, r.id, &h, &n), TZ_OK);
    assert_int_equal(n, 1);
    tz_transition_recs_free(h, n);
    /* New ids continue after the old ones. */
    struct tz_report_rec r2;
    make_report(&r2, "poaching", 6);
    assert_int_equal(tz_store_insert_reports(f->store, &r2, 1), TZ_OK);
    assert_true(r2.id > r.id);
}

/* Reads from many threads while a writer writes: the pool hands each its own connection. */
struct reader_arg {
    struct tz_store *store;
    int64_t id;
    int ok;
};

static void *read_loop(void *p)
{
    struct reader_arg *a = p;
    for (int i = 0; i < 200; i++) {
        struct tz_report_rec got;
        if (tz_store_get_report(a->store, a->id, &got) == TZ_OK)
            a->ok++;
        tz_report_rec_clear(&got);
    }
    return NULL;
}

static void concurrent_reads_during_writes(void **state)
{
    struct fixture *f = *state;
    struct tz_report_rec r;
    make_report(&r, "begging", 1);
    assert_int_equal(tz_store_insert_reports(f->store, &r, 1), TZ_OK);
    enum { THREADS = 8 };
    pthread_t th[THREADS];
    struct reader_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (struct reader_arg){.store = f->store, .id = r.id};
        assert_int_equal(pthread_create(&th[i], NULL, read_loop, &args[i]), 0);
    }
    for (int i = 0; i < 20; i++) {
        struct tz_report_rec w;
        make_report(&w, "begging", i);
        assert_int_equal(tz_store_insert_reports(f->store, &w, 1), TZ_OK);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].ok, 200);
    }
}

/* ---- committer --------------------------------------------------------------------------- */

#define COMMIT_THREADS 4
#define COMMIT_PER_THREAD 500

struct submitter {
    struct tz_committer *committer;
    int base;
    int64_t ids[COMMIT_PER_THREAD];
    int failures;
};

static void *submit_loop(void *p)
{
    struct submitter *s = p;
    for (int i = 0; i < COMMIT_PER_THREAD; i++) {
        struct tz_report_rec r;
        make_report(&r, "illegal_parking", s->base + i);
        tz_err err;
        while ((err = tz_committer_insert(s->committer, &r)) == TZ_EBUSY)
            usleep(100);
        if (err)
            s->failures++;
        s->ids[i] = r.id;
    }
    return NULL;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void committer_many_threads(void **state)
{
    struct fixture *f = *state;
    struct tz_committer *c;
    assert_int_equal(tz_committer_start(f->store, 256, 1024, &c), TZ_OK);
    static struct submitter subs[COMMIT_THREADS];
    pthread_t th[COMMIT_THREADS];
    for (int t = 0; t < COMMIT_THREADS; t++) {
        subs[t] = (struct submitter){.committer = c, .base = t * COMMIT_PER_THREAD};
        assert_int_equal(pthread_create(&th[t], NULL, submit_loop, &subs[t]), 0);
    }
    for (int t = 0; t < COMMIT_THREADS; t++)
        pthread_join(th[t], NULL);
    tz_committer_stop(c);

    enum { TOTAL = COMMIT_THREADS * COMMIT_PER_THREAD };
    static int64_t all[TOTAL];
    for (int t = 0; t < COMMIT_THREADS; t++) {
        assert_int_equal(subs[t].failures, 0);
        memcpy(&all[t * COMMIT_PER_THREAD], subs[t].ids, sizeof subs[t].ids);
    }
    qsort(all, TOTAL, sizeof all[0], cmp_id);
    assert_true(all[0] > 0);
    for (int i = 1; i < TOTAL; i++)
        assert_true(all[i] > all[i - 1]);
    int64_t count;
    assert_int_equal(tz_store_count_reports(f->store, &count), TZ_OK);
    assert_int_equal(count, TOTAL);
    /* Every id names the report its submitter sent. */
    for (int t = 0; t < COMMIT_THREADS; t++) {
        struct tz_report_rec got;
        assert_int_equal(tz_store_get_report(f->store, subs[t].ids[17], &got), TZ_OK);
        assert_int_equal(got.received_at, T0 + subs[t].base + 17);
        tz_report_rec_clear(&got);
    }
}

struct outcome {
    int calls;
    tz_err err;
};

static void record_outcome(void *ctx, tz_err err)
{
    struct outcome *o = ctx;
    o->calls++;
    o->err = err;
}

static void committer_bad_report_fails_alone(void **state)
{
    struct fixture *f = *state;
    struct tz_committer *c;
    assert_int_equal(tz_committer_start(f->store, 64, 64, &c), TZ_OK);
    enum { N = 40, BAD = 23 };
    struct tz_report_rec recs[N];
    struct outcome out[N];
    memset(out, 0, sizeof out);
    for (int i = 0; i < N; i++) {
        make_report(&recs[i], "stray_dogs", i);
        if (i == BAD)
            snprintf(recs[i].category, sizeof recs[i].category, "unicorns");
        /* The first insert keeps the writer busy with an fsync while the rest queue up. */
        assert_int_equal(tz_committer_submit(c, &recs[i], record_outcome, &out[i]), TZ_OK);
    }
    tz_committer_stop(c); /* drains the queue */
    for (int i = 0; i < N; i++) {
        assert_int_equal(out[i].calls, 1);
        if (i == BAD) {
            assert_int_equal(out[i].err, TZ_EINVAL);
        } else {
            assert_int_equal(out[i].err, TZ_OK);
            assert_true(recs[i].id > 0);
        }
    }
    int64_t count;
    assert_int_equal(tz_store_count_reports(f->store, &count), TZ_OK);
    assert_int_equal(count, N - 1);

    /* After stop nothing more is taken. */
    assert_int_equal(tz_committer_start(f->store, 1, 1, &c), TZ_OK);
    tz_committer_stop(c);
    tz_committer_stop(NULL);
    assert_int_equal(tz_committer_start(f->store, 0, 1, &c), TZ_EINVAL);
}

static void committer_insert_reports_errors(void **state)
{
    struct fixture *f = *state;
    struct tz_committer *c;
    assert_int_equal(tz_committer_start(f->store, 8, 8, &c), TZ_OK);
    struct tz_report_rec r;
    make_report(&r, "unicorns", 1);
    assert_int_equal(tz_committer_insert(c, &r), TZ_EINVAL);
    make_report(&r, "drownings", 1);
    assert_int_equal(tz_committer_insert(c, &r), TZ_OK);
    assert_true(r.id > 0);
    tz_committer_stop(c);
}

/* ---- WAL checkpoints ---------------------------------------------------------------------- */

/* Size of a file, or -1 if there is none. */
static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void sleep_ms(int ms)
{
    usleep((useconds_t)ms * 1000);
}

/* The store's own checkpointer copies the WAL back while reports keep coming, and on close. */
static void wal_is_checkpointed_in_the_background(void **state)
{
    struct fixture *f = *state;
    enum { BATCH = 100, BATCHES = 40 };
    struct tz_report_rec recs[BATCH];
    for (int b = 0; b < BATCHES; b++) {
        for (int i = 0; i < BATCH; i++)
            make_report(&recs[i], list_categories[i % 3], b * BATCH + i);
        assert_int_equal(tz_store_insert_reports(f->store, recs, BATCH), TZ_OK);
    }
    /* The thread looks at the WAL at least once a second. */
    struct tz_store_stats st = {0};
    for (int i = 0; i < 50 && st.frames_checkpointed == 0; i++) {
        sleep_ms(100);
        assert_int_equal(tz_store_stats(f->store, &st), TZ_OK);
    }
    assert_true(st.checkpoints >= 1);
    assert_true(st.frames_checkpointed > 0);
    assert_true(st.wal_pages_max > 0);
    assert_int_equal(tz_store_stats(NULL, &st), TZ_EINVAL);

    /* Closed, the store leaves no WAL behind and everything is in the database file. */
    tz_store_close(f->store);
    f->store = NULL;
    char wal[128];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    assert_int_equal(file_size(wal), -1);
    assert_int_equal(raw_int(f->path, "SELECT COUNT(*) FROM reports"), BATCH * BATCHES);
    assert_int_equal(raw_int(f->path, "SELECT integrity_check = 'ok' FROM pragma_integrity_check"),
                     1);
    reopen(f);
    int64_t count;
    assert_int_equal(tz_store_count_reports(f->store, &count), TZ_OK);
    assert_int_equal(count, BATCH * BATCHES);
}

/*
 * The checkpointer on its own, with small settings, against a writer of the
 * test's making: a table of blobs written in many small transactions, the
 * way the store's writer does (its mutex held around each, the WAL hook
 * telling the checkpointer). The WAL must be reset again and again instead
 * of growing with everything written, be truncated once writes stop, and
 * every row must be readable by a fresh connection at the end.
 */
struct ck_writer {
    sqlite3 *db;
    pthread_mutex_t mu;
    struct tz_checkpointer *ck;
};

static int ck_wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    (void)db;
    (void)name;
    tz_checkpointer_note_commit(arg, pages);
    return SQLITE_OK;
}

static void ck_write(struct ck_writer *w, int rows)
{
    pthread_mutex_lock(&w->mu);
    char sql[160];
    snprintf(sql, sizeof sql,
             "BEGIN IMMEDIATE; INSERT INTO t (b) SELECT randomblob(1000) FROM generate_rows"
             " LIMIT %d; COMMIT",
             rows);
    assert_int_equal(sqlite3_exec(w->db, sql, NULL, NULL, NULL), SQLITE_OK);
    pthread_mutex_unlock(&w->mu);
}

static void checkpointer_resets_and_truncates_the_wal(void **state)
{
    struct fixture *f = *state;
    char path[128], wal[140];
    snprintf(path, sizeof path, "%s/ck.db", f->dir);
    snprintf(wal, sizeof wal, "%s-wal", path);
    struct ck_writer w = {0};
    assert_int_equal(pthread_mutex_init(&w.mu, NULL), 0);
    assert_int_equal(sqlite3_open(path, &w.db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(w.db,
                                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
                                  " PRAGMA wal_autocheckpoint=0;"
                                  " PRAGMA journal_size_limit=262144;"
                                  " CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB);"
                                  " CREATE TABLE generate_rows (x);"
                                  " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                                  "  WHERE i < 50) INSERT INTO generate_rows SELECT i FROM n",
                                  NULL, NULL, NULL),
                     SQLITE_OK);

    struct tz_checkpointer_config cfg = {
        .wake_pages = 40, .reset_pages = 120, .tick_ms = 5, .idle_ns = 300000000};
    struct tz_checkpointer_config bad = cfg;
    bad.tick_ms = 0;
    assert_int_equal(tz_checkpointer_start(path, &w.mu, &bad, &w.ck), TZ_EINVAL);
    assert_null(w.ck);
    assert_int_equal(tz_checkpointer_start(path, &w.mu, &cfg, &w.ck), TZ_OK);
    sqlite3_wal_hook(w.db, ck_wal_hook, w.ck);

    /* About 3,000 pages (12 MiB) in transactions of 12 pages. */
    enum { TXNS = 250, ROWS = 40 };
    long long wal_max = 0;
    for (int i = 0; i < TXNS; i++) {
        ck_write(&w, ROWS);
        if (i % 10 == 9) /* a gap between bursts, as between batches; long enough that the */
            sleep_ms(6); /* checkpointer's thread runs on a machine busy with other tests too */
        long long n = file_size(wal);
        wal_max = n > wal_max ? n : wal_max;
    }
    struct tz_store_stats st = {0};
    tz_checkpointer_stats(w.ck, &st);
    assert_true(st.checkpoints >= 2);
    assert_true(st.wal_resets >= 1);
    assert_true(st.frames_checkpointed >= 120);
    assert_true(st.wal_pages_max >= 12);
    /* Every frame written would be about 12 MiB; resets keep the file far smaller. */
    assert_true(wal_max < 6 * 1024 * 1024);

    /* Idle: the WAL is emptied (a reader in the middle of a snapshot only delays it). */
    sqlite3 *reader = NULL;
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_open_v2(path, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(reader, "SELECT id FROM t", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW); /* holds its snapshot until reset */
    ck_write(&w, 1);
    sleep_ms(500);
    sqlite3_finalize(q);
    sqlite3_close(reader);
    for (int i = 0; i < 300 && file_size(wal) != 0; i++)
        sleep_ms(10);
    assert_int_equal(file_size(wal), 0);

    /* Writes after the truncation, then stop: the last pass copies them too. */
    ck_write(&w, ROWS);
    tz_checkpointer_stop(w.ck);
    tz_checkpointer_stop(NULL);
    int log = -1, copied = -1;
    assert_int_equal(
        sqlite3_wal_checkpoint_v2(w.db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &copied), SQLITE_OK);
    assert_int_equal(log, copied);
    sqlite3_close(w.db);
    pthread_mutex_destroy(&w.mu);

    assert_int_equal(raw_int(path, "SELECT COUNT(*) FROM t"), (TXNS + 1) * ROWS + 1);
    assert_int_equal(raw_int(path, "SELECT integrity_check = 'ok' FROM pragma_integrity_check"), 1);
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

/*
 * The preconditions every backend relies on (the entries of the aggregate
 * headers): no store or a missing out-parameter is TZ_EINVAL, out-parameters
 * are reset before the backend runs, and an id that cannot exist answers
 * without it.
 */
static void operations_check_their_arguments(void **state)
{
    struct fixture *f = *state;
    struct tz_report_rec rec;
    memset(&rec, 0x5a, sizeof rec);
    assert_int_equal(tz_store_get_report(NULL, 1, &rec), TZ_EINVAL);
    assert_int_equal(tz_store_get_report(f->store, 1, NULL), TZ_EINVAL);
    assert_int_equal(tz_store_get_report(f->store, 0, &rec), TZ_ENOTFOUND);
    assert_int_equal(rec.id, 0);
    assert_null(rec.description);

    struct tz_category_rec *cats = (struct tz_category_rec *)&rec;
    size_t n = 7;
    assert_int_equal(tz_store_categories(NULL, &cats, &n), TZ_EINVAL);
    assert_int_equal(tz_store_categories(f->store, NULL, &n), TZ_EINVAL);
    struct tz_report_filter bad = {.has_bbox = true, .south = 51, .north = 50};
    struct tz_report_rec *list = &rec;
    assert_int_equal(tz_store_list_reports(f->store, &bad, &list, &n), TZ_EINVAL);
    assert_null(list);
    assert_int_equal(n, 0);
    assert_int_equal(tz_store_list_reports(f->store, NULL, &list, &n), TZ_EINVAL);

    /* Nothing to do is success without the backend; a bad list is refused whole. */
    assert_int_equal(tz_store_insert_reports(f->store, NULL, 0), TZ_OK);
    assert_int_equal(tz_store_insert_reports(f->store, NULL, 1), TZ_EINVAL);
    struct tz_merge_rec *merges = (struct tz_merge_rec *)&rec;
    assert_int_equal(tz_store_report_merges(f->store, -1, &merges, &n), TZ_OK);
    assert_null(merges);

    int me_too = 9;
    uint8_t hash[TZ_HASH_LEN] = {1};
    assert_int_equal(tz_store_add_me_too(f->store, 0, hash, T0, &me_too), TZ_ENOTFOUND);
    assert_int_equal(me_too, 0);
    assert_int_equal(tz_store_reports_after(f->store, 0, 0, &list, &n), TZ_EINVAL);
    assert_int_equal(tz_store_reports_after(f->store, 0, TZ_STORE_LIST_MAX + 1, &list, &n),
                     TZ_EINVAL);
    char who[TZ_ACCOUNT_NAME_MAX] = "x";
    assert_int_equal(tz_store_report_assignee(f->store, 1, who), TZ_OK);
    assert_string_equal(who, "");
    struct tz_audit_rec no_actor = {.action = "a.b", .outcome = "ok"};
    assert_int_equal(tz_store_audit_append(f->store, &no_actor), TZ_EINVAL);
    struct tz_account_rec acc;
    assert_int_equal(tz_store_account_get(f->store, NULL, 0, &acc), TZ_EINVAL);
    assert_int_equal(tz_store_account_get(f->store, "nobody", 0, &acc), TZ_ENOTFOUND);
}

/* Appends an entry by actor. */
static void audit_one(struct tz_store *store, const char *actor)
{
    struct tz_audit_rec a = {.at = T0, .actor = actor, .action = "test", .outcome = "ok"};
    assert_int_equal(tz_store_audit_append(store, &a), TZ_OK);
}

/* The head kept outside the database follows the chain and never covers a cut. */
static void audit_head_follows_the_chain_and_keeps_a_cut(void **state)
{
    struct fixture *f = *state;
    char head[160], before[256], after[256];
    snprintf(head, sizeof head, "%s/head", f->dir);
    int64_t seq = 0;
    uint8_t hash[TZ_HASH_LEN];
    assert_int_equal(tz_store_audit_head_read(head, &seq, hash), TZ_ENOTFOUND);
    assert_int_equal(tz_store_audit_head_keep(f->store, head), TZ_OK); /* empty log: no file yet */
    assert_int_equal(tz_store_audit_head_read(head, &seq, hash), TZ_ENOTFOUND);
    for (int i = 0; i < 5; i++)
        audit_one(f->store, "ala");
    struct tz_audit_rec *recs = NULL;
    size_t n = 0;
    assert_int_equal(tz_store_audit_read(f->store, 4, 1, &recs, &n), TZ_OK);
    assert_int_equal(n, 1);
    assert_int_equal(tz_store_audit_head_read(head, &seq, hash), TZ_OK);
    assert_int_equal(seq, 5);
    assert_memory_equal(hash, recs[0].hash, TZ_HASH_LEN);
    tz_audit_recs_free(recs, n);
    FILE *fp = fopen(head, "r");
    assert_non_null(fp);
    assert_non_null(fgets(before, sizeof before, fp));
    fclose(fp);

    /* The newest two deleted behind the store's back, then new entries over the gap. */
    raw_exec(f->path, "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq > 3");
    audit_one(f->store, "ola");
    audit_one(f->store, "ola");
    audit_one(f->store, "ola");
    fp = fopen(head, "r");
    assert_non_null(fp);
    assert_non_null(fgets(after, sizeof after, fp));
    fclose(fp);
    assert_string_equal(after, before); /* left as evidence */
    assert_int_equal(tz_store_audit_head_keep(f->store, head), TZ_ECONFLICT);
    assert_int_equal(tz_store_audit_head_keep(f->store, NULL), TZ_OK);

    /* Only a whole line of the form is a head. */
    const char *bad[] = {"", "5\n", "0 00\n", "x 00\n", "5 zz\n", "-1 00\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fp = fopen(head, "w");
        assert_non_null(fp);
        fputs(bad[i], fp);
        fclose(fp);
        assert_int_equal(tz_store_audit_head_read(head, &seq, hash), TZ_EINVAL);
    }
    fp = fopen(head, "w");
    assert_non_null(fp);
    before[strlen(before) - 1] = '\0'; /* no newline: cut short */
    fputs(before, fp);
    fclose(fp);
    assert_int_equal(tz_store_audit_head_read(head, &seq, hash), TZ_EINVAL);
    unlink(head);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(migrations_reach_version_and_reopen_is_idempotent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(newer_database_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(audit_head_follows_the_chain_and_keeps_a_cut, setup,
                                        teardown),
        cmocka_unit_test(open_fails_cleanly_on_a_bad_path),
        cmocka_unit_test_setup_teardown(operations_check_their_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(catalogue_is_seeded, setup, teardown),
        cmocka_unit_test_setup_teardown(districts_put_replace_and_list, setup, teardown),
        cmocka_unit_test_setup_teardown(insert_batch_round_trips_every_field, setup, teardown),
        cmocka_unit_test_setup_teardown(change_feed_reads_what_is_new, setup, teardown),
        cmocka_unit_test_setup_teardown(me_too_counts_each_reporter_once, setup, teardown),
        cmocka_unit_test_setup_teardown(batch_with_one_bad_report_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(insert_batch_ids_name_their_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(list_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(list_paging_visits_every_report_once, setup, teardown),
        cmocka_unit_test_setup_teardown(list_steps_agree_with_a_plain_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(list_by_cells_agrees_with_a_plain_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(list_limit_defaults_and_caps, setup, teardown),
        cmocka_unit_test_setup_teardown(change_status_and_history, setup, teardown),
        cmocka_unit_test_setup_teardown(public_description_set_and_cleared, setup, teardown),
        cmocka_unit_test_setup_teardown(data_survives_close_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_reads_during_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(committer_many_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(committer_bad_report_fails_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(committer_insert_reports_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(wal_is_checkpointed_in_the_background, setup, teardown),
        cmocka_unit_test_setup_teardown(checkpointer_resets_and_truncates_the_wal, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
