/*
 * Unit tests of src/exchange: every coded table read row by row (a label
 * missing in any language fails), the message validator (a full valid
 * message, then one mistake at a time, each named by its field), and the
 * rules with an injected clock: the Art. 5 periods across both DST changes,
 * month ends and leap days, the clock stopped by a clarification and started
 * again, every Art. 6 refusal ground and a refusal without one, the Art. 4
 * copy and each exception, and every handling-code restriction tried.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/tztime.h"
#include "exchange/exchange.h"

/* The instant of a UTC wall time. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
    return tz_time_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

/* Whether errs names field. */
static bool names(const struct tz_field_errors *errs, const char *field)
{
    for (size_t i = 0; i < errs->count; i++)
        if (strcmp(errs->items[i].field, field) == 0)
            return true;
    return false;
}

static const size_t enum_counts[TZ_XT_COUNT] = {
    [TZ_XT_MSG_TYPE] = TZ_XMSG_TYPE_COUNT,  [TZ_XT_HANDLING] = TZ_XH_COUNT,
    [TZ_XT_SOURCE] = TZ_XSRC_COUNT,         [TZ_XT_INFO] = TZ_XINFO_COUNT,
    [TZ_XT_URGENCY] = TZ_XURG_COUNT,        [TZ_XT_REFUSAL_GROUND] = TZ_XG_COUNT,
    [TZ_XT_ART4_EXCEPTION] = TZ_XART4_COUNT, [TZ_XT_NOTICE_TYPE] = TZ_XN_COUNT,
    [TZ_XT_DOC_TYPE] = TZ_XDOC_TYPE_COUNT,  [TZ_XT_DOC_STATUS] = TZ_XDS_COUNT,
    [TZ_XT_ENTITY_KIND] = TZ_XE_KIND_COUNT, [TZ_XT_LINK_ROLE] = TZ_XL_ROLE_COUNT,
    [TZ_XT_SEX] = TZ_XSEX_COUNT,            [TZ_XT_COMM_KIND] = TZ_XC_COUNT,
    [TZ_XT_ASSET_KIND] = TZ_XA_COUNT,       [TZ_XT_COUNTRY] = 0, /* as long as it is */
    [TZ_XT_MARKING] = TZ_XM_COUNT,
};

/* Every table: rows as many as its enum, codes unique and parsed back, a label in each
 * language, and labels that differ between Polish and English somewhere in the table. */
static void test_every_table_has_every_label(void **state)
{
    (void)state;
    for (int t = 0; t < TZ_XT_COUNT; t++) {
        size_t n;
        const struct tz_xcode *rows = tz_xcode_rows((enum tz_xtable)t, &n);
        assert_non_null(tz_xcode_table_name((enum tz_xtable)t));
        assert_true(n > 0);
        if (enum_counts[t])
            assert_int_equal(n, enum_counts[t]);
        for (size_t i = 0; i < n; i++) {
            for (int l = 0; l < TZ_XLANG_COUNT; l++) {
                const char *label = rows[i].label[l];
                if (!label || !label[0])
                    fail_msg("table %s row %s: no label in language %d",
                             tz_xcode_table_name((enum tz_xtable)t), rows[i].code, l);
                assert_string_equal(tz_xcode_label((enum tz_xtable)t, (int)i, l), label);
            }
            int back = -1;
            assert_int_equal(tz_xcode_parse((enum tz_xtable)t, rows[i].code,
                                            strlen(rows[i].code), &back),
                             TZ_OK);
            assert_int_equal(back, (int)i); /* also: no earlier row has the same code */
            if (rows[i].alt) {
                assert_int_equal(tz_xcode_parse((enum tz_xtable)t, rows[i].alt,
                                                strlen(rows[i].alt), &back),
                                 TZ_OK);
                assert_int_equal(back, (int)i);
            }
        }
        int v;
        assert_int_equal(tz_xcode_parse((enum tz_xtable)t, "no-such-code", 12, &v), TZ_EINVAL);
        assert_null(tz_xcode_label((enum tz_xtable)t, (int)n, TZ_XLANG_PL));
        assert_null(tz_xcode_label((enum tz_xtable)t, -1, TZ_XLANG_PL));
    }
    assert_null(tz_xcode_table_name(TZ_XT_COUNT));
}

static void test_languages_and_countries(void **state)
{
    (void)state;
    enum tz_xlang l;
    assert_int_equal(tz_xlang_parse("en-GB", &l), TZ_OK);
    assert_int_equal(l, TZ_XLANG_EN);
    assert_int_equal(tz_xlang_parse("AR", &l), TZ_OK);
    assert_int_equal(l, TZ_XLANG_AR);
    assert_int_equal(tz_xlang_parse("de", &l), TZ_EINVAL);
    int pl = -1, pol = -2;
    assert_int_equal(tz_xcode_parse(TZ_XT_COUNTRY, "PL", 2, &pl), TZ_OK);
    assert_int_equal(tz_xcode_parse(TZ_XT_COUNTRY, "POL", 3, &pol), TZ_OK);
    assert_int_equal(pl, pol);
    assert_string_equal(tz_xcode_label(TZ_XT_COUNTRY, pl, TZ_XLANG_FR), "Pologne");
    assert_string_equal(tz_xcode_label(TZ_XT_HANDLING, TZ_XH1, TZ_XLANG_EN),
                        "H1: not for use in judicial proceedings without the provider's "
                        "permission");
}

#define COPY(dst, s) snprintf((dst), sizeof(dst), "%s", (s))

/* A request from the Kraków unit to Germany, copying the national SPOC, with one entity of
 * every kind and links between them: valid as it stands. */
static void valid_request(struct tz_xmsg *m)
{
    tz_xmsg_init(m);
    m->type = TZ_XMSG_REQUEST;
    COPY(m->subject, "Skradziony samochód na granicy");
    COPY(m->crime_area, "vehicle_crime");
    COPY(m->originator.node, "PL");
    COPY(m->originator.unit, "KWP-Krakow");
    COPY(m->originator.officer, "asp. Nowak");
    m->addressee_count = 2;
    COPY(m->addressees[0].node, "DE");
    COPY(m->addressees[0].unit, "BKA-SPOC");
    COPY(m->addressees[1].node, "PL");
    COPY(m->addressees[1].unit, "KGP-SPOC");
    m->addressees[1].cc = true;
    COPY(m->lang, "pl");
    m->handling = TZ_XH0;
    m->source = TZ_XSRC_B;
    m->info = TZ_XINFO_2;
    m->urgency = TZ_XURG_NORMAL;
    m->text = strdup("Prosimy o informacje o pojeździe i jego właścicielu.");
    m->text_len = strlen(m->text);
    m->entity_count = TZ_XE_KIND_COUNT;
    m->entities = calloc(m->entity_count, sizeof *m->entities);
    struct tz_xentity *e = m->entities;
    for (size_t i = 0; i < m->entity_count; i++) {
        snprintf(e[i].ref, sizeof e[i].ref, "e%u", (unsigned)i % 100u);
        e[i].kind = (int)i;
    }
    COPY(e[0].u.person.family, "Mammadov");
    COPY(e[0].u.person.original, "Məmmədov");
    COPY(e[0].u.person.birth_date, "1990-02");
    e[0].u.person.sex = TZ_XSEX_MALE;
    e[0].u.person.nationality_count = 1;
    COPY(e[0].u.person.nationalities[0], "AZE");
    e[1].u.document.type = TZ_XDOC_PASSPORT;
    COPY(e[1].u.document.number, "C01234567");
    COPY(e[1].u.document.country, "AZ");
    COPY(e[1].u.document.valid_until, "2030-02-28");
    COPY(e[2].u.vehicle.vin, "WVWZZZ1JZXW000001");
    COPY(e[2].u.vehicle.plate, "KR 12345");
    COPY(e[2].u.vehicle.plate_country, "PL");
    COPY(e[3].u.location.address, "Stadion Miejski, Wrocław");
    e[3].u.location.has_coords = true;
    e[3].u.location.lat = 51.1413;
    e[3].u.location.lon = 16.9435;
    COPY(e[4].u.named.name, "Kibice Qarabağ");
    COPY(e[5].u.named.name, "UEFA Conference League final");
    COPY(e[5].u.named.date, "2025-05-28");
    e[6].u.asset.kind = TZ_XA_ACCOUNT;
    COPY(e[6].u.asset.identifier, "PL61109010140000071219812874");
    e[7].u.comm.kind = TZ_XC_PHONE;
    COPY(e[7].u.comm.value, "+994501234567");
    m->link_count = 2;
    m->links = calloc(2, sizeof *m->links);
    COPY(m->links[0].from, "e0");
    COPY(m->links[0].to, "e2");
    m->links[0].role = TZ_XL_OWNER_OF;
    COPY(m->links[1].from, "e0");
    COPY(m->links[1].to, "e1");
    m->links[1].role = TZ_XL_HOLDER_OF;
}

static void test_valid_message(void **state)
{
    (void)state;
    struct tz_xmsg m;
    valid_request(&m);
    struct tz_field_errors errs = {0};
    tz_err err = tz_exchange_validate(&m, &errs);
    if (err)
        fail_msg("%s: %s", errs.items[0].field, errs.items[0].message);
    assert_string_equal(m.entities[0].u.person.nationalities[0], "AZ"); /* alpha-3 made alpha-2 */
    tz_xmsg_clear(&m);
    assert_null(m.text);
    assert_int_equal(m.urgency, -1);
}

/* One mistake at a time: the validator refuses it and names its field. */
static void expect_refused(void (*spoil)(struct tz_xmsg *), const char *field)
{
    struct tz_xmsg m;
    valid_request(&m);
    spoil(&m);
    struct tz_field_errors errs = {0};
    assert_int_equal(tz_exchange_validate(&m, &errs), TZ_EINVAL);
    if (!names(&errs, field))
        fail_msg("expected an error at %s, first was %s: %s", field, errs.items[0].field,
                 errs.items[0].message);
    tz_xmsg_clear(&m);
}

static void bad_type(struct tz_xmsg *m) { m->type = TZ_XMSG_TYPE_COUNT; }
static void bad_handling(struct tz_xmsg *m) { m->handling = 7; }
static void h3_without_text(struct tz_xmsg *m) { m->handling = TZ_XH3; }
static void text_without_h3(struct tz_xmsg *m) { COPY(m->restriction, "tylko KWP"); }
static void bad_source(struct tz_xmsg *m) { m->source = -1; }
static void bad_info(struct tz_xmsg *m) { m->info = 4; }
static void no_urgency(struct tz_xmsg *m) { m->urgency = -1; }
static void no_addressee(struct tz_xmsg *m) { m->addressee_count = 0; }
static void bad_node(struct tz_xmsg *m) { COPY(m->addressees[0].node, "D E"); }
static void bad_lang(struct tz_xmsg *m) { COPY(m->lang, "polish!"); }
static void no_subject(struct tz_xmsg *m) { m->subject[0] = 0; }
static void bad_utf8(struct tz_xmsg *m) { m->text[3] = (char)0xff; }
static void control_char(struct tz_xmsg *m) { m->text[3] = 0x07; }
static void bad_country(struct tz_xmsg *m) { COPY(m->entities[1].u.document.country, "XX"); }
static void no_doc_number(struct tz_xmsg *m) { m->entities[1].u.document.number[0] = 0; }
static void bad_vin(struct tz_xmsg *m) { COPY(m->entities[2].u.vehicle.vin, "WVWZZZ1JZXW00000O"); }
static void feb_30(struct tz_xmsg *m) { COPY(m->entities[0].u.person.birth_date, "1990-02-30"); }
static void month_13(struct tz_xmsg *m) { COPY(m->entities[0].u.person.birth_date, "1990-13"); }
static void month_00(struct tz_xmsg *m) { COPY(m->entities[5].u.named.date, "2025-00-28"); }
static void bad_phone(struct tz_xmsg *m) { COPY(m->entities[7].u.comm.value, "0501234567"); }
static void dup_ref(struct tz_xmsg *m) { COPY(m->entities[3].ref, "e0"); }
static void dangling_link(struct tz_xmsg *m) { COPY(m->links[0].to, "e99"); }
static void bad_role(struct tz_xmsg *m) { m->links[1].role = TZ_XL_ROLE_COUNT; }
static void far_lat(struct tz_xmsg *m) { m->entities[3].u.location.lat = 91; }
static void nameless(struct tz_xmsg *m)
{
    m->entities[0].u.person.family[0] = 0;
    m->entities[0].u.person.original[0] = 0;
}
static void grounds_on_request(struct tz_xmsg *m) { m->grounds = 1u << TZ_XG_A; }
static void exception_no_reasons(struct tz_xmsg *m) { m->art4_exception = TZ_XART4_TERRORISM; }
static void notice_no_type(struct tz_xmsg *m)
{
    m->type = TZ_XMSG_NOTICE;
    m->urgency = -1;
}
static void reply_to_nothing(struct tz_xmsg *m)
{
    m->type = TZ_XMSG_REPLY;
    m->urgency = -1;
}

static void test_validator_names_each_mistake(void **state)
{
    (void)state;
    expect_refused(bad_type, "/type");
    expect_refused(bad_handling, "/handling");
    expect_refused(h3_without_text, "/restriction");
    expect_refused(text_without_h3, "/restriction");
    expect_refused(bad_source, "/evaluation/source");
    expect_refused(bad_info, "/evaluation/information");
    expect_refused(no_urgency, "/urgency");
    expect_refused(no_addressee, "/addressees");
    expect_refused(bad_node, "/addressees/0/node");
    expect_refused(bad_lang, "/lang");
    expect_refused(no_subject, "/subject");
    expect_refused(bad_utf8, "/text");
    expect_refused(control_char, "/text");
    expect_refused(bad_country, "/entities/1/country");
    expect_refused(no_doc_number, "/entities/1/number");
    expect_refused(bad_vin, "/entities/2/vin");
    expect_refused(feb_30, "/entities/0/birth_date");
    expect_refused(month_13, "/entities/0/birth_date"); /* once an assertion (fuzz_exchange) */
    expect_refused(month_00, "/entities/5/date");
    expect_refused(bad_phone, "/entities/7/value");
    expect_refused(dup_ref, "/entities/3/ref");
    expect_refused(dangling_link, "/links/0/to");
    expect_refused(bad_role, "/links/1/role");
    expect_refused(far_lat, "/entities/3/lat");
    expect_refused(nameless, "/entities/0/family");
    expect_refused(grounds_on_request, "/grounds");
    expect_refused(exception_no_reasons, "/art4_reasons");
    expect_refused(notice_no_type, "/notice_type");
    expect_refused(reply_to_nothing, "/in_reply_to");
}

/* Art. 5: 8 real hours; 3 and 7 Polish calendar days at the same wall-clock time. */
static void test_deadlines(void **state)
{
    (void)state;
    struct tz_xclock c;
    /* 8 hours across the spring change: real hours. 2026-03-29 00:30Z + 8 h. */
    c = tz_exchange_clock_start(utc(2026, 3, 29, 0, 30), TZ_XURG_URGENT_DIRECT);
    assert_int_equal(tz_exchange_due(&c, 0), utc(2026, 3, 29, 8, 30));
    /* 3 days across the spring change: Fri 10:00 CET -> Mon 10:00 CEST (71 real hours). */
    c = tz_exchange_clock_start(utc(2026, 3, 27, 9, 0), TZ_XURG_URGENT_INDIRECT);
    assert_int_equal(tz_exchange_due(&c, 0), utc(2026, 3, 30, 8, 0));
    /* 7 days across the autumn change: Thu 10:00 CEST -> Thu 10:00 CET (169 real hours). */
    c = tz_exchange_clock_start(utc(2026, 10, 22, 8, 0), TZ_XURG_NORMAL);
    assert_int_equal(tz_exchange_due(&c, 0), utc(2026, 10, 29, 9, 0));
    /* Month and year ends. */
    c = tz_exchange_clock_start(utc(2026, 1, 30, 11, 0), TZ_XURG_URGENT_INDIRECT);
    assert_int_equal(tz_exchange_due(&c, 0), utc(2026, 2, 2, 11, 0));
    c = tz_exchange_clock_start(utc(2026, 12, 28, 22, 30), TZ_XURG_NORMAL); /* 23:30 local */
    assert_int_equal(tz_exchange_due(&c, 0), utc(2027, 1, 4, 22, 30));
    /* Leap day: 2028 has a 29 February, 2027 has none. */
    c = tz_exchange_clock_start(utc(2028, 2, 27, 11, 0), TZ_XURG_URGENT_INDIRECT);
    assert_int_equal(tz_exchange_due(&c, 0), utc(2028, 3, 1, 11, 0));
    c = tz_exchange_clock_start(utc(2027, 2, 27, 11, 0), TZ_XURG_URGENT_INDIRECT);
    assert_int_equal(tz_exchange_due(&c, 0), utc(2027, 3, 2, 11, 0));
    c = tz_exchange_clock_start(utc(2028, 2, 22, 11, 0), TZ_XURG_NORMAL);
    assert_int_equal(tz_exchange_due(&c, 0), utc(2028, 2, 29, 11, 0));
    /* Overdue is computed from the clock given: one second after the due instant. */
    int64_t due = tz_exchange_due(&c, 0);
    assert_false(tz_exchange_overdue(&c, due));
    assert_true(tz_exchange_overdue(&c, due + 1));
}

/* An open clarification stops the clock; the due instant moves by the stop. */
static void test_clarification_pauses(void **state)
{
    (void)state;
    int64_t r = utc(2026, 5, 4, 8, 0);
    struct tz_xclock c = tz_exchange_clock_start(r, TZ_XURG_NORMAL);
    int64_t due = tz_exchange_due(&c, r);
    assert_int_equal(due, utc(2026, 5, 11, 8, 0));
    assert_int_equal(tz_exchange_clock_resume(&c, r + 10), TZ_ECONFLICT); /* not stopped */
    int64_t asked = r + 86400;
    assert_int_equal(tz_exchange_clock_pause(&c, asked), TZ_OK);
    assert_int_equal(tz_exchange_clock_pause(&c, asked + 5), TZ_ECONFLICT);
    /* Long after the old due instant the stopped clock is not overdue... */
    assert_false(tz_exchange_overdue(&c, due + 5 * 86400));
    /* ...and its due instant keeps moving while it stands. */
    assert_int_equal(tz_exchange_due(&c, asked + 3600), due + 3600);
    int64_t answered = asked + 2 * 86400;
    assert_int_equal(tz_exchange_clock_resume(&c, answered), TZ_OK);
    assert_int_equal(tz_exchange_due(&c, answered), due + 2 * 86400);
    assert_false(tz_exchange_overdue(&c, due + 2 * 86400));
    assert_true(tz_exchange_overdue(&c, due + 2 * 86400 + 1));
    /* A second clarification adds its own stop. */
    assert_int_equal(tz_exchange_clock_pause(&c, answered + 100), TZ_OK);
    assert_int_equal(tz_exchange_clock_resume(&c, answered + 400), TZ_OK);
    assert_int_equal(tz_exchange_due(&c, answered + 400), due + 2 * 86400 + 300);
}

/* An answer to the valid request, of type `type`, in `lang`. */
static void answer_to(struct tz_xmsg *a, int type, const char *lang)
{
    tz_xmsg_init(a);
    a->type = type;
    a->case_id = 1;
    a->in_reply_to = 1;
    COPY(a->originator.node, "DE");
    COPY(a->originator.unit, "BKA-SPOC");
    a->addressee_count = 1;
    COPY(a->addressees[0].node, "PL");
    COPY(a->addressees[0].unit, "KWP-Krakow");
    COPY(a->lang, lang);
    a->source = TZ_XSRC_A;
    a->info = TZ_XINFO_1;
}

/* Art. 6: every ground alone is a refusal; none, or no reasons, is not; nothing else carries
 * grounds. Art. 11: answers go in the request's language. */
static void test_refusals_and_language(void **state)
{
    (void)state;
    struct tz_xmsg req, a;
    valid_request(&req);
    req.id = 1;
    struct tz_field_errors errs;
    for (int g = 0; g < TZ_XG_COUNT; g++) {
        answer_to(&a, TZ_XMSG_REFUSAL, "pl-PL");
        a.grounds = 1u << g;
        COPY(a.reasons, "Informacja niedostępna w rejestrach");
        memset(&errs, 0, sizeof errs);
        assert_int_equal(tz_exchange_validate(&a, &errs), TZ_OK);
        assert_int_equal(tz_exchange_check_answer(&req, &a, &errs), TZ_OK);
    }
    answer_to(&a, TZ_XMSG_REFUSAL, "pl");
    a.grounds = (1u << TZ_XG_C) | (1u << TZ_XG_F); /* more than one */
    COPY(a.reasons, "Brak zgody sądu; trwające postępowanie");
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_check_answer(&req, &a, &errs), TZ_OK);
    a.grounds = 0; /* without a ground */
    assert_int_equal(tz_exchange_validate(&a, &errs), TZ_EINVAL);
    assert_true(names(&errs, "/grounds"));
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_check_answer(&req, &a, &errs), TZ_EINVAL);
    a.grounds = 1u << TZ_XG_COUNT; /* a ground beyond (h) */
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_validate(&a, &errs), TZ_EINVAL);
    a.grounds = 1u << TZ_XG_A;
    a.reasons[0] = 0; /* without reasons */
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_validate(&a, &errs), TZ_EINVAL);
    assert_true(names(&errs, "/reasons"));
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_check_answer(&req, &a, &errs), TZ_EINVAL);
    /* A reply with grounds is no refusal. */
    answer_to(&a, TZ_XMSG_REPLY, "pl");
    a.grounds = 1u << TZ_XG_A;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_check_answer(&req, &a, &errs), TZ_EINVAL);
    /* Reply, refusal and clarification in another language than the request's. */
    int types[] = {TZ_XMSG_REPLY, TZ_XMSG_REFUSAL, TZ_XMSG_CLARIFICATION};
    for (size_t i = 0; i < 3; i++) {
        answer_to(&a, types[i], "de");
        if (types[i] == TZ_XMSG_REFUSAL) {
            a.grounds = 1u << TZ_XG_A;
            COPY(a.reasons, "nicht verfügbar");
        }
        memset(&errs, 0, sizeof errs);
        assert_int_equal(tz_exchange_check_answer(&req, &a, &errs), TZ_EINVAL);
        assert_true(names(&errs, "/lang"));
    }
    /* An answer to something that is not a request. */
    req.type = TZ_XMSG_INFORMATION;
    answer_to(&a, TZ_XMSG_REPLY, "pl");
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_check_answer(&req, &a, &errs), TZ_EINVAL);
    tz_xmsg_clear(&req);
}

static const struct tz_xnode_config node = {.node = "PL", .spoc_unit = "KGP-SPOC"};

/* Art. 4: a unit's request abroad copies the national SPOC unless an exception has reasons. */
static void test_art4_copy(void **state)
{
    (void)state;
    struct tz_xmsg m;
    valid_request(&m);
    struct tz_field_errors errs = {0};
    assert_int_equal(tz_exchange_check_art4(&node, &m, &errs), TZ_OK); /* copied */
    m.addressee_count = 1;                                             /* not copied */
    assert_int_equal(tz_exchange_check_art4(&node, &m, &errs), TZ_EINVAL);
    assert_true(names(&errs, "/addressees"));
    for (int x = 0; x < TZ_XART4_COUNT; x++) {
        m.art4_exception = x;
        m.art4_reasons[0] = 0;
        memset(&errs, 0, sizeof errs);
        assert_int_equal(tz_exchange_check_art4(&node, &m, &errs), TZ_EINVAL); /* no reasons */
        assert_int_equal(tz_exchange_validate(&m, &errs), TZ_EINVAL);
        COPY(m.art4_reasons, "Zagrożenie życia świadka");
        memset(&errs, 0, sizeof errs);
        assert_int_equal(tz_exchange_check_art4(&node, &m, &errs), TZ_OK);
        assert_int_equal(tz_exchange_validate(&m, &errs), TZ_OK);
    }
    m.art4_exception = -1;
    m.art4_reasons[0] = 0;
    COPY(m.originator.unit, "KGP-SPOC"); /* the SPOC itself */
    assert_int_equal(tz_exchange_check_art4(&node, &m, &errs), TZ_OK);
    COPY(m.originator.unit, "KWP-Krakow");
    COPY(m.addressees[0].node, "PL"); /* at home */
    COPY(m.addressees[0].unit, "KWP-Wroclaw");
    assert_int_equal(tz_exchange_check_art4(&node, &m, &errs), TZ_OK);
    m.type = TZ_XMSG_INFORMATION; /* Art. 4 is about requests */
    COPY(m.addressees[0].node, "DE");
    m.urgency = -1;
    assert_int_equal(tz_exchange_check_art4(&node, &m, &errs), TZ_OK);
    tz_xmsg_clear(&m);
}

/* H2 passed on to a third party: refused unless its provider permitted that party; H0, H1
 * and H3 may pass; every view of H1, H2 and H3 carries its marking, H3 its text. */
static void test_handling_codes(void **state)
{
    (void)state;
    struct tz_xmsg src, out;
    answer_to(&src, TZ_XMSG_REPLY, "pl");
    src.id = 42;
    src.handling = TZ_XH2;
    answer_to(&out, TZ_XMSG_DIFFUSION, "pl");
    COPY(out.originator.node, "PL");
    out.addressee_count = 2;
    COPY(out.addressees[0].node, "DE"); /* the provider */
    COPY(out.addressees[1].node, "FR"); /* a third party */
    struct tz_field_errors errs = {0};
    assert_int_equal(tz_exchange_check_pass_on(&node, &src, &out, NULL, 0, &errs),
                     TZ_EFORBIDDEN);
    assert_true(names(&errs, "/addressees/1/node"));
    assert_false(names(&errs, "/addressees/0/node"));
    struct tz_xpermission other = {.message_id = 41, .to = "FR"};
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_check_pass_on(&node, &src, &out, &other, 1, &errs),
                     TZ_EFORBIDDEN); /* a permission for another message */
    struct tz_xpermission wrong_to = {.message_id = 42, .to = "ES"};
    assert_int_equal(tz_exchange_check_pass_on(&node, &src, &out, &wrong_to, 1, &errs),
                     TZ_EFORBIDDEN);
    struct tz_xpermission ok = {.message_id = 42, .to = "FR"};
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_check_pass_on(&node, &src, &out, &ok, 1, &errs), TZ_OK);
    for (int h = TZ_XH0; h <= TZ_XH3; h++) {
        if (h == TZ_XH2)
            continue;
        src.handling = h;
        assert_int_equal(tz_exchange_check_pass_on(&node, &src, &out, NULL, 0, &errs), TZ_OK);
    }
    struct tz_xmarkings mk;
    src.handling = TZ_XH0;
    tz_exchange_markings(&src, TZ_XLANG_PL, &mk);
    assert_int_equal(mk.count, 0);
    for (int l = 0; l < TZ_XLANG_COUNT; l++) {
        src.handling = TZ_XH1;
        tz_exchange_markings(&src, l, &mk);
        assert_int_equal(mk.count, 1);
        assert_int_equal(mk.items[0].marking, TZ_XM_NOT_JUDICIAL);
        assert_string_equal(mk.items[0].label, tz_xcode_label(TZ_XT_MARKING, 0, l));
        src.handling = TZ_XH3;
        COPY(src.restriction, "Tylko dla wydziału kryminalnego");
        tz_exchange_markings(&src, l, &mk);
        assert_int_equal(mk.count, 1);
        assert_int_equal(mk.items[0].marking, TZ_XM_RESTRICTED);
        assert_string_equal(mk.items[0].text, "Tylko dla wydziału kryminalnego");
        src.restriction[0] = 0;
    }
    tz_exchange_markings(&src, TZ_XLANG_EN, &mk);
    src.handling = TZ_XH1;
    tz_exchange_markings(&src, TZ_XLANG_EN, &mk);
    assert_string_equal(mk.items[0].label, "NOT FOR JUDICIAL USE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_table_has_every_label),
        cmocka_unit_test(test_languages_and_countries),
        cmocka_unit_test(test_valid_message),
        cmocka_unit_test(test_validator_names_each_mistake),
        cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_clarification_pauses),
        cmocka_unit_test(test_refusals_and_language),
        cmocka_unit_test(test_art4_copy),
        cmocka_unit_test(test_handling_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
