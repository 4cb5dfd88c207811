/*
 * sqlite_apikeys.c - the SQLite backend's API keys of the Open311 interface
 * (migration 6): stored by the hash of the key, never the key itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

static const char SQL_PUT_API_KEY[] =
    "INSERT INTO api_keys (name, key_hash, created_at) VALUES (?, ?, ?)";
static const char SQL_REVOKE_API_KEY[] =
    "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL";
static const char SQL_API_KEY_STATE[] = "SELECT revoked_at FROM api_keys WHERE id = ?";
static const char SQL_API_KEYS[] =
    "SELECT id, name, created_at, revoked_at FROM api_keys ORDER BY id";
static const char SQL_FIND_API_KEY[] =
    "SELECT id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL";

tz_err tz_sq_put_api_key(struct tz_store *store, const char *name, const uint8_t hash[TZ_HASH_LEN],
                         int64_t now, const struct tz_audit_rec *audit, int64_t *id)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    if ((err = tz_sq_stmt(c, SQL_PUT_API_KEY, &st)))
        goto done;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, name);
    tz_sq_bind_blob(&b, hash, TZ_HASH_LEN);
    tz_sq_bind_int64(&b, now);
    if ((err = tz_sq_map_rc(b.rc)) || (err = tz_sq_stmt_run(st)))
        goto done;
    *id = sqlite3_last_insert_rowid(c->db);
    if (audit) {
        struct tz_audit_rec a = *audit;
        char object[48];
        snprintf(object, sizeof object, "apikey/%lld", (long long)*id);
        a.object = a.object ? a.object : object;
        err = tz_sq_audit_append_in(c->db, &a, NULL);
    }
done:
    err = tz_sq_writer_end(store, st, err);
    if (err)
        *id = 0;
    return err;
}

tz_err tz_sq_revoke_api_key(struct tz_store *store, int64_t id, int64_t now,
                            const struct tz_audit_rec *audit)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    if ((err = tz_sq_stmt(c, SQL_REVOKE_API_KEY, &st)))
        goto done;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, now);
    tz_sq_bind_int64(&b, id);
    if ((err = tz_sq_map_rc(b.rc)) || (err = tz_sq_stmt_run(st)))
        goto done;
    if (sqlite3_changes(c->db) == 0) {
        /* Either no such key or revoked already. */
        if ((err = tz_sq_stmt(c, SQL_API_KEY_STATE, &st)))
            goto done;
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        err = rc == SQLITE_ROW ? TZ_ECONFLICT : rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
        goto done;
    }
    if (audit)
        err = tz_sq_audit_append_in(c->db, audit, NULL);
done:
    return tz_sq_writer_end(store, st, err);
}

static tz_err read_api_key(sqlite3_stmt *st, void *elem)
{
    struct tz_api_key_rec *k = elem;
    k->id = sqlite3_column_int64(st, 0);
    k->created_at = sqlite3_column_int64(st, 2);
    k->revoked_at = sqlite3_column_int64(st, 3); /* NULL reads as 0 */
    return tz_sq_col_code(st, 1, k->name, sizeof k->name);
}

static void free_api_keys(void *recs, size_t count)
{
    free(recs);
}

tz_err tz_sq_api_keys(struct tz_store *store, struct tz_api_key_rec **out, size_t *count)
{
    return tz_sq_read_all(store, SQL_API_KEYS, 0, sizeof **out, read_api_key, free_api_keys,
                          (void **)out, count);
}

tz_err tz_sq_find_api_key(struct tz_store *store, const uint8_t hash[TZ_HASH_LEN], int64_t *id)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_FIND_API_KEY, &st);
    if (!err) {
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_blob(&b, hash, TZ_HASH_LEN);
        int rc = b.rc != SQLITE_OK ? b.rc : sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *id = sqlite3_column_int64(st, 0);
        else
            err = rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
    }
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}
