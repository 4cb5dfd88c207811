/*
 * Unit tests of src/base/netaddr: the key a per-client limit counts an
 * address by. Addresses of one IPv6 /64 share a key, of different /64s do
 * not; an IPv4-mapped IPv6 address is its IPv4 address; IPv4 addresses each
 * have their own; the prefix is configurable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "base/netaddr.h"

/* The key of text under prefix. */
static void key_of(const char *text, unsigned prefix, uint8_t key[TZ_NETADDR_KEY_LEN])
{
    struct tz_netaddr a;
    assert_int_equal(tz_netaddr_parse(text, strlen(text), &a), TZ_OK);
    tz_netaddr_key(&a, prefix, key);
}

static int same_key(const char *x, const char *y, unsigned prefix)
{
    uint8_t kx[TZ_NETADDR_KEY_LEN], ky[TZ_NETADDR_KEY_LEN];
    key_of(x, prefix, kx);
    key_of(y, prefix, ky);
    return memcmp(kx, ky, sizeof kx) == 0;
}

static void one_ipv6_network_is_one_client(void **state)
{
    (void)state;
    assert_true(same_key("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", 64));
    assert_true(same_key("2001:DB8:1:2::1", "2001:db8:0001:0002:0:0:0:0", 64)); /* spellings */
    assert_false(same_key("2001:db8:1:2::1", "2001:db8:1:3::1", 64));
    assert_false(same_key("2001:db8:1:2::1", "2001:db9:1:2::1", 64));
    /* The prefix is configuration: a /56, the whole address, an odd number of bits. */
    assert_true(same_key("2001:db8:1:200::1", "2001:db8:1:2ff::1", 56));
    assert_false(same_key("2001:db8:1:200::1", "2001:db8:1:300::1", 56));
    assert_false(same_key("2001:db8:1:2::1", "2001:db8:1:2::2", 128));
    assert_true(same_key("2001:db8:1:2::1", "2001:db8:1:2::1", 128));
    assert_true(same_key("2001:db8::", "2001:db8:1f::", 43));
    assert_false(same_key("2001:db8::", "2001:db8:20::", 43));
    /* Out of range: the default /64. */
    assert_true(same_key("2001:db8:1:2::1", "2001:db8:1:2::2", 0));
    assert_true(same_key("2001:db8:1:2::1", "2001:db8:1:2::2", 129));
}

static void ipv4_is_counted_by_the_whole_address(void **state)
{
    (void)state;
    assert_false(same_key("198.51.100.7", "198.51.100.8", 64));
    assert_false(same_key("198.51.100.7", "198.51.100.8", 1)); /* the IPv6 prefix is not used */
    assert_true(same_key("198.51.100.7", "198.51.100.7", 64));
    /* An IPv4-mapped IPv6 address is the IPv4 address; other IPv6 forms of it are not. */
    assert_true(same_key("::ffff:198.51.100.7", "198.51.100.7", 64));
    assert_true(same_key("::FFFF:c633:6407", "198.51.100.7", 128));
    assert_false(same_key("::ffff:198.51.100.7", "::ffff:198.51.100.8", 64));
    assert_false(same_key("::198.51.100.7", "198.51.100.7", 64));
    assert_false(same_key("64:ff9b::198.51.100.7", "198.51.100.7", 64));
    struct tz_netaddr a;
    char text[TZ_NETADDR_TEXT_MAX];
    assert_int_equal(tz_netaddr_parse("::ffff:198.51.100.7", 19, &a), TZ_OK);
    tz_netaddr_format(&a, text, sizeof text);
    assert_string_equal(text, "198.51.100.7");
    /* From a socket address too. */
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, "::ffff:198.51.100.7", &in6.sin6_addr);
    struct tz_netaddr b;
    assert_int_equal(tz_netaddr_from_sockaddr((struct sockaddr *)&in6, &b), TZ_OK);
    assert_true(tz_netaddr_equal(&a, &b));
}

static void key_text_names_the_network(void **state)
{
    (void)state;
    struct tz_netaddr a;
    char text[TZ_NETADDR_KEY_TEXT_MAX];
    assert_int_equal(tz_netaddr_parse("2001:db8:1:2:3:4:5:6", 20, &a), TZ_OK);
    tz_netaddr_key_text(&a, 64, text, sizeof text);
    assert_string_equal(text, "2001:db8:1:2::/64");
    tz_netaddr_key_text(&a, 128, text, sizeof text);
    assert_string_equal(text, "2001:db8:1:2:3:4:5:6");
    assert_int_equal(tz_netaddr_parse("203.0.113.9", 11, &a), TZ_OK);
    tz_netaddr_key_text(&a, 64, text, sizeof text);
    assert_string_equal(text, "203.0.113.9");
}

static void only_address_literals_parse(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "unknown",
        "_hidden",
        "203.0.113.9:80",
        "[2001:db8::1]",
        "2001:db8::1%eth0",
        "203.0.113",
        "203.0.113.9 ",
        "0x7f.1",
        "2001:db8::1/64",
    };
    struct tz_netaddr a;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tz_netaddr_parse(bad[i], strlen(bad[i]), &a), TZ_EINVAL);
    assert_int_equal(tz_netaddr_parse("203.0.113.9\0x", 13, &a), TZ_EINVAL); /* a NUL inside */
    assert_int_equal(tz_netaddr_parse("203.0.113.99", 11, &a), TZ_OK);       /* n bytes only */
    char text[TZ_NETADDR_TEXT_MAX];
    tz_netaddr_format(&a, text, sizeof text);
    assert_string_equal(text, "203.0.113.9");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_ipv6_network_is_one_client),
        cmocka_unit_test(ipv4_is_counted_by_the_whole_address),
        cmocka_unit_test(key_text_names_the_network),
        cmocka_unit_test(only_address_literals_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
