/*
 * API tests of the exchange's football events, retention and diffusions
 * (issue 14) against the real server: an event announced by the Azerbaijani
 * NFIP and checked field by field, its risk assessment and supporter
 * movements, an NFIP message refused outside its event, the event view with
 * the threat map's reports around the venue in its window (and the radius
 * bounded), who may read it; a case concluded, listed in the retention queue,
 * due once its date has come, kept and then deleted, with the planted name
 * gone from the database file's bytes, each step audited; the same from the
 * command line; a diffusion that must go to chosen partners and is published
 * through the notices' lifecycle. Accounts act through API tokens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "api_client.h"

#define PASSWORD "correct horse battery"
#define PLANTED "Brzęczyszczykiewicz"
/* What the planted name and its folded form in the search index share (the index stores a word
 * after its stem, "brzecz" + "yszczykiewicz", so the folded word is never whole in the file). */
#define TAIL "yszczykiewicz"

static const char *tarcza_binary;
static struct api_server server;
static int server_exit_status;

static char nfip[200], spoc[200], boss[200], krk[200];

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

static void accounts(void **state)
{
    (void)state;
    add_account("nfip.operator", "spoc_operator", "KGP-NFIP", nfip, sizeof nfip);
    add_account("spoc.operator", "spoc_operator", "KGP-SPOC", spoc, sizeof spoc);
    add_account("spoc.boss", "spoc_supervisor", "KGP-SPOC", boss, sizeof boss);
    add_account("liaison.krk", "liaison_officer", "KWP-Krakow", krk, sizeof krk);
}

/* The head of a message from the Azerbaijani NFIP to the Polish one (no closing brace). */
#define FROM_AZ                                                                                    \
    "\"originator\":{\"node\":\"AZ\",\"unit\":\"AZ-NFIP\"},\"addressees\":[{\"node\":\"PL\","      \
    "\"unit\":\"KGP-NFIP\"}],\"lang\":\"en\",\"handling\":\"H0\",\"evaluation\":{\"source\":"      \
    "\"A\",\"information\":\"2\"}"

static void rfc3339(time_t t, char *out, size_t size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static long long post_report(double lat, double lon)
{
    char body[128];
    snprintf(body, sizeof body, "{\"category\":\"vandalism\",\"lat\":%.4f,\"lon\":%.4f}", lat, lon);
    struct api_response r;
    assert_int_equal(api_post_json(&server, "/api/v1/reports", body, &r), 0);
    assert_int_equal(r.status, 201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    return id;
}

static void event_announced_and_viewed(void **state)
{
    (void)state;
    char kickoff[32], body[2048], path[128];
    rfc3339(time(NULL) + 3600, kickoff, sizeof kickoff);
    long before_msgs = api_count_rows(&server, "x_messages");
    /* A bad event and a bad message at once: every mistake named, nothing stored. */
    struct api_response r;
    snprintf(body, sizeof body,
             "{\"subject\":\"Cracovia - Qarabağ\"," FROM_AZ ",\"event\":{\"competition\":\"UECL\","
             "\"home\":\"Cracovia\",\"venue\":\"Rynek\",\"country\":\"PL\",\"lat\":50.0617,"
             "\"lon\":19.9373,\"risk\":\"extreme\",\"capacity\":15000},\"urgency\":\"soon\"}");
    assert_int_equal(
        api_call_as(&server, nfip, "POST", "/api/v1/exchange/events?direction=in", body, &r), 422);
    assert_true(api_errors_name(&r, "/event/risk"));
    assert_true(api_errors_name(&r, "/event/capacity"));
    assert_true(api_errors_name(&r, "/urgency"));
    api_response_free(&r);
    snprintf(body, sizeof body,
             "{\"subject\":\"Cracovia - Qarabağ\"," FROM_AZ ",\"event\":{\"competition\":\"UECL\","
             "\"home\":\"Cracovia\",\"away\":\"Qarabağ FK\",\"venue\":\"Rynek\",\"country\":"
             "\"PL\",\"lat\":50.0617,\"lon\":19.9373,\"risk\":\"increased\"}}");
    assert_int_equal(
        api_call_as(&server, nfip, "POST", "/api/v1/exchange/events?direction=in", body, &r), 422);
    assert_true(api_errors_name(&r, "/event/kickoff"));
    api_response_free(&r);
    assert_int_equal(api_count_rows(&server, "x_messages"), before_msgs);
    assert_int_equal(api_count_rows(&server, "x_events"), 0);
    /* The event. */
    snprintf(body, sizeof body,
             "{\"subject\":\"Cracovia - Qarabağ\"," FROM_AZ ",\"event\":{\"competition\":\"UECL\","
             "\"home\":\"Cracovia\",\"away\":\"Qarabağ FK\",\"venue\":\"Rynek\",\"country\":"
             "\"POL\",\"lat\":50.0617,\"lon\":19.9373,\"kickoff\":\"%s\",\"risk\":\"high\"}}",
             kickoff);
    assert_int_equal(
        api_call_as(&server, nfip, "POST", "/api/v1/exchange/events?direction=in", body, &r), 201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    /* Its risk assessment and supporter movements; a movement without its route is refused. */
    snprintf(path, sizeof path, "/api/v1/exchange/events/%lld/messages?direction=in", id);
    assert_int_equal(api_call_as(&server, nfip, "POST", path,
                                 "{\"type\":\"nfip_risk\"," FROM_AZ
                                 ",\"nfip\":{\"phase\":\"operational\",\"risk\":\"high\"}}",
                                 &r),
                     201);
    api_response_free(&r);
    assert_int_equal(api_call_as(&server, nfip, "POST", path,
                                 "{\"type\":\"nfip_movement\"," FROM_AZ
                                 ",\"nfip\":{\"supporters\":3500,\"risk_supporters\":120,"
                                 "\"transport\":\"air\"}}",
                                 &r),
                     422);
    assert_true(api_errors_name(&r, "/nfip/route"));
    api_response_free(&r);
    assert_int_equal(api_status_as(&server, nfip, "POST", path,
                                   "{\"type\":\"nfip_movement\"," FROM_AZ
                                   ",\"nfip\":{\"supporters\":3500,\"risk_supporters\":120,"
                                   "\"transport\":\"air\",\"route\":\"GYD-KRK charters\"}}"),
                     201);
    /* Outside its event an NFIP message is refused. */
    assert_int_equal(api_call_as(&server, nfip, "POST", "/api/v1/exchange/cases?direction=in",
                                 "{\"type\":\"nfip_spotters\",\"subject\":\"x\"," FROM_AZ "}", &r),
                     422);
    assert_true(api_errors_name(&r, "/type"));
    api_response_free(&r);
    snprintf(path, sizeof path, "/api/v1/exchange/events/9999/messages?direction=in");
    assert_int_equal(api_status_as(&server, nfip, "POST", path,
                                   "{\"type\":\"nfip_spotters\"," FROM_AZ
                                   ",\"nfip\":{\"spotters\":4}}"),
                     404);

    /* Reports around the venue: one 60 m away, one 7 km away. */
    long long near = post_report(50.0620, 19.9380);
    post_report(50.0700, 20.0350);
    snprintf(path, sizeof path, "/api/v1/exchange/events/%lld?lang=en", id);
    long long reads = api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action ="
                                           " 'exchange.read' AND object LIKE 'xevent/%'");
    assert_int_equal(api_call_as(&server, nfip, "GET", path, NULL, &r), 200);
    json_t *ev = json_object_get(r.json, "event");
    assert_string_equal(json_string_value(json_object_get(ev, "away")), "Qarabağ FK");
    assert_string_equal(json_string_value(json_object_get(ev, "country")), "PL");
    json_t *risk = json_object_get(ev, "risk");
    assert_string_equal(json_string_value(json_object_get(risk, "label")), "high risk");
    json_t *msgs = json_object_get(r.json, "messages");
    assert_int_equal(json_array_size(msgs), 3);
    json_t *phase = json_object_get(json_object_get(json_array_get(msgs, 1), "nfip"), "phase");
    assert_string_equal(json_string_value(json_object_get(phase, "label")), "operational");
    json_t *mv = json_object_get(json_array_get(msgs, 2), "nfip");
    assert_int_equal(json_integer_value(json_object_get(mv, "supporters")), 3500);
    json_t *reports = json_object_get(r.json, "reports");
    assert_int_equal(json_array_size(reports), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(reports, 0), "id")), near);
    assert_true(json_integer_value(json_object_get(json_array_get(reports, 0), "distance_m")) <
                100);
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action ="
                                          " 'exchange.read' AND object LIKE 'xevent/%'"),
                     reads + 1);
    snprintf(path, sizeof path, "/api/v1/exchange/events/%lld?radius=20000", id);
    assert_int_equal(api_call_as(&server, nfip, "GET", path, NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "reports")), 2);
    api_response_free(&r);
    snprintf(path, sizeof path, "/api/v1/exchange/events/%lld?radius=0", id);
    assert_int_equal(api_status_as(&server, nfip, "GET", path, NULL), 422);
    /* A unit the announcement does not address: 403, audited; the list shows it no event. */
    snprintf(path, sizeof path, "/api/v1/exchange/events/%lld", id);
    assert_int_equal(api_status_as(&server, krk, "GET", path, NULL), 403);
    assert_true(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE outcome = 'refused'"
                                     " AND actor = 'liaison.krk'") >= 1);
    assert_int_equal(api_call_as(&server, krk, "GET", "/api/v1/exchange/events", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    api_response_free(&r);
    assert_int_equal(api_call_as(&server, nfip, "GET", "/api/v1/exchange/events", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    api_response_free(&r);
}

/* A request received by the SPOC naming the planted person; its case. */
static long long receive_case(void)
{
    const char *body =
        "{\"type\":\"request\",\"subject\":\"Oszustwo\",\"originator\":{\"node\":\"DE\","
        "\"unit\":\"BKA-SPOC\"},\"addressees\":[{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"}],"
        "\"lang\":\"pl\",\"handling\":\"H0\",\"evaluation\":{\"source\":\"B\",\"information\":"
        "\"2\"},\"urgency\":\"normal\",\"text\":\"Dane osoby " PLANTED ".\",\"entities\":[{"
        "\"ref\":\"p\",\"kind\":\"person\",\"family\":\"" PLANTED "\"},{\"ref\":\"c\",\"kind\":"
        "\"comm\",\"comm_kind\":\"email\",\"value\":\"brzeczy@example.org\"}]}";
    struct api_response r;
    assert_int_equal(
        api_call_as(&server, spoc, "POST", "/api/v1/exchange/cases?direction=in", body, &r), 201);
    long long case_id = json_integer_value(json_object_get(r.json, "case"));
    api_response_free(&r);
    return case_id;
}

static bool file_holds(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = strlen(needle), len = 0, cap = 1 << 20;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0)
        if ((len += got) == cap)
            buf = realloc(buf, cap *= 2);
    fclose(f);
    bool found = false;
    for (size_t i = 0; !found && i + n <= len; i++)
        found = memcmp(buf + i, needle, n) == 0;
    free(buf);
    return found;
}

static bool db_holds(const char *needle)
{
    char wal[320];
    snprintf(wal, sizeof wal, "%s-wal", server.db);
    return file_holds(server.db, needle) || file_holds(wal, needle);
}

static void retention_review_and_deletion(void **state)
{
    (void)state;
    long long case_id = receive_case();
    char path[128];
    struct api_response r;
    snprintf(path, sizeof path, "/api/v1/exchange/cases/%lld/conclusion", case_id);
    assert_int_equal(api_status_as(&server, krk, "POST", path, "{}"), 403);
    assert_int_equal(
        api_call_as(&server, spoc, "POST", path, "{\"reasons\":\"wymiana zakończona\"}", &r), 201);
    assert_string_equal(json_string_value(json_object_get(r.json, "state")), "concluded");
    assert_false(json_is_true(json_object_get(r.json, "due")));
    api_response_free(&r);
    assert_int_equal(api_status_as(&server, spoc, "POST", path, "{}"), 409);
    /* A concluded case takes no new message. */
    char msg[512];
    snprintf(msg, sizeof msg, "/api/v1/exchange/cases/%lld/messages?direction=in", case_id);
    assert_int_equal(
        api_status_as(&server, spoc, "POST", msg,
                      "{\"type\":\"information\",\"originator\":{\"node\":\"DE\","
                      "\"unit\":\"BKA-SPOC\"},\"addressees\":[{\"node\":\"PL\",\"unit\":"
                      "\"KGP-SPOC\"}],\"lang\":\"de\",\"handling\":\"H0\",\"evaluation\":"
                      "{\"source\":\"A\",\"information\":\"1\"}}"),
        409);
    /* The queue: listed, not due yet; due once its date has come (moved behind the server). */
    assert_int_equal(
        api_call_as(&server, spoc, "GET", "/api/v1/exchange/retention?lang=en", NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "first_review_days")), 180);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    api_response_free(&r);
    assert_int_equal(
        api_call_as(&server, spoc, "GET", "/api/v1/exchange/retention?due=true", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    api_response_free(&r);
    api_db_exec(&server, "UPDATE x_retention SET review_due = 1000");
    assert_int_equal(
        api_call_as(&server, boss, "GET", "/api/v1/exchange/retention?due=true", NULL, &r), 200);
    json_t *item = json_array_get(json_object_get(r.json, "items"), 0);
    assert_int_equal(json_integer_value(json_object_get(item, "case")), case_id);
    assert_true(json_is_true(json_object_get(item, "due")));
    api_response_free(&r);
    assert_int_equal(api_status_as(&server, krk, "GET", "/api/v1/exchange/retention", NULL), 403);
    assert_int_equal(
        api_status_as(&server, spoc, "GET", "/api/v1/exchange/retention?due=maybe", NULL), 422);
    /* Reviews: the supervisor's, with reasons; keep, then delete. */
    snprintf(path, sizeof path, "/api/v1/exchange/retention/%lld/review", case_id);
    assert_int_equal(
        api_status_as(&server, spoc, "POST", path, "{\"decision\":\"keep\",\"reasons\":\"x\"}"),
        403);
    assert_int_equal(api_call_as(&server, boss, "POST", path, "{\"decision\":\"keep\"}", &r), 422);
    assert_true(api_errors_name(&r, "/reasons"));
    api_response_free(&r);
    assert_int_equal(api_call_as(&server, boss, "POST", path,
                                 "{\"decision\":\"archive\",\"reasons\":\"x\"}", &r),
                     422);
    assert_true(api_errors_name(&r, "/decision"));
    api_response_free(&r);
    assert_int_equal(api_call_as(&server, boss, "POST", path,
                                 "{\"decision\":\"keep\",\"reasons\":\"postępowanie trwa\"}", &r),
                     200);
    assert_string_equal(json_string_value(json_object_get(r.json, "state")), "kept");
    assert_false(json_is_true(json_object_get(r.json, "due")));
    api_response_free(&r);
    assert_true(db_holds(PLANTED));
    /* The assistant's search indexes the message's words (folded) when first asked; asked for
     * another word of it, since the audit log keeps what was searched for. */
    assert_int_equal(
        api_call_as(&server, boss, "GET", "/api/v1/assistant/search?q=osoby", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "messages")), 1);
    api_response_free(&r);
    assert_true(db_holds(TAIL));
    assert_int_equal(api_call_as(&server, boss, "POST", path,
                                 "{\"decision\":\"delete\",\"reasons\":\"niepotrzebne\"}", &r),
                     200);
    assert_string_equal(json_string_value(json_object_get(r.json, "state")), "deleted");
    api_response_free(&r);
    /* Gone from the bytes of the database file and its WAL, not only hidden. */
    assert_false(db_holds(PLANTED));
    assert_false(db_holds(TAIL));
    assert_false(db_holds("brzeczy@example.org"));
    assert_int_equal(
        api_call_as(&server, boss, "GET", "/api/v1/assistant/search?q=osoby", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "messages")), 0);
    api_response_free(&r);
    assert_int_equal(
        api_status_as(&server, boss, "POST", path, "{\"decision\":\"delete\",\"reasons\":\"x\"}"),
        409);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action ="
                                          " 'exchange.retention' AND outcome = 'ok'"
                                          " AND fields NOT LIKE '%queue%'"),
                     3); /* concluded, kept, deleted */
}

static void retention_from_the_command_line(void **state)
{
    (void)state;
    long long case_id = receive_case();
    char id[32], out[320];
    snprintf(id, sizeof id, "%lld", case_id);
    snprintf(out, sizeof out, "%s/retention.txt", server.dir);
    assert_int_equal(api_run_cli(&server, "/dev/null", "exchange", "conclude", "--case", id,
                                 "--reasons", "koniec", NULL),
                     0);
    assert_int_equal(api_run_cli(&server, out, "exchange", "retention", NULL), 0);
    assert_true(file_holds(out, "concluded"));
    assert_int_not_equal(api_run_cli(&server, "/dev/null", "exchange", "review", "--case", id,
                                     "--decision", "later", "--reasons", "x", NULL),
                         0);
    assert_int_equal(api_run_cli(&server, "/dev/null", "exchange", "review", "--case", id,
                                 "--decision", "delete", "--reasons", "koniec", NULL),
                     0);
    assert_false(db_holds(PLANTED));
}

static void diffusion_to_chosen_partners(void **state)
{
    (void)state;
    const char *to_self =
        "{\"type\":\"diffusion\",\"subject\":\"Poszukiwany\",\"originator\":{\"node\":\"PL\","
        "\"unit\":\"KGP-SPOC\"},\"addressees\":[{\"node\":\"PL\",\"unit\":\"KWP-Krakow\"}],"
        "\"lang\":\"en\",\"handling\":\"H0\",\"evaluation\":{\"source\":\"A\",\"information\":"
        "\"1\"}}";
    struct api_response r;
    assert_int_equal(api_call_as(&server, spoc, "POST", "/api/v1/exchange/cases", to_self, &r),
                     422);
    assert_true(api_errors_name(&r, "/addressees"));
    api_response_free(&r);
    const char *to_partners =
        "{\"type\":\"diffusion\",\"subject\":\"Poszukiwany\",\"originator\":{\"node\":\"PL\","
        "\"unit\":\"KGP-SPOC\"},\"addressees\":[{\"node\":\"DE\",\"unit\":\"BKA-SPOC\"},{"
        "\"node\":\"CZ\",\"unit\":\"PCR-SPOC\"}],\"lang\":\"en\",\"handling\":\"H0\","
        "\"evaluation\":{\"source\":\"A\",\"information\":\"1\"}}";
    assert_int_equal(api_call_as(&server, spoc, "POST", "/api/v1/exchange/cases", to_partners, &r),
                     201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    char path[128], st[32];
    snprintf(path, sizeof path, "/api/v1/exchange/notices/%lld/transitions", id);
    api_db_text(&server, "SELECT state FROM x_notices ORDER BY message_id DESC LIMIT 1", st,
                sizeof st);
    assert_string_equal(st, "draft");
    assert_int_equal(api_status_as(&server, spoc, "POST", path, "{\"to\":\"review\"}"), 200);
    assert_int_equal(api_status_as(&server, boss, "POST", path, "{\"to\":\"published\"}"), 422);
    assert_int_equal(
        api_status_as(&server, boss, "POST", path, "{\"to\":\"published\",\"neutral\":true}"), 200);
    api_db_text(&server, "SELECT state FROM x_notices ORDER BY message_id DESC LIMIT 1", st,
                sizeof st);
    assert_string_equal(st, "published");
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
        cmocka_unit_test(event_announced_and_viewed),
        cmocka_unit_test(retention_review_and_deletion),
        cmocka_unit_test(retention_from_the_command_line),
        cmocka_unit_test(diffusion_to_chosen_partners),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
