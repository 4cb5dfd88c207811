/*
 * import.c - watch-list files read into persons, line by line (tz_watch_parse).
 *
 * Three formats: CSV (RFC 4180 quoting; a header line names the columns, in any order: id and
 * name required, birth_date, nationality, sex and aliases optional, others ignored; aliases are
 * separated by ';'), JSON (an array of objects, or one object a line, with the members id, name,
 * aliases, birth_date, nationality (a code or an array of codes) and sex) and FollowTheMoney
 * entities (one JSON object a line, {"id", "schema", "properties"}; schema Person, its
 * properties name, alias, birthDate, nationality, citizenship and gender: the format
 * OpenSanctions publishes). Every line is taken or refused with its reason; nothing is stored
 * here (the service stores what was taken in one transaction). A record's names (name and
 * aliases) become one person each with the same record id.
 *
 * A line may also be a travel document or a vehicle (import_objects.c reads their fields): in
 * FollowTheMoney by its schema (Passport, Identification, Vehicle); in JSON by its member kind
 * ("person", "document", "vehicle"), else by its members (number: a document; vin or plate: a
 * vehicle); in CSV by the header (a name column: persons; else number: documents; else vin or
 * plate: vehicles).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/jsonguard.h"
#include "screening/internal.h"

static const char *const FORMAT_CODES[] = {"auto", "csv", "json", "ftm"};

const char *tz_watch_format_code(enum tz_watch_format f)
{
    return (unsigned)f < 4 ? FORMAT_CODES[f] : "auto";
}

tz_err tz_watch_format_parse(const char *code, enum tz_watch_format *out)
{
    for (unsigned i = 0; i < 4; i++)
        if (code && strcmp(code, FORMAT_CODES[i]) == 0) {
            *out = (enum tz_watch_format)i;
            return TZ_OK;
        }
    return TZ_EINVAL;
}

void tz_watch_import_clear(struct tz_watch_import *imp)
{
    free(imp->persons);
    free(imp->docs);
    free(imp->vehicles);
    free(imp->lines);
    memset(imp, 0, sizeof *imp);
}

/* One record being read: its fields as the line gives them. */
struct record {
    char id[64];
    const char *names[16];
    char keys[16][TZ_WATCH_KEYS_MAX]; /* each name's match keys (tz_screen_normalise_keys) */
    size_t nnames;
    char dob[11];
    char sex[2];
    char nat[TZ_WATCH_NAT_MAX];
    char why[TZ_WATCH_WHY_MAX];
    struct tz_watch_obj obj; /* kind, and a document's or vehicle's fields */
};

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

struct builder {
    struct tz_watch_import *imp;
    size_t cap_persons, cap_lines, cap_docs, cap_vehicles;
};

static void refuse(struct record *r, const char *why)
{
    if (!r->why[0])
        snprintf(r->why, sizeof r->why, "%s", why);
}

static void set_id(struct record *r, const char *s, size_t n)
{
    if (n == 0)
        refuse(r, "no id");
    else if (n >= sizeof r->id || memchr(s, '\0', n))
        refuse(r, "id longer than 63 bytes");
    else
        memcpy(r->id, s, n), r->id[n] = '\0';
}

static void set_dob(struct record *r, const char *s, size_t n)
{
    struct tz_screen_date d;
    if (n == 0)
        return;
    if (tz_screen_date_parse(s, n, &d) != TZ_OK)
        refuse(r, "birth_date is not YYYY, YYYY-MM or YYYY-MM-DD");
    else
        memcpy(r->dob, s, n), r->dob[n] = '\0';
}

static void set_sex(struct record *r, const char *s, size_t n)
{
    if (n == 0)
        return;
    if ((n == 1 && (s[0] == 'm' || s[0] == 'M')) || (n == 4 && strncmp(s, "male", 4) == 0))
        r->sex[0] = 'm';
    else if ((n == 1 && (s[0] == 'f' || s[0] == 'F')) || (n == 6 && strncmp(s, "female", 6) == 0))
        r->sex[0] = 'f';
    else
        refuse(r, "sex is not m, f, male or female");
}

/* Adds one nationality (ISO 3166 alpha-2, either case) to the record's list. */
static void add_nat(struct record *r, const char *s, size_t n)
{
    size_t have = strlen(r->nat);
    if (n == 0)
        return;
    bool ok = n == 2 && ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z') &&
              ((s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'z');
    if (!ok) {
        refuse(r, "nationality is not a two-letter country code");
        return;
    }
    if (have + 3 >= sizeof r->nat)
        return; /* four kept */
    if (have)
        r->nat[have++] = ',';
    r->nat[have++] = (char)(s[0] | 0x20);
    r->nat[have++] = (char)(s[1] | 0x20);
    r->nat[have] = '\0';
}

static void add_name(struct record *r, const char *s)
{
    struct tz_screen_name nm;
    char keys[TZ_WATCH_KEYS_MAX];
    if (!s || !s[0])
        return;
    for (size_t i = 0; i < r->nnames; i++)
        if (strcmp(r->names[i], s) == 0)
            return; /* an alias that repeats the name: one person */
    /* Normalised here, and its keys kept with it: the index is built later without ICU. */
    if (strlen(s) >= TZ_WATCH_NAME_MAX ||
        tz_screen_normalise_keys(s, strlen(s), &nm, keys, sizeof keys) != TZ_OK) {
        refuse(r, "a name the normaliser refuses (no letter, too long or too many parts)");
        return;
    }
    if (r->nnames < sizeof r->names / sizeof r->names[0]) {
        memcpy(r->keys[r->nnames], keys, sizeof keys);
        r->names[r->nnames++] = s;
    }
}

/* Ends a document's or vehicle's line: checked, then kept (the line itself is finish's). */
static tz_err finish_obj(struct builder *b, struct record *r)
{
    struct tz_watch_import *imp = b->imp;
    struct tz_watch_obj *o = &r->obj;
    if (!r->why[0])
        tz_watch_obj_check(o, r->id);
    if (!r->why[0] && o->why[0])
        refuse(r, o->why);
    if (r->why[0])
        return TZ_OK;
    if (o->kind == TZ_WATCH_DOCUMENT) {
        if (!grow((void **)&imp->docs, &b->cap_docs, imp->ndocs + 1, sizeof *imp->docs))
            return TZ_ENOMEM;
        imp->docs[imp->ndocs] = o->doc;
        memcpy(imp->docs[imp->ndocs++].record_id, r->id, sizeof r->id);
    } else {
        if (!grow((void **)&imp->vehicles, &b->cap_vehicles, imp->nvehicles + 1,
                  sizeof *imp->vehicles))
            return TZ_ENOMEM;
        imp->vehicles[imp->nvehicles] = o->veh;
        memcpy(imp->vehicles[imp->nvehicles++].record_id, r->id, sizeof r->id);
    }
    return TZ_OK;
}

/* Ends a line: its persons (or its document or vehicle) taken, or its refusal written. */
static tz_err finish(struct builder *b, size_t line, struct record *r)
{
    struct tz_watch_import *imp = b->imp;
    if (!r->why[0] && !r->id[0])
        refuse(r, "no id");
    if (r->obj.kind != TZ_WATCH_PERSON) {
        tz_err err = finish_obj(b, r);
        if (err)
            return err;
        r->nnames = 0;
    } else if (!r->why[0] && r->nnames == 0) {
        refuse(r, "no name");
    }
    if (!grow((void **)&imp->lines, &b->cap_lines, imp->nlines + 1, sizeof *imp->lines) ||
        !grow((void **)&imp->persons, &b->cap_persons, imp->npersons + r->nnames,
              sizeof *imp->persons))
        return TZ_ENOMEM;
    struct tz_watch_line *l = &imp->lines[imp->nlines++];
    memset(l, 0, sizeof *l);
    l->line = line;
    memcpy(l->record_id, r->id, sizeof l->record_id);
    if (r->why[0]) {
        memcpy(l->why, r->why, sizeof l->why);
        imp->refused++;
        return TZ_OK;
    }
    l->taken = 1;
    imp->taken++;
    for (size_t i = 0; i < r->nnames; i++) {
        struct tz_watch_person_rec *p = &imp->persons[imp->npersons++];
        memset(p, 0, sizeof *p);
        memcpy(p->record_id, r->id, sizeof p->record_id);
        snprintf(p->name, sizeof p->name, "%s", r->names[i]);
        memcpy(p->birth_date, r->dob, sizeof p->birth_date);
        memcpy(p->sex, r->sex, sizeof p->sex);
        memcpy(p->nationalities, r->nat, sizeof p->nationalities);
        memcpy(p->keys, r->keys[i], sizeof p->keys);
    }
    return TZ_OK;
}

/* ---- JSON and FollowTheMoney ---- */

static const char *jstr(json_t *v, size_t *n)
{
    *n = json_is_string(v) ? json_string_length(v) : 0;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A member that may be a string or an array of strings: calls fn on each (at most 16). */
static void each_str(struct record *r, json_t *v, void (*fn)(struct record *, const char *, size_t))
{
    size_t n;
    if (json_is_string(v)) {
        const char *s = jstr(v, &n);
        fn(r, s, n);
        return;
    }
    if (v && !json_is_array(v)) {
        refuse(r, "a member is neither a string nor an array of strings");
        return;
    }
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (i >= 16)
            break;
        const char *s = jstr(e, &n);
        if (!s)
            refuse(r, "an array holds something other than strings");
        else
            fn(r, s, n);
    }
}

static void name_cb(struct record *r, const char *s, size_t n)
{
    if (strlen(s) != n)
        refuse(r, "a name holds a NUL");
    else
        add_name(r, s);
}

static void first_dob(struct record *r, const char *s, size_t n)
{
    if (!r->dob[0])
        set_dob(r, s, n > 10 ? 10 : n);
}

static void first_sex(struct record *r, const char *s, size_t n)
{
    if (!r->sex[0])
        set_sex(r, s, n);
}

static void read_id(struct record *r, json_t *id)
{
    char num[32];
    size_t n;
    const char *s = jstr(id, &n);
    if (json_is_integer(id)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(id));
        s = num, n = strlen(num);
    }
    if (!s)
        refuse(r, "no id");
    else
        set_id(r, s, n);
}

/* What a JSON line holds: its member kind, else what its members say. */
static enum tz_watch_kind json_kind(struct record *r, json_t *o)
{
    const char *kind = json_string_value(json_object_get(o, "kind"));
    if (kind) {
        static const char *const KINDS[] = {"person", "document", "vehicle"};
        for (int k = 0; k < 3; k++)
            if (strcmp(kind, KINDS[k]) == 0)
                return (enum tz_watch_kind)k;
        refuse(r, "kind is not person, document or vehicle");
        return TZ_WATCH_PERSON;
    }
    if (json_object_get(o, "number"))
        return TZ_WATCH_DOCUMENT;
    if (json_object_get(o, "vin") || json_object_get(o, "plate"))
        return TZ_WATCH_VEHICLE;
    return TZ_WATCH_PERSON;
}

static void read_json_person(struct record *r, json_t *o)
{
    read_id(r, json_object_get(o, "id"));
    r->obj.kind = json_kind(r, o);
    if (r->obj.kind != TZ_WATCH_PERSON) {
        tz_watch_obj_json(&r->obj, o);
        return;
    }
    each_str(r, json_object_get(o, "name"), name_cb);
    each_str(r, json_object_get(o, "aliases"), name_cb);
    each_str(r, json_object_get(o, "birth_date"), first_dob);
    each_str(r, json_object_get(o, "nationality"), add_nat);
    each_str(r, json_object_get(o, "sex"), first_sex);
}

static void read_ftm_person(struct record *r, json_t *o)
{
    const char *schema = json_string_value(json_object_get(o, "schema"));
    json_t *props = json_object_get(o, "properties");
    read_id(r, json_object_get(o, "id"));
    if (!schema) {
        refuse(r, "no schema");
        return;
    }
    bool doc = strcmp(schema, "Passport") == 0 || strcmp(schema, "Identification") == 0;
    bool vehicle = strcmp(schema, "Vehicle") == 0;
    if (strcmp(schema, "Person") != 0 && !doc && !vehicle) {
        char why[TZ_WATCH_WHY_MAX];
        snprintf(why, sizeof why,
                 "schema %.30s is not taken (Person, Passport, Identification, Vehicle)",
                 schema);
        refuse(r, why);
        return;
    }
    if (!json_is_object(props)) {
        refuse(r, "properties is not an object");
        return;
    }
    if (doc || vehicle) {
        r->obj.kind = doc ? TZ_WATCH_DOCUMENT : TZ_WATCH_VEHICLE;
        tz_watch_obj_ftm(&r->obj, schema, props);
        return;
    }
    each_str(r, json_object_get(props, "name"), name_cb);
    each_str(r, json_object_get(props, "alias"), name_cb);
    each_str(r, json_object_get(props, "birthDate"), first_dob);
    each_str(r, json_object_get(props, "nationality"), add_nat);
    each_str(r, json_object_get(props, "citizenship"), add_nat);
    each_str(r, json_object_get(props, "gender"), first_sex);
}

/* One JSON line (or element): read, then finished while its strings are alive. */
static tz_err json_line(struct builder *b, size_t line, json_t *o, bool ftm)
{
    struct record r;
    memset(&r, 0, sizeof r);
    if (!json_is_object(o))
        refuse(&r, "not a JSON object");
    else if (ftm)
        read_ftm_person(&r, o);
    else
        read_json_person(&r, o);
    return finish(b, line, &r);
}

/* Parses s[0..n) as one JSON value (duplicates refused); NULL with *oom when memory ran out. */
static json_t *load(const char *s, size_t n, bool *oom)
{
    json_error_t jerr;
    tz_json_guard_begin();
    json_t *v = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (tz_json_guard_failed()) {
        json_decref(v);
        *oom = true;
        return NULL;
    }
    return v;
}

static tz_err json_lines(struct builder *b, const char *data, size_t n, bool ftm)
{
    size_t line = 0;
    for (size_t at = 0; at < n;) {
        const char *nl = memchr(data + at, '\n', n - at);
        size_t len = nl ? (size_t)(nl - (data + at)) : n - at;
        line++;
        if (line > TZ_WATCH_LINES_MAX)
            return TZ_EINVAL;
        size_t k = len;
        while (k > 0 && (data[at + k - 1] == '\r' || data[at + k - 1] == ' '))
            k--;
        if (k > 0) {
            bool oom = false;
            json_t *o = load(data + at, k, &oom);
            if (oom)
                return TZ_ENOMEM;
            tz_err err = json_line(b, line, o, ftm);
            json_decref(o);
            if (err)
                return err;
        }
        at += len + 1;
    }
    return TZ_OK;
}

static tz_err json_elements(struct builder *b, const char *data, size_t n)
{
    bool oom = false;
    json_t *a = load(data, n, &oom);
    if (oom)
        return TZ_ENOMEM;
    if (!json_is_array(a) || json_array_size(a) > TZ_WATCH_LINES_MAX) {
        json_decref(a);
        return TZ_EINVAL;
    }
    tz_err err = TZ_OK;
    for (size_t i = 0; i < json_array_size(a) && !err; i++)
        err = json_line(b, i + 1, json_array_get(a, i), false);
    json_decref(a);
    return err;
}

/* ---- CSV ---- */

#define CSV_FIELDS 32

/*
 * Reads one CSV record from data[*at..n) into fields (NUL-terminated copies in buf, cap bytes);
 * *at moves past it, *lines counts the line breaks it spans. False when a field does not fit or
 * a quote is not closed.
 */
static bool csv_record(const char *data, size_t n, size_t *at, char *buf, size_t cap,
                       const char **fields, size_t *nfields, size_t *lines)
{
    size_t k = 0, i = *at;
    bool ok = true;
    *nfields = 0;
    for (;;) {
        if (*nfields < CSV_FIELDS)
            fields[(*nfields)++] = buf + k;
        bool quoted = i < n && data[i] == '"';
        i += quoted;
        for (; i < n; i++) {
            char c = data[i];
            if (quoted && c == '"') {
                if (i + 1 < n && data[i + 1] == '"') {
                    i++;
                } else {
                    quoted = false;
                    continue;
                }
            } else if (!quoted && (c == ',' || c == '\n')) {
                break;
            } else if (c == '\n') {
                (*lines)++;
            }
            if (!quoted && c == '\r')
                continue;
            if (k + 1 >= cap)
                ok = false;
            else
                buf[k++] = c;
        }
        if (quoted)
            ok = false;
        if (k < cap)
            buf[k++] = '\0';
        if (i < n && data[i] == ',') {
            i++;
            continue;
        }
        break;
    }
    (*lines)++;
    *at = i < n ? i + 1 : n;
    return ok;
}

enum col { C_ID, C_NAME, C_DOB, C_NAT, C_SEX, C_ALIASES, C_COUNT };
static const char *const COLS[C_COUNT] = {"id", "name", "birth_date", "nationality", "sex",
                                          "aliases"};
/* The columns of a document's or vehicle's file (after id), by the names tz_watch_obj_set reads. */
enum { O_COLS = 11 };
static const char *const OBJ_COLS[O_COLS] = {"number", "type",  "country", "valid_until",
                                             "status", "vin",   "plate",   "plate_country",
                                             "make",   "model", "colour"};

/* The columns of the header: persons' (col) and objects' (ocol), -1 where absent. */
struct csv_head {
    enum tz_watch_kind kind;
    int col[C_COUNT];
    int ocol[O_COLS];
};

/* Splits s at sep and calls fn on each piece (in place: s is the record's own buffer). */
static void each_piece(struct record *r, char *s, char sep,
                       void (*fn)(struct record *, const char *, size_t))
{
    for (char *p = s; p && *p;) {
        char *e = strchr(p, sep);
        if (e)
            *e = '\0';
        while (*p == ' ')
            p++;
        fn(r, p, strlen(p));
        p = e ? e + 1 : NULL;
    }
}

#define CSV_RECORD_MAX 65536 /* bytes of one record's fields */

/* The fields of a document's or vehicle's row. */
static void csv_obj(struct record *r, const struct csv_head *h, const char **f, size_t nf)
{
    r->obj.kind = h->kind;
    for (int c = 0; c < O_COLS; c++)
        if (h->ocol[c] >= 0 && (size_t)h->ocol[c] < nf)
            tz_watch_obj_set(&r->obj, OBJ_COLS[c], f[h->ocol[c]], strlen(f[h->ocol[c]]));
}

static tz_err csv_rows(struct builder *b, const char *data, size_t n, const struct csv_head *h,
                       size_t at, size_t line, char *buf)
{
    const int *col = h->col;
    const char *f[CSV_FIELDS];
    while (at < n) {
        size_t nf = 0, first = line + 1;
        bool ok = csv_record(data, n, &at, buf, CSV_RECORD_MAX, f, &nf, &line);
        if (first > TZ_WATCH_LINES_MAX)
            return TZ_EINVAL;
        if (nf == 1 && !f[0][0])
            continue; /* an empty line */
        struct record r;
        memset(&r, 0, sizeof r);
        if (!ok)
            refuse(&r, "a field is longer than 64 KiB or its quote is not closed");
        const char *v[C_COUNT] = {0};
        for (int c = 0; c < C_COUNT; c++)
            v[c] = col[c] >= 0 && (size_t)col[c] < nf ? f[col[c]] : "";
        set_id(&r, v[C_ID], strlen(v[C_ID]));
        if (h->kind != TZ_WATCH_PERSON) {
            csv_obj(&r, h, f, nf);
            tz_err err = finish(b, first, &r);
            if (err)
                return err;
            continue;
        }
        add_name(&r, v[C_NAME]);
        set_dob(&r, v[C_DOB], strlen(v[C_DOB]));
        each_piece(&r, (char *)v[C_NAT], ';', add_nat);
        set_sex(&r, v[C_SEX], strlen(v[C_SEX]));
        each_piece(&r, (char *)v[C_ALIASES], ';', name_cb);
        tz_err err = finish(b, first, &r);
        if (err)
            return err;
    }
    return TZ_OK;
}

static tz_err csv(struct builder *b, const char *data, size_t n)
{
    char head[4096];
    const char *f[CSV_FIELDS];
    size_t at = 0, nf = 0, line = 0;
    if (n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        at = 3; /* a byte-order mark */
    if (!csv_record(data, n, &at, head, sizeof head, f, &nf, &line))
        return TZ_EINVAL;
    struct csv_head h = {.kind = TZ_WATCH_PERSON};
    for (int c = 0; c < C_COUNT + O_COLS; c++) {
        int *slot = c < C_COUNT ? &h.col[c] : &h.ocol[c - C_COUNT];
        const char *name = c < C_COUNT ? COLS[c] : OBJ_COLS[c - C_COUNT];
        *slot = -1;
        for (size_t i = 0; i < nf; i++)
            if (strcmp(f[i], name) == 0)
                *slot = (int)i;
    }
    if (h.col[C_NAME] < 0)
        h.kind = h.ocol[0] >= 0                      ? TZ_WATCH_DOCUMENT
                 : h.ocol[5] >= 0 || h.ocol[6] >= 0 ? TZ_WATCH_VEHICLE
                                                    : TZ_WATCH_PERSON;
    if (h.col[C_ID] < 0 || (h.kind == TZ_WATCH_PERSON && h.col[C_NAME] < 0))
        return TZ_EINVAL;
    char *buf = malloc(CSV_RECORD_MAX);
    if (!buf)
        return TZ_ENOMEM;
    tz_err err = csv_rows(b, data, n, &h, at, line, buf);
    free(buf);
    return err;
}

/* The format of a file by its first non-blank byte and its first line. */
static enum tz_watch_format detect(const char *data, size_t n)
{
    size_t i = 0;
    while (i < n && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (i < n && data[i] == '[')
        return TZ_WATCH_JSON;
    if (i < n && data[i] == '{') {
        const char *nl = memchr(data + i, '\n', n - i);
        size_t len = nl ? (size_t)(nl - (data + i)) : n - i;
        return memmem(data + i, len, "\"schema\"", 8) ? TZ_WATCH_FTM : TZ_WATCH_JSON;
    }
    return TZ_WATCH_CSV;
}

tz_err tz_watch_parse(const char *data, size_t n, enum tz_watch_format format,
                      struct tz_watch_import *out)
{
    memset(out, 0, sizeof *out);
    struct builder b = {.imp = out};
    if (!data)
        return TZ_EINVAL;
    out->format = format == TZ_WATCH_AUTO ? detect(data, n) : format;
    tz_err err;
    if (out->format == TZ_WATCH_CSV) {
        err = csv(&b, data, n);
    } else if (out->format == TZ_WATCH_FTM) {
        err = json_lines(&b, data, n, true);
    } else {
        size_t i = 0;
        while (i < n && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
            i++;
        err = i < n && data[i] == '[' ? json_elements(&b, data, n) : json_lines(&b, data, n, false);
    }
    if (err) {
        enum tz_watch_format f = out->format;
        tz_watch_import_clear(out);
        out->format = f;
    }
    return err;
}
