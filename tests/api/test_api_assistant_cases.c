/*
 * API tests of the assistant over a whole exchange case against the real `tarcza serve`:
 * GET /api/v1/assistant/cases/{id} summarises the case's readable messages together (each
 * sentence citing its message), lays them on a timeline (received, sent, the reply deadline,
 * the dates in the text) and tabulates the entities found; POST .../cases/{id}/ask answers a
 * question through the model's double (`serve --llm-url`, a libmicrohttpd double of the
 * OpenAI-compatible API) with its citations checked against the passages retrieved, or with
 * the passages alone, labelled; POST /api/v1/assistant/messages/{id}/entities adds an entity
 * found in a message to its case in one action, refused to a caller who may not write the
 * case. Everything permission-checked and audited, never with the text.
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
static char spoc[200], officer[200], supervisor[200];

/* ---- the model server's double ---- */

enum model_mode { MODEL_CITE, MODEL_GARBAGE };
static volatile enum model_mode mode;
static volatile int model_requests;
static char model_body[64 * 1024];
static size_t model_len;
static char model_answer[1024];

/* The answer citing the first passage's tag of the request, and a message it was not given. */
static const char *cite_answer(void)
{
    model_body[model_len < sizeof model_body ? model_len : sizeof model_body - 1] = '\0';
    const char *passages = strstr(model_body, "Passages:");
    const char *tag = passages ? strstr(passages, "[m") : NULL;
    long long id = tag ? strtoll(tag + 2, NULL, 10) : 0;
    snprintf(model_answer, sizeof model_answer,
             "{\"model\":\"double\",\"choices\":[{\"message\":{\"role\":\"assistant\","
             "\"content\":\"Abonentem jest Jan Kowalski [m%lld]. Zob. [m999999].\"}}]}",
             id);
    return model_answer;
}

static enum MHD_Result model_handler(void *cls, struct MHD_Connection *c, const char *url,
                                     const char *method, const char *version, const char *data,
                                     size_t *size, void **st)
{
    (void)cls, (void)url, (void)method, (void)version;
    if (*st == NULL) {
        *st = c;
        model_requests++;
        model_len = 0;
        return MHD_YES;
    }
    if (*size > 0) {
        size_t n =
            *size < sizeof model_body - 1 - model_len ? *size : sizeof model_body - 1 - model_len;
        memcpy(model_body + model_len, data, n);
        model_len += n;
        *size = 0;
        return MHD_YES;
    }
    const char *body = mode == MODEL_GARBAGE ? "<html>upstream error</html>" : cite_answer();
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
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

/* ---- the case: a request received from Germany and the SPOC's reply ---- */

#define REQUEST_TEXT                                                                               \
    "Dnia 12.03.2026 r. obywatel Алиев dzwonił z numeru +48 601 234 567. Prosimy o dane "    \
    "abonenta tego numeru do 20.03.2026 r."
#define REPLY_TEXT                                                                                 \
    "Numer +48 601 234 567 należy do Jana Kowalskiego. Pan Jan Kowalski mieszka w Krakowie."

#define REQUEST_IN                                                                                 \
    "{\"type\":\"request\",\"subject\":\"Abonent\",\"originator\":{\"node\":\"DE\",\"unit\":"      \
    "\"BKA-SPOC\"},\"addressees\":[{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"}],\"lang\":\"pl\","      \
    "\"handling\":\"H1\",\"evaluation\":{\"source\":\"B\",\"information\":\"2\"},\"urgency\":"     \
    "\"normal\",\"text\":\"" REQUEST_TEXT "\"}"
#define REPLY_OUT                                                                                  \
    "{\"originator\":{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"},\"addressees\":[{\"node\":\"DE\","    \
    "\"unit\":\"BKA-SPOC\"}],\"lang\":\"pl\",\"handling\":\"H0\",\"evaluation\":{\"source\":"      \
    "\"A\",\"information\":\"1\"},\"text\":\"" REPLY_TEXT "\"}"

static long long case_id, request_id, reply_id;

static void setup_case(void **state)
{
    (void)state;
    add_account("spoc1", "spoc_operator", "KGP-SPOC", spoc, sizeof spoc);
    add_account("kowal", "officer", "KRK-01", officer, sizeof officer);
    add_account("nadzor", "spoc_supervisor", "KGP-NADZOR", supervisor, sizeof supervisor);
    struct api_response r;
    assert_int_equal(call(spoc, "POST", "/api/v1/exchange/cases?direction=in", REQUEST_IN, &r),
                     201);
    case_id = json_integer_value(json_object_get(r.json, "case"));
    request_id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/reply", request_id);
    assert_int_equal(call(spoc, "POST", path, REPLY_OUT, &r), 201);
    reply_id = json_integer_value(json_object_get(r.json, "id"));
    assert_int_equal(json_integer_value(json_object_get(r.json, "case")), case_id);
    api_response_free(&r);
}

/* The item of array whose member key is the string value (and message_id msg, when msg > 0). */
static json_t *find(json_t *array, const char *key, const char *value, long long msg)
{
    size_t i;
    json_t *it;
    json_array_foreach(array, i, it)
    {
        const char *v = json_string_value(json_object_get(it, key));
        if (v && strcmp(v, value) == 0 &&
            (msg <= 0 || json_integer_value(json_object_get(it, "message_id")) == msg))
            return it;
    }
    return NULL;
}

static const char *text_of(long long msg)
{
    return msg == request_id ? REQUEST_TEXT : msg == reply_id ? REPLY_TEXT : NULL;
}

static void the_digest_summarises_and_lays_out_the_case(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "/api/v1/assistant/cases/%lld?abstractive=false", case_id);
    struct api_response r;
    int before = model_requests;
    assert_int_equal(call(spoc, "GET", path, NULL, &r), 200);
    assert_int_equal(model_requests, before); /* abstractive=false: nothing sent */
    assert_int_equal(json_integer_value(json_object_get(r.json, "readable")), 2);
    assert_string_equal(json_string_value(json_object_get(r.json, "language")), "pl");
    /* each summary sentence is a sentence of the message it cites */
    json_t *summary = json_object_get(r.json, "summary"), *s;
    size_t i;
    assert_true(json_array_size(summary) >= 1);
    json_array_foreach(summary, i, s)
    {
        const char *src = text_of(json_integer_value(json_object_get(s, "message_id")));
        assert_non_null(src);
        assert_non_null(strstr(src, json_string_value(json_object_get(s, "text"))));
    }
    /* the timeline: received, sent, the reply's deadline, and the dates of the text, in order */
    json_t *tl = json_object_get(r.json, "timeline");
    assert_non_null(find(tl, "kind", "received", request_id));
    assert_non_null(find(tl, "kind", "sent", reply_id));
    json_t *due = find(tl, "kind", "date", request_id);
    assert_non_null(due);
    assert_string_equal(json_string_value(json_object_get(due, "when")), "2026-03-12");
    assert_string_equal(json_string_value(json_object_get(due, "what")), "12.03.2026");
    json_t *d20 = find(tl, "when", "2026-03-20", request_id);
    assert_non_null(d20);
    const char *prev = "";
    json_array_foreach(tl, i, s)
    {
        const char *w = json_string_value(json_object_get(s, "when"));
        assert_true(strcmp(prev, w) <= 0);
        prev = w;
    }
    /* the entity table: the phone in both messages, not yet added to the case */
    json_t *phone = find(json_object_get(r.json, "entities"), "value", "+48601234567", 0);
    assert_non_null(phone);
    assert_int_equal(json_integer_value(json_object_get(phone, "count")), 2);
    assert_int_equal(json_array_size(json_object_get(phone, "messages")), 2);
    assert_true(json_is_false(json_object_get(phone, "added")));
    assert_non_null(find(json_object_get(r.json, "entities"), "value", "Jan Kowalski", 0));
    assert_true(json_is_null(json_object_get(r.json, "abstractive")));
    api_response_free(&r);

    /* the model's summary beside it, labelled; garbage from the model said, extractive kept */
    snprintf(path, sizeof path, "/api/v1/assistant/cases/%lld", case_id);
    mode = MODEL_CITE;
    assert_int_equal(call(spoc, "GET", path, NULL, &r), 200);
    json_t *ab = json_object_get(r.json, "abstractive");
    assert_string_equal(json_string_value(json_object_get(ab, "label")), "machine summary");
    api_response_free(&r);
    mode = MODEL_GARBAGE;
    assert_int_equal(call(spoc, "GET", path, NULL, &r), 200);
    assert_true(json_is_null(json_object_get(r.json, "abstractive")));
    assert_non_null(json_object_get(r.json, "note"));
    assert_true(json_array_size(json_object_get(r.json, "summary")) >= 1);
    api_response_free(&r);
}

static void the_digest_is_for_those_who_read_the_case(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "/api/v1/assistant/cases/%lld?abstractive=false", case_id);
    struct api_response r;
    assert_int_equal(call(officer, "GET", path, NULL, &r), 403); /* Kraków took no part */
    api_response_free(&r);
    assert_int_equal(call(NULL, "GET", path, NULL, &r), 401);
    api_response_free(&r);
    assert_int_equal(call(spoc, "GET", "/api/v1/assistant/cases/999999", NULL, &r), 404);
    api_response_free(&r);
    snprintf(path, sizeof path, "/api/v1/assistant/cases/%lld?sentences=0", case_id);
    assert_int_equal(call(spoc, "GET", path, NULL, &r), 400);
    api_response_free(&r);
    /* audited: the digest with its counts, the refusal, and never the text */
    assert_true(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'assistant.use' AND object = 'assistant/case' AND "
                                     "outcome = 'ok' AND fields LIKE '%\"read\":2%'") >= 3);
    assert_true(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'assistant.use' AND object = 'assistant/case' AND "
                                     "outcome = 'refused'") >= 1);
    assert_int_equal(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE fields LIKE "
                                          "'%601 234%' OR fields LIKE '%Kowalsk%'"),
                     0);
    /* exchange's read of the case: one entry a digest, naming the messages handed over */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE action = 'exchange.read' AND object = "
             "'xcase/%lld' AND fields = '{\"messages\":[%lld,%lld]}'",
             case_id, request_id, reply_id);
    assert_true(api_db_long(&server, sql) >= 3);
}

/* The span (code points) of the entity of type whose value is value in the analysis of text. */
static void span_of(const char *text, const char *type, const char *value, long *start, long *end)
{
    char body[1024];
    snprintf(body, sizeof body, "{\"text\":\"%s\"}", text);
    struct api_response r;
    assert_int_equal(call(spoc, "POST", "/api/v1/assistant/analyse", body, &r), 200);
    json_t *e = find(json_object_get(r.json, "entities"), "value", value, 0);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "type")), type);
    *start = (long)json_integer_value(json_object_get(e, "start"));
    *end = (long)json_integer_value(json_object_get(e, "end"));
    api_response_free(&r);
}

static void an_entity_is_added_to_the_case_in_one_action(void **state)
{
    (void)state;
    long s, e;
    span_of(REQUEST_TEXT, "phone", "+48601234567", &s, &e);
    char path[128], body[128];
    snprintf(path, sizeof path, "/api/v1/assistant/messages/%lld/entities", request_id);
    snprintf(body, sizeof body, "{\"type\":\"phone\",\"start\":%ld,\"end\":%ld}", s, e);
    struct api_response r;
    /* the supervisor reads every case but writes only for its own unit: refused, audited */
    assert_int_equal(call(supervisor, "POST", path, body, &r), 403);
    api_response_free(&r);
    assert_int_equal(call(officer, "POST", path, body, &r), 403);
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, "SELECT count(*) FROM assist_case_entities"), 0);
    /* the SPOC of the case adds it */
    assert_int_equal(call(spoc, "POST", path, body, &r), 201);
    assert_string_equal(json_string_value(json_object_get(r.json, "value")), "+48601234567");
    assert_string_equal(json_string_value(json_object_get(r.json, "key")), "phone:+48601234567");
    assert_string_equal(json_string_value(json_object_get(r.json, "text")), "+48 601 234 567");
    assert_int_equal(json_integer_value(json_object_get(r.json, "case_id")), case_id);
    assert_string_equal(json_string_value(json_object_get(r.json, "unit")), "KGP-SPOC");
    api_response_free(&r);
    assert_int_equal(call(spoc, "POST", path, body, &r), 409); /* once per case */
    api_response_free(&r);
    /* only what the assistant finds there: a span with no phone, an unknown type */
    snprintf(body, sizeof body, "{\"type\":\"phone\",\"start\":0,\"end\":4}");
    assert_int_equal(call(spoc, "POST", path, body, &r), 422);
    api_response_free(&r);
    snprintf(body, sizeof body, "{\"type\":\"weapon\",\"start\":%ld,\"end\":%ld}", s, e);
    assert_int_equal(call(spoc, "POST", path, body, &r), 422);
    api_response_free(&r);
    assert_int_equal(call(spoc, "POST", "/api/v1/assistant/messages/999999/entities",
                          "{\"type\":\"phone\",\"start\":1,\"end\":2}", &r),
                     404);
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, "SELECT count(*) FROM assist_case_entities"), 1);
    /* the change and the refusals audited, the change in its own transaction's entry */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE action = 'assistant.use' AND object = "
             "'xcase/%lld/entities' AND outcome = 'ok' AND actor = 'spoc1'",
             case_id);
    assert_int_equal(api_db_long(&server, sql), 1);
    assert_true(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'assistant.use' AND object = 'assistant/case-entity' AND "
                                     "outcome = 'refused'") >= 4);
    /* the digest marks it added and lists it */
    snprintf(path, sizeof path, "/api/v1/assistant/cases/%lld?abstractive=false", case_id);
    assert_int_equal(call(spoc, "GET", path, NULL, &r), 200);
    json_t *phone = find(json_object_get(r.json, "entities"), "value", "+48601234567", 0);
    assert_true(json_is_true(json_object_get(phone, "added")));
    assert_int_equal(json_array_size(json_object_get(r.json, "added")), 1);
    api_response_free(&r);
}

static void questions_are_answered_with_checked_citations(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "/api/v1/assistant/cases/%lld/ask", case_id);
    struct api_response r;
    /* the model cites the passage it was given, and a message it was not: that one dropped */
    mode = MODEL_CITE;
    assert_int_equal(call(spoc, "POST", path, "{\"question\":\"Kto dzwonił, Aliyev?\"}", &r), 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "label")), "machine summary");
    json_t *passages = json_object_get(r.json, "passages");
    assert_true(json_array_size(passages) >= 1);
    json_t *first = json_array_get(passages, 0); /* "Aliyev" finds "Алиев" */
    assert_int_equal(json_integer_value(json_object_get(first, "message_id")), request_id);
    assert_non_null(strstr(json_string_value(json_object_get(first, "text")), "Алиев"));
    json_t *cites = json_object_get(r.json, "citations");
    assert_int_equal(json_array_size(cites), 1);
    assert_int_equal(json_integer_value(json_array_get(cites, 0)), request_id);
    json_t *dropped = json_object_get(r.json, "dropped_citations");
    assert_int_equal(json_array_size(dropped), 1);
    assert_int_equal(json_integer_value(json_array_get(dropped, 0)), 999999);
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "answer")), "Kowalski"));
    api_response_free(&r);
    /* the model's prompt held the passages and the question, nothing else of the case */
    assert_non_null(strstr(model_body, "Question: Kto dzwoni"));
    /* garbage from the model: the passages are the answer, labelled, and why said */
    mode = MODEL_GARBAGE;
    assert_int_equal(call(spoc, "POST", path, "{\"question\":\"Gdzie mieszka Kowalski?\"}", &r),
                     200);
    assert_true(json_is_null(json_object_get(r.json, "answer")));
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "label")), "extractive"));
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "note")), "chat completion"));
    first = json_array_get(json_object_get(r.json, "passages"), 0);
    assert_int_equal(json_integer_value(json_object_get(first, "message_id")), reply_id);
    assert_non_null(strstr(json_string_value(json_object_get(first, "text")), "Krakowie"));
    assert_int_equal(json_integer_value(json_array_get(json_object_get(r.json, "citations"), 0)),
                     reply_id);
    api_response_free(&r);
    /* "model": false sends nothing */
    int before = model_requests;
    assert_int_equal(call(spoc, "POST", path, "{\"question\":\"Kowalski\",\"model\":false}", &r),
                     200);
    assert_int_equal(model_requests, before);
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "label")), "extractive"));
    api_response_free(&r);
}

static void questions_refuse_what_they_must(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "/api/v1/assistant/cases/%lld/ask", case_id);
    struct api_response r;
    assert_int_equal(call(officer, "POST", path, "{\"question\":\"Kowalski?\"}", &r), 403);
    api_response_free(&r);
    assert_int_equal(call(spoc, "POST", path, "{\"question\":\"\"}", &r), 422);
    api_response_free(&r);
    assert_int_equal(call(spoc, "POST", path, "{\"question\":\"a\",\"other\":1}", &r), 422);
    api_response_free(&r);
    assert_int_equal(call(spoc, "POST", path, "{\"question\":\"a\",\"model\":\"no\"}", &r), 422);
    api_response_free(&r);
    assert_true(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'assistant.use' AND object = 'assistant/ask' AND "
                                     "fields LIKE '%\"dropped\":1%'") == 1);
    assert_int_equal(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE fields LIKE "
                                          "'%Kowalsk%' OR fields LIKE '%Aliyev%'"),
                     0);
}

/* ---- the command line: `tarcza assist case ID` and `tarcza assist ask ID QUESTION` ---- */

/* The line of out that starts with prefix, copied into line (its break cut); false if none. */
static bool line_of(const char *out, const char *prefix, char *line, size_t size)
{
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, prefix, strlen(prefix)) == 0) {
            size_t n = strcspn(l, "\n");
            snprintf(line, size, "%.*s", (int)n, l);
            return true;
        }
    }
    return false;
}

static void the_case_command_prints_the_digest_citing_its_messages(void **state)
{
    (void)state;
    char id[32];
    snprintf(id, sizeof id, "%lld", case_id);
    static struct api_run run;
    api_run_command(&server, &run, "assist", "case", id, "--db", server.db, "--as", "spoc1", NULL);
    if (run.status != 0 || getenv("TZ_TEST_VERBOSE"))
        fprintf(stderr, "%s%s", run.out, run.err);
    assert_int_equal(run.status, 0);
    char want[160];
    snprintf(want, sizeof want, "Case %lld: 2 messages, 2 readable by you; language pl", case_id);
    assert_non_null(strstr(run.out, want));
    /* each summary line cites a message of the case and quotes one of its sentences */
    const char *sum = strstr(run.out, "Summary (extractive");
    assert_non_null(sum);
    const char *l = strchr(sum, '\n') + 1;
    int lines = 0;
    while (strncmp(l, "  [m", 4) == 0) {
        char *end;
        long long msg = strtoll(l + 4, &end, 10);
        assert_true(end[0] == ']' && end[1] == ' ');
        size_t n = strcspn(end + 2, "\n");
        char quote[1024];
        snprintf(quote, sizeof quote, "%.*s", (int)n, end + 2);
        assert_non_null(text_of(msg));
        assert_non_null(strstr(text_of(msg), quote));
        lines++;
        l = end + 2 + n + 1;
    }
    assert_true(lines >= 1);
    /* the timeline's date as written, with its message; the phone added to the case earlier */
    char line[512];
    assert_true(line_of(run.out, "  2026-03-12 ", line, sizeof line));
    snprintf(want, sizeof want, "[m%lld] 12.03.2026", request_id);
    assert_true(strstr(run.out, want) != NULL);
    assert_true(line_of(run.out, "  phone     +48601234567", line, sizeof line));
    assert_non_null(strstr(line, "x2 in"));
    assert_non_null(strstr(line, "(added to the case)"));
    /* audited as the account, from the command line, never with the text */
    assert_true(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'assistant.use' AND object = 'assistant/case' AND "
                                     "actor = 'spoc1' AND client LIKE 'cli:%' AND "
                                     "outcome = 'ok'") == 1);
    assert_int_equal(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE fields LIKE "
                                          "'%Kowalsk%' OR fields LIKE '%601 234%'"),
                     0);
    /* without --as the operator reads as the SPOC's supervisor, who reads every case */
    api_run_command(&server, &run, "assist", "case", id, "--db", server.db, NULL);
    assert_int_equal(run.status, 0);
    assert_non_null(strstr(run.out, "Summary (extractive"));
}

static void the_case_command_refuses_clearly(void **state)
{
    (void)state;
    char id[32];
    snprintf(id, sizeof id, "%lld", case_id);
    static struct api_run run;
    /* an unknown case: said, exit status 1, nothing on standard output */
    api_run_command(&server, &run, "assist", "case", "999999", "--db", server.db, "--as", "spoc1",
                    NULL);
    assert_int_equal(run.status, 1);
    assert_non_null(strstr(run.err, "assist case 999999: no such case"));
    assert_string_equal(run.out, "");
    api_run_command(&server, &run, "assist", "ask", "999999", "Kto?", "--db", server.db, NULL);
    assert_int_equal(run.status, 1);
    assert_non_null(strstr(run.err, "assist ask 999999: no such case"));
    /* an officer of a unit that took no part: refused, audited */
    api_run_command(&server, &run, "assist", "case", id, "--db", server.db, "--as", "kowal", NULL);
    assert_int_equal(run.status, 1);
    assert_non_null(strstr(run.err, "outside your units or role"));
    assert_string_equal(run.out, "");
    assert_true(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'assistant.use' AND object = 'assistant/case' AND "
                                     "actor = 'kowal' AND client LIKE 'cli:%' AND "
                                     "outcome = 'refused'") == 1);
    /* no such account; not a case number; an empty question */
    api_run_command(&server, &run, "assist", "case", id, "--db", server.db, "--as", "nobody", NULL);
    assert_int_equal(run.status, 1);
    assert_non_null(strstr(run.err, "--as nobody: no such account"));
    api_run_command(&server, &run, "assist", "case", "12x", "--db", server.db, NULL);
    assert_int_equal(run.status, 2);
    api_run_command(&server, &run, "assist", "ask", id, "", "--db", server.db, NULL);
    assert_int_equal(run.status, 2);
}

static void the_ask_command_answers_with_citations(void **state)
{
    (void)state;
    char id[32], want[160];
    snprintf(id, sizeof id, "%lld", case_id);
    static struct api_run run;
    /* through the model: its citation kept, the one it was not given dropped */
    mode = MODEL_CITE;
    api_run_command(&server, &run, "assist", "ask", id, "Kto dzwonił, Aliyev?", "--db", server.db,
                    "--as", "spoc1", "--llm-url", model_url, NULL);
    if (run.status != 0 || getenv("TZ_TEST_VERBOSE"))
        fprintf(stderr, "%s%s", run.out, run.err);
    assert_int_equal(run.status, 0);
    assert_non_null(strstr(run.out, "Answer (machine summary):\n  Abonentem jest Jan Kowalski"));
    snprintf(want, sizeof want, "Citations: [m%lld]\n", request_id);
    assert_non_null(strstr(run.out, want));
    assert_non_null(strstr(run.out, "[m999999]"));
    snprintf(want, sizeof want, "Passages:\n  [m%lld] Dnia 12.03.2026 r. obywatel Алиев",
             request_id);
    assert_non_null(strstr(run.out, want)); /* "Aliyev" finds "Алиев" */
    /* without a model: the passages are the answer, labelled, their messages the citations */
    int before = model_requests;
    api_run_command(&server, &run, "assist", "ask", id, "Gdzie mieszka Kowalski?", "--db",
                    server.db, "--as", "spoc1", NULL);
    assert_int_equal(run.status, 0);
    assert_int_equal(model_requests, before);
    assert_non_null(strstr(run.out, "Answer (extractive answer: passages of the case, no model):"));
    snprintf(want, sizeof want, "Citations: [m%lld]", reply_id);
    assert_non_null(strstr(run.out, want));
    assert_non_null(strstr(run.out, "mieszka w Krakowie"));
    /* garbage from the model: the passages stand and why is said */
    mode = MODEL_GARBAGE;
    api_run_command(&server, &run, "assist", "ask", id, "Kowalski?", "--db", server.db, "--as",
                    "spoc1", "--llm-url", model_url, NULL);
    assert_int_equal(run.status, 0);
    assert_non_null(strstr(run.out, "Answer (extractive answer"));
    assert_non_null(strstr(run.out, "Note: "));
    assert_true(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE action = "
                                     "'assistant.use' AND object = 'assistant/ask' AND "
                                     "actor = 'spoc1' AND client LIKE 'cli:%'") == 3);
    assert_int_equal(api_db_long(&server, "SELECT count(*) FROM audit_log WHERE fields LIKE "
                                          "'%Kowalsk%' OR fields LIKE '%Aliyev%'"),
                     0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(setup_case),
        cmocka_unit_test(the_digest_summarises_and_lays_out_the_case),
        cmocka_unit_test(the_digest_is_for_those_who_read_the_case),
        cmocka_unit_test(an_entity_is_added_to_the_case_in_one_action),
        cmocka_unit_test(questions_are_answered_with_checked_citations),
        cmocka_unit_test(questions_refuse_what_they_must),
        cmocka_unit_test(the_case_command_prints_the_digest_citing_its_messages),
        cmocka_unit_test(the_case_command_refuses_clearly),
        cmocka_unit_test(the_ask_command_answers_with_citations),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
