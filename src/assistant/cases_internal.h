/*
 * cases_internal.h - what cases.c and case_ask.c share: a case's readable messages, the
 * permission and the audit entry of a call.
 */
#ifndef TZ_ASSISTANT_CASES_INTERNAL_H
#define TZ_ASSISTANT_CASES_INTERNAL_H

#include "assistant/cases.h"

/* A case's readable messages, oldest first. */
struct tz_acase_loaded {
    struct tz_acase_msg *m;
    size_t n, total; /* readable; in the case */
    bool truncated;  /* a text was left out: together past TZ_ASSIST_TEXT_MAX */
};

/* Reads case id for c (the thread's read and each message's audited by exchange); a message
 * the caller may not read is left out. Free with tz_acase_loaded_clear. */
tz_err tz_acase_load(const struct tz_acase_ctx *c, int64_t id, struct tz_acase_loaded *out);
void tz_acase_loaded_clear(struct tz_acase_loaded *l);
/* assistant.use for c's principal; a refusal audited under purpose. */
tz_err tz_acase_permit(const struct tz_acase_ctx *c, const char *purpose);
/* The call's assistant.use entry (object "assistant/<purpose>"). */
tz_err tz_acase_audit(const struct tz_acase_ctx *c, const char *purpose, const char *fields,
                      const char *outcome);
/* Copies the words of q from its message's text into q->text. */
void tz_acase_quote_fill(struct tz_acase_quote *q, const char *text);
/* Code points of s[a, b). */
size_t tz_acase_code_points(const char *s, size_t a, size_t b);

#endif
