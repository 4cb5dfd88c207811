/*
 * api_screening.c - POST /api/v1/screening/persons: a person screened against the watch-lists.
 * The body is {"name", "birth_date", "nationality", "sex", "reason"} (strings; all but name
 * and reason may be left out). police_begin_change finds the caller (CSRF for a session),
 * checks screening.query in the permission table (a refusal audited) and reads the body; the
 * rules, the search and the audit entry are screening's (tz_screening_person); this file maps
 * the answer to JSON (render_screening.c) and the errors to problem details.
 */
#include "http/police.h"
#include "http/render.h"

#define ANSWER_MAX (1024u * 1024u)

enum MHD_Result api_screening_persons(struct request *req)
{
    static const char *const allowed[] = {"name", "birth_date", "nationality", "sex", "reason",
                                          NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!req->srv->screening)
        return police_refuse(req, 503, "screening is not enabled on this server");
    if (!police_begin_change(req, TZ_ACT_SCREENING, &c, allowed, &root, &answer))
        return answer;
    struct tz_screen_person_query q = {
        .name = police_field(root, "name"),
        .birth_date = police_field(root, "birth_date"),
        .nationality = police_field(root, "nationality"),
        .sex = police_field(root, "sex"),
        .reason = police_field(root, "reason"),
    };
    struct tz_field_errors errs = {0};
    struct tz_screen_answer a;
    struct tz_auth_who who = police_who(&c);
    tz_err err = tz_screening_person(req->srv->screening, &who, &q, &errs, &a);
    json_decref(root);
    police_end(&c);
    if (err == TZ_EFORBIDDEN)
        return police_refuse(req, 403, "your role may not do this");
    if (err == TZ_EINVAL)
        return http_respond_problem(req, err, "some fields are invalid; see errors", &errs);
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    struct tz_buf b;
    tz_buf_init(&b, ANSWER_MAX);
    err = tz_http_screen_answer_json(&a, &b);
    tz_screen_answer_clear(&a);
    return police_answer_doc(req, err, &b);
}
