/*
 * service_batch.c - a batch of persons, documents and vehicles screened in one call (a
 * passenger list, a hotel register): permission once, every item read before any is searched
 * (one bad item refuses the batch, naming it), the searches against one refreshed index, and
 * one audit entry for the batch (the count of each kind, how many items had hits, and their
 * records) written before the answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/jsonw.h"
#include "screening/internal.h"

#define AUDIT_RECORDS_MAX 200 /* record ids the batch's audit entry names; the rest counted */

const char *tz_screen_kind_code(enum tz_screen_kind k)
{
    static const char *const code[] = {"person", "document", "vehicle"};
    return (unsigned)k < 3 ? code[k] : "person";
}

void tz_screen_batch_clear(struct tz_screen_batch *b)
{
    for (size_t i = 0; b->results && i < b->count; i++) {
        tz_screen_answer_clear(&b->results[i].person);
        tz_screen_obj_answer_clear(&b->results[i].object);
    }
    free(b->results);
    memset(b, 0, sizeof *b);
}

/* Reads item i (searching it when s is not NULL) into r. */
static tz_err one(struct tz_screening *s, const struct tz_screen_batch_item *it, size_t i,
                  struct tz_field_errors *errs, struct tz_screen_batch_result *r)
{
    char prefix[32];
    snprintf(prefix, sizeof prefix, "/items/%zu", i);
    r->kind = it->kind;
    if (it->kind == TZ_SCREEN_DOCUMENT)
        return tz_screening_find_document(s, &it->doc, prefix, errs, &r->object);
    if (it->kind == TZ_SCREEN_VEHICLE)
        return tz_screening_find_vehicle(s, &it->vehicle, prefix, errs, &r->object);
    struct tz_screen_query q;
    size_t before = errs->count + errs->dropped;
    tz_screening_read_person(&it->person, prefix, &q, errs);
    if (errs->count + errs->dropped > before)
        return TZ_EINVAL;
    return s ? tz_screening_find_person(s, &q, &r->person) : TZ_OK;
}

static size_t hits_of(const struct tz_screen_batch_result *r)
{
    return r->kind == TZ_SCREEN_PERSON ? r->person.count : r->object.count;
}

/* The batch's audit fields: counts by kind, items with hits, their records (bounded). */
static tz_err batch_fields(const struct tz_screen_batch_item *items, size_t n,
                           const struct tz_screen_batch *b, const char *refused, struct tz_buf *out)
{
    size_t kinds[3] = {0};
    for (size_t i = 0; i < n && n <= TZ_SCREEN_BATCH_MAX; i++) /* a refused size: not read */
        kinds[(unsigned)items[i].kind < 3 ? items[i].kind : 0]++;
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    tz_jw_kuint(&w, "items", n);
    tz_jw_kuint(&w, "persons", kinds[0]);
    tz_jw_kuint(&w, "documents", kinds[1]);
    tz_jw_kuint(&w, "vehicles", kinds[2]);
    if (refused) {
        tz_jw_kstr(&w, "refused", refused);
    } else {
        tz_jw_kuint(&w, "items_with_hits", b->hits);
        tz_jw_key(&w, "records");
        tz_jw_array(&w);
        size_t named = 0;
        for (size_t i = 0; i < b->count; i++) {
            const struct tz_screen_batch_result *r = &b->results[i];
            for (size_t k = 0; k < hits_of(r) && named < AUDIT_RECORDS_MAX; k++, named++) {
                char id[TZ_WATCH_ID_MAX + 1 + TZ_OBJ_SOURCE_MAX];
                if (r->kind == TZ_SCREEN_PERSON)
                    snprintf(id, sizeof id, "%s", r->person.hits[k].source_id);
                else
                    snprintf(id, sizeof id, "%s/%s", r->object.hits[k].source,
                             r->object.hits[k].record_id);
                tz_jw_str(&w, id);
            }
        }
        tz_jw_array_end(&w);
    }
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

static tz_err audit_batch(struct tz_screening *s, const struct tz_auth_who *who,
                          const struct tz_screen_batch_item *items, size_t n, const char *reason,
                          const struct tz_screen_batch *b, const char *refused)
{
    struct tz_buf fields;
    tz_buf_init(&fields, 65536);
    tz_err err = batch_fields(items, n, b, refused, &fields);
    if (!err)
        err = tz_screening_audit(s, who, "screening/batch", fields.data, reason, refused != NULL);
    tz_buf_free(&fields);
    return err;
}

/* Every item and the reason read, nothing searched: each mistake into errs. */
static void check_items(const struct tz_screen_batch_item *items, size_t n, const char *reason,
                        struct tz_field_errors *errs)
{
    tz_screening_check_reason(reason, errs);
    if (n == 0 || n > TZ_SCREEN_BATCH_MAX)
        tz_fielderr_add(errs, "/items", "from 1 to %d items", TZ_SCREEN_BATCH_MAX);
    struct tz_screen_batch_result scratch;
    for (size_t i = 0; i < n && n <= TZ_SCREEN_BATCH_MAX; i++) {
        memset(&scratch, 0, sizeof scratch);
        (void)one(NULL, &items[i], i, errs, &scratch);
    }
}

/* Searches every item (already read) into out. */
static tz_err search_items(struct tz_screening *s, const struct tz_screen_batch_item *items,
                           size_t n, struct tz_field_errors *errs, struct tz_screen_batch *out)
{
    tz_err err = TZ_OK;
    if (!(out->results = calloc(n, sizeof *out->results)))
        err = TZ_ENOMEM;
    for (size_t i = 0; i < n && !err; i++) {
        err = one(s, &items[i], i, errs, &out->results[i]);
        out->count = i + 1;
        out->hits += !err && hits_of(&out->results[i]) > 0;
    }
    return err;
}

tz_err tz_screening_batch(struct tz_screening *s, const struct tz_auth_who *who,
                          const struct tz_screen_batch_item *items, size_t n, const char *reason,
                          struct tz_field_errors *errs, struct tz_screen_batch *out)
{
    memset(out, 0, sizeof *out);
    if (who->p && tz_auth_permit(who->p, TZ_ACT_SCREENING, NULL, NULL, NULL) != TZ_OK) {
        tz_err err = audit_batch(s, who, items, n, reason, out, "forbidden");
        return err ? err : TZ_EFORBIDDEN;
    }
    check_items(items, n, reason, errs);
    if (errs->count) {
        tz_err err = audit_batch(s, who, items, n, reason, out, errs->items[0].field);
        return err ? err : TZ_EINVAL;
    }
    tz_err err = tz_screening_refresh(s);
    if (!err)
        err = search_items(s, items, n, errs, out);
    if (!err)
        err = audit_batch(s, who, items, n, reason, out, NULL);
    if (err)
        tz_screen_batch_clear(out);
    return err;
}

tz_err tz_screening_offline_batch(struct tz_screening *s, const struct tz_screen_batch_item *items,
                                  size_t n, const char *reason, struct tz_field_errors *errs,
                                  struct tz_screen_batch *out)
{
    memset(out, 0, sizeof *out);
    check_items(items, n, reason, errs);
    if (errs->count)
        return TZ_EINVAL;
    tz_err err = search_items(s, items, n, errs, out);
    if (err)
        tz_screen_batch_clear(out);
    return err;
}
