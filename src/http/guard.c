/*
 * guard.c - the abuse limits that libmicrohttpd's own options do not give:
 * a deadline for a whole request, and a write rate per client address.
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
 * Write rate: anonymous reports take a token of a bucket keyed by a keyed
 * BLAKE2b hash of the client address (src/base/ratelimit.h), with a key made
 * at start, so the limiter's memory holds no address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    bool shut;                /* the reaper has shut it down */
};

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
    if (cfg->trusted_proxy) { /* kept in inet_ntop's spelling, which the peer is compared in */
        unsigned char bin[sizeof(struct in6_addr)];
        int family = inet_pton(AF_INET, cfg->trusted_proxy, bin) == 1    ? AF_INET
                     : inet_pton(AF_INET6, cfg->trusted_proxy, bin) == 1 ? AF_INET6
                                                                         : 0;
        if (!family ||
            !inet_ntop(family, bin, srv->trusted_proxy, (socklen_t)sizeof srv->trusted_proxy))
            return TZ_EINVAL;
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
    pthread_cond_destroy(&srv->guard_cv);
    pthread_mutex_destroy(&srv->guard_mu);
}

/* The peer's address as text ("" when unknown). */
static void peer_address(struct request *req, char *out, size_t size)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (!info || !info->client_addr)
        return;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
}

/* Whether s is one IPv4 or IPv6 address literal. */
static bool address_literal(const char *s)
{
    unsigned char bin[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, s, bin) == 1 || inet_pton(AF_INET6, s, bin) == 1;
}

/*
 * The client's address: the peer's, or behind the trusted proxy (serve
 * --trusted-proxy) the last address of X-Forwarded-For, the one that proxy
 * appended (anything before it was written by the client and proves nothing).
 */
void http_client_address(struct request *req, char *out, size_t size)
{
    peer_address(req, out, size);
    const char *proxy = req->srv->trusted_proxy;
    if (!proxy || !*proxy || strcmp(out, proxy) != 0)
        return;
    const char *xff = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff)
        return;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    last += strspn(last, " \t");
    char candidate[INET6_ADDRSTRLEN];
    size_t n = strcspn(last, " \t");
    if (n == 0 || n >= sizeof candidate)
        return;
    memcpy(candidate, last, n);
    candidate[n] = '\0';
    if (address_literal(candidate))
        snprintf(out, size, "%s", candidate);
}

/* Takes a token from the client's bucket of limit (NULL: no limit). */
static bool client_allowed(struct request *req, struct tz_ratelimit *limit, int *retry_after_s)
{
    struct tz_http *srv = req->srv;
    if (!limit)
        return true;
    char addr[INET6_ADDRSTRLEN];
    http_client_address(req, addr, sizeof addr);
    uint8_t key[16];
    crypto_generichash(key, sizeof key, (const unsigned char *)addr, strlen(addr), srv->addr_key,
                       sizeof srv->addr_key);
    return tz_ratelimit_take(limit, key, sizeof key, now_ms(), retry_after_s);
}

bool http_guard_write_allowed(struct request *req, int *retry_after_s)
{
    return client_allowed(req, req->srv->write_limit, retry_after_s);
}

bool http_guard_login_allowed(struct request *req, int *retry_after_s)
{
    return client_allowed(req, req->srv->login_limit, retry_after_s);
}
