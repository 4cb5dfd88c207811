/*
 * objects_index.c - the index of watch-listed documents and vehicles
 * (objects.h): build, query, views.
 *
 * Layout, chosen for memory at 10 M documents and 5 M vehicles:
 *   - one array of fixed-size records per kind (32 bytes a document, 44 a
 *     vehicle) whose strings are offsets into one text block, exactly sized
 *     (normal text is never longer than what it came from); makes, models
 *     and colours are stored once each however many vehicles share them;
 *   - one open-addressing table per key (uint32 slots holding record + 1,
 *     linear probing, at most two thirds full): document number, its
 *     skeleton (only numbers that hold an O, 0, I or 1 can be confused, so
 *     only they are in it), VIN, plate, plate skeleton. Each record keeps its
 *     keys' hashes, so a probe that meets another key rarely reads its text.
 * A query normalises its input with ids.h, probes the exact table, then the
 * skeleton table for the weaker hits, and copies at most TZ_OBJ_HITS_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "screening/objects.h"

#define NONE UINT32_MAX
#define RECORDS_MAX (UINT32_MAX - 1u)

struct doc {
    uint32_t number, source; /* offsets into text */
    int32_t valid_from, valid_until;
    uint32_t hash, skel_hash; /* of the normal number and of its skeleton */
    char country[4];
    uint8_t type, status, len;
};

struct veh {
    uint32_t vin, plate, make, model, colour, source; /* offsets, NONE when absent */
    uint32_t vin_hash, plate_hash, plate_skel_hash;
    char country[4]; /* the plate's country code, "" for none */
    uint8_t status;
};

struct table {
    uint32_t *slot; /* record + 1; 0 is empty */
    uint32_t mask;
};

struct tz_objects {
    struct doc *doc;
    size_t ndocs;
    struct veh *veh;
    size_t nveh;
    char *text;
    size_t text_len, text_cap;
    struct table doc_num, doc_skel, vin, plate, plate_skel;
};

/* ---- hashing and tables ---- */

/* FNV-1a with a 64-bit finaliser (MurmurHash3's fmix64): short keys, well spread. */
static uint64_t hash_text(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static uint32_t hash_check(uint64_t h)
{
    return (uint32_t)(h >> 32);
}

static tz_err table_init(struct table *t, size_t n)
{
    size_t cap = 16;
    while (cap < n + n / 2)
        cap <<= 1;
    t->slot = calloc(cap, sizeof *t->slot);
    t->mask = (uint32_t)(cap - 1);
    return t->slot ? TZ_OK : TZ_ENOMEM;
}

static void table_put(struct table *t, uint64_t h, uint32_t record)
{
    uint32_t i = (uint32_t)h & t->mask;
    while (t->slot[i])
        i = (i + 1) & t->mask;
    t->slot[i] = record + 1;
}

static size_t table_bytes(const struct table *t)
{
    return t->slot ? ((size_t)t->mask + 1) * sizeof *t->slot : 0;
}

/*
 * Keys are placed in batches: each key's slot is prefetched when it is added
 * and written BATCH keys later, so the cache misses of a batch overlap (a
 * table of 10 M keys is far larger than the cache; placing them one by one
 * spent most of a build waiting on memory).
 */
#define BATCH 32

struct batch {
    struct table *t;
    size_t n;
    uint64_t h[BATCH];
    uint32_t record[BATCH];
};

static void batch_flush(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        table_put(b->t, b->h[i], b->record[i]);
    b->n = 0;
}

static void batch_add(struct batch *b, uint64_t h, uint32_t record)
{
    __builtin_prefetch(&b->t->slot[(uint32_t)h & b->t->mask], 1);
    b->h[b->n] = h;
    b->record[b->n] = record;
    if (++b->n == BATCH)
        batch_flush(b);
}

/* ---- checking records ---- */

static bool text_fits(const char *s, size_t max)
{
    return !s || strnlen(s, max + 1) <= max;
}

static bool has(const char *s)
{
    return s && s[0];
}

tz_err tz_objects_check_document(const struct tz_doc_record *r, const char **field)
{
    struct tz_docnum num;
    char country[4];
    tz_err err = TZ_OK;
    *field = NULL;
    if ((unsigned)r->type >= TZ_DOC_TYPE_COUNT)
        *field = "type", err = TZ_EINVAL;
    else if ((unsigned)r->status >= TZ_DOC_STATUS_COUNT)
        *field = "status", err = TZ_EINVAL;
    else if (!has(r->number))
        *field = "number", err = TZ_EINVAL;
    else if ((err = tz_docnum_normalise(r->number, strnlen(r->number, TZ_DOCNUM_INPUT_MAX + 1),
                                        &num)) != TZ_OK)
        *field = "number";
    else if (!r->country || tz_ids_country3(r->country, strnlen(r->country, 8), country) != TZ_OK)
        *field = "country", err = TZ_EINVAL;
    else if (!has(r->source_id))
        *field = "source_id", err = TZ_EINVAL;
    else if (!text_fits(r->source_id, TZ_OBJ_SOURCE_MAX))
        *field = "source_id", err = TZ_ETOOBIG;
    return err;
}

/* A VIN fit for a key: 17 characters of the alphabet (its check digit may be wrong). */
static tz_err vin_key(const char *s, struct tz_vin *v)
{
    tz_err err = tz_vin_parse(s, strnlen(s, TZ_VIN_INPUT_MAX + 1), v);
    if (err == TZ_EINVAL && v->check == TZ_VIN_CHECK_BAD)
        return TZ_OK;
    return err;
}

/* The plate country of a record or query: a known one's code, else up to 3 letters as written. */
static tz_err plate_country(const char *s, size_t n, enum tz_plate_country *c, char code[4])
{
    memset(code, 0, 4);
    *c = tz_plate_country_parse(s, n);
    if (*c != TZ_PLATE_GENERIC) {
        memcpy(code, tz_plate_country_code(*c), 3);
        return TZ_OK;
    }
    if (n > 3)
        return TZ_EINVAL;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
        if (ch < 'A' || ch > 'Z')
            return TZ_EINVAL;
        code[i] = ch;
    }
    return TZ_OK;
}

static tz_err plate_key(const char *plate, const char *country, struct tz_plate *p, char code[4],
                        const char **field)
{
    enum tz_plate_country c;
    size_t cn = country ? strnlen(country, 8) : 0;
    if (plate_country(country ? country : "", cn, &c, code) != TZ_OK) {
        *field = "plate_country";
        return TZ_EINVAL;
    }
    tz_err err = tz_plate_normalise(c, plate, strnlen(plate, TZ_PLATE_INPUT_MAX + 1), p);
    if (err != TZ_OK)
        *field = "plate";
    return err;
}

/* The keys of a vehicle: a VIN, a plate, or both. */
static tz_err check_vehicle_keys(const struct tz_vehicle_record *r, const char **field)
{
    struct tz_vin vin;
    struct tz_plate plate;
    char code[4];
    tz_err err = TZ_OK;
    if (!has(r->vin) && !has(r->plate))
        *field = "vin", err = TZ_EINVAL;
    else if (has(r->vin) && (err = vin_key(r->vin, &vin)) != TZ_OK)
        *field = "vin";
    else if (has(r->plate))
        err = plate_key(r->plate, r->plate_country, &plate, code, field);
    return err;
}

tz_err tz_objects_check_vehicle(const struct tz_vehicle_record *r, const char **field)
{
    *field = NULL;
    if ((unsigned)r->status >= TZ_VEHICLE_STATUS_COUNT) {
        *field = "status";
        return TZ_EINVAL;
    }
    tz_err err = check_vehicle_keys(r, field);
    if (err != TZ_OK)
        return err;
    static const char *const name[] = {"make", "model", "colour"};
    const char *const text[] = {r->make, r->model, r->colour};
    for (int i = 0; i < 3; i++) {
        if (!text_fits(text[i], TZ_OBJ_TEXT_MAX)) {
            *field = name[i];
            return TZ_ETOOBIG;
        }
    }
    if (!has(r->source_id) || !text_fits(r->source_id, TZ_OBJ_SOURCE_MAX)) {
        *field = "source_id";
        return has(r->source_id) ? TZ_ETOOBIG : TZ_EINVAL;
    }
    return TZ_OK;
}

/* ---- building ---- */

static size_t len_or_0(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* Appends n bytes and a NUL to the text block (sized beforehand); returns the offset. */
static uint32_t put_text(struct tz_objects *ix, const char *s, size_t n)
{
    uint32_t at = (uint32_t)ix->text_len;
    memcpy(ix->text + at, s, n);
    ix->text[at + n] = '\0';
    ix->text_len += n + 1;
    return at;
}

/* The set of makes, models and colours already in the text block, so each is stored once. */
struct interned {
    uint32_t *slot; /* offset + 1 */
    size_t cap, count;
};

static tz_err intern_grow(struct tz_objects *ix, struct interned *set)
{
    size_t cap = set->cap ? set->cap * 2 : 1024;
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return TZ_ENOMEM;
    for (size_t i = 0; i < set->cap; i++) {
        if (!set->slot[i])
            continue;
        const char *s = ix->text + set->slot[i] - 1;
        size_t j = hash_text(s, strlen(s)) & (cap - 1);
        while (slot[j])
            j = (j + 1) & (cap - 1);
        slot[j] = set->slot[i];
    }
    free(set->slot);
    set->slot = slot;
    set->cap = cap;
    return TZ_OK;
}

static tz_err intern(struct tz_objects *ix, struct interned *set, const char *s, uint32_t *at)
{
    *at = NONE;
    if (!has(s))
        return TZ_OK;
    if (set->count * 2 >= set->cap) {
        tz_err err = intern_grow(ix, set);
        if (err != TZ_OK)
            return err;
    }
    size_t n = strlen(s);
    size_t j = hash_text(s, n) & (set->cap - 1);
    for (; set->slot[j]; j = (j + 1) & (set->cap - 1)) {
        if (strcmp(ix->text + set->slot[j] - 1, s) == 0) {
            *at = set->slot[j] - 1;
            return TZ_OK;
        }
    }
    *at = put_text(ix, s, n);
    set->slot[j] = *at + 1;
    set->count++;
    return TZ_OK;
}

static void fill_document(struct tz_objects *ix, const struct tz_doc_record *r, struct doc *d)
{
    struct tz_docnum num;
    tz_docnum_normalise(r->number, strlen(r->number), &num); /* checked before */
    d->number = put_text(ix, num.text, num.len);
    d->source = put_text(ix, r->source_id, strlen(r->source_id));
    d->valid_from = r->valid_from;
    d->valid_until = r->valid_until;
    d->hash = hash_check(hash_text(num.text, num.len));
    d->skel_hash = hash_check(hash_text(num.skeleton, num.len));
    tz_ids_country3(r->country, strlen(r->country), d->country);
    d->type = (uint8_t)r->type;
    d->status = (uint8_t)r->status;
    d->len = (uint8_t)num.len;
}

static tz_err fill_vehicle(struct tz_objects *ix, struct interned *set,
                           const struct tz_vehicle_record *r, struct veh *v)
{
    const char *field;
    v->vin = v->plate = NONE;
    if (has(r->vin)) {
        struct tz_vin vin;
        vin_key(r->vin, &vin);
        v->vin = put_text(ix, vin.text, 17);
        v->vin_hash = hash_check(hash_text(vin.text, 17));
    }
    if (has(r->plate)) {
        struct tz_plate p;
        plate_key(r->plate, r->plate_country, &p, v->country, &field);
        v->plate = put_text(ix, p.text, p.len);
        v->plate_hash = hash_check(hash_text(p.text, p.len));
        v->plate_skel_hash = hash_check(hash_text(p.skeleton, p.len));
    }
    v->source = put_text(ix, r->source_id, strlen(r->source_id));
    v->status = (uint8_t)r->status;
    tz_err err = intern(ix, set, r->make, &v->make);
    if (err == TZ_OK)
        err = intern(ix, set, r->model, &v->model);
    if (err == TZ_OK)
        err = intern(ix, set, r->colour, &v->colour);
    return err;
}

static bool confusable(const char *s)
{
    return strpbrk(s, "O0I1") != NULL;
}

static void skeleton_of(const char *text, char *skel, size_t n)
{
    for (size_t i = 0; i < n; i++)
        skel[i] = text[i] == 'O' ? '0' : text[i] == 'I' ? '1' : text[i];
}

/* Each document in its number's table, and in the skeleton's when it could be confused. */
static tz_err index_documents(struct tz_objects *ix)
{
    size_t nskel = 0;
    for (size_t i = 0; i < ix->ndocs; i++)
        nskel += confusable(ix->text + ix->doc[i].number);
    tz_err err = table_init(&ix->doc_num, ix->ndocs);
    if (err == TZ_OK)
        err = table_init(&ix->doc_skel, nskel);
    if (err != TZ_OK)
        return err;
    struct batch num = {.t = &ix->doc_num}, skel = {.t = &ix->doc_skel};
    for (size_t i = 0; i < ix->ndocs; i++) {
        const struct doc *d = &ix->doc[i];
        const char *text = ix->text + d->number;
        batch_add(&num, hash_text(text, d->len), (uint32_t)i);
        if (!confusable(text))
            continue;
        char sk[TZ_DOCNUM_MAX];
        size_t n = d->len < sizeof sk ? d->len : sizeof sk; /* always d->len: normal numbers fit */
        skeleton_of(text, sk, n);
        batch_add(&skel, hash_text(sk, n), (uint32_t)i);
    }
    batch_flush(&num);
    batch_flush(&skel);
    return TZ_OK;
}

static tz_err index_vehicles(struct tz_objects *ix)
{
    size_t nvin = 0, nplate = 0, nskel = 0;
    for (size_t i = 0; i < ix->nveh; i++) {
        const struct veh *v = &ix->veh[i];
        nvin += v->vin != NONE;
        nplate += v->plate != NONE;
        nskel += v->plate != NONE && confusable(ix->text + v->plate);
    }
    tz_err err = table_init(&ix->vin, nvin);
    if (err == TZ_OK)
        err = table_init(&ix->plate, nplate);
    if (err == TZ_OK)
        err = table_init(&ix->plate_skel, nskel);
    if (err != TZ_OK)
        return err;
    struct batch vin = {.t = &ix->vin}, plate = {.t = &ix->plate}, skel = {.t = &ix->plate_skel};
    for (size_t i = 0; i < ix->nveh; i++) {
        const struct veh *v = &ix->veh[i];
        if (v->vin != NONE)
            batch_add(&vin, hash_text(ix->text + v->vin, 17), (uint32_t)i);
        if (v->plate == NONE)
            continue;
        const char *p = ix->text + v->plate;
        char sk[TZ_PLATE_MAX];
        size_t n = strnlen(p, sizeof sk); /* normal plates fit */
        batch_add(&plate, hash_text(p, n), (uint32_t)i);
        if (!confusable(p))
            continue;
        skeleton_of(p, sk, n);
        batch_add(&skel, hash_text(sk, n), (uint32_t)i);
    }
    batch_flush(&vin);
    batch_flush(&plate);
    batch_flush(&skel);
    return TZ_OK;
}

/* Checks every record; the first that cannot be keyed is the refusal. */
static tz_err check_all(const struct tz_doc_record *docs, size_t ndocs,
                        const struct tz_vehicle_record *veh, size_t nveh,
                        struct tz_objects_refusal *refused, size_t *text)
{
    const char *field = NULL;
    tz_err err = TZ_OK;
    size_t i = 0;
    *text = 0;
    for (; i < ndocs && err == TZ_OK; i++) {
        err = tz_objects_check_document(&docs[i], &field);
        if (err == TZ_OK)
            *text += strlen(docs[i].number) + 1 + strlen(docs[i].source_id) + 1;
    }
    if (err != TZ_OK) {
        *refused = (struct tz_objects_refusal){false, i - 1, field, err};
        return err;
    }
    for (i = 0; i < nveh && err == TZ_OK; i++) {
        err = tz_objects_check_vehicle(&veh[i], &field);
        if (err == TZ_OK)
            *text += len_or_0(veh[i].vin) + len_or_0(veh[i].plate) + len_or_0(veh[i].make) +
                     len_or_0(veh[i].model) + len_or_0(veh[i].colour) + len_or_0(veh[i].source_id);
    }
    if (err != TZ_OK)
        *refused = (struct tz_objects_refusal){true, i - 1, field, err};
    return err;
}

static tz_err fill_all(struct tz_objects *ix, const struct tz_doc_record *docs,
                       const struct tz_vehicle_record *veh)
{
    struct interned set = {0};
    tz_err err = TZ_OK;
    for (size_t i = 0; i < ix->ndocs; i++)
        fill_document(ix, &docs[i], &ix->doc[i]);
    for (size_t i = 0; i < ix->nveh && err == TZ_OK; i++)
        err = fill_vehicle(ix, &set, &veh[i], &ix->veh[i]);
    free(set.slot);
    if (err == TZ_OK)
        err = index_documents(ix);
    if (err == TZ_OK)
        err = index_vehicles(ix);
    return err;
}

tz_err tz_objects_build(const struct tz_doc_record *docs, size_t ndocs,
                        const struct tz_vehicle_record *vehicles, size_t nvehicles,
                        struct tz_objects **out, struct tz_objects_refusal *refused)
{
    struct tz_objects_refusal ignored;
    struct tz_objects *ix = NULL;
    size_t text = 0;
    *out = NULL;
    if (!refused)
        refused = &ignored;
    memset(refused, 0, sizeof *refused);
    if (ndocs > RECORDS_MAX || nvehicles > RECORDS_MAX)
        return TZ_ETOOBIG;
    tz_err err = check_all(docs, ndocs, vehicles, nvehicles, refused, &text);
    if (err != TZ_OK)
        return err;
    if (text >= UINT32_MAX)
        return TZ_ETOOBIG;
    ix = calloc(1, sizeof *ix);
    if (!ix)
        return TZ_ENOMEM;
    ix->ndocs = ndocs;
    ix->nveh = nvehicles;
    ix->doc = calloc(ndocs ? ndocs : 1, sizeof *ix->doc);
    ix->veh = calloc(nvehicles ? nvehicles : 1, sizeof *ix->veh);
    ix->text = malloc(text ? text : 1);
    ix->text_cap = text ? text : 1;
    err = ix->doc && ix->veh && ix->text ? fill_all(ix, docs, vehicles) : TZ_ENOMEM;
    if (err != TZ_OK)
        goto done;
    /* give back what normalising and interning saved */
    char *fit = realloc(ix->text, ix->text_len ? ix->text_len : 1);
    if (fit) {
        ix->text = fit;
        ix->text_cap = ix->text_len ? ix->text_len : 1;
    }
    *out = ix;
    ix = NULL;
done:
    tz_objects_free(ix);
    return err;
}

void tz_objects_free(struct tz_objects *ix)
{
    if (!ix)
        return;
    free(ix->doc_num.slot);
    free(ix->doc_skel.slot);
    free(ix->vin.slot);
    free(ix->plate.slot);
    free(ix->plate_skel.slot);
    free(ix->text);
    free(ix->veh);
    free(ix->doc);
    free(ix);
}

void tz_objects_stats(const struct tz_objects *ix, struct tz_objects_stats *out)
{
    memset(out, 0, sizeof *out);
    out->documents = ix->ndocs;
    out->vehicles = ix->nveh;
    out->text_bytes = ix->text_cap;
    out->bytes = sizeof *ix + ix->ndocs * sizeof *ix->doc + ix->nveh * sizeof *ix->veh +
                 ix->text_cap + table_bytes(&ix->doc_num) + table_bytes(&ix->doc_skel) +
                 table_bytes(&ix->vin) + table_bytes(&ix->plate) + table_bytes(&ix->plate_skel);
}

/* ---- queries ---- */

static void add_hit(struct tz_obj_hits *hits, const struct tz_obj_hit *h)
{
    if (hits->count < TZ_OBJ_HITS_MAX)
        hits->hit[hits->count++] = *h;
    else
        hits->dropped++;
}

/* Puts the weaker hits from index from on in order of fewer confused positions (stable). */
static void order_weaker(struct tz_obj_hits *hits, size_t from)
{
    for (size_t i = from + 1; i < hits->count; i++) {
        struct tz_obj_hit h = hits->hit[i];
        size_t j = i;
        for (; j > from && hits->hit[j - 1].confused > h.confused; j--)
            hits->hit[j] = hits->hit[j - 1];
        hits->hit[j] = h;
    }
}

/* The records in t's probe sequence for hash h; calls back for each, bounded by the table. */
#define FOR_PROBE(t, h, rec)                                                                       \
    for (uint32_t probe_i = (uint32_t)(h) & (t)->mask, probe_n = 0, rec;                           \
         probe_n <= (t)->mask && (rec = (t)->slot[probe_i]) != 0;                                  \
         probe_i = (probe_i + 1) & (t)->mask, probe_n++)

static void find_number(const struct tz_objects *ix, const struct tz_docnum *num,
                        const char *country, struct tz_obj_hits *hits)
{
    uint64_t h = hash_text(num->text, num->len);
    FOR_PROBE(&ix->doc_num, h, slot)
    {
        const struct doc *d = &ix->doc[slot - 1];
        if (d->hash != hash_check(h) || d->len != num->len ||
            memcmp(ix->text + d->number, num->text, num->len) != 0)
            continue;
        if (country && memcmp(d->country, country, 4) != 0)
            continue;
        struct tz_obj_hit hit = {slot - 1, TZ_OBJ_KEY_NUMBER, TZ_ID_SAME, 0, 0, country != NULL};
        add_hit(hits, &hit);
    }
    size_t weaker = hits->count;
    uint64_t hs = hash_text(num->skeleton, num->len);
    FOR_PROBE(&ix->doc_skel, hs, slot)
    {
        const struct doc *d = &ix->doc[slot - 1];
        struct tz_obj_hit hit = {slot - 1, TZ_OBJ_KEY_NUMBER, TZ_ID_DIFFERENT, 0,
                                 0,        country != NULL};
        if (d->skel_hash != hash_check(hs) || d->len != num->len ||
            (country && memcmp(d->country, country, 4) != 0))
            continue;
        hit.match = tz_id_compare(num->text, ix->text + d->number, &hit.confused_at, &hit.confused);
        if (hit.match == TZ_ID_CONFUSABLE)
            add_hit(hits, &hit);
    }
    order_weaker(hits, weaker);
}

tz_err tz_objects_find_documents(const struct tz_objects *ix, const struct tz_doc_query *q,
                                 struct tz_obj_hits *hits, const char **field)
{
    const char *ignored;
    struct tz_docnum num;
    char country[4];
    bool any = !q->country || q->country_len == 0;
    memset(hits, 0, sizeof *hits);
    if (!field)
        field = &ignored;
    *field = NULL;
    if (!q->number || tz_docnum_normalise(q->number, q->number_len, &num) != TZ_OK) {
        *field = "number";
        return TZ_EINVAL;
    }
    if (!any && tz_ids_country3(q->country, q->country_len, country) != TZ_OK) {
        *field = "country";
        return TZ_EINVAL;
    }
    find_number(ix, &num, any ? NULL : country, hits);
    return TZ_OK;
}

/*
 * A VIN as a query: separators dropped, case folded, and I, O, Q (which no
 * VIN holds) read as 1, 0, 0 with their positions noted.
 */
static tz_err query_vin(const char *s, size_t n, char vin[18], uint32_t *mapped, unsigned *count)
{
    size_t len = 0;
    *mapped = 0;
    *count = 0;
    if (n > TZ_VIN_INPUT_MAX)
        return TZ_EINVAL;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == '-')
            continue;
        c = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
        if (len == 17)
            return TZ_EINVAL;
        if (c == 'I' || c == 'O' || c == 'Q') {
            *mapped |= 1u << len;
            (*count)++;
            c = c == 'I' ? '1' : '0';
        }
        vin[len++] = c;
    }
    vin[len] = '\0';
    return len == 17 && tz_vin_check_digit(vin) != '\0' ? TZ_OK : TZ_EINVAL;
}

static void find_vin(const struct tz_objects *ix, const char *vin, uint32_t mapped, unsigned count,
                     struct tz_obj_hits *hits)
{
    uint64_t h = hash_text(vin, 17);
    FOR_PROBE(&ix->vin, h, slot)
    {
        const struct veh *v = &ix->veh[slot - 1];
        if (v->vin_hash != hash_check(h) || memcmp(ix->text + v->vin, vin, 17) != 0)
            continue;
        struct tz_obj_hit hit = {slot - 1, TZ_OBJ_KEY_VIN, count ? TZ_ID_CONFUSABLE : TZ_ID_SAME,
                                 mapped,   count,          false};
        add_hit(hits, &hit);
    }
}

static void find_plate(const struct tz_objects *ix, const struct tz_plate *p, const char *code,
                       struct tz_obj_hits *hits)
{
    uint64_t h = hash_text(p->text, p->len);
    FOR_PROBE(&ix->plate, h, slot)
    {
        const struct veh *v = &ix->veh[slot - 1];
        if (v->plate_hash != hash_check(h) || strcmp(ix->text + v->plate, p->text) != 0 ||
            (code && strcmp(v->country, code) != 0))
            continue;
        struct tz_obj_hit hit = {slot - 1, TZ_OBJ_KEY_PLATE, TZ_ID_SAME, 0, 0, code != NULL};
        add_hit(hits, &hit);
    }
    size_t weaker = hits->count;
    uint64_t hs = hash_text(p->skeleton, p->len);
    FOR_PROBE(&ix->plate_skel, hs, slot)
    {
        const struct veh *v = &ix->veh[slot - 1];
        struct tz_obj_hit hit = {slot - 1, TZ_OBJ_KEY_PLATE, TZ_ID_DIFFERENT, 0, 0, code != NULL};
        if (v->plate_skel_hash != hash_check(hs) || (code && strcmp(v->country, code) != 0))
            continue;
        hit.match = tz_id_compare(p->text, ix->text + v->plate, &hit.confused_at, &hit.confused);
        if (hit.match == TZ_ID_CONFUSABLE)
            add_hit(hits, &hit);
    }
    order_weaker(hits, weaker);
}

tz_err tz_objects_find_vehicles(const struct tz_objects *ix, const struct tz_vehicle_query *q,
                                struct tz_obj_hits *hits, const char **field)
{
    const char *ignored;
    bool want_vin = q->vin && q->vin_len > 0, want_plate = q->plate && q->plate_len > 0;
    memset(hits, 0, sizeof *hits);
    if (!field)
        field = &ignored;
    *field = want_vin || want_plate ? NULL : "vin";
    char vin[18];
    uint32_t mapped = 0;
    unsigned count = 0;
    if (want_vin && query_vin(q->vin, q->vin_len, vin, &mapped, &count) != TZ_OK)
        *field = "vin";
    struct tz_plate plate;
    enum tz_plate_country c = TZ_PLATE_GENERIC;
    char code[4] = {0};
    bool any = !q->plate_country || q->plate_country_len == 0;
    if (!*field && want_plate && !any &&
        plate_country(q->plate_country, q->plate_country_len, &c, code) != TZ_OK)
        *field = "plate_country";
    if (!*field && want_plate && tz_plate_normalise(c, q->plate, q->plate_len, &plate) != TZ_OK)
        *field = "plate";
    if (*field)
        return TZ_EINVAL;
    if (want_vin)
        find_vin(ix, vin, mapped, count, hits);
    if (want_plate)
        find_plate(ix, &plate, any ? NULL : code, hits);
    return TZ_OK;
}

/* ---- views ---- */

void tz_objects_document(const struct tz_objects *ix, uint32_t i, struct tz_doc_record *out)
{
    const struct doc *d = &ix->doc[i];
    out->type = (enum tz_doc_type)d->type;
    out->number = ix->text + d->number;
    out->country = d->country;
    out->valid_from = d->valid_from;
    out->valid_until = d->valid_until;
    out->status = (enum tz_doc_status)d->status;
    out->source_id = ix->text + d->source;
}

static const char *text_at(const struct tz_objects *ix, uint32_t at)
{
    return at == NONE ? NULL : ix->text + at;
}

void tz_objects_vehicle(const struct tz_objects *ix, uint32_t i, struct tz_vehicle_record *out)
{
    const struct veh *v = &ix->veh[i];
    out->vin = text_at(ix, v->vin);
    out->plate = text_at(ix, v->plate);
    out->plate_country = v->country;
    out->make = text_at(ix, v->make);
    out->model = text_at(ix, v->model);
    out->colour = text_at(ix, v->colour);
    out->status = (enum tz_vehicle_status)v->status;
    out->source_id = ix->text + v->source;
}
