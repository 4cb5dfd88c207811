/*
 * apikeys.h - the store's API keys of the Open311 interface (migration 6).
 */
#ifndef TZ_STORE_APIKEYS_H
#define TZ_STORE_APIKEYS_H

#include "store/common.h"

/* An API key of the Open311 interface (migration 6). The key itself is never stored. */
#define TZ_API_KEY_NAME_MAX 64 /* bytes of a key's name, NUL included */
struct tz_api_key_rec {
    int64_t id;
    char name[TZ_API_KEY_NAME_MAX]; /* who holds it, for the admin */
    int64_t created_at;
    int64_t revoked_at; /* 0 while it is valid */
};

/*
 * The operations on API keys, declared once (see common.h): X(name, (parameters),
 * (arguments), preconditions).
 */
/* clang-format off */
#define TZ_STORE_APIKEY_OPS(X)                                                                     \
    /*                                                                                             \
     * Stores a new key by its hash, and audit (may be NULL; a NULL object becomes                 \
     * "apikey/ID") in the same transaction. TZ_EINVAL for an empty or too long                    \
     * name or a hash already used.                                                                \
     */                                                                                            \
    X(put_api_key, (struct tz_store *store, const char *name, const uint8_t hash[TZ_HASH_LEN],     \
       int64_t now, const struct tz_audit_rec *audit, int64_t *id),                                \
      (store, name, hash, now, audit, id),                                                         \
      TZ_PRE_NEED(hash && TZ_PRE_FITS(name, TZ_API_KEY_NAME_MAX) && name[0]) TZ_PRE_ZERO(id))      \
    /*                                                                                             \
     * Revokes a key at now, with audit (may be NULL) in the same transaction:                     \
     * TZ_ENOTFOUND if there is none, TZ_ECONFLICT if it is already revoked.                       \
     */                                                                                            \
    X(revoke_api_key, (struct tz_store *store, int64_t id, int64_t now,                            \
       const struct tz_audit_rec *audit),                                                          \
      (store, id, now, audit),                                                                     \
      TZ_PRE_IF(id <= 0, TZ_ENOTFOUND))                                                            \
    /* Every key, oldest first; free the array with free(). */                                     \
    X(api_keys, (struct tz_store *store, struct tz_api_key_rec **out, size_t *count),              \
      (store, out, count),                                                                         \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /* The id of the valid (not revoked) key with this hash; TZ_ENOTFOUND if there is none. */     \
    X(find_api_key, (struct tz_store *store, const uint8_t hash[TZ_HASH_LEN], int64_t *id),        \
      (store, hash, id),                                                                           \
      TZ_PRE_NEED(hash) TZ_PRE_ZERO(id))
/* clang-format on */
TZ_STORE_APIKEY_OPS(TZ_STORE_DECLARE)

#endif
