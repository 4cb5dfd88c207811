/*
 * assistant/summary_llm.c - the abstractive summary through a local model server, and the
 * summaries' police door.
 *
 * The OpenAI-compatible chat-completions API is what the servers a police force can run on its
 * own machine speak (llama.cpp's llama-server, vLLM, Ollama, LocalAI), so one client covers
 * them: POST <url>/v1/chat/completions with a system message saying what to do and the text as
 * the user's message, temperature 0. The request has one deadline for connecting and
 * answering, the answer a bound on its size (libcurl stops the transfer past it), and anything
 * but a 200 whose choices[0].message.content is a non-empty string is a failure named in
 * reason. The URL must be http or https; nothing is sent when none is configured. What the
 * model says is a machine summary, labelled so, beside the extractive one that always exists.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "assistant/internal.h"
#include "assistant/lang.h"
#include "assistant/summary.h"
#include "base/buf.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result = CURLE_FAILED_INIT;

static void curl_start(void)
{
    curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t collect(char *p, size_t size, size_t nmemb, void *ctx)
{
    struct tz_buf *b = ctx;
    size_t n = size * nmemb;
    return tz_buf_append(b, p, n) == TZ_OK ? n : 0; /* 0 stops the transfer */
}

/* The name of a language in English, for the instruction; "the language of the text" else. */
static const char *language_name(const char *lang)
{
    static const char *const names[][2] = {
        {"pl", "Polish"},     {"en", "English"},     {"ru", "Russian"}, {"uk", "Ukrainian"},
        {"be", "Belarusian"}, {"az", "Azerbaijani"}, {"tr", "Turkish"}, {"ar", "Arabic"},
        {"de", "German"},     {"fr", "French"},      {"es", "Spanish"}, {"ka", "Georgian"},
        {"cs", "Czech"},      {"sk", "Slovak"},
    };
    for (size_t i = 0; lang && i < sizeof names / sizeof *names; i++)
        if (strcmp(lang, names[i][0]) == 0)
            return names[i][1];
    return "the language of the text";
}

/* The instruction of an abstractive summary in lang. */
static void summary_instruction(const char *lang, char *out, size_t size)
{
    snprintf(out, size,
             "You summarise police messages for an officer. Write at most five sentences in %s. "
             "Use only facts stated in the text; keep names, numbers and dates exactly as "
             "written; add nothing.",
             language_name(lang));
}

static char *request_body(const struct tz_llm_config *cfg, const char *system, const char *text,
                          size_t n)
{
    json_t *o = json_pack("{s:s, s:i, s:i, s:[{s:s, s:s}, {s:s, s:s%}]}", "model",
                          cfg->model && cfg->model[0] ? cfg->model : "local", "temperature", 0,
                          "max_tokens", 512, "messages", "role", "system", "content", system,
                          "role", "user", "content", text, n);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

/* The summary of a 200 answer; TZ_EIO with reason for anything else. */
static tz_err read_answer(long status, const struct tz_buf *b, struct tz_llm_summary *out)
{
    if (status != 200) {
        snprintf(out->reason, sizeof out->reason, "the language model server answered HTTP %ld",
                 status);
        return TZ_EIO;
    }
    json_t *doc = b->data ? json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    json_t *choices = json_is_object(doc) ? json_object_get(doc, "choices") : NULL;
    json_t *first = json_is_array(choices) ? json_array_get(choices, 0) : NULL;
    json_t *msg = json_is_object(first) ? json_object_get(first, "message") : NULL;
    json_t *content = json_is_object(msg) ? json_object_get(msg, "content") : NULL;
    json_t *model = json_is_object(doc) ? json_object_get(doc, "model") : NULL;
    tz_err err = TZ_EIO;
    if (!json_is_string(content) || json_string_length(content) == 0) {
        snprintf(out->reason, sizeof out->reason,
                 "the language model server's answer is not a chat completion");
        goto done;
    }
    if (json_is_string(model))
        snprintf(out->model, sizeof out->model, "%s", json_string_value(model));
    out->text = strndup(json_string_value(content), json_string_length(content));
    err = out->text ? TZ_OK : TZ_ENOMEM;
    if (!err)
        out->label = TZ_LLM_LABEL;
done:
    json_decref(doc);
    return err;
}

/* <url>/v1/chat/completions into out; false if the URL is not http(s) or too long. */
static bool endpoint(const char *url, char *out, size_t size)
{
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return false;
    size_t ul = strlen(url);
    while (ul > 0 && url[ul - 1] == '/')
        ul--;
    int w = snprintf(out, size, "%.*s/v1/chat/completions", (int)ul, url);
    return w > 0 && (size_t)w < size;
}

tz_err tz_summary_llm(const struct tz_llm_config *cfg, const char *text, size_t n, const char *lang,
                      struct tz_llm_summary *out)
{
    char system[400];
    summary_instruction(lang, system, sizeof system);
    return tz_llm_chat(cfg, system, text, n, out);
}

tz_err tz_llm_chat(const struct tz_llm_config *cfg, const char *system, const char *text, size_t n,
                   struct tz_llm_summary *out)
{
    memset(out, 0, sizeof *out);
    if (!cfg || !cfg->url || !cfg->url[0]) {
        snprintf(out->reason, sizeof out->reason, "no language model server is configured");
        return TZ_ENOTFOUND;
    }
    char url[600];
    if (!endpoint(cfg->url, url, sizeof url)) {
        snprintf(out->reason, sizeof out->reason, "the language model's URL is not http(s)");
        return TZ_EINVAL;
    }
    struct tz_buf b;
    struct curl_slist *headers = NULL;
    char *body = NULL;
    CURL *c = NULL;
    long status = 0;
    tz_err err = TZ_EIO;
    tz_buf_init(&b, TZ_LLM_ANSWER_MAX);
    pthread_once(&curl_once, curl_start);
    if (curl_init_result != CURLE_OK) {
        snprintf(out->reason, sizeof out->reason, "libcurl could not start");
        goto done;
    }
    body = request_body(cfg, system, text, n);
    headers = curl_slist_append(NULL, "Content-Type: application/json");
    c = curl_easy_init();
    if (!body || !headers || !c) {
        err = TZ_ENOMEM;
        goto done;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        snprintf(out->reason, sizeof out->reason,
                 "the language model gave no answer within the time limit");
    else if (rc == CURLE_WRITE_ERROR)
        snprintf(out->reason, sizeof out->reason, "the language model's answer passed its bound");
    else if (rc != CURLE_OK)
        snprintf(out->reason, sizeof out->reason,
                 "the language model server could not be reached (%s)", curl_easy_strerror(rc));
    if (rc != CURLE_OK)
        goto done;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    err = read_answer(status, &b, out);
done:
    curl_easy_cleanup(c);
    curl_slist_free_all(headers);
    free(body);
    tz_buf_free(&b);
    return err;
}

void tz_llm_summary_clear(struct tz_llm_summary *s)
{
    if (!s)
        return;
    free(s->text);
    memset(s, 0, sizeof *s);
}

void tz_summary_answer_clear(struct tz_summary_answer *a)
{
    if (!a)
        return;
    tz_summary_clear(&a->extract);
    tz_llm_summary_clear(&a->llm);
    memset(a, 0, sizeof *a);
}

tz_err tz_assist_summarise_as(const struct tz_assist_caller *c, const char *text, size_t n,
                              size_t want, const struct tz_llm_config *llm,
                              struct tz_summary_answer *out)
{
    memset(out, 0, sizeof *out);
    if (!c || !c->auth || (!text && n))
        return TZ_EINVAL;
    if (c->who.p && tz_auth_permit(c->who.p, TZ_ACT_ASSISTANT_USE, NULL, NULL, NULL)) {
        tz_err err = assist_audit(c, NULL, "refused");
        return err ? err : TZ_EFORBIDDEN;
    }
    tz_err err = tz_summary_extract(text, n, want, &out->extract);
    if (!err) {
        struct tz_lang_guess g;
        if (tz_lang_identify(text, n, &g) == TZ_OK)
            snprintf(out->language, sizeof out->language, "%s", g.lang);
    }
    const char *how = "none";
    if (!err && llm && llm->url && llm->url[0]) {
        out->llm_asked = true;
        tz_err lerr = tz_summary_llm(llm, text, n, out->language, &out->llm);
        if (lerr == TZ_ENOMEM)
            err = lerr;
        how = lerr ? "failed" : "ok";
    }
    char fields[160];
    snprintf(fields, sizeof fields, "{\"bytes\":%zu,\"sentences\":%zu,\"kept\":%zu,\"llm\":\"%s\"}",
             n, out->extract.sentences, out->extract.count, how);
    tz_err aerr = assist_audit(c, err ? NULL : fields, err ? "failed" : "ok");
    if (!err && aerr)
        err = aerr; /* no audit entry, no answer */
    if (err)
        tz_summary_answer_clear(out);
    return err;
}
