/*
 * fields.c - each entity kind's fields as a table (name, type, where in
 * struct tz_xentity's union member), so that the store keeps an entity as
 * name/value rows and reads it back without a line per field, and the exact
 * keys of an entity for the cross-check (Art. 16(d)): document number +
 * country, VIN, plate + country, phone, e-mail, account, wallet.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/num.h"
#include "exchange/internal.h"

#define T(s, f, n) {n, TZ_XF_TEXT, offsetof(s, f), sizeof(((s *)0)->f), 0}
#define C(s, f, n, t) {n, TZ_XF_CODE, offsetof(s, f), sizeof(int), t}
#define END {NULL, 0, 0, 0, 0}

static const struct tz_xfield person[] = {
    T(struct tz_xperson, family, "family"), T(struct tz_xperson, given, "given"),
    T(struct tz_xperson, original, "original"), T(struct tz_xperson, birth_date, "birth_date"),
    C(struct tz_xperson, sex, "sex", TZ_XT_SEX), T(struct tz_xperson, birth_place, "birth_place"),
    END,
};
static const struct tz_xfield document[] = {
    C(struct tz_xdocument, type, "doc_type", TZ_XT_DOC_TYPE),
    T(struct tz_xdocument, number, "number"), T(struct tz_xdocument, country, "country"),
    T(struct tz_xdocument, valid_until, "valid_until"),
    C(struct tz_xdocument, status, "status", TZ_XT_DOC_STATUS), END,
};
static const struct tz_xfield vehicle[] = {
    T(struct tz_xvehicle, vin, "vin"), T(struct tz_xvehicle, plate, "plate"),
    T(struct tz_xvehicle, plate_country, "plate_country"), T(struct tz_xvehicle, make, "make"),
    T(struct tz_xvehicle, model, "model"), T(struct tz_xvehicle, colour, "colour"), END,
};
static const struct tz_xfield location[] = {
    T(struct tz_xlocation, address, "address"), T(struct tz_xlocation, country, "country"), END,
};
static const struct tz_xfield named[] = {
    T(struct tz_xnamed, name, "name"), T(struct tz_xnamed, country, "country"),
    T(struct tz_xnamed, date, "date"), END,
};
static const struct tz_xfield asset[] = {
    C(struct tz_xasset, kind, "asset_kind", TZ_XT_ASSET_KIND),
    T(struct tz_xasset, identifier, "identifier"), T(struct tz_xasset, description, "description"),
    END,
};
static const struct tz_xfield comm[] = {
    C(struct tz_xcomm, kind, "comm_kind", TZ_XT_COMM_KIND), T(struct tz_xcomm, value, "value"),
    END,
};

static const struct tz_xfield *const tables[TZ_XE_KIND_COUNT] = {
    person, document, vehicle, location, named, named, asset, comm,
};

const struct tz_xfield *tz_xentity_fields(int kind)
{
    return kind >= 0 && kind < TZ_XE_KIND_COUNT ? tables[kind] : NULL;
}

/* The value of f in e as text (codes by their code; empty: absent). */
void tz_x_field_text(const struct tz_xentity *e, const struct tz_xfield *f, char *out, size_t size)
{
    const char *at = (const char *)&e->u + f->off;
    if (f->type == TZ_XF_TEXT) {
        snprintf(out, size, "%s", at);
        return;
    }
    int v;
    memcpy(&v, at, sizeof v);
    const char *code = tz_xcode_code((enum tz_xtable)f->table, v);
    snprintf(out, size, "%s", code ? code : "");
}

tz_err tz_x_field_set(struct tz_xentity *e, const char *name, const char *value)
{
    for (const struct tz_xfield *f = tz_xentity_fields(e->kind); f && f->name; f++) {
        if (strcmp(f->name, name) != 0)
            continue;
        char *at = (char *)&e->u + f->off;
        size_t n = strlen(value);
        if (f->type == TZ_XF_TEXT) {
            if (n >= f->size)
                return TZ_EINVAL;
            memcpy(at, value, n + 1);
            return TZ_OK;
        }
        int v;
        if (tz_xcode_parse((enum tz_xtable)f->table, value, n, &v))
            return TZ_EINVAL;
        memcpy(at, &v, sizeof v);
        return TZ_OK;
    }
    return TZ_EINVAL;
}

/* s with spaces, dashes and dots left out and letters in capitals, for a key; an e-mail
 * address (lower) keeps its dots and dashes and goes to small letters. */
static void squeeze(const char *s, char *out, size_t size, bool lower)
{
    size_t n = 0;
    for (; *s && n + 1 < size; s++) {
        char c = *s;
        if (c == ' ' || (!lower && (c == '-' || c == '.')))
            continue;
        if (!lower && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (lower && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[n++] = c;
    }
    out[n] = 0;
}

static void key(char keys[][TZ_X_KEY_MAX], size_t *n, const char *kind, const char *country,
                const char *value, bool lower)
{
    char v[TZ_X_ID_MAX];
    squeeze(value, v, sizeof v, lower);
    if (!v[0] || *n >= TZ_X_KEYS)
        return;
    if (country)
        snprintf(keys[*n], TZ_X_KEY_MAX, "%s:%s:%s", kind, country, v);
    else
        snprintf(keys[*n], TZ_X_KEY_MAX, "%s:%s", kind, v);
    (*n)++;
}

size_t tz_xentity_keys(const struct tz_xentity *e, char keys[TZ_X_KEYS][TZ_X_KEY_MAX])
{
    static const char *const comm_kinds[TZ_XC_COUNT] = {"phone", "email", "account", "wallet"};
    size_t n = 0;
    switch (e->kind) {
    case TZ_XE_DOCUMENT:
        key(keys, &n, "doc", e->u.document.country, e->u.document.number, false);
        break;
    case TZ_XE_VEHICLE:
        key(keys, &n, "vin", NULL, e->u.vehicle.vin, false);
        if (e->u.vehicle.plate_country[0])
            key(keys, &n, "plate", e->u.vehicle.plate_country, e->u.vehicle.plate, false);
        break;
    case TZ_XE_COMM:
        if (e->u.comm.kind >= 0 && e->u.comm.kind < TZ_XC_COUNT)
            key(keys, &n, comm_kinds[e->u.comm.kind], NULL, e->u.comm.value,
                e->u.comm.kind == TZ_XC_EMAIL);
        break;
    case TZ_XE_ASSET:
        if (e->u.asset.kind == TZ_XA_ACCOUNT)
            key(keys, &n, "account", NULL, e->u.asset.identifier, false);
        break;
    }
    return n;
}
