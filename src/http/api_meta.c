/*
 * api_meta.c - the documents that change only with a restart, and the health
 * checks: /healthz (liveness: the process answers) and /readyz (readiness:
 * this instance can take writes now; a load balancer sends traffic only to a
 * ready one). Readiness asks the store for a cheap write probe and is refused
 * while the server stops, so that a balancer drains an instance being stopped.
 */
#include "base/jsonw.h"
#include "http/internal.h"

enum MHD_Result api_healthz(struct request *req)
{
    static const char ok[] = "{\"status\":\"ok\"}";
    return http_respond_static(req, MHD_HTTP_OK, "application/json; charset=utf-8", ok,
                               sizeof ok - 1);
}

enum MHD_Result api_readyz(struct request *req)
{
    static const char ready[] = "{\"status\":\"ready\",\"writable\":true}";
    tz_err err = atomic_load(&req->srv->closing) ? TZ_ECLOSED : tz_threatmap_writable(req->srv->tm);
    if (!err)
        return http_respond_static(req, MHD_HTTP_OK, "application/json; charset=utf-8", ready,
                                   sizeof ready - 1);
    struct tz_buf b;
    tz_buf_init(&b, 1024);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "status", "not_ready");
    tz_jw_kbool(&w, "writable", false);
    tz_jw_kstr(&w, "detail", err == TZ_ECLOSED  ? "the server is stopping"
                             : err == TZ_EBUSY ? "another process holds the database's write lock"
                                               : tz_err_str(err));
    tz_jw_object_end(&w);
    if (tz_jw_end(&w)) {
        tz_buf_free(&b);
        return MHD_NO;
    }
    return http_respond_typed(req, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json; charset=utf-8",
                              &b);
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
