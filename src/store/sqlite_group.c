/*
 * sqlite_group.c - group commit of the store's short transactions (tz_sq_in_write): a police
 * read's audit entry, an account change, a message put. Each was a transaction of its own, and
 * so an fsync of its own, one after another behind the writer: with many officers reading at once
 * the reads queued for the disk (an inbox read cost a commit's fsync, p99 0.1-0.3 s on a busy
 * disk). Now callers queue; whoever finds no batch being written leads: it takes up to GROUP_MAX
 * waiting calls, runs each in a savepoint of the one write transaction, commits once, and wakes
 * them. A call that fails rolls back to its savepoint and the others go on; a failed commit, or
 * an error that ends the whole transaction (SQLite rolls back by itself on some I/O and memory
 * errors), fails every call of the batch, so no caller is told "done" of work that is not on
 * disk. A lone call runs as before, without a savepoint.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "store/sqlite_internal.h"

#define GROUP_MAX 64 /* calls in one transaction at most */

struct call {
    tz_sq_write_fn body;
    void *ctx;
    const struct tz_audit_rec *audit;
    tz_err err;
    bool done;
    struct call *next;
};

struct tz_sq_group {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct call *head, *tail; /* waiting, oldest first */
    bool leading;             /* a batch is being written */
};

tz_err tz_sq_group_new(struct tz_sq_group **out)
{
    struct tz_sq_group *g = calloc(1, sizeof *g);
    if (!g)
        return TZ_ENOMEM;
    if (pthread_mutex_init(&g->mu, NULL) != 0) {
        free(g);
        return TZ_ENOMEM;
    }
    if (pthread_cond_init(&g->cv, NULL) != 0) {
        pthread_mutex_destroy(&g->mu);
        free(g);
        return TZ_ENOMEM;
    }
    *out = g;
    return TZ_OK;
}

void tz_sq_group_free(struct tz_sq_group *g)
{
    if (!g)
        return;
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

/* One call's work and audit entry on db. */
static tz_err run_call(sqlite3 *db, const struct call *c)
{
    tz_err err = c->body(db, c->ctx);
    if (!err && c->audit)
        err = tz_sq_audit_append_in(db, c->audit, NULL);
    return err;
}

/* One call of a batch in its savepoint; false when the whole transaction is gone (then *lost says
 * why, and this call failed with it). */
static bool run_in_savepoint(sqlite3 *db, struct call *c, tz_err *lost)
{
    c->err = tz_sq_map_rc(sqlite3_exec(db, "SAVEPOINT grouped", NULL, NULL, NULL));
    if (!c->err) {
        c->err = run_call(db, c);
        const char *end = c->err ? "ROLLBACK TO grouped; RELEASE grouped" : "RELEASE grouped";
        tz_err ended = tz_sq_map_rc(sqlite3_exec(db, end, NULL, NULL, NULL));
        c->err = c->err ? c->err : ended;
    }
    if (!sqlite3_get_autocommit(db))
        return true;
    *lost = c->err ? c->err : TZ_EIO; /* SQLite rolled the whole transaction back */
    c->err = *lost;
    return false;
}

/* Writes batch[0..n) in one transaction; each call's err says how it went. */
static void write_batch(struct tz_store *store, struct call **batch, size_t n)
{
    tz_err err = TZ_OK;
    sqlite3 *db = tz_sq_write_begin(store, &err);
    if (!db) {
        for (size_t i = 0; i < n; i++)
            batch[i]->err = err;
        return;
    }
    if (n == 1) {
        batch[0]->err = tz_sq_write_end(store, run_call(db, batch[0]));
        return;
    }
    tz_err lost = TZ_OK;
    size_t ran = 0;
    while (ran < n && run_in_savepoint(db, batch[ran], &lost))
        ran++;
    err = tz_sq_write_end(store, lost);
    for (size_t i = 0; i < n; i++)
        if (err && (i >= ran || !batch[i]->err))
            batch[i]->err = err; /* not on disk: nobody is told otherwise */
}

static size_t take_batch(struct tz_sq_group *g, struct call **batch)
{
    size_t n = 0;
    while (g->head && n < GROUP_MAX) {
        batch[n++] = g->head;
        g->head = g->head->next;
    }
    if (!g->head)
        g->tail = NULL;
    return n;
}

tz_err tz_sq_in_write(struct tz_store *store, tz_sq_write_fn body, void *ctx,
                      const struct tz_audit_rec *audit)
{
    struct tz_sq_group *g = tz_sq_group_of(store);
    struct call me = {.body = body, .ctx = ctx, .audit = audit};
    sqlite3 *held = tz_sq_held_db(store);
    if (held) { /* this thread holds the writer (tz_store_hold): a savepoint of its transaction */
        tz_err lost = TZ_OK;
        if (!run_in_savepoint(held, &me, &lost))
            tz_sq_held_lost(lost);
        return me.err;
    }
    pthread_mutex_lock(&g->mu);
    if (g->tail)
        g->tail->next = &me;
    else
        g->head = &me;
    g->tail = &me;
    while (!me.done) {
        if (g->leading) {
            pthread_cond_wait(&g->cv, &g->mu);
            continue;
        }
        g->leading = true;
        struct call *batch[GROUP_MAX];
        size_t n = take_batch(g, batch);
        pthread_mutex_unlock(&g->mu);
        write_batch(store, batch, n);
        pthread_mutex_lock(&g->mu);
        for (size_t i = 0; i < n; i++)
            batch[i]->done = true;
        g->leading = false;
        pthread_cond_broadcast(&g->cv);
    }
    pthread_mutex_unlock(&g->mu);
    return me.err;
}
