/*
 * store.c - the public functions of store.h.
 *
 * Each checks its arguments, applies what every backend shares (the page
 * size of a list, the bounds of the fixed-size codes) and hands over to the
 * backend through store->ops (see backend.h). The functions that free records
 * live here too: records are plain data whatever the backend.
 */
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

/* True if s is a non-NULL string shorter than cap. */
static bool fits_ptr(const char *s, size_t cap)
{
    return s && fits(s, cap);
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

tz_err tz_store_stats(struct tz_store *store, struct tz_store_stats *out)
{
    if (!store || !out)
        return TZ_EINVAL;
    memset(out, 0, sizeof *out);
    store->ops->stats(store, out);
    return TZ_OK;
}

tz_err tz_store_categories(struct tz_store *store, struct tz_category_rec **out, size_t *count)
{
    if (!store || !out || !count)
        return TZ_EINVAL;
    *out = NULL;
    *count = 0;
    return store->ops->categories(store, out, count);
}

tz_err tz_store_groups(struct tz_store *store, struct tz_group_rec **out, size_t *count)
{
    if (!store || !out || !count)
        return TZ_EINVAL;
    *out = NULL;
    *count = 0;
    return store->ops->groups(store, out, count);
}

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

tz_err tz_store_put_districts(struct tz_store *store, const struct tz_district_rec *recs,
                              size_t count)
{
    if (!store || (count && !recs))
        return TZ_EINVAL;
    for (size_t i = 0; i < count; i++)
        if (!fits(recs[i].id, TZ_ID_MAX))
            return TZ_EINVAL;
    if (count == 0)
        return TZ_OK;
    return store->ops->put_districts(store, recs, count);
}

tz_err tz_store_districts(struct tz_store *store, struct tz_district_rec **out, size_t *count)
{
    if (!store || !out || !count)
        return TZ_EINVAL;
    *out = NULL;
    *count = 0;
    return store->ops->districts(store, out, count);
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

tz_err tz_store_insert_reports(struct tz_store *store, struct tz_report_rec *recs, size_t count)
{
    if (!store || (count && !recs))
        return TZ_EINVAL;
    for (size_t i = 0; i < count; i++) {
        const struct tz_report_rec *r = &recs[i];
        if (!fits(r->category, TZ_CODE_MAX) || !fits(r->district_id, TZ_ID_MAX) ||
            !fits(r->status, TZ_STATUS_MAX))
            return TZ_EINVAL;
    }
    if (count == 0)
        return TZ_OK;
    return store->ops->insert_reports(store, recs, count);
}

tz_err tz_store_get_report(struct tz_store *store, int64_t id, struct tz_report_rec *out)
{
    if (!store || !out)
        return TZ_EINVAL;
    memset(out, 0, sizeof *out);
    if (id <= 0)
        return TZ_ENOTFOUND;
    return store->ops->get_report(store, id, out);
}

tz_err tz_store_list_reports(struct tz_store *store, const struct tz_report_filter *filter,
                             struct tz_report_rec **out, size_t *count)
{
    if (!store || !filter || !out || !count)
        return TZ_EINVAL;
    *out = NULL;
    *count = 0;
    if (filter->category_count > TZ_FILTER_MAX_CATEGORIES ||
        filter->status_count > sizeof filter->statuses / sizeof filter->statuses[0])
        return TZ_EINVAL;
    for (size_t i = 0; i < filter->category_count; i++)
        if (!fits(filter->categories[i], TZ_CODE_MAX))
            return TZ_EINVAL;
    for (size_t i = 0; i < filter->status_count; i++)
        if (!fits(filter->statuses[i], TZ_STATUS_MAX))
            return TZ_EINVAL;
    /* The comparisons are written so that a NaN fails them. */
    if (filter->has_bbox && !(filter->south <= filter->north && filter->west >= -180 &&
                              filter->west <= 180 && filter->east >= -180 && filter->east <= 180 &&
                              filter->south >= -90 && filter->north <= 90))
        return TZ_EINVAL;
    if (filter->before_id < 0)
        return TZ_EINVAL;
    size_t limit = filter->limit;
    if (limit == 0)
        limit = TZ_STORE_LIST_DEFAULT;
    if (limit > TZ_STORE_LIST_MAX)
        limit = TZ_STORE_LIST_MAX;
    return store->ops->list_reports(store, filter, limit, out, count);
}

tz_err tz_store_count_reports(struct tz_store *store, int64_t *count)
{
    if (!store || !count)
        return TZ_EINVAL;
    *count = 0;
    return store->ops->count_reports(store, count);
}

void tz_report_rec_clear(struct tz_report_rec *rec)
{
    if (!rec)
        return;
    free(rec->description);
    free(rec->public_description);
    rec->description = NULL;
    rec->public_description = NULL;
}

void tz_report_recs_free(struct tz_report_rec *recs, size_t count)
{
    if (!recs)
        return;
    for (size_t i = 0; i < count; i++)
        tz_report_rec_clear(&recs[i]);
    free(recs);
}

tz_err tz_store_change_status(struct tz_store *store, const struct tz_status_change *change)
{
    if (!store || !change || change->report_id <= 0 ||
        !fits_ptr(change->expected_status, TZ_STATUS_MAX) ||
        !fits_ptr(change->new_status, TZ_STATUS_MAX) || !change->actor)
        return TZ_EINVAL;
    return store->ops->change_status(store, change);
}

tz_err tz_store_set_public_description(struct tz_store *store, int64_t report_id, const char *text)
{
    if (!store)
        return TZ_EINVAL;
    if (report_id <= 0)
        return TZ_ENOTFOUND;
    return store->ops->set_public_description(store, report_id, text);
}

tz_err tz_store_history(struct tz_store *store, int64_t report_id, struct tz_transition_rec **out,
                        size_t *count)
{
    if (!store || !out || !count)
        return TZ_EINVAL;
    *out = NULL;
    *count = 0;
    return store->ops->history(store, report_id, out, count);
}

tz_err tz_store_reports_after(struct tz_store *store, int64_t after_id, size_t limit,
                              struct tz_report_rec **out, size_t *count)
{
    if (!store || !out || !count || after_id < 0 || limit == 0 || limit > TZ_STORE_LIST_MAX)
        return TZ_EINVAL;
    *out = NULL;
    *count = 0;
    return store->ops->reports_after(store, after_id, limit, out, count);
}

tz_err tz_store_transitions_after(struct tz_store *store, int64_t after_seq, size_t limit,
                                  struct tz_transition_rec **out, size_t *count)
{
    if (!store || !out || !count || after_seq < 0 || limit == 0 || limit > TZ_STORE_LIST_MAX)
        return TZ_EINVAL;
    *out = NULL;
    *count = 0;
    return store->ops->transitions_after(store, after_seq, limit, out, count);
}

tz_err tz_store_last_transition_seq(struct tz_store *store, int64_t *seq)
{
    if (!store || !seq)
        return TZ_EINVAL;
    *seq = 0;
    return store->ops->last_transition_seq(store, seq);
}

tz_err tz_store_add_me_too(struct tz_store *store, int64_t report_id,
                           const uint8_t reporter_hash[TZ_HASH_LEN], int64_t at, int *me_too)
{
    if (!store || !reporter_hash || !me_too)
        return TZ_EINVAL;
    *me_too = 0;
    if (report_id <= 0)
        return TZ_ENOTFOUND;
    return store->ops->add_me_too(store, report_id, reporter_hash, at, me_too);
}

void tz_transition_recs_free(struct tz_transition_rec *recs, size_t count)
{
    if (!recs)
        return;
    for (size_t i = 0; i < count; i++) {
        free(recs[i].actor);
        free(recs[i].note);
        free(recs[i].referred_to);
    }
    free(recs);
}

tz_err tz_store_put_api_key(struct tz_store *store, const char *name,
                            const uint8_t hash[TZ_HASH_LEN], int64_t now, int64_t *id)
{
    if (!store || !hash || !id || !fits_ptr(name, TZ_API_KEY_NAME_MAX) || !name[0])
        return TZ_EINVAL;
    *id = 0;
    return store->ops->put_api_key(store, name, hash, now, id);
}

tz_err tz_store_revoke_api_key(struct tz_store *store, int64_t id, int64_t now)
{
    if (!store)
        return TZ_EINVAL;
    if (id <= 0)
        return TZ_ENOTFOUND;
    return store->ops->revoke_api_key(store, id, now);
}

tz_err tz_store_api_keys(struct tz_store *store, struct tz_api_key_rec **out, size_t *count)
{
    if (!store || !out || !count)
        return TZ_EINVAL;
    *out = NULL;
    *count = 0;
    return store->ops->api_keys(store, out, count);
}

tz_err tz_store_find_api_key(struct tz_store *store, const uint8_t hash[TZ_HASH_LEN], int64_t *id)
{
    if (!store || !hash || !id)
        return TZ_EINVAL;
    *id = 0;
    return store->ops->find_api_key(store, hash, id);
}

/* ---- analysis (migration 7) ---- */

tz_err tz_store_merge_report(struct tz_store *store, int64_t duplicate, int64_t original,
                             int64_t at, const char *actor, const char *note,
                             const struct tz_audit_rec *audit)
{
    if (!store || duplicate <= 0 || original <= 0 || duplicate == original || !actor || !*actor)
        return TZ_EINVAL;
    return store->ops->merge_report(store, duplicate, original, at, actor, note, audit);
}

tz_err tz_store_report_merges(struct tz_store *store, int64_t id, struct tz_merge_rec **out,
                              size_t *count)
{
    if (!store || !out || !count)
        return TZ_EINVAL;
    *out = NULL;
    *count = 0;
    if (id <= 0)
        return TZ_OK;
    return store->ops->report_merges(store, id, out, count);
}

void tz_merge_recs_free(struct tz_merge_rec *recs, size_t count)
{
    for (size_t i = 0; recs && i < count; i++) {
        free(recs[i].actor);
        free(recs[i].note);
    }
    free(recs);
}

tz_err tz_store_scan_reports(struct tz_store *store, const struct tz_scan_filter *filter,
                             tz_err (*fn)(void *ctx, const struct tz_report_row *row), void *ctx)
{
    if (!store || !filter || !fn)
        return TZ_EINVAL;
    return store->ops->scan_reports(store, filter, fn, ctx);
}
