/*
 * sqlite.c - the SQLite backend of the store.
 *
 * Durability: the database runs in WAL mode with synchronous=FULL, so a
 * commit returns only after the WAL has been fsynced; a write that returns
 * TZ_OK survives a power cut (DESIGN 6). Group commit (committer.c) is what
 * keeps that fast: many reports share one transaction and one fsync.
 *
 * Connections: one writer connection, serialised by write_mu, runs every
 * write as one BEGIN IMMEDIATE ... COMMIT transaction. Reads never take
 * write_mu: they borrow one of a few read-only connections from a pool, and
 * WAL lets them read the last committed state while the writer is inside its
 * fsync. Every connection keeps its own prepared statements (prepared on
 * first use), so a read by id is a pool hand-off and one sqlite3_step.
 * Connections are opened with SQLITE_OPEN_NOMUTEX: the pool and write_mu make
 * sure that no connection is used by two threads at once. One more connection
 * belongs to the checkpointer's thread (checkpointer.c), which copies the WAL
 * back into the database file so that the writer never has to.
 *
 * This file holds the handle, its connections and their transactions, the
 * reader pool and the migrations runner; each aggregate's operations are in
 * a file of their own (sqlite_reports.c, sqlite_list.c, sqlite_police.c,
 * sqlite_catalog.c, sqlite_accounts.c, sqlite_audit.c, sqlite_apikeys.c,
 * sqlite_analysis.c), over the helpers of sqlite_rows.c (sqlite_internal.h).
 *
 * Errors: SQLITE_FULL is TZ_ENOSPACE, SQLITE_NOMEM TZ_ENOMEM, a constraint
 * (unknown category or district, bad status code, NULL in a NOT NULL column)
 * TZ_EINVAL, SQLITE_BUSY (another process holds the write lock past the
 * busy timeout) TZ_EBUSY, anything else TZ_EIO. A failed write is rolled back
 * entirely.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "base/tztime.h"
#include "store/backend.h"
#include "store/checkpointer.h"
#include "store/sqlite_internal.h"

#define READERS 4             /* read-only connections in the pool */
#define BUSY_TIMEOUT_MS 10000 /* how long to wait for another process's lock */
#define PROBE_TIMEOUT_MS 250  /* ... when only asked whether it could write (readiness) */

/*
 * Settings of the writer. The page cache (64 MiB) holds the hot index pages
 * between batches. The automatic checkpoint is off: a checkpoint would run
 * inside the commit that crosses its mark and hold up every report waiting
 * for the next batch, so checkpointer.c runs them on a thread of its own (see
 * there). journal_size_limit trims the WAL when it starts over.
 *
 * Foreign keys stay enforced although the threat map checks category and
 * district before it submits: they cost about 1.5 us of the ~12 us of CPU an
 * insert takes (two lookups, and the statement journal that a multi-row
 * insert needs only because of them), a percent or two of a report's CPU in
 * the whole server, and they keep a report from ever naming a district that
 * does not exist. Larger pages (8 or 16 KiB) made inserts slower: most pages
 * a batch writes are index leaves changed by a few bytes.
 *
 * secure_delete: every byte SQLite frees (a deleted row, a cell moved when a
 * page splits, a page put on the free list) is overwritten with zeros, so that
 * personal data the exchange's retention deletes (Art. 16, sqlite_exchange_
 * retention.c) leaves no copy in the file, not even one a page split made
 * before. It costs a memset on pages being written anyway, and a write of
 * each page that goes to the free list.
 */
#define WRITER_PRAGMAS                                                                             \
    "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"                   \
    " PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864; PRAGMA secure_delete=ON"
/*
 * Set once the schema is up to date: statement journals in memory (see
 * tz_sq_insert_reports). Not before, so that building an index in a migration
 * may still spill its sort to a temporary file.
 */
#define WRITER_PRAGMAS_AFTER_MIGRATION "PRAGMA temp_store=MEMORY"
/*
 * Settings of each reader. Memory-mapped I/O (mmap_size) would save a copy per
 * page but turns an I/O error into SIGBUS, which a server must not die of.
 */
#define READER_PRAGMAS "PRAGMA query_only=ON; PRAGMA cache_size=-16384"

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_BEGIN_READ[] = "BEGIN";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_VERSION[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char SQL_MIGRATED[] =
    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)";

struct sqlite_store {
    struct tz_store base; /* first: the public handle points here */
    int version;

    pthread_mutex_t write_mu; /* held for every use of writer */
    struct tz_sq_conn writer;

    pthread_mutex_t read_mu; /* guards free_readers and free_count */
    pthread_cond_t read_cv;  /* signalled when a reader is returned */
    struct tz_sq_conn readers[READERS];
    size_t free_readers[READERS]; /* indexes into readers, a stack */
    size_t free_count;

    struct tz_checkpointer *checkpointer; /* copies the WAL back, on its own thread */

    struct tz_sq_group *group; /* tz_sq_in_write's callers (sqlite_group.c) */

    char *audit_head;       /* the audit head file (guarded by write_mu), or NULL */
    int64_t audit_head_seq; /* the seq last written to it */
};

static struct sqlite_store *from_store(struct tz_store *store)
{
    return (struct sqlite_store *)store;
}

/*
 * The store this thread holds the writer of (tz_store_hold), and whether a write inside the hold
 * ended the whole transaction (then the hold commits nothing). While it is set, this thread's
 * writes run in savepoints of the held transaction and its reads on the writer's connection, so
 * that it reads what it wrote before the commit.
 */
static _Thread_local struct sqlite_store *held;
static _Thread_local tz_err held_lost;

sqlite3 *tz_sq_held_db(struct tz_store *store)
{
    return held && held == from_store(store) ? held->writer.db : NULL;
}

void tz_sq_held_lost(tz_err err)
{
    if (!held_lost)
        held_lost = err ? err : TZ_EIO;
}

/* Turns an SQLite result code into a tz_err; SQLITE_OK, _ROW and _DONE are success. */
tz_err tz_sq_map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return TZ_OK;
    case SQLITE_FULL:
        return TZ_ENOSPACE;
    case SQLITE_NOMEM:
        return TZ_ENOMEM;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
        return TZ_EINVAL;
    case SQLITE_TOOBIG:
        return TZ_ETOOBIG;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return TZ_EBUSY;
    default:
        return TZ_EIO;
    }
}

/* ---- connections -------------------------------------------------------------------------- */

static void conn_close(struct tz_sq_conn *c)
{
    for (size_t i = 0; i < TZ_SQ_STMTS_MAX; i++) {
        sqlite3_finalize(c->stmts[i]);
        c->stmts[i] = NULL;
        c->sql[i] = NULL;
    }
    sqlite3_close_v2(c->db);
    c->db = NULL;
}

static tz_err exec_sql(struct tz_sq_conn *c, const char *sql)
{
    return tz_sq_map_rc(sqlite3_exec(c->db, sql, NULL, NULL, NULL));
}

/* Switches the writer to WAL and checks that SQLite agreed (it may not, on some file systems). */
static tz_err enable_wal(struct tz_sq_conn *c)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return tz_sq_map_rc(rc);
    tz_err err = TZ_OK;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        err = tz_sq_map_rc(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
    else if (sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") != 0)
        err = TZ_EIO;
    sqlite3_finalize(st);
    return err;
}

static tz_err conn_open(struct tz_sq_conn *c, const char *path, bool readonly)
{
    memset(c, 0, sizeof *c);
    int flags = SQLITE_OPEN_NOMUTEX;
    flags |= readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
    tz_err err = tz_sq_map_rc(rc);
    if (err)
        goto fail;
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    if (readonly) {
        err = exec_sql(c, READER_PRAGMAS);
    } else {
        err = enable_wal(c);
        if (!err)
            err = exec_sql(c, WRITER_PRAGMAS);
    }
    if (err)
        goto fail;
    return TZ_OK;
fail:
    conn_close(c);
    return err ? err : TZ_EIO;
}

/* ---- transactions (writer only) ----------------------------------------------------------- */

static tz_err tx_begin(struct tz_sq_conn *c)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_stmt(c, SQL_BEGIN, &st);
    return err ? err : tz_sq_stmt_run(st);
}

static tz_err tx_commit(struct tz_sq_conn *c)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_stmt(c, SQL_COMMIT, &st);
    return err ? err : tz_sq_stmt_run(st);
}

/*
 * Rolls back the open transaction, if any: after some errors (SQLITE_FULL,
 * an I/O error during COMMIT) SQLite has already rolled back by itself.
 */
static void tx_rollback(struct tz_sq_conn *c)
{
    if (sqlite3_get_autocommit(c->db))
        return;
    sqlite3_stmt *st;
    if (tz_sq_stmt(c, SQL_ROLLBACK, &st) == TZ_OK && tz_sq_stmt_run(st) == TZ_OK)
        return;
    /* Last resort, without a cached statement. */
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

static struct tz_sq_conn *writer_lock(struct sqlite_store *s)
{
    pthread_mutex_lock(&s->write_mu);
    return &s->writer;
}

static void writer_unlock(struct sqlite_store *s)
{
    pthread_mutex_unlock(&s->write_mu);
}

/* After a commit: the audit chain's head to its file. The commit stands whatever happens here. */
static tz_err audit_head_sync(struct sqlite_store *s)
{
    tz_err err = tz_sq_audit_head_sync(s->writer.db, s->audit_head, &s->audit_head_seq);
    if (err == TZ_ECONFLICT)
        fprintf(stderr,
                "tarcza: the audit log no longer holds the head recorded in %s (entries deleted "
                "or changed): the file is kept as it is; run tarcza audit verify --audit-head\n",
                s->audit_head);
    else if (err)
        fprintf(stderr, "tarcza: could not write the audit head to %s: %s\n", s->audit_head,
                tz_err_str(err));
    return err;
}

/* ---- writes and the reader pool (sqlite_internal.h) --------------------------------------- */

/* Takes the writer and begins its transaction; on failure the writer is released. */
tz_err tz_sq_writer_begin(struct tz_store *store, struct tz_sq_conn **c)
{
    struct sqlite_store *s = from_store(store);
    if (held == s) { /* inside this thread's hold: a savepoint of its transaction */
        *c = &s->writer;
        return tz_sq_map_rc(sqlite3_exec(s->writer.db, "SAVEPOINT held", NULL, NULL, NULL));
    }
    *c = writer_lock(s);
    tz_err err = tx_begin(*c);
    if (err)
        writer_unlock(s);
    return err;
}

/*
 * Ends a write begun by tz_sq_writer_begin: resets st (a statement in progress would keep the
 * commit from finishing), commits when err is 0 or else rolls back, releases the writer.
 * Returns the outcome.
 */
tz_err tz_sq_writer_end(struct tz_store *store, sqlite3_stmt *st, tz_err err)
{
    struct sqlite_store *s = from_store(store);
    tz_sq_stmt_done(st);
    if (held == s) {
        const char *end = err ? "ROLLBACK TO held; RELEASE held" : "RELEASE held";
        tz_err ended = tz_sq_map_rc(sqlite3_exec(s->writer.db, end, NULL, NULL, NULL));
        err = err ? err : ended;
        if (sqlite3_get_autocommit(s->writer.db))
            tz_sq_held_lost(err); /* SQLite rolled the whole transaction back */
        return err;
    }
    if (!err)
        err = tx_commit(&s->writer);
    if (err)
        tx_rollback(&s->writer);
    else if (s->audit_head)
        audit_head_sync(s); /* still under the writer's lock: heads are written in commit order */
    writer_unlock(s);
    return err;
}

tz_err tz_sq_audit_head_keep(struct tz_store *store, const char *path)
{
    struct sqlite_store *s = from_store(store);
    char *copy = NULL;
    if (path) {
        size_t n = strlen(path) + 1;
        if (!(copy = malloc(n)))
            return TZ_ENOMEM;
        memcpy(copy, path, n);
    }
    writer_lock(s);
    free(s->audit_head);
    s->audit_head = copy;
    s->audit_head_seq = 0;
    tz_err err = copy ? audit_head_sync(s) : TZ_OK;
    writer_unlock(s);
    return err;
}

struct tz_sq_conn *tz_sq_reader_acquire(struct tz_store *store)
{
    struct sqlite_store *s = from_store(store);
    if (held == s) /* reads what the hold wrote so far */
        return &s->writer;
    pthread_mutex_lock(&s->read_mu);
    while (s->free_count == 0)
        pthread_cond_wait(&s->read_cv, &s->read_mu);
    struct tz_sq_conn *c = &s->readers[s->free_readers[--s->free_count]];
    pthread_mutex_unlock(&s->read_mu);
    return c;
}

void tz_sq_reader_release(struct tz_store *store, struct tz_sq_conn *c)
{
    struct sqlite_store *s = from_store(store);
    if (c == &s->writer)
        return;
    pthread_mutex_lock(&s->read_mu);
    s->free_readers[s->free_count++] = (size_t)(c - s->readers);
    pthread_cond_signal(&s->read_cv);
    pthread_mutex_unlock(&s->read_mu);
}

/* ---- migrations --------------------------------------------------------------------------- */

static tz_err read_version(struct tz_sq_conn *c, int *version)
{
    double v = 0;
    tz_err err = tz_sq_query_number(c, SQL_VERSION, &v);
    if (!err)
        *version = (int)v;
    return err;
}

/*
 * Brings the schema up to date, one migration per transaction. The version is
 * read again inside each transaction, whose write lock keeps a second process
 * migrating the same file from applying a migration twice. A database newer
 * than this code is refused with TZ_ECONFLICT: the code cannot know what the
 * newer migrations changed.
 */
static tz_err migrate_steps(struct tz_sq_conn *c, int *version_out);

/*
 * Foreign keys are off while migrations run (a PRAGMA that must be given
 * outside a transaction) so that a migration may make a table again (SQLite
 * cannot alter a CHECK in place); each migration checks them before it
 * commits (foreign_key_check), so none commits a dangling reference.
 */
static tz_err migrate(struct tz_sq_conn *c, int *version_out)
{
    tz_err err = exec_sql(c, "PRAGMA foreign_keys=OFF");
    if (err)
        return err;
    err = migrate_steps(c, version_out);
    tz_err on = exec_sql(c, "PRAGMA foreign_keys=ON");
    return err ? err : on;
}

/* TZ_OK when no row breaks a foreign key; TZ_ECONFLICT when one does. */
static tz_err foreign_keys_hold(struct tz_sq_conn *c)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db, "PRAGMA foreign_key_check", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TZ_OK : rc == SQLITE_ROW ? TZ_ECONFLICT : tz_sq_map_rc(rc);
}

static tz_err migrate_steps(struct tz_sq_conn *c, int *version_out)
{
    int version = 0;
    tz_err err = exec_sql(c, tz_store_migrations_table);
    if (!err)
        err = read_version(c, &version);
    if (err)
        return err;
    if (version > tz_store_migration_count)
        return TZ_ECONFLICT;
    while (version < tz_store_migration_count) {
        if ((err = tx_begin(c)))
            return err;
        if ((err = read_version(c, &version)))
            goto fail;
        if (version > tz_store_migration_count) {
            err = TZ_ECONFLICT;
            goto fail;
        }
        if (version < tz_store_migration_count) {
            int next = version + 1;
            if ((err = exec_sql(c, tz_store_migration_sql[next - 1])))
                goto fail;
            sqlite3_stmt *st;
            if ((err = tz_sq_stmt(c, SQL_MIGRATED, &st)))
                goto fail;
            struct tz_sq_binder b = tz_sq_binder_of(st);
            tz_sq_bind_int64(&b, next);
            tz_sq_bind_int64(&b, tz_time_now());
            if ((err = tz_sq_map_rc(b.rc)) || (err = tz_sq_stmt_run(st))) {
                tz_sq_stmt_done(st);
                goto fail;
            }
            if ((err = foreign_keys_hold(c)))
                goto fail;
        }
        if ((err = tx_commit(c)))
            goto fail;
        if ((err = read_version(c, &version)))
            return err;
    }
    *version_out = version;
    return TZ_OK;
fail:
    tx_rollback(c);
    return err;
}

/* ---- operations --------------------------------------------------------------------------- */

static void sq_close(struct tz_store *store)
{
    struct sqlite_store *s = from_store(store);
    for (size_t i = 0; i < READERS; i++)
        conn_close(&s->readers[i]);
    if (s->writer.db)
        sqlite3_wal_hook(s->writer.db, NULL, NULL);
    tz_checkpointer_stop(s->checkpointer);
    /*
     * Last to close, the writer checkpoints what is left of the WAL (nothing,
     * after the checkpointer's last pass) and removes it.
     * No "PRAGMA optimize" here: statistics from ANALYZE change SQLite's plans
     * under the list queries, which are steered explicitly (see the lists).
     */
    conn_close(&s->writer);
    pthread_cond_destroy(&s->read_cv);
    pthread_mutex_destroy(&s->read_mu);
    pthread_mutex_destroy(&s->write_mu);
    tz_sq_group_free(s->group);
    free(s->audit_head);
    free(s);
}

struct tz_sq_group *tz_sq_group_of(struct tz_store *store)
{
    return from_store(store)->group;
}

static int sq_schema_version(struct tz_store *store)
{
    return from_store(store)->version;
}

static void sq_stats(struct tz_store *store, struct tz_store_stats *out)
{
    struct sqlite_store *s = from_store(store);
    if (s->checkpointer)
        tz_checkpointer_stats(s->checkpointer, out);
}

/*
 * The readiness probe: the writer's lock taken and given back (BEGIN IMMEDIATE, ROLLBACK), with a
 * short wait for another process that holds it, so that a health check never hangs for the usual
 * 10 s. Nothing is written.
 */
static tz_err sq_write_probe(struct tz_store *store)
{
    struct sqlite_store *s = from_store(store);
    struct tz_sq_conn *c = writer_lock(s);
    sqlite3_busy_timeout(c->db, PROBE_TIMEOUT_MS);
    tz_err err = sqlite3_db_readonly(c->db, "main") != 0 ? TZ_EIO : tx_begin(c);
    if (!err)
        tx_rollback(c);
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    writer_unlock(s);
    return err;
}

/* The writer's sqlite3_wal_hook: after each commit, tells the checkpointer how long the WAL is. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct sqlite_store *s = arg;
    tz_checkpointer_note_commit(s->checkpointer, pages);
    return SQLITE_OK;
}

/* ---- the writer and the readers by their sqlite3 handle (sqlite_internal.h) ---------------- */

sqlite3 *tz_sq_write_begin(struct tz_store *store, tz_err *err)
{
    struct tz_sq_conn *c;
    *err = tz_sq_writer_begin(store, &c);
    return *err ? NULL : c->db;
}

tz_err tz_sq_write_end(struct tz_store *store, tz_err err)
{
    return tz_sq_writer_end(store, NULL, err);
}

sqlite3 *tz_sq_read_begin(struct tz_store *store)
{
    return tz_sq_reader_acquire(store)->db;
}

void tz_sq_read_end(struct tz_store *store, sqlite3 *db)
{
    struct sqlite_store *s = from_store(store);
    for (size_t i = 0; i < READERS; i++) {
        if (s->readers[i].db == db)
            tz_sq_reader_release(store, &s->readers[i]);
    }
}

/* ---- read transactions (the list's snapshot) ------------------------------------------------- */

tz_err tz_sq_read_tx_begin(struct tz_sq_conn *c)
{
    if (held && c == &held->writer)
        return TZ_OK; /* the held transaction is the snapshot */
    sqlite3_stmt *st;
    tz_err err = tz_sq_stmt(c, SQL_BEGIN_READ, &st);
    return err ? err : tz_sq_stmt_run(st);
}

tz_err tz_sq_read_tx_commit(struct tz_sq_conn *c)
{
    if (held && c == &held->writer)
        return TZ_OK;
    return tx_commit(c);
}

void tz_sq_tx_rollback(struct tz_sq_conn *c)
{
    if (held && c == &held->writer)
        return;
    tx_rollback(c);
}

/* tz_store_hold: fn with this thread's writes in one transaction, committed once. */
static tz_err sq_hold(struct tz_store *store, tz_err (*fn)(void *ctx), void *ctx)
{
    struct sqlite_store *s = from_store(store);
    if (held) /* one hold at a time per thread; a nested one runs inside it */
        return held == s ? fn(ctx) : TZ_EINVAL;
    struct tz_sq_conn *c;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    held = s;
    held_lost = TZ_OK;
    err = fn(ctx);
    held = NULL;
    if (!err && held_lost)
        err = held_lost;
    if (!err && sqlite3_get_autocommit(c->db))
        err = TZ_EIO;
    return tz_sq_writer_end(store, NULL, err);
}

static const struct tz_store_ops sqlite_ops = {
    .close = sq_close,
    .schema_version = sq_schema_version,
    .stats = sq_stats,
    .write_probe = sq_write_probe,
    .hold = sq_hold,
    TZ_STORE_ALL_OPS(TZ_SQ_FILL) /* tz_sq_<name> of each operation (sqlite_internal.h) */
};

tz_err tz_store_open_sqlite(const char *path, struct tz_store **out)
{
    if (!path || !out)
        return TZ_EINVAL;
    *out = NULL;
    struct sqlite_store *s = calloc(1, sizeof *s);
    if (!s)
        return TZ_ENOMEM;
    s->base.ops = &sqlite_ops;
    /* The pthread objects are created first so that sq_close can always destroy them. */
    if (pthread_mutex_init(&s->write_mu, NULL) != 0) {
        free(s);
        return TZ_ENOMEM;
    }
    if (pthread_mutex_init(&s->read_mu, NULL) != 0) {
        pthread_mutex_destroy(&s->write_mu);
        free(s);
        return TZ_ENOMEM;
    }
    if (pthread_cond_init(&s->read_cv, NULL) != 0) {
        pthread_mutex_destroy(&s->read_mu);
        pthread_mutex_destroy(&s->write_mu);
        free(s);
        return TZ_ENOMEM;
    }

    /* The writer comes first: it creates the file, switches it to WAL and migrates it. */
    tz_err err = tz_sq_group_new(&s->group);
    if (!err)
        err = conn_open(&s->writer, path, false);
    if (!err)
        err = migrate(&s->writer, &s->version);
    if (!err)
        err = exec_sql(&s->writer, WRITER_PRAGMAS_AFTER_MIGRATION);
    for (size_t i = 0; i < READERS && !err; i++) {
        err = conn_open(&s->readers[i], path, true);
        s->free_readers[s->free_count++] = i;
    }
    struct tz_checkpointer_config ckpt = tz_checkpointer_defaults();
    if (!err)
        err = tz_checkpointer_start(path, &s->write_mu, &ckpt, &s->checkpointer);
    if (!err)
        sqlite3_wal_hook(s->writer.db, wal_hook, s); /* in place of the automatic checkpoint */
    if (err) {
        sq_close(&s->base);
        return err;
    }
    *out = &s->base;
    return TZ_OK;
}