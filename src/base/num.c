/*
 * num.c - decimal numbers from text, checked character by character before
 * libc converts them, so that what strtoll and strtod would also accept
 * (leading spaces, "0x1.9p5", "inf", "nan", a tail of junk) never gets in.
 */
#include "base/num.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

tz_err tz_num_parse_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
    if (!s || n == 0)
        return TZ_EMALFORMED;
    size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
    bool negative = s[0] == '-';
    if (i == n)
        return TZ_EMALFORMED;
    for (size_t k = i; k < n; k++) {
        if (!is_digit(s[k]))
            return TZ_EMALFORMED;
    }
    /* Accumulated as a magnitude below 2^64, so every int64_t fits and nothing overflows. */
    uint64_t mag = 0;
    bool too_big = false;
    for (; i < n && !too_big; i++) {
        uint64_t d = (uint64_t)(s[i] - '0');
        too_big = mag > (UINT64_MAX - d) / 10;
        mag = mag * 10 + d;
    }
    int64_t v;
    if (too_big || (!negative && mag > (uint64_t)INT64_MAX) ||
        (negative && mag > (uint64_t)INT64_MAX + 1))
        return TZ_EINVAL;
    if (negative)
        v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    else
        v = (int64_t)mag;
    if (v < min || v > max)
        return TZ_EINVAL;
    *out = v;
    return TZ_OK;
}

/* Whether s[0..n) is [+-] digits [. digits] [(e|E) [+-] digits], with a digit before the exponent.
 */
static bool decimal_syntax(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    for (; i < n && is_digit(s[i]); i++)
        digits++;
    if (i < n && s[i] == '.') {
        for (i++; i < n && is_digit(s[i]); i++)
            digits++;
    }
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t exp_digits = 0;
        for (; i < n && is_digit(s[i]); i++)
            exp_digits++;
        if (exp_digits == 0)
            return false;
    }
    return i == n;
}

tz_err tz_num_parse_double(const char *s, size_t n, double min, double max, double *out)
{
    char text[TZ_NUM_TEXT_MAX + 1];
    if (!s || n == 0)
        return TZ_EMALFORMED;
    if (n > TZ_NUM_TEXT_MAX)
        return TZ_EINVAL;
    if (!decimal_syntax(s, n))
        return TZ_EMALFORMED;
    memcpy(text, s, n); /* strtod needs a terminated string; s need not be one */
    text[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end != text + n)
        return TZ_EMALFORMED;
    if (errno || !isfinite(v) || v < min || v > max)
        return TZ_EINVAL;
    *out = v;
    return TZ_OK;
}
