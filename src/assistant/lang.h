/*
 * assistant/lang.h - what language a text is written in, and in what scripts.
 *
 * Promises: tz_lang_identify answers the ISO 639-1 code of a text's language among the ones
 * tarcza knows (tz_lang_code lists them: pl en ru uk be az tr ar de fr es ka cs sk), or ""
 * when the text is in a script none of them uses or holds no letters; tz_lang_scripts counts
 * the letters of each script by Unicode ranges; tz_lang_paragraphs splits a text at blank
 * lines and names the language of each paragraph. Every function reads at most
 * TZ_LANG_TEXT_MAX bytes (more is TZ_ETOOBIG), refuses invalid UTF-8 (TZ_EINVAL), allocates
 * nothing the caller frees, and is safe from any thread. The n-gram fingerprints are
 * libexttextcat's (Debian's libexttextcat-data), loaded once per process on first use
 * (TZ_ENOTFOUND when they are missing); the scorer and the letter evidence are ours (lang_ident.c
 * says why and docs/assistant-lang.md has the measurements).
 */
#ifndef TZ_ASSISTANT_LANG_H
#define TZ_ASSISTANT_LANG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define TZ_LANG_TEXT_MAX (1024 * 1024) /* bytes of text one call reads, at most */
#define TZ_LANG_CODE_MAX 4             /* "pl" and its NUL, with room */
#define TZ_LANG_PARAGRAPHS_MAX 256     /* paragraphs tz_lang_paragraphs names, at most */

/* The scripts told apart (Unicode ranges, lang_script.c). */
enum tz_script {
    TZ_SCRIPT_NONE, /* no letters at all */
    TZ_SCRIPT_LATIN,
    TZ_SCRIPT_CYRILLIC,
    TZ_SCRIPT_GREEK,
    TZ_SCRIPT_ARMENIAN,
    TZ_SCRIPT_HEBREW,
    TZ_SCRIPT_ARABIC,
    TZ_SCRIPT_GEORGIAN,
    TZ_SCRIPT_DEVANAGARI,
    TZ_SCRIPT_THAI,
    TZ_SCRIPT_HANGUL,
    TZ_SCRIPT_KANA, /* Japanese hiragana and katakana */
    TZ_SCRIPT_CJK,  /* Han ideographs */
    TZ_SCRIPT_OTHER,
    TZ_SCRIPT_COUNT
};

/* Letters of each script in a text. */
struct tz_lang_scripts {
    size_t letters[TZ_SCRIPT_COUNT]; /* [TZ_SCRIPT_NONE] stays 0 */
    size_t total;                    /* letters of every script */
    enum tz_script main;             /* the script with the most letters; NONE without any */
};

/* What tz_lang_identify found. */
struct tz_lang_guess {
    char lang[TZ_LANG_CODE_MAX]; /* ISO 639-1, "" when no known language fits */
    enum tz_script script;       /* the main script */
    double confidence;           /* 0 (a guess) to 1 (certain) */
    size_t offset, length;       /* the bytes of the text this guess covers */
};

/* How tz_lang_identify decides (the benchmark measures each). */
enum tz_lang_method {
    TZ_LANG_NGRAMS,          /* n-gram distance alone (what textcat does, with our scorer) */
    TZ_LANG_NGRAMS_LETTERS,  /* n-grams plus letter evidence: the default */
};

/* The ISO 15924 code of a script ("Latn", "Cyrl", ...); "Zyyy" for NONE, "Zzzz" out of range. */
const char *tz_script_code(enum tz_script script);
/* The languages tz_lang_identify may answer, in a fixed order; NULL past the last. */
const char *tz_lang_code(size_t i);
/* Counts the letters of each script in s[0..n). TZ_EINVAL for invalid UTF-8. */
tz_err tz_lang_scripts(const char *s, size_t n, struct tz_lang_scripts *out);
/*
 * Loads the fingerprints from dir (NULL: /usr/share/libexttextcat) unless loaded already; the
 * identify functions call it with NULL. TZ_ENOTFOUND when a fingerprint file is missing.
 */
tz_err tz_lang_load(const char *dir);
/* The language of s[0..n) by the default method. */
tz_err tz_lang_identify(const char *s, size_t n, struct tz_lang_guess *out);
/* The same by a chosen method. */
tz_err tz_lang_identify_by(const char *s, size_t n, enum tz_lang_method method,
                           struct tz_lang_guess *out);
/*
 * Splits s[0..n) into paragraphs (separated by lines holding only white space) and names the
 * language of each into out[0..*count); paragraphs without letters are left out, neighbours of
 * one language are joined. At most max (and TZ_LANG_PARAGRAPHS_MAX): past that the last
 * guess covers the rest of the text.
 */
tz_err tz_lang_paragraphs(const char *s, size_t n, struct tz_lang_guess *out, size_t max,
                          size_t *count);

#endif
