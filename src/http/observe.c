/*
 * observe.c - what the operator sees of each request: its id and the one
 * JSON line it leaves in the request log (docs/operations.md), and its count
 * and latency in /metrics (metrics.c).
 *
 * A request's id is the client's X-Request-Id when that is 1 to 64 bytes of
 * letters, digits and "-._:" (a load balancer's id is kept, so one request can
 * be followed through every hop), else 16 random bytes in hex; the answer
 * carries it back in X-Request-Id. The log names the client only by a keyed
 * hash of its address (or network) whose key lives in this process's memory:
 * lines of one process can be told apart by client, but no address can be
 * read back or tried against them, as with the reporters' hashes.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/jsonw.h"
#include "base/tztime.h"
#include "http/internal.h"

#define LOG_LINE_MAX 2048

static bool id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == ':';
}

/* Whether s is an id to keep: 1 to HTTP_REQUEST_ID_MAX bytes of id_char. */
static bool id_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (n >= HTTP_REQUEST_ID_MAX || !id_char(s[n]))
            return false;
    return n > 0;
}

void http_observe_begin(struct request *req)
{
    req->started_ns = tz_time_mono_ns();
    const char *given = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Request-Id");
    if (given && id_ok(given)) {
        snprintf(req->request_id, sizeof req->request_id, "%s", given);
        return;
    }
    unsigned char bytes[16];
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2hex(req->request_id, sizeof req->request_id, bytes, sizeof bytes);
}

void http_observe_answer(struct request *req, unsigned status, struct MHD_Response *resp)
{
    req->status = status;
    MHD_add_response_header(resp, "X-Request-Id", req->request_id);
}

/* Now as RFC 3339 UTC with milliseconds ("2026-03-28T09:00:00.123Z"). */
static void now_text(char *out, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char sec[TZ_TIME_TEXT_MAX];
    tz_time_format((int64_t)ts.tv_sec, sec);
    size_t n = strlen(sec);
    if (n && sec[n - 1] == 'Z')
        sec[n - 1] = '\0';
    snprintf(out, size, "%s.%03ldZ", sec, ts.tv_nsec / 1000000);
}

/* The client's hash in hex (16 digits), or "" when the client is not known. */
static void client_hash(struct request *req, char *out, size_t size)
{
    char key[TZ_NETADDR_KEY_TEXT_MAX];
    http_client_key_text(req, key, sizeof key);
    out[0] = '\0';
    if (!key[0])
        return;
    unsigned char h[8];
    crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), req->srv->log_key,
                       sizeof req->srv->log_key);
    sodium_bin2hex(out, size, h, sizeof h);
}

/* The request's line of the log. */
static void log_request(struct request *req, int64_t ns)
{
    const char *method = NULL;
    char route[128], when[48], client[17 + 1];
    http_route_label(req->route, &method, route, sizeof route);
    now_text(when, sizeof when);
    client_hash(req, client, sizeof client);
    struct tz_buf b;
    tz_buf_init(&b, LOG_LINE_MAX);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "time", when);
    tz_jw_kstr(&w, "level", req->status >= 500 ? "error" : req->status == 0 ? "warn" : "info");
    tz_jw_kstr(&w, "request_id", req->request_id);
    tz_jw_key(&w, "method");
    tz_jw_strn(&w, req->method, strnlen(req->method, 16)); /* any token the client sent */
    tz_jw_kstr(&w, "route", route);
    tz_jw_kuint(&w, "status", req->status);
    tz_jw_kuint(&w, "duration_us", (uint64_t)(ns / 1000));
    if (client[0])
        tz_jw_kstr(&w, "client", client);
    else
        tz_jw_knull(&w, "client");
    tz_jw_object_end(&w);
    if (tz_jw_end(&w) == TZ_OK)
        tz_log_line(req->srv->log, b.data, b.len);
    tz_buf_free(&b);
}

void http_observe_done(struct request *req)
{
    int64_t ns = tz_time_mono_ns() - req->started_ns;
    if (ns < 0)
        ns = 0;
    if (req->status) /* a connection closed before any answer is logged, not counted */
        http_metrics_count(req->srv, req->route, req->status, ns);
    if (req->srv->log)
        log_request(req, ns);
}
