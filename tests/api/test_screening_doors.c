/*
 * test_screening_doors - screening of documents, vehicles and batches over the real server,
 * and the exchange's notices reaching it: lists of documents (CSV) and vehicles (JSON lines)
 * imported with `tarcza watchlist import`; POST /api/v1/screening/documents and /vehicles
 * answering each hit with its record and its explanation (the number as read, same or
 * confusable at which positions, the VIN's check digit, the plate for its country), per-field
 * errors, the permission (admin 403, nobody 401) and the audit; POST /api/v1/screening/batch
 * answering every item and audited once; `tarcza screen document|vehicle|batch`; and a notice
 * published through the exchange API found by the next person query, cancelled and gone.
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

#define PASSWORD "correct horse battery staple"

static const char *tarcza_binary;
static struct api_server server;
static int server_exit_status;
static char analyst[200], admin[200], spoc[200], boss[200];

static const char SLTD[] = "id,number,type,country,status,valid_until\n"
                           "sltd-1,EA 123-4567,passport,PL,stolen,2030-01-31\n"
                           "sltd-2,XY0I1,id_card,DEU,lost,\n"
                           "sltd-3,,passport,POL,stolen,\n";

static const char SMV[] =
    "{\"id\":\"smv-1\",\"vin\":\"1M8GDM9AXKP042788\",\"plate\":\"WX 12345\","
    "\"plate_country\":\"PL\",\"make\":\"Ford\",\"colour\":\"red\",\"status\":\"stolen\"}\n"
    "{\"id\":\"smv-2\",\"kind\":\"vehicle\",\"plate\":\"АА 1234 ВВ\",\"plate_country\":\"UA\"}\n"
    "{\"id\":\"p-1\",\"name\":\"Jan Kowalski\"}\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    fclose(f);
}

/* Makes an account of role (in unit, or none) and its token's Authorization header. */
static void token_for(const char *name, const char *role, const char *unit, char *out, size_t size)
{
    char path[300], token[128];
    setenv("TARCZA_PASSWORD", PASSWORD, 1);
    if (unit)
        assert_int_equal(api_run_cli(&server, "/dev/null", "user", "add", name, "--role", role,
                                     "--unit", unit, NULL),
                         0);
    else
        assert_int_equal(
            api_run_cli(&server, "/dev/null", "user", "add", name, "--role", role, NULL), 0);
    snprintf(path, sizeof path, "%s/token.txt", server.dir);
    assert_int_equal(api_run_cli(&server, path, "user", "token", name, NULL), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(token, sizeof token, f));
    fclose(f);
    token[strcspn(token, "\n")] = '\0';
    snprintf(out, size, "Authorization: Bearer %s", token);
}

static void import(const char *name, const char *text)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", server.dir, name);
    write_file(path, text);
    assert_int_equal(api_run_cli(&server, "/dev/null", "watchlist", "import", path, NULL), 0);
}

static int start_server(void **state)
{
    (void)state;
    if (api_prepare(&server, tarcza_binary, 0) != 0 || api_start(&server) != 0)
        return -1;
    token_for("doors.analyst", "analyst", NULL, analyst, sizeof analyst);
    token_for("doors.admin", "admin", NULL, admin, sizeof admin);
    token_for("spoc.operator", "spoc_operator", "KGP-SPOC", spoc, sizeof spoc);
    token_for("spoc.boss", "spoc_supervisor", "KGP-SPOC", boss, sizeof boss);
    import("sltd.csv", SLTD);
    import("smv.json", SMV);
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

/* A request as who (NULL: nobody); the status, r kept for the caller. */
static long call(const char *who, const char *path, const char *body, struct api_response *r)
{
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    server.extra_headers[0] = who;
    int rc = api_request(&server, "POST", path, "application/json", body, strlen(body), 0, r);
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    assert_int_equal(rc, 0);
    return r->status;
}

static const char *str_at(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(o, a);
    return json_string_value(b ? json_object_get(v, b) : v);
}

static void documents_are_answered_with_why(void **state)
{
    (void)state;
    struct api_response r;
    assert_int_equal(call(analyst, "/api/v1/screening/documents",
                          "{\"number\":\"ea1234567\",\"country\":\"POL\",\"reason\":\"border\"}",
                          &r),
                     200);
    assert_string_equal(str_at(json_object_get(r.json, "query"), "number", "normal"), "EA1234567");
    assert_true(json_boolean_value(json_object_get(
        json_object_get(json_object_get(r.json, "query"), "number"), "case_folded")));
    json_t *hits = json_object_get(r.json, "hits");
    assert_int_equal(json_array_size(hits), 1);
    json_t *h = json_array_get(hits, 0);
    assert_string_equal(str_at(h, "source", NULL), "sltd");
    assert_string_equal(str_at(h, "record_id", NULL), "sltd-1");
    assert_string_equal(str_at(h, "explanation", "match"), "same");
    assert_string_equal(str_at(h, "explanation", "key"), "number");
    assert_string_equal(str_at(h, "document", "status"), "stolen");
    assert_string_equal(str_at(h, "document", "valid_until"), "2030-01-31");
    assert_string_equal(str_at(h, "explanation", "text"),
                        "passport EA1234567 (POL, stolen): the same number and issuing state");
    api_response_free(&r);
    /* O typed for 0: a confusable hit, at position 3. */
    assert_int_equal(call(analyst, "/api/v1/screening/documents",
                          "{\"number\":\"XYOI1\",\"reason\":\"border\"}", &r),
                     200);
    h = json_array_get(json_object_get(r.json, "hits"), 0);
    assert_string_equal(str_at(h, "explanation", "match"), "confusable");
    json_t *pos = json_object_get(json_object_get(h, "explanation"), "confused_positions");
    assert_int_equal(json_array_size(pos), 1);
    assert_int_equal(json_integer_value(json_array_get(pos, 0)), 3);
    api_response_free(&r);
    /* An MRZ with a bad check digit: the digit found and the one expected, each digit told. */
    assert_int_equal(call(analyst, "/api/v1/screening/documents",
                          "{\"mrz\":\"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\\n"
                          "L898902C37UTO7408122F1204159ZE184226B<<<<<10\",\"reason\":\"e-gate\"}",
                          &r),
                     200);
    json_t *mrz = json_object_get(json_object_get(r.json, "query"), "mrz");
    assert_string_equal(str_at(mrz, "format", NULL), "TD3");
    assert_string_equal(str_at(mrz, "number", NULL), "L898902C3");
    assert_false(json_boolean_value(json_object_get(mrz, "valid")));
    json_t *d0 = json_array_get(json_object_get(mrz, "check_digits"), 0);
    assert_string_equal(str_at(d0, "digit", NULL), "document number");
    assert_string_equal(str_at(d0, "check", NULL), "bad");
    assert_string_equal(str_at(d0, "found", NULL), "7");
    assert_string_equal(str_at(d0, "expected", NULL), "6");
    api_response_free(&r);
    /* Fields, permission, audit. */
    assert_int_equal(call(analyst, "/api/v1/screening/documents", "{\"country\":\"XX\"}", &r), 422);
    assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 3);
    api_response_free(&r);
    assert_int_equal(call(admin, "/api/v1/screening/documents",
                          "{\"number\":\"EA1234567\",\"reason\":\"x\"}", &r),
                     403);
    api_response_free(&r);
    assert_int_equal(call(NULL, "/api/v1/screening/documents",
                          "{\"number\":\"EA1234567\",\"reason\":\"x\"}", &r),
                     401);
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action ="
                                          " 'screening.query' AND object = 'screening/documents'"
                                          " AND outcome = 'ok'"),
                     3);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action ="
                                          " 'screening.query' AND object = 'screening/documents'"
                                          " AND outcome = 'refused'"),
                     1);
    assert_true(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE actor = 'doors.admin'"
                                     " AND outcome = 'refused'") >= 1);
}

static void vehicles_are_answered_with_why(void **state)
{
    (void)state;
    struct api_response r;
    assert_int_equal(call(analyst, "/api/v1/screening/vehicles",
                          "{\"vin\":\"1M8GDM9A1KP042788\",\"plate\":\"wx-12345\","
                          "\"plate_country\":\"PL\",\"reason\":\"patrol\"}",
                          &r),
                     200);
    json_t *q = json_object_get(r.json, "query");
    assert_string_equal(str_at(q, "vin", "check_digit"), "bad");
    assert_string_equal(str_at(q, "vin", "check_found"), "1");
    assert_string_equal(str_at(q, "vin", "check_expected"), "X");
    assert_string_equal(str_at(q, "plate", "normal"), "WX12345");
    json_t *hits = json_object_get(r.json, "hits");
    assert_int_equal(json_array_size(hits), 1); /* by its plate: the VIN differs */
    json_t *h = json_array_get(hits, 0);
    assert_string_equal(str_at(h, "record_id", NULL), "smv-1");
    assert_string_equal(str_at(h, "explanation", "key"), "plate");
    assert_string_equal(str_at(h, "vehicle", "make"), "Ford");
    assert_string_equal(str_at(h, "vehicle", "status"), "stolen");
    api_response_free(&r);
    /* A Ukrainian plate typed in Latin meets the one listed in Cyrillic. */
    assert_int_equal(call(analyst, "/api/v1/screening/vehicles",
                          "{\"plate\":\"AA1234BB\",\"plate_country\":\"UA\",\"reason\":\"x\"}", &r),
                     200);
    h = json_array_get(json_object_get(r.json, "hits"), 0);
    assert_string_equal(str_at(h, "record_id", NULL), "smv-2");
    api_response_free(&r);
    assert_int_equal(call(analyst, "/api/v1/screening/vehicles", "{\"reason\":\"x\"}", &r), 422);
    assert_string_equal(str_at(json_array_get(json_object_get(r.json, "errors"), 0), "field", NULL),
                        "/vin");
    api_response_free(&r);
}

static void a_batch_is_answered_and_audited_once(void **state)
{
    (void)state;
    struct api_response r;
    long before = (long)api_db_long(&server, "SELECT COUNT(*) FROM audit_log");
    assert_int_equal(call(analyst, "/api/v1/screening/batch",
                          "{\"reason\":\"flight LO 281\",\"items\":[{\"name\":\"Kowalski Jan\"},"
                          "{\"number\":\"EA1234567\",\"country\":\"PL\"},"
                          "{\"kind\":\"vehicle\",\"plate\":\"WX12345\",\"plate_country\":\"PL\"},"
                          "{\"kind\":\"person\",\"name\":\"Nobody Atall\"}]}",
                          &r),
                     200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 4);
    assert_int_equal(json_integer_value(json_object_get(r.json, "items_with_hits")), 3);
    json_t *res = json_object_get(r.json, "results");
    assert_string_equal(str_at(json_array_get(res, 1), "kind", NULL), "document");
    json_t *a0 = json_object_get(json_array_get(res, 0), "answer");
    assert_string_equal(str_at(json_array_get(json_object_get(a0, "hits"), 0), "record_id", NULL),
                        "p-1");
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log"), before + 1);
    char fields[512];
    api_db_text(&server, "SELECT fields FROM audit_log ORDER BY seq DESC LIMIT 1", fields,
                sizeof fields);
    assert_non_null(strstr(fields, "\"items\":4"));
    /* A bad item refuses the batch and names it. */
    assert_int_equal(call(analyst, "/api/v1/screening/batch",
                          "{\"reason\":\"x\",\"items\":[{\"name\":\"Jan\"},{\"kind\":\"document\"},"
                          "{\"name\":\"Jan\",\"nmae\":\"y\"}]}",
                          &r),
                     422);
    json_t *errors = json_object_get(r.json, "errors");
    assert_string_equal(str_at(json_array_get(errors, 0), "field", NULL), "/items/2/nmae");
    api_response_free(&r);
    assert_int_equal(call(analyst, "/api/v1/screening/batch",
                          "{\"reason\":\"x\",\"items\":[{\"kind\":\"document\"}]}", &r),
                     422);
    assert_string_equal(str_at(json_array_get(json_object_get(r.json, "errors"), 0), "field", NULL),
                        "/items/0/number");
    api_response_free(&r);
    assert_int_equal(
        call(analyst, "/api/v1/screening/batch", "{\"reason\":\"x\",\"items\":[]}", &r), 422);
    api_response_free(&r);
    assert_int_equal(call(admin, "/api/v1/screening/batch",
                          "{\"reason\":\"x\",\"items\":[{\"name\":\"Jan\"}]}", &r),
                     403);
    api_response_free(&r);
}

/* Reads the file at path into buf and parses it as JSON. */
static json_t *read_json(const char *path)
{
    static char text[65536];
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    json_error_t jerr;
    json_t *v = json_loads(text, 0, &jerr);
    assert_non_null(v);
    return v;
}

static void the_command_line_screens_too(void **state)
{
    (void)state;
    char out[300], path[300];
    snprintf(out, sizeof out, "%s/out.json", server.dir);
    assert_int_equal(api_run_cli(&server, out, "screen", "document", "EA 1234567", "--country",
                                 "PL", "--reason", "desk check", NULL),
                     0);
    json_t *v = read_json(out);
    assert_int_equal(json_array_size(json_object_get(v, "hits")), 1);
    json_decref(v);
    assert_int_equal(api_run_cli(&server, out, "screen", "vehicle", "--vin", "1M8GDM9AXKP042788",
                                 "--reason", "desk check", NULL),
                     0);
    v = read_json(out);
    assert_string_equal(str_at(json_object_get(v, "query"), "vin", "check_digit"), "ok");
    assert_int_equal(json_array_size(json_object_get(v, "hits")), 1);
    json_decref(v);
    snprintf(path, sizeof path, "%s/batch.jsonl", server.dir);
    write_file(path, "{\"name\":\"Jan Kowalski\"}\n\n{\"vin\":\"1M8GDM9AXKP042788\"}\n");
    assert_int_equal(api_run_cli(&server, out, "screen", "batch", path, "--reason", "hotel", NULL),
                     0);
    v = read_json(out);
    assert_int_equal(json_integer_value(json_object_get(v, "count")), 2);
    assert_int_equal(json_integer_value(json_object_get(v, "items_with_hits")), 2);
    json_decref(v);
    write_file(path, "{\"name\":\"Jan Kowalski\"}\nnot json\n");
    assert_int_not_equal(
        api_run_cli(&server, "/dev/null", "screen", "batch", path, "--reason", "hotel", NULL), 0);
}

/* The number of hits of a person query as the analyst, and the first's record id. */
static size_t person_hits(const char *name, char *record, size_t cap)
{
    char body[256];
    struct api_response r;
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"reason\":\"border\"}", name);
    assert_int_equal(call(analyst, "/api/v1/screening/persons", body, &r), 200);
    json_t *hits = json_object_get(r.json, "hits");
    size_t n = json_array_size(hits);
    if (n)
        snprintf(record, cap, "%s/%s", str_at(json_array_get(hits, 0), "source", NULL),
                 str_at(json_array_get(hits, 0), "record_id", NULL));
    api_response_free(&r);
    return n;
}

static void a_published_notice_is_screened_until_cancelled(void **state)
{
    (void)state;
    const char *notice =
        "{\"type\":\"notice\",\"notice_type\":\"yellow\",\"subject\":\"Zaginiona\","
        "\"originator\":{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"},\"addressees\":[{\"node\":"
        "\"INTERPOL\",\"unit\":\"IPSG\"}],\"lang\":\"en\",\"handling\":\"H0\",\"evaluation\":"
        "{\"source\":\"A\",\"information\":\"1\"},\"entities\":[{\"ref\":\"p\",\"kind\":"
        "\"person\",\"family\":\"Wiśniewska\",\"given\":\"Zofia\",\"birth_date\":\"2011\"}]}";
    struct api_response r;
    char record[128] = "", path[128], want[64];
    assert_int_equal(person_hits("Zofia Wisniewska", record, sizeof record), 0);
    assert_int_equal(call(spoc, "/api/v1/exchange/cases", notice, &r), 201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    assert_int_equal(person_hits("Zofia Wisniewska", record, sizeof record), 0); /* a draft */
    snprintf(path, sizeof path, "/api/v1/exchange/notices/%lld/transitions", id);
    assert_int_equal(call(spoc, path, "{\"to\":\"review\"}", &r), 200);
    api_response_free(&r);
    assert_int_equal(call(boss, path, "{\"to\":\"published\",\"neutral\":true}", &r), 200);
    api_response_free(&r);
    assert_int_equal(person_hits("Zofia Wisniewska", record, sizeof record), 1);
    snprintf(want, sizeof want, "notices/%lld/p", id);
    assert_string_equal(record, want);
    assert_int_equal(call(boss, path, "{\"to\":\"cancelled\",\"note\":\"odnaleziona\"}", &r), 200);
    api_response_free(&r);
    assert_int_equal(person_hits("Zofia Wisniewska", record, sizeof record), 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-OF-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(documents_are_answered_with_why),
        cmocka_unit_test(vehicles_are_answered_with_why),
        cmocka_unit_test(a_batch_is_answered_and_audited_once),
        cmocka_unit_test(the_command_line_screens_too),
        cmocka_unit_test(a_published_notice_is_screened_until_cancelled),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
