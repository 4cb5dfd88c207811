/*
 * assistant/summary.h - summaries of a police text, offline first (issue 16).
 *
 * Promises:
 *  - tz_summary_extract: an extractive summary, always available and offline: the text cut
 *    into sentences (., !, ?, the ellipsis, the Arabic question mark, a line break; not after
 *    an initial or a short abbreviation such as "ul." or "tel."), each scored by how often its
 *    words (their first six letters, lower case, any script) recur in the whole text, words in
 *    more than half of the sentences counting for nothing; the best sentences kept whole, in
 *    the order of the text, each with its span (bytes and code points of the text as given)
 *    and its index among the sentences. Deterministic: the same text gives the same summary.
 *  - tz_summary_llm: an abstractive summary through a language model server on the police's
 *    own machine speaking the OpenAI-compatible API (POST <url>/v1/chat/completions: llama.cpp's
 *    server, vLLM, Ollama...). Nothing is sent unless a URL is configured; the request has one
 *    deadline and the answer a bound on its size; a timeout, an error status or an answer that
 *    is no chat completion is TZ_EIO with the reason, and the caller keeps the extractive one.
 *  - tz_assist_summarise_as: the police door (assistant.use, audited: bytes, sentences, whether
 *    the model was asked and how it went; never the text).
 */
#ifndef TZ_ASSISTANT_SUMMARY_H
#define TZ_ASSISTANT_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "assistant/assistant.h"
#include "base/err.h"

#define TZ_SUMMARY_SENTENCES_MAX 4096   /* sentences of a text scored, at most (the rest ignored) */
#define TZ_SUMMARY_WANT_MAX 20          /* sentences a summary keeps, at most */
#define TZ_LLM_ANSWER_MAX (256u * 1024) /* bytes of a model server's answer, at most */
#define TZ_LLM_LABEL "machine summary"
#define TZ_SUMMARY_ALL ((size_t)-1) /* want: every sentence, in the order of the text */

/* One sentence kept. Spans are half-open. */
struct tz_summary_sentence {
    size_t start, end;   /* bytes of the text as given */
    size_t cstart, cend; /* code points */
    size_t index;        /* its place among the text's sentences, from 0 */
    double score;
};

/* An extractive summary; free with tz_summary_clear. */
struct tz_summary {
    struct tz_summary_sentence *items; /* in the order of the text */
    size_t count;
    size_t sentences; /* sentences in the text */
};

/*
 * The extractive summary of text[0..n) (UTF-8, at most TZ_ASSIST_TEXT_MAX bytes: more is
 * TZ_ETOOBIG; invalid UTF-8 or NUL is TZ_EMALFORMED), keeping want sentences (0: a quarter of
 * them, at least one and at most five; at most TZ_SUMMARY_WANT_MAX; TZ_SUMMARY_ALL: every
 * sentence). TZ_ENOMEM.
 */
tz_err tz_summary_extract(const char *text, size_t n, size_t want, struct tz_summary *out);
/* Frees what tz_summary_extract filled; safe twice. */
void tz_summary_clear(struct tz_summary *s);

/* A language model server; url NULL or "": none (nothing is ever sent). */
struct tz_llm_config {
    const char *url;   /* its base, "http://127.0.0.1:8080"; /v1/chat/completions is added */
    const char *model; /* the model's name in the request; NULL: "local" */
    long timeout_ms;   /* the whole answer within this; 0: 30 s */
};

/* What the model answered; free with tz_llm_summary_clear. */
struct tz_llm_summary {
    char *text;        /* the summary, NULL when there is none */
    char model[64];    /* the model the server says answered */
    const char *label; /* TZ_LLM_LABEL when text is set */
    char reason[160];  /* why there is none */
};

/*
 * Asks the model server for a summary of text[0..n) in language lang (ISO 639-1; NULL or "":
 * the text's own). TZ_ENOTFOUND: no server configured (reason says so); TZ_EIO: it failed,
 * timed out or answered garbage (reason); TZ_EINVAL: a URL that is not http(s); TZ_ENOMEM.
 */
tz_err tz_summary_llm(const struct tz_llm_config *cfg, const char *text, size_t n, const char *lang,
                      struct tz_llm_summary *out);
void tz_llm_summary_clear(struct tz_llm_summary *s);
/*
 * One chat completion from the model server: the system message, then text[0..n) as the
 * user's; the answer, errors and reasons as tz_summary_llm's (which is this with its
 * instruction). What the model says is labelled TZ_LLM_LABEL.
 */
tz_err tz_llm_chat(const struct tz_llm_config *cfg, const char *system, const char *text, size_t n,
                   struct tz_llm_summary *out);

/* The summaries of one text, as the doors answer them. */
struct tz_summary_answer {
    struct tz_summary extract;
    char language[8];          /* of the text (lang.h), "" unknown */
    bool llm_asked;            /* a server was configured and asked */
    struct tz_llm_summary llm; /* its answer, or why there is none */
};
void tz_summary_answer_clear(struct tz_summary_answer *a);

/*
 * The police door: assistant.use for a principal (TZ_EFORBIDDEN, audited as refused), the
 * extractive summary, then the model's when llm names a server (its failure is not an error:
 * the answer says so beside the extractive one), and the audit entry before the answer.
 * Errors as tz_summary_extract.
 */
tz_err tz_assist_summarise_as(const struct tz_assist_caller *who, const char *text, size_t n,
                              size_t want, const struct tz_llm_config *llm,
                              struct tz_summary_answer *out);

#endif
