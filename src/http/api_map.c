/* api_map.c - GET /api/v1/map: clusters or hexagonal bins of public reports, as GeoJSON. */
#include "base/tztime.h"
#include "http/internal.h"

#define MAP_BODY_MAX (16u * 1024 * 1024)

enum MHD_Result api_map(struct request *req)
{
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    if (!http_query_params(req, params, &n))
        return http_respond_status_problem(req, 400, "too many query parameters", NULL);
    struct tz_field_errors errs = {0};
    struct tz_buf b;
    tz_buf_init(&b, MAP_BODY_MAX);
    tz_err err = tz_threatmap_map_json(req->srv->tm, params, n, tz_time_now(), &b, &errs);
    if (err) {
        tz_buf_free(&b);
        if (err == TZ_EINVAL)
            return http_respond_status_problem(req, 400, "bad query parameters", &errs);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}
