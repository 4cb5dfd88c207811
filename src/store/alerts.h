/*
 * alerts.h - the store's alerts for an area (migration 18): subscriptions
 * (an Atom feed's area, a city system's webhook, a confirmed e-mail address),
 * the durable outbox of what each subscription is owed (one row per
 * subscription and report, so a report is delivered at most once to each)
 * and the delivery log.
 */
#ifndef TZ_STORE_ALERTS_H
#define TZ_STORE_ALERTS_H

#include <stdbool.h>

#include "store/common.h"

#define TZ_ALERT_KIND_MAX 16    /* "feed", "webhook", "email", NUL included */
#define TZ_ALERT_SECRET_MAX 65  /* a webhook's key or an address's token as hex, NUL included */
#define TZ_ALERT_TEXT_MAX 4096  /* bytes of an area or a category list, NUL included */
#define TZ_ALERT_TARGET_MAX 512 /* bytes of a URL or an address, NUL included */

/* A subscription. area, categories and target are owned (tz_alert_sub_rec_clear). */
struct tz_alert_sub_rec {
    int64_t id;
    char kind[TZ_ALERT_KIND_MAX];
    char *area;                       /* its text (alerts/alerts.h, tz_alert_area_parse) */
    char *categories;                 /* category codes separated by ',', "" for every category */
    char *target;                     /* the webhook's URL or the e-mail address; NULL for a feed */
    char secret[TZ_ALERT_SECRET_MAX]; /* the webhook's HMAC key, the address's token; "" */
    bool confirmed;                   /* a feed and a webhook at once, an address once confirmed */
    int64_t disabled_at;              /* 0 while deliveries go out */
    int failures;                     /* consecutive failed deliveries */
    int64_t after_report;             /* only reports with a greater id are sent */
    int64_t created_at;
};
void tz_alert_sub_rec_clear(struct tz_alert_sub_rec *rec);
void tz_alert_sub_recs_free(struct tz_alert_sub_rec *recs, size_t count);

/*
 * What the outbox owes: report_id 0 is an address's confirmation message; change_seq 0 the
 * report's arrival, otherwise one public status change of it (its seq, migration 20).
 */
struct tz_alert_out_rec {
    int64_t id;
    int64_t sub_id;
    int64_t report_id;
    int64_t change_seq;
    int attempts; /* made so far */
    int64_t next_at;
};

/* The outcome of one attempt of an outbox row, written with its log entry in one transaction. */
struct tz_alert_attempt {
    int64_t out_id;
    int64_t at;
    bool delivered;
    bool skipped;       /* not sent at all (the report left the public map): dropped, no failure */
    int64_t next_at;    /* failed: when to try again; 0 drops the row */
    int max_failures;   /* failed: the subscription is disabled at this many in a row */
    const char *detail; /* what the receiver answered; may be NULL */
};

/* One line of the delivery log. */
struct tz_alert_log_rec {
    int64_t out_id, sub_id, report_id, change_seq, at;
    int attempt;
    char outcome[TZ_ALERT_KIND_MAX]; /* delivered, failed, dropped, disabled */
};

/* clang-format off */
#define TZ_STORE_ALERT_OPS(X)                                                                      \
    /*                                                                                             \
     * Stores a new subscription, and audit (may be NULL; a NULL object becomes                    \
     * "alert/ID") in the same transaction; an unconfirmed one is owed its                         \
     * confirmation message (an outbox row of report 0) from the same commit.                      \
     */                                                                                            \
    X(alert_sub_put, (struct tz_store *store, const struct tz_alert_sub_rec *rec,                  \
       const struct tz_audit_rec *audit, int64_t *id),                                             \
      (store, rec, audit, id),                                                                     \
      TZ_PRE_NEED(rec && rec->area && rec->categories && TZ_PRE_AUDIT(audit)) TZ_PRE_ZERO(id))     \
    /* One subscription; TZ_ENOTFOUND. The caller clears out. */                                   \
    X(alert_sub_get, (struct tz_store *store, int64_t id, struct tz_alert_sub_rec *out),           \
      (store, id, out),                                                                            \
      TZ_PRE_NEED(out) TZ_PRE_IF(id <= 0, TZ_ENOTFOUND))                                           \
    /* Marks it confirmed with audit: TZ_ENOTFOUND; TZ_ECONFLICT when it was already. */          \
    X(alert_sub_confirm, (struct tz_store *store, int64_t id, const struct tz_audit_rec *audit),   \
      (store, id, audit),                                                                          \
      TZ_PRE_NEED(TZ_PRE_AUDIT(audit)) TZ_PRE_IF(id <= 0, TZ_ENOTFOUND))                           \
    /* Deletes it and what its outbox still owes, with audit: TZ_ENOTFOUND. */                     \
    X(alert_sub_delete, (struct tz_store *store, int64_t id, const struct tz_audit_rec *audit),    \
      (store, id, audit),                                                                          \
      TZ_PRE_NEED(TZ_PRE_AUDIT(audit)) TZ_PRE_IF(id <= 0, TZ_ENOTFOUND))                           \
    /* The subscriptions deliveries go to (confirmed, not disabled, not feeds), by id. */          \
    X(alert_subs_active, (struct tz_store *store, struct tz_alert_sub_rec **out, size_t *count),   \
      (store, out, count),                                                                         \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /* Every webhook (disabled ones too), by id, at most 1000; tz_alert_sub_recs_free. */         \
    X(alert_webhooks, (struct tz_store *store, struct tz_alert_sub_rec **out, size_t *count),      \
      (store, out, count),                                                                         \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /*                                                                                             \
     * Disables a webhook at disabled_at (what it is still owed is dropped), or                    \
     * enables it again when 0 (its failures counted from 0, owed only what                        \
     * arrives from then on), with audit: TZ_ENOTFOUND for no such webhook,                        \
     * TZ_ECONFLICT when it is already so.                                                         \
     */                                                                                            \
    X(alert_webhook_set, (struct tz_store *store, int64_t id, int64_t disabled_at,                 \
       const struct tz_audit_rec *audit),                                                          \
      (store, id, disabled_at, audit),                                                             \
      TZ_PRE_NEED(TZ_PRE_AUDIT(audit) && disabled_at >= 0) TZ_PRE_IF(id <= 0, TZ_ENOTFOUND))       \
    /* How far the sender has matched reports; -1 before its first round. */                       \
    X(alert_cursor, (struct tz_store *store, int64_t *upto),                                       \
      (store, upto),                                                                               \
      TZ_PRE_ZERO(upto))                                                                           \
    /*                                                                                             \
     * Adds the rows (a row already there stays as it is: at most one per                          \
     * subscription and report) and moves the cursor to upto, in one transaction.                  \
     */                                                                                            \
    X(alert_enqueue, (struct tz_store *store, const struct tz_alert_out_rec *rows, size_t n,       \
       int64_t upto),                                                                              \
      (store, rows, n, upto),                                                                      \
      TZ_PRE_NEED(rows || n == 0))                                                                 \
    /* How far the sender has matched status changes (their seq); -1 before its first round. */ \
    X(alert_change_cursor, (struct tz_store *store, int64_t *upto),                                \
      (store, upto),                                                                               \
      TZ_PRE_ZERO(upto))                                                                           \
    /*                                                                                             \
     * Adds the rows of status changes (at most one per subscription, report and                   \
     * change) and moves the changes' cursor to upto, in one transaction.                          \
     */                                                                                            \
    X(alert_enqueue_changes, (struct tz_store *store, const struct tz_alert_out_rec *rows,         \
       size_t n, int64_t upto),                                                                    \
      (store, rows, n, upto),                                                                      \
      TZ_PRE_NEED(rows || n == 0))                                                                 \
    /* At most max (1..1000) rows owed and due at now, oldest first (with_mail false: not those    \
     * of addresses); free with free(). */                                                         \
    X(alert_due, (struct tz_store *store, int64_t now, size_t max, bool with_mail,                 \
       struct tz_alert_out_rec **out, size_t *count),                                              \
      (store, now, max, with_mail, out, count),                                                    \
      TZ_PRE_EMPTY(out, count) TZ_PRE_NEED(max >= 1 && max <= 1000))                              \
    /*                                                                                             \
     * Writes an attempt: delivered ends the row and resets the subscription's                     \
     * failures; failed counts one more, reschedules (or drops) the row and                        \
     * disables the subscription at max_failures in a row; with its log line.                      \
     */                                                                                            \
    X(alert_record, (struct tz_store *store, const struct tz_alert_attempt *attempt),              \
      (store, attempt),                                                                            \
      TZ_PRE_NEED(attempt && attempt->out_id > 0))                                                 \
    /* The delivery log of a subscription (0: all), newest first, at most 1000; free(). */         \
    X(alert_log, (struct tz_store *store, int64_t sub_id, struct tz_alert_log_rec **out,           \
       size_t *count),                                                                             \
      (store, sub_id, out, count),                                                                 \
      TZ_PRE_EMPTY(out, count))
/* clang-format on */
TZ_STORE_ALERT_OPS(TZ_STORE_DECLARE)

#endif
