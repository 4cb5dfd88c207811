/*
 * idempotency.c - a report sent twice under one key is stored once (issue 19). The public
 * map's offline outbox sends a report again when it had no answer, which happens when the
 * answer, not the request, was lost; the key it sends (the outbox entry's id) is written with
 * the report in its own transaction (store/idempotency.h), so the second sending finds the
 * first and is answered with it. What the store keeps derives from the key one way only:
 * a hash to find it by and a pad to seal the tracking token with, each in a context of its own,
 * so that neither gives the other and the database gives no token without the key.
 */
#include <string.h>

#include "threatmap/internal.h"

/* The contexts of the three hashes (BLAKE2b keyed by a constant: domain separation). */
static const char CTX_KEY[] = "tarcza/idempotency/key/v1";
static const char CTX_BODY[] = "tarcza/idempotency/body/v1";
static const char CTX_SEAL[] = "tarcza/idempotency/seal/v1";

static void hash_in(const char *ctx, const void *data, size_t n, uint8_t *out, size_t out_len)
{
    crypto_generichash(out, out_len, data, n, (const unsigned char *)ctx, strlen(ctx));
}

bool tz_threatmap_idem_key_ok(const char *key, size_t n)
{
    if (!key || n < TZ_IDEM_KEY_MIN || n > TZ_IDEM_KEY_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c < 0x21 || c > 0x7E || c == '"' || c == '\\')
            return false;
    }
    return true;
}

/* XORs token (len bytes, len <= TZ_IDEM_SEAL_MAX) with the key's pad: seals and unseals. */
static void seal(const char *key, size_t key_len, const uint8_t *in, size_t len, uint8_t *out)
{
    uint8_t pad[TZ_IDEM_SEAL_MAX];
    hash_in(CTX_SEAL, key, key_len, pad, sizeof pad);
    for (size_t i = 0; i < len; i++)
        out[i] = in[i] ^ pad[i];
    sodium_memzero(pad, sizeof pad);
}

tz_err tz_threatmap_set_idempotency(struct tz_submission *sub, const char *key, size_t key_len,
                                    const void *body, size_t body_len)
{
    size_t token_len = strlen(sub->token);
    if (!tz_threatmap_idem_key_ok(key, key_len) || token_len == 0 || token_len > TZ_IDEM_SEAL_MAX)
        return TZ_EINVAL;
    struct tz_report_idem *k = &sub->rec.idem;
    hash_in(CTX_KEY, key, key_len, k->key_hash, sizeof k->key_hash);
    hash_in(CTX_BODY, body, body_len, k->body_hash, sizeof k->body_hash);
    seal(key, key_len, (const uint8_t *)sub->token, token_len, k->seal);
    k->seal_len = token_len;
    k->photo_count = (int)sub->rec.photo_count;
    k->set = true;
    return TZ_OK;
}

tz_err tz_threatmap_idem_replay(struct tz_threatmap *tm, const char *key, size_t key_len,
                                const void *body, size_t body_len, struct tz_submission *out)
{
    memset(out, 0, sizeof *out);
    if (!tz_threatmap_idem_key_ok(key, key_len))
        return TZ_EINVAL;
    uint8_t key_hash[TZ_HASH_LEN], body_hash[TZ_HASH_LEN];
    hash_in(CTX_KEY, key, key_len, key_hash, sizeof key_hash);
    struct tz_report_idem k;
    tz_err err = tz_store_report_by_idempotency_key(tm->store, key_hash, &k);
    if (err)
        return err; /* TZ_ENOTFOUND: a new key */
    hash_in(CTX_BODY, body, body_len, body_hash, sizeof body_hash);
    if (sodium_memcmp(body_hash, k.body_hash, sizeof body_hash) != 0 ||
        k.seal_len >= sizeof out->token)
        return TZ_ECONFLICT;
    if ((err = tz_store_get_report(tm->store, k.report_id, &out->rec)))
        return err;
    seal(key, key_len, k.seal, k.seal_len, (uint8_t *)out->token);
    out->token[k.seal_len] = '\0';
    out->replayed = true;
    out->replayed_photos = k.photo_count;
    return TZ_OK;
}
