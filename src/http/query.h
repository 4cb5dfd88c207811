/*
 * query.h - the query strings the API reads (http owns every wire format):
 * each parameter read from its text into the struct a domain module takes,
 * its value set through the module's rule, every mistake listed in errs under
 * the parameter's name, in the order of the parameters. Nothing here
 * allocates: a query string is read on every map request.
 */
#ifndef TZ_HTTP_QUERY_H
#define TZ_HTTP_QUERY_H

#include <stddef.h>

#include "analysis/analysis.h"
#include "base/err.h"
#include "base/fielderr.h"
#include "threatmap/threatmap.h"

/* One query parameter, as libmicrohttpd hands it over (value NULL: "key" without "="). */
struct tz_query_param {
    const char *key;
    const char *value;
};

/* The parameters each view of the threat map accepts. */
#define TZ_HTTP_QUERY_LIST 1u   /* GET /api/v1/reports: the filters, cursor, limit */
#define TZ_HTTP_QUERY_MAP 2u    /* GET /api/v1/map: the filters, zoom, mode */
#define TZ_HTTP_QUERY_EXPORT 4u /* the open-data export: the filters */
#define TZ_HTTP_QUERY_VISIT 8u  /* analysis' police view: the filters */

/*
 * Reads the filters (bbox=W,S,E,N, category=, group=, status= as
 * comma-separated codes, from=, to= as dates or RFC 3339 date-times) and what
 * `kinds` adds (cursor=, limit=, zoom=, mode=clusters|hex) into q, set up
 * first with tz_public_query_init. Each unknown parameter, value that does
 * not read or value that breaks its rule is listed in errs; TZ_EINVAL when
 * errs holds any error (those it held before included).
 */
tz_err tz_http_public_query(const struct tz_threatmap *tm, const struct tz_query_param *params,
                            size_t count, unsigned kinds, struct tz_public_query *q,
                            struct tz_field_errors *errs);

/*
 * The analysis endpoints' queries. Each lists in errs every unknown parameter
 * and every value that does not read, is out of analysis.h's limits or names
 * what the threat map does not know, and leaves the struct filled with the
 * rest; TZ_EINVAL (the query not read at all) only for more than 64
 * parameters. The analysis called next checks its rules across values, adds
 * their errors after these and answers TZ_EINVAL when errs holds any.
 */
/* GET /api/v1/analysis/hotspots: cell=, band=, fdr=, all=, district= and the map's filters. */
tz_err tz_http_hotspot_query(const struct tz_threatmap *tm, const struct tz_query_param *params,
                             size_t count, struct tz_hotspot_query *q,
                             struct tz_field_errors *errs);
/* GET /api/v1/analysis/linked: id= (a whole number, required); TZ_EINVAL when errs holds any. */
tz_err tz_http_linked_query(const struct tz_query_param *params, size_t count, int64_t *id,
                            struct tz_field_errors *errs);
/* GET /api/v1/analysis/trends: period=, from=, to=, district=, unit=, category=, group=. */
tz_err tz_http_trends_query(const struct tz_threatmap *tm, const struct tz_query_param *params,
                            size_t count, struct tz_trends_query *q, struct tz_field_errors *errs);
/* GET /api/v1/analysis/stats (and `tarcza stats`): by=, from=, to=, format=. */
tz_err tz_http_stats_query(const struct tz_query_param *params, size_t count,
                           struct tz_stats_query *q, struct tz_field_errors *errs);
/* GET /api/v1/analysis/patrol: district=, limit=. */
tz_err tz_http_patrol_query(const struct tz_threatmap *tm, const struct tz_query_param *params,
                            size_t count, struct tz_patrol_query *q, struct tz_field_errors *errs);

#endif
