/*
 * api_exchange_retention.c - Art. 16's retention through the API (issue 14):
 * a case concluded (POST /api/v1/exchange/cases/{id}/conclusion {"reasons"}),
 * the queue of reviews (GET /api/v1/exchange/retention[?due=true]) and a
 * review (POST /api/v1/exchange/retention/{id}/review {"decision": "keep" or
 * "delete", "reasons", "next_review"}). The exchange owns the rules and writes
 * each step with its audit entry; this file reads the bodies and renders.
 */
#include <stdio.h>
#include <string.h>

#include "base/tztime.h"
#include "http/exchange_api.h"

static void put_retention(struct tz_jw *w, const struct tz_xretention *r, enum tz_xlang lang)
{
    tz_jw_object(w);
    tz_jw_kint(w, "case", r->case_id);
    tz_jw_kstr(w, "subject", r->subject);
    tz_jw_kstr(w, "unit", r->unit);
    tz_jw_kstr(w, "state", tz_xcode_code(TZ_XT_RETENTION_STATE, r->state));
    tz_jw_kstr(w, "state_label", tz_xcode_label(TZ_XT_RETENTION_STATE, r->state, lang));
    tz_jw_ktime(w, "concluded_at", r->concluded_at);
    tz_jw_kstr(w, "concluded_by", r->concluded_by);
    if (r->state != TZ_XRS_DELETED) {
        tz_jw_ktime(w, "review_due", r->review_due);
        tz_jw_kbool(w, "due", r->due);
    }
    if (r->reviewed_at) {
        tz_jw_ktime(w, "reviewed_at", r->reviewed_at);
        tz_jw_kstr(w, "reviewed_by", r->reviewed_by);
    }
    tz_jw_kstr(w, "reasons", r->reasons);
    tz_jw_kint(w, "reviews", r->reviews);
    tz_jw_object_end(w);
}

static enum MHD_Result answer_one(struct request *req, struct police_ctx *c, tz_err err,
                                  const struct tz_xretention *r, struct tz_field_errors *errs,
                                  unsigned status)
{
    if (err == TZ_EFORBIDDEN)
        return xapi_forbidden(req, c, TZ_ACT_EXCHANGE_RETENTION);
    if (err == TZ_ECONFLICT)
        return http_respond_problem(
            req, err, "concluded already, deleted already, or reviewed meanwhile", NULL);
    if (err)
        return xapi_problem(req, err, "no such case, or not concluded", errs);
    struct tz_buf b;
    tz_buf_init(&b, 8192);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    put_retention(&w, r, xapi_lang(req));
    return xapi_answer(req, status, &b, &w);
}

/* POST /api/v1/exchange/cases/{id}/conclusion {"reasons"}: the case's exchange has ended. */
enum MHD_Result api_x_case_conclude(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!xapi_caller(req, true, &c, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "xcase/%lld", (long long)req->id);
    static const char *const allowed[] = {"reasons", NULL};
    struct tz_field_errors errs = {0};
    json_t *root = NULL;
    tz_err err = req->body.len ? police_body(req, allowed, &root, &errs) : TZ_OK;
    if (err || errs.count) {
        json_decref(root);
        return police_answer_body_error(req, err ? err : TZ_EINVAL, &errs);
    }
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    struct tz_xretention r;
    err = tz_exchange_conclude(req->srv->exchange, &who, req->id, police_field(root, "reasons"), &r,
                               &errs);
    json_decref(root);
    return answer_one(req, &c, err, &r, &errs, 201);
}

/* GET /api/v1/exchange/retention[?due=true]: the concluded cases, the review due soonest first. */
enum MHD_Result api_x_retention(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!xapi_caller(req, false, &c, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "xretention");
    const char *due = xapi_param(req, "due");
    if (due && strcmp(due, "true") != 0 && strcmp(due, "false") != 0) {
        struct tz_field_errors errs = {0};
        tz_fielderr_add(&errs, "due", "must be true or false");
        return http_respond_problem(req, TZ_EINVAL, "see errors", &errs);
    }
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    struct tz_xretentions l;
    tz_err err =
        tz_exchange_retention_queue(req->srv->exchange, &who, due && strcmp(due, "true") == 0, &l);
    if (err == TZ_EFORBIDDEN)
        return xapi_forbidden(req, &c, TZ_ACT_EXCHANGE_RETENTION);
    if (err)
        return xapi_problem(req, err, NULL, NULL);
    enum tz_xlang lang = xapi_lang(req);
    struct tz_buf b;
    tz_buf_init(&b, XAPI_ANSWER_MAX);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kint(&w, "first_review_days", TZ_X_RETENTION_FIRST_DAYS);
    tz_jw_kint(&w, "review_period_days", TZ_X_RETENTION_PERIOD_DAYS);
    tz_jw_key(&w, "items");
    tz_jw_array(&w);
    for (size_t i = 0; i < l.count; i++)
        put_retention(&w, &l.items[i], lang);
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    tz_xretentions_clear(&l);
    return xapi_answer(req, 200, &b, &w);
}

/* POST /api/v1/exchange/retention/{id}/review {"decision", "reasons", "next_review"}. */
enum MHD_Result api_x_retention_review(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!xapi_caller(req, true, &c, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "xcase/%lld", (long long)req->id);
    static const char *const allowed[] = {"decision", "reasons", "next_review", NULL};
    struct tz_field_errors errs = {0};
    json_t *root = NULL;
    tz_err err = police_body(req, allowed, &root, &errs);
    if (err || errs.count) {
        json_decref(root);
        return police_answer_body_error(req, err ? err : TZ_EINVAL, &errs);
    }
    const char *decision = police_field(root, "decision");
    const char *next = police_field(root, "next_review");
    struct tz_xreview r = {.reasons = police_field(root, "reasons")};
    if (!decision || (strcmp(decision, "keep") != 0 && strcmp(decision, "delete") != 0))
        tz_fielderr_add(&errs, "/decision", "must be keep or delete");
    else
        r.keep = strcmp(decision, "keep") == 0;
    if (next && tz_time_parse(next, strlen(next), &r.next_review) != TZ_OK)
        tz_fielderr_add(&errs, "/next_review", "must be an RFC 3339 instant");
    struct tz_xretention out;
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    err = errs.count
              ? TZ_EINVAL
              : tz_exchange_retention_review(req->srv->exchange, &who, req->id, &r, &out, &errs);
    json_decref(root);
    return answer_one(req, &c, err, &out, &errs, 200);
}
