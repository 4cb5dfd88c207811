/*
 * API tests: the real `tarcza serve` on a free port with a fresh demo
 * database, every endpoint exercised over HTTP, and every kind of bad input
 * answered with the right 4xx and nothing stored.
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
static struct api_server server;

/* A point in the Main Market Square, Kraków: inside the demo districts. */
#define RYNEK "\"lat\":50.0617,\"lon\":19.9373"

static int start_server(void **state)
{
    if (api_prepare(&server, tarcza_binary, 30) != 0)
        return -1;
    server.serve_args[0] = "--write-rate"; /* these tests file many reports from one address */
    server.serve_args[1] = "0";
    return api_start(&server);
}

static int stop_server(void **state)
{
    if (server.pid > 0)
        api_stop(&server, SIGKILL); /* a test failed before the_server_stops_cleanly */
    api_cleanup(&server);
    return 0;
}

/*
 * The last test: a clean stop exits 0. Under the sanitizers (make check runs
 * with detect_leaks=1) the server exits non-zero when LeakSanitizer finds a
 * leak or ASan an error, so this is the leak check over the whole suite.
 * (Not in the group teardown: cmocka does not fail the run when that fails.)
 */
static void the_server_stops_cleanly_and_leaks_nothing(void **state)
{
    int status = api_stop(&server, SIGTERM);
    if (status != 0)
        fprintf(stderr, "tarcza serve exited with %d\n", status);
    assert_int_equal(status, 0);
}

static const char *jstr(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* POSTs a report that must be accepted; returns its JSON (caller frees r). */
static json_t *post_ok(const char *body, struct api_response *r)
{
    assert_int_equal(api_post_json(&server, "/api/v1/reports", body, r), 0);
    if (r->status != 201)
        fprintf(stderr, "unexpected %ld: %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    assert_non_null(r->json);
    return r->json;
}

static void healthz_answers(void **state)
{
    struct api_response r;
    assert_int_equal(api_get(&server, "/healthz", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "status"), "ok");
    api_response_free(&r);
}

static void categories_are_the_kmzb_catalogue(void **state)
{
    struct api_response r;
    assert_int_equal(api_get(&server, "/api/v1/categories", &r), 0);
    assert_int_equal(r.status, 200);
    json_t *groups = json_object_get(r.json, "groups");
    assert_int_equal(json_array_size(groups), 7);
    size_t total = 0, i;
    json_t *g;
    json_array_foreach(groups, i, g) total += json_array_size(json_object_get(g, "categories"));
    assert_int_equal(total, 27);
    json_t *first = json_array_get(json_object_get(json_array_get(groups, 0), "categories"), 0);
    assert_string_equal(jstr(first, "code"), "illegal_parking");
    assert_string_equal(jstr(json_object_get(first, "name"), "pl"), "nieprawidłowe parkowanie");
    api_response_free(&r);
}

static void districts_are_geojson(void **state)
{
    struct api_response r;
    assert_int_equal(api_get(&server, "/api/v1/districts", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "type"), "FeatureCollection");
    json_t *features = json_object_get(r.json, "features");
    assert_true(json_array_size(features) >= 20);
    json_t *f = json_array_get(features, 0);
    assert_non_null(jstr(json_object_get(f, "properties"), "unit"));
    const char *type = jstr(json_object_get(f, "geometry"), "type");
    assert_true(strcmp(type, "Polygon") == 0 || strcmp(type, "MultiPolygon") == 0);
    api_response_free(&r);
}

static void a_report_is_accepted_routed_and_readable(void **state)
{
    struct api_response r, g, t, bad;
    long before = api_count_reports(&server);
    json_t *j = post_ok("{\"category\":\"illegal_parking\"," RYNEK
                        ",\"description\":\"Auta na chodniku,\\r\\nprzy fontannie.\","
                        "\"when\":{\"times\":[\"morning\",\"night\"],\"weekdays\":[\"sat\"]}}",
                        &r);
    assert_int_equal(api_count_reports(&server), before + 1);
    long long id = json_integer_value(json_object_get(j, "id"));
    assert_true(id > 0);
    assert_string_equal(jstr(j, "status"), "new");
    assert_string_equal(jstr(json_object_get(j, "district"), "name"), "Stare Miasto");
    const char *token = jstr(j, "token");
    assert_non_null(token);
    assert_true(strlen(token) >= 30);
    assert_non_null(jstr(json_object_get(j, "deadlines"), "take_up"));
    char location[128], expected[128];
    assert_int_equal(api_header(&r, "Location", location, sizeof location), 0);
    snprintf(expected, sizeof expected, "/api/v1/reports/%lld", id);
    assert_string_equal(location, expected);

    /* The public view: no description until an officer has reviewed it. */
    assert_int_equal(api_get(&server, expected, &g), 0);
    assert_int_equal(g.status, 200);
    assert_string_equal(jstr(g.json, "category"), "illegal_parking");
    assert_true(json_is_null(json_object_get(g.json, "description")));
    assert_false(json_is_true(json_object_get(g.json, "overdue")));
    assert_null(json_object_get(g.json, "history"));

    /* The reporter's view, with the token. */
    char path[256];
    snprintf(path, sizeof path, "%s?token=%s", expected, token);
    assert_int_equal(api_get(&server, path, &t), 0);
    assert_int_equal(t.status, 200);
    assert_string_equal(jstr(t.json, "description"), "Auta na chodniku,\r\nprzy fontannie.");
    assert_int_equal(json_array_size(json_object_get(json_object_get(t.json, "when"), "times")), 2);
    assert_true(json_is_array(json_object_get(t.json, "history")));

    snprintf(path, sizeof path, "%s?token=not-the-token", expected);
    assert_int_equal(api_get(&server, path, &bad), 0);
    assert_int_equal(bad.status, 403);
    api_response_free(&r);
    api_response_free(&g);
    api_response_free(&t);
    api_response_free(&bad);
}

static void deadline_is_two_polish_days_after_receipt(void **state)
{
    struct api_response r;
    json_t *j = post_ok("{\"category\":\"speeding\"," RYNEK "}", &r);
    /* Read both instants back through the reporter's view, which has received_at. */
    const char *take_up = jstr(json_object_get(j, "deadlines"), "take_up");
    const char *received = jstr(j, "received_at");
    assert_non_null(take_up);
    assert_non_null(received);
    struct tm a = {0}, b = {0};
    assert_non_null(strptime(received, "%Y-%m-%dT%H:%M:%SZ", &a));
    assert_non_null(strptime(take_up, "%Y-%m-%dT%H:%M:%SZ", &b));
    double hours = difftime(timegm(&b), timegm(&a)) / 3600.0;
    assert_true(hours >= 47 && hours <= 49);
    api_response_free(&r);
}

/* A bad request: its status, and that the reports table did not change. */
struct bad_case {
    const char *name;
    const char *method;
    const char *path;
    const char *content_type;
    const char *body; /* NULL: see body_len */
    long status;
    const char *field; /* expected in errors[], or NULL */
};

static void check_bad(const struct bad_case *c, const char *body, size_t len, int chunked)
{
    struct api_response r;
    long before = api_count_reports(&server);
    assert_int_equal(
        api_request(&server, c->method, c->path, c->content_type, body, len, chunked, &r), 0);
    if (r.status != c->status)
        fprintf(stderr, "case %s: got %ld: %s\n", c->name, r.status, r.body);
    assert_int_equal(r.status, c->status);
    char type[128];
    assert_int_equal(api_header(&r, "Content-Type", type, sizeof type), 0);
    assert_non_null(strstr(type, "application/problem+json"));
    assert_non_null(r.json);
    assert_int_equal(json_integer_value(json_object_get(r.json, "status")), c->status);
    assert_non_null(jstr(r.json, "title"));
    if (c->field) {
        json_t *errs = json_object_get(r.json, "errors"), *e;
        size_t i;
        int found = 0;
        json_array_foreach(errs, i, e) found |= strcmp(jstr(e, "field"), c->field) == 0;
        if (!found)
            fprintf(stderr, "case %s: no error for %s in %s\n", c->name, c->field, r.body);
        assert_true(found);
    }
    assert_int_equal(api_count_reports(&server), before);
    api_response_free(&r);
}

static void bad_reports_are_refused_and_nothing_is_stored(void **state)
{
    static const char *const J = "application/json";
    const struct bad_case cases[] = {
        {"not json", "POST", "/api/v1/reports", J, "hello", 400, NULL},
        {"array", "POST", "/api/v1/reports", J, "[1,2]", 400, NULL},
        {"empty", "POST", "/api/v1/reports", J, "", 400, NULL},
        {"truncated", "POST", "/api/v1/reports", J, "{\"category\":\"speeding\"", 400, NULL},
        {"duplicate key", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\",\"category\":\"vandalism\"," RYNEK "}", 400, NULL},
        {"NaN", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\",\"lat\":NaN,\"lon\":19.9}", 400, NULL},
        {"overflow", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\",\"lat\":1e999,\"lon\":19.9}", 400, NULL},
        {"NUL escape", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\"," RYNEK ",\"description\":\"a\\u0000b\"}", 400, NULL},
        {"bad UTF-8", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\"," RYNEK ",\"description\":\"\xC3\x28\"}", 400, NULL},
        {"unknown field", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\"," RYNEK ",\"email\":\"x@y.pl\"}", 422, "/email"},
        {"no category", "POST", "/api/v1/reports", J, "{" RYNEK "}", 422, "/category"},
        {"unknown category", "POST", "/api/v1/reports", J, "{\"category\":\"ufo\"," RYNEK "}", 422,
         "/category"},
        {"category not a string", "POST", "/api/v1/reports", J, "{\"category\":7," RYNEK "}", 422,
         "/category"},
        {"lat string", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\",\"lat\":\"50.06\",\"lon\":19.93}", 422, "/lat"},
        {"lat out of range", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\",\"lat\":91,\"lon\":19.93}", 422, "/lat"},
        {"no lon", "POST", "/api/v1/reports", J, "{\"category\":\"speeding\",\"lat\":50.06}", 422,
         "/lon"},
        {"outside every district", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\",\"lat\":52.2297,\"lon\":21.0122}", 422, "/lat"},
        {"control character", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\"," RYNEK ",\"description\":\"a\\u0007b\"}", 422,
         "/description"},
        {"tab", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\"," RYNEK ",\"description\":\"a\\tb\"}", 422, "/description"},
        {"lone CR", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\"," RYNEK ",\"description\":\"a\\rb\"}", 422, "/description"},
        {"C1 control", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\"," RYNEK ",\"description\":\"a\\u0085b\"}", 422,
         "/description"},
        {"description number", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\"," RYNEK ",\"description\":5}", 422, "/description"},
        {"description required", "POST", "/api/v1/reports", J,
         "{\"category\":\"dangerous_entertainment\"," RYNEK "}", 422, "/description"},
        {"bad when.date", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\"," RYNEK ",\"when\":{\"date\":\"2026-02-30\"}}", 422,
         "/when/date"},
        {"unknown when field", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\"," RYNEK ",\"when\":{\"hour\":3}}", 422, "/when/hour"},
        {"bad weekday", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\"," RYNEK ",\"when\":{\"weekdays\":[\"monday\"]}}", 422,
         "/when/weekdays"},
        {"text/plain", "POST", "/api/v1/reports", "text/plain", "{\"category\":\"speeding\"}", 415,
         NULL},
        {"no content type", "POST", "/api/v1/reports", NULL, "{\"category\":\"speeding\"}", 415,
         NULL},
        {"query on POST", "POST", "/api/v1/reports?x=1", J, "{\"category\":\"speeding\"," RYNEK "}",
         400, NULL},
        {"DELETE", "DELETE", "/api/v1/reports", J, NULL, 405, NULL},
        {"unknown path", "GET", "/api/v1/nothing", NULL, NULL, 404, NULL},
        {"id not a number", "GET", "/api/v1/reports/abc", NULL, NULL, 404, NULL},
        {"id zero", "GET", "/api/v1/reports/0", NULL, NULL, 404, NULL},
        {"id unknown", "GET", "/api/v1/reports/999999999", NULL, NULL, 404, NULL},
        {"id with unknown param", "GET", "/api/v1/reports/1?x=1", NULL, NULL, 400, "x"},
        {"bad bbox", "GET", "/api/v1/reports?bbox=1,2,3", NULL, NULL, 400, "bbox"},
        {"inverted bbox", "GET", "/api/v1/reports?bbox=20,50,19,51", NULL, NULL, 400, "bbox"},
        {"hex float bbox", "GET", "/api/v1/reports?bbox=19.9,0x1.9p5,20,51", NULL, NULL, 400,
         "bbox"},
        {"inf bbox", "GET", "/api/v1/reports?bbox=-inf,50,20,51", NULL, NULL, 400, "bbox"},
        {"hex float lat", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\",\"lat\":0x1.9p5,\"lon\":19.93}", 400, NULL},
        {"hex float lat string", "POST", "/api/v1/reports", J,
         "{\"category\":\"speeding\",\"lat\":\"0x1.9p5\",\"lon\":19.93}", 422, "/lat"},
        {"bad status", "GET", "/api/v1/reports?status=lost", NULL, NULL, 400, "status"},
        {"bad category", "GET", "/api/v1/reports?category=speeding,ufo", NULL, NULL, 400,
         "category"},
        {"limit too big", "GET", "/api/v1/reports?limit=201", NULL, NULL, 400, "limit"},
        {"bad cursor", "GET", "/api/v1/reports?cursor=%%%", NULL, NULL, 400, "cursor"},
        {"bad from", "GET", "/api/v1/reports?from=yesterday", NULL, NULL, 400, "from"},
        {"unknown list param", "GET", "/api/v1/reports?sort=id", NULL, NULL, 400, "sort"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_bad(&cases[i], cases[i].body, cases[i].body ? strlen(cases[i].body) : 0, 0);

    /* 1001 characters are one too many; 1000 two-byte characters are fine. */
    char big[8192];
    int n = snprintf(big, sizeof big, "{\"category\":\"speeding\"," RYNEK ",\"description\":\"");
    for (int i = 0; i < 1001; i++)
        n += snprintf(big + n, sizeof big - (size_t)n, "ż");
    snprintf(big + n, sizeof big - (size_t)n, "\"}");
    const struct bad_case too_long = {"1001 characters",  "POST", "/api/v1/reports",
                                      "application/json", NULL,   422,
                                      "/description"};
    check_bad(&too_long, big, strlen(big), 0);
    memcpy(strstr(big, "ż\"}"), "\"}", 3); /* now exactly 1000 */
    struct api_response ok;
    post_ok(big, &ok);
    api_response_free(&ok);

    /* Over 21 MiB (a report's bound with three photos in base64): refused by Content-Length,
     * and chunked without one. */
    size_t huge_len = 21u * 1024 * 1024 + 64 * 1024;
    char *huge = malloc(huge_len + 1);
    assert_non_null(huge);
    memset(huge, ' ', huge_len);
    huge[0] = '{';
    huge[huge_len - 1] = '}';
    huge[huge_len] = '\0';
    const struct bad_case big_body = {
        "too large", "POST", "/api/v1/reports", "application/json", NULL, 413, NULL};
    check_bad(&big_body, huge, huge_len, 0);
    check_bad(&big_body, huge, huge_len, 1);
    free(huge);
}

static void hidden_categories_are_not_public(void **state)
{
    struct api_response r, g, t;
    json_t *j = post_ok("{\"category\":\"drug_use\"," RYNEK "}", &r);
    long long id = json_integer_value(json_object_get(j, "id"));
    char path[256];
    snprintf(path, sizeof path, "/api/v1/reports/%lld", id);
    assert_int_equal(api_get(&server, path, &g), 0);
    assert_int_equal(g.status, 404);
    snprintf(path, sizeof path, "/api/v1/reports/%lld?token=%s", id, jstr(j, "token"));
    assert_int_equal(api_get(&server, path, &t), 0);
    assert_int_equal(t.status, 200);
    assert_string_equal(jstr(t.json, "category"), "drug_use");
    api_response_free(&r);
    api_response_free(&g);
    api_response_free(&t);
}

/* Walks every page of a list query; returns the number of items, checking ids never repeat. */
static size_t walk_pages(const char *query, const char *must_category)
{
    char path[512], cursor[128] = "";
    size_t total = 0;
    long long last_id = 0;
    for (int page = 0; page < 1000; page++) {
        snprintf(path, sizeof path, "/api/v1/reports?%s&limit=7%s%s", query,
                 cursor[0] ? "&cursor=" : "", cursor);
        struct api_response r;
        assert_int_equal(api_get(&server, path, &r), 0);
        assert_int_equal(r.status, 200);
        json_t *items = json_object_get(r.json, "items"), *it;
        size_t i;
        json_array_foreach(items, i, it)
        {
            long long id = json_integer_value(json_object_get(it, "id"));
            assert_true(last_id == 0 || id < last_id); /* newest first, no repeats */
            last_id = id;
            if (must_category)
                assert_string_equal(jstr(it, "category"), must_category);
            total++;
        }
        const char *next = jstr(r.json, "next_cursor");
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        api_response_free(&r);
        if (!cursor[0])
            break;
    }
    return total;
}

static void lists_filter_and_page(void **state)
{
    struct api_response r;
    for (int i = 0; i < 3; i++) {
        post_ok("{\"category\":\"vandalism\",\"lat\":50.0620,\"lon\":19.9380}", &r);
        api_response_free(&r);
    }
    size_t vandalism = walk_pages("category=vandalism", "vandalism");
    assert_true(vandalism >= 3);
    size_t all = walk_pages("status=new", NULL);
    assert_true(all >= 3);
    /* A tight box around the three points holds them; a box elsewhere holds none of them. */
    size_t boxed = walk_pages("category=vandalism&bbox=19.9379,50.0619,19.9381,50.0621", NULL);
    assert_int_equal(boxed, 3);
    size_t none = walk_pages("category=vandalism&bbox=19.0,49.0,19.1,49.1", NULL);
    assert_int_equal(none, 0);
    /* A group expands to its categories. */
    size_t road = walk_pages("group=public_order&bbox=19.9379,50.0619,19.9381,50.0621", NULL);
    assert_int_equal(road, 3);
}

static void workflow_from_the_command_line(void **state)
{
    struct api_response r, g;
    json_t *j = post_ok("{\"category\":\"public_drinking\"," RYNEK "}", &r);
    char id[32], path[128], out[400];
    snprintf(id, sizeof id, "%lld", json_integer_value(json_object_get(j, "id")));
    snprintf(out, sizeof out, "%s/cli.out", server.dir);
    /* Forbidden jumps are refused; the workflow's own steps go through. */
    assert_int_not_equal(api_run_cli(&server, out, "report", "transition", id, "confirmed", NULL),
                         0);
    assert_int_equal(api_run_cli(&server, out, "report", "transition", id, "verifying", NULL), 0);
    assert_int_not_equal(
        api_run_cli(&server, out, "report", "transition", id, "not_confirmed", NULL), 0);
    assert_int_equal(api_run_cli(&server, out, "report", "transition", id, "not_confirmed",
                                 "--note", "Nikogo nie zastano na miejscu.", "--public-note",
                                 "Patrol sent; nobody found.", NULL),
                     0);
    snprintf(path, sizeof path, "/api/v1/reports/%s", id);
    assert_int_equal(api_get(&server, path, &g), 0);
    assert_int_equal(g.status, 200);
    assert_string_equal(jstr(g.json, "status"), "not_confirmed");
    assert_non_null(jstr(json_object_get(g.json, "deadlines"), "verify"));
    /* A public note given on the command line is kept with the change, as over the API. */
    char sql[160], kept[128];
    snprintf(sql, sizeof sql,
             "SELECT public_note FROM report_transitions WHERE report_id = %s AND to_status = "
             "'not_confirmed'",
             id);
    api_db_text(&server, sql, kept, sizeof kept);
    assert_string_equal(kept, "Patrol sent; nobody found.");
    unlink(out);
    api_response_free(&r);
    api_response_free(&g);
}

/* A citizen who sees a threat already on the map says "me too": once per address. */
static void me_too_counts_once_per_address(void **state)
{
    struct api_response r, m, g;
    json_t *j = post_ok("{\"category\":\"stray_dogs\",\"lat\":50.0655,\"lon\":19.9449}", &r);
    long long id = json_integer_value(json_object_get(j, "id"));
    char path[128], out[400], idtext[32];
    snprintf(path, sizeof path, "/api/v1/reports/%lld/me-too", id);
    assert_int_equal(api_request(&server, "POST", path, NULL, NULL, 0, 0, &m), 0);
    assert_int_equal(m.status, 201);
    assert_int_equal(json_integer_value(json_object_get(m.json, "me_too")), 1);
    api_response_free(&m);
    assert_int_equal(api_request(&server, "POST", path, NULL, NULL, 0, 0, &m), 0);
    assert_int_equal(m.status, 409); /* the same address again */
    assert_int_equal(json_integer_value(json_object_get(m.json, "status")), 409);
    api_response_free(&m);
    snprintf(path, sizeof path, "/api/v1/reports/%lld", id);
    assert_int_equal(api_get(&server, path, &g), 0);
    assert_int_equal(json_integer_value(json_object_get(g.json, "me_too")), 1);
    api_response_free(&g);

    assert_int_equal(
        api_request(&server, "POST", "/api/v1/reports/99999999/me-too", NULL, NULL, 0, 0, &m), 0);
    assert_int_equal(m.status, 404);
    api_response_free(&m);
    snprintf(path, sizeof path, "/api/v1/reports/%lld/me-too", id);
    assert_int_equal(api_get(&server, path, &m), 0);
    assert_int_equal(m.status, 405);
    char allow[64];
    assert_int_equal(api_header(&m, "Allow", allow, sizeof allow), 0);
    assert_string_equal(allow, "POST");
    api_response_free(&m);

    /* A rejected report is off the public map: nobody can say "me too" to it. */
    snprintf(idtext, sizeof idtext, "%lld", id);
    snprintf(out, sizeof out, "%s/cli.out", server.dir);
    assert_int_equal(api_run_cli(&server, out, "report", "transition", idtext, "rejected", "--note",
                                 "spam", NULL),
                     0);
    assert_int_equal(api_request(&server, "POST", path, NULL, NULL, 0, 0, &m), 0);
    assert_int_equal(m.status, 404);
    api_response_free(&m);
    unlink(out);
    api_response_free(&r);
}

/* Matched reports of a map query, or -1. */
static long long map_matched(const char *query)
{
    struct api_response m;
    if (api_get(&server, query, &m) != 0 || m.status != 200)
        return -1;
    long long n = json_integer_value(json_object_get(m.json, "matched"));
    api_response_free(&m);
    return n;
}

/* Asks until the map matches at least `want` (the server syncs every second), for at most 10 s. */
static long long map_reaches(const char *query, long long want)
{
    long long n = -1;
    for (int i = 0; i < 100 && (n = map_matched(query)) < want; i++)
        usleep(100 * 1000);
    return n;
}

/* What another process writes to the database (the command line here) reaches the map. */
static void the_map_follows_other_processes(void **state)
{
    struct api_response r;
    json_t *j =
        post_ok("{\"category\":\"unofficial_bathing_sites\",\"lat\":50.0440,\"lon\":19.9560}", &r);
    char id[32], out[400];
    snprintf(id, sizeof id, "%lld", json_integer_value(json_object_get(j, "id")));
    snprintf(out, sizeof out, "%s/cli.out", server.dir);
    const char *spot = "/api/v1/map?bbox=19.9555,50.0437,19.9565,50.0443&zoom=18&status=verifying";
    assert_int_equal(map_matched(spot), 0);
    assert_int_equal(api_run_cli(&server, out, "report", "transition", id, "verifying", NULL), 0);
    assert_int_equal(map_reaches(spot, 1), 1);

    const char *city = "/api/v1/map?bbox=19.7,49.9,20.4,50.2&zoom=10";
    long long before = map_matched(city);
    assert_true(before > 0);
    assert_int_equal(api_run_cli(&server, out, "demo", "--reports", "40", "--seed", "7", NULL), 0);
    /* Some demo reports are closed and off the public map, so fewer than 40 may show. */
    long long after = map_reaches(city, before + 1);
    assert_true(after > before && after <= before + 40);
    unlink(out);
    api_response_free(&r);
}

/* A tile server that could break out of the page's meta tag or the policy is refused at start. */
static void bad_tile_settings_are_refused(void **state)
{
    char out[400];
    snprintf(out, sizeof out, "%s/cli.out", server.dir);
    const char *bad[][2] = {
        {"javascript:alert(1)//{z}/{x}/{y}", "x"},
        {"https://tiles.example.org/{z}/{x}/{y}.png\"><script>", "x"},
        {"https://tiles.example.org/{z}/{x}.png", "x"},           /* no {y} */
        {"https://tiles.example.org/{z}/{x}/{y}.png", "a|b"},     /* the meta's separator */
        {"https://tiles.example.org/{z}/{x}/{y}.png", "bad\x01"}, /* a control character */
        {"https://tiles.example.org/{z}/{x}/{y}.png", "\xC3("},   /* not UTF-8 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(api_run_cli(&server, out, "serve", "--port", "0", "--tiles", bad[i][0],
                                         "--tiles-attribution", bad[i][1], NULL),
                             0);
    unlink(out);
}

/* WMTS and WMS base maps are checked as strictly: the form's own parameters and placeholders. */
static void bad_wmts_and_wms_settings_are_refused(void **state)
{
    char out[400];
    snprintf(out, sizeof out, "%s/cli.out", server.dir);
    const char *bad[] = {
        "https://t.example.org/wmts/{TileMatrix}/{TileRow}.png", /* no {TileCol} */
        "https://t.example.org/wmts/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.png",
        "https://t.example.org/wmts?SERVICE=WMTS&REQUEST=GetCapabilities&TILEMATRIX={TileMatrix}"
        "&TILEROW={TileRow}&TILECOL={TileCol}",
        "javascript:alert(1)//?SERVICE=WMTS&REQUEST=GetTile&TILEMATRIX={TileMatrix}"
        "&TILEROW={TileRow}&TILECOL={TileCol}",
        "https://w.example.org/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=ortho&BBOX={bbox}",
        "https://w.example.org/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=ortho&WIDTH=512",
        "https://w.example.org/wms?SERVICE=WMS&REQUEST=GetMap&FORMAT=image/png", /* no LAYERS */
        "https://w.example.org/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=ortho&SRS=EPSG:2180",
        "https://w.example.org/wms?SERVICE=WMS&REQUEST=GetCapabilities&LAYERS=ortho",
        "https://w.example.org/wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=ortho\"><script>",
        "https:///wms?SERVICE=WMS&REQUEST=GetMap&LAYERS=ortho", /* no host */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(
            api_run_cli(&server, out, "serve", "--port", "0", "--tiles", bad[i], NULL), 0);
    unlink(out);
}

static void acknowledged_reports_survive_kill_9(void **state)
{
    struct api_response r, g;
    long long ids[20];
    for (int i = 0; i < 20; i++) {
        json_t *j = post_ok("{\"category\":\"stray_dogs\"," RYNEK "}", &r);
        ids[i] = json_integer_value(json_object_get(j, "id"));
        api_response_free(&r);
    }
    api_stop(&server, SIGKILL);
    assert_int_equal(api_start(&server), 0);
    for (int i = 0; i < 20; i++) {
        char path[64];
        snprintf(path, sizeof path, "/api/v1/reports/%lld", ids[i]);
        assert_int_equal(api_get(&server, path, &g), 0);
        assert_int_equal(g.status, 200);
        assert_string_equal(jstr(g.json, "category"), "stray_dogs");
        api_response_free(&g);
    }
}

/* Sum of "count" over the features of a map answer. */
static long long map_total(json_t *fc)
{
    long long total = 0;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(fc, "features"), i, f)
    {
        json_t *count = json_object_get(json_object_get(f, "properties"), "count");
        total += count ? json_integer_value(count) : 1;
    }
    return total;
}

static void the_map_shows_new_reports_at_once_and_filters_them(void **state)
{
    struct api_response r, m;
    assert_int_equal(api_get(&server, "/api/v1/map?bbox=19.7,49.9,20.4,50.2&zoom=10", &m), 0);
    assert_int_equal(m.status, 200);
    assert_string_equal(jstr(m.json, "type"), "FeatureCollection");
    long long before = map_total(m.json);
    assert_int_equal(before, json_integer_value(json_object_get(m.json, "matched")));
    api_response_free(&m);

    json_t *j = post_ok("{\"category\":\"illegal_dumping\",\"lat\":50.0301,\"lon\":19.9102}", &r);
    long long id = json_integer_value(json_object_get(j, "id"));
    assert_int_equal(api_get(&server, "/api/v1/map?bbox=19.7,49.9,20.4,50.2&zoom=10", &m), 0);
    assert_int_equal(map_total(m.json), before + 1);
    api_response_free(&m);

    /* Zoomed in on the spot, it is a single report with its id. */
    const char *street = "/api/v1/map?bbox=19.9097,50.0298,19.9107,50.0304&zoom=18";
    assert_int_equal(api_get(&server, street, &m), 0);
    json_t *features = json_object_get(m.json, "features"), *f;
    size_t i;
    int found = 0;
    json_array_foreach(features, i, f)
    {
        json_t *p = json_object_get(f, "properties");
        found |= json_integer_value(json_object_get(p, "id")) == id &&
                 strcmp(jstr(p, "category"), "illegal_dumping") == 0;
    }
    assert_true(found);
    api_response_free(&m);

    /* A filter on another category or status hides it; a hex view counts it. */
    char path[256];
    snprintf(path, sizeof path, "%s&category=speeding", street);
    assert_int_equal(api_get(&server, path, &m), 0);
    assert_int_equal(map_total(m.json), 0);
    api_response_free(&m);
    snprintf(path, sizeof path, "%s&status=confirmed", street);
    assert_int_equal(api_get(&server, path, &m), 0);
    assert_int_equal(map_total(m.json), 0);
    api_response_free(&m);
    snprintf(path, sizeof path, "%s&mode=hex&group=environment", street);
    assert_int_equal(api_get(&server, path, &m), 0);
    assert_int_equal(m.status, 200);
    assert_true(map_total(m.json) >= 1);
    api_response_free(&m);
    api_response_free(&r);
}

static void bad_map_queries_are_refused(void **state)
{
    const struct bad_case cases[] = {
        {"no bbox", "GET", "/api/v1/map?zoom=3", NULL, NULL, 400, "bbox"},
        {"no zoom", "GET", "/api/v1/map?bbox=19,49,20,50", NULL, NULL, 400, "zoom"},
        {"zoom too big", "GET", "/api/v1/map?bbox=19,49,20,50&zoom=25", NULL, NULL, 400, "zoom"},
        {"bad mode", "GET", "/api/v1/map?bbox=19,49,20,50&zoom=3&mode=heat", NULL, NULL, 400,
         "mode"},
        {"cursor", "GET", "/api/v1/map?bbox=19,49,20,50&zoom=3&cursor=MQ", NULL, NULL, 400,
         "cursor"},
        {"POST", "POST", "/api/v1/map", "application/json", "{}", 405, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_bad(&cases[i], cases[i].body, cases[i].body ? strlen(cases[i].body) : 0, 0);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void districts_import_all_or_nothing(void **state)
{
    char path[400], out[400];
    snprintf(path, sizeof path, "%s/districts.geojson", server.dir);
    snprintf(out, sizeof out, "%s/import.out", server.dir);
    long before = api_count_rows(&server, "districts");
    /* The second feature overlaps the first: nothing of the file is imported. */
    write_file(path,
               "{\"type\":\"FeatureCollection\",\"features\":["
               "{\"type\":\"Feature\",\"id\":\"W-1\",\"properties\":{\"name\":\"Śródmieście\","
               "\"unit\":\"KRP I\",\"officer\":\"asp. Jan Kowalski\"},\"geometry\":"
               "{\"type\":\"Polygon\",\"coordinates\":[[[21.0,52.2],[21.02,52.2],[21.02,52.22],"
               "[21.0,52.22],[21.0,52.2]]]}},"
               "{\"type\":\"Feature\",\"id\":\"W-2\",\"properties\":{\"name\":\"Powiśle\","
               "\"unit\":\"KRP I\",\"officer\":\"sierż. Anna Nowak\"},\"geometry\":"
               "{\"type\":\"Polygon\",\"coordinates\":[[[21.01,52.21],[21.03,52.21],[21.03,52.23],"
               "[21.01,52.23],[21.01,52.21]]]}}]}");
    assert_int_not_equal(api_run_cli(&server, out, "import-districts", path, NULL), 0);
    assert_int_equal(api_count_rows(&server, "districts"), before);
    /* Without the overlap both are imported, beside the demo districts. */
    write_file(path,
               "{\"type\":\"FeatureCollection\",\"features\":["
               "{\"type\":\"Feature\",\"id\":\"W-1\",\"properties\":{\"name\":\"Śródmieście\","
               "\"unit\":\"KRP I\",\"officer\":\"asp. Jan Kowalski\"},\"geometry\":"
               "{\"type\":\"Polygon\",\"coordinates\":[[[21.0,52.2],[21.02,52.2],[21.02,52.22],"
               "[21.0,52.22],[21.0,52.2]]]}},"
               "{\"type\":\"Feature\",\"id\":\"W-2\",\"properties\":{\"name\":\"Powiśle\","
               "\"unit\":\"KRP I\",\"officer\":\"sierż. Anna Nowak\"},\"geometry\":"
               "{\"type\":\"Polygon\",\"coordinates\":[[[21.02,52.2],[21.04,52.2],[21.04,52.22],"
               "[21.02,52.22],[21.02,52.2]]]}}]}");
    assert_int_equal(api_run_cli(&server, out, "import-districts", path, NULL), 0);
    assert_int_equal(api_count_rows(&server, "districts"), before + 2);
    /* A restarted server routes to them. */
    assert_int_equal(api_stop(&server, SIGTERM), 0);
    assert_int_equal(api_start(&server), 0);
    struct api_response r;
    post_ok("{\"category\":\"speeding\",\"lat\":52.21,\"lon\":21.03}", &r);
    assert_string_equal(jstr(json_object_get(r.json, "district"), "id"), "W-2");
    api_response_free(&r);
    unlink(path);
    unlink(out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(healthz_answers),
        cmocka_unit_test(categories_are_the_kmzb_catalogue),
        cmocka_unit_test(districts_are_geojson),
        cmocka_unit_test(a_report_is_accepted_routed_and_readable),
        cmocka_unit_test(deadline_is_two_polish_days_after_receipt),
        cmocka_unit_test(bad_reports_are_refused_and_nothing_is_stored),
        cmocka_unit_test(hidden_categories_are_not_public),
        cmocka_unit_test(lists_filter_and_page),
        cmocka_unit_test(the_map_shows_new_reports_at_once_and_filters_them),
        cmocka_unit_test(bad_map_queries_are_refused),
        cmocka_unit_test(workflow_from_the_command_line),
        cmocka_unit_test(me_too_counts_once_per_address),
        cmocka_unit_test(bad_tile_settings_are_refused),
        cmocka_unit_test(bad_wmts_and_wms_settings_are_refused),
        cmocka_unit_test(the_map_follows_other_processes),
        cmocka_unit_test(acknowledged_reports_survive_kill_9),
        cmocka_unit_test(districts_import_all_or_nothing),
        cmocka_unit_test(the_server_stops_cleanly_and_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
