/*
 * convert.c - a message between the exchange's struct tz_xmsg and the store's
 * struct tz_xmsg_rec: codes become their stable text and back, an entity's
 * fields become name/value rows through the field tables (fields.c), lists
 * (spellings, nationalities) and coordinates rows with an index. Reading back
 * refuses what the tables do not know (TZ_EIO: the store holds something the
 * code did not write).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/num.h"
#include "exchange/internal.h"

/* src into dst of size bytes, cut when it does not fit (the validator bounds what is written,
 * so only a store changed behind the code's back holds longer texts). */
static void copy(char *dst, size_t size, const char *src)
{
    if (snprintf(dst, size, "%s", src) >= (int)size)
        dst[size - 1] = 0;
}
#define COPY(dst, src) copy((dst), sizeof(dst), (src))

static void code_text(char *dst, size_t size, enum tz_xtable t, int v)
{
    const char *c = tz_xcode_code(t, v);
    snprintf(dst, size, "%s", c ? c : "");
}

static void add_field(struct tz_xentity_rec *r, const char *name, int idx, const char *value)
{
    struct tz_xfield_rec *f = &r->fields[r->field_count++];
    COPY(f->name, name);
    f->idx = idx;
    COPY(f->value, value);
}

/* The most rows one entity makes: its table's fields, lists and coordinates. */
#define ENTITY_ROWS 24

static tz_err entity_to_rec(const struct tz_xentity *e, struct tz_xentity_rec *r)
{
    r->fields = calloc(ENTITY_ROWS, sizeof *r->fields);
    if (!r->fields)
        return TZ_ENOMEM;
    COPY(r->ref, e->ref);
    code_text(r->kind, sizeof r->kind, TZ_XT_ENTITY_KIND, e->kind);
    char value[TZ_XS_LONG];
    for (const struct tz_xfield *f = tz_xentity_fields(e->kind); f && f->name; f++) {
        tz_x_field_text(e, f, value, sizeof value);
        if (value[0])
            add_field(r, f->name, 0, value);
    }
    if (e->kind == TZ_XE_PERSON) {
        for (size_t i = 0; i < e->u.person.spelling_count && i < TZ_X_SPELLINGS; i++)
            add_field(r, "spellings", (int)i, e->u.person.spellings[i]);
        for (size_t i = 0; i < e->u.person.nationality_count && i < TZ_X_NATIONALITIES; i++)
            add_field(r, "nationalities", (int)i, e->u.person.nationalities[i]);
    }
    if (e->kind == TZ_XE_LOCATION && e->u.location.has_coords) {
        snprintf(value, sizeof value, "%.17g", e->u.location.lat);
        add_field(r, "lat", 0, value);
        snprintf(value, sizeof value, "%.17g", e->u.location.lon);
        add_field(r, "lon", 0, value);
    }
    r->key_count = tz_xentity_keys(e, r->keys);
    return TZ_OK;
}

/* The attachments' records borrow the message's bytes (the store copies them as it writes). */
static tz_err attachments_to_rec(const struct tz_xmsg *m, struct tz_xmsg_rec *r)
{
    if (!m->attachment_count)
        return TZ_OK;
    if (!(r->attachments = calloc(m->attachment_count, sizeof *r->attachments)))
        return TZ_ENOMEM;
    for (size_t i = 0; i < m->attachment_count; i++, r->attachment_count++) {
        struct tz_xattach_rec *a = &r->attachments[i];
        COPY(a->name, m->attachments[i].name);
        COPY(a->type, m->attachments[i].type);
        COPY(a->sha256, m->attachments[i].sha256);
        a->size = m->attachments[i].size;
        a->data = m->attachments[i].data;
    }
    return TZ_OK;
}

tz_err tz_x_to_rec(const struct tz_xmsg *m, struct tz_xmsg_rec *r)
{
    memset(r, 0, sizeof *r);
    r->case_id = m->case_id;
    r->in_reply_to = m->in_reply_to;
    COPY(r->subject, m->subject);
    COPY(r->crime_area, m->crime_area);
    code_text(r->type, sizeof r->type, TZ_XT_MSG_TYPE, m->type);
    COPY(r->from_node, m->originator.node);
    COPY(r->from_unit, m->originator.unit);
    COPY(r->officer, m->originator.officer);
    COPY(r->lang, m->lang);
    code_text(r->handling, sizeof r->handling, TZ_XT_HANDLING, m->handling);
    COPY(r->restriction, m->restriction);
    code_text(r->source, sizeof r->source, TZ_XT_SOURCE, m->source);
    code_text(r->info, sizeof r->info, TZ_XT_INFO, m->info);
    code_text(r->urgency, sizeof r->urgency, TZ_XT_URGENCY, m->urgency);
    code_text(r->art4_exception, sizeof r->art4_exception, TZ_XT_ART4_EXCEPTION,
              m->art4_exception);
    COPY(r->art4_reasons, m->art4_reasons);
    r->grounds = m->grounds;
    COPY(r->reasons, m->reasons);
    r->delay_s = (int64_t)m->delay_hours * 3600;
    code_text(r->notice_type, sizeof r->notice_type, TZ_XT_NOTICE_TYPE, m->notice_type);
    r->addressees = calloc(m->addressee_count ? m->addressee_count : 1, sizeof *r->addressees);
    r->entities = calloc(m->entity_count ? m->entity_count : 1, sizeof *r->entities);
    r->links = calloc(m->link_count ? m->link_count : 1, sizeof *r->links);
    if (!r->addressees || !r->entities || !r->links)
        goto nomem;
    if (m->text && !(r->text = strdup(m->text)))
        goto nomem;
    for (size_t i = 0; i < m->addressee_count; i++) {
        COPY(r->addressees[i].node, m->addressees[i].node);
        COPY(r->addressees[i].unit, m->addressees[i].unit);
        r->addressees[i].cc = m->addressees[i].cc;
    }
    r->addressee_count = m->addressee_count;
    for (size_t i = 0; i < m->entity_count; i++, r->entity_count++)
        if (entity_to_rec(&m->entities[i], &r->entities[i]))
            goto nomem;
    for (size_t i = 0; i < m->link_count; i++) {
        COPY(r->links[i].from, m->links[i].from);
        COPY(r->links[i].to, m->links[i].to);
        code_text(r->links[i].role, sizeof r->links[i].role, TZ_XT_LINK_ROLE, m->links[i].role);
    }
    r->link_count = m->link_count;
    if (attachments_to_rec(m, r)) {
        tz_store_xmsg_free(r);
        return TZ_ENOMEM;
    }
    return TZ_OK;
nomem:
    r->entity_count++; /* the entity that failed may hold its rows */
    tz_store_xmsg_free(r);
    return TZ_ENOMEM;
}

/* A code of table t as stored ("" as absent, -1); TZ_EIO for one the table lacks. */
static tz_err code_of(enum tz_xtable t, const char *s, int *out)
{
    *out = -1;
    if (!s[0])
        return TZ_OK;
    return tz_xcode_parse(t, s, strlen(s), out) ? TZ_EIO : TZ_OK;
}

tz_err tz_x_entity_from_rec(const struct tz_xentity_rec *r, struct tz_xentity *e)
{
    COPY(e->ref, r->ref);
    tz_err err = code_of(TZ_XT_ENTITY_KIND, r->kind, &e->kind);
    if (err || e->kind < 0)
        return TZ_EIO;
    if (e->kind == TZ_XE_DOCUMENT)
        e->u.document.status = TZ_XDS_UNKNOWN;
    for (size_t i = 0; i < r->field_count; i++) {
        const struct tz_xfield_rec *f = &r->fields[i];
        size_t k = (size_t)f->idx;
        double d;
        if (e->kind == TZ_XE_PERSON && strcmp(f->name, "spellings") == 0 && k < TZ_X_SPELLINGS) {
            COPY(e->u.person.spellings[k], f->value);
            e->u.person.spelling_count = k + 1 > e->u.person.spelling_count
                                             ? k + 1 : e->u.person.spelling_count;
        } else if (e->kind == TZ_XE_PERSON && strcmp(f->name, "nationalities") == 0 &&
                   k < TZ_X_NATIONALITIES) {
            COPY(e->u.person.nationalities[k], f->value);
            e->u.person.nationality_count = k + 1 > e->u.person.nationality_count
                                                ? k + 1 : e->u.person.nationality_count;
        } else if (e->kind == TZ_XE_LOCATION && (!strcmp(f->name, "lat") || !strcmp(f->name, "lon"))) {
            if (tz_num_parse_double(f->value, strlen(f->value), -180, 180, &d))
                return TZ_EIO;
            *(f->name[1] == 'a' ? &e->u.location.lat : &e->u.location.lon) = d;
            e->u.location.has_coords = true;
        } else if (tz_x_field_set(e, f->name, f->value)) {
            return TZ_EIO;
        }
    }
    return TZ_OK;
}

/* A message read back lists its attachments without their bytes (read one by one). */
static tz_err attachments_from_rec(const struct tz_xmsg_rec *r, struct tz_xmsg *m)
{
    if (!r->attachment_count)
        return TZ_OK;
    if (!(m->attachments = calloc(r->attachment_count, sizeof *m->attachments)))
        return TZ_ENOMEM;
    for (size_t i = 0; i < r->attachment_count; i++, m->attachment_count++) {
        struct tz_xattachment *a = &m->attachments[i];
        COPY(a->name, r->attachments[i].name);
        COPY(a->type, r->attachments[i].type);
        COPY(a->sha256, r->attachments[i].sha256);
        a->size = r->attachments[i].size;
    }
    return TZ_OK;
}

tz_err tz_x_from_rec(const struct tz_xmsg_rec *r, struct tz_xmsg *m)
{
    tz_xmsg_init(m);
    m->id = r->id;
    m->case_id = r->case_id;
    m->in_reply_to = r->in_reply_to;
    COPY(m->subject, r->subject);
    COPY(m->crime_area, r->crime_area);
    COPY(m->originator.node, r->from_node);
    COPY(m->originator.unit, r->from_unit);
    COPY(m->originator.officer, r->officer);
    COPY(m->lang, r->lang);
    COPY(m->restriction, r->restriction);
    COPY(m->art4_reasons, r->art4_reasons);
    COPY(m->reasons, r->reasons);
    m->delay_hours = (int)(r->delay_s / 3600);
    m->grounds = (unsigned)r->grounds;
    tz_err err;
    if ((err = code_of(TZ_XT_MSG_TYPE, r->type, &m->type)) ||
        (err = code_of(TZ_XT_HANDLING, r->handling, &m->handling)) ||
        (err = code_of(TZ_XT_SOURCE, r->source, &m->source)) ||
        (err = code_of(TZ_XT_INFO, r->info, &m->info)) ||
        (err = code_of(TZ_XT_URGENCY, r->urgency, &m->urgency)) ||
        (err = code_of(TZ_XT_ART4_EXCEPTION, r->art4_exception, &m->art4_exception)) ||
        (err = code_of(TZ_XT_NOTICE_TYPE, r->notice_type, &m->notice_type)))
        return err;
    if (r->text) {
        if (!(m->text = strdup(r->text)))
            return TZ_ENOMEM;
        m->text_len = strlen(m->text);
    }
    for (size_t i = 0; i < r->addressee_count && i < TZ_X_ADDRESSEES; i++) {
        COPY(m->addressees[i].node, r->addressees[i].node);
        COPY(m->addressees[i].unit, r->addressees[i].unit);
        m->addressees[i].cc = r->addressees[i].cc != 0;
        m->addressee_count = i + 1;
    }
    if (r->entity_count && !(m->entities = calloc(r->entity_count, sizeof *m->entities)))
        return TZ_ENOMEM;
    for (size_t i = 0; i < r->entity_count; i++, m->entity_count++)
        if ((err = tz_x_entity_from_rec(&r->entities[i], &m->entities[i])))
            return err;
    if (r->link_count && !(m->links = calloc(r->link_count, sizeof *m->links)))
        return TZ_ENOMEM;
    for (size_t i = 0; i < r->link_count; i++, m->link_count++) {
        COPY(m->links[i].from, r->links[i].from);
        COPY(m->links[i].to, r->links[i].to);
        if ((err = code_of(TZ_XT_LINK_ROLE, r->links[i].role, &m->links[i].role)))
            return err;
    }
    return attachments_from_rec(r, m);
}
