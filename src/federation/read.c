/*
 * read.c - read receipts (docs/federation.md "Read receipts"): when a person at this node opens a
 * message that came from a partner (its read's audit entry, of the message or of its case), the
 * store queues a read receipt in the read's own transaction (migration 23's triggers); here it
 * goes back to the partner as a signed envelope of kind read, and a partner's read receipt for a
 * message this node sent is recorded beside the message's row of the outbox, audited, so the
 * sender's outbox shows who has read what. Read envelopes travel alone: people open messages at
 * human speed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/internal.h"

#define READS_PER_TURN 64

/* The body's "read-at: N\n" into *at. */
static bool read_at_of(const char *b, size_t n, int64_t *at)
{
    static const char name[] = "read-at: ";
    size_t k = sizeof name - 1;
    if (n < k + 2 || n > k + 19 || memcmp(b, name, k) != 0 || b[n - 1] != '\n')
        return false;
    int64_t v = 0;
    for (size_t i = k; i < n - 1; i++) {
        if (b[i] < '0' || b[i] > '9' || (i == k && b[i] == '0' && n - 1 > k + 1))
            return false;
        v = v * 10 + (b[i] - '0');
    }
    *at = v;
    return true;
}

enum tz_fed_reason tz_fed_read_in(struct tz_fed *f, const struct tz_fed_envelope *env,
                                  struct tz_fed_outcome *out)
{
    int64_t at = 0;
    if (!read_at_of(env->body, env->body_len, &at))
        return TZ_FED_MALFORMED;
    char client[64], object[96];
    snprintf(client, sizeof client, "node:%s", env->from);
    snprintf(object, sizeof object, "fedmsg/%s:%" PRId64, f->cfg.node, env->id);
    struct tz_audit_rec a = tz_fed_audit(f, tz_audit_code(TZ_AUDIT_FED_RECEIVE), client, "ok");
    a.object = object;
    a.note = "read receipt";
    tz_err err = tz_store_fed_read_record(f->store, env->from, env->id, at, &a);
    if (err == TZ_ENOTFOUND) {
        snprintf(out->detail, sizeof out->detail, "no message %" PRId64 " was sent to %s", env->id,
                 env->from);
        return TZ_FED_UNKNOWN_CASE;
    }
    if (err)
        return TZ_FED_FAILED;
    out->message_id = env->id;
    return TZ_FED_OK;
}

/* Sends one read receipt and settles it. */
static tz_err send_read(struct tz_fed *f, const struct tz_fed_node_rec *node,
                        const struct tz_fed_read_rec *row, const struct tz_fed_transport *t)
{
    char body[40];
    int n = snprintf(body, sizeof body, "read-at: %" PRId64 "\n", row->read_at);
    struct tz_fed_envelope env = {
        .kind = TZ_FED_READ,
        .id = row->their_message,
        .at = tz_exchange_now(f->x),
        .body = body,
        .body_len = (size_t)n,
    };
    snprintf(env.from, sizeof env.from, "%s", f->cfg.node);
    snprintf(env.to, sizeof env.to, "%s", node->id);
    struct tz_buf out, reply;
    struct tz_fed_outcome o;
    tz_buf_init(&out, 4096);
    tz_buf_init(&reply, 64 * 1024);
    tz_err err = tz_fed_envelope_write(&env, f->cfg.sk, &out);
    const char *state = "queued", *why = "unreachable";
    if (!err && t->send(t->ctx, node, out.data, out.len, &reply) == TZ_OK) {
        why = "no valid receipt";
        if (tz_fed_receipt_read(f, node->id, row->their_message, reply.data, reply.len, &o) ==
            TZ_OK) {
            why = tz_fed_reason_code(o.reason);
            state = o.reason == TZ_FED_OK ? "sent" : tz_fed_retry(o.reason) ? "queued" : "refused";
        }
    }
    if (!err) {
        char client[48], note[96];
        snprintf(client, sizeof client, "node:%s", node->id);
        snprintf(note, sizeof note, "read receipt %s: %s", state, why);
        struct tz_audit_rec a = tz_fed_audit(f, tz_audit_code(TZ_AUDIT_FED_SEND), client,
                                             strcmp(state, "sent") == 0      ? "ok"
                                             : strcmp(state, "refused") == 0 ? "refused"
                                                                             : "failed");
        a.note = note;
        int64_t next = tz_exchange_now(f->x) + tz_fed_backoff(row->attempts);
        err = tz_store_fed_read_settle(f->store, row->message_id, state, next, &a);
    }
    tz_buf_free(&out);
    tz_buf_free(&reply);
    return err ? err : strcmp(state, "queued") == 0 ? TZ_EIO : TZ_OK;
}

tz_err tz_fed_send_reads(struct tz_fed *f, const char *partner, const struct tz_fed_transport *t,
                         size_t *sent)
{
    *sent = 0;
    struct tz_fed_node_rec node;
    tz_err err = tz_store_fed_node_get(f->store, partner, &node);
    if (err)
        return err == TZ_ENOTFOUND ? TZ_OK : err;
    struct tz_fed_read_rec *rows = NULL;
    size_t n = 0;
    if ((err = tz_store_fed_reads_due(f->store, partner, READS_PER_TURN, &rows, &n)))
        return err;
    int64_t now = tz_exchange_now(f->x);
    for (size_t i = 0; i < n; i++) {
        if (rows[i].next_at > now)
            continue;
        if ((err = send_read(f, &node, &rows[i], t)))
            break; /* the partner is down or this node failed: the rest wait their turn */
        (*sent)++;
    }
    free(rows);
    return err == TZ_EIO ? TZ_OK : err;
}

tz_err tz_fed_outbox(struct tz_fed *f, const struct tz_xactor *who, const char *partner,
                     size_t limit, struct tz_fed_out_rec **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    bool may = tz_auth_scope_of(who->p->role, TZ_ACT_EXCHANGE_INBOX) == TZ_SCOPE_ALL;
    struct tz_audit_rec a =
        tz_fed_person_audit(f, who, tz_audit_code(TZ_AUDIT_FED_NODES), may ? "ok" : "refused");
    char object[48];
    snprintf(object, sizeof object, "fedoutbox/%.31s", partner);
    a.object = object;
    tz_err err = TZ_EFORBIDDEN;
    if (may && (strlen(partner) >= TZ_FS_ID || limit == 0 || limit > 1000))
        err = TZ_EINVAL;
    else if (may)
        err = tz_store_fed_out_list(f->store, partner, limit, out, count);
    if (err && err != TZ_EFORBIDDEN)
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
