/* internal.h - what the files of src/auth share. Not part of the module's promise. */
#ifndef TZ_AUTH_INTERNAL_H
#define TZ_AUTH_INTERNAL_H

#include "auth/auth.h"

struct tz_auth {
    struct tz_store *store;
    struct tz_auth_config cfg;
    tz_auth_clock_fn clock;
    void *clock_ctx;
};

/* Hex of n bytes into out (2n + 1 bytes). */
void auth_hex(const uint8_t *data, size_t n, char *out);
/* BLAKE2b-256 of a secret's bytes, as the store keeps it. */
void auth_secret_hash(const uint8_t *secret, size_t n, uint8_t out[TZ_HASH_LEN]);
/* Fills p from an account (role parsed); TZ_EIO for a role the table does not know. */
tz_err auth_principal(const struct tz_account_rec *rec, struct tz_principal *p);

#endif
