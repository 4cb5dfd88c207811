/*
 * service.c - the exchange's operations over the store: a message submitted
 * (checked, permitted, its rules applied, written whole with its audit entry
 * and the clock of the request it answers in one transaction), a message
 * read, a unit's box and a case's thread read, each read audited in its own
 * transaction. Deadlines are computed on every read from the stored clock
 * and the handle's clock, so "overdue" is never stale.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tztime.h"
#include "exchange/internal.h"

struct tz_exchange {
    struct tz_store *store;
    struct tz_xnode_config cfg;
    tz_exchange_clock_fn clock;
    void *clock_ctx;
    uint64_t notices; /* raised (atomically) by every notice stored or moved: screening follows */
};

uint64_t tz_exchange_notices_version(const struct tz_exchange *x)
{
    return __atomic_load_n(&x->notices, __ATOMIC_ACQUIRE);
}

void tz_x_notices_moved(struct tz_exchange *x)
{
    __atomic_add_fetch(&x->notices, 1, __ATOMIC_RELEASE);
}

tz_err tz_exchange_open(struct tz_store *store, const struct tz_xnode_config *cfg,
                        struct tz_exchange **out)
{
    *out = NULL;
    if (!store || !cfg || !cfg->node[0] || !cfg->spoc_unit[0])
        return TZ_EINVAL;
    struct tz_exchange *x = calloc(1, sizeof *x);
    if (!x)
        return TZ_ENOMEM;
    x->store = store;
    x->cfg = *cfg;
    *out = x;
    return TZ_OK;
}

void tz_exchange_close(struct tz_exchange *x)
{
    if (!x)
        return;
    free(x);
}

/*
 * Writes put durably: the store's x_put_messages, the message whole in a savepoint of its own.
 * Messages submitted at the same time share one transaction and its fsync through the store's
 * group commit (store/sqlite_group.c), which this module kept a queue of its own for before.
 */
static tz_err write_batched(struct tz_exchange *x, struct tz_xput *put)
{
    tz_store_x_put_messages(x->store, put, 1); /* put->err says how it went */
    return put->err;
}

void tz_exchange_set_clock(struct tz_exchange *x, tz_exchange_clock_fn fn, void *ctx)
{
    x->clock = fn;
    x->clock_ctx = ctx;
}

int64_t tz_exchange_now(const struct tz_exchange *x)
{
    return x->clock ? x->clock(x->clock_ctx) : tz_time_now();
}

static struct tz_audit_rec audit_of(const struct tz_exchange *x, const struct tz_xactor *who,
                                    enum tz_audit_action action, const char *object);

struct tz_store *tz_x_store(const struct tz_exchange *x)
{
    return x->store;
}

struct tz_audit_rec tz_x_audit(const struct tz_exchange *x, const struct tz_xactor *who,
                               enum tz_audit_action action, const char *object)
{
    return audit_of(x, who, action, object);
}

static struct tz_audit_rec audit_of(const struct tz_exchange *x, const struct tz_xactor *who,
                                    enum tz_audit_action action, const char *object)
{
    return (struct tz_audit_rec){
        .at = tz_exchange_now(x),
        .actor = who->p->account.name,
        .role = tz_auth_role_code(who->p->role),
        .client = who->client,
        .action = tz_audit_code(action),
        .object = object,
        .outcome = "ok",
    };
}

/* The clock of a stored message, and its state. */
static struct tz_xclock clock_of(const struct tz_xstate_rec *s, int64_t at, const char *urgency)
{
    int u = TZ_XURG_NORMAL;
    if (urgency[0] && tz_xcode_parse(TZ_XT_URGENCY, urgency, strlen(urgency), &u))
        u = TZ_XURG_NORMAL;
    struct tz_xclock c = tz_exchange_clock_start(at, (enum tz_xurgency)u);
    c.paused_total = s->paused_total;
    c.paused_since = s->paused_since;
    return c;
}

static bool clock_runs(const char *state)
{
    return strcmp(state, "open") == 0 || strcmp(state, "paused") == 0;
}

static void state_of(const struct tz_xclock *c, const char *state, int64_t now,
                     struct tz_xstate_rec *out)
{
    snprintf(out->state, sizeof out->state, "%s", state);
    out->due_at = tz_exchange_due(c, now);
    out->paused_since = c->paused_since;
    out->paused_total = c->paused_total;
}

/* Whether the actor may act on a message from `from_unit` to m's addressees. */
static tz_err permitted(const struct tz_xactor *who, enum tz_auth_action action, bool inbound,
                        const char *from_unit, const struct tz_xparty *to, size_t to_count)
{
    if (!inbound)
        return tz_auth_permit(who->p, action, NULL, from_unit, NULL);
    for (size_t i = 0; i < to_count && i < TZ_X_ADDRESSEES; i++)
        if (to[i].unit[0] && tz_auth_permit(who->p, action, NULL, to[i].unit, NULL) == TZ_OK)
            return TZ_OK;
    return tz_auth_scope_of(who->p->role, action) == TZ_SCOPE_ALL ? TZ_OK : TZ_EFORBIDDEN;
}

/* A stored message read for a rule (not shown to anyone: no audit entry). */
static tz_err load(struct tz_exchange *x, int64_t id, struct tz_xmsg_rec *rec, struct tz_xmsg *m)
{
    tz_err err = tz_store_x_get_message(x->store, id, NULL, rec);
    if (!err)
        err = tz_x_from_rec(rec, m);
    return err;
}

/*
 * What an answer does to the clock of the request it answers: a clarification
 * stops it, a reply or refusal ends it; an answer to a clarification starts
 * the request's clock again. Sets *has when a change is to be written.
 */
static tz_err answer_rules(struct tz_exchange *x, struct tz_xmsg *m, bool inbound, int64_t now,
                           struct tz_xstate_change *change, bool *has,
                           struct tz_xdeviation_rec *dev, struct tz_field_errors *errs)
{
    struct tz_xmsg_rec trec = {0}, rrec = {0};
    struct tz_xmsg target, request;
    tz_xmsg_init(&target);
    tz_xmsg_init(&request);
    tz_err err = load(x, m->in_reply_to, &trec, &target);
    if (err)
        goto done;
    if (m->case_id && m->case_id != trec.case_id) {
        tz_fielderr_add(errs, "/case", "must be the case of the message it answers");
        err = TZ_EINVAL;
        goto done;
    }
    m->case_id = trec.case_id;
    if (m->type == TZ_XMSG_DEVIATION) {
        err = tz_x_partner_deviation(m, inbound, &target, &trec, now, change, dev, errs);
        *has = err == TZ_OK;
        goto done;
    }
    if (target.type == TZ_XMSG_CLARIFICATION) {
        if ((err = load(x, target.in_reply_to, &rrec, &request)))
            goto done;
        struct tz_xclock c = clock_of(&rrec.clock, rrec.at, rrec.urgency);
        if (strcmp(rrec.clock.state, "paused") == 0 && !tz_exchange_clock_resume(&c, now)) {
            change->message_id = rrec.id;
            change->was = rrec.clock;
            state_of(&c, "open", now, &change->clock);
            *has = true;
        }
        goto done;
    }
    if ((err = tz_exchange_check_answer(&target, m, errs)))
        goto done;
    bool ends = m->type == TZ_XMSG_REPLY || m->type == TZ_XMSG_REFUSAL;
    if (ends && strcmp(trec.clock.state, "answered") == 0) {
        err = TZ_ECONFLICT; /* answered first by someone else (or a second answer): one wins */
        goto done;
    }
    if (ends && strcmp(trec.clock.state, "refused") == 0) {
        err = TZ_ECONFLICT;
        goto done;
    }
    struct tz_xclock c = clock_of(&trec.clock, trec.at, trec.urgency);
    const char *state = NULL;
    if (m->type == TZ_XMSG_CLARIFICATION && strcmp(trec.clock.state, "open") == 0 &&
        !tz_exchange_clock_pause(&c, now))
        state = "paused";
    else if (m->type == TZ_XMSG_REPLY && clock_runs(trec.clock.state))
        state = "answered";
    else if (m->type == TZ_XMSG_REFUSAL && clock_runs(trec.clock.state))
        state = "refused";
    if (state) {
        if (c.paused_since > 0 && strcmp(state, "paused") != 0)
            tz_exchange_clock_resume(&c, now);
        change->message_id = trec.id;
        change->was = trec.clock;
        state_of(&c, state, now, &change->clock);
        *has = true;
    }
done:
    tz_xmsg_clear(&target);
    tz_xmsg_clear(&request);
    tz_store_xmsg_free(&trec);
    tz_store_xmsg_free(&rrec);
    return err;
}

/* Art. 16(d): the stored entities that share an exact key with an incoming one. */
static tz_err cross_check(struct tz_exchange *x, const struct tz_xmsg_rec *rec,
                          struct tz_xreceipt *out)
{
    const char *keys[TZ_X_ENTITIES * TZ_X_KEYS];
    size_t n = 0;
    for (size_t i = 0; i < rec->entity_count; i++)
        for (size_t k = 0; k < rec->entities[i].key_count && n < sizeof keys / sizeof *keys; k++)
            keys[n++] = rec->entities[i].keys[k];
    if (n == 0)
        return TZ_OK;
    struct tz_xhit_rec *hits = NULL;
    size_t count = 0;
    tz_err err = tz_store_x_cross_check(x->store, keys, n, &hits, &count);
    for (size_t h = 0; !err && h < count && out->hit_count < TZ_X_HITS; h++) {
        struct tz_xhit *o = &out->hits[out->hit_count++];
        snprintf(o->key, sizeof o->key, "%s", hits[h].key);
        o->message_id = hits[h].message_id;
        o->case_id = hits[h].case_id;
        for (size_t i = 0; i < rec->entity_count; i++)
            for (size_t k = 0; k < rec->entities[i].key_count; k++)
                if (strcmp(rec->entities[i].keys[k], hits[h].key) == 0)
                    o->entity = i;
    }
    free(hits);
    return err;
}

/* Which way the message goes, said by its originator: this node's, or a partner's. */
static void check_direction(const struct tz_exchange *x, bool inbound, const struct tz_xmsg *m,
                            struct tz_field_errors *errs)
{
    bool ours = strcmp(m->originator.node, x->cfg.node) == 0;
    if (inbound && ours)
        tz_fielderr_add(errs, "/originator/node", "a message received comes from a partner");
    if (!inbound && !ours)
        tz_fielderr_add(errs, "/originator/node", "a message sent comes from this node (%s)",
                        x->cfg.node);
}

static bool nfip_type(int type)
{
    return type >= TZ_XMSG_NFIP_EVENT && type <= TZ_XMSG_NFIP_FEEDBACK;
}

/* A concluded case takes no new message (its retention review decides what stays). */
static tz_err open_case(struct tz_exchange *x, int64_t case_id, struct tz_field_errors *errs)
{
    bool concluded = false;
    tz_err err = case_id ? tz_exchange_concluded(x, case_id, &concluded) : TZ_OK;
    if (!err && concluded) {
        tz_fielderr_add(errs, "/case", "the case is concluded: it takes no new message");
        err = TZ_ECONFLICT;
    }
    return err;
}

static tz_err submit(struct tz_exchange *x, const struct tz_xactor *who, bool inbound,
                     struct tz_xmsg *m, const struct tz_xevent_rec *event,
                     const struct tz_xnfip_rec *nfip, const char *note, struct tz_xreceipt *out,
                     struct tz_field_errors *errs);

tz_err tz_exchange_submit(struct tz_exchange *x, const struct tz_xactor *who, bool inbound,
                          struct tz_xmsg *m, struct tz_xreceipt *out, struct tz_field_errors *errs)
{
    return submit(x, who, inbound, m, NULL, NULL, NULL, out, errs);
}

tz_err tz_exchange_submit_noted(struct tz_exchange *x, const struct tz_xactor *who,
                                const char *note, struct tz_xmsg *m, struct tz_xreceipt *out,
                                struct tz_field_errors *errs)
{
    return submit(x, who, false, m, NULL, NULL, note, out, errs);
}

tz_err tz_x_submit(struct tz_exchange *x, const struct tz_xactor *who, bool inbound,
                   struct tz_xmsg *m, const struct tz_xevent_rec *event,
                   const struct tz_xnfip_rec *nfip, struct tz_xreceipt *out,
                   struct tz_field_errors *errs)
{
    return submit(x, who, inbound, m, event, nfip, NULL, out, errs);
}

static tz_err submit(struct tz_exchange *x, const struct tz_xactor *who, bool inbound,
                     struct tz_xmsg *m, const struct tz_xevent_rec *event,
                     const struct tz_xnfip_rec *nfip, const char *note, struct tz_xreceipt *out,
                     struct tz_field_errors *errs)
{
    memset(out, 0, sizeof *out);
    size_t before = errs->count + errs->dropped;
    if (tz_exchange_validate(m, errs))
        return TZ_EINVAL;
    check_direction(x, inbound, m, errs);
    if (nfip_type(m->type) && !event && !nfip)
        tz_fielderr_add(errs, "/type",
                        "an NFIP message belongs to its event (/api/v1/exchange/events)");
    if (!inbound && m->type == TZ_XMSG_DIFFUSION)
        tz_exchange_check_diffusion(&x->cfg, m, errs);
    if (errs->count + errs->dropped > before)
        return TZ_EINVAL;
    if (permitted(who, TZ_ACT_EXCHANGE_SEND, inbound, m->originator.unit, m->addressees,
                  m->addressee_count))
        return TZ_EFORBIDDEN;
    if (!inbound && tz_exchange_check_art4(&x->cfg, m, errs))
        return TZ_EINVAL;
    int64_t now = tz_exchange_now(x);
    struct tz_xstate_change change = {0};
    struct tz_xdeviation_rec dev = {0};
    bool has_change = false;
    tz_err err = TZ_OK;
    if (m->in_reply_to &&
        (err = answer_rules(x, m, inbound, now, &change, &has_change, &dev, errs)))
        return err;
    if ((err = open_case(x, m->case_id, errs)))
        return err;
    struct tz_xmsg_rec rec;
    if ((err = tz_x_to_rec(m, &rec)))
        return err;
    rec.inbound = inbound;
    rec.at = now;
    snprintf(rec.notice_state, sizeof rec.notice_state, "%s", tz_x_notice_first_state(m, inbound));
    if (m->type == TZ_XMSG_REQUEST) {
        struct tz_xclock c = tz_exchange_clock_start(now, (enum tz_xurgency)m->urgency);
        state_of(&c, "open", now, &rec.clock);
        out->due = rec.clock.due_at;
    }
    if (inbound && m->type == TZ_XMSG_REQUEST)
        err = cross_check(x, &rec, out);
    struct tz_audit_rec audit = audit_of(x, who, TZ_AUDIT_EXCHANGE_SEND, NULL);
    audit.note = note;
    struct tz_xput put = {.msg = &rec,
                          .change = has_change ? &change : NULL,
                          .deviation = dev.request_id ? &dev : NULL,
                          .audit = &audit,
                          .event = event,
                          .nfip = nfip};
    if (!err && !(err = write_batched(x, &put))) {
        out->id = put.id;
        out->case_id = put.case_id;
        if (rec.notice_state[0])
            tz_x_notices_moved(x);
    }
    tz_store_xmsg_free(&rec);
    if (err)
        out->hit_count = 0;
    return err;
}

/* ---- reads ---- */

/*
 * Whether the actor may read a stored message: one received, when it
 * addresses the actor's unit; one sent, when the actor's unit sent it or is a
 * domestic addressee (the SPOC's copy); anything when the scope is all.
 */
tz_err tz_x_may_read(const struct tz_exchange *x, const struct tz_xactor *who,
                     const struct tz_xmsg_rec *rec)
{
    if (tz_auth_scope_of(who->p->role, TZ_ACT_EXCHANGE_READ) == TZ_SCOPE_ALL)
        return TZ_OK;
    if (!rec->inbound &&
        tz_auth_permit(who->p, TZ_ACT_EXCHANGE_READ, NULL, rec->from_unit, NULL) == TZ_OK)
        return TZ_OK;
    for (size_t i = 0; i < rec->addressee_count; i++) {
        const struct tz_xaddr_rec *a = &rec->addressees[i];
        if ((rec->inbound || strcmp(a->node, x->cfg.node) == 0) && a->unit[0] &&
            tz_auth_permit(who->p, TZ_ACT_EXCHANGE_READ, NULL, a->unit, NULL) == TZ_OK)
            return TZ_OK;
    }
    return TZ_EFORBIDDEN;
}

/* Whether the actor may read message id (read for the rule, not shown: no audit entry). */
static bool may_read_id(struct tz_exchange *x, const struct tz_xactor *who, int64_t id)
{
    struct tz_xmsg_rec rec = {0};
    bool ok = tz_store_x_get_message(x->store, id, NULL, &rec) == TZ_OK &&
              tz_x_may_read(x, who, &rec) == TZ_OK;
    tz_store_xmsg_free(&rec);
    return ok;
}

tz_err tz_exchange_match(struct tz_exchange *x, const struct tz_xactor *who,
                         const char *const *keys, size_t n, struct tz_xhit *hits, size_t max,
                         size_t *count)
{
    *count = 0;
    if (!x || !who || !who->p || n > TZ_X_ENTITIES * TZ_X_KEYS || (n && !keys))
        return TZ_EINVAL;
    if (n == 0 || max == 0)
        return TZ_OK;
    struct tz_xhit_rec *found = NULL;
    size_t nfound = 0;
    tz_err err = tz_store_x_cross_check(x->store, keys, n, &found, &nfound);
    int64_t seen_yes = 0, seen_no = 0; /* the last message decided each way: hits come in runs */
    for (size_t h = 0; !err && h < nfound && *count < max; h++) {
        int64_t mid = found[h].message_id;
        bool ok = mid == seen_yes || (mid != seen_no && may_read_id(x, who, mid));
        *(ok ? &seen_yes : &seen_no) = mid;
        if (!ok)
            continue;
        struct tz_xhit *o = &hits[(*count)++];
        snprintf(o->key, sizeof o->key, "%s", found[h].key);
        o->message_id = mid;
        o->case_id = found[h].case_id;
        o->entity = 0;
        for (size_t k = 0; k < n; k++)
            if (strcmp(keys[k], found[h].key) == 0) {
                o->entity = k;
                break;
            }
    }
    free(found);
    return err;
}

void tz_xview_clear(struct tz_xview *v)
{
    tz_xmsg_clear(&v->msg);
    memset(v, 0, sizeof *v);
    tz_xmsg_init(&v->msg);
}

void tz_xlines_clear(struct tz_xlines *l)
{
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

/* Where a stored clock stands now: its due instant and whether it is overdue. */
static void deadline(const struct tz_xstate_rec *s, int64_t at, const char *urgency, int64_t now,
                     int64_t *due, bool *overdue)
{
    *due = 0;
    *overdue = false;
    if (strcmp(s->state, "none") == 0 || !s->state[0])
        return;
    struct tz_xclock c = clock_of(s, at, urgency);
    if (!clock_runs(s->state)) {
        *due = s->due_at; /* as it stood when the request was answered */
        return;
    }
    *due = tz_exchange_due(&c, now);
    *overdue = tz_exchange_overdue(&c, now);
}

tz_err tz_exchange_get(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                       struct tz_xview *out)
{
    memset(out, 0, sizeof *out);
    tz_xmsg_init(&out->msg);
    struct tz_xmsg_rec rec = {0};
    /* Who may read it is decided on its addressees before the read that is shown and audited. */
    tz_err err = tz_store_x_get_message(x->store, id, NULL, &rec);
    if (!err)
        err = tz_x_may_read(x, who, &rec);
    tz_store_xmsg_free(&rec);
    if (err)
        return err;
    struct tz_audit_rec audit = audit_of(x, who, TZ_AUDIT_EXCHANGE_READ, NULL);
    if ((err = tz_store_x_get_message(x->store, id, &audit, &rec)))
        return err;
    if (!(err = tz_x_from_rec(&rec, &out->msg))) {
        out->inbound = rec.inbound != 0;
        out->at = rec.at;
        snprintf(out->state, sizeof out->state, "%s", rec.clock.state);
        deadline(&rec.clock, rec.at, rec.urgency, tz_exchange_now(x), &out->due, &out->overdue);
    }
    tz_store_xmsg_free(&rec);
    if (err)
        tz_xview_clear(out);
    return err;
}

static int code_or_none(enum tz_xtable t, const char *s)
{
    int v = -1;
    if (s[0] && tz_xcode_parse(t, s, strlen(s), &v))
        v = -1;
    return v;
}

/* Heads as lines with their deadlines now; overdue first (stable otherwise). */
static tz_err lines_of(const struct tz_xhead_rec *h, size_t n, int64_t now, bool overdue_first,
                       struct tz_xlines *out)
{
    out->items = calloc(n ? n : 1, sizeof *out->items);
    if (!out->items)
        return TZ_ENOMEM;
    size_t k = 0;
    for (int pass = overdue_first ? 0 : 1; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            struct tz_xline l = {0};
            deadline(&h[i].clock, h[i].at, h[i].urgency, now, &l.due, &l.overdue);
            if (overdue_first && (pass == 0) != l.overdue)
                continue;
            l.id = h[i].id, l.case_id = h[i].case_id, l.in_reply_to = h[i].in_reply_to;
            l.at = h[i].at, l.inbound = h[i].inbound != 0;
            l.type = code_or_none(TZ_XT_MSG_TYPE, h[i].type);
            l.handling = code_or_none(TZ_XT_HANDLING, h[i].handling);
            l.urgency = code_or_none(TZ_XT_URGENCY, h[i].urgency);
            snprintf(l.from_node, sizeof l.from_node, "%s", h[i].from_node);
            snprintf(l.from_unit, sizeof l.from_unit, "%s", h[i].from_unit);
            snprintf(l.subject, sizeof l.subject, "%s", h[i].subject);
            memcpy(l.lang, h[i].lang, sizeof l.lang - 1); /* the validator bounds it */
            snprintf(l.state, sizeof l.state, "%s", h[i].clock.state);
            out->items[k++] = l;
        }
    }
    out->count = k;
    return TZ_OK;
}

tz_err tz_x_lines_of(const struct tz_xhead_rec *h, size_t n, int64_t now, struct tz_xlines *out)
{
    return lines_of(h, n, now, false, out);
}

/* Copies what fits of src into dst (size bytes), cut at a character, always terminated. */
static void copy_cut(char *dst, size_t size, const char *src)
{
    size_t n = src ? strnlen(src, size) : 0;
    if (n >= size) { /* cut before a continuation byte: the copy stays UTF-8 */
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The line of a stored message, its deadline as of now, and the start of its text. */
static void found_of(struct tz_exchange *x, const struct tz_xmsg_rec *r, struct tz_xfound *f)
{
    struct tz_xline *l = &f->line;
    memset(f, 0, sizeof *f);
    deadline(&r->clock, r->at, r->urgency, tz_exchange_now(x), &l->due, &l->overdue);
    l->id = r->id, l->case_id = r->case_id, l->in_reply_to = r->in_reply_to, l->at = r->at;
    l->inbound = r->inbound != 0;
    l->type = code_or_none(TZ_XT_MSG_TYPE, r->type);
    l->handling = code_or_none(TZ_XT_HANDLING, r->handling);
    l->urgency = code_or_none(TZ_XT_URGENCY, r->urgency);
    copy_cut(l->from_node, sizeof l->from_node, r->from_node);
    copy_cut(l->from_unit, sizeof l->from_unit, r->from_unit);
    copy_cut(l->subject, sizeof l->subject, r->subject);
    copy_cut(l->lang, sizeof l->lang, r->lang);
    copy_cut(l->state, sizeof l->state, r->clock.state);
    copy_cut(f->excerpt, sizeof f->excerpt, r->text);
}

tz_err tz_exchange_readable(struct tz_exchange *x, const struct tz_xactor *who, const int64_t *ids,
                            size_t n, size_t max, struct tz_xfound *out, size_t *count)
{
    *count = 0;
    if (!x || !who || !who->p || (n && (!ids || !out)))
        return TZ_EINVAL;
    tz_err err = TZ_OK;
    for (size_t i = 0; !err && i < n && *count < max; i++) {
        struct tz_xmsg_rec rec = {0};
        err = tz_store_x_get_message(x->store, ids[i], NULL, &rec);
        if (err == TZ_ENOTFOUND)
            err = TZ_OK;
        else if (!err && tz_x_may_read(x, who, &rec) == TZ_OK)
            found_of(x, &rec, &out[(*count)++]);
        tz_store_xmsg_free(&rec);
    }
    return err;
}

tz_err tz_exchange_box(struct tz_exchange *x, const struct tz_xactor *who, const char *unit,
                       bool inbox, size_t limit, struct tz_xlines *out)
{
    memset(out, 0, sizeof *out);
    if (!unit || !unit[0] || strlen(unit) >= TZ_X_UNIT_MAX)
        return TZ_EINVAL;
    if (tz_auth_permit(who->p, TZ_ACT_EXCHANGE_INBOX, NULL, unit, NULL))
        return TZ_EFORBIDDEN;
    char object[TZ_X_UNIT_MAX + 16];
    snprintf(object, sizeof object, "%s/%s", inbox ? "inbox" : "outbox", unit);
    struct tz_audit_rec audit = audit_of(x, who, TZ_AUDIT_EXCHANGE_INBOX, object);
    struct tz_xhead_rec *heads = NULL;
    size_t n = 0;
    tz_err err = tz_store_x_box(x->store, unit, inbox, limit > TZ_XS_PAGE ? TZ_XS_PAGE : limit,
                                &audit, &heads, &n);
    if (!err)
        err = lines_of(heads, n, tz_exchange_now(x), true, out);
    free(heads);
    return err;
}

tz_err tz_exchange_case(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                        struct tz_xlines *out)
{
    memset(out, 0, sizeof *out);
    struct tz_xhead_rec *heads = NULL;
    size_t n = 0;
    /* Who reads every unit's messages needs no look at them first (a 500-message case page
     * then costs one audited read, not two reads and a message's). */
    bool all = tz_auth_scope_of(who->p->role, TZ_ACT_EXCHANGE_READ) == TZ_SCOPE_ALL;
    tz_err err = all ? TZ_OK : tz_store_x_case_messages(x->store, id, NULL, &heads, &n);
    bool allowed = all;
    for (size_t i = 0; !err && !allowed && i < n; i++) {
        struct tz_xmsg_rec rec = {0};
        if (!(err = tz_store_x_get_message(x->store, heads[i].id, NULL, &rec)))
            allowed = tz_x_may_read(x, who, &rec) == TZ_OK;
        tz_store_xmsg_free(&rec);
    }
    free(heads);
    heads = NULL;
    if (!err && !allowed)
        err = TZ_EFORBIDDEN;
    if (err)
        return err;
    char object[48];
    snprintf(object, sizeof object, "xcase/%lld", (long long)id);
    struct tz_audit_rec audit = audit_of(x, who, TZ_AUDIT_EXCHANGE_READ, object);
    err = tz_store_x_case_messages(x->store, id, &audit, &heads, &n);
    if (!err)
        err = lines_of(heads, n, tz_exchange_now(x), false, out);
    free(heads);
    return err;
}

/* ---- for the other files of the module (internal.h) ---- */

const struct tz_xnode_config *tz_x_config(const struct tz_exchange *x)
{
    return &x->cfg;
}

const struct tz_xnode_config *tz_exchange_node(const struct tz_exchange *x)
{
    return &x->cfg;
}

tz_err tz_x_may_send(const struct tz_xactor *who, bool inbound, const char *from_unit,
                     const struct tz_xparty *to, size_t to_count)
{
    return permitted(who, TZ_ACT_EXCHANGE_SEND, inbound, from_unit, to, to_count);
}

struct tz_xclock tz_x_clock_of(const struct tz_xmsg_rec *rec)
{
    return clock_of(&rec->clock, rec->at, rec->urgency);
}

void tz_x_state_of(const struct tz_xclock *c, const char *state, int64_t now,
                   struct tz_xstate_rec *out)
{
    state_of(c, state, now, out);
}

tz_err tz_x_write(struct tz_exchange *x, struct tz_xput *put)
{
    return write_batched(x, put);
}
