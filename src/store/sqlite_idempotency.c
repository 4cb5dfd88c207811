/*
 * sqlite_idempotency.c - the SQLite backend's idempotency keys of reports (migration 24):
 * written by tz_sq_insert_reports in the report's own transaction, read back by the hash of
 * the key. The key's hash is the table's primary key: a second report with a key already
 * taken fails its whole insert, which the committer then retries one report at a time, so
 * that only the duplicate is refused.
 */
#include <stdint.h>
#include <string.h>

#include "store/sqlite_internal.h"

static const char SQL_PUT_IDEM[] =
    "INSERT INTO report_idempotency (key_hash, report_id, body_hash, token_seal, photos, at)"
    " VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_GET_IDEM[] = "SELECT report_id, body_hash, token_seal, photos, at"
                                   " FROM report_idempotency WHERE key_hash = ?";

tz_err tz_sq_put_idempotency(struct tz_sq_conn *c, const struct tz_report_rec *recs, size_t count)
{
    tz_err err = TZ_OK;
    for (size_t i = 0; i < count && !err; i++) {
        const struct tz_report_idem *k = &recs[i].idem;
        if (!k->set)
            continue;
        sqlite3_stmt *st;
        if ((err = tz_sq_stmt(c, SQL_PUT_IDEM, &st)))
            break;
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_blob(&b, k->key_hash, TZ_HASH_LEN);
        tz_sq_bind_int64(&b, recs[i].id);
        tz_sq_bind_blob(&b, k->body_hash, TZ_HASH_LEN);
        tz_sq_bind_blob(&b, k->seal, (int)k->seal_len);
        tz_sq_bind_int64(&b, k->photo_count);
        tz_sq_bind_int64(&b, recs[i].received_at);
        if (b.rc != SQLITE_OK) {
            err = tz_sq_map_rc(b.rc);
        } else {
            int rc = sqlite3_step(st);
            /* The primary key: this key came with a report already (or earlier in the batch). */
            err = (rc & 0xff) == SQLITE_CONSTRAINT ? TZ_ECONFLICT
                  : rc == SQLITE_DONE              ? TZ_OK
                                                   : tz_sq_map_rc(rc);
        }
        tz_sq_stmt_done(st);
    }
    return err;
}

/* Copies a blob column of exactly n bytes (at most max for a variable one) into out. */
static bool read_blob(sqlite3_stmt *st, int col, uint8_t *out, size_t max, size_t *len)
{
    int n = sqlite3_column_bytes(st, col);
    const void *p = sqlite3_column_blob(st, col);
    if (n <= 0 || (size_t)n > max || !p || (!len && (size_t)n != max))
        return false;
    memcpy(out, p, (size_t)n);
    if (len)
        *len = (size_t)n;
    return true;
}

tz_err tz_sq_report_by_idempotency_key(struct tz_store *store, const uint8_t key_hash[TZ_HASH_LEN],
                                       struct tz_report_idem *out)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_GET_IDEM, &st);
    if (!err) {
        sqlite3_bind_blob(st, 1, key_hash, TZ_HASH_LEN, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            out->set = true;
            memcpy(out->key_hash, key_hash, TZ_HASH_LEN);
            out->report_id = sqlite3_column_int64(st, 0);
            out->photo_count = sqlite3_column_int(st, 3);
            out->at = sqlite3_column_int64(st, 4);
            if (!read_blob(st, 1, out->body_hash, TZ_HASH_LEN, NULL) ||
                !read_blob(st, 2, out->seal, sizeof out->seal, &out->seal_len))
                err = TZ_EIO; /* a row this code did not write */
        } else {
            err = rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
        }
    }
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}
