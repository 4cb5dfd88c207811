/*
 * events.c - the NFIP family (events.h): a football event announced by an
 * nfip_event message, and the event's risk assessments, supporter movements,
 * requests for spotters and feedback, each a message of the event's case
 * with its NFIP part. What each type carries is the table `parts` below; the
 * message itself goes through the exchange's one submit (service.c), so every
 * rule of a message holds for these too, and its NFIP part is written in the
 * same transaction.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange/internal.h"

/* What an NFIP part may carry, per type: R required, O optional, - never. */
static const struct part {
    int type;
    char phase, risk, supporters, risk_supporters, transport, route, arrival, spotters;
} parts[] = {
    {TZ_XMSG_NFIP_RISK, 'R', 'R', '-', '-', '-', '-', '-', '-'},
    {TZ_XMSG_NFIP_MOVEMENT, '-', '-', 'R', 'O', 'R', 'R', 'O', '-'},
    {TZ_XMSG_NFIP_SPOTTERS, '-', '-', '-', '-', '-', '-', '-', 'R'},
    {TZ_XMSG_NFIP_FEEDBACK, '-', 'O', '-', '-', '-', '-', '-', '-'},
};

void tz_xnfip_init(struct tz_xnfip *n)
{
    memset(n, 0, sizeof *n);
    n->phase = n->risk = n->transport = -1;
    n->supporters = n->risk_supporters = n->spotters = -1;
}

static const struct part *part_of(int type)
{
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (parts[i].type == type)
            return &parts[i];
    return NULL;
}

static void text(const char *field, const char *s, bool required, struct tz_field_errors *errs)
{
    if (required && !s[0])
        tz_fielderr_add(errs, field, "is required");
    else if (!tz_x_text_ok(s, strlen(s)))
        tz_fielderr_add(errs, field, "must be UTF-8 text without control characters");
}

tz_err tz_exchange_event_validate(struct tz_xevent *e, struct tz_field_errors *errs)
{
    size_t before = errs->count + errs->dropped;
    text("/event/competition", e->competition, true, errs);
    text("/event/home", e->home, true, errs);
    text("/event/away", e->away, true, errs);
    text("/event/venue", e->venue, true, errs);
    int c;
    if (tz_xcode_parse(TZ_XT_COUNTRY, e->country, strlen(e->country), &c))
        tz_fielderr_add(errs, "/event/country", "must be a code of the country table");
    else
        snprintf(e->country, sizeof e->country, "%s", tz_xcode_code(TZ_XT_COUNTRY, c));
    if (!(isfinite(e->lat) && e->lat >= -90 && e->lat <= 90))
        tz_fielderr_add(errs, "/event/lat", "must be a latitude in degrees (WGS 84)");
    if (!(isfinite(e->lon) && e->lon >= -180 && e->lon <= 180))
        tz_fielderr_add(errs, "/event/lon", "must be a longitude in degrees (WGS 84)");
    if (e->kickoff <= 0)
        tz_fielderr_add(errs, "/event/kickoff", "is required (RFC 3339)");
    if (!tz_xcode_code(TZ_XT_RISK, e->risk))
        tz_fielderr_add(errs, "/event/risk", "must be a code of the risk_category table");
    if (!e->window_from && !e->window_to && e->kickoff > 0) {
        e->window_from = e->kickoff - TZ_X_EVENT_BEFORE_S;
        e->window_to = e->kickoff + TZ_X_EVENT_AFTER_S;
    } else if (!(e->window_from <= e->kickoff && e->kickoff <= e->window_to &&
                 e->window_to - e->window_from <= TZ_X_EVENT_WINDOW_MAX_S)) {
        tz_fielderr_add(errs, "/event/window", "must hold the kick-off and last at most %d days",
                        TZ_X_EVENT_WINDOW_MAX_S / 86400);
    }
    return errs->count + errs->dropped > before ? TZ_EINVAL : TZ_OK;
}

/* One member of a part against its column of the table: said when it must be, not otherwise. */
static void member(const char *field, char rule, bool said, struct tz_field_errors *errs)
{
    if (rule == 'R' && !said)
        tz_fielderr_add(errs, field, "is required for this message type");
    if (rule == '-' && said)
        tz_fielderr_add(errs, field, "this message type does not carry it");
}

tz_err tz_exchange_nfip_validate(int type, const struct tz_xnfip *n, struct tz_field_errors *errs)
{
    size_t before = errs->count + errs->dropped;
    const struct part *p = part_of(type);
    if (!p) {
        tz_fielderr_add(errs, "/type",
                        "an event's message is nfip_risk, nfip_movement, nfip_spotters or "
                        "nfip_feedback");
        return TZ_EINVAL;
    }
    if (n->event_id <= 0)
        tz_fielderr_add(errs, "/nfip/event", "must be an event id");
    member("/nfip/phase", p->phase, n->phase != -1, errs);
    if (n->phase != -1 && !tz_xcode_code(TZ_XT_NFIP_PHASE, n->phase))
        tz_fielderr_add(errs, "/nfip/phase", "must be a code of the nfip_phase table");
    member("/nfip/risk", p->risk, n->risk != -1, errs);
    if (n->risk != -1 && !tz_xcode_code(TZ_XT_RISK, n->risk))
        tz_fielderr_add(errs, "/nfip/risk", "must be a code of the risk_category table");
    member("/nfip/supporters", p->supporters, n->supporters != -1, errs);
    if (n->supporters < -1 || n->supporters > TZ_X_SUPPORTERS_MAX)
        tz_fielderr_add(errs, "/nfip/supporters", "must be 0 to %d", TZ_X_SUPPORTERS_MAX);
    member("/nfip/risk_supporters", p->risk_supporters, n->risk_supporters != -1, errs);
    if (n->risk_supporters < -1 || n->risk_supporters > n->supporters)
        tz_fielderr_add(errs, "/nfip/risk_supporters", "must be 0 to the number of supporters");
    member("/nfip/transport", p->transport, n->transport != -1, errs);
    if (n->transport != -1 && !tz_xcode_code(TZ_XT_TRANSPORT, n->transport))
        tz_fielderr_add(errs, "/nfip/transport", "must be a code of the transport table");
    member("/nfip/route", p->route, n->route[0] != 0, errs);
    if (!tz_x_text_ok(n->route, strlen(n->route)))
        tz_fielderr_add(errs, "/nfip/route", "must be UTF-8 text without control characters");
    member("/nfip/arrival", p->arrival, n->arrival != 0, errs);
    if (n->arrival < 0)
        tz_fielderr_add(errs, "/nfip/arrival", "must be an instant");
    member("/nfip/spotters", p->spotters, n->spotters != -1, errs);
    if (n->spotters != -1 && (n->spotters < 1 || n->spotters > TZ_X_SPOTTERS_MAX))
        tz_fielderr_add(errs, "/nfip/spotters", "must be 1 to %d", TZ_X_SPOTTERS_MAX);
    return errs->count + errs->dropped > before ? TZ_EINVAL : TZ_OK;
}

static const char *code_or_empty(enum tz_xtable t, int v)
{
    const char *c = v == -1 ? NULL : tz_xcode_code(t, v);
    return c ? c : "";
}

static int code_or_none(enum tz_xtable t, const char *s)
{
    int v = -1;
    if (s[0] && tz_xcode_parse(t, s, strlen(s), &v))
        v = -1;
    return v;
}

static void event_to_rec(const struct tz_xevent *e, struct tz_xevent_rec *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->competition, sizeof r->competition, "%s", e->competition);
    snprintf(r->home, sizeof r->home, "%s", e->home);
    snprintf(r->away, sizeof r->away, "%s", e->away);
    snprintf(r->venue, sizeof r->venue, "%s", e->venue);
    snprintf(r->country, sizeof r->country, "%s", e->country);
    r->lat = e->lat, r->lon = e->lon;
    r->kickoff = e->kickoff, r->window_from = e->window_from, r->window_to = e->window_to;
    snprintf(r->risk, sizeof r->risk, "%s", code_or_empty(TZ_XT_RISK, e->risk));
}

static void event_from_rec(const struct tz_xevent_rec *r, struct tz_xevent *e)
{
    memset(e, 0, sizeof *e);
    e->id = r->id, e->case_id = r->case_id;
    snprintf(e->competition, sizeof e->competition, "%s", r->competition);
    snprintf(e->home, sizeof e->home, "%s", r->home);
    snprintf(e->away, sizeof e->away, "%s", r->away);
    snprintf(e->venue, sizeof e->venue, "%s", r->venue);
    snprintf(e->country, sizeof e->country, "%.3s", r->country);
    e->lat = r->lat, e->lon = r->lon;
    e->kickoff = r->kickoff, e->window_from = r->window_from, e->window_to = r->window_to;
    e->risk = code_or_none(TZ_XT_RISK, r->risk);
}

static void nfip_to_rec(const struct tz_xnfip *n, struct tz_xnfip_rec *r)
{
    memset(r, 0, sizeof *r);
    r->event_id = n->event_id;
    snprintf(r->phase, sizeof r->phase, "%s", code_or_empty(TZ_XT_NFIP_PHASE, n->phase));
    snprintf(r->risk, sizeof r->risk, "%s", code_or_empty(TZ_XT_RISK, n->risk));
    snprintf(r->transport, sizeof r->transport, "%s", code_or_empty(TZ_XT_TRANSPORT, n->transport));
    r->supporters = n->supporters, r->risk_supporters = n->risk_supporters;
    r->arrival = n->arrival, r->spotters = n->spotters;
    snprintf(r->route, sizeof r->route, "%s", n->route);
}

static void nfip_from_rec(const struct tz_xnfip_rec *r, struct tz_xnfip *n)
{
    tz_xnfip_init(n);
    n->event_id = r->event_id;
    n->phase = code_or_none(TZ_XT_NFIP_PHASE, r->phase);
    n->risk = code_or_none(TZ_XT_RISK, r->risk);
    n->transport = code_or_none(TZ_XT_TRANSPORT, r->transport);
    n->supporters = r->supporters, n->risk_supporters = r->risk_supporters;
    n->arrival = r->arrival, n->spotters = r->spotters;
    snprintf(n->route, sizeof n->route, "%s", r->route);
}

tz_err tz_exchange_event_create(struct tz_exchange *x, const struct tz_xactor *who, bool inbound,
                                struct tz_xevent *e, struct tz_xmsg *m, struct tz_xreceipt *out,
                                struct tz_field_errors *errs)
{
    memset(out, 0, sizeof *out);
    m->type = TZ_XMSG_NFIP_EVENT;
    /* Both lists of mistakes at once; nothing is written unless both are clean. */
    tz_err bad_event = tz_exchange_event_validate(e, errs);
    if (m->case_id) {
        tz_fielderr_add(errs, "/case", "an event opens a case of its own");
        bad_event = TZ_EINVAL;
    }
    if (tz_exchange_validate(m, errs) || bad_event)
        return TZ_EINVAL;
    struct tz_xevent_rec rec;
    event_to_rec(e, &rec);
    tz_err err = tz_x_submit(x, who, inbound, m, &rec, NULL, out, errs);
    if (!err) {
        e->id = out->id;
        e->case_id = out->case_id;
    }
    return err;
}

tz_err tz_exchange_event_submit(struct tz_exchange *x, const struct tz_xactor *who, bool inbound,
                                const struct tz_xnfip *n, struct tz_xmsg *m,
                                struct tz_xreceipt *out, struct tz_field_errors *errs)
{
    memset(out, 0, sizeof *out);
    struct tz_xevent_rec ev;
    struct tz_xevent_item_rec *items = NULL;
    size_t count = 0;
    tz_err err = tz_store_x_event_get(tz_x_store(x), n->event_id, NULL, &ev, &items, &count);
    free(items);
    if (err)
        return err;
    /* The event's case first: the message is checked as one of that case (no subject of its
     * own), with its part, both lists at once. */
    tz_err bad_case = TZ_OK;
    if (m->case_id && m->case_id != ev.case_id) {
        tz_fielderr_add(errs, "/case", "an event's messages are in the event's case");
        bad_case = TZ_EINVAL;
    }
    m->case_id = ev.case_id;
    tz_err bad_part = tz_exchange_nfip_validate(m->type, n, errs);
    if (tz_exchange_validate(m, errs) || bad_part || bad_case)
        return TZ_EINVAL;
    struct tz_xnfip_rec rec;
    nfip_to_rec(n, &rec);
    return tz_x_submit(x, who, inbound, m, NULL, &rec, out, errs);
}

void tz_xevent_view_clear(struct tz_xevent_view *v)
{
    free(v->items);
    memset(v, 0, sizeof *v);
}

/* Whether who may read the event announced by message id (as its announcement's reader). */
static tz_err may_read_event(struct tz_exchange *x, const struct tz_xactor *who, int64_t id)
{
    struct tz_xmsg_rec rec = {0};
    tz_err err = tz_store_x_get_message(tz_x_store(x), id, NULL, &rec);
    if (!err)
        err = tz_x_may_read(x, who, &rec);
    tz_store_xmsg_free(&rec);
    return err;
}

static void line_of(const struct tz_xhead_rec *h, struct tz_xline *l)
{
    memset(l, 0, sizeof *l);
    l->id = h->id, l->case_id = h->case_id, l->in_reply_to = h->in_reply_to, l->at = h->at;
    l->inbound = h->inbound != 0;
    l->type = code_or_none(TZ_XT_MSG_TYPE, h->type);
    l->handling = code_or_none(TZ_XT_HANDLING, h->handling);
    l->urgency = code_or_none(TZ_XT_URGENCY, h->urgency);
    snprintf(l->from_node, sizeof l->from_node, "%s", h->from_node);
    snprintf(l->from_unit, sizeof l->from_unit, "%s", h->from_unit);
    snprintf(l->subject, sizeof l->subject, "%s", h->subject);
    memcpy(l->lang, h->lang, sizeof l->lang - 1);
    snprintf(l->state, sizeof l->state, "%s", h->clock.state);
    l->due = h->clock.due_at; /* no NFIP message is a request: its clock is "none" */
}

tz_err tz_exchange_event_view(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                              struct tz_xevent_view *out)
{
    memset(out, 0, sizeof *out);
    struct tz_xevent_rec ev;
    struct tz_xevent_item_rec *items = NULL;
    size_t n = 0;
    /* An event's id is its announcement's: no such message, no such event. */
    tz_err err = may_read_event(x, who, id);
    if (err)
        return err;
    char object[48];
    snprintf(object, sizeof object, "xevent/%lld", (long long)id);
    struct tz_audit_rec audit = tz_x_audit(x, who, TZ_AUDIT_EXCHANGE_READ, object);
    if ((err = tz_store_x_event_get(tz_x_store(x), id, &audit, &ev, &items, &n)))
        return err;
    event_from_rec(&ev, &out->event);
    if (n && !(out->items = calloc(n, sizeof *out->items)))
        err = TZ_ENOMEM;
    for (size_t i = 0; !err && i < n; i++) {
        line_of(&items[i].head, &out->items[i].line);
        nfip_from_rec(&items[i].nfip, &out->items[i].nfip);
        out->count++;
    }
    free(items);
    if (err)
        tz_xevent_view_clear(out);
    return err;
}

tz_err tz_exchange_events(struct tz_exchange *x, const struct tz_xactor *who,
                          struct tz_xevent **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    struct tz_xevent_rec *recs = NULL;
    size_t n = 0;
    tz_err err = tz_store_x_events(tz_x_store(x), &recs, &n);
    if (!err && n && !(*out = calloc(n, sizeof **out)))
        err = TZ_ENOMEM;
    for (size_t i = 0; !err && i < n; i++) {
        tz_err may = may_read_event(x, who, recs[i].id);
        if (may == TZ_OK)
            event_from_rec(&recs[i], &(*out)[(*count)++]);
        else if (may != TZ_EFORBIDDEN)
            err = may;
    }
    free(recs);
    if (err) {
        free(*out);
        *out = NULL;
        *count = 0;
    }
    return err;
}
