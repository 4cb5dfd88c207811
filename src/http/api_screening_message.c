/*
 * api_screening_message.c - POST /api/v1/screening/hit-message: a hit of a screening answer
 * turned into a request to the owner of the notice it hit, in one action.
 *
 * Why a door of its own and not /hits/{id}/message: an answer's hits are computed and audited,
 * not stored, so a hit has no id of its own; the answer names each by its source and record id
 * ("notices", "<notice id>/<entity ref>"), and that is what the body gives back:
 * {"source", "record_id", "reason", "text", "urgency"}. The message is composed by screening
 * from the notice on file (tz_screening_hit_message), never from what the client says it saw.
 * 201 {"message_id", "case_id", "notice_id", "to": {"node", "unit"}, "due"}; 403 without
 * screening.query or exchange.send; 404 when the notice is no longer published; 422 per field.
 */
#include "http/police.h"
#include "http/render.h"

enum MHD_Result api_screening_hit_message(struct request *req)
{
    static const char *const allowed[] = {"source", "record_id", "reason", "text", "urgency", NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!req->srv->screening)
        return police_refuse(req, 503, "screening is not enabled on this server");
    if (!police_begin_change(req, TZ_ACT_SCREENING, &c, allowed, &root, &answer))
        return answer;
    struct tz_screen_hit_message q = {
        .source = police_field(root, "source"),
        .record_id = police_field(root, "record_id"),
        .reason = police_field(root, "reason"),
        .text = police_field(root, "text"),
        .urgency = police_field(root, "urgency"),
    };
    struct tz_field_errors errs = {0};
    struct tz_screen_hit_sent sent;
    struct tz_auth_who who = police_who(&c);
    tz_err err = tz_screening_hit_message(req->srv->screening, &who, &q, &errs, &sent);
    json_decref(root);
    police_end(&c);
    if (err == TZ_EFORBIDDEN)
        return police_refuse(req, 403, "your role may not send this request");
    if (err == TZ_EINVAL)
        return http_respond_problem(req, err, "some fields are invalid; see errors", &errs);
    if (err == TZ_ENOTFOUND)
        return police_refuse(req, 404, "no published notice has this subject (cancelled since?)");
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    struct tz_buf b;
    tz_buf_init(&b, 4096);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kint(&w, "message_id", sent.message_id);
    tz_jw_kint(&w, "case_id", sent.case_id);
    tz_jw_kint(&w, "notice_id", sent.notice_id);
    tz_jw_key(&w, "to");
    tz_jw_object(&w);
    tz_jw_kstr(&w, "node", sent.to_node);
    tz_jw_kstr(&w, "unit", sent.to_unit);
    tz_jw_object_end(&w);
    tz_jw_ktime(&w, "due", sent.due);
    tz_jw_object_end(&w);
    err = tz_jw_end(&w);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, 201, &b);
}
