/*
 * API tests of the structured exchange (issue 14) against the real server:
 * a case created by a request received from a partner, read back in the
 * reader's language with its H1 marking, answered (the request's clock
 * ends), refused (with and without a ground, in the wrong language), paused
 * by a clarification and started again by its answer; the cross-check of a
 * second request's entities against those on file; who may do what (units,
 * roles, Art. 4); and hostile bodies refused with nothing stored, counted in
 * the database itself. Accounts act through API tokens.
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

/* The bearer headers of the accounts, by role. */
static char spoc[200], boss[200], krk[200], waw[200], officer[200];

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
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

/* A request received from Germany by the Polish SPOC: passport C01234567 of Azerbaijan. */
#define REQUEST_IN                                                                                 \
    "{\"type\":\"request\",\"subject\":\"Skradziony samochód\",\"originator\":{\"node\":\"DE\","  \
    "\"unit\":\"BKA-SPOC\",\"officer\":\"KOK Weber\"},\"addressees\":[{\"node\":\"PL\",\"unit\":"  \
    "\"KGP-SPOC\"}],\"lang\":\"pl\",\"handling\":\"H1\",\"evaluation\":{\"source\":\"B\","         \
    "\"information\":\"2\"},\"urgency\":\"urgent_indirect\",\"text\":\"Prosimy o dane.\","         \
    "\"entities\":[{\"ref\":\"p1\",\"kind\":\"person\",\"family\":\"Mammadov\"},{\"ref\":\"d1\","  \
    "\"kind\":\"document\",\"doc_type\":\"passport\",\"number\":\"C01234567\",\"country\":"        \
    "\"AZE\"}],\"links\":[{\"from\":\"p1\",\"to\":\"d1\",\"role\":\"holder_of\"}]}"

/* An answer of the SPOC to Germany, in lang, with extra members (",..." or ""). */
static void answer_body(char *out, size_t size, const char *lang, const char *extra)
{
    snprintf(out, size,
             "{\"originator\":{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"},\"addressees\":[{\"node\":"
             "\"DE\",\"unit\":\"BKA-SPOC\"}],\"lang\":\"%s\",\"handling\":\"H0\",\"evaluation\":"
             "{\"source\":\"A\",\"information\":\"1\"}%s}",
             lang, extra);
}

/* Receives REQUEST_IN as the SPOC; its id (and case into *case_id when asked). */
static long long receive_request(long long *case_id)
{
    struct api_response r;
    assert_int_equal(
        api_call_as(&server, spoc, "POST", "/api/v1/exchange/cases?direction=in", REQUEST_IN, &r),
        201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    if (case_id)
        *case_id = json_integer_value(json_object_get(r.json, "case"));
    assert_non_null(json_object_get(r.json, "due"));
    api_response_free(&r);
    return id;
}

static const char *state_of(long long id, char *out, size_t size)
{
    struct api_response r;
    char path[96];
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld", id);
    assert_int_equal(api_call_as(&server, spoc, "GET", path, NULL, &r), 200);
    snprintf(out, size, "%s", json_string_value(json_object_get(r.json, "state")));
    api_response_free(&r);
    return out;
}

static void accounts(void **state)
{
    (void)state;
    add_account("spoc.operator", "spoc_operator", "KGP-SPOC", spoc, sizeof spoc);
    add_account("spoc.boss", "spoc_supervisor", "KGP-SPOC", boss, sizeof boss);
    add_account("liaison.krk", "liaison_officer", "KWP-Krakow", krk, sizeof krk);
    add_account("liaison.waw", "liaison_officer", "KWP-Warszawa", waw, sizeof waw);
    char districts[64];
    api_db_text(&server, "SELECT id FROM districts ORDER BY id LIMIT 1", districts,
                sizeof districts);
    setenv("TARCZA_PASSWORD", PASSWORD, 1);
    assert_int_equal(api_run_cli(&server, "/dev/null", "user", "add", "beat.officer", "--role",
                                 "officer", "--districts", districts, NULL),
                     0);
    char out[320], token[160];
    snprintf(out, sizeof out, "%s/officer.token", server.dir);
    assert_int_equal(api_run_cli(&server, out, "user", "token", "beat.officer", NULL), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(fgets(token, sizeof token, f));
    fclose(f);
    token[strcspn(token, "\n")] = 0;
    snprintf(officer, sizeof officer, "Authorization: Bearer %s", token);
    /* An exchange role needs a unit. */
    assert_int_not_equal(api_run_cli(&server, "/dev/null", "user", "add", "no.unit", "--role",
                                     "liaison_officer", NULL),
                         0);
}

/* Received, read in the reader's language with its H1 marking, in the inbox, answered. */
static void request_read_and_answered(void **state)
{
    (void)state;
    long long case_id = 0, id = receive_request(&case_id);
    long long reads = api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action ="
                                           " 'exchange.read' AND outcome = 'ok'");
    struct api_response r;
    char path[128];
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld?lang=en", id);
    assert_int_equal(api_call_as(&server, spoc, "GET", path, NULL, &r), 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "state")), "open");
    assert_false(json_is_true(json_object_get(r.json, "overdue")));
    json_t *labels = json_object_get(r.json, "labels");
    assert_string_equal(json_string_value(json_object_get(labels, "type")), "request");
    json_t *mark = json_array_get(json_object_get(r.json, "markings"), 0);
    assert_string_equal(json_string_value(json_object_get(mark, "label")), "NOT FOR JUDICIAL USE");
    json_t *doc = json_array_get(json_object_get(r.json, "entities"), 1);
    assert_string_equal(json_string_value(json_object_get(doc, "country")), "AZ");
    api_response_free(&r);
    /* The read is in the audit log. */
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action ="
                                          " 'exchange.read' AND outcome = 'ok'"),
                     reads + 1);
    /* Arabic labels for the reader who asks for them. */
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld?lang=ar", id);
    assert_int_equal(api_call_as(&server, spoc, "GET", path, NULL, &r), 200);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "labels"), "type")), "طلب");
    api_response_free(&r);
    /* In the SPOC's inbox with its running deadline. */
    assert_int_equal(
        api_call_as(&server, spoc, "GET", "/api/v1/exchange/inbox?unit=KGP-SPOC", NULL, &r), 200);
    bool found = false;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r.json, "items"), i, item)
    {
        if (json_integer_value(json_object_get(item, "id")) == id) {
            found = true;
            assert_string_equal(json_string_value(json_object_get(item, "state")), "open");
            assert_non_null(json_object_get(item, "due"));
        }
    }
    assert_true(found);
    api_response_free(&r);
    /* The reply, in the request's language, ends its clock and joins its case. */
    char body[1024];
    answer_body(body, sizeof body, "pl", ",\"text\":\"Brak danych w rejestrach.\"");
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/reply", id);
    assert_int_equal(api_call_as(&server, spoc, "POST", path, body, &r), 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "case")), case_id);
    api_response_free(&r);
    char st[32];
    assert_string_equal(state_of(id, st, sizeof st), "answered");
    /* The case's thread holds both, oldest first. */
    snprintf(path, sizeof path, "/api/v1/exchange/cases/%lld", case_id);
    assert_int_equal(api_call_as(&server, spoc, "GET", path, NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    api_response_free(&r);
}

/* Art. 6: refused without a ground (422, nothing stored), in another language (422), then with
 * grounds and reasons (201: the clock ends as refused). */
static void refusals(void **state)
{
    (void)state;
    long long id = receive_request(NULL);
    char path[128], body[1024];
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/refusal", id);
    long before = api_count_rows(&server, "x_messages");
    struct api_response r;
    answer_body(body, sizeof body, "pl", ",\"reasons\":\"Nie\"");
    assert_int_equal(api_call_as(&server, spoc, "POST", path, body, &r), 422);
    assert_true(api_errors_name(&r, "/grounds"));
    api_response_free(&r);
    answer_body(body, sizeof body, "pl", ",\"grounds\":[\"a\"]");
    assert_int_equal(api_call_as(&server, spoc, "POST", path, body, &r), 422);
    assert_true(api_errors_name(&r, "/reasons"));
    api_response_free(&r);
    answer_body(body, sizeof body, "pl", ",\"grounds\":[\"z\"],\"reasons\":\"Nie\"");
    assert_int_equal(api_call_as(&server, spoc, "POST", path, body, &r), 422);
    assert_true(api_errors_name(&r, "/grounds/0"));
    api_response_free(&r);
    answer_body(body, sizeof body, "de", ",\"grounds\":[\"a\"],\"reasons\":\"Nicht da\"");
    assert_int_equal(api_call_as(&server, spoc, "POST", path, body, &r), 422);
    assert_true(api_errors_name(&r, "/lang"));
    api_response_free(&r);
    assert_int_equal(api_count_rows(&server, "x_messages"), before);
    char st[32];
    assert_string_equal(state_of(id, st, sizeof st), "open");
    answer_body(body, sizeof body, "pl",
                ",\"grounds\":[\"c\",\"f\"],\"reasons\":\"Sąd odmówił zgody; trwa śledztwo\"");
    assert_int_equal(api_status_as(&server, spoc, "POST", path, body), 201);
    assert_string_equal(state_of(id, st, sizeof st), "refused");
    assert_int_equal(api_count_rows(&server, "x_messages"), before + 1);
}

/* A clarification stops the request's clock; the partner's answer to it starts it again. */
static void clarification_pauses_the_clock(void **state)
{
    (void)state;
    long long id = receive_request(NULL);
    char path[128], body[1024], st[32];
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/clarification", id);
    answer_body(body, sizeof body, "pl", ",\"text\":\"Prosimy o numer VIN.\"");
    struct api_response r;
    assert_int_equal(api_call_as(&server, spoc, "POST", path, body, &r), 201);
    long long clarification = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    assert_string_equal(state_of(id, st, sizeof st), "paused");
    /* Stopped: never overdue, even past its deadline. */
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE x_messages SET at = at - 30 * 86400 WHERE id = %lld", id);
    api_db_exec(&server, sql);
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld", id);
    assert_int_equal(api_call_as(&server, spoc, "GET", path, NULL, &r), 200);
    assert_false(json_is_true(json_object_get(r.json, "overdue")));
    api_response_free(&r);
    /* Germany answers the clarification: the clock runs again, and is now overdue. */
    snprintf(body, sizeof body,
             "{\"originator\":{\"node\":\"DE\",\"unit\":\"BKA-SPOC\"},\"addressees\":[{\"node\":"
             "\"PL\",\"unit\":\"KGP-SPOC\"}],\"lang\":\"pl\",\"handling\":\"H0\",\"evaluation\":"
             "{\"source\":\"A\",\"information\":\"1\"},\"text\":\"VIN: WVWZZZ1JZXW000001\"}");
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/reply?direction=in", clarification);
    assert_int_equal(api_status_as(&server, spoc, "POST", path, body), 201);
    assert_string_equal(state_of(id, st, sizeof st), "open");
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld", id);
    assert_int_equal(api_call_as(&server, spoc, "GET", path, NULL, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "overdue")));
    api_response_free(&r);
}

/* Art. 16(d): a second request naming the same passport finds the first one's. */
static void cross_check_at_receipt(void **state)
{
    (void)state;
    long long first = receive_request(NULL);
    struct api_response r;
    assert_int_equal(
        api_call_as(&server, spoc, "POST", "/api/v1/exchange/cases?direction=in", REQUEST_IN, &r),
        201);
    json_t *hits = json_object_get(r.json, "hits");
    bool found = false;
    size_t i;
    json_t *h;
    json_array_foreach(hits, i, h)
    {
        found = found ||
                (json_integer_value(json_object_get(h, "message")) == first &&
                 strcmp(json_string_value(json_object_get(h, "key")), "doc:AZ:C01234567") == 0 &&
                 json_integer_value(json_object_get(h, "entity")) == 1);
    }
    assert_true(found);
    api_response_free(&r);
}

/* Sent by the Kraków unit to Germany; copy: the SPOC's copy (or "" for none). */
static void krk_request(char *out, size_t size, const char *copy, const char *extra)
{
    snprintf(out, size,
             "{\"type\":\"request\",\"subject\":\"Kradzież\",\"originator\":{\"node\":\"PL\","
             "\"unit\":\"KWP-Krakow\"},\"addressees\":[{\"node\":\"DE\",\"unit\":\"BKA-SPOC\"}%s],"
             "\"lang\":\"pl\",\"handling\":\"H2\",\"evaluation\":{\"source\":\"B\","
             "\"information\":\"3\"},\"urgency\":\"normal\"%s}",
             copy, extra);
}

/* Who may do what: units, roles, Art. 4; every refusal stores nothing and is audited. */
static void permissions(void **state)
{
    (void)state;
    long long id = receive_request(NULL);
    char path[128], body[1024];
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld", id);
    long refused = api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE outcome ="
                                        " 'refused' AND action LIKE 'exchange.%'");
    /* A partner's message is seen by the units it addresses (and the SPOC's supervisor). */
    assert_int_equal(api_status_as(&server, boss, "GET", path, NULL), 200);
    assert_int_equal(api_status_as(&server, waw, "GET", path, NULL), 403);
    assert_int_equal(api_status_as(&server, krk, "GET", path, NULL), 403);
    assert_int_equal(api_status_as(&server, officer, "GET", path, NULL), 403);
    assert_int_equal(api_status_as(&server, NULL, "GET", path, NULL), 401);
    assert_int_equal(
        api_status_as(&server, krk, "GET", "/api/v1/exchange/inbox?unit=KGP-SPOC", NULL), 403);
    assert_int_equal(
        api_status_as(&server, krk, "GET", "/api/v1/exchange/inbox?unit=KWP-Krakow", NULL), 200);
    assert_int_equal(
        api_status_as(&server, boss, "GET", "/api/v1/exchange/inbox?unit=KWP-Krakow", NULL), 200);
    long before = api_count_rows(&server, "x_messages");
    /* Only the addressed unit records a message received; nobody answers for another unit. */
    assert_int_equal(
        api_status_as(&server, waw, "POST", "/api/v1/exchange/cases?direction=in", REQUEST_IN),
        403);
    assert_int_equal(
        api_status_as(&server, officer, "POST", "/api/v1/exchange/cases?direction=in", REQUEST_IN),
        403);
    answer_body(body, sizeof body, "pl", "");
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/reply", id);
    assert_int_equal(api_status_as(&server, krk, "POST", path, body), 403);
    /* Art. 4: the Kraków unit's request abroad without the SPOC's copy, then with it. */
    krk_request(body, sizeof body, "", "");
    struct api_response r;
    assert_int_equal(api_call_as(&server, krk, "POST", "/api/v1/exchange/cases", body, &r), 422);
    assert_true(api_errors_name(&r, "/addressees"));
    api_response_free(&r);
    assert_int_equal(api_status_as(&server, waw, "POST", "/api/v1/exchange/cases", body), 403);
    assert_int_equal(api_count_rows(&server, "x_messages"), before);
    assert_true(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE outcome = 'refused'"
                                     " AND action LIKE 'exchange.%'") >= refused + 8);
    /* ... with an exception recorded with its reasons. */
    krk_request(body, sizeof body, "",
                ",\"art4_exception\":\"person_safety\",\"art4_reasons\":\"Świadek zagrożony\"");
    assert_int_equal(api_status_as(&server, krk, "POST", "/api/v1/exchange/cases", body), 201);
    krk_request(body, sizeof body, ",{\"node\":\"PL\",\"unit\":\"KGP-SPOC\",\"cc\":true}", "");
    assert_int_equal(api_call_as(&server, krk, "POST", "/api/v1/exchange/cases", body, &r), 201);
    long long sent = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    /* The SPOC reads its copy; Warsaw does not; Kraków's outbox shows it with its deadline. */
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld", sent);
    assert_int_equal(api_status_as(&server, spoc, "GET", path, NULL), 200);
    assert_int_equal(api_status_as(&server, waw, "GET", path, NULL), 403);
    assert_int_equal(api_call_as(&server, krk, "GET", "/api/v1/exchange/outbox", NULL, &r), 200);
    bool listed = false;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r.json, "items"), i, item)
    {
        listed = listed || (json_integer_value(json_object_get(item, "id")) == sent &&
                            json_object_get(item, "due") != NULL);
    }
    assert_true(listed);
    api_response_free(&r);
}

/* A hostile body is refused with the status that says why, and nothing is stored. */
static void hostile_bodies_store_nothing(void **state)
{
    (void)state;
    const char *tables[] = {"x_cases",         "x_messages",    "x_addressees", "x_entities",
                            "x_entity_fields", "x_entity_keys", "x_links"};
    long before[7];
    for (size_t i = 0; i < 7; i++)
        before[i] = api_count_rows(&server, tables[i]);
    const char *path = "/api/v1/exchange/cases?direction=in";
    assert_int_equal(api_status_as(&server, spoc, "POST", path, "not json"), 400);
    assert_int_equal(
        api_status_as(&server, spoc, "POST", path, "{\"type\":\"request\",\"type\":\"reply\"}"),
        400);
    assert_int_equal(api_status_as(&server, spoc, "POST", path, "{\"text\":\"\xc3\x28\"}"), 400);
    assert_int_equal(
        api_status_as(&server, spoc, "POST", path, "{\"entities\":[{\"a\":[[[[[[1]]]]]]}]}"), 400);
    struct api_response r;
    char body[4096];
    snprintf(body, sizeof body, "%s", REQUEST_IN);
    char *h = strstr(body, "\"H1\"");
    memcpy(h, "\"H7\"", 4); /* an unknown code */
    assert_int_equal(api_call_as(&server, spoc, "POST", path, body, &r), 422);
    assert_true(api_errors_name(&r, "/handling"));
    api_response_free(&r);
    snprintf(body, sizeof body, "%s", REQUEST_IN);
    memcpy(strstr(body, "\"C01234567\""), "12345678901", 11); /* a number, not a string */
    assert_int_equal(api_call_as(&server, spoc, "POST", path, body, &r), 422);
    assert_true(api_errors_name(&r, "/entities/1/number"));
    api_response_free(&r);
    snprintf(body, sizeof body, "%.*s,\"spy\":1}", (int)strlen(REQUEST_IN) - 1, REQUEST_IN);
    assert_int_equal(api_call_as(&server, spoc, "POST", path, body, &r), 422);
    assert_true(api_errors_name(&r, "/spy"));
    api_response_free(&r);
    /* Over 512 KiB: 413 before it is read. */
    size_t big = 600 * 1024;
    char *huge = malloc(big + 1);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    huge[big] = 0;
    assert_int_equal(api_status_as(&server, spoc, "POST", path, huge), 413);
    free(huge);
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(api_count_rows(&server, tables[i]), before[i]);
}

/* A notice: draft -> review -> published only with the neutrality check and by the SPOC's
 * supervisor -> cancelled only with a reason; every step audited. */
static void notice_lifecycle(void **state)
{
    (void)state;
    const char *notice =
        "{\"type\":\"notice\",\"notice_type\":\"yellow\",\"subject\":\"Zaginiona\","
        "\"originator\":{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"},\"addressees\":[{\"node\":"
        "\"INTERPOL\",\"unit\":\"IPSG\"}],\"lang\":\"en\",\"handling\":\"H0\",\"evaluation\":"
        "{\"source\":\"A\",\"information\":\"1\"},\"entities\":[{\"ref\":\"p\",\"kind\":"
        "\"person\",\"family\":\"Kowalska\",\"given\":\"Anna\",\"birth_date\":\"2011\"}]}";
    struct api_response r;
    assert_int_equal(api_call_as(&server, spoc, "POST", "/api/v1/exchange/cases", notice, &r), 201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/exchange/notices/%lld/transitions", id);
    long long steps = api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action ="
                                           " 'exchange.notice' AND outcome = 'ok'");
    assert_int_equal(
        api_status_as(&server, spoc, "POST", path, "{\"to\":\"published\",\"neutral\":true}"),
        422); /* a draft is reviewed first */
    assert_int_equal(api_status_as(&server, krk, "POST", path, "{\"to\":\"review\"}"), 403);
    assert_int_equal(api_status_as(&server, spoc, "POST", path, "{\"to\":\"review\"}"), 200);
    assert_int_equal(api_call_as(&server, boss, "POST", path, "{\"to\":\"published\"}", &r), 422);
    assert_true(api_errors_name(&r, "/neutral"));
    api_response_free(&r);
    assert_int_equal(
        api_status_as(&server, spoc, "POST", path, "{\"to\":\"published\",\"neutral\":true}"),
        403); /* the supervisor publishes */
    assert_int_equal(
        api_status_as(&server, boss, "POST", path,
                      "{\"to\":\"published\",\"neutral\":true,\"note\":\"neutralna\"}"),
        200);
    char st[32];
    api_db_text(&server, "SELECT state FROM x_notices ORDER BY message_id DESC LIMIT 1", st,
                sizeof st);
    assert_string_equal(st, "published");
    api_db_text(&server, "SELECT reviewed_by FROM x_notices ORDER BY message_id DESC LIMIT 1", st,
                sizeof st);
    assert_string_equal(st, "spoc.boss");
    assert_int_equal(api_status_as(&server, boss, "POST", path, "{\"to\":\"cancelled\"}"), 422);
    assert_int_equal(api_status_as(&server, boss, "POST", path,
                                   "{\"to\":\"cancelled\",\"note\":\"odnaleziona\"}"),
                     200);
    assert_int_equal(
        api_status_as(&server, boss, "POST", path, "{\"to\":\"published\",\"neutral\":true}"), 422);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action ="
                                          " 'exchange.notice' AND outcome = 'ok'"),
                     steps + 3);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-OF-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accounts),
        cmocka_unit_test(request_read_and_answered),
        cmocka_unit_test(refusals),
        cmocka_unit_test(clarification_pauses_the_clock),
        cmocka_unit_test(cross_check_at_receipt),
        cmocka_unit_test(permissions),
        cmocka_unit_test(hostile_bodies_store_nothing),
        cmocka_unit_test(notice_lifecycle),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
