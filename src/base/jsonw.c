/*
 * jsonw.c - the sticky JSON writer (jsonw.h). Every value goes through
 * value_start, which checks that a value may stand here and says whether a
 * comma goes before it; every open pushes a level and every close pops one.
 *
 * A map answer is thousands of small pieces, so each piece (the comma, a
 * key with its quotes and colon, a number) is written in one step into room
 * taken from the buffer (tz_buf_room), not appended a byte string at a time:
 * the same bytes as before at the cost of the hand-written writer it
 * replaced. Strings that need escapes and numbers printf must write take the
 * general path.
 */
#include "base/jsonw.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/num.h"
#include "base/tztime.h"

void tz_jw_begin(struct tz_jw *w, struct tz_buf *b)
{
    memset(w, 0, sizeof *w);
    w->b = b;
    w->array[0] = true; /* the top level takes values without keys */
}

tz_err tz_jw_end(struct tz_jw *w)
{
    if (!w->err && (w->depth != 0 || w->keyed || !w->any[0]))
        w->err = TZ_EINVAL;
    return w->err;
}

static void put(struct tz_jw *w, const char *s, size_t n)
{
    if (!w->err)
        w->err = tz_buf_append(w->b, s, n);
}

/* Room for n bytes, or NULL once an error stuck. */
static char *room(struct tz_jw *w, size_t n)
{
    return w->err ? NULL : tz_buf_room(w->b, n, &w->err);
}

/* Writes an optional comma and then n bytes of s in one step. */
static void put_after(struct tz_jw *w, bool comma, const char *s, size_t n)
{
    char *p = room(w, n + 1);
    if (!p)
        return;
    if (comma)
        *p++ = ',';
    memcpy(p, s, n);
    tz_buf_grew(w->b, n + comma);
}

/* Whether s (n bytes) goes into a JSON string as it is (no quote, backslash, control or '<'). */
static bool plain(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\' || c == '<')
            return false;
    }
    return true;
}

/* Writes an optional comma and s (n bytes) as a JSON string, with suffix (a colon, or nothing). */
static void put_string(struct tz_jw *w, bool comma, const char *s, size_t n, bool colon)
{
    if (w->err)
        return;
    if (plain(s, n)) {
        char *p = room(w, n + 4);
        if (!p)
            return;
        char *start = p;
        if (comma)
            *p++ = ',';
        *p++ = '"';
        memcpy(p, s, n);
        p += n;
        *p++ = '"';
        if (colon)
            *p++ = ':';
        tz_buf_grew(w->b, (size_t)(p - start));
        return;
    }
    if (comma)
        put(w, ",", 1);
    if (!w->err)
        w->err = tz_buf_json_string(w->b, s, n);
    if (colon)
        put(w, ":", 1);
}

/*
 * May a value stand here? *comma says whether a comma must separate it from
 * the last (the caller writes it with the value).
 */
static bool value_start(struct tz_jw *w, bool *comma)
{
    *comma = false;
    if (w->err)
        return false;
    if (w->array[w->depth]) {
        if (w->depth == 0 && w->any[0]) { /* one value at the top */
            w->err = TZ_EINVAL;
            return false;
        }
        *comma = w->any[w->depth];
        w->any[w->depth] = true;
    } else {
        if (!w->keyed) { /* a member's value without its key */
            w->err = TZ_EINVAL;
            return false;
        }
        w->keyed = false;
    }
    return !w->err;
}

void tz_jw_key(struct tz_jw *w, const char *key)
{
    if (w->err)
        return;
    if (w->array[w->depth] || w->keyed || !key) {
        w->err = TZ_EINVAL;
        return;
    }
    bool comma = w->any[w->depth];
    w->any[w->depth] = true;
    put_string(w, comma, key, strlen(key), true);
    w->keyed = true;
}

static void open_level(struct tz_jw *w, bool array)
{
    bool comma;
    if (!value_start(w, &comma))
        return;
    if (w->depth >= TZ_JW_DEPTH) {
        w->err = TZ_EINVAL;
        return;
    }
    put_after(w, comma, array ? "[" : "{", 1);
    w->depth++;
    w->any[w->depth] = false;
    w->array[w->depth] = array;
}

static void close_level(struct tz_jw *w, bool array)
{
    if (w->err)
        return;
    if (w->depth == 0 || w->array[w->depth] != array || w->keyed) {
        w->err = TZ_EINVAL;
        return;
    }
    put_after(w, false, array ? "]" : "}", 1);
    w->depth--;
}

void tz_jw_object(struct tz_jw *w)
{
    open_level(w, false);
}

void tz_jw_object_end(struct tz_jw *w)
{
    close_level(w, false);
}

void tz_jw_array(struct tz_jw *w)
{
    open_level(w, true);
}

void tz_jw_array_end(struct tz_jw *w)
{
    close_level(w, true);
}

void tz_jw_str(struct tz_jw *w, const char *s)
{
    bool comma;
    if (!value_start(w, &comma))
        return;
    if (s)
        put_string(w, comma, s, strlen(s), false);
    else
        put_after(w, comma, "null", 4);
}

void tz_jw_strn(struct tz_jw *w, const char *s, size_t n)
{
    bool comma;
    if (value_start(w, &comma))
        put_string(w, comma, s, n, false);
}

/* Writes v's decimal digits ending just before end; returns where they start. */
static char *digits_before(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

void tz_jw_int(struct tz_jw *w, int64_t v)
{
    bool comma;
    if (!value_start(w, &comma))
        return;
    char text[24];
    char *end = text + sizeof text;
    /* the magnitude of INT64_MIN does not fit in int64_t */
    char *p = digits_before(end, v < 0 ? (uint64_t)(-(v + 1)) + 1u : (uint64_t)v);
    if (v < 0)
        *--p = '-';
    put_after(w, comma, p, (size_t)(end - p));
}

void tz_jw_uint(struct tz_jw *w, uint64_t v)
{
    bool comma;
    if (!value_start(w, &comma))
        return;
    char text[24];
    char *end = text + sizeof text;
    char *p = digits_before(end, v);
    put_after(w, comma, p, (size_t)(end - p));
}

void tz_jw_double(struct tz_jw *w, double v)
{
    bool comma;
    if (!value_start(w, &comma))
        return;
    if (!isfinite(v)) { /* JSON has no NaN or infinity */
        put_after(w, comma, "null", 4);
        return;
    }
    if (comma)
        put(w, ",", 1);
    /* The fewest significant digits (15 to 17) that read back as v: 0.934, not 0.93400000000000005
     */
    char text[32];
    int n = 0;
    for (int digits = 15; digits <= 17; digits++) {
        double back;
        n = snprintf(text, sizeof text, "%.*g", digits, v);
        if (n > 0 && (size_t)n < sizeof text &&
            tz_num_parse_double(text, (size_t)n, -DBL_MAX, DBL_MAX, &back) == TZ_OK && back == v)
            break;
    }
    if (n <= 0 || (size_t)n >= sizeof text)
        n = snprintf(text, sizeof text, "%.17g", v);
    put(w, text, n > 0 ? (size_t)n : 0);
}

void tz_jw_fixed6(struct tz_jw *w, double v)
{
    bool comma;
    if (!value_start(w, &comma))
        return;
    if (!isfinite(v)) {
        put_after(w, comma, "null", 4);
        return;
    }
    if (fabs(v) >= 1e12) { /* printf's territory (tz_buf_fixed6) */
        if (comma)
            put(w, ",", 1);
        if (!w->err)
            w->err = tz_buf_fixed6(w->b, v);
        return;
    }
    char text[32];
    char *end = text + sizeof text;
    char *p = tz_fixed6_before(end, v);
    put_after(w, comma, p, (size_t)(end - p));
}

/* One number of tz_jw_fixed6_array after an optional comma, the long way (printf or null). */
static void put_fixed6_slow(struct tz_jw *w, bool comma, double v)
{
    if (comma)
        put(w, ",", 1);
    if (!isfinite(v))
        put(w, "null", 4);
    else if (!w->err)
        w->err = tz_buf_fixed6(w->b, v);
}

void tz_jw_fixed6_array(struct tz_jw *w, const double *v, size_t n)
{
    bool comma;
    if (!value_start(w, &comma))
        return;
    bool fast = n <= TZ_JW_FIXED6_FAST;
    for (size_t i = 0; fast && i < n; i++)
        fast = isfinite(v[i]) && fabs(v[i]) < 1e12;
    if (!fast) { /* the whole array here, so no level is pushed */
        put_after(w, comma, "[", 1);
        for (size_t i = 0; i < n; i++)
            put_fixed6_slow(w, i > 0, v[i]);
        put(w, "]", 1);
        return;
    }
    char text[TZ_JW_FIXED6_FAST * 24 + 4], *p = text;
    *p++ = '[';
    for (size_t i = 0; i < n; i++) {
        char digits[32];
        char *end = digits + sizeof digits, *start = tz_fixed6_before(end, v[i]);
        if (i)
            *p++ = ',';
        memcpy(p, start, (size_t)(end - start));
        p += end - start;
    }
    *p++ = ']';
    put_after(w, comma, text, (size_t)(p - text));
}

void tz_jw_bool(struct tz_jw *w, bool v)
{
    bool comma;
    if (value_start(w, &comma))
        put_after(w, comma, v ? "true" : "false", v ? 4 : 5);
}

void tz_jw_null(struct tz_jw *w)
{
    bool comma;
    if (value_start(w, &comma))
        put_after(w, comma, "null", 4);
}

void tz_jw_time(struct tz_jw *w, int64_t t)
{
    if (!t) {
        tz_jw_null(w);
        return;
    }
    char text[TZ_TIME_TEXT_MAX];
    tz_time_format(t, text);
    tz_jw_str(w, text);
}

void tz_jw_raw(struct tz_jw *w, const char *json, size_t n)
{
    bool comma;
    if (!value_start(w, &comma))
        return;
    if (comma)
        put(w, ",", 1);
    put(w, json, n);
}

void tz_jw_kstr(struct tz_jw *w, const char *key, const char *s)
{
    tz_jw_key(w, key);
    tz_jw_str(w, s);
}

void tz_jw_kint(struct tz_jw *w, const char *key, int64_t v)
{
    tz_jw_key(w, key);
    tz_jw_int(w, v);
}

void tz_jw_kuint(struct tz_jw *w, const char *key, uint64_t v)
{
    tz_jw_key(w, key);
    tz_jw_uint(w, v);
}

void tz_jw_kdouble(struct tz_jw *w, const char *key, double v)
{
    tz_jw_key(w, key);
    tz_jw_double(w, v);
}

void tz_jw_kbool(struct tz_jw *w, const char *key, bool v)
{
    tz_jw_key(w, key);
    tz_jw_bool(w, v);
}

void tz_jw_ktime(struct tz_jw *w, const char *key, int64_t t)
{
    tz_jw_key(w, key);
    tz_jw_time(w, t);
}

void tz_jw_knull(struct tz_jw *w, const char *key)
{
    tz_jw_key(w, key);
    tz_jw_null(w);
}
