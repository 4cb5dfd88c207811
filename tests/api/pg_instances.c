/*
 * pg_instances.c - two `tarcza serve` on one PostgreSQL database (issue 18, many instances):
 * what is filed or changed through one shows on the other's map within a second. Both poll the
 * change feed only once a minute (--sync-ms 60000), so what brings it is the NOTIFY sent in the
 * writing transaction and the other instance's LISTEN (src/store/pg_watch.c). Run on PostgreSQL
 * only (tests/pg/with_pg.sh; ctest api_instances_pg): SQLite has no notices.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_client.h"

static const char *tarcza_binary;
static struct api_server one, two; /* two shares one's database and directory */

/* A small square around a point of the demo districts (Kraków, Podgórze). */
#define SPOT "/api/v1/map?bbox=19.9555,50.0437,19.9565,50.0443&zoom=18"
#define POINT "\"lat\":50.0440,\"lon\":19.9560"

static int start_both(void **state)
{
    (void)state;
    if (api_prepare(&one, tarcza_binary, 20) != 0)
        return -1;
    if (!api_db_is_pg(&one)) /* only under tests/pg/with_pg.sh */
        return 0;
    const char *args[] = {"--sync-ms", "60000", "--write-rate", "0", NULL};
    memcpy(one.serve_args, args, sizeof args);
    if (api_start(&one) != 0)
        return -1;
    two.binary = one.binary;
    memcpy(two.dir, one.dir, sizeof two.dir);
    memcpy(two.db, one.db, sizeof two.db);
    memcpy(two.serve_args, args, sizeof args);
    return api_start(&two);
}

static int stop_both(void **state)
{
    (void)state;
    if (two.pid > 0)
        api_stop(&two, SIGKILL);
    if (one.pid > 0)
        api_stop(&one, SIGKILL);
    api_cleanup(&one); /* drops the shared database */
    return 0;
}

static long long matched(struct api_server *s, const char *query)
{
    struct api_response r;
    if (api_get(s, query, &r) != 0 || r.status != 200)
        return -1;
    long long n = json_integer_value(json_object_get(r.json, "matched"));
    api_response_free(&r);
    return n;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Asks s's map until it matches want, for at most 1 s from t0 (the bound): whether it did.
 */
static bool shows_within_a_second(struct api_server *s, const char *query, long long want,
                                  const struct timespec *t0)
{
    long long n = -1;
    while ((n = matched(s, query)) != want && seconds_since(t0) < 1.0)
        usleep(20 * 1000);
    if (n != want)
        fprintf(stderr, "%s: %lld, not %lld, after %.3f s\n", query, n, want, seconds_since(t0));
    else /* said, not asserted: a figure for docs/operations.md, not a timed test */
        fprintf(stderr, "shown on the other instance %.3f s after the answer\n", seconds_since(t0));
    return n == want;
}

/* Files a report through s (201); its id. t0 is when the answer came. */
static long long file_report(struct api_server *s, struct timespec *t0)
{
    struct api_response r;
    assert_int_equal(api_post_json(s, "/api/v1/reports",
                                   "{\"category\":\"unofficial_bathing_sites\"," POINT "}", &r),
                     0);
    clock_gettime(CLOCK_MONOTONIC, t0);
    assert_int_equal(r.status, 201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    assert_true(id > 0);
    return id;
}

static void a_report_filed_on_one_shows_on_the_other(void **state)
{
    (void)state;
    if (!api_db_is_pg(&one))
        skip();
    long long before = matched(&two, SPOT);
    assert_true(before >= 0);
    assert_int_equal(matched(&one, SPOT), before);
    struct timespec t0;
    file_report(&one, &t0);
    assert_true(shows_within_a_second(&two, SPOT, before + 1, &t0));
    /* And the other way round. */
    file_report(&two, &t0);
    assert_true(shows_within_a_second(&one, SPOT, before + 2, &t0));
    assert_int_equal(matched(&two, SPOT), before + 2);
}

static void a_status_changed_on_one_shows_on_the_other(void **state)
{
    (void)state;
    if (!api_db_is_pg(&one))
        skip();
    struct timespec t0;
    long long id = file_report(&one, &t0);
    char sql[128], district[64], officer[512], path[96];
    snprintf(sql, sizeof sql, "SELECT district_id FROM reports WHERE id = %lld", id);
    api_db_text(&one, sql, district, sizeof district);
    assert_int_equal(
        api_make_token(&one, "dzielnicowy", "officer", district, officer, sizeof officer), 0);
    const char *spot = SPOT "&status=verifying";
    long long before = matched(&two, spot);
    assert_true(before >= 0);
    snprintf(path, sizeof path, "/api/v1/reports/%lld/transitions", id);
    struct api_response r;
    long status = api_call_as(&one, officer, "POST", path, "{\"to\":\"verifying\"}", &r);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (status != 200 && status != 201)
        fprintf(stderr, "transition: %ld %s\n", status, r.body);
    api_response_free(&r);
    assert_true(status == 200 || status == 201);
    assert_true(shows_within_a_second(&two, spot, before + 1, &t0));
}

/* Last: both stop cleanly (under the sanitizers, with no leak: the listening thread included). */
static void both_stop_cleanly(void **state)
{
    (void)state;
    if (!api_db_is_pg(&one))
        skip();
    assert_int_equal(api_stop(&two, SIGTERM), 0);
    assert_int_equal(api_stop(&one, SIGTERM), 0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_report_filed_on_one_shows_on_the_other),
        cmocka_unit_test(a_status_changed_on_one_shows_on_the_other),
        cmocka_unit_test(both_stop_cleanly),
    };
    return cmocka_run_group_tests(tests, start_both, stop_both);
}
