/*
 * map.c - the threat map's side of the map index: loading every report into
 * it at start, keeping it current, and answering GET /api/v1/map with the
 * public rules of DESIGN 1.1 turned into a tz_map_filter (http writes the
 * answer).
 */
#include <stdlib.h>
#include <string.h>

#include "base/tztime.h"
#include "threatmap/internal.h"

int tm_category_index(const struct tz_threatmap *tm, const char *code)
{
    for (size_t i = 0; i < tm->category_count && i < TZ_MAP_MAX_CATEGORIES; i++) {
        if (strcmp(tm->categories[i].code, code) == 0)
            return (int)i;
    }
    return -1;
}

/* The index's view of a stored report; false when it cannot be placed on the map. */
static bool row_to_point(const struct tz_threatmap *tm, const struct tz_map_row *row,
                         struct tz_map_point *p)
{
    enum tz_status status;
    int category = tm_category_index(tm, row->category);
    if (category < 0 || tz_status_parse(row->status, &status) != TZ_OK)
        return false;
    *p = (struct tz_map_point){
        .id = row->id,
        .lat = row->lat,
        .lon = row->lon,
        .category = (uint8_t)category,
        .status = (uint8_t)status,
        .received_at = row->received_at,
        .status_changed_at = row->status_changed_at,
    };
    return true;
}

static bool to_point(const struct tz_threatmap *tm, const struct tz_report_rec *rec,
                     struct tz_map_point *p)
{
    struct tz_map_row row = {
        .id = rec->id,
        .category = rec->category,
        .status = rec->status,
        .lat = rec->lat,
        .lon = rec->lon,
        .received_at = rec->received_at,
        .status_changed_at = rec->status_changed_at,
    };
    return row_to_point(tm, &row, p);
}

/* The points read at start-up, grown as the scan goes. */
struct loading {
    struct tz_threatmap *tm;
    struct tz_map_point *pts;
    size_t n, cap;
};

static tz_err load_row(void *ctx, const struct tz_map_row *row)
{
    struct loading *l = ctx;
    if (l->n == l->cap) {
        size_t grown = l->cap ? l->cap * 2 : 65536;
        struct tz_map_point *p = realloc(l->pts, grown * sizeof *p);
        if (!p)
            return TZ_ENOMEM;
        l->pts = p;
        l->cap = grown;
    }
    if (row_to_point(l->tm, row, &l->pts[l->n]))
        l->n++;
    if (row->id > l->tm->sync_report_id)
        l->tm->sync_report_id = row->id;
    return TZ_OK;
}

/* Which statuses of category c the public may see (DESIGN 1.1), intersected with the user's. */
static uint8_t public_status_mask(const struct tz_category_rec *c, uint8_t wanted)
{
    uint8_t mask = 0;
    for (int s = 0; s < TZ_STATUS_COUNT; s++) {
        if (s == TZ_STATUS_REJECTED || strcmp(c->visibility, "never") == 0)
            continue;
        if (strcmp(c->visibility, "once_confirmed") == 0 && !tz_status_is_confirmed(s))
            continue;
        mask |= (uint8_t)(1u << s);
    }
    return mask & wanted;
}

/* The public rules as the map index's usual view: what the public map asks for on every query. */
void tm_public_view(const struct tz_threatmap *tm, struct tz_map_usual *usual)
{
    memset(usual, 0, sizeof *usual);
    for (size_t i = 0; i < tm->category_count && i < TZ_MAP_MAX_CATEGORIES; i++)
        usual->status_mask[i] = public_status_mask(&tm->categories[i], 0x7F);
    const struct tz_workflow_config *wf = &tm->cfg.workflow;
    usual->shown_for[TZ_STATUS_NOT_CONFIRMED] = (int64_t)wf->not_confirmed_public_days * 86400;
    usual->shown_for[TZ_STATUS_ELIMINATED] = (int64_t)wf->eliminated_public_days * 86400;
}

tz_err tm_map_load(struct tz_threatmap *tm)
{
    tm->category_codes = calloc(tm->category_count ? tm->category_count : 1, sizeof(char *));
    if (!tm->category_codes)
        return TZ_ENOMEM;
    for (size_t i = 0; i < tm->category_count; i++)
        tm->category_codes[i] = tm->categories[i].code;

    if (tm->cfg.snapshot_path && tm_snap_load(tm) == TZ_OK)
        return TZ_OK;
    struct loading l = {.tm = tm};
    /* Read the feed's position first: a change made while the reports load is then
     * applied again by the next sync, which is harmless, instead of missed. */
    tz_err err = tz_store_last_transition_seq(tm->store, &tm->sync_transition_seq);
    if (!err)
        err = tz_store_scan_map_rows(tm->store, load_row, &l);
    struct tz_map_usual usual;
    tm_public_view(tm, &usual);
    if (!err)
        err = tz_map_index_build_usual(l.pts, l.n, &usual, tz_time_now(), &tm->map);
    free(l.pts);
    return err;
}

void tm_map_add(struct tz_threatmap *tm, const struct tz_report_rec *rec)
{
    struct tz_map_point p;
    /* A report that fails here is stored but missing from the map until restart; the index
     * only fails on memory, and the report itself is safe, so the request still succeeds.
     * TZ_ECONFLICT means the change feed (tz_threatmap_sync) put it there first. */
    if (to_point(tm, rec, &p))
        tz_map_index_add(tm->map, &p);
}

#define SYNC_PAGE 1000 /* rows of the change feed read per round */

/* Adds the reports stored since the last sync (by this process or another). */
static tz_err sync_reports(struct tz_threatmap *tm)
{
    tz_err err = TZ_OK;
    size_t count = SYNC_PAGE;
    while (!err && count == SYNC_PAGE) {
        struct tz_report_rec *recs = NULL;
        err = tz_store_reports_after(tm->store, tm->sync_report_id, SYNC_PAGE, &recs, &count);
        for (size_t i = 0; !err && i < count; i++) {
            struct tz_map_point p;
            if (to_point(tm, &recs[i], &p)) {
                tz_err added = tz_map_index_add(tm->map, &p);
                if (added && added != TZ_ECONFLICT) /* ECONFLICT: its committer was first */
                    err = added;
            }
            if (!err)
                tm->sync_report_id = recs[i].id;
        }
        tz_report_recs_free(recs, count);
    }
    return err;
}

/* Replays the status changes made since the last sync, in the order they were made. */
static tz_err sync_transitions(struct tz_threatmap *tm)
{
    tz_err err = TZ_OK;
    size_t count = SYNC_PAGE;
    while (!err && count == SYNC_PAGE) {
        struct tz_transition_rec *recs = NULL;
        err = tz_store_transitions_after(tm->store, tm->sync_transition_seq, SYNC_PAGE, &recs,
                                         &count);
        for (size_t i = 0; !err && i < count; i++) {
            enum tz_status to;
            /* A report the index does not hold (a category it cannot place) has no point to move.
             */
            if (tz_status_parse(recs[i].to, &to) == TZ_OK)
                tz_map_index_set_status(tm->map, recs[i].report_id, (uint8_t)to, recs[i].at);
            tm->sync_transition_seq = recs[i].seq;
        }
        tz_transition_recs_free(recs, count);
    }
    return err;
}

tz_err tz_threatmap_sync(struct tz_threatmap *tm)
{
    /* Reports first, so that every change replayed next finds its report. */
    pthread_mutex_lock(&tm->sync_mu);
    tz_err err = sync_reports(tm);
    if (!err)
        err = sync_transitions(tm);
    pthread_mutex_unlock(&tm->sync_mu);
    return err;
}

/* Turns a parsed query and the public rules at `now` into the index's filter. */
static void make_filter(const struct tz_threatmap *tm, const struct tz_public_query *q, int64_t now,
                        struct tz_map_filter *f)
{
    const struct tz_report_filter *rf = &q->filter;
    uint8_t wanted = rf->status_count ? 0 : 0x7F;
    for (size_t i = 0; i < rf->status_count; i++) {
        enum tz_status s;
        if (tz_status_parse(rf->statuses[i], &s) == TZ_OK)
            wanted |= (uint8_t)(1u << s);
    }
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < tm->category_count && i < TZ_MAP_MAX_CATEGORIES; i++) {
        bool chosen = rf->category_count == 0;
        for (size_t k = 0; !chosen && k < rf->category_count; k++)
            chosen = strcmp(rf->categories[k], tm->categories[i].code) == 0;
        f->status_mask[i] = chosen ? public_status_mask(&tm->categories[i], wanted) : 0;
    }
    f->received_from = rf->from;
    f->received_to = rf->to;
    const struct tz_workflow_config *wf = &tm->cfg.workflow;
    f->min_changed_at[TZ_STATUS_NOT_CONFIRMED] =
        tz_time_add_pl_days(now, -wf->not_confirmed_public_days) + 1;
    f->min_changed_at[TZ_STATUS_ELIMINATED] =
        tz_time_add_pl_days(now, -wf->eliminated_public_days) + 1;
}

const char *const *tz_threatmap_category_codes(const struct tz_threatmap *tm, size_t *count)
{
    *count = tm->category_count;
    return tm->category_codes;
}

tz_err tz_threatmap_map(struct tz_threatmap *tm, const struct tz_public_query *q, int64_t now,
                        struct tz_map_result *out, struct tz_field_errors *errs)
{
    if (!q->filter.has_bbox)
        tz_fielderr_add(errs, "bbox", "required");
    if (!q->has_zoom)
        tz_fielderr_add(errs, "zoom", "required");
    if (!q->filter.has_bbox || !q->has_zoom)
        return TZ_EINVAL;
    struct tz_map_query mq = {
        .west = q->filter.west,
        .south = q->filter.south,
        .east = q->filter.east,
        .north = q->filter.north,
        .zoom = q->zoom,
        .mode = q->mode,
    };
    make_filter(tm, q, now, &mq.filter);
    /* Reports whose public window has closed leave the index's copy of the public view first
     * (nothing to do on most queries); the answer is right either way, only faster. */
    (void)tz_map_index_expire(tm->map, now);
    return tz_map_index_query(tm->map, &mq, out);
}
