/*
 * Unit tests of federation (issue 17) without a server: the envelope's canonical form (written,
 * read back, signed; every deviation from the one form refused), the back-off's bounds, the
 * node directory's field checks, and the reasons' codes. tests/api/test_federation.c runs two
 * nodes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "federation/federation.h"

static uint8_t pk[TZ_FED_SIGN_PK], sk[TZ_FED_SIGN_SK];

static int setup(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : (crypto_sign_keypair(pk, sk), 0);
}

/* An envelope of body from PL to AZ, written into b. */
static void written(const char *body, struct tz_buf *b)
{
    struct tz_fed_envelope env = {.kind = TZ_FED_MESSAGE,
                                  .id = 42,
                                  .sender_case = 7,
                                  .receiver_case = 3,
                                  .in_reply_to = 9,
                                  .at = 1796675248,
                                  .body = body,
                                  .body_len = strlen(body)};
    memcpy(env.from, "PL", 3);
    memcpy(env.to, "AZ", 3);
    tz_buf_init(b, TZ_FED_ENVELOPE_MAX);
    assert_int_equal(tz_fed_envelope_write(&env, sk, b), TZ_OK);
}

static void test_round_trip(void **state)
{
    (void)state;
    struct tz_buf b;
    written("{\"x\":1}", &b);
    assert_non_null(strstr(b.data, "tarcza-federation/1\nkind: message\nid: 42\nfrom: PL\nto: AZ\n"
                                   "sender-case: 7\nreceiver-case: 3\nin-reply-to: 9\n"
                                   "at: 1796675248\nbody: 7\n\n{\"x\":1}\nsignature: "));
    struct tz_fed_envelope e;
    assert_int_equal(tz_fed_envelope_parse(b.data, b.len, &e), TZ_OK);
    assert_int_equal(e.id, 42);
    assert_int_equal(e.sender_case, 7);
    assert_int_equal(e.receiver_case, 3);
    assert_int_equal(e.in_reply_to, 9);
    assert_string_equal(e.from, "PL");
    assert_int_equal(e.body_len, 7);
    assert_memory_equal(e.body, "{\"x\":1}", 7);
    assert_true(tz_fed_envelope_verify(&e, b.data, pk));
    uint8_t other_pk[TZ_FED_SIGN_PK], other_sk[TZ_FED_SIGN_SK];
    crypto_sign_keypair(other_pk, other_sk);
    assert_false(tz_fed_envelope_verify(&e, b.data, other_pk));
    /* Every byte the signature covers, changed, is caught. */
    for (size_t i = 0; i < e.signed_len; i++) {
        b.data[i] ^= 1;
        struct tz_fed_envelope c;
        if (tz_fed_envelope_parse(b.data, b.len, &c) == TZ_OK)
            assert_false(tz_fed_envelope_verify(&c, b.data, pk));
        b.data[i] ^= 1;
    }
    tz_buf_free(&b);
}

/* text with the first `from` replaced by `to` no longer reads. */
static void refused_with(const char *from, const char *to)
{
    struct tz_buf b;
    written("{}", &b);
    char copy[1024];
    char *at = strstr(b.data, from);
    assert_non_null(at);
    size_t head = (size_t)(at - b.data);
    int n = snprintf(copy, sizeof copy, "%.*s%s%s", (int)head, b.data, to, at + strlen(from));
    struct tz_fed_envelope e;
    assert_int_equal(tz_fed_envelope_parse(copy, (size_t)n, &e), TZ_EMALFORMED);
    tz_buf_free(&b);
}

static void test_one_form_only(void **state)
{
    (void)state;
    refused_with("id: 42\n", "id: 042\n");        /* a leading zero */
    refused_with("id: 42\n", "id: +42\n");        /* a sign */
    refused_with("from: PL\n", "from: pl\n");     /* small letters */
    refused_with("from: PL\n", "from:  PL\n");    /* two spaces */
    refused_with("from: PL\n", "from: P\n");      /* too short */
    refused_with("to: AZ\n", "to: AZ\r\n");       /* CR */
    refused_with("kind: message", "kind: other"); /* an unknown kind */
    refused_with("body: 2\n", "body: 3\n");       /* the body's length */
    refused_with("tarcza-federation/1", "tarcza-federation/2");
    refused_with("sender-case: 7\nreceiver-case: 3\n", "receiver-case: 3\nsender-case: 7\n");
    refused_with("\nsignature: ", "\nsignature:  ");
    struct tz_buf b;
    written("{}", &b);
    struct tz_fed_envelope e;
    assert_int_equal(tz_fed_envelope_parse(b.data, b.len - 1, &e), TZ_EMALFORMED); /* no \n */
    assert_int_equal(tz_buf_append(&b, "x", 1), TZ_OK);
    assert_int_equal(tz_fed_envelope_parse(b.data, b.len, &e), TZ_EMALFORMED); /* after it */
    assert_int_equal(tz_fed_envelope_parse(b.data, TZ_FED_ENVELOPE_MAX + 1, &e), TZ_ETOOBIG);
    tz_buf_free(&b);
}

static void test_backoff(void **state)
{
    (void)state;
    for (int round = 0; round < 100; round++) {
        int64_t first = tz_fed_backoff(0), later = tz_fed_backoff(4), most = tz_fed_backoff(40);
        assert_true(first >= 1 && first <= 1);
        assert_true(later >= 16 && later <= 20);
        assert_true(most >= 300 && most <= 375);
    }
}

static void good(struct tz_fed_node_rec *n)
{
    memset(n, 0, sizeof *n);
    snprintf(n->id, sizeof n->id, "AZ");
    snprintf(n->name, sizeof n->name, "Azerbaijan NCB");
    snprintf(n->country, sizeof n->country, "AZE");
    snprintf(n->endpoint, sizeof n->endpoint, "https://nfip.az:8443");
    memset(n->cert_sha256, 'A', 64);
    memset(n->sign_key, '0', 64);
    snprintf(n->languages, sizeof n->languages, "en,az");
    snprintf(n->msg_types, sizeof n->msg_types, "request,reply");
    snprintf(n->handling, sizeof n->handling, "H0,H1");
}

static void test_node_check(void **state)
{
    (void)state;
    struct tz_fed_node_rec n;
    struct tz_field_errors errs = {0};
    good(&n);
    assert_int_equal(tz_fed_node_check(&n, &errs), TZ_OK);
    assert_string_equal(n.country, "AZ");    /* alpha-3 written as alpha-2 */
    assert_int_equal(n.cert_sha256[0], 'a'); /* hex in small letters */
    struct {
        size_t off, cap;
        const char *value, *field;
    } bad[] = {
        {offsetof(struct tz_fed_node_rec, id), TZ_FS_ID, "az", "id"},
        {offsetof(struct tz_fed_node_rec, name), TZ_FS_NAME, "", "name"},
        {offsetof(struct tz_fed_node_rec, country), 8, "QQ", "country"},
        {offsetof(struct tz_fed_node_rec, endpoint), TZ_FS_URL, "http://x", "endpoint"},
        {offsetof(struct tz_fed_node_rec, cert_sha256), TZ_FS_HEX, "abc", "cert_sha256"},
        {offsetof(struct tz_fed_node_rec, sign_key), TZ_FS_HEX, "zz", "sign_key"},
        {offsetof(struct tz_fed_node_rec, languages), TZ_FS_LIST, "en,", "languages"},
        {offsetof(struct tz_fed_node_rec, msg_types), TZ_FS_LIST, "gossip", "msg_types"},
        {offsetof(struct tz_fed_node_rec, handling), TZ_FS_LIST, "H9", "handling"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        good(&n);
        snprintf((char *)&n + bad[i].off, bad[i].cap, "%s", bad[i].value);
        memset(&errs, 0, sizeof errs);
        assert_int_equal(tz_fed_node_check(&n, &errs), TZ_EINVAL);
        assert_int_equal(errs.count, 1);
        assert_string_equal(errs.items[0].field, bad[i].field);
    }
}

static void test_reasons(void **state)
{
    (void)state;
    for (int r = 0; r < TZ_FED_REASON_COUNT; r++) {
        const char *code = tz_fed_reason_code((enum tz_fed_reason)r);
        enum tz_fed_reason back;
        assert_non_null(code);
        assert_int_equal(tz_fed_reason_parse(code, strlen(code), &back), TZ_OK);
        assert_int_equal(back, r);
    }
    enum tz_fed_reason x;
    assert_int_equal(tz_fed_reason_parse("nope", 4, &x), TZ_EINVAL);
    assert_null(tz_fed_reason_code(TZ_FED_REASON_COUNT));
}

/* A sealed box opens with the addressee's key only, holds none of the plain bytes, and any
 * byte changed fails; a sealed envelope reads back as such. H2 and H3 are sealed, H0 and H1 not. */
static void test_sealed(void **state)
{
    (void)state;
    uint8_t pk2[TZ_FED_SIGN_PK], sk2[TZ_FED_SIGN_SK];
    crypto_sign_keypair(pk2, sk2);
    const char *plain = "{\"text\":\"for the addressee only\"}";
    struct tz_buf box, out;
    tz_buf_init(&box, 4096);
    tz_buf_init(&out, 4096);
    assert_int_equal(tz_fed_seal(plain, strlen(plain), pk, &box), TZ_OK);
    assert_int_equal(box.len, strlen(plain) + crypto_box_SEALBYTES);
    assert_null(memmem(box.data, box.len, "addressee", 9));
    assert_int_equal(tz_fed_unseal(box.data, box.len, sk2, &out), TZ_EFORBIDDEN);
    assert_int_equal(out.len, 0);
    assert_int_equal(tz_fed_unseal(box.data, box.len, sk, &out), TZ_OK);
    assert_int_equal(out.len, strlen(plain));
    assert_memory_equal(out.data, plain, out.len);
    box.data[box.len / 2] ^= 1;
    tz_buf_free(&out);
    tz_buf_init(&out, 4096);
    assert_int_equal(tz_fed_unseal(box.data, box.len, sk, &out), TZ_EFORBIDDEN);
    assert_int_equal(tz_fed_unseal(box.data, 10, sk, &out), TZ_EFORBIDDEN);
    struct tz_fed_envelope env = {
        .kind = TZ_FED_SEALED, .id = 5, .at = 1, .body = box.data, .body_len = box.len};
    snprintf(env.from, sizeof env.from, "PL");
    snprintf(env.to, sizeof env.to, "AZ");
    tz_buf_free(&out);
    tz_buf_init(&out, 8192);
    assert_int_equal(tz_fed_envelope_write(&env, sk, &out), TZ_OK);
    struct tz_fed_envelope back;
    assert_int_equal(tz_fed_envelope_parse(out.data, out.len, &back), TZ_OK);
    assert_int_equal(back.kind, TZ_FED_SEALED);
    assert_int_equal(back.body_len, box.len);
    assert_true(tz_fed_envelope_verify(&back, out.data, pk));
    assert_true(tz_fed_must_seal("H2") && tz_fed_must_seal("H3"));
    assert_false(tz_fed_must_seal("H0") || tz_fed_must_seal("H1") || tz_fed_must_seal(NULL));
    tz_buf_free(&box);
    tz_buf_free(&out);
}

/* A batch's body holds envelopes one after another: each reads alone, in order, and nothing may
 * follow the last byte of a lone envelope. The batch and read kinds read back. */
static void test_batch_body(void **state)
{
    (void)state;
    struct tz_buf a, b, both;
    written("{\"a\":1}", &a);
    written("{\"b\":22}", &b);
    tz_buf_init(&both, TZ_FED_ENVELOPE_MAX);
    assert_int_equal(tz_buf_append(&both, a.data, a.len), TZ_OK);
    assert_int_equal(tz_buf_append(&both, b.data, b.len), TZ_OK);
    struct tz_fed_envelope e;
    size_t used = 0;
    assert_int_equal(tz_fed_envelope_parse(both.data, both.len, &e), TZ_EMALFORMED);
    assert_int_equal(tz_fed_envelope_next(both.data, both.len, &e, &used), TZ_OK);
    assert_int_equal(used, a.len);
    assert_true(tz_fed_envelope_verify(&e, both.data, pk));
    assert_int_equal(tz_fed_envelope_next(both.data + used, both.len - used, &e, &used), TZ_OK);
    assert_int_equal(used, b.len);
    assert_int_equal(e.body_len, 8);
    /* one byte short of the second: no envelope there */
    assert_int_equal(tz_fed_envelope_next(both.data + a.len, b.len - 1, &e, &used), TZ_EMALFORMED);
    const enum tz_fed_kind kinds[] = {TZ_FED_BATCH, TZ_FED_READ};
    for (size_t k = 0; k < 2; k++) {
        struct tz_fed_envelope w = {
            .kind = kinds[k], .id = 5, .at = 1, .body = both.data, .body_len = both.len};
        memcpy(w.from, "PL", 3);
        memcpy(w.to, "AZ", 3);
        struct tz_buf out;
        tz_buf_init(&out, TZ_FED_ENVELOPE_MAX);
        assert_int_equal(tz_fed_envelope_write(&w, sk, &out), TZ_OK);
        assert_int_equal(tz_fed_envelope_parse(out.data, out.len, &e), TZ_OK);
        assert_int_equal(e.kind, kinds[k]);
        assert_int_equal(e.body_len, both.len);
        tz_buf_free(&out);
    }
    tz_buf_free(&a);
    tz_buf_free(&b);
    tz_buf_free(&both);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip), cmocka_unit_test(test_one_form_only),
        cmocka_unit_test(test_backoff),    cmocka_unit_test(test_node_check),
        cmocka_unit_test(test_reasons),    cmocka_unit_test(test_sealed),
        cmocka_unit_test(test_batch_body),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
