/*
 * apikeys.c - API keys of the Open311 interface. A key is 32 random bytes,
 * shown once to the admin who makes it; the store keeps only a hash of it.
 * The key carries 256 bits of chance, so a fast hash (BLAKE2b) is enough: a
 * slow password hash guards guessable secrets, and a random key is not one.
 */
#include <string.h>

#include "threatmap/internal.h"

#define KEY_PREFIX "tz311_"
#define KEY_RAW_BYTES 32

static void key_hash(const char *key, size_t n, uint8_t hash[TZ_HASH_LEN])
{
    crypto_generichash(hash, TZ_HASH_LEN, (const unsigned char *)key, n, NULL, 0);
}

tz_err tz_threatmap_apikey_create(struct tz_store *store, const char *name, int64_t now,
                                  char key[TZ_API_KEY_TEXT_MAX], int64_t *id)
{
    unsigned char raw[KEY_RAW_BYTES];
    uint8_t hash[TZ_HASH_LEN];
    if (sodium_init() < 0)
        return TZ_EIO;
    randombytes_buf(raw, sizeof raw);
    size_t prefix = strlen(KEY_PREFIX);
    memcpy(key, KEY_PREFIX, prefix);
    sodium_bin2base64(key + prefix, TZ_API_KEY_TEXT_MAX - prefix, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    key_hash(key, strlen(key), hash);
    tz_err err = tz_store_put_api_key(store, name, hash, now, id);
    if (err)
        sodium_memzero(key, TZ_API_KEY_TEXT_MAX);
    return err;
}

/* Whether s has the shape of a key this service gives out (prefix, then base64url). */
static bool key_shaped(const char *s, size_t n)
{
    size_t prefix = strlen(KEY_PREFIX);
    if (n <= prefix || n >= TZ_API_KEY_TEXT_MAX || memcmp(s, KEY_PREFIX, prefix) != 0)
        return false;
    for (size_t i = prefix; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

tz_err tz_threatmap_apikey_check(struct tz_threatmap *tm, const char *key, int64_t *id)
{
    *id = 0;
    size_t n = key ? strnlen(key, TZ_API_KEY_TEXT_MAX) : 0;
    if (!key_shaped(key ? key : "", n))
        return TZ_EFORBIDDEN;
    uint8_t hash[TZ_HASH_LEN];
    key_hash(key, n, hash);
    tz_err err = tz_store_find_api_key(tm->store, hash, id);
    return err == TZ_ENOTFOUND ? TZ_EFORBIDDEN : err;
}
