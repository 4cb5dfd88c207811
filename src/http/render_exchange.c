/*
 * render_exchange.c - an exchange message written in its JSON form
 * (docs/exchange-message.schema.json) through the house's JSON writer: the
 * members the door reads (exchange_json.c), so an exported file imports
 * back as the same message, and for a reader the labels of every coded
 * field in the reader's language and the markings its handling code binds.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/exchange_json.h"

static void kcode(struct tz_jw *w, const char *key, enum tz_xtable t, int v)
{
    const char *code = tz_xcode_code(t, v);
    if (code)
        tz_jw_kstr(w, key, code);
}

/* A text member, left out when empty. */
static void ktext(struct tz_jw *w, const char *key, const char *s)
{
    if (s[0])
        tz_jw_kstr(w, key, s);
}

static void put_party(struct tz_jw *w, const struct tz_xparty *p, bool addressee)
{
    tz_jw_object(w);
    tz_jw_kstr(w, "node", p->node);
    ktext(w, "unit", p->unit);
    if (!addressee)
        ktext(w, "officer", p->officer);
    if (addressee && p->cc)
        tz_jw_kbool(w, "cc", true);
    tz_jw_object_end(w);
}

static void put_strings(struct tz_jw *w, const char *key, const char *rows, size_t size,
                        size_t n)
{
    if (n == 0)
        return;
    tz_jw_key(w, key);
    tz_jw_array(w);
    for (size_t i = 0; i < n; i++)
        tz_jw_str(w, rows + i * size);
    tz_jw_array_end(w);
}

static void put_entity_fields(struct tz_jw *w, const struct tz_xentity *e)
{
    const struct tz_xperson *p = &e->u.person;
    switch (e->kind) {
    case TZ_XE_PERSON:
        ktext(w, "family", p->family);
        ktext(w, "given", p->given);
        ktext(w, "original", p->original);
        put_strings(w, "spellings", &p->spellings[0][0], TZ_X_NAME_MAX, p->spelling_count);
        ktext(w, "birth_date", p->birth_date);
        kcode(w, "sex", TZ_XT_SEX, p->sex);
        put_strings(w, "nationalities", &p->nationalities[0][0], TZ_X_COUNTRY_MAX,
                    p->nationality_count);
        ktext(w, "birth_place", p->birth_place);
        break;
    case TZ_XE_DOCUMENT:
        kcode(w, "doc_type", TZ_XT_DOC_TYPE, e->u.document.type);
        tz_jw_kstr(w, "number", e->u.document.number);
        tz_jw_kstr(w, "country", e->u.document.country);
        ktext(w, "valid_until", e->u.document.valid_until);
        kcode(w, "status", TZ_XT_DOC_STATUS, e->u.document.status);
        break;
    case TZ_XE_VEHICLE:
        ktext(w, "vin", e->u.vehicle.vin);
        ktext(w, "plate", e->u.vehicle.plate);
        ktext(w, "plate_country", e->u.vehicle.plate_country);
        ktext(w, "make", e->u.vehicle.make);
        ktext(w, "model", e->u.vehicle.model);
        ktext(w, "colour", e->u.vehicle.colour);
        break;
    case TZ_XE_LOCATION:
        ktext(w, "address", e->u.location.address);
        ktext(w, "country", e->u.location.country);
        if (e->u.location.has_coords) {
            tz_jw_kdouble(w, "lat", e->u.location.lat);
            tz_jw_kdouble(w, "lon", e->u.location.lon);
        }
        break;
    case TZ_XE_ORGANISATION:
    case TZ_XE_EVENT:
        tz_jw_kstr(w, "name", e->u.named.name);
        ktext(w, "country", e->u.named.country);
        ktext(w, "date", e->u.named.date);
        break;
    case TZ_XE_ASSET:
        kcode(w, "asset_kind", TZ_XT_ASSET_KIND, e->u.asset.kind);
        ktext(w, "identifier", e->u.asset.identifier);
        ktext(w, "description", e->u.asset.description);
        break;
    case TZ_XE_COMM:
        kcode(w, "comm_kind", TZ_XT_COMM_KIND, e->u.comm.kind);
        tz_jw_kstr(w, "value", e->u.comm.value);
        break;
    }
}

static void put_entities(struct tz_jw *w, const struct tz_xmsg *m)
{
    if (m->entity_count) {
        tz_jw_key(w, "entities");
        tz_jw_array(w);
        for (size_t i = 0; i < m->entity_count; i++) {
            tz_jw_object(w);
            tz_jw_kstr(w, "ref", m->entities[i].ref);
            kcode(w, "kind", TZ_XT_ENTITY_KIND, m->entities[i].kind);
            put_entity_fields(w, &m->entities[i]);
            tz_jw_object_end(w);
        }
        tz_jw_array_end(w);
    }
    if (m->link_count) {
        tz_jw_key(w, "links");
        tz_jw_array(w);
        for (size_t i = 0; i < m->link_count; i++) {
            tz_jw_object(w);
            tz_jw_kstr(w, "from", m->links[i].from);
            tz_jw_kstr(w, "to", m->links[i].to);
            kcode(w, "role", TZ_XT_LINK_ROLE, m->links[i].role);
            tz_jw_object_end(w);
        }
        tz_jw_array_end(w);
    }
}

static void put_grounds(struct tz_jw *w, unsigned grounds)
{
    if (!grounds)
        return;
    tz_jw_key(w, "grounds");
    tz_jw_array(w);
    for (int g = 0; g < TZ_XG_COUNT; g++)
        if (grounds & (1u << g))
            tz_jw_str(w, tz_xcode_code(TZ_XT_REFUSAL_GROUND, g));
    tz_jw_array_end(w);
}

/* Attachments with their bytes, as base64, in the form a message is sent in; a message read
 * back holds none (its attachments are listed by the view and read one by one). */
static void put_attachments(struct tz_jw *w, const struct tz_xmsg *m)
{
    bool any = false;
    for (size_t i = 0; i < m->attachment_count; i++)
        any = any || m->attachments[i].data;
    if (!any)
        return;
    tz_jw_key(w, "attachments");
    tz_jw_array(w);
    for (size_t i = 0; i < m->attachment_count; i++) {
        const struct tz_xattachment *a = &m->attachments[i];
        if (!a->data)
            continue;
        size_t n = sodium_base64_ENCODED_LEN(a->size, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc(n);
        tz_jw_object(w);
        tz_jw_kstr(w, "name", a->name);
        tz_jw_kstr(w, "type", a->type);
        if (b64) {
            sodium_bin2base64(b64, n, a->data, a->size, sodium_base64_VARIANT_ORIGINAL);
            tz_jw_kstr(w, "data", b64);
        } else if (!w->err) {
            w->err = TZ_ENOMEM; /* the writer's first error sticks */
        }
        free(b64);
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
}

/* A stored message's attachments as its reader sees them: what each is, and where to get it. */
static void put_attachment_list(struct tz_jw *w, const struct tz_xmsg *m)
{
    tz_jw_key(w, "attachments");
    tz_jw_array(w);
    for (size_t i = 0; i < m->attachment_count; i++) {
        const struct tz_xattachment *a = &m->attachments[i];
        char href[96];
        snprintf(href, sizeof href, "/api/v1/exchange/messages/%lld/attachments/%zu",
                 (long long)m->id, i);
        tz_jw_object(w);
        tz_jw_kuint(w, "n", i);
        tz_jw_kstr(w, "name", a->name);
        tz_jw_kstr(w, "type", a->type);
        tz_jw_kuint(w, "size", a->size);
        tz_jw_kstr(w, "sha256", a->sha256);
        tz_jw_kstr(w, "href", href);
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
}

/* The markings of a handling code alone (a line of a box: H3's text is in the message). */
static void put_line_markings(struct tz_jw *w, int handling, enum tz_xlang lang)
{
    struct tz_xmsg m = {.handling = handling};
    struct tz_xmarkings mk;
    tz_exchange_markings(&m, lang, &mk);
    tz_jw_key(w, "markings");
    tz_jw_array(w);
    for (size_t i = 0; i < mk.count; i++)
        tz_jw_str(w, mk.items[i].label);
    tz_jw_array_end(w);
}

void tz_http_put_xmsg(struct tz_jw *w, const struct tz_xmsg *m)
{
    kcode(w, "type", TZ_XT_MSG_TYPE, m->type);
    if (m->case_id)
        tz_jw_kint(w, "case", m->case_id);
    if (m->in_reply_to)
        tz_jw_kint(w, "in_reply_to", m->in_reply_to);
    ktext(w, "subject", m->subject);
    ktext(w, "crime_area", m->crime_area);
    tz_jw_key(w, "originator");
    put_party(w, &m->originator, false);
    tz_jw_key(w, "addressees");
    tz_jw_array(w);
    for (size_t i = 0; i < m->addressee_count && i < TZ_X_ADDRESSEES; i++)
        put_party(w, &m->addressees[i], true);
    tz_jw_array_end(w);
    tz_jw_kstr(w, "lang", m->lang);
    kcode(w, "handling", TZ_XT_HANDLING, m->handling);
    ktext(w, "restriction", m->restriction);
    tz_jw_key(w, "evaluation");
    tz_jw_object(w);
    kcode(w, "source", TZ_XT_SOURCE, m->source);
    kcode(w, "information", TZ_XT_INFO, m->info);
    tz_jw_object_end(w);
    kcode(w, "urgency", TZ_XT_URGENCY, m->urgency);
    kcode(w, "art4_exception", TZ_XT_ART4_EXCEPTION, m->art4_exception);
    ktext(w, "art4_reasons", m->art4_reasons);
    put_grounds(w, m->grounds);
    ktext(w, "reasons", m->reasons);
    if (m->delay_hours)
        tz_jw_kint(w, "delay_hours", m->delay_hours);
    kcode(w, "notice_type", TZ_XT_NOTICE_TYPE, m->notice_type);
    if (m->text)
        tz_jw_kstr(w, "text", m->text);
    put_entities(w, m);
    put_attachments(w, m);
}

static void klabel(struct tz_jw *w, const char *key, enum tz_xtable t, int v, enum tz_xlang lang)
{
    const char *label = tz_xcode_label(t, v, lang);
    if (label)
        tz_jw_kstr(w, key, label);
}

void tz_http_put_xmsg_labels(struct tz_jw *w, const struct tz_xmsg *m, enum tz_xlang lang)
{
    tz_jw_key(w, "labels");
    tz_jw_object(w);
    klabel(w, "type", TZ_XT_MSG_TYPE, m->type, lang);
    klabel(w, "handling", TZ_XT_HANDLING, m->handling, lang);
    klabel(w, "source", TZ_XT_SOURCE, m->source, lang);
    klabel(w, "information", TZ_XT_INFO, m->info, lang);
    klabel(w, "urgency", TZ_XT_URGENCY, m->urgency, lang);
    klabel(w, "art4_exception", TZ_XT_ART4_EXCEPTION, m->art4_exception, lang);
    klabel(w, "notice_type", TZ_XT_NOTICE_TYPE, m->notice_type, lang);
    if (m->grounds) {
        tz_jw_key(w, "grounds");
        tz_jw_array(w);
        for (int g = 0; g < TZ_XG_COUNT; g++)
            if (m->grounds & (1u << g))
                tz_jw_str(w, tz_xcode_label(TZ_XT_REFUSAL_GROUND, g, lang));
        tz_jw_array_end(w);
    }
    tz_jw_object_end(w);
    struct tz_xmarkings mk;
    tz_exchange_markings(m, lang, &mk);
    tz_jw_key(w, "markings");
    tz_jw_array(w);
    for (size_t i = 0; i < mk.count; i++) {
        tz_jw_object(w);
        kcode(w, "code", TZ_XT_MARKING, mk.items[i].marking);
        tz_jw_kstr(w, "label", mk.items[i].label);
        if (mk.items[i].text)
            tz_jw_kstr(w, "text", mk.items[i].text);
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
}

tz_err tz_http_exchange_json(const struct tz_xmsg *m, struct tz_buf *out)
{
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    tz_http_put_xmsg(&w, m);
    /* What its handling code makes every copy carry (import reads past it). */
    struct tz_xmarkings mk;
    tz_exchange_markings(m, TZ_XLANG_PL, &mk);
    if (mk.count) {
        tz_jw_key(&w, "markings");
        tz_jw_array(&w);
        for (size_t i = 0; i < mk.count; i++)
            tz_jw_str(&w, mk.items[i].label);
        tz_jw_array_end(&w);
    }
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

void tz_http_put_xreceipt(struct tz_jw *w, const struct tz_xreceipt *r)
{
    tz_jw_object(w);
    tz_jw_kint(w, "id", r->id);
    tz_jw_kint(w, "case", r->case_id);
    if (r->due)
        tz_jw_ktime(w, "due", r->due);
    tz_jw_key(w, "hits");
    tz_jw_array(w);
    for (size_t i = 0; i < r->hit_count; i++) {
        tz_jw_object(w);
        tz_jw_kuint(w, "entity", r->hits[i].entity);
        tz_jw_kstr(w, "key", r->hits[i].key);
        tz_jw_kint(w, "message", r->hits[i].message_id);
        tz_jw_kint(w, "case", r->hits[i].case_id);
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
    tz_jw_object_end(w);
}

void tz_http_put_xview(struct tz_jw *w, const struct tz_xview *v, enum tz_xlang lang)
{
    tz_jw_object(w);
    tz_jw_kint(w, "id", v->msg.id);
    tz_http_put_xmsg(w, &v->msg);
    tz_jw_kstr(w, "direction", v->inbound ? "in" : "out");
    tz_jw_ktime(w, "at", v->at);
    tz_jw_kstr(w, "state", v->state);
    if (v->due) {
        tz_jw_ktime(w, "due", v->due);
        tz_jw_kbool(w, "overdue", v->overdue);
    }
    tz_http_put_xmsg_labels(w, &v->msg, lang);
    put_attachment_list(w, &v->msg);
    tz_jw_object_end(w);
}

void tz_http_put_xlines(struct tz_jw *w, const struct tz_xlines *l, enum tz_xlang lang)
{
    tz_jw_object(w);
    tz_jw_key(w, "items");
    tz_jw_array(w);
    for (size_t i = 0; i < l->count; i++) {
        const struct tz_xline *x = &l->items[i];
        tz_jw_object(w);
        tz_jw_kint(w, "id", x->id);
        tz_jw_kint(w, "case", x->case_id);
        if (x->in_reply_to)
            tz_jw_kint(w, "in_reply_to", x->in_reply_to);
        kcode(w, "type", TZ_XT_MSG_TYPE, x->type);
        klabel(w, "type_label", TZ_XT_MSG_TYPE, x->type, lang);
        tz_jw_kstr(w, "direction", x->inbound ? "in" : "out");
        tz_jw_kstr(w, "from_node", x->from_node);
        tz_jw_kstr(w, "from_unit", x->from_unit);
        tz_jw_kstr(w, "subject", x->subject);
        tz_jw_kstr(w, "lang", x->lang);
        kcode(w, "handling", TZ_XT_HANDLING, x->handling);
        put_line_markings(w, x->handling, lang);
        kcode(w, "urgency", TZ_XT_URGENCY, x->urgency);
        tz_jw_ktime(w, "at", x->at);
        tz_jw_kstr(w, "state", x->state);
        if (x->due) {
            tz_jw_ktime(w, "due", x->due);
            tz_jw_kbool(w, "overdue", x->overdue);
        }
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
    tz_jw_object_end(w);
}
