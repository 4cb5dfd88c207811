/*
 * test_screening_message - a screening hit turned into an exchange request in one action, over
 * the real server: a notice published through the exchange API is hit by a person query; POST
 * /api/v1/screening/hit-message sends its owner a request in the notice's case with the notice's
 * subject as its entity (201, read back by the owner's unit), audited in the message's
 * transaction with the hit and the reason; per-field errors (422), a role that may screen but
 * not send (403), nobody (401), and a notice cancelled since the hit (404), each refusal
 * audited.
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

static const char *tarcza_binary;
static struct api_server server;
static int server_exit_status;
static char analyst[200], spoc[200], boss[200], liaison[200];

/* Makes an account of role (in unit, or none) and its token's Authorization header. */
static void token_for(const char *name, const char *role, const char *unit, char *out, size_t size)
{
    assert_int_equal(api_make_unit_token(&server, name, role, unit, out, size), 0);
}

static int start_server(void **state)
{
    (void)state;
    if (api_prepare(&server, tarcza_binary, 0) != 0 || api_start(&server) != 0)
        return -1;
    token_for("msg.analyst", "analyst", NULL, analyst, sizeof analyst);
    token_for("spoc.operator", "spoc_operator", "KGP-SPOC", spoc, sizeof spoc);
    token_for("spoc.boss", "spoc_supervisor", "KGP-SPOC", boss, sizeof boss);
    token_for("krakow.liaison", "liaison_officer", "KWP-KRAKOW", liaison, sizeof liaison);
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

/* A request as who (NULL: nobody); the status, r kept for the caller. */
static long call(const char *method, const char *who, const char *path, const char *body,
                 struct api_response *r)
{
    return api_call_as(&server, who, method, path, body, r);
}

/* A yellow notice of the SPOC, published: its id. */
static long long publish_notice(void)
{
    const char *notice =
        "{\"type\":\"notice\",\"notice_type\":\"yellow\",\"subject\":\"Zaginiona\","
        "\"originator\":{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"},\"addressees\":[{\"node\":"
        "\"INTERPOL\",\"unit\":\"IPSG\"}],\"lang\":\"pl\",\"handling\":\"H0\",\"evaluation\":"
        "{\"source\":\"A\",\"information\":\"1\"},\"entities\":[{\"ref\":\"p\",\"kind\":"
        "\"person\",\"family\":\"Wiśniewska\",\"given\":\"Zofia\",\"birth_date\":\"2011\"}]}";
    struct api_response r;
    char path[128];
    assert_int_equal(call("POST", spoc, "/api/v1/exchange/cases", notice, &r), 201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    snprintf(path, sizeof path, "/api/v1/exchange/notices/%lld/transitions", id);
    assert_int_equal(call("POST", spoc, path, "{\"to\":\"review\"}", &r), 200);
    api_response_free(&r);
    assert_int_equal(call("POST", boss, path, "{\"to\":\"published\",\"neutral\":true}", &r), 200);
    api_response_free(&r);
    return id;
}

static void a_hit_becomes_a_request_in_one_action(void **state)
{
    (void)state;
    long long notice = publish_notice();
    struct api_response r;
    /* The liaison screens and is answered with the notice's hit. */
    assert_int_equal(call("POST", liaison, "/api/v1/screening/persons",
                          "{\"name\":\"Zofia Wisniewska\",\"reason\":\"hotel register\"}", &r),
                     200);
    json_t *hit = json_array_get(json_object_get(r.json, "hits"), 0);
    char record[64], want[64];
    snprintf(record, sizeof record, "%s", json_string_value(json_object_get(hit, "record_id")));
    snprintf(want, sizeof want, "%lld/p", notice);
    assert_string_equal(record, want);
    assert_string_equal(json_string_value(json_object_get(hit, "source")), "notices");
    api_response_free(&r);

    char body[512];
    snprintf(body, sizeof body,
             "{\"source\":\"notices\",\"record_id\":\"%s\",\"reason\":\"hotel register, case "
             "3/2026\",\"text\":\"Checked in at Hotel Wawel, room 12.\"}",
             record);
    long before = (long)api_db_long(&server, "SELECT COUNT(*) FROM audit_log");
    assert_int_equal(call("POST", liaison, "/api/v1/screening/hit-message", body, &r), 201);
    long long id = json_integer_value(json_object_get(r.json, "message_id"));
    long long case_id = json_integer_value(json_object_get(r.json, "case_id"));
    assert_true(id > notice);
    assert_int_equal(json_integer_value(json_object_get(r.json, "notice_id")), notice);
    json_t *to = json_object_get(r.json, "to");
    assert_string_equal(json_string_value(json_object_get(to, "node")), "PL");
    assert_string_equal(json_string_value(json_object_get(to, "unit")), "KGP-SPOC");
    assert_non_null(json_string_value(json_object_get(r.json, "due")));
    api_response_free(&r);
    /* One audit entry, the message's, naming the hit and the reason. */
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log"), before + 1);
    char note[600], action[64], actor[64], want2[160];
    api_db_text(&server, "SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1", action,
                sizeof action);
    api_db_text(&server, "SELECT actor FROM audit_log ORDER BY seq DESC LIMIT 1", actor,
                sizeof actor);
    api_db_text(&server, "SELECT note FROM audit_log ORDER BY seq DESC LIMIT 1", note, sizeof note);
    assert_string_equal(action, "exchange.send");
    assert_string_equal(actor, "krakow.liaison");
    snprintf(want2, sizeof want2, "from screening hit notices/%s: hotel register, case 3/2026",
             record);
    assert_string_equal(note, want2);
    /* The owner reads it: a request in the notice's case, its subject the entity. */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld", id);
    assert_int_equal(call("GET", spoc, path, NULL, &r), 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "type")), "request");
    assert_int_equal(json_integer_value(json_object_get(r.json, "case")), case_id);
    json_t *e = json_array_get(json_object_get(r.json, "entities"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "family")), "Wiśniewska");
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "text")), "Hotel Wawel"));
    api_response_free(&r);
    snprintf(path, sizeof path, "/api/v1/exchange/notices/%lld", notice);
    assert_int_equal(call("GET", spoc, path, NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "case")), case_id);
    api_response_free(&r);

    /* Refused: fields (422), a role that screens but sends nothing (403), nobody (401). */
    assert_int_equal(call("POST", liaison, "/api/v1/screening/hit-message",
                          "{\"source\":\"wanted\",\"record_id\":\"7\",\"urgency\":\"now\"}", &r),
                     422);
    assert_non_null(strstr(r.body, "/source"));
    assert_non_null(strstr(r.body, "/record_id"));
    assert_non_null(strstr(r.body, "/urgency"));
    assert_non_null(strstr(r.body, "/reason"));
    api_response_free(&r);
    assert_int_equal(call("POST", analyst, "/api/v1/screening/hit-message", body, &r), 403);
    api_response_free(&r);
    assert_int_equal(call("POST", NULL, "/api/v1/screening/hit-message", body, &r), 401);
    api_response_free(&r);
    assert_true(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE actor = 'msg.analyst'"
                                     " AND outcome = 'refused' AND object ="
                                     " 'screening/hit-message'") >= 1);
    /* Cancelled since the hit: 404, nothing sent. */
    snprintf(path, sizeof path, "/api/v1/exchange/notices/%lld/transitions", notice);
    assert_int_equal(
        call("POST", boss, path, "{\"to\":\"cancelled\",\"note\":\"odnaleziona\"}", &r), 200);
    api_response_free(&r);
    long sent = (long)api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action ="
                                           " 'exchange.send'");
    assert_int_equal(call("POST", liaison, "/api/v1/screening/hit-message", body, &r), 404);
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action ="
                                          " 'exchange.send'"),
                     sent);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-OF-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_hit_becomes_a_request_in_one_action),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
