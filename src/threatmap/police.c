/*
 * police.c - what the police side reads and changes of reports, for the HTTP
 * layer (which talks to the store only through threatmap and auth): the
 * record of a report with its assignee, the referral institutions, the
 * reviewed public description, assignment, the queue and deadline
 * compliance. The permission checks are the caller's (auth); each change
 * carries its audit entry into the store's transaction.
 */
#include "threatmap/internal.h"

tz_err tz_threatmap_police_report(struct tz_threatmap *tm, int64_t id, struct tz_report_rec *out,
                                  char assignee[TZ_ACCOUNT_NAME_MAX])
{
    tz_err err = tz_store_get_report(tm->store, id, out);
    if (!err)
        err = tz_store_report_assignee(tm->store, id, assignee);
    if (err)
        tz_report_rec_clear(out);
    return err;
}

tz_err tz_threatmap_institutions(struct tz_threatmap *tm, struct tz_group_rec **out, size_t *count)
{
    return tz_store_institutions(tm->store, out, count);
}

tz_err tz_threatmap_review_description(struct tz_threatmap *tm, int64_t id, const char *text,
                                       const struct tz_audit_rec *audit)
{
    return tz_store_review_description(tm->store, id, text, audit);
}

tz_err tz_threatmap_assign(struct tz_threatmap *tm, int64_t id, const char *account, int64_t now,
                           const struct tz_audit_rec *audit)
{
    return tz_store_assign_report(tm->store, id, account, now, audit);
}

tz_err tz_threatmap_queue(struct tz_threatmap *tm, const char (*districts)[TZ_ID_MAX], size_t count,
                          const char *account, size_t limit, struct tz_report_rec **out, size_t *n)
{
    return tz_store_queue(tm->store, districts, count, account, limit, out, n);
}

tz_err tz_threatmap_compliance(struct tz_threatmap *tm, const char (*districts)[TZ_ID_MAX],
                               size_t count, int64_t now, struct tz_compliance_rec **out, size_t *n)
{
    return tz_store_compliance(tm->store, districts, count, now, out, n);
}
