/*
 * api_auth.c - logging in and out, who am I, and what every police
 * endpoint shares: finding the caller (session cookie or API token),
 * checking CSRF on state-changing requests, reading small JSON bodies, and
 * the caller's address for the audit log.
 *
 * The session cookie is HttpOnly, Secure and SameSite=Strict. Browsers send
 * Secure cookies over plain http only to localhost, which is what a
 * development server and the browser tests use; production runs behind TLS.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/jsonguard.h"
#include "http/police.h"

#define ME_BODY_MAX (16u * 1024)

void police_client(struct request *req, char *out, size_t size)
{
    http_client_address(req, out, size);
}

enum MHD_Result police_refuse(struct request *req, unsigned status, const char *detail)
{
    return http_respond_status_problem(req, status, detail, NULL);
}

bool police_caller(struct request *req, bool changes, struct tz_principal *p,
                   enum MHD_Result *answer)
{
    struct tz_auth *auth = req->srv->auth;
    if (!auth) {
        *answer = police_refuse(req, 503, "the police API is not enabled on this server");
        return false;
    }
    const char *bearer =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, TZ_SESSION_COOKIE);
    tz_err err = TZ_ENOTFOUND;
    if (bearer && strncmp(bearer, "Bearer ", 7) == 0)
        err = tz_auth_token(auth, bearer + 7, p);
    else if (cookie)
        err = tz_auth_session(auth, cookie, p);
    if (err) {
        *answer = err == TZ_ENOTFOUND
                      ? police_refuse(req, 401, "log in first (or the session has ended)")
                      : http_respond_problem(req, err, NULL, NULL);
        return false;
    }
    if (changes) {
        const char *csrf = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-CSRF-Token");
        if (!tz_auth_csrf_ok(p, csrf)) {
            char client[64];
            police_client(req, client, sizeof client);
            struct tz_audit_rec a =
                tz_auth_audit_entry(auth, p, NULL, client, tz_audit_code(TZ_AUDIT_AUTH_CSRF), req->url);
            a.outcome = "refused";
            a.note = "missing or wrong X-CSRF-Token";
            tz_auth_audit(auth, &a);
            *answer = police_refuse(req, 403, "missing or wrong X-CSRF-Token header");
            return false;
        }
    }
    return true;
}

/* Whether key is one of list (NULL-terminated). */
static bool in_list(const char *const *list, const char *key)
{
    for (size_t i = 0; list[i]; i++) {
        if (strcmp(key, list[i]) == 0)
            return true;
    }
    return false;
}

tz_err police_body_object(struct request *req, const char *const *allowed, json_t **out,
                          struct tz_field_errors *errs)
{
    json_error_t jerr;
    tz_json_guard_begin(); /* a parse short of memory may have lost a byte: 503, not 400 */
    json_t *root = json_loadb(req->body.data ? req->body.data : "", req->body.len,
                              JSON_REJECT_DUPLICATES, &jerr);
    if (tz_json_guard_failed() || (!root && json_error_code(&jerr) == json_error_out_of_memory)) {
        json_decref(root);
        return TZ_ENOMEM;
    }
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return TZ_EMALFORMED;
    }
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        if (!in_list(allowed, key))
            tz_fielderr_add(errs, "/", "unknown field %.60s", key);
    }
    *out = root;
    return TZ_OK;
}

tz_err police_body(struct request *req, const char *const *allowed, json_t **out,
                   struct tz_field_errors *errs)
{
    json_t *root = NULL;
    tz_err err = police_body_object(req, allowed, &root, errs);
    if (err)
        return err;
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        if (in_list(allowed, key) && !json_is_string(value) && !json_is_null(value))
            tz_fielderr_add(errs, key, "must be a string");
    }
    if (errs->count) {
        json_decref(root);
        return TZ_EINVAL;
    }
    *out = root;
    return TZ_OK;
}

const char *police_field(json_t *root, const char *key)
{
    json_t *v = json_object_get(root, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

enum MHD_Result police_answer_body_error(struct request *req, tz_err err,
                                         const struct tz_field_errors *errs)
{
    if (err == TZ_EMALFORMED)
        return http_respond_problem(req, err, "the body must be one JSON object", NULL);
    return http_respond_problem(req, err, "some fields are invalid; see errors", errs);
}

/* {"account":{...},"csrf_token":...}: what the browser needs after login and on reload. */
static tz_err render_me(const struct tz_principal *p, const char *csrf, int64_t idle,
                        int64_t absolute, struct tz_buf *b)
{
    const struct tz_account_rec *a = &p->account;
    tz_err err = tz_buf_puts(b, "{\"account\":{\"name\":");
    if (!err)
        err = tz_buf_json_cstr(b, a->name);
    if (!err)
        err = tz_buf_printf(b, ",\"role\":\"%s\",\"unit\":", tz_auth_role_code(p->role));
    if (!err)
        err = tz_buf_json_cstr(b, a->unit);
    if (!err)
        err = tz_buf_puts(b, ",\"districts\":[");
    for (size_t i = 0; !err && i < a->district_count; i++) {
        err = i ? tz_buf_puts(b, ",") : TZ_OK;
        if (!err)
            err = tz_buf_json_cstr(b, a->districts[i]);
    }
    if (!err)
        err = tz_buf_puts(b, "]},\"csrf_token\":");
    if (!err)
        err = csrf && *csrf ? tz_buf_json_cstr(b, csrf) : tz_buf_puts(b, "null");
    if (!err && idle)
        err = tz_buf_printf(b, ",\"idle_timeout_s\":%lld,\"absolute_timeout_s\":%lld",
                            (long long)idle, (long long)absolute);
    if (!err)
        err = tz_buf_puts(b, "}");
    return err;
}

enum MHD_Result api_auth_login(struct request *req)
{
    struct tz_auth *auth = req->srv->auth;
    if (!auth)
        return police_refuse(req, 503, "the police API is not enabled on this server");
    /* Before any password is checked: each check costs an Argon2id hash. */
    int retry = 0;
    if (!http_guard_login_allowed(req, &retry))
        return http_respond_retry(req, 429, "too many login attempts from this address", retry);
    static const char *const allowed[] = {"name", "password", "totp", NULL};
    struct tz_field_errors errs = {0};
    json_t *root = NULL;
    tz_err err = police_body(req, allowed, &root, &errs);
    if (err)
        return police_answer_body_error(req, err, &errs);
    const char *name = police_field(root, "name");
    const char *password = police_field(root, "password");
    const char *totp = police_field(root, "totp");
    if (!name)
        tz_fielderr_add(&errs, "/name", "required");
    if (!password)
        tz_fielderr_add(&errs, "/password", "required");
    if (!totp)
        tz_fielderr_add(&errs, "/totp", "required: the 6-digit code of the authenticator");
    if (errs.count) {
        json_decref(root);
        return http_respond_problem(req, TZ_EINVAL, "some fields are missing; see errors", &errs);
    }
    char client[64];
    police_client(req, client, sizeof client);
    struct tz_login_result res;
    err = tz_auth_login(auth, name, password, totp, client, &res);
    json_decref(root);
    if (err == TZ_EFORBIDDEN)
        return police_refuse(req, 401, "wrong name, password or code");
    if (err == TZ_EBUSY) {
        snprintf(req->extra_value, sizeof req->extra_value, "%lld", (long long)res.retry_after);
        req->extra_header[0] = MHD_HTTP_HEADER_RETRY_AFTER;
        req->extra_header[1] = req->extra_value;
        http_metrics_refused(req->srv, HTTP_LIMIT_LOCKOUT);
        return police_refuse(req, 429, "too many failed logins: the account is locked for now");
    }
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    struct tz_principal p;
    err = tz_auth_session(auth, res.session, &p);
    struct tz_buf b;
    tz_buf_init(&b, ME_BODY_MAX);
    if (!err)
        err = render_me(&p, res.csrf, res.idle_s, res.absolute_s, &b);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    snprintf(req->extra_value, sizeof req->extra_value,
             TZ_SESSION_COOKIE "=%s; Path=/; Max-Age=%lld; HttpOnly; Secure; SameSite=Strict",
             res.session, (long long)res.absolute_s);
    req->extra_header[0] = MHD_HTTP_HEADER_SET_COOKIE;
    req->extra_header[1] = req->extra_value;
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

enum MHD_Result api_auth_logout(struct request *req)
{
    struct tz_principal p;
    enum MHD_Result answer;
    if (!police_caller(req, true, &p, &answer))
        return answer;
    char client[64];
    police_client(req, client, sizeof client);
    tz_err err = tz_auth_logout(req->srv->auth, &p, client);
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    req->extra_header[0] = MHD_HTTP_HEADER_SET_COOKIE;
    req->extra_header[1] =
        TZ_SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict";
    struct tz_buf b;
    tz_buf_init(&b, 64);
    tz_buf_puts(&b, "{\"logged_out\":true}");
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

enum MHD_Result api_auth_me(struct request *req)
{
    struct tz_principal p;
    enum MHD_Result answer;
    if (!police_caller(req, false, &p, &answer))
        return answer;
    struct tz_buf b;
    tz_buf_init(&b, ME_BODY_MAX);
    tz_err err = render_me(&p, p.via_token ? NULL : p.csrf, 0, 0, &b);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}
