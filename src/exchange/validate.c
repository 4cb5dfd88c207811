/*
 * validate.c - the checks of one message, field by field (tz_exchange_validate),
 * and the message's life as a struct (init, clear). Every mistake is listed
 * under the JSON Pointer of its member in the message's JSON form
 * (docs/exchange-message.schema.json), so a door that reads JSON can hand the
 * list back unchanged. What a field may hold is decided here, not by the door:
 * the command line's import and the API refuse the same messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tztime.h"
#include "exchange/internal.h"
#include "exchange/spoc.h"

void tz_xmsg_init(struct tz_xmsg *m)
{
    memset(m, 0, sizeof *m);
    m->urgency = -1;
    m->art4_exception = -1;
    m->notice_type = -1;
}

void tz_xmsg_clear(struct tz_xmsg *m)
{
    free(m->text);
    free(m->entities);
    free(m->links);
    for (size_t i = 0; m->attachments && i < m->attachment_count; i++)
        free(m->attachments[i].data);
    free(m->attachments);
    tz_xmsg_init(m);
}

bool tz_x_text_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i], len, min, cp;
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                return false;
            if (c == 0x7f)
                return false;
            i++;
            continue;
        }
        if (c >= 0xf0 && c <= 0xf4)
            len = 4, min = 0x10000, cp = c & 0x07;
        else if (c >= 0xe0 && c <= 0xef)
            len = 3, min = 0x800, cp = c & 0x0f;
        else if (c >= 0xc2 && c <= 0xdf)
            len = 2, min = 0x80, cp = c & 0x1f;
        else
            return false;
        if (n - i < len)
            return false;
        for (unsigned k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

bool tz_x_same_language(const char *a, const char *b)
{
    size_t na = strcspn(a, "-"), nb = strcspn(b, "-");
    if (na != nb || na == 0)
        return false;
    for (size_t i = 0; i < na; i++)
        if ((a[i] | 0x20) != (b[i] | 0x20))
            return false;
    return true;
}

/* A text field: valid UTF-8 that fits (the arrays are NUL-terminated by construction). */
static void check_text(const char *field, const char *s, struct tz_field_errors *errs)
{
    if (!tz_x_text_ok(s, strlen(s)))
        tz_fielderr_add(errs, field, "must be UTF-8 text without control characters");
}

static void require_text(const char *field, const char *s, struct tz_field_errors *errs)
{
    if (!s[0])
        tz_fielderr_add(errs, field, "is required");
    else
        check_text(field, s, errs);
}

/* An identifier: 1.. bytes of [A-Za-z0-9._-]. */
static bool ident_ok(const char *s)
{
    if (!s[0])
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

static void check_ident(const char *field, const char *s, struct tz_field_errors *errs)
{
    if (!ident_ok(s))
        tz_fielderr_add(errs, field, "must be letters, digits, '.', '_' or '-'");
}

/* A coded field: its value is a row of its table. */
static void check_code(const char *field, enum tz_xtable t, int v, struct tz_field_errors *errs)
{
    if (!tz_xcode_code(t, v))
        tz_fielderr_add(errs, field, "must be a code of the %s table", tz_xcode_table_name(t));
}

/* A country, empty allowed when !required; alpha-3 becomes alpha-2. */
static void check_country(const char *field, char *c, bool required, struct tz_field_errors *errs)
{
    if (!c[0]) {
        if (required)
            tz_fielderr_add(errs, field, "is required");
        return;
    }
    int row;
    if (tz_xcode_parse(TZ_XT_COUNTRY, c, strlen(c), &row) != TZ_OK) {
        tz_fielderr_add(errs, field, "must be an ISO 3166-1 code of the country table");
        return;
    }
    snprintf(c, TZ_X_COUNTRY_MAX, "%s", tz_xcode_code(TZ_XT_COUNTRY, row));
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* YYYY, YYYY-MM or YYYY-MM-DD (only when partial), a real date after 1800. */
static void check_date(const char *field, const char *s, bool partial, struct tz_field_errors *errs)
{
    size_t n = strlen(s);
    if (n == 0)
        return;
    bool shape = digits(s, 4) && (n == 4 || (n >= 7 && s[4] == '-' && digits(s + 5, 2))) &&
                 (n == 4 || n == 7 || (n == 10 && s[7] == '-' && digits(s + 8, 2)));
    if (shape && (partial || n == 10)) {
        int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        int mo = n >= 7 ? (s[5] - '0') * 10 + (s[6] - '0') : 1;
        int d = n == 10 ? (s[8] - '0') * 10 + (s[9] - '0') : 1;
        int yy = 0, mm = 0, dd = 0;
        /* the month first: tz_time_days_from_civil asserts it (fuzz_exchange found "2026-13") */
        if (mo >= 1 && mo <= 12)
            tz_time_civil_from_days(tz_time_days_from_civil(y, mo, d), &yy, &mm, &dd);
        if (y >= 1800 && mo >= 1 && mo <= 12 && d >= 1 && yy == y && mm == mo && dd == d)
            return;
    }
    tz_fielderr_add(errs, field, partial ? "must be a date: YYYY, YYYY-MM or YYYY-MM-DD"
                                         : "must be a date, YYYY-MM-DD");
}

/* Field name of member `name` of entity i ("/entities/3/number"). */
static const char *efield(char *buf, size_t size, size_t i, const char *name)
{
    snprintf(buf, size, "/entities/%zu/%s", i, name);
    return buf;
}

static void check_person(size_t i, struct tz_xperson *p, struct tz_field_errors *errs)
{
    char f[TZ_FIELD_NAME_MAX];
    if (!p->family[0] && !p->given[0] && !p->original[0])
        tz_fielderr_add(errs, efield(f, sizeof f, i, "family"),
                        "a person needs a family name, a given name or the original spelling");
    check_text(efield(f, sizeof f, i, "family"), p->family, errs);
    check_text(efield(f, sizeof f, i, "given"), p->given, errs);
    check_text(efield(f, sizeof f, i, "original"), p->original, errs);
    check_text(efield(f, sizeof f, i, "birth_place"), p->birth_place, errs);
    for (size_t k = 0; k < p->spelling_count && k < TZ_X_SPELLINGS; k++) {
        char sub[32];
        snprintf(sub, sizeof sub, "spellings/%zu", k);
        require_text(efield(f, sizeof f, i, sub), p->spellings[k], errs);
    }
    check_date(efield(f, sizeof f, i, "birth_date"), p->birth_date, true, errs);
    check_code(efield(f, sizeof f, i, "sex"), TZ_XT_SEX, p->sex, errs);
    for (size_t k = 0; k < p->nationality_count && k < TZ_X_NATIONALITIES; k++) {
        char sub[32];
        snprintf(sub, sizeof sub, "nationalities/%zu", k);
        check_country(efield(f, sizeof f, i, sub), p->nationalities[k], true, errs);
    }
}

/* A VIN (ISO 3779): 17 of [A-Z0-9] without I, O and Q. */
static bool vin_ok(const char *s)
{
    if (strlen(s) != 17)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')) || *p == 'I' || *p == 'O' ||
            *p == 'Q')
            return false;
    return true;
}

static void check_vehicle(size_t i, struct tz_xvehicle *v, struct tz_field_errors *errs)
{
    char f[TZ_FIELD_NAME_MAX];
    if (!v->vin[0] && !v->plate[0])
        tz_fielderr_add(errs, efield(f, sizeof f, i, "vin"), "a vehicle needs a VIN or a plate");
    if (v->vin[0] && !vin_ok(v->vin))
        tz_fielderr_add(errs, efield(f, sizeof f, i, "vin"),
                        "must be 17 capital letters and digits without I, O and Q");
    check_text(efield(f, sizeof f, i, "plate"), v->plate, errs);
    check_country(efield(f, sizeof f, i, "plate_country"), v->plate_country, v->plate[0] != 0,
                  errs);
    check_text(efield(f, sizeof f, i, "make"), v->make, errs);
    check_text(efield(f, sizeof f, i, "model"), v->model, errs);
    check_text(efield(f, sizeof f, i, "colour"), v->colour, errs);
}

/* A phone number as E.164: '+' and 8 to 15 digits. */
static bool phone_ok(const char *s)
{
    size_t n = strlen(s);
    return n >= 9 && n <= 16 && s[0] == '+' && digits(s + 1, n - 1);
}

static void check_comm(size_t i, struct tz_xcomm *c, struct tz_field_errors *errs)
{
    char f[TZ_FIELD_NAME_MAX];
    check_code(efield(f, sizeof f, i, "comm_kind"), TZ_XT_COMM_KIND, c->kind, errs);
    efield(f, sizeof f, i, "value");
    if (!c->value[0])
        tz_fielderr_add(errs, f, "is required");
    else if (c->kind == TZ_XC_PHONE && !phone_ok(c->value))
        tz_fielderr_add(errs, f, "must be a phone number in E.164 form (+48123456789)");
    else if (c->kind == TZ_XC_EMAIL && (!strchr(c->value, '@') || strchr(c->value, ' ')))
        tz_fielderr_add(errs, f, "must be an e-mail address");
    else
        check_text(f, c->value, errs);
}

static void check_entity(size_t i, struct tz_xentity *e, struct tz_field_errors *errs)
{
    char f[TZ_FIELD_NAME_MAX];
    check_ident(efield(f, sizeof f, i, "ref"), e->ref, errs);
    switch (e->kind) {
    case TZ_XE_PERSON:
        check_person(i, &e->u.person, errs);
        break;
    case TZ_XE_DOCUMENT:
        check_code(efield(f, sizeof f, i, "doc_type"), TZ_XT_DOC_TYPE, e->u.document.type, errs);
        require_text(efield(f, sizeof f, i, "number"), e->u.document.number, errs);
        check_country(efield(f, sizeof f, i, "country"), e->u.document.country, true, errs);
        check_date(efield(f, sizeof f, i, "valid_until"), e->u.document.valid_until, false, errs);
        check_code(efield(f, sizeof f, i, "status"), TZ_XT_DOC_STATUS, e->u.document.status,
                   errs);
        break;
    case TZ_XE_VEHICLE:
        check_vehicle(i, &e->u.vehicle, errs);
        break;
    case TZ_XE_LOCATION: {
        struct tz_xlocation *l = &e->u.location;
        if (!l->address[0] && !l->has_coords)
            tz_fielderr_add(errs, efield(f, sizeof f, i, "address"),
                            "a location needs an address or coordinates");
        check_text(efield(f, sizeof f, i, "address"), l->address, errs);
        check_country(efield(f, sizeof f, i, "country"), l->country, false, errs);
        if (l->has_coords && !(l->lat >= -90 && l->lat <= 90 && l->lon >= -180 && l->lon <= 180))
            tz_fielderr_add(errs, efield(f, sizeof f, i, "lat"), "coordinates out of range");
        break;
    }
    case TZ_XE_ORGANISATION:
    case TZ_XE_EVENT:
        require_text(efield(f, sizeof f, i, "name"), e->u.named.name, errs);
        check_country(efield(f, sizeof f, i, "country"), e->u.named.country, false, errs);
        check_date(efield(f, sizeof f, i, "date"), e->u.named.date, false, errs);
        break;
    case TZ_XE_ASSET:
        check_code(efield(f, sizeof f, i, "asset_kind"), TZ_XT_ASSET_KIND, e->u.asset.kind, errs);
        if (!e->u.asset.identifier[0] && !e->u.asset.description[0])
            tz_fielderr_add(errs, efield(f, sizeof f, i, "identifier"),
                            "an asset needs an identifier or a description");
        check_text(efield(f, sizeof f, i, "identifier"), e->u.asset.identifier, errs);
        check_text(efield(f, sizeof f, i, "description"), e->u.asset.description, errs);
        break;
    case TZ_XE_COMM:
        check_comm(i, &e->u.comm, errs);
        break;
    default:
        check_code(efield(f, sizeof f, i, "kind"), TZ_XT_ENTITY_KIND, e->kind, errs);
    }
}

/* The index of the entity called ref, or -1. */
static long find_ref(const struct tz_xmsg *m, const char *ref, size_t before)
{
    for (size_t k = 0; k < before && k < m->entity_count; k++)
        if (strcmp(m->entities[k].ref, ref) == 0)
            return (long)k;
    return -1;
}

static void check_entities(struct tz_xmsg *m, struct tz_field_errors *errs)
{
    char f[TZ_FIELD_NAME_MAX];
    if (m->entity_count > TZ_X_ENTITIES)
        tz_fielderr_add(errs, "/entities", "at most %d entities", TZ_X_ENTITIES);
    for (size_t i = 0; i < m->entity_count && i < TZ_X_ENTITIES; i++) {
        check_entity(i, &m->entities[i], errs);
        if (m->entities[i].ref[0] && find_ref(m, m->entities[i].ref, i) >= 0)
            tz_fielderr_add(errs, efield(f, sizeof f, i, "ref"), "names another entity too");
    }
    if (m->link_count > TZ_X_LINKS)
        tz_fielderr_add(errs, "/links", "at most %d links", TZ_X_LINKS);
    for (size_t i = 0; i < m->link_count && i < TZ_X_LINKS; i++) {
        const struct tz_xlink *l = &m->links[i];
        snprintf(f, sizeof f, "/links/%zu/from", i);
        if (find_ref(m, l->from, m->entity_count) < 0)
            tz_fielderr_add(errs, f, "must name an entity of the message");
        snprintf(f, sizeof f, "/links/%zu/to", i);
        if (find_ref(m, l->to, m->entity_count) < 0)
            tz_fielderr_add(errs, f, "must name an entity of the message");
        else if (strcmp(l->from, l->to) == 0)
            tz_fielderr_add(errs, f, "must name another entity than from");
        snprintf(f, sizeof f, "/links/%zu/role", i);
        check_code(f, TZ_XT_LINK_ROLE, l->role, errs);
    }
}

/* A BCP 47 tag as far as the exchange needs it: 2-3 letters, then subtags of 1-8 letters and
 * digits, each after a '-'. */
static bool lang_ok(const char *s)
{
    size_t n = 0;
    while ((s[n] | 0x20) >= 'a' && (s[n] | 0x20) <= 'z')
        n++;
    if (n < 2 || n > 3)
        return false;
    s += n;
    while (*s == '-') {
        size_t k = 1;
        while (((s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'z') || (s[k] >= '0' && s[k] <= '9'))
            k++;
        if (k < 2 || k > 9)
            return false;
        s += k;
    }
    return *s == 0;
}

static void check_parties(struct tz_xmsg *m, struct tz_field_errors *errs)
{
    check_ident("/originator/node", m->originator.node, errs);
    check_ident("/originator/unit", m->originator.unit, errs);
    check_text("/originator/officer", m->originator.officer, errs);
    if (m->addressee_count == 0)
        tz_fielderr_add(errs, "/addressees", "at least one addressee");
    if (m->addressee_count > TZ_X_ADDRESSEES)
        tz_fielderr_add(errs, "/addressees", "at most %d addressees", TZ_X_ADDRESSEES);
    for (size_t i = 0; i < m->addressee_count && i < TZ_X_ADDRESSEES; i++) {
        char f[TZ_FIELD_NAME_MAX];
        snprintf(f, sizeof f, "/addressees/%zu/node", i);
        check_ident(f, m->addressees[i].node, errs);
        if (m->addressees[i].unit[0]) {
            snprintf(f, sizeof f, "/addressees/%zu/unit", i);
            check_ident(f, m->addressees[i].unit, errs);
        }
    }
}

static bool answers(int type)
{
    return type == TZ_XMSG_REPLY || type == TZ_XMSG_REFUSAL || type == TZ_XMSG_CLARIFICATION ||
           type == TZ_XMSG_ACKNOWLEDGEMENT || type == TZ_XMSG_DEVIATION;
}

/* What each type requires or forbids. */
static void check_type_rules(struct tz_xmsg *m, struct tz_field_errors *errs)
{
    bool request = m->type == TZ_XMSG_REQUEST;
    if (request)
        check_code("/urgency", TZ_XT_URGENCY, m->urgency, errs);
    else if (m->urgency != -1)
        tz_fielderr_add(errs, "/urgency", "only a request has an urgency");
    if (m->art4_exception != -1) {
        check_code("/art4_exception", TZ_XT_ART4_EXCEPTION, m->art4_exception, errs);
        require_text("/art4_reasons", m->art4_reasons, errs);
        if (!request)
            tz_fielderr_add(errs, "/art4_exception", "only a request records an exception");
    } else if (m->art4_reasons[0]) {
        tz_fielderr_add(errs, "/art4_reasons", "reasons without an exception");
    }
    if (m->type == TZ_XMSG_REFUSAL) {
        if (m->grounds == 0)
            tz_fielderr_add(errs, "/grounds", "a refusal names one or more grounds of Art. 6(1)");
        else if (m->grounds >> TZ_XG_COUNT)
            tz_fielderr_add(errs, "/grounds", "must be codes of the refusal_ground table");
        require_text("/reasons", m->reasons, errs);
    } else if (m->grounds) {
        tz_fielderr_add(errs, "/grounds", "only a refusal has these");
    } else if (m->reasons[0] && m->type != TZ_XMSG_DEVIATION) {
        tz_fielderr_add(errs, "/reasons", "only a refusal or a deviation has these");
    }
    /* Art. 9: a deviation says by how much the reply is late and why (a partner's moves the
     * due instant of our request by that much). */
    if (m->type == TZ_XMSG_DEVIATION) {
        if (m->delay_hours < TZ_X_DEVIATION_MIN_S / 3600 ||
            m->delay_hours > TZ_X_DEVIATION_MAX_S / 3600)
            tz_fielderr_add(errs, "/delay_hours", "from %d to %d hours",
                            TZ_X_DEVIATION_MIN_S / 3600, TZ_X_DEVIATION_MAX_S / 3600);
        require_text("/reasons", m->reasons, errs);
    } else if (m->delay_hours) {
        tz_fielderr_add(errs, "/delay_hours", "only a deviation has a delay");
    }
    if (m->type == TZ_XMSG_NOTICE)
        check_code("/notice_type", TZ_XT_NOTICE_TYPE, m->notice_type, errs);
    else if (m->notice_type != -1)
        tz_fielderr_add(errs, "/notice_type", "only a notice has a notice type");
    if (answers(m->type) && m->in_reply_to <= 0)
        tz_fielderr_add(errs, "/in_reply_to", "an answer names the message it answers");
    if (m->case_id == 0 && !answers(m->type))
        require_text("/subject", m->subject, errs);
}

tz_err tz_exchange_validate(struct tz_xmsg *m, struct tz_field_errors *errs)
{
    size_t before = errs->count + errs->dropped;
    check_code("/type", TZ_XT_MSG_TYPE, m->type, errs);
    if (m->case_id < 0)
        tz_fielderr_add(errs, "/case", "must be a case id");
    if (m->in_reply_to < 0)
        tz_fielderr_add(errs, "/in_reply_to", "must be a message id");
    check_text("/subject", m->subject, errs);
    check_text("/crime_area", m->crime_area, errs);
    check_parties(m, errs);
    if (!lang_ok(m->lang))
        tz_fielderr_add(errs, "/lang", "must be a BCP 47 language tag (pl, en-GB)");
    check_code("/handling", TZ_XT_HANDLING, m->handling, errs);
    if (m->handling == TZ_XH3)
        require_text("/restriction", m->restriction, errs);
    else if (m->restriction[0])
        tz_fielderr_add(errs, "/restriction", "only H3 carries a restriction's text");
    check_code("/evaluation/source", TZ_XT_SOURCE, m->source, errs);
    check_code("/evaluation/information", TZ_XT_INFO, m->info, errs);
    check_type_rules(m, errs);
    if (m->text_len > TZ_X_TEXT_MAX)
        tz_fielderr_add(errs, "/text", "at most %d bytes", TZ_X_TEXT_MAX);
    else if (m->text && !tz_x_text_ok(m->text, m->text_len))
        tz_fielderr_add(errs, "/text", "must be UTF-8 text without control characters");
    check_entities(m, errs);
    tz_x_check_attachments(m, errs);
    return errs->count + errs->dropped > before ? TZ_EINVAL : TZ_OK;
}
