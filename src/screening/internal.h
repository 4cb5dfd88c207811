/*
 * internal.h - what the files of src/screening share (private to the module).
 *
 * normalise.c cuts a name into raw parts and romanises each with ICU (translit.c holds the
 * schemes); parts.c applies the rules over parts (particles, patronymics, initials, the
 * name-variant table); phonetic.c makes the keys; match.c scores; index.c finds candidates.
 */
#ifndef TZ_SCREENING_INTERNAL_H
#define TZ_SCREENING_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicode/utypes.h>

#include "screening/screening.h"

/* Raw parts a name may have before particles are taken out. */
#define TZ_SCREEN_RAW_MAX 16

/*
 * Romanises one part (UTF-16, n units) into its distinct Latin forms (a-z only), in the order of
 * the schemes of its script; sets *origin (SAME, FOLDED or TRANSLIT) and *arabic when the part
 * is written in Arabic script. TZ_ENOMEM when ICU cannot allocate, TZ_EINVAL when no letter is
 * left.
 */
tz_err tz_screen_romanise(const UChar *s, int32_t n, struct tz_screen_part *part, bool *arabic);

/* Adds form (NUL-terminated, a-z) to part unless it is there already or part is full. */
void tz_screen_part_add_form(struct tz_screen_part *part, const char *form);

/*
 * Applies the rules over the raw parts (particles, patronymics, initials, Arabic article) and
 * writes the name's parts with their keys; TZ_EINVAL when none or more than TZ_SCREEN_PARTS_MAX
 * remain. arabic[i] says whether raw part i was Arabic script.
 */
tz_err tz_screen_parts_finish(struct tz_screen_part *raw, const bool *arabic, size_t nraw,
                              struct tz_screen_name *out);

/* The name-variant class (its first spelling) of a Latin form, or NULL when the table has none. */
const char *tz_screen_variant_of(const char *form);

/* Similarity of two a-z strings in 0..1 from their Levenshtein distance (1 - d / longer). */
double tz_screen_similarity(const char *a, const char *b);

/* The key a part is indexed under: its variant class's phonetic key, else its own. */
static inline const char *tz_screen_part_key(const struct tz_screen_part *p)
{
    return p->key;
}

/* The variant class whose spellings have the phonetic key phon, NULL if none or several. */
const char *tz_screen_variant_of_key(const char *phon);

#endif
