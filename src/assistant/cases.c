/*
 * assistant/cases.c - a whole exchange case: its readable messages read, summarised together,
 * laid out on a timeline with the entities they name; and an entity added to the case.
 *
 * The case is read through exchange's own door for it, tz_exchange_case_texts: exchange's rule
 * for each message (one the caller may not read is left out, never shown in part; none readable
 * is a refusal), and one audit entry for the case's read naming the messages handed over (one
 * write per digest, not one per message: 40 audited reads were 0.3 s on the shared VM). The summary
 * runs over the readable texts joined by blank lines, so no sentence crosses two messages, and each
 * kept sentence is mapped back to its message.
 */
#include "assistant/cases_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assistant/internal.h"
#include "assistant/lang.h"

/* ---- reading the case ---- */

void tz_acase_loaded_clear(struct tz_acase_loaded *l)
{
    for (size_t i = 0; l->m && i < l->n; i++)
        free(l->m[i].text);
    free(l->m);
    memset(l, 0, sizeof *l);
}

static struct tz_xactor actor_of(const struct tz_acase_ctx *c)
{
    return (struct tz_xactor){c->who.p, c->who.client ? c->who.client : ""};
}

/* Their texts at most TZ_ASSIST_TEXT_MAX together (joined by two bytes each): a text past that
 * is left empty and truncated set. The case is read through exchange in one audited read. */
tz_err tz_acase_load(const struct tz_acase_ctx *c, int64_t id, struct tz_acase_loaded *out)
{
    memset(out, 0, sizeof *out);
    struct tz_xactor a = actor_of(c);
    struct tz_xcase_text *t = NULL;
    size_t n = 0, bytes = 0;
    tz_err err = tz_exchange_case_texts(c->exchange, &a, id, &t, &n, &out->total);
    if (err)
        return err;
    out->m = calloc(n ? n : 1, sizeof *out->m);
    if (!out->m)
        err = TZ_ENOMEM;
    for (size_t i = 0; !err && i < n; i++) {
        struct tz_acase_msg *m = &out->m[out->n++];
        m->line = t[i].line;
        m->text = t[i].text;
        m->len = t[i].len;
        t[i].text = NULL;
        if (bytes + m->len + 2 > TZ_ASSIST_TEXT_MAX) {
            out->truncated = true;
            m->text[0] = '\0';
            m->len = 0;
        }
        bytes += m->len + 2;
    }
    tz_xcase_texts_free(t, n);
    if (err)
        tz_acase_loaded_clear(out);
    return err;
}

tz_err tz_acase_permit(const struct tz_acase_ctx *c, const char *purpose)
{
    if (!c || !c->auth || !c->exchange || !c->store || !c->who.p)
        return TZ_EINVAL;
    if (tz_auth_permit(c->who.p, TZ_ACT_ASSISTANT_USE, NULL, NULL, NULL) == TZ_OK)
        return TZ_OK;
    struct tz_assist_caller ac = {.auth = c->auth, .who = c->who, .purpose = purpose};
    tz_err err = assist_audit(&ac, NULL, "refused");
    return err ? err : TZ_EFORBIDDEN;
}

tz_err tz_acase_audit(const struct tz_acase_ctx *c, const char *purpose, const char *fields,
                      const char *outcome)
{
    struct tz_assist_caller ac = {.auth = c->auth, .who = c->who, .purpose = purpose};
    return assist_audit(&ac, fields, outcome);
}

size_t tz_acase_code_points(const char *s, size_t a, size_t b)
{
    size_t n = 0;
    for (size_t i = a; i < b; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

void tz_acase_quote_fill(struct tz_acase_quote *q, const char *text)
{
    size_t n = q->end - q->start, w = n < sizeof q->text ? n : sizeof q->text - 1;
    while (w > 0 && w < n && ((unsigned char)text[q->start + w] & 0xC0) == 0x80)
        w--;
    memcpy(q->text, text + q->start, w);
    q->text[w] = '\0';
}

/* ---- the summary ---- */

static tz_err summarise(const struct tz_acase_ctx *c, const struct tz_acase_loaded *l, size_t want,
                        struct tz_acase_digest *d)
{
    size_t total = 0;
    for (size_t i = 0; i < l->n; i++)
        total += l->m[i].len + 2;
    char *all = malloc(total + 1);
    size_t *at = calloc(l->n ? l->n : 1, sizeof *at);
    tz_err err = all && at ? TZ_OK : TZ_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; !err && i < l->n; i++) {
        at[i] = n;
        memcpy(all + n, l->m[i].text, l->m[i].len);
        n += l->m[i].len;
        memcpy(all + n, "\n\n", 2);
        n += 2;
    }
    struct tz_summary s = {0};
    if (!err)
        err = tz_summary_extract(all, n, want, &s);
    if (!err && !(d->summary = calloc(s.count ? s.count : 1, sizeof *d->summary)))
        err = TZ_ENOMEM;
    for (size_t k = 0; !err && k < s.count; k++) {
        size_t i = l->n;
        while (i > 0 && at[i - 1] > s.items[k].start)
            i--;
        if (i == 0)
            continue;
        const struct tz_acase_msg *m = &l->m[i - 1];
        struct tz_acase_quote *q = &d->summary[d->summary_count++];
        q->message_id = m->line.id;
        q->start = s.items[k].start - at[i - 1];
        q->end = s.items[k].end - at[i - 1];
        q->cstart = tz_acase_code_points(m->text, 0, q->start);
        q->cend = q->cstart + tz_acase_code_points(m->text, q->start, q->end);
        q->score = s.items[k].score;
        tz_acase_quote_fill(q, m->text);
    }
    d->sentences = s.sentences;
    struct tz_lang_guess g;
    if (!err && n && tz_lang_identify(all, n, &g) == TZ_OK)
        snprintf(d->language, sizeof d->language, "%s", g.lang);
    if (!err && c->llm && c->llm->url && c->llm->url[0] && n) {
        d->llm_asked = true;
        if (tz_summary_llm(c->llm, all, n, d->language, &d->llm) == TZ_ENOMEM)
            err = TZ_ENOMEM;
    }
    tz_summary_clear(&s);
    free(at);
    free(all);
    return err;
}

/* ---- the timeline and the entity table ---- */

static void iso_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm))
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    else
        snprintf(out, 32, "%lld", (long long)t);
}

static struct tz_acase_event *event(struct tz_acase_digest *d, const char *kind, int64_t msg)
{
    if (d->event_count >= TZ_ACASE_EVENTS_MAX)
        return NULL;
    struct tz_acase_event *e = &d->events[d->event_count++];
    memset(e, 0, sizeof *e);
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    e->message_id = msg;
    return e;
}

/* Sent or received, a request's reply deadline, a deviation. */
static void message_events(struct tz_acase_digest *d, const struct tz_xline *ln)
{
    const char *type = tz_xcode_code(TZ_XT_MSG_TYPE, ln->type);
    struct tz_acase_event *e = event(d, ln->inbound ? "received" : "sent", ln->id);
    if (!e)
        return;
    iso_time(ln->at, e->when);
    snprintf(e->what, sizeof e->what, "%s %s %.31s/%.63s", type ? type : "message",
             ln->inbound ? "from" : "by", ln->from_node, ln->from_unit);
    if (ln->type == TZ_XMSG_DEVIATION && (e = event(d, "deviation", ln->id))) {
        iso_time(ln->at, e->when);
        snprintf(e->what, sizeof e->what, "a reply delayed for a judicial authorisation");
    }
    if (ln->type == TZ_XMSG_REQUEST && ln->due > 0 && (e = event(d, "deadline", ln->id))) {
        iso_time(ln->due, e->when);
        snprintf(e->what, sizeof e->what, "reply due (%s)%s", ln->state,
                 ln->overdue ? ", overdue" : "");
    }
}

static tz_err add_row(struct tz_acase_digest *d, const struct tz_entity *e, int64_t msg)
{
    for (size_t i = 0; i < d->row_count; i++) {
        struct tz_acase_row *r = &d->rows[i];
        if (r->type != e->type || strcmp(r->value, e->value) != 0)
            continue;
        r->count++;
        if (r->message_count < 8 && r->messages[r->message_count - 1] != msg)
            r->messages[r->message_count++] = msg;
        return TZ_OK;
    }
    if (d->row_count >= TZ_ACASE_TABLE_MAX)
        return TZ_OK;
    struct tz_acase_row *r = &d->rows[d->row_count++];
    memset(r, 0, sizeof *r);
    r->type = e->type;
    memcpy(r->value, e->value, sizeof r->value);
    memcpy(r->detail, e->detail, sizeof r->detail);
    r->count = 1;
    r->messages[r->message_count++] = msg;
    return TZ_OK;
}

/* The dates and entities of one message's text. */
static tz_err text_events(struct tz_acase_digest *d, const struct tz_acase_msg *m)
{
    struct tz_assist_request rq = {.text = m->text, .len = m->len, .reference = m->line.at};
    struct tz_assist_result r = {0};
    tz_err err = m->len ? tz_assist_analyse(&rq, &r) : TZ_OK;
    for (size_t i = 0; !err && i < r.count; i++) {
        const struct tz_entity *e = &r.items[i];
        if (e->type != TZ_ENT_DATE) {
            err = add_row(d, e, m->line.id);
            continue;
        }
        struct tz_acase_event *ev = event(d, "date", m->line.id);
        if (!ev)
            continue;
        snprintf(ev->when, sizeof ev->when, "%.31s", e->value);
        size_t w = e->end - e->start < sizeof ev->what ? e->end - e->start : sizeof ev->what - 1;
        while (w > 0 && w < e->end - e->start &&
               ((unsigned char)m->text[e->start + w] & 0xC0) == 0x80)
            w--;
        memcpy(ev->what, m->text + e->start, w);
        ev->what[w] = '\0';
        ev->span = true;
        ev->cstart = e->cstart;
        ev->cend = e->cend;
    }
    tz_assist_result_clear(&r);
    return err;
}

static int by_when(const void *a, const void *b)
{
    const struct tz_acase_event *x = a, *y = b;
    int c = strcmp(x->when, y->when);
    if (c)
        return c;
    return x->message_id < y->message_id ? -1 : x->message_id > y->message_id;
}

static void mark_added(struct tz_acase_digest *d)
{
    for (size_t i = 0; i < d->row_count; i++) {
        struct tz_entity e = {.type = d->rows[i].type};
        memcpy(e.value, d->rows[i].value, sizeof e.value);
        memcpy(e.detail, d->rows[i].detail, sizeof e.detail);
        char key[TZ_X_KEY_MAX];
        tz_assist_entity_key(&e, key);
        for (size_t k = 0; k < d->added_count && !d->rows[i].added; k++)
            d->rows[i].added = strcmp(d->added[k].key, key) == 0;
    }
}

void tz_acase_digest_clear(struct tz_acase_digest *d)
{
    if (!d)
        return;
    free(d->summary);
    free(d->events);
    free(d->rows);
    free(d->added);
    tz_llm_summary_clear(&d->llm);
    memset(d, 0, sizeof *d);
}

tz_err tz_assist_case_digest_as(const struct tz_acase_ctx *c, int64_t id, size_t want,
                                struct tz_acase_digest *out)
{
    memset(out, 0, sizeof *out);
    tz_err err = tz_acase_permit(c, "case");
    if (err)
        return err;
    struct tz_acase_loaded l;
    if ((err = tz_acase_load(c, id, &l)))
        return err == TZ_EFORBIDDEN ? (tz_acase_audit(c, "case", NULL, "refused"), err) : err;
    out->case_id = id;
    out->messages = l.total;
    out->readable = l.n;
    out->truncated = l.truncated;
    out->events = calloc(TZ_ACASE_EVENTS_MAX, sizeof *out->events);
    out->rows = calloc(TZ_ACASE_TABLE_MAX, sizeof *out->rows);
    if (!out->events || !out->rows)
        err = TZ_ENOMEM;
    if (!err)
        err = summarise(c, &l, want, out);
    for (size_t i = 0; !err && i < l.n; i++) {
        message_events(out, &l.m[i].line);
        err = text_events(out, &l.m[i]);
    }
    if (!err)
        qsort(out->events, out->event_count, sizeof *out->events, by_when);
    if (!err)
        err = tz_store_a_case_entities(c->store, id, &out->added, &out->added_count);
    if (!err)
        mark_added(out);
    char fields[200];
    snprintf(fields, sizeof fields,
             "{\"case\":%lld,\"messages\":%zu,\"read\":%zu,\"kept\":%zu,\"events\":%zu,"
             "\"llm\":\"%s\"}",
             (long long)id, l.total, l.n, out->summary_count, out->event_count,
             !out->llm_asked ? "none"
             : out->llm.text ? "ok"
                             : "failed");
    tz_err aerr = tz_acase_audit(c, "case", err ? NULL : fields, err ? "failed" : "ok");
    if (!err && aerr)
        err = aerr; /* no audit entry, no answer */
    tz_acase_loaded_clear(&l);
    if (err)
        tz_acase_digest_clear(out);
    return err;
}

/* ---- an entity added to the case ---- */

static tz_err find_entity(const struct tz_xview *v, enum tz_assist_type type, size_t start,
                          size_t end, struct tz_entity *out)
{
    struct tz_assist_request rq = {.text = v->msg.text ? v->msg.text : "",
                                   .len = v->msg.text ? v->msg.text_len : 0,
                                   .reference = v->at};
    struct tz_assist_result r = {0};
    tz_err err = tz_assist_analyse(&rq, &r);
    bool found = false;
    for (size_t i = 0; !err && !found && i < r.count; i++)
        if (r.items[i].type == type && r.items[i].cstart == start && r.items[i].cend == end) {
            *out = r.items[i];
            found = true;
        }
    if (!err && !found)
        err = TZ_EINVAL;
    tz_assist_result_clear(&r);
    return err;
}

static void fill_rec(const struct tz_acase_ctx *c, const struct tz_xview *v,
                     const struct tz_entity *e, const char *unit, struct tz_acase_entity_rec *r)
{
    memset(r, 0, sizeof *r);
    r->case_id = v->msg.case_id;
    r->message_id = v->msg.id;
    snprintf(r->type, sizeof r->type, "%s", tz_assist_type_code(e->type));
    snprintf(r->detail, sizeof r->detail, "%s", e->detail);
    snprintf(r->value, sizeof r->value, "%s", e->value);
    size_t n = e->end - e->start, w = n < sizeof r->text ? n : sizeof r->text - 1;
    while (w > 0 && w < n && ((unsigned char)v->msg.text[e->start + w] & 0xC0) == 0x80)
        w--;
    memcpy(r->text, v->msg.text + e->start, w);
    r->text[w] = '\0';
    char key[TZ_X_KEY_MAX];
    tz_assist_entity_key(e, key);
    snprintf(r->key, sizeof r->key, "%s", key);
    r->start = (int64_t)e->cstart;
    r->end = (int64_t)e->cend;
    snprintf(r->actor, sizeof r->actor, "%s", c->who.p->account.name);
    snprintf(r->unit, sizeof r->unit, "%s", unit);
}

tz_err tz_assist_case_add_as(const struct tz_acase_ctx *c, int64_t message_id,
                             enum tz_assist_type type, size_t start, size_t end,
                             struct tz_acase_entity_rec *out)
{
    memset(out, 0, sizeof *out);
    tz_err err = tz_acase_permit(c, "case-entity");
    if (err)
        return err;
    struct tz_xactor a = actor_of(c);
    struct tz_xview v = {0};
    if ((err = tz_exchange_get(c->exchange, &a, message_id, &v))) {
        if (err == TZ_EFORBIDDEN)
            tz_acase_audit(c, "case-entity", NULL, "refused");
        return err;
    }
    struct tz_entity e;
    char unit[TZ_X_UNIT_MAX];
    err = find_entity(&v, type, start, end, &e);
    if (!err)
        err = tz_exchange_case_writable(c->exchange, &a, v.msg.case_id, unit);
    if (!err) {
        fill_rec(c, &v, &e, unit, out);
        out->at = tz_exchange_now(c->exchange);
        char object[48], fields[160];
        snprintf(object, sizeof object, "xcase/%lld/entities", (long long)v.msg.case_id);
        snprintf(fields, sizeof fields, "{\"message\":%lld,\"type\":\"%s\",\"unit\":\"%.60s\"}",
                 (long long)message_id, out->type, unit);
        struct tz_audit_rec rec =
            tz_auth_who_entry(c->auth, &c->who, tz_audit_code(TZ_AUDIT_ASSISTANT_USE), object);
        rec.fields = fields;
        rec.outcome = "ok";
        err = tz_store_a_case_entity_add(c->store, out, &rec, &out->id);
    }
    if (err == TZ_EINVAL || err == TZ_EFORBIDDEN || err == TZ_ECONFLICT) {
        /* a refused change is audited too: its own entry, since the change's rolled back */
        char fields[64];
        snprintf(fields, sizeof fields, "{\"message\":%lld,\"why\":\"%s\"}", (long long)message_id,
                 err == TZ_EINVAL      ? "no such entity"
                 : err == TZ_ECONFLICT ? "in the case"
                                       : "case");
        tz_err aerr = tz_acase_audit(c, "case-entity", fields, "refused");
        if (aerr)
            err = aerr;
    }
    tz_xview_clear(&v);
    return err;
}
