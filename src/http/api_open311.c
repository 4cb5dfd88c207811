/*
 * api_open311.c - Open311 GeoReport v2 under /open311/v2/, as the published
 * specification describes it (http://wiki.open311.org/GeoReport_v2; see
 * docs/open311.md for how our data maps onto it). Every resource answers in
 * XML or JSON by its suffix (.xml, .json), errors too, in the specification's
 * <errors><error><code/><description/></error></errors> form.
 *
 * This file reads the path (resource, argument, format), answers discovery,
 * the services (one category is one service) and their definitions, and
 * hands the rest on: reading requests to open311_requests.c, the POST to
 * open311_post.c. Every document is written through open311_doc.c.
 */
#include <stdio.h>
#include <string.h>

#include "base/num.h"
#include "base/tztime.h"
#include "http/open311.h"

#define SPECIFICATION "http://wiki.open311.org/GeoReport_v2"
#define CHANGESET "2026-11-25T00:00:00Z" /* when the services or this mapping last changed */
#define ARG_MAX 128
#define WINDOW_S (90 * 86400) /* the specification's longest window of dates */

/* The path after the prefix: resource[/arg].format */
struct o311_path {
    char resource[32]; /* servicerequestupdates, the longest */
    char arg[ARG_MAX];
    bool has_arg;
    bool has_format;
    enum o311_format format;
};

/* Reads the path; false when it has no known resource shape (the format may still be missing). */
static bool parse_path(const char *url, struct o311_path *p)
{
    memset(p, 0, sizeof *p);
    const char *rest = url + strlen(O311_PREFIX);
    const char *dot = strrchr(rest, '.');
    size_t stem = dot ? (size_t)(dot - rest) : strlen(rest);
    if (dot && strcmp(dot, ".xml") == 0) {
        p->has_format = true;
        p->format = O311_XML;
    } else if (dot && strcmp(dot, ".json") == 0) {
        p->has_format = true;
        p->format = O311_JSON;
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

bool o311_read_id(const char *s, size_t n, int64_t *out)
{
    if (n == 0 || n > 15 || s[0] < '0' || s[0] > '9') /* no sign */
        return false;
    return tz_num_parse_i64(s, n, 1, INT64_MAX, out) == TZ_OK;
}

const char *o311_param_value(const struct tz_query_param *p)
{
    return p->value && p->value[0] ? p->value : NULL;
}

void o311_read_window(const char *start_text, const char *end_text, int64_t now, int64_t *from,
                      int64_t *to, struct o311_errors *e)
{
    int64_t start = 0, end = 0;
    if (start_text && tz_time_parse(start_text, strlen(start_text), &start) != TZ_OK)
        o311_add_error(e, 400, "start_date must be a w3 date-time, e.g. 2010-01-01T00:00:00Z");
    if (end_text && tz_time_parse(end_text, strlen(end_text), &end) != TZ_OK)
        o311_add_error(e, 400, "end_date must be a w3 date-time, e.g. 2010-01-01T00:00:00Z");
    else if (end_text && strlen(end_text) == 10) /* a bare date names its whole (Polish) day */
        end = tz_time_add_pl_days(end, 1) - 1;
    if (e->count)
        return;
    if (!start_text && !end_text) {
        end = now;
        start = now - WINDOW_S;
    } else if (!start_text) {
        start = end - WINDOW_S;
    } else if (!end_text) {
        end = start + WINDOW_S;
    } else if (end < start) {
        o311_add_error(e, 400, "end_date is before start_date");
    } else if (end - start > WINDOW_S) {
        o311_add_error(e, 400, "start_date and end_date may not span more than 90 days");
    }
    *from = start > 0 ? start : 0;
    *to = end >= 0 ? end + 1 : 1; /* end_date is the latest included; to is excluded */
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

static enum MHD_Result discovery(struct request *req, enum o311_format f)
{
    char url[320];
    endpoint_url(req, url, sizeof url);
    struct tz_buf b;
    struct o311_doc d;
    tz_buf_init(&b, O311_SMALL_MAX);
    o311_doc_begin(&d, f, &b);
    o311_doc_object(&d, "discovery");
    o311_doc_text(&d, "changeset", CHANGESET);
    o311_doc_text(&d, "contact", "The police unit that runs this tarcza server.");
    o311_doc_text(&d, "key_service",
                  "API keys for POST are issued by the administrator of this server.");
    o311_doc_list(&d, "endpoints");
    o311_doc_object(&d, "endpoint");
    o311_doc_text(&d, "specification", SPECIFICATION);
    o311_doc_text(&d, "url", url);
    o311_doc_text(&d, "changeset", CHANGESET);
    o311_doc_text(&d, "type", "production");
    o311_doc_list(&d, "formats");
    o311_doc_text(&d, "format", "text/xml");
    o311_doc_text(&d, "format", "application/json");
    o311_doc_end(&d, "formats");
    o311_doc_end(&d, "endpoint");
    o311_doc_end(&d, "endpoints");
    o311_doc_end(&d, "discovery");
    return o311_send_doc(req, MHD_HTTP_OK, &d, &b);
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

static void put_service(struct request *req, struct o311_doc *d, const struct tz_category_rec *c)
{
    const struct tz_group_rec *g = tz_threatmap_group(req->srv->tm, c->group);
    char description[512], keywords[512];
    service_description(c, description, sizeof description);
    snprintf(keywords, sizeof keywords, "%s, %s, %s, %s", c->code, c->name_pl, c->group,
             g ? g->name_pl : c->group);
    o311_doc_object(d, "service");
    o311_doc_text(d, "service_code", c->code);
    o311_doc_text(d, "service_name", c->name_en);
    o311_doc_text(d, "description", description);
    o311_doc_bool(d, "metadata", true); /* every service has the "when" attributes */
    o311_doc_text(d, "type", "realtime");
    o311_doc_text(d, "keywords", keywords);
    o311_doc_text(d, "group", g ? g->name_en : c->group);
    o311_doc_end(d, "service");
}

static enum MHD_Result services(struct request *req, enum o311_format f)
{
    struct tz_threatmap *tm = req->srv->tm;
    struct tz_buf b;
    struct o311_doc d;
    tz_buf_init(&b, O311_BODY_MAX);
    o311_doc_begin(&d, f, &b);
    o311_doc_list(&d, "services");
    for (size_t i = 0; i < tz_threatmap_category_count(tm); i++) {
        const struct tz_category_rec *c = tz_threatmap_category_at(tm, i);
        if (!c->retired) /* a retired category takes no new reports */
            put_service(req, &d, c);
    }
    o311_doc_end(&d, "services");
    return o311_send_doc(req, MHD_HTTP_OK, &d, &b);
}

/* The attributes of every service: when it happens (DESIGN 1.1, as KMZB asks). */
static const struct o311_value times_of_day[] = {
    {"morning", "Morning"}, {"afternoon", "Afternoon"}, {"evening", "Evening"}, {"night", "Night"}};
static const struct o311_value weekdays[] = {
    {"mon", "Monday"}, {"tue", "Tuesday"},  {"wed", "Wednesday"}, {"thu", "Thursday"},
    {"fri", "Friday"}, {"sat", "Saturday"}, {"sun", "Sunday"}};
const struct o311_attribute o311_attributes[O311_ATTRIBUTE_COUNT] = {
    {"when_date", "datetime", "A date, YYYY-MM-DD (a date-time is cut to its date)",
     "On which day does it happen?", NULL, 0, NULL},
    {"when_times", "multivaluelist", NULL, "At which times of day does it happen?", times_of_day,
     sizeof times_of_day / sizeof times_of_day[0], tz_when_times},
    {"when_weekdays", "multivaluelist", NULL, "On which days of the week does it happen?", weekdays,
     sizeof weekdays / sizeof weekdays[0], tz_when_weekdays},
};

static enum MHD_Result service_definition(struct request *req, enum o311_format f, const char *code)
{
    const struct tz_category_rec *c = tz_threatmap_category(req->srv->tm, code);
    if (!c || c->retired) /* a retired category is not a service: the list leaves it out too */
        return o311_send_error(req, f, 404, "service_code %s not found", code);
    struct tz_buf b;
    struct o311_doc d;
    tz_buf_init(&b, O311_SMALL_MAX);
    o311_doc_begin(&d, f, &b);
    o311_doc_object(&d, "service_definition");
    o311_doc_text(&d, "service_code", c->code);
    o311_doc_list(&d, "attributes");
    for (size_t i = 0; i < O311_ATTRIBUTE_COUNT; i++) {
        const struct o311_attribute *a = &o311_attributes[i];
        o311_doc_object(&d, "attribute");
        o311_doc_bool(&d, "variable", true);
        o311_doc_text(&d, "code", a->code);
        o311_doc_text(&d, "datatype", a->datatype);
        o311_doc_bool(&d, "required", false);
        o311_doc_text(&d, "datatype_description", a->datatype_description);
        o311_doc_int(&d, "order", (int64_t)(i + 1));
        o311_doc_text(&d, "description", a->description);
        if (a->values) {
            o311_doc_list(&d, "values");
            for (size_t k = 0; k < a->value_count; k++) {
                o311_doc_object(&d, "value");
                o311_doc_text(&d, "key", a->values[k].key);
                o311_doc_text(&d, "name", a->values[k].name);
                o311_doc_end(&d, "value");
            }
            o311_doc_end(&d, "values");
        }
        o311_doc_end(&d, "attribute");
    }
    o311_doc_end(&d, "attributes");
    o311_doc_end(&d, "service_definition");
    return o311_send_doc(req, MHD_HTTP_OK, &d, &b);
}

enum MHD_Result api_open311_get(struct request *req)
{
    struct o311_path p;
    bool shaped = parse_path(req->url, &p);
    enum o311_format f = p.has_format ? p.format : O311_XML; /* XML is the required format */
    if (!shaped)
        return o311_send_error(req, f, 404, "no such resource");
    if (!p.has_format)
        return o311_send_error(req, f, 400,
                               "name the format: append .xml or .json to the resource");
    bool list = !p.has_arg;
    if (strcmp(p.resource, "discovery") == 0 && list)
        return discovery(req, f);
    if (strcmp(p.resource, "services") == 0)
        return list ? services(req, f) : service_definition(req, f, p.arg);
    if (strcmp(p.resource, "requests") == 0)
        return list ? o311_list_requests(req, f) : o311_one_request(req, f, p.arg);
    if (strcmp(p.resource, "tokens") == 0 && !list)
        return o311_token(req, f, p.arg);
    if (strcmp(p.resource, "servicerequestupdates") == 0 && list)
        return o311_list_updates(req, f);
    return o311_send_error(req, f, 404, "no such resource");
}

enum MHD_Result api_open311_post(struct request *req)
{
    struct o311_path p;
    bool shaped = parse_path(req->url, &p);
    enum o311_format f = p.has_format ? p.format : O311_XML;
    if (req->state == REQUEST_COMMITTED)
        return o311_answer_committed(req, f);
    if (!shaped || strcmp(p.resource, "requests") != 0 || p.has_arg)
        return o311_send_error(req, f, shaped ? 400 : 404,
                               shaped ? "only requests takes a POST" : "no such resource");
    if (!p.has_format)
        return o311_send_error(req, f, 400,
                               "name the format: append .xml or .json to the resource");
    return o311_post_request(req, f);
}
