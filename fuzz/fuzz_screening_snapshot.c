/*
 * fuzz_screening_snapshot.c - libFuzzer harness of the offline copy's reader (tz_snap_apply,
 * screening/snapshot_read.c) and of the offline service built from what it takes.
 *
 * The reader checks the Ed25519 signature before anything else, so mutated files would never
 * get past it: the harness signs what it is given with a key of its own (the reader is then
 * fuzzed as if the signer were careless or hostile), and also hands the input over as it is
 * (the signature line's own reading). The first byte picks the mode: bit 0, the input is a
 * delta on a fixed base snapshot (BASE below, the state of a small list) rather than a file on
 * an empty state; bit 1, the input is passed unsigned.
 *
 * What must hold, beyond "no crash, no undefined behaviour, no leak":
 *   - a refused file says why and leaves the state as it was (same digest);
 *   - a taken file makes a state whose digest is the one its header names, which written back
 *     as a full snapshot and read again is the same state, line for line;
 *   - an offline service builds from any state taken, and answers a query.
 */
#include <string.h>

#include <sodium.h>

#include "check.h"
#include "screening/snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BODY_MAX 65536

static const char BASE[] =
    "{\"count\":3,\"created\":\"2026-12-07T21:34:09Z\",\"format\":\"tarcza-watchlist-snapshot\","
    "\"kind\":\"full\",\"position\":{\"lists\":1,\"notices\":0},\"removed\":0,\"state\":"
    "\"ee92657a2c23ef68bf7f6ffdf64627a5fcce790d0c75f3cf6f9f63aea9a3c514\",\"version\":1}\n"
    "{\"entries\":[{\"country\":\"DEU\",\"number\":\"XY0I1\",\"status\":\"lost\",\"type\":\"id_"
    "card\",\"valid_until\":\"\"}],\"k\":\"document\",\"record_id\":\"D1\",\"source\":\"wanted\"}\n"
    "{\"entries\":[{\"birth_date\":\"1961-12-24\",\"name\":\"Ильхам "
    "Алиев\",\"nationality\":\"az\",\"sex\":\"m\"},{\"birth_date\":\"1961-12-24\",\"name\":\"Ilham "
    "Aliyev\",\"nationality\":\"az\",\"sex\":\"m\"}],\"k\":\"person\",\"record_id\":\"P1\","
    "\"source\":\"wanted\"}\n"
    "{\"entries\":[{\"colour\":\"\",\"make\":\"\",\"model\":\"\",\"plate\":\"WO "
    "12345\",\"plate_country\":\"PL\",\"status\":\"stolen\",\"vin\":\"WVWZZZ1JZXW000001\"}],\"k\":"
    "\"vehicle\",\"record_id\":\"V1\",\"source\":\"wanted\"}\n";

static uint8_t pk[32], sk[64];

/* The body signed: body, then its signature line (out holds at least n + 200 bytes). */
static size_t sign(const uint8_t *body, size_t n, char *out)
{
    uint8_t sig[crypto_sign_BYTES];
    char hex[2 * crypto_sign_BYTES + 1];
    crypto_sign_detached(sig, NULL, body, n, sk);
    sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
    memcpy(out, body, n);
    return n + (size_t)sprintf(out + n, "{\"signature\":\"%s\"}\n", hex);
}

static void check_state_written_back(struct tz_snap_state *st, const struct tz_snap_info *info)
{
    uint8_t digest[TZ_SNAP_DIGEST];
    FUZZ_CHECK(tz_snap_state_digest(st, digest) == TZ_OK, "digest");
    FUZZ_CHECK(memcmp(digest, info->state, TZ_SNAP_DIGEST) == 0, "the state is not the header's");
    struct tz_buf b;
    struct tz_snap_info w = {.lists_version = info->lists_version};
    struct tz_snap_state *back = NULL;
    char why[TZ_SNAP_WHY_MAX];
    tz_buf_init(&b, (size_t)64 << 20);
    FUZZ_CHECK(tz_snap_write(st, NULL, sk, &w, &b) == TZ_OK, "write");
    FUZZ_CHECK(tz_snap_state_new(&back) == TZ_OK, "new");
    tz_err err = tz_snap_apply(back, b.data, b.len, pk, NULL, why);
    FUZZ_CHECK(err == TZ_OK, "written back, refused: %s", why);
    FUZZ_CHECK(tz_snap_state_equal(st, back), "written back, another state");
    tz_snap_state_free(back);
    tz_buf_free(&b);
}

static void check_offline(struct tz_snap_state *st)
{
    struct tz_screening *s = NULL;
    FUZZ_CHECK(tz_screening_open_offline(st, NULL, &s) == TZ_OK, "offline service");
    struct tz_field_errors errs = {0};
    struct tz_screen_answer a = {0};
    struct tz_screen_person_query q = {.name = "Ilham Aliyev", .reason = "fuzz"};
    FUZZ_CHECK(tz_screening_offline_person(s, &q, &errs, &a) == TZ_OK, "query");
    tz_screen_answer_clear(&a);
    tz_screening_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    static char file[BODY_MAX + 256];
    if (!ready) {
        uint8_t seed[crypto_sign_SEEDBYTES] = {7};
        FUZZ_CHECK(sodium_init() >= 0, "sodium");
        crypto_sign_seed_keypair(pk, sk, seed);
        ready = true;
    }
    if (size < 1 || size - 1 > BODY_MAX)
        return 0;
    bool delta = data[0] & 1, raw = data[0] & 2;
    struct tz_snap_state *st = NULL;
    char why[TZ_SNAP_WHY_MAX];
    FUZZ_CHECK(tz_snap_state_new(&st) == TZ_OK, "new");
    if (delta) {
        size_t n = sign((const uint8_t *)BASE, sizeof BASE - 1, file);
        FUZZ_CHECK(tz_snap_apply(st, file, n, pk, NULL, why) == TZ_OK, "base: %s", why);
    }
    uint8_t before[TZ_SNAP_DIGEST], after[TZ_SNAP_DIGEST];
    FUZZ_CHECK(tz_snap_state_digest(st, before) == TZ_OK, "digest");
    size_t n = raw ? size - 1 : sign(data + 1, size - 1, file);
    if (raw)
        memcpy(file, data + 1, n);
    struct tz_snap_info info;
    tz_err err = tz_snap_apply(st, file, n, pk, &info, why);
    FUZZ_CHECK(err == TZ_OK || err == TZ_EINVAL, "error %d", (int)err);
    if (err) {
        FUZZ_CHECK(why[0] && strnlen(why, sizeof why) < sizeof why, "no reason");
        FUZZ_CHECK(tz_snap_state_digest(st, after) == TZ_OK, "digest");
        FUZZ_CHECK(memcmp(before, after, TZ_SNAP_DIGEST) == 0, "a refused file changed the state");
    } else {
        check_state_written_back(st, &info);
        check_offline(st);
    }
    tz_snap_state_free(st);
    return 0;
}
