/*
 * fold.c - folding names for comparison: "ul. Floriańska" and "florianska"
 * fold to the same letters. Written here rather than with ICU because the
 * register's names need only Latin letters with Polish (and a few
 * neighbouring) diacritics, and the search folds every query on the hot path.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "address/address.h"

/* The base letter of a Latin-1 Supplement or Latin Extended-A code point, or 0. */
static char latin_base(uint32_t cp)
{
    /* U+00C0..U+00FF, lower-cased: àáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ */
    static const char l1[65] = "aaaaaaaceeeeiiiidnooooo ouuuuyts"
                               "aaaaaaaceeeeiiiidnooooo ouuuuyty";
    /* U+0100..U+017F, in pairs: Ā ā Ă ă Ą ą Ć ć ... Ž ž ſ */
    static const char ea[129] =
        "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllllll"
        "nnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
    if (cp >= 0xC0 && cp <= 0xFF)
        return l1[cp - 0xC0] == ' ' ? 0 : l1[cp - 0xC0];
    if (cp >= 0x100 && cp <= 0x17F)
        return ea[cp - 0x100];
    return 0;
}

/* Decodes one UTF-8 code point at s[*i] (n bytes in all); false for invalid UTF-8. */
static bool next_cp(const unsigned char *s, size_t n, size_t *i, uint32_t *cp)
{
    unsigned char c = s[*i];
    size_t len = c < 0x80             ? 1
                 : (c & 0xE0) == 0xC0 ? 2
                 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4
                                      : 0;
    if (!len || *i + len > n)
        return false;
    uint32_t v = len == 1 ? c : len == 2 ? c & 0x1Fu : len == 3 ? c & 0x0Fu : c & 0x07u;
    for (size_t k = 1; k < len; k++) {
        if ((s[*i + k] & 0xC0) != 0x80)
            return false;
        v = v << 6 | (s[*i + k] & 0x3Fu);
    }
    static const uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return false; /* overlong, beyond Unicode, or a surrogate */
    *i += len;
    *cp = v;
    return true;
}

tz_err tz_address_fold(const char *s, size_t n, char *out, size_t cap, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, o = 0;
    bool space = false;
    *len = 0;
    if (cap == 0)
        return TZ_ETOOBIG;
    out[0] = '\0';
    while (i < n) {
        uint32_t cp;
        if (!next_cp(u, n, &i, &cp))
            return TZ_EINVAL;
        char c = 0;
        if (cp < 0x80 && ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z')))
            c = (char)cp;
        else if (cp >= 'A' && cp <= 'Z')
            c = (char)(cp - 'A' + 'a');
        else if (cp == '/')
            c = '/'; /* numbers such as 7/3 keep it */
        else
            c = latin_base(cp);
        if (!c) {
            space = o > 0;
            continue;
        }
        if (o + (space ? 2 : 1) >= cap)
            return TZ_ETOOBIG;
        if (space)
            out[o++] = ' ';
        space = false;
        out[o++] = c;
    }
    out[o] = '\0';
    *len = o;
    return TZ_OK;
}
