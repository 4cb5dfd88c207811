/*
 * Unit tests of the exchange's football events and diffusions over a real
 * store: an event announced with its message and checked field by field; the
 * table of what each NFIP type carries, member by member; an NFIP message
 * refused outside its event and stored in the event's case with its part;
 * the event view for those who may read the announcement; a diffusion that
 * must go to chosen partners and follows the notices' lifecycle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "exchange/exchange.h"

#define COPY(dst, s) snprintf((dst), sizeof(dst), "%s", (s))
#define KICKOFF 1780000000

static int64_t fixed_clock(void *ctx)
{
    return *(int64_t *)ctx;
}

struct fx {
    char dir[64], path[96];
    struct tz_store *store;
    struct tz_exchange *x;
    int64_t now;
    struct tz_principal nfip, krk, boss;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    COPY(f->dir, "/tmp/tz_xev_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/x.db", f->dir);
    assert_int_equal(tz_store_open_sqlite(f->path, &f->store), TZ_OK);
    struct tz_xnode_config cfg = {.node = "PL", .spoc_unit = "KGP-SPOC"};
    assert_int_equal(tz_exchange_open(f->store, &cfg, &f->x), TZ_OK);
    f->now = KICKOFF - 3 * 86400;
    tz_exchange_set_clock(f->x, fixed_clock, &f->now);
    f->nfip.role = TZ_AUTH_SPOC_OPERATOR;
    COPY(f->nfip.account.name, "nfip");
    COPY(f->nfip.account.unit, "KGP-NFIP");
    f->krk.role = TZ_AUTH_LIAISON;
    COPY(f->krk.account.name, "krk");
    COPY(f->krk.account.unit, "KWP-Krakow");
    f->boss.role = TZ_AUTH_SPOC_SUPERVISOR;
    COPY(f->boss.account.name, "boss");
    COPY(f->boss.account.unit, "KGP-SPOC");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    tz_exchange_close(f->x);
    tz_store_close(f->store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* A message of the Azerbaijani NFIP to the Polish one (inbound), or the other way. */
static void message(struct tz_xmsg *m, int type, bool inbound)
{
    tz_xmsg_init(m);
    m->type = type;
    COPY(m->subject, "Final UEFA Conference League, Wrocław");
    COPY(m->originator.node, inbound ? "AZ" : "PL");
    COPY(m->originator.unit, inbound ? "AZ-NFIP" : "KGP-NFIP");
    m->addressee_count = 1;
    COPY(m->addressees[0].node, inbound ? "PL" : "AZ");
    COPY(m->addressees[0].unit, inbound ? "KGP-NFIP" : "AZ-NFIP");
    COPY(m->lang, "en");
    m->handling = TZ_XH0;
    m->source = TZ_XSRC_A;
    m->info = TZ_XINFO_2;
}

static void event(struct tz_xevent *e)
{
    memset(e, 0, sizeof *e);
    COPY(e->competition, "UEFA Conference League final");
    COPY(e->home, "Qarabağ FK");
    COPY(e->away, "Real Betis");
    COPY(e->venue, "Tarczyński Arena, al. Śląska 1, Wrocław");
    COPY(e->country, "POL");
    e->lat = 51.1412;
    e->lon = 16.9432;
    e->kickoff = KICKOFF;
    e->risk = TZ_XRISK_HIGH;
}

static int64_t announce(struct fx *f, struct tz_xevent *e)
{
    struct tz_xmsg m;
    message(&m, TZ_XMSG_NFIP_EVENT, true);
    event(e);
    struct tz_xactor who = {.p = &f->nfip, .client = "t"};
    struct tz_xreceipt r;
    struct tz_field_errors errs = {0};
    assert_int_equal(tz_exchange_event_create(f->x, &who, true, e, &m, &r, &errs), TZ_OK);
    tz_xmsg_clear(&m);
    assert_int_equal(e->id, r.id);
    return r.id;
}

static void event_is_checked_field_by_field(void **state)
{
    (void)state;
    struct tz_xevent e;
    event(&e);
    struct tz_field_errors errs = {0};
    assert_int_equal(tz_exchange_event_validate(&e, &errs), TZ_OK);
    assert_string_equal(e.country, "PL"); /* alpha-3 becomes alpha-2 */
    assert_int_equal(e.window_from, KICKOFF - TZ_X_EVENT_BEFORE_S);
    assert_int_equal(e.window_to, KICKOFF + TZ_X_EVENT_AFTER_S);
    memset(&e, 0, sizeof e);
    e.risk = 7;
    e.lat = 91;
    e.lon = -181;
    COPY(e.country, "XX");
    assert_int_equal(tz_exchange_event_validate(&e, &errs), TZ_EINVAL);
    const char *want[] = {"/event/competition", "/event/home",    "/event/away",
                          "/event/venue",       "/event/country", "/event/lat",
                          "/event/lon",         "/event/kickoff", "/event/risk"};
    assert_int_equal(errs.count, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < errs.count; i++)
        assert_string_equal(errs.items[i].field, want[i]);
    /* A window must hold the kick-off and last at most 14 days. */
    event(&e);
    e.window_from = KICKOFF + 1;
    e.window_to = KICKOFF + 2;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_event_validate(&e, &errs), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/event/window");
}

/* Each NFIP type against the table: what it requires, and a member it never carries. */
static void nfip_parts_follow_their_table(void **state)
{
    (void)state;
    struct tz_xnfip n;
    struct tz_field_errors errs = {0};
    tz_xnfip_init(&n);
    n.event_id = 1;
    assert_int_equal(tz_exchange_nfip_validate(TZ_XMSG_NFIP_RISK, &n, &errs), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/nfip/phase");
    assert_string_equal(errs.items[1].field, "/nfip/risk");
    n.phase = TZ_XPHASE_TACTICAL;
    n.risk = TZ_XRISK_INCREASED;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_nfip_validate(TZ_XMSG_NFIP_RISK, &n, &errs), TZ_OK);
    n.spotters = 4;
    assert_int_equal(tz_exchange_nfip_validate(TZ_XMSG_NFIP_RISK, &n, &errs), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/nfip/spotters");

    tz_xnfip_init(&n);
    n.event_id = 1;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_nfip_validate(TZ_XMSG_NFIP_MOVEMENT, &n, &errs), TZ_EINVAL);
    assert_int_equal(errs.count, 3); /* supporters, transport, route */
    n.supporters = 4000;
    n.risk_supporters = 4001;
    n.transport = TZ_XTR_AIR;
    COPY(n.route, "GYD → WRO charter, then buses to the fan zone");
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_nfip_validate(TZ_XMSG_NFIP_MOVEMENT, &n, &errs), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/nfip/risk_supporters");
    n.risk_supporters = 150;
    n.arrival = KICKOFF - 86400;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_nfip_validate(TZ_XMSG_NFIP_MOVEMENT, &n, &errs), TZ_OK);

    tz_xnfip_init(&n);
    n.event_id = 1;
    n.spotters = 0;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_nfip_validate(TZ_XMSG_NFIP_SPOTTERS, &n, &errs), TZ_EINVAL);
    n.spotters = 6;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_nfip_validate(TZ_XMSG_NFIP_SPOTTERS, &n, &errs), TZ_OK);

    tz_xnfip_init(&n);
    n.event_id = 1;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_nfip_validate(TZ_XMSG_NFIP_FEEDBACK, &n, &errs), TZ_OK);
    n.risk = TZ_XRISK_LOW; /* the risk as it turned out: optional */
    assert_int_equal(tz_exchange_nfip_validate(TZ_XMSG_NFIP_FEEDBACK, &n, &errs), TZ_OK);
    /* Not an event's message type. */
    assert_int_equal(tz_exchange_nfip_validate(TZ_XMSG_REQUEST, &n, &errs), TZ_EINVAL);
}

static void event_messages_and_view(void **state)
{
    struct fx *f = *state;
    struct tz_xevent e;
    int64_t id = announce(f, &e);
    struct tz_xactor nfip = {.p = &f->nfip, .client = "t"}, krk = {.p = &f->krk, .client = "t"};
    struct tz_xreceipt r;
    struct tz_field_errors errs = {0};
    /* An NFIP message outside its event is refused, and so is a plain submit of one. */
    struct tz_xmsg m;
    message(&m, TZ_XMSG_NFIP_RISK, false);
    assert_int_equal(tz_exchange_submit(f->x, &nfip, false, &m, &r, &errs), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/type");
    /* A risk assessment of the event: joins its case. */
    struct tz_xnfip n;
    tz_xnfip_init(&n);
    n.event_id = id;
    n.phase = TZ_XPHASE_OPERATIONAL;
    n.risk = TZ_XRISK_HIGH;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_event_submit(f->x, &nfip, false, &n, &m, &r, &errs), TZ_OK);
    assert_int_equal(r.case_id, e.case_id);
    tz_xmsg_clear(&m);
    /* Supporter movements from Azerbaijan. */
    message(&m, TZ_XMSG_NFIP_MOVEMENT, true);
    tz_xnfip_init(&n);
    n.event_id = id;
    n.supporters = 3500;
    n.risk_supporters = 120;
    n.transport = TZ_XTR_AIR;
    COPY(n.route, "GYD-WRO charters");
    assert_int_equal(tz_exchange_event_submit(f->x, &nfip, true, &n, &m, &r, &errs), TZ_OK);
    tz_xmsg_clear(&m);
    /* No such event: nothing stored. */
    message(&m, TZ_XMSG_NFIP_SPOTTERS, false);
    tz_xnfip_init(&n);
    n.event_id = 9999;
    n.spotters = 4;
    assert_int_equal(tz_exchange_event_submit(f->x, &nfip, false, &n, &m, &r, &errs), TZ_ENOTFOUND);
    tz_xmsg_clear(&m);

    struct tz_xevent_view v;
    assert_int_equal(tz_exchange_event_view(f->x, &nfip, id, &v), TZ_OK);
    assert_string_equal(v.event.home, "Qarabağ FK");
    assert_int_equal(v.event.risk, TZ_XRISK_HIGH);
    assert_int_equal(v.count, 3);
    assert_int_equal(v.items[0].line.type, TZ_XMSG_NFIP_EVENT);
    assert_int_equal(v.items[1].nfip.phase, TZ_XPHASE_OPERATIONAL);
    assert_int_equal(v.items[2].nfip.supporters, 3500);
    assert_int_equal(v.items[2].nfip.transport, TZ_XTR_AIR);
    assert_string_equal(v.items[2].nfip.route, "GYD-WRO charters");
    tz_xevent_view_clear(&v);
    /* A unit the announcement does not address reads neither the event nor the list. */
    assert_int_equal(tz_exchange_event_view(f->x, &krk, id, &v), TZ_EFORBIDDEN);
    assert_int_equal(tz_exchange_event_view(f->x, &nfip, 4242, &v), TZ_ENOTFOUND);
    struct tz_xevent *list;
    size_t count;
    assert_int_equal(tz_exchange_events(f->x, &nfip, &list, &count), TZ_OK);
    assert_int_equal(count, 1);
    assert_int_equal(list[0].id, id);
    free(list);
    assert_int_equal(tz_exchange_events(f->x, &krk, &list, &count), TZ_OK);
    assert_int_equal(count, 0);
    free(list);
}

/* A diffusion goes to partners chosen for it and follows the notices' lifecycle. */
static void diffusion_to_chosen_partners(void **state)
{
    struct fx *f = *state;
    struct tz_xactor boss = {.p = &f->boss, .client = "t"};
    struct tz_xmsg m;
    tz_xmsg_init(&m);
    m.type = TZ_XMSG_DIFFUSION;
    COPY(m.subject, "Poszukiwany: oszustwa inwestycyjne");
    COPY(m.originator.node, "PL");
    COPY(m.originator.unit, "KGP-SPOC");
    m.addressee_count = 2;
    COPY(m.addressees[0].node, "PL");
    COPY(m.addressees[0].unit, "KWP-Krakow");
    COPY(m.addressees[1].node, "PL");
    COPY(m.addressees[1].unit, "KWP-Krakow");
    COPY(m.lang, "en");
    m.handling = TZ_XH0;
    m.source = TZ_XSRC_A;
    m.info = TZ_XINFO_1;
    struct tz_xreceipt r;
    struct tz_field_errors errs = {0};
    assert_int_equal(tz_exchange_submit(f->x, &boss, false, &m, &r, &errs), TZ_EINVAL);
    assert_int_equal(errs.count, 2);
    assert_string_equal(errs.items[0].field, "/addressees/1"); /* twice */
    assert_string_equal(errs.items[1].field, "/addressees");   /* no partner */
    COPY(m.addressees[0].node, "DE");
    COPY(m.addressees[0].unit, "BKA-SPOC");
    COPY(m.addressees[1].node, "CZ");
    COPY(m.addressees[1].unit, "PCR-SPOC");
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_submit(f->x, &boss, false, &m, &r, &errs), TZ_OK);
    tz_xmsg_clear(&m);
    char state_code[TZ_XS_CODE];
    assert_int_equal(tz_store_x_notice_state(f->store, r.id, state_code), TZ_OK);
    assert_string_equal(state_code, "draft");
    struct tz_xnotice_move review = {.to = TZ_XNS_REVIEW};
    assert_int_equal(tz_exchange_notice_move(f->x, &boss, r.id, &review, &errs), TZ_OK);
    struct tz_xnotice_move publish = {.to = TZ_XNS_PUBLISHED};
    assert_int_equal(tz_exchange_notice_move(f->x, &boss, r.id, &publish, &errs), TZ_EINVAL);
    publish.neutral = true;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_notice_move(f->x, &boss, r.id, &publish, &errs), TZ_OK);
    assert_int_equal(tz_store_x_notice_state(f->store, r.id, state_code), TZ_OK);
    assert_string_equal(state_code, "published");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(event_is_checked_field_by_field),
        cmocka_unit_test(nfip_parts_follow_their_table),
        cmocka_unit_test_setup_teardown(event_messages_and_view, setup, teardown),
        cmocka_unit_test_setup_teardown(diffusion_to_chosen_partners, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
