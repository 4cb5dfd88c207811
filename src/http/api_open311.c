/*
 * api_open311.c - Open311 GeoReport v2 under /open311/v2/, as the published
 * specification describes it (http://wiki.open311.org/GeoReport_v2; see
 * docs/open311.md for how our data maps onto it). Every resource answers in
 * XML or JSON by its suffix (.xml, .json), errors too, in the specification's
 * <errors><error><code/><description/></error></errors> form.
 *
 * One category is one service. A POST goes the way of POST /api/v1/reports:
 * its fields become the same JSON body, validated, routed and made durable by
 * the threat map, the connection suspended until the commit; the only
 * additions are the API key, which must be valid, and the key's id, stored
 * beside the report. Reads show the public view and nothing more.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/tztime.h"
#include "base/xml.h"
#include "http/internal.h"

#define PREFIX "/open311/v2/"
#define SPECIFICATION "http://wiki.open311.org/GeoReport_v2"
#define CHANGESET "2026-11-25T00:00:00Z" /* when the services or this mapping last changed */
#define BODY_MAX (8u * 1024 * 1024)
#define ERROR_BODY_MAX (64u * 1024)
#define LIST_MAX 1000         /* the specification's default and our hard maximum */
#define WINDOW_S (90 * 86400) /* the specification's longest window of requested_datetime */
#define LIST_SCAN_ROUNDS 50   /* store pages read for one list, at most */
#define IDS_MAX 200           /* service_request_id values in one query */
#define ARG_MAX 128

enum format { FORMAT_XML, FORMAT_JSON };

/* The path after the prefix: resource[/arg].format */
struct o311_path {
    char resource[16];
    char arg[ARG_MAX];
    bool has_arg;
    bool has_format;
    enum format format;
};

/* Reads the path; false when it has no known resource shape (the format may still be missing). */
static bool parse_path(const char *url, struct o311_path *p)
{
    memset(p, 0, sizeof *p);
    const char *rest = url + strlen(PREFIX);
    const char *dot = strrchr(rest, '.');
    size_t stem = dot ? (size_t)(dot - rest) : strlen(rest);
    if (dot && strcmp(dot, ".xml") == 0) {
        p->has_format = true;
        p->format = FORMAT_XML;
    } else if (dot && strcmp(dot, ".json") == 0) {
        p->has_format = true;
        p->format = FORMAT_JSON;
    }
    const char *slash = memchr(rest, '/', stem);
    size_t res_len = slash ? (size_t)(slash - rest) : stem;
    if (res_len == 0 || res_len >= sizeof p->resource)
        return false;
    memcpy(p->resource, rest, res_len);
    p->resource[res_len] = '\0';
    if (slash) {
        size_t arg_len = stem - res_len - 1;
        if (arg_len == 0 || arg_len >= sizeof p->arg || memchr(slash + 1, '/', arg_len))
            return false;
        memcpy(p->arg, slash + 1, arg_len);
        p->arg[arg_len] = '\0';
        p->has_arg = true;
    }
    return true;
}

/* ---- one writer for both formats ---------------------------------------------------------- */

/*
 * The specification's JSON is its XML mapped by the Spark convention: a
 * list element becomes an array of its children, an element of elements an
 * object, an element of text a member. So one sequence of calls writes
 * either, and the two cannot drift apart.
 */
#define DOC_DEPTH 8
struct doc {
    enum format format;
    struct tz_xml x; /* its err is the document's first error, in both formats */
    int depth;
    bool first[DOC_DEPTH];   /* nothing written yet at this level (JSON commas) */
    bool in_list[DOC_DEPTH]; /* this level is an array: members have no names in JSON */
};

static void doc_begin(struct doc *d, enum format f, struct tz_buf *b)
{
    memset(d, 0, sizeof *d);
    d->format = f;
    d->first[0] = true;
    d->in_list[0] = true; /* the root takes no name in JSON */
    if (f == FORMAT_XML)
        tz_xml_begin(&d->x, b);
    else
        d->x.b = b;
}

static void json_raw(struct doc *d, const char *s)
{
    if (!d->x.err)
        d->x.err = tz_buf_puts(d->x.b, s);
}

/* In JSON: the comma before a member and its name, where the level has names. */
static void json_member(struct doc *d, const char *name)
{
    if (!d->first[d->depth])
        json_raw(d, ",");
    d->first[d->depth] = false;
    if (!d->in_list[d->depth] && !d->x.err) {
        d->x.err = tz_buf_json_cstr(d->x.b, name);
        json_raw(d, ":");
    }
}

static void doc_push(struct doc *d, const char *name, bool list)
{
    if (d->depth + 1 >= DOC_DEPTH) {
        d->x.err = TZ_EINVAL;
        return;
    }
    if (d->format == FORMAT_XML) {
        tz_xml_open(&d->x, name);
    } else {
        json_member(d, name);
        json_raw(d, list ? "[" : "{");
    }
    d->depth++;
    d->first[d->depth] = true;
    d->in_list[d->depth] = list;
}

/* <name> holding a list of elements of one kind: a JSON array. */
static void doc_list(struct doc *d, const char *name)
{
    doc_push(d, name, true);
}

/* <name> holding named elements: a JSON object. */
static void doc_object(struct doc *d, const char *name)
{
    doc_push(d, name, false);
}

static void doc_end(struct doc *d, const char *name)
{
    if (d->depth == 0) {
        d->x.err = TZ_EINVAL;
        return;
    }
    if (d->format == FORMAT_XML)
        tz_xml_close(&d->x, name);
    else
        json_raw(d, d->in_list[d->depth] ? "]" : "}");
    d->depth--;
}

/* A text element: a JSON string, or null (an empty element in XML) for NULL. */
static void doc_text(struct doc *d, const char *name, const char *text)
{
    if (d->format == FORMAT_XML) {
        tz_xml_text(&d->x, name, text);
        return;
    }
    json_member(d, name);
    if (!d->x.err)
        d->x.err = tz_buf_json_cstr(d->x.b, text);
}

/* A number or boolean, written as the literal (which XML shows as text). */
__attribute__((format(printf, 3, 4))) static void doc_literal(struct doc *d, const char *name,
                                                              const char *fmt, ...)
{
    char text[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof text) {
        d->x.err = TZ_EINVAL;
        return;
    }
    if (d->format == FORMAT_XML) {
        tz_xml_text(&d->x, name, text);
        return;
    }
    json_member(d, name);
    json_raw(d, text);
}

/* A time in the specification's w3 format, or null for 0. */
static void doc_time(struct doc *d, const char *name, int64_t t)
{
    char text[TZ_TIME_TEXT_MAX];
    if (t)
        tz_time_format(t, text);
    doc_text(d, name, t ? text : NULL);
}

static tz_err doc_finish(struct doc *d)
{
    if (!d->x.err && d->depth != 0)
        d->x.err = TZ_EINVAL;
    if (!d->x.err && d->format == FORMAT_XML)
        d->x.err = tz_buf_puts(d->x.b, "\n");
    return d->x.err;
}

/* ---- answers ------------------------------------------------------------------------------ */

static const char *content_type(enum format f)
{
    return f == FORMAT_XML ? "text/xml; charset=utf-8" : "application/json; charset=utf-8";
}

static enum MHD_Result send_buf(struct request *req, unsigned status, enum format f,
                                struct tz_buf *b, int retry_after_s)
{
    size_t len = b->len;
    char *data = tz_buf_take(b);
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, data ? data : "", data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    if (retry_after_s > 0) {
        char value[16];
        snprintf(value, sizeof value, "%d", retry_after_s);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, value);
    }
    if (status == 405 && req->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, req->allow);
    return http_queue_response(req, status, resp, content_type(f));
}

/* One error of an errors document. */
struct o311_error {
    unsigned code;
    char description[TZ_FIELD_NAME_MAX + TZ_FIELD_MESSAGE_MAX + 8];
};

#define ERRORS_MAX (TZ_FIELDERR_MAX + 1)
struct o311_errors {
    size_t count;
    struct o311_error items[ERRORS_MAX];
};

/*
 * Makes an error's text safe to send in either format: it may echo what a
 * client sent (a parameter's name, a value) and be cut by its buffer, so
 * anything that is not valid UTF-8 or is a control character becomes '?'.
 */
static void clean_text(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t len = (unsigned char)s[i] < 0x20 ? 0 : tz_xml_char_length(s + i, n - i);
        if (len == 0) {
            s[i] = '?';
            len = 1;
        }
        i += len;
    }
}

__attribute__((format(printf, 3, 4))) static void add_error(struct o311_errors *e, unsigned code,
                                                            const char *fmt, ...)
{
    if (e->count >= ERRORS_MAX)
        return;
    struct o311_error *item = &e->items[e->count++];
    item->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(item->description, sizeof item->description, fmt, ap);
    va_end(ap);
    clean_text(item->description);
}

/* Answers with the errors document; the HTTP status is the first error's code. */
static enum MHD_Result send_errors(struct request *req, enum format f, const struct o311_errors *e,
                                   int retry_after_s)
{
    struct tz_buf b;
    struct doc d;
    tz_buf_init(&b, ERROR_BODY_MAX);
    doc_begin(&d, f, &b);
    doc_list(&d, "errors");
    for (size_t i = 0; i < e->count; i++) {
        doc_object(&d, "error");
        doc_literal(&d, "code", "%u", e->items[i].code);
        doc_text(&d, "description", e->items[i].description);
        doc_end(&d, "error");
    }
    doc_end(&d, "errors");
    if (doc_finish(&d)) {
        tz_buf_free(&b);
        return MHD_NO;
    }
    return send_buf(req, e->count ? e->items[0].code : 400, f, &b, retry_after_s);
}

__attribute__((format(printf, 4, 5))) static enum MHD_Result
send_error(struct request *req, enum format f, unsigned code, const char *fmt, ...)
{
    struct o311_errors e = {.count = 1};
    e.items[0].code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.items[0].description, sizeof e.items[0].description, fmt, ap);
    va_end(ap);
    clean_text(e.items[0].description);
    return send_errors(req, f, &e, 0);
}

/*
 * An error the server answers before an Open311 handler runs (a wrong method,
 * a body too large, a wrong Content-Type, a connection limit), in the
 * specification's errors format instead of a problem document: XML unless the
 * path ends in .json.
 */
enum MHD_Result http_open311_error(struct request *req, unsigned status, const char *detail,
                                   int retry_after_s)
{
    size_t n = strlen(req->url);
    enum format f = n >= 5 && strcmp(req->url + n - 5, ".json") == 0 ? FORMAT_JSON : FORMAT_XML;
    struct o311_errors e = {0};
    add_error(&e, status, "%s", detail ? detail : "");
    return send_errors(req, f, &e, retry_after_s);
}

/* 429: the key sent more than its share; Retry-After says when to come back. */
static enum MHD_Result send_error_retry(struct request *req, enum format f, int retry_after_s)
{
    struct o311_errors e = {0};
    add_error(&e, 429, "too many requests for this api_key: try again in %d s", retry_after_s);
    return send_errors(req, f, &e, retry_after_s);
}

/* The error of a failure inside (store, memory): 503 where it may pass, else 500. */
static enum MHD_Result send_failure(struct request *req, enum format f, tz_err err)
{
    bool passing = err == TZ_EBUSY || err == TZ_ENOMEM || err == TZ_ENOSPACE || err == TZ_ECLOSED;
    struct o311_errors e = {0};
    add_error(&e, passing ? 503 : 500, "%s", tz_err_str(err));
    return send_errors(req, f, &e, passing ? 1 : 0);
}

static enum MHD_Result send_doc(struct request *req, unsigned status, struct doc *d,
                                struct tz_buf *b)
{
    tz_err err = doc_finish(d);
    if (err) {
        tz_buf_free(b);
        return send_failure(req, d->format, err);
    }
    return send_buf(req, status, d->format, b, 0);
}

/* ---- parameters --------------------------------------------------------------------------- */

/* The specification: an empty parameter is the same as one not sent. */
static const char *param_value(const struct tz_query_param *p)
{
    return p->value && p->value[0] ? p->value : NULL;
}

/* ---- discovery, services ------------------------------------------------------------------ */

/* The endpoint's URL from the Host header when it is a plain host[:port], else the path alone. */
static void endpoint_url(struct request *req, char *out, size_t size)
{
    const char *host =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    bool plain = host && host[0] && strlen(host) < 256;
    for (const char *p = host; plain && *p; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                *p == '.' || *p == '-' || *p == ':' || *p == '[' || *p == ']';
    if (plain)
        snprintf(out, size, "http://%s/open311/v2", host);
    else
        snprintf(out, size, "/open311/v2");
}

static enum MHD_Result discovery(struct request *req, enum format f)
{
    char url[320];
    endpoint_url(req, url, sizeof url);
    struct tz_buf b;
    struct doc d;
    tz_buf_init(&b, ERROR_BODY_MAX);
    doc_begin(&d, f, &b);
    doc_object(&d, "discovery");
    doc_text(&d, "changeset", CHANGESET);
    doc_text(&d, "contact", "The police unit that runs this tarcza server.");
    doc_text(&d, "key_service",
             "API keys for POST are issued by the administrator of this server.");
    doc_list(&d, "endpoints");
    doc_object(&d, "endpoint");
    doc_text(&d, "specification", SPECIFICATION);
    doc_text(&d, "url", url);
    doc_text(&d, "changeset", CHANGESET);
    doc_text(&d, "type", "production");
    doc_list(&d, "formats");
    doc_text(&d, "format", "text/xml");
    doc_text(&d, "format", "application/json");
    doc_end(&d, "formats");
    doc_end(&d, "endpoint");
    doc_end(&d, "endpoints");
    doc_end(&d, "discovery");
    return send_doc(req, MHD_HTTP_OK, &d, &b);
}

/* A service's description: its Polish name and the rules that differ from the default. */
static void service_description(const struct tz_category_rec *c, char *out, size_t size)
{
    const char *shown = strcmp(c->visibility, "never") == 0
                            ? " Reports of this kind are never shown publicly."
                        : strcmp(c->visibility, "once_confirmed") == 0
                            ? " Shown publicly only once the police confirm it."
                            : "";
    snprintf(out, size, "%s (PL: %s).%s%s", c->name_en, c->name_pl,
             c->description_required ? " A description is required." : "", shown);
}

static void put_service(struct request *req, struct doc *d, const struct tz_category_rec *c)
{
    const struct tz_group_rec *g = tz_threatmap_group(req->srv->tm, c->group);
    char description[512], keywords[512];
    service_description(c, description, sizeof description);
    snprintf(keywords, sizeof keywords, "%s, %s, %s, %s", c->code, c->name_pl, c->group,
             g ? g->name_pl : c->group);
    doc_object(d, "service");
    doc_text(d, "service_code", c->code);
    doc_text(d, "service_name", c->name_en);
    doc_text(d, "description", description);
    doc_literal(d, "metadata", "true"); /* every service has the "when" attributes */
    doc_text(d, "type", "realtime");
    doc_text(d, "keywords", keywords);
    doc_text(d, "group", g ? g->name_en : c->group);
    doc_end(d, "service");
}

static enum MHD_Result services(struct request *req, enum format f)
{
    struct tz_threatmap *tm = req->srv->tm;
    struct tz_buf b;
    struct doc d;
    tz_buf_init(&b, BODY_MAX);
    doc_begin(&d, f, &b);
    doc_list(&d, "services");
    for (size_t i = 0; i < tz_threatmap_category_count(tm); i++) {
        const struct tz_category_rec *c = tz_threatmap_category_at(tm, i);
        if (!c->retired) /* a retired category takes no new reports */
            put_service(req, &d, c);
    }
    doc_end(&d, "services");
    return send_doc(req, MHD_HTTP_OK, &d, &b);
}

/* The attributes of every service: when it happens (DESIGN 1.1, as KMZB asks). */
struct o311_value {
    const char *key, *name;
};
static const struct o311_value times_of_day[] = {
    {"morning", "Morning"}, {"afternoon", "Afternoon"}, {"evening", "Evening"}, {"night", "Night"}};
static const struct o311_value weekdays[] = {
    {"mon", "Monday"}, {"tue", "Tuesday"},  {"wed", "Wednesday"}, {"thu", "Thursday"},
    {"fri", "Friday"}, {"sat", "Saturday"}, {"sun", "Sunday"}};
static const struct o311_attribute {
    const char *code, *datatype, *datatype_description, *description;
    const struct o311_value *values;
    size_t value_count;
} attributes[] = {
    {"when_date", "datetime", "A date, YYYY-MM-DD (a date-time is cut to its date)",
     "On which day does it happen?", NULL, 0},
    {"when_times", "multivaluelist", NULL, "At which times of day does it happen?", times_of_day,
     sizeof times_of_day / sizeof times_of_day[0]},
    {"when_weekdays", "multivaluelist", NULL, "On which days of the week does it happen?", weekdays,
     sizeof weekdays / sizeof weekdays[0]},
};
#define ATTRIBUTE_COUNT (sizeof attributes / sizeof attributes[0])

static enum MHD_Result service_definition(struct request *req, enum format f, const char *code)
{
    const struct tz_category_rec *c = tz_threatmap_category(req->srv->tm, code);
    if (!c || c->retired) /* a retired category is not a service: the list leaves it out too */
        return send_error(req, f, 404, "service_code %s not found", code);
    struct tz_buf b;
    struct doc d;
    tz_buf_init(&b, ERROR_BODY_MAX);
    doc_begin(&d, f, &b);
    doc_object(&d, "service_definition");
    doc_text(&d, "service_code", c->code);
    doc_list(&d, "attributes");
    for (size_t i = 0; i < ATTRIBUTE_COUNT; i++) {
        const struct o311_attribute *a = &attributes[i];
        doc_object(&d, "attribute");
        doc_literal(&d, "variable", "true");
        doc_text(&d, "code", a->code);
        doc_text(&d, "datatype", a->datatype);
        doc_literal(&d, "required", "false");
        doc_text(&d, "datatype_description", a->datatype_description);
        doc_literal(&d, "order", "%zu", i + 1);
        doc_text(&d, "description", a->description);
        if (a->values) {
            doc_list(&d, "values");
            for (size_t k = 0; k < a->value_count; k++) {
                doc_object(&d, "value");
                doc_text(&d, "key", a->values[k].key);
                doc_text(&d, "name", a->values[k].name);
                doc_end(&d, "value");
            }
            doc_end(&d, "values");
        }
        doc_end(&d, "attribute");
    }
    doc_end(&d, "attributes");
    doc_end(&d, "service_definition");
    return send_doc(req, MHD_HTTP_OK, &d, &b);
}

/* ---- service requests: reading ------------------------------------------------------------ */

/* The specification's two statuses: open until the police have finished with a report. */
static const char *const open311_status[TZ_STATUS_COUNT] = {
    [TZ_STATUS_NEW] = "open",          [TZ_STATUS_VERIFYING] = "open",
    [TZ_STATUS_CONFIRMED] = "open",    [TZ_STATUS_NOT_CONFIRMED] = "closed",
    [TZ_STATUS_ELIMINATED] = "closed", [TZ_STATUS_REFERRED] = "closed",
    [TZ_STATUS_REJECTED] = "closed",
};

/* The deadline that is running now (take-up, then verification), or 0. */
static int64_t current_deadline(const struct tz_report_rec *r, enum tz_status s)
{
    if (s == TZ_STATUS_NEW)
        return r->takeup_due;
    if (s == TZ_STATUS_VERIFYING)
        return r->verify_due;
    return 0;
}

static void put_request(struct tz_threatmap *tm, struct doc *d, const struct tz_report_rec *r,
                        int64_t now)
{
    enum tz_status s = TZ_STATUS_NEW;
    tz_status_parse(r->status, &s);
    const struct tz_category_rec *c = tz_threatmap_category(tm, r->category);
    const struct tz_district_rec *dist = tz_threatmap_district(tm, r->district_id);
    char notes[160];
    snprintf(notes, sizeof notes, "%s: %s (%s)%s", r->status, tz_status_name_en(s),
             tz_status_name_pl(s), tz_workflow_overdue(r, s, now) ? "; overdue" : "");
    doc_object(d, "request");
    doc_literal(d, "service_request_id", "%lld", (long long)r->id);
    doc_text(d, "status", open311_status[s]);
    doc_text(d, "status_notes", notes);
    doc_text(d, "service_name", c ? c->name_en : r->category);
    doc_text(d, "service_code", r->category);
    doc_text(d, "description", r->public_description); /* public only once reviewed */
    doc_text(d, "agency_responsible", dist ? dist->unit : NULL);
    doc_text(d, "service_notice", NULL);
    doc_time(d, "requested_datetime", r->received_at);
    doc_time(d, "updated_datetime", r->status_changed_at);
    doc_time(d, "expected_datetime", current_deadline(r, s));
    doc_text(d, "address", dist ? dist->name : NULL); /* no geocoder: the district's name */
    doc_text(d, "address_id", NULL);
    doc_text(d, "zipcode", NULL);
    doc_literal(d, "lat", "%.6f", r->lat);
    doc_literal(d, "long", "%.6f", r->lon);
    doc_text(d, "media_url", NULL);
    doc_end(d, "request");
}

/* Reads a positive decimal id (at most 15 digits) of n bytes. */
static bool read_id(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;
    if (n == 0 || n > 15)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return v > 0;
}

static enum MHD_Result one_request(struct request *req, enum format f, const char *arg)
{
    int64_t id = 0;
    struct tz_report_rec r = {0};
    int64_t now = tz_time_now();
    tz_err err = read_id(arg, strlen(arg), &id)
                     ? tz_threatmap_public_report(req->srv->tm, id, now, &r)
                     : TZ_ENOTFOUND;
    if (err == TZ_ENOTFOUND)
        return send_error(req, f, 404, "service_request_id %s not found", arg);
    if (err)
        return send_failure(req, f, err);
    struct tz_buf b;
    struct doc d;
    tz_buf_init(&b, ERROR_BODY_MAX);
    doc_begin(&d, f, &b);
    doc_list(&d, "service_requests");
    put_request(req->srv->tm, &d, &r, now);
    doc_end(&d, "service_requests");
    tz_report_rec_clear(&r);
    return send_doc(req, MHD_HTTP_OK, &d, &b);
}

/*
 * The Open311 token of a request is its service_request_id as text: our POST
 * answers once the report is durable, so there is never a pending request
 * to name, and the reporter's secret tracking token must not leave our own
 * API (docs/open311.md).
 */
static enum MHD_Result token(struct request *req, enum format f, const char *arg)
{
    int64_t id = 0;
    struct tz_report_rec r = {0};
    tz_err err = read_id(arg, strlen(arg), &id)
                     ? tz_threatmap_public_report(req->srv->tm, id, tz_time_now(), &r)
                     : TZ_ENOTFOUND;
    tz_report_rec_clear(&r);
    if (err == TZ_ENOTFOUND)
        return send_error(req, f, 404, "token %s not found", arg);
    if (err)
        return send_failure(req, f, err);
    struct tz_buf b;
    struct doc d;
    tz_buf_init(&b, ERROR_BODY_MAX);
    doc_begin(&d, f, &b);
    doc_list(&d, "service_requests");
    doc_object(&d, "request");
    doc_literal(&d, "service_request_id", "%lld", (long long)id);
    doc_text(&d, "token", arg);
    doc_end(&d, "request");
    doc_end(&d, "service_requests");
    return send_doc(req, MHD_HTTP_OK, &d, &b);
}

/* What GET requests asks for. */
struct list_query {
    const char *ids;   /* service_request_id: overrides everything else */
    const char *codes; /* service_code */
    const char *start, *end;
    const char *statuses; /* open, closed */
    struct tz_report_filter filter;
};

static tz_err add_code(const char *item, size_t n, struct tz_threatmap *tm,
                       struct tz_report_filter *f)
{
    char code[TZ_CODE_MAX];
    if (n >= sizeof code || f->category_count >= TZ_FILTER_MAX_CATEGORIES)
        return TZ_EINVAL;
    memcpy(code, item, n);
    code[n] = '\0';
    if (!tz_threatmap_category(tm, code))
        return TZ_EINVAL;
    memcpy(f->categories[f->category_count++], code, n + 1);
    return TZ_OK;
}

/* Splits a comma-separated list (bounded) and hands each item to fn. */
static tz_err each_item(const char *s, size_t max,
                        tz_err (*fn)(void *ctx, const char *item, size_t n), void *ctx)
{
    size_t items = 0;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        if (n == 0 || ++items > max)
            return TZ_EINVAL;
        tz_err err = fn(ctx, s, n);
        if (err)
            return err;
        if (!comma)
            return TZ_OK;
        s = comma + 1;
    }
}

struct item_ctx {
    struct tz_threatmap *tm;
    struct tz_report_filter *filter;
    int64_t *ids;
    size_t id_count;
};

static tz_err code_item(void *ctx, const char *item, size_t n)
{
    struct item_ctx *c = ctx;
    return add_code(item, n, c->tm, c->filter);
}

static tz_err status_item(void *ctx, const char *item, size_t n)
{
    struct item_ctx *c = ctx;
    bool open = n == 4 && memcmp(item, "open", 4) == 0;
    bool closed = n == 6 && memcmp(item, "closed", 6) == 0;
    if (!open && !closed)
        return TZ_EINVAL;
    for (int s = 0; s < TZ_STATUS_COUNT; s++) {
        const char *code = tz_status_code(s);
        bool dup = false;
        for (size_t i = 0; i < c->filter->status_count; i++)
            dup = dup || strcmp(c->filter->statuses[i], code) == 0;
        if (!dup && strcmp(open311_status[s], open ? "open" : "closed") == 0 &&
            c->filter->status_count < sizeof c->filter->statuses / sizeof c->filter->statuses[0])
            snprintf(c->filter->statuses[c->filter->status_count++], TZ_STATUS_MAX, "%s", code);
    }
    return TZ_OK;
}

static tz_err id_item(void *ctx, const char *item, size_t n)
{
    struct item_ctx *c = ctx;
    int64_t id;
    if (!read_id(item, n, &id))
        return TZ_EINVAL;
    c->ids[c->id_count++] = id;
    return TZ_OK;
}

/* Reads the window of requested_datetime: at most 90 days, the last 90 when none is given. */
static void read_window(const struct list_query *q, int64_t now, struct tz_report_filter *f,
                        struct o311_errors *e)
{
    int64_t start = 0, end = 0;
    if (q->start && tz_time_parse(q->start, strlen(q->start), &start) != TZ_OK)
        add_error(e, 400, "start_date must be a w3 date-time, e.g. 2010-01-01T00:00:00Z");
    if (q->end && tz_time_parse(q->end, strlen(q->end), &end) != TZ_OK)
        add_error(e, 400, "end_date must be a w3 date-time, e.g. 2010-01-01T00:00:00Z");
    else if (q->end && strlen(q->end) == 10) /* a bare date names its whole (Polish) day */
        end = tz_time_add_pl_days(end, 1) - 1;
    if (e->count)
        return;
    if (!q->start && !q->end) {
        end = now;
        start = now - WINDOW_S;
    } else if (!q->start) {
        start = end - WINDOW_S;
    } else if (!q->end) {
        end = start + WINDOW_S;
    } else if (end < start) {
        add_error(e, 400, "end_date is before start_date");
    } else if (end - start > WINDOW_S) {
        add_error(e, 400, "start_date and end_date may not span more than 90 days");
    }
    f->from = start > 0 ? start : 0;
    f->to = end >= 0 ? end + 1 : 1; /* end_date is the latest included; to is excluded */
}

static enum MHD_Result list_by_ids(struct request *req, enum format f, const char *ids_text)
{
    int64_t ids[IDS_MAX];
    struct item_ctx ctx = {.ids = ids};
    if (each_item(ids_text, IDS_MAX, id_item, &ctx))
        return send_error(req, f, 400,
                          "service_request_id must be a comma-separated list of at most %d ids",
                          IDS_MAX);
    int64_t now = tz_time_now();
    struct tz_buf b;
    struct doc d;
    tz_err err = TZ_OK;
    tz_buf_init(&b, BODY_MAX);
    doc_begin(&d, f, &b);
    doc_list(&d, "service_requests");
    for (size_t i = 0; i < ctx.id_count && !err; i++) {
        struct tz_report_rec r = {0};
        err = tz_threatmap_public_report(req->srv->tm, ids[i], now, &r);
        if (err == TZ_ENOTFOUND) {
            err = TZ_OK; /* not there, or not public: simply not in the list */
            continue;
        }
        if (!err)
            put_request(req->srv->tm, &d, &r, now);
        tz_report_rec_clear(&r);
    }
    doc_end(&d, "service_requests");
    if (err) {
        tz_buf_free(&b);
        return send_failure(req, f, err);
    }
    return send_doc(req, MHD_HTTP_OK, &d, &b);
}

static enum MHD_Result list_requests(struct request *req, enum format f)
{
    struct tz_threatmap *tm = req->srv->tm;
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    struct list_query q = {0};
    struct o311_errors e = {0};
    if (!http_query_params(req, params, &n))
        return send_error(req, f, 400, "too many query parameters");
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key, *v = param_value(&params[i]);
        const char **slot = strcmp(k, "service_request_id") == 0 ? &q.ids
                            : strcmp(k, "service_code") == 0     ? &q.codes
                            : strcmp(k, "start_date") == 0       ? &q.start
                            : strcmp(k, "end_date") == 0         ? &q.end
                            : strcmp(k, "status") == 0           ? &q.statuses
                                                                 : NULL;
        /* jurisdiction_id (one jurisdiction here) and api_key (reading needs none, but many
         * clients send it with every call) are accepted and ignored. */
        if (!slot && strcmp(k, "jurisdiction_id") != 0 && strcmp(k, "api_key") != 0)
            add_error(&e, 400, "unknown parameter %s", k);
        else if (slot && *slot && v)
            add_error(&e, 400, "parameter %s given twice", k);
        else if (slot && v)
            *slot = v;
    }
    if (e.count)
        return send_errors(req, f, &e, 0);
    if (q.ids)
        return list_by_ids(req, f, q.ids);

    int64_t now = tz_time_now();
    struct item_ctx ctx = {.tm = tm, .filter = &q.filter};
    if (q.codes && each_item(q.codes, TZ_FILTER_MAX_CATEGORIES, code_item, &ctx))
        add_error(&e, 400, "service_code must be a comma-separated list of known service codes");
    if (q.statuses && each_item(q.statuses, 2, status_item, &ctx))
        add_error(&e, 400, "status must be open, closed or open,closed");
    read_window(&q, now, &q.filter, &e);
    if (e.count)
        return send_errors(req, f, &e, 0);
    tz_threatmap_restrict_public(tm, &q.filter);

    struct tz_buf b;
    struct doc d;
    tz_err err = TZ_OK;
    size_t emitted = 0;
    bool more = true;
    tz_buf_init(&b, BODY_MAX);
    doc_begin(&d, f, &b);
    doc_list(&d, "service_requests");
    for (int round = 0; more && !err && emitted < LIST_MAX && round < LIST_SCAN_ROUNDS; round++) {
        struct tz_report_rec *recs = NULL;
        size_t count = 0;
        q.filter.limit = LIST_MAX;
        err = tz_threatmap_public_page(tm, &q.filter, now, &recs, &count, &more);
        for (size_t i = 0; !err && i < count && emitted < LIST_MAX; i++, emitted++)
            put_request(tm, &d, &recs[i], now);
        tz_report_recs_free(recs, count);
    }
    doc_end(&d, "service_requests");
    if (err) {
        tz_buf_free(&b);
        return send_failure(req, f, err);
    }
    return send_doc(req, MHD_HTTP_OK, &d, &b);
}

enum MHD_Result api_open311_get(struct request *req)
{
    struct o311_path p;
    bool shaped = parse_path(req->url, &p);
    enum format f = p.has_format ? p.format : FORMAT_XML; /* XML is the required format */
    if (!shaped)
        return send_error(req, f, 404, "no such resource");
    if (!p.has_format)
        return send_error(req, f, 400, "name the format: append .xml or .json to the resource");
    bool list = !p.has_arg;
    if (strcmp(p.resource, "discovery") == 0 && list)
        return discovery(req, f);
    if (strcmp(p.resource, "services") == 0)
        return list ? services(req, f) : service_definition(req, f, p.arg);
    if (strcmp(p.resource, "requests") == 0)
        return list ? list_requests(req, f) : one_request(req, f, p.arg);
    if (strcmp(p.resource, "tokens") == 0 && !list)
        return token(req, f, p.arg);
    return send_error(req, f, 404, "no such resource");
}

/* ---- service requests: POST --------------------------------------------------------------- */

/* The fields of a POST that we read; the others of the specification are accepted and dropped. */
struct post_fields {
    const char *api_key, *service_code, *lat, *lon, *address_string, *address_id, *description;
    const char *when_date;
    json_t *times, *weekdays; /* arrays of the multivaluelist values */
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
    for (size_t i = 0; i < ATTRIBUTE_COUNT; i++) {
        size_t n = strlen(attributes[i].code);
        if (strncmp(code, attributes[i].code, n) != 0 || code[n] != ']')
            continue;
        *many = strcmp(code + n + 1, "[]") == 0;
        if (code[n + 1] == '\0' || *many)
            return &attributes[i];
    }
    return NULL;
}

static bool value_known(const struct o311_attribute *a, const char *v)
{
    for (size_t k = 0; k < a->value_count; k++) {
        if (strcmp(a->values[k].key, v) == 0)
            return true;
    }
    return false;
}

static void read_attribute(struct post_fields *pf, const char *k, const char *v,
                           struct o311_errors *e)
{
    bool many = false;
    const struct o311_attribute *a = attribute_of(k, &many);
    if (!a) {
        add_error(e, 400, "unknown parameter %s", k);
        return;
    }
    if (!a->values) { /* when_date */
        if (pf->when_date)
            add_error(e, 400, "%s given twice", k);
        pf->when_date = v;
        return;
    }
    json_t *arr = a->values == times_of_day ? pf->times : pf->weekdays;
    if (!value_known(a, v))
        add_error(e, 400, "attribute[%s]: unknown value %s (see services/{service_code})", a->code,
                  v);
    else if (json_array_size(arr) >= a->value_count ||
             json_array_append_new(arr, json_string(v)) != 0)
        add_error(e, 400, "attribute[%s]: too many values", a->code);
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
                add_error(e, 400, "%s given twice", k);
            else if (v[0])
                *slot = v;
        } else if (!dropped(k) && v[0]) {
            read_attribute(pf, k, v, e);
        } else if (!dropped(k) && !attribute_of(k, &(bool){false})) {
            add_error(e, 400, "unknown parameter %s", k);
        }
    }
}

/* Reads lat or long: a finite number with nothing after it. */
static bool read_degrees(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v) || v < lo || v > hi)
        return false;
    *out = v;
    return true;
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

/* The JSON body of POST /api/v1/reports that says what the form says. */
static tz_err build_report_json(const struct post_fields *pf, double lat, double lon, char **out,
                                size_t *len)
{
    json_t *root = json_object();
    json_t *when = json_object();
    tz_err err = TZ_ENOMEM;
    if (!root || !when)
        goto done;
    if (json_object_set_new(root, "category", json_string(pf->service_code)) ||
        json_object_set_new(root, "lat", json_real(lat)) ||
        json_object_set_new(root, "lon", json_real(lon)))
        goto done;
    if (pf->description && json_object_set_new(root, "description", json_string(pf->description)))
        goto done;
    if (pf->when_date) {
        /* A date-time is cut to its date: "when" is a day. */
        size_t n = strlen(pf->when_date);
        json_t *date = json_stringn(pf->when_date, n > 10 && pf->when_date[10] == 'T' ? 10 : n);
        if (json_object_set_new(when, "date", date))
            goto done;
    }
    if (json_array_size(pf->times) && json_object_set(when, "times", pf->times))
        goto done;
    if (json_array_size(pf->weekdays) && json_object_set(when, "weekdays", pf->weekdays))
        goto done;
    if (json_object_size(when) && json_object_set(root, "when", when))
        goto done;
    *len = json_dumpb(root, NULL, 0, JSON_COMPACT);
    *out = *len ? malloc(*len) : NULL;
    if (*out && json_dumpb(root, *out, *len, JSON_COMPACT) == *len)
        err = TZ_OK;
done:
    json_decref(when);
    json_decref(root);
    return err;
}

/* After the commit: the service_request_id, or the error. */
static enum MHD_Result answer_committed(struct request *req, enum format f)
{
    /* A write that failed (a full disk past a size limit reads as TZ_EIO) rolled back: 503. */
    if (req->commit_err)
        return send_failure(req, f, req->commit_err == TZ_EIO ? TZ_ENOSPACE : req->commit_err);
    struct tz_buf b;
    struct doc d;
    tz_buf_init(&b, ERROR_BODY_MAX);
    doc_begin(&d, f, &b);
    doc_list(&d, "service_requests");
    doc_object(&d, "request");
    doc_literal(&d, "service_request_id", "%lld", (long long)req->sub.rec.id);
    doc_text(&d, "service_notice",
             "Received anonymously: no personal data was kept. The police take a report up "
             "within 2 days and verify it within 5.");
    doc_text(&d, "account_id", NULL);
    doc_end(&d, "request");
    doc_end(&d, "service_requests");
    return send_doc(req, MHD_HTTP_OK, &d, &b);
}

/* Checks the form and prepares the submission; an answer (error) when it goes wrong. */
static enum MHD_Result prepare_post(struct request *req, enum format f,
                                    const struct http_form *form, bool *prepared)
{
    struct tz_http *srv = req->srv;
    struct post_fields pf = {.times = json_array(), .weekdays = json_array()};
    struct o311_errors e = {0};
    enum MHD_Result ret = MHD_YES;
    char *body = NULL;
    size_t len = 0;
    *prepared = false;
    if (!pf.times || !pf.weekdays) {
        ret = send_failure(req, f, TZ_ENOMEM);
        goto done;
    }
    read_form(form, &pf, &e);
    if (!pf.api_key) /* some clients send it in the query string */
        pf.api_key = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "api_key");
    int64_t key_id = 0;
    tz_err err = tz_threatmap_apikey_check(srv->tm, pf.api_key, &key_id);
    if (err == TZ_EFORBIDDEN) {
        ret = send_error(req, f, 403, "api_key %s", pf.api_key ? "is not valid" : "is missing");
        goto done;
    }
    if (err) {
        ret = send_failure(req, f, err);
        goto done;
    }
    /* Counted once the key is known good, before any other work. */
    int retry_after = 0;
    if (!tz_ratelimit_take(srv->key_limit, &key_id, sizeof key_id, tz_time_mono_ns() / 1000000,
                           &retry_after)) {
        ret = send_error_retry(req, f, retry_after);
        goto done;
    }
    if (e.count) {
        ret = send_errors(req, f, &e, 0);
        goto done;
    }
    if (!pf.service_code) {
        ret = send_error(req, f, 400, "service_code was not provided");
        goto done;
    }
    if (!tz_threatmap_category(srv->tm, pf.service_code)) {
        ret = send_error(req, f, 404, "service_code %s not found", pf.service_code);
        goto done;
    }
    double lat = 0, lon = 0;
    if (!pf.lat && !pf.lon && (pf.address_string || pf.address_id)) {
        ret =
            send_error(req, f, 400, "this server has no geocoder: send the point as lat and long");
        goto done;
    }
    if (!pf.lat || !read_degrees(pf.lat, -90, 90, &lat))
        add_error(&e, 400, "lat %s",
                  pf.lat ? "must be a number from -90 to 90 (WGS 84)" : "was not provided");
    if (!pf.lon || !read_degrees(pf.lon, -180, 180, &lon))
        add_error(&e, 400, "long %s",
                  pf.lon ? "must be a number from -180 to 180 (WGS 84)" : "was not provided");
    if (e.count) {
        ret = send_errors(req, f, &e, 0);
        goto done;
    }
    if ((err = build_report_json(&pf, lat, lon, &body, &len))) {
        ret = send_failure(req, f, err);
        goto done;
    }
    char addr[INET6_ADDRSTRLEN];
    http_client_address(req, addr, sizeof addr);
    struct tz_field_errors errs = {0};
    err = tz_threatmap_prepare(srv->tm, body, len, addr, tz_time_now(), &req->sub, &errs);
    if (err == TZ_EINVAL) {
        for (size_t i = 0; i < errs.count; i++)
            add_error(&e, 400, "%s: %s", open311_field(errs.items[i].field), errs.items[i].message);
        ret = send_errors(req, f, &e, 0);
        goto done;
    }
    if (err) {
        ret = err == TZ_ETOOBIG ? send_error(req, f, 400, "the request is too large")
                                : send_failure(req, f, err);
        goto done;
    }
    req->sub.rec.api_key_id = key_id;
    *prepared = true;
done:
    free(body);
    json_decref(pf.times);
    json_decref(pf.weekdays);
    return ret;
}

enum MHD_Result api_open311_post(struct request *req)
{
    struct tz_http *srv = req->srv;
    struct o311_path p;
    bool shaped = parse_path(req->url, &p);
    enum format f = p.has_format ? p.format : FORMAT_XML;
    if (req->state == REQUEST_COMMITTED)
        return answer_committed(req, f);
    if (!shaped || strcmp(p.resource, "requests") != 0 || p.has_arg)
        return send_error(req, f, shaped ? 400 : 404,
                          shaped ? "only requests takes a POST" : "no such resource");
    if (!p.has_format)
        return send_error(req, f, 400, "name the format: append .xml or .json to the resource");
    if (atomic_load(&srv->closing))
        return send_failure(req, f, TZ_ECLOSED);
    const char *type =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    size_t form_type = strlen("application/x-www-form-urlencoded");
    if (!type || strncasecmp(type, "application/x-www-form-urlencoded", form_type) != 0 ||
        (type[form_type] != '\0' && type[form_type] != ';' && type[form_type] != ' '))
        return send_error(req, f, 400, "send the request as application/x-www-form-urlencoded");

    struct http_form form;
    tz_err err = http_form_parse(req->body.data ? req->body.data : "", req->body.len, &form);
    enum MHD_Result ret;
    bool prepared = false;
    if (err == TZ_EMALFORMED)
        ret = send_error(req, f, 400, "the form is not valid x-www-form-urlencoded text");
    else if (err == TZ_ETOOBIG)
        ret = send_error(req, f, 400, "more than %d form fields", HTTP_FORM_PARAMS_MAX);
    else if (err)
        ret = send_failure(req, f, err);
    else
        ret = prepare_post(req, f, &form, &prepared);
    http_form_free(&form);
    if (!prepared)
        return ret;

    return http_submit_report(req);
}
