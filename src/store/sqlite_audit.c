/*
 * sqlite_audit.c - the SQLite backend's audit log.
 *
 * The chain: each entry's hash covers the previous entry's hash
 * (tz_store_audit_hash). The append reads the last entry inside the writer's
 * BEGIN IMMEDIATE transaction, which other processes (the CLI) cannot enter
 * at the same time, so the chain never forks. Every write that carries an
 * audit entry appends it in its own transaction (tz_sq_audit_append_in), so
 * the entry and the change exist together or not at all (DESIGN 5).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

tz_err tz_sq_audit_append_in(sqlite3 *db, const struct tz_audit_rec *rec, struct tz_audit_rec *out)
{
    sqlite3_stmt *st;
    struct tz_audit_rec e = *rec;
    memset(e.prev_hash, 0, sizeof e.prev_hash);
    tz_err err = tz_sq_prep(db, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", &st);
    if (err)
        return err;
    int rc = sqlite3_step(st);
    e.seq = 1;
    if (rc == SQLITE_ROW) {
        e.seq = sqlite3_column_int64(st, 0) + 1;
        tz_sq_col_blob(st, 1, e.prev_hash, sizeof e.prev_hash);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return tz_sq_map_rc(rc);
    tz_store_audit_hash(&e, e.prev_hash, e.hash);
    err = tz_sq_prep(db,
                     "INSERT INTO audit_log (seq, at, actor, role, client, action, object, fields,"
                     " note, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, e.seq);
    sqlite3_bind_int64(st, 2, e.at);
    tz_sq_bind_at(st, 3, e.actor);
    tz_sq_bind_at(st, 4, e.role);
    tz_sq_bind_at(st, 5, e.client);
    tz_sq_bind_at(st, 6, e.action);
    tz_sq_bind_at(st, 7, e.object);
    tz_sq_bind_at(st, 8, e.fields);
    tz_sq_bind_at(st, 9, e.note);
    tz_sq_bind_at(st, 10, e.outcome);
    sqlite3_bind_blob(st, 11, e.prev_hash, TZ_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 12, e.hash, TZ_HASH_LEN, SQLITE_STATIC);
    err = tz_sq_run_once(st);
    if (!err && out) {
        out->seq = e.seq;
        memcpy(out->prev_hash, e.prev_hash, TZ_HASH_LEN);
        memcpy(out->hash, e.hash, TZ_HASH_LEN);
    }
    return err;
}

/* The hash of entry seq (0: the last entry, its seq into *seq); TZ_ENOTFOUND when there is none. */
static tz_err audit_entry_hash(sqlite3 *db, int64_t *seq, uint8_t hash[TZ_HASH_LEN])
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db,
                            *seq ? "SELECT seq, hash FROM audit_log WHERE seq = ?"
                                 : "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                            &st);
    if (err)
        return err;
    if (*seq)
        sqlite3_bind_int64(st, 1, *seq);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        memset(hash, 0, TZ_HASH_LEN);
        tz_sq_col_blob(st, 1, hash, TZ_HASH_LEN);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? TZ_OK : rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
}

tz_err tz_sq_audit_head_sync(sqlite3 *db, const char *path, int64_t *written)
{
    int64_t seq = 0, kept_seq = 0;
    uint8_t hash[TZ_HASH_LEN], kept[TZ_HASH_LEN], now_there[TZ_HASH_LEN];
    tz_err err = audit_entry_hash(db, &seq, hash);
    if (err == TZ_ENOTFOUND)
        seq = 0; /* an empty log: a head file, if any, must still be checked */
    else if (err)
        return err;
    if (seq && seq == *written)
        return TZ_OK; /* nothing appended since the last time */
    err = tz_store_audit_head_read(path, &kept_seq, kept);
    if (err == TZ_ENOTFOUND) {
        if (!seq)
            return TZ_OK;
    } else if (err) {
        return err; /* not a head file: left alone */
    } else {
        /* The chain must still hold the head the file records, or the file is the evidence. */
        int64_t at = kept_seq;
        if (kept_seq > seq || audit_entry_hash(db, &at, now_there) != TZ_OK ||
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

tz_err tz_sq_audit_append(struct tz_store *store, struct tz_audit_rec *rec)
{
    tz_err err = TZ_OK;
    sqlite3 *db = tz_sq_write_begin(store, &err);
    if (!db)
        return err;
    err = tz_sq_audit_append_in(db, rec, rec);
    return tz_sq_write_end(store, err);
}

tz_err tz_sq_audit_read(struct tz_store *store, int64_t after_seq, size_t limit,
                        struct tz_audit_rec **out, size_t *count)
{
    sqlite3 *db = tz_sq_read_begin(store);
    sqlite3_stmt *st = NULL;
    struct tz_audit_rec *recs = calloc(limit, sizeof *recs);
    size_t n = 0;
    tz_err err =
        recs ? tz_sq_prep(db,
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
        if ((err = tz_sq_col_dup(st, 2, &r->actor)) || (err = tz_sq_col_dup(st, 3, &r->role)) ||
            (err = tz_sq_col_dup(st, 4, &r->client)) || (err = tz_sq_col_dup(st, 5, &r->action)) ||
            (err = tz_sq_col_dup(st, 6, &r->object)) || (err = tz_sq_col_dup(st, 7, &r->fields)) ||
            (err = tz_sq_col_dup(st, 8, &r->note)) || (err = tz_sq_col_dup(st, 9, &r->outcome)))
            goto done;
        tz_sq_col_blob(st, 10, r->prev_hash, TZ_HASH_LEN);
        tz_sq_col_blob(st, 11, r->hash, TZ_HASH_LEN);
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
