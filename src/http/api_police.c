/*
 * api_police.c - the police side of the API (DESIGN 1.1, 5), one report: its
 * full view (with the transitions the caller may make from its status), its
 * transitions, its reviewed public description, its assignment and its merge;
 * and the steps every police handler takes (police.h). The lists are in
 * api_police_lists.c, the administrator's accounts and districts in
 * api_accounts.c.
 *
 * Every handler follows the same steps: find the caller (police_caller:
 * session or token, CSRF for changes), load the object, ask the permission
 * table (tz_auth_permit) about the object's district and unit, then act
 * through the domain (threatmap, auth), which owns the rules. A refusal is
 * written to the audit log; a change is written to it in the same store
 * transaction as the change; a read of non-public data is written to it
 * before the data is sent. This file reads input, calls the domain, maps the
 * result to a status and renders JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "base/jsonw.h"
#include "base/tztime.h"
#include "http/police.h"
#include "http/render.h"

#define VIEW_BODY_MAX (256u * 1024)

void police_audit_refusal(struct request *req, struct police_ctx *c, enum tz_auth_action action,
                          const char *outcome, const char *why)
{
    struct tz_audit_rec a =
        tz_auth_audit_entry(req->srv->auth, &c->p, NULL, c->client, tz_auth_action_code(action),
                            c->object[0] ? c->object : NULL);
    a.outcome = outcome;
    a.note = why;
    tz_auth_audit(req->srv->auth, &a);
}

enum MHD_Result police_answer_doc(struct request *req, tz_err err, struct tz_buf *b)
{
    if (err) {
        tz_buf_free(b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, b);
}

const char *police_unit_of(void *ctx, const char *district_id)
{
    const struct tz_district_rec *d = tz_threatmap_district(ctx, district_id);
    return d ? d->unit : "";
}

struct tz_auth_who police_who(const struct police_ctx *c)
{
    return (struct tz_auth_who){.p = &c->p, .client = c->client};
}

bool police_begin(struct request *req, bool changes, enum tz_auth_action action,
                  struct police_ctx *c, enum MHD_Result *answer)
{
    memset(c, 0, sizeof *c);
    if (!police_caller(req, changes, &c->p, answer))
        return false;
    police_client(req, c->client, sizeof c->client);
    if (!req->id) { /* an action on no single report: the role must have it at some scope */
        if (tz_auth_permit(&c->p, action, NULL, NULL, NULL) == TZ_OK)
            return true;
        police_audit_refusal(req, c, action, "refused", "not in the caller's role");
        *answer = police_refuse(req, 403, "your role may not do this");
        return false;
    }
    snprintf(c->object, sizeof c->object, "report/%lld", (long long)req->id);
    tz_err err = tz_threatmap_police_report(req->srv->tm, req->id, &c->rec, c->assignee);
    if (err) {
        *answer =
            http_respond_problem(req, err, err == TZ_ENOTFOUND ? "no such report" : NULL, NULL);
        return false;
    }
    c->district = tz_threatmap_district(req->srv->tm, c->rec.district_id);
    if (tz_auth_permit(&c->p, action, c->rec.district_id, c->district ? c->district->unit : "",
                       c->assignee) != TZ_OK) {
        police_audit_refusal(req, c, action, "refused", "outside the caller's scope");
        *answer = police_refuse(req, 403, "this report is outside your districts or your role");
        return false;
    }
    return true;
}

void police_end(struct police_ctx *c)
{
    tz_report_rec_clear(&c->rec);
}

bool police_audit_read(struct request *req, struct police_ctx *c, enum tz_audit_action action,
                       size_t count, enum MHD_Result *answer)
{
    char fields[64];
    snprintf(fields, sizeof fields, "{\"reports\":%zu}", count);
    struct tz_audit_rec a =
        tz_auth_audit_entry(req->srv->auth, &c->p, NULL, c->client, tz_audit_code(action), NULL);
    a.fields = fields;
    tz_err err = tz_auth_audit(req->srv->auth, &a);
    if (err)
        *answer = http_respond_problem(req, err, NULL, NULL);
    return err == TZ_OK;
}

/* ---- rendering ------------------------------------------------------------------------------ */

/*
 * The transitions the caller may make on this report now: those of the workflow's table from
 * its status for the caller's role, when the caller may move this report at all.
 */
static void put_transitions(struct police_ctx *c, struct tz_jw *w)
{
    const struct tz_transition_rule *rules[TZ_STATUS_COUNT];
    size_t n = 0;
    enum tz_status from;
    if (tz_status_parse(c->rec.status, &from) == TZ_OK &&
        tz_auth_permit(&c->p, TZ_ACT_REPORT_TRANSITION, c->rec.district_id,
                       c->district ? c->district->unit : "", c->assignee) == TZ_OK)
        n = tz_workflow_allowed(from, c->p.role, rules, TZ_STATUS_COUNT);
    tz_jw_array(w);
    for (size_t i = 0; i < n; i++) {
        tz_jw_object(w);
        tz_jw_kstr(w, "to", tz_status_code(rules[i]->to));
        tz_jw_kbool(w, "note_required", rules[i]->note_required);
        tz_jw_kbool(w, "referral_required", rules[i]->referral_required);
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
}

/* The police view of one report: the full record, its history, review and assignment. */
static tz_err render_view(struct request *req, struct police_ctx *c, int64_t now, struct tz_buf *b)
{
    struct tz_report_view view;
    tz_err err = tz_threatmap_report_full(req->srv->tm, req->id, &view);
    if (err)
        return err;
    struct tz_jw w;
    tz_jw_begin(&w, b);
    tz_jw_object(&w);
    tz_jw_key(&w, "report");
    tz_http_put_report(&w, req->srv->tm, &view, now);
    tz_jw_kstr(&w, "public_description", c->rec.public_description);
    tz_jw_kbool(&w, "reviewed", c->rec.public_description != NULL);
    tz_jw_kstr(&w, "assigned_to", c->assignee[0] ? c->assignee : NULL);
    tz_jw_kstr(&w, "unit", c->district ? c->district->unit : NULL);
    http_put_nearest_address(&w, req->srv->addresses, view.rec.lat, view.rec.lon);
    tz_jw_key(&w, "transitions");
    put_transitions(c, &w);
    tz_jw_key(&w, "photos"); /* every photo, pending ones to review included */
    tz_http_put_photos(&w, &view, true);
    tz_jw_object_end(&w);
    tz_report_view_clear(&view);
    return tz_jw_end(&w);
}

static enum MHD_Result answer_view(struct request *req, struct police_ctx *c)
{
    struct tz_report_rec fresh;
    char assignee[TZ_ACCOUNT_NAME_MAX];
    if (tz_threatmap_police_report(req->srv->tm, req->id, &fresh, assignee) == TZ_OK) {
        tz_report_rec_clear(&c->rec);
        c->rec = fresh;
        memcpy(c->assignee, assignee, sizeof assignee);
    }
    struct tz_buf b;
    tz_buf_init(&b, VIEW_BODY_MAX);
    tz_err err = render_view(req, c, tz_auth_now(req->srv->auth), &b);
    police_end(c);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

/*
 * police_begin() for a change: the caller, the report of the path if any, the permission and CSRF;
 * then the body, a JSON object of the allowed string members. On false *answer holds the
 * refusal already queued and c is released.
 */
bool police_begin_change(struct request *req, enum tz_auth_action action, struct police_ctx *c,
                         const char *const *allowed, json_t **root, enum MHD_Result *answer)
{
    struct tz_field_errors errs = {0};
    tz_err err = TZ_OK;
    if (police_begin(req, true, action, c, answer) &&
        !(err = police_body(req, allowed, root, &errs)))
        return true;
    if (err)
        *answer = police_answer_body_error(req, err, &errs);
    police_end(c);
    return false;
}

/* ---- a report ------------------------------------------------------------------------------- */

enum MHD_Result api_police_report(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!police_begin(req, false, TZ_ACT_REPORT_READ, &c, &answer)) {
        police_end(&c);
        return answer;
    }
    struct tz_audit_rec a = tz_auth_audit_entry(req->srv->auth, &c.p, NULL, c.client,
                                                tz_audit_code(TZ_AUDIT_REPORT_READ), c.object);
    a.fields = "{\"view\":\"police\"}";
    tz_err err = tz_auth_audit(req->srv->auth, &a);
    if (err) { /* no audit entry, no data */
        police_end(&c);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return answer_view(req, &c);
}

enum MHD_Result api_report_transition(struct request *req)
{
    static const char *const allowed[] = {"to", "note", "referred_to", "public_note", NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!police_begin_change(req, TZ_ACT_REPORT_TRANSITION, &c, allowed, &root, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    const char *to = police_field(root, "to");
    const char *note = police_field(root, "note");
    const char *referred_to = police_field(root, "referred_to");
    const char *public_note = police_field(root, "public_note");
    struct tz_audit_rec a = tz_auth_audit_entry(
        req->srv->auth, &c.p, NULL, c.client, tz_audit_code(TZ_AUDIT_REPORT_TRANSITION), c.object);
    a.note = note;
    struct tz_transition_request t = {
        .report_id = req->id,
        .to = to,
        .role = c.p.role,
        .actor = c.p.account.name,
        .note = note,
        .referred_to = referred_to && *referred_to ? referred_to : NULL,
        .public_note = public_note && *public_note ? public_note : NULL,
        .audit = &a,
    };
    tz_err err = tz_threatmap_transition(req->srv->tm, &t, tz_auth_now(req->srv->auth), &errs);
    if (err) {
        char why[128];
        snprintf(why, sizeof why, "to %.16s: %s", to ? to : "?", tz_err_str(err));
        police_audit_refusal(req, &c, TZ_ACT_REPORT_TRANSITION, "refused", why);
        json_decref(root);
        police_end(&c);
        if (err == TZ_ECONFLICT)
            return http_respond_problem(req, err,
                                        "the report's status does not allow this transition", NULL);
        if (err == TZ_EINVAL)
            return http_respond_problem(req, err, "some fields are invalid; see errors", &errs);
        return http_respond_problem(req, err, NULL, NULL);
    }
    json_decref(root);
    return answer_view(req, &c);
}

/*
 * Reads {"into": report id, "note": text or null} of a merge; TZ_EMALFORMED
 * for a body that is not one object, TZ_EINVAL with errs for bad members.
 */
static tz_err merge_body(struct request *req, int64_t *into, char *note, size_t note_size,
                         struct tz_field_errors *errs)
{
    static const char *const allowed[] = {"into", "note", NULL};
    json_t *root = NULL;
    tz_err err = police_body_object(req, allowed, &root, errs);
    if (err)
        return err;
    json_t *v = json_object_get(root, "into");
    *into = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
    if (*into <= 0 || *into == req->id)
        tz_fielderr_add(errs, "/into", "the id of the original report (not this one)");
    v = json_object_get(root, "note");
    if (v && !json_is_null(v) && (!json_is_string(v) || json_string_length(v) >= note_size))
        tz_fielderr_add(errs, "/note", "a text of at most %zu bytes", note_size - 1);
    else
        snprintf(note, note_size, "%s", json_is_string(v) ? json_string_value(v) : "");
    json_decref(root);
    return errs->count ? TZ_EINVAL : TZ_OK;
}

/*
 * POST /api/v1/reports/{id}/merge: the report is a duplicate of `into`; both
 * stay, the merge is recorded (analysis, migration 7) with its audit entry in
 * the same transaction. Both reports must be in the caller's scope.
 */
enum MHD_Result api_report_merge(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!police_begin(req, true, TZ_ACT_REPORT_MERGE, &c, &answer)) {
        police_end(&c);
        return answer;
    }
    struct tz_field_errors errs = {0};
    int64_t into = 0;
    char note[4001];
    tz_err err = merge_body(req, &into, note, sizeof note, &errs);
    if (err) {
        police_end(&c);
        return police_answer_body_error(req, err, &errs);
    }
    struct tz_report_rec original = {0};
    char assignee[TZ_ACCOUNT_NAME_MAX] = "";
    err = tz_threatmap_police_report(req->srv->tm, into, &original, assignee);
    const struct tz_district_rec *d =
        err ? NULL : tz_threatmap_district(req->srv->tm, original.district_id);
    tz_report_rec_clear(&original);
    if (err == TZ_ENOTFOUND) {
        police_end(&c);
        tz_fielderr_add(&errs, "/into", "no such report");
        return http_respond_problem(req, TZ_EINVAL, "some fields are invalid; see errors", &errs);
    }
    if (!err && tz_auth_permit(&c.p, TZ_ACT_REPORT_MERGE, d ? d->id : "", d ? d->unit : "",
                               assignee) != TZ_OK) {
        police_audit_refusal(req, &c, TZ_ACT_REPORT_MERGE, "refused",
                             "the original is out of scope");
        police_end(&c);
        return police_refuse(req, 403, "the original report is outside your districts");
    }
    char fields[64];
    snprintf(fields, sizeof fields, "{\"merged_into\":%lld}", (long long)into);
    struct tz_audit_rec a = tz_auth_audit_entry(req->srv->auth, &c.p, NULL, c.client,
                                                tz_auth_action_code(TZ_ACT_REPORT_MERGE), c.object);
    a.fields = fields;
    a.note = note[0] ? note : NULL;
    if (!err)
        err = tz_threatmap_merge(req->srv->tm, req->id, into, c.p.account.name, a.note,
                                 tz_auth_now(req->srv->auth), &a);
    if (err) {
        police_audit_refusal(req, &c, TZ_ACT_REPORT_MERGE, "refused", tz_err_str(err));
        police_end(&c);
        return http_respond_problem(
            req, err,
            err == TZ_ECONFLICT ? "already merged, or the original is itself a duplicate" : NULL,
            NULL);
    }
    return answer_view(req, &c);
}

/* Audits a change the rules refused (or that failed), naming its first bad field, before the
 * answer: issue 20 asks that every refused change names actor, role, client and object. */
static void audit_refused_change(struct request *req, struct police_ctx *c,
                                 enum tz_auth_action action, tz_err err,
                                 const struct tz_field_errors *errs)
{
    char why[256];
    if (errs->count)
        snprintf(why, sizeof why, "%s: %s", errs->items[0].field, errs->items[0].message);
    else
        snprintf(why, sizeof why, "%s", tz_err_str(err));
    bool refused = errs->count || err == TZ_EINVAL || err == TZ_ECONFLICT || err == TZ_ENOTFOUND;
    police_audit_refusal(req, c, action, refused ? "refused" : "failed", why);
}

enum MHD_Result api_report_description(struct request *req)
{
    static const char *const allowed[] = {"public_description", "note", NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!police_begin_change(req, TZ_ACT_REPORT_DESCRIBE, &c, allowed, &root, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    tz_err err = TZ_OK;
    const char *text = police_field(root, "public_description");
    if (!json_object_get(root, "public_description"))
        tz_fielderr_add(&errs, "/public_description", "required (null hides the description)");
    struct tz_buf fields;
    tz_buf_init(&fields, 16u * 1024);
    if (!errs.count) {
        /* The previous public text stays in the audit trail; the reporter's original stays as is.
         */
        struct tz_jw w;
        tz_jw_begin(&w, &fields);
        tz_jw_object(&w);
        tz_jw_key(&w, "public_description");
        tz_jw_object(&w);
        tz_jw_kstr(&w, "from", c.rec.public_description);
        tz_jw_kstr(&w, "to", text);
        tz_jw_object_end(&w);
        tz_jw_object_end(&w);
        err = tz_jw_end(&w);
        struct tz_audit_rec a =
            tz_auth_audit_entry(req->srv->auth, &c.p, NULL, c.client,
                                tz_audit_code(TZ_AUDIT_REPORT_DESCRIBE), c.object);
        a.fields = fields.data;
        a.note = police_field(root, "note");
        if (!err)
            err = tz_threatmap_review_description(req->srv->tm, req->id, text, &a, &errs);
    } else {
        err = TZ_EINVAL;
    }
    tz_buf_free(&fields);
    json_decref(root);
    if (err) {
        audit_refused_change(req, &c, TZ_ACT_REPORT_DESCRIBE, err, &errs);
        police_end(&c);
        return http_respond_problem(req, err, "some fields are invalid; see errors", &errs);
    }
    return answer_view(req, &c);
}

enum MHD_Result api_report_assignment(struct request *req)
{
    static const char *const allowed[] = {"officer", "note", NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!police_begin_change(req, TZ_ACT_REPORT_ASSIGN, &c, allowed, &root, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    tz_err err = TZ_OK;
    const char *officer = police_field(root, "officer");
    if (officer)
        err = tz_auth_assignee_check(req->srv->auth, &c.p, TZ_ACT_REPORT_ASSIGN, officer,
                                     police_unit_of, req->srv->tm, &errs);
    if (!err && !errs.count) {
        struct tz_buf fields;
        struct tz_jw w;
        tz_buf_init(&fields, 1024);
        tz_jw_begin(&w, &fields);
        tz_jw_object(&w);
        tz_jw_key(&w, "assigned_to");
        tz_jw_object(&w);
        tz_jw_kstr(&w, "from", c.assignee);
        tz_jw_kstr(&w, "to", officer ? officer : "");
        tz_jw_object_end(&w);
        tz_jw_object_end(&w);
        struct tz_audit_rec a = tz_auth_audit_entry(
            req->srv->auth, &c.p, NULL, c.client, tz_audit_code(TZ_AUDIT_REPORT_ASSIGN), c.object);
        a.fields = fields.data;
        a.note = police_field(root, "note");
        err = tz_jw_end(&w);
        if (!err)
            err = tz_threatmap_assign(req->srv->tm, req->id, officer, tz_auth_now(req->srv->auth),
                                      &a);
        tz_buf_free(&fields);
    } else {
        err = TZ_EINVAL;
    }
    json_decref(root);
    if (err) {
        audit_refused_change(req, &c, TZ_ACT_REPORT_ASSIGN, err, &errs);
        police_end(&c);
        return http_respond_problem(req, err, "some fields are invalid; see errors", &errs);
    }
    return answer_view(req, &c);
}
