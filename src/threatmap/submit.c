/*
 * submit.c - checking a citizen's report: what a door read (struct
 * tz_report_input, filled by http from JSON or an Open311 form) is hostile
 * until every field has been checked; then the point is routed, deadlines
 * computed and a tracking token made. Nothing here writes to the store.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tztime.h"
#include "threatmap/internal.h"

void tm_token_hash(const char *token, uint8_t hash[TZ_HASH_LEN])
{
    crypto_generichash(hash, TZ_HASH_LEN, (const unsigned char *)token, strlen(token), NULL, 0);
}

const char *const tz_when_times[TZ_WHEN_TIMES] = {"morning", "afternoon", "evening", "night"};
const char *const tz_when_weekdays[TZ_WHEN_WEEKDAYS] = {"mon", "tue", "wed", "thu",
                                                        "fri", "sat", "sun"};

/*
 * Whether s (n bytes) is valid UTF-8 without NUL: no overlong forms, no
 * surrogates, nothing above U+10FFFF. A door may hand over bytes no parser
 * has checked (a percent-decoded form field).
 */
static bool valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c == 0                   ? 0
                     : c < 0x80               ? 1
                     : c >= 0xC2 && c <= 0xDF ? 2
                     : c >= 0xE0 && c <= 0xEF ? 3
                     : c >= 0xF0 && c <= 0xF4 ? 4
                                              : 0;
        if (len == 0 || len > n - i)
            return false;
        for (size_t k = 1; k < len; k++) {
            if (((unsigned char)s[i + k] & 0xC0) != 0x80)
                return false;
        }
        unsigned char c1 = len > 1 ? (unsigned char)s[i + 1] : 0;
        if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
            (c == 0xF4 && c1 > 0x8F))
            return false; /* overlong, a surrogate, or above U+10FFFF */
        i += len;
    }
    return true;
}

/*
 * Checks a description: valid UTF-8, at most TZ_DESCRIPTION_MAX_CHARS
 * characters, line breaks as LF or CR LF, no other control characters (C0,
 * DEL, C1).
 */
static void check_description(const char *s, size_t n, struct tz_field_errors *errs)
{
    if (!valid_utf8(s, n)) {
        tz_fielderr_add(errs, "/description", "must be UTF-8 text without NUL");
        return;
    }
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

/* A door's reason for a field it could not read, listed in the field's place; true if any. */
static bool door_problem(const char *problem, const char *field, struct tz_field_errors *errs)
{
    if (problem)
        tz_fielderr_add(errs, field, "%s", problem);
    return problem != NULL;
}

static bool read_coordinate(bool given, double v, const char *problem, const char *field, double lo,
                            double hi, double *out, struct tz_field_errors *errs)
{
    if (door_problem(problem, field, errs))
        return false;
    if (!given) {
        tz_fielderr_add(errs, field, "required");
        return false;
    }
    if (!isfinite(v) || v < lo || v > hi) {
        tz_fielderr_add(errs, field, "must be between %g and %g", lo, hi);
        return false;
    }
    *out = v;
    return true;
}

/* The optional "when": a date, times of day and days of the week. */
static void read_when(const struct tz_report_input *in, struct tz_report_rec *rec,
                      struct tz_field_errors *errs)
{
    if (door_problem(in->when_problem, "/when", errs))
        return;
    if (!door_problem(in->when_date_problem, "/when/date", errs) && in->when_date &&
        (in->when_date_len != 10 || !valid_utf8(in->when_date, 10) ||
         tz_time_parse(in->when_date, 10, &rec->when_date) != TZ_OK))
        tz_fielderr_add(errs, "/when/date", "must be a date, YYYY-MM-DD");
    if (!door_problem(in->when_times_problem, "/when/times", errs)) {
        if (in->when_times >> TZ_WHEN_TIMES)
            tz_fielderr_add(errs, "/when/times", "unknown time of day");
        else
            rec->when_times = in->when_times;
    }
    if (!door_problem(in->when_weekdays_problem, "/when/weekdays", errs)) {
        if (in->when_weekdays >> TZ_WHEN_WEEKDAYS)
            tz_fielderr_add(errs, "/when/weekdays", "unknown day of the week");
        else
            rec->when_weekdays = in->when_weekdays;
    }
}

static void read_category(struct tz_threatmap *tm, const struct tz_report_input *in,
                          struct tz_report_rec *rec, struct tz_field_errors *errs)
{
    if (door_problem(in->category_problem, "/category", errs))
        return;
    char code[TZ_CODE_MAX];
    const struct tz_category_rec *cat = NULL;
    if (in->category && in->category_len < sizeof code) {
        memcpy(code, in->category, in->category_len);
        code[in->category_len] = '\0';
        cat = strlen(code) == in->category_len ? tz_threatmap_category(tm, code) : NULL;
    }
    if (!in->category)
        tz_fielderr_add(errs, "/category", "required");
    else if (!cat)
        tz_fielderr_add(errs, "/category", "unknown category (see GET /api/v1/categories)");
    else if (cat->retired)
        tz_fielderr_add(errs, "/category", "this category takes no new reports");
    else
        snprintf(rec->category, sizeof rec->category, "%s", cat->code);
}

static tz_err read_description(const struct tz_report_input *in, struct tz_report_rec *rec,
                               struct tz_field_errors *errs)
{
    if (door_problem(in->description_problem, "/description", errs) || !in->description)
        return TZ_OK;
    const char *s = in->description;
    size_t n = in->description_len;
    size_t before = errs->count;
    check_description(s, n, errs);
    if (errs->count != before)
        return TZ_OK;
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

/* Checks every field of in into rec, listing what is wrong, and routes the point. */
static tz_err read_fields(struct tz_threatmap *tm, const struct tz_report_input *in,
                          struct tz_report_rec *rec, struct tz_field_errors *errs)
{
    read_category(tm, in, rec, errs);
    bool has_lat =
        read_coordinate(in->has_lat, in->lat, in->lat_problem, "/lat", -90, 90, &rec->lat, errs);
    bool has_lon =
        read_coordinate(in->has_lon, in->lon, in->lon_problem, "/lon", -180, 180, &rec->lon, errs);
    read_when(in, rec, errs);
    tz_err err = read_description(in, rec, errs);
    if (err)
        return err;
    if ((err = tm_read_photos(in, rec, errs)))
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

tz_err tz_threatmap_prepare(struct tz_threatmap *tm, const struct tz_report_input *in,
                            const char *client_addr, int64_t now, struct tz_submission *sub,
                            struct tz_field_errors *errs)
{
    memset(sub, 0, sizeof *sub);
    struct tz_report_rec *rec = &sub->rec;
    tz_err err = read_fields(tm, in, rec, errs);
    if (!err && errs->count)
        err = TZ_EINVAL; /* the door's own errors (unknown fields) count too */
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
