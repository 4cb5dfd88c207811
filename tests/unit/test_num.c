/*
 * Unit tests of base/num: the one bounded number parser. Decimal numbers in
 * range are read exactly; everything strtoll and strtod would also take
 * (spaces, junk, hex, hex floats, inf, nan) is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/num.h"

static tz_err i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    return tz_num_parse_i64(s, strlen(s), min, max, out);
}

static tz_err dbl(const char *s, double min, double max, double *out)
{
    return tz_num_parse_double(s, strlen(s), min, max, out);
}

static void integers_in_range_are_read(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_int_equal(i64("42", 0, 100, &v), TZ_OK);
    assert_int_equal(v, 42);
    assert_int_equal(i64("-7", -10, 10, &v), TZ_OK);
    assert_int_equal(v, -7);
    assert_int_equal(i64("+7", -10, 10, &v), TZ_OK);
    assert_int_equal(v, 7);
    assert_int_equal(i64("007", 0, 10, &v), TZ_OK);
    assert_int_equal(v, 7);
    assert_int_equal(i64("9223372036854775807", INT64_MIN, INT64_MAX, &v), TZ_OK);
    assert_true(v == INT64_MAX);
    assert_int_equal(i64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), TZ_OK);
    assert_true(v == INT64_MIN);
    /* only the n bytes given are read */
    assert_int_equal(tz_num_parse_i64("12345", 2, 0, 100, &v), TZ_OK);
    assert_int_equal(v, 12);
}

static void integers_out_of_range_or_malformed_are_refused(void **state)
{
    (void)state;
    int64_t v = 99;
    assert_int_equal(i64("101", 0, 100, &v), TZ_EINVAL);
    assert_int_equal(i64("-1", 0, 100, &v), TZ_EINVAL);
    assert_int_equal(i64("9223372036854775808", INT64_MIN, INT64_MAX, &v), TZ_EINVAL);
    assert_int_equal(i64("-9223372036854775809", INT64_MIN, INT64_MAX, &v), TZ_EINVAL);
    assert_int_equal(i64("99999999999999999999999999", 0, 100, &v), TZ_EINVAL);
    const char *bad[] = {"", "-", "+", " 1", "1 ", "1x", "0x10", "1.0", "1e3", "--1", "٣"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(i64(bad[i], INT64_MIN, INT64_MAX, &v), TZ_EMALFORMED);
    assert_int_equal(tz_num_parse_i64(NULL, 0, 0, 1, &v), TZ_EMALFORMED);
    assert_int_equal(v, 99); /* untouched on error */
}

static void decimal_numbers_are_read(void **state)
{
    (void)state;
    double v = 0;
    assert_int_equal(dbl("50.061", -90, 90, &v), TZ_OK);
    assert_true(v == 50.061);
    assert_int_equal(dbl("-19.9368", -180, 180, &v), TZ_OK);
    assert_true(v == -19.9368);
    assert_int_equal(dbl("+1", -1, 1, &v), TZ_OK);
    assert_true(v == 1);
    assert_int_equal(dbl("5.", 0, 10, &v), TZ_OK);
    assert_true(v == 5);
    assert_int_equal(dbl(".5", 0, 10, &v), TZ_OK);
    assert_true(v == 0.5);
    assert_int_equal(dbl("5e1", 0, 90, &v), TZ_OK);
    assert_true(v == 50);
    assert_int_equal(dbl("2.5E-1", 0, 1, &v), TZ_OK);
    assert_true(v == 0.25);
    assert_int_equal(dbl("90", -90, 90, &v), TZ_OK); /* the bounds are included */
    assert_int_equal(dbl("-90", -90, 90, &v), TZ_OK);
    /* only the n bytes given are read: no terminating NUL needed */
    assert_int_equal(tz_num_parse_double("1.25,7", 4, 0, 10, &v), TZ_OK);
    assert_true(v == 1.25);
}

static void hex_floats_inf_nan_and_junk_are_refused(void **state)
{
    (void)state;
    double v = 7;
    const char *bad[] = {"0x1.9p5", "0X1P5", "0x32",  "inf", "-inf", "infinity", "nan",
                         "NAN(1)",  "",      " 1",    "1 ",  "1\n",  "\t1",      "1,5",
                         "1.2.3",   "1e",    "1e+",   "e5",  ".",    "-",        "+.e1",
                         "1f",      "1d",    "1_000", "１"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(dbl(bad[i], -1e300, 1e300, &v), TZ_EMALFORMED);
    }
    assert_true(v == 7); /* untouched on error */
}

static void decimal_numbers_out_of_range_are_refused(void **state)
{
    (void)state;
    double v = 7;
    assert_int_equal(dbl("90.000001", -90, 90, &v), TZ_EINVAL);
    assert_int_equal(dbl("-180.5", -180, 180, &v), TZ_EINVAL);
    assert_int_equal(dbl("1e999", -1e300, 1e300, &v), TZ_EINVAL); /* beyond a double */
    char longer[TZ_NUM_TEXT_MAX + 2];
    memset(longer, '1', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_int_equal(dbl(longer, -1e300, 1e300, &v), TZ_EINVAL); /* longer than bounded */
    assert_true(v == 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(integers_in_range_are_read),
        cmocka_unit_test(integers_out_of_range_or_malformed_are_refused),
        cmocka_unit_test(decimal_numbers_are_read),
        cmocka_unit_test(hex_floats_inf_nan_and_junk_are_refused),
        cmocka_unit_test(decimal_numbers_out_of_range_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
