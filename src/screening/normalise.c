/*
 * normalise.c - a name as written into its parts (tz_screen_normalise).
 *
 * The name is checked as UTF-8 and cut into raw parts at spaces, hyphens and punctuation
 * (apostrophes join: O'Brien is one part, as is Zhukovs'kyi); each raw part is romanised
 * (translit.c). Then the rules over parts, as tables: particles (van, de, von...) glue to the
 * part they precede as another form, so "van Dijk" and "Vandijk" meet; the Arabic article al-/el-
 * likewise; "abd" joins the name it precedes (Abd al-Rahman, Abdurrahman); ibn/bin/bint X and
 * X oğlu/qızı make X a patronymic, as do the Slavic -ovich/-ovna endings; one letter is an
 * initial. Each part then gets its phonetic key and its name-variant class (phonetic.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "screening/internal.h"

/* Whether c separates parts (apostrophes do not: they are dropped inside a part). */
static bool is_separator(UChar32 c)
{
    if (c == '\'' || c == 0x2019 || c == 0x02BC || c == 0x02BB || c == 0x02BF || c == 0x02BE ||
        c == '`' || c == 0x00B4)
        return false;
    return u_isUWhiteSpace(c) || u_ispunct(c) || u_iscntrl(c) || u_hasBinaryProperty(c, UCHAR_DASH) ||
           c == '/' || c == '+' || c == '=' || (c >= '0' && c <= '9');
}

/* Copies the part s[0..n) as written into dst, cut at a whole character. */
static void copy_written(char dst[TZ_SCREEN_KEY_MAX], const char *s, size_t n)
{
    size_t k = n < TZ_SCREEN_KEY_MAX - 1 ? n : TZ_SCREEN_KEY_MAX - 1;
    while (k > 0 && k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    memcpy(dst, s, k);
    dst[k] = '\0';
}

/* Romanises the raw part s[0..n) (UTF-8, valid) into part. */
static tz_err raw_part(const char *s, size_t n, struct tz_screen_part *part, bool *arabic)
{
    UChar u[128];
    int32_t len = 0;
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8(u, (int32_t)(sizeof u / sizeof u[0]), &len, s, (int32_t)n, &st);
    if (U_FAILURE(st) || len > 64)
        return TZ_EINVAL;
    memset(part, 0, sizeof *part);
    copy_written(part->written, s, n);
    tz_err err = tz_screen_romanise(u, len, part, arabic);
    /* A part of apostrophes or marks alone has no letter: it is no part. */
    return err == TZ_EINVAL ? TZ_ENOTFOUND : err;
}

/*
 * Cuts s[0..n) at separators and hands each piece to fn, in order. TZ_EINVAL for invalid UTF-8,
 * a name over TZ_SCREEN_NAME_MAX bytes; else fn's first error.
 */
static tz_err cut(const char *s, size_t n, tz_err (*fn)(void *, const char *, size_t), void *ctx)
{
    if (!s || n > TZ_SCREEN_NAME_MAX)
        return TZ_EINVAL;
    int32_t i = 0, start = -1, len = (int32_t)n;
    while (i <= len) {
        UChar32 c = ' ';
        int32_t at = i;
        if (i < len) {
            U8_NEXT(s, i, len, c);
            if (c < 0 || c == 0)
                return TZ_EINVAL;
        } else {
            i++;
        }
        if (!is_separator(c)) {
            if (start < 0)
                start = at;
            continue;
        }
        if (start < 0)
            continue;
        tz_err err = fn(ctx, s + start, (size_t)(at - start));
        if (err)
            return err;
        start = -1;
    }
    return TZ_OK;
}

/* The raw parts of a name being normalised, and its stored keys being written or read. */
struct raws {
    struct tz_screen_part raw[TZ_SCREEN_RAW_MAX];
    bool arabic[TZ_SCREEN_RAW_MAX];
    size_t nraw;
    char *keys; /* written (cap bytes, "" when they do not fit) or read (NUL-terminated) */
    size_t cap, used;
    const char *at; /* where reading stands */
};

/* Appends text to the keys; when they do not fit they are given up ("", cap 0). */
static void keys_put(struct raws *r, const char *text, size_t n)
{
    if (r->cap == 0)
        return;
    if (r->used + n >= r->cap) {
        r->keys[0] = '\0', r->cap = 0;
        return;
    }
    memcpy(r->keys + r->used, text, n);
    r->used += n;
    r->keys[r->used] = '\0';
}

/* The keys of one piece: " -" without a letter, else its origin (S, F, T), A when written in
 * Arabic script, and its forms separated by commas. */
static void keys_piece(struct raws *r, const struct tz_screen_part *p, bool arabic, bool letter)
{
    static const char ORIGIN[] = {
        [TZ_SCREEN_SAME] = 'S', [TZ_SCREEN_FOLDED] = 'F', [TZ_SCREEN_TRANSLIT] = 'T'};
    if (!r->keys)
        return;
    char head[4] = {' ', '-', 'A', 0};
    if (!letter) {
        keys_put(r, head, 2);
        return;
    }
    head[1] = p->origin <= TZ_SCREEN_TRANSLIT ? ORIGIN[p->origin] : 'S';
    keys_put(r, head, arabic ? 3 : 2);
    for (uint8_t f = 0; f < p->nforms; f++) {
        if (f)
            keys_put(r, ",", 1);
        keys_put(r, p->form[f], strlen(p->form[f]));
    }
}

static tz_err piece_romanised(void *ctx, const char *s, size_t n)
{
    struct raws *r = ctx;
    if (r->nraw >= TZ_SCREEN_RAW_MAX)
        return TZ_EINVAL;
    tz_err err = raw_part(s, n, &r->raw[r->nraw], &r->arabic[r->nraw]);
    if (err && err != TZ_ENOTFOUND)
        return err;
    keys_piece(r, &r->raw[r->nraw], r->arabic[r->nraw], err == TZ_OK);
    r->nraw += err == TZ_OK;
    return TZ_OK;
}

tz_err tz_screen_normalise(const char *s, size_t n, struct tz_screen_name *out)
{
    return tz_screen_normalise_keys(s, n, out, NULL, 0);
}

tz_err tz_screen_normalise_keys(const char *s, size_t n, struct tz_screen_name *out, char *keys,
                                size_t cap)
{
    struct raws r = {.keys = cap ? keys : NULL, .cap = cap};
    memset(out, 0, sizeof *out);
    if (r.keys) {
        r.used = (size_t)snprintf(keys, cap, "%s", TZ_SCREEN_KEYS_VERSION);
        if (r.used >= cap)
            keys[0] = '\0', r.cap = 0;
    }
    tz_err err = cut(s, n, piece_romanised, &r);
    if (!err)
        err = tz_screen_parts_finish(r.raw, r.arabic, r.nraw, out);
    if (err && r.cap)
        keys[0] = '\0';
    return err;
}

/* Reads one piece's forms from the stored keys instead of ICU. */
static tz_err piece_stored(void *ctx, const char *s, size_t n)
{
    struct raws *r = ctx;
    const char *k = r->at;
    if (k[0] != ' ' || !k[1])
        return TZ_EINVAL;
    k++;
    if (*k == '-') {
        r->at = k + 1;
        return TZ_OK;
    }
    if (r->nraw >= TZ_SCREEN_RAW_MAX)
        return TZ_EINVAL;
    struct tz_screen_part *p = &r->raw[r->nraw];
    memset(p, 0, sizeof *p);
    p->origin = *k == 'S' ? TZ_SCREEN_SAME : *k == 'F' ? TZ_SCREEN_FOLDED : TZ_SCREEN_TRANSLIT;
    if (*k != 'S' && *k != 'F' && *k != 'T')
        return TZ_EINVAL;
    k++;
    r->arabic[r->nraw] = *k == 'A';
    k += *k == 'A';
    while (*k >= 'a' && *k <= 'z') {
        size_t len = 0;
        while (k[len] >= 'a' && k[len] <= 'z')
            len++;
        if (len >= TZ_SCREEN_KEY_MAX || p->nforms >= TZ_SCREEN_FORMS_MAX)
            return TZ_EINVAL;
        memcpy(p->form[p->nforms], k, len);
        p->form[p->nforms++][len] = '\0';
        k += len;
        k += *k == ',';
    }
    if (p->nforms == 0 || (*k && *k != ' '))
        return TZ_EINVAL;
    copy_written(p->written, s, n);
    r->at = k;
    r->nraw++;
    return TZ_OK;
}

tz_err tz_screen_normalise_stored(const char *s, size_t n, const char *keys,
                                  struct tz_screen_name *out)
{
    size_t vlen = strlen(TZ_SCREEN_KEYS_VERSION);
    memset(out, 0, sizeof *out);
    if (!keys || strncmp(keys, TZ_SCREEN_KEYS_VERSION, vlen) != 0)
        return TZ_EINVAL;
    struct raws r = {.at = keys + vlen};
    tz_err err = cut(s, n, piece_stored, &r);
    if (!err && *r.at) /* keys of more pieces than the name has: not this name's */
        err = TZ_EINVAL;
    if (!err)
        err = tz_screen_parts_finish(r.raw, r.arabic, r.nraw, out);
    if (err)
        memset(out, 0, sizeof *out);
    return err;
}

/* Particles that glue to the part they precede (as another form of it). */
static const char *const PARTICLES[] = {"van", "von", "de", "der", "den", "del", "della", "da",
                                        "di", "du", "la", "le", "ter", "ten", "dos", "das",
                                        "al", "el", "ul", "zu", "vom", "ver", "mac", "st", "o"};
/* Words that make the part after them a patronymic. */
static const char *const PATRONYM_BEFORE[] = {"ibn", "bin", "bint", "ben", "ould", "ap"};
/* Words that make the part before them a patronymic (Azerbaijani, Turkish, Kazakh). */
static const char *const PATRONYM_AFTER[] = {"oglu", "ogly", "ogli", "qizi", "kizi", "gizi",
                                             "kyzy", "uly", "uulu"};
/* Endings of Slavic patronymics. */
static const char *const PATRONYM_ENDINGS[] = {"ovich", "evich", "ovych", "evych", "ich",
                                               "ovna",  "evna",  "ivna",  "ichna", "ovycha"};

static bool in_list(const char *w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(w, list[i]) == 0)
            return true;
    return false;
}
#define IN(w, list) in_list((w), (list), sizeof(list) / sizeof((list)[0]))

static bool ends_with_patronymic(const char *w)
{
    size_t n = strlen(w);
    for (size_t i = 0; i < sizeof PATRONYM_ENDINGS / sizeof PATRONYM_ENDINGS[0]; i++) {
        size_t k = strlen(PATRONYM_ENDINGS[i]);
        if (n > k + 2 && strcmp(w + n - k, PATRONYM_ENDINGS[i]) == 0)
            return true;
    }
    return false;
}

/* Adds prefix + each form of part as more forms of it; returns how many forms it had. */
static uint8_t glue(struct tz_screen_part *part, const char *prefix)
{
    uint8_t n = part->nforms;
    for (uint8_t i = 0; i < n; i++) {
        char f[TZ_SCREEN_KEY_MAX];
        int k = snprintf(f, sizeof f, "%s%s", prefix, part->form[i]);
        if (k > 0 && (size_t)k < sizeof f)
            tz_screen_part_add_form(part, f);
    }
    return n;
}

/* The Arabic article written into a part (الحسن as alhasan): the form without it goes first. */
static void strip_article(struct tz_screen_part *part)
{
    const char *f = part->form[0];
    if (strlen(f) <= 4 || strncmp(f, "al", 2) != 0)
        return;
    char bare[TZ_SCREEN_KEY_MAX], with[TZ_SCREEN_KEY_MAX];
    memcpy(with, f, strlen(f) + 1);
    memcpy(bare, f + 2, strlen(f + 2) + 1);
    memcpy(part->form[0], bare, strlen(bare) + 1);
    tz_screen_part_add_form(part, with);
}

/* "abd" (and abdul, abdel) joins the next part: Abd al-Rahman is one name. */
static bool is_abd(const char *w)
{
    return strcmp(w, "abd") == 0 || strcmp(w, "abdul") == 0 || strcmp(w, "abdel") == 0 ||
           strcmp(w, "abdal") == 0 || strcmp(w, "abu") == 0;
}

static void set_str(char *restrict dst, const char *restrict src, size_t cap)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The phonetic key, the variant class (by a spelling; for Arabic script, whose short vowels are
 * not written, by the phonetic key) and the key the index files the part under. */
static void finish_keys(struct tz_screen_part *p)
{
    tz_screen_phonetic(p->form[0], p->phon);
    p->variant[0] = '\0';
    const char *v = NULL;
    for (uint8_t i = 0; i < p->nforms && !v; i++)
        v = tz_screen_variant_of(p->form[i]);
    if (!v && p->abjad)
        v = tz_screen_variant_of_key(p->phon);
    set_str(p->key, p->phon, sizeof p->key);
    if (v) {
        set_str(p->variant, v, sizeof p->variant);
        tz_screen_phonetic(v, p->key);
    }
    if (p->role == TZ_SCREEN_PART_NAME && strlen(p->form[0]) == 1)
        p->role = TZ_SCREEN_PART_INITIAL;
}

tz_err tz_screen_parts_finish(struct tz_screen_part *raw, const bool *arabic, size_t nraw,
                              struct tz_screen_name *out)
{
    char prefix[TZ_SCREEN_KEY_MAX] = "";
    bool patronym_next = false;
    for (size_t i = 0; i < nraw; i++) {
        struct tz_screen_part *p = &raw[i];
        const char *w = p->form[0];
        bool last = i + 1 == nraw;
        if (arabic[i]) {
            strip_article(p);
            p->abjad = 1;
        }
        if (!last && (IN(w, PARTICLES) || is_abd(w))) {
            size_t have = strlen(prefix), add = strlen(w);
            if (have + add < sizeof prefix)
                memcpy(prefix + have, w, add + 1);
            continue;
        }
        if (!last && IN(w, PATRONYM_BEFORE)) {
            patronym_next = true;
            continue;
        }
        if (IN(w, PATRONYM_AFTER)) {
            if (out->nparts > 0)
                out->part[out->nparts - 1].role = TZ_SCREEN_PART_PATRONYMIC;
            continue;
        }
        if (out->nparts >= TZ_SCREEN_PARTS_MAX)
            return TZ_EINVAL;
        struct tz_screen_part *o = &out->part[out->nparts++];
        *o = *p;
        if (patronym_next || ends_with_patronymic(o->form[0]))
            o->role = TZ_SCREEN_PART_PATRONYMIC;
        patronym_next = false;
        if (prefix[0]) {
            /* abd + name is one name: its joined form goes first. */
            bool abd = is_abd(prefix) || strncmp(prefix, "abd", 3) == 0 ||
                       strncmp(prefix, "abu", 3) == 0;
            uint8_t had = glue(o, prefix);
            if (abd && o->nforms > had) {
                char first[TZ_SCREEN_KEY_MAX];
                memcpy(first, o->form[had], TZ_SCREEN_KEY_MAX);
                memcpy(o->form[had], o->form[0], TZ_SCREEN_KEY_MAX);
                memcpy(o->form[0], first, TZ_SCREEN_KEY_MAX);
            }
            prefix[0] = '\0';
        }
        finish_keys(o);
    }
    return out->nparts ? TZ_OK : TZ_EINVAL;
}
