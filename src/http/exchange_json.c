/*
 * exchange_json.c - the JSON door of an exchange message: the nesting is
 * bounded before jansson reads a byte (jansson's own bound is 2048 levels),
 * jansson refuses duplicate keys, invalid UTF-8 and NUL, and each member is
 * copied into struct tz_xmsg by a table of members (name, type, where it
 * goes, its code table), one table for the message and one per entity kind.
 * A string that does not fit is refused, never cut; a code is looked up in
 * the exchange's table, so the door and the validator know the same codes.
 */
#include "http/exchange_json.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonguard.h"

enum ftype { F_STR, F_CODE, F_ID, F_BOOL, F_NUM, F_HOURS };

/* One member: where its value goes (an offset into the struct being filled). */
struct member {
    const char *name;
    enum ftype type;
    size_t off, size; /* F_STR: the array's size */
    int table;        /* F_CODE: enum tz_xtable */
};

#define STR(s, f, name) {name, F_STR, offsetof(s, f), sizeof(((s *)0)->f), 0}
#define CODE(s, f, name, t) {name, F_CODE, offsetof(s, f), sizeof(int), t}

static const struct member party_members[] = {
    STR(struct tz_xparty, node, "node"),
    STR(struct tz_xparty, unit, "unit"),
    STR(struct tz_xparty, officer, "officer"),
    {"cc", F_BOOL, offsetof(struct tz_xparty, cc), sizeof(bool), 0},
    {0},
};

static const struct member msg_members[] = {
    CODE(struct tz_xmsg, type, "type", TZ_XT_MSG_TYPE),
    {"case", F_ID, offsetof(struct tz_xmsg, case_id), sizeof(int64_t), 0},
    {"in_reply_to", F_ID, offsetof(struct tz_xmsg, in_reply_to), sizeof(int64_t), 0},
    STR(struct tz_xmsg, subject, "subject"),
    STR(struct tz_xmsg, crime_area, "crime_area"),
    STR(struct tz_xmsg, lang, "lang"),
    CODE(struct tz_xmsg, handling, "handling", TZ_XT_HANDLING),
    STR(struct tz_xmsg, restriction, "restriction"),
    CODE(struct tz_xmsg, urgency, "urgency", TZ_XT_URGENCY),
    CODE(struct tz_xmsg, art4_exception, "art4_exception", TZ_XT_ART4_EXCEPTION),
    STR(struct tz_xmsg, art4_reasons, "art4_reasons"),
    STR(struct tz_xmsg, reasons, "reasons"),
    {"delay_hours", F_HOURS, offsetof(struct tz_xmsg, delay_hours), sizeof(int), 0},
    CODE(struct tz_xmsg, notice_type, "notice_type", TZ_XT_NOTICE_TYPE),
    {0},
};

static const struct member eval_members[] = {
    CODE(struct tz_xmsg, source, "source", TZ_XT_SOURCE),
    CODE(struct tz_xmsg, info, "information", TZ_XT_INFO),
    {0},
};

#define P(f, n) STR(struct tz_xperson, f, n)
static const struct member person_members[] = {
    P(family, "family"), P(given, "given"), P(original, "original"),
    P(birth_date, "birth_date"), P(birth_place, "birth_place"),
    CODE(struct tz_xperson, sex, "sex", TZ_XT_SEX), {0},
};
static const struct member document_members[] = {
    CODE(struct tz_xdocument, type, "doc_type", TZ_XT_DOC_TYPE),
    STR(struct tz_xdocument, number, "number"),
    STR(struct tz_xdocument, country, "country"),
    STR(struct tz_xdocument, valid_until, "valid_until"),
    CODE(struct tz_xdocument, status, "status", TZ_XT_DOC_STATUS),
    {0},
};
#define V(f, n) STR(struct tz_xvehicle, f, n)
static const struct member vehicle_members[] = {
    V(vin, "vin"), V(plate, "plate"), V(plate_country, "plate_country"),
    V(make, "make"), V(model, "model"), V(colour, "colour"), {0},
};
static const struct member location_members[] = {
    STR(struct tz_xlocation, address, "address"),
    STR(struct tz_xlocation, country, "country"),
    {"lat", F_NUM, offsetof(struct tz_xlocation, lat), sizeof(double), 0},
    {"lon", F_NUM, offsetof(struct tz_xlocation, lon), sizeof(double), 0},
    {0},
};
static const struct member organisation_members[] = {
    STR(struct tz_xnamed, name, "name"), STR(struct tz_xnamed, country, "country"), {0},
};
static const struct member event_members[] = {
    STR(struct tz_xnamed, name, "name"), STR(struct tz_xnamed, country, "country"),
    STR(struct tz_xnamed, date, "date"), {0},
};
static const struct member asset_members[] = {
    CODE(struct tz_xasset, kind, "asset_kind", TZ_XT_ASSET_KIND),
    STR(struct tz_xasset, identifier, "identifier"),
    STR(struct tz_xasset, description, "description"),
    {0},
};
static const struct member comm_members[] = {
    CODE(struct tz_xcomm, kind, "comm_kind", TZ_XT_COMM_KIND),
    STR(struct tz_xcomm, value, "value"),
    {0},
};
static const struct member link_members[] = {
    STR(struct tz_xlink, from, "from"),
    STR(struct tz_xlink, to, "to"),
    CODE(struct tz_xlink, role, "role", TZ_XT_LINK_ROLE),
    {0},
};

/* Each entity kind's members, in the order of enum tz_xentity_kind. */
static const struct member *const kind_members[TZ_XE_KIND_COUNT] = {
    person_members, document_members, vehicle_members, location_members,
    organisation_members, event_members, asset_members, comm_members,
};

/* prefix/name into out; cut when it does not fit (tz_fielderr_add repairs a cut sequence). */
static const char *join(char *out, size_t size, const char *prefix, const char *name)
{
    if (snprintf(out, size, "%s/%s", prefix, name) >= (int)size)
        out[size - 1] = 0;
    return out;
}

static const struct member *find(const struct member *t, const char *name)
{
    for (; t->name; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

static void put_str(json_t *v, char *dst, size_t size, const char *field,
                    struct tz_field_errors *errs)
{
    const char *s = json_string_value(v);
    if (!s) {
        tz_fielderr_add(errs, field, "must be a string");
        return;
    }
    size_t n = json_string_length(v);
    if (n >= size) {
        tz_fielderr_add(errs, field, "at most %zu bytes", size - 1);
        return;
    }
    memcpy(dst, s, n);
    dst[n] = 0;
}

/* Copies v into base as member d says; a wrong type or unknown code goes to errs. */
static void put(const struct member *d, json_t *v, void *base, const char *field,
                struct tz_field_errors *errs)
{
    char *at = (char *)base + d->off;
    int code;
    switch (d->type) {
    case F_STR:
        put_str(v, at, d->size, field, errs);
        break;
    case F_CODE:
        if (!json_is_string(v) || tz_xcode_parse((enum tz_xtable)d->table, json_string_value(v),
                                                 json_string_length(v), &code) != TZ_OK)
            tz_fielderr_add(errs, field, "must be a code of the %s table",
                            tz_xcode_table_name((enum tz_xtable)d->table));
        else
            memcpy(at, &code, sizeof code);
        break;
    case F_ID: {
        json_int_t id = json_is_integer(v) ? json_integer_value(v) : 0;
        if (id <= 0)
            tz_fielderr_add(errs, field, "must be a positive integer id");
        else
            memcpy(at, &(int64_t){(int64_t)id}, sizeof(int64_t));
        break;
    }
    case F_BOOL:
        if (!json_is_boolean(v))
            tz_fielderr_add(errs, field, "must be true or false");
        else
            memcpy(at, &(bool){json_is_true(v)}, sizeof(bool));
        break;
    case F_HOURS: { /* the range is the validator's: here a positive integer that fits */
        json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
        if (n <= 0 || n > 1000000)
            tz_fielderr_add(errs, field, "must be a positive integer (hours)");
        else
            memcpy(at, &(int){(int)n}, sizeof(int));
        break;
    }
    case F_NUM:
        if (!json_is_number(v))
            tz_fielderr_add(errs, field, "must be a number");
        else
            memcpy(at, &(double){json_number_value(v)}, sizeof(double));
        break;
    }
}

/* Reads the members of obj that table t names into base; `skip` names members read elsewhere
 * (NULL-terminated); anything else is an unknown field. prefix: the object's JSON Pointer. */
static void read_object(json_t *obj, const struct member *t, const char *const *skip, void *base,
                        const char *prefix, struct tz_field_errors *errs)
{
    char field[TZ_FIELD_NAME_MAX];
    if (!json_is_object(obj)) {
        tz_fielderr_add(errs, prefix[0] ? prefix : "/", "must be an object");
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        join(field, sizeof field, prefix, key);
        const struct member *d = find(t, key);
        bool skipped = false;
        for (size_t i = 0; skip && skip[i]; i++)
            skipped = skipped || strcmp(skip[i], key) == 0;
        if (d)
            put(d, v, base, field, errs);
        else if (!skipped)
            tz_fielderr_add(errs, field, "unknown field");
    }
}

/* An array of at most max strings into rows of `size` bytes; its count to *count. */
static void read_strings(json_t *v, char *rows, size_t size, size_t max, size_t *count,
                         const char *prefix, struct tz_field_errors *errs)
{
    if (!json_is_array(v) || json_array_size(v) > max) {
        tz_fielderr_add(errs, prefix, "must be an array of at most %zu strings", max);
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        char field[TZ_FIELD_NAME_MAX], index[24];
        snprintf(index, sizeof index, "%zu", i);
        put_str(item, rows + i * size, size, join(field, sizeof field, prefix, index), errs);
    }
    *count = json_array_size(v);
}

static void read_grounds(json_t *v, struct tz_xmsg *m, struct tz_field_errors *errs)
{
    if (!json_is_array(v) || json_array_size(v) > TZ_XG_COUNT) {
        tz_fielderr_add(errs, "/grounds", "must be an array of at most %d codes", TZ_XG_COUNT);
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        int g;
        if (!json_is_string(item) || tz_xcode_parse(TZ_XT_REFUSAL_GROUND, json_string_value(item),
                                                    json_string_length(item), &g) != TZ_OK) {
            char field[TZ_FIELD_NAME_MAX];
            snprintf(field, sizeof field, "/grounds/%zu", i);
            tz_fielderr_add(errs, field, "must be a code of the refusal_ground table (a-h)");
        } else {
            m->grounds |= 1u << g;
        }
    }
}

static void read_addressees(json_t *v, struct tz_xmsg *m, struct tz_field_errors *errs)
{
    if (!json_is_array(v) || json_array_size(v) > TZ_X_ADDRESSEES) {
        tz_fielderr_add(errs, "/addressees", "must be an array of at most %d addressees",
                        TZ_X_ADDRESSEES);
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        char prefix[TZ_FIELD_NAME_MAX];
        snprintf(prefix, sizeof prefix, "/addressees/%zu", i);
        read_object(item, party_members, NULL, &m->addressees[i], prefix, errs);
        if (m->addressees[i].officer[0])
            tz_fielderr_add(errs, prefix, "an addressee names no officer");
    }
    m->addressee_count = json_array_size(v);
}

static const char *const entity_common[] = {"ref", "kind", "spellings", "nationalities", NULL};

static void read_entity(json_t *obj, struct tz_xentity *e, size_t i, struct tz_field_errors *errs)
{
    char prefix[TZ_FIELD_NAME_MAX], field[TZ_FIELD_NAME_MAX];
    snprintf(prefix, sizeof prefix, "/entities/%zu", i);
    e->kind = -1;
    if (!json_is_object(obj)) {
        tz_fielderr_add(errs, prefix, "must be an object");
        return;
    }
    static const struct member head[] = {
        STR(struct tz_xentity, ref, "ref"), CODE(struct tz_xentity, kind, "kind", TZ_XT_ENTITY_KIND),
        {0}};
    for (const struct member *d = head; d->name; d++) {
        json_t *v = json_object_get(obj, d->name);
        join(field, sizeof field, prefix, d->name);
        if (v)
            put(d, v, e, field, errs);
        else
            tz_fielderr_add(errs, field, "is required");
    }
    if (e->kind < 0 || e->kind >= TZ_XE_KIND_COUNT)
        return;
    /* The codes a kind requires start unset, so that a missing one is named. */
    if (e->kind == TZ_XE_DOCUMENT) {
        e->u.document.type = -1;
        e->u.document.status = TZ_XDS_UNKNOWN;
    } else if (e->kind == TZ_XE_ASSET) {
        e->u.asset.kind = -1;
    } else if (e->kind == TZ_XE_COMM) {
        e->u.comm.kind = -1;
    }
    read_object(obj, kind_members[e->kind], entity_common, &e->u, prefix, errs);
    if (e->kind == TZ_XE_PERSON) {
        struct tz_xperson *p = &e->u.person;
        json_t *v = json_object_get(obj, "spellings");
        join(field, sizeof field, prefix, "spellings");
        if (v)
            read_strings(v, &p->spellings[0][0], TZ_X_NAME_MAX, TZ_X_SPELLINGS,
                         &p->spelling_count, field, errs);
        v = json_object_get(obj, "nationalities");
        join(field, sizeof field, prefix, "nationalities");
        if (v)
            read_strings(v, &p->nationalities[0][0], TZ_X_COUNTRY_MAX, TZ_X_NATIONALITIES,
                         &p->nationality_count, field, errs);
    } else if (json_object_get(obj, "spellings") || json_object_get(obj, "nationalities")) {
        tz_fielderr_add(errs, prefix, "only a person has spellings and nationalities");
    }
    if (e->kind == TZ_XE_LOCATION) {
        bool lat = json_object_get(obj, "lat") != NULL, lon = json_object_get(obj, "lon") != NULL;
        if (lat != lon)
            tz_fielderr_add(errs, prefix, "lat and lon come together");
        e->u.location.has_coords = lat && lon;
    }
}

/* Entities or links: an array of at most max objects, into a fresh array of its own. */
static tz_err read_entities(json_t *v, struct tz_xmsg *m, struct tz_field_errors *errs)
{
    if (!json_is_array(v) || json_array_size(v) > TZ_X_ENTITIES) {
        tz_fielderr_add(errs, "/entities", "must be an array of at most %d entities",
                        TZ_X_ENTITIES);
        return TZ_OK;
    }
    size_t n = json_array_size(v);
    if (n == 0)
        return TZ_OK;
    m->entities = calloc(n, sizeof *m->entities);
    if (!m->entities)
        return TZ_ENOMEM;
    m->entity_count = n;
    for (size_t i = 0; i < n; i++)
        read_entity(json_array_get(v, i), &m->entities[i], i, errs);
    return TZ_OK;
}

static tz_err read_links(json_t *v, struct tz_xmsg *m, struct tz_field_errors *errs)
{
    if (!json_is_array(v) || json_array_size(v) > TZ_X_LINKS) {
        tz_fielderr_add(errs, "/links", "must be an array of at most %d links", TZ_X_LINKS);
        return TZ_OK;
    }
    size_t n = json_array_size(v);
    if (n == 0)
        return TZ_OK;
    m->links = calloc(n, sizeof *m->links);
    if (!m->links)
        return TZ_ENOMEM;
    m->link_count = n;
    for (size_t i = 0; i < n; i++) {
        char prefix[TZ_FIELD_NAME_MAX];
        snprintf(prefix, sizeof prefix, "/links/%zu", i);
        m->links[i].role = -1;
        read_object(json_array_get(v, i), link_members, NULL, &m->links[i], prefix, errs);
    }
    return TZ_OK;
}

static tz_err read_text(json_t *v, struct tz_xmsg *m, struct tz_field_errors *errs)
{
    if (!json_is_string(v)) {
        tz_fielderr_add(errs, "/text", "must be a string");
        return TZ_OK;
    }
    size_t n = json_string_length(v);
    if (n > TZ_X_TEXT_MAX) {
        tz_fielderr_add(errs, "/text", "at most %d bytes", TZ_X_TEXT_MAX);
        return TZ_OK;
    }
    m->text = malloc(n + 1);
    if (!m->text)
        return TZ_ENOMEM;
    memcpy(m->text, json_string_value(v), n);
    m->text[n] = 0;
    m->text_len = n;
    return TZ_OK;
}

static const struct member attach_members[] = {
    STR(struct tz_xattachment, name, "name"),
    STR(struct tz_xattachment, type, "type"),
    {0},
};

/* An attachment's base64 data (RFC 4648 with padding) decoded into a; *wire += its length. */
static tz_err read_data(json_t *v, struct tz_xattachment *a, const char *field, size_t *wire,
                        struct tz_field_errors *errs)
{
    if (!json_is_string(v)) {
        tz_fielderr_add(errs, field, "must be a base64 string");
        return TZ_OK;
    }
    size_t n = json_string_length(v), max = n / 4 * 3 + 3;
    *wire += n;
    if (max > TZ_X_ATTACH_MAX + 3) {
        tz_fielderr_add(errs, field, "at most %u bytes once decoded", TZ_X_ATTACH_MAX);
        return TZ_OK;
    }
    if (!(a->data = malloc(max ? max : 1)))
        return TZ_ENOMEM;
    const char *end = NULL;
    if (sodium_base642bin(a->data, max, json_string_value(v), n, NULL, &a->size, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != json_string_value(v) + n)
        tz_fielderr_add(errs, field, "must be base64 (RFC 4648, with padding)");
    return TZ_OK;
}

/* "attachments": at most TZ_X_ATTACHMENTS objects {name, type, data}; the validator checks the
 * rest (sizes, the type sniffed from the bytes). *wire: the bytes of base64 read. */
static tz_err read_attachments(json_t *v, struct tz_xmsg *m, size_t *wire,
                               struct tz_field_errors *errs)
{
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n > TZ_X_ATTACHMENTS) {
        tz_fielderr_add(errs, "/attachments", "must be an array of at most %d attachments",
                        TZ_X_ATTACHMENTS);
        return TZ_OK;
    }
    if (n && !(m->attachments = calloc(n, sizeof *m->attachments)))
        return TZ_ENOMEM;
    static const char *const skip[] = {"data", NULL};
    tz_err err = TZ_OK;
    for (size_t i = 0; !err && i < n; i++, m->attachment_count++) {
        char prefix[32], field[48];
        snprintf(prefix, sizeof prefix, "/attachments/%zu", i);
        json_t *a = json_array_get(v, i);
        read_object(a, attach_members, skip, &m->attachments[i], prefix, errs);
        snprintf(field, sizeof field, "%s/data", prefix);
        json_t *data = json_object_get(a, "data");
        if (data)
            err = read_data(data, &m->attachments[i], field, wire, errs);
        else if (json_is_object(a))
            tz_fielderr_add(errs, field, "is required");
    }
    return err;
}

/* The members read by a function of their own rather than by the table ("markings" is what an
 * export writes beside the message for its reader; read back, it is ignored). */
static const char *const msg_special[] = {"originator", "addressees", "evaluation",  "grounds",
                                          "text",       "entities",   "links",       "markings",
                                          "attachments", NULL};

static tz_err read_message(json_t *root, struct tz_xmsg *m, size_t *wire,
                           struct tz_field_errors *errs)
{
    m->type = m->handling = m->source = m->info = -1;
    read_object(root, msg_members, msg_special, m, "", errs);
    json_t *v;
    if ((v = json_object_get(root, "originator"))) {
        read_object(v, party_members, NULL, &m->originator, "/originator", errs);
        if (m->originator.cc)
            tz_fielderr_add(errs, "/originator/cc", "unknown field");
    } else {
        tz_fielderr_add(errs, "/originator", "is required");
    }
    if ((v = json_object_get(root, "addressees")))
        read_addressees(v, m, errs);
    if ((v = json_object_get(root, "evaluation")))
        read_object(v, eval_members, NULL, m, "/evaluation", errs);
    if ((v = json_object_get(root, "grounds")))
        read_grounds(v, m, errs);
    tz_err err = TZ_OK;
    if ((v = json_object_get(root, "text")))
        err = read_text(v, m, errs);
    if (!err && (v = json_object_get(root, "entities")))
        err = read_entities(v, m, errs);
    if (!err && (v = json_object_get(root, "links")))
        err = read_links(v, m, errs);
    if (!err && (v = json_object_get(root, "attachments")))
        err = read_attachments(v, m, wire, errs);
    return err;
}

/*
 * Whether the text's arrays and objects nest at most max deep, counted over the bytes before
 * jansson reads them (its own bound, 2048, lets a hostile body cost 2048 frames of recursion).
 * Brackets inside strings do not count; an escaped quote does not end a string.
 */
static bool shallow(const char *s, size_t n, int max)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max)
                return false;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return true;
}

tz_err tz_http_exchange_parse(const char *body, size_t len, struct tz_xmsg *m,
                              struct tz_field_errors *errs)
{
    tz_err err = tz_http_exchange_read(body, len, m, errs);
    return err ? err : tz_exchange_validate(m, errs);
}

tz_err tz_http_exchange_read(const char *body, size_t len, struct tz_xmsg *m,
                             struct tz_field_errors *errs)
{
    tz_xmsg_init(m);
    if (len > TZ_X_WIRE_MAX)
        return TZ_ETOOBIG;
    if (!shallow(body, len, TZ_X_DEPTH_MAX))
        return TZ_EMALFORMED;
    json_error_t jerr;
    tz_json_guard_begin();
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (tz_json_guard_failed() || (!root && json_error_code(&jerr) == json_error_out_of_memory)) {
        json_decref(root);
        return TZ_ENOMEM;
    }
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return TZ_EMALFORMED;
    }
    size_t before = errs->count + errs->dropped;
    size_t wire = 0; /* bytes of the attachments' base64 */
    tz_err err = read_message(root, m, &wire, errs);
    json_decref(root);
    if (!err && len - (wire < len ? wire : len) > TZ_X_BODY_MAX)
        err = TZ_ETOOBIG; /* the message itself, apart from its attachments, is too long */
    if (err)
        return err;
    return errs->count + errs->dropped > before ? TZ_EINVAL : TZ_OK;
}
