/*
 * service_objects.c - documents and vehicles screened: the query read (a number normalised,
 * a VIN with its check digit, a plate for its country), searched in the objects' index under
 * the service's read lock, each hit copied out with its explanation (the index may be
 * swapped once the lock is let go), and the query audited before it is answered, as a
 * person's is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/jsonw.h"
#include "screening/internal.h"

void tz_screen_obj_answer_clear(struct tz_screen_obj_answer *a)
{
    free(a->hits);
    memset(a, 0, sizeof *a);
}

/* Splits "source/record" into the hit's two fields. */
static void split_id(const char *id, struct tz_screen_obj_hit *h)
{
    const char *slash = strchr(id, '/');
    size_t n = slash ? (size_t)(slash - id) : 0;
    snprintf(h->source, sizeof h->source, "%.*s", (int)(n < sizeof h->source ? n : 0), id);
    snprintf(h->record_id, sizeof h->record_id, "%s", slash ? slash + 1 : id);
}

/* Copies the hits out of the index (the caller holds the read lock). */
static tz_err copy_hits(const struct tz_objects *ix, const struct tz_obj_hits *hits,
                        struct tz_screen_obj_answer *out)
{
    out->dropped = hits->dropped;
    if (!hits->count)
        return TZ_OK;
    if (!(out->hits = calloc(hits->count, sizeof *out->hits)))
        return TZ_ENOMEM;
    for (size_t i = 0; i < hits->count; i++) {
        struct tz_screen_obj_hit *h = &out->hits[i];
        h->hit = hits->hit[i];
        if (hits->hit[i].key == TZ_OBJ_KEY_NUMBER) {
            struct tz_doc_record d;
            tz_objects_document(ix, h->hit.record, &d);
            split_id(d.source_id, h);
            h->doc_type = d.type, h->doc_status = d.status, h->valid_until = d.valid_until;
            snprintf(h->number, sizeof h->number, "%s", d.number);
            snprintf(h->country, sizeof h->country, "%s", d.country);
        } else {
            struct tz_vehicle_record v;
            tz_objects_vehicle(ix, h->hit.record, &v);
            split_id(v.source_id, h);
            h->vehicle_status = v.status;
            snprintf(h->vin, sizeof h->vin, "%s", v.vin ? v.vin : "");
            snprintf(h->plate, sizeof h->plate, "%s", v.plate ? v.plate : "");
            snprintf(h->plate_country, sizeof h->plate_country, "%s",
                     v.plate_country ? v.plate_country : "");
            snprintf(h->make, sizeof h->make, "%s", v.make ? v.make : "");
            snprintf(h->model, sizeof h->model, "%s", v.model ? v.model : "");
            snprintf(h->colour, sizeof h->colour, "%s", v.colour ? v.colour : "");
        }
        tz_objects_explain(ix, &h->hit, h->sentence, sizeof h->sentence);
    }
    out->count = hits->count;
    return TZ_OK;
}

static void field_error(struct tz_field_errors *errs, const char *prefix, const char *field,
                        const char *message)
{
    char f[TZ_FIELD_NAME_MAX];
    snprintf(f, sizeof f, "%s/%s", prefix, field);
    tz_fielderr_add(errs, f, "%s", message);
}

/*
 * Reads the query's MRZ into out: TZ_OK when its number can be searched (its check digits
 * right or not: out->mrz says which are wrong), else the error written under /mrz.
 */
static tz_err read_mrz(const struct tz_screen_doc_query *q, const char *prefix,
                       struct tz_field_errors *errs, struct tz_screen_obj_answer *out)
{
    if (q->number && q->number[0]) {
        field_error(errs, prefix, "mrz", "a number or an MRZ, not both");
        return TZ_EINVAL;
    }
    tz_err err = tz_mrz_parse(q->mrz, strlen(q->mrz), &out->mrz);
    if (err != TZ_OK && err != TZ_EINVAL) {
        field_error(errs, prefix, "mrz",
                    "not an MRZ: 3 lines of 30, 2 of 36 or 2 of 44 characters A-Z, 0-9 and <");
        return TZ_EINVAL;
    }
    out->has_mrz = true;
    out->mrz_valid = err == TZ_OK;
    if (tz_docnum_normalise(out->mrz.number, strlen(out->mrz.number), &out->number) != TZ_OK) {
        field_error(errs, prefix, "mrz", "the MRZ holds no document number");
        return TZ_EINVAL;
    }
    out->has_number = true;
    return TZ_OK;
}

tz_err tz_screening_find_document(struct tz_screening *s, const struct tz_screen_doc_query *q,
                                  const char *prefix, struct tz_field_errors *errs,
                                  struct tz_screen_obj_answer *out)
{
    size_t before = errs->count + errs->dropped;
    memset(out, 0, sizeof *out);
    const char *number = q->number, *country = q->country;
    bool mrz = q->mrz && q->mrz[0];
    if (mrz && read_mrz(q, prefix, errs, out) == TZ_OK)
        number = out->mrz.number, country = country && country[0] ? country : out->mrz.issuer;
    if (!mrz && (!number || !number[0]))
        field_error(errs, prefix, "number", "required");
    else if (!mrz && tz_docnum_normalise(number, strlen(number), &out->number) != TZ_OK)
        field_error(errs, prefix, "number",
                    "letters and digits (separators allowed), at most 32 once normalised");
    else if (!mrz)
        out->has_number = true;
    if (country && country[0] && tz_watch_country3(country, strlen(country), out->country) != TZ_OK)
        field_error(errs, prefix, "country", "an ISO 3166 code of two or three letters");
    if (errs->count + errs->dropped > before || !s) /* !s: only read (a batch's first pass) */
        return errs->count + errs->dropped > before ? TZ_EINVAL : TZ_OK;
    struct tz_doc_query dq = {.number = number,
                              .number_len = strlen(number),
                              .country = out->country,
                              .country_len = strlen(out->country)};
    struct tz_obj_hits hits;
    const char *field = NULL;
    pthread_rwlock_rdlock(&s->lock);
    tz_err err = tz_objects_find_documents(s->objects, &dq, &hits, &field);
    if (!err)
        err = copy_hits(s->objects, &hits, out);
    pthread_rwlock_unlock(&s->lock);
    if (err == TZ_EINVAL)
        field_error(errs, prefix, field ? field : "number", "cannot be read");
    return err;
}

/* The vehicle query's fields as read: VIN (check digit), plate (for its country). */
static void read_vehicle(const struct tz_screen_vehicle_query *q, const char *prefix,
                         struct tz_field_errors *errs, struct tz_screen_obj_answer *out)
{
    bool vin = q->vin && q->vin[0], plate = q->plate && q->plate[0];
    if (!vin && !plate)
        field_error(errs, prefix, "vin", "a vin or a plate is required");
    if (vin) {
        tz_err err = tz_vin_parse(q->vin, strlen(q->vin), &out->vin);
        out->vin_valid = err == TZ_OK;
        /* a wrong check digit, or I, O, Q read as 1, 0, 0, is still searched */
        if (err == TZ_ETOOBIG ||
            (err && out->vin.check != TZ_VIN_CHECK_BAD && out->vin.bad_position == 0))
            field_error(errs, prefix, "vin", "17 characters of the VIN alphabet");
        else
            out->has_vin = true;
    }
    if (plate) {
        const char *c = q->plate_country ? q->plate_country : "";
        enum tz_plate_country pc = tz_plate_country_parse(c, strlen(c));
        if (tz_plate_normalise(pc, q->plate, strlen(q->plate), &out->plate) != TZ_OK)
            field_error(errs, prefix, "plate", "a character the country's plates never carry");
        else
            out->has_plate = true;
    }
}

tz_err tz_screening_find_vehicle(struct tz_screening *s, const struct tz_screen_vehicle_query *q,
                                 const char *prefix, struct tz_field_errors *errs,
                                 struct tz_screen_obj_answer *out)
{
    size_t before = errs->count + errs->dropped;
    memset(out, 0, sizeof *out);
    out->vehicle = true;
    read_vehicle(q, prefix, errs, out);
    if (errs->count + errs->dropped > before || !s)
        return errs->count + errs->dropped > before ? TZ_EINVAL : TZ_OK;
    const char *pc = q->plate_country ? q->plate_country : "";
    struct tz_vehicle_query vq = {.vin = q->vin,
                                  .vin_len = q->vin ? strlen(q->vin) : 0,
                                  .plate = q->plate,
                                  .plate_len = q->plate ? strlen(q->plate) : 0,
                                  .plate_country = pc,
                                  .plate_country_len = strlen(pc)};
    struct tz_obj_hits hits;
    const char *field = NULL;
    pthread_rwlock_rdlock(&s->lock);
    tz_err err = tz_objects_find_vehicles(s->objects, &vq, &hits, &field);
    if (!err)
        err = copy_hits(s->objects, &hits, out);
    pthread_rwlock_unlock(&s->lock);
    if (err == TZ_EINVAL)
        field_error(errs, prefix, field ? field : "vin", "cannot be read");
    return err;
}

/* The audit entry's fields: the query as typed and what came back (or why it was refused). */
static tz_err obj_fields(const char *const *keys, const char *const *values, size_t n,
                         const struct tz_screen_obj_answer *a, const char *refused,
                         struct tz_buf *b)
{
    struct tz_jw w;
    tz_jw_begin(&w, b);
    tz_jw_object(&w);
    for (size_t i = 0; i < n; i++)
        tz_jw_kstr(&w, keys[i], values[i]);
    if (refused) {
        tz_jw_kstr(&w, "refused", refused);
    } else {
        tz_jw_kuint(&w, "hits", a->count + a->dropped);
        tz_jw_key(&w, "records");
        tz_jw_array(&w);
        for (size_t i = 0; i < a->count; i++) {
            char id[TZ_WATCH_ID_MAX + 1 + TZ_OBJ_SOURCE_MAX];
            snprintf(id, sizeof id, "%s/%s", a->hits[i].source, a->hits[i].record_id);
            tz_jw_str(&w, id);
        }
        tz_jw_array_end(&w);
    }
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

static tz_err audit_obj(struct tz_screening *s, const struct tz_auth_who *who, const char *object,
                        const char *const *keys, const char *const *values, size_t n,
                        const char *reason, const struct tz_screen_obj_answer *a,
                        const char *refused)
{
    struct tz_buf fields;
    tz_buf_init(&fields, 16384);
    tz_err err = obj_fields(keys, values, n, a, refused, &fields);
    if (!err)
        err = tz_screening_audit(s, who, object, fields.data, reason, refused != NULL);
    tz_buf_free(&fields);
    return err;
}

/* The steps every object query takes: permission, fields, search, audit. */
static tz_err screen_obj(struct tz_screening *s, const struct tz_auth_who *who, bool vehicle,
                         const void *q, const char *reason, const char *const *keys,
                         const char *const *values, size_t n, struct tz_field_errors *errs,
                         struct tz_screen_obj_answer *out)
{
    const char *object = vehicle ? "screening/vehicles" : "screening/documents";
    memset(out, 0, sizeof *out);
    if (who->p && tz_auth_permit(who->p, TZ_ACT_SCREENING, NULL, NULL, NULL) != TZ_OK) {
        tz_err err = audit_obj(s, who, object, keys, values, n, reason, out, "forbidden");
        return err ? err : TZ_EFORBIDDEN;
    }
    tz_err err = vehicle ? tz_screening_find_vehicle(NULL, q, "", errs, out)
                         : tz_screening_find_document(NULL, q, "", errs, out);
    tz_screening_check_reason(reason, errs);
    if (errs->count) {
        err = audit_obj(s, who, object, keys, values, n, reason, out, errs->items[0].field);
        return err ? err : TZ_EINVAL;
    }
    if (!(err = tz_screening_refresh(s)))
        err = vehicle ? tz_screening_find_vehicle(s, q, "", errs, out)
                      : tz_screening_find_document(s, q, "", errs, out);
    if (err == TZ_EINVAL && errs->count) {
        tz_err e2 = audit_obj(s, who, object, keys, values, n, reason, out, errs->items[0].field);
        tz_screen_obj_answer_clear(out);
        return e2 ? e2 : TZ_EINVAL;
    }
    if (!err)
        err = audit_obj(s, who, object, keys, values, n, reason, out, NULL);
    if (err)
        tz_screen_obj_answer_clear(out);
    return err;
}

tz_err tz_screening_document(struct tz_screening *s, const struct tz_auth_who *who,
                             const struct tz_screen_doc_query *q, struct tz_field_errors *errs,
                             struct tz_screen_obj_answer *out)
{
    static const char *const keys[] = {"number", "country", "mrz"};
    const char *values[] = {q->number, q->country, q->mrz};
    return screen_obj(s, who, false, q, q->reason, keys, values, 3, errs, out);
}

tz_err tz_screening_vehicle(struct tz_screening *s, const struct tz_auth_who *who,
                            const struct tz_screen_vehicle_query *q, struct tz_field_errors *errs,
                            struct tz_screen_obj_answer *out)
{
    static const char *const keys[] = {"vin", "plate", "plate_country"};
    const char *values[] = {q->vin, q->plate, q->plate_country};
    return screen_obj(s, who, true, q, q->reason, keys, values, 3, errs, out);
}
