/*
 * assistant/lang_ident.c - the language of a text: n-gram distance plus letter evidence.
 *
 * The n-gram half is Cavnar and Trenkle's out-of-place measure over the fingerprints Debian ships
 * in libexttextcat-data (400 ranked 1- to 5-grams per language, words padded with '_'), which is
 * what libexttextcat's textcat_Classify does. We score them ourselves instead of calling
 * textcat_Classify because (measured on tests/data/assistant/lang/eval.tsv, docs/assistant-lang.md)
 * textcat answers only when the best few languages lie within 3 % of each other and otherwise says
 * UNKNOWN, gives no score to combine with anything, and keeps its state in the handle (a lock per
 * call); here the fingerprints are one read-only table shared by every thread, every candidate gets
 * a distance, and the text is lower-cased first (the fingerprints are).
 *
 * The letter half is what makes short texts work: the script decides the candidates (Georgian is
 * ka, Arabic script ar, Cyrillic ru/uk/be, Latin the rest), and a letter a language does not write
 * costs it (LETTER_COST per occurrence): ы, э, ё and ъ are never Ukrainian, і never Russian,
 * ў only Belarusian, ə Azerbaijani, ę and ł Polish, ř and ů Czech, ľ and ô Slovak, ß German.
 * The alphabets are the LANGS table.
 */
#include "assistant/lang_internal.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NGRAM_MAX 5        /* code points in an n-gram */
#define KEY_MAX 24         /* bytes of an n-gram, NUL included */
#define FP_RANKS 400       /* ranked n-grams per fingerprint and per text */
#define FP_SLOTS 16384     /* the fingerprint table (14 x 400 entries, at most) */
#define WINDOW 4096        /* code points of a text that are scored; enough, as textcat notes */
#define LETTER_COST 24.0   /* distance a foreign letter adds */
#define WORD_GAIN 24.0     /* distance a word of the language's list takes off */
#define ASCII_COST 6.0
#define PAIR_GAIN 8.0 /* Slovak and Czech moved apart, each way, per word of lang_pair.c */
#define MARK_COST 24.0     /* ... a text of MARK_LETTERS letters without any of its marks */
#define MARK_LETTERS 16     /* ... an ASCII letter the language does not write (loan words) */
#define DEFAULT_DIR "/usr/share/libexttextcat"

struct lang_def {
    const char *code;
    enum tz_script script;
    const char *own;   /* Latin: the non-ASCII letters it writes; Cyrillic: its whole alphabet */
    const char *nonascii; /* Latin: the ASCII letters it does not write (weak evidence) */
    const char *words;    /* short words of it and not of its neighbours, between spaces */
    const char *marks;    /* letters one of which nearly every text of it holds */
};

/* tz_lang_code's order. Letters lower-case; the fingerprints are <code>.lm. */
static const struct lang_def LANGS[] = {
    {.code = "pl", .script = TZ_SCRIPT_LATIN, .own = "ąćęłńóśźż", .nonascii = "qvx",
     .words = " się jest oraz lub przez dla może można czy jak tylko że jeśli jego nie ma być "
              "został "},
    {.code = "en", .script = TZ_SCRIPT_LATIN, .own = "", .nonascii = "",
     .words = " the of and to is are not for with this that from be "},
    {.code = "ru", .script = TZ_SCRIPT_CYRILLIC, .own = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
     .nonascii = "", .words = " что это как или удалось был была было нет его при "},
    {.code = "uk", .script = TZ_SCRIPT_CYRILLIC, .own = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
     .nonascii = "", .words = " що це як та або вдалося неможливо було його при немає "},
    {.code = "be", .script = TZ_SCRIPT_CYRILLIC, .own = "абвгдеёжзійклмнопрстуўфхцчшыьэюя",
     .nonascii = "", .words = " што гэта ці або немагчыма было яго пры няма ня "},
    {.code = "az", .script = TZ_SCRIPT_LATIN, .own = "çəğıöşü", .nonascii = "w",
     .words = " və üçün ilə deyil fayl olaraq edilə yoxdur ", .marks = "ə"},
    {.code = "tr", .script = TZ_SCRIPT_LATIN, .own = "çğıöşüâîû", .nonascii = "qwx",
     .words = " ve için ile değil dosya olarak veya yok "},
    {.code = "ar", .script = TZ_SCRIPT_ARABIC, .own = "", .nonascii = "", .words = ""},
    {.code = "de", .script = TZ_SCRIPT_LATIN, .own = "äöüß", .nonascii = "",
     .words = " der die das und ist nicht für mit von zu ein eine "},
    {.code = "fr", .script = TZ_SCRIPT_LATIN, .own = "àâæçéèêëîïôœùûüÿ", .nonascii = "",
     .words = " le les des et est pas pour une du un au "},
    {.code = "es", .script = TZ_SCRIPT_LATIN, .own = "áéíñóúü", .nonascii = "",
     .words = " el los las y es para una del un al por "},
    {.code = "ka", .script = TZ_SCRIPT_GEORGIAN, .own = "", .nonascii = "", .words = ""},
    {.code = "cs", .script = TZ_SCRIPT_LATIN, .own = "áčďéěíňóřšťúůýž", .nonascii = "",
     .words = " se není pro nebo jsou byl byla bylo může při pouze již který která které však "
              "nelze soubor souboru nepodařilo "},
    {.code = "sk", .script = TZ_SCRIPT_LATIN, .own = "áäčďéíĺľňóôŕšťúýž", .nonascii = "",
     .words = " sa sú pre alebo bol bola bolo môže pri iba už ktorý ktorá ktoré však nemožno "
              "súbor súboru nepodarilo nebol "},
};
#define NLANGS (sizeof LANGS / sizeof LANGS[0])

struct fp_entry {
    char key[KEY_MAX];
    int16_t rank[NLANGS]; /* -1: not in that fingerprint */
};

static struct {
    pthread_once_t once;
    pthread_mutex_t lock;
    tz_err err;    /* of the load, once done */
    int loaded;
    struct fp_entry *slots;
} g = {PTHREAD_ONCE_INIT, PTHREAD_MUTEX_INITIALIZER, TZ_OK, 0, NULL};

const char *tz_lang_code(size_t i)
{
    return i < NLANGS ? LANGS[i].code : NULL;
}

static uint32_t hash_key(const char *k, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

static struct fp_entry *fp_find(const char *key, size_t n, int create)
{
    size_t mask = FP_SLOTS - 1;
    size_t i = hash_key(key, n) & mask;
    for (size_t step = 0; step < FP_SLOTS; step++, i = (i + 1) & mask) {
        struct fp_entry *e = &g.slots[i];
        if (e->key[0] == '\0') {
            if (!create)
                return NULL;
            memcpy(e->key, key, n);
            e->key[n] = '\0';
            for (size_t l = 0; l < NLANGS; l++)
                e->rank[l] = -1;
            return e;
        }
        if (e->key[n] == '\0' && memcmp(e->key, key, n) == 0)
            return e;
    }
    return NULL;
}

/*
 * Debian's be.lm writes the Belarusian letter і (U+0456) as the Latin i; the text we score has the
 * Cyrillic letter, so the key is rewritten (line has room for the longer key).
 */
static size_t cyrillic_i(char *line, size_t n, size_t room)
{
    char out[KEY_MAX * 2];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 2 < sizeof out; i++) {
        if (line[i] == 'i') {
            out[k++] = (char)0xD1;
            out[k++] = (char)0x96;
        } else {
            out[k++] = line[i];
        }
    }
    if (k >= room || k >= KEY_MAX)
        return 0;
    memcpy(line, out, k);
    return k;
}

/* Reads one fingerprint file ("ngram<TAB>count" lines, most frequent first) as language l. */
static tz_err load_one(const char *dir, size_t l)
{
    char path[512], line[128];
    FILE *f;
    int rank = 0;
    tz_err err = TZ_OK;

    if (snprintf(path, sizeof path, "%s/%s.lm", dir, LANGS[l].code) >= (int)sizeof path)
        return TZ_EINVAL;
    f = fopen(path, "r");
    if (f == NULL)
        return TZ_ENOTFOUND;
    while (rank < FP_RANKS && fgets(line, sizeof line, f) != NULL) {
        size_t n = strcspn(line, "\t \n");
        struct fp_entry *e;
        if (n == 0 || n >= KEY_MAX)
            continue;
        if (strcmp(LANGS[l].code, "be") == 0)
            n = cyrillic_i(line, n, sizeof line);
        e = fp_find(line, n, 1);
        if (e == NULL) {
            err = TZ_ETOOBIG;
            goto done;
        }
        if (e->rank[l] < 0)
            e->rank[l] = (int16_t)rank++;
    }
done:
    fclose(f);
    return err;
}

tz_err tz_lang_load(const char *dir)
{
    tz_err err = TZ_OK;

    pthread_mutex_lock(&g.lock);
    if (g.loaded)
        goto done;
    g.slots = calloc(FP_SLOTS, sizeof *g.slots);
    if (g.slots == NULL) {
        err = TZ_ENOMEM;
        goto done;
    }
    for (size_t l = 0; l < NLANGS && err == TZ_OK; l++)
        if (LANGS[l].script == TZ_SCRIPT_LATIN || LANGS[l].script == TZ_SCRIPT_CYRILLIC)
            err = load_one(dir != NULL ? dir : DEFAULT_DIR, l);
    if (err != TZ_OK) {
        free(g.slots);
        g.slots = NULL;
        goto done;
    }
    g.loaded = 1;
done:
    pthread_mutex_unlock(&g.lock);
    return err;
}

static void load_default(void)
{
    g.err = tz_lang_load(NULL);
}

/* ---- a text's profile ---- */

struct gram {
    char key[KEY_MAX];
    uint32_t count;
};

struct profile {
    struct gram *t; /* open addressing, cap slots */
    size_t cap, used;
};

static tz_err profile_add(struct profile *p, const char *key, size_t n)
{
    size_t mask = p->cap - 1;
    size_t i = hash_key(key, n) & mask;
    for (;;) {
        struct gram *e = &p->t[i];
        if (e->count == 0) {
            if (p->used * 2 >= p->cap)
                return TZ_OK; /* full: the rarer n-grams of a long text are left out */
            memcpy(e->key, key, n);
            e->key[n] = '\0';
            e->count = 1;
            p->used++;
            return TZ_OK;
        }
        if (e->key[n] == '\0' && memcmp(e->key, key, n) == 0) {
            e->count++;
            return TZ_OK;
        }
        i = (i + 1) & mask;
    }
}

/* Adds every 1- to 5-gram of the padded word w[0..len) (code points, '_' at both ends). */
static tz_err profile_word(struct profile *p, const int32_t *w, size_t len)
{
    int32_t pad[WINDOW + 2];
    size_t m = len + 2;
    pad[0] = '_';
    memcpy(pad + 1, w, len * sizeof *w);
    pad[len + 1] = '_';
    for (size_t i = 0; i < m; i++) {
        char key[KEY_MAX];
        size_t kn = 0;
        for (size_t k = 0; k < NGRAM_MAX && i + k < m; k++) {
            tz_err err;
            kn += tz_lang_utf8_put(pad[i + k], key + kn);
            err = profile_add(p, key, kn);
            if (err != TZ_OK)
                return err;
        }
    }
    return TZ_OK;
}

static int by_count(const void *a, const void *b)
{
    const struct gram *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* What one pass over the text gathers. */
struct evidence {
    struct tz_lang_scripts scripts;
    double foreign[NLANGS]; /* letter cost against each language */
    double dist[NLANGS];    /* mean out-of-place distance */
    bool marked[NLANGS];    /* a mark letter of the language was seen */
    size_t grams;           /* ranked n-grams of the text */
    int sk_cs;              /* Slovak against Czech (lang_pair.c): > 0 leans Slovak */
};

static int owns(const char *alphabet, int32_t c)
{
    size_t i = 0, n = strlen(alphabet);
    while (i < n)
        if (tz_lang_utf8_next(alphabet, n, &i) == c)
            return 1;
    return 0;
}

static void letter_cost(struct evidence *ev, int32_t c, enum tz_script sc)
{
    for (size_t l = 0; l < NLANGS; l++) {
        const struct lang_def *d = &LANGS[l];
        if (d->script != sc)
            continue;
        if (d->marks != NULL && c >= 0x80 && owns(d->marks, c))
            ev->marked[l] = true;
        if (sc == TZ_SCRIPT_CYRILLIC && !owns(d->own, c))
            ev->foreign[l] += LETTER_COST;
        else if (sc == TZ_SCRIPT_LATIN && c >= 0x80 && !owns(d->own, c))
            ev->foreign[l] += LETTER_COST;
        else if (sc == TZ_SCRIPT_LATIN && c < 0x80 && strchr(d->nonascii, (int)c) != NULL)
            ev->foreign[l] += ASCII_COST;
    }
}

/*
 * The words of every language's list in one open-addressing table (word -> the languages that
 * list it), built once: a text's every word is looked up once instead of searched for in
 * fourteen lists (which was a quarter of an analysis' time).
 */
#define WORD_SLOTS 1024 /* a power of two, well above the lists' few hundred words */
#define WORD_MAX 48
static struct {
    char w[WORD_MAX];
    uint32_t langs;
} word_slots[WORD_SLOTS];
static pthread_once_t words_once = PTHREAD_ONCE_INIT;

static size_t word_slot(const char *w, size_t n)
{
    size_t i = hash_key(w, n) & (WORD_SLOTS - 1);
    while (word_slots[i].w[0] != '\0' &&
           !(word_slots[i].w[n] == '\0' && memcmp(word_slots[i].w, w, n) == 0))
        i = (i + 1) & (WORD_SLOTS - 1);
    return i;
}

static void words_index(void)
{
    for (size_t l = 0; l < NLANGS; l++)
        for (const char *p = LANGS[l].words; *p;) {
            while (*p == ' ')
                p++;
            size_t n = strcspn(p, " ");
            if (n > 0 && n < WORD_MAX) {
                size_t i = word_slot(p, n);
                memcpy(word_slots[i].w, p, n);
                word_slots[i].w[n] = '\0';
                word_slots[i].langs |= 1u << l;
            }
            p += n;
        }
}

/* Takes WORD_GAIN off each language whose word list holds the word w[0..len). */
static void word_gain(struct evidence *ev, const int32_t *w, size_t len)
{
    char key[4 * 16 + 1];
    size_t k = 0;
    if (len == 0 || len > 16)
        return;
    for (size_t i = 0; i < len; i++)
        k += tz_lang_utf8_put(w[i], key + k);
    if (k >= WORD_MAX)
        return;
    key[k] = '\0';
    pthread_once(&words_once, words_index);
    uint32_t langs = word_slots[word_slot(key, k)].langs;
    for (size_t l = 0; langs && l < NLANGS; l++)
        if (langs & (1u << l))
            ev->foreign[l] -= WORD_GAIN;
}

/* Reads the text: scripts, letter costs and the n-gram profile of its first WINDOW letters. */
static tz_err gather(const char *s, size_t n, struct profile *p, struct evidence *ev)
{
    int32_t word[WINDOW];
    size_t wl = 0, seen = 0, i = 0;
    tz_err err = TZ_OK;

    while (i < n) {
        int32_t c = tz_lang_utf8_next(s, n, &i);
        enum tz_script sc;
        if (c < 0)
            return TZ_EINVAL;
        c = tz_lang_lower(c);
        sc = tz_lang_script_of(c);
        if (sc != TZ_SCRIPT_NONE) {
            ev->scripts.letters[sc]++;
            ev->scripts.total++;
            if (seen < WINDOW) {
                letter_cost(ev, c, sc);
                word[wl++] = c;
                seen++;
                continue;
            }
        }
        if (wl > 0 && (err = profile_word(p, word, wl)) != TZ_OK)
            return err;
        word_gain(ev, word, wl);
        ev->sk_cs += tz_lang_sk_cs(word, wl);
        wl = 0;
    }
    if (wl > 0) {
        err = profile_word(p, word, wl);
        word_gain(ev, word, wl);
        ev->sk_cs += tz_lang_sk_cs(word, wl);
    }
    for (int k = TZ_SCRIPT_LATIN; k < TZ_SCRIPT_COUNT; k++)
        if (ev->scripts.letters[k] > ev->scripts.letters[ev->scripts.main])
            ev->scripts.main = (enum tz_script)k;
    return err;
}

/* The mean out-of-place distance of the text's ranked n-grams to each fingerprint. */
static void distances(struct profile *p, struct evidence *ev)
{
    size_t k = 0;
    for (size_t i = 0; i < p->cap; i++)
        if (p->t[i].count > 0)
            p->t[k++] = p->t[i];
    qsort(p->t, k, sizeof *p->t, by_count);
    ev->grams = k < FP_RANKS ? k : FP_RANKS;
    for (size_t r = 0; r < ev->grams; r++) {
        const struct fp_entry *e = fp_find(p->t[r].key, strlen(p->t[r].key), 0);
        for (size_t l = 0; l < NLANGS; l++) {
            int fr = e != NULL ? e->rank[l] : -1;
            ev->dist[l] += fr < 0 ? FP_RANKS : (fr > (int)r ? fr - (int)r : (int)r - fr);
        }
    }
    for (size_t l = 0; l < NLANGS; l++)
        ev->dist[l] = ev->grams > 0 ? ev->dist[l] / (double)ev->grams : FP_RANKS;
}

/* The index of code in LANGS. */
static size_t lang_index(const char *code)
{
    size_t l = 0;
    while (l < NLANGS && strcmp(LANGS[l].code, code) != 0)
        l++;
    return l;
}

/*
 * When Slovak and Czech are the best two, lang_pair.c's balance moves them apart (each by
 * PAIR_GAIN a word) and picks between them; it never touches a third language, so words the
 * pair shares with Polish, French or Spanish ("nie", "si", "ne") pull nothing there.
 */
static void pair(const struct evidence *ev, size_t bi, double *best, double *second, size_t *out)
{
    size_t sk = lang_index("sk"), cs = lang_index("cs");
    if (bi != sk && bi != cs)
        return;
    size_t other = bi == sk ? cs : sk;
    double o = ev->dist[other] + ev->foreign[other];
    if (o != *second)
        return; /* the second best is a third language */
    double s_sk = (bi == sk ? *best : o) - PAIR_GAIN * ev->sk_cs;
    double s_cs = (bi == cs ? *best : o) + PAIR_GAIN * ev->sk_cs;
    *out = s_sk <= s_cs ? sk : cs;
    *best = s_sk <= s_cs ? s_sk : s_cs;
    *second = s_sk <= s_cs ? s_cs : s_sk;
}

/* Picks the language from the evidence; the single language of a script needs no n-grams. */
static void decide(const struct evidence *ev, enum tz_lang_method method, struct tz_lang_guess *out)
{
    double best = 1e18, second = 1e18;
    size_t bi = NLANGS, candidates = 0;

    for (size_t l = 0; l < NLANGS; l++) {
        double score;
        if (LANGS[l].script != ev->scripts.main)
            continue;
        candidates++;
        score = ev->dist[l];
        if (method == TZ_LANG_NGRAMS_LETTERS) {
            score += ev->foreign[l];
            if (LANGS[l].marks != NULL && !ev->marked[l] && ev->scripts.total >= MARK_LETTERS)
                score += MARK_COST;
        }
        if (score < best) {
            second = best, best = score, bi = l;
        } else if (score < second) {
            second = score;
        }
    }
    if (bi == NLANGS)
        return;
    if (method == TZ_LANG_NGRAMS_LETTERS)
        pair(ev, bi, &best, &second, &bi);
    memcpy(out->lang, LANGS[bi].code, strlen(LANGS[bi].code) + 1);
    if (candidates == 1)
        out->confidence = 1.0;
    else
        out->confidence = best > 0 ? (second - best) / best * 5.0 : 1.0;
    if (out->confidence > 1.0)
        out->confidence = 1.0;
}

tz_err tz_lang_identify_by(const char *s, size_t n, enum tz_lang_method method,
                           struct tz_lang_guess *out)
{
    struct profile p = {NULL, 0, 0};
    struct evidence ev;
    size_t want = 64;
    size_t cps = n < WINDOW ? n : WINDOW;
    tz_err err;

    memset(out, 0, sizeof *out);
    memset(&ev, 0, sizeof ev);
    out->length = n;
    if (n > TZ_LANG_TEXT_MAX)
        return TZ_ETOOBIG;
    pthread_once(&g.once, load_default);
    if (!g.loaded)
        return g.err != TZ_OK ? g.err : TZ_ENOTFOUND;
    while (want < 2 * NGRAM_MAX * (cps + 2))
        want *= 2;
    p.cap = want;
    p.t = calloc(p.cap, sizeof *p.t);
    if (p.t == NULL)
        return TZ_ENOMEM;
    err = gather(s, n, &p, &ev);
    if (err != TZ_OK)
        goto done;
    distances(&p, &ev);
    out->script = ev.scripts.main;
    decide(&ev, method, out);
done:
    free(p.t);
    return err;
}

tz_err tz_lang_identify(const char *s, size_t n, struct tz_lang_guess *out)
{
    return tz_lang_identify_by(s, n, TZ_LANG_NGRAMS_LETTERS, out);
}
