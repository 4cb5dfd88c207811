/*
 * netaddr.h - client addresses as the abuse limits see them.
 *
 * A per-client limit must count a client once, however many addresses it
 * holds. An IPv4 client holds one address; an IPv6 client is usually given a
 * whole /64 (RFC 6177), so an IPv6 address is counted by its first bits (the
 * prefix, 64 unless configured). An IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * is the IPv4 address it maps.
 */
#ifndef TZ_BASE_NETADDR_H
#define TZ_BASE_NETADDR_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct sockaddr;

#define TZ_NETADDR_TEXT_MAX 46     /* an address as text, NUL included (INET6_ADDRSTRLEN) */
#define TZ_NETADDR_KEY_TEXT_MAX 52 /* a key's network as text: an address and "/128" */
#define TZ_NETADDR_KEY_LEN 17      /* a limit's key: the family and 16 bytes */
#define TZ_NETADDR_V6_PREFIX 64    /* the default prefix an IPv6 client is counted by */

struct tz_netaddr {
    int family;        /* AF_INET or AF_INET6; 0 for an unknown address */
    uint8_t bytes[16]; /* network order; the first 4 for AF_INET */
};

/* Reads one IPv4 or IPv6 literal of n bytes (no brackets, no port, no zone); an IPv4-mapped
 * IPv6 address reads as IPv4. TZ_EINVAL for anything else. */
tz_err tz_netaddr_parse(const char *s, size_t n, struct tz_netaddr *out);
/* The address of a socket address (AF_INET, AF_INET6); TZ_EINVAL for another family. */
tz_err tz_netaddr_from_sockaddr(const struct sockaddr *sa, struct tz_netaddr *out);
/* Whether a and b are the same address. */
int tz_netaddr_equal(const struct tz_netaddr *a, const struct tz_netaddr *b);
/* The address as inet_ntop writes it ("" for an unknown one); size >= TZ_NETADDR_TEXT_MAX. */
void tz_netaddr_format(const struct tz_netaddr *a, char *out, size_t size);
/*
 * The key a per-client limit counts a under: an IPv4 address whole, an IPv6
 * address by its first v6_prefix bits (1 to 128; outside, 64). Two addresses
 * share a key exactly when a limit must count them as one client.
 */
void tz_netaddr_key(const struct tz_netaddr *a, unsigned v6_prefix,
                    uint8_t key[TZ_NETADDR_KEY_LEN]);
/* The network a key stands for, as text: "192.0.2.1", "2001:db8:1:2::/64" (a whole IPv6 address
 * without "/128"); size >= TZ_NETADDR_KEY_TEXT_MAX. */
void tz_netaddr_key_text(const struct tz_netaddr *a, unsigned v6_prefix, char *out, size_t size);

#endif
