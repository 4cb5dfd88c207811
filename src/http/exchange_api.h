/*
 * exchange_api.h - what the exchange's newer API files share
 * (api_exchange_events.c, api_exchange_retention.c; private to src/http):
 * the caller, query parameters, the reader's language, a refusal of the
 * permission table, and a JSON answer. The same steps as api_exchange.c's
 * own, which can move here when it is next changed.
 */
#ifndef TZ_HTTP_EXCHANGE_API_H
#define TZ_HTTP_EXCHANGE_API_H

#include "base/jsonw.h"
#include "exchange/exchange.h"
#include "http/police.h"

/* Bytes an exchange answer may take. */
#define XAPI_ANSWER_MAX (4u * 1024 * 1024)

/* The caller (changes: CSRF too), or false with the answer queued (401, 403, 503). */
bool xapi_caller(struct request *req, bool changes, struct police_ctx *c, enum MHD_Result *answer);
/* The query parameter key, or NULL. */
const char *xapi_param(struct request *req, const char *key);
/* The reader's language: ?lang=, else Accept-Language's first tag, else Polish. */
enum tz_xlang xapi_lang(struct request *req);
/* A refusal of the permission table, audited, then 403. */
enum MHD_Result xapi_forbidden(struct request *req, struct police_ctx *c,
                               enum tz_auth_action action);
/* Ends the document of w in b and answers it with status (or the writer's error). */
enum MHD_Result xapi_answer(struct request *req, unsigned status, struct tz_buf *b,
                            struct tz_jw *w);
/* ?direction=in|out: *inbound, or false with the 422 queued. */
bool xapi_direction(struct request *req, bool *inbound, enum MHD_Result *answer);
/* A domain error as problem+json (errs may be empty), with what for 404. */
enum MHD_Result xapi_problem(struct request *req, tz_err err, const char *what,
                             struct tz_field_errors *errs);

#endif
