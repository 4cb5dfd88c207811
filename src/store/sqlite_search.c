/*
 * sqlite_search.c - the SQLite backend's full-text indexes of the assistant: FTS5 tables without
 * content over the folded descriptions of the reports (migration 11) and the folded free text
 * of exchange messages (migration 17), each read on by id from its own mark in search_state.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

/* One index: where its mark is, what it reads, where it writes. */
struct index_sql {
    const char *mark, *pending, *add, *move;
};

static const struct index_sql REPORTS = {
    "SELECT upto FROM search_state WHERE name = 'reports'",
    "SELECT id, description FROM reports WHERE id > ? ORDER BY id LIMIT ?",
    "INSERT INTO search_reports (rowid, folded) VALUES (?, ?)",
    "UPDATE search_state SET upto = max(upto, ?) WHERE name = 'reports'",
};

static const struct index_sql MESSAGES = {
    "SELECT upto FROM search_state WHERE name = 'x_messages'",
    "SELECT id, body FROM x_messages WHERE id > ? ORDER BY id LIMIT ?",
    "INSERT INTO search_x_messages (rowid, folded) VALUES (?, ?)",
    "UPDATE search_state SET upto = max(upto, ?) WHERE name = 'x_messages'",
};

static const char SQL_X_HITS[] =
    "SELECT rowid FROM search_x_messages WHERE search_x_messages MATCH ?1"
    " ORDER BY rowid DESC LIMIT ?2";

/* The hits, newest first, by whose reports the caller may read (?1 match, ?2 limit, ?3 who). */
#define HIT_COLS                                                                                   \
    "SELECT r.id, r.district_id, r.category, r.status, r.received_at, r.description"               \
    " FROM search_reports s JOIN reports r ON r.id = s.rowid"
static const char SQL_HITS_ALL[] =
    HIT_COLS " WHERE search_reports MATCH ?1 ORDER BY s.rowid DESC LIMIT ?2";
static const char SQL_HITS_UNIT[] =
    HIT_COLS " JOIN districts d ON d.id = r.district_id"
             " WHERE search_reports MATCH ?1 AND d.unit = ?3 ORDER BY s.rowid DESC LIMIT ?2";
static const char SQL_HITS_OWN[] =
    HIT_COLS " WHERE search_reports MATCH ?1 AND (r.district_id IN"
             " (SELECT ad.district_id FROM account_districts ad JOIN accounts a"
             " ON a.id = ad.account_id WHERE a.name = ?3)"
             " OR r.id IN (SELECT report_id FROM report_assignments WHERE account = ?3))"
             " ORDER BY s.rowid DESC LIMIT ?2";

static tz_err pending(const struct index_sql *ix, struct tz_store *store, size_t max,
                      struct tz_search_pending_rec **out, size_t *count, int64_t *upto)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    struct tz_search_pending_rec *recs = NULL;
    sqlite3_stmt *st = NULL;
    double mark = 0;
    size_t n = 0;
    int rc;
    tz_err err = tz_sq_read_tx_begin(c);
    if (!err)
        err = tz_sq_query_number(c, ix->mark, &mark);
    if (!err)
        err = tz_sq_stmt(c, ix->pending, &st);
    if (err)
        goto done;
    recs = calloc(max, sizeof *recs);
    if (!recs) {
        err = TZ_ENOMEM;
        goto done;
    }
    sqlite3_bind_int64(st, 1, (int64_t)mark);
    sqlite3_bind_int64(st, 2, (int64_t)max);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *upto = sqlite3_column_int64(st, 0);
        const char *text = (const char *)sqlite3_column_text(st, 1);
        if (!text || !text[0])
            continue;
        recs[n].id = *upto;
        if (!(recs[n].text = strdup(text))) {
            err = TZ_ENOMEM;
            goto done;
        }
        n++;
    }
    if (rc != SQLITE_DONE)
        err = tz_sq_map_rc(rc);
done:
    tz_sq_stmt_done(st);
    if (!err)
        err = tz_sq_read_tx_commit(c);
    else
        tz_sq_tx_rollback(c);
    tz_sq_reader_release(store, c);
    if (err) {
        tz_search_pending_free(recs, n);
        *upto = 0;
        return err;
    }
    *out = recs;
    *count = n;
    return TZ_OK;
}

static tz_err add(const struct index_sql *ix, struct tz_store *store,
                  const struct tz_search_doc *docs, size_t count, int64_t upto)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    double mark = 0;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    if ((err = tz_sq_query_number(c, ix->mark, &mark)))
        goto done;
    for (size_t i = 0; i < count && !err; i++) {
        if (docs[i].id <= (int64_t)mark) /* another caller indexed it first */
            continue;
        if ((err = tz_sq_stmt(c, ix->add, &st)))
            break;
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_int64(&b, docs[i].id);
        tz_sq_bind_text(&b, docs[i].folded);
        if (!(err = tz_sq_map_rc(b.rc)))
            err = tz_sq_stmt_run(st);
    }
    if (!err && !(err = tz_sq_stmt(c, ix->move, &st))) {
        sqlite3_bind_int64(st, 1, upto);
        err = tz_sq_stmt_run(st);
    }
done:
    return tz_sq_writer_end(store, st, err);
}

tz_err tz_sq_search_pending(struct tz_store *store, size_t max, struct tz_search_pending_rec **out,
                            size_t *count, int64_t *upto)
{
    return pending(&REPORTS, store, max, out, count, upto);
}

tz_err tz_sq_search_add(struct tz_store *store, const struct tz_search_doc *docs, size_t count,
                        int64_t upto)
{
    return add(&REPORTS, store, docs, count, upto);
}

tz_err tz_sq_search_x_pending(struct tz_store *store, size_t max,
                              struct tz_search_pending_rec **out, size_t *count, int64_t *upto)
{
    return pending(&MESSAGES, store, max, out, count, upto);
}

tz_err tz_sq_search_x_add(struct tz_store *store, const struct tz_search_doc *docs, size_t count,
                          int64_t upto)
{
    return add(&MESSAGES, store, docs, count, upto);
}

static tz_err read_id(sqlite3_stmt *st, void *elem)
{
    *(int64_t *)elem = sqlite3_column_int64(st, 0);
    return TZ_OK;
}

static void free_ids(void *recs, size_t count)
{
    (void)count;
    free(recs);
}

tz_err tz_sq_search_x_messages(struct tz_store *store, const char *match, size_t limit,
                               int64_t **out, size_t *count)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_X_HITS, &st);
    if (!err) {
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_text(&b, match);
        tz_sq_bind_int64(&b, (int64_t)limit);
        if (!(err = tz_sq_map_rc(b.rc)))
            err = tz_sq_read_rows(st, sizeof **out, read_id, free_ids, (void **)out, count);
    }
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

static tz_err read_hit(sqlite3_stmt *st, void *elem)
{
    struct tz_search_hit_rec *h = elem;
    const char *text = (const char *)sqlite3_column_text(st, 5);
    size_t n = text ? strlen(text) : 0;
    tz_err err;
    h->id = sqlite3_column_int64(st, 0);
    if ((err = tz_sq_col_code(st, 1, h->district_id, sizeof h->district_id)) ||
        (err = tz_sq_col_code(st, 2, h->category, sizeof h->category)) ||
        (err = tz_sq_col_code(st, 3, h->status, sizeof h->status)))
        return err;
    h->received_at = sqlite3_column_int64(st, 4);
    if (n >= sizeof h->text) { /* cut before a continuation byte, so the text stays UTF-8 */
        n = sizeof h->text - 1;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
    }
    if (n > 0)
        memcpy(h->text, text, n);
    h->text[n] = '\0';
    return TZ_OK;
}

static void free_hits(void *recs, size_t count)
{
    (void)count;
    free(recs);
}

tz_err tz_sq_search_reports(struct tz_store *store, const char *match,
                            const struct tz_search_scope *scope, size_t limit,
                            struct tz_search_hit_rec **out, size_t *count)
{
    const char *sql = scope->reach == TZ_SEARCH_ALL    ? SQL_HITS_ALL
                      : scope->reach == TZ_SEARCH_UNIT ? SQL_HITS_UNIT
                                                       : SQL_HITS_OWN;
    const char *who = scope->reach == TZ_SEARCH_UNIT ? scope->unit : scope->account;
    if (scope->reach == TZ_SEARCH_NOTHING || (scope->reach != TZ_SEARCH_ALL && !who))
        return TZ_OK;
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, sql, &st);
    if (!err) {
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_text(&b, match);
        tz_sq_bind_int64(&b, (int64_t)limit);
        if (scope->reach != TZ_SEARCH_ALL)
            tz_sq_bind_text(&b, who);
        if (!(err = tz_sq_map_rc(b.rc)))
            err = tz_sq_read_rows(st, sizeof **out, read_hit, free_hits, (void **)out, count);
    }
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}
