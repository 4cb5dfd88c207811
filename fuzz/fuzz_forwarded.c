/*
 * fuzz_forwarded.c - libFuzzer harness of the forwarding headers' readers
 * (http_xff_last, http_forwarded_last in src/http/forwarded.c). The input's
 * first byte picks the header (even: X-Forwarded-For, odd: Forwarded); the
 * rest is its lines, split at line feeds (at most 16).
 *
 * What must hold, beyond "no crash, no undefined behaviour":
 *   - an address named is IPv4 or IPv6 (never an IPv4-mapped IPv6 one) and
 *     reads back from its own text;
 *   - what the client writes before the proxy's line changes nothing: one
 *     more line in front (a copy of the first for X-Forwarded-For, a
 *     well-formed element for Forwarded) gives the same answer and the same
 *     address, unless the lines hold no element at all.
 */
#include <sys/socket.h>

#include "check.h"
#include "http/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LINES_MAX 16

static enum http_fwd read_lines(bool forwarded, const char *const *lines, size_t n,
                                struct tz_netaddr *out)
{
    memset(out, 0, sizeof *out);
    return forwarded ? http_forwarded_last(lines, n, out) : http_xff_last(lines, n, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool forwarded = data[0] & 1;
    char *text = malloc(size);
    FUZZ_CHECK(text != NULL, "out of memory");
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    const char *lines[LINES_MAX + 1];
    size_t n = 1;
    lines[1] = text; /* lines[0] is kept for the client's line in front */
    for (char *p = text; (p = strchr(p, '\n')) && n < LINES_MAX; p++) {
        *p = '\0';
        lines[++n] = p + 1;
    }
    struct tz_netaddr a, b;
    enum http_fwd r = read_lines(forwarded, lines + 1, n, &a);
    FUZZ_CHECK(r == HTTP_FWD_ADDRESS || r == HTTP_FWD_HIDDEN || r == HTTP_FWD_BAD, "%d", r);
    FUZZ_CHECK(forwarded || r != HTTP_FWD_HIDDEN, "X-Forwarded-For has no hidden form");
    if (r == HTTP_FWD_ADDRESS) {
        FUZZ_CHECK(a.family == AF_INET || a.family == AF_INET6, "family %d", a.family);
        char addr[TZ_NETADDR_TEXT_MAX];
        tz_netaddr_format(&a, addr, sizeof addr);
        FUZZ_CHECK(tz_netaddr_parse(addr, strlen(addr), &b) == TZ_OK && tz_netaddr_equal(&a, &b),
                   "%s does not read back", addr);
        /* Mapped is ::ffff:0:0/96 by its bytes; "::ffff:fff:1600:109" only looks like it. */
        static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        FUZZ_CHECK(a.family == AF_INET || memcmp(a.bytes, v4_mapped, sizeof v4_mapped) != 0,
                   "mapped: %s", addr);
    }
    /* The client's own line in front: a copy of the first line for X-Forwarded-For, an element
     * claiming other addresses for Forwarded (a line that parses). Only where the lines hold no
     * element at all (the proxy added none) may the client's line count. */
    bool no_element = true;
    for (size_t i = 1; i <= n; i++)
        no_element = no_element && lines[i][strspn(lines[i], " \t,;")] == '\0';
    lines[0] = forwarded ? "for=198.51.100.1;proto=https, for=\"[2001:db8::1]:80\"" : lines[1];
    enum http_fwd again = read_lines(forwarded, lines, n + 1, &b);
    if (!(r == HTTP_FWD_BAD && no_element)) {
        FUZZ_CHECK(again == r, "a line in front changed the answer: %d, then %d", r, again);
        FUZZ_CHECK(r != HTTP_FWD_ADDRESS || tz_netaddr_equal(&a, &b),
                   "a line in front changed who");
    }
    free(text);
    return 0;
}
