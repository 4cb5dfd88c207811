/*
 * service_message.c - a screening hit turned into a request to the owner of the notice it hit,
 * in one action (tz_screening_hit_message).
 *
 * A hit is named as the answer gave it: its source and record id ("notices", "<notice id>/<entity
 * ref>"); hits are not stored (an answer is computed and audited, not kept), and the message is
 * composed from the notice on file, never from what the client says it saw: the request carries
 * the notice's subject as its entity, joins the notice's case (so the notice is referenced and
 * its owner's thread holds the request), goes to the notice's originator (node and unit), with
 * the national SPOC in copy when it goes abroad (Art. 4), under the notice's handling code. The
 * exchange writes it whole with its audit entry (exchange.send, its note naming the hit and the
 * officer's reason) in one transaction; a refusal is audited here (screening.query refused).
 * Only a notice's hit has an owner to write to: a watch-list's record has none in the exchange.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"
#include "exchange/exchange.h"
#include "screening/internal.h"

#define TEXT_MAX 8192 /* bytes of the officer's own words */
#define NOTE_MAX (TZ_SCREEN_REASON_MAX + 160)

/* "<notice id>/<ref>" into its parts; false when it is not one. */
static bool notice_record(const char *record_id, int64_t *id, char ref[TZ_X_REF_MAX])
{
    char *end = NULL;
    long long v = strtoll(record_id, &end, 10);
    if (end == record_id || v <= 0 || *end != '/' || !end[1] || strlen(end + 1) >= TZ_X_REF_MAX)
        return false;
    *id = (int64_t)v;
    memcpy(ref, end + 1, strlen(end + 1) + 1);
    return true;
}

/* Every field checked; the notice's id and ref and the urgency into the out-parameters. */
static void check(const struct tz_screen_hit_message *q, int64_t *id, char ref[TZ_X_REF_MAX],
                  int *urgency, struct tz_field_errors *errs)
{
    if (!q->source || strcmp(q->source, "notices") != 0)
        tz_fielderr_add(errs, "/source",
                        "notices: only a published notice's hit has an owner to write to");
    if (!q->record_id || !notice_record(q->record_id, id, ref))
        tz_fielderr_add(errs, "/record_id", "the hit's record id: <notice id>/<entity ref>");
    if (q->text && (strlen(q->text) > TEXT_MAX || !tz_screening_utf8_ok(q->text)))
        tz_fielderr_add(errs, "/text", "at most 8192 bytes of UTF-8 text");
    *urgency = TZ_XURG_NORMAL;
    if (q->urgency && tz_xcode_parse(TZ_XT_URGENCY, q->urgency, strlen(q->urgency), urgency))
        tz_fielderr_add(errs, "/urgency", "urgent_direct, urgent_indirect or normal");
    tz_screening_check_reason(q->reason, errs);
}

/* Copies src into dst of cap bytes, cut when it must be (the exchange's checks then refuse what
 * does not fit its rules). */
static void put(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The request: from the actor's unit to the notice's originator, in its case, its subject. */
static tz_err compose(const struct tz_exchange *x, const struct tz_principal *p,
                      const struct tz_xnotice_owner *o, const struct tz_screen_hit_message *q,
                      int urgency, struct tz_xmsg *m)
{
    const struct tz_xnode_config *cfg = tz_exchange_node(x);
    const struct tz_xmsg *n = &o->notice;
    const struct tz_xentity *e = &n->entities[o->entity];
    m->type = TZ_XMSG_REQUEST;
    m->case_id = o->case_id;
    put(m->originator.node, sizeof m->originator.node, cfg->node);
    put(m->originator.unit, sizeof m->originator.unit, p->account.unit);
    put(m->originator.officer, sizeof m->originator.officer, p->account.name);
    m->addressees[0] = n->originator;
    m->addressees[0].officer[0] = '\0', m->addressees[0].cc = false;
    m->addressee_count = 1;
    bool abroad = strcmp(n->originator.node, cfg->node) != 0;
    if (abroad && cfg->spoc_unit[0] && strcmp(p->account.unit, cfg->spoc_unit) != 0) {
        struct tz_xparty *spoc = &m->addressees[m->addressee_count++];
        put(spoc->node, sizeof spoc->node, cfg->node);
        put(spoc->unit, sizeof spoc->unit, cfg->spoc_unit);
        spoc->cc = true;
    }
    put(m->lang, sizeof m->lang, n->lang[0] ? n->lang : "en");
    m->handling = n->handling;
    put(m->restriction, sizeof m->restriction, n->restriction);
    m->source = TZ_XSRC_X, m->info = TZ_XINFO_4; /* a screening hit: not yet judged */
    m->urgency = urgency;
    char head[256];
    int k = snprintf(head, sizeof head,
                     "Screening hit on notice %lld, subject %s: please confirm and advise.",
                     (long long)n->id, e->ref);
    size_t len = (size_t)k + (q->text && q->text[0] ? 2 + strlen(q->text) : 0);
    if (!(m->text = malloc(len + 1)) || !(m->entities = calloc(1, sizeof *m->entities)))
        return TZ_ENOMEM;
    snprintf(m->text, len + 1, "%s%s%s", head, q->text && q->text[0] ? "\n\n" : "",
             q->text && q->text[0] ? q->text : "");
    m->text_len = len;
    m->entities[0] = *e;
    m->entity_count = 1;
    return TZ_OK;
}

/* A refusal's audit entry: the hit asked for and why it was refused. */
static tz_err audit_refusal(struct tz_screening *s, const struct tz_auth_who *who,
                            const struct tz_screen_hit_message *q, const char *why)
{
    struct tz_buf b;
    tz_buf_init(&b, 4096);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "source", q->source);
    tz_jw_kstr(&w, "record_id", q->record_id);
    tz_jw_kstr(&w, "refused", why);
    tz_jw_object_end(&w);
    tz_err err = tz_jw_end(&w);
    if (!err)
        err = tz_screening_audit(s, who, "screening/hit-message", b.data, q->reason, true);
    tz_buf_free(&b);
    return err;
}

tz_err tz_screening_hit_message(struct tz_screening *s, const struct tz_auth_who *who,
                                const struct tz_screen_hit_message *q, struct tz_field_errors *errs,
                                struct tz_screen_hit_sent *out)
{
    memset(out, 0, sizeof *out);
    if (!s->exchange)
        return TZ_ENOTFOUND; /* no exchange here: no notice to answer */
    if (!who->p || tz_auth_permit(who->p, TZ_ACT_SCREENING, NULL, NULL, NULL) != TZ_OK) {
        tz_err err = audit_refusal(s, who, q, "forbidden");
        return err ? err : TZ_EFORBIDDEN;
    }
    int64_t id = 0;
    char ref[TZ_X_REF_MAX] = "";
    int urgency = TZ_XURG_NORMAL;
    check(q, &id, ref, &urgency, errs);
    if (errs->count) {
        tz_err err = audit_refusal(s, who, q, errs->items[0].field);
        return err ? err : TZ_EINVAL;
    }
    /* The request comes from the actor's unit: a role that sends nothing, or no unit, may not. */
    if (tz_auth_scope_of(who->p->role, TZ_ACT_EXCHANGE_SEND) == TZ_SCOPE_NONE ||
        !who->p->account.unit[0]) {
        tz_err err = audit_refusal(s, who, q, "exchange: forbidden");
        return err ? err : TZ_EFORBIDDEN;
    }
    struct tz_xnotice_owner o;
    tz_err err = tz_exchange_published_subject(s->exchange, id, ref, &o);
    if (err == TZ_ENOTFOUND) {
        tz_err e2 = audit_refusal(s, who, q, "no such published notice or subject");
        return e2 ? e2 : err;
    }
    if (err)
        return err;
    struct tz_xmsg m;
    tz_xmsg_init(&m);
    char note[NOTE_MAX];
    snprintf(note, sizeof note, "from screening hit notices/%s: %s", q->record_id, q->reason);
    struct tz_xactor actor = {.p = who->p, .client = who->client};
    struct tz_xreceipt r;
    if (!(err = compose(s->exchange, who->p, &o, q, urgency, &m)))
        err = tz_exchange_submit_noted(s->exchange, &actor, note, &m, &r, errs);
    if (!err) {
        out->message_id = r.id, out->case_id = r.case_id, out->due = r.due;
        out->notice_id = id;
        put(out->to_node, sizeof out->to_node, m.addressees[0].node);
        put(out->to_unit, sizeof out->to_unit, m.addressees[0].unit);
    } else if (err == TZ_EFORBIDDEN || err == TZ_EINVAL) {
        tz_err e2 = audit_refusal(
            s, who, q, err == TZ_EFORBIDDEN ? "exchange: forbidden" : "exchange: refused");
        err = e2 ? e2 : err;
    }
    tz_xmsg_clear(&m);
    tz_xnotice_owner_clear(&o);
    return err;
}
