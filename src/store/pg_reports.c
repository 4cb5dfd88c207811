/*
 * pg_reports.c - the PostgreSQL backend's reports: insert (the group commit's batches, with
 * their sources and photos), read by id, the map's start-up scan, count, status changes and
 * their history, the reviewed public description, the change feed, "me too" (photos: pg_photos.c).
 * The list query and the police queue are in pg_list.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_internal.h"

#define TRANSITION_COLS                                                                            \
    "report_id, from_status, to_status, at, actor, note, referred_to, id, public_note"

static const char SQL_INSERT_REPORT[] =
    "INSERT INTO reports (category, lat, lon, district_id, status, description,"
    " public_description, received_at, status_changed_at, takeup_due, taken_up_at, verify_due,"
    " verified_at, when_date, when_times, when_weekdays, me_too, token_hash, reporter_hash)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,"
    " $19) RETURNING id";
static const char SQL_PUT_REPORT_SOURCE[] =
    "INSERT INTO report_sources (report_id, api_key_id) VALUES ($1, $2)";
static const char SQL_PUT_PHOTO[] =
    "INSERT INTO report_photos (report_id, idx, width, height, thumb_width, thumb_height, image,"
    " thumb) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
static const char SQL_GET_REPORT[] = "SELECT " TZ_PG_REPORT_COLS " FROM reports WHERE id = $1";
static const char SQL_MAP_ROWS[] =
    "SELECT id, category, status, lat, lon, received_at, status_changed_at FROM reports"
    " ORDER BY id";
static const char SQL_COUNT_REPORTS[] = "SELECT COUNT(*) FROM reports";
static const char SQL_CHANGE_STATUS[] = "UPDATE reports SET status = $1, status_changed_at = $2,"
                                        " taken_up_at = COALESCE($3, taken_up_at),"
                                        " verify_due = COALESCE($4, verify_due),"
                                        " verified_at = COALESCE($5, verified_at)"
                                        " WHERE id = $6 AND status = $7";
static const char SQL_REPORT_EXISTS[] = "SELECT 1 FROM reports WHERE id = $1";
static const char SQL_INSERT_TRANSITION[] =
    "INSERT INTO report_transitions (report_id, from_status, to_status,"
    " at, actor, note, referred_to, public_note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
/* Delivered at COMMIT only, to every instance listening (pg_watch.c); several in one
 * transaction are one. */
static const char SQL_NOTIFY_FEED[] = "SELECT pg_notify('" TZ_PG_FEED_CHANNEL "', '')";
/*
 * The change feed reads "id > last seen" (tz_store_reports_after, tz_store_transitions_after), so
 * ids must become visible in the order they are given. A sequence hands them out before commit:
 * a transaction that took id 10 and commits after the one that took 11 would be skipped by a
 * reader woken by 11's notice. Every write of the feed (a report inserted, a status changed, in
 * every instance) therefore takes this transaction-scoped lock ("tzfeed") before its ids and
 * holds it to COMMIT: one feed writer at a time, in commit order (a batch of the group commit is
 * one such write). Taken before the audit chain's lock (pg_audit.c), never after it.
 */
static const char SQL_FEED_LOCK[] = "SELECT pg_advisory_xact_lock(x'747a66656564'::bigint)";
static const char SQL_SET_PUBLIC[] = "UPDATE reports SET public_description = $1 WHERE id = $2";
static const char SQL_HISTORY[] = "SELECT " TRANSITION_COLS " FROM report_transitions"
                                  " WHERE report_id = $1 ORDER BY id";
static const char SQL_REPORTS_AFTER[] =
    "SELECT " TZ_PG_REPORT_COLS " FROM reports WHERE id > $1 ORDER BY id LIMIT $2";
static const char SQL_TRANSITIONS_AFTER[] =
    "SELECT " TRANSITION_COLS " FROM report_transitions WHERE id > $1 ORDER BY id LIMIT $2";
static const char SQL_TRANSITIONS_BETWEEN[] =
    "SELECT " TRANSITION_COLS " FROM report_transitions WHERE at >= $1 AND at < $2"
    " AND (at > $3 OR (at = $3 AND id > $4)) ORDER BY at, id LIMIT $5";
static const char SQL_LAST_TRANSITION[] = "SELECT COALESCE(MAX(id), 0) FROM report_transitions";
static const char SQL_INSERT_ME_TOO[] =
    "INSERT INTO report_me_too (report_id, reporter_hash, at) VALUES ($1, $2, $3)";
static const char SQL_COUNT_ME_TOO[] =
    "UPDATE reports SET me_too = me_too + 1 WHERE id = $1 RETURNING me_too";

/* ---- insert --------------------------------------------------------------------------------- */

static void args_of_report(struct tz_pg_args *a, const struct tz_report_rec *r)
{
    tz_pg_arg_text(a, r->category);
    tz_pg_arg_double(a, r->lat);
    tz_pg_arg_double(a, r->lon);
    tz_pg_arg_text(a, r->district_id);
    tz_pg_arg_text(a, r->status);
    tz_pg_arg_text(a, r->description);
    tz_pg_arg_text(a, r->public_description);
    tz_pg_arg_int(a, r->received_at);
    tz_pg_arg_int(a, r->status_changed_at);
    tz_pg_arg_int(a, r->takeup_due);
    tz_pg_arg_time(a, r->taken_up_at);
    tz_pg_arg_time(a, r->verify_due);
    tz_pg_arg_time(a, r->verified_at);
    tz_pg_arg_time(a, r->when_date);
    tz_pg_arg_int(a, r->when_times);
    tz_pg_arg_int(a, r->when_weekdays);
    tz_pg_arg_int(a, r->me_too);
    tz_pg_arg_bytes(a, r->token_hash, TZ_HASH_LEN);
    tz_pg_arg_bytes(a, r->reporter_hash, TZ_HASH_LEN);
}

/* In the insert's transaction: the photos of report r, just given its id. */
static tz_err put_photos(struct tz_pg_conn *c, struct tz_report_rec *r)
{
    tz_err err = TZ_OK;
    for (size_t k = 0; k < r->photo_count && !err; k++) {
        struct tz_photo_rec *p = &r->photos[k];
        struct tz_pg_args a = {0};
        PGresult *res = NULL;
        tz_pg_arg_int(&a, r->id);
        tz_pg_arg_int(&a, (int64_t)k + 1);
        tz_pg_arg_int(&a, p->width);
        tz_pg_arg_int(&a, p->height);
        tz_pg_arg_int(&a, p->thumb_width);
        tz_pg_arg_int(&a, p->thumb_height);
        tz_pg_arg_bytes(&a, p->image, p->image_len);
        tz_pg_arg_bytes(&a, p->thumb, p->thumb_len);
        if (!(err = tz_pg_run(c, SQL_PUT_PHOTO, &a, &res, NULL))) {
            p->id = tz_pg_int(res, 0, 0);
            p->report_id = r->id;
            p->idx = (int)k + 1;
        }
        PQclear(res);
    }
    return err;
}

struct insert {
    struct tz_report_rec *recs;
    size_t count;
};

/*
 * The batch's INSERTs in pipeline mode: all sent, one sync, then the ids read back in order, so a
 * batch of the group commit costs one round trip to the server rather than one a report. An
 * error aborts the rest of the pipeline and the transaction; the first error is returned.
 */
static tz_err insert_pipelined(struct tz_pg_conn *c, struct tz_report_rec *recs, size_t count)
{
    char name[TZ_PG_NAME_MAX];
    tz_err err = tz_pg_prepare(c, SQL_INSERT_REPORT, name);
    struct tz_pg_args *a = err ? NULL : malloc(sizeof *a);
    if (!err && !a)
        err = TZ_ENOMEM;
    if (err || !PQenterPipelineMode(c->pg)) {
        free(a);
        return err ? err : TZ_EIO;
    }
    size_t sent = 0;
    for (; sent < count; sent++) {
        memset(a, 0, sizeof *a);
        args_of_report(a, &recs[sent]); /* libpq copies the values as it sends */
        if (!PQsendQueryPrepared(c->pg, name, a->n, a->v, a->len, a->fmt, 0)) {
            err = TZ_EIO;
            break;
        }
    }
    free(a);
    if (!PQpipelineSync(c->pg) && !err)
        err = TZ_EIO;
    for (size_t i = 0; i < sent; i++) {
        PGresult *r = PQgetResult(c->pg);
        tz_err e = r ? tz_pg_map_result(r) : TZ_EIO;
        if (!e && PQntuples(r))
            recs[i].id = tz_pg_int(r, 0, 0);
        if (!err)
            err = e;
        PQclear(r);
        if (r)
            PQclear(PQgetResult(c->pg)); /* the NULL that ends each query's results */
    }
    PGresult *sync = PQgetResult(c->pg); /* PGRES_PIPELINE_SYNC */
    if (!err && PQresultStatus(sync) != PGRES_PIPELINE_SYNC)
        err = TZ_EIO;
    PQclear(sync);
    if (!PQexitPipelineMode(c->pg) && !err)
        err = TZ_EIO;
    return err;
}

/* The reports (ids from the identity, increasing in the order of the array), then their sources
 * and photos, which need the ids. */
static tz_err insert_write(struct tz_pg_conn *c, void *ctx)
{
    struct insert *in = ctx;
    tz_err err = tz_pg_run(c, SQL_FEED_LOCK, NULL, NULL, NULL);
    if (!err)
        err = insert_pipelined(c, in->recs, in->count);
    for (size_t i = 0; i < in->count && !err; i++) {
        struct tz_report_rec *r = &in->recs[i];
        if (r->api_key_id) {
            struct tz_pg_args s = {0};
            tz_pg_arg_int(&s, r->id);
            tz_pg_arg_int(&s, r->api_key_id);
            err = tz_pg_run(c, SQL_PUT_REPORT_SOURCE, &s, NULL, NULL);
        }
        if (!err)
            err = put_photos(c, r);
    }
    if (!err)
        err = tz_pg_put_idempotency(c, in->recs, in->count); /* a key taken refuses the batch */
    return err ? err : tz_pg_run(c, SQL_NOTIFY_FEED, NULL, NULL, NULL);
}

tz_err tz_pg_insert_reports(struct tz_store *store, struct tz_report_rec *recs, size_t count)
{
    struct insert in = {recs, count};
    tz_err err = tz_pg_in_write(store, insert_write, &in, NULL);
    for (size_t i = 0; err && i < count; i++) {
        recs[i].id = 0;
        for (size_t k = 0; k < recs[i].photo_count; k++)
            recs[i].photos[k].id = 0;
    }
    return err;
}

/* ---- reads ---------------------------------------------------------------------------------- */

tz_err tz_pg_get_report(struct tz_store *store, int64_t id, struct tz_report_rec *out)
{
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_int(&a, id);
    tz_err err = tz_pg_query(store, SQL_GET_REPORT, &a, &r);
    if (!err)
        err = PQntuples(r) ? tz_pg_read_report(r, 0, out) : TZ_ENOTFOUND;
    PQclear(r);
    return err;
}

struct map_scan {
    tz_map_row_fn fn;
    void *ctx;
};

static tz_err map_row(void *ctx, const PGresult *r, int row)
{
    const struct map_scan *s = ctx;
    struct tz_map_row m = {
        .id = tz_pg_int(r, row, 0),
        .category = PQgetvalue(r, row, 1),
        .status = PQgetvalue(r, row, 2),
        .lat = tz_pg_double(r, row, 3),
        .lon = tz_pg_double(r, row, 4),
        .received_at = tz_pg_int(r, row, 5),
        .status_changed_at = tz_pg_int(r, row, 6),
    };
    return s->fn(s->ctx, &m);
}

tz_err tz_pg_scan_map_rows(struct tz_store *store, tz_map_row_fn fn, void *ctx)
{
    struct map_scan s = {fn, ctx};
    return tz_pg_scan(store, SQL_MAP_ROWS, NULL, map_row, &s);
}

/* A query of one number into *out. */
static tz_err query_number(struct tz_store *store, const char *sql, int64_t *out)
{
    PGresult *r = NULL;
    tz_err err = tz_pg_query(store, sql, NULL, &r);
    if (!err)
        *out = PQntuples(r) ? tz_pg_int(r, 0, 0) : 0;
    PQclear(r);
    return err;
}

tz_err tz_pg_count_reports(struct tz_store *store, int64_t *count)
{
    return query_number(store, SQL_COUNT_REPORTS, count);
}

tz_err tz_pg_last_transition_seq(struct tz_store *store, int64_t *seq)
{
    return query_number(store, SQL_LAST_TRANSITION, seq);
}

/* ---- status changes ------------------------------------------------------------------------- */

/* Inside a transaction: TZ_OK if the report exists, TZ_ENOTFOUND if not. */
static tz_err report_exists(struct tz_pg_conn *c, int64_t id)
{
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_int(&a, id);
    tz_err err = tz_pg_run(c, SQL_REPORT_EXISTS, &a, &r, NULL);
    if (!err && PQntuples(r) == 0)
        err = TZ_ENOTFOUND;
    PQclear(r);
    return err;
}

static tz_err change_write(struct tz_pg_conn *c, void *ctx)
{
    const struct tz_status_change *ch = ctx;
    struct tz_pg_args a = {0};
    int64_t changed = 0;
    tz_pg_arg_text(&a, ch->new_status);
    tz_pg_arg_int(&a, ch->at);
    tz_pg_arg_time(&a, ch->taken_up_at);
    tz_pg_arg_time(&a, ch->verify_due);
    tz_pg_arg_time(&a, ch->verified_at);
    tz_pg_arg_int(&a, ch->report_id);
    tz_pg_arg_text(&a, ch->expected_status);
    tz_err err = tz_pg_run(c, SQL_FEED_LOCK, NULL, NULL, NULL);
    if (!err)
        err = tz_pg_run(c, SQL_CHANGE_STATUS, &a, NULL, &changed);
    if (err)
        return err;
    if (changed == 0) {
        /* Nothing matched: either there is no such report or it is in another status. */
        err = report_exists(c, ch->report_id);
        return err ? err : TZ_ECONFLICT;
    }
    struct tz_pg_args t = {0};
    tz_pg_arg_int(&t, ch->report_id);
    tz_pg_arg_text(&t, ch->expected_status);
    tz_pg_arg_text(&t, ch->new_status);
    tz_pg_arg_int(&t, ch->at);
    tz_pg_arg_text(&t, ch->actor);
    tz_pg_arg_text(&t, ch->note);
    tz_pg_arg_text(&t, ch->referred_to);
    tz_pg_arg_text(&t, ch->public_note);
    err = tz_pg_run(c, SQL_INSERT_TRANSITION, &t, NULL, NULL);
    return err ? err : tz_pg_run(c, SQL_NOTIFY_FEED, NULL, NULL, NULL);
}

tz_err tz_pg_change_status(struct tz_store *store, const struct tz_status_change *change)
{
    return tz_pg_in_write(store, change_write, (void *)change, change->audit);
}

struct text_set {
    int64_t id;
    const char *text;
};

static tz_err public_write(struct tz_pg_conn *c, void *ctx)
{
    const struct text_set *t = ctx;
    struct tz_pg_args a = {0};
    int64_t changed = 0;
    tz_pg_arg_text(&a, t->text);
    tz_pg_arg_int(&a, t->id);
    tz_err err = tz_pg_run(c, SQL_SET_PUBLIC, &a, NULL, &changed);
    return err ? err : changed ? TZ_OK : TZ_ENOTFOUND;
}

tz_err tz_pg_set_public_description(struct tz_store *store, int64_t report_id, const char *text)
{
    struct text_set t = {report_id, text};
    return tz_pg_in_write(store, public_write, &t, NULL);
}

tz_err tz_pg_review_description(struct tz_store *store, int64_t report_id, const char *text,
                                const struct tz_audit_rec *audit)
{
    struct text_set t = {report_id, text};
    return tz_pg_in_write(store, public_write, &t, audit);
}

/* ---- history and the change feed ------------------------------------------------------------ */

static tz_err read_transition(const PGresult *res, int row, void *elem)
{
    struct tz_transition_rec *r = elem;
    r->report_id = tz_pg_int(res, row, 0);
    r->at = tz_pg_int(res, row, 3);
    r->seq = tz_pg_int(res, row, 7);
    tz_err err;
    if ((err = tz_pg_code(res, row, 1, r->from, sizeof r->from)) ||
        (err = tz_pg_code(res, row, 2, r->to, sizeof r->to)) ||
        (err = tz_pg_strdup(res, row, 4, &r->actor)) ||
        (err = tz_pg_strdup(res, row, 5, &r->note)) ||
        (err = tz_pg_strdup(res, row, 6, &r->referred_to)) ||
        (err = tz_pg_strdup(res, row, 8, &r->public_note)))
        return err;
    return TZ_OK;
}

static void free_transitions(void *recs, size_t count)
{
    tz_transition_recs_free(recs, count);
}

static tz_err read_report_row(const PGresult *res, int row, void *elem)
{
    return tz_pg_read_report(res, row, elem);
}

static void free_reports(void *recs, size_t count)
{
    tz_report_recs_free(recs, count);
}

/* Runs the static query sql with args and reads its rows into a new array. */
static tz_err read_all(struct tz_store *store, const char *sql, const struct tz_pg_args *a,
                       size_t elem_size, tz_pg_row_reader read, tz_pg_rows_free release, void **out,
                       size_t *count)
{
    PGresult *r = NULL;
    tz_err err = tz_pg_query(store, sql, a, &r);
    if (!err)
        err = tz_pg_read_rows(r, elem_size, read, release, out, count);
    PQclear(r);
    return err;
}

tz_err tz_pg_history(struct tz_store *store, int64_t report_id, struct tz_transition_rec **out,
                     size_t *count)
{
    struct tz_pg_args a = {0};
    tz_pg_arg_int(&a, report_id);
    return read_all(store, SQL_HISTORY, &a, sizeof **out, read_transition, free_transitions,
                    (void **)out, count);
}

tz_err tz_pg_reports_after(struct tz_store *store, int64_t after_id, size_t limit,
                           struct tz_report_rec **out, size_t *count)
{
    struct tz_pg_args a = {0};
    tz_pg_arg_int(&a, after_id);
    tz_pg_arg_int(&a, (int64_t)limit);
    return read_all(store, SQL_REPORTS_AFTER, &a, sizeof **out, read_report_row, free_reports,
                    (void **)out, count);
}

tz_err tz_pg_transitions_after(struct tz_store *store, int64_t after_seq, size_t limit,
                               struct tz_transition_rec **out, size_t *count)
{
    struct tz_pg_args a = {0};
    tz_pg_arg_int(&a, after_seq);
    tz_pg_arg_int(&a, (int64_t)limit);
    return read_all(store, SQL_TRANSITIONS_AFTER, &a, sizeof **out, read_transition,
                    free_transitions, (void **)out, count);
}

tz_err tz_pg_transitions_between(struct tz_store *store, int64_t from, int64_t to, int64_t after_at,
                                 int64_t after_seq, size_t limit, struct tz_transition_rec **out,
                                 size_t *count)
{
    struct tz_pg_args a = {0};
    tz_pg_arg_int(&a, from);
    tz_pg_arg_int(&a, to);
    tz_pg_arg_int(&a, after_at);
    tz_pg_arg_int(&a, after_seq);
    tz_pg_arg_int(&a, (int64_t)limit);
    return read_all(store, SQL_TRANSITIONS_BETWEEN, &a, sizeof **out, read_transition,
                    free_transitions, (void **)out, count);
}

/* ---- "me too" ------------------------------------------------------------------------------ */

struct me_too {
    int64_t id;
    const uint8_t *hash;
    int64_t at;
    int *count;
};

static tz_err me_too_write(struct tz_pg_conn *c, void *ctx)
{
    struct me_too *m = ctx;
    struct tz_pg_args a = {0};
    tz_err err = report_exists(c, m->id);
    if (err)
        return err;
    tz_pg_arg_int(&a, m->id);
    tz_pg_arg_bytes(&a, m->hash, TZ_HASH_LEN);
    tz_pg_arg_int(&a, m->at);
    /* The primary key refuses a second "me too" from the same reporter: TZ_ECONFLICT. */
    if ((err = tz_pg_run(c, SQL_INSERT_ME_TOO, &a, NULL, NULL)))
        return err;
    struct tz_pg_args b = {0};
    PGresult *r = NULL;
    tz_pg_arg_int(&b, m->id);
    if (!(err = tz_pg_run(c, SQL_COUNT_ME_TOO, &b, &r, NULL)))
        *m->count = PQntuples(r) ? (int)tz_pg_int(r, 0, 0) : 0;
    PQclear(r);
    return err;
}

tz_err tz_pg_add_me_too(struct tz_store *store, int64_t report_id,
                        const uint8_t reporter_hash[TZ_HASH_LEN], int64_t at, int *me_too)
{
    struct me_too m = {report_id, reporter_hash, at, me_too};
    tz_err err = tz_pg_in_write(store, me_too_write, &m, NULL);
    if (err)
        *me_too = 0;
    return err;
}
