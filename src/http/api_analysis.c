/*
 * api_analysis.c - GET /api/v1/analysis/...: hot spots, trends, statistics,
 * patrol plans and nearby reports for prevention (src/analysis).
 *
 * These are police-only (the analyst role, DESIGN 5). Every handler here
 * passes analysis_allowed() first, the one place where that rule is applied.
 */
#include "analysis/analysis.h"
#include "base/tztime.h"
#include "http/internal.h"

#define ANALYSIS_BODY_MAX (32u * 1024 * 1024)

/*
 * Whether the caller may use the analysis endpoints.
 * TODO(issue 4, accounts/audit): allow only a session with the analyst,
 * supervisor or officer role (officers for their own districts' patrol plan),
 * and write the read to the audit log. Until accounts exist it allows all.
 */
static bool analysis_allowed(struct request *req)
{
    (void)req;
    return true;
}

static enum MHD_Result answer(struct request *req, query_fn fn)
{
    if (!analysis_allowed(req))
        return http_respond_problem(req, TZ_EFORBIDDEN, "analysis is for the police", NULL);
    return http_respond_query(req, fn, ANALYSIS_BODY_MAX);
}

enum MHD_Result api_analysis_hotspots(struct request *req)
{
    return answer(req, tz_analysis_hotspots_json);
}

enum MHD_Result api_analysis_linked(struct request *req)
{
    return answer(req, tz_analysis_linked_json);
}

enum MHD_Result api_analysis_trends(struct request *req)
{
    return answer(req, tz_analysis_trends_json);
}

enum MHD_Result api_analysis_patrol(struct request *req)
{
    return answer(req, tz_analysis_patrol_json);
}

/* Statistics come as JSON, GeoJSON, CSV or text: the content type follows the format. */
enum MHD_Result api_analysis_stats(struct request *req)
{
    static const char *const types[] = {
        [TZ_STATS_JSON] = "application/json; charset=utf-8",
        [TZ_STATS_CSV] = "text/csv; charset=utf-8; header=present",
        [TZ_STATS_GEOJSON] = "application/geo+json",
        [TZ_STATS_TEXT] = "text/plain; charset=utf-8",
    };
    if (!analysis_allowed(req))
        return http_respond_problem(req, TZ_EFORBIDDEN, "analysis is for the police", NULL);
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    if (!http_query_params(req, params, &n))
        return http_respond_status_problem(req, 400, "too many query parameters", NULL);
    struct tz_field_errors errs = {0};
    struct tz_buf b;
    tz_buf_init(&b, ANALYSIS_BODY_MAX);
    enum tz_stats_format format = TZ_STATS_JSON;
    tz_err err = tz_analysis_stats(req->srv->tm, params, n, tz_time_now(), &b, &format, &errs);
    if (err) {
        tz_buf_free(&b);
        if (err == TZ_EINVAL)
            return http_respond_status_problem(req, 400, "bad query parameters", &errs);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_typed(req, MHD_HTTP_OK, types[format], &b);
}
