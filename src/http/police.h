/*
 * police.h - what the police endpoints (api_auth.c, api_police.c) share:
 * finding the caller, CSRF, small JSON bodies. Private to src/http.
 */
#ifndef TZ_HTTP_POLICE_H
#define TZ_HTTP_POLICE_H

#include <jansson.h>

#include "auth/auth.h"
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

#endif
