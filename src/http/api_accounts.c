/*
 * api_accounts.c - the administrator's and the supervisor's changes to who
 * works where: the accounts (list, add, disable, enable, new password), a
 * district handed to an officer, and the audit log's check. The rules and
 * the writes are auth's (tz_auth_account_add, _change, tz_auth_district_assign:
 * each one store transaction with its audit entry naming the caller's role and
 * address; a refused change audited as refused); this file reads the body,
 * calls them and maps the result to a status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/jsonw.h"
#include "http/police.h"

#define LIST_BODY_MAX (8u * 1024 * 1024)

/* A refused change with its 422 answer: audited (who tried what on which object) first. */
static enum MHD_Result refuse_invalid(struct request *req, struct police_ctx *c,
                                      enum tz_audit_action action, const char *fields,
                                      const struct tz_field_errors *errs)
{
    struct tz_auth_who who = police_who(c);
    tz_err err =
        tz_auth_audit_refusal(req->srv->auth, &who, action, c->object[0] ? c->object : NULL, fields,
                              errs->count ? errs->items[0].message : NULL);
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    return http_respond_problem(req, TZ_EINVAL, "some fields are invalid; see errors", errs);
}

/*
 * POST /api/v1/districts/assignment {"district", "officer"}: the district
 * goes to this officer alone (tz_auth_district_assign: one transaction,
 * audited as district.assign; a refusal audited too).
 */
enum MHD_Result api_district_assignment(struct request *req)
{
    static const char *const allowed[] = {"district", "officer", NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!police_begin_change(req, TZ_ACT_DISTRICT_ASSIGN, &c, allowed, &root, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    const char *id = police_field(root, "district");
    const char *officer = police_field(root, "officer");
    const struct tz_district_rec *d = id ? tz_threatmap_district(req->srv->tm, id) : NULL;
    snprintf(c.object, sizeof c.object, "district/%.38s", id ? id : "");
    if (!d) {
        json_decref(root);
        tz_fielderr_add(&errs, "/district", "no such district");
        return refuse_invalid(req, &c, TZ_AUDIT_DISTRICT_ASSIGN, NULL, &errs);
    }
    struct tz_auth_who who = police_who(&c);
    tz_err err = tz_auth_district_assign(req->srv->auth, &who, d->id, d->unit, officer,
                                         police_unit_of, req->srv->tm, &errs);
    struct tz_buf b;
    struct tz_jw w;
    tz_buf_init(&b, 4096);
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "district", d->id);
    tz_jw_kstr(&w, "officer", officer);
    tz_jw_object_end(&w);
    tz_err werr = tz_jw_end(&w);
    json_decref(root);
    if (err || werr) {
        tz_buf_free(&b);
        err = err ? err : werr;
        if (err == TZ_EFORBIDDEN)
            return police_refuse(req, 403, errs.count ? errs.items[0].message : "not allowed");
        if (err == TZ_EINVAL)
            return http_respond_problem(req, err, "some fields are invalid; see errors", &errs);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

/* ---- the administrator's reads ----------------------------------------------------------------
 */

enum MHD_Result api_accounts(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!police_begin(req, false, TZ_ACT_ACCOUNTS, &c, &answer))
        return answer;
    struct tz_account_rec *all = NULL;
    size_t n = 0;
    tz_err err = tz_auth_accounts(req->srv->auth, &all, &n);
    if (!err && !police_audit_read(req, &c, TZ_AUDIT_ACCOUNTS_READ, n, &answer)) {
        free(all);
        return answer;
    }
    int64_t now = tz_auth_now(req->srv->auth);
    struct tz_buf b;
    struct tz_jw w;
    tz_buf_init(&b, LIST_BODY_MAX);
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_key(&w, "accounts");
    tz_jw_array(&w);
    for (size_t i = 0; !err && i < n; i++) {
        const struct tz_account_rec *a = &all[i];
        tz_jw_object(&w);
        tz_jw_kstr(&w, "name", a->name);
        tz_jw_kstr(&w, "role", a->role);
        tz_jw_kbool(&w, "disabled", a->disabled);
        tz_jw_kbool(&w, "locked", a->locked_until > now);
        tz_jw_kstr(&w, "unit", a->unit);
        tz_jw_key(&w, "districts");
        tz_jw_array(&w);
        for (size_t k = 0; k < a->district_count; k++)
            tz_jw_str(&w, a->districts[k]);
        tz_jw_array_end(&w);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    tz_err werr = tz_jw_end(&w);
    if (all)
        sodium_memzero(all, n * sizeof *all);
    free(all);
    return police_answer_doc(req, err ? err : werr, &b);
}

enum MHD_Result api_audit_verify(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!police_begin(req, false, TZ_ACT_AUDIT, &c, &answer))
        return answer;
    struct tz_audit_verdict v;
    tz_err err = tz_auth_audit_verify(tz_auth_store(req->srv->auth), NULL, NULL, &v);
    if (!err && !police_audit_read(req, &c, TZ_AUDIT_AUDIT_VERIFY, 0, &answer))
        return answer;
    struct tz_buf b;
    struct tz_jw w;
    tz_buf_init(&b, 4096);
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kint(&w, "entries", v.entries);
    tz_jw_kbool(&w, "intact", v.first_bad == 0);
    tz_jw_kint(&w, "first_bad", v.first_bad);
    tz_jw_kstr(&w, "reason", v.first_bad ? v.reason : NULL);
    tz_jw_object_end(&w);
    tz_err werr = tz_jw_end(&w);
    return police_answer_doc(req, err ? err : werr, &b);
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
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    static const char *const allowed[] = {"name", "role", "unit", "districts", "password", NULL};
    if (!police_begin_change(req, TZ_ACT_ACCOUNTS, &c, allowed, &root, &answer))
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
    struct tz_auth_who who = police_who(&c);
    if (err) { /* a refused change is audited like any other */
        const char *name = police_field(root, "name");
        snprintf(c.object, sizeof c.object, "account/%.32s", name ? name : "?");
        err = tz_auth_audit_refusal(req->srv->auth, &who, TZ_AUDIT_ACCOUNTS, c.object,
                                    "{\"change\":\"add\"}", "districts: a bad list");
        err = err ? err : TZ_EINVAL;
    }
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
        err = tz_auth_account_add(req->srv->auth, &who, &spec, &uri);
    if (!err)
        err = tz_auth_qr_svg(uri.data, &svg);
    if (!err) {
        struct tz_jw w;
        tz_jw_begin(&w, &b);
        tz_jw_object(&w);
        tz_jw_kstr(&w, "name", spec.name);
        tz_jw_kstr(&w, "otpauth_uri", uri.data);
        tz_jw_kstr(&w, "qr_svg", svg.data);
        tz_jw_object_end(&w);
        err = tz_jw_end(&w);
    }
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
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    static const char *const allowed[] = {"name", "action", "password", NULL};
    if (!police_begin_change(req, TZ_ACT_ACCOUNTS, &c, allowed, &root, &answer))
        return answer;
    static const char *const changes[] = {
        [TZ_ACCOUNT_DISABLE] = "disable",
        [TZ_ACCOUNT_ENABLE] = "enable",
        [TZ_ACCOUNT_PASSWORD] = "password",
    };
    const char *action = police_field(root, "action");
    unsigned change = TZ_ACCOUNT_PASSWORD + 1; /* none: refused (and audited) by auth */
    for (unsigned i = 0; action && i <= TZ_ACCOUNT_PASSWORD; i++) {
        if (strcmp(action, changes[i]) == 0)
            change = i;
    }
    struct tz_auth_who who = police_who(&c);
    tz_err err =
        tz_auth_account_change(req->srv->auth, &who, police_field(root, "name"),
                               (enum tz_account_change)change, police_field(root, "password"));
    json_decref(root);
    if (err)
        return answer_account_err(req, err,
                                  "action is disable, enable or password (with a password of at "
                                  "least 12 characters)");
    struct tz_buf b;
    struct tz_jw w;
    tz_buf_init(&b, 64);
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kbool(&w, "ok", true);
    tz_jw_object_end(&w);
    return police_answer_doc(req, tz_jw_end(&w), &b);
}
