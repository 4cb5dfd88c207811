/*
 * sqlite_exchange_spoc.c - the SQLite backend of the exchange's SPOC extras
 * (migration 14): attachments and an Art. 9 deviation written inside the
 * transaction of their message (put_body of sqlite_exchange.c calls
 * tz_sq_x_put_extras), a message's attachments listed when it is read, one
 * attachment read whole with its audit entry, the permissions providers gave
 * to pass H2 information on, and the rows of the Art. 18 statistics.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

static const char SQL_PUT_ATTACH[] =
    "INSERT INTO x_attachments (message_id, idx, name, type, size, sha256, data)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_PUT_DEVIATION[] =
    "INSERT INTO x_deviations (message_id, request_id, at, delay_s, reasons, actor)"
    " SELECT ?1, ?2, at, ?3, ?4, ?5 FROM x_messages WHERE id = ?1";
static const char SQL_LIST_ATTACH[] =
    "SELECT name, type, size, sha256 FROM x_attachments WHERE message_id = ? ORDER BY idx";
static const char SQL_GET_ATTACH[] =
    "SELECT name, type, size, sha256, data FROM x_attachments WHERE message_id = ? AND idx = ?";
static const char SQL_PERMIT[] =
    "INSERT OR IGNORE INTO x_permissions (message_id, to_node, at, actor)"
    " SELECT id, ?2, ?3, ?4 FROM x_messages WHERE id = ?1";
static const char SQL_PERMITS[] =
    "SELECT to_node FROM x_permissions WHERE message_id = ? ORDER BY to_node LIMIT 64";
/*
 * The statistics: received messages by their originator, sent ones by each foreign addressee
 * (a request to two partners counts once for each). Requests, refusals and deviations only.
 */
static const char SQL_STATS[] =
    "SELECT 1, m.from_node, m.type, m.urgency, m.grounds, COUNT(*) FROM x_messages m"
    " WHERE m.at >= ?1 AND m.at < ?2 AND m.inbound = 1"
    " AND m.type IN ('request', 'refusal', 'deviation')"
    " GROUP BY m.from_node, m.type, m.urgency, m.grounds"
    " UNION ALL"
    " SELECT 0, a.node, m.type, m.urgency, m.grounds, COUNT(DISTINCT m.id) FROM x_messages m"
    " JOIN x_addressees a ON a.message_id = m.id"
    " WHERE m.at >= ?1 AND m.at < ?2 AND m.inbound = 0 AND a.node <> ?3"
    " AND m.type IN ('request', 'refusal', 'deviation')"
    " GROUP BY a.node, m.type, m.urgency, m.grounds"
    " LIMIT 4096";

/* Steps a statement prepared here to its end and finalizes it. */
static tz_err run(sqlite3_stmt *st, struct tz_sq_binder *b)
{
    if (b->rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return tz_sq_map_rc(b->rc);
    }
    return tz_sq_run_once(st);
}

static tz_err put_attachment(sqlite3 *db, int64_t id, size_t idx, const struct tz_xattach_rec *a)
{
    if (!a->data || a->size > INT32_MAX)
        return TZ_EINVAL;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_PUT_ATTACH, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, id);
    tz_sq_bind_int64(&b, (int64_t)idx);
    tz_sq_bind_text(&b, a->name);
    tz_sq_bind_text(&b, a->type);
    tz_sq_bind_int64(&b, (int64_t)a->size);
    tz_sq_bind_text(&b, a->sha256);
    tz_sq_bind_blob(&b, a->data, (int)a->size);
    return run(st, &b);
}

static tz_err put_deviation(sqlite3 *db, int64_t id, const struct tz_xdeviation_rec *d)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_PUT_DEVIATION, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, id);
    tz_sq_bind_int64(&b, d->request_id);
    tz_sq_bind_int64(&b, d->delay_s);
    tz_sq_bind_text(&b, d->reasons);
    tz_sq_bind_text(&b, d->actor);
    if ((err = run(st, &b)))
        return err;
    return sqlite3_changes(db) == 1 ? TZ_OK : TZ_ENOTFOUND;
}

tz_err tz_sq_x_put_extras(sqlite3 *db, int64_t id, const struct tz_xmsg_rec *m,
                          const struct tz_xdeviation_rec *d)
{
    tz_err err = TZ_OK;
    for (size_t i = 0; !err && i < m->attachment_count; i++)
        err = put_attachment(db, id, i, &m->attachments[i]);
    if (!err && d)
        err = put_deviation(db, id, d);
    return err;
}

/* Columns 0-3 of an attachment's row into a. */
static tz_err read_meta(sqlite3_stmt *st, struct tz_xattach_rec *a)
{
    a->size = (size_t)sqlite3_column_int64(st, 2);
    tz_err err = tz_sq_col_code(st, 0, a->name, sizeof a->name);
    if (!err)
        err = tz_sq_col_code(st, 1, a->type, sizeof a->type);
    return err ? err : tz_sq_col_code(st, 3, a->sha256, sizeof a->sha256);
}

static tz_err read_attach(sqlite3_stmt *st, void *elem)
{
    return read_meta(st, elem);
}

static void free_plain(void *recs, size_t count)
{
    (void)count;
    free(recs);
}

tz_err tz_sq_x_get_extras(sqlite3 *db, int64_t id, struct tz_xmsg_rec *m)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_LIST_ATTACH, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, id);
    err = tz_sq_read_rows(st, sizeof *m->attachments, read_attach, free_plain,
                          (void **)&m->attachments, &m->attachment_count);
    sqlite3_finalize(st);
    return err;
}

struct attach_ctx {
    int64_t id;
    size_t idx;
    struct tz_xattach_blob *out;
};

static tz_err attach_body(sqlite3 *db, void *ctx)
{
    struct attach_ctx *a = ctx;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_GET_ATTACH, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, a->id);
    sqlite3_bind_int64(st, 2, (int64_t)a->idx);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
    }
    if (!(err = read_meta(st, &a->out->meta))) {
        int n = sqlite3_column_bytes(st, 4);
        const void *p = sqlite3_column_blob(st, 4);
        a->out->data = malloc(n > 0 ? (size_t)n : 1);
        if (!a->out->data)
            err = TZ_ENOMEM;
        else if (n > 0)
            memcpy(a->out->data, p, (size_t)n);
        a->out->meta.size = n > 0 ? (size_t)n : 0;
    }
    sqlite3_finalize(st);
    return err;
}

tz_err tz_sq_x_attachment(struct tz_store *store, int64_t id, size_t idx,
                          const struct tz_audit_rec *audit, struct tz_xattach_blob *out)
{
    memset(out, 0, sizeof *out);
    struct attach_ctx a = {.id = id, .idx = idx, .out = out};
    tz_err err = tz_sq_in_write(store, attach_body, &a, audit);
    if (err) {
        free(out->data);
        memset(out, 0, sizeof *out);
    }
    return err;
}

struct permit_ctx {
    int64_t id, at;
    const char *to, *actor;
};

static tz_err permit_body(sqlite3 *db, void *ctx)
{
    struct permit_ctx *p = ctx;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, "SELECT 1 FROM x_messages WHERE id = ?", &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, p->id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
    if ((err = tz_sq_prep(db, SQL_PERMIT, &st)))
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, p->id);
    tz_sq_bind_text(&b, p->to);
    tz_sq_bind_int64(&b, p->at);
    tz_sq_bind_text(&b, p->actor);
    return run(st, &b);
}

tz_err tz_sq_x_permit(struct tz_store *store, int64_t id, const char *to, int64_t at,
                      const char *actor, const struct tz_audit_rec *audit)
{
    struct permit_ctx p = {.id = id, .at = at, .to = to, .actor = actor};
    return tz_sq_in_write(store, permit_body, &p, audit);
}

tz_err tz_sq_x_permits(struct tz_store *store, int64_t id, char (*out)[TZ_XS_CODE], size_t *count)
{
    *count = 0;
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_PERMITS, &st);
    if (!err) {
        sqlite3_bind_int64(st, 1, id);
        int rc;
        while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW && *count < TZ_XS_PERMITS)
            err = tz_sq_col_code(st, 0, out[(*count)++], TZ_XS_CODE);
        if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
            err = tz_sq_map_rc(rc);
    }
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

static tz_err read_stat(sqlite3_stmt *st, void *elem)
{
    struct tz_xstat_rec *r = elem;
    r->inbound = (int)sqlite3_column_int64(st, 0);
    r->grounds = sqlite3_column_int64(st, 4);
    r->count = sqlite3_column_int64(st, 5);
    tz_err err = tz_sq_col_code(st, 1, r->partner, sizeof r->partner);
    if (!err)
        err = tz_sq_col_code(st, 2, r->type, sizeof r->type);
    return err ? err : tz_sq_col_code(st, 3, r->urgency, sizeof r->urgency);
}

struct stats_ctx {
    int64_t from, to;
    const char *node;
    struct tz_xstat_rec **out;
    size_t *count;
};

static tz_err stats_body(sqlite3 *db, void *ctx)
{
    struct stats_ctx *s = ctx;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_STATS, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, s->from);
    sqlite3_bind_int64(st, 2, s->to);
    sqlite3_bind_text(st, 3, s->node, -1, SQLITE_STATIC);
    err = tz_sq_read_rows(st, sizeof **s->out, read_stat, free_plain, (void **)s->out, s->count);
    sqlite3_finalize(st);
    return err;
}

tz_err tz_sq_x_stats(struct tz_store *store, int64_t from, int64_t to, const char *node,
                     const struct tz_audit_rec *audit, struct tz_xstat_rec **out, size_t *count)
{
    struct stats_ctx s = {.from = from, .to = to, .node = node, .out = out, .count = count};
    return tz_sq_in_write(store, stats_body, &s, audit);
}
