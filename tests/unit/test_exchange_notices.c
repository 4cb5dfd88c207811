/*
 * Unit tests of the exchange's notices over a real store: a notice received
 * from INTERPOL is published at receipt and its persons, documents and
 * vehicles are visited (what screening checks against), its other entities
 * and a draft notice of this node are not, and a cancelled notice drops out
 * of the visit. The clock is injected.
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

static int64_t fixed_clock(void *ctx)
{
    return *(int64_t *)ctx;
}

/* A red notice from INTERPOL (inbound) or a yellow draft of this node, with a person, a
 * document, a vehicle and a location. */
static void notice(struct tz_xmsg *m, bool from_interpol)
{
    tz_xmsg_init(m);
    m->type = TZ_XMSG_NOTICE;
    m->notice_type = from_interpol ? TZ_XN_RED : TZ_XN_YELLOW;
    COPY(m->subject, "Poszukiwany");
    COPY(m->originator.node, from_interpol ? "INTERPOL" : "PL");
    COPY(m->originator.unit, from_interpol ? "IPSG" : "KGP-SPOC");
    m->addressee_count = 1;
    COPY(m->addressees[0].node, from_interpol ? "PL" : "INTERPOL");
    COPY(m->addressees[0].unit, from_interpol ? "KGP-SPOC" : "IPSG");
    COPY(m->lang, "en");
    m->handling = TZ_XH0;
    m->source = TZ_XSRC_A;
    m->info = TZ_XINFO_1;
    m->entity_count = 4;
    m->entities = calloc(4, sizeof *m->entities);
    const int kinds[] = {TZ_XE_PERSON, TZ_XE_DOCUMENT, TZ_XE_VEHICLE, TZ_XE_LOCATION};
    for (int i = 0; i < 4; i++) {
        snprintf(m->entities[i].ref, sizeof m->entities[i].ref, "e%d", i);
        m->entities[i].kind = kinds[i];
    }
    COPY(m->entities[0].u.person.family, "Doe");
    COPY(m->entities[0].u.person.original, "Доу");
    m->entities[1].u.document.type = TZ_XDOC_PASSPORT;
    m->entities[1].u.document.status = TZ_XDS_STOLEN;
    COPY(m->entities[1].u.document.number, "X1234567");
    COPY(m->entities[1].u.document.country, "UA");
    COPY(m->entities[2].u.vehicle.plate, "AA 1234 BB");
    COPY(m->entities[2].u.vehicle.plate_country, "UA");
    COPY(m->entities[3].u.location.address, "Kyiv");
}

struct seen {
    size_t count;
    int kinds;
    int64_t notice;
    char document[TZ_X_ID_MAX];
};

static tz_err visit(void *ctx, const struct tz_xnotice_subject *s)
{
    struct seen *v = ctx;
    v->count++;
    v->kinds |= 1 << s->entity->kind;
    v->notice = s->notice_id;
    assert_int_equal(s->notice_type, TZ_XN_RED);
    if (s->entity->kind == TZ_XE_DOCUMENT)
        COPY(v->document, s->entity->u.document.number);
    return TZ_OK;
}

static void published_notices_are_visited(void **state)
{
    (void)state;
    char dir[] = "/tmp/tz_xnotice_XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/x.db", dir);
    struct tz_store *store;
    assert_int_equal(tz_store_open_sqlite(path, &store), TZ_OK);
    struct tz_xnode_config cfg = {.node = "PL", .spoc_unit = "KGP-SPOC"};
    struct tz_exchange *x;
    assert_int_equal(tz_exchange_open(store, &cfg, &x), TZ_OK);
    int64_t now = 1780000000;
    tz_exchange_set_clock(x, fixed_clock, &now);
    struct tz_principal boss = {.role = TZ_AUTH_SPOC_SUPERVISOR};
    COPY(boss.account.name, "boss");
    COPY(boss.account.unit, "KGP-SPOC");
    struct tz_xactor who = {.p = &boss, .client = "test"};
    struct tz_xmsg m;
    struct tz_xreceipt r;
    struct tz_field_errors errs = {0};
    notice(&m, false); /* a draft of ours: not visited */
    assert_int_equal(tz_exchange_submit(x, &who, false, &m, &r, &errs), TZ_OK);
    int64_t draft = r.id;
    tz_xmsg_clear(&m);
    notice(&m, true);
    assert_int_equal(tz_exchange_submit(x, &who, true, &m, &r, &errs), TZ_OK);
    int64_t red = r.id;
    tz_xmsg_clear(&m);
    struct seen v = {0};
    assert_int_equal(tz_exchange_published_visit(x, visit, &v), TZ_OK);
    assert_int_equal(v.count, 3); /* person, document, vehicle; not the location */
    assert_int_equal(v.kinds, (1 << TZ_XE_PERSON) | (1 << TZ_XE_DOCUMENT) | (1 << TZ_XE_VEHICLE));
    assert_int_equal(v.notice, red);
    assert_string_equal(v.document, "X1234567");
    assert_int_not_equal(draft, red);
    /* Cancelled: gone from the visit. */
    struct tz_xnotice_move cancel = {.to = TZ_XNS_CANCELLED, .note = "withdrawn by INTERPOL"};
    assert_int_equal(tz_exchange_notice_move(x, &who, red, &cancel, &errs), TZ_OK);
    memset(&v, 0, sizeof v);
    assert_int_equal(tz_exchange_published_visit(x, visit, &v), TZ_OK);
    assert_int_equal(v.count, 0);
    tz_exchange_close(x);
    tz_store_close(store);
    char p[96];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(published_notices_are_visited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
