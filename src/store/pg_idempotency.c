/*
 * pg_idempotency.c - the PostgreSQL backend's idempotency keys of reports (migration 24, as
 * sqlite_idempotency.c does it): written by tz_pg_insert_reports in the reports' own
 * transaction, read back by the hash of the key. The hash is the table's primary key, so a
 * second report under a key already taken fails its whole insert (TZ_ECONFLICT), which the
 * committer then retries one report at a time: only the duplicate is refused.
 */
#include <stdint.h>
#include <string.h>

#include "store/pg_internal.h"

static const char SQL_PUT_IDEM[] =
    "INSERT INTO report_idempotency (key_hash, report_id, body_hash, token_seal, photos, at)"
    " VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_GET_IDEM[] = "SELECT report_id, body_hash, token_seal, photos, at"
                                   " FROM report_idempotency WHERE key_hash = $1";

tz_err tz_pg_put_idempotency(struct tz_pg_conn *c, const struct tz_report_rec *recs, size_t count)
{
    tz_err err = TZ_OK;
    for (size_t i = 0; i < count && !err; i++) {
        const struct tz_report_idem *k = &recs[i].idem;
        if (!k->set)
            continue;
        struct tz_pg_args a = {0};
        tz_pg_arg_bytes(&a, k->key_hash, TZ_HASH_LEN);
        tz_pg_arg_int(&a, recs[i].id);
        tz_pg_arg_bytes(&a, k->body_hash, TZ_HASH_LEN);
        tz_pg_arg_bytes(&a, k->seal, k->seal_len);
        tz_pg_arg_int(&a, k->photo_count);
        tz_pg_arg_int(&a, recs[i].received_at);
        err = tz_pg_run(c, SQL_PUT_IDEM, &a, NULL, NULL); /* a key taken: TZ_ECONFLICT */
    }
    return err;
}

tz_err tz_pg_report_by_idempotency_key(struct tz_store *store, const uint8_t key_hash[TZ_HASH_LEN],
                                       struct tz_report_idem *out)
{
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_bytes(&a, key_hash, TZ_HASH_LEN);
    tz_err err = tz_pg_query(store, SQL_GET_IDEM, &a, &r);
    if (!err && PQntuples(r) == 0)
        err = TZ_ENOTFOUND;
    if (!err) {
        size_t body_len = 0;
        out->set = true;
        memcpy(out->key_hash, key_hash, TZ_HASH_LEN);
        out->report_id = tz_pg_int(r, 0, 0);
        tz_pg_bytes(r, 0, 1, out->body_hash, TZ_HASH_LEN, &body_len);
        tz_pg_bytes(r, 0, 2, out->seal, sizeof out->seal, &out->seal_len);
        out->photo_count = (int)tz_pg_int(r, 0, 3);
        out->at = tz_pg_int(r, 0, 4);
        /* A row this code did not write: a hash of another length, a seal too long or none. */
        if (body_len != TZ_HASH_LEN || PQgetlength(r, 0, 1) != 2 + 2 * TZ_HASH_LEN ||
            out->seal_len == 0 || (size_t)PQgetlength(r, 0, 2) != 2 + 2 * out->seal_len)
            err = TZ_EIO;
    }
    PQclear(r);
    return err;
}
