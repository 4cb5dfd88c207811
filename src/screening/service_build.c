/*
 * service_build.c - the service's indexes built from what it screens against: every person,
 * document and vehicle of every watch-list in the store, and every person, document and
 * vehicle of every published notice of the exchange module (when one is attached).
 *
 * tz_screening_visit hands every such record to a visitor (one person row a name); a build
 * gathers them into the indexes (tz_screen_gather_*), a snapshot writes them to a file
 * (snapshot.c), and the offline copy gathers what it reads back from one.
 *
 * A notice's entity is named "notices/<message id>/<entity ref>": source "notices", the record
 * id the notice's message and the entity within it. A row that the index cannot key (stored
 * before a rule changed, or a notice's VIN of the wrong length) is left out, not fatal: an
 * officer still gets every other record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange/exchange.h"
#include "screening/internal.h"

#define LOAD_PAGE 5000 /* rows read from the store at a time */
#define ID_MAX (TZ_WATCH_ID_MAX + 1 + TZ_WATCH_ID_MAX)

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 256;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * size);
    if (!q)
        return false;
    *p = q, *cap = n;
    return true;
}

/* The date, nationalities and sex of a stored person, as the index takes them. */
static void facts_of(const struct tz_watch_person_rec *r, struct tz_screen_person_in *p)
{
    if (r->birth_date[0])
        (void)tz_screen_date_parse(r->birth_date, strlen(r->birth_date), &p->dob);
    p->sex = r->sex[0] == 'm'   ? TZ_SCREEN_SEX_MALE
             : r->sex[0] == 'f' ? TZ_SCREEN_SEX_FEMALE
                                : TZ_SCREEN_SEX_UNKNOWN;
    for (size_t i = 0, k = 0; r->nationalities[i] && k < TZ_SCREEN_NAT_MAX; i += 3, k++) {
        memcpy(p->nat[k], r->nationalities + i, 2);
        if (!r->nationalities[i + 1] || !r->nationalities[i + 2])
            break;
    }
}

/*
 * Writes the keys made for stored persons back to their rows, in one transaction with an audit
 * entry (watchlist.keys, by the system: the keys are derived from the names, nothing an officer
 * wrote changes, but the rows do). A failure (no memory, a store that cannot be written now) is
 * not the build's: the keys are made again at the next build.
 */
static void rekey_flush(struct tz_screen_gather *g)
{
    if (g->nrekey == 0)
        return;
    struct tz_watch_person_keys *rows = malloc(g->nrekey * sizeof *rows);
    if (!rows) {
        g->nrekey = 0;
        return;
    }
    for (size_t i = 0; i < g->nrekey; i++)
        rows[i] = (struct tz_watch_person_keys){g->rekey[i].id, g->rekey[i].name, g->rekey[i].keys};
    char fields[96];
    snprintf(fields, sizeof fields, "{\"rows\":%zu,\"keys_version\":\"%s\"}", g->nrekey,
             TZ_SCREEN_KEYS_VERSION);
    struct tz_audit_rec a = tz_auth_audit_entry(
        g->auth, NULL, "system", NULL, tz_audit_code(TZ_AUDIT_WATCHLIST_KEYS), "watchlist/persons");
    a.fields = fields;
    size_t updated = 0;
    if (tz_store_watchlist_person_keys(tz_auth_store(g->auth), rows, g->nrekey, &a, &updated) ==
        TZ_OK)
        g->rekeyed += updated;
    g->nrekey = 0;
    free(rows);
}

/* The keys of a stored person without keys of this version: made now (ICU), kept for writing
 * back when the person has a row. */
static const char *rekey(struct tz_screen_gather *g, const struct tz_watch_person_rec *r,
                         char keys[TZ_WATCH_KEYS_MAX])
{
    struct tz_screen_name nm;
    if (tz_screen_normalise_keys(r->name, strlen(r->name), &nm, keys, TZ_WATCH_KEYS_MAX) ||
        !keys[0])
        return NULL; /* refused, or keys too long to store: ICU at every build */
    if (!g->auth || r->id <= 0)
        return keys; /* a notice's or a snapshot's: no row */
    if (!g->rekey && !(g->rekey = malloc(TZ_SCREEN_REKEY_PAGE * sizeof *g->rekey)))
        return keys; /* written back another time */
    struct tz_screen_rekey *k = &g->rekey[g->nrekey++];
    k->id = r->id;
    memcpy(k->name, r->name, sizeof k->name);
    memcpy(k->keys, keys, sizeof k->keys);
    return keys;
}

static bool keys_current(const char *keys)
{
    return strncmp(keys, TZ_SCREEN_KEYS_VERSION, strlen(TZ_SCREEN_KEYS_VERSION)) == 0;
}

tz_err tz_screen_gather_person(struct tz_screen_gather *g, const struct tz_watch_person_rec *r)
{
    char id[ID_MAX], keys[TZ_WATCH_KEYS_MAX];
    snprintf(id, sizeof id, "%s/%s", r->source, r->record_id);
    struct tz_screen_person_in p = {.source_id = id, .name = r->name, .keys = r->keys};
    facts_of(r, &p);
    if (!keys_current(r->keys))
        p.keys = rekey(g, r, keys);
    tz_err err = tz_screen_index_add(g->ix, &p);
    if (err == TZ_EINVAL)
        err = TZ_OK; /* a name the rules refuse now: left out */
    if (g->nrekey == TZ_SCREEN_REKEY_PAGE)
        rekey_flush(g);
    return err;
}

tz_err tz_screen_gather_doc(struct tz_screen_gather *g, const struct tz_watch_doc_rec *d)
{
    if (!grow((void **)&g->docs, &g->cap_docs, g->ndocs + 1, sizeof *d))
        return TZ_ENOMEM;
    g->docs[g->ndocs++] = *d;
    return TZ_OK;
}

tz_err tz_screen_gather_vehicle(struct tz_screen_gather *g, const struct tz_watch_vehicle_rec *v)
{
    if (!grow((void **)&g->vehicles, &g->cap_vehicles, g->nvehicles + 1, sizeof *v))
        return TZ_ENOMEM;
    g->vehicles[g->nvehicles++] = *v;
    return TZ_OK;
}

static tz_err load_persons(struct tz_store *store, const struct tz_screen_visitor *v)
{
    int64_t after = 0;
    tz_err err = TZ_OK;
    while (!err) {
        struct tz_watch_person_rec *recs = NULL;
        size_t n = 0;
        if ((err = tz_store_watchlist_persons(store, after, LOAD_PAGE, &recs, &n)) || n == 0) {
            free(recs);
            break;
        }
        for (size_t i = 0; i < n && !err; i++)
            err = v->person(v->ctx, &recs[i]);
        after = recs[n - 1].id;
        free(recs);
    }
    return err;
}

static tz_err load_docs(struct tz_store *store, const struct tz_screen_visitor *v)
{
    int64_t after = 0;
    for (;;) {
        struct tz_watch_doc_rec *recs = NULL;
        size_t n = 0;
        tz_err err = tz_store_watchlist_documents(store, after, LOAD_PAGE, &recs, &n);
        for (size_t i = 0; i < n && !err; i++)
            err = v->doc(v->ctx, &recs[i]);
        if (n)
            after = recs[n - 1].id;
        free(recs);
        if (err || n < LOAD_PAGE)
            return err;
    }
}

static tz_err load_vehicles(struct tz_store *store, const struct tz_screen_visitor *v)
{
    int64_t after = 0;
    for (;;) {
        struct tz_watch_vehicle_rec *recs = NULL;
        size_t n = 0;
        tz_err err = tz_store_watchlist_vehicles(store, after, LOAD_PAGE, &recs, &n);
        for (size_t i = 0; i < n && !err; i++)
            err = v->vehicle(v->ctx, &recs[i]);
        if (n)
            after = recs[n - 1].id;
        free(recs);
        if (err || n < LOAD_PAGE)
            return err;
    }
}

/* ---- published notices ---- */

/* Copies src into dst of cap bytes; false (dst cut) when it does not fit. */
static bool put(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap);
    bool fits = n < cap;
    n = fits ? n : cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return fits;
}

static void notice_ids(const struct tz_xnotice_subject *s, char *source, char *record_id)
{
    snprintf(source, TZ_WATCH_ID_MAX, "notices");
    snprintf(record_id, TZ_WATCH_ID_MAX, "%lld/%s", (long long)s->notice_id, s->entity->ref);
}

/* A notice's person: each of its names (given and family, as written, other spellings). */
static tz_err notice_person(const struct tz_screen_visitor *v, const struct tz_xnotice_subject *s)
{
    const struct tz_xperson *x = &s->entity->u.person;
    struct tz_watch_person_rec r = {0};
    notice_ids(s, r.source, r.record_id);
    snprintf(r.birth_date, sizeof r.birth_date, "%s", x->birth_date);
    r.sex[0] = x->sex == TZ_XSEX_MALE ? 'm' : x->sex == TZ_XSEX_FEMALE ? 'f' : '\0';
    for (size_t i = 0, k = 0; i < x->nationality_count && i < TZ_X_NATIONALITIES; i++) {
        const char *c = x->nationalities[i];
        if (strlen(c) != 2 || k + 3 >= sizeof r.nationalities)
            continue;
        if (k)
            r.nationalities[k++] = ',';
        r.nationalities[k++] = (char)(c[0] | 0x20);
        r.nationalities[k++] = (char)(c[1] | 0x20);
    }
    char names[2 + TZ_X_SPELLINGS][2 * TZ_X_NAME_MAX + 2];
    size_t nn = 0;
    snprintf(names[nn++], sizeof names[0], "%s%s%s", x->given, x->given[0] ? " " : "", x->family);
    if (x->original[0])
        snprintf(names[nn++], sizeof names[0], "%s", x->original);
    for (size_t i = 0; i < x->spelling_count && i < TZ_X_SPELLINGS; i++)
        snprintf(names[nn++], sizeof names[0], "%s", x->spellings[i]);
    tz_err err = TZ_OK;
    for (size_t i = 0; i < nn && !err; i++) {
        if (!names[i][0])
            continue;
        if (put(r.name, sizeof r.name, names[i])) /* else longer than any name the index takes */
            err = v->person(v->ctx, &r);
    }
    return err;
}

static const char *notice_doc_type(int t)
{
    switch (t) {
    case TZ_XDOC_PASSPORT:
        return "passport";
    case TZ_XDOC_ID_CARD:
        return "id_card";
    case TZ_XDOC_RESIDENCE_PERMIT:
        return "residence_permit";
    case TZ_XDOC_DRIVING_LICENCE:
        return "driving_licence";
    case TZ_XDOC_VISA:
        return "visa";
    default:
        return "other";
    }
}

static const char *notice_doc_status(int st)
{
    return st == TZ_XDS_STOLEN    ? "stolen"
           : st == TZ_XDS_LOST    ? "lost"
           : st == TZ_XDS_REVOKED ? "revoked"
                                  : "";
}

static tz_err notice_doc(const struct tz_screen_visitor *v, const struct tz_xnotice_subject *s)
{
    const struct tz_xdocument *x = &s->entity->u.document;
    struct tz_watch_doc_rec d = {0};
    notice_ids(s, d.source, d.record_id);
    snprintf(d.doc_type, sizeof d.doc_type, "%s", notice_doc_type(x->type));
    if (!put(d.number, sizeof d.number, x->number))
        return TZ_OK; /* longer than any number the index keys */
    if (tz_watch_country3(x->country, strlen(x->country), d.country) != TZ_OK)
        return TZ_OK; /* no issuing state: not keyed */
    if (strlen(x->valid_until) == 10)
        memcpy(d.valid_until, x->valid_until, 11);
    snprintf(d.status, sizeof d.status, "%s", notice_doc_status(x->status));
    return v->doc(v->ctx, &d);
}

static tz_err notice_vehicle(const struct tz_screen_visitor *v, const struct tz_xnotice_subject *s)
{
    const struct tz_xvehicle *x = &s->entity->u.vehicle;
    struct tz_watch_vehicle_rec r = {0};
    notice_ids(s, r.source, r.record_id);
    if (!put(r.vin, sizeof r.vin, x->vin) || !put(r.plate, sizeof r.plate, x->plate))
        return TZ_OK; /* longer than any VIN or plate the index keys */
    put(r.plate_country, sizeof r.plate_country, x->plate_country);
    put(r.make, sizeof r.make, x->make); /* a description: cut if it must be */
    put(r.model, sizeof r.model, x->model);
    put(r.colour, sizeof r.colour, x->colour);
    return v->vehicle(v->ctx, &r);
}

static tz_err notice_subject(void *ctx, const struct tz_xnotice_subject *s)
{
    const struct tz_screen_visitor *v = ctx;
    switch (s->entity->kind) {
    case TZ_XE_PERSON:
        return notice_person(v, s);
    case TZ_XE_DOCUMENT:
        return notice_doc(v, s);
    case TZ_XE_VEHICLE:
        return notice_vehicle(v, s);
    default:
        return TZ_OK;
    }
}

/* ---- the objects' index ---- */

/*
 * The documents' and vehicles' index over what was gathered; a row the index cannot key is
 * left out (its source ids are kept in ids, which must outlive the build only).
 */
static tz_err build_objects(struct tz_screen_gather *g, struct tz_objects **out)
{
    size_t n = g->ndocs + g->nvehicles;
    char(*ids)[ID_MAX] = n ? calloc(n, ID_MAX) : NULL;
    struct tz_doc_record *docs = g->ndocs ? calloc(g->ndocs, sizeof *docs) : NULL;
    struct tz_vehicle_record *veh = g->nvehicles ? calloc(g->nvehicles, sizeof *veh) : NULL;
    size_t nd = 0, nv = 0;
    tz_err err = TZ_OK;
    if ((n && !ids) || (g->ndocs && !docs) || (g->nvehicles && !veh)) {
        err = TZ_ENOMEM;
        goto done;
    }
    const char *field;
    for (size_t i = 0; i < g->ndocs; i++) {
        snprintf(ids[nd], ID_MAX, "%s/%s", g->docs[i].source, g->docs[i].record_id);
        tz_watch_doc_record(&g->docs[i], ids[nd], &docs[nd]);
        nd += tz_objects_check_document(&docs[nd], &field) == TZ_OK;
    }
    for (size_t i = 0; i < g->nvehicles; i++) {
        char *id = ids[nd + nv];
        snprintf(id, ID_MAX, "%s/%s", g->vehicles[i].source, g->vehicles[i].record_id);
        tz_watch_vehicle_record(&g->vehicles[i], id, &veh[nv]);
        nv += tz_objects_check_vehicle(&veh[nv], &field) == TZ_OK;
    }
    err = tz_objects_build(docs, nd, veh, nv, out, NULL);
done:
    free(ids);
    free(docs);
    free(veh);
    return err;
}

void tz_screen_gather_clear(struct tz_screen_gather *g)
{
    tz_screen_index_free(g->ix);
    free(g->rekey);
    free(g->docs);
    free(g->vehicles);
    memset(g, 0, sizeof *g);
}

tz_err tz_screen_gather_init(struct tz_screen_gather *g)
{
    memset(g, 0, sizeof *g);
    return tz_screen_index_new(&g->ix);
}

tz_err tz_screen_gather_finish(struct tz_screen_gather *g, struct tz_screen_index **ix,
                               struct tz_objects **objects)
{
    *ix = NULL, *objects = NULL;
    rekey_flush(g);
    tz_err err = tz_screen_index_seal(g->ix);
    if (!err)
        err = build_objects(g, objects);
    if (!err)
        *ix = g->ix, g->ix = NULL;
    tz_screen_gather_clear(g);
    return err;
}

tz_err tz_screening_visit(struct tz_screening *s, const struct tz_screen_visitor *v)
{
    struct tz_store *store = tz_auth_store(s->auth);
    tz_err err = load_persons(store, v);
    if (!err)
        err = load_docs(store, v);
    if (!err)
        err = load_vehicles(store, v);
    if (!err && s->exchange) {
        err = tz_exchange_published_visit(s->exchange, notice_subject, (void *)v);
        /* A store without the exchange (PostgreSQL, for now) cannot hold a notice at all. */
        if (err == TZ_EUNSUPPORTED)
            err = TZ_OK;
    }
    return err;
}

static tz_err gather_person(void *ctx, const struct tz_watch_person_rec *r)
{
    return tz_screen_gather_person(ctx, r);
}

static tz_err gather_doc(void *ctx, const struct tz_watch_doc_rec *d)
{
    return tz_screen_gather_doc(ctx, d);
}

static tz_err gather_vehicle(void *ctx, const struct tz_watch_vehicle_rec *v)
{
    return tz_screen_gather_vehicle(ctx, v);
}

tz_err tz_screening_build(struct tz_screening *s, struct tz_screen_index **ix,
                          struct tz_objects **objects)
{
    struct tz_screen_gather g;
    *ix = NULL, *objects = NULL;
    tz_err err = tz_screen_gather_init(&g);
    g.auth = s->auth; /* persons stored without keys get theirs */
    struct tz_screen_visitor v = {&g, gather_person, gather_doc, gather_vehicle};
    if (!err)
        err = tz_screening_visit(s, &v);
    if (err) {
        tz_screen_gather_clear(&g);
        return err;
    }
    return tz_screen_gather_finish(&g, ix, objects);
}
