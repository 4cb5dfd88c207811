/*
 * pg_watch.c - change notices on PostgreSQL (tz_store_watch): LISTEN/NOTIFY.
 *
 * Every write that the change feed will show (a report inserted, a status changed: pg_reports.c)
 * sends NOTIFY on TZ_PG_FEED_CHANNEL inside its own transaction, so the notice is delivered only
 * if and when it commits, to every connection listening on the channel, in every instance. Each
 * watching process keeps one connection of its own (outside the pool: a listening connection
 * must stay open and idle between notices) and a thread that waits on its socket and on a pipe
 * that says "stop". On a notice the thread calls the watcher's fn, which wakes the map's
 * follower (threatmap/follow.c) at once instead of at its next poll; the poll stays as the
 * fallback for a notice lost with a connection.
 *
 * A lost connection (a restart, a fail-over, a dead link found by TCP keep-alives) is opened
 * again every RETRY_MS; each time it is (re)opened fn is called once, since what was committed
 * while nobody listened sent its notice to nobody.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/pg_internal.h"

#define RETRY_MS 1000

struct tz_pg_watch {
    pthread_t thread;
    char *uri;
    void (*fn)(void *ctx);
    void *ctx;
    int stop[2]; /* a pipe: a byte written to stop[1] ends the thread */
};

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* A new connection listening on the channel, or NULL (said on stderr once per outage). */
static PGconn *listen_open(const char *uri, bool *said)
{
    /* TCP keep-alives (ignored on a Unix socket): an idle listener behind a dead network link
     * would otherwise wait for ever; this way the link is found dead within about 25 s and the
     * connection opened again (the poll covers the meantime). The URI's own settings win. */
    static const char *const keys[] = {"keepalives",       "keepalives_idle", "keepalives_interval",
                                       "keepalives_count", "dbname",          NULL};
    const char *const values[] = {"1", "10", "5", "3", uri, NULL};
    PGconn *pg = PQconnectdbParams(keys, values, 1);
    if (pg && PQstatus(pg) == CONNECTION_OK) {
        PQsetNoticeProcessor(pg, quiet, NULL);
        PGresult *r = PQexec(pg, "LISTEN " TZ_PG_FEED_CHANNEL);
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (ok && PQsetnonblocking(pg, 1) == 0) {
            *said = false;
            return pg;
        }
    }
    if (!*said)
        fprintf(stderr, "tarcza: postgresql: change notices: %s",
                pg ? PQerrorMessage(pg) : "out of memory\n");
    *said = true;
    PQfinish(pg);
    return NULL;
}

/* Reads what arrived on pg: true when it held a notice; *lost when the connection is gone. */
static bool drain(PGconn *pg, bool *lost)
{
    bool any = false;
    *lost = !PQconsumeInput(pg) || PQstatus(pg) != CONNECTION_OK;
    PGnotify *n;
    while ((n = PQnotifies(pg)) != NULL) {
        any = true;
        PQfreemem(n);
    }
    return any;
}

static void *watch_main(void *arg)
{
    struct tz_pg_watch *w = arg;
    PGconn *pg = NULL;
    bool said = false;
    for (;;) {
        if (!pg && (pg = listen_open(w->uri, &said)) != NULL)
            w->fn(w->ctx); /* what committed while nobody listened */
        struct pollfd fds[2] = {{.fd = w->stop[0], .events = POLLIN},
                                {.fd = pg ? PQsocket(pg) : -1, .events = POLLIN}};
        int n = poll(fds, 2, pg ? -1 : RETRY_MS);
        if (n < 0 && errno != EINTR)
            break;
        if (fds[0].revents)
            break;
        if (pg && fds[1].revents) {
            bool lost = false;
            bool any = drain(pg, &lost);
            if (any || lost)
                w->fn(w->ctx); /* lost: the follower reads the feed, which retries the pool */
            if (lost) {
                PQfinish(pg);
                pg = NULL;
            }
        }
    }
    PQfinish(pg);
    return NULL;
}

void tz_pg_watch_stop(struct tz_pg_watch *w)
{
    if (!w)
        return;
    char b = 1;
    while (write(w->stop[1], &b, 1) < 0 && errno == EINTR)
        ;
    pthread_join(w->thread, NULL);
    close(w->stop[0]);
    close(w->stop[1]);
    free(w->uri);
    free(w);
}

tz_err tz_pg_watch_start(const char *uri, void (*fn)(void *ctx), void *ctx,
                         struct tz_pg_watch **out)
{
    *out = NULL;
    struct tz_pg_watch *w = calloc(1, sizeof *w);
    if (!w)
        return TZ_ENOMEM;
    w->fn = fn;
    w->ctx = ctx;
    w->uri = strdup(uri);
    tz_err err = !w->uri ? TZ_ENOMEM : pipe(w->stop) != 0 ? TZ_EIO : TZ_OK;
    if (err) {
        free(w->uri);
        free(w);
        return err;
    }
    fcntl(w->stop[0], F_SETFD, FD_CLOEXEC); /* a child (exec'd tools) needs none of them */
    fcntl(w->stop[1], F_SETFD, FD_CLOEXEC);
    if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        close(w->stop[0]);
        close(w->stop[1]);
        free(w->uri);
        free(w);
        return TZ_ENOMEM;
    }
    *out = w;
    return TZ_OK;
}
