/*
 * index.c - the in-memory index of persons (tz_screen_index_*, tz_screen_search).
 *
 * A person is a 12-byte record (its place in the arena, date of birth, sex) and its normalised
 * name packed into one arena (source id, name as written, per part: role, origin, forms, keys,
 * nationalities): about 100 bytes for a three-part Latin name. Candidates come from one sorted
 * array of (key hash, record): a key per unordered pair of name parts (their variant class, else
 * their phonetic key), so "Ivan Petrov" finds "Petrov Ivan Ivanovich", and a key per part alone,
 * which a query uses only where the list under it is short (a rare name: it finds records whose
 * other part is misspelt) or where the query has one part. A sorted array rather than a hash
 * table: one allocation, no load factor, 16 bytes an entry, and a bisection costs ~25 probes.
 */
#include <stdlib.h>
#include <string.h>

#include "screening/internal.h"

/* A list under one part's key is read for a query of several parts only when it is this short
 * (a rare name, whose other part may be misspelt); a query of one part reads at most
 * SINGLE_MAX records of it. */
#define SINGLE_CAP 64u
#define SINGLE_MAX 4096u
#define ARENA_MAX ((size_t)UINT32_MAX)

struct rec {
    uint32_t off;
    struct tz_screen_date dob;
    uint8_t sex;
    uint8_t pad[3];
};

struct post {
    uint64_t hash;
    uint32_t rec;
};

struct tz_screen_index {
    struct rec *recs;
    size_t nrecs, caprecs;
    char *arena;
    size_t used, cap;
    struct post *posts;
    size_t nposts, capposts;
    size_t sealed; /* posts sorted so far */
};

tz_err tz_screen_index_new(struct tz_screen_index **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? TZ_OK : TZ_ENOMEM;
}

void tz_screen_index_free(struct tz_screen_index *ix)
{
    if (!ix)
        return;
    free(ix->recs);
    free(ix->arena);
    free(ix->posts);
    free(ix);
}

size_t tz_screen_index_count(const struct tz_screen_index *ix)
{
    return ix->nrecs;
}

size_t tz_screen_index_bytes(const struct tz_screen_index *ix)
{
    return sizeof *ix + ix->caprecs * sizeof(struct rec) + ix->cap +
           ix->capposts * sizeof(struct post);
}

/* Grows *p (of *cap items of size sz) to hold need items; TZ_ENOMEM. */
static tz_err grow(void **p, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return TZ_OK;
    size_t n = *cap ? *cap : 1024;
    while (n < need)
        n += n / 2;
    void *q = realloc(*p, n * sz);
    if (!q)
        return TZ_ENOMEM;
    *p = q, *cap = n;
    return TZ_OK;
}

static tz_err put(struct tz_screen_index *ix, const void *s, size_t n)
{
    if (ix->used + n > ARENA_MAX)
        return TZ_ETOOBIG;
    tz_err err = grow((void **)&ix->arena, &ix->cap, ix->used + n, 1);
    if (!err) {
        memcpy(ix->arena + ix->used, s, n);
        ix->used += n;
    }
    return err;
}

static tz_err put_str(struct tz_screen_index *ix, const char *s)
{
    return put(ix, s, strlen(s) + 1);
}

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static uint64_t single_key(const char *k)
{
    return fnv(0xcbf29ce484222325ULL ^ 1, k);
}

static uint64_t pair_key(const char *a, const char *b)
{
    if (strcmp(a, b) > 0) {
        const char *t = a;
        a = b, b = t;
    }
    return fnv(fnv(0xcbf29ce484222325ULL ^ 2, a) * 31, b);
}

static tz_err post(struct tz_screen_index *ix, uint64_t hash, uint32_t rec)
{
    tz_err err = grow((void **)&ix->posts, &ix->capposts, ix->nposts + 1, sizeof(struct post));
    if (!err)
        ix->posts[ix->nposts++] = (struct post){hash, rec};
    return err;
}

static bool keyed(const struct tz_screen_part *p)
{
    return p->role != TZ_SCREEN_PART_INITIAL && tz_screen_part_key(p)[0];
}

/* The keys of a name: one per part, one per pair of parts. */
static tz_err post_name(struct tz_screen_index *ix, const struct tz_screen_name *nm, uint32_t rec)
{
    tz_err err = TZ_OK;
    for (uint8_t i = 0; i < nm->nparts && !err; i++) {
        if (!keyed(&nm->part[i]))
            continue;
        err = post(ix, single_key(tz_screen_part_key(&nm->part[i])), rec);
        for (uint8_t j = i + 1; j < nm->nparts && !err; j++)
            if (keyed(&nm->part[j]))
                err = post(ix, pair_key(tz_screen_part_key(&nm->part[i]),
                                        tz_screen_part_key(&nm->part[j])),
                           rec);
    }
    return err;
}

/* Packs the name's parts and the nationalities into the arena. */
static tz_err pack(struct tz_screen_index *ix, const struct tz_screen_name *nm,
                   const char nat[TZ_SCREEN_NAT_MAX][3])
{
    uint8_t n = nm->nparts;
    tz_err err = put(ix, &n, 1);
    for (uint8_t i = 0; i < n && !err; i++) {
        const struct tz_screen_part *p = &nm->part[i];
        uint8_t head[4] = {p->role, p->origin, p->nforms, p->abjad};
        err = put(ix, head, 4);
        for (uint8_t f = 0; f < p->nforms && !err; f++)
            err = put_str(ix, p->form[f]);
        if (!err)
            err = put_str(ix, p->phon);
        if (!err)
            err = put_str(ix, p->variant);
        if (!err)
            err = put_str(ix, p->key);
        if (!err)
            err = put_str(ix, p->written);
    }
    uint8_t nn = 0;
    for (size_t i = 0; i < TZ_SCREEN_NAT_MAX; i++)
        nn += nat[i][0] ? 1 : 0;
    if (!err)
        err = put(ix, &nn, 1);
    for (size_t i = 0; i < TZ_SCREEN_NAT_MAX && !err; i++)
        if (nat[i][0])
            err = put(ix, nat[i], 2);
    return err;
}

tz_err tz_screen_index_add(struct tz_screen_index *ix, const struct tz_screen_person_in *p)
{
    struct tz_screen_name nm;
    size_t idlen = p->source_id ? strlen(p->source_id) : 0;
    if (idlen == 0 || idlen >= 64 || !p->name || ix->nrecs >= UINT32_MAX)
        return TZ_EINVAL;
    tz_err err = p->keys && p->keys[0]
                     ? tz_screen_normalise_stored(p->name, strlen(p->name), p->keys, &nm)
                     : TZ_EINVAL;
    if (err) /* none stored, or of another version: ICU */
        err = tz_screen_normalise(p->name, strlen(p->name), &nm);
    if (err)
        return err;
    err = grow((void **)&ix->recs, &ix->caprecs, ix->nrecs + 1, sizeof(struct rec));
    if (err)
        return err;
    size_t mark = ix->used, pmark = ix->nposts;
    struct rec r = {.off = (uint32_t)ix->used, .dob = p->dob, .sex = p->sex};
    err = put_str(ix, p->source_id);
    if (!err)
        err = put_str(ix, p->name);
    if (!err)
        err = pack(ix, &nm, p->nat);
    if (!err)
        err = post_name(ix, &nm, (uint32_t)ix->nrecs);
    if (err) { /* nothing of a refused person stays */
        ix->used = mark, ix->nposts = pmark;
        return err;
    }
    ix->recs[ix->nrecs++] = r;
    return TZ_OK;
}

static int by_hash(const void *a, const void *b)
{
    const struct post *x = a, *y = b;
    return x->hash < y->hash ? -1 : x->hash > y->hash ? 1 : (x->rec > y->rec) - (x->rec < y->rec);
}

tz_err tz_screen_index_seal(struct tz_screen_index *ix)
{
    if (ix->nposts)
        qsort(ix->posts, ix->nposts, sizeof *ix->posts, by_hash);
    ix->sealed = ix->nposts;
    return TZ_OK;
}

/* The range [lo, hi) of posts under hash. */
static void range(const struct tz_screen_index *ix, uint64_t hash, size_t *lo, size_t *hi)
{
    size_t a = 0, b = ix->sealed;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (ix->posts[m].hash < hash)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    b = ix->sealed;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (ix->posts[m].hash <= hash)
            a = m + 1;
        else
            b = m;
    }
    *hi = a;
}

/* Reads a string at *at of the arena. */
static const char *take_str(const char *arena, size_t *at)
{
    const char *s = arena + *at;
    *at += strlen(s) + 1;
    return s;
}

static void copy_key(char *dst, const char *src, size_t cap)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Copies the string at *at of the arena into dst (cap bytes, cut if it must be) and steps past
 * it: one strlen per string, on the hot path of every candidate. */
static void take_key(const char *arena, size_t *at, char *dst, size_t cap)
{
    const char *s = arena + *at;
    size_t n = strlen(s);
    *at += n + 1;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* Decodes record r: its id, name as written, normalised name, nationalities. */
static void unpack(const struct tz_screen_index *ix, uint32_t r, const char **id,
                   const char **written, struct tz_screen_name *nm, char nat[TZ_SCREEN_NAT_MAX][3])
{
    size_t at = ix->recs[r].off;
    *id = take_str(ix->arena, &at);
    *written = take_str(ix->arena, &at);
    nm->nparts = (uint8_t)ix->arena[at++];
    for (uint8_t i = 0; i < nm->nparts; i++) {
        struct tz_screen_part *p = &nm->part[i];
        p->role = (uint8_t)ix->arena[at], p->origin = (uint8_t)ix->arena[at + 1];
        p->nforms = (uint8_t)ix->arena[at + 2], p->abjad = (uint8_t)ix->arena[at + 3];
        at += 4;
        for (uint8_t f = 0; f < p->nforms; f++)
            take_key(ix->arena, &at, p->form[f], TZ_SCREEN_KEY_MAX);
        take_key(ix->arena, &at, p->phon, TZ_SCREEN_PHON_MAX);
        take_key(ix->arena, &at, p->variant, TZ_SCREEN_PHON_MAX);
        take_key(ix->arena, &at, p->key, TZ_SCREEN_PHON_MAX);
        take_key(ix->arena, &at, p->written, TZ_SCREEN_KEY_MAX);
    }
    uint8_t nn = (uint8_t)ix->arena[at++];
    memset(nat, 0, TZ_SCREEN_NAT_MAX * 3);
    for (uint8_t i = 0; i < nn && i < TZ_SCREEN_NAT_MAX; i++, at += 2)
        memcpy(nat[i], ix->arena + at, 2);
}

struct cands {
    uint32_t *v;
    size_t n, cap;
};

static tz_err add_range(const struct tz_screen_index *ix, struct cands *c, size_t lo, size_t hi)
{
    tz_err err = grow((void **)&c->v, &c->cap, c->n + (hi - lo), sizeof(uint32_t));
    for (size_t k = lo; k < hi && !err; k++)
        c->v[c->n++] = ix->posts[k].rec;
    return err;
}

static int by_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The candidates of q: pairs of its parts, and its parts alone where their lists are short. */
static tz_err candidates(const struct tz_screen_index *ix, const struct tz_screen_name *q,
                         struct cands *c)
{
    size_t keyed_parts = 0;
    tz_err err = TZ_OK;
    for (uint8_t i = 0; i < q->nparts; i++)
        keyed_parts += keyed(&q->part[i]) ? 1 : 0;
    for (uint8_t i = 0; i < q->nparts && !err; i++) {
        if (!keyed(&q->part[i]))
            continue;
        const char *ki = tz_screen_part_key(&q->part[i]);
        size_t lo, hi;
        range(ix, single_key(ki), &lo, &hi);
        if (hi - lo <= SINGLE_CAP || keyed_parts == 1)
            err = add_range(ix, c, lo, hi - lo > SINGLE_MAX ? lo + SINGLE_MAX : hi);
        for (uint8_t j = i + 1; j < q->nparts && !err; j++) {
            if (!keyed(&q->part[j]))
                continue;
            range(ix, pair_key(ki, tz_screen_part_key(&q->part[j])), &lo, &hi);
            err = add_range(ix, c, lo, hi);
        }
    }
    if (err || c->n == 0)
        return err;
    qsort(c->v, c->n, sizeof *c->v, by_u32);
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++)
        if (k == 0 || c->v[k - 1] != c->v[i])
            c->v[k++] = c->v[i];
    c->n = k;
    return TZ_OK;
}

static int by_score(const void *a, const void *b)
{
    const struct tz_screen_hit *x = a, *y = b;
    if (x->why.score != y->why.score)
        return x->why.score < y->why.score ? 1 : -1;
    return (x->record > y->record) - (x->record < y->record);
}

tz_err tz_screen_search(const struct tz_screen_index *ix, const struct tz_screen_config *cfg,
                        const struct tz_screen_query *q, struct tz_screen_hit **hits,
                        size_t *count)
{
    struct cands c = {0};
    struct tz_screen_hit *out = NULL;
    size_t n = 0, cap = 0;
    *hits = NULL, *count = 0;
    tz_err err = candidates(ix, &q->name, &c);
    for (size_t i = 0; i < c.n && !err; i++) {
        struct tz_screen_name nm;
        char nat[TZ_SCREEN_NAT_MAX][3];
        const char *id, *written;
        unpack(ix, c.v[i], &id, &written, &nm, nat);
        struct tz_screen_explain why;
        const struct rec *r = &ix->recs[c.v[i]];
        tz_screen_score(cfg, q, &nm, &r->dob, (const char(*)[3])nat, r->sex, &why);
        if (why.score < cfg->threshold)
            continue;
        err = grow((void **)&out, &cap, n + 1, sizeof *out);
        if (err)
            break;
        out[n].record = c.v[i];
        out[n].why = why;
        copy_key(out[n].source_id, id, sizeof out[n].source_id);
        copy_key(out[n].name, written, sizeof out[n].name);
        n++;
    }
    free(c.v);
    if (err) {
        free(out);
        return err;
    }
    if (n)
        qsort(out, n, sizeof *out, by_score);
    *hits = out;
    *count = n < cfg->max_hits ? n : cfg->max_hits;
    return TZ_OK;
}
