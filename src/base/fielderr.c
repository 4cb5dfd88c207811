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

void tz_fielderr_add(struct tz_field_errors *errs, const char *field, const char *fmt, ...)
{
    if (errs->count >= TZ_FIELDERR_MAX) {
        errs->dropped++;
        return;
    }
    struct tz_field_error *e = &errs->items[errs->count++];
    snprintf(e->field, sizeof e->field, "%s", field);
    trim_utf8(e->field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    trim_utf8(e->message);
}
