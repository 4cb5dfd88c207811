/*
 * guard.c - the abuse limits that libmicrohttpd's own options do not give:
 * a deadline for a whole request, a cap on one client's connections, a write
 * rate per client, and who the client is behind the trusted proxy.
 *
 * Request deadline: MHD_OPTION_CONNECTION_TIMEOUT closes a connection that is
 * silent, but a client that trickles one byte a second is never silent and
 * would keep its connection (and its slot of the connection cap) for ever.
 * Every connection is therefore tracked from the moment it opens, or its last
 * answer was sent, until its next request has arrived whole (its handler
 * runs). A reaper thread shuts down (shutdown(2)) the socket of any connection
 * that stays in that state past the request timeout; libmicrohttpd then sees
 * the socket end and closes it as usual. Connections whose request is being
 * answered (a report waiting for its commit, a slow download) are left to the
 * idle timeout. The tracked entry is unlinked, under the same mutex, in the
 * CLOSED notification, which libmicrohttpd sends before it closes the
 * descriptor: the reaper never shuts a descriptor that was reused.
 *
 * Connections per client: libmicrohttpd's own per-address cap counts every
 * IPv6 address apart and the trusted proxy like any client, so the cap is
 * kept here instead. A new connection is counted against the others of its
 * client (tz_netaddr_key: an IPv4 address, an IPv6 /64) in the tracked list;
 * one over the cap is shut down at once, before it is read.
 *
 * Write rate: anonymous reports take a token of a bucket keyed by a keyed
 * BLAKE2b hash of the client's network (src/base/ratelimit.h), with a key made
 * at start, so the limiter's memory holds no address.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <sodium.h>

#include "base/ratelimit.h"
#include "base/tztime.h"
#include "http/internal.h"

#define REAPER_TICK_MS 250
#define WRITE_LIMIT_KEYS 65536 /* client addresses remembered by the write limiter */

struct tracked_conn {
    struct tracked_conn *prev, *next;
    struct tz_http *srv;
    int fd;
    atomic_bool answering;    /* its request arrived whole and is being answered */
    _Atomic int64_t since_ms; /* when it began waiting for its next request */
    bool shut;                /* the reaper, or the per-client cap, has shut it down */
    bool counted;             /* it counts against its client's cap (key) */
    uint8_t key[TZ_NETADDR_KEY_LEN];
};

/*
 * Whether t may stay under the per-client cap; if so it counts from now on.
 * The trusted proxy speaks for many clients and is not capped. Called with
 * guard_mu held; one pass over the open connections (at most the connection cap).
 */
static bool within_client_cap(struct tz_http *srv, struct MHD_Connection *conn,
                              struct tracked_conn *t)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    struct tz_netaddr peer;
    if (!srv->per_ip_limit || !info ||
        tz_netaddr_from_sockaddr(info->client_addr, &peer) != TZ_OK ||
        (srv->trusted_proxy.family && tz_netaddr_equal(&peer, &srv->trusted_proxy)))
        return true;
    tz_netaddr_key(&peer, srv->ipv6_prefix, t->key);
    unsigned held = 0;
    for (const struct tracked_conn *o = srv->tracked; o; o = o->next)
        held += o->counted && memcmp(o->key, t->key, sizeof t->key) == 0;
    if (held >= srv->per_ip_limit)
        return false;
    t->counted = true;
    return true;
}

static int64_t now_ms(void)
{
    return tz_time_mono_ns() / 1000000;
}

static struct tracked_conn *tracked_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

void http_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code)
{
    struct tz_http *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct tracked_conn *t = calloc(1, sizeof *t);
        if (!t || !info) {
            free(t); /* untracked: the idle timeout still applies */
            return;
        }
        t->srv = srv;
        t->fd = info->connect_fd;
        atomic_store(&t->since_ms, now_ms());
        pthread_mutex_lock(&srv->guard_mu);
        if (!within_client_cap(srv, conn, t)) {
            shutdown(t->fd, SHUT_RDWR); /* libmicrohttpd sees it end and closes it */
            t->shut = true;
        }
        t->next = srv->tracked;
        if (t->next)
            t->next->prev = t;
        srv->tracked = t;
        pthread_mutex_unlock(&srv->guard_mu);
        *socket_context = t;
        return;
    }
    struct tracked_conn *t = *socket_context;
    if (!t)
        return;
    pthread_mutex_lock(&srv->guard_mu);
    if (t->prev)
        t->prev->next = t->next;
    else
        srv->tracked = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&srv->guard_mu);
    free(t);
    *socket_context = NULL;
}

void http_guard_request_received(struct MHD_Connection *conn)
{
    struct tracked_conn *t = tracked_of(conn);
    if (t)
        atomic_store(&t->answering, true);
}

void http_guard_request_done(struct MHD_Connection *conn)
{
    struct tracked_conn *t = tracked_of(conn);
    if (t) {
        atomic_store(&t->since_ms, now_ms());
        atomic_store(&t->answering, false);
    }
}

static void *reaper_main(void *arg)
{
    struct tz_http *srv = arg;
    pthread_mutex_lock(&srv->guard_mu);
    while (!srv->reaper_stop) {
        int64_t now = now_ms();
        for (struct tracked_conn *t = srv->tracked; t; t = t->next) {
            if (t->shut || atomic_load(&t->answering) ||
                now - atomic_load(&t->since_ms) < srv->request_timeout_ms)
                continue;
            shutdown(t->fd, SHUT_RDWR);
            t->shut = true;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += REAPER_TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->guard_cv, &srv->guard_mu, &until);
    }
    pthread_mutex_unlock(&srv->guard_mu);
    return NULL;
}

tz_err http_guard_start(struct tz_http *srv, const struct tz_http_config *cfg)
{
    pthread_mutex_init(&srv->guard_mu, NULL);
    pthread_cond_init(&srv->guard_cv, NULL);
    randombytes_buf(srv->addr_key, sizeof srv->addr_key);
    if (cfg->write_rate_per_hour > 0) {
        double burst = cfg->write_burst ? cfg->write_burst : 1;
        tz_err err = tz_ratelimit_new(cfg->write_rate_per_hour / 3600.0, burst, WRITE_LIMIT_KEYS,
                                      &srv->write_limit);
        if (err)
            return err;
    }
    if (cfg->login_rate_per_min > 0) {
        tz_err err = tz_ratelimit_new(cfg->login_rate_per_min / 60.0,
                                      cfg->login_rate_per_min < 1 ? 1 : cfg->login_rate_per_min,
                                      WRITE_LIMIT_KEYS, &srv->login_limit);
        if (err)
            return err;
    }
    if (cfg->feed_rate_per_min > 0) {
        tz_err err = tz_ratelimit_new(cfg->feed_rate_per_min / 60.0,
                                      cfg->feed_rate_per_min < 1 ? 1 : cfg->feed_rate_per_min,
                                      WRITE_LIMIT_KEYS, &srv->feed_limit);
        if (err)
            return err;
    }
    if (cfg->trusted_proxy &&
        tz_netaddr_parse(cfg->trusted_proxy, strlen(cfg->trusted_proxy), &srv->trusted_proxy))
        return TZ_EINVAL;
    srv->ipv6_prefix =
        cfg->ipv6_prefix >= 1 && cfg->ipv6_prefix <= 128 ? cfg->ipv6_prefix : TZ_NETADDR_V6_PREFIX;
    srv->per_ip_limit = cfg->per_ip_limit;
    if (cfg->per_ip_limit == TZ_HTTP_PER_IP_AUTO) { /* half the cap, 4 to 64 */
        unsigned half = cfg->connection_limit / 2;
        srv->per_ip_limit = half < 4 ? 4 : half > 64 ? 64 : half;
    }
    srv->request_timeout_ms = (int64_t)cfg->request_timeout_s * 1000;
    if (srv->request_timeout_ms > 0) {
        if (pthread_create(&srv->reaper, NULL, reaper_main, srv) != 0)
            return TZ_ENOMEM;
        srv->reaper_running = true;
    }
    return TZ_OK;
}

void http_guard_stop(struct tz_http *srv)
{
    if (srv->reaper_running) {
        pthread_mutex_lock(&srv->guard_mu);
        srv->reaper_stop = true;
        pthread_cond_signal(&srv->guard_cv);
        pthread_mutex_unlock(&srv->guard_mu);
        pthread_join(srv->reaper, NULL);
        srv->reaper_running = false;
    }
    tz_ratelimit_free(srv->write_limit);
    srv->write_limit = NULL;
    tz_ratelimit_free(srv->login_limit);
    srv->login_limit = NULL;
    tz_ratelimit_free(srv->feed_limit);
    srv->feed_limit = NULL;
    pthread_cond_destroy(&srv->guard_cv);
    pthread_mutex_destroy(&srv->guard_mu);
}

#define FORWARD_LINES_MAX 16 /* lines of one forwarding header a request may carry */

/* The lines of the forwarding headers, in order. */
struct forward_lines {
    const char *xff[FORWARD_LINES_MAX];
    const char *fwd[FORWARD_LINES_MAX];
    size_t nxff, nfwd;
    bool too_many;
};

static enum MHD_Result collect_line(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    struct forward_lines *f = cls;
    const char **lines = NULL;
    size_t *n = NULL;
    if (key && strcasecmp(key, "X-Forwarded-For") == 0) {
        lines = f->xff;
        n = &f->nxff;
    } else if (key && strcasecmp(key, "Forwarded") == 0) {
        lines = f->fwd;
        n = &f->nfwd;
    } else {
        return MHD_YES;
    }
    if (*n == FORWARD_LINES_MAX) {
        f->too_many = true;
        return MHD_NO;
    }
    lines[(*n)++] = value ? value : "";
    return MHD_YES;
}

/*
 * The client behind the trusted proxy (docs/security.md): the address the
 * proxy appended, last in X-Forwarded-For or Forwarded; the proxy itself when
 * neither is there or the proxy says "unknown" or hides the client behind an
 * obfuscated name (its clients share its limits then). False when no one can
 * be trusted to be named: both headers at once (the proxy wrote one, the
 * client the other, and nothing tells which), or a last element that does not
 * parse.
 */
static bool forwarded_client(struct request *req, struct tz_netaddr *client)
{
    struct forward_lines f = {0};
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, collect_line, &f);
    if (f.too_many || (f.nxff && f.nfwd))
        return false;
    if (!f.nxff && !f.nfwd)
        return true;
    struct tz_netaddr named;
    enum http_fwd said =
        f.nxff ? http_xff_last(f.xff, f.nxff, &named) : http_forwarded_last(f.fwd, f.nfwd, &named);
    if (said == HTTP_FWD_BAD)
        return false;
    if (said == HTTP_FWD_ADDRESS)
        *client = named;
    return true;
}

bool http_guard_client(struct request *req)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    struct tz_netaddr *client = &req->client;
    bool ok = true;
    if (!info || tz_netaddr_from_sockaddr(info->client_addr, client) != TZ_OK)
        memset(client, 0, sizeof *client);
    else if (req->srv->trusted_proxy.family && tz_netaddr_equal(client, &req->srv->trusted_proxy))
        ok = forwarded_client(req, client);
    tz_netaddr_format(client, req->client_text, sizeof req->client_text);
    return ok;
}

void http_client_address(struct request *req, char *out, size_t size)
{
    snprintf(out, size, "%s", req->client_text);
}

void http_client_key_text(struct request *req, char *out, size_t size)
{
    if (req->client.family)
        tz_netaddr_key_text(&req->client, req->srv->ipv6_prefix, out, size);
    else
        snprintf(out, size, "%s", "");
}

/* Takes a token from the client's bucket of limit (NULL: no limit). */
static bool client_allowed(struct request *req, struct tz_ratelimit *limit, int *retry_after_s)
{
    struct tz_http *srv = req->srv;
    if (!limit)
        return true;
    uint8_t net[TZ_NETADDR_KEY_LEN];
    tz_netaddr_key(&req->client, srv->ipv6_prefix, net); /* an IPv6 client by its network */
    uint8_t key[16];
    crypto_generichash(key, sizeof key, net, sizeof net, srv->addr_key, sizeof srv->addr_key);
    return tz_ratelimit_take(limit, key, sizeof key, now_ms(), retry_after_s);
}

bool http_guard_write_allowed(struct request *req, int *retry_after_s)
{
    bool ok = client_allowed(req, req->srv->write_limit, retry_after_s);
    if (!ok)
        http_metrics_refused(req->srv, HTTP_LIMIT_WRITE);
    return ok;
}

bool http_guard_login_allowed(struct request *req, int *retry_after_s)
{
    bool ok = client_allowed(req, req->srv->login_limit, retry_after_s);
    if (!ok)
        http_metrics_refused(req->srv, HTTP_LIMIT_LOGIN);
    return ok;
}

bool http_guard_feed_allowed(struct request *req, int *retry_after_s)
{
    bool ok = client_allowed(req, req->srv->feed_limit, retry_after_s);
    if (!ok)
        http_metrics_refused(req->srv, HTTP_LIMIT_FEED);
    return ok;
}
