/*
 * Alerts for an area over the real server (issue 19, docs/alerts.md): a
 * report inside a followed area reaches the Atom feed, a city system's
 * webhook (tests/api/alerts/webhook_receiver.py) and a confirmed address
 * through a local SMTP sink (tests/api/alerts/smtp_sink.py, Debian's
 * python3-aiosmtpd) exactly once, across a restart too, and a report outside
 * reaches none; the webhook's signature verifies; a failing receiver is
 * retried and then disabled, with the delivery log; the one-click
 * unsubscribe deletes the address; bad input is refused and the feed is
 * rate-limited.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api_client.h"

static const char *tarcza_binary;
static const char *helpers_dir; /* tests/api/alerts */
static struct api_server current;
static pid_t helpers[2];

#define AREA "circle:19.94,50.06,2000"
#define INSIDE                                                                                     \
    "{\"category\":\"illegal_parking\",\"lat\":50.061,\"lon\":19.941,"                             \
    "\"description\":\"prywatny opis zglaszajacego\"}"
#define OUTSIDE "{\"category\":\"illegal_parking\",\"lat\":50.09,\"lon\":20.03}"
#define WAIT_ROUNDS 600 /* polls of 100 ms: what the sender owes arrives well within */

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static void stop_helpers(void)
{
    for (int i = 0; i < 2; i++) {
        if (helpers[i] > 0) {
            kill(helpers[i], SIGTERM);
            waitpid(helpers[i], NULL, 0);
            helpers[i] = 0;
        }
    }
}

static int teardown(void **state)
{
    (void)state;
    stop_helpers();
    api_discard(&current);
    return 0;
}

/* Starts helper script NAME with python at DIR; returns the port it listens on. */
static int start_helper(int slot, const char *python, const char *name, const char *dir)
{
    char script[512], port_file[512];
    snprintf(script, sizeof script, "%s/%s", helpers_dir, name);
    snprintf(port_file, sizeof port_file, "%s/port", dir);
    mkdir(dir, 0700);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(python, python, script, dir, (char *)NULL);
        _exit(127);
    }
    helpers[slot] = pid;
    for (int i = 0; i < WAIT_ROUNDS; i++) {
        FILE *f = fopen(port_file, "r");
        int port = 0;
        if (f && fscanf(f, "%d", &port) == 1) {
            fclose(f);
            return port;
        }
        if (f)
            fclose(f);
        sleep_ms(100);
    }
    fail_msg("%s did not start", name);
    return 0;
}

/* Number of files ending in ext in dir named 1.ext, 2.ext, ... */
static int count_files(const char *dir, const char *ext)
{
    int n = 0;
    for (;; n++) {
        char path[600];
        struct stat st;
        snprintf(path, sizeof path, "%s/%d.%s", dir, n + 1, ext);
        if (stat(path, &st) != 0)
            return n;
    }
}

static void wait_files(const char *dir, const char *ext, int want)
{
    for (int i = 0; i < WAIT_ROUNDS && count_files(dir, ext) < want; i++)
        sleep_ms(100);
    assert_int_equal(count_files(dir, ext), want);
}

static char *read_file(const char *dir, int n, const char *ext)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%d.%s", dir, n, ext);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = calloc(1, 65536);
    assert_non_null(buf);
    size_t k = fread(buf, 1, 65535, f);
    buf[k] = '\0';
    fclose(f);
    return buf;
}

/* Waits until sql's number is at least least (the sender goes on writing). */
static void wait_db_min(const char *sql, long long least)
{
    for (int i = 0; i < WAIT_ROUNDS && api_db_long(&current, sql) < least; i++)
        sleep_ms(100);
    assert_true(api_db_long(&current, sql) >= least);
}

/* Waits until sql's number is want (the sender writes as it goes). */
static void wait_db(const char *sql, long long want)
{
    for (int i = 0; i < WAIT_ROUNDS && api_db_long(&current, sql) != want; i++)
        sleep_ms(100);
    assert_int_equal(api_db_long(&current, sql), want);
}

static int64_t post_report(const char *body)
{
    struct api_response r;
    assert_int_equal(api_post_json(&current, "/api/v1/reports", body, &r), 0);
    assert_int_equal(r.status, 201);
    int64_t id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    return id;
}

/* The value of link parameter key (id or token) in text after "unsubscribe?". */
static void link_param(const char *text, const char *key, char *out, size_t size)
{
    const char *p = strstr(text, "/api/v1/alerts/unsubscribe?");
    assert_non_null(p);
    char pat[32];
    snprintf(pat, sizeof pat, "%s=", key);
    p = strstr(p, pat);
    assert_non_null(p);
    p += strlen(pat);
    size_t n = strspn(p, "0123456789abcdef");
    assert_true(n > 0 && n < size);
    memcpy(out, p, n);
    out[n] = '\0';
}

/* Registers the webhook (admin, command line) before the server starts: its id and key. */
static void add_webhook(int port, char *id, char *secret)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", port);
    struct api_run run;
    api_run_command(&current, &run, "alerts", "webhook", url, "--area", AREA, "--db", current.db,
                    NULL);
    assert_int_equal(run.status, 0);
    assert_int_equal(sscanf(run.out, "%31s %64s", id, secret), 2);
    assert_int_equal(strlen(secret), 64);
}

/* The body after the header block of a received request, and a header's value. */
static const char *body_of(const char *req)
{
    const char *p = strstr(req, "\n\n");
    assert_non_null(p);
    return p + 2;
}

static void header_of(const char *req, const char *name, char *out, size_t size)
{
    const char *p = strstr(req, name);
    assert_non_null(p);
    p += strlen(name);
    size_t n = strcspn(p, "\r\n");
    assert_true(n < size);
    memcpy(out, p, n);
    out[n] = '\0';
}

static void check_signature(const char *req, const char *secret)
{
    unsigned char key[32], mac[32];
    char hex[65], given[128];
    assert_int_equal(sodium_hex2bin(key, sizeof key, secret, 64, NULL, NULL, NULL), 0);
    const char *body = body_of(req);
    crypto_auth_hmacsha256(mac, (const unsigned char *)body, strlen(body), key);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    header_of(req, "X-Tarcza-Signature: sha256=", given, sizeof given);
    assert_string_equal(given, hex);
    /* and a body changed by one byte would not verify */
    assert_int_not_equal(
        crypto_auth_hmacsha256_verify(mac, (const unsigned char *)body, strlen(body) - 1, key), 0);
}

static void start_server(int smtp_port, const char *extra_a, const char *extra_b)
{
    static char smtp[64];
    snprintf(smtp, sizeof smtp, "smtp://127.0.0.1:%d", smtp_port);
    int n = 0;
    current.serve_args[n++] = "--alerts-ms";
    current.serve_args[n++] = "100";
    current.serve_args[n++] = "--smtp-url";
    current.serve_args[n++] = smtp;
    current.serve_args[n++] = "--public-url";
    current.serve_args[n++] = "http://127.0.0.1:1";
    current.serve_args[n++] = "--write-rate";
    current.serve_args[n++] = "0";
    if (extra_a) {
        current.serve_args[n++] = extra_a;
        current.serve_args[n++] = extra_b;
    }
    current.serve_args[n] = NULL;
    assert_int_equal(api_start(&current), 0);
}

/* The feed is well-formed Atom: a feed element in the Atom namespace with an id, a title,
 * updated and its entries' ids; holds is the entry id it must hold, lacks one it must not. */
static void check_feed(const char *path, int64_t holds, int64_t lacks)
{
    struct api_response r;
    assert_int_equal(api_get(&current, path, &r), 0);
    assert_int_equal(r.status, 200);
    char type[128];
    assert_int_equal(api_header(&r, "Content-Type", type, sizeof type), 0);
    assert_non_null(strstr(type, "application/atom+xml"));
    xmlDocPtr doc = xmlReadMemory(r.body, (int)r.len, "feed.xml", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "feed");
    assert_string_equal((const char *)root->ns->href, "http://www.w3.org/2005/Atom");
    int id = 0, title = 0, updated = 0, author = 0;
    for (xmlNodePtr c = root->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        id += strcmp((const char *)c->name, "id") == 0;
        title += strcmp((const char *)c->name, "title") == 0;
        updated += strcmp((const char *)c->name, "updated") == 0;
        author += strcmp((const char *)c->name, "author") == 0;
    }
    assert_true(id == 1 && title == 1 && updated == 1 && author == 1);
    xmlFreeDoc(doc);
    char want[96], unwanted[96];
    snprintf(want, sizeof want, "report/%lld</id>", (long long)holds);
    snprintf(unwanted, sizeof unwanted, "report/%lld</id>", (long long)lacks);
    assert_non_null(strstr(r.body, want));
    assert_null(strstr(r.body, unwanted));
    assert_null(strstr(r.body, "prywatny opis")); /* the reporter's words never */
    assert_non_null(strstr(r.body, "<category scheme=\"urn:tarcza:status\" term=\"new\"/>"));
    api_response_free(&r);
}

static void a_report_in_the_area_reaches_feed_webhook_and_mail_exactly_once(void **state)
{
    (void)state;
    assert_int_equal(api_prepare(&current, tarcza_binary, 10), 0);
    char hooks[400], mail[400];
    snprintf(hooks, sizeof hooks, "%s/hooks", current.dir);
    snprintf(mail, sizeof mail, "%s/mail", current.dir);
    int hook_port = start_helper(0, "/usr/bin/python3", "webhook_receiver.py", hooks);
    int smtp_port = start_helper(1, "/usr/bin/python3", "smtp_sink.py", mail);
    char hook_id[32], secret[65];
    add_webhook(hook_port, hook_id, secret);
    start_server(smtp_port, NULL, NULL);

    /* An address follows the area: first only the confirmation, with RFC 8058's headers. */
    struct api_response r;
    assert_int_equal(api_post_json(&current, "/api/v1/alerts/subscriptions",
                                   "{\"area\":\"" AREA "\",\"email\":\"ala@example.org\"}", &r),
                     0);
    assert_int_equal(r.status, 201);
    api_response_free(&r);
    wait_files(mail, "eml", 1);
    char *confirm = read_file(mail, 1, "eml");
    assert_non_null(strstr(confirm, "X-Rcpt-To: ala@example.org"));
    assert_non_null(strstr(confirm, "List-Unsubscribe: <http://127.0.0.1:1/api/v1/alerts/"));
    assert_non_null(strstr(confirm, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    char sub_id[32], token[80], path[256];
    link_param(confirm, "id", sub_id, sizeof sub_id);
    link_param(confirm, "token", token, sizeof token);
    free(confirm);
    snprintf(path, sizeof path, "/api/v1/alerts/confirm?id=%s&token=%.10s", sub_id, token);
    assert_int_equal(api_get(&current, path, &r), 0); /* a wrong token confirms nothing */
    assert_int_equal(r.status, 404);
    api_response_free(&r);
    snprintf(path, sizeof path, "/api/v1/alerts/confirm?id=%s&token=%s", sub_id, token);
    assert_int_equal(api_get(&current, path, &r), 0);
    assert_int_equal(r.status, 200);
    api_response_free(&r);
    /* An address's area is not a feed anyone may read by its id. */
    snprintf(path, sizeof path, "/api/v1/alerts/feed.atom?subscription=%s", sub_id);
    assert_int_equal(api_get(&current, path, &r), 0);
    assert_int_equal(r.status, 404);
    api_response_free(&r);
    /* ... and a feed of the same area, no account. */
    assert_int_equal(
        api_post_json(&current, "/api/v1/alerts/subscriptions", "{\"area\":\"" AREA "\"}", &r), 0);
    assert_int_equal(r.status, 201);
    char feed[128];
    snprintf(feed, sizeof feed, "%s", json_string_value(json_object_get(r.json, "feed")));
    api_response_free(&r);

    int64_t in = post_report(INSIDE), out = post_report(OUTSIDE);
    wait_files(hooks, "req", 1);
    wait_files(mail, "eml", 2);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM alert_outbox WHERE report_id = %lld AND state = 'delivered'",
             (long long)in);
    wait_db(sql, 2);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM alert_outbox WHERE report_id = %lld",
             (long long)out);
    assert_int_equal(api_db_long(&current, sql), 0);

    char *hook = read_file(hooks, 1, "req");
    check_signature(hook, secret);
    json_t *body = json_loads(body_of(hook), 0, NULL);
    assert_non_null(body);
    json_t *rep = json_object_get(body, "report");
    assert_int_equal(json_integer_value(json_object_get(rep, "id")), in);
    assert_string_equal(json_string_value(json_object_get(rep, "status")), "new");
    assert_true(json_is_null(json_object_get(rep, "description"))); /* not reviewed yet */
    assert_null(strstr(hook, "prywatny"));
    json_decref(body);
    free(hook);
    char *m = read_file(mail, 2, "eml");
    char subject[96];
    snprintf(subject, sizeof subject, "Subject: tarcza: report %lld ", (long long)in);
    assert_non_null(strstr(m, subject));
    assert_non_null(strstr(m, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    assert_null(strstr(m, "prywatny"));
    free(m);

    check_feed(feed, in, out);
    char bbox[128];
    snprintf(bbox, sizeof bbox, "/api/v1/alerts/feed.atom?bbox=19.92,50.05,19.96,50.07&limit=5");
    check_feed(bbox, in, out);

    /* A restart neither loses nor repeats: the same deliveries, no more. */
    assert_int_equal(api_stop(&current, SIGTERM), 0);
    assert_int_equal(api_start(&current), 0);
    int64_t later = post_report(INSIDE);
    wait_files(hooks, "req", 2);
    wait_files(mail, "eml", 3);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM alert_outbox WHERE report_id = %lld",
             (long long)in);
    assert_int_equal(api_db_long(&current, sql), 2);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM alert_outbox WHERE report_id = %lld AND state = 'delivered'",
             (long long)later);
    wait_db(sql, 2);
    sleep_ms(500); /* five more rounds of the sender: nothing else arrives */
    assert_int_equal(count_files(hooks, "req"), 2);
    assert_int_equal(count_files(mail, "eml"), 3);

    /* The link in the body opens a page with the one-click button; a GET deletes nothing. */
    snprintf(path, sizeof path, "/api/v1/alerts/unsubscribe?id=%s&token=%s", sub_id, token);
    assert_int_equal(api_get(&current, path, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "name=\"List-Unsubscribe\" value=\"One-Click\""));
    api_response_free(&r);
    assert_int_equal(api_db_long(&current, "SELECT count(*) FROM alert_subscriptions"
                                           " WHERE target = 'ala@example.org'"),
                     1);
    /* One-click unsubscribe (RFC 8058): the address is gone from the database. */
    const char *click = "List-Unsubscribe=One-Click";
    assert_int_equal(api_request(&current, "POST", path, "application/x-www-form-urlencoded", click,
                                 strlen(click), 0, &r),
                     0);
    assert_int_equal(r.status, 200);
    api_response_free(&r);
    assert_int_equal(api_db_long(&current, "SELECT count(*) FROM alert_subscriptions"
                                           " WHERE target LIKE '%ala@example.org%'"),
                     0);
    assert_int_equal(api_db_long(&current, "SELECT count(*) FROM audit_log"
                                           " WHERE action = 'alert.unsubscribe'"),
                     1);
    assert_int_equal(api_request(&current, "POST", path, "application/x-www-form-urlencoded", click,
                                 strlen(click), 0, &r),
                     0);
    assert_int_equal(r.status, 404); /* gone */
    api_response_free(&r);
    post_report(INSIDE);
    wait_files(hooks, "req", 3); /* the webhook still follows; the address does not */
    sleep_ms(500);
    assert_int_equal(count_files(mail, "eml"), 3);
    assert_int_equal(api_finish(&current), 0);
    stop_helpers();
}

static void a_failing_webhook_is_retried_then_disabled(void **state)
{
    (void)state;
    assert_int_equal(api_prepare(&current, tarcza_binary, 10), 0);
    char hooks[400], fail[450];
    snprintf(hooks, sizeof hooks, "%s/hooks", current.dir);
    snprintf(fail, sizeof fail, "%s/fail", hooks);
    int hook_port = start_helper(0, "/usr/bin/python3", "webhook_receiver.py", hooks);
    char hook_id[32], secret[65];
    add_webhook(hook_port, hook_id, secret);
    FILE *f = fopen(fail, "w");
    assert_non_null(f);
    fclose(f);
    start_server(1, "--alerts-retry", "1");
    /* Failing, then answering: retried with back-off until delivered, once. */
    post_report(INSIDE);
    wait_db_min("SELECT count(*) FROM alert_deliveries WHERE outcome = 'failed'", 1);
    unlink(fail);
    wait_files(hooks, "req", 1);
    wait_db("SELECT count(*) FROM alert_deliveries WHERE outcome = 'delivered'", 1);
    assert_int_equal(api_db_long(&current, "SELECT failures FROM alert_subscriptions"), 0);
    assert_int_equal(api_stop(&current, SIGTERM), 0);

    /* Failing for good: disabled after --alerts-failures in a row, the rest dropped. */
    f = fopen(fail, "w");
    assert_non_null(f);
    fclose(f);
    current.serve_args[10] = "--alerts-failures";
    current.serve_args[11] = "2";
    current.serve_args[12] = NULL;
    assert_int_equal(api_start(&current), 0);
    post_report(INSIDE);
    wait_db("SELECT count(*) FROM alert_subscriptions WHERE disabled_at IS NOT NULL", 1);
    assert_int_equal(api_db_long(&current, "SELECT count(*) FROM alert_deliveries"
                                           " WHERE outcome = 'disabled'"),
                     1);
    assert_int_equal(api_db_long(&current, "SELECT count(*) FROM alert_outbox"
                                           " WHERE state = 'pending'"),
                     0);
    unlink(fail);
    post_report(INSIDE);
    sleep_ms(500);
    assert_int_equal(count_files(hooks, "req"), 1); /* a disabled webhook gets nothing */
    assert_int_equal(api_finish(&current), 0);
    stop_helpers();
}

static void bad_input_is_refused_and_the_feed_is_rate_limited(void **state)
{
    (void)state;
    assert_int_equal(api_prepare(&current, tarcza_binary, 10), 0);
    current.serve_args[0] = "--feed-rate";
    current.serve_args[1] = "3";
    assert_int_equal(api_start(&current), 0);
    static const char *const bad[] = {
        "{\"area\":\"circle:19.94,50.06,5\"}",                        /* radius below 10 m */
        "{\"area\":\"bbox:20,50,19,51\"}",                            /* west > east */
        "{\"area\":\"polygon:19 50,20 50\"}",                         /* two points */
        "{\"area\":\"district:NOPE\"}",                               /* no such district */
        "{\"area\":\"" AREA "\",\"categories\":[\"x\"]}",             /* no such category */
        "{\"area\":\"" AREA "\",\"email\":\"a@b\\r\\nBcc: x@y.pl\"}", /* header injection */
        "{\"area\":\"" AREA "\",\"more\":1}",                         /* unknown member */
    };
    struct api_response r;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(api_post_json(&current, "/api/v1/alerts/subscriptions", bad[i], &r), 0);
        if (r.status != 422)
            fail_msg("%s: %ld", bad[i], r.status);
        api_response_free(&r);
    }
    assert_int_equal(api_db_long(&current, "SELECT count(*) FROM alert_subscriptions"), 0);
    assert_int_equal(api_get(&current, "/api/v1/alerts/feed.atom?limit=3", &r), 0);
    assert_int_equal(r.status, 400); /* no area */
    api_response_free(&r);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(api_get(&current, "/api/v1/alerts/feed.atom?area=district:KRK-01", &r), 0);
        assert_int_equal(r.status, 200);
        api_response_free(&r);
    }
    assert_int_equal(api_get(&current, "/api/v1/alerts/feed.atom?area=district:KRK-01", &r), 0);
    assert_int_equal(r.status, 429); /* the fourth within the minute at 3 a minute */
    char retry[32];
    assert_int_equal(api_header(&r, "Retry-After", retry, sizeof retry), 0);
    api_response_free(&r);
    assert_int_equal(api_finish(&current), 0);
}

/* An officer moves report id on (as who): the answer's status. */
static long move(const char *who, int64_t id, const char *to, const char *note,
                 const char *public_note)
{
    char path[96], body[512];
    struct api_response r;
    snprintf(path, sizeof path, "/api/v1/reports/%lld/transitions", (long long)id);
    snprintf(body, sizeof body, "{\"to\":\"%s\",\"note\":\"%s\",\"public_note\":%s%s%s}", to, note,
             public_note ? "\"" : "", public_note ? public_note : "null", public_note ? "\"" : "");
    long status = api_call_as(&current, who, "POST", path, body, &r);
    api_response_free(&r);
    return status;
}

/* The district id of report id, as the public reads it. */
static void district_of(int64_t id, char *out, size_t size)
{
    char path[64];
    struct api_response r;
    snprintf(path, sizeof path, "/api/v1/reports/%lld", (long long)id);
    assert_int_equal(api_get(&current, path, &r), 0);
    assert_int_equal(r.status, 200);
    snprintf(out, size, "%s",
             json_string_value(json_object_get(json_object_get(r.json, "district"), "id")));
    api_response_free(&r);
}

static void a_followed_reports_public_status_changes_reach_the_webhook_once(void **state)
{
    (void)state;
    static char officer[256]; /* a header: it outlives a failed assertion */
    assert_int_equal(api_prepare(&current, tarcza_binary, 10), 0);
    char hooks[400];
    snprintf(hooks, sizeof hooks, "%s/hooks", current.dir);
    int hook_port = start_helper(0, "/usr/bin/python3", "webhook_receiver.py", hooks);
    char hook_id[32], secret[65];
    add_webhook(hook_port, hook_id, secret);
    start_server(1, NULL, NULL); /* no address follows: no mail */

    int64_t in = post_report(INSIDE), out = post_report(OUTSIDE), spam = post_report(INSIDE);
    wait_files(hooks, "req", 2); /* the two arrivals inside */
    char district[64];
    district_of(in, district, sizeof district);
    assert_int_equal(
        api_make_token(&current, "dzielnicowy", "officer", district, officer, sizeof officer), 0);
    assert_int_equal(
        move(officer, in, "verifying", "tylko dla policji", "Patrol sprawdzi miejsce."), 200);
    wait_files(hooks, "req", 3);
    char *hook = read_file(hooks, 3, "req");
    check_signature(hook, secret);
    assert_null(strstr(hook, "tylko dla policji")); /* the officer's internal note never */
    assert_null(strstr(hook, "prywatny"));          /* nor the reporter's words */
    json_t *body = json_loads(body_of(hook), 0, NULL);
    assert_non_null(body);
    assert_string_equal(json_string_value(json_object_get(body, "event")), "status_changed");
    json_t *change = json_object_get(body, "change");
    assert_string_equal(json_string_value(json_object_get(change, "from")), "new");
    assert_string_equal(json_string_value(json_object_get(change, "to")), "verifying");
    assert_string_equal(json_string_value(json_object_get(change, "public_note")),
                        "Patrol sprawdzi miejsce.");
    json_t *rep = json_object_get(body, "report");
    assert_int_equal(json_integer_value(json_object_get(rep, "id")), in);
    assert_string_equal(json_string_value(json_object_get(rep, "status")), "verifying");
    json_decref(body);
    free(hook);

    /* A second change is owed once more; a change to rejected (not public) and a change of a
     * report outside the area are owed nothing. */
    assert_int_equal(move(officer, in, "confirmed", "potwierdzone", NULL), 200);
    assert_int_equal(move(officer, spam, "rejected", "spam", NULL), 200);
    char out_district[64], outsider[256];
    district_of(out, out_district, sizeof out_district);
    assert_int_equal(
        api_make_token(&current, "sasiad", "officer", out_district, outsider, sizeof outsider), 0);
    assert_int_equal(move(outsider, out, "verifying", "obok", "Poza obszarem."), 200);
    wait_files(hooks, "req", 4);
    hook = read_file(hooks, 4, "req");
    check_signature(hook, secret);
    assert_non_null(strstr(hook, "\"to\":\"confirmed\""));
    assert_non_null(strstr(hook, "\"public_note\":null"));
    free(hook);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM alert_outbox WHERE report_id = %lld AND change_seq > 0"
             " AND state = 'delivered'",
             (long long)in);
    wait_db(sql, 2);

    /* A restart repeats none of it, and a change made while it was down still arrives once. */
    assert_int_equal(api_stop(&current, SIGTERM), 0);
    assert_int_equal(api_start(&current), 0);
    assert_int_equal(move(officer, in, "eliminated", "usuniete", "Zagrozenie usuniete."), 200);
    wait_files(hooks, "req", 5);
    sleep_ms(500); /* five more rounds of the sender: nothing else arrives */
    assert_int_equal(count_files(hooks, "req"), 5);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM alert_outbox WHERE report_id IN (%lld, %lld)",
             (long long)out, (long long)spam);
    assert_int_equal(api_db_long(&current, sql), 1); /* the spam's arrival, not its rejection */
    hook = read_file(hooks, 5, "req");
    assert_non_null(strstr(hook, "\"to\":\"eliminated\""));
    assert_non_null(strstr(hook, "Zagrozenie usuniete."));
    free(hook);
    assert_int_equal(api_finish(&current), 0);
    stop_helpers();
}

static void an_admin_lists_disables_and_enables_webhooks(void **state)
{
    (void)state;
    static char admin[256], officer[256]; /* headers: they outlive a failed assertion */
    assert_int_equal(api_prepare(&current, tarcza_binary, 10), 0);
    char hooks[400];
    snprintf(hooks, sizeof hooks, "%s/hooks", current.dir);
    int hook_port = start_helper(0, "/usr/bin/python3", "webhook_receiver.py", hooks);
    char hook_id[32], secret[65], body[128];
    add_webhook(hook_port, hook_id, secret);
    assert_int_equal(api_make_token(&current, "root", "admin", NULL, admin, sizeof admin), 0);
    assert_int_equal(
        api_make_token(&current, "nowak", "officer", "KRK-01", officer, sizeof officer), 0);
    start_server(1, NULL, NULL);

    struct api_response r;
    assert_int_equal(api_call_as(&current, officer, "GET", "/api/v1/alerts/webhooks", NULL, &r),
                     403);
    api_response_free(&r);
    assert_int_equal(api_call_as(&current, admin, "GET", "/api/v1/alerts/webhooks", NULL, &r), 200);
    json_t *list = json_object_get(r.json, "webhooks");
    assert_int_equal(json_array_size(list), 1);
    json_t *hook = json_array_get(list, 0);
    assert_int_equal(json_integer_value(json_object_get(hook, "id")), atoll(hook_id));
    assert_string_equal(json_string_value(json_object_get(hook, "area")), AREA);
    assert_true(json_is_true(json_object_get(hook, "enabled")));
    assert_null(strstr(r.body, secret)); /* the key is shown once, when added */
    api_response_free(&r);

    snprintf(body, sizeof body, "{\"id\":%s,\"action\":\"disable\"}", hook_id);
    assert_int_equal(
        api_call_as(&current, officer, "POST", "/api/v1/alerts/webhooks/change", body, &r), 403);
    api_response_free(&r);
    assert_int_equal(
        api_call_as(&current, admin, "POST", "/api/v1/alerts/webhooks/change", body, &r), 200);
    api_response_free(&r);
    assert_int_equal(
        api_call_as(&current, admin, "POST", "/api/v1/alerts/webhooks/change", body, &r), 409);
    api_response_free(&r);
    assert_int_equal(api_call_as(&current, admin, "POST", "/api/v1/alerts/webhooks/change",
                                 "{\"id\":999,\"action\":\"enable\"}", &r),
                     404);
    api_response_free(&r);
    /* Each refused body is audited as refused, as the add endpoint's are: bad fields, an
     * unknown field, a body that is not JSON. */
    static const char refused_sql[] = "SELECT count(*) FROM audit_log WHERE action ="
                                      " 'alert.webhooks' AND outcome = 'refused'";
    long refused = api_db_long(&current, refused_sql);
    long by_root = api_db_long(&current, "SELECT count(*) FROM audit_log WHERE action ="
                                         " 'alert.webhooks' AND outcome = 'refused'"
                                         " AND actor = 'root'");
    assert_int_equal(api_call_as(&current, admin, "POST", "/api/v1/alerts/webhooks/change",
                                 "{\"id\":\"1\",\"action\":\"pause\"}", &r),
                     422);
    api_response_free(&r);
    assert_int_equal(api_call_as(&current, admin, "POST", "/api/v1/alerts/webhooks/change",
                                 "{\"id\":1,\"action\":\"enable\",\"why\":\"x\"}", &r),
                     422);
    api_response_free(&r);
    assert_int_equal(
        api_call_as(&current, admin, "POST", "/api/v1/alerts/webhooks/change", "{\"id\":", &r),
        400);
    api_response_free(&r);
    assert_int_equal(api_db_long(&current, refused_sql), refused + 3);
    assert_int_equal(api_db_long(&current, "SELECT count(*) FROM audit_log WHERE action ="
                                           " 'alert.webhooks' AND outcome = 'refused'"
                                           " AND actor = 'root'"),
                     by_root + 3);

    /* Disabled, it is owed nothing; enabled again, only what arrives from then on. */
    int64_t missed = post_report(INSIDE);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT upto FROM alert_state WHERE name = 'reports'");
    wait_db_min(sql, missed);
    snprintf(body, sizeof body, "{\"id\":%s,\"action\":\"enable\"}", hook_id);
    assert_int_equal(
        api_call_as(&current, admin, "POST", "/api/v1/alerts/webhooks/change", body, &r), 200);
    api_response_free(&r);
    int64_t later = post_report(INSIDE);
    wait_files(hooks, "req", 1);
    char *req = read_file(hooks, 1, "req");
    char want[64];
    snprintf(want, sizeof want, "\"report\":{\"id\":%lld,", (long long)later);
    assert_non_null(strstr(req, want));
    free(req);
    sleep_ms(500);
    assert_int_equal(count_files(hooks, "req"), 1);
    assert_int_equal(
        api_db_long(&current, "SELECT count(*) FROM audit_log WHERE action = 'alert.disable'"), 1);
    assert_int_equal(
        api_db_long(&current, "SELECT count(*) FROM audit_log WHERE action = 'alert.enable'"), 1);
    assert_int_equal(api_db_long(&current, "SELECT count(*) FROM audit_log"
                                           " WHERE action = 'alert.webhooks.read'"),
                     1);
    assert_true(api_db_long(&current, "SELECT count(*) FROM audit_log"
                                      " WHERE action = 'alert.webhooks' AND actor = 'nowak'") >= 2);
    assert_int_equal(api_finish(&current), 0);
    stop_helpers();
}

/* Added over the API as on the command line: its key shown once, signing what it gets. */
static void an_admin_adds_and_removes_a_webhook_over_the_api(void **state)
{
    (void)state;
    static char admin[256], officer[256];
    assert_int_equal(api_prepare(&current, tarcza_binary, 10), 0);
    char hooks[400], body[256], url[64];
    snprintf(hooks, sizeof hooks, "%s/hooks", current.dir);
    int port = start_helper(0, "/usr/bin/python3", "webhook_receiver.py", hooks);
    assert_int_equal(api_make_token(&current, "root", "admin", NULL, admin, sizeof admin), 0);
    assert_int_equal(
        api_make_token(&current, "nowak", "officer", "KRK-01", officer, sizeof officer), 0);
    start_server(1, NULL, NULL);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", port);
    snprintf(body, sizeof body, "{\"url\":\"%s\",\"area\":\"" AREA "\",\"categories\":[]}", url);
    struct api_response r;
    assert_int_equal(api_call_as(&current, officer, "POST", "/api/v1/alerts/webhooks", body, &r),
                     403);
    api_response_free(&r);
    static const char *const bad[] = {
        "{\"url\":\"ftp://city.example/h\",\"area\":\"" AREA "\"}",     /* not http(s) */
        "{\"url\":\"https://city.example/a b\",\"area\":\"" AREA "\"}", /* a space */
        "{\"url\":\"https://city.example/h\",\"area\":\"circle:19.94,50.06,1\"}",
        "{\"url\":\"https://city.example/h\",\"area\":\"" AREA "\",\"categories\":[\"x\"]}",
        "{\"area\":\"" AREA "\"}",
        "{\"url\":\"https://city.example/h\",\"area\":\"" AREA "\",\"secret\":\"mine\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long st = api_call_as(&current, admin, "POST", "/api/v1/alerts/webhooks", bad[i], &r);
        if (st != 422)
            fail_msg("%s: %ld %s", bad[i], st, r.body);
        api_response_free(&r);
    }
    assert_int_equal(api_db_long(&current, "SELECT count(*) FROM alert_subscriptions"), 0);
    assert_int_equal(api_call_as(&current, admin, "POST", "/api/v1/alerts/webhooks", body, &r),
                     201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    char secret[80];
    snprintf(secret, sizeof secret, "%s", json_string_value(json_object_get(r.json, "secret")));
    assert_int_equal(strlen(secret), 64);
    assert_string_equal(json_string_value(json_object_get(r.json, "url")), url);
    api_response_free(&r);
    assert_int_equal(api_call_as(&current, admin, "GET", "/api/v1/alerts/webhooks", NULL, &r), 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "webhooks")), 1);
    assert_null(strstr(r.body, secret)); /* shown once */
    api_response_free(&r);
    /* It gets a report of its area, signed with that key. */
    int64_t report = post_report(INSIDE);
    wait_files(hooks, "req", 1);
    char *req = read_file(hooks, 1, "req");
    check_signature(req, secret);
    char want[64];
    snprintf(want, sizeof want, "\"report\":{\"id\":%lld,", (long long)report);
    assert_non_null(strstr(req, want));
    free(req);
    /* Removed: gone from the list, owed nothing; removing again, or a feed's id, is 404. */
    snprintf(body, sizeof body, "{\"id\":%lld,\"action\":\"remove\"}", id);
    assert_int_equal(
        api_call_as(&current, officer, "POST", "/api/v1/alerts/webhooks/change", body, &r), 403);
    api_response_free(&r);
    assert_int_equal(
        api_call_as(&current, admin, "POST", "/api/v1/alerts/webhooks/change", body, &r), 200);
    assert_true(json_is_true(json_object_get(r.json, "removed")));
    api_response_free(&r);
    assert_int_equal(
        api_call_as(&current, admin, "POST", "/api/v1/alerts/webhooks/change", body, &r), 404);
    api_response_free(&r);
    assert_int_equal(api_db_long(&current, "SELECT count(*) FROM alert_subscriptions"), 0);
    post_report(INSIDE);
    sleep_ms(1000); /* rounds of the sender (every 100 ms) */
    assert_int_equal(count_files(hooks, "req"), 1);
    assert_int_equal(api_db_long(&current, "SELECT count(*) FROM audit_log WHERE action ="
                                           " 'alert.subscribe' AND actor = 'root'"),
                     1);
    assert_int_equal(
        api_db_long(&current, "SELECT count(*) FROM audit_log WHERE action = 'alert.remove'"), 1);
    assert_true(api_db_long(&current, "SELECT count(*) FROM audit_log WHERE action ="
                                      " 'alert.webhooks' AND outcome = 'refused'") >= 8);
    assert_int_equal(api_finish(&current), 0);
    stop_helpers();
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA [HELPERS-DIR]\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    helpers_dir = argc > 2 ? argv[2] : TZ_ALERTS_HELPERS;
    if (sodium_init() < 0)
        return 1;
    if (access("/usr/bin/python3", X_OK) != 0) {
        fprintf(stderr, "test_api_alerts: no /usr/bin/python3 (scripts/deps.sh)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(a_report_in_the_area_reaches_feed_webhook_and_mail_exactly_once,
                                  teardown),
        cmocka_unit_test_teardown(a_followed_reports_public_status_changes_reach_the_webhook_once,
                                  teardown),
        cmocka_unit_test_teardown(a_failing_webhook_is_retried_then_disabled, teardown),
        cmocka_unit_test_teardown(an_admin_lists_disables_and_enables_webhooks, teardown),
        cmocka_unit_test_teardown(an_admin_adds_and_removes_a_webhook_over_the_api, teardown),
        cmocka_unit_test_teardown(bad_input_is_refused_and_the_feed_is_rate_limited, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
