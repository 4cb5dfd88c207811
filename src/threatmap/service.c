/*
 * service.c - the threat map's in-memory state (catalogue, districts,
 * router, writer) and the workflow applied to stored reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonguard.h"
#include "base/tztime.h"
#include "threatmap/internal.h"

struct tz_threatmap_config tz_threatmap_defaults(void)
{
    return (struct tz_threatmap_config){
        .workflow = tz_workflow_defaults(),
        .commit_batch_max = 512,
        .commit_queue_max = 8192,
    };
}

static tz_err build_router(struct tz_threatmap *tm)
{
    if (tm->district_count == 0)
        return TZ_OK; /* every point is outside: reports are refused until districts exist */
    const char **geometries = calloc(tm->district_count, sizeof *geometries);
    if (!geometries)
        return TZ_ENOMEM;
    for (size_t i = 0; i < tm->district_count; i++)
        geometries[i] = tm->districts[i].geometry;
    tz_err err = tz_router_build(geometries, tm->district_count, &tm->router);
    free(geometries);
    return err;
}

tz_err tz_threatmap_open(struct tz_store *store, const struct tz_threatmap_config *cfg,
                         struct tz_threatmap **out)
{
    tz_err err = TZ_OK;
    if (sodium_init() < 0)
        return TZ_EIO;
    tz_json_guard_begin(); /* installs jansson's counting allocator before any thread parses */
    struct tz_threatmap *tm = calloc(1, sizeof *tm);
    if (!tm)
        return TZ_ENOMEM;
    tm->cfg = cfg ? *cfg : tz_threatmap_defaults();
    tm->store = store;
    pthread_mutex_init(&tm->sync_mu, NULL);
    pthread_mutex_init(&tm->snap_mu, NULL);
    randombytes_buf(tm->addr_key, sizeof tm->addr_key);
    err = tz_store_categories(store, &tm->categories, &tm->category_count);
    if (err)
        goto fail;
    err = tz_store_groups(store, &tm->groups, &tm->group_count);
    if (err)
        goto fail;
    err = tz_store_districts(store, &tm->districts, &tm->district_count);
    if (err)
        goto fail;
    err = build_router(tm);
    if (err)
        goto fail;
    err = tm_map_load(tm);
    if (err)
        goto fail;
    err = tz_committer_start(store, tm->cfg.commit_batch_max, tm->cfg.commit_queue_max,
                             &tm->committer);
    if (err)
        goto fail;
    *out = tm;
    return TZ_OK;
fail:
    tz_threatmap_close(tm);
    return err;
}

void tz_threatmap_gauges(struct tz_threatmap *tm, struct tz_threatmap_gauges *out)
{
    *out = (struct tz_threatmap_gauges){
        .index_reports = tz_map_index_size(tm->map),
        .index_bytes = tz_map_index_bytes(tm->map),
    };
    tz_committer_stats(tm->committer, &out->commits);
}

tz_err tz_threatmap_writable(struct tz_threatmap *tm)
{
    return tz_store_write_probe(tm->store);
}

void tz_threatmap_close(struct tz_threatmap *tm)
{
    if (!tm)
        return;
    tm_snap_stop(tm);
    tm_follow_stop(tm);
    tz_committer_stop(tm->committer);
    tz_map_index_free(tm->map);
    free(tm->category_codes);
    tz_router_free(tm->router);
    tz_district_recs_free(tm->districts, tm->district_count);
    tz_group_recs_free(tm->groups, tm->group_count);
    tz_category_recs_free(tm->categories, tm->category_count);
    pthread_mutex_destroy(&tm->sync_mu);
    pthread_mutex_destroy(&tm->snap_mu);
    free(tm);
}

const struct tz_category_rec *tz_threatmap_category(const struct tz_threatmap *tm, const char *code)
{
    for (size_t i = 0; i < tm->category_count; i++) {
        if (strcmp(tm->categories[i].code, code) == 0)
            return &tm->categories[i];
    }
    return NULL;
}

static int compare_district_id(const void *key, const void *elem)
{
    return strcmp(key, ((const struct tz_district_rec *)elem)->id);
}

const struct tz_district_rec *tz_threatmap_district(const struct tz_threatmap *tm, const char *id)
{
    if (!tm->districts)
        return NULL;
    return bsearch(id, tm->districts, tm->district_count, sizeof tm->districts[0],
                   compare_district_id);
}

size_t tz_threatmap_district_count(const struct tz_threatmap *tm)
{
    return tm->district_count;
}

const struct tz_district_rec *tz_threatmap_district_at(const struct tz_threatmap *tm, size_t i)
{
    return i < tm->district_count ? &tm->districts[i] : NULL;
}

tz_err tz_threatmap_submit(struct tz_threatmap *tm, struct tz_submission *sub)
{
    tz_err err = tz_committer_insert(tm->committer, &sub->rec);
    if (!err)
        tm_map_add(tm, &sub->rec);
    return err;
}

/* On the writer thread: the report is durable; put it on the map, then answer the caller. */
static void on_stored(void *ctx, tz_err err)
{
    struct tz_submission *sub = ctx;
    if (!err)
        tm_map_add(sub->tm_, &sub->rec);
    sub->done_(sub->done_ctx_, err);
}

tz_err tz_threatmap_submit_async(struct tz_threatmap *tm, struct tz_submission *sub,
                                 tz_commit_done_fn done, void *ctx)
{
    sub->tm_ = tm;
    sub->done_ = done;
    sub->done_ctx_ = ctx;
    return tz_committer_submit(tm->committer, &sub->rec, on_stored, sub);
}

void tz_submission_clear(struct tz_submission *sub)
{
    tz_report_rec_clear(&sub->rec);
    sodium_memzero(sub->token, sizeof sub->token);
}

/* Fills in the record fields that the rule of a transition changes. */
static void apply_rule(const struct tz_threatmap *tm, const struct tz_transition_rule *rule,
                       int64_t now, struct tz_status_change *change)
{
    if (rule->starts_verification) {
        change->taken_up_at = now;
        change->verify_due = tz_workflow_verify_due(&tm->cfg.workflow, now);
    }
    if (rule->ends_verification)
        change->verified_at = now;
}

/* Whether code names an institution of the referral list (data: migration 5). */
static bool known_institution(struct tz_threatmap *tm, const char *code)
{
    struct tz_group_rec *list = NULL;
    size_t n = 0;
    bool found = false;
    if (tz_store_institutions(tm->store, &list, &n) == TZ_OK) {
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp(list[i].code, code) == 0;
    }
    tz_group_recs_free(list, n);
    return found;
}

tz_err tz_threatmap_transition(struct tz_threatmap *tm, const struct tz_transition_request *req,
                               int64_t now, struct tz_field_errors *errs)
{
    enum tz_status from, to;
    struct tz_report_rec rec = {0};
    size_t before = errs->count;
    if (req->note && strlen(req->note) > TZ_TRANSITION_NOTE_MAX)
        tz_fielderr_add(errs, "/note", "at most %d bytes", TZ_TRANSITION_NOTE_MAX);
    if (req->public_note && !tm_valid_public_text(req->public_note))
        tz_fielderr_add(errs, "/public_note",
                        "at most 1000 characters, no control characters but line breaks");
    if (req->referred_to && *req->referred_to && !known_institution(tm, req->referred_to))
        tz_fielderr_add(errs, "/referred_to", "not an institution of GET /api/v1/institutions");
    if (errs->count > before)
        return TZ_EINVAL;
    if (!req->to || tz_status_parse(req->to, &to) != TZ_OK) {
        tz_fielderr_add(errs, "/to", "unknown status");
        return TZ_EINVAL;
    }
    tz_err err = tz_store_get_report(tm->store, req->report_id, &rec);
    if (err)
        return err;
    err = tz_status_parse(rec.status, &from);
    if (err)
        goto done;
    err = tz_workflow_check(from, to, req->role, req->note, req->referred_to);
    if (err == TZ_EINVAL) {
        const struct tz_transition_rule *rule = tz_workflow_rule(from, to);
        if (rule->referral_required)
            tz_fielderr_add(errs, "/referred_to", "name the institution the report is referred to");
        else if (req->referred_to && *req->referred_to)
            tz_fielderr_add(errs, "/referred_to", "only a referral names an institution");
        if (rule->note_required)
            tz_fielderr_add(errs, "/note", "a note is required for this transition");
    }
    if (err)
        goto done;
    struct tz_status_change change = {
        .report_id = req->report_id,
        .expected_status = tz_status_code(from),
        .new_status = tz_status_code(to),
        .at = now,
        .actor = req->actor,
        .note = req->note,
        .referred_to = req->referred_to,
        .public_note = req->public_note,
    };
    apply_rule(tm, tz_workflow_rule(from, to), now, &change);
    /* The audit entry records what changed: the status, and the institution of a referral. */
    struct tz_audit_rec audit;
    char fields[TZ_STATUS_MAX * 2 + 256];
    if (req->audit) {
        audit = *req->audit;
        snprintf(fields, sizeof fields, "{\"status\":[\"%s\",\"%s\"]%s}", tz_status_code(from),
                 tz_status_code(to), req->referred_to ? ",\"referred_to\":true" : "");
        audit.fields = fields;
        change.audit = &audit;
    }
    pthread_mutex_lock(&tm->sync_mu);
    err = tz_store_change_status(tm->store, &change);
    if (!err)
        tz_map_index_set_status(tm->map, req->report_id, (uint8_t)to, now);
    pthread_mutex_unlock(&tm->sync_mu);
done:
    tz_report_rec_clear(&rec);
    return err;
}
