/*
 * apikeys.c - API keys of the Open311 interface. A key is 32 random bytes,
 * shown once to the admin who makes it; the store keeps only a hash of it.
 * The key carries 256 bits of chance, so a fast hash (BLAKE2b) is enough: a
 * slow password hash guards guessable secrets, and a random key is not one.
 */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "threatmap/internal.h"

#define KEY_PREFIX "tz311_"
#define KEY_RAW_BYTES 32

static void key_hash(const char *key, size_t n, uint8_t hash[TZ_HASH_LEN])
{
    crypto_generichash(hash, TZ_HASH_LEN, (const unsigned char *)key, n, NULL, 0);
}

/* The audit entry of who (actor, role, client) for action at now; the rest is the caller's. */
static struct tz_audit_rec entry_of(const struct tz_audit_rec *who, const char *action, int64_t now)
{
    return (struct tz_audit_rec){.at = now,
                                 .actor = who->actor,
                                 .role = who->role,
                                 .client = who->client,
                                 .action = action,
                                 .outcome = "ok"};
}

tz_err tz_threatmap_apikey_create(struct tz_store *store, const char *name, int64_t now,
                                  const struct tz_audit_rec *who, char key[TZ_API_KEY_TEXT_MAX],
                                  int64_t *id)
{
    unsigned char raw[KEY_RAW_BYTES];
    uint8_t hash[TZ_HASH_LEN];
    struct tz_buf fields;
    tz_buf_init(&fields, 256);
    struct tz_audit_rec audit = {0};
    if (who) { /* the holder's name, as JSON; the store names the object apikey/ID */
        audit = entry_of(who, tz_audit_code(TZ_AUDIT_APIKEY_ADD), now);
        tz_err err = tz_buf_puts(&fields, "{\"name\":");
        if (!err)
            err = tz_buf_json_cstr(&fields, name ? name : "");
        if (!err)
            err = tz_buf_puts(&fields, "}");
        if (err) {
            tz_buf_free(&fields);
            return err == TZ_ETOOBIG ? TZ_EINVAL : err;
        }
        audit.fields = fields.data;
    }
    if (sodium_init() < 0) {
        tz_buf_free(&fields);
        return TZ_EIO;
    }
    randombytes_buf(raw, sizeof raw);
    size_t prefix = strlen(KEY_PREFIX);
    memcpy(key, KEY_PREFIX, prefix);
    sodium_bin2base64(key + prefix, TZ_API_KEY_TEXT_MAX - prefix, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    key_hash(key, strlen(key), hash);
    tz_err err = tz_store_put_api_key(store, name, hash, now, who ? &audit : NULL, id);
    if (err)
        sodium_memzero(key, TZ_API_KEY_TEXT_MAX);
    tz_buf_free(&fields);
    return err;
}

tz_err tz_threatmap_apikey_revoke(struct tz_store *store, int64_t id, int64_t now,
                                  const struct tz_audit_rec *who)
{
    if (!who)
        return tz_store_revoke_api_key(store, id, now, NULL);
    char object[48];
    snprintf(object, sizeof object, "apikey/%lld", (long long)id);
    struct tz_audit_rec audit = entry_of(who, tz_audit_code(TZ_AUDIT_APIKEY_REVOKE), now);
    audit.object = object;
    tz_err err = tz_store_revoke_api_key(store, id, now, &audit);
    if (err == TZ_ENOTFOUND || err == TZ_ECONFLICT) {
        struct tz_audit_rec refused = entry_of(who, tz_audit_code(TZ_AUDIT_APIKEY_REVOKE), now);
        refused.object = object;
        refused.outcome = "refused";
        refused.note = err == TZ_ENOTFOUND ? "no such key" : "revoked already";
        tz_err aerr = tz_store_audit_append(store, &refused);
        err = aerr ? aerr : err;
    }
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

tz_err tz_threatmap_apikey_list(struct tz_store *store, struct tz_api_key_rec **keys, size_t *count)
{
    return tz_store_api_keys(store, keys, count);
}
