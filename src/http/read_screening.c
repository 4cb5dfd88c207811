/*
 * read_screening.c - a batch's items as the API and `tarcza screen batch` read them: an array
 * of objects, each with its kind ("person", "document", "vehicle"; left out: a document when
 * it has a number or an mrz, a vehicle when it has a vin or a plate, else a person) and the
 * string fields of a query of that kind. Unknown members and values that are not strings are named
 * in errors (/items/3/nmae); nothing is read half-way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/render.h"

static const char *const PERSON[] = {"kind", "name", "birth_date", "nationality", "sex", NULL};
static const char *const DOC[] = {"kind", "number", "country", "mrz", NULL};
static const char *const VEHICLE[] = {"kind", "vin", "plate", "plate_country", NULL};

static bool listed(const char *const *list, const char *key)
{
    for (; *list; list++)
        if (strcmp(*list, key) == 0)
            return true;
    return false;
}

static const char *str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Item i's kind, or false with the error written. */
static bool kind_of(json_t *o, size_t i, enum tz_screen_kind *k, struct tz_field_errors *errs)
{
    const char *kind = str(o, "kind");
    char f[TZ_FIELD_NAME_MAX];
    snprintf(f, sizeof f, "/items/%zu/kind", i);
    if (json_object_get(o, "kind") && !kind) {
        tz_fielderr_add(errs, f, "person, document or vehicle");
        return false;
    }
    if (!kind) {
        *k = json_object_get(o, "number") || json_object_get(o, "mrz")  ? TZ_SCREEN_DOCUMENT
             : json_object_get(o, "vin") || json_object_get(o, "plate") ? TZ_SCREEN_VEHICLE
                                                                        : TZ_SCREEN_PERSON;
        return true;
    }
    for (int c = 0; c < 3; c++)
        if (strcmp(kind, tz_screen_kind_code((enum tz_screen_kind)c)) == 0) {
            *k = (enum tz_screen_kind)c;
            return true;
        }
    tz_fielderr_add(errs, f, "person, document or vehicle");
    return false;
}

static void read_item(json_t *o, size_t i, struct tz_screen_batch_item *it,
                      struct tz_field_errors *errs)
{
    char f[TZ_FIELD_NAME_MAX];
    if (!json_is_object(o)) {
        snprintf(f, sizeof f, "/items/%zu", i);
        tz_fielderr_add(errs, f, "an object");
        return;
    }
    if (!kind_of(o, i, &it->kind, errs))
        return;
    const char *const *allowed = it->kind == TZ_SCREEN_PERSON     ? PERSON
                                 : it->kind == TZ_SCREEN_DOCUMENT ? DOC
                                                                  : VEHICLE;
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        snprintf(f, sizeof f, "/items/%zu/%.30s", i, key);
        if (!listed(allowed, key))
            tz_fielderr_add(errs, f, "not a field of a %s", tz_screen_kind_code(it->kind));
        else if (!json_is_string(v))
            tz_fielderr_add(errs, f, "a string");
    }
    it->person = (struct tz_screen_person_query){
        .name = str(o, "name"),
        .birth_date = str(o, "birth_date"),
        .nationality = str(o, "nationality"),
        .sex = str(o, "sex"),
    };
    it->doc = (struct tz_screen_doc_query){
        .number = str(o, "number"), .country = str(o, "country"), .mrz = str(o, "mrz")};
    it->vehicle = (struct tz_screen_vehicle_query){
        .vin = str(o, "vin"), .plate = str(o, "plate"), .plate_country = str(o, "plate_country")};
}

tz_err tz_http_screen_batch_read(struct json_t *array, struct tz_screen_batch_item **items,
                                 size_t *n, struct tz_field_errors *errs)
{
    *items = NULL, *n = 0;
    size_t count = json_array_size(array);
    if (!json_is_array(array) || count == 0 || count > TZ_SCREEN_BATCH_MAX) {
        tz_fielderr_add(errs, "/items", "an array of 1 to %d items", TZ_SCREEN_BATCH_MAX);
        return TZ_OK;
    }
    struct tz_screen_batch_item *it = calloc(count, sizeof *it);
    if (!it)
        return TZ_ENOMEM;
    for (size_t i = 0; i < count; i++)
        read_item(json_array_get(array, i), i, &it[i], errs);
    *items = it, *n = count;
    return TZ_OK;
}
