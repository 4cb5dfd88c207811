/*
 * terms.c - what this node takes from each partner, and which keys (migration 23): the partner's
 * acceptance terms (message types, handling codes, a body's size), the rotation of its signing
 * key and certificate (the replaced ones still taken for a stated overlap, then refused), and
 * this node's revocation list (keys whose envelopes are refused with a signed negative receipt,
 * certificates refused at the door). Each change is audited in its own transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "federation/internal.h"

/* Copies s into dst (cap bytes): false when it does not fit. */
static bool copy(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap)
        return false;
    memcpy(dst, s, n + 1);
    return true;
}

/* Checks and writes a partner's changed entry n, audited with note. */
static tz_err change(struct tz_fed *f, const struct tz_xactor *who, struct tz_fed_node_rec *n,
                     const char *note, struct tz_field_errors *errs)
{
    if (tz_fed_node_check(n, errs))
        return TZ_EINVAL;
    struct tz_audit_rec a =
        tz_fed_person_audit(f, who, tz_audit_code(TZ_AUDIT_FED_NODE_CHANGE), "ok");
    a.note = note;
    return tz_store_fed_node_set(f->store, n, &a);
}

tz_err tz_fed_node_terms(struct tz_fed *f, const struct tz_xactor *who, const char *id,
                         const char *types, const char *handling, int64_t max_bytes,
                         struct tz_field_errors *errs)
{
    struct tz_fed_node_rec n;
    if (strlen(id) >= TZ_FS_ID)
        return TZ_ENOTFOUND;
    tz_err err = tz_store_fed_node_get(f->store, id, &n);
    if (err)
        return err;
    if (!copy(n.accept_types, sizeof n.accept_types, types ? types : ""))
        tz_fielderr_add(errs, "accept_types", "too long");
    if (!copy(n.accept_handling, sizeof n.accept_handling, handling ? handling : ""))
        tz_fielderr_add(errs, "accept_handling", "too long");
    if (errs->count)
        return TZ_EINVAL;
    n.accept_max_bytes = max_bytes;
    return change(f, who, &n, "terms", errs);
}

tz_err tz_fed_node_rekey(struct tz_fed *f, const struct tz_xactor *who, const char *id,
                         const char *sign_key, const char *cert_sha256, int64_t overlap_s,
                         struct tz_field_errors *errs)
{
    struct tz_fed_node_rec n;
    if (strlen(id) >= TZ_FS_ID)
        return TZ_ENOTFOUND;
    tz_err err = tz_store_fed_node_get(f->store, id, &n);
    if (err)
        return err;
    if (overlap_s < 0 || overlap_s > 90 * 86400)
        tz_fielderr_add(errs, "overlap_s", "0 to 90 days in seconds");
    memcpy(n.prev_sign_key, n.sign_key, sizeof n.sign_key);
    if (!sign_key || !copy(n.sign_key, sizeof n.sign_key, sign_key))
        tz_fielderr_add(errs, "sign_key", "the Ed25519 public key as 64 hex digits");
    n.prev_cert_sha256[0] = '\0';
    if (cert_sha256) {
        memcpy(n.prev_cert_sha256, n.cert_sha256, sizeof n.cert_sha256);
        if (!copy(n.cert_sha256, sizeof n.cert_sha256, cert_sha256))
            tz_fielderr_add(errs, "cert_sha256", "the certificate's SHA-256 as 64 hex digits");
    }
    if (errs->count)
        return TZ_EINVAL;
    n.prev_until = tz_exchange_now(f->x) + overlap_s;
    return change(f, who, &n, cert_sha256 ? "keys: signing and certificate" : "keys: signing",
                  errs);
}

tz_err tz_fed_revoke(struct tz_fed *f, const struct tz_xactor *who, const char *kind,
                     const char *hex, const char *reason, struct tz_field_errors *errs)
{
    struct tz_fed_revoked_rec r = {.revoked_at = tz_exchange_now(f->x)};
    char h[TZ_FS_HEX];
    bool key = kind && strcmp(kind, "key") == 0;
    if (!key && !(kind && strcmp(kind, "cert") == 0))
        tz_fielderr_add(errs, "kind", "key or cert");
    if (!hex || !copy(h, sizeof h, hex) || !tz_fed_hex32(h))
        tz_fielderr_add(errs, "hex", "64 hex digits");
    if (!copy(r.reason, sizeof r.reason, reason && reason[0] ? reason : "-"))
        tz_fielderr_add(errs, "reason", "too long");
    if (errs->count)
        return TZ_EINVAL;
    snprintf(r.what, sizeof r.what, "%s:%s", key ? "key" : "cert", h);
    struct tz_fed_node_rec *nodes = NULL; /* whose it is, as far as the directory knows */
    size_t count = 0;
    if (tz_fed_nodes(f, &nodes, &count) == TZ_OK)
        for (size_t i = 0; i < count && !r.node[0]; i++) {
            const struct tz_fed_node_rec *n = &nodes[i];
            if (key ? strcmp(n->sign_key, h) == 0 || strcmp(n->prev_sign_key, h) == 0
                    : strcmp(n->cert_sha256, h) == 0 || strcmp(n->prev_cert_sha256, h) == 0)
                snprintf(r.node, sizeof r.node, "%s", n->id);
        }
    free(nodes);
    if (!r.node[0])
        snprintf(r.node, sizeof r.node, "-");
    struct tz_audit_rec a = tz_fed_person_audit(f, who, tz_audit_code(TZ_AUDIT_FED_REVOKE), "ok");
    a.note = r.reason;
    return tz_store_fed_revoke(f->store, &r, &a);
}

tz_err tz_fed_revoked(struct tz_fed *f, struct tz_fed_revoked_rec **out, size_t *count)
{
    return tz_store_fed_revoked_list(f->store, out, count);
}

/* Whether what ("key:" or "cert:" and hex) is on the revocation list (a failed look-up counts
 * as revoked: nothing is let in that could not be checked). */
static bool revoked(struct tz_fed *f, const char *kind, const char *hex)
{
    char what[TZ_FS_HEX + 8];
    struct tz_fed_revoked_rec r;
    snprintf(what, sizeof what, "%s:%s", kind, hex);
    return tz_store_fed_revoked_get(f->store, what, &r) != TZ_ENOTFOUND;
}

static bool signed_by(const char *hex, const struct tz_fed_envelope *env, const char *p)
{
    uint8_t pk[TZ_FED_SIGN_PK];
    return hex[0] && tz_fed_unhex(hex, pk, sizeof pk) == TZ_OK &&
           tz_fed_envelope_verify(env, p, pk);
}

enum tz_fed_reason tz_fed_signer_ok(struct tz_fed *f, const struct tz_fed_node_rec *node,
                                    const struct tz_fed_envelope *env, const char *p)
{
    const char *key = node->sign_key;
    if (!signed_by(key, env, p)) {
        if (!signed_by(node->prev_sign_key, env, p))
            return TZ_FED_BAD_SIGNATURE;
        if (tz_exchange_now(f->x) >= node->prev_until)
            return TZ_FED_KEY_RETIRED;
        key = node->prev_sign_key;
    }
    return revoked(f, "key", key) ? TZ_FED_REVOKED : TZ_FED_OK;
}

tz_err tz_fed_door(struct tz_fed *f, const char *fpr, char *id)
{
    id[0] = '\0';
    struct tz_fed_node_rec *nodes = NULL;
    size_t count = 0;
    tz_err err = tz_fed_nodes(f, &nodes, &count);
    if (err)
        return err;
    int64_t now = tz_exchange_now(f->x);
    for (size_t i = 0; i < count && !id[0]; i++)
        if (strcmp(nodes[i].cert_sha256, fpr) == 0 ||
            (nodes[i].prev_cert_sha256[0] && strcmp(nodes[i].prev_cert_sha256, fpr) == 0 &&
             now < nodes[i].prev_until))
            snprintf(id, TZ_FS_ID, "%s", nodes[i].id);
    free(nodes);
    if (!id[0])
        return TZ_ENOTFOUND;
    return revoked(f, "cert", fpr) ? TZ_EFORBIDDEN : TZ_OK;
}

/* Renames dir/from to dir/to. */
static tz_err move(const char *dir, const char *from, const char *to)
{
    char a[4096], b[4096];
    if (snprintf(a, sizeof a, "%s/%s", dir, from) >= (int)sizeof a ||
        snprintf(b, sizeof b, "%s/%s", dir, to) >= (int)sizeof b)
        return TZ_EINVAL;
    return rename(a, b) == 0 ? TZ_OK : errno == ENOENT ? TZ_ENOTFOUND : TZ_EIO;
}

tz_err tz_fed_key_rotate(const char *dir, char *pub_hex)
{
    char path[4096];
    uint8_t sk[TZ_FED_SIGN_SK];
    if (snprintf(path, sizeof path, "%s/sign.key", dir) >= (int)sizeof path)
        return TZ_EINVAL;
    tz_err err = tz_fed_key_load(path, sk); /* there is a key to rotate */
    sodium_memzero(sk, sizeof sk);
    if (err)
        return err;
    if ((err = tz_fed_keypair_write(dir, "sign.key.new", "sign.pub.new", pub_hex)))
        return err;
    if (!(err = move(dir, "sign.key", "sign.key.prev")) &&
        !(err = move(dir, "sign.pub", "sign.pub.prev")) &&
        !(err = move(dir, "sign.key.new", "sign.key")))
        err = move(dir, "sign.pub.new", "sign.pub");
    return err;
}
