/* api_client.c - start the real server and talk HTTP to it (see api_client.h). */
#include "api_client.h"
#include "api_pg.h"

#include <arpa/inet.h>
/* cmocka.h needs these before it: */
// clang-format off
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int run_argv(char *const argv[], const char *out_path)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        FILE *out = freopen(out_path ? out_path : "/dev/null", "w", stdout);
        (void)out;
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int api_prepare(struct api_server *s, const char *binary, int reports)
{
    memset(s, 0, sizeof *s);
    s->binary = binary;
    snprintf(s->dir, sizeof s->dir, "/tmp/tarcza-api-XXXXXX");
    if (!mkdtemp(s->dir))
        return -1;
    snprintf(s->db, sizeof s->db, "%s/t.db", s->dir);
    /* With TZ_TEST_PG (tests/pg/with_pg.sh), the server's database is a PostgreSQL one. */
    if (getenv("TZ_TEST_PG") && !api_pg_create(s->db, sizeof s->db))
        return -1;
    char n[32];
    snprintf(n, sizeof n, "%d", reports);
    char *argv[] = {(char *)binary, "demo", "--db", s->db, "--reports", n, NULL};
    return run_argv(argv, NULL);
}

int api_run_cli(struct api_server *s, const char *out_path, ...)
{
    char *argv[32] = {(char *)s->binary};
    int argc = 1;
    va_list ap;
    va_start(ap, out_path);
    for (const char *a; argc < 29 && (a = va_arg(ap, const char *));)
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc++] = "--db";
    argv[argc++] = s->db;
    argv[argc] = NULL;
    return run_argv(argv, out_path);
}

int api_start(struct api_server *s)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        /* Tests file many reports from 127.0.0.1: the write limit is lifted unless a test's
         * own --write-rate (which comes later and wins) sets one. */
        char *argv[32] = {(char *)s->binary, "serve", "--port",       "0", "--db", s->db,
                          "--write-rate",    "0",     "--login-rate", "0"};
        for (int i = 0, n = 10; i < 16 && s->serve_args[i] && n < 31; i++)
            argv[n++] = (char *)s->serve_args[i];
        if (s->fsize_limit > 0) {
            /* Past the limit write() fails with EFBIG instead of killing the server. */
            signal(SIGXFSZ, SIG_IGN);
            struct rlimit lim;
            getrlimit(RLIMIT_FSIZE, &lim);
            lim.rlim_cur = (rlim_t)s->fsize_limit;
            setrlimit(RLIMIT_FSIZE, &lim);
        }
        execv(s->binary, argv);
        _exit(127);
    }
    close(fds[1]);
    s->pid = pid;
    FILE *in = fdopen(fds[0], "r");
    char line[512] = "";
    int ok = in && fgets(line, sizeof line, in) != NULL;
    if (in)
        fclose(in);
    const char *colon = ok ? strrchr(line, ':') : NULL;
    unsigned port = 0;
    if (!colon || sscanf(colon + 1, "%u", &port) != 1 || port == 0) {
        api_stop(s, SIGKILL);
        return -1;
    }
    s->port = (uint16_t)port;
    return 0;
}

/* A server that has not stopped API_STOP_WAIT_S seconds after SIGTERM is a bug of its shutdown:
 * its threads' stacks are printed (gdb, where installed) and it is killed, so the suite fails
 * saying so instead of hanging until ctest's timeout. */
#define API_STOP_WAIT_S 60

static void print_stacks(pid_t pid)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd,
             "command -v gdb >/dev/null && gdb -p %d -batch -ex 'thread apply all bt' >&2 "
             "2>/dev/null",
             (int)pid);
    if (system(cmd) != 0)
        fprintf(stderr, "(no stacks: gdb is missing or could not attach)\n");
}

int api_stop(struct api_server *s, int sig)
{
    int status = 0;
    if (s->pid > 0) {
        kill(s->pid, sig);
        pid_t done = 0;
        for (int tenths = 0; (done = waitpid(s->pid, &status, WNOHANG)) == 0; tenths++) {
            if (tenths == API_STOP_WAIT_S * 10) {
                fprintf(stderr, "tarcza serve (pid %d) did not stop within %d s of signal %d:\n",
                        (int)s->pid, API_STOP_WAIT_S, sig);
                print_stacks(s->pid);
                kill(s->pid, SIGKILL);
                waitpid(s->pid, &status, 0);
                s->pid = 0;
                return 125;
            }
            usleep(100 * 1000);
        }
    }
    s->pid = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int api_finish(struct api_server *s)
{
    int status = api_stop(s, SIGTERM);
    api_cleanup(s);
    if (status != 0)
        fprintf(stderr, "tarcza serve exited with %d\n", status);
    return status;
}

void api_discard(struct api_server *s)
{
    if (s->pid > 0)
        api_stop(s, SIGKILL);
    if (s->dir[0])
        api_cleanup(s);
    memset(s, 0, sizeof *s);
}

void api_cleanup(struct api_server *s)
{
    if (api_pg_is(s->db)) {
        api_pg_drop(s->db);
        rmdir(s->dir);
        return;
    }
    char path[400];
    const char *suffixes[] = {"", "-wal", "-shm", ".mapindex"}; /* the map index's snapshot */
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s%s", s->db, suffixes[i]);
        unlink(path);
    }
    rmdir(s->dir);
}

struct sink {
    char *data;
    size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *userdata)
{
    struct sink *s = userdata;
    size_t add = size * n;
    char *grown = realloc(s->data, s->len + add + 1);
    if (!grown)
        return 0;
    memcpy(grown + s->len, p, add);
    s->data = grown;
    s->len += add;
    s->data[s->len] = '\0';
    return add;
}

struct upload {
    const char *data;
    size_t len, pos;
};

static size_t feed(char *p, size_t size, size_t n, void *userdata)
{
    struct upload *u = userdata;
    size_t room = size * n, left = u->len - u->pos;
    size_t take = left < room ? left : room;
    if (take > 1000)
        take = 1000; /* several chunks */
    memcpy(p, u->data + u->pos, take);
    u->pos += take;
    return take;
}

int api_request(struct api_server *s, const char *method, const char *path,
                const char *content_type, const char *body, size_t len, int chunked,
                struct api_response *r)
{
    memset(r, 0, sizeof *r);
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    char url[1024], type[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", s->port, path);
    struct sink body_sink = {0}, head_sink = {0};
    struct curl_slist *headers = NULL;
    struct upload up = {body, len, 0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body_sink);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &head_sink);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (content_type) {
        snprintf(type, sizeof type, "Content-Type: %s", content_type);
        headers = curl_slist_append(headers, type);
    }
    headers = curl_slist_append(headers, "Expect:");
    for (size_t i = 0; i < 4 && s->extra_headers[i]; i++)
        headers = curl_slist_append(headers, s->extra_headers[i]);
    if (body && chunked) {
        headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, feed);
        curl_easy_setopt(c, CURLOPT_READDATA, &up);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    } else if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    r->body = body_sink.data ? body_sink.data : calloc(1, 1);
    r->len = body_sink.len;
    r->headers = head_sink.data ? head_sink.data : calloc(1, 1);
    r->json = json_loadb(r->body, r->len, 0, NULL);
    /* A server may answer (413) and close before the whole body is sent: that is an answer too. */
    return rc == CURLE_OK || (r->status > 0 && rc == CURLE_SEND_ERROR) ? 0 : -1;
}

int api_get(struct api_server *s, const char *path, struct api_response *r)
{
    return api_request(s, "GET", path, NULL, NULL, 0, 0, r);
}

int api_post_json(struct api_server *s, const char *path, const char *json, struct api_response *r)
{
    return api_request(s, "POST", path, "application/json", json, strlen(json), 0, r);
}

int api_header(const struct api_response *r, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            snprintf(out, size, "%.*s", (int)(len - (size_t)(v - line)), v);
            return 0;
        }
        line = end ? end + 2 : NULL;
    }
    return -1;
}

void api_response_free(struct api_response *r)
{
    free(r->body);
    free(r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

long api_count_reports(struct api_server *s)
{
    return api_count_rows(s, "reports");
}

long api_count_rows(struct api_server *s, const char *table)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long count = -1;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    if (api_pg_is(s->db)) {
        char text[32];
        return api_pg_text(s->db, sql, text, sizeof text) == 0 ? strtol(text, NULL, 10) : -1;
    }
    if (sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        count = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return count;
}

int api_connect(struct api_server *s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(s->port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

bool api_db_is_pg(const struct api_server *s)
{
    return api_pg_is(s->db);
}

sqlite3 *api_db_open(const struct api_server *s)
{
    if (api_pg_is(s->db))
        fail_msg("api_db_open: an SQLite handle on a PostgreSQL database (%s)", s->db);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(s->db, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    return db;
}

void api_db_text(const struct api_server *s, const char *sql, char *out, size_t size)
{
    if (api_pg_is(s->db)) {
        int rc = api_pg_text(s->db, sql, out, size);
        if (rc > 0)
            fail_msg("no row: %s", sql);
        if (rc < 0)
            fail_msg("failed: %s", sql);
        return;
    }
    sqlite3 *db = api_db_open(s);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) != SQLITE_ROW)
        fail_msg("no row: %s", sql);
    const unsigned char *text = sqlite3_column_text(st, 0);
    snprintf(out, size, "%s", text ? (const char *)text : "");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

long long api_db_long(const struct api_server *s, const char *sql)
{
    char text[64];
    api_db_text(s, sql, text, sizeof text);
    return strtoll(text, NULL, 10);
}

size_t api_db_bytes(const struct api_server *s, const char *sql, uint8_t *out, size_t cap)
{
    long n = -1;
    if (api_pg_is(s->db)) {
        n = api_pg_bytes(s->db, sql, out, cap);
    } else {
        sqlite3 *db = api_db_open(s);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW && (size_t)sqlite3_column_bytes(st, 0) <= cap) {
            n = sqlite3_column_bytes(st, 0);
            memcpy(out, sqlite3_column_blob(st, 0), (size_t)n);
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
    if (n < 0)
        fail_msg("no bytes: %s", sql);
    return (size_t)n;
}

void api_db_exec(const struct api_server *s, const char *sql)
{
    if (api_pg_is(s->db)) {
        assert_int_equal(api_pg_exec(s->db, sql), 0);
        return;
    }
    sqlite3 *db = api_db_open(s);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* An account with `flag value` (its districts or its unit; value NULL: neither) and its token. */
static int make_token(struct api_server *s, const char *name, const char *role, const char *flag,
                      const char *value, char *header, size_t size)
{
    char out[300], token[128] = "";
    setenv("TARCZA_PASSWORD", "correct horse battery staple", 1);
    int rc = value ? api_run_cli(s, "/dev/null", "user", "add", name, "--role", role, flag, value,
                                 (char *)NULL)
                   : api_run_cli(s, "/dev/null", "user", "add", name, "--role", role, (char *)NULL);
    snprintf(out, sizeof out, "%s/token.txt", s->dir);
    if (rc == 0)
        rc = api_run_cli(s, out, "user", "token", name, (char *)NULL);
    FILE *f = rc == 0 ? fopen(out, "r") : NULL;
    if (!f || !fgets(token, sizeof token, f))
        rc = -1;
    if (f)
        fclose(f);
    token[strcspn(token, "\n")] = '\0';
    snprintf(header, size, "Authorization: Bearer %s", token);
    return rc;
}

int api_make_token(struct api_server *s, const char *name, const char *role, const char *districts,
                   char *header, size_t size)
{
    return make_token(s, name, role, "--districts", districts, header, size);
}

int api_make_unit_token(struct api_server *s, const char *name, const char *role, const char *unit,
                        char *header, size_t size)
{
    return make_token(s, name, role, "--unit", unit, header, size);
}

long api_call_as(struct api_server *s, const char *who, const char *method, const char *path,
                 const char *body, struct api_response *r)
{
    memset(s->extra_headers, 0, sizeof s->extra_headers);
    s->extra_headers[0] = who;
    int rc = api_request(s, method, path, body ? "application/json" : NULL, body,
                         body ? strlen(body) : 0, 0, r);
    memset(s->extra_headers, 0, sizeof s->extra_headers);
    assert_int_equal(rc, 0);
    return r->status;
}

long api_status_as(struct api_server *s, const char *who, const char *method, const char *path,
                   const char *body)
{
    struct api_response r;
    long status = api_call_as(s, who, method, path, body, &r);
    api_response_free(&r);
    return status;
}

bool api_errors_name(const struct api_response *r, const char *field)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "errors"), i, e)
    {
        const char *named = json_string_value(json_object_get(e, "field"));
        if (named && strcmp(named, field) == 0)
            return true;
    }
    return false;
}

/* The file at path into buf (NUL-terminated, cut at size - 1), then removed. */
static void slurp_and_remove(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = '\0';
    if (f)
        fclose(f);
    unlink(path);
}

void api_run_command(const struct api_server *s, struct api_run *r, ...)
{
    char *argv[32] = {(char *)s->binary};
    int argc = 1;
    va_list ap;
    va_start(ap, r);
    for (const char *a; argc < 31 && (a = va_arg(ap, const char *));)
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    char out[400], err[400];
    snprintf(out, sizeof out, "%s/out.txt", s->dir);
    snprintf(err, sizeof err, "%s/err.txt", s->dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen(out, "w", stdout) || !freopen(err, "w", stderr))
            _exit(127);
        alarm(30);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    slurp_and_remove(out, r->out, sizeof r->out);
    slurp_and_remove(err, r->err, sizeof r->err);
}
