/*
 * api_assistant.c - POST /api/v1/assistant/analyse and .../redact
 * {"text", "reference_date"?}: the entities of a text and, for redact, the
 * redactions proposed for a threat-map report's description (issue 16).
 *
 * For the police only (the permission table's assistant.use; a cookie
 * session sends X-CSRF-Token as for any POST). The rules, the permission
 * check and the audit entry are the assistant's (tz_assist_analyse_as);
 * this file reads the body, maps the outcome to a status and writes the
 * answer (render_assistant.c). A body over the JSON limit is 413 before it
 * is read; invalid UTF-8 or a NUL is 400 as every JSON body (jansson
 * refuses it); text missing or not a string, or a reference_date that is
 * neither an RFC 3339 time nor a date, is 422 naming the field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/police.h"
#include "http/render.h"

#define ASSIST_ANSWER_MAX (4u * 1024 * 1024)
#define LLM_TIMEOUT_MS 60000 /* a model on a CPU writes a few sentences in tens of seconds */

/* The district names of the threat map: places the assistant finds too. */
static const char **district_names(struct request *req, size_t *count)
{
    size_t n = tz_threatmap_district_count(req->srv->tm);
    *count = 0;
    const char **names = n ? calloc(n, sizeof *names) : NULL;
    for (size_t i = 0; names && i < n; i++) {
        const struct tz_district_rec *d = tz_threatmap_district_at(req->srv->tm, i);
        if (d && d->name)
            names[(*count)++] = d->name;
    }
    return names;
}

static enum MHD_Result answer_error(struct request *req, tz_err err)
{
    if (err == TZ_EFORBIDDEN)
        return police_refuse(req, 403, "the assistant is not for your role");
    if (err == TZ_EMALFORMED)
        return http_respond_status_problem(req, 400, "the text is not valid UTF-8", NULL);
    if (err == TZ_ETOOBIG) {
        struct tz_field_errors errs = {0};
        tz_fielderr_add(&errs, "/text", "at most %u bytes", TZ_ASSIST_TEXT_MAX);
        return http_respond_status_problem(req, 413, "the text is too long", &errs);
    }
    return http_respond_problem(req, err, NULL, NULL);
}

/*
 * police_begin_change for a body whose members are not all strings ("link": true,
 * "sentences": 3): the caller, the permission and CSRF, then the body as a JSON object of the
 * allowed members, each checked by the handler. On false *answer holds the refusal queued.
 */
static bool begin_typed(struct request *req, struct police_ctx *c, const char *const *allowed,
                        json_t **root, enum MHD_Result *answer)
{
    struct tz_field_errors errs = {0};
    if (!police_begin(req, true, TZ_ACT_ASSISTANT_USE, c, answer))
        return false;
    tz_err err = police_body_object(req, allowed, root, &errs);
    if (!err && errs.count) {
        json_decref(*root);
        *root = NULL;
        err = TZ_EINVAL;
    }
    if (!err)
        return true;
    *answer = police_answer_body_error(req, err, &errs);
    police_end(c);
    return false;
}

static enum MHD_Result assist(struct request *req, const char *purpose, bool redact)
{
    static const char *const allowed[] = {"text", "reference_date", "link", NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!begin_typed(req, &c, allowed, &root, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "assistant/%s", purpose);
    struct tz_field_errors errs = {0};
    json_t *text = json_object_get(root, "text");
    const char *ref_text = police_field(root, "reference_date");
    json_t *ref = json_object_get(root, "reference_date");
    if (ref && !json_is_string(ref) && !json_is_null(ref))
        tz_fielderr_add(&errs, "/reference_date", "must be a string");
    struct tz_assist_request rq = {0};
    if (!json_is_string(text))
        tz_fielderr_add(&errs, "/text", "required: the text to analyse");
    if (ref_text && tz_assist_reference_parse(ref_text, &rq.reference))
        tz_fielderr_add(&errs, "/reference_date", "a date (2026-03-12) or an RFC 3339 time");
    json_t *link = json_object_get(root, "link");
    if (link && !json_is_boolean(link))
        tz_fielderr_add(&errs, "/link", "true or false");
    if (errs.count) {
        police_audit_refusal(req, &c, TZ_ACT_ASSISTANT_USE, "refused", errs.items[0].message);
        json_decref(root);
        police_end(&c);
        return http_respond_problem(req, TZ_EINVAL, "some fields are invalid; see errors", &errs);
    }
    rq.text = json_string_value(text);
    rq.len = json_string_length(text);
    const char **places = district_names(req, &rq.place_count);
    rq.places = places;
    struct tz_assist_linker linker = {req->srv->screening, req->srv->exchange};
    struct tz_assist_links links = {0};
    bool linking = json_is_true(link);
    struct tz_assist_caller who = {.auth = req->srv->auth,
                                   .who = police_who(&c),
                                   .purpose = purpose,
                                   .link = linking ? &linker : NULL,
                                   .links = &links};
    struct tz_assist_result res = {0};
    struct tz_redactions red = {0};
    tz_err err = tz_assist_analyse_as(&who, &rq, &res, redact ? &red : NULL);
    struct tz_buf b;
    tz_buf_init(&b, ASSIST_ANSWER_MAX);
    if (!err)
        err = tz_http_assist_json(&rq, &res, redact ? &red : NULL, linking ? &links : NULL, &b);
    tz_assist_links_clear(&links);
    tz_redactions_clear(&red);
    tz_assist_result_clear(&res);
    free(places);
    json_decref(root);
    police_end(&c);
    if (err) {
        tz_buf_free(&b);
        return answer_error(req, err);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

enum MHD_Result api_assistant_analyse(struct request *req)
{
    return assist(req, "analyse", false);
}

enum MHD_Result api_assistant_redact(struct request *req)
{
    return assist(req, "redact", true);
}

/*
 * POST /api/v1/assistant/summarise {"text", "sentences"?, "abstractive"?}: the extractive
 * summary always; the language model's beside it when serve --llm-url names one and
 * "abstractive" is not false. A model that fails or times out is said in the answer (200),
 * never an error: the extractive summary stands.
 */
enum MHD_Result api_assistant_summarise(struct request *req)
{
    static const char *const allowed[] = {"text", "sentences", "abstractive", NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!begin_typed(req, &c, allowed, &root, &answer))
        return answer;
    snprintf(c.object, sizeof c.object, "assistant/summarise");
    struct tz_field_errors errs = {0};
    json_t *text = json_object_get(root, "text");
    json_t *want = json_object_get(root, "sentences");
    json_t *abstractive = json_object_get(root, "abstractive");
    if (!json_is_string(text))
        tz_fielderr_add(&errs, "/text", "required: the text to summarise");
    if (want && (!json_is_integer(want) || json_integer_value(want) < 1 ||
                 json_integer_value(want) > TZ_SUMMARY_WANT_MAX))
        tz_fielderr_add(&errs, "/sentences", "an integer from 1 to %d", TZ_SUMMARY_WANT_MAX);
    if (abstractive && !json_is_boolean(abstractive))
        tz_fielderr_add(&errs, "/abstractive", "true or false");
    if (errs.count) {
        police_audit_refusal(req, &c, TZ_ACT_ASSISTANT_USE, "refused", errs.items[0].message);
        json_decref(root);
        police_end(&c);
        return http_respond_problem(req, TZ_EINVAL, "some fields are invalid; see errors", &errs);
    }
    struct tz_llm_config llm = {.url = req->srv->llm_url, .timeout_ms = LLM_TIMEOUT_MS};
    if (json_is_false(abstractive))
        llm.url = NULL;
    struct tz_assist_caller who = {
        .auth = req->srv->auth, .who = police_who(&c), .purpose = "summarise"};
    struct tz_summary_answer a;
    tz_err err = tz_assist_summarise_as(&who, json_string_value(text), json_string_length(text),
                                        want ? (size_t)json_integer_value(want) : 0, &llm, &a);
    if (!err && req->srv->llm_url && json_is_false(abstractive))
        snprintf(a.llm.reason, sizeof a.llm.reason, "not asked: the request said no");
    struct tz_buf b;
    tz_buf_init(&b, ASSIST_ANSWER_MAX);
    if (!err)
        err = tz_http_summary_json(json_string_value(text), &a, &b);
    tz_summary_answer_clear(&a);
    json_decref(root);
    police_end(&c);
    if (err) {
        tz_buf_free(&b);
        return answer_error(req, err);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}
