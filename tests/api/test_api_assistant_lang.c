/*
 * API tests of the assistant's language and translation (src/http/api_assistant_lang.c) against
 * the real `tarcza serve`: police only (assistant.use, 401 without a login, 403 for a role
 * without it) and audited without copying the text; the language of a mixed text paragraph by
 * paragraph; hostile bodies (not JSON, wrong types, unknown fields, over 16 KiB, zero-width and
 * bidirectional marks); translation through Apertium's English-Spanish pair beside the
 * original, and a pair without an engine said to have none; search across scripts and spellings
 * over reports filed through the public door, within each caller's reach, audited with its query.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_client.h"

static const char *tarcza_binary;
static struct api_server server;
static char officer[200], admin[200];

static int start_server(void **state)
{
    (void)state;
    char district[64] = "";
    if (api_prepare(&server, tarcza_binary, 50) != 0 || api_start(&server) != 0)
        return -1;
    api_db_text(&server, "SELECT id FROM districts ORDER BY id LIMIT 1", district, sizeof district);
    if (api_make_token(&server, "nowak", "officer", district, officer, sizeof officer) != 0 ||
        api_make_token(&server, "root", "admin", NULL, admin, sizeof admin) != 0)
        return -1;
    return 0;
}

static int server_exit_status;

static int stop_server(void **state)
{
    (void)state;
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

/* POSTs json as who (an Authorization header, or NULL for nobody). */
static void post_as(const char *who, const char *path, const char *json, struct api_response *r)
{
    server.extra_headers[0] = who;
    assert_int_equal(api_post_json(&server, path, json, r), 0);
    server.extra_headers[0] = NULL;
}

static long audit_count(const char *outcome)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE action = 'assistant.use' AND outcome = '%s'",
             outcome);
    return (long)api_db_long(&server, sql);
}

static void the_assistant_is_for_the_police_and_audited(void **state)
{
    (void)state;
    struct api_response r;
    const char *body = "{\"text\":\"Skradziono samochód sprzed domu przy ulicy Długiej.\"}";
    long ok = audit_count("ok"), refused = audit_count("refused");

    post_as(NULL, "/api/v1/assistant/language", body, &r);
    assert_int_equal(r.status, 401);
    api_response_free(&r);
    post_as(admin, "/api/v1/assistant/language", body, &r);
    assert_int_equal(r.status, 403);
    api_response_free(&r);
    assert_int_equal(audit_count("refused"), refused + 1);
    post_as(officer, "/api/v1/assistant/language", body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "language")), "pl");
    api_response_free(&r);
    assert_int_equal(audit_count("ok"), ok + 1);
    /* the log names the endpoint and the size, never the text */
    char fields[200] = "";
    api_db_text(&server,
                "SELECT fields FROM audit_log WHERE action = 'assistant.use' ORDER BY seq DESC "
                "LIMIT 1",
                fields, sizeof fields);
    assert_non_null(strstr(fields, "\"endpoint\":\"language\""));
    assert_null(strstr(fields, "samoch"));
}

static void a_mixed_text_answers_each_paragraph(void **state)
{
    (void)state;
    struct api_response r;
    const char *body = "{\"text\":\"Dzień dobry, przesyłam zgłoszenie obywatela z Krakowa.\\n\\n"
                       "Вчера вечером угнали автомобиль у вокзала, номер неизвестен.\\n\\n"
                       "The owner says the car was parked near the station all evening.\"}";
    post_as(officer, "/api/v1/assistant/language", body, &r);
    assert_int_equal(r.status, 200);
    json_t *paras = json_object_get(r.json, "paragraphs");
    assert_int_equal(json_array_size(paras), 3);
    static const char *want[] = {"pl", "ru", "en"};
    static const char *script[] = {"Latn", "Cyrl", "Latn"};
    for (size_t i = 0; i < 3; i++) {
        json_t *p = json_array_get(paras, i);
        assert_string_equal(json_string_value(json_object_get(p, "language")), want[i]);
        assert_string_equal(json_string_value(json_object_get(p, "script")), script[i]);
        assert_true(json_is_integer(json_object_get(p, "offset")));
    }
    assert_int_equal(json_integer_value(json_object_get(json_array_get(paras, 0), "offset")), 0);
    json_t *scripts = json_object_get(r.json, "scripts");
    assert_true(json_integer_value(json_object_get(scripts, "Cyrl")) > 20);
    assert_true(json_integer_value(json_object_get(scripts, "Latn")) > 40);
    api_response_free(&r);
}

static void hostile_bodies_are_refused_or_read_safely(void **state)
{
    (void)state;
    struct api_response r;
    static const struct {
        const char *body;
        long status;
        const char *pointer; /* the field an error names, or NULL */
    } cases[] = {
        {"not json", 400, NULL},       {"[\"text\"]", 400, NULL},
        {"{}", 422, "/text"},          {"{\"text\":\"\"}", 422, "/text"},
        {"{\"text\":5}", 422, "text"}, {"{\"text\":\"abc\",\"secret\":\"x\"}", 422, "/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        post_as(officer, "/api/v1/assistant/language", cases[i].body, &r);
        assert_int_equal(r.status, cases[i].status);
        if (cases[i].pointer) {
            json_t *e = json_array_get(json_object_get(r.json, "errors"), 0);
            assert_non_null(e);
            char *text = json_dumps(e, 0);
            assert_non_null(strstr(text, cases[i].pointer));
            free(text);
        }
        api_response_free(&r);
    }
    /* over the 16 KiB body limit: 413 before it is read */
    size_t n = 20000;
    char *big = malloc(n + 32);
    assert_non_null(big);
    memcpy(big, "{\"text\":\"", 9);
    memset(big + 9, 'a', n);
    memcpy(big + 9 + n, "\"}", 3);
    post_as(officer, "/api/v1/assistant/language", big, &r);
    assert_int_equal(r.status, 413);
    api_response_free(&r);
    free(big);
    /* zero-width and bidirectional marks are no letters: the language stays */
    post_as(officer, "/api/v1/assistant/language",
            "{\"text\":\"Pode\\u200bjrzany zosta\\u200d\\u0142 zatrzymany \\u202ewczoraj\\u202c "
            "wieczorem w Krakowie\"}",
            &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "language")), "pl");
    api_response_free(&r);
    /* a text of no letters has no language, said as null */
    post_as(officer, "/api/v1/assistant/language", "{\"text\":\"+48 601 234 567\"}", &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_null(json_object_get(r.json, "language")));
    assert_string_equal(json_string_value(json_object_get(r.json, "script")), "Zyyy");
    api_response_free(&r);
}

static void apertium_translates_beside_the_original(void **state)
{
    (void)state;
    struct api_response r;
    post_as(officer, "/api/v1/assistant/translate",
            "{\"text\":\"The car was stolen yesterday.\",\"to\":\"es\"}", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "original")),
                        "The car was stolen yesterday.");
    assert_string_equal(json_string_value(json_object_get(r.json, "from")), "en");
    assert_string_equal(json_string_value(json_object_get(r.json, "engine")), "apertium");
    assert_string_equal(json_string_value(json_object_get(r.json, "label")), "machine translation");
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "translation")), "coche"));
    api_response_free(&r);
}

static void a_pair_without_an_engine_says_so(void **state)
{
    (void)state;
    struct api_response r;
    post_as(officer, "/api/v1/assistant/translate",
            "{\"text\":\"Skradziono samochód.\",\"from\":\"pl\",\"to\":\"ka\"}", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "original")),
                        "Skradziono samochód.");
    assert_true(json_is_null(json_object_get(r.json, "translation")));
    assert_true(json_is_null(json_object_get(r.json, "engine")));
    assert_true(json_is_null(json_object_get(r.json, "label")));
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "note")), "no machine"));
    api_response_free(&r);
    /* bad codes and a missing target are 422 naming the field */
    static const char *bad[] = {
        "{\"text\":\"abc\",\"to\":\"spanish\"}",
        "{\"text\":\"abc\"}",
        "{\"text\":\"abc\",\"from\":\"es\",\"to\":\"es\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        post_as(officer, "/api/v1/assistant/translate", bad[i], &r);
        assert_int_equal(r.status, 422);
        assert_non_null(strstr(r.body, "/to"));
        api_response_free(&r);
    }
    post_as(admin, "/api/v1/assistant/translate", "{\"text\":\"abc\",\"to\":\"es\"}", &r);
    assert_int_equal(r.status, 403);
    api_response_free(&r);
}

/* Files a report at the Rynek (anonymous, the public door) with description; its id. */
static long long file_report(const char *description)
{
    struct api_response r;
    char body[512];
    snprintf(body, sizeof body,
             "{\"category\":\"vandalism\",\"lat\":50.0617,\"lon\":19.9373,\"description\":\"%s\"}",
             description);
    assert_int_equal(api_post_json(&server, "/api/v1/reports", body, &r), 0);
    assert_int_equal(r.status, 201);
    long long id = (long long)json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    assert_true(id > 0);
    return id;
}

/* The ids a search as who finds, as "12 10", or the status when it is not 200. */
static const char *search_as(const char *who, const char *path)
{
    static char out[256];
    struct api_response r;
    size_t k = 0;
    server.extra_headers[0] = who;
    assert_int_equal(api_get(&server, path, &r), 0);
    server.extra_headers[0] = NULL;
    out[0] = '\0';
    if (r.status != 200) {
        snprintf(out, sizeof out, "status %ld", r.status);
        api_response_free(&r);
        return out;
    }
    json_t *hits = json_object_get(r.json, "hits");
    assert_int_equal(json_integer_value(json_object_get(r.json, "count")), json_array_size(hits));
    for (size_t i = 0; i < json_array_size(hits); i++)
        k += (size_t)snprintf(
            out + k, sizeof out - k, "%s%lld", i ? " " : "",
            (long long)json_integer_value(json_object_get(json_array_get(hits, i), "id")));
    api_response_free(&r);
    return out;
}

static void search_finds_names_across_scripts_within_reach(void **state)
{
    (void)state;
    long long a = file_report("Człowiek przedstawia się jako Alijew i sprzedaje telefony.");
    long long b = file_report("Человек по фамилии Алиев продаёт краденые телефоны.");
    long long c = file_report("Na murze szkoły ktoś napisał Wałęsa.");
    char want[64], sql[160], district[64] = "", other[64] = "", rynek[200], stranger[200];

    snprintf(sql, sizeof sql, "SELECT district_id FROM reports WHERE id = %lld", a);
    api_db_text(&server, sql, district, sizeof district);
    snprintf(sql, sizeof sql, "SELECT id FROM districts WHERE id <> '%s' LIMIT 1", district);
    api_db_text(&server, sql, other, sizeof other);
    assert_int_equal(api_make_token(&server, "rynek", "officer", district, rynek, sizeof rynek), 0);
    assert_int_equal(api_make_token(&server, "obcy", "officer", other, stranger, sizeof stranger),
                     0);

    snprintf(want, sizeof want, "%lld %lld", b, a);
    assert_string_equal(search_as(rynek, "/api/v1/assistant/search?q=Aliyev"), want);
    assert_string_equal(
        search_as(rynek, "/api/v1/assistant/search?q=%D0%90%D0%BB%D0%B8%D0%B5%D0%B2"),
        want); /* Алиев */
    snprintf(want, sizeof want, "%lld", c);
    assert_string_equal(search_as(rynek, "/api/v1/assistant/search?q=Walesa"), want);
    snprintf(want, sizeof want, "%lld", b);
    assert_string_equal(search_as(rynek, "/api/v1/assistant/search?q=Aliyev&limit=1"), want);
    /* another district's officer finds none of them; the admin may not search */
    assert_string_equal(search_as(stranger, "/api/v1/assistant/search?q=Aliyev"), "");
    assert_string_equal(search_as(admin, "/api/v1/assistant/search?q=Aliyev"), "status 403");
    assert_string_equal(search_as(NULL, "/api/v1/assistant/search?q=Aliyev"), "status 401");
    /* the query is in the audit log */
    char fields[200] = "";
    api_db_text(&server,
                "SELECT fields FROM audit_log WHERE action = 'assistant.use' AND actor = 'obcy'"
                " ORDER BY seq DESC LIMIT 1",
                fields, sizeof fields);
    assert_string_equal(fields, "{\"endpoint\":\"search\",\"q\":\"Aliyev\"}");
    /* bad parameters */
    assert_string_equal(search_as(rynek, "/api/v1/assistant/search"), "status 400");
    assert_string_equal(search_as(rynek, "/api/v1/assistant/search?q=Aliyev&limit=0"),
                        "status 400");
    assert_string_equal(search_as(rynek, "/api/v1/assistant/search?q=Aliyev&limit=x"),
                        "status 400");
    assert_string_equal(search_as(rynek, "/api/v1/assistant/search?q=%E2%80%94"), "status 400");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_assistant_is_for_the_police_and_audited),
        cmocka_unit_test(a_mixed_text_answers_each_paragraph),
        cmocka_unit_test(hostile_bodies_are_refused_or_read_safely),
        cmocka_unit_test(apertium_translates_beside_the_original),
        cmocka_unit_test(a_pair_without_an_engine_says_so),
        cmocka_unit_test(search_finds_names_across_scripts_within_reach),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
