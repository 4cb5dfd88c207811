/*
 * csvw.c - the CSV writer (csvw.h): fields, their quoting and the sticky
 * first error. Written here rather than taken from a library: Debian's CSV
 * libraries (libcsv) read more than they write and know nothing of the
 * spreadsheet-formula defusing an open-data export needs.
 */
#include <stdio.h>
#include <string.h>

#include "base/csvw.h"

void tz_csvw_begin(struct tz_csvw *w, struct tz_buf *b)
{
    w->b = b;
    w->err = TZ_OK;
    w->field = false;
}

tz_err tz_csvw_end(struct tz_csvw *w)
{
    return w->err;
}

static void put(struct tz_csvw *w, const char *s, size_t n)
{
    if (!w->err)
        w->err = tz_buf_append(w->b, s, n);
}

/* The comma before every field but a row's first. */
static void next_field(struct tz_csvw *w)
{
    if (w->field)
        put(w, ",", 1);
    w->field = true;
}

/* Text a spreadsheet would run as a formula. */
static bool formula(const char *s)
{
    return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

/* s in quotes, quotes doubled, a formula behind an apostrophe. */
static void put_quoted(struct tz_csvw *w, const char *s)
{
    put(w, formula(s) ? "\"'" : "\"", formula(s) ? 2 : 1);
    for (const char *p = s; *p && !w->err;) {
        const char *q = strchr(p, '"');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        put(w, p, n);
        if (q)
            put(w, "\"\"", 2);
        p += n + (q ? 1 : 0);
    }
    put(w, "\"", 1);
}

void tz_csvw_text(struct tz_csvw *w, const char *s)
{
    next_field(w);
    if (!s)
        return;
    if (formula(s) || strpbrk(s, ",\"\r\n"))
        put_quoted(w, s);
    else
        put(w, s, strlen(s));
}

void tz_csvw_quoted(struct tz_csvw *w, const char *s)
{
    next_field(w);
    put_quoted(w, s ? s : "");
}

void tz_csvw_plain(struct tz_csvw *w, const char *s)
{
    next_field(w);
    put(w, s, strlen(s));
}

void tz_csvw_int(struct tz_csvw *w, int64_t v)
{
    char text[24];
    int n = snprintf(text, sizeof text, "%lld", (long long)v);
    next_field(w);
    put(w, text, (size_t)n);
}

void tz_csvw_fixed(struct tz_csvw *w, double v, int decimals)
{
    char text[64];
    int n = snprintf(text, sizeof text, "%.*f", decimals, v);
    next_field(w);
    if (n < 0 || (size_t)n >= sizeof text) {
        if (!w->err)
            w->err = TZ_EINVAL; /* a number too large for a CSV field of ours */
        return;
    }
    put(w, text, (size_t)n);
}

void tz_csvw_row_end(struct tz_csvw *w)
{
    put(w, "\r\n", 2);
    w->field = false;
}
