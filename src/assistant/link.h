/*
 * assistant/link.h - what the assistant found in a text, linked to what is on file (issue 16).
 *
 * Promises: tz_assist_link takes the entities of an analysis (assistant.h) and answers, beside
 * them, every hit on file with its explanation:
 *  - each person is screened against the watch-lists through the screening service
 *    (tz_screening_person: its permission, its threshold, its audit entry with the reason
 *    "assistant: a person named in an analysed text"), at most TZ_ASSIST_SCREEN_MAX persons;
 *  - each document, MRZ, vehicle (VIN, plate), phone number, e-mail address, account (IBAN) and
 *    wallet is matched against the entities of exchange's cases by exact key
 *    (tz_xentity_keys' form, tz_exchange_match), only in messages the caller may read. A
 *    document number read without its issuing state is tried under the states of
 *    TZ_ASSIST_DOC_STATES (the countries and Poland's neighbours).
 * Either half is left out, and the answer's note says why, when its service is not given, when
 * the caller's role may not use it, or (exchange) for an operator on the command line, who
 * has no unit. Knows no wire format. Safe from any thread the services are.
 */
#ifndef TZ_ASSISTANT_LINK_H
#define TZ_ASSISTANT_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assistant/assistant.h"
#include "exchange/exchange.h"
#include "screening/screening.h"

#define TZ_ASSIST_LINKS_MAX 64 /* hits answered for one text, at most (then truncated) */
#define TZ_ASSIST_SCREEN_MAX 8 /* persons of one text screened, at most */
#define TZ_ASSIST_DOC_STATES "PL DE CZ SK LT UA BY RU AZ TR GE FR ES GB"

/* Where a hit was found. */
enum tz_assist_link_kind {
    TZ_LINK_WATCHLIST, /* "watchlist": a person of a watch-list */
    TZ_LINK_CASE,      /* "case": an entity of an exchange case */
};

/* One hit beside one entity. */
struct tz_assist_link {
    size_t entity; /* index into the analysis' items */
    enum tz_assist_link_kind kind;
    double score;                  /* watch-list: the screening score (0..1); case: 1, exact */
    char key[TZ_X_KEY_MAX];        /* case: the key that matched ("phone:+48601234567") */
    int64_t case_id, message_id;   /* case: where the entity on file is */
    char record[64];               /* watch-list: the record's id as its source gave it */
    char name[TZ_SCREEN_NAME_MAX]; /* watch-list: the record's name as written */
    char why[256];                 /* the explanation, in English, for a person to read */
};

/* The hits of one text; free with tz_assist_links_clear. */
struct tz_assist_links {
    struct tz_assist_link *items;
    size_t count;
    bool truncated; /* more than TZ_ASSIST_LINKS_MAX */
    bool screened;  /* persons were screened against the watch-lists */
    bool matched;   /* entities were matched against the cases */
    char note[200]; /* what was left out and why; "" when nothing was */
};

/* The services to link with; either may be NULL (that half is left out). */
struct tz_assist_linker {
    struct tz_screening *screening;
    struct tz_exchange *exchange;
};

/* The API's code of a kind ("watchlist", "case"). */
const char *tz_assist_link_kind_code(enum tz_assist_link_kind kind);

/*
 * Links the entities of r (an analysis of the caller's text) for who, filling out (which the
 * caller zeroes and clears, also after an error). A service that refuses the caller is noted,
 * not an error; TZ_ENOMEM and TZ_EIO are.
 */
tz_err tz_assist_link(const struct tz_assist_linker *l, const struct tz_auth_who *who,
                      const struct tz_assist_result *r, struct tz_assist_links *out);
/* Frees what tz_assist_link filled; safe twice. */
void tz_assist_links_clear(struct tz_assist_links *l);

#endif
