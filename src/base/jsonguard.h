/*
 * jsonguard.h - parsing JSON with jansson without losing a byte under memory
 * pressure. jansson's lexer drops a byte when it cannot grow its buffer
 * (lex_save ignores the failure of strbuffer_append_byte), so a body can parse
 * "successfully" into a string with a character missing. Every parser of
 * outside JSON brackets its json_load* call with these two: a parse during
 * which an allocation failed is TZ_ENOMEM (503), never a 400 or a changed text.
 */
#ifndef TZ_BASE_JSONGUARD_H
#define TZ_BASE_JSONGUARD_H

#include <stdbool.h>

/* Starts counting jansson's failed allocations on this thread (and installs the counting
 * allocator, once per process, on the first call). */
void tz_json_guard_begin(void);
/* Whether an allocation of jansson's failed on this thread since tz_json_guard_begin. */
bool tz_json_guard_failed(void);

#endif
