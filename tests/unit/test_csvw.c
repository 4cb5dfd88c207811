/*
 * Unit tests of base/csvw: RFC 4180 quoting (commas, quotes, line breaks),
 * spreadsheet formulas defused, NULL fields, numbers, rows, and the writer's
 * sticky first error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/csvw.h"

/* One row of text fields written with tz_csvw_text, as a string. */
static void text_row(const char *const *fields, size_t n, const char *expected)
{
    struct tz_buf b;
    struct tz_csvw w;
    tz_buf_init(&b, 4096);
    tz_csvw_begin(&w, &b);
    for (size_t i = 0; i < n; i++)
        tz_csvw_text(&w, fields[i]);
    tz_csvw_row_end(&w);
    assert_int_equal(tz_csvw_end(&w), TZ_OK);
    assert_string_equal(b.data, expected);
    tz_buf_free(&b);
}

static void fields_are_quoted_only_where_needed(void **state)
{
    (void)state;
    const char *plain[] = {"a", "Żółć", "", NULL, "x y"};
    text_row(plain, 5, "a,Żółć,,,x y\r\n");
    const char *special[] = {"a,b", "say \"hi\"", "two\nlines", "cr\rhere"};
    text_row(special, 4, "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\"\r\n");
}

static void formulas_are_defused(void **state)
{
    (void)state;
    const char *f[] = {"=1+1", "+48", "-5", "@SUM(A1)", "\tx", "a=b"};
    text_row(f, 6, "\"'=1+1\",\"'+48\",\"'-5\",\"'@SUM(A1)\",\"'\tx\",a=b\r\n");
    const char *q[] = {"=\"x\""};
    text_row(q, 1, "\"'=\"\"x\"\"\"\r\n");
}

static void quoted_numbers_and_rows(void **state)
{
    (void)state;
    struct tz_buf b;
    struct tz_csvw w;
    tz_buf_init(&b, 4096);
    tz_csvw_begin(&w, &b);
    tz_csvw_quoted(&w, "k\"1");
    tz_csvw_quoted(&w, NULL);
    tz_csvw_quoted(&w, "-x");
    tz_csvw_row_end(&w);
    tz_csvw_int(&w, -42);
    tz_csvw_int(&w, INT64_MAX);
    tz_csvw_fixed(&w, 50.06171249, 6);
    tz_csvw_fixed(&w, 62.25, 1); /* as printf rounds: to even from the binary value */
    tz_csvw_plain(&w, "");
    tz_csvw_plain(&w, "true");
    tz_csvw_row_end(&w);
    assert_int_equal(tz_csvw_end(&w), TZ_OK);
    assert_string_equal(b.data, "\"k\"\"1\",\"\",\"'-x\"\r\n"
                                "-42,9223372036854775807,50.061712,62.2,,true\r\n");
    tz_buf_free(&b);
}

static void the_first_error_sticks(void **state)
{
    (void)state;
    struct tz_buf b;
    struct tz_csvw w;
    tz_buf_init(&b, 12); /* room for "abc,de", ",x" and a row end, not for the long one */
    tz_csvw_begin(&w, &b);
    tz_csvw_text(&w, "abc");
    tz_csvw_text(&w, "de");
    assert_int_equal(tz_csvw_end(&w), TZ_OK);
    tz_csvw_text(&w, "too long for the buffer");
    tz_err first = tz_csvw_end(&w);
    assert_int_not_equal(first, TZ_OK);
    size_t len = b.len; /* "abc,de" and at most the failed field's comma */
    assert_true(len <= 7);
    assert_memory_equal(b.data, "abc,de", 6);
    tz_csvw_text(&w, "x"); /* would fit, but the writer has stopped */
    tz_csvw_row_end(&w);
    assert_int_equal(tz_csvw_end(&w), first);
    assert_int_equal(b.len, len);
    tz_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields_are_quoted_only_where_needed),
        cmocka_unit_test(formulas_are_defused),
        cmocka_unit_test(quoted_numbers_and_rows),
        cmocka_unit_test(the_first_error_sticks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
