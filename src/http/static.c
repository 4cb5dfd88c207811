/* static.c - the browser front end's files (placeholder until the front end lands). */
#include "http/internal.h"

enum MHD_Result api_static(struct request *req)
{
    return http_respond_status_problem(req, 404, "no such resource", NULL);
}
