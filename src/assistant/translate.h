/*
 * assistant/translate.h - machine translation of free text, always beside the original.
 *
 * Promises: tz_translate turns a text from one language into another through the first engine
 * that has the pair: Apertium (Debian's apertium and its pair packages, run as a pipe with a
 * time limit and a bound on what it may write) when /usr/share/apertium/modes/<from>-<to>.mode
 * exists, else an HTTP engine speaking the LibreTranslate API (POST <url>/translate) when one is
 * configured. The answer keeps the original text, names the engine and is always labelled a
 * machine translation. With no engine for the pair it says so (TZ_ENOTFOUND, the answer's
 * engine empty) and never makes one up; an engine that times out, fails, or answers garbage is
 * TZ_EIO with the reason in the answer. Coded fields of structured messages are never sent here
 * (issue 16): they are rendered from their code tables. Safe from any thread.
 */
#ifndef TZ_ASSISTANT_TRANSLATE_H
#define TZ_ASSISTANT_TRANSLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "assistant/lang.h"
#include "base/err.h"

#define TZ_TRANSLATE_TEXT_MAX (64 * 1024) /* bytes of text one call translates, at most */
#define TZ_TRANSLATE_LABEL "machine translation"

struct tz_translate_config {
    const char *apertium;        /* the apertium program; NULL: "apertium"; "" turns it off */
    const char *apertium_modes;  /* its modes folder; NULL: /usr/share/apertium/modes */
    const char *libre_url;       /* a LibreTranslate server ("http://host:5000"); NULL: none */
    const char *libre_key;       /* its api_key, if it wants one; NULL: none */
    long timeout_ms;             /* an engine's whole answer must arrive within this; 0: 20 s */
};

/* What tz_translate answers; free with tz_translation_clear. */
struct tz_translation {
    char from[TZ_LANG_CODE_MAX]; /* ISO 639-1, given or identified */
    char to[TZ_LANG_CODE_MAX];
    char engine[32];             /* "apertium", "libretranslate"; "" when none */
    char pair[32];               /* the engine's name of the pair ("eng-spa") */
    const char *label;           /* TZ_TRANSLATE_LABEL when text is set, else NULL */
    char *original;              /* the text as given (NUL-terminated copy) */
    char *text;                  /* the translation; NULL when there is none */
    char reason[160];            /* why there is none (no engine, a timeout, ...) */
};

/*
 * Translates text[0..n) (UTF-8, at most TZ_TRANSLATE_TEXT_MAX bytes: more is TZ_ETOOBIG) from
 * from (ISO 639-1; NULL or "": identified by tz_lang_identify) to to. out is filled as far as it
 * goes whatever the result: the original is always there. TZ_OK: out->text is the translation;
 * TZ_ENOTFOUND: no engine has the pair (out->reason says so); TZ_EIO: the engine failed;
 * TZ_EINVAL: a code that is no language, from equal to to, or invalid UTF-8; TZ_ENOMEM.
 */
tz_err tz_translate(const struct tz_translate_config *cfg, const char *text, size_t n,
                    const char *from, const char *to, struct tz_translation *out);
/* Frees what tz_translate allocated in t; safe to call twice. */
void tz_translation_clear(struct tz_translation *t);

#endif
