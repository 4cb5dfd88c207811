/*
 * pg.c - the PostgreSQL backend of the store: `--db postgresql://...` (libpq).
 *
 * Durability: a write is one transaction, and its operation returns TZ_OK only once COMMIT has
 * returned. Every connection sets synchronous_commit=on (PostgreSQL's default, set here so that
 * a server configured otherwise cannot weaken it for tarcza): COMMIT returns after the commit
 * record is flushed to the primary's WAL and, where the cluster names synchronous standbys
 * (synchronous_standby_names), after they have it too. So a report answered 201 is on the
 * primary's disk, and on the synchronous standby when one is configured (docs/operations.md).
 *
 * Connections: a pool of POOL_SIZE connections guarded by a mutex, opened when first needed,
 * shared by every thread of the process (HTTP workers, the committer, the map's follower, the
 * background jobs). A pool rather than one connection per thread, because the threads that
 * touch the store are many more than the statements in flight at any moment, and every
 * connection costs a PostgreSQL backend process: several instances behind a load balancer
 * must stay well inside max_connections (100 by default). A connection found broken (a
 * restarted or failed-over server) is reset when it is next borrowed, so the process keeps
 * serving once the database is back. Each connection keeps its statements prepared (pg_rows.c).
 *
 * Transactions run at READ COMMITTED; what must not interleave across instances takes a lock:
 * the audit chain a transaction-scoped advisory lock (pg_audit.c), the migrations a
 * session-level one. Reads that need one snapshot for several statements run in a REPEATABLE
 * READ, READ ONLY transaction (tz_pg_in_read).
 *
 * The operations the backend does not have yet are left NULL in its table: the store answers
 * them TZ_EUNSUPPORTED (store.c). docs/operations.md lists the state op by op.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tztime.h"
#include "store/pg_internal.h"

#define POOL_SIZE 8
/* The key of the session-level advisory lock held while migrating ("tzmigr" in ASCII). */
#define MIGRATE_LOCK_KEY "128069170456434"

struct pg_store {
    struct tz_store base; /* first: the public handle points here */
    char *uri;
    int version;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct tz_pg_conn conns[POOL_SIZE];
    bool busy[POOL_SIZE];

    pthread_mutex_t head_mu; /* guards the audit head file's path and what was written */
    char *audit_head;
    int64_t audit_head_seq;

    pthread_mutex_t watch_mu; /* guards watch: tz_store_watch's thread, or NULL */
    struct tz_pg_watch *watch;
};

static struct pg_store *from_store(struct tz_store *store)
{
    return (struct pg_store *)store;
}

/* libpq prints the server's notices on stderr unless told otherwise: they are not errors. */
static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static tz_err exec_simple(struct tz_pg_conn *c, const char *sql)
{
    PGresult *r = PQexec(c->pg, sql);
    tz_err err = tz_pg_map_result(r);
    if (err && r && PQresultStatus(r) == PGRES_FATAL_ERROR &&
        !PQresultErrorField(r, PG_DIAG_SQLSTATE))
        fprintf(stderr, "tarcza: postgresql: %s", PQerrorMessage(c->pg)); /* connection lost */
    PQclear(r);
    return err;
}

/* The settings every connection gets (see the top of the file). */
static const char SESSION_SETTINGS[] =
    "SET synchronous_commit = on; SET client_min_messages = warning;"
    " SET application_name = 'tarcza'; SET lock_timeout = '10s'";

static void conn_drop(struct tz_pg_conn *c)
{
    if (c->pg)
        PQfinish(c->pg);
    memset(c, 0, sizeof *c);
}

static tz_err conn_open(struct tz_pg_conn *c, const char *uri)
{
    memset(c, 0, sizeof *c);
    c->pg = PQconnectdb(uri);
    if (!c->pg)
        return TZ_ENOMEM;
    if (PQstatus(c->pg) != CONNECTION_OK) {
        fprintf(stderr, "tarcza: postgresql: %s", PQerrorMessage(c->pg));
        conn_drop(c);
        return TZ_EIO;
    }
    PQsetNoticeProcessor(c->pg, quiet_notices, NULL);
    tz_err err = exec_simple(c, SESSION_SETTINGS);
    if (err)
        conn_drop(c);
    return err;
}

struct tz_pg_conn *tz_pg_acquire(struct tz_store *store, tz_err *err)
{
    struct pg_store *s = from_store(store);
    pthread_mutex_lock(&s->mu);
    size_t i;
    for (;;) {
        for (i = 0; i < POOL_SIZE && s->busy[i]; i++)
            ;
        if (i < POOL_SIZE)
            break;
        pthread_cond_wait(&s->cv, &s->mu);
    }
    s->busy[i] = true;
    pthread_mutex_unlock(&s->mu);
    /* Opening or resetting happens outside the lock: the slot is this thread's now. */
    struct tz_pg_conn *c = &s->conns[i];
    *err = TZ_OK;
    /* A server that restarted or failed over closed the idle socket: reading what is there (never
     * blocking: libpq's sockets are non-blocking) finds that, so the request gets a fresh
     * connection instead of a failure. Twice: a read that found the server's last message
     * returns before it would see the end of the stream behind it. */
    if (c->pg &&
        (!PQconsumeInput(c->pg) || !PQconsumeInput(c->pg) || PQstatus(c->pg) != CONNECTION_OK))
        conn_drop(c); /* a new connection also has none of the old one's prepared statements */
    if (!c->pg)
        *err = conn_open(c, s->uri);
    if (*err) {
        tz_pg_release(store, c);
        return NULL;
    }
    return c;
}

void tz_pg_release(struct tz_store *store, struct tz_pg_conn *c)
{
    struct pg_store *s = from_store(store);
    if (c->pg && (c->in_tx || PQtransactionStatus(c->pg) != PQTRANS_IDLE)) {
        exec_simple(c, "ROLLBACK"); /* an error left a transaction open */
        c->in_tx = false;
    }
    pthread_mutex_lock(&s->mu);
    s->busy[c - s->conns] = false;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ---- transactions ----------------------------------------------------------------------- */

static tz_err audit_head_sync(struct tz_store *store); /* below */

/* Whether c's connection was lost (the server restarted, failed over or went away). */
static bool lost(const struct tz_pg_conn *c)
{
    return PQstatus(c->pg) != CONNECTION_OK;
}

/* A pooled connection with a transaction begun on it (mode: "BEGIN ..."). A connection found
 * lost at BEGIN, before anything was done, is replaced once. */
static struct tz_pg_conn *begin_on(struct tz_store *store, const char *mode, tz_err *err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        struct tz_pg_conn *c = tz_pg_acquire(store, err);
        if (!c)
            return NULL;
        if (!(*err = exec_simple(c, mode))) {
            c->in_tx = true;
            return c;
        }
        bool retry = lost(c);
        tz_pg_release(store, c);
        if (!retry)
            break;
    }
    return NULL;
}

tz_err tz_pg_in_write(struct tz_store *store, tz_pg_write_fn body, void *ctx,
                      const struct tz_audit_rec *audit)
{
    tz_err err;
    struct tz_pg_conn *c = begin_on(store, "BEGIN", &err);
    if (!c)
        return err;
    if ((err = body(c, ctx)))
        goto done;
    if (audit && (err = tz_pg_audit_append_in(c, audit, NULL)))
        goto done;
    err = exec_simple(c, "COMMIT");
    c->in_tx = false;
done:
    tz_pg_release(store, c); /* rolls back what an error left open */
    if (!err && audit)
        audit_head_sync(store);
    return err;
}

tz_err tz_pg_in_read(struct tz_store *store, tz_pg_write_fn body, void *ctx)
{
    tz_err err;
    struct tz_pg_conn *c =
        begin_on(store, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", &err);
    if (!c)
        return err;
    if ((err = body(c, ctx)))
        goto done;
    err = exec_simple(c, "COMMIT");
    c->in_tx = false;
done:
    tz_pg_release(store, c);
    return err;
}

tz_err tz_pg_query(struct tz_store *store, const char *sql, const struct tz_pg_args *args,
                   PGresult **res)
{
    tz_err err = TZ_OK;
    /* A read may run again on a new connection when the first one was found lost. */
    for (int attempt = 0; attempt < 2; attempt++) {
        struct tz_pg_conn *c = tz_pg_acquire(store, &err);
        if (!c)
            return err;
        err = tz_pg_run(c, sql, args, res, NULL);
        bool retry = err && lost(c);
        tz_pg_release(store, c);
        if (!retry)
            break;
    }
    return err;
}

tz_err tz_pg_scan(struct tz_store *store, const char *sql, const struct tz_pg_args *args,
                  tz_pg_scan_fn fn, void *ctx)
{
    if (args && args->overflow)
        return TZ_ETOOBIG;
    tz_err err;
    struct tz_pg_conn *c = tz_pg_acquire(store, &err);
    if (!c)
        return err;
    if (!PQsendQueryParams(c->pg, sql, args ? args->n : 0, NULL, args ? args->v : NULL,
                           args ? args->len : NULL, args ? args->fmt : NULL, 0)) {
        tz_pg_release(store, c);
        return TZ_EIO;
    }
    PQsetSingleRowMode(c->pg);
    bool cancelled = false;
    for (PGresult *r; (r = PQgetResult(c->pg)) != NULL; PQclear(r)) {
        if (err)
            continue; /* drains what was already on its way */
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE)
            err = fn(ctx, r, 0);
        else if (st != PGRES_TUPLES_OK)
            err = tz_pg_map_result(r);
        if (err && !cancelled) {
            PGcancel *cancel = PQgetCancel(c->pg);
            char why[128];
            if (cancel) {
                PQcancel(cancel, why, sizeof why);
                PQfreeCancel(cancel);
            }
            cancelled = true;
        }
    }
    tz_pg_release(store, c);
    return err;
}

/* ---- the audit head file ------------------------------------------------------------------ */

static tz_err audit_head_sync(struct tz_store *store)
{
    struct pg_store *s = from_store(store);
    pthread_mutex_lock(&s->head_mu);
    tz_err err = TZ_OK;
    if (s->audit_head) {
        struct tz_pg_conn *c = tz_pg_acquire(store, &err);
        if (c) {
            err = tz_pg_audit_head_check(c, s->audit_head, &s->audit_head_seq);
            tz_pg_release(store, c);
        }
        if (err == TZ_ECONFLICT)
            fprintf(stderr, "tarcza: the audit chain no longer holds the head recorded in %s\n",
                    s->audit_head);
    }
    pthread_mutex_unlock(&s->head_mu);
    return err;
}

tz_err tz_pg_audit_head_keep(struct tz_store *store, const char *path)
{
    struct pg_store *s = from_store(store);
    char *copy = path ? strdup(path) : NULL;
    if (path && !copy)
        return TZ_ENOMEM;
    pthread_mutex_lock(&s->head_mu);
    free(s->audit_head);
    s->audit_head = copy;
    s->audit_head_seq = 0;
    pthread_mutex_unlock(&s->head_mu);
    return path ? audit_head_sync(store) : TZ_OK;
}

/* ---- migrations ------------------------------------------------------------------------- */

static const char SQL_VERSION[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char SQL_MIGRATED[] =
    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)";

/* Applies migration v (1-based) in its own transaction. */
static tz_err migrate_one(struct tz_pg_conn *c, int v)
{
    char **stmts = NULL;
    size_t n = 0;
    tz_err err = tz_pg_schema_translate(tz_store_migration_sql[v - 1], &stmts, &n);
    if (err)
        return err;
    if ((err = exec_simple(c, "BEGIN")))
        goto done;
    for (size_t i = 0; i < n && !err; i++) {
        PGresult *r = PQexec(c->pg, stmts[i]);
        err = tz_pg_map_result(r);
        if (err)
            fprintf(stderr, "tarcza: postgresql migration %d: %s", v, PQresultErrorMessage(r));
        PQclear(r);
    }
    struct tz_pg_args a = {0};
    tz_pg_arg_int(&a, v);
    tz_pg_arg_int(&a, tz_time_now());
    if (!err)
        err = tz_pg_run_once(c, SQL_MIGRATED, &a, NULL, NULL);
    err = exec_simple(c, err ? "ROLLBACK" : "COMMIT") ? (err ? err : TZ_EIO) : err;
done:
    tz_pg_schema_free(stmts, n);
    return err;
}

static tz_err read_version(struct tz_pg_conn *c, int *version)
{
    PGresult *r = NULL;
    tz_err err = tz_pg_run_once(c, SQL_VERSION, NULL, &r, NULL);
    if (!err)
        *version = (int)tz_pg_int(r, 0, 0);
    PQclear(r);
    return err;
}

/* Brings the schema up to date; two instances starting at once take turns (advisory lock). */
static tz_err migrate(struct pg_store *s)
{
    tz_err err;
    struct tz_pg_conn *c = tz_pg_acquire(&s->base, &err);
    if (!c)
        return err;
    if ((err = exec_simple(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")")))
        goto done;
    if (!(err = exec_simple(c, tz_store_migrations_table)) &&
        !(err = read_version(c, &s->version))) {
        if (s->version > tz_store_migration_count)
            err = TZ_ECONFLICT; /* migrated by a newer tarcza */
        for (int v = s->version + 1; !err && v <= tz_store_migration_count; v++)
            if (!(err = migrate_one(c, v)))
                s->version = v;
    }
    exec_simple(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")");
done:
    tz_pg_release(&s->base, c);
    return err;
}

/* ---- the handle ------------------------------------------------------------------------- */

/* tz_store_watch: LISTEN/NOTIFY on a connection of its own (pg_watch.c). */
static tz_err pg_watch(struct tz_store *store, void (*fn)(void *ctx), void *ctx)
{
    struct pg_store *s = from_store(store);
    pthread_mutex_lock(&s->watch_mu);
    tz_pg_watch_stop(s->watch);
    s->watch = NULL;
    tz_err err = fn ? tz_pg_watch_start(s->uri, fn, ctx, &s->watch) : TZ_OK;
    pthread_mutex_unlock(&s->watch_mu);
    return err;
}

static void pg_close(struct tz_store *store)
{
    struct pg_store *s = from_store(store);
    tz_pg_watch_stop(s->watch);
    pthread_mutex_destroy(&s->watch_mu);
    for (size_t i = 0; i < POOL_SIZE; i++)
        conn_drop(&s->conns[i]);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->head_mu);
    free(s->audit_head);
    free(s->uri);
    free(s);
}

static int pg_schema_version(struct tz_store *store)
{
    return from_store(store)->version;
}

static void pg_stats(struct tz_store *store, struct tz_store_stats *out)
{
    (void)store; /* the counters are SQLite's WAL's; PostgreSQL has its own views */
    (void)out;
}

/* Readiness: a standby (in recovery) cannot write; an unreachable server neither. */
static tz_err pg_write_probe(struct tz_store *store)
{
    PGresult *r = NULL;
    static const char sql[] = "SELECT pg_is_in_recovery()";
    tz_err err = tz_pg_query(store, sql, NULL, &r);
    if (!err && tz_pg_int(r, 0, 0))
        err = TZ_EIO;
    PQclear(r);
    return err;
}

static const struct tz_store_ops pg_ops = {.close = pg_close,
                                           .schema_version = pg_schema_version,
                                           .stats = pg_stats,
                                           .write_probe = pg_write_probe,
                                           .watch = pg_watch,
                                           TZ_PG_OPS_DONE(TZ_PG_FILL)};

tz_err tz_store_open_pg(const char *uri, struct tz_store **out)
{
    if (!uri || !out)
        return TZ_EINVAL;
    *out = NULL;
    struct pg_store *s = calloc(1, sizeof *s);
    if (!s)
        return TZ_ENOMEM;
    s->base.ops = &pg_ops;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_mutex_init(&s->head_mu, NULL);
    pthread_mutex_init(&s->watch_mu, NULL);
    s->uri = strdup(uri);
    tz_err err = s->uri ? migrate(s) : TZ_ENOMEM;
    if (err) {
        pg_close(&s->base);
        return err;
    }
    *out = &s->base;
    return TZ_OK;
}
