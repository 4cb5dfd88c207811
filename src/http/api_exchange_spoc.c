/*
 * api_exchange_spoc.c - the API of what a SPOC does beyond messages
 * (issue 14; src/exchange/spoc.h):
 *   POST /api/v1/exchange/messages/{id}/deviation   {"delay_hours","reasons"}  Art. 9
 *   POST /api/v1/exchange/messages/{id}/permissions {"to"}     H2: the provider's permission
 *   POST /api/v1/exchange/messages/{id}/forward     a message  H2: pass-on, checked
 *   GET  /api/v1/exchange/statistics?year=&format=json|csv                Art. 18
 *   GET  /api/v1/exchange/messages/{id}/attachments/{n}      the file, with its SHA-256
 * Each reads its input, calls the exchange (which owns the rules and writes
 * each change and each read with its audit entry) and renders what it gets.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/num.h"
#include "http/api_exchange.h"
#include "http/exchange_json.h"

/* The problem of a refused change, with the field errors when there are any. */
static enum MHD_Result refused(struct request *req, struct police_ctx *c, tz_err err,
                               const struct tz_field_errors *errs, const char *not_found)
{
    if (err == TZ_EFORBIDDEN && !errs->count)
        return api_x_forbidden(req, c, TZ_ACT_EXCHANGE_SEND);
    if (err == TZ_EFORBIDDEN) /* a rule (H2), not the permission table: say which */
        police_audit_refusal(req, c, TZ_ACT_EXCHANGE_SEND, "refused", "handling code H2");
    return http_respond_problem(req, err,
                                err == TZ_EINVAL       ? "the request breaks a rule; see errors"
                                : err == TZ_EFORBIDDEN ? "H2: the provider has not permitted "
                                                         "passing this on; see errors"
                                : err == TZ_ECONFLICT  ? "the request's deadline is no longer "
                                                         "running, or moved meanwhile"
                                : err == TZ_ENOTFOUND  ? not_found
                                                       : NULL,
                                errs->count ? errs : NULL);
}

static enum MHD_Result receipt(struct request *req, const struct tz_xreceipt *r)
{
    struct tz_buf b;
    tz_buf_init(&b, 1u << 20);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_http_put_xreceipt(&w, r);
    return api_x_answer_doc(req, 201, &b, &w);
}

/* POST .../messages/{id}/deviation {"delay_hours": 1..2160, "reasons": "..."} */
enum MHD_Result api_x_deviation(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!api_x_caller(req, true, &c, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "xmsg/%lld", (long long)req->id);
    static const char *const allowed[] = {"delay_hours", "reasons", NULL};
    struct tz_field_errors errs = {0};
    json_t *root = NULL;
    tz_err err = police_body_object(req, allowed, &root, &errs);
    if (err || errs.count) {
        json_decref(root);
        return police_answer_body_error(req, err ? err : TZ_EINVAL, &errs);
    }
    json_t *hours = json_object_get(root, "delay_hours"),
           *reasons = json_object_get(root, "reasons");
    if (!json_is_integer(hours))
        tz_fielderr_add(&errs, "/delay_hours", "required: a whole number of hours");
    if (reasons && !json_is_string(reasons))
        tz_fielderr_add(&errs, "/reasons", "must be a string");
    struct tz_xreceipt r;
    if (errs.count) {
        err = TZ_EINVAL;
    } else {
        json_int_t h = json_integer_value(hours);
        struct tz_xdeviation d = {
            .delay_s = h > 0 && h <= TZ_X_DEVIATION_MAX_S / 3600 ? (int64_t)h * 3600 : -1,
            .reasons = json_string_value(reasons)};
        struct tz_xactor who = {.p = &c.p, .client = c.client};
        err = tz_exchange_deviate(req->srv->exchange, &who, req->id, &d, &r, &errs);
    }
    json_decref(root);
    if (err)
        return refused(req, &c, err, &errs, "no such message");
    return receipt(req, &r);
}

/* POST .../messages/{id}/permissions {"to": "FR"} */
enum MHD_Result api_x_permission(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!api_x_caller(req, true, &c, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "xmsg/%lld", (long long)req->id);
    static const char *const allowed[] = {"to", NULL};
    struct tz_field_errors errs = {0};
    json_t *root = NULL;
    tz_err err = police_body(req, allowed, &root, &errs);
    if (err || errs.count) {
        json_decref(root);
        return police_answer_body_error(req, err ? err : TZ_EINVAL, &errs);
    }
    const char *to = police_field(root, "to");
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    err = tz_exchange_permit(req->srv->exchange, &who, req->id, to ? to : "", &errs);
    if (err) {
        json_decref(root);
        return refused(req, &c, err, &errs, "no such message");
    }
    struct tz_buf b;
    tz_buf_init(&b, 256);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kint(&w, "message", req->id);
    tz_jw_kstr(&w, "to", to);
    tz_jw_object_end(&w);
    json_decref(root);
    return api_x_answer_doc(req, 201, &b, &w);
}

/* POST .../messages/{id}/forward: a message (sent by this node) passing {id}'s information on. */
enum MHD_Result api_x_forward(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!api_x_caller(req, true, &c, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "xmsg/%lld", (long long)req->id);
    struct tz_field_errors errs = {0};
    struct tz_xmsg m;
    tz_err err =
        tz_http_exchange_read(req->body.data ? req->body.data : "", req->body.len, &m, &errs);
    struct tz_xreceipt r;
    if (!err) {
        struct tz_xactor who = {.p = &c.p, .client = c.client};
        err = tz_exchange_forward(req->srv->exchange, &who, req->id, &m, &r, &errs);
    }
    tz_xmsg_clear(&m);
    if (err == TZ_EMALFORMED || err == TZ_ETOOBIG)
        return http_respond_problem(req, err, "the body is not one JSON message", NULL);
    if (err)
        return refused(req, &c, err, &errs, "no such message or case");
    return receipt(req, &r);
}

/* GET /api/v1/exchange/statistics?year=YYYY&format=json|csv (the SPOC's supervisor). */
enum MHD_Result api_x_statistics(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!api_x_caller(req, false, &c, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "xstats");
    struct tz_field_errors errs = {0};
    const char *year_s = api_x_param(req, "year"), *format = api_x_param(req, "format");
    int64_t year = tz_exchange_year_of(tz_exchange_now(req->srv->exchange));
    if (year_s && tz_num_parse_i64(year_s, strlen(year_s), 2000, 9999, &year))
        tz_fielderr_add(&errs, "year", "a year from 2000 to 9999");
    bool csv = format && strcmp(format, "csv") == 0;
    if (format && !csv && strcmp(format, "json") != 0)
        tz_fielderr_add(&errs, "format", "json or csv");
    if (errs.count) /* a query's parameters, as the other queries answer them */
        return http_respond_status_problem(req, 400, "see errors", &errs);
    struct tz_xstats *s = malloc(sizeof *s);
    if (!s)
        return http_respond_problem(req, TZ_ENOMEM, NULL, NULL);
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    tz_err err = tz_exchange_stats(req->srv->exchange, &who, (int)year, s);
    if (err) {
        free(s);
        if (err == TZ_EFORBIDDEN)
            return api_x_forbidden(req, &c, TZ_ACT_EXCHANGE_READ);
        return http_respond_problem(req, err, NULL, NULL);
    }
    struct tz_buf b;
    tz_buf_init(&b, 4u << 20);
    if (csv) {
        err = tz_http_xstats_csv(s, &b);
        free(s);
        if (err) {
            tz_buf_free(&b);
            return http_respond_problem(req, err, NULL, NULL);
        }
        return http_respond_typed(req, 200, "text/csv; charset=utf-8", &b);
    }
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_http_put_xstats(&w, s);
    free(s);
    return api_x_answer_doc(req, 200, &b, &w);
}

/* "{id}/attachments/{n}" after the messages' prefix: id and n; false for another path. */
static bool attachment_path(const char *rest, int64_t *id, int64_t *n)
{
    static const char mid[] = "/attachments/";
    const char *slash = strchr(rest, '/');
    if (!slash || strncmp(slash, mid, sizeof mid - 1) != 0)
        return false;
    const char *num = slash + sizeof mid - 1;
    return tz_num_parse_i64(rest, (size_t)(slash - rest), 1, 999999999999999, id) == TZ_OK &&
           tz_num_parse_i64(num, strlen(num), 0, TZ_X_ATTACHMENTS - 1, n) == TZ_OK;
}

/* GET /api/v1/exchange/messages/{id}/attachments/{n}: the file as it was sent, its SHA-256
 * in Repr-Digest (RFC 9530) and X-Content-SHA256 (hex); the read audited. */
enum MHD_Result api_x_attachment(struct request *req)
{
    static const char prefix[] = "/api/v1/exchange/messages/";
    int64_t id = 0, n = 0;
    if (strncmp(req->url, prefix, sizeof prefix - 1) != 0 ||
        !attachment_path(req->url + sizeof prefix - 1, &id, &n))
        return http_respond_status_problem(req, 404, "no such resource", NULL);
    struct police_ctx c;
    enum MHD_Result answer;
    if (!api_x_caller(req, false, &c, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "xattach/%lld/%lld", (long long)id, (long long)n);
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    struct tz_xattachment a;
    tz_err err = tz_exchange_attachment(req->srv->exchange, &who, id, (size_t)n, &a);
    if (err == TZ_EFORBIDDEN)
        return api_x_forbidden(req, &c, TZ_ACT_EXCHANGE_READ);
    if (err)
        return http_respond_problem(
            req, err, err == TZ_ENOTFOUND ? "no such message or attachment" : NULL, NULL);
    unsigned char bin[crypto_hash_sha256_BYTES];
    char digest[96], b64[64];
    size_t len = 0;
    bool ok = sodium_hex2bin(bin, sizeof bin, a.sha256, strlen(a.sha256), NULL, &len, NULL) == 0 &&
              len == sizeof bin;
    sodium_bin2base64(b64, sizeof b64, bin, sizeof bin, sodium_base64_VARIANT_ORIGINAL);
    snprintf(digest, sizeof digest, "sha-256=:%s:", b64);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(a.size, a.data, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        tz_xattachment_clear(&a);
        return MHD_NO;
    }
    a.data = NULL; /* the response owns the bytes */
    if (ok)
        MHD_add_response_header(resp, "Repr-Digest", digest);
    MHD_add_response_header(resp, "X-Content-SHA256", a.sha256);
    MHD_add_response_header(resp, "Content-Disposition", "attachment");
    return http_queue_response(req, 200, resp, a.type);
}
