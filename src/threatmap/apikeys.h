/*
 * apikeys.h - the API keys of Open311 clients (part of threatmap.h): made,
 * revoked and listed with their audit entries, checked on each POST; only a
 * key's hash is stored.
 */
#ifndef TZ_THREATMAP_APIKEYS_H
#define TZ_THREATMAP_APIKEYS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct tz_threatmap;

/* An Open311 API key as text ("tz311_" and 43 base64url characters), NUL included. */
#define TZ_API_KEY_TEXT_MAX 64
/*
 * Makes a new random API key for the holder `name`, stores only its hash and
 * writes the key (to be shown once) and its id. who (may be NULL) names the
 * actor, role and client of the audit entry "apikey.add", written in the same
 * transaction as the key. TZ_EINVAL for a bad name.
 */
tz_err tz_threatmap_apikey_create(struct tz_store *store, const char *name, int64_t now,
                                  const struct tz_audit_rec *who, char key[TZ_API_KEY_TEXT_MAX],
                                  int64_t *id);
/*
 * Revokes key id at now with the audit entry "apikey.revoke" of who (actor,
 * role, client; NULL: no entry) in the same transaction; a refusal (TZ_ENOTFOUND: no such
 * key, TZ_ECONFLICT: revoked already) is audited as refused.
 */
tz_err tz_threatmap_apikey_revoke(struct tz_store *store, int64_t id, int64_t now,
                                  const struct tz_audit_rec *who);
/* The id of the valid key `key`: TZ_EFORBIDDEN when it is missing, unknown, revoked or malformed.
 */
tz_err tz_threatmap_apikey_check(struct tz_threatmap *tm, const char *key, int64_t *id);
/* Every key, revoked ones too, oldest first; free *keys with free(). */
tz_err tz_threatmap_apikey_list(struct tz_store *store, struct tz_api_key_rec **keys,
                                size_t *count);

#endif
