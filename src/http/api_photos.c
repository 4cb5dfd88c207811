/*
 * api_photos.c - the photos of reports (issue 19): the public's bytes of an
 * approved photo, the police's bytes of any photo (each read audited), and an
 * officer's review. Photos reach the server inside POST /api/v1/reports
 * (report_json.c); every rule about them is the threat map's.
 *
 * Routes: GET /api/v1/photos/{id} and /thumb (public, approved photos of
 * public reports only: anything else is 404, as a missing photo),
 * GET /api/v1/police/photos/{id} and /thumb (report.read on the photo's
 * report), POST /api/v1/photos/{id}/review {"decision":"approve"|"reject",
 * "note"} (report.describe on the photo's report; audited as photo.review).
 */
#include <stdio.h>
#include <string.h>

#include "base/tztime.h"
#include "http/police.h"

/* Answers the bytes of one JPEG; the record's buffer is copied into the response. */
static enum MHD_Result answer_jpeg(struct request *req, struct tz_photo_rec *p, bool thumb)
{
    const uint8_t *d = thumb ? p->thumb : p->image;
    size_t n = thumb ? p->thumb_len : p->image_len;
    struct tz_buf b;
    tz_buf_init(&b, n + 1);
    tz_err err = tz_buf_append(&b, (const char *)d, n);
    tz_photo_rec_clear(p);
    if (err) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_typed(req, MHD_HTTP_OK, "image/jpeg", &b);
}

static bool no_query(struct request *req, enum MHD_Result *answer)
{
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    if (http_query_params(req, params, &n) && n == 0)
        return true;
    *answer =
        http_respond_status_problem(req, 400, "this resource takes no query parameters", NULL);
    return false;
}

static enum MHD_Result public_photo(struct request *req, bool thumb)
{
    enum MHD_Result answer;
    if (!no_query(req, &answer))
        return answer;
    struct tz_photo_rec p;
    tz_err err = tz_threatmap_photo_public(req->srv->tm, req->id, thumb, tz_time_now(), &p);
    if (err)
        return http_respond_problem(req, err, err == TZ_ENOTFOUND ? "no such photo" : NULL, NULL);
    return answer_jpeg(req, &p, thumb);
}

enum MHD_Result api_photo(struct request *req)
{
    return public_photo(req, false);
}

enum MHD_Result api_photo_thumb(struct request *req)
{
    return public_photo(req, true);
}

/*
 * police_begin on the report of the photo of the path: req->id becomes the report's id (the
 * permission and the refusals' audit entries name the report), *photo_id keeps the photo's.
 */
static bool begin_on_photo(struct request *req, bool changes, enum tz_auth_action action,
                           struct police_ctx *c, int64_t *photo_id, enum MHD_Result *answer)
{
    *photo_id = req->id;
    int64_t report_id = 0;
    memset(c, 0, sizeof *c);
    tz_err err = tz_threatmap_photo_report(req->srv->tm, *photo_id, &report_id);
    if (err) {
        *answer =
            http_respond_problem(req, err, err == TZ_ENOTFOUND ? "no such photo" : NULL, NULL);
        return false;
    }
    req->id = report_id;
    return police_begin(req, changes, action, c, answer);
}

static enum MHD_Result police_photo(struct request *req, bool thumb)
{
    struct police_ctx c;
    int64_t photo_id;
    enum MHD_Result answer;
    if (!no_query(req, &answer))
        return answer;
    if (!begin_on_photo(req, false, TZ_ACT_REPORT_READ, &c, &photo_id, &answer)) {
        police_end(&c);
        return answer;
    }
    struct tz_audit_rec who = tz_auth_audit_entry(req->srv->auth, &c.p, NULL, c.client,
                                                  tz_audit_code(TZ_AUDIT_REPORT_READ), NULL);
    struct tz_photo_rec p;
    tz_err err = tz_threatmap_photo_police(req->srv->tm, photo_id, thumb,
                                           tz_auth_now(req->srv->auth), &who, &p);
    police_end(&c);
    if (err) /* no audit entry, no photo */
        return http_respond_problem(req, err, NULL, NULL);
    return answer_jpeg(req, &p, thumb);
}

enum MHD_Result api_police_photo(struct request *req)
{
    return police_photo(req, false);
}

enum MHD_Result api_police_photo_thumb(struct request *req)
{
    return police_photo(req, true);
}

enum MHD_Result api_photo_review(struct request *req)
{
    static const char *const allowed[] = {"decision", "note", NULL};
    struct police_ctx c;
    int64_t photo_id = req->id;
    int64_t report_id = 0;
    enum MHD_Result answer;
    json_t *root = NULL;
    tz_err err = tz_threatmap_photo_report(req->srv->tm, photo_id, &report_id);
    if (err)
        return http_respond_problem(req, err, err == TZ_ENOTFOUND ? "no such photo" : NULL, NULL);
    req->id = report_id;
    if (!police_begin_change(req, TZ_ACT_REPORT_DESCRIBE, &c, allowed, &root, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    const char *decision = police_field(root, "decision");
    bool approve = decision && strcmp(decision, "approve") == 0;
    if (!approve && !(decision && strcmp(decision, "reject") == 0))
        tz_fielderr_add(&errs, "/decision", "\"approve\" or \"reject\"");
    char object[48], fields[128];
    snprintf(object, sizeof object, "photo/%lld", (long long)photo_id);
    snprintf(fields, sizeof fields, "{\"report\":%lld,\"decision\":\"%s\"}", (long long)report_id,
             approve ? "approved" : "rejected");
    if (errs.count) {
        err = TZ_EINVAL;
    } else {
        struct tz_audit_rec a = tz_auth_audit_entry(req->srv->auth, &c.p, NULL, c.client,
                                                    tz_audit_code(TZ_AUDIT_PHOTO_REVIEW), object);
        a.fields = fields;
        a.note = police_field(root, "note");
        err = tz_threatmap_photo_review(req->srv->tm, photo_id, approve, c.p.account.name,
                                        tz_auth_now(req->srv->auth), &a);
    }
    json_decref(root);
    if (err) {
        snprintf(c.object, sizeof c.object, "%s", object);
        police_audit_refusal(req, &c, TZ_ACT_REPORT_DESCRIBE,
                             errs.count || err == TZ_ENOTFOUND ? "refused" : "failed",
                             errs.count ? "/decision" : tz_err_str(err));
        police_end(&c);
        return http_respond_problem(req, err, "some fields are invalid; see errors", &errs);
    }
    police_end(&c);
    struct tz_buf b;
    tz_buf_init(&b, 256);
    err = tz_buf_printf(&b, "{\"id\":%lld,\"report\":%lld,\"status\":\"%s\"}", (long long)photo_id,
                        (long long)report_id, approve ? "approved" : "rejected");
    return police_answer_doc(req, err, &b);
}
