/*
 * api_exchange.c - the structured exchange's API (issue 14) under
 * /api/v1/exchange/: a new case with its first message, a message in a case,
 * a reply, refusal or clarification to a message, a message, a case's thread,
 * a unit's inbox and outbox. Every handler finds the caller (session or API
 * token; CSRF for a session's POST), reads the body through the message's one
 * JSON door (exchange_json.c), calls the exchange, which owns every rule and
 * writes each change and each read with its audit entry, and renders what it
 * gets back (render_exchange.c). A refused message is stored nowhere: the
 * exchange refuses before its one write.
 */
#include <stdio.h>
#include <string.h>

#include "base/jsonw.h"
#include "http/api_exchange.h"
#include "http/exchange_json.h"
#include "http/police.h"

#define ANSWER_MAX (4u * 1024 * 1024)

/* The caller, or false with the answer queued (401, 403, 503). */
static bool caller(struct request *req, bool changes, struct police_ctx *c,
                   enum MHD_Result *answer)
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

/* The query parameter key, or NULL. */
static const char *param(struct request *req, const char *key)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

/* The reader's language: ?lang=, else Accept-Language's first tag, else Polish. */
static enum tz_xlang reader_lang(struct request *req)
{
    enum tz_xlang l = TZ_XLANG_PL;
    const char *q = param(req, "lang");
    if (q && tz_xlang_parse(q, &l) == TZ_OK)
        return l;
    const char *h = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
    char tag[8] = "";
    for (size_t i = 0; h && h[i] && h[i] != ',' && h[i] != ';' && i + 1 < sizeof tag; i++)
        tag[i] = h[i];
    return tz_xlang_parse(tag, &l) == TZ_OK ? l : TZ_XLANG_PL;
}

/* A refusal of the permission table, audited, then 403. */
static enum MHD_Result forbidden(struct request *req, struct police_ctx *c,
                                 enum tz_auth_action action)
{
    police_audit_refusal(req, c, action, "refused", "outside the caller's units or role");
    return police_refuse(req, 403, "this is outside your unit or your role");
}

static enum MHD_Result answer_doc(struct request *req, unsigned status, struct tz_buf *b,
                                  struct tz_jw *w)
{
    tz_err err = tz_jw_end(w);
    if (err) {
        tz_buf_free(b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, status, b);
}

/*
 * POSTs of a message: read the body, let `shape` set what the path says (the
 * case, the message answered, the type), submit, answer 201 with the receipt.
 * ?direction=in records a message received from a partner (until federation
 * carries them); the default is a message this node sends.
 */
static enum MHD_Result submit(struct request *req, void (*shape)(struct request *, struct tz_xmsg *))
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!caller(req, true, &c, &answer))
        return answer;
    const char *dir = param(req, "direction");
    if (dir && strcmp(dir, "in") != 0 && strcmp(dir, "out") != 0) {
        struct tz_field_errors errs = {0};
        tz_fielderr_add(&errs, "direction", "must be in or out");
        return http_respond_problem(req, TZ_EINVAL, "see errors", &errs);
    }
    struct tz_field_errors errs = {0};
    struct tz_xmsg m;
    tz_err err = tz_http_exchange_read(req->body.data ? req->body.data : "", req->body.len, &m,
                                        &errs);
    struct tz_xreceipt receipt;
    if (!err) {
        shape(req, &m);
        struct tz_xactor who = {.p = &c.p, .client = c.client};
        err = tz_exchange_submit(req->srv->exchange, &who, dir && strcmp(dir, "in") == 0, &m,
                                 &receipt, &errs);
    }
    tz_xmsg_clear(&m);
    if (err == TZ_EFORBIDDEN)
        return forbidden(req, &c, TZ_ACT_EXCHANGE_SEND);
    if (err)
        return http_respond_problem(req, err,
                                    err == TZ_EINVAL       ? "the message breaks a rule; see errors"
                                    : err == TZ_EMALFORMED ? "the body is not one JSON object"
                                    : err == TZ_ENOTFOUND  ? "no such case or message"
                                                           : NULL,
                                    errs.count ? &errs : NULL);
    struct tz_buf b;
    tz_buf_init(&b, ANSWER_MAX);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_http_put_xreceipt(&w, &receipt);
    return answer_doc(req, 201, &b, &w);
}

static void shape_new_case(struct request *req, struct tz_xmsg *m)
{
    if (m->case_id) /* a new case has none: the validator's words for it */
        m->case_id = -1;
}

static void shape_in_case(struct request *req, struct tz_xmsg *m)
{
    m->case_id = req->id;
}

static void shape_answer(struct request *req, struct tz_xmsg *m, int type)
{
    m->in_reply_to = req->id;
    m->type = type;
}

static void shape_reply(struct request *req, struct tz_xmsg *m)
{
    shape_answer(req, m, TZ_XMSG_REPLY);
}
static void shape_refusal(struct request *req, struct tz_xmsg *m)
{
    shape_answer(req, m, TZ_XMSG_REFUSAL);
}
static void shape_clarification(struct request *req, struct tz_xmsg *m)
{
    shape_answer(req, m, TZ_XMSG_CLARIFICATION);
}

enum MHD_Result api_x_case_create(struct request *req)
{
    return submit(req, shape_new_case);
}
enum MHD_Result api_x_case_post(struct request *req)
{
    return submit(req, shape_in_case);
}
enum MHD_Result api_x_reply(struct request *req)
{
    return submit(req, shape_reply);
}
enum MHD_Result api_x_refusal(struct request *req)
{
    return submit(req, shape_refusal);
}
enum MHD_Result api_x_clarification(struct request *req)
{
    return submit(req, shape_clarification);
}

enum MHD_Result api_x_message_get(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!caller(req, false, &c, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "xmsg/%lld", (long long)req->id);
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    struct tz_xview v;
    tz_err err = tz_exchange_get(req->srv->exchange, &who, req->id, &v);
    if (err == TZ_EFORBIDDEN)
        return forbidden(req, &c, TZ_ACT_EXCHANGE_READ);
    if (err)
        return http_respond_problem(req, err, err == TZ_ENOTFOUND ? "no such message" : NULL, NULL);
    struct tz_buf b;
    tz_buf_init(&b, ANSWER_MAX);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_http_put_xview(&w, &v, reader_lang(req));
    tz_xview_clear(&v);
    return answer_doc(req, 200, &b, &w);
}

static enum MHD_Result answer_lines(struct request *req, struct police_ctx *c, tz_err err,
                                    struct tz_xlines *l, enum tz_auth_action action)
{
    if (err == TZ_EFORBIDDEN)
        return forbidden(req, c, action);
    if (err) {
        struct tz_field_errors errs = {0};
        if (err == TZ_EINVAL)
            tz_fielderr_add(&errs, "unit", "required: the unit whose box to show");
        return http_respond_problem(req, err, err == TZ_ENOTFOUND ? "no such case" : NULL,
                                    errs.count ? &errs : NULL);
    }
    struct tz_buf b;
    tz_buf_init(&b, ANSWER_MAX);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_http_put_xlines(&w, l, reader_lang(req));
    tz_xlines_clear(l);
    return answer_doc(req, 200, &b, &w);
}

enum MHD_Result api_x_case_get(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!caller(req, false, &c, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "xcase/%lld", (long long)req->id);
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    struct tz_xlines l;
    tz_err err = tz_exchange_case(req->srv->exchange, &who, req->id, &l);
    return answer_lines(req, &c, err, &l, TZ_ACT_EXCHANGE_READ);
}

static enum MHD_Result box(struct request *req, bool inbox)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!caller(req, false, &c, &answer))
        return answer;
    const char *unit = param(req, "unit");
    if (!unit)
        unit = c.p.account.unit;
    snprintf(c.object, sizeof c.object, "%s/%.32s", inbox ? "inbox" : "outbox", unit);
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    struct tz_xlines l;
    tz_err err = tz_exchange_box(req->srv->exchange, &who, unit, inbox, 0, &l);
    return answer_lines(req, &c, err, &l, TZ_ACT_EXCHANGE_INBOX);
}

enum MHD_Result api_x_inbox(struct request *req)
{
    return box(req, true);
}
enum MHD_Result api_x_outbox(struct request *req)
{
    return box(req, false);
}

/* POST /api/v1/exchange/notices/{id}/transitions {"to", "note", "neutral"}: a lifecycle step. */
enum MHD_Result api_x_notice_move(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!caller(req, true, &c, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "xnotice/%lld", (long long)req->id);
    static const char *const allowed[] = {"to", "note", "neutral", NULL};
    struct tz_field_errors errs = {0};
    json_t *root = NULL;
    tz_err err = police_body_object(req, allowed, &root, &errs);
    if (err || errs.count) {
        json_decref(root);
        return police_answer_body_error(req, err ? err : TZ_EINVAL, &errs);
    }
    json_t *to = json_object_get(root, "to"), *note = json_object_get(root, "note"),
           *neutral = json_object_get(root, "neutral");
    struct tz_xnotice_move move = {.to = -1, .note = json_string_value(note),
                                   .neutral = json_is_true(neutral)};
    for (int s = 0; s < TZ_XNS_COUNT && json_is_string(to); s++)
        if (strcmp(json_string_value(to), tz_xnotice_state_code(s)) == 0)
            move.to = s;
    if (move.to < 0)
        tz_fielderr_add(&errs, "/to", "must be draft, review, published, cancelled or expired");
    if (note && !json_is_string(note) && !json_is_null(note))
        tz_fielderr_add(&errs, "/note", "must be a string");
    if (neutral && !json_is_boolean(neutral))
        tz_fielderr_add(&errs, "/neutral", "must be true or false");
    if (!errs.count) {
        struct tz_xactor who = {.p = &c.p, .client = c.client};
        err = tz_exchange_notice_move(req->srv->exchange, &who, req->id, &move, &errs);
    } else {
        err = TZ_EINVAL;
    }
    json_decref(root);
    if (err == TZ_EFORBIDDEN)
        return forbidden(req, &c, TZ_ACT_EXCHANGE_SEND);
    if (err)
        return http_respond_problem(req, err,
                                    err == TZ_ENOTFOUND   ? "no such notice"
                                    : err == TZ_ECONFLICT ? "the notice moved meanwhile"
                                                          : NULL,
                                    errs.count ? &errs : NULL);
    struct tz_buf b;
    tz_buf_init(&b, 256);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kint(&w, "id", req->id);
    tz_jw_kstr(&w, "state", tz_xnotice_state_code(move.to));
    tz_jw_object_end(&w);
    return answer_doc(req, 200, &b, &w);
}

/* ---- what the other exchange handlers share (api_exchange.h) ---- */

bool api_x_caller(struct request *req, bool changes, struct police_ctx *c,
                  enum MHD_Result *answer)
{
    return caller(req, changes, c, answer);
}

const char *api_x_param(struct request *req, const char *key)
{
    return param(req, key);
}

enum tz_xlang api_x_reader_lang(struct request *req)
{
    return reader_lang(req);
}

enum MHD_Result api_x_forbidden(struct request *req, struct police_ctx *c,
                                enum tz_auth_action action)
{
    return forbidden(req, c, action);
}

enum MHD_Result api_x_answer_doc(struct request *req, unsigned status, struct tz_buf *b,
                                 struct tz_jw *w)
{
    return answer_doc(req, status, b, w);
}
