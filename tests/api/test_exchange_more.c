/*
 * API tests of what a SPOC does beyond messages (issue 14) against the real
 * server: an Art. 9 deviation (the due instant moves, the requester is told
 * in the case, refused once the request is answered or with a bad delay);
 * the Art. 18 statistics as JSON and CSV (the supervisor's, 403 for an
 * operator) and `tarcza exchange stats`; H2 pass-on refused without the
 * provider's recorded permission and allowed with it, H1 and H3 marked in
 * the box, the view and the export; attachments sent as base64, read back
 * with their SHA-256, and hostile ones refused with nothing stored; two
 * replies to one request: the second is 409. Accounts act through tokens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "api_client.h"

static const char *tarcza_binary;
static struct api_server server;
static int server_exit_status;
static char spoc[200], boss[200];

static int start_server(void **state)
{
    (void)state;
    if (api_prepare(&server, tarcza_binary, 0) != 0 || api_start(&server) != 0)
        return -1;
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

static void accounts(void **state)
{
    (void)state;
    setenv("TARCZA_PASSWORD", "correct horse battery", 1);
    const char *who[][3] = {{"spoc.operator", "spoc_operator", "KGP-SPOC"},
                            {"spoc.boss", "spoc_supervisor", "KGP-SPOC"}};
    char *headers[] = {spoc, boss};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(api_run_cli(&server, "/dev/null", "user", "add", who[i][0], "--role",
                                     who[i][1], "--unit", who[i][2], NULL),
                         0);
        char out[320], token[160];
        snprintf(out, sizeof out, "%s/%s.token", server.dir, who[i][0]);
        assert_int_equal(api_run_cli(&server, out, "user", "token", who[i][0], NULL), 0);
        FILE *f = fopen(out, "r");
        assert_non_null(fgets(token, sizeof token, f));
        fclose(f);
        token[strcspn(token, "\n")] = 0;
        snprintf(headers[i], 200, "Authorization: Bearer %s", token);
    }
}

/* A message received from `from` by the Polish SPOC: type, handling and extra members. */
static void inbound(char *out, size_t size, const char *from, const char *type,
                    const char *handling, const char *extra)
{
    snprintf(out, size,
             "{\"type\":\"%s\",\"subject\":\"Przemyt\",\"originator\":{\"node\":\"%s\",\"unit\":"
             "\"SPOC\"},\"addressees\":[{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"}],\"lang\":\"en\","
             "\"handling\":\"%s\",\"evaluation\":{\"source\":\"B\",\"information\":\"2\"}%s}",
             type, from, handling, extra);
}

/* An answer or a message of the SPOC to `to`, with extra members. */
static void outbound(char *out, size_t size, const char *to, const char *extra)
{
    snprintf(out, size,
             "{\"originator\":{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"},\"addressees\":[{\"node\":"
             "\"%s\",\"unit\":\"SPOC\"}],\"lang\":\"en\",\"handling\":\"H0\",\"evaluation\":"
             "{\"source\":\"A\",\"information\":\"1\"}%s}",
             to, extra);
}

/* Stores a message received as the SPOC; its id. */
static long long receive(const char *body)
{
    struct api_response r;
    assert_int_equal(
        api_call_as(&server, spoc, "POST", "/api/v1/exchange/cases?direction=in", body, &r), 201);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    api_response_free(&r);
    return id;
}

static long long receive_request(const char *from, const char *urgency)
{
    char body[1024], extra[64];
    snprintf(extra, sizeof extra, ",\"urgency\":\"%s\"", urgency);
    inbound(body, sizeof body, from, "request", "H0", extra);
    return receive(body);
}

static time_t due_of(long long id)
{
    struct api_response r;
    char path[96];
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld", id);
    assert_int_equal(api_call_as(&server, spoc, "GET", path, NULL, &r), 200);
    struct tm tm = {0};
    const char *due = json_string_value(json_object_get(r.json, "due"));
    assert_non_null(due);
    assert_non_null(strptime(due, "%Y-%m-%dT%H:%M:%SZ", &tm));
    api_response_free(&r);
    return timegm(&tm);
}

static void deviation(void **state)
{
    (void)state;
    long long id = receive_request("DE", "urgent_indirect");
    time_t due0 = due_of(id);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/deviation", id);
    struct api_response r;
    assert_int_equal(
        api_call_as(&server, spoc, "POST", path, "{\"delay_hours\":0,\"reasons\":\"x\"}", &r), 422);
    assert_true(api_errors_name(&r, "/delay_hours"));
    api_response_free(&r);
    assert_int_equal(api_call_as(&server, spoc, "POST", path, "{\"delay_hours\":72}", &r), 422);
    assert_true(api_errors_name(&r, "/reasons"));
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM x_deviations"), 0);
    assert_int_equal(api_call_as(&server, spoc, "POST", path,
                                 "{\"delay_hours\":72,\"reasons\":\"court order pending\"}", &r),
                     201);
    long long told = json_integer_value(json_object_get(r.json, "id"));
    long long case_id = json_integer_value(json_object_get(r.json, "case"));
    api_response_free(&r);
    assert_int_equal(due_of(id), due0 + 72 * 3600);
    /* The requester is told, in the case: a deviation to DE's unit. */
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld?lang=en", told);
    assert_int_equal(api_call_as(&server, spoc, "GET", path, NULL, &r), 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "type")), "deviation");
    assert_int_equal(json_integer_value(json_object_get(r.json, "case")), case_id);
    json_t *to = json_array_get(json_object_get(r.json, "addressees"), 0);
    assert_string_equal(json_string_value(json_object_get(to, "node")), "DE");
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "text")), "court order"));
    api_response_free(&r);
    /* Answered: 409 for another deviation, and for a second reply. */
    char body[1024];
    outbound(body, sizeof body, "DE", ",\"text\":\"No records.\"");
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/reply", id);
    assert_int_equal(api_status_as(&server, spoc, "POST", path, body), 201);
    assert_int_equal(api_status_as(&server, spoc, "POST", path, body), 409);
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/deviation", id);
    assert_int_equal(
        api_status_as(&server, spoc, "POST", path, "{\"delay_hours\":1,\"reasons\":\"late\"}"),
        409);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM x_deviations"), 1);
    /* The command line records one too. */
    long long other = receive_request("FR", "normal");
    char id_text[24], out[320];
    snprintf(id_text, sizeof id_text, "%lld", other);
    snprintf(out, sizeof out, "%s/deviation.json", server.dir);
    assert_int_equal(api_run_cli(&server, out, "exchange", "deviation", id_text, "--hours", "24",
                                 "--reason", "awaiting the prosecutor", NULL),
                     0);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM x_deviations"), 2);
}

static int this_year(void)
{
    time_t now = time(NULL) + 3600; /* Polish time, near enough away from New Year */
    struct tm tm;
    gmtime_r(&now, &tm);
    return tm.tm_year + 1900;
}

static void statistics(void **state)
{
    (void)state;
    char body[1024], path[128];
    long long de = receive_request("DE", "urgent_direct");
    outbound(body, sizeof body, "DE", ",\"grounds\":[\"b\",\"e\"],\"reasons\":\"No.\"");
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/refusal", de);
    assert_int_equal(api_status_as(&server, spoc, "POST", path, body), 201);
    snprintf(path, sizeof path, "/api/v1/exchange/statistics?year=%d", this_year());
    assert_int_equal(api_status_as(&server, spoc, "GET", path, NULL), 403);
    struct api_response r;
    assert_int_equal(api_call_as(&server, boss, "GET", path, NULL, &r), 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "year")), this_year());
    json_t *received = json_object_get(r.json, "received");
    assert_true(json_integer_value(json_object_get(received, "requests")) >= 1);
    assert_true(json_integer_value(json_object_get(received, "urgent")) >= 1);
    json_t *p = NULL, *item;
    size_t i;
    json_array_foreach(json_object_get(r.json, "partners"), i, item)
    {
        if (strcmp(json_string_value(json_object_get(item, "node")), "DE") == 0)
            p = item;
    }
    assert_non_null(p);
    json_t *grounds = json_object_get(json_object_get(p, "sent"), "refusals_by_ground");
    assert_true(json_integer_value(json_object_get(grounds, "b")) >= 1);
    assert_true(json_integer_value(json_object_get(grounds, "e")) >= 1);
    assert_int_equal(json_integer_value(json_object_get(grounds, "h")), 0);
    assert_true(json_integer_value(json_object_get(json_object_get(p, "sent"), "deviations")) >= 1);
    api_response_free(&r);
    snprintf(path, sizeof path, "/api/v1/exchange/statistics?year=%d&format=csv", this_year());
    assert_int_equal(api_call_as(&server, boss, "GET", path, NULL, &r), 200);
    char type[64];
    assert_int_equal(api_header(&r, "Content-Type", type, sizeof type), 0);
    assert_non_null(strstr(type, "text/csv"));
    assert_non_null(strstr(r.body, "year,partner,direction,requests,urgent,not_urgent,refusals,"
                                   "refused_a,"));
    assert_non_null(strstr(r.body, ",DE,sent,"));
    api_response_free(&r);
    assert_int_equal(
        api_status_as(&server, boss, "GET", "/api/v1/exchange/statistics?year=1999", NULL), 400);
    assert_int_equal(
        api_status_as(&server, boss, "GET", "/api/v1/exchange/statistics?format=xml", NULL), 400);
    /* The command line's. */
    char out[320], year[8], line[512];
    snprintf(out, sizeof out, "%s/stats.csv", server.dir);
    snprintf(year, sizeof year, "%d", this_year());
    assert_int_equal(
        api_run_cli(&server, out, "exchange", "stats", "--year", year, "--format", "csv", NULL), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "year,partner,direction"));
    assert_non_null(fgets(line, sizeof line, f));
    assert_int_equal(strncmp(line, year, 4), 0);
    fclose(f);
}

static void h2_pass_on_and_markings(void **state)
{
    (void)state;
    char body[2048], path[128];
    inbound(body, sizeof body, "DE", "information", "H2", ",\"text\":\"Route of the shipment.\"");
    long long id = receive(body);
    long long before = api_count_rows(&server, "x_messages");
    outbound(body, sizeof body, "FR", ",\"type\":\"information\",\"text\":\"See DE's route.\"");
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/forward", id);
    struct api_response r;
    assert_int_equal(api_call_as(&server, spoc, "POST", path, body, &r), 403);
    assert_true(api_errors_name(&r, "/addressees/0/node"));
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "detail")), "H2"));
    api_response_free(&r);
    assert_int_equal(api_count_rows(&server, "x_messages"), before);
    char perm[128];
    snprintf(perm, sizeof perm, "/api/v1/exchange/messages/%lld/permissions", id);
    assert_int_equal(api_call_as(&server, spoc, "POST", perm, "{\"to\":\"fr\"}", &r), 422);
    assert_true(api_errors_name(&r, "/to"));
    api_response_free(&r);
    assert_int_equal(api_status_as(&server, spoc, "POST", perm, "{\"to\":\"FR\"}"), 201);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE object LIKE"
                                          " 'xperm/%/FR' AND action = 'exchange.send'"),
                     1);
    assert_int_equal(api_call_as(&server, spoc, "POST", path, body, &r), 201);
    api_response_free(&r);
    assert_int_equal(api_count_rows(&server, "x_messages"), before + 1);
    /* H1 and H3 are marked on the view and on every line of the box. */
    inbound(body, sizeof body, "DE", "information", "H3",
            ",\"restriction\":\"Only for the Wrocław match\"");
    long long h3 = receive(body);
    inbound(body, sizeof body, "DE", "information", "H1", "");
    long long h1 = receive(body);
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld?lang=en", h3);
    assert_int_equal(api_call_as(&server, spoc, "GET", path, NULL, &r), 200);
    json_t *mark = json_array_get(json_object_get(r.json, "markings"), 0);
    assert_string_equal(json_string_value(json_object_get(mark, "text")),
                        "Only for the Wrocław match");
    api_response_free(&r);
    assert_int_equal(
        api_call_as(&server, spoc, "GET", "/api/v1/exchange/inbox?unit=KGP-SPOC&lang=en", NULL, &r),
        200);
    size_t i;
    json_t *item;
    int seen = 0;
    json_array_foreach(json_object_get(r.json, "items"), i, item)
    {
        long long mid = json_integer_value(json_object_get(item, "id"));
        json_t *marks = json_object_get(item, "markings");
        if (mid == h1) {
            assert_string_equal(json_string_value(json_array_get(marks, 0)),
                                "NOT FOR JUDICIAL USE");
            seen++;
        } else if (mid == h3) {
            assert_int_equal(json_array_size(marks), 1);
            seen++;
        }
    }
    assert_int_equal(seen, 2);
    api_response_free(&r);
}

/* base64 of n bytes into out. */
static void b64(const void *p, size_t n, char *out, size_t size)
{
    sodium_bin2base64(out, size, p, n, sodium_base64_VARIANT_ORIGINAL);
}

static void attachments(void **state)
{
    (void)state;
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n',
                                        0,    0,   0,   13,  'I',  'H',  'D',  'R'};
    static const char pdf[] = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\n";
    char png64[64], pdf64[128], extra[512], body[2048];
    b64(png, sizeof png, png64, sizeof png64);
    b64(pdf, sizeof pdf - 1, pdf64, sizeof pdf64);
    /* Hostile: a PDF declared as PNG, bad base64. Each 422, nothing stored. */
    long long before = api_count_rows(&server, "x_messages");
    struct api_response r;
    snprintf(extra, sizeof extra,
             ",\"attachments\":[{\"name\":\"a.png\",\"type\":\"image/png\",\"data\":\"%s\"}]",
             pdf64);
    inbound(body, sizeof body, "DE", "information", "H0", extra);
    assert_int_equal(
        api_call_as(&server, spoc, "POST", "/api/v1/exchange/cases?direction=in", body, &r), 422);
    assert_true(api_errors_name(&r, "/attachments/0/type"));
    api_response_free(&r);
    inbound(body, sizeof body, "DE", "information", "H0",
            ",\"attachments\":[{\"name\":\"a.txt\",\"type\":\"text/plain\",\"data\":\"@@@\"}]");
    assert_int_equal(
        api_call_as(&server, spoc, "POST", "/api/v1/exchange/cases?direction=in", body, &r), 422);
    assert_true(api_errors_name(&r, "/attachments/0/data"));
    api_response_free(&r);
    assert_int_equal(api_count_rows(&server, "x_messages"), before);
    assert_int_equal(api_count_rows(&server, "x_attachments"), 0);
    /* A PNG and a PDF, stored with their message. */
    snprintf(extra, sizeof extra,
             ",\"attachments\":[{\"name\":\"plate.png\",\"type\":\"image/png\",\"data\":\"%s\"},"
             "{\"name\":\"order.pdf\",\"type\":\"application/pdf\",\"data\":\"%s\"}]",
             png64, pdf64);
    inbound(body, sizeof body, "DE", "information", "H0", extra);
    long long id = receive(body);
    assert_int_equal(api_count_rows(&server, "x_attachments"), 2);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld", id);
    assert_int_equal(api_call_as(&server, spoc, "GET", path, NULL, &r), 200);
    json_t *list = json_object_get(r.json, "attachments");
    assert_int_equal(json_array_size(list), 2);
    char sha[65];
    snprintf(sha, sizeof sha, "%s",
             json_string_value(json_object_get(json_array_get(list, 0), "sha256")));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "size")),
                     sizeof png);
    api_response_free(&r);
    unsigned char h[32];
    char hex[65];
    crypto_hash_sha256(h, png, sizeof png);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    assert_string_equal(sha, hex);
    long long reads = api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE object LIKE"
                                           " 'xattach/%'");
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/attachments/0", id);
    assert_int_equal(api_call_as(&server, spoc, "GET", path, NULL, &r), 200);
    assert_int_equal(r.len, sizeof png);
    assert_memory_equal(r.body, png, sizeof png);
    char header[128], digest[96], h64[64];
    assert_int_equal(api_header(&r, "X-Content-SHA256", header, sizeof header), 0);
    assert_string_equal(header, hex);
    b64(h, sizeof h, h64, sizeof h64);
    snprintf(digest, sizeof digest, "sha-256=:%s:", h64);
    assert_int_equal(api_header(&r, "Repr-Digest", header, sizeof header), 0);
    assert_string_equal(header, digest);
    assert_int_equal(api_header(&r, "Content-Type", header, sizeof header), 0);
    assert_string_equal(header, "image/png");
    api_response_free(&r);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log WHERE object LIKE"
                                          " 'xattach/%'"),
                     reads + 1);
    /* The export writes them back as base64; the import reads the file back whole. */
    char case_text[24], dir[300], file[340];
    snprintf(case_text, sizeof case_text, "%lld",
             api_db_long(&server, "SELECT case_id FROM x_messages ORDER BY id DESC LIMIT 1"));
    snprintf(dir, sizeof dir, "%s/export", server.dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(api_run_cli(&server, "/dev/null", "exchange", "export", "--case", case_text,
                                 "--out", dir, NULL),
                     0);
    snprintf(file, sizeof file, "%s/%lld.json", dir, id);
    assert_int_equal(
        api_run_cli(&server, "/dev/null", "exchange", "import", file, "--direction", "in", NULL),
        0);
    assert_int_equal(api_count_rows(&server, "x_attachments"), 4);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(DISTINCT sha256) FROM x_attachments"), 2);
    unlink(file);
    rmdir(dir);
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/attachments/2", id);
    assert_int_equal(api_status_as(&server, spoc, "GET", path, NULL), 404);
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/attachments/x", id);
    assert_int_equal(api_status_as(&server, spoc, "GET", path, NULL), 404);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-OF-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accounts),    cmocka_unit_test(deviation),
        cmocka_unit_test(statistics),  cmocka_unit_test(h2_pass_on_and_markings),
        cmocka_unit_test(attachments),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
