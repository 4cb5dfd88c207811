/*
 * sqlite_analysis.c - the SQLite backend's reads and writes for analysis
 * (migration 7): merging a duplicate into its original, the merges of a
 * report, and the scan that hands analysis every report of a filter.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

/* analysis (migration 7) */
static const char SQL_MERGE_CHECK[] =
    "SELECT (SELECT COUNT(*) FROM reports WHERE id IN (?1, ?2)),"
    " (SELECT COUNT(*) FROM report_links WHERE report_id IN (?1, ?2)"
    "  OR original_id = ?1)";
static const char SQL_MERGE_INSERT[] =
    "INSERT INTO report_links (report_id, original_id, at, actor, note)"
    " VALUES (?, ?, ?, ?, ?)";
static const char SQL_MERGES[] = "SELECT report_id, original_id, at, actor, note FROM report_links"
                                 " WHERE report_id = ?1 OR original_id = ?1 ORDER BY at, report_id";
static const char SQL_MERGED[] = "SELECT report_id FROM report_links ORDER BY report_id";
static const char SQL_SCAN[] =
    "SELECT r.id, r.category, r.lat, r.lon, r.district_id, d.unit, r.status,"
    " r.received_at, r.status_changed_at, r.takeup_due, r.taken_up_at, r.verify_due,"
    " r.verified_at, r.me_too, l.original_id"
    " FROM reports r JOIN districts d ON d.id = r.district_id"
    " LEFT JOIN report_links l ON l.report_id = r.id"
    " WHERE (?1 IS NULL OR r.district_id = ?1) AND r.received_at >= ?2"
    " AND r.received_at < ?3 ORDER BY r.id";

tz_err tz_sq_merge_report(struct tz_store *store, int64_t duplicate, int64_t original, int64_t at,
                          const char *actor, const char *note, const struct tz_audit_rec *audit)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    if ((err = tz_sq_stmt(c, SQL_MERGE_CHECK, &st)))
        goto done;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, duplicate);
    tz_sq_bind_int64(&b, original);
    if ((err = tz_sq_map_rc(b.rc)))
        goto done;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        err = tz_sq_map_rc(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
        goto done;
    }
    int64_t found = sqlite3_column_int64(st, 0), links = sqlite3_column_int64(st, 1);
    tz_sq_stmt_done(st);
    if (found != 2) {
        err = TZ_ENOTFOUND;
        goto done;
    }
    if (links != 0) {
        err = TZ_ECONFLICT;
        goto done;
    }
    if ((err = tz_sq_stmt(c, SQL_MERGE_INSERT, &st)))
        goto done;
    b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, duplicate);
    tz_sq_bind_int64(&b, original);
    tz_sq_bind_int64(&b, at);
    tz_sq_bind_text(&b, actor);
    tz_sq_bind_text(&b, note);
    if ((err = tz_sq_map_rc(b.rc)) || (err = tz_sq_stmt_run(st)))
        goto done;
    if (audit && (err = tz_sq_audit_append_in(c->db, audit, NULL)))
        goto done;
done:
    return tz_sq_writer_end(store, st, err);
}

static tz_err read_merge(sqlite3_stmt *st, void *elem)
{
    struct tz_merge_rec *r = elem;
    r->report_id = sqlite3_column_int64(st, 0);
    r->original_id = sqlite3_column_int64(st, 1);
    r->at = sqlite3_column_int64(st, 2);
    tz_err err = tz_sq_col_strdup(st, 3, &r->actor);
    return err ? err : tz_sq_col_strdup(st, 4, &r->note);
}

static void free_merges(void *recs, size_t count)
{
    tz_merge_recs_free(recs, count);
}

tz_err tz_sq_report_merges(struct tz_store *store, int64_t id, struct tz_merge_rec **out,
                           size_t *count)
{
    return tz_sq_read_all(store, SQL_MERGES, id, sizeof **out, read_merge, free_merges,
                          (void **)out, count);
}

static tz_err read_id(sqlite3_stmt *st, void *elem)
{
    *(int64_t *)elem = sqlite3_column_int64(st, 0);
    return TZ_OK;
}

static void free_ids(void *ids, size_t count)
{
    (void)count;
    free(ids);
}

tz_err tz_sq_merged_duplicates(struct tz_store *store, int64_t **out, size_t *count)
{
    return tz_sq_read_all(store, SQL_MERGED, 0, sizeof **out, read_id, free_ids, (void **)out,
                          count);
}

static const char *col_text(sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return t ? t : "";
}

tz_err tz_sq_scan_reports(struct tz_store *store, const struct tz_scan_filter *f,
                          tz_err (*fn)(void *ctx, const struct tz_report_row *row), void *ctx)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_SCAN, &st);
    if (err)
        goto done;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, f->district_id);
    tz_sq_bind_int64(&b, f->from ? f->from : INT64_MIN);
    tz_sq_bind_int64(&b, f->to ? f->to : INT64_MAX);
    if ((err = tz_sq_map_rc(b.rc)))
        goto done;
    int rc = SQLITE_DONE;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct tz_report_row row = {
            .id = sqlite3_column_int64(st, 0),
            .category = col_text(st, 1),
            .lat = sqlite3_column_double(st, 2),
            .lon = sqlite3_column_double(st, 3),
            .district_id = col_text(st, 4),
            .unit = col_text(st, 5),
            .status = col_text(st, 6),
            .received_at = sqlite3_column_int64(st, 7),
            .status_changed_at = sqlite3_column_int64(st, 8),
            .takeup_due = sqlite3_column_int64(st, 9),
            .taken_up_at = sqlite3_column_int64(st, 10),
            .verify_due = sqlite3_column_int64(st, 11),
            .verified_at = sqlite3_column_int64(st, 12),
            .me_too = sqlite3_column_int(st, 13),
            .merged_into = sqlite3_column_int64(st, 14),
        };
        err = fn(ctx, &row);
    }
    if (!err && rc != SQLITE_DONE)
        err = tz_sq_map_rc(rc);
done:
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}
