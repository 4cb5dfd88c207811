/*
 * Unit tests of what a SPOC does beyond messages (src/exchange/spoc.h) over a
 * real store, with an injected clock: two answers to one request at once
 * (two threads: exactly one wins, the other is TZ_ECONFLICT); an Art. 9
 * deviation (the due instant moves, the requester is told in the case, the
 * record and the audit entry are written, refused when answered, out of
 * range or by another unit); a partner's deviation received (our request's due
 * instant moves, recorded and counted as the partner's; refused in every other
 * shape, nothing stored); a unit's box in order (open and paused clocks merged
 * by due instant and cut at the page, then the rest); the Art. 18 statistics of a year (per partner,
 * urgent and not, refusals by ground, deviations; a message at 23:30 on 31
 * December Polish time counts in that year); attachments (types sniffed
 * from the bytes, the declared type checked, bounds, SHA-256, stored with
 * the message and read back whole; a refused message stores none); H2
 * pass-on refused without the provider's permission and allowed with it.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "exchange/spoc.h"

#define COPY(dst, s) snprintf((dst), sizeof(dst), "%s", (s))

static int64_t fixed_clock(void *ctx)
{
    return *(int64_t *)ctx;
}

struct fx {
    char dir[32], path[64];
    struct tz_store *store;
    struct tz_exchange *x;
    int64_t now;
    struct tz_principal boss, krk;
    struct tz_xactor who, other;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    COPY(f->dir, "/tmp/tz_xspoc_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/x.db", f->dir);
    assert_int_equal(tz_store_open_sqlite(f->path, &f->store), TZ_OK);
    struct tz_xnode_config cfg = {.node = "PL", .spoc_unit = "KGP-SPOC"};
    assert_int_equal(tz_exchange_open(f->store, &cfg, &f->x), TZ_OK);
    f->now = 1780000000; /* 2026-05-28 */
    tz_exchange_set_clock(f->x, fixed_clock, &f->now);
    f->boss.role = TZ_AUTH_SPOC_SUPERVISOR;
    COPY(f->boss.account.name, "boss");
    COPY(f->boss.account.unit, "KGP-SPOC");
    f->krk.role = TZ_AUTH_LIAISON;
    COPY(f->krk.account.name, "krk");
    COPY(f->krk.account.unit, "KWP-Krakow");
    f->who = (struct tz_xactor){.p = &f->boss, .client = "test"};
    f->other = (struct tz_xactor){.p = &f->krk, .client = "test"};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    tz_exchange_close(f->x);
    tz_store_close(f->store);
    char p[96];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* A message between the SPOC and a partner's SPOC; inbound: the partner's. */
static void message(struct tz_xmsg *m, int type, bool inbound, const char *partner)
{
    tz_xmsg_init(m);
    m->type = type;
    COPY(m->subject, "Kradzież");
    COPY(m->originator.node, inbound ? partner : "PL");
    COPY(m->originator.unit, inbound ? "SPOC" : "KGP-SPOC");
    m->addressee_count = 1;
    COPY(m->addressees[0].node, inbound ? "PL" : partner);
    COPY(m->addressees[0].unit, inbound ? "KGP-SPOC" : "SPOC");
    COPY(m->lang, "en");
    m->handling = TZ_XH0;
    m->source = TZ_XSRC_A;
    m->info = TZ_XINFO_1;
    if (type == TZ_XMSG_REQUEST)
        m->urgency = TZ_XURG_NORMAL;
}

/* Stores m as who; the receipt's id, or 0 with the error in *err. */
static int64_t submit(struct fx *f, struct tz_xmsg *m, bool inbound, tz_err *err_out)
{
    struct tz_xreceipt r;
    struct tz_field_errors errs = {0};
    tz_err err = tz_exchange_submit(f->x, &f->who, inbound, m, &r, &errs);
    tz_xmsg_clear(m);
    if (err_out)
        *err_out = err;
    else
        assert_int_equal(err, TZ_OK);
    return err ? 0 : r.id;
}

static int64_t receive(struct fx *f, const char *partner, int urgency)
{
    struct tz_xmsg m;
    message(&m, TZ_XMSG_REQUEST, true, partner);
    m.urgency = urgency;
    return submit(f, &m, true, NULL);
}

static long long db_long(struct fx *f, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static const char *state_of(struct fx *f, int64_t id, char *out, size_t size, int64_t *due)
{
    struct tz_xview v;
    assert_int_equal(tz_exchange_get(f->x, &f->who, id, &v), TZ_OK);
    snprintf(out, size, "%s", v.state);
    if (due)
        *due = v.due;
    tz_xview_clear(&v);
    return out;
}

/* ---- compare-and-set on the request's clock ---- */

struct racer {
    struct fx *f;
    int64_t request;
    int type;
    pthread_barrier_t *start;
    tz_err err;
};

static void *answer(void *arg)
{
    struct racer *r = arg;
    struct tz_xmsg m;
    message(&m, r->type, false, "DE");
    m.in_reply_to = r->request;
    if (r->type == TZ_XMSG_REFUSAL) {
        m.grounds = 1u << TZ_XG_A;
        COPY(m.reasons, "not available");
    }
    pthread_barrier_wait(r->start);
    submit(r->f, &m, false, &r->err);
    return NULL;
}

static void two_answers_at_once_one_wins(void **state)
{
    struct fx *f = *state;
    for (int round = 0; round < 8; round++) {
        int64_t req = receive(f, "DE", TZ_XURG_NORMAL);
        pthread_barrier_t start;
        pthread_barrier_init(&start, NULL, 2);
        struct racer a = {f, req, TZ_XMSG_REPLY, &start, -1};
        struct racer b = {f, req, round % 2 ? TZ_XMSG_REFUSAL : TZ_XMSG_REPLY, &start, -1};
        pthread_t ta, tb;
        pthread_create(&ta, NULL, answer, &a);
        pthread_create(&tb, NULL, answer, &b);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        pthread_barrier_destroy(&start);
        assert_true((a.err == TZ_OK && b.err == TZ_ECONFLICT) ||
                    (a.err == TZ_ECONFLICT && b.err == TZ_OK));
        char s[32];
        state_of(f, req, s, sizeof s, NULL);
        assert_true(strcmp(s, "answered") == 0 || strcmp(s, "refused") == 0);
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM x_messages WHERE in_reply_to = %lld",
                 (long long)req);
        assert_int_equal(db_long(f, sql), 1); /* the loser stored nothing */
    }
}

/* The store's write of a request's clock is a compare-and-set on the clock as read: a stale
 * reading is TZ_ECONFLICT and the message that carried it is not stored. */
static void a_stale_clock_is_a_conflict(void **state)
{
    struct fx *f = *state;
    int64_t req = receive(f, "DE", TZ_XURG_NORMAL);
    struct tz_xmsg_rec request;
    assert_int_equal(tz_store_x_get_message(f->store, req, NULL, &request), TZ_OK);
    struct tz_xmsg_rec reply = {.case_id = request.case_id, .in_reply_to = req, .at = f->now};
    COPY(reply.type, "reply");
    COPY(reply.from_node, "PL");
    COPY(reply.from_unit, "KGP-SPOC");
    COPY(reply.lang, "en");
    COPY(reply.handling, "H0");
    COPY(reply.source, "A");
    COPY(reply.info, "1");
    struct tz_xstate_change change = {.message_id = req, .was = request.clock};
    change.clock = request.clock;
    COPY(change.clock.state, "answered");
    change.was.paused_total += 60; /* as if someone had moved it since */
    struct tz_xput put = {.msg = &reply, .change = &change};
    long long before = db_long(f, "SELECT COUNT(*) FROM x_messages");
    assert_int_equal(tz_store_x_put_messages(f->store, &put, 1), TZ_OK);
    assert_int_equal(put.err, TZ_ECONFLICT);
    assert_int_equal(db_long(f, "SELECT COUNT(*) FROM x_messages"), before);
    change.was = request.clock; /* as it is */
    assert_int_equal(tz_store_x_put_messages(f->store, &put, 1), TZ_OK);
    assert_int_equal(put.err, TZ_OK);
    assert_int_equal(db_long(f, "SELECT COUNT(*) FROM x_messages"), before + 1);
    char s[32];
    assert_string_equal(state_of(f, req, s, sizeof s, NULL), "answered");
    tz_store_xmsg_free(&request);
}

/* ---- a unit's box ---- */

static int64_t send_request(struct fx *f, const char *partner, int urgency)
{
    struct tz_xmsg m;
    message(&m, TZ_XMSG_REQUEST, false, partner);
    m.urgency = urgency;
    return submit(f, &m, false, NULL);
}

/* The box's order: running and stopped clocks by due instant (open and paused merged), cut at
 * the page before the rest; then the rest, newest first. */
static void box_merges_running_clocks_by_due(void **state)
{
    struct fx *f = *state;
    int64_t b = receive(f, "DE", TZ_XURG_NORMAL);            /* due in 7 days */
    int64_t c = receive(f, "FR", TZ_XURG_URGENT_INDIRECT);   /* due in 3 days: paused below */
    int64_t a = receive(f, "DE", TZ_XURG_URGENT_DIRECT);     /* due in 8 hours */
    int64_t d = receive(f, "FR", TZ_XURG_NORMAL);            /* answered below */
    struct tz_xmsg m;
    message(&m, TZ_XMSG_CLARIFICATION, false, "FR");
    m.in_reply_to = c;
    submit(f, &m, false, NULL);
    message(&m, TZ_XMSG_REPLY, false, "FR");
    m.in_reply_to = d;
    submit(f, &m, false, NULL);
    message(&m, TZ_XMSG_INFORMATION, true, "DE");
    int64_t e = submit(f, &m, true, NULL);                  /* no clock */
    char s[32];
    assert_string_equal(state_of(f, c, s, sizeof s, NULL), "paused");
    struct tz_xlines l;
    assert_int_equal(tz_exchange_box(f->x, &f->who, "KGP-SPOC", true, 50, &l), TZ_OK);
    int64_t want[] = {a, c, b, e, d};
    assert_int_equal(l.count, 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(l.items[i].id, want[i]);
    tz_xlines_clear(&l);
    assert_int_equal(tz_exchange_box(f->x, &f->who, "KGP-SPOC", true, 2, &l), TZ_OK);
    assert_int_equal(l.count, 2);
    assert_int_equal(l.items[0].id, a);
    assert_int_equal(l.items[1].id, c);
    tz_xlines_clear(&l);
    /* The outbox alike: our requests by due instant (one stopped by the partner's clarification),
     * then the rest. */
    int64_t ob = send_request(f, "DE", TZ_XURG_NORMAL);
    int64_t oc = send_request(f, "FR", TZ_XURG_URGENT_INDIRECT);
    int64_t oa = send_request(f, "DE", TZ_XURG_URGENT_DIRECT);
    message(&m, TZ_XMSG_CLARIFICATION, true, "FR");
    m.in_reply_to = oc;
    submit(f, &m, true, NULL);
    assert_string_equal(state_of(f, oc, s, sizeof s, NULL), "paused");
    assert_int_equal(tz_exchange_box(f->x, &f->who, "KGP-SPOC", false, 50, &l), TZ_OK);
    assert_true(l.count >= 3);
    assert_int_equal(l.items[0].id, oa);
    assert_int_equal(l.items[1].id, oc);
    assert_int_equal(l.items[2].id, ob);
    tz_xlines_clear(&l);
}

/* ---- Art. 9 deviations ---- */

static void deviation_moves_the_deadline_and_tells_the_requester(void **state)
{
    struct fx *f = *state;
    int64_t req = receive(f, "DE", TZ_XURG_URGENT_INDIRECT);
    char s[32];
    int64_t due0, due1;
    state_of(f, req, s, sizeof s, &due0);
    assert_int_equal(due0, f->now + 3 * 86400);
    f->now += 3600;
    struct tz_xdeviation d = {.delay_s = 48 * 3600, .reasons = "a court order is needed"};
    struct tz_xreceipt r;
    struct tz_field_errors errs = {0};
    assert_int_equal(tz_exchange_deviate(f->x, &f->who, req, &d, &r, &errs), TZ_OK);
    assert_int_equal(r.due, due0 + 48 * 3600);
    state_of(f, req, s, sizeof s, &due1);
    assert_string_equal(s, "open");
    assert_int_equal(due1, due0 + 48 * 3600);
    /* The requester is told: a message of type deviation, to its unit, in the case. */
    struct tz_xview v;
    assert_int_equal(tz_exchange_get(f->x, &f->who, r.id, &v), TZ_OK);
    assert_int_equal(v.msg.type, TZ_XMSG_DEVIATION);
    assert_int_equal(v.msg.in_reply_to, req);
    assert_string_equal(v.msg.addressees[0].node, "DE");
    assert_string_equal(v.msg.addressees[0].unit, "SPOC");
    assert_false(v.inbound);
    assert_non_null(strstr(v.msg.text, "+48 h"));
    assert_non_null(strstr(v.msg.text, "a court order is needed"));
    tz_xview_clear(&v);
    assert_int_equal(db_long(f, "SELECT COUNT(*) FROM x_deviations WHERE delay_s = 172800"
                                " AND reasons = 'a court order is needed'"),
                     1);
    char sql[160];
    snprintf(
        sql, sizeof sql,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'exchange.send' AND object = 'xmsg/%lld'",
        (long long)r.id);
    assert_int_equal(db_long(f, sql), 1);
    /* Out of range, without reasons, by a unit the request does not address: refused. */
    struct tz_xdeviation bad = {.delay_s = 60, .reasons = ""};
    errs = (struct tz_field_errors){0};
    assert_int_equal(tz_exchange_deviate(f->x, &f->who, req, &bad, &r, &errs), TZ_EINVAL);
    assert_int_equal(errs.count, 2);
    errs = (struct tz_field_errors){0};
    assert_int_equal(tz_exchange_deviate(f->x, &f->other, req, &d, &r, &errs), TZ_EFORBIDDEN);
    /* Answered: no deadline left to move. */
    struct tz_xmsg m;
    message(&m, TZ_XMSG_REPLY, false, "DE");
    m.in_reply_to = req;
    submit(f, &m, false, NULL);
    assert_int_equal(tz_exchange_deviate(f->x, &f->who, req, &d, &r, &errs), TZ_ECONFLICT);
    assert_int_equal(db_long(f, "SELECT COUNT(*) FROM x_deviations"), 1);
}

/* A partner's deviation (Art. 9, received): our request's due instant moves, the case shows it,
 * the statistics count it as the partner's; anything else of the kind is refused, unstored. */
static tz_err partner_deviation(struct fx *f, const char *from, int64_t req, int hours,
                                const char *reasons, bool inbound, struct tz_field_errors *errs)
{
    struct tz_xmsg m;
    message(&m, TZ_XMSG_DEVIATION, inbound, from);
    m.in_reply_to = req;
    m.delay_hours = hours;
    COPY(m.reasons, reasons);
    struct tz_xreceipt r;
    tz_err err = tz_exchange_submit(f->x, &f->who, inbound, &m, &r, errs);
    tz_xmsg_clear(&m);
    return err;
}

static void partner_deviation_moves_our_request(void **state)
{
    struct fx *f = *state;
    struct tz_xmsg m;
    message(&m, TZ_XMSG_REQUEST, false, "DE");
    int64_t req = submit(f, &m, false, NULL);
    char s[32];
    int64_t due0, due1;
    state_of(f, req, s, sizeof s, &due0);
    f->now += 3600;
    struct tz_field_errors errs = {0};
    assert_int_equal(partner_deviation(f, "DE", req, 72, "Gerichtsbeschluss", true, &errs), TZ_OK);
    state_of(f, req, s, sizeof s, &due1);
    assert_string_equal(s, "open");
    assert_int_equal(due1, due0 + 72 * 3600);
    assert_int_equal(db_long(f, "SELECT COUNT(*) FROM x_deviations WHERE delay_s = 259200"
                                " AND reasons = 'Gerichtsbeschluss' AND actor = 'DE/SPOC'"),
                     1);
    /* The case shows it: the deviation in the request's thread, with its delay and reasons. */
    struct tz_xmsg_rec rec = {0};
    int64_t dev = db_long(f, "SELECT id FROM x_messages WHERE type = 'deviation'");
    assert_int_equal(tz_store_x_get_message(f->store, dev, NULL, &rec), TZ_OK);
    assert_int_equal(rec.delay_s, 72 * 3600);
    assert_int_equal(rec.in_reply_to, req);
    tz_store_xmsg_free(&rec);
    struct tz_xview v;
    assert_int_equal(tz_exchange_get(f->x, &f->who, dev, &v), TZ_OK);
    assert_int_equal(v.msg.delay_hours, 72);
    assert_string_equal(v.msg.reasons, "Gerichtsbeschluss");
    assert_true(v.inbound);
    tz_xview_clear(&v);
    /* Refused, nothing stored: no delay, too long, from a node the request did not go to, one
     * of our own sent through submit, one that answers a request we received. */
    assert_int_equal(partner_deviation(f, "DE", req, 0, "x", true, &errs), TZ_EINVAL);
    assert_int_equal(partner_deviation(f, "DE", req, 2161, "x", true, &errs), TZ_EINVAL);
    assert_int_equal(partner_deviation(f, "DE", req, 24, "", true, &errs), TZ_EINVAL);
    assert_int_equal(partner_deviation(f, "FR", req, 24, "x", true, &errs), TZ_EINVAL);
    int64_t theirs = receive(f, "DE", TZ_XURG_NORMAL);
    assert_int_equal(partner_deviation(f, "DE", theirs, 24, "x", false, &errs), TZ_EINVAL);
    assert_int_equal(partner_deviation(f, "DE", theirs, 24, "x", true, &errs), TZ_EINVAL);
    /* Answered: no deadline left to move. */
    message(&m, TZ_XMSG_REPLY, true, "DE");
    m.in_reply_to = req;
    submit(f, &m, true, NULL);
    assert_int_equal(partner_deviation(f, "DE", req, 24, "x", true, &errs), TZ_ECONFLICT);
    assert_int_equal(db_long(f, "SELECT COUNT(*) FROM x_deviations"), 1);
    assert_int_equal(db_long(f, "SELECT COUNT(*) FROM x_messages WHERE type = 'deviation'"), 1);
    /* Art. 18: the partner's deviation, received. */
    struct tz_xstats *st = malloc(sizeof *st);
    assert_int_equal(tz_exchange_stats(f->x, &f->who, 2026, st), TZ_OK);
    assert_int_equal(st->received.deviations, 1);
    assert_int_equal(st->sent.deviations, 0);
    assert_string_equal(st->partners[0].node, "DE");
    assert_int_equal(st->partners[0].received.deviations, 1);
    free(st);
}

/* ---- Art. 18 statistics ---- */

static void statistics_of_a_year(void **state)
{
    struct fx *f = *state;
    /* 2025-12-31 23:30 in Warsaw is 22:30 UTC: the year 2025. */
    f->now = 1767220200;
    assert_int_equal(tz_exchange_year_of(f->now), 2025);
    assert_int_equal(tz_exchange_year_of(f->now + 3600), 2026);
    receive(f, "DE", TZ_XURG_NORMAL);
    f->now += 3600; /* 2026 from here */
    int64_t de = receive(f, "DE", TZ_XURG_URGENT_DIRECT);
    receive(f, "DE", TZ_XURG_NORMAL);
    int64_t fr = receive(f, "FR", TZ_XURG_URGENT_INDIRECT);
    struct tz_xmsg m;
    message(&m, TZ_XMSG_REQUEST, false, "FR");
    m.urgency = TZ_XURG_URGENT_DIRECT;
    submit(f, &m, false, NULL);
    message(&m, TZ_XMSG_REFUSAL, false, "DE");
    m.in_reply_to = de;
    m.grounds = (1u << TZ_XG_A) | (1u << TZ_XG_C);
    COPY(m.reasons, "no data");
    submit(f, &m, false, NULL);
    struct tz_xdeviation d = {.delay_s = 24 * 3600, .reasons = "a court order is needed"};
    struct tz_xreceipt r;
    struct tz_field_errors errs = {0};
    assert_int_equal(tz_exchange_deviate(f->x, &f->who, fr, &d, &r, &errs), TZ_OK);

    struct tz_xstats *s = malloc(sizeof *s);
    assert_int_equal(tz_exchange_stats(f->x, &f->who, 2026, s), TZ_OK);
    assert_int_equal(s->year, 2026);
    assert_int_equal(s->received.requests, 3);
    assert_int_equal(s->received.urgent, 2);
    assert_int_equal(s->received.not_urgent, 1);
    assert_int_equal(s->sent.requests, 1);
    assert_int_equal(s->sent.urgent, 1);
    assert_int_equal(s->sent.refusals, 1);
    assert_int_equal(s->sent.by_ground[TZ_XG_A], 1);
    assert_int_equal(s->sent.by_ground[TZ_XG_C], 1);
    assert_int_equal(s->sent.by_ground[TZ_XG_B], 0);
    assert_int_equal(s->sent.deviations, 1);
    assert_int_equal(s->partner_count, 2);
    assert_string_equal(s->partners[0].node, "DE");
    assert_string_equal(s->partners[1].node, "FR");
    assert_int_equal(s->partners[0].received.requests, 2);
    assert_int_equal(s->partners[0].sent.refusals, 1);
    assert_int_equal(s->partners[1].received.requests, 1);
    assert_int_equal(s->partners[1].sent.requests, 1);
    assert_int_equal(s->partners[1].sent.deviations, 1);
    assert_int_equal(tz_exchange_stats(f->x, &f->who, 2025, s), TZ_OK);
    assert_int_equal(s->received.requests, 1);
    assert_int_equal(s->partner_count, 1);
    /* Only the SPOC's supervisor reads them; a year out of range is refused. */
    assert_int_equal(tz_exchange_stats(f->x, &f->other, 2026, s), TZ_EFORBIDDEN);
    assert_int_equal(tz_exchange_stats(f->x, &f->who, 1999, s), TZ_EINVAL);
    free(s);
    assert_int_equal(db_long(f, "SELECT COUNT(*) FROM audit_log WHERE object = 'xstats/2026'"), 1);
}

/* ---- attachments ---- */

static void attach(struct tz_xmsg *m, const char *name, const char *type, const void *data,
                   size_t n)
{
    if (!m->attachments)
        m->attachments = calloc(TZ_X_ATTACHMENTS + 1, sizeof *m->attachments);
    struct tz_xattachment *a = &m->attachments[m->attachment_count++];
    COPY(a->name, name);
    COPY(a->type, type);
    a->data = malloc(n ? n : 1);
    memcpy(a->data, data, n);
    a->size = n;
}

static const char PDF[] = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n";
static const unsigned char PNG[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13};
static const unsigned char JPEG[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F'};

static void attachments_sniffed_bounded_and_stored(void **state)
{
    struct fx *f = *state;
    struct tz_xmsg m;
    struct tz_field_errors errs = {0};
    message(&m, TZ_XMSG_INFORMATION, true, "DE");
    attach(&m, "scan.pdf", "application/pdf", PDF, sizeof PDF - 1);
    attach(&m, "photo.png", "image/png", PNG, sizeof PNG);
    attach(&m, "photo.jpg", "image/jpeg", JPEG, sizeof JPEG);
    attach(&m, "note.txt", "text/plain", "Zażółć gęślą jaźń\n", strlen("Zażółć gęślą jaźń\n"));
    assert_int_equal(tz_exchange_validate(&m, &errs), TZ_OK);
    assert_int_equal(strlen(m.attachments[0].sha256), 64);
    /* sha256("%PDF-...") as libsodium computes it; checked against the stored bytes below. */
    char sha[65];
    COPY(sha, m.attachments[0].sha256);
    tz_err err;
    int64_t id = submit(f, &m, true, &err);
    assert_int_equal(err, TZ_OK);
    struct tz_xattachment a;
    assert_int_equal(tz_exchange_attachment(f->x, &f->who, id, 0, &a), TZ_OK);
    assert_int_equal(a.size, sizeof PDF - 1);
    assert_memory_equal(a.data, PDF, a.size);
    assert_string_equal(a.sha256, sha);
    assert_string_equal(a.type, "application/pdf");
    tz_xattachment_clear(&a);
    assert_int_equal(tz_exchange_attachment(f->x, &f->who, id, 4, &a), TZ_ENOTFOUND);
    assert_int_equal(tz_exchange_attachment(f->x, &f->other, id, 0, &a), TZ_EFORBIDDEN);
    assert_int_equal(db_long(f, "SELECT COUNT(*) FROM audit_log WHERE object LIKE 'xattach/%'"
                                " AND action = 'exchange.read'"),
                     1);
    /* The view lists them without their bytes. */
    struct tz_xview v;
    assert_int_equal(tz_exchange_get(f->x, &f->who, id, &v), TZ_OK);
    assert_int_equal(v.msg.attachment_count, 4);
    assert_null(v.msg.attachments[1].data);
    assert_string_equal(v.msg.attachments[1].name, "photo.png");
    tz_xview_clear(&v);

    /* A PDF declared as a PNG, bytes of no allowed type, a path as a name: each refused. */
    message(&m, TZ_XMSG_INFORMATION, true, "DE");
    attach(&m, "scan.png", "image/png", PDF, sizeof PDF - 1);
    attach(&m, "x.exe", "application/pdf", "MZ\x90\0\3", 5);
    attach(&m, "../etc/passwd", "text/plain", "root", 4);
    errs = (struct tz_field_errors){0};
    assert_int_equal(tz_exchange_validate(&m, &errs), TZ_EINVAL);
    assert_int_equal(errs.count, 3);
    assert_string_equal(errs.items[0].field, "/attachments/0/type");
    assert_string_equal(errs.items[1].field, "/attachments/1/data");
    assert_string_equal(errs.items[2].field, "/attachments/2/name");
    long long before = db_long(f, "SELECT COUNT(*) FROM x_attachments");
    submit(f, &m, true, &err);
    assert_int_equal(err, TZ_EINVAL);
    assert_int_equal(db_long(f, "SELECT COUNT(*) FROM x_attachments"), before);
    /* Too many, too big. */
    message(&m, TZ_XMSG_INFORMATION, true, "DE");
    for (int i = 0; i < TZ_X_ATTACHMENTS + 1; i++)
        attach(&m, "a.txt", "text/plain", "a", 1);
    errs = (struct tz_field_errors){0};
    assert_int_equal(tz_exchange_validate(&m, &errs), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/attachments");
    tz_xmsg_clear(&m);
    message(&m, TZ_XMSG_INFORMATION, true, "DE");
    char *big = malloc(TZ_X_ATTACH_MAX + 1);
    memset(big, 'a', TZ_X_ATTACH_MAX + 1);
    attach(&m, "big.txt", "text/plain", big, TZ_X_ATTACH_MAX + 1);
    free(big);
    errs = (struct tz_field_errors){0};
    assert_int_equal(tz_exchange_validate(&m, &errs), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/attachments/0/data");
    tz_xmsg_clear(&m);
}

/* ---- H2 ---- */

static void h2_pass_on_needs_the_providers_permission(void **state)
{
    struct fx *f = *state;
    struct tz_xmsg m;
    message(&m, TZ_XMSG_INFORMATION, true, "DE");
    m.handling = TZ_XH2;
    int64_t h2 = submit(f, &m, true, NULL);
    message(&m, TZ_XMSG_INFORMATION, false, "FR");
    struct tz_xreceipt r;
    struct tz_field_errors errs = {0};
    long long before = db_long(f, "SELECT COUNT(*) FROM x_messages");
    assert_int_equal(tz_exchange_forward(f->x, &f->who, h2, &m, &r, &errs), TZ_EFORBIDDEN);
    assert_string_equal(errs.items[0].field, "/addressees/0/node");
    assert_int_equal(db_long(f, "SELECT COUNT(*) FROM x_messages"), before);
    /* The provider permits FR: recorded and audited; then the pass-on goes through. */
    errs = (struct tz_field_errors){0};
    assert_int_equal(tz_exchange_permit(f->x, &f->who, h2, "fr", &errs), TZ_EINVAL);
    assert_int_equal(tz_exchange_permit(f->x, &f->who, h2, "DE", &errs), TZ_EINVAL);
    assert_int_equal(tz_exchange_permit(f->x, &f->other, h2, "FR", &errs), TZ_EFORBIDDEN);
    assert_int_equal(tz_exchange_permit(f->x, &f->who, h2, "FR", &errs), TZ_OK);
    assert_int_equal(tz_exchange_permit(f->x, &f->who, h2, "FR", &errs), TZ_OK); /* again */
    assert_int_equal(db_long(f, "SELECT COUNT(*) FROM x_permissions"), 1);
    errs = (struct tz_field_errors){0};
    assert_int_equal(tz_exchange_forward(f->x, &f->who, h2, &m, &r, &errs), TZ_OK);
    tz_xmsg_clear(&m);
    /* Back to the provider needs nothing; to another third party (IT) it does. */
    message(&m, TZ_XMSG_INFORMATION, false, "IT");
    assert_int_equal(tz_exchange_forward(f->x, &f->who, h2, &m, &r, &errs), TZ_EFORBIDDEN);
    tz_xmsg_clear(&m);
    /* An H0 message needs no permission, and takes none. */
    message(&m, TZ_XMSG_INFORMATION, true, "DE");
    int64_t h0 = submit(f, &m, true, NULL);
    errs = (struct tz_field_errors){0};
    assert_int_equal(tz_exchange_permit(f->x, &f->who, h0, "FR", &errs), TZ_EINVAL);
    message(&m, TZ_XMSG_INFORMATION, false, "IT");
    assert_int_equal(tz_exchange_forward(f->x, &f->who, h0, &m, &r, &errs), TZ_OK);
    tz_xmsg_clear(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(two_answers_at_once_one_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(a_stale_clock_is_a_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(deviation_moves_the_deadline_and_tells_the_requester, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(partner_deviation_moves_our_request, setup, teardown),
        cmocka_unit_test_setup_teardown(box_merges_running_clocks_by_due, setup, teardown),
        cmocka_unit_test_setup_teardown(statistics_of_a_year, setup, teardown),
        cmocka_unit_test_setup_teardown(attachments_sniffed_bounded_and_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(h2_pass_on_needs_the_providers_permission, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
