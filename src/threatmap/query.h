/*
 * query.h - the filters of the threat map's views (part of threatmap.h): a
 * query of the public list (GET /api/v1/reports), the map (GET /api/v1/map),
 * the open-data export or the police view that analysis visits.
 *
 * The caller reads the wire format (http/query_map.c reads a query string)
 * and sets each value here through its setter, which owns the value's rule
 * (a known category, a bbox on the globe, a page size, a zoom) and answers
 * TZ_EINVAL when the value breaks it, leaving the query as it was but for the
 * items of a list already added. The caller names the field in its error, so
 * errors keep the order of the parameters. The views then take the filled
 * query and apply what the public may see.
 */
#ifndef TZ_THREATMAP_QUERY_H
#define TZ_THREATMAP_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/fielderr.h"
#include "store/store.h"
#include "threatmap/mapindex.h"

#define TZ_LIST_PAGE_MAX 200 /* hard maximum page size of GET /reports */
#define TZ_LIST_PAGE_DEFAULT 50
#define TZ_QUERY_GROUPS_MAX 16 /* groups named in one group= */

struct tz_threatmap;

/* A query of a view: fill with tz_public_query_init and the setters. */
struct tz_public_query {
    struct tz_report_filter filter; /* bbox, categories, statuses, from/to, cursor */
    size_t limit;                   /* the list's page size */
    bool has_zoom;
    int zoom; /* the map's zoom */
    enum tz_map_mode mode;
};

/* An empty query: no filter, the default page size, clusters. */
void tz_public_query_init(struct tz_public_query *q);

/* bbox: W,S,E,N in degrees on the globe, west <= east, south <= north; a later one replaces it. */
tz_err tz_public_query_bbox(struct tz_public_query *q, double west, double south, double east,
                            double north);
/* A category code (n bytes) of the catalogue; adding one twice keeps one; at most
 * TZ_FILTER_MAX_CATEGORIES. */
tz_err tz_public_query_category(const struct tz_threatmap *tm, struct tz_public_query *q,
                                const char *code, size_t n);
/* A group code (n bytes): adds each category of the group. */
tz_err tz_public_query_group(const struct tz_threatmap *tm, struct tz_public_query *q,
                             const char *code, size_t n);
/* A status code (n bytes). */
tz_err tz_public_query_status(struct tz_public_query *q, const char *code, size_t n);
/* Received from (upper false) or before (upper true) the instant t (any instant). */
void tz_public_query_time(struct tz_public_query *q, bool upper, int64_t t);
/* The list continues below report id before_id (1 or more). */
tz_err tz_public_query_cursor(struct tz_public_query *q, int64_t before_id);
/* The list's page size: 1 .. TZ_LIST_PAGE_MAX. */
tz_err tz_public_query_limit(struct tz_public_query *q, int64_t limit);
/* The map's zoom: 0 .. TZ_MAP_MAX_ZOOM. */
tz_err tz_public_query_zoom(struct tz_public_query *q, int64_t zoom);

/* Receives one report of a page (the public view); a non-zero return stops the page. */
struct tz_report_view;
typedef tz_err (*tz_report_view_fn)(void *ctx, const struct tz_report_view *report);

/*
 * GET /api/v1/reports: a page of the public view of q, newest first: fn gets
 * each report in turn, and *next_before is the id the next page continues
 * below (0 when nothing is left).
 */
tz_err tz_threatmap_list(struct tz_threatmap *tm, const struct tz_public_query *q, int64_t now,
                         tz_report_view_fn fn, void *ctx, int64_t *next_before);

/*
 * GET /api/v1/map: clusters (or hexagonal bins, q->mode) of the publicly
 * visible reports of q in its box, answered from the in-memory index into out
 * (zeroed before first use; free with tz_map_result_free). TZ_EINVAL with errs
 * (bbox, zoom: "required") when the box or the zoom is missing.
 */
tz_err tz_threatmap_map(struct tz_threatmap *tm, const struct tz_public_query *q, int64_t now,
                        struct tz_map_result *out, struct tz_field_errors *errs);
/* The categories' codes in the map index's numbering (a feature's category), *count of them. */
const char *const *tz_threatmap_category_codes(const struct tz_threatmap *tm, size_t *count);

/* Narrows a filter to what the public may see (no rejected, no hidden category). */
void tz_threatmap_restrict_public(struct tz_threatmap *tm, struct tz_report_filter *filter);
/*
 * The next page of the public view of a narrowed filter, newest first: reads
 * at most filter->limit (1..1000) stored reports below filter->before_id,
 * keeps in *out those the public may see at now (free with
 * tz_report_recs_free), and moves filter->before_id on past what it read.
 * *more is false once nothing is left. Memory stays one page however many
 * reports match, so an export can stream any number of them.
 */
tz_err tz_threatmap_public_page(struct tz_threatmap *tm, struct tz_report_filter *filter,
                                int64_t now, struct tz_report_rec **out, size_t *count, bool *more);

/* Receives one public status change and its report as the public sees it; non-zero stops. */
typedef tz_err (*tz_public_update_fn)(void *ctx, const struct tz_transition_rec *change,
                                      const struct tz_report_rec *report);
/* The most status changes tz_threatmap_public_updates reads for one answer. */
#define TZ_PUBLIC_UPDATES_SCAN_MAX 50000
/*
 * The status changes made in [from, to) that the public may see, oldest
 * first, at most max (1..1000) of them: a change to any status but rejected,
 * of a report the public may see at now (tz_threatmap_public_report's rule).
 * Reads at most TZ_PUBLIC_UPDATES_SCAN_MAX changes, so a window full of
 * hidden ones still answers in bounded time; *complete is false when it
 * stopped early (max reached or the scan bound), and the caller narrows the
 * window (from the last change given). Open311's servicerequestupdates.
 */
tz_err tz_threatmap_public_updates(struct tz_threatmap *tm, int64_t from, int64_t to, int64_t now,
                                   size_t max, tz_public_update_fn fn, void *ctx, bool *complete);

/*
 * The police view of q's filters (every category and status unless narrowed;
 * no public windows) as a visit of the map index (tz_threatmap_visit).
 */
void tz_threatmap_visit_of(const struct tz_threatmap *tm, const struct tz_public_query *q,
                           struct tz_map_visit *v);

#endif
