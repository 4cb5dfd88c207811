/*
 * metrics.c - GET /metrics in Prometheus's text format (version 0.0.4):
 * requests by route and status, latency histograms per route, the group
 * commit's batch sizes, the map index's size, refusals by the rate limits and
 * when the process started (docs/operations.md lists every series).
 *
 * The counts are atomics in arrays fixed when the server starts (one row per
 * route of the table), so counting a request takes no lock and the series
 * never grow with what clients send: a route is the table's pattern, never
 * the path asked for. Written by hand, a few lines per series: the format is
 * lines of `name{labels} value`, and a client library would add a dependency
 * Debian does not package for C.
 *
 * Who may read it: a client connected from a loopback address (not through
 * the trusted proxy, whose clients are anyone), or one that sends
 * `Authorization: Bearer` and the token of --metrics-token (docs/security.md).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tztime.h"
#include "federation/federation.h"
#include "http/internal.h"

#define METRICS_MAX (4u * 1024 * 1024) /* bytes of the answer */
#define TOKEN_MIN 16                   /* bytes of a token, at least ... */
#define TOKEN_MAX 256                  /* ... and at most */

/* The statuses counted each on its own; any other is counted in the last slot, "other". */
static const unsigned status_codes[HTTP_STATUS_SLOTS - 1] = {200, 201, 204, 206, 301, 302, 304,
                                                             400, 401, 403, 404, 405, 409, 413,
                                                             415, 416, 422, 429, 431, 500, 503};

/* Latency buckets' upper bounds in seconds; the last bucket is +Inf. */
static const double latency_le[HTTP_LATENCY_BUCKETS - 1] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

static const char *const limit_names[HTTP_LIMIT_COUNT] = {[HTTP_LIMIT_WRITE] = "write",
                                                          [HTTP_LIMIT_LOGIN] = "login",
                                                          [HTTP_LIMIT_API_KEY] = "api_key",
                                                          [HTTP_LIMIT_LOCKOUT] = "account_lockout",
                                                          [HTTP_LIMIT_FEED] = "feed"};

/* Reads the token file: its first line, TOKEN_MIN to TOKEN_MAX printable bytes. */
static tz_err read_token(const char *path, struct http_metrics *m)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return TZ_ENOTFOUND;
    char line[TOKEN_MAX + 3];
    tz_err err = fgets(line, sizeof line, f) ? TZ_OK : TZ_EINVAL;
    fclose(f);
    size_t n = err ? 0 : strcspn(line, "\r\n");
    for (size_t i = 0; i < n; i++)
        if (line[i] <= ' ' || line[i] > '~')
            err = TZ_EINVAL;
    if (!err && (n < TOKEN_MIN || n > TOKEN_MAX))
        err = TZ_EINVAL;
    if (!err && !(m->token = malloc(n + 1)))
        err = TZ_ENOMEM;
    if (!err) {
        memcpy(m->token, line, n);
        m->token[n] = '\0';
        m->token_len = n;
    }
    sodium_memzero(line, sizeof line);
    return err;
}

tz_err http_metrics_start(struct tz_http *srv, const char *token_file)
{
    struct http_metrics *m = &srv->metrics;
    m->start_time = tz_time_now();
    m->count = http_route_count();
    m->routes = calloc(m->count, sizeof *m->routes);
    if (!m->routes)
        return TZ_ENOMEM;
    randombytes_buf(srv->log_key, sizeof srv->log_key);
    return token_file ? read_token(token_file, m) : TZ_OK;
}

void http_metrics_stop(struct tz_http *srv)
{
    struct http_metrics *m = &srv->metrics;
    free(m->routes);
    if (m->token) {
        sodium_memzero(m->token, m->token_len);
        free(m->token);
    }
    memset(m, 0, sizeof *m);
}

static size_t status_slot(unsigned status)
{
    for (size_t i = 0; i < HTTP_STATUS_SLOTS - 1; i++)
        if (status_codes[i] == status)
            return i;
    return HTTP_STATUS_SLOTS - 1;
}

void http_metrics_count(struct tz_http *srv, size_t route, unsigned status, int64_t ns)
{
    struct http_metrics *m = &srv->metrics;
    if (!m->routes || route >= m->count)
        return;
    struct http_route_metrics *r = &m->routes[route];
    atomic_fetch_add_explicit(&r->by_status[status_slot(status)], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < HTTP_LATENCY_BUCKETS - 1 && (double)ns / 1e9 > latency_le[b])
        b++;
    atomic_fetch_add_explicit(&r->latency[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->latency_ns, (uint_fast64_t)ns, memory_order_relaxed);
}

void http_metrics_refused(struct tz_http *srv, enum http_limit limit)
{
    atomic_fetch_add_explicit(&srv->metrics.refused[limit], 1, memory_order_relaxed);
}

static uint64_t load(atomic_uint_fast64_t *v)
{
    return (uint64_t)atomic_load_explicit(v, memory_order_relaxed);
}

/* The labels of route i: method="GET",route="/api/v1/map". Route patterns hold no '"' or '\'. */
static void route_labels(size_t i, char *out, size_t size)
{
    const char *method = NULL;
    char path[128];
    http_route_label(i, &method, path, sizeof path);
    snprintf(out, size, "method=\"%s\",route=\"%s\"", method, path);
}

static tz_err render_requests(struct http_metrics *m, struct tz_buf *b)
{
    tz_err err = tz_buf_puts(b, "# HELP tarcza_http_requests_total HTTP requests answered, by "
                                "route and status.\n# TYPE tarcza_http_requests_total counter\n");
    char labels[192];
    for (size_t i = 0; !err && i < m->count; i++) {
        route_labels(i, labels, sizeof labels);
        for (size_t s = 0; !err && s < HTTP_STATUS_SLOTS; s++) {
            uint64_t n = load(&m->routes[i].by_status[s]);
            char code[16] = "other";
            if (s < HTTP_STATUS_SLOTS - 1)
                snprintf(code, sizeof code, "%u", status_codes[s]);
            if (n)
                err = tz_buf_printf(b, "tarcza_http_requests_total{%s,code=\"%s\"} %llu\n", labels,
                                    code, (unsigned long long)n);
        }
    }
    return err;
}

/* One route's histogram (only routes that answered something). */
static tz_err render_latency_of(struct http_route_metrics *r, const char *labels, struct tz_buf *b)
{
    const char *name = "tarcza_http_request_duration_seconds";
    uint64_t total = 0;
    tz_err err = TZ_OK;
    for (size_t k = 0; !err && k < HTTP_LATENCY_BUCKETS; k++) {
        total += load(&r->latency[k]);
        if (k < HTTP_LATENCY_BUCKETS - 1)
            err = tz_buf_printf(b, "%s_bucket{%s,le=\"%g\"} %llu\n", name, labels, latency_le[k],
                                (unsigned long long)total);
        else
            err = tz_buf_printf(b, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, labels,
                                (unsigned long long)total);
    }
    if (!err)
        err = tz_buf_printf(b, "%s_sum{%s} %.9f\n%s_count{%s} %llu\n", name, labels,
                            (double)load(&r->latency_ns) / 1e9, name, labels,
                            (unsigned long long)total);
    return err;
}

static tz_err render_latency(struct http_metrics *m, struct tz_buf *b)
{
    tz_err err = tz_buf_puts(b, "# HELP tarcza_http_request_duration_seconds Time from a "
                                "request's first bytes to its answer, by route.\n"
                                "# TYPE tarcza_http_request_duration_seconds histogram\n");
    char labels[192];
    for (size_t i = 0; !err && i < m->count; i++) {
        uint64_t any = 0;
        for (size_t k = 0; k < HTTP_LATENCY_BUCKETS; k++)
            any += load(&m->routes[i].latency[k]);
        route_labels(i, labels, sizeof labels);
        if (any)
            err = render_latency_of(&m->routes[i], labels, b);
    }
    return err;
}

static tz_err render_commits(const struct tz_committer_stats *c, struct tz_buf *b)
{
    tz_err err = tz_buf_puts(b, "# HELP tarcza_commit_batch_reports Reports per group commit (one "
                                "transaction, one fsync).\n"
                                "# TYPE tarcza_commit_batch_reports histogram\n");
    for (size_t k = 0; !err && k < TZ_COMMITTER_BUCKETS; k++) {
        if (k < TZ_COMMITTER_BUCKETS - 1)
            err = tz_buf_printf(b, "tarcza_commit_batch_reports_bucket{le=\"%zu\"} %llu\n",
                                (size_t)1 << k, (unsigned long long)c->batches_le[k]);
        else
            err = tz_buf_printf(b, "tarcza_commit_batch_reports_bucket{le=\"+Inf\"} %llu\n",
                                (unsigned long long)c->batches_le[k]);
    }
    if (!err)
        err = tz_buf_printf(b,
                            "tarcza_commit_batch_reports_sum %llu\n"
                            "tarcza_commit_batch_reports_count %llu\n"
                            "# HELP tarcza_commit_queue_reports Reports waiting for the group "
                            "commit.\n# TYPE tarcza_commit_queue_reports gauge\n"
                            "tarcza_commit_queue_reports %llu\n",
                            (unsigned long long)c->reports, (unsigned long long)c->batches,
                            (unsigned long long)c->queued);
    return err;
}

static tz_err render_rest(struct tz_http *srv, const struct tz_threatmap_gauges *g,
                          struct tz_buf *b)
{
    tz_err err =
        tz_buf_printf(b,
                      "# HELP tarcza_map_index_reports Reports in the in-memory map index.\n"
                      "# TYPE tarcza_map_index_reports gauge\ntarcza_map_index_reports %zu\n"
                      "# HELP tarcza_map_index_bytes Memory of the map index.\n"
                      "# TYPE tarcza_map_index_bytes gauge\ntarcza_map_index_bytes %zu\n"
                      "# HELP tarcza_rate_limit_refusals_total Requests refused (429) by a limit.\n"
                      "# TYPE tarcza_rate_limit_refusals_total counter\n",
                      g->index_reports, g->index_bytes);
    for (size_t i = 0; !err && i < HTTP_LIMIT_COUNT; i++)
        err = tz_buf_printf(b, "tarcza_rate_limit_refusals_total{limit=\"%s\"} %llu\n",
                            limit_names[i], (unsigned long long)load(&srv->metrics.refused[i]));
    if (!err)
        err = tz_buf_printf(b,
                            "# HELP process_start_time_seconds When the process started, in "
                            "seconds since the Unix epoch.\n"
                            "# TYPE process_start_time_seconds gauge\n"
                            "process_start_time_seconds %lld\n"
                            "# HELP tarcza_build_info The running version.\n"
                            "# TYPE tarcza_build_info gauge\n"
                            "tarcza_build_info{version=\"%s\"} 1\n",
                            (long long)srv->metrics.start_time, TZ_VERSION);
    return err;
}

/* Each federation partner's outbox: depth, the oldest queued message's age, refusals, the last
 * delivery and the alarm (docs/federation.md). Node ids are [A-Z0-9_-]: safe as label values. */
static tz_err render_federation(struct tz_http *srv, struct tz_buf *b)
{
    struct tz_fed_queue_rec *qs = NULL;
    size_t n = 0;
    tz_err err = tz_fed_gauges(srv->federation, &qs, &n);
    if (err)
        return err;
    int64_t now = tz_fed_now(srv->federation);
    static const char *const head[] = {
        "# HELP tarcza_federation_outbox_depth Messages queued for a partner, not yet delivered "
        "nor refused.\n# TYPE tarcza_federation_outbox_depth gauge\n",
        "# HELP tarcza_federation_outbox_oldest_age_seconds Age of the oldest message queued for "
        "a partner (0: none).\n# TYPE tarcza_federation_outbox_oldest_age_seconds gauge\n",
        "# HELP tarcza_federation_outbox_refused Messages a partner refused.\n"
        "# TYPE tarcza_federation_outbox_refused gauge\n",
        "# HELP tarcza_federation_last_delivery_timestamp_seconds The last delivery receipt from a "
        "partner (0: none).\n# TYPE tarcza_federation_last_delivery_timestamp_seconds gauge\n",
        "# HELP tarcza_federation_alarm 1 when a partner's oldest queued message waits longer than "
        "the alarm age.\n# TYPE tarcza_federation_alarm gauge\n",
    };
    static const char *const name[] = {"outbox_depth", "outbox_oldest_age_seconds",
                                       "outbox_refused", "last_delivery_timestamp_seconds",
                                       "alarm"};
    for (size_t k = 0; !err && k < sizeof head / sizeof head[0]; k++) {
        err = tz_buf_puts(b, head[k]);
        for (size_t i = 0; !err && i < n; i++) {
            const struct tz_fed_queue_rec *q = &qs[i];
            long long v = k == 0 ? q->queued
                          : k == 1
                              ? (q->queued && q->oldest_queued_at ? now - q->oldest_queued_at : 0)
                          : k == 2 ? q->refused
                          : k == 3 ? q->last_delivery
                                   : tz_fed_alarm(srv->federation, q);
            err = tz_buf_printf(b, "tarcza_federation_%s{partner=\"%s\"} %lld\n", name[k], q->node,
                                v);
        }
    }
    free(qs);
    return err;
}

/* Whether the peer (not the client a proxy names) is a loopback address, not the proxy. */
static bool from_loopback(struct request *req)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    struct tz_netaddr peer;
    if (!info || tz_netaddr_from_sockaddr(info->client_addr, &peer) != TZ_OK)
        return false;
    if (req->srv->trusted_proxy.family && tz_netaddr_equal(&peer, &req->srv->trusted_proxy))
        return false;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
    return false;
}

static bool token_matches(struct request *req)
{
    const struct http_metrics *m = &req->srv->metrics;
    const char *auth = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Authorization");
    if (!m->token || !auth || strncmp(auth, "Bearer ", 7) != 0)
        return false;
    const char *given = auth + 7;
    return strlen(given) == m->token_len && sodium_memcmp(given, m->token, m->token_len) == 0;
}

enum MHD_Result api_metrics(struct request *req)
{
    if (!token_matches(req) && !from_loopback(req))
        return http_respond_status_problem(
            req, 403, "metrics are for loopback clients or the bearer of the metrics token", NULL);
    struct tz_http *srv = req->srv;
    struct tz_threatmap_gauges g;
    tz_threatmap_gauges(srv->tm, &g);
    struct tz_buf b;
    tz_buf_init(&b, METRICS_MAX);
    tz_err err = render_requests(&srv->metrics, &b);
    if (!err)
        err = render_latency(&srv->metrics, &b);
    if (!err)
        err = render_commits(&g.commits, &b);
    if (!err)
        err = render_rest(srv, &g, &b);
    if (!err && srv->federation)
        err = render_federation(srv, &b);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, "the metrics could not be rendered", NULL);
    }
    return http_respond_typed(req, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", &b);
}
