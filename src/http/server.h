/*
 * server.h - the HTTP server (libmicrohttpd) in front of the threat map.
 *
 * It routes requests to the API handlers, bounds what a client may send, and
 * answers errors as RFC 9457 problem documents. POST /api/v1/reports does not
 * hold a worker while its report waits for the group commit: the connection
 * is suspended and resumed by the writer thread once the report is durable.
 */
#ifndef TZ_HTTP_SERVER_H
#define TZ_HTTP_SERVER_H

#include <limits.h>
#include <stdint.h>

#include "auth/auth.h"
#include "alerts/alerts.h"
#include "exchange/exchange.h"
#include "base/err.h"
#include "threatmap/threatmap.h"

struct tz_http_config {
    const char *bind_addr;     /* IPv4 address to listen on; default "127.0.0.1" */
    uint16_t port;             /* 0 picks a free port (see tz_http_port) */
    unsigned threads;          /* worker threads; 0 = one per core */
    unsigned connection_limit; /* concurrent connections */
    unsigned idle_timeout_s;   /* a connection silent this long is closed */
    const char *web_root;      /* folder of the browser front end (web/); NULL serves none */
    /* An XYZ tile server for the page's base map ("https://host/{z}/{x}/{y}.png") and the text
     * of its attribution; NULL keeps the pages' own setting (none: Poland's outline). */
    const char *tiles_url;
    const char *tiles_attribution;
    double key_rate_per_s; /* Open311 POSTs a second per API key, refilled (token bucket) */
    double key_burst;      /* ... and how many may come at once */
    struct tz_auth *auth;  /* police accounts and the audit log; NULL: police API answers 503 */
    struct tz_exchange *exchange; /* structured exchange; NULL: its API answers 503 */
    struct tz_fed *federation;    /* federation (fed_server.h); NULL: /exchange/nodes answers 503 */
    /* Abuse limits (docs/reliability.md). 0 turns each off, except header_limit. */
    unsigned per_ip_limit;      /* concurrent connections from one client (an IPv4 address, an
                                 * IPv6 network of ipv6_prefix bits); TZ_HTTP_PER_IP_AUTO: half of
                                 * connection_limit, 4 to 64. The trusted proxy is not limited. */
    unsigned ipv6_prefix;       /* per-client limits count an IPv6 client by this many leading
                                 * bits, 1 to 128 (64: a customer's usual allocation) */
    unsigned request_timeout_s; /* a request's line, headers and body must arrive within this */
    size_t header_limit;        /* bytes of memory for a request's line and headers (431) */
    double write_rate_per_hour; /* anonymous reports a client address may file per hour (429) */
    unsigned write_burst;       /* ... and at once, before the hourly rate applies */
    const char *trusted_proxy;  /* the reverse proxy whose X-Forwarded-For or Forwarded names the
                                 * client (the last element of the list) */
    double login_rate_per_min;  /* police login attempts a client address may make a minute (429);
                                 * each costs an Argon2id check, so this also caps that work */
    /* Operations (docs/operations.md). */
    const char *log_path;      /* one JSON line per request: a file, "-" for stderr; NULL: none */
    const char *metrics_token; /* a file holding the token that opens /metrics beyond loopback;
                                * NULL: loopback only */
    /* The address search's index (address.h; must outlive the server), or NULL: 503. */
    const struct tz_address_index *addresses;
    struct tz_alerts *alerts;     /* alerts for an area (alerts.h); NULL: their API answers 503 */
    double feed_rate_per_min; /* Atom feeds a client address may read a minute (429); 0: none */
    const char *translate_url;  /* a LibreTranslate server for the assistant's pairs Apertium
                                 * lacks (serve --translate-url); NULL: none */
    const char *llm_url;        /* a language model server speaking the OpenAI-compatible API for
                                 * the assistant's abstractive summaries (serve --llm-url); NULL:
                                 * none, nothing is ever sent */
};

/* per_ip_limit: derived from connection_limit when the server starts. */
#define TZ_HTTP_PER_IP_AUTO UINT_MAX

/*
 * Defaults: 127.0.0.1:8080, one thread per core, 4096 connections, 64 of them
 * per client (half the cap, at least 4 and at most 64; IPv6 clients counted by
 * their /64, the trusted proxy not at all), 30 s idle, 10 s to send a
 * request, 32 KiB of headers, 30 reports an hour per address in bursts of 10;
 * an API key may POST 10 reports a second, 100 at once.
 */
struct tz_http_config tz_http_defaults(void);

struct tz_http;
struct tz_address_index;
struct tz_fed;

/* Starts serving tm (which must outlive the server). */
tz_err tz_http_start(struct tz_threatmap *tm, const struct tz_http_config *cfg,
                     struct tz_http **out);
/* The port the server listens on. */
uint16_t tz_http_port(const struct tz_http *srv);
/*
 * Stops taking connections, waits for reports already accepted to be
 * answered, and stops the server. Safe with NULL.
 */
void tz_http_stop(struct tz_http *srv);

#endif
