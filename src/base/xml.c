/* xml.c - the XML writer of xml.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/xml.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

size_t tz_xml_char_length(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    uint32_t cp;
    size_t len;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        cp = s[0] & 0x1F;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        cp = s[0] & 0x0F;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* Overlong forms, surrogates, past U+10FFFF, and the two non-characters XML forbids. */
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
        return 0;
    return len;
}

tz_err tz_buf_xml_escape(struct tz_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0; /* bytes from i - run to i go out as they are */
    tz_err err = TZ_OK;
    while (i < n && !err) {
        const char *rep = NULL;
        size_t len = 1;
        switch (p[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        case '\r':
            rep = "&#13;";
            break; /* a parser would turn a bare CR into LF */
        case '\t':
        case '\n':
            break;
        default:
            if (p[i] < 0x20) {
                rep = REPLACEMENT;
            } else if ((len = tz_xml_char_length(s + i, n - i)) == 0) {
                rep = REPLACEMENT;
                len = 1;
            }
        }
        if (!rep) {
            i += len;
            run += len;
            continue;
        }
        if (run)
            err = tz_buf_append(b, s + i - run, run);
        if (!err)
            err = tz_buf_puts(b, rep);
        i += len;
        run = 0;
    }
    if (!err && run)
        err = tz_buf_append(b, s + i - run, run);
    return err;
}

void tz_xml_begin(struct tz_xml *x, struct tz_buf *b)
{
    x->b = b;
    x->err = tz_buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
}

void tz_xml_open(struct tz_xml *x, const char *name)
{
    if (!x->err)
        x->err = tz_buf_printf(x->b, "<%s>", name);
}

void tz_xml_close(struct tz_xml *x, const char *name)
{
    if (!x->err)
        x->err = tz_buf_printf(x->b, "</%s>", name);
}

void tz_xml_text(struct tz_xml *x, const char *name, const char *text)
{
    if (x->err)
        return;
    if (!text) {
        x->err = tz_buf_printf(x->b, "<%s/>", name);
        return;
    }
    tz_xml_open(x, name);
    if (!x->err)
        x->err = tz_buf_xml_escape(x->b, text, strlen(text));
    tz_xml_close(x, name);
}

void tz_xml_printf(struct tz_xml *x, const char *name, const char *fmt, ...)
{
    if (x->err)
        return;
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof text) {
        x->err = TZ_EINVAL; /* every format here is short: a longer one is a programming error */
        return;
    }
    tz_xml_text(x, name, text);
}

tz_err tz_xml_finish(struct tz_xml *x)
{
    return x->err;
}
