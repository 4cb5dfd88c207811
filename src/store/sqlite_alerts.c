/*
 * sqlite_alerts.c - the SQLite backend's alerts for an area (migration 18):
 * subscriptions, the outbox that owes each subscription a report at most
 * once (UNIQUE (subscription_id, report_id), rows added with INSERT OR
 * IGNORE), the delivery log and the sender's cursor. Every write is one
 * transaction, so a restart finds each row either owed or acknowledged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

#define SUB_COLS                                                                                   \
    "id, kind, area, categories, target, secret, confirmed, disabled_at, failures,"                \
    " after_report, created_at"

static const char SQL_SUB_PUT[] =
    "INSERT INTO alert_subscriptions (kind, area, categories, target, secret, confirmed,"
    " after_report, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_OUT_CONFIRM[] = "INSERT OR IGNORE INTO alert_outbox (subscription_id,"
                                      " report_id, next_at) VALUES (?, 0, ?)";
static const char SQL_SUB_GET[] = "SELECT " SUB_COLS " FROM alert_subscriptions WHERE id = ?";
static const char SQL_SUBS_ACTIVE[] =
    "SELECT " SUB_COLS " FROM alert_subscriptions WHERE confirmed = 1 AND disabled_at IS NULL"
    " AND kind <> 'feed' ORDER BY id";
static const char SQL_CURSOR[] = "SELECT upto FROM alert_state WHERE name = 'reports'";
static const char SQL_CHANGE_CURSOR[] = "SELECT upto FROM alert_state WHERE name = 'changes'";
static const char SQL_DUE[] =
    "SELECT id, subscription_id, report_id, attempts, next_at, change_seq FROM alert_outbox"
    " WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?";
static const char SQL_DUE_NO_MAIL[] =
    "SELECT id, subscription_id, report_id, attempts, next_at, change_seq FROM alert_outbox"
    " WHERE state = 'pending' AND next_at <= ? AND subscription_id NOT IN"
    " (SELECT id FROM alert_subscriptions WHERE kind = 'email') ORDER BY next_at, id LIMIT ?";
static const char SQL_LOG_ALL[] =
    "SELECT outbox_id, subscription_id, report_id, at, attempt, outcome, change_seq"
    " FROM alert_deliveries"
    " ORDER BY id DESC LIMIT 1000";
static const char SQL_LOG_SUB[] =
    "SELECT outbox_id, subscription_id, report_id, at, attempt, outcome, change_seq"
    " FROM alert_deliveries"
    " WHERE subscription_id = ? ORDER BY id DESC LIMIT 1000";

void tz_alert_sub_rec_clear(struct tz_alert_sub_rec *rec)
{
    if (!rec)
        return;
    free(rec->area);
    free(rec->categories);
    free(rec->target);
    memset(rec, 0, sizeof *rec);
}

void tz_alert_sub_recs_free(struct tz_alert_sub_rec *recs, size_t count)
{
    for (size_t i = 0; recs && i < count; i++)
        tz_alert_sub_rec_clear(&recs[i]);
    free(recs);
}

/* ---- a subscription in and out ---------------------------------------------------------- */

struct put_ctx {
    const struct tz_alert_sub_rec *rec;
    const struct tz_audit_rec *audit;
    int64_t id;
};

static tz_err audit_with_object(sqlite3 *db, const struct tz_audit_rec *audit, int64_t id)
{
    if (!audit)
        return TZ_OK;
    struct tz_audit_rec a = *audit;
    char object[48];
    snprintf(object, sizeof object, "alert/%lld", (long long)id);
    a.object = a.object ? a.object : object;
    return tz_sq_audit_append_in(db, &a, NULL);
}

static tz_err put_body(sqlite3 *db, void *ctx)
{
    struct put_ctx *p = ctx;
    const struct tz_alert_sub_rec *r = p->rec;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_SUB_PUT, &st);
    if (err)
        return err;
    tz_sq_bind_at(st, 1, r->kind);
    tz_sq_bind_at(st, 2, r->area);
    tz_sq_bind_at(st, 3, r->categories);
    tz_sq_bind_at(st, 4, r->target);
    tz_sq_bind_at(st, 5, r->secret);
    sqlite3_bind_int(st, 6, r->confirmed ? 1 : 0);
    sqlite3_bind_int64(st, 7, r->after_report);
    sqlite3_bind_int64(st, 8, r->created_at);
    if ((err = tz_sq_run_once(st)))
        return err;
    p->id = sqlite3_last_insert_rowid(db);
    if (!r->confirmed) { /* the confirmation message is owed from this very commit */
        if ((err = tz_sq_prep(db, SQL_OUT_CONFIRM, &st)))
            return err;
        sqlite3_bind_int64(st, 1, p->id);
        sqlite3_bind_int64(st, 2, r->created_at);
        if ((err = tz_sq_run_once(st)))
            return err;
    }
    return audit_with_object(db, p->audit, p->id);
}

tz_err tz_sq_alert_sub_put(struct tz_store *store, const struct tz_alert_sub_rec *rec,
                           const struct tz_audit_rec *audit, int64_t *id)
{
    struct put_ctx p = {.rec = rec, .audit = audit};
    tz_err err = tz_sq_in_write(store, put_body, &p, NULL);
    if (!err)
        *id = p.id;
    return err;
}

static tz_err read_sub(sqlite3_stmt *st, void *elem)
{
    struct tz_alert_sub_rec *r = elem;
    r->id = sqlite3_column_int64(st, 0);
    r->confirmed = sqlite3_column_int(st, 6) != 0;
    r->disabled_at = sqlite3_column_int64(st, 7);
    r->failures = sqlite3_column_int(st, 8);
    r->after_report = sqlite3_column_int64(st, 9);
    r->created_at = sqlite3_column_int64(st, 10);
    tz_err err;
    if ((err = tz_sq_col_code(st, 1, r->kind, sizeof r->kind)) ||
        (err = tz_sq_col_strdup(st, 2, &r->area)) ||
        (err = tz_sq_col_strdup(st, 3, &r->categories)) ||
        (err = tz_sq_col_strdup(st, 4, &r->target)) ||
        (err = tz_sq_col_code(st, 5, r->secret, sizeof r->secret)))
        return err;
    return r->area && r->categories ? TZ_OK : TZ_EIO;
}

static void free_subs(void *recs, size_t count)
{
    tz_alert_sub_recs_free(recs, count);
}

tz_err tz_sq_alert_sub_get(struct tz_store *store, int64_t id, struct tz_alert_sub_rec *out)
{
    struct tz_alert_sub_rec *recs = NULL;
    size_t n = 0;
    memset(out, 0, sizeof *out);
    tz_err err = tz_sq_read_all(store, SQL_SUB_GET, id, sizeof *recs, read_sub, free_subs,
                                (void **)&recs, &n);
    if (err)
        return err;
    if (n == 0) {
        free(recs);
        return TZ_ENOTFOUND;
    }
    *out = recs[0];
    free(recs);
    return TZ_OK;
}

tz_err tz_sq_alert_subs_active(struct tz_store *store, struct tz_alert_sub_rec **out, size_t *count)
{
    return tz_sq_read_all(store, SQL_SUBS_ACTIVE, 0, sizeof **out, read_sub, free_subs,
                          (void **)out, count);
}

static const char SQL_WEBHOOKS[] =
    "SELECT " SUB_COLS " FROM alert_subscriptions WHERE kind = 'webhook' ORDER BY id LIMIT 1000";

tz_err tz_sq_alert_webhooks(struct tz_store *store, struct tz_alert_sub_rec **out, size_t *count)
{
    return tz_sq_read_all(store, SQL_WEBHOOKS, 0, sizeof **out, read_sub, free_subs, (void **)out,
                          count);
}

struct id_ctx {
    int64_t id;
    const struct tz_audit_rec *audit;
    int64_t at; /* alert_webhook_set: disabled_at, 0 to enable */
};

static tz_err webhook_set_body(sqlite3 *db, void *ctx)
{
    struct id_ctx *p = ctx;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db,
                            "SELECT disabled_at IS NOT NULL FROM alert_subscriptions"
                            " WHERE id = ? AND kind = 'webhook'",
                            &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, p->id);
    int rc = sqlite3_step(st);
    int disabled = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
    if (disabled == (p->at != 0))
        return TZ_ECONFLICT;
    if (p->at) {
        if ((err = tz_sq_prep(db, "UPDATE alert_subscriptions SET disabled_at = ? WHERE id = ?",
                              &st)))
            return err;
        sqlite3_bind_int64(st, 1, p->at);
        sqlite3_bind_int64(st, 2, p->id);
        if ((err = tz_sq_run_once(st)) ||
            (err = tz_sq_exec_id(db,
                                 "UPDATE alert_outbox SET state = 'dropped' WHERE subscription_id"
                                 " = ? AND state = 'pending'",
                                 p->id)))
            return err;
    } else if ((err = tz_sq_exec_id(db,
                                    "UPDATE alert_subscriptions SET disabled_at = NULL,"
                                    " failures = 0, after_report = (SELECT max(upto, 0) FROM"
                                    " alert_state WHERE name = 'reports') WHERE id = ?",
                                    p->id))) {
        return err;
    }
    return audit_with_object(db, p->audit, p->id);
}

tz_err tz_sq_alert_webhook_set(struct tz_store *store, int64_t id, int64_t disabled_at,
                               const struct tz_audit_rec *audit)
{
    struct id_ctx p = {.id = id, .audit = audit, .at = disabled_at};
    return tz_sq_in_write(store, webhook_set_body, &p, NULL);
}

static tz_err confirm_body(sqlite3 *db, void *ctx)
{
    struct id_ctx *p = ctx;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, "SELECT confirmed FROM alert_subscriptions WHERE id = ?", &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, p->id);
    int rc = sqlite3_step(st);
    int confirmed = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
    if (confirmed)
        return TZ_ECONFLICT;
    if ((err =
             tz_sq_exec_id(db, "UPDATE alert_subscriptions SET confirmed = 1 WHERE id = ?", p->id)))
        return err;
    return audit_with_object(db, p->audit, p->id);
}

tz_err tz_sq_alert_sub_confirm(struct tz_store *store, int64_t id, const struct tz_audit_rec *audit)
{
    struct id_ctx p = {.id = id, .audit = audit};
    return tz_sq_in_write(store, confirm_body, &p, NULL);
}

static tz_err delete_body(sqlite3 *db, void *ctx)
{
    struct id_ctx *p = ctx;
    tz_err err = tz_sq_exec_id(db, "DELETE FROM alert_subscriptions WHERE id = ?", p->id);
    if (err)
        return err;
    if (sqlite3_changes(db) == 0)
        return TZ_ENOTFOUND;
    if ((err = tz_sq_exec_id(db, "DELETE FROM alert_outbox WHERE subscription_id = ?", p->id)))
        return err;
    return audit_with_object(db, p->audit, p->id);
}

tz_err tz_sq_alert_sub_delete(struct tz_store *store, int64_t id, const struct tz_audit_rec *audit)
{
    struct id_ctx p = {.id = id, .audit = audit};
    return tz_sq_in_write(store, delete_body, &p, NULL);
}

/* ---- the outbox --------------------------------------------------------------------------- */

static tz_err read_cursor(struct tz_store *store, const char *sql, int64_t *upto)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, sql, &st);
    if (!err) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *upto = sqlite3_column_int64(st, 0);
        else
            err = rc == SQLITE_DONE ? TZ_EIO : tz_sq_map_rc(rc);
    }
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

tz_err tz_sq_alert_cursor(struct tz_store *store, int64_t *upto)
{
    return read_cursor(store, SQL_CURSOR, upto);
}

tz_err tz_sq_alert_change_cursor(struct tz_store *store, int64_t *upto)
{
    return read_cursor(store, SQL_CHANGE_CURSOR, upto);
}

struct enqueue_ctx {
    const struct tz_alert_out_rec *rows;
    size_t n;
    int64_t upto;
    const char *cursor_sql; /* moves the cursor this batch was matched up to */
};

static tz_err enqueue_body(sqlite3 *db, void *ctx)
{
    struct enqueue_ctx *p = ctx;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db,
                            "INSERT OR IGNORE INTO alert_outbox (subscription_id, report_id,"
                            " next_at, change_seq) VALUES (?, ?, ?, ?)",
                            &st);
    for (size_t i = 0; !err && i < p->n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, p->rows[i].sub_id);
        sqlite3_bind_int64(st, 2, p->rows[i].report_id);
        sqlite3_bind_int64(st, 3, p->rows[i].next_at);
        sqlite3_bind_int64(st, 4, p->rows[i].change_seq);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
            err = tz_sq_map_rc(rc);
    }
    if (st)
        sqlite3_finalize(st);
    if (err)
        return err;
    if ((err = tz_sq_prep(db, p->cursor_sql, &st)))
        return err;
    sqlite3_bind_int64(st, 1, p->upto);
    return tz_sq_run_once(st);
}

tz_err tz_sq_alert_enqueue(struct tz_store *store, const struct tz_alert_out_rec *rows, size_t n,
                           int64_t upto)
{
    struct enqueue_ctx p = {.rows = rows,
                            .n = n,
                            .upto = upto,
                            .cursor_sql = "UPDATE alert_state SET upto = ? WHERE name = 'reports'"};
    return tz_sq_in_write(store, enqueue_body, &p, NULL);
}

tz_err tz_sq_alert_enqueue_changes(struct tz_store *store, const struct tz_alert_out_rec *rows,
                                   size_t n, int64_t upto)
{
    struct enqueue_ctx p = {.rows = rows,
                            .n = n,
                            .upto = upto,
                            .cursor_sql = "UPDATE alert_state SET upto = ? WHERE name = 'changes'"};
    return tz_sq_in_write(store, enqueue_body, &p, NULL);
}

static tz_err read_out(sqlite3_stmt *st, void *elem)
{
    struct tz_alert_out_rec *r = elem;
    r->id = sqlite3_column_int64(st, 0);
    r->sub_id = sqlite3_column_int64(st, 1);
    r->report_id = sqlite3_column_int64(st, 2);
    r->attempts = sqlite3_column_int(st, 3);
    r->next_at = sqlite3_column_int64(st, 4);
    r->change_seq = sqlite3_column_int64(st, 5);
    return TZ_OK;
}

static void free_plain(void *recs, size_t count)
{
    (void)count;
    free(recs);
}

tz_err tz_sq_alert_due(struct tz_store *store, int64_t now, size_t max, bool with_mail,
                       struct tz_alert_out_rec **out, size_t *count)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, with_mail ? SQL_DUE : SQL_DUE_NO_MAIL, &st);
    if (!err) {
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_int64(st, 2, (int64_t)max);
        err = tz_sq_read_rows(st, sizeof **out, read_out, free_plain, (void **)out, count);
    }
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

/* ---- an attempt and the log ----------------------------------------------------------------- */

static tz_err exec_2(sqlite3 *db, const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, sql, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    return tz_sq_run_once(st);
}

static tz_err log_line(sqlite3 *db, const struct tz_alert_out_rec *o, int64_t at, int attempt,
                       const char *outcome, const char *detail)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db,
                            "INSERT INTO alert_deliveries (outbox_id, subscription_id, report_id,"
                            " at, attempt, outcome, detail, change_seq)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, o->id);
    sqlite3_bind_int64(st, 2, o->sub_id);
    sqlite3_bind_int64(st, 3, o->report_id);
    sqlite3_bind_int64(st, 4, at);
    sqlite3_bind_int(st, 5, attempt);
    tz_sq_bind_at(st, 6, outcome);
    tz_sq_bind_at(st, 7, detail);
    sqlite3_bind_int64(st, 8, o->change_seq);
    return tz_sq_run_once(st);
}

static tz_err read_outbox_row(sqlite3 *db, int64_t id, struct tz_alert_out_rec *o, bool *pending)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db,
                            "SELECT id, subscription_id, report_id, attempts, next_at, change_seq,"
                            " state FROM alert_outbox WHERE id = ?",
                            &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_out(st, o);
        const unsigned char *s = sqlite3_column_text(st, 6);
        *pending = s && strcmp((const char *)s, "pending") == 0;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? TZ_OK : rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
}

static tz_err record_failure(sqlite3 *db, const struct tz_alert_attempt *a,
                             const struct tz_alert_out_rec *o)
{
    tz_err err = a->next_at ? exec_2(db,
                                     "UPDATE alert_outbox SET attempts = attempts + 1, next_at = ?"
                                     " WHERE id = ?",
                                     a->next_at, o->id)
                            : tz_sq_exec_id(db,
                                            "UPDATE alert_outbox SET attempts = attempts + 1,"
                                            " state = 'dropped' WHERE id = ?",
                                            o->id);
    if (!err)
        err = log_line(db, o, a->at, o->attempts + 1, a->next_at ? "failed" : "dropped", a->detail);
    if (!err)
        err = tz_sq_exec_id(
            db, "UPDATE alert_subscriptions SET failures = failures + 1 WHERE id = ?", o->sub_id);
    if (err || a->max_failures <= 0)
        return err;
    /* Disabled at max_failures in a row: what it is still owed is dropped with it. */
    sqlite3_stmt *st;
    if ((err = tz_sq_prep(db,
                          "UPDATE alert_subscriptions SET disabled_at = ? WHERE id = ?"
                          " AND failures >= ? AND disabled_at IS NULL",
                          &st)))
        return err;
    sqlite3_bind_int64(st, 1, a->at);
    sqlite3_bind_int64(st, 2, o->sub_id);
    sqlite3_bind_int(st, 3, a->max_failures);
    if ((err = tz_sq_run_once(st)) || sqlite3_changes(db) == 0)
        return err;
    if ((err = tz_sq_exec_id(db,
                             "UPDATE alert_outbox SET state = 'dropped' WHERE subscription_id = ?"
                             " AND state = 'pending'",
                             o->sub_id)))
        return err;
    return log_line(db, o, a->at, o->attempts + 1, "disabled", NULL);
}

static tz_err record_body(sqlite3 *db, void *ctx)
{
    const struct tz_alert_attempt *a = ctx;
    struct tz_alert_out_rec o = {0};
    bool pending = false;
    tz_err err = read_outbox_row(db, a->out_id, &o, &pending);
    if (err)
        return err;
    if (!pending) /* unsubscribed, disabled or written already meanwhile */
        return TZ_ECONFLICT;
    if (a->skipped) {
        if ((err =
                 tz_sq_exec_id(db, "UPDATE alert_outbox SET state = 'dropped' WHERE id = ?", o.id)))
            return err;
        return log_line(db, &o, a->at, o.attempts, "dropped", a->detail);
    }
    if (!a->delivered)
        return record_failure(db, a, &o);
    if ((err = tz_sq_exec_id(db,
                             "UPDATE alert_outbox SET attempts = attempts + 1,"
                             " state = 'delivered' WHERE id = ?",
                             o.id)) ||
        (err = tz_sq_exec_id(db, "UPDATE alert_subscriptions SET failures = 0 WHERE id = ?",
                             o.sub_id)))
        return err;
    return log_line(db, &o, a->at, o.attempts + 1, "delivered", a->detail);
}

tz_err tz_sq_alert_record(struct tz_store *store, const struct tz_alert_attempt *attempt)
{
    return tz_sq_in_write(store, record_body, (void *)attempt, NULL);
}

static tz_err read_log(sqlite3_stmt *st, void *elem)
{
    struct tz_alert_log_rec *r = elem;
    r->out_id = sqlite3_column_int64(st, 0);
    r->sub_id = sqlite3_column_int64(st, 1);
    r->report_id = sqlite3_column_int64(st, 2);
    r->at = sqlite3_column_int64(st, 3);
    r->attempt = sqlite3_column_int(st, 4);
    r->change_seq = sqlite3_column_int64(st, 6);
    return tz_sq_col_code(st, 5, r->outcome, sizeof r->outcome);
}

tz_err tz_sq_alert_log(struct tz_store *store, int64_t sub_id, struct tz_alert_log_rec **out,
                       size_t *count)
{
    return tz_sq_read_all(store, sub_id ? SQL_LOG_SUB : SQL_LOG_ALL, sub_id, sizeof **out, read_log,
                          free_plain, (void **)out, count);
}
