/*
 * retention.c - Art. 16 of Directive (EU) 2023/977: the personal data of a
 * case is reviewed once its exchange has ended, no later than six months
 * after, and regularly after that; each review keeps it (with reasons, until
 * the next review) or deletes it irrevocably (the store overwrites it in the
 * database file). Who may take each step is a table; every step and every
 * read of the queue is written with its audit entry (exchange.retention) in
 * the transaction that makes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tztime.h"
#include "exchange/internal.h"

#define ROLE(r) (1u << (r))

enum step { STEP_CONCLUDE, STEP_KEEP, STEP_DELETE };

/* Who may take each step (within the exchange.retention scope of the permission table). */
static const struct {
    const char *code;
    unsigned roles;
} steps[] = {
    [STEP_CONCLUDE] = {"conclude", ROLE(TZ_AUTH_SPOC_OPERATOR) | ROLE(TZ_AUTH_SPOC_SUPERVISOR)},
    [STEP_KEEP] = {"keep", ROLE(TZ_AUTH_SPOC_SUPERVISOR)},
    [STEP_DELETE] = {"delete", ROLE(TZ_AUTH_SPOC_SUPERVISOR)},
};

static const char *const state_codes[TZ_XRS_COUNT] = {"concluded", "kept", "deleted"};

void tz_xretentions_clear(struct tz_xretentions *l)
{
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

static tz_err may(const struct tz_xactor *who, enum step s, const char *unit)
{
    if (!(steps[s].roles & ROLE(who->p->role)))
        return TZ_EFORBIDDEN;
    return tz_auth_permit(who->p, TZ_ACT_EXCHANGE_RETENTION, NULL, unit, NULL);
}

static void from_rec(const struct tz_xretention_rec *r, int64_t now, struct tz_xretention *out)
{
    memset(out, 0, sizeof *out);
    out->case_id = r->case_id;
    snprintf(out->subject, sizeof out->subject, "%s", r->subject);
    snprintf(out->unit, sizeof out->unit, "%s", r->unit);
    out->state = TZ_XRS_CONCLUDED;
    for (int i = 0; i < TZ_XRS_COUNT; i++)
        if (strcmp(r->state, state_codes[i]) == 0)
            out->state = i;
    out->concluded_at = r->concluded_at;
    out->review_due = r->review_due;
    out->reviewed_at = r->reviewed_at;
    snprintf(out->concluded_by, sizeof out->concluded_by, "%s", r->concluded_by);
    snprintf(out->reviewed_by, sizeof out->reviewed_by, "%s", r->reviewed_by);
    snprintf(out->reasons, sizeof out->reasons, "%s", r->reasons);
    out->reviews = r->reviews;
    out->due = out->state != TZ_XRS_DELETED && r->review_due <= now;
}

/* Reasons: optional or required, at most TZ_XS_LONG - 1 bytes of text. */
static void check_reasons(const char *reasons, bool required, struct tz_field_errors *errs)
{
    size_t n = reasons ? strlen(reasons) : 0;
    if (required && n == 0)
        tz_fielderr_add(errs, "/reasons", "a review records its reasons");
    else if (n >= TZ_XS_LONG || (n && !tz_x_text_ok(reasons, n)))
        tz_fielderr_add(errs, "/reasons", "at most %d bytes of UTF-8 text", TZ_XS_LONG - 1);
}

/* The unit that owns a case here: the sender of its first message, or for a case a partner
 * opened, the unit that message addressed. */
static tz_err case_unit(struct tz_exchange *x, int64_t id, char unit[TZ_X_UNIT_MAX])
{
    struct tz_xhead_rec *heads = NULL;
    size_t n = 0;
    tz_err err = tz_store_x_case_messages(tz_x_store(x), id, NULL, &heads, &n);
    if (!err && n == 0)
        err = TZ_ENOTFOUND;
    if (!err) {
        struct tz_xmsg_rec rec = {0};
        if (!(err = tz_store_x_get_message(tz_x_store(x), heads[0].id, NULL, &rec)))
            snprintf(unit, TZ_X_UNIT_MAX, "%s",
                     rec.inbound && rec.addressee_count ? rec.addressees[0].unit : rec.from_unit);
        tz_store_xmsg_free(&rec);
    }
    free(heads);
    return err;
}

tz_err tz_exchange_conclude(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                            const char *reasons, struct tz_xretention *out,
                            struct tz_field_errors *errs)
{
    memset(out, 0, sizeof *out);
    size_t before = errs->count + errs->dropped;
    check_reasons(reasons, false, errs);
    if (errs->count + errs->dropped > before)
        return TZ_EINVAL;
    char unit[TZ_X_UNIT_MAX] = "";
    tz_err err = case_unit(x, id, unit);
    if (!err)
        err = may(who, STEP_CONCLUDE, unit);
    if (err)
        return err;
    int64_t now = tz_exchange_now(x);
    struct tz_xretention_rec rec = {.case_id = id, .concluded_at = now};
    snprintf(rec.unit, sizeof rec.unit, "%s", unit);
    rec.review_due = tz_time_add_pl_days(now, TZ_X_RETENTION_FIRST_DAYS);
    snprintf(rec.concluded_by, sizeof rec.concluded_by, "%s", who->p->account.name);
    snprintf(rec.reasons, sizeof rec.reasons, "%s", reasons ? reasons : "");
    struct tz_audit_rec audit = tz_x_audit(x, who, TZ_AUDIT_EXCHANGE_RETENTION, NULL);
    audit.fields = "{\"step\":\"conclude\"}";
    audit.note = reasons;
    if ((err = tz_store_x_conclude(tz_x_store(x), &rec, &audit)))
        return err;
    struct tz_xretention_rec back;
    if (!(err = tz_store_x_retention_get(tz_x_store(x), id, &back)))
        from_rec(&back, now, out);
    return err;
}

tz_err tz_exchange_concluded(struct tz_exchange *x, int64_t id, bool *out)
{
    struct tz_xretention_rec rec;
    tz_err err = tz_store_x_retention_get(tz_x_store(x), id, &rec);
    *out = err == TZ_OK;
    return err == TZ_ENOTFOUND ? TZ_OK : err;
}

tz_err tz_exchange_retention_queue(struct tz_exchange *x, const struct tz_xactor *who,
                                   bool due_only, struct tz_xretentions *out)
{
    memset(out, 0, sizeof *out);
    if (tz_auth_scope_of(who->p->role, TZ_ACT_EXCHANGE_RETENTION) == TZ_SCOPE_NONE)
        return TZ_EFORBIDDEN;
    bool all = tz_auth_scope_of(who->p->role, TZ_ACT_EXCHANGE_RETENTION) == TZ_SCOPE_ALL;
    const char *unit = all ? NULL : who->p->account.unit;
    if (!all && !unit[0])
        return TZ_EFORBIDDEN;
    int64_t now = tz_exchange_now(x);
    struct tz_audit_rec audit = tz_x_audit(x, who, TZ_AUDIT_EXCHANGE_RETENTION, "xretention");
    audit.fields = due_only ? "{\"step\":\"queue\",\"due\":true}" : "{\"step\":\"queue\"}";
    struct tz_xretention_rec *recs = NULL;
    size_t n = 0;
    tz_err err =
        tz_store_x_retention_list(tz_x_store(x), unit, due_only ? now : 0, &audit, &recs, &n);
    if (!err && n && !(out->items = calloc(n, sizeof *out->items)))
        err = TZ_ENOMEM;
    for (size_t i = 0; !err && i < n; i++)
        from_rec(&recs[i], now, &out->items[out->count++]);
    free(recs);
    if (err)
        tz_xretentions_clear(out);
    return err;
}

tz_err tz_exchange_retention_review(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                                    const struct tz_xreview *r, struct tz_xretention *out,
                                    struct tz_field_errors *errs)
{
    memset(out, 0, sizeof *out);
    int64_t now = tz_exchange_now(x);
    int64_t latest = tz_time_add_pl_days(now, TZ_X_RETENTION_PERIOD_DAYS);
    size_t before = errs->count + errs->dropped;
    check_reasons(r->reasons, true, errs);
    if (!r->keep && r->next_review)
        tz_fielderr_add(errs, "/next_review", "only a review that keeps the data sets one");
    if (r->keep && r->next_review && (r->next_review <= now || r->next_review > latest))
        tz_fielderr_add(errs, "/next_review", "after now and at most %d days on",
                        TZ_X_RETENTION_PERIOD_DAYS);
    if (errs->count + errs->dropped > before)
        return TZ_EINVAL;
    struct tz_xretention_rec cur;
    tz_err err = tz_store_x_retention_get(tz_x_store(x), id, &cur);
    if (!err)
        err = may(who, r->keep ? STEP_KEEP : STEP_DELETE, cur.unit);
    if (err)
        return err;
    if (strcmp(cur.state, "deleted") == 0)
        return TZ_ECONFLICT;
    struct tz_xreview_rec rec = {.case_id = id,
                                 .reviews_before = cur.reviews,
                                 .keep = r->keep,
                                 .at = now,
                                 .review_due = r->next_review ? r->next_review : latest};
    snprintf(rec.by, sizeof rec.by, "%s", who->p->account.name);
    snprintf(rec.reasons, sizeof rec.reasons, "%s", r->reasons);
    struct tz_audit_rec audit = tz_x_audit(x, who, TZ_AUDIT_EXCHANGE_RETENTION, NULL);
    audit.fields = r->keep ? "{\"step\":\"keep\"}" : "{\"step\":\"delete\"}";
    audit.note = r->reasons;
    if ((err = tz_store_x_retention_review(tz_x_store(x), &rec, &audit)))
        return err;
    struct tz_xretention_rec back;
    if (!(err = tz_store_x_retention_get(tz_x_store(x), id, &back)))
        from_rec(&back, now, out);
    return err;
}
