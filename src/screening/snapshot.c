/*
 * snapshot.c - the offline copy's state and its signed files (snapshot.h).
 *
 * A state is an array of records sorted by key ("<kind letter> TAB source TAB record id"), each
 * with its line: the record as compact JSON with sorted members, written once by
 * tz_snap_write and kept byte for byte by the reader (the digest is over these bytes, so a state
 * read back from a full snapshot and one rebuilt by applying deltas compare line for line).
 * Rows added (tz_snap_add_*) wait in a JSON object keyed like the array and are written into
 * lines by settle() before anything reads the state. The file's reader is snapshot_read.c.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "screening/snapshot_internal.h"

#define F(T, json, member)                                                                         \
    {                                                                                              \
        json, offsetof(T, member), sizeof(((T *)0)->member)                                        \
    }
static const struct snap_field person_fields[] = {
    F(struct tz_watch_person_rec, "name", name),
    F(struct tz_watch_person_rec, "birth_date", birth_date),
    F(struct tz_watch_person_rec, "sex", sex),
    F(struct tz_watch_person_rec, "nationality", nationalities),
};
static const struct snap_field doc_fields[] = {
    F(struct tz_watch_doc_rec, "type", doc_type),
    F(struct tz_watch_doc_rec, "number", number),
    F(struct tz_watch_doc_rec, "country", country),
    F(struct tz_watch_doc_rec, "valid_until", valid_until),
    F(struct tz_watch_doc_rec, "status", status),
};
static const struct snap_field vehicle_fields[] = {
    F(struct tz_watch_vehicle_rec, "vin", vin),
    F(struct tz_watch_vehicle_rec, "plate", plate),
    F(struct tz_watch_vehicle_rec, "plate_country", plate_country),
    F(struct tz_watch_vehicle_rec, "make", make),
    F(struct tz_watch_vehicle_rec, "model", model),
    F(struct tz_watch_vehicle_rec, "colour", colour),
    F(struct tz_watch_vehicle_rec, "status", status),
};
#undef F
#define KIND(T, code, letter, fields)                                                              \
    {                                                                                              \
        code, letter, fields, sizeof fields / sizeof fields[0], sizeof(T), offsetof(T, source),    \
            offsetof(T, record_id)                                                                 \
    }

const struct snap_kind tz_snap_kinds[3] = {
    KIND(struct tz_watch_person_rec, "person", 'p', person_fields),
    KIND(struct tz_watch_doc_rec, "document", 'd', doc_fields),
    KIND(struct tz_watch_vehicle_rec, "vehicle", 'v', vehicle_fields),
};

tz_err tz_snap_state_new(struct tz_snap_state **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? TZ_OK : TZ_ENOMEM;
}

void tz_snap_recs_free(struct snap_rec *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].key);
        free(r[i].line);
    }
    free(r);
}

void tz_snap_state_free(struct tz_snap_state *st)
{
    if (!st)
        return;
    tz_snap_recs_free(st->recs, st->count);
    json_decref(st->pending);
    free(st);
}

bool tz_snap_id_ok(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    if (n == 0 || n >= cap || n >= TZ_WATCH_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

/* Adds one row of kind k (rec is its struct) to st's pending records. */
static tz_err add_row(struct tz_snap_state *st, const struct snap_kind *k, const void *rec)
{
    const char *src = (const char *)rec + k->source_off;
    const char *rid = (const char *)rec + k->record_off;
    if (!tz_snap_id_ok(src, TZ_WATCH_ID_MAX) || !tz_snap_id_ok(rid, TZ_WATCH_ID_MAX))
        return TZ_EINVAL;
    if (!st->pending && !(st->pending = json_object()))
        return TZ_ENOMEM;
    char key[3 + 2 * TZ_WATCH_ID_MAX];
    snprintf(key, sizeof key, "%c\t%s\t%s", k->letter, src, rid);
    json_t *r = json_object_get(st->pending, key);
    if (!r) {
        r = json_pack("{s:s, s:s, s:s, s:[]}", "k", k->code, "source", src, "record_id", rid,
                      "entries");
        if (!r || json_object_set_new(st->pending, key, r))
            return TZ_ENOMEM;
    }
    json_t *entries = json_object_get(r, "entries");
    if (json_array_size(entries) >= TZ_SNAP_ENTRIES_MAX)
        return TZ_EINVAL;
    json_t *e = json_object();
    if (!e || json_array_append_new(entries, e))
        return TZ_ENOMEM;
    for (size_t i = 0; i < k->nfields; i++) {
        const struct snap_field *f = &k->fields[i];
        const char *v = (const char *)rec + f->off;
        json_t *s = json_stringn(v, strnlen(v, f->size - 1));
        if (!s)
            return TZ_EINVAL; /* not UTF-8 */
        if (json_object_set_new(e, f->name, s))
            return TZ_ENOMEM;
    }
    return TZ_OK;
}

tz_err tz_snap_add_person(struct tz_snap_state *st, const struct tz_watch_person_rec *r)
{
    return add_row(st, &tz_snap_kinds[0], r);
}

tz_err tz_snap_add_doc(struct tz_snap_state *st, const struct tz_watch_doc_rec *d)
{
    return add_row(st, &tz_snap_kinds[1], d);
}

tz_err tz_snap_add_vehicle(struct tz_snap_state *st, const struct tz_watch_vehicle_rec *v)
{
    return add_row(st, &tz_snap_kinds[2], v);
}

static int rec_cmp(const void *a, const void *b)
{
    return strcmp(((const struct snap_rec *)a)->key, ((const struct snap_rec *)b)->key);
}

/* Writes the pending rows into lines, sorted in with the records. */
tz_err tz_snap_settle(struct tz_snap_state *st)
{
    size_t n = json_object_size(st->pending);
    if (n == 0)
        return TZ_OK;
    struct snap_rec *r = realloc(st->recs, (st->count + n) * sizeof *r);
    if (!r)
        return TZ_ENOMEM;
    st->recs = r;
    const char *key;
    json_t *v;
    json_object_foreach(st->pending, key, v)
    {
        char *line = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
        char *k = strdup(key);
        if (!line || !k) {
            free(line);
            free(k);
            return TZ_ENOMEM;
        }
        st->recs[st->count++] = (struct snap_rec){k, line, false};
    }
    json_decref(st->pending);
    st->pending = NULL;
    qsort(st->recs, st->count, sizeof *st->recs, rec_cmp);
    return TZ_OK;
}

tz_err tz_snap_state_count(struct tz_snap_state *st, size_t *count)
{
    tz_err err = tz_snap_settle(st);
    *count = st->count;
    return err;
}

void tz_snap_digest_recs(const struct snap_rec *r, size_t n, uint8_t out[TZ_SNAP_DIGEST])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, TZ_SNAP_DIGEST);
    for (size_t i = 0; i < n; i++) {
        crypto_generichash_update(&h, (const unsigned char *)r[i].line, strlen(r[i].line));
        crypto_generichash_update(&h, (const unsigned char *)"\n", 1);
    }
    crypto_generichash_final(&h, out, TZ_SNAP_DIGEST);
}

tz_err tz_snap_state_digest(struct tz_snap_state *st, uint8_t out[TZ_SNAP_DIGEST])
{
    tz_err err = tz_snap_settle(st);
    if (!err)
        tz_snap_digest_recs(st->recs, st->count, out);
    return err;
}

bool tz_snap_state_equal(struct tz_snap_state *a, struct tz_snap_state *b)
{
    if (tz_snap_settle(a) || tz_snap_settle(b) || a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->recs[i].key, b->recs[i].key) || strcmp(a->recs[i].line, b->recs[i].line))
            return false;
    return true;
}

/* ---- writing ---- */

static tz_err put_line(struct tz_buf *out, const char *line)
{
    tz_err err = tz_buf_puts(out, line);
    return err ? err : tz_buf_append(out, "\n", 1);
}

/* The line that removes rec: its kind, source and record id, and "removed". */
static tz_err put_removal(struct tz_buf *out, const struct snap_rec *rec)
{
    char kind = rec->key[0];
    const char *src = rec->key + 2, *tab = strchr(src, '\t');
    const char *code = kind == 'p' ? "person" : kind == 'd' ? "document" : "vehicle";
    json_t *o = json_pack("{s:s, s:s%, s:s, s:b}", "k", code, "source", src, (size_t)(tab - src),
                          "record_id", tab + 1, "removed", 1);
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    tz_err err = line ? put_line(out, line) : TZ_ENOMEM;
    free(line);
    return err;
}

/* The record lines of st, or of the delta from base to st; *count the lines, *removed. */
static tz_err put_records(struct tz_snap_state *st, struct tz_snap_state *base, struct tz_buf *out,
                          size_t *count, size_t *removed)
{
    tz_err err = TZ_OK;
    size_t i = 0, j = 0, nb = base ? base->count : 0;
    *count = 0, *removed = 0;
    while (!err && (i < st->count || j < nb)) {
        int c = i == st->count ? 1 : j == nb ? -1 : strcmp(st->recs[i].key, base->recs[j].key);
        if (c < 0 || (c == 0 && strcmp(st->recs[i].line, base->recs[j].line) != 0)) {
            err = put_line(out, st->recs[i].line);
            ++*count;
        } else if (c > 0) {
            err = put_removal(out, &base->recs[j]);
            ++*count, ++*removed;
        }
        i += c <= 0, j += c >= 0;
    }
    return err;
}

static tz_err put_header(struct tz_buf *out, const struct tz_snap_info *info)
{
    char state[2 * TZ_SNAP_DIGEST + 1], base[2 * TZ_SNAP_DIGEST + 1];
    sodium_bin2hex(state, sizeof state, info->state, TZ_SNAP_DIGEST);
    sodium_bin2hex(base, sizeof base, info->base, TZ_SNAP_DIGEST);
    json_t *h =
        json_pack("{s:s, s:i, s:s, s:s, s:I, s:I, s:{s:I, s:I}, s:s}", "format", TZ_SNAP_FORMAT,
                  "version", TZ_SNAP_VERSION, "kind", info->delta ? "delta" : "full", "created",
                  info->created, "count", (json_int_t)info->count, "removed",
                  (json_int_t)info->removed, "position", "lists", (json_int_t)info->lists_version,
                  "notices", (json_int_t)(info->notices & INT64_MAX), "state", state);
    if (h && info->delta && json_object_set_new(h, "base", json_string(base)))
        json_decref(h), h = NULL;
    char *line = h ? json_dumps(h, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(h);
    tz_err err = line ? put_line(out, line) : TZ_ENOMEM;
    free(line);
    return err;
}

tz_err tz_snap_write(struct tz_snap_state *st, struct tz_snap_state *base, const uint8_t sk[64],
                     struct tz_snap_info *info, struct tz_buf *out)
{
    tz_err err = tz_snap_settle(st);
    if (!err && base)
        err = tz_snap_settle(base);
    if (err)
        return err;
    info->delta = base != NULL;
    tz_snap_digest_recs(st->recs, st->count, info->state);
    memset(info->base, 0, sizeof info->base);
    if (base)
        tz_snap_digest_recs(base->recs, base->count, info->base);
    /* the records first (to count them), then the header before them */
    struct tz_buf body;
    tz_buf_init(&body, out->max);
    err = put_records(st, base, &body, &info->count, &info->removed);
    size_t start = out->len;
    if (!err)
        err = put_header(out, info);
    if (!err && body.len)
        err = tz_buf_append(out, body.data, body.len);
    tz_buf_free(&body);
    uint8_t sig[crypto_sign_BYTES];
    char hex[2 * crypto_sign_BYTES + 1];
    if (!err) {
        crypto_sign_detached(sig, NULL, (const unsigned char *)out->data + start, out->len - start,
                             sk);
        sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
        err = tz_buf_printf(out, "{\"signature\":\"%s\"}\n", hex);
    }
    return err;
}
