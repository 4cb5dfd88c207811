/*
 * xml.h - a small XML writer into a bounded buffer, for the interfaces that
 * must speak XML (Open311 GeoReport v2). Elements and text only: no
 * attributes, namespaces or comments, which those documents do not use.
 *
 * Like the JSON writers, its first failure sticks: every later call is
 * skipped and tz_xml_finish returns the error once. Element names come from
 * the program and are not checked; text is escaped, and characters that XML
 * 1.0 does not allow (C0 controls but tab and line feed, U+FFFE, U+FFFF,
 * invalid UTF-8) become U+FFFD, so the output is always well-formed.
 */
#ifndef TZ_BASE_XML_H
#define TZ_BASE_XML_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

struct tz_xml {
    struct tz_buf *b;
    tz_err err;
};

/* Starts a document in b with the declaration <?xml version="1.0" encoding="utf-8"?>. */
void tz_xml_begin(struct tz_xml *x, struct tz_buf *b);
/* <name> */
void tz_xml_open(struct tz_xml *x, const char *name);
/* </name> */
void tz_xml_close(struct tz_xml *x, const char *name);
/* <name>text</name>, or <name/> for NULL. */
void tz_xml_text(struct tz_xml *x, const char *name, const char *text);
/* <name>formatted</name>, for numbers and other text that needs no escaping. */
void tz_xml_printf(struct tz_xml *x, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The first error of the document, or TZ_OK. */
tz_err tz_xml_finish(struct tz_xml *x);

/*
 * Length of the character at s (n bytes left, n >= 1) when it is valid UTF-8
 * that XML allows, apart from the C0 controls (which the caller judges);
 * 0 for invalid UTF-8, a surrogate, U+FFFE or U+FFFF.
 */
size_t tz_xml_char_length(const char *s, size_t n);
/* Appends n bytes of UTF-8 as escaped XML character data (see above). */
tz_err tz_buf_xml_escape(struct tz_buf *b, const char *s, size_t n);

#endif
