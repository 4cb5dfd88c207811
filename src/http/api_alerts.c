/*
 * api_alerts.c - alerts for an area over HTTP (issue 19, docs/alerts.md):
 *
 *   GET  /api/v1/alerts/feed.atom?bbox=W,S,E,N | area=TEXT | subscription=ID
 *        [&category=CODE...] [&limit=N]      the Atom feed, no account
 *   POST /api/v1/alerts/subscriptions        {"area", "categories", "email"}:
 *        a feed's subscription, or an address's (double opt-in)
 *   GET  /api/v1/alerts/confirm?id=&token=   the link of the confirmation mail
 *   POST /api/v1/alerts/unsubscribe?id=&token=   RFC 8058 one-click
 *        (List-Unsubscribe=One-Click); deletes the address
 *
 * The feed has its own per-client bucket (--feed-rate); the three changes
 * take the anonymous report's bucket (--write-rate), as POST /reports does.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/num.h"
#include "base/tztime.h"
#include "http/internal.h"
#include "http/police.h"
#include "http/render.h"

#define FEED_BODY_MAX (512u * 1024)
#define ANSWER_MAX (4u * 1024)

/* ---- the feed ------------------------------------------------------------------------------ */

struct feed_read {
    struct tz_alert_spec spec;
    bool has_area, area_given;
    int64_t subscription;
    size_t limit;
};

static void read_area(const char *key, const char *prefix, const char *v, struct feed_read *f,
                      struct tz_field_errors *errs)
{
    char text[TZ_ALERT_TEXT_MAX];
    const char *why = NULL;
    int k = snprintf(text, sizeof text, "%s%s", prefix, v);
    f->area_given = true;
    if (f->has_area || f->subscription)
        tz_fielderr_add(errs, key, "one of bbox, area or subscription");
    else if (k < 0 || (size_t)k >= sizeof text ||
             tz_alert_area_parse(text, (size_t)k, &f->spec.area, &why))
        tz_fielderr_add(errs, key, "%s", why ? why : "too long");
    else
        f->has_area = true;
}

static void read_categories(struct tz_threatmap *tm, const char *v, struct tz_alert_spec *spec,
                            struct tz_field_errors *errs)
{
    while (*v) {
        const char *comma = strchr(v, ',');
        size_t n = comma ? (size_t)(comma - v) : strlen(v);
        if (tz_alert_spec_category(tm, spec, v, n))
            tz_fielderr_add(errs, "category", "%.*s is no category (at most %d)",
                            (int)(n > 48 ? 48 : n), v, TZ_ALERT_CATEGORIES_MAX);
        v += n + (comma ? 1 : 0);
    }
}

static bool read_feed(struct request *req, struct feed_read *f, struct tz_field_errors *errs)
{
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    memset(f, 0, sizeof *f);
    f->limit = TZ_ALERT_FEED_MAX;
    if (!http_query_params(req, params, &n)) {
        tz_fielderr_add(errs, "query", "more than %d parameters", TZ_HTTP_MAX_QUERY_PARAMS);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key, *v = params[i].value ? params[i].value : "";
        int64_t x = 0;
        if (strcmp(k, "bbox") == 0)
            read_area(k, "bbox:", v, f, errs);
        else if (strcmp(k, "area") == 0)
            read_area(k, "", v, f, errs);
        else if (strcmp(k, "category") == 0)
            read_categories(req->srv->tm, v, &f->spec, errs);
        else if (strcmp(k, "subscription") == 0 && !f->has_area && !f->subscription &&
                 tz_num_parse_i64(v, strlen(v), 1, INT64_MAX, &x) == TZ_OK)
            f->subscription = x;
        else if (strcmp(k, "limit") == 0 &&
                 tz_num_parse_i64(v, strlen(v), 1, TZ_ALERT_FEED_MAX, &x) == TZ_OK)
            f->limit = (size_t)x;
        else
            tz_fielderr_add(errs, k,
                            "unknown, repeated or bad parameter (bbox, area, "
                            "subscription, category, limit 1..50)");
    }
    const char *why = NULL;
    if (!f->has_area && !f->subscription && !f->area_given)
        tz_fielderr_add(errs, "bbox", "the area: bbox, area or subscription");
    else if (f->has_area && tz_alert_spec_check(req->srv->tm, &f->spec, &why))
        tz_fielderr_add(errs, "area", "%s", why);
    return errs->count == 0 && errs->dropped == 0;
}

/* The feed's own address: by subscription, or its area and categories in canonical form. */
static void self_link(const struct feed_read *f, const char *area, char *out, size_t size)
{
    int k = f->subscription ? snprintf(out, size, "/api/v1/alerts/feed.atom?subscription=%lld",
                                       (long long)f->subscription)
                            : snprintf(out, size, "/api/v1/alerts/feed.atom?area=");
    size_t at = k > 0 && (size_t)k < size ? (size_t)k : size;
    for (const char *p = area; !f->subscription && *p && at + 4 < size; p++) {
        unsigned char c = (unsigned char)*p;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     strchr(":,.-_", c);
        at += (size_t)snprintf(out + at, size - at, plain ? "%c" : "%%%02X", c);
    }
    for (size_t i = 0; !f->subscription && i < f->spec.category_count && at < size; i++) {
        k = snprintf(out + at, size - at, "&category=%s", f->spec.categories[i]);
        at += k > 0 ? (size_t)k : 0;
    }
}

struct entries {
    struct tz_threatmap *tm;
    struct tz_buf *b;
    int64_t updated;
};

static tz_err add_entry(void *ctx, const struct tz_report_view *v)
{
    struct entries *e = ctx;
    int64_t t = v->rec.status_changed_at ? v->rec.status_changed_at : v->rec.received_at;
    if (t > e->updated)
        e->updated = t;
    return tz_http_atom_entry(e->tm, e->b, &v->rec);
}

enum MHD_Result api_alerts_feed(struct request *req)
{
    struct tz_alerts *alerts = req->srv->alerts;
    int retry_after_s = 0;
    if (!alerts)
        return http_respond_status_problem(req, 503, "alerts are not served here", NULL);
    if (!http_guard_feed_allowed(req, &retry_after_s))
        return http_respond_too_many(req, retry_after_s);
    struct tz_field_errors errs = {0};
    struct feed_read f;
    if (!read_feed(req, &f, &errs))
        return http_respond_status_problem(req, 400, "bad query parameters", &errs);
    tz_err err = TZ_OK;
    if (f.subscription && (err = tz_alerts_spec_of(alerts, f.subscription, &f.spec)))
        return http_respond_problem(req, err, err == TZ_ENOTFOUND ? "no such subscription" : NULL,
                                    NULL);
    char area[TZ_ALERT_TEXT_MAX], self[TZ_ALERT_TEXT_MAX + 64], title[TZ_ALERT_TEXT_MAX + 32];
    if ((err = tz_alert_area_format(&f.spec.area, area, sizeof area)))
        return http_respond_problem(req, err, NULL, NULL);
    self_link(&f, area, self, sizeof self);
    snprintf(title, sizeof title, "tarcza: %s", area);
    struct tz_buf entries, b;
    tz_buf_init(&entries, FEED_BODY_MAX);
    tz_buf_init(&b, FEED_BODY_MAX);
    int64_t now = tz_time_now();
    struct entries e = {.tm = req->srv->tm, .b = &entries, .updated = 0};
    err = tz_alerts_feed(alerts, &f.spec, now, f.limit, add_entry, &e);
    if (!err)
        err = tz_http_atom_begin(&b, area, self, title, e.updated ? e.updated : now);
    if (!err && entries.len)
        err = tz_buf_append(&b, entries.data, entries.len);
    if (!err)
        err = tz_http_atom_end(&b);
    tz_buf_free(&entries);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_typed(req, MHD_HTTP_OK, "application/atom+xml; charset=utf-8", &b);
}

/* ---- subscriptions ------------------------------------------------------------------------- */

static void who_of(struct request *req, char *client, size_t size, struct tz_alert_who *who)
{
    http_client_address(req, client, size);
    *who = (struct tz_alert_who){.actor = "anonymous", .client = client};
}

void http_alerts_read_spec(struct request *req, json_t *root, struct tz_alert_spec *spec,
                           struct tz_field_errors *errs)
{
    json_t *area = json_object_get(root, "area"), *cats = json_object_get(root, "categories");
    const char *why = NULL;
    memset(spec, 0, sizeof *spec);
    if (!json_is_string(area))
        tz_fielderr_add(errs, "/area",
                        "an area: bbox:W,S,E,N, circle:LON,LAT,METRES, "
                        "polygon:LON LAT,... or district:ID");
    else if (tz_alert_area_parse(json_string_value(area), json_string_length(area), &spec->area,
                                 &why) ||
             tz_alert_spec_check(req->srv->tm, spec, &why))
        tz_fielderr_add(errs, "/area", "%s", why);
    if (cats && !json_is_array(cats) && !json_is_null(cats)) {
        tz_fielderr_add(errs, "/categories", "a list of category codes");
        return;
    }
    size_t i;
    json_t *c;
    json_array_foreach(cats, i, c)
    {
        if (!json_is_string(c) ||
            tz_alert_spec_category(req->srv->tm, spec, json_string_value(c), json_string_length(c)))
            tz_fielderr_add(errs, "/categories", "item %zu is no category code (at most %d)", i,
                            TZ_ALERT_CATEGORIES_MAX);
    }
}

static tz_err subscribed_json(int64_t id, bool email, struct tz_buf *b)
{
    char feed[96];
    snprintf(feed, sizeof feed, "/api/v1/alerts/feed.atom?subscription=%lld", (long long)id);
    struct tz_jw w;
    tz_jw_begin(&w, b);
    tz_jw_object(&w);
    tz_jw_kint(&w, "id", id);
    tz_jw_kstr(&w, "feed", email ? NULL : feed);
    tz_jw_kbool(&w, "confirmation_sent", email);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

enum MHD_Result api_alerts_subscribe(struct request *req)
{
    static const char *const allowed[] = {"area", "categories", "email", NULL};
    struct tz_alerts *alerts = req->srv->alerts;
    int retry_after_s = 0;
    if (!alerts)
        return http_respond_status_problem(req, 503, "alerts are not served here", NULL);
    if (!http_guard_write_allowed(req, &retry_after_s))
        return http_respond_too_many(req, retry_after_s);
    struct tz_field_errors errs = {0};
    json_t *root = NULL;
    tz_err err = police_body_object(req, allowed, &root, &errs);
    if (err)
        return http_respond_problem(
            req, err, err == TZ_EMALFORMED ? "the body must be one JSON object" : NULL, NULL);
    struct tz_alert_spec spec;
    http_alerts_read_spec(req, root, &spec, &errs);
    json_t *email = json_object_get(root, "email");
    if (email && !json_is_string(email) && !json_is_null(email))
        tz_fielderr_add(&errs, "/email", "an e-mail address");
    if (errs.count || errs.dropped) {
        json_decref(root);
        return http_respond_problem(req, TZ_EINVAL, "some fields are invalid; see errors", &errs);
    }
    char client[TZ_NETADDR_TEXT_MAX];
    struct tz_alert_who who;
    who_of(req, client, sizeof client, &who);
    int64_t id = 0, now = tz_time_now();
    const char *why = NULL;
    bool by_mail = json_is_string(email);
    err = by_mail ? tz_alerts_subscribe_email(alerts, &spec, json_string_value(email),
                                              json_string_length(email), &who, now, &id, &why)
                  : tz_alerts_subscribe_feed(alerts, &spec, &who, now, &id);
    json_decref(root);
    if (err == TZ_EINVAL) {
        tz_fielderr_add(&errs, "/email", "%s", why ? why : "invalid");
        return http_respond_problem(req, err, "some fields are invalid; see errors", &errs);
    }
    struct tz_buf b;
    tz_buf_init(&b, ANSWER_MAX);
    if (err || (err = subscribed_json(id, by_mail, &b))) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_CREATED, &b);
}

/* id and token from the query string: false with errs otherwise. */
static bool read_id_token(struct request *req, int64_t *id, const char **token,
                          struct tz_field_errors *errs)
{
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    *id = 0;
    *token = NULL;
    if (!http_query_params(req, params, &n))
        n = 0;
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key, *v = params[i].value ? params[i].value : "";
        int64_t x = 0;
        if (strcmp(k, "id") == 0 && !*id &&
            tz_num_parse_i64(v, strlen(v), 1, INT64_MAX, &x) == TZ_OK)
            *id = x;
        else if (strcmp(k, "token") == 0 && !*token && strlen(v) < TZ_ALERT_SECRET_MAX)
            *token = v;
        else
            tz_fielderr_add(errs, k, "unknown, repeated or bad parameter (id, token)");
    }
    if (!*id)
        tz_fielderr_add(errs, "id", "the subscription's number");
    if (!*token)
        tz_fielderr_add(errs, "token", "the token of the mail's link");
    return errs->count == 0 && errs->dropped == 0;
}

static enum MHD_Result done_json(struct request *req, const char *key, bool v)
{
    struct tz_buf b;
    struct tz_jw w;
    tz_buf_init(&b, ANSWER_MAX);
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kbool(&w, key, v);
    tz_jw_object_end(&w);
    tz_err err = tz_jw_end(&w);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

enum MHD_Result api_alerts_confirm(struct request *req)
{
    struct tz_alerts *alerts = req->srv->alerts;
    int retry_after_s = 0;
    if (!alerts)
        return http_respond_status_problem(req, 503, "alerts are not served here", NULL);
    if (!http_guard_write_allowed(req, &retry_after_s))
        return http_respond_too_many(req, retry_after_s);
    struct tz_field_errors errs = {0};
    int64_t id = 0;
    const char *token = NULL;
    if (!read_id_token(req, &id, &token, &errs))
        return http_respond_status_problem(req, 400, "bad query parameters", &errs);
    char client[TZ_NETADDR_TEXT_MAX];
    struct tz_alert_who who;
    who_of(req, client, sizeof client, &who);
    tz_err err = tz_alerts_confirm(alerts, id, token, &who);
    if (err == TZ_ECONFLICT)
        return done_json(req, "confirmed", true); /* the link followed twice */
    if (err)
        return http_respond_problem(
            req, err, err == TZ_ENOTFOUND ? "no such subscription or token" : NULL, NULL);
    return done_json(req, "confirmed", true);
}

/*
 * GET of the unsubscribe link (a reader who follows the link in the mail's
 * body): a page whose one button makes the one-click POST. A GET never
 * unsubscribes (RFC 8058: link checkers and prefetchers follow links).
 */
enum MHD_Result api_alerts_unsubscribe_page(struct request *req)
{
    struct tz_field_errors errs = {0};
    int64_t id = 0;
    const char *token = NULL;
    if (!read_id_token(req, &id, &token, &errs))
        return http_respond_status_problem(req, 400, "bad query parameters", &errs);
    struct tz_buf b;
    tz_buf_init(&b, ANSWER_MAX);
    /* token was read as at most 64 characters; only hex digits reach the page */
    bool hex = strspn(token, "0123456789abcdef") == strlen(token);
    tz_err err =
        hex ? tz_buf_printf(&b,
                            "<!doctype html>\n<html lang=\"pl\"><head><meta charset=\"utf-8\">"
                            "<title>tarcza: wypisz się / unsubscribe</title></head><body>"
                            "<form method=\"post\" action=\"/api/v1/alerts/unsubscribe?"
                            "id=%lld&amp;token=%s\"><input type=\"hidden\" "
                            "name=\"List-Unsubscribe\" value=\"One-Click\">"
                            "<button type=\"submit\">Wypisz mnie / unsubscribe me"
                            "</button></form></body></html>\n",
                            (long long)id, token)
            : TZ_EINVAL;
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err == TZ_EINVAL ? TZ_ENOTFOUND : err,
                                    "no such subscription or token", NULL);
    }
    return http_respond_typed(req, MHD_HTTP_OK, "text/html; charset=utf-8", &b);
}

enum MHD_Result api_alerts_unsubscribe(struct request *req)
{
    struct tz_alerts *alerts = req->srv->alerts;
    int retry_after_s = 0;
    if (!alerts)
        return http_respond_status_problem(req, 503, "alerts are not served here", NULL);
    if (!http_guard_write_allowed(req, &retry_after_s))
        return http_respond_too_many(req, retry_after_s);
    struct tz_field_errors errs = {0};
    int64_t id = 0;
    const char *token = NULL;
    if (!read_id_token(req, &id, &token, &errs))
        return http_respond_status_problem(req, 400, "bad query parameters", &errs);
    /* RFC 8058: the one-click POST carries List-Unsubscribe=One-Click. */
    struct http_form form;
    tz_err err = http_form_parse(req->body.data ? req->body.data : "", req->body.len, &form);
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    bool one_click = form.count == 1 && strcmp(form.params[0].key, "List-Unsubscribe") == 0 &&
                     form.params[0].value && strcmp(form.params[0].value, "One-Click") == 0;
    http_form_free(&form);
    if (!one_click) {
        tz_fielderr_add(&errs, "List-Unsubscribe", "the body is List-Unsubscribe=One-Click");
        return http_respond_status_problem(req, 400, "not a one-click unsubscribe", &errs);
    }
    char client[TZ_NETADDR_TEXT_MAX];
    struct tz_alert_who who;
    who_of(req, client, sizeof client, &who);
    err = tz_alerts_unsubscribe(alerts, id, token, &who);
    if (err)
        return http_respond_problem(
            req, err, err == TZ_ENOTFOUND ? "no such subscription or token" : NULL, NULL);
    return done_json(req, "unsubscribed", true);
}
