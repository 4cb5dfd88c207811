/*
 * fielderr.h - a bounded list of per-field input errors.
 *
 * Validators append one entry per bad field (a JSON Pointer such as "/lat"
 * or a query parameter name, and an English message); the HTTP layer turns
 * the list into the "errors" member of an RFC 9457 problem document.
 */
#ifndef TZ_BASE_FIELDERR_H
#define TZ_BASE_FIELDERR_H

#include <stddef.h>

#define TZ_FIELDERR_MAX 16
#define TZ_FIELD_NAME_MAX 64
#define TZ_FIELD_MESSAGE_MAX 160

struct tz_field_error {
    char field[TZ_FIELD_NAME_MAX]; /* JSON Pointer into the body, or a parameter name */
    char message[TZ_FIELD_MESSAGE_MAX];
};

struct tz_field_errors {
    size_t count;   /* entries kept, at most TZ_FIELDERR_MAX */
    size_t dropped; /* entries beyond the maximum, counted but not kept */
    struct tz_field_error items[TZ_FIELDERR_MAX];
};

/* Adds an error; text longer than the fields is cut at a UTF-8 boundary. */
void tz_fielderr_add(struct tz_field_errors *errs, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
