/*
 * visit.c - the police view of the map index for analysis (src/analysis):
 * the user's filters without the public rules, and visits of the points.
 */
#include <string.h>

#include "threatmap/internal.h"

const struct tz_category_rec *tz_threatmap_category_list(const struct tz_threatmap *tm,
                                                         size_t *count)
{
    *count =
        tm->category_count < TZ_MAP_MAX_CATEGORIES ? tm->category_count : TZ_MAP_MAX_CATEGORIES;
    return tm->categories;
}

const struct tz_district_rec *tz_threatmap_district_list(const struct tz_threatmap *tm,
                                                         size_t *count)
{
    *count = tm->district_count;
    return tm->districts;
}

tz_err tz_threatmap_scan(struct tz_threatmap *tm, const struct tz_scan_filter *filter,
                         tz_err (*fn)(void *ctx, const struct tz_report_row *row), void *ctx)
{
    return tz_store_scan_reports(tm->store, filter, fn, ctx);
}

tz_err tz_threatmap_audit(struct tz_threatmap *tm, struct tz_audit_rec *entry)
{
    return tz_store_audit_append(tm->store, entry);
}

tz_err tz_threatmap_merges(struct tz_threatmap *tm, int64_t id, struct tz_merge_rec **out,
                           size_t *count)
{
    return tz_store_report_merges(tm->store, id, out, count);
}

tz_err tz_threatmap_merged_duplicates(struct tz_threatmap *tm, int64_t **out, size_t *count)
{
    return tz_store_merged_duplicates(tm->store, out, count);
}

void tz_threatmap_visit_of(const struct tz_threatmap *tm, const struct tz_public_query *q,
                           struct tz_map_visit *v)
{
    memset(v, 0, sizeof *v);
    const struct tz_report_filter *rf = &q->filter;
    uint8_t wanted = rf->status_count ? 0 : 0x7F;
    for (size_t i = 0; i < rf->status_count; i++) {
        enum tz_status s;
        if (tz_status_parse(rf->statuses[i], &s) == TZ_OK)
            wanted |= (uint8_t)(1u << s);
    }
    for (size_t i = 0; i < tm->category_count && i < TZ_MAP_MAX_CATEGORIES; i++) {
        bool chosen = rf->category_count == 0;
        for (size_t k = 0; !chosen && k < rf->category_count; k++)
            chosen = strcmp(rf->categories[k], tm->categories[i].code) == 0;
        v->filter.status_mask[i] = chosen ? wanted : 0;
    }
    v->filter.received_from = rf->from;
    v->filter.received_to = rf->to;
    v->has_box = rf->has_bbox;
    v->west = rf->west;
    v->south = rf->south;
    v->east = rf->east;
    v->north = rf->north;
}

tz_err tz_threatmap_visit(struct tz_threatmap *tm, const struct tz_map_visit *v, tz_map_visit_fn fn,
                          void *ctx)
{
    return tz_map_index_visit(tm->map, v, fn, ctx);
}

tz_err tz_threatmap_locate(struct tz_threatmap *tm, double lat, double lon, size_t *index)
{
    return tm->router ? tz_router_locate(tm->router, lat, lon, index) : TZ_EOUTSIDE;
}
