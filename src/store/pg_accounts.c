/*
 * pg_accounts.c - the PostgreSQL backend's police accounts, login attempts, sessions and API
 * tokens (the operations src/auth uses). The statements of sqlite_accounts.c in PostgreSQL's
 * dialect; every write is one transaction with the audit entry it carries (tz_pg_in_write).
 * Sessions, lock-outs and failure counts live in the database, so every instance behind a
 * load balancer gives a client the same answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_internal.h"

#define ACCOUNT_COLS                                                                               \
    "id, name, role, COALESCE(unit, ''), password_hash, totp_secret, totp_last_step,"              \
    " failed_count, failed_since, locked_until, disabled, created_at"

static const char SQL_PASSWORD[] = "SELECT password_hash FROM accounts WHERE id = $1";
static const char SQL_INSERT_ACCOUNT[] =
    "INSERT INTO accounts (name, role, unit, password_hash, totp_secret, disabled, failed_count,"
    " failed_since, locked_until, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    " RETURNING id";
static const char SQL_UPDATE_ACCOUNT[] =
    "UPDATE accounts SET name = $1, role = $2, unit = $3, password_hash = $4, totp_secret = $5,"
    " disabled = $6, failed_count = $7, failed_since = $8, locked_until = $9 WHERE id = $10";
static const char SQL_DROP_DISTRICTS[] = "DELETE FROM account_districts WHERE account_id = $1";
static const char SQL_ADD_DISTRICT[] =
    "INSERT INTO account_districts (account_id, district_id) VALUES ($1, $2)"
    " ON CONFLICT (account_id, district_id) DO NOTHING";
static const char SQL_END_SESSIONS[] = "DELETE FROM sessions WHERE account_id = $1";
static const char SQL_REVOKE_TOKENS[] = "UPDATE api_tokens SET revoked = 1 WHERE account_id = $1";
static const char SQL_ACCOUNT_BY_NAME[] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE name = $1";
static const char SQL_ACCOUNT_BY_ID[] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE id = $1";
static const char SQL_ACCOUNTS[] = "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY name";
static const char SQL_DISTRICTS_OF[] =
    "SELECT district_id FROM account_districts WHERE account_id = $1 ORDER BY district_id";

/* A statement with one id argument. */
static tz_err run_id(struct tz_pg_conn *c, const char *sql, int64_t id, int64_t *changed)
{
    struct tz_pg_args a = {0};
    tz_pg_arg_int(&a, id);
    return tz_pg_run(c, sql, &a, NULL, changed);
}

/* ---- accounts ------------------------------------------------------------------------------ */

static tz_err password_changes(struct tz_pg_conn *c, int64_t id, const char *hash, bool *changes)
{
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_int(&a, id);
    tz_err err = tz_pg_run(c, SQL_PASSWORD, &a, &r, NULL);
    *changes = !err && PQntuples(r) && strcmp(PQgetvalue(r, 0, 0), hash) != 0;
    PQclear(r);
    return err;
}

static tz_err account_write(struct tz_pg_conn *c, void *ctx)
{
    struct tz_account_rec *r = ctx;
    bool insert = r->id == 0, new_password = false;
    tz_err err = insert ? TZ_OK : password_changes(c, r->id, r->password_hash, &new_password);
    if (err)
        return err;
    struct tz_pg_args a = {0};
    PGresult *res = NULL;
    int64_t changed = 0;
    tz_pg_arg_text(&a, r->name);
    tz_pg_arg_text(&a, r->role);
    tz_pg_arg_text(&a, r->unit[0] ? r->unit : NULL);
    tz_pg_arg_text(&a, r->password_hash);
    tz_pg_arg_bytes(&a, r->totp_secret, TZ_TOTP_SECRET_LEN);
    tz_pg_arg_int(&a, r->disabled);
    tz_pg_arg_int(&a, r->failed_count);
    tz_pg_arg_int(&a, r->failed_since);
    tz_pg_arg_int(&a, r->locked_until);
    tz_pg_arg_int(&a, insert ? r->created_at : r->id);
    err = tz_pg_run(c, insert ? SQL_INSERT_ACCOUNT : SQL_UPDATE_ACCOUNT, &a, &res, &changed);
    if (!err && insert)
        r->id = tz_pg_int(res, 0, 0);
    PQclear(res);
    if (err)
        return err;
    if (!insert && changed == 0)
        return TZ_ENOTFOUND;
    if ((err = run_id(c, SQL_DROP_DISTRICTS, r->id, NULL)))
        return err;
    for (size_t i = 0; i < r->district_count && !err; i++) {
        struct tz_pg_args d = {0};
        tz_pg_arg_int(&d, r->id);
        tz_pg_arg_text(&d, r->districts[i]);
        err = tz_pg_run(c, SQL_ADD_DISTRICT, &d, NULL, NULL);
    }
    /* A disabled account keeps no session and no token; nor does a new password leave the old
     * ones alive (changing it is what one does after a theft). */
    if (!err && (r->disabled || new_password) && !(err = run_id(c, SQL_END_SESSIONS, r->id, NULL)))
        err = run_id(c, SQL_REVOKE_TOKENS, r->id, NULL);
    return err;
}

tz_err tz_pg_account_put(struct tz_store *store, struct tz_account_rec *rec,
                         const struct tz_audit_rec *audit)
{
    int64_t id = rec->id;
    tz_err err = tz_pg_in_write(store, account_write, rec, audit);
    if (err)
        rec->id = id;
    return err;
}

struct district_bind {
    const char *district;
    int64_t account;
};

/* Takes the district from the others first, then gives it to the one: one transaction. */
static tz_err district_write(struct tz_pg_conn *c, void *ctx)
{
    static const char found[] = "SELECT (SELECT COUNT(*) FROM accounts WHERE id = $1),"
                                " (SELECT COUNT(*) FROM districts WHERE id = $2)";
    static const char take[] =
        "DELETE FROM account_districts WHERE district_id = $2 AND account_id <> $1";
    const struct district_bind *b = ctx;
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_int(&a, b->account);
    tz_pg_arg_text(&a, b->district);
    tz_err err = tz_pg_run(c, found, &a, &r, NULL);
    if (!err && !(tz_pg_int(r, 0, 0) > 0 && tz_pg_int(r, 0, 1) > 0))
        err = TZ_ENOTFOUND;
    PQclear(r);
    if (!err)
        err = tz_pg_run(c, take, &a, NULL, NULL);
    if (!err)
        err = tz_pg_run(c, SQL_ADD_DISTRICT, &a, NULL, NULL);
    return err;
}

tz_err tz_pg_district_assign(struct tz_store *store, const char *district_id, int64_t account_id,
                             const struct tz_audit_rec *audit)
{
    struct district_bind b = {district_id, account_id};
    return tz_pg_in_write(store, district_write, &b, audit);
}

/* Row `row` of an ACCOUNT_COLS result into r, with its districts read on c. */
static tz_err read_account(struct tz_pg_conn *c, const PGresult *res, int row,
                           struct tz_account_rec *r)
{
    memset(r, 0, sizeof *r);
    r->id = tz_pg_int(res, row, 0);
    tz_err err;
    if ((err = tz_pg_code(res, row, 1, r->name, sizeof r->name)) ||
        (err = tz_pg_code(res, row, 2, r->role, sizeof r->role)) ||
        (err = tz_pg_code(res, row, 3, r->unit, sizeof r->unit)) ||
        (err = tz_pg_code(res, row, 4, r->password_hash, sizeof r->password_hash)))
        return err;
    tz_pg_bytes(res, row, 5, r->totp_secret, sizeof r->totp_secret, NULL);
    r->totp_last_step = tz_pg_int(res, row, 6);
    r->failed_count = (int)tz_pg_int(res, row, 7);
    r->failed_since = tz_pg_int(res, row, 8);
    r->locked_until = tz_pg_int(res, row, 9);
    r->disabled = tz_pg_int(res, row, 10) != 0;
    r->created_at = tz_pg_int(res, row, 11);

    struct tz_pg_args a = {0};
    PGresult *ds = NULL;
    tz_pg_arg_int(&a, r->id);
    if ((err = tz_pg_run(c, SQL_DISTRICTS_OF, &a, &ds, NULL)))
        return err;
    for (int i = 0; i < PQntuples(ds) && r->district_count < TZ_ACCOUNT_DISTRICTS_MAX && !err; i++)
        if (!(err = tz_pg_code(ds, i, 0, r->districts[r->district_count], TZ_ID_MAX)))
            r->district_count++;
    PQclear(ds);
    return err;
}

struct account_read {
    const char *name;
    int64_t id;
    struct tz_account_rec *out;
    struct tz_account_rec **list;
    size_t *count;
};

static tz_err account_get_read(struct tz_pg_conn *c, void *ctx)
{
    struct account_read *q = ctx;
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    if (q->name)
        tz_pg_arg_text(&a, q->name);
    else
        tz_pg_arg_int(&a, q->id);
    tz_err err = tz_pg_run(c, q->name ? SQL_ACCOUNT_BY_NAME : SQL_ACCOUNT_BY_ID, &a, &r, NULL);
    if (!err)
        err = PQntuples(r) ? read_account(c, r, 0, q->out) : TZ_ENOTFOUND;
    PQclear(r);
    return err;
}

tz_err tz_pg_account_get(struct tz_store *store, const char *name, int64_t id,
                         struct tz_account_rec *out)
{
    struct account_read q = {.name = name, .id = id, .out = out};
    return tz_pg_in_read(store, account_get_read, &q);
}

static tz_err accounts_read(struct tz_pg_conn *c, void *ctx)
{
    struct account_read *q = ctx;
    PGresult *r = NULL;
    tz_err err = tz_pg_run(c, SQL_ACCOUNTS, NULL, &r, NULL);
    int n = err ? 0 : PQntuples(r);
    struct tz_account_rec *recs = n ? calloc((size_t)n, sizeof *recs) : NULL;
    if (n && !recs)
        err = TZ_ENOMEM;
    for (int i = 0; i < n && !err; i++)
        err = read_account(c, r, i, &recs[i]);
    PQclear(r);
    if (err) {
        free(recs);
        return err;
    }
    *q->list = recs;
    *q->count = (size_t)n;
    return TZ_OK;
}

tz_err tz_pg_accounts(struct tz_store *store, struct tz_account_rec **out, size_t *count)
{
    struct account_read q = {.list = out, .count = count};
    return tz_pg_in_read(store, accounts_read, &q);
}

/* ---- logins --------------------------------------------------------------------------------- */

/* A success: the accepted TOTP step (compare and set: each code once) and a clean count. */
static tz_err login_success(struct tz_pg_conn *c, const struct tz_login_update *u)
{
    static const char sql[] =
        "UPDATE accounts SET failed_count = 0, failed_since = 0, totp_last_step = $1"
        " WHERE id = $2 AND totp_last_step < $1";
    struct tz_pg_args a = {0};
    int64_t changed = 0;
    tz_pg_arg_int(&a, u->totp_step);
    tz_pg_arg_int(&a, u->account_id);
    tz_err err = tz_pg_run(c, sql, &a, NULL, &changed);
    return err ? err : changed ? TZ_OK : TZ_ECONFLICT;
}

/* A failure, counted in the statement itself (no read-modify-write across instances). */
static tz_err login_failure(struct tz_pg_conn *c, struct tz_login_update *u)
{
    static const char count[] =
        "UPDATE accounts SET"
        " failed_count = CASE WHEN failed_since = 0 OR $1 - failed_since >= $2"
        "  THEN 1 ELSE failed_count + 1 END,"
        " failed_since = CASE WHEN failed_since = 0 OR $1 - failed_since >= $2"
        "  THEN $1 ELSE failed_since END"
        " WHERE id = $3 RETURNING failed_count";
    static const char lock[] =
        "UPDATE accounts SET locked_until = GREATEST(locked_until, $1), failed_count = 0,"
        " failed_since = 0 WHERE id = $2";
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    int64_t ended = 0;
    tz_pg_arg_int(&a, u->now);
    tz_pg_arg_int(&a, u->window_s);
    tz_pg_arg_int(&a, u->account_id);
    tz_err err = tz_pg_run(c, count, &a, &r, NULL);
    if (!err && PQntuples(r) == 0)
        err = TZ_ENOTFOUND;
    u->failures = err ? 0 : (int)tz_pg_int(r, 0, 0);
    PQclear(r);
    if (!err && u->failures >= u->lock_failures) {
        u->locked_until = u->now + u->lock_s;
        struct tz_pg_args l = {0};
        tz_pg_arg_int(&l, u->locked_until);
        tz_pg_arg_int(&l, u->account_id);
        err = tz_pg_run(c, lock, &l, NULL, NULL);
        /* Whoever guessed may have got in before the lock: its sessions end with it. */
        if (!err)
            err = run_id(c, SQL_END_SESSIONS, u->account_id, &ended);
        u->failures = 0;
    }
    if (!err && u->fields && u->fields_size) {
        if (u->locked_until)
            snprintf(u->fields, u->fields_size, "{\"locked_until\":%lld,\"sessions_ended\":%lld}",
                     (long long)u->locked_until, (long long)ended);
        else
            snprintf(u->fields, u->fields_size, "{\"failures\":%d}", u->failures);
    }
    return err;
}

static tz_err login_write(struct tz_pg_conn *c, void *ctx)
{
    struct tz_login_update *u = ctx;
    return u->failure ? login_failure(c, u) : login_success(c, u);
}

tz_err tz_pg_account_login(struct tz_store *store, struct tz_login_update *upd,
                           const struct tz_audit_rec *audit)
{
    return tz_pg_in_write(store, login_write, upd, audit);
}

/* ---- sessions and API tokens ---------------------------------------------------------------- */

struct session_write {
    const struct tz_session_rec *rec;
    bool is_token;
    const char *label;
};

static tz_err session_write(struct tz_pg_conn *c, void *ctx)
{
    static const char token[] = "INSERT INTO api_tokens (token_hash, account_id, created_at,"
                                " label, expires_at) VALUES ($1, $2, $3, $4, $5)";
    static const char session[] = "INSERT INTO sessions (id_hash, account_id, created_at,"
                                  " last_seen, client) VALUES ($1, $2, $3, $4, $5)";
    const struct session_write *w = ctx;
    struct tz_pg_args a = {0};
    tz_pg_arg_bytes(&a, w->rec->id_hash, TZ_HASH_LEN);
    tz_pg_arg_int(&a, w->rec->account_id);
    tz_pg_arg_int(&a, w->rec->created_at);
    if (w->is_token) {
        tz_pg_arg_text(&a, w->label);
        tz_pg_arg_int(&a, w->rec->expires_at);
    } else {
        tz_pg_arg_int(&a, w->rec->last_seen);
        tz_pg_arg_text(&a, w->rec->client);
    }
    return tz_pg_run(c, w->is_token ? token : session, &a, NULL, NULL);
}

tz_err tz_pg_session_put(struct tz_store *store, const struct tz_session_rec *rec, bool is_token,
                         const char *label, const struct tz_audit_rec *audit)
{
    struct session_write w = {rec, is_token, label};
    return tz_pg_in_write(store, session_write, &w, audit);
}

tz_err tz_pg_session_get(struct tz_store *store, const uint8_t id_hash[TZ_HASH_LEN], bool is_token,
                         struct tz_session_rec *out)
{
    static const char token[] = "SELECT account_id, created_at, created_at, '', expires_at"
                                " FROM api_tokens WHERE token_hash = $1 AND revoked = 0";
    static const char session[] = "SELECT account_id, created_at, last_seen, COALESCE(client, ''),"
                                  " 0 FROM sessions WHERE id_hash = $1";
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_bytes(&a, id_hash, TZ_HASH_LEN);
    tz_err err = tz_pg_query(store, is_token ? token : session, &a, &r);
    if (!err && PQntuples(r) == 0)
        err = TZ_ENOTFOUND;
    if (!err) {
        memcpy(out->id_hash, id_hash, TZ_HASH_LEN);
        out->account_id = tz_pg_int(r, 0, 0);
        out->created_at = tz_pg_int(r, 0, 1);
        out->last_seen = tz_pg_int(r, 0, 2);
        out->expires_at = tz_pg_int(r, 0, 4);
        err = tz_pg_code(r, 0, 3, out->client, sizeof out->client);
    }
    PQclear(r);
    return err;
}

tz_err tz_pg_session_touch(struct tz_store *store, const uint8_t id_hash[TZ_HASH_LEN], int64_t at)
{
    static const char sql[] =
        "UPDATE sessions SET last_seen = $1 WHERE id_hash = $2 AND last_seen < $1";
    struct tz_pg_args a = {0};
    tz_pg_arg_int(&a, at);
    tz_pg_arg_bytes(&a, id_hash, TZ_HASH_LEN);
    return tz_pg_query(store, sql, &a, NULL); /* one statement: its own transaction */
}

struct session_end {
    const uint8_t *id_hash;
    int64_t account_id;
};

static tz_err end_write(struct tz_pg_conn *c, void *ctx)
{
    static const char end_one[] = "DELETE FROM sessions WHERE id_hash = $1";
    static const char revoke_one[] = "UPDATE api_tokens SET revoked = 1 WHERE token_hash = $1";
    const struct session_end *e = ctx;
    if (!e->id_hash) {
        tz_err err = run_id(c, SQL_END_SESSIONS, e->account_id, NULL);
        return err ? err : run_id(c, SQL_REVOKE_TOKENS, e->account_id, NULL);
    }
    struct tz_pg_args a = {0};
    tz_pg_arg_bytes(&a, e->id_hash, TZ_HASH_LEN);
    tz_err err = tz_pg_run(c, end_one, &a, NULL, NULL);
    return err ? err : tz_pg_run(c, revoke_one, &a, NULL, NULL);
}

tz_err tz_pg_session_end(struct tz_store *store, const uint8_t *id_hash, int64_t account_id,
                         const struct tz_audit_rec *audit)
{
    struct session_end e = {id_hash, account_id};
    return tz_pg_in_write(store, end_write, &e, audit);
}
