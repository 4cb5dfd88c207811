/*
 * test_screening - screening over the real server: a watch-list imported with `tarcza watchlist
 * import` (every line taken or refused, printed), POST /api/v1/screening/persons answering the
 * hits best first with their source's record id, score and explanation part by part, per-field
 * errors as problem details, the permission (an admin may not screen; no caller, 401), every
 * query in the audit log with its reason and hit count, refusals included, and a list imported
 * while the server runs reaching its next query.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api_client.h"

static const char *tarcza_binary;
static struct api_server server;
static int server_exit_status;
static char analyst_auth[200], admin_auth[200];

#define PASSWORD "correct horse battery staple"

static const char FTM[] =
    "{\"id\":\"NK-1\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Ilham Aliyev\"],"
    "\"alias\":[\"Ильхам Алиев\"],\"birthDate\":[\"1961-12-24\"],\"nationality\":[\"az\"],"
    "\"gender\":[\"male\"]}}\n"
    "{\"id\":\"NK-2\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Mehriban Aliyeva\"],"
    "\"birthDate\":[\"1964-08-26\"],\"gender\":[\"female\"]}}\n"
    "{\"id\":\"NK-3\",\"schema\":\"Person\",\"properties\":{\"name\":[\"محمد عبد الله\"]}}\n"
    "{\"id\":\"NK-4\",\"schema\":\"Company\",\"properties\":{\"name\":[\"Azneft\"]}}\n"
    "not json\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    fclose(f);
}

/* Makes an account of role and an API token for it; the Authorization header into out. */
static void token_for(const char *name, const char *role, char *out, size_t size)
{
    char path[300], token[128];
    setenv("TARCZA_PASSWORD", PASSWORD, 1);
    assert_int_equal(api_run_cli(&server, "/dev/null", "user", "add", name, "--role", role, NULL),
                     0);
    snprintf(path, sizeof path, "%s/token.txt", server.dir);
    assert_int_equal(api_run_cli(&server, path, "user", "token", name, NULL), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(token, sizeof token, f));
    fclose(f);
    token[strcspn(token, "\n")] = '\0';
    snprintf(out, size, "Authorization: Bearer %s", token);
}

static int start_server(void **state)
{
    if (api_prepare(&server, tarcza_binary, 10) != 0 || api_start(&server) != 0)
        return -1;
    token_for("screen.analyst", "analyst", analyst_auth, sizeof analyst_auth);
    token_for("screen.admin", "admin", admin_auth, sizeof admin_auth);
    return 0;
}

static int stop_server(void **state)
{
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

/* POSTs body to the persons door as auth (NULL: nobody); the status. */
static long screen(const char *auth, const char *body, struct api_response *r)
{
    server.extra_headers[0] = auth;
    assert_int_equal(api_post_json(&server, "/api/v1/screening/persons", body, r), 0);
    server.extra_headers[0] = NULL;
    return r->status;
}

static void import_reports_every_line(void **state)
{
    char path[300], out[300], text[4096] = "";
    snprintf(path, sizeof path, "%s/nk.ftm", server.dir);
    snprintf(out, sizeof out, "%s/import.json", server.dir);
    write_file(path, FTM);
    assert_int_equal(api_run_cli(&server, out, "watchlist", "import", path, "--source", "notices",
                                 NULL),
                     0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    json_error_t jerr;
    json_t *rep = json_loads(text, 0, &jerr);
    assert_non_null(rep);
    assert_string_equal(json_string_value(json_object_get(rep, "format")), "ftm");
    assert_int_equal(json_integer_value(json_object_get(rep, "taken")), 3);
    assert_int_equal(json_integer_value(json_object_get(rep, "refused")), 2);
    json_t *lines = json_object_get(rep, "lines");
    assert_int_equal(json_array_size(lines), 5);
    json_t *l4 = json_array_get(lines, 3);
    assert_false(json_boolean_value(json_object_get(l4, "taken")));
    assert_string_equal(json_string_value(json_object_get(l4, "why")),
                        "schema Company is not taken (Person, Passport, Identification, Vehicle)");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(lines, 4), "line")), 5);
    json_decref(rep);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM watchlist_persons"), 4);
    assert_int_equal(
        api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action = 'watchlist.import'"), 1);
}

static void person_hits_are_explained(void **state)
{
    struct api_response r;
    assert_int_equal(screen(analyst_auth,
                            "{\"name\":\"Алиев Ильхам\",\"birth_date\":\"1961-12-24\","
                            "\"sex\":\"m\",\"reason\":\"border check 17/2026\"}",
                            &r),
                     200);
    json_t *hits = json_object_get(r.json, "hits");
    assert_true(json_array_size(hits) >= 1);
    json_t *h = json_array_get(hits, 0);
    assert_string_equal(json_string_value(json_object_get(h, "source")), "notices");
    assert_string_equal(json_string_value(json_object_get(h, "record_id")), "NK-1");
    assert_true(json_number_value(json_object_get(h, "score")) >= 0.95);
    json_t *ex = json_object_get(h, "explanation");
    json_t *parts = json_object_get(ex, "parts");
    assert_int_equal(json_array_size(parts), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *p = json_array_get(parts, i);
        const char *how = json_string_value(json_object_get(p, "how"));
        assert_true(strcmp(how, "same") == 0 || strcmp(how, "transliterated") == 0);
    }
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(ex, "birth_date"), "outcome")), "same");
    assert_string_equal(json_string_value(json_object_get(json_object_get(ex, "sex"), "outcome")),
                        "same");
    /* The wife, same family name: not a hit of this query. */
    for (size_t i = 0; i < json_array_size(hits); i++)
        assert_string_not_equal(
            json_string_value(json_object_get(json_array_get(hits, i), "record_id")), "NK-2");
    api_response_free(&r);
    /* Arabic script against a Latin query. */
    assert_int_equal(screen(analyst_auth, "{\"name\":\"Mohammed Abdullah\",\"reason\":\"check\"}",
                            &r),
                     200);
    hits = json_object_get(r.json, "hits");
    assert_int_equal(json_array_size(hits), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(hits, 0), "record_id")), "NK-3");
    api_response_free(&r);
    /* Every query is in the audit log with its reason and what came back. */
    char note[128], fields[1024];
    api_db_text(&server,
                "SELECT note FROM audit_log WHERE action = 'screening.query' ORDER BY seq LIMIT 1",
                note, sizeof note);
    assert_string_equal(note, "border check 17/2026");
    api_db_text(&server,
                "SELECT fields FROM audit_log WHERE action = 'screening.query' ORDER BY seq LIMIT 1",
                fields, sizeof fields);
    assert_non_null(strstr(fields, "\"records\":[\"notices/NK-1\""));
    char actor[64];
    api_db_text(&server,
                "SELECT actor FROM audit_log WHERE action = 'screening.query' ORDER BY seq LIMIT 1",
                actor, sizeof actor);
    assert_string_equal(actor, "screen.analyst");
}

static void fields_are_checked(void **state)
{
    struct api_response r;
    long before = (long)api_db_long(
        &server, "SELECT COUNT(*) FROM audit_log WHERE action = 'screening.query'"
                 " AND outcome = 'refused'");
    assert_int_equal(
        screen(analyst_auth, "{\"name\":\"Jan\",\"birth_date\":\"1961-13\",\"sex\":\"x\"}", &r),
        422);
    json_t *errors = json_object_get(r.json, "errors");
    assert_int_equal(json_array_size(errors), 3);
    const char *want[] = {"/birth_date", "/sex", "/reason"};
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(errors, i), "field")), want[i]);
    api_response_free(&r);
    assert_int_equal(screen(analyst_auth, "{\"name\":\"Jan\",\"reason\":\"r\",\"x\":\"1\"}", &r),
                     422);
    api_response_free(&r);
    assert_int_equal(screen(analyst_auth, "[1]", &r), 400);
    api_response_free(&r);
    long after = (long)api_db_long(
        &server, "SELECT COUNT(*) FROM audit_log WHERE action = 'screening.query'"
                 " AND outcome = 'refused'");
    assert_true(after >= before + 1);
}

static void only_police_roles_screen(void **state)
{
    struct api_response r;
    assert_int_equal(screen(admin_auth, "{\"name\":\"Ilham Aliyev\",\"reason\":\"x\"}", &r), 403);
    api_response_free(&r);
    assert_int_equal(screen(NULL, "{\"name\":\"Ilham Aliyev\",\"reason\":\"x\"}", &r), 401);
    api_response_free(&r);
    assert_true(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action ="
                                     " 'screening.query' AND actor = 'screen.admin'"
                                     " AND outcome = 'refused'") >= 1);
}

static void a_list_imported_later_is_screened(void **state)
{
    char path[300];
    snprintf(path, sizeof path, "%s/kgp.csv", server.dir);
    write_file(path, "id,name,birth_date\nKGP-9,Łukasz Wałęsa,1980\n");
    assert_int_equal(api_run_cli(&server, "/dev/null", "watchlist", "import", path, NULL), 0);
    struct api_response r;
    assert_int_equal(screen(analyst_auth, "{\"name\":\"Walesa Lukasz\",\"reason\":\"check\"}", &r),
                     200);
    json_t *hits = json_object_get(r.json, "hits");
    assert_int_equal(json_array_size(hits), 1);
    json_t *h = json_array_get(hits, 0);
    assert_string_equal(json_string_value(json_object_get(h, "source")), "kgp");
    assert_string_equal(json_string_value(json_object_get(h, "record_id")), "KGP-9");
    json_t *p = json_array_get(json_object_get(json_object_get(h, "explanation"), "parts"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "how")), "folded");
    api_response_free(&r);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-OF-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(import_reports_every_line),
        cmocka_unit_test(person_hits_are_explained),
        cmocka_unit_test(fields_are_checked),
        cmocka_unit_test(only_police_roles_screen),
        cmocka_unit_test(a_list_imported_later_is_screened),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
