/*
 * response.c - building answers: JSON, cached documents and RFC 9457
 * problem details, each with the headers every answer carries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"

/* Headers on every answer: no sniffing, no framing, no referrer, nothing cached. */
static void add_common_headers(struct MHD_Response *resp, const char *type)
{
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'none'; frame-ancestors 'none'");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}

static enum MHD_Result queue(struct request *req, unsigned status, struct MHD_Response *resp)
{
    if (!resp)
        return MHD_NO;
    if (req->extra_header[0])
        MHD_add_response_header(resp, req->extra_header[0], req->extra_header[1]);
    http_observe_answer(req, status, resp);
    enum MHD_Result ret = MHD_queue_response(req->conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result http_queue_response(struct request *req, unsigned status, struct MHD_Response *resp,
                                    const char *type)
{
    if (resp)
        add_common_headers(resp, type);
    return queue(req, status, resp);
}

enum MHD_Result http_respond_json(struct request *req, unsigned status, struct tz_buf *buf)
{
    size_t len = buf->len;
    char *data = tz_buf_take(buf);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    add_common_headers(resp, "application/json; charset=utf-8");
    if (status == MHD_HTTP_CREATED && req->sub.rec.id) {
        char location[64];
        snprintf(location, sizeof location, "/api/v1/reports/%lld", (long long)req->sub.rec.id);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
    }
    return queue(req, status, resp);
}

enum MHD_Result http_respond_static(struct request *req, unsigned status, const char *type,
                                    const char *body, size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    add_common_headers(resp, type);
    return queue(req, status, resp);
}

struct problem_kind {
    unsigned status;
    const char *type;
    const char *title;
};

static struct problem_kind kind_of_status(unsigned status)
{
    switch (status) {
    case 400:
        return (struct problem_kind){400, "/problems/malformed-request", "Malformed request"};
    case 401:
        return (struct problem_kind){401, "/problems/unauthenticated", "Not logged in"};
    case 403:
        return (struct problem_kind){403, "/problems/forbidden", "Forbidden"};
    case 404:
        return (struct problem_kind){404, "/problems/not-found", "Not found"};
    case 405:
        return (struct problem_kind){405, "/problems/method-not-allowed", "Method not allowed"};
    case 409:
        return (struct problem_kind){409, "/problems/wrong-state",
                                     "Conflicts with the current state"};
    case 413:
        return (struct problem_kind){413, "/problems/too-large", "Request too large"};
    case 415:
        return (struct problem_kind){415, "/problems/unsupported-media-type",
                                     "Unsupported media type"};
    case 422:
        return (struct problem_kind){422, "/problems/invalid-fields", "Invalid fields"};
    case 429:
        return (struct problem_kind){429, "/problems/too-many-requests", "Too many requests"};
    case 501:
        return (struct problem_kind){501, "/problems/not-implemented", "Not implemented"};
    case 503:
        return (struct problem_kind){503, "/problems/unavailable", "Service unavailable"};
    default:
        return (struct problem_kind){500, "/problems/internal", "Internal error"};
    }
}

static unsigned status_of_err(tz_err err)
{
    switch (err) {
    case TZ_EMALFORMED:
        return 400;
    case TZ_EINVAL:
    case TZ_EOUTSIDE:
        return 422;
    case TZ_ETOOBIG:
        return 413;
    case TZ_ENOTFOUND:
        return 404;
    case TZ_ECONFLICT:
        return 409;
    case TZ_EFORBIDDEN:
        return 403;
    case TZ_EUNSUPPORTED:
        return 501;
    case TZ_EBUSY:
    case TZ_ENOSPACE:
    case TZ_ENOMEM:
    case TZ_ECLOSED:
        return 503;
    default:
        return 500;
    }
}

static tz_err render_problem(struct tz_buf *b, struct problem_kind k, const char *detail,
                             const struct tz_field_errors *fields)
{
    tz_err err =
        tz_buf_printf(b, "{\"type\":\"%s\",\"title\":\"%s\",\"status\":%u,\"detail\":", k.type,
                      k.title, k.status);
    if (!err)
        err = tz_buf_json_cstr(b, detail);
    if (!err && fields && fields->count) {
        err = tz_buf_puts(b, ",\"errors\":[");
        for (size_t i = 0; !err && i < fields->count; i++) {
            const struct tz_field_error *f = &fields->items[i];
            err = tz_buf_puts(b, i ? ",{\"field\":" : "{\"field\":");
            if (!err)
                err = tz_buf_json_cstr(b, f->field);
            if (!err)
                err = tz_buf_puts(b, ",\"message\":");
            if (!err)
                err = tz_buf_json_cstr(b, f->message);
            if (!err)
                err = tz_buf_puts(b, "}");
        }
        if (!err)
            err = tz_buf_puts(b, "]");
    }
    if (!err)
        err = tz_buf_puts(b, "}");
    return err;
}

/* The 503 of out of memory as render_problem writes it, static: it needs no memory of ours. */
static const char OUT_OF_MEMORY[] = "{\"type\":\"/problems/unavailable\",\"title\":\"Service "
                                    "unavailable\",\"status\":503,\"detail\":\"out of memory\"}";

enum MHD_Result http_respond_out_of_memory(struct MHD_Connection *conn)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        sizeof OUT_OF_MEMORY - 1, (void *)OUT_OF_MEMORY, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    add_common_headers(resp, "application/problem+json; charset=utf-8");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    enum MHD_Result ret = MHD_queue_response(conn, 503, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* A problem answer; retry_after_s > 0 adds Retry-After (503 always has one). */
static enum MHD_Result respond_problem(struct request *req, unsigned status, const char *detail,
                                       const struct tz_field_errors *fields, int retry_after_s)
{
    struct problem_kind k = kind_of_status(status);
    if (req->url && strncmp(req->url, "/open311/", 9) == 0) /* Open311 clients read its format */
        return http_open311_error(req, k.status, detail, retry_after_s);
    struct tz_buf b;
    tz_buf_init(&b, 64 * 1024);
    if (render_problem(&b, k, detail, fields) != TZ_OK) {
        tz_buf_free(&b); /* out of memory (the document is bounded): answered as such */
        return http_respond_out_of_memory(req->conn);
    }
    size_t len = b.len;
    char *data = tz_buf_take(&b);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    add_common_headers(resp, "application/problem+json; charset=utf-8");
    if (k.status == 503 && retry_after_s <= 0)
        retry_after_s = 1;
    if (retry_after_s > 0) {
        char seconds[16];
        snprintf(seconds, sizeof seconds, "%d", retry_after_s);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
    }
    if (k.status == 405 && req->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, req->allow);
    return queue(req, k.status, resp);
}

enum MHD_Result http_respond_status_problem(struct request *req, unsigned status,
                                            const char *detail,
                                            const struct tz_field_errors *fields)
{
    return respond_problem(req, status, detail, fields, 0);
}

enum MHD_Result http_respond_retry(struct request *req, unsigned status, const char *detail,
                                   int retry_after_s)
{
    return respond_problem(req, status, detail, NULL, retry_after_s > 0 ? retry_after_s : 1);
}

enum MHD_Result http_respond_too_many(struct request *req, int retry_after_s)
{
    return respond_problem(req, 429, "too many reports from this address; try again later", NULL,
                           retry_after_s > 0 ? retry_after_s : 1);
}

enum MHD_Result http_respond_problem(struct request *req, tz_err err, const char *detail,
                                     const struct tz_field_errors *fields)
{
    return http_respond_status_problem(req, status_of_err(err), detail ? detail : tz_err_str(err),
                                       fields);
}

struct query_walk {
    struct tz_query_param *params;
    size_t count;
    bool overflow;
};

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    struct query_walk *w = cls;
    if (w->count >= TZ_HTTP_MAX_QUERY_PARAMS) {
        w->overflow = true;
        return MHD_NO;
    }
    w->params[w->count].key = key;
    w->params[w->count].value = value;
    w->count++;
    return MHD_YES;
}

bool http_query_params(struct request *req, struct tz_query_param *params, size_t *count)
{
    struct query_walk w = {params, 0, false};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_param, &w);
    *count = w.count;
    return !w.overflow;
}

enum MHD_Result http_respond_typed(struct request *req, unsigned status, const char *type,
                                   struct tz_buf *buf)
{
    size_t len = buf->len;
    char *data = tz_buf_take(buf);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    add_common_headers(resp, type);
    return queue(req, status, resp);
}
