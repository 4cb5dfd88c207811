/*
 * Unit tests of the Open311 API keys: the store keeps only hashes (migration
 * 6), a key checks until it is revoked, and a report records the key that
 * sent it in the same transaction as the report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "http/report_json.h"
#include "threatmap/threatmap.h"

struct fixture {
    char dir[64];
    char path[96];
    struct tz_store *store;
    struct tz_threatmap *tm;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/tarcza-keys-XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/k.db", f->dir);
    if (tz_store_open_sqlite(f->path, &f->store) || tz_threatmap_demo(f->store, 0, 1, 1700000000) ||
        tz_threatmap_open(f->store, NULL, &f->tm))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tz_threatmap_close(f->tm);
    tz_store_close(f->store);
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* The number a query on the database file gives. */
static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void a_key_checks_until_revoked(void **state)
{
    struct fixture *f = *state;
    char key[TZ_API_KEY_TEXT_MAX];
    int64_t id = 0, found = 0;
    assert_int_equal(tz_threatmap_apikey_create(f->store, "Miasto Kraków", 100, NULL, key, &id), TZ_OK);
    assert_true(id > 0);
    assert_int_equal(strncmp(key, "tz311_", 6), 0);
    assert_int_equal(strlen(key), 6 + 43); /* 32 random bytes in base64url */
    assert_int_equal(tz_threatmap_apikey_check(f->tm, key, &found), TZ_OK);
    assert_int_equal(found, id);

    /* Only a hash is stored: the key's text is nowhere in the database. */
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM api_keys WHERE key_hash = '%s' OR name = '%s'",
             key, key);
    assert_int_equal(raw_int(f->path, sql), 0);
    assert_int_equal(raw_int(f->path, "SELECT length(key_hash) FROM api_keys"), TZ_HASH_LEN);

    /* Wrong, malformed and missing keys. */
    char wrong[TZ_API_KEY_TEXT_MAX];
    memcpy(wrong, key, sizeof wrong);
    wrong[10] = wrong[10] == 'A' ? 'B' : 'A';
    assert_int_equal(tz_threatmap_apikey_check(f->tm, wrong, &found), TZ_EFORBIDDEN);
    assert_int_equal(found, 0);
    assert_int_equal(tz_threatmap_apikey_check(f->tm, "tz311_bad key!", &found), TZ_EFORBIDDEN);
    assert_int_equal(tz_threatmap_apikey_check(f->tm, "", &found), TZ_EFORBIDDEN);
    assert_int_equal(tz_threatmap_apikey_check(f->tm, NULL, &found), TZ_EFORBIDDEN);

    /* Revoked: refused from then on; revoking twice or an unknown key is an error. */
    assert_int_equal(tz_store_revoke_api_key(f->store, id, 200, NULL), TZ_OK);
    assert_int_equal(tz_threatmap_apikey_check(f->tm, key, &found), TZ_EFORBIDDEN);
    assert_int_equal(tz_store_revoke_api_key(f->store, id, 300, NULL), TZ_ECONFLICT);
    assert_int_equal(tz_store_revoke_api_key(f->store, id + 100, 300, NULL), TZ_ENOTFOUND);

    struct tz_api_key_rec *keys = NULL;
    size_t n = 0;
    assert_int_equal(tz_store_api_keys(f->store, &keys, &n), TZ_OK);
    assert_int_equal(n, 1);
    assert_string_equal(keys[0].name, "Miasto Kraków");
    assert_int_equal(keys[0].created_at, 100);
    assert_int_equal(keys[0].revoked_at, 200);
    free(keys);
}

static void names_are_bounded(void **state)
{
    struct fixture *f = *state;
    char key[TZ_API_KEY_TEXT_MAX], name[TZ_API_KEY_NAME_MAX + 1];
    int64_t id = 0;
    memset(name, 'x', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    assert_int_equal(tz_threatmap_apikey_create(f->store, name, 1, NULL, key, &id), TZ_EINVAL);
    assert_int_equal(tz_threatmap_apikey_create(f->store, "", 1, NULL, key, &id), TZ_EINVAL);
    assert_int_equal(raw_int(f->path, "SELECT COUNT(*) FROM api_keys"), 0);
}

static void a_report_records_its_key(void **state)
{
    struct fixture *f = *state;
    char key[TZ_API_KEY_TEXT_MAX];
    int64_t key_id = 0;
    assert_int_equal(tz_threatmap_apikey_create(f->store, "city", 1, NULL, key, &key_id), TZ_OK);
    static const char body[] = "{\"category\":\"illegal_parking\",\"lat\":50.0617,\"lon\":19.9373}";
    struct tz_submission sub;
    struct tz_field_errors errs = {0};
    assert_int_equal(
        tz_http_report_prepare(f->tm, body, sizeof body - 1, "127.0.0.1", 1700000000, &sub, &errs),
        TZ_OK);
    sub.rec.api_key_id = key_id;
    assert_int_equal(tz_threatmap_submit(f->tm, &sub), TZ_OK);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT api_key_id FROM report_sources WHERE report_id = %lld",
             (long long)sub.rec.id);
    assert_int_equal(raw_int(f->path, sql), key_id);
    tz_submission_clear(&sub);

    /* A report without a key has no row there. */
    assert_int_equal(
        tz_http_report_prepare(f->tm, body, sizeof body - 1, "127.0.0.1", 1700000000, &sub, &errs),
        TZ_OK);
    assert_int_equal(tz_threatmap_submit(f->tm, &sub), TZ_OK);
    assert_int_equal(raw_int(f->path, "SELECT COUNT(*) FROM report_sources"), 1);
    tz_submission_clear(&sub);

    /* A key that does not exist breaks the foreign key: the report is not stored either. */
    long long before = raw_int(f->path, "SELECT COUNT(*) FROM reports");
    assert_int_equal(
        tz_http_report_prepare(f->tm, body, sizeof body - 1, "127.0.0.1", 1700000000, &sub, &errs),
        TZ_OK);
    sub.rec.api_key_id = 424242;
    assert_int_not_equal(tz_threatmap_submit(f->tm, &sub), TZ_OK);
    assert_int_equal(raw_int(f->path, "SELECT COUNT(*) FROM reports"), before);
    tz_submission_clear(&sub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_key_checks_until_revoked, setup, teardown),
        cmocka_unit_test_setup_teardown(names_are_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(a_report_records_its_key, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
