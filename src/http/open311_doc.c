/*
 * open311_doc.c - Open311's documents: one writer for the specification's XML
 * and its JSON (the Spark convention, see open311.h) over base/xml.h and
 * base/jsonw.h, and the errors document every Open311 failure answers with,
 * <errors><error><code/><description/></error></errors>, in either format.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tztime.h"
#include "http/open311.h"

/* ---- the writer --------------------------------------------------------------------------- */

void o311_doc_begin(struct o311_doc *d, enum o311_format f, struct tz_buf *b)
{
    memset(d, 0, sizeof *d);
    d->format = f;
    d->list[0] = true; /* the root takes no name in JSON */
    if (f == O311_XML)
        tz_xml_begin(&d->x, b);
    else
        tz_jw_begin(&d->j, b);
}

/* In JSON, the member's name where the level has names; false when nothing may be written. */
static bool json_name(struct o311_doc *d, const char *name)
{
    if (d->err)
        return false;
    if (!d->list[d->depth])
        tz_jw_key(&d->j, name);
    return true;
}

static void push(struct o311_doc *d, const char *name, bool list)
{
    if (d->depth + 1 >= O311_DOC_DEPTH) {
        d->err = d->err ? d->err : TZ_EINVAL;
        return;
    }
    if (d->format == O311_XML) {
        tz_xml_open(&d->x, name);
    } else if (json_name(d, name)) {
        if (list)
            tz_jw_array(&d->j);
        else
            tz_jw_object(&d->j);
    }
    d->depth++;
    d->list[d->depth] = list;
}

void o311_doc_list(struct o311_doc *d, const char *name)
{
    push(d, name, true);
}

void o311_doc_object(struct o311_doc *d, const char *name)
{
    push(d, name, false);
}

void o311_doc_end(struct o311_doc *d, const char *name)
{
    if (d->depth == 0) {
        d->err = d->err ? d->err : TZ_EINVAL;
        return;
    }
    if (d->format == O311_XML)
        tz_xml_close(&d->x, name);
    else if (d->list[d->depth])
        tz_jw_array_end(&d->j);
    else
        tz_jw_object_end(&d->j);
    d->depth--;
}

void o311_doc_text(struct o311_doc *d, const char *name, const char *text)
{
    if (d->format == O311_XML)
        tz_xml_text(&d->x, name, text);
    else if (json_name(d, name))
        tz_jw_str(&d->j, text);
}

void o311_doc_int(struct o311_doc *d, const char *name, int64_t v)
{
    if (d->format == O311_XML)
        tz_xml_printf(&d->x, name, "%lld", (long long)v);
    else if (json_name(d, name))
        tz_jw_int(&d->j, v);
}

void o311_doc_bool(struct o311_doc *d, const char *name, bool v)
{
    if (d->format == O311_XML)
        tz_xml_text(&d->x, name, v ? "true" : "false");
    else if (json_name(d, name))
        tz_jw_bool(&d->j, v);
}

void o311_doc_fixed6(struct o311_doc *d, const char *name, double v)
{
    if (d->format == O311_XML)
        tz_xml_printf(&d->x, name, "%.6f", v);
    else if (json_name(d, name))
        tz_jw_fixed6(&d->j, v);
}

void o311_doc_time(struct o311_doc *d, const char *name, int64_t t)
{
    char text[TZ_TIME_TEXT_MAX];
    if (t)
        tz_time_format(t, text);
    o311_doc_text(d, name, t ? text : NULL);
}

tz_err o311_doc_finish(struct o311_doc *d)
{
    if (d->format == O311_XML) {
        tz_err err = tz_xml_finish(&d->x);
        if (!err && !d->err && d->depth != 0)
            d->err = TZ_EINVAL;
        if (!err && !d->err)
            err = tz_buf_puts(d->x.b, "\n");
        return d->err ? d->err : err;
    }
    tz_err err = tz_jw_end(&d->j);
    return d->err ? d->err : err;
}

/* ---- answers ------------------------------------------------------------------------------ */

static const char *content_type(enum o311_format f)
{
    return f == O311_XML ? "text/xml; charset=utf-8" : "application/json; charset=utf-8";
}

static enum MHD_Result send_buf(struct request *req, unsigned status, enum o311_format f,
                                struct tz_buf *b, int retry_after_s)
{
    size_t len = b->len;
    char *data = tz_buf_take(b);
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, data ? data : "", data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    if (retry_after_s > 0) {
        char value[16];
        snprintf(value, sizeof value, "%d", retry_after_s);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, value);
    }
    if (status == 405 && req->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, req->allow);
    return http_queue_response(req, status, resp, content_type(f));
}

/*
 * Makes an error's text safe to send in either format: it may echo what a
 * client sent (a parameter's name, a value) and be cut by its buffer, so
 * anything that is not valid UTF-8 or is a control character becomes '?'.
 */
static void clean_text(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t len = (unsigned char)s[i] < 0x20 ? 0 : tz_xml_char_length(s + i, n - i);
        if (len == 0) {
            s[i] = '?';
            len = 1;
        }
        i += len;
    }
}

__attribute__((format(printf, 3, 0))) static void add_error_v(struct o311_errors *e, unsigned code,
                                                              const char *fmt, va_list ap)
{
    if (e->count >= O311_ERRORS_MAX)
        return;
    struct o311_error *item = &e->items[e->count++];
    item->code = code;
    vsnprintf(item->description, sizeof item->description, fmt, ap);
    clean_text(item->description);
}

void o311_add_error(struct o311_errors *e, unsigned code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_error_v(e, code, fmt, ap);
    va_end(ap);
}

enum MHD_Result o311_send_errors(struct request *req, enum o311_format f,
                                 const struct o311_errors *e, int retry_after_s)
{
    struct tz_buf b;
    struct o311_doc d;
    tz_buf_init(&b, O311_SMALL_MAX);
    o311_doc_begin(&d, f, &b);
    o311_doc_list(&d, "errors");
    for (size_t i = 0; i < e->count; i++) {
        o311_doc_object(&d, "error");
        o311_doc_int(&d, "code", e->items[i].code);
        o311_doc_text(&d, "description", e->items[i].description);
        o311_doc_end(&d, "error");
    }
    o311_doc_end(&d, "errors");
    if (o311_doc_finish(&d)) {
        tz_buf_free(&b);
        return MHD_NO;
    }
    return send_buf(req, e->count ? e->items[0].code : 400, f, &b, retry_after_s);
}

enum MHD_Result o311_send_error(struct request *req, enum o311_format f, unsigned code,
                                const char *fmt, ...)
{
    struct o311_errors e = {0};
    va_list ap;
    va_start(ap, fmt);
    add_error_v(&e, code, fmt, ap);
    va_end(ap);
    return o311_send_errors(req, f, &e, 0);
}

/*
 * An error the server answers before an Open311 handler runs (a wrong method,
 * a body too large, a wrong Content-Type, a connection limit), in the
 * specification's errors format instead of a problem document: XML unless the
 * path ends in .json.
 */
enum MHD_Result http_open311_error(struct request *req, unsigned status, const char *detail,
                                   int retry_after_s)
{
    size_t n = strlen(req->url);
    enum o311_format f = n >= 5 && strcmp(req->url + n - 5, ".json") == 0 ? O311_JSON : O311_XML;
    struct o311_errors e = {0};
    o311_add_error(&e, status, "%s", detail ? detail : "");
    return o311_send_errors(req, f, &e, retry_after_s);
}

enum MHD_Result o311_send_failure(struct request *req, enum o311_format f, tz_err err)
{
    bool passing = err == TZ_EBUSY || err == TZ_ENOMEM || err == TZ_ENOSPACE || err == TZ_ECLOSED;
    struct o311_errors e = {0};
    o311_add_error(&e, passing ? 503 : 500, "%s", tz_err_str(err));
    return o311_send_errors(req, f, &e, passing ? 1 : 0);
}

enum MHD_Result o311_send_doc(struct request *req, unsigned status, struct o311_doc *d,
                              struct tz_buf *b)
{
    tz_err err = o311_doc_finish(d);
    if (err) {
        tz_buf_free(b);
        return o311_send_failure(req, d->format, err);
    }
    return send_buf(req, status, d->format, b, 0);
}
