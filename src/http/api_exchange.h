/*
 * api_exchange.h - what the exchange's handler files share (private to
 * src/http): finding the caller, the reader's language, the audited 403, and
 * answering a JSON document (api_exchange.c).
 */
#ifndef TZ_HTTP_API_EXCHANGE_H
#define TZ_HTTP_API_EXCHANGE_H

#include "base/jsonw.h"
#include "exchange/exchange.h"
#include "http/police.h"

/* The caller, or false with the answer queued (401, 403, 503: no exchange configured). */
bool api_x_caller(struct request *req, bool changes, struct police_ctx *c, enum MHD_Result *answer);
/* The query parameter key, or NULL. */
const char *api_x_param(struct request *req, const char *key);
/* The reader's language: ?lang=, else Accept-Language's first tag, else Polish. */
enum tz_xlang api_x_reader_lang(struct request *req);
/* A refusal of the permission table, audited, then 403. */
enum MHD_Result api_x_forbidden(struct request *req, struct police_ctx *c,
                                enum tz_auth_action action);
/* Ends w's document in b and answers it with status (or the problem of its first error). */
enum MHD_Result api_x_answer_doc(struct request *req, unsigned status, struct tz_buf *b,
                                 struct tz_jw *w);

#endif
