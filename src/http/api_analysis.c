/*
 * api_analysis.c - GET /api/v1/analysis/...: hot spots, trends, statistics,
 * patrol plans and nearby reports for prevention (src/analysis).
 *
 * These are police-only (the analyst role, DESIGN 5). Every handler here
 * passes analysis_allowed() first, the one place where that rule is applied.
 */
#include "analysis/analysis.h"
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
