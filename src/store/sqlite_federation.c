/*
 * sqlite_federation.c - the SQLite backend's federation (migration 19): the node directory, the
 * outbox and the inbox record. Rows of the outbox and the inbox are written by the migration's
 * triggers in the transactions of the exchange's own writes; here they are read and settled.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

#define NODE_COLS                                                                                  \
    "id, name, country, endpoint, cert_sha256, sign_key, languages, msg_types, handling, added_at"
/* A partner's entry and its terms (migration 23; none yet: anything, no previous key). */
#define NODE_READ                                                                                  \
    "SELECT n.id, n.name, n.country, n.endpoint, n.cert_sha256, n.sign_key, n.languages,"          \
    " n.msg_types, n.handling, n.added_at, coalesce(t.accept_types, ''),"                          \
    " coalesce(t.accept_handling, ''), coalesce(t.accept_max_bytes, 0),"                           \
    " coalesce(t.prev_sign_key, ''), coalesce(t.prev_cert_sha256, ''), coalesce(t.prev_until, 0)"  \
    " FROM fed_nodes n LEFT JOIN fed_node_terms t ON t.node = n.id"
static const char SQL_NODE_PUT[] =
    "INSERT INTO fed_nodes (" NODE_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_NODE_SET[] =
    "UPDATE fed_nodes SET name = ?2, country = ?3, endpoint = ?4, cert_sha256 = ?5, sign_key = ?6,"
    " languages = ?7, msg_types = ?8, handling = ?9 WHERE id = ?1";
static const char SQL_TERMS_PUT[] =
    "INSERT OR REPLACE INTO fed_node_terms (node, accept_types, accept_handling,"
    " accept_max_bytes, prev_sign_key, prev_cert_sha256, prev_until) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_NODE_REMOVE[] = "DELETE FROM fed_nodes WHERE id = ?";
static const char SQL_NODE_GET[] = NODE_READ " WHERE n.id = ?";
static const char SQL_NODES[] = NODE_READ " ORDER BY n.id LIMIT 256";
static const char SQL_REVOKE[] =
    "INSERT INTO fed_revoked (what, node, reason, revoked_at) VALUES (?, ?, ?, ?)";
static const char SQL_REVOKED_GET[] =
    "SELECT what, node, reason, revoked_at FROM fed_revoked WHERE what = ?";
static const char SQL_REVOKED_LIST[] = "SELECT what, node, reason, revoked_at FROM fed_revoked"
                                       " ORDER BY revoked_at DESC, what LIMIT 1000";
static const char SQL_INBOX_GET[] =
    "SELECT ref, digest, their_case, message_id, case_id FROM fed_inbox WHERE ref = ?";
static const char SQL_CASE_FROM_INBOX[] =
    "SELECT their_case FROM fed_inbox WHERE sender = ?1 AND case_id = ?2 ORDER BY message_id"
    " LIMIT 1";
static const char SQL_CASE_FROM_OUTBOX[] =
    "SELECT their_case FROM fed_outbox WHERE node = ?1 AND case_id = ?2"
    " ORDER BY their_case = 0, id LIMIT 1";
#define OUT_COLS                                                                                   \
    "id, message_id, case_id, queued_at, node, state, attempts, next_at, done_at, last_error,"     \
    " their_message, their_case, (SELECT r.read_at FROM fed_read_receipts r"                       \
    " WHERE r.node = fed_outbox.node AND r.message_id = fed_outbox.message_id)"
static const char SQL_OUT_HEAD[] = "SELECT " OUT_COLS " FROM fed_outbox"
                                   " WHERE node = ? AND state = 'queued' ORDER BY id LIMIT 1";
/* The oldest queued row of each case (the index on node, state, id serves the inner query). */
static const char SQL_OUT_HEADS[] =
    "SELECT " OUT_COLS " FROM fed_outbox WHERE id IN (SELECT min(id) FROM fed_outbox"
    " WHERE node = ? AND state = 'queued' GROUP BY case_id) ORDER BY id LIMIT ?";
static const char SQL_OUT_CASE[] = "SELECT " OUT_COLS " FROM fed_outbox"
                                   " WHERE node = ?1 AND state = 'queued' AND case_id = ?3"
                                   " ORDER BY id LIMIT ?2";
static const char SQL_OUT_SETTLE[] =
    "UPDATE fed_outbox SET state = ?, next_at = ?, done_at = ?, last_error = ?,"
    " their_message = ?, their_case = ?, attempts = attempts + 1 WHERE id = ?";
static const char SQL_OUT_LIST[] =
    "SELECT " OUT_COLS " FROM fed_outbox WHERE node = ? ORDER BY id DESC LIMIT ?";
static const char SQL_QUEUES[] =
    "WITH n AS (SELECT id AS node FROM fed_nodes UNION SELECT DISTINCT node FROM fed_outbox)"
    " SELECT n.node,"
    " (SELECT count(*) FROM fed_outbox o WHERE o.node = n.node AND o.state = 'queued'),"
    " (SELECT min(queued_at) FROM fed_outbox o WHERE o.node = n.node AND o.state = 'queued'),"
    " (SELECT max(done_at) FROM fed_outbox o WHERE o.node = n.node AND o.state = 'delivered'),"
    " (SELECT count(*) FROM fed_outbox o WHERE o.node = n.node AND o.state = 'refused'),"
    " (SELECT attempts FROM fed_outbox o WHERE o.node = n.node AND o.state = 'queued'"
    "  ORDER BY id LIMIT 1),"
    " (SELECT last_error FROM fed_outbox o WHERE o.node = n.node AND o.state = 'queued'"
    "  ORDER BY id LIMIT 1)"
    " FROM n ORDER BY n.node LIMIT 256";

/* Appends audit (may be NULL) with object "fednode/ID" when it names none. */
static tz_err audit_node(sqlite3 *db, const struct tz_audit_rec *audit, const char *id)
{
    if (!audit)
        return TZ_OK;
    struct tz_audit_rec a = *audit;
    char object[64];
    snprintf(object, sizeof object, "fednode/%s", id);
    a.object = a.object ? a.object : object;
    return tz_sq_audit_append_in(db, &a, NULL);
}

/* The partner's terms (fed_node_terms), in the writer's transaction on c. */
static tz_err put_terms(struct tz_sq_conn *c, const struct tz_fed_node_rec *node)
{
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_TERMS_PUT, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, node->id);
    tz_sq_bind_text(&b, node->accept_types);
    tz_sq_bind_text(&b, node->accept_handling);
    tz_sq_bind_int64(&b, node->accept_max_bytes);
    tz_sq_bind_text(&b, node->prev_sign_key);
    tz_sq_bind_text(&b, node->prev_cert_sha256);
    tz_sq_bind_int64(&b, node->prev_until);
    err = tz_sq_map_rc(b.rc);
    if (!err)
        err = tz_sq_stmt_run(st);
    tz_sq_stmt_done(st);
    return err;
}

/* Writes the partner's entry with sql (an insert, or the update by id) and its terms. */
static tz_err write_node(struct tz_store *store, const char *sql,
                         const struct tz_fed_node_rec *node, const struct tz_audit_rec *audit)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    if ((err = tz_sq_stmt(c, sql, &st)))
        goto done;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, node->id);
    tz_sq_bind_text(&b, node->name);
    tz_sq_bind_text(&b, node->country);
    tz_sq_bind_text(&b, node->endpoint);
    tz_sq_bind_text(&b, node->cert_sha256);
    tz_sq_bind_text(&b, node->sign_key);
    tz_sq_bind_text(&b, node->languages);
    tz_sq_bind_text(&b, node->msg_types);
    tz_sq_bind_text(&b, node->handling);
    if (sql == SQL_NODE_PUT)
        tz_sq_bind_int64(&b, node->added_at);
    if ((err = tz_sq_map_rc(b.rc)) || (err = tz_sq_stmt_run(st)))
        goto done;
    if (sqlite3_changes(c->db) == 0)
        err = TZ_ENOTFOUND;
    if (!err)
        err = put_terms(c, node);
    if (!err)
        err = audit_node(c->db, audit, node->id);
done:
    return tz_sq_writer_end(store, st, err);
}

tz_err tz_sq_fed_node_put(struct tz_store *store, const struct tz_fed_node_rec *node,
                          const struct tz_audit_rec *audit)
{
    return write_node(store, SQL_NODE_PUT, node, audit);
}

tz_err tz_sq_fed_node_set(struct tz_store *store, const struct tz_fed_node_rec *node,
                          const struct tz_audit_rec *audit)
{
    return write_node(store, SQL_NODE_SET, node, audit);
}

tz_err tz_sq_fed_node_remove(struct tz_store *store, const char *id,
                             const struct tz_audit_rec *audit)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    if ((err = tz_sq_stmt(c, SQL_NODE_REMOVE, &st)))
        goto done;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, id);
    if ((err = tz_sq_map_rc(b.rc)) || (err = tz_sq_stmt_run(st)))
        goto done;
    if (sqlite3_changes(c->db) == 0)
        err = TZ_ENOTFOUND;
    else
        err = audit_node(c->db, audit, id);
done:
    return tz_sq_writer_end(store, st, err);
}

static tz_err read_node(sqlite3_stmt *st, void *elem)
{
    struct tz_fed_node_rec *n = elem;
    tz_err err = tz_sq_col_code(st, 0, n->id, sizeof n->id);
    if (!err)
        err = tz_sq_col_code(st, 1, n->name, sizeof n->name);
    if (!err)
        err = tz_sq_col_code(st, 2, n->country, sizeof n->country);
    if (!err)
        err = tz_sq_col_code(st, 3, n->endpoint, sizeof n->endpoint);
    if (!err)
        err = tz_sq_col_code(st, 4, n->cert_sha256, sizeof n->cert_sha256);
    if (!err)
        err = tz_sq_col_code(st, 5, n->sign_key, sizeof n->sign_key);
    if (!err)
        err = tz_sq_col_code(st, 6, n->languages, sizeof n->languages);
    if (!err)
        err = tz_sq_col_code(st, 7, n->msg_types, sizeof n->msg_types);
    if (!err)
        err = tz_sq_col_code(st, 8, n->handling, sizeof n->handling);
    n->added_at = sqlite3_column_int64(st, 9);
    if (!err)
        err = tz_sq_col_code(st, 10, n->accept_types, sizeof n->accept_types);
    if (!err)
        err = tz_sq_col_code(st, 11, n->accept_handling, sizeof n->accept_handling);
    n->accept_max_bytes = sqlite3_column_int64(st, 12);
    if (!err)
        err = tz_sq_col_code(st, 13, n->prev_sign_key, sizeof n->prev_sign_key);
    if (!err)
        err = tz_sq_col_code(st, 14, n->prev_cert_sha256, sizeof n->prev_cert_sha256);
    n->prev_until = sqlite3_column_int64(st, 15);
    return err;
}

static void free_plain(void *recs, size_t count)
{
    (void)count;
    free(recs);
}

/* Runs a cached query with one text parameter that answers at most one row, read by read. */
static tz_err read_one(struct tz_store *store, const char *sql, const char *key,
                       tz_sq_row_reader read, void *out)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, sql, &st);
    if (!err) {
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_text(&b, key);
        int rc = b.rc != SQLITE_OK ? b.rc : sqlite3_step(st);
        if (rc == SQLITE_ROW)
            err = read(st, out);
        else
            err = rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
    }
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

tz_err tz_sq_fed_node_get(struct tz_store *store, const char *id, struct tz_fed_node_rec *out)
{
    return read_one(store, SQL_NODE_GET, id, read_node, out);
}

tz_err tz_sq_fed_nodes(struct tz_store *store, struct tz_fed_node_rec **out, size_t *count)
{
    return tz_sq_read_all(store, SQL_NODES, 0, sizeof **out, read_node, free_plain, (void **)out,
                          count);
}

static tz_err read_inbox(sqlite3_stmt *st, void *elem)
{
    struct tz_fed_inbox_rec *r = elem;
    tz_err err = tz_sq_col_code(st, 0, r->ref, sizeof r->ref);
    if (!err)
        err = tz_sq_col_code(st, 1, r->digest, sizeof r->digest);
    r->their_case = sqlite3_column_int64(st, 2);
    r->message_id = sqlite3_column_int64(st, 3);
    r->case_id = sqlite3_column_int64(st, 4);
    return err;
}

tz_err tz_sq_fed_inbox_get(struct tz_store *store, const char *ref, struct tz_fed_inbox_rec *out)
{
    return read_one(store, SQL_INBOX_GET, ref, read_inbox, out);
}

/* Runs sql (?1 node, ?2 case) on c: *found and the first column of its one row. */
static tz_err peer_case(struct tz_sq_conn *c, const char *sql, const char *node, int64_t case_id,
                        int64_t *value, int *found)
{
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, sql, &st);
    if (!err) {
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_text(&b, node);
        tz_sq_bind_int64(&b, case_id);
        int rc = b.rc != SQLITE_OK ? b.rc : sqlite3_step(st);
        *found = rc == SQLITE_ROW;
        if (rc == SQLITE_ROW)
            *value = sqlite3_column_int64(st, 0);
        else if (rc != SQLITE_DONE)
            err = tz_sq_map_rc(rc);
    }
    tz_sq_stmt_done(st);
    return err;
}

tz_err tz_sq_fed_case_peer(struct tz_store *store, const char *node, int64_t case_id,
                           int64_t *their_case, int *known)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    int64_t v = 0;
    int found = 0;
    tz_err err = peer_case(c, SQL_CASE_FROM_INBOX, node, case_id, &v, &found);
    if (!err && found && v > 0) {
        *their_case = v;
        *known = 1;
    } else if (!err) {
        *known = found;
        err = peer_case(c, SQL_CASE_FROM_OUTBOX, node, case_id, &v, &found);
        if (!err && found) {
            *their_case = v;
            *known = 1;
        }
    }
    tz_sq_reader_release(store, c);
    return err;
}

static tz_err read_out(sqlite3_stmt *st, void *elem)
{
    struct tz_fed_out_rec *o = elem;
    o->id = sqlite3_column_int64(st, 0);
    o->message_id = sqlite3_column_int64(st, 1);
    o->case_id = sqlite3_column_int64(st, 2);
    o->queued_at = sqlite3_column_int64(st, 3);
    tz_err err = tz_sq_col_code(st, 4, o->node, sizeof o->node);
    if (!err)
        err = tz_sq_col_code(st, 5, o->state, sizeof o->state);
    o->attempts = sqlite3_column_int(st, 6);
    o->next_at = sqlite3_column_int64(st, 7);
    o->done_at = sqlite3_column_int64(st, 8);
    if (!err)
        err = tz_sq_col_code(st, 9, o->last_error, sizeof o->last_error);
    o->their_message = sqlite3_column_int64(st, 10);
    o->their_case = sqlite3_column_int64(st, 11);
    o->read_at = sqlite3_column_int64(st, 12);
    return err;
}

tz_err tz_sq_fed_out_head(struct tz_store *store, const char *node, struct tz_fed_out_rec *out)
{
    return read_one(store, SQL_OUT_HEAD, node, read_out, out);
}

struct settle_ctx {
    const struct tz_fed_settle *s;
};

static tz_err settle_body(sqlite3 *db, void *ctx)
{
    const struct tz_fed_settle *s = ((struct settle_ctx *)ctx)->s;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_OUT_SETTLE, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, s->state);
    tz_sq_bind_int64(&b, s->next_at);
    tz_sq_bind_int64(&b, s->done_at);
    tz_sq_bind_text(&b, s->error);
    tz_sq_bind_int64(&b, s->their_message);
    tz_sq_bind_int64(&b, s->their_case);
    tz_sq_bind_int64(&b, s->outbox_id);
    if (b.rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return tz_sq_map_rc(b.rc);
    }
    err = tz_sq_run_once(st);
    if (!err && sqlite3_changes(db) == 0)
        err = TZ_ENOTFOUND;
    return err;
}

/* Through the group commit (sqlite_group.c): the settles of messages in flight at once share
 * one transaction and its fsync. */
tz_err tz_sq_fed_out_settle(struct tz_store *store, const struct tz_fed_settle *s,
                            const struct tz_audit_rec *audit)
{
    struct settle_ctx ctx = {.s = s};
    char object[48];
    struct tz_audit_rec a;
    if (audit) {
        a = *audit;
        snprintf(object, sizeof object, "fedout/%lld", (long long)s->outbox_id);
        a.object = a.object ? a.object : object;
    }
    return tz_sq_in_write(store, settle_body, &ctx, audit ? &a : NULL);
}

static tz_err read_rows_of(struct tz_store *store, const char *sql, const char *node,
                           int64_t case_id, size_t limit, struct tz_fed_out_rec **out,
                           size_t *count)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, sql, &st);
    if (!err) {
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_text(&b, node);
        tz_sq_bind_int64(&b, (int64_t)limit);
        if (case_id > 0)
            tz_sq_bind_int64(&b, case_id);
        err = tz_sq_map_rc(b.rc);
    }
    if (!err)
        err = tz_sq_read_rows(st, sizeof **out, read_out, free_plain, (void **)out, count);
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

tz_err tz_sq_fed_out_heads(struct tz_store *store, const char *node, size_t limit,
                           struct tz_fed_out_rec **out, size_t *count)
{
    return read_rows_of(store, SQL_OUT_HEADS, node, 0, limit, out, count);
}

tz_err tz_sq_fed_out_list(struct tz_store *store, const char *node, size_t limit,
                          struct tz_fed_out_rec **out, size_t *count)
{
    return read_rows_of(store, SQL_OUT_LIST, node, 0, limit, out, count);
}

tz_err tz_sq_fed_out_case(struct tz_store *store, const char *node, int64_t case_id, size_t limit,
                          struct tz_fed_out_rec **out, size_t *count)
{
    return read_rows_of(store, SQL_OUT_CASE, node, case_id, limit, out, count);
}

static tz_err read_queue(sqlite3_stmt *st, void *elem)
{
    struct tz_fed_queue_rec *q = elem;
    tz_err err = tz_sq_col_code(st, 0, q->node, sizeof q->node);
    q->queued = sqlite3_column_int64(st, 1);
    q->oldest_queued_at = sqlite3_column_int64(st, 2);
    q->last_delivery = sqlite3_column_int64(st, 3);
    q->refused = sqlite3_column_int64(st, 4);
    q->attempts = sqlite3_column_int(st, 5);
    if (!err && sqlite3_column_type(st, 6) != SQLITE_NULL)
        err = tz_sq_col_code(st, 6, q->last_error, sizeof q->last_error);
    return err;
}

tz_err tz_sq_fed_queues(struct tz_store *store, struct tz_fed_queue_rec **out, size_t *count)
{
    return tz_sq_read_all(store, SQL_QUEUES, 0, sizeof **out, read_queue, free_plain, (void **)out,
                          count);
}

static const char SQL_LOCAL_CASE_INBOX[] =
    "SELECT case_id FROM fed_inbox WHERE sender = ?1 AND their_case = ?2 LIMIT 1";
static const char SQL_LOCAL_CASE_OUTBOX[] =
    "SELECT case_id FROM fed_outbox WHERE node = ?1 AND their_case = ?2 LIMIT 1";
static const char SQL_PEER_MSG_INBOX[] =
    "SELECT CAST(substr(ref, length(sender) + 2) AS INTEGER) FROM fed_inbox"
    " WHERE message_id = ?2 AND sender = ?1";
static const char SQL_PEER_MSG_OUTBOX[] =
    "SELECT their_message FROM fed_outbox WHERE node = ?1 AND message_id = ?2"
    " AND their_message > 0";

/* The first of two queries (?1 node, ?2 id) that answers a row: TZ_ENOTFOUND when neither. */
static tz_err first_of(struct tz_store *store, const char *a, const char *b, const char *node,
                       int64_t id, int64_t *out)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    int found = 0;
    tz_err err = peer_case(c, a, node, id, out, &found);
    if (!err && !found)
        err = peer_case(c, b, node, id, out, &found);
    tz_sq_reader_release(store, c);
    return err ? err : found ? TZ_OK : TZ_ENOTFOUND;
}

tz_err tz_sq_fed_local_case(struct tz_store *store, const char *node, int64_t their_case,
                            int64_t *case_id)
{
    return first_of(store, SQL_LOCAL_CASE_INBOX, SQL_LOCAL_CASE_OUTBOX, node, their_case, case_id);
}

tz_err tz_sq_fed_peer_message(struct tz_store *store, const char *node, int64_t message_id,
                              int64_t *their_message)
{
    return first_of(store, SQL_PEER_MSG_INBOX, SQL_PEER_MSG_OUTBOX, node, message_id,
                    their_message);
}

/* ---- the revocation list (migration 23) ---- */

tz_err tz_sq_fed_revoke(struct tz_store *store, const struct tz_fed_revoked_rec *rec,
                        const struct tz_audit_rec *audit)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    if ((err = tz_sq_stmt(c, SQL_REVOKE, &st)))
        goto done;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, rec->what);
    tz_sq_bind_text(&b, rec->node);
    tz_sq_bind_text(&b, rec->reason);
    tz_sq_bind_int64(&b, rec->revoked_at);
    if ((err = tz_sq_map_rc(b.rc)) || (err = tz_sq_stmt_run(st)))
        goto done;
    if (audit) {
        struct tz_audit_rec a = *audit;
        char object[TZ_FS_HEX + 32];
        snprintf(object, sizeof object, "fedrevoked/%s", rec->what);
        a.object = a.object ? a.object : object;
        err = tz_sq_audit_append_in(c->db, &a, NULL);
    }
done:
    return tz_sq_writer_end(store, st, err);
}

static tz_err read_revoked(sqlite3_stmt *st, void *elem)
{
    struct tz_fed_revoked_rec *r = elem;
    tz_err err = tz_sq_col_code(st, 0, r->what, sizeof r->what);
    if (!err)
        err = tz_sq_col_code(st, 1, r->node, sizeof r->node);
    if (!err)
        err = tz_sq_col_code(st, 2, r->reason, sizeof r->reason);
    r->revoked_at = sqlite3_column_int64(st, 3);
    return err;
}

tz_err tz_sq_fed_revoked_get(struct tz_store *store, const char *what,
                             struct tz_fed_revoked_rec *out)
{
    return read_one(store, SQL_REVOKED_GET, what, read_revoked, out);
}

tz_err tz_sq_fed_revoked_list(struct tz_store *store, struct tz_fed_revoked_rec **out,
                              size_t *count)
{
    return tz_sq_read_all(store, SQL_REVOKED_LIST, 0, sizeof **out, read_revoked, free_plain,
                          (void **)out, count);
}

/* ---- read receipts (migration 23) ---- */

static const char SQL_READS_DUE[] =
    "SELECT message_id, sender, their_message, read_at, attempts, next_at FROM fed_reads_out"
    " WHERE sender = ?1 AND state = 'queued' ORDER BY message_id LIMIT ?2";
static const char SQL_READ_SETTLE[] = "UPDATE fed_reads_out SET state = ?1, next_at = ?2,"
                                      " attempts = attempts + 1 WHERE message_id = ?3";
static const char SQL_READ_RECORD[] =
    "INSERT OR IGNORE INTO fed_read_receipts (node, message_id, read_at) SELECT ?1, ?2, ?3"
    " WHERE EXISTS (SELECT 1 FROM fed_outbox WHERE node = ?1 AND message_id = ?2)";
static const char SQL_READ_KNOWN[] =
    "SELECT count(*) FROM fed_outbox WHERE node = ?1 AND message_id = ?2";

static tz_err read_due(sqlite3_stmt *st, void *elem)
{
    struct tz_fed_read_rec *r = elem;
    r->message_id = sqlite3_column_int64(st, 0);
    tz_err err = tz_sq_col_code(st, 1, r->sender, sizeof r->sender);
    r->their_message = sqlite3_column_int64(st, 2);
    r->read_at = sqlite3_column_int64(st, 3);
    r->attempts = sqlite3_column_int(st, 4);
    r->next_at = sqlite3_column_int64(st, 5);
    return err;
}

tz_err tz_sq_fed_reads_due(struct tz_store *store, const char *node, size_t limit,
                           struct tz_fed_read_rec **out, size_t *count)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_READS_DUE, &st);
    if (!err) {
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_text(&b, node);
        tz_sq_bind_int64(&b, (int64_t)limit);
        err = tz_sq_map_rc(b.rc);
    }
    if (!err)
        err = tz_sq_read_rows(st, sizeof **out, read_due, free_plain, (void **)out, count);
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

tz_err tz_sq_fed_read_settle(struct tz_store *store, int64_t message_id, const char *state,
                             int64_t next_at, const struct tz_audit_rec *audit)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    if ((err = tz_sq_stmt(c, SQL_READ_SETTLE, &st)))
        goto done;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, state);
    tz_sq_bind_int64(&b, next_at);
    tz_sq_bind_int64(&b, message_id);
    if ((err = tz_sq_map_rc(b.rc)) || (err = tz_sq_stmt_run(st)))
        goto done;
    if (sqlite3_changes(c->db) == 0)
        err = TZ_ENOTFOUND;
    else if (audit)
        err = tz_sq_audit_append_in(c->db, audit, NULL);
done:
    return tz_sq_writer_end(store, st, err);
}

tz_err tz_sq_fed_read_record(struct tz_store *store, const char *node, int64_t message_id,
                             int64_t read_at, const struct tz_audit_rec *audit)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    int found = 0;
    int64_t n = 0;
    if ((err = peer_case(c, SQL_READ_KNOWN, node, message_id, &n, &found)))
        goto done;
    if (n == 0) {
        err = TZ_ENOTFOUND;
        goto done;
    }
    if ((err = tz_sq_stmt(c, SQL_READ_RECORD, &st)))
        goto done;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, node);
    tz_sq_bind_int64(&b, message_id);
    tz_sq_bind_int64(&b, read_at);
    if ((err = tz_sq_map_rc(b.rc)) || (err = tz_sq_stmt_run(st)))
        goto done;
    if (audit)
        err = tz_sq_audit_append_in(c->db, audit, NULL);
done:
    return tz_sq_writer_end(store, st, err);
}
