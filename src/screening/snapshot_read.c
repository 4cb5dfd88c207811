/*
 * snapshot_read.c - reading a signed snapshot or delta back (tz_snap_apply) and handing its
 * rows to a visitor (tz_snap_visit).
 *
 * Every byte is hostile until the signature says otherwise, and is still read as if hostile
 * after: the signature line is found and checked before any JSON is parsed; then the header,
 * then every record line (its kind, its source and record id, its entries, each field a string
 * that fits the row it will fill), in strictly rising key order, as many as the header counts;
 * the state it makes must have the digest the header names. Only then is the state replaced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "screening/snapshot_internal.h"

#define SIG_PREFIX "{\"signature\":\""
#define SIG_LINE (sizeof SIG_PREFIX - 1 + 2 * crypto_sign_BYTES + 2) /* ...hex"} */

#define WHY(...) (snprintf(why, TZ_SNAP_WHY_MAX, __VA_ARGS__), TZ_EINVAL)

/* Finds the signature line and checks it over the bytes before it; *body is their length. */
static tz_err check_signature(const char *data, size_t n, const uint8_t pk[32], size_t *body,
                              char *why)
{
    if (n < SIG_LINE + 1 || data[n - 1] != '\n')
        return WHY("cut or not a snapshot: the file does not end with its signature line");
    size_t start = n - 1 - SIG_LINE;
    const char *line = data + start;
    uint8_t sig[crypto_sign_BYTES];
    size_t got = 0;
    if ((start > 0 && data[start - 1] != '\n') ||
        memcmp(line, SIG_PREFIX, sizeof SIG_PREFIX - 1) != 0 ||
        memcmp(line + SIG_LINE - 2, "\"}", 2) != 0 ||
        sodium_hex2bin(sig, sizeof sig, line + sizeof SIG_PREFIX - 1, 2 * crypto_sign_BYTES, NULL,
                       &got, NULL) != 0 ||
        got != sizeof sig)
        return WHY("cut or not a snapshot: no signature line at its end");
    if (start == 0)
        return WHY("not a snapshot: no header");
    if (crypto_sign_verify_detached(sig, (const unsigned char *)data, start, pk) != 0)
        return WHY("the signature does not verify: the file was changed or cut, or signed by "
                   "another key");
    *body = start;
    return TZ_OK;
}

static bool hex_digest(json_t *v, uint8_t out[TZ_SNAP_DIGEST])
{
    const char *s = json_string_value(v);
    size_t got = 0;
    return s && strlen(s) == 2 * TZ_SNAP_DIGEST &&
           sodium_hex2bin(out, TZ_SNAP_DIGEST, s, 2 * TZ_SNAP_DIGEST, NULL, &got, NULL) == 0 &&
           got == TZ_SNAP_DIGEST;
}

static tz_err read_header(const char *s, size_t n, struct tz_snap_info *h, char *why)
{
    json_t *o = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
    json_t *pos = json_object_get(o, "position");
    const char *kind = json_string_value(json_object_get(o, "kind"));
    const char *format = json_string_value(json_object_get(o, "format"));
    const char *created = json_string_value(json_object_get(o, "created"));
    json_t *count = json_object_get(o, "count"), *removed = json_object_get(o, "removed");
    json_t *lists = json_object_get(pos, "lists"), *notices = json_object_get(pos, "notices");
    tz_err err = TZ_OK;
    memset(h, 0, sizeof *h);
    if (!json_is_object(o) || !format || strcmp(format, TZ_SNAP_FORMAT) != 0)
        err = WHY("not a snapshot: the header does not name the format");
    else if (json_integer_value(json_object_get(o, "version")) != TZ_SNAP_VERSION)
        err = WHY("a snapshot of another version (this reader takes %d)", TZ_SNAP_VERSION);
    else if (!kind || (strcmp(kind, "full") != 0 && strcmp(kind, "delta") != 0) || !created ||
             strlen(created) >= sizeof h->created || !json_is_integer(count) ||
             json_integer_value(count) < 0 || !json_is_integer(removed) ||
             json_integer_value(removed) < 0 || !json_is_integer(lists) ||
             !json_is_integer(notices) || !hex_digest(json_object_get(o, "state"), h->state))
        err = WHY("the header is not complete (kind, created, count, removed, position, state)");
    else if ((h->delta = strcmp(kind, "delta") == 0) &&
             !hex_digest(json_object_get(o, "base"), h->base))
        err = WHY("the delta's header does not name the state it follows");
    if (!err) {
        snprintf(h->created, sizeof h->created, "%s", created);
        h->count = (size_t)json_integer_value(count);
        h->removed = (size_t)json_integer_value(removed);
        h->lists_version = json_integer_value(lists);
        h->notices = (uint64_t)json_integer_value(notices);
    }
    json_decref(o);
    return err;
}

/* Whether an entry's fields are strings that fit the row of kind k (others are not allowed). */
static bool entry_ok(const struct snap_kind *k, json_t *e)
{
    if (!json_is_object(e) || json_object_size(e) > k->nfields)
        return false;
    size_t seen = 0;
    for (size_t i = 0; i < k->nfields; i++) {
        json_t *v = json_object_get(e, k->fields[i].name);
        if (!v)
            continue;
        seen++;
        if (!json_is_string(v) || json_string_length(v) >= k->fields[i].size ||
            strlen(json_string_value(v)) != json_string_length(v))
            return false;
    }
    return seen == json_object_size(e);
}

/* Reads one record line into rec (its key; the line copied); *removed for a removal. */
static tz_err read_record(const char *s, size_t n, struct snap_rec *rec, bool *removed)
{
    json_t *o = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
    const char *code = json_string_value(json_object_get(o, "k"));
    const char *src = json_string_value(json_object_get(o, "source"));
    const char *rid = json_string_value(json_object_get(o, "record_id"));
    json_t *entries = json_object_get(o, "entries");
    const struct snap_kind *k = NULL;
    for (size_t i = 0; code && i < 3; i++)
        if (strcmp(code, tz_snap_kinds[i].code) == 0)
            k = &tz_snap_kinds[i];
    tz_err err = TZ_EINVAL;
    rec->key = rec->line = NULL;
    *removed = rec->removed = json_is_true(json_object_get(o, "removed"));
    if (!k || !src || !rid || !tz_snap_id_ok(src, TZ_WATCH_ID_MAX) ||
        !tz_snap_id_ok(rid, TZ_WATCH_ID_MAX) || json_object_size(o) != 4)
        goto done;
    if (*removed ? entries != NULL
                 : !json_is_array(entries) || json_array_size(entries) == 0 ||
                       json_array_size(entries) > TZ_SNAP_ENTRIES_MAX)
        goto done;
    for (size_t i = 0; i < json_array_size(entries); i++)
        if (!entry_ok(k, json_array_get(entries, i)))
            goto done;
    char key[3 + 2 * TZ_WATCH_ID_MAX];
    snprintf(key, sizeof key, "%c\t%s\t%s", k->letter, src, rid);
    rec->key = strdup(key);
    rec->line = strndup(s, n);
    err = rec->key && rec->line ? TZ_OK : TZ_ENOMEM;
    if (err) {
        free(rec->key);
        free(rec->line);
    }
done:
    json_decref(o);
    return err;
}

static bool grow(struct snap_rec **r, size_t *cap)
{
    size_t n = *cap ? *cap * 2 : 16;
    struct snap_rec *q = realloc(*r, n * sizeof *q);
    if (!q)
        return false;
    *r = q, *cap = n;
    return true;
}

/* The record lines of body (after the header) into *recs, checked and in key order. */
static tz_err read_records(const char *p, const char *end, const struct tz_snap_info *h,
                           struct snap_rec **recs, size_t *nrecs, char *why)
{
    size_t cap = h->count < 1024 ? h->count : 1024, n = 0, removed = 0, line = 2;
    struct snap_rec *r = cap ? calloc(cap, sizeof *r) : NULL;
    tz_err err = cap && !r ? TZ_ENOMEM : TZ_OK;
    for (; !err && p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)(nl - p); /* the body ends with a line feed: nl is found */
        bool rm = false;
        if (n == h->count)
            err = WHY("line %zu: more records than the header counts (%zu)", line, h->count);
        else if (len > TZ_SNAP_LINE_MAX)
            err = WHY("line %zu: longer than %d bytes", line, TZ_SNAP_LINE_MAX);
        else if (n == cap && !grow(&r, &cap))
            err = TZ_ENOMEM;
        else if ((err = read_record(p, len, &r[n], &rm)) == TZ_EINVAL)
            err = WHY("line %zu: not a record of a snapshot", line);
        else if (!err && rm && !h->delta) {
            n++;
            err = WHY("line %zu: a removal in a full snapshot", line);
        } else if (!err && n++ && strcmp(r[n - 2].key, r[n - 1].key) >= 0)
            err = WHY("line %zu: out of order, or the same record twice", line);
        removed += rm;
        p = nl + 1;
    }
    if (!err && (n != h->count || removed != h->removed))
        err = WHY("%zu records and %zu removals where the header counts %zu and %zu", n, removed,
                  h->count, h->removed);
    if (err) {
        tz_snap_recs_free(r, n);
        return err;
    }
    *recs = r, *nrecs = n;
    return TZ_OK;
}

/* st's records with the delta d applied, into *out; TZ_EINVAL when a removal finds nothing. */
static tz_err merge(const struct tz_snap_state *st, struct snap_rec *d, size_t nd,
                    struct snap_rec **out, size_t *nout, char *why)
{
    struct snap_rec *r = calloc(st->count + nd + 1, sizeof *r);
    if (!r)
        return TZ_ENOMEM;
    size_t i = 0, j = 0, n = 0;
    tz_err err = TZ_OK;
    while (!err && (i < st->count || j < nd)) {
        int c = i == st->count ? 1 : j == nd ? -1 : strcmp(st->recs[i].key, d[j].key);
        const struct snap_rec *take = c < 0 ? &st->recs[i] : d[j].removed ? NULL : &d[j];
        if (c > 0 && !take)
            err = WHY("the delta removes a record the state does not hold");
        else if (take) {
            r[n].key = strdup(take->key);
            r[n].line = strdup(take->line);
            err = r[n].key && r[n].line ? TZ_OK : TZ_ENOMEM;
            n++;
        }
        i += c <= 0, j += c >= 0;
    }
    if (err) {
        tz_snap_recs_free(r, n);
        return err;
    }
    *out = r, *nout = n;
    return TZ_OK;
}

tz_err tz_snap_apply(struct tz_snap_state *st, const char *data, size_t n, const uint8_t pk[32],
                     struct tz_snap_info *info, char why[TZ_SNAP_WHY_MAX])
{
    size_t body = 0;
    struct tz_snap_info h;
    why[0] = '\0';
    tz_err err = check_signature(data, n, pk, &body, why);
    if (err)
        return err;
    const char *nl = memchr(data, '\n', body);
    if ((err = read_header(data, (size_t)(nl - data), &h, why)) || (err = tz_snap_settle(st)))
        return err;
    uint8_t digest[TZ_SNAP_DIGEST];
    tz_snap_digest_recs(st->recs, st->count, digest);
    if (h.delta && sodium_memcmp(digest, h.base, TZ_SNAP_DIGEST) != 0)
        return WHY("the delta follows another state than the one read so far (a delta missing "
                   "or out of order)");
    struct snap_rec *recs = NULL, *next = NULL;
    size_t nrecs = 0, nnext = 0;
    if ((err = read_records(nl + 1, data + body, &h, &recs, &nrecs, why)))
        return err;
    if (h.delta) {
        err = merge(st, recs, nrecs, &next, &nnext, why);
        tz_snap_recs_free(recs, nrecs);
    } else
        next = recs, nnext = nrecs;
    if (!err) {
        tz_snap_digest_recs(next, nnext, digest);
        if (sodium_memcmp(digest, h.state, TZ_SNAP_DIGEST) != 0)
            err = WHY("the records do not make the state the header names");
    }
    if (err) {
        tz_snap_recs_free(next, nnext);
        return err;
    }
    tz_snap_recs_free(st->recs, st->count);
    st->recs = next, st->count = nnext;
    if (info)
        *info = h;
    return TZ_OK;
}

/* Hands v each entry of one record line as the row of its kind. */
static tz_err visit_line(const struct snap_rec *rec, const struct tz_screen_visitor *v)
{
    json_t *o = json_loads(rec->line, 0, NULL);
    const char *code = json_string_value(json_object_get(o, "k"));
    json_t *entries = json_object_get(o, "entries");
    size_t ki = code && code[0] == 'p' ? 0 : code && code[0] == 'd' ? 1 : 2;
    const struct snap_kind *k = &tz_snap_kinds[ki];
    tz_err err = o ? TZ_OK : TZ_ENOMEM;
    for (size_t i = 0; !err && i < json_array_size(entries); i++) {
        union {
            struct tz_watch_person_rec p;
            struct tz_watch_doc_rec d;
            struct tz_watch_vehicle_rec v;
        } row;
        memset(&row, 0, sizeof row);
        char *base = (char *)&row;
        snprintf(base + k->source_off, TZ_WATCH_ID_MAX, "%s",
                 json_string_value(json_object_get(o, "source")));
        snprintf(base + k->record_off, TZ_WATCH_ID_MAX, "%s",
                 json_string_value(json_object_get(o, "record_id")));
        json_t *e = json_array_get(entries, i);
        for (size_t f = 0; f < k->nfields; f++) {
            const char *s = json_string_value(json_object_get(e, k->fields[f].name));
            snprintf(base + k->fields[f].off, k->fields[f].size, "%s", s ? s : "");
        }
        err = ki == 0   ? v->person(v->ctx, &row.p)
              : ki == 1 ? v->doc(v->ctx, &row.d)
                        : v->vehicle(v->ctx, &row.v);
    }
    json_decref(o);
    return err;
}

tz_err tz_snap_visit(struct tz_snap_state *st, const struct tz_screen_visitor *v)
{
    tz_err err = tz_snap_settle(st);
    for (size_t i = 0; !err && i < st->count; i++)
        err = visit_line(&st->recs[i], v);
    return err;
}
