/*
 * Allocation failure over HTTP: the report path as a citizen's browser walks
 * it, POST /api/v1/reports and then GET /api/v1/map, answered by the real
 * server (tz_http_start on a loopback port in this process, a plain socket
 * client that allocates nothing), with allocation N failing for every N up to
 * the count of allocations the two requests make (the harness of
 * oom_harness.h, test_oom.c's head says how it works).
 *
 * What must hold for every N: each request answers with its success (201,
 * 200) or 503 with a problem document (application/problem+json), nothing
 * else and never a dropped connection; nothing leaks (LeakSanitizer, after
 * the server has stopped); the report is either stored and on the map (the
 * index agrees with the store) or absent, a 201 meaning stored; a map answer
 * of 200 counts it when the POST had answered 201; and the database passes
 * PRAGMA integrity_check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "http/server.h"
#include "oom_harness.h"

#define ANSWER_MAX (64 * 1024) /* what a test request may answer (the map of one report) */

static const char post_request[] =
    "POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s";
static const char report_json[] = "{\"category\":\"speeding\",\"lat\":50.05,\"lon\":19.95,"
                                  "\"description\":\"Za szybko pod szkołą\"}";
static const char map_request[] =
    "GET /api/v1/map?bbox=19.9,50.0,20.1,50.1&zoom=12 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Connection: close\r\n\r\n";

/* An answer: its status (0: none came) and where its headers end in text. */
struct answer {
    int status;
    char text[ANSWER_MAX];
    size_t len;
    const char *body;
};

/* Sends request to 127.0.0.1:port and reads the answer until the server closes. */
static void exchange(uint16_t port, const char *request, struct answer *a)
{
    memset(a, 0, sizeof *a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    struct timeval tv = {.tv_sec = 20};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    CHECK(connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
    size_t n = strlen(request);
    CHECK(send(fd, request, n, MSG_NOSIGNAL) == (ssize_t)n);
    ssize_t got;
    while (a->len < sizeof a->text - 1 &&
           (got = recv(fd, a->text + a->len, sizeof a->text - 1 - a->len, 0)) > 0)
        a->len += (size_t)got;
    close(fd);
    a->text[a->len] = '\0';
    if (sscanf(a->text, "HTTP/1.1 %d ", &a->status) != 1)
        a->status = 0;
    const char *end = strstr(a->text, "\r\n\r\n");
    a->body = end ? end + 4 : "";
}

/* A 503 is a problem document (RFC 9457). */
static void check_unavailable(const struct answer *a)
{
    if (a->status != 503)
        fprintf(stderr, "answered: %.400s\n", a->status ? a->text : "nothing");
    CHECK(a->status == 503);
    CHECK(strstr(a->text, "Content-Type: application/problem+json") != NULL);
    CHECK(strstr(a->body, "\"status\":503") != NULL);
}

static tz_err count_points(void *ctx, const struct tz_map_point *pts, size_t n)
{
    (void)pts;
    *(size_t *)ctx += n;
    return TZ_OK;
}

/* The map index's points (the police view: every report), after it caught up with the store. */
static size_t points_on_map(struct tz_threatmap *tm)
{
    struct tz_public_query q;
    struct tz_map_visit v;
    size_t points = 0;
    CHECK(tz_threatmap_sync(tm) == TZ_OK);
    tz_public_query_init(&q);
    tz_threatmap_visit_of(tm, &q, &v);
    CHECK(tz_threatmap_visit(tm, &v, count_points, &points) == TZ_OK);
    return points;
}

static void http_scenario(long fail_at)
{
    char path[64];
    fresh_db(path);
    struct tz_store *store = NULL;
    struct tz_threatmap *tm = NULL;
    struct tz_http *srv = NULL;
    CHECK(tz_store_open_sqlite(path, &store) == TZ_OK);
    CHECK(tz_threatmap_open(store, NULL, &tm) == TZ_OK);
    struct tz_http_config cfg = tz_http_defaults();
    cfg.port = 0;
    cfg.threads = 2;
    cfg.per_ip_limit = 0;
    cfg.write_rate_per_hour = 0;
    CHECK(tz_http_start(tm, &cfg, &srv) == TZ_OK);

    static struct answer post, map; /* static: 64 KiB each, off the stack */
    char request[1024];
    snprintf(request, sizeof request, post_request, strlen(report_json), report_json);
    oom_arm(fail_at);
    exchange(tz_http_port(srv), request, &post);
    exchange(tz_http_port(srv), map_request, &map);
    oom_disarm();
    tz_http_stop(srv);

    if (post.status != 201)
        check_unavailable(&post);
    if (map.status != 200)
        check_unavailable(&map);
    int64_t count = -1;
    CHECK(tz_store_count_reports(store, &count) == TZ_OK);
    CHECK(count == (post.status == 201 ? 1 : count)); /* 201: stored */
    CHECK(count == 0 || count == 1);                   /* 503: stored whole, or not at all */
    CHECK((int64_t)points_on_map(tm) == count);
    if (post.status == 201 && map.status == 200)
        CHECK(strstr(map.body, "\"matched\":1") != NULL);
    if (count == 1) { /* whole: its reporter's description and district are there */
        struct tz_report_rec rec = {0};
        CHECK(tz_store_get_report(store, 1, &rec) == TZ_OK);
        CHECK(strcmp(rec.district_id, "A") == 0 && strcmp(rec.status, "new") == 0);
        CHECK(rec.description && strcmp(rec.description, "Za szybko pod szkołą") == 0);
        tz_report_rec_clear(&rec);
    }
    tz_threatmap_close(tm);
    tz_store_close(store);
    check_integrity(path);
    remove_db(path);
}

static void report_path_over_http_answers_503_and_is_whole_or_absent(void **state)
{
    (void)state;
    for_every_n("report path over HTTP", http_scenario, 1);
}

int main(void)
{
    oom_install();
    const char *persist = getenv("TZ_OOM_PERSIST");
    oom_persist = persist && strcmp(persist, "1") == 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(report_path_over_http_answers_503_and_is_whole_or_absent),
    };
    return cmocka_run_group_tests(tests, make_template, drop_template);
}
