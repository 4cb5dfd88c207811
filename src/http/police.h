/*
 * police.h - what the police endpoints (api_auth.c, api_police.c,
 * api_police_lists.c, api_accounts.c) share: finding the caller, CSRF,
 * small JSON bodies, and the steps every police handler takes (police_begin:
 * the caller, the report of the path, the permission). Private to src/http.
 */
#ifndef TZ_HTTP_POLICE_H
#define TZ_HTTP_POLICE_H

#include <jansson.h>

#include "auth/auth.h"
#include "exchange/exchange.h"
#include "http/internal.h"

/* The caller's address as text (for the audit log). */
void police_client(struct request *req, char *out, size_t size);
/*
 * Finds who calls: an API token (Authorization: Bearer) or the session
 * cookie; for a request that changes something (changes) also checks
 * X-CSRF-Token. On false *answer holds the 401/403/503 already queued.
 */
bool police_caller(struct request *req, bool changes, struct tz_principal *p,
                   enum MHD_Result *answer);
/* A problem answer of an explicit status with a detail. */
enum MHD_Result police_refuse(struct request *req, unsigned status, const char *detail);
/*
 * Reads the body as a JSON object (TZ_EMALFORMED when it is not one) and
 * lists in errs each member whose key is not in allowed (a NULL-terminated
 * list); the caller checks the members' values and answers errs.
 */
tz_err police_body_object(struct request *req, const char *const *allowed, json_t **out,
                          struct tz_field_errors *errs);
/*
 * police_body_object for a body of strings: also each member a string or
 * null. TZ_EMALFORMED, or TZ_EINVAL with errs.
 */
tz_err police_body(struct request *req, const char *const *allowed, json_t **out,
                   struct tz_field_errors *errs);
/* The string member key of root, or NULL (absent or null). */
const char *police_field(json_t *root, const char *key);
/* Answers a police_body error. */
enum MHD_Result police_answer_body_error(struct request *req, tz_err err,
                                         const struct tz_field_errors *errs);

/* What a police handler works with: the caller, the report of the path and where it lies. */
struct police_ctx {
    struct tz_principal p;
    char client[64];
    char object[48]; /* "report/12": the audit entries' object */
    struct tz_report_rec rec;
    const struct tz_district_rec *district;
    char assignee[TZ_ACCOUNT_NAME_MAX];
};

/*
 * Finds the caller (changes: CSRF too) and, on a path with {id}, the report;
 * checks that the caller may take action on it (on no report: at some
 * scope). A refusal is audited. On false *answer holds the answer already
 * queued; release c with police_end either way.
 */
bool police_begin(struct request *req, bool changes, enum tz_auth_action action,
                  struct police_ctx *c, enum MHD_Result *answer);
void police_end(struct police_ctx *c);
/*
 * police_begin for a change, then the body: a JSON object of the allowed
 * string members. On false *answer holds the refusal already queued and c is
 * released.
 */
bool police_begin_change(struct request *req, enum tz_auth_action action, struct police_ctx *c,
                         const char *const *allowed, json_t **root, enum MHD_Result *answer);
/* The caller as tz_auth's `who` of a change (the caller and their address). */
struct tz_auth_who police_who(const struct police_ctx *c);
/* Writes a refusal (outcome, why) of action on c->object to the audit log. */
void police_audit_refusal(struct request *req, struct police_ctx *c, enum tz_auth_action action,
                          const char *outcome, const char *why);
/* Audits a read of a list of count entries; false (and 503 queued) when it cannot be written. */
bool police_audit_read(struct request *req, struct police_ctx *c, enum tz_audit_action action,
                       size_t count, enum MHD_Result *answer);
/* Answers 200 with b (rendered; err its writer's first failure), or the problem of err. */
enum MHD_Result police_answer_doc(struct request *req, tz_err err, struct tz_buf *b);
/* The unit of a district of the threat map (tz_auth_unit_fn; ctx the struct tz_threatmap). */
const char *police_unit_of(void *ctx, const char *district_id);

/* The exchange's handlers share (api_exchange.c; used by api_exchange_codes.c): the caller
 * (503 when the exchange is off), the reader's language (?lang=, Accept-Language, Polish), and
 * an audited 403. */
bool api_x_caller(struct request *req, bool changes, struct police_ctx *c, enum MHD_Result *answer);
enum tz_xlang api_x_reader_lang(struct request *req);
enum MHD_Result api_x_forbidden(struct request *req, struct police_ctx *c,
                                enum tz_auth_action action);

#endif
