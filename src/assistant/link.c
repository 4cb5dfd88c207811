/*
 * assistant/link.c - the entities of a text linked to the watch-lists and to exchange's cases.
 *
 * Persons go to the screening service one by one, as an officer's query would (its permission,
 * its audit entry, its threshold): the assistant adds no matching rule of its own. Everything
 * with an exact key becomes the exchange entity it would be in a message (a phone a
 * communication identifier, an IBAN an account, a plate a vehicle with its country...) and
 * its keys come from tz_xentity_keys, so a key here is byte for byte a key on file; the
 * exchange service then answers only hits in messages the caller may read.
 */
#include "assistant/link.h"

#include "assistant/cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screening/ids.h"

#define KEYS_MAX (TZ_X_ENTITIES * TZ_X_KEYS)

const char *tz_assist_link_kind_code(enum tz_assist_link_kind kind)
{
    return kind == TZ_LINK_CASE ? "case" : "watchlist";
}

void tz_assist_links_clear(struct tz_assist_links *l)
{
    if (!l)
        return;
    free(l->items);
    memset(l, 0, sizeof *l);
}

static void note(struct tz_assist_links *out, const char *what)
{
    size_t n = strlen(out->note);
    snprintf(out->note + n, sizeof out->note - n, "%s%s", n ? "; " : "", what);
}

static struct tz_assist_link *add(struct tz_assist_links *out, size_t entity,
                                  enum tz_assist_link_kind kind)
{
    if (out->count >= TZ_ASSIST_LINKS_MAX) {
        out->truncated = true;
        return NULL;
    }
    struct tz_assist_link *k = &out->items[out->count++];
    memset(k, 0, sizeof *k);
    k->entity = entity;
    k->kind = kind;
    return k;
}

/* Copies what fits of src into dst (size bytes), cut at a character, always terminated. */
static void copy(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* ---- persons against the watch-lists ---- */

static void explain_person(const struct tz_screen_hit *h, char *why, size_t n)
{
    int o = snprintf(why, n, "watch-list person %.60s scores %.2f:", h->name, h->why.score);
    for (size_t i = 0; i < h->why.npairs && o > 0 && (size_t)o < n; i++) {
        const struct tz_screen_pair *p = &h->why.pair[i];
        o += snprintf(why + o, n - (size_t)o, "%s %.30s ~ %.30s (%s)", i ? "," : "",
                      p->query_written, p->record_written, tz_screen_how_code(p->how));
    }
}

static tz_err screen_persons(struct tz_screening *s, const struct tz_auth_who *who,
                             const struct tz_assist_result *r, struct tz_assist_links *out)
{
    size_t asked = 0;
    for (size_t i = 0; i < r->count && asked < TZ_ASSIST_SCREEN_MAX; i++) {
        if (r->items[i].type != TZ_ENT_PERSON)
            continue;
        asked++;
        struct tz_screen_person_query q = {
            .name = r->items[i].value,
            .reason = "assistant: a person named in an analysed text",
        };
        struct tz_field_errors errs = {0};
        struct tz_screen_answer a = {0};
        tz_err err = tz_screening_person(s, who, &q, &errs, &a);
        if (err == TZ_EFORBIDDEN) {
            note(out, "persons not screened: screening is not open to this role");
            return TZ_OK;
        }
        if (err == TZ_EINVAL) /* a name the screening normaliser refuses: nothing to screen */
            continue;
        if (err)
            return err;
        out->screened = true;
        for (size_t h = 0; h < a.count; h++) {
            struct tz_assist_link *k = add(out, i, TZ_LINK_WATCHLIST);
            if (!k)
                break;
            k->score = a.hits[h].why.score;
            copy(k->record, sizeof k->record, a.hits[h].source_id);
            copy(k->name, sizeof k->name, a.hits[h].name);
            explain_person(&a.hits[h], k->why, sizeof k->why);
        }
        tz_screen_answer_clear(&a);
    }
    return TZ_OK;
}

/* ---- exact keys against the cases ---- */

/* Keys of one entity, each remembered with the entity it came from. */
struct keyset {
    char key[KEYS_MAX][TZ_X_KEY_MAX];
    size_t owner[KEYS_MAX];
    size_t n;
};

static void keep_keys(struct keyset *ks, const struct tz_xentity *x, size_t entity)
{
    char k[TZ_X_KEYS][TZ_X_KEY_MAX];
    size_t n = tz_xentity_keys(x, k);
    for (size_t i = 0; i < n && ks->n < KEYS_MAX; i++) {
        memcpy(ks->key[ks->n], k[i], TZ_X_KEY_MAX);
        ks->owner[ks->n++] = entity;
    }
}

/* The alpha-2 code of an MRZ state ("POL", "D"), "" when the country table has none. */
static void state_of(const char *issuer, char out[TZ_X_COUNTRY_MAX])
{
    int row;
    out[0] = '\0';
    const char *s = strcmp(issuer, "D") == 0 ? "DEU" : issuer;
    if (tz_xcode_parse(TZ_XT_COUNTRY, s, strlen(s), &row) == TZ_OK)
        copy(out, TZ_X_COUNTRY_MAX, tz_xcode_code(TZ_XT_COUNTRY, row));
}

/* The exchange entities an extracted entity would be, their keys into ks. */
static void keys_of(const struct tz_entity *e, size_t idx, struct keyset *ks)
{
    struct tz_xentity x;
    memset(&x, 0, sizeof x);
    switch (e->type) {
    case TZ_ENT_PHONE:
    case TZ_ENT_EMAIL:
    case TZ_ENT_IBAN:
    case TZ_ENT_CRYPTO:
        x.kind = TZ_XE_COMM;
        x.u.comm.kind = e->type == TZ_ENT_PHONE   ? TZ_XC_PHONE
                        : e->type == TZ_ENT_EMAIL ? TZ_XC_EMAIL
                        : e->type == TZ_ENT_IBAN  ? TZ_XC_ACCOUNT
                                                  : TZ_XC_WALLET;
        copy(x.u.comm.value, sizeof x.u.comm.value, e->value);
        keep_keys(ks, &x, idx);
        break;
    case TZ_ENT_VIN:
        x.kind = TZ_XE_VEHICLE;
        copy(x.u.vehicle.vin, sizeof x.u.vehicle.vin, e->value);
        keep_keys(ks, &x, idx);
        break;
    case TZ_ENT_PLATE:
        x.kind = TZ_XE_VEHICLE;
        copy(x.u.vehicle.plate, sizeof x.u.vehicle.plate, e->value);
        copy(x.u.vehicle.plate_country, sizeof x.u.vehicle.plate_country, e->detail);
        keep_keys(ks, &x, idx);
        break;
    case TZ_ENT_MRZ: {
        struct tz_mrz m;
        if (tz_mrz_parse(e->value, strlen(e->value), &m) != TZ_OK)
            break;
        x.kind = TZ_XE_DOCUMENT;
        copy(x.u.document.number, sizeof x.u.document.number, m.number);
        state_of(m.issuer, x.u.document.country);
        if (x.u.document.country[0])
            keep_keys(ks, &x, idx);
        break;
    }
    case TZ_ENT_DOCUMENT: {
        /* no state in the text: the number under each state it is most likely to be from */
        x.kind = TZ_XE_DOCUMENT;
        copy(x.u.document.number, sizeof x.u.document.number, e->value);
        for (const char *p = TZ_ASSIST_DOC_STATES; *p; p += p[2] ? 3 : 2) {
            memcpy(x.u.document.country, p, 2);
            x.u.document.country[2] = '\0';
            keep_keys(ks, &x, idx);
        }
        break;
    }
    default:
        break;
    }
}

static tz_err match_cases(struct tz_exchange *xs, const struct tz_auth_who *who,
                          const struct tz_assist_result *r, struct tz_assist_links *out)
{
    if (!who->p) {
        note(out, "cases not searched: an operator on the command line has no unit");
        return TZ_OK;
    }
    struct keyset *ks = calloc(1, sizeof *ks);
    const char **keys = calloc(KEYS_MAX, sizeof *keys);
    struct tz_xhit *hits = calloc(TZ_ASSIST_LINKS_MAX + 1, sizeof *hits);
    tz_err err = ks && keys && hits ? TZ_OK : TZ_ENOMEM;
    for (size_t i = 0; !err && i < r->count; i++)
        keys_of(&r->items[i], i, ks);
    for (size_t i = 0; !err && i < ks->n; i++)
        keys[i] = ks->key[i];
    size_t n = 0;
    struct tz_xactor actor = {who->p, who->client ? who->client : ""};
    if (!err && ks->n)
        err = tz_exchange_match(xs, &actor, keys, ks->n, hits, TZ_ASSIST_LINKS_MAX + 1, &n);
    if (!err)
        out->matched = true;
    for (size_t h = 0; !err && h < n; h++) {
        struct tz_assist_link *k = add(out, ks->owner[hits[h].entity], TZ_LINK_CASE);
        if (!k)
            break;
        k->score = 1.0;
        copy(k->key, sizeof k->key, hits[h].key);
        k->case_id = hits[h].case_id;
        k->message_id = hits[h].message_id;
        snprintf(k->why, sizeof k->why, "the same %.100s in message %lld of case %lld", hits[h].key,
                 (long long)hits[h].message_id, (long long)hits[h].case_id);
    }
    free(hits);
    free(keys);
    free(ks);
    return err;
}

tz_err tz_assist_link(const struct tz_assist_linker *l, const struct tz_auth_who *who,
                      const struct tz_assist_result *r, struct tz_assist_links *out)
{
    memset(out, 0, sizeof *out);
    if (!l || !who || !r)
        return TZ_EINVAL;
    out->items = calloc(TZ_ASSIST_LINKS_MAX, sizeof *out->items);
    if (!out->items)
        return TZ_ENOMEM;
    tz_err err = TZ_OK;
    if (l->screening)
        err = screen_persons(l->screening, who, r, out);
    else
        note(out, "persons not screened: no watch-list service");
    if (!err && l->exchange)
        err = match_cases(l->exchange, who, r, out);
    else if (!err)
        note(out, "cases not searched: no exchange service");
    return err;
}

void tz_assist_entity_key(const struct tz_entity *e, char key[TZ_X_KEY_MAX])
{
    /* a document number without its state has no one key on file: its own form */
    struct keyset *ks = e->type == TZ_ENT_DOCUMENT ? NULL : calloc(1, sizeof *ks);
    if (ks)
        keys_of(e, 0, ks);
    if (ks && ks->n)
        copy(key, TZ_X_KEY_MAX, ks->key[0]);
    else
        snprintf(key, TZ_X_KEY_MAX, "%.20s:%.130s", tz_assist_type_code(e->type), e->value);
    free(ks);
}
