/*
 * API tests of the assistant's links and summaries against the real `tarcza serve`:
 * POST /api/v1/assistant/analyse with "link": true screens the persons found against the
 * watch-lists and matches phones, documents, vehicles and accounts against exchange's cases by
 * exact key, each hit beside its entity with its explanation, and only in messages the caller
 * may read; POST /api/v1/assistant/summarise answers the extractive summary and the model's
 * beside it through `serve --llm-url` (a libmicrohttpd double of the OpenAI-compatible API in
 * this test), and when the model answers garbage says so and keeps the extractive one; both
 * are audited without the text. `tarcza assist language|summarise|search` print the same
 * documents for a file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api_client.h"

static const char *tarcza_binary;
static struct api_server server;
static int server_exit_status;
static char spoc[200], officer[200];

/* ---- the model server's double: a fixed chat completion, or garbage ---- */

static volatile bool model_garbage;
static volatile int model_requests;

static enum MHD_Result model_handler(void *cls, struct MHD_Connection *c, const char *url,
                                     const char *method, const char *version, const char *data,
                                     size_t *size, void **st)
{
    (void)cls, (void)url, (void)method, (void)version, (void)data;
    if (*st == NULL) {
        *st = c;
        model_requests++;
        return MHD_YES;
    }
    if (*size > 0) {
        *size = 0;
        return MHD_YES;
    }
    const char *body = model_garbage
                           ? "<html>upstream error</html>"
                           : "{\"model\":\"double\",\"choices\":[{\"message\":{\"role\":"
                             "\"assistant\",\"content\":\"Jan Kowalski uciekł z Krakowa.\"}}]}";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

static struct MHD_Daemon *model;
static char model_url[64];

static void add_account(const char *name, const char *role, const char *unit, char *header,
                        size_t size)
{
    assert_int_equal(api_make_unit_token(&server, name, role, unit, header, size), 0);
}

static int start_server(void **state)
{
    (void)state;
    model = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                             NULL, NULL, model_handler, NULL, MHD_OPTION_END);
    if (!model)
        return -1;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(model, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(model_url, sizeof model_url, "http://127.0.0.1:%u", (unsigned)info->port);
    if (api_prepare(&server, tarcza_binary, 0) != 0)
        return -1;
    server.serve_args[0] = "--llm-url";
    server.serve_args[1] = model_url;
    if (api_start(&server) != 0)
        return -1;
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    server_exit_status = api_finish(&server);
    MHD_stop_daemon(model);
    return server_exit_status == 0 ? 0 : -1;
}

static long call(const char *who, const char *method, const char *path, const char *body,
                 struct api_response *r)
{
    long status = api_call_as(&server, who, method, path, body, r);
    if (getenv("TZ_TEST_VERBOSE"))
        fprintf(stderr, "%ld %s\n", r->status, r->body);
    return status;
}

/* A message received from Germany: a phone, a passport of Azerbaijan and a car. */
#define REQUEST_IN                                                                                 \
    "{\"type\":\"request\",\"subject\":\"Oszustwo\",\"originator\":{\"node\":\"DE\",\"unit\":"     \
    "\"BKA-SPOC\"},\"addressees\":[{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"}],\"lang\":\"pl\","      \
    "\"handling\":\"H1\",\"evaluation\":{\"source\":\"B\",\"information\":\"2\"},\"urgency\":"     \
    "\"urgent_indirect\",\"text\":\"Prosimy o dane abonenta "                                      \
    "Алиев.\",\"entities\":[{\"ref\":\"c1\",\"kind\":"                                        \
    "\"comm\",\"comm_kind\":\"phone\",\"value\":\"+48601234567\"},{\"ref\":\"d1\",\"kind\":"       \
    "\"document\",\"doc_type\":\"passport\",\"number\":\"C01234567\",\"country\":\"AZE\"}]}"

static long long received_case;

/* The link of kind beside the entity of type in an answer; NULL if none. */
static json_t *link_of(json_t *doc, const char *type, const char *kind)
{
    json_t *ents = json_object_get(doc, "entities"), *l;
    size_t i;
    json_array_foreach(json_object_get(doc, "links"), i, l)
    {
        json_t *e = json_array_get(ents, (size_t)json_integer_value(json_object_get(l, "entity")));
        if (strcmp(json_string_value(json_object_get(e, "type")), type) == 0 &&
            strcmp(json_string_value(json_object_get(l, "kind")), kind) == 0)
            return l;
    }
    return NULL;
}

static void setup_data(void **state)
{
    (void)state;
    add_account("spoc1", "spoc_operator", "KGP-SPOC", spoc, sizeof spoc);
    add_account("kowal", "officer", "KRK-01", officer, sizeof officer);
    struct api_response r;
    assert_int_equal(call(spoc, "POST", "/api/v1/exchange/cases?direction=in", REQUEST_IN, &r),
                     201);
    received_case = json_integer_value(json_object_get(r.json, "case"));
    api_response_free(&r);
    char path[300];
    snprintf(path, sizeof path, "%s/list.csv", server.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("id,name,birth_date\nWL-7,Jan Kowalski,1980\n", f);
    fclose(f);
    assert_int_equal(api_run_cli(&server, "/dev/null", "watchlist", "import", path, NULL), 0);
}

static const char TEXT[] = "{\"link\":true,\"text\":\"Pan Jan Kowalski dzwonił z numeru "
                           "+48 601 234 567, okazał paszport C01234567.\"}";

static void what_is_found_is_linked_to_what_is_on_file(void **state)
{
    (void)state;
    struct api_response r;
    assert_int_equal(call(spoc, "POST", "/api/v1/assistant/analyse", TEXT, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "matched")));
    assert_true(json_is_true(json_object_get(r.json, "screened")));
    json_t *phone = link_of(r.json, "phone", "case");
    assert_non_null(phone);
    assert_string_equal(json_string_value(json_object_get(phone, "key")), "phone:+48601234567");
    assert_int_equal(json_integer_value(json_object_get(phone, "case_id")), received_case);
    assert_non_null(strstr(json_string_value(json_object_get(phone, "why")), "case"));
    json_t *doc = link_of(r.json, "document", "case");
    assert_non_null(doc); /* the number without its state, tried under Azerbaijan's too */
    assert_string_equal(json_string_value(json_object_get(doc, "key")), "doc:AZ:C01234567");
    json_t *person = link_of(r.json, "person", "watchlist");
    assert_non_null(person);
    assert_string_equal(json_string_value(json_object_get(person, "record")), "list/WL-7");
    assert_non_null(strstr(json_string_value(json_object_get(person, "why")), "Kowalski"));
    api_response_free(&r);
    /* without "link" nothing is looked up */
    assert_int_equal(
        call(spoc, "POST", "/api/v1/assistant/analyse", "{\"text\":\"Tel. +48 601 234 567.\"}", &r),
        200);
    assert_null(json_object_get(r.json, "links"));
    api_response_free(&r);
}

static void cases_the_caller_may_not_read_stay_hidden(void **state)
{
    (void)state;
    struct api_response r;
    assert_int_equal(call(officer, "POST", "/api/v1/assistant/analyse", TEXT, &r), 200);
    assert_null(link_of(r.json, "phone", "case")); /* an officer of Kraków reads no SPOC case */
    assert_null(link_of(r.json, "document", "case"));
    assert_non_null(link_of(r.json, "person", "watchlist")); /* screening is open to officers */
    api_response_free(&r);
    assert_int_equal(
        call(officer, "POST", "/api/v1/assistant/analyse", "{\"link\":\"yes\",\"text\":\"x\"}", &r),
        422);
    api_response_free(&r);
    /* the analysis is audited with the number of links, the screening with its own entry */
    assert_true(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'assistant.use' AND fields LIKE '%\"links\":%'") >= 2);
    assert_true(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'screening.query' AND note LIKE 'assistant:%'") >= 2);
    assert_int_equal(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE fields LIKE "
                                          "'%601 234%' OR note LIKE '%601 234%'"),
                     0);
}

static void messages_are_found_within_reach(void **state)
{
    (void)state;
    struct api_response r;
    /* "Aliyev" finds "Алиев" in the free text of the message the SPOC received */
    assert_int_equal(call(spoc, "GET", "/api/v1/assistant/search?q=Aliyev", NULL, &r), 200);
    json_t *msgs = json_object_get(r.json, "messages");
    assert_int_equal(json_array_size(msgs), 1);
    json_t *m = json_array_get(msgs, 0);
    assert_int_equal(json_integer_value(json_object_get(m, "case_id")), received_case);
    assert_string_equal(json_string_value(json_object_get(m, "subject")), "Oszustwo");
    assert_non_null(strstr(json_string_value(json_object_get(m, "excerpt")), "Алиев"));
    api_response_free(&r);
    /* an officer of Kraków reads no exchange message: none is answered, not even the key */
    assert_int_equal(call(officer, "GET", "/api/v1/assistant/search?q=Aliyev", NULL, &r), 200);
    assert_null(json_object_get(r.json, "messages"));
    api_response_free(&r);
    /* and the search is audited with its query */
    assert_true(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'assistant.use' AND fields LIKE '%Aliyev%'") >= 2);
}

static const char STORY[] =
    "Dnia 12.03.2026 r. na ul. Długiej w Krakowie zatrzymano Jana Kowalskiego. "
    "Kowalski miał przy sobie skradziony telefon i dokumenty innej osoby. "
    "Pogoda była słoneczna. "
    "Telefon skradziono wcześniej w Warszawie, a dokumenty należą do J. Nowaka.";

static void summaries_extractive_and_the_models(void **state)
{
    (void)state;
    char body[1024];
    snprintf(body, sizeof body, "{\"text\":\"%s\",\"sentences\":2}", STORY);
    struct api_response r;
    model_garbage = false;
    int before = model_requests;
    assert_int_equal(call(officer, "POST", "/api/v1/assistant/summarise", body, &r), 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "language")), "pl");
    assert_int_equal(json_integer_value(json_object_get(r.json, "sentences")), 4);
    json_t *ex = json_object_get(r.json, "extractive");
    assert_int_equal(json_array_size(ex), 2);
    json_t *first = json_array_get(ex, 0), *second = json_array_get(ex, 1);
    assert_true(json_integer_value(json_object_get(first, "index")) <
                json_integer_value(json_object_get(second, "index"))); /* the text's order */
    for (size_t i = 0; i < 2; i++) { /* whole sentences of the text; the weather is not news */
        const char *t = json_string_value(json_object_get(json_array_get(ex, i), "text"));
        assert_non_null(strstr(STORY, t));
        assert_null(strstr(t, "Pogoda"));
    }
    assert_int_equal(json_integer_value(json_object_get(second, "byte_start")),
                     strstr(STORY, json_string_value(json_object_get(second, "text"))) - STORY);
    json_t *ab = json_object_get(r.json, "abstractive");
    assert_string_equal(json_string_value(json_object_get(ab, "text")),
                        "Jan Kowalski uciekł z Krakowa.");
    assert_string_equal(json_string_value(json_object_get(ab, "label")), "machine summary");
    assert_int_equal(model_requests, before + 1);
    api_response_free(&r);

    /* a model answering garbage: said, and the extractive summary stands */
    model_garbage = true;
    assert_int_equal(call(officer, "POST", "/api/v1/assistant/summarise", body, &r), 200);
    assert_true(json_is_null(json_object_get(r.json, "abstractive")));
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "abstractive_note")),
                           "not a chat completion"));
    assert_non_null(json_object_get(r.json, "note"));
    assert_int_equal(json_array_size(json_object_get(r.json, "extractive")), 2);
    api_response_free(&r);

    /* "abstractive": false sends nothing */
    before = model_requests;
    snprintf(body, sizeof body, "{\"text\":\"%s\",\"abstractive\":false}", STORY);
    assert_int_equal(call(officer, "POST", "/api/v1/assistant/summarise", body, &r), 200);
    assert_int_equal(model_requests, before);
    assert_non_null(
        strstr(json_string_value(json_object_get(r.json, "abstractive_note")), "not asked"));
    api_response_free(&r);
    assert_true(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'assistant.use' AND object = 'assistant/summarise' AND "
                                     "fields LIKE '%\"llm\":\"failed\"%'") == 1);
    assert_int_equal(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                          "'assistant.use' AND fields LIKE '%Kowalsk%'"),
                     0);
}

static void summaries_refuse_what_they_must(void **state)
{
    (void)state;
    struct api_response r;
    assert_int_equal(call(officer, "POST", "/api/v1/assistant/summarise",
                          "{\"text\":\"A.\",\"sentences\":0}", &r),
                     422);
    api_response_free(&r);
    assert_int_equal(call(officer, "POST", "/api/v1/assistant/summarise", "{\"sentences\":2}", &r),
                     422);
    api_response_free(&r);
    assert_int_equal(
        call(officer, "POST", "/api/v1/assistant/summarise", "{\"text\":\"A.\",\"other\":1}", &r),
        422);
    api_response_free(&r);
    assert_int_equal(call(NULL, "POST", "/api/v1/assistant/summarise", "{\"text\":\"A.\"}", &r),
                     401);
    api_response_free(&r);
}

/* Runs tarcza assist ARGS... with the text in a file; the JSON printed. */
static json_t *assist_cli(const char *text, const char *sub, const char *extra)
{
    char in[320], out[320];
    snprintf(in, sizeof in, "%s/cli.txt", server.dir);
    snprintf(out, sizeof out, "%s/cli.json", server.dir);
    FILE *f = fopen(in, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    if (extra)
        assert_int_equal(api_run_cli(&server, out, "assist", sub, extra, in, (char *)NULL), 0);
    else
        assert_int_equal(api_run_cli(&server, out, "assist", sub, in, (char *)NULL), 0);
    json_error_t jerr;
    json_t *doc = json_load_file(out, 0, &jerr);
    assert_non_null(doc);
    return doc;
}

static void the_command_line(void **state)
{
    (void)state;
    json_t *doc = assist_cli("Затримано громадянина Петренка у Львові. Він мав чужий паспорт.",
                             "language", NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "language")), "uk");
    json_decref(doc);
    doc = assist_cli(STORY, "summarise", NULL);
    assert_int_equal(json_integer_value(json_object_get(doc, "sentences")), 4);
    assert_true(json_array_size(json_object_get(doc, "extractive")) >= 1);
    assert_true(json_is_null(json_object_get(doc, "abstractive"))); /* no --llm-url given */
    json_decref(doc);
    char out[320];
    snprintf(out, sizeof out, "%s/search.json", server.dir);
    assert_int_equal(api_run_cli(&server, out, "assist", "search", "Kowalski", (char *)NULL), 0);
    json_error_t jerr;
    doc = json_load_file(out, 0, &jerr);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "query")), "Kowalski");
    json_decref(doc);
    assert_true(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'assistant.use' AND actor LIKE 'cli:%' AND object IN "
                                     "('assistant/language', 'assistant/summarise', "
                                     "'assistant/search')") >= 3);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(setup_data),
        cmocka_unit_test(what_is_found_is_linked_to_what_is_on_file),
        cmocka_unit_test(cases_the_caller_may_not_read_stay_hidden),
        cmocka_unit_test(messages_are_found_within_reach),
        cmocka_unit_test(summaries_extractive_and_the_models),
        cmocka_unit_test(summaries_refuse_what_they_must),
        cmocka_unit_test(the_command_line),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
