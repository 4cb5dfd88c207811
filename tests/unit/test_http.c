/*
 * Unit tests of src/http/forwarded.c: who the client is behind the trusted
 * proxy. The last element of X-Forwarded-For or Forwarded counts, all lines
 * read as one list; it is never skipped for an earlier one; Forwarded's
 * quoted strings and ports, "unknown" and obfuscated names; anything that
 * does not parse is HTTP_FWD_BAD (the server answers 400).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/internal.h"

/* What lines (NULL-ended) say; the address named, as text, in out. */
static enum http_fwd said(bool forwarded, const char *const *lines, char *out)
{
    size_t n = 0;
    while (lines[n])
        n++;
    struct tz_netaddr a = {0};
    enum http_fwd r = forwarded ? http_forwarded_last(lines, n, &a) : http_xff_last(lines, n, &a);
    tz_netaddr_format(&a, out, TZ_NETADDR_TEXT_MAX);
    return r;
}

#define XFF(expect, addr, ...)                                                                     \
    do {                                                                                           \
        const char *lines_[] = {__VA_ARGS__, NULL};                                                \
        char got_[TZ_NETADDR_TEXT_MAX];                                                            \
        assert_int_equal(said(false, lines_, got_), expect);                                       \
        if (expect == HTTP_FWD_ADDRESS)                                                            \
            assert_string_equal(got_, addr);                                                       \
    } while (0)

#define FWD(expect, addr, ...)                                                                     \
    do {                                                                                           \
        const char *lines_[] = {__VA_ARGS__, NULL};                                                \
        char got_[TZ_NETADDR_TEXT_MAX];                                                            \
        assert_int_equal(said(true, lines_, got_), expect);                                        \
        if (expect == HTTP_FWD_ADDRESS)                                                            \
            assert_string_equal(got_, addr);                                                       \
    } while (0)

static void x_forwarded_for_is_one_list_of_all_its_lines(void **state)
{
    (void)state;
    XFF(HTTP_FWD_ADDRESS, "203.0.113.9", "203.0.113.9");
    XFF(HTTP_FWD_ADDRESS, "203.0.113.9", "10.0.0.1, 203.0.113.9");
    XFF(HTTP_FWD_ADDRESS, "203.0.113.9", "10.0.0.1", "203.0.113.9"); /* the proxy's own line */
    XFF(HTTP_FWD_ADDRESS, "203.0.113.9", "1.1.1.1, 2.2.2.2", "\t203.0.113.9 ");
    XFF(HTTP_FWD_ADDRESS, "203.0.113.9", "10.0.0.1", "203.0.113.9,, ,"); /* empty elements */
    XFF(HTTP_FWD_ADDRESS, "203.0.113.9", "203.0.113.9", ""); /* an empty line adds nothing */
    XFF(HTTP_FWD_ADDRESS, "2001:db8::7", "198.51.100.1", "2001:DB8:0::7");
    XFF(HTTP_FWD_ADDRESS, "198.51.100.1", "::ffff:198.51.100.1");
    /* The last element is never skipped for an earlier one, whatever it is. */
    XFF(HTTP_FWD_BAD, NULL, "203.0.113.9", "unknown");
    XFF(HTTP_FWD_BAD, NULL, "203.0.113.9, junk");
    XFF(HTTP_FWD_BAD, NULL, "203.0.113.9:4711");
    XFF(HTTP_FWD_BAD, NULL, "[2001:db8::7]");
    XFF(HTTP_FWD_BAD, NULL, ", ,");
    XFF(HTTP_FWD_BAD, NULL, "");
}

static void forwarded_takes_the_last_elements_for(void **state)
{
    (void)state;
    FWD(HTTP_FWD_ADDRESS, "192.0.2.60", "for=192.0.2.60;proto=http;by=203.0.113.43");
    FWD(HTTP_FWD_ADDRESS, "192.0.2.43", "for=198.51.100.17, for=192.0.2.43");
    FWD(HTTP_FWD_ADDRESS, "192.0.2.43", "for=198.51.100.17",
        "For=192.0.2.43"); /* names: any case */
    FWD(HTTP_FWD_ADDRESS, "2001:db8:cafe::17", "for=\"[2001:db8:cafe::17]:4711\"");
    FWD(HTTP_FWD_ADDRESS, "2001:db8:cafe::17", "for=\"[2001:db8:cafe::17]\"");
    FWD(HTTP_FWD_ADDRESS, "192.0.2.43", "for=\"192.0.2.43:47011\"");
    FWD(HTTP_FWD_ADDRESS, "192.0.2.43", "for=\"192.0.2.43:_port\"");
    FWD(HTTP_FWD_ADDRESS, "192.0.2.43", "proto=https ; for=192.0.2.43 ;by=_p");
    FWD(HTTP_FWD_ADDRESS, "192.0.2.43", "for=1.1.1.1, , for=192.0.2.43,"); /* empty elements */
    FWD(HTTP_FWD_ADDRESS, "192.0.2.43", "for=\"a, for=1.1.1.1\", for=192.0.2.43"); /* quoted , */
    FWD(HTTP_FWD_ADDRESS, "192.0.2.43", "for=\"192.0.2\\.43\""); /* a quoted pair */
    /* unknown and obfuscated: the proxy names no address. */
    FWD(HTTP_FWD_HIDDEN, NULL, "for=192.0.2.60, for=unknown");
    FWD(HTTP_FWD_HIDDEN, NULL, "for=UNKNOWN");
    FWD(HTTP_FWD_HIDDEN, NULL, "for=_hidden");
    FWD(HTTP_FWD_HIDDEN, NULL, "for=\"_SEVKISEK:_p4\"");
    FWD(HTTP_FWD_HIDDEN, NULL, "for=\"unknown:4711\"");
}

static void forwarded_that_does_not_parse_is_bad(void **state)
{
    (void)state;
    FWD(HTTP_FWD_BAD, NULL, "for=\"[2001:db8::1]:4711");        /* an open quote ... */
    FWD(HTTP_FWD_BAD, NULL, "for=\"1.1.1.1", "for=192.0.2.43"); /* ... on any line */
    FWD(HTTP_FWD_BAD, NULL, "for=192.0.2.43, proto=https");     /* the last element has no for */
    FWD(HTTP_FWD_BAD, NULL, "for=192.0.2.43;for=192.0.2.44");
    FWD(HTTP_FWD_BAD, NULL, "for=[2001:db8::1]"); /* brackets are not a token */
    FWD(HTTP_FWD_BAD, NULL, "for=\"2001:db8::1\"");
    FWD(HTTP_FWD_BAD, NULL, "for=\"[192.0.2.43]\"");
    FWD(HTTP_FWD_BAD, NULL, "for=\"[2001:db8::1]:123456\"");
    FWD(HTTP_FWD_BAD, NULL, "for=\"[2001:db8::1]x\"");
    FWD(HTTP_FWD_BAD, NULL, "for=\"192.0.2.43:\"");
    FWD(HTTP_FWD_BAD, NULL, "for=example.com");
    FWD(HTTP_FWD_BAD, NULL, "for=_");
    FWD(HTTP_FWD_BAD, NULL, "for=");
    FWD(HTTP_FWD_BAD, NULL, "for 192.0.2.43");
    FWD(HTTP_FWD_BAD, NULL, "=192.0.2.43");
    FWD(HTTP_FWD_BAD, NULL, "for=192.0.2.43 by=x");
    FWD(HTTP_FWD_BAD, NULL, "");
    FWD(HTTP_FWD_BAD, NULL, ",,");
    FWD(HTTP_FWD_BAD, NULL, "for=\"\x01\"");
    char longer[200] = "for=\"";
    memset(longer + 5, 'a', 150);
    memcpy(longer + 155, "\"", 2);
    FWD(HTTP_FWD_BAD, NULL, longer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(x_forwarded_for_is_one_list_of_all_its_lines),
        cmocka_unit_test(forwarded_takes_the_last_elements_for),
        cmocka_unit_test(forwarded_that_does_not_parse_is_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
