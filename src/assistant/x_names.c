/*
 * x_names.c - person names and places.
 *
 * A person is (1) one to three name words after a title or a word of
 * context ("pan", "Mr", "гражданин", "podejrzany": titles.txt), or (2) a
 * given name of the gazetteer followed by a family name: one of the
 * gazetteer's, one with a family-name ending (-ski, -ov, -enko, -shvili,
 * -oğlu...) or, at lower confidence, any capitalised word; patronymics
 * (-ович, -овна) may come between; or (3) a family name in capitals
 * before a given name ("KOWALSKI Jan", the police's own order). Scripts
 * without case (Arabic, Georgian) rely on the lists and endings alone.
 * A place is the longest entry of the places gazetteer, or of the
 * district names the caller passes, at a capitalised word.
 */
#include <stdlib.h>
#include <string.h>

#include "assistant/internal.h"

struct word {
    size_t a, b;   /* v[a, b) */
    bool upper;    /* starts with a capital */
    bool caps;     /* all capitals (two letters or more) */
    bool caseless; /* a script without case */
};

/* Reads the word at v[i] (letters, with - or ' inside); false if none there. */
static bool word_at(const char *v, size_t n, size_t i, struct word *w)
{
    size_t len, j = i;
    uint32_t first = i < n ? u8_at(v, n, i, &len) : 0;
    if (i >= n || !u8_is_letter(first) || (first >= '0' && first <= '9'))
        return false;
    bool all_upper = true;
    size_t letters = 0;
    while (j < n) {
        uint32_t cp = u8_at(v, n, j, &len);
        if (u8_is_letter(cp)) {
            all_upper &= u8_is_upper(cp) || cp == '-';
            letters++;
            j += len;
        } else if ((cp == '-' || cp == '\'' || cp == 0x2019) && j + len < n &&
                   u8_is_letter(u8_at(v, n, j + len, &(size_t){0}))) {
            j += len;
        } else {
            break;
        }
    }
    w->a = i;
    w->b = j;
    w->caseless = (first >= 0x600 && first < 0x700) || (first >= 0x10D0 && first < 0x1100);
    w->upper = u8_is_upper(first);
    w->caps = w->upper && all_upper && letters >= 2;
    return true;
}

/* The next word after w (one space, or ", " is not allowed: a name has no comma). */
static bool next_word(const char *v, size_t n, const struct word *w, struct word *next)
{
    size_t j = w->b;
    if (j >= n || v[j] != ' ')
        return false;
    return word_at(v, n, j + 1, next);
}

static bool ends_with(const char *v, const struct word *w, const char *suffix)
{
    size_t k = strlen(suffix);
    if (w->b - w->a <= k + 1)
        return false;
    size_t e;
    /* fold the tail: compare from the suffix's start */
    return u8_match_fold(v, w->b, w->b - k, suffix, &e) && e == w->b;
}

/* Family-name endings of the languages (lower case). */
static const char *const family_endings[] = {
    "ski",   "ska",  "cki", "cka",  "dzki", "dzka", "wicz", "czyk", "czak",   "ak",
    "uk",    "ов",   "ова", "ев",   "ева",  "ёв",   "ёва",  "ин",   "ина",    "ский",
    "ская",  "енко", "чук", "ук",   "юк",   "ич",   "віч",  "ёнак", "ov",     "ova",
    "ev",    "eva",  "yev", "yeva", "enko", "oğlu", "zade", "zadə", "shvili", "dze",
    "შვილი", "ძე",   "ია",  "ავა",  "ური",  "mann",
};

static bool family_like(const char *v, const struct word *w)
{
    const char *val;
    size_t vl;
    if (gaz_lookup(GAZ_FAMILY, v + w->a, w->b - w->a, &val, &vl))
        return true;
    for (size_t i = 0; i < sizeof family_endings / sizeof family_endings[0]; i++)
        if (ends_with(v, w, family_endings[i]))
            return true;
    return false;
}

static bool in_list(enum gaz_list list, const char *v, const struct word *w)
{
    const char *val;
    size_t vl;
    return gaz_lookup(list, v + w->a, w->b - w->a, &val, &vl);
}

static bool patronymic(const char *v, const struct word *w)
{
    static const char *const endings[] = {"ович", "евич", "ич",   "овна", "евна",
                                          "ична", "івна", "ївна", "авіч", "аўна"};
    for (size_t i = 0; i < sizeof endings / sizeof endings[0]; i++)
        if (ends_with(v, w, endings[i]))
            return true;
    return false;
}

/* An Arabic family name with the article (العلي, المصري): read as one only after a given name. */
static bool arabic_article(const char *v, const struct word *w)
{
    return w->b - w->a > 6 && memcmp(v + w->a, "\xd8\xa7\xd9\x84", 4) == 0;
}

/* Whether w may be part of a name: capitalised, or of a caseless script and known or name-like. */
static bool name_word(const char *v, const struct word *w)
{
    if (in_list(GAZ_PLACE, v, w) && !in_list(GAZ_FAMILY, v, w) && !in_list(GAZ_GIVEN, v, w))
        return false; /* "Ankara'da" after a name is where, not who */
    if (w->caseless)
        return in_list(GAZ_GIVEN, v, w) || family_like(v, w) || arabic_article(v, w);
    return w->upper;
}

static void emit_person(struct scan *s, size_t a, size_t b, double conf)
{
    char value[TZ_ENTITY_VALUE_MAX];
    size_t o = 0;
    for (size_t i = a; i < b && o + 1 < sizeof value; i++)
        if (s->v[i] != ' ' || (o > 0 && value[o - 1] != ' '))
            value[o++] = s->v[i];
    value[o] = '\0';
    scan_emit(s, TZ_ENT_PERSON, a, b, value, NULL, conf);
}

/* After a title at w: one to three name words. Returns the end, or 0. */
static size_t after_title(struct scan *s, const struct word *title)
{
    const char *v = s->v;
    size_t n = s->vlen;
    struct word w = *title, next;
    if (w.b < n && v[w.b] == '.')
        w.b++; /* "Mr." */
    size_t end = 0;
    for (int k = 0; k < 3 && next_word(v, n, &w, &next); k++) {
        bool ok = name_word(v, &next);
        if (!ok || in_list(GAZ_TITLE, v, &next))
            break;
        if (k == 0 && !next.caseless && !next.upper)
            break;
        w = next;
        end = w.b;
        if (k > 0 && (family_like(v, &w) || arabic_article(v, &w)) && !patronymic(v, &w))
            break; /* the family name ends it, as in given_first */
    }
    if (end)
        emit_person(s, title->b + (v[title->b] == '.') + 1, end, 0.9);
    return end;
}

/* A given name at w followed by family names (and patronymics). Returns the end, or 0. */
static size_t given_first(struct scan *s, const struct word *w)
{
    const char *v = s->v;
    size_t n = s->vlen;
    struct word cur = *w, next;
    size_t end = 0;
    double conf = 0;
    for (int k = 0; k < 3 && next_word(v, n, &cur, &next); k++) {
        if (!name_word(v, &next) || in_list(GAZ_TITLE, v, &next))
            break;
        bool fam = family_like(v, &next) || (next.caseless && arabic_article(v, &next));
        bool given = in_list(GAZ_GIVEN, v, &next) || patronymic(v, &next);
        if (!fam && !given && (k > 0 || next.caseless))
            break;
        cur = next;
        end = cur.b;
        double c = fam ? 0.9 : given ? 0.8 : 0.7;
        conf = conf > c ? conf : c;
        if (fam && !patronymic(v, &next))
            break;
    }
    if (end)
        emit_person(s, w->a, end, conf);
    return end;
}

/* "KOWALSKI Jan": a family name in capitals, then a given name. */
static size_t caps_first(struct scan *s, const struct word *w)
{
    struct word next;
    if (!w->caps || !family_like(s->v, w) || !next_word(s->v, s->vlen, w, &next))
        return 0;
    if (!next.upper || next.caps || !in_list(GAZ_GIVEN, s->v, &next))
        return 0;
    emit_person(s, w->a, next.b, 0.85);
    return next.b;
}

void x_person(struct scan *s)
{
    const char *v = s->v;
    size_t n = s->vlen;
    for (size_t i = 0; i < n;) {
        struct word w;
        if (!u8_word_start(v, i) || !word_at(v, n, i, &w)) {
            size_t len;
            u8_at(v, n, i, &len);
            i += len;
            continue;
        }
        size_t end = 0;
        if (in_list(GAZ_TITLE, v, &w))
            end = after_title(s, &w);
        else if ((w.upper || w.caseless) && in_list(GAZ_GIVEN, v, &w))
            end = given_first(s, &w);
        else if (w.caps)
            end = caps_first(s, &w);
        i = end ? end : w.b;
    }
}

/* The caller's district names, lower case, folded once per text. */
struct districts {
    char (*low)[TZ_ENTITY_VALUE_MAX];
    size_t count;
};

static bool districts_fold(const struct scan *s, struct districts *d)
{
    d->count = 0;
    d->low = s->req->place_count ? calloc(s->req->place_count, sizeof *d->low) : NULL;
    if (s->req->place_count && !d->low)
        return false;
    for (size_t k = 0; k < s->req->place_count; k++) {
        const char *p = s->req->places[k];
        size_t o = p ? gaz_fold(p, strlen(p), d->low[k], TZ_ENTITY_VALUE_MAX - 1) : 0;
        d->low[k][o] = '\0';
    }
    d->count = s->req->place_count;
    return true;
}

/* The longest district name at v[i]: its end, or 0; *value the name as the caller gave it. */
static size_t district_at(struct scan *s, const struct districts *d, size_t i, const char **value)
{
    size_t best = 0, e;
    for (size_t k = 0; k < d->count; k++)
        if (d->low[k][0] && u8_match_fold(s->v, s->vlen, i, d->low[k], &e) && e > best &&
            u8_word_end(s->v, s->vlen, e)) {
            best = e;
            *value = s->req->places[k];
        }
    return best;
}

void x_place(struct scan *s)
{
    const char *v = s->v;
    size_t n = s->vlen;
    struct districts dl;
    if (!districts_fold(s, &dl)) {
        s->err = TZ_ENOMEM;
        return;
    }
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = u8_at(v, n, i, &len);
        if (!u8_is_letter(cp) || !u8_word_start(v, i)) {
            i += len;
            continue;
        }
        /* the districts on file in any case; the gazetteer at a capital (or caseless script) */
        const char *district = NULL, *value = NULL;
        size_t dend = dl.count ? district_at(s, &dl, i, &district) : 0, vl = 0, end = 0;
        if (u8_is_upper(cp) || (cp >= 0x600 && cp < 0x700) || (cp >= 0x10D0 && cp < 0x1100))
            end = gaz_longest(GAZ_PLACE, v, n, i, &value, &vl);
        if (dend && dend >= end) {
            scan_emit(s, TZ_ENT_PLACE, i, dend, district, "district", 0.9);
            i = dend;
        } else if (end) {
            char val[TZ_ENTITY_VALUE_MAX];
            vl = vl < sizeof val ? vl : sizeof val - 1;
            memcpy(val, value, vl);
            val[vl] = '\0';
            scan_emit(s, TZ_ENT_PLACE, i, end, val, NULL, 0.85);
            i = end;
        } else {
            i += len;
        }
    }
    free(dl.low);
}
