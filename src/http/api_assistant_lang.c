/*
 * api_assistant_lang.c - POST /api/v1/assistant/language and /translate: what language a text
 * is in, and its machine translation beside the original (src/assistant: lang.h, translate.h);
 * GET /api/v1/assistant/search?q=: reports found by their description and, for a role that
 * reads exchange messages, the messages found by their free text (search.h).
 *
 * Both are police-only: every handler passes assistant_allowed() first, the one place here where
 * the permission table's assistant.use is applied and the use is written to the audit log (how
 * many bytes, which languages; never the text, which is police data the log must not copy). A
 * refused or unaudited request reads nothing. The body is one JSON object of strings; texts over
 * the server's 16 KiB body limit are 413 before they are read. A search is audited with its
 * query (who looked up what is what the log is for); its hits are only reports the caller may
 * read (report.read's scope: an officer's districts and assigned reports, a unit, or all).
 *
 * The translation answers 200 with the original always, and with "translation": null and a note
 * when no engine has the pair (the assistant says so rather than inventing one); an engine that
 * fails or times out is 502 with its reason. A translation blocks its worker thread while the
 * engine runs (Apertium starts in about a second), bounded by the engine's deadline.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "assistant/lang.h"
#include "assistant/search.h"
#include "assistant/translate.h"
#include "base/jsonw.h"
#include "base/num.h"
#include "http/police.h"
#include "http/render.h"

#define ASSISTANT_DOC_MAX (1024u * 1024)
#define TRANSLATE_TIMEOUT_MS 60000 /* Apertium starts in a second, in tens on a busy machine */

/*
 * Whether the caller may use the assistant (assistant.use), audited with fields (JSON text)
 * before anything is computed, a refusal too. On false *answer holds the 401/403/503 queued.
 */
static bool assistant_allowed(struct request *req, const char *fields, enum MHD_Result *answer)
{
    struct tz_principal p;
    char client[64];
    if (!police_caller(req, false, &p, answer))
        return false;
    police_client(req, client, sizeof client);
    bool permitted = tz_auth_permit(&p, TZ_ACT_ASSISTANT_USE, NULL, NULL, NULL) == TZ_OK;
    struct tz_audit_rec a = tz_auth_audit_entry(req->srv->auth, &p, NULL, client,
                                                tz_auth_action_code(TZ_ACT_ASSISTANT_USE), NULL);
    a.fields = fields;
    a.outcome = permitted ? "ok" : "refused";
    tz_err err = tz_auth_audit(req->srv->auth, &a);
    if (err) /* no audit entry, no answer */
        *answer = http_respond_problem(req, err, NULL, NULL);
    else if (!permitted)
        *answer = police_refuse(req, 403, "the assistant is not open to your role");
    return !err && permitted;
}

/* The text member of root (required, a string) and its length; NULL with errs filled. */
static const char *body_text(json_t *root, size_t *n, struct tz_field_errors *errs)
{
    json_t *t = json_object_get(root, "text");
    if (!json_is_string(t) || json_string_length(t) == 0) {
        tz_fielderr_add(errs, "/text", "required: the text, a non-empty string");
        return NULL;
    }
    *n = json_string_length(t);
    return json_string_value(t);
}

/* A refusal of the body: 400 for what is no JSON object, 422 with errors otherwise. */
static enum MHD_Result bad_body(struct request *req, json_t *root, tz_err err,
                                const struct tz_field_errors *errs)
{
    json_decref(root);
    return police_answer_body_error(req, err, errs);
}

enum MHD_Result api_assistant_language(struct request *req)
{
    static const char *const allowed[] = {"text", NULL};
    struct tz_field_errors errs = {0};
    json_t *root = NULL;
    enum MHD_Result refused;
    char fields[96];
    size_t n = 0;

    /* The permission first: a refused caller learns nothing of how its body would be read. */
    snprintf(fields, sizeof fields, "{\"endpoint\":\"language\",\"bytes\":%zu}", req->body.len);
    if (!assistant_allowed(req, fields, &refused))
        return refused;
    tz_err err = police_body(req, allowed, &root, &errs);
    if (err)
        return police_answer_body_error(req, err, &errs);
    const char *text = body_text(root, &n, &errs);
    if (!text)
        return bad_body(req, root, TZ_EINVAL, &errs);
    struct tz_buf b;
    tz_buf_init(&b, ASSISTANT_DOC_MAX);
    err = tz_http_language_json(text, n, &b);
    json_decref(root);
    if (err == TZ_ENOTFOUND) {
        tz_buf_free(&b);
        return police_refuse(req, 503, "the language fingerprints are not installed");
    }
    return police_answer_doc(req, err, &b);
}

/* The answer to what tz_translate returned. */
static enum MHD_Result translate_answer(struct request *req, tz_err err, struct tz_translation *t)
{
    struct tz_field_errors errs = {0};
    struct tz_buf b;
    enum MHD_Result r;
    if (err == TZ_OK || err == TZ_ENOTFOUND) {
        tz_buf_init(&b, ASSISTANT_DOC_MAX);
        r = police_answer_doc(req, tz_http_translation_json(t, &b), &b);
    } else if (err == TZ_EIO) {
        r = police_refuse(req, 502, t->reason[0] ? t->reason : "the translation engine failed");
    } else if (err == TZ_EINVAL) {
        tz_fielderr_add(&errs, "/to", "a two-letter ISO 639-1 code other than the text's");
        r = http_respond_problem(req, err, "some fields are invalid; see errors", &errs);
    } else {
        r = http_respond_problem(req, err, NULL, NULL);
    }
    tz_translation_clear(t);
    return r;
}

enum MHD_Result api_assistant_translate(struct request *req)
{
    static const char *const allowed[] = {"text", "from", "to", NULL};
    struct tz_field_errors errs = {0};
    json_t *root = NULL;
    enum MHD_Result refused;
    char fields[96];
    size_t n = 0;

    snprintf(fields, sizeof fields, "{\"endpoint\":\"translate\",\"bytes\":%zu}", req->body.len);
    if (!assistant_allowed(req, fields, &refused))
        return refused;
    tz_err err = police_body(req, allowed, &root, &errs);
    if (err)
        return police_answer_body_error(req, err, &errs);
    const char *text = body_text(root, &n, &errs);
    const char *from = police_field(root, "from");
    const char *to = police_field(root, "to");
    if (!to)
        tz_fielderr_add(&errs, "/to", "required: the language to translate into (ISO 639-1)");
    if (errs.count)
        return bad_body(req, root, TZ_EINVAL, &errs);
    struct tz_translate_config cfg = {
        .libre_url = req->srv->translate_url,
        .timeout_ms = TRANSLATE_TIMEOUT_MS,
    };
    struct tz_translation t;
    err = tz_translate(&cfg, text, n, from, to, &t);
    json_decref(root);
    return translate_answer(req, err, &t);
}

/* Whose reports p may find: report.read's scope, as the search's reach. */
static struct tz_search_scope search_scope(const struct tz_principal *p)
{
    switch (tz_auth_scope_of(p->role, TZ_ACT_REPORT_READ)) {
    case TZ_SCOPE_OWN:
        return (struct tz_search_scope){.reach = TZ_SEARCH_OWN, .account = p->account.name};
    case TZ_SCOPE_UNIT:
        return (struct tz_search_scope){.reach = TZ_SEARCH_UNIT, .unit = p->account.unit};
    case TZ_SCOPE_ALL:
        return (struct tz_search_scope){.reach = TZ_SEARCH_ALL};
    default:
        return (struct tz_search_scope){.reach = TZ_SEARCH_NOTHING};
    }
}

/* Reads q (1 to TZ_SEARCH_QUERY_MAX bytes) and limit (1 to TZ_SEARCH_LIMIT_MAX, 50). */
static bool search_params(struct request *req, const char **q, size_t *limit,
                          struct tz_field_errors *errs)
{
    const char *lim = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "limit");
    int64_t v = 50;
    *q = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "q");
    if (!*q || !(*q)[0])
        tz_fielderr_add(errs, "q", "required: the words to find");
    else if (strlen(*q) > TZ_SEARCH_QUERY_MAX)
        tz_fielderr_add(errs, "q", "at most %d bytes", TZ_SEARCH_QUERY_MAX);
    if (lim && tz_num_parse_i64(lim, strlen(lim), 1, TZ_SEARCH_LIMIT_MAX, &v) != TZ_OK)
        tz_fielderr_add(errs, "limit", "a whole number from 1 to %d", TZ_SEARCH_LIMIT_MAX);
    *limit = (size_t)v;
    return errs->count == 0;
}

enum MHD_Result api_assistant_search(struct request *req)
{
    struct tz_field_errors errs = {0};
    struct tz_principal p;
    enum MHD_Result refused;
    const char *q = NULL;
    size_t limit = 50;
    struct tz_buf fields, b;
    struct tz_jw w;

    if (!police_caller(req, false, &p, &refused))
        return refused;
    if (!search_params(req, &q, &limit, &errs))
        return http_respond_status_problem(req, 400, "bad query parameters", &errs);
    tz_buf_init(&fields, 4 * TZ_SEARCH_QUERY_MAX);
    tz_jw_begin(&w, &fields);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "endpoint", "search");
    tz_jw_kstr(&w, "q", q);
    tz_jw_object_end(&w);
    tz_err err = tz_jw_end(&w);
    if (err) {
        tz_buf_free(&fields);
        return http_respond_problem(req, err, NULL, NULL);
    }
    bool allowed = assistant_allowed(req, fields.data, &refused);
    tz_buf_free(&fields);
    if (!allowed)
        return refused;
    struct tz_search_scope scope = search_scope(&p);
    struct tz_search_result r;
    err = tz_search_reports(tz_auth_store(req->srv->auth), &scope, q, limit, &r);
    if (err == TZ_EINVAL) {
        tz_fielderr_add(&errs, "q", "no words to find (letters or digits)");
        return http_respond_status_problem(req, 400, "bad query parameters", &errs);
    }
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    /* the exchange messages beside the reports, those exchange's rule lets the caller read */
    struct tz_search_msg_result m = {0};
    bool messages =
        req->srv->exchange && tz_auth_scope_of(p.role, TZ_ACT_EXCHANGE_READ) != TZ_SCOPE_NONE;
    if (messages) {
        char client[64];
        police_client(req, client, sizeof client);
        struct tz_xactor who = {&p, client};
        err = tz_search_messages(tz_auth_store(req->srv->auth), req->srv->exchange, &who, q, limit,
                                 &m);
    }
    if (err) {
        tz_search_result_clear(&r);
        return http_respond_problem(req, err, NULL, NULL);
    }
    tz_buf_init(&b, ASSISTANT_DOC_MAX);
    err = tz_http_search_json(q, &r, messages ? &m : NULL, &b);
    tz_search_msg_result_clear(&m);
    tz_search_result_clear(&r);
    return police_answer_doc(req, err, &b);
}
