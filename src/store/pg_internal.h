/*
 * pg_internal.h - what the PostgreSQL backend's files share. Private to src/store.
 *
 * pg.c owns the handle: the pool of connections, transactions and the migrations runner
 * (pg_schema.c translates the SQLite migrations). pg_rows.c holds the helpers below: arguments
 * bound by value (text format, bytea in binary), statements prepared once per connection and
 * found again by the address of their SQL text, and reading columns of a result. Each aggregate
 * (pg_catalog.c, pg_reports.c, pg_list.c, pg_accounts.c, pg_audit.c) runs its statements
 * through them, in PostgreSQL's dialect ($1, $2 ...).
 */
#ifndef TZ_STORE_PG_INTERNAL_H
#define TZ_STORE_PG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "store/backend.h"

/* Statements one connection keeps prepared, and the most arguments one statement takes. */
#define TZ_PG_STMTS_MAX 128
#define TZ_PG_ARGS_MAX 96

/* One connection and the statements prepared on it; used by one thread at a time. */
struct tz_pg_conn {
    PGconn *pg;
    const char *sql[TZ_PG_STMTS_MAX]; /* the statement "s<i>" was prepared from sql[i] */
    size_t stmt_count;
    bool in_tx;
};

/* The arguments of one statement, left to right; numbers are kept as text in num. */
struct tz_pg_args {
    int n;
    bool overflow; /* more than TZ_PG_ARGS_MAX were added: the statement is not run */
    const char *v[TZ_PG_ARGS_MAX];
    int len[TZ_PG_ARGS_MAX];
    int fmt[TZ_PG_ARGS_MAX];
    char num[TZ_PG_ARGS_MAX][32];
};

/* ---- arguments (pg_rows.c) ---- */

/* s as text; NULL as NULL. s must outlive the statement's run. */
void tz_pg_arg_text(struct tz_pg_args *a, const char *s);
void tz_pg_arg_int(struct tz_pg_args *a, int64_t v);
/* A time where 0 means "not yet": NULL. */
void tz_pg_arg_time(struct tz_pg_args *a, int64_t t);
void tz_pg_arg_double(struct tz_pg_args *a, double v);
/* n bytes as bytea (binary format); p must outlive the statement's run. */
void tz_pg_arg_bytes(struct tz_pg_args *a, const void *p, size_t n);

/* ---- statements (pg_rows.c) ---- */

/*
 * Runs sql with args (may be NULL) on c: prepared on first use when sql is a static array (its
 * address is the key; once is false), or parsed for this run only (once is true: SQL built per
 * call). *res receives the result when res is not NULL (the caller PQclears it); *changed the
 * rows an INSERT, UPDATE or DELETE touched when changed is not NULL. Errors by SQLSTATE: a unique
 * key clash is TZ_ECONFLICT, another constraint TZ_EINVAL, a full disk TZ_ENOSPACE, a
 * serialisation failure or a lock timeout TZ_EBUSY, a lost connection TZ_EIO.
 */
tz_err tz_pg_run(struct tz_pg_conn *c, const char *sql, const struct tz_pg_args *args,
                 PGresult **res, int64_t *changed);
tz_err tz_pg_run_once(struct tz_pg_conn *c, const char *sql, const struct tz_pg_args *args,
                      PGresult **res, int64_t *changed);
/* The name of the statement prepared on c from sql (static, as for tz_pg_run), for the calls of
 * libpq that tz_pg_run does not make (pipeline mode). */
#define TZ_PG_NAME_MAX 16
tz_err tz_pg_prepare(struct tz_pg_conn *c, const char *sql, char name[TZ_PG_NAME_MAX]);
/* A result's state as a tz_err (the SQLSTATE mapping above). */
tz_err tz_pg_map_result(const PGresult *r);

/* ---- columns (pg_rows.c) ---- */

/* A number column (NULL reads as 0). */
int64_t tz_pg_int(const PGresult *r, int row, int col);
double tz_pg_double(const PGresult *r, int row, int col);
bool tz_pg_is_null(const PGresult *r, int row, int col);
/* A nullable text column as a new string (NULL for NULL); TZ_ENOMEM. */
tz_err tz_pg_strdup(const PGresult *r, int row, int col, char **out);
/* A text column into dst of cap bytes ("" for NULL); TZ_EIO when it does not fit. */
tz_err tz_pg_code(const PGresult *r, int row, int col, char *dst, size_t cap);
/* A bytea column (text format, "\x..." hex) into dst, zero-filled; its length into *n if n. */
void tz_pg_bytes(const PGresult *r, int row, int col, uint8_t *dst, size_t cap, size_t *n);
/* A bytea column as a new buffer (*out NULL and *n 0 for NULL); TZ_ENOMEM. */
tz_err tz_pg_bytes_dup(const PGresult *r, int row, int col, uint8_t **out, size_t *n);

/* The columns of a report, in the order tz_pg_read_report reads them. */
#define TZ_PG_REPORT_COLS                                                                          \
    "id, category, lat, lon, district_id, status, description, public_description,"                \
    " received_at, status_changed_at, takeup_due, taken_up_at, verify_due, verified_at,"           \
    " when_date, when_times, when_weekdays, me_too, token_hash, reporter_hash"
/* A row of TZ_PG_REPORT_COLS into out, which owns its strings afterwards (cleared on failure). */
tz_err tz_pg_read_report(const PGresult *r, int row, struct tz_report_rec *out);

/* Reads row of r into elem (zeroed); what it allocated stays in elem. */
typedef tz_err (*tz_pg_row_reader)(const PGresult *r, int row, void *elem);
typedef void (*tz_pg_rows_free)(void *recs, size_t count);
/* Every row of r, one element of elem_size each, handed to the caller; freed on failure. */
tz_err tz_pg_read_rows(const PGresult *r, size_t elem_size, tz_pg_row_reader read,
                       tz_pg_rows_free release, void **out, size_t *count);

/* ---- connections and transactions (pg.c) ---- */

/* Borrows a connection from the pool (waits for one; reconnects a broken one), and gives it
 * back. NULL with *err when none can be had. */
struct tz_pg_conn *tz_pg_acquire(struct tz_store *store, tz_err *err);
void tz_pg_release(struct tz_store *store, struct tz_pg_conn *c);

/*
 * Runs body(c, ctx) in one transaction on a pooled connection and appends audit (may be NULL)
 * in it: all or nothing; TZ_OK only once COMMIT has returned (durable as synchronous_commit
 * says: see pg.c).
 */
typedef tz_err (*tz_pg_write_fn)(struct tz_pg_conn *c, void *ctx);
tz_err tz_pg_in_write(struct tz_store *store, tz_pg_write_fn body, void *ctx,
                      const struct tz_audit_rec *audit);
/* Runs body in one read-only transaction (one snapshot for its statements). */
tz_err tz_pg_in_read(struct tz_store *store, tz_pg_write_fn body, void *ctx);
/* Runs one static statement on a pooled connection outside any explicit transaction. */
tz_err tz_pg_query(struct tz_store *store, const char *sql, const struct tz_pg_args *args,
                   PGresult **res);

/*
 * Runs the query sql with args (may be NULL) on a pooled connection and calls fn for each row as it
 * arrives (single-row mode: a scan of millions of rows never holds them all); one statement, so one
 * snapshot. A non-zero return of fn cancels the query and is returned.
 */
typedef tz_err (*tz_pg_scan_fn)(void *ctx, const PGresult *r, int row);
tz_err tz_pg_scan(struct tz_store *store, const char *sql, const struct tz_pg_args *args,
                  tz_pg_scan_fn fn, void *ctx);

/* ---- change notices (pg_watch.c) ---- */

/* The channel every write the change feed shows notifies, in its own transaction. */
#define TZ_PG_FEED_CHANNEL "tarcza_feed"
/* A thread with a listening connection of its own to uri that calls fn(ctx) on each notice (and
 * on each (re)connection), until tz_pg_watch_stop. */
struct tz_pg_watch;
tz_err tz_pg_watch_start(const char *uri, void (*fn)(void *ctx), void *ctx,
                         struct tz_pg_watch **out);
void tz_pg_watch_stop(struct tz_pg_watch *w);

/* ---- the schema (pg_schema.c) ---- */

/*
 * SQLite migration sql (one of tz_store_migration_sql) in PostgreSQL's dialect, as a list of
 * statements: *out is an array of *count strings (free with tz_pg_schema_free). What changes is
 * said in pg_schema.c.
 */
tz_err tz_pg_schema_translate(const char *sql, char ***out, size_t *count);
void tz_pg_schema_free(char **stmts, size_t count);

/* ---- the audit log (pg_audit.c) ---- */

/*
 * Inside an open transaction on c: appends rec to the audit log, chained to the last entry,
 * under a transaction-scoped advisory lock so that every instance's entries form one chain.
 * When out is not NULL it receives seq and hashes.
 */
tz_err tz_pg_audit_append_in(struct tz_pg_conn *c, const struct tz_audit_rec *rec,
                             struct tz_audit_rec *out);

/* The audit head file at path against the chain, written when it moved (tz_sq_audit_head_sync's
 * rules); *written is the seq last written. */
tz_err tz_pg_audit_head_check(struct tz_pg_conn *c, const char *path, int64_t *written);

/* ---- idempotency keys (pg_idempotency.c) ---- */

/* Inside the reports' insert on c: the keys of the reports of recs that carry one (ids set);
 * TZ_ECONFLICT when a key is taken. */
tz_err tz_pg_put_idempotency(struct tz_pg_conn *c, const struct tz_report_rec *recs, size_t count);

/* ---- the operations ---- */

/* Each operation this backend has is tz_pg_<name>, in the file of its aggregate. */
/* clang-format off */
#define TZ_PG_OPS_DONE(X)                                                                          \
    /* catalog */                                                                                  \
    X(categories) X(groups) X(put_districts) X(districts) X(institutions)                          \
    /* reports */                                                                                  \
    X(insert_reports) X(get_report) X(list_reports) X(scan_map_rows) X(count_reports)              \
    X(change_status) X(set_public_description) X(history) X(reports_after) X(transitions_after)    \
    X(transitions_between) X(last_transition_seq) X(add_me_too) X(review_description)              \
    X(assign_report) X(report_assignee) X(queue) X(compliance)                                     \
    /* photos */                                                                                   \
    X(photos_of) X(get_photo) X(review_photo)                                                      \
    /* idempotency keys */                                                                         \
    X(report_by_idempotency_key)                                                                   \
    /* accounts */                                                                                 \
    X(account_put) X(account_get) X(accounts) X(account_login) X(session_put) X(session_get)       \
    X(session_touch) X(session_end) X(district_assign)                                             \
    /* audit */                                                                                    \
    X(audit_append) X(audit_head_keep) X(audit_read)                                               \
    /* apikeys */                                                                                  \
    X(put_api_key) X(revoke_api_key) X(api_keys) X(find_api_key)                                   \
    /* addresses */                                                                                \
    X(put_addresses) X(scan_addresses)                                                             \
    /* watchlist */                                                                                \
    X(watchlist_replace) X(watchlist_persons) X(watchlist_documents) X(watchlist_vehicles)         \
    X(watchlist_version)                                                                           \
    /* analysis */                                                                                 \
    X(merge_report) X(report_merges) X(merged_duplicates) X(scan_reports)
/* clang-format on */
#define TZ_PG_DECLARE(name, params, args, pre) tz_err tz_pg_##name params;
TZ_STORE_ALL_OPS(TZ_PG_DECLARE)
#define TZ_PG_FILL(name) .name = tz_pg_##name,

#endif
