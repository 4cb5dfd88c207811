/*
 * fuzz_federation.c - libFuzzer harness of federation's envelope (federation/envelope.c), the
 * first reader a partner's bytes meet: the canonical form parsed, and its signature checked.
 *
 * What must hold, beyond "no crash, no undefined behaviour":
 *   - an envelope that is read lies inside the bytes: its body ends where the signature line
 *     begins, the signature covers exactly the header and the body, its ids are capitals,
 *     digits, '-' and '_';
 *   - what is read writes back (with the same fields and body, signed by a fixed key) to bytes
 *     that read again as the same fields and body, and whose signature verifies with that key
 *     and with no other;
 *   - the same bytes as the body of a new envelope: written, read back whole, verified; any one
 *     byte of it changed (picked by the input) and it is either no envelope or not verified.
 */
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "federation/federation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pk[TZ_FED_SIGN_PK], sk[TZ_FED_SIGN_SK], other_pk[TZ_FED_SIGN_PK];

static void keys(void)
{
    static bool made;
    if (made)
        return;
    uint8_t seed[32] = {1}, other_sk[TZ_FED_SIGN_SK];
    FUZZ_CHECK(sodium_init() >= 0, "sodium");
    crypto_sign_seed_keypair(pk, sk, seed);
    seed[0] = 2;
    crypto_sign_seed_keypair(other_pk, other_sk, seed);
    made = true;
}

static bool id_ok(const char *s)
{
    size_t n = strnlen(s, TZ_FS_ID);
    if (n < 2 || n >= TZ_FS_ID)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '_'))
            return false;
    return true;
}

static void same(const struct tz_fed_envelope *a, const struct tz_fed_envelope *b)
{
    FUZZ_CHECK(a->kind == b->kind && a->id == b->id && a->sender_case == b->sender_case &&
                   a->receiver_case == b->receiver_case && a->in_reply_to == b->in_reply_to &&
                   a->at == b->at && strcmp(a->from, b->from) == 0 && strcmp(a->to, b->to) == 0,
               "fields differ after a round trip");
    FUZZ_CHECK(a->body_len == b->body_len &&
                   (a->body_len == 0 || memcmp(a->body, b->body, a->body_len) == 0),
               "body differs after a round trip");
}

/* What was read writes back, reads again the same, and verifies with the writer's key only. */
static void round_trip(const struct tz_fed_envelope *env)
{
    struct tz_buf b;
    tz_buf_init(&b, TZ_FED_ENVELOPE_MAX + 1024);
    tz_err err = tz_fed_envelope_write(env, sk, &b);
    if (err == TZ_ENOMEM || err == TZ_ETOOBIG) {
        tz_buf_free(&b);
        return;
    }
    FUZZ_CHECK(err == TZ_OK, "write: %d", (int)err);
    struct tz_fed_envelope again;
    err = tz_fed_envelope_parse(b.data, b.len, &again);
    if (err == TZ_ETOOBIG) {
        tz_buf_free(&b);
        return;
    }
    FUZZ_CHECK(err == TZ_OK, "what was written does not read: %d", (int)err);
    same(env, &again);
    FUZZ_CHECK(tz_fed_envelope_verify(&again, b.data, pk), "own signature refused");
    FUZZ_CHECK(!tz_fed_envelope_verify(&again, b.data, other_pk), "another key's signature taken");
    tz_buf_free(&b);
}

/* The input as a body: written, read, verified; one byte changed, refused. */
static void as_body(const uint8_t *data, size_t size)
{
    if (size == 0)
        return;
    struct tz_fed_envelope env = {.kind = TZ_FED_MESSAGE,
                                  .id = 7,
                                  .sender_case = 3,
                                  .at = 1,
                                  .body = (const char *)data,
                                  .body_len = size};
    memcpy(env.from, "PL", 3);
    memcpy(env.to, "AZ", 3);
    struct tz_buf b;
    tz_buf_init(&b, TZ_FED_ENVELOPE_MAX + 1024);
    if (tz_fed_envelope_write(&env, sk, &b) != TZ_OK) {
        tz_buf_free(&b);
        return;
    }
    struct tz_fed_envelope got;
    FUZZ_CHECK(tz_fed_envelope_parse(b.data, b.len, &got) == TZ_OK, "a written body not read");
    same(&env, &got);
    FUZZ_CHECK(tz_fed_envelope_verify(&got, b.data, pk), "signature refused");
    size_t at = (size_t)data[0] * 257 % b.len;
    b.data[at] ^= (char)(data[size - 1] | 1);
    if (tz_fed_envelope_parse(b.data, b.len, &got) == TZ_OK)
        FUZZ_CHECK(!tz_fed_envelope_verify(&got, b.data, pk), "a changed byte %zu verified", at);
    tz_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    keys();
    struct tz_fed_envelope env;
    const char *p = (const char *)data;
    if (tz_fed_envelope_parse(p, size, &env) == TZ_OK) {
        FUZZ_CHECK(env.body >= p && env.body + env.body_len <= p + size, "body outside");
        FUZZ_CHECK(env.signed_len == (size_t)(env.body - p) + env.body_len, "signed bytes");
        FUZZ_CHECK(size == env.signed_len + 12 + 2 * TZ_FED_SIG + 1, "trailing bytes");
        FUZZ_CHECK(id_ok(env.from) && id_ok(env.to), "ids");
        FUZZ_CHECK(env.id >= 0 && env.at >= 0 && env.sender_case >= 0, "numbers");
        (void)tz_fed_envelope_verify(&env, p, pk);
        round_trip(&env);
    }
    as_body(data, size);
    return 0;
}
