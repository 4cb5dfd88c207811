/*
 * sqlite_accounts.c - the SQLite backend's police accounts, login attempts,
 * sessions and API tokens (the operations src/auth uses).
 *
 * These run far less often than report inserts and reads, so their
 * statements are prepared per call rather than cached per connection. Every
 * write is one transaction with the audit entry it carries (tz_sq_in_write).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

/* ---- accounts ------------------------------------------------------------------------------ */

struct account_write {
    struct tz_account_rec *rec;
};

/* Whether the stored password hash of account id differs from hash (a new password). */
static tz_err password_changes(sqlite3 *db, int64_t id, const char *hash, bool *changes)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, "SELECT password_hash FROM accounts WHERE id = ?", &st);
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
        tz_sq_prep(db,
                   insert ? "INSERT INTO accounts (name, role, unit, password_hash, totp_secret,"
                            " disabled, failed_count, failed_since, locked_until, created_at)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                          : "UPDATE accounts SET name = ?, role = ?, unit = ?, password_hash = ?,"
                            " totp_secret = ?, disabled = ?, failed_count = ?, failed_since = ?,"
                            " locked_until = ? WHERE id = ?",
                   &st);
    if (err)
        return err;
    tz_sq_bind_at(st, 1, r->name);
    tz_sq_bind_at(st, 2, r->role);
    tz_sq_bind_at(st, 3, r->unit[0] ? r->unit : NULL);
    tz_sq_bind_at(st, 4, r->password_hash);
    sqlite3_bind_blob(st, 5, r->totp_secret, TZ_TOTP_SECRET_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, r->disabled);
    sqlite3_bind_int(st, 7, r->failed_count);
    sqlite3_bind_int64(st, 8, r->failed_since);
    sqlite3_bind_int64(st, 9, r->locked_until);
    sqlite3_bind_int64(st, 10, insert ? r->created_at : r->id);
    if ((err = tz_sq_run_once(st)))
        return err;
    if (insert)
        r->id = sqlite3_last_insert_rowid(db);
    else if (sqlite3_changes(db) == 0)
        return TZ_ENOTFOUND;
    if ((err = tz_sq_exec_id(db, "DELETE FROM account_districts WHERE account_id = ?", r->id)))
        return err;
    for (size_t i = 0; i < r->district_count; i++) {
        if ((err = tz_sq_prep(
                 db, "INSERT INTO account_districts (account_id, district_id) VALUES (?, ?)", &st)))
            return err;
        sqlite3_bind_int64(st, 1, r->id);
        tz_sq_bind_at(st, 2, r->districts[i]);
        err = tz_sq_run_once(st);
        if (err == TZ_ECONFLICT)
            err = TZ_OK; /* the same district twice */
        if (err)
            return err;
    }
    /* A disabled account keeps no session and no token; nor does a new password leave the old
     * ones alive (changing it is what one does after a theft). */
    if ((r->disabled || new_password) &&
        ((err = tz_sq_exec_id(db, "DELETE FROM sessions WHERE account_id = ?", r->id)) ||
         (err =
              tz_sq_exec_id(db, "UPDATE api_tokens SET revoked = 1 WHERE account_id = ?", r->id))))
        return err;
    return TZ_OK;
}

tz_err tz_sq_account_put(struct tz_store *store, struct tz_account_rec *rec,
                         const struct tz_audit_rec *audit)
{
    int64_t id = rec->id;
    struct account_write w = {rec};
    tz_err err = tz_sq_in_write(store, account_write, &w, audit);
    if (err)
        rec->id = id;
    return err;
}

struct district_bind {
    const char *district;
    int64_t account;
};

/* Takes the district from the others first, then gives it to the one: one transaction. */
static tz_err district_write(sqlite3 *db, void *ctx)
{
    const struct district_bind *b = ctx;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db,
                            "SELECT (SELECT COUNT(*) FROM accounts WHERE id = ?),"
                            " (SELECT COUNT(*) FROM districts WHERE id = ?)",
                            &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, b->account);
    tz_sq_bind_at(st, 2, b->district);
    int rc = sqlite3_step(st);
    bool found =
        rc == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0 && sqlite3_column_int64(st, 1) > 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return tz_sq_map_rc(rc);
    if (!found)
        return TZ_ENOTFOUND;
    if ((err = tz_sq_prep(
             db, "DELETE FROM account_districts WHERE district_id = ? AND account_id <> ?", &st)))
        return err;
    tz_sq_bind_at(st, 1, b->district);
    sqlite3_bind_int64(st, 2, b->account);
    if ((err = tz_sq_run_once(st)))
        return err;
    if ((err = tz_sq_prep(db,
                          "INSERT INTO account_districts (account_id, district_id) VALUES (?, ?)"
                          " ON CONFLICT (account_id, district_id) DO NOTHING",
                          &st)))
        return err;
    sqlite3_bind_int64(st, 1, b->account);
    tz_sq_bind_at(st, 2, b->district);
    return tz_sq_run_once(st);
}

tz_err tz_sq_district_assign(struct tz_store *store, const char *district_id, int64_t account_id,
                             const struct tz_audit_rec *audit)
{
    struct district_bind b = {district_id, account_id};
    return tz_sq_in_write(store, district_write, &b, audit);
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
    tz_sq_col_blob(st, 5, r->totp_secret, sizeof r->totp_secret);
    r->totp_last_step = sqlite3_column_int64(st, 6);
    r->failed_count = sqlite3_column_int(st, 7);
    r->failed_since = sqlite3_column_int64(st, 8);
    r->locked_until = sqlite3_column_int64(st, 9);
    r->disabled = sqlite3_column_int(st, 10) != 0;
    r->created_at = sqlite3_column_int64(st, 11);

    sqlite3_stmt *ds;
    if ((err = tz_sq_prep(db,
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
    tz_err err = tz_sq_prep(db,
                            name ? "SELECT " ACCOUNT_COLS " FROM accounts WHERE name = ?"
                                 : "SELECT " ACCOUNT_COLS " FROM accounts WHERE id = ?",
                            &st);
    if (err)
        goto done;
    if (name)
        tz_sq_bind_at(st, 1, name);
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
    tz_err err = tz_sq_prep(db, "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY name", &st);
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
    tz_err err =
        tz_sq_prep(db,
                   "UPDATE accounts SET failed_count = 0, failed_since = 0, totp_last_step = ?1"
                   " WHERE id = ?2 AND totp_last_step < ?1",
                   &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, u->totp_step);
    sqlite3_bind_int64(st, 2, u->account_id);
    if ((err = tz_sq_run_once(st)))
        return err;
    return sqlite3_changes(db) ? TZ_OK : TZ_ECONFLICT;
}

/* A failure, counted in the statement itself (no read-modify-write across threads). */
static tz_err login_failure(sqlite3 *db, struct tz_login_update *u)
{
    sqlite3_stmt *st;
    int ended = 0;
    tz_err err = tz_sq_prep(db,
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
        err =
            tz_sq_prep(db,
                       "UPDATE accounts SET locked_until = MAX(locked_until, ?1), failed_count = 0,"
                       " failed_since = 0 WHERE id = ?2",
                       &st);
        if (!err) {
            sqlite3_bind_int64(st, 1, u->locked_until);
            sqlite3_bind_int64(st, 2, u->account_id);
            err = tz_sq_run_once(st);
        }
        /* Whoever guessed may have got in before the lock: its sessions end with it. */
        if (!err)
            err = tz_sq_exec_id(db, "DELETE FROM sessions WHERE account_id = ?", u->account_id);
        ended = err ? 0 : sqlite3_changes(db);
        u->failures = 0;
    }
    if (!err && u->fields && u->fields_size) {
        if (u->locked_until)
            snprintf(u->fields, u->fields_size, "{\"locked_until\":%lld,\"sessions_ended\":%d}",
                     (long long)u->locked_until, ended);
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
    return tz_sq_in_write(store, login_write, upd, audit);
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
    tz_err err =
        tz_sq_prep(db,
                   w->is_token ? "INSERT INTO api_tokens (token_hash, account_id, created_at,"
                                 " label, expires_at) VALUES (?, ?, ?, ?, ?)"
                               : "INSERT INTO sessions (id_hash, account_id, created_at,"
                                 " last_seen, client) VALUES (?, ?, ?, ?, ?)",
                   &st);
    if (err)
        return err;
    sqlite3_bind_blob(st, 1, w->rec->id_hash, TZ_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, w->rec->account_id);
    sqlite3_bind_int64(st, 3, w->rec->created_at);
    if (w->is_token) {
        tz_sq_bind_at(st, 4, w->label);
        sqlite3_bind_int64(st, 5, w->rec->expires_at);
    } else {
        sqlite3_bind_int64(st, 4, w->rec->last_seen);
        tz_sq_bind_at(st, 5, w->rec->client);
    }
    return tz_sq_run_once(st);
}

tz_err tz_sq_session_put(struct tz_store *store, const struct tz_session_rec *rec, bool is_token,
                         const char *label, const struct tz_audit_rec *audit)
{
    struct session_write w = {rec, is_token, label};
    return tz_sq_in_write(store, session_write, &w, audit);
}

tz_err tz_sq_session_get(struct tz_store *store, const uint8_t id_hash[TZ_HASH_LEN], bool is_token,
                         struct tz_session_rec *out)
{
    sqlite3 *db = tz_sq_read_begin(store);
    sqlite3_stmt *st = NULL;
    tz_err err =
        tz_sq_prep(db,
                   is_token ? "SELECT account_id, created_at, created_at, '', expires_at"
                              " FROM api_tokens WHERE token_hash = ? AND revoked = 0"
                            : "SELECT account_id, created_at, last_seen, COALESCE(client, ''),"
                              " 0 FROM sessions WHERE id_hash = ?",
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
        out->expires_at = sqlite3_column_int64(st, 4);
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
    tz_err err = tz_sq_prep(
        db, "UPDATE sessions SET last_seen = ? WHERE id_hash = ? AND last_seen < ?", &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, t->at);
    sqlite3_bind_blob(st, 2, t->id_hash, TZ_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, t->at);
    return tz_sq_run_once(st);
}

tz_err tz_sq_session_touch(struct tz_store *store, const uint8_t id_hash[TZ_HASH_LEN], int64_t at)
{
    struct touch t = {id_hash, at};
    return tz_sq_in_write(store, touch_write, &t, NULL);
}

struct session_end {
    const uint8_t *id_hash;
    int64_t account_id;
};

static tz_err end_write(sqlite3 *db, void *ctx)
{
    const struct session_end *e = ctx;
    if (!e->id_hash) {
        tz_err err = tz_sq_exec_id(db, "DELETE FROM sessions WHERE account_id = ?", e->account_id);
        return err ? err
                   : tz_sq_exec_id(db, "UPDATE api_tokens SET revoked = 1 WHERE account_id = ?",
                                   e->account_id);
    }
    static const char *const sql[] = {
        "DELETE FROM sessions WHERE id_hash = ?",
        "UPDATE api_tokens SET revoked = 1 WHERE token_hash = ?",
    };
    for (size_t i = 0; i < 2; i++) {
        sqlite3_stmt *st;
        tz_err err = tz_sq_prep(db, sql[i], &st);
        if (err)
            return err;
        sqlite3_bind_blob(st, 1, e->id_hash, TZ_HASH_LEN, SQLITE_STATIC);
        if ((err = tz_sq_run_once(st)))
            return err;
    }
    return TZ_OK;
}

tz_err tz_sq_session_end(struct tz_store *store, const uint8_t *id_hash, int64_t account_id,
                         const struct tz_audit_rec *audit)
{
    struct session_end e = {id_hash, account_id};
    return tz_sq_in_write(store, end_write, &e, audit);
}
