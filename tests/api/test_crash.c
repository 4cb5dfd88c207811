/*
 * Crash safety of `tarcza serve`, over HTTP:
 *
 * - SIGKILL: client threads file reports without pause while the server is
 *   killed at random moments (KILL_TRIALS times) and restarted on the same
 *   database. Every report that was answered 201 must then be readable, with
 *   the fields it was sent with, through its reporter's view; the database
 *   must pass PRAGMA integrity_check and foreign_key_check; and no report row
 *   may be incomplete (a report killed after its commit but before its answer
 *   may be there; it is then whole).
 * - Full disk: the server runs under RLIMIT_FSIZE (write() past it fails with
 *   EFBIG, SIGXFSZ ignored), which no root is needed for. Its files stop
 *   growing, commits fail, and the server must answer 503 with Retry-After,
 *   keep answering reads, and store none of the refused reports; once the
 *   limit is raised again (prlimit(2) on the running server, as an operator
 *   freeing space) it accepts reports again, without a restart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api_client.h"

#define KILL_TRIALS 24
#define CLIENTS 4
#define MAX_ACKED 20000

static const char *tarcza_binary;
static struct api_server current;

static const char *const categories[] = {"speeding", "vandalism", "illegal_parking", "stray_dogs"};

/* A report answered 201: what was sent and what came back. */
struct acked {
    long long id;
    char token[96];
    char category[32];
    char description[96];
};

static struct {
    pthread_mutex_t mu;
    struct acked items[MAX_ACKED];
    size_t count;
    long refused; /* answered with an error status (503 while full) */
    long failed;  /* no answer: the server was down */
} acks = {.mu = PTHREAD_MUTEX_INITIALIZER};

static atomic_int port;     /* the server's current port; 0 while it is down */
static atomic_bool running; /* clients keep filing while set */
static atomic_long sequence;

static int kill_server(void **state)
{
    api_discard(&current);
    return 0;
}

/* Files one report; 201 records it in acks, and an error status counts as refused. */
static long file_one(unsigned *seed, char *description, size_t size)
{
    struct api_server to = {0};
    to.port = (uint16_t)atomic_load(&port);
    if (!to.port)
        return 0;
    long n = atomic_fetch_add(&sequence, 1);
    const char *category = categories[rand_r(seed) % 4];
    snprintf(description, size, "crash-test report %ld, %u", n, (unsigned)rand_r(seed));
    char body[512];
    snprintf(body, sizeof body,
             "{\"category\":\"%s\",\"lat\":%.6f,\"lon\":%.6f,\"description\":\"%s\"}", category,
             50.0610 + (rand_r(seed) % 100) * 1e-5, 19.9360 + (rand_r(seed) % 100) * 1e-5,
             description);
    struct api_response r;
    long status = 0;
    if (api_post_json(&to, "/api/v1/reports", body, &r) == 0) {
        status = r.status;
        const char *token = json_string_value(json_object_get(r.json, "token"));
        pthread_mutex_lock(&acks.mu);
        if (status == 201 && token && acks.count < MAX_ACKED) {
            struct acked *a = &acks.items[acks.count++];
            a->id = json_integer_value(json_object_get(r.json, "id"));
            snprintf(a->token, sizeof a->token, "%s", token);
            snprintf(a->category, sizeof a->category, "%s", category);
            snprintf(a->description, sizeof a->description, "%s", description);
        } else if (status != 201) {
            acks.refused++;
        }
        pthread_mutex_unlock(&acks.mu);
    } else {
        pthread_mutex_lock(&acks.mu);
        acks.failed++;
        pthread_mutex_unlock(&acks.mu);
    }
    api_response_free(&r);
    return status;
}

static void *client_main(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    char description[96];
    while (atomic_load(&running))
        if (file_one(&seed, description, sizeof description) == 0)
            usleep(10 * 1000); /* down: try again shortly */
    return NULL;
}

/* Every acknowledged report is there, whole, as it was sent. */
static void check_acked(struct api_server *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        const struct acked *a = &acks.items[i];
        char path[256];
        snprintf(path, sizeof path, "/api/v1/reports/%lld?token=%s", a->id, a->token);
        struct api_response r;
        assert_int_equal(api_get(s, path, &r), 0);
        if (r.status != 200)
            fail_msg("acknowledged report %lld: %ld %s", a->id, r.status, r.body);
        assert_string_equal(json_string_value(json_object_get(r.json, "category")), a->category);
        assert_string_equal(json_string_value(json_object_get(r.json, "description")),
                            a->description);
        assert_string_equal(json_string_value(json_object_get(r.json, "status")), "new");
        api_response_free(&r);
    }
}

/* The result of a one-value SQL query on the database file, as text. */
static void query_text(struct api_server *s, const char *sql, char *out, size_t size)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    if (sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
        else if (rc == SQLITE_DONE)
            snprintf(out, size, "(none)");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The database is intact and every report row in it is complete. */
static void check_database(struct api_server *s)
{
    char v[256];
    query_text(s, "PRAGMA integrity_check", v, sizeof v);
    assert_string_equal(v, "ok");
    query_text(s, "PRAGMA foreign_key_check", v, sizeof v);
    assert_string_equal(v, "(none)");
    query_text(s,
               "SELECT count(*) FROM reports WHERE length(token_hash) != 32 OR "
               "length(reporter_hash) != 32 OR received_at <= 0 OR takeup_due <= received_at OR "
               "(description LIKE 'crash-test%' AND status != 'new')",
               v, sizeof v);
    assert_string_equal(v, "0");
}

static long long count_where(struct api_server *s, const char *where)
{
    char sql[512], v[64];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM reports WHERE %s", where);
    query_text(s, sql, v, sizeof v);
    return strtoll(v, NULL, 10);
}

static void start_clients(pthread_t *threads)
{
    atomic_store(&running, true);
    for (uintptr_t i = 0; i < CLIENTS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, client_main, (void *)(i * 7919 + 1)), 0);
}

static void stop_clients(pthread_t *threads)
{
    atomic_store(&running, false);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(threads[i], NULL);
}

static void acknowledged_reports_survive_random_kill_9(void **state)
{
    struct api_server *s = &current;
    assert_int_equal(api_prepare(s, tarcza_binary, 10), 0);
    s->serve_args[0] = "--write-rate";
    s->serve_args[1] = "0";
    assert_int_equal(api_start(s), 0);
    atomic_store(&port, s->port);
    acks.count = 0;
    unsigned seed = (unsigned)time(NULL);
    fprintf(stderr, "kill seed %u\n", seed);
    pthread_t threads[CLIENTS];
    start_clients(threads);
    size_t before_kill = 0;
    for (int trial = 0; trial < KILL_TRIALS; trial++) {
        usleep((useconds_t)(20 + rand_r(&seed) % 400) * 1000); /* a random moment */
        pthread_mutex_lock(&acks.mu);
        before_kill = acks.count;
        pthread_mutex_unlock(&acks.mu);
        atomic_store(&port, 0);
        api_stop(s, SIGKILL);
        assert_int_equal(api_start(s), 0);
        atomic_store(&port, s->port);
    }
    usleep(200 * 1000);
    stop_clients(threads);
    fprintf(stderr,
            "%d kills: %zu reports acknowledged (%zu before the last kill), %ld refused, "
            "%ld without an answer, %lld crash-test rows stored\n",
            KILL_TRIALS, acks.count, before_kill, acks.refused, acks.failed,
            count_where(s, "description LIKE 'crash-test%'"));
    assert_true(acks.count > (size_t)KILL_TRIALS);
    assert_int_equal(acks.refused, 0);
    check_acked(s, 0, acks.count);
    /* Stored but never acknowledged is possible (killed between commit and answer); lost is not. */
    assert_true(count_where(s, "description LIKE 'crash-test%'") >= (long long)acks.count);
    /* And all of it again from a fresh start after one more kill. */
    api_stop(s, SIGKILL);
    check_database(s);
    assert_int_equal(api_start(s), 0);
    check_acked(s, 0, acks.count);
    assert_int_equal(api_stop(s, SIGTERM), 0); /* clean stop: no leaks */
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static void a_full_disk_answers_503_and_recovers(void **state)
{
    struct api_server *s = &current;
    assert_int_equal(api_prepare(s, tarcza_binary, 10), 0);
    s->serve_args[0] = "--write-rate";
    s->serve_args[1] = "0";
    char wal[512];
    snprintf(wal, sizeof wal, "%s-wal", s->db);
    /* Room for a few dozen reports past what the files hold now. */
    long long db = file_size(s->db), w = file_size(wal);
    s->fsize_limit = (db > w ? db : w) + 96 * 1024;
    assert_int_equal(api_start(s), 0);
    atomic_store(&port, s->port);
    acks.count = 0;
    acks.refused = 0;
    unsigned seed = 7;
    char description[96];
    long status = 0;
    int filed = 0;
    /* File until the disk is full. */
    for (; filed < 5000 && (status = file_one(&seed, description, sizeof description)) == 201;)
        filed++;
    fprintf(stderr, "disk full after %d reports (limit %lld bytes): answered %ld\n", filed,
            s->fsize_limit, status);
    assert_int_equal(status, 503);
    assert_true(filed > 0);
    /* It stays full: every report is refused with a problem and Retry-After; reads go on. */
    size_t acked_when_full = acks.count;
    char refused[5][96];
    for (int i = 0; i < 5; i++) {
        struct api_server to = *s;
        struct api_response r;
        char body[256];
        snprintf(refused[i], sizeof refused[i], "refused while full %d", i);
        snprintf(body, sizeof body,
                 "{\"category\":\"vandalism\",\"lat\":50.0617,\"lon\":19.9373,"
                 "\"description\":\"%.95s\"}",
                 refused[i]);
        assert_int_equal(api_post_json(&to, "/api/v1/reports", body, &r), 0);
        assert_int_equal(r.status, 503);
        char v[128];
        assert_int_equal(api_header(&r, "Retry-After", v, sizeof v), 0);
        assert_int_equal(api_header(&r, "Content-Type", v, sizeof v), 0);
        assert_non_null(strstr(v, "application/problem+json"));
        api_response_free(&r);
        assert_int_equal(api_get(s, "/api/v1/reports?limit=5", &r), 0);
        assert_int_equal(r.status, 200);
        api_response_free(&r);
    }
    check_acked(s, 0, acks.count);
    /* Space comes back: raise the running server's limit. */
    struct rlimit lim = {RLIM_INFINITY, RLIM_INFINITY};
    assert_int_equal(prlimit(s->pid, RLIMIT_FSIZE, &lim, NULL), 0);
    int accepted = 0;
    for (int i = 0; i < 50 && accepted < 10; i++) {
        status = file_one(&seed, description, sizeof description);
        accepted += status == 201;
        if (status != 201)
            usleep(100 * 1000); /* the commit after the one that failed may still fail */
    }
    fprintf(stderr, "after space returned: %d accepted\n", accepted);
    assert_int_equal(accepted, 10);
    assert_true(acks.count == acked_when_full + 10);
    check_acked(s, 0, acks.count);
    /* None of the refused reports is stored, before or after a restart. */
    for (int i = 0; i < 5; i++) {
        char where[160];
        snprintf(where, sizeof where, "description = '%.95s'", refused[i]);
        assert_int_equal(count_where(s, where), 0);
    }
    assert_int_equal(api_stop(s, SIGTERM), 0);
    check_database(s);
    s->fsize_limit = 0;
    assert_int_equal(api_start(s), 0);
    check_acked(s, 0, acks.count);
    assert_int_equal(count_where(s, "description LIKE 'refused while full%'"), 0);
    assert_int_equal(api_stop(s, SIGTERM), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    curl_global_init(CURL_GLOBAL_ALL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(acknowledged_reports_survive_random_kill_9, kill_server),
        cmocka_unit_test_teardown(a_full_disk_answers_503_and_recovers, kill_server),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
