/*
 * assistant/lang_script.c - scripts by Unicode ranges, and the UTF-8 reading under them.
 *
 * Why not ICU's uscript_getScript: the ranges of the dozen scripts a police text in Europe and
 * its neighbours is written in are a short table, read without a library call per character, and
 * lang_ident.c needs the same loop to lower-case and to count letters. The table is by block; a
 * digit, a space or a punctuation mark is no script's letter.
 */
#include "assistant/lang_internal.h"

#include <string.h>

struct range {
    int32_t lo, hi;
    enum tz_script script;
};

/* Sorted by lo; letters only, so the punctuation and digits inside blocks stay out. */
static const struct range RANGES[] = {
    {0x0041, 0x005A, TZ_SCRIPT_LATIN},     {0x0061, 0x007A, TZ_SCRIPT_LATIN},
    {0x00AA, 0x00AA, TZ_SCRIPT_LATIN},     {0x00BA, 0x00BA, TZ_SCRIPT_LATIN},
    {0x00C0, 0x00D6, TZ_SCRIPT_LATIN},     {0x00D8, 0x00F6, TZ_SCRIPT_LATIN},
    {0x00F8, 0x024F, TZ_SCRIPT_LATIN},     {0x0250, 0x02AF, TZ_SCRIPT_LATIN}, /* IPA */
    {0x0370, 0x03FF, TZ_SCRIPT_GREEK},     {0x0400, 0x052F, TZ_SCRIPT_CYRILLIC},
    {0x0531, 0x058F, TZ_SCRIPT_ARMENIAN},  {0x05D0, 0x05F2, TZ_SCRIPT_HEBREW},
    {0x0620, 0x064A, TZ_SCRIPT_ARABIC},    {0x066E, 0x06D3, TZ_SCRIPT_ARABIC},
    {0x06FA, 0x06FF, TZ_SCRIPT_ARABIC},    {0x0750, 0x077F, TZ_SCRIPT_ARABIC},
    {0x0900, 0x097F, TZ_SCRIPT_DEVANAGARI}, {0x0E01, 0x0E5B, TZ_SCRIPT_THAI},
    {0x10A0, 0x10FF, TZ_SCRIPT_GEORGIAN},  {0x1100, 0x11FF, TZ_SCRIPT_HANGUL},
    {0x1C80, 0x1C8F, TZ_SCRIPT_CYRILLIC},  {0x1C90, 0x1CBF, TZ_SCRIPT_GEORGIAN},
    {0x1E00, 0x1EFF, TZ_SCRIPT_LATIN},     {0x1F00, 0x1FFF, TZ_SCRIPT_GREEK},
    {0x2D00, 0x2D2F, TZ_SCRIPT_GEORGIAN},  {0x2DE0, 0x2DFF, TZ_SCRIPT_CYRILLIC},
    {0x3041, 0x30FF, TZ_SCRIPT_KANA},      {0x3131, 0x318F, TZ_SCRIPT_HANGUL},
    {0x3400, 0x4DBF, TZ_SCRIPT_CJK},       {0x4E00, 0x9FFF, TZ_SCRIPT_CJK},
    {0xA640, 0xA69F, TZ_SCRIPT_CYRILLIC},  {0xA720, 0xA7FF, TZ_SCRIPT_LATIN},
    {0xAC00, 0xD7A3, TZ_SCRIPT_HANGUL},    {0xF900, 0xFAFF, TZ_SCRIPT_CJK},
    {0xFB1D, 0xFB4F, TZ_SCRIPT_HEBREW},    {0xFB50, 0xFDFF, TZ_SCRIPT_ARABIC},
    {0xFE70, 0xFEFC, TZ_SCRIPT_ARABIC},    {0xFF21, 0xFF3A, TZ_SCRIPT_LATIN},
    {0xFF41, 0xFF5A, TZ_SCRIPT_LATIN},     {0xFF66, 0xFF9D, TZ_SCRIPT_KANA},
    {0x20000, 0x2FA1F, TZ_SCRIPT_CJK},
};

static const char *const CODES[TZ_SCRIPT_COUNT] = {
    [TZ_SCRIPT_NONE] = "Zyyy",     [TZ_SCRIPT_LATIN] = "Latn",    [TZ_SCRIPT_CYRILLIC] = "Cyrl",
    [TZ_SCRIPT_GREEK] = "Grek",    [TZ_SCRIPT_ARMENIAN] = "Armn", [TZ_SCRIPT_HEBREW] = "Hebr",
    [TZ_SCRIPT_ARABIC] = "Arab",   [TZ_SCRIPT_GEORGIAN] = "Geor", [TZ_SCRIPT_DEVANAGARI] = "Deva",
    [TZ_SCRIPT_THAI] = "Thai",     [TZ_SCRIPT_HANGUL] = "Hang",   [TZ_SCRIPT_KANA] = "Kana",
    [TZ_SCRIPT_CJK] = "Hani",      [TZ_SCRIPT_OTHER] = "Zzzz",
};

const char *tz_script_code(enum tz_script script)
{
    if ((int)script < 0 || script >= TZ_SCRIPT_COUNT)
        return "Zzzz";
    return CODES[script];
}

int32_t tz_lang_utf8_next(const char *s, size_t n, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    size_t left = n - *i;
    unsigned char b = p[0];
    int32_t c;
    size_t len;
    int32_t min;

    if (b < 0x80) {
        *i += 1;
        return b;
    }
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2, c = b & 0x1F, min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3, c = b & 0x0F, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4, c = b & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    if (left < len)
        return -1;
    for (size_t k = 1; k < len; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return -1;
        c = (c << 6) | (p[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return -1;
    *i += len;
    return c;
}

size_t tz_lang_utf8_put(int32_t c, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (c < 0x80) {
        o[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (unsigned char)(0xC0 | (c >> 6));
        o[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (c >> 12));
        o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (c >> 18));
    o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

enum tz_script tz_lang_script_of(int32_t c)
{
    size_t lo = 0, hi = sizeof RANGES / sizeof RANGES[0];

    if (c < 0x41)
        return TZ_SCRIPT_NONE;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c < RANGES[mid].lo)
            hi = mid;
        else if (c > RANGES[mid].hi)
            lo = mid + 1;
        else
            return RANGES[mid].script;
    }
    return TZ_SCRIPT_NONE;
}

int32_t tz_lang_lower(int32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c < 0xC0)
        return c;
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3AB && c != 0x3A2) ||
        (c >= 0x410 && c <= 0x42F))
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    if (c == 0x130) /* Turkish and Azerbaijani dotted capital I */
        return 'i';
    if (c == 0x18F) /* Azerbaijani schwa */
        return 0x259;
    if (((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177) || (c >= 0x460 && c <= 0x4BF) ||
         (c >= 0x4D0 && c <= 0x52F)) &&
        c % 2 == 0)
        return c + 1;
    if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E) || (c >= 0x4C1 && c <= 0x4CE)) &&
        c % 2 == 1)
        return c + 1;
    return c;
}

tz_err tz_lang_scripts(const char *s, size_t n, struct tz_lang_scripts *out)
{
    size_t i = 0;

    memset(out, 0, sizeof *out);
    if (n > TZ_LANG_TEXT_MAX)
        return TZ_ETOOBIG;
    while (i < n) {
        int32_t c = tz_lang_utf8_next(s, n, &i);
        enum tz_script sc;
        if (c < 0) {
            memset(out, 0, sizeof *out);
            return TZ_EINVAL;
        }
        sc = tz_lang_script_of(c);
        if (sc == TZ_SCRIPT_NONE)
            continue;
        out->letters[sc]++;
        out->total++;
    }
    for (int k = TZ_SCRIPT_LATIN; k < TZ_SCRIPT_COUNT; k++)
        if (out->letters[k] > out->letters[out->main])
            out->main = (enum tz_script)k;
    return TZ_OK;
}
