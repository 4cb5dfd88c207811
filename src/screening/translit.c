/*
 * translit.c - romanisation of one name part with ICU (utrans_*), one transliterator per
 * scheme.
 *
 * A scheme is ICU rule text: a chain of ICU's own transliterators (ISO 9-like Any-Latin, the
 * BGN/PCGN ones) or rules of ours where ICU has none (the passport practice of ICAO Doc 9303 for
 * Cyrillic, a reading of Arabic script with its long vowels and positional waw and ya), each
 * followed by one fold to a-z. The schemes of a part are chosen by its script; every distinct
 * result becomes one of the part's forms, so that a name is found under every romanisation a
 * clerk may have used. Transliterators are opened on first use and shared behind a mutex (an ICU
 * transliterator may not be used by two threads at once).
 *
 * The results are remembered (a table of CACHE_SLOTS pieces, the last one in its slot): the
 * schemes are constants, so a piece always gives the same forms, and names repeat (given names
 * above all), while a chain of ICU transliterators costs tens of microseconds a piece, the half
 * of a person query. The table is behind the same mutex.
 */
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "screening/internal.h"

/* The fold every scheme ends with: special letters first (ICU's Latin-ASCII leaves ə and ı),
 * then Latin-ASCII, marks removed, anything but a-z dropped. */
#define FOLD                                                                                       \
    "::NFC; ::Lower; ə > e; ı > i; ł > l; ß > ss; ø > o; æ > ae; œ > oe; đ > dj; ð > d; þ > th;"   \
    " ħ > h; ŋ > ng; ::Latin-ASCII; ::NFD; ::[:Nonspacing Mark:] Remove; [^a-z] > ;"
/* The German and Scandinavian spelling of umlauts (Müller as Mueller, Jørgensen as Joergensen),
 * and Azerbaijani ə as the a that Russian-based spellings write (Əliyev as Aliyev). */
#define FOLD_DE ":: NFC; ::Lower; ä > ae; ö > oe; ü > ue; ø > oe; å > aa; ə > a;" FOLD

/* The letters of Azerbaijani and Kazakh Cyrillic as their Latin alphabets write them (ICU's
 * Cyrillic-Latin drops some, һ among them): before every Cyrillic scheme. */
#define CYR_PRE "::Lower; һ > h; ҹ > c; ғ > ğ; ҝ > g; ө > ö; ү > ü; ә > ə; ј > y; қ > q; ң > ng; ұ > u;"

/* Russian passports since 2014 and Ukrainian ones follow ICAO Doc 9303's table: ICU has none. */
#define ICAO_CYRILLIC                                                                              \
    CYR_PRE " ж > zh; х > kh; ц > ts; ч > ch; ш > sh; щ > shch; ъ > ie; ы > y; ь > ; ю > iu;"      \
    " я > ia; й > i; ё > e; є > ie; ї > i; і > i; ґ > g; ::Any-Latin;"

/* Arabic script read as a romanised name: long vowels written, waw and ya as consonants at the
 * start of a part or before alif, the article kept (parts.c strips it); ICU's Arabic-Latin
 * writes consonants only. */
#define ARABIC_READ                                                                                \
    "[\\u064B-\\u0652] > ; الله > allah; ء > ; أ > a; إ > i; آ > a; ؤ > u; ئ > i; ى > a; ة > a; ع } ا > a;"        \
    " ^ع > a; ع > ; و } ا > w; ^و > w; و > u; ي } ا > y; ^ي > y; ي > i; ا > a; ب > b; ت > t;"       \
    " ث > th; ج > j; ح > h; خ > kh; د > d; ذ > dh; ر > r; ز > z; س > s; ش > sh; ص > s; ض > d;"    \
    " ط > t; ظ > z; غ > gh; ف > f; ق > q; ك > k; ل > l; م > m; ن > n; ه > h; پ > p; چ > ch;"      \
    " گ > g; ژ > zh; ::Any-Latin;"

enum scheme {
    S_FOLD,
    S_FOLD_DE,
    S_ISO9,
    S_RU_BGN,
    S_UK_BGN,
    S_BE_BGN,
    S_BG_BGN,
    S_ICAO,
    S_GREEK_UN,
    S_GREEK_BGN,
    S_GEORGIAN,
    S_ARMENIAN,
    S_ARABIC,
    S_ARABIC_BGN,
    S_ANY,
    S_COUNT
};

static const char *const RULES[S_COUNT] = {
    [S_FOLD] = FOLD,
    [S_FOLD_DE] = FOLD_DE,
    [S_ISO9] = CYR_PRE "::Any-Latin;" FOLD,
    [S_RU_BGN] = CYR_PRE "::Russian-Latin/BGN; ::Any-Latin;" FOLD,
    [S_UK_BGN] = CYR_PRE "::Ukrainian-Latin/BGN; ::Any-Latin;" FOLD,
    [S_BE_BGN] = CYR_PRE "::Belarusian-Latin/BGN; ::Any-Latin;" FOLD,
    [S_BG_BGN] = CYR_PRE "::Bulgarian-Latin/BGN; ::Any-Latin;" FOLD,
    [S_ICAO] = ICAO_CYRILLIC FOLD,
    [S_GREEK_UN] = "::Greek-Latin/UNGEGN; ::Any-Latin;" FOLD,
    [S_GREEK_BGN] = "::Greek-Latin/BGN; ::Any-Latin;" FOLD,
    [S_GEORGIAN] = "::Georgian-Latin/BGN; ::Any-Latin;" FOLD,
    [S_ARMENIAN] = "::Armenian-Latin/BGN; ::Any-Latin;" FOLD,
    [S_ARABIC] = ARABIC_READ FOLD,
    [S_ARABIC_BGN] = "::Arabic-Latin/BGN; ::Any-Latin;" FOLD,
    [S_ANY] = "::Any-Latin;" FOLD,
};

/* The schemes of each script, in the order their forms are kept (S_COUNT ends a list). */
struct script_schemes {
    UScriptCode script;
    enum scheme list[8];
};
static const struct script_schemes BY_SCRIPT[] = {
    {USCRIPT_LATIN, {S_FOLD, S_FOLD_DE, S_COUNT}},
    {USCRIPT_CYRILLIC, {S_ICAO, S_RU_BGN, S_ISO9, S_UK_BGN, S_BE_BGN, S_BG_BGN, S_COUNT}},
    {USCRIPT_GREEK, {S_GREEK_UN, S_GREEK_BGN, S_ANY, S_COUNT}},
    {USCRIPT_GEORGIAN, {S_GEORGIAN, S_ANY, S_COUNT}},
    {USCRIPT_ARMENIAN, {S_ARMENIAN, S_ANY, S_COUNT}},
    {USCRIPT_ARABIC, {S_ARABIC, S_ARABIC_BGN, S_COUNT}},
};
static const enum scheme OTHER_SCRIPT[] = {S_ANY, S_COUNT};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static UTransliterator *trans[S_COUNT];

/* A romanised piece remembered: its UTF-16 text (pieces longer than CACHE_UNITS are not kept)
 * and what it gave. */
#define CACHE_SLOTS 8192u
#define CACHE_UNITS 32
struct cached {
    uint8_t used, len, origin, arabic, nforms;
    UChar text[CACHE_UNITS];
    char form[TZ_SCREEN_FORMS_MAX][TZ_SCREEN_KEY_MAX];
};
static struct cached cache[CACHE_SLOTS];

static struct cached *cache_slot(const UChar *s, int32_t n)
{
    uint32_t h = 2166136261u;
    for (int32_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 16777619u;
    return &cache[h % CACHE_SLOTS];
}

/* Fills part from the table when s is there; under the lock. */
static bool cache_get(const UChar *s, int32_t n, struct tz_screen_part *part, bool *arabic)
{
    if (n > CACHE_UNITS)
        return false;
    const struct cached *c = cache_slot(s, n);
    if (!c->used || c->len != n || memcmp(c->text, s, (size_t)n * sizeof *s) != 0)
        return false;
    part->origin = c->origin, *arabic = c->arabic, part->nforms = c->nforms;
    memcpy(part->form, c->form, c->nforms * sizeof c->form[0]);
    return true;
}

static void cache_put(const UChar *s, int32_t n, const struct tz_screen_part *part, bool arabic)
{
    if (n > CACHE_UNITS)
        return;
    struct cached *c = cache_slot(s, n);
    c->used = 1, c->len = (uint8_t)n, c->origin = part->origin, c->arabic = arabic;
    c->nforms = part->nforms;
    memcpy(c->text, s, (size_t)n * sizeof *s);
    memcpy(c->form, part->form, part->nforms * sizeof c->form[0]);
}

/* Opens scheme s under the lock; NULL when ICU fails. */
static UTransliterator *open_scheme(enum scheme s)
{
    if (trans[s])
        return trans[s];
    UChar rules[2048];
    int32_t len = 0;
    UErrorCode st = U_ZERO_ERROR;
    u_strFromUTF8(rules, (int32_t)(sizeof rules / sizeof rules[0]), &len, RULES[s], -1, &st);
    if (U_FAILURE(st))
        return NULL;
    UParseError pe;
    static const UChar ID[] = {'t', 'z', '-', 's', 'c', 'r', 'e', 'e', 'n', 0};
    trans[s] = utrans_openU(ID, -1, UTRANS_FORWARD, rules, len, &pe, &st);
    if (U_FAILURE(st)) {
        trans[s] = NULL;
        return NULL;
    }
    return trans[s];
}

void tz_screen_release(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < S_COUNT; i++) {
        if (trans[i])
            utrans_close(trans[i]);
        trans[i] = NULL;
    }
    memset(cache, 0, sizeof cache);
    pthread_mutex_unlock(&lock);
}

void tz_screen_part_add_form(struct tz_screen_part *part, const char *form)
{
    if (!form[0] || part->nforms >= TZ_SCREEN_FORMS_MAX || strlen(form) >= TZ_SCREEN_KEY_MAX)
        return;
    for (size_t i = 0; i < part->nforms; i++)
        if (strcmp(part->form[i], form) == 0)
            return;
    memcpy(part->form[part->nforms++], form, strlen(form) + 1);
}

/* The script of the first letter whose script is neither Common nor Inherited. */
static UScriptCode script_of(const UChar *s, int32_t n)
{
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U16_NEXT(s, i, n, c);
        UErrorCode st = U_ZERO_ERROR;
        UScriptCode sc = uscript_getScript(c, &st);
        if (U_SUCCESS(st) && sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED)
            return sc;
    }
    return USCRIPT_LATIN;
}

static const enum scheme *schemes_of(UScriptCode sc)
{
    for (size_t i = 0; i < sizeof BY_SCRIPT / sizeof BY_SCRIPT[0]; i++)
        if (BY_SCRIPT[i].script == sc)
            return BY_SCRIPT[i].list;
    return OTHER_SCRIPT;
}

/* Runs scheme s over s16 and adds the result to part; under the lock. */
static tz_err run_scheme(enum scheme s, const UChar *s16, int32_t n, struct tz_screen_part *part)
{
    UTransliterator *t = open_scheme(s);
    if (!t)
        return TZ_ENOMEM;
    UChar buf[256];
    if (n > 64)
        return TZ_EINVAL;
    memcpy(buf, s16, (size_t)n * sizeof(UChar));
    int32_t len = n, limit = n;
    UErrorCode st = U_ZERO_ERROR;
    utrans_transUChars(t, buf, &len, (int32_t)(sizeof buf / sizeof buf[0]), 0, &limit, &st);
    if (U_FAILURE(st))
        return st == U_BUFFER_OVERFLOW_ERROR ? TZ_EINVAL : TZ_ENOMEM;
    char out[TZ_SCREEN_KEY_MAX];
    int32_t olen = 0;
    u_strToUTF8(out, (int32_t)sizeof out, &olen, buf, len, &st);
    if (U_FAILURE(st) || olen >= (int32_t)sizeof out)
        return TZ_OK; /* longer than a key: this scheme gives no form */
    out[olen] = '\0';
    tz_screen_part_add_form(part, out);
    return TZ_OK;
}

static bool all_ascii(const UChar *s, int32_t n)
{
    for (int32_t i = 0; i < n; i++)
        if (s[i] >= 0x80)
            return false;
    return true;
}

/* The fast path of an ASCII part: its letters in lower case, no ICU. */
static void ascii_form(const UChar *s, int32_t n, struct tz_screen_part *part)
{
    char out[TZ_SCREEN_KEY_MAX];
    size_t k = 0;
    for (int32_t i = 0; i < n && k + 1 < sizeof out; i++) {
        UChar c = s[i];
        if (c >= 'A' && c <= 'Z')
            out[k++] = (char)(c - 'A' + 'a');
        else if (c >= 'a' && c <= 'z')
            out[k++] = (char)c;
    }
    out[k] = '\0';
    tz_screen_part_add_form(part, out);
}

tz_err tz_screen_romanise(const UChar *s, int32_t n, struct tz_screen_part *part, bool *arabic)
{
    *arabic = false;
    part->nforms = 0;
    if (all_ascii(s, n)) {
        part->origin = TZ_SCREEN_SAME;
        ascii_form(s, n, part);
        return part->nforms ? TZ_OK : TZ_EINVAL;
    }
    tz_err err = TZ_OK;
    pthread_mutex_lock(&lock);
    if (cache_get(s, n, part, arabic)) {
        pthread_mutex_unlock(&lock);
        return part->nforms ? TZ_OK : TZ_EINVAL;
    }
    UScriptCode sc = script_of(s, n);
    *arabic = sc == USCRIPT_ARABIC;
    part->origin = sc == USCRIPT_LATIN ? TZ_SCREEN_FOLDED : TZ_SCREEN_TRANSLIT;
    for (const enum scheme *p = schemes_of(sc); *p != S_COUNT && !err; p++)
        err = run_scheme(*p, s, n, part);
    if (!err)
        cache_put(s, n, part, *arabic);
    pthread_mutex_unlock(&lock);
    if (err)
        return err;
    return part->nforms ? TZ_OK : TZ_EINVAL;
}
