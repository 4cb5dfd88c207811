/*
 * csvw.h - the one CSV writer of the house (RFC 4180): http writes the
 * open-data export and the statistics through it, straight into a bounded
 * buffer.
 *
 * A document is rows of fields; the writer puts the commas between fields and
 * CRLF at each row's end. Text fields are quoted when they hold a comma, a
 * quote or a line break, quotes doubled. Text a spreadsheet would take for a
 * formula (starting with = + - @, a tab or a CR) is quoted with a leading
 * apostrophe, the OWASP advice for CSV exports: their readers open them in
 * spreadsheets. As with base/jsonw.h, the first failure sticks: every later
 * write is skipped and the error comes back once, from tz_csvw_end.
 */
#ifndef TZ_BASE_CSVW_H
#define TZ_BASE_CSVW_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

struct tz_csvw {
    struct tz_buf *b;
    tz_err err; /* the first error; later writes are skipped */
    bool field; /* a field was written in this row (the next takes a comma) */
};

/* Starts writing rows appended to b (which the caller owns). */
void tz_csvw_begin(struct tz_csvw *w, struct tz_buf *b);
/* The first error of the document. */
tz_err tz_csvw_end(struct tz_csvw *w);

/* A text field, quoted only where RFC 4180 needs it (or defused); NULL is an empty field. */
void tz_csvw_text(struct tz_csvw *w, const char *s);
/* A text field always in quotes (defused likewise); NULL is "". */
void tz_csvw_quoted(struct tz_csvw *w, const char *s);
/* A field written as it is: the caller's text holds no comma, quote or line break. */
void tz_csvw_plain(struct tz_csvw *w, const char *s);
/* A whole number. */
void tz_csvw_int(struct tz_csvw *w, int64_t v);
/* A number with `decimals` decimals, as printf's %.*f rounds it. */
void tz_csvw_fixed(struct tz_csvw *w, double v, int decimals);
/* Ends the row (CRLF). */
void tz_csvw_row_end(struct tz_csvw *w);

#endif
