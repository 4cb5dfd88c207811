/*
 * api_assistant_cases.c - the assistant over an exchange case (issue 16):
 *   GET  /api/v1/assistant/cases/{id}?sentences=&abstractive=  the case's digest: a summary of
 *        its readable messages together, a timeline, the table of its entities;
 *   POST /api/v1/assistant/cases/{id}/ask {"question", "model"?}  a question answered from the
 *        case's readable messages, with citations ("model": false: the passages alone);
 *   POST /api/v1/assistant/messages/{id}/entities {"type", "start", "end"}  the entity found
 *        there added to the message's case (201).
 * Police only (assistant.use), the rules, permissions and audit entries are the assistant's
 * (assistant/cases.h); exchange must be configured (503 otherwise). This file reads the input,
 * maps the outcome to a status and writes the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assistant/cases.h"
#include "http/police.h"
#include "http/render.h"

#define ANSWER_MAX (4u * 1024 * 1024)
#define LLM_TIMEOUT_MS 60000

static enum MHD_Result answer_error(struct request *req, tz_err err)
{
    switch (err) {
    case TZ_EFORBIDDEN:
        return police_refuse(req, 403, "this case or message is outside your units or role");
    case TZ_ENOTFOUND:
        return http_respond_status_problem(req, 404, "no such case or message", NULL);
    case TZ_ECONFLICT:
        return http_respond_status_problem(req, 409, "the case has this entity already", NULL);
    case TZ_EMALFORMED:
        return http_respond_status_problem(req, 400, "the text is not valid UTF-8", NULL);
    default:
        return http_respond_problem(req, err, NULL, NULL);
    }
}

static struct tz_acase_ctx ctx_of(struct request *req, const struct police_ctx *c,
                                  const struct tz_llm_config *llm)
{
    return (struct tz_acase_ctx){.auth = req->srv->auth,
                                 .who = police_who(c),
                                 .exchange = req->srv->exchange,
                                 .store = tz_auth_store(req->srv->auth),
                                 .llm = llm};
}

static void put_quote(struct tz_jw *w, const struct tz_acase_quote *q)
{
    tz_jw_object(w);
    tz_jw_kint(w, "message_id", q->message_id);
    tz_jw_kuint(w, "start", q->cstart);
    tz_jw_kuint(w, "end", q->cend);
    tz_jw_kstr(w, "text", q->text);
    char score[24];
    int n = snprintf(score, sizeof score, "%.3f", q->score);
    tz_jw_key(w, "score");
    tz_jw_raw(w, score, n > 0 ? (size_t)n : 0);
    tz_jw_object_end(w);
}

static void put_added(struct tz_jw *w, const struct tz_acase_entity_rec *r)
{
    tz_jw_object(w);
    tz_jw_kint(w, "id", r->id);
    tz_jw_kint(w, "case_id", r->case_id);
    tz_jw_kint(w, "message_id", r->message_id);
    tz_jw_kstr(w, "type", r->type);
    tz_jw_kstr(w, "value", r->value);
    if (r->detail[0])
        tz_jw_kstr(w, "detail", r->detail);
    tz_jw_kstr(w, "text", r->text);
    tz_jw_kstr(w, "key", r->key);
    tz_jw_kint(w, "start", r->start);
    tz_jw_kint(w, "end", r->end);
    tz_jw_kstr(w, "added_by", r->actor);
    tz_jw_kstr(w, "unit", r->unit);
    tz_jw_ktime(w, "added_at", r->at);
    tz_jw_object_end(w);
}

static void put_timeline(struct tz_jw *w, const struct tz_acase_digest *d)
{
    tz_jw_key(w, "timeline");
    tz_jw_array(w);
    for (size_t i = 0; i < d->event_count; i++) {
        const struct tz_acase_event *e = &d->events[i];
        tz_jw_object(w);
        tz_jw_kstr(w, "when", e->when);
        tz_jw_kstr(w, "kind", e->kind);
        tz_jw_kstr(w, "what", e->what);
        tz_jw_kint(w, "message_id", e->message_id);
        if (e->span) {
            tz_jw_kuint(w, "start", e->cstart);
            tz_jw_kuint(w, "end", e->cend);
        }
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
}

static void put_rows(struct tz_jw *w, const struct tz_acase_digest *d)
{
    tz_jw_key(w, "entities");
    tz_jw_array(w);
    for (size_t i = 0; i < d->row_count; i++) {
        const struct tz_acase_row *r = &d->rows[i];
        tz_jw_object(w);
        tz_jw_kstr(w, "type", tz_assist_type_code(r->type));
        tz_jw_kstr(w, "value", r->value);
        if (r->detail[0])
            tz_jw_kstr(w, "detail", r->detail);
        tz_jw_kuint(w, "count", r->count);
        tz_jw_key(w, "messages");
        tz_jw_array(w);
        for (size_t k = 0; k < r->message_count; k++)
            tz_jw_int(w, r->messages[k]);
        tz_jw_array_end(w);
        tz_jw_kbool(w, "added", r->added);
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
    tz_jw_key(w, "added");
    tz_jw_array(w);
    for (size_t i = 0; i < d->added_count; i++)
        put_added(w, &d->added[i]);
    tz_jw_array_end(w);
}

static tz_err digest_json(const struct tz_acase_digest *d, struct tz_buf *out)
{
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    tz_jw_kint(&w, "case_id", d->case_id);
    tz_jw_kuint(&w, "messages", d->messages);
    tz_jw_kuint(&w, "readable", d->readable);
    tz_jw_kbool(&w, "truncated", d->truncated);
    if (d->language[0])
        tz_jw_kstr(&w, "language", d->language);
    else
        tz_jw_knull(&w, "language");
    tz_jw_kuint(&w, "sentences", d->sentences);
    tz_jw_key(&w, "summary");
    tz_jw_array(&w);
    for (size_t i = 0; i < d->summary_count; i++)
        put_quote(&w, &d->summary[i]);
    tz_jw_array_end(&w);
    if (d->llm.text) {
        tz_jw_key(&w, "abstractive");
        tz_jw_object(&w);
        tz_jw_kstr(&w, "text", d->llm.text);
        tz_jw_kstr(&w, "label", TZ_LLM_LABEL);
        if (d->llm.model[0])
            tz_jw_kstr(&w, "model", d->llm.model);
        tz_jw_object_end(&w);
    } else {
        tz_jw_knull(&w, "abstractive");
        tz_jw_kstr(&w, "abstractive_note",
                   d->llm.reason[0] ? d->llm.reason : "no language model server is configured");
    }
    if (d->llm_asked && !d->llm.text)
        tz_jw_kstr(&w, "note", "the language model failed; the extractive summary stands");
    put_timeline(&w, d);
    put_rows(&w, d);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

/* GET /api/v1/assistant/cases/{id}: the digest. */
enum MHD_Result api_assistant_case(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!api_x_caller(req, false, &c, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    const char *s = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "sentences");
    const char *ab = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "abstractive");
    char *end = NULL;
    long want = s ? strtol(s, &end, 10) : 0;
    if (s && (!*s || *end || want < 1 || want > TZ_SUMMARY_WANT_MAX))
        tz_fielderr_add(&errs, "sentences", "an integer from 1 to %d", TZ_SUMMARY_WANT_MAX);
    if (ab && strcmp(ab, "true") != 0 && strcmp(ab, "false") != 0)
        tz_fielderr_add(&errs, "abstractive", "true or false");
    if (errs.count)
        return http_respond_status_problem(req, 400, "bad query parameters", &errs);
    struct tz_llm_config llm = {.url = req->srv->llm_url, .timeout_ms = LLM_TIMEOUT_MS};
    if (ab && strcmp(ab, "false") == 0)
        llm.url = NULL;
    struct tz_acase_ctx ac = ctx_of(req, &c, &llm);
    struct tz_acase_digest d;
    tz_err err = tz_assist_case_digest_as(&ac, req->id, (size_t)want, &d);
    if (err)
        return answer_error(req, err);
    struct tz_buf b;
    tz_buf_init(&b, ANSWER_MAX);
    err = digest_json(&d, &b);
    tz_acase_digest_clear(&d);
    if (err) {
        tz_buf_free(&b);
        return answer_error(req, err);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

static tz_err answer_json(const struct tz_acase_answer *a, struct tz_buf *out)
{
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    if (a->text)
        tz_jw_kstr(&w, "answer", a->text);
    else
        tz_jw_knull(&w, "answer");
    tz_jw_kstr(&w, "label", a->label ? a->label : TZ_ACASE_EXTRACTIVE_LABEL);
    if (a->model[0])
        tz_jw_kstr(&w, "model", a->model);
    tz_jw_key(&w, "citations");
    tz_jw_array(&w);
    if (a->text)
        for (size_t i = 0; i < a->cite_count; i++)
            tz_jw_int(&w, a->cites[i]);
    else /* the extractive answer: its passages are its citations */
        for (size_t i = 0; i < a->passage_count; i++)
            tz_jw_int(&w, a->passages[i].message_id);
    tz_jw_array_end(&w);
    tz_jw_key(&w, "dropped_citations");
    tz_jw_array(&w);
    for (size_t i = 0; i < a->rejected_count; i++)
        tz_jw_int(&w, a->rejected[i]);
    tz_jw_array_end(&w);
    tz_jw_key(&w, "passages");
    tz_jw_array(&w);
    for (size_t i = 0; i < a->passage_count; i++)
        put_quote(&w, &a->passages[i]);
    tz_jw_array_end(&w);
    if (a->note[0])
        tz_jw_kstr(&w, "note", a->note);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

/* The body as a JSON object of the allowed members; false with the answer queued. */
static bool body(struct request *req, const char *const *allowed, json_t **root,
                 enum MHD_Result *answer)
{
    struct tz_field_errors errs = {0};
    tz_err err = police_body_object(req, allowed, root, &errs);
    if (!err && errs.count) {
        json_decref(*root);
        *root = NULL;
        err = TZ_EINVAL;
    }
    if (!err)
        return true;
    *answer = police_answer_body_error(req, err, &errs);
    return false;
}

/* POST /api/v1/assistant/cases/{id}/ask {"question"}. */
enum MHD_Result api_assistant_ask(struct request *req)
{
    static const char *const allowed[] = {"question", "model", NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!api_x_caller(req, true, &c, &answer) || !body(req, allowed, &root, &answer))
        return answer;
    json_t *q = json_object_get(root, "question");
    struct tz_field_errors errs = {0};
    if (!json_is_string(q) || json_string_length(q) == 0)
        tz_fielderr_add(&errs, "/question", "required: a question about the case");
    else if (json_string_length(q) > TZ_ACASE_QUESTION_MAX)
        tz_fielderr_add(&errs, "/question", "at most %d bytes", TZ_ACASE_QUESTION_MAX);
    json_t *model = json_object_get(root, "model");
    if (model && !json_is_boolean(model))
        tz_fielderr_add(&errs, "/model", "true or false");
    if (errs.count) {
        json_decref(root);
        return http_respond_problem(req, TZ_EINVAL, "some fields are invalid; see errors", &errs);
    }
    struct tz_llm_config llm = {.url = req->srv->llm_url, .timeout_ms = LLM_TIMEOUT_MS};
    if (json_is_false(model))
        llm.url = NULL; /* the extractive answer asked for */
    struct tz_acase_ctx ac = ctx_of(req, &c, &llm);
    struct tz_acase_answer a;
    tz_err err =
        tz_assist_case_ask_as(&ac, req->id, json_string_value(q), json_string_length(q), &a);
    json_decref(root);
    if (err)
        return answer_error(req, err);
    struct tz_buf b;
    tz_buf_init(&b, ANSWER_MAX);
    err = answer_json(&a, &b);
    tz_acase_answer_clear(&a);
    if (err) {
        tz_buf_free(&b);
        return answer_error(req, err);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}

/* A member that must be a non-negative integer; errs names it otherwise. */
static size_t index_of(json_t *root, const char *key, struct tz_field_errors *errs)
{
    json_t *v = json_object_get(root, key);
    if (json_is_integer(v) && json_integer_value(v) >= 0 &&
        json_integer_value(v) <= TZ_ASSIST_TEXT_MAX)
        return (size_t)json_integer_value(v);
    tz_fielderr_add(errs, key[0] == 's' ? "/start" : "/end",
                    "required: a code point offset in the message's text");
    return 0;
}

/* POST /api/v1/assistant/messages/{id}/entities {"type", "start", "end"}: 201 the row. */
enum MHD_Result api_assistant_add_entity(struct request *req)
{
    static const char *const allowed[] = {"type", "start", "end", NULL};
    struct police_ctx c;
    enum MHD_Result answer;
    json_t *root = NULL;
    if (!api_x_caller(req, true, &c, &answer) || !body(req, allowed, &root, &answer))
        return answer;
    struct tz_field_errors errs = {0};
    const char *type = police_field(root, "type");
    enum tz_assist_type t = TZ_ENT_PERSON;
    if (!type || tz_assist_type_parse(type, &t) != TZ_OK)
        tz_fielderr_add(&errs, "/type", "an entity type of the analysis (phone, person...)");
    size_t start = index_of(root, "start", &errs), end = index_of(root, "end", &errs);
    if (!errs.count && end <= start)
        tz_fielderr_add(&errs, "/end", "after start");
    json_decref(root);
    if (errs.count)
        return http_respond_problem(req, TZ_EINVAL, "some fields are invalid; see errors", &errs);
    struct tz_acase_ctx ac = ctx_of(req, &c, NULL);
    struct tz_acase_entity_rec rec;
    tz_err err = tz_assist_case_add_as(&ac, req->id, t, start, end, &rec);
    if (err == TZ_EINVAL) {
        tz_fielderr_add(&errs, "/start", "the message's text has no entity of that type there");
        return http_respond_problem(req, TZ_EINVAL, "no such entity in the message", &errs);
    }
    if (err)
        return answer_error(req, err);
    struct tz_buf b;
    tz_buf_init(&b, 64 * 1024);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    put_added(&w, &rec);
    if ((err = tz_jw_end(&w))) {
        tz_buf_free(&b);
        return answer_error(req, err);
    }
    return http_respond_json(req, 201, &b);
}
