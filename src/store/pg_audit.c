/*
 * pg_audit.c - the PostgreSQL backend's audit log and the Open311 API keys.
 *
 * One chain for every instance: an append takes a transaction-scoped advisory lock before it
 * reads the last entry, so appends from any number of processes on any number of machines
 * queue on the database, each sees the entry the one before it committed (READ COMMITTED reads
 * what committed before each statement), and the chain never forks. The lock is released by the
 * COMMIT or ROLLBACK of the transaction that carries the entry with its effect, so the entry and
 * the change exist together or not at all (DESIGN 5). seq is given here, the last one plus one,
 * not by the identity: a rolled-back append leaves no gap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_internal.h"

/* The key of the audit chain's advisory lock ("tzaudit" in ASCII). */
static const char SQL_LOCK[] = "SELECT pg_advisory_xact_lock(x'747a6175646974'::bigint)";
static const char SQL_LAST[] = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";
static const char SQL_ENTRY[] = "SELECT seq, hash FROM audit_log WHERE seq = $1";
static const char SQL_APPEND[] =
    "INSERT INTO audit_log (seq, at, actor, role, client, action, object, fields, note, outcome,"
    " prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
static const char SQL_READ[] =
    "SELECT seq, at, actor, role, client, action, object, fields, note, outcome, prev_hash, hash"
    " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2";

/* The entry seq (0: the last one, its seq into *seq) and its hash; TZ_ENOTFOUND when none. */
static tz_err entry_hash(struct tz_pg_conn *c, int64_t *seq, uint8_t hash[TZ_HASH_LEN])
{
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    if (*seq)
        tz_pg_arg_int(&a, *seq);
    tz_err err = tz_pg_run(c, *seq ? SQL_ENTRY : SQL_LAST, *seq ? &a : NULL, &r, NULL);
    if (!err && PQntuples(r) == 0)
        err = TZ_ENOTFOUND;
    if (!err) {
        *seq = tz_pg_int(r, 0, 0);
        tz_pg_bytes(r, 0, 1, hash, TZ_HASH_LEN, NULL);
    }
    PQclear(r);
    return err;
}

tz_err tz_pg_audit_append_in(struct tz_pg_conn *c, const struct tz_audit_rec *rec,
                             struct tz_audit_rec *out)
{
    struct tz_audit_rec e = *rec;
    memset(e.prev_hash, 0, sizeof e.prev_hash);
    e.seq = 0;
    tz_err err = tz_pg_run(c, SQL_LOCK, NULL, NULL, NULL);
    if (!err && (err = entry_hash(c, &e.seq, e.prev_hash)) == TZ_ENOTFOUND)
        err = TZ_OK; /* the first entry */
    if (err)
        return err;
    e.seq++;
    tz_store_audit_hash(&e, e.prev_hash, e.hash);
    struct tz_pg_args a = {0};
    tz_pg_arg_int(&a, e.seq);
    tz_pg_arg_int(&a, e.at);
    tz_pg_arg_text(&a, e.actor);
    tz_pg_arg_text(&a, e.role);
    tz_pg_arg_text(&a, e.client);
    tz_pg_arg_text(&a, e.action);
    tz_pg_arg_text(&a, e.object);
    tz_pg_arg_text(&a, e.fields);
    tz_pg_arg_text(&a, e.note);
    tz_pg_arg_text(&a, e.outcome);
    tz_pg_arg_bytes(&a, e.prev_hash, TZ_HASH_LEN);
    tz_pg_arg_bytes(&a, e.hash, TZ_HASH_LEN);
    err = tz_pg_run(c, SQL_APPEND, &a, NULL, NULL);
    if (!err && out) {
        out->seq = e.seq;
        memcpy(out->prev_hash, e.prev_hash, TZ_HASH_LEN);
        memcpy(out->hash, e.hash, TZ_HASH_LEN);
    }
    return err;
}

static tz_err append_write(struct tz_pg_conn *c, void *ctx)
{
    struct tz_audit_rec *rec = ctx;
    return tz_pg_audit_append_in(c, rec, rec);
}

tz_err tz_pg_audit_append(struct tz_store *store, struct tz_audit_rec *rec)
{
    return tz_pg_in_write(store, append_write, rec, NULL);
}

/* The head file against the chain, as tz_sq_audit_head_sync does (sqlite_audit.c). */
tz_err tz_pg_audit_head_check(struct tz_pg_conn *c, const char *path, int64_t *written)
{
    int64_t seq = 0, kept_seq = 0;
    uint8_t hash[TZ_HASH_LEN], kept[TZ_HASH_LEN], now_there[TZ_HASH_LEN];
    tz_err err = entry_hash(c, &seq, hash);
    if (err == TZ_ENOTFOUND)
        seq = 0;
    else if (err)
        return err;
    if (seq && seq == *written)
        return TZ_OK;
    err = tz_store_audit_head_read(path, &kept_seq, kept);
    if (err == TZ_ENOTFOUND) {
        if (!seq)
            return TZ_OK;
    } else if (err) {
        return err;
    } else {
        int64_t at = kept_seq;
        if (kept_seq > seq || entry_hash(c, &at, now_there) != TZ_OK ||
            memcmp(now_there, kept, TZ_HASH_LEN) != 0)
            return TZ_ECONFLICT;
        if (kept_seq == seq) {
            *written = seq;
            return TZ_OK;
        }
    }
    err = tz_store_audit_head_write(path, seq, hash);
    if (!err)
        *written = seq;
    return err;
}

static tz_err read_entry(const PGresult *res, int row, void *elem)
{
    struct tz_audit_rec *r = elem;
    r->seq = tz_pg_int(res, row, 0);
    r->at = tz_pg_int(res, row, 1);
    const char **fields[] = {&r->actor,  &r->role,   &r->client, &r->action,
                             &r->object, &r->fields, &r->note,   &r->outcome};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        char *s;
        tz_err err = tz_pg_strdup(res, row, (int)i + 2, &s);
        if (err)
            return err;
        *fields[i] = s;
    }
    tz_pg_bytes(res, row, 10, r->prev_hash, TZ_HASH_LEN, NULL);
    tz_pg_bytes(res, row, 11, r->hash, TZ_HASH_LEN, NULL);
    return TZ_OK;
}

static void free_entries(void *recs, size_t count)
{
    tz_audit_recs_free(recs, count);
}

tz_err tz_pg_audit_read(struct tz_store *store, int64_t after_seq, size_t limit,
                        struct tz_audit_rec **out, size_t *count)
{
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_int(&a, after_seq);
    tz_pg_arg_int(&a, (int64_t)limit);
    tz_err err = tz_pg_query(store, SQL_READ, &a, &r);
    if (!err)
        err = tz_pg_read_rows(r, sizeof **out, read_entry, free_entries, (void **)out, count);
    PQclear(r);
    return err;
}

/* ---- API keys ------------------------------------------------------------------------------- */

struct key_put {
    const char *name;
    const uint8_t *hash;
    int64_t now;
    const struct tz_audit_rec *audit;
    int64_t *id;
};

static tz_err key_put_write(struct tz_pg_conn *c, void *ctx)
{
    static const char sql[] =
        "INSERT INTO api_keys (name, key_hash, created_at) VALUES ($1, $2, $3) RETURNING id";
    struct key_put *k = ctx;
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_text(&a, k->name);
    tz_pg_arg_bytes(&a, k->hash, TZ_HASH_LEN);
    tz_pg_arg_int(&a, k->now);
    tz_err err = tz_pg_run(c, sql, &a, &r, NULL);
    if (!err)
        *k->id = tz_pg_int(r, 0, 0);
    PQclear(r);
    if (err == TZ_ECONFLICT)
        err = TZ_EINVAL; /* a hash already used, as the SQLite backend says it */
    if (!err && k->audit) {
        struct tz_audit_rec e = *k->audit;
        char object[48];
        snprintf(object, sizeof object, "apikey/%lld", (long long)*k->id);
        e.object = e.object ? e.object : object;
        err = tz_pg_audit_append_in(c, &e, NULL);
    }
    return err;
}

tz_err tz_pg_put_api_key(struct tz_store *store, const char *name, const uint8_t hash[TZ_HASH_LEN],
                         int64_t now, const struct tz_audit_rec *audit, int64_t *id)
{
    struct key_put k = {name, hash, now, audit, id};
    tz_err err = tz_pg_in_write(store, key_put_write, &k, NULL);
    if (err)
        *id = 0;
    return err;
}

struct key_revoke {
    int64_t id, now;
};

static tz_err key_revoke_write(struct tz_pg_conn *c, void *ctx)
{
    static const char revoke[] =
        "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL";
    static const char state[] = "SELECT revoked_at FROM api_keys WHERE id = $1";
    const struct key_revoke *k = ctx;
    struct tz_pg_args a = {0};
    int64_t changed = 0;
    tz_pg_arg_int(&a, k->now);
    tz_pg_arg_int(&a, k->id);
    tz_err err = tz_pg_run(c, revoke, &a, NULL, &changed);
    if (err || changed)
        return err;
    struct tz_pg_args b = {0};
    PGresult *r = NULL;
    tz_pg_arg_int(&b, k->id);
    if (!(err = tz_pg_run(c, state, &b, &r, NULL)))
        err = PQntuples(r) ? TZ_ECONFLICT : TZ_ENOTFOUND; /* revoked already, or no such key */
    PQclear(r);
    return err;
}

tz_err tz_pg_revoke_api_key(struct tz_store *store, int64_t id, int64_t now,
                            const struct tz_audit_rec *audit)
{
    struct key_revoke k = {id, now};
    return tz_pg_in_write(store, key_revoke_write, &k, audit);
}

static tz_err read_api_key(const PGresult *res, int row, void *elem)
{
    struct tz_api_key_rec *k = elem;
    k->id = tz_pg_int(res, row, 0);
    k->created_at = tz_pg_int(res, row, 2);
    k->revoked_at = tz_pg_int(res, row, 3); /* NULL reads as 0 */
    return tz_pg_code(res, row, 1, k->name, sizeof k->name);
}

static void free_api_keys(void *recs, size_t count)
{
    (void)count;
    free(recs);
}

tz_err tz_pg_api_keys(struct tz_store *store, struct tz_api_key_rec **out, size_t *count)
{
    static const char sql[] = "SELECT id, name, created_at, revoked_at FROM api_keys ORDER BY id";
    PGresult *r = NULL;
    tz_err err = tz_pg_query(store, sql, NULL, &r);
    if (!err)
        err = tz_pg_read_rows(r, sizeof **out, read_api_key, free_api_keys, (void **)out, count);
    PQclear(r);
    return err;
}

tz_err tz_pg_find_api_key(struct tz_store *store, const uint8_t hash[TZ_HASH_LEN], int64_t *id)
{
    static const char sql[] = "SELECT id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL";
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_bytes(&a, hash, TZ_HASH_LEN);
    tz_err err = tz_pg_query(store, sql, &a, &r);
    if (!err)
        err = PQntuples(r) ? TZ_OK : TZ_ENOTFOUND;
    if (!err)
        *id = tz_pg_int(r, 0, 0);
    PQclear(r);
    return err;
}
