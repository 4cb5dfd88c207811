/*
 * API tests of federation's batches, terms and keys (issue 17, docs/federation.md) between two
 * real nodes on loopback, PL and AZ, each its own `tarcza serve` over mutual TLS 1.3:
 *   - a batch envelope (several messages of one case, each signed, the batch signed besides) is
 *     stored in its order and answered with one signed receipt per message; sent again, each is
 *     a duplicate; a message of another case inside it, and a batch under a foreign signature,
 *     are refused message by message;
 *   - AZ's terms for PL (`node terms`: types, handling codes, size) refuse what they leave out
 *     with not-accepted, audited, nothing stored;
 *   - PL rotates its signing key (`node rotate`) while a message is in flight: AZ refuses the
 *     unknown key, PL keeps the message queued (nothing lost), and once AZ takes the new key
 *     (`node rekey`) it is delivered; the old key is accepted during the stated overlap, and
 *     after a rotation with no overlap refused with key-retired;
 *   - a person at AZ opens PL's message: a signed read receipt goes back and shows in PL's
 *     outbox (GET /api/v1/exchange/node-outbox), once;
 *   - a revoked signing key (`node revoke`) is refused with revoked, a revoked certificate at
 *     the TLS door.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api_client.h"

#define PASSWORD "correct horse battery"

static const char *tarcza_binary;
static struct api_server pl, az;
static char pl_dir[300], az_dir[300], ca_file[300], pl_fed[16], az_fed[16];
static char pl_token[200], az_token[200];

static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof a;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void first_line(const char *dir, const char *name, char *out, size_t size)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(out, (int)size, f));
    fclose(f);
    out[strcspn(out, "\n")] = 0;
}

static void add_partner(struct api_server *s, const char *self, const char *id, const char *port,
                        const char *dir)
{
    char endpoint[64], cert[400], key[80];
    snprintf(endpoint, sizeof endpoint, "https://127.0.0.1:%s", port);
    snprintf(cert, sizeof cert, "%s/tls.crt", dir);
    first_line(dir, "sign.pub", key, sizeof key);
    assert_int_equal(api_run_cli(s, "/dev/null", "node", "add", id, "--name", id, "--country", id,
                                 "--endpoint", endpoint, "--cert", cert, "--sign-key", key,
                                 "--node", self, NULL),
                     0);
}

static void append_file(FILE *out, const char *dir, const char *name)
{
    char path[400], buf[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
}

static void serve_args(struct api_server *s, const char *node, const char *unit, const char *port,
                       const char *dir)
{
    const char *args[] = {"--node",     node,  "--spoc-unit", unit,    "--federation-port", port,
                          "--node-dir", dir,   "--node-ca",   ca_file, "--send-poll-ms",    "50",
                          "--log",      "off", NULL};
    memcpy(s->serve_args, args, sizeof args);
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0 || api_prepare(&pl, tarcza_binary, 0) ||
        api_prepare(&az, tarcza_binary, 0))
        return -1;
    snprintf(pl_dir, sizeof pl_dir, "%s/node", pl.dir);
    snprintf(az_dir, sizeof az_dir, "%s/node", az.dir);
    snprintf(ca_file, sizeof ca_file, "%s/ca.pem", pl.dir);
    const char *dirs[][2] = {{pl_dir, "PL"}, {az_dir, "AZ"}};
    for (size_t i = 0; i < 2; i++) {
        mkdir(dirs[i][0], 0700);
        struct api_run r;
        api_run_command(&pl, &r, "node", "init", "--node-dir", dirs[i][0], "--node", dirs[i][1],
                        NULL);
        if (r.status != 0)
            return -1;
    }
    FILE *ca = fopen(ca_file, "w");
    append_file(ca, pl_dir, "tls.crt");
    append_file(ca, az_dir, "tls.crt");
    fclose(ca);
    snprintf(pl_fed, sizeof pl_fed, "%u", free_port());
    snprintf(az_fed, sizeof az_fed, "%u", free_port());
    add_partner(&pl, "PL", "AZ", az_fed, az_dir);
    add_partner(&az, "AZ", "PL", pl_fed, pl_dir);
    setenv("TARCZA_PASSWORD", PASSWORD, 1);
    char out[400];
    snprintf(out, sizeof out, "%s/ala.token", pl.dir);
    if (api_run_cli(&pl, "/dev/null", "user", "add", "ala", "--role", "spoc_supervisor", "--unit",
                    "KGP-SPOC", NULL) ||
        api_run_cli(&pl, out, "user", "token", "ala", NULL))
        return -1;
    char token[160];
    first_line(pl.dir, "ala.token", token, sizeof token);
    snprintf(pl_token, sizeof pl_token, "Authorization: Bearer %s", token);
    snprintf(out, sizeof out, "%s/ali.token", az.dir);
    if (api_run_cli(&az, "/dev/null", "user", "add", "ali", "--role", "spoc_supervisor", "--unit",
                    "AZ-SPOC", NULL) ||
        api_run_cli(&az, out, "user", "token", "ali", NULL))
        return -1;
    first_line(az.dir, "ali.token", token, sizeof token);
    snprintf(az_token, sizeof az_token, "Authorization: Bearer %s", token);
    serve_args(&pl, "PL", "KGP-SPOC", pl_fed, pl_dir);
    serve_args(&az, "AZ", "AZ-SPOC", az_fed, az_dir);
    return api_start(&pl) || api_start(&az) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    int a = api_finish(&pl), b = api_finish(&az);
    return a == 0 && b == 0 ? 0 : -1;
}

static long long wait_for(struct api_server *s, const char *sql, long long want)
{
    long long got = -1;
    for (int i = 0; i < 1200 && (got = api_db_long(s, sql)) != want; i++)
        usleep(100 * 1000);
    return got;
}

/* ---- envelopes written here (docs/federation.md), posted to AZ's port as PL ---- */

struct reply {
    long status;
    char body[32768];
    size_t len;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    struct reply *r = ctx;
    size_t k = size * n;
    if (r->len + k >= sizeof r->body)
        return 0;
    memcpy(r->body + r->len, p, k);
    r->len += k;
    r->body[r->len] = 0;
    return k;
}

static CURLcode post_raw(const char *p, size_t n, struct reply *r)
{
    char url[96], cert[400], key[400];
    snprintf(url, sizeof url, "https://127.0.0.1:%s/federation/v1/messages", az_fed);
    snprintf(cert, sizeof cert, "%s/tls.crt", pl_dir);
    snprintf(key, sizeof key, "%s/tls.key", pl_dir);
    memset(r, 0, sizeof *r);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, p);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)n);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_3);
    curl_easy_setopt(h, CURLOPT_SSLCERT, cert);
    curl_easy_setopt(h, CURLOPT_SSLKEY, key);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(h);
    return rc;
}

static void load_sk(const char *dir, const char *name, uint8_t sk[crypto_sign_SECRETKEYBYTES])
{
    char hex[200];
    first_line(dir, name, hex, sizeof hex);
    assert_int_equal(
        sodium_hex2bin(sk, crypto_sign_SECRETKEYBYTES, hex, strlen(hex), NULL, NULL, NULL), 0);
}

/* An envelope of kind in the canonical form, from PL to AZ, signed with sk, into out. */
static size_t envelope(char *out, size_t cap, const char *kind, long long id, long long kase,
                       const void *body, size_t len, const uint8_t *sk)
{
    int n = snprintf(out, cap,
                     "tarcza-federation/1\nkind: %s\nid: %lld\nfrom: PL\nto: AZ\n"
                     "sender-case: %lld\nreceiver-case: 0\nin-reply-to: 0\nat: %lld\n"
                     "body: %zu\n\n",
                     kind, id, kase, (long long)time(NULL), len);
    assert_true(n > 0 && (size_t)n + len + 200 < cap);
    memcpy(out + n, body, len);
    n += (int)len;
    uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const uint8_t *)out, (size_t)n, sk);
    char hex[2 * crypto_sign_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
    return (size_t)n + (size_t)snprintf(out + n, cap - (size_t)n, "\nsignature: %s\n", hex);
}

/* A message from PL to AZ of type and handling with text, as an envelope signed with sk. */
static size_t message(char *out, size_t cap, long long id, long long kase, const char *type,
                      const char *handling, const char *text, const uint8_t *sk)
{
    char body[2048];
    snprintf(body, sizeof body,
             "{\"type\":\"%s\",\"subject\":\"Terms\",\"originator\":{\"node\":\"PL\",\"unit\":"
             "\"KGP-SPOC\"},\"addressees\":[{\"node\":\"AZ\",\"unit\":\"AZ-SPOC\"}],\"lang\":"
             "\"en\",\"handling\":\"%s\",%s\"evaluation\":{\"source\":\"A\",\"information\":"
             "\"1\"},\"text\":\"%s\"}",
             type, handling, strcmp(type, "request") == 0 ? "\"urgency\":\"normal\"," : "", text);
    return envelope(out, cap, "message", id, kase, body, strlen(body), sk);
}

/* The k-th receipt of r (0: the first) is AZ's, signed, and says status and reason. */
static void receipt_says(const struct reply *r, int k, const char *status, const char *reason)
{
    assert_int_equal(r->status, 200);
    const char *at = r->body;
    for (int i = 0; i < k; i++) {
        at = strstr(at, "\nsignature: ");
        assert_non_null(at);
        at += 12 + 128 + 1;
    }
    const char *sig = strstr(at, "\nsignature: ");
    assert_non_null(sig);
    uint8_t s[crypto_sign_BYTES], pk[crypto_sign_PUBLICKEYBYTES];
    char pk_hex[80], want[96], one[2048];
    first_line(az_dir, "sign.pub", pk_hex, sizeof pk_hex);
    assert_int_equal(sodium_hex2bin(pk, sizeof pk, pk_hex, strlen(pk_hex), NULL, NULL, NULL), 0);
    assert_int_equal(sodium_hex2bin(s, sizeof s, sig + 12, 128, NULL, NULL, NULL), 0);
    assert_int_equal(crypto_sign_verify_detached(s, (const uint8_t *)at, (size_t)(sig - at), pk),
                     0);
    snprintf(one, sizeof one, "%.*s", (int)(sig - at), at);
    snprintf(want, sizeof want, "status: %s\n", status);
    if (!strstr(one, want))
        fprintf(stderr, "receipt %d: %s\n", k, one);
    assert_non_null(strstr(one, want));
    snprintf(want, sizeof want, "reason: %s\n", reason);
    if (!strstr(one, want))
        fprintf(stderr, "receipt %d: %s\n", k, one);
    assert_non_null(strstr(one, want));
}

static long long stored(void)
{
    return api_db_long(&az, "SELECT count(*) FROM x_messages");
}

/* Posts n bytes; the one receipt says refused for reason, audited (the note beginning with note,
 * or the reason), nothing stored. */
static void refused_note(const char *p, size_t n, const char *reason, const char *note)
{
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE action = 'federation.receive' AND outcome ="
             " 'refused' AND note LIKE '%s%%'",
             note ? note : reason);
    long long before = stored(), audited = api_db_long(&az, sql);
    struct reply r;
    assert_int_equal(post_raw(p, n, &r), CURLE_OK);
    receipt_says(&r, 0, "refused", reason);
    assert_int_equal(stored(), before);
    assert_int_equal(api_db_long(&az, sql), audited + 1);
}

static void refused(const char *p, size_t n, const char *reason)
{
    refused_note(p, n, reason, NULL);
}

static void delivered(const char *p, size_t n)
{
    long long before = stored();
    struct reply r;
    assert_int_equal(post_raw(p, n, &r), CURLE_OK);
    receipt_says(&r, 0, "delivered", "ok");
    assert_int_equal(stored(), before + 1);
}

/* A batch of the envelopes in parts (their bytes one after another), signed with sk. */
static size_t batch(char *out, size_t cap, long long kase, const char *parts, size_t len,
                    const uint8_t *sk)
{
    return envelope(out, cap, "batch", 960000 + kase, kase, parts, len, sk);
}

static void test_batch(void **state)
{
    (void)state;
    uint8_t sk[crypto_sign_SECRETKEYBYTES], other[crypto_sign_SECRETKEYBYTES];
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    load_sk(pl_dir, "sign.key", sk);
    crypto_sign_keypair(pk, other);
    static char parts[32768], env[40000];
    size_t n = 0;
    const char *texts[] = {"batch-a", "batch-b", "batch-c"};
    for (int i = 0; i < 3; i++)
        n += message(parts + n, sizeof parts - n, 950001 + i, 95000, "information", "H0", texts[i],
                     sk);
    size_t m = batch(env, sizeof env, 95000, parts, n, sk);
    long long before = stored();
    struct reply r;
    assert_int_equal(post_raw(env, m, &r), CURLE_OK);
    for (int i = 0; i < 3; i++)
        receipt_says(&r, i, "delivered", "ok");
    assert_int_equal(stored(), before + 3);
    char got[256];
    api_db_text(&az,
                "SELECT group_concat(body, ',') FROM (SELECT body FROM x_messages WHERE"
                " body LIKE 'batch-%' ORDER BY id)",
                got, sizeof got);
    assert_string_equal(got, "batch-a,batch-b,batch-c");
    assert_int_equal(api_db_long(&az, "SELECT count(DISTINCT case_id) FROM x_messages WHERE"
                                      " body LIKE 'batch-%'"),
                     1);
    /* The same batch again: each a duplicate, nothing stored twice. */
    assert_int_equal(post_raw(env, m, &r), CURLE_OK);
    for (int i = 0; i < 3; i++)
        receipt_says(&r, i, "duplicate", "ok");
    assert_int_equal(stored(), before + 3);
    /* A message of another case inside a batch: refused alone, the others stored. */
    n = message(parts, sizeof parts, 951001, 95100, "information", "H0", "batch-d", sk);
    n += message(parts + n, sizeof parts - n, 951002, 95199, "information", "H0", "batch-x", sk);
    n += message(parts + n, sizeof parts - n, 951003, 95100, "information", "H0", "batch-e", sk);
    m = batch(env, sizeof env, 95100, parts, n, sk);
    assert_int_equal(post_raw(env, m, &r), CURLE_OK);
    receipt_says(&r, 0, "delivered", "ok");
    receipt_says(&r, 1, "refused", "malformed");
    receipt_says(&r, 2, "delivered", "ok");
    assert_int_equal(stored(), before + 5);
    /* The batch signed by a key that is not PL's: every message in it refused. */
    n = message(parts, sizeof parts, 952001, 95200, "information", "H0", "batch-f", sk);
    m = batch(env, sizeof env, 95200, parts, n, other);
    assert_int_equal(post_raw(env, m, &r), CURLE_OK);
    receipt_says(&r, 0, "refused", "bad-signature");
    assert_int_equal(stored(), before + 5);
}

static void test_terms(void **state)
{
    (void)state;
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    load_sk(pl_dir, "sign.key", sk);
    static char env[8192];
    static char big[1500];
    memset(big, 'x', sizeof big - 1);
    assert_int_equal(api_run_cli(&az, "/dev/null", "node", "terms", "PL", "--accept-types",
                                 "information", "--accept-handling", "H0", "--accept-max-bytes",
                                 "1000", "--node", "AZ", NULL),
                     0);
    assert_int_equal(api_db_long(&az, "SELECT count(*) FROM audit_log WHERE action ="
                                      " 'federation.node.change' AND note = 'terms'"),
                     1);
    size_t n = message(env, sizeof env, 953001, 95300, "request", "H0", "terms-type", sk);
    refused_note(env, n, "not-accepted", "not-accepted: type request");
    n = message(env, sizeof env, 953002, 95300, "information", "H1", "terms-handling", sk);
    refused_note(env, n, "not-accepted", "not-accepted: handling H1");
    n = message(env, sizeof env, 953003, 95300, "information", "H0", big, sk);
    refused_note(env, n, "not-accepted", "not-accepted: body of");
    n = message(env, sizeof env, 953004, 95300, "information", "H0", "terms-ok", sk);
    delivered(env, n);
    /* Terms are per partner and can be lifted. */
    assert_int_equal(api_run_cli(&az, "/dev/null", "node", "terms", "PL", "--node", "AZ", NULL), 0);
    n = message(env, sizeof env, 953005, 95300, "information", "H0", big, sk);
    delivered(env, n);
}

static void pl_sends(const char *text)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"type\":\"information\",\"subject\":\"Rotation\",\"originator\":{\"node\":\"PL\","
             "\"unit\":\"KGP-SPOC\"},\"addressees\":[{\"node\":\"AZ\",\"unit\":\"AZ-SPOC\"}],"
             "\"lang\":\"en\",\"handling\":\"H0\",\"evaluation\":{\"source\":\"A\","
             "\"information\":\"1\"},\"text\":\"%s\"}",
             text);
    struct api_response r;
    memset(pl.extra_headers, 0, sizeof pl.extra_headers);
    pl.extra_headers[0] = pl_token;
    assert_int_equal(api_request(&pl, "POST", "/api/v1/exchange/cases", "application/json", body,
                                 strlen(body), 0, &r),
                     0);
    pl.extra_headers[0] = NULL;
    assert_int_equal(r.status, 201);
    api_response_free(&r);
}

static json_t *get_as(struct api_server *s, const char *token, const char *path,
                      struct api_response *r)
{
    memset(s->extra_headers, 0, sizeof s->extra_headers);
    s->extra_headers[0] = token;
    assert_int_equal(api_get(s, path, r), 0);
    s->extra_headers[0] = NULL;
    assert_int_equal(r->status, 200);
    return r->json;
}

/* A person at AZ opens PL's message: a signed read receipt goes back and shows in PL's outbox. */
static void test_read_receipt(void **state)
{
    (void)state;
    pl_sends("please-read-me");
    long long id =
        wait_for(&az, "SELECT count(*) FROM x_messages WHERE body = 'please-read-me'", 1);
    assert_int_equal(id, 1);
    id = api_db_long(&az, "SELECT id FROM x_messages WHERE body = 'please-read-me'");
    long long ours = api_db_long(&pl, "SELECT max(message_id) FROM fed_outbox WHERE node = 'AZ'");
    assert_int_equal(wait_for(&pl,
                              "SELECT count(*) FROM fed_outbox WHERE state = 'delivered' AND"
                              " message_id = (SELECT max(message_id) FROM fed_outbox)",
                              1),
                     1);
    struct api_response r;
    json_t *item = json_array_get(
        json_object_get(get_as(&pl, pl_token, "/api/v1/exchange/node-outbox?node=AZ", &r), "items"),
        0);
    assert_int_equal(json_integer_value(json_object_get(item, "message")), ours);
    assert_string_equal(json_string_value(json_object_get(item, "state")), "delivered");
    assert_true(json_is_null(json_object_get(item, "read_at")));
    api_response_free(&r);
    /* The node's own reads (sending it on, receiving it) owe nobody a read receipt. */
    assert_int_equal(api_db_long(&az, "SELECT count(*) FROM fed_reads_out"), 0);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld", id);
    get_as(&az, az_token, path, &r);
    api_response_free(&r);
    assert_int_equal(wait_for(&pl, "SELECT count(*) FROM fed_read_receipts WHERE node = 'AZ'", 1),
                     1);
    assert_int_equal(wait_for(&az, "SELECT count(*) FROM fed_reads_out WHERE state = 'sent'", 1),
                     1);
    item = json_array_get(
        json_object_get(get_as(&pl, pl_token, "/api/v1/exchange/node-outbox?node=AZ", &r), "items"),
        0);
    assert_int_equal(json_integer_value(json_object_get(item, "message")), ours);
    assert_true(json_is_string(json_object_get(item, "read_at")));
    api_response_free(&r);
    assert_int_equal(api_db_long(&pl, "SELECT count(*) FROM audit_log WHERE action ="
                                      " 'federation.receive' AND note = 'read receipt'"),
                     1);
    /* The outbox on /metrics, per partner. */
    assert_int_equal(api_get(&pl, "/metrics", &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "tarcza_federation_outbox_depth{partner=\"AZ\"} 0\n"));
    assert_non_null(
        strstr(r.body, "tarcza_federation_outbox_oldest_age_seconds{partner=\"AZ\"} 0"));
    assert_non_null(strstr(r.body, "tarcza_federation_alarm{partner=\"AZ\"} 0\n"));
    api_response_free(&r);
    /* Reading it again sends nothing more. */
    get_as(&az, az_token, path, &r);
    api_response_free(&r);
    assert_int_equal(api_db_long(&az, "SELECT count(*) FROM fed_reads_out"), 1);
}

/* PL's current public key. */
static void pl_pub(char *out, size_t cap)
{
    first_line(pl_dir, "sign.pub", out, cap);
}

static void test_rotation(void **state)
{
    (void)state;
    uint8_t old_sk[crypto_sign_SECRETKEYBYTES], new_sk[crypto_sign_SECRETKEYBYTES];
    char old_pub[80], new_pub[80];
    pl_pub(old_pub, sizeof old_pub);
    load_sk(pl_dir, "sign.key", old_sk);
    /* PL rotates its key and restarts; AZ does not know the new key yet. */
    api_stop(&pl, SIGTERM);
    struct api_run run;
    api_run_command(&pl, &run, "node", "rotate", "--node-dir", pl_dir, NULL);
    assert_int_equal(run.status, 0);
    pl_pub(new_pub, sizeof new_pub);
    assert_string_not_equal(old_pub, new_pub);
    load_sk(pl_dir, "sign.key", new_sk);
    assert_int_equal(api_start(&pl), 0);
    pl_sends("in-flight-during-rotation");
    /* AZ refuses the unknown key; PL keeps the message queued, the reason shown. */
    assert_int_equal(wait_for(&pl,
                              "SELECT count(*) FROM fed_outbox WHERE state = 'queued' AND"
                              " last_error = 'bad-signature'",
                              1),
                     1);
    /* AZ takes the new key (the old one still for an hour): the message is delivered. */
    assert_int_equal(api_run_cli(&az, "/dev/null", "node", "rekey", "PL", "--sign-key", new_pub,
                                 "--overlap-s", "3600", "--node", "AZ", NULL),
                     0);
    assert_int_equal(wait_for(&az,
                              "SELECT count(*) FROM x_messages WHERE body ="
                              " 'in-flight-during-rotation'",
                              1),
                     1);
    assert_int_equal(wait_for(&pl, "SELECT count(*) FROM fed_outbox WHERE state <> 'delivered'", 0),
                     0);
    static char env[8192];
    size_t n = message(env, sizeof env, 954001, 95400, "information", "H0", "old-key", old_sk);
    delivered(env, n); /* within the overlap */
    n = message(env, sizeof env, 954002, 95400, "information", "H0", "new-key", new_sk);
    delivered(env, n);
    /* Rotated again with no overlap: the key it replaced is refused at once. */
    uint8_t third_pk[crypto_sign_PUBLICKEYBYTES], third_sk[crypto_sign_SECRETKEYBYTES];
    char third_pub[80];
    crypto_sign_keypair(third_pk, third_sk);
    sodium_bin2hex(third_pub, sizeof third_pub, third_pk, sizeof third_pk);
    assert_int_equal(api_run_cli(&az, "/dev/null", "node", "rekey", "PL", "--sign-key", third_pub,
                                 "--overlap-s", "0", "--node", "AZ", NULL),
                     0);
    n = message(env, sizeof env, 954003, 95400, "information", "H0", "retired", new_sk);
    refused(env, n, "key-retired");
    n = message(env, sizeof env, 954004, 95400, "information", "H0", "older", old_sk);
    refused(env, n, "bad-signature");
    n = message(env, sizeof env, 954005, 95400, "information", "H0", "third", third_sk);
    delivered(env, n);
    /* The revocation list: the third key refused from now on, with a signed receipt. */
    assert_int_equal(api_run_cli(&az, "/dev/null", "node", "revoke", "--sign-key", third_pub,
                                 "--reason", "compromised", "--node", "AZ", NULL),
                     0);
    n = message(env, sizeof env, 954006, 95400, "information", "H0", "revoked", third_sk);
    refused(env, n, "revoked");
    assert_int_equal(api_db_long(&az, "SELECT count(*) FROM audit_log WHERE action ="
                                      " 'federation.revoke' AND note = 'compromised'"),
                     1);
    /* PL's certificate revoked: refused at the TLS door before its body is read. */
    char cert[400];
    snprintf(cert, sizeof cert, "%s/tls.crt", pl_dir);
    assert_int_equal(
        api_run_cli(&az, "/dev/null", "node", "revoke", "--cert", cert, "--node", "AZ", NULL), 0);
    long long before = stored();
    struct reply r;
    assert_int_equal(post_raw(env, n, &r), CURLE_OK);
    assert_int_equal(r.status, 403);
    assert_int_equal(stored(), before);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s TARCZA_BINARY\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_terms),
        cmocka_unit_test(test_read_receipt),
        cmocka_unit_test(test_rotation),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
