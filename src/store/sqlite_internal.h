/*
 * sqlite_internal.h - what sqlite.c shares with the SQLite backend's other
 * files (sqlite_auth.c). Private to src/store.
 */
#ifndef TZ_STORE_SQLITE_INTERNAL_H
#define TZ_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "store/backend.h"

/* Takes the writer and opens its transaction; NULL (with *err) when it cannot. */
sqlite3 *tz_sq_write_begin(struct tz_store *store, tz_err *err);
/* Commits when err is 0, else rolls back; releases the writer. Returns the outcome. */
tz_err tz_sq_write_end(struct tz_store *store, tz_err err);
/* Borrows a read-only connection from the pool, and gives it back. */
sqlite3 *tz_sq_read_begin(struct tz_store *store);
void tz_sq_read_end(struct tz_store *store, sqlite3 *db);
/* An SQLite result code as a tz_err (see sqlite.c). */
tz_err tz_sq_map_rc(int rc);
/* A nullable text column as a new string (NULL for NULL); TZ_ENOMEM. */
tz_err tz_sq_col_strdup(sqlite3_stmt *st, int col, char **out);
/* A text column into dst of cap bytes ("" for NULL); TZ_EIO when it does not fit. */
tz_err tz_sq_col_code(sqlite3_stmt *st, int col, char *dst, size_t cap);
/* The columns of a report, and the reader of a row of them into out. */
extern const char tz_sq_report_cols[];
tz_err tz_sq_read_report(sqlite3_stmt *st, struct tz_report_rec *out);

/*
 * Inside the writer's open transaction on db: appends rec to the audit log,
 * chained to the last entry. When out is not NULL it receives seq and hashes.
 */
tz_err tz_sq_audit_append(sqlite3 *db, const struct tz_audit_rec *rec, struct tz_audit_rec *out);

/* The operations of sqlite_auth.c, for the table in sqlite.c. */
tz_err tz_sq_account_put(struct tz_store *store, struct tz_account_rec *rec,
                         const struct tz_audit_rec *audit);
tz_err tz_sq_account_get(struct tz_store *store, const char *name, int64_t id,
                         struct tz_account_rec *out);
tz_err tz_sq_accounts(struct tz_store *store, struct tz_account_rec **out, size_t *count);
tz_err tz_sq_account_login(struct tz_store *store, struct tz_login_update *upd,
                           const struct tz_audit_rec *audit);
tz_err tz_sq_session_put(struct tz_store *store, const struct tz_session_rec *rec, bool is_token,
                         const char *label, const struct tz_audit_rec *audit);
tz_err tz_sq_session_get(struct tz_store *store, const uint8_t *id_hash, bool is_token,
                         struct tz_session_rec *out);
tz_err tz_sq_session_touch(struct tz_store *store, const uint8_t *id_hash, int64_t at);
tz_err tz_sq_session_end(struct tz_store *store, const uint8_t *id_hash, int64_t account_id,
                         const struct tz_audit_rec *audit);
tz_err tz_sq_audit_append_op(struct tz_store *store, struct tz_audit_rec *rec);
tz_err tz_sq_audit_read(struct tz_store *store, int64_t after_seq, size_t limit,
                        struct tz_audit_rec **out, size_t *count);
tz_err tz_sq_institutions(struct tz_store *store, struct tz_group_rec **out, size_t *count);
tz_err tz_sq_review_description(struct tz_store *store, int64_t report_id, const char *text,
                                const struct tz_audit_rec *audit);
tz_err tz_sq_assign_report(struct tz_store *store, int64_t report_id, const char *account,
                           int64_t at, const struct tz_audit_rec *audit);
tz_err tz_sq_report_assignee(struct tz_store *store, int64_t report_id, char *out);
tz_err tz_sq_queue(struct tz_store *store, const char (*districts)[TZ_ID_MAX],
                   size_t district_count, const char *account, size_t limit,
                   struct tz_report_rec **out, size_t *count);
tz_err tz_sq_compliance(struct tz_store *store, const char (*districts)[TZ_ID_MAX],
                        size_t district_count, int64_t now, struct tz_compliance_rec **out,
                        size_t *count);

#define TZ_SQ_AUTH_OPS                                                                             \
    .account_put = tz_sq_account_put, .account_get = tz_sq_account_get,                            \
    .accounts = tz_sq_accounts, .account_login = tz_sq_account_login,                              \
    .session_put = tz_sq_session_put, .session_get = tz_sq_session_get,                            \
    .session_touch = tz_sq_session_touch, .session_end = tz_sq_session_end,                        \
    .audit_append = tz_sq_audit_append_op, .audit_read = tz_sq_audit_read,                         \
    .institutions = tz_sq_institutions, .review_description = tz_sq_review_description,            \
    .assign_report = tz_sq_assign_report, .report_assignee = tz_sq_report_assignee,                \
    .queue = tz_sq_queue, .compliance = tz_sq_compliance,

#endif
