/*
 * api_alerts_admin.c - an administrator's view of the city systems' webhooks
 * (issue 19, docs/alerts.md): the list (never a key: it is shown once, when
 * `tarcza alerts webhook` adds one), and disabling or enabling one. The role
 * table (auth.c, TZ_ACT_ALERT_WEBHOOKS) lets only admins; the read, each
 * change and each refusal are audited (alert.webhooks.read, alert.disable,
 * alert.enable, alert.webhooks) in the transaction of their effect.
 *
 *   GET  /api/v1/alerts/webhooks                      {"webhooks": [...]}
 *   POST /api/v1/alerts/webhooks                      {"url", "area", "categories"}: 201 with
 *                                                     the id and the key, shown this once
 *   POST /api/v1/alerts/webhooks/change               {"id": N, "action":
 *                                                      "disable"|"enable"|"remove"}
 *
 * Adding is the command line's `tarcza alerts webhook` over HTTP: the same URL rule, the same
 * area and categories, the same audit entry (alert.subscribe, actor the admin); removing is
 * alert.remove. A refused add or change (a bad body) is audited as refused too.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <sodium.h>

#include "base/jsonw.h"
#include "base/tztime.h"
#include "http/internal.h"
#include "http/police.h"

/* A webhook as listed; with its key (secret, not NULL) only in the answer that added it. */
static void webhook_json(struct tz_jw *w, const struct tz_alert_sub_rec *s, const char *secret)
{
    tz_jw_object(w);
    tz_jw_kint(w, "id", s->id);
    tz_jw_kstr(w, "url", s->target);
    tz_jw_kstr(w, "area", s->area);
    tz_jw_key(w, "categories");
    tz_jw_array(w);
    for (const char *p = s->categories; *p;) { /* "a,b,c" */
        size_t n = strcspn(p, ",");
        char code[TZ_CODE_MAX];
        snprintf(code, sizeof code, "%.*s", (int)(n < sizeof code ? n : sizeof code - 1), p);
        tz_jw_str(w, code);
        p += n + (p[n] == ',');
    }
    tz_jw_array_end(w);
    tz_jw_kbool(w, "enabled", s->disabled_at == 0);
    if (s->disabled_at)
        tz_jw_ktime(w, "disabled_at", s->disabled_at);
    else
        tz_jw_kstr(w, "disabled_at", NULL);
    tz_jw_kint(w, "failures", s->failures);
    tz_jw_ktime(w, "created_at", s->created_at);
    if (secret)
        tz_jw_kstr(w, "secret", secret);
    tz_jw_object_end(w);
}

enum MHD_Result api_alerts_webhooks(struct request *req)
{
    struct tz_alerts *alerts = req->srv->alerts;
    if (!alerts)
        return http_respond_status_problem(req, 503, "alerts are not served here", NULL);
    struct police_ctx c;
    enum MHD_Result answer;
    if (!police_begin(req, false, TZ_ACT_ALERT_WEBHOOKS, &c, &answer))
        return answer;
    struct tz_alert_sub_rec *subs = NULL;
    size_t n = 0;
    tz_err err = tz_alerts_webhooks(alerts, &subs, &n);
    if (!err && !police_audit_read(req, &c, TZ_AUDIT_ALERT_WEBHOOKS_READ, n, &answer)) {
        tz_alert_sub_recs_free(subs, n);
        police_end(&c);
        return answer;
    }
    police_end(&c);
    struct tz_buf b;
    struct tz_jw w;
    tz_buf_init(&b, 1u << 20);
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_key(&w, "webhooks");
    tz_jw_array(&w);
    for (size_t i = 0; !err && i < n; i++)
        webhook_json(&w, &subs[i], NULL);
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    tz_err werr = tz_jw_end(&w);
    tz_alert_sub_recs_free(subs, n);
    return police_answer_doc(req, err ? err : werr, &b);
}

/* 201 with the webhook as listed and its key: the key's only showing. */
static enum MHD_Result added_json(struct request *req, struct tz_alerts *alerts, int64_t id,
                                  const char *secret)
{
    struct tz_alert_sub_rec *subs = NULL;
    size_t n = 0;
    tz_err err = tz_alerts_webhooks(alerts, &subs, &n);
    struct tz_buf b;
    struct tz_jw w;
    tz_buf_init(&b, 64 * 1024);
    tz_jw_begin(&w, &b);
    for (size_t i = 0; !err && i < n; i++) {
        if (subs[i].id == id)
            webhook_json(&w, &subs[i], secret);
    }
    tz_alert_sub_recs_free(subs, n);
    tz_err werr = tz_jw_end(&w); /* TZ_EINVAL when it was not found: removed meanwhile */
    if (err || werr) {
        sodium_memzero(b.data, b.len);
        tz_buf_free(&b);
        return http_respond_problem(req, err ? err : werr, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_CREATED, &b);
}

enum MHD_Result api_alerts_webhook_add(struct request *req)
{
    struct tz_alerts *alerts = req->srv->alerts;
    if (!alerts)
        return http_respond_status_problem(req, 503, "alerts are not served here", NULL);
    static const char *const allowed[] = {"url", "area", "categories", NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    if (!police_begin(req, true, TZ_ACT_ALERT_WEBHOOKS, &c, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    json_t *root = NULL;
    tz_err err = police_body_object(req, allowed, &root, &errs);
    if (err) {
        police_audit_refusal(req, &c, TZ_ACT_ALERT_WEBHOOKS, "refused", "a bad body");
        police_end(&c);
        return police_answer_body_error(req, err, &errs);
    }
    struct tz_alert_spec spec;
    http_alerts_read_spec(req, root, &spec, &errs);
    const char *url = police_field(root, "url");
    if (!url)
        tz_fielderr_add(&errs, "/url", "required: the webhook's http:// or https:// URL");
    struct tz_alert_who who = {
        .actor = c.p.account.name, .role = c.p.account.role, .client = c.client};
    char secret[TZ_ALERT_SECRET_MAX] = "";
    int64_t id = 0;
    const char *why = NULL;
    if (!errs.count && !errs.dropped) {
        err = tz_alerts_add_webhook(alerts, &spec, url, &who, tz_time_now(), &id, secret, &why);
        if (err == TZ_EINVAL)
            tz_fielderr_add(&errs, "/url", "%s", why);
    }
    json_decref(root);
    if (errs.count || errs.dropped) {
        police_audit_refusal(req, &c, TZ_ACT_ALERT_WEBHOOKS, "refused", "invalid fields");
        police_end(&c);
        return http_respond_problem(req, TZ_EINVAL, "some fields are invalid; see errors", &errs);
    }
    police_end(&c);
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    enum MHD_Result r = added_json(req, alerts, id, secret);
    sodium_memzero(secret, sizeof secret);
    return r;
}

enum MHD_Result api_alerts_webhook_change(struct request *req)
{
    struct tz_alerts *alerts = req->srv->alerts;
    if (!alerts)
        return http_respond_status_problem(req, 503, "alerts are not served here", NULL);
    static const char *const allowed[] = {"id", "action", NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    if (!police_begin(req, true, TZ_ACT_ALERT_WEBHOOKS, &c, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    json_t *root = NULL;
    tz_err err = police_body_object(req, allowed, &root, &errs);
    if (err) {
        police_audit_refusal(req, &c, TZ_ACT_ALERT_WEBHOOKS, "refused", "a bad body");
        police_end(&c);
        return police_answer_body_error(req, err, &errs);
    }
    json_t *id = json_object_get(root, "id");
    const char *action = police_field(root, "action");
    if (!json_is_integer(id) || json_integer_value(id) <= 0)
        tz_fielderr_add(&errs, "/id", "the webhook's id, a positive integer");
    bool enable = action && strcmp(action, "enable") == 0;
    bool remove = action && strcmp(action, "remove") == 0;
    if (!enable && !remove && !(action && strcmp(action, "disable") == 0))
        tz_fielderr_add(&errs, "/action", "disable, enable or remove");
    if (errs.count || errs.dropped) {
        json_decref(root);
        police_audit_refusal(req, &c, TZ_ACT_ALERT_WEBHOOKS, "refused", "invalid fields");
        police_end(&c);
        return http_respond_problem(req, TZ_EINVAL, "some fields are invalid; see errors", &errs);
    }
    struct tz_alert_who who = {
        .actor = c.p.account.name, .role = c.p.account.role, .client = c.client};
    err = remove ? tz_alerts_webhook_remove(alerts, json_integer_value(id), &who)
                 : tz_alerts_webhook_enable(alerts, json_integer_value(id), enable, &who);
    json_decref(root);
    police_end(&c);
    if (err == TZ_ENOTFOUND)
        return http_respond_problem(req, err, "no such webhook", NULL);
    if (err == TZ_ECONFLICT)
        return http_respond_problem(
            req, err, enable ? "the webhook is enabled already" : "the webhook is disabled already",
            NULL);
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    struct tz_buf b;
    struct tz_jw w;
    tz_buf_init(&b, 64);
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    if (remove)
        tz_jw_kbool(&w, "removed", true);
    else
        tz_jw_kbool(&w, "enabled", enable);
    tz_jw_object_end(&w);
    return police_answer_doc(req, tz_jw_end(&w), &b);
}
