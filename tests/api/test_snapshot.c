/*
 * The map index's snapshot (threatmap/snapshot.c), through `tarcza serve`:
 *
 * - a clean stop writes DB.mapindex; the next start reads it and answers the
 *   map exactly as before the stop;
 * - after a SIGKILL, the reports filed since the snapshot (by the server, or
 *   by another process) are on the map of the next start (the change feed is
 *   replayed after the snapshot's position), and the map is the one a start
 *   without a snapshot builds from the database;
 * - the periodic writer (--snapshot-every) writes one while the server runs;
 * - a damaged snapshot is refused (said on stderr) and the map is built from
 *   the database: the same answers.
 * `tarcza index snapshot` tells which way its index came, which the tests use
 * to see a snapshot taken or refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api_client.h"

static const char *tarcza_binary;
static struct api_server server;
static char snap_path[400];

static const char *const views[] = {
    "/api/v1/map?bbox=19.7,49.9,20.4,50.2&zoom=10",
    "/api/v1/map?bbox=19.7,49.9,20.4,50.2&zoom=13&mode=hex",
    "/api/v1/map?bbox=19.90,50.02,19.99,50.08&zoom=17",
    "/api/v1/map?bbox=19.7,49.9,20.4,50.2&zoom=12&category=illegal_dumping",
};

static int prepare(void **state)
{
    (void)state;
    if (api_prepare(&server, tarcza_binary, 3000) != 0)
        return -1;
    snprintf(snap_path, sizeof snap_path, "%s.mapindex", server.db);
    return 0;
}

static int cleanup(void **state)
{
    (void)state;
    api_discard(&server);
    return 0;
}

static void start(const char *every)
{
    memset(server.serve_args, 0, sizeof server.serve_args);
    server.serve_args[0] = "--snapshot-every";
    server.serve_args[1] = every;
    server.serve_args[2] = "--sync-ms";
    server.serve_args[3] = "200";
    assert_int_equal(api_start(&server), 0);
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every view's answer as text: its matched count and its features, each written with sorted
 * keys and the features sorted (an index read back from a file and one built afresh may list
 * the same clusters in another order).
 */
static char *answers(void)
{
    size_t cap = 1 << 16, used = 0;
    char *all = malloc(cap);
    all[0] = '\0';
    for (size_t v = 0; v < sizeof views / sizeof views[0]; v++) {
        struct api_response r;
        assert_int_equal(api_get(&server, views[v], &r), 0);
        assert_int_equal(r.status, 200);
        json_t *features = json_object_get(r.json, "features");
        size_t n = json_array_size(features);
        char **texts = calloc(n ? n : 1, sizeof *texts);
        size_t need = 64;
        for (size_t i = 0; i < n; i++) {
            texts[i] = json_dumps(json_array_get(features, i), JSON_SORT_KEYS | JSON_COMPACT);
            need += strlen(texts[i]) + 1;
        }
        qsort(texts, n, sizeof *texts, by_text);
        if (used + need > cap) {
            cap = (used + need) * 2;
            all = realloc(all, cap);
        }
        used += (size_t)snprintf(all + used, cap - used, "%s matched %lld:", views[v],
                                 (long long)json_integer_value(json_object_get(r.json, "matched")));
        for (size_t i = 0; i < n; i++) {
            used += (size_t)snprintf(all + used, cap - used, "%s;", texts[i]);
            free(texts[i]);
        }
        free(texts);
        api_response_free(&r);
    }
    return all;
}

static long long matched(const char *view)
{
    struct api_response r;
    assert_int_equal(api_get(&server, view, &r), 0);
    assert_int_equal(r.status, 200);
    long long m = json_integer_value(json_object_get(r.json, "matched"));
    api_response_free(&r);
    return m;
}

static void file_reports(int n, double lat)
{
    for (int i = 0; i < n; i++) {
        char body[160];
        snprintf(body, sizeof body, "{\"category\":\"illegal_dumping\",\"lat\":%.5f,\"lon\":%.5f}",
                 lat + i * 1e-4, 19.93 + i * 1e-4);
        struct api_response r;
        assert_int_equal(api_post_json(&server, "/api/v1/reports", body, &r), 0);
        assert_int_equal(r.status, 201);
        api_response_free(&r);
    }
}

/* `tarcza index snapshot` on the database: what it said on stderr (how its index came). */
static void index_snapshot(struct api_run *run)
{
    api_run_command(&server, run, "index", "snapshot", "--db", server.db, NULL);
    assert_int_equal(run->status, 0);
}

static void a_clean_stop_writes_the_snapshot_and_the_next_start_answers_the_same(void **state)
{
    (void)state;
    start("0");
    file_reports(5, 50.061);
    char *before = answers();
    assert_int_equal(api_stop(&server, SIGTERM), 0);
    struct stat st;
    assert_int_equal(stat(snap_path, &st), 0);
    assert_true(st.st_size > 3000 * 100);

    start("0");
    char *after = answers();
    assert_string_equal(before, after);
    assert_int_equal(api_stop(&server, SIGTERM), 0);
    /* The file the server wrote is taken as it is: nothing to replay. */
    static struct api_run run;
    index_snapshot(&run);
    assert_non_null(strstr(run.err, "map index from the snapshot"));
    assert_non_null(strstr(run.err, "then 0 reports and 0 changes replayed"));
    free(before);
    free(after);
}

static void reports_filed_after_the_snapshot_survive_a_kill(void **state)
{
    (void)state;
    const char *spot = "/api/v1/map?bbox=19.92,50.07,19.95,50.08&zoom=12";
    start("0"); /* no periodic snapshot: the one of the clean stop above stays */
    long long at_start = matched(spot);
    file_reports(7, 50.072);
    assert_int_equal(matched(spot), at_start + 7);
    assert_int_equal(api_stop(&server, SIGKILL), 128 + SIGKILL);
    /* And two more from another process while no server runs. */
    static struct api_run run;
    api_run_command(&server, &run, "demo", "--reports", "2", "--seed", "9", "--db", server.db,
                    NULL);
    assert_int_equal(run.status, 0);

    start("0");
    assert_int_equal(matched(spot), at_start + 7);
    char *replayed = answers();
    assert_int_equal(api_stop(&server, SIGKILL), 128 + SIGKILL);
    memset(server.serve_args, 0, sizeof server.serve_args);
    server.serve_args[0] = "--snapshot";
    server.serve_args[1] = "off";
    assert_int_equal(api_start(&server), 0);
    char *built = answers();
    assert_string_equal(replayed, built);
    assert_int_equal(api_stop(&server, SIGTERM), 0);
    free(replayed);
    free(built);
}

static void the_periodic_writer_writes_while_serving(void **state)
{
    (void)state;
    struct stat before, now;
    assert_int_equal(stat(snap_path, &before), 0);
    start("1");
    file_reports(3, 50.064);
    /* Wait (bounded) for a snapshot that holds them: a new file replaces the old one. */
    bool written = false;
    for (int i = 0; i < 600 && !written; i++) {
        struct timespec pause = {0, 50 * 1000000L};
        nanosleep(&pause, NULL);
        written = stat(snap_path, &now) == 0 && now.st_ino != before.st_ino;
    }
    assert_true(written);
    char *live = answers();
    assert_int_equal(api_stop(&server, SIGKILL), 128 + SIGKILL);
    start("0");
    char *again = answers();
    assert_string_equal(live, again);
    assert_int_equal(api_stop(&server, SIGTERM), 0);
    free(live);
    free(again);
}

static void a_damaged_snapshot_is_refused_and_the_map_built_from_the_database(void **state)
{
    (void)state;
    start("0");
    char *before = answers();
    assert_int_equal(api_stop(&server, SIGTERM), 0);
    int fd = open(snap_path, O_RDWR);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    unsigned char byte;
    off_t at = st.st_size / 2;
    assert_int_equal(pread(fd, &byte, 1, at), 1);
    byte ^= 0x01;
    assert_int_equal(pwrite(fd, &byte, 1, at), 1);
    close(fd);

    start("0");
    char *after = answers();
    assert_string_equal(before, after);
    assert_int_equal(api_stop(&server, SIGKILL), 128 + SIGKILL);
    static struct api_run run; /* the server was killed: the damaged file is still there */
    index_snapshot(&run);
    assert_non_null(strstr(run.err, "refused: checksum mismatch"));
    /* Cut short: refused too. */
    assert_int_equal(truncate(snap_path, 1000), 0);
    index_snapshot(&run);
    assert_non_null(strstr(run.err, "refused"));
    free(before);
    free(after);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_clean_stop_writes_the_snapshot_and_the_next_start_answers_the_same),
        cmocka_unit_test(reports_filed_after_the_snapshot_survive_a_kill),
        cmocka_unit_test(the_periodic_writer_writes_while_serving),
        cmocka_unit_test(a_damaged_snapshot_is_refused_and_the_map_built_from_the_database),
    };
    return cmocka_run_group_tests(tests, prepare, cleanup);
}
