/*
 * api_reports.c - /api/v1/reports: file a report (anonymous), read one,
 * page through many. Validation is the threat map's; this file moves bytes
 * and picks statuses.
 */
#include <arpa/inet.h>
#include <string.h>

#include "analysis/analysis.h" /* "nearby" in the 201 answer */
#include "base/tztime.h"
#include "http/internal.h"
#include "http/render.h"
#include "http/report_json.h"

#define LIST_BODY_MAX (8u * 1024 * 1024)
#define REPORT_BODY_MAX (64u * 1024)

/* Runs on the writer thread once the report's batch is durable (or failed). */
static void report_committed(void *ctx, tz_err err)
{
    struct request *req = ctx;
    struct tz_http *srv = req->srv;
    req->commit_err = err;
    req->state = REQUEST_COMMITTED;
    MHD_resume_connection(req->conn);
    atomic_fetch_sub(&srv->suspended, 1);
}

int http_idempotency_key(struct request *req, const char **key, size_t *len)
{
    const char *h = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Idempotency-Key");
    if (!h)
        return 0;
    size_t n = strlen(h);
    if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
        h++;
        n -= 2;
    }
    *key = h;
    *len = n;
    return tz_threatmap_idem_key_ok(h, n) ? 1 : -1;
}

static enum MHD_Result answer_committed(struct request *req);

/*
 * A report sent again under its key: the first answer, read back, with the same status (the
 * draft asks for the first response) and Idempotent-Replayed: true. *handled is false when the
 * key is new.
 */
static enum MHD_Result answer_replay(struct request *req, const char *key, size_t key_len,
                                     bool *handled)
{
    *handled = true;
    tz_submission_clear(&req->sub);
    tz_err err = tz_threatmap_idem_replay(
        req->srv->tm, key, key_len, req->body.data ? req->body.data : "", req->body.len, &req->sub);
    if (err == TZ_ENOTFOUND) {
        *handled = false;
        return MHD_YES;
    }
    if (err == TZ_ECONFLICT) {
        struct tz_field_errors errs = {0};
        tz_fielderr_add(&errs, "Idempotency-Key",
                        "this key came with another report; a new report needs a new key");
        return http_respond_status_problem(req, 422, "the key was used for another request", &errs);
    }
    if (err)
        return http_respond_problem(req, err, "the report could not be read back", NULL);
    req->extra_header[0] = "Idempotent-Replayed";
    req->extra_header[1] = "true";
    req->commit_err = TZ_OK;
    req->state = REQUEST_COMMITTED;
    return answer_committed(req);
}

/*
 * The store refused the report's key: the same key came with a report that was stored
 * meanwhile (two sendings at once). Answered as a replay of that one, or 409 when it is not
 * readable (yet).
 */
static enum MHD_Result answer_key_taken(struct request *req)
{
    const char *key = NULL;
    size_t len = 0;
    bool handled = false;
    enum MHD_Result r = MHD_YES;
    if (http_idempotency_key(req, &key, &len) == 1)
        r = answer_replay(req, key, len, &handled);
    if (handled)
        return r;
    return http_respond_status_problem(req, 409, "a request with this key is being handled", NULL);
}

static enum MHD_Result answer_committed(struct request *req)
{
    if (req->commit_err == TZ_ECONFLICT && req->sub.rec.idem.set)
        return answer_key_taken(req);
    /*
     * A full disk (SQLITE_FULL; EFBIG past a file size limit reads as an I/O
     * error) or a failing one is the service's trouble, not the report's: 503
     * with Retry-After, and nothing of it was stored (the batch rolled back).
     */
    if (req->commit_err == TZ_ENOSPACE || req->commit_err == TZ_EIO)
        return http_respond_status_problem(req, 503, "the report could not be stored; try again",
                                           NULL);
    if (req->commit_err)
        return http_respond_problem(req, req->commit_err, "the report could not be stored", NULL);
    /* The report is stored: should the hint fail, the answer goes without it. */
    struct tz_nearby nearby[TZ_NEARBY_MAX];
    size_t n = 0;
    bool hint = tz_analysis_submission_nearby(req->srv->tm, &req->sub.rec, nearby, &n) == TZ_OK;
    struct tz_buf b;
    tz_buf_init(&b, REPORT_BODY_MAX);
    tz_err err = tz_http_submission_json(req->srv->tm, &req->sub, hint ? nearby : NULL, n, &b);
    if (err && hint) { /* a hint too big for the answer: without it, as before */
        tz_buf_reset(&b);
        err = tz_http_submission_json(req->srv->tm, &req->sub, NULL, 0, &b);
    }
    if (err) {
        /* Only a failed allocation may pass (503); anything else is this server's bug (500). */
        tz_buf_free(&b);
        return err == TZ_ENOMEM ? http_respond_problem(req, err, NULL, NULL)
                                : http_respond_status_problem(req, 500, tz_err_str(err), NULL);
    }
    return http_respond_json(req, MHD_HTTP_CREATED, &b);
}

enum MHD_Result api_reports_create(struct request *req)
{
    struct tz_http *srv = req->srv;
    if (req->state == REQUEST_COMMITTED)
        return answer_committed(req);
    if (atomic_load(&srv->closing))
        return http_respond_problem(req, TZ_ECLOSED, "the service is shutting down", NULL);
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t nparams = 0;
    if (!http_query_params(req, params, &nparams) || nparams > 0)
        return http_respond_status_problem(req, 400, "this resource takes no query parameters",
                                           NULL);
    int retry_after_s = 0;
    if (!http_guard_write_allowed(req, &retry_after_s))
        return http_respond_too_many(req, retry_after_s);
    char addr[TZ_NETADDR_KEY_TEXT_MAX]; /* the reporter's hash counts an IPv6 client by network */
    http_client_key_text(req, addr, sizeof addr);
    const char *key = NULL;
    size_t key_len = 0;
    int has_key = http_idempotency_key(req, &key, &key_len);
    struct tz_field_errors errs = {0};
    if (has_key < 0) {
        tz_fielderr_add(&errs, "Idempotency-Key",
                        "must be %d to %d printable ASCII characters without space, quote or "
                        "backslash (a UUID), as a quoted string",
                        TZ_IDEM_KEY_MIN, TZ_IDEM_KEY_MAX);
        return http_respond_status_problem(req, 400, "bad Idempotency-Key header", &errs);
    }
    if (has_key) {
        bool handled = false;
        enum MHD_Result r = answer_replay(req, key, key_len, &handled);
        if (handled)
            return r;
    }
    tz_err err = tz_http_report_prepare(srv->tm, req->body.data ? req->body.data : "",
                                        req->body.len, addr, tz_time_now(), &req->sub, &errs);
    if (err == TZ_EMALFORMED)
        return http_respond_problem(req, err, "the body must be one JSON object", NULL);
    if (err == TZ_EINVAL)
        return http_respond_problem(req, err, "some fields are invalid; see errors", &errs);
    if (!err && has_key)
        err = tz_threatmap_set_idempotency(&req->sub, key, key_len,
                                           req->body.data ? req->body.data : "", req->body.len);
    if (err)
        return http_respond_problem(req, err, NULL, NULL);

    return http_submit_report(req);
}

enum MHD_Result http_submit_report(struct request *req)
{
    /* Suspend first, then submit: the writer may finish before this function returns. */
    req->state = REQUEST_COMMITTING;
    atomic_fetch_add(&req->srv->suspended, 1);
    MHD_suspend_connection(req->conn);
    tz_err err = tz_threatmap_submit_async(req->srv->tm, &req->sub, report_committed, req);
    if (err)
        report_committed(req, err);
    return MHD_YES;
}

enum MHD_Result api_reports_get(struct request *req)
{
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    const char *token = NULL;
    if (!http_query_params(req, params, &n))
        return http_respond_status_problem(req, 400, "too many query parameters", NULL);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(params[i].key, "token") != 0 || token) {
            struct tz_field_errors errs = {0};
            tz_fielderr_add(&errs, params[i].key, "unknown or repeated parameter");
            return http_respond_status_problem(req, 400, "bad query parameter", &errs);
        }
        token = params[i].value ? params[i].value : "";
    }
    int64_t now = tz_time_now();
    struct tz_report_view view;
    struct tz_buf b;
    tz_buf_init(&b, REPORT_BODY_MAX);
    tz_err err = tz_threatmap_report_read(req->srv->tm, req->id, token, now, &view);
    if (!err)
        err = tz_http_report_json(req->srv->tm, &view, now, &b);
    tz_report_view_clear(&view);
    if (err) {
        tz_buf_free(&b);
        if (err == TZ_EFORBIDDEN)
            return http_respond_problem(req, err, "the tracking token does not match", NULL);
        return http_respond_problem(req, err, err == TZ_ENOTFOUND ? "no such report" : NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

/*
 * POST /api/v1/reports/{id}/me-too. The store's write runs on this thread:
 * unlike new reports it is rare, small, and needs no group commit.
 */
enum MHD_Result api_reports_me_too(struct request *req)
{
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t nparams = 0;
    if (!http_query_params(req, params, &nparams) || nparams > 0)
        return http_respond_status_problem(req, 400, "this resource takes no query parameters",
                                           NULL);
    int retry_after_s = 0; /* an anonymous write: the same bucket as filing a report */
    if (!http_guard_write_allowed(req, &retry_after_s))
        return http_respond_too_many(req, retry_after_s);
    char addr[TZ_NETADDR_KEY_TEXT_MAX]; /* the reporter's hash counts an IPv6 client by network */
    http_client_key_text(req, addr, sizeof addr);
    int count = 0;
    tz_err err = tz_threatmap_me_too(req->srv->tm, req->id, addr, tz_time_now(), &count);
    if (err == TZ_ENOTFOUND)
        return http_respond_problem(req, err, "no such report", NULL);
    if (err == TZ_ECONFLICT)
        return http_respond_problem(
            req, err, "this report is closed, or this address has confirmed it already", NULL);
    if (err == TZ_EIO || err == TZ_ENOSPACE)
        return http_respond_status_problem(req, 503, "not stored; try again", NULL);
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    struct tz_buf b;
    tz_buf_init(&b, 128);
    err = tz_buf_printf(&b, "{\"id\":%lld,\"me_too\":%d}", (long long)req->id, count);
    if (err) {
        tz_buf_free(&b);
        return err == TZ_ENOMEM ? http_respond_problem(req, err, NULL, NULL)
                                : http_respond_status_problem(req, 500, tz_err_str(err), NULL);
    }
    return http_respond_json(req, MHD_HTTP_CREATED, &b);
}

enum MHD_Result http_respond_query(struct request *req, query_fn answer, size_t max)
{
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    if (!http_query_params(req, params, &n))
        return http_respond_status_problem(req, 400, "too many query parameters", NULL);
    struct tz_field_errors errs = {0};
    struct tz_buf b;
    tz_buf_init(&b, max);
    tz_err err = answer(req->srv->tm, params, n, tz_time_now(), &b, &errs);
    return http_respond_answer(req, err, &b, &errs);
}

enum MHD_Result http_respond_answer(struct request *req, tz_err err, struct tz_buf *b,
                                    const struct tz_field_errors *errs)
{
    if (err) {
        tz_buf_free(b);
        if (err == TZ_EINVAL)
            return http_respond_status_problem(req, 400, "bad query parameters", errs);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, b);
}

enum MHD_Result api_reports_list(struct request *req)
{
    return http_respond_query(req, tz_http_list_json, LIST_BODY_MAX);
}
