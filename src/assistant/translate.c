/*
 * assistant/translate.c - tz_translate: pick the engine for a pair, keep the original beside.
 *
 * The order is Apertium first (in the box, rule-based, nothing leaves the machine), then the
 * configured LibreTranslate server. A pair neither has is said to be missing, never guessed:
 * the answer then holds the original and the reason, and no text.
 */
#include "assistant/translate_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_code(const char *c)
{
    return c != NULL && strlen(c) == 2 && c[0] >= 'a' && c[0] <= 'z' && c[1] >= 'a' && c[1] <= 'z';
}

void tz_translation_clear(struct tz_translation *t)
{
    free(t->original);
    free(t->text);
    memset(t, 0, sizeof *t);
}

/* The source language: given, or identified (TZ_EINVAL when there is none to find). */
static tz_err source_of(const char *text, size_t n, const char *from, struct tz_translation *out)
{
    struct tz_lang_guess g;
    tz_err err;
    if (from != NULL && from[0] != '\0') {
        if (!is_code(from))
            return TZ_EINVAL;
        memcpy(out->from, from, 3);
        return TZ_OK;
    }
    err = tz_lang_identify(text, n, &g);
    if (err != TZ_OK)
        return err;
    if (g.lang[0] == '\0') {
        snprintf(out->reason, sizeof out->reason, "the language of the text is not known");
        return TZ_ENOTFOUND;
    }
    memcpy(out->from, g.lang, sizeof out->from);
    return TZ_OK;
}

tz_err tz_translate(const struct tz_translate_config *cfg, const char *text, size_t n,
                    const char *from, const char *to, struct tz_translation *out)
{
    struct tz_lang_scripts sc;
    tz_err err;

    memset(out, 0, sizeof *out);
    if (n > TZ_TRANSLATE_TEXT_MAX)
        return TZ_ETOOBIG;
    if (!is_code(to) || (err = tz_lang_scripts(text, n, &sc)) != TZ_OK)
        return TZ_EINVAL;
    out->original = strndup(text, n);
    if (out->original == NULL)
        return TZ_ENOMEM;
    memcpy(out->to, to, 3);
    err = source_of(text, n, from, out);
    if (err != TZ_OK)
        return err;
    if (strcmp(out->from, out->to) == 0)
        return TZ_EINVAL;
    if (tz_translate_apertium_has(cfg, out->from, out->to, out->pair, sizeof out->pair)) {
        memcpy(out->engine, "apertium", sizeof "apertium");
        err = tz_translate_apertium_run(cfg, out->pair, text, n, &out->text, out->reason,
                                        sizeof out->reason);
    } else if (cfg->libre_url != NULL && cfg->libre_url[0] != '\0') {
        memcpy(out->engine, "libretranslate", sizeof "libretranslate");
        snprintf(out->pair, sizeof out->pair, "%s-%s", out->from, out->to);
        err = tz_translate_libre_run(cfg, out->from, out->to, text, n, &out->text, out->reason,
                                     sizeof out->reason);
    } else {
        snprintf(out->reason, sizeof out->reason,
                 "no machine-translation engine translates %s to %s here", out->from, out->to);
        return TZ_ENOTFOUND;
    }
    if (err == TZ_OK)
        out->label = TZ_TRANSLATE_LABEL;
    return err;
}
