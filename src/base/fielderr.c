/* fielderr.c - the per-field error list (see fielderr.h). */
#include "base/fielderr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Cuts s (a NUL-terminated string that fills its buffer) back to a whole UTF-8 sequence. */
static void trim_utf8(char *s)
{
    size_t n = strlen(s);
    size_t i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i > 0 && ((unsigned char)s[i - 1] & 0x80)) {
        unsigned char lead = (unsigned char)s[i - 1];
        size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (n - (i - 1) < want)
            s[i - 1] = '\0';
    }
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), or 0 when there is none. */
static size_t utf8_sequence(const unsigned char *s)
{
    unsigned c = s[0];
    size_t len = c < 0x80                 ? 1
                 : c >= 0xC2 && c <= 0xDF ? 2
                 : c >= 0xE0 && c <= 0xEF ? 3
                 : c >= 0xF0 && c <= 0xF4 ? 4
                                          : 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    }
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0; /* overlong, surrogate, above U+10FFFF */
    return len;
}

/* Replaces each byte that is not part of well-formed UTF-8 with '?': names come from outside. */
static void repair_utf8(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        size_t len = utf8_sequence(p);
        if (len == 0) {
            *p++ = '?';
        } else {
            p += len;
        }
    }
}

void tz_fielderr_add(struct tz_field_errors *errs, const char *field, const char *fmt, ...)
{
    if (errs->count >= TZ_FIELDERR_MAX) {
        errs->dropped++;
        return;
    }
    struct tz_field_error *e = &errs->items[errs->count++];
    snprintf(e->field, sizeof e->field, "%s", field);
    trim_utf8(e->field);
    repair_utf8(e->field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    trim_utf8(e->message);
    repair_utf8(e->message);
}
