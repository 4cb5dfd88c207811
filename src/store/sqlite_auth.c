/*
 * sqlite_auth.c - the SQLite backend's accounts, sessions, API tokens, audit
 * log, queue and compliance (the operations src/auth and the police API use).
 *
 * These run far less often than report inserts and reads, so their
 * statements are prepared per call rather than cached per connection. Every
 * write takes the writer through tz_sq_write_begin/_end (sqlite.c), so it is
 * one transaction with the audit entry it carries: the entry and the change
 * exist together or not at all (DESIGN 5).
 *
 * The audit chain: each entry's hash covers the previous entry's hash
 * (tz_store_audit_hash). The append reads the last entry inside the writer's
 * BEGIN IMMEDIATE transaction, which other processes (the CLI) cannot enter
 * at the same time, so the chain never forks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "store/sqlite_internal.h"

#define QUEUE_SQL_MAX 65536

/* ---- small helpers ------------------------------------------------------------------------- */

static tz_err prep(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);
    if (rc != SQLITE_OK) {
        *st = NULL;
        return tz_sq_map_rc(rc);
    }
    return TZ_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
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
static tz_err run_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TZ_OK : map_write_rc(rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
}

static tz_err exec_id(sqlite3 *db, const char *sql, int64_t id)
{
    sqlite3_stmt *st;
    tz_err err = prep(db, sql, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, id);
    return run_done(st);
}

/* A nullable text column as a new string, for the records whose strings are const. */
static tz_err dup_text(sqlite3_stmt *st, int col, const char **out)
{
    char *p = NULL;
    tz_err err = tz_sq_col_strdup(st, col, &p);
    *out = p;
    return err;
}

static void copy_blob(sqlite3_stmt *st, int col, uint8_t *dst, size_t cap)
{
    memset(dst, 0, cap);
    const void *p = sqlite3_column_blob(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    if (p)
        memcpy(dst, p, n < cap ? n : cap);
}

/* Runs body(db, ctx) in one write transaction. */
typedef tz_err (*write_fn)(sqlite3 *db, void *ctx);
static tz_err in_write(struct tz_store *store, write_fn body, void *ctx,
                       const struct tz_audit_rec *audit)
{
    tz_err err = TZ_OK;
    sqlite3 *db = tz_sq_write_begin(store, &err);
    if (!db)
        return err;
    err = body(db, ctx);
    if (!err && audit)
        err = tz_sq_audit_append(db, audit, NULL);
    return tz_sq_write_end(store, err);
}

/* ---- the audit log --------------------------------------------------------------------------- */

tz_err tz_sq_audit_append(sqlite3 *db, const struct tz_audit_rec *rec, struct tz_audit_rec *out)
{
    sqlite3_stmt *st;
    struct tz_audit_rec e = *rec;
    memset(e.prev_hash, 0, sizeof e.prev_hash);
    tz_err err = prep(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", &st);
    if (err)
        return err;
    int rc = sqlite3_step(st);
    e.seq = 1;
    if (rc == SQLITE_ROW) {
        e.seq = sqlite3_column_int64(st, 0) + 1;
        copy_blob(st, 1, e.prev_hash, sizeof e.prev_hash);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return tz_sq_map_rc(rc);
    tz_store_audit_hash(&e, e.prev_hash, e.hash);
    err = prep(db,
               "INSERT INTO audit_log (seq, at, actor, role, client, action, object, fields,"
               " note, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, e.seq);
    sqlite3_bind_int64(st, 2, e.at);
    bind_text(st, 3, e.actor);
    bind_text(st, 4, e.role);
    bind_text(st, 5, e.client);
    bind_text(st, 6, e.action);
    bind_text(st, 7, e.object);
    bind_text(st, 8, e.fields);
    bind_text(st, 9, e.note);
    bind_text(st, 10, e.outcome);
    sqlite3_bind_blob(st, 11, e.prev_hash, TZ_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 12, e.hash, TZ_HASH_LEN, SQLITE_STATIC);
    err = run_done(st);
    if (!err && out) {
        out->seq = e.seq;
        memcpy(out->prev_hash, e.prev_hash, TZ_HASH_LEN);
        memcpy(out->hash, e.hash, TZ_HASH_LEN);
    }
    return err;
}

tz_err tz_sq_audit_append_op(struct tz_store *store, struct tz_audit_rec *rec)
{
    tz_err err = TZ_OK;
    sqlite3 *db = tz_sq_write_begin(store, &err);
    if (!db)
        return err;
    err = tz_sq_audit_append(db, rec, rec);
    return tz_sq_write_end(store, err);
}

tz_err tz_sq_audit_read(struct tz_store *store, int64_t after_seq, size_t limit,
                        struct tz_audit_rec **out, size_t *count)
{
    sqlite3 *db = tz_sq_read_begin(store);
    sqlite3_stmt *st = NULL;
    struct tz_audit_rec *recs = calloc(limit, sizeof *recs);
    size_t n = 0;
    tz_err err = recs ? prep(db,
                             "SELECT seq, at, actor, role, client, action, object, fields, note,"
                             " outcome, prev_hash, hash FROM audit_log WHERE seq > ?"
                             " ORDER BY seq LIMIT ?",
                             &st)
                      : TZ_ENOMEM;
    if (err)
        goto done;
    sqlite3_bind_int64(st, 1, after_seq);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    int rc;
    while (n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct tz_audit_rec *r = &recs[n++];
        r->seq = sqlite3_column_int64(st, 0);
        r->at = sqlite3_column_int64(st, 1);
        if ((err = dup_text(st, 2, &r->actor)) || (err = dup_text(st, 3, &r->role)) ||
            (err = dup_text(st, 4, &r->client)) || (err = dup_text(st, 5, &r->action)) ||
            (err = dup_text(st, 6, &r->object)) || (err = dup_text(st, 7, &r->fields)) ||
            (err = dup_text(st, 8, &r->note)) || (err = dup_text(st, 9, &r->outcome)))
            goto done;
        copy_blob(st, 10, r->prev_hash, TZ_HASH_LEN);
        copy_blob(st, 11, r->hash, TZ_HASH_LEN);
    }
    if (n < limit && rc != SQLITE_DONE)
        err = tz_sq_map_rc(rc);
done:
    sqlite3_finalize(st);
    tz_sq_read_end(store, db);
    if (err) {
        tz_audit_recs_free(recs, n);
        return err;
    }
    *out = recs;
    *count = n;
    return TZ_OK;
}

/* ---- accounts ------------------------------------------------------------------------------ */

struct account_write {
    struct tz_account_rec *rec;
};

/* Whether the stored password hash of account id differs from hash (a new password). */
static tz_err password_changes(sqlite3 *db, int64_t id, const char *hash, bool *changes)
{
    sqlite3_stmt *st;
    tz_err err = prep(db, "SELECT password_hash FROM accounts WHERE id = ?", &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    const char *old = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    *changes = rc == SQLITE_ROW && (!old || !hash || strcmp(old, hash) != 0);
    err = rc == SQLITE_ROW || rc == SQLITE_DONE ? TZ_OK : tz_sq_map_rc(rc);
    sqlite3_finalize(st);
    return err;
}

static tz_err account_write(sqlite3 *db, void *ctx)
{
    struct tz_account_rec *r = ((struct account_write *)ctx)->rec;
    sqlite3_stmt *st;
    bool insert = r->id == 0, new_password = false;
    if (!insert) {
        tz_err err = password_changes(db, r->id, r->password_hash, &new_password);
        if (err)
            return err;
    }
    tz_err err =
        prep(db,
             insert ? "INSERT INTO accounts (name, role, unit, password_hash, totp_secret,"
                      " disabled, failed_count, failed_since, locked_until, created_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    : "UPDATE accounts SET name = ?, role = ?, unit = ?, password_hash = ?,"
                      " totp_secret = ?, disabled = ?, failed_count = ?, failed_since = ?,"
                      " locked_until = ? WHERE id = ?",
             &st);
    if (err)
        return err;
    bind_text(st, 1, r->name);
    bind_text(st, 2, r->role);
    bind_text(st, 3, r->unit[0] ? r->unit : NULL);
    bind_text(st, 4, r->password_hash);
    sqlite3_bind_blob(st, 5, r->totp_secret, TZ_TOTP_SECRET_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, r->disabled);
    sqlite3_bind_int(st, 7, r->failed_count);
    sqlite3_bind_int64(st, 8, r->failed_since);
    sqlite3_bind_int64(st, 9, r->locked_until);
    sqlite3_bind_int64(st, 10, insert ? r->created_at : r->id);
    if ((err = run_done(st)))
        return err;
    if (insert)
        r->id = sqlite3_last_insert_rowid(db);
    else if (sqlite3_changes(db) == 0)
        return TZ_ENOTFOUND;
    if ((err = exec_id(db, "DELETE FROM account_districts WHERE account_id = ?", r->id)))
        return err;
    for (size_t i = 0; i < r->district_count; i++) {
        if ((err = prep(db, "INSERT INTO account_districts (account_id, district_id) VALUES (?, ?)",
                        &st)))
            return err;
        sqlite3_bind_int64(st, 1, r->id);
        bind_text(st, 2, r->districts[i]);
        err = run_done(st);
        if (err == TZ_ECONFLICT)
            err = TZ_OK; /* the same district twice */
        if (err)
            return err;
    }
    /* A disabled account keeps no session and no token; nor does a new password leave the old
     * ones alive (changing it is what one does after a theft). */
    if ((r->disabled || new_password) &&
        ((err = exec_id(db, "DELETE FROM sessions WHERE account_id = ?", r->id)) ||
         (err = exec_id(db, "UPDATE api_tokens SET revoked = 1 WHERE account_id = ?", r->id))))
        return err;
    return TZ_OK;
}

tz_err tz_sq_account_put(struct tz_store *store, struct tz_account_rec *rec,
                         const struct tz_audit_rec *audit)
{
    int64_t id = rec->id;
    struct account_write w = {rec};
    tz_err err = in_write(store, account_write, &w, audit);
    if (err)
        rec->id = id;
    return err;
}

#define ACCOUNT_COLS                                                                               \
    "id, name, role, COALESCE(unit, ''), password_hash, totp_secret, totp_last_step,"              \
    " failed_count, failed_since, locked_until, disabled, created_at"

static tz_err read_account(sqlite3 *db, sqlite3_stmt *st, struct tz_account_rec *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    tz_err err;
    if ((err = tz_sq_col_code(st, 1, r->name, sizeof r->name)) ||
        (err = tz_sq_col_code(st, 2, r->role, sizeof r->role)) ||
        (err = tz_sq_col_code(st, 3, r->unit, sizeof r->unit)) ||
        (err = tz_sq_col_code(st, 4, r->password_hash, sizeof r->password_hash)))
        return err;
    copy_blob(st, 5, r->totp_secret, sizeof r->totp_secret);
    r->totp_last_step = sqlite3_column_int64(st, 6);
    r->failed_count = sqlite3_column_int(st, 7);
    r->failed_since = sqlite3_column_int64(st, 8);
    r->locked_until = sqlite3_column_int64(st, 9);
    r->disabled = sqlite3_column_int(st, 10) != 0;
    r->created_at = sqlite3_column_int64(st, 11);

    sqlite3_stmt *ds;
    if ((err = prep(db,
                    "SELECT district_id FROM account_districts WHERE account_id = ?"
                    " ORDER BY district_id",
                    &ds)))
        return err;
    sqlite3_bind_int64(ds, 1, r->id);
    int rc;
    while ((rc = sqlite3_step(ds)) == SQLITE_ROW && r->district_count < TZ_ACCOUNT_DISTRICTS_MAX) {
        if ((err = tz_sq_col_code(ds, 0, r->districts[r->district_count], TZ_ID_MAX)))
            break;
        r->district_count++;
    }
    if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
        err = tz_sq_map_rc(rc);
    sqlite3_finalize(ds);
    return err;
}

tz_err tz_sq_account_get(struct tz_store *store, const char *name, int64_t id,
                         struct tz_account_rec *out)
{
    sqlite3 *db = tz_sq_read_begin(store);
    sqlite3_stmt *st = NULL;
    tz_err err = prep(db,
                      name ? "SELECT " ACCOUNT_COLS " FROM accounts WHERE name = ?"
                           : "SELECT " ACCOUNT_COLS " FROM accounts WHERE id = ?",
                      &st);
    if (err)
        goto done;
    if (name)
        bind_text(st, 1, name);
    else
        sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        err = read_account(db, st, out);
    else
        err = rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
done:
    sqlite3_finalize(st);
    tz_sq_read_end(store, db);
    return err;
}

tz_err tz_sq_accounts(struct tz_store *store, struct tz_account_rec **out, size_t *count)
{
    sqlite3 *db = tz_sq_read_begin(store);
    sqlite3_stmt *st = NULL;
    struct tz_account_rec *recs = NULL;
    size_t n = 0, cap = 0;
    tz_err err = prep(db, "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY name", &st);
    int rc = SQLITE_DONE;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((err = tz_store_grow((void **)&recs, &cap, n, sizeof *recs)))
            break;
        err = read_account(db, st, &recs[n++]);
    }
    if (!err && rc != SQLITE_DONE)
        err = tz_sq_map_rc(rc);
    sqlite3_finalize(st);
    tz_sq_read_end(store, db);
    if (err) {
        free(recs);
        return err;
    }
    *out = recs;
    *count = n;
    return TZ_OK;
}

/* A success: the accepted TOTP step (compare and set: each code once) and a clean count. */
static tz_err login_success(sqlite3 *db, const struct tz_login_update *u)
{
    sqlite3_stmt *st;
    tz_err err = prep(db,
                      "UPDATE accounts SET failed_count = 0, failed_since = 0, totp_last_step = ?1"
                      " WHERE id = ?2 AND totp_last_step < ?1",
                      &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, u->totp_step);
    sqlite3_bind_int64(st, 2, u->account_id);
    if ((err = run_done(st)))
        return err;
    return sqlite3_changes(db) ? TZ_OK : TZ_ECONFLICT;
}

/* A failure, counted in the statement itself (no read-modify-write across threads). */
static tz_err login_failure(sqlite3 *db, struct tz_login_update *u)
{
    sqlite3_stmt *st;
    tz_err err = prep(db,
                      "UPDATE accounts SET"
                      " failed_count = CASE WHEN failed_since = 0 OR ?1 - failed_since >= ?2"
                      "  THEN 1 ELSE failed_count + 1 END,"
                      " failed_since = CASE WHEN failed_since = 0 OR ?1 - failed_since >= ?2"
                      "  THEN ?1 ELSE failed_since END"
                      " WHERE id = ?3 RETURNING failed_count",
                      &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, u->now);
    sqlite3_bind_int64(st, 2, u->window_s);
    sqlite3_bind_int64(st, 3, u->account_id);
    int rc = sqlite3_step(st);
    u->failures = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    err = rc == SQLITE_ROW ? TZ_OK : rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
    sqlite3_finalize(st);
    if (!err && u->failures >= u->lock_failures) {
        u->locked_until = u->now + u->lock_s;
        err = prep(db,
                   "UPDATE accounts SET locked_until = MAX(locked_until, ?1), failed_count = 0,"
                   " failed_since = 0 WHERE id = ?2",
                   &st);
        if (!err) {
            sqlite3_bind_int64(st, 1, u->locked_until);
            sqlite3_bind_int64(st, 2, u->account_id);
            err = run_done(st);
        }
        u->failures = 0;
    }
    if (!err && u->fields && u->fields_size) {
        if (u->locked_until)
            snprintf(u->fields, u->fields_size, "{\"locked_until\":%lld}",
                     (long long)u->locked_until);
        else
            snprintf(u->fields, u->fields_size, "{\"failures\":%d}", u->failures);
    }
    return err;
}

static tz_err login_write(sqlite3 *db, void *ctx)
{
    struct tz_login_update *u = ctx;
    return u->failure ? login_failure(db, u) : login_success(db, u);
}

tz_err tz_sq_account_login(struct tz_store *store, struct tz_login_update *upd,
                           const struct tz_audit_rec *audit)
{
    return in_write(store, login_write, upd, audit);
}

/* ---- sessions and API tokens ------------------------------------------------------------------
 */

struct session_write {
    const struct tz_session_rec *rec;
    bool is_token;
    const char *label;
};

static tz_err session_write(sqlite3 *db, void *ctx)
{
    const struct session_write *w = ctx;
    sqlite3_stmt *st;
    tz_err err = prep(db,
                      w->is_token ? "INSERT INTO api_tokens (token_hash, account_id, created_at,"
                                    " label) VALUES (?, ?, ?, ?)"
                                  : "INSERT INTO sessions (id_hash, account_id, created_at,"
                                    " last_seen, client) VALUES (?, ?, ?, ?, ?)",
                      &st);
    if (err)
        return err;
    sqlite3_bind_blob(st, 1, w->rec->id_hash, TZ_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, w->rec->account_id);
    sqlite3_bind_int64(st, 3, w->rec->created_at);
    if (w->is_token) {
        bind_text(st, 4, w->label);
    } else {
        sqlite3_bind_int64(st, 4, w->rec->last_seen);
        bind_text(st, 5, w->rec->client);
    }
    return run_done(st);
}

tz_err tz_sq_session_put(struct tz_store *store, const struct tz_session_rec *rec, bool is_token,
                         const char *label, const struct tz_audit_rec *audit)
{
    struct session_write w = {rec, is_token, label};
    return in_write(store, session_write, &w, audit);
}

tz_err tz_sq_session_get(struct tz_store *store, const uint8_t *id_hash, bool is_token,
                         struct tz_session_rec *out)
{
    sqlite3 *db = tz_sq_read_begin(store);
    sqlite3_stmt *st = NULL;
    tz_err err = prep(db,
                      is_token ? "SELECT account_id, created_at, created_at, '' FROM api_tokens"
                                 " WHERE token_hash = ? AND revoked = 0"
                               : "SELECT account_id, created_at, last_seen, COALESCE(client, '')"
                                 " FROM sessions WHERE id_hash = ?",
                      &st);
    if (err)
        goto done;
    sqlite3_bind_blob(st, 1, id_hash, TZ_HASH_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memcpy(out->id_hash, id_hash, TZ_HASH_LEN);
        out->account_id = sqlite3_column_int64(st, 0);
        out->created_at = sqlite3_column_int64(st, 1);
        out->last_seen = sqlite3_column_int64(st, 2);
        err = tz_sq_col_code(st, 3, out->client, sizeof out->client);
    } else {
        err = rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
    }
done:
    sqlite3_finalize(st);
    tz_sq_read_end(store, db);
    return err;
}

struct touch {
    const uint8_t *id_hash;
    int64_t at;
};

static tz_err touch_write(sqlite3 *db, void *ctx)
{
    const struct touch *t = ctx;
    sqlite3_stmt *st;
    tz_err err =
        prep(db, "UPDATE sessions SET last_seen = ? WHERE id_hash = ? AND last_seen < ?", &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, t->at);
    sqlite3_bind_blob(st, 2, t->id_hash, TZ_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, t->at);
    return run_done(st);
}

tz_err tz_sq_session_touch(struct tz_store *store, const uint8_t *id_hash, int64_t at)
{
    struct touch t = {id_hash, at};
    return in_write(store, touch_write, &t, NULL);
}

struct session_end {
    const uint8_t *id_hash;
    int64_t account_id;
};

static tz_err end_write(sqlite3 *db, void *ctx)
{
    const struct session_end *e = ctx;
    if (!e->id_hash) {
        tz_err err = exec_id(db, "DELETE FROM sessions WHERE account_id = ?", e->account_id);
        return err ? err
                   : exec_id(db, "UPDATE api_tokens SET revoked = 1 WHERE account_id = ?",
                             e->account_id);
    }
    static const char *const sql[] = {
        "DELETE FROM sessions WHERE id_hash = ?",
        "UPDATE api_tokens SET revoked = 1 WHERE token_hash = ?",
    };
    for (size_t i = 0; i < 2; i++) {
        sqlite3_stmt *st;
        tz_err err = prep(db, sql[i], &st);
        if (err)
            return err;
        sqlite3_bind_blob(st, 1, e->id_hash, TZ_HASH_LEN, SQLITE_STATIC);
        if ((err = run_done(st)))
            return err;
    }
    return TZ_OK;
}

tz_err tz_sq_session_end(struct tz_store *store, const uint8_t *id_hash, int64_t account_id,
                         const struct tz_audit_rec *audit)
{
    struct session_end e = {id_hash, account_id};
    return in_write(store, end_write, &e, audit);
}

/* ---- institutions, descriptions, assignments ------------------------------------------------ */

tz_err tz_sq_institutions(struct tz_store *store, struct tz_group_rec **out, size_t *count)
{
    sqlite3 *db = tz_sq_read_begin(store);
    sqlite3_stmt *st = NULL;
    struct tz_group_rec *recs = NULL;
    size_t n = 0, cap = 0;
    tz_err err =
        prep(db, "SELECT code, name_pl, name_en FROM institutions ORDER BY sort_order", &st);
    int rc = SQLITE_DONE;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((err = tz_store_grow((void **)&recs, &cap, n, sizeof *recs)))
            break;
        struct tz_group_rec *g = &recs[n++];
        memset(g, 0, sizeof *g);
        const char *pl = NULL, *en = NULL;
        if ((err = tz_sq_col_code(st, 0, g->code, sizeof g->code)) ||
            (err = dup_text(st, 1, &pl)) || (err = dup_text(st, 2, &en))) {
            free((char *)pl);
            break;
        }
        g->name_pl = (char *)pl;
        g->name_en = (char *)en;
    }
    if (!err && rc != SQLITE_DONE)
        err = tz_sq_map_rc(rc);
    sqlite3_finalize(st);
    tz_sq_read_end(store, db);
    if (err) {
        tz_group_recs_free(recs, n);
        return err;
    }
    *out = recs;
    *count = n;
    return TZ_OK;
}

struct review {
    int64_t id;
    const char *text;
};

static tz_err review_write(sqlite3 *db, void *ctx)
{
    const struct review *r = ctx;
    sqlite3_stmt *st;
    tz_err err = prep(db, "UPDATE reports SET public_description = ? WHERE id = ?", &st);
    if (err)
        return err;
    bind_text(st, 1, r->text);
    sqlite3_bind_int64(st, 2, r->id);
    if ((err = run_done(st)))
        return err;
    return sqlite3_changes(db) ? TZ_OK : TZ_ENOTFOUND;
}

tz_err tz_sq_review_description(struct tz_store *store, int64_t report_id, const char *text,
                                const struct tz_audit_rec *audit)
{
    struct review r = {report_id, text};
    return in_write(store, review_write, &r, audit);
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
    tz_err err = prep(db, "SELECT 1 FROM reports WHERE id = ?", &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, a->id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
    if (!a->account)
        return exec_id(db, "DELETE FROM report_assignments WHERE report_id = ?", a->id);
    if ((err = prep(db,
                    "INSERT INTO report_assignments (report_id, account, at) VALUES (?, ?, ?)"
                    " ON CONFLICT (report_id) DO UPDATE SET account = excluded.account,"
                    " at = excluded.at",
                    &st)))
        return err;
    sqlite3_bind_int64(st, 1, a->id);
    bind_text(st, 2, a->account);
    sqlite3_bind_int64(st, 3, a->at);
    return run_done(st);
}

tz_err tz_sq_assign_report(struct tz_store *store, int64_t report_id, const char *account,
                           int64_t at, const struct tz_audit_rec *audit)
{
    struct assign a = {report_id, account, at};
    return in_write(store, assign_write, &a, audit);
}

tz_err tz_sq_report_assignee(struct tz_store *store, int64_t report_id, char *out)
{
    sqlite3 *db = tz_sq_read_begin(store);
    sqlite3_stmt *st = NULL;
    tz_err err = prep(db, "SELECT account FROM report_assignments WHERE report_id = ?", &st);
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
                               tz_sq_report_cols);
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
    if ((err = prep(db, sql.data, &st)))
        goto done;
    int i = 1;
    for (size_t d = 0; d < district_count; d++)
        bind_text(st, i++, districts[d]);
    bind_text(st, i++, account);
    bind_text(st, i++, account);
    bind_text(st, i++, account);
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
    tz_err err = prep(
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
        bind_text(st, 1, c->district_id);
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
