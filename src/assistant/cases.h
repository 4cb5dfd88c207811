/*
 * assistant/cases.h - the assistant over a whole exchange case (issue 16).
 *
 * Promises, each through exchange's own rules, only over the messages the caller may read:
 *  - tz_assist_case_add_as: an entity the assistant finds in a message (named by its type and
 *    its span in the message's text, as the analysis answered it: the value is read again from
 *    the stored text, never taken from the caller) is added to the message's case in one action,
 *    written with its audit entry in one transaction; refused (TZ_EFORBIDDEN, the refusal
 *    audited) when the caller may not write the case (exchange.send for a unit that took part
 *    in it: tz_exchange_case_writable); TZ_ECONFLICT when the case has it already.
 *  - tz_assist_case_digest_as: the case's readable messages summarised together (extractive,
 *    offline; abstractive through the model server when one is configured), a timeline of
 *    dated events (sent, received, reply deadlines, deviations, and the dates found in the
 *    text), and a table of the entities found, each item citing the message it comes from.
 *  - tz_assist_case_ask_as: a question over the case: the sentences of its readable messages
 *    ranked by the question's words folded as the search folds them ("Aliyev" finds
 *    "Алиев"), the best passages given to the model, whose answer's citations ([m<id>]) are
 *    kept only when they name a retrieved message; without a model, the passages themselves
 *    as the answer, labelled as such.
 * Every call checks assistant.use and writes one assistant.use audit entry (never the text).
 */
#ifndef TZ_ASSISTANT_CASES_H
#define TZ_ASSISTANT_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assistant/assistant.h"
#include "assistant/summary.h"
#include "exchange/exchange.h"
#include "store/store.h"

#define TZ_ACASE_TEXT_MAX (256u * 1024) /* bytes of a case's readable text read, at most */
#define TZ_ACASE_EVENTS_MAX 1000        /* events of a timeline, at most */
#define TZ_ACASE_TABLE_MAX 500          /* rows of an entity table, at most */
#define TZ_ACASE_PASSAGES 6             /* passages retrieved for a question */
#define TZ_ACASE_QUESTION_MAX 1000      /* bytes of a question */
#define TZ_ACASE_CITES_MAX 16           /* citations of one answer kept */
#define TZ_ACASE_QUOTE_MAX 1024         /* bytes of a quoted sentence kept, NUL included */
#define TZ_ACASE_EXTRACTIVE_LABEL "extractive answer: passages of the case, no model"

/* Who asks, with the services the case is read through. */
struct tz_acase_ctx {
    struct tz_auth *auth;
    struct tz_auth_who who; /* a principal: exchange reads by unit */
    struct tz_exchange *exchange;
    struct tz_store *store;
    const struct tz_llm_config *llm; /* NULL or no URL: no model */
};

/* One readable message of the case. */
struct tz_acase_msg {
    struct tz_xline line; /* type, sender, time, deadline */
    char *text;           /* its free text (owned), "" when none */
    size_t len;
};

/* A sentence (or passage) quoted from a message: spans in its text. */
struct tz_acase_quote {
    int64_t message_id;
    size_t start, end;   /* bytes */
    size_t cstart, cend; /* code points */
    double score;
    char text[TZ_ACASE_QUOTE_MAX]; /* the words, cut at a character if longer */
};

/* One event of a timeline. */
struct tz_acase_event {
    char when[32];  /* ISO 8601: "2026-03-12" or "2026-03-12T08:15:00Z" */
    char kind[16];  /* sent, received, deadline, deviation, date */
    char what[160]; /* the message's type and sender, or the words as written */
    int64_t message_id;
    bool span; /* a date found in the text: where (code points) */
    size_t cstart, cend;
};

/* One row of the entity table: a value and the messages it was found in. */
struct tz_acase_row {
    enum tz_assist_type type;
    char value[TZ_ENTITY_VALUE_MAX];
    char detail[24];
    size_t count;        /* times found */
    int64_t messages[8]; /* the first messages it was found in */
    size_t message_count;
    bool added; /* an officer added it to the case */
};

/* A case digest; free with tz_acase_digest_clear. */
struct tz_acase_digest {
    int64_t case_id;
    size_t messages, readable; /* in the case; read by the caller */
    bool truncated;            /* the readable text passed TZ_ACASE_TEXT_MAX: the rest left */
    struct tz_acase_quote *summary;
    size_t summary_count, sentences;
    struct tz_acase_event *events;
    size_t event_count;
    struct tz_acase_row *rows;
    size_t row_count;
    struct tz_acase_entity_rec *added; /* store/assist_cases.h */
    size_t added_count;
    char language[8];
    bool llm_asked;
    struct tz_llm_summary llm;
};
void tz_acase_digest_clear(struct tz_acase_digest *d);

/*
 * The digest of case id: TZ_EFORBIDDEN unless the caller reads the case (or lacks
 * assistant.use; audited as refused), TZ_ENOTFOUND, TZ_ENOMEM, TZ_EIO. want: summary
 * sentences (0: a quarter, at most five).
 */
tz_err tz_assist_case_digest_as(const struct tz_acase_ctx *c, int64_t id, size_t want,
                                struct tz_acase_digest *out);

/* An answer to a question; free with tz_acase_answer_clear. */
struct tz_acase_answer {
    struct tz_acase_quote passages[TZ_ACASE_PASSAGES]; /* retrieved, best first */
    size_t passage_count;
    char *text; /* the model's answer, NULL when there is none */
    char model[64];
    const char *label;                 /* TZ_LLM_LABEL or TZ_ACASE_EXTRACTIVE_LABEL */
    int64_t cites[TZ_ACASE_CITES_MAX]; /* the model's citations that name a retrieved message */
    size_t cite_count;
    int64_t rejected[TZ_ACASE_CITES_MAX]; /* citations of messages not retrieved: dropped */
    size_t rejected_count;
    bool llm_asked;
    char note[200]; /* why there is no model's answer, or what was dropped */
};
void tz_acase_answer_clear(struct tz_acase_answer *a);

/*
 * The answer to question (UTF-8, 1..TZ_ACASE_QUESTION_MAX bytes: TZ_EINVAL, TZ_ETOOBIG) over
 * case id; errors as tz_assist_case_digest_as. A model that fails is said in note (TZ_OK).
 */
tz_err tz_assist_case_ask_as(const struct tz_acase_ctx *c, int64_t id, const char *question,
                             size_t n, struct tz_acase_answer *out);

/*
 * Adds the entity of type at code points [start, end) of message message_id's text to the
 * message's case for the caller; out: the row written. TZ_EINVAL when there is no such entity
 * there; TZ_EFORBIDDEN (assistant.use, reading the message, or writing the case: the refusal
 * audited); TZ_ENOTFOUND (no message); TZ_ECONFLICT (the case has it); TZ_ENOMEM, TZ_EIO.
 */
tz_err tz_assist_case_add_as(const struct tz_acase_ctx *c, int64_t message_id,
                             enum tz_assist_type type, size_t start, size_t end,
                             struct tz_acase_entity_rec *out);

/* The key an entity is known by in a case (exchange's key form where it has one). */
void tz_assist_entity_key(const struct tz_entity *e, char key[TZ_X_KEY_MAX]);

#endif
