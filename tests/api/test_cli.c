/*
 * Tests of the `tarcza` command line itself (src/cli/): the real binary run
 * with arguments, its exit status and what it prints. A command refuses an
 * option it does not take, a number that is not one (or is out of range) and
 * the wrong arguments with exit status 2 and its own usage, and does nothing
 * else; `tarcza --help` lists every command and `tarcza CMD SUB --help`
 * prints each one's usage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_client.h"

static const char *tarcza_binary;
static struct api_server server; /* a demo database of 10 reports */

/* What one run printed. */
/* The commands of the table, as `tarcza --help` must list them. */
static const char *const commands[][2] = {
    {"serve", NULL},          {"import-districts", NULL},
    {"demo", NULL},           {"report", "show"},
    {"report", "transition"}, {"report", "merge"},
    {"apikey", "add"},        {"apikey", "revoke"},
    {"apikey", "list"},       {"stats", NULL},
    {"user", "add"},          {"user", "passwd"},
    {"user", "disable"},      {"user", "enable"},
    {"user", "list"},         {"user", "districts"},
    {"user", "token"},        {"audit", "verify"},
    {"audit", "export"},      {"audit", "keygen"},
    {"audit", "checkpoint"},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static int prepare(void **state)
{
    return api_prepare(&server, tarcza_binary, 10);
}

static int cleanup(void **state)
{
    api_cleanup(&server);
    return 0;
}

static void help_lists_every_command(void **state)
{
    static struct api_run r;
    api_run_command(&server, &r, "--help", NULL);
    assert_int_equal(r.status, 0);
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        char line[64];
        snprintf(line, sizeof line, "tarcza %s%s%s", commands[i][0], commands[i][1] ? " " : "",
                 commands[i][1] ? commands[i][1] : "");
        if (!strstr(r.out, line))
            fail_msg("tarcza --help does not list %s", line);
    }
    /* Each command's own help starts with its usage, on standard output. */
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        char usage[64];
        snprintf(usage, sizeof usage, "usage: tarcza %s%s%s", commands[i][0],
                 commands[i][1] ? " " : "", commands[i][1] ? commands[i][1] : "");
        if (commands[i][1])
            api_run_command(&server, &r, commands[i][0], commands[i][1], "--help", NULL);
        else
            api_run_command(&server, &r, commands[i][0], "--help", NULL);
        assert_int_equal(r.status, 0);
        if (strncmp(r.out, usage, strlen(usage)) != 0)
            fail_msg("%s --help printed: %s", usage, r.out);
    }
    api_run_command(&server, &r, NULL); /* no command: the list on stderr, status 2 */
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "tarcza report transition"));
}

/* Refused with status 2, the reason naming `what`, and the usage of `usage` on stderr. */
static void assert_refused(const struct api_run *r, const char *what, const char *usage)
{
    if (r->status != 2 || !strstr(r->err, what) || !strstr(r->err, usage))
        fail_msg("expected status 2 with \"%s\" and \"%s\", got %d:\n%s", what, usage, r->status,
                 r->err);
    assert_string_equal(r->out, ""); /* nothing done, nothing printed */
}

static void an_option_a_command_does_not_take_is_refused(void **state)
{
    static struct api_run r;
    long before = api_count_reports(&server);
    /* demo takes --reports and --db, not --note: nothing is added */
    api_run_command(&server, &r, "demo", "--reports", "3", "--note", "x", "--db", server.db, NULL);
    assert_refused(&r, "demo does not take --note", "usage: tarcza demo [--reports N]");
    assert_int_equal(api_count_reports(&server), before);
    api_run_command(&server, &r, "report", "show", "1", "--port", "80", "--db", server.db, NULL);
    assert_refused(&r, "report show does not take --port", "usage: tarcza report show ID");
    api_run_command(&server, &r, "serve", "--port", "0", "--reports", "5", "--db", server.db, NULL);
    assert_refused(&r, "serve does not take --reports", "usage: tarcza serve");
    api_run_command(&server, &r, "apikey", "list", "--actor", "x", "--db", server.db, NULL);
    assert_refused(&r, "apikey list does not take --actor", "usage: tarcza apikey list");
    api_run_command(&server, &r, "stats", "--seed", "1", "--db", server.db, NULL);
    assert_refused(&r, "stats does not take --seed", "usage: tarcza stats");
    api_run_command(&server, &r, "user", "token", "x", "--role", "admin", "--db", server.db, NULL);
    assert_refused(&r, "user token does not take --role", "usage: tarcza user token NAME");
    api_run_command(&server, &r, "audit", "keygen", "--key", "/nonexistent/k", "--db", server.db,
                    NULL);
    assert_refused(&r, "audit keygen does not take --db", "usage: tarcza audit keygen --key FILE");
    /* an option no command takes, a missing value, a missing required option */
    api_run_command(&server, &r, "demo", "--colour", "red", "--db", server.db, NULL);
    assert_refused(&r, "unknown option --colour", "usage: tarcza demo");
    api_run_command(&server, &r, "demo", "--db", NULL);
    assert_refused(&r, "--db needs a value", "usage: tarcza demo");
    api_run_command(&server, &r, "user", "add", "new.officer", "--db", server.db, NULL);
    assert_refused(&r, "user add needs --role", "usage: tarcza user add NAME --role ROLE");
}

static void a_bad_number_is_refused(void **state)
{
    static struct api_run r;
    static const char *const ports[] = {"80x", "70000", "", " 80", "+80", "0x50", "-1", "8.0"};
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++) {
        api_run_command(&server, &r, "serve", "--port", ports[i], "--db", server.db, NULL);
        assert_refused(&r, "--port: not a whole number from 0 to 65535", "usage: tarcza serve");
    }
    api_run_command(&server, &r, "serve", "--header-limit", "100", "--db", server.db, NULL);
    assert_refused(&r, "--header-limit: not a whole number from 4096", "usage: tarcza serve");
    api_run_command(&server, &r, "serve", "--threads", "0", "--db", server.db, NULL);
    assert_refused(&r, "--threads: not a whole number from 1 to 256", "usage: tarcza serve");
    long before = api_count_reports(&server);
    api_run_command(&server, &r, "demo", "--reports", "5x", "--db", server.db, NULL);
    assert_refused(&r, "--reports: not a whole number", "usage: tarcza demo");
    api_run_command(&server, &r, "demo", "--seed", "99999999999999999999", "--db", server.db, NULL);
    assert_refused(&r, "--seed: not a whole number", "usage: tarcza demo");
    assert_int_equal(api_count_reports(&server), before);
    /* ids given as arguments are read the same way */
    api_run_command(&server, &r, "apikey", "revoke", "12x", "--db", server.db, NULL);
    assert_refused(&r, "ID is", "usage: tarcza apikey revoke ID");
    api_run_command(&server, &r, "report", "show", "0", "--db", server.db, NULL);
    assert_refused(&r, "ID is", "usage: tarcza report show ID");
}

static void wrong_arguments_are_refused(void **state)
{
    static struct api_run r;
    api_run_command(&server, &r, "frobnicate", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown command frobnicate"));
    api_run_command(&server, &r, "user", "frobnicate", "x", "--db", server.db, NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "usage: tarcza user list"));
    api_run_command(&server, &r, "report", "transition", "1", "--db", server.db, NULL);
    assert_refused(&r, "report transition takes ID STATUS", "usage: tarcza report transition");
    api_run_command(&server, &r, "apikey", "list", "extra", "--db", server.db, NULL);
    assert_refused(&r, "apikey list takes no arguments", "usage: tarcza apikey list");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(help_lists_every_command),
        cmocka_unit_test(an_option_a_command_does_not_take_is_refused),
        cmocka_unit_test(a_bad_number_is_refused),
        cmocka_unit_test(wrong_arguments_are_refused),
    };
    return cmocka_run_group_tests(tests, prepare, cleanup);
}
