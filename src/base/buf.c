/* buf.c - growable, bounded byte buffer. */
#include "base/buf.h"

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tz_buf_init(struct tz_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void tz_buf_free(struct tz_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void tz_buf_reset(struct tz_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Makes room for extra more bytes plus the terminating NUL. */
static tz_err reserve(struct tz_buf *b, size_t extra)
{
    if (extra > b->max - b->len)
        return TZ_ETOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return TZ_OK;
    size_t cap = b->cap ? b->cap : 1024; /* most answers fit: one allocation */
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return TZ_ENOMEM;
    b->data = p;
    b->cap = cap;
    return TZ_OK;
}

tz_err tz_buf_append(struct tz_buf *b, const void *s, size_t n)
{
    tz_err err = reserve(b, n);
    if (err)
        return err;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return TZ_OK;
}

tz_err tz_buf_puts(struct tz_buf *b, const char *s)
{
    return tz_buf_append(b, s, strlen(s));
}

tz_err tz_buf_printf(struct tz_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tz_err err = tz_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return err;
}

tz_err tz_buf_vprintf(struct tz_buf *b, const char *fmt, va_list ap)
{
    /* Format straight into the free space; only when it does not fit, grow and format again. */
    tz_err err = TZ_OK;
    size_t room = b->data ? b->cap - b->len : 0;
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
    if (n < 0) {
        err = TZ_EINVAL;
        goto done;
    }
    if ((size_t)n < room && (size_t)n <= b->max - b->len) {
        b->len += (size_t)n;
        goto done;
    }
    if (room)
        b->data[b->len] = '\0'; /* undo the partial write */
    err = reserve(b, (size_t)n);
    if (!err) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
done:
    va_end(again);
    return err;
}

/* Writes v's decimal digits ending just before end; returns where they start. */
static char *digits_before(char *end, unsigned long long v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

tz_err tz_buf_uint(struct tz_buf *b, unsigned long long v)
{
    char text[24];
    char *start = digits_before(text + sizeof text, v);
    return tz_buf_append(b, start, (size_t)(text + sizeof text - start));
}

char *tz_fixed6_before(char *end, double v)
{
    unsigned long long scaled = (unsigned long long)llround(fabs(v) * 1e6);
    char *p = digits_before(end, scaled % 1000000);
    while (end - p < 6)
        *--p = '0';
    *--p = '.';
    p = digits_before(p, scaled / 1000000);
    if (v < 0 && scaled != 0)
        *--p = '-';
    return p;
}

tz_err tz_buf_fixed6(struct tz_buf *b, double v)
{
    if (!isfinite(v) || fabs(v) >= 1e12)
        return tz_buf_printf(b, "%.6f", v);
    char text[32];
    char *end = text + sizeof text;
    char *p = tz_fixed6_before(end, v);
    return tz_buf_append(b, p, (size_t)(end - p));
}

char *tz_buf_room(struct tz_buf *b, size_t n, tz_err *err)
{
    *err = reserve(b, n);
    return *err ? NULL : b->data + b->len;
}

void tz_buf_grew(struct tz_buf *b, size_t k)
{
    b->len += k;
    b->data[b->len] = '\0';
}

tz_err tz_buf_json_cstr(struct tz_buf *b, const char *s)
{
    return s ? tz_buf_json_string(b, s, strlen(s)) : tz_buf_puts(b, "null");
}

tz_err tz_buf_json_string(struct tz_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t start_len = b->len;
    tz_err err = tz_buf_append(b, "\"", 1);
    size_t run = 0; /* start of the pending run of bytes that need no escape */
    for (size_t i = 0; !err && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != '<')
            continue;
        err = tz_buf_append(b, s + run, i - run);
        run = i + 1;
        if (err)
            break;
        char esc[7];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            err = tz_buf_append(b, esc, 2);
        } else if (c == '\n') {
            err = tz_buf_append(b, "\\n", 2);
        } else if (c == '\r') {
            err = tz_buf_append(b, "\\r", 2);
        } else if (c == '\t') {
            err = tz_buf_append(b, "\\t", 2);
        } else {
            /* '<' too, so that JSON embedded in HTML can never close a tag. */
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            err = tz_buf_append(b, esc, 6);
        }
    }
    if (!err)
        err = tz_buf_append(b, s + run, n - run);
    if (!err)
        err = tz_buf_append(b, "\"", 1);
    if (err && b->data) {
        b->len = start_len; /* all or nothing, like the other appends */
        b->data[b->len] = '\0';
    }
    return err;
}

char *tz_buf_take(struct tz_buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
