/*
 * render_screening_objects.c - screening's answers about documents and vehicles, and a batch's
 * answers, as the API writes them (and `tarcza screen document|vehicle|batch` prints). The
 * explanation is in fields (how the query was read, which key met which record and how) and
 * in one sentence for a person to read.
 */
#include <stdio.h>
#include <string.h>

#include "base/tztime.h"
#include "http/render.h"

static const char *vin_check_code(enum tz_vin_check c)
{
    return c == TZ_VIN_CHECK_OK ? "ok" : c == TZ_VIN_CHECK_BAD ? "bad" : "not_applicable";
}

static void put_char(struct tz_jw *w, const char *key, char c)
{
    tz_jw_key(w, key);
    if (c)
        tz_jw_strn(w, &c, 1);
    else
        tz_jw_null(w);
}

static const char *mrz_check_code(enum tz_mrz_check c)
{
    return c == TZ_MRZ_CHECK_OK ? "ok" : c == TZ_MRZ_CHECK_BAD ? "bad" : "absent";
}

/* The MRZ as read: its fields that were searched and every check digit, found and expected. */
static void put_mrz(struct tz_jw *w, const struct tz_mrz *m, bool valid)
{
    tz_jw_key(w, "mrz");
    tz_jw_object(w);
    tz_jw_kstr(w, "format", tz_mrz_format_name(m->format));
    tz_jw_kstr(w, "document_code", m->doc_code);
    tz_jw_kstr(w, "issuer", m->issuer);
    tz_jw_kstr(w, "number", m->number);
    tz_jw_kstr(w, "surname", m->surname);
    tz_jw_kstr(w, "given_names", m->given);
    tz_jw_kbool(w, "valid", valid);
    tz_jw_key(w, "check_digits");
    tz_jw_array(w);
    for (int d = 0; d < TZ_MRZ_DIGIT_COUNT; d++) {
        if (m->digit[d].check == TZ_MRZ_CHECK_ABSENT)
            continue;
        tz_jw_object(w);
        tz_jw_kstr(w, "digit", tz_mrz_digit_name((enum tz_mrz_digit)d));
        tz_jw_kstr(w, "check", mrz_check_code(m->digit[d].check));
        put_char(w, "found", m->digit[d].found);
        put_char(w, "expected", m->digit[d].expected);
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
    tz_jw_object_end(w);
}

/* How the query was read: what an officer checks before trusting a miss. */
static void put_query(struct tz_jw *w, const struct tz_screen_obj_answer *a)
{
    tz_jw_key(w, "query");
    tz_jw_object(w);
    if (a->has_mrz)
        put_mrz(w, &a->mrz, a->mrz_valid);
    if (a->has_number) {
        tz_jw_key(w, "number");
        tz_jw_object(w);
        tz_jw_kstr(w, "normal", a->number.text);
        tz_jw_kuint(w, "confusable_characters", a->number.confusable);
        tz_jw_kbool(w, "case_folded", a->number.case_folded);
        tz_jw_kbool(w, "separators_removed", a->number.separators_removed);
        tz_jw_kbool(w, "cyrillic_read_as_latin", a->number.cyrillic_mapped);
        tz_jw_object_end(w);
        tz_jw_kstr(w, "country", a->country[0] ? a->country : NULL);
    }
    if (a->has_vin) {
        tz_jw_key(w, "vin");
        tz_jw_object(w);
        tz_jw_kstr(w, "normal", a->vin.text);
        tz_jw_kstr(w, "wmi", a->vin.wmi);
        tz_jw_kstr(w, "check_digit", vin_check_code(a->vin.check));
        put_char(w, "check_found", a->vin.check_found);
        put_char(w, "check_expected", a->vin.check_expected);
        tz_jw_kbool(w, "valid", a->vin_valid);
        tz_jw_object_end(w);
    }
    if (a->has_plate) {
        tz_jw_key(w, "plate");
        tz_jw_object(w);
        tz_jw_kstr(w, "normal", a->plate.text);
        tz_jw_kstr(w, "country", a->plate.country_code[0] ? a->plate.country_code : NULL);
        tz_jw_kbool(w, "format_known", a->plate.format_known);
        tz_jw_kbool(w, "separators_removed", a->plate.separators_removed);
        tz_jw_kbool(w, "cyrillic_read_as_latin", a->plate.cyrillic_mapped);
        tz_jw_object_end(w);
    }
    tz_jw_object_end(w);
}

static void put_date(struct tz_jw *w, const char *key, int32_t days)
{
    if (days == TZ_OBJ_NO_DATE) {
        tz_jw_knull(w, key);
        return;
    }
    int y, m, d;
    char text[16];
    tz_time_civil_from_days(days, &y, &m, &d);
    snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
    tz_jw_kstr(w, key, text);
}

static void put_record(struct tz_jw *w, const struct tz_screen_obj_hit *h)
{
    if (h->hit.key == TZ_OBJ_KEY_NUMBER) {
        tz_jw_key(w, "document");
        tz_jw_object(w);
        tz_jw_kstr(w, "type", tz_doc_type_name(h->doc_type));
        tz_jw_kstr(w, "number", h->number);
        tz_jw_kstr(w, "country", h->country);
        tz_jw_kstr(w, "status", tz_doc_status_name(h->doc_status));
        put_date(w, "valid_until", h->valid_until);
    } else {
        tz_jw_key(w, "vehicle");
        tz_jw_object(w);
        tz_jw_kstr(w, "vin", h->vin[0] ? h->vin : NULL);
        tz_jw_kstr(w, "plate", h->plate[0] ? h->plate : NULL);
        tz_jw_kstr(w, "plate_country", h->plate_country[0] ? h->plate_country : NULL);
        tz_jw_kstr(w, "make", h->make[0] ? h->make : NULL);
        tz_jw_kstr(w, "model", h->model[0] ? h->model : NULL);
        tz_jw_kstr(w, "colour", h->colour[0] ? h->colour : NULL);
        tz_jw_kstr(w, "status", tz_vehicle_status_name(h->vehicle_status));
    }
    tz_jw_object_end(w);
}

static void put_hit(struct tz_jw *w, const struct tz_screen_obj_hit *h)
{
    static const char *const KEYS[] = {"number", "vin", "plate"};
    tz_jw_object(w);
    tz_jw_kstr(w, "source", h->source);
    tz_jw_kstr(w, "record_id", h->record_id);
    tz_jw_key(w, "explanation");
    tz_jw_object(w);
    tz_jw_kstr(w, "key", KEYS[h->hit.key <= TZ_OBJ_KEY_PLATE ? h->hit.key : 0]);
    tz_jw_kstr(w, "match", h->hit.match == TZ_ID_SAME ? "same" : "confusable");
    tz_jw_key(w, "confused_positions"); /* 1-based, read as O/0 or I/1 */
    tz_jw_array(w);
    for (int i = 0; i < 32; i++)
        if (h->hit.confused_at & (1u << i))
            tz_jw_int(w, i + 1);
    tz_jw_array_end(w);
    tz_jw_kbool(w, "country_checked", h->hit.country_checked);
    tz_jw_kstr(w, "text", h->sentence);
    tz_jw_object_end(w);
    put_record(w, h);
    tz_jw_object_end(w);
}

void tz_http_put_screen_obj(struct tz_jw *w, const struct tz_screen_obj_answer *a)
{
    tz_jw_object(w);
    put_query(w, a);
    tz_jw_key(w, "hits");
    tz_jw_array(w);
    for (size_t i = 0; i < a->count; i++)
        put_hit(w, &a->hits[i]);
    tz_jw_array_end(w);
    tz_jw_kuint(w, "dropped", a->dropped);
    tz_jw_object_end(w);
}

tz_err tz_http_screen_obj_json(const struct tz_screen_obj_answer *a, struct tz_buf *out)
{
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_http_put_screen_obj(&w, a);
    return tz_jw_end(&w);
}

tz_err tz_http_screen_batch_json(const struct tz_screen_batch *b, struct tz_buf *out)
{
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    tz_jw_kuint(&w, "count", b->count);
    tz_jw_kuint(&w, "items_with_hits", b->hits);
    tz_jw_key(&w, "results");
    tz_jw_array(&w);
    for (size_t i = 0; i < b->count; i++) {
        const struct tz_screen_batch_result *r = &b->results[i];
        tz_jw_object(&w);
        tz_jw_kuint(&w, "item", i);
        tz_jw_kstr(&w, "kind", tz_screen_kind_code(r->kind));
        tz_jw_key(&w, "answer");
        if (r->kind == TZ_SCREEN_PERSON)
            tz_http_put_screen_answer(&w, &r->person);
        else
            tz_http_put_screen_obj(&w, &r->object);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}
