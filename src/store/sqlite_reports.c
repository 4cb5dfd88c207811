/*
 * sqlite_reports.c - the SQLite backend's reports: insert (the group commit's
 * batches), read by id, count, status changes and their history, the
 * reviewed public description, the change feed and "me too". The list query
 * is in sqlite_list.c; the police queue and assignments in sqlite_police.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

/* The columns of a status change, in the order read_transition() reads them. */
#define TRANSITION_COLS                                                                            \
    "report_id, from_status, to_status, at, actor, note, referred_to, id, public_note"

/* An insert of reports: the columns, then the rows of values. */
/* An insert of reports: the columns, then the rows of values. */
#define INSERT_REPORTS                                                                             \
    "INSERT INTO reports (category, lat, lon, district_id, status, description,"                   \
    " public_description, received_at, status_changed_at, takeup_due, taken_up_at, verify_due,"    \
    " verified_at, when_date, when_times, when_weekdays, me_too, token_hash, reporter_hash)"       \
    " VALUES "
#define REPORT_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define REPORT_ROWS_2 REPORT_ROW ", " REPORT_ROW
#define REPORT_ROWS_4 REPORT_ROWS_2 ", " REPORT_ROWS_2
#define REPORT_ROWS_8 REPORT_ROWS_4 ", " REPORT_ROWS_4
#define REPORT_ROWS_16 REPORT_ROWS_8 ", " REPORT_ROWS_8
#define REPORT_ROWS_32 REPORT_ROWS_16 ", " REPORT_ROWS_16

/* One, 8 or 32 reports a statement: see tz_sq_insert_reports. */
static const char SQL_INSERT_REPORT[] = INSERT_REPORTS REPORT_ROW;
static const char SQL_INSERT_REPORTS_8[] = INSERT_REPORTS REPORT_ROWS_8;
static const char SQL_INSERT_REPORTS_32[] = INSERT_REPORTS REPORT_ROWS_32;
static const char SQL_GET_REPORT[] = "SELECT " TZ_SQ_REPORT_COLS " FROM reports WHERE id = ?";
static const char SQL_COUNT_REPORTS[] = "SELECT COUNT(*) FROM reports";
/* Compare and set: it changes nothing unless the report is in the expected status. */
static const char SQL_CHANGE_STATUS[] = "UPDATE reports SET status = ?, status_changed_at = ?,"
                                        " taken_up_at = COALESCE(?, taken_up_at),"
                                        " verify_due = COALESCE(?, verify_due),"
                                        " verified_at = COALESCE(?, verified_at)"
                                        " WHERE id = ? AND status = ?";
static const char SQL_REPORT_EXISTS[] = "SELECT 1 FROM reports WHERE id = ?";
static const char SQL_INSERT_TRANSITION[] =
    "INSERT INTO report_transitions (report_id, from_status, to_status,"
    " at, actor, note, referred_to, public_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_SET_PUBLIC[] = "UPDATE reports SET public_description = ? WHERE id = ?";
static const char SQL_HISTORY[] =
    "SELECT " TRANSITION_COLS " FROM report_transitions WHERE report_id = ?"
    " ORDER BY id";
static const char SQL_REPORTS_AFTER[] =
    "SELECT " TZ_SQ_REPORT_COLS " FROM reports WHERE id > ? ORDER BY id LIMIT ?";
static const char SQL_TRANSITIONS_AFTER[] =
    "SELECT " TRANSITION_COLS " FROM report_transitions WHERE id > ?"
    " ORDER BY id LIMIT ?";
static const char SQL_TRANSITIONS_BETWEEN[] =
    "SELECT " TRANSITION_COLS " FROM report_transitions WHERE at >= ?1 AND at < ?2"
    " AND (at > ?3 OR (at = ?3 AND id > ?4)) ORDER BY at, id LIMIT ?5";
static const char SQL_LAST_TRANSITION[] = "SELECT COALESCE(MAX(id), 0) FROM report_transitions";
/* The primary key refuses a second "me too" from the same reporter. */
static const char SQL_INSERT_ME_TOO[] =
    "INSERT INTO report_me_too (report_id, reporter_hash, at) VALUES (?, ?, ?)";
static const char SQL_COUNT_ME_TOO[] =
    "UPDATE reports SET me_too = me_too + 1 WHERE id = ? RETURNING me_too";
static const char SQL_PUT_REPORT_SOURCE[] =
    "INSERT INTO report_sources (report_id, api_key_id) VALUES (?, ?)";

static void bind_report(struct tz_sq_binder *b, const struct tz_report_rec *r)
{
    tz_sq_bind_text(b, r->category);
    tz_sq_bind_double(b, r->lat);
    tz_sq_bind_double(b, r->lon);
    tz_sq_bind_text(b, r->district_id);
    tz_sq_bind_text(b, r->status);
    tz_sq_bind_text(b, r->description);
    tz_sq_bind_text(b, r->public_description);
    tz_sq_bind_int64(b, r->received_at);
    tz_sq_bind_int64(b, r->status_changed_at);
    tz_sq_bind_int64(b, r->takeup_due);
    tz_sq_bind_time(b, r->taken_up_at);
    tz_sq_bind_time(b, r->verify_due);
    tz_sq_bind_time(b, r->verified_at);
    tz_sq_bind_time(b, r->when_date);
    tz_sq_bind_int64(b, r->when_times);
    tz_sq_bind_int64(b, r->when_weekdays);
    tz_sq_bind_int64(b, r->me_too);
    tz_sq_bind_blob(b, r->token_hash, TZ_HASH_LEN);
    tz_sq_bind_blob(b, r->reporter_hash, TZ_HASH_LEN);
}

/*
 * Inserts run several reports to a statement (32, then 8, then one at a
 * time). Besides saving a statement run per report, that matters because of
 * the schema's CHECK (status IN (seven codes)): SQLite evaluates an IN over
 * more than two constants by building a temporary b-tree of them once per
 * run of the statement, which for one report a run was a fifth of the
 * insert's CPU. A statement of many rows that fails half way must undo its
 * own rows, so SQLite keeps a statement journal of the pages it changes; a
 * 32-row insert changes more than fits the 64 KiB that SQLite keeps in
 * memory, and the journal would go to a temporary file every batch: hence
 * temp_store=MEMORY on the writer (WRITER_PRAGMAS_AFTER_MIGRATION). With
 * both, an insert costs about a fifth less CPU than one report a statement
 * (development machine, batches of 64 spread like bench/post_report.lua:
 * 14.5 -> 11.7 us a report). A statement's rows get consecutive ids, in
 * order: without AUTOINCREMENT SQLite gives each new row the largest id plus
 * one (it picks at random only past id 2^63 - 1, which reports never reach).
 */
static const struct {
    const char *id;
    size_t rows;
} insert_chunks[] = {
    {SQL_INSERT_REPORTS_32, 32}, {SQL_INSERT_REPORTS_8, 8}, {SQL_INSERT_REPORT, 1}};

/* In the insert's transaction: which API key sent each report that a key sent (migration 6). */
static tz_err put_report_sources(struct tz_sq_conn *c, const struct tz_report_rec *recs,
                                 size_t count)
{
    tz_err err = TZ_OK;
    for (size_t i = 0; i < count && !err; i++) {
        if (!recs[i].api_key_id)
            continue;
        sqlite3_stmt *st;
        if ((err = tz_sq_stmt(c, SQL_PUT_REPORT_SOURCE, &st)))
            break;
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_int64(&b, recs[i].id);
        tz_sq_bind_int64(&b, recs[i].api_key_id);
        err = b.rc != SQLITE_OK ? tz_sq_map_rc(b.rc) : tz_sq_stmt_run(st);
        tz_sq_stmt_done(st);
    }
    return err;
}

tz_err tz_sq_insert_reports(struct tz_store *store, struct tz_report_rec *recs, size_t count)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err) {
        for (size_t i = 0; i < count; i++)
            recs[i].id = 0;
        return err;
    }
    size_t done = 0;
    for (size_t k = 0; k < sizeof insert_chunks / sizeof insert_chunks[0] && !err; k++) {
        size_t rows = insert_chunks[k].rows;
        if (count - done < rows)
            continue;
        if ((err = tz_sq_stmt(c, insert_chunks[k].id, &st)))
            break;
        while (!err && count - done >= rows) {
            struct tz_sq_binder b = tz_sq_binder_of(st);
            for (size_t i = 0; i < rows; i++)
                bind_report(&b, &recs[done + i]);
            err = b.rc != SQLITE_OK ? tz_sq_map_rc(b.rc) : tz_sq_stmt_run(st);
            int64_t last = sqlite3_last_insert_rowid(c->db);
            for (size_t i = 0; i < rows && !err; i++)
                recs[done + i].id = last - (int64_t)(rows - 1 - i);
            done += rows;
        }
        tz_sq_stmt_done(st);
        st = NULL;
    }
    if (!err)
        err = put_report_sources(c, recs, count);
    if (!err)
        err = tz_sq_put_idempotency(c, recs, count); /* a key taken refuses the batch */
    if (!err)
        err = tz_sq_put_photos(c, recs, count); /* in the same transaction: one fsync for both */
    err = tz_sq_writer_end(store, st, err);
    for (size_t i = 0; err && i < count; i++) {
        recs[i].id = 0;
        for (size_t k = 0; k < recs[i].photo_count; k++)
            recs[i].photos[k].id = 0;
    }
    return err;
}

tz_err tz_sq_get_report(struct tz_store *store, int64_t id, struct tz_report_rec *out)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_GET_REPORT, &st);
    if (!err) {
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            err = tz_sq_read_report(st, out);
        else if (rc == SQLITE_DONE)
            err = TZ_ENOTFOUND;
        else
            err = tz_sq_map_rc(rc);
    }
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

static const char SQL_MAP_ROWS[] =
    "SELECT id, category, status, lat, lon, received_at, status_changed_at FROM reports"
    " ORDER BY id";

/* One statement, stepped to its end: WAL gives it one snapshot however long it runs. */
tz_err tz_sq_scan_map_rows(struct tz_store *store, tz_map_row_fn fn, void *ctx)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_MAP_ROWS, &st);
    int rc = SQLITE_DONE;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct tz_map_row row = {
            .id = sqlite3_column_int64(st, 0),
            .category = (const char *)sqlite3_column_text(st, 1),
            .status = (const char *)sqlite3_column_text(st, 2),
            .lat = sqlite3_column_double(st, 3),
            .lon = sqlite3_column_double(st, 4),
            .received_at = sqlite3_column_int64(st, 5),
            .status_changed_at = sqlite3_column_int64(st, 6),
        };
        if (!row.category || !row.status)
            err = TZ_ENOMEM; /* NOT NULL columns: only a failed conversion gives NULL */
        else
            err = fn(ctx, &row);
    }
    if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = tz_sq_map_rc(rc);
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

tz_err tz_sq_count_reports(struct tz_store *store, int64_t *count)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_COUNT_REPORTS, &st);
    if (!err) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *count = sqlite3_column_int64(st, 0);
        else
            err = tz_sq_map_rc(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
    }
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

/* Inside the writer's transaction: TZ_OK if the report exists, TZ_ENOTFOUND if not. */
static tz_err report_exists(struct tz_sq_conn *c, int64_t id)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_stmt(c, SQL_REPORT_EXISTS, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    err = rc == SQLITE_ROW ? TZ_OK : rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
    tz_sq_stmt_done(st);
    return err;
}

tz_err tz_sq_change_status(struct tz_store *store, const struct tz_status_change *ch)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;

    if ((err = tz_sq_stmt(c, SQL_CHANGE_STATUS, &st)))
        goto done;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, ch->new_status);
    tz_sq_bind_int64(&b, ch->at);
    tz_sq_bind_time(&b, ch->taken_up_at);
    tz_sq_bind_time(&b, ch->verify_due);
    tz_sq_bind_time(&b, ch->verified_at);
    tz_sq_bind_int64(&b, ch->report_id);
    tz_sq_bind_text(&b, ch->expected_status);
    if ((err = tz_sq_map_rc(b.rc)) || (err = tz_sq_stmt_run(st)))
        goto done;
    if (sqlite3_changes(c->db) == 0) {
        /* Nothing matched: either there is no such report or it is in another status. */
        err = report_exists(c, ch->report_id);
        if (!err)
            err = TZ_ECONFLICT;
        goto done;
    }

    if ((err = tz_sq_stmt(c, SQL_INSERT_TRANSITION, &st)))
        goto done;
    b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, ch->report_id);
    tz_sq_bind_text(&b, ch->expected_status);
    tz_sq_bind_text(&b, ch->new_status);
    tz_sq_bind_int64(&b, ch->at);
    tz_sq_bind_text(&b, ch->actor);
    tz_sq_bind_text(&b, ch->note);
    tz_sq_bind_text(&b, ch->referred_to);
    tz_sq_bind_text(&b, ch->public_note);
    if ((err = tz_sq_map_rc(b.rc)) || (err = tz_sq_stmt_run(st)))
        goto done;
    if (ch->audit && (err = tz_sq_audit_append_in(c->db, ch->audit, NULL)))
        goto done;
done:
    return tz_sq_writer_end(store, st, err);
}

tz_err tz_sq_set_public_description(struct tz_store *store, int64_t report_id, const char *text)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    if ((err = tz_sq_stmt(c, SQL_SET_PUBLIC, &st)))
        goto done;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, text);
    tz_sq_bind_int64(&b, report_id);
    if ((err = tz_sq_map_rc(b.rc)) || (err = tz_sq_stmt_run(st)))
        goto done;
    if (sqlite3_changes(c->db) == 0) {
        err = TZ_ENOTFOUND;
        goto done;
    }
done:
    return tz_sq_writer_end(store, st, err);
}

static tz_err read_transition(sqlite3_stmt *st, void *elem)
{
    struct tz_transition_rec *r = elem;
    r->report_id = sqlite3_column_int64(st, 0);
    r->at = sqlite3_column_int64(st, 3);
    r->seq = sqlite3_column_int64(st, 7);
    tz_err err;
    if ((err = tz_sq_col_code(st, 1, r->from, sizeof r->from)) ||
        (err = tz_sq_col_code(st, 2, r->to, sizeof r->to)) ||
        (err = tz_sq_col_strdup(st, 4, &r->actor)) || (err = tz_sq_col_strdup(st, 5, &r->note)) ||
        (err = tz_sq_col_strdup(st, 6, &r->referred_to)) ||
        (err = tz_sq_col_strdup(st, 8, &r->public_note)))
        return err;
    return TZ_OK;
}

static void free_transitions(void *recs, size_t count)
{
    tz_transition_recs_free(recs, count);
}

tz_err tz_sq_history(struct tz_store *store, int64_t report_id, struct tz_transition_rec **out,
                     size_t *count)
{
    /* Report ids start at 1, so 0 (read_all's "no parameter") never names one. */
    return tz_sq_read_all(store, SQL_HISTORY, report_id, sizeof **out, read_transition,
                          free_transitions, (void **)out, count);
}

/* Runs `which` on a pooled reader with (after, limit) bound: the change feed's reads. */
static tz_err read_after(struct tz_store *store, const char *which, int64_t after, size_t limit,
                         size_t elem_size, tz_sq_row_reader read, tz_sq_rows_free release,
                         void **out, size_t *count)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, which, &st);
    if (!err) {
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_int64(&b, after);
        tz_sq_bind_int64(&b, (int64_t)limit);
        err = tz_sq_map_rc(b.rc);
    }
    if (!err)
        err = tz_sq_read_rows(st, elem_size, read, release, out, count);
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

static tz_err read_report_row(sqlite3_stmt *st, void *elem)
{
    return tz_sq_read_report(st, elem);
}

static void free_reports(void *recs, size_t count)
{
    tz_report_recs_free(recs, count);
}

tz_err tz_sq_reports_after(struct tz_store *store, int64_t after_id, size_t limit,
                           struct tz_report_rec **out, size_t *count)
{
    return read_after(store, SQL_REPORTS_AFTER, after_id, limit, sizeof **out, read_report_row,
                      free_reports, (void **)out, count);
}

tz_err tz_sq_transitions_after(struct tz_store *store, int64_t after_seq, size_t limit,
                               struct tz_transition_rec **out, size_t *count)
{
    return read_after(store, SQL_TRANSITIONS_AFTER, after_seq, limit, sizeof **out, read_transition,
                      free_transitions, (void **)out, count);
}

tz_err tz_sq_transitions_between(struct tz_store *store, int64_t from, int64_t to,
                                 int64_t after_at, int64_t after_seq, size_t limit,
                                 struct tz_transition_rec **out, size_t *count)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_TRANSITIONS_BETWEEN, &st);
    if (!err) {
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_int64(&b, from);
        tz_sq_bind_int64(&b, to);
        tz_sq_bind_int64(&b, after_at);
        tz_sq_bind_int64(&b, after_seq);
        tz_sq_bind_int64(&b, (int64_t)limit);
        err = tz_sq_map_rc(b.rc);
    }
    if (!err)
        err = tz_sq_read_rows(st, sizeof **out, read_transition, free_transitions, (void **)out,
                              count);
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

tz_err tz_sq_last_transition_seq(struct tz_store *store, int64_t *seq)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_LAST_TRANSITION, &st);
    if (!err) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            *seq = sqlite3_column_int64(st, 0);
        else
            err = tz_sq_map_rc(rc);
    }
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

tz_err tz_sq_add_me_too(struct tz_store *store, int64_t report_id,
                        const uint8_t reporter_hash[TZ_HASH_LEN], int64_t at, int *me_too)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    if ((err = report_exists(c, report_id)) || (err = tz_sq_stmt(c, SQL_INSERT_ME_TOO, &st)))
        goto done;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, report_id);
    tz_sq_bind_blob(&b, reporter_hash, TZ_HASH_LEN);
    tz_sq_bind_int64(&b, at);
    if ((err = tz_sq_map_rc(b.rc)))
        goto done;
    int rc = sqlite3_step(st);
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        err = TZ_ECONFLICT; /* this reporter said so already */
        goto done;
    }
    if (rc != SQLITE_DONE && (err = tz_sq_map_rc(rc)))
        goto done;
    tz_sq_stmt_done(st);
    if ((err = tz_sq_stmt(c, SQL_COUNT_ME_TOO, &st)))
        goto done;
    sqlite3_bind_int64(st, 1, report_id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        err = rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
        goto done;
    }
    *me_too = sqlite3_column_int(st, 0);
done:
    err = tz_sq_writer_end(store, st, err);
    if (err)
        *me_too = 0;
    return err;
}
