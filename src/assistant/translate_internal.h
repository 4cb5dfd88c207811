/*
 * assistant/translate_internal.h - the engines behind tz_translate, one file each.
 */
#ifndef TZ_ASSISTANT_TRANSLATE_INTERNAL_H
#define TZ_ASSISTANT_TRANSLATE_INTERNAL_H

#include "assistant/translate.h"

#define TZ_TRANSLATE_OUT_MAX (1024 * 1024) /* bytes an engine may answer, at most */

/*
 * Whether Apertium has the pair: writes its mode name ("eng-spa") into mode (size m). The
 * codes are ISO 639-1; Apertium's are mostly ISO 639-3, tried first, then the two-letter ones.
 */
bool tz_translate_apertium_has(const struct tz_translate_config *cfg, const char *from,
                               const char *to, char *mode, size_t m);
/* Runs Apertium's mode over text; *out (NUL-terminated, the caller frees) or TZ_EIO with why. */
tz_err tz_translate_apertium_run(const struct tz_translate_config *cfg, const char *mode,
                                 const char *text, size_t n, char **out, char *why, size_t wn);
/* Asks the LibreTranslate server; *out or TZ_EIO with why. */
tz_err tz_translate_libre_run(const struct tz_translate_config *cfg, const char *from,
                              const char *to, const char *text, size_t n, char **out, char *why,
                              size_t wn);

#endif
