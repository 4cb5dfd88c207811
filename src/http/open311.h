/*
 * open311.h - what the Open311 files of http share (api_open311.c: routes and
 * discovery and services; open311_requests.c: reading service requests;
 * open311_post.c: the POST; open311_updates.c: the status changes, as
 * FixMyStreet's servicerequestupdates; open311_doc.c: the documents and the
 * errors).
 * Not part of the module's promise.
 *
 * Every Open311 answer is written once, through struct o311_doc, as the
 * specification's XML or as its JSON: the JSON is the XML mapped by the Spark
 * convention (a list element becomes an array of its children, an element of
 * elements an object, an element of text a member), so one sequence of calls
 * writes either and the two cannot drift apart. The XML goes through
 * base/xml.h, the JSON through base/jsonw.h; the first error sticks in both.
 */
#ifndef TZ_HTTP_OPEN311_H
#define TZ_HTTP_OPEN311_H

#include <stdbool.h>
#include <stdint.h>

#include "base/jsonw.h"
#include "base/xml.h"
#include "http/internal.h"

#define O311_PREFIX "/open311/v2/"
#define O311_BODY_MAX (8u * 1024 * 1024) /* a list of requests or of services */
#define O311_SMALL_MAX (64u * 1024)      /* one request, an error, discovery */

enum o311_format { O311_XML, O311_JSON };

/* ---- the document writer (open311_doc.c) -------------------------------------------------- */

#define O311_DOC_DEPTH 8
struct o311_doc {
    enum o311_format format;
    struct tz_xml x; /* the XML document, or only x.b */
    struct tz_jw j;  /* the JSON document */
    tz_err err;      /* misuse of the doc itself (too deep, an end without a start) */
    int depth;
    bool list[O311_DOC_DEPTH]; /* this level is a list (a JSON array): members have no names */
};

/* Starts a document in b (the caller's) in format f. */
void o311_doc_begin(struct o311_doc *d, enum o311_format f, struct tz_buf *b);
/* <name> holding a list of elements of one kind: a JSON array. */
void o311_doc_list(struct o311_doc *d, const char *name);
/* <name> holding named elements: a JSON object. */
void o311_doc_object(struct o311_doc *d, const char *name);
/* </name>: closes the latest list or object. */
void o311_doc_end(struct o311_doc *d, const char *name);
/* A text element: a JSON string, or null (an empty element in XML) for NULL. */
void o311_doc_text(struct o311_doc *d, const char *name, const char *text);
/* A number, a boolean, a coordinate (six decimals), a w3 time (null for 0). */
void o311_doc_int(struct o311_doc *d, const char *name, int64_t v);
void o311_doc_bool(struct o311_doc *d, const char *name, bool v);
void o311_doc_fixed6(struct o311_doc *d, const char *name, double v);
void o311_doc_time(struct o311_doc *d, const char *name, int64_t t);
/* The document's first error, or TZ_OK once it is whole. */
tz_err o311_doc_finish(struct o311_doc *d);

/* ---- answers (open311_doc.c) -------------------------------------------------------------- */

/* One error of an errors document. */
struct o311_error {
    unsigned code;
    char description[TZ_FIELD_NAME_MAX + TZ_FIELD_MESSAGE_MAX + 8];
};

#define O311_ERRORS_MAX (TZ_FIELDERR_MAX + 1)
struct o311_errors {
    size_t count;
    struct o311_error items[O311_ERRORS_MAX];
};

/* Adds an error (the text made safe to send: see open311_doc.c); the first code is the status. */
void o311_add_error(struct o311_errors *e, unsigned code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answers with the errors document; Retry-After when retry_after_s > 0. */
enum MHD_Result o311_send_errors(struct request *req, enum o311_format f,
                                 const struct o311_errors *e, int retry_after_s);
/* Answers with one error. */
enum MHD_Result o311_send_error(struct request *req, enum o311_format f, unsigned code,
                                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The error of a failure inside (store, memory): 503 with Retry-After where it may pass, else 500.
 */
enum MHD_Result o311_send_failure(struct request *req, enum o311_format f, tz_err err);
/* Finishes d and answers it with status; a failed document answers its failure instead. */
enum MHD_Result o311_send_doc(struct request *req, unsigned status, struct o311_doc *d,
                              struct tz_buf *b);

/* ---- shared by the resources -------------------------------------------------------------- */

/* The specification: an empty parameter is the same as one not sent (NULL). */
const char *o311_param_value(const struct tz_query_param *p);
/*
 * Reads a window of dates, start_date and end_date (either may be NULL), as
 * [*from, *to): both included, a bare date naming its whole Polish day, at
 * most 90 days; the last 90 days when neither is given, 90 days from or up to
 * the one given. Errors (400) go into e.
 */
void o311_read_window(const char *start_text, const char *end_text, int64_t now, int64_t *from,
                      int64_t *to, struct o311_errors *e);
/* The specification's two statuses of each of ours: open until the police have finished. */
extern const char *const o311_status[TZ_STATUS_COUNT];

/* Reads a positive decimal id (at most 15 digits) of n bytes. */
bool o311_read_id(const char *s, size_t n, int64_t *out);

/* The attributes of every service: when it happens (DESIGN 1.1, as KMZB asks). */
struct o311_value {
    const char *key, *name;
};
struct o311_attribute {
    const char *code, *datatype, *datatype_description, *description;
    const struct o311_value *values; /* NULL: not a list */
    size_t value_count;
    const char *const *domain_names; /* the threat map's names of the values (bit k: name k) */
};
#define O311_ATTRIBUTE_COUNT 3
extern const struct o311_attribute o311_attributes[O311_ATTRIBUTE_COUNT];

/* GET requests.{fmt}, requests/{id}.{fmt}, tokens/{id}.{fmt} (open311_requests.c). */
enum MHD_Result o311_list_requests(struct request *req, enum o311_format f);
enum MHD_Result o311_one_request(struct request *req, enum o311_format f, const char *arg);
enum MHD_Result o311_token(struct request *req, enum o311_format f, const char *arg);

/* GET servicerequestupdates.{fmt}: the public status changes, FixMyStreet's extension. */
enum MHD_Result o311_list_updates(struct request *req, enum o311_format f);

/* POST requests.{fmt} once the path and the format are known good (open311_post.c). */
enum MHD_Result o311_post_request(struct request *req, enum o311_format f);
/* The answer once the report is durable, or its failure (open311_post.c). */
enum MHD_Result o311_answer_committed(struct request *req, enum o311_format f);

#endif
