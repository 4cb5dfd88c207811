/*
 * forwarded.c - who the client is behind the trusted proxy: the last element
 * of X-Forwarded-For or of Forwarded (RFC 7239).
 *
 * A proxy adds the address it received the request from at the end of the
 * list, either on the client's own header line or on a line of its own;
 * everything before that element was written by the client and proves
 * nothing. So every line of a header is read as one comma-separated list
 * (RFC 9110 section 5.3, empty elements ignored) and only the last element
 * counts: it is never skipped for an earlier one, whatever it holds.
 *
 * Forwarded is parsed whole, quoted strings included, so that a quote the
 * client left open cannot swallow the element the proxy appended: a line that
 * does not parse makes the request's client unknowable (HTTP_FWD_BAD). The
 * `for` node of the last element may be an IPv4 address, a bracketed IPv6
 * address (quoted, "[2001:db8::1]:4711"), either with a port, or "unknown" or
 * an obfuscated identifier ("_hidden"): the proxy knows or tells no address
 * (HTTP_FWD_HIDDEN). guard.c decides what each answer means (docs/security.md).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "http/internal.h"

#define FOR_NODE_MAX 96 /* a `for` value, unquoted: "[" IPv6 "]:" port and room to spare */

static bool tchar(char c)
{
    return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Whether s[0..n) is an obfuscated identifier or port: "_" then ALPHA / DIGIT / "." "_" "-". */
static bool obfuscated(const char *s, size_t n)
{
    if (n < 2 || s[0] != '_')
        return false;
    for (size_t i = 1; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
            return false;
    return true;
}

/* Whether s[0..n) is a node-port: 1 to 5 digits, or obfuscated. */
static bool node_port(const char *s, size_t n)
{
    if (obfuscated(s, n))
        return true;
    if (n < 1 || n > 5)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* Reads a `for` node (RFC 7239 section 6): an address, or hidden, or bad. */
static enum http_fwd read_node(const char *s, size_t n, struct tz_netaddr *out)
{
    const char *port = NULL;
    size_t name_len = n;
    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close)
            return HTTP_FWD_BAD;
        size_t after = n - (size_t)(close + 1 - s);
        if (after && (close[1] != ':' || !node_port(close + 2, after - 1)))
            return HTTP_FWD_BAD;
        if (tz_netaddr_parse(s + 1, (size_t)(close - s - 1), out) != TZ_OK ||
            !memchr(s, ':', (size_t)(close - s)))
            return HTTP_FWD_BAD; /* brackets hold an IPv6 address (mapped IPv4 included) */
        return HTTP_FWD_ADDRESS;
    }
    const char *colon = memchr(s, ':', n);
    if (colon) {
        port = colon + 1;
        name_len = (size_t)(colon - s);
        if (!node_port(port, n - name_len - 1))
            return HTTP_FWD_BAD;
    }
    if ((name_len == 7 && strncasecmp(s, "unknown", 7) == 0) || obfuscated(s, name_len))
        return HTTP_FWD_HIDDEN;
    if (memchr(s, ':', name_len) || tz_netaddr_parse(s, name_len, out) != TZ_OK)
        return HTTP_FWD_BAD;
    return HTTP_FWD_ADDRESS;
}

/*
 * Reads a value (token or quoted string) at *pp into value (unquoted, at most
 * FOR_NODE_MAX - 1 bytes kept, *len set; longer is an error). False on a
 * syntax error.
 */
static bool read_value(const char **pp, char *value, size_t *len)
{
    const char *p = *pp;
    size_t n = 0;
    if (*p == '"') {
        for (p++; *p != '"'; p++) {
            if (*p == '\0')
                return false; /* unterminated */
            if (*p == '\\' && p[1])
                p++;
            if ((unsigned char)*p < 0x20 && *p != '\t')
                return false;
            if (n + 1 >= FOR_NODE_MAX)
                return false;
            value[n++] = *p;
        }
        p++;
    } else {
        for (; tchar(*p); p++) {
            if (n + 1 >= FOR_NODE_MAX)
                return false;
            value[n++] = *p;
        }
        if (n == 0)
            return false;
    }
    value[n] = '\0';
    *len = n;
    *pp = p;
    return true;
}

/*
 * Parses one Forwarded line. On success *last says whether it held a
 * non-empty element; if so, has_for and node describe that element's `for`.
 */
static bool forwarded_line(const char *line, bool *last, bool *has_for, char *node,
                           size_t *node_len)
{
    const char *p = skip_ows(line);
    *last = false;
    bool in_element = false, element_for = false;
    char value[FOR_NODE_MAX];
    char element_node[FOR_NODE_MAX];
    size_t element_len = 0;
    for (;;) {
        p = skip_ows(p);
        if (*p == '\0' || *p == ',') { /* an element ends */
            if (in_element) {
                *last = true;
                *has_for = element_for;
                memcpy(node, element_node, element_len + 1);
                *node_len = element_len;
            }
            in_element = element_for = false;
            if (*p == '\0')
                return true;
            p++;
            continue;
        }
        if (*p == ';') { /* empty pairs are allowed */
            p++;
            continue;
        }
        const char *name = p;
        while (tchar(*p))
            p++;
        size_t name_len = (size_t)(p - name);
        if (name_len == 0 || *p != '=')
            return false;
        p++;
        size_t len = 0;
        if (!read_value(&p, value, &len))
            return false;
        in_element = true;
        if (name_len == 3 && strncasecmp(name, "for", 3) == 0) {
            if (element_for)
                return false; /* a parameter occurs once per element */
            element_for = true;
            memcpy(element_node, value, len + 1);
            element_len = len;
        }
        p = skip_ows(p);
        if (*p == ';')
            p++;
        else if (*p != ',' && *p != '\0')
            return false;
    }
}

enum http_fwd http_forwarded_last(const char *const *lines, size_t n, struct tz_netaddr *out)
{
    bool found = false, has_for = false;
    char node[FOR_NODE_MAX] = "";
    size_t node_len = 0;
    for (size_t i = 0; i < n; i++) { /* every line parses, or the list is not trusted */
        bool last = false, line_for = false;
        char line_node[FOR_NODE_MAX];
        size_t line_len = 0;
        if (!forwarded_line(lines[i], &last, &line_for, line_node, &line_len))
            return HTTP_FWD_BAD;
        if (last) {
            found = true;
            has_for = line_for;
            memcpy(node, line_node, line_len + 1);
            node_len = line_len;
        }
    }
    if (!found || !has_for)
        return HTTP_FWD_BAD; /* the proxy's element must name the client */
    return read_node(node, node_len, out);
}

enum http_fwd http_xff_last(const char *const *lines, size_t n, struct tz_netaddr *out)
{
    for (size_t i = n; i-- > 0;) {
        const char *line = lines[i];
        size_t end = strlen(line);
        while (end > 0) { /* the line's elements from the last, empty ones skipped */
            size_t start = end;
            while (start > 0 && line[start - 1] != ',')
                start--;
            const char *e = skip_ows(line + start);
            size_t len = (size_t)(line + end - e);
            while (len > 0 && (e[len - 1] == ' ' || e[len - 1] == '\t'))
                len--;
            if (len > 0)
                return tz_netaddr_parse(e, len, out) == TZ_OK ? HTTP_FWD_ADDRESS : HTTP_FWD_BAD;
            end = start > 0 ? start - 1 : 0;
        }
    }
    return HTTP_FWD_BAD; /* the header is there but names no one */
}
