/*
 * backend.h - what a store backend provides (private to src/store).
 *
 * store.c owns the public functions of store.h: it checks their arguments,
 * applies the rules every backend shares (the page-size cap of a list, for
 * one) and then calls the backend through its table of operations. A backend
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

struct tz_store_ops {
    /* Releases everything the backend holds, the handle included. */
    void (*close)(struct tz_store *store);
    int (*schema_version)(struct tz_store *store);
    /* out has been zeroed. */
    void (*stats)(struct tz_store *store, struct tz_store_stats *out);

    tz_err (*categories)(struct tz_store *store, struct tz_category_rec **out, size_t *count);
    tz_err (*groups)(struct tz_store *store, struct tz_group_rec **out, size_t *count);

    tz_err (*put_districts)(struct tz_store *store, const struct tz_district_rec *recs,
                            size_t count);
    tz_err (*districts)(struct tz_store *store, struct tz_district_rec **out, size_t *count);

    /* count >= 1; on failure every recs[i].id is 0. */
    tz_err (*insert_reports)(struct tz_store *store, struct tz_report_rec *recs, size_t count);
    tz_err (*get_report)(struct tz_store *store, int64_t id, struct tz_report_rec *out);
    /* filter has been checked by store.c; limit is the effective one, 1..TZ_STORE_LIST_MAX. */
    tz_err (*list_reports)(struct tz_store *store, const struct tz_report_filter *filter,
                           size_t limit, struct tz_report_rec **out, size_t *count);
    tz_err (*count_reports)(struct tz_store *store, int64_t *count);

    /* change has been checked by store.c (statuses fit, actor is set). */
    tz_err (*change_status)(struct tz_store *store, const struct tz_status_change *change);
    tz_err (*set_public_description)(struct tz_store *store, int64_t report_id, const char *text);
    tz_err (*history)(struct tz_store *store, int64_t report_id, struct tz_transition_rec **out,
                      size_t *count);
    /* limit is 1..TZ_STORE_LIST_MAX. */
    tz_err (*reports_after)(struct tz_store *store, int64_t after_id, size_t limit,
                            struct tz_report_rec **out, size_t *count);
    tz_err (*transitions_after)(struct tz_store *store, int64_t after_seq, size_t limit,
                                struct tz_transition_rec **out, size_t *count);
    tz_err (*last_transition_seq)(struct tz_store *store, int64_t *seq);
    tz_err (*add_me_too)(struct tz_store *store, int64_t report_id,
                         const uint8_t reporter_hash[TZ_HASH_LEN], int64_t at, int *me_too);

    /* API keys (migration 6); name and hash have been checked by store.c. */
    tz_err (*put_api_key)(struct tz_store *store, const char *name, const uint8_t hash[TZ_HASH_LEN],
                          int64_t now, int64_t *id);
    tz_err (*revoke_api_key)(struct tz_store *store, int64_t id, int64_t now);
    tz_err (*api_keys)(struct tz_store *store, struct tz_api_key_rec **out, size_t *count);
    tz_err (*find_api_key)(struct tz_store *store, const uint8_t hash[TZ_HASH_LEN], int64_t *id);

    /* analysis (migration 7); arguments checked by store.c */
    tz_err (*merge_report)(struct tz_store *store, int64_t duplicate, int64_t original, int64_t at,
                           const char *actor, const char *note, const struct tz_audit_rec *audit);
    tz_err (*report_merges)(struct tz_store *store, int64_t id, struct tz_merge_rec **out,
                            size_t *count);
    tz_err (*scan_reports)(struct tz_store *store, const struct tz_scan_filter *filter,
                           tz_err (*fn)(void *ctx, const struct tz_report_row *row), void *ctx);

    /* Accounts, sessions and the audit log (store.h says what each does; sqlite_auth.c). */
    tz_err (*account_put)(struct tz_store *store, struct tz_account_rec *rec,
                          const struct tz_audit_rec *audit);
    tz_err (*account_get)(struct tz_store *store, const char *name, int64_t id,
                          struct tz_account_rec *out);
    tz_err (*accounts)(struct tz_store *store, struct tz_account_rec **out, size_t *count);
    tz_err (*account_login)(struct tz_store *store, struct tz_login_update *upd,
                            const struct tz_audit_rec *audit);
    tz_err (*session_put)(struct tz_store *store, const struct tz_session_rec *rec, bool is_token,
                          const char *label, const struct tz_audit_rec *audit);
    tz_err (*session_get)(struct tz_store *store, const uint8_t *id_hash, bool is_token,
                          struct tz_session_rec *out);
    tz_err (*session_touch)(struct tz_store *store, const uint8_t *id_hash, int64_t at);
    tz_err (*session_end)(struct tz_store *store, const uint8_t *id_hash, int64_t account_id,
                          const struct tz_audit_rec *audit);
    tz_err (*audit_append)(struct tz_store *store, struct tz_audit_rec *rec);
    tz_err (*audit_read)(struct tz_store *store, int64_t after_seq, size_t limit,
                         struct tz_audit_rec **out, size_t *count);
    tz_err (*institutions)(struct tz_store *store, struct tz_group_rec **out, size_t *count);
    tz_err (*review_description)(struct tz_store *store, int64_t report_id, const char *text,
                                 const struct tz_audit_rec *audit);
    tz_err (*assign_report)(struct tz_store *store, int64_t report_id, const char *account,
                            int64_t at, const struct tz_audit_rec *audit);
    tz_err (*report_assignee)(struct tz_store *store, int64_t report_id, char *out);
    tz_err (*queue)(struct tz_store *store, const char (*districts)[TZ_ID_MAX],
                    size_t district_count, const char *account, size_t limit,
                    struct tz_report_rec **out, size_t *count);
    tz_err (*compliance)(struct tz_store *store, const char (*districts)[TZ_ID_MAX],
                         size_t district_count, int64_t now, struct tz_compliance_rec **out,
                         size_t *count);
};

/* The public handle: every backend's own handle starts with one. */
struct tz_store {
    const struct tz_store_ops *ops;
};

/* Largest page of tz_store_list_reports, and the page when the filter asks for 0. */
#define TZ_STORE_LIST_MAX 1000
#define TZ_STORE_LIST_DEFAULT 100

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
extern const char tz_store_migrations_table[];

/* Growth helper shared by the backends: makes room for one more element in *arr. */
tz_err tz_store_grow(void **arr, size_t *cap, size_t len, size_t elem_size);

#endif
