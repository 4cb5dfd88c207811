/* Unit tests of base/jsonw: the one JSON writer (commas, escapes, sticky errors, misuse). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "base/jsonw.h"

static void writes_nested_documents_with_commas(void **state)
{
    struct tz_buf b;
    struct tz_jw w;
    tz_buf_init(&b, 1024);
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kint(&w, "id", -42);
    tz_jw_kstr(&w, "name", "Wałęsa \"L\"\n");
    tz_jw_kstr(&w, "none", NULL);
    tz_jw_key(&w, "list");
    tz_jw_array(&w);
    tz_jw_uint(&w, 1);
    tz_jw_bool(&w, true);
    tz_jw_object(&w);
    tz_jw_object_end(&w);
    tz_jw_array(&w);
    tz_jw_array_end(&w);
    tz_jw_fixed6(&w, 50.0614);
    tz_jw_double(&w, NAN);
    tz_jw_array_end(&w);
    tz_jw_ktime(&w, "at", 0);
    tz_jw_ktime(&w, "t", 1765000000);
    tz_jw_key(&w, "raw");
    tz_jw_raw(&w, "[1,2]", 5);
    tz_jw_object_end(&w);
    assert_int_equal(tz_jw_end(&w), TZ_OK);
    assert_string_equal(b.data, "{\"id\":-42,\"name\":\"Wałęsa \\\"L\\\"\\n\",\"none\":null,"
                                "\"list\":[1,true,{},[],50.061400,null],\"at\":null,"
                                "\"t\":\"2025-12-06T05:46:40Z\",\"raw\":[1,2]}");
    tz_buf_free(&b);
}

/* A double is written in the fewest digits that read back as the same number (jsonw.h). */
static void doubles_are_written_shortest(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        {0.934, "[0.934]"}, {50.0617, "[50.0617]"}, {0.1 + 0.2, "[0.30000000000000004]"},
        {-19.5, "[-19.5]"}, {1e-300, "[1e-300]"},   {0, "[0]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tz_buf b;
        struct tz_jw w;
        tz_buf_init(&b, 64);
        tz_jw_begin(&w, &b);
        tz_jw_array(&w);
        tz_jw_double(&w, cases[i].v);
        tz_jw_array_end(&w);
        assert_int_equal(tz_jw_end(&w), TZ_OK);
        assert_string_equal(b.data, cases[i].text);
        tz_buf_free(&b);
    }
}

static void the_smallest_integer_is_written_whole(void **state)
{
    struct tz_buf b;
    struct tz_jw w;
    tz_buf_init(&b, 64);
    tz_jw_begin(&w, &b);
    tz_jw_int(&w, INT64_MIN);
    assert_int_equal(tz_jw_end(&w), TZ_OK);
    assert_string_equal(b.data, "-9223372036854775808");
    tz_buf_free(&b);
}

/* The first failure sticks: nothing after it is written, and it comes back at the end. */
static void the_first_error_sticks(void **state)
{
    struct tz_buf b;
    struct tz_jw w;
    tz_buf_init(&b, 12);
    tz_jw_begin(&w, &b);
    tz_jw_array(&w);
    tz_jw_str(&w, "0123456789abc"); /* passes the maximum */
    tz_jw_int(&w, 1);
    tz_jw_array_end(&w);
    assert_int_equal(tz_jw_end(&w), TZ_ETOOBIG);
    assert_string_equal(b.data, "[");
    tz_buf_free(&b);
}

/* Each misuse is an error, never a broken document passed on as JSON. */
static void misuse_is_an_error(void **state)
{
    struct tz_buf b;
    struct tz_jw w;
    tz_buf_init(&b, 256);

    tz_jw_begin(&w, &b); /* a value in an object without its key */
    tz_jw_object(&w);
    tz_jw_int(&w, 1);
    assert_int_equal(tz_jw_end(&w), TZ_EINVAL);

    tz_buf_reset(&b); /* a key in an array */
    tz_jw_begin(&w, &b);
    tz_jw_array(&w);
    tz_jw_key(&w, "k");
    assert_int_equal(tz_jw_end(&w), TZ_EINVAL);

    tz_buf_reset(&b); /* closing what was not opened */
    tz_jw_begin(&w, &b);
    tz_jw_array(&w);
    tz_jw_object_end(&w);
    assert_int_equal(tz_jw_end(&w), TZ_EINVAL);

    tz_buf_reset(&b); /* left open */
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    assert_int_equal(tz_jw_end(&w), TZ_EINVAL);

    tz_buf_reset(&b); /* a key without its value */
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_key(&w, "k");
    tz_jw_object_end(&w);
    assert_int_equal(tz_jw_end(&w), TZ_EINVAL);

    tz_buf_reset(&b); /* two values at the top */
    tz_jw_begin(&w, &b);
    tz_jw_int(&w, 1);
    tz_jw_int(&w, 2);
    assert_int_equal(tz_jw_end(&w), TZ_EINVAL);

    tz_buf_reset(&b); /* nothing at all */
    tz_jw_begin(&w, &b);
    assert_int_equal(tz_jw_end(&w), TZ_EINVAL);

    tz_buf_reset(&b); /* deeper than the writer allows */
    tz_jw_begin(&w, &b);
    for (int i = 0; i <= TZ_JW_DEPTH; i++)
        tz_jw_array(&w);
    assert_int_equal(tz_jw_end(&w), TZ_EINVAL);
    tz_buf_free(&b);
}

/* Writes v (n numbers) with tz_jw_fixed6_array, or as an array of tz_jw_fixed6, in an object. */
static void numbers_document(bool fast, const double *v, size_t n, struct tz_buf *b)
{
    struct tz_jw w;
    tz_buf_init(b, 4096);
    tz_jw_begin(&w, b);
    tz_jw_object(&w);
    tz_jw_kint(&w, "before", 1);
    tz_jw_key(&w, "v");
    if (fast) {
        tz_jw_fixed6_array(&w, v, n);
    } else {
        tz_jw_array(&w);
        for (size_t i = 0; i < n; i++)
            tz_jw_fixed6(&w, v[i]);
        tz_jw_array_end(&w);
    }
    tz_jw_key(&w, "list"); /* and as elements of an array, after another one */
    tz_jw_array(&w);
    for (int k = 0; k < 2; k++) {
        if (fast) {
            tz_jw_fixed6_array(&w, v, n);
        } else {
            tz_jw_array(&w);
            for (size_t i = 0; i < n; i++)
                tz_jw_fixed6(&w, v[i]);
            tz_jw_array_end(&w);
        }
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    assert_int_equal(tz_jw_end(&w), TZ_OK);
}

/* The coordinates' one-step call writes what the array of single numbers writes, fast or not. */
static void fixed6_array_writes_what_single_numbers_write(void **state)
{
    static const double pair[] = {19.937123449, -0.0000001};
    static const double ring[] = {1.5, 50.0614, -180, 90, 2e12, NAN}; /* too many, too big, NaN */
    static const double none[] = {0};
    struct {
        const double *v;
        size_t n;
    } cases[] = {{pair, 2}, {ring, 4}, {ring, 6}, {none, 0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct tz_buf fast, slow;
        numbers_document(true, cases[c].v, cases[c].n, &fast);
        numbers_document(false, cases[c].v, cases[c].n, &slow);
        assert_string_equal(fast.data, slow.data);
        tz_buf_free(&fast);
        tz_buf_free(&slow);
    }
    struct tz_buf b;
    numbers_document(true, pair, 2, &b);
    assert_string_equal(b.data, "{\"before\":1,\"v\":[19.937123,0.000000],"
                                "\"list\":[[19.937123,0.000000],[19.937123,0.000000]]}");
    tz_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_nested_documents_with_commas),
        cmocka_unit_test(doubles_are_written_shortest),
        cmocka_unit_test(the_smallest_integer_is_written_whole),
        cmocka_unit_test(the_first_error_sticks),
        cmocka_unit_test(misuse_is_an_error),
        cmocka_unit_test(fixed6_array_writes_what_single_numbers_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
