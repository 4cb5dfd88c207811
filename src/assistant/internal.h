/*
 * internal.h - what the assistant's extractors share: the scan (a view of
 * the text with invisible characters taken out, mapped back to the
 * original), the candidate list they append to, and small UTF-8 helpers.
 * Not part of the module's promise.
 */
#ifndef TZ_ASSISTANT_INTERNAL_H
#define TZ_ASSISTANT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assistant/assistant.h"

#define SCAN_CANDIDATES_MAX 4096 /* candidates of one text, at most */

/*
 * A text being analysed. v is the view the extractors read: the original
 * with zero-width characters, soft hyphens and bidi controls removed and
 * the other spaces (no-break, thin...) written as one ASCII space; map[i]
 * is the original byte offset of v[i], and map[vlen] the original length.
 */
struct scan {
    const struct tz_assist_request *req;
    char *v;
    size_t vlen;
    size_t *map;
    struct tz_entity *cand;
    size_t ncand, capcand;
    bool full; /* SCAN_CANDIDATES_MAX reached */
    tz_err err;
};

/* Appends a candidate over v[vs, ve): value and detail are copied (cut to fit). */
void scan_emit(struct scan *s, enum tz_assist_type type, size_t vs, size_t ve, const char *value,
               const char *detail, double confidence);

/* The extractors, each over the whole view (x_*.c). */
void x_email(struct scan *s);
void x_url(struct scan *s);
void x_phone(struct scan *s);
void x_iban(struct scan *s);
void x_card(struct scan *s);
void x_crypto(struct scan *s);
void x_date(struct scan *s);
void x_person(struct scan *s);
void x_place(struct scan *s);
void x_mrz(struct scan *s); /* x_ids.c, through screening/ids.h */
void x_vin(struct scan *s);
void x_announced(struct scan *s); /* document numbers and plates after a word announcing them */

/* The checks behind them, also tested on their own (checks.c, crypto.c). */
bool tz_assist_luhn(const char *digits, size_t n);
bool tz_assist_iban_ok(const char *iban, size_t n); /* compact, upper case */
int tz_assist_iban_length(const char country[2]);   /* 0: no IBAN country */
bool tz_assist_base58check(const char *s, size_t n, uint8_t *version);
int tz_assist_bech32(const char *s, size_t n); /* 0 bad, 1 bech32 v0, 2 bech32m v1+ */
void tz_assist_keccak256(const uint8_t *in, size_t n, uint8_t out[32]);
/* EIP-55: writes the checksummed form of 40 hex digits to out[41]; false if not hex. */
bool tz_assist_eip55(const char *hex40, char out[41]);

/* Writes the assistant.use audit entry of c (object "assistant/<purpose>") (service.c). */
tz_err assist_audit(const struct tz_assist_caller *c, const char *fields, const char *outcome);

/* ---- UTF-8 (utf8.c) ---- */

/* Decodes the code point at s[i] (i < n, valid UTF-8); *len gets its bytes. */
uint32_t u8_at(const char *s, size_t n, size_t i, size_t *len);
/* The start of the code point before s[i] (i > 0). */
size_t u8_prev(const char *s, size_t i);
/* Whether cp is a letter (of the scripts the assistant reads) or a digit. */
bool u8_is_letter(uint32_t cp);
bool u8_is_upper(uint32_t cp);
/* The simple lower case of cp (Latin, Greek, Cyrillic, Armenian, Georgian Mtavruli). */
uint32_t u8_lower(uint32_t cp);
/* Whether the letter or digit before v[i] ends a word (start of text, or not a letter/digit). */
bool u8_word_start(const char *v, size_t i);
bool u8_word_end(const char *v, size_t n, size_t i);
/*
 * Whether word (lower case UTF-8, NUL-terminated) is at v[i] ignoring case;
 * *end gets the offset after it.
 */
bool u8_match_fold(const char *v, size_t n, size_t i, const char *word, size_t *end);
/* Whether s[0, n) is valid UTF-8 without NUL. */
bool u8_valid(const char *s, size_t n);

/* ---- gazetteers (gazetteer.c, over the data files of data/assistant) ---- */

enum gaz_list {
    GAZ_GIVEN,  /* given names, all languages */
    GAZ_FAMILY, /* family names, all languages */
    GAZ_PLACE,  /* Polish localities and world capitals: "value|form|form..." */
    GAZ_TITLE,  /* words before a name: pan, Mr, гражданин... */
    GAZ_LIST_COUNT
};

/*
 * Looks up the word v[i, j) (case folded) in list: true and *value the
 * normalised value (the line's first form) if there. Thread-safe after the
 * first call.
 */
bool gaz_lookup(enum gaz_list list, const char *w, size_t n, const char **value, size_t *vlen);
/* The longest entry of list that starts at v[i] (several words): its end, or 0. */
size_t gaz_longest(enum gaz_list list, const char *v, size_t n, size_t i, const char **value,
                   size_t *vlen);
tz_err gaz_init(void);
/* Lower-cases s[0, n) into out (at most cap bytes): its length, 0 if it does not fit. */
size_t gaz_fold(const char *s, size_t n, char *out, size_t cap);

#endif
