/*
 * assistant/search.h - full-text search over what the police hold, in every language.
 *
 * Promises: tz_search_fold turns any text into the form both the index and the query are
 * written in (Cyrillic romanised by BGN/PCGN, every other script by ICU's Any-Latin, diacritics
 * dropped, lower case, and the spellings of one sound folded together: sz/sh/š, cz/ch/č, w/v,
 * j/y/i, doubled letters), so "Aliyev" finds "Алиев" and "Alijew", and "Walesa" finds "Wałęsa";
 * tz_search_reports finds threat-map reports by their description within what the caller may
 * read (tz_search_scope), newest first, first bringing the index up to date (at most
 * TZ_SEARCH_CATCH_UP reports a call; the answer says when more were left); tz_search_messages
 * finds exchange messages by their free text, only those the caller may read by exchange's
 * rule. The indexes are SQLite FTS5 (migrations 11 and 17) over the folded text, contentless
 * tables beside the reports and the messages.
 * Safe from any thread.
 */
#ifndef TZ_ASSISTANT_SEARCH_H
#define TZ_ASSISTANT_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "exchange/exchange.h"
#include "store/store.h"

#define TZ_SEARCH_QUERY_MAX 512      /* bytes of a query, at most */
#define TZ_SEARCH_LIMIT_MAX 200      /* hits one search answers, at most */
#define TZ_SEARCH_CATCH_UP 50000     /* reports one search indexes before it answers, at most */
#define TZ_SEARCH_FOLD_MAX (64 * 1024) /* bytes of text tz_search_fold reads, at most */
#define TZ_SEARCH_CANDIDATES 1000 /* messages matched before exchange's rule keeps the readable */

/* Folds s[0..n) (UTF-8) into out as space-separated ASCII tokens. TZ_EINVAL: invalid UTF-8. */
tz_err tz_search_fold(const char *s, size_t n, struct tz_buf *out);

/* Indexes every report and exchange message not yet in the search indexes; *added: how many
 * (may be NULL). */
tz_err tz_search_index_all(struct tz_store *store, size_t *added);

/* What a search answers; free with tz_search_result_clear. */
struct tz_search_result {
    struct tz_search_hit_rec *hits; /* store/search.h: id, district, category, status, text */
    size_t count;
    bool index_behind; /* reports were left unindexed (more than TZ_SEARCH_CATCH_UP new) */
};

/*
 * The reports whose description holds every word of query (folded as above, and compared by
 * their first five letters, so declined forms match; a word ending in '*' is a prefix of three
 * letters or more), within scope, newest first, at most limit
 * (1..TZ_SEARCH_LIMIT_MAX). TZ_EINVAL for a query of no words, invalid UTF-8 or a bad limit,
 * TZ_ETOOBIG past TZ_SEARCH_QUERY_MAX.
 */
tz_err tz_search_reports(struct tz_store *store, const struct tz_search_scope *scope,
                         const char *query, size_t limit, struct tz_search_result *out);
/* Frees what tz_search_reports filled in; safe twice. */
void tz_search_result_clear(struct tz_search_result *r);

/* Exchange messages found; free with tz_search_msg_result_clear. */
struct tz_search_msg_result {
    struct tz_xfound *hits; /* exchange.h: the message's line and the start of its text */
    size_t count;
    bool index_behind; /* messages were left unindexed (more than TZ_SEARCH_CATCH_UP new) */
};

/*
 * The exchange messages whose free text holds every word of query (folded and matched as
 * tz_search_reports does), newest first, only those who may read by exchange's rule (the
 * newest TZ_SEARCH_CANDIDATES matches are checked), at most limit (1..TZ_SEARCH_LIMIT_MAX).
 * The index (migration 17) is brought up to date first. The caller audits the search.
 * TZ_EINVAL for a query of no words, a bad limit or no principal; TZ_ETOOBIG past
 * TZ_SEARCH_QUERY_MAX.
 */
tz_err tz_search_messages(struct tz_store *store, struct tz_exchange *x,
                          const struct tz_xactor *who, const char *query, size_t limit,
                          struct tz_search_msg_result *out);
void tz_search_msg_result_clear(struct tz_search_msg_result *r);

#endif
