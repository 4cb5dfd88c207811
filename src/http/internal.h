/*
 * internal.h - what the http/ files share: the request context, the route
 * table and the response helpers. Not part of the module's promise.
 */
#ifndef TZ_HTTP_INTERNAL_H
#define TZ_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "base/buf.h"
#include "base/fielderr.h"
#include "base/ratelimit.h"
#include "http/server.h"

#define TZ_HTTP_MAX_QUERY_PARAMS 32

struct tz_http {
    struct MHD_Daemon *daemon;
    struct tz_threatmap *tm;
    uint16_t port;
    atomic_int suspended;  /* connections waiting for the group commit */
    atomic_bool closing;   /* stop was called: new reports get 503 */
    char *categories_json; /* rendered once: they do not change while serving */
    size_t categories_len;
    char *districts_json;
    size_t districts_len;
    char *web_root;   /* absolute path of the front end's folder, or NULL */
    char *tiles_meta; /* --tiles as the pages' tarcza-tiles meta tag (escaped), or NULL */
    struct tz_ratelimit *key_limit; /* Open311 POSTs per API key */
    struct tz_auth *auth; /* police accounts, sessions, audit (api_auth.c, api_police.c) */
    /* guard.c: connections still sending a request are closed past request_timeout_ms. */
    pthread_mutex_t guard_mu;
    pthread_cond_t guard_cv;
    struct tracked_conn *tracked; /* every open connection, doubly linked */
    int64_t request_timeout_ms;   /* 0: no reaper */
    pthread_t reaper;
    bool reaper_running;
    bool reaper_stop;
    struct tz_ratelimit *write_limit; /* anonymous reports per client address, or NULL */
    struct tz_ratelimit *login_limit; /* police login attempts per client address, or NULL */
    char trusted_proxy[46];     /* serve --trusted-proxy, as inet_ntop writes it; "" for none */
    unsigned char addr_key[32]; /* keys the address hash the limiter sees */
};

enum request_state {
    REQUEST_NEW,        /* headers read, handler not yet run */
    REQUEST_BODY,       /* receiving the body */
    REQUEST_COMMITTING, /* suspended until the writer has stored the report */
    REQUEST_COMMITTED,  /* resumed; commit_err says how it went */
};

struct request;
typedef enum MHD_Result (*handler_fn)(struct request *req);

struct request {
    struct tz_http *srv;
    struct MHD_Connection *conn;
    const char *url;
    const char *method;
    enum request_state state;
    handler_fn handler;
    bool wants_body;
    struct tz_buf body;
    bool body_too_big;
    size_t discarded;  /* bytes dropped after body_too_big */
    int64_t id;        /* {id} of the path, where the route has one */
    const char *allow; /* methods the path allows, for a 405 answer */
    struct tz_submission sub;
    tz_err commit_err;
    const char *extra_header[2]; /* one more header (name, value) for the answer, e.g. Set-Cookie */
    char extra_value[160];       /* storage for extra_header[1] */
};

/* Answers with a JSON body, taking ownership of buf's contents. */
enum MHD_Result http_respond_json(struct request *req, unsigned status, struct tz_buf *buf);
/* Answers with a body that lives as long as the server (cached documents). */
enum MHD_Result http_respond_static(struct request *req, unsigned status, const char *type,
                                    const char *body, size_t len);
/* Answers with an RFC 9457 problem for err (fields may be NULL). */
enum MHD_Result http_respond_problem(struct request *req, tz_err err, const char *detail,
                                     const struct tz_field_errors *fields);
/* Answers with a problem of an explicit HTTP status. */
enum MHD_Result http_respond_status_problem(struct request *req, unsigned status,
                                            const char *detail,
                                            const struct tz_field_errors *fields);
/* Answers with buf's contents (taking ownership) as the given content type. */
enum MHD_Result http_respond_typed(struct request *req, unsigned status, const char *type,
                                   struct tz_buf *buf);
/* A threat-map function that answers a query string into a buffer (list, map). */
typedef tz_err (*query_fn)(struct tz_threatmap *tm, const struct tz_query_param *params,
                           size_t count, int64_t now, struct tz_buf *out,
                           struct tz_field_errors *errs);
/* Answers a GET whose query string `answer` reads: 200 with its JSON, or 400 with the bad fields.
 */
enum MHD_Result http_respond_query(struct request *req, query_fn answer, size_t max);

/* Collects the query parameters; false when there are more than the maximum. */
bool http_query_params(struct request *req, struct tz_query_param *params, size_t *count);

/*
 * guard.c: abuse limits. http_guard_notify is libmicrohttpd's connection
 * callback (MHD_OPTION_NOTIFY_CONNECTION); a request counts as received once
 * its handler runs, and the reaper thread shuts the socket of a connection
 * that took longer than the request timeout to send one (a trickling client).
 */
tz_err http_guard_start(struct tz_http *srv, const struct tz_http_config *cfg);
void http_guard_stop(struct tz_http *srv);
void http_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code);
void http_guard_request_received(struct MHD_Connection *conn);
void http_guard_request_done(struct MHD_Connection *conn);
/* Takes a token of the client's write bucket; false with the seconds to wait when it is empty. */
bool http_guard_write_allowed(struct request *req, int *retry_after_s);
/* The client's address as text: the peer's, or behind the trusted proxy its X-Forwarded-For. */
void http_client_address(struct request *req, char *out, size_t size);
/* The same for a login attempt (srv->login_limit). */
bool http_guard_login_allowed(struct request *req, int *retry_after_s);
/* A problem answer of status with Retry-After (429, 503). */
enum MHD_Result http_respond_retry(struct request *req, unsigned status, const char *detail,
                                   int retry_after_s);
/* Answers 429 Too Many Requests with Retry-After. */
enum MHD_Result http_respond_too_many(struct request *req, int retry_after_s);

/* The handlers (api_*.c). */
enum MHD_Result api_healthz(struct request *req);
enum MHD_Result api_categories(struct request *req);
enum MHD_Result api_districts(struct request *req);
enum MHD_Result api_reports_list(struct request *req);
enum MHD_Result api_reports_create(struct request *req);
enum MHD_Result api_reports_get(struct request *req);
enum MHD_Result api_reports_me_too(struct request *req);
enum MHD_Result api_map(struct request *req);
/* An error in Open311's own format (api_open311.c): what response.c answers under /open311/. */
enum MHD_Result http_open311_error(struct request *req, unsigned status, const char *detail,
                                   int retry_after_s);
/* Checks and keeps the tile server of the pages (static.c); TZ_EINVAL for a bad URL or text. */
tz_err http_static_tiles(struct tz_http *srv, const char *url, const char *attribution);
/* analysis (api_analysis.c) */
enum MHD_Result api_analysis_hotspots(struct request *req);
enum MHD_Result api_analysis_linked(struct request *req);
enum MHD_Result api_analysis_trends(struct request *req);
enum MHD_Result api_analysis_stats(struct request *req);
enum MHD_Result api_analysis_patrol(struct request *req);
/* The police side (api_auth.c, api_police.c). */
enum MHD_Result api_auth_login(struct request *req);
enum MHD_Result api_auth_logout(struct request *req);
enum MHD_Result api_auth_me(struct request *req);
enum MHD_Result api_institutions(struct request *req);
enum MHD_Result api_police_report(struct request *req);
enum MHD_Result api_report_transition(struct request *req);
enum MHD_Result api_report_description(struct request *req);
enum MHD_Result api_report_assignment(struct request *req);
enum MHD_Result api_report_merge(struct request *req);
enum MHD_Result api_district_assignment(struct request *req);
enum MHD_Result api_queue(struct request *req);
enum MHD_Result api_dashboard(struct request *req);
enum MHD_Result api_accounts(struct request *req);
enum MHD_Result api_audit_verify(struct request *req);
enum MHD_Result api_account_create(struct request *req);
enum MHD_Result api_account_change(struct request *req);
/* Serves the browser front end from srv->web_root (static.c); 404 when there is none. */
enum MHD_Result api_static(struct request *req);

/* Adds the headers every answer carries (type among them), queues resp and releases it. */
enum MHD_Result http_queue_response(struct request *req, unsigned status, struct MHD_Response *resp,
                                    const char *type);
/*
 * Submits req->sub (validated) to the group-commit writer and suspends the
 * connection until the report is durable; the answer follows when it resumes
 * (api_reports.c, for POST /api/v1/reports and Open311's POST).
 */
enum MHD_Result http_submit_report(struct request *req);
/* The value of a hex digit (either case), or -1 (form.c; also the URL decoder of server.c). */
int http_hex_digit(char c);

/* An application/x-www-form-urlencoded body, decoded (form.c). */
#define HTTP_FORM_PARAMS_MAX 64
struct http_form {
    char *text; /* the decoded copy that the pairs point into */
    struct {
        char *key;
        char *value;
    } params[HTTP_FORM_PARAMS_MAX];
    size_t count;
};
/*
 * Reads len bytes of a form ('&'-separated key=value pairs, '+' a space,
 * %XX escapes) into form, which http_form_free releases whatever the result.
 * Empty pairs are skipped. TZ_EMALFORMED for a bad escape or an escaped NUL,
 * TZ_ETOOBIG for more than HTTP_FORM_PARAMS_MAX pairs.
 */
tz_err http_form_parse(const char *body, size_t len, struct http_form *form);
void http_form_free(struct http_form *form);
/* Open311 GeoReport v2 under /open311/v2/ (api_open311.c). */
enum MHD_Result api_open311_get(struct request *req);
enum MHD_Result api_open311_post(struct request *req);
/* The open-data export of the public view, streamed (api_export.c). */
enum MHD_Result api_export_geojson(struct request *req);
enum MHD_Result api_export_csv(struct request *req);

#endif
