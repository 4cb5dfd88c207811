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
 * Errors: SQLITE_FULL is TZ_ENOSPACE, SQLITE_NOMEM TZ_ENOMEM, a constraint
 * (unknown category or district, bad status code, NULL in a NOT NULL column)
 * TZ_EINVAL, SQLITE_BUSY (another process holds the write lock past the
 * busy timeout) TZ_EBUSY, anything else TZ_EIO. A failed write is rolled back
 * entirely.
 */
#include <float.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "base/buf.h"
#include "base/tztime.h"
#include "store/backend.h"
#include "store/checkpointer.h"
#include "store/sqlite_internal.h"

#define READERS 4             /* read-only connections in the pool */
#define BUSY_TIMEOUT_MS 10000 /* how long to wait for another process's lock */
#define LIST_SQL_MAX 8192     /* longest SQL text a list query may build */

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
 */
#define WRITER_PRAGMAS                                                                             \
    "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"                   \
    " PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864"
/*
 * Set once the schema is up to date: statement journals in memory (see
 * sq_insert_reports). Not before, so that building an index in a migration
 * may still spill its sort to a temporary file.
 */
#define WRITER_PRAGMAS_AFTER_MIGRATION "PRAGMA temp_store=MEMORY"
/*
 * Settings of each reader. Memory-mapped I/O (mmap_size) would save a copy per
 * page but turns an I/O error into SIGBUS, which a server must not die of.
 */
#define READER_PRAGMAS "PRAGMA query_only=ON; PRAGMA cache_size=-16384"

/* The statements each connection prepares once and keeps. */
enum stmt_id {
    ST_BEGIN,
    ST_BEGIN_READ,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_VERSION,
    ST_MIGRATED,
    ST_CATEGORIES,
    ST_GROUPS,
    ST_PUT_DISTRICT,
    ST_DISTRICTS,
    ST_INSERT_REPORT,
    ST_INSERT_REPORTS_8,
    ST_INSERT_REPORTS_32,
    ST_GET_REPORT,
    ST_COUNT_REPORTS,
    ST_MAX_REPORT_ID,
    ST_CELL_MIN,
    ST_CELL_MAX,
    ST_RECEIVED_MIN,
    ST_RECEIVED_MAX,
    ST_CATEGORY_COUNT,
    ST_CHANGE_STATUS,
    ST_REPORT_EXISTS,
    ST_INSERT_TRANSITION,
    ST_SET_PUBLIC,
    ST_HISTORY,
    ST_REPORTS_AFTER,
    ST_TRANSITIONS_AFTER,
    ST_LAST_TRANSITION,
    ST_INSERT_ME_TOO,
    ST_COUNT_ME_TOO,
    ST_PUT_API_KEY,
    ST_REVOKE_API_KEY,
    ST_API_KEY_STATE,
    ST_API_KEYS,
    ST_FIND_API_KEY,
    ST_PUT_REPORT_SOURCE,
    /* analysis (migration 7) */
    ST_MERGE_CHECK,
    ST_MERGE_INSERT,
    ST_MERGES,
    ST_SCAN,
    ST_COUNT
};

/* The columns of a report, in the order read_report() reads them. */
#define REPORT_COLS                                                                                \
    "id, category, lat, lon, district_id, status, description, public_description,"                \
    " received_at, status_changed_at, takeup_due, taken_up_at, verify_due, verified_at,"           \
    " when_date, when_times, when_weekdays, me_too, token_hash, reporter_hash"

/* The columns of a status change, in the order read_transition() reads them. */
#define TRANSITION_COLS "report_id, from_status, to_status, at, actor, note, referred_to, id"

/* An insert of reports: the columns, then the rows of values. */
#define INSERT_REPORTS                                                                             \
    "INSERT INTO reports (category, lat, lon, district_id, status, description,"                   \
    " public_description, received_at, status_changed_at, takeup_due, taken_up_at, verify_due,"    \
    " verified_at, when_date, when_times, when_weekdays, me_too, token_hash, reporter_hash)"       \
    " VALUES "
#define REPORT_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define REPORT_ROWS_2 REPORT_ROW ", " REPORT_ROW
#define REPORT_ROWS_4 REPORT_ROWS_2 ", " REPORT_ROWS_2
#define REPORT_ROWS_8 REPORT_ROWS_4 ", " REPORT_ROWS_4
#define REPORT_ROWS_16 REPORT_ROWS_8 ", " REPORT_ROWS_8
#define REPORT_ROWS_32 REPORT_ROWS_16 ", " REPORT_ROWS_16

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_BEGIN_READ] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_VERSION] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
    [ST_MIGRATED] = "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
    [ST_CATEGORIES] = "SELECT code, group_code, name_pl, name_en, retired, description_required,"
                      " visibility, sort_order FROM categories ORDER BY sort_order, code",
    [ST_GROUPS] = "SELECT code, name_pl, name_en FROM category_groups ORDER BY sort_order, code",
    /* An upsert, not INSERT OR REPLACE: replacing would delete a row that reports refer to. */
    [ST_PUT_DISTRICT] = "INSERT INTO districts (id, name, unit, officer, geometry)"
                        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                        " name = excluded.name, unit = excluded.unit,"
                        " officer = excluded.officer, geometry = excluded.geometry",
    [ST_DISTRICTS] = "SELECT id, name, unit, officer, geometry FROM districts ORDER BY id",
    /* One, 8 or 32 reports a statement: see sq_insert_reports. */
    [ST_INSERT_REPORT] = INSERT_REPORTS REPORT_ROW,
    [ST_INSERT_REPORTS_8] = INSERT_REPORTS REPORT_ROWS_8,
    [ST_INSERT_REPORTS_32] = INSERT_REPORTS REPORT_ROWS_32,
    [ST_GET_REPORT] = "SELECT " REPORT_COLS " FROM reports WHERE id = ?",
    [ST_COUNT_REPORTS] = "SELECT COUNT(*) FROM reports",
    [ST_MAX_REPORT_ID] = "SELECT MAX(id) FROM reports",
    /* One of MIN or MAX alone, so that SQLite reads it at one end of the index. */
    [ST_CELL_MIN] = "SELECT MIN(" TZ_STORE_CELL_SQL ") FROM reports",
    [ST_CELL_MAX] = "SELECT MAX(" TZ_STORE_CELL_SQL ") FROM reports",
    [ST_RECEIVED_MIN] = "SELECT MIN(received_at) FROM reports",
    [ST_RECEIVED_MAX] = "SELECT MAX(received_at) FROM reports",
    [ST_CATEGORY_COUNT] = "SELECT COUNT(*) FROM categories",
    /* Compare and set: it changes nothing unless the report is in the expected status. */
    [ST_CHANGE_STATUS] = "UPDATE reports SET status = ?, status_changed_at = ?,"
                         " taken_up_at = COALESCE(?, taken_up_at),"
                         " verify_due = COALESCE(?, verify_due),"
                         " verified_at = COALESCE(?, verified_at)"
                         " WHERE id = ? AND status = ?",
    [ST_REPORT_EXISTS] = "SELECT 1 FROM reports WHERE id = ?",
    [ST_INSERT_TRANSITION] = "INSERT INTO report_transitions (report_id, from_status, to_status,"
                             " at, actor, note, referred_to) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [ST_SET_PUBLIC] = "UPDATE reports SET public_description = ? WHERE id = ?",
    [ST_HISTORY] = "SELECT " TRANSITION_COLS " FROM report_transitions WHERE report_id = ?"
                   " ORDER BY id",
    [ST_REPORTS_AFTER] = "SELECT " REPORT_COLS " FROM reports WHERE id > ? ORDER BY id LIMIT ?",
    [ST_TRANSITIONS_AFTER] = "SELECT " TRANSITION_COLS " FROM report_transitions WHERE id > ?"
                             " ORDER BY id LIMIT ?",
    [ST_LAST_TRANSITION] = "SELECT COALESCE(MAX(id), 0) FROM report_transitions",
    /* The primary key refuses a second "me too" from the same reporter. */
    [ST_INSERT_ME_TOO] =
        "INSERT INTO report_me_too (report_id, reporter_hash, at) VALUES (?, ?, ?)",
    [ST_COUNT_ME_TOO] = "UPDATE reports SET me_too = me_too + 1 WHERE id = ? RETURNING me_too",
    [ST_PUT_API_KEY] = "INSERT INTO api_keys (name, key_hash, created_at) VALUES (?, ?, ?)",
    [ST_REVOKE_API_KEY] = "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
    [ST_API_KEY_STATE] = "SELECT revoked_at FROM api_keys WHERE id = ?",
    [ST_API_KEYS] = "SELECT id, name, created_at, revoked_at FROM api_keys ORDER BY id",
    [ST_FIND_API_KEY] = "SELECT id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
    [ST_PUT_REPORT_SOURCE] = "INSERT INTO report_sources (report_id, api_key_id) VALUES (?, ?)",
    /* analysis (migration 7) */
    [ST_MERGE_CHECK] = "SELECT (SELECT COUNT(*) FROM reports WHERE id IN (?1, ?2)),"
                       " (SELECT COUNT(*) FROM report_links WHERE report_id IN (?1, ?2)"
                       "  OR original_id = ?1)",
    [ST_MERGE_INSERT] = "INSERT INTO report_links (report_id, original_id, at, actor, note)"
                        " VALUES (?, ?, ?, ?, ?)",
    [ST_MERGES] = "SELECT report_id, original_id, at, actor, note FROM report_links"
                  " WHERE report_id = ?1 OR original_id = ?1 ORDER BY at, report_id",
    [ST_SCAN] = "SELECT r.id, r.category, r.lat, r.lon, r.district_id, d.unit, r.status,"
                " r.received_at, r.status_changed_at, r.takeup_due, r.taken_up_at, r.verify_due,"
                " r.verified_at, r.me_too, l.original_id"
                " FROM reports r JOIN districts d ON d.id = r.district_id"
                " LEFT JOIN report_links l ON l.report_id = r.id"
                " WHERE (?1 IS NULL OR r.district_id = ?1) AND r.received_at >= ?2"
                " AND r.received_at < ?3 ORDER BY r.id",
};

struct conn {
    sqlite3 *db;
    sqlite3_stmt *stmts[ST_COUNT];
};

struct sqlite_store {
    struct tz_store base; /* first: the public handle points here */
    int version;

    pthread_mutex_t write_mu; /* held for every use of writer */
    struct conn writer;

    pthread_mutex_t read_mu; /* guards free_readers and free_count */
    pthread_cond_t read_cv;  /* signalled when a reader is returned */
    struct conn readers[READERS];
    size_t free_readers[READERS]; /* indexes into readers, a stack */
    size_t free_count;

    struct tz_checkpointer *checkpointer; /* copies the WAL back, on its own thread */
};

static struct sqlite_store *from_store(struct tz_store *store)
{
    return (struct sqlite_store *)store;
}

/* Turns an SQLite result code into a tz_err; SQLITE_OK, _ROW and _DONE are success. */
static tz_err map_rc(int rc)
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

/* ---- statements and binding ------------------------------------------------------------- */

/* The connection's statement id, prepared on first use. */
static tz_err stmt_get(struct conn *c, enum stmt_id id, sqlite3_stmt **out)
{
    if (!c->stmts[id]) {
        int rc = sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                    &c->stmts[id], NULL);
        if (rc != SQLITE_OK) {
            *out = NULL;
            return map_rc(rc);
        }
    }
    *out = c->stmts[id];
    return TZ_OK;
}

/* Makes a cached statement ready for its next use. Safe with NULL. */
static void stmt_done(sqlite3_stmt *st)
{
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

/* Runs a statement that returns no rows and resets it. */
static tz_err stmt_run(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    stmt_done(st);
    return rc == SQLITE_DONE ? TZ_OK : map_rc(rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
}

/*
 * Binds parameters left to right and remembers the first failure, so that a
 * run of binds needs one check. Strings and blobs are bound SQLITE_STATIC:
 * they must outlive the step.
 */
struct binder {
    sqlite3_stmt *st;
    int next;
    int rc;
};

static struct binder binder_of(sqlite3_stmt *st)
{
    return (struct binder){.st = st, .next = 1, .rc = SQLITE_OK};
}

static void keep_rc(struct binder *b, int rc)
{
    if (b->rc == SQLITE_OK && rc != SQLITE_OK)
        b->rc = rc;
}

static void bind_text(struct binder *b, const char *s)
{
    int i = b->next++;
    keep_rc(b, s ? sqlite3_bind_text(b->st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(b->st, i));
}

static void bind_int64(struct binder *b, int64_t v)
{
    keep_rc(b, sqlite3_bind_int64(b->st, b->next++, v));
}

/* A time where 0 means "not yet": stored as NULL. */
static void bind_time(struct binder *b, int64_t t)
{
    int i = b->next++;
    keep_rc(b, t ? sqlite3_bind_int64(b->st, i, t) : sqlite3_bind_null(b->st, i));
}

static void bind_double(struct binder *b, double v)
{
    keep_rc(b, sqlite3_bind_double(b->st, b->next++, v));
}

static void bind_blob(struct binder *b, const void *p, int n)
{
    keep_rc(b, sqlite3_bind_blob(b->st, b->next++, p, n, SQLITE_STATIC));
}

/* ---- reading columns ---------------------------------------------------------------------- */

/* A copy of a text column, or NULL for SQL NULL. */
tz_err tz_sq_col_strdup(sqlite3_stmt *st, int col, char **out)
{
    *out = NULL;
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return TZ_OK;
    const unsigned char *s = sqlite3_column_text(st, col);
    if (!s)
        return TZ_ENOMEM; /* a non-NULL value that could not be converted */
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    char *p = malloc(n + 1);
    if (!p)
        return TZ_ENOMEM;
    memcpy(p, s, n);
    p[n] = '\0';
    *out = p;
    return TZ_OK;
}

/* A text column into a fixed array; a value that does not fit means a damaged database. */
tz_err tz_sq_col_code(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    dst[0] = '\0';
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return TZ_OK;
    const unsigned char *s = sqlite3_column_text(st, col);
    if (!s)
        return TZ_ENOMEM;
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    if (n >= cap)
        return TZ_EIO;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return TZ_OK;
}

static void col_hash(sqlite3_stmt *st, int col, uint8_t dst[TZ_HASH_LEN])
{
    memset(dst, 0, TZ_HASH_LEN);
    const void *p = sqlite3_column_blob(st, col);
    int n = sqlite3_column_bytes(st, col);
    if (p && n > 0)
        memcpy(dst, p, n < TZ_HASH_LEN ? (size_t)n : TZ_HASH_LEN);
}

/* Reads a row of REPORT_COLS into out, which owns its strings afterwards (cleared on failure). */
static tz_err read_report(sqlite3_stmt *st, struct tz_report_rec *out)
{
    memset(out, 0, sizeof *out);
    tz_err err;
    out->id = sqlite3_column_int64(st, 0);
    if ((err = tz_sq_col_code(st, 1, out->category, sizeof out->category)))
        goto fail;
    out->lat = sqlite3_column_double(st, 2);
    out->lon = sqlite3_column_double(st, 3);
    if ((err = tz_sq_col_code(st, 4, out->district_id, sizeof out->district_id)) ||
        (err = tz_sq_col_code(st, 5, out->status, sizeof out->status)) ||
        (err = tz_sq_col_strdup(st, 6, &out->description)) ||
        (err = tz_sq_col_strdup(st, 7, &out->public_description)))
        goto fail;
    out->received_at = sqlite3_column_int64(st, 8);
    out->status_changed_at = sqlite3_column_int64(st, 9);
    out->takeup_due = sqlite3_column_int64(st, 10);
    out->taken_up_at = sqlite3_column_int64(st, 11); /* NULL reads as 0 */
    out->verify_due = sqlite3_column_int64(st, 12);
    out->verified_at = sqlite3_column_int64(st, 13);
    out->when_date = sqlite3_column_int64(st, 14);
    out->when_times = (unsigned)sqlite3_column_int(st, 15);
    out->when_weekdays = (unsigned)sqlite3_column_int(st, 16);
    out->me_too = sqlite3_column_int(st, 17);
    col_hash(st, 18, out->token_hash);
    col_hash(st, 19, out->reporter_hash);
    return TZ_OK;
fail:
    tz_report_rec_clear(out);
    return err;
}

/* ---- connections -------------------------------------------------------------------------- */

static void conn_close(struct conn *c)
{
    for (int i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(c->stmts[i]);
        c->stmts[i] = NULL;
    }
    sqlite3_close_v2(c->db);
    c->db = NULL;
}

static tz_err exec_sql(struct conn *c, const char *sql)
{
    return map_rc(sqlite3_exec(c->db, sql, NULL, NULL, NULL));
}

/* Switches the writer to WAL and checks that SQLite agreed (it may not, on some file systems). */
static tz_err enable_wal(struct conn *c)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return map_rc(rc);
    tz_err err = TZ_OK;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        err = map_rc(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
    else if (sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") != 0)
        err = TZ_EIO;
    sqlite3_finalize(st);
    return err;
}

static tz_err conn_open(struct conn *c, const char *path, bool readonly)
{
    memset(c, 0, sizeof *c);
    int flags = SQLITE_OPEN_NOMUTEX;
    flags |= readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
    tz_err err = map_rc(rc);
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

static tz_err tx_begin(struct conn *c)
{
    sqlite3_stmt *st;
    tz_err err = stmt_get(c, ST_BEGIN, &st);
    return err ? err : stmt_run(st);
}

static tz_err tx_commit(struct conn *c)
{
    sqlite3_stmt *st;
    tz_err err = stmt_get(c, ST_COMMIT, &st);
    return err ? err : stmt_run(st);
}

/*
 * Rolls back the open transaction, if any: after some errors (SQLITE_FULL,
 * an I/O error during COMMIT) SQLite has already rolled back by itself.
 */
static void tx_rollback(struct conn *c)
{
    if (sqlite3_get_autocommit(c->db))
        return;
    sqlite3_stmt *st;
    if (stmt_get(c, ST_ROLLBACK, &st) == TZ_OK && stmt_run(st) == TZ_OK)
        return;
    /* Last resort, without a cached statement. */
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

static struct conn *writer_lock(struct sqlite_store *s)
{
    pthread_mutex_lock(&s->write_mu);
    return &s->writer;
}

static void writer_unlock(struct sqlite_store *s)
{
    pthread_mutex_unlock(&s->write_mu);
}

/* ---- the reader pool ---------------------------------------------------------------------- */

/* Takes the writer and begins its transaction; on failure the writer is released. */
static tz_err write_begin(struct sqlite_store *s, struct conn **c)
{
    *c = writer_lock(s);
    tz_err err = tx_begin(*c);
    if (err)
        writer_unlock(s);
    return err;
}

/*
 * Ends a write begun by write_begin: resets st (a statement in progress would keep the
 * commit from finishing), commits when err is 0 or else rolls back, releases the writer.
 * Returns the outcome.
 */
static tz_err write_end(struct sqlite_store *s, sqlite3_stmt *st, tz_err err)
{
    stmt_done(st);
    if (!err)
        err = tx_commit(&s->writer);
    if (err)
        tx_rollback(&s->writer);
    writer_unlock(s);
    return err;
}

static struct conn *reader_acquire(struct sqlite_store *s)
{
    pthread_mutex_lock(&s->read_mu);
    while (s->free_count == 0)
        pthread_cond_wait(&s->read_cv, &s->read_mu);
    struct conn *c = &s->readers[s->free_readers[--s->free_count]];
    pthread_mutex_unlock(&s->read_mu);
    return c;
}

static void reader_release(struct sqlite_store *s, struct conn *c)
{
    pthread_mutex_lock(&s->read_mu);
    s->free_readers[s->free_count++] = (size_t)(c - s->readers);
    pthread_cond_signal(&s->read_cv);
    pthread_mutex_unlock(&s->read_mu);
}

/* ---- migrations --------------------------------------------------------------------------- */

static tz_err read_version(struct conn *c, int *version)
{
    sqlite3_stmt *st;
    tz_err err = stmt_get(c, ST_VERSION, &st);
    if (err)
        return err;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    else
        err = map_rc(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
    stmt_done(st);
    return err;
}

/*
 * Brings the schema up to date, one migration per transaction. The version is
 * read again inside each transaction, whose write lock keeps a second process
 * migrating the same file from applying a migration twice. A database newer
 * than this code is refused with TZ_ECONFLICT: the code cannot know what the
 * newer migrations changed.
 */
static tz_err migrate(struct conn *c, int *version_out)
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
            if ((err = stmt_get(c, ST_MIGRATED, &st)))
                goto fail;
            struct binder b = binder_of(st);
            bind_int64(&b, next);
            bind_int64(&b, tz_time_now());
            if ((err = map_rc(b.rc)) || (err = stmt_run(st))) {
                stmt_done(st);
                goto fail;
            }
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
    free(s);
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

/* The writer's sqlite3_wal_hook: after each commit, tells the checkpointer how long the WAL is. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct sqlite_store *s = arg;
    tz_checkpointer_note_commit(s->checkpointer, pages);
    return SQLITE_OK;
}

/* Reads the current row of st into elem (zeroed); what it allocated stays in elem. */
typedef tz_err (*row_reader)(sqlite3_stmt *st, void *elem);
/* Frees count elements and the array, as the tz_*_recs_free functions do. */
typedef void (*rows_free)(void *recs, size_t count);

/*
 * Steps st (prepared and bound) to its end, one element of elem_size per row,
 * and hands the array to the caller. On failure frees what was read.
 */
static tz_err read_rows(sqlite3_stmt *st, size_t elem_size, row_reader read, rows_free release,
                        void **out, size_t *count)
{
    char *recs = NULL;
    size_t n = 0, cap = 0;
    tz_err err = TZ_OK;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((err = tz_store_grow((void **)&recs, &cap, n, elem_size)))
            break;
        void *elem = recs + n * elem_size;
        memset(elem, 0, elem_size);
        n++;
        if ((err = read(st, elem)))
            break;
    }
    if (!err && rc != SQLITE_DONE)
        err = map_rc(rc);
    if (err) {
        release(recs, n);
        return err;
    }
    *out = recs;
    *count = n;
    return TZ_OK;
}

/* Runs the statement `which` on a pooled reader, bound to id when id is non-zero. */
static tz_err read_all(struct tz_store *store, enum stmt_id which, int64_t id, size_t elem_size,
                       row_reader read, rows_free release, void **out, size_t *count)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c = reader_acquire(s);
    sqlite3_stmt *st = NULL;
    tz_err err = stmt_get(c, which, &st);
    if (!err && id)
        sqlite3_bind_int64(st, 1, id);
    if (!err)
        err = read_rows(st, elem_size, read, release, out, count);
    stmt_done(st);
    reader_release(s, c);
    return err;
}

static tz_err read_category(sqlite3_stmt *st, void *elem)
{
    struct tz_category_rec *r = elem;
    r->retired = sqlite3_column_int(st, 4) != 0;
    r->description_required = sqlite3_column_int(st, 5) != 0;
    r->sort_order = sqlite3_column_int(st, 7);
    tz_err err;
    if ((err = tz_sq_col_code(st, 0, r->code, sizeof r->code)) ||
        (err = tz_sq_col_code(st, 1, r->group, sizeof r->group)) ||
        (err = tz_sq_col_strdup(st, 2, &r->name_pl)) ||
        (err = tz_sq_col_strdup(st, 3, &r->name_en)) ||
        (err = tz_sq_col_code(st, 6, r->visibility, sizeof r->visibility)))
        return err;
    return TZ_OK;
}

static void free_categories(void *recs, size_t count)
{
    tz_category_recs_free(recs, count);
}

static tz_err sq_categories(struct tz_store *store, struct tz_category_rec **out, size_t *count)
{
    return read_all(store, ST_CATEGORIES, 0, sizeof **out, read_category, free_categories,
                    (void **)out, count);
}

static tz_err read_group(sqlite3_stmt *st, void *elem)
{
    struct tz_group_rec *r = elem;
    tz_err err;
    if ((err = tz_sq_col_code(st, 0, r->code, sizeof r->code)) ||
        (err = tz_sq_col_strdup(st, 1, &r->name_pl)) ||
        (err = tz_sq_col_strdup(st, 2, &r->name_en)))
        return err;
    return TZ_OK;
}

static void free_groups(void *recs, size_t count)
{
    tz_group_recs_free(recs, count);
}

static tz_err sq_groups(struct tz_store *store, struct tz_group_rec **out, size_t *count)
{
    return read_all(store, ST_GROUPS, 0, sizeof **out, read_group, free_groups, (void **)out,
                    count);
}

static tz_err sq_put_districts(struct tz_store *store, const struct tz_district_rec *recs,
                               size_t count)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = write_begin(s, &c);
    if (err)
        return err;
    if ((err = stmt_get(c, ST_PUT_DISTRICT, &st)))
        goto done;
    for (size_t i = 0; i < count && !err; i++) {
        struct binder b = binder_of(st);
        bind_text(&b, recs[i].id);
        bind_text(&b, recs[i].name);
        bind_text(&b, recs[i].unit);
        bind_text(&b, recs[i].officer);
        bind_text(&b, recs[i].geometry);
        err = b.rc != SQLITE_OK ? map_rc(b.rc) : stmt_run(st);
    }
done:
    return write_end(s, st, err);
}

static tz_err read_district(sqlite3_stmt *st, void *elem)
{
    struct tz_district_rec *r = elem;
    tz_err err;
    if ((err = tz_sq_col_code(st, 0, r->id, sizeof r->id)) ||
        (err = tz_sq_col_strdup(st, 1, &r->name)) || (err = tz_sq_col_strdup(st, 2, &r->unit)) ||
        (err = tz_sq_col_strdup(st, 3, &r->officer)) ||
        (err = tz_sq_col_strdup(st, 4, &r->geometry)))
        return err;
    return TZ_OK;
}

static void free_districts(void *recs, size_t count)
{
    tz_district_recs_free(recs, count);
}

static tz_err sq_districts(struct tz_store *store, struct tz_district_rec **out, size_t *count)
{
    return read_all(store, ST_DISTRICTS, 0, sizeof **out, read_district, free_districts,
                    (void **)out, count);
}

static void bind_report(struct binder *b, const struct tz_report_rec *r)
{
    bind_text(b, r->category);
    bind_double(b, r->lat);
    bind_double(b, r->lon);
    bind_text(b, r->district_id);
    bind_text(b, r->status);
    bind_text(b, r->description);
    bind_text(b, r->public_description);
    bind_int64(b, r->received_at);
    bind_int64(b, r->status_changed_at);
    bind_int64(b, r->takeup_due);
    bind_time(b, r->taken_up_at);
    bind_time(b, r->verify_due);
    bind_time(b, r->verified_at);
    bind_time(b, r->when_date);
    bind_int64(b, r->when_times);
    bind_int64(b, r->when_weekdays);
    bind_int64(b, r->me_too);
    bind_blob(b, r->token_hash, TZ_HASH_LEN);
    bind_blob(b, r->reporter_hash, TZ_HASH_LEN);
}

/*
 * Inserts run several reports to a statement (32, then 8, then one at a
 * time). Besides saving a statement run per report, that matters because of
 * the schema's CHECK (status IN (seven codes)): SQLite evaluates an IN over
 * more than two constants by building a temporary b-tree of them once per
 * run of the statement, which for one report a run was a fifth of the
 * insert's CPU. A statement of many rows that fails half way must undo its
 * own rows, so SQLite keeps a statement journal of the pages it changes; a
 * 32-row insert changes more than fits the 64 KiB that SQLite keeps in
 * memory, and the journal would go to a temporary file every batch: hence
 * temp_store=MEMORY on the writer (WRITER_PRAGMAS_AFTER_MIGRATION). With
 * both, an insert costs about a fifth less CPU than one report a statement
 * (development machine, batches of 64 spread like bench/post_report.lua:
 * 14.5 -> 11.7 us a report). A statement's rows get consecutive ids, in
 * order: without AUTOINCREMENT SQLite gives each new row the largest id plus
 * one (it picks at random only past id 2^63 - 1, which reports never reach).
 */
static const struct {
    enum stmt_id id;
    size_t rows;
} insert_chunks[] = {{ST_INSERT_REPORTS_32, 32}, {ST_INSERT_REPORTS_8, 8}, {ST_INSERT_REPORT, 1}};

/* In the insert's transaction: which API key sent each report that a key sent (migration 6). */
static tz_err put_report_sources(struct conn *c, const struct tz_report_rec *recs, size_t count)
{
    tz_err err = TZ_OK;
    for (size_t i = 0; i < count && !err; i++) {
        if (!recs[i].api_key_id)
            continue;
        sqlite3_stmt *st;
        if ((err = stmt_get(c, ST_PUT_REPORT_SOURCE, &st)))
            break;
        struct binder b = binder_of(st);
        bind_int64(&b, recs[i].id);
        bind_int64(&b, recs[i].api_key_id);
        err = b.rc != SQLITE_OK ? map_rc(b.rc) : stmt_run(st);
        stmt_done(st);
    }
    return err;
}

static tz_err sq_insert_reports(struct tz_store *store, struct tz_report_rec *recs, size_t count)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = write_begin(s, &c);
    if (err) {
        for (size_t i = 0; i < count; i++)
            recs[i].id = 0;
        return err;
    }
    size_t done = 0;
    for (size_t k = 0; k < sizeof insert_chunks / sizeof insert_chunks[0] && !err; k++) {
        size_t rows = insert_chunks[k].rows;
        if (count - done < rows)
            continue;
        if ((err = stmt_get(c, insert_chunks[k].id, &st)))
            break;
        while (!err && count - done >= rows) {
            struct binder b = binder_of(st);
            for (size_t i = 0; i < rows; i++)
                bind_report(&b, &recs[done + i]);
            err = b.rc != SQLITE_OK ? map_rc(b.rc) : stmt_run(st);
            int64_t last = sqlite3_last_insert_rowid(c->db);
            for (size_t i = 0; i < rows && !err; i++)
                recs[done + i].id = last - (int64_t)(rows - 1 - i);
            done += rows;
        }
        stmt_done(st);
        st = NULL;
    }
    if (!err)
        err = put_report_sources(c, recs, count);
    err = write_end(s, st, err);
    for (size_t i = 0; err && i < count; i++)
        recs[i].id = 0;
    return err;
}

static tz_err sq_get_report(struct tz_store *store, int64_t id, struct tz_report_rec *out)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c = reader_acquire(s);
    sqlite3_stmt *st = NULL;
    tz_err err = stmt_get(c, ST_GET_REPORT, &st);
    if (!err) {
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            err = read_report(st, out);
        else if (rc == SQLITE_DONE)
            err = TZ_ENOTFOUND;
        else
            err = map_rc(rc);
    }
    stmt_done(st);
    reader_release(s, c);
    return err;
}

/*
 * Lists, newest first, run in up to three steps so that neither a dense nor
 * a sparse filter costs time in proportion to the whole table.
 *
 * Left to itself SQLite plans badly here: it has no statistics about value
 * ranges (Debian's build lacks STAT4), so given a bbox or "status IN (six
 * codes)" it walks that index and sorts every match by id, which for a
 * viewport over the whole country is a sort of the whole table to return 100
 * rows. So the plan is chosen here, with SQLite's unary "+" (which keeps a
 * term from using an index) steering it:
 *
 * 1. A window of the newest ids is scanned by rowid, newest first, stopping
 *    at `limit` matches. A filter that matches a fair share of recent
 *    reports, as map viewports and the public list do, ends here.
 * 2. If that found some matches but not enough, the rate it saw sizes a
 *    second window, as long as that stays under LIST_WINDOW_MAX rows.
 * 3. What is still missing comes from the older ids through the one index
 *    that an estimate says is most selective (see choose_driver), or by
 *    rowid when none looks selective.
 *
 * All steps read one snapshot, inside one read transaction.
 */
#define LIST_WINDOW_PER_ROW 4 /* rows the first window holds per row asked for */
#define LIST_WINDOW_MIN 256
#define LIST_WINDOW_MAX 32768
#define STATUS_CODE_COUNT 7  /* the statuses the schema allows */
#define DRIVER_MAX_SHARE 0.5 /* an index expected to match more than this is no use */

/* What drives a step: a window of rowids, or one index over older ids. */
enum list_driver {
    DRIVE_WINDOW, /* ids in [lo, hi), by rowid; no index */
    DRIVE_ROWID,  /* ids below hi, by rowid */
    DRIVE_BBOX,   /* the grid-cell index (migration 3) */
    DRIVE_TIME,   /* the received_at index */
    DRIVE_CATEGORY,
    DRIVE_STATUS,
};

/*
 * The grid cells a bbox covers (TZ_STORE_CELL_SQL), as ranges of cell
 * numbers: one per row of cells, two where the box crosses 180°. A box of
 * more rows than CELL_RANGES_MAX gets one range from its first cell to its
 * last instead, which also holds cells outside the box: lat and lon are
 * checked row by row anyway, so that costs reading, not correctness.
 */
#define CELL_RANGES_MAX 32
#define CELL_COL_MAX (360 * TZ_STORE_CELLS_PER_DEGREE) /* the column of lon 180 */
/*
 * A point on the box's edge must fall in a cell of the box, so the edges'
 * cells must be worked out here exactly as SQLite works out a point's:
 * (lat + 90) * 50, an addition then a multiplication, each rounded once to a
 * double. That order leaves a compiler nothing to fuse (a fused multiply-add
 * multiplies first) and C does not reassociate, so the results are the same
 * bits as long as doubles are evaluated as doubles, which the assert checks.
 */
_Static_assert(FLT_EVAL_METHOD == 0, "cell numbers need doubles evaluated in double precision");

struct cell_ranges {
    size_t count;
    int64_t lo[CELL_RANGES_MAX], hi[CELL_RANGES_MAX];
};

static int64_t cell_row(double lat)
{
    lat = lat < -90 ? -90 : lat > 90 ? 90 : lat;
    return (int64_t)((lat + 90.0) * TZ_STORE_CELLS_PER_DEGREE);
}

static int64_t cell_col(double lon)
{
    lon = lon < -180 ? -180 : lon > 180 ? 180 : lon;
    return (int64_t)((lon + 180.0) * TZ_STORE_CELLS_PER_DEGREE);
}

static void add_range(struct cell_ranges *r, int64_t lo, int64_t hi)
{
    r->lo[r->count] = lo;
    r->hi[r->count] = hi;
    r->count++;
}

static void bbox_cells(const struct tz_report_filter *f, struct cell_ranges *out)
{
    const int64_t stride = TZ_STORE_CELL_ROW_STRIDE;
    int64_t r0 = cell_row(f->south), r1 = cell_row(f->north);
    int64_t cw = cell_col(f->west), ce = cell_col(f->east);
    /* Crossing 180°: columns from cw to the last one, and from the first one to ce. */
    bool crosses = f->west > f->east;
    if (crosses && cw <= ce + 1) {
        cw = 0; /* the two parts meet: every column */
        ce = CELL_COL_MAX;
        crosses = false;
    }
    size_t per_row = crosses ? 2 : 1;
    out->count = 0;
    if ((uint64_t)(r1 - r0 + 1) * per_row > CELL_RANGES_MAX) {
        add_range(out, r0 * stride + (crosses ? 0 : cw),
                  r1 * stride + (crosses ? CELL_COL_MAX : ce));
        return;
    }
    for (int64_t r = r0; r <= r1; r++) {
        if (crosses) {
            add_range(out, r * stride, r * stride + ce);
            add_range(out, r * stride + cw, r * stride + CELL_COL_MAX);
        } else {
            add_range(out, r * stride + cw, r * stride + ce);
        }
    }
}

/* Appends " AND col" or, when the term must not use an index, " AND +col". */
static tz_err put_term(struct tz_buf *sql, const char *col, bool indexed, const char *rest)
{
    return tz_buf_printf(sql, " AND %s%s%s", indexed ? "" : "+", col, rest);
}

static tz_err put_in_list(struct tz_buf *sql, const char *col, bool indexed, size_t count)
{
    tz_err err = put_term(sql, col, indexed, " IN (?");
    for (size_t i = 1; i < count && !err; i++)
        err = tz_buf_puts(sql, ", ?");
    return err ? err : tz_buf_puts(sql, ")");
}

/* Appends the cell term of a bbox step: one cell, or ranges of them. */
static tz_err put_cells(struct tz_buf *sql, const struct cell_ranges *cells)
{
    if (cells->count == 1 && cells->lo[0] == cells->hi[0])
        return tz_buf_puts(sql, " AND " TZ_STORE_CELL_SQL " = ?");
    tz_err err = tz_buf_puts(sql, " AND (");
    for (size_t i = 0; i < cells->count && !err; i++)
        err = tz_buf_puts(sql, i ? " OR " TZ_STORE_CELL_SQL " BETWEEN ? AND ?"
                                 : TZ_STORE_CELL_SQL " BETWEEN ? AND ?");
    return err ? err : tz_buf_puts(sql, ")");
}

/*
 * Builds the SQL of one step: only fixed text and '?' placeholders, in the
 * order bind_list() binds the values. cells is set for a DRIVE_BBOX step.
 */
static tz_err build_list_sql(const struct tz_report_filter *f, enum list_driver d,
                             const struct cell_ranges *cells, struct tz_buf *sql)
{
    tz_err err = tz_buf_puts(sql, "SELECT " REPORT_COLS " FROM reports WHERE ");
    /*
     * Bound to a parameter, "id < ?" looks to SQLite like a better start than
     * any other range, so it may use an index only where the rowid drives or
     * where an equality on (category, id), (status, id) or (cell, id) can
     * take it along: then the index gives the rows newest first, no sort.
     */
    bool one_cell = d == DRIVE_BBOX && cells->count == 1 && cells->lo[0] == cells->hi[0];
    bool id_indexed = d == DRIVE_WINDOW || d == DRIVE_ROWID || one_cell ||
                      (d == DRIVE_CATEGORY && f->category_count == 1) ||
                      (d == DRIVE_STATUS && f->status_count == 1);
    if (!err)
        err = tz_buf_puts(sql, id_indexed ? "id < ?" : "+id < ?");
    if (!err && d == DRIVE_WINDOW)
        err = tz_buf_puts(sql, " AND id >= ?");
    if (!err && f->has_bbox) {
        /*
         * Never a range on an index: lat and lon lead none. The cell index
         * carries them, and SQLite checks them on its entries.
         */
        if (!(err = put_term(sql, "lat", false, " >= ?")))
            err = put_term(sql, "lat", false, " <= ?");
        /* A box whose west edge lies east of its east edge crosses the antimeridian. */
        if (!err && f->west <= f->east) {
            if (!(err = put_term(sql, "lon", false, " >= ?")))
                err = put_term(sql, "lon", false, " <= ?");
        } else if (!err) {
            err = tz_buf_puts(sql, " AND (+lon >= ? OR +lon <= ?)");
        }
        if (!err && d == DRIVE_BBOX)
            err = put_cells(sql, cells);
    }
    if (!err && f->category_count)
        err = put_in_list(sql, "category", d == DRIVE_CATEGORY, f->category_count);
    if (!err && f->status_count)
        err = put_in_list(sql, "status", d == DRIVE_STATUS, f->status_count);
    if (!err && f->from)
        err = put_term(sql, "received_at", d == DRIVE_TIME, " >= ?");
    if (!err && f->to)
        err = put_term(sql, "received_at", d == DRIVE_TIME, " < ?");
    if (!err)
        err = tz_buf_puts(sql, " ORDER BY id DESC LIMIT ?");
    return err;
}

/* Binds one step's values: ids in [lo, hi) (lo only for a window), the filter, the limit. */
static int bind_list(sqlite3_stmt *st, const struct tz_report_filter *f, enum list_driver d,
                     const struct cell_ranges *cells, int64_t hi, int64_t lo, size_t limit)
{
    struct binder b = binder_of(st);
    bind_int64(&b, hi);
    if (d == DRIVE_WINDOW)
        bind_int64(&b, lo);
    if (f->has_bbox) {
        bind_double(&b, f->south);
        bind_double(&b, f->north);
        bind_double(&b, f->west);
        bind_double(&b, f->east);
        if (d == DRIVE_BBOX && cells->count == 1 && cells->lo[0] == cells->hi[0]) {
            bind_int64(&b, cells->lo[0]);
        } else if (d == DRIVE_BBOX) {
            for (size_t i = 0; i < cells->count; i++) {
                bind_int64(&b, cells->lo[i]);
                bind_int64(&b, cells->hi[i]);
            }
        }
    }
    for (size_t i = 0; i < f->category_count; i++)
        bind_text(&b, f->categories[i]);
    for (size_t i = 0; i < f->status_count; i++)
        bind_text(&b, f->statuses[i]);
    if (f->from)
        bind_int64(&b, f->from);
    if (f->to)
        bind_int64(&b, f->to);
    bind_int64(&b, (int64_t)limit);
    return b.rc;
}

/* Runs one step and appends its rows to *recs (n of them, room for cap). */
static tz_err list_step(struct conn *c, const struct tz_report_filter *f, enum list_driver d,
                        int64_t hi, int64_t lo, size_t limit, struct tz_report_rec **recs,
                        size_t *n, size_t *cap)
{
    struct tz_buf sql;
    tz_buf_init(&sql, LIST_SQL_MAX);
    sqlite3_stmt *st = NULL;
    struct cell_ranges cells = {.count = 0};
    if (d == DRIVE_BBOX)
        bbox_cells(f, &cells);
    tz_err err = build_list_sql(f, d, &cells, &sql);
    if (err)
        goto done;
    int rc = sqlite3_prepare_v2(c->db, sql.data, (int)sql.len, &st, NULL);
    if ((err = map_rc(rc)) || (err = map_rc(bind_list(st, f, d, &cells, hi, lo, limit))))
        goto done;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((err = tz_store_grow((void **)recs, cap, *n, sizeof **recs)) ||
            (err = read_report(st, &(*recs)[*n])))
            goto done;
        (*n)++;
    }
    err = map_rc(rc);
done:
    sqlite3_finalize(st);
    tz_buf_free(&sql);
    return err;
}

/* Runs a cached statement that returns one number (NULL reads as 0). */
static tz_err query_number(struct conn *c, enum stmt_id id, double *out)
{
    sqlite3_stmt *st;
    tz_err err = stmt_get(c, id, &st);
    if (err)
        return err;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_double(st, 0);
    else
        err = map_rc(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
    stmt_done(st);
    return err;
}

/* The share of [lo, hi] that [from, to] covers, from 0 to 1. */
static double range_share(double from, double to, double lo, double hi)
{
    if (from < lo)
        from = lo;
    if (to > hi)
        to = hi;
    if (!(hi > lo))
        return 1;
    return to <= from ? 0 : (to - from) / (hi - lo);
}

/*
 * Picks the index for step 3: the one expected to match the smallest share
 * of the reports. The estimates are rough but cheap: a bbox's latitude span
 * against the span of all reports (the rows of the first and last cells in
 * the cell index, which is ordered by row), a time range against the span of
 * all receipt times (both spans read at the ends of their indexes), and a
 * list of codes as its share of all codes.
 */
static tz_err choose_driver(struct conn *c, const struct tz_report_filter *f, enum list_driver *out)
{
    double best = DRIVER_MAX_SHARE, lo, hi;
    tz_err err = TZ_OK;
    *out = DRIVE_ROWID;
    if (f->has_bbox && !(err = query_number(c, ST_CELL_MIN, &lo)) &&
        !(err = query_number(c, ST_CELL_MAX, &hi))) {
        double south = (double)((int64_t)lo / TZ_STORE_CELL_ROW_STRIDE);
        double north = (double)((int64_t)hi / TZ_STORE_CELL_ROW_STRIDE + 1);
        south = south / TZ_STORE_CELLS_PER_DEGREE - 90;
        north = north / TZ_STORE_CELLS_PER_DEGREE - 90;
        double share = range_share(f->south, f->north, south, north);
        if (share <= best) {
            best = share;
            *out = DRIVE_BBOX;
        }
    }
    if (!err && (f->from || f->to) && !(err = query_number(c, ST_RECEIVED_MIN, &lo)) &&
        !(err = query_number(c, ST_RECEIVED_MAX, &hi))) {
        double share =
            range_share(f->from ? (double)f->from : lo, f->to ? (double)f->to : hi, lo, hi);
        if (share <= best) {
            best = share;
            *out = DRIVE_TIME;
        }
    }
    double categories = 0;
    if (!err && f->category_count && !(err = query_number(c, ST_CATEGORY_COUNT, &categories)) &&
        categories > 0) {
        double share = (double)f->category_count / categories;
        if (share <= best) {
            best = share;
            *out = DRIVE_CATEGORY;
        }
    }
    if (!err && f->status_count) {
        double share = (double)f->status_count / STATUS_CODE_COUNT;
        if (share <= best)
            *out = DRIVE_STATUS;
    }
    return err;
}

static tz_err sq_list_reports(struct tz_store *store, const struct tz_report_filter *filter,
                              size_t limit, struct tz_report_rec **out, size_t *count)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c = reader_acquire(s);
    struct tz_report_rec *recs = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st;
    double max_id = 0;
    tz_err err = stmt_get(c, ST_BEGIN_READ, &st);
    if (err || (err = stmt_run(st)))
        goto done;
    if ((err = query_number(c, ST_MAX_REPORT_ID, &max_id)))
        goto done;

    /* Ids run from 1 up without gaps worth counting (reports are never deleted). */
    int64_t hi = (int64_t)max_id + 1;
    if (filter->before_id && filter->before_id < hi)
        hi = filter->before_id;
    int64_t window = (int64_t)(limit * LIST_WINDOW_PER_ROW);
    window = window < LIST_WINDOW_MIN ? LIST_WINDOW_MIN : window;
    int64_t lo = hi - window > 1 ? hi - window : 1;
    if (hi > 1)
        err = list_step(c, filter, DRIVE_WINDOW, hi, lo, limit, &recs, &n, &cap);
    if (!err && n > 0 && n < limit && lo > 1) {
        /* Twice the rows that the match rate seen so far says the rest needs. */
        int64_t more = (int64_t)(limit - n) * (hi - lo) / (int64_t)n * 2;
        if (more <= LIST_WINDOW_MAX) {
            int64_t lo2 = lo - more > 1 ? lo - more : 1;
            err = list_step(c, filter, DRIVE_WINDOW, lo, lo2, limit - n, &recs, &n, &cap);
            lo = lo2;
        }
    }
    if (!err && n < limit && lo > 1) {
        enum list_driver d;
        if (!(err = choose_driver(c, filter, &d)))
            err = list_step(c, filter, d, lo, 0, limit - n, &recs, &n, &cap);
    }
    if (!err && !(err = stmt_get(c, ST_COMMIT, &st)))
        err = stmt_run(st);
done:
    tx_rollback(c); /* ends the read transaction if an error left it open */
    reader_release(s, c);
    if (err) {
        tz_report_recs_free(recs, n);
        return err;
    }
    *out = recs;
    *count = n;
    return TZ_OK;
}

static tz_err sq_count_reports(struct tz_store *store, int64_t *count)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c = reader_acquire(s);
    sqlite3_stmt *st = NULL;
    tz_err err = stmt_get(c, ST_COUNT_REPORTS, &st);
    if (!err) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *count = sqlite3_column_int64(st, 0);
        else
            err = map_rc(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
    }
    stmt_done(st);
    reader_release(s, c);
    return err;
}

/* Inside the writer's transaction: TZ_OK if the report exists, TZ_ENOTFOUND if not. */
static tz_err report_exists(struct conn *c, int64_t id)
{
    sqlite3_stmt *st;
    tz_err err = stmt_get(c, ST_REPORT_EXISTS, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    err = rc == SQLITE_ROW ? TZ_OK : rc == SQLITE_DONE ? TZ_ENOTFOUND : map_rc(rc);
    stmt_done(st);
    return err;
}

static tz_err sq_change_status(struct tz_store *store, const struct tz_status_change *ch)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = write_begin(s, &c);
    if (err)
        return err;

    if ((err = stmt_get(c, ST_CHANGE_STATUS, &st)))
        goto done;
    struct binder b = binder_of(st);
    bind_text(&b, ch->new_status);
    bind_int64(&b, ch->at);
    bind_time(&b, ch->taken_up_at);
    bind_time(&b, ch->verify_due);
    bind_time(&b, ch->verified_at);
    bind_int64(&b, ch->report_id);
    bind_text(&b, ch->expected_status);
    if ((err = map_rc(b.rc)) || (err = stmt_run(st)))
        goto done;
    if (sqlite3_changes(c->db) == 0) {
        /* Nothing matched: either there is no such report or it is in another status. */
        err = report_exists(c, ch->report_id);
        if (!err)
            err = TZ_ECONFLICT;
        goto done;
    }

    if ((err = stmt_get(c, ST_INSERT_TRANSITION, &st)))
        goto done;
    b = binder_of(st);
    bind_int64(&b, ch->report_id);
    bind_text(&b, ch->expected_status);
    bind_text(&b, ch->new_status);
    bind_int64(&b, ch->at);
    bind_text(&b, ch->actor);
    bind_text(&b, ch->note);
    bind_text(&b, ch->referred_to);
    if ((err = map_rc(b.rc)) || (err = stmt_run(st)))
        goto done;
    if (ch->audit && (err = tz_sq_audit_append(c->db, ch->audit, NULL)))
        goto done;
done:
    return write_end(s, st, err);
}

static tz_err sq_set_public_description(struct tz_store *store, int64_t report_id, const char *text)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = write_begin(s, &c);
    if (err)
        return err;
    if ((err = stmt_get(c, ST_SET_PUBLIC, &st)))
        goto done;
    struct binder b = binder_of(st);
    bind_text(&b, text);
    bind_int64(&b, report_id);
    if ((err = map_rc(b.rc)) || (err = stmt_run(st)))
        goto done;
    if (sqlite3_changes(c->db) == 0) {
        err = TZ_ENOTFOUND;
        goto done;
    }
done:
    return write_end(s, st, err);
}

static tz_err read_transition(sqlite3_stmt *st, void *elem)
{
    struct tz_transition_rec *r = elem;
    r->report_id = sqlite3_column_int64(st, 0);
    r->at = sqlite3_column_int64(st, 3);
    r->seq = sqlite3_column_int64(st, 7);
    tz_err err;
    if ((err = tz_sq_col_code(st, 1, r->from, sizeof r->from)) ||
        (err = tz_sq_col_code(st, 2, r->to, sizeof r->to)) ||
        (err = tz_sq_col_strdup(st, 4, &r->actor)) || (err = tz_sq_col_strdup(st, 5, &r->note)) ||
        (err = tz_sq_col_strdup(st, 6, &r->referred_to)))
        return err;
    return TZ_OK;
}

static void free_transitions(void *recs, size_t count)
{
    tz_transition_recs_free(recs, count);
}

static tz_err sq_history(struct tz_store *store, int64_t report_id, struct tz_transition_rec **out,
                         size_t *count)
{
    /* Report ids start at 1, so 0 (read_all's "no parameter") never names one. */
    return read_all(store, ST_HISTORY, report_id, sizeof **out, read_transition, free_transitions,
                    (void **)out, count);
}

/* Runs `which` on a pooled reader with (after, limit) bound: the change feed's reads. */
static tz_err read_after(struct tz_store *store, enum stmt_id which, int64_t after, size_t limit,
                         size_t elem_size, row_reader read, rows_free release, void **out,
                         size_t *count)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c = reader_acquire(s);
    sqlite3_stmt *st = NULL;
    tz_err err = stmt_get(c, which, &st);
    if (!err) {
        struct binder b = binder_of(st);
        bind_int64(&b, after);
        bind_int64(&b, (int64_t)limit);
        err = map_rc(b.rc);
    }
    if (!err)
        err = read_rows(st, elem_size, read, release, out, count);
    stmt_done(st);
    reader_release(s, c);
    return err;
}

static tz_err read_report_row(sqlite3_stmt *st, void *elem)
{
    return read_report(st, elem);
}

static void free_reports(void *recs, size_t count)
{
    tz_report_recs_free(recs, count);
}

static tz_err sq_reports_after(struct tz_store *store, int64_t after_id, size_t limit,
                               struct tz_report_rec **out, size_t *count)
{
    return read_after(store, ST_REPORTS_AFTER, after_id, limit, sizeof **out, read_report_row,
                      free_reports, (void **)out, count);
}

static tz_err sq_transitions_after(struct tz_store *store, int64_t after_seq, size_t limit,
                                   struct tz_transition_rec **out, size_t *count)
{
    return read_after(store, ST_TRANSITIONS_AFTER, after_seq, limit, sizeof **out, read_transition,
                      free_transitions, (void **)out, count);
}

static tz_err sq_last_transition_seq(struct tz_store *store, int64_t *seq)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c = reader_acquire(s);
    sqlite3_stmt *st = NULL;
    tz_err err = stmt_get(c, ST_LAST_TRANSITION, &st);
    if (!err) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *seq = sqlite3_column_int64(st, 0);
        else
            err = map_rc(rc);
    }
    stmt_done(st);
    reader_release(s, c);
    return err;
}

static tz_err sq_add_me_too(struct tz_store *store, int64_t report_id,
                            const uint8_t reporter_hash[TZ_HASH_LEN], int64_t at, int *me_too)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = write_begin(s, &c);
    if (err)
        return err;
    if ((err = report_exists(c, report_id)) || (err = stmt_get(c, ST_INSERT_ME_TOO, &st)))
        goto done;
    struct binder b = binder_of(st);
    bind_int64(&b, report_id);
    bind_blob(&b, reporter_hash, TZ_HASH_LEN);
    bind_int64(&b, at);
    if ((err = map_rc(b.rc)))
        goto done;
    int rc = sqlite3_step(st);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        err = TZ_ECONFLICT; /* this reporter said so already */
        goto done;
    }
    if (rc != SQLITE_DONE && (err = map_rc(rc)))
        goto done;
    stmt_done(st);
    if ((err = stmt_get(c, ST_COUNT_ME_TOO, &st)))
        goto done;
    sqlite3_bind_int64(st, 1, report_id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        err = rc == SQLITE_DONE ? TZ_ENOTFOUND : map_rc(rc);
        goto done;
    }
    *me_too = sqlite3_column_int(st, 0);
done:
    err = write_end(s, st, err);
    if (err)
        *me_too = 0;
    return err;
}

/* ---- API keys (migration 6) ----------------------------------------------------------------- */

static tz_err sq_put_api_key(struct tz_store *store, const char *name,
                             const uint8_t hash[TZ_HASH_LEN], int64_t now, int64_t *id)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = write_begin(s, &c);
    if (err)
        return err;
    if ((err = stmt_get(c, ST_PUT_API_KEY, &st)))
        goto done;
    struct binder b = binder_of(st);
    bind_text(&b, name);
    bind_blob(&b, hash, TZ_HASH_LEN);
    bind_int64(&b, now);
    if ((err = map_rc(b.rc)) || (err = stmt_run(st)))
        goto done;
    *id = sqlite3_last_insert_rowid(c->db);
done:
    err = write_end(s, st, err);
    if (err)
        *id = 0;
    return err;
}

static tz_err sq_revoke_api_key(struct tz_store *store, int64_t id, int64_t now)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = write_begin(s, &c);
    if (err)
        return err;
    if ((err = stmt_get(c, ST_REVOKE_API_KEY, &st)))
        goto done;
    struct binder b = binder_of(st);
    bind_int64(&b, now);
    bind_int64(&b, id);
    if ((err = map_rc(b.rc)) || (err = stmt_run(st)))
        goto done;
    if (sqlite3_changes(c->db) == 0) {
        /* Either no such key or revoked already. */
        if ((err = stmt_get(c, ST_API_KEY_STATE, &st)))
            goto done;
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        err = rc == SQLITE_ROW ? TZ_ECONFLICT : rc == SQLITE_DONE ? TZ_ENOTFOUND : map_rc(rc);
        goto done;
    }
done:
    return write_end(s, st, err);
}

static tz_err read_api_key(sqlite3_stmt *st, void *elem)
{
    struct tz_api_key_rec *k = elem;
    k->id = sqlite3_column_int64(st, 0);
    k->created_at = sqlite3_column_int64(st, 2);
    k->revoked_at = sqlite3_column_int64(st, 3); /* NULL reads as 0 */
    return tz_sq_col_code(st, 1, k->name, sizeof k->name);
}

static void free_api_keys(void *recs, size_t count)
{
    free(recs);
}

static tz_err sq_api_keys(struct tz_store *store, struct tz_api_key_rec **out, size_t *count)
{
    return read_all(store, ST_API_KEYS, 0, sizeof **out, read_api_key, free_api_keys, (void **)out,
                    count);
}

static tz_err sq_find_api_key(struct tz_store *store, const uint8_t hash[TZ_HASH_LEN], int64_t *id)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c = reader_acquire(s);
    sqlite3_stmt *st = NULL;
    tz_err err = stmt_get(c, ST_FIND_API_KEY, &st);
    if (!err) {
        struct binder b = binder_of(st);
        bind_blob(&b, hash, TZ_HASH_LEN);
        int rc = b.rc != SQLITE_OK ? b.rc : sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *id = sqlite3_column_int64(st, 0);
        else
            err = rc == SQLITE_DONE ? TZ_ENOTFOUND : map_rc(rc);
    }
    stmt_done(st);
    reader_release(s, c);
    return err;
}

/* ---- analysis (migration 7) ---------------------------------------------------------------- */

static tz_err sq_merge_report(struct tz_store *store, int64_t duplicate, int64_t original,
                              int64_t at, const char *actor, const char *note,
                              const struct tz_audit_rec *audit)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = write_begin(s, &c);
    if (err)
        return err;
    if ((err = stmt_get(c, ST_MERGE_CHECK, &st)))
        goto done;
    struct binder b = binder_of(st);
    bind_int64(&b, duplicate);
    bind_int64(&b, original);
    if ((err = map_rc(b.rc)))
        goto done;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        err = map_rc(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
        goto done;
    }
    int64_t found = sqlite3_column_int64(st, 0), links = sqlite3_column_int64(st, 1);
    stmt_done(st);
    if (found != 2) {
        err = TZ_ENOTFOUND;
        goto done;
    }
    if (links != 0) {
        err = TZ_ECONFLICT;
        goto done;
    }
    if ((err = stmt_get(c, ST_MERGE_INSERT, &st)))
        goto done;
    b = binder_of(st);
    bind_int64(&b, duplicate);
    bind_int64(&b, original);
    bind_int64(&b, at);
    bind_text(&b, actor);
    bind_text(&b, note);
    if ((err = map_rc(b.rc)) || (err = stmt_run(st)))
        goto done;
    if (audit && (err = tz_sq_audit_append(c->db, audit, NULL)))
        goto done;
done:
    return write_end(s, st, err);
}

static tz_err read_merge(sqlite3_stmt *st, void *elem)
{
    struct tz_merge_rec *r = elem;
    r->report_id = sqlite3_column_int64(st, 0);
    r->original_id = sqlite3_column_int64(st, 1);
    r->at = sqlite3_column_int64(st, 2);
    tz_err err = tz_sq_col_strdup(st, 3, &r->actor);
    return err ? err : tz_sq_col_strdup(st, 4, &r->note);
}

static void free_merges(void *recs, size_t count)
{
    tz_merge_recs_free(recs, count);
}

static tz_err sq_report_merges(struct tz_store *store, int64_t id, struct tz_merge_rec **out,
                               size_t *count)
{
    return read_all(store, ST_MERGES, id, sizeof **out, read_merge, free_merges, (void **)out,
                    count);
}

static const char *col_text(sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return t ? t : "";
}

static tz_err sq_scan_reports(struct tz_store *store, const struct tz_scan_filter *f,
                              tz_err (*fn)(void *ctx, const struct tz_report_row *row), void *ctx)
{
    struct sqlite_store *s = from_store(store);
    struct conn *c = reader_acquire(s);
    sqlite3_stmt *st = NULL;
    tz_err err = stmt_get(c, ST_SCAN, &st);
    if (err)
        goto done;
    struct binder b = binder_of(st);
    bind_text(&b, f->district_id);
    bind_int64(&b, f->from ? f->from : INT64_MIN);
    bind_int64(&b, f->to ? f->to : INT64_MAX);
    if ((err = map_rc(b.rc)))
        goto done;
    int rc = SQLITE_DONE;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct tz_report_row row = {
            .id = sqlite3_column_int64(st, 0),
            .category = col_text(st, 1),
            .lat = sqlite3_column_double(st, 2),
            .lon = sqlite3_column_double(st, 3),
            .district_id = col_text(st, 4),
            .unit = col_text(st, 5),
            .status = col_text(st, 6),
            .received_at = sqlite3_column_int64(st, 7),
            .status_changed_at = sqlite3_column_int64(st, 8),
            .takeup_due = sqlite3_column_int64(st, 9),
            .taken_up_at = sqlite3_column_int64(st, 10),
            .verify_due = sqlite3_column_int64(st, 11),
            .verified_at = sqlite3_column_int64(st, 12),
            .me_too = sqlite3_column_int(st, 13),
            .merged_into = sqlite3_column_int64(st, 14),
        };
        err = fn(ctx, &row);
    }
    if (!err && rc != SQLITE_DONE)
        err = map_rc(rc);
done:
    stmt_done(st);
    reader_release(s, c);
    return err;
}

/* ---- for the backend's other files (sqlite_internal.h) ------------------------------------ */

sqlite3 *tz_sq_write_begin(struct tz_store *store, tz_err *err)
{
    struct conn *c;
    *err = write_begin(from_store(store), &c);
    return *err ? NULL : c->db;
}

tz_err tz_sq_write_end(struct tz_store *store, tz_err err)
{
    return write_end(from_store(store), NULL, err);
}

sqlite3 *tz_sq_read_begin(struct tz_store *store)
{
    return reader_acquire(from_store(store))->db;
}

void tz_sq_read_end(struct tz_store *store, sqlite3 *db)
{
    struct sqlite_store *s = from_store(store);
    for (size_t i = 0; i < READERS; i++) {
        if (s->readers[i].db == db)
            reader_release(s, &s->readers[i]);
    }
}

const char tz_sq_report_cols[] = REPORT_COLS;

tz_err tz_sq_map_rc(int rc)
{
    return map_rc(rc);
}

tz_err tz_sq_read_report(sqlite3_stmt *st, struct tz_report_rec *out)
{
    return read_report(st, out);
}

static const struct tz_store_ops sqlite_ops = {
    .close = sq_close,
    .schema_version = sq_schema_version,
    .stats = sq_stats,
    .categories = sq_categories,
    .groups = sq_groups,
    .put_districts = sq_put_districts,
    .districts = sq_districts,
    .insert_reports = sq_insert_reports,
    .get_report = sq_get_report,
    .list_reports = sq_list_reports,
    .count_reports = sq_count_reports,
    .change_status = sq_change_status,
    .set_public_description = sq_set_public_description,
    .history = sq_history,
    .reports_after = sq_reports_after,
    .transitions_after = sq_transitions_after,
    .last_transition_seq = sq_last_transition_seq,
    .add_me_too = sq_add_me_too,
    .put_api_key = sq_put_api_key,
    .revoke_api_key = sq_revoke_api_key,
    .api_keys = sq_api_keys,
    .find_api_key = sq_find_api_key,
    .merge_report = sq_merge_report,
    .report_merges = sq_report_merges,
    .scan_reports = sq_scan_reports,
    TZ_SQ_AUTH_OPS /* sqlite_auth.c */
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
    tz_err err = conn_open(&s->writer, path, false);
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
