/*
 * police.h - the police side of a report (part of threatmap.h): the
 * workflow's transitions (the table is workflow.h), the police read, the
 * reviewed public description, assignment, the district queue and deadline
 * compliance. Each change is one store transaction with its audit entry.
 */
#ifndef TZ_THREATMAP_POLICE_H
#define TZ_THREATMAP_POLICE_H

#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/err.h"
#include "base/fielderr.h"
#include "store/store.h"
#include "threatmap/reports.h"

struct tz_threatmap;

/* A request to move a report through the workflow. */
struct tz_transition_request {
    int64_t report_id;
    const char *to; /* status code */
    enum tz_auth_role role;
    const char *actor;       /* who: an account name, or "cli:<user>" */
    const char *note;        /* may be NULL where the table does not require one */
    const char *referred_to; /* the institution, for "referred" */
    const char *public_note; /* the officer's words for everyone, or NULL (a public text's rules) */
    /* When set, appended to the audit log in the transaction of the change, its fields filled in.
     */
    const struct tz_audit_rec *audit;
};

/* The longest note a transition takes, in bytes. */
#define TZ_TRANSITION_NOTE_MAX 4000
/*
 * Applies a transition at `now`: checks the table (TZ_ECONFLICT for a
 * transition that does not exist from the report's current status,
 * TZ_EFORBIDDEN for a role that may not make it, TZ_EINVAL with errs for a
 * missing note or referral, a note over TZ_TRANSITION_NOTE_MAX bytes, a
 * public note over TZ_PUBLIC_TEXT_MAX_CHARS characters or with control
 * characters other than line breaks, a referral to an institution not in tz_threatmap_institutions' list, or an
 * unknown status), computes deadlines, and stores the change with its
 * history entry in one transaction.
 */
tz_err tz_threatmap_transition(struct tz_threatmap *tm, const struct tz_transition_request *req,
                               int64_t now, struct tz_field_errors *errs);

/*
 * The police side (police.c). Permission checks are the caller's; audit is the caller's
 * entry, written in the same transaction as the change (store/reports.h says what each does).
 */
/* A report's record (free with tz_report_rec_clear) and the account it is assigned to ("" none). */
tz_err tz_threatmap_police_report(struct tz_threatmap *tm, int64_t id, struct tz_report_rec *out,
                                  char assignee[TZ_ACCOUNT_NAME_MAX]);
/*
 * The whole report with its history (tz_threatmap_report_full) read by who
 * (actor, role, client): answered only once its "report.read" entry, with
 * fields (JSON, may be NULL), is in the audit log; on any error out holds
 * nothing (free with tz_report_view_clear).
 */
tz_err tz_threatmap_police_read(struct tz_threatmap *tm, int64_t id, int64_t now,
                                const struct tz_audit_rec *who, const char *fields,
                                struct tz_report_view *out);
/* The institutions a report may be referred to (data). */
tz_err tz_threatmap_institutions(struct tz_threatmap *tm, struct tz_group_rec **out, size_t *count);
/* The most characters of a reviewed public description (DESIGN 1.1). */
#define TZ_PUBLIC_TEXT_MAX_CHARS 1000
/*
 * Sets the reviewed public description (NULL hides it) with audit in one
 * transaction. TZ_EINVAL (errs: /public_description) for a text over
 * TZ_PUBLIC_TEXT_MAX_CHARS characters or with control characters other than
 * line breaks.
 */
tz_err tz_threatmap_review_description(struct tz_threatmap *tm, int64_t id, const char *text,
                                       const struct tz_audit_rec *audit,
                                       struct tz_field_errors *errs);
/* Assigns a report to an account (NULL: back to its district's officer). */
tz_err tz_threatmap_assign(struct tz_threatmap *tm, int64_t id, const char *account, int64_t now,
                           const struct tz_audit_rec *audit);
/* Open reports of the districts by the deadline that applies (tz_store_queue). */
tz_err tz_threatmap_queue(struct tz_threatmap *tm, const char (*districts)[TZ_ID_MAX], size_t count,
                          const char *account, size_t limit, struct tz_report_rec **out, size_t *n);
/* Deadline compliance of each district at now. */
tz_err tz_threatmap_compliance(struct tz_threatmap *tm, const char (*districts)[TZ_ID_MAX],
                               size_t count, int64_t now, struct tz_compliance_rec **out,
                               size_t *n);

#endif
