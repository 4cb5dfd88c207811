/*
 * pg_list.c - the PostgreSQL backend's lists of reports: the filtered list (tz_store_list_reports)
 * and the police's queue, assignments and deadline compliance.
 *
 * Unlike SQLite (sqlite_list.c), PostgreSQL keeps statistics of value ranges and plans a filter
 * well by itself, so a list is one statement: the filter's terms, newest first by id, a limit.
 * The bbox term names the grid cell expression of migration 3 too, so that the planner may use
 * that index (reports_cell) as SQLite's list does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "store/pg_internal.h"

#define LIST_SQL_MAX 8192
#define QUEUE_SQL_MAX 16384

/* Appends " $n" placeholders for count arguments, separated by commas, numbering from *next. */
static tz_err put_params(struct tz_buf *sql, size_t count, int *next)
{
    tz_err err = TZ_OK;
    for (size_t i = 0; i < count && !err; i++)
        err = tz_buf_printf(sql, i ? ", $%d" : "$%d", (*next)++);
    return err;
}

/* The SQL and arguments of a filter (see tz_store_list_reports). */
static tz_err build_list(const struct tz_report_filter *f, size_t limit, struct tz_buf *sql,
                         struct tz_pg_args *a)
{
    int next = 1;
    tz_err err = tz_buf_puts(sql, "SELECT " TZ_PG_REPORT_COLS " FROM reports WHERE TRUE");
    if (!err && f->before_id) {
        err = tz_buf_printf(sql, " AND id < $%d", next++);
        tz_pg_arg_int(a, f->before_id);
    }
    if (!err && f->has_bbox) {
        err = tz_buf_printf(sql, " AND lat BETWEEN $%d AND $%d", next, next + 1);
        next += 2;
        tz_pg_arg_double(a, f->south);
        tz_pg_arg_double(a, f->north);
        /* A box whose west edge lies east of its east edge crosses the antimeridian. */
        if (!err)
            err = tz_buf_printf(sql,
                                f->west <= f->east ? " AND lon >= $%d AND lon <= $%d"
                                                   : " AND (lon >= $%d OR lon <= $%d)",
                                next, next + 1);
        next += 2;
        tz_pg_arg_double(a, f->west);
        tz_pg_arg_double(a, f->east);
    }
    if (!err && f->category_count) {
        if (!(err = tz_buf_puts(sql, " AND category IN (")) &&
            !(err = put_params(sql, f->category_count, &next)))
            err = tz_buf_puts(sql, ")");
        for (size_t i = 0; i < f->category_count; i++)
            tz_pg_arg_text(a, f->categories[i]);
    }
    if (!err && f->status_count) {
        if (!(err = tz_buf_puts(sql, " AND status IN (")) &&
            !(err = put_params(sql, f->status_count, &next)))
            err = tz_buf_puts(sql, ")");
        for (size_t i = 0; i < f->status_count; i++)
            tz_pg_arg_text(a, f->statuses[i]);
    }
    if (!err && f->from) {
        err = tz_buf_printf(sql, " AND received_at >= $%d", next++);
        tz_pg_arg_int(a, f->from);
    }
    if (!err && f->to) {
        err = tz_buf_printf(sql, " AND received_at < $%d", next++);
        tz_pg_arg_int(a, f->to);
    }
    if (!err)
        err = tz_buf_printf(sql, " ORDER BY id DESC LIMIT $%d", next++);
    tz_pg_arg_int(a, (int64_t)limit);
    return err;
}

static tz_err read_report_row(const PGresult *res, int row, void *elem)
{
    return tz_pg_read_report(res, row, elem);
}

static void free_reports(void *recs, size_t count)
{
    tz_report_recs_free(recs, count);
}

/* Runs SQL built per call on a pooled connection and reads its reports. */
static tz_err run_reports(struct tz_store *store, const char *sql, const struct tz_pg_args *a,
                          struct tz_report_rec **out, size_t *count)
{
    tz_err err;
    struct tz_pg_conn *c = tz_pg_acquire(store, &err);
    if (!c)
        return err;
    PGresult *r = NULL;
    err = tz_pg_run_once(c, sql, a, &r, NULL);
    tz_pg_release(store, c);
    if (!err)
        err = tz_pg_read_rows(r, sizeof **out, read_report_row, free_reports, (void **)out, count);
    PQclear(r);
    return err;
}

tz_err tz_pg_list_reports(struct tz_store *store, const struct tz_report_filter *filter,
                          struct tz_report_rec **out, size_t *count)
{
    struct tz_buf sql;
    tz_buf_init(&sql, LIST_SQL_MAX);
    struct tz_pg_args *a = calloc(1, sizeof *a);
    tz_err err = a ? build_list(filter, tz_store_page(filter->limit), &sql, a) : TZ_ENOMEM;
    if (!err)
        err = run_reports(store, sql.data, a, out, count);
    free(a);
    tz_buf_free(&sql);
    return err;
}

/* ---- assignments ---------------------------------------------------------------------------- */

struct assign {
    int64_t id;
    const char *account;
    int64_t at;
};

static tz_err assign_write(struct tz_pg_conn *c, void *ctx)
{
    static const char exists[] = "SELECT 1 FROM reports WHERE id = $1";
    static const char drop[] = "DELETE FROM report_assignments WHERE report_id = $1";
    static const char put[] =
        "INSERT INTO report_assignments (report_id, account, at) VALUES ($1, $2, $3)"
        " ON CONFLICT (report_id) DO UPDATE SET account = excluded.account, at = excluded.at";
    const struct assign *as = ctx;
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_int(&a, as->id);
    tz_err err = tz_pg_run(c, exists, &a, &r, NULL);
    if (!err && PQntuples(r) == 0)
        err = TZ_ENOTFOUND;
    PQclear(r);
    if (err)
        return err;
    if (!as->account)
        return tz_pg_run(c, drop, &a, NULL, NULL);
    tz_pg_arg_text(&a, as->account);
    tz_pg_arg_int(&a, as->at);
    return tz_pg_run(c, put, &a, NULL, NULL);
}

tz_err tz_pg_assign_report(struct tz_store *store, int64_t report_id, const char *account,
                           int64_t at, const struct tz_audit_rec *audit)
{
    struct assign as = {report_id, account, at};
    return tz_pg_in_write(store, assign_write, &as, audit);
}

tz_err tz_pg_report_assignee(struct tz_store *store, int64_t report_id,
                             char out[TZ_ACCOUNT_NAME_MAX])
{
    static const char sql[] = "SELECT account FROM report_assignments WHERE report_id = $1";
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_int(&a, report_id);
    tz_err err = tz_pg_query(store, sql, &a, &r);
    if (!err && PQntuples(r))
        err = tz_pg_code(r, 0, 0, out, TZ_ACCOUNT_NAME_MAX);
    PQclear(r);
    return err;
}

/* ---- the queue and the dashboard ------------------------------------------------------------ */

tz_err tz_pg_queue(struct tz_store *store, const char (*districts)[TZ_ID_MAX],
                   size_t district_count, const char *account, size_t limit,
                   struct tz_report_rec **out, size_t *count)
{
    struct tz_buf sql;
    tz_buf_init(&sql, QUEUE_SQL_MAX);
    struct tz_pg_args *a = calloc(1, sizeof *a);
    int next = 1;
    tz_err err = a ? tz_buf_puts(&sql, "SELECT " TZ_PG_REPORT_COLS " FROM reports r"
                                       " WHERE status IN ('new', 'verifying') AND ((district_id"
                                       " IN (")
                   : TZ_ENOMEM;
    if (!err)
        err = district_count ? put_params(&sql, district_count, &next) : tz_buf_puts(&sql, "NULL");
    for (size_t d = 0; a && d < district_count; d++)
        tz_pg_arg_text(a, districts[d]);
    if (!err) {
        /* The account three times: $n may not be the same type in every place it is used. */
        err = tz_buf_printf(&sql,
                            ") AND ($%d::text IS NULL OR NOT EXISTS (SELECT 1 FROM"
                            " report_assignments a WHERE a.report_id = r.id AND a.account <>"
                            " $%d)))"
                            " OR id IN (SELECT report_id FROM report_assignments"
                            " WHERE account = $%d))"
                            " ORDER BY CASE status WHEN 'new' THEN takeup_due"
                            " ELSE verify_due END, id LIMIT $%d",
                            next, next + 1, next + 2, next + 3);
        tz_pg_arg_text(a, account);
        tz_pg_arg_text(a, account);
        tz_pg_arg_text(a, account);
        tz_pg_arg_int(a, (int64_t)limit);
    }
    if (!err)
        err = run_reports(store, sql.data, a, out, count);
    free(a);
    tz_buf_free(&sql);
    return err;
}

tz_err tz_pg_compliance(struct tz_store *store, const char (*districts)[TZ_ID_MAX],
                        size_t district_count, int64_t now, struct tz_compliance_rec **out,
                        size_t *count)
{
    static const char sql[] =
        "SELECT COUNT(*), COUNT(taken_up_at),"
        " COUNT(*) FILTER (WHERE taken_up_at <= takeup_due), COUNT(verified_at),"
        " COUNT(*) FILTER (WHERE verified_at <= verify_due),"
        " COUNT(*) FILTER (WHERE (status = 'new' AND takeup_due < $2)"
        "  OR (status = 'verifying' AND verify_due < $2))"
        " FROM reports WHERE district_id = $1";
    struct tz_compliance_rec *recs = calloc(district_count ? district_count : 1, sizeof *recs);
    if (!recs)
        return TZ_ENOMEM;
    tz_err err;
    struct tz_pg_conn *c = tz_pg_acquire(store, &err);
    for (size_t d = 0; c && !err && d < district_count; d++) {
        struct tz_compliance_rec *rec = &recs[d];
        memcpy(rec->district_id, districts[d], TZ_ID_MAX);
        rec->district_id[TZ_ID_MAX - 1] = '\0';
        struct tz_pg_args a = {0};
        PGresult *r = NULL;
        tz_pg_arg_text(&a, rec->district_id);
        tz_pg_arg_int(&a, now);
        if (!(err = tz_pg_run(c, sql, &a, &r, NULL)) && PQntuples(r)) {
            rec->reports = tz_pg_int(r, 0, 0);
            rec->taken_up = tz_pg_int(r, 0, 1);
            rec->taken_up_in_time = tz_pg_int(r, 0, 2);
            rec->verified = tz_pg_int(r, 0, 3);
            rec->verified_in_time = tz_pg_int(r, 0, 4);
            rec->overdue = tz_pg_int(r, 0, 5);
        }
        PQclear(r);
    }
    if (c)
        tz_pg_release(store, c);
    if (err) {
        free(recs);
        return err;
    }
    *out = recs;
    *count = district_count;
    return TZ_OK;
}
