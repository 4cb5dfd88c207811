/*
 * jsonw.h - the one JSON writer of the house: http renders every JSON and
 * GeoJSON answer through it (DESIGN §2), straight into a bounded buffer.
 *
 * The first failure sticks: every later write is skipped and the error comes
 * back once, from tz_jw_end, so a document reads as one straight sequence of
 * calls instead of a chain of "if (!err)". Commas are the writer's business:
 * it remembers, per nesting level, whether a member or element was written
 * already. Inside an object a value must follow a key (tz_jw_key, or one of
 * the tz_jw_k* shorthands); inside an array values follow one another.
 *
 * Misuse (a value in an object without its key, a close that does not match
 * its open, nesting deeper than TZ_JW_DEPTH) is an error (TZ_EINVAL) like any
 * other, so a bug shows as a failed answer, never as broken JSON.
 */
#ifndef TZ_BASE_JSONW_H
#define TZ_BASE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define TZ_JW_DEPTH 32

struct tz_jw {
    struct tz_buf *b;
    tz_err err;                 /* the first error; later writes are skipped */
    int depth;                  /* 0: top level, where exactly one value goes */
    bool keyed;                 /* a key was written and waits for its value */
    bool any[TZ_JW_DEPTH + 1];  /* something was written at this level (commas) */
    bool array[TZ_JW_DEPTH + 1]; /* this level is an array (else an object) */
};

/* Starts a document that appends to b (which the caller owns). */
void tz_jw_begin(struct tz_jw *w, struct tz_buf *b);
/* The first error of the document, or TZ_EINVAL when it is not closed. */
tz_err tz_jw_end(struct tz_jw *w);

/* { and }, [ and ]. */
void tz_jw_object(struct tz_jw *w);
void tz_jw_object_end(struct tz_jw *w);
void tz_jw_array(struct tz_jw *w);
void tz_jw_array_end(struct tz_jw *w);

/* The key of the next member of an object (escaped as a JSON string). */
void tz_jw_key(struct tz_jw *w, const char *key);

/* Values. */
void tz_jw_str(struct tz_jw *w, const char *s);            /* a string, or null for NULL */
void tz_jw_strn(struct tz_jw *w, const char *s, size_t n); /* n bytes of UTF-8 as a string */
void tz_jw_int(struct tz_jw *w, int64_t v);
void tz_jw_uint(struct tz_jw *w, uint64_t v);
void tz_jw_double(struct tz_jw *w, double v); /* shortest round-trip form; null if not finite */
void tz_jw_fixed6(struct tz_jw *w, double v); /* six decimals (coordinates) */
/*
 * [v0,v1,...] with six decimals each, as tz_jw_array and n tz_jw_fixed6
 * would write it, in one step when n <= TZ_JW_FIXED6_FAST (coordinates: most
 * of a map answer).
 */
#define TZ_JW_FIXED6_FAST 4
void tz_jw_fixed6_array(struct tz_jw *w, const double *v, size_t n);
void tz_jw_bool(struct tz_jw *w, bool v);
void tz_jw_null(struct tz_jw *w);
void tz_jw_time(struct tz_jw *w, int64_t t); /* RFC 3339 UTC, or null for 0 */
/* A value already rendered as JSON by the caller (copied as it is). */
void tz_jw_raw(struct tz_jw *w, const char *json, size_t n);

/* "key": value in one call, for the common cases. */
void tz_jw_kstr(struct tz_jw *w, const char *key, const char *s);
void tz_jw_kint(struct tz_jw *w, const char *key, int64_t v);
void tz_jw_kuint(struct tz_jw *w, const char *key, uint64_t v);
void tz_jw_kdouble(struct tz_jw *w, const char *key, double v);
void tz_jw_kbool(struct tz_jw *w, const char *key, bool v);
void tz_jw_ktime(struct tz_jw *w, const char *key, int64_t t);
void tz_jw_knull(struct tz_jw *w, const char *key);

#endif
