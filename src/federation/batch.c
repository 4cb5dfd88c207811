/*
 * batch.c - batch envelopes (docs/federation.md "Batches"): several messages of one case in one
 * signed envelope, stored at the receiver in their order in one transaction and settled at the
 * sender in one more. A round trip and a commit carry up to TZ_FED_BATCH_MAX messages instead of
 * one, which is what lifts a partner with a few busy cases past a message per round trip.
 *
 * Each message in the batch is an envelope of its own, signed as it would travel alone (the
 * receiver checks each: sender, signature, time, then everything tz_fed_receive checks), and the
 * batch is signed besides; all of a batch's envelopes are of the batch's sender and case. The
 * answer is one signed receipt per envelope, in the batch's order. Once one message could not be
 * stored now (failed), none after it is tried, so the sender's next try starts there and the
 * case's order holds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/internal.h"

static const char BATCH_HEAD[] = "tarcza-federation/1\nkind: batch\n";

bool tz_fed_is_batch(const char *p, size_t n)
{
    return p && n >= sizeof BATCH_HEAD - 1 && memcmp(p, BATCH_HEAD, sizeof BATCH_HEAD - 1) == 0;
}

/* ---- the receiver ---- */

/* One envelope of a batch: where it lies, how it read, what became of it. */
struct item {
    const char *p;
    size_t n;
    struct tz_fed_envelope env;
    struct tz_fed_node_rec node;
    bool parsed;
    enum tz_fed_reason checked; /* its own checks, before it is stored */
    struct tz_fed_outcome out;
};

struct received {
    struct tz_fed *f;
    enum tz_fed_reason batch; /* the batch's own checks */
    struct item *items;
    size_t count;
};

/* Splits the batch's body into its envelopes (at most TZ_FED_BATCH_MAX); whatever follows the
 * last one that reads is left out (it gets no receipt, and its sender tries again). */
static size_t split(const struct tz_fed_envelope *batch, struct item *items)
{
    size_t count = 0, at = 0;
    while (at < batch->body_len && count < TZ_FED_BATCH_MAX) {
        struct tz_fed_envelope e;
        size_t used = 0;
        if (tz_fed_envelope_next(batch->body + at, batch->body_len - at, &e, &used))
            break;
        items[count++] = (struct item){.p = batch->body + at, .n = used};
        at += used;
    }
    return count;
}

/* Checks item it of a batch that passed its own checks: itself, and that it belongs to it. */
static void check_item(struct tz_fed *f, const struct tz_fed_envelope *batch, struct item *it)
{
    it->checked = tz_fed_check_envelope(f, it->p, it->n, false, &it->env, &it->node);
    it->parsed = it->checked != TZ_FED_MALFORMED;
    if (it->checked == TZ_FED_OK &&
        (it->env.kind == TZ_FED_READ || strcmp(it->env.from, batch->from) != 0 ||
         strcmp(it->env.to, batch->to) != 0 || it->env.sender_case != batch->sender_case))
        it->checked = TZ_FED_MALFORMED; /* another sender's or another case's: not this batch */
}

/* In the held transaction: each envelope in its order. */
static tz_err receive_all(void *ctx)
{
    struct received *rc = ctx;
    bool failed = false;
    for (size_t i = 0; i < rc->count; i++) {
        struct item *it = &rc->items[i];
        enum tz_fed_reason r = rc->batch != TZ_FED_OK ? rc->batch : it->checked;
        if (r == TZ_FED_OK && failed)
            r = TZ_FED_FAILED; /* not tried: the case's order waits for the one before */
        else if (r == TZ_FED_OK)
            r = tz_fed_accept(rc->f, &it->env, &it->node, &it->out);
        failed = failed || r == TZ_FED_FAILED;
        it->out.reason = r;
        if (r != TZ_FED_OK) {
            it->out.message_id = it->out.case_id = 0;
            tz_fed_refusal_audit(rc->f, &it->env, it->parsed, &it->out);
        }
    }
    return TZ_OK;
}

tz_err tz_fed_receive_batch(struct tz_fed *f, const char *p, size_t n, struct tz_fed_outcome *out,
                            struct tz_buf *receipt)
{
    memset(out, 0, sizeof *out);
    struct tz_fed_envelope batch;
    struct tz_fed_node_rec node;
    struct received rc = {.f = f};
    rc.batch = tz_fed_check_envelope(f, p, n, true, &batch, &node);
    if (rc.batch == TZ_FED_MALFORMED) { /* no batch to answer item by item */
        out->reason = TZ_FED_MALFORMED;
        tz_fed_refusal_audit(f, &batch, false, out);
        return tz_fed_receipt_write(f, &batch, false, out, receipt);
    }
    if (!(rc.items = calloc(TZ_FED_BATCH_MAX, sizeof *rc.items)))
        return TZ_ENOMEM;
    rc.count = split(&batch, rc.items);
    for (size_t i = 0; i < rc.count; i++)
        check_item(f, &batch, &rc.items[i]);
    pthread_mutex_t *mu = tz_fed_stripe(f, &batch); /* the batch's case, as a lone message's */
    pthread_mutex_lock(mu);
    tz_err held = tz_store_hold(f->store, receive_all, &rc);
    pthread_mutex_unlock(mu);
    tz_err err = TZ_OK;
    for (size_t i = 0; i < rc.count && !err; i++) {
        struct item *it = &rc.items[i];
        if (held && it->out.reason == TZ_FED_OK) { /* not on disk after all: try again */
            it->out = (struct tz_fed_outcome){.reason = TZ_FED_FAILED};
            snprintf(it->out.detail, sizeof it->out.detail, "%s", tz_err_str(held));
        }
        err = tz_fed_receipt_write(f, &it->env, it->parsed, &it->out, receipt);
    }
    if (rc.count == 0) { /* a batch of nothing */
        out->reason = TZ_FED_MALFORMED;
        err = tz_fed_receipt_write(f, &batch, true, out, receipt);
    } else {
        *out = rc.items[0].out;
    }
    free(rc.items);
    return err;
}

/* ---- the sender ---- */

#define BATCH_BODY_MAX (TZ_FED_ENVELOPE_MAX - 1024) /* the batch's own header and signature */

/* A batch being made and settled: the case's queued rows, and what became of each. */
struct sending {
    struct tz_fed *f;
    const struct tz_fed_node_rec *node;
    struct tz_fed_out_rec *rows;
    size_t count;
    bool *packed;             /* rows[i] travels in the batch */
    struct tz_fed_sent *sent; /* rows[i]'s outcome */
    const char **error;       /* why rows[i]'s attempt failed, or NULL */
    struct tz_buf body;       /* the batch's body: the packed envelopes */
    struct tz_fed_batch_sent *out;
};

/* In a held transaction: the rows' messages read (each read audited) and put in envelopes; a
 * row the partner will never take is refused here and now, and the batch stops at the first
 * row this node cannot read now (the case's order: what follows waits with it). */
static tz_err pack(void *ctx)
{
    struct sending *s = ctx;
    struct tz_buf one;
    tz_buf_init(&one, TZ_FED_ENVELOPE_MAX);
    tz_err err = TZ_OK;
    for (size_t i = 0; i < s->count; i++) {
        tz_buf_reset(&one);
        err = tz_fed_envelope_of(s->f, s->node, &s->rows[i], &one);
        if (err == TZ_ENOMEM || err == TZ_EIO || err == TZ_EBUSY)
            break;
        if (err) { /* the partner does not take it, or it cannot travel: never will */
            struct tz_fed_sent *o = &s->sent[i];
            o->outcome.reason = err == TZ_EFORBIDDEN ? TZ_FED_NOT_ACCEPTED : TZ_FED_REFUSED;
            snprintf(o->outcome.detail, sizeof o->outcome.detail, "%s", tz_err_str(err));
            if ((err = tz_fed_settle_row(s->f, &s->rows[i], o, NULL)))
                break;
            s->out->refused++;
            continue;
        }
        if (s->body.len + one.len > BATCH_BODY_MAX)
            break; /* the next batch takes it */
        if ((err = tz_buf_append(&s->body, one.data, one.len)))
            break;
        s->packed[i] = true;
        s->out->sent++;
    }
    tz_buf_free(&one);
    return err == TZ_ENOMEM || err == TZ_EIO || err == TZ_EBUSY ? TZ_OK : err;
}

/* Reads the receipts in reply, one per packed row in order; a row without a valid one (and
 * every row after it) is tried again. */
static void read_receipts(struct sending *s, const struct tz_buf *reply, bool reached)
{
    size_t at = 0;
    bool ok = reached;
    for (size_t i = 0; i < s->count; i++) {
        if (!s->packed[i])
            continue;
        struct tz_fed_envelope e;
        size_t used = 0;
        if (ok && (at >= reply->len ||
                   tz_fed_envelope_next(reply->data + at, reply->len - at, &e, &used) ||
                   tz_fed_receipt_read(s->f, s->node->id, s->rows[i].message_id, reply->data + at,
                                       used, &s->sent[i].outcome)))
            ok = false;
        if (!ok)
            s->error[i] = reached ? "no valid receipt" : "unreachable";
        at += used;
    }
}

/* In a held transaction: every packed row settled by its receipt, up to the first that is to be
 * tried again. The rows after it are left as they were (not tried: the partner was down, or
 * stopped at the one before), so that once the case's head goes through they follow at once
 * instead of waiting out back-offs of their own. */
static tz_err settle_all(void *ctx)
{
    struct sending *s = ctx;
    for (size_t i = 0; i < s->count && s->out->queued == 0; i++) {
        if (!s->packed[i])
            continue;
        tz_err err = tz_fed_settle_row(s->f, &s->rows[i], &s->sent[i], s->error[i]);
        if (err)
            return err;
        const char *state = s->sent[i].state;
        if (strcmp(state, "delivered") == 0)
            s->out->delivered++;
        else if (strcmp(state, "refused") == 0)
            s->out->refused++;
        else
            s->out->queued++;
    }
    return TZ_OK;
}

/* The batch envelope of s's body, signed, into env. */
static tz_err seal_batch(struct sending *s, struct tz_buf *env)
{
    struct tz_fed_envelope b = {
        .kind = TZ_FED_BATCH,
        .sender_case = s->rows[0].case_id,
        .at = tz_exchange_now(s->f->x),
        .body = s->body.data,
        .body_len = s->body.len,
    };
    for (size_t i = 0; i < s->count && !b.id; i++)
        if (s->packed[i])
            b.id = s->rows[i].message_id;
    snprintf(b.from, sizeof b.from, "%s", s->f->cfg.node);
    snprintf(b.to, sizeof b.to, "%s", s->node->id);
    return tz_fed_envelope_write(&b, s->f->cfg.sk, env);
}

/* Packs, sends and settles the rows of s. */
static tz_err send_packed(struct sending *s, const struct tz_fed_transport *t)
{
    tz_err err = tz_store_hold(s->f->store, pack, s);
    if (err || s->out->sent == 0)
        return err;
    struct tz_buf env, reply;
    tz_buf_init(&env, TZ_FED_ENVELOPE_MAX);
    tz_buf_init(&reply, (size_t)TZ_FED_BATCH_MAX * 4096);
    if (!(err = seal_batch(s, &env))) {
        bool reached = t->send(t->ctx, s->node, env.data, env.len, &reply) == TZ_OK;
        read_receipts(s, &reply, reached);
        err = tz_store_hold(s->f->store, settle_all, s);
    }
    tz_buf_free(&env);
    tz_buf_free(&reply);
    return err;
}

tz_err tz_fed_send_case(struct tz_fed *f, const char *partner, const struct tz_fed_out_rec *head,
                        size_t max, const struct tz_fed_transport *t, struct tz_fed_batch_sent *out)
{
    memset(out, 0, sizeof *out);
    if (!f->cfg.codec || max == 0 || max > TZ_FED_BATCH_MAX)
        return TZ_EINVAL;
    struct tz_fed_node_rec node;
    tz_err err = tz_store_fed_node_get(f->store, partner, &node);
    if (err)
        return err == TZ_ENOTFOUND ? TZ_OK : err; /* removed meanwhile: its queue waits */
    struct sending s = {.f = f, .node = &node, .out = out};
    if ((err = tz_store_fed_out_case(f->store, partner, head->case_id, max, &s.rows, &s.count)))
        return err;
    if (s.count == 0 || s.rows[0].id != head->id) { /* settled meanwhile */
        free(s.rows);
        return TZ_OK;
    }
    s.packed = calloc(s.count, sizeof *s.packed);
    s.sent = calloc(s.count, sizeof *s.sent);
    s.error = calloc(s.count, sizeof *s.error);
    tz_buf_init(&s.body, BATCH_BODY_MAX);
    if (!s.packed || !s.sent || !s.error)
        err = TZ_ENOMEM;
    else
        err = send_packed(&s, t);
    if (!err && out->sent == 0 && out->refused == 0) { /* the head alone fills a batch */
        struct tz_fed_sent one;
        struct tz_fed_transport alone = *t;
        err = tz_fed_send_row(f, partner, head, &alone, &one);
        out->sent = one.sent;
        out->delivered = one.sent && strcmp(one.state, "delivered") == 0;
        out->refused = one.sent && strcmp(one.state, "refused") == 0;
        out->queued = one.sent && !out->delivered && !out->refused;
    }
    tz_buf_free(&s.body);
    free(s.packed);
    free(s.sent);
    free(s.error);
    free(s.rows);
    return err;
}
