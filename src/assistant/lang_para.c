/*
 * assistant/lang_para.c - the languages of a mixed text, paragraph by paragraph.
 *
 * A case thread or a forwarded message quotes one language inside another; the boundary people
 * write is the blank line, so that is where the text is cut (a line holding only spaces, tabs
 * or a CR counts as blank). Each paragraph is identified alone; neighbours found in the same
 * language are joined into one span, so a text in one language answers one span.
 */
#include "assistant/lang_internal.h"

#include <string.h>

/* Whether s[i..n) starts with a line that holds only white space; *next: past its LF. */
static int blank_line(const char *s, size_t n, size_t i, size_t *next)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    if (i < n && s[i] != '\n')
        return 0;
    *next = i < n ? i + 1 : n;
    return 1;
}

/* The end of the paragraph that starts at i: the LF before the next blank line, or n. */
static size_t paragraph_end(const char *s, size_t n, size_t i)
{
    while (i < n) {
        const char *lf = memchr(s + i, '\n', n - i);
        size_t after, skip;
        if (lf == NULL)
            return n;
        after = (size_t)(lf - s) + 1;
        if (blank_line(s, n, after, &skip))
            return (size_t)(lf - s);
        i = after;
    }
    return n;
}

tz_err tz_lang_paragraphs(const char *s, size_t n, struct tz_lang_guess *out, size_t max,
                          size_t *count)
{
    size_t i = 0;
    tz_err err = TZ_OK;

    *count = 0;
    if (n > TZ_LANG_TEXT_MAX)
        return TZ_ETOOBIG;
    if (max > TZ_LANG_PARAGRAPHS_MAX)
        max = TZ_LANG_PARAGRAPHS_MAX;
    while (i < n && max > 0) {
        size_t end = paragraph_end(s, n, i);
        struct tz_lang_guess gs;
        struct tz_lang_guess *last = *count > 0 ? &out[*count - 1] : NULL;

        if (*count == max)
            end = n; /* no room left: the last span takes the rest */
        err = tz_lang_identify(s + i, end - i, &gs);
        if (err != TZ_OK)
            goto done;
        gs.offset = i;
        if (gs.script != TZ_SCRIPT_NONE) {
            if (last != NULL && (strcmp(last->lang, gs.lang) == 0 || *count == max)) {
                last->length = end - last->offset;
                if (gs.confidence < last->confidence && strcmp(last->lang, gs.lang) == 0)
                    last->confidence = gs.confidence;
            } else {
                out[(*count)++] = gs;
            }
        }
        i = end;
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
            i++;
    }
done:
    if (err != TZ_OK)
        *count = 0;
    return err;
}
