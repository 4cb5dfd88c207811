/* api_meta.c - the documents that change only with a restart, and the health check. */
#include "http/internal.h"

enum MHD_Result api_healthz(struct request *req)
{
    static const char ok[] = "{\"status\":\"ok\"}";
    return http_respond_static(req, MHD_HTTP_OK, "application/json; charset=utf-8", ok,
                               sizeof ok - 1);
}

enum MHD_Result api_categories(struct request *req)
{
    return http_respond_static(req, MHD_HTTP_OK, "application/json; charset=utf-8",
                               req->srv->categories_json, req->srv->categories_len);
}

enum MHD_Result api_districts(struct request *req)
{
    return http_respond_static(req, MHD_HTTP_OK, "application/geo+json; charset=utf-8",
                               req->srv->districts_json, req->srv->districts_len);
}
