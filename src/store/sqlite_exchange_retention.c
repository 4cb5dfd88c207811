/*
 * sqlite_exchange_retention.c - the SQLite backend's retention of concluded
 * cases (Art. 16 of Directive (EU) 2023/977, migration 15): a case
 * concluded, the queue of reviews, and a review that keeps the personal data
 * or deletes it irrevocably.
 *
 * Deleting a row only unlinks it: its bytes stay on the page, in the free
 * list and in the WAL until something overwrites them. So the writer runs
 * with PRAGMA secure_delete on (SQLite then overwrites deleted content and
 * freed pages with zeros; sqlite.c), and after the commit the WAL, which still
 * holds the pages as they were written before, is checkpointed into the
 * database file and truncated to nothing. What stays of each message is what the
 * statistics of Art. 18 count: its type, dates, parties and codes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_exchange.h"

static const char SQL_CASE_EXISTS[] = "SELECT 1 FROM x_cases WHERE id = ?";
static const char SQL_CONCLUDE[] =
    "INSERT INTO x_retention (case_id, unit, state, concluded_at, concluded_by, review_due,"
    " reasons) VALUES (?, ?, 'concluded', ?, ?, ?, ?)";
#define RET_COLS                                                                                   \
    "r.case_id, c.subject, r.unit, r.state, r.concluded_at, r.review_due, r.reviewed_at,"          \
    " r.concluded_by, r.reviewed_by, r.reasons, r.reviews"
static const char SQL_GET[] = "SELECT " RET_COLS " FROM x_retention r"
                              " JOIN x_cases c ON c.id = r.case_id WHERE r.case_id = ?";
static const char SQL_LIST[] =
    "SELECT " RET_COLS " FROM x_retention r JOIN x_cases c ON c.id = r.case_id"
    " WHERE r.state <> 'deleted' AND (?1 = 0 OR r.review_due <= ?1) AND (?2 IS NULL OR r.unit = ?2)"
    " ORDER BY r.review_due, r.case_id LIMIT 200";
static const char SQL_KEEP[] =
    "UPDATE x_retention SET state = 'kept', review_due = ?, reviewed_at = ?, reviewed_by = ?,"
    " reasons = ?, reviews = reviews + 1"
    " WHERE case_id = ? AND reviews = ? AND state <> 'deleted'";
static const char SQL_DELETED[] =
    "UPDATE x_retention SET state = 'deleted', review_due = 0, reviewed_at = ?, reviewed_by = ?,"
    " reasons = ?, reviews = reviews + 1"
    " WHERE case_id = ? AND reviews = ? AND state <> 'deleted'";

/*
 * The personal data of case ?1, in the order the foreign keys need: the keys
 * and fields of its entities, the entities, the links, the free text and
 * reasons of its messages, its subject. An NFIP part holds no personal data
 * but a route may name a person's address: it goes too.
 */
static const char *const SQL_ERASE[] = {
    "DELETE FROM x_entity_keys WHERE entity_id IN (SELECT e.id FROM x_entities e"
    " JOIN x_messages m ON m.id = e.message_id WHERE m.case_id = ?1)",
    "DELETE FROM x_entity_fields WHERE entity_id IN (SELECT e.id FROM x_entities e"
    " JOIN x_messages m ON m.id = e.message_id WHERE m.case_id = ?1)",
    "DELETE FROM x_entities WHERE message_id IN (SELECT id FROM x_messages WHERE case_id = ?1)",
    "DELETE FROM x_links WHERE message_id IN (SELECT id FROM x_messages WHERE case_id = ?1)",
    "UPDATE x_nfip SET route = '' WHERE message_id IN (SELECT id FROM x_messages"
    " WHERE case_id = ?1)",
    /* Attachments (migration 14) and a deviation's reasons are the case's too. */
    "DELETE FROM x_attachments WHERE message_id IN (SELECT id FROM x_messages WHERE case_id = ?1)",
    "UPDATE x_deviations SET reasons = '' WHERE message_id IN (SELECT id FROM x_messages"
    " WHERE case_id = ?1) OR request_id IN (SELECT id FROM x_messages WHERE case_id = ?1)",
    /*
     * The assistant's search index of messages (migration 15) holds their folded words. It keeps
     * no content, so its rows cannot be deleted one by one without the words themselves: the
     * whole index goes, and the search indexes every message again from the text that is left
     * (search_state back to 0) the next time it is asked.
     */
    "INSERT INTO search_x_messages (search_x_messages) VALUES ('delete-all')",
    "UPDATE search_state SET upto = 0 WHERE name = 'x_messages'",
    "UPDATE x_messages SET body = NULL, reasons = '', art4_reasons = '', restriction = '',"
    " officer = '' WHERE case_id = ?1",
    "UPDATE x_cases SET subject = '', crime_area = '' WHERE id = ?1",
    /* What officers added to the case from the assistant (migration 22). */
    "DELETE FROM assist_case_entities WHERE case_id = ?1",
};

tz_err tz_sq_x_case_open(sqlite3 *db, int64_t case_id)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, "SELECT 1 FROM x_retention WHERE case_id = ?", &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, case_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? TZ_ECONFLICT : rc == SQLITE_DONE ? TZ_OK : tz_sq_map_rc(rc);
}

static tz_err read_ret(sqlite3_stmt *st, void *elem)
{
    struct tz_xretention_rec *r = elem;
    r->case_id = sqlite3_column_int64(st, 0);
    r->concluded_at = sqlite3_column_int64(st, 4);
    r->review_due = sqlite3_column_int64(st, 5);
    r->reviewed_at = sqlite3_column_int64(st, 6);
    r->reviews = (int)sqlite3_column_int64(st, 10);
    tz_err err;
    if ((err = tz_sq_col_code(st, 1, r->subject, sizeof r->subject)) ||
        (err = tz_sq_col_code(st, 2, r->unit, sizeof r->unit)) ||
        (err = tz_sq_col_code(st, 3, r->state, sizeof r->state)) ||
        (err = tz_sq_col_code(st, 7, r->concluded_by, sizeof r->concluded_by)) ||
        (err = tz_sq_col_code(st, 8, r->reviewed_by, sizeof r->reviewed_by)))
        return err;
    return tz_sq_col_code(st, 9, r->reasons, sizeof r->reasons);
}

static void free_plain(void *recs, size_t count)
{
    (void)count;
    free(recs);
}

static tz_err conclude_body(sqlite3 *db, void *ctx)
{
    const struct tz_xretention_rec *r = ctx;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_CASE_EXISTS, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, r->case_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
    if ((err = tz_sq_prep(db, SQL_CONCLUDE, &st)))
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, r->case_id);
    tz_sq_bind_text(&b, r->unit);
    tz_sq_bind_int64(&b, r->concluded_at);
    tz_sq_bind_text(&b, r->concluded_by);
    tz_sq_bind_int64(&b, r->review_due);
    tz_sq_bind_text(&b, r->reasons);
    if (b.rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return tz_sq_map_rc(b.rc);
    }
    return tz_sq_run_once(st); /* the primary key: TZ_ECONFLICT when concluded already */
}

tz_err tz_sq_x_conclude(struct tz_store *store, const struct tz_xretention_rec *rec,
                        const struct tz_audit_rec *audit)
{
    char object[48];
    snprintf(object, sizeof object, "xcase/%lld", (long long)rec->case_id);
    struct tz_audit_rec a;
    if (audit) {
        a = *audit;
        a.object = a.object ? a.object : object;
    }
    return tz_sq_in_write(store, conclude_body, (void *)rec, audit ? &a : NULL);
}

tz_err tz_sq_x_retention_get(struct tz_store *store, int64_t id, struct tz_xretention_rec *out)
{
    memset(out, 0, sizeof *out);
    struct tz_xretention_rec *recs = NULL;
    size_t n = 0;
    tz_err err =
        tz_sq_read_all(store, SQL_GET, id, sizeof *recs, read_ret, free_plain, (void **)&recs, &n);
    if (!err && n == 0)
        err = TZ_ENOTFOUND;
    if (!err)
        *out = recs[0];
    free(recs);
    return err;
}

struct list_ctx {
    const char *unit;
    int64_t due_by;
    struct tz_xretention_rec **out;
    size_t *count;
};

static tz_err list_body(sqlite3 *db, void *ctx)
{
    struct list_ctx *l = ctx;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_LIST, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, l->due_by);
    if (l->unit)
        sqlite3_bind_text(st, 2, l->unit, -1, SQLITE_STATIC);
    err = tz_sq_read_rows(st, sizeof **l->out, read_ret, free_plain, (void **)l->out, l->count);
    sqlite3_finalize(st);
    return err;
}

tz_err tz_sq_x_retention_list(struct tz_store *store, const char *unit, int64_t due_by,
                              const struct tz_audit_rec *audit, struct tz_xretention_rec **out,
                              size_t *count)
{
    struct list_ctx l = {.unit = unit, .due_by = due_by, .out = out, .count = count};
    return tz_sq_in_write(store, list_body, &l, audit);
}

static tz_err erase(sqlite3 *db, int64_t case_id)
{
    /* The writer runs with secure_delete on (sqlite.c); said again here, where it matters. */
    tz_err err = tz_sq_map_rc(sqlite3_exec(db, "PRAGMA secure_delete = ON", NULL, NULL, NULL));
    for (size_t i = 0; !err && i < sizeof SQL_ERASE / sizeof SQL_ERASE[0]; i++)
        err = tz_sq_exec_id(db, SQL_ERASE[i], case_id);
    return err;
}

struct review_ctx {
    const struct tz_xreview_rec *r;
    char path[4096]; /* the database file, for the checkpoint after the commit */
};

static tz_err review_body(sqlite3 *db, void *ctx)
{
    struct review_ctx *x = ctx;
    const struct tz_xreview_rec *r = x->r;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, r->keep ? SQL_KEEP : SQL_DELETED, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    if (r->keep)
        tz_sq_bind_int64(&b, r->review_due);
    tz_sq_bind_int64(&b, r->at);
    tz_sq_bind_text(&b, r->by);
    tz_sq_bind_text(&b, r->reasons);
    tz_sq_bind_int64(&b, r->case_id);
    tz_sq_bind_int64(&b, r->reviews_before);
    if (b.rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return tz_sq_map_rc(b.rc);
    }
    if ((err = tz_sq_run_once(st)))
        return err;
    if (sqlite3_changes(db) != 1) {
        if ((err = tz_sq_prep(db, "SELECT 1 FROM x_retention WHERE case_id = ?", &st)))
            return err;
        sqlite3_bind_int64(st, 1, r->case_id);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        return rc == SQLITE_ROW    ? TZ_ECONFLICT
               : rc == SQLITE_DONE ? TZ_ENOTFOUND
                                   : tz_sq_map_rc(rc);
    }
    const char *path = sqlite3_db_filename(db, "main");
    snprintf(x->path, sizeof x->path, "%s", path ? path : "");
    return r->keep ? TZ_OK : erase(db, r->case_id);
}

/*
 * Copies the WAL into the database file and truncates it, from a connection
 * of its own (the writer's may not checkpoint while the checkpointer's
 * thread holds the file; SQLite serialises the two). Readers still on an old
 * snapshot make it wait up to the busy timeout; the pages then go at the
 * checkpointer's next truncation.
 */
static tz_err truncate_wal(const char *path)
{
    sqlite3 *db = NULL;
    int log = -1, done = -1;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(db, 2000);
    /* A connection learns that the file is in WAL mode when it first reads it. */
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "SELECT 1 FROM sqlite_schema LIMIT 1", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
    if (rc == SQLITE_OK && (log != 0 || done != 0))
        rc = SQLITE_BUSY; /* frames left: a reader held them */

    sqlite3_close(db);
    return tz_sq_map_rc(rc);
}

tz_err tz_sq_x_retention_review(struct tz_store *store, const struct tz_xreview_rec *rec,
                                const struct tz_audit_rec *audit)
{
    struct review_ctx x = {.r = rec};
    char object[48];
    snprintf(object, sizeof object, "xcase/%lld", (long long)rec->case_id);
    struct tz_audit_rec a;
    if (audit) {
        a = *audit;
        a.object = a.object ? a.object : object;
    }
    tz_err err = tz_sq_in_write(store, review_body, &x, audit ? &a : NULL);
    if (!err && !rec->keep && x.path[0])
        truncate_wal(x.path); /* best effort: the commit stands whatever it answers */
    return err;
}
