/*
 * assistant/translate_libre.c - a LibreTranslate server as the engine for other pairs.
 *
 * The LibreTranslate API (POST /translate with {q, source, target, format, api_key} as JSON,
 * answering {"translatedText": ...}) is spoken by LibreTranslate itself and by the local servers
 * that copy it, so the police can run one next to tarcza and nothing leaves their network. The
 * request has one deadline for connecting and answering, the answer a bound on its size, and
 * anything but a 200 with a string translatedText is a failure named in `why`: a timeout, an
 * error status, or garbage. libcurl, because it is the HTTP client Debian has (and tests use).
 */
#include "assistant/translate_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

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

static char *request_body(const struct tz_translate_config *cfg, const char *from,
                          const char *to, const char *text, size_t n)
{
    json_t *o = json_object();
    char *s = NULL;
    if (o == NULL)
        return NULL;
    if (json_object_set_new(o, "q", json_stringn(text, n)) == 0 &&
        json_object_set_new(o, "source", json_string(from)) == 0 &&
        json_object_set_new(o, "target", json_string(to)) == 0 &&
        json_object_set_new(o, "format", json_string("text")) == 0 &&
        (cfg->libre_key == NULL ||
         json_object_set_new(o, "api_key", json_string(cfg->libre_key)) == 0))
        s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* The translatedText of a 200 answer; TZ_EIO with why for anything else. */
static tz_err read_answer(long status, const struct tz_buf *b, char **out, char *why, size_t wn)
{
    json_t *doc, *t;
    tz_err err = TZ_EIO;

    if (status != 200) {
        snprintf(why, wn, "the translation server answered HTTP %ld", status);
        return TZ_EIO;
    }
    doc = b->data != NULL ? json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES, NULL) : NULL;
    t = json_is_object(doc) ? json_object_get(doc, "translatedText") : NULL;
    if (!json_is_string(t)) {
        snprintf(why, wn, "the translation server's answer is not a translation");
        goto done;
    }
    *out = strndup(json_string_value(t), json_string_length(t));
    err = *out != NULL ? TZ_OK : TZ_ENOMEM;
done:
    json_decref(doc);
    return err;
}

tz_err tz_translate_libre_run(const struct tz_translate_config *cfg, const char *from,
                              const char *to, const char *text, size_t n, char **out, char *why,
                              size_t wn)
{
    char url[600];
    struct tz_buf b;
    struct curl_slist *headers = NULL;
    char *body = NULL;
    CURL *c = NULL;
    CURLcode rc;
    long status = 0;
    long limit = cfg->timeout_ms > 0 ? cfg->timeout_ms : 20000;
    size_t ul = strlen(cfg->libre_url);
    tz_err err = TZ_EIO;

    *out = NULL;
    tz_buf_init(&b, TZ_TRANSLATE_OUT_MAX);
    pthread_once(&curl_once, curl_start);
    if (curl_init_result != CURLE_OK)
        goto done;
    if (snprintf(url, sizeof url, "%.*s/translate", (int)(ul > 0 && cfg->libre_url[ul - 1] == '/' ? ul - 1 : ul),
                 cfg->libre_url) >= (int)sizeof url) {
        err = TZ_EINVAL;
        goto done;
    }
    body = request_body(cfg, from, to, text, n);
    headers = curl_slist_append(NULL, "Content-Type: application/json");
    c = curl_easy_init();
    if (body == NULL || headers == NULL || c == NULL) {
        err = TZ_ENOMEM;
        goto done;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, limit);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    rc = curl_easy_perform(c);
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(why, wn, "the translation server gave no answer within the time limit");
        goto done;
    }
    if (rc == CURLE_WRITE_ERROR) {
        snprintf(why, wn, "the translation server's answer passed its bound");
        goto done;
    }
    if (rc != CURLE_OK) {
        snprintf(why, wn, "the translation server could not be reached (%s)", curl_easy_strerror(rc));
        goto done;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    err = read_answer(status, &b, out, why, wn);
done:
    curl_easy_cleanup(c);
    curl_slist_free_all(headers);
    free(body);
    tz_buf_free(&b);
    return err;
}
