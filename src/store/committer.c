/*
 * committer.c - group commit: one writer thread, a bounded queue of reports.
 *
 * Submitters append to a ring buffer under mu and wake the writer. The writer
 * takes everything queued, up to max_batch, releases mu, inserts the batch
 * with one tz_store_insert_reports() call (one transaction, one fsync), and
 * then calls every done(). While it waits for the fsync, new reports queue
 * up and form the next batch, so batches grow with the arrival rate.
 *
 * A batch is all or nothing, so one invalid report (an unknown category, say)
 * would fail everyone in its batch. When a batch fails with TZ_EINVAL the
 * writer therefore inserts its reports one by one, and only the bad one fails.
 * Other errors (disk full, I/O) fail the whole batch: retrying would not help.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "store/committer.h"

struct pending {
    struct tz_report_rec *rec;
    tz_commit_done_fn done;
    void *ctx;
};

struct tz_committer {
    struct tz_store *store;
    size_t max_batch;

    pthread_mutex_t mu;    /* guards the queue and stopping */
    pthread_cond_t wake;   /* the writer waits here for work or for stop */
    struct pending *queue; /* ring of queue_max entries */
    size_t queue_max, head, len;
    bool stopping;

    pthread_t thread;
    /* The writer thread's own scratch space, max_batch entries each. */
    struct pending *taken;
    struct tz_report_rec *batch;
    struct tz_committer_stats stats; /* under mu (but queued, counted when read) */
};

/* Counts a batch of n reports in c's stats (under c->mu). */
static void count_batch(struct tz_committer *c, size_t n)
{
    for (size_t i = 0; i < TZ_COMMITTER_BUCKETS; i++)
        if (i == TZ_COMMITTER_BUCKETS - 1 || n <= ((size_t)1 << i))
            c->stats.batches_le[i]++;
    c->stats.batches++;
    c->stats.reports += n;
}

void tz_committer_stats(struct tz_committer *c, struct tz_committer_stats *out)
{
    *out = (struct tz_committer_stats){0};
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    *out = c->stats;
    out->queued = c->len;
    pthread_mutex_unlock(&c->mu);
}

/* Tells one submitter the outcome; on success its record learns its id first. */
static void finish(const struct pending *p, const struct tz_report_rec *stored, tz_err err)
{
    if (!err)
        p->rec->id = stored->id;
    p->done(p->ctx, err);
}

/* Inserts the n reports of c->taken and reports back to their submitters. */
static void commit_batch(struct tz_committer *c, size_t n)
{
    /*
     * tz_store_insert_reports wants an array of records; the copies share
     * the submitters' strings, which stay alive until done() is called.
     */
    for (size_t i = 0; i < n; i++)
        c->batch[i] = *c->taken[i].rec;
    tz_err err = tz_store_insert_reports(c->store, c->batch, n);
    /* One bad report (or one idempotency key already taken) must not refuse the others. */
    if ((err == TZ_EINVAL || err == TZ_ECONFLICT) && n > 1) {
        for (size_t i = 0; i < n; i++)
            finish(&c->taken[i], &c->batch[i], tz_store_insert_reports(c->store, &c->batch[i], 1));
        return;
    }
    for (size_t i = 0; i < n; i++)
        finish(&c->taken[i], &c->batch[i], err);
}

static void *writer_main(void *arg)
{
    struct tz_committer *c = arg;
    for (;;) {
        pthread_mutex_lock(&c->mu);
        while (c->len == 0 && !c->stopping)
            pthread_cond_wait(&c->wake, &c->mu);
        if (c->len == 0) { /* stopping, and the queue is drained */
            pthread_mutex_unlock(&c->mu);
            break;
        }
        size_t n = c->len < c->max_batch ? c->len : c->max_batch;
        for (size_t i = 0; i < n; i++)
            c->taken[i] = c->queue[(c->head + i) % c->queue_max];
        c->head = (c->head + n) % c->queue_max;
        c->len -= n;
        count_batch(c, n);
        pthread_mutex_unlock(&c->mu);
        commit_batch(c, n);
    }
    return NULL;
}

tz_err tz_committer_start(struct tz_store *store, size_t max_batch, size_t queue_max,
                          struct tz_committer **out)
{
    if (!out)
        return TZ_EINVAL;
    *out = NULL;
    if (!store || max_batch == 0 || queue_max == 0)
        return TZ_EINVAL;
    if (max_batch > queue_max)
        max_batch = queue_max; /* a batch never holds more than the queue can */

    struct tz_committer *c = calloc(1, sizeof *c);
    if (!c)
        return TZ_ENOMEM;
    c->store = store;
    c->max_batch = max_batch;
    c->queue_max = queue_max;
    c->queue = calloc(queue_max, sizeof *c->queue);
    c->taken = calloc(max_batch, sizeof *c->taken);
    c->batch = calloc(max_batch, sizeof *c->batch);
    tz_err err = TZ_ENOMEM;
    if (!c->queue || !c->taken || !c->batch)
        goto fail_mem;
    if (pthread_mutex_init(&c->mu, NULL) != 0)
        goto fail_mem;
    if (pthread_cond_init(&c->wake, NULL) != 0)
        goto fail_mutex;
    if (pthread_create(&c->thread, NULL, writer_main, c) != 0)
        goto fail_cond;
    *out = c;
    return TZ_OK;

fail_cond:
    pthread_cond_destroy(&c->wake);
fail_mutex:
    pthread_mutex_destroy(&c->mu);
fail_mem:
    free(c->batch);
    free(c->taken);
    free(c->queue);
    free(c);
    return err;
}

tz_err tz_committer_submit(struct tz_committer *c, struct tz_report_rec *rec,
                           tz_commit_done_fn done, void *ctx)
{
    if (!c || !rec || !done)
        return TZ_EINVAL;
    tz_err err = TZ_OK;
    pthread_mutex_lock(&c->mu);
    if (c->stopping) {
        err = TZ_ECLOSED;
    } else if (c->len == c->queue_max) {
        err = TZ_EBUSY;
    } else {
        c->queue[(c->head + c->len) % c->queue_max] =
            (struct pending){.rec = rec, .done = done, .ctx = ctx};
        c->len++;
        pthread_cond_signal(&c->wake);
    }
    pthread_mutex_unlock(&c->mu);
    return err;
}

/* One caller of tz_committer_insert, waiting on its own condition variable. */
struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    tz_err err;
};

static void waiter_done(void *ctx, tz_err err)
{
    struct waiter *w = ctx;
    pthread_mutex_lock(&w->mu);
    w->err = err;
    w->done = true;
    pthread_cond_signal(&w->cv);
    /* After this unlock the waiter may return and w cease to exist: touch nothing more. */
    pthread_mutex_unlock(&w->mu);
}

tz_err tz_committer_insert(struct tz_committer *c, struct tz_report_rec *rec)
{
    struct waiter w = {.done = false, .err = TZ_OK};
    if (pthread_mutex_init(&w.mu, NULL) != 0)
        return TZ_ENOMEM;
    if (pthread_cond_init(&w.cv, NULL) != 0) {
        pthread_mutex_destroy(&w.mu);
        return TZ_ENOMEM;
    }
    tz_err err = tz_committer_submit(c, rec, waiter_done, &w);
    if (!err) {
        pthread_mutex_lock(&w.mu);
        while (!w.done)
            pthread_cond_wait(&w.cv, &w.mu);
        err = w.err;
        pthread_mutex_unlock(&w.mu);
    }
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    return err;
}

void tz_committer_stop(struct tz_committer *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stopping = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL); /* the writer drains the queue before it returns */
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->mu);
    free(c->batch);
    free(c->taken);
    free(c->queue);
    free(c);
}
