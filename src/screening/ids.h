/*
 * ids.h - identifiers of travel documents and vehicles, read and checked: the
 * machine-readable zone (MRZ) of ICAO 9303 documents, document numbers, VINs
 * (ISO 3779) and number plates. Pure functions over bytes: no store, no
 * allocation, no global state, safe from any thread.
 *
 * What it promises:
 *   - an MRZ of TD1 (3 x 30), TD2 (2 x 36) or TD3 (2 x 44), and the visas
 *     MRV-B (2 x 36) and MRV-A (2 x 44), is cut into its fields and EVERY check
 *     digit is verified (7-3-1 weights); each one is reported by field with
 *     the digit found and the digit expected, and a parse with a bad digit
 *     never returns TZ_OK (the fields are still filled in, so they can be
 *     shown beside the error);
 *   - a document number or a plate is normalised (case, separators), and the
 *     O/0 and I/1 confusion is noted as such, never silently merged: the
 *     normal text keeps what was written, the "skeleton" folds the pairs and
 *     counts how many characters it folded;
 *   - a VIN is 17 characters of ISO 3779's alphabet (no I, O, Q); its check
 *     digit (position 9) is verified where the maker's region requires one
 *     (North America, WMI 1-5; China, WMI L) and the answer says whether it
 *     was checked;
 *   - plates of Poland and its neighbours (DE, CZ, SK, UA, BY, LT, RU with
 *     Kaliningrad) are normalised per country, Cyrillic letters that look
 *     Latin mapped to their Latin twins (noted), a generic rule for others.
 *
 * Every function reads exactly n bytes of its input (not NUL-terminated) and
 * writes NUL-terminated text into fixed arrays of the struct it fills.
 */
#ifndef TZ_SCREENING_IDS_H
#define TZ_SCREENING_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* ---- MRZ (ICAO 9303 parts 4 to 7) ---- */

/* The longest input tz_mrz_parse reads (three lines of 30, or two of 44, with CR LF and spaces). */
#define TZ_MRZ_INPUT_MAX 256
#define TZ_MRZ_NAMES_MAX 44  /* the name field of a TD3, filler turned into spaces */
#define TZ_MRZ_NUMBER_MAX 24 /* a document number, long TD1/TD2 numbers included */
#define TZ_MRZ_OPTIONAL_MAX 26

enum tz_mrz_format {
    TZ_MRZ_TD1,   /* identity cards: 3 lines of 30 */
    TZ_MRZ_TD2,   /* 2 lines of 36 */
    TZ_MRZ_TD3,   /* passports: 2 lines of 44 */
    TZ_MRZ_MRV_B, /* visa, 2 lines of 36: no composite digit, no optional-data digit */
    TZ_MRZ_MRV_A, /* visa, 2 lines of 44: likewise */
};

/* The check digits of an MRZ, each reported on its own. */
enum tz_mrz_digit {
    TZ_MRZ_DIGIT_NUMBER,    /* the document number */
    TZ_MRZ_DIGIT_BIRTH,     /* the date of birth */
    TZ_MRZ_DIGIT_EXPIRY,    /* the date of expiry */
    TZ_MRZ_DIGIT_OPTIONAL,  /* TD3's personal number (optional data) */
    TZ_MRZ_DIGIT_COMPOSITE, /* over number, birth, expiry and optional data */
    TZ_MRZ_DIGIT_COUNT
};

enum tz_mrz_check {
    TZ_MRZ_CHECK_ABSENT, /* the format has no such digit */
    TZ_MRZ_CHECK_OK,
    TZ_MRZ_CHECK_BAD, /* the digit found is not the one computed (or is not a digit) */
};

struct tz_mrz_digit_result {
    enum tz_mrz_check check;
    char found;    /* the character in the check digit's place */
    char expected; /* the digit computed from the field */
};

/* A date of the MRZ (YYMMDD, century unknown); parts that are "<<" are unknown (0). */
struct tz_mrz_date {
    char text[7];   /* as written, '<' kept */
    int yy, mm, dd; /* 0..99, 0..12, 0..31; 0 where unknown */
    bool valid;     /* digits (or '<' for an unknown month and day), a real calendar day */
};

struct tz_mrz {
    enum tz_mrz_format format;
    char doc_code[3];                   /* "P", "ID", "V", "AC"...; filler removed */
    char issuer[4];                     /* issuing state or organisation: "POL", "D", "UNO" */
    char number[TZ_MRZ_NUMBER_MAX + 1]; /* document number, filler removed */
    char nationality[4];                /* holder's nationality */
    struct tz_mrz_date birth;
    char sex; /* 'M', 'F' or 'X' (unspecified, '<' in the MRZ) */
    struct tz_mrz_date expiry;
    char surname[TZ_MRZ_NAMES_MAX + 1];      /* primary identifier, '<' turned into spaces */
    char given[TZ_MRZ_NAMES_MAX + 1];        /* secondary identifier after "<<", likewise */
    bool names_truncated;                    /* the name field is full: the names may be cut */
    char optional1[TZ_MRZ_OPTIONAL_MAX + 1]; /* optional data (TD3 personal number; TD1 line 1) */
    char optional2[TZ_MRZ_OPTIONAL_MAX + 1]; /* TD1 line 2's optional data */
    struct tz_mrz_digit_result digit[TZ_MRZ_DIGIT_COUNT];
    unsigned bad_digits; /* bit (1u << enum tz_mrz_digit) per bad digit */
    bool case_folded;    /* lower-case letters were read as capitals */
};

/*
 * Reads an MRZ: its lines separated by LF or CR LF (trailing spaces ignored),
 * or the lines run together as one (90, 72 or 88 characters). Characters are
 * A-Z, 0-9 and '<' (lower case is read as upper case, and noted).
 * TZ_OK: every check digit verified. TZ_EINVAL: the shape is right but a check
 * digit is bad (out->bad_digits says which), a date is impossible (its valid
 * is false) or the sex is not M, F, X or '<' (sex is '?'); *out is filled. TZ_EMALFORMED: not an
 * MRZ (line count, length, a character outside the alphabet); *out is zeroed. TZ_ETOOBIG: n >
 * TZ_MRZ_INPUT_MAX.
 */
tz_err tz_mrz_parse(const char *s, size_t n, struct tz_mrz *out);

/* The check digit ('0'..'9') of n characters of MRZ text (7-3-1 weights; '<' = 0, A = 10...);
 * '\0' when a character is outside A-Z, 0-9, '<'. */
char tz_mrz_check_digit(const char *s, size_t n);

/*
 * The full year of an MRZ date, whose century the MRZ does not write: a date
 * of birth is in the past (the latest year not after this_year ending in yy),
 * a date of expiry within fifty years either side of this_year.
 */
int tz_mrz_full_year(int yy, int this_year, bool birth);

/* English name of a check digit ("document number", ...); never NULL. */
const char *tz_mrz_digit_name(enum tz_mrz_digit d);

/* Short name of the format ("TD1", "TD2", "TD3", "MRV-B", "MRV-A"); never NULL. */
const char *tz_mrz_format_name(enum tz_mrz_format f);

/* ---- document numbers ---- */

#define TZ_DOCNUM_MAX 32 /* characters of a normal document number */
#define TZ_DOCNUM_INPUT_MAX 128

struct tz_docnum {
    char text[TZ_DOCNUM_MAX + 1];     /* upper case, separators removed: "AB1234567" */
    char skeleton[TZ_DOCNUM_MAX + 1]; /* text with O read as 0 and I as 1: the confusion key */
    size_t len;                       /* bytes of text (and of skeleton) */
    unsigned confusable;              /* how many characters are O, 0, I or 1 */
    bool case_folded;                 /* lower case was read as upper case */
    bool separators_removed;          /* spaces, '-', '/', '.', '<' or '_' were dropped */
    bool cyrillic_mapped;             /* Cyrillic letters that look Latin were read as Latin */
};

/*
 * Normalises a document number as typed or printed: ASCII letters and digits
 * are kept (upper case), separators (space, '-', '/', '.', '<', '_') dropped,
 * Cyrillic letters that look Latin (А В Е К М Н О Р С Т У Х І) read as Latin;
 * anything else is TZ_EINVAL, as is an empty number. TZ_ETOOBIG: more than
 * TZ_DOCNUM_MAX characters remain, or n > TZ_DOCNUM_INPUT_MAX.
 */
tz_err tz_docnum_normalise(const char *s, size_t n, struct tz_docnum *out);

/* How two normal identifiers (document numbers, plates) compare. */
enum tz_id_match {
    TZ_ID_DIFFERENT,
    TZ_ID_CONFUSABLE, /* equal once O/0 and I/1 are taken as one: a weaker hit */
    TZ_ID_SAME,
};

/*
 * Compares the normal texts a and b (of tz_docnum or tz_plate); for
 * TZ_ID_CONFUSABLE, *positions (if not NULL) gets a bit per differing
 * position (the first 32) and *count the number of positions that differ.
 */
enum tz_id_match tz_id_compare(const char *a, const char *b, uint32_t *positions, unsigned *count);

/*
 * An issuing state as ICAO 9303 writes it (3 letters, or "D" for Germany,
 * filler '<' ignored, case folded) into a 4-byte out: "D" becomes "DEU" so
 * that an MRZ and a list that writes DEU agree. TZ_EINVAL otherwise.
 */
tz_err tz_ids_country3(const char *s, size_t n, char out[4]);

/* ---- VIN (ISO 3779) ---- */

enum tz_vin_check {
    TZ_VIN_CHECK_NOT_APPLICABLE, /* the region does not require a check digit: not checked */
    TZ_VIN_CHECK_OK,             /* checked and right */
    TZ_VIN_CHECK_BAD,            /* checked and wrong (tz_vin_parse returns TZ_EINVAL) */
};

enum tz_vin_region {
    TZ_VIN_REGION_OTHER,
    TZ_VIN_REGION_NORTH_AMERICA, /* WMI 1-5: the check digit is mandatory (49 CFR 565) */
    TZ_VIN_REGION_CHINA,         /* WMI L: mandatory too (GB 16735) */
    TZ_VIN_REGION_EUROPE,        /* WMI S-Z */
    TZ_VIN_REGION_ASIA,          /* WMI H-R but L */
    TZ_VIN_REGION_AFRICA,        /* WMI A-H */
    TZ_VIN_REGION_OCEANIA,       /* WMI 6-7 */
    TZ_VIN_REGION_SOUTH_AMERICA, /* WMI 8-9 */
};

#define TZ_VIN_INPUT_MAX 64

struct tz_vin {
    char text[18]; /* 17 characters, upper case, spaces and '-' removed */
    char wmi[4];   /* world manufacturer identifier: the first three */
    enum tz_vin_region region;
    enum tz_vin_check check;
    char check_found;    /* position 9 as written */
    char check_expected; /* the digit computed ('0'..'9' or 'X') */
    bool case_folded;
    int bad_position; /* 1-based position of the first character refused; 0 if none */
};

/*
 * Reads a VIN (spaces and '-' ignored, case folded). TZ_OK: 17 characters of
 * the VIN alphabet and, where its region requires one, a right check digit.
 * TZ_EINVAL: a wrong length (bad_position 0), a character outside the
 * alphabet such as I, O or Q (bad_position set), or a wrong required check
 * digit (check TZ_VIN_CHECK_BAD); *out is filled as far as it was read.
 * TZ_ETOOBIG: n > TZ_VIN_INPUT_MAX.
 */
tz_err tz_vin_parse(const char *s, size_t n, struct tz_vin *out);

/* The check digit of a 17-character VIN ('0'..'9' or 'X'); '\0' if a character is not allowed. */
char tz_vin_check_digit(const char *vin17);

/* ---- number plates ---- */

enum tz_plate_country {
    TZ_PLATE_GENERIC, /* any other country: separators, case, Cyrillic look-alikes */
    TZ_PLATE_PL,
    TZ_PLATE_DE,
    TZ_PLATE_CZ,
    TZ_PLATE_SK,
    TZ_PLATE_UA,
    TZ_PLATE_BY,
    TZ_PLATE_LT,
    TZ_PLATE_RU,
    TZ_PLATE_COUNTRY_COUNT
};

#define TZ_PLATE_MAX 24 /* bytes of a normal plate (UTF-8: a German umlaut is two) */
#define TZ_PLATE_INPUT_MAX 64

struct tz_plate {
    enum tz_plate_country country;
    char country_code[3];            /* "PL", "DE"...; "" for the generic rule */
    char text[TZ_PLATE_MAX + 1];     /* upper case, separators removed, Latin letters */
    char skeleton[TZ_PLATE_MAX + 1]; /* text with O read as 0 and I as 1 */
    size_t len;                      /* bytes of text */
    unsigned confusable;             /* characters that are O, 0, I or 1 */
    bool case_folded;
    bool separators_removed;
    bool cyrillic_mapped; /* Cyrillic look-alikes were read as Latin */
    bool format_known;    /* the text has one of the country's plate shapes */
    bool kaliningrad;     /* RU: the region code is 39 or 91 */
};

/*
 * Reads a country for plates: ISO 3166 alpha-2 or alpha-3 or the
 * international vehicle code ("PL", "POL"; "DE", "DEU", "D"; "RUS"...), case
 * folded. An empty country or one not listed gives TZ_PLATE_GENERIC.
 */
enum tz_plate_country tz_plate_country_parse(const char *s, size_t n);

/*
 * Normalises a plate of the country: separators (space, '-', '.', '·', '/')
 * dropped, case folded, Cyrillic look-alikes read as Latin (UA, BY, RU and the
 * generic rule; noted); German umlauts (Ä Ö Ü) kept for DE. TZ_EINVAL: a
 * character the country's plates never carry, or nothing left. format_known
 * says whether the result has a shape of the country's current plates; a
 * plate of another shape is still normalised (old series, diplomatic...).
 */
tz_err tz_plate_normalise(enum tz_plate_country c, const char *s, size_t n, struct tz_plate *out);

/* The code of a plate country ("PL"...; "" for the generic rule); never NULL. */
const char *tz_plate_country_code(enum tz_plate_country c);

#endif
