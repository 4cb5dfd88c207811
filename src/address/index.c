/*
 * index.c - the address index's life: names interned as addresses are
 * added, then one build that sorts them into street groups, makes the
 * search keys and the grid order; the nearest address of a point. The
 * search itself is search.c. See internal.h for the layout.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address/internal.h"

#define PI 3.14159265358979323846
#define POINTS_MAX 0x7FFFFFFFu
#define ARENA_MAX 0xFFFFFFF0u /* offsets are 32 bits */

/* Grows *p (elements of size, *cap of them) to hold need; TZ_ENOMEM or TZ_ETOOBIG. */
static tz_err grow(void **p, size_t *cap, size_t need, size_t size, size_t max)
{
    if (need <= *cap)
        return TZ_OK;
    if (need > max)
        return TZ_ETOOBIG;
    size_t n = *cap ? *cap : 1024;
    while (n < need)
        n = n > max / 2 ? max : n * 2;
    void *q = realloc(*p, n * size);
    if (!q)
        return TZ_ENOMEM;
    *p = q;
    *cap = n;
    return TZ_OK;
}

/* Appends s (n bytes) and a NUL to an arena; its offset in *off. */
static tz_err arena_put(char **data, size_t *len, size_t *cap, const char *s, size_t n,
                        uint32_t *off)
{
    tz_err err = grow((void **)data, cap, *len + n + 1, 1, ARENA_MAX);
    if (err)
        return err;
    memcpy(*data + *len, s, n);
    (*data)[*len + n] = '\0';
    *off = (uint32_t)*len;
    *len += n + 1;
    return TZ_OK;
}

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static tz_err rehash(struct addr_names *t)
{
    size_t n = t->nslots ? t->nslots * 2 : 4096;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return TZ_ENOMEM;
    for (size_t i = 0; i < t->nslots; i++) {
        if (!t->slots[i])
            continue;
        const char *s = t->data + t->slots[i] - 1;
        size_t j = hash(s, strlen(s)) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return TZ_OK;
}

/* The offset of s in the names, added if new. */
static tz_err intern(struct addr_names *t, const char *s, uint32_t *off)
{
    tz_err err;
    size_t n = strlen(s);
    if (t->used * 2 >= t->nslots && (err = rehash(t)))
        return err;
    size_t j = hash(s, n) & (t->nslots - 1);
    for (; t->slots[j]; j = (j + 1) & (t->nslots - 1)) {
        const char *o = t->data + t->slots[j] - 1;
        if (strcmp(o, s) == 0) {
            *off = t->slots[j] - 1;
            return TZ_OK;
        }
    }
    if ((err = arena_put(&t->data, &t->len, &t->cap, s, n, off)))
        return err;
    t->slots[j] = *off + 1;
    t->used++;
    return TZ_OK;
}

tz_err tz_address_index_new(struct tz_address_index **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? TZ_OK : TZ_ENOMEM;
}

void tz_address_index_free(struct tz_address_index *ix)
{
    if (!ix)
        return;
    free(ix->names.data);
    free(ix->names.slots);
    free(ix->points);
    free(ix->folded);
    free(ix->groups);
    free(ix->keys);
    free(ix->by_cell);
    free(ix);
}

tz_err tz_address_index_add(struct tz_address_index *ix, const struct tz_address_rec *rec)
{
    if (ix->built)
        return TZ_ECONFLICT;
    if (!(rec->lat >= TZ_ADDRESS_LAT_MIN && rec->lat <= TZ_ADDRESS_LAT_MAX &&
          rec->lon >= TZ_ADDRESS_LON_MIN && rec->lon <= TZ_ADDRESS_LON_MAX) ||
        !rec->locality[0] || !rec->number[0])
        return TZ_EINVAL;
    tz_err err =
        grow((void **)&ix->points, &ix->cap, ix->count + 1, sizeof *ix->points, POINTS_MAX);
    struct addr_point p = {.lat = (float)rec->lat, .lon = (float)rec->lon};
    if (err || (err = intern(&ix->names, rec->locality, &p.locality)) ||
        (err = intern(&ix->names, rec->street, &p.street)) ||
        (err = intern(&ix->names, rec->number, &p.number)) ||
        (err = intern(&ix->names, rec->postcode, &p.postcode)))
        return err;
    ix->points[ix->count++] = p;
    return TZ_OK;
}

void addr_point_rec(const struct tz_address_index *ix, const struct addr_point *p,
                    struct tz_address_rec *rec)
{
    memset(rec, 0, sizeof *rec);
    /* The names came from records of these sizes, so they fit. */
    snprintf(rec->locality, sizeof rec->locality, "%s", addr_name(ix, p->locality));
    snprintf(rec->street, sizeof rec->street, "%s", addr_name(ix, p->street));
    snprintf(rec->number, sizeof rec->number, "%s", addr_name(ix, p->number));
    snprintf(rec->postcode, sizeof rec->postcode, "%s", addr_name(ix, p->postcode));
    rec->lat = p->lat;
    rec->lon = p->lon;
}

/* House numbers in their natural order: 2 < 10 < 10a < 10b < 11. */
static int number_cmp(const char *a, const char *b)
{
    unsigned long na = strtoul(a, NULL, 10), nb = strtoul(b, NULL, 10);
    if (na != nb)
        return na < nb ? -1 : 1;
    return strcmp(a, b);
}

/* qsort has no context argument (qsort_r is not C17): the index being sorted, under sort_mu. */
static const struct tz_address_index *sorting;
static pthread_mutex_t sort_mu = PTHREAD_MUTEX_INITIALIZER;

static int point_cmp(const void *x, const void *y)
{
    const struct addr_point *a = x, *b = y;
    if (a->street != b->street)
        return a->street < b->street ? -1 : 1;
    if (a->locality != b->locality)
        return a->locality < b->locality ? -1 : 1;
    return number_cmp(addr_name(sorting, a->number), addr_name(sorting, b->number));
}

static int key_cmp(const void *x, const void *y)
{
    const struct addr_key *a = x, *b = y;
    int c = strcmp(sorting->folded + a->text, sorting->folded + b->text);
    if (c)
        return c;
    uint32_t ca = sorting->groups[a->group].count, cb = sorting->groups[b->group].count;
    return ca != cb ? (ca > cb ? -1 : 1) : (a->group < b->group ? -1 : a->group > b->group);
}

static int cell_cmp(const void *x, const void *y)
{
    const struct addr_point *a = &sorting->points[*(const uint32_t *)x];
    const struct addr_point *b = &sorting->points[*(const uint32_t *)y];
    uint32_t ca = addr_cell(a->lat, a->lon), cb = addr_cell(b->lat, b->lon);
    return ca != cb ? (ca < cb ? -1 : 1) : 0;
}

/* Folds name into the folded arena at *off. */
static tz_err fold_in(struct tz_address_index *ix, const char *name, uint32_t *off)
{
    char f[TZ_ADDRESS_STREET_MAX];
    size_t n;
    tz_err err = tz_address_fold(name, strlen(name), f, sizeof f, &n);
    return err ? err : arena_put(&ix->folded, &ix->flen, &ix->fcap, f, n, off);
}

/* Makes group g (points [first, first + count)) and a key for each word of its street. */
static tz_err add_group(struct tz_address_index *ix, size_t first, size_t count, size_t *kcap)
{
    const struct addr_point *p = &ix->points[first];
    struct addr_group g = {.first = (uint32_t)first, .count = (uint32_t)count};
    const char *street = addr_name(ix, p->street);
    tz_err err;
    if ((err = fold_in(ix, street[0] ? street : addr_name(ix, p->locality), &g.fstreet)) ||
        (err = fold_in(ix, addr_name(ix, p->locality), &g.flocality)))
        return err;
    ix->groups[ix->ngroups] = g;
    const char *f = ix->folded + g.fstreet;
    uint32_t word = 0;
    for (size_t i = 0; f[i]; i++) {
        if (i > 0 && f[i - 1] != ' ')
            continue;
        if ((err = grow((void **)&ix->keys, kcap, ix->nkeys + 1, sizeof *ix->keys, POINTS_MAX)))
            return err;
        ix->keys[ix->nkeys++] = (struct addr_key){
            .text = g.fstreet + (uint32_t)i, .group = (uint32_t)ix->ngroups, .word = word++};
    }
    ix->ngroups++;
    return TZ_OK;
}

static tz_err build(struct tz_address_index *ix)
{
    sorting = ix;
    if (ix->count)
        qsort(ix->points, ix->count, sizeof *ix->points, point_cmp);
    size_t ngroups = 0, kcap = 0;
    for (size_t i = 0; i < ix->count; i++)
        ngroups += i == 0 || ix->points[i - 1].street != ix->points[i].street ||
                   ix->points[i - 1].locality != ix->points[i].locality;
    ix->groups = malloc((ngroups ? ngroups : 1) * sizeof *ix->groups);
    ix->by_cell = malloc((ix->count ? ix->count : 1) * sizeof *ix->by_cell);
    if (!ix->groups || !ix->by_cell)
        return TZ_ENOMEM;
    tz_err err = TZ_OK;
    for (size_t i = 0, start = 0; i < ix->count && !err; i++) {
        const struct addr_point *a = &ix->points[i], *b = a + 1;
        if (i + 1 == ix->count || a->street != b->street || a->locality != b->locality) {
            err = add_group(ix, start, i + 1 - start, &kcap);
            start = i + 1;
        }
    }
    if (err)
        return err;
    if (ix->nkeys)
        qsort(ix->keys, ix->nkeys, sizeof *ix->keys, key_cmp);
    for (size_t i = 0; i < ix->count; i++)
        ix->by_cell[i] = (uint32_t)i;
    if (ix->count)
        qsort(ix->by_cell, ix->count, sizeof *ix->by_cell, cell_cmp);
    ix->built = true;
    return TZ_OK;
}

tz_err tz_address_index_build(struct tz_address_index *ix)
{
    if (ix->built)
        return TZ_ECONFLICT;
    pthread_mutex_lock(&sort_mu);
    tz_err err = build(ix);
    sorting = NULL;
    pthread_mutex_unlock(&sort_mu);
    return err;
}

static tz_err load_one(void *ctx, const struct tz_address_rec *rec)
{
    return tz_address_index_add(ctx, rec);
}

tz_err tz_address_index_load(struct tz_store *store, struct tz_address_index **out)
{
    struct tz_address_index *ix = NULL;
    tz_err err = tz_address_index_new(&ix);
    if (!err && !(err = tz_store_scan_addresses(store, load_one, ix)))
        err = tz_address_index_build(ix);
    if (err) {
        tz_address_index_free(ix);
        ix = NULL;
    }
    *out = ix;
    return err;
}

size_t tz_address_index_count(const struct tz_address_index *ix)
{
    return ix ? ix->count : 0;
}

size_t tz_address_index_bytes(const struct tz_address_index *ix)
{
    if (!ix)
        return 0;
    return ix->names.cap + ix->names.nslots * sizeof(uint32_t) +
           ix->cap * sizeof(struct addr_point) + ix->fcap +
           ix->ngroups * sizeof(struct addr_group) + ix->nkeys * sizeof(struct addr_key) +
           ix->count * sizeof(uint32_t);
}

/* Metres between two points (equirectangular: exact enough within a kilometre). */
static double metres(double lat1, double lon1, double lat2, double lon2)
{
    double k = 6371000.0 * PI / 180.0;
    double dx = (lon2 - lon1) * cos((lat1 + lat2) * PI / 360.0) * k, dy = (lat2 - lat1) * k;
    return sqrt(dx * dx + dy * dy);
}

/* The first entry of by_cell at or after cell. */
static size_t cell_lower(const struct tz_address_index *ix, uint32_t cell)
{
    size_t lo = 0, hi = ix->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct addr_point *p = &ix->points[ix->by_cell[mid]];
        if (addr_cell(p->lat, p->lon) < cell)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

tz_err tz_address_nearest(const struct tz_address_index *ix, double lat, double lon, double max_m,
                          struct tz_address_hit *out, double *dist_m)
{
    if (!ix || !ix->built || !out || !dist_m || !(max_m > 0 && max_m <= 500))
        return TZ_EINVAL;
    if (!(lat >= TZ_ADDRESS_LAT_MIN && lat <= TZ_ADDRESS_LAT_MAX && lon >= TZ_ADDRESS_LON_MIN &&
          lon <= TZ_ADDRESS_LON_MAX))
        return TZ_ENOTFOUND;
    /* A cell is at least 700 m wide here, so the point's cell and its neighbours hold anything
     * within 500 m. */
    const struct addr_point *best = NULL;
    double best_m = max_m;
    for (int dy = -1; dy <= 1; dy++) {
        for (int dx = -1; dx <= 1; dx++) {
            double clat = lat + dy * 0.01, clon = lon + dx * 0.01;
            if (clat < 48.0 || clon < 14.0)
                continue;
            uint32_t cell = addr_cell(clat, clon);
            for (size_t i = cell_lower(ix, cell); i < ix->count; i++) {
                const struct addr_point *p = &ix->points[ix->by_cell[i]];
                if (addr_cell(p->lat, p->lon) != cell)
                    break;
                double m = metres(lat, lon, p->lat, p->lon);
                if (m <= best_m) {
                    best_m = m;
                    best = p;
                }
            }
        }
    }
    if (!best)
        return TZ_ENOTFOUND;
    addr_point_rec(ix, best, &out->addr);
    out->edits = 0;
    *dist_m = best_m;
    return TZ_OK;
}
