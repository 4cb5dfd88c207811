/*
 * analyse.c - the extraction pipeline: check the text (size, UTF-8), make
 * the view the extractors read (invisible characters out, odd spaces as one
 * space, each byte mapped back to the original), run the table of
 * extractors, keep the best of overlapping candidates, and give every span
 * in bytes and code points of the original text.
 */
#include <stdlib.h>
#include <string.h>

#include "assistant/internal.h"
#include "assistant/lang.h"

static const char *const type_codes[TZ_ENT_TYPE_COUNT] = {
    [TZ_ENT_EMAIL] = "email", [TZ_ENT_URL] = "url",           [TZ_ENT_PHONE] = "phone",
    [TZ_ENT_IBAN] = "iban",   [TZ_ENT_CARD] = "card",         [TZ_ENT_CRYPTO] = "crypto",
    [TZ_ENT_DATE] = "date",   [TZ_ENT_PERSON] = "person",     [TZ_ENT_PLACE] = "place",
    [TZ_ENT_MRZ] = "mrz",     [TZ_ENT_DOCUMENT] = "document", [TZ_ENT_VIN] = "vin",
    [TZ_ENT_PLATE] = "plate",
};

/*
 * Which candidate wins an overlap: the higher rank (checksummed types
 * first, the gazetteers' guesses last), then the longer span.
 */
static const int type_rank[TZ_ENT_TYPE_COUNT] = {
    [TZ_ENT_MRZ] = 14,     [TZ_ENT_CRYPTO] = 13, [TZ_ENT_IBAN] = 12, [TZ_ENT_VIN] = 11,
    [TZ_ENT_CARD] = 10,    [TZ_ENT_EMAIL] = 9,   [TZ_ENT_URL] = 8,   [TZ_ENT_DATE] = 7,
    [TZ_ENT_DOCUMENT] = 6, [TZ_ENT_PLATE] = 5,   [TZ_ENT_PHONE] = 4, [TZ_ENT_PERSON] = 3,
    [TZ_ENT_PLACE] = 2,
};

/* The extractors, in no particular order: overlaps are settled afterwards. */
static void (*const extractors[])(struct scan *) = {
    x_email, x_url,    x_iban,  x_card, x_crypto, x_phone,
    x_date,  x_person, x_place, x_mrz,  x_vin,    x_announced,
};

const char *tz_assist_type_code(enum tz_assist_type type)
{
    return (unsigned)type < TZ_ENT_TYPE_COUNT ? type_codes[type] : "unknown";
}

tz_err tz_assist_type_parse(const char *code, enum tz_assist_type *out)
{
    for (int t = 0; code && t < TZ_ENT_TYPE_COUNT; t++)
        if (strcmp(code, type_codes[t]) == 0) {
            *out = (enum tz_assist_type)t;
            return TZ_OK;
        }
    return TZ_EINVAL;
}

/* Copies at most size-1 bytes of s, cut at a UTF-8 boundary. */
static void copy_cut(char *dst, size_t size, const char *s)
{
    size_t n = strlen(s);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

void scan_emit(struct scan *s, enum tz_assist_type type, size_t vs, size_t ve, const char *value,
               const char *detail, double confidence)
{
    if (s->err || ve <= vs || ve > s->vlen)
        return;
    if (s->ncand == SCAN_CANDIDATES_MAX) {
        s->full = true;
        return;
    }
    if (s->ncand == s->capcand) {
        size_t cap = s->capcand ? s->capcand * 2 : 32;
        struct tz_entity *c = realloc(s->cand, cap * sizeof *c);
        if (!c) {
            s->err = TZ_ENOMEM;
            return;
        }
        s->cand = c;
        s->capcand = cap;
    }
    struct tz_entity *e = &s->cand[s->ncand++];
    memset(e, 0, sizeof *e);
    e->type = type;
    e->start = vs;
    e->end = ve;
    copy_cut(e->value, sizeof e->value, value);
    copy_cut(e->detail, sizeof e->detail, detail ? detail : "");
    e->confidence = confidence;
}

/* Characters looked through: zero-width, soft hyphen, bidi marks, embeddings and isolates. */
static bool invisible(uint32_t cp)
{
    return cp == 0xAD || cp == 0x61C || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

/* Spaces other than ASCII's, read as one. */
static bool odd_space(uint32_t cp)
{
    return cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

static tz_err make_view(struct scan *s, const char *t, size_t n)
{
    s->v = malloc(n + 1);
    s->map = malloc((n + 1) * sizeof *s->map);
    if (!s->v || !s->map)
        return TZ_ENOMEM;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = u8_at(t, n, i, &len);
        if (!invisible(cp)) {
            if (odd_space(cp) || cp == '\t' || cp == '\r') {
                s->v[o] = ' ';
                s->map[o++] = i;
            } else {
                for (size_t k = 0; k < len; k++) {
                    s->v[o] = t[i + k];
                    s->map[o++] = i + k;
                }
            }
        }
        i += len;
    }
    s->v[o] = '\0';
    s->map[o] = n;
    s->vlen = o;
    return TZ_OK;
}

static int by_start(const void *a, const void *b)
{
    const struct tz_entity *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->end > y->end ? -1 : x->end < y->end;
}

/* Whether x beats y where they overlap. */
static bool beats(const struct tz_entity *x, const struct tz_entity *y)
{
    if (type_rank[x->type] != type_rank[y->type])
        return type_rank[x->type] > type_rank[y->type];
    return x->end - x->start > y->end - y->start;
}

/* Keeps, of every set of overlapping candidates, those no overlapping one beats. */
static size_t settle(struct tz_entity *c, size_t n)
{
    if (n == 0)
        return 0;
    qsort(c, n, sizeof *c, by_start);
    bool *drop = calloc(n, sizeof *drop);
    if (!drop)
        return SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n && c[j].start < c[i].end; j++) {
            if (drop[i] || drop[j])
                continue;
            if (beats(&c[j], &c[i]))
                drop[i] = true;
            else
                drop[j] = true;
        }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!drop[i])
            c[k++] = c[i];
    free(drop);
    return k;
}

/*
 * Spans of the view become spans of the original, in bytes and in code
 * points. The entities are settled, so sorted by start and not overlapping:
 * their ends are in order too, and one pass counts both.
 */
static void place_spans(const struct scan *s, const char *t, size_t n, struct tz_entity *e,
                        size_t count)
{
    for (size_t i = 0; i < count; i++) {
        e[i].start = s->map[e[i].start];
        size_t end = s->map[e[i].end - 1] + 1; /* after the last byte of the last character */
        while (end < n && ((unsigned char)t[end] & 0xC0) == 0x80)
            end++;
        e[i].end = end;
    }
    size_t chars = 0, ks = 0, ke = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && ((unsigned char)t[i] & 0xC0) == 0x80)
            continue;
        for (; ks < count && e[ks].start <= i; ks++)
            e[ks].cstart = chars;
        for (; ke < count && e[ke].end <= i; ke++)
            e[ke].cend = chars;
        chars++;
    }
}

/* Code points of t. */
static size_t count_chars(const char *t, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)t[i] & 0xC0) != 0x80;
    return c;
}

/*
 * The language of the whole text (lang.h). The identifier's fingerprints are a Debian package
 * (libexttextcat-data): without them the answer names no language rather than a guess.
 */
static tz_err identify_language(const struct tz_assist_request *req, struct tz_assist_result *out)
{
    struct tz_lang_guess guess;
    tz_err err = tz_lang_identify(req->text ? req->text : "", req->len, &guess);
    if (err == TZ_ENOTFOUND)
        return TZ_OK;
    if (err)
        return err;
    _Static_assert(TZ_LANG_CODE_MAX <= sizeof out->language, "a language code fits the answer");
    memcpy(out->language, guess.lang, sizeof guess.lang);
    return TZ_OK;
}

tz_err tz_assist_analyse(const struct tz_assist_request *req, struct tz_assist_result *out)
{
    if (!req || !out || (!req->text && req->len))
        return TZ_EINVAL;
    if (req->len > TZ_ASSIST_TEXT_MAX)
        return TZ_ETOOBIG;
    if (!u8_valid(req->text, req->len))
        return TZ_EMALFORMED;
    tz_err err = gaz_init();
    if (err)
        return err;
    struct scan s = {.req = req};
    err = make_view(&s, req->text ? req->text : "", req->len);
    for (size_t i = 0; !err && i < sizeof extractors / sizeof extractors[0]; i++) {
        extractors[i](&s);
        err = s.err;
    }
    size_t kept = err ? 0 : settle(s.cand, s.ncand);
    if (!err && kept == SIZE_MAX)
        err = TZ_ENOMEM;
    if (!err)
        err = identify_language(req, out);
    if (!err) {
        if (kept > TZ_ASSIST_ENTITIES_MAX) {
            kept = TZ_ASSIST_ENTITIES_MAX;
            out->truncated = true;
        }
        out->truncated |= s.full;
        place_spans(&s, req->text, req->len, s.cand, kept);
        out->items = s.cand;
        out->count = out->cap = kept;
        out->chars = count_chars(req->text, req->len);
        s.cand = NULL;
    }
    free(s.cand);
    free(s.v);
    free(s.map);
    return err;
}

void tz_assist_result_clear(struct tz_assist_result *r)
{
    if (!r)
        return;
    free(r->items);
    memset(r, 0, sizeof *r);
}
