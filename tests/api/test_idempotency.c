/*
 * Idempotency keys of reports (issue 19), against the real `tarcza serve`: a report sent again
 * under its Idempotency-Key is answered with the first answer (same id and tracking token,
 * 201, Idempotent-Replayed) and stored once, across a kill -9 and a restart too; the same key
 * with another body is 422 and stores nothing; sendings at once under one key store one
 * report; a malformed key is 400; the database keeps neither the key nor the token in clear.
 * Open311's POST requests.{json,xml} takes the key by the same rule, answering in its formats,
 * each key scoped to the API key that sent it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_client.h"

static const char *tarcza_binary;
static struct api_server server;
static int server_exit_status;

#define REPORT(text)                                                                               \
    "{\"category\":\"illegal_parking\",\"lat\":50.0617,\"lon\":19.9373,\"description\":\"" text    \
    "\"}"

static int start_server(void **state)
{
    (void)state;
    if (api_prepare(&server, tarcza_binary, 10) != 0)
        return -1;
    return api_start(&server);
}

static int stop_server(void **state)
{
    (void)state;
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

/* POSTs body under the header line key_header (NULL: none); keeps r; returns the status. */
static long post_with(const char *key_header, const char *body, struct api_response *r)
{
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    server.extra_headers[0] = key_header;
    assert_int_equal(api_post_json(&server, "/api/v1/reports", body, r), 0);
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    return r->status;
}

static json_int_t jid(const struct api_response *r)
{
    assert_non_null(r->json);
    return json_integer_value(json_object_get(r->json, "id"));
}

static const char *jtoken(const struct api_response *r)
{
    return json_string_value(json_object_get(r->json, "token"));
}

static void a_replay_returns_the_first_answer_and_stores_nothing(void **state)
{
    (void)state;
    const char *key = "Idempotency-Key: \"5f0c6a1e-8d3b-4c2a-9e71-0b6d2f4a8c11\"";
    long before = api_count_reports(&server);
    struct api_response first, again, other;
    assert_int_equal(post_with(key, REPORT("Samochód na przejściu."), &first), 201);
    char replayed[16] = "";
    assert_int_not_equal(api_header(&first, "Idempotent-Replayed", replayed, sizeof replayed), 0);
    assert_int_equal(api_count_reports(&server), before + 1);

    assert_int_equal(post_with(key, REPORT("Samochód na przejściu."), &again), 201);
    assert_int_equal(jid(&again), jid(&first));
    assert_string_equal(jtoken(&again), jtoken(&first));
    assert_int_equal(api_header(&again, "Idempotent-Replayed", replayed, sizeof replayed), 0);
    assert_string_equal(replayed, "true");
    char loc1[64] = "", loc2[64] = "";
    assert_int_equal(api_header(&first, "Location", loc1, sizeof loc1), 0);
    assert_int_equal(api_header(&again, "Location", loc2, sizeof loc2), 0);
    assert_string_equal(loc1, loc2);
    assert_int_equal(api_count_reports(&server), before + 1);

    /* The same key with another body: refused, named, nothing stored. */
    assert_int_equal(post_with(key, REPORT("Inny opis."), &other), 422);
    assert_true(api_errors_name(&other, "Idempotency-Key"));
    assert_int_equal(api_count_reports(&server), before + 1);

    /* The tracking token of the replay opens the report. */
    char path[160];
    snprintf(path, sizeof path, "/api/v1/reports/%lld?token=%s", (long long)jid(&first),
             jtoken(&first));
    struct api_response mine;
    assert_int_equal(api_get(&server, path, &mine), 0);
    assert_int_equal(mine.status, 200);
    api_response_free(&mine);
    api_response_free(&first);
    api_response_free(&again);
    api_response_free(&other);
}

static void without_a_key_each_sending_is_a_report(void **state)
{
    (void)state;
    long before = api_count_reports(&server);
    struct api_response a, b;
    assert_int_equal(post_with(NULL, REPORT("Bez klucza."), &a), 201);
    assert_int_equal(post_with(NULL, REPORT("Bez klucza."), &b), 201);
    assert_int_not_equal(jid(&a), jid(&b));
    assert_int_equal(api_count_reports(&server), before + 2);
    api_response_free(&a);
    api_response_free(&b);
}

static void a_malformed_key_is_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "Idempotency-Key: \"short\"",                                     /* under 16 characters */
        "Idempotency-Key: \"has a space inside the key\"",                /* not a token */
        "Idempotency-Key: \"caf\xc3\xa9-caf\xc3\xa9-caf\xc3\xa9-12345\"", /* not ASCII */
        "Idempotency-Key: "
        "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", /* over 128 */
    };
    long before = api_count_reports(&server);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct api_response r;
        assert_int_equal(post_with(bad[i], REPORT("Zły klucz."), &r), 400);
        assert_true(api_errors_name(&r, "Idempotency-Key"));
        api_response_free(&r);
    }
    assert_int_equal(api_count_reports(&server), before);
    /* A bare key (without the quotes of a structured-field string) is taken. */
    struct api_response ok;
    assert_int_equal(
        post_with("Idempotency-Key: 0d9a3f52-bare-key-4b1e-9c77", REPORT("Goły."), &ok), 201);
    api_response_free(&ok);
}

struct sender {
    json_int_t id;
    long status;
};

static void *send_once(void *arg)
{
    struct sender *s = arg;
    struct api_response r;
    if (api_post_json(&server, "/api/v1/reports", REPORT("Naraz."), &r) == 0) {
        s->status = r.status;
        s->id = r.json ? json_integer_value(json_object_get(r.json, "id")) : 0;
        api_response_free(&r);
    }
    return NULL;
}

/* Sendings at once under one key (the commit's unique key settles it): one report, one id. */
static void sendings_at_once_store_one_report(void **state)
{
    (void)state;
    enum { N = 8 };
    long before = api_count_reports(&server);
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    server.extra_headers[0] = "Idempotency-Key: \"9b2e1c44-at-once-4f0d-8a3b-7e6c5d4b3a21\"";
    pthread_t t[N];
    struct sender s[N] = {0};
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&t[i], NULL, send_once, &s[i]), 0);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    json_int_t id = 0;
    for (int i = 0; i < N; i++) {
        /* 409 only while the first is being written, never a second report */
        assert_true(s[i].status == 201 || s[i].status == 409);
        if (s[i].status == 201) {
            if (!id)
                id = s[i].id;
            assert_int_equal(s[i].id, id);
        }
    }
    assert_true(id > 0);
    assert_int_equal(api_count_reports(&server), before + 1);
}

/* Acknowledged means durable: after kill -9 and a restart the replay still finds the report. */
static void a_replay_after_kill_9_finds_the_report(void **state)
{
    (void)state;
    const char *key = "Idempotency-Key: \"e4d1b7a0-kill-9-4c3e-b2a1-90f8e7d6c5b4\"";
    struct api_response first, again, other;
    assert_int_equal(post_with(key, REPORT("Przed awarią."), &first), 201);
    long before = api_count_reports(&server);
    api_stop(&server, SIGKILL);
    assert_int_equal(api_start(&server), 0);
    assert_int_equal(post_with(key, REPORT("Przed awarią."), &again), 201);
    assert_int_equal(jid(&again), jid(&first));
    assert_string_equal(jtoken(&again), jtoken(&first));
    assert_int_equal(post_with(key, REPORT("Po awarii."), &other), 422);
    assert_int_equal(api_count_reports(&server), before);

    /* Neither the key nor the token is in the database in clear (each backend's own search of
     * bytes). */
    char sql[320], hex[256] = "";
    bool pg = api_db_is_pg(&server);
    char token_clause[128], key_clause[96];
    snprintf(token_clause, sizeof token_clause,
             pg ? "position(convert_to('%s', 'UTF8') in token_seal) = 0"
                : "instr(token_seal, CAST('%s' AS BLOB)) = 0",
             jtoken(&first));
    snprintf(key_clause, sizeof key_clause, "%s",
             pg ? "position(convert_to('e4d1b7a0', 'UTF8') in key_hash) = 0"
                : "instr(key_hash, CAST('e4d1b7a0' AS BLOB)) = 0");
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM report_idempotency WHERE report_id = %lld AND %s AND %s",
             (long long)jid(&first), token_clause, key_clause);
    assert_int_equal(api_db_long(&server, sql), 1);
    api_db_text(&server,
                pg ? "SELECT encode(token_seal, 'hex') FROM report_idempotency LIMIT 1"
                   : "SELECT hex(token_seal) FROM report_idempotency LIMIT 1",
                hex, sizeof hex);
    assert_true(strlen(hex) > 0);
    api_response_free(&first);
    api_response_free(&again);
    api_response_free(&other);
}

/* ---- Open311's POST requests.{json,xml}: the same rule, Open311's formats ------------------ */

/* Issues an API key through the command line (as an admin would) into key. */
static void new_api_key(const char *name, char *key, size_t size)
{
    char out[300], text[128] = "";
    long long id = 0;
    snprintf(out, sizeof out, "%s/key.txt", server.dir);
    assert_int_equal(api_run_cli(&server, out, "apikey", "add", name, NULL), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%lld %127s", &id, text), 2);
    fclose(f);
    unlink(out);
    snprintf(key, size, "%s", text);
}

/* POSTs form to path under the header line key_header (NULL: none); keeps r; the status. */
static long post_form_with(const char *path, const char *key_header, const char *form,
                           struct api_response *r)
{
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    server.extra_headers[0] = key_header;
    assert_int_equal(api_request(&server, "POST", path, "application/x-www-form-urlencoded", form,
                                 strlen(form), 0, r),
                     0);
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    return r->status;
}

/* The service_request_id of a JSON answer [{"service_request_id": N, ...}]. */
static json_int_t o311_id(const struct api_response *r)
{
    assert_true(json_is_array(r->json));
    return json_integer_value(json_object_get(json_array_get(r->json, 0), "service_request_id"));
}

static bool replayed(const struct api_response *r)
{
    char v[16] = "";
    return api_header(r, "Idempotent-Replayed", v, sizeof v) == 0 && strcmp(v, "true") == 0;
}

static void an_open311_replay_returns_the_first_answer_in_open311s_format(void **state)
{
    (void)state;
    char api_key[128], form[400], other[400], xml_id[80];
    new_api_key("idem-city", api_key, sizeof api_key);
    const char *key = "Idempotency-Key: \"3c1d9e27-open311-4a6b-8f02-5e7d1c9b0a34\"";
    snprintf(form, sizeof form,
             "api_key=%s&service_code=illegal_parking&lat=50.0617&long=19.9373"
             "&description=Auto+na+chodniku",
             api_key);
    snprintf(other, sizeof other,
             "api_key=%s&service_code=illegal_parking&lat=50.0617&long=19.9373"
             "&description=Inne+auto",
             api_key);
    long before = api_count_reports(&server);
    struct api_response first, again, as_xml, conflict, v1;
    assert_int_equal(post_form_with("/open311/v2/requests.json", key, form, &first), 200);
    assert_false(replayed(&first));
    json_int_t id = o311_id(&first);
    assert_true(id > 0);
    assert_int_equal(api_count_reports(&server), before + 1);

    /* Sent again: the first answer, stored once; in XML when asked in XML. */
    assert_int_equal(post_form_with("/open311/v2/requests.json", key, form, &again), 200);
    assert_true(replayed(&again));
    assert_int_equal(o311_id(&again), id);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(again.json, 0), "service_notice")),
        json_string_value(json_object_get(json_array_get(first.json, 0), "service_notice")));
    assert_int_equal(post_form_with("/open311/v2/requests.xml", key, form, &as_xml), 200);
    assert_true(replayed(&as_xml));
    snprintf(xml_id, sizeof xml_id, "<service_request_id>%lld</service_request_id>", (long long)id);
    assert_non_null(strstr(as_xml.body, "<service_requests>"));
    assert_non_null(strstr(as_xml.body, xml_id));

    /* Another body under the same key: refused in Open311's errors format, nothing stored. */
    assert_int_equal(post_form_with("/open311/v2/requests.json", key, other, &conflict), 422);
    json_t *err = json_array_get(conflict.json, 0);
    assert_int_equal(json_integer_value(json_object_get(err, "code")), 422);
    assert_non_null(
        strstr(json_string_value(json_object_get(err, "description")), "Idempotency-Key"));
    /* The same key on /api/v1/reports is another key: a citizen's never meets a partner's. */
    assert_int_equal(post_with(key, REPORT("Inny klient."), &v1), 201);
    assert_int_not_equal(jid(&v1), id);
    assert_int_equal(api_count_reports(&server), before + 2);
    api_response_free(&first);
    api_response_free(&again);
    api_response_free(&as_xml);
    api_response_free(&conflict);
    api_response_free(&v1);
}

/* A key belongs to the API key that sent it: another partner's same key and body is new. */
static void an_open311_key_is_scoped_to_its_api_key(void **state)
{
    (void)state;
    char k1[128], k2[128], path[300];
    new_api_key("idem-one", k1, sizeof k1);
    new_api_key("idem-two", k2, sizeof k2);
    const char *key = "Idempotency-Key: 7a2f0c9e-scoped-4d1b-9e63-2b8c4f1a0d57";
    const char *form = "service_code=illegal_parking&lat=50.0617&long=19.9373";
    long before = api_count_reports(&server);
    struct api_response a, b, c;
    snprintf(path, sizeof path, "/open311/v2/requests.json?api_key=%s", k1);
    assert_int_equal(post_form_with(path, key, form, &a), 200);
    assert_int_equal(post_form_with(path, key, form, &c), 200);
    assert_true(replayed(&c));
    assert_int_equal(o311_id(&c), o311_id(&a));
    snprintf(path, sizeof path, "/open311/v2/requests.json?api_key=%s", k2);
    assert_int_equal(post_form_with(path, key, form, &b), 200);
    assert_false(replayed(&b));
    assert_int_not_equal(o311_id(&b), o311_id(&a));
    assert_int_equal(api_count_reports(&server), before + 2);
    api_response_free(&a);
    api_response_free(&b);
    api_response_free(&c);
}

struct o311_sender {
    const char *form;
    json_int_t id;
    long status;
};

static void *send_form_once(void *arg)
{
    struct o311_sender *s = arg;
    struct api_response r;
    if (api_request(&server, "POST", "/open311/v2/requests.json",
                    "application/x-www-form-urlencoded", s->form, strlen(s->form), 0, &r) == 0) {
        s->status = r.status;
        s->id = json_is_array(r.json) ? json_integer_value(json_object_get(
                                            json_array_get(r.json, 0), "service_request_id"))
                                      : 0;
        api_response_free(&r);
    }
    return NULL;
}

/* Open311 sendings at once under one key: one report, one id (or 409 while it is written). */
static void open311_sendings_at_once_store_one_report(void **state)
{
    (void)state;
    enum { N = 6 };
    char api_key[128], form[300];
    new_api_key("idem-at-once", api_key, sizeof api_key);
    snprintf(form, sizeof form, "api_key=%s&service_code=illegal_parking&lat=50.0617&long=19.9373",
             api_key);
    long before = api_count_reports(&server);
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    server.extra_headers[0] = "Idempotency-Key: \"c8e2a9f1-o311-once-4b7d-a6e0-1f3c5d7b9e20\"";
    pthread_t t[N];
    struct o311_sender s[N];
    for (int i = 0; i < N; i++) {
        s[i] = (struct o311_sender){.form = form};
        assert_int_equal(pthread_create(&t[i], NULL, send_form_once, &s[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    json_int_t id = 0;
    for (int i = 0; i < N; i++) {
        assert_true(s[i].status == 200 || s[i].status == 409);
        if (s[i].status == 200) {
            if (!id)
                id = s[i].id;
            assert_int_equal(s[i].id, id);
        }
    }
    assert_true(id > 0);
    assert_int_equal(api_count_reports(&server), before + 1);
}

static void a_malformed_open311_key_is_refused_in_open311s_format(void **state)
{
    (void)state;
    char api_key[128], form[300];
    new_api_key("idem-bad", api_key, sizeof api_key);
    snprintf(form, sizeof form, "api_key=%s&service_code=illegal_parking&lat=50.0617&long=19.9373",
             api_key);
    long before = api_count_reports(&server);
    struct api_response r;
    assert_int_equal(
        post_form_with("/open311/v2/requests.xml", "Idempotency-Key: \"short\"", form, &r), 400);
    assert_non_null(strstr(r.body, "<errors><error><code>400</code>"));
    assert_non_null(strstr(r.body, "Idempotency-Key"));
    api_response_free(&r);
    assert_int_equal(api_count_reports(&server), before);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_replay_returns_the_first_answer_and_stores_nothing),
        cmocka_unit_test(without_a_key_each_sending_is_a_report),
        cmocka_unit_test(a_malformed_key_is_refused),
        cmocka_unit_test(sendings_at_once_store_one_report),
        cmocka_unit_test(a_replay_after_kill_9_finds_the_report),
        cmocka_unit_test(an_open311_replay_returns_the_first_answer_in_open311s_format),
        cmocka_unit_test(an_open311_key_is_scoped_to_its_api_key),
        cmocka_unit_test(open311_sendings_at_once_store_one_report),
        cmocka_unit_test(a_malformed_open311_key_is_refused_in_open311s_format),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
