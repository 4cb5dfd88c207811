/*
 * Backup and restore (docs/operations.md), through the real program: a
 * backup taken while reports keep being posted is a sound database (PRAGMA
 * integrity_check), its audit chain verifies (`tarcza audit verify`), and it
 * holds every report acknowledged before the backup started; a restore makes
 * a working database of it; neither ever writes over an existing file, and a
 * damaged backup is not restored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_client.h"

#define REPORT "{\"category\":\"illegal_parking\",\"lat\":50.0617,\"lon\":19.9373}"
#define ACKED_MAX 100000

static const char *tarcza_binary;
static struct api_server server;

/* The reports acknowledged (201) by the server, in the order the answers came. */
static struct {
    pthread_mutex_t mu;
    long long ids[ACKED_MAX];
    size_t count;
    atomic_bool stop;
    int failures; /* answers other than 201 (none expected: limits are off) */
} acked = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* The load: posts reports one after another until told to stop (no cmocka asserts here). */
static void *poster(void *arg)
{
    while (!atomic_load(&acked.stop)) {
        struct api_response r;
        if (api_post_json(&server, "/api/v1/reports", REPORT, &r) != 0 || r.status != 201 ||
            !json_is_integer(json_object_get(r.json, "id"))) {
            acked.failures++;
            api_response_free(&r);
            continue;
        }
        pthread_mutex_lock(&acked.mu);
        if (acked.count < ACKED_MAX)
            acked.ids[acked.count++] = json_integer_value(json_object_get(r.json, "id"));
        pthread_mutex_unlock(&acked.mu);
        api_response_free(&r);
    }
    return NULL;
}

static size_t acked_now(void)
{
    pthread_mutex_lock(&acked.mu);
    size_t n = acked.count;
    pthread_mutex_unlock(&acked.mu);
    return n;
}

static int prepare(void **state)
{
    /* Enough reports that a backup takes a while beside the posting. */
    return api_prepare(&server, tarcza_binary, 20000);
}

static int cleanup(void **state)
{
    api_discard(&server);
    return 0;
}

/* Runs tarcza with up to five arguments (the rest NULL), its output dropped; its exit status. */
static int tarcza(const char *a, const char *b, const char *c, const char *d, const char *e)
{
    char *argv[] = {(char *)tarcza_binary, (char *)a, (char *)b, (char *)c, (char *)d, (char *)e,
                    NULL};
    fflush(stdout); /* the child must not print the parent's buffered lines again */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* PRAGMA integrity_check of the database at path says "ok". */
static void assert_sound(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* How many of ids[0..n) the reports table at path holds. */
static size_t reports_held(const char *path, const long long *ids, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT 1 FROM reports WHERE id = ?", -1, &st, NULL),
                     SQLITE_OK);
    size_t held = 0;
    for (size_t i = 0; i < n; i++) {
        sqlite3_bind_int64(st, 1, ids[i]);
        held += sqlite3_step(st) == SQLITE_ROW;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return held;
}

static long long count_reports(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM reports", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void a_backup_under_load_holds_every_acknowledged_report(void **state)
{
    char backup[400], restored[400];
    snprintf(backup, sizeof backup, "%s/backup.db", server.dir);
    snprintf(restored, sizeof restored, "%s/restored.db", server.dir);
    assert_int_equal(api_start(&server), 0);
    pthread_t threads[2];
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, poster, NULL), 0);
    while (acked_now() < 50)
        usleep(10000);
    size_t before = acked_now(); /* every one of these was answered 201 before the backup began */
    assert_int_equal(tarcza("backup", "--db", server.db, "--to", backup), 0);
    size_t after = acked_now();
    while (acked_now() < after + 20) /* the server kept taking reports */
        usleep(10000);
    atomic_store(&acked.stop, true);
    for (size_t i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(acked.failures, 0);
    printf("# %zu reports acknowledged before the backup, %zu while it ran, %zu in all\n", before,
           after - before, acked.count);

    assert_sound(backup);
    assert_int_equal(reports_held(backup, acked.ids, before), before);
    assert_int_equal(tarcza("audit", "verify", "--db", backup, NULL), 0);
    /* The backup is a snapshot: not everything acknowledged after it is in it. */
    assert_true(count_reports(backup) < count_reports(server.db));

    /* Restored, it is a database the program opens, whose audit chain verifies. */
    assert_int_equal(tarcza("restore", backup, "--db", restored, NULL), 0);
    assert_sound(restored);
    assert_int_equal(count_reports(restored), count_reports(backup));
    assert_int_equal(reports_held(restored, acked.ids, before), before);
    assert_int_equal(tarcza("audit", "verify", "--db", restored, NULL), 0);
    assert_int_equal(api_stop(&server, SIGTERM), 0);
}

static void nothing_is_written_over_and_a_damaged_backup_is_refused(void **state)
{
    char backup[400], damaged[400], target[400];
    snprintf(backup, sizeof backup, "%s/backup.db", server.dir); /* made by the test before */
    snprintf(damaged, sizeof damaged, "%s/damaged.db", server.dir);
    snprintf(target, sizeof target, "%s/new.db", server.dir);
    long long in_backup = count_reports(backup);
    long long in_db = count_reports(server.db);
    /* A backup onto an existing file, a restore onto an existing database: refused, untouched. */
    assert_int_equal(tarcza("backup", "--db", server.db, "--to", backup), 1);
    assert_int_equal(count_reports(backup), in_backup);
    assert_int_equal(tarcza("restore", backup, "--db", server.db, NULL), 1);
    assert_int_equal(count_reports(server.db), in_db);
    /* A backup with a page overwritten is not restored, and no database is left behind. */
    assert_int_equal(tarcza("backup", "--db", server.db, "--to", damaged), 0);
    FILE *f = fopen(damaged, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 4096L * 20, SEEK_SET), 0);
    static char junk[4096];
    memset(junk, 0x5a, sizeof junk);
    assert_int_equal(fwrite(junk, 1, sizeof junk, f), sizeof junk);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(tarcza("restore", damaged, "--db", target, NULL), 1);
    assert_int_not_equal(access(target, F_OK), 0);
    /* A backup from a newer tarcza (a migration this program does not know) is not restored. */
    char newer[400];
    snprintf(newer, sizeof newer, "%s/newer.db", server.dir);
    assert_int_equal(tarcza("backup", "--db", server.db, "--to", newer), 0);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(newer, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO schema_migrations (version, applied_at) "
                                  "VALUES (9999, 0)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(tarcza("restore", newer, "--db", target, NULL), 1);
    assert_int_not_equal(access(target, F_OK), 0);
    /* A backup of a database that does not exist fails and makes no file. */
    assert_int_equal(tarcza("backup", "--db", "/nonexistent/t.db", "--to", target), 1);
    assert_int_not_equal(access(target, F_OK), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    curl_global_init(CURL_GLOBAL_ALL); /* before the posting threads */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_backup_under_load_holds_every_acknowledged_report),
        cmocka_unit_test(nothing_is_written_over_and_a_damaged_backup_is_refused),
    };
    int rc = cmocka_run_group_tests(tests, prepare, cleanup);
    curl_global_cleanup();
    return rc;
}
