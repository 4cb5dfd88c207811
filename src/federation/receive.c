/*
 * receive.c - a message from a partner, received: the envelope read and checked (addressed to
 * this node, a sender in the directory, its signature, its time within the window), the message
 * id looked up (stored before with the same body: a duplicate, acknowledged with what it
 * became; with another body: refused), the body read and checked (a valid message from the
 * sender, to this node, in a case the two share), then stored through the exchange. The
 * exchange's audit entry of the write carries the envelope's id as its client, and the store's
 * trigger records it in fed_inbox in the same transaction (migration 19), so a crash leaves the
 * message either stored with its record or not at all, and a second copy fails on the key.
 * Every refusal is audited (federation.receive, outcome refused, the reason as the note) and
 * answered with a signed negative receipt; nothing else of it is stored.
 *
 * A receipt's body is lines "name: value\n": status (delivered, duplicate, refused), message
 * and case (the receiver's), reason (a code of tz_fed_reason_code) and detail (printable ASCII).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "federation/internal.h"

#define DETAIL_MAX 150

static void set_detail(struct tz_fed_outcome *out, const char *s)
{
    size_t n = 0;
    for (; s && s[n] && n < DETAIL_MAX && n + 1 < sizeof out->detail; n++) {
        unsigned char c = (unsigned char)s[n];
        out->detail[n] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out->detail[n] = '\0';
}

/* The first error of errs as "pointer: message". */
static void detail_of(struct tz_fed_outcome *out, const struct tz_field_errors *errs)
{
    struct tz_buf d;
    if (errs->count == 0)
        return;
    tz_buf_init(&d, 1024);
    if (tz_buf_printf(&d, "%s: %s", errs->items[0].field, errs->items[0].message) == TZ_OK)
        set_detail(out, d.data);
    tz_buf_free(&d);
}

enum tz_fed_reason tz_fed_check_envelope(struct tz_fed *f, const char *p, size_t n, bool batch,
                                         struct tz_fed_envelope *env, struct tz_fed_node_rec *node)
{
    if (tz_fed_envelope_parse(p, n, env) || env->kind == TZ_FED_RECEIPT ||
        (env->kind == TZ_FED_BATCH) != batch)
        return TZ_FED_MALFORMED;
    if (strcmp(env->to, f->cfg.node) != 0)
        return TZ_FED_NOT_FOR_US;
    tz_err err = tz_store_fed_node_get(f->store, env->from, node);
    if (err)
        return err == TZ_ENOTFOUND ? TZ_FED_UNKNOWN_SENDER : TZ_FED_FAILED;
    enum tz_fed_reason r = tz_fed_signer_ok(f, node, env, p);
    if (r != TZ_FED_OK)
        return r;
    int64_t now = tz_exchange_now(f->x);
    if (env->at < now - f->cfg.window_s || env->at > now + f->cfg.window_s)
        return TZ_FED_STALE;
    return TZ_FED_OK;
}

/* The audit client that names the envelope (fixed widths: the store's trigger reads them). */
static void fed_client(const struct tz_fed_envelope *env, const char *digest, char *out, size_t cap)
{
    snprintf(out, cap, "fed:%s:%020" PRId64 ":%s:%" PRId64, digest, env->sender_case, env->from,
             env->id);
}

/* The unit of this node that m addresses first (who receives it here). */
static const char *our_unit(const struct tz_fed *f, const struct tz_xmsg *m)
{
    for (size_t i = 0; i < m->addressee_count && i < TZ_X_ADDRESSEES; i++)
        if (strcmp(m->addressees[i].node, f->cfg.node) == 0 && m->addressees[i].unit[0])
            return m->addressees[i].unit;
    return NULL;
}

/* Sets m's case and the message it answers in this node's numbering, from the envelope. */
static enum tz_fed_reason place(struct tz_fed *f, const struct tz_fed_envelope *env,
                                struct tz_xmsg *m)
{
    int64_t case_id = 0;
    tz_err err = tz_store_fed_local_case(f->store, env->from, env->sender_case, &case_id);
    if (err && err != TZ_ENOTFOUND)
        return TZ_FED_FAILED;
    if (err && env->receiver_case > 0)
        return TZ_FED_UNKNOWN_CASE; /* it names a case of ours it never shared */
    m->case_id = case_id;
    m->in_reply_to = 0;
    if (env->in_reply_to > 0) {
        int64_t theirs = 0; /* the message answered must be one the two exchanged */
        err = tz_store_fed_peer_message(f->store, env->from, env->in_reply_to, &theirs);
        if (err)
            return err == TZ_ENOTFOUND ? TZ_FED_UNKNOWN_CASE : TZ_FED_FAILED;
        m->in_reply_to = env->in_reply_to;
    }
    return TZ_FED_OK;
}

/* Whether this node's terms for the sender take m's type and handling code (else why not). */
static bool accepted(const struct tz_fed_node_rec *node, const struct tz_xmsg *m,
                     struct tz_fed_outcome *out)
{
    const char *type = tz_xcode_code(TZ_XT_MSG_TYPE, m->type);
    const char *handling = tz_xcode_code(TZ_XT_HANDLING, m->handling);
    if (!tz_fed_list_allows(node->accept_types, type)) {
        snprintf(out->detail, sizeof out->detail, "type %s not accepted from %s", type ? type : "?",
                 node->id);
        return false;
    }
    if (!tz_fed_list_allows(node->accept_handling, handling)) {
        snprintf(out->detail, sizeof out->detail, "handling %s not accepted from %s",
                 handling ? handling : "?", node->id);
        return false;
    }
    return true;
}

/* Reads, checks and stores the message of a checked envelope. */
static enum tz_fed_reason store_message(struct tz_fed *f, const struct tz_fed_envelope *env,
                                        const struct tz_fed_node_rec *node, const char *digest,
                                        struct tz_fed_outcome *out)
{
    struct tz_field_errors errs;
    struct tz_xmsg m;
    memset(&errs, 0, sizeof errs);
    tz_xmsg_init(&m);
    enum tz_fed_reason r = TZ_FED_OK;
    tz_err err = f->cfg.codec->decode(env->body, env->body_len, &m, &errs);
    const char *unit = NULL;
    if (err == TZ_ENOMEM)
        r = TZ_FED_FAILED;
    else if (err) {
        r = TZ_FED_SCHEMA;
        detail_of(out, &errs);
    } else if (strcmp(m.originator.node, env->from) != 0)
        r = TZ_FED_ORIGINATOR;
    else if (env->kind != TZ_FED_SEALED &&
             tz_fed_must_seal(tz_xcode_code(TZ_XT_HANDLING, m.handling)))
        r = TZ_FED_NOT_SEALED;
    else if (!accepted(node, &m, out))
        r = TZ_FED_NOT_ACCEPTED;
    else if (!(unit = our_unit(f, &m)))
        r = TZ_FED_NOT_FOR_US;
    else
        r = place(f, env, &m);
    if (r == TZ_FED_OK) {
        struct tz_principal p = {.role = TZ_AUTH_SPOC_SUPERVISOR};
        snprintf(p.account.name, sizeof p.account.name, "node:%s", env->from);
        snprintf(p.account.role, sizeof p.account.role, "%s",
                 tz_auth_role_code(TZ_AUTH_SPOC_SUPERVISOR));
        snprintf(p.account.unit, sizeof p.account.unit, "%s", unit);
        char client[256];
        fed_client(env, digest, client, sizeof client);
        struct tz_xactor who = {.p = &p, .client = client};
        struct tz_xreceipt rc;
        memset(&errs, 0, sizeof errs);
        err = tz_exchange_submit(f->x, &who, true, &m, &rc, &errs);
        if (!err) {
            out->message_id = rc.id;
            out->case_id = rc.case_id;
        } else if (err == TZ_EINVAL || err == TZ_EFORBIDDEN || err == TZ_ENOTFOUND) {
            r = TZ_FED_REFUSED;
            detail_of(out, &errs);
            if (!out->detail[0])
                set_detail(out, tz_err_str(err));
        } else {
            r = TZ_FED_FAILED; /* TZ_ECONFLICT too: the caller looks again */
        }
    }
    tz_xmsg_clear(&m);
    return r;
}

/* Looks the envelope's id up: not there (OK), stored with the same body (duplicate), or not. */
static enum tz_fed_reason look_up(struct tz_fed *f, const struct tz_fed_envelope *env,
                                  const char *digest, struct tz_fed_outcome *out)
{
    char ref[TZ_FS_REF];
    struct tz_fed_inbox_rec rec;
    snprintf(ref, sizeof ref, "%s:%" PRId64, env->from, env->id);
    tz_err err = tz_store_fed_inbox_get(f->store, ref, &rec);
    if (err == TZ_ENOTFOUND)
        return TZ_FED_OK;
    if (err)
        return TZ_FED_FAILED;
    if (strcmp(rec.digest, digest) != 0 || rec.their_case != env->sender_case)
        return TZ_FED_REPLAYED_ID;
    out->duplicate = true;
    out->message_id = rec.message_id;
    out->case_id = rec.case_id;
    return TZ_FED_OK;
}

/* The receipt's body for out. */
static tz_err receipt_body(const struct tz_fed_outcome *out, struct tz_buf *b)
{
    const char *status = out->reason != TZ_FED_OK ? "refused"
                         : out->duplicate         ? "duplicate"
                                                  : "delivered";
    return tz_buf_printf(
        b, "status: %s\nmessage: %" PRId64 "\ncase: %" PRId64 "\nreason: %s\ndetail: %s\n", status,
        out->message_id, out->case_id, tz_fed_reason_code(out->reason),
        out->detail[0] ? out->detail : "-");
}

tz_err tz_fed_receipt_write(struct tz_fed *f, const struct tz_fed_envelope *env, bool parsed,
                            const struct tz_fed_outcome *out, struct tz_buf *receipt)
{
    struct tz_buf body;
    tz_buf_init(&body, 1024);
    tz_err err = receipt_body(out, &body);
    struct tz_fed_envelope r = {
        .kind = TZ_FED_RECEIPT,
        .id = parsed ? env->id : 0,
        .at = tz_exchange_now(f->x),
        .body = body.data,
        .body_len = body.len,
    };
    snprintf(r.from, sizeof r.from, "%s", f->cfg.node);
    snprintf(r.to, sizeof r.to, "%s", parsed ? env->from : "UNKNOWN");
    if (!err)
        err = tz_fed_envelope_write(&r, f->cfg.sk, receipt);
    tz_buf_free(&body);
    return err;
}

void tz_fed_refusal_audit(struct tz_fed *f, const struct tz_fed_envelope *env, bool parsed,
                          const struct tz_fed_outcome *out)
{
    char client[64], object[96], note[DETAIL_MAX + 48];
    snprintf(client, sizeof client, "node:%s", parsed ? env->from : "?");
    snprintf(object, sizeof object, "fedmsg/%s:%" PRId64, parsed ? env->from : "?",
             parsed ? env->id : 0);
    snprintf(note, sizeof note, "%s%s%s", tz_fed_reason_code(out->reason),
             out->detail[0] ? ": " : "", out->detail);
    struct tz_audit_rec a = tz_fed_audit(f, tz_audit_code(TZ_AUDIT_FED_RECEIVE), client,
                                         out->reason == TZ_FED_FAILED ? "failed" : "refused");
    a.object = object;
    a.note = note;
    tz_store_audit_append(f->store, &a); /* the refusal stands whatever happens here */
}

pthread_mutex_t *tz_fed_stripe(struct tz_fed *f, const struct tz_fed_envelope *env)
{
    uint64_t h = 1469598103934665603u;
    for (const char *c = env->from; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211u;
    for (int i = 0; i < 8; i++)
        h = (h ^ (uint64_t)((env->sender_case >> (8 * i)) & 0xff)) * 1099511628211u;
    return &f->receive_mu[h % TZ_FED_RECEIVE_STRIPES];
}

enum tz_fed_reason tz_fed_accept(struct tz_fed *f, struct tz_fed_envelope *env,
                                 const struct tz_fed_node_rec *node, struct tz_fed_outcome *out)
{
    char digest[TZ_FS_HEX];
    enum tz_fed_reason r = TZ_FED_OK;
    struct tz_buf plain; /* a sealed body, opened */
    tz_buf_init(&plain, TZ_FED_ENVELOPE_MAX);
    if (env->kind == TZ_FED_SEALED) {
        tz_err e = tz_fed_unseal(env->body, env->body_len, f->cfg.sk, &plain);
        r = e == TZ_ENOMEM ? TZ_FED_FAILED : e ? TZ_FED_BAD_SEAL : TZ_FED_OK;
        env->body = plain.data ? plain.data : "";
        env->body_len = plain.len;
    }
    if (r == TZ_FED_OK && node->accept_max_bytes > 0 &&
        env->body_len > (size_t)node->accept_max_bytes) {
        r = TZ_FED_NOT_ACCEPTED;
        snprintf(out->detail, sizeof out->detail, "body of %zu bytes, at most %lld from %s",
                 env->body_len, (long long)node->accept_max_bytes, node->id);
    }
    if (r == TZ_FED_OK) { /* the digest of the plain body: a copy sealed again is the same */
        uint8_t h[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(h, (const uint8_t *)env->body, env->body_len);
        tz_fed_hex(h, sizeof h, digest);
        r = look_up(f, env, digest, out);
    }
    if (r == TZ_FED_OK && !out->duplicate) {
        r = store_message(f, env, node, digest, out);
        if (r == TZ_FED_FAILED) /* a copy that raced in first is a duplicate */
            r = look_up(f, env, digest, out) == TZ_FED_OK && out->duplicate ? TZ_FED_OK
                                                                            : TZ_FED_FAILED;
    }
    env->body = NULL; /* it pointed into plain */
    env->body_len = 0;
    tz_buf_free(&plain);
    return r;
}

tz_err tz_fed_receive(struct tz_fed *f, const char *p, size_t n, struct tz_fed_outcome *out,
                      struct tz_buf *receipt)
{
    memset(out, 0, sizeof *out);
    if (!f->cfg.codec)
        return TZ_EINVAL;
    if (tz_fed_is_batch(p, n))
        return tz_fed_receive_batch(f, p, n, out, receipt);
    struct tz_fed_envelope env;
    struct tz_fed_node_rec node;
    enum tz_fed_reason r = tz_fed_check_envelope(f, p, n, false, &env, &node);
    bool parsed = r != TZ_FED_MALFORMED;
    if (r == TZ_FED_OK && env.kind == TZ_FED_READ) {
        r = tz_fed_read_in(f, &env, out);
    } else if (r == TZ_FED_OK) {
        pthread_mutex_t *mu = tz_fed_stripe(f, &env);
        pthread_mutex_lock(mu);
        r = tz_fed_accept(f, &env, &node, out);
        pthread_mutex_unlock(mu);
    }
    out->reason = r;
    if (r != TZ_FED_OK) {
        out->message_id = out->case_id = 0;
        tz_fed_refusal_audit(f, &env, parsed, out);
    }
    return tz_fed_receipt_write(f, &env, parsed, out, receipt);
}

/* ---- a receipt read by the sender ---- */

/* The value of line "name: V\n" at *at in the receipt's body. */
static bool body_line(const char *b, size_t n, size_t *at, const char *name, char *out, size_t cap)
{
    size_t k = strlen(name);
    if (n - *at < k + 2 || memcmp(b + *at, name, k) != 0 || memcmp(b + *at + k, ": ", 2) != 0)
        return false;
    *at += k + 2;
    size_t len = 0;
    while (*at < n && b[*at] != '\n') {
        unsigned char c = (unsigned char)b[(*at)++];
        if (c < 0x20 || c >= 0x7f || len + 1 >= cap)
            return false;
        out[len++] = (char)c;
    }
    out[len] = '\0';
    if (*at >= n)
        return false;
    (*at)++;
    return true;
}

static bool number_of(const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!s[0] || *end || v < 0)
        return false;
    *out = v;
    return true;
}

tz_err tz_fed_receipt_read(struct tz_fed *f, const char *partner, int64_t id, const char *p,
                           size_t n, struct tz_fed_outcome *out)
{
    memset(out, 0, sizeof *out);
    struct tz_fed_envelope env;
    struct tz_fed_node_rec node;
    uint8_t pk[TZ_FED_SIGN_PK];
    if (tz_fed_envelope_parse(p, n, &env) || env.kind != TZ_FED_RECEIPT)
        return TZ_EMALFORMED;
    if (strcmp(env.from, partner) != 0 || strcmp(env.to, f->cfg.node) != 0 || env.id != id)
        return TZ_EFORBIDDEN;
    tz_err err = tz_store_fed_node_get(f->store, partner, &node);
    if (err)
        return err;
    if (tz_fed_unhex(node.sign_key, pk, sizeof pk) || !tz_fed_envelope_verify(&env, p, pk))
        return TZ_EFORBIDDEN;
    char status[16], message[24], kase[24], reason[32], detail[DETAIL_MAX + 1];
    size_t at = 0;
    if (!body_line(env.body, env.body_len, &at, "status", status, sizeof status) ||
        !body_line(env.body, env.body_len, &at, "message", message, sizeof message) ||
        !body_line(env.body, env.body_len, &at, "case", kase, sizeof kase) ||
        !body_line(env.body, env.body_len, &at, "reason", reason, sizeof reason) ||
        !body_line(env.body, env.body_len, &at, "detail", detail, sizeof detail) ||
        at != env.body_len || !number_of(message, &out->message_id) ||
        !number_of(kase, &out->case_id) ||
        tz_fed_reason_parse(reason, strlen(reason), &out->reason))
        return TZ_EMALFORMED;
    bool refused = strcmp(status, "refused") == 0;
    out->duplicate = strcmp(status, "duplicate") == 0;
    if (refused == (out->reason == TZ_FED_OK) ||
        (!refused && !out->duplicate && strcmp(status, "delivered") != 0))
        return TZ_EMALFORMED;
    if (strcmp(detail, "-") != 0)
        set_detail(out, detail);
    return TZ_OK;
}
