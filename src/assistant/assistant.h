/*
 * assistant.h - what the assistant promises (issue 16): the entities of a
 * police text, each with its type, its span (bytes and code points of the
 * text as given), its value normalised and a confidence, and redaction
 * proposals for a threat-map report's description.
 *
 * Extraction is a table of extractors over UTF-8 text, offline and bounded:
 * a text over TZ_ASSIST_TEXT_MAX bytes is TZ_ETOOBIG, invalid UTF-8 is
 * TZ_EMALFORMED. Zero-width characters, soft hyphens and bidirectional
 * controls are looked through (an IBAN with a U+200B inside is still found)
 * and every span is given in the original text. A checksummed entity whose
 * check digits are wrong (IBAN mod-97, card Luhn, Bitcoin base58check and
 * bech32/bech32m, Ethereum EIP-55, an MRZ's and a required VIN check digit:
 * screening's ids.h) is refused: it is not extracted at all.
 *
 * tz_assist_analyse_as is the police door: it checks auth's permission
 * table (assistant.use) and writes the audit entry (what was asked and how
 * many entities of each type, never the text) before it answers.
 */
#ifndef TZ_ASSISTANT_ASSISTANT_H
#define TZ_ASSISTANT_ASSISTANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/err.h"

#define TZ_ASSIST_TEXT_MAX (64u * 1024) /* bytes of text analysed, at most */
#define TZ_ASSIST_ENTITIES_MAX 1024     /* entities of one text, at most (then truncated) */
#define TZ_ENTITY_VALUE_MAX 160         /* bytes of a normalised value, NUL included */

/* The kinds of entity; codes (tz_assist_type_code) are part of the API. */
enum tz_assist_type {
    TZ_ENT_EMAIL,    /* "email": lower case */
    TZ_ENT_URL,      /* "url": scheme and host in lower case; www. gets http:// */
    TZ_ENT_PHONE,    /* "phone": E.164, "+48601234567" */
    TZ_ENT_IBAN,     /* "iban": no spaces, upper case, mod-97 valid */
    TZ_ENT_CARD,     /* "card": Luhn valid, masked "411111******1111" */
    TZ_ENT_CRYPTO,   /* "crypto": a Bitcoin or Ethereum address (EIP-55 form) */
    TZ_ENT_DATE,     /* "date": ISO 8601, "2026-03-12" or "2026-03-12T14:30" */
    TZ_ENT_PERSON,   /* "person": the name as written, spaces collapsed */
    TZ_ENT_PLACE,    /* "place": the gazetteer's name of the place */
    TZ_ENT_MRZ,      /* "mrz": a whole MRZ block, every check digit right; its lines, LF between */
    TZ_ENT_DOCUMENT, /* "document": a travel-document number after a word announcing it */
    TZ_ENT_VIN,      /* "vin": 17 characters, upper case; its check digit where required */
    TZ_ENT_PLATE,    /* "plate": normalised by its country (detail), after a word announcing it */
    TZ_ENT_TYPE_COUNT
};

/* One entity found. Spans are half-open, [start, end). */
struct tz_entity {
    enum tz_assist_type type;
    size_t start, end;   /* bytes of the text as given */
    size_t cstart, cend; /* code points of the text as given */
    char value[TZ_ENTITY_VALUE_MAX];
    char detail[24]; /* a subtype: "bitcoin", "ethereum", a phone's or IBAN's country, "relative" */
    double confidence; /* 0 < c <= 1 */
};

/* What to analyse. */
struct tz_assist_request {
    const char *text; /* UTF-8, need not end in NUL */
    size_t len;
    int64_t reference; /* the message's time (Unix seconds, UTC): resolves "wczoraj"; 0: none */
    const char *const *places; /* extra place names (the districts on file), or NULL */
    size_t place_count;
};

/* The answer: entities in the order of their start, none overlapping. */
struct tz_assist_result {
    struct tz_entity *items;
    size_t count, cap;
    bool truncated;   /* more than TZ_ASSIST_ENTITIES_MAX were found */
    char language[8]; /* ISO 639-1 (lang.h), "" when no known language fits */
    size_t chars;     /* code points of the text */
};

/* A proposed redaction of one entity of a description: replace [start, end) by replacement. */
struct tz_redaction {
    size_t entity; /* index into the result's items */
    char replacement[32];
};

struct tz_redactions {
    struct tz_redaction *items;
    size_t count;
    char *text; /* the text with every proposal applied (NUL-terminated) */
    size_t len;
};

/* A message's date: "2026-03-12" (midnight UTC) or an RFC 3339 time. TZ_EINVAL if neither. */
tz_err tz_assist_reference_parse(const char *s, int64_t *out);

/* The API's code of a type ("phone"); "unknown" out of range. */
const char *tz_assist_type_code(enum tz_assist_type type);
/* The type of a code; TZ_EINVAL when there is none. */
tz_err tz_assist_type_parse(const char *code, enum tz_assist_type *out);

/*
 * Extracts the entities of req->text into out (which the caller zeroes and
 * releases with tz_assist_result_clear, also after an error). TZ_ETOOBIG,
 * TZ_EMALFORMED (invalid UTF-8 or a NUL byte), TZ_ENOMEM.
 */
tz_err tz_assist_analyse(const struct tz_assist_request *req, struct tz_assist_result *out);
void tz_assist_result_clear(struct tz_assist_result *r);

/*
 * The redactions an officer is offered before a description goes public:
 * persons, phone numbers, e-mail addresses, documents, accounts, cards and
 * wallets each replaced by a placeholder naming its type ("[osoba]", in
 * Polish, the language of the officer's page). Release with tz_redactions_clear.
 */
tz_err tz_assist_redactions(const struct tz_assist_request *req, const struct tz_assist_result *r,
                            struct tz_redactions *out);
void tz_redactions_clear(struct tz_redactions *r);

struct tz_assist_linker;
struct tz_assist_links;

/* Who asks for an analysis and why. */
struct tz_assist_caller {
    struct tz_auth *auth;
    struct tz_auth_who who; /* a principal (checked), or an operator on the command line */
    const char *purpose;    /* "analyse" or "redact": the audit entry's object */
    const struct tz_assist_linker *link; /* link.h: screen and match what was found; NULL: no */
    struct tz_assist_links *links;       /* where the links go (link set); cleared on error */
};

/*
 * The police door: checks assistant.use in auth's table (TZ_EFORBIDDEN,
 * audited as refused), analyses, and writes the audit entry (purpose, bytes
 * asked, entities per type; never the text) before the answer is handed
 * over: no audit entry, no answer. With redact set also fills *redact; with
 * who->link set, links what was found (tz_assist_link) into *who->links, the number of
 * hits in the same audit entry.
 */
tz_err tz_assist_analyse_as(const struct tz_assist_caller *who, const struct tz_assist_request *req,
                            struct tz_assist_result *out, struct tz_redactions *redact);

#endif
