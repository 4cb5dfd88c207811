/*
 * store.c - the public functions of the store's headers.
 *
 * Every operation of the aggregate headers is generated here from its one
 * entry (TZ_STORE_FORWARD over TZ_STORE_ALL_OPS): it checks its arguments
 * (TZ_EINVAL without a store, then the entry's preconditions, which hold for
 * every backend) and hands over to the backend through store->ops (see
 * backend.h). The predicates below are what a precondition cannot say in a
 * line. The handle's own functions (close, version, stats) and the functions
 * that free records live here too: records are plain data whatever the
 * backend.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"
#include "store/store.h"

/* True if s holds a NUL within its cap bytes, i.e. it is a string that fits. */
static bool fits(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

/* put_districts: the list is there (or empty) and every id fits. */
static bool districts_fit(const struct tz_district_rec *recs, size_t count)
{
    if (count && !recs)
        return false;
    for (size_t i = 0; i < count; i++)
        if (!fits(recs[i].id, TZ_ID_MAX))
            return false;
    return true;
}

/* insert_reports: the list is there (or empty) and every code fits. */
static bool reports_fit(const struct tz_report_rec *recs, size_t count)
{
    if (count && !recs)
        return false;
    for (size_t i = 0; i < count; i++) {
        const struct tz_report_rec *r = &recs[i];
        if (!fits(r->category, TZ_CODE_MAX) || !fits(r->district_id, TZ_ID_MAX) ||
            !fits(r->status, TZ_STATUS_MAX))
            return false;
        if (r->photo_count > TZ_REPORT_PHOTOS_MAX || (r->photo_count && !r->photos))
            return false;
        for (size_t k = 0; k < r->photo_count; k++)
            if (!r->photos[k].image || !r->photos[k].thumb || r->photos[k].image_len > INT_MAX ||
                r->photos[k].thumb_len > INT_MAX)
                return false;
    }
    return true;
}

/* list_reports: counts within their arrays, codes that fit, a bbox on the globe, a cursor >= 0. */
static bool filter_ok(const struct tz_report_filter *filter)
{
    if (filter->category_count > TZ_FILTER_MAX_CATEGORIES ||
        filter->status_count > sizeof filter->statuses / sizeof filter->statuses[0])
        return false;
    for (size_t i = 0; i < filter->category_count; i++)
        if (!fits(filter->categories[i], TZ_CODE_MAX))
            return false;
    for (size_t i = 0; i < filter->status_count; i++)
        if (!fits(filter->statuses[i], TZ_STATUS_MAX))
            return false;
    /* The comparisons are written so that a NaN fails them. */
    if (filter->has_bbox && !(filter->south <= filter->north && filter->west >= -180 &&
                              filter->west <= 180 && filter->east >= -180 && filter->east <= 180 &&
                              filter->south >= -90 && filter->north <= 90))
        return false;
    return filter->before_id >= 0;
}

/* change_status: a report id, statuses that fit, an actor. */
static bool change_ok(const struct tz_status_change *change)
{
    return change && change->report_id > 0 && TZ_PRE_FITS(change->expected_status, TZ_STATUS_MAX) &&
           TZ_PRE_FITS(change->new_status, TZ_STATUS_MAX) && change->actor;
}

/* account_put: a name, and role, unit, hash and districts that fit. */
static bool account_ok(const struct tz_account_rec *r)
{
    if (!TZ_PRE_FITS(r->name, sizeof r->name) || !r->name[0] ||
        !TZ_PRE_FITS(r->role, sizeof r->role) || !TZ_PRE_FITS(r->unit, sizeof r->unit) ||
        !TZ_PRE_FITS(r->password_hash, sizeof r->password_hash) ||
        r->district_count > TZ_ACCOUNT_DISTRICTS_MAX)
        return false;
    for (size_t i = 0; i < r->district_count; i++) {
        if (!fits(r->districts[i], TZ_ID_MAX))
            return false;
    }
    return true;
}

/*
 * The public function of an operation: its preconditions, then the backend. A backend that
 * leaves an operation's member NULL does not have it (yet): TZ_EUNSUPPORTED, never a crash.
 */
#define TZ_STORE_FORWARD(name, params, args, pre)                                                  \
    tz_err tz_store_##name params                                                                  \
    {                                                                                              \
        if (!store)                                                                                \
            return TZ_EINVAL;                                                                      \
        pre if (!store->ops->name) return TZ_EUNSUPPORTED;                                         \
        return store->ops->name args;                                                              \
    }

TZ_STORE_ALL_OPS(TZ_STORE_FORWARD)

/* ---- the handle ---- */

bool tz_store_is_pg(const char *db)
{
    return db && (strncmp(db, "postgres://", 11) == 0 || strncmp(db, "postgresql://", 13) == 0);
}

tz_err tz_store_open(const char *db, struct tz_store **out)
{
    return tz_store_is_pg(db) ? tz_store_open_pg(db, out) : tz_store_open_sqlite(db, out);
}

tz_err tz_store_grow(void **arr, size_t *cap, size_t len, size_t elem_size)
{
    if (len < *cap)
        return TZ_OK;
    size_t ncap = *cap ? *cap * 2 : 16;
    if (ncap > SIZE_MAX / elem_size)
        return TZ_ENOMEM;
    void *p = realloc(*arr, ncap * elem_size);
    if (!p)
        return TZ_ENOMEM;
    *arr = p;
    *cap = ncap;
    return TZ_OK;
}

void tz_store_close(struct tz_store *store)
{
    if (store)
        store->ops->close(store);
}

int tz_store_schema_version(struct tz_store *store)
{
    return store ? store->ops->schema_version(store) : 0;
}

tz_err tz_store_write_probe(struct tz_store *store)
{
    if (!store)
        return TZ_EINVAL;
    return store->ops->write_probe ? store->ops->write_probe(store) : TZ_OK;
}

tz_err tz_store_watch(struct tz_store *store, void (*fn)(void *ctx), void *ctx)
{
    if (!store)
        return TZ_EINVAL;
    return store->ops->watch ? store->ops->watch(store, fn, ctx) : TZ_EUNSUPPORTED;
}

tz_err tz_store_hold(struct tz_store *store, tz_err (*fn)(void *ctx), void *ctx)
{
    if (!store || !fn)
        return TZ_EINVAL;
    return store->ops->hold ? store->ops->hold(store, fn, ctx) : fn(ctx);
}

tz_err tz_store_stats(struct tz_store *store, struct tz_store_stats *out)
{
    if (!store || !out)
        return TZ_EINVAL;
    memset(out, 0, sizeof *out);
    store->ops->stats(store, out);
    return TZ_OK;
}

/* ---- freeing records ---- */

void tz_category_recs_free(struct tz_category_rec *recs, size_t count)
{
    if (!recs)
        return;
    for (size_t i = 0; i < count; i++) {
        free(recs[i].name_pl);
        free(recs[i].name_en);
    }
    free(recs);
}

void tz_group_recs_free(struct tz_group_rec *recs, size_t count)
{
    if (!recs)
        return;
    for (size_t i = 0; i < count; i++) {
        free(recs[i].name_pl);
        free(recs[i].name_en);
    }
    free(recs);
}

void tz_district_recs_free(struct tz_district_rec *recs, size_t count)
{
    if (!recs)
        return;
    for (size_t i = 0; i < count; i++) {
        free(recs[i].name);
        free(recs[i].unit);
        free(recs[i].officer);
        free(recs[i].geometry);
    }
    free(recs);
}

void tz_report_rec_clear(struct tz_report_rec *rec)
{
    if (!rec)
        return;
    free(rec->description);
    free(rec->public_description);
    rec->description = NULL;
    rec->public_description = NULL;
    tz_photo_recs_free(rec->photos, rec->photo_count);
    rec->photos = NULL;
    rec->photo_count = 0;
}

void tz_photo_rec_clear(struct tz_photo_rec *rec)
{
    if (!rec)
        return;
    free(rec->image);
    free(rec->thumb);
    rec->image = NULL;
    rec->thumb = NULL;
}

void tz_photo_recs_free(struct tz_photo_rec *recs, size_t count)
{
    if (!recs)
        return;
    for (size_t i = 0; i < count; i++)
        tz_photo_rec_clear(&recs[i]);
    free(recs);
}

void tz_report_recs_free(struct tz_report_rec *recs, size_t count)
{
    if (!recs)
        return;
    for (size_t i = 0; i < count; i++)
        tz_report_rec_clear(&recs[i]);
    free(recs);
}

void tz_transition_recs_free(struct tz_transition_rec *recs, size_t count)
{
    if (!recs)
        return;
    for (size_t i = 0; i < count; i++) {
        free(recs[i].actor);
        free(recs[i].note);
        free(recs[i].referred_to);
        free(recs[i].public_note);
    }
    free(recs);
}

void tz_merge_recs_free(struct tz_merge_rec *recs, size_t count)
{
    for (size_t i = 0; recs && i < count; i++) {
        free(recs[i].actor);
        free(recs[i].note);
    }
    free(recs);
}

void tz_audit_recs_free(struct tz_audit_rec *recs, size_t count)
{
    for (size_t i = 0; recs && i < count; i++) {
        free((char *)recs[i].actor);
        free((char *)recs[i].role);
        free((char *)recs[i].client);
        free((char *)recs[i].action);
        free((char *)recs[i].object);
        free((char *)recs[i].fields);
        free((char *)recs[i].note);
        free((char *)recs[i].outcome);
    }
    free(recs);
}
