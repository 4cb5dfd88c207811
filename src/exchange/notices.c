/*
 * notices.c - a notice's lifecycle as a transition table (draft -> review ->
 * published -> cancelled or expired; review -> draft sends it back), each
 * step audited in the transaction that makes it, and the visit of published
 * notices' persons, documents and vehicles that screening checks against.
 * The review records the neutrality check of Art. 2 and 3 of INTERPOL's
 * Constitution (no political, military, religious or racial character): a
 * notice is published only with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange/internal.h"

static const char *const state_codes[TZ_XNS_COUNT] = {"draft", "review", "published", "cancelled",
                                                       "expired"};

const char *tz_xnotice_state_code(enum tz_xnotice_state s)
{
    return (unsigned)s < TZ_XNS_COUNT ? state_codes[s] : NULL;
}

#define ROLE(r) (1u << (r))
#define SPOC (ROLE(TZ_AUTH_SPOC_OPERATOR) | ROLE(TZ_AUTH_SPOC_SUPERVISOR))
#define BOSS ROLE(TZ_AUTH_SPOC_SUPERVISOR)

/* The lifecycle: who may make each step, and what it must record. */
static const struct step {
    int from, to;
    unsigned roles;
    bool note, neutrality;
} steps[] = {
    {TZ_XNS_DRAFT, TZ_XNS_REVIEW, SPOC, false, false},
    {TZ_XNS_REVIEW, TZ_XNS_DRAFT, BOSS, true, false},
    {TZ_XNS_REVIEW, TZ_XNS_PUBLISHED, BOSS, false, true},
    {TZ_XNS_PUBLISHED, TZ_XNS_CANCELLED, BOSS, true, false},
    {TZ_XNS_PUBLISHED, TZ_XNS_EXPIRED, SPOC, false, false},
};

const char *tz_x_notice_first_state(const struct tz_xmsg *m, bool inbound)
{
    if (m->type != TZ_XMSG_NOTICE && m->type != TZ_XMSG_DIFFUSION) /* diffusions.c */
        return "";
    return inbound ? state_codes[TZ_XNS_PUBLISHED] : state_codes[TZ_XNS_DRAFT];
}

static int state_of(const char *code)
{
    for (int i = 0; i < TZ_XNS_COUNT; i++)
        if (strcmp(code, state_codes[i]) == 0)
            return i;
    return -1;
}

static const struct step *find_step(int from, int to)
{
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i].from == from && steps[i].to == to)
            return &steps[i];
    return NULL;
}

/* Whether who may move the notice stored as rec: a role of the step, and the notice's unit. */
static tz_err may_move(const struct tz_xactor *who, const struct step *s,
                       const struct tz_xmsg_rec *rec)
{
    if (!(s->roles & ROLE(who->p->role)))
        return TZ_EFORBIDDEN;
    if (rec->inbound || tz_auth_scope_of(who->p->role, TZ_ACT_EXCHANGE_READ) == TZ_SCOPE_ALL)
        return TZ_OK;
    return tz_auth_permit(who->p, TZ_ACT_EXCHANGE_SEND, NULL, rec->from_unit, NULL);
}

tz_err tz_exchange_notice_move(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                               const struct tz_xnotice_move *move, struct tz_field_errors *errs)
{
    char state[TZ_XS_CODE];
    tz_err err = tz_store_x_notice_state(tz_x_store(x), id, state);
    if (err)
        return err;
    const struct step *s = find_step(state_of(state), move->to);
    if (!s) {
        tz_fielderr_add(errs, "/to", "a %s notice cannot become %s", state,
                        tz_xnotice_state_code(move->to) ? tz_xnotice_state_code(move->to)
                                                        : "that");
        return TZ_EINVAL;
    }
    if (s->note && (!move->note || !move->note[0]))
        tz_fielderr_add(errs, "/note", "this step records why");
    if (move->note && (strlen(move->note) >= TZ_XS_LONG ||
                       !tz_x_text_ok(move->note, strlen(move->note))))
        tz_fielderr_add(errs, "/note", "at most %d bytes of UTF-8 text", TZ_XS_LONG - 1);
    if (s->neutrality && !move->neutral)
        tz_fielderr_add(errs, "/neutral",
                        "publishing records that the notice has no political, military, "
                        "religious or racial character");
    if (errs->count)
        return TZ_EINVAL;
    struct tz_xmsg_rec rec = {0};
    if (!(err = tz_store_x_get_message(tz_x_store(x), id, NULL, &rec)))
        err = may_move(who, s, &rec);
    tz_store_xmsg_free(&rec);
    if (err)
        return err;
    struct tz_xnotice_step step = {.message_id = id, .at = tz_exchange_now(x)};
    snprintf(step.from, sizeof step.from, "%s", state);
    snprintf(step.to, sizeof step.to, "%s", state_codes[move->to]);
    if (s->neutrality)
        snprintf(step.reviewed_by, sizeof step.reviewed_by, "%s", who->p->account.name);
    if (move->note)
        snprintf(step.step_note, sizeof step.step_note, "%s", move->note);
    struct tz_audit_rec audit = tz_x_audit(x, who, TZ_AUDIT_EXCHANGE_NOTICE, NULL);
    char fields[96];
    snprintf(fields, sizeof fields, "{\"from\":\"%s\",\"to\":\"%s\"}", step.from, step.to);
    audit.fields = fields;
    audit.note = move->note;
    if (!(err = tz_store_x_notice_step(tz_x_store(x), &step, &audit)))
        tz_x_notices_moved(x);
    return err;
}

tz_err tz_exchange_published_visit(struct tz_exchange *x, tz_xnotice_fn fn, void *ctx)
{
    int64_t after = 0;
    tz_err err = TZ_OK;
    for (;;) {
        struct tz_xnotice_entity_rec *page = NULL;
        size_t n = 0;
        if ((err = tz_store_x_published_entities(tz_x_store(x), after, TZ_XS_PAGE, &page, &n)))
            return err;
        for (size_t i = 0; !err && i < n; i++) {
            struct tz_xentity e;
            memset(&e, 0, sizeof e);
            struct tz_xnotice_subject s = {.notice_id = page[i].message_id, .entity = &e};
            s.notice_type = -1;
            if (page[i].notice_type[0] &&
                tz_xcode_parse(TZ_XT_NOTICE_TYPE, page[i].notice_type,
                               strlen(page[i].notice_type), &s.notice_type))
                err = TZ_EIO;
            if (!err)
                err = tz_x_entity_from_rec(&page[i].entity, &e);
            if (!err)
                err = fn(ctx, &s);
            after = page[i].entity.id;
        }
        tz_store_xnotice_entities_free(page, n);
        if (err || n < TZ_XS_PAGE)
            return err;
    }
}

size_t tz_x_notice_offers(const struct tz_xactor *who, const struct tz_xview *v, int from,
                          struct tz_xnotice_offer *out)
{
    struct tz_xmsg_rec rec = {.inbound = v->inbound}; /* what may_move reads of the notice */
    snprintf(rec.from_unit, sizeof rec.from_unit, "%s", v->msg.originator.unit);
    size_t n = 0;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && n < TZ_XNS_COUNT; i++)
        if (steps[i].from == from && may_move(who, &steps[i], &rec) == TZ_OK)
            out[n++] = (struct tz_xnotice_offer){
                .to = steps[i].to, .note = steps[i].note, .neutrality = steps[i].neutrality};
    return n;
}

int tz_x_notice_state_parse(const char *code)
{
    return state_of(code);
}
