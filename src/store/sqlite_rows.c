/*
 * sqlite_rows.c - what the SQLite backend's aggregate files share: the
 * per-connection statement cache, reading columns and rows into records, and
 * the helpers of the statements prepared per call (sqlite_internal.h says
 * what each does).
 *
 * The statement cache is keyed by the address of the SQL text: every cached
 * statement is a static const char array of the file that runs it, so an
 * aggregate keeps its SQL beside its code and adding a statement touches no
 * list elsewhere. A connection holds at most TZ_SQ_STMTS_MAX of them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

/* ---- the statement cache ------------------------------------------------------------------ */

tz_err tz_sq_stmt(struct tz_sq_conn *c, const char *sql, sqlite3_stmt **out)
{
    /* Open addressing over the text's address; the arrays are at least 8-byte apart. */
    size_t h = (size_t)(((uintptr_t)sql >> 3) * 0x9E3779B97F4A7C15u);
    for (size_t k = 0; k < TZ_SQ_STMTS_MAX; k++) {
        size_t i = (h + k) % TZ_SQ_STMTS_MAX;
        if (c->sql[i] == sql) {
            *out = c->stmts[i];
            return TZ_OK;
        }
        if (!c->sql[i]) {
            int rc =
                sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->stmts[i], NULL);
            if (rc != SQLITE_OK) {
                c->stmts[i] = NULL;
                *out = NULL;
                return tz_sq_map_rc(rc);
            }
            c->sql[i] = sql;
            *out = c->stmts[i];
            return TZ_OK;
        }
    }
    *out = NULL;
    return TZ_ETOOBIG; /* more statements than the cache holds: raise TZ_SQ_STMTS_MAX */
}

/* Runs the cached statement sql that returns one number (NULL reads as 0) into *out. */
tz_err tz_sq_query_number(struct tz_sq_conn *c, const char *sql, double *out)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_stmt(c, sql, &st);
    if (err)
        return err;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_double(st, 0);
    else
        err = tz_sq_map_rc(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
    tz_sq_stmt_done(st);
    return err;
}

/* Makes a cached statement ready for its next use. Safe with NULL. */
void tz_sq_stmt_done(sqlite3_stmt *st)
{
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

/* Runs a statement that returns no rows and resets it. */
tz_err tz_sq_stmt_run(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    tz_sq_stmt_done(st);
    return rc == SQLITE_DONE ? TZ_OK : tz_sq_map_rc(rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
}

/* ---- reading columns and rows --------------------------------------------------------------- */

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

void tz_sq_col_hash(sqlite3_stmt *st, int col, uint8_t dst[TZ_HASH_LEN])
{
    memset(dst, 0, TZ_HASH_LEN);
    const void *p = sqlite3_column_blob(st, col);
    int n = sqlite3_column_bytes(st, col);
    if (p && n > 0)
        memcpy(dst, p, n < TZ_HASH_LEN ? (size_t)n : TZ_HASH_LEN);
}

/* A row of TZ_SQ_REPORT_COLS; out owns its strings afterwards (cleared on failure). */
tz_err tz_sq_read_report(sqlite3_stmt *st, struct tz_report_rec *out)
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
    tz_sq_col_hash(st, 18, out->token_hash);
    tz_sq_col_hash(st, 19, out->reporter_hash);
    return TZ_OK;
fail:
    tz_report_rec_clear(out);
    return err;
}

/*
 * Steps st (prepared and bound) to its end, one element of elem_size per row,
 * and hands the array to the caller. On failure frees what was read.
 */
tz_err tz_sq_read_rows(sqlite3_stmt *st, size_t elem_size, tz_sq_row_reader read,
                       tz_sq_rows_free release, void **out, size_t *count)
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
        err = tz_sq_map_rc(rc);
    if (err) {
        release(recs, n);
        return err;
    }
    *out = recs;
    *count = n;
    return TZ_OK;
}

/* Runs the statement `which` on a pooled reader, bound to id when id is non-zero. */
tz_err tz_sq_read_all(struct tz_store *store, const char *which, int64_t id, size_t elem_size,
                      tz_sq_row_reader read, tz_sq_rows_free release, void **out, size_t *count)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, which, &st);
    if (!err && id)
        sqlite3_bind_int64(st, 1, id);
    if (!err)
        err = tz_sq_read_rows(st, elem_size, read, release, out, count);
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

/* ---- statements prepared per call ----------------------------------------------------------- */

tz_err tz_sq_prep(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
    if (rc != SQLITE_OK) {
        *st = NULL;
        return tz_sq_map_rc(rc);
    }
    return TZ_OK;
}

void tz_sq_bind_at(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* A constraint on a UNIQUE or PRIMARY KEY column is a conflict, any other one invalid input. */
static tz_err map_write_rc(int rc)
{
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return TZ_ECONFLICT;
    return tz_sq_map_rc(rc);
}

/* Steps a statement that returns no rows and finalizes it. */
tz_err tz_sq_run_once(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TZ_OK : map_write_rc(rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
}

tz_err tz_sq_exec_id(sqlite3 *db, const char *sql, int64_t id)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, sql, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, id);
    return tz_sq_run_once(st);
}

/* A nullable text column as a new string, for the records whose strings are const. */
tz_err tz_sq_col_dup(sqlite3_stmt *st, int col, const char **out)
{
    char *p = NULL;
    tz_err err = tz_sq_col_strdup(st, col, &p);
    *out = p;
    return err;
}

void tz_sq_col_blob(sqlite3_stmt *st, int col, uint8_t *dst, size_t cap)
{
    memset(dst, 0, cap);
    const void *p = sqlite3_column_blob(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    if (p)
        memcpy(dst, p, n < cap ? n : cap);
}
