/*
 * x_ids.c - identifiers of travel documents and vehicles: whole MRZ blocks,
 * document numbers, VINs and number plates. The reading and the checks are
 * screening's (screening/ids.h: every MRZ check digit, the VIN check digit
 * where the maker's region requires one, plates of Poland and its
 * neighbours); this file only finds the candidates in a text and hands them
 * over. An MRZ or a required VIN check digit that is wrong is refused (not
 * extracted), like every checksummed type.
 *
 * A document number or a plate has no shape of its own in free text (AB1234567
 * could be anything), so they are read only after a word that announces them
 * ("paszport", "nr rej.", "Kennzeichen", "госномер"...); an MRZ and a VIN carry
 * their own check and are read anywhere.
 */
#include <string.h>

#include "assistant/internal.h"
#include "screening/ids.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_alnum(char c)
{
    return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

/* ---- MRZ ---- */

/* The end of the MRZ-like line at v[i] (A-Z, 0-9, '<', with a '<'), trailing spaces left out. */
static size_t mrz_line(const char *v, size_t n, size_t i, size_t *len)
{
    size_t j = i;
    bool filler = false;
    while (j < n && (is_upper(v[j]) || is_digit(v[j]) || v[j] == '<')) {
        filler |= v[j] == '<';
        j++;
    }
    *len = j - i;
    size_t k = j;
    while (k < n && v[k] == ' ')
        k++;
    bool ends = k >= n || v[k] == '\n';
    return filler && ends && (*len == 30 || *len == 36 || *len == 44) ? j : 0;
}

void x_mrz(struct scan *s)
{
    const char *v = s->v;
    size_t n = s->vlen;
    for (size_t i = 0; i < n;) {
        size_t len, end = (i == 0 || v[i - 1] == '\n') ? mrz_line(v, n, i, &len) : 0;
        if (!end) {
            const char *nl = memchr(v + i, '\n', n - i);
            i = nl ? (size_t)(nl - v) + 1 : n;
            continue;
        }
        size_t lines = 1, last = end, l2;
        for (size_t j = end; lines < 3;) {
            while (j < n && v[j] == ' ')
                j++;
            if (j >= n || v[j] != '\n')
                break;
            size_t e = mrz_line(v, n, j + 1, &l2);
            if (!e || l2 != len)
                break;
            lines++;
            last = j = e;
        }
        struct tz_mrz m;
        if (lines >= 2 && last - i <= TZ_MRZ_INPUT_MAX &&
            tz_mrz_parse(v + i, last - i, &m) == TZ_OK) {
            char value[TZ_ENTITY_VALUE_MAX];
            size_t o = 0;
            for (size_t k = i; k < last && o + 1 < sizeof value; k++)
                if (v[k] != ' ')
                    value[o++] = v[k];
            value[o] = '\0';
            scan_emit(s, TZ_ENT_MRZ, i, last, value, tz_mrz_format_name(m.format), 0.99);
            i = last;
        } else {
            i = end;
        }
    }
}

/* ---- VIN ---- */

void x_vin(struct scan *s)
{
    const char *v = s->v;
    size_t n = s->vlen;
    for (size_t i = 0; i + 17 <= n;) {
        if (!is_alnum(v[i]) || !u8_word_start(v, i)) {
            i++;
            continue;
        }
        size_t j = i, digits = 0, letters = 0;
        while (j < n && is_alnum(v[j])) {
            digits += is_digit(v[j]);
            letters += !is_digit(v[j]);
            j++;
        }
        struct tz_vin vin;
        if (j - i == 17 && digits >= 3 && letters >= 2 && u8_word_end(v, n, j) &&
            tz_vin_parse(v + i, 17, &vin) == TZ_OK) {
            bool checked = vin.check == TZ_VIN_CHECK_OK;
            scan_emit(s, TZ_ENT_VIN, i, j, vin.text, checked ? "checked" : "unchecked",
                      checked ? 0.99 : 0.85);
        }
        i = j;
    }
}

/* ---- announced identifiers: document numbers and plates ---- */

/* Words that announce a travel document's number (lower case). */
static const char *const document_words[] = {
    "paszport",          "paszportu", "paszportem", "пашпарт",    "пашпарта", "dowód osobisty",
    "dowodu osobistego", "dowodu",    "passport",   "id card",    "паспорт",  "паспорта",
    "паспорті",          "pasport",   "pasaport",   "جواز السفر", "جواز",     "reisepass",
    "personalausweis",   "passeport", "pasaporte",  "dni",        "პასპორტი", "პასპორტის",
};

/* Words that announce a plate (lower case), with the country its plates are tried as first. */
static const struct {
    const char *word;
    enum tz_plate_country first;
} plate_words[] = {
    {"nr rej.", TZ_PLATE_PL},
    {"nr rejestracyjny", TZ_PLATE_PL},
    {"numer rejestracyjny", TZ_PLATE_PL},
    {"numerach rejestracyjnych", TZ_PLATE_PL},
    {"tablicach rejestracyjnych", TZ_PLATE_PL},
    {"rejestracyjnym", TZ_PLATE_PL},
    {"registration", TZ_PLATE_GENERIC},
    {"plate", TZ_PLATE_GENERIC},
    {"plates", TZ_PLATE_GENERIC},
    {"госномер", TZ_PLATE_RU},
    {"гос. номер", TZ_PLATE_RU},
    {"номерной знак", TZ_PLATE_RU},
    {"номерным знаком", TZ_PLATE_RU},
    {"номерний знак", TZ_PLATE_UA},
    {"номерним знаком", TZ_PLATE_UA},
    {"дзяржаўны нумар", TZ_PLATE_BY},
    {"nömrə nişanı", TZ_PLATE_GENERIC},
    {"nömrəli", TZ_PLATE_GENERIC},
    {"plaka", TZ_PLATE_GENERIC},
    {"plakalı", TZ_PLATE_GENERIC},
    {"لوحة", TZ_PLATE_GENERIC},
    {"kennzeichen", TZ_PLATE_DE},
    {"immatriculé", TZ_PLATE_GENERIC},
    {"immatriculation", TZ_PLATE_GENERIC},
    {"matrícula", TZ_PLATE_GENERIC},
    {"სახელმწიფო ნომრით", TZ_PLATE_GENERIC},
    {"ნომრით", TZ_PLATE_GENERIC},
};

/* Words between the announcing word and the identifier, passed over (lower case). */
static const char *const filler_words[] = {
    "nr",      "no",       "number",   "numer",  "o numerze", "номер",  "серии", "серия",  "серія",
    "nömrəsi", "numarası", "numarali", "nummer", "numéro",    "número", "رقم",   "ნომერი", "n°",
    "№",       "of",       "z",        "с",      "з",         "mit",    "con",   "avec",   "with",
};

/* Skips spaces, punctuation and filler words after v[i] (at most 40 bytes). */
static size_t skip_filler(const char *v, size_t n, size_t i)
{
    size_t start = i, e;
    while (i < n && i - start < 40) {
        if (v[i] == ' ' || v[i] == ':' || v[i] == '.' || v[i] == '#' || v[i] == ',') {
            i++;
            continue;
        }
        bool found = false;
        for (size_t k = 0; k < sizeof filler_words / sizeof filler_words[0] && !found; k++)
            if (u8_match_fold(v, n, i, filler_words[k], &e) && (e >= n || !is_alnum(v[e])) &&
                !(e < n && (unsigned char)v[e] >= 0x80 && u8_word_end(v, n, e) == false)) {
                i = e;
                found = true;
            }
        if (!found)
            break;
    }
    return i;
}

/*
 * Reads an identifier at v[i]: up to three groups of capitals (Latin or
 * Cyrillic) and digits joined by a space or a hyphen. Its end, or i.
 */
static size_t id_groups(const char *v, size_t n, size_t i, size_t *chars)
{
    size_t j = i, end = i, groups = 0;
    *chars = 0;
    while (j < n && groups < 3) {
        size_t g = j, len;
        while (g < n) {
            uint32_t cp = u8_at(v, n, g, &len);
            bool ok = (cp < 0x80 && (is_upper((char)cp) || is_digit((char)cp))) ||
                      (cp >= 0x400 && cp < 0x530 && u8_is_upper(cp)) || cp == 0x406;
            if (!ok)
                break;
            g += len;
            (*chars)++;
        }
        if (g == j || !u8_word_end(v, n, g))
            break;
        end = g;
        groups++;
        if (g + 1 < n && (v[g] == ' ' || v[g] == '-') && v[g + 1] != ' ')
            j = g + 1;
        else
            break;
    }
    return end;
}

static void emit_document(struct scan *s, size_t a, size_t b)
{
    struct tz_docnum d;
    size_t digits = 0;
    for (size_t k = a; k < b; k++)
        digits += is_digit(s->v[k]);
    if (digits < 5 || tz_docnum_normalise(s->v + a, b - a, &d) != TZ_OK || d.len < 6 || d.len > 12)
        return;
    scan_emit(s, TZ_ENT_DOCUMENT, a, b, d.text, NULL, 0.85);
}

/*
 * Tries the plate as the announcing word's country first, then Poland and its neighbours
 * (Cyrillic ones first where it is written in Cyrillic); the first whose shape it has wins.
 */
static void emit_plate(struct scan *s, size_t a, size_t b, enum tz_plate_country first)
{
    static const enum tz_plate_country latin[] = {TZ_PLATE_PL, TZ_PLATE_DE, TZ_PLATE_LT,
                                                  TZ_PLATE_CZ, TZ_PLATE_SK, TZ_PLATE_UA,
                                                  TZ_PLATE_BY, TZ_PLATE_RU};
    static const enum tz_plate_country cyrillic[] = {TZ_PLATE_UA, TZ_PLATE_BY, TZ_PLATE_RU,
                                                     TZ_PLATE_PL};
    bool cyr = false;
    for (size_t k = a; k < b; k++)
        cyr |= (unsigned char)s->v[k] >= 0x80;
    const enum tz_plate_country *order = cyr ? cyrillic : latin;
    size_t count = cyr ? sizeof cyrillic / sizeof cyrillic[0] : sizeof latin / sizeof latin[0];
    for (size_t k = 0; k <= count; k++) {
        enum tz_plate_country c = k == 0 ? first : order[k - 1];
        struct tz_plate p;
        if ((k == 0 && c == TZ_PLATE_GENERIC) ||
            tz_plate_normalise(c, s->v + a, b - a, &p) != TZ_OK || !p.format_known)
            continue;
        scan_emit(s, TZ_ENT_PLATE, a, b, p.text, p.country_code, 0.9);
        return;
    }
}

/* The longest announcing word at v[i]: its end, or 0; *first the plate's country. */
static size_t plate_word_at(const char *v, size_t n, size_t i, enum tz_plate_country *first)
{
    size_t best = 0, e;
    for (size_t k = 0; k < sizeof plate_words / sizeof plate_words[0]; k++)
        if (u8_match_fold(v, n, i, plate_words[k].word, &e) && e > best &&
            (v[e - 1] == '.' || u8_word_end(v, n, e))) {
            best = e;
            *first = plate_words[k].first;
        }
    return best;
}

/* The longest of words at v[i] that ends a word: its end, or 0. */
static size_t word_at(const char *v, size_t n, size_t i, const char *const *words, size_t count)
{
    size_t best = 0, e;
    for (size_t k = 0; k < count; k++)
        if (u8_match_fold(v, n, i, words[k], &e) && e > best &&
            (v[e - 1] == '.' || u8_word_end(v, n, e)))
            best = e;
    return best;
}

void x_announced(struct scan *s)
{
    const char *v = s->v;
    size_t n = s->vlen;
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = u8_at(v, n, i, &len);
        if (!u8_is_letter(cp) || !u8_word_start(v, i)) {
            i += len;
            continue;
        }
        size_t doc =
            word_at(v, n, i, document_words, sizeof document_words / sizeof document_words[0]);
        enum tz_plate_country first = TZ_PLATE_GENERIC;
        size_t plate = doc ? 0 : plate_word_at(v, n, i, &first);
        size_t after = doc ? doc : plate;
        if (!after) {
            i += len;
            continue;
        }
        size_t a = skip_filler(v, n, after), chars;
        size_t b = id_groups(v, n, a, &chars);
        if (b > a && doc)
            emit_document(s, a, b);
        else if (b > a && chars >= 4 && chars <= 10)
            emit_plate(s, a, b, first);
        i = b > a ? b : after;
    }
}
