/*
 * gazetteer.c - the assistant's word lists: given names, family names,
 * places (Polish localities and world capitals with their inflected and
 * foreign forms) and the titles that come before a name. They are data
 * files in data/assistant/, compiled in at build time, read once into
 * hash tables keyed by the lower-case form (open addressing, FNV-1a): a
 * lookup is one hash and a compare or two, so a 2,000-character text
 * costs a few hundred lookups and no allocation.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "assistant/internal.h"

extern const unsigned char tz_gaz_given[], tz_gaz_family[], tz_gaz_places[], tz_gaz_titles[];
extern const size_t tz_gaz_given_len, tz_gaz_family_len, tz_gaz_places_len, tz_gaz_titles_len;

#define KEY_MAX 96 /* bytes of a folded key */

struct slot {
    uint32_t hash;
    uint16_t klen, vlen;
    char *key; /* folded, in the arena */
    const char *value;
};

struct table {
    struct slot *slots;
    size_t mask;
    char *arena;
    size_t used;
};

static struct table tables[GAZ_LIST_COUNT];
static pthread_once_t once = PTHREAD_ONCE_INIT;
static tz_err init_err;

/* Lower-cases s[0, n) into out (at most cap bytes); 0 if it does not fit. */
size_t gaz_fold(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = u8_lower(u8_at(s, n, i, &len));
        i += len;
        unsigned char b[4];
        size_t k;
        if (cp < 0x80)
            b[0] = (unsigned char)cp, k = 1;
        else if (cp < 0x800)
            b[0] = (unsigned char)(0xC0 | cp >> 6), b[1] = (unsigned char)(0x80 | (cp & 0x3F)),
            k = 2;
        else if (cp < 0x10000)
            b[0] = (unsigned char)(0xE0 | cp >> 12),
            b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)),
            b[2] = (unsigned char)(0x80 | (cp & 0x3F)), k = 3;
        else
            b[0] = (unsigned char)(0xF0 | cp >> 18),
            b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F)),
            b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)),
            b[3] = (unsigned char)(0x80 | (cp & 0x3F)), k = 4;
        if (o + k > cap)
            return 0;
        memcpy(out + o, b, k);
        o += k;
    }
    return o;
}

static uint32_t fnv(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* Adds key (not yet folded) with value; a key already there keeps its first value. */
static void put(struct table *t, const char *key, size_t kn, const char *value, size_t vn)
{
    char f[KEY_MAX];
    size_t fn = gaz_fold(key, kn, f, sizeof f);
    if (fn == 0 || vn > UINT16_MAX)
        return;
    uint32_t h = fnv(f, fn);
    size_t i = h & t->mask;
    while (t->slots[i].key) {
        if (t->slots[i].hash == h && t->slots[i].klen == fn && memcmp(t->slots[i].key, f, fn) == 0)
            return;
        i = (i + 1) & t->mask;
    }
    memcpy(t->arena + t->used, f, fn);
    t->slots[i] = (struct slot){h, (uint16_t)fn, (uint16_t)vn, t->arena + t->used, value};
    t->used += fn;
}

/* Builds one table from its file: lines "value|form|form", # comments, blank lines skipped. */
static tz_err build(struct table *t, const unsigned char *data, size_t n)
{
    const char *d = (const char *)data;
    size_t forms = 0;
    for (size_t i = 0; i < n; i++)
        forms += d[i] == '\n' || d[i] == '|';
    size_t cap = 64;
    while (cap < forms * 2 + 2)
        cap *= 2;
    t->slots = calloc(cap, sizeof *t->slots);
    t->arena = malloc(n * 2 + 1); /* a folded form is at most twice its bytes... rounded up */
    if (!t->slots || !t->arena)
        return TZ_ENOMEM;
    t->mask = cap - 1;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && d[e] != '\n')
            e++;
        if (e > i && d[i] != '#') {
            size_t v = i;
            while (v < e && d[v] != '|')
                v++;
            for (size_t f = i; f < e;) {
                size_t g = f;
                while (g < e && d[g] != '|')
                    g++;
                put(t, d + f, g - f, d + i, v - i);
                f = g + 1;
            }
        }
        i = e + 1;
    }
    return TZ_OK;
}

static void init(void)
{
    const unsigned char *data[GAZ_LIST_COUNT] = {tz_gaz_given, tz_gaz_family, tz_gaz_places,
                                                 tz_gaz_titles};
    size_t len[GAZ_LIST_COUNT] = {tz_gaz_given_len, tz_gaz_family_len, tz_gaz_places_len,
                                  tz_gaz_titles_len};
    for (int i = 0; i < GAZ_LIST_COUNT && !init_err; i++)
        init_err = build(&tables[i], data[i], len[i]);
}

tz_err gaz_init(void)
{
    pthread_once(&once, init);
    return init_err;
}

bool gaz_lookup(enum gaz_list list, const char *w, size_t n, const char **value, size_t *vlen)
{
    const struct table *t = &tables[list];
    char f[KEY_MAX];
    size_t fn = gaz_fold(w, n, f, sizeof f);
    if (fn == 0 || !t->slots)
        return false;
    uint32_t h = fnv(f, fn);
    for (size_t i = h & t->mask; t->slots[i].key; i = (i + 1) & t->mask)
        if (t->slots[i].hash == h && t->slots[i].klen == fn &&
            memcmp(t->slots[i].key, f, fn) == 0) {
            *value = t->slots[i].value;
            *vlen = t->slots[i].vlen;
            return true;
        }
    return false;
}

/* The end of the word at v[i] (letters, digits, and a hyphen or apostrophe between letters). */
static size_t word_end(const char *v, size_t n, size_t i)
{
    size_t len;
    while (i < n) {
        uint32_t cp = u8_at(v, n, i, &len);
        if (u8_is_letter(cp)) {
            i += len;
        } else if ((cp == '-' || cp == '\'') && i + 1 < n &&
                   u8_is_letter(u8_at(v, n, i + 1, &len))) {
            i += 1;
        } else {
            break;
        }
    }
    return i;
}

size_t gaz_longest(enum gaz_list list, const char *v, size_t n, size_t i, const char **value,
                   size_t *vlen)
{
    size_t best = 0, e = i;
    for (int words = 0; words < 3 && e < n; words++) {
        e = word_end(v, n, e);
        const char *val;
        size_t vl;
        if (e > i && gaz_lookup(list, v + i, e - i, &val, &vl)) {
            best = e;
            *value = val;
            *vlen = vl;
        }
        if (e >= n || v[e] != ' ')
            break;
        e++;
    }
    return best;
}
