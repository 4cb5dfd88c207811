/*
 * API tests of federation (issue 17) between two real nodes on loopback: PL and AZ, each its
 * own `tarcza serve` with its own database, identity (`tarcza node init`) and federation port
 * speaking mutual TLS 1.3. PL sends messages in three cases while AZ is killed with SIGKILL and
 * started again, and then PL itself is killed and started again: every message reaches AZ once,
 * in its case's order, and every delivery receipt is back in PL's outbox. Envelopes written here
 * from the documented canonical form (docs/federation.md) and posted straight to AZ's port show
 * each refusal (a byte changed, a signature swapped, an unknown sender, a stale time, an id
 * replayed with another body, a body that is no message, an originator that is not the sender)
 * answered with a negative receipt signed by AZ, audited, and nothing stored; TLS clients that
 * are no partner, or show no certificate, or speak plain HTTP, are refused, and so is a node
 * removed from the directory (and accepted again once it is back).
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
#define CASES 3
#define PER_CASE 10

static const char *tarcza_binary;
static struct api_server pl, az;
static char pl_dir[300], az_dir[300], xx_dir[300], ca_file[300];
static char ex_dir[300], wc_dir[300]; /* an expired certificate; one of another CA */
static char pl_fed[16], az_fed[16];
static char pl_token[200], az_token[200];

/* A free TCP port on loopback (bound and let go: the server takes it next). */
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

/* The first line of dir/name, its newline cut. */
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

static void token_of(struct api_server *s, const char *name, const char *unit, char *header,
                     size_t size)
{
    setenv("TARCZA_PASSWORD", PASSWORD, 1);
    assert_int_equal(api_run_cli(s, "/dev/null", "user", "add", name, "--role", "spoc_supervisor",
                                 "--unit", unit, NULL),
                     0);
    char out[400], token[160];
    snprintf(out, sizeof out, "%s/%s.token", s->dir, name);
    assert_int_equal(api_run_cli(s, out, "user", "token", name, NULL), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    assert_non_null(fgets(token, sizeof token, f));
    fclose(f);
    token[strcspn(token, "\n")] = 0;
    snprintf(header, size, "Authorization: Bearer %s", token);
}

/* s knows partner id at its federation port, its identity in dir. */
/* Adds partner id to s (this node: self) with the certificate in dir and the signing key in
 * key_dir. */
static void add_partner_as(struct api_server *s, const char *self, const char *id,
                           const char *country, const char *port, const char *dir,
                           const char *key_dir)
{
    char endpoint[64], cert[400], key[80];
    snprintf(endpoint, sizeof endpoint, "https://127.0.0.1:%s", port);
    snprintf(cert, sizeof cert, "%s/tls.crt", dir);
    first_line(key_dir, "sign.pub", key, sizeof key);
    assert_int_equal(api_run_cli(s, "/dev/null", "node", "add", id, "--name", id, "--country",
                                 country, "--endpoint", endpoint, "--cert", cert, "--sign-key", key,
                                 "--languages", "en", "--node", self, NULL),
                     0);
}

static void add_partner(struct api_server *s, const char *self, const char *id, const char *country,
                        const char *port, const char *dir)
{
    add_partner_as(s, self, id, country, port, dir, dir);
}

static void add_partner_key(struct api_server *s, const char *id, const char *country,
                            const char *port, const char *dir, const char *key_dir)
{
    add_partner_as(s, "AZ", id, country, port, dir, key_dir);
}

static void cat_into(FILE *out, const char *dir)
{
    char path[400], buf[4096];
    snprintf(path, sizeof path, "%s/tls.crt", dir);
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

/* Makes dir/tls.crt and tls.key with openssl (ECDSA P-256): valid from `from` to `to`
 * (YYYYMMDDHHMMSSZ, through `openssl ca`, which takes past dates), or for a day when from is
 * NULL. 0 on success. */
static int openssl_cert(const char *dir, const char *cn, const char *from, const char *to)
{
    char cmd[2400];
    if (mkdir(dir, 0700) != 0)
        return -1;
    if (!from)
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
                 " -keyout tls.key -out tls.crt -days 1 -subj /CN=%s"
                 " -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
                 dir, cn);
    else
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && printf '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\n"
                 "new_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\n"
                 "[p]\ncommonName=supplied\n' >ca.cnf && : >index.txt && echo 01 >serial &&"
                 " openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
                 " -keyout tls.key -out tls.csr -subj /CN=%s >/dev/null 2>&1 &&"
                 " openssl ca -batch -notext -config ca.cnf -selfsign -keyfile tls.key -in tls.csr"
                 " -out tls.crt -startdate %s -enddate %s >/dev/null 2>&1",
                 dir, cn, from, to);
    return system(cmd) == 0 ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0 || api_prepare(&pl, tarcza_binary, 0) ||
        api_prepare(&az, tarcza_binary, 0))
        return -1;
    snprintf(pl_dir, sizeof pl_dir, "%s/node", pl.dir);
    snprintf(az_dir, sizeof az_dir, "%s/node", az.dir);
    snprintf(xx_dir, sizeof xx_dir, "%s/stranger", az.dir);
    snprintf(ca_file, sizeof ca_file, "%s/ca.pem", pl.dir);
    const char *dirs[][2] = {{pl_dir, "PL"}, {az_dir, "AZ"}, {xx_dir, "PL"}};
    for (size_t i = 0; i < 3; i++) {
        mkdir(dirs[i][0], 0700);
        struct api_run r;
        api_run_command(&pl, &r, "node", "init", "--node-dir", dirs[i][0], "--node", dirs[i][1],
                        NULL);
        if (r.status != 0)
            return -1;
    }
    /* EX's certificate expired; WC's is signed by no CA that AZ trusts. */
    snprintf(ex_dir, sizeof ex_dir, "%s/expired", az.dir);
    snprintf(wc_dir, sizeof wc_dir, "%s/wrongca", az.dir);
    if (openssl_cert(ex_dir, "EX", "20200101000000Z", "20200201000000Z") ||
        openssl_cert(wc_dir, "WC", NULL, NULL))
        return -1;
    /* The CA file holds PL's, AZ's, the stranger's (chains, but is no partner) and the expired
     * one's; not WC's. */
    FILE *ca = fopen(ca_file, "w");
    cat_into(ca, pl_dir);
    cat_into(ca, az_dir);
    cat_into(ca, xx_dir);
    cat_into(ca, ex_dir);
    fclose(ca);
    snprintf(pl_fed, sizeof pl_fed, "%u", free_port());
    snprintf(az_fed, sizeof az_fed, "%u", free_port());
    add_partner(&pl, "PL", "AZ", "AZE", az_fed, az_dir);
    add_partner(&az, "AZ", "PL", "PL", pl_fed, pl_dir);
    /* Both are partners in AZ's directory: only the certificate's checks can refuse them. */
    add_partner_key(&az, "EX", "DE", pl_fed, ex_dir, pl_dir);
    add_partner_key(&az, "WC", "FR", pl_fed, wc_dir, pl_dir);
    token_of(&pl, "ala", "KGP-SPOC", pl_token, sizeof pl_token);
    token_of(&az, "ali", "AZ-SPOC", az_token, sizeof az_token);
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

static long post_as(struct api_server *s, const char *token, const char *path, const char *body,
                    struct api_response *r)
{
    memset(s->extra_headers, 0, sizeof s->extra_headers);
    s->extra_headers[0] = token;
    int rc = api_request(s, "POST", path, "application/json", body, strlen(body), 0, r);
    memset(s->extra_headers, 0, sizeof s->extra_headers);
    assert_int_equal(rc, 0);
    return r->status;
}

/* PL sends message k of case c (index) to AZ; a new case when its id is 0. */
static void pl_send(int64_t *case_id, int c, int k)
{
    char body[1024], path[96];
    snprintf(body, sizeof body,
             "{\"type\":\"information\",%s\"originator\":{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"},"
             "\"addressees\":[{\"node\":\"AZ\",\"unit\":\"AZ-SPOC\"}],\"lang\":\"en\","
             "\"handling\":\"H0\",\"evaluation\":{\"source\":\"A\",\"information\":\"1\"},"
             "\"text\":\"c%d-m%02d\"}",
             *case_id ? "" : "\"subject\":\"Federation drill\",", c, k);
    if (*case_id)
        snprintf(path, sizeof path, "/api/v1/exchange/cases/%lld/messages", (long long)*case_id);
    else
        snprintf(path, sizeof path, "/api/v1/exchange/cases");
    struct api_response r;
    assert_int_equal(post_as(&pl, pl_token, path, body, &r), 201);
    if (!*case_id)
        *case_id = json_integer_value(json_object_get(r.json, "case"));
    api_response_free(&r);
    assert_true(*case_id > 0);
}

/* Waits (at most 120 s: a bound, not a timing) until sql on s answers want. */
static long long wait_for(struct api_server *s, const char *sql, long long want)
{
    long long got = -1;
    for (int i = 0; i < 1200 && (got = api_db_long(s, sql)) != want; i++)
        usleep(100 * 1000);
    return got;
}

static void test_directory(void **state)
{
    (void)state;
    struct api_run r;
    api_run_command(&pl, &r, "node", "list", "--db", pl.db, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "AZ\t"));
    /* This node itself, a bad country and a key that is no key are refused, naming the field. */
    char key[80];
    first_line(pl_dir, "sign.pub", key, sizeof key);
    api_run_command(&pl, &r, "node", "add", "PL", "--name", "me", "--country", "PL", "--endpoint",
                    "https://127.0.0.1:1", "--cert-sha256", key, "--sign-key", key, "--node", "PL",
                    "--db", pl.db, NULL);
    assert_int_not_equal(r.status, 0);
    assert_non_null(strstr(r.err, "id: this node itself"));
    api_run_command(&pl, &r, "node", "add", "DE", "--name", "BKA", "--country", "QQ", "--endpoint",
                    "http://x", "--cert-sha256", "12", "--sign-key", key, "--node", "PL", "--db",
                    pl.db, NULL);
    assert_int_not_equal(r.status, 0);
    assert_non_null(strstr(r.err, "country:"));
    assert_non_null(strstr(r.err, "endpoint:"));
    assert_non_null(strstr(r.err, "cert_sha256:"));
    api_run_command(&pl, &r, "node", "remove", "DE", "--node", "PL", "--db", pl.db, NULL);
    assert_int_not_equal(r.status, 0);
    assert_int_equal(api_db_long(&pl, "SELECT count(*) FROM fed_nodes"), 1);
    assert_int_equal(api_db_long(&pl, "SELECT count(*) FROM audit_log WHERE action ="
                                      " 'federation.node.add' AND outcome = 'ok'"),
                     1);
}

/* Per case at AZ, the texts in the order stored: "c0-m00,c0-m01,..." each as sent. */
static void check_order(void)
{
    for (int c = 0; c < CASES; c++) {
        char sql[400], got[1024], want[1024] = "";
        size_t n = 0;
        for (int k = 0; k < PER_CASE; k++)
            n += (size_t)snprintf(want + n, sizeof want - n, "%sc%d-m%02d", k ? "," : "", c, k);
        snprintf(sql, sizeof sql,
                 "SELECT group_concat(body, ',') FROM (SELECT body FROM x_messages WHERE inbound"
                 " = 1 AND case_id = (SELECT case_id FROM x_messages WHERE body = 'c%d-m00')"
                 " ORDER BY id)",
                 c);
        api_db_text(&az, sql, got, sizeof got);
        assert_string_equal(got, want);
    }
}

static void test_kill_and_restart(void **state)
{
    (void)state;
    int64_t cases[CASES] = {0};
    int sent = 0;
    for (int k = 0; k < PER_CASE; k++) {
        for (int c = 0; c < CASES; c++, sent++) {
            if (sent == 9) { /* some delivered, then AZ dies */
                assert_true(wait_for(&pl,
                                     "SELECT count(*) >= 5 FROM fed_outbox WHERE state ="
                                     " 'delivered'",
                                     1) == 1);
                assert_true(api_stop(&az, SIGKILL) != 0);
            }
            if (sent == 20) /* PL kept queueing while AZ was down; AZ comes back */
                assert_int_equal(api_start(&az), 0);
            pl_send(&cases[c], c, k);
        }
    }
    /* PL dies with its queue maybe half sent, and comes back. */
    assert_true(api_stop(&pl, SIGKILL) != 0);
    assert_int_equal(api_start(&pl), 0);
    long long all = CASES * PER_CASE;
    assert_int_equal(wait_for(&pl,
                              "SELECT count(*) FROM fed_outbox WHERE state = 'delivered'"
                              " AND their_message > 0 AND their_case > 0",
                              all),
                     all);
    /* Nothing lost, nothing twice, every case one case there, in order. */
    assert_int_equal(api_db_long(&az, "SELECT count(*) FROM x_messages WHERE inbound = 1"), all);
    assert_int_equal(api_db_long(&az, "SELECT count(DISTINCT body) FROM x_messages WHERE"
                                      " inbound = 1"),
                     all);
    assert_int_equal(api_db_long(&az, "SELECT count(*) FROM fed_inbox WHERE sender = 'PL'"), all);
    assert_int_equal(api_db_long(&az, "SELECT count(DISTINCT case_id) FROM x_messages WHERE"
                                      " inbound = 1"),
                     CASES);
    check_order();
    /* The receipts name what AZ stored. */
    assert_int_equal(api_db_long(&pl, "SELECT count(*) FROM fed_outbox WHERE state <> 'delivered'"),
                     0);
    /* AZ answers in the first case: it lands in PL's case. */
    char body[600], path[96];
    long long az_case = api_db_long(&az, "SELECT case_id FROM x_messages WHERE body = 'c0-m00'");
    snprintf(path, sizeof path, "/api/v1/exchange/cases/%lld/messages", az_case);
    snprintf(body, sizeof body,
             "{\"type\":\"information\",\"originator\":{\"node\":\"AZ\",\"unit\":\"AZ-SPOC\"},"
             "\"addressees\":[{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"}],\"lang\":\"en\","
             "\"handling\":\"H0\",\"evaluation\":{\"source\":\"A\",\"information\":\"1\"},"
             "\"text\":\"answer\"}");
    struct api_response r;
    assert_int_equal(post_as(&az, az_token, path, body, &r), 201);
    api_response_free(&r);
    assert_int_equal(wait_for(&pl, "SELECT count(*) FROM x_messages WHERE body = 'answer'", 1), 1);
    assert_int_equal(api_db_long(&pl, "SELECT case_id FROM x_messages WHERE body = 'answer'"),
                     cases[0]);
    /* The operator's view of the partner. */
    memset(pl.extra_headers, 0, sizeof pl.extra_headers);
    pl.extra_headers[0] = pl_token;
    assert_int_equal(api_get(&pl, "/api/v1/exchange/nodes", &r), 0);
    pl.extra_headers[0] = NULL;
    assert_int_equal(r.status, 200);
    json_t *item = json_array_get(json_object_get(r.json, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(item, "id")), "AZ");
    assert_true(json_is_true(json_object_get(item, "reachable")));
    assert_int_equal(json_integer_value(json_object_get(item, "queue_length")), 0);
    assert_true(json_is_null(json_object_get(item, "oldest_undelivered")));
    assert_true(json_is_false(json_object_get(item, "alarm")));
    assert_true(json_is_string(json_object_get(item, "last_delivery")));
    api_response_free(&r);
}

/* ---- envelopes written here, posted straight to AZ's federation port ---- */

struct reply {
    long status;
    char body[8192];
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

/* POSTs n bytes to AZ's port as the holder of dir's certificate (NULL: none; plain: http). */
static CURLcode post_raw(const char *dir, bool plain, const char *p, size_t n, struct reply *r)
{
    char url[96], cert[400], key[400];
    snprintf(url, sizeof url, "%s://127.0.0.1:%s/federation/v1/messages", plain ? "http" : "https",
             az_fed);
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
    if (dir) {
        snprintf(cert, sizeof cert, "%s/tls.crt", dir);
        snprintf(key, sizeof key, "%s/tls.key", dir);
        curl_easy_setopt(h, CURLOPT_SSLCERT, cert);
        curl_easy_setopt(h, CURLOPT_SSLKEY, key);
    }
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(h);
    return rc;
}

static void load_sk(const char *dir, uint8_t sk[crypto_sign_SECRETKEYBYTES])
{
    char hex[200];
    first_line(dir, "sign.key", hex, sizeof hex);
    assert_int_equal(
        sodium_hex2bin(sk, crypto_sign_SECRETKEYBYTES, hex, strlen(hex), NULL, NULL, NULL), 0);
}

/* An envelope of kind (message, sealed) in the canonical form (docs/federation.md), its body
 * the n bytes at body, signed with sk, into out. */
static size_t envelope_of(char *out, size_t cap, const char *kind, const char *from, long long id,
                          long long at, const void *body, size_t len, const uint8_t *sk)
{
    int n = snprintf(out, cap,
                     "tarcza-federation/1\nkind: %s\nid: %lld\nfrom: %s\nto: AZ\n"
                     "sender-case: %lld\nreceiver-case: 0\nin-reply-to: 0\nat: %lld\n"
                     "body: %zu\n\n",
                     kind, id, from, 900000 + id, at, len);
    assert_true(n > 0 && (size_t)n + len + 200 < cap);
    memcpy(out + n, body, len);
    n += (int)len;
    uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const uint8_t *)out, (size_t)n, sk);
    char hex[2 * crypto_sign_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
    return (size_t)n + (size_t)snprintf(out + n, cap - (size_t)n, "\nsignature: %s\n", hex);
}

static size_t envelope(char *out, size_t cap, const char *from, long long id, long long at,
                       const char *body, const uint8_t *sk)
{
    return envelope_of(out, cap, "message", from, id, at, body, strlen(body), sk);
}

static void message_body_h(char *out, size_t cap, const char *from, const char *handling,
                           const char *text)
{
    snprintf(out, cap,
             "{\"type\":\"information\",\"subject\":\"Crafted\",\"originator\":{\"node\":\"%s\","
             "\"unit\":\"X-SPOC\"},\"addressees\":[{\"node\":\"AZ\",\"unit\":\"AZ-SPOC\"}],"
             "\"lang\":\"en\",\"handling\":\"%s\",%s\"evaluation\":{\"source\":\"A\","
             "\"information\":\"1\"},\"text\":\"%s\"}",
             from, handling,
             strcmp(handling, "H3") == 0 ? "\"restriction\":\"no onward use\"," : "", text);
}

static void message_body(char *out, size_t cap, const char *from, const char *text)
{
    message_body_h(out, cap, from, "H0", text);
}

/* The receipt in r is AZ's, signed, and says status (and reason). */
static void receipt_says(const struct reply *r, const char *status, const char *reason)
{
    assert_int_equal(r->status, 200);
    const char *sig = strstr(r->body, "\nsignature: ");
    assert_non_null(sig);
    uint8_t s[crypto_sign_BYTES], pk[crypto_sign_PUBLICKEYBYTES];
    char pk_hex[80], want[96];
    first_line(az_dir, "sign.pub", pk_hex, sizeof pk_hex);
    assert_int_equal(sodium_hex2bin(pk, sizeof pk, pk_hex, strlen(pk_hex), NULL, NULL, NULL), 0);
    assert_int_equal(sodium_hex2bin(s, sizeof s, sig + 12, 128, NULL, NULL, NULL), 0);
    assert_int_equal(
        crypto_sign_verify_detached(s, (const uint8_t *)r->body, (size_t)(sig - r->body), pk), 0);
    snprintf(want, sizeof want, "status: %s\n", status);
    if (!strstr(r->body, want))
        fprintf(stderr, "receipt: %s\n", r->body); /* what it said instead */
    assert_non_null(strstr(r->body, want));
    snprintf(want, sizeof want, "reason: %s\n", reason);
    assert_non_null(strstr(r->body, want));
}

static long long stored(void)
{
    return api_db_long(&az, "SELECT count(*) FROM x_messages");
}

static void refused(const char *p, size_t n, const char *reason)
{
    long long before = stored();
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit_log WHERE action = 'federation.receive' AND outcome ="
             " 'refused' AND note LIKE '%s%%'",
             reason);
    long long audited = api_db_long(&az, sql);
    struct reply r;
    assert_int_equal(post_raw(pl_dir, false, p, n, &r), CURLE_OK);
    receipt_says(&r, "refused", reason);
    assert_int_equal(stored(), before);
    assert_int_equal(api_db_long(&az, sql), audited + 1);
}

static void test_refusals(void **state)
{
    (void)state;
    uint8_t pl_sk[crypto_sign_SECRETKEYBYTES], xx_sk[crypto_sign_SECRETKEYBYTES];
    load_sk(pl_dir, pl_sk);
    load_sk(xx_dir, xx_sk);
    long long now = (long long)time(NULL);
    static char env[8192], other[8192];
    char body[1024];
    struct reply r;
    /* A valid one is stored once; the same again is acknowledged and not stored twice. */
    message_body(body, sizeof body, "PL", "crafted");
    size_t n = envelope(env, sizeof env, "PL", 777001, now, body, pl_sk);
    long long before = stored();
    assert_int_equal(post_raw(pl_dir, false, env, n, &r), CURLE_OK);
    receipt_says(&r, "delivered", "ok");
    assert_int_equal(stored(), before + 1);
    assert_int_equal(post_raw(pl_dir, false, env, n, &r), CURLE_OK);
    receipt_says(&r, "duplicate", "ok");
    assert_int_equal(stored(), before + 1);
    /* One byte of the body changed. */
    message_body(body, sizeof body, "PL", "tampered");
    n = envelope(env, sizeof env, "PL", 777002, now, body, pl_sk);
    char *t = strstr(env, "tampered");
    t[0] = 'T';
    refused(env, n, "bad-signature");
    /* Another envelope's signature on this one. */
    t[0] = 't';
    message_body(body, sizeof body, "PL", "swapped");
    size_t m = envelope(other, sizeof other, "PL", 777003, now, body, pl_sk);
    memcpy(env + n - 129, other + m - 129, 128);
    refused(env, n, "bad-signature");
    /* Signed by a key that is not PL's; from a node not in the directory. */
    message_body(body, sizeof body, "PL", "forged");
    n = envelope(env, sizeof env, "PL", 777004, now, body, xx_sk);
    refused(env, n, "bad-signature");
    message_body(body, sizeof body, "XX", "stranger");
    n = envelope(env, sizeof env, "XX", 777005, now, body, xx_sk);
    refused(env, n, "unknown-sender");
    /* Outside the window: an old message replayed. */
    message_body(body, sizeof body, "PL", "old");
    n = envelope(env, sizeof env, "PL", 777006, now - 3600, body, pl_sk);
    refused(env, n, "stale-timestamp");
    /* The id of the stored one with another body. */
    message_body(body, sizeof body, "PL", "crafted again");
    n = envelope(env, sizeof env, "PL", 777001, now, body, pl_sk);
    refused(env, n, "replayed-id");
    /* A body that is no message; a message whose originator is not the sender. */
    n = envelope(env, sizeof env, "PL", 777007, now, "{\"type\":\"nonsense\"}", pl_sk);
    refused(env, n, "schema");
    message_body(body, sizeof body, "DE", "not from PL");
    n = envelope(env, sizeof env, "PL", 777008, now, body, pl_sk);
    refused(env, n, "originator-not-sender");
    /* Not an envelope at all. */
    refused("hello", 5, "malformed");
}

/* body sealed for the node whose Ed25519 key is in dir/sign.pub (its X25519 key derived). */
static size_t seal_for(const char *dir, const char *body, uint8_t *out)
{
    char hex[80];
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], xpk[crypto_box_PUBLICKEYBYTES];
    first_line(dir, "sign.pub", hex, sizeof hex);
    assert_int_equal(sodium_hex2bin(pk, sizeof pk, hex, strlen(hex), NULL, NULL, NULL), 0);
    assert_int_equal(crypto_sign_ed25519_pk_to_curve25519(xpk, pk), 0);
    assert_int_equal(crypto_box_seal(out, (const uint8_t *)body, strlen(body), xpk), 0);
    return strlen(body) + crypto_box_SEALBYTES;
}

/* H2 and H3 travel sealed for the addressee node: it opens and stores them, the bytes on the way
 * hold no word of them, a box sealed for another node is refused, and an open H3 too. */
static void test_sealed(void **state)
{
    (void)state;
    uint8_t pl_sk[crypto_sign_SECRETKEYBYTES];
    load_sk(pl_dir, pl_sk);
    long long now = (long long)time(NULL);
    static char env[8192];
    static uint8_t box[4096];
    char body[1024];
    struct reply r;
    const char *secret_sql = "SELECT count(*) FROM x_messages WHERE body LIKE '%sealed-secret-h3%'";
    message_body_h(body, sizeof body, "PL", "H3", "sealed-secret-h3");
    size_t b = seal_for(az_dir, body, box);
    size_t n = envelope_of(env, sizeof env, "sealed", "PL", 779001, now, box, b, pl_sk);
    assert_null(memmem(env, n, "sealed-secret", 13)); /* what a relay on the way would hold */
    assert_null(memmem(env, n, "\"H3\"", 4));
    long long before = stored();
    assert_int_equal(post_raw(pl_dir, false, env, n, &r), CURLE_OK);
    receipt_says(&r, "delivered", "ok");
    assert_int_equal(stored(), before + 1);
    assert_int_equal(api_db_long(&az, secret_sql), 1);
    /* Sealed again (another ephemeral key, other bytes): the same message, acknowledged. */
    b = seal_for(az_dir, body, box);
    n = envelope_of(env, sizeof env, "sealed", "PL", 779001, now, box, b, pl_sk);
    assert_int_equal(post_raw(pl_dir, false, env, n, &r), CURLE_OK);
    receipt_says(&r, "duplicate", "ok");
    assert_int_equal(stored(), before + 1);
    /* Sealed for another node's key (what a relay holds): AZ cannot open it. */
    message_body_h(body, sizeof body, "PL", "H2", "sealed-for-xx");
    b = seal_for(xx_dir, body, box);
    n = envelope_of(env, sizeof env, "sealed", "PL", 779002, now, box, b, pl_sk);
    refused(env, n, "bad-seal");
    /* One byte of the box changed, signed again: the box's own check fails. */
    b = seal_for(az_dir, body, box);
    box[b - 1] ^= 1;
    n = envelope_of(env, sizeof env, "sealed", "PL", 779003, now, box, b, pl_sk);
    refused(env, n, "bad-seal");
    /* An H3 message that came open. */
    message_body_h(body, sizeof body, "PL", "H3", "open-h3");
    n = envelope(env, sizeof env, "PL", 779004, now, body, pl_sk);
    refused(env, n, "not-sealed");
    /* Through the outbox: PL's H2 message reaches AZ sealed and is stored there. */
    char msg[1024];
    snprintf(msg, sizeof msg,
             "{\"type\":\"information\",\"subject\":\"Sealed\",\"originator\":{\"node\":\"PL\","
             "\"unit\":\"KGP-SPOC\"},\"addressees\":[{\"node\":\"AZ\",\"unit\":\"AZ-SPOC\"}],"
             "\"lang\":\"en\",\"handling\":\"H2\",\"evaluation\":{\"source\":\"A\","
             "\"information\":\"1\"},\"text\":\"outbox-sealed-h2\"}");
    struct api_response ar;
    long st = post_as(&pl, pl_token, "/api/v1/exchange/cases", msg, &ar);
    if (st != 201)
        fprintf(stderr, "answer: %s\n", ar.body);
    assert_int_equal(st, 201);
    api_response_free(&ar);
    assert_int_equal(
        wait_for(&az, "SELECT count(*) FROM x_messages WHERE body LIKE '%outbox-sealed-h2%'", 1),
        1);
}

static void test_tls_refusals(void **state)
{
    (void)state;
    struct reply r;
    /* A certificate that chains but whose fingerprint no partner has: refused and logged. */
    assert_int_equal(post_raw(xx_dir, false, "x", 1, &r), CURLE_OK);
    assert_int_equal(r.status, 403);
    /* No client certificate at all; plain HTTP on the TLS port. */
    CURLcode rc = post_raw(NULL, false, "x", 1, &r);
    assert_true(rc != CURLE_OK || r.status == 403);
    assert_int_not_equal(post_raw(pl_dir, true, "x", 1, &r), CURLE_OK);
    /* A partner's certificate that expired, and one signed by a CA AZ does not trust: each a
     * partner in the directory, refused at the door all the same. */
    rc = post_raw(ex_dir, false, "x", 1, &r);
    assert_true(rc != CURLE_OK || r.status == 403);
    rc = post_raw(wc_dir, false, "x", 1, &r);
    assert_true(rc != CURLE_OK || r.status == 403);
    /* PL's own certificate still gets in (the refusals above are of those certificates). */
    assert_int_equal(post_raw(pl_dir, false, "x", 1, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    /* PL removed from AZ's directory: its next message, validly signed, is refused at the door. */
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    load_sk(pl_dir, sk);
    static char env[8192];
    char body[1024];
    message_body(body, sizeof body, "PL", "after removal");
    size_t n = envelope(env, sizeof env, "PL", 778001, (long long)time(NULL), body, sk);
    long long before = stored();
    assert_int_equal(api_run_cli(&az, "/dev/null", "node", "remove", "PL", "--node", "AZ", NULL),
                     0);
    assert_int_equal(post_raw(pl_dir, false, env, n, &r), CURLE_OK);
    assert_int_equal(r.status, 403);
    assert_int_equal(stored(), before);
    add_partner(&az, "AZ", "PL", "PL", pl_fed, pl_dir); /* and back, accepted again */
    assert_int_equal(post_raw(pl_dir, false, env, n, &r), CURLE_OK);
    receipt_says(&r, "delivered", "ok");
    assert_int_equal(stored(), before + 1);
}

/* Art. 9 across nodes: AZ's deviation on PL's request travels to PL, moves the request's due
 * instant there, joins its case and counts as AZ's in PL's statistics. */
static void test_deviation_travels(void **state)
{
    (void)state;
    const char *body =
        "{\"type\":\"request\",\"subject\":\"Deviation drill\",\"urgency\":\"normal\","
        "\"originator\":{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"},"
        "\"addressees\":[{\"node\":\"AZ\",\"unit\":\"AZ-SPOC\"}],\"lang\":\"en\","
        "\"handling\":\"H0\",\"evaluation\":{\"source\":\"A\",\"information\":\"1\"},"
        "\"text\":\"deviation drill\"}";
    struct api_response r;
    assert_int_equal(post_as(&pl, pl_token, "/api/v1/exchange/cases", body, &r), 201);
    long long req = json_integer_value(json_object_get(r.json, "id"));
    long long pl_case = json_integer_value(json_object_get(r.json, "case"));
    api_response_free(&r);
    const char *at_az = "SELECT count(*) FROM x_messages WHERE inbound = 1 AND type = 'request'"
                        " AND body = 'deviation drill'";
    assert_int_equal(wait_for(&az, at_az, 1), 1);
    long long theirs = api_db_long(&az, "SELECT id FROM x_messages WHERE inbound = 1 AND"
                                        " type = 'request' AND body = 'deviation drill'");
    char path[96], sql[200];
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld/deviation", theirs);
    assert_int_equal(post_as(&az, az_token, path,
                             "{\"delay_hours\":72,\"reasons\":\"a court order is needed\"}", &r),
                     201);
    api_response_free(&r);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM x_deviations WHERE request_id = %lld", req);
    assert_int_equal(wait_for(&pl, sql, 1), 1);
    /* At PL: the due instant moved by 72 hours, the deviation is in the request's case. */
    snprintf(sql, sizeof sql, "SELECT paused_total FROM x_messages WHERE id = %lld", req);
    assert_int_equal(api_db_long(&pl, sql), 72 * 3600);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM x_messages WHERE type = 'deviation' AND inbound = 1"
             " AND in_reply_to = %lld AND case_id = %lld AND from_node = 'AZ'",
             req, pl_case);
    assert_int_equal(api_db_long(&pl, sql), 1);
    memset(pl.extra_headers, 0, sizeof pl.extra_headers);
    pl.extra_headers[0] = pl_token;
    long long dev = api_db_long(&pl, "SELECT id FROM x_messages WHERE type = 'deviation'");
    snprintf(path, sizeof path, "/api/v1/exchange/messages/%lld", dev);
    assert_int_equal(api_request(&pl, "GET", path, NULL, NULL, 0, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "delay_hours")), 72);
    assert_string_equal(json_string_value(json_object_get(r.json, "reasons")),
                        "a court order is needed");
    api_response_free(&r);
    /* Art. 18 at PL: a deviation received from AZ. */
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(path, sizeof path, "/api/v1/exchange/statistics?year=%d", tm.tm_year + 1900);
    assert_int_equal(api_request(&pl, "GET", path, NULL, NULL, 0, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r.json, "received"), "deviations")), 1);
    json_t *partners = json_object_get(r.json, "partners"), *p;
    size_t i;
    long long from_az = -1;
    json_array_foreach(partners, i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "node")), "AZ") == 0)
            from_az =
                json_integer_value(json_object_get(json_object_get(p, "received"), "deviations"));
    }
    assert_int_equal(from_az, 1);
    api_response_free(&r);
    memset(pl.extra_headers, 0, sizeof pl.extra_headers);
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
        cmocka_unit_test(test_directory),    cmocka_unit_test(test_kill_and_restart),
        cmocka_unit_test(test_refusals),     cmocka_unit_test(test_sealed),
        cmocka_unit_test(test_tls_refusals), cmocka_unit_test(test_deviation_travels),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
