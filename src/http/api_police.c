/*
 * api_police.c - the police side of the API (DESIGN 1.1, 5): a report's
 * full view, its transitions, its reviewed public description, its
 * assignment, a district's officer, the officer's queue and the
 * supervisor's dashboard.
 *
 * Every handler follows the same steps: find the caller (police_caller:
 * session or token, CSRF for changes), load the object, ask the permission
 * table (tz_auth_permit) about the object's district and unit, then act.
 * A refusal is written to the audit log; a change is written to it in the
 * same store transaction as the change; a read of non-public data is
 * written to it before the data is sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "analysis/analysis.h"
#include "base/tztime.h"
#include "http/police.h"

#define VIEW_BODY_MAX (256u * 1024)
#define LIST_BODY_MAX (8u * 1024 * 1024)
#define QUEUE_DEFAULT 200
#define QUEUE_MAX 1000
#define PUBLIC_TEXT_MAX_CHARS 1000

/* The workflow's role of each police role (threatmap/workflow.h). */
static const enum tz_role workflow_role[TZ_AUTH_ROLE_COUNT] = {
    [TZ_AUTH_OFFICER] = TZ_ROLE_OFFICER,
    [TZ_AUTH_SUPERVISOR] = TZ_ROLE_SUPERVISOR,
    [TZ_AUTH_ANALYST] = TZ_ROLE_ANALYST,
    [TZ_AUTH_ADMIN] = TZ_ROLE_ADMIN,
};

/* What a handler works with: the caller, the report and where it lies. */
struct ctx {
    struct tz_principal p;
    char client[64];
    char object[48];
    struct tz_report_rec rec;
    const struct tz_district_rec *district;
    char assignee[TZ_ACCOUNT_NAME_MAX];
};

/* Writes a refusal (or failure) to the audit log. */
static void audit_refusal(struct request *req, struct ctx *c, enum tz_auth_action action,
                          const char *outcome, const char *why)
{
    struct tz_audit_rec a =
        tz_auth_audit_entry(req->srv->auth, &c->p, NULL, c->client, tz_auth_action_code(action),
                            c->object[0] ? c->object : NULL);
    a.outcome = outcome;
    a.note = why;
    tz_auth_audit(req->srv->auth, &a);
}

/*
 * Finds the caller and the report of the path, and checks that the caller
 * may take action on it. On false *answer holds the answer already queued.
 */
static bool begin(struct request *req, bool changes, enum tz_auth_action action, struct ctx *c,
                  enum MHD_Result *answer)
{
    memset(c, 0, sizeof *c);
    if (!police_caller(req, changes, &c->p, answer))
        return false;
    police_client(req, c->client, sizeof c->client);
    if (!req->id) { /* an action on no single report: the role must have it at some scope */
        if (tz_auth_permit(&c->p, action, NULL, NULL, NULL) == TZ_OK)
            return true;
        audit_refusal(req, c, action, "refused", "not in the caller's role");
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
        audit_refusal(req, c, action, "refused", "outside the caller's scope");
        *answer = police_refuse(req, 403, "this report is outside your districts or your role");
        return false;
    }
    return true;
}

static void end(struct ctx *c)
{
    tz_report_rec_clear(&c->rec);
}

/* ---- rendering ------------------------------------------------------------------------------ */

static tz_err put_time(struct tz_buf *b, int64_t t)
{
    if (!t)
        return tz_buf_puts(b, "null");
    char text[TZ_TIME_TEXT_MAX];
    tz_time_format(t, text);
    return tz_buf_printf(b, "\"%s\"", text);
}

/* The deadline that applies to a report in its status (take-up or verification), or 0. */
static int64_t due_of(const struct tz_report_rec *r)
{
    if (strcmp(r->status, "new") == 0)
        return r->takeup_due;
    if (strcmp(r->status, "verifying") == 0)
        return r->verify_due;
    return 0;
}

/* One report of a queue or an overdue list. */
static tz_err put_item(struct tz_buf *b, const struct tz_report_rec *r, int64_t now)
{
    enum tz_status st = TZ_STATUS_NEW;
    tz_status_parse(r->status, &st);
    tz_err err = tz_buf_printf(
        b, "{\"id\":%lld,\"category\":\"%s\",\"status\":\"%s\",\"district\":", (long long)r->id,
        r->category, r->status);
    if (!err)
        err = tz_buf_json_cstr(b, r->district_id);
    if (!err)
        err = tz_buf_printf(b, ",\"lat\":%.6f,\"lon\":%.6f,\"received_at\":", r->lat, r->lon);
    if (!err)
        err = put_time(b, r->received_at);
    if (!err)
        err = tz_buf_puts(b, ",\"due\":");
    if (!err)
        err = put_time(b, due_of(r));
    if (!err)
        err = tz_buf_printf(b, ",\"overdue\":%s,\"description\":",
                            tz_workflow_overdue(r, st, now) ? "true" : "false");
    if (!err)
        err = tz_buf_json_cstr(b, r->description);
    if (!err)
        err = tz_buf_puts(b, ",\"public_description\":");
    if (!err)
        err = tz_buf_json_cstr(b, r->public_description);
    if (!err)
        err = tz_buf_puts(b, "}");
    return err;
}

/* The police view of one report: the full record, its history, review and assignment. */
static tz_err render_view(struct request *req, struct ctx *c, int64_t now, struct tz_buf *b)
{
    tz_err err = tz_buf_puts(b, "{\"report\":");
    if (!err)
        err = tz_threatmap_report_full_json(req->srv->tm, req->id, now, b);
    if (!err)
        err = tz_buf_puts(b, ",\"public_description\":");
    if (!err)
        err = tz_buf_json_cstr(b, c->rec.public_description);
    if (!err)
        err = tz_buf_printf(
            b, ",\"reviewed\":%s,\"assigned_to\":", c->rec.public_description ? "true" : "false");
    if (!err)
        err = tz_buf_json_cstr(b, c->assignee[0] ? c->assignee : NULL);
    if (!err)
        err = tz_buf_puts(b, ",\"unit\":");
    if (!err)
        err = tz_buf_json_cstr(b, c->district ? c->district->unit : NULL);
    if (!err)
        err = tz_buf_puts(b, "}");
    return err;
}

static enum MHD_Result answer_view(struct request *req, struct ctx *c)
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
    end(c);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

/*
 * begin() for a change: the caller, the report of the path if any, the permission and CSRF;
 * then the body, a JSON object of the allowed string members. On false *answer holds the
 * refusal already queued and c is released.
 */
static bool begin_change(struct request *req, enum tz_auth_action action, struct ctx *c,
                         const char *const *allowed, json_t **root, enum MHD_Result *answer)
{
    struct tz_field_errors errs = {0};
    tz_err err = TZ_OK;
    if (begin(req, true, action, c, answer) && !(err = police_body(req, allowed, root, &errs)))
        return true;
    if (err)
        *answer = police_answer_body_error(req, err, &errs);
    end(c);
    return false;
}

/* ---- a report ------------------------------------------------------------------------------- */

enum MHD_Result api_police_report(struct request *req)
{
    struct ctx c;
    enum MHD_Result answer;
    if (!begin(req, false, TZ_ACT_REPORT_READ, &c, &answer)) {
        end(&c);
        return answer;
    }
    struct tz_audit_rec a =
        tz_auth_audit_entry(req->srv->auth, &c.p, NULL, c.client, "report.read", c.object);
    a.fields = "{\"view\":\"police\"}";
    tz_err err = tz_auth_audit(req->srv->auth, &a);
    if (err) { /* no audit entry, no data */
        end(&c);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return answer_view(req, &c);
}

/* Whether code names an institution of the referral list (data: migration 5). */
static bool known_institution(struct request *req, const char *code)
{
    struct tz_group_rec *list = NULL;
    size_t n = 0;
    bool found = false;
    if (tz_threatmap_institutions(req->srv->tm, &list, &n) == TZ_OK) {
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp(list[i].code, code) == 0;
    }
    tz_group_recs_free(list, n);
    return found;
}

enum MHD_Result api_report_transition(struct request *req)
{
    static const char *const allowed[] = {"to", "note", "referred_to", NULL};
    struct ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!begin_change(req, TZ_ACT_REPORT_TRANSITION, &c, allowed, &root, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    tz_err err = TZ_OK;
    const char *to = police_field(root, "to");
    const char *note = police_field(root, "note");
    const char *referred_to = police_field(root, "referred_to");
    if (note && strlen(note) > 4000)
        tz_fielderr_add(&errs, "/note", "at most 4000 bytes");
    if (referred_to && *referred_to && !known_institution(req, referred_to))
        tz_fielderr_add(&errs, "/referred_to", "not an institution of GET /api/v1/institutions");
    if (!errs.count) {
        struct tz_audit_rec a = tz_auth_audit_entry(req->srv->auth, &c.p, NULL, c.client,
                                                    "report.transition", c.object);
        a.note = note;
        struct tz_transition_request t = {
            .report_id = req->id,
            .to = to,
            .role = workflow_role[c.p.role],
            .actor = c.p.account.name,
            .note = note,
            .referred_to = referred_to && *referred_to ? referred_to : NULL,
            .audit = &a,
        };
        err = tz_threatmap_transition(req->srv->tm, &t, tz_auth_now(req->srv->auth), &errs);
    } else {
        err = TZ_EINVAL;
    }
    if (err) {
        char why[128];
        snprintf(why, sizeof why, "to %.16s: %s", to ? to : "?", tz_err_str(err));
        audit_refusal(req, &c, TZ_ACT_REPORT_TRANSITION, "refused", why);
        json_decref(root);
        end(&c);
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
    struct ctx c;
    enum MHD_Result answer;
    if (!begin(req, true, TZ_ACT_REPORT_MERGE, &c, &answer)) {
        end(&c);
        return answer;
    }
    struct tz_field_errors errs = {0};
    int64_t into = 0;
    char note[4001];
    tz_err err = merge_body(req, &into, note, sizeof note, &errs);
    if (err) {
        end(&c);
        return police_answer_body_error(req, err, &errs);
    }
    struct tz_report_rec original = {0};
    char assignee[TZ_ACCOUNT_NAME_MAX] = "";
    err = tz_threatmap_police_report(req->srv->tm, into, &original, assignee);
    const struct tz_district_rec *d =
        err ? NULL : tz_threatmap_district(req->srv->tm, original.district_id);
    tz_report_rec_clear(&original);
    if (err == TZ_ENOTFOUND) {
        end(&c);
        tz_fielderr_add(&errs, "/into", "no such report");
        return http_respond_problem(req, TZ_EINVAL, "some fields are invalid; see errors", &errs);
    }
    if (!err && tz_auth_permit(&c.p, TZ_ACT_REPORT_MERGE, d ? d->id : "", d ? d->unit : "",
                               assignee) != TZ_OK) {
        audit_refusal(req, &c, TZ_ACT_REPORT_MERGE, "refused", "the original is out of scope");
        end(&c);
        return police_refuse(req, 403, "the original report is outside your districts");
    }
    char fields[64];
    snprintf(fields, sizeof fields, "{\"merged_into\":%lld}", (long long)into);
    struct tz_audit_rec a = tz_auth_audit_entry(req->srv->auth, &c.p, NULL, c.client,
                                                tz_auth_action_code(TZ_ACT_REPORT_MERGE), c.object);
    a.fields = fields;
    a.note = note[0] ? note : NULL;
    if (!err)
        err = tz_analysis_merge(req->srv->tm, req->id, into, c.p.account.name, a.note,
                                tz_auth_now(req->srv->auth), &a);
    if (err) {
        audit_refusal(req, &c, TZ_ACT_REPORT_MERGE, "refused", tz_err_str(err));
        end(&c);
        return http_respond_problem(
            req, err,
            err == TZ_ECONFLICT ? "already merged, or the original is itself a duplicate" : NULL,
            NULL);
    }
    return answer_view(req, &c);
}

/* A public text: at most 1000 characters, line breaks but no other control characters. */
static bool valid_public_text(const char *s)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\r') || *p == 0x7f)
            return false;
        chars += (*p & 0xc0) != 0x80;
    }
    return chars <= PUBLIC_TEXT_MAX_CHARS;
}

enum MHD_Result api_report_description(struct request *req)
{
    static const char *const allowed[] = {"public_description", "note", NULL};
    struct ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!begin_change(req, TZ_ACT_REPORT_DESCRIBE, &c, allowed, &root, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    tz_err err = TZ_OK;
    const char *text = police_field(root, "public_description");
    if (!json_object_get(root, "public_description"))
        tz_fielderr_add(&errs, "/public_description", "required (null hides the description)");
    else if (text && !valid_public_text(text))
        tz_fielderr_add(&errs, "/public_description",
                        "at most 1000 characters, no control characters but line breaks");
    struct tz_buf fields;
    tz_buf_init(&fields, 16u * 1024);
    if (!errs.count) {
        /* The previous public text stays in the audit trail; the reporter's original stays as is.
         */
        err = tz_buf_puts(&fields, "{\"public_description\":{\"from\":");
        if (!err)
            err = tz_buf_json_cstr(&fields, c.rec.public_description);
        if (!err)
            err = tz_buf_puts(&fields, ",\"to\":");
        if (!err)
            err = tz_buf_json_cstr(&fields, text);
        if (!err)
            err = tz_buf_puts(&fields, "}}");
        struct tz_audit_rec a =
            tz_auth_audit_entry(req->srv->auth, &c.p, NULL, c.client, "report.describe", c.object);
        a.fields = fields.data;
        a.note = police_field(root, "note");
        if (!err)
            err = tz_threatmap_review_description(req->srv->tm, req->id, text, &a);
    } else {
        err = TZ_EINVAL;
    }
    tz_buf_free(&fields);
    json_decref(root);
    if (err) {
        end(&c);
        return http_respond_problem(req, err, "some fields are invalid; see errors", &errs);
    }
    return answer_view(req, &c);
}

/* The account name if it names an enabled officer or supervisor. */
static bool is_police_officer(struct request *req, const char *name)
{
    struct tz_account_rec rec;
    bool ok = tz_auth_account(req->srv->auth, name, &rec) == TZ_OK && !rec.disabled &&
              (strcmp(rec.role, "officer") == 0 || strcmp(rec.role, "supervisor") == 0);
    memset(&rec, 0, sizeof rec);
    return ok;
}

/*
 * Whether the account `rec` works where the caller may act: every district it holds is in the
 * caller's scope for action, and a supervisor's unit is the caller's. Work is handed only to
 * officers of one's own unit.
 */
static bool works_in_scope(struct request *req, const struct tz_principal *p,
                           enum tz_auth_action action, const struct tz_account_rec *rec)
{
    for (size_t k = 0; k < rec->district_count; k++) {
        const struct tz_district_rec *d = tz_threatmap_district(req->srv->tm, rec->districts[k]);
        if (tz_auth_permit(p, action, rec->districts[k], d ? d->unit : "", NULL) != TZ_OK)
            return false;
    }
    return tz_auth_scope_of(p->role, action) == TZ_SCOPE_ALL || !rec->unit[0] ||
           strcmp(rec->unit, p->account.unit) == 0;
}

enum MHD_Result api_report_assignment(struct request *req)
{
    static const char *const allowed[] = {"officer", "note", NULL};
    struct ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!begin_change(req, TZ_ACT_REPORT_ASSIGN, &c, allowed, &root, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    tz_err err = TZ_OK;
    const char *officer = police_field(root, "officer");
    struct tz_account_rec target = {0};
    if (officer && !is_police_officer(req, officer))
        tz_fielderr_add(&errs, "/officer", "not an enabled officer's account");
    else if (officer && (tz_auth_account(req->srv->auth, officer, &target) != TZ_OK ||
                         !works_in_scope(req, &c.p, TZ_ACT_REPORT_ASSIGN, &target)))
        tz_fielderr_add(&errs, "/officer", "this officer works in another unit");
    memset(&target, 0, sizeof target);
    if (!errs.count) {
        char fields[256];
        snprintf(fields, sizeof fields, "{\"assigned_to\":{\"from\":\"%s\",\"to\":\"%s\"}}",
                 c.assignee, officer ? officer : "");
        struct tz_audit_rec a =
            tz_auth_audit_entry(req->srv->auth, &c.p, NULL, c.client, "report.assign", c.object);
        a.fields = fields;
        a.note = police_field(root, "note");
        err = tz_threatmap_assign(req->srv->tm, req->id, officer, tz_auth_now(req->srv->auth), &a);
    } else {
        err = TZ_EINVAL;
    }
    json_decref(root);
    if (err) {
        end(&c);
        return http_respond_problem(req, err, "some fields are invalid; see errors", &errs);
    }
    return answer_view(req, &c);
}

/* ---- districts, queue, dashboard ------------------------------------------------------------ */

enum MHD_Result api_district_assignment(struct request *req)
{
    static const char *const allowed[] = {"district", "officer", NULL};
    struct ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!begin_change(req, TZ_ACT_DISTRICT_ASSIGN, &c, allowed, &root, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    tz_err err = TZ_OK;
    const char *id = police_field(root, "district");
    const char *officer = police_field(root, "officer");
    const struct tz_district_rec *d = id ? tz_threatmap_district(req->srv->tm, id) : NULL;
    struct tz_account_rec target;
    if (!d) {
        json_decref(root);
        tz_fielderr_add(&errs, "/district", "no such district");
        return http_respond_problem(req, TZ_EINVAL, "some fields are invalid; see errors", &errs);
    }
    snprintf(c.object, sizeof c.object, "district/%.38s", d->id);
    if (tz_auth_permit(&c.p, TZ_ACT_DISTRICT_ASSIGN, d->id, d->unit, NULL) != TZ_OK) {
        audit_refusal(req, &c, TZ_ACT_DISTRICT_ASSIGN, "refused", "outside the caller's unit");
        json_decref(root);
        return police_refuse(req, 403, "this district is outside your unit");
    }
    if (!officer || tz_auth_account(req->srv->auth, officer, &target) != TZ_OK ||
        strcmp(target.role, "officer") != 0 || target.disabled) {
        json_decref(root);
        tz_fielderr_add(&errs, "/officer", "not an enabled officer's account");
        return http_respond_problem(req, TZ_EINVAL, "some fields are invalid; see errors", &errs);
    }
    /* The officer must work in the caller's scope: every district they hold must be one the
     * caller may assign. And there must be room: checked before anything is written. */
    bool target_has = false;
    for (size_t k = 0; k < target.district_count; k++)
        target_has |= strcmp(target.districts[k], d->id) == 0;
    if (!works_in_scope(req, &c.p, TZ_ACT_DISTRICT_ASSIGN, &target)) {
        audit_refusal(req, &c, TZ_ACT_DISTRICT_ASSIGN, "refused", "officer of another unit");
        json_decref(root);
        return police_refuse(req, 403, "this officer works in another unit");
    }
    if (!target_has && target.district_count >= TZ_ACCOUNT_DISTRICTS_MAX) {
        json_decref(root);
        tz_fielderr_add(&errs, "/officer", "this officer already has the most districts allowed");
        return http_respond_problem(req, TZ_EINVAL, "some fields are invalid; see errors", &errs);
    }
    /* The district joins the target's list first, then leaves every other officer's: should a
     * write fail half-way, the district has two officers for a moment, never none. */
    struct tz_account_rec *all = NULL;
    size_t n = 0;
    err = tz_auth_accounts(req->srv->auth, &all, &n);
    for (size_t i = 0; !err && i < n; i++) { /* the target first */
        if (strcmp(all[i].name, officer) == 0 && i > 0) {
            struct tz_account_rec t = all[0];
            all[0] = all[i];
            all[i] = t;
        }
    }
    for (size_t i = 0; !err && i < n; i++) {
        struct tz_account_rec *a = &all[i];
        bool is_target = strcmp(a->name, officer) == 0;
        size_t keep = 0;
        bool had = false;
        for (size_t k = 0; k < a->district_count; k++) {
            if (strcmp(a->districts[k], d->id) == 0)
                had = true;
            else
                memmove(a->districts[keep++], a->districts[k], TZ_ID_MAX);
        }
        if (is_target && keep < TZ_ACCOUNT_DISTRICTS_MAX)
            snprintf(a->districts[keep++], TZ_ID_MAX, "%s", d->id);
        else if (is_target)
            err = TZ_ETOOBIG;
        if (!err && (had != is_target))
            err = tz_auth_user_districts(req->srv->auth, a->name,
                                         (const char(*)[TZ_ID_MAX])a->districts, keep,
                                         c.p.account.name);
    }
    if (all)
        sodium_memzero(all, n * sizeof *all);
    free(all);
    struct tz_buf b;
    tz_buf_init(&b, 4096);
    if (!err)
        err = tz_buf_puts(&b, "{\"district\":");
    if (!err)
        err = tz_buf_json_cstr(&b, d->id);
    if (!err)
        err = tz_buf_puts(&b, ",\"officer\":");
    if (!err)
        err = tz_buf_json_cstr(&b, officer);
    if (!err)
        err = tz_buf_puts(&b, "}");
    json_decref(root);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

/* The districts a queue or dashboard covers: the officer's own, the unit's, or all. */
static tz_err scope_districts(struct request *req, const struct tz_principal *p,
                              enum tz_auth_action action, char (**out)[TZ_ID_MAX], size_t *count)
{
    struct tz_threatmap *tm = req->srv->tm;
    size_t total = tz_threatmap_district_count(tm), n = 0;
    char(*ids)[TZ_ID_MAX] = calloc(total ? total : 1, TZ_ID_MAX);
    if (!ids)
        return TZ_ENOMEM;
    enum tz_auth_scope scope = tz_auth_scope_of(p->role, action);
    for (size_t i = 0; i < total; i++) {
        const struct tz_district_rec *d = tz_threatmap_district_at(tm, i);
        bool in =
            scope == TZ_SCOPE_ALL ||
            (scope == TZ_SCOPE_UNIT && strcmp(d->unit, p->account.unit) == 0) ||
            (scope == TZ_SCOPE_OWN && tz_auth_permit(p, action, d->id, d->unit, NULL) == TZ_OK);
        if (in && n < QUEUE_MAX)
            snprintf(ids[n++], TZ_ID_MAX, "%s", d->id);
    }
    *out = ids;
    *count = n;
    return TZ_OK;
}

static bool read_limit(struct request *req, size_t *limit)
{
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    *limit = QUEUE_DEFAULT;
    if (!http_query_params(req, params, &n))
        return false;
    for (size_t i = 0; i < n; i++) {
        char *end = NULL;
        long v = params[i].value ? strtol(params[i].value, &end, 10) : 0;
        if (strcmp(params[i].key, "limit") != 0 || !end || *end || v < 1 || v > QUEUE_MAX)
            return false;
        *limit = (size_t)v;
    }
    return true;
}

/* Audits a read of a list; false (and 503) when it cannot be written. */
static bool audit_read(struct request *req, struct ctx *c, const char *action, size_t count,
                       enum MHD_Result *answer)
{
    char fields[64];
    snprintf(fields, sizeof fields, "{\"reports\":%zu}", count);
    struct tz_audit_rec a =
        tz_auth_audit_entry(req->srv->auth, &c->p, NULL, c->client, action, NULL);
    a.fields = fields;
    tz_err err = tz_auth_audit(req->srv->auth, &a);
    if (err)
        *answer = http_respond_problem(req, err, NULL, NULL);
    return err == TZ_OK;
}

enum MHD_Result api_queue(struct request *req)
{
    struct ctx c;
    enum MHD_Result answer;
    size_t limit;
    if (!begin(req, false, TZ_ACT_QUEUE, &c, &answer))
        return answer;
    if (!read_limit(req, &limit))
        return police_refuse(req, 400, "the queue takes only limit=1..1000");
    char(*ids)[TZ_ID_MAX] = NULL;
    size_t nids = 0, n = 0;
    struct tz_report_rec *recs = NULL;
    tz_err err = scope_districts(req, &c.p, TZ_ACT_QUEUE, &ids, &nids);
    if (!err)
        err = tz_threatmap_queue(req->srv->tm, (const char(*)[TZ_ID_MAX])ids, nids,
                                 c.p.account.name, limit, &recs, &n);
    free(ids);
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    if (!audit_read(req, &c, "queue.read", n, &answer)) {
        tz_report_recs_free(recs, n);
        return answer;
    }
    int64_t now = tz_auth_now(req->srv->auth);
    struct tz_buf b;
    tz_buf_init(&b, LIST_BODY_MAX);
    err = tz_buf_puts(&b, "{\"reports\":[");
    for (size_t i = 0; !err && i < n; i++) {
        err = i ? tz_buf_puts(&b, ",") : TZ_OK;
        if (!err)
            err = put_item(&b, &recs[i], now);
    }
    if (!err)
        err = tz_buf_puts(&b, "]}");
    tz_report_recs_free(recs, n);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

static tz_err put_counts(struct tz_buf *b, const struct tz_compliance_rec *r)
{
    return tz_buf_printf(b,
                         "\"reports\":%lld,\"taken_up\":%lld,\"taken_up_in_time\":%lld,"
                         "\"verified\":%lld,\"verified_in_time\":%lld,\"overdue\":%lld",
                         (long long)r->reports, (long long)r->taken_up,
                         (long long)r->taken_up_in_time, (long long)r->verified,
                         (long long)r->verified_in_time, (long long)r->overdue);
}

static void add_counts(struct tz_compliance_rec *sum, const struct tz_compliance_rec *r)
{
    sum->reports += r->reports;
    sum->taken_up += r->taken_up;
    sum->taken_up_in_time += r->taken_up_in_time;
    sum->verified += r->verified;
    sum->verified_in_time += r->verified_in_time;
    sum->overdue += r->overdue;
}

/* Per officer: the sums of the districts each officer account is bound to. */
static tz_err put_officers(struct request *req, const struct tz_compliance_rec *rows, size_t n,
                           struct tz_buf *b)
{
    struct tz_account_rec *all = NULL;
    size_t count = 0;
    tz_err err = tz_auth_accounts(req->srv->auth, &all, &count);
    bool first = true;
    for (size_t i = 0; !err && i < count; i++) {
        if (strcmp(all[i].role, "officer") != 0)
            continue;
        struct tz_compliance_rec sum = {0};
        bool any = false;
        for (size_t k = 0; k < all[i].district_count; k++) {
            for (size_t r = 0; r < n; r++) {
                if (strcmp(rows[r].district_id, all[i].districts[k]) == 0) {
                    add_counts(&sum, &rows[r]);
                    any = true;
                }
            }
        }
        if (!any)
            continue;
        err = tz_buf_puts(b, first ? "{\"officer\":" : ",{\"officer\":");
        first = false;
        if (!err)
            err = tz_buf_json_cstr(b, all[i].name);
        if (!err)
            err = tz_buf_puts(b, ",");
        if (!err)
            err = put_counts(b, &sum);
        if (!err)
            err = tz_buf_puts(b, "}");
    }
    if (all)
        sodium_memzero(all, count * sizeof *all);
    free(all);
    return err;
}

enum MHD_Result api_dashboard(struct request *req)
{
    struct ctx c;
    enum MHD_Result answer;
    if (!begin(req, false, TZ_ACT_DASHBOARD, &c, &answer))
        return answer;
    char(*ids)[TZ_ID_MAX] = NULL;
    size_t nids = 0, nrows = 0, nopen = 0;
    struct tz_compliance_rec *rows = NULL;
    struct tz_report_rec *open = NULL;
    int64_t now = tz_auth_now(req->srv->auth);
    tz_err err = scope_districts(req, &c.p, TZ_ACT_DASHBOARD, &ids, &nids);
    if (!err)
        err = tz_threatmap_compliance(req->srv->tm, (const char(*)[TZ_ID_MAX])ids, nids, now, &rows,
                                      &nrows);
    if (!err)
        err = tz_threatmap_queue(req->srv->tm, (const char(*)[TZ_ID_MAX])ids, nids, NULL, QUEUE_MAX,
                                 &open, &nopen);
    free(ids);
    struct tz_buf b;
    tz_buf_init(&b, LIST_BODY_MAX);
    if (!err && !audit_read(req, &c, "dashboard.read", nopen, &answer)) {
        free(rows);
        tz_report_recs_free(open, nopen);
        tz_buf_free(&b);
        return answer;
    }
    if (!err)
        err = tz_buf_puts(&b, "{\"districts\":[");
    for (size_t i = 0; !err && i < nrows; i++) {
        const struct tz_district_rec *d = tz_threatmap_district(req->srv->tm, rows[i].district_id);
        err = tz_buf_puts(&b, i ? ",{\"id\":" : "{\"id\":");
        if (!err)
            err = tz_buf_json_cstr(&b, rows[i].district_id);
        if (!err)
            err = tz_buf_puts(&b, ",\"name\":");
        if (!err)
            err = tz_buf_json_cstr(&b, d ? d->name : NULL);
        if (!err)
            err = tz_buf_puts(&b, ",");
        if (!err)
            err = put_counts(&b, &rows[i]);
        if (!err)
            err = tz_buf_puts(&b, "}");
    }
    if (!err)
        err = tz_buf_puts(&b, "],\"officers\":[");
    if (!err)
        err = put_officers(req, rows, nrows, &b);
    if (!err)
        err = tz_buf_puts(&b, "],\"overdue\":[");
    bool first = true;
    for (size_t i = 0; !err && i < nopen; i++) {
        enum tz_status st = TZ_STATUS_NEW;
        tz_status_parse(open[i].status, &st);
        if (!tz_workflow_overdue(&open[i], st, now))
            continue;
        err = first ? TZ_OK : tz_buf_puts(&b, ",");
        first = false;
        if (!err)
            err = put_item(&b, &open[i], now);
    }
    if (!err)
        err = tz_buf_puts(&b, "]}");
    free(rows);
    tz_report_recs_free(open, nopen);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

enum MHD_Result api_institutions(struct request *req)
{
    struct tz_group_rec *list = NULL;
    size_t n = 0;
    tz_err err = tz_threatmap_institutions(req->srv->tm, &list, &n);
    struct tz_buf b;
    tz_buf_init(&b, 64u * 1024);
    if (!err)
        err = tz_buf_puts(&b, "{\"institutions\":[");
    for (size_t i = 0; !err && i < n; i++) {
        err = tz_buf_printf(&b, "%s{\"code\":\"%s\",\"name_pl\":", i ? "," : "", list[i].code);
        if (!err)
            err = tz_buf_json_cstr(&b, list[i].name_pl);
        if (!err)
            err = tz_buf_puts(&b, ",\"name_en\":");
        if (!err)
            err = tz_buf_json_cstr(&b, list[i].name_en);
        if (!err)
            err = tz_buf_puts(&b, "}");
    }
    if (!err)
        err = tz_buf_puts(&b, "]}");
    tz_group_recs_free(list, n);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

/* ---- the administrator's reads ----------------------------------------------------------------
 */

enum MHD_Result api_accounts(struct request *req)
{
    struct ctx c;
    enum MHD_Result answer;
    if (!begin(req, false, TZ_ACT_ACCOUNTS, &c, &answer))
        return answer;
    struct tz_account_rec *all = NULL;
    size_t n = 0;
    tz_err err = tz_auth_accounts(req->srv->auth, &all, &n);
    if (!err && !audit_read(req, &c, "accounts.read", n, &answer)) {
        free(all);
        return answer;
    }
    struct tz_buf b;
    tz_buf_init(&b, LIST_BODY_MAX);
    if (!err)
        err = tz_buf_puts(&b, "{\"accounts\":[");
    for (size_t i = 0; !err && i < n; i++) {
        const struct tz_account_rec *a = &all[i];
        err = tz_buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
        if (!err)
            err = tz_buf_json_cstr(&b, a->name);
        if (!err)
            err = tz_buf_printf(&b,
                                ",\"role\":\"%s\",\"disabled\":%s,\"locked\":%s,\"unit\":", a->role,
                                a->disabled ? "true" : "false",
                                a->locked_until > tz_auth_now(req->srv->auth) ? "true" : "false");
        if (!err)
            err = tz_buf_json_cstr(&b, a->unit);
        if (!err)
            err = tz_buf_puts(&b, ",\"districts\":[");
        for (size_t k = 0; !err && k < a->district_count; k++) {
            err = k ? tz_buf_puts(&b, ",") : TZ_OK;
            if (!err)
                err = tz_buf_json_cstr(&b, a->districts[k]);
        }
        if (!err)
            err = tz_buf_puts(&b, "]}");
    }
    if (!err)
        err = tz_buf_puts(&b, "]}");
    if (all)
        sodium_memzero(all, n * sizeof *all);
    free(all);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

enum MHD_Result api_audit_verify(struct request *req)
{
    struct ctx c;
    enum MHD_Result answer;
    if (!begin(req, false, TZ_ACT_AUDIT, &c, &answer))
        return answer;
    struct tz_audit_verdict v;
    tz_err err = tz_auth_audit_verify(tz_auth_store(req->srv->auth), NULL, NULL, &v);
    if (!err && !audit_read(req, &c, "audit.verify", 0, &answer))
        return answer;
    struct tz_buf b;
    tz_buf_init(&b, 4096);
    if (!err)
        err = tz_buf_printf(&b, "{\"entries\":%lld,\"intact\":%s,\"first_bad\":%lld,\"reason\":",
                            (long long)v.entries, v.first_bad ? "false" : "true",
                            (long long)v.first_bad);
    if (!err)
        err = tz_buf_json_cstr(&b, v.first_bad ? v.reason : NULL);
    if (!err)
        err = tz_buf_puts(&b, "}");
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

/* ---- the administrator's changes ------------------------------------------------------------- */

static enum MHD_Result answer_account_err(struct request *req, tz_err err, const char *detail)
{
    if (err == TZ_ENOTFOUND)
        return http_respond_problem(req, err, "no such account", NULL);
    if (err == TZ_ECONFLICT)
        return http_respond_problem(req, err, "the name is taken", NULL);
    return http_respond_problem(req, err, detail, NULL);
}

enum MHD_Result api_account_create(struct request *req)
{
    struct ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    static const char *const allowed[] = {"name", "role", "unit", "districts", "password", NULL};
    if (!begin_change(req, TZ_ACT_ACCOUNTS, &c, allowed, &root, &answer))
        return answer;
    /* districts: "A,B,C" */
    char ids[TZ_ACCOUNT_DISTRICTS_MAX][TZ_ID_MAX];
    const char *ptrs[TZ_ACCOUNT_DISTRICTS_MAX];
    size_t n = 0;
    tz_err err = TZ_OK;
    for (const char *p = police_field(root, "districts"); p && *p && !err;) {
        size_t len = strcspn(p, ",");
        if (n >= TZ_ACCOUNT_DISTRICTS_MAX || len == 0 || len >= TZ_ID_MAX) {
            err = TZ_EINVAL;
            break;
        }
        memcpy(ids[n], p, len);
        ids[n][len] = '\0';
        ptrs[n] = ids[n];
        n++;
        p += len + (p[len] == ',');
    }
    char actor[TZ_ACCOUNT_NAME_MAX + 8];
    snprintf(actor, sizeof actor, "%s", c.p.account.name);
    struct tz_user_spec spec = {.name = police_field(root, "name"),
                                .role = police_field(root, "role"),
                                .unit = police_field(root, "unit"),
                                .districts = ptrs,
                                .district_count = n,
                                .password = police_field(root, "password")};
    struct tz_buf uri, svg, b;
    tz_buf_init(&uri, 1024);
    tz_buf_init(&svg, 256u * 1024);
    tz_buf_init(&b, 512u * 1024);
    if (!err)
        err = tz_auth_user_add(req->srv->auth, &spec, actor, &uri);
    if (!err)
        err = tz_auth_qr_svg(uri.data, &svg);
    if (!err)
        err = tz_buf_puts(&b, "{\"name\":");
    if (!err)
        err = tz_buf_json_cstr(&b, spec.name);
    if (!err)
        err = tz_buf_puts(&b, ",\"otpauth_uri\":");
    if (!err)
        err = tz_buf_json_cstr(&b, uri.data);
    if (!err)
        err = tz_buf_puts(&b, ",\"qr_svg\":");
    if (!err)
        err = tz_buf_json_cstr(&b, svg.data);
    if (!err)
        err = tz_buf_puts(&b, "}");
    json_decref(root);
    tz_buf_free(&uri);
    tz_buf_free(&svg);
    if (err) {
        tz_buf_free(&b);
        return answer_account_err(req, err,
                                  "name [a-z0-9._-], a known role and districts, a unit for a "
                                  "supervisor, a password of at least 12 characters");
    }
    return http_respond_json(req, MHD_HTTP_CREATED, &b);
}

enum MHD_Result api_account_change(struct request *req)
{
    struct ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    static const char *const allowed[] = {"name", "action", "password", NULL};
    if (!begin_change(req, TZ_ACT_ACCOUNTS, &c, allowed, &root, &answer))
        return answer;
    const char *name = police_field(root, "name");
    const char *action = police_field(root, "action");
    const char *actor = c.p.account.name;
    tz_err err = TZ_EINVAL;
    if (name && action && strcmp(action, "disable") == 0)
        err = strcmp(name, actor) == 0 ? TZ_ECONFLICT /* not oneself */
                                       : tz_auth_user_disable(req->srv->auth, name, true, actor);
    else if (name && action && strcmp(action, "enable") == 0)
        err = tz_auth_user_disable(req->srv->auth, name, false, actor);
    else if (name && action && strcmp(action, "password") == 0)
        err = tz_auth_user_passwd(req->srv->auth, name, police_field(root, "password"), actor);
    json_decref(root);
    if (err)
        return answer_account_err(req, err,
                                  "action is disable, enable or password (with a password of at "
                                  "least 12 characters)");
    struct tz_buf b;
    tz_buf_init(&b, 64);
    tz_buf_puts(&b, "{\"ok\":true}");
    return http_respond_json(req, MHD_HTTP_OK, &b);
}
