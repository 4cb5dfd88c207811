/*
 * outbox.c - store-and-forward, the sending side. The store queues a message for each partner
 * it addresses in the transaction that stores it (migration 19's trigger); here the head of a
 * partner's queue is read as the exchange's message, put in a signed envelope and handed to the
 * caller's transport, and the receipt that comes back settles it: delivered (the partner's ids
 * kept, so that later messages of the case and answers find their place there), refused (the
 * partner's reason), or queued again after an exponential back-off with jitter. One message per
 * case at a time, oldest first, so every case keeps its order at the partner while the heads of
 * different cases travel at once (tz_fed_due, tz_fed_send_row); the partner's idempotent receipt
 * makes a message sent again after a crash count once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "federation/internal.h"

#define BACKOFF_FIRST_S 1
#define BACKOFF_MAX_S 300

int64_t tz_fed_backoff(int attempts)
{
    int64_t d = BACKOFF_FIRST_S;
    for (int i = 0; i < attempts && d < BACKOFF_MAX_S; i++)
        d *= 2;
    if (d > BACKOFF_MAX_S)
        d = BACKOFF_MAX_S;
    return d + (int64_t)randombytes_uniform((uint32_t)(d / 4 + 1)); /* jitter: spread retries */
}

/* A refusal that this node's next try may overcome: the partner could not store it now, or does
 * not know this node or its key yet (a rotation or an entry not yet made there), so nothing in
 * flight is lost while partners catch up. */
bool tz_fed_retry(enum tz_fed_reason r)
{
    return r == TZ_FED_FAILED || r == TZ_FED_BAD_SIGNATURE || r == TZ_FED_KEY_RETIRED ||
           r == TZ_FED_UNKNOWN_SENDER;
}

/* This node reading its own message to send it: the SPOC supervisor's reach, audited. */
static void node_reader(const struct tz_fed *f, struct tz_principal *p)
{
    memset(p, 0, sizeof *p);
    p->role = TZ_AUTH_SPOC_SUPERVISOR;
    snprintf(p->account.name, sizeof p->account.name, "node:%s", f->cfg.node);
    snprintf(p->account.role, sizeof p->account.role, "%s",
             tz_auth_role_code(TZ_AUTH_SPOC_SUPERVISOR));
}

tz_err tz_fed_envelope_of(struct tz_fed *f, const struct tz_fed_node_rec *node,
                          const struct tz_fed_out_rec *row, struct tz_buf *out)
{
    struct tz_principal p;
    node_reader(f, &p);
    char client[48];
    snprintf(client, sizeof client, "federation:%s", row->node);
    struct tz_xactor who = {.p = &p, .client = client};
    struct tz_xview v;
    tz_err err = tz_exchange_get(f->x, &who, row->message_id, &v);
    if (err)
        return err;
    struct tz_buf body, sealed;
    tz_buf_init(&body, TZ_FED_ENVELOPE_MAX - 4096);
    tz_buf_init(&sealed, TZ_FED_ENVELOPE_MAX - 4096);
    /* What the directory says the partner accepts (its type and handling code lists). */
    if (!tz_fed_list_allows(node->msg_types, tz_xcode_code(TZ_XT_MSG_TYPE, v.msg.type)) ||
        !tz_fed_list_allows(node->handling, tz_xcode_code(TZ_XT_HANDLING, v.msg.handling))) {
        err = TZ_EFORBIDDEN;
        goto done;
    }
    struct tz_fed_envelope env = {
        .kind = TZ_FED_MESSAGE,
        .id = row->message_id,
        .sender_case = row->case_id,
        .at = tz_exchange_now(f->x),
    };
    snprintf(env.from, sizeof env.from, "%s", f->cfg.node);
    snprintf(env.to, sizeof env.to, "%s", row->node);
    int known = 0;
    if ((err =
             tz_store_fed_case_peer(f->store, row->node, row->case_id, &env.receiver_case, &known)))
        goto done;
    if (v.msg.in_reply_to > 0) {
        err = tz_store_fed_peer_message(f->store, row->node, v.msg.in_reply_to, &env.in_reply_to);
        if (err == TZ_ENOTFOUND) /* it answers a message the partner never had: send it plain */
            err = TZ_OK;
        if (err)
            goto done;
    }
    if ((err = f->cfg.codec->encode(&v.msg, &body)))
        goto done;
    env.body = body.data;
    env.body_len = body.len;
    if (tz_fed_must_seal(tz_xcode_code(TZ_XT_HANDLING, v.msg.handling))) {
        uint8_t pk[TZ_FED_SIGN_PK]; /* sealed for the partner alone: a relay cannot read it */
        if ((err = tz_fed_unhex(node->sign_key, pk, sizeof pk)) ||
            (err = tz_fed_seal(body.data, body.len, pk, &sealed)))
            goto done;
        env.kind = TZ_FED_SEALED;
        env.body = sealed.data;
        env.body_len = sealed.len;
    }
    err = tz_fed_envelope_write(&env, f->cfg.sk, out);
done:
    tz_buf_free(&body);
    tz_buf_free(&sealed);
    tz_xview_clear(&v);
    return err;
}

tz_err tz_fed_settle_row(struct tz_fed *f, const struct tz_fed_out_rec *row,
                         struct tz_fed_sent *out, const char *error)
{
    int64_t now = tz_exchange_now(f->x);
    const struct tz_fed_outcome *o = &out->outcome;
    struct tz_fed_settle s = {.outbox_id = row->id, .error = error};
    if (!error && o->reason == TZ_FED_OK) {
        s.state = "delivered";
        s.done_at = now;
        s.their_message = o->message_id;
        s.their_case = o->case_id;
        s.error = "";
    } else if (!error && !tz_fed_retry(o->reason)) {
        s.state = "refused";
        s.done_at = now;
        s.error = tz_fed_reason_code(o->reason);
    } else {
        s.state = "queued";
        s.next_at = now + tz_fed_backoff(row->attempts);
        if (!error)
            s.error = tz_fed_reason_code(o->reason);
    }
    char client[48], note[TZ_FS_ERROR + 64];
    snprintf(client, sizeof client, "node:%s", row->node);
    snprintf(note, sizeof note, "%s%s%s", s.state, s.error[0] ? ": " : "", s.error);
    struct tz_audit_rec a = tz_fed_audit(f, tz_audit_code(TZ_AUDIT_FED_SEND), client,
                                         strcmp(s.state, "delivered") == 0 ? "ok"
                                         : strcmp(s.state, "refused") == 0 ? "refused"
                                                                           : "failed");
    a.note = note;
    out->state = s.state;
    out->next_at = s.next_at;
    return tz_store_fed_out_settle(f->store, &s, &a);
}

/* Sends row (due now) to partner and settles it. */
static tz_err send_row(struct tz_fed *f, const struct tz_fed_node_rec *node,
                       const struct tz_fed_out_rec *row, const struct tz_fed_transport *t,
                       struct tz_fed_sent *out)
{
    out->sent = true;
    out->outbox_id = row->id;
    out->message_id = row->message_id;
    struct tz_buf env, reply;
    tz_buf_init(&env, TZ_FED_ENVELOPE_MAX);
    tz_buf_init(&reply, TZ_FED_ENVELOPE_MAX);
    const char *error = NULL;
    tz_err err = tz_fed_envelope_of(f, node, row, &env);
    if (err) {
        if (err == TZ_ENOMEM || err == TZ_EIO || err == TZ_EBUSY)
            goto done; /* this node's trouble: the row stays as it is */
        /* the partner does not take it, or it cannot be put in an envelope: never will */
        out->outcome.reason = err == TZ_EFORBIDDEN ? TZ_FED_NOT_ACCEPTED : TZ_FED_REFUSED;
        snprintf(out->outcome.detail, sizeof out->outcome.detail, "%s", tz_err_str(err));
        err = tz_fed_settle_row(f, row, out, NULL);
        goto done;
    }
    if (t->send(t->ctx, node, env.data, env.len, &reply))
        error = "unreachable";
    else if (tz_fed_receipt_read(f, node->id, row->message_id, reply.data, reply.len,
                                 &out->outcome))
        error = "no valid receipt";
    err = tz_fed_settle_row(f, row, out, error);
done:
    tz_buf_free(&env);
    tz_buf_free(&reply);
    return err;
}

tz_err tz_fed_send_next(struct tz_fed *f, const char *partner, const struct tz_fed_transport *t,
                        struct tz_fed_sent *out)
{
    memset(out, 0, sizeof *out);
    if (!f->cfg.codec)
        return TZ_EINVAL;
    struct tz_fed_node_rec node;
    struct tz_fed_out_rec row;
    tz_err err = tz_store_fed_node_get(f->store, partner, &node);
    if (!err)
        err = tz_store_fed_out_head(f->store, partner, &row);
    if (err)
        return err == TZ_ENOTFOUND ? TZ_OK : err;
    if (row.next_at > tz_exchange_now(f->x)) {
        out->next_at = row.next_at;
        return TZ_OK;
    }
    return send_row(f, &node, &row, t, out);
}

tz_err tz_fed_due(struct tz_fed *f, const char *partner, size_t max, struct tz_fed_out_rec **out,
                  size_t *count)
{
    *out = NULL;
    *count = 0;
    struct tz_fed_out_rec *rows = NULL;
    size_t n = 0;
    tz_err err = tz_store_fed_out_heads(f->store, partner, max, &rows, &n);
    if (err)
        return err;
    int64_t now = tz_exchange_now(f->x);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) /* a case whose head waits its back-off waits whole */
        if (rows[i].next_at <= now)
            rows[k++] = rows[i];
    if (k == 0) {
        free(rows);
        return TZ_OK;
    }
    *out = rows;
    *count = k;
    return TZ_OK;
}

tz_err tz_fed_send_row(struct tz_fed *f, const char *partner, const struct tz_fed_out_rec *row,
                       const struct tz_fed_transport *t, struct tz_fed_sent *out)
{
    memset(out, 0, sizeof *out);
    if (!f->cfg.codec)
        return TZ_EINVAL;
    struct tz_fed_node_rec node;
    tz_err err = tz_store_fed_node_get(f->store, partner, &node);
    if (err)
        return err == TZ_ENOTFOUND ? TZ_OK : err; /* removed meanwhile: its queue waits */
    return send_row(f, &node, row, t, out);
}
