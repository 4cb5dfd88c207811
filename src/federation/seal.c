/*
 * seal.c - end-to-end encryption of a message for its addressee node: a libsodium sealed box
 * (crypto_box_seal, X25519 + XSalsa20-Poly1305 with an ephemeral key) to the X25519 key derived
 * from the node's Ed25519 key in the directory, so no second key is published or rotated apart
 * from the signing key. The sender cannot open what it sealed; the signature over the sealed
 * bytes says who sent them.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "federation/internal.h"

bool tz_fed_must_seal(const char *handling)
{
    return handling && (strcmp(handling, "H2") == 0 || strcmp(handling, "H3") == 0);
}

tz_err tz_fed_seal(const char *p, size_t n, const uint8_t pk[TZ_FED_SIGN_PK], struct tz_buf *out)
{
    uint8_t xpk[crypto_box_PUBLICKEYBYTES];
    if (crypto_sign_ed25519_pk_to_curve25519(xpk, pk) != 0)
        return TZ_EINVAL;
    if (n > TZ_FED_ENVELOPE_MAX)
        return TZ_ETOOBIG;
    uint8_t *c = malloc(n + crypto_box_SEALBYTES);
    if (!c)
        return TZ_ENOMEM;
    tz_err err = crypto_box_seal(c, (const uint8_t *)p, n, xpk) != 0
                     ? TZ_EINVAL
                     : tz_buf_append(out, c, n + crypto_box_SEALBYTES);
    free(c);
    return err;
}

tz_err tz_fed_unseal(const char *p, size_t n, const uint8_t sk[TZ_FED_SIGN_SK], struct tz_buf *out)
{
    if (n < crypto_box_SEALBYTES)
        return TZ_EFORBIDDEN;
    uint8_t xsk[crypto_box_SECRETKEYBYTES], xpk[crypto_box_PUBLICKEYBYTES];
    tz_err err = TZ_EFORBIDDEN;
    if (crypto_sign_ed25519_sk_to_curve25519(xsk, sk) != 0 || crypto_scalarmult_base(xpk, xsk) != 0)
        goto done;
    size_t m = n - crypto_box_SEALBYTES;
    uint8_t *plain = malloc(m + 1);
    if (!plain) {
        err = TZ_ENOMEM;
        goto done;
    }
    if (crypto_box_seal_open(plain, (const uint8_t *)p, n, xpk, xsk) == 0)
        err = tz_buf_append(out, plain, m);
    sodium_memzero(plain, m + 1);
    free(plain);
done:
    sodium_memzero(xsk, sizeof xsk);
    return err;
}
