/*
 * sqlite_addresses.c - the SQLite backend's address points (migration 15):
 * an import written in one transaction with its audit entry, and the walk
 * over every row that the address index is built from at start.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

static const char SQL_PUT_ADDRESS[] =
    "INSERT INTO addresses (locality, street, number, postcode, lon, lat)"
    " VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (locality, street, number) DO UPDATE SET"
    " postcode = excluded.postcode, lon = excluded.lon, lat = excluded.lat";
static const char SQL_SCAN_ADDRESSES[] =
    "SELECT locality, street, number, postcode, lon, lat FROM addresses ORDER BY id";

/* Inserts (or refreshes) one address with the writer's cached statement. */
static tz_err put_one(struct tz_sq_conn *c, const struct tz_address_rec *r)
{
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_PUT_ADDRESS, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, r->locality);
    tz_sq_bind_text(&b, r->street);
    tz_sq_bind_text(&b, r->number);
    tz_sq_bind_text(&b, r->postcode);
    tz_sq_bind_double(&b, r->lon);
    tz_sq_bind_double(&b, r->lat);
    if ((err = tz_sq_map_rc(b.rc)))
        tz_sq_stmt_done(st);
    else
        err = tz_sq_stmt_run(st);
    return err;
}

tz_err tz_sq_put_addresses(struct tz_store *store, tz_store_address_next_fn next, void *ctx,
                           const struct tz_audit_rec *audit, size_t *stored)
{
    struct tz_sq_conn *c;
    struct tz_address_rec rec;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    while (!(err = next(ctx, &rec))) {
        if ((err = put_one(c, &rec)))
            break;
        (*stored)++;
    }
    if (err == TZ_ENOTFOUND)
        err = TZ_OK;
    if (!err && audit)
        err = tz_sq_audit_append_in(c->db, audit, NULL);
    err = tz_sq_writer_end(store, NULL, err);
    if (err)
        *stored = 0;
    return err;
}

/* Reads the current row of the scan into r; TZ_EIO when a column does not fit. */
static tz_err read_row(sqlite3_stmt *st, struct tz_address_rec *r)
{
    tz_err err;
    memset(r, 0, sizeof *r);
    if ((err = tz_sq_col_code(st, 0, r->locality, sizeof r->locality)) ||
        (err = tz_sq_col_code(st, 1, r->street, sizeof r->street)) ||
        (err = tz_sq_col_code(st, 2, r->number, sizeof r->number)) ||
        (err = tz_sq_col_code(st, 3, r->postcode, sizeof r->postcode)))
        return err;
    r->lon = sqlite3_column_double(st, 4);
    r->lat = sqlite3_column_double(st, 5);
    return TZ_OK;
}

tz_err tz_sq_scan_addresses(struct tz_store *store, tz_store_address_fn fn, void *ctx)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    struct tz_address_rec r;
    tz_err err = tz_sq_stmt(c, SQL_SCAN_ADDRESSES, &st);
    int rc = SQLITE_DONE;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(err = read_row(st, &r)))
            err = fn(ctx, &r);
    }
    if (!err && rc != SQLITE_DONE)
        err = tz_sq_map_rc(rc);
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}
