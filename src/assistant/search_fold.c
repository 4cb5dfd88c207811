/*
 * assistant/search_fold.c - one spelling for every way a word is written, for the search index.
 *
 * Index and query are folded alike, so what matches is the folded form. Three steps:
 *  1. ICU's transliteration (libicu, Debian's): Cyrillic by BGN/PCGN (the romanisation of
 *     passports and of English-language documents: Алиев -> aliyev, Щербаков -> shcherbakov),
 *     every other script by Any-Latin, then Latin-ASCII and Lower (Wałęsa -> walesa). Pure
 *     ASCII text, most of what is written, skips ICU. Azerbaijani ə, which Latin-ASCII keeps,
 *     becomes a first.
 *  2. Words are runs of ASCII letters and digits; anything else separates them, except the
 *     marks transliteration leaves inside words (BGN's middle dot, the Arabic ayin), dropped.
 *  3. The spellings of one sound are folded (FOLDS below): Polish, Czech, German and English
 *     write ш as sz, š, sch, sh; ч as cz, č, ch; в as w, v; й as j, y, i; and a doubled letter
 *     is one. "Aliyev", "Aliev" and "Alijew" all become "aliev", "Szewczenko" and "Shevchenko"
 *     "sevcenko". The fold loses distinctions (a search finds a little more), never a match.
 *     Polish ch (х) meets English ch (ч) here: English wins, the spelling of most documents.
 */
#include "assistant/search.h"

#include <ctype.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>

#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "assistant/lang_internal.h"

#define TOKEN_MAX 64 /* bytes of a folded word kept, the rest dropped */

static const char TRANSFORM[] = "Russian-Latin/BGN; Any-Latin; Latin-ASCII; Lower";

/* Longest first where one is the start of another. */
static const struct {
    const char *from, *to;
} FOLDS[] = {
    {"shch", "s"}, {"sch", "s"}, {"sh", "s"}, {"sz", "s"}, {"zh", "z"}, {"rz", "z"},
    {"ch", "c"},   {"cz", "c"},  {"kh", "h"}, {"ts", "c"}, {"w", "v"},  {"y", "i"},
    {"j", "i"},    {"x", "h"},
};

/* One transliterator for the process: ICU's are not thread-safe, and folding is short. */
static struct {
    pthread_once_t once;
    pthread_mutex_t lock;
    UTransliterator *t;
} icu = {PTHREAD_ONCE_INIT, PTHREAD_MUTEX_INITIALIZER, NULL};

static void icu_open(void)
{
    UChar id[sizeof TRANSFORM];
    UErrorCode st = U_ZERO_ERROR;
    u_uastrncpy(id, TRANSFORM, (int32_t)sizeof TRANSFORM);
    icu.t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
    if (U_FAILURE(st))
        icu.t = NULL;
}

/* s[0..n) through ICU into out (ASCII, lower case, with the odd leftover mark). */
static tz_err transliterate(const char *s, size_t n, struct tz_buf *out)
{
    UChar *u = NULL;
    char *utf8 = NULL;
    int32_t len = 0, cap = (int32_t)(n * 4 + 16), limit, olen = 0;
    UErrorCode st = U_ZERO_ERROR;
    tz_err err = TZ_ENOMEM;

    pthread_once(&icu.once, icu_open);
    if (!icu.t)
        return TZ_ENOTFOUND;
    u = malloc((size_t)cap * sizeof *u);
    utf8 = malloc((size_t)cap * 3 + 1);
    if (!u || !utf8)
        goto done;
    u_strFromUTF8(u, cap, &len, s, (int32_t)n, &st);
    for (int32_t i = 0; i < len; i++)
        if (u[i] == 0x259 || u[i] == 0x18F) /* ə, Ə */
            u[i] = 'a';
    limit = len;
    pthread_mutex_lock(&icu.lock);
    if (U_SUCCESS(st))
        utrans_transUChars(icu.t, u, &len, cap, 0, &limit, &st);
    pthread_mutex_unlock(&icu.lock);
    if (U_SUCCESS(st))
        u_strToUTF8(utf8, cap * 3, &olen, u, len, &st);
    err = U_FAILURE(st) ? TZ_EINVAL : tz_buf_append(out, utf8, (size_t)olen);
done:
    free(u);
    free(utf8);
    return err;
}

/* Folds the word w[0..n) (ASCII lower case) and appends it, space first unless out is empty. */
static tz_err put_word(const char *w, size_t n, struct tz_buf *out)
{
    char f[TOKEN_MAX];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof f;) {
        size_t j = 0, m = 0;
        while (j < sizeof FOLDS / sizeof FOLDS[0]) {
            m = strlen(FOLDS[j].from);
            if (m <= n - i && memcmp(w + i, FOLDS[j].from, m) == 0)
                break;
            j++;
        }
        char c = j < sizeof FOLDS / sizeof FOLDS[0] ? FOLDS[j].to[0] : w[i];
        i += j < sizeof FOLDS / sizeof FOLDS[0] ? m : 1;
        if (k == 0 || f[k - 1] != c) /* a doubled letter is one */
            f[k++] = c;
    }
    if (k == 0)
        return TZ_OK;
    if (out->len > 0 && tz_buf_append(out, " ", 1) != TZ_OK)
        return TZ_ETOOBIG;
    return tz_buf_append(out, f, k);
}

/* The words of the ASCII text t[0..n) folded into out. */
static tz_err words(const char *t, size_t n, struct tz_buf *out)
{
    char w[TOKEN_MAX];
    size_t k = 0;
    tz_err err = TZ_OK;
    for (size_t i = 0; i <= n && !err; i++) {
        unsigned char c = i < n ? (unsigned char)t[i] : ' ';
        if (c >= 0x80)
            continue; /* a mark left inside a word (BGN's middle dot, the ayin): dropped */
        if (isalnum(c)) {
            if (k < sizeof w)
                w[k++] = (char)tolower(c);
            continue;
        }
        err = put_word(w, k, out);
        k = 0;
    }
    return err;
}

tz_err tz_search_fold(const char *s, size_t n, struct tz_buf *out)
{
    struct tz_buf t;
    bool ascii = true;
    size_t i = 0;
    tz_err err;

    if (n > TZ_SEARCH_FOLD_MAX)
        return TZ_ETOOBIG;
    while (i < n) {
        if (tz_lang_utf8_next(s, n, &i) < 0)
            return TZ_EINVAL;
    }
    for (i = 0; i < n && ascii; i++)
        ascii = (unsigned char)s[i] < 0x80;
    if (ascii)
        return words(s, n, out);
    tz_buf_init(&t, TZ_SEARCH_FOLD_MAX * 4);
    err = transliterate(s, n, &t);
    if (!err)
        err = words(t.data ? t.data : "", t.len, out);
    tz_buf_free(&t);
    return err;
}
