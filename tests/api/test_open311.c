/*
 * Open311 GeoReport v2 and open-data API tests: the real `tarcza serve` with
 * a fresh demo database, every /open311/v2/ resource in both formats, every
 * documented error, a round trip (POST, then by id, by token and in a date
 * window), the per-key rate limit, and the streamed exports. XML is parsed
 * with libxml2 (well-formed, the specification's element names); JSON is
 * checked against the specification's field names and types.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_client.h"

static const char *tarcza_binary;
static struct api_server server;

#define V2 "/open311/v2/"
#define SPEC "http://wiki.open311.org/GeoReport_v2"
/* A point in the Main Market Square, Kraków: inside the demo districts. */
#define RYNEK "lat=50.0617&long=19.9373"
/* The limit the server runs with: 5 POSTs at once per key, then one a minute. */
#define KEY_BURST 5

static int start_server(void **state)
{
    if (api_prepare(&server, tarcza_binary, 30) != 0)
        return -1;
    server.serve_args[0] = "--key-rate";
    server.serve_args[1] = "1";
    server.serve_args[2] = "--key-burst";
    server.serve_args[3] = "5";
    return api_start(&server);
}

/* cmocka reports a failed group teardown but does not count it: main() does (LeakSanitizer). */
static int server_exit_status;

static int stop_server(void **state)
{
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

/* Issues a new API key through the command line (as an admin would); returns its id. */
static long long new_key(const char *name, char *key, size_t size)
{
    char out[300];
    snprintf(out, sizeof out, "%s/key.txt", server.dir);
    assert_int_equal(api_run_cli(&server, out, "apikey", "add", name, NULL), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    long long id = 0;
    char text[128] = "";
    assert_int_equal(fscanf(f, "%lld %127s", &id, text), 2);
    fclose(f);
    unlink(out);
    assert_true(id > 0);
    assert_true(strncmp(text, "tz311_", 6) == 0);
    snprintf(key, size, "%s", text);
    return id;
}

static int post_form(const char *path, const char *form, struct api_response *r)
{
    return api_request(&server, "POST", path, "application/x-www-form-urlencoded", form,
                       strlen(form), 0, r);
}

/* ---- checking documents ------------------------------------------------------------------- */

/* Parses an XML answer; fails the test when it is not well-formed. Free with xmlFreeDoc. */
static xmlDocPtr parse_xml(const struct api_response *r)
{
    assert_true(strncmp(r->body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>", 38) == 0);
    xmlDocPtr doc = xmlReadMemory(r->body, (int)r->len, "answer.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        fprintf(stderr, "not well-formed XML:\n%s\n", r->body);
    assert_non_null(doc);
    return doc;
}

static bool name_in(const xmlChar *name, const char *const *names)
{
    for (size_t i = 0; names[i]; i++) {
        if (xmlStrcmp(name, (const xmlChar *)names[i]) == 0)
            return true;
    }
    return false;
}

/* Every element child of node is named in `names`; returns how many there are. */
static size_t check_children(xmlNodePtr node, const char *const *names)
{
    size_t n = 0;
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!name_in(c->name, names))
            fprintf(stderr, "unexpected element <%s> in <%s>\n", c->name, node->name);
        assert_true(name_in(c->name, names));
        n++;
    }
    return n;
}

static xmlNodePtr child(xmlNodePtr node, const char *name)
{
    for (xmlNodePtr c = node->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, (const xmlChar *)name) == 0)
            return c;
    }
    return NULL;
}

/* The text of node's child `name` (caller frees with xmlFree), NULL if there is no such child. */
static xmlChar *child_text(xmlNodePtr node, const char *name)
{
    xmlNodePtr c = child(node, name);
    return c ? xmlNodeGetContent(c) : NULL;
}

static xmlNodePtr root_named(xmlDocPtr doc, const char *name)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_non_null(root);
    assert_string_equal((const char *)root->name, name);
    return root;
}

/* A JSON field's kinds: string, integer, real, boolean, with or without null. */
enum kind { K_STR = 1, K_INT = 2, K_REAL = 4, K_BOOL = 8, K_NULL = 16 };

struct field {
    const char *name;
    unsigned kinds;
};

static bool kind_ok(json_t *v, unsigned kinds)
{
    return ((kinds & K_STR) && json_is_string(v)) || ((kinds & K_INT) && json_is_integer(v)) ||
           ((kinds & K_REAL) && json_is_number(v)) || ((kinds & K_BOOL) && json_is_boolean(v)) ||
           ((kinds & K_NULL) && json_is_null(v));
}

/* obj has exactly these fields, each of its kinds. */
static void check_fields(json_t *obj, const struct field *fields, size_t count)
{
    assert_true(json_is_object(obj));
    for (size_t i = 0; i < count; i++) {
        json_t *v = json_object_get(obj, fields[i].name);
        if (!v || !kind_ok(v, fields[i].kinds))
            fprintf(stderr, "field %s missing or of the wrong type\n", fields[i].name);
        assert_non_null(v);
        assert_true(kind_ok(v, fields[i].kinds));
    }
    assert_int_equal(json_object_size(obj), count);
}

/* The fields of a service request (GET requests, GET requests/{id}). */
static const struct field request_fields[] = {
    {"service_request_id", K_INT},
    {"status", K_STR},
    {"status_notes", K_STR | K_NULL},
    {"service_name", K_STR},
    {"service_code", K_STR},
    {"description", K_STR | K_NULL},
    {"agency_responsible", K_STR | K_NULL},
    {"service_notice", K_STR | K_NULL},
    {"requested_datetime", K_STR},
    {"updated_datetime", K_STR},
    {"expected_datetime", K_STR | K_NULL},
    {"address", K_STR | K_NULL},
    {"address_id", K_STR | K_NULL},
    {"zipcode", K_STR | K_NULL},
    {"lat", K_REAL},
    {"long", K_REAL},
    {"media_url", K_STR | K_NULL},
};
#define REQUEST_FIELDS (sizeof request_fields / sizeof request_fields[0])
static const char *const request_elements[] = {"service_request_id",
                                               "status",
                                               "status_notes",
                                               "service_name",
                                               "service_code",
                                               "description",
                                               "agency_responsible",
                                               "service_notice",
                                               "requested_datetime",
                                               "updated_datetime",
                                               "expected_datetime",
                                               "address",
                                               "address_id",
                                               "zipcode",
                                               "lat",
                                               "long",
                                               "media_url",
                                               NULL};

static void check_request_json(json_t *req)
{
    check_fields(req, request_fields, REQUEST_FIELDS);
    const char *status = json_string_value(json_object_get(req, "status"));
    assert_true(strcmp(status, "open") == 0 || strcmp(status, "closed") == 0);
}

/* An errors answer: the HTTP status, and one or more errors whose first code is that status. */
static void check_errors_json(const struct api_response *r, long status)
{
    static const struct field error_fields[] = {{"code", K_INT}, {"description", K_STR}};
    if (r->status != status)
        fprintf(stderr, "expected %ld, got %ld: %s\n", status, r->status, r->body);
    assert_int_equal(r->status, status);
    char type[128];
    assert_int_equal(api_header(r, "Content-Type", type, sizeof type), 0);
    assert_string_equal(type, "application/json; charset=utf-8");
    assert_true(json_is_array(r->json));
    assert_true(json_array_size(r->json) >= 1);
    size_t i;
    json_t *e;
    json_array_foreach(r->json, i, e) check_fields(e, error_fields, 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(r->json, 0), "code")),
                     status);
}

static void check_errors_xml(const struct api_response *r, long status)
{
    static const char *const error_list[] = {"error", NULL};
    static const char *const error_elements[] = {"code", "description", NULL};
    if (r->status != status)
        fprintf(stderr, "expected %ld, got %ld: %s\n", r->status, status, r->body);
    assert_int_equal(r->status, status);
    char type[128];
    assert_int_equal(api_header(r, "Content-Type", type, sizeof type), 0);
    assert_string_equal(type, "text/xml; charset=utf-8");
    xmlDocPtr doc = parse_xml(r);
    xmlNodePtr root = root_named(doc, "errors");
    assert_true(check_children(root, error_list) >= 1);
    xmlNodePtr first = child(root, "error");
    assert_int_equal(check_children(first, error_elements), 2);
    xmlChar *code = child_text(first, "code");
    assert_int_equal(strtol((const char *)code, NULL, 10), status);
    xmlFree(code);
    xmlFreeDoc(doc);
}

/* GET path.json and path.xml must both be the error `status`. */
static void get_error_both(const char *path, long status)
{
    char url[512];
    struct api_response r;
    snprintf(url, sizeof url, "%s.json", path);
    assert_int_equal(api_get(&server, url, &r), 0);
    check_errors_json(&r, status);
    api_response_free(&r);
    snprintf(url, sizeof url, "%s.xml", path);
    assert_int_equal(api_get(&server, url, &r), 0);
    check_errors_xml(&r, status);
    api_response_free(&r);
}

/* ---- discovery and services --------------------------------------------------------------- */

static void discovery_in_both_formats(void **state)
{
    struct api_response r;
    assert_int_equal(api_get(&server, V2 "discovery.json", &r), 0);
    assert_int_equal(r.status, 200);
    static const struct field fields[] = {
        {"changeset", K_STR}, {"contact", K_STR}, {"key_service", K_STR}, {"endpoints", 0}};
    assert_true(json_is_array(json_object_get(r.json, "endpoints")));
    json_t *ep = json_array_get(json_object_get(r.json, "endpoints"), 0);
    assert_string_equal(json_string_value(json_object_get(ep, "specification")), SPEC);
    assert_string_equal(json_string_value(json_object_get(ep, "type")), "production");
    json_t *formats = json_object_get(ep, "formats");
    assert_int_equal(json_array_size(formats), 2);
    assert_string_equal(json_string_value(json_array_get(formats, 0)), "text/xml");
    assert_string_equal(json_string_value(json_array_get(formats, 1)), "application/json");
    const char *url = json_string_value(json_object_get(ep, "url"));
    assert_non_null(strstr(url, "/open311/v2"));
    for (size_t i = 0; i < 3; i++)
        assert_true(kind_ok(json_object_get(r.json, fields[i].name), fields[i].kinds));
    api_response_free(&r);

    static const char *const top[] = {"changeset", "contact", "key_service", "endpoints", NULL};
    static const char *const endpoints[] = {"endpoint", NULL};
    static const char *const endpoint[] = {"specification", "url",     "changeset",
                                           "type",          "formats", NULL};
    static const char *const format[] = {"format", NULL};
    assert_int_equal(api_get(&server, V2 "discovery.xml", &r), 0);
    assert_int_equal(r.status, 200);
    xmlDocPtr doc = parse_xml(&r);
    xmlNodePtr root = root_named(doc, "discovery");
    assert_int_equal(check_children(root, top), 4);
    xmlNodePtr e = child(child(root, "endpoints"), "endpoint");
    assert_int_equal(check_children(child(root, "endpoints"), endpoints), 1);
    assert_int_equal(check_children(e, endpoint), 5);
    assert_int_equal(check_children(child(e, "formats"), format), 2);
    xmlFreeDoc(doc);
    api_response_free(&r);
}

static void services_are_the_categories(void **state)
{
    static const struct field fields[] = {{"service_code", K_STR}, {"service_name", K_STR},
                                          {"description", K_STR},  {"metadata", K_BOOL},
                                          {"type", K_STR},         {"keywords", K_STR},
                                          {"group", K_STR}};
    struct api_response r, c;
    assert_int_equal(api_get(&server, V2 "services.json", &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(r.json), 27); /* the KMZB catalogue, none retired */
    size_t i;
    json_t *s;
    json_array_foreach(r.json, i, s)
    {
        check_fields(s, fields, sizeof fields / sizeof fields[0]);
        assert_string_equal(json_string_value(json_object_get(s, "type")), "realtime");
        assert_true(json_is_true(json_object_get(s, "metadata")));
    }
    json_t *first = json_array_get(r.json, 0);
    assert_string_equal(json_string_value(json_object_get(first, "service_code")),
                        "illegal_parking");
    assert_string_equal(json_string_value(json_object_get(first, "group")), "Road safety");
    assert_non_null(
        strstr(json_string_value(json_object_get(first, "keywords")), "nieprawidłowe parkowanie"));

    /* The same services in XML, element for element. */
    static const char *const service_list[] = {"service", NULL};
    static const char *const service[] = {"service_code", "service_name", "description", "metadata",
                                          "type",         "keywords",     "group",       NULL};
    assert_int_equal(api_get(&server, V2 "services.xml", &c), 0);
    assert_int_equal(c.status, 200);
    xmlDocPtr doc = parse_xml(&c);
    xmlNodePtr root = root_named(doc, "services");
    assert_int_equal(check_children(root, service_list), 27);
    for (xmlNodePtr n = root->children; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE)
            assert_int_equal(check_children(n, service), 7);
    }
    xmlChar *name = child_text(child(root, "service"), "service_name");
    assert_string_equal((const char *)name, "Illegal parking");
    xmlFree(name);
    xmlFreeDoc(doc);
    api_response_free(&r);
    api_response_free(&c);
}

static void service_definitions_list_the_attributes(void **state)
{
    static const struct field attribute_fields[] = {{"variable", K_BOOL},
                                                    {"code", K_STR},
                                                    {"datatype", K_STR},
                                                    {"required", K_BOOL},
                                                    {"datatype_description", K_STR | K_NULL},
                                                    {"order", K_INT},
                                                    {"description", K_STR}};
    struct api_response r;
    assert_int_equal(api_get(&server, V2 "services/dangerous_entertainment.json", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "service_code")),
                        "dangerous_entertainment");
    json_t *attrs = json_object_get(r.json, "attributes");
    assert_int_equal(json_array_size(attrs), 3);
    size_t i;
    json_t *a;
    json_array_foreach(attrs, i, a)
    {
        json_t *values = json_object_get(a, "values");
        size_t expected = sizeof attribute_fields / sizeof attribute_fields[0] + (values ? 1 : 0);
        for (size_t f = 0; f < sizeof attribute_fields / sizeof attribute_fields[0]; f++)
            assert_true(
                kind_ok(json_object_get(a, attribute_fields[f].name), attribute_fields[f].kinds));
        assert_int_equal(json_object_size(a), expected);
        assert_int_equal(json_integer_value(json_object_get(a, "order")), (json_int_t)i + 1);
        const char *type = json_string_value(json_object_get(a, "datatype"));
        assert_true(strcmp(type, "datetime") == 0 || strcmp(type, "multivaluelist") == 0);
        if (strcmp(type, "multivaluelist") == 0) {
            static const struct field value_fields[] = {{"key", K_STR}, {"name", K_STR}};
            assert_true(json_array_size(values) >= 4);
            size_t k;
            json_t *v;
            json_array_foreach(values, k, v) check_fields(v, value_fields, 2);
        }
    }
    api_response_free(&r);

    static const char *const top[] = {"service_code", "attributes", NULL};
    static const char *const attribute[] = {
        "variable", "code",        "datatype", "required", "datatype_description",
        "order",    "description", "values",   NULL};
    assert_int_equal(api_get(&server, V2 "services/dangerous_entertainment.xml", &r), 0);
    assert_int_equal(r.status, 200);
    xmlDocPtr doc = parse_xml(&r);
    xmlNodePtr root = root_named(doc, "service_definition");
    assert_int_equal(check_children(root, top), 2);
    for (xmlNodePtr n = child(root, "attributes")->children; n; n = n->next) {
        assert_string_equal((const char *)n->name, "attribute");
        assert_true(check_children(n, attribute) >= 7);
    }
    xmlFreeDoc(doc);
    api_response_free(&r);

    get_error_both(V2 "services/no_such_service", 404);
}

/* ---- the round trip ----------------------------------------------------------------------- */

static void a_posted_request_reads_back_by_id_token_and_date(void **state)
{
    char key[128], form[1024], path[256];
    long long key_id = new_key("Miasto Kraków", key, sizeof key);
    long before = api_count_reports(&server);
    long sources = api_count_rows(&server, "report_sources");

    /* JSON, with the personal fields clients send (accepted, dropped) and the attributes. */
    struct api_response r;
    snprintf(form, sizeof form,
             "api_key=%s&jurisdiction_id=krakow.pl&service_code=illegal_parking&" RYNEK
             "&description=Auta+na+chodniku%%2C%%0D%%0Aprzy+fontannie&email=jan%%40example.pl"
             "&first_name=Jan&last_name=Kowalski&phone=123&device_id=d&media_url=http%%3A%%2F%%2Fx"
             "&attribute[when_times][]=morning&attribute[when_times][]=night"
             "&attribute[when_weekdays][]=sat&attribute[when_date]=2026-11-20T08:00:00Z",
             key);
    assert_int_equal(post_form(V2 "requests.json", form, &r), 0);
    if (r.status != 200)
        fprintf(stderr, "POST answered %ld: %s\n", r.status, r.body);
    assert_int_equal(r.status, 200);
    static const struct field created[] = {
        {"service_request_id", K_INT}, {"service_notice", K_STR}, {"account_id", K_NULL}};
    assert_int_equal(json_array_size(r.json), 1);
    check_fields(json_array_get(r.json, 0), created, 3); /* realtime: an id, no token */
    long long id =
        json_integer_value(json_object_get(json_array_get(r.json, 0), "service_request_id"));
    assert_true(id > 0);
    api_response_free(&r);
    assert_int_equal(api_count_reports(&server), before + 1);
    /* Which key sent it is stored beside the report. */
    assert_int_equal(api_count_rows(&server, "report_sources"), sources + 1);
    (void)key_id;

    /* By id, JSON. */
    snprintf(path, sizeof path, V2 "requests/%lld.json", id);
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(r.json), 1);
    json_t *req = json_array_get(r.json, 0);
    check_request_json(req);
    assert_int_equal(json_integer_value(json_object_get(req, "service_request_id")), id);
    assert_string_equal(json_string_value(json_object_get(req, "status")), "open");
    assert_non_null(strstr(json_string_value(json_object_get(req, "status_notes")), "new"));
    assert_string_equal(json_string_value(json_object_get(req, "service_code")), "illegal_parking");
    assert_string_equal(json_string_value(json_object_get(req, "address")), "Stare Miasto");
    assert_non_null(
        strstr(json_string_value(json_object_get(req, "agency_responsible")), "Komisariat"));
    assert_true(json_is_null(json_object_get(req, "description")));         /* not yet reviewed */
    assert_true(json_is_string(json_object_get(req, "expected_datetime"))); /* take-up due */
    assert_true(json_real_value(json_object_get(req, "lat")) > 50.06);
    char requested[64];
    snprintf(requested, sizeof requested, "%s",
             json_string_value(json_object_get(req, "requested_datetime")));
    api_response_free(&r);

    /* By id, XML: the same request, element names as the specification's. */
    static const char *const request_list[] = {"request", NULL};
    snprintf(path, sizeof path, V2 "requests/%lld.xml", id);
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(r.status, 200);
    xmlDocPtr doc = parse_xml(&r);
    xmlNodePtr root = root_named(doc, "service_requests");
    assert_int_equal(check_children(root, request_list), 1);
    assert_int_equal(check_children(child(root, "request"), request_elements), REQUEST_FIELDS);
    xmlChar *text = child_text(child(root, "request"), "service_request_id");
    assert_int_equal(strtoll((const char *)text, NULL, 10), id);
    xmlFree(text);
    xmlFreeDoc(doc);
    api_response_free(&r);

    /* By token, both formats. */
    snprintf(path, sizeof path, V2 "tokens/%lld.json", id);
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(r.status, 200);
    static const struct field token_fields[] = {{"service_request_id", K_INT}, {"token", K_STR}};
    check_fields(json_array_get(r.json, 0), token_fields, 2);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(r.json, 0), "service_request_id")), id);
    api_response_free(&r);
    static const char *const token_elements[] = {"service_request_id", "token", NULL};
    snprintf(path, sizeof path, V2 "tokens/%lld.xml", id);
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(r.status, 200);
    doc = parse_xml(&r);
    root = root_named(doc, "service_requests");
    assert_int_equal(check_children(child(root, "request"), token_elements), 2);
    xmlFreeDoc(doc);
    api_response_free(&r);

    /* In a date-filtered list: an hour either side of its requested_datetime, and not outside. */
    time_t t = time(NULL);
    char start[32], end[32], old_start[32], old_end[32];
    strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%SZ", gmtime(&(time_t){t - 3600}));
    strftime(end, sizeof end, "%Y-%m-%dT%H:%M:%SZ", gmtime(&(time_t){t + 3600}));
    strftime(old_start, sizeof old_start, "%Y-%m-%dT%H:%M:%SZ", gmtime(&(time_t){t - 40 * 86400}));
    strftime(old_end, sizeof old_end, "%Y-%m-%dT%H:%M:%SZ", gmtime(&(time_t){t - 30 * 86400}));
    snprintf(path, sizeof path, V2 "requests.json?start_date=%s&end_date=%s&status=open", start,
             end);
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(r.status, 200);
    bool found = false;
    size_t i;
    json_t *item;
    json_array_foreach(r.json, i, item)
    {
        check_request_json(item);
        found = found || json_integer_value(json_object_get(item, "service_request_id")) == id;
    }
    assert_true(found);
    api_response_free(&r);
    snprintf(path, sizeof path, V2 "requests.xml?start_date=%s&end_date=%s", old_start, old_end);
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(r.status, 200);
    doc = parse_xml(&r);
    root = root_named(doc, "service_requests");
    for (xmlNodePtr n = root->children; n; n = n->next) {
        xmlChar *sid = child_text(n, "service_request_id");
        assert_int_not_equal(strtoll((const char *)sid, NULL, 10), id);
        xmlFree(sid);
    }
    xmlFreeDoc(doc);
    api_response_free(&r);
    (void)requested;
}

static void posting_in_xml_answers_xml(void **state)
{
    char key[128], form[512];
    new_key("xml client", key, sizeof key);
    struct api_response r;
    snprintf(form, sizeof form, "api_key=%s&service_code=stray_dogs&" RYNEK, key);
    assert_int_equal(post_form(V2 "requests.xml", form, &r), 0);
    assert_int_equal(r.status, 200);
    static const char *const request_list[] = {"request", NULL};
    static const char *const created[] = {"service_request_id", "service_notice", "account_id",
                                          NULL};
    xmlDocPtr doc = parse_xml(&r);
    xmlNodePtr root = root_named(doc, "service_requests");
    assert_int_equal(check_children(root, request_list), 1);
    assert_int_equal(check_children(child(root, "request"), created), 3);
    xmlFreeDoc(doc);
    api_response_free(&r);
}

/* ---- errors ------------------------------------------------------------------------------- */

/* POSTs form to requests.json and requests.xml; both must be the error `status`. */
static void post_error_both(const char *form, long status)
{
    struct api_response r;
    assert_int_equal(post_form(V2 "requests.json", form, &r), 0);
    check_errors_json(&r, status);
    api_response_free(&r);
    assert_int_equal(post_form(V2 "requests.xml", form, &r), 0);
    check_errors_xml(&r, status);
    api_response_free(&r);
}

static void every_documented_error(void **state)
{
    char key[128], key2[128], revoked[128], form[512];
    new_key("errors", key, sizeof key);
    new_key("errors 2", key2, sizeof key2);
    long long revoked_id = new_key("revoked", revoked, sizeof revoked);
    long before = api_count_reports(&server);

    /* 403: no api_key, a wrong one, a revoked one. */
    post_error_both("service_code=illegal_parking&" RYNEK, 403);
    post_error_both("api_key=tz311_not-a-key&service_code=illegal_parking&" RYNEK, 403);
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%lld", revoked_id);
    assert_int_equal(api_run_cli(&server, NULL, "apikey", "revoke", id_text, NULL), 0);
    snprintf(form, sizeof form, "api_key=%s&service_code=illegal_parking&" RYNEK, revoked);
    post_error_both(form, 403);

    /* 400: no service_code; 404: an unknown one (each key: at most KEY_BURST POSTs). */
    snprintf(form, sizeof form, "api_key=%s&" RYNEK, key);
    post_error_both(form, 400);
    snprintf(form, sizeof form, "api_key=%s&service_code=potholes&" RYNEK, key);
    post_error_both(form, 404);
    /* 400: a bad lat, a point outside every district, an address without a point. */
    snprintf(form, sizeof form, "api_key=%s&service_code=illegal_parking&lat=50.0.1&long=19.9",
             key2);
    post_error_both(form, 400);
    snprintf(form, sizeof form, "api_key=%s&service_code=illegal_parking&lat=10&long=10", key2);
    struct api_response r;
    assert_int_equal(post_form(V2 "requests.json", form, &r), 0);
    check_errors_json(&r, 400);
    assert_non_null(strstr(r.body, "outside every police district"));
    api_response_free(&r);
    snprintf(form, sizeof form,
             "api_key=%s&service_code=illegal_parking&address_string=Rynek+G%%C5%%82%%C3%%B3wny+1",
             key2);
    assert_int_equal(post_form(V2 "requests.json", form, &r), 0);
    check_errors_json(&r, 400);
    assert_non_null(strstr(r.body, "geocoder"));
    api_response_free(&r);
    /* An unknown field, named in invalid UTF-8 and a control character: the error stays valid. */
    snprintf(form, sizeof form, "api_key=%s&%%FF%%01name=1&service_code=illegal_parking&" RYNEK,
             key);
    assert_int_equal(post_form(V2 "requests.json", form, &r), 0);
    check_errors_json(&r, 400); /* parsed by jansson, which refuses invalid UTF-8 */
    assert_non_null(strstr(r.body, "unknown parameter ??name"));
    api_response_free(&r);
    assert_int_equal(api_get(&server, V2 "services/%FF%3C.xml", &r), 0);
    check_errors_xml(&r, 404);
    api_response_free(&r);
    /* Not a form. */
    assert_int_equal(api_post_json(&server, V2 "requests.json", "{\"service_code\":\"x\"}", &r), 0);
    check_errors_json(&r, 400);
    api_response_free(&r);
    assert_int_equal(api_count_reports(&server), before); /* nothing stored */

    /* GET: unknown request id and token, no format, unknown resource, bad queries. */
    get_error_both(V2 "requests/999999999", 404);
    get_error_both(V2 "requests/abc", 404);
    get_error_both(V2 "tokens/999999999", 404);
    get_error_both(V2 "nothing", 404);
    assert_int_equal(api_get(&server, V2 "requests", &r), 0);
    check_errors_xml(&r, 400); /* XML, the required format, when none is named */
    api_response_free(&r);
    assert_int_equal(
        api_get(&server, V2 "requests.xml?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01", &r),
        0);
    check_errors_xml(&r, 400); /* more than 90 days */
    api_response_free(&r);
    char path[256];
    snprintf(path, sizeof path, "%s", V2 "requests.json?status=pending");
    assert_int_equal(api_get(&server, path, &r), 0);
    check_errors_json(&r, 400);
    api_response_free(&r);
    assert_int_equal(api_get(&server, V2 "requests.json?start_date=yesterday", &r), 0);
    check_errors_json(&r, 400);
    api_response_free(&r);
    assert_int_equal(api_get(&server, V2 "requests.json?page=2", &r), 0);
    check_errors_json(&r, 400);
    api_response_free(&r);
    assert_int_equal(api_get(&server, V2 "requests.json?service_code=potholes", &r), 0);
    check_errors_json(&r, 400);
    api_response_free(&r);
}

/*
 * Invalid UTF-8 in a field is the client's mistake, not the server's memory:
 * 400 in Open311's format and no Retry-After (a 503 would have clients retry
 * for ever, each retry spending the key's budget). Coordinates are decimal
 * numbers only: a hexadecimal float (0x1.9p5 is 50) is refused.
 */
static void invalid_text_and_hex_coordinates_are_the_clients_mistake(void **state)
{
    (void)state;
    char key[128], key2[128], form[512];
    new_key("utf-8", key, sizeof key);
    new_key("hex", key2, sizeof key2);
    long before = api_count_reports(&server);
    struct api_response r;
    const char *bad_text[] = {"description=%FF", "attribute[when_date]=%C0%80"};
    for (size_t i = 0; i < sizeof bad_text / sizeof bad_text[0]; i++) {
        snprintf(form, sizeof form, "api_key=%s&service_code=illegal_parking&" RYNEK "&%s", key,
                 bad_text[i]);
        assert_int_equal(post_form(V2 "requests.json", form, &r), 0);
        check_errors_json(&r, 400);
        char retry[16];
        assert_int_not_equal(api_header(&r, "Retry-After", retry, sizeof retry), 0);
        api_response_free(&r);
        assert_int_equal(post_form(V2 "requests.xml", form, &r), 0);
        check_errors_xml(&r, 400);
        api_response_free(&r);
    }
    snprintf(form, sizeof form, "api_key=%s&service_code=illegal_parking&lat=0x1.9p5&long=19.9373",
             key2);
    post_error_both(form, 400);
    snprintf(form, sizeof form, "api_key=%s&service_code=illegal_parking&lat=50.0617&long=0x13.ep0",
             key2);
    assert_int_equal(post_form(V2 "requests.json", form, &r), 0);
    check_errors_json(&r, 400);
    assert_non_null(strstr(r.body, "long must be a number"));
    api_response_free(&r);
    assert_int_equal(api_count_reports(&server), before); /* nothing stored */
}

/* What the server refuses before an Open311 handler runs comes in Open311's format too. */
static void early_refusals_use_the_open311_format(void **state)
{
    (void)state;
    struct api_response r;
    assert_int_equal(api_request(&server, "PUT", "/open311/v2/requests.json", NULL, NULL, 0, 0, &r),
                     0);
    check_errors_json(&r, 405);
    char allow[64];
    assert_int_equal(api_header(&r, "Allow", allow, sizeof allow), 0);
    assert_non_null(strstr(allow, "POST"));
    api_response_free(&r);
    assert_int_equal(
        api_request(&server, "DELETE", "/open311/v2/services.xml", NULL, NULL, 0, 0, &r), 0);
    check_errors_xml(&r, 405);
    api_response_free(&r);
    /* A form body past the limit is refused from its Content-Length, before it is read. */
    size_t big = 9u * 1024 * 1024;
    char *form = malloc(big + 1);
    assert_non_null(form);
    memset(form, 'a', big);
    memcpy(form, "description=", 12);
    form[big] = '\0';
    assert_int_equal(post_form("/open311/v2/requests.xml", form, &r), 0);
    check_errors_xml(&r, 413);
    api_response_free(&r);
    free(form);
}

static void lists_default_to_90_days_and_filter(void **state)
{
    struct api_response r;
    /* The default: the last 90 days, newest first, each a well-formed request. */
    assert_int_equal(api_get(&server, V2 "requests.json", &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(json_array_size(r.json) > 0 && json_array_size(r.json) <= 1000);
    char oldest[32];
    time_t limit = time(NULL) - 90 * 86400 - 60;
    strftime(oldest, sizeof oldest, "%Y-%m-%dT%H:%M:%SZ", gmtime(&limit));
    long long last = INT64_MAX;
    size_t i;
    json_t *item;
    json_array_foreach(r.json, i, item)
    {
        check_request_json(item);
        assert_true(
            strcmp(json_string_value(json_object_get(item, "requested_datetime")), oldest) >= 0);
        long long id = json_integer_value(json_object_get(item, "service_request_id"));
        assert_true(id < last);
        last = id;
    }
    api_response_free(&r);

    /* status and service_code narrow it; an empty parameter is the same as none. */
    assert_int_equal(
        api_get(&server, V2 "requests.json?status=closed&service_code=&jurisdiction_id=", &r), 0);
    assert_int_equal(r.status, 200);
    json_array_foreach(r.json, i, item)
        assert_string_equal(json_string_value(json_object_get(item, "status")), "closed");
    api_response_free(&r);
    assert_int_equal(api_get(&server, V2 "requests.json?service_code=speeding,stray_dogs", &r), 0);
    assert_int_equal(r.status, 200);
    json_array_foreach(r.json, i, item)
    {
        const char *code = json_string_value(json_object_get(item, "service_code"));
        assert_true(strcmp(code, "speeding") == 0 || strcmp(code, "stray_dogs") == 0);
    }
    api_response_free(&r);

    /* service_request_id overrides everything else; ids the public may not see are left out. */
    assert_int_equal(api_get(&server, V2 "requests.json", &r), 0);
    long long a =
        json_integer_value(json_object_get(json_array_get(r.json, 0), "service_request_id"));
    char newest_day[16];
    const char *newest_at =
        json_string_value(json_object_get(json_array_get(r.json, 0), "requested_datetime"));
    snprintf(newest_day, sizeof newest_day, "%.10s", newest_at);
    int newest_hour = (int)strtol(newest_at + 11, NULL, 10);
    api_response_free(&r);

    /* A bare date names its whole day, both ends included; an api_key on a read is ignored. */
    char day_path[256];
    snprintf(day_path, sizeof day_path,
             V2 "requests.json?start_date=%s&end_date=%s&api_key=anything", newest_day, newest_day);
    assert_int_equal(api_get(&server, day_path, &r), 0);
    assert_int_equal(r.status, 200);
    bool newest_found = false;
    json_array_foreach(r.json, i, item) newest_found |=
        json_integer_value(json_object_get(item, "service_request_id")) == a;
    /* The Polish day of that UTC date ends at 22:00 or 23:00 UTC: past it the report is on the
     * next Polish day, and this check says nothing. */
    if (newest_hour < 22)
        assert_true(newest_found);
    api_response_free(&r);
    char path[256];
    snprintf(path, sizeof path,
             V2 "requests.json?service_request_id=%lld,999999999&status=closed&service_code="
                "drownings",
             a);
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(r.json), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(r.json, 0), "service_request_id")), a);
    api_response_free(&r);
}

static void a_hidden_category_is_accepted_but_never_shown(void **state)
{
    char key[128], form[512], path[128];
    new_key("hidden", key, sizeof key);
    struct api_response r;
    snprintf(form, sizeof form, "api_key=%s&service_code=drug_use&" RYNEK, key);
    assert_int_equal(post_form(V2 "requests.json", form, &r), 0);
    assert_int_equal(r.status, 200);
    long long id =
        json_integer_value(json_object_get(json_array_get(r.json, 0), "service_request_id"));
    api_response_free(&r);
    snprintf(path, sizeof path, V2 "requests/%lld", id);
    get_error_both(path, 404);
    snprintf(path, sizeof path, V2 "requests.json?service_request_id=%lld", id);
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(json_array_size(r.json), 0);
    api_response_free(&r);
    assert_int_equal(api_get(&server, "/api/v1/export/reports.csv", &r), 0);
    char needle[32];
    snprintf(needle, sizeof needle, "\r\n%lld,", id);
    assert_null(strstr(r.body, needle));
    assert_null(strstr(r.body, "drug_use"));
    api_response_free(&r);
}

static void a_key_is_rate_limited(void **state)
{
    char key[128], form[512];
    new_key("busy", key, sizeof key);
    struct api_response r;
    /* Bad points still count: the limit is on what the key sends, not on what succeeds. */
    snprintf(form, sizeof form, "api_key=%s&service_code=illegal_parking&lat=10&long=10", key);
    for (int i = 0; i < KEY_BURST; i++) {
        assert_int_equal(post_form(V2 "requests.json", form, &r), 0);
        assert_int_equal(r.status, 400);
        api_response_free(&r);
    }
    assert_int_equal(post_form(V2 "requests.xml", form, &r), 0);
    check_errors_xml(&r, 429);
    char retry[16];
    assert_int_equal(api_header(&r, "Retry-After", retry, sizeof retry), 0);
    assert_true(strtol(retry, NULL, 10) >= 1);
    api_response_free(&r);
    /* Another key is not held back. */
    char other[128];
    new_key("quiet", other, sizeof other);
    snprintf(form, sizeof form, "api_key=%s&service_code=illegal_parking&" RYNEK, other);
    assert_int_equal(post_form(V2 "requests.json", form, &r), 0);
    assert_int_equal(r.status, 200);
    api_response_free(&r);
}

/* ---- open data ---------------------------------------------------------------------------- */

static void exports_are_the_public_view(void **state)
{
    struct api_response g, c, l;
    assert_int_equal(api_get(&server, "/api/v1/export/reports.geojson", &g), 0);
    assert_int_equal(g.status, 200);
    char type[128];
    assert_int_equal(api_header(&g, "Content-Type", type, sizeof type), 0);
    assert_string_equal(type, "application/geo+json; charset=utf-8");
    assert_string_equal(json_string_value(json_object_get(g.json, "type")), "FeatureCollection");
    json_t *features = json_object_get(g.json, "features");
    size_t i;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        json_t *geom = json_object_get(f, "geometry");
        assert_string_equal(json_string_value(json_object_get(geom, "type")), "Point");
        assert_int_equal(json_array_size(json_object_get(geom, "coordinates")), 2);
        json_t *p = json_object_get(f, "properties");
        assert_true(json_is_integer(json_object_get(p, "id")));
        assert_true(json_is_string(json_object_get(p, "category")));
        assert_true(json_is_string(json_object_get(p, "status")));
        assert_string_not_equal(json_string_value(json_object_get(p, "status")), "rejected");
    }

    /* The same reports as the public list. */
    assert_int_equal(api_get(&server, "/api/v1/reports?limit=200", &l), 0);
    assert_int_equal(l.status, 200);
    json_t *items = json_object_get(l.json, "items");
    assert_true(json_is_null(json_object_get(l.json, "next_cursor")));
    assert_int_equal(json_array_size(items), json_array_size(features));
    json_array_foreach(items, i, f)
    {
        json_t *feature = json_array_get(features, i);
        assert_int_equal(json_integer_value(json_object_get(f, "id")),
                         json_integer_value(json_object_get(feature, "id")));
    }

    /* CSV: a header and one line per feature. */
    assert_int_equal(api_get(&server, "/api/v1/export/reports.csv", &c), 0);
    assert_int_equal(c.status, 200);
    assert_true(strncmp(c.body, "id,received_at,", 15) == 0);
    size_t lines = 0;
    for (const char *p = c.body; (p = strstr(p, "\r\n")); p += 2)
        lines++;
    assert_int_equal(lines, json_array_size(features) + 1);
    api_response_free(&g);
    api_response_free(&c);
    api_response_free(&l);

    /* Filtered like the map. */
    assert_int_equal(api_get(&server,
                             "/api/v1/export/reports.geojson?category=illegal_parking"
                             "&bbox=19.8,49.9,20.2,50.2&status=new,verifying",
                             &g),
                     0);
    assert_int_equal(g.status, 200);
    json_array_foreach(json_object_get(g.json, "features"), i, f)
    {
        json_t *p = json_object_get(f, "properties");
        assert_string_equal(json_string_value(json_object_get(p, "category")), "illegal_parking");
        const char *s = json_string_value(json_object_get(p, "status"));
        assert_true(strcmp(s, "new") == 0 || strcmp(s, "verifying") == 0);
    }
    api_response_free(&g);
    assert_int_equal(api_get(&server, "/api/v1/export/reports.csv?cursor=abc", &c), 0);
    assert_int_equal(c.status, 400);
    api_response_free(&c);
    assert_int_equal(api_get(&server, "/api/v1/export/reports.csv?bbox=1,2,3", &c), 0);
    assert_int_equal(c.status, 400);
    api_response_free(&c);
}

static void the_apikey_command(void **state)
{
    char out[300];
    snprintf(out, sizeof out, "%s/list.txt", server.dir);
    char key[128];
    long long id = new_key("lista", key, sizeof key);
    assert_int_equal(api_run_cli(&server, out, "apikey", "list", NULL), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    unlink(out);
    assert_non_null(strstr(text, "lista"));
    assert_null(strstr(text, key)); /* only the hash is kept: the key is never shown again */
    char id_text[32];
    snprintf(id_text, sizeof id_text, "%lld", id);
    assert_int_equal(api_run_cli(&server, NULL, "apikey", "revoke", id_text, NULL), 0);
    assert_int_equal(api_run_cli(&server, NULL, "apikey", "revoke", id_text, NULL), 1);
    assert_int_equal(api_run_cli(&server, NULL, "apikey", "revoke", "999999", NULL), 1);
    assert_int_equal(api_run_cli(&server, NULL, "apikey", "add", NULL), 2);
}

/* ---- servicerequestupdates (FixMyStreet's extension) ----------------------------------- */

/* An officer's API token for district, as an Authorization header (made on the command line). */
static void officer_token(const char *name, const char *district, char *header, size_t size)
{
    char out[300], token[128] = "";
    setenv("TARCZA_PASSWORD", "correct horse battery staple", 1);
    assert_int_equal(api_run_cli(&server, "/dev/null", "user", "add", name, "--role", "officer",
                                 "--districts", district, NULL),
                     0);
    snprintf(out, sizeof out, "%s/token.txt", server.dir);
    assert_int_equal(api_run_cli(&server, out, "user", "token", name, NULL), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    assert_non_null(fgets(token, sizeof token, f));
    fclose(f);
    token[strcspn(token, "\n")] = '\0';
    snprintf(header, size, "Authorization: Bearer %s", token);
}

/* Files a request through Open311; its id. */
static long long post_request(const char *key, const char *code)
{
    char form[512];
    struct api_response r;
    snprintf(form, sizeof form, "api_key=%s&service_code=%s&" RYNEK, key, code);
    assert_int_equal(post_form(V2 "requests.json", form, &r), 0);
    assert_int_equal(r.status, 200);
    long long id =
        json_integer_value(json_object_get(json_array_get(r.json, 0), "service_request_id"));
    api_response_free(&r);
    return id;
}

/* An officer moves report id on, with the reporter's note and a public note (either may be NULL).
 */
static long move(long long id, const char *to, const char *note, const char *public_note)
{
    char path[96], body[512];
    struct api_response r;
    snprintf(path, sizeof path, "/api/v1/reports/%lld/transitions", id);
    snprintf(body, sizeof body, "{\"to\":\"%s\",\"note\":%s%s%s,\"public_note\":%s%s%s}", to,
             note ? "\"" : "", note ? note : "null", note ? "\"" : "", public_note ? "\"" : "",
             public_note ? public_note : "null", public_note ? "\"" : "");
    assert_int_equal(api_post_json(&server, path, body, &r), 0);
    long status = r.status;
    api_response_free(&r);
    return status;
}

static const struct field update_fields[] = {
    {"update_id", K_INT},
    {"service_request_id", K_INT},
    {"status", K_STR},
    {"updated_datetime", K_STR},
    {"description", K_STR | K_NULL},
    {"media_url", K_STR | K_NULL},
    {"external_status_code", K_STR},
};
#define UPDATE_FIELDS (sizeof update_fields / sizeof update_fields[0])
static const char *const update_elements[] = {
    "update_id", "service_request_id",   "status", "updated_datetime", "description",
    "media_url", "external_status_code", NULL};

/* The XML form of the same updates: the extension's elements, in the same order as the JSON. */
static void check_updates_xml(const char *query, json_t *json)
{
    static const char *const list[] = {"request_update", NULL};
    char path[256];
    struct api_response r;
    snprintf(path, sizeof path, V2 "servicerequestupdates.xml?%s", query);
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(r.status, 200);
    xmlDocPtr doc = parse_xml(&r);
    xmlNodePtr root = root_named(doc, "service_request_updates");
    assert_int_equal(check_children(root, list), json_array_size(json));
    size_t i = 0;
    for (xmlNodePtr u = root->children; u; u = u->next) {
        if (u->type != XML_ELEMENT_NODE)
            continue;
        assert_int_equal(check_children(u, update_elements), UPDATE_FIELDS);
        xmlChar *id = child_text(u, "update_id");
        json_t *j = json_array_get(json, i++);
        assert_int_equal(strtoll((const char *)id, NULL, 10),
                         json_integer_value(json_object_get(j, "update_id")));
        xmlFree(id);
        xmlChar *status = child_text(u, "status");
        assert_string_equal((const char *)status, json_string_value(json_object_get(j, "status")));
        xmlFree(status);
    }
    xmlFreeDoc(doc);
    api_response_free(&r);
}

/*
 * Every public status change of a public request is one update, oldest first, with the
 * officer's public note as its description; the reporter's note never shows, nor do the
 * changes of a hidden request or of a rejected one.
 */
static void status_changes_are_updates(void **state)
{
    static char officer[256]; /* sent with requests while set: it outlives a failed assertion */
    char key[128], query[256], district[64], since[64];
    new_key("updates", key, sizeof key);
    long long shown = post_request(key, "vandalism");
    long long hidden = post_request(key, "drug_use"); /* a category never public */
    long long rejected = post_request(key, "vandalism");
    struct api_response r;
    snprintf(query, sizeof query, "/api/v1/reports/%lld", shown);
    assert_int_equal(api_get(&server, query, &r), 0);
    assert_int_equal(r.status, 200);
    snprintf(district, sizeof district, "%s",
             json_string_value(json_object_get(json_object_get(r.json, "district"), "id")));
    snprintf(since, sizeof since, "%s", json_string_value(json_object_get(r.json, "received_at")));
    api_response_free(&r);
    officer_token("o311", district, officer, sizeof officer);
    server.extra_headers[0] = officer;
    assert_int_equal(move(shown, "verifying", "reporter only", "Dzielnicowy sprawdzi miejsce."),
                     200);
    assert_int_equal(move(shown, "confirmed", "reporter only, again", NULL), 200);
    assert_int_equal(move(hidden, "verifying", NULL, "never public"), 200);
    assert_int_equal(move(rejected, "rejected", "spam", "never public either"), 200);
    assert_int_equal(move(shown, "eliminated", NULL, "bad\\u0001text"), 422); /* a public text */
    server.extra_headers[0] = NULL;

    snprintf(query, sizeof query, "start_date=%s&jurisdiction_id=krakow&api_key=%s", since, key);
    char path[320];
    snprintf(path, sizeof path, V2 "servicerequestupdates.json?%s", query);
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(json_is_array(r.json));
    assert_int_equal(json_array_size(r.json), 2);
    json_t *first = json_array_get(r.json, 0), *second = json_array_get(r.json, 1);
    check_fields(first, update_fields, UPDATE_FIELDS);
    check_fields(second, update_fields, UPDATE_FIELDS);
    assert_int_equal(json_integer_value(json_object_get(first, "service_request_id")), shown);
    assert_int_equal(json_integer_value(json_object_get(second, "service_request_id")), shown);
    assert_string_equal(json_string_value(json_object_get(first, "status")), "OPEN");
    assert_string_equal(json_string_value(json_object_get(first, "external_status_code")),
                        "verifying");
    assert_string_equal(json_string_value(json_object_get(first, "description")),
                        "Dzielnicowy sprawdzi miejsce.");
    assert_true(json_is_null(json_object_get(first, "media_url")));
    assert_string_equal(json_string_value(json_object_get(second, "external_status_code")),
                        "confirmed");
    assert_true(json_is_null(json_object_get(second, "description")));
    assert_true(json_integer_value(json_object_get(second, "update_id")) >
                json_integer_value(json_object_get(first, "update_id")));
    assert_true(strcmp(json_string_value(json_object_get(first, "updated_datetime")), since) >= 0);
    assert_null(strstr(r.body, "reporter only"));
    assert_null(strstr(r.body, "never public"));
    check_updates_xml(query, r.json);
    api_response_free(&r);

    /* The extension's documented sample URL: a window long past, nothing in it. */
    assert_int_equal(api_get(&server,
                             V2 "servicerequestupdates.json?start_date=2010-05-24T00:00:00Z"
                                "&end_date=2010-06-24T00:00:00Z&jurisdiction_id=city.gov",
                             &r),
                     0);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(r.json), 0);
    api_response_free(&r);
    json_t *none = json_array();
    check_updates_xml("start_date=2010-05-24T00:00:00Z&end_date=2010-06-24T00:00:00Z", none);
    json_decref(none);
}

/* GET servicerequestupdates.json?query and .xml?query must both be the error `status`. */
static void updates_error_both(const char *query, long status)
{
    char url[512];
    struct api_response r;
    snprintf(url, sizeof url, V2 "servicerequestupdates.json?%s", query);
    assert_int_equal(api_get(&server, url, &r), 0);
    check_errors_json(&r, status);
    api_response_free(&r);
    snprintf(url, sizeof url, V2 "servicerequestupdates.xml?%s", query);
    assert_int_equal(api_get(&server, url, &r), 0);
    check_errors_xml(&r, status);
    api_response_free(&r);
}

/* The requests' rules for parameters and windows, in the format of the request. */
static void updates_refuse_as_requests_do(void **state)
{
    updates_error_both("start_date=yesterday", 400);
    updates_error_both("start_date=2026-01-01&end_date=2026-06-01", 400); /* over 90 days */
    updates_error_both("start_date=2026-02-01&end_date=2026-01-01", 400);
    updates_error_both("status=open", 400);
    updates_error_both("start_date=2026-01-01&start_date=2026-01-02", 400);
    get_error_both(V2 "servicerequestupdates/1", 404);
    struct api_response r;
    assert_int_equal(api_get(&server, V2 "servicerequestupdates", &r), 0);
    check_errors_xml(&r, 400); /* no format named */
    api_response_free(&r);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(discovery_in_both_formats),
        cmocka_unit_test(services_are_the_categories),
        cmocka_unit_test(service_definitions_list_the_attributes),
        cmocka_unit_test(a_posted_request_reads_back_by_id_token_and_date),
        cmocka_unit_test(posting_in_xml_answers_xml),
        cmocka_unit_test(every_documented_error),
        cmocka_unit_test(invalid_text_and_hex_coordinates_are_the_clients_mistake),
        cmocka_unit_test(early_refusals_use_the_open311_format),
        cmocka_unit_test(lists_default_to_90_days_and_filter),
        cmocka_unit_test(a_hidden_category_is_accepted_but_never_shown),
        cmocka_unit_test(a_key_is_rate_limited),
        cmocka_unit_test(exports_are_the_public_view),
        cmocka_unit_test(the_apikey_command),
        cmocka_unit_test(status_changes_are_updates),
        cmocka_unit_test(updates_refuse_as_requests_do),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    xmlCleanupParser();
    return failed || server_exit_status ? 1 : 0;
}
