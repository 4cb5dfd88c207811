/*
 * sender.c - the background sender. Each round (tz_alerts_round):
 *
 * 1. matches the reports the public sees that arrived since its cursor
 *    (ids in order, at most ROUND_REPORTS a round) against the active
 *    subscriptions, and adds an outbox row per match together with the
 *    cursor's new place in one commit, so that a restart neither misses a
 *    report nor owes one twice;
 *    The same for status changes (report_transitions by seq, a cursor of
 *    their own): a public change of a report a subscription follows (one in
 *    its area and categories, newer than itself) is owed once per change;
 * 2. delivers the rows that are due, one at a time, and writes each attempt
 *    (delivered, failed with its next try, dropped) with its log line.
 *
 * A receiver may see a delivery twice only when the process dies between
 * its answer and the commit of that answer; the delivery id header names
 * the outbox row, the same on every try, so a receiver can tell. A row
 * written as delivered is never sent again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "alerts/internal.h"
#include "base/tztime.h"

#define ROUND_REPORTS 1000  /* reports matched in one round */
#define ROUND_CHANGES 1000  /* status changes matched in one round (<= TZ_STORE_LIST_MAX) */
#define ROUND_DELIVERIES 50 /* deliveries in one round */
#define ROWS_MAX 4096       /* outbox rows added in one commit */
#define BODY_MAX (64 * 1024)

/* ---- 1. matching --------------------------------------------------------------------------- */

struct active {
    struct tz_alert_sub_rec *recs;
    struct tz_alert_spec *specs;
    size_t n;
};

static void active_free(struct active *s)
{
    tz_alert_sub_recs_free(s->recs, s->n);
    free(s->specs);
    memset(s, 0, sizeof *s);
}

static tz_err active_load(struct tz_alerts *a, struct active *s)
{
    memset(s, 0, sizeof *s);
    tz_err err = tz_store_alert_subs_active(a->store, &s->recs, &s->n);
    if (err || s->n == 0)
        return err;
    if (!(s->specs = calloc(s->n, sizeof *s->specs))) {
        active_free(s);
        return TZ_ENOMEM;
    }
    for (size_t i = 0; i < s->n && !err; i++)
        err = alerts_spec_of_rec(a, &s->recs[i], &s->specs[i]);
    if (err)
        active_free(s);
    return err;
}

static tz_err match_new(struct tz_alerts *a, int64_t now)
{
    int64_t upto = 0, newest = 0;
    tz_err err = tz_store_alert_cursor(a->store, &upto);
    if (!err)
        err = alerts_newest_public(a, now, &newest);
    if (err)
        return err;
    if (upto < 0) /* the first round: only what arrives from now on */
        return tz_store_alert_enqueue(a->store, NULL, 0, newest);
    if (newest <= upto)
        return TZ_OK;
    struct active subs;
    if ((err = active_load(a, &subs)))
        return err;
    size_t cap = subs.n > ROWS_MAX ? subs.n : ROWS_MAX; /* room for one report at least */
    struct tz_alert_out_rec *rows = calloc(cap, sizeof *rows);
    size_t n = 0;
    int64_t id = upto;
    if (!rows)
        err = TZ_ENOMEM;
    int64_t last = newest < upto + ROUND_REPORTS ? newest : upto + ROUND_REPORTS;
    while (!err && id < last && n + subs.n <= cap) {
        id++;
        struct tz_report_rec rec;
        tz_err e = tz_threatmap_public_report(a->tm, id, now, &rec);
        if (e == TZ_ENOTFOUND)
            continue; /* hidden from the public, or gone */
        if (e) {
            id--;
            err = e;
            break;
        }
        for (size_t i = 0; i < subs.n; i++)
            if (id > subs.recs[i].after_report && tz_alert_spec_matches(&subs.specs[i], &rec))
                rows[n++] = (struct tz_alert_out_rec){
                    .sub_id = subs.recs[i].id, .report_id = id, .next_at = now};
        tz_report_rec_clear(&rec);
    }
    if (!err && id > upto)
        err = tz_store_alert_enqueue(a->store, rows, n, id);
    free(rows);
    active_free(&subs);
    return err;
}

/*
 * Whether a status change is one the public sees: the public updates' rule
 * (tz_threatmap_public_updates): a change to any status but rejected. Its
 * report must be public too, checked by the caller (and again when sent).
 */
static bool change_public(const struct tz_transition_rec *t)
{
    return strcmp(t->to, "rejected") != 0;
}

/* Adds the rows of one change to rows[*n] (cap leaves room for every subscription). */
static tz_err match_change(struct tz_alerts *a, const struct active *subs,
                           const struct tz_transition_rec *t, int64_t now,
                           struct tz_alert_out_rec *rows, size_t *n)
{
    if (!change_public(t))
        return TZ_OK;
    struct tz_report_rec rec;
    tz_err e = tz_threatmap_public_report(a->tm, t->report_id, now, &rec);
    if (e == TZ_ENOTFOUND)
        return TZ_OK; /* hidden from the public, or gone */
    if (e)
        return e;
    for (size_t i = 0; i < subs->n; i++)
        if (t->report_id > subs->recs[i].after_report &&
            tz_alert_spec_matches(&subs->specs[i], &rec))
            rows[(*n)++] = (struct tz_alert_out_rec){.sub_id = subs->recs[i].id,
                                                     .report_id = t->report_id,
                                                     .change_seq = t->seq,
                                                     .next_at = now};
    tz_report_rec_clear(&rec);
    return TZ_OK;
}

static tz_err match_changes(struct tz_alerts *a, int64_t now)
{
    int64_t upto = 0, newest = 0;
    tz_err err = tz_store_alert_change_cursor(a->store, &upto);
    if (!err)
        err = tz_store_last_transition_seq(a->store, &newest);
    if (err)
        return err;
    if (upto < 0) /* the first round: only changes made from now on */
        return tz_store_alert_enqueue_changes(a->store, NULL, 0, newest);
    if (newest <= upto)
        return TZ_OK;
    struct tz_transition_rec *t = NULL;
    size_t tn = 0;
    if ((err = tz_store_transitions_after(a->store, upto, ROUND_CHANGES, &t, &tn)))
        return err;
    struct active subs;
    if ((err = active_load(a, &subs))) {
        tz_transition_recs_free(t, tn);
        return err;
    }
    size_t cap = subs.n > ROWS_MAX ? subs.n : ROWS_MAX;
    struct tz_alert_out_rec *rows = calloc(cap, sizeof *rows);
    size_t n = 0, i = 0;
    int64_t seq = upto;
    if (!rows)
        err = TZ_ENOMEM;
    for (; !err && i < tn && n + subs.n <= cap; i++) {
        err = match_change(a, &subs, &t[i], now, rows, &n);
        if (!err)
            seq = t[i].seq;
    }
    /* what was matched is kept, with the cursor at its end, even when a later change failed */
    tz_err kept = seq > upto ? tz_store_alert_enqueue_changes(a->store, rows, n, seq) : TZ_OK;
    err = err ? err : kept;
    free(rows);
    active_free(&subs);
    tz_transition_recs_free(t, tn);
    return err;
}

/* The status change seq of report_id (for its message): TZ_ENOTFOUND when it is gone. */
static tz_err change_of(struct tz_alerts *a, int64_t report_id, int64_t seq,
                        struct tz_transition_rec **out)
{
    size_t n = 0;
    tz_err err = tz_store_transitions_after(a->store, seq - 1, 1, out, &n);
    if (!err && (n != 1 || (*out)[0].seq != seq || (*out)[0].report_id != report_id))
        err = TZ_ENOTFOUND;
    if (err) {
        tz_transition_recs_free(*out, n);
        *out = NULL;
    }
    return err;
}

/* ---- 2. delivering -------------------------------------------------------------------------- */

/* The delay before try attempts + 1: base * 2^attempts up to the most, the upper half jittered. */
static int64_t backoff_s(const struct tz_alerts_config *cfg, int attempts)
{
    int64_t d = cfg->retry_base_s > 0 ? cfg->retry_base_s : 1;
    for (int i = 0; i < attempts && d < cfg->retry_max_s; i++)
        d *= 2;
    if (d > cfg->retry_max_s)
        d = cfg->retry_max_s;
    int64_t half = d / 2;
    return half + (int64_t)randombytes_uniform((uint32_t)(d - half + 1));
}

static void link_of(const struct tz_alerts *a, const char *what, int64_t id, const char *token,
                    char *out, size_t size)
{
    snprintf(out, size, "%s/api/v1/alerts/%s?id=%lld&token=%s", a->cfg.public_url, what,
             (long long)id, token);
}

/* Sends one outbox row to its subscription; fills the attempt's outcome. */
static tz_err deliver(struct tz_alerts *a, const struct tz_alert_out_rec *o,
                      const struct tz_alert_sub_rec *sub, int64_t now, struct tz_alert_attempt *at,
                      char *detail, size_t size)
{
    struct tz_report_rec rec = {0};
    struct tz_transition_rec *change = NULL, pub = {0};
    bool have = false;
    if (o->change_seq) {
        tz_err e = change_of(a, o->report_id, o->change_seq, &change);
        if (e == TZ_ENOTFOUND) {
            at->skipped = true;
            snprintf(detail, size, "the status change is gone");
            return TZ_OK;
        }
        if (e)
            return e;
        /* only its public part travels: not the officer's note, name or referral */
        pub = (struct tz_transition_rec){.seq = change->seq,
                                         .report_id = change->report_id,
                                         .at = change->at,
                                         .public_note = change->public_note};
        memcpy(pub.from, change->from, sizeof pub.from);
        memcpy(pub.to, change->to, sizeof pub.to);
    }
    if (o->report_id) {
        tz_err e = tz_threatmap_public_report(a->tm, o->report_id, now, &rec);
        if (e) {
            tz_transition_recs_free(change, change ? 1 : 0);
            if (e != TZ_ENOTFOUND)
                return e;
            at->skipped = true; /* no longer on the public map: it is not sent */
            snprintf(detail, size, "the report is no longer public");
            return TZ_OK;
        }
        have = true;
        /* only the public text travels */
        free(rec.description);
        rec.description = NULL;
    }
    char confirm[1024] = "", unsub[1024] = "";
    bool mail = strcmp(sub->kind, "email") == 0;
    if (mail) { /* a webhook's key never goes into a link */
        link_of(a, "confirm", sub->id, sub->secret, confirm, sizeof confirm);
        link_of(a, "unsubscribe", sub->id, sub->secret, unsub, sizeof unsub);
    }
    struct tz_alert_message m = {
        .kind = !mail          ? TZ_ALERT_WEBHOOK
                : o->report_id ? TZ_ALERT_MAIL
                               : TZ_ALERT_CONFIRM,
        .sub_id = sub->id,
        .delivery_id = o->id,
        .report = have ? &rec : NULL,
        .change = change ? &pub : NULL,
        .to = sub->target,
        .from = a->cfg.mail_from,
        .confirm_url = confirm,
        .unsubscribe_url = unsub,
        .now = now,
    };
    struct tz_buf body;
    tz_buf_init(&body, BODY_MAX);
    tz_err err = a->cfg.render(a->cfg.render_ctx, &m, &body);
    tz_err sent = TZ_OK;
    if (!err && !mail)
        sent =
            alerts_post_webhook(a, sub->target, sub->secret, sub->id, o->id, &body, detail, size);
    else if (!err)
        sent = alerts_send_mail(a, sub->target, &body, detail, size);
    tz_buf_free(&body);
    tz_transition_recs_free(change, change ? 1 : 0);
    if (have)
        tz_report_rec_clear(&rec);
    if (err)
        return err;
    at->delivered = sent == TZ_OK;
    if (!at->delivered)
        at->next_at = now + backoff_s(&a->cfg, o->attempts);
    return TZ_OK;
}

static tz_err deliver_due(struct tz_alerts *a, int64_t now)
{
    struct tz_alert_out_rec *due = NULL;
    size_t n = 0;
    /* Without a relay, mail waits in the outbox and does not hold up the webhooks. */
    tz_err err =
        tz_store_alert_due(a->store, now, ROUND_DELIVERIES, a->cfg.smtp_url != NULL, &due, &n);
    for (size_t i = 0; !err && i < n; i++) {
        struct tz_alert_sub_rec sub;
        tz_err e = tz_store_alert_sub_get(a->store, due[i].sub_id, &sub);
        if (e == TZ_ENOTFOUND)
            continue; /* unsubscribed meanwhile: its rows went with it */
        if (e) {
            err = e;
            break;
        }
        char detail[256] = "";
        struct tz_alert_attempt at = {
            .out_id = due[i].id, .at = now, .max_failures = a->cfg.max_failures, .detail = detail};
        err = deliver(a, &due[i], &sub, now, &at, detail, sizeof detail);
        tz_alert_sub_rec_clear(&sub);
        if (!err) {
            err = tz_store_alert_record(a->store, &at);
            if (err == TZ_ECONFLICT || err == TZ_ENOTFOUND) /* unsubscribed while it was sent */
                err = TZ_OK;
        }
    }
    free(due);
    return err;
}

tz_err tz_alerts_round(struct tz_alerts *a, int64_t now)
{
    tz_err err = match_new(a, now);
    tz_err errc = match_changes(a, now);
    err = err ? err : errc;
    tz_err err2 = a->cfg.render ? deliver_due(a, now) : TZ_OK;
    return err ? err : err2;
}

/* ---- the thread ---------------------------------------------------------------------------- */

static void *sender_main(void *arg)
{
    struct tz_alerts *a = arg;
    pthread_mutex_lock(&a->mu);
    while (!a->stopping) {
        pthread_mutex_unlock(&a->mu);
        tz_err err = tz_alerts_round(a, tz_time_now());
        if (err == TZ_EUNSUPPORTED) {
            /* The store has no alerts (PostgreSQL, for now): said once, and the sender ends. */
            fprintf(stderr, "tarcza: alerts: %s: no alerts are sent\n", tz_err_str(err));
            pthread_mutex_lock(&a->mu);
            break;
        }
        if (err)
            fprintf(stderr, "tarcza: alerts: %s\n", tz_err_str(err));
        pthread_mutex_lock(&a->mu);
        if (a->stopping)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int ms = a->cfg.interval_ms > 0 ? a->cfg.interval_ms : 1000;
        until.tv_sec += ms / 1000;
        until.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&a->cv, &a->mu, &until);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

tz_err tz_alerts_start(struct tz_alerts *a)
{
    if (!a->cfg.render || a->started)
        return TZ_EINVAL;
    if (pthread_create(&a->thread, NULL, sender_main, a) != 0)
        return TZ_ENOMEM;
    a->started = true;
    return TZ_OK;
}

void tz_alerts_close(struct tz_alerts *a)
{
    if (!a)
        return;
    if (a->started) {
        pthread_mutex_lock(&a->mu);
        a->stopping = true;
        pthread_cond_signal(&a->cv);
        pthread_mutex_unlock(&a->mu);
        pthread_join(a->thread, NULL);
    }
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    free(a);
}
