/*
 * police.c - what the police side reads and changes of reports, for the HTTP
 * layer (which talks to the store only through threatmap and auth): the
 * record of a report with its assignee, the referral institutions, the
 * reviewed public description, assignment, the queue and deadline
 * compliance. The permission checks are the caller's (auth); each change
 * carries its audit entry into the store's transaction.
 */
#include <stdio.h>

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

tz_err tz_threatmap_police_read(struct tz_threatmap *tm, int64_t id, int64_t now,
                                const struct tz_audit_rec *who, const char *fields,
                                struct tz_report_view *out)
{
    tz_err err = tz_threatmap_report_full(tm, id, out);
    char object[48];
    snprintf(object, sizeof object, "report/%lld", (long long)id);
    struct tz_audit_rec audit = {.at = now,
                                 .actor = who->actor,
                                 .role = who->role,
                                 .client = who->client,
                                 .action = tz_audit_code(TZ_AUDIT_REPORT_READ),
                                 .object = object,
                                 .fields = fields,
                                 .outcome = "ok"};
    if (!err)
        err = tz_store_audit_append(tm->store, &audit);
    if (err) /* no entry, no data */
        tz_report_view_clear(out);
    return err;
}

tz_err tz_threatmap_institutions(struct tz_threatmap *tm, struct tz_group_rec **out, size_t *count)
{
    return tz_store_institutions(tm->store, out, count);
}

bool tm_valid_public_text(const char *s)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\r') || *p == 0x7f)
            return false;
        chars += (*p & 0xc0) != 0x80;
    }
    return chars <= TZ_PUBLIC_TEXT_MAX_CHARS;
}

tz_err tz_threatmap_review_description(struct tz_threatmap *tm, int64_t id, const char *text,
                                       const struct tz_audit_rec *audit,
                                       struct tz_field_errors *errs)
{
    if (text && !tm_valid_public_text(text)) {
        tz_fielderr_add(errs, "/public_description",
                        "at most 1000 characters, no control characters but line breaks");
        return TZ_EINVAL;
    }
    return tz_store_review_description(tm->store, id, text, audit);
}

tz_err tz_threatmap_merge(struct tz_threatmap *tm, int64_t duplicate, int64_t original,
                          const char *actor, const char *note, int64_t now,
                          const struct tz_audit_rec *audit)
{
    /* The rules the store cannot see from one row: a merge names two reports and who made it.
     * Which report may be merged into which (never a chain) the store checks inside its
     * transaction, where the answer cannot change before the write. */
    if (duplicate == original || !actor || !actor[0])
        return TZ_EINVAL;
    return tz_store_merge_report(tm->store, duplicate, original, now, actor, note, audit);
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
