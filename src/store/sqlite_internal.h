/*
 * sqlite_internal.h - what the SQLite backend's files share. Private to
 * src/store.
 *
 * sqlite.c owns the handle: the writer connection and its lock, the pool of
 * read-only connections, transactions and migrations. sqlite_rows.c holds
 * the helpers below. Each aggregate (reports, the list, police work, the
 * catalogue, accounts and sessions, the audit log, API keys, analysis) is a
 * file of its own that runs its statements through these helpers.
 */
#ifndef TZ_STORE_SQLITE_INTERNAL_H
#define TZ_STORE_SQLITE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store/backend.h"

/* Statements one connection keeps prepared (a power of two above their number). */
#define TZ_SQ_STMTS_MAX 128

/*
 * One connection and its cached statements, keyed by the address of their
 * SQL text (see tz_sq_stmt). Used by one thread at a time: the writer under
 * its lock, a reader between acquire and release.
 */
struct tz_sq_conn {
    sqlite3 *db;
    const char *sql[TZ_SQ_STMTS_MAX];
    sqlite3_stmt *stmts[TZ_SQ_STMTS_MAX];
};

/* An SQLite result code as a tz_err (SQLITE_OK, _ROW and _DONE are TZ_OK; see sqlite.c). */
tz_err tz_sq_map_rc(int rc);

/* ---- connections and transactions (sqlite.c) ---- */

/* Takes the writer and begins its transaction; on failure the writer is released. */
tz_err tz_sq_writer_begin(struct tz_store *store, struct tz_sq_conn **c);
/*
 * Ends a write begun by tz_sq_writer_begin: resets st (may be NULL; a
 * statement in progress would keep the commit from finishing), commits when
 * err is 0 or else rolls back, releases the writer. Returns the outcome.
 */
tz_err tz_sq_writer_end(struct tz_store *store, sqlite3_stmt *st, tz_err err);
/* Borrows a read-only connection from the pool (waits for one), and gives it back. */
struct tz_sq_conn *tz_sq_reader_acquire(struct tz_store *store);
void tz_sq_reader_release(struct tz_store *store, struct tz_sq_conn *c);
/* The same by the sqlite3 handle, for statements prepared per call: NULL (with *err) on failure. */
sqlite3 *tz_sq_write_begin(struct tz_store *store, tz_err *err);
tz_err tz_sq_write_end(struct tz_store *store, tz_err err);
sqlite3 *tz_sq_read_begin(struct tz_store *store);
void tz_sq_read_end(struct tz_store *store, sqlite3 *db);
/* A read transaction on a reader (one snapshot for several statements), and its end. */
tz_err tz_sq_read_tx_begin(struct tz_sq_conn *c);
tz_err tz_sq_read_tx_commit(struct tz_sq_conn *c);
/* Rolls back the connection's open transaction, if any. */
void tz_sq_tx_rollback(struct tz_sq_conn *c);

/* ---- cached statements (sqlite_rows.c) ---- */

/*
 * The connection's statement for sql, prepared on first use. sql must be a
 * static array (its address is the key); TZ_ETOOBIG past TZ_SQ_STMTS_MAX.
 */
tz_err tz_sq_stmt(struct tz_sq_conn *c, const char *sql, sqlite3_stmt **out);
/* Makes a cached statement ready for its next use. Safe with NULL. */
void tz_sq_stmt_done(sqlite3_stmt *st);
/* Runs the cached statement sql that returns one number (NULL reads as 0) into *out. */
tz_err tz_sq_query_number(struct tz_sq_conn *c, const char *sql, double *out);
/* Runs a statement that returns no rows and resets it. */
tz_err tz_sq_stmt_run(sqlite3_stmt *st);

/*
 * Binds parameters left to right and remembers the first failure, so that a
 * run of binds needs one check. Strings and blobs are bound SQLITE_STATIC:
 * they must outlive the step.
 */
struct tz_sq_binder {
    sqlite3_stmt *st;
    int next;
    int rc;
};

static inline struct tz_sq_binder tz_sq_binder_of(sqlite3_stmt *st)
{
    return (struct tz_sq_binder){.st = st, .next = 1, .rc = SQLITE_OK};
}

static inline void tz_sq_keep_rc(struct tz_sq_binder *b, int rc)
{
    if (b->rc == SQLITE_OK && rc != SQLITE_OK)
        b->rc = rc;
}

static inline void tz_sq_bind_text(struct tz_sq_binder *b, const char *s)
{
    int i = b->next++;
    tz_sq_keep_rc(b, s ? sqlite3_bind_text(b->st, i, s, -1, SQLITE_STATIC)
                       : sqlite3_bind_null(b->st, i));
}

static inline void tz_sq_bind_int64(struct tz_sq_binder *b, int64_t v)
{
    tz_sq_keep_rc(b, sqlite3_bind_int64(b->st, b->next++, v));
}

/* A time where 0 means "not yet": stored as NULL. */
static inline void tz_sq_bind_time(struct tz_sq_binder *b, int64_t t)
{
    int i = b->next++;
    tz_sq_keep_rc(b, t ? sqlite3_bind_int64(b->st, i, t) : sqlite3_bind_null(b->st, i));
}

static inline void tz_sq_bind_double(struct tz_sq_binder *b, double v)
{
    tz_sq_keep_rc(b, sqlite3_bind_double(b->st, b->next++, v));
}

static inline void tz_sq_bind_blob(struct tz_sq_binder *b, const void *p, int n)
{
    tz_sq_keep_rc(b, sqlite3_bind_blob(b->st, b->next++, p, n, SQLITE_STATIC));
}

/* ---- columns and rows (sqlite_rows.c) ---- */

/* A nullable text column as a new string (NULL for NULL); TZ_ENOMEM. */
tz_err tz_sq_col_strdup(sqlite3_stmt *st, int col, char **out);
/* The same for the records whose strings are const. */
tz_err tz_sq_col_dup(sqlite3_stmt *st, int col, const char **out);
/* A text column into dst of cap bytes ("" for NULL); TZ_EIO when it does not fit. */
tz_err tz_sq_col_code(sqlite3_stmt *st, int col, char *dst, size_t cap);
/* A blob column into dst of TZ_HASH_LEN (or cap) bytes, zero-filled. */
void tz_sq_col_hash(sqlite3_stmt *st, int col, uint8_t dst[TZ_HASH_LEN]);
void tz_sq_col_blob(sqlite3_stmt *st, int col, uint8_t *dst, size_t cap);

/* The columns of a report, in the order tz_sq_read_report reads them. */
#define TZ_SQ_REPORT_COLS                                                                          \
    "id, category, lat, lon, district_id, status, description, public_description,"                \
    " received_at, status_changed_at, takeup_due, taken_up_at, verify_due, verified_at,"           \
    " when_date, when_times, when_weekdays, me_too, token_hash, reporter_hash"
/* A row of TZ_SQ_REPORT_COLS into out, which owns its strings afterwards (cleared on failure). */
tz_err tz_sq_read_report(sqlite3_stmt *st, struct tz_report_rec *out);

/* Reads the current row of st into elem (zeroed); what it allocated stays in elem. */
typedef tz_err (*tz_sq_row_reader)(sqlite3_stmt *st, void *elem);
/* Frees count elements and the array, as the tz_*_recs_free functions do. */
typedef void (*tz_sq_rows_free)(void *recs, size_t count);
/*
 * Steps st (prepared and bound) to its end, one element of elem_size per row,
 * and hands the array to the caller. On failure frees what was read.
 */
tz_err tz_sq_read_rows(sqlite3_stmt *st, size_t elem_size, tz_sq_row_reader read,
                       tz_sq_rows_free release, void **out, size_t *count);
/* Runs the cached statement sql on a pooled reader, bound to id when id is non-zero. */
tz_err tz_sq_read_all(struct tz_store *store, const char *sql, int64_t id, size_t elem_size,
                      tz_sq_row_reader read, tz_sq_rows_free release, void **out, size_t *count);

/* ---- statements prepared per call (sqlite_rows.c) ---- */

tz_err tz_sq_prep(sqlite3 *db, const char *sql, sqlite3_stmt **st);
/* Binds s (NULL as NULL) to parameter i. */
void tz_sq_bind_at(sqlite3_stmt *st, int i, const char *s);
/* Steps a statement that returns no rows and finalizes it; a UNIQUE or key clash is TZ_ECONFLICT.
 */
tz_err tz_sq_run_once(sqlite3_stmt *st);
/* Runs sql with id bound to its one parameter. */
tz_err tz_sq_exec_id(sqlite3 *db, const char *sql, int64_t id);
/*
 * Runs body(db, ctx) in a write transaction and appends audit (may be NULL) in it: all or
 * nothing, durable when it returns TZ_OK. Calls made at the same time share one transaction and
 * its fsync, each in a savepoint (group commit, sqlite_group.c): a body must not assume it is
 * the transaction's only work (no BEGIN, COMMIT or RELEASE of savepoints it did not make).
 */
typedef tz_err (*tz_sq_write_fn)(sqlite3 *db, void *ctx);
tz_err tz_sq_in_write(struct tz_store *store, tz_sq_write_fn body, void *ctx,
                      const struct tz_audit_rec *audit);
/* The writer's db when this thread holds store (tz_store_hold), else NULL; and the mark that a
 * write inside the hold ended its whole transaction. */
sqlite3 *tz_sq_held_db(struct tz_store *store);
void tz_sq_held_lost(tz_err err);
/* The queue of tz_sq_in_write's callers, one per store handle (sqlite_group.c). */
struct tz_sq_group;
tz_err tz_sq_group_new(struct tz_sq_group **out);
void tz_sq_group_free(struct tz_sq_group *g);
struct tz_sq_group *tz_sq_group_of(struct tz_store *store); /* sqlite.c */

/* ---- photos (sqlite_photos.c) ---- */

/* In the insert's transaction on c: the photos of count reports just given their ids. */
tz_err tz_sq_put_photos(struct tz_sq_conn *c, struct tz_report_rec *recs, size_t count);
/* ---- idempotency keys (sqlite_idempotency.c) ---- */
/* In insert_reports' transaction: the keys of the reports that have one; TZ_ECONFLICT if taken. */
tz_err tz_sq_put_idempotency(struct tz_sq_conn *c, const struct tz_report_rec *recs, size_t count);

/* ---- the audit log (sqlite_audit.c) ---- */

/*
 * Inside the writer's open transaction on db: appends rec to the audit log,
 * chained to the last entry. When out is not NULL it receives seq and hashes.
 */
tz_err tz_sq_audit_append_in(sqlite3 *db, const struct tz_audit_rec *rec, struct tz_audit_rec *out);
/*
 * Writes the chain's head to the head file at path if it moved past *written
 * (and then sets *written), checking first that the chain still holds the
 * head the file records (TZ_ECONFLICT if not: the file is left as it is).
 * db is the writer, outside a transaction (sqlite_audit.c).
 */
tz_err tz_sq_audit_head_sync(sqlite3 *db, const char *path, int64_t *written);

/* ---- the exchange's SPOC extras (sqlite_exchange_spoc.c) ---- */

/* Inside put's transaction: message id's attachments and its deviation (d may be NULL). */
tz_err tz_sq_x_put_extras(sqlite3 *db, int64_t id, const struct tz_xmsg_rec *m,
                          const struct tz_xdeviation_rec *d);
/* Inside a read's transaction: message id's attachments (without their bytes) into m. */
tz_err tz_sq_x_get_extras(sqlite3 *db, int64_t id, struct tz_xmsg_rec *m);

/* ---- the operations ---- */

/*
 * Each operation of the aggregate headers is tz_sq_<name>, in the file of its
 * aggregate; sqlite.c fills the table with them by name (TZ_SQ_FILL).
 */
#define TZ_SQ_DECLARE(name, params, args, pre) tz_err tz_sq_##name params;
TZ_STORE_ALL_OPS(TZ_SQ_DECLARE)
#define TZ_SQ_FILL(name, params, args, pre) .name = tz_sq_##name,

#endif
