/*
 * search.c - the address search: the query folded and cut into street,
 * number and locality; the streets whose name (any word of it) starts with
 * the street part found by binary search over the sorted keys, then those one
 * edit away; hits ranked and bounded. Every loop is bounded by CAND_MAX
 * candidate streets and KEYS_PER_PREFIX keys per prefix looked up.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address/internal.h"

#define CAND_MAX 128        /* candidate streets of one search */
#define KEYS_PER_PREFIX 256 /* keys read for one prefix */
#define TYPO_MIN 4          /* shortest street part that tolerates a typo */
#define TYPO_KEYS 16        /* keys read for one variant of the street part */

static const char ALPHABET[] = "abcdefghijklmnopqrstuvwxyz0123456789 ";

/* A street (group) that matches, with what makes it better than others. */
struct cand {
    uint32_t group;
    uint8_t edits; /* 0 or 1 */
    uint8_t whole; /* the query's street part is a whole word of the name */
    uint32_t word; /* which word of the name it starts (0: the name's start) */
};

/* The query cut into its parts (each folded, NUL-terminated). */
struct parsed {
    char street[TZ_ADDRESS_QUERY_MAX];
    char number[TZ_ADDRESS_QUERY_MAX];
    char locality[TZ_ADDRESS_QUERY_MAX];
    size_t slen;
};

struct search {
    const struct tz_address_index *ix;
    const struct parsed *q;
    struct cand cands[CAND_MAX];
    size_t ncand;
};

/* Copies words [from, to) of the folded f (offsets of word starts in w) into out. */
static void words(const char *f, const size_t *w, size_t nw, size_t from, size_t to, char *out)
{
    size_t o = 0;
    for (size_t i = from; i < to; i++) {
        size_t end = i + 1 < nw ? w[i + 1] - 1 : strlen(f);
        if (o)
            out[o++] = ' ';
        memcpy(out + o, f + w[i], end - w[i]);
        o += end - w[i];
    }
    out[o] = '\0';
}

/* Street, number (the first word after the first that starts with a digit), locality (after). */
static tz_err parse(const char *s, size_t n, struct parsed *p)
{
    char f[TZ_ADDRESS_QUERY_MAX];
    size_t len, w[TZ_ADDRESS_QUERY_MAX / 2], nw = 0;
    tz_err err = tz_address_fold(s, n, f, sizeof f, &len);
    if (err)
        return err;
    for (size_t i = 0; i < len; i++)
        if (i == 0 || f[i - 1] == ' ')
            w[nw++] = i;
    size_t skip = 0; /* "ul." and "ulica" before the name */
    if (nw > 1 && (strncmp(f, "ul ", 3) == 0 || strncmp(f, "ulica ", 6) == 0))
        skip = 1;
    size_t num = nw;
    for (size_t i = skip + 1; i < nw && num == nw; i++)
        if (f[w[i]] >= '0' && f[w[i]] <= '9')
            num = i;
    words(f, w, nw, skip, num, p->street);
    words(f, w, nw, num, num < nw ? num + 1 : num, p->number);
    words(f, w, nw, num < nw ? num + 1 : nw, nw, p->locality);
    p->slen = strlen(p->street);
    return p->slen ? TZ_OK : TZ_EINVAL;
}

/* True if some word of the folded name f starts with prefix (n bytes). */
static bool word_prefix(const char *f, const char *prefix, size_t n)
{
    for (size_t i = 0; f[i]; i++)
        if ((i == 0 || f[i - 1] == ' ') && strncmp(f + i, prefix, n) == 0)
            return true;
    return false;
}

/* The first key whose text is not below prefix (n bytes). */
static size_t key_lower(const struct tz_address_index *ix, const char *prefix, size_t n)
{
    size_t lo = 0, hi = ix->nkeys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strncmp(ix->folded + ix->keys[mid].text, prefix, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Adds (or improves) the candidate of key k. */
static void consider(struct search *s, const struct addr_key *k, size_t n, uint8_t edits)
{
    const struct addr_group *g = &s->ix->groups[k->group];
    const struct parsed *q = s->q;
    if (q->locality[0] &&
        !word_prefix(s->ix->folded + g->flocality, q->locality, strlen(q->locality)))
        return;
    char next = s->ix->folded[k->text + n];
    struct cand c = {
        .group = k->group, .edits = edits, .whole = next == ' ' || next == '\0', .word = k->word};
    for (size_t i = 0; i < s->ncand; i++) {
        struct cand *o = &s->cands[i];
        if (o->group != c.group)
            continue;
        if (c.edits < o->edits || (c.edits == o->edits && c.whole > o->whole))
            *o = c;
        return;
    }
    if (s->ncand < CAND_MAX)
        s->cands[s->ncand++] = c;
}

/* Considers the streets with a word that starts with prefix (n bytes), at most max keys. */
static void lookup(struct search *s, const char *prefix, size_t n, uint8_t edits, size_t max)
{
    const struct tz_address_index *ix = s->ix;
    for (size_t i = key_lower(ix, prefix, n), seen = 0; i < ix->nkeys && seen < max; i++, seen++) {
        if (strncmp(ix->folded + ix->keys[i].text, prefix, n) != 0)
            break;
        consider(s, &ix->keys[i], n, edits);
    }
}

/* Looks up every string one edit from the street part (deletion, transposition, substitution,
 * insertion): at most (2 + 2 * 37) * 256 lookups of TYPO_KEYS keys each. */
static void typos(struct search *s)
{
    const char *q = s->q->street;
    size_t n = s->q->slen;
    char v[TZ_ADDRESS_QUERY_MAX + 1];
    for (size_t i = 0; i < n; i++) {
        memcpy(v, q, i); /* deletion */
        memcpy(v + i, q + i + 1, n - i - 1);
        lookup(s, v, n - 1, 1, TYPO_KEYS);
        if (i + 1 < n) { /* transposition */
            memcpy(v, q, n);
            v[i] = q[i + 1];
            v[i + 1] = q[i];
            lookup(s, v, n, 1, TYPO_KEYS);
        }
        for (const char *a = ALPHABET; *a; a++) { /* substitution */
            if (*a == q[i])
                continue;
            memcpy(v, q, n);
            v[i] = *a;
            lookup(s, v, n, 1, TYPO_KEYS);
        }
    }
    for (size_t i = 0; i <= n && n + 1 < sizeof v; i++) { /* insertion */
        for (const char *a = ALPHABET; *a; a++) {
            memcpy(v, q, i);
            v[i] = *a;
            memcpy(v + i + 1, q + i, n - i);
            lookup(s, v, n + 1, 1, TYPO_KEYS);
        }
    }
}

/* Best first: fewer edits, whole word, the name's start, more addresses, then by name. */
static int cand_cmp(const struct tz_address_index *ix, const struct cand *a, const struct cand *b)
{
    if (a->edits != b->edits)
        return a->edits < b->edits ? -1 : 1;
    if (a->whole != b->whole)
        return a->whole > b->whole ? -1 : 1;
    if ((a->word == 0) != (b->word == 0))
        return a->word == 0 ? -1 : 1;
    const struct addr_group *ga = &ix->groups[a->group], *gb = &ix->groups[b->group];
    if (ga->count != gb->count)
        return ga->count > gb->count ? -1 : 1;
    int c = strcmp(ix->folded + ga->fstreet, ix->folded + gb->fstreet);
    return c ? c : (a->group < b->group ? -1 : a->group > b->group);
}

/* Insertion sort: at most CAND_MAX candidates, and no global state for qsort. */
static void rank(struct search *s)
{
    for (size_t i = 1; i < s->ncand; i++) {
        struct cand c = s->cands[i];
        size_t j = i;
        for (; j > 0 && cand_cmp(s->ix, &c, &s->cands[j - 1]) < 0; j--)
            s->cands[j] = s->cands[j - 1];
        s->cands[j] = c;
    }
}

/* 0 when the number is the one asked for, 1 when it starts with it, 2 otherwise. */
static int number_match(const char *number, const char *want, size_t n)
{
    if (strncasecmp(number, want, n) != 0)
        return 2;
    return number[n] == '\0' ? 0 : 1;
}

/* Adds the addresses of the candidates with edits whose number matches as well as level. */
static void numbered(const struct search *s, uint8_t edits, int level, size_t limit,
                     struct tz_address_hit *out, size_t *count)
{
    const struct tz_address_index *ix = s->ix;
    size_t n = strlen(s->q->number);
    for (size_t c = 0; c < s->ncand && *count < limit; c++) {
        if (s->cands[c].edits != edits)
            continue;
        const struct addr_group *g = &ix->groups[s->cands[c].group];
        for (uint32_t i = g->first; i < g->first + g->count && *count < limit; i++) {
            const struct addr_point *p = &ix->points[i];
            if (number_match(addr_name(ix, p->number), s->q->number, n) != level)
                continue;
            addr_point_rec(ix, p, &out[*count].addr);
            out[(*count)++].edits = edits;
        }
    }
}

tz_err tz_address_search(const struct tz_address_index *ix, const char *q, size_t n, size_t limit,
                         struct tz_address_hit *out, size_t *count)
{
    if (!count)
        return TZ_EINVAL;
    *count = 0;
    if (!ix || !ix->built || !q || !out || limit < 1 || limit > TZ_ADDRESS_LIMIT_MAX)
        return TZ_EINVAL;
    if (n > TZ_ADDRESS_QUERY_MAX)
        return TZ_ETOOBIG;
    struct parsed p;
    struct search *s = malloc(sizeof *s);
    if (!s)
        return TZ_ENOMEM;
    tz_err err = parse(q, n, &p);
    if (err)
        goto done;
    *s = (struct search){.ix = ix, .q = &p};
    lookup(s, p.street, p.slen, 0, KEYS_PER_PREFIX);
    if (s->ncand < limit && p.slen >= TYPO_MIN)
        typos(s);
    rank(s);
    if (!p.number[0]) {
        for (size_t c = 0; c < s->ncand && *count < limit; c++) {
            addr_point_rec(ix, &ix->points[ix->groups[s->cands[c].group].first], &out[*count].addr);
            out[(*count)++].edits = s->cands[c].edits;
        }
        goto done;
    }
    for (uint8_t e = 0; e <= 1; e++)
        for (int level = 0; level <= 1; level++)
            numbered(s, e, level, limit, out, count);
done:
    free(s);
    return err;
}
