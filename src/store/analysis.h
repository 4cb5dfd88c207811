/*
 * analysis.h - what analysis reads and writes in the store (migration 7):
 * merges of duplicates, and the scan over reports.
 */
#ifndef TZ_STORE_ANALYSIS_H
#define TZ_STORE_ANALYSIS_H

#include "store/common.h"

/* A duplicate merged into its original. */
struct tz_merge_rec {
    int64_t report_id;   /* the duplicate */
    int64_t original_id; /* the report it was merged into */
    int64_t at;
    char *actor;
    char *note; /* may be NULL */
};

void tz_merge_recs_free(struct tz_merge_rec *recs, size_t count);

/* One report as a scan sees it: the columns analysis needs, valid during the callback only. */
struct tz_report_row {
    int64_t id;
    const char *category;
    double lat, lon;
    const char *district_id;
    const char *unit; /* the district's unit */
    const char *status;
    int64_t received_at, status_changed_at;
    int64_t takeup_due, taken_up_at, verify_due, verified_at; /* 0 = not yet */
    int me_too;
    int64_t merged_into; /* the original, for a merged duplicate; 0 otherwise */
};

/* Which reports a scan reads: received in [from, to) (0 = open), of one district or all. */
struct tz_scan_filter {
    const char *district_id; /* NULL for every district */
    int64_t from, to;
};

/*
 * The operations on analysis, declared once (see common.h): X(name, (parameters),
 * (arguments), preconditions).
 */
/* clang-format off */
#define TZ_STORE_ANALYSIS_OPS(X)                                                                   \
    /*                                                                                             \
     * Merges the report `duplicate` into `original` at `at` by actor, with a                      \
     * note (may be NULL), in one transaction; both reports stay as they are.                      \
     * TZ_EINVAL for the same id twice or no actor; TZ_ENOTFOUND when either                       \
     * report does not exist; TZ_ECONFLICT when duplicate is merged already, when                  \
     * original is itself a duplicate (merge into its original instead) or when                    \
     * duplicate has duplicates of its own. audit (may be NULL) is appended to the                 \
     * audit log in the same transaction.                                                          \
     */                                                                                            \
    X(merge_report, (struct tz_store *store, int64_t duplicate, int64_t original, int64_t at,      \
       const char *actor, const char *note, const struct tz_audit_rec *audit),                     \
      (store, duplicate, original, at, actor, note, audit),                                        \
      TZ_PRE_NEED(duplicate > 0 && original > 0 && duplicate != original && actor && *actor))      \
    /* The merges that involve report id, as duplicate or as original, oldest first. */            \
    X(report_merges, (struct tz_store *store, int64_t id, struct tz_merge_rec **out,               \
       size_t *count),                                                                             \
      (store, id, out, count),                                                                     \
      TZ_PRE_EMPTY(out, count) TZ_PRE_IF(id <= 0, TZ_OK))                                          \
    /*                                                                                             \
     * Calls fn for every report the filter matches, in id order, on one                           \
     * consistent snapshot. A non-zero return of fn stops the scan and is returned.                \
     */                                                                                            \
    X(scan_reports, (struct tz_store *store, const struct tz_scan_filter *filter,                  \
       tz_err (*fn)(void *ctx, const struct tz_report_row *row), void *ctx),                       \
      (store, filter, fn, ctx),                                                                    \
      TZ_PRE_NEED(filter && fn))                                                                 \
    /* The ids of every report merged into another (a duplicate), ascending; free() them. */      \
    X(merged_duplicates, (struct tz_store *store, int64_t **out, size_t *count),                   \
      (store, out, count),                                                                         \
      TZ_PRE_EMPTY(out, count))
/* clang-format on */
TZ_STORE_ANALYSIS_OPS(TZ_STORE_DECLARE)

#endif
