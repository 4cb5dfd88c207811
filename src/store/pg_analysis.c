/*
 * pg_analysis.c - the PostgreSQL backend's reads and writes for analysis (migration 7): merging
 * a duplicate into its original, the merges of a report, the merged duplicates, and the scan
 * that hands analysis every report of a filter (one statement, streamed row by row).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_internal.h"

/* The two reports, locked until the merge commits so that two merges cannot cross. */
static const char SQL_MERGE_LOCK[] =
    "SELECT COUNT(*) FROM (SELECT id FROM reports WHERE id IN ($1, $2) FOR UPDATE) r";
static const char SQL_MERGE_LINKS[] =
    "SELECT COUNT(*) FROM report_links WHERE report_id IN ($1, $2) OR original_id = $1";
static const char SQL_MERGE_INSERT[] =
    "INSERT INTO report_links (report_id, original_id, at, actor, note)"
    " VALUES ($1, $2, $3, $4, $5)";
static const char SQL_MERGES[] = "SELECT report_id, original_id, at, actor, note FROM report_links"
                                 " WHERE report_id = $1 OR original_id = $1 ORDER BY at, report_id";
static const char SQL_MERGED[] = "SELECT report_id FROM report_links ORDER BY report_id";
static const char SQL_SCAN[] =
    "SELECT r.id, r.category, r.lat, r.lon, r.district_id, d.unit, r.status,"
    " r.received_at, r.status_changed_at, r.takeup_due, r.taken_up_at, r.verify_due,"
    " r.verified_at, r.me_too, l.original_id"
    " FROM reports r JOIN districts d ON d.id = r.district_id"
    " LEFT JOIN report_links l ON l.report_id = r.id"
    " WHERE ($1::text IS NULL OR r.district_id = $1) AND r.received_at >= $2"
    " AND r.received_at < $3 ORDER BY r.id";

struct merge {
    int64_t duplicate, original, at;
    const char *actor, *note;
};

/* The number in the first column of sql's one row, with (duplicate, original) as arguments. */
static tz_err count_of(struct tz_pg_conn *c, const char *sql, const struct merge *m, int64_t *n)
{
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_int(&a, m->duplicate);
    tz_pg_arg_int(&a, m->original);
    tz_err err = tz_pg_run(c, sql, &a, &r, NULL);
    if (!err)
        *n = tz_pg_int(r, 0, 0);
    PQclear(r);
    return err;
}

static tz_err merge_write(struct tz_pg_conn *c, void *ctx)
{
    const struct merge *m = ctx;
    int64_t found = 0, links = 0;
    tz_err err = count_of(c, SQL_MERGE_LOCK, m, &found);
    if (!err && found != 2)
        err = TZ_ENOTFOUND;
    if (!err && !(err = count_of(c, SQL_MERGE_LINKS, m, &links)) && links != 0)
        err = TZ_ECONFLICT;
    if (err)
        return err;
    struct tz_pg_args a = {0};
    tz_pg_arg_int(&a, m->duplicate);
    tz_pg_arg_int(&a, m->original);
    tz_pg_arg_int(&a, m->at);
    tz_pg_arg_text(&a, m->actor);
    tz_pg_arg_text(&a, m->note);
    return tz_pg_run(c, SQL_MERGE_INSERT, &a, NULL, NULL);
}

tz_err tz_pg_merge_report(struct tz_store *store, int64_t duplicate, int64_t original, int64_t at,
                          const char *actor, const char *note, const struct tz_audit_rec *audit)
{
    struct merge m = {duplicate, original, at, actor, note};
    return tz_pg_in_write(store, merge_write, &m, audit);
}

static tz_err read_merge(const PGresult *res, int row, void *elem)
{
    struct tz_merge_rec *r = elem;
    r->report_id = tz_pg_int(res, row, 0);
    r->original_id = tz_pg_int(res, row, 1);
    r->at = tz_pg_int(res, row, 2);
    tz_err err = tz_pg_strdup(res, row, 3, &r->actor);
    return err ? err : tz_pg_strdup(res, row, 4, &r->note);
}

static void free_merges(void *recs, size_t count)
{
    tz_merge_recs_free(recs, count);
}

tz_err tz_pg_report_merges(struct tz_store *store, int64_t id, struct tz_merge_rec **out,
                           size_t *count)
{
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_int(&a, id);
    tz_err err = tz_pg_query(store, SQL_MERGES, &a, &r);
    if (!err)
        err = tz_pg_read_rows(r, sizeof **out, read_merge, free_merges, (void **)out, count);
    PQclear(r);
    return err;
}

static tz_err read_id(const PGresult *res, int row, void *elem)
{
    *(int64_t *)elem = tz_pg_int(res, row, 0);
    return TZ_OK;
}

static void free_ids(void *ids, size_t count)
{
    (void)count;
    free(ids);
}

tz_err tz_pg_merged_duplicates(struct tz_store *store, int64_t **out, size_t *count)
{
    PGresult *r = NULL;
    tz_err err = tz_pg_query(store, SQL_MERGED, NULL, &r);
    if (!err)
        err = tz_pg_read_rows(r, sizeof **out, read_id, free_ids, (void **)out, count);
    PQclear(r);
    return err;
}

struct scan {
    tz_err (*fn)(void *ctx, const struct tz_report_row *row);
    void *ctx;
};

static tz_err scan_row(void *ctx, const PGresult *r, int row)
{
    const struct scan *s = ctx;
    struct tz_report_row rr = {
        .id = tz_pg_int(r, row, 0),
        .category = PQgetvalue(r, row, 1),
        .lat = tz_pg_double(r, row, 2),
        .lon = tz_pg_double(r, row, 3),
        .district_id = PQgetvalue(r, row, 4),
        .unit = PQgetvalue(r, row, 5),
        .status = PQgetvalue(r, row, 6),
        .received_at = tz_pg_int(r, row, 7),
        .status_changed_at = tz_pg_int(r, row, 8),
        .takeup_due = tz_pg_int(r, row, 9),
        .taken_up_at = tz_pg_int(r, row, 10),
        .verify_due = tz_pg_int(r, row, 11),
        .verified_at = tz_pg_int(r, row, 12),
        .me_too = (int)tz_pg_int(r, row, 13),
        .merged_into = tz_pg_int(r, row, 14),
    };
    return s->fn(s->ctx, &rr);
}

tz_err tz_pg_scan_reports(struct tz_store *store, const struct tz_scan_filter *f,
                          tz_err (*fn)(void *ctx, const struct tz_report_row *row), void *ctx)
{
    struct scan s = {fn, ctx};
    struct tz_pg_args a = {0};
    tz_pg_arg_text(&a, f->district_id);
    tz_pg_arg_int(&a, f->from ? f->from : INT64_MIN);
    tz_pg_arg_int(&a, f->to ? f->to : INT64_MAX);
    return tz_pg_scan(store, SQL_SCAN, &a, scan_row, &s);
}
