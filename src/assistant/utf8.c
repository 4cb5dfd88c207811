/*
 * utf8.c - the little Unicode the extractors need: decoding, validity,
 * letters and digits of the scripts of issue 16 (Latin, Cyrillic, Greek,
 * Arabic, Georgian, Armenian), simple lower case and matching a word
 * ignoring case. Written here rather than taken from ICU because the
 * extractors need a few ranges on the hot path, not full case folding;
 * where a rare letter is missed the cost is one missed month name.
 */
#include <string.h>

#include "assistant/internal.h"

uint32_t u8_at(const char *s, size_t n, size_t i, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s + i;
    size_t left = n - i;
    if (u[0] < 0x80 || left < 2) {
        *len = 1;
        return u[0];
    }
    if ((u[0] & 0xE0) == 0xC0) {
        *len = 2;
        return ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
    }
    if ((u[0] & 0xF0) == 0xE0 && left >= 3) {
        *len = 3;
        return ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
    }
    if (left >= 4) {
        *len = 4;
        return ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
               ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
    }
    *len = 1;
    return u[0];
}

size_t u8_prev(const char *s, size_t i)
{
    do
        i--;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80);
    return i;
}

bool u8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = u[i];
        size_t k;
        uint32_t min, cp;
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1, min = 0x80, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2, min = 0x800, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3, min = 0x10000, cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i <= k)
            return false;
        for (size_t j = 1; j <= k; j++) {
            if ((u[i + j] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (u[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += k + 1;
    }
    return true;
}

/* The letter ranges of the scripts read (half-open pairs). */
static const uint32_t letters[][2] = {
    {'0', '9' + 1}, {'A', 'Z' + 1},   {'a', 'z' + 1},   {0xC0, 0xD7},
    {0xD8, 0xF7},   {0xF8, 0x2B0},    {0x370, 0x3FF},   {0x400, 0x530},
    {0x531, 0x588}, {0x620, 0x64B},   {0x660, 0x66A},   {0x66E, 0x6D4},
    {0x6F0, 0x700}, {0x10A0, 0x1100}, {0x1C90, 0x1CC0}, {0x1E00, 0x1F00}};

bool u8_is_letter(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
    for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
        if (cp >= letters[i][0] && cp < letters[i][1])
            return true;
    return false;
}

uint32_t u8_lower(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
        return cp + 32;
    if (cp == 0x130)
        return 'i';
    if (cp == 0x178)
        return 0xFF;
    if (cp == 0x18F)
        return 0x259; /* Azerbaijani schwa */
    if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177) ||
        (cp >= 0x1E00 && cp <= 0x1EFF) || (cp >= 0x460 && cp <= 0x4FF))
        return (cp & 1) ? cp : cp + 1;
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
        return (cp & 1) ? cp + 1 : cp;
    if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2)
        return cp + 32;
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 80;
    if (cp >= 0x410 && cp <= 0x42F)
        return cp + 32;
    if (cp >= 0x531 && cp <= 0x556)
        return cp + 48;
    if (cp >= 0x1C90 && cp <= 0x1CBF)
        return cp - 0x1C90 + 0x10D0; /* Georgian Mtavruli to Mkhedruli */
    return cp;
}

bool u8_is_upper(uint32_t cp)
{
    return u8_lower(cp) != cp;
}

static uint32_t cp_before(const char *v, size_t i)
{
    size_t len;
    size_t p = u8_prev(v, i);
    return u8_at(v, i, p, &len);
}

bool u8_word_start(const char *v, size_t i)
{
    return i == 0 || !u8_is_letter(cp_before(v, i));
}

bool u8_word_end(const char *v, size_t n, size_t i)
{
    size_t len;
    return i >= n || !u8_is_letter(u8_at(v, n, i, &len));
}

bool u8_match_fold(const char *v, size_t n, size_t i, const char *word, size_t *end)
{
    size_t wn = strlen(word), wi = 0;
    while (wi < wn) {
        if (i >= n)
            return false;
        size_t a, b;
        uint32_t c = u8_at(v, n, i, &a);
        uint32_t w = u8_at(word, wn, wi, &b);
        if (u8_lower(c) != w)
            return false;
        i += a;
        wi += b;
    }
    *end = i;
    return true;
}
