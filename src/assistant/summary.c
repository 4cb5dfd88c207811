/*
 * assistant/summary.c - the extractive summary: sentences scored by their recurring words.
 *
 * The classic frequency method (Luhn 1958), chosen because it needs no model, no language
 * data and no network, reads every script the assistant reads, and is deterministic: an
 * officer gets the same summary of the same message every time, made of the message's own
 * sentences, each pointing back to where it stands. A word is its first six letters in lower
 * case, a crude stem that lets Polish and Russian endings (Kowalski, Kowalskiego) count as one
 * word; words of fewer than three letters, and words found in more than half of the
 * sentences of a longer text (the language's function words, whatever the language), do not
 * count. A sentence's score is the sum of its distinct words' counts over the square root of
 * its word count, so long sentences do not win by length alone; the first sentence (where a
 * police message says what it is about) gets a fifth more.
 */
#include "assistant/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assistant/internal.h"

#define STEM_CP 6       /* code points of a word's stem */
#define STEM_BYTES 32   /* bytes of a stem, NUL included (6 code points of 4 bytes, room) */
#define WORDS_MAX 16384 /* distinct stems counted, at most (then no new ones) */

struct word {
    char stem[STEM_BYTES];
    unsigned count;     /* in the text */
    unsigned sentences; /* sentences holding it */
    size_t last;        /* the last sentence that counted it, +1 */
};

struct words {
    struct word *slot; /* open addressing, power of two */
    size_t cap, n;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct word *word_find(struct words *w, const char *stem, bool add)
{
    size_t i = (size_t)hash(stem) & (w->cap - 1);
    for (size_t probe = 0; probe < w->cap; probe++, i = (i + 1) & (w->cap - 1)) {
        if (!w->slot[i].stem[0]) {
            if (!add || w->n >= WORDS_MAX)
                return NULL;
            memcpy(w->slot[i].stem, stem, strlen(stem) + 1);
            w->n++;
            return &w->slot[i];
        }
        if (strcmp(w->slot[i].stem, stem) == 0)
            return &w->slot[i];
    }
    return NULL;
}

/* Writes the UTF-8 of cp into out; its length. */
static size_t put_cp(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool is_alpha(uint32_t cp)
{
    return u8_is_letter(cp) && !(cp >= '0' && cp <= '9');
}

/*
 * Visits the words of s[a, b): fn(ctx, stem) for each of three letters or more. Returns the
 * number of words visited.
 */
typedef void (*word_fn)(void *ctx, const char *stem);
static size_t each_word(const char *s, size_t a, size_t b, word_fn fn, void *ctx)
{
    size_t words = 0;
    for (size_t i = a; i < b;) {
        size_t len;
        uint32_t cp = u8_at(s, b, i, &len);
        if (!is_alpha(cp)) {
            i += len;
            continue;
        }
        char stem[STEM_BYTES];
        size_t sl = 0, cps = 0;
        while (i < b) {
            cp = u8_at(s, b, i, &len);
            if (!is_alpha(cp))
                break;
            if (cps < STEM_CP)
                sl += put_cp(u8_lower(cp), stem + sl);
            cps++;
            i += len;
        }
        stem[sl] = '\0';
        if (cps >= 3) {
            fn(ctx, stem);
            words++;
        }
    }
    return words;
}

/* Whether the full stop at s[i] ends a sentence rather than an initial or an abbreviation. */
static bool full_stop_ends(const char *s, size_t n, size_t i)
{
    static const char *const abbrev[] = {"ul",   "tel", "nr",  "np",  "al",    "pl",  "os",  "godz",
                                         "ok",   "tzw", "św",  "mr",  "mrs",   "dr",  "st",  "str",
                                         "vs",   "etc", "ул",  "тел", "пр",    "им",  "mgr", "inż",
                                         "prof", "gen", "płk", "kpt", "sierż", "asp", NULL};
    size_t j = i, cps = 0, len;
    while (j > 0 && cps < 9) {
        size_t p = u8_prev(s, j);
        if (!is_alpha(u8_at(s, n, p, &len)))
            break;
        j = p, cps++;
    }
    if (cps == 1)
        return false; /* an initial: "J. Kowalski" */
    if (cps > 1 && cps <= 8) {
        char w[48];
        size_t k = gaz_fold(s + j, i - j, w, sizeof w - 1);
        w[k] = '\0';
        for (size_t a = 0; k && abbrev[a]; a++)
            if (strcmp(w, abbrev[a]) == 0)
                return false;
    }
    size_t k = i + 1;
    while (k < n && (s[k] == ' ' || s[k] == '\t'))
        k++;
    if (k >= n || s[k] == '\n' || s[k] == '\r')
        return true;
    if (k == i + 1)
        return false; /* "12.03.2026", "example.com": no space after it */
    uint32_t cp = u8_at(s, n, k, &len);
    return !(is_alpha(cp) && u8_lower(cp) == cp); /* a lower-case word goes on with it */
}

/* The next sentence's end at or after i (the byte after its last mark, or a line break). */
static size_t sentence_end(const char *s, size_t n, size_t i)
{
    while (i < n) {
        size_t len;
        uint32_t cp = u8_at(s, n, i, &len);
        if (cp == '\n')
            return i;
        if (cp == '!' || cp == '?' || cp == 0x2026 || cp == 0x061F || cp == 0x3002 ||
            (cp == '.' && full_stop_ends(s, n, i))) {
            size_t e = i + len;
            while (e < n && (s[e] == '.' || s[e] == '!' || s[e] == '?' || s[e] == '"' ||
                             s[e] == ')' || s[e] == '\''))
                e++; /* "?!", "...", a closing quote belong to the sentence */
            return e;
        }
        i += len;
    }
    return n;
}

static bool space_at(const char *s, size_t i)
{
    return s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r';
}

struct cut {
    size_t start, end;
    size_t words;
    double score;
};

/* The sentences of s[0, n), trimmed, empty ones left out. */
static tz_err cut_sentences(const char *s, size_t n, struct cut **out, size_t *count)
{
    size_t cap = 64, k = 0;
    struct cut *c = malloc(cap * sizeof *c);
    if (!c)
        return TZ_ENOMEM;
    for (size_t i = 0; i < n && k < TZ_SUMMARY_SENTENCES_MAX;) {
        while (i < n && space_at(s, i))
            i++;
        if (i >= n)
            break;
        size_t e = sentence_end(s, n, i), t = e;
        while (t > i && space_at(s, t - 1))
            t--;
        if (t > i) {
            if (k == cap) {
                struct cut *g = realloc(c, 2 * cap * sizeof *c);
                if (!g) {
                    free(c);
                    return TZ_ENOMEM;
                }
                c = g, cap *= 2;
            }
            c[k++] = (struct cut){i, t, 0, 0};
        }
        i = e > i ? e : i + 1;
    }
    *out = c;
    *count = k;
    return TZ_OK;
}

struct count_ctx {
    struct words *w;
    size_t sentence; /* +1 */
};

static void count_word(void *ctx, const char *stem)
{
    struct count_ctx *c = ctx;
    struct word *w = word_find(c->w, stem, true);
    if (!w)
        return;
    w->count++;
    if (w->last != c->sentence) {
        w->sentences++;
        w->last = c->sentence;
    }
}

struct score_ctx {
    struct words *w;
    size_t sentence; /* +1 */
    size_t cutoff;   /* words in more sentences than this count for nothing */
    double sum;
};

static void score_word(void *ctx, const char *stem)
{
    struct score_ctx *c = ctx;
    struct word *w = word_find(c->w, stem, false);
    if (!w)
        return;
    if (w->sentences <= c->cutoff && w->last != c->sentence) {
        c->sum += w->count;
        w->last = c->sentence; /* a word counts once in its sentence */
    }
}

static int by_score(const void *a, const void *b)
{
    const struct tz_summary_sentence *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int by_place(const void *a, const void *b)
{
    const struct tz_summary_sentence *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

static size_t code_points(const char *s, size_t a, size_t b)
{
    size_t c = 0;
    for (size_t i = a; i < b; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

tz_err tz_summary_extract(const char *text, size_t n, size_t want, struct tz_summary *out)
{
    memset(out, 0, sizeof *out);
    if (!text && n)
        return TZ_EINVAL;
    if (n > TZ_ASSIST_TEXT_MAX)
        return TZ_ETOOBIG;
    if (!u8_valid(text, n))
        return TZ_EMALFORMED;
    struct cut *cuts = NULL;
    size_t nc = 0;
    struct words w = {0};
    tz_err err = cut_sentences(text, n, &cuts, &nc);
    w.cap = 1;
    while (!err && w.cap < 2 * (n / 4 + 16))
        w.cap <<= 1;
    if (!err && !(w.slot = calloc(w.cap, sizeof *w.slot)))
        err = TZ_ENOMEM;
    if (!err && !(out->items = calloc(nc ? nc : 1, sizeof *out->items)))
        err = TZ_ENOMEM;
    if (err)
        goto done;
    for (size_t i = 0; i < nc; i++) {
        struct count_ctx cc = {&w, i + 1};
        cuts[i].words = each_word(text, cuts[i].start, cuts[i].end, count_word, &cc);
    }
    for (size_t i = 0; i < w.cap; i++)
        w.slot[i].last = 0;
    size_t cutoff = nc >= 4 ? nc / 2 : nc;
    for (size_t i = 0; i < nc; i++) {
        struct score_ctx sc = {&w, i + 1, cutoff, 0};
        each_word(text, cuts[i].start, cuts[i].end, score_word, &sc);
        double score = cuts[i].words ? sc.sum / sqrt((double)cuts[i].words) : 0;
        if (i == 0)
            score *= 1.2;
        struct tz_summary_sentence *o = &out->items[i];
        o->start = cuts[i].start, o->end = cuts[i].end, o->index = i;
        o->score = round(score * 1000) / 1000; /* three places: the same on every machine */
    }
    if (want == 0)
        want = nc / 4 < 1 ? 1 : nc / 4 > 5 ? 5 : nc / 4;
    if (want == TZ_SUMMARY_ALL)
        want = nc;
    else if (want > TZ_SUMMARY_WANT_MAX)
        want = TZ_SUMMARY_WANT_MAX;
    qsort(out->items, nc, sizeof *out->items, by_score);
    out->count = nc < want ? nc : want;
    out->sentences = nc;
    qsort(out->items, out->count, sizeof *out->items, by_place);
    for (size_t i = 0; i < out->count; i++) {
        struct tz_summary_sentence *o = &out->items[i];
        o->cstart = code_points(text, 0, o->start);
        o->cend = o->cstart + code_points(text, o->start, o->end);
    }
done:
    free(w.slot);
    free(cuts);
    if (err)
        tz_summary_clear(out);
    return err;
}

void tz_summary_clear(struct tz_summary *s)
{
    if (!s)
        return;
    free(s->items);
    memset(s, 0, sizeof *s);
}
