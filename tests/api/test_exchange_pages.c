/*
 * API tests of what the exchange's web pages read beside a message
 * (api_exchange_codes.c), against the real server: every coded table in
 * each language with no label missing; a notice with its state and the steps
 * each role may make from it, as the lifecycle moves; the cross-check hits of
 * a stored request (only what was on file when it came); who may read them
 * (403, audited) and what is not there (404). Accounts act through API tokens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api_client.h"

#define PASSWORD "correct horse battery"

static const char *tarcza_binary;
static struct api_server server;
static int server_exit_status;

static char spoc[200], boss[200], krk[200];

/* An account of role at unit (may be NULL) and its bearer header. */
static void add_account(const char *name, const char *role, const char *unit, char *header,
                        size_t size)
{
    assert_int_equal(api_make_unit_token(&server, name, role, unit, header, size), 0);
}

static int start_server(void **state)
{
    (void)state;
    if (api_prepare(&server, tarcza_binary, 0) != 0 || api_start(&server) != 0)
        return -1;
    add_account("spoc.operator", "spoc_operator", "KGP-SPOC", spoc, sizeof spoc);
    add_account("spoc.boss", "spoc_supervisor", "KGP-SPOC", boss, sizeof boss);
    add_account("liaison.krk", "liaison_officer", "KWP-Krakow", krk, sizeof krk);
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

/* Posts body to path as who, expecting 201; the new message's id. */
static long long post_message(const char *who, const char *path, const char *body)
{
    struct api_response r;
    assert_int_equal(api_call_as(&server, who, "POST", path, body, &r), 201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    return id;
}

static long long audited(const char *action, const char *outcome)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit_log WHERE action = '%s' AND outcome = '%s'", action,
             outcome);
    return api_db_long(&server, sql);
}

/* Every table in every language: rows with a code and a label; the reader's language picks. */
static void codes_in_every_language(void **state)
{
    (void)state;
    static const char *const langs[] = {"pl", "en", "fr", "es", "ar"};
    static const char *const tables[] = {"message_type",
                                         "handling_code",
                                         "source_evaluation",
                                         "information_evaluation",
                                         "urgency",
                                         "refusal_ground",
                                         "art4_exception",
                                         "notice_type",
                                         "document_type",
                                         "document_status",
                                         "entity_kind",
                                         "link_role",
                                         "sex",
                                         "communication_kind",
                                         "asset_kind",
                                         "country",
                                         "marking",
                                         "nfip_phase",
                                         "risk_category",
                                         "transport",
                                         "retention_state"};
    size_t rows_pl[sizeof tables / sizeof *tables] = {0};
    for (size_t l = 0; l < sizeof langs / sizeof *langs; l++) {
        char path[64];
        snprintf(path, sizeof path, "/api/v1/exchange/codes?lang=%s", langs[l]);
        struct api_response r;
        assert_int_equal(api_call_as(&server, spoc, "GET", path, NULL, &r), 200);
        assert_string_equal(json_string_value(json_object_get(r.json, "lang")), langs[l]);
        assert_string_equal(json_string_value(json_object_get(r.json, "node")), "PL");
        assert_string_equal(json_string_value(json_object_get(r.json, "spoc_unit")), "KGP-SPOC");
        json_t *all = json_object_get(r.json, "tables");
        assert_int_equal(json_object_size(all), sizeof tables / sizeof *tables);
        for (size_t t = 0; t < sizeof tables / sizeof *tables; t++) {
            json_t *rows = json_object_get(all, tables[t]);
            assert_true(json_array_size(rows) > 0);
            if (l == 0)
                rows_pl[t] = json_array_size(rows);
            assert_int_equal(json_array_size(rows), rows_pl[t]); /* the same rows in each */
            size_t i;
            json_t *row;
            json_array_foreach(rows, i, row)
            {
                assert_true(strlen(json_string_value(json_object_get(row, "code"))) > 0);
                assert_true(strlen(json_string_value(json_object_get(row, "label"))) > 0);
            }
        }
        json_t *grounds = json_object_get(all, "refusal_ground");
        assert_int_equal(json_array_size(grounds), 8); /* Art. 6(1)(a)-(h) */
        assert_string_equal(json_string_value(json_object_get(json_array_get(grounds, 7), "code")),
                            "h");
        api_response_free(&r);
    }
    /* English by Accept-Language; an unknown language falls back to Polish. */
    struct api_response r;
    server.extra_headers[0] = spoc;
    server.extra_headers[1] = "Accept-Language: en-GB,en;q=0.8";
    assert_int_equal(api_request(&server, "GET", "/api/v1/exchange/codes", NULL, NULL, 0, 0, &r),
                     0);
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "lang")), "en");
    api_response_free(&r);
    assert_int_equal(api_call_as(&server, spoc, "GET", "/api/v1/exchange/codes?lang=xx", NULL, &r),
                     200);
    assert_string_equal(json_string_value(json_object_get(r.json, "lang")), "pl");
    api_response_free(&r);
    /* For the police only. */
    assert_int_equal(api_status_as(&server, NULL, "GET", "/api/v1/exchange/codes", NULL), 401);
}

#define NOTICE                                                                                     \
    "{\"type\":\"notice\",\"subject\":\"Czerwona nota\",\"originator\":{\"node\":\"PL\","          \
    "\"unit\":\"KGP-SPOC\"},\"addressees\":[{\"node\":\"INTERPOL\",\"unit\":\"IPSG\"}],\"lang\":"  \
    "\"pl\",\"handling\":\"H0\",\"evaluation\":{\"source\":\"A\",\"information\":\"1\"},"          \
    "\"notice_type\":\"red\",\"entities\":[{\"ref\":\"p1\",\"kind\":\"person\",\"family\":"        \
    "\"Kowalski\"}]}"

/* The state and the steps offered ("to" joined by commas, each "!" if it records why and "*"
 * if it records the neutrality check) of notice id as who reads it. */
static void notice_as(const char *who, long long id, const char *state, const char *steps)
{
    char path[96], got[128] = "";
    snprintf(path, sizeof path, "/api/v1/exchange/notices/%lld?lang=en", id);
    struct api_response r;
    assert_int_equal(api_call_as(&server, who, "GET", path, NULL, &r), 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "notice_state")), state);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "labels"), "notice_type")),
        "Red Notice");
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(r.json, "transitions"), i, s)
    {
        size_t n = strlen(got);
        snprintf(got + n, sizeof got - n, "%s%s%s%s", i ? "," : "",
                 json_string_value(json_object_get(s, "to")),
                 json_is_true(json_object_get(s, "note_required")) ? "!" : "",
                 json_is_true(json_object_get(s, "neutrality_required")) ? "*" : "");
    }
    api_response_free(&r);
    assert_string_equal(got, steps);
}

static void move(const char *who, long long id, const char *body)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/exchange/notices/%lld/transitions", id);
    assert_int_equal(api_status_as(&server, who, "POST", path, body), 200);
}

/* A notice's state and the steps each role may make, through its lifecycle; reads audited. */
static void notice_state_and_steps(void **state)
{
    (void)state;
    long long id = post_message(spoc, "/api/v1/exchange/cases", NOTICE);
    long long reads = audited("exchange.read", "ok");
    notice_as(spoc, id, "draft", "review");
    assert_int_equal(audited("exchange.read", "ok"), reads + 1);
    notice_as(boss, id, "draft", "review");
    move(spoc, id, "{\"to\":\"review\"}");
    notice_as(spoc, id, "review", ""); /* the supervisor decides */
    notice_as(boss, id, "review", "draft!,published*");
    move(boss, id, "{\"to\":\"published\",\"neutral\":true}");
    notice_as(spoc, id, "published", "expired");
    notice_as(boss, id, "published", "cancelled!,expired");
    move(boss, id, "{\"to\":\"cancelled\",\"note\":\"Osoba zatrzymana\"}");
    notice_as(boss, id, "cancelled", "");
    /* Another unit's liaison officer may not read it: refused and audited. */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/exchange/notices/%lld", id);
    long long refused = audited("exchange.read", "refused");
    assert_int_equal(api_status_as(&server, krk, "GET", path, NULL), 403);
    assert_int_equal(audited("exchange.read", "refused"), refused + 1);
    /* A message that is no notice, and none at all. */
    long long request = post_message(
        spoc, "/api/v1/exchange/cases?direction=in",
        "{\"type\":\"request\",\"subject\":\"Pytanie\",\"originator\":{\"node\":\"DE\",\"unit\":"
        "\"BKA-SPOC\"},\"addressees\":[{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"}],\"lang\":\"de\","
        "\"handling\":\"H0\",\"evaluation\":{\"source\":\"A\",\"information\":\"1\"},"
        "\"urgency\":\"normal\"}");
    snprintf(path, sizeof path, "/api/v1/exchange/notices/%lld", request);
    assert_int_equal(api_status_as(&server, spoc, "GET", path, NULL), 404);
    assert_int_equal(api_status_as(&server, spoc, "GET", "/api/v1/exchange/notices/999999", NULL),
                     404);
    assert_int_equal(api_status_as(&server, NULL, "GET", path, NULL), 401);
}

/* A request from Germany naming passport `number` of Azerbaijan; its id. */
static long long receive(const char *subject, const char *number)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"type\":\"request\",\"subject\":\"%s\",\"originator\":{\"node\":\"DE\",\"unit\":"
             "\"BKA-SPOC\"},\"addressees\":[{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"}],\"lang\":"
             "\"pl\",\"handling\":\"H1\",\"evaluation\":{\"source\":\"B\",\"information\":\"2\"},"
             "\"urgency\":\"normal\",\"entities\":[{\"ref\":\"p1\",\"kind\":\"person\",\"family\":"
             "\"Mammadov\"},{\"ref\":\"d1\",\"kind\":\"document\",\"doc_type\":\"passport\","
             "\"number\":\"%s\",\"country\":\"AZE\"}]}",
             subject, number);
    return post_message(spoc, "/api/v1/exchange/cases?direction=in", body);
}

static json_t *hits_of(const char *who, long long id, struct api_response *r)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/hits", id);
    assert_int_equal(api_call_as(&server, who, "GET", path, NULL, r), 200);
    return json_object_get(r->json, "items");
}

/* The hits of a stored request: the entities on file when it came, by exact key. */
static void hits_read_again(void **state)
{
    (void)state;
    long long first = receive("Pierwszy", "X77001122");
    long long second = receive("Drugi", "X 7700-1122");
    struct api_response r;
    json_t *items = hits_of(spoc, second, &r);
    assert_int_equal(json_array_size(items), 1);
    json_t *hit = json_array_get(items, 0);
    assert_int_equal(json_integer_value(json_object_get(hit, "message")), first);
    assert_int_equal(json_integer_value(json_object_get(hit, "entity")), 1); /* its document */
    assert_string_equal(json_string_value(json_object_get(hit, "key")), "doc:AZ:X77001122");
    api_response_free(&r);
    /* The first had nothing on file when it came; the second came after it. */
    items = hits_of(boss, first, &r);
    assert_int_equal(json_array_size(items), 0);
    api_response_free(&r);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/hits", second);
    assert_int_equal(api_status_as(&server, krk, "GET", path, NULL), 403);
    assert_int_equal(
        api_status_as(&server, spoc, "GET", "/api/v1/exchange/messages/999999/hits", NULL), 404);
    assert_int_equal(api_status_as(&server, spoc, "POST", path, "{}"), 405);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-OF-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_in_every_language),
        cmocka_unit_test(notice_state_and_steps),
        cmocka_unit_test(hits_read_again),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
