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
#include "base/log.h"
#include "base/netaddr.h"
#include "base/ratelimit.h"
#include "http/query.h"
#include "http/server.h"

#define TZ_HTTP_MAX_QUERY_PARAMS 32

/* metrics.c: what /metrics counts (docs/operations.md). */
#define HTTP_STATUS_SLOTS 22    /* the answers' statuses, each its own count (the last: others) */
#define HTTP_LATENCY_BUCKETS 14 /* latency histogram's buckets, +Inf the last */
#define HTTP_REQUEST_ID_MAX 64  /* bytes of an X-Request-Id taken from a client */
enum http_limit { HTTP_LIMIT_WRITE, HTTP_LIMIT_LOGIN, HTTP_LIMIT_API_KEY, HTTP_LIMIT_LOCKOUT,
                  HTTP_LIMIT_FEED,
                  HTTP_LIMIT_COUNT };
struct http_route_metrics {
    atomic_uint_fast64_t by_status[HTTP_STATUS_SLOTS];
    atomic_uint_fast64_t latency[HTTP_LATENCY_BUCKETS]; /* not cumulative: summed when rendered */
    atomic_uint_fast64_t latency_ns;                    /* their sum */
};
struct http_metrics {
    struct http_route_metrics *routes; /* one per route of the table, then static, unmatched */
    size_t count;
    atomic_uint_fast64_t refused[HTTP_LIMIT_COUNT]; /* 429 answers by the limit that refused */
    int64_t start_time;                             /* when the server started (Unix seconds) */
    char *token;                                    /* --metrics-token's token, or NULL */
    size_t token_len;
};

struct tz_http {
    struct MHD_Daemon *daemon;
    struct tz_threatmap *tm;
    uint16_t port;
    atomic_int suspended; /* connections waiting for the group commit */
    atomic_bool closing;  /* stop was called: new reports get 503 */
    /* Bytes of report bodies over TZ_REPORT_BODY_MAX (reports with photos) being read or handled
     * now, by what their Content-Length says (a chunked one counts its bound): at most
     * HTTP_PHOTO_BODIES_MAX, so that slow uploads cannot hold the server's memory. */
    atomic_size_t photo_body_bytes;
    char *categories_json; /* rendered once: they do not change while serving */
    size_t categories_len;
    char *districts_json;
    size_t districts_len;
    char *web_root;   /* absolute path of the front end's folder, or NULL */
    char *tiles_meta; /* --tiles as the pages' tarcza-tiles meta tag (escaped), or NULL */
    struct tz_ratelimit *key_limit; /* Open311 POSTs per API key */
    struct tz_auth *auth; /* police accounts, sessions, audit (api_auth.c, api_police.c) */
    struct tz_screening *screening; /* watch-lists (api_screening.c); NULL without auth */
    /* guard.c: connections still sending a request are closed past request_timeout_ms. */
    pthread_mutex_t guard_mu;
    pthread_cond_t guard_cv;
    struct tracked_conn *tracked; /* every open connection, doubly linked */
    int64_t request_timeout_ms;   /* 0: no reaper */
    pthread_t reaper;
    bool reaper_running;
    bool reaper_stop;
    struct tz_ratelimit *write_limit; /* anonymous reports per client address, or NULL */
    struct tz_ratelimit *feed_limit;  /* Atom feeds per client address, or NULL */
    struct tz_alerts *alerts;         /* alerts for an area (api_alerts.c), or NULL: 503 */
    struct tz_ratelimit *login_limit; /* police login attempts per client address, or NULL */
    struct tz_netaddr trusted_proxy;  /* serve --trusted-proxy; family 0 for none */
    unsigned char addr_key[32];       /* keys the address hash the limiter sees */
    unsigned ipv6_prefix;             /* an IPv6 client is counted by this many leading bits */
    unsigned per_ip_limit;            /* connections one client may hold; 0 for no limit */
    struct http_metrics metrics;      /* metrics.c */
    struct tz_log *log;               /* the request log (observe.c), or NULL */
    unsigned char log_key[16];        /* keys the client's hash in the log (this process only) */
    const struct tz_address_index *addresses; /* the address search's index, or NULL */
    char *translate_url;              /* serve --translate-url, or NULL (api_assistant_lang.c) */
    char *llm_url;                    /* serve --llm-url, or NULL: no model (api_assistant.c) */
    struct tz_exchange *exchange;     /* structured exchange (api_exchange.c), or NULL: 503 */
    struct tz_fed *federation;        /* federation's partners (api_federation.c), or NULL: 503 */
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
    bool body_lost;        /* the body could not be kept for want of memory: 503, not 413 */
    size_t discarded;      /* bytes dropped after body_too_big */
    int64_t id;            /* {id} of the path, where the route has one */
    size_t photo_reserved; /* of srv->photo_body_bytes, given back when the request ends */
    bool o311_media_url;   /* an Open311 POST sent media_url (not fetched: its notice says so) */
    const char *allow;     /* methods the path allows, for a 405 answer */
    struct tz_submission sub;
    tz_err commit_err;
    struct tz_netaddr client; /* who sent it (http_guard_client); family 0 if unknown */
    char client_text[TZ_NETADDR_TEXT_MAX]; /* ... as text */
    const char *extra_header[2]; /* one more header (name, value) for the answer, e.g. Set-Cookie */
    char extra_value[160];       /* storage for extra_header[1] */
    size_t route;                /* http_route_count() numbering (observe.c, metrics.c) */
    int64_t started_ns;          /* monotonic, when its first bytes came */
    unsigned status;             /* the answer's status; 0 until one is queued */
    char request_id[HTTP_REQUEST_ID_MAX + 1]; /* X-Request-Id, the client's or made here */
};

/* server.c: the routes by number, for the log and /metrics; then one for the browser front end
 * and one for a request no route took. */
size_t http_route_count(void); /* routes of the table + 2 */
/* The route's method and path pattern ("/api/v1/reports/{id}/transitions", "/open311/v2/" and "*").
 */
void http_route_label(size_t i, const char **method, char *path, size_t size);
#define HTTP_ROUTE_STATIC (http_route_count() - 2)
#define HTTP_ROUTE_NONE (http_route_count() - 1)

/* observe.c: the request's id (from X-Request-Id when well-formed, else made) and start time. */
void http_observe_begin(struct request *req);
/* Notes the answer's status and adds X-Request-Id to it (every queue of a response calls it). */
void http_observe_answer(struct request *req, unsigned status, struct MHD_Response *resp);
/* When the request is done: its log line and its counts in /metrics. */
void http_observe_done(struct request *req);
/* metrics.c */
tz_err http_metrics_start(struct tz_http *srv, const char *token_file);
void http_metrics_stop(struct tz_http *srv);
/* Counts a request of route i answered with status after ns nanoseconds. */
void http_metrics_count(struct tz_http *srv, size_t route, unsigned status, int64_t ns);
/* Counts a refusal by a rate limit. */
void http_metrics_refused(struct tz_http *srv, enum http_limit limit);
enum MHD_Result api_metrics(struct request *req);
enum MHD_Result api_readyz(struct request *req);

/* Answers with a JSON body, taking ownership of buf's contents. */
enum MHD_Result http_respond_json(struct request *req, unsigned status, struct tz_buf *buf);
/* Answers with a body that lives as long as the server (cached documents). */
enum MHD_Result http_respond_static(struct request *req, unsigned status, const char *type,
                                    const char *body, size_t len);
/* Answers with an RFC 9457 problem for err (fields may be NULL). */
enum MHD_Result http_respond_problem(struct request *req, tz_err err, const char *detail,
                                     const struct tz_field_errors *fields);
/*
 * 503 out of memory, a problem document that needs no memory of ours: for a
 * request whose context could not be allocated, or whose own problem
 * document could not be written.
 */
enum MHD_Result http_respond_out_of_memory(struct MHD_Connection *conn);
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
/* The end of such a GET: 200 with b's JSON (taking it), 400 with errs for TZ_EINVAL, else the
 * error's problem (b freed). */
enum MHD_Result http_respond_answer(struct request *req, tz_err err, struct tz_buf *b,
                                    const struct tz_field_errors *errs);

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
/*
 * Finds who sent req (once, before its handler runs): the peer, or behind the
 * trusted proxy the client the proxy names (forwarded.c). False when the
 * proxy's headers name no one clearly (docs/security.md): the caller answers 400.
 */
bool http_guard_client(struct request *req);
/* The client's address as text (http_guard_client; "" when unknown), for the audit log. */
void http_client_address(struct request *req, char *out, size_t size);
/* The network the per-client limits count the client by, as text (an IPv4 address, an IPv6
 * /64): what the reporter's hash is made of. size >= TZ_NETADDR_KEY_TEXT_MAX. */
void http_client_key_text(struct request *req, char *out, size_t size);

/* What the forwarding headers say of the client (forwarded.c). */
enum http_fwd {
    HTTP_FWD_ADDRESS, /* the last element names an address (*out) */
    HTTP_FWD_HIDDEN,  /* ... says "unknown" or an obfuscated identifier */
    HTTP_FWD_BAD,     /* ... does not parse, is missing, or names nothing */
};
/* The last element of X-Forwarded-For, its lines (n >= 1) read in order as one list. */
enum http_fwd http_xff_last(const char *const *lines, size_t n, struct tz_netaddr *out);
/* The `for` node of the last element of Forwarded (RFC 7239), its lines (n >= 1) as one list;
 * every line must parse. */
enum http_fwd http_forwarded_last(const char *const *lines, size_t n, struct tz_netaddr *out);
/* The same for a login attempt (srv->login_limit). */
bool http_guard_login_allowed(struct request *req, int *retry_after_s);
/* The same for an Atom feed of alerts (api_alerts.c): the feed's own bucket (feed_rate_per_min). */
bool http_guard_feed_allowed(struct request *req, int *retry_after_s);
/* Alerts for an area (api_alerts.c). */
enum MHD_Result api_alerts_feed(struct request *req);
enum MHD_Result api_alerts_subscribe(struct request *req);
enum MHD_Result api_alerts_confirm(struct request *req);
enum MHD_Result api_alerts_unsubscribe(struct request *req);
enum MHD_Result api_alerts_unsubscribe_page(struct request *req);
/* The area and categories of a subscription's JSON body (api_alerts.c) into spec; errors into errs
 * (/area, /categories). */
struct json_t;
struct tz_alert_spec;
void http_alerts_read_spec(struct request *req, struct json_t *root, struct tz_alert_spec *spec,
                           struct tz_field_errors *errs);
/* The webhooks for an admin (api_alerts_admin.c). */
enum MHD_Result api_alerts_webhooks(struct request *req);
enum MHD_Result api_alerts_webhook_add(struct request *req);
enum MHD_Result api_alerts_webhook_change(struct request *req);
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
/* api_photos.c: a report's photos, public (approved only), police (audited) and their review. */
enum MHD_Result api_photo(struct request *req);
enum MHD_Result api_photo_thumb(struct request *req);
enum MHD_Result api_police_photo(struct request *req);
enum MHD_Result api_police_photo_thumb(struct request *req);
enum MHD_Result api_photo_review(struct request *req);
enum MHD_Result api_report_assignment(struct request *req);
enum MHD_Result api_report_merge(struct request *req);
/* Screening (api_screening.c). */
enum MHD_Result api_screening_persons(struct request *req);
enum MHD_Result api_screening_documents(struct request *req);
enum MHD_Result api_screening_vehicles(struct request *req);
enum MHD_Result api_screening_batch(struct request *req);
enum MHD_Result api_screening_hit_message(struct request *req); /* api_screening_message.c */
enum MHD_Result api_district_assignment(struct request *req);
enum MHD_Result api_queue(struct request *req);
enum MHD_Result api_dashboard(struct request *req);
enum MHD_Result api_accounts(struct request *req);
enum MHD_Result api_audit_verify(struct request *req);
enum MHD_Result api_account_create(struct request *req);
enum MHD_Result api_account_change(struct request *req);
/* The address search (api_addresses.c). */
enum MHD_Result api_addresses(struct request *req);
/* The police view's "nearest_address" member: the address nearest to the point within
 * HTTP_NEAREST_MAX_M metres (street, number, locality, postcode, distance_m), or null. */
#define HTTP_NEAREST_MAX_M 200.0
struct tz_jw;
void http_put_nearest_address(struct tz_jw *w, const struct tz_address_index *ix, double lat,
                              double lon);
/* the assistant (api_assistant.c) */
enum MHD_Result api_assistant_analyse(struct request *req);
enum MHD_Result api_assistant_redact(struct request *req);
enum MHD_Result api_assistant_summarise(struct request *req);
/* The assistant's language and translation (api_assistant_lang.c). */
enum MHD_Result api_assistant_language(struct request *req);
enum MHD_Result api_assistant_translate(struct request *req);
enum MHD_Result api_assistant_search(struct request *req);
/* The assistant over an exchange case (api_assistant_cases.c). */
enum MHD_Result api_assistant_case(struct request *req);
enum MHD_Result api_assistant_ask(struct request *req);
enum MHD_Result api_assistant_add_entity(struct request *req);
/* Structured exchange (api_exchange.c). */
enum MHD_Result api_x_case_create(struct request *req);
enum MHD_Result api_x_case_get(struct request *req);
enum MHD_Result api_x_case_post(struct request *req);
enum MHD_Result api_x_message_get(struct request *req);
enum MHD_Result api_x_reply(struct request *req);
enum MHD_Result api_x_refusal(struct request *req);
enum MHD_Result api_x_clarification(struct request *req);
enum MHD_Result api_x_inbox(struct request *req);
enum MHD_Result api_x_outbox(struct request *req);
enum MHD_Result api_x_notice_move(struct request *req);
/* What the police web pages read beside (api_exchange_codes.c). */
enum MHD_Result api_x_codes(struct request *req);
enum MHD_Result api_x_notice_get(struct request *req);
enum MHD_Result api_x_hits(struct request *req);
/* What a SPOC does beyond messages (api_exchange_spoc.c). */
enum MHD_Result api_x_deviation(struct request *req);
enum MHD_Result api_x_permission(struct request *req);
enum MHD_Result api_x_forward(struct request *req);
enum MHD_Result api_x_statistics(struct request *req);
enum MHD_Result api_x_attachment(struct request *req);
/* Football events (api_exchange_events.c) and retention (api_exchange_retention.c). */
enum MHD_Result api_x_event_create(struct request *req);
enum MHD_Result api_x_events(struct request *req);
enum MHD_Result api_x_event_get(struct request *req);
enum MHD_Result api_x_event_post(struct request *req);
enum MHD_Result api_x_case_conclude(struct request *req);
enum MHD_Result api_x_retention(struct request *req);
enum MHD_Result api_x_retention_review(struct request *req);
/* Federation's partners and their queues (api_federation.c). */
enum MHD_Result api_x_nodes(struct request *req);
/* A partner's outbox: GET /api/v1/exchange/node-outbox?node=ID (api_federation.c). */
enum MHD_Result api_x_node_outbox(struct request *req);
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
/*
 * The Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header) of POST /api/v1/reports
 * and Open311's POST: a structured-field string, "...", or the same characters bare, as many
 * clients send them. 0: none; 1: *key and *len point into the header; -1: a header that is not a
 * key this server takes (tz_threatmap_idem_key_ok).
 */
int http_idempotency_key(struct request *req, const char **key, size_t *len);
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
/*
 * A multipart/form-data body (multipart.c, RFC 7578): its text fields as a form, and its parts
 * named "media" (the Open311 POST's photos) as bytes into the body, the first
 * HTTP_MULTIPART_FILES_MAX of files_seen.
 */
#define HTTP_MULTIPART_FILES_MAX 3
struct http_multipart {
    struct http_form form;
    struct {
        const uint8_t *data;
        size_t len;
    } files[HTTP_MULTIPART_FILES_MAX];
    size_t file_count;
    size_t files_seen;
};
/*
 * Reads len bytes of body sent as content_type (multipart/form-data with its boundary) into out,
 * which http_multipart_free releases whatever the result; body must outlive out's files.
 * TZ_EMALFORMED for a type without a boundary, a body that is not well-formed (no first
 * delimiter, a part not closed, a part without a form-data name, part headers over 2 KiB, a NUL
 * in a text field), TZ_ETOOBIG for more than HTTP_FORM_PARAMS_MAX text fields.
 */
tz_err http_multipart_parse(const char *content_type, const char *body, size_t len,
                            struct http_multipart *out);
void http_multipart_free(struct http_multipart *m);
/* Whether a Content-Type names multipart/form-data. */
bool http_is_multipart_form(const char *type);
/* Open311 GeoReport v2 under /open311/v2/ (api_open311.c). */
enum MHD_Result api_open311_get(struct request *req);
enum MHD_Result api_open311_post(struct request *req);
/* The open-data export of the public view, streamed (api_export.c). */
enum MHD_Result api_export_geojson(struct request *req);
enum MHD_Result api_export_csv(struct request *req);

#endif
