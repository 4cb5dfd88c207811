/*
 * exchange_api.c - the steps the exchange's newer API files share
 * (exchange_api.h).
 */
#include <stdio.h>
#include <string.h>

#include "http/exchange_api.h"

bool xapi_caller(struct request *req, bool changes, struct police_ctx *c, enum MHD_Result *answer)
{
    memset(c, 0, sizeof *c);
    if (!req->srv->exchange) {
        *answer = police_refuse(req, 503, "the exchange is not configured on this server");
        return false;
    }
    if (!police_caller(req, changes, &c->p, answer))
        return false;
    police_client(req, c->client, sizeof c->client);
    return true;
}

const char *xapi_param(struct request *req, const char *key)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

enum tz_xlang xapi_lang(struct request *req)
{
    enum tz_xlang l = TZ_XLANG_PL;
    const char *q = xapi_param(req, "lang");
    if (q && tz_xlang_parse(q, &l) == TZ_OK)
        return l;
    const char *h =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
    char tag[8] = "";
    for (size_t i = 0; h && h[i] && h[i] != ',' && h[i] != ';' && i + 1 < sizeof tag; i++)
        tag[i] = h[i];
    return tz_xlang_parse(tag, &l) == TZ_OK ? l : TZ_XLANG_PL;
}

enum MHD_Result xapi_forbidden(struct request *req, struct police_ctx *c,
                               enum tz_auth_action action)
{
    police_audit_refusal(req, c, action, "refused", "outside the caller's units or role");
    return police_refuse(req, 403, "this is outside your unit or your role");
}

enum MHD_Result xapi_answer(struct request *req, unsigned status, struct tz_buf *b, struct tz_jw *w)
{
    tz_err err = tz_jw_end(w);
    if (err) {
        tz_buf_free(b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, status, b);
}

bool xapi_direction(struct request *req, bool *inbound, enum MHD_Result *answer)
{
    const char *dir = xapi_param(req, "direction");
    *inbound = dir && strcmp(dir, "in") == 0;
    if (!dir || strcmp(dir, "in") == 0 || strcmp(dir, "out") == 0)
        return true;
    struct tz_field_errors errs = {0};
    tz_fielderr_add(&errs, "direction", "must be in or out");
    *answer = http_respond_problem(req, TZ_EINVAL, "see errors", &errs);
    return false;
}

enum MHD_Result xapi_problem(struct request *req, tz_err err, const char *what,
                             struct tz_field_errors *errs)
{
    return http_respond_problem(req, err,
                                err == TZ_EINVAL       ? "see errors"
                                : err == TZ_EMALFORMED ? "the body is not one JSON object"
                                : err == TZ_ENOTFOUND  ? what
                                                       : NULL,
                                errs && errs->count ? errs : NULL);
}
