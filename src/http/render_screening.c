/*
 * render_screening.c - screening's answers as the API writes them (and `tarcza screen person`
 * prints): the hits of a person query with their explanations, and the report of a watch-list
 * import line by line. screening hands over structs; this file is their only writer.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "http/render.h"

/* A score or a move to four decimals, as a JSON number ("0.9225", not 0.92249999999999999). */
static void put_score(struct tz_jw *w, const char *key, double v)
{
    char text[32];
    if (!isfinite(v))
        v = 0;
    int n = snprintf(text, sizeof text, "%.4f", v);
    while (n > 1 && text[n - 1] == '0' && text[n - 2] != '.')
        n--;
    if (n > 2 && text[n - 1] == '0' && text[n - 2] == '.')
        n -= 2;
    tz_jw_key(w, key);
    tz_jw_raw(w, text, (size_t)n);
}

static void put_fact(struct tz_jw *w, const char *key, uint8_t fact, double move)
{
    tz_jw_key(w, key);
    tz_jw_object(w);
    tz_jw_kstr(w, "outcome", tz_screen_fact_code(fact));
    put_score(w, "move", move);
    tz_jw_object_end(w);
}

static void put_explanation(struct tz_jw *w, const struct tz_screen_explain *why)
{
    tz_jw_key(w, "explanation");
    tz_jw_object(w);
    put_score(w, "name_score", why->name_score);
    tz_jw_key(w, "parts");
    tz_jw_array(w);
    for (size_t i = 0; i < why->npairs; i++) {
        const struct tz_screen_pair *p = &why->pair[i];
        tz_jw_object(w);
        tz_jw_kstr(w, "query", p->query_written);
        tz_jw_kstr(w, "record", p->record_written);
        tz_jw_kstr(w, "how", tz_screen_how_code(p->how));
        put_score(w, "score", p->score);
        tz_jw_kstr(w, "query_form", p->query_form);
        tz_jw_kstr(w, "record_form", p->record_form);
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
    put_fact(w, "birth_date", why->dob, why->dob_move);
    put_fact(w, "nationality", why->nat, why->nat_move);
    put_fact(w, "sex", why->sex, why->sex_move);
    tz_jw_object_end(w);
}

tz_err tz_http_screen_answer_json(const struct tz_screen_answer *a, struct tz_buf *out)
{
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_http_put_screen_answer(&w, a);
    return tz_jw_end(&w);
}

void tz_http_put_screen_answer(struct tz_jw *w, const struct tz_screen_answer *a)
{
    tz_jw_object(w);
    put_score(w, "threshold", a->threshold);
    tz_jw_key(w, "hits");
    tz_jw_array(w);
    for (size_t i = 0; i < a->count; i++) {
        const struct tz_screen_hit *h = &a->hits[i];
        const char *slash = strchr(h->source_id, '/');
        tz_jw_object(w);
        if (slash) {
            tz_jw_key(w, "source");
            tz_jw_strn(w, h->source_id, (size_t)(slash - h->source_id));
            tz_jw_kstr(w, "record_id", slash + 1);
        }
        tz_jw_kstr(w, "name", h->name);
        put_score(w, "score", h->why.score);
        put_explanation(w, &h->why);
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
    tz_jw_object_end(w);
}

tz_err tz_http_watch_import_json(const char *source, const struct tz_watch_import *r,
                                 struct tz_buf *out)
{
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "source", source);
    tz_jw_kstr(&w, "format", tz_watch_format_code(r->format));
    tz_jw_kuint(&w, "taken", r->taken);
    tz_jw_kuint(&w, "refused", r->refused);
    tz_jw_kuint(&w, "names", r->npersons);
    tz_jw_kuint(&w, "documents", r->ndocs);
    tz_jw_kuint(&w, "vehicles", r->nvehicles);
    tz_jw_key(&w, "lines");
    tz_jw_array(&w);
    for (size_t i = 0; i < r->nlines; i++) {
        const struct tz_watch_line *l = &r->lines[i];
        tz_jw_object(&w);
        tz_jw_kuint(&w, "line", l->line);
        tz_jw_kstr(&w, "record_id", l->record_id[0] ? l->record_id : NULL);
        tz_jw_kbool(&w, "taken", l->taken);
        if (!l->taken)
            tz_jw_kstr(&w, "why", l->why);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}
