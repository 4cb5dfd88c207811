/*
 * test_alerts.c - the alerts' areas (alerts/area.c): every form read and
 * refused, the point-in-area rules (a circle by great-circle distance, a
 * concave polygon by the even-odd rule, a district by id), the canonical
 * text read back, and the webhook's signature (tests/api/test_alerts.c
 * drives the rest through the server).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "alerts/alerts.h"

static tz_err parse(const char *s, struct tz_alert_area *a)
{
    const char *why = NULL;
    tz_err err = tz_alert_area_parse(s, strlen(s), a, &why);
    if (err)
        assert_true(why && why[0]);
    return err;
}

static void every_form_is_read_and_nonsense_refused(void **state)
{
    (void)state;
    struct tz_alert_area a;
    assert_int_equal(parse("bbox:19.8,50,20.1,50.1", &a), TZ_OK);
    assert_int_equal(a.kind, TZ_AREA_BBOX);
    assert_int_equal(parse("circle:19.94,50.06,500", &a), TZ_OK);
    assert_int_equal(a.kind, TZ_AREA_CIRCLE);
    assert_int_equal(parse("polygon:19 50,20 50,20 51", &a), TZ_OK);
    assert_int_equal(a.n, 3);
    assert_int_equal(parse("district:KRK-01", &a), TZ_OK);
    assert_string_equal(a.district, "KRK-01");
    static const char *const bad[] = {
        "",
        "bbox:",
        "bbox:1,2,3",
        "bbox:1,2,2,3,",
        "bbox:3,2,1,3",
        "bbox:1,2,181,4",
        "bbox:1,2,3,4x",
        "bbox: 1,2,3,4",
        "circle:19,50,9",
        "circle:19,50,50001",
        "circle:19,90,100",
        "circle:19,50",
        "polygon:1 2,3 4",
        "polygon:1 2,3 4,5",
        "polygon:",
        "district:",
        "district:a b",
        "district:a,b",
        "square:1,2,3,4",
        "BBOX:1,2,3,4",
        "bbox:19,50,21.5,50.5",
        "bbox:19,50,19.5,51.5", /* wider than 2, taller than 1 degree */
        "polygon:19 50,19.5 51.2,19.2 50.1",
        "bbox:nan,2,3,4",
        "bbox:inf,2,3,4",
        "circle:0x10,50,100",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (parse(bad[i], &a) != TZ_EINVAL)
            fail_msg("\"%s\" was read", bad[i]);
    /* 65 points are too many */
    char many[4096] = "polygon:";
    for (int i = 0; i < 65; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s%d %d", i ? "," : "", i % 90,
                 (i * 7) % 90);
    assert_int_equal(parse(many, &a), TZ_EINVAL);
}

static void points_are_in_or_out(void **state)
{
    (void)state;
    struct tz_alert_area a;
    assert_int_equal(parse("circle:19.94,50.06,1000", &a), TZ_OK);
    assert_true(tz_alert_area_contains(&a, 50.06, 19.94, NULL));
    assert_true(tz_alert_area_contains(&a, 50.0689, 19.94, NULL));  /* ~990 m north */
    assert_false(tz_alert_area_contains(&a, 50.0692, 19.94, NULL)); /* ~1020 m north */
    assert_true(tz_alert_area_contains(&a, 50.06, 19.9539, NULL));  /* ~995 m east */
    assert_false(tz_alert_area_contains(&a, 50.06, 19.9542, NULL)); /* ~1017 m east */
    /* A concave "U": its notch is outside though inside the box. */
    assert_int_equal(parse("polygon:0 0,0.3 0,0.3 0.3,0.2 0.3,0.2 0.1,0.1 0.1,0.1 0.3,0 0.3", &a),
                     TZ_OK);
    assert_true(tz_alert_area_contains(&a, 0.05, 0.05, NULL));
    assert_true(tz_alert_area_contains(&a, 0.25, 0.25, NULL));
    assert_false(tz_alert_area_contains(&a, 0.2, 0.15, NULL));
    assert_false(tz_alert_area_contains(&a, 0.35, 0.05, NULL));
    assert_int_equal(parse("district:KRK-01", &a), TZ_OK);
    assert_true(tz_alert_area_contains(&a, 0, 0, "KRK-01"));
    assert_false(tz_alert_area_contains(&a, 0, 0, "KRK-010"));
    assert_int_equal(parse("bbox:19,50,20,51", &a), TZ_OK);
    assert_true(tz_alert_area_contains(&a, 50, 19, NULL)); /* the edges are in */
    assert_false(tz_alert_area_contains(&a, 51.0001, 19.5, NULL));
}

static void the_canonical_text_reads_back(void **state)
{
    (void)state;
    static const char *const in[] = {"bbox:19.800,50.0,20.1,50.10", "circle:19.94,50.06,2000.0",
                                     "polygon:19.9 50,20 50,20 50.1", "district:KRK-01"};
    static const char *const want[] = {"bbox:19.8,50,20.1,50.1", "circle:19.94,50.06,2000",
                                       "polygon:19.9 50,20 50,20 50.1", "district:KRK-01"};
    for (size_t i = 0; i < 4; i++) {
        struct tz_alert_area a;
        char text[TZ_ALERT_TEXT_MAX];
        assert_int_equal(parse(in[i], &a), TZ_OK);
        assert_int_equal(tz_alert_area_format(&a, text, sizeof text), TZ_OK);
        assert_string_equal(text, want[i]);
        assert_int_equal(tz_alert_area_format(&a, text, 8), TZ_ETOOBIG);
    }
}

static void the_signature_is_hmac_sha256_of_the_body(void **state)
{
    (void)state;
    const char *key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const char *body = "{\"report\":1}";
    char sig[65];
    assert_int_equal(tz_alerts_sign(key, body, strlen(body), sig), TZ_OK);
    unsigned char k[32], mac[32];
    sodium_hex2bin(k, sizeof k, key, 64, NULL, NULL, NULL);
    sodium_hex2bin(mac, sizeof mac, sig, 64, NULL, NULL, NULL);
    assert_int_equal(
        crypto_auth_hmacsha256_verify(mac, (const unsigned char *)body, strlen(body), k), 0);
    assert_int_equal(tz_alerts_sign("abcd", body, strlen(body), sig), TZ_EINVAL);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_form_is_read_and_nonsense_refused),
        cmocka_unit_test(points_are_in_or_out),
        cmocka_unit_test(the_canonical_text_reads_back),
        cmocka_unit_test(the_signature_is_hmac_sha256_of_the_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
