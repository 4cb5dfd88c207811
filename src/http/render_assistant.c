/*
 * render_assistant.c - the assistant's answers as the API writes them (and
 * `tarcza assist analyse` prints): the entities of a text, each with its
 * type, its span in code points (start, end: what a browser's or Python's
 * string indexes count) and in bytes, the text it covers, its value
 * normalised, a subtype and a confidence; the language when an identifier is
 * linked (left out otherwise, never guessed); and, for a redaction, the
 * proposals and the description with all of them applied.
 */
#include <stdio.h>

#include "http/render.h"

static void put_entity(struct tz_jw *w, const struct tz_assist_request *req,
                       const struct tz_entity *e)
{
    tz_jw_object(w);
    tz_jw_kstr(w, "type", tz_assist_type_code(e->type));
    tz_jw_kuint(w, "start", e->cstart);
    tz_jw_kuint(w, "end", e->cend);
    tz_jw_kuint(w, "byte_start", e->start);
    tz_jw_kuint(w, "byte_end", e->end);
    tz_jw_key(w, "text");
    tz_jw_strn(w, req->text + e->start, e->end - e->start);
    tz_jw_kstr(w, "value", e->value);
    if (e->detail[0])
        tz_jw_kstr(w, "detail", e->detail);
    char conf[16]; /* two decimals: the confidence is a rough figure, not a measurement */
    int n = snprintf(conf, sizeof conf, "%.2f", e->confidence);
    tz_jw_key(w, "confidence");
    tz_jw_raw(w, conf, n > 0 ? (size_t)n : 0);
    tz_jw_object_end(w);
}

static void put_redactions(struct tz_jw *w, const struct tz_assist_result *r,
                           const struct tz_redactions *d)
{
    tz_jw_key(w, "redactions");
    tz_jw_array(w);
    for (size_t i = 0; i < d->count; i++) {
        const struct tz_entity *e = &r->items[d->items[i].entity];
        tz_jw_object(w);
        tz_jw_kstr(w, "type", tz_assist_type_code(e->type));
        tz_jw_kuint(w, "start", e->cstart);
        tz_jw_kuint(w, "end", e->cend);
        tz_jw_kstr(w, "replacement", d->items[i].replacement);
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
    tz_jw_key(w, "redacted");
    tz_jw_strn(w, d->text, d->len);
}

tz_err tz_http_assist_json(const struct tz_assist_request *req, const struct tz_assist_result *r,
                           const struct tz_redactions *redact, struct tz_buf *out)
{
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    if (r->language[0])
        tz_jw_kstr(&w, "language", r->language);
    tz_jw_kuint(&w, "chars", r->chars);
    tz_jw_kbool(&w, "truncated", r->truncated);
    tz_jw_key(&w, "entities");
    tz_jw_array(&w);
    for (size_t i = 0; i < r->count; i++)
        put_entity(&w, req, &r->items[i]);
    tz_jw_array_end(&w);
    if (redact)
        put_redactions(&w, r, redact);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}
