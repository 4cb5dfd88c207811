/*
 * retention.h - Art. 16 of Directive (EU) 2023/977 (part of exchange.h): the
 * personal data of a case is kept only while it is needed. A case is
 * concluded when its exchange ends; its personal data is then due for review
 * no later than 6 months after (TZ_X_RETENTION_FIRST_DAYS) and again every
 * TZ_X_RETENTION_PERIOD_DAYS after each review that keeps it. A review keeps
 * the data (with reasons and the next review's date) or deletes it
 * irrevocably: the entities of every message of the case (their fields and
 * exact keys), the links, the free text, the reasons and the case's subject
 * are overwritten in the database file itself (SQLite's secure_delete, then a
 * checkpoint that empties the WAL), not only hidden. The messages' metadata
 * (types, dates, parties, handling codes) stays for the statistics of Art. 18.
 * Each step is written with its audit entry (exchange.retention) in one
 * transaction; the queue is computed against the clock on every read.
 */
#ifndef TZ_EXCHANGE_RETENTION_H
#define TZ_EXCHANGE_RETENTION_H

#include <stdbool.h>
#include <stdint.h>

/* The first review: 180 days after the conclusion never exceed the Directive's 6 months. */
#define TZ_X_RETENTION_FIRST_DAYS 180
/* Every later review: at most this many days after the one before. */
#define TZ_X_RETENTION_PERIOD_DAYS 180

enum tz_xretention_state { TZ_XRS_CONCLUDED, TZ_XRS_KEPT, TZ_XRS_DELETED, TZ_XRS_COUNT };

/* A concluded case in its retention reviews. */
struct tz_xretention {
    int64_t case_id;
    char subject[TZ_X_SUBJECT_MAX]; /* "" once deleted */
    char unit[TZ_X_UNIT_MAX];       /* the case's owner */
    int state;                      /* enum tz_xretention_state */
    int64_t concluded_at, review_due, reviewed_at;
    char concluded_by[TZ_X_NAME_MAX], reviewed_by[TZ_X_NAME_MAX];
    char reasons[TZ_X_LONG_MAX]; /* the last review's (or the conclusion's) */
    int reviews;                 /* how many reviews it has had */
    bool due;                    /* review_due has come (computed on read) */
};

struct tz_xretentions {
    struct tz_xretention *items; /* owned: tz_xretentions_clear */
    size_t count;
};
void tz_xretentions_clear(struct tz_xretentions *l);

/*
 * Concludes case id (its exchange has ended) at now, with reasons (may be
 * NULL): its first review is due TZ_X_RETENTION_FIRST_DAYS later. For a SPOC
 * operator of the case's unit or the SPOC's supervisor (exchange.retention).
 * TZ_ENOTFOUND, TZ_EFORBIDDEN, TZ_ECONFLICT when it is concluded already,
 * TZ_EINVAL for reasons that are too long or not text (errs).
 */
tz_err tz_exchange_conclude(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                            const char *reasons, struct tz_xretention *out,
                            struct tz_field_errors *errs);

/* Whether case id is concluded (a concluded case takes no new message). */
tz_err tz_exchange_concluded(struct tz_exchange *x, int64_t id, bool *out);

/*
 * The retention queue: concluded cases that are not deleted, the review due
 * soonest first (due_only: only those whose review has come), at most a page;
 * the caller's unit's cases, or every case for the SPOC's supervisor. The
 * read is audited in its transaction.
 */
tz_err tz_exchange_retention_queue(struct tz_exchange *x, const struct tz_xactor *who,
                                   bool due_only, struct tz_xretentions *out);

/* What a review decides. */
struct tz_xreview {
    bool keep;           /* keep (true) or delete irrevocably (false) */
    const char *reasons; /* required either way */
    int64_t next_review; /* keep: when to review again; 0: TZ_X_RETENTION_PERIOD_DAYS on */
};

/*
 * Reviews case id for the SPOC's supervisor: keeps its personal data until
 * the next review (after now, at most TZ_X_RETENTION_PERIOD_DAYS on) or
 * deletes it irrevocably. Either is audited in the transaction that makes
 * it. TZ_EINVAL (errs) without reasons or with a next review out of range,
 * TZ_EFORBIDDEN, TZ_ENOTFOUND when the case was never concluded,
 * TZ_ECONFLICT when it is deleted already or someone reviewed it meanwhile.
 */
tz_err tz_exchange_retention_review(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                                    const struct tz_xreview *r, struct tz_xretention *out,
                                    struct tz_field_errors *errs);

#endif
