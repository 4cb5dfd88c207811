/*
 * import_objects.c - the documents and vehicles of a watch-list file, field by field (import.c
 * reads the lines and their ids; this file reads what a document or a vehicle carries).
 *
 * One vocabulary for every format: number, type, country, valid_until and status for a
 * document; vin, plate, plate_country, make, model, colour and status for a vehicle (CSV
 * columns, JSON members). FollowTheMoney's Passport and Identification (number or
 * passportNumber, country, type, endDate) and Vehicle (registrationNumber, country, vin, make,
 * model) are mapped onto it. A line is checked by the rules the index keys by
 * (tz_objects_check_document and _vehicle), so what is taken can always be indexed.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "base/tztime.h"
#include "exchange/exchange.h"
#include "screening/internal.h"

static const char *const TYPE_CODES[TZ_DOC_TYPE_COUNT] = {
    "passport", "id_card", "visa", "residence_permit", "driving_licence", "vehicle_registration",
    "other"};
static const char *const DOC_STATUS[TZ_DOC_STATUS_COUNT] = {"stolen", "lost", "revoked",
                                                            "invalidated", "listed"};

const char *tz_watch_doc_type_code(enum tz_doc_type t)
{
    return (unsigned)t < TZ_DOC_TYPE_COUNT ? TYPE_CODES[t] : "other";
}

const char *tz_watch_doc_status_code(enum tz_doc_status s)
{
    return (unsigned)s < TZ_DOC_STATUS_COUNT ? DOC_STATUS[s] : "listed";
}

static void refuse(struct tz_watch_obj *o, const char *why)
{
    if (!o->why[0])
        snprintf(o->why, sizeof o->why, "%s", why);
}

/* Copies s[0..n) into dst of cap bytes, or refuses the line naming field. */
static void copy(struct tz_watch_obj *o, char *dst, size_t cap, const char *field, const char *s,
                 size_t n)
{
    char why[TZ_WATCH_WHY_MAX];
    if (n >= cap || memchr(s, '\0', n)) {
        snprintf(why, sizeof why, "%s is longer than %zu bytes", field, cap - 1);
        refuse(o, why);
        return;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static bool same_ci(const char *a, const char *s, size_t n)
{
    return strlen(a) == n && strncasecmp(a, s, n) == 0;
}

static void set_type(struct tz_watch_obj *o, const char *s, size_t n)
{
    for (unsigned t = 0; t < TZ_DOC_TYPE_COUNT; t++)
        if (same_ci(TYPE_CODES[t], s, n)) {
            snprintf(o->doc.doc_type, sizeof o->doc.doc_type, "%s", TYPE_CODES[t]);
            return;
        }
    if (o->lenient) /* FollowTheMoney's type is free text */
        snprintf(o->doc.doc_type, sizeof o->doc.doc_type, "other");
    else
        refuse(o, "type is not one of ours (passport, id_card, visa, residence_permit...)");
}

static void set_status(struct tz_watch_obj *o, const char *s, size_t n)
{
    bool doc = o->kind == TZ_WATCH_DOCUMENT;
    unsigned count = doc ? TZ_DOC_STATUS_COUNT : 1;
    for (unsigned i = 0; i < count; i++)
        if (same_ci(DOC_STATUS[i], s, n)) {
            char *dst = doc ? o->doc.status : o->veh.status;
            /* "listed" is stored as no status (the table's CHECK names the reported ones) */
            snprintf(dst, doc ? sizeof o->doc.status : sizeof o->veh.status, "%s",
                     i == TZ_DOC_LISTED ? "" : DOC_STATUS[i]);
            return;
        }
    if (same_ci("listed", s, n))
        return;
    refuse(o, doc ? "status is not stolen, lost, revoked, invalidated or listed"
                  : "status is not stolen or listed");
}

tz_err tz_watch_country3(const char *s, size_t n, char out[4])
{
    int v = 0;
    size_t count = 0;
    if (n == 2 && tz_xcode_parse(TZ_XT_COUNTRY,
                                 (char[]){(char)toupper((unsigned char)s[0]),
                                          (char)toupper((unsigned char)s[1])},
                                 2, &v) == TZ_OK) {
        const struct tz_xcode *rows = tz_xcode_rows(TZ_XT_COUNTRY, &count);
        if ((size_t)v < count && rows[v].alt)
            return tz_ids_country3(rows[v].alt, strlen(rows[v].alt), out);
    }
    return tz_ids_country3(s, n, out);
}

static void set_country(struct tz_watch_obj *o, const char *s, size_t n)
{
    if (tz_watch_country3(s, n, o->doc.country) != TZ_OK)
        refuse(o, "country is not an ISO 3166 code (two or three letters)");
}

static void set_date(struct tz_watch_obj *o, const char *s, size_t n)
{
    int y, m, d;
    char buf[11];
    if (n > 10)
        n = 10; /* a time after the date is not kept */
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (n != 10 || sscanf(buf, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 ||
        d > 31) {
        refuse(o, "valid_until is not YYYY-MM-DD");
        return;
    }
    memcpy(o->doc.valid_until, buf, sizeof buf);
}

void tz_watch_obj_set(struct tz_watch_obj *o, const char *field, const char *s, size_t n)
{
    struct tz_watch_doc_rec *d = &o->doc;
    struct tz_watch_vehicle_rec *v = &o->veh;
    if (!s || n == 0)
        return;
    if (o->kind == TZ_WATCH_DOCUMENT) {
        if (strcmp(field, "number") == 0)
            copy(o, d->number, sizeof d->number, field, s, n);
        else if (strcmp(field, "type") == 0)
            set_type(o, s, n);
        else if (strcmp(field, "country") == 0)
            set_country(o, s, n);
        else if (strcmp(field, "valid_until") == 0)
            set_date(o, s, n);
        else if (strcmp(field, "status") == 0)
            set_status(o, s, n);
        return;
    }
    if (strcmp(field, "vin") == 0)
        copy(o, v->vin, sizeof v->vin, field, s, n);
    else if (strcmp(field, "plate") == 0)
        copy(o, v->plate, sizeof v->plate, field, s, n);
    else if (strcmp(field, "plate_country") == 0)
        copy(o, v->plate_country, sizeof v->plate_country, field, s, n);
    else if (strcmp(field, "make") == 0)
        copy(o, v->make, sizeof v->make, field, s, n);
    else if (strcmp(field, "model") == 0)
        copy(o, v->model, sizeof v->model, field, s, n);
    else if (strcmp(field, "colour") == 0 || strcmp(field, "color") == 0)
        copy(o, v->colour, sizeof v->colour, field, s, n);
    else if (strcmp(field, "status") == 0)
        set_status(o, s, n);
}

/* ---- stored rows as the index reads them ---- */

enum tz_doc_type tz_watch_doc_type_of(const char *code)
{
    for (unsigned t = 0; t < TZ_DOC_TYPE_COUNT; t++)
        if (strcmp(TYPE_CODES[t], code) == 0)
            return (enum tz_doc_type)t;
    return TZ_DOC_OTHER;
}

void tz_watch_doc_record(const struct tz_watch_doc_rec *d, const char *source_id,
                         struct tz_doc_record *out)
{
    memset(out, 0, sizeof *out);
    out->type = d->doc_type[0] ? tz_watch_doc_type_of(d->doc_type) : TZ_DOC_OTHER;
    out->number = d->number;
    out->country = d->country;
    out->valid_from = TZ_OBJ_NO_DATE;
    out->valid_until = TZ_OBJ_NO_DATE;
    int y, m, day;
    if (d->valid_until[0] && sscanf(d->valid_until, "%4d-%2d-%2d", &y, &m, &day) == 3)
        out->valid_until = (int32_t)tz_time_days_from_civil(y, m, day);
    out->status = TZ_DOC_LISTED;
    for (unsigned i = 0; i < TZ_DOC_LISTED; i++)
        if (strcmp(d->status, DOC_STATUS[i]) == 0)
            out->status = (enum tz_doc_status)i;
    out->source_id = source_id;
}

void tz_watch_vehicle_record(const struct tz_watch_vehicle_rec *v, const char *source_id,
                             struct tz_vehicle_record *out)
{
    memset(out, 0, sizeof *out);
    out->vin = v->vin;
    out->plate = v->plate;
    out->plate_country = v->plate_country;
    out->make = v->make;
    out->model = v->model;
    out->colour = v->colour;
    out->status = strcmp(v->status, "stolen") == 0 ? TZ_VEHICLE_STOLEN : TZ_VEHICLE_LISTED;
    out->source_id = source_id;
}

void tz_watch_obj_check(struct tz_watch_obj *o, const char *record_id)
{
    const char *field = NULL;
    tz_err err = TZ_OK;
    if (o->why[0])
        return;
    if (o->kind == TZ_WATCH_DOCUMENT) {
        struct tz_doc_record r;
        if (!o->doc.number[0]) {
            refuse(o, "no number");
            return;
        }
        if (!o->doc.country[0]) {
            refuse(o, "no country (the issuing state)");
            return;
        }
        if (!o->doc.doc_type[0])
            snprintf(o->doc.doc_type, sizeof o->doc.doc_type, "%s",
                     o->lenient ? "other" : "passport");
        tz_watch_doc_record(&o->doc, record_id, &r);
        err = tz_objects_check_document(&r, &field);
    } else {
        struct tz_vehicle_record r;
        if (!o->veh.vin[0] && !o->veh.plate[0]) {
            refuse(o, "neither a vin nor a plate");
            return;
        }
        tz_watch_vehicle_record(&o->veh, record_id, &r);
        err = tz_objects_check_vehicle(&r, &field);
    }
    if (err) {
        char why[TZ_WATCH_WHY_MAX];
        snprintf(why, sizeof why, "%s cannot be read (%s)", field ? field : "a field",
                 err == TZ_ETOOBIG ? "too long" : "not a valid value");
        refuse(o, why);
    }
}

/* ---- JSON members and FollowTheMoney properties ---- */

/* Sets field from v: a string, or the first string of an array. */
static void set_json(struct tz_watch_obj *o, const char *field, json_t *v)
{
    if (json_is_array(v))
        v = json_array_get(v, 0);
    if (!v)
        return;
    if (!json_is_string(v)) {
        char why[TZ_WATCH_WHY_MAX];
        snprintf(why, sizeof why, "%s is not a string", field);
        refuse(o, why);
        return;
    }
    tz_watch_obj_set(o, field, json_string_value(v), json_string_length(v));
}

static const char *const DOC_FIELDS[] = {"number", "type", "country", "valid_until", "status"};
static const char *const VEHICLE_FIELDS[] = {"vin",   "plate",  "plate_country", "make",
                                             "model", "colour", "status"};

void tz_watch_obj_json(struct tz_watch_obj *o, struct json_t *obj)
{
    bool doc = o->kind == TZ_WATCH_DOCUMENT;
    const char *const *f = doc ? DOC_FIELDS : VEHICLE_FIELDS;
    size_t n = doc ? sizeof DOC_FIELDS / sizeof *f : sizeof VEHICLE_FIELDS / sizeof *f;
    for (size_t i = 0; i < n; i++)
        set_json(o, f[i], json_object_get(obj, f[i]));
}

/* FollowTheMoney property -> our field, per schema. */
static const struct {
    const char *schema, *prop, *field;
} FTM_MAP[] = {
    {"Passport", "passportNumber", "number"},
    {"Passport", "number", "number"},
    {"Passport", "country", "country"},
    {"Passport", "endDate", "valid_until"},
    {"Identification", "number", "number"},
    {"Identification", "country", "country"},
    {"Identification", "type", "type"},
    {"Identification", "endDate", "valid_until"},
    {"Vehicle", "registrationNumber", "plate"},
    {"Vehicle", "country", "plate_country"},
    {"Vehicle", "vin", "vin"},
    {"Vehicle", "make", "make"},
    {"Vehicle", "model", "model"},
};

void tz_watch_obj_ftm(struct tz_watch_obj *o, const char *schema, struct json_t *props)
{
    o->lenient = true;
    if (strcmp(schema, "Passport") == 0)
        snprintf(o->doc.doc_type, sizeof o->doc.doc_type, "passport");
    for (size_t i = 0; i < sizeof FTM_MAP / sizeof *FTM_MAP; i++)
        if (strcmp(FTM_MAP[i].schema, schema) == 0 &&
            !(o->kind == TZ_WATCH_DOCUMENT && strcmp(FTM_MAP[i].field, "number") == 0 &&
              o->doc.number[0]))
            set_json(o, FTM_MAP[i].field, json_object_get(props, FTM_MAP[i].prop));
}
