/*
 * api_exchange_events.c - the NFIP family's API (issue 14) under
 * /api/v1/exchange/events: an event announced (a message of type nfip_event
 * with an "event" member), the event's other messages (a message with an
 * "nfip" member), the list of events and the event view. A body is a message
 * in its JSON form (exchange_json.c reads it, as for every message) with one
 * member more; errors name members from the body's root ("/subject",
 * "/event/kickoff", "/nfip/phase").
 *
 * The event view composes two domains here, at the door, so that the
 * exchange need not know the threat map: the exchange gives the event and
 * its messages (the read audited in its transaction), the threat map's
 * index the reports within ?radius= metres of the venue received in the
 * event's window (what a commander sees on one map: position, category,
 * status, when; no reporter's text, as on the analysts' maps).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "base/jsonguard.h"
#include "base/tztime.h"
#include "http/exchange_api.h"
#include "http/exchange_json.h"
#include "threatmap/threatmap.h"

#define RADIUS_DEFAULT_M 3000.0
#define RADIUS_MAX_M 20000.0
#define REPORTS_MAX 2000 /* reports one event view lists, nearest kept */

/* Nesting no deeper than max before jansson reads a byte (as exchange_json.c does). */
static bool shallow(const char *s, size_t n, int max)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        if (in_string) {
            if (s[i] == '\\')
                i++;
            else if (s[i] == '"')
                in_string = false;
        } else if (s[i] == '"') {
            in_string = true;
        } else if ((s[i] == '{' || s[i] == '[') && ++depth > max) {
            return false;
        } else if (s[i] == '}' || s[i] == ']') {
            depth--;
        }
    }
    return true;
}

/*
 * Splits the body into its member `key` (an object, or absent: NULL) and the
 * message, which is read through the message's one door into m (initialised
 * here; the caller clears it). *part is the caller's to json_decref.
 */
static tz_err split_body(struct request *req, const char *key, json_t **part, struct tz_xmsg *m,
                         struct tz_field_errors *errs)
{
    *part = NULL;
    tz_xmsg_init(m);
    const char *body = req->body.data ? req->body.data : "";
    if (req->body.len > TZ_X_BODY_MAX)
        return TZ_ETOOBIG;
    if (!shallow(body, req->body.len, TZ_X_DEPTH_MAX))
        return TZ_EMALFORMED;
    json_error_t jerr;
    tz_json_guard_begin();
    json_t *root = json_loadb(body, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (tz_json_guard_failed() || (!root && json_error_code(&jerr) == json_error_out_of_memory)) {
        json_decref(root);
        return TZ_ENOMEM;
    }
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return TZ_EMALFORMED;
    }
    json_t *p = json_object_get(root, key);
    if (p && !json_is_object(p))
        tz_fielderr_add(errs, key[0] == 'e' ? "/event" : "/nfip", "must be an object");
    else if (p)
        *part = json_incref(p);
    json_object_del(root, key);
    char *rest = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!rest)
        return TZ_ENOMEM;
    tz_err err = tz_http_exchange_read(rest, strlen(rest), m, errs);
    free(rest);
    return err == TZ_EINVAL ? TZ_OK : err; /* the domain lists the rest with these */
}

/* A string member into dst (size bytes): too long is an error, never cut. */
static void str_member(json_t *v, const char *field, char *dst, size_t size,
                       struct tz_field_errors *errs)
{
    if (!json_is_string(v))
        tz_fielderr_add(errs, field, "must be a string");
    else if (json_string_length(v) >= size)
        tz_fielderr_add(errs, field, "at most %zu bytes", size - 1);
    else
        memcpy(dst, json_string_value(v), json_string_length(v) + 1);
}

static void time_member(json_t *v, const char *field, int64_t *out, struct tz_field_errors *errs)
{
    if (!json_is_string(v) ||
        tz_time_parse(json_string_value(v), json_string_length(v), out) != TZ_OK)
        tz_fielderr_add(errs, field, "must be an RFC 3339 instant");
}

static void code_member(json_t *v, const char *field, enum tz_xtable t, int *out,
                        struct tz_field_errors *errs)
{
    if (!json_is_string(v) ||
        tz_xcode_parse(t, json_string_value(v), json_string_length(v), out) != TZ_OK)
        tz_fielderr_add(errs, field, "must be a code of the %s table", tz_xcode_table_name(t));
}

static void int_member(json_t *v, const char *field, int64_t *out, struct tz_field_errors *errs)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        tz_fielderr_add(errs, field, "must be a whole number, 0 or more");
    else
        *out = json_integer_value(v);
}

static void num_member(json_t *v, const char *field, double *out, struct tz_field_errors *errs)
{
    if (!json_is_number(v))
        tz_fielderr_add(errs, field, "must be a number");
    else
        *out = json_number_value(v);
}

static void read_event(json_t *o, struct tz_xevent *e, struct tz_field_errors *errs)
{
    memset(e, 0, sizeof *e);
    e->risk = -1;
    e->lat = e->lon = NAN;
    if (!o) {
        tz_fielderr_add(errs, "/event", "is required: the event this message announces");
        return;
    }
    const char *key;
    json_t *v;
    char f[TZ_FIELD_NAME_MAX];
    json_object_foreach(o, key, v)
    {
        snprintf(f, sizeof f, "/event/%.40s", key);
        if (strcmp(key, "competition") == 0)
            str_member(v, f, e->competition, sizeof e->competition, errs);
        else if (strcmp(key, "home") == 0)
            str_member(v, f, e->home, sizeof e->home, errs);
        else if (strcmp(key, "away") == 0)
            str_member(v, f, e->away, sizeof e->away, errs);
        else if (strcmp(key, "venue") == 0)
            str_member(v, f, e->venue, sizeof e->venue, errs);
        else if (strcmp(key, "country") == 0)
            str_member(v, f, e->country, sizeof e->country, errs);
        else if (strcmp(key, "lat") == 0)
            num_member(v, f, &e->lat, errs);
        else if (strcmp(key, "lon") == 0)
            num_member(v, f, &e->lon, errs);
        else if (strcmp(key, "kickoff") == 0)
            time_member(v, f, &e->kickoff, errs);
        else if (strcmp(key, "window_from") == 0)
            time_member(v, f, &e->window_from, errs);
        else if (strcmp(key, "window_to") == 0)
            time_member(v, f, &e->window_to, errs);
        else if (strcmp(key, "risk") == 0)
            code_member(v, f, TZ_XT_RISK, &e->risk, errs);
        else
            tz_fielderr_add(errs, f, "is not a member of an event");
    }
}

static void read_nfip(json_t *o, int64_t event_id, struct tz_xnfip *n, struct tz_field_errors *errs)
{
    tz_xnfip_init(n);
    n->event_id = event_id;
    const char *key;
    json_t *v;
    char f[TZ_FIELD_NAME_MAX];
    json_object_foreach(o, key, v)
    {
        snprintf(f, sizeof f, "/nfip/%.40s", key);
        if (strcmp(key, "phase") == 0)
            code_member(v, f, TZ_XT_NFIP_PHASE, &n->phase, errs);
        else if (strcmp(key, "risk") == 0)
            code_member(v, f, TZ_XT_RISK, &n->risk, errs);
        else if (strcmp(key, "transport") == 0)
            code_member(v, f, TZ_XT_TRANSPORT, &n->transport, errs);
        else if (strcmp(key, "supporters") == 0)
            int_member(v, f, &n->supporters, errs);
        else if (strcmp(key, "risk_supporters") == 0)
            int_member(v, f, &n->risk_supporters, errs);
        else if (strcmp(key, "spotters") == 0)
            int_member(v, f, &n->spotters, errs);
        else if (strcmp(key, "route") == 0)
            str_member(v, f, n->route, sizeof n->route, errs);
        else if (strcmp(key, "arrival") == 0)
            time_member(v, f, &n->arrival, errs);
        else
            tz_fielderr_add(errs, f, "is not a member of an NFIP message");
    }
}

/* Answers a submitted message: 201 with its receipt, or the refusal. */
static enum MHD_Result answer_submit(struct request *req, struct police_ctx *c, tz_err err,
                                     const struct tz_xreceipt *r, struct tz_field_errors *errs)
{
    if (err == TZ_EFORBIDDEN)
        return xapi_forbidden(req, c, TZ_ACT_EXCHANGE_SEND);
    if (err)
        return xapi_problem(req, err, "no such event or message", errs);
    struct tz_buf b;
    tz_buf_init(&b, 64 * 1024);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_http_put_xreceipt(&w, r);
    return xapi_answer(req, 201, &b, &w);
}

/* POST /api/v1/exchange/events: a message (its type nfip_event) with an "event" member. */
enum MHD_Result api_x_event_create(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    bool inbound;
    if (!xapi_caller(req, true, &c, &answer) || !xapi_direction(req, &inbound, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    struct tz_xmsg m;
    json_t *part = NULL;
    struct tz_xreceipt receipt;
    tz_err err = split_body(req, "event", &part, &m, &errs);
    if (!err) {
        struct tz_xevent e;
        read_event(part, &e, &errs);
        struct tz_xactor who = {.p = &c.p, .client = c.client};
        err = errs.count ? TZ_EINVAL
                         : tz_exchange_event_create(req->srv->exchange, &who, inbound, &e, &m,
                                                    &receipt, &errs);
    }
    json_decref(part);
    tz_xmsg_clear(&m);
    return answer_submit(req, &c, err, &receipt, &errs);
}

/* POST /api/v1/exchange/events/{id}/messages: a message with an "nfip" member. */
enum MHD_Result api_x_event_post(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    bool inbound;
    if (!xapi_caller(req, true, &c, &answer) || !xapi_direction(req, &inbound, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    struct tz_xmsg m;
    json_t *part = NULL;
    struct tz_xreceipt receipt;
    tz_err err = split_body(req, "nfip", &part, &m, &errs);
    if (!err) {
        struct tz_xnfip n;
        read_nfip(part, req->id, &n, &errs);
        struct tz_xactor who = {.p = &c.p, .client = c.client};
        err = errs.count ? TZ_EINVAL
                         : tz_exchange_event_submit(req->srv->exchange, &who, inbound, &n, &m,
                                                    &receipt, &errs);
    }
    json_decref(part);
    tz_xmsg_clear(&m);
    return answer_submit(req, &c, err, &receipt, &errs);
}

static void klabel(struct tz_jw *w, const char *key, enum tz_xtable t, int v, enum tz_xlang lang)
{
    const char *code = tz_xcode_code(t, v);
    if (!code)
        return;
    tz_jw_key(w, key);
    tz_jw_object(w);
    tz_jw_kstr(w, "code", code);
    tz_jw_kstr(w, "label", tz_xcode_label(t, v, lang));
    tz_jw_object_end(w);
}

static void put_event(struct tz_jw *w, const struct tz_xevent *e, enum tz_xlang lang)
{
    tz_jw_object(w);
    tz_jw_kint(w, "id", e->id);
    tz_jw_kint(w, "case", e->case_id);
    tz_jw_kstr(w, "competition", e->competition);
    tz_jw_kstr(w, "home", e->home);
    tz_jw_kstr(w, "away", e->away);
    tz_jw_kstr(w, "venue", e->venue);
    tz_jw_kstr(w, "country", e->country);
    tz_jw_kdouble(w, "lat", e->lat);
    tz_jw_kdouble(w, "lon", e->lon);
    tz_jw_ktime(w, "kickoff", e->kickoff);
    tz_jw_ktime(w, "window_from", e->window_from);
    tz_jw_ktime(w, "window_to", e->window_to);
    klabel(w, "risk", TZ_XT_RISK, e->risk, lang);
    tz_jw_object_end(w);
}

static void put_nfip(struct tz_jw *w, const struct tz_xnfip *n, enum tz_xlang lang)
{
    tz_jw_key(w, "nfip");
    tz_jw_object(w);
    klabel(w, "phase", TZ_XT_NFIP_PHASE, n->phase, lang);
    klabel(w, "risk", TZ_XT_RISK, n->risk, lang);
    if (n->supporters >= 0)
        tz_jw_kint(w, "supporters", n->supporters);
    if (n->risk_supporters >= 0)
        tz_jw_kint(w, "risk_supporters", n->risk_supporters);
    klabel(w, "transport", TZ_XT_TRANSPORT, n->transport, lang);
    if (n->route[0])
        tz_jw_kstr(w, "route", n->route);
    if (n->arrival)
        tz_jw_ktime(w, "arrival", n->arrival);
    if (n->spotters >= 0)
        tz_jw_kint(w, "spotters", n->spotters);
    tz_jw_object_end(w);
}

static void put_item(struct tz_jw *w, const struct tz_xevent_item *it, enum tz_xlang lang)
{
    const struct tz_xline *l = &it->line;
    tz_jw_object(w);
    tz_jw_kint(w, "id", l->id);
    klabel(w, "type", TZ_XT_MSG_TYPE, l->type, lang);
    tz_jw_kstr(w, "direction", l->inbound ? "in" : "out");
    tz_jw_kstr(w, "from_node", l->from_node);
    tz_jw_kstr(w, "from_unit", l->from_unit);
    klabel(w, "handling", TZ_XT_HANDLING, l->handling, lang);
    tz_jw_kstr(w, "lang", l->lang);
    tz_jw_ktime(w, "at", l->at);
    if (it->nfip.event_id)
        put_nfip(w, &it->nfip, lang);
    tz_jw_object_end(w);
}

/* The reports of the threat map near the venue in the window (a visit of the map index). */
struct near {
    double lat, lon, radius_m;
    struct tz_map_point pts[REPORTS_MAX];
    double dist[REPORTS_MAX];
    size_t count, seen;
};

static tz_err near_batch(void *ctx, const struct tz_map_point *pts, size_t n)
{
    struct near *s = ctx;
    for (size_t i = 0; i < n; i++) {
        double d = tz_distance_m(s->lat, s->lon, pts[i].lat, pts[i].lon);
        if (d > s->radius_m)
            continue;
        s->seen++;
        size_t at = s->count;
        if (at == REPORTS_MAX) { /* full: keep the nearest, dropping the farthest */
            size_t far = 0;
            for (size_t k = 1; k < s->count; k++)
                if (s->dist[k] > s->dist[far])
                    far = k;
            if (s->dist[far] <= d)
                continue;
            at = far;
        } else {
            s->count++;
        }
        s->pts[at] = pts[i];
        s->dist[at] = d;
    }
    return TZ_OK;
}

static tz_err reports_near(struct tz_threatmap *tm, const struct tz_xevent *e, struct near *s)
{
    s->lat = e->lat, s->lon = e->lon;
    double dlat = s->radius_m / 111320.0;
    double c = cos(e->lat * 3.14159265358979323846 / 180.0);
    double dlon = c > 1e-6 ? s->radius_m / (111320.0 * c) : 180.0;
    struct tz_map_visit v = {.has_box = true};
    v.south = fmax(-90, e->lat - dlat), v.north = fmin(90, e->lat + dlat);
    v.west = fmax(-180, e->lon - dlon), v.east = fmin(180, e->lon + dlon);
    memset(v.filter.status_mask, 0xFF, sizeof v.filter.status_mask);
    v.filter.received_from = e->window_from;
    v.filter.received_to = e->window_to + 1;
    return tz_threatmap_visit(tm, &v, near_batch, s);
}

static void put_reports(struct tz_jw *w, struct tz_threatmap *tm, const struct near *s)
{
    size_t ncat = 0;
    const struct tz_category_rec *cats = tz_threatmap_category_list(tm, &ncat);
    tz_jw_kdouble(w, "radius_m", s->radius_m);
    tz_jw_kuint(w, "report_count", s->seen);
    tz_jw_key(w, "reports");
    tz_jw_array(w);
    for (size_t i = 0; i < s->count; i++) {
        const struct tz_map_point *p = &s->pts[i];
        tz_jw_object(w);
        tz_jw_kint(w, "id", p->id);
        tz_jw_kdouble(w, "lat", p->lat);
        tz_jw_kdouble(w, "lon", p->lon);
        if (p->category < ncat)
            tz_jw_kstr(w, "category", cats[p->category].code);
        tz_jw_kstr(w, "status", tz_status_code((enum tz_status)p->status));
        tz_jw_ktime(w, "received_at", p->received_at);
        tz_jw_kint(w, "distance_m", (int64_t)llround(s->dist[i]));
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
}

/* ?radius= in metres, 1 to RADIUS_MAX_M; false with the 422 queued. */
static bool radius_of(struct request *req, double *out, enum MHD_Result *answer)
{
    *out = RADIUS_DEFAULT_M;
    const char *r = xapi_param(req, "radius");
    if (!r)
        return true;
    char *end = NULL;
    double v = strtod(r, &end);
    if (end != r && !*end && isfinite(v) && v >= 1 && v <= RADIUS_MAX_M) {
        *out = v;
        return true;
    }
    struct tz_field_errors errs = {0};
    tz_fielderr_add(&errs, "radius", "must be metres, 1 to %.0f", RADIUS_MAX_M);
    *answer = http_respond_problem(req, TZ_EINVAL, "see errors", &errs);
    return false;
}

/* GET /api/v1/exchange/events/{id}: the event, its messages and the reports around it. */
enum MHD_Result api_x_event_get(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    double radius;
    if (!xapi_caller(req, false, &c, &answer) || !radius_of(req, &radius, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "xevent/%lld", (long long)req->id);
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    struct tz_xevent_view v;
    tz_err err = tz_exchange_event_view(req->srv->exchange, &who, req->id, &v);
    if (err == TZ_EFORBIDDEN)
        return xapi_forbidden(req, &c, TZ_ACT_EXCHANGE_READ);
    if (err)
        return xapi_problem(req, err, "no such event", NULL);
    struct near *s = calloc(1, sizeof *s);
    if (!s) {
        tz_xevent_view_clear(&v);
        return http_respond_problem(req, TZ_ENOMEM, NULL, NULL);
    }
    s->radius_m = radius;
    if (req->srv->tm)
        err = reports_near(req->srv->tm, &v.event, s);
    enum tz_xlang lang = xapi_lang(req);
    struct tz_buf b;
    tz_buf_init(&b, XAPI_ANSWER_MAX);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_key(&w, "event");
    put_event(&w, &v.event, lang);
    tz_jw_key(&w, "messages");
    tz_jw_array(&w);
    for (size_t i = 0; i < v.count; i++)
        put_item(&w, &v.items[i], lang);
    tz_jw_array_end(&w);
    if (req->srv->tm)
        put_reports(&w, req->srv->tm, s);
    tz_jw_object_end(&w);
    free(s);
    tz_xevent_view_clear(&v);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return xapi_answer(req, 200, &b, &w);
}

/* GET /api/v1/exchange/events: the events the caller may read, kick-off latest first. */
enum MHD_Result api_x_events(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!xapi_caller(req, false, &c, &answer))
        return answer;
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    struct tz_xevent *events = NULL;
    size_t n = 0;
    tz_err err = tz_exchange_events(req->srv->exchange, &who, &events, &n);
    if (err)
        return xapi_problem(req, err, NULL, NULL);
    enum tz_xlang lang = xapi_lang(req);
    struct tz_buf b;
    tz_buf_init(&b, XAPI_ANSWER_MAX);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_key(&w, "items");
    tz_jw_array(&w);
    for (size_t i = 0; i < n; i++)
        put_event(&w, &events[i], lang);
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    free(events);
    return xapi_answer(req, 200, &b, &w);
}
