/*
 * service.c - screening over the store: imports of watch-lists (stored in one transaction with
 * their audit entry) and person queries (permission checked, fields checked, audited before
 * they are answered).
 *
 * The indexes live in memory beside the store: built (service_build.c) from every person,
 * document and vehicle of every list and of every published notice on the first query, and
 * built again (outside the lock, then swapped in) whenever the lists' version in the store or
 * the exchange's notices have moved, so an import by `tarcza watchlist import` reaches a
 * running server on its next query, and a notice published or cancelled its next query too.
 * Queries share the indexes under a read lock.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/jsonw.h"
#include "screening/internal.h"

#include "exchange/exchange.h"

tz_err tz_screening_open(struct tz_auth *auth, const struct tz_screen_config *cfg,
                         struct tz_screening **out)
{
    *out = NULL;
    struct tz_screening *s = calloc(1, sizeof *s);
    if (!s)
        return TZ_ENOMEM;
    s->auth = auth;
    if (cfg)
        s->cfg = *cfg;
    else
        tz_screen_config_default(&s->cfg);
    s->version = -1;
    pthread_rwlock_init(&s->lock, NULL);
    pthread_mutex_init(&s->build, NULL);
    *out = s;
    return TZ_OK;
}

void tz_screening_close(struct tz_screening *s)
{
    if (!s)
        return;
    tz_screen_index_free(s->ix);
    tz_objects_free(s->objects);
    pthread_rwlock_destroy(&s->lock);
    pthread_mutex_destroy(&s->build);
    free(s);
}

void tz_screening_attach_exchange(struct tz_screening *s, struct tz_exchange *x)
{
    pthread_mutex_lock(&s->build);
    s->exchange = x;
    s->version = -1; /* the next query builds with the notices */
    pthread_mutex_unlock(&s->build);
}

/*
 * Brings the indexes up to the lists' version in the store and the exchange's notices: a
 * build outside the lock (queries go on with the old indexes), then a swap.
 */
tz_err tz_screening_refresh(struct tz_screening *s)
{
    if (s->offline)
        return TZ_OK; /* what the snapshot gave is all there is */
    int64_t version = 0;
    tz_err err = tz_store_watchlist_version(tz_auth_store(s->auth), &version);
    if (err)
        return err;
    pthread_rwlock_rdlock(&s->lock);
    uint64_t notices = s->exchange ? tz_exchange_notices_version(s->exchange) : 0;
    bool current = s->version == version && s->notices == notices;
    pthread_rwlock_unlock(&s->lock);
    if (current)
        return TZ_OK;
    pthread_mutex_lock(&s->build);
    struct tz_screen_index *ix = NULL;
    struct tz_objects *objects = NULL;
    /* the notices' version is read before the build: a notice moved during it builds again */
    notices = s->exchange ? tz_exchange_notices_version(s->exchange) : 0;
    if ((s->version != version || s->notices != notices) &&
        !(err = tz_screening_build(s, &ix, &objects))) {
        pthread_rwlock_wrlock(&s->lock);
        struct tz_screen_index *old = s->ix;
        struct tz_objects *old_objects = s->objects;
        s->ix = ix, s->objects = objects, s->version = version, s->notices = notices;
        pthread_rwlock_unlock(&s->lock);
        tz_screen_index_free(old);
        tz_objects_free(old_objects);
    }
    pthread_mutex_unlock(&s->build);
    return err;
}

tz_err tz_screening_load(struct tz_screening *s)
{
    return tz_screening_refresh(s);
}

/* ---- imports ---- */

static tz_err import_fields(const char *source, const struct tz_watch_import *r,
                            struct tz_buf *b)
{
    struct tz_jw w;
    tz_jw_begin(&w, b);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "source", source);
    tz_jw_kstr(&w, "format", tz_watch_format_code(r->format));
    tz_jw_kuint(&w, "lines_taken", r->taken);
    tz_jw_kuint(&w, "lines_refused", r->refused);
    tz_jw_kuint(&w, "names", r->npersons);
    tz_jw_kuint(&w, "documents", r->ndocs);
    tz_jw_kuint(&w, "vehicles", r->nvehicles);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

tz_err tz_screening_import(struct tz_screening *s, const struct tz_auth_who *who,
                           const char *source, const char *data, size_t n,
                           enum tz_watch_format format, struct tz_watch_import *report)
{
    struct tz_buf fields;
    tz_buf_init(&fields, 4096);
    memset(report, 0, sizeof *report);
    if (!source || !source[0] || strlen(source) >= TZ_WATCH_ID_MAX)
        return TZ_EINVAL;
    tz_err err = tz_watch_parse(data, n, format, report);
    if (!err && report->taken == 0)
        err = TZ_ECONFLICT;
    if (!err)
        err = import_fields(source, report, &fields);
    if (!err) {
        char object[TZ_WATCH_ID_MAX + 16];
        snprintf(object, sizeof object, "watchlist/%s", source);
        struct tz_audit_rec a = tz_auth_who_entry(s->auth, who,
                                                  tz_audit_code(TZ_AUDIT_WATCHLIST_IMPORT), object);
        a.fields = fields.data;
        int64_t id = 0;
        struct tz_watch_set set = {report->persons, report->npersons, report->docs,
                                   report->ndocs,   report->vehicles, report->nvehicles};
        err = tz_store_watchlist_replace(tz_auth_store(s->auth), source,
                                         tz_watch_format_code(report->format),
                                         tz_auth_now(s->auth), &set, &a, &id);
    }
    tz_buf_free(&fields);
    return err;
}

/* ---- person queries ---- */

void tz_screen_answer_clear(struct tz_screen_answer *a)
{
    free(a->hits);
    memset(a, 0, sizeof *a);
}

/* Whether s is UTF-8 without control characters but line feeds (lead and continuation bytes;
 * the audit log keeps the text as it came). */
bool tz_screening_utf8_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t len = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
        if (!len || (*p < 0x20 && *p != '\n'))
            return false;
        for (size_t i = 1; i < len; i++)
            if ((p[i] & 0xC0) != 0x80)
                return false;
        p += len;
    }
    return true;
}

void tz_screening_check_reason(const char *reason, struct tz_field_errors *errs)
{
    if (!reason || !reason[0])
        tz_fielderr_add(errs, "/reason", "required: why this is screened");
    else if (strlen(reason) > TZ_SCREEN_REASON_MAX || !tz_screening_utf8_ok(reason))
        tz_fielderr_add(errs, "/reason", "at most 500 bytes of UTF-8 text");
}

void tz_screening_read_person(const struct tz_screen_person_query *in, const char *prefix,
                              struct tz_screen_query *q, struct tz_field_errors *errs)
{
    memset(q, 0, sizeof *q);
    char f[TZ_FIELD_NAME_MAX];
#define FIELD(name) (snprintf(f, sizeof f, "%s/" name, prefix), f)
    if (!in->name || !in->name[0])
        tz_fielderr_add(errs, FIELD("name"), "required");
    else if (tz_screen_normalise(in->name, strlen(in->name), &q->name) != TZ_OK)
        tz_fielderr_add(errs, FIELD("name"),
                        "not a name: no letter, invalid UTF-8, over 256 bytes or over 8 parts");
    if (in->birth_date && tz_screen_date_parse(in->birth_date, strlen(in->birth_date), &q->dob))
        tz_fielderr_add(errs, FIELD("birth_date"), "YYYY, YYYY-MM or YYYY-MM-DD");
    if (in->nationality) {
        const char *c = in->nationality;
        if (strlen(c) != 2 || (c[0] | 0x20) < 'a' || (c[0] | 0x20) > 'z' || (c[1] | 0x20) < 'a' ||
            (c[1] | 0x20) > 'z')
            tz_fielderr_add(errs, FIELD("nationality"), "a two-letter country code (ISO 3166)");
        else
            q->nat[0][0] = (char)(c[0] | 0x20), q->nat[0][1] = (char)(c[1] | 0x20);
    }
    if (in->sex) {
        const char *x = in->sex;
        if (strcmp(x, "m") == 0 || strcmp(x, "male") == 0)
            q->sex = TZ_SCREEN_SEX_MALE;
        else if (strcmp(x, "f") == 0 || strcmp(x, "female") == 0)
            q->sex = TZ_SCREEN_SEX_FEMALE;
        else
            tz_fielderr_add(errs, FIELD("sex"), "m, f, male or female");
    }
#undef FIELD
}

/* The audit entry's fields: what was asked and what came back. */
static tz_err query_fields(const struct tz_screen_person_query *in, const struct tz_screen_answer *a,
                           const char *why_refused, struct tz_buf *b)
{
    struct tz_jw w;
    tz_jw_begin(&w, b);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "name", in->name);
    tz_jw_kstr(&w, "birth_date", in->birth_date);
    tz_jw_kstr(&w, "nationality", in->nationality);
    tz_jw_kstr(&w, "sex", in->sex);
    if (why_refused) {
        tz_jw_kstr(&w, "refused", why_refused);
    } else {
        tz_jw_kuint(&w, "hits", a->count);
        tz_jw_key(&w, "records");
        tz_jw_array(&w);
        for (size_t i = 0; i < a->count && i < 20; i++)
            tz_jw_str(&w, a->hits[i].source_id);
        tz_jw_array_end(&w);
    }
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

tz_err tz_screening_audit(struct tz_screening *s, const struct tz_auth_who *who,
                          const char *object, const char *fields, const char *reason,
                          bool refused)
{
    struct tz_audit_rec rec =
        tz_auth_who_entry(s->auth, who, tz_audit_code(TZ_AUDIT_SCREENING_QUERY), object);
    rec.fields = fields;
    rec.note = reason && reason[0] && strlen(reason) <= TZ_SCREEN_REASON_MAX &&
                       tz_screening_utf8_ok(reason)
                   ? reason
                   : NULL;
    rec.outcome = refused ? "refused" : "ok";
    return tz_auth_audit(s->auth, &rec);
}

static tz_err audit_query(struct tz_screening *s, const struct tz_auth_who *who,
                          const struct tz_screen_person_query *in, const struct tz_screen_answer *a,
                          const char *why_refused)
{
    struct tz_buf fields;
    tz_buf_init(&fields, 16384);
    tz_err err = query_fields(in, a, why_refused, &fields);
    if (!err)
        err = tz_screening_audit(s, who, "screening/persons", fields.data, in->reason,
                                 why_refused != NULL);
    tz_buf_free(&fields);
    return err;
}

/* Keeps each record once, at its best name (hits are best first). */
static void one_per_record(struct tz_screen_answer *a)
{
    size_t k = 0;
    for (size_t i = 0; i < a->count; i++) {
        bool seen = false;
        for (size_t j = 0; j < k && !seen; j++)
            seen = strcmp(a->hits[j].source_id, a->hits[i].source_id) == 0;
        if (!seen)
            a->hits[k++] = a->hits[i];
    }
    a->count = k;
}

tz_err tz_screening_find_person(struct tz_screening *s, const struct tz_screen_query *q,
                                struct tz_screen_answer *out)
{
    struct tz_screen_config cfg = s->cfg;
    cfg.max_hits = 4 * s->cfg.max_hits; /* room for a record's other names */
    out->threshold = s->cfg.threshold;
    pthread_rwlock_rdlock(&s->lock);
    tz_err err = tz_screen_search(s->ix, &cfg, q, &out->hits, &out->count);
    pthread_rwlock_unlock(&s->lock);
    if (!err) {
        one_per_record(out);
        if (out->count > s->cfg.max_hits)
            out->count = s->cfg.max_hits;
    }
    return err;
}

tz_err tz_screening_person(struct tz_screening *s, const struct tz_auth_who *who,
                           const struct tz_screen_person_query *in, struct tz_field_errors *errs,
                           struct tz_screen_answer *out)
{
    struct tz_screen_query q;
    memset(out, 0, sizeof *out);
    out->threshold = s->cfg.threshold;
    if (who->p && tz_auth_permit(who->p, TZ_ACT_SCREENING, NULL, NULL, NULL) != TZ_OK) {
        tz_err err = audit_query(s, who, in, out, "forbidden");
        return err ? err : TZ_EFORBIDDEN;
    }
    tz_screening_read_person(in, "", &q, errs);
    tz_screening_check_reason(in->reason, errs);
    if (errs->count) {
        tz_err err = audit_query(s, who, in, out, errs->items[0].field);
        return err ? err : TZ_EINVAL;
    }
    tz_err err = tz_screening_refresh(s);
    if (!err)
        err = tz_screening_find_person(s, &q, out);
    if (!err)
        err = audit_query(s, who, in, out, NULL);
    if (err) /* no entry, no answer */
        tz_screen_answer_clear(out);
    return err;
}
