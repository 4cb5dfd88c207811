/*
 * Unit tests of screening/ids.h: MRZ of TD1, TD2, TD3 and both visas with
 * good and bad check digits (every digit of every format, each reported by
 * field), document numbers, VINs and plates of Poland and its neighbours.
 *
 * The MRZ and VIN vectors are made up for these tests (names, numbers and
 * dates of nobody), their check digits computed by hand with the rules of
 * ICAO 9303 and ISO 3779, not taken from the specifications' examples.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "screening/ids.h"

/* ---- MRZ ---- */

struct mrz_vector {
    const char *name;
    const char *lines[3];
    enum tz_mrz_format format;
    const char *doc_code, *issuer, *number, *nationality, *birth, *expiry;
    char sex;
    const char *surname, *given, *optional1, *optional2;
};

static const struct mrz_vector GOOD[] = {
    {"TD3 passport with a personal number",
     {"P<POLKOWALSKA<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
      "EA12345676POL8503127F300101985031212345<<<60"},
     TZ_MRZ_TD3,
     "P",
     "POL",
     "EA1234567",
     "POL",
     "850312",
     "300101",
     'F',
     "KOWALSKA",
     "ANNA MARIA",
     "85031212345",
     ""},
    {"TD3 of Germany (D), empty personal number with a '<' digit",
     {"P<D<<MUELLER<<HANS<JUERGEN<<<<<<<<<<<<<<<<<<",
      "C01X00T478D<<7408122M2811305<<<<<<<<<<<<<<02"},
     TZ_MRZ_TD3,
     "P",
     "D",
     "C01X00T47",
     "D",
     "740812",
     "281130",
     'M',
     "MUELLER",
     "HANS JUERGEN",
     "",
     ""},
    {"TD2 identity card",
     {"I<FRADUPONT<<JEAN<PIERRE<<<<<<<<<<<<", "X4RTBPFW46FRA6908061M2901019<<<<<<<2"},
     TZ_MRZ_TD2,
     "I",
     "FRA",
     "X4RTBPFW4",
     "FRA",
     "690806",
     "290101",
     'M',
     "DUPONT",
     "JEAN PIERRE",
     "",
     ""},
    {"TD2 with unknown month and day of birth and unspecified sex",
     {"I<UKRSHEVCHENKO<<OLEKSANDR<<<<<<<<<<", "AB01234568UKR85<<<<1<2706155<<<<<<<0"},
     TZ_MRZ_TD2,
     "I",
     "UKR",
     "AB0123456",
     "UKR",
     "85<<<<",
     "270615",
     'X',
     "SHEVCHENKO",
     "OLEKSANDR",
     "",
     ""},
    {"TD1 identity card",
     {"IDPOLABC5234568<<<<<<<<<<<<<<<", "9001158M3105205POL900115123455",
      "NOWAK<<JAN<<<<<<<<<<<<<<<<<<<<"},
     TZ_MRZ_TD1,
     "ID",
     "POL",
     "ABC523456",
     "POL",
     "900115",
     "310520",
     'M',
     "NOWAK",
     "JAN",
     "",
     "90011512345"},
    {"TD1 with a 13-character document number",
     {"I<LTUAB1234567<89011<<<<<<<<<<", "8812016F3309302LTU<<<<<<<<<<<4",
      "JONAITYTE<<EGLE<<<<<<<<<<<<<<<"},
     TZ_MRZ_TD1,
     "I",
     "LTU",
     "AB12345678901",
     "LTU",
     "881201",
     "330930",
     'F',
     "JONAITYTE",
     "EGLE",
     "",
     ""},
    {"MRV-A visa",
     {"V<POLSMITH<<JOHN<<<<<<<<<<<<<<<<<<<<<<<<<<<<",
      "ZX98765436GBR7701018M2703017AB123<<<<<<<<<<<"},
     TZ_MRZ_MRV_A,
     "V",
     "POL",
     "ZX9876543",
     "GBR",
     "770101",
     "270301",
     'M',
     "SMITH",
     "JOHN",
     "AB123",
     ""},
    {"MRV-B visa, born on 29 February",
     {"V<POLIVANOV<<IVAN<<<<<<<<<<<<<<<<<<<", "VB12345678RUS8002295M2610106<<<<<<<<"},
     TZ_MRZ_MRV_B,
     "V",
     "POL",
     "VB1234567",
     "RUS",
     "800229",
     "261010",
     'M',
     "IVANOV",
     "IVAN",
     "",
     ""},
};

/* Joins a vector's lines with sep into buf. */
static size_t join(const struct mrz_vector *v, const char *sep, char *buf, size_t cap)
{
    size_t n = 0;
    for (int i = 0; i < 3 && v->lines[i]; i++) {
        size_t len = strlen(v->lines[i]);
        size_t sl = i > 0 ? strlen(sep) : 0;
        assert_true(n + sl + len < cap);
        memcpy(buf + n, sep, sl);
        memcpy(buf + n + sl, v->lines[i], len);
        n += sl + len;
    }
    buf[n] = '\0';
    return n;
}

static void good_mrz_vectors_read_every_field(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof GOOD / sizeof GOOD[0]; i++) {
        const struct mrz_vector *v = &GOOD[i];
        char buf[200];
        size_t n = join(v, "\n", buf, sizeof buf);
        struct tz_mrz m;
        tz_err err = tz_mrz_parse(buf, n, &m);
        if (err != TZ_OK)
            fail_msg("%s: %s, bad digits %#x", v->name, tz_err_str(err), m.bad_digits);
        assert_int_equal(m.format, v->format);
        assert_string_equal(m.doc_code, v->doc_code);
        assert_string_equal(m.issuer, v->issuer);
        assert_string_equal(m.number, v->number);
        assert_string_equal(m.nationality, v->nationality);
        assert_string_equal(m.birth.text, v->birth);
        assert_string_equal(m.expiry.text, v->expiry);
        assert_int_equal(m.sex, v->sex);
        assert_string_equal(m.surname, v->surname);
        assert_string_equal(m.given, v->given);
        assert_string_equal(m.optional1, v->optional1);
        assert_string_equal(m.optional2, v->optional2);
        assert_int_equal(m.bad_digits, 0);
        assert_true(m.birth.valid && m.expiry.valid);
        assert_false(m.case_folded);
        bool visa = v->format == TZ_MRZ_MRV_A || v->format == TZ_MRZ_MRV_B;
        assert_int_equal(m.digit[TZ_MRZ_DIGIT_COMPOSITE].check,
                         visa ? TZ_MRZ_CHECK_ABSENT : TZ_MRZ_CHECK_OK);
        assert_int_equal(m.digit[TZ_MRZ_DIGIT_NUMBER].check, TZ_MRZ_CHECK_OK);
        assert_int_equal(m.digit[TZ_MRZ_DIGIT_OPTIONAL].check,
                         v->format == TZ_MRZ_TD3 ? TZ_MRZ_CHECK_OK : TZ_MRZ_CHECK_ABSENT);
    }
}

/* Where each check digit sits, per format (line, column), from ICAO 9303 parts 4 to 7. */
struct digit_place {
    enum tz_mrz_digit digit;
    int line, col;
};

static size_t places_of(enum tz_mrz_format f, struct digit_place *p)
{
    switch (f) {
    case TZ_MRZ_TD1:
        p[0] = (struct digit_place){TZ_MRZ_DIGIT_NUMBER, 0, 14};
        p[1] = (struct digit_place){TZ_MRZ_DIGIT_BIRTH, 1, 6};
        p[2] = (struct digit_place){TZ_MRZ_DIGIT_EXPIRY, 1, 14};
        p[3] = (struct digit_place){TZ_MRZ_DIGIT_COMPOSITE, 1, 29};
        return 4;
    case TZ_MRZ_TD3:
        p[3] = (struct digit_place){TZ_MRZ_DIGIT_OPTIONAL, 1, 42};
        p[4] = (struct digit_place){TZ_MRZ_DIGIT_COMPOSITE, 1, 43};
        /* fall through */
    case TZ_MRZ_MRV_A:
    case TZ_MRZ_MRV_B:
    case TZ_MRZ_TD2:
        p[0] = (struct digit_place){TZ_MRZ_DIGIT_NUMBER, 1, 9};
        p[1] = (struct digit_place){TZ_MRZ_DIGIT_BIRTH, 1, 19};
        p[2] = (struct digit_place){TZ_MRZ_DIGIT_EXPIRY, 1, 27};
        if (f == TZ_MRZ_TD2) {
            p[3] = (struct digit_place){TZ_MRZ_DIGIT_COMPOSITE, 1, 35};
            return 4;
        }
        return f == TZ_MRZ_TD3 ? 5 : 3;
    }
    return 0;
}

/*
 * Every check digit of every vector, changed one at a time, fails the parse
 * and is reported by its field; the composite digit, which covers the other
 * digits, fails with it. The fields are still read.
 */
static void each_bad_check_digit_is_reported_by_field(void **state)
{
    (void)state;
    int tried = 0;
    for (size_t i = 0; i < sizeof GOOD / sizeof GOOD[0]; i++) {
        const struct mrz_vector *v = &GOOD[i];
        if (strcmp(v->number, "AB12345678901") == 0)
            continue; /* the long number's digit sits in the optional data: its own test */
        struct digit_place place[6];
        size_t count = places_of(v->format, place);
        assert_true(count > 0);
        bool composite =
            v->format == TZ_MRZ_TD1 || v->format == TZ_MRZ_TD2 || v->format == TZ_MRZ_TD3;
        for (size_t k = 0; k < count; k++) {
            char lines[3][45] = {{0}};
            struct mrz_vector bad = *v;
            for (int l = 0; l < 3 && v->lines[l]; l++) {
                memcpy(lines[l], v->lines[l], strlen(v->lines[l]));
                bad.lines[l] = lines[l];
            }
            char *c = &lines[place[k].line][place[k].col];
            *c = *c == '<' ? '5' : (char)('0' + (*c - '0' + 1) % 10);
            char buf[200];
            size_t n = join(&bad, "\n", buf, sizeof buf);
            struct tz_mrz m;
            assert_int_equal(tz_mrz_parse(buf, n, &m), TZ_EINVAL);
            unsigned want = 1u << place[k].digit;
            if (composite)
                want |= 1u << TZ_MRZ_DIGIT_COMPOSITE;
            if (m.bad_digits != want)
                fail_msg("%s, %s digit: bad %#x, want %#x", v->name,
                         tz_mrz_digit_name(place[k].digit), m.bad_digits, want);
            const struct tz_mrz_digit_result *r = &m.digit[place[k].digit];
            assert_int_equal(r->check, TZ_MRZ_CHECK_BAD);
            assert_int_equal(r->found, *c);
            assert_int_not_equal(r->expected, *c);
            assert_string_equal(m.number, v->number);
            assert_string_equal(m.surname, v->surname);
            tried++;
        }
    }
    assert_int_equal(tried, 5 + 5 + 4 + 4 + 4 + 3 + 3); /* 28 digits across the vectors */
}

/* A changed character of a field (not its digit) is caught by that field's digit. */
static void a_misread_field_is_caught(void **state)
{
    (void)state;
    struct tz_mrz m;
    /* number EA1234567 read as EA1234561 */
    const char *td3 = "P<POLKOWALSKA<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                      "EA12345616POL8503127F300101985031212345<<<60";
    assert_int_equal(tz_mrz_parse(td3, strlen(td3), &m), TZ_EINVAL);
    assert_int_equal(m.bad_digits, (1u << TZ_MRZ_DIGIT_NUMBER) | (1u << TZ_MRZ_DIGIT_COMPOSITE));
    assert_int_equal(m.digit[TZ_MRZ_DIGIT_NUMBER].found, '6');
    /* TD1's long number: its digit after the rest of the number, in the optional data */
    const char *td1 = "I<LTUAB1234567<89021<<<<<<<<<<\n8812016F3309302LTU<<<<<<<<<<<4\n"
                      "JONAITYTE<<EGLE<<<<<<<<<<<<<<<";
    assert_int_equal(tz_mrz_parse(td1, strlen(td1), &m), TZ_EINVAL);
    assert_true(m.bad_digits & (1u << TZ_MRZ_DIGIT_NUMBER));
    assert_string_equal(m.number, "AB12345678902");
    /* the personal number of a TD3, one digit changed: its own digit and the composite */
    const char *opt = "P<POLKOWALSKA<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                      "EA12345676POL8503127F300101985031212346<<<60";
    assert_int_equal(tz_mrz_parse(opt, strlen(opt), &m), TZ_EINVAL);
    assert_int_equal(m.bad_digits, (1u << TZ_MRZ_DIGIT_OPTIONAL) | (1u << TZ_MRZ_DIGIT_COMPOSITE));
}

static void impossible_dates_and_sex_are_refused_with_right_digits(void **state)
{
    (void)state;
    struct tz_mrz m;
    const char *month13 = "P<POLKOWALSKA<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<<\n"
                          "EA12345676POL8513324F3001019<<<<<<<<<<<<<<08";
    assert_int_equal(tz_mrz_parse(month13, strlen(month13), &m), TZ_EINVAL);
    assert_int_equal(m.bad_digits, 0);
    assert_false(m.birth.valid);
    assert_true(m.expiry.valid);
    const char *sex_q = "P<POLKOWALSKA<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<<\n"
                        "EA12345676POL8502290Q3001019<<<<<<<<<<<<<<04";
    assert_int_equal(tz_mrz_parse(sex_q, strlen(sex_q), &m), TZ_EINVAL);
    assert_int_equal(m.bad_digits, 0);
    assert_int_equal(m.sex, '?');
    /* 29 February of a year not divisible by 4 */
    assert_false(m.birth.valid);
}

static void mrz_text_forms_are_read(void **state)
{
    (void)state;
    const struct mrz_vector *v = &GOOD[4]; /* TD1 */
    char buf[200];
    struct tz_mrz m;
    size_t n = join(v, "\r\n", buf, sizeof buf);
    assert_int_equal(tz_mrz_parse(buf, n, &m), TZ_OK);
    n = join(v, "", buf, sizeof buf); /* run together: 90 characters */
    assert_int_equal(tz_mrz_parse(buf, n, &m), TZ_OK);
    assert_string_equal(m.number, "ABC523456");
    n = join(v, "  \n", buf, sizeof buf);
    buf[n++] = '\n';
    for (size_t i = 0; i < n; i++)
        if (buf[i] >= 'A' && buf[i] <= 'Z')
            buf[i] = (char)(buf[i] - 'A' + 'a');
    assert_int_equal(tz_mrz_parse(buf, n, &m), TZ_OK);
    assert_true(m.case_folded);
    assert_string_equal(m.surname, "NOWAK");
    /* a names field that is full may have been cut */
    const char *full = "P<POLWIERZBICKA<SZCZEPANSKA<<ALEKSANDRA<KATA\n"
                       "EA12345676POL8502289F3001019<<<<<<<<<<<<<<04";
    assert_int_equal(tz_mrz_parse(full, strlen(full), &m), TZ_OK);
    assert_string_equal(m.surname, "WIERZBICKA SZCZEPANSKA");
    assert_string_equal(m.given, "ALEKSANDRA KATA");
    assert_true(m.names_truncated);
}

static void malformed_mrz_is_refused(void **state)
{
    (void)state;
    struct tz_mrz m;
    const char *cases[] = {
        "",
        "P<POLKOWALSKA",
        /* one line short of a TD1 */
        "IDPOLABC5234568<<<<<<<<<<<<<<<\n9001158M3105205POL900115123455",
        /* lines of different lengths */
        "P<POLKOWALSKA<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nX4RTBPFW46FRA6908061M2901019<<<<<<<2",
        /* a character outside A-Z 0-9 < */
        "I<FRADUPONT<<JEAN-PIERRE<<<<<<<<<<<<\nX4RTBPFW46FRA6908061M2901019<<<<<<<2",
        /* four lines */
        ("IDPOLABC5234568<<<<<<<<<<<<<<<\n9001158M3105205POL900115123455\n"
         "NOWAK<<JAN<<<<<<<<<<<<<<<<<<<<\nNOWAK<<JAN<<<<<<<<<<<<<<<<<<<<"),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(tz_mrz_parse(cases[i], strlen(cases[i]), &m), TZ_EMALFORMED);
        assert_int_equal(m.number[0], '\0');
    }
    char big[TZ_MRZ_INPUT_MAX + 1];
    memset(big, '<', sizeof big);
    assert_int_equal(tz_mrz_parse(big, sizeof big, &m), TZ_ETOOBIG);
}

static void check_digit_of_text(void **state)
{
    (void)state;
    assert_int_equal(tz_mrz_check_digit("EA1234567", 9), '6');
    assert_int_equal(tz_mrz_check_digit("850312", 6), '7');
    assert_int_equal(tz_mrz_check_digit("85<<<<", 6), '1');
    assert_int_equal(tz_mrz_check_digit("AB12345678901", 13), '1');
    assert_int_equal(tz_mrz_check_digit("", 0), '0');
    assert_int_equal(tz_mrz_check_digit("ab", 2), '\0');
    assert_string_equal(tz_mrz_digit_name(TZ_MRZ_DIGIT_COMPOSITE), "composite");
    /* the century of a date: births in the past, expiries within fifty years */
    assert_int_equal(tz_mrz_full_year(85, 2026, true), 1985);
    assert_int_equal(tz_mrz_full_year(26, 2026, true), 2026);
    assert_int_equal(tz_mrz_full_year(27, 2026, true), 1927);
    assert_int_equal(tz_mrz_full_year(0, 2026, true), 2000);
    assert_int_equal(tz_mrz_full_year(30, 2026, false), 2030);
    assert_int_equal(tz_mrz_full_year(20, 2026, false), 2020);
    assert_int_equal(tz_mrz_full_year(75, 2026, false), 2075);
    assert_int_equal(tz_mrz_full_year(77, 2026, false), 1977);
    assert_string_equal(tz_mrz_format_name(TZ_MRZ_MRV_B), "MRV-B");
}

/* ---- document numbers ---- */

static void document_numbers_are_normalised(void **state)
{
    (void)state;
    struct tz_docnum d;
    assert_int_equal(tz_docnum_normalise("ea 123-4567", 11, &d), TZ_OK);
    assert_string_equal(d.text, "EA1234567");
    assert_true(d.case_folded && d.separators_removed && !d.cyrillic_mapped);
    /* Cyrillic Е and А typed on a Cyrillic keyboard */
    const char *cyr = "\xd0\x95\xd0\x90 1234567";
    assert_int_equal(tz_docnum_normalise(cyr, strlen(cyr), &d), TZ_OK);
    assert_string_equal(d.text, "EA1234567");
    assert_true(d.cyrillic_mapped && !d.case_folded);
    /* the O/0 and I/1 confusion is noted, not merged */
    assert_int_equal(tz_docnum_normalise("AO1I5", 5, &d), TZ_OK);
    assert_string_equal(d.text, "AO1I5");
    assert_string_equal(d.skeleton, "A0115");
    assert_int_equal(d.confusable, 3);
    assert_int_equal(tz_docnum_normalise("", 0, &d), TZ_EINVAL);
    assert_int_equal(tz_docnum_normalise(" - ", 3, &d), TZ_EINVAL);
    assert_int_equal(tz_docnum_normalise("AB#12", 5, &d), TZ_EINVAL);
    assert_int_equal(tz_docnum_normalise("\xd0\x96"
                                         "12",
                                         4, &d),
                     TZ_EINVAL); /* Ж */
    assert_int_equal(tz_docnum_normalise("\xff"
                                         "12",
                                         3, &d),
                     TZ_EINVAL);
    const char *long33 = "123456789012345678901234567890123";
    assert_int_equal(tz_docnum_normalise(long33, 33, &d), TZ_ETOOBIG);
}

static void identifiers_compare_with_the_confusion_named(void **state)
{
    (void)state;
    uint32_t pos = 0;
    unsigned count = 0;
    assert_int_equal(tz_id_compare("EA1234567", "EA1234567", &pos, &count), TZ_ID_SAME);
    assert_int_equal(tz_id_compare("AB1O2", "AB102", &pos, &count), TZ_ID_CONFUSABLE);
    assert_int_equal(pos, 1u << 3);
    assert_int_equal(count, 1);
    assert_int_equal(tz_id_compare("I0", "1O", &pos, &count), TZ_ID_CONFUSABLE);
    assert_int_equal(pos, 3u);
    assert_int_equal(count, 2);
    assert_int_equal(tz_id_compare("IO", "I0X", NULL, NULL), TZ_ID_DIFFERENT);
    assert_int_equal(tz_id_compare("ABC", "ABD", NULL, NULL), TZ_ID_DIFFERENT);
    assert_int_equal(tz_id_compare("O", "1", NULL, NULL), TZ_ID_DIFFERENT);
}

static void issuing_states_are_three_letters(void **state)
{
    (void)state;
    char c[4];
    assert_int_equal(tz_ids_country3("D<<", 3, c), TZ_OK);
    assert_string_equal(c, "DEU");
    assert_int_equal(tz_ids_country3("pol", 3, c), TZ_OK);
    assert_string_equal(c, "POL");
    assert_int_equal(tz_ids_country3("PO1", 3, c), TZ_EINVAL);
    assert_int_equal(tz_ids_country3("PL", 2, c), TZ_EINVAL);
    assert_int_equal(tz_ids_country3("POLA", 4, c), TZ_EINVAL);
}

/* ---- VIN ---- */

static void vin_check_digits(void **state)
{
    (void)state;
    static const struct {
        const char *vin;
        tz_err err;
        enum tz_vin_region region;
        enum tz_vin_check check;
        char expected;
    } cases[] = {
        {"1FTEW1EP4KFA12345", TZ_OK, TZ_VIN_REGION_NORTH_AMERICA, TZ_VIN_CHECK_OK, '4'},
        {"2T1BURHE8JC123456", TZ_OK, TZ_VIN_REGION_NORTH_AMERICA, TZ_VIN_CHECK_OK, '8'},
        {"5YJ3E1EA9LF000316", TZ_OK, TZ_VIN_REGION_NORTH_AMERICA, TZ_VIN_CHECK_OK, '9'},
        {"1M8GDM9AXKP100009", TZ_OK, TZ_VIN_REGION_NORTH_AMERICA, TZ_VIN_CHECK_OK, 'X'},
        {"LSVAU218XN2183294", TZ_OK, TZ_VIN_REGION_CHINA, TZ_VIN_CHECK_OK, 'X'},
        {"1FTEW1EP5KFA12345", TZ_EINVAL, TZ_VIN_REGION_NORTH_AMERICA, TZ_VIN_CHECK_BAD, '4'},
        {"LSVAU2184N2183294", TZ_EINVAL, TZ_VIN_REGION_CHINA, TZ_VIN_CHECK_BAD, 'X'},
        /* Europe: position 9 is the maker's own; not checked, and said so */
        {"WVWZZZ1JZ3W386752", TZ_OK, TZ_VIN_REGION_EUROPE, TZ_VIN_CHECK_NOT_APPLICABLE, '9'},
        {"JT2BF22K1W0123456", TZ_OK, TZ_VIN_REGION_ASIA, TZ_VIN_CHECK_NOT_APPLICABLE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tz_vin v;
        assert_int_equal(tz_vin_parse(cases[i].vin, 17, &v), cases[i].err);
        assert_string_equal(v.text, cases[i].vin);
        assert_int_equal(v.region, cases[i].region);
        assert_int_equal(v.check, cases[i].check);
        if (cases[i].expected)
            assert_int_equal(v.check_expected, cases[i].expected);
        assert_int_equal(v.check_found, cases[i].vin[8]);
    }
}

static void vin_alphabet_and_length(void **state)
{
    (void)state;
    struct tz_vin v;
    const char *typed = "1ftew1ep4-kfa 12345";
    assert_int_equal(tz_vin_parse(typed, strlen(typed), &v), TZ_OK);
    assert_string_equal(v.text, "1FTEW1EP4KFA12345");
    assert_string_equal(v.wmi, "1FT");
    assert_true(v.case_folded);
    /* I, O and Q are never in a VIN: refused at their place */
    assert_int_equal(tz_vin_parse("WVWZZZ1JZ3WO86752", 17, &v), TZ_EINVAL);
    assert_int_equal(v.bad_position, 12);
    assert_int_equal(tz_vin_parse("IVWZZZ1JZ3W386752", 17, &v), TZ_EINVAL);
    assert_int_equal(v.bad_position, 1);
    assert_int_equal(tz_vin_parse("WVWZZZ1JZ3W38675Q", 17, &v), TZ_EINVAL);
    assert_int_equal(v.bad_position, 17);
    assert_int_equal(tz_vin_parse("WVWZZZ1JZ3W38675", 16, &v), TZ_EINVAL);
    assert_int_equal(v.bad_position, 0);
    assert_int_equal(tz_vin_parse("WVWZZZ1JZ3W3867521", 18, &v), TZ_EINVAL);
    assert_int_equal(tz_vin_check_digit("WVWZZZ1JZ3WO86752"), '\0');
}

/* ---- plates ---- */

struct plate_case {
    const char *country;
    const char *typed;
    tz_err err;
    const char *text;
    bool known, cyrillic, kaliningrad;
};

static const struct plate_case PLATES[] = {
    {"PL", "WA 12345", TZ_OK, "WA12345", true, false, false},
    {"pol", "kr 1ab23", TZ_OK, "KR1AB23", true, false, false},
    {"PL", "KRA-1234", TZ_OK, "KRA1234", true, false, false},
    {"PL", "W", TZ_OK, "W", false, false, false},
    {"PL", "\xd0\x9a\xd0\xa0 12345", TZ_EINVAL, NULL, false, false, false}, /* Cyrillic КР */
    {"D", "M-AB 123", TZ_OK, "MAB123", true, false, false},
    {"DE", "B-XY 1234E", TZ_OK, "BXY1234E", true, false, false},
    {"DEU", "t\xc3\xb6l-a 12", TZ_OK, "T\xc3\x96LA12", true, false, false}, /* TÖL */
    {"PL", "T\xc3\x96L 12345", TZ_EINVAL, NULL, false, false, false},       /* no umlauts in PL */
    {"CZ", "1A2 3456", TZ_OK, "1A23456", true, false, false},
    {"SK", "BA-123AB", TZ_OK, "BA123AB", true, false, false},
    {"LT", "ABC 123", TZ_OK, "ABC123", true, false, false},
    /* АА 1234 ВВ in Cyrillic, and the same in Latin */
    {"UA", "\xd0\x90\xd0\x90 1234 \xd0\x92\xd0\x92", TZ_OK, "AA1234BB", true, true, false},
    {"UKR", "AA 1234 BB", TZ_OK, "AA1234BB", true, false, false},
    /* КА 0001 ІХ: Ukrainian І */
    {"UA", "\xd0\x9a\xd0\x90 0001 \xd0\x86\xd0\xa5", TZ_OK, "KA0001IX", true, true, false},
    {"UA", "\xd0\x96\xd0\x90 0001 \xd0\x92\xd0\x92", TZ_EINVAL, NULL, false, false, false}, /* Ж */
    /* 1234 АВ-7, lower-case Cyrillic */
    {"BY", "1234 \xd0\xb0\xd0\xb2-7", TZ_OK, "1234AB7", true, true, false},
    /* А 123 ВС 39: Kaliningrad */
    {"RUS", "\xd0\x90 123 \xd0\x92\xd0\xa1 39", TZ_OK, "A123BC39", true, true, true},
    {"RU", "O 777 OO 77", TZ_OK, "O777OO77", true, false, false},
    {"RU", "A123BC139", TZ_OK, "A123BC139", true, false, false},
    {"RU", "D123BC39", TZ_OK, "D123BC39", false, false, false},
    {"", "ab-123", TZ_OK, "AB123", false, false, false},
    {"XX", "\xd0\x92\xd0\x92 1", TZ_OK, "BB1", false, true, false},
    {"", "AB?1", TZ_EINVAL, NULL, false, false, false},
    {"", " - ", TZ_EINVAL, NULL, false, false, false},
};

static void plates_are_normalised_per_country(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof PLATES / sizeof PLATES[0]; i++) {
        const struct plate_case *c = &PLATES[i];
        enum tz_plate_country country = tz_plate_country_parse(c->country, strlen(c->country));
        struct tz_plate p;
        tz_err err = tz_plate_normalise(country, c->typed, strlen(c->typed), &p);
        if (err != c->err)
            fail_msg("%s %s: %s", c->country, c->typed, tz_err_str(err));
        if (err != TZ_OK)
            continue;
        assert_string_equal(p.text, c->text);
        assert_int_equal(p.len, strlen(c->text));
        if (p.format_known != c->known)
            fail_msg("%s %s: format_known %d", c->country, c->typed, p.format_known);
        assert_int_equal(p.cyrillic_mapped, c->cyrillic);
        assert_int_equal(p.kaliningrad, c->kaliningrad);
    }
}

static void plate_countries_and_confusion(void **state)
{
    (void)state;
    assert_int_equal(tz_plate_country_parse("D", 1), TZ_PLATE_DE);
    assert_int_equal(tz_plate_country_parse("blr", 3), TZ_PLATE_BY);
    assert_int_equal(tz_plate_country_parse("LTU", 3), TZ_PLATE_LT);
    assert_int_equal(tz_plate_country_parse("FR", 2), TZ_PLATE_GENERIC);
    assert_int_equal(tz_plate_country_parse("", 0), TZ_PLATE_GENERIC);
    assert_string_equal(tz_plate_country_code(TZ_PLATE_RU), "RU");
    struct tz_plate p;
    assert_int_equal(tz_plate_normalise(TZ_PLATE_PL, "WO 1I0O", 7, &p), TZ_OK);
    assert_string_equal(p.text, "WO1I0O");
    assert_string_equal(p.skeleton, "W01100");
    assert_int_equal(p.confusable, 5);
    assert_string_equal(p.country_code, "PL");
    char big[TZ_PLATE_INPUT_MAX + 1];
    memset(big, 'A', sizeof big);
    assert_int_equal(tz_plate_normalise(TZ_PLATE_PL, big, sizeof big, &p), TZ_ETOOBIG);
    assert_int_equal(tz_plate_normalise(TZ_PLATE_PL, big, 30, &p), TZ_ETOOBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_mrz_vectors_read_every_field),
        cmocka_unit_test(each_bad_check_digit_is_reported_by_field),
        cmocka_unit_test(a_misread_field_is_caught),
        cmocka_unit_test(impossible_dates_and_sex_are_refused_with_right_digits),
        cmocka_unit_test(mrz_text_forms_are_read),
        cmocka_unit_test(malformed_mrz_is_refused),
        cmocka_unit_test(check_digit_of_text),
        cmocka_unit_test(document_numbers_are_normalised),
        cmocka_unit_test(identifiers_compare_with_the_confusion_named),
        cmocka_unit_test(issuing_states_are_three_letters),
        cmocka_unit_test(vin_check_digits),
        cmocka_unit_test(vin_alphabet_and_length),
        cmocka_unit_test(plates_are_normalised_per_country),
        cmocka_unit_test(plate_countries_and_confusion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
