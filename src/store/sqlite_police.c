/*
 * sqlite_police.c - the SQLite backend's police work on reports: the reviewed
 * description with its audit entry, assignments, an officer's queue and the
 * supervisor's deadline compliance. Statements are prepared per call (the
 * queue's SQL depends on the number of districts).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "store/sqlite_internal.h"

#define QUEUE_SQL_MAX 65536

struct review {
    int64_t id;
    const char *text;
};

static tz_err review_write(sqlite3 *db, void *ctx)
{
    const struct review *r = ctx;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, "UPDATE reports SET public_description = ? WHERE id = ?", &st);
    if (err)
        return err;
    tz_sq_bind_at(st, 1, r->text);
    sqlite3_bind_int64(st, 2, r->id);
    if ((err = tz_sq_run_once(st)))
        return err;
    return sqlite3_changes(db) ? TZ_OK : TZ_ENOTFOUND;
}

tz_err tz_sq_review_description(struct tz_store *store, int64_t report_id, const char *text,
                                const struct tz_audit_rec *audit)
{
    struct review r = {report_id, text};
    return tz_sq_in_write(store, review_write, &r, audit);
}

struct assign {
    int64_t id;
    const char *account;
    int64_t at;
};

static tz_err assign_write(sqlite3 *db, void *ctx)
{
    const struct assign *a = ctx;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, "SELECT 1 FROM reports WHERE id = ?", &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, a->id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
    if (!a->account)
        return tz_sq_exec_id(db, "DELETE FROM report_assignments WHERE report_id = ?", a->id);
    if ((err = tz_sq_prep(db,
                          "INSERT INTO report_assignments (report_id, account, at) VALUES (?, ?, ?)"
                          " ON CONFLICT (report_id) DO UPDATE SET account = excluded.account,"
                          " at = excluded.at",
                          &st)))
        return err;
    sqlite3_bind_int64(st, 1, a->id);
    tz_sq_bind_at(st, 2, a->account);
    sqlite3_bind_int64(st, 3, a->at);
    return tz_sq_run_once(st);
}

tz_err tz_sq_assign_report(struct tz_store *store, int64_t report_id, const char *account,
                           int64_t at, const struct tz_audit_rec *audit)
{
    struct assign a = {report_id, account, at};
    return tz_sq_in_write(store, assign_write, &a, audit);
}

tz_err tz_sq_report_assignee(struct tz_store *store, int64_t report_id,
                             char out[TZ_ACCOUNT_NAME_MAX])
{
    sqlite3 *db = tz_sq_read_begin(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_prep(db, "SELECT account FROM report_assignments WHERE report_id = ?", &st);
    if (!err) {
        sqlite3_bind_int64(st, 1, report_id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            err = tz_sq_col_code(st, 0, out, TZ_ACCOUNT_NAME_MAX);
        else if (rc != SQLITE_DONE)
            err = tz_sq_map_rc(rc);
    }
    sqlite3_finalize(st);
    tz_sq_read_end(store, db);
    return err;
}

/* ---- the queue and the dashboard ------------------------------------------------------------ */

static tz_err put_placeholders(struct tz_buf *sql, size_t n)
{
    tz_err err = TZ_OK;
    for (size_t i = 0; i < n && !err; i++)
        err = tz_buf_puts(sql, i ? ", ?" : "?");
    return err;
}

tz_err tz_sq_queue(struct tz_store *store, const char (*districts)[TZ_ID_MAX],
                   size_t district_count, const char *account, size_t limit,
                   struct tz_report_rec **out, size_t *count)
{
    struct tz_buf sql;
    tz_buf_init(&sql, QUEUE_SQL_MAX);
    tz_err err = tz_buf_printf(&sql,
                               "SELECT %s FROM reports r WHERE status IN ('new', 'verifying')"
                               " AND ((district_id IN (",
                               "" TZ_SQ_REPORT_COLS "");
    if (!err)
        err = district_count ? put_placeholders(&sql, district_count) : tz_buf_puts(&sql, "NULL");
    if (!err)
        err = tz_buf_puts(&sql, ") AND (? IS NULL OR NOT EXISTS (SELECT 1 FROM report_assignments a"
                                " WHERE a.report_id = r.id AND a.account <> ?)))"
                                " OR id IN (SELECT report_id FROM report_assignments"
                                " WHERE account = ?))"
                                " ORDER BY CASE status WHEN 'new' THEN takeup_due"
                                " ELSE verify_due END, id LIMIT ?");
    if (err) {
        tz_buf_free(&sql);
        return err;
    }
    sqlite3 *db = tz_sq_read_begin(store);
    sqlite3_stmt *st = NULL;
    struct tz_report_rec *recs = NULL;
    size_t n = 0, cap = 0;
    int rc = SQLITE_DONE;
    if ((err = tz_sq_prep(db, sql.data, &st)))
        goto done;
    int i = 1;
    for (size_t d = 0; d < district_count; d++)
        tz_sq_bind_at(st, i++, districts[d]);
    tz_sq_bind_at(st, i++, account);
    tz_sq_bind_at(st, i++, account);
    tz_sq_bind_at(st, i++, account);
    sqlite3_bind_int64(st, i, (int64_t)limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((err = tz_store_grow((void **)&recs, &cap, n, sizeof *recs)))
            goto done;
        if ((err = tz_sq_read_report(st, &recs[n])))
            goto done;
        n++;
    }
    if (rc != SQLITE_DONE)
        err = tz_sq_map_rc(rc);
done:
    sqlite3_finalize(st);
    tz_sq_read_end(store, db);
    tz_buf_free(&sql);
    if (err) {
        tz_report_recs_free(recs, n);
        return err;
    }
    *out = recs;
    *count = n;
    return TZ_OK;
}

tz_err tz_sq_compliance(struct tz_store *store, const char (*districts)[TZ_ID_MAX],
                        size_t district_count, int64_t now, struct tz_compliance_rec **out,
                        size_t *count)
{
    struct tz_compliance_rec *recs = calloc(district_count ? district_count : 1, sizeof *recs);
    if (!recs)
        return TZ_ENOMEM;
    sqlite3 *db = tz_sq_read_begin(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_prep(
        db,
        "SELECT COUNT(*), COUNT(taken_up_at),"
        " TOTAL(taken_up_at IS NOT NULL AND taken_up_at <= takeup_due), COUNT(verified_at),"
        " TOTAL(verified_at IS NOT NULL AND verified_at <= verify_due),"
        " TOTAL((status = 'new' AND takeup_due < ?2) OR (status = 'verifying' AND verify_due < ?2))"
        " FROM reports WHERE district_id = ?1",
        &st);
    for (size_t d = 0; !err && d < district_count; d++) {
        struct tz_compliance_rec *c = &recs[d];
        memcpy(c->district_id, districts[d], TZ_ID_MAX);
        c->district_id[TZ_ID_MAX - 1] = '\0';
        tz_sq_bind_at(st, 1, c->district_id);
        sqlite3_bind_int64(st, 2, now);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            c->reports = sqlite3_column_int64(st, 0);
            c->taken_up = sqlite3_column_int64(st, 1);
            c->taken_up_in_time = (int64_t)sqlite3_column_double(st, 2);
            c->verified = sqlite3_column_int64(st, 3);
            c->verified_in_time = (int64_t)sqlite3_column_double(st, 4);
            c->overdue = (int64_t)sqlite3_column_double(st, 5);
        } else {
            err = tz_sq_map_rc(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    tz_sq_read_end(store, db);
    if (err) {
        free(recs);
        return err;
    }
    *out = recs;
    *count = district_count;
    return TZ_OK;
}
