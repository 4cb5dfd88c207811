/*
 * api_screening.c - POST /api/v1/screening/persons, /documents, /vehicles and /batch: a person,
 * a travel document, a vehicle or a batch of them screened against the watch-lists.
 * The body is {"name", "birth_date", "nationality", "sex", "reason"} (strings; all but name
 * and reason may be left out). police_begin_change finds the caller (CSRF for a session),
 * checks screening.query in the permission table (a refusal audited) and reads the body; the
 * rules, the search and the audit entry are screening's (tz_screening_person); this file maps
 * the answer to JSON (render_screening.c) and the errors to problem details.
 */
#include <stdlib.h>

#include "http/police.h"
#include "http/render.h"

#define ANSWER_MAX (1024u * 1024u)

/* The start of a single query: screening enabled (503), the caller and its right, the body with
 * only the allowed members (police_begin_change). False with *answer when it cannot go on. */
static bool begin_query(struct request *req, const char *const *allowed, struct police_ctx *c,
                        json_t **root, enum MHD_Result *answer)
{
    if (!req->srv->screening) {
        *answer = police_refuse(req, 503, "screening is not enabled on this server");
        return false;
    }
    return police_begin_change(req, TZ_ACT_SCREENING, c, allowed, root, answer);
}

enum MHD_Result api_screening_persons(struct request *req)
{
    static const char *const allowed[] = {"name", "birth_date", "nationality",
                                          "sex",  "reason",     NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!begin_query(req, allowed, &c, &root, &answer))
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

/* ---- documents and vehicles ---- */

/* An object query's answer, or the problem of its error. */
static enum MHD_Result obj_answer(struct request *req, tz_err err,
                                  const struct tz_field_errors *errs,
                                  struct tz_screen_obj_answer *a)
{
    if (err == TZ_EFORBIDDEN)
        return police_refuse(req, 403, "your role may not do this");
    if (err == TZ_EINVAL)
        return http_respond_problem(req, err, "some fields are invalid; see errors", errs);
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    struct tz_buf b;
    tz_buf_init(&b, ANSWER_MAX);
    err = tz_http_screen_obj_json(a, &b);
    tz_screen_obj_answer_clear(a);
    return police_answer_doc(req, err, &b);
}

/* POST /api/v1/screening/documents: {"number" or "mrz", "country", "reason"}. */
enum MHD_Result api_screening_documents(struct request *req)
{
    static const char *const allowed[] = {"number", "country", "mrz", "reason", NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!begin_query(req, allowed, &c, &root, &answer))
        return answer;
    struct tz_screen_doc_query q = {
        .number = police_field(root, "number"),
        .country = police_field(root, "country"),
        .mrz = police_field(root, "mrz"),
        .reason = police_field(root, "reason"),
    };
    struct tz_field_errors errs = {0};
    struct tz_screen_obj_answer a;
    struct tz_auth_who who = police_who(&c);
    tz_err err = tz_screening_document(req->srv->screening, &who, &q, &errs, &a);
    json_decref(root);
    police_end(&c);
    return obj_answer(req, err, &errs, &a);
}

/* POST /api/v1/screening/vehicles: {"vin", "plate", "plate_country", "reason"}. */
enum MHD_Result api_screening_vehicles(struct request *req)
{
    static const char *const allowed[] = {"vin", "plate", "plate_country", "reason", NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!begin_query(req, allowed, &c, &root, &answer))
        return answer;
    struct tz_screen_vehicle_query q = {
        .vin = police_field(root, "vin"),
        .plate = police_field(root, "plate"),
        .plate_country = police_field(root, "plate_country"),
        .reason = police_field(root, "reason"),
    };
    struct tz_field_errors errs = {0};
    struct tz_screen_obj_answer a;
    struct tz_auth_who who = police_who(&c);
    tz_err err = tz_screening_vehicle(req->srv->screening, &who, &q, &errs, &a);
    json_decref(root);
    police_end(&c);
    return obj_answer(req, err, &errs, &a);
}

/* ---- batches ---- */

#define BATCH_ANSWER_MAX (64u * 1024u * 1024u)

/* POST /api/v1/screening/batch: {"reason", "items": [{"kind", ...the query's fields}...]}. */
enum MHD_Result api_screening_batch(struct request *req)
{
    static const char *const allowed[] = {"reason", "items", NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    struct tz_field_errors errs = {0};
    struct tz_screen_batch_item *items = NULL;
    size_t n = 0;
    if (!req->srv->screening)
        return police_refuse(req, 503, "screening is not enabled on this server");
    if (!police_begin(req, true, TZ_ACT_SCREENING, &c, &answer)) {
        police_end(&c);
        return answer;
    }
    tz_err err = police_body_object(req, allowed, &root, &errs);
    if (!err && !errs.count) {
        json_t *reason = json_object_get(root, "reason");
        if (reason && !json_is_string(reason))
            tz_fielderr_add(&errs, "/reason", "a string");
        err = tz_http_screen_batch_read(json_object_get(root, "items"), &items, &n, &errs);
    }
    if (err || errs.count) {
        json_decref(root);
        police_end(&c);
        free(items);
        return police_answer_body_error(req, err ? err : TZ_EINVAL, &errs);
    }
    struct tz_screen_batch b;
    struct tz_auth_who who = police_who(&c);
    err = tz_screening_batch(req->srv->screening, &who, items, n, police_field(root, "reason"),
                             &errs, &b);
    free(items);
    json_decref(root);
    police_end(&c);
    if (err == TZ_EFORBIDDEN)
        return police_refuse(req, 403, "your role may not do this");
    if (err == TZ_EINVAL)
        return http_respond_problem(req, err, "some fields are invalid; see errors", &errs);
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    struct tz_buf out;
    tz_buf_init(&out, BATCH_ANSWER_MAX);
    err = tz_http_screen_batch_json(&b, &out);
    tz_screen_batch_clear(&b);
    return police_answer_doc(req, err, &out);
}
