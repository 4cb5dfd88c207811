/*
 * audit_hash.c - the audit chain's hash (audit.h).
 *
 * It lives here, not in a backend, because every backend and the verifier
 * (src/auth) must compute exactly the same bytes.
 */
#include <string.h>

#include <sodium.h>

#include "store/audit.h"

#define AUDIT_DOMAIN "tarcza-audit-v1"

static void hash_u64(crypto_generichash_state *h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    crypto_generichash_update(h, b, sizeof b);
}

/* A text field: a presence byte, its length, its bytes (so NULL, "" and "a","b" vs "ab" differ). */
static void hash_text(crypto_generichash_state *h, const char *s)
{
    uint8_t present = s != NULL;
    crypto_generichash_update(h, &present, 1);
    size_t n = s ? strlen(s) : 0;
    hash_u64(h, n);
    if (n)
        crypto_generichash_update(h, (const unsigned char *)s, n);
}

void tz_store_audit_hash(const struct tz_audit_rec *r, const uint8_t prev[TZ_HASH_LEN],
                         uint8_t out[TZ_HASH_LEN])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, TZ_HASH_LEN);
    crypto_generichash_update(&h, (const unsigned char *)AUDIT_DOMAIN, sizeof AUDIT_DOMAIN - 1);
    crypto_generichash_update(&h, prev, TZ_HASH_LEN);
    hash_u64(&h, (uint64_t)r->seq);
    hash_u64(&h, (uint64_t)r->at);
    hash_text(&h, r->actor);
    hash_text(&h, r->role);
    hash_text(&h, r->client);
    hash_text(&h, r->action);
    hash_text(&h, r->object);
    hash_text(&h, r->fields);
    hash_text(&h, r->note);
    hash_text(&h, r->outcome);
    crypto_generichash_final(&h, out, TZ_HASH_LEN);
}
