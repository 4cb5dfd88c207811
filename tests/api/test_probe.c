/*
 * API tests of what the outside security probe found (issue 20), each
 * reproduced as the probe did it, against the real `tarcza serve`:
 *
 * - behind the trusted proxy, the client is the address the proxy appended,
 *   last in X-Forwarded-For or Forwarded (every line read as one list), not
 *   what the client wrote before it: for the write limit, the login limit and
 *   the audit log; a request whose forwarding headers name no one is refused;
 * - the per-client limits count an IPv6 client by its /64 (--ipv6-prefix),
 *   an IPv4-mapped address as the IPv4 address;
 * - a wrong tracking token tells a hidden report from a missing one by nothing;
 * - analysis/linked reads a report under report.read's rule (its assignee)
 *   and its audit entry names that report.
 *
 * All traffic comes from 127.0.0.1, which these servers trust as their proxy.
 */
#include <setjmp.h>
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

#define REPORT "{\"category\":\"speeding\",\"lat\":50.0617,\"lon\":19.9373}"
#define PASSWORD "correct horse battery"
#define PROXY "127.0.0.1"

static const char *tarcza_binary;
static struct api_server current; /* the server of the running test */

/* Starts a server on a fresh demo database with the given serve options (NULL-terminated). */
static void start_with(struct api_server *s, ...)
{
    assert_int_equal(api_prepare(s, tarcza_binary, 10), 0);
    va_list ap;
    va_start(ap, s);
    int n = 0;
    for (const char *a; n < 15 && (a = va_arg(ap, const char *));)
        s->serve_args[n++] = a;
    va_end(ap);
    assert_int_equal(api_start(s), 0);
}

static int kill_server(void **state)
{
    (void)state;
    api_discard(&current);
    return 0;
}

static void stop_clean(struct api_server *s)
{
    assert_int_equal(api_finish(s), 0);
}

/* Sends a request with up to four more header lines (NULL-ended), in order; the status, the
 * answer in r (which the caller frees) when r is not NULL. */
static long send_with(struct api_server *s, const char *method, const char *path, const char *body,
                      struct api_response *r, const char *const *headers)
{
    memset(s->extra_headers, 0, sizeof s->extra_headers);
    for (int i = 0; i < 4 && headers && headers[i]; i++)
        s->extra_headers[i] = headers[i];
    struct api_response own = {0};
    struct api_response *a = r ? r : &own;
    int rc = api_request(s, method, path, body ? "application/json" : NULL, body,
                         body ? strlen(body) : 0, 0, a);
    memset(s->extra_headers, 0, sizeof s->extra_headers);
    long status = rc == 0 ? a->status : -1;
    if (!r)
        api_response_free(&own);
    return status;
}

/* Posts a report with the given header lines; the status. */
static long post_report(struct api_server *s, const char *const *headers)
{
    return send_with(s, "POST", "/api/v1/reports", REPORT, NULL, headers);
}

/* ---- item 1: the client behind the proxy --------------------------------------------------- */

/* Six reports from one client, each with a different line of its own before the proxy's: the
 * per-reporter limit (2 at once) counts them as one client, so the third gets 429. */
static void the_clients_own_forwarding_lines_change_nothing(void **state)
{
    (void)state;
    struct api_server *s = &current;
    start_with(s, "--trusted-proxy", PROXY, "--write-rate", "1", "--write-burst", "2", NULL);
    for (int i = 0; i < 6; i++) {
        char own[64];
        snprintf(own, sizeof own, "X-Forwarded-For: 198.51.100.%d", i + 1);
        const char *h[] = {own, "X-Forwarded-For: 203.0.113.9", NULL};
        long status = post_report(s, h);
        if (status != (i < 2 ? 201 : 429))
            fail_msg("report %d with %s: %ld", i + 1, own, status);
    }
    /* The same with Forwarded, the client's element first, the proxy's last (a quoted IPv6
     * address with a port); a port of its own does not make another client. */
    for (int i = 0; i < 6; i++) {
        char own[80];
        snprintf(own, sizeof own, "Forwarded: for=198.51.100.%d;proto=https", i + 1);
        const char *h[] = {own,
                           i % 2 ? "Forwarded: for=\"[2001:db8:cafe::17]:4711\""
                                 : "Forwarded: for=\"[2001:db8:cafe::17]\";by=_proxy",
                           NULL};
        long status = post_report(s, h);
        if (status != (i < 2 ? 201 : 429))
            fail_msg("report %d with %s: %ld", i + 1, own, status);
    }
    /* On one line, elements separated by commas: the last is the proxy's. */
    const char *one_line[] = {"Forwarded: for=198.51.100.77, for=203.0.113.50", NULL};
    assert_int_equal(post_report(s, one_line), 201);
    assert_int_equal(post_report(s, one_line), 201);
    assert_int_equal(post_report(s, one_line), 429);
    stop_clean(s);
}

/* Thirteen wrong passwords from one client, each claiming another address first: 429 once the
 * login limit (here 3 a minute, each attempt an Argon2id check) is spent. */
static void wrong_passwords_are_limited_behind_the_proxy(void **state)
{
    (void)state;
    struct api_server *s = &current;
    start_with(s, "--trusted-proxy", PROXY, "--login-rate", "3", NULL);
    const char *body =
        "{\"name\":\"nobody\",\"password\":\"not the password\",\"totp\":\"000000\"}";
    int limited = 0;
    for (int i = 0; i < 13; i++) {
        char own[64];
        snprintf(own, sizeof own, "X-Forwarded-For: 198.51.100.%d", i + 1);
        const char *h[] = {own, "X-Forwarded-For: 203.0.113.9", NULL};
        long status = send_with(s, "POST", "/api/v1/auth/login", body, NULL, h);
        assert_true(status == 401 || status == 429);
        if (i < 3)
            assert_int_equal(status, 401);
        limited += status == 429;
    }
    /* A token comes back every 20 s: at most one of the ten more is let through meanwhile. */
    fprintf(stderr, "%d of 13 wrong passwords refused with 429\n", limited);
    assert_true(limited >= 9);
    stop_clean(s);
}

/* When the forwarding headers name no one clearly, the request is refused; from a peer that is
 * not the proxy they are the client's own words and change nothing. */
static void unclear_forwarding_headers_are_refused(void **state)
{
    (void)state;
    struct api_server *s = &current;
    start_with(s, "--trusted-proxy", PROXY, "--write-rate", "0", NULL);
    static const char *const bad[][3] = {
        {"X-Forwarded-For: 203.0.113.9", "Forwarded: for=203.0.113.9", NULL}, /* both */
        {"X-Forwarded-For: 203.0.113.9, not-an-address", NULL},
        {"X-Forwarded-For: 203.0.113.9:4711", NULL},
        {"X-Forwarded-For: , ", NULL},
        {"Forwarded: for=\"[2001:db8::1]:4711", NULL},     /* an open quote */
        {"Forwarded: for=203.0.113.9, proto=https", NULL}, /* the last element names no one */
        {"Forwarded: for=[2001:db8::1]", NULL},            /* brackets must be quoted */
        {"Forwarded: for=203.0.113.9;for=203.0.113.10", NULL},
        {"Forwarded: for=\"2001:db8::1\"", NULL}, /* IPv6 without brackets */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct api_response r;
        long status = send_with(s, "GET", "/api/v1/categories", NULL, &r, bad[i]);
        if (status != 400)
            fail_msg("%s | %s: %ld", bad[i][0], bad[i][1] ? bad[i][1] : "", status);
        assert_int_equal(json_integer_value(json_object_get(r.json, "status")), 400);
        api_response_free(&r);
    }
    /* "unknown" and obfuscated names: the proxy tells no address, so the client is the proxy. */
    static const char *const hidden[][2] = {
        {"Forwarded: for=198.51.100.1, for=unknown", NULL},
        {"Forwarded: for=\"_hidden:_port\"", NULL},
        {"Forwarded: for=\"[2001:db8::1]:80\", for=\"unknown:4711\"", NULL},
    };
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        assert_int_equal(send_with(s, "GET", "/api/v1/categories", NULL, NULL, hidden[i]), 200);
    stop_clean(s);
}

/* ---- item 6: an IPv6 client by its /64 ------------------------------------------------------- */

static long post_as(struct api_server *s, const char *client)
{
    char h[96];
    snprintf(h, sizeof h, "X-Forwarded-For: %s", client);
    const char *headers[] = {h, NULL};
    return post_report(s, headers);
}

static void an_ipv6_client_is_counted_by_its_network(void **state)
{
    (void)state;
    struct api_server *s = &current;
    start_with(s, "--trusted-proxy", PROXY, "--write-rate", "1", "--write-burst", "1", NULL);
    assert_int_equal(post_as(s, "2001:db8:1:2::1"), 201);
    assert_int_equal(post_as(s, "2001:db8:1:2:ffff:ffff:ffff:fffe"), 429); /* the same /64 */
    assert_int_equal(post_as(s, "2001:db8:1:3::1"), 201);                  /* the next one */
    assert_int_equal(post_as(s, "::ffff:198.51.100.7"), 201); /* IPv4-mapped: the IPv4 address */
    assert_int_equal(post_as(s, "198.51.100.7"), 429);
    assert_int_equal(post_as(s, "198.51.100.8"), 201); /* IPv4: each address its own */
    stop_clean(s);
    start_with(s, "--trusted-proxy", PROXY, "--write-rate", "1", "--write-burst", "1",
               "--ipv6-prefix", "128", NULL);
    assert_int_equal(post_as(s, "2001:db8:1:2::1"), 201);
    assert_int_equal(post_as(s, "2001:db8:1:2::2"), 201); /* counted by the whole address */
    assert_int_equal(post_as(s, "2001:db8:1:2::1"), 429);
    stop_clean(s);
    /* "Me too" once per client: a second address of the same /64 is the same citizen. */
    start_with(s, "--trusted-proxy", PROXY, "--write-rate", "0", NULL);
    char h[96], path[96];
    snprintf(h, sizeof h, "X-Forwarded-For: %s", "2001:db8:5:6::1");
    const char *first[] = {h, NULL};
    struct api_response r;
    assert_int_equal(send_with(s, "POST", "/api/v1/reports", REPORT, &r, first), 201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    snprintf(path, sizeof path, "/api/v1/reports/%lld/me-too", id);
    const char *other[] = {"X-Forwarded-For: 2001:db8:7:8::1", NULL};
    const char *same_net[] = {"X-Forwarded-For: 2001:db8:7:8::2", NULL};
    assert_int_equal(send_with(s, "POST", path, NULL, NULL, other), 201);
    assert_int_equal(send_with(s, "POST", path, NULL, NULL, same_net), 409);
    stop_clean(s);
}

/* ---- police accounts ------------------------------------------------------------------------ */

struct account {
    const char *name;
    char cookie[300];
    char csrf[128];
};


static void add_account(struct api_server *s, const char *name, const char *role,
                        const char *option, const char *value)
{
    setenv("TARCZA_PASSWORD", PASSWORD, 1);
    assert_int_equal(
        api_run_cli(s, "/dev/null", "user", "add", name, "--role", role, option, value, NULL), 0);
}

/* Logs a in (password and the current TOTP code) with the header lines given. */
static void login(struct api_server *s, struct account *a, const char *const *headers)
{
    char sql[160];
    uint8_t secret[64];
    snprintf(sql, sizeof sql, "SELECT totp_secret FROM accounts WHERE name = '%s'", a->name);
    size_t n = api_db_bytes(s, sql, secret, sizeof secret);
    char body[256];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\",\"totp\":\"%06u\"}", a->name,
             PASSWORD, tz_auth_hotp(secret, n, (uint64_t)(time(NULL) / 30), 6));
    struct api_response r;
    assert_int_equal(send_with(s, "POST", "/api/v1/auth/login", body, &r, headers), 200);
    char cookie[256];
    assert_int_equal(api_header(&r, "Set-Cookie", cookie, sizeof cookie), 0);
    char *end = strchr(cookie, ';');
    assert_non_null(end);
    *end = '\0';
    snprintf(a->cookie, sizeof a->cookie, "Cookie: %s", cookie);
    snprintf(a->csrf, sizeof a->csrf, "X-CSRF-Token: %s",
             json_string_value(json_object_get(r.json, "csrf_token")));
    api_response_free(&r);
}

/* As a, with up to two more header lines (or NULL); the status, the answer in r when not NULL. */
static long as(struct api_server *s, const struct account *a, const char *method, const char *path,
               const char *body, const char *const more[2], struct api_response *r)
{
    const char *h[] = {a->cookie, a->csrf, more ? more[0] : NULL, more ? more[1] : NULL, NULL};
    return send_with(s, method, path, body, r, h);
}

/* The police read of a report is audited from the address the proxy appended. */
static void a_police_read_is_audited_from_the_proxys_address(void **state)
{
    (void)state;
    struct api_server *s = &current;
    start_with(s, "--trusted-proxy", PROXY, NULL);
    struct account analyst = {.name = "ana.analyst"};
    add_account(s, analyst.name, "analyst", NULL, NULL);
    const char *h[] = {"X-Forwarded-For: 10.66.66.66", "X-Forwarded-For: 203.0.113.44", NULL};
    login(s, &analyst, h);
    char path[96], client[64], object[64];
    snprintf(path, sizeof path, "/api/v1/police/reports/%d", 1);
    const char *read[] = {"X-Forwarded-For: 10.66.66.66", "X-Forwarded-For: 203.0.113.45"};
    assert_int_equal(as(s, &analyst, "GET", path, NULL, read, NULL), 200);
    api_db_text(s,
            "SELECT client FROM audit_log WHERE action = 'report.read' ORDER BY seq DESC LIMIT 1",
            client, sizeof client);
    api_db_text(s,
            "SELECT object FROM audit_log WHERE action = 'report.read' ORDER BY seq DESC LIMIT 1",
            object, sizeof object);
    assert_string_equal(object, "report/1");
    assert_string_equal(client, "203.0.113.45");
    stop_clean(s);
}

/* ---- item 2: a wrong token tells nothing ----------------------------------------------------- */

static void a_wrong_token_answers_as_a_missing_report(void **state)
{
    (void)state;
    struct api_server *s = &current;
    start_with(s, "--write-rate", "0", NULL);
    /* Hidden: a never-public category, and a report rejected by the police. */
    struct api_response r;
    assert_int_equal(api_post_json(s, "/api/v1/reports",
                                   "{\"category\":\"drug_use\",\"lat\":50.0617,\"lon\":19.9373}",
                                   &r),
                     0);
    assert_int_equal(r.status, 201);
    long long never = json_integer_value(json_object_get(r.json, "id"));
    char token[128];
    snprintf(token, sizeof token, "%s", json_string_value(json_object_get(r.json, "token")));
    api_response_free(&r);
    assert_int_equal(api_post_json(s, "/api/v1/reports", REPORT, &r), 0);
    assert_int_equal(r.status, 201);
    long long rejected = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    char id[32];
    snprintf(id, sizeof id, "%lld", rejected);
    assert_int_equal(
        api_run_cli(s, "/dev/null", "report", "transition", id, "rejected", "--note", "spam", NULL),
        0);

    struct api_response missing;
    assert_int_equal(api_get(s, "/api/v1/reports/99999999?token=not-the-token", &missing), 0);
    assert_int_equal(missing.status, 404);
    long long hidden[] = {never, rejected};
    for (size_t i = 0; i < 2; i++) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/reports/%lld?token=not-the-token", hidden[i]);
        assert_int_equal(api_get(s, path, &r), 0);
        if (r.status != missing.status || r.len != missing.len ||
            memcmp(r.body, missing.body, r.len) != 0)
            fail_msg("report %lld with a wrong token: %ld %s; a missing one: %ld %s", hidden[i],
                     r.status, r.body, missing.status, missing.body);
        api_response_free(&r);
        snprintf(path, sizeof path, "/api/v1/reports/%lld", hidden[i]);
        assert_int_equal(api_get(s, path, &r), 0); /* without one, as before */
        assert_int_equal(r.status, 404);
        api_response_free(&r);
    }
    /* The right token still shows the reporter the hidden report. */
    char path[256];
    snprintf(path, sizeof path, "/api/v1/reports/%lld?token=%s", never, token);
    assert_int_equal(api_get(s, path, &r), 0);
    assert_int_equal(r.status, 200);
    api_response_free(&r);
    api_response_free(&missing);
    stop_clean(s);
}

/* ---- item 5: analysis/linked under report.read's rule ---------------------------------------- */

static void linked_follows_the_reports_own_rule(void **state)
{
    (void)state;
    struct api_server *s = &current;
    start_with(s, "--write-rate", "0", NULL);
    struct api_response r;
    assert_int_equal(api_post_json(s, "/api/v1/reports", REPORT, &r), 0);
    assert_int_equal(r.status, 201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    char sql[160], district[64], unit[160];
    snprintf(sql, sizeof sql, "SELECT district_id FROM reports WHERE id = %lld", id);
    api_db_text(s, sql, district, sizeof district);
    snprintf(sql, sizeof sql, "SELECT unit FROM districts WHERE id = '%s'", district);
    api_db_text(s, sql, unit, sizeof unit);
    /* Two officers of the district; the supervisor gives the report to the second. */
    struct account o1 = {.name = "ola.officer"}, o2 = {.name = "ula.officer"},
                   sup = {.name = "sam.supervisor"};
    add_account(s, o1.name, "officer", "--districts", district);
    add_account(s, o2.name, "officer", "--districts", district);
    add_account(s, sup.name, "supervisor", "--unit", unit);
    login(s, &o1, NULL);
    login(s, &o2, NULL);
    login(s, &sup, NULL);
    char path[128], body[128];
    snprintf(path, sizeof path, "/api/v1/reports/%lld/assignment", id);
    snprintf(body, sizeof body, "{\"officer\":\"%s\",\"note\":\"urlop\"}", o2.name);
    assert_int_equal(as(s, &sup, "POST", path, body, NULL, NULL), 200);

    char report_path[96], linked_path[96];
    snprintf(report_path, sizeof report_path, "/api/v1/police/reports/%lld", id);
    snprintf(linked_path, sizeof linked_path, "/api/v1/analysis/linked?id=%lld", id);
    assert_int_equal(as(s, &o1, "GET", report_path, NULL, NULL, NULL), 403);
    assert_int_equal(as(s, &o1, "GET", linked_path, NULL, NULL, NULL), 403);
    assert_int_equal(as(s, &o2, "GET", report_path, NULL, NULL, NULL), 200);
    assert_int_equal(as(s, &o2, "GET", linked_path, NULL, NULL, NULL), 200);
    /* The audit names the report read (and the refusal, the report refused). */
    char object[64], want[64];
    snprintf(want, sizeof want, "report/%lld", id);
    snprintf(sql, sizeof sql,
             "SELECT object FROM audit_log WHERE action = 'analysis.read' AND actor = '%s'"
             " ORDER BY seq DESC LIMIT 1",
             o2.name);
    api_db_text(s, sql, object, sizeof object);
    assert_string_equal(object, want);
    snprintf(sql, sizeof sql,
             "SELECT object || ' ' || outcome FROM audit_log WHERE action = 'analysis.read'"
             " AND actor = '%s' ORDER BY seq DESC LIMIT 1",
             o1.name);
    api_db_text(s, sql, object, sizeof object);
    snprintf(want, sizeof want, "report/%lld refused", id);
    assert_string_equal(object, want);
    stop_clean(s);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(the_clients_own_forwarding_lines_change_nothing, kill_server),
        cmocka_unit_test_teardown(wrong_passwords_are_limited_behind_the_proxy, kill_server),
        cmocka_unit_test_teardown(unclear_forwarding_headers_are_refused, kill_server),
        cmocka_unit_test_teardown(an_ipv6_client_is_counted_by_its_network, kill_server),
        cmocka_unit_test_teardown(a_police_read_is_audited_from_the_proxys_address, kill_server),
        cmocka_unit_test_teardown(a_wrong_token_answers_as_a_missing_report, kill_server),
        cmocka_unit_test_teardown(linked_follows_the_reports_own_rule, kill_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
