/* api_map.c - GET /api/v1/map (placeholder until the map index lands). */
#include "http/internal.h"

enum MHD_Result api_map(struct request *req)
{
    return http_respond_status_problem(req, 404, "the map index is not available yet", NULL);
}
