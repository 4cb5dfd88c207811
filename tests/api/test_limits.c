/*
 * Abuse limits of `tarcza serve`, over real sockets: security headers on
 * every kind of answer, the per-address write rate (429), the request
 * deadline against a client that trickles bytes, the connection caps (total
 * and per client, on by default), the header limit, and a clean stop
 * (LeakSanitizer) after all of it. Each test starts its own server with the
 * limits it needs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api_client.h"

static const char *tarcza_binary;
static const char *web_dir;
static struct api_server current; /* the server of the running test */

#define REPORT "{\"category\":\"speeding\",\"lat\":50.0617,\"lon\":19.9373}"

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

/* After each test, even a failed one: no server left running, no files left. */
static int kill_server(void **state)
{
    api_discard(&current);
    return 0;
}

/* Stops it with SIGTERM: exit status 0 means no leak and no sanitizer error in the server. */
static void stop_clean(struct api_server *s)
{
    int status = api_stop(s, SIGTERM);
    api_cleanup(s);
    s->dir[0] = '\0';
    if (status != 0)
        fprintf(stderr, "tarcza serve exited with %d\n", status);
    assert_int_equal(status, 0);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void check_hardening_headers(const struct api_response *r, const char *what)
{
    char v[1024];
    if (api_header(r, "X-Content-Type-Options", v, sizeof v) != 0 || strcmp(v, "nosniff") != 0)
        fail_msg("%s: no X-Content-Type-Options: nosniff", what);
    if (api_header(r, "Referrer-Policy", v, sizeof v) != 0 || strcmp(v, "no-referrer") != 0)
        fail_msg("%s: no Referrer-Policy: no-referrer", what);
    if (api_header(r, "Content-Security-Policy", v, sizeof v) != 0)
        fail_msg("%s: no Content-Security-Policy", what);
    if (!strstr(v, "frame-ancestors 'none'"))
        fail_msg("%s: the policy allows framing: %s", what, v);
    if (strstr(v, "unsafe-inline") || strstr(v, "unsafe-eval"))
        fail_msg("%s: the policy allows inline script: %s", what, v);
    if (strstr(v, "script-src") == NULL && strstr(v, "default-src 'none'") == NULL)
        fail_msg("%s: the policy does not restrict scripts: %s", what, v);
}

static void every_answer_carries_the_security_headers(void **state)
{
    struct api_server *s = &current;
    start_with(s, "--web", web_dir, "--write-rate", "0", NULL);
    struct {
        const char *method, *path, *type, *body;
        long status;
    } cases[] = {
        {"GET", "/", NULL, NULL, 200},
        {"GET", "/index.html", NULL, NULL, 200},
        {"GET", "/js/app.js", NULL, NULL, 200},
        {"GET", "/no-such-file.js", NULL, NULL, 404},
        {"GET", "/healthz", NULL, NULL, 200},
        {"HEAD", "/healthz", NULL, NULL, 200},
        {"GET", "/api/v1/categories", NULL, NULL, 200},
        {"GET", "/api/v1/districts", NULL, NULL, 200},
        {"GET", "/api/v1/reports?limit=2", NULL, NULL, 200},
        {"GET", "/api/v1/map?bbox=19.7,49.9,20.4,50.2&zoom=10", NULL, NULL, 200},
        {"POST", "/api/v1/reports", "application/json", REPORT, 201},
        {"GET", "/api/v1/nothing", NULL, NULL, 404},
        {"GET", "/api/v1/reports/99999999", NULL, NULL, 404},
        {"DELETE", "/api/v1/reports", NULL, NULL, 405},
        {"POST", "/api/v1/map", "application/json", "{}", 405},
        {"GET", "/api/v1/reports?bbox=1", NULL, NULL, 400},
        {"POST", "/api/v1/reports", "text/plain", "x", 415},
        {"POST", "/api/v1/reports", "application/json", "{", 400},
        {"POST", "/api/v1/reports", "application/json", "{\"category\":1}", 422},
        /* Later endpoints: Open311, open data, police (401 without a session), analysis. */
        {"GET", "/open311/v2/services.json", NULL, NULL, 200},
        {"GET", "/open311/v2/services.xml", NULL, NULL, 200},
        {"GET", "/open311/v2/nothing.json", NULL, NULL, 0},
        {"GET", "/api/v1/export/reports.csv", NULL, NULL, 200},
        {"GET", "/api/v1/export/reports.geojson", NULL, NULL, 200},
        {"GET", "/api/v1/institutions", NULL, NULL, 200},
        {"GET", "/api/v1/auth/me", NULL, NULL, 401},
        {"GET", "/api/v1/queue", NULL, NULL, 401},
        {"POST", "/api/v1/auth/login", "application/json", "{\"name\":\"x\"}", 0},
        {"GET", "/api/v1/analysis/stats", NULL, NULL, 0},
        {"POST", "/api/v1/reports/1/me-too", NULL, NULL, 0},
        {"GET", "/police.html", NULL, NULL, 200},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct api_response r;
        const char *b = cases[i].body;
        assert_int_equal(api_request(s, cases[i].method, cases[i].path, cases[i].type, b,
                                     b ? strlen(b) : 0, 0, &r),
                         0);
        char what[256];
        snprintf(what, sizeof what, "%s %s (%ld)", cases[i].method, cases[i].path, r.status);
        if (cases[i].status && r.status != cases[i].status)
            fail_msg("%s: expected %ld", what, cases[i].status);
        check_hardening_headers(&r, what);
        if (r.status == 201) { /* the report just filed, public and the reporter's views */
            char path[256];
            const char *token = json_string_value(json_object_get(r.json, "token"));
            long long id = json_integer_value(json_object_get(r.json, "id"));
            for (int with_token = 0; with_token < 2; with_token++) {
                struct api_response g;
                snprintf(path, sizeof path, "/api/v1/reports/%lld%s%s", id,
                         with_token ? "?token=" : "", with_token ? token : "");
                assert_int_equal(api_get(s, path, &g), 0);
                assert_int_equal(g.status, 200);
                check_hardening_headers(&g, path);
                api_response_free(&g);
            }
        }
        api_response_free(&r);
    }
    /* 413, by Content-Length and chunked (on a route of 16 KiB: a report takes 21 MiB). */
    size_t big = 64 * 1024;
    char *body = malloc(big);
    assert_non_null(body);
    memset(body, ' ', big);
    for (int chunked = 0; chunked < 2; chunked++) {
        struct api_response r;
        assert_int_equal(api_request(s, "POST", "/api/v1/auth/login", "application/json", body, big,
                                     chunked, &r),
                         0);
        assert_int_equal(r.status, 413);
        check_hardening_headers(&r, chunked ? "413 chunked" : "413");
        api_response_free(&r);
    }
    free(body);
    stop_clean(s);
}

/* Login attempts are limited per address before any password is hashed. */
static void login_attempts_are_rate_limited_per_address(void **state)
{
    (void)state;
    struct api_server *s = &current;
    start_with(s, "--login-rate", "2", NULL);
    const char *body =
        "{\"name\":\"nobody\",\"password\":\"not the password\",\"totp\":\"000000\"}";
    struct api_response r;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(api_post_json(s, "/api/v1/auth/login", body, &r), 0);
        assert_int_equal(r.status, 401);
        api_response_free(&r);
    }
    assert_int_equal(api_post_json(s, "/api/v1/auth/login", body, &r), 0);
    assert_int_equal(r.status, 429);
    char v[64];
    assert_int_equal(api_header(&r, "Retry-After", v, sizeof v), 0);
    assert_true(strtol(v, NULL, 10) >= 1);
    check_hardening_headers(&r, "429 login");
    api_response_free(&r);
    stop_clean(s);
}

/* Posts a report as the client `from` says it is; the status. */
static long post_from(struct api_server *s, const char *from)
{
    char header[96];
    snprintf(header, sizeof header, "X-Forwarded-For: %s", from);
    s->extra_headers[0] = header;
    struct api_response r = {0};
    long status = api_post_json(s, "/api/v1/reports", REPORT, &r) == 0 ? r.status : -1;
    api_response_free(&r);
    s->extra_headers[0] = NULL;
    return status;
}

/* Behind the trusted proxy each client has its own bucket (the last X-Forwarded-For address);
 * from anyone else the header is the client's own words and changes nothing. */
static void the_trusted_proxy_names_the_client(void **state)
{
    (void)state;
    struct api_server *s = &current;
    start_with(s, "--write-rate", "1", "--write-burst", "1", "--trusted-proxy", "127.0.0.1", NULL);
    assert_int_equal(post_from(s, "203.0.113.5"), 201);
    assert_int_equal(post_from(s, "203.0.113.5"), 429);
    assert_int_equal(post_from(s, "10.9.9.9, 203.0.113.6"), 201); /* the proxy's entry is last */
    assert_int_equal(post_from(s, "203.0.113.6, 203.0.113.5"), 429);
    assert_int_equal(post_from(s, "2001:db8::7"), 201);
    stop_clean(s);
    start_with(s, "--write-rate", "1", "--write-burst", "1", NULL);
    assert_int_equal(post_from(s, "203.0.113.5"), 201);
    assert_int_equal(post_from(s, "203.0.113.6"), 429); /* no trusted proxy: one client */
    stop_clean(s);
}

static void anonymous_writes_are_rate_limited_per_address(void **state)
{
    struct api_server *s = &current;
    start_with(s, "--write-rate", "1", "--write-burst", "3", NULL);
    long before = api_count_reports(s);
    struct api_response r;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(api_post_json(s, "/api/v1/reports", REPORT, &r), 0);
        assert_int_equal(r.status, 201);
        api_response_free(&r);
    }
    /* The burst is spent: 429 with Retry-After, as a problem document, and nothing stored. */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(api_post_json(s, "/api/v1/reports", REPORT, &r), 0);
        assert_int_equal(r.status, 429);
        char v[64];
        assert_int_equal(api_header(&r, "Retry-After", v, sizeof v), 0);
        long seconds = strtol(v, NULL, 10);
        assert_true(seconds >= 1 && seconds <= 3600);
        assert_int_equal(api_header(&r, "Content-Type", v, sizeof v), 0);
        assert_non_null(strstr(v, "application/problem+json"));
        assert_int_equal(json_integer_value(json_object_get(r.json, "status")), 429);
        check_hardening_headers(&r, "429");
        api_response_free(&r);
    }
    /* A me-too is an anonymous write too, from the same bucket. */
    assert_int_equal(api_request(s, "POST", "/api/v1/reports/1/me-too", NULL, NULL, 0, 0, &r), 0);
    assert_int_equal(r.status, 429);
    api_response_free(&r);
    /* Invalid reports count too (they are attempts), and reads are not limited. */
    assert_int_equal(api_post_json(s, "/api/v1/reports", "{", &r), 0);
    assert_int_equal(r.status, 429);
    api_response_free(&r);
    assert_int_equal(api_get(s, "/api/v1/reports?limit=1", &r), 0);
    assert_int_equal(r.status, 200);
    api_response_free(&r);
    assert_int_equal(api_count_reports(s), before + 3);
    stop_clean(s);
}

/* True when the peer has closed fd (recv gives 0 or an error) within wait_ms. */
static int closed_by_peer(int fd, int wait_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, wait_ms) <= 0)
        return 0;
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static void a_trickling_client_is_cut_off_while_others_are_served(void **state)
{
    struct api_server *s = &current;
    start_with(s, "--request-timeout", "2", "--threads", "1", NULL);
    /* One trickles its headers, one its body, a byte every 200 ms: never idle, never done. */
    int head = api_connect(s), body = api_connect(s);
    assert_true(head >= 0 && body >= 0);
    const char *h = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    const char *b = "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Content-Length: 1000\r\n\r\n";
    assert_true(send(head, h, strlen(h), MSG_NOSIGNAL) > 0);
    assert_true(send(body, b, strlen(b), MSG_NOSIGNAL) > 0);
    double start = now_s(), head_closed = 0, body_closed = 0;
    int served = 0;
    while (now_s() - start < 15 && (!head_closed || !body_closed)) {
        if (!head_closed && send(head, "X", 1, MSG_NOSIGNAL) < 0)
            head_closed = now_s();
        if (!body_closed && send(body, " ", 1, MSG_NOSIGNAL) < 0)
            body_closed = now_s();
        if (!head_closed && closed_by_peer(head, 0))
            head_closed = now_s();
        if (!body_closed && closed_by_peer(body, 0))
            body_closed = now_s();
        /* Meanwhile everyone else is answered at once, on the same single worker. */
        struct api_response r;
        assert_int_equal(api_get(s, "/healthz", &r), 0);
        assert_int_equal(r.status, 200);
        served++;
        api_response_free(&r);
        usleep(200 * 1000);
    }
    fprintf(stderr, "trickling clients cut off after %.1f s and %.1f s; %d requests served\n",
            head_closed - start, body_closed - start, served);
    assert_true(head_closed > 0 && body_closed > 0);
    assert_true(head_closed - start >= 1.5); /* not before the deadline */
    assert_true(served > 3);
    close(head);
    close(body);
    stop_clean(s);
}

/* True when a GET of /healthz is answered 200 within 2 seconds. */
static int served_now(struct api_server *s)
{
    int fd = api_connect(s);
    if (fd < 0)
        return 0;
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    int ok = 0;
    if (send(fd, req, strlen(req), MSG_NOSIGNAL) > 0) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        char buf[64] = "";
        if (poll(&p, 1, 2000) > 0 && recv(fd, buf, sizeof buf - 1, 0) > 12)
            ok = strncmp(buf, "HTTP/1.1 200", 12) == 0;
    }
    close(fd);
    return ok;
}

/* Holds `n` connections open (each has sent part of a request); then checks the next is refused. */
/*
 * Opens n connections that the server holds, each with a request begun: true when all n are held
 * and none refused. The connection of the caller's served_now() is closed, but the server frees
 * its slot a moment later, on its own thread (later still on a loaded machine): until then one of
 * these is refused instead, so a refused round is closed and tried again, ten times at most.
 */
static bool hold(struct api_server *s, int n, int *fds)
{
    for (int round = 0; round < 10; round++) {
        usleep(500 * 1000);
        for (int i = 0; i < n; i++) {
            fds[i] = api_connect(s);
            assert_true(fds[i] >= 0);
            assert_true(send(fds[i], "GET /", 5, MSG_NOSIGNAL) == 5);
        }
        usleep(300 * 1000); /* let the server accept them all */
        int refused = 0;
        for (int i = 0; i < n; i++)
            refused += closed_by_peer(fds[i], 0);
        if (!refused)
            return true;
        for (int i = 0; i < n; i++)
            close(fds[i]);
    }
    return false;
}

static void check_cap(struct api_server *s, int n)
{
    int fds[16];
    assert_true(hold(s, n, fds)); /* all n are held, none refused */
    assert_false(served_now(s));
    assert_false(served_now(s));
    close(fds[0]);
    int ok = 0;
    for (int i = 0; i < 20 && !ok; i++)
        ok = served_now(s); /* a slot is free again */
    assert_true(ok);
    for (int i = 1; i < n; i++)
        close(fds[i]);
}

static void the_connection_caps_hold(void **state)
{
    struct api_server *s = &current;
    start_with(s, "--max-connections", "4", "--threads", "1", "--request-timeout", "0", NULL);
    assert_true(served_now(s));
    check_cap(s, 4);
    stop_clean(s);
    start_with(s, "--per-ip-connections", "3", "--request-timeout", "0", NULL);
    assert_true(served_now(s));
    check_cap(s, 3);
    stop_clean(s);
}

/* True when a GET of /healthz sent from the loopback address `from` (127.0.0.0/8 all reach the
 * server's 127.0.0.1 on Linux) is answered 200 within 2 seconds: another client. */
static int served_from(struct api_server *s, const char *from)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in src = {.sin_family = AF_INET}, dst = {.sin_family = AF_INET};
    inet_pton(AF_INET, from, &src.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    dst.sin_port = htons(s->port);
    int ok = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&src, sizeof src) == 0 &&
        connect(fd, (struct sockaddr *)&dst, sizeof dst) == 0) {
        const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        struct pollfd p = {.fd = fd, .events = POLLIN};
        char buf[64] = "";
        if (send(fd, req, strlen(req), MSG_NOSIGNAL) > 0 && poll(&p, 1, 2000) > 0 &&
            recv(fd, buf, sizeof buf - 1, 0) > 12)
            ok = strncmp(buf, "HTTP/1.1 200", 12) == 0;
    }
    if (fd >= 0)
        close(fd);
    return ok;
}

/* With the default per-client cap, one client's idle sockets cannot take every connection of a
 * server started with --max-connections 8: the fifth is shut at once, another client gets in. */
static void one_client_cannot_fill_the_server_by_default(void **state)
{
    struct api_server *s = &current;
    start_with(s, "--max-connections", "8", "--threads", "1", "--request-timeout", "0", NULL);
    assert_true(served_now(s));
    usleep(500 * 1000); /* that connection's slot is freed on the server's thread */
    int fds[8], held = 0;
    for (int i = 0; i < 8; i++) {
        fds[i] = api_connect(s);
        assert_true(fds[i] >= 0);
        send(fds[i], "GET /", 5, MSG_NOSIGNAL);
    }
    usleep(300 * 1000);
    for (int i = 0; i < 8; i++)
        held += !closed_by_peer(fds[i], 0);
    fprintf(stderr, "one client holds %d of 8 connections\n", held);
    assert_int_equal(held, 4);   /* half of --max-connections */
    assert_false(served_now(s)); /* the same client: at its cap */
    assert_true(served_from(s, "127.0.0.2"));
    for (int i = 0; i < 8; i++)
        close(fds[i]);
    int ok = 0;
    for (int i = 0; i < 20 && !ok; i++)
        ok = served_now(s); /* its sockets closed, the client is served again */
    assert_true(ok);
    stop_clean(s);
}

static void oversized_headers_are_refused(void **state)
{
    struct api_server *s = &current;
    start_with(s, "--header-limit", "8192", NULL);
    char *value = malloc(16 * 1024 + 1);
    assert_non_null(value);
    memset(value, 'a', 16 * 1024);
    value[16 * 1024] = '\0';
    int fd = api_connect(s);
    assert_true(fd >= 0);
    char head[128];
    snprintf(head, sizeof head, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    send(fd, head, strlen(head), MSG_NOSIGNAL);
    send(fd, value, strlen(value), MSG_NOSIGNAL);
    send(fd, "\r\n\r\n", 4, MSG_NOSIGNAL);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char buf[256] = "";
    assert_true(poll(&p, 1, 5000) > 0);
    assert_true(recv(fd, buf, sizeof buf - 1, 0) > 12);
    /* libmicrohttpd answers this itself, before any handler: 431 (or 413 in older versions). */
    assert_true(strncmp(buf, "HTTP/1.1 431", 12) == 0 || strncmp(buf, "HTTP/1.1 413", 12) == 0);
    close(fd);
    free(value);
    /* A request within the limit is fine. */
    struct api_response r;
    assert_int_equal(api_get(s, "/healthz", &r), 0);
    assert_int_equal(r.status, 200);
    api_response_free(&r);
    stop_clean(s);
}

int main(int argc, char **argv)
{
    web_dir = argc > 2 ? argv[2] : getenv("TZ_WEB_DIR"); /* ctest sets TZ_WEB_DIR */
    if (argc < 2 || !web_dir) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA [WEB-DIR]   (or TZ_WEB_DIR=WEB-DIR)\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(every_answer_carries_the_security_headers, kill_server),
        cmocka_unit_test_teardown(anonymous_writes_are_rate_limited_per_address, kill_server),
        cmocka_unit_test_teardown(login_attempts_are_rate_limited_per_address, kill_server),
        cmocka_unit_test_teardown(the_trusted_proxy_names_the_client, kill_server),
        cmocka_unit_test_teardown(a_trickling_client_is_cut_off_while_others_are_served,
                                  kill_server),
        cmocka_unit_test_teardown(the_connection_caps_hold, kill_server),
        cmocka_unit_test_teardown(one_client_cannot_fill_the_server_by_default, kill_server),
        cmocka_unit_test_teardown(oversized_headers_are_refused, kill_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
