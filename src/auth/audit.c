/*
 * audit.c - the audit log's entries, the check of its hash chain, its export
 * and its signed checkpoints (DESIGN 5).
 *
 * The store appends entries and links them (tz_store_audit_hash); this file
 * proves the links. A chain can be rewritten whole by someone with write
 * access to the database, so its head is signed from time to time with an
 * Ed25519 key kept outside the database (`tarcza audit checkpoint`, from cron
 * or a timer), and the signed lines are kept off the machine. `tarcza audit
 * verify` with those lines and the public key catches a rewritten chain: the
 * entry at a checkpoint's seq no longer has the signed hash.
 *
 * A checkpoint line: "<seq> <hash hex> <signature hex>\n", the signature
 * over "tarcza-checkpoint-v1" || seq (8 bytes little-endian) || hash.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "auth/internal.h"
#include "base/tztime.h"

#define PAGE 500
#define CHECKPOINT_TAG "tarcza-checkpoint-v1"

struct tz_audit_rec tz_auth_audit_entry(const struct tz_auth *auth, const struct tz_principal *p,
                                        const char *actor, const char *client, const char *action,
                                        const char *object)
{
    return (struct tz_audit_rec){
        .at = tz_auth_now(auth),
        .actor = p       ? p->account.name
                 : actor ? actor
                         : "anonymous",
        .role = p ? tz_auth_role_code(p->role) : NULL,
        .client = client && *client ? client : NULL,
        .action = action,
        .object = object,
        .outcome = "ok",
    };
}

struct tz_audit_rec tz_auth_who_entry(const struct tz_auth *auth, const struct tz_auth_who *who,
                                      const char *action, const char *object)
{
    struct tz_audit_rec a = tz_auth_audit_entry(auth, who->p, who->actor, who->client, action, object);
    if (!who->p)
        a.role = who->role;
    return a;
}

tz_err tz_auth_audit(struct tz_auth *auth, struct tz_audit_rec *rec)
{
    return tz_store_audit_append(auth->store, rec);
}

static void broken(struct tz_audit_verdict *v, int64_t seq, const char *why)
{
    if (v->first_bad == 0) {
        v->first_bad = seq;
        snprintf(v->reason, sizeof v->reason, "%s", why);
    }
}

static void signed_message(int64_t seq, const uint8_t hash[TZ_HASH_LEN], uint8_t *msg, size_t *len)
{
    size_t n = sizeof CHECKPOINT_TAG - 1;
    memcpy(msg, CHECKPOINT_TAG, n);
    for (int i = 0; i < 8; i++)
        msg[n + i] = (uint8_t)((uint64_t)seq >> (8 * i));
    memcpy(msg + n + 8, hash, TZ_HASH_LEN);
    *len = n + 8 + TZ_HASH_LEN;
}

/* One checkpoint line read: seq, hash, signature. */
struct checkpoint {
    int64_t seq;
    uint8_t hash[TZ_HASH_LEN];
    uint8_t sig[crypto_sign_BYTES];
};

static bool parse_checkpoint(const char *line, struct checkpoint *c)
{
    char hash_hex[2 * TZ_HASH_LEN + 2], sig_hex[2 * crypto_sign_BYTES + 2];
    long long seq;
    if (sscanf(line, "%lld %65s %129s", &seq, hash_hex, sig_hex) != 3 || seq <= 0)
        return false;
    size_t n1 = 0, n2 = 0;
    c->seq = seq;
    return sodium_hex2bin(c->hash, sizeof c->hash, hash_hex, strlen(hash_hex), NULL, &n1, NULL) ==
               0 &&
           n1 == TZ_HASH_LEN &&
           sodium_hex2bin(c->sig, sizeof c->sig, sig_hex, strlen(sig_hex), NULL, &n2, NULL) == 0 &&
           n2 == crypto_sign_BYTES;
}

/* The checkpoints as a list; verify looks up each entry's seq in it. */
static tz_err read_checkpoints(FILE *f, const uint8_t pk[32], struct checkpoint **out,
                               size_t *count, struct tz_audit_verdict *v)
{
    char line[512];
    size_t n = 0, cap = 0;
    struct checkpoint *list = NULL;
    while (f && fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct checkpoint *p = realloc(list, ncap * sizeof *list);
            if (!p) {
                free(list);
                return TZ_ENOMEM;
            }
            list = p;
            cap = ncap;
        }
        struct checkpoint *c = &list[n];
        uint8_t msg[64 + TZ_HASH_LEN];
        size_t len;
        if (!parse_checkpoint(line, c)) {
            broken(v, -1, "a line of the checkpoints file cannot be read");
            continue;
        }
        signed_message(c->seq, c->hash, msg, &len);
        if (crypto_sign_verify_detached(c->sig, msg, len, pk) != 0) {
            broken(v, c->seq, "a checkpoint's signature is not valid for this key");
            continue;
        }
        n++;
    }
    *out = list;
    *count = n;
    return TZ_OK;
}

tz_err tz_auth_audit_verify(struct tz_store *store, FILE *checkpoints, const uint8_t public_key[32],
                            struct tz_audit_verdict *v)
{
    memset(v, 0, sizeof *v);
    struct checkpoint *cps = NULL;
    size_t ncp = 0;
    tz_err err = TZ_OK;
    if (checkpoints && public_key &&
        (err = read_checkpoints(checkpoints, public_key, &cps, &ncp, v)))
        return err;
    uint8_t prev[TZ_HASH_LEN] = {0};
    int64_t last = 0;
    for (;;) {
        struct tz_audit_rec *recs = NULL;
        size_t n = 0;
        if ((err = tz_store_audit_read(store, last, PAGE, &recs, &n)))
            break;
        for (size_t i = 0; i < n; i++) {
            const struct tz_audit_rec *r = &recs[i];
            uint8_t want[TZ_HASH_LEN];
            if (r->seq != last + 1)
                broken(v, r->seq, "an entry is missing before this one");
            else if (sodium_memcmp(r->prev_hash, prev, TZ_HASH_LEN) != 0)
                broken(v, r->seq, "its link to the previous entry does not match");
            tz_store_audit_hash(r, r->prev_hash, want);
            if (sodium_memcmp(want, r->hash, TZ_HASH_LEN) != 0)
                broken(v, r->seq, "its contents do not give its hash (altered)");
            for (size_t k = 0; k < ncp; k++) {
                if (cps[k].seq == r->seq) {
                    v->checkpoints++;
                    if (sodium_memcmp(cps[k].hash, r->hash, TZ_HASH_LEN) != 0)
                        broken(v, r->seq, "it differs from the signed checkpoint (rewritten)");
                }
            }
            memcpy(prev, r->hash, TZ_HASH_LEN);
            last = r->seq;
            v->entries++;
        }
        tz_audit_recs_free(recs, n);
        if (n < PAGE)
            break;
    }
    for (size_t k = 0; !err && k < ncp; k++) {
        if (cps[k].seq > last)
            broken(v, last + 1, "the chain ends before a signed checkpoint (truncated)");
    }
    /* Checkpoints asked for and none checked anything: the chain is not proven. */
    if (!err && checkpoints && public_key && v->checkpoints == 0)
        broken(v, -1, "no signed checkpoint in the file matches an entry");
    free(cps);
    v->head_seq = last;
    memcpy(v->head, prev, TZ_HASH_LEN);
    return err;
}

tz_err tz_auth_audit_verify_head(struct tz_store *store, const char *head_path,
                                 struct tz_audit_verdict *v)
{
    int64_t seq = 0;
    uint8_t kept[TZ_HASH_LEN];
    tz_err err = tz_store_audit_head_read(head_path, &seq, kept);
    if (err == TZ_ENOTFOUND || err == TZ_EINVAL) {
        broken(v, -1, "the recorded head is missing or unreadable");
        return TZ_OK;
    }
    if (err)
        return err;
    if (seq > v->head_seq) {
        broken(v, v->head_seq + 1,
               "the chain ends before the head recorded outside the database (entries deleted)");
        return TZ_OK;
    }
    struct tz_audit_rec *rec = NULL;
    size_t n = 0;
    if ((err = tz_store_audit_read(store, seq - 1, 1, &rec, &n)))
        return err;
    if (n != 1 || rec[0].seq != seq || sodium_memcmp(rec[0].hash, kept, TZ_HASH_LEN) != 0)
        broken(v, seq, "it differs from the head recorded outside the database (rewritten)");
    tz_audit_recs_free(rec, n);
    return TZ_OK;
}

static void put_json_text(FILE *out, const char *key, const char *s)
{
    struct tz_buf b;
    tz_buf_init(&b, 1u << 20);
    if (s && tz_buf_json_cstr(&b, s) == TZ_OK)
        fprintf(out, ",\"%s\":%s", key, b.data);
    else
        fprintf(out, ",\"%s\":null", key);
    tz_buf_free(&b);
}

tz_err tz_auth_audit_export(struct tz_store *store, int64_t from, int64_t to, FILE *out)
{
    int64_t last = 0;
    tz_err err = TZ_OK;
    for (;;) {
        struct tz_audit_rec *recs = NULL;
        size_t n = 0;
        if ((err = tz_store_audit_read(store, last, PAGE, &recs, &n)))
            return err;
        for (size_t i = 0; i < n; i++) {
            const struct tz_audit_rec *r = &recs[i];
            last = r->seq;
            if ((from && r->at < from) || (to && r->at >= to))
                continue;
            char at[TZ_TIME_TEXT_MAX], prev[2 * TZ_HASH_LEN + 1], hash[2 * TZ_HASH_LEN + 1];
            tz_time_format(r->at, at);
            auth_hex(r->prev_hash, TZ_HASH_LEN, prev);
            auth_hex(r->hash, TZ_HASH_LEN, hash);
            fprintf(out, "{\"seq\":%" PRId64 ",\"at\":\"%s\"", r->seq, at);
            put_json_text(out, "actor", r->actor);
            put_json_text(out, "role", r->role);
            put_json_text(out, "client", r->client);
            put_json_text(out, "action", r->action);
            put_json_text(out, "object", r->object);
            put_json_text(out, "fields", r->fields);
            put_json_text(out, "note", r->note);
            put_json_text(out, "outcome", r->outcome);
            fprintf(out, ",\"prev_hash\":\"%s\",\"hash\":\"%s\"}\n", prev, hash);
        }
        tz_audit_recs_free(recs, n);
        if (n < PAGE)
            break;
    }
    return ferror(out) ? TZ_EIO : TZ_OK;
}

tz_err tz_auth_checkpoint_keygen(const char *key_file, uint8_t public_key[32])
{
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    char hex[2 * crypto_sign_SECRETKEYBYTES + 2];
    if (sodium_init() < 0)
        return TZ_EIO;
    crypto_sign_keypair(public_key, sk);
    auth_hex(sk, sizeof sk, hex);
    sodium_memzero(sk, sizeof sk);
    int fd = open(key_file, O_WRONLY | O_CREAT | O_EXCL, 0600);
    tz_err err = fd < 0 ? (errno == EEXIST ? TZ_ECONFLICT : TZ_EIO) : TZ_OK;
    size_t len = strlen(hex);
    hex[len++] = '\n';
    if (!err && (write(fd, hex, len) != (ssize_t)len || fsync(fd) != 0))
        err = TZ_EIO;
    if (fd >= 0)
        close(fd);
    sodium_memzero(hex, sizeof hex);
    return err;
}

static tz_err read_secret_key(const char *key_file, uint8_t sk[crypto_sign_SECRETKEYBYTES])
{
    char hex[2 * crypto_sign_SECRETKEYBYTES + 4] = {0};
    FILE *f = fopen(key_file, "r");
    if (!f)
        return errno == ENOENT ? TZ_ENOTFOUND : TZ_EIO;
    bool ok = fgets(hex, sizeof hex, f) != NULL;
    fclose(f);
    size_t n = 0;
    ok = ok &&
         sodium_hex2bin(sk, crypto_sign_SECRETKEYBYTES, hex, strcspn(hex, "\r\n"), NULL, &n,
                        NULL) == 0 &&
         n == crypto_sign_SECRETKEYBYTES;
    sodium_memzero(hex, sizeof hex);
    return ok ? TZ_OK : TZ_EINVAL;
}

tz_err tz_auth_checkpoint_public(const char *key_file, uint8_t public_key[32])
{
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    tz_err err = read_secret_key(key_file, sk);
    if (!err)
        crypto_sign_ed25519_sk_to_pk(public_key, sk);
    sodium_memzero(sk, sizeof sk);
    return err;
}

tz_err tz_auth_checkpoint(struct tz_store *store, const char *key_file, FILE *out,
                          int64_t *head_seq)
{
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    tz_err err = read_secret_key(key_file, sk);
    struct tz_audit_verdict v;
    if (!err)
        err = tz_auth_audit_verify(store, NULL, NULL, &v);
    if (!err && v.first_bad)
        err = TZ_ECONFLICT; /* never sign a broken chain */
    if (!err && v.head_seq == 0)
        err = TZ_ENOTFOUND;
    if (!err) {
        uint8_t msg[64 + TZ_HASH_LEN], sig[crypto_sign_BYTES];
        size_t len;
        char hash_hex[2 * TZ_HASH_LEN + 1], sig_hex[2 * crypto_sign_BYTES + 1];
        signed_message(v.head_seq, v.head, msg, &len);
        crypto_sign_detached(sig, NULL, msg, len, sk);
        auth_hex(v.head, TZ_HASH_LEN, hash_hex);
        auth_hex(sig, sizeof sig, sig_hex);
        fprintf(out, "%" PRId64 " %s %s\n", v.head_seq, hash_hex, sig_hex);
        if (fflush(out) != 0)
            err = TZ_EIO;
        *head_seq = v.head_seq;
    }
    sodium_memzero(sk, sizeof sk);
    return err;
}
