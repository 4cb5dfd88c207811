/* Unit tests of src/base: bounded buffers, JSON strings, RFC 3339 and Polish days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/fielderr.h"
#include "base/ratelimit.h"
#include "base/tztime.h"

static void buf_refuses_to_pass_its_maximum(void **state)
{
    struct tz_buf b;
    tz_buf_init(&b, 8);
    assert_int_equal(tz_buf_puts(&b, "12345"), TZ_OK);
    assert_int_equal(tz_buf_puts(&b, "6789"), TZ_ETOOBIG);
    assert_string_equal(b.data, "12345"); /* unchanged by the failed append */
    assert_int_equal(tz_buf_printf(&b, "%d", 678), TZ_OK);
    assert_string_equal(b.data, "12345678");
    assert_int_equal(tz_buf_printf(&b, "%c", 'x'), TZ_ETOOBIG);
    tz_buf_free(&b);
}

static void buf_escapes_json_strings(void **state)
{
    struct tz_buf b;
    tz_buf_init(&b, 1024);
    const char s[] = "a\"b\\c\nd\x01<é";
    assert_int_equal(tz_buf_json_string(&b, s, strlen(s)), TZ_OK);
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\nd\\u0001\\u003cé\"");
    tz_buf_free(&b);

    tz_buf_init(&b, 4);
    assert_int_equal(tz_buf_json_string(&b, "abcdef", 6), TZ_ETOOBIG);
    assert_int_equal(b.len, 0);
    tz_buf_free(&b);
}

static void time_formats_and_parses_rfc3339(void **state)
{
    char text[TZ_TIME_TEXT_MAX];
    tz_time_format(0, text);
    assert_string_equal(text, "1970-01-01T00:00:00Z");
    tz_time_format(1796036400, text);
    assert_string_equal(text, "2026-11-30T11:00:00Z");

    int64_t t;
    assert_int_equal(tz_time_parse("2026-11-30T11:00:00Z", 20, &t), TZ_OK);
    assert_int_equal(t, 1796036400);
    assert_int_equal(tz_time_parse("2026-11-30T12:00:00.250+01:00", 29, &t), TZ_OK);
    assert_int_equal(t, 1796036400);
    /* A bare date is midnight Polish time: 2026-11-30 00:00 CET = 23:00Z the day before. */
    assert_int_equal(tz_time_parse("2026-11-30", 10, &t), TZ_OK);
    tz_time_format(t, text);
    assert_string_equal(text, "2026-11-29T23:00:00Z");

    const char *bad[] = {"",
                         "2026",
                         "2026-13-01",
                         "2026-02-29",
                         "2026-11-30T25:00:00Z",
                         "2026-11-30T11:00:00",
                         "2026-11-30T11:00:00Zjunk",
                         "2026-11-30 11:00:00Z",
                         "1969-12-31",
                         "2026-1-30"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tz_time_parse(bad[i], strlen(bad[i]), &t), TZ_EINVAL);
}

static int64_t at(const char *rfc3339)
{
    int64_t t = 0;
    assert_int_equal(tz_time_parse(rfc3339, strlen(rfc3339), &t), TZ_OK);
    return t;
}

static void polish_offset_follows_eu_rule(void **state)
{
    assert_int_equal(tz_time_pl_offset(at("2026-01-15T12:00:00Z")), 3600);
    assert_int_equal(tz_time_pl_offset(at("2026-07-15T12:00:00Z")), 7200);
    /* 2026: summer time from 29 March 01:00Z to 25 October 01:00Z. */
    assert_int_equal(tz_time_pl_offset(at("2026-03-29T00:59:59Z")), 3600);
    assert_int_equal(tz_time_pl_offset(at("2026-03-29T01:00:00Z")), 7200);
    assert_int_equal(tz_time_pl_offset(at("2026-10-25T00:59:59Z")), 7200);
    assert_int_equal(tz_time_pl_offset(at("2026-10-25T01:00:00Z")), 3600);
}

static void deadlines_keep_polish_wall_time_across_dst(void **state)
{
    char text[TZ_TIME_TEXT_MAX];
    /* Saturday 28 March 2026, 10:00 CET: two days on is Monday 10:00 CEST, 47 h later. */
    int64_t received = at("2026-03-28T10:00:00+01:00");
    int64_t due = tz_time_add_pl_days(received, 2);
    tz_time_format(due, text);
    assert_string_equal(text, "2026-03-30T08:00:00Z");
    assert_int_equal(due - received, 47 * 3600);

    /* Across the October change the same two days last 49 hours. */
    received = at("2026-10-24T10:00:00+02:00");
    due = tz_time_add_pl_days(received, 2);
    assert_int_equal(due - received, 49 * 3600);

    /* Away from a change, 5 days are 120 hours. */
    received = at("2026-11-25T10:00:00Z");
    assert_int_equal(tz_time_add_pl_days(received, 5) - received, 120 * 3600);

    /* 02:30 does not exist on 29 March 2026: the deadline moves to 03:30 CEST. */
    received = at("2026-03-27T02:30:00+01:00");
    due = tz_time_add_pl_days(received, 2);
    tz_time_format(due, text);
    assert_string_equal(text, "2026-03-29T01:30:00Z");

    /* 02:30 exists twice on 25 October 2026: the first one (CEST) is taken. */
    received = at("2026-10-23T02:30:00+02:00");
    due = tz_time_add_pl_days(received, 2);
    tz_time_format(due, text);
    assert_string_equal(text, "2026-10-25T00:30:00Z");
}

/* Field names come from outside: what goes into a problem document must stay valid UTF-8. */
static void field_errors_stay_valid_utf8(void **state)
{
    struct tz_field_errors e = {0};
    tz_fielderr_add(&e, "\xC3(", "unknown parameter");
    assert_string_equal(e.items[0].field, "?(");
    tz_fielderr_add(&e, "ł\xFFź", "bad \xED\xA0\x80 value");
    assert_string_equal(e.items[1].field, "ł?ź");
    assert_string_equal(e.items[1].message, "bad ??? value");
    for (int i = 0; i < 20; i++)
        tz_fielderr_add(&e, "x", "more");
    assert_int_equal(e.count, TZ_FIELDERR_MAX);
    assert_int_equal(e.dropped, 22 - TZ_FIELDERR_MAX);
}

/* Two a minute, bursts of 3: the fourth request waits 30 s, then one more passes. */
static void ratelimit_refills_at_its_rate(void **state)
{
    (void)state;
    struct tz_ratelimit *rl;
    assert_int_equal(tz_ratelimit_new(2.0 / 60, 3, 100, &rl), TZ_OK);
    const char *a = "client-a", *b = "client-b";
    int retry = 0;
    for (int i = 0; i < 3; i++)
        assert_true(tz_ratelimit_take(rl, a, strlen(a), 1000, &retry));
    assert_false(tz_ratelimit_take(rl, a, strlen(a), 1000, &retry));
    assert_int_equal(retry, 30);
    assert_true(tz_ratelimit_take(rl, b, strlen(b), 1000, &retry)); /* others unaffected */
    assert_false(tz_ratelimit_take(rl, a, strlen(a), 1000 + 29999, &retry));
    assert_int_equal(retry, 1);
    assert_true(tz_ratelimit_take(rl, a, strlen(a), 1000 + 30000, &retry));
    assert_false(tz_ratelimit_take(rl, a, strlen(a), 1000 + 30000, &retry));
    /* a clock that goes back refills nothing and breaks nothing */
    assert_false(tz_ratelimit_take(rl, a, strlen(a), 0, &retry));
    /* an hour later the bucket is full again, but no fuller than the burst */
    for (int i = 0; i < 3; i++)
        assert_true(tz_ratelimit_take(rl, a, strlen(a), 3600 * 1000, NULL));
    assert_false(tz_ratelimit_take(rl, a, strlen(a), 3600 * 1000, NULL));
    tz_ratelimit_free(rl);
}

/* The table never grows: with room for 8 keys, a 9th forgets the key seen
 * longest ago (which starts again with a full bucket), not a recent one. */
static void ratelimit_forgets_the_oldest_key(void **state)
{
    (void)state;
    struct tz_ratelimit *rl;
    assert_int_equal(tz_ratelimit_new(0.001, 1, 8, &rl), TZ_OK);
    for (uint32_t k = 0; k < 8; k++)
        assert_true(tz_ratelimit_take(rl, &k, sizeof k, 0, NULL));
    for (uint32_t k = 0; k < 7; k++) /* every key but 7 is seen again, and refused */
        assert_false(tz_ratelimit_take(rl, &k, sizeof k, 100, NULL));
    uint32_t newcomer = 8, oldest = 7, recent = 0;
    assert_true(tz_ratelimit_take(rl, &newcomer, sizeof newcomer, 200, NULL));
    assert_false(tz_ratelimit_take(rl, &recent, sizeof recent, 200, NULL));
    assert_true(tz_ratelimit_take(rl, &oldest, sizeof oldest, 300, NULL)); /* forgotten */
    tz_ratelimit_free(rl);
    assert_int_equal(tz_ratelimit_new(0, 1, 16, &rl), TZ_EINVAL);
    assert_int_equal(tz_ratelimit_new(1, 0.5, 16, &rl), TZ_EINVAL);
    assert_int_equal(tz_ratelimit_new(1, 1, 0, &rl), TZ_EINVAL);
    tz_ratelimit_free(NULL);
}

/* Coordinates without printf read back as printf's within the last decimal. */
static void fixed6_writes_what_printf_writes(void **state)
{
    (void)state;
    struct tz_buf b;
    tz_buf_init(&b, 64);
    const struct {
        double v;
        const char *text;
    } exact[] = {{0, "0.000000"},
                 {19.9373, "19.937300"},
                 {-180, "-180.000000"},
                 {50.0617004, "50.061700"},
                 {0.0000005, "0.000001"},
                 {-0.0000004, "0.000000"},
                 {999999.9999999, "1000000.000000"}};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
        tz_buf_reset(&b);
        assert_int_equal(tz_buf_fixed6(&b, exact[i].v), TZ_OK);
        assert_string_equal(b.data, exact[i].text);
    }
    uint64_t seed = 42;
    int differ = 0;
    for (int i = 0; i < 200000; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        double v = ((double)(seed >> 11) / 9007199254740992.0) * 360.0 - 180.0;
        char want[64];
        snprintf(want, sizeof want, "%.6f", v);
        tz_buf_reset(&b);
        assert_int_equal(tz_buf_fixed6(&b, v), TZ_OK);
        if (strcmp(b.data, want) != 0) {
            differ++;
            assert_true(fabs(strtod(b.data, NULL) - strtod(want, NULL)) < 1.5e-6);
        }
    }
    assert_true(differ < 20); /* only values a hair from a half */
    tz_buf_reset(&b);
    assert_int_equal(tz_buf_uint(&b, 0), TZ_OK);
    assert_int_equal(tz_buf_uint(&b, 18446744073709551615ULL), TZ_OK);
    assert_string_equal(b.data, "018446744073709551615");
    tz_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_refuses_to_pass_its_maximum),
        cmocka_unit_test(buf_escapes_json_strings),
        cmocka_unit_test(time_formats_and_parses_rfc3339),
        cmocka_unit_test(polish_offset_follows_eu_rule),
        cmocka_unit_test(deadlines_keep_polish_wall_time_across_dst),
        cmocka_unit_test(field_errors_stay_valid_utf8),
        cmocka_unit_test(fixed6_writes_what_printf_writes),
        cmocka_unit_test(ratelimit_refills_at_its_rate),
        cmocka_unit_test(ratelimit_forgets_the_oldest_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
