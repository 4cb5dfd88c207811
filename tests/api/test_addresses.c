/*
 * test_addresses.c - the address search through the real `tarcza serve`:
 * `tarcza import-addresses` reports the lines it refused by number and keeps
 * the rest (audited once), a file with a wrong header stores nothing, and
 * GET /api/v1/addresses finds "Floriańska 12" by folded and mistyped
 * queries, narrows by locality, bounds its answers, and refuses bad queries
 * as problem details naming the parameter; the police view of a report names
 * the address nearest to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "api_client.h"

static const char *tarcza_binary;
static struct api_server server;
static int server_exit_status;

static const char CSV[] =
    "locality,street,number,postcode,lon,lat\n"
    "Kraków,Floriańska,12,31-019,19.9397,50.0634\n"
    "Kraków,Floriańska,1,31-019,19.9393,50.0617\n"
    "Kraków,Floriańska,10,31-019,19.9395,50.0630\n"
    "Wieliczka,Floriańska,3,32-020,20.0600,49.9800\n"
    "Kraków,Floriańska,x1,31-019,19.9,50.06\n"
    "Berlin,Unter den Linden,1,,13.39,52.51\n"
    "\"Kraków\",\"Aleja Adama Mickiewicza\",\"5\",\"30-059\",19.9240,50.0640\n";

/* Writes text to name in the server's directory; the path in path. */
static void write_file(const char *name, const char *text, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", server.dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

/* Runs import-addresses on path; its exit status, and what it printed (both streams) in out. */
static int import(const char *path, char *out, size_t size)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' import-addresses --db '%s' '%s' 2>&1", server.binary, server.db,
             path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int start_server(void **state)
{
    (void)state;
    if (api_prepare(&server, tarcza_binary, 10) != 0)
        return -1;
    /* The demo's addresses out: the register is what this test imports. */
    api_db_exec(&server, "DELETE FROM addresses");
    char path[400], out[4096];
    write_file("a.csv", CSV, path, sizeof path);
    if (import(path, out, sizeof out) != 0)
        return -1;
    return api_start(&server);
}

static int stop_server(void **state)
{
    (void)state;
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

static json_t *search(const char *query, size_t expect)
{
    char path[600];
    snprintf(path, sizeof path, "/api/v1/addresses?%s", query);
    struct api_response r;
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *list = json_incref(json_object_get(r.json, "addresses"));
    api_response_free(&r);
    assert_true(json_is_array(list));
    assert_int_equal(json_array_size(list), expect);
    return list;
}

static const char *field(json_t *list, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_array_get(list, i), key));
}

static void the_import_said_which_lines_it_refused(void **state)
{
    (void)state;
    /* Imported at start; the audit log has the one import with its counts. */
    assert_int_equal(api_count_rows(&server, "addresses"), 5);
    char text[200] = "";
    api_db_text(&server,
                "SELECT fields FROM audit_log WHERE action = 'address.import'"
                " AND object = 'addresses'",
                text, sizeof text);
    assert_string_equal(text, "{\"taken\":5,\"refused\":2}");
    /* Again: the same lines refused by number; the rest stored again (no duplicates). */
    char path[400], out[4096];
    write_file("b.csv", CSV, path, sizeof path);
    assert_int_equal(import(path, out, sizeof out), 0);
    assert_non_null(strstr(out, "b.csv:6: refused: number"));
    assert_non_null(strstr(out, "b.csv:7: refused: lon"));
    assert_non_null(strstr(out, "5 addresses taken, 2 lines refused"));
    assert_int_equal(api_count_rows(&server, "addresses"), 5);
    /* A file that is not the register's CSV: refused whole, nothing stored, exit 1. */
    write_file("c.csv", "street;number\nNowa;1\n", path, sizeof path);
    assert_int_equal(import(path, out, sizeof out), 1);
    assert_non_null(strstr(out, "c.csv:1: refused: the header"));
    assert_int_equal(api_count_rows(&server, "addresses"), 5);
}

static void folded_queries_find_florianska_12(void **state)
{
    (void)state;
    json_t *l = search("q=florianska%2012", 1);
    assert_string_equal(field(l, 0, "street"), "Floriańska");
    assert_string_equal(field(l, 0, "number"), "12");
    assert_string_equal(field(l, 0, "locality"), "Kraków");
    assert_string_equal(field(l, 0, "postcode"), "31-019");
    assert_true(fabs(json_real_value(json_object_get(json_array_get(l, 0), "lat")) - 50.0634) <
                1e-5);
    assert_true(json_is_false(json_object_get(json_array_get(l, 0), "typo")));
    json_decref(l);
    /* "florianska 1": 1 then 10 and 12, Kraków's; Wieliczka has none. */
    l = search("q=FLORIA%C5%83SKA%201&limit=10", 3);
    assert_string_equal(field(l, 0, "number"), "1");
    assert_string_equal(field(l, 1, "number"), "10");
    assert_string_equal(field(l, 2, "number"), "12");
    json_decref(l);
    /* The locality narrows; a word inside the name finds it. */
    l = search("q=florianska%203%20wieliczka", 1);
    assert_string_equal(field(l, 0, "locality"), "Wieliczka");
    json_decref(l);
    l = search("q=mickiewicza%205", 1);
    assert_string_equal(field(l, 0, "street"), "Aleja Adama Mickiewicza");
    json_decref(l);
    /* Without a number, one hit per street; refused lines were not stored. */
    json_decref(search("q=florianska", 2));
    json_decref(search("q=unter%20den%20linden", 0));
    json_decref(search("q=florianska%201&limit=2", 2));
}

static void a_typo_still_finds_it(void **state)
{
    (void)state;
    json_t *l = search("q=florjanska%2012", 1);
    assert_string_equal(field(l, 0, "street"), "Floriańska");
    assert_true(json_is_true(json_object_get(json_array_get(l, 0), "typo")));
    json_decref(l);
}

static void bad_queries_are_problems(void **state)
{
    (void)state;
    static const struct {
        const char *query;
        const char *field;
    } bad[] = {
        {"", "q"},
        {"q=", "q"},
        {"q=a&limit=0", "limit"},
        {"q=a&limit=51", "limit"},
        {"q=a&limit=x", "limit"},
        {"q=a&near=1", "near"},
        {"q=%FF%FE", "q"},
        {"q=%2C%2E", "q"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[600];
        snprintf(path, sizeof path, "/api/v1/addresses?%s", bad[i].query);
        struct api_response r;
        assert_int_equal(api_get(&server, path, &r), 0);
        assert_int_equal(r.status, 400);
        char type[128] = "";
        api_header(&r, "Content-Type", type, sizeof type);
        assert_non_null(strstr(type, "application/problem+json"));
        json_t *errors = json_object_get(r.json, "errors");
        assert_true(json_array_size(errors) >= 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 0), "field")),
                            bad[i].field);
        api_response_free(&r);
    }
    char path[600] = "/api/v1/addresses?q=";
    size_t n = strlen(path);
    memset(path + n, 'a', 300);
    path[n + 300] = '\0';
    struct api_response r;
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(r.status, 400);
    api_response_free(&r);
}

/* Files a report at (lat, lon) through the public API; its id. */
static long long file_report(const char *lat_lon)
{
    char body[200];
    snprintf(body, sizeof body, "{\"category\":\"illegal_parking\",%s}", lat_lon);
    struct api_response r;
    assert_int_equal(api_post_json(&server, "/api/v1/reports", body, &r), 0);
    assert_int_equal(r.status, 201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    assert_true(id > 0);
    return id;
}

/* The police view of report id (as an analyst, by an API token); its nearest_address. */
static json_t *nearest_of(long long id, const char *header)
{
    char path[100];
    snprintf(path, sizeof path, "/api/v1/police/reports/%lld", id);
    server.extra_headers[0] = header;
    struct api_response r;
    assert_int_equal(api_get(&server, path, &r), 0);
    server.extra_headers[0] = NULL;
    assert_int_equal(r.status, 200);
    json_t *near = json_incref(json_object_get(r.json, "nearest_address"));
    api_response_free(&r);
    assert_non_null(near);
    return near;
}

static void officers_see_the_nearest_address(void **state)
{
    (void)state;
    setenv("TARCZA_PASSWORD", "correct horse battery", 1);
    assert_int_equal(
        api_run_cli(&server, "/dev/null", "user", "add", "ana", "--role", "analyst", NULL), 0);
    char out[400], token[128], header[200];
    snprintf(out, sizeof out, "%s/token.txt", server.dir);
    assert_int_equal(api_run_cli(&server, out, "user", "token", "ana", NULL), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    assert_non_null(fgets(token, sizeof token, f));
    fclose(f);
    token[strcspn(token, "\n")] = '\0';
    snprintf(header, sizeof header, "Authorization: Bearer %s", token);
    /* A few metres from Floriańska 12. */
    json_t *near = nearest_of(file_report("\"lat\":50.06345,\"lon\":19.93975"), header);
    assert_string_equal(json_string_value(json_object_get(near, "street")), "Floriańska");
    assert_string_equal(json_string_value(json_object_get(near, "number")), "12");
    assert_true(json_integer_value(json_object_get(near, "distance_m")) < 10);
    json_decref(near);
    /* Near Wawel, more than 200 m from every address of this register: none. */
    near = nearest_of(file_report("\"lat\":50.0560,\"lon\":19.9300"), header);
    assert_true(json_is_null(near));
    json_decref(near);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_import_said_which_lines_it_refused),
        cmocka_unit_test(folded_queries_find_florianska_12),
        cmocka_unit_test(a_typo_still_finds_it),
        cmocka_unit_test(bad_queries_are_problems),
        cmocka_unit_test(officers_see_the_nearest_address),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
