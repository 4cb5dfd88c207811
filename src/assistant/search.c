/*
 * assistant/search.c - reports found by their description: the index brought up to date, the
 * query folded into an FTS5 query that cannot be anything but words, the hits within scope.
 *
 * The index reads on by report id (store/search.h): each search first indexes what arrived
 * since the last one, TZ_SEARCH_CATCH_UP reports at most, so a search after a bulk import
 * answers from the part indexed and says the index is behind rather than waiting for all of it
 * (tz_search_index_all does all of it, for imports and benchmarks). The query's words are
 * folded as the index was, each quoted (no FTS5 operator can be smuggled in), all required.
 * Polish and Russian decline names (Alijew, Alijewa, Alijewem), so a word longer than STEM
 * letters is indexed also as its first STEM letters, and a query word is looked up by those:
 * "Aliyev" finds "Alijewa". A stem is a whole word to FTS5, which streams its reports newest
 * first and stops at the limit; a prefix query ("Kowal*", on request only) gathers every report
 * of every word it matches first (136 ms a search for a common word over 1 M reports, measured).
 */
#include "assistant/search.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 2000 /* reports read and indexed in one store transaction */
#define STEM 5     /* letters of a word's stem: what survives a declension's ending */

/* The folded words of folded[0..n) followed by the stems of the longer ones, into out. */
static tz_err with_stems(const char *folded, size_t n, struct tz_buf *out)
{
    tz_err err = n > 0 ? tz_buf_append(out, folded, n) : TZ_OK;
    for (size_t i = 0; !err && i < n;) {
        size_t k = strcspn(folded + i, " ");
        if (k > STEM && !(err = tz_buf_append(out, " ", 1)))
            err = tz_buf_append(out, folded + i, STEM);
        i += k + 1;
    }
    return err;
}

/* The store's operations of one index: the reports' or the exchange messages'. */
struct index_ops {
    tz_err (*pending)(struct tz_store *, size_t, struct tz_search_pending_rec **, size_t *,
                      int64_t *);
    tz_err (*add)(struct tz_store *, const struct tz_search_doc *, size_t, int64_t);
};
static const struct index_ops REPORTS = {tz_store_search_pending, tz_store_search_add};
static const struct index_ops MESSAGES = {tz_store_search_x_pending, tz_store_search_x_add};

/* Indexes one batch of pending texts; *done when there was none. */
static tz_err index_batch(const struct index_ops *ix, struct tz_store *store, size_t *added,
                          bool *done)
{
    struct tz_search_pending_rec *recs = NULL;
    struct tz_search_doc *docs = NULL;
    char **texts = NULL;
    size_t n = 0;
    int64_t upto = 0;
    tz_err err = ix->pending(store, BATCH, &recs, &n, &upto);
    if (err || (*done = upto == 0)) {
        tz_search_pending_free(recs, n);
        return err;
    }
    docs = calloc(n + 1, sizeof *docs);
    texts = calloc(n + 1, sizeof *texts);
    if (!docs || !texts)
        err = TZ_ENOMEM;
    for (size_t i = 0; i < n && !err; i++) {
        struct tz_buf f, b;
        tz_buf_init(&f, TZ_SEARCH_FOLD_MAX * 4);
        tz_buf_init(&b, TZ_SEARCH_FOLD_MAX * 8);
        err = tz_search_fold(recs[i].text, strlen(recs[i].text), &f);
        if (!err)
            err = with_stems(f.data, f.len, &b);
        tz_buf_free(&f);
        if (err == TZ_EINVAL || err == TZ_ETOOBIG)
            err = TZ_OK; /* a text the index cannot read is left out, not the batch */
        texts[i] = b.data; /* NULL while empty */
        docs[i] = (struct tz_search_doc){recs[i].id, b.data ? b.data : ""};
        if (err)
            tz_buf_free(&b), texts[i] = NULL;
    }
    if (!err)
        err = ix->add(store, docs, n, upto);
    if (!err)
        *added += n;
    for (size_t i = 0; texts && i < n; i++)
        free(texts[i]);
    free(texts);
    free(docs);
    tz_search_pending_free(recs, n);
    return err;
}

/* Indexes pending texts, at most about max; *behind: whether some were left. */
static tz_err catch_up(const struct index_ops *ix, struct tz_store *store, size_t max,
                       size_t *added, bool *behind)
{
    bool done = false;
    tz_err err = TZ_OK;
    while (!err && !done && *added < max)
        err = index_batch(ix, store, added, &done);
    *behind = !err && !done;
    return err;
}

tz_err tz_search_index_all(struct tz_store *store, size_t *added)
{
    size_t n = 0;
    bool behind = false;
    tz_err err = catch_up(&REPORTS, store, SIZE_MAX, &n, &behind);
    if (!err)
        err = catch_up(&MESSAGES, store, SIZE_MAX, &n, &behind);
    if (added)
        *added = n;
    return err;
}

/*
 * Appends the folded word w[0..n) to match, quoted, each of its words required by its stem;
 * the last a prefix of its whole folded form when prefix and it has the index's 3 letters.
 */
static tz_err match_word(const char *w, size_t n, bool prefix, struct tz_buf *match)
{
    struct tz_buf folded;
    tz_err err;
    tz_buf_init(&folded, TZ_SEARCH_QUERY_MAX * 8);
    err = tz_search_fold(w, n, &folded);
    for (size_t i = 0; !err && i < folded.len;) {
        size_t k = strcspn(folded.data + i, " ");
        bool last = i + k >= folded.len;
        if (match->len > 0)
            err = tz_buf_append(match, " ", 1);
        bool star = prefix && last && k >= 3;
        int shown = (int)(star || k <= STEM ? k : STEM);
        if (!err)
            err = tz_buf_printf(match, "\"%.*s\"%s", shown, folded.data + i, star ? "*" : "");
        i += k + 1;
    }
    tz_buf_free(&folded);
    return err;
}

/* The FTS5 query of the query's words (split at white space; a trailing star asks a prefix). */
static tz_err match_of(const char *query, struct tz_buf *match)
{
    const char *p = query;
    tz_err err = TZ_OK;
    while (!err && *p) {
        size_t n = strcspn(p, " \t\r\n");
        bool prefix = n > 0 && p[n - 1] == '*';
        if (n > 0)
            err = match_word(p, n, prefix, match);
        p += n;
        p += strspn(p, " \t\r\n");
    }
    if (!err && match->len == 0)
        err = TZ_EINVAL; /* no words */
    return err;
}

tz_err tz_search_reports(struct tz_store *store, const struct tz_search_scope *scope,
                         const char *query, size_t limit, struct tz_search_result *out)
{
    struct tz_buf match;
    size_t added = 0;
    tz_err err;

    memset(out, 0, sizeof *out);
    if (strlen(query) > TZ_SEARCH_QUERY_MAX)
        return TZ_ETOOBIG;
    if (limit == 0 || limit > TZ_SEARCH_LIMIT_MAX)
        return TZ_EINVAL;
    tz_buf_init(&match, TZ_SEARCH_QUERY_MAX * 16);
    err = match_of(query, &match);
    if (!err)
        err = catch_up(&REPORTS, store, TZ_SEARCH_CATCH_UP, &added, &out->index_behind);
    if (!err)
        err = tz_store_search_reports(store, match.data, scope, limit, &out->hits, &out->count);
    tz_buf_free(&match);
    return err;
}

void tz_search_result_clear(struct tz_search_result *r)
{
    free(r->hits);
    memset(r, 0, sizeof *r);
}

tz_err tz_search_messages(struct tz_store *store, struct tz_exchange *x,
                          const struct tz_xactor *who, const char *query, size_t limit,
                          struct tz_search_msg_result *out)
{
    struct tz_buf match;
    size_t added = 0, n = 0;
    int64_t *ids = NULL;
    tz_err err;

    memset(out, 0, sizeof *out);
    if (strlen(query) > TZ_SEARCH_QUERY_MAX)
        return TZ_ETOOBIG;
    if (limit == 0 || limit > TZ_SEARCH_LIMIT_MAX || !who || !who->p)
        return TZ_EINVAL;
    tz_buf_init(&match, TZ_SEARCH_QUERY_MAX * 16);
    err = match_of(query, &match);
    if (!err)
        err = catch_up(&MESSAGES, store, TZ_SEARCH_CATCH_UP, &added, &out->index_behind);
    if (!err)
        err = tz_store_search_x_messages(store, match.data, TZ_SEARCH_CANDIDATES, &ids, &n);
    if (!err && !(out->hits = calloc(limit, sizeof *out->hits)))
        err = TZ_ENOMEM;
    if (!err)
        err = tz_exchange_readable(x, who, ids, n, limit, out->hits, &out->count);
    free(ids);
    tz_buf_free(&match);
    if (err)
        tz_search_msg_result_clear(out);
    return err;
}

void tz_search_msg_result_clear(struct tz_search_msg_result *r)
{
    free(r->hits);
    memset(r, 0, sizeof *r);
}
