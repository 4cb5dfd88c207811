/*
 * Tests of what an operator relies on (docs/operations.md), through the real
 * `tarcza serve`: the configuration file (every serve option, strict, the
 * command line winning), the structured request log with its request ids,
 * /metrics in Prometheus text format (parsed here line by line; counters move
 * with the requests made), /healthz and /readyz.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>

#include "api_client.h"

static const char *tarcza_binary;
static struct api_server server; /* a demo database of 10 reports */

/* What one run of tarcza printed. */
static void slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static int prepare(void **state)
{
    return api_prepare(&server, tarcza_binary, 10);
}

static int cleanup(void **state)
{
    api_discard(&server);
    return 0;
}

/* A folder under the test's directory with an index.html saying text. */
static void page_folder(const char *name, const char *text, char *dir, size_t size)
{
    snprintf(dir, size, "%s/%s", server.dir, name);
    mkdir(dir, 0700);
    char path[512], html[256];
    snprintf(path, sizeof path, "%s/index.html", dir);
    snprintf(html, sizeof html, "<!doctype html><title>t</title><p>%s</p>\n", text);
    write_file(path, html);
}

/* The page / of a server started with args (NULL-terminated, at most 8) contains text. */
static void serves_page(const char *text, ...)
{
    va_list ap;
    va_start(ap, text);
    memset(server.serve_args, 0, sizeof server.serve_args);
    for (size_t i = 0; i < 8; i++)
        if (!(server.serve_args[i] = va_arg(ap, const char *)))
            break;
    va_end(ap);
    assert_int_equal(api_start(&server), 0);
    struct api_response r;
    assert_int_equal(api_get(&server, "/", &r), 0);
    assert_int_equal(r.status, 200);
    if (!strstr(r.body, text))
        fail_msg("expected the page saying %s, got %s", text, r.body);
    api_response_free(&r);
    assert_int_equal(api_stop(&server, SIGTERM), 0);
    memset(server.serve_args, 0, sizeof server.serve_args);
}

static void the_configuration_file_sets_serve_options(void **state)
{
    char a[400], b[400], conf[400];
    page_folder("a", "from the file", a, sizeof a);
    page_folder("b", "from the command line", b, sizeof b);
    snprintf(conf, sizeof conf, "%s/tarcza.conf", server.dir);
    char text[1024];
    snprintf(text, sizeof text,
             "# tarcza serve\n\n  web = %s  \r\nsync-ms = 500\nlog = off\n"
             "tiles = https://tile.example.org/{z}/{x}/{y}.png\n",
             a);
    write_file(conf, text);
    serves_page("from the file", "--config", conf, NULL);
    /* The command line wins over the file, whichever comes first. */
    serves_page("from the command line", "--web", b, "--config", conf, NULL);
    serves_page("from the command line", "--config", conf, "--web", b, NULL);
}

/* Refused with status 2, the reason naming `what` (file:line and why), and serve's usage. */
static void assert_refused(const struct api_run *r, const char *what)
{
    if (r->status != 2 || !strstr(r->err, what) || !strstr(r->err, "usage: tarcza serve"))
        fail_msg("expected status 2 with \"%s\", got %d:\n%s", what, r->status, r->err);
    assert_string_equal(r->out, ""); /* nothing served */
}

static void a_bad_configuration_file_is_refused_with_its_line(void **state)
{
    static struct api_run r;
    static const struct {
        const char *text, *why;
    } cases[] = {
        {"port = 0\ncolour = red\n", "tarcza.conf:2: unknown name: colour"},
        {"# x\nport = 80x\n", "tarcza.conf:2: port: not a whole number from 0 to 65535: 80x"},
        {"threads = 0\n", "tarcza.conf:1: threads: not a whole number from 1 to 256"},
        {"port = 0\nport = 1\n", "tarcza.conf:2: named twice: port"},
        {"reports = 5\n", "tarcza.conf:1: not an option of this command: reports"},
        {"\n\nweb\n", "tarcza.conf:3: not a line of `name = value`"},
        {"web =\n", "tarcza.conf:1: no value: web"},
        {"config = /etc/x\n", "tarcza.conf:1: a file cannot name another: config"},
        {"--port = 0\n", "tarcza.conf:1: unknown name: --port"},
    };
    char conf[400];
    snprintf(conf, sizeof conf, "%s/tarcza.conf", server.dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_file(conf, cases[i].text);
        api_run_command(&server, &r, "serve", "--config", conf, "--port", "0", "--db", server.db,
                        NULL);
        assert_refused(&r, cases[i].why);
    }
    /* A value the command line overrides is still checked. */
    write_file(conf, "port = 99999\n");
    api_run_command(&server, &r, "serve", "--port", "0", "--config", conf, "--db", server.db, NULL);
    assert_refused(&r, "tarcza.conf:1: port: not a whole number");
    api_run_command(&server, &r, "serve", "--config", "/nonexistent/tarcza.conf", "--db", server.db,
                    NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "/nonexistent/tarcza.conf: cannot be opened"));
}

/* ---- the request log ---- */

#define REPORT "{\"category\":\"illegal_parking\",\"lat\":50.0617,\"lon\":19.9373}"

/* Starts the server with the arguments (NULL-terminated, at most 12). */
static void start(const char *first, ...)
{
    memset(server.serve_args, 0, sizeof server.serve_args);
    va_list ap;
    va_start(ap, first);
    const char *a = first;
    for (size_t i = 0; a && i < 12; i++, a = va_arg(ap, const char *))
        server.serve_args[i] = a;
    va_end(ap);
    assert_int_equal(api_start(&server), 0);
}

static void stop(void)
{
    assert_int_equal(api_stop(&server, SIGTERM), 0);
    memset(server.serve_args, 0, sizeof server.serve_args);
    memset(server.extra_headers, 0, sizeof server.extra_headers);
}

/* GETs path and returns its status, with the answer's X-Request-Id in id. */
static long get_with_id(const char *path, char *id, size_t size)
{
    struct api_response r;
    assert_int_equal(api_get(&server, path, &r), 0);
    long status = r.status;
    id[0] = '\0';
    api_header(&r, "X-Request-Id", id, size);
    api_response_free(&r);
    return status;
}

/* The log line of the request with this id (a new reference), or NULL. */
static json_t *log_line_of(json_t *lines, const char *id)
{
    size_t i;
    json_t *line;
    json_array_foreach(lines, i, line)
    {
        if (strcmp(json_string_value(json_object_get(line, "request_id")), id) == 0)
            return json_incref(line);
    }
    return NULL;
}

/* Reads the log at path: every line one JSON object with the documented members. */
static json_t *read_log(const char *path)
{
    static char text[1 << 20];
    slurp(path, text, sizeof text);
    json_t *lines = json_array();
    for (char *line = text, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        assert_non_null(nl); /* every line ends */
        *nl = '\0';
        json_error_t e;
        json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, &e);
        if (!json_is_object(j))
            fail_msg("not a JSON object: %s", line);
        assert_int_equal(json_object_size(j), 8);
        const char *level = json_string_value(json_object_get(j, "level"));
        const char *when = json_string_value(json_object_get(j, "time"));
        assert_non_null(level);
        assert_true(strcmp(level, "info") == 0 || strcmp(level, "warn") == 0 ||
                    strcmp(level, "error") == 0);
        assert_non_null(when); /* RFC 3339 UTC with milliseconds */
        assert_int_equal(strlen(when), 24);
        assert_true(when[10] == 'T' && when[19] == '.' && when[23] == 'Z');
        assert_non_null(json_string_value(json_object_get(j, "request_id")));
        assert_non_null(json_string_value(json_object_get(j, "method")));
        assert_non_null(json_string_value(json_object_get(j, "route")));
        assert_true(json_is_integer(json_object_get(j, "status")));
        assert_true(json_is_integer(json_object_get(j, "duration_us")));
        const char *client = json_string_value(json_object_get(j, "client"));
        assert_non_null(client); /* a hash, never the address */
        assert_int_equal(strlen(client), 16);
        assert_null(strstr(line, "127.0.0.1"));
        json_array_append_new(lines, j);
    }
    return lines;
}

static void each_request_leaves_one_json_line_with_its_id(void **state)
{
    char log[400], given[80], made[80], other[80], posted[80];
    snprintf(log, sizeof log, "%s/requests.log", server.dir);
    start("--log", log, NULL);
    /* A well-formed X-Request-Id is kept and echoed; a bad one is replaced by a made one. */
    server.extra_headers[0] = "X-Request-Id: lb-7f3a.42:x_y";
    assert_int_equal(get_with_id("/healthz", given, sizeof given), 200);
    assert_string_equal(given, "lb-7f3a.42:x_y");
    server.extra_headers[0] = "X-Request-Id: has space\"quote";
    assert_int_equal(get_with_id("/api/v1/reports/987654", made, sizeof made), 404);
    assert_int_equal(strlen(made), 32);
    assert_int_equal(strspn(made, "0123456789abcdef"), 32);
    server.extra_headers[0] = NULL;
    assert_int_equal(get_with_id("/api/v1/categories", other, sizeof other), 200);
    assert_string_not_equal(made, other);
    struct api_response r;
    assert_int_equal(api_post_json(&server, "/api/v1/reports", REPORT, &r), 0);
    assert_int_equal(r.status, 201);
    assert_int_equal(api_header(&r, "X-Request-Id", posted, sizeof posted), 0);
    api_response_free(&r);
    stop(); /* every line is out once the server has stopped */

    json_t *lines = read_log(log);
    assert_int_equal(json_array_size(lines), 4);
    json_t *l = log_line_of(lines, "lb-7f3a.42:x_y");
    assert_non_null(l);
    assert_string_equal(json_string_value(json_object_get(l, "route")), "/healthz");
    assert_int_equal(json_integer_value(json_object_get(l, "status")), 200);
    json_decref(l);
    /* The route is the table's pattern, not the path asked for. */
    assert_non_null(l = log_line_of(lines, made));
    assert_string_equal(json_string_value(json_object_get(l, "route")), "/api/v1/reports/{id}");
    assert_int_equal(json_integer_value(json_object_get(l, "status")), 404);
    json_decref(l);
    assert_non_null(l = log_line_of(lines, posted));
    assert_string_equal(json_string_value(json_object_get(l, "method")), "POST");
    assert_int_equal(json_integer_value(json_object_get(l, "status")), 201);
    json_decref(l);
    json_decref(lines);

    /* --log off: nothing written. */
    unlink(log);
    start("--log", "off", NULL);
    assert_int_equal(get_with_id("/healthz", given, sizeof given), 200);
    stop();
    assert_int_not_equal(access(log, F_OK), 0);
}

/* ---- /metrics ---- */

static bool name_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (!first && c >= '0' && c <= '9');
}

/* Reads a metric or label name at *p; its length (0: none). */
static size_t name_at(const char *p)
{
    size_t n = 0;
    while (name_char(p[n], n == 0))
        n++;
    return n;
}

/* Checks {a="x",b="y"} at *p (escapes \\ \" \n allowed in values); past it, or NULL. */
static const char *labels_at(const char *p)
{
    if (*p != '{')
        return p;
    p++;
    while (*p != '}') {
        size_t n = name_at(p);
        if (!n || p[n] != '=' || p[n + 1] != '"')
            return NULL;
        p += n + 2;
        for (; *p != '"'; p++) {
            if (!*p || *p == '\n')
                return NULL;
            if (*p == '\\' && (p[1] == '\\' || p[1] == '"' || p[1] == 'n'))
                p++;
            else if (*p == '\\')
                return NULL;
        }
        p++;
        if (*p == ',')
            p++;
        else if (*p != '}')
            return NULL;
    }
    return p + 1;
}

/* Whether s is a sample value: a float strtod reads whole, or +Inf, -Inf, NaN. */
static bool value_ok(const char *s)
{
    if (!strcmp(s, "+Inf") || !strcmp(s, "-Inf") || !strcmp(s, "NaN"))
        return true;
    char *end = NULL;
    strtod(s, &end);
    return *s && end && *end == '\0';
}

/* The TYPE a sample's family was declared with, checked against types (a copy of the text's
 * TYPE lines so far): name, or name less _bucket/_sum/_count for a histogram. */
static bool declared(const char *types, const char *name, size_t n)
{
    static const char *const suffix[] = {"", "_bucket", "_sum", "_count"};
    for (size_t i = 0; i < 4; i++) {
        size_t k = strlen(suffix[i]);
        if (n <= k || strncmp(name + n - k, suffix[i], k) != 0)
            continue;
        char want[256];
        snprintf(want, sizeof want, "\n%.*s %s", (int)(n - k), name, i ? "histogram" : "");
        if (strstr(types, want))
            return true;
    }
    return false;
}

/* Every line of a Prometheus text exposition is well-formed, and each sample's family has a
 * TYPE before it. */
static void assert_prometheus_text(const char *text)
{
    static char types[1 << 16];
    snprintf(types, sizeof types, "\n");
    assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
    char line[1024];
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        assert_true(n < sizeof line);
        memcpy(line, p, n);
        line[n] = '\0';
        p += n + 1;
        if (strncmp(line, "# HELP ", 7) == 0) {
            size_t k = name_at(line + 7);
            assert_true(k > 0 && line[7 + k] == ' ');
            continue;
        }
        if (strncmp(line, "# TYPE ", 7) == 0) {
            size_t k = name_at(line + 7);
            const char *type = line + 7 + k + 1;
            assert_true(k > 0 && line[7 + k] == ' ');
            if (strcmp(type, "counter") && strcmp(type, "gauge") && strcmp(type, "histogram"))
                fail_msg("unknown type: %s", line);
            size_t used = strlen(types);
            snprintf(types + used, sizeof types - used, "%.*s %s\n", (int)k, line + 7,
                     strcmp(type, "histogram") ? "" : "histogram");
            continue;
        }
        size_t k = name_at(line);
        const char *rest = k ? labels_at(line + k) : NULL;
        if (!rest || *rest != ' ' || !value_ok(rest + 1))
            fail_msg("not a sample line: %s", line);
        if (!declared(types, line, k))
            fail_msg("no TYPE before: %s", line);
    }
}

/* The metrics as text (a new string), checked line by line. */
static char *scrape(void)
{
    struct api_response r;
    assert_int_equal(api_get(&server, "/metrics", &r), 0);
    if (r.status != 200)
        fail_msg("/metrics answered %ld: %s", r.status, r.body);
    char type[128];
    assert_int_equal(api_header(&r, "Content-Type", type, sizeof type), 0);
    assert_non_null(strstr(type, "text/plain; version=0.0.4"));
    char *text = strdup(r.body);
    api_response_free(&r);
    assert_prometheus_text(text);
    return text;
}

/* The value of the sample whose name and labels are exactly series; 0 when it is absent. */
static double sample(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = text; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != '\0'))
        if (strncmp(p, series, n) == 0 && p[n] == ' ')
            return strtod(p + n + 1, NULL);
    return 0;
}

static void get_n(const char *path, int n, long status)
{
    for (int i = 0; i < n; i++) {
        struct api_response r;
        assert_int_equal(api_get(&server, path, &r), 0);
        assert_int_equal(r.status, status);
        api_response_free(&r);
    }
}

static void metrics_are_prometheus_text_and_move_with_requests(void **state)
{
    start("--write-rate", "1", "--write-burst", "1", NULL);
    char *before = scrape();
    get_n("/healthz", 3, 200);
    get_n("/api/v1/reports/987654", 2, 404);
    struct api_response r;
    assert_int_equal(api_post_json(&server, "/api/v1/reports", REPORT, &r), 0);
    assert_int_equal(r.status, 201);
    api_response_free(&r);
    assert_int_equal(api_post_json(&server, "/api/v1/reports", REPORT, &r), 0);
    assert_int_equal(r.status, 429); /* the write limit: one report, then refusals */
    api_response_free(&r);
    /* A request is counted when the server has finished it (MHD's completion callback), which
     * may come just after the client has its answer: scrape until the last ones show (5 s at
     * most), each scrape counted itself. */
    static const char refused_series[] =
        "tarcza_http_requests_total{method=\"POST\",route=\"/api/v1/reports\",code=\"429\"}";
    /* The 201 may finish after the 429 (its answer waits for the commit): both are waited for. */
    static const char stored_series[] =
        "tarcza_http_requests_total{method=\"POST\",route=\"/api/v1/reports\",code=\"201\"}";
    char *after = scrape();
    int scrapes = 1;
    while ((sample(after, refused_series) == sample(before, refused_series) ||
            sample(after, stored_series) == sample(before, stored_series)) &&
           scrapes < 250) {
        free(after);
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
        after = scrape();
        scrapes++;
    }

    static const struct {
        const char *series;
        double moved;
    } moves[] = {
        {"tarcza_http_requests_total{method=\"GET\",route=\"/healthz\",code=\"200\"}", 3},
        {"tarcza_http_requests_total{method=\"GET\",route=\"/api/v1/reports/{id}\",code=\"404\"}",
         2},
        {"tarcza_http_requests_total{method=\"POST\",route=\"/api/v1/reports\",code=\"201\"}", 1},
        {"tarcza_http_requests_total{method=\"POST\",route=\"/api/v1/reports\",code=\"429\"}", 1},
        {"tarcza_http_requests_total{method=\"GET\",route=\"/metrics\",code=\"200\"}", 1},
        {"tarcza_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"}", 3},
        {"tarcza_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\","
         "le=\"+Inf\"}",
         3},
        {"tarcza_commit_batch_reports_count", 1},
        {"tarcza_commit_batch_reports_sum", 1},
        {"tarcza_commit_batch_reports_bucket{le=\"1\"}", 1},
        {"tarcza_map_index_reports", 1},
        {"tarcza_rate_limit_refusals_total{limit=\"write\"}", 1},
        {"tarcza_rate_limit_refusals_total{limit=\"login\"}", 0},
    };
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
        double d = sample(after, moves[i].series) - sample(before, moves[i].series);
        double moved = moves[i].moved;
        /* The scrapes before the last one each count once (the first at least, which the
         * others' waiting for the 429 shows has been finished). */
        if (strstr(moves[i].series, "route=\"/metrics\",code=\"200\"") && d >= 1 && d <= scrapes)
            moved = d;
        if (d != moved)
            fail_msg("%s moved by %g, not %g", moves[i].series, d, moved);
    }
    assert_true(sample(after, "tarcza_map_index_reports") >= 11); /* the demo's 10 and one */
    double started = sample(after, "process_start_time_seconds");
    double now = (double)time(NULL);
    assert_true(started > now - 600 && started <= now);
    /* A histogram's buckets never fall. */
    double last = 0;
    static const char *const les[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01",
                                      "0.025",  "0.05",  "0.1",    "0.25",  "0.5",
                                      "1",      "2.5",   "10",     "+Inf"};
    for (size_t i = 0; i < sizeof les / sizeof les[0]; i++) {
        char series[160];
        snprintf(series, sizeof series,
                 "tarcza_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\","
                 "le=\"%s\"}",
                 les[i]);
        double v = sample(after, series);
        assert_true(v >= last);
        last = v;
    }
    free(before);
    free(after);
    stop();
}

static void metrics_are_only_for_loopback_or_the_token(void **state)
{
    char token_file[400];
    snprintf(token_file, sizeof token_file, "%s/metrics.token", server.dir);
    write_file(token_file, "s3cret-metrics-token-0123456789\n");
    /* Behind a proxy at 127.0.0.1 the peer is the proxy, whose clients are anyone: no loopback
     * pass; only the token opens it. */
    start("--trusted-proxy", "127.0.0.1", "--metrics-token", token_file, NULL);
    struct api_response r;
    assert_int_equal(api_get(&server, "/metrics", &r), 0);
    assert_int_equal(r.status, 403);
    api_response_free(&r);
    server.extra_headers[0] = "Authorization: Bearer s3cret-metrics-token-012345678";
    assert_int_equal(api_get(&server, "/metrics", &r), 0);
    assert_int_equal(r.status, 403);
    api_response_free(&r);
    server.extra_headers[0] = "Authorization: Bearer s3cret-metrics-token-0123456789";
    free(scrape());
    stop();
    /* A token too short to be one is refused at start. */
    write_file(token_file, "short\n");
    static struct api_run run_r;
    api_run_command(&server, &run_r, "serve", "--port", "0", "--metrics-token", token_file, "--db",
                    server.db, NULL);
    assert_int_equal(run_r.status, 1);
    assert_non_null(strstr(run_r.err, "--metrics-token"));
}

/* ---- health ---- */

static void readiness_says_whether_this_instance_can_write(void **state)
{
    start(NULL);
    struct api_response r;
    assert_int_equal(api_get(&server, "/readyz", &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "writable")));
    api_response_free(&r);
    /* On PostgreSQL no lock of a client keeps this instance from writing: a standby does (the
     * backend's probe asks pg_is_in_recovery()), which this suite does not start. */
    if (api_db_is_pg(&server))
        return;
    /* Another process holds the database's write lock: alive, but not ready. */
    sqlite3 *db = api_db_open(&server);
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(api_get(&server, "/readyz", &r), 0);
    assert_int_equal(r.status, 503);
    assert_true(json_is_false(json_object_get(r.json, "writable")));
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "not_ready");
    api_response_free(&r);
    assert_int_equal(api_get(&server, "/healthz", &r), 0);
    assert_int_equal(r.status, 200);
    api_response_free(&r);
    assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(api_get(&server, "/readyz", &r), 0);
    assert_int_equal(r.status, 200);
    api_response_free(&r);
    stop();
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_configuration_file_sets_serve_options),
        cmocka_unit_test(a_bad_configuration_file_is_refused_with_its_line),
        cmocka_unit_test(each_request_leaves_one_json_line_with_its_id),
        cmocka_unit_test(metrics_are_prometheus_text_and_move_with_requests),
        cmocka_unit_test(metrics_are_only_for_loopback_or_the_token),
        cmocka_unit_test(readiness_says_whether_this_instance_can_write),
    };
    return cmocka_run_group_tests(tests, prepare, cleanup);
}
