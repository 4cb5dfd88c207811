/*
 * Unit tests of base/xml: escaping, the characters XML 1.0 does not allow,
 * and the writer's sticky first error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/xml.h"

static void escape(const char *in, size_t n, const char *expected)
{
    struct tz_buf b;
    tz_buf_init(&b, 1024);
    assert_int_equal(tz_buf_xml_escape(&b, in, n), TZ_OK);
    assert_string_equal(b.data ? b.data : "", expected);
    tz_buf_free(&b);
}

static void markup_characters_are_escaped(void **state)
{
    escape("a<b>&\"c'", 8, "a&lt;b&gt;&amp;&quot;c&apos;");
    escape("", 0, "");
    escape("plain", 5, "plain");
    escape("Żółć", strlen("Żółć"), "Żółć");            /* UTF-8 passes as it is */
    escape("\xF0\x9F\x9A\x93", 4, "\xF0\x9F\x9A\x93"); /* U+1F693, four bytes */
}

static void line_breaks_survive_and_controls_do_not(void **state)
{
    escape("a\r\nb\tc", 6, "a&#13;\nb\tc"); /* CR kept as a reference, or a parser drops it */
    escape("a\x01"
           "b\x1f",
           4,
           "a\xEF\xBF\xBD"
           "b\xEF\xBF\xBD");
    escape("a\0b", 3,
           "a\xEF\xBF\xBD"
           "b");
}

static void invalid_utf8_becomes_replacement_characters(void **state)
{
    escape("\xC3", 1, "\xEF\xBF\xBD");                                 /* cut short */
    escape("\xC0\xAF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD");                 /* overlong '/' */
    escape("\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* a surrogate */
    escape("\xEF\xBF\xBE", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* U+FFFE */
    escape("\xF5\x80\x80\x80", 4,
           "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); /* past U+10FFFF */
}

static void a_document_reads_as_written(void **state)
{
    struct tz_buf b;
    struct tz_xml x;
    tz_buf_init(&b, 1024);
    tz_xml_begin(&x, &b);
    tz_xml_open(&x, "errors");
    tz_xml_open(&x, "error");
    tz_xml_printf(&x, "code", "%d", 404);
    tz_xml_text(&x, "description", "no <such> thing");
    tz_xml_text(&x, "empty", NULL);
    tz_xml_close(&x, "error");
    tz_xml_close(&x, "errors");
    assert_int_equal(tz_xml_finish(&x), TZ_OK);
    assert_string_equal(b.data, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<errors><error>"
                                "<code>404</code><description>no &lt;such&gt; thing</description>"
                                "<empty/></error></errors>");
    tz_buf_free(&b);
}

static void the_first_error_sticks(void **state)
{
    struct tz_buf b;
    struct tz_xml x;
    tz_buf_init(&b, 50); /* the declaration alone is 39 bytes */
    tz_xml_begin(&x, &b);
    tz_xml_text(&x, "description", "far more text than the buffer may hold");
    size_t len = b.len;
    tz_xml_open(&x, "a");
    tz_xml_close(&x, "a");
    assert_int_equal(tz_xml_finish(&x), TZ_ETOOBIG);
    assert_int_equal(b.len, len); /* nothing written after the failure */
    tz_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(markup_characters_are_escaped),
        cmocka_unit_test(line_breaks_survive_and_controls_do_not),
        cmocka_unit_test(invalid_utf8_becomes_replacement_characters),
        cmocka_unit_test(a_document_reads_as_written),
        cmocka_unit_test(the_first_error_sticks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
