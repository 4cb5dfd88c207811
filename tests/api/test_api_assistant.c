/*
 * API tests of the assistant (src/http/api_assistant.c) against the real
 * `tarcza serve`: POST /api/v1/assistant/analyse answers the entities of a
 * text with their types, spans (code points and bytes) and normalised
 * values (E.164 phones, compact upper-case IBANs, masked cards, ISO dates
 * resolved against reference_date), the district names on file found as
 * places, zero-width and bidi characters looked through with the spans
 * still on the text sent; it is for the police only (401, 403 for an
 * administrator, audited as refused), audited as assistant.use with the
 * counts and never the text; invalid UTF-8 is 400, a body over the limit
 * 413, a missing text or a bad date 422 naming the field. .../redact
 * proposes the replacements of personal data in a report's description.
 * (Named test_api_assistant, as test_api_analysis: tests/unit has the
 * unit test_assistant.)
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
static char officer[200]; /* "Authorization: Bearer ..." of an officer: every request sends it */

static int start_server(void **state)
{
    (void)state;
    if (api_prepare(&server, tarcza_binary, 10) != 0 || api_start(&server) != 0)
        return -1;
    if (api_make_token(&server, "kowal", "officer", "KRK-01", officer, sizeof officer) != 0)
        return -1;
    server.extra_headers[0] = officer;
    return 0;
}

static int server_exit_status;

static int stop_server(void **state)
{
    (void)state;
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

static json_t *analyse_ok(const char *body, struct api_response *r)
{
    assert_int_equal(api_post_json(&server, "/api/v1/assistant/analyse", body, r), 0);
    if (r->status != 200)
        fprintf(stderr, "unexpected %ld: %s\n", r->status, r->body);
    assert_int_equal(r->status, 200);
    assert_non_null(r->json);
    return json_object_get(r->json, "entities");
}

/* The entity of this type in an answer, or NULL. */
static json_t *entity(json_t *entities, const char *type)
{
    size_t i;
    json_t *e;
    json_array_foreach(entities, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "type")), type) == 0)
            return e;
    }
    return NULL;
}

static const char *value_of(json_t *entities, const char *type)
{
    json_t *e = entity(entities, type);
    if (!e)
        fail_msg("no %s in the answer", type);
    return json_string_value(json_object_get(e, "value"));
}

static long long num(json_t *e, const char *key)
{
    return (long long)json_integer_value(json_object_get(e, key));
}

static void the_entities_of_a_message(void **state)
{
    (void)state;
    struct api_response r;
    json_t *ents = analyse_ok(
        "{\"text\":\"Zgłoszenie: pan Jan Kowalski, tel. +48 601 234 567, wpłacił wczoraj o 14:30 "
        "na PL61 1090 1014 0000 0712 1981 2874 kartą 4111 1111 1111 1111; portfel "
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, e-mail Jan.K@Example.PL, w rejonie "
        "Stare Miasto.\",\"reference_date\":\"2026-03-12\"}",
        &r);
    assert_string_equal(value_of(ents, "person"), "Jan Kowalski");
    assert_string_equal(value_of(ents, "phone"), "+48601234567");
    assert_string_equal(value_of(ents, "date"), "2026-03-11T14:30");
    assert_string_equal(value_of(ents, "iban"), "PL61109010140000071219812874");
    assert_string_equal(value_of(ents, "card"), "411111******1111");
    assert_string_equal(value_of(ents, "crypto"), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    assert_string_equal(value_of(ents, "email"), "jan.k@example.pl");
    assert_string_equal(value_of(ents, "place"), "Stare Miasto"); /* a district on file */
    /* spans in code points: "Zgłoszenie: pan " is 16, "ł" two bytes */
    json_t *p = entity(ents, "person");
    assert_int_equal(num(p, "start"), 16);
    assert_int_equal(num(p, "end"), 28);
    assert_int_equal(num(p, "byte_start"), 17);
    assert_string_equal(json_string_value(json_object_get(p, "text")), "Jan Kowalski");
    /* the language of the whole text, ISO 639-1 (lang.h) */
    assert_string_equal(json_string_value(json_object_get(r.json, "language")), "pl");
    api_response_free(&r);
}

/* The language is the text's own, whatever its script; a text with no letters names none. */
static void the_language_of_a_message(void **state)
{
    (void)state;
    struct api_response r;
    analyse_ok("{\"text\":\"Просимо надати інформацію про власника автомобіля, який був "
               "помічений біля кордону минулої ночі.\"}",
               &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "language")), "uk");
    api_response_free(&r);
    analyse_ok("{\"text\":\"Please confirm whether the passport was reported stolen before the "
               "match in Wroclaw.\"}",
               &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "language")), "en");
    api_response_free(&r);
    analyse_ok("{\"text\":\"+48 601 234 567\"}", &r);
    assert_null(json_object_get(r.json, "language"));
    api_response_free(&r);
}

/* A bad check digit is refused: the entity is not in the answer. */
static void bad_check_digits_are_not_entities(void **state)
{
    (void)state;
    struct api_response r;
    json_t *ents = analyse_ok("{\"text\":\"konto PL61 1090 1014 0000 0712 1981 2875, karta 4111 "
                              "1111 1111 1112, BTC 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb\"}",
                              &r);
    assert_int_equal(json_array_size(ents), 0);
    api_response_free(&r);
}

/* Zero-width characters and bidi controls inside and around entities: found, spans on the text. */
static void invisible_characters_keep_the_spans(void **state)
{
    (void)state;
    struct api_response r;
    json_t *ents = analyse_ok("{\"text\":\"\\u2067тел. +380\\u200b 67 123\\u2060 4567\\u2069 "
                              "Иван Петров\"}",
                              &r);
    json_t *p = entity(ents, "phone");
    assert_non_null(p);
    assert_string_equal(json_string_value(json_object_get(p, "value")), "+380671234567");
    assert_int_equal(num(p, "start"), 6); /* RLI т е л . space */
    assert_int_equal(num(p, "end"), 24);  /* the zero-width space and word joiner counted */
    json_t *person = entity(ents, "person");
    assert_non_null(person);
    assert_int_equal(num(person, "start"), 26);
    api_response_free(&r);
}

static void post_status(const char *path, const char *body, size_t len, long status,
                        const char *field)
{
    struct api_response r;
    assert_int_equal(api_request(&server, "POST", path, "application/json", body, len, 0, &r), 0);
    if (r.status != status)
        fprintf(stderr, "wanted %ld, got %ld: %s\n", status, r.status, r.body);
    assert_int_equal(r.status, status);
    char type[128];
    assert_int_equal(api_header(&r, "Content-Type", type, sizeof type), 0);
    assert_non_null(strstr(type, "application/problem+json"));
    if (field)
        assert_non_null(strstr(r.body, field));
    api_response_free(&r);
}

static void hostile_bodies_are_refused(void **state)
{
    (void)state;
    const char *path = "/api/v1/assistant/analyse";
    const char bad_utf8[] = "{\"text\":\"konto \xC3\x28 PL61\"}";
    post_status(path, bad_utf8, sizeof bad_utf8 - 1, 400, NULL);
    const char nul[] = "{\"text\":\"a\\u0000b\"}";
    post_status(path, nul, sizeof nul - 1, 400, NULL);
    size_t big = 64 * 1024;
    char *huge = malloc(big + 32);
    assert_non_null(huge);
    memcpy(huge, "{\"text\":\"", 9);
    memset(huge + 9, 'a', big);
    memcpy(huge + 9 + big, "\"}", 3);
    post_status(path, huge, strlen(huge), 413, NULL);
    free(huge);
    const char *missing = "{\"reference_date\":\"2026-03-12\"}";
    post_status(path, missing, strlen(missing), 422, "/text");
    const char *bad_date = "{\"text\":\"wczoraj\",\"reference_date\":\"12.03.2026\"}";
    post_status(path, bad_date, strlen(bad_date), 422, "/reference_date");
    const char *not_string = "{\"text\":42}";
    post_status(path, not_string, strlen(not_string), 422, "text");
    const char *unknown = "{\"text\":\"x\",\"lang\":\"pl\"}";
    post_status(path, unknown, strlen(unknown), 422, "lang");
}

/* For the police: nobody logged in 401; an administrator 403, audited as refused. */
static void the_assistant_is_for_the_police(void **state)
{
    (void)state;
    char admin[200];
    assert_int_equal(api_make_token(&server, "root", "admin", NULL, admin, sizeof admin), 0);
    const char *body = "{\"text\":\"tel. 601 234 567\"}";
    struct api_response r;
    server.extra_headers[0] = NULL;
    assert_int_equal(api_post_json(&server, "/api/v1/assistant/analyse", body, &r), 0);
    assert_int_equal(r.status, 401);
    api_response_free(&r);
    server.extra_headers[0] = admin;
    assert_int_equal(api_post_json(&server, "/api/v1/assistant/redact", body, &r), 0);
    assert_int_equal(r.status, 403);
    api_response_free(&r);
    server.extra_headers[0] = officer;
    assert_int_equal(api_db_long(&server,
                                 "SELECT count(*) FROM audit_log WHERE action = 'assistant.use' "
                                 "AND actor = 'root' AND outcome = 'refused'"),
                     1);
}

/* Every analysis is audited: who, the counts of what was found; never the text. */
static void every_analysis_is_audited_without_the_text(void **state)
{
    (void)state;
    struct api_response r;
    long long before = api_db_long(
        &server,
        "SELECT count(*) FROM audit_log WHERE action = 'assistant.use' AND outcome = 'ok'");
    analyse_ok("{\"text\":\"świadek Anna Nowak, tel. +48 512 345 678\"}", &r);
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                          "'assistant.use' AND outcome = 'ok'"),
                     before + 1);
    char fields[256];
    api_db_text(&server,
                "SELECT fields FROM audit_log WHERE action = 'assistant.use' AND actor = 'kowal' "
                "ORDER BY seq DESC LIMIT 1",
                fields, sizeof fields);
    assert_non_null(strstr(fields, "\"phone\":1"));
    assert_non_null(strstr(fields, "\"person\":1"));
    assert_int_equal(api_db_long(&server,
                                 "SELECT count(*) FROM audit_log WHERE fields LIKE "
                                 "'%512%' OR fields LIKE '%Nowak%' OR note LIKE '%Nowak%'"),
                     0);
}

static void redactions_for_a_description(void **state)
{
    (void)state;
    struct api_response r;
    const char *body = "{\"text\":\"Kierowca Jan Kowalski (tel. 601 234 567) parkuje na "
                       "chodniku w Krakowie.\"}";
    assert_int_equal(api_post_json(&server, "/api/v1/assistant/redact", body, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *red = json_object_get(r.json, "redactions");
    assert_int_equal(json_array_size(red), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(red, 0), "replacement")),
                        "[osoba]");
    assert_string_equal(json_string_value(json_object_get(r.json, "redacted")),
                        "Kierowca [osoba] (tel. [telefon]) parkuje na chodniku w Krakowie.");
    api_response_free(&r);
}

/* tarcza assist analyse reads a file and prints the API's JSON; the read is audited. */
static void the_command_line_prints_the_same(void **state)
{
    (void)state;
    char in[320], out[320];
    snprintf(in, sizeof in, "%s/message.txt", server.dir);
    snprintf(out, sizeof out, "%s/answer.json", server.dir);
    FILE *f = fopen(in, "w");
    assert_non_null(f);
    fputs("Gestern um 22:10 rief +49 151 23456789 an (IBAN DE89 3704 0044 0532 0130 00).", f);
    fclose(f);
    assert_int_equal(api_run_cli(&server, out, "assist", "analyse", in, "--reference",
                                 "2026-03-12T10:00:00Z", (char *)NULL),
                     0);
    json_error_t jerr;
    json_t *doc = json_load_file(out, 0, &jerr);
    assert_non_null(doc);
    json_t *ents = json_object_get(doc, "entities");
    assert_string_equal(value_of(ents, "date"), "2026-03-11T22:10");
    assert_string_equal(value_of(ents, "phone"), "+4915123456789");
    assert_string_equal(value_of(ents, "iban"), "DE89370400440532013000");
    json_decref(doc);
    assert_true(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'assistant.use' AND actor LIKE 'cli:%'") >= 1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_entities_of_a_message),
        cmocka_unit_test(the_language_of_a_message),
        cmocka_unit_test(bad_check_digits_are_not_entities),
        cmocka_unit_test(invisible_characters_keep_the_spans),
        cmocka_unit_test(hostile_bodies_are_refused),
        cmocka_unit_test(the_assistant_is_for_the_police),
        cmocka_unit_test(every_analysis_is_audited_without_the_text),
        cmocka_unit_test(redactions_for_a_description),
        cmocka_unit_test(the_command_line_prints_the_same),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
