/*
 * assistant/lang_pair.c - Slovak against Czech, the pair the n-gram fingerprints confuse most on
 * short texts (the two share most of their letters and their frequent trigrams).
 *
 * Each word of a text tips a balance: towards Slovak for the forms Czech does not have (the
 * diphthongs ia, iu and ie inside a word: "miesto", "polícia"; the endings -ov, -om, -ej, a past
 * tense in -ol after a consonant: "údajov", "vlastníkom", "ukradol"; an infinitive in -ť; words
 * such as "ako", "nie", "sme", "tiež", "viac"), towards Czech for Czech's ("policie" ends in -ie,
 * -em, a past tense in -l after a consonant: "ukradl"; "jako", "ne", "jsme", "také", "více").
 * The balance only moves those two languages' scores (lang_ident.c), so it can use words that
 * are also Polish ("nie", "kto") without pulling a Polish text anywhere.
 */
#include <string.h>

#include "assistant/lang_internal.h"

static const char *const SK_WORDS[] = {
    "ako",   "nie", "sme", "ste",  "som",   "tiež", "viac", "kto", "čo",      "prečo",   "keď",
    "ešte",  "aj",  "len", "lebo", "tohto", "boli", "budú", "mať", "teraz",   "veľmi",   "všetko",
    "ktorí", "aby", "vo",  "zo",   "ku",    "mu",   "si",   "iné", "pretože", "ktorého", "jeho",
};
static const char *const CS_WORDS[] = {
    "jako",  "ne",      "jsme",  "jste", "jsem",    "jsou",   "také", "více",  "kdo",  "co",
    "proč",  "když",    "ještě", "jen",  "protože", "tohoto", "byli", "budou", "mít",  "nyní",
    "velmi", "všechno", "kteří", "ve",   "ze",      "ke",     "jiné", "není",  "jeho",
};

static int in_list(const char *w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(w, list[i]) == 0)
            return 1;
    return 0;
}

static int vowel(int32_t c)
{
    return strchr("aeiouy", (int)(c < 0x80 ? c : 0)) != NULL && c != 0 ? 1
           : c == 0xE1 || c == 0xE9 || c == 0xED || c == 0xF3 || c == 0xFA || c == 0xFD ||
                   c == 0xE4 || c == 0xF4 || c == 0x11B || c == 0x16F
               ? 1
               : 0;
}

int tz_lang_sk_cs(const int32_t *w, size_t len)
{
    char key[4 * 16 + 1];
    size_t k = 0;
    if (len == 0 || len > 16)
        return 0;
    for (size_t i = 0; i < len; i++)
        k += tz_lang_utf8_put(w[i], key + k);
    key[k] = '\0';
    int b = in_list(key, SK_WORDS, sizeof SK_WORDS / sizeof *SK_WORDS) -
            in_list(key, CS_WORDS, sizeof CS_WORDS / sizeof *CS_WORDS);
    if (b || len < 3)
        return b;
    for (size_t i = 0; i + 1 < len; i++) /* the diphthongs, ie only inside the word */
        if (w[i] == 'i' && (w[i + 1] == 'a' || w[i + 1] == 'u' || (w[i + 1] == 'e' && i + 2 < len)))
            b++;
    int32_t last = w[len - 1], prev = w[len - 2];
    if (prev == 'i' && last == 'e')
        b--; /* policie, linie: Czech; Slovak writes polícia */
    if ((prev == 'o' && (last == 'v' || last == 'm')) || (prev == 'e' && last == 'j'))
        b++;
    if (prev == 'e' && last == 'm')
        b--;
    if (last == 0x165) /* ť */
        b++;
    if (last == 'l' && prev == 'o' && len >= 4 && !vowel(w[len - 3]))
        b++; /* ukradol */
    else if (last == 'l' && !vowel(prev) && prev != 'r' && prev != 'l')
        b--; /* ukradl */
    return b;
}
