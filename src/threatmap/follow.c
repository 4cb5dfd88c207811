/*
 * follow.c - the thread that keeps a server's map index in step with the
 * store when others write to it too: `tarcza report transition` on the
 * command line, or a second `tarcza serve` on the same database. Every
 * interval it runs tz_threatmap_sync(), which reads only what is new (two
 * indexed queries when nothing is). Where the store tells of new writes
 * (tz_store_watch: LISTEN/NOTIFY on PostgreSQL) a notice runs it at once, so a
 * report filed on one instance shows on the others' maps within a round trip;
 * the interval stays as the fallback for a notice lost with a connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "threatmap/internal.h"

struct tm_follower {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stopping;
    bool noticed; /* the store told of a write since the last round */
    int interval_ms;
};

/* The store's notice (its own thread): run a round now. */
static void follow_notice(void *ctx)
{
    struct tm_follower *f = ctx;
    pthread_mutex_lock(&f->mu);
    f->noticed = true;
    pthread_cond_signal(&f->wake);
    pthread_mutex_unlock(&f->mu);
}

static void deadline_after(int ms, struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void *follow_main(void *arg)
{
    struct tz_threatmap *tm = arg;
    struct tm_follower *f = tm->follower;
    tz_err last = TZ_OK;
    pthread_mutex_lock(&f->mu);
    while (!f->stopping) {
        struct timespec until;
        deadline_after(f->interval_ms, &until);
        while (!f->stopping && !f->noticed &&
               pthread_cond_timedwait(&f->wake, &f->mu, &until) != ETIMEDOUT)
            ;
        if (f->stopping)
            break;
        f->noticed = false; /* before the round: a notice during it runs another */
        pthread_mutex_unlock(&f->mu);
        tz_err err = tz_threatmap_sync(tm);
        if (err && err != last) /* say it once, not every second; the next round retries */
            fprintf(stderr, "tarcza: map sync: %s\n", tz_err_str(err));
        last = err;
        pthread_mutex_lock(&f->mu);
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

tz_err tz_threatmap_follow(struct tz_threatmap *tm, int interval_ms)
{
    if (!tm || interval_ms < 1 || tm->follower)
        return TZ_EINVAL;
    struct tm_follower *f = calloc(1, sizeof *f);
    if (!f)
        return TZ_ENOMEM;
    f->interval_ms = interval_ms;
    pthread_mutex_init(&f->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&f->wake, &attr);
    pthread_condattr_destroy(&attr);
    tm->follower = f;
    if (pthread_create(&f->thread, NULL, follow_main, tm) != 0) {
        tm->follower = NULL;
        pthread_cond_destroy(&f->wake);
        pthread_mutex_destroy(&f->mu);
        free(f);
        return TZ_ENOMEM;
    }
    /* No notices (SQLite) or none yet (the listener retries on its own): the interval alone. */
    tz_err err = tz_store_watch(tm->store, follow_notice, f);
    if (err && err != TZ_EUNSUPPORTED)
        fprintf(stderr, "tarcza: map sync: change notices: %s\n", tz_err_str(err));
    return TZ_OK;
}

void tm_follow_stop(struct tz_threatmap *tm)
{
    struct tm_follower *f = tm->follower;
    if (!f)
        return;
    (void)tz_store_watch(tm->store, NULL, NULL); /* no notice into f once it is gone */
    pthread_mutex_lock(&f->mu);
    f->stopping = true;
    pthread_cond_signal(&f->wake);
    pthread_mutex_unlock(&f->mu);
    pthread_join(f->thread, NULL);
    pthread_cond_destroy(&f->wake);
    pthread_mutex_destroy(&f->mu);
    free(f);
    tm->follower = NULL;
}
