/*
 * netaddr.c - client addresses read, written and masked to the network a
 * limit counts them by (netaddr.h). inet_pton and inet_ntop do the reading
 * and writing; this file adds the IPv4-mapped form and the masking.
 */
#include "base/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Sets out from 16 bytes of an IPv6 address, folding an IPv4-mapped one to IPv4. */
static void from_v6(const uint8_t bytes[16], struct tz_netaddr *out)
{
    memset(out, 0, sizeof *out);
    if (memcmp(bytes, v4_mapped, sizeof v4_mapped) == 0) {
        out->family = AF_INET;
        memcpy(out->bytes, bytes + 12, 4);
    } else {
        out->family = AF_INET6;
        memcpy(out->bytes, bytes, 16);
    }
}

tz_err tz_netaddr_parse(const char *s, size_t n, struct tz_netaddr *out)
{
    char text[TZ_NETADDR_TEXT_MAX];
    memset(out, 0, sizeof *out);
    if (n == 0 || n >= sizeof text || memchr(s, '\0', n))
        return TZ_EINVAL;
    memcpy(text, s, n);
    text[n] = '\0';
    uint8_t bin[16];
    if (inet_pton(AF_INET, text, bin) == 1) {
        out->family = AF_INET;
        memcpy(out->bytes, bin, 4);
        return TZ_OK;
    }
    if (inet_pton(AF_INET6, text, bin) == 1) {
        from_v6(bin, out);
        return TZ_OK;
    }
    return TZ_EINVAL;
}

tz_err tz_netaddr_from_sockaddr(const struct sockaddr *sa, struct tz_netaddr *out)
{
    memset(out, 0, sizeof *out);
    if (!sa)
        return TZ_EINVAL;
    if (sa->sa_family == AF_INET) {
        struct sockaddr_in in;
        memcpy(&in, sa, sizeof in);
        out->family = AF_INET;
        memcpy(out->bytes, &in.sin_addr, 4);
        return TZ_OK;
    }
    if (sa->sa_family == AF_INET6) {
        struct sockaddr_in6 in6;
        memcpy(&in6, sa, sizeof in6);
        from_v6(in6.sin6_addr.s6_addr, out);
        return TZ_OK;
    }
    return TZ_EINVAL;
}

int tz_netaddr_equal(const struct tz_netaddr *a, const struct tz_netaddr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}

void tz_netaddr_format(const struct tz_netaddr *a, char *out, size_t size)
{
    if (size == 0)
        return;
    out[0] = '\0';
    if ((a->family != AF_INET && a->family != AF_INET6) ||
        !inet_ntop(a->family, a->bytes, out, (socklen_t)size))
        out[0] = '\0';
}

/* The prefix an IPv6 address is counted by: v6_prefix, or the default when out of range. */
static unsigned prefix_of(unsigned v6_prefix)
{
    return v6_prefix >= 1 && v6_prefix <= 128 ? v6_prefix : TZ_NETADDR_V6_PREFIX;
}

/* a with every bit past its family's counted prefix cleared. */
static struct tz_netaddr masked(const struct tz_netaddr *a, unsigned v6_prefix)
{
    struct tz_netaddr m = *a;
    if (m.family == AF_INET) {
        memset(m.bytes + 4, 0, 12);
        return m;
    }
    if (m.family != AF_INET6) {
        memset(&m, 0, sizeof m);
        return m;
    }
    unsigned bits = prefix_of(v6_prefix);
    unsigned whole = bits / 8, rest = bits % 8;
    if (rest)
        m.bytes[whole++] &= (uint8_t)(0xffu << (8 - rest));
    memset(m.bytes + whole, 0, 16 - whole);
    return m;
}

void tz_netaddr_key(const struct tz_netaddr *a, unsigned v6_prefix, uint8_t key[TZ_NETADDR_KEY_LEN])
{
    struct tz_netaddr m = masked(a, v6_prefix);
    key[0] = m.family == AF_INET ? 4 : m.family == AF_INET6 ? 6 : 0;
    memcpy(key + 1, m.bytes, 16);
}

void tz_netaddr_key_text(const struct tz_netaddr *a, unsigned v6_prefix, char *out, size_t size)
{
    struct tz_netaddr m = masked(a, v6_prefix);
    char text[TZ_NETADDR_TEXT_MAX];
    tz_netaddr_format(&m, text, sizeof text);
    unsigned bits = prefix_of(v6_prefix);
    if (m.family == AF_INET6 && bits < 128)
        snprintf(out, size, "%s/%u", text, bits);
    else
        snprintf(out, size, "%s", text);
}
