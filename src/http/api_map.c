/* api_map.c - GET /api/v1/map: clusters or hexagonal bins of public reports, as GeoJSON. */
#include "http/internal.h"
#include "http/render.h"

#define MAP_BODY_MAX (16u * 1024 * 1024)

enum MHD_Result api_map(struct request *req)
{
    return http_respond_query(req, tz_http_map_json, MAP_BODY_MAX);
}
