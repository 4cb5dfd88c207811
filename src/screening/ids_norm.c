/*
 * ids_norm.c - document numbers and number plates as one text each (ids.h).
 *
 * Both are read the same way: a character at a time (UTF-8, one or two
 * bytes: Cyrillic, German umlauts and the no-break space are all two), case
 * folded, separators dropped, Cyrillic letters that look Latin read as their
 * Latin twin where the country's plates are written in Cyrillic (and always
 * for document numbers, whose printed form is Latin). Every change is noted
 * in flags, so that a screening answer can say what it did to the query.
 * The O/0 and I/1 confusion is not merged into the text: it is a second key,
 * the skeleton, which the index uses for a weaker hit that says so.
 *
 * The plate shapes per country are a table of (class, min, max) runs matched
 * with a little backtracking; ICU is not needed for these few letters.
 */
#include <string.h>

#include "screening/ids.h"

/* ---- reading characters ---- */

/* The next code point of s (n bytes left) and its length; -1 if it is not 1- or 2-byte UTF-8. */
static long next_cp(const char *s, size_t n, size_t *len)
{
    unsigned char c = (unsigned char)s[0];
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF && n >= 2 && ((unsigned char)s[1] & 0xC0) == 0x80) {
        *len = 2;
        return ((long)(c & 0x1F) << 6) | ((unsigned char)s[1] & 0x3F);
    }
    return -1;
}

/* The Latin twin of a Cyrillic letter that looks Latin (either case); '\0' if none. */
static char cyrillic_twin(long cp)
{
    static const struct {
        unsigned short upper;
        char latin;
    } twin[] = {
        {0x0410, 'A'}, {0x0412, 'B'}, {0x0415, 'E'}, {0x041A, 'K'}, {0x041C, 'M'},
        {0x041D, 'H'}, {0x041E, 'O'}, {0x0420, 'P'}, {0x0421, 'C'}, {0x0422, 'T'},
        {0x0423, 'Y'}, {0x0425, 'X'}, {0x0406, 'I'}, {0x0405, 'S'}, {0x0408, 'J'},
    };
    if (cp >= 0x0430 && cp <= 0x044F)
        cp -= 0x20; /* а..я -> А..Я */
    else if (cp >= 0x0450 && cp <= 0x045F)
        cp -= 0x50; /* ѐ..џ -> Ѐ..Џ */
    for (size_t i = 0; i < sizeof twin / sizeof twin[0]; i++)
        if (twin[i].upper == cp)
            return twin[i].latin;
    return '\0';
}

static bool is_separator(long cp)
{
    return cp == ' ' || cp == '-' || cp == '/' || cp == '.' || cp == '<' || cp == '_' ||
           cp == '\t' || cp == 0xA0 || cp == 0xB7; /* no-break space, middle dot */
}

static bool is_lower_cyrillic(long cp)
{
    return (cp >= 0x0430 && cp <= 0x045F);
}

/* What one character becomes: an ASCII letter or digit, a German umlaut (DE), or nothing. */
struct folded {
    char ascii;  /* the character, or '\0' for an umlaut or a separator */
    long umlaut; /* U+00C4, U+00D6, U+00DC when the character is one */
    bool separator, lower, cyrillic;
};

/* Reads one character; false if it is none the reader accepts. */
static bool fold_char(long cp, bool cyrillic_ok, bool umlauts_ok, struct folded *f)
{
    memset(f, 0, sizeof *f);
    if (is_separator(cp)) {
        f->separator = true;
        return true;
    }
    if ((cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
        f->ascii = (char)cp;
        return true;
    }
    if (cp >= 'a' && cp <= 'z') {
        f->ascii = (char)(cp - 'a' + 'A');
        f->lower = true;
        return true;
    }
    if (umlauts_ok &&
        (cp == 0xC4 || cp == 0xD6 || cp == 0xDC || cp == 0xE4 || cp == 0xF6 || cp == 0xFC)) {
        f->lower = cp >= 0xE0;
        f->umlaut = f->lower ? cp - 0x20 : cp;
        return true;
    }
    if (cyrillic_ok && (f->ascii = cyrillic_twin(cp)) != '\0') {
        f->cyrillic = true;
        f->lower = is_lower_cyrillic(cp);
        return true;
    }
    return false;
}

/* The skeleton of a normal text: O read as 0 and I as 1; returns how many are O, 0, I or 1. */
static unsigned skeleton(const char *text, size_t len, char *skel)
{
    unsigned confusable = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        confusable += c == 'O' || c == '0' || c == 'I' || c == '1';
        skel[i] = c == 'O' ? '0' : c == 'I' ? '1' : c;
    }
    skel[len] = '\0';
    return confusable;
}

/* ---- document numbers ---- */

tz_err tz_docnum_normalise(const char *s, size_t n, struct tz_docnum *out)
{
    memset(out, 0, sizeof *out);
    if (n > TZ_DOCNUM_INPUT_MAX)
        return TZ_ETOOBIG;
    for (size_t i = 0, len = 0; i < n; i += len) {
        long cp = next_cp(s + i, n - i, &len);
        struct folded f;
        if (cp < 0 || !fold_char(cp, true, false, &f))
            return TZ_EINVAL;
        out->separators_removed |= f.separator;
        out->case_folded |= f.lower;
        out->cyrillic_mapped |= f.cyrillic;
        if (f.separator)
            continue;
        if (out->len == TZ_DOCNUM_MAX)
            return TZ_ETOOBIG;
        out->text[out->len++] = f.ascii;
    }
    if (out->len == 0)
        return TZ_EINVAL;
    out->confusable = skeleton(out->text, out->len, out->skeleton);
    return TZ_OK;
}

enum tz_id_match tz_id_compare(const char *a, const char *b, uint32_t *positions, unsigned *count)
{
    uint32_t bits = 0;
    unsigned differ = 0;
    size_t i = 0;
    for (; a[i] && b[i]; i++) {
        char x = a[i], y = b[i];
        if (x == y)
            continue;
        bool pair = ((x == 'O' || x == '0') && (y == 'O' || y == '0')) ||
                    ((x == 'I' || x == '1') && (y == 'I' || y == '1'));
        if (!pair)
            return TZ_ID_DIFFERENT;
        if (i < 32)
            bits |= 1u << i;
        differ++;
    }
    if (a[i] || b[i])
        return TZ_ID_DIFFERENT;
    if (positions)
        *positions = bits;
    if (count)
        *count = differ;
    return differ == 0 ? TZ_ID_SAME : TZ_ID_CONFUSABLE;
}

tz_err tz_ids_country3(const char *s, size_t n, char out[4])
{
    char code[4] = {0};
    size_t len = 0;
    memset(out, 0, 4);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '<')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c < 'A' || c > 'Z' || len == 3)
            return TZ_EINVAL;
        code[len++] = c;
    }
    if (len == 1 && code[0] == 'D') {
        memcpy(out, "DEU", 4); /* ICAO 9303 writes Germany as "D" */
        return TZ_OK;
    }
    if (len != 3)
        return TZ_EINVAL;
    memcpy(out, code, 4);
    return TZ_OK;
}

/* ---- number plates ---- */

/* A run of the plate's shape: cls characters, min to max of them. */
struct run {
    char cls; /* 'L' letter, 'D' digit, 'A' either, 'C' a Cyrillic-plate letter, 'e' E or H */
    unsigned char min, max;
};

#define RUNS_MAX 5
#define SHAPES_MAX 2

struct plate_rule {
    const char *code;     /* the code written back */
    const char *names[3]; /* alpha-2, alpha-3, international vehicle code */
    bool cyrillic, umlauts;
    struct run shape[SHAPES_MAX][RUNS_MAX]; /* each ended by a run with cls 0 */
};

/* Current plate shapes, separators removed (the countries' own registration rules). */
static const struct plate_rule RULE[TZ_PLATE_COUNTRY_COUNT] = {
    [TZ_PLATE_GENERIC] = {"", {"", "", ""}, true, false, {{{0, 0, 0}}}},
    /* WA 12345, KR 1AB23, KRA 1234: a 2- or 3-letter district, then 4 or 5 */
    [TZ_PLATE_PL] = {"PL", {"PL", "POL", "PL"}, false, false, {{{'L', 2, 3}, {'A', 4, 5}}}},
    /* M-AB 123, B-XY 1234E: district, 1-2 letters, 1-4 digits, E (electric) or H (historic) */
    [TZ_PLATE_DE] =
        {"DE", {"DE", "DEU", "D"}, false, true, {{{'L', 2, 5}, {'D', 1, 4}, {'e', 0, 1}}}},
    /* 1A2 3456 */
    [TZ_PLATE_CZ] = {"CZ",
                     {"CZ", "CZE", "CZ"},
                     false,
                     false,
                     {{{'D', 1, 1}, {'L', 1, 1}, {'A', 1, 1}, {'D', 4, 4}}}},
    /* BA-123AB */
    [TZ_PLATE_SK] =
        {"SK", {"SK", "SVK", "SK"}, false, false, {{{'L', 2, 2}, {'D', 3, 3}, {'L', 2, 2}}}},
    /* АА 1234 ВВ: the twelve letters that Cyrillic and Latin share */
    [TZ_PLATE_UA] =
        {"UA", {"UA", "UKR", "UA"}, true, false, {{{'C', 2, 2}, {'D', 4, 4}, {'C', 2, 2}}}},
    /* 1234 АВ-7 */
    [TZ_PLATE_BY] =
        {"BY", {"BY", "BLR", "BY"}, true, false, {{{'D', 4, 4}, {'C', 2, 2}, {'D', 1, 1}}}},
    /* ABC 123 */
    [TZ_PLATE_LT] = {"LT", {"LT", "LTU", "LT"}, false, false, {{{'L', 3, 3}, {'D', 3, 3}}}},
    /* А 123 ВС 39: letter, 3 digits, 2 letters, the region (Kaliningrad 39 or 91) */
    [TZ_PLATE_RU] = {"RU",
                     {"RU", "RUS", "RUS"},
                     true,
                     false,
                     {{{'C', 1, 1}, {'D', 3, 3}, {'C', 2, 2}, {'D', 2, 3}}}},
};

static bool ascii_equal_fold(const char *a, const char *s, size_t n)
{
    if (strlen(a) != n || n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
        if (c != a[i])
            return false;
    }
    return true;
}

enum tz_plate_country tz_plate_country_parse(const char *s, size_t n)
{
    for (int c = 1; c < TZ_PLATE_COUNTRY_COUNT; c++)
        for (int k = 0; k < 3; k++)
            if (ascii_equal_fold(RULE[c].names[k], s, n))
                return (enum tz_plate_country)c;
    return TZ_PLATE_GENERIC;
}

const char *tz_plate_country_code(enum tz_plate_country c)
{
    return (unsigned)c < TZ_PLATE_COUNTRY_COUNT ? RULE[c].code : "";
}

/* One symbol of a plate for the shape check: an ASCII letter or digit; 'U' stands for an umlaut. */
static bool in_class(char cls, char sym, bool umlaut)
{
    bool letter = umlaut || (sym >= 'A' && sym <= 'Z');
    bool digit = !umlaut && sym >= '0' && sym <= '9';
    switch (cls) {
    case 'L':
        return letter;
    case 'D':
        return digit;
    case 'A':
        return letter || digit;
    case 'C':
        return !umlaut && sym && strchr("ABCEHIKMOPTXY", sym) != NULL;
    case 'e':
        return !umlaut && (sym == 'E' || sym == 'H');
    default:
        return false;
    }
}

/* Whether sym[0..n) matches runs (with backtracking over the run lengths). */
static bool match_runs(const char *sym, const bool *uml, size_t n, const struct run *r)
{
    if (r->cls == 0)
        return n == 0;
    size_t k = 0;
    while (k < r->min) {
        if (k >= n || !in_class(r->cls, sym[k], uml[k]))
            return false;
        k++;
    }
    for (;;) {
        if (match_runs(sym + k, uml + k, n - k, r + 1))
            return true;
        if (k >= r->max || k >= n || !in_class(r->cls, sym[k], uml[k]))
            return false;
        k++;
    }
}

static bool shape_known(enum tz_plate_country c, const char *sym, const bool *uml, size_t n)
{
    for (int i = 0; i < SHAPES_MAX; i++)
        if (RULE[c].shape[i][0].cls && match_runs(sym, uml, n, RULE[c].shape[i]))
            return true;
    return false;
}

/* Appends one folded character to the plate's text (UTF-8 for an umlaut). */
static tz_err plate_put(struct tz_plate *out, const struct folded *f, char *sym, bool *uml,
                        size_t *nsym)
{
    size_t need = f->umlaut ? 2 : 1;
    if (out->len + need > TZ_PLATE_MAX)
        return TZ_ETOOBIG;
    if (f->umlaut) {
        out->text[out->len++] = (char)(0xC0 | (f->umlaut >> 6));
        out->text[out->len++] = (char)(0x80 | (f->umlaut & 0x3F));
    } else {
        out->text[out->len++] = f->ascii;
    }
    sym[*nsym] = f->ascii;
    uml[*nsym] = f->umlaut != 0;
    (*nsym)++;
    return TZ_OK;
}

tz_err tz_plate_normalise(enum tz_plate_country c, const char *s, size_t n, struct tz_plate *out)
{
    memset(out, 0, sizeof *out);
    if ((unsigned)c >= TZ_PLATE_COUNTRY_COUNT)
        c = TZ_PLATE_GENERIC;
    out->country = c;
    memcpy(out->country_code, RULE[c].code, strlen(RULE[c].code) + 1);
    if (n > TZ_PLATE_INPUT_MAX)
        return TZ_ETOOBIG;
    char sym[TZ_PLATE_MAX];
    bool uml[TZ_PLATE_MAX];
    size_t nsym = 0;
    for (size_t i = 0, len = 0; i < n; i += len) {
        long cp = next_cp(s + i, n - i, &len);
        struct folded f;
        if (cp < 0 || !fold_char(cp, RULE[c].cyrillic, RULE[c].umlauts, &f))
            return TZ_EINVAL;
        out->separators_removed |= f.separator;
        out->case_folded |= f.lower;
        out->cyrillic_mapped |= f.cyrillic;
        if (f.separator)
            continue;
        tz_err err = plate_put(out, &f, sym, uml, &nsym);
        if (err != TZ_OK)
            return err;
    }
    if (out->len == 0)
        return TZ_EINVAL;
    out->confusable = skeleton(out->text, out->len, out->skeleton);
    out->format_known = shape_known(c, sym, uml, nsym);
    if (c == TZ_PLATE_RU && out->format_known) {
        const char *region = sym + 6;
        size_t rn = nsym - 6;
        out->kaliningrad =
            (rn == 2 && memcmp(region, "39", 2) == 0) || (rn == 2 && memcmp(region, "91", 2) == 0);
    }
    return TZ_OK;
}
