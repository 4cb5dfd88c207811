/*
 * open311_post.c - POST requests.{fmt}: an Open311 form becomes the threat
 * map's struct tz_report_input, the same struct POST /api/v1/reports fills
 * from its JSON (report_json.c), and goes the same way: checked, routed and
 * made durable by the threat map, the connection suspended until the commit.
 * The only additions are the API key, which must be valid and within its
 * rate, and the key's id, stored beside the report. Every mistake is a 400
 * (404 for an unknown service) in Open311's errors format.
 *
 * Photos (issue 19): the form may come as multipart/form-data (RFC 7578) with up to three file
 * parts named "media", the way Open311 servers that take uploads (SeeClickFix's, Mark-a-Spot's)
 * read them; each goes through the same checks as a photo of POST /api/v1/reports (the threat
 * map's: container, size, megapixels, decoded and encoded anew, pending review). media_url is
 * never fetched (a URL of the client's choosing: the server would fetch for anyone) and the
 * answer's notice says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/num.h"
#include "base/tztime.h"
#include "http/open311.h"

#define FORM_TYPE "application/x-www-form-urlencoded"
#define MULTIPART_TYPE "multipart/form-data"

/* The fields of a POST that we read; the others of the specification are accepted and dropped. */
struct post_fields {
    const char *api_key, *service_code, *lat, *lon, *address_string, *address_id, *description;
    const char *media_url; /* dropped, never fetched; the notice says so */
    const char *when_date;
    unsigned when_times, when_weekdays; /* bits of the threat map's names */
    size_t times_given, weekdays_given; /* values sent, repeats included */
};

/* Personal data and media: accepted because clients send them, never stored (reports are
 * anonymous). */
static const char *const dropped_fields[] = {"jurisdiction_id", "email",      "device_id",
                                             "account_id",      "first_name", "last_name",
                                             "phone",           "media_url"};

static bool dropped(const char *k)
{
    for (size_t i = 0; i < sizeof dropped_fields / sizeof dropped_fields[0]; i++) {
        if (strcmp(k, dropped_fields[i]) == 0)
            return true;
    }
    return false;
}

/* attribute[code] or attribute[code][]: which code; NULL when k is not an attribute. */
static const struct o311_attribute *attribute_of(const char *k, bool *many)
{
    size_t prefix = strlen("attribute[");
    if (strncmp(k, "attribute[", prefix) != 0)
        return NULL;
    const char *code = k + prefix;
    for (size_t i = 0; i < O311_ATTRIBUTE_COUNT; i++) {
        size_t n = strlen(o311_attributes[i].code);
        if (strncmp(code, o311_attributes[i].code, n) != 0 || code[n] != ']')
            continue;
        *many = strcmp(code + n + 1, "[]") == 0;
        if (code[n + 1] == '\0' || *many)
            return &o311_attributes[i];
    }
    return NULL;
}

/* The index of value v among a's values (the threat map's bit), or -1. */
static int value_index(const struct o311_attribute *a, const char *v)
{
    for (size_t k = 0; k < a->value_count; k++) {
        if (strcmp(a->values[k].key, v) == 0 && strcmp(a->domain_names[k], v) == 0)
            return (int)k;
    }
    return -1;
}

static void read_attribute(struct post_fields *pf, const char *k, const char *v,
                           struct o311_errors *e)
{
    bool many = false;
    const struct o311_attribute *a = attribute_of(k, &many);
    if (!a) {
        o311_add_error(e, 400, "unknown parameter %s", k);
        return;
    }
    if (!a->values) { /* when_date */
        if (pf->when_date)
            o311_add_error(e, 400, "%s given twice", k);
        pf->when_date = v;
        return;
    }
    bool times = a->domain_names == tz_when_times;
    size_t *given = times ? &pf->times_given : &pf->weekdays_given;
    int index = value_index(a, v);
    if (index < 0) {
        o311_add_error(e, 400, "attribute[%s]: unknown value %s (see services/{service_code})",
                       a->code, v);
    } else if (*given >= a->value_count) {
        o311_add_error(e, 400, "attribute[%s]: too many values", a->code);
    } else {
        (*given)++;
        *(times ? &pf->when_times : &pf->when_weekdays) |= 1u << index;
    }
}

/* Sorts the form's fields into pf; errors for unknown or repeated ones. */
static void read_form(const struct http_form *form, struct post_fields *pf, struct o311_errors *e)
{
    static const struct {
        const char *key;
        size_t offset;
    } fields[] = {
        {"api_key", offsetof(struct post_fields, api_key)},
        {"service_code", offsetof(struct post_fields, service_code)},
        {"lat", offsetof(struct post_fields, lat)},
        {"long", offsetof(struct post_fields, lon)},
        {"address_string", offsetof(struct post_fields, address_string)},
        {"address_id", offsetof(struct post_fields, address_id)},
        {"description", offsetof(struct post_fields, description)},
    };
    for (size_t i = 0; i < form->count; i++) {
        const char *k = form->params[i].key, *v = form->params[i].value;
        size_t f = 0;
        while (f < sizeof fields / sizeof fields[0] && strcmp(k, fields[f].key) != 0)
            f++;
        if (f < sizeof fields / sizeof fields[0]) {
            const char **slot = (const char **)((char *)pf + fields[f].offset);
            if (*slot && v[0])
                o311_add_error(e, 400, "%s given twice", k);
            else if (v[0])
                *slot = v;
        } else if (strcmp(k, "media_url") == 0 && v[0]) {
            pf->media_url = v;
        } else if (!dropped(k) && v[0]) {
            read_attribute(pf, k, v, e);
        } else if (!dropped(k) && !attribute_of(k, &(bool){false})) {
            o311_add_error(e, 400, "unknown parameter %s", k);
        }
    }
}

/* Reads lat or long: a decimal number in [lo, hi] with nothing around it (no hex, inf, nan). */
static bool read_degrees(const char *s, double lo, double hi, double *out)
{
    return tz_num_parse_double(s, strlen(s), lo, hi, out) == TZ_OK;
}

/* The threat map's field names, as the Open311 fields a client sent. */
static const char *open311_field(const char *field)
{
    static const struct {
        const char *ours, *theirs;
    } names[] = {
        {"/category", "service_code"},
        {"/lat", "lat"},
        {"/lon", "long"},
        {"/description", "description"},
        {"/when/date", "attribute[when_date]"},
        {"/when/times", "attribute[when_times]"},
        {"/when/weekdays", "attribute[when_weekdays]"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(field, names[i].ours) == 0)
            return names[i].theirs;
    }
    return field;
}

/* The threat map's input that says what the form says (pointing into pf's strings and media). */
static void report_input(const struct post_fields *pf, double lat, double lon,
                         const struct http_multipart *media, struct tz_report_input *in)
{
    memset(in, 0, sizeof *in);
    if (media && media->files_seen > TZ_REPORT_PHOTOS_MAX) {
        in->photos_problem = "at most 3 media files";
    } else if (media) {
        for (size_t i = 0; i < media->file_count; i++) {
            in->photos[i].data = media->files[i].data;
            in->photos[i].len = media->files[i].len;
        }
        in->photo_count = media->file_count;
    }
    in->category = pf->service_code;
    in->category_len = strlen(pf->service_code);
    in->has_lat = in->has_lon = true;
    in->lat = lat;
    in->lon = lon;
    if (pf->description) {
        in->description = pf->description;
        in->description_len = strlen(pf->description);
    }
    if (pf->when_date) {
        /* A date-time is cut to its date: "when" is a day. */
        size_t n = strlen(pf->when_date);
        in->when_date = pf->when_date;
        in->when_date_len = n > 10 && pf->when_date[10] == 'T' ? 10 : n;
    }
    in->when_times = pf->when_times;
    in->when_weekdays = pf->when_weekdays;
}

/* 429: the key sent more than its share; Retry-After says when to come back. */
static enum MHD_Result send_error_retry(struct request *req, enum o311_format f, int retry_after_s)
{
    struct o311_errors e = {0};
    o311_add_error(&e, 429, "too many requests for this api_key: try again in %d s", retry_after_s);
    return o311_send_errors(req, f, &e, retry_after_s);
}

/*
 * Idempotency (issue 19): the Idempotency-Key header of POST /api/v1/reports, by the same rule
 * through the same domain path (threatmap/idempotency.c). A key is scoped to the API key that
 * sent it: the threat map stores it as "o311-<api key id>-<key>", so that two partners' keys
 * never meet, nor a partner's and a citizen's. 1: *scoped holds it; 0: no header; -1: an
 * answer (a 400) was sent.
 */
static int scoped_idem_key(struct request *req, enum o311_format f, int64_t key_id,
                           char scoped[TZ_IDEM_KEY_MAX + 1], enum MHD_Result *answer)
{
    const char *key = NULL;
    size_t len = 0;
    int has = http_idempotency_key(req, &key, &len);
    if (has == 0)
        return 0;
    char prefix[40];
    int plen = snprintf(prefix, sizeof prefix, "o311-%lld-", (long long)key_id);
    if (has < 0 || plen < 0 || (size_t)plen + len > TZ_IDEM_KEY_MAX) {
        *answer = o311_send_error(req, f, 400,
                                  "Idempotency-Key must be %d to %d printable ASCII characters "
                                  "without space, quote or backslash (a UUID), as a quoted string",
                                  TZ_IDEM_KEY_MIN, TZ_IDEM_KEY_MAX - plen);
        return -1;
    }
    memcpy(scoped, prefix, (size_t)plen);
    memcpy(scoped + plen, key, len);
    scoped[(size_t)plen + len] = '\0';
    return 1;
}

/*
 * A request sent again under its key: the first answer, in Open311's format, with
 * Idempotent-Replayed: true; another body under the same key is a 422. *handled is false when
 * the key is new.
 */
static enum MHD_Result o311_replay(struct request *req, enum o311_format f, const char *scoped,
                                   bool media_url, bool *handled)
{
    *handled = true;
    tz_submission_clear(&req->sub);
    tz_err err =
        tz_threatmap_idem_replay(req->srv->tm, scoped, strlen(scoped),
                                 req->body.data ? req->body.data : "", req->body.len, &req->sub);
    if (err == TZ_ENOTFOUND) {
        *handled = false;
        return MHD_YES;
    }
    if (err == TZ_ECONFLICT)
        return o311_send_error(req, f, 422,
                               "Idempotency-Key came with another request; a new request needs "
                               "a new key");
    if (err)
        return o311_send_failure(req, f, err);
    req->extra_header[0] = "Idempotent-Replayed";
    req->extra_header[1] = "true";
    req->o311_media_url = media_url;
    req->commit_err = TZ_OK;
    req->state = REQUEST_COMMITTED;
    return o311_answer_committed(req, f);
}

/*
 * The store refused the request's key: the same key came with a request stored meanwhile (two
 * sendings at once). Answered as a replay of that one, or 409 when it is not readable (yet).
 */
static enum MHD_Result o311_key_taken(struct request *req, enum o311_format f)
{
    char scoped[TZ_IDEM_KEY_MAX + 1];
    enum MHD_Result r = MHD_YES;
    bool handled = false;
    int64_t key_id = req->sub.rec.api_key_id;
    bool media_url = req->o311_media_url;
    if (scoped_idem_key(req, f, key_id, scoped, &r) == 1)
        r = o311_replay(req, f, scoped, media_url, &handled);
    if (handled)
        return r;
    return o311_send_error(req, f, 409, "a request with this Idempotency-Key is being handled");
}

enum MHD_Result o311_answer_committed(struct request *req, enum o311_format f)
{
    if (req->commit_err == TZ_ECONFLICT && req->sub.rec.idem.set)
        return o311_key_taken(req, f);
    /* A write that failed (a full disk past a size limit reads as TZ_EIO) rolled back: 503. */
    if (req->commit_err)
        return o311_send_failure(req, f, req->commit_err == TZ_EIO ? TZ_ENOSPACE : req->commit_err);
    struct tz_buf b;
    struct o311_doc d;
    tz_buf_init(&b, O311_SMALL_MAX);
    o311_doc_begin(&d, f, &b);
    o311_doc_list(&d, "service_requests");
    o311_doc_object(&d, "request");
    o311_doc_int(&d, "service_request_id", req->sub.rec.id);
    char notice[400];
    size_t photos = req->sub.replayed ? (size_t)req->sub.replayed_photos : req->sub.rec.photo_count;
    snprintf(notice, sizeof notice,
             "Received anonymously: no personal data was kept. The police take a report up "
             "within 2 days and verify it within 5.%s%s",
             photos == 0   ? ""
             : photos == 1 ? " 1 photo waits for review before it is shown."
                           : " Its photos wait for review before they are shown.",
             req->o311_media_url ? " media_url was not fetched: send photos as media file parts"
                                   " of a multipart/form-data POST."
                                 : "");
    o311_doc_text(&d, "service_notice", notice);
    o311_doc_text(&d, "account_id", NULL);
    o311_doc_end(&d, "request");
    o311_doc_end(&d, "service_requests");
    return o311_send_doc(req, MHD_HTTP_OK, &d, &b);
}

/* Checks the form and prepares the submission; an answer (error) when it goes wrong. */
static enum MHD_Result prepare_post(struct request *req, enum o311_format f,
                                    const struct http_form *form,
                                    const struct http_multipart *media, bool *prepared)
{
    struct tz_http *srv = req->srv;
    struct post_fields pf = {0};
    struct o311_errors e = {0};
    *prepared = false;
    read_form(form, &pf, &e);
    if (!pf.api_key) /* some clients send it in the query string */
        pf.api_key = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "api_key");
    int64_t key_id = 0;
    tz_err err = tz_threatmap_apikey_check(srv->tm, pf.api_key, &key_id);
    if (err == TZ_EFORBIDDEN)
        return o311_send_error(req, f, 403, "api_key %s",
                               pf.api_key ? "is not valid" : "is missing");
    if (err)
        return o311_send_failure(req, f, err);
    /* Counted once the key is known good, before any other work. */
    int retry_after = 0;
    if (!tz_ratelimit_take(srv->key_limit, &key_id, sizeof key_id, tz_time_mono_ns() / 1000000,
                           &retry_after)) {
        http_metrics_refused(srv, HTTP_LIMIT_API_KEY);
        return send_error_retry(req, f, retry_after);
    }
    char scoped[TZ_IDEM_KEY_MAX + 1];
    enum MHD_Result answer = MHD_YES;
    int has_key = scoped_idem_key(req, f, key_id, scoped, &answer);
    if (has_key < 0)
        return answer;
    if (has_key) { /* before any other check: a body stored once was valid */
        bool handled = false;
        answer = o311_replay(req, f, scoped, pf.media_url != NULL, &handled);
        if (handled)
            return answer;
    }
    if (e.count)
        return o311_send_errors(req, f, &e, 0);
    if (!pf.service_code)
        return o311_send_error(req, f, 400, "service_code was not provided");
    if (!tz_threatmap_category(srv->tm, pf.service_code))
        return o311_send_error(req, f, 404, "service_code %s not found", pf.service_code);
    double lat = 0, lon = 0;
    if (!pf.lat && !pf.lon && (pf.address_string || pf.address_id))
        return o311_send_error(req, f, 400,
                               "this server has no geocoder: send the point as lat and long");
    if (!pf.lat || !read_degrees(pf.lat, -90, 90, &lat))
        o311_add_error(&e, 400, "lat %s",
                       pf.lat ? "must be a number from -90 to 90 (WGS 84)" : "was not provided");
    if (!pf.lon || !read_degrees(pf.lon, -180, 180, &lon))
        o311_add_error(&e, 400, "long %s",
                       pf.lon ? "must be a number from -180 to 180 (WGS 84)" : "was not provided");
    if (e.count)
        return o311_send_errors(req, f, &e, 0);
    if (pf.description && strlen(pf.description) > TZ_REPORT_BODY_MAX)
        return o311_send_error(req, f, 400, "the request is too large");
    struct tz_report_input in;
    report_input(&pf, lat, lon, media, &in);
    req->o311_media_url = pf.media_url != NULL;
    char addr[TZ_NETADDR_KEY_TEXT_MAX]; /* the reporter's hash counts an IPv6 client by network */
    http_client_key_text(req, addr, sizeof addr);
    struct tz_field_errors errs = {0};
    err = tz_threatmap_prepare(srv->tm, &in, addr, tz_time_now(), &req->sub, &errs);
    if (err == TZ_EINVAL) {
        for (size_t i = 0; i < errs.count; i++) {
            const char *field = errs.items[i].field;
            char *end = NULL;
            long k = strncmp(field, "/photos/", 8) == 0 ? strtol(field + 8, &end, 10) : -1;
            if (k >= 0 && end && *end == '\0') /* media file k + 1: counted from 1 */
                o311_add_error(&e, 400, "media file %ld: %s", k + 1, errs.items[i].message);
            else
                o311_add_error(&e, 400, "%s: %s",
                               strcmp(field, "/photos") == 0 ? "media" : open311_field(field),
                               errs.items[i].message);
        }
        return o311_send_errors(req, f, &e, 0);
    }
    if (!err && has_key)
        err = tz_threatmap_set_idempotency(&req->sub, scoped, strlen(scoped),
                                           req->body.data ? req->body.data : "", req->body.len);
    if (err)
        return o311_send_failure(req, f, err);
    req->sub.rec.api_key_id = key_id;
    *prepared = true;
    return MHD_YES;
}

enum MHD_Result o311_post_request(struct request *req, enum o311_format f)
{
    if (atomic_load(&req->srv->closing))
        return o311_send_failure(req, f, TZ_ECLOSED);
    const char *type =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    bool multipart = type && http_is_multipart_form(type);
    size_t form_type = strlen(FORM_TYPE);
    if (!multipart &&
        (!type || strncasecmp(type, FORM_TYPE, form_type) != 0 ||
         (type[form_type] != '\0' && type[form_type] != ';' && type[form_type] != ' ')))
        return o311_send_error(req, f, 400,
                               "send the request as " FORM_TYPE " (or " MULTIPART_TYPE
                               " with media files)");

    struct http_multipart m;
    const char *body = req->body.data ? req->body.data : "";
    tz_err err = multipart ? http_multipart_parse(type, body, req->body.len, &m)
                           : http_form_parse(body, req->body.len, &m.form);
    if (!multipart)
        m.file_count = m.files_seen = 0;
    enum MHD_Result ret;
    bool prepared = false;
    if (err == TZ_EMALFORMED)
        ret = o311_send_error(req, f, 400,
                              multipart ? "the body is not well-formed " MULTIPART_TYPE
                                        : "the form is not valid x-www-form-urlencoded text");
    else if (err == TZ_ETOOBIG)
        ret = o311_send_error(req, f, 400, "more than %d form fields", HTTP_FORM_PARAMS_MAX);
    else if (err)
        ret = o311_send_failure(req, f, err);
    else
        ret = prepare_post(req, f, &m.form, multipart ? &m : NULL, &prepared);
    if (multipart)
        http_multipart_free(&m);
    else
        http_form_free(&m.form);
    if (!prepared)
        return ret;
    return http_submit_report(req);
}
