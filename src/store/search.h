/*
 * search.h - the store's full-text index of the assistant (migration 11).
 *
 * The index is an FTS5 table without content (search_reports: rowid = the report's id, one
 * column of folded text, written by the assistant's fold so that the transliteration lives in
 * C, not in SQL) and a mark of how far it has read the reports (search_state). Reports are
 * never deleted and their description never changes, so reading on by id keeps it in step.
 */
#ifndef TZ_STORE_SEARCH_H
#define TZ_STORE_SEARCH_H

#include "store/common.h"

#define TZ_SEARCH_TEXT_MAX 1100 /* bytes of a report's description kept in a hit, NUL included */
#define TZ_SEARCH_PENDING_MAX 10000 /* reports one search_pending reads, at most */

/* A report not yet indexed: its id and its description. */
struct tz_search_pending_rec {
    int64_t id;
    char *text; /* the description (malloc), never NULL */
};

/* A report's id and its folded text, to index. */
struct tz_search_doc {
    int64_t id;
    const char *folded;
};

/* Whose reports a search may return (auth's scope of report.read, as http reads it). */
enum tz_search_reach {
    TZ_SEARCH_NOTHING, /* no report */
    TZ_SEARCH_OWN,     /* the account's districts and the reports assigned to it */
    TZ_SEARCH_UNIT,    /* the districts of a unit */
    TZ_SEARCH_ALL,
};

struct tz_search_scope {
    enum tz_search_reach reach;
    const char *account; /* OWN: the account's name */
    const char *unit;    /* UNIT: the unit */
};

/* A report found. */
struct tz_search_hit_rec {
    int64_t id;
    char district_id[TZ_ID_MAX];
    char category[TZ_CODE_MAX];
    char status[TZ_CODE_MAX];
    int64_t received_at;
    char text[TZ_SEARCH_TEXT_MAX]; /* its description, cut at a character if longer */
};

/* clang-format off */
#define TZ_STORE_SEARCH_OPS(X)                                                                     \
    /*                                                                                             \
     * The reports above the index's mark that have a description, oldest first, at most max     \
     * (1..TZ_SEARCH_PENDING_MAX); *upto: the highest report id read, 0 when none was (the mark   \
     * moves to it even past reports without a description). Free with tz_search_pending_free.    \
     */                                                                                            \
    X(search_pending, (struct tz_store *store, size_t max, struct tz_search_pending_rec **out,      \
       size_t *count, int64_t *upto),                                                              \
      (store, max, out, count, upto),                                                              \
      TZ_PRE_NEED(max > 0 && max <= TZ_SEARCH_PENDING_MAX && upto) TZ_PRE_EMPTY(out, count)        \
      TZ_PRE_ZERO(upto))                                                                           \
    /*                                                                                             \
     * Adds docs to the index and moves its mark to upto, in one transaction; docs at or below     \
     * the mark (another caller was first) are skipped.                                            \
     */                                                                                            \
    X(search_add, (struct tz_store *store, const struct tz_search_doc *docs, size_t count,         \
       int64_t upto),                                                                              \
      (store, docs, count, upto),                                                                  \
      TZ_PRE_NEED((docs || count == 0) && upto >= 0))                                              \
    /*                                                                                             \
     * The reports matching match (an FTS5 query over the folded text) within scope, newest        \
     * first, at most limit; *out is malloc'd (free()).                                            \
     */                                                                                            \
    X(search_reports, (struct tz_store *store, const char *match,                                  \
       const struct tz_search_scope *scope, size_t limit, struct tz_search_hit_rec **out,          \
       size_t *count),                                                                             \
      (store, match, scope, limit, out, count),                                                    \
      TZ_PRE_NEED(match && scope && limit > 0 && limit <= 1000) TZ_PRE_EMPTY(out, count))         \
    /*                                                                                             \
     * The exchange messages above their index's mark that have free text, oldest first, at most  \
     * max; as search_pending (migration 17).                                                      \
     */                                                                                            \
    X(search_x_pending, (struct tz_store *store, size_t max, struct tz_search_pending_rec **out,    \
       size_t *count, int64_t *upto),                                                              \
      (store, max, out, count, upto),                                                              \
      TZ_PRE_NEED(max > 0 && max <= TZ_SEARCH_PENDING_MAX && upto) TZ_PRE_EMPTY(out, count)        \
      TZ_PRE_ZERO(upto))                                                                           \
    /* Adds messages' folded text to their index and moves its mark; as search_add. */             \
    X(search_x_add, (struct tz_store *store, const struct tz_search_doc *docs, size_t count,       \
       int64_t upto),                                                                              \
      (store, docs, count, upto),                                                                  \
      TZ_PRE_NEED((docs || count == 0) && upto >= 0))                                              \
    /*                                                                                             \
     * The ids of the messages matching match, newest first, at most limit (who may read them is  \
     * exchange's rule, applied by the caller); *out is malloc'd (free()).                         \
     */                                                                                            \
    X(search_x_messages, (struct tz_store *store, const char *match, size_t limit, int64_t **out,  \
       size_t *count),                                                                             \
      (store, match, limit, out, count),                                                           \
      TZ_PRE_NEED(match && limit > 0 && limit <= 5000) TZ_PRE_EMPTY(out, count))
/* clang-format on */
TZ_STORE_SEARCH_OPS(TZ_STORE_DECLARE)

/* Frees what search_pending returned. */
void tz_search_pending_free(struct tz_search_pending_rec *recs, size_t count);

#endif
