/*
 * buf.h - a growable byte buffer with a hard maximum (like curl's dynbuf).
 *
 * The maximum is fixed when the buffer is made; an append that would pass it
 * fails with TZ_ETOOBIG and leaves the buffer as it was. The contents are
 * always NUL-terminated so that they can be used as a C string.
 */
#ifndef TZ_BASE_BUF_H
#define TZ_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "base/err.h"

struct tz_buf {
    char *data; /* NUL-terminated contents, or NULL while empty */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* hard maximum of len */
};

/* Prepares an empty buffer that may hold at most max bytes. */
void tz_buf_init(struct tz_buf *b, size_t max);
/* Releases the memory; the buffer is empty and usable again. */
void tz_buf_free(struct tz_buf *b);
/* Empties the buffer but keeps its memory. */
void tz_buf_reset(struct tz_buf *b);
/* Appends n bytes of s. */
tz_err tz_buf_append(struct tz_buf *b, const void *s, size_t n);
/* Appends a NUL-terminated string. */
tz_err tz_buf_puts(struct tz_buf *b, const char *s);
/* Appends printf-style formatted text. */
tz_err tz_buf_printf(struct tz_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with a va_list (for writers that wrap a buffer with their own error state). */
tz_err tz_buf_vprintf(struct tz_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/*
 * Appends v with six decimals, as "%.6f" would, without printf (a third of a
 * map answer's cost was printf). The sixth decimal is rounded half away from
 * zero from v * 1e6, so it may differ from printf's exact rounding by one unit
 * when v lies within 1e-9 of a half; JSON readers do not care. Values that are
 * not finite or whose magnitude reaches 1e12 go through printf.
 */
tz_err tz_buf_fixed6(struct tz_buf *b, double v);
/*
 * The text of tz_buf_fixed6 (v finite, magnitude below 1e12) written to end
 * just before `end`; returns where it starts (at most 21 bytes before end).
 */
char *tz_fixed6_before(char *end, double v);
/*
 * For writers that put many small pieces (base/jsonw): room for n more bytes
 * at the end of the contents, or NULL with *err (TZ_ETOOBIG past the maximum,
 * TZ_ENOMEM). Write at most n bytes there, then tz_buf_grew(b, k) with the k
 * written; nothing changes until then.
 */
char *tz_buf_room(struct tz_buf *b, size_t n, tz_err *err);
/* Takes k bytes written at tz_buf_room's pointer into the contents (k <= its n). */
void tz_buf_grew(struct tz_buf *b, size_t k);
/* Appends an unsigned integer in decimal. */
tz_err tz_buf_uint(struct tz_buf *b, unsigned long long v);
/* Appends s (n bytes of UTF-8) as a JSON string literal, quotes included. */
tz_err tz_buf_json_string(struct tz_buf *b, const char *s, size_t n);
/* Appends the NUL-terminated s as a JSON string literal, or null when s is NULL. */
tz_err tz_buf_json_cstr(struct tz_buf *b, const char *s);
/* Hands the contents to the caller (who frees them) and empties the buffer. */
char *tz_buf_take(struct tz_buf *b);

#endif
