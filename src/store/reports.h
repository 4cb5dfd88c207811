/*
 * reports.h - the store's reports: insert (the group commit's primitive),
 * read, list, status changes and their history, the change feed, "me too",
 * and the police's work on them (reviewed descriptions, assignments, an
 * officer's queue, deadline compliance).
 */
#ifndef TZ_STORE_REPORTS_H
#define TZ_STORE_REPORTS_H

#include "store/common.h"
#include "store/idempotency.h"
#include "store/photos.h"

/* A report, as stored. Times are Unix seconds UTC; 0 means "not yet". */
struct tz_report_rec {
    int64_t id; /* assigned by the store on insert */
    char category[TZ_CODE_MAX];
    double lat, lon;
    char district_id[TZ_ID_MAX];
    char status[TZ_STATUS_MAX];
    char *description;        /* as the reporter wrote it; may be NULL */
    char *public_description; /* as an officer reviewed it; NULL until then */
    int64_t received_at;
    int64_t status_changed_at;
    int64_t takeup_due; /* deadline to take it up */
    int64_t taken_up_at;
    int64_t verify_due; /* deadline to verify; 0 until taken up */
    int64_t verified_at;
    int64_t when_date;   /* when it happens: a day (00:00 Polish time), or 0 */
    unsigned when_times; /* bit set of times of day: 1 morning, 2 afternoon, 4 evening, 8 night */
    unsigned when_weekdays;             /* bit set of weekdays: bit 0 Monday ... bit 6 Sunday */
    int me_too;                         /* citizens who confirmed it */
    uint8_t token_hash[TZ_HASH_LEN];    /* hash of the reporter's tracking token */
    uint8_t reporter_hash[TZ_HASH_LEN]; /* keyed hash of the reporter's address */
    int64_t api_key_id; /* the Open311 key that sent it, or 0; written, not read back */
    /* Its photos (owned), written with it by insert_reports; NULL when read back (photos_of). */
    struct tz_photo_rec *photos;
    size_t photo_count; /* at most TZ_REPORT_PHOTOS_MAX */
    /* Its idempotency key, written with it by insert_reports (migration 24); unset on reads. */
    struct tz_report_idem idem;
};

/* One status change of a report. */
struct tz_transition_rec {
    int64_t seq; /* its place among all changes of all reports, increasing */
    int64_t report_id;
    char from[TZ_STATUS_MAX];
    char to[TZ_STATUS_MAX];
    int64_t at;
    char *actor;       /* who made it */
    char *note;        /* why; may be NULL */
    char *referred_to; /* institution, for "referred"; may be NULL */
    char *public_note; /* the officer's words for everyone; may be NULL (migration 13) */
};

/* What a list of reports is filtered by. Zero-initialised means "everything". */
#define TZ_FILTER_MAX_CATEGORIES 64
struct tz_report_filter {
    bool has_bbox;
    double west, south, east, north;
    size_t category_count;
    char categories[TZ_FILTER_MAX_CATEGORIES][TZ_CODE_MAX];
    size_t status_count;
    char statuses[8][TZ_STATUS_MAX];
    int64_t from, to;  /* received_at in [from, to); 0 = open */
    int64_t before_id; /* keyset cursor: only ids below it; 0 = from the newest */
    size_t limit;      /* at most this many, newest first */
};

/* Where the store is asked to change a report's status (compare and set). */
struct tz_status_change {
    int64_t report_id;
    const char *expected_status; /* the change fails with TZ_ECONFLICT unless the report is in it */
    const char *new_status;
    int64_t at;
    int64_t taken_up_at; /* new values of these three when non-zero */
    int64_t verify_due;
    int64_t verified_at;
    const char *actor;
    const char *note;
    const char *referred_to;
    const char *public_note; /* may be NULL */
    const struct tz_audit_rec
        *audit; /* when set, appended to the audit log in the same transaction */
};

/* One report as the map index needs it, in a scan: the strings are valid during the callback. */
struct tz_map_row {
    int64_t id;
    const char *category, *status;
    double lat, lon;
    int64_t received_at, status_changed_at;
};
typedef tz_err (*tz_map_row_fn)(void *ctx, const struct tz_map_row *row);

/* Releases what a report record owns (not the record itself). */
void tz_report_rec_clear(struct tz_report_rec *rec);
void tz_report_recs_free(struct tz_report_rec *recs, size_t count);

void tz_transition_recs_free(struct tz_transition_rec *recs, size_t count);

/* Deadline compliance of one district (the supervisor's dashboard). */
struct tz_compliance_rec {
    char district_id[TZ_ID_MAX];
    int64_t reports;          /* received */
    int64_t taken_up;         /* taken up at all */
    int64_t taken_up_in_time; /* taken up by the take-up deadline */
    int64_t verified;
    int64_t verified_in_time; /* verified by the verification deadline */
    int64_t overdue;          /* open and past its deadline at `now` */
};

/*
 * The operations on reports, declared once (see common.h): X(name, (parameters),
 * (arguments), preconditions).
 */
/* clang-format off */
#define TZ_STORE_REPORT_OPS(X)                                                                     \
    /*                                                                                             \
     * Inserts count reports in one transaction and writes their new ids into                      \
     * recs[i].id (increasing in array order). All are stored or none is: on an                    \
     * error every recs[i].id is 0. TZ_EINVAL when a report breaks the schema                      \
     * (unknown category or district, unknown status code, lat/lon off the globe,                  \
     * when_times or when_weekdays out of range). The store does not check the                     \
     * threat-map rules (retired categories, required descriptions). This is the                   \
     * group-commit primitive: see committer.h for the thread that batches                         \
     * concurrent requests into it.                                                                \
     */                                                                                            \
    X(insert_reports, (struct tz_store *store, struct tz_report_rec *recs, size_t count),          \
      (store, recs, count),                                                                        \
      TZ_PRE_NEED(reports_fit(recs, count)) TZ_PRE_IF(count == 0, TZ_OK))                          \
    /* One report by id; TZ_ENOTFOUND if there is none. Free with tz_report_rec_clear. */          \
    X(get_report, (struct tz_store *store, int64_t id, struct tz_report_rec *out),                 \
      (store, id, out),                                                                            \
      TZ_PRE_ZERO(out) TZ_PRE_IF(id <= 0, TZ_ENOTFOUND))                                           \
    /*                                                                                             \
     * Reports matching filter, newest first (by id), at most filter->limit: 100                   \
     * when it is 0, never more than 1000. The next page is the same filter with                   \
     * before_id set to the last id of this one. TZ_EINVAL for a filter that                       \
     * cannot be read (counts past their arrays, a bbox with south > north or                      \
     * outside the globe); a bbox whose west lies east of its east crosses 180°.                   \
     */                                                                                            \
    X(list_reports, (struct tz_store *store, const struct tz_report_filter *filter,                \
       struct tz_report_rec **out, size_t *count),                                                 \
      (store, filter, out, count),                                                                 \
      TZ_PRE_NEED(filter) TZ_PRE_EMPTY(out, count) TZ_PRE_NEED(filter_ok(filter)))                 \
    /*                                                                                             \
     * Calls fn for every stored report, in id order, on one consistent snapshot, reading only     \
     * what the map index holds (the start-up load: no record is built). A non-zero return of fn   \
     * stops the scan and is returned.                                                             \
     */                                                                                            \
    X(scan_map_rows, (struct tz_store *store, tz_map_row_fn fn, void *ctx),                        \
      (store, fn, ctx),                                                                            \
      TZ_PRE_NEED(fn))                                                                             \
    /* Number of reports stored. */                                                                \
    X(count_reports, (struct tz_store *store, int64_t *count),                                     \
      (store, count),                                                                              \
      TZ_PRE_ZERO(count))                                                                          \
    /*                                                                                             \
     * Applies a status change and records it in the report's history, in one                      \
     * transaction: TZ_ENOTFOUND if there is no such report, TZ_ECONFLICT if it is                 \
     * not in expected_status (nothing changes), TZ_EINVAL for an unknown status                   \
     * code or a missing actor. The store does not check that the workflow allows                  \
     * the transition; threatmap does.                                                             \
     */                                                                                            \
    X(change_status, (struct tz_store *store, const struct tz_status_change *change),              \
      (store, change),                                                                             \
      TZ_PRE_NEED(change_ok(change)))                                                              \
    /* Sets the reviewed public description (NULL hides it); TZ_ENOTFOUND if no such report. */    \
    X(set_public_description, (struct tz_store *store, int64_t report_id, const char *text),       \
      (store, report_id, text),                                                                    \
      TZ_PRE_IF(report_id <= 0, TZ_ENOTFOUND))                                                     \
    /* The report's status history, oldest first; empty for a report with none (or no report). */  \
    X(history, (struct tz_store *store, int64_t report_id, struct tz_transition_rec **out,         \
       size_t *count),                                                                             \
      (store, report_id, out, count),                                                              \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /*                                                                                             \
     * The change feed, for a server to learn what other processes (the command                    \
     * line, another instance) stored since it last looked. Reports with ids above                 \
     * after_id, oldest first, at most limit (1..TZ_STORE_LIST_MAX).                               \
     */                                                                                            \
    X(reports_after, (struct tz_store *store, int64_t after_id, size_t limit,                      \
       struct tz_report_rec **out, size_t *count),                                                 \
      (store, after_id, limit, out, count),                                                        \
      TZ_PRE_NEED(after_id >= 0 && limit > 0 && limit <= TZ_STORE_LIST_MAX)                        \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /* Status changes with seq above after_seq, in the order they were made, at most limit. */     \
    X(transitions_after, (struct tz_store *store, int64_t after_seq, size_t limit,                 \
       struct tz_transition_rec **out, size_t *count),                                             \
      (store, after_seq, limit, out, count),                                                       \
      TZ_PRE_NEED(after_seq >= 0 && limit > 0 && limit <= TZ_STORE_LIST_MAX)                       \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /*                                                                                             \
     * Status changes made in [from, to), by time then seq, after the change                       \
     * (after_at, after_seq) (a keyset cursor: 0, 0 for the first), at most limit                  \
     * (1..TZ_STORE_LIST_MAX): the source of Open311's servicerequestupdates.                      \
     */                                                                                            \
    X(transitions_between, (struct tz_store *store, int64_t from, int64_t to, int64_t after_at,    \
       int64_t after_seq, size_t limit, struct tz_transition_rec **out, size_t *count),            \
      (store, from, to, after_at, after_seq, limit, out, count),                                   \
      TZ_PRE_NEED(from <= to && limit > 0 && limit <= TZ_STORE_LIST_MAX)                           \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /* The highest seq of a status change so far (0 when there is none). */                        \
    X(last_transition_seq, (struct tz_store *store, int64_t *seq),                                 \
      (store, seq),                                                                                \
      TZ_PRE_ZERO(seq))                                                                            \
    /*                                                                                             \
     * Records that a citizen (the keyed hash of their address) also sees the                      \
     * threat of report_id ("me too") and returns the report's new count in                        \
     * *me_too. TZ_ENOTFOUND if there is no such report; TZ_ECONFLICT if this                      \
     * reporter confirmed it already (nothing changes).                                            \
     */                                                                                            \
    X(add_me_too, (struct tz_store *store, int64_t report_id,                                      \
       const uint8_t reporter_hash[TZ_HASH_LEN], int64_t at, int *me_too),                         \
      (store, report_id, reporter_hash, at, me_too),                                               \
      TZ_PRE_NEED(reporter_hash) TZ_PRE_ZERO(me_too) TZ_PRE_IF(report_id <= 0, TZ_ENOTFOUND))      \
    /* Sets the reviewed public description with audit in one transaction (NULL hides it). */      \
    X(review_description, (struct tz_store *store, int64_t report_id, const char *text,            \
       const struct tz_audit_rec *audit),                                                          \
      (store, report_id, text, audit),                                                             \
      TZ_PRE_NEED(report_id > 0 && TZ_PRE_AUDIT(audit)))                                           \
    /* Assigns a report to an account name (NULL: back to its district's officer) with audit. */   \
    X(assign_report, (struct tz_store *store, int64_t report_id, const char *account, int64_t at,  \
       const struct tz_audit_rec *audit),                                                          \
      (store, report_id, account, at, audit),                                                      \
      TZ_PRE_NEED(report_id > 0 && TZ_PRE_AUDIT(audit))                                            \
      TZ_PRE_NEED(!account || TZ_PRE_FITS(account, TZ_ACCOUNT_NAME_MAX)))                          \
    /* The account a report is assigned to, or "" when none. */                                    \
    X(report_assignee, (struct tz_store *store, int64_t report_id, char out[TZ_ACCOUNT_NAME_MAX]), \
      (store, report_id, out),                                                                     \
      TZ_PRE_ZERO(out))                                                                            \
    /*                                                                                             \
     * An officer's queue: open reports (new, verifying) in the given districts                    \
     * that are not assigned to someone else, plus those assigned to `account`                     \
     * (NULL: every open report of the districts, whoever it is assigned to),                      \
     * ordered by the deadline that applies (take-up for new, verification for                     \
     * verifying), earliest (so overdue) first, at most limit (1..1000).                           \
     */                                                                                            \
    X(queue, (struct tz_store *store, const char (*districts)[TZ_ID_MAX], size_t district_count,   \
       const char *account, size_t limit, struct tz_report_rec **out, size_t *count),              \
      (store, districts, district_count, account, limit, out, count),                              \
      TZ_PRE_NEED(!district_count || districts)                                                    \
      TZ_PRE_NEED(district_count <= TZ_STORE_LIST_MAX && limit > 0 && limit <= TZ_STORE_LIST_MAX)  \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /* Compliance of each of the given districts at now, in their order. Free with free(). */      \
    X(compliance, (struct tz_store *store, const char (*districts)[TZ_ID_MAX],                     \
       size_t district_count, int64_t now, struct tz_compliance_rec **out, size_t *count),         \
      (store, districts, district_count, now, out, count),                                         \
      TZ_PRE_NEED((!district_count || districts) && district_count <= TZ_STORE_LIST_MAX)           \
      TZ_PRE_EMPTY(out, count))
/* clang-format on */
TZ_STORE_REPORT_OPS(TZ_STORE_DECLARE)

#endif
