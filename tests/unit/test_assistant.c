/*
 * Unit tests of src/assistant: every extractor table-driven with valid
 * examples (the value it must normalise to) and invalid ones (a bad check
 * digit, a date that does not exist: nothing of that type may come out);
 * the checksums against published vectors (Keccak-256 of "", EIP-55's own
 * examples, IBAN and card test numbers); hostile text (invalid UTF-8, a
 * text over the limit, zero-width characters and bidi controls inside and
 * around entities, whose spans must still point at the original bytes and
 * code points); redaction proposals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assistant/assistant.h"

#define REF 1773316800 /* 2026-03-12T12:00:00Z: the messages' date */

struct want {
    const char *text;
    const char *type; /* expected type, or NULL: the text must yield none of `none` */
    const char *value;
    const char *none; /* with type NULL: this type must not be found */
};

static const struct want cases[] = {
    /* e-mail and URLs */
    {"Kontakt: Jan.Kowalski@Policja.GOV.pl.", "email", "jan.kowalski@policja.gov.pl", NULL},
    {"write to x@y", NULL, NULL, "email"},
    {"zob. https://Example.COM/Path?x=1.", "url", "https://example.com/Path?x=1", NULL},
    {"strona www.oszustwo-bank.pl, uwaga", "url", "http://www.oszustwo-bank.pl", NULL},
    /* phones: international, Polish national, Russian trunk 8 */
    {"tel. +48 601 234 567 po 18", "phone", "+48601234567", NULL},
    {"dzwonił z 601-234-567 wczoraj", "phone", "+48601234567", NULL},
    {"номер +380 67 123 4567", "phone", "+380671234567", NULL},
    {"звонил 8 (912) 345-67-89", "phone", "+79123456789", NULL},
    {"nömrə +994 50 123 45 67", "phone", "+994501234567", NULL},
    {"ნომერი +995 599 12 34 56", "phone", "+995599123456", NULL},
    {"Handy 0049 151 23456789", "phone", "+4915123456789", NULL},
    {"numer +48 601 234 56 to za mało", NULL, NULL, "phone"},
    {"numer +999 123 456 789", NULL, NULL, "phone"},
    /* IBANs: print form, compact, lower case; bad mod-97 and bad length refused */
    {"konto PL61 1090 1014 0000 0712 1981 2874.", "iban", "PL61109010140000071219812874", NULL},
    {"IBAN DE89370400440532013000 bitte", "iban", "DE89370400440532013000", NULL},
    {"account gb82 west 1234 5698 7654 32", "iban", "GB82WEST12345698765432", NULL},
    {"konto PL61 1090 1014 0000 0712 1981 2875", NULL, NULL, "iban"},
    {"konto PL61 1090 1014 0000 0712 1981 287", NULL, NULL, "iban"},
    /* cards: Luhn, shown masked */
    {"karta 4111 1111 1111 1111 zablokowana", "card", "411111******1111", NULL},
    {"card 5500-0000-0000-0004", "card", "550000******0004", NULL},
    {"karta 4111 1111 1111 1112", NULL, NULL, "card"},
    /* wallets: base58check, bech32, bech32m, EIP-55 */
    {"BTC 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "crypto", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
     NULL},
    {"BTC 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "crypto", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
     NULL},
    {"BTC 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", NULL, NULL, "crypto"},
    {"wallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "crypto",
     "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", NULL},
    {"wallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp", NULL, NULL, "crypto"},
    {"taproot bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "crypto",
     "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", NULL},
    {"ETH 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "crypto",
     "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", NULL},
    {"ETH 0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359 (lower case)", "crypto",
     "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", NULL},
    {"ETH 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", NULL, NULL, "crypto"},
    /* dates in the twelve languages, numeric and named, with times, relative */
    {"w dniu 12 marca 2026 r. o godz. 14:30", "date", "2026-03-12T14:30", NULL},
    {"zdarzenie 12.03.2026 około 9:05", "date", "2026-03-12T09:05", NULL},
    {"on March 5, 2026 at 22:10", "date", "2026-03-05T22:10", NULL},
    {"5 марта 2026 г. в 10:00", "date", "2026-03-05T10:00", NULL},
    {"12 березня 2026 року", "date", "2026-03-12", NULL},
    {"12 сакавіка 2026 года", "date", "2026-03-12", NULL},
    {"12 mart 2026-ci il", "date", "2026-03-12", NULL},
    {"12 Mart 2026 saat 14:30", "date", "2026-03-12T14:30", NULL},
    {"بتاريخ 12 مارس 2026", "date", "2026-03-12", NULL},
    {"am 12. März 2026 um 8:15", "date", "2026-03-12T08:15", NULL},
    {"le 12 mars 2026 à 23:59", "date", "2026-03-12T23:59", NULL},
    {"el 12 de marzo de 2026 a las 7:45", "date", "2026-03-12T07:45", NULL},
    {"2026 წლის 12 მარტს", "date", "2026-03-12", NULL},
    {"ISO 2026-03-12T08:15:00Z", "date", "2026-03-12T08:15", NULL},
    {"wczoraj o 14:30", "date", "2026-03-11T14:30", NULL},
    {"вчера вечером", "date", "2026-03-11", NULL},
    {"przedwczoraj", "date", "2026-03-10", NULL},
    {"gestern", "date", "2026-03-11", NULL},
    {"12 marca", "date", "2026-03-12", NULL},
    {"dnia 31.02.2026", NULL, NULL, "date"},
    {"dnia 32 marca 2026", NULL, NULL, "date"},
    /* persons: context words, gazetteer plus endings, police order, caseless scripts */
    {"Zatrzymano pana Jana Kowalskiego", "person", "Jana Kowalskiego", NULL},
    {"pan Jan Kowalski zamieszkały", "person", "Jan Kowalski", NULL},
    {"dane: KOWALSKI Jan, ur. 1980", "person", "KOWALSKI Jan", NULL},
    {"гражданин Иван Петров", "person", "Иван Петров", NULL},
    {"Иван Петрович Сидоров задержан", "person", "Иван Петрович Сидоров", NULL},
    {"Mr John Smith arrived", "person", "John Smith", NULL},
    {"Mehmet Yılmaz geldi", "person", "Mehmet Yılmaz", NULL},
    {"გიორგი ბერიძე დააკავეს", "person", "გიორგი ბერიძე", NULL},
    {"المشتبه به محمد العلي", "person", "محمد العلي", NULL},
    {"Anna poszła do sklepu", NULL, NULL, "person"},
    /* found on the corpus: an Arabic comma after a date or a phone, the Azerbaijani schwa in a
     * name, "около" before a time, the tail of a mistyped IBAN is no card, nor a phone's digits */
    {"تاريخ الميلاد 28/08/1960، هاتف", "date", "1960-08-28", NULL},
    {"هاتف +966 57 463 84 01، البطاقة", "phone", "+966574638401", NULL},
    {"Kamran Cəfərov saxlanılıb", "person", "Kamran Cəfərov", NULL},
    {"3 сентября 2025 около 16:20.", "date", "2025-09-03T16:20", NULL},
    {"Рахунак BY04 KGIC 5464 2355 0682 4016 5617 пазначаны", NULL, NULL, "card"},
    {"Handy +49 152 973 837 83", NULL, NULL, "card"},
    {"REGON 123456785", NULL, NULL, "phone"},
    {"PESEL 84010112345", NULL, NULL, "phone"},
    {"tel. 601234567", "phone", "+48601234567", NULL},
    {"الشاهد سامي النجار البريد", "person", "سامي النجار", NULL},
    {"Şüpheli Elif Aydın Ankara'da yakalandı", "person", "Elif Aydın", NULL},
    /* screening's identifiers: MRZ (ICAO 9303's specimen), VIN, document numbers, plates */
    {"MRZ:\nP<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<"
     "<10\n",
     "mrz",
     "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
     NULL},
    {"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<11",
     NULL, NULL, "mrz"},
    {"VIN 1M8GDM9AXKP042788, czarny", "vin", "1M8GDM9AXKP042788", NULL},
    {"VIN 1M8GDM9A1KP042788", NULL, NULL, "vin"},
    {"VIN wvwzzz1jzxw000001", "vin", "WVWZZZ1JZXW000001", NULL},
    {"legitymował się paszportem, paszport nr AB1234567.", "document", "AB1234567", NULL},
    {"паспорт 45 12 345678 выдан", "document", "4512345678", NULL},
    {"Pojazd o nr rej. KR 12345 odjechał", "plate", "KR12345", NULL},
    {"das Kennzeichen B-AB 1234 notiert", "plate", "BAB1234", NULL},
    {"AB1234567 bez słowa przed nim", NULL, NULL, "document"},
    /* places */
    {"mieszka w Krakowie", "place", "Kraków", NULL},
    {"прибыл в Москве", "place", "Moscow", NULL},
    {"Bakı şəhərində", NULL, NULL, "person"},
    {"gələn Bakı", "place", "Baku", NULL},
    {"w Nowym Sączu", "place", "Nowy Sącz", NULL},
};

static const struct tz_entity *find(const struct tz_assist_result *r, const char *type)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(tz_assist_type_code(r->items[i].type), type) == 0)
            return &r->items[i];
    return NULL;
}

static void every_extractor_case(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct want *w = &cases[i];
        struct tz_assist_request req = {.text = w->text, .len = strlen(w->text), .reference = REF};
        struct tz_assist_result r = {0};
        assert_int_equal(tz_assist_analyse(&req, &r), TZ_OK);
        const struct tz_entity *e = find(&r, w->type ? w->type : w->none);
        if (w->type && (!e || strcmp(e->value, w->value) != 0))
            fail_msg("\"%s\": wanted %s %s, got %s", w->text, w->type, w->value,
                     e ? e->value : "nothing");
        if (!w->type && e)
            fail_msg("\"%s\": wanted no %s, got %s", w->text, w->none, e->value);
        if (e) { /* the span covers the value's text in the original */
            assert_true(e->start < e->end && e->end <= req.len);
            if (e->type == TZ_ENT_PERSON) /* a person's value is its text */
                assert_memory_equal(req.text + e->start, e->value, e->end - e->start);
            assert_true(e->cstart < e->cend && e->cend <= r.chars);
        }
        tz_assist_result_clear(&r);
    }
}

/* Keccak-256 (not SHA3-256) of the empty string, as Ethereum uses it. */
static void keccak_is_the_original_padding(void **state)
{
    (void)state;
    struct tz_assist_request req = {.text = "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB "
                                            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"};
    req.len = strlen(req.text);
    struct tz_assist_result r = {0};
    assert_int_equal(tz_assist_analyse(&req, &r), TZ_OK);
    assert_int_equal(r.count, 2); /* EIP-55's own examples */
    assert_string_equal(r.items[1].value, "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb");
    tz_assist_result_clear(&r);
}

/* A dates without a reference are not made up: relative words and yearless dates stay out. */
static void no_reference_no_guess(void **state)
{
    (void)state;
    const char *t = "wczoraj, 12 marca, 13.03.2026";
    struct tz_assist_request req = {.text = t, .len = strlen(t)};
    struct tz_assist_result r = {0};
    assert_int_equal(tz_assist_analyse(&req, &r), TZ_OK);
    assert_int_equal(r.count, 1);
    assert_string_equal(r.items[0].value, "2026-03-13");
    tz_assist_result_clear(&r);
}

/* Invisible characters inside an entity are looked through; spans stay on the original text. */
static void zero_width_and_bidi_keep_spans(void **state)
{
    (void)state;
    /* "Тел.: " (5 letters, 2 bytes each but the dot, colon and space), then the number with a
     * zero-width space and a word joiner inside, inside an RLI ... PDI isolate */
    const char *t = "Тел.: \u2067+48\u200b 601 234\u2060 567\u2069 i PL61 1090 1014 0000 0712 "
                    "1981 2874";
    struct tz_assist_request req = {.text = t, .len = strlen(t)};
    struct tz_assist_result r = {0};
    assert_int_equal(tz_assist_analyse(&req, &r), TZ_OK);
    const struct tz_entity *p = find(&r, "phone");
    assert_non_null(p);
    assert_string_equal(p->value, "+48601234567");
    size_t at = (size_t)(strstr(t, "+48") - t);
    assert_int_equal(p->start, at);
    assert_int_equal(p->end, (size_t)(strstr(t, "567") - t) + 3);
    assert_int_equal(p->cstart, 7); /* Т е л . : space RLI */
    const struct tz_entity *iban = find(&r, "iban");
    assert_non_null(iban);
    assert_int_equal(iban->end, strlen(t));
    assert_int_equal(iban->cend, r.chars);
    tz_assist_result_clear(&r);
}

static void hostile_text_is_refused(void **state)
{
    (void)state;
    struct tz_assist_result r = {0};
    const char bad[] = "konto \xC3\x28 PL61";
    struct tz_assist_request req = {.text = bad, .len = sizeof bad - 1};
    assert_int_equal(tz_assist_analyse(&req, &r), TZ_EMALFORMED);
    const char overlong[] = "\xC0\xAF";
    req = (struct tz_assist_request){.text = overlong, .len = 2};
    assert_int_equal(tz_assist_analyse(&req, &r), TZ_EMALFORMED);
    const char surrogate[] = "\xED\xA0\x80";
    req = (struct tz_assist_request){.text = surrogate, .len = 3};
    assert_int_equal(tz_assist_analyse(&req, &r), TZ_EMALFORMED);
    req = (struct tz_assist_request){.text = "a\0b", .len = 3};
    assert_int_equal(tz_assist_analyse(&req, &r), TZ_EMALFORMED);
    char *big = malloc(TZ_ASSIST_TEXT_MAX + 1);
    assert_non_null(big);
    memset(big, 'a', TZ_ASSIST_TEXT_MAX + 1);
    req = (struct tz_assist_request){.text = big, .len = TZ_ASSIST_TEXT_MAX + 1};
    assert_int_equal(tz_assist_analyse(&req, &r), TZ_ETOOBIG);
    /* at the limit, a text of many numbers is answered, bounded */
    for (size_t i = 0; i + 16 < TZ_ASSIST_TEXT_MAX; i += 16)
        memcpy(big + i, "+48 601 234 567 ", 16);
    req.len = TZ_ASSIST_TEXT_MAX;
    assert_int_equal(tz_assist_analyse(&req, &r), TZ_OK);
    assert_true(r.count <= TZ_ASSIST_ENTITIES_MAX);
    assert_true(r.truncated);
    tz_assist_result_clear(&r);
    free(big);
}

/* The districts on file are places too. */
static void districts_on_file_are_places(void **state)
{
    (void)state;
    const char *places[] = {"Śródmieście Północ", "Nowa Huta"};
    const char *t = "patrol w rejonie śródmieście północ";
    struct tz_assist_request req = {
        .text = t, .len = strlen(t), .places = places, .place_count = 2};
    struct tz_assist_result r = {0};
    assert_int_equal(tz_assist_analyse(&req, &r), TZ_OK);
    const struct tz_entity *p = find(&r, "place");
    assert_non_null(p);
    assert_string_equal(p->value, "Śródmieście Północ");
    assert_string_equal(p->detail, "district");
    tz_assist_result_clear(&r);
}

static void redactions_replace_personal_data(void **state)
{
    (void)state;
    const char *t = "Pan Jan Kowalski (tel. 601 234 567) parkuje 12.03.2026 w Krakowie.";
    struct tz_assist_request req = {.text = t, .len = strlen(t), .reference = REF};
    struct tz_assist_result r = {0};
    struct tz_redactions d = {0};
    assert_int_equal(tz_assist_analyse(&req, &r), TZ_OK);
    assert_int_equal(tz_assist_redactions(&req, &r, &d), TZ_OK);
    assert_int_equal(d.count, 2);
    assert_string_equal(d.text, "Pan [osoba] (tel. [telefon]) parkuje 12.03.2026 w Krakowie.");
    tz_redactions_clear(&d);
    tz_assist_result_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_extractor_case),
        cmocka_unit_test(keccak_is_the_original_padding),
        cmocka_unit_test(no_reference_no_guess),
        cmocka_unit_test(zero_width_and_bidi_keep_spans),
        cmocka_unit_test(hostile_text_is_refused),
        cmocka_unit_test(districts_on_file_are_places),
        cmocka_unit_test(redactions_replace_personal_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
