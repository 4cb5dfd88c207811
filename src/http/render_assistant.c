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

#include "assistant/lang.h"
#include "assistant/search.h"
#include "assistant/translate.h"

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

static void put_links(struct tz_jw *w, const struct tz_assist_links *l)
{
    tz_jw_key(w, "links");
    tz_jw_array(w);
    for (size_t i = 0; i < l->count; i++) {
        const struct tz_assist_link *k = &l->items[i];
        tz_jw_object(w);
        tz_jw_kuint(w, "entity", k->entity);
        tz_jw_kstr(w, "kind", tz_assist_link_kind_code(k->kind));
        char score[16];
        int n = snprintf(score, sizeof score, "%.2f", k->score);
        tz_jw_key(w, "score");
        tz_jw_raw(w, score, n > 0 ? (size_t)n : 0);
        if (k->kind == TZ_LINK_CASE) {
            tz_jw_kint(w, "case_id", k->case_id);
            tz_jw_kint(w, "message_id", k->message_id);
            tz_jw_kstr(w, "key", k->key);
        } else {
            tz_jw_kstr(w, "record", k->record);
            tz_jw_kstr(w, "name", k->name);
        }
        tz_jw_kstr(w, "why", k->why);
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
    tz_jw_kbool(w, "links_truncated", l->truncated);
    tz_jw_kbool(w, "screened", l->screened);
    tz_jw_kbool(w, "matched", l->matched);
    if (l->note[0])
        tz_jw_kstr(w, "link_note", l->note);
}

tz_err tz_http_summary_json(const char *text, const struct tz_summary_answer *a, struct tz_buf *out)
{
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    if (a->language[0])
        tz_jw_kstr(&w, "language", a->language);
    else
        tz_jw_knull(&w, "language");
    tz_jw_kuint(&w, "sentences", a->extract.sentences);
    tz_jw_key(&w, "extractive");
    tz_jw_array(&w);
    for (size_t i = 0; i < a->extract.count; i++) {
        const struct tz_summary_sentence *s = &a->extract.items[i];
        tz_jw_object(&w);
        tz_jw_kuint(&w, "index", s->index);
        tz_jw_kuint(&w, "start", s->cstart);
        tz_jw_kuint(&w, "end", s->cend);
        tz_jw_kuint(&w, "byte_start", s->start);
        tz_jw_kuint(&w, "byte_end", s->end);
        tz_jw_key(&w, "text");
        tz_jw_strn(&w, text + s->start, s->end - s->start);
        char score[24];
        int n = snprintf(score, sizeof score, "%.3f", s->score);
        tz_jw_key(&w, "score");
        tz_jw_raw(&w, score, n > 0 ? (size_t)n : 0);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    if (a->llm.text) {
        tz_jw_key(&w, "abstractive");
        tz_jw_object(&w);
        tz_jw_kstr(&w, "text", a->llm.text);
        tz_jw_kstr(&w, "label", a->llm.label ? a->llm.label : TZ_LLM_LABEL);
        if (a->llm.model[0])
            tz_jw_kstr(&w, "model", a->llm.model);
        tz_jw_object_end(&w);
    } else {
        tz_jw_knull(&w, "abstractive");
        tz_jw_kstr(&w, "abstractive_note",
                   a->llm.reason[0] ? a->llm.reason : "no language model server is configured");
    }
    if (a->llm_asked && !a->llm.text)
        tz_jw_kstr(&w, "note", "the language model failed; the extractive summary stands");
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

tz_err tz_http_assist_json(const struct tz_assist_request *req, const struct tz_assist_result *r,
                           const struct tz_redactions *redact, const struct tz_assist_links *links,
                           struct tz_buf *out)
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
    if (links)
        put_links(&w, links);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

static void put_guess(struct tz_jw *w, const struct tz_lang_guess *g)
{
    tz_jw_kstr(w, "language", g->lang[0] ? g->lang : NULL);
    tz_jw_kstr(w, "script", tz_script_code(g->script));
    tz_jw_kdouble(w, "confidence", (double)(int)(g->confidence * 1000 + 0.5) / 1000.0);
}

/* The language document: the whole text's guess, its scripts and its paragraphs (byte spans). */
tz_err tz_http_language_json(const char *text, size_t n, struct tz_buf *b)
{
    struct tz_lang_guess whole, parts[TZ_LANG_PARAGRAPHS_MAX];
    struct tz_lang_scripts sc;
    size_t count = 0;
    struct tz_jw w;
    tz_err err = tz_lang_identify(text, n, &whole);
    if (!err)
        err = tz_lang_scripts(text, n, &sc);
    if (!err)
        err = tz_lang_paragraphs(text, n, parts, TZ_LANG_PARAGRAPHS_MAX, &count);
    if (err)
        return err;
    tz_jw_begin(&w, b);
    tz_jw_object(&w);
    put_guess(&w, &whole);
    tz_jw_key(&w, "scripts");
    tz_jw_object(&w);
    for (int k = TZ_SCRIPT_LATIN; k < TZ_SCRIPT_COUNT; k++)
        if (sc.letters[k] > 0)
            tz_jw_kuint(&w, tz_script_code((enum tz_script)k), sc.letters[k]);
    tz_jw_object_end(&w);
    tz_jw_key(&w, "paragraphs");
    tz_jw_array(&w);
    for (size_t i = 0; i < count; i++) {
        tz_jw_object(&w);
        tz_jw_kuint(&w, "offset", parts[i].offset);
        tz_jw_kuint(&w, "length", parts[i].length);
        put_guess(&w, &parts[i]);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

tz_err tz_http_translation_json(const struct tz_translation *t, struct tz_buf *b)
{
    struct tz_jw w;
    tz_jw_begin(&w, b);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "original", t->original);
    tz_jw_kstr(&w, "from", t->from[0] ? t->from : NULL);
    tz_jw_kstr(&w, "to", t->to);
    tz_jw_kstr(&w, "translation", t->text);
    tz_jw_kstr(&w, "engine", t->engine[0] ? t->engine : NULL);
    tz_jw_kstr(&w, "pair", t->text && t->pair[0] ? t->pair : NULL);
    tz_jw_kstr(&w, "label", t->label);
    tz_jw_kstr(&w, "note", t->text ? NULL : t->reason);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

static void put_messages(struct tz_jw *w, const struct tz_search_msg_result *m)
{
    tz_jw_key(w, "messages");
    tz_jw_array(w);
    for (size_t i = 0; i < m->count; i++) {
        const struct tz_xfound *f = &m->hits[i];
        tz_jw_object(w);
        tz_jw_kint(w, "id", f->line.id);
        tz_jw_kint(w, "case_id", f->line.case_id);
        tz_jw_ktime(w, "at", f->line.at);
        tz_jw_kbool(w, "inbound", f->line.inbound);
        tz_jw_kstr(w, "from_node", f->line.from_node);
        tz_jw_kstr(w, "from_unit", f->line.from_unit);
        tz_jw_kstr(w, "subject", f->line.subject);
        tz_jw_kstr(w, "lang", f->line.lang);
        tz_jw_kstr(w, "excerpt", f->excerpt);
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
    tz_jw_kbool(w, "messages_index_behind", m->index_behind);
}

tz_err tz_http_search_json(const char *q, const struct tz_search_result *r,
                           const struct tz_search_msg_result *m, struct tz_buf *b)
{
    struct tz_jw w;
    tz_jw_begin(&w, b);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "query", q);
    tz_jw_kuint(&w, "count", r->count);
    tz_jw_kbool(&w, "index_behind", r->index_behind);
    tz_jw_key(&w, "hits");
    tz_jw_array(&w);
    for (size_t i = 0; i < r->count; i++) {
        const struct tz_search_hit_rec *h = &r->hits[i];
        tz_jw_object(&w);
        tz_jw_kint(&w, "id", h->id);
        tz_jw_kstr(&w, "district", h->district_id);
        tz_jw_kstr(&w, "category", h->category);
        tz_jw_kstr(&w, "status", h->status);
        tz_jw_ktime(&w, "received_at", h->received_at);
        tz_jw_kstr(&w, "description", h->text);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    if (m)
        put_messages(&w, m);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}
