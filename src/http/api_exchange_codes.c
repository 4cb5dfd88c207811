/*
 * api_exchange_codes.c - what the police web pages (web/exchange.html) read
 * beside the exchange's messages:
 *   GET /api/v1/exchange/codes?lang=        every coded table, code and label in the reader's
 *                                           language (the composer's lists: refusal grounds,
 *                                           handling codes, evaluation, urgency...);
 *   GET /api/v1/exchange/notices/{id}       a notice with its lifecycle state and the steps the
 *                                           reader may make (the transition table decides);
 *   GET /api/v1/exchange/messages/{id}/hits the Art. 16(d) cross-check hits of a message.
 * Each finds the caller as the other exchange handlers do; the reads of a notice and of a
 * message's hits are audited by the exchange with the read of the message.
 */
#include <stdio.h>
#include <string.h>

#include "base/jsonw.h"
#include "http/exchange_json.h"
#include "http/police.h"

#define ANSWER_MAX (4u * 1024 * 1024)

static enum MHD_Result answer_doc(struct request *req, struct tz_buf *b, struct tz_jw *w)
{
    tz_err err = tz_jw_end(w);
    if (err) {
        tz_buf_free(b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, 200, b);
}

/* {"lang": "pl", "tables": {"handling_code": [{"code", "label"}, ...], ...}} */
enum MHD_Result api_x_codes(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!api_x_caller(req, false, &c, &answer))
        return answer;
    enum tz_xlang lang = api_x_reader_lang(req);
    static const char *const lang_codes[TZ_XLANG_COUNT] = {"pl", "en", "fr", "es", "ar"};
    struct tz_buf b;
    tz_buf_init(&b, ANSWER_MAX);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "lang", lang_codes[lang]);
    /* Who this node is and where its SPOC sits: a new request from another unit copies it. */
    const struct tz_xnode_config *node = tz_exchange_node(req->srv->exchange);
    tz_jw_kstr(&w, "node", node->node);
    tz_jw_kstr(&w, "spoc_unit", node->spoc_unit);
    tz_jw_key(&w, "tables");
    tz_jw_object(&w);
    for (int t = 0; t < TZ_XT_COUNT; t++) {
        size_t n = 0;
        const struct tz_xcode *rows = tz_xcode_rows(t, &n);
        tz_jw_key(&w, tz_xcode_table_name(t));
        tz_jw_array(&w);
        for (size_t i = 0; i < n; i++) {
            tz_jw_object(&w);
            tz_jw_kstr(&w, "code", rows[i].code);
            tz_jw_kstr(&w, "label", rows[i].label[lang]);
            tz_jw_object_end(&w);
        }
        tz_jw_array_end(&w);
    }
    tz_jw_object_end(&w);
    tz_jw_object_end(&w);
    return answer_doc(req, &b, &w);
}

static enum MHD_Result refused(struct request *req, struct police_ctx *c, tz_err err,
                               const char *none)
{
    if (err == TZ_EFORBIDDEN)
        return api_x_forbidden(req, c, TZ_ACT_EXCHANGE_READ);
    return http_respond_problem(req, err, err == TZ_ENOTFOUND ? none : NULL, NULL);
}

/* The message's view (as GET .../messages/{id}) with "notice_state" and "transitions". */
enum MHD_Result api_x_notice_get(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!api_x_caller(req, false, &c, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "xnotice/%lld", (long long)req->id);
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    struct tz_xnotice_view nv;
    tz_err err = tz_exchange_notice_get(req->srv->exchange, &who, req->id, &nv);
    if (err)
        return refused(req, &c, err, "no such notice");
    const struct tz_xview *v = &nv.view;
    struct tz_buf b;
    tz_buf_init(&b, ANSWER_MAX);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kint(&w, "id", v->msg.id);
    tz_http_put_xmsg(&w, &v->msg);
    tz_jw_kstr(&w, "direction", v->inbound ? "in" : "out");
    tz_jw_ktime(&w, "at", v->at);
    tz_http_put_xmsg_labels(&w, &v->msg, api_x_reader_lang(req));
    tz_jw_kstr(&w, "notice_state", tz_xnotice_state_code(nv.state));
    tz_jw_key(&w, "transitions");
    tz_jw_array(&w);
    for (size_t i = 0; i < nv.offer_count; i++) {
        tz_jw_object(&w);
        tz_jw_kstr(&w, "to", tz_xnotice_state_code(nv.offers[i].to));
        tz_jw_kbool(&w, "note_required", nv.offers[i].note);
        tz_jw_kbool(&w, "neutrality_required", nv.offers[i].neutrality);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    tz_xnotice_view_clear(&nv);
    return answer_doc(req, &b, &w);
}

/* {"items": [{"entity": its index in the message, "key", "message", "case"}]} */
enum MHD_Result api_x_hits(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!api_x_caller(req, false, &c, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "xmsg/%lld", (long long)req->id);
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    struct tz_xhit hits[TZ_X_HITS];
    size_t n = 0;
    tz_err err = tz_exchange_hits(req->srv->exchange, &who, req->id, hits, TZ_X_HITS, &n);
    if (err)
        return refused(req, &c, err, "no such message");
    struct tz_buf b;
    tz_buf_init(&b, ANSWER_MAX);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_key(&w, "items");
    tz_jw_array(&w);
    for (size_t i = 0; i < n; i++) {
        tz_jw_object(&w);
        tz_jw_kuint(&w, "entity", hits[i].entity);
        tz_jw_kstr(&w, "key", hits[i].key);
        tz_jw_kint(&w, "message", hits[i].message_id);
        tz_jw_kint(&w, "case", hits[i].case_id);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    return answer_doc(req, &b, &w);
}
