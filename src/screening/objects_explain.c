/*
 * objects_explain.c - a hit of the document and vehicle index told in one
 * English sentence (objects.h), for the command line and for a person
 * reading an answer; the API renders the hit's fields themselves. Reads the
 * index only through its public views.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "screening/objects.h"

const char *tz_doc_type_name(enum tz_doc_type t)
{
    static const char *const name[TZ_DOC_TYPE_COUNT] = {
        "passport",        "identity card",        "visa",           "residence permit",
        "driving licence", "vehicle registration", "other document",
    };
    return (unsigned)t < TZ_DOC_TYPE_COUNT ? name[t] : "unknown";
}

const char *tz_doc_status_name(enum tz_doc_status s)
{
    static const char *const name[TZ_DOC_STATUS_COUNT] = {"stolen", "lost", "revoked",
                                                          "invalidated", "listed"};
    return (unsigned)s < TZ_DOC_STATUS_COUNT ? name[s] : "unknown";
}

const char *tz_vehicle_status_name(enum tz_vehicle_status s)
{
    static const char *const name[TZ_VEHICLE_STATUS_COUNT] = {"stolen", "listed"};
    return (unsigned)s < TZ_VEHICLE_STATUS_COUNT ? name[s] : "unknown";
}

/* Appends to buf what snprintf would, keeping the total length needed in *len. */
__attribute__((format(printf, 4, 5))) static void put(char *buf, size_t n, size_t *len,
                                                      const char *fmt, ...)
{
    size_t room = *len < n ? n - *len : 0;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(room ? buf + *len : NULL, room, fmt, ap);
    va_end(ap);
    if (k > 0)
        *len += (size_t)k;
}

/* ", at positions 2, 4" (1-based) for the positions read through O/0 or I/1. */
static void put_positions(char *buf, size_t n, size_t *len, const struct tz_obj_hit *hit,
                          const char *what)
{
    put(buf, n, len, ": the same %s once O and 0, I and 1 are taken as one, at position%s", what,
        hit->confused > 1 ? "s" : "");
    bool first = true;
    for (int i = 0; i < 32; i++) {
        if (!(hit->confused_at & (1u << i)))
            continue;
        put(buf, n, len, "%s%d", first ? " " : ", ", i + 1);
        first = false;
    }
}

size_t tz_objects_explain(const struct tz_objects *ix, const struct tz_obj_hit *hit, char *buf,
                          size_t n)
{
    size_t len = 0;
    if (n > 0)
        buf[0] = '\0';
    if (hit->key == TZ_OBJ_KEY_NUMBER) {
        struct tz_doc_record d;
        tz_objects_document(ix, hit->record, &d);
        put(buf, n, &len, "%s %s", tz_doc_type_name(d.type), d.number);
        put(buf, n, &len, " (%s, %s)", d.country, tz_doc_status_name(d.status));
    } else {
        struct tz_vehicle_record v;
        tz_objects_vehicle(ix, hit->record, &v);
        bool vin = hit->key == TZ_OBJ_KEY_VIN;
        put(buf, n, &len, "%s %s", vin ? "VIN" : "plate", vin ? v.vin : v.plate);
        if (!vin && v.plate_country[0])
            put(buf, n, &len, " (%s)", v.plate_country);
    }
    const char *what = hit->key == TZ_OBJ_KEY_NUMBER ? "number"
                       : hit->key == TZ_OBJ_KEY_VIN  ? "VIN"
                                                     : "plate";
    if (hit->match == TZ_ID_SAME)
        put(buf, n, &len, ": the same %s%s", what,
            hit->country_checked
                ? (hit->key == TZ_OBJ_KEY_NUMBER ? " and issuing state" : " and country")
                : "");
    else
        put_positions(buf, n, &len, hit, what);
    return len;
}
