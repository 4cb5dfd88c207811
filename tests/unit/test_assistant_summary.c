/*
 * Unit tests of assistant/summary.h: the extractive summary (sentences cut where a reader would
 * cut them, not after an initial or "ul."; the sentences kept whole with their spans in bytes
 * and code points; the same answer every time; every script; hostile input refused) and the
 * abstractive one through a test double of an OpenAI-compatible server (a libmicrohttpd server
 * in this test) that answers well, slowly, with an error status or with garbage: each failure
 * is TZ_EIO with its reason, and nothing is sent when no server is configured.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "assistant/summary.h"

/* ---- the extractive summary ---- */

static const char CASE_PL[] =
    "Dnia 12.03.2026 r. na ul. Długiej w Krakowie zatrzymano Jana Kowalskiego. "
    "Kowalski posiadał przy sobie skradziony telefon oraz dokumenty innej osoby. "
    "Pogoda była słoneczna. "
    "Telefon skradziono wcześniej w Warszawie, a dokumenty należą do J. Nowaka. "
    "Sprawę prowadzi komisariat w Krakowie; Kowalski został przesłuchany.";

static void sentences_are_cut_where_a_reader_cuts_them(void **state)
{
    (void)state;
    struct tz_summary s;
    assert_int_equal(tz_summary_extract(CASE_PL, strlen(CASE_PL), 20, &s), TZ_OK);
    assert_int_equal(s.sentences, 5); /* not after "r.", "ul." or the initial "J." */
    assert_int_equal(s.count, 5);
    const char *first = CASE_PL + s.items[0].start;
    assert_true(strncmp(first, "Dnia 12.03.2026 r. na ul. Długiej", 30) == 0);
    assert_int_equal(CASE_PL[s.items[0].end - 1], '.');
    assert_true(strncmp(CASE_PL + s.items[3].start, "Telefon skradziono", 18) == 0);
    assert_int_equal(CASE_PL[s.items[3].end - 1], '.');
    tz_summary_clear(&s);
}

static void the_best_sentences_in_the_order_of_the_text(void **state)
{
    (void)state;
    struct tz_summary s, again;
    assert_int_equal(tz_summary_extract(CASE_PL, strlen(CASE_PL), 2, &s), TZ_OK);
    assert_int_equal(s.count, 2);
    assert_true(s.items[0].index < s.items[1].index);
    for (size_t i = 0; i < s.count; i++) /* the weather says nothing about the case */
        assert_true(strncmp(CASE_PL + s.items[i].start, "Pogoda", 6) != 0);
    /* deterministic: the same text, the same summary */
    assert_int_equal(tz_summary_extract(CASE_PL, strlen(CASE_PL), 2, &again), TZ_OK);
    for (size_t i = 0; i < s.count; i++) {
        assert_int_equal(s.items[i].start, again.items[i].start);
        assert_true(s.items[i].score == again.items[i].score);
    }
    tz_summary_clear(&s);
    tz_summary_clear(&again);
}

static void spans_in_code_points_and_bytes(void **state)
{
    (void)state;
    /* Ukrainian: two bytes a letter, so code points and bytes differ */
    const char *t = "Затримано громадянина Петренка. Петренко мав при собі чужий паспорт! "
                    "Паспорт Петренка викрадено у Львові?";
    struct tz_summary s;
    assert_int_equal(tz_summary_extract(t, strlen(t), 3, &s), TZ_OK);
    assert_int_equal(s.sentences, 3);
    assert_int_equal(s.items[1].start, strlen("Затримано громадянина Петренка. "));
    assert_int_equal(s.items[1].cstart, 32);
    assert_int_equal(s.items[1].cend - s.items[1].cstart, 36);
    assert_int_equal(t[s.items[1].end - 1], '!');
    tz_summary_clear(&s);
}

static void the_default_length_and_lines(void **state)
{
    (void)state;
    char text[4096] = "";
    for (int i = 0; i < 20; i++) { /* twenty lines without full stops: each one a sentence */
        char line[96];
        snprintf(line, sizeof line, "Linia %d raportu o kradzieży samochodu numer %d\n", i, i);
        strcat(text, line);
    }
    struct tz_summary s;
    assert_int_equal(tz_summary_extract(text, strlen(text), 0, &s), TZ_OK);
    assert_int_equal(s.sentences, 20);
    assert_int_equal(s.count, 5); /* a quarter, at most five */
    tz_summary_clear(&s);
    assert_int_equal(tz_summary_extract("", 0, 0, &s), TZ_OK);
    assert_int_equal(s.count, 0);
    tz_summary_clear(&s);
}

static void hostile_text_is_refused(void **state)
{
    (void)state;
    struct tz_summary s;
    assert_int_equal(tz_summary_extract("ab\xff\xfe cd.", 7, 0, &s), TZ_EMALFORMED);
    assert_int_equal(tz_summary_extract("ab\0cd.", 6, 0, &s), TZ_EMALFORMED);
    size_t n = TZ_ASSIST_TEXT_MAX + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'a', n);
    assert_int_equal(tz_summary_extract(big, n, 0, &s), TZ_ETOOBIG);
    /* the largest text allowed, one endless word: one sentence, no trouble */
    assert_int_equal(tz_summary_extract(big, n - 1, 0, &s), TZ_OK);
    assert_int_equal(s.sentences, 1);
    tz_summary_clear(&s);
    /* zero-width and bidi characters are letters of no word: the sentences stand */
    const char *z = "Kowal\xe2\x80\x8bski uciekł. \xe2\x80\xaeNowak\xe2\x80\xac został.";
    assert_int_equal(tz_summary_extract(z, strlen(z), 5, &s), TZ_OK);
    assert_int_equal(s.sentences, 2);
    tz_summary_clear(&s);
    free(big);
}

/* ---- the model server's double ---- */

enum double_mode { DOUBLE_OK, DOUBLE_SLOW, DOUBLE_GARBAGE, DOUBLE_ERROR, DOUBLE_EMPTY };

static enum double_mode mode;
static int requests;
static char last_path[64], last_user[256], last_system[512], last_model[64];

struct upload {
    char data[70000];
    size_t len;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result answer(struct MHD_Connection *c, const struct upload *u)
{
    json_t *req = json_loadb(u->data, u->len, 0, NULL);
    json_t *msgs = json_object_get(req, "messages");
    snprintf(last_model, sizeof last_model, "%s",
             json_string_value(json_object_get(req, "model")) ?: "");
    snprintf(last_system, sizeof last_system, "%s",
             json_string_value(json_object_get(json_array_get(msgs, 0), "content")) ?: "");
    snprintf(last_user, sizeof last_user, "%s",
             json_string_value(json_object_get(json_array_get(msgs, 1), "content")) ?: "");
    json_decref(req);
    switch (mode) {
    case DOUBLE_SLOW:
        sleep(2);
        return reply(c, 200, "{}");
    case DOUBLE_GARBAGE:
        return reply(c, 200, "<html>502 Bad Gateway</html>");
    case DOUBLE_ERROR:
        return reply(c, 503, "{\"error\":{\"message\":\"model loading\"}}");
    case DOUBLE_EMPTY:
        return reply(c, 200, "{\"choices\":[]}");
    default:
        return reply(c, 200,
                     "{\"id\":\"x\",\"object\":\"chat.completion\",\"model\":\"bielik-7b\","
                     "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                     "\"Zatrzymano Jana Kowalskiego z cudzymi dokumentami.\"},"
                     "\"finish_reason\":\"stop\"}]}");
    }
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **st)
{
    struct upload *u = *st;
    (void)cls, (void)method, (void)version;
    if (u == NULL) {
        u = calloc(1, sizeof *u);
        *st = u;
        snprintf(last_path, sizeof last_path, "%s", url);
        requests++;
        return MHD_YES;
    }
    if (*size > 0) {
        size_t k = *size < sizeof u->data - u->len ? *size : sizeof u->data - u->len;
        memcpy(u->data + u->len, data, k);
        u->len += k;
        *size = 0;
        return MHD_YES;
    }
    return answer(c, u);
}

static void done_cb(void *cls, struct MHD_Connection *c, void **st,
                    enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    free(*st);
    *st = NULL;
}

static struct MHD_Daemon *daemon_up;
static char llm_url[64];

static int start_double(void **state)
{
    (void)state;
    daemon_up = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
                                 NULL, NULL, handler, NULL, MHD_OPTION_NOTIFY_COMPLETED, done_cb,
                                 NULL, MHD_OPTION_END);
    if (daemon_up == NULL)
        return -1;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon_up, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(llm_url, sizeof llm_url, "http://127.0.0.1:%u/", (unsigned)info->port);
    return 0;
}

static int stop_double(void **state)
{
    (void)state;
    MHD_stop_daemon(daemon_up);
    return 0;
}

static void the_model_summarises_through_the_chat_api(void **state)
{
    (void)state;
    mode = DOUBLE_OK;
    struct tz_llm_config cfg = {.url = llm_url, .model = "bielik"};
    struct tz_llm_summary s;
    assert_int_equal(tz_summary_llm(&cfg, CASE_PL, strlen(CASE_PL), "pl", &s), TZ_OK);
    assert_string_equal(s.text, "Zatrzymano Jana Kowalskiego z cudzymi dokumentami.");
    assert_string_equal(s.model, "bielik-7b");
    assert_string_equal(s.label, TZ_LLM_LABEL);
    assert_string_equal(last_path, "/v1/chat/completions");
    assert_string_equal(last_model, "bielik");
    assert_true(strncmp(last_user, "Dnia 12.03.2026", 15) == 0); /* the text as the user's */
    assert_non_null(strstr(last_system, "Polish"));
    tz_llm_summary_clear(&s);
}

static void failures_are_said_not_hidden(void **state)
{
    (void)state;
    struct tz_llm_config cfg = {.url = llm_url, .timeout_ms = 500};
    struct tz_llm_summary s;
    mode = DOUBLE_SLOW;
    assert_int_equal(tz_summary_llm(&cfg, "Tekst.", 6, NULL, &s), TZ_EIO);
    assert_null(s.text);
    assert_non_null(strstr(s.reason, "time limit"));
    tz_llm_summary_clear(&s);
    mode = DOUBLE_GARBAGE;
    assert_int_equal(tz_summary_llm(&cfg, "Tekst.", 6, NULL, &s), TZ_EIO);
    assert_non_null(strstr(s.reason, "not a chat completion"));
    tz_llm_summary_clear(&s);
    mode = DOUBLE_EMPTY;
    assert_int_equal(tz_summary_llm(&cfg, "Tekst.", 6, NULL, &s), TZ_EIO);
    tz_llm_summary_clear(&s);
    mode = DOUBLE_ERROR;
    assert_int_equal(tz_summary_llm(&cfg, "Tekst.", 6, NULL, &s), TZ_EIO);
    assert_non_null(strstr(s.reason, "HTTP 503"));
    tz_llm_summary_clear(&s);
    cfg.url = "http://127.0.0.1:1";
    assert_int_equal(tz_summary_llm(&cfg, "Tekst.", 6, NULL, &s), TZ_EIO);
    assert_non_null(strstr(s.reason, "could not be reached"));
    tz_llm_summary_clear(&s);
}

static void nothing_is_sent_unless_configured(void **state)
{
    (void)state;
    int before = requests;
    struct tz_llm_summary s;
    assert_int_equal(tz_summary_llm(NULL, "Tekst.", 6, NULL, &s), TZ_ENOTFOUND);
    assert_non_null(strstr(s.reason, "no language model"));
    struct tz_llm_config cfg = {.url = ""};
    assert_int_equal(tz_summary_llm(&cfg, "Tekst.", 6, NULL, &s), TZ_ENOTFOUND);
    cfg.url = "file:///etc/passwd";
    assert_int_equal(tz_summary_llm(&cfg, "Tekst.", 6, NULL, &s), TZ_EINVAL);
    cfg.url = "gopher://127.0.0.1/";
    assert_int_equal(tz_summary_llm(&cfg, "Tekst.", 6, NULL, &s), TZ_EINVAL);
    assert_int_equal(requests, before);
}

int main(void)
{
    const struct CMUnitTest extractive[] = {
        cmocka_unit_test(sentences_are_cut_where_a_reader_cuts_them),
        cmocka_unit_test(the_best_sentences_in_the_order_of_the_text),
        cmocka_unit_test(spans_in_code_points_and_bytes),
        cmocka_unit_test(the_default_length_and_lines),
        cmocka_unit_test(hostile_text_is_refused),
    };
    const struct CMUnitTest model[] = {
        cmocka_unit_test(the_model_summarises_through_the_chat_api),
        cmocka_unit_test(failures_are_said_not_hidden),
        cmocka_unit_test(nothing_is_sent_unless_configured),
    };
    int failed = cmocka_run_group_tests_name("extractive", extractive, NULL, NULL);
    return failed + cmocka_run_group_tests_name("model", model, start_double, stop_double);
}
