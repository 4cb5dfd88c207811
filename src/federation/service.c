/*
 * service.c - federation opened over the store and the exchange, and the node directory: each
 * partner checked field by field and written with its audit entry; the reasons a message is
 * refused, as one table of codes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "federation/internal.h"

static const char *const REASONS[TZ_FED_REASON_COUNT] = {
    [TZ_FED_OK] = "ok",
    [TZ_FED_MALFORMED] = "malformed",
    [TZ_FED_NOT_FOR_US] = "not-for-this-node",
    [TZ_FED_UNKNOWN_SENDER] = "unknown-sender",
    [TZ_FED_BAD_SIGNATURE] = "bad-signature",
    [TZ_FED_STALE] = "stale-timestamp",
    [TZ_FED_REPLAYED_ID] = "replayed-id",
    [TZ_FED_SCHEMA] = "schema",
    [TZ_FED_ORIGINATOR] = "originator-not-sender",
    [TZ_FED_NOT_ACCEPTED] = "not-accepted",
    [TZ_FED_UNKNOWN_CASE] = "unknown-case",
    [TZ_FED_REFUSED] = "refused",
    [TZ_FED_FAILED] = "failed",
    [TZ_FED_BAD_SEAL] = "bad-seal",
    [TZ_FED_NOT_SEALED] = "not-sealed",
    [TZ_FED_KEY_RETIRED] = "key-retired",
    [TZ_FED_REVOKED] = "revoked",
};

const char *tz_fed_reason_code(enum tz_fed_reason r)
{
    return (unsigned)r < TZ_FED_REASON_COUNT ? REASONS[r] : NULL;
}

tz_err tz_fed_reason_parse(const char *s, size_t n, enum tz_fed_reason *out)
{
    for (int r = 0; r < TZ_FED_REASON_COUNT; r++)
        if (strlen(REASONS[r]) == n && memcmp(REASONS[r], s, n) == 0) {
            *out = (enum tz_fed_reason)r;
            return TZ_OK;
        }
    return TZ_EINVAL;
}

tz_err tz_fed_open(struct tz_store *store, struct tz_exchange *x, const struct tz_fed_config *cfg,
                   struct tz_fed **out)
{
    *out = NULL;
    if (!store || !x || !cfg || !cfg->node[0] || sodium_init() < 0)
        return TZ_EINVAL;
    struct tz_fed *f = calloc(1, sizeof *f);
    if (!f)
        return TZ_ENOMEM;
    f->store = store;
    f->x = x;
    f->cfg = *cfg;
    if (f->cfg.window_s <= 0)
        f->cfg.window_s = TZ_FED_WINDOW_S;
    if (f->cfg.alarm_s <= 0)
        f->cfg.alarm_s = 3600;
    crypto_sign_ed25519_sk_to_pk(f->pk, f->cfg.sk);
    for (size_t i = 0; i < TZ_FED_RECEIVE_STRIPES; i++)
        if (pthread_mutex_init(&f->receive_mu[i], NULL) != 0) {
            while (i-- > 0)
                pthread_mutex_destroy(&f->receive_mu[i]);
            free(f);
            return TZ_ENOMEM;
        }
    *out = f;
    return TZ_OK;
}

void tz_fed_close(struct tz_fed *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < TZ_FED_RECEIVE_STRIPES; i++)
        pthread_mutex_destroy(&f->receive_mu[i]);
    sodium_memzero(f->cfg.sk, sizeof f->cfg.sk);
    free(f);
}

const char *tz_fed_node_id(const struct tz_fed *f)
{
    return f->cfg.node;
}

struct tz_audit_rec tz_fed_audit(const struct tz_fed *f, const char *action, const char *client,
                                 const char *outcome)
{
    return (struct tz_audit_rec){
        .at = tz_exchange_now(f->x),
        .actor = "federation",
        .role = "node",
        .client = client,
        .action = action,
        .outcome = outcome,
    };
}

bool tz_fed_list_allows(const char *list, const char *code)
{
    if (!list[0])
        return true;
    if (!code)
        return false;
    size_t n = strlen(code);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, code, n) == 0)
            return true;
        p += len + (end != NULL);
    }
    return false;
}

/* ---- the directory ---- */

bool tz_fed_id_ok(const char *s)
{
    size_t n = 0;
    for (; s[n] && n < TZ_FS_ID; n++)
        if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '-' ||
              s[n] == '_'))
            return false;
    return n >= 2 && n < TZ_FS_ID;
}

bool tz_fed_hex32(char *s)
{
    uint8_t b[32];
    if (strlen(s) != 64 || tz_fed_unhex(s, b, sizeof b))
        return false;
    tz_fed_hex(b, sizeof b, s);
    return true;
}

/* An https:// URL of printable ASCII with a host. */
static bool endpoint_ok(const char *s)
{
    if (strncmp(s, "https://", 8) != 0 || !s[8] || s[8] == '/' || s[8] == ':')
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return false;
    return true;
}

bool tz_fed_list_ok(const char *list, int table)
{
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int v;
        if (len == 0)
            return false;
        if (table >= 0 && tz_xcode_parse((enum tz_xtable)table, p, len, &v))
            return false;
        if (table < 0) {
            if (len < 2 || len > 3)
                return false;
            for (size_t i = 0; i < len; i++)
                if (p[i] < 'a' || p[i] > 'z')
                    return false;
        }
        p += len + (end != NULL);
        if (end && !*p)
            return false;
    }
    return true;
}

tz_err tz_fed_node_check(struct tz_fed_node_rec *n, struct tz_field_errors *errs)
{
    size_t before = errs->count + errs->dropped;
    if (!tz_fed_id_ok(n->id))
        tz_fielderr_add(errs, "id", "2 to 31 capitals, digits, '-' or '_'");
    if (!n->name[0])
        tz_fielderr_add(errs, "name", "required");
    int c;
    if (tz_xcode_parse(TZ_XT_COUNTRY, n->country, strlen(n->country), &c))
        tz_fielderr_add(errs, "country", "an ISO 3166-1 country code");
    else
        snprintf(n->country, sizeof n->country, "%s", tz_xcode_code(TZ_XT_COUNTRY, c));
    if (!endpoint_ok(n->endpoint))
        tz_fielderr_add(errs, "endpoint", "an https:// URL");
    if (!tz_fed_hex32(n->cert_sha256))
        tz_fielderr_add(errs, "cert_sha256", "the certificate's SHA-256 as 64 hex digits");
    if (!tz_fed_hex32(n->sign_key))
        tz_fielderr_add(errs, "sign_key", "the Ed25519 public key as 64 hex digits");
    if (!tz_fed_list_ok(n->languages, -1))
        tz_fielderr_add(errs, "languages", "primary language tags separated by commas");
    if (!tz_fed_list_ok(n->msg_types, TZ_XT_MSG_TYPE))
        tz_fielderr_add(errs, "msg_types", "message type codes separated by commas");
    if (!tz_fed_list_ok(n->handling, TZ_XT_HANDLING))
        tz_fielderr_add(errs, "handling", "handling codes separated by commas");
    if (!tz_fed_list_ok(n->accept_types, TZ_XT_MSG_TYPE))
        tz_fielderr_add(errs, "accept_types", "message type codes separated by commas");
    if (!tz_fed_list_ok(n->accept_handling, TZ_XT_HANDLING))
        tz_fielderr_add(errs, "accept_handling", "handling codes separated by commas");
    if (n->accept_max_bytes < 0 || n->accept_max_bytes > TZ_FED_ENVELOPE_MAX)
        tz_fielderr_add(errs, "accept_max_bytes", "0 (any) to 655360 bytes");
    if (n->prev_sign_key[0] && !tz_fed_hex32(n->prev_sign_key))
        tz_fielderr_add(errs, "prev_sign_key", "the Ed25519 public key as 64 hex digits");
    if (n->prev_cert_sha256[0] && !tz_fed_hex32(n->prev_cert_sha256))
        tz_fielderr_add(errs, "prev_cert_sha256", "the certificate's SHA-256 as 64 hex digits");
    return errs->count + errs->dropped > before ? TZ_EINVAL : TZ_OK;
}

struct tz_audit_rec tz_fed_person_audit(const struct tz_fed *f, const struct tz_xactor *who,
                                        const char *action, const char *outcome)
{
    return (struct tz_audit_rec){
        .at = tz_exchange_now(f->x),
        .actor = who->p->account.name,
        .role = tz_auth_role_code(who->p->role),
        .client = who->client,
        .action = action,
        .outcome = outcome,
    };
}

tz_err tz_fed_node_add(struct tz_fed *f, const struct tz_xactor *who, struct tz_fed_node_rec *n,
                       struct tz_field_errors *errs)
{
    if (tz_fed_node_check(n, errs))
        return TZ_EINVAL;
    if (strcmp(n->id, f->cfg.node) == 0) {
        tz_fielderr_add(errs, "id", "this node itself is no partner");
        return TZ_EINVAL;
    }
    n->added_at = tz_exchange_now(f->x);
    struct tz_audit_rec a = tz_fed_person_audit(f, who, tz_audit_code(TZ_AUDIT_FED_NODE_ADD), "ok");
    return tz_store_fed_node_put(f->store, n, &a);
}

tz_err tz_fed_node_remove(struct tz_fed *f, const struct tz_xactor *who, const char *id)
{
    if (strlen(id) >= TZ_FS_ID)
        return TZ_ENOTFOUND;
    struct tz_audit_rec a =
        tz_fed_person_audit(f, who, tz_audit_code(TZ_AUDIT_FED_NODE_REMOVE), "ok");
    return tz_store_fed_node_remove(f->store, id, &a);
}

tz_err tz_fed_nodes(struct tz_fed *f, struct tz_fed_node_rec **out, size_t *count)
{
    return tz_store_fed_nodes(f->store, out, count);
}

tz_err tz_fed_queues(struct tz_fed *f, const struct tz_xactor *who, struct tz_fed_queue_rec **out,
                     size_t *count)
{
    *out = NULL;
    *count = 0;
    bool may = tz_auth_scope_of(who->p->role, TZ_ACT_EXCHANGE_INBOX) == TZ_SCOPE_ALL;
    struct tz_audit_rec a =
        tz_fed_person_audit(f, who, tz_audit_code(TZ_AUDIT_FED_NODES), may ? "ok" : "refused");
    a.object = "fednodes";
    tz_err err = may ? tz_store_fed_queues(f->store, out, count) : TZ_EFORBIDDEN;
    if (err != TZ_EFORBIDDEN && err)
        return err;
    tz_err aerr = tz_store_audit_append(f->store, &a); /* no answer without its audit entry */
    if (aerr && !err) {
        free(*out);
        *out = NULL;
        *count = 0;
        return aerr;
    }
    return err;
}

tz_err tz_fed_gauges(struct tz_fed *f, struct tz_fed_queue_rec **out, size_t *count)
{
    return tz_store_fed_queues(f->store, out, count);
}

int64_t tz_fed_now(const struct tz_fed *f)
{
    return tz_exchange_now(f->x);
}

bool tz_fed_alarm(const struct tz_fed *f, const struct tz_fed_queue_rec *q)
{
    return q->queued > 0 && q->oldest_queued_at > 0 &&
           tz_exchange_now(f->x) - q->oldest_queued_at > f->cfg.alarm_s;
}
