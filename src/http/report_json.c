/*
 * report_json.c - the JSON door of a citizen's report: jansson reads the body
 * (duplicate keys refused), each member is sorted into struct
 * tz_report_input, and a member of the wrong JSON type is named in the
 * input's *_problem so that the threat map lists it in its place.
 */
#include "http/report_json.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonguard.h"
#include "photo/photo.h"

/* What the door could not read, in words that need room of their own; the photos' bytes. */
struct problems {
    char times[64], weekdays[64];
    uint8_t *photo[TZ_REPORT_PHOTOS_MAX]; /* decoded from base64, owned until prepared */
};

/* Reads an array of distinct names from `names` into a bit set, or says what is wrong. */
static void read_name_set(json_t *v, const char *const *names, size_t count, unsigned *out,
                          char *problem, size_t size, const char **problem_out)
{
    if (!json_is_array(v) || json_array_size(v) > count) {
        snprintf(problem, size, "must be an array of at most %zu names", count);
        *problem_out = problem;
        return;
    }
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        const char *s = json_string_value(item);
        size_t k = 0;
        while (s && k < count && strcmp(s, names[k]) != 0)
            k++;
        if (!s || k == count) {
            snprintf(problem, size, "unknown name at position %zu", i);
            *problem_out = problem;
            return;
        }
        *out |= 1u << k;
    }
}

/* The optional "when": {date, times, weekdays}. */
static void read_when(json_t *when, struct tz_report_input *in, struct problems *p,
                      struct tz_field_errors *errs)
{
    if (!when || json_is_null(when))
        return;
    if (!json_is_object(when)) {
        in->when_problem = "must be an object";
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(when, key, v)
    {
        if (strcmp(key, "date") == 0) {
            in->when_date = json_string_value(v);
            in->when_date_len = in->when_date ? json_string_length(v) : 0;
            if (!in->when_date)
                in->when_date_problem = "must be a date, YYYY-MM-DD";
        } else if (strcmp(key, "times") == 0) {
            read_name_set(v, tz_when_times, TZ_WHEN_TIMES, &in->when_times, p->times,
                          sizeof p->times, &in->when_times_problem);
        } else if (strcmp(key, "weekdays") == 0) {
            read_name_set(v, tz_when_weekdays, TZ_WHEN_WEEKDAYS, &in->when_weekdays, p->weekdays,
                          sizeof p->weekdays, &in->when_weekdays_problem);
        } else {
            char field[TZ_FIELD_NAME_MAX];
            snprintf(field, sizeof field, "/when/%s", key);
            tz_fielderr_add(errs, field, "unknown field");
        }
    }
}

static void read_coordinate(json_t *v, bool *has, double *out, const char **problem)
{
    if (!v)
        return;
    if (!json_is_number(v)) {
        *problem = "must be a number";
        return;
    }
    *has = true;
    *out = json_number_value(v);
}

/*
 * "photos": an array of at most TZ_REPORT_PHOTOS_MAX strings, each the standard base64 of one
 * image file (docs/api.md). Each is decoded into p->photo[i] for in->photos[i]; the threat map
 * checks the bytes. TZ_ENOMEM.
 */
static tz_err read_photos(json_t *v, struct tz_report_input *in, struct problems *p)
{
    if (!v || json_is_null(v))
        return TZ_OK;
    if (!json_is_array(v)) {
        in->photos_problem = "must be an array of base64 strings";
        return TZ_OK;
    }
    if (json_array_size(v) > TZ_REPORT_PHOTOS_MAX) {
        in->photos_problem = "at most 3 photos";
        return TZ_OK;
    }
    in->photo_count = json_array_size(v);
    for (size_t i = 0; i < in->photo_count; i++) {
        json_t *item = json_array_get(v, i);
        struct tz_photo_input *ph = &in->photos[i];
        const char *b64 = json_string_value(item);
        size_t n = b64 ? json_string_length(item) : 0;
        if (!b64) {
            ph->problem = "must be a base64 string";
            continue;
        }
        if (n > (TZ_PHOTO_MAX_BYTES + 2) / 3 * 4) { /* too big to decode: the threat map says so */
            ph->data = (const uint8_t *)b64;
            ph->len = TZ_PHOTO_MAX_BYTES + 1;
            continue;
        }
        size_t cap = n / 4 * 3 + 1, len = 0;
        if (!(p->photo[i] = malloc(cap)))
            return TZ_ENOMEM;
        if (sodium_base642bin(p->photo[i], cap, b64, n, NULL, &len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0)
            ph->problem = "must be standard base64 (RFC 4648, with padding, no line breaks)";
        ph->data = p->photo[i];
        ph->len = len;
    }
    return TZ_OK;
}

/* Sorts the members of root into in; unknown members go to errs. */
static void read_members(json_t *root, struct tz_report_input *in, struct problems *p,
                         struct tz_field_errors *errs)
{
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "category") && strcmp(key, "lat") && strcmp(key, "lon") &&
            strcmp(key, "description") && strcmp(key, "when") && strcmp(key, "photos")) {
            char field[TZ_FIELD_NAME_MAX];
            snprintf(field, sizeof field, "/%s", key);
            tz_fielderr_add(errs, field, "unknown field");
        }
    }
    json_t *category = json_object_get(root, "category");
    in->category = json_string_value(category);
    in->category_len = in->category ? json_string_length(category) : 0;
    if (category && !in->category)
        in->category_problem = "unknown category (see GET /api/v1/categories)";
    read_coordinate(json_object_get(root, "lat"), &in->has_lat, &in->lat, &in->lat_problem);
    read_coordinate(json_object_get(root, "lon"), &in->has_lon, &in->lon, &in->lon_problem);
    json_t *description = json_object_get(root, "description");
    if (description && !json_is_null(description)) {
        in->description = json_string_value(description);
        in->description_len = in->description ? json_string_length(description) : 0;
        if (!in->description)
            in->description_problem = "must be a string";
    }
    read_when(json_object_get(root, "when"), in, p, errs);
}

tz_err tz_http_report_prepare(struct tz_threatmap *tm, const char *body, size_t len,
                              const char *client_addr, int64_t now, struct tz_submission *sub,
                              struct tz_field_errors *errs)
{
    memset(sub, 0, sizeof *sub);
    if (len > TZ_REPORT_PHOTOS_BODY_MAX)
        return TZ_ETOOBIG;
    json_error_t jerr;
    tz_json_guard_begin();
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (tz_json_guard_failed() || (!root && json_error_code(&jerr) == json_error_out_of_memory)) {
        json_decref(root); /* the body may be fine: 503, not 400 */
        return TZ_ENOMEM;
    }
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return TZ_EMALFORMED;
    }
    struct tz_report_input in = {0};
    struct problems p = {0};
    read_members(root, &in, &p, errs);
    tz_err err = read_photos(json_object_get(root, "photos"), &in, &p);
    if (!err)
        err = tz_threatmap_prepare(tm, &in, client_addr, now, sub, errs);
    json_decref(root); /* in's strings were root's */
    for (size_t i = 0; i < TZ_REPORT_PHOTOS_MAX; i++)
        free(p.photo[i]);
    return err;
}
