/*
 * submit.c - reading a citizen's report: the body is hostile until every
 * field has been checked; then the point is routed, deadlines computed and a
 * tracking token made. Nothing here writes to the store.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/tztime.h"
#include "threatmap/internal.h"

void tm_token_hash(const char *token, uint8_t hash[TZ_HASH_LEN])
{
    crypto_generichash(hash, TZ_HASH_LEN, (const unsigned char *)token, strlen(token), NULL, 0);
}

/*
 * Checks a description: at most TZ_DESCRIPTION_MAX_CHARS characters, line
 * breaks as LF or CR LF, no other control characters (C0, DEL, C1). jansson
 * has already refused invalid UTF-8 and NUL.
 */
static void check_description(const char *s, size_t n, struct tz_field_errors *errs)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80)
            chars++;
        bool crlf = c == '\r' && i + 1 < n && s[i + 1] == '\n';
        if ((c < 0x20 && c != '\n' && !crlf) || c == 0x7F) {
            tz_fielderr_add(errs, "/description",
                            "control character U+%04X is not allowed (line breaks are)", c);
            return;
        }
        /* C1 controls U+0080..U+009F are encoded C2 80 .. C2 9F. */
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] <= 0x9F) {
            tz_fielderr_add(errs, "/description", "control character U+%04X is not allowed",
                            (unsigned char)s[i + 1]);
            return;
        }
    }
    if (chars > TZ_DESCRIPTION_MAX_CHARS)
        tz_fielderr_add(errs, "/description", "at most %d characters (this one has %zu)",
                        TZ_DESCRIPTION_MAX_CHARS, chars);
}

static bool read_coordinate(json_t *v, const char *field, double lo, double hi, double *out,
                            struct tz_field_errors *errs)
{
    if (!v) {
        tz_fielderr_add(errs, field, "required");
        return false;
    }
    if (!json_is_number(v)) {
        tz_fielderr_add(errs, field, "must be a number");
        return false;
    }
    double d = json_number_value(v);
    if (!isfinite(d) || d < lo || d > hi) {
        tz_fielderr_add(errs, field, "must be between %g and %g", lo, hi);
        return false;
    }
    *out = d;
    return true;
}

static const char *const times_of_day[] = {"morning", "afternoon", "evening", "night"};
static const char *const weekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* Reads an array of distinct names from `names` into a bit set. */
static void read_name_set(json_t *v, const char *field, const char *const *names, size_t count,
                          unsigned *out, struct tz_field_errors *errs)
{
    if (!json_is_array(v) || json_array_size(v) > count) {
        tz_fielderr_add(errs, field, "must be an array of at most %zu names", count);
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
            tz_fielderr_add(errs, field, "unknown name at position %zu", i);
            return;
        }
        *out |= 1u << k;
    }
}

/* The optional "when": {date, times, weekdays} (DESIGN 1.1, as KMZB asks). */
static void read_when(json_t *when, struct tz_report_rec *rec, struct tz_field_errors *errs)
{
    if (!when || json_is_null(when))
        return;
    if (!json_is_object(when)) {
        tz_fielderr_add(errs, "/when", "must be an object");
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(when, key, v)
    {
        if (strcmp(key, "date") == 0) {
            const char *s = json_string_value(v);
            if (!s || strlen(s) != 10 || tz_time_parse(s, 10, &rec->when_date) != TZ_OK)
                tz_fielderr_add(errs, "/when/date", "must be a date, YYYY-MM-DD");
        } else if (strcmp(key, "times") == 0) {
            read_name_set(v, "/when/times", times_of_day, 4, &rec->when_times, errs);
        } else if (strcmp(key, "weekdays") == 0) {
            read_name_set(v, "/when/weekdays", weekdays, 7, &rec->when_weekdays, errs);
        } else {
            char field[TZ_FIELD_NAME_MAX];
            snprintf(field, sizeof field, "/when/%s", key);
            tz_fielderr_add(errs, field, "unknown field");
        }
    }
}

static void read_category(struct tz_threatmap *tm, json_t *v, struct tz_report_rec *rec,
                          struct tz_field_errors *errs)
{
    const char *code = json_string_value(v);
    const struct tz_category_rec *cat = code ? tz_threatmap_category(tm, code) : NULL;
    if (!v)
        tz_fielderr_add(errs, "/category", "required");
    else if (!cat)
        tz_fielderr_add(errs, "/category", "unknown category (see GET /api/v1/categories)");
    else if (cat->retired)
        tz_fielderr_add(errs, "/category", "this category takes no new reports");
    else
        snprintf(rec->category, sizeof rec->category, "%s", cat->code);
}

static tz_err read_description(json_t *v, struct tz_report_rec *rec, struct tz_field_errors *errs)
{
    if (!v || json_is_null(v))
        return TZ_OK;
    if (!json_is_string(v)) {
        tz_fielderr_add(errs, "/description", "must be a string");
        return TZ_OK;
    }
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    check_description(s, n, errs);
    size_t start = 0;
    while (start < n && (s[start] == ' ' || s[start] == '\n' || s[start] == '\r'))
        start++;
    while (n > start && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    if (n == start)
        return TZ_OK; /* blank: as if none was given */
    rec->description = strndup(s + start, n - start);
    return rec->description ? TZ_OK : TZ_ENOMEM;
}

/* Reads every field of the body object into rec, listing what is wrong. */
static tz_err read_fields(struct tz_threatmap *tm, json_t *root, struct tz_report_rec *rec,
                          struct tz_field_errors *errs)
{
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        if (strcmp(key, "category") && strcmp(key, "lat") && strcmp(key, "lon") &&
            strcmp(key, "description") && strcmp(key, "when")) {
            char field[TZ_FIELD_NAME_MAX];
            snprintf(field, sizeof field, "/%s", key);
            tz_fielderr_add(errs, field, "unknown field");
        }
    }
    read_category(tm, json_object_get(root, "category"), rec, errs);
    bool has_lat = read_coordinate(json_object_get(root, "lat"), "/lat", -90, 90, &rec->lat, errs);
    bool has_lon =
        read_coordinate(json_object_get(root, "lon"), "/lon", -180, 180, &rec->lon, errs);
    read_when(json_object_get(root, "when"), rec, errs);
    tz_err err = read_description(json_object_get(root, "description"), rec, errs);
    if (err)
        return err;
    const struct tz_category_rec *cat = tz_threatmap_category(tm, rec->category);
    if (cat && cat->description_required && !rec->description)
        tz_fielderr_add(errs, "/description", "this category needs a description");
    if (has_lat && has_lon) {
        size_t index = 0;
        err = tm->router ? tz_router_locate(tm->router, rec->lat, rec->lon, &index) : TZ_EOUTSIDE;
        if (err == TZ_EOUTSIDE) {
            tz_fielderr_add(errs, "/lat", "the point lies outside every police district");
            tz_fielderr_add(errs, "/lon", "the point lies outside every police district");
        } else if (err) {
            return err;
        } else {
            snprintf(rec->district_id, sizeof rec->district_id, "%s", tm->districts[index].id);
        }
    }
    return errs->count ? TZ_EINVAL : TZ_OK;
}

static void make_token(struct tz_submission *sub)
{
    unsigned char raw[24];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(sub->token, sizeof sub->token, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    tm_token_hash(sub->token, sub->rec.token_hash);
}

void tm_reporter_hash(const struct tz_threatmap *tm, const char *client_addr,
                      uint8_t hash[TZ_HASH_LEN])
{
    const char *addr = client_addr ? client_addr : "";
    crypto_generichash(hash, TZ_HASH_LEN, (const unsigned char *)addr, strlen(addr), tm->addr_key,
                       sizeof tm->addr_key);
}

tz_err tz_threatmap_prepare(struct tz_threatmap *tm, const char *body, size_t len,
                            const char *client_addr, int64_t now, struct tz_submission *sub,
                            struct tz_field_errors *errs)
{
    memset(sub, 0, sizeof *sub);
    if (len > TZ_REPORT_BODY_MAX)
        return TZ_ETOOBIG;
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return TZ_EMALFORMED;
    }
    struct tz_report_rec *rec = &sub->rec;
    tz_err err = read_fields(tm, root, rec, errs);
    json_decref(root);
    if (err) {
        tz_report_rec_clear(rec);
        return err;
    }
    snprintf(rec->status, sizeof rec->status, "%s", tz_status_code(TZ_STATUS_NEW));
    rec->received_at = now;
    rec->status_changed_at = now;
    rec->takeup_due = tz_workflow_takeup_due(&tm->cfg.workflow, now);
    tm_reporter_hash(tm, client_addr, rec->reporter_hash);
    make_token(sub);
    return TZ_OK;
}
