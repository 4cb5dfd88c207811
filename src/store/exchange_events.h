/*
 * exchange_events.h - the store's football events (NFIP) and the retention of
 * concluded cases (migration 15; docs/exchange.md). An event's row is written
 * with the nfip_event message that announces it, an NFIP message's part with
 * the message (struct tz_xput's event and nfip), each in the message's
 * transaction. A case's retention row says when it was concluded, when its
 * review is due and what the last review decided; the deletion of a case's
 * personal data overwrites it in the database file (secure_delete) and then
 * checkpoints the WAL into the file and truncates it, so that the bytes are
 * gone, not only unreachable.
 */
#ifndef TZ_STORE_EXCHANGE_EVENTS_H
#define TZ_STORE_EXCHANGE_EVENTS_H

#include "store/common.h"
#include "store/exchange.h"

/* A football event as stored (its id is the nfip_event message's). */
struct tz_xevent_rec {
    int64_t id, case_id;
    char competition[TZ_XS_NAME], home[TZ_XS_NAME], away[TZ_XS_NAME];
    char venue[TZ_XS_LONG], country[TZ_XS_CODE];
    double lat, lon;
    int64_t kickoff, window_from, window_to;
    char risk[TZ_XS_CODE];
};

/* The NFIP part of a message (codes as the exchange's codes, "" when not said). */
struct tz_xnfip_rec {
    int64_t message_id, event_id;
    char phase[TZ_XS_CODE], risk[TZ_XS_CODE], transport[TZ_XS_CODE];
    int64_t supporters, risk_supporters, arrival, spotters;
    char route[TZ_XS_LONG];
};

/* One message of an event: its line and its NFIP part (message_id 0: none, the
 * announcement). */
struct tz_xevent_item_rec {
    struct tz_xhead_rec head;
    struct tz_xnfip_rec nfip;
};

/* A case's retention. */
struct tz_xretention_rec {
    int64_t case_id;
    char subject[TZ_XS_SUBJECT]; /* the case's (read) */
    char unit[TZ_XS_UNIT];       /* the unit that owns the case here */
    char state[TZ_XS_CODE];      /* concluded, kept, deleted */
    int64_t concluded_at, review_due, reviewed_at;
    char concluded_by[TZ_XS_NAME], reviewed_by[TZ_XS_NAME];
    char reasons[TZ_XS_LONG];
    int reviews;
};

/* A review as the store writes it: a compare-and-set on the number of reviews. */
struct tz_xreview_rec {
    int64_t case_id;
    int reviews_before; /* the count read before the review */
    int keep;           /* 1: kept until review_due; 0: personal data deleted */
    int64_t at, review_due;
    char by[TZ_XS_NAME], reasons[TZ_XS_LONG];
};

/* clang-format off */
#define TZ_STORE_XEVENT_OPS(X)                                                                     \
    /*                                                                                             \
     * Event id (the announcement's message id) into event, its messages (the announcement and     \
     * every NFIP message of the event, oldest first, at most TZ_XS_PAGE) into items (free with    \
     * free()), with audit (may be NULL; its object "xevent/ID") in the same transaction.          \
     * TZ_ENOTFOUND if there is no such event.                                                     \
     */                                                                                            \
    X(x_event_get, (struct tz_store *store, int64_t id, const struct tz_audit_rec *audit,          \
       struct tz_xevent_rec *event, struct tz_xevent_item_rec **items, size_t *count),             \
      (store, id, audit, event, items, count),                                                     \
      TZ_PRE_NEED(event && TZ_PRE_AUDIT(audit)) TZ_PRE_EMPTY(items, count)                         \
      TZ_PRE_IF(id <= 0, TZ_ENOTFOUND))                                                            \
    /* The events, kick-off latest first, at most TZ_XS_PAGE; free with free(). */                \
    X(x_events, (struct tz_store *store, struct tz_xevent_rec **out, size_t *count),               \
      (store, out, count),                                                                         \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /*                                                                                             \
     * Concludes case rec->case_id (state "concluded", its unit, the conclusion's time, actor,      \
     * reasons and first review) with audit in the same transaction. TZ_ENOTFOUND when there is no such case,  \
     * TZ_ECONFLICT when it is concluded already.                                                  \
     */                                                                                            \
    X(x_conclude, (struct tz_store *store, const struct tz_xretention_rec *rec,                    \
       const struct tz_audit_rec *audit),                                                          \
      (store, rec, audit),                                                                         \
      TZ_PRE_NEED(rec && rec->case_id > 0 && TZ_PRE_AUDIT(audit)))                                 \
    /* Case id's retention with its subject and unit; TZ_ENOTFOUND if it was never concluded. */  \
    X(x_retention_get, (struct tz_store *store, int64_t id, struct tz_xretention_rec *out),        \
      (store, id, out),                                                                            \
      TZ_PRE_NEED(out) TZ_PRE_IF(id <= 0, TZ_ENOTFOUND))                                           \
    /*                                                                                             \
     * Concluded cases that are not deleted, of unit (NULL: every unit), whose review is due at    \
     * or before due_by (0: any), review due soonest first, at most TZ_XS_PAGE, with audit in the  \
     * same transaction. Free with free().                                                         \
     */                                                                                            \
    X(x_retention_list, (struct tz_store *store, const char *unit, int64_t due_by,                 \
       const struct tz_audit_rec *audit, struct tz_xretention_rec **out, size_t *count),           \
      (store, unit, due_by, audit, out, count),                                                    \
      TZ_PRE_NEED((!unit || TZ_PRE_FITS(unit, TZ_XS_UNIT)) && TZ_PRE_AUDIT(audit))                 \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /*                                                                                             \
     * Writes a review with audit in the same transaction: keep sets the next review; delete      \
     * overwrites the case's personal data (entities, their fields and keys, links, free text,     \
     * reasons, the subject) with secure_delete on, then checkpoints the WAL into the database     \
     * file and truncates it. TZ_ENOTFOUND when the case was never concluded, TZ_ECONFLICT when it \
     * is deleted or its review count is no longer reviews_before.                                 \
     */                                                                                            \
    X(x_retention_review, (struct tz_store *store, const struct tz_xreview_rec *rec,               \
       const struct tz_audit_rec *audit),                                                          \
      (store, rec, audit),                                                                         \
      TZ_PRE_NEED(rec && rec->case_id > 0 && TZ_PRE_AUDIT(audit)))
/* clang-format on */
TZ_STORE_XEVENT_OPS(TZ_STORE_DECLARE)

#endif
