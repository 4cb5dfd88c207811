/*
 * API tests of the police side against the real `tarcza serve`: login
 * (good, bad password, bad TOTP, replayed code, locked), the session cookie's
 * attributes, session expiry (idle and absolute, by moving the session's
 * times back in the database rather than sleeping), CSRF refusal, API
 * tokens, the permission table over HTTP (every role x every police
 * endpoint x in scope / out of scope), every transition and every refused
 * one, the reviewed public description, reassignment, the queue and the
 * dashboard, and the audit log: one entry per change, committed with it,
 * and `tarcza audit verify` naming an entry altered in the database.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "api_client.h"
#include "auth/auth.h"

#define RYNEK "\"lat\":50.0617,\"lon\":19.9373"
#define PASSWORD "correct horse battery"

static const char *tarcza_binary;
static struct api_server server;

/* A logged-in account: its cookie and CSRF headers. */
struct account {
    const char *name;
    enum tz_auth_role role;
    char cookie[300];
    char csrf[128];
};

enum {
    OFFICER,
    SUPERVISOR,
    ANALYST,
    ADMIN,
    OFFICER2,
    EXPIRE_IDLE,
    EXPIRE_ABS,
    LEAVER,
    OFFICER3,
    NACCOUNTS
};
static struct account accounts[NACCOUNTS] = {
    [OFFICER] = {.name = "ola.officer", .role = TZ_AUTH_OFFICER},
    [SUPERVISOR] = {.name = "sam.supervisor", .role = TZ_AUTH_SUPERVISOR},
    [ANALYST] = {.name = "ana.analyst", .role = TZ_AUTH_ANALYST},
    [ADMIN] = {.name = "adam.admin", .role = TZ_AUTH_ADMIN},
    [OFFICER2] = {.name = "olek.officer", .role = TZ_AUTH_OFFICER},
    [EXPIRE_IDLE] = {.name = "idle.officer", .role = TZ_AUTH_OFFICER},
    [EXPIRE_ABS] = {.name = "long.officer", .role = TZ_AUTH_OFFICER},
    [LEAVER] = {.name = "leaving.officer", .role = TZ_AUTH_OFFICER},
    [OFFICER3] = {.name = "ula.officer", .role = TZ_AUTH_OFFICER}, /* unit A, like OFFICER */
};

/* The report in the officer's district (A) and one in another unit's district (B). */
static long long report_a, report_b;
static char district_a[64], district_b[64], unit_a[160];

/* ---- the database, read and altered directly ---- */

/* The account's TOTP code for the 30 s step `offset` steps from now. */
static void totp(const char *name, int offset, char out[8])
{
    char sql[160];
    uint8_t secret[64];
    snprintf(sql, sizeof sql, "SELECT totp_secret FROM accounts WHERE name = '%s'", name);
    size_t n = api_db_bytes(&server, sql, secret, sizeof secret);
    uint64_t step = (uint64_t)(time(NULL) / 30 + offset);
    snprintf(out, 8, "%06u", tz_auth_hotp(secret, n, step, 6));
}

/* ---- requests ---- */

static void as(const struct account *a, bool with_csrf)
{
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    if (!a)
        return;
    server.extra_headers[0] = a->cookie;
    if (with_csrf)
        server.extra_headers[1] = a->csrf;
}

/* Sends a request as a (NULL: nobody), with CSRF; returns the status, keeps the answer in r. */
static long call(const struct account *a, const char *method, const char *path, const char *body,
                 struct api_response *r)
{
    as(a, true);
    int rc = api_request(&server, method, path, body ? "application/json" : NULL, body,
                         body ? strlen(body) : 0, 0, r);
    as(NULL, false);
    assert_int_equal(rc, 0);
    return r->status;
}

static long status_of(const struct account *a, const char *method, const char *path,
                      const char *body)
{
    struct api_response r;
    long status = call(a, method, path, body, &r);
    api_response_free(&r);
    return status;
}

static long login_raw(const char *name, const char *password, const char *code,
                      struct api_response *r)
{
    char body[512];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\",\"totp\":\"%s\"}", name,
             password, code);
    return call(NULL, "POST", "/api/v1/auth/login", body, r);
}

static void login(struct account *a)
{
    char code[8], cookie[256];
    struct api_response r;
    totp(a->name, 0, code);
    assert_int_equal(login_raw(a->name, PASSWORD, code, &r), 200);
    assert_int_equal(api_header(&r, "Set-Cookie", cookie, sizeof cookie), 0);
    char *end = strchr(cookie, ';');
    assert_non_null(end);
    *end = '\0';
    snprintf(a->cookie, sizeof a->cookie, "Cookie: %s", cookie);
    snprintf(a->csrf, sizeof a->csrf, "X-CSRF-Token: %s",
             json_string_value(json_object_get(r.json, "csrf_token")));
    api_response_free(&r);
}

static void add_account(const char *name, const char *role, const char *unit, const char *districts)
{
    setenv("TARCZA_PASSWORD", PASSWORD, 1);
    if (unit)
        assert_int_equal(api_run_cli(&server, "/dev/null", "user", "add", name, "--role", role,
                                     "--unit", unit, NULL),
                         0);
    else if (districts)
        assert_int_equal(api_run_cli(&server, "/dev/null", "user", "add", name, "--role", role,
                                     "--districts", districts, NULL),
                         0);
    else
        assert_int_equal(
            api_run_cli(&server, "/dev/null", "user", "add", name, "--role", role, NULL), 0);
}

/* Files a report at lat/lon (JSON members); returns its id and puts its tracking token in token. */
static long long post_report(const char *where, char *token, size_t size)
{
    char body[256];
    struct api_response r;
    snprintf(body, sizeof body, "{\"category\":\"vandalism\",%s}", where);
    assert_int_equal(call(NULL, "POST", "/api/v1/reports", body, &r), 201);
    long long id = (long long)json_integer_value(json_object_get(r.json, "id"));
    if (token)
        snprintf(token, size, "%s", json_string_value(json_object_get(r.json, "token")));
    api_response_free(&r);
    return id;
}

static int start_server(void **state)
{
    if (api_prepare(&server, tarcza_binary, 200) != 0 || api_start(&server) != 0)
        return -1;
    char sql[512], where[128], lat[32], lon[32];
    report_a = post_report(RYNEK, NULL, 0);
    snprintf(sql, sizeof sql, "SELECT district_id FROM reports WHERE id = %lld", report_a);
    api_db_text(&server, sql, district_a, sizeof district_a);
    snprintf(sql, sizeof sql, "SELECT unit FROM districts WHERE id = '%s'", district_a);
    api_db_text(&server, sql, unit_a, sizeof unit_a);
    /* B: at the point of a demo report in a district of another unit. */
    snprintf(sql, sizeof sql,
             "SELECT r.lat FROM reports r JOIN districts d ON d.id = r.district_id"
             " WHERE d.unit <> '%s' ORDER BY r.id LIMIT 1",
             unit_a);
    api_db_text(&server, sql, lat, sizeof lat);
    snprintf(sql, sizeof sql,
             "SELECT r.lon FROM reports r JOIN districts d ON d.id = r.district_id"
             " WHERE d.unit <> '%s' ORDER BY r.id LIMIT 1",
             unit_a);
    api_db_text(&server, sql, lon, sizeof lon);
    snprintf(where, sizeof where, "\"lat\":%s,\"lon\":%s", lat, lon);
    report_b = post_report(where, NULL, 0);
    snprintf(sql, sizeof sql, "SELECT district_id FROM reports WHERE id = %lld", report_b);
    api_db_text(&server, sql, district_b, sizeof district_b);

    add_account(accounts[OFFICER].name, "officer", NULL, district_a);
    add_account(accounts[SUPERVISOR].name, "supervisor", unit_a, NULL);
    add_account(accounts[ANALYST].name, "analyst", NULL, NULL);
    add_account(accounts[ADMIN].name, "admin", NULL, NULL);
    add_account(accounts[OFFICER2].name, "officer", NULL, district_b);
    add_account(accounts[EXPIRE_IDLE].name, "officer", NULL, district_a);
    add_account(accounts[EXPIRE_ABS].name, "officer", NULL, district_a);
    add_account(accounts[LEAVER].name, "officer", NULL, district_a);
    add_account(accounts[OFFICER3].name, "officer", NULL, district_a);
    for (int i = 0; i < NACCOUNTS; i++)
        login(&accounts[i]);
    return 0;
}

/* cmocka reports a failed group teardown but does not count it: main() does (LeakSanitizer). */
static int server_exit_status;

static int stop_server(void **state)
{
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

/* ---- login and sessions ---- */

static void login_cookie_is_httponly_secure_strict(void **state)
{
    add_account("cookie.officer", "officer", NULL, district_a);
    char code[8], cookie[256];
    struct api_response r;
    totp("cookie.officer", 0, code);
    assert_int_equal(login_raw("cookie.officer", PASSWORD, code, &r), 200);
    assert_int_equal(api_header(&r, "Set-Cookie", cookie, sizeof cookie), 0);
    assert_non_null(strstr(cookie, "tz_session="));
    assert_non_null(strstr(cookie, "HttpOnly"));
    assert_non_null(strstr(cookie, "Secure"));
    assert_non_null(strstr(cookie, "SameSite=Strict"));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "account"), "role")), "officer");
    assert_int_equal(json_integer_value(json_object_get(r.json, "idle_timeout_s")), 1800);
    assert_int_equal(json_integer_value(json_object_get(r.json, "absolute_timeout_s")), 43200);
    api_response_free(&r);
    /* The same code a second time: refused. */
    assert_int_equal(login_raw("cookie.officer", PASSWORD, code, &r), 401);
    api_response_free(&r);
}

static void login_refusals(void **state)
{
    add_account("bad.officer", "officer", NULL, district_a);
    char code[8];
    struct api_response r;
    totp("bad.officer", 0, code);
    assert_int_equal(login_raw("bad.officer", "wrong password!", code, &r), 401);
    assert_string_equal(json_string_value(json_object_get(r.json, "type")),
                        "/problems/unauthenticated");
    api_response_free(&r);
    assert_int_equal(login_raw("bad.officer", PASSWORD, "000000", &r), 401);
    api_response_free(&r);
    assert_int_equal(login_raw("bad.officer", PASSWORD, "12345x", &r), 401);
    api_response_free(&r);
    assert_int_equal(login_raw("no.such.officer", PASSWORD, code, &r), 401);
    api_response_free(&r);
    assert_int_equal(call(NULL, "POST", "/api/v1/auth/login", "{\"name\":\"x\"}", &r), 422);
    api_response_free(&r);
    assert_int_equal(call(NULL, "POST", "/api/v1/auth/login", "not json", &r), 400);
    api_response_free(&r);
    assert_int_equal(call(NULL, "POST", "/api/v1/auth/login",
                          "{\"name\":\"x\",\"password\":\"y\","
                          "\"totp\":\"1\",\"admin\":\"yes\"}",
                          &r),
                     422);
    api_response_free(&r);
    /* Each failure is in the audit log with its real reason. */
    assert_true(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login'"
                        " AND actor = 'bad.officer' AND outcome = 'failed'") >= 3);
}

static void login_locks_after_five_failures(void **state)
{
    add_account("locked.officer", "officer", NULL, district_a);
    struct api_response r;
    char code[8], retry[32];
    for (int i = 0; i < 5; i++) {
        assert_int_equal(login_raw("locked.officer", "wrong password!", "123456", &r), 401);
        api_response_free(&r);
    }
    totp("locked.officer", 0, code);
    assert_int_equal(login_raw("locked.officer", PASSWORD, code, &r), 429);
    assert_int_equal(api_header(&r, "Retry-After", retry, sizeof retry), 0);
    long seconds = strtol(retry, NULL, 10);
    assert_true(seconds > 800 && seconds <= 900);
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE actor = 'locked.officer'"
                             " AND note = 'account locked'"),
                     1);
    /* An administrator's new password unlocks it. */
    setenv("TARCZA_PASSWORD", PASSWORD, 1);
    assert_int_equal(api_run_cli(&server, "/dev/null", "user", "passwd", "locked.officer", NULL),
                     0);
    assert_int_equal(login_raw("locked.officer", PASSWORD, code, &r), 200);
    api_response_free(&r);
}

static void sessions_expire_and_end(void **state)
{
    struct api_response r;
    assert_int_equal(status_of(NULL, "GET", "/api/v1/auth/me", NULL), 401);
    assert_int_equal(call(&accounts[EXPIRE_IDLE], "GET", "/api/v1/auth/me", NULL, &r), 200);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "account"), "name")),
        "idle.officer");
    api_response_free(&r);
    /* 31 minutes idle (the session's last use moved back in the database). */
    api_db_exec(&server, "UPDATE sessions SET last_seen = last_seen - 31 * 60 WHERE account_id ="
            " (SELECT id FROM accounts WHERE name = 'idle.officer')");
    assert_int_equal(status_of(&accounts[EXPIRE_IDLE], "GET", "/api/v1/auth/me", NULL), 401);
    /* Used a minute ago, but logged in 12 hours and a second ago. */
    api_db_exec(&server, "UPDATE sessions SET created_at = created_at - 43201, last_seen = last_seen - 60"
            " WHERE account_id = (SELECT id FROM accounts WHERE name = 'long.officer')");
    assert_int_equal(status_of(&accounts[EXPIRE_ABS], "GET", "/api/v1/auth/me", NULL), 401);
    assert_true(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.session_expired'") >=
                2);
    /* Logout: refused without CSRF, then the cookie no longer works. */
    as(&accounts[LEAVER], false);
    assert_int_equal(api_request(&server, "POST", "/api/v1/auth/logout", NULL, NULL, 0, 0, &r), 0);
    as(NULL, false);
    assert_int_equal(r.status, 403);
    api_response_free(&r);
    assert_int_equal(call(&accounts[LEAVER], "POST", "/api/v1/auth/logout", NULL, &r), 200);
    char cookie[256];
    assert_int_equal(api_header(&r, "Set-Cookie", cookie, sizeof cookie), 0);
    assert_non_null(strstr(cookie, "Max-Age=0"));
    api_response_free(&r);
    assert_int_equal(status_of(&accounts[LEAVER], "GET", "/api/v1/auth/me", NULL), 401);
}

static void csrf_is_required_for_changes(void **state)
{
    char path[128];
    struct api_response r;
    snprintf(path, sizeof path, "/api/v1/reports/%lld/transitions", report_a);
    const char *body = "{\"to\":\"bogus\"}";
    as(&accounts[OFFICER], false); /* the cookie, no X-CSRF-Token */
    assert_int_equal(api_post_json(&server, path, body, &r), 0);
    assert_int_equal(r.status, 403);
    api_response_free(&r);
    const char *wrong[] = {accounts[OFFICER].cookie, "X-CSRF-Token: AAAA", NULL};
    memcpy(server.extra_headers, wrong, sizeof wrong);
    assert_int_equal(api_post_json(&server, path, body, &r), 0);
    assert_int_equal(r.status, 403);
    api_response_free(&r);
    /* Another account's token does not fit this session. */
    const char *other[] = {accounts[OFFICER].cookie, accounts[SUPERVISOR].csrf, NULL};
    memcpy(server.extra_headers, other, sizeof other);
    assert_int_equal(api_post_json(&server, path, body, &r), 0);
    assert_int_equal(r.status, 403);
    api_response_free(&r);
    as(NULL, false);
    assert_true(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.csrf'") >= 3);
}

static void api_tokens_need_no_csrf(void **state)
{
    char out[300], token[128], header[200];
    snprintf(out, sizeof out, "%s/token.txt", server.dir);
    assert_int_equal(
        api_run_cli(&server, out, "user", "token", accounts[OFFICER].name, "--label", "test", NULL),
        0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    assert_non_null(fgets(token, sizeof token, f));
    fclose(f);
    token[strcspn(token, "\n")] = '\0';
    snprintf(header, sizeof header, "Authorization: Bearer %s", token);
    server.extra_headers[0] = header;
    struct api_response r;
    assert_int_equal(api_get(&server, "/api/v1/queue", &r), 0);
    assert_int_equal(r.status, 200);
    api_response_free(&r);
    snprintf(out, sizeof out, "/api/v1/reports/%lld/transitions", report_a);
    assert_int_equal(api_post_json(&server, out, "{\"to\":\"bogus\"}", &r), 0);
    assert_int_equal(r.status, 422); /* past the permission and CSRF checks */
    api_response_free(&r);
    header[30] ^= 1;
    assert_int_equal(api_get(&server, "/api/v1/queue", &r), 0);
    assert_int_equal(r.status, 401);
    api_response_free(&r);
    as(NULL, false);
}

/* ---- the permission table over HTTP ---- */

/* The expected table (as in test_auth.c): N none, O own, U unit, A all. */
static const char expected[TZ_AUTH_ROLE_COUNT][TZ_ACT_COUNT + 1] = {
    [TZ_AUTH_OFFICER] = "OOONONNNNOOOA",
    [TZ_AUTH_SUPERVISOR] = "UUUUUUUNNUUUA",
    [TZ_AUTH_ANALYST] = "ANNNNANNNANAA",
    [TZ_AUTH_ADMIN] = "NNNNNNNAANNNN",
};

/* Every police endpoint, with a request that is refused only by permission when it is refused. */
struct endpoint {
    const char *method;
    const char *path; /* %lld: the report; %s: the district */
    const char *body;
    enum tz_auth_action action;
    long allowed; /* the status when allowed (the bodies are invalid on purpose: nothing changes) */
};

static const struct endpoint endpoints[] = {
    {"GET", "/api/v1/police/reports/%lld", NULL, TZ_ACT_REPORT_READ, 200},
    {"POST", "/api/v1/reports/%lld/transitions", "{\"to\":\"bogus\"}", TZ_ACT_REPORT_TRANSITION,
     422},
    {"POST", "/api/v1/reports/%lld/description", "{\"public_description\":\"\\u0001\"}",
     TZ_ACT_REPORT_DESCRIBE, 422},
    {"POST", "/api/v1/reports/%lld/assignment", "{\"officer\":\"nobody\"}", TZ_ACT_REPORT_ASSIGN,
     422},
    {"POST", "/api/v1/districts/assignment", "{\"district\":\"%s\",\"officer\":\"nobody\"}",
     TZ_ACT_DISTRICT_ASSIGN, 422},
    {"GET", "/api/v1/queue", NULL, TZ_ACT_QUEUE, 200},
    {"GET", "/api/v1/dashboard", NULL, TZ_ACT_DASHBOARD, 200},
    {"GET", "/api/v1/accounts", NULL, TZ_ACT_ACCOUNTS, 200},
    {"GET", "/api/v1/audit/verify", NULL, TZ_ACT_AUDIT, 200},
    {"POST", "/api/v1/accounts", "{\"name\":\"Bad Name\"}", TZ_ACT_ACCOUNTS, 422},
    {"POST", "/api/v1/accounts/change", "{\"name\":\"nobody\",\"action\":\"enable\"}",
     TZ_ACT_ACCOUNTS, 404},
    {"GET", "/api/v1/analysis/hotspots", NULL, TZ_ACT_ANALYSIS, 200},
    {"GET", "/api/v1/analysis/patrol?district=%s", NULL, TZ_ACT_ANALYSIS, 200},
    {"POST", "/api/v1/reports/%lld/merge", "{\"into\":0}", TZ_ACT_REPORT_MERGE, 422},
};

/* Copies pattern into out with "%lld" replaced by id and "%s" by district (no printf formats). */
static void fill(char *out, size_t size, const char *pattern, long long id, const char *district)
{
    size_t n = 0;
    for (const char *p = pattern; *p && n + 1 < size;) {
        char sub[64] = "";
        size_t skip = 0;
        if (strncmp(p, "%lld", 4) == 0) {
            snprintf(sub, sizeof sub, "%lld", id);
            skip = 4;
        } else if (strncmp(p, "%s", 2) == 0) {
            snprintf(sub, sizeof sub, "%s", district);
            skip = 2;
        }
        if (skip) {
            for (size_t i = 0; sub[i] && n + 1 < size; i++)
                out[n++] = sub[i];
            p += skip;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
}

static void permissions_every_role_endpoint_and_scope(void **state)
{
    const int roles[] = {OFFICER, SUPERVISOR, ANALYST, ADMIN};
    size_t checked = 0;
    for (size_t ri = 0; ri < 4; ri++) {
        struct account *a = &accounts[roles[ri]];
        for (size_t e = 0; e < sizeof endpoints / sizeof endpoints[0]; e++) {
            const struct endpoint *ep = &endpoints[e];
            char scope = expected[a->role][ep->action];
            for (int in = 1; in >= 0; in--) {
                char path[128], body[256];
                long long report = in ? report_a : report_b;
                const char *district = in ? district_a : district_b;
                fill(path, sizeof path, ep->path, report, district);
                fill(body, sizeof body, ep->body ? ep->body : "", report, district);
                /* Out of scope exists only for endpoints about one object. */
                bool object = strstr(ep->path, "%lld") || strstr(ep->path, "%s") ||
                              (ep->body && strstr(ep->body, "%s"));
                if (!in && !object)
                    continue;
                bool allowed = scope == 'A' || (in && scope != 'N');
                long got = status_of(a, ep->method, path, ep->body ? body : NULL);
                if (got != (allowed ? ep->allowed : 403))
                    fprintf(stderr, "%s %s %s (%s): %ld\n", a->name, ep->method, path,
                            in ? "in scope" : "out of scope", got);
                assert_int_equal(got, allowed ? ep->allowed : 403);
                checked++;
            }
        }
    }
    assert_int_equal(checked, 4 * (7 * 2 + 7));
    /* Nobody logged in: 401 everywhere. */
    for (size_t e = 0; e < sizeof endpoints / sizeof endpoints[0]; e++) {
        char path[128];
        fill(path, sizeof path, endpoints[e].path, report_a, district_a);
        assert_int_equal(status_of(NULL, endpoints[e].method, path, endpoints[e].body), 401);
    }
    /* Refusals are audited. */
    assert_true(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE outcome = 'refused'") >= 20);
}

/* ---- the work ---- */

static long transition(struct account *a, long long id, const char *to, const char *note,
                       const char *referred_to)
{
    char path[96], body[512];
    snprintf(path, sizeof path, "/api/v1/reports/%lld/transitions", id);
    snprintf(body, sizeof body, "{\"to\":\"%s\"%s%s%s%s%s%s}", to, note ? ",\"note\":\"" : "",
             note ? note : "", note ? "\"" : "", referred_to ? ",\"referred_to\":\"" : "",
             referred_to ? referred_to : "", referred_to ? "\"" : "");
    return status_of(a, "POST", path, body);
}

static void every_transition_and_every_refusal(void **state)
{
    struct account *o = &accounts[OFFICER], *s = &accounts[SUPERVISOR];
    char token[64], path[160];
    long before = api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action = 'report.transition'"
                          " AND outcome = 'ok'");
    long long c = post_report(RYNEK, token, sizeof token);
    long long d = post_report(RYNEK, NULL, 0);
    long long e = post_report(RYNEK, NULL, 0);
    long long f = post_report(RYNEK, NULL, 0);

    /* c: new -> verifying -> confirmed -> referred (the institution from the list). */
    assert_int_equal(transition(o, c, "confirmed", NULL, NULL), 409); /* not from new */
    assert_int_equal(transition(o, c, "verifying", NULL, NULL), 200);
    assert_int_equal(transition(o, c, "verifying", NULL, NULL), 409); /* already */
    assert_int_equal(transition(o, c, "confirmed", "Na miejscu: potwierdzone", NULL), 200);
    assert_int_equal(transition(o, c, "referred", NULL, NULL), 422);       /* whom? */
    assert_int_equal(transition(o, c, "referred", NULL, "the_king"), 422); /* not in the list */
    assert_int_equal(transition(o, c, "eliminated", NULL, "road_authority"),
                     422); /* not a referral */
    assert_int_equal(transition(s, c, "referred", "Przekazano do ZDMK", "road_authority"), 200);
    assert_int_equal(transition(o, c, "eliminated", NULL, NULL), 409);
    assert_int_equal(transition(o, c, "new", NULL, NULL), 409);

    /* d: new -> rejected needs a note; nothing moves out of rejected. */
    assert_int_equal(transition(o, d, "rejected", NULL, NULL), 422);
    assert_int_equal(transition(o, d, "rejected", "   ", NULL), 422);
    assert_int_equal(transition(o, d, "rejected", "Zgłoszenie obraźliwe", NULL), 200);
    assert_int_equal(transition(o, d, "verifying", NULL, NULL), 409);

    /* e: verifying -> not_confirmed needs a note. */
    assert_int_equal(transition(o, e, "verifying", NULL, NULL), 200);
    assert_int_equal(transition(o, e, "not_confirmed", NULL, NULL), 422);
    assert_int_equal(transition(o, e, "not_confirmed", "Nie stwierdzono", NULL), 200);
    assert_int_equal(transition(o, e, "confirmed", NULL, NULL), 409);

    /* f: confirmed -> eliminated. */
    assert_int_equal(transition(o, f, "verifying", NULL, NULL), 200);
    assert_int_equal(transition(o, f, "confirmed", NULL, NULL), 200);
    assert_int_equal(transition(o, f, "eliminated", "Usunięto", NULL), 200);

    /* Unknown status, unknown report, unknown field, not JSON. */
    assert_int_equal(transition(o, f, "bogus", NULL, NULL), 422);
    assert_int_equal(transition(o, 999999999, "verifying", NULL, NULL), 404);
    snprintf(path, sizeof path, "/api/v1/reports/%lld/transitions", f);
    assert_int_equal(status_of(o, "POST", path, "{\"to\":\"new\",\"why\":\"x\"}"), 422);
    assert_int_equal(status_of(o, "POST", path, "[1,2]"), 400);
    assert_int_equal(status_of(o, "GET", path, NULL), 405);

    /* Nine changes, nine audit entries, written with the changes. */
    long after = api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action = 'report.transition'"
                         " AND outcome = 'ok'");
    assert_int_equal(after - before, 9);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM report_transitions WHERE report_id IN (%lld, %lld, %lld, %lld)",
             c, d, e, f);
    assert_int_equal(api_db_long(&server, sql), 9);
    snprintf(sql, sizeof sql,
             "SELECT fields FROM audit_log WHERE object = 'report/%lld' AND outcome = 'ok'"
             " ORDER BY seq DESC LIMIT 1",
             c);
    char fields[256];
    api_db_text(&server, sql, fields, sizeof fields);
    assert_string_equal(fields, "{\"status\":[\"confirmed\",\"referred\"],\"referred_to\":true}");

    /* The reporter's tracking link shows each change with its note. */
    struct api_response r;
    snprintf(path, sizeof path, "/api/v1/reports/%lld?token=%s", c, token);
    assert_int_equal(call(NULL, "GET", path, NULL, &r), 200);
    json_t *h = json_object_get(r.json, "history");
    assert_int_equal(json_array_size(h), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 2), "to")), "referred");
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 2), "note")),
                        "Przekazano do ZDMK");
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 2), "referred_to")),
                        "road_authority");
    api_response_free(&r);
    /* The public map status follows. */
    snprintf(path, sizeof path, "/api/v1/reports/%lld", c);
    assert_int_equal(call(NULL, "GET", path, NULL, &r), 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "referred");
    api_response_free(&r);
}

/* ---- the transitions offered, from the server ---- */

/* The "to" of each transition the police view offers, in order, joined by ','. */
static void offered(struct account *a, long long id, char *out, size_t size)
{
    char path[96];
    struct api_response r;
    snprintf(path, sizeof path, "/api/v1/police/reports/%lld", id);
    assert_int_equal(call(a, "GET", path, NULL, &r), 200);
    json_t *list = json_object_get(r.json, "transitions");
    assert_true(json_is_array(list));
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *t = json_array_get(list, i);
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s%s%s%s", i ? "," : "",
                 json_string_value(json_object_get(t, "to")),
                 json_is_true(json_object_get(t, "note_required")) ? "+note" : "",
                 json_is_true(json_object_get(t, "referral_required")) ? "+referral" : "");
    }
    api_response_free(&r);
}

/* The police view lists exactly the transitions the caller may make from the report's status. */
static void the_view_offers_the_transitions_the_caller_may_make(void **state)
{
    struct account *o = &accounts[OFFICER], *an = &accounts[ANALYST];
    char list[256];
    long long id = post_report(RYNEK, NULL, 0);
    offered(o, id, list, sizeof list);
    assert_string_equal(list, "verifying,rejected+note");
    offered(an, id, list, sizeof list); /* reads everything, moves nothing */
    assert_string_equal(list, "");
    assert_int_equal(transition(o, id, "verifying", NULL, NULL), 200);
    offered(o, id, list, sizeof list);
    assert_string_equal(list, "confirmed,not_confirmed+note");
    assert_int_equal(transition(o, id, "confirmed", NULL, NULL), 200);
    offered(&accounts[SUPERVISOR], id, list, sizeof list);
    assert_string_equal(list, "eliminated,referred+referral");
    assert_int_equal(transition(o, id, "eliminated", NULL, NULL), 200);
    offered(o, id, list, sizeof list); /* the end of the workflow */
    assert_string_equal(list, "");
}

static void description_is_edited_and_reviewed(void **state)
{
    struct account *o = &accounts[OFFICER];
    char path[96];
    struct api_response r;
    long long id;
    {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"category\":\"vandalism\",%s,\"description\":\"Jan Nowak z nr 5 niszczy"
                 " ławki\"}",
                 RYNEK);
        assert_int_equal(call(NULL, "POST", "/api/v1/reports", body, &r), 201);
        id = (long long)json_integer_value(json_object_get(r.json, "id"));
        api_response_free(&r);
    }
    snprintf(path, sizeof path, "/api/v1/reports/%lld", id);
    assert_int_equal(call(NULL, "GET", path, NULL, &r), 200);
    assert_true(json_is_null(json_object_get(r.json, "description"))); /* not reviewed yet */
    api_response_free(&r);

    snprintf(path, sizeof path, "/api/v1/reports/%lld/description", id);
    assert_int_equal(status_of(o, "POST", path, "{}"), 422);
    assert_int_equal(call(o, "POST", path, "{\"public_description\":\"Ktoś niszczy ławki\"}", &r),
                     200);
    assert_true(json_is_true(json_object_get(r.json, "reviewed")));
    api_response_free(&r);

    snprintf(path, sizeof path, "/api/v1/reports/%lld", id);
    assert_int_equal(call(NULL, "GET", path, NULL, &r), 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "description")),
                        "Ktoś niszczy ławki");
    api_response_free(&r);
    /* The police view keeps the reporter's original; the audit trail keeps the change. */
    snprintf(path, sizeof path, "/api/v1/police/reports/%lld", id);
    assert_int_equal(call(o, "GET", path, NULL, &r), 200);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "report"), "description")),
        "Jan Nowak z nr 5 niszczy ławki");
    api_response_free(&r);
    char sql[256], fields[512];
    snprintf(sql, sizeof sql,
             "SELECT fields FROM audit_log WHERE action = 'report.describe' AND object ="
             " 'report/%lld' AND outcome = 'ok'",
             id);
    api_db_text(&server, sql, fields, sizeof fields);
    assert_string_equal(fields,
                        "{\"public_description\":{\"from\":null,\"to\":\"Ktoś niszczy ławki\"}}");
    /* The refused change ({} without the field) is audited too, with who tried it. */
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit_log WHERE action = 'report.describe' AND object ="
             " 'report/%lld' AND outcome = 'refused' AND actor = '%s' AND client = '127.0.0.1'",
             id, o->name);
    assert_int_equal(api_db_long(&server, sql), 1);
    /* Reads of the police view are audited too. */
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit_log WHERE action = 'report.read' AND object ="
             " 'report/%lld' AND actor = '%s'",
             id, o->name);
    assert_int_equal(api_db_long(&server, sql), 1);
}

static bool queue_has(json_t *list, long long id)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        if (json_integer_value(json_object_get(json_array_get(list, i), "id")) == id)
            return true;
    }
    return false;
}

static void queue_dashboard_and_reassignment(void **state)
{
    struct account *o = &accounts[OFFICER], *s = &accounts[SUPERVISOR], *o2 = &accounts[OFFICER2];
    struct api_response r;
    long long g = post_report(RYNEK, NULL, 0);
    assert_int_equal(call(o, "GET", "/api/v1/queue", NULL, &r), 200);
    json_t *list = json_object_get(r.json, "reports");
    assert_true(queue_has(list, g));
    assert_false(queue_has(list, report_b));
    /* Ordered by the deadline that applies, earliest (overdue) first. */
    const char *prev = "";
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *item = json_array_get(list, i);
        const char *due = json_string_value(json_object_get(item, "due"));
        assert_non_null(due);
        assert_true(strcmp(prev, due) <= 0);
        prev = due;
        const char *district = json_string_value(json_object_get(item, "district"));
        assert_string_equal(district, district_a);
    }
    api_response_free(&r);
    assert_int_equal(call(o2, "GET", "/api/v1/queue", NULL, &r), 200);
    assert_false(queue_has(json_object_get(r.json, "reports"), g));
    assert_true(queue_has(json_object_get(r.json, "reports"), report_b));
    api_response_free(&r);

    /* Not to an officer of another unit (422, nothing changes); the supervisor hands g to another
     * officer of the unit: it leaves the first one's queue. */
    struct account *o3 = &accounts[OFFICER3];
    char path[96], body[128];
    snprintf(path, sizeof path, "/api/v1/reports/%lld/assignment", g);
    snprintf(body, sizeof body, "{\"officer\":\"%s\",\"note\":\"urlop\"}", o2->name);
    assert_int_equal(call(s, "POST", path, body, &r), 422);
    api_response_free(&r);
    { /* the refusal is audited: who (with role and address) tried what on which report */
        char sql[320];
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM audit_log WHERE action = 'report.assign' AND object ="
                 " 'report/%lld' AND outcome = 'refused' AND actor = '%s' AND role = 'supervisor'"
                 " AND client = '127.0.0.1' AND note LIKE '/officer: %%'",
                 g, s->name);
        assert_int_equal(api_db_long(&server, sql), 1);
    }
    snprintf(body, sizeof body, "{\"officer\":\"%s\",\"note\":\"urlop\"}", o3->name);
    assert_int_equal(call(s, "POST", path, body, &r), 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "assigned_to")), o3->name);
    api_response_free(&r);
    assert_int_equal(call(o3, "GET", "/api/v1/queue", NULL, &r), 200);
    assert_true(queue_has(json_object_get(r.json, "reports"), g));
    api_response_free(&r);
    assert_int_equal(call(o, "GET", "/api/v1/queue", NULL, &r), 200);
    assert_false(queue_has(json_object_get(r.json, "reports"), g));
    api_response_free(&r);
    assert_int_equal(transition(o, g, "verifying", NULL, NULL), 403);
    assert_int_equal(transition(o3, g, "verifying", NULL, NULL), 200);

    /* The dashboard: the unit's districts with their counts, per officer, and the overdue list. */
    assert_int_equal(call(s, "GET", "/api/v1/dashboard", NULL, &r), 200);
    json_t *districts = json_object_get(r.json, "districts");
    assert_true(json_array_size(districts) >= 1);
    bool found = false;
    for (size_t i = 0; i < json_array_size(districts); i++) {
        json_t *d = json_array_get(districts, i);
        if (strcmp(json_string_value(json_object_get(d, "id")), district_a) == 0) {
            found = true;
            assert_true(json_integer_value(json_object_get(d, "reports")) >= 1);
            assert_true(json_integer_value(json_object_get(d, "taken_up_in_time")) >= 1);
        }
        assert_string_not_equal(json_string_value(json_object_get(d, "id")), district_b);
    }
    assert_true(found);
    assert_true(json_array_size(json_object_get(r.json, "officers")) >= 1);
    assert_true(json_is_array(json_object_get(r.json, "overdue")));
    api_response_free(&r);

    /* Not to an officer of another unit: refused, and nothing moves. */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM account_districts WHERE district_id = '%s'",
             district_a);
    long holders = api_db_long(&server, sql);
    snprintf(body, sizeof body, "{\"district\":\"%s\",\"officer\":\"%s\"}", district_a,
             accounts[OFFICER2].name);
    assert_int_equal(call(s, "POST", "/api/v1/districts/assignment", body, &r), 403);
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, sql), holders);

    /* The supervisor gives district A to the second officer too: the first one loses it. */
    snprintf(body, sizeof body, "{\"district\":\"%s\",\"officer\":\"%s\"}", district_a,
             accounts[EXPIRE_IDLE].name);
    assert_int_equal(call(s, "POST", "/api/v1/districts/assignment", body, &r), 200);
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, sql), 1);
    assert_int_equal(status_of(o, "GET", "/api/v1/queue", NULL), 200);
}

static void institutions_are_data(void **state)
{
    struct api_response r;
    assert_int_equal(call(NULL, "GET", "/api/v1/institutions", NULL, &r), 200);
    json_t *list = json_object_get(r.json, "institutions");
    assert_true(json_array_size(list) >= 6);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name_pl")),
                        "straż miejska/gminna");
    api_response_free(&r);
}

static void admin_manages_accounts(void **state)
{
    struct account *adm = &accounts[ADMIN];
    struct api_response r;
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\":\"nowy.officer\",\"role\":\"officer\",\"districts\":\"%s\","
             "\"password\":\"%s\"}",
             district_a, PASSWORD);
    assert_int_equal(call(adm, "POST", "/api/v1/accounts", body, &r), 201);
    assert_memory_equal(json_string_value(json_object_get(r.json, "otpauth_uri")),
                        "otpauth://totp/tarcza:nowy.officer?secret=", 42);
    assert_memory_equal(json_string_value(json_object_get(r.json, "qr_svg")), "<svg", 4);
    api_response_free(&r);
    assert_int_equal(call(adm, "POST", "/api/v1/accounts", body, &r), 409); /* taken */
    api_response_free(&r);
    struct account nowy = {.name = "nowy.officer", .role = TZ_AUTH_OFFICER};
    login(&nowy);
    assert_int_equal(status_of(&nowy, "GET", "/api/v1/queue", NULL), 200);
    /* Disabled: its session ends at once. */
    assert_int_equal(status_of(adm, "POST", "/api/v1/accounts/change",
                               "{\"name\":\"nowy.officer\",\"action\":\"disable\"}"),
                     200);
    assert_int_equal(status_of(&nowy, "GET", "/api/v1/queue", NULL), 401);
    assert_int_equal(status_of(adm, "POST", "/api/v1/accounts/change",
                               "{\"name\":\"adam.admin\",\"action\":\"disable\"}"),
                     409); /* not oneself */
    assert_int_equal(status_of(adm, "POST", "/api/v1/accounts/change",
                               "{\"name\":\"nowy.officer\",\"action\":\"password\","
                               "\"password\":\"short\"}"),
                     422);
    assert_int_equal(call(adm, "GET", "/api/v1/accounts", NULL, &r), 200);
    json_t *list = json_object_get(r.json, "accounts");
    bool seen = false;
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *a = json_array_get(list, i);
        assert_null(json_object_get(a, "password_hash"));
        if (strcmp(json_string_value(json_object_get(a, "name")), "nowy.officer") == 0) {
            seen = true;
            assert_true(json_is_true(json_object_get(a, "disabled")));
        }
    }
    assert_true(seen);
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE actor = 'adam.admin'"
                             " AND action IN ('account.add', 'account.disable')"),
                     2);
}

/* ---- the audit log of account and district changes, read back with `tarcza audit export` ---- */

/*
 * The last exported entry of action on object with outcome; asserts that it names who
 * (actor), their role and the address they called from (the tests call from 127.0.0.1).
 * The caller frees it.
 */
static json_t *audit_entry(const char *action, const char *object, const char *outcome,
                           const char *actor, const char *role)
{
    char out[300], line[16384];
    snprintf(out, sizeof out, "%s/export.jsonl", server.dir);
    assert_int_equal(api_run_cli(&server, out, "audit", "export", "--from", "2000-01-01", NULL), 0);
    FILE *ex = fopen(out, "r");
    assert_non_null(ex);
    json_t *found = NULL;
    while (fgets(line, sizeof line, ex)) {
        json_t *j = json_loads(line, 0, NULL);
        assert_non_null(j);
        const char *a = json_string_value(json_object_get(j, "action"));
        const char *o = json_string_value(json_object_get(j, "object"));
        const char *oc = json_string_value(json_object_get(j, "outcome"));
        if (a && o && oc && strcmp(a, action) == 0 && strcmp(o, object) == 0 &&
            strcmp(oc, outcome) == 0) {
            json_decref(found);
            found = j;
        } else {
            json_decref(j);
        }
    }
    fclose(ex);
    if (!found)
        fail_msg("no %s entry of %s on %s", outcome, action, object);
    assert_string_equal(json_string_value(json_object_get(found, "actor")), actor);
    assert_string_equal(json_string_value(json_object_get(found, "role")), role);
    assert_string_equal(json_string_value(json_object_get(found, "client")), "127.0.0.1");
    return found;
}

/* A JSON text member (fields) parsed. */
static json_t *fields_of(json_t *entry)
{
    json_t *f = json_object_get(entry, "fields");
    if (json_is_string(f))
        return json_loads(json_string_value(f), 0, NULL);
    return json_incref(f);
}

/*
 * A district moves to one officer in one change, audited as district.assign with who, role,
 * address and the accounts it left; each refused move (403, 422) is audited as refused.
 */
static void district_moves_are_audited(void **state)
{
    struct account *s = &accounts[SUPERVISOR];
    char body[256], object[96], sql[256];
    snprintf(object, sizeof object, "district/%s", district_a);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM account_districts WHERE district_id = '%s'",
             district_a);
    assert_true(api_db_long(&server, sql) >= 1);

    snprintf(body, sizeof body, "{\"district\":\"%s\",\"officer\":\"%s\"}", district_a,
             accounts[OFFICER3].name);
    assert_int_equal(status_of(s, "POST", "/api/v1/districts/assignment", body), 200);
    /* One holder, and the entry says whom it left. */
    assert_int_equal(api_db_long(&server, sql), 1);
    char holder[64];
    snprintf(sql, sizeof sql,
             "SELECT a.name FROM account_districts d JOIN accounts a ON a.id = d.account_id"
             " WHERE d.district_id = '%s'",
             district_a);
    api_db_text(&server, sql, holder, sizeof holder);
    assert_string_equal(holder, accounts[OFFICER3].name);
    json_t *e = audit_entry("district.assign", object, "ok", s->name, "supervisor");
    json_t *f = fields_of(e);
    assert_non_null(f);
    assert_string_equal(json_string_value(json_object_get(f, "district")), district_a);
    assert_string_equal(json_string_value(json_object_get(f, "officer")), accounts[OFFICER3].name);
    json_t *from = json_object_get(f, "from");
    assert_true(json_array_size(from) >= 1);
    for (size_t i = 0; i < json_array_size(from); i++)
        assert_string_not_equal(json_string_value(json_array_get(from, i)),
                                accounts[OFFICER3].name);
    json_decref(f);
    json_decref(e);

    /* Refused: an officer of another unit (403), an analyst's account (422), no district (422). */
    snprintf(body, sizeof body, "{\"district\":\"%s\",\"officer\":\"%s\"}", district_a,
             accounts[OFFICER2].name);
    assert_int_equal(status_of(s, "POST", "/api/v1/districts/assignment", body), 403);
    e = audit_entry("district.assign", object, "refused", s->name, "supervisor");
    f = fields_of(e);
    assert_string_equal(json_string_value(json_object_get(f, "officer")), accounts[OFFICER2].name);
    json_decref(f);
    json_decref(e);
    snprintf(body, sizeof body, "{\"district\":\"%s\",\"officer\":\"%s\"}", district_a,
             accounts[ANALYST].name);
    long before = api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action = 'district.assign'"
                          " AND outcome = 'refused'");
    assert_int_equal(status_of(s, "POST", "/api/v1/districts/assignment", body), 422);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action = 'district.assign'"
                             " AND outcome = 'refused'"),
                     before + 1);
    assert_int_equal(status_of(s, "POST", "/api/v1/districts/assignment",
                               "{\"district\":\"nowhere\",\"officer\":\"ula.officer\"}"),
                     422);
    json_decref(
        audit_entry("district.assign", "district/nowhere", "refused", s->name, "supervisor"));
    /* Nothing moved. */
    api_db_text(&server, sql, holder, sizeof holder);
    assert_string_equal(holder, accounts[OFFICER3].name);
}

/* Account changes over the API name the administrator's role and address; refused ones too. */
static void account_changes_are_audited_with_role_and_address(void **state)
{
    struct account *adm = &accounts[ADMIN];
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\":\"audit.officer\",\"role\":\"officer\",\"districts\":\"%s\","
             "\"password\":\"%s\"}",
             district_b, PASSWORD);
    assert_int_equal(status_of(adm, "POST", "/api/v1/accounts", body), 201);
    json_t *e = audit_entry("account.add", "account/audit.officer", "ok", adm->name, "admin");
    json_decref(e);
    assert_int_equal(status_of(adm, "POST", "/api/v1/accounts/change",
                               "{\"name\":\"audit.officer\",\"action\":\"disable\"}"),
                     200);
    json_decref(audit_entry("account.disable", "account/audit.officer", "ok", adm->name, "admin"));

    /* Refused: the name taken (409), a short password (422), an unknown change (422),
     * oneself disabled (409), no such account (404): each names who tried what on which. */
    struct {
        const char *path, *body, *object, *change;
        long status;
    } refusals[] = {
        {"/api/v1/accounts", body, "account/audit.officer", "add", 409},
        {"/api/v1/accounts/change",
         "{\"name\":\"audit.officer\",\"action\":\"password\",\"password\":\"short\"}",
         "account/audit.officer", "password", 422},
        {"/api/v1/accounts/change", "{\"name\":\"audit.officer\",\"action\":\"promote\"}",
         "account/audit.officer", "?", 422},
        {"/api/v1/accounts/change", "{\"name\":\"adam.admin\",\"action\":\"disable\"}",
         "account/adam.admin", "disable", 409},
        {"/api/v1/accounts/change", "{\"name\":\"nobody.here\",\"action\":\"enable\"}",
         "account/nobody.here", "enable", 404},
    };
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        long n = api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE outcome = 'refused'");
        assert_int_equal(status_of(adm, "POST", refusals[i].path, refusals[i].body),
                         refusals[i].status);
        assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE outcome = 'refused'"),
                         n + 1);
        e = audit_entry("accounts", refusals[i].object, "refused", adm->name, "admin");
        json_t *f = fields_of(e);
        assert_string_equal(json_string_value(json_object_get(f, "change")), refusals[i].change);
        assert_non_null(json_string_value(json_object_get(e, "note")));
        json_decref(f);
        json_decref(e);
    }
}

/* Last: it breaks the chain on purpose. */
static void audit_verify_names_the_altered_entry(void **state)
{
    char out[300], text[512];
    snprintf(out, sizeof out, "%s/verify.txt", server.dir);
    assert_int_equal(api_run_cli(&server, out, "audit", "verify", NULL), 0);
    /* The export: one JSON line per entry, all of them from 2000 on, none before. */
    assert_int_equal(api_run_cli(&server, out, "audit", "export", "--from", "2000-01-01", NULL), 0);
    FILE *ex = fopen(out, "r");
    assert_non_null(ex);
    long lines = 0;
    char line[8192];
    while (fgets(line, sizeof line, ex)) {
        json_t *j = json_loads(line, 0, NULL);
        assert_non_null(j);
        assert_non_null(json_object_get(j, "hash"));
        json_decref(j);
        lines++;
    }
    fclose(ex);
    /* The export itself is audited after it, so it is the one entry not in it. */
    assert_int_equal(lines + 1, api_db_long(&server, "SELECT COUNT(*) FROM audit_log"));
    assert_int_equal(api_run_cli(&server, out, "audit", "export", "--to", "2000-01-01", NULL), 0);
    ex = fopen(out, "r");
    assert_non_null(ex);
    assert_null(fgets(line, sizeof line, ex));
    fclose(ex);
    struct api_response r;
    assert_int_equal(call(&accounts[ADMIN], "GET", "/api/v1/audit/verify", NULL, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "intact")));
    api_response_free(&r);
    long n = api_db_long(&server, "SELECT MAX(seq) FROM audit_log");
    assert_true(n > 50);
    long target = n / 2;
    char sql[256];
    /* PostgreSQL names a trigger with its table. */
    snprintf(sql, sizeof sql,
             "DROP TRIGGER audit_log_no_update%s;"
             " UPDATE audit_log SET outcome = 'ok', note = 'nothing to see' WHERE seq = %ld",
             api_db_is_pg(&server) ? " ON audit_log" : "", target);
    api_db_exec(&server, sql);
    assert_int_equal(api_run_cli(&server, out, "audit", "verify", NULL), 1);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    assert_non_null(fgets(text, sizeof text, f));
    fclose(f);
    char want[64];
    snprintf(want, sizeof want, "BROKEN at entry %ld:", target);
    if (!strstr(text, want))
        fprintf(stderr, "verify said: %s", text);
    assert_non_null(strstr(text, want));
    assert_int_equal(call(&accounts[ADMIN], "GET", "/api/v1/audit/verify", NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "first_bad")), target);
    api_response_free(&r);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-OF-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(login_cookie_is_httponly_secure_strict),
        cmocka_unit_test(login_refusals),
        cmocka_unit_test(login_locks_after_five_failures),
        cmocka_unit_test(sessions_expire_and_end),
        cmocka_unit_test(csrf_is_required_for_changes),
        cmocka_unit_test(api_tokens_need_no_csrf),
        cmocka_unit_test(permissions_every_role_endpoint_and_scope),
        cmocka_unit_test(every_transition_and_every_refusal),
        cmocka_unit_test(the_view_offers_the_transitions_the_caller_may_make),
        cmocka_unit_test(description_is_edited_and_reviewed),
        cmocka_unit_test(queue_dashboard_and_reassignment),
        cmocka_unit_test(institutions_are_data),
        cmocka_unit_test(admin_manages_accounts),
        cmocka_unit_test(district_moves_are_audited),
        cmocka_unit_test(account_changes_are_audited_with_role_and_address),
        cmocka_unit_test(audit_verify_names_the_altered_entry),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
