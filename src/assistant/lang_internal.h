/*
 * assistant/lang_internal.h - what the language files of the assistant share: a strict UTF-8
 * reader, the script of a code point and a small lower-casing for the alphabets we score.
 */
#ifndef TZ_ASSISTANT_LANG_INTERNAL_H
#define TZ_ASSISTANT_LANG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "assistant/lang.h"

/*
 * Reads the code point at s[*i] (i < n), advancing *i past it; -1 for a byte sequence that is
 * not UTF-8 (overlong forms, surrogates and values past U+10FFFF included).
 */
int32_t tz_lang_utf8_next(const char *s, size_t n, size_t *i);
/* The script of code point c; NONE for what is not a letter of a script (digits, punctuation). */
enum tz_script tz_lang_script_of(int32_t c);
/* c in lower case for Latin, Greek and Cyrillic letters; anything else unchanged. */
int32_t tz_lang_lower(int32_t c);
/* Writes c as UTF-8 into out (room for 4); the bytes written. */
size_t tz_lang_utf8_put(int32_t c, char *out);

/* How much the word w[0..len) (lower case) leans Slovak (> 0) or Czech (< 0) (lang_pair.c). */
int tz_lang_sk_cs(const int32_t *w, size_t len);

#endif
