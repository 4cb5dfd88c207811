/*
 * deviation.c - Art. 9 of Directive (EU) 2023/977: where a reply needs a
 * judicial authorisation, the requested SPOC may take longer, and records
 * the expected delay and the reasons, and informs the requester. Here: the
 * delay moves the request's due instant (added to the clock's paused_total,
 * a compare-and-set on the clock as read), the requester gets a message of
 * type "deviation" in the request's language, and both are written, with the
 * deviation's own record and the audit entry, in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tztime.h"
#include "exchange/internal.h"
#include "exchange/spoc.h"

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

static void check_deviation(const struct tz_xdeviation *d, struct tz_field_errors *errs)
{
    if (d->delay_s < TZ_X_DEVIATION_MIN_S || d->delay_s > TZ_X_DEVIATION_MAX_S)
        tz_fielderr_add(errs, "/delay_hours", "from %d to %d hours", TZ_X_DEVIATION_MIN_S / 3600,
                        TZ_X_DEVIATION_MAX_S / 3600);
    size_t n = d->reasons ? strlen(d->reasons) : 0;
    if (n == 0)
        tz_fielderr_add(errs, "/reasons", "required: why a judicial authorisation is needed");
    else if (n >= TZ_X_LONG_MAX || !tz_x_text_ok(d->reasons, n))
        tz_fielderr_add(errs, "/reasons", "UTF-8 text of at most %d bytes", TZ_X_LONG_MAX - 1);
}

/* The first unit of this node that the request addresses and who may act for; NULL: none. */
static const char *acting_unit(const struct tz_exchange *x, const struct tz_xactor *who,
                               const struct tz_xmsg *req)
{
    for (size_t i = 0; i < req->addressee_count; i++)
        if (strcmp(req->addressees[i].node, tz_x_config(x)->node) == 0 &&
            req->addressees[i].unit[0] &&
            tz_x_may_send(who, true, NULL, &req->addressees[i], 1) == TZ_OK)
            return req->addressees[i].unit;
    return NULL;
}

/* The message that tells the requester: from the acting unit to the request's originator. */
static tz_err notice_of(const struct tz_exchange *x, const struct tz_xactor *who,
                        const struct tz_xmsg *req, const char *unit, const struct tz_xdeviation *d,
                        int64_t due, struct tz_xmsg *m)
{
    tz_xmsg_init(m);
    m->type = TZ_XMSG_DEVIATION;
    m->case_id = req->case_id;
    m->in_reply_to = req->id;
    COPY(m->originator.node, tz_x_config(x)->node);
    COPY(m->originator.unit, unit);
    COPY(m->originator.officer, who->p->account.name);
    m->addressee_count = 1;
    COPY(m->addressees[0].node, req->originator.node);
    COPY(m->addressees[0].unit, req->originator.unit);
    COPY(m->lang, req->lang);
    m->handling = TZ_XH0;
    m->source = TZ_XSRC_A;
    m->info = TZ_XINFO_1;
    /* Carried as fields too, so that the requester's node moves its own due instant. */
    m->delay_hours = (int)(d->delay_s / 3600);
    COPY(m->reasons, d->reasons);
    /* Numbers and the instant read in any language; the reasons are the SPOC's own words. */
    enum tz_xlang lang = TZ_XLANG_EN;
    tz_xlang_parse(req->lang, &lang);
    char when[TZ_TIME_TEXT_MAX];
    tz_time_format(due, when);
    char text[TZ_X_LONG_MAX + 256];
    int n = snprintf(text, sizeof text, "%s: +%lld h (%s). %s",
                     tz_xcode_label(TZ_XT_MSG_TYPE, TZ_XMSG_DEVIATION, lang),
                     (long long)(d->delay_s / 3600), when, d->reasons);
    if (n < 0 || !(m->text = strdup(text)))
        return TZ_ENOMEM;
    m->text_len = strlen(m->text);
    return TZ_OK;
}

/* Whether the request addressed node `node`. */
static bool addressed(const struct tz_xmsg *req, const char *node)
{
    for (size_t i = 0; i < req->addressee_count; i++)
        if (strcmp(req->addressees[i].node, node) == 0)
            return true;
    return false;
}

tz_err tz_x_partner_deviation(const struct tz_xmsg *m, bool inbound, const struct tz_xmsg *req,
                              const struct tz_xmsg_rec *trec, int64_t now,
                              struct tz_xstate_change *change, struct tz_xdeviation_rec *dev,
                              struct tz_field_errors *errs)
{
    size_t before = errs->count + errs->dropped;
    if (!inbound)
        tz_fielderr_add(errs, "/type",
                        "this node records its own deviation on the received "
                        "request (POST /api/v1/exchange/messages/{id}/deviation)");
    else if (req->type != TZ_XMSG_REQUEST || trec->inbound)
        tz_fielderr_add(errs, "/in_reply_to",
                        "a partner's deviation answers a request this node "
                        "sent");
    else if (!addressed(req, m->originator.node))
        tz_fielderr_add(errs, "/originator/node", "the request did not go to this node");
    else if (!tz_x_same_language(req->lang, m->lang))
        tz_fielderr_add(errs, "/lang", "must be the language of the request (%s)", req->lang);
    if (errs->count + errs->dropped > before)
        return TZ_EINVAL;
    if (strcmp(trec->clock.state, "open") != 0 && strcmp(trec->clock.state, "paused") != 0)
        return TZ_ECONFLICT; /* answered or refused meanwhile: no deadline left to move */
    struct tz_xclock c = tz_x_clock_of(trec);
    c.paused_total += (int64_t)m->delay_hours * 3600; /* the due instant moves later */
    change->message_id = trec->id;
    change->was = trec->clock;
    tz_x_state_of(&c, trec->clock.state, now, &change->clock);
    memset(dev, 0, sizeof *dev);
    dev->request_id = trec->id;
    dev->delay_s = (int64_t)m->delay_hours * 3600;
    COPY(dev->reasons, m->reasons);
    /* The actor is the partner: its officer when named, else its node and unit. */
    if (m->originator.officer[0])
        COPY(dev->actor, m->originator.officer);
    else
        snprintf(dev->actor, sizeof dev->actor, "%s/%s", m->originator.node, m->originator.unit);
    return TZ_OK;
}

tz_err tz_exchange_deviate(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                           const struct tz_xdeviation *d, struct tz_xreceipt *out,
                           struct tz_field_errors *errs)
{
    memset(out, 0, sizeof *out);
    size_t before = errs->count + errs->dropped;
    check_deviation(d, errs);
    if (errs->count + errs->dropped > before)
        return TZ_EINVAL;
    struct tz_xmsg_rec rec = {0}, mrec = {0};
    struct tz_xmsg req, m;
    tz_xmsg_init(&req);
    tz_xmsg_init(&m);
    tz_err err = tz_store_x_get_message(tz_x_store(x), id, NULL, &rec);
    if (!err)
        err = tz_x_from_rec(&rec, &req);
    if (err)
        goto done;
    if (req.type != TZ_XMSG_REQUEST || !rec.inbound) {
        tz_fielderr_add(errs, "/in_reply_to", "a deviation is recorded on a received request");
        err = TZ_EINVAL;
        goto done;
    }
    const char *unit = acting_unit(x, who, &req);
    if (!unit) {
        err = TZ_EFORBIDDEN;
        goto done;
    }
    if (strcmp(rec.clock.state, "open") != 0 && strcmp(rec.clock.state, "paused") != 0) {
        err = TZ_ECONFLICT; /* answered or refused: there is no deadline left to move */
        goto done;
    }
    int64_t now = tz_exchange_now(x);
    struct tz_xclock c = tz_x_clock_of(&rec);
    c.paused_total += d->delay_s; /* the due instant moves later by the delay */
    struct tz_xstate_change change = {.message_id = id, .was = rec.clock};
    tz_x_state_of(&c, rec.clock.state, now, &change.clock);
    out->due = tz_exchange_due(&c, now);
    if ((err = notice_of(x, who, &req, unit, d, out->due, &m)))
        goto done;
    if (tz_exchange_validate(&m, errs)) {
        err = TZ_EINVAL;
        goto done;
    }
    if ((err = tz_x_to_rec(&m, &mrec)))
        goto done;
    mrec.inbound = 0;
    mrec.at = now;
    struct tz_xdeviation_rec dev = {.request_id = id, .delay_s = d->delay_s};
    COPY(dev.reasons, d->reasons);
    COPY(dev.actor, who->p->account.name);
    struct tz_audit_rec audit = tz_x_audit(x, who, TZ_AUDIT_EXCHANGE_SEND, NULL);
    struct tz_xput put = {.msg = &mrec, .change = &change, .audit = &audit, .deviation = &dev};
    if (!(err = tz_x_write(x, &put))) {
        out->id = put.id;
        out->case_id = put.case_id;
    }
done:
    if (err)
        out->due = 0;
    tz_store_xmsg_free(&rec);
    tz_store_xmsg_free(&mrec);
    tz_xmsg_clear(&req);
    tz_xmsg_clear(&m);
    return err;
}
