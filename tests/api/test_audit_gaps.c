/*
 * API tests of what the outside probe found in the audit log and the
 * credentials (issue 20, items 4 and 8), against the real `tarcza serve` and
 * the real `tarcza` commands:
 * - `apikey add|revoke`, `stats` and `report transition` write their audit
 *   entries, each naming actor, role, client and object;
 * - an API token ends (90 days by default, `user token --expires`), and an
 *   expired one is refused as an unknown one is;
 * - a lock-out ends the account's live sessions;
 * - deleting the newest audit entries, which no signed checkpoint covers yet,
 *   is caught by `audit verify --audit-head` against the head the server
 *   wrote outside the database.
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

#include "base/tztime.h"

#include "api_client.h"
#include "auth/auth.h"

#define RYNEK "\"lat\":50.0617,\"lon\":19.9373"
#define PASSWORD "correct horse battery"

static const char *tarcza_binary;
static struct api_server server;
static int server_exit_status;
static char head_path[320];
static char district_a[64];

/* ---- the database, read and altered directly ---- */

/* The account's TOTP code for the current 30 s step. */
static void totp(const char *name, char out[8])
{
    sqlite3 *db = api_db_open(&server);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT totp_secret FROM accounts WHERE name = ?", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, 8, "%06u",
             tz_auth_hotp(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                          (uint64_t)(time(NULL) / 30), 6));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The first line the last command wrote to path. */
static void first_line(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(out, (int)size, f));
    fclose(f);
    out[strcspn(out, "\n")] = '\0';
}

/* ---- requests ---- */

static long request(const char *header, const char *method, const char *path, const char *body,
                    struct api_response *r)
{
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    server.extra_headers[0] = header;
    int rc = api_request(&server, method, path, body ? "application/json" : NULL, body,
                         body ? strlen(body) : 0, 0, r);
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    assert_int_equal(rc, 0);
    return r->status;
}

static long login_raw(const char *name, const char *password, const char *code,
                      struct api_response *r)
{
    char body[512];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\",\"totp\":\"%s\"}", name,
             password, code);
    return request(NULL, "POST", "/api/v1/auth/login", body, r);
}

/* Logs name in; its cookie header into cookie. */
static void login(const char *name, char *cookie, size_t size)
{
    char code[8], set[256];
    struct api_response r;
    totp(name, code);
    assert_int_equal(login_raw(name, PASSWORD, code, &r), 200);
    assert_int_equal(api_header(&r, "Set-Cookie", set, sizeof set), 0);
    set[strcspn(set, ";")] = '\0';
    snprintf(cookie, size, "Cookie: %s", set);
    api_response_free(&r);
}

static void add_officer(const char *name)
{
    setenv("TARCZA_PASSWORD", PASSWORD, 1);
    assert_int_equal(api_run_cli(&server, "/dev/null", "user", "add", name, "--role", "officer",
                                 "--districts", district_a, NULL),
                     0);
}

static int start_server(void **state)
{
    (void)state;
    if (api_prepare(&server, tarcza_binary, 50) != 0)
        return -1;
    snprintf(head_path, sizeof head_path, "%s/audit-head", server.dir);
    server.serve_args[0] = "--audit-head";
    server.serve_args[1] = head_path;
    if (api_start(&server) != 0)
        return -1;
    api_db_text(&server, "SELECT id FROM districts ORDER BY id LIMIT 1", district_a, sizeof district_a);
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

/* ---- the command line's audit entries ---- */

/* Entries of action whose actor, role, client and object are all named as the CLI names them. */
static long long cli_entries(const char *action, const char *role, const char *object,
                             const char *outcome)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit_log WHERE action = '%s' AND actor LIKE 'cli:_%%'"
             " AND role = '%s' AND client LIKE 'cli:_%%' AND object = '%s' AND outcome = '%s'",
             action, role, object, outcome);
    return api_db_long(&server, sql);
}

/* The command line's account changes (and a refused one) name actor, role, client and object. */
static void account_commands_are_audited_with_role_and_client(void **state)
{
    (void)state;
    add_officer("cli.account");
    assert_int_equal(cli_entries("account.add", "admin", "account/cli.account", "ok"), 1);
    assert_int_equal(api_run_cli(&server, "/dev/null", "user", "districts", "cli.account",
                                 "--districts", district_a, NULL),
                     0);
    assert_int_equal(cli_entries("account.districts", "admin", "account/cli.account", "ok"), 1);
    assert_int_equal(api_run_cli(&server, "/dev/null", "user", "disable", "cli.account", NULL), 0);
    assert_int_equal(cli_entries("account.disable", "admin", "account/cli.account", "ok"), 1);
    assert_int_equal(api_run_cli(&server, "/dev/null", "user", "enable", "cli.account", NULL), 0);
    assert_int_equal(cli_entries("account.enable", "admin", "account/cli.account", "ok"), 1);
    setenv("TARCZA_PASSWORD", PASSWORD, 1);
    assert_int_equal(api_run_cli(&server, "/dev/null", "user", "passwd", "cli.account", NULL), 0);
    assert_int_equal(cli_entries("account.passwd", "admin", "account/cli.account", "ok"), 1);
    assert_int_equal(api_run_cli(&server, "/dev/null", "user", "token", "cli.account", NULL), 0);
    assert_int_equal(cli_entries("token.create", "admin", "account/cli.account", "ok"), 1);
    /* refused: the name is taken */
    assert_int_not_equal(api_run_cli(&server, "/dev/null", "user", "add", "cli.account", "--role",
                                     "officer", "--districts", district_a, NULL),
                         0);
    assert_int_equal(cli_entries("accounts", "admin", "account/cli.account", "refused"), 1);
}

static void apikey_add_and_revoke_are_audited(void **state)
{
    (void)state;
    char out[300], line[256], object[64];
    snprintf(out, sizeof out, "%s/apikey.txt", server.dir);
    assert_int_equal(api_run_cli(&server, out, "apikey", "add", "Miasto Kraków", NULL), 0);
    first_line(out, line, sizeof line);
    long long id = strtoll(line, NULL, 10);
    assert_true(id > 0);
    snprintf(object, sizeof object, "apikey/%lld", id);
    assert_int_equal(cli_entries("apikey.add", "admin", object, "ok"), 1);
    /* The key itself is never in the log; the holder's name is. */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT fields FROM audit_log WHERE object = '%s'", object);
    api_db_text(&server, sql, line, sizeof line);
    assert_string_equal(line, "{\"name\":\"Miasto Kraków\"}");

    char id_text[32];
    snprintf(id_text, sizeof id_text, "%lld", id);
    assert_int_equal(api_run_cli(&server, "/dev/null", "apikey", "revoke", id_text, NULL), 0);
    assert_int_equal(cli_entries("apikey.revoke", "admin", object, "ok"), 1);
    /* A refused revocation is logged too. */
    assert_int_not_equal(api_run_cli(&server, "/dev/null", "apikey", "revoke", id_text, NULL), 0);
    assert_int_equal(cli_entries("apikey.revoke", "admin", object, "refused"), 1);
}

static void stats_are_audited(void **state)
{
    (void)state;
    assert_int_equal(api_run_cli(&server, "/dev/null", "stats", "--by", "unit", NULL), 0);
    assert_int_equal(cli_entries("analysis.read", "analyst", "analysis/stats", "ok"), 1);
}

static void report_transition_audits_the_read(void **state)
{
    (void)state;
    struct api_response r;
    assert_int_equal(request(NULL, "POST", "/api/v1/reports",
                             "{\"category\":\"vandalism\"," RYNEK "}", &r),
                     201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    char id_text[32], object[64];
    snprintf(id_text, sizeof id_text, "%lld", id);
    snprintf(object, sizeof object, "report/%lld", id);
    assert_int_equal(
        api_run_cli(&server, "/dev/null", "report", "transition", id_text, "verifying", NULL), 0);
    assert_int_equal(cli_entries("report.transition", "supervisor", object, "ok"), 1);
    /* It prints the description and the history: a read of non-public data. */
    assert_int_equal(cli_entries("report.read", "supervisor", object, "ok"), 1);
}

/* ---- API tokens end ---- */

static void api_tokens_expire(void **state)
{
    (void)state;
    add_officer("token.officer");
    char out[300], token[128], header[200];
    snprintf(out, sizeof out, "%s/token.txt", server.dir);
    /* By default 90 days. */
    assert_int_equal(api_run_cli(&server, out, "user", "token", "token.officer", "--label",
                                 "default", NULL),
                     0);
    long long now = (long long)time(NULL);
    long long expires = api_db_long(&server, "SELECT expires_at FROM api_tokens WHERE label = 'default'");
    assert_true(expires >= now + 90 * 86400 - 60 && expires <= now + 90 * 86400 + 60);
    /* --expires DAYS, or a date; never one in the past, never 0 days. */
    assert_int_equal(api_run_cli(&server, out, "user", "token", "token.officer", "--label", "short",
                                 "--expires", "2", NULL),
                     0);
    first_line(out, token, sizeof token);
    expires = api_db_long(&server, "SELECT expires_at FROM api_tokens WHERE label = 'short'");
    assert_true(expires >= now + 2 * 86400 - 60 && expires <= now + 2 * 86400 + 60);
    char date[32];
    time_t in_a_month = (time_t)(now + 30 * 86400);
    struct tm day;
    /* A date is read as the start of that day in Poland, so name the day as Poland sees it
     * (between 23:00 and 24:00 UTC the UTC date is a day behind, and its Polish midnight would
     * fall before now + 29 days). */
    time_t in_a_month_pl = in_a_month + tz_time_pl_offset((int64_t)in_a_month);
    strftime(date, sizeof date, "%Y-%m-%d", gmtime_r(&in_a_month_pl, &day));
    assert_int_equal(api_run_cli(&server, "/dev/null", "user", "token", "token.officer",
                                 "--label", "dated", "--expires", date, NULL),
                     0);
    expires = api_db_long(&server, "SELECT expires_at FROM api_tokens WHERE label = 'dated'");
    assert_true(expires > now + 29 * 86400 && expires < now + 31 * 86400);
    assert_int_not_equal(api_run_cli(&server, "/dev/null", "user", "token", "token.officer",
                                     "--label", "past", "--expires", "2020-01-01", NULL),
                         0);
    assert_int_not_equal(api_run_cli(&server, "/dev/null", "user", "token", "token.officer",
                                     "--label", "zero", "--expires", "0", NULL),
                         0);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM api_tokens WHERE label IN ('past', 'zero')"), 0);

    struct api_response r, unknown;
    snprintf(header, sizeof header, "Authorization: Bearer %s", token);
    assert_int_equal(request(header, "GET", "/api/v1/queue", NULL, &r), 200);
    api_response_free(&r);
    /* Its end reached (moved back in the database rather than waited for). */
    api_db_exec(&server, "UPDATE api_tokens SET expires_at = CAST(strftime('%s', 'now') AS INTEGER) - 1"
            " WHERE label = 'short'");
    assert_int_equal(request(header, "GET", "/api/v1/queue", NULL, &r), 401);
    assert_int_equal(request("Authorization: Bearer tzt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                             "GET", "/api/v1/queue", NULL, &unknown),
                     401);
    assert_string_equal(r.body, unknown.body); /* just as an unknown token */
    api_response_free(&r);
    api_response_free(&unknown);
    assert_int_equal(request(header, "GET", "/api/v1/queue", NULL, &r), 401);
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE action = 'token.expired'"), 1);
}

/* ---- a lock-out ends the sessions ---- */

static void lock_out_ends_sessions(void **state)
{
    (void)state;
    add_officer("guessed.officer");
    char cookie[300];
    login("guessed.officer", cookie, sizeof cookie);
    struct api_response r;
    assert_int_equal(request(cookie, "GET", "/api/v1/auth/me", NULL, &r), 200);
    api_response_free(&r);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(login_raw("guessed.officer", "wrong password!", "123456", &r), 401);
        api_response_free(&r);
    }
    assert_int_equal(request(cookie, "GET", "/api/v1/auth/me", NULL, &r), 401);
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM sessions WHERE account_id ="
                             " (SELECT id FROM accounts WHERE name = 'guessed.officer')"),
                     0);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE actor = 'guessed.officer'"
                             " AND fields LIKE '%\"sessions_ended\":1%'"),
                     1);
}

/* ---- the head outside the database ---- */

/* Runs `audit verify` with args (NULL-ended, at most 4) and returns its exit status; text out. */
static int verify(char *text, size_t size, const char *a, const char *b)
{
    char out[300];
    snprintf(out, sizeof out, "%s/verify.txt", server.dir);
    int rc = api_run_cli(&server, out, "audit", "verify", a, b, NULL);
    first_line(out, text, size);
    return rc;
}

/* Last: it cuts the chain on purpose. */
static void deleting_the_newest_entries_is_caught(void **state)
{
    (void)state;
    char text[512];
    struct api_response r;
    /* The server's own writes come last, so the head file holds the newest entry. */
    assert_int_equal(login_raw("nobody.at.all", "wrong password!", "123456", &r), 401);
    api_response_free(&r);
    long long last = api_db_long(&server, "SELECT MAX(seq) FROM audit_log");
    char head[128], want[64];
    first_line(head_path, head, sizeof head);
    snprintf(want, sizeof want, "%lld ", last);
    assert_memory_equal(head, want, strlen(want));
    assert_int_equal(verify(text, sizeof text, "--audit-head", head_path), 0);

    /* Someone with the database deletes the last three entries. */
    char sql[256];
    snprintf(sql, sizeof sql,
             "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq > %lld", last - 3);
    api_db_exec(&server, sql);
    /* The chain alone still looks whole: that is the window. */
    assert_int_equal(verify(text, sizeof text, NULL, NULL), 0);
    /* Against the head kept outside: broken, at the first entry missing. */
    assert_int_equal(verify(text, sizeof text, "--audit-head", head_path), 1);
    snprintf(want, sizeof want, "BROKEN at entry %lld:", last - 2);
    if (!strstr(text, want))
        fprintf(stderr, "verify said: %s\n", text);
    assert_non_null(strstr(text, want));
    /* New entries over the gap do not hide it: the server leaves the head file alone. */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(login_raw("nobody.at.all", "wrong password!", "123456", &r), 401);
        api_response_free(&r);
    }
    assert_true(api_db_long(&server, "SELECT MAX(seq) FROM audit_log") > last);
    first_line(head_path, text, sizeof text);
    assert_string_equal(text, head);
    assert_int_equal(verify(text, sizeof text, "--audit-head", head_path), 1);
    assert_non_null(strstr(text, "BROKEN"));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-OF-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(apikey_add_and_revoke_are_audited),
        cmocka_unit_test(account_commands_are_audited_with_role_and_client),
        cmocka_unit_test(stats_are_audited),
        cmocka_unit_test(report_transition_audits_the_read),
        cmocka_unit_test(api_tokens_expire),
        cmocka_unit_test(lock_out_ends_sessions),
        cmocka_unit_test(deleting_the_newest_entries_is_caught),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
