/*
 * server.c - the libmicrohttpd daemon, the route table and the life of a
 * request: headers -> (body, bounded) -> handler -> answer, with POST of a
 * report suspended while the group commit makes it durable.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/num.h"
#include "base/tztime.h"
#include "http/exchange_json.h"
#include "http/internal.h"
#include "http/render.h"

#define DISCARD_MAX (1024u * 1024) /* bytes of an oversized chunked body read before closing */
#define HTTP_PHOTO_BODIES_MAX (128u * 1024 * 1024) /* bytes of reports with photos held at once */

/* What a route reads from the request body, checked from the headers before it is read. */
enum body_kind {
    NO_BODY,
    JSON_BODY,   /* application/json, at most TZ_REPORT_BODY_MAX */
    FORM_BODY,   /* application/x-www-form-urlencoded (Open311), at most TZ_REPORT_BODY_MAX */
    XJSON_BODY,  /* application/json, an exchange message: at most TZ_X_WIRE_MAX */
    REPORT_BODY, /* application/json, a report with its photos: at most TZ_REPORT_PHOTOS_BODY_MAX */
};

struct route {
    const char *method;
    const char *path; /* exact, a prefix followed by a numeric {id}, or a prefix ending in '/' */
    bool has_id;
    enum body_kind body;
    handler_fn handler;
    const char *after_id; /* what follows the {id}, e.g. "/me-too"; NULL for nothing */
};

static const struct route routes[] = {
    {"GET", "/healthz", false, NO_BODY, api_healthz, NULL},
    {"GET", "/api/v1/categories", false, NO_BODY, api_categories, NULL},
    {"GET", "/api/v1/districts", false, NO_BODY, api_districts, NULL},
    {"GET", "/api/v1/reports", false, NO_BODY, api_reports_list, NULL},
    {"POST", "/api/v1/reports", false, REPORT_BODY, api_reports_create, NULL},
    {"GET", "/api/v1/reports/", true, NO_BODY, api_reports_get, NULL},
    {"GET", "/api/v1/map", false, NO_BODY, api_map, NULL},
    {"GET", "/api/v1/photos/", true, NO_BODY, api_photo, NULL},
    {"GET", "/api/v1/photos/", true, NO_BODY, api_photo_thumb, "/thumb"},
    {"POST", "/api/v1/reports/", true, NO_BODY, api_reports_me_too, "/me-too"},
    /* Open311 GeoReport v2 (api_open311.c): every path under the prefix; form bodies. */
    {"GET", "/open311/v2/", false, NO_BODY, api_open311_get, NULL},
    {"POST", "/open311/v2/", false, FORM_BODY, api_open311_post, NULL},
    /* Open data (api_export.c). */
    {"GET", "/api/v1/export/reports.geojson", false, NO_BODY, api_export_geojson, NULL},
    {"GET", "/api/v1/export/reports.csv", false, NO_BODY, api_export_csv, NULL},
    /* analysis (api_analysis.c) */
    {"GET", "/api/v1/analysis/hotspots", false, NO_BODY, api_analysis_hotspots, NULL},
    {"GET", "/api/v1/analysis/linked", false, NO_BODY, api_analysis_linked, NULL},
    {"GET", "/api/v1/analysis/trends", false, NO_BODY, api_analysis_trends, NULL},
    {"GET", "/api/v1/analysis/stats", false, NO_BODY, api_analysis_stats, NULL},
    {"GET", "/api/v1/analysis/patrol", false, NO_BODY, api_analysis_patrol, NULL},
    /* The police side (api_auth.c, api_police.c). */
    {"POST", "/api/v1/auth/login", false, JSON_BODY, api_auth_login, NULL},
    {"POST", "/api/v1/auth/logout", false, NO_BODY, api_auth_logout, NULL},
    {"GET", "/api/v1/auth/me", false, NO_BODY, api_auth_me, NULL},
    {"GET", "/api/v1/institutions", false, NO_BODY, api_institutions, NULL},
    {"GET", "/api/v1/police/reports/", true, NO_BODY, api_police_report, NULL},
    {"GET", "/api/v1/police/photos/", true, NO_BODY, api_police_photo, NULL},
    {"GET", "/api/v1/police/photos/", true, NO_BODY, api_police_photo_thumb, "/thumb"},
    {"POST", "/api/v1/photos/", true, JSON_BODY, api_photo_review, "/review"},
    {"POST", "/api/v1/districts/assignment", false, JSON_BODY, api_district_assignment, NULL},
    {"GET", "/api/v1/queue", false, NO_BODY, api_queue, NULL},
    {"GET", "/api/v1/dashboard", false, NO_BODY, api_dashboard, NULL},
    {"GET", "/api/v1/accounts", false, NO_BODY, api_accounts, NULL},
    {"GET", "/api/v1/audit/verify", false, NO_BODY, api_audit_verify, NULL},
    {"POST", "/api/v1/accounts", false, JSON_BODY, api_account_create, NULL},
    {"POST", "/api/v1/accounts/change", false, JSON_BODY, api_account_change, NULL},
    {"POST", "/api/v1/reports/", true, JSON_BODY, api_report_transition, "/transitions"},
    {"POST", "/api/v1/reports/", true, JSON_BODY, api_report_description, "/description"},
    {"POST", "/api/v1/reports/", true, JSON_BODY, api_report_assignment, "/assignment"},
    {"POST", "/api/v1/reports/", true, JSON_BODY, api_report_merge, "/merge"},
    {"GET", "/api/v1/addresses", false, NO_BODY, api_addresses, NULL},
    /* the assistant (api_assistant.c) */
    {"POST", "/api/v1/assistant/analyse", false, JSON_BODY, api_assistant_analyse, NULL},
    {"POST", "/api/v1/assistant/redact", false, JSON_BODY, api_assistant_redact, NULL},
    {"POST", "/api/v1/assistant/summarise", false, JSON_BODY, api_assistant_summarise, NULL},
    /* The assistant's language and translation (api_assistant_lang.c). */
    {"POST", "/api/v1/assistant/language", false, JSON_BODY, api_assistant_language, NULL},
    {"POST", "/api/v1/assistant/translate", false, JSON_BODY, api_assistant_translate, NULL},
    {"GET", "/api/v1/assistant/search", false, NO_BODY, api_assistant_search, NULL},
    /* The assistant over an exchange case (api_assistant_cases.c). */
    {"GET", "/api/v1/assistant/cases/", true, NO_BODY, api_assistant_case, NULL},
    {"POST", "/api/v1/assistant/cases/", true, JSON_BODY, api_assistant_ask, "/ask"},
    {"POST", "/api/v1/assistant/messages/", true, JSON_BODY, api_assistant_add_entity, "/entities"},
    /* Screening (api_screening.c). */
    {"POST", "/api/v1/screening/persons", false, JSON_BODY, api_screening_persons, NULL},
    {"POST", "/api/v1/screening/documents", false, JSON_BODY, api_screening_documents, NULL},
    {"POST", "/api/v1/screening/vehicles", false, JSON_BODY, api_screening_vehicles, NULL},
    /* a batch of up to 1,000 items: the exchange's bound of 512 KiB */
    {"POST", "/api/v1/screening/batch", false, XJSON_BODY, api_screening_batch, NULL},
    {"POST", "/api/v1/screening/hit-message", false, JSON_BODY, api_screening_hit_message, NULL},
    /* Structured exchange (api_exchange.c, issue 14). */
    {"POST", "/api/v1/exchange/cases", false, XJSON_BODY, api_x_case_create, NULL},
    {"GET", "/api/v1/exchange/cases/", true, NO_BODY, api_x_case_get, NULL},
    {"POST", "/api/v1/exchange/cases/", true, XJSON_BODY, api_x_case_post, "/messages"},
    /* Every GET under the prefix first (the handler reads {id}/attachments/{n}); the later,
     * exact routes win where they match, since the last match is taken. */
    {"GET", "/api/v1/exchange/messages/", false, NO_BODY, api_x_attachment, NULL},
    {"GET", "/api/v1/exchange/messages/", true, NO_BODY, api_x_message_get, NULL},
    {"POST", "/api/v1/exchange/messages/", true, XJSON_BODY, api_x_reply, "/reply"},
    {"POST", "/api/v1/exchange/messages/", true, XJSON_BODY, api_x_refusal, "/refusal"},
    {"POST", "/api/v1/exchange/messages/", true, XJSON_BODY, api_x_clarification, "/clarification"},
    {"GET", "/api/v1/exchange/inbox", false, NO_BODY, api_x_inbox, NULL},
    {"GET", "/api/v1/exchange/outbox", false, NO_BODY, api_x_outbox, NULL},
    {"GET", "/api/v1/exchange/nodes", false, NO_BODY, api_x_nodes, NULL}, /* api_federation.c */
    {"GET", "/api/v1/exchange/node-outbox", false, NO_BODY, api_x_node_outbox, NULL},
    {"POST", "/api/v1/exchange/notices/", true, JSON_BODY, api_x_notice_move, "/transitions"},
    /* What the police web pages read beside (api_exchange_codes.c). */
    {"GET", "/api/v1/exchange/codes", false, NO_BODY, api_x_codes, NULL},
    {"GET", "/api/v1/exchange/notices/", true, NO_BODY, api_x_notice_get, NULL},
    {"GET", "/api/v1/exchange/messages/", true, NO_BODY, api_x_hits, "/hits"},
    /* What a SPOC does beyond messages (api_exchange_spoc.c). */
    {"POST", "/api/v1/exchange/messages/", true, JSON_BODY, api_x_deviation, "/deviation"},
    {"POST", "/api/v1/exchange/messages/", true, JSON_BODY, api_x_permission, "/permissions"},
    {"POST", "/api/v1/exchange/messages/", true, XJSON_BODY, api_x_forward, "/forward"},
    {"GET", "/api/v1/exchange/statistics", false, NO_BODY, api_x_statistics, NULL},
    /* Football events (api_exchange_events.c) and retention (api_exchange_retention.c). */
    {"POST", "/api/v1/exchange/events", false, XJSON_BODY, api_x_event_create, NULL},
    {"GET", "/api/v1/exchange/events", false, NO_BODY, api_x_events, NULL},
    {"GET", "/api/v1/exchange/events/", true, NO_BODY, api_x_event_get, NULL},
    {"POST", "/api/v1/exchange/events/", true, XJSON_BODY, api_x_event_post, "/messages"},
    {"POST", "/api/v1/exchange/cases/", true, JSON_BODY, api_x_case_conclude, "/conclusion"},
    {"GET", "/api/v1/exchange/retention", false, NO_BODY, api_x_retention, NULL},
    {"POST", "/api/v1/exchange/retention/", true, JSON_BODY, api_x_retention_review, "/review"},
    /* Alerts for an area (api_alerts.c, issue 19). */
    {"GET", "/api/v1/alerts/feed.atom", false, NO_BODY, api_alerts_feed, NULL},
    {"POST", "/api/v1/alerts/subscriptions", false, JSON_BODY, api_alerts_subscribe, NULL},
    {"GET", "/api/v1/alerts/confirm", false, NO_BODY, api_alerts_confirm, NULL},
    {"POST", "/api/v1/alerts/unsubscribe", false, FORM_BODY, api_alerts_unsubscribe, NULL},
    {"GET", "/api/v1/alerts/unsubscribe", false, NO_BODY, api_alerts_unsubscribe_page, NULL},
    {"GET", "/api/v1/alerts/webhooks", false, NO_BODY, api_alerts_webhooks, NULL},
    {"POST", "/api/v1/alerts/webhooks", false, JSON_BODY, api_alerts_webhook_add, NULL},
    {"POST", "/api/v1/alerts/webhooks/change", false, JSON_BODY, api_alerts_webhook_change, NULL},
    /* Operations (api_meta.c, metrics.c): readiness and Prometheus metrics. */
    {"GET", "/readyz", false, NO_BODY, api_readyz, NULL},
    {"GET", "/metrics", false, NO_BODY, api_metrics, NULL},
};

#define ROUTE_COUNT (sizeof routes / sizeof routes[0])

size_t http_route_count(void)
{
    return ROUTE_COUNT + 2;
}

void http_route_label(size_t i, const char **method, char *path, size_t size)
{
    if (i >= ROUTE_COUNT) {
        *method = i == ROUTE_COUNT ? "GET" : "-";
        snprintf(path, size, "%s", i == ROUTE_COUNT ? "static" : "unmatched");
        return;
    }
    const struct route *r = &routes[i];
    *method = r->method;
    size_t n = strlen(r->path);
    if (r->has_id)
        snprintf(path, size, "%s{id}%s", r->path, r->after_id ? r->after_id : "");
    else
        snprintf(path, size, "%s%s", r->path, r->path[n - 1] == '/' ? "*" : "");
}

struct tz_http_config tz_http_defaults(void)
{
    return (struct tz_http_config){
        .bind_addr = "127.0.0.1",
        .port = 8080,
        .threads = 0,
        .connection_limit = 4096,
        .idle_timeout_s = 30,
        .web_root = NULL,
        .key_rate_per_s = 10,
        .key_burst = 100,
        .per_ip_limit = TZ_HTTP_PER_IP_AUTO,
        .ipv6_prefix = TZ_NETADDR_V6_PREFIX,
        .request_timeout_s = 10,
        .header_limit = 32u * 1024,
        .write_rate_per_hour = 30,
        .feed_rate_per_min = 120,
        .write_burst = 10,
        .login_rate_per_min = 10,
    };
}

/*
 * Reads a positive decimal id of at most 15 digits (below 2^53, safe in JSON)
 * followed by exactly `rest` ("" when nothing may follow).
 */
static bool parse_id(const char *s, const char *rest, int64_t *out)
{
    int64_t v = 0;
    size_t n = 0;
    for (; s[n] >= '0' && s[n] <= '9'; n++) {
        if (n >= 15)
            return false;
        v = v * 10 + (s[n] - '0');
    }
    if (n == 0 || v <= 0 || strcmp(s + n, rest) != 0)
        return false;
    *out = v;
    return true;
}

static bool path_matches(const struct route *r, const char *url, int64_t *id)
{
    size_t n = strlen(r->path);
    if (!r->has_id && r->path[n - 1] == '/')
        return strncmp(url, r->path, n) == 0; /* the handler reads the rest */
    if (!r->has_id)
        return strcmp(url, r->path) == 0;
    return strncmp(url, r->path, n) == 0 && parse_id(url + n, r->after_id ? r->after_id : "", id);
}

/* Finds the route; when only the method is wrong, sets req->allow and returns NULL. */
static const struct route *find_route(struct request *req, const char *method)
{
    static const char *const allow_get = "GET, HEAD";
    static const char *const allow_get_post = "GET, HEAD, POST";
    static const char *const allow_post = "POST";
    bool get_ok = false, post_ok = false;
    const struct route *found = NULL;
    if (strcmp(method, "HEAD") == 0)
        method = "GET";
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        int64_t id = 0;
        const struct route *r = &routes[i];
        if (!path_matches(r, req->url, &id))
            continue;
        get_ok = get_ok || strcmp(r->method, "GET") == 0;
        post_ok = post_ok || strcmp(r->method, "POST") == 0;
        if (strcmp(r->method, method) == 0) {
            found = r;
            req->id = id;
            req->route = i;
        }
    }
    if (!found && (get_ok || post_ok))
        req->allow = !post_ok ? allow_get : get_ok ? allow_get_post : allow_post;
    return found;
}

static enum MHD_Result not_found(struct request *req)
{
    return http_respond_status_problem(req, 404, "no such resource", NULL);
}

static enum MHD_Result method_not_allowed(struct request *req)
{
    return http_respond_status_problem(req, 405, "this method is not allowed here", NULL);
}

/* Behind the trusted proxy, a request whose forwarding headers name no one clearly. */
static enum MHD_Result unknown_client(struct request *req)
{
    return http_respond_status_problem(
        req, 400, "the proxy's X-Forwarded-For or Forwarded header names no one client", NULL);
}

/* 413, naming the bound of the route's body. */
static enum MHD_Result too_big(struct request *req)
{
    return http_respond_status_problem(
        req, 413,
        req->body.max > TZ_X_BODY_MAX        ? "the body is larger than 21 MiB"
        : req->body.max > TZ_REPORT_BODY_MAX ? "the body is larger than 512 KiB"
                                             : "the body is larger than 16 KiB",
        NULL);
}

/*
 * Counts a report's body of `declared` bytes (0: chunked, counted at its bound) against
 * HTTP_PHOTO_BODIES_MAX before it is read; a body within TZ_REPORT_BODY_MAX (no photos) is not
 * counted. False when the bound would be passed (nothing is counted then).
 */
static bool reserve_photo_body(struct request *req, size_t declared)
{
    size_t want = declared ? declared : TZ_REPORT_PHOTOS_BODY_MAX;
    if (want <= TZ_REPORT_BODY_MAX)
        return true;
    size_t held = atomic_fetch_add(&req->srv->photo_body_bytes, want);
    if (held + want > HTTP_PHOTO_BODIES_MAX) {
        atomic_fetch_sub(&req->srv->photo_body_bytes, want);
        return false;
    }
    req->photo_reserved = want;
    return true;
}

/* First call for a request: route it and check its headers before any body is read. */
static enum MHD_Result begin_request(struct request *req)
{
    const struct route *route = find_route(req, req->method);
    req->state = REQUEST_BODY;
    if (!route && !req->allow && strncmp(req->url, "/api/", 5) != 0 &&
        (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)) {
        req->handler = api_static; /* the browser front end (static.c) */
        req->route = HTTP_ROUTE_STATIC;
        return MHD_YES;
    }
    if (!route) {
        req->handler = req->allow ? method_not_allowed : not_found;
        return MHD_YES;
    }
    req->handler = route->handler;
    req->wants_body = route->body != NO_BODY;
    /*
     * Answer on the next call, not this one: libmicrohttpd closes a connection
     * whose answer was queued before the request was read whole, and clients
     * reuse connections. Early answers above are refusals, where closing is right.
     */
    if (route->body == NO_BODY)
        return MHD_YES;
    /* Open311 reads its form itself and says what is wrong with it in its own format. */
    const char *type =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    bool json = route->body == JSON_BODY || route->body == XJSON_BODY || route->body == REPORT_BODY;
    if (json && (!type || strncasecmp(type, "application/json", 16) != 0 ||
                 (type[16] != '\0' && type[16] != ';' && type[16] != ' ')))
        return http_respond_status_problem(req, 415, "send the report as application/json", NULL);
    if (route->body == XJSON_BODY)
        req->body.max = TZ_X_WIRE_MAX; /* the buffer is still empty: only its bound grows */
    /* An Open311 POST with media files (open311_post.c): bounded and counted as a report's. */
    bool media = route->body == FORM_BODY && strncmp(req->url, "/open311/v2/requests.", 21) == 0 &&
                 http_is_multipart_form(type);
    if (route->body == REPORT_BODY || media)
        req->body.max = TZ_REPORT_PHOTOS_BODY_MAX; /* photos ride in base64 (docs/api.md) */
    const char *length =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    int64_t declared = 0; /* libmicrohttpd has refused a malformed Content-Length already */
    if (length &&
        tz_num_parse_i64(length, strlen(length), 0, (int64_t)req->body.max, &declared) == TZ_EINVAL)
        return too_big(req);
    if ((route->body == REPORT_BODY || media) &&
        !reserve_photo_body(req, length ? (size_t)declared : 0))
        return http_respond_retry(req, 503,
                                  "too many reports with photos arrive at once; try again", 2);
    return MHD_YES;
}

/*
 * Percent-decodes a path or query value in place, like libmicrohttpd's own
 * decoder but leaving "%00" as it is: decoded, the NUL would silently cut the
 * string (/index.html%00.js would name index.html); left alone, the path and
 * parameter checks see it and refuse it.
 */
static size_t unescape_keeping_nul(void *cls, struct MHD_Connection *conn, char *s)
{
    char *out = s;
    for (const char *in = s; *in; in++) {
        int hi = in[0] == '%' ? http_hex_digit(in[1]) : -1;
        int lo = hi >= 0 ? http_hex_digit(in[2]) : -1;
        if (lo >= 0 && (hi | lo) != 0) {
            *out++ = (char)(hi * 16 + lo);
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return (size_t)(out - s);
}

/* The context of every request whose own could not be allocated. */
static struct request no_memory;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct tz_http *srv = cls;
    struct request *req = *con_cls;
    if (req == &no_memory) { /* its body dropped, then 503 */
        if (*upload_data_size) {
            *upload_data_size = 0;
            return MHD_YES;
        }
        return http_respond_out_of_memory(conn);
    }
    if (!req) {
        req = calloc(1, sizeof *req);
        if (!req) {
            *con_cls = &no_memory; /* answered once the request is in, as routes are */
            return MHD_YES;
        }
        req->srv = srv;
        req->conn = conn;
        req->url = url;
        req->method = method;
        req->route = HTTP_ROUTE_NONE;
        http_observe_begin(req);
        tz_buf_init(&req->body, TZ_REPORT_BODY_MAX);
        *con_cls = req;
        if (!http_guard_client(req)) { /* answered when the request is in, as routes are */
            req->state = REQUEST_BODY;
            req->handler = unknown_client;
            return MHD_YES;
        }
        return begin_request(req);
    }
    if (req->state == REQUEST_BODY && *upload_data_size) {
        /*
         * A chunked body has no length up front, and libmicrohttpd cannot answer
         * in the middle of one: past the limit the bytes are counted and dropped
         * so that the client still gets its 413, up to a second limit where the
         * connection is simply closed.
         */
        tz_err kept = req->body_too_big ? TZ_ETOOBIG
                                        : tz_buf_append(&req->body, upload_data, *upload_data_size);
        req->body_lost = req->body_lost || (kept && kept != TZ_ETOOBIG);
        req->body_too_big = kept != TZ_OK; /* either way, the rest is counted and dropped */
        if (req->body_too_big) {
            req->discarded += *upload_data_size;
            if (req->discarded > DISCARD_MAX)
                return MHD_NO;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->state == REQUEST_BODY && req->body_lost)
        return http_respond_problem(req, TZ_ENOMEM, NULL, NULL);
    if (req->state == REQUEST_BODY && req->body_too_big)
        return too_big(req);
    http_guard_request_received(conn);
    return req->handler(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct request *req = *con_cls;
    http_guard_request_done(conn);
    if (!req || req == &no_memory)
        return;
    http_observe_done(req);
    if (req->photo_reserved)
        atomic_fetch_sub(&req->srv->photo_body_bytes, req->photo_reserved);
    tz_submission_clear(&req->sub);
    tz_buf_free(&req->body);
    free(req);
    *con_cls = NULL;
}

/* libmicrohttpd's own messages (bind failures, resource limits) go to stderr. */
__attribute__((format(printf, 2, 0))) static void log_mhd(void *cls, const char *fmt, va_list ap)
{
    vfprintf(stderr, fmt, ap);
}

static tz_err render_cached(struct tz_http *srv)
{
    struct tz_buf b;
    tz_buf_init(&b, 256u * 1024 * 1024);
    tz_err err = tz_http_categories_json(srv->tm, &b);
    if (!err) {
        srv->categories_len = b.len;
        srv->categories_json = tz_buf_take(&b);
        err = tz_http_districts_geojson(srv->tm, &b);
    }
    if (!err) {
        srv->districts_len = b.len;
        srv->districts_json = tz_buf_take(&b);
    }
    tz_buf_free(&b);
    return err;
}

static void free_server(struct tz_http *srv)
{
    http_guard_stop(srv);
    tz_screening_close(srv->screening);
    http_metrics_stop(srv);
    tz_log_close(srv->log);
    tz_ratelimit_free(srv->key_limit);
    free(srv->web_root);
    free(srv->tiles_meta);
    free(srv->translate_url);
    free(srv->llm_url);
    free(srv->categories_json);
    free(srv->districts_json);
    free(srv);
}

tz_err tz_http_start(struct tz_threatmap *tm, const struct tz_http_config *cfg,
                     struct tz_http **out)
{
    struct tz_http_config c = cfg ? *cfg : tz_http_defaults();
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(c.port)};
    if (inet_pton(AF_INET, c.bind_addr ? c.bind_addr : "127.0.0.1", &addr.sin_addr) != 1)
        return TZ_EINVAL;
    struct tz_http *srv = calloc(1, sizeof *srv);
    if (!srv)
        return TZ_ENOMEM;
    srv->tm = tm;
    srv->auth = c.auth;
    srv->exchange = c.exchange;
    srv->federation = c.federation;
    srv->addresses = c.addresses;
    srv->alerts = c.alerts;
    tz_err err = http_guard_start(srv, &c);
    if (!err)
        err = http_metrics_start(srv, c.metrics_token);
    if (!err && c.log_path)
        err = tz_log_open(c.log_path, &srv->log);
    if (!err && c.web_root && !(srv->web_root = realpath(c.web_root, NULL)))
        err = TZ_ENOTFOUND;
    if (!err && c.auth)
        err = tz_screening_open(c.auth, NULL, &srv->screening);
    if (!err && srv->screening && c.exchange) /* published notices screened against too */
        tz_screening_attach_exchange(srv->screening, c.exchange);
    if (!err && srv->screening) /* the indexes at start, not on the first officer's query */
        err = tz_screening_load(srv->screening);
    if (!err)
        err = render_cached(srv);
    if (!err && c.tiles_url)
        err = http_static_tiles(srv, c.tiles_url, c.tiles_attribution);
    if (!err && c.translate_url && !(srv->translate_url = strdup(c.translate_url)))
        err = TZ_ENOMEM;
    if (!err && c.llm_url && !(srv->llm_url = strdup(c.llm_url)))
        err = TZ_ENOMEM;
    if (!err)
        err = tz_ratelimit_new(c.key_rate_per_s > 0 ? c.key_rate_per_s : 10,
                               c.key_burst >= 1 ? c.key_burst : 100, 4096, &srv->key_limit);
    if (err) {
        free_server(srv);
        return err;
    }
    unsigned threads = c.threads ? c.threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    srv->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_ERROR_LOG,
        c.port, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_UNESCAPE_CALLBACK,
        unescape_keeping_nul, NULL, MHD_OPTION_THREAD_POOL_SIZE, threads ? threads : 1u,
        MHD_OPTION_CONNECTION_LIMIT, c.connection_limit, MHD_OPTION_CONNECTION_TIMEOUT,
        c.idle_timeout_s, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_CONNECTION_MEMORY_LIMIT, c.header_limit,
        MHD_OPTION_NOTIFY_CONNECTION, http_guard_notify, srv, MHD_OPTION_END);
    if (!srv->daemon) {
        free_server(srv);
        return TZ_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : c.port;
    *out = srv;
    return TZ_OK;
}

uint16_t tz_http_port(const struct tz_http *srv)
{
    return srv->port;
}

void tz_http_stop(struct tz_http *srv)
{
    if (!srv)
        return;
    atomic_store(&srv->closing, true);
    MHD_quiesce_daemon(srv->daemon);
    /* MHD may not stop with suspended connections: let the writer answer them first. */
    for (int i = 0; i < 10000 && atomic_load(&srv->suspended) > 0; i++)
        usleep(1000);
    MHD_stop_daemon(srv->daemon);
    free_server(srv);
}
