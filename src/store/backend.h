/*
 * backend.h - what a store backend provides (private to src/store).
 *
 * store.c owns the public functions of the store's headers: generated from
 * each operation's one entry (common.h), they check the arguments against
 * the entry's preconditions and then call the backend through its table of
 * operations, whose members come from the same entries. A backend
 * (sqlite.c today, a PostgreSQL one later) embeds struct tz_store as the first
 * member of its own handle and fills in every operation of struct
 * tz_store_ops. The operations may assume that their pointer arguments are
 * valid and that out-parameters have been reset to empty.
 *
 * The schema is kept as numbered migrations in portable SQL (migrations.c),
 * shared by every backend; applying them is the backend's job.
 */
#ifndef TZ_STORE_BACKEND_H
#define TZ_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

/* Every operation of every aggregate header (see common.h). */
#define TZ_STORE_ALL_OPS(X)                                                                        \
    TZ_STORE_CATALOG_OPS(X)                                                                        \
    TZ_STORE_REPORT_OPS(X)                                                                         \
    TZ_STORE_PHOTO_OPS(X)                                                                          \
    TZ_STORE_IDEMPOTENCY_OPS(X)                                                                    \
    TZ_STORE_APIKEY_OPS(X)                                                                         \
    TZ_STORE_ANALYSIS_OPS(X)                                                                       \
    TZ_STORE_ACCOUNT_OPS(X)                                                                        \
    TZ_STORE_AUDIT_OPS(X)                                                                          \
    TZ_STORE_ADDRESS_OPS(X)                                                                        \
    TZ_STORE_SEARCH_OPS(X)                                                                         \
    TZ_STORE_WATCHLIST_OPS(X)                                                                      \
    TZ_STORE_EXCHANGE_OPS(X)                                                                       \
    TZ_STORE_EXCHANGE_SPOC_OPS(X)                                                                  \
    TZ_STORE_XEVENT_OPS(X)                                                                         \
    TZ_STORE_ALERT_OPS(X)                                                                          \
    TZ_STORE_FEDERATION_OPS(X)                                                                     \
    TZ_STORE_ASSIST_CASE_OPS(X)

/* A member of the table: tz_err (*name)(parameters). */
#define TZ_STORE_OP_MEMBER(name, params, args, pre) tz_err(*name) params;

struct tz_store_ops {
    /* Releases everything the backend holds, the handle included. */
    void (*close)(struct tz_store *store);
    int (*schema_version)(struct tz_store *store);
    /* out has been zeroed. */
    void (*stats)(struct tz_store *store, struct tz_store_stats *out);
    /* Whether this process can write now, cheaply (tz_store_write_probe); NULL: not known. */
    tz_err (*write_probe)(struct tz_store *store);
    /* tz_store_hold; NULL: fn runs as it is (each write its own transaction). */
    tz_err (*hold)(struct tz_store *store, tz_err (*fn)(void *ctx), void *ctx);
    /* tz_store_watch; NULL: the backend has no change notices (TZ_EUNSUPPORTED). */
    tz_err (*watch)(struct tz_store *store, void (*fn)(void *ctx), void *ctx);

    /* One member per operation of the aggregate headers, called once the preconditions hold. */
    TZ_STORE_ALL_OPS(TZ_STORE_OP_MEMBER)
};

/* The public handle: every backend's own handle starts with one. */
struct tz_store {
    const struct tz_store_ops *ops;
};

/* Largest page of tz_store_list_reports, and the page when the filter asks for 0. */
#define TZ_STORE_LIST_MAX 1000
#define TZ_STORE_LIST_DEFAULT 100

/* The page of a list for the limit a filter asks for: the default for 0, at most the largest. */
static inline size_t tz_store_page(size_t limit)
{
    return limit == 0                  ? TZ_STORE_LIST_DEFAULT
           : limit > TZ_STORE_LIST_MAX ? TZ_STORE_LIST_MAX
                                       : limit;
}

/*
 * The schema as numbered migrations: tz_store_migration_sql[i] brings a
 * database from version i to version i + 1. Each is one or more portable SQL
 * statements separated by ';', applied in its own transaction. A database's
 * version is the highest number in its schema_migrations table, which
 * tz_store_migrations_table creates.
 */
extern const char *const tz_store_migration_sql[];
/*
 * The grid cell of a report's point, as SQL over its lat and lon: squares of
 * 1/TZ_STORE_CELLS_PER_DEGREE degree (about 2.2 km by 1.4 km in Poland),
 * numbered row * TZ_STORE_CELL_ROW_STRIDE + column, rows from the south pole
 * and columns from 180° W. Migration 3 indexes this expression, and a query
 * uses that index only with the very same expression; changing it takes a
 * new migration. (CAST truncates, which is floor() here since lat + 90 and
 * lon + 180 are never negative; PostgreSQL's CAST rounds, so a PostgreSQL
 * backend writes floor().)
 */
#define TZ_STORE_CELLS_PER_DEGREE 50
#define TZ_STORE_CELL_ROW_STRIDE 65536
#define TZ_STORE_CELL_SQL                                                                          \
    "(CAST((lat + 90) * 50 AS INTEGER) * 65536 + CAST((lon + 180) * 50 AS INTEGER))"
extern const int tz_store_migration_count;

/*
 * The audit chain's head file (audit_head.c): "SEQ HASH-IN-HEX\n", replaced
 * atomically (a temporary file beside it, fsync, rename, fsync of the
 * directory). TZ_EIO when it cannot be written.
 */
tz_err tz_store_audit_head_write(const char *path, int64_t seq, const uint8_t hash[TZ_HASH_LEN]);
extern const char tz_store_migrations_table[];

/* Growth helper shared by the backends: makes room for one more element in *arr. */
tz_err tz_store_grow(void **arr, size_t *cap, size_t len, size_t elem_size);

#endif
