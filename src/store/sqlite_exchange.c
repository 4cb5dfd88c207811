/*
 * sqlite_exchange.c - the SQLite backend's structured exchange (migration 9):
 * a message written whole (case, message, addressees, entities, fields, keys,
 * links, the answered request's clock) in one write transaction with its
 * audit entry, and every read of a message, a case or a box inside a write
 * transaction too, so that its audit entry commits with it (Directive
 * 2016/680 Art. 25: no read of police data without its record).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_exchange.h"

static const char SQL_CASE_EXISTS[] = "SELECT 1 FROM x_cases WHERE id = ?";
static const char SQL_MSG_CASE[] = "SELECT case_id FROM x_messages WHERE id = ?";
static const char SQL_PUT_CASE[] =
    "INSERT INTO x_cases (subject, crime_area, node, unit, created_at) VALUES (?, ?, ?, ?, ?)";
static const char SQL_PUT_MSG[] =
    "INSERT INTO x_messages (case_id, in_reply_to, inbound, at, type, from_node, from_unit,"
    " officer, lang, handling, restriction, source, info, urgency, art4_exception, art4_reasons,"
    " grounds, reasons, notice_type, body, state, due_at, paused_since, paused_total)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_PUT_ADDR[] =
    "INSERT INTO x_addressees (message_id, idx, node, unit, cc, inbound, state, due_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_PUT_ENTITY[] =
    "INSERT INTO x_entities (message_id, idx, ref, kind) VALUES (?, ?, ?, ?)";
static const char SQL_PUT_FIELD[] =
    "INSERT INTO x_entity_fields (entity_id, name, idx, value) VALUES (?, ?, ?, ?)";
static const char SQL_PUT_KEY[] = "INSERT OR IGNORE INTO x_entity_keys (key, entity_id) VALUES (?, ?)";
static const char SQL_PUT_LINK[] =
    "INSERT INTO x_links (message_id, idx, from_ref, to_ref, role) VALUES (?, ?, ?, ?, ?)";
/* A compare-and-set: only while the clock is as the writer read it (two answers: one wins). */
static const char SQL_SET_STATE[] =
    "UPDATE x_messages SET state = ?, due_at = ?, paused_since = ?, paused_total = ? WHERE id = ?"
    " AND state = ? AND paused_since = ? AND paused_total = ?";
static const char SQL_SET_ADDR_STATE[] =
    "UPDATE x_addressees SET state = ?, due_at = ? WHERE message_id = ?";

/* Steps a statement prepared here to its end and finalizes it. */
static tz_err run(sqlite3_stmt *st, struct tz_sq_binder *b)
{
    if (b->rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return tz_sq_map_rc(b->rc);
    }
    return tz_sq_run_once(st);
}

/* Whether the row `sql` (bound to id) exists; its first column into *value when asked. */
static tz_err lookup(sqlite3 *db, const char *sql, int64_t id, int64_t *value)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, sql, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && value)
        *value = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? TZ_OK : rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
}

struct put_ctx {
    const struct tz_xmsg_rec *m;
    const struct tz_xstate_change *change;
    const struct tz_xdeviation_rec *deviation;
    const struct tz_xevent_rec *event; /* exchange_events.h; may be NULL */
    const struct tz_xnfip_rec *nfip;
    int64_t id, case_id;
    char object[48];
};

static tz_err put_case(sqlite3 *db, struct put_ctx *x, int64_t now)
{
    if (x->m->case_id) {
        tz_err err = lookup(db, SQL_CASE_EXISTS, x->case_id = x->m->case_id, NULL);
        return err ? err : tz_sq_x_case_open(db, x->case_id);
    }
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_PUT_CASE, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, x->m->subject);
    tz_sq_bind_text(&b, x->m->crime_area);
    tz_sq_bind_text(&b, x->m->from_node);
    tz_sq_bind_text(&b, x->m->from_unit);
    tz_sq_bind_int64(&b, now);
    if ((err = run(st, &b)))
        return err;
    x->case_id = sqlite3_last_insert_rowid(db);
    return TZ_OK;
}

static tz_err put_row(sqlite3 *db, struct put_ctx *x)
{
    const struct tz_xmsg_rec *m = x->m;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_PUT_MSG, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, x->case_id);
    tz_sq_bind_time(&b, m->in_reply_to); /* 0 as NULL */
    tz_sq_bind_int64(&b, m->inbound);
    tz_sq_bind_int64(&b, m->at);
    const char *texts[] = {m->type,     m->from_node,   m->from_unit, m->officer,
                           m->lang,     m->handling,    m->restriction, m->source,
                           m->info,     m->urgency,     m->art4_exception, m->art4_reasons};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        tz_sq_bind_text(&b, texts[i]);
    tz_sq_bind_int64(&b, m->grounds);
    tz_sq_bind_text(&b, m->reasons);
    tz_sq_bind_text(&b, m->notice_type);
    tz_sq_bind_text(&b, m->text);
    tz_sq_bind_text(&b, m->clock.state[0] ? m->clock.state : "none");
    tz_sq_bind_int64(&b, m->clock.due_at);
    tz_sq_bind_int64(&b, m->clock.paused_since);
    tz_sq_bind_int64(&b, m->clock.paused_total);
    if ((err = run(st, &b)))
        return err;
    x->id = sqlite3_last_insert_rowid(db);
    return TZ_OK;
}

static tz_err put_addressees(sqlite3 *db, struct put_ctx *x)
{
    const struct tz_xmsg_rec *m = x->m;
    tz_err err = TZ_OK;
    for (size_t i = 0; !err && i < m->addressee_count; i++) {
        sqlite3_stmt *st;
        if ((err = tz_sq_prep(db, SQL_PUT_ADDR, &st)))
            break;
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_int64(&b, x->id);
        tz_sq_bind_int64(&b, (int64_t)i);
        tz_sq_bind_text(&b, m->addressees[i].node);
        tz_sq_bind_text(&b, m->addressees[i].unit);
        tz_sq_bind_int64(&b, m->addressees[i].cc ? 1 : 0);
        tz_sq_bind_int64(&b, m->inbound);
        tz_sq_bind_text(&b, m->clock.state[0] ? m->clock.state : "none");
        tz_sq_bind_int64(&b, m->clock.due_at);
        err = run(st, &b);
    }
    return err;
}

static tz_err put_entity(sqlite3 *db, int64_t message_id, size_t idx,
                         const struct tz_xentity_rec *e)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_PUT_ENTITY, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, message_id);
    tz_sq_bind_int64(&b, (int64_t)idx);
    tz_sq_bind_text(&b, e->ref);
    tz_sq_bind_text(&b, e->kind);
    if ((err = run(st, &b)))
        return err;
    int64_t id = sqlite3_last_insert_rowid(db);
    for (size_t i = 0; !err && i < e->field_count; i++) {
        if ((err = tz_sq_prep(db, SQL_PUT_FIELD, &st)))
            break;
        b = tz_sq_binder_of(st);
        tz_sq_bind_int64(&b, id);
        tz_sq_bind_text(&b, e->fields[i].name);
        tz_sq_bind_int64(&b, e->fields[i].idx);
        tz_sq_bind_text(&b, e->fields[i].value);
        err = run(st, &b);
    }
    for (size_t i = 0; !err && i < e->key_count && i < 4; i++) {
        if ((err = tz_sq_prep(db, SQL_PUT_KEY, &st)))
            break;
        b = tz_sq_binder_of(st);
        tz_sq_bind_text(&b, e->keys[i]);
        tz_sq_bind_int64(&b, id);
        err = run(st, &b);
    }
    return err;
}

static tz_err put_links(sqlite3 *db, struct put_ctx *x)
{
    tz_err err = TZ_OK;
    for (size_t i = 0; !err && i < x->m->link_count; i++) {
        sqlite3_stmt *st;
        if ((err = tz_sq_prep(db, SQL_PUT_LINK, &st)))
            break;
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_int64(&b, x->id);
        tz_sq_bind_int64(&b, (int64_t)i);
        tz_sq_bind_text(&b, x->m->links[i].from);
        tz_sq_bind_text(&b, x->m->links[i].to);
        tz_sq_bind_text(&b, x->m->links[i].role);
        err = run(st, &b);
    }
    return err;
}

static tz_err set_state(sqlite3 *db, const struct tz_xstate_change *c)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_SET_STATE, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, c->clock.state);
    tz_sq_bind_int64(&b, c->clock.due_at);
    tz_sq_bind_int64(&b, c->clock.paused_since);
    tz_sq_bind_int64(&b, c->clock.paused_total);
    tz_sq_bind_int64(&b, c->message_id);
    tz_sq_bind_text(&b, c->was.state);
    tz_sq_bind_int64(&b, c->was.paused_since);
    tz_sq_bind_int64(&b, c->was.paused_total);
    if ((err = run(st, &b)))
        return err;
    if (sqlite3_changes(db) == 0) /* gone, or moved by another writer since it was read */
        return lookup(db, "SELECT id FROM x_messages WHERE id = ?", c->message_id, NULL)
                   ? TZ_ENOTFOUND
                   : TZ_ECONFLICT;
    if ((err = tz_sq_prep(db, SQL_SET_ADDR_STATE, &st)))
        return err;
    b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, c->clock.state);
    tz_sq_bind_int64(&b, c->clock.due_at);
    tz_sq_bind_int64(&b, c->message_id);
    return run(st, &b);
}

static const char SQL_NOTICE_FIRST[] =
    "INSERT INTO x_notices (message_id, state, changed_at) VALUES (?, ?, ?)";

static tz_err put_notice(sqlite3 *db, int64_t id, const char *state, int64_t at)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_NOTICE_FIRST, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, id);
    tz_sq_bind_text(&b, state);
    tz_sq_bind_int64(&b, at);
    return run(st, &b);
}

static tz_err put_body(sqlite3 *db, void *ctx)
{
    struct put_ctx *x = ctx;
    tz_err err = TZ_OK;
    if (x->m->in_reply_to)
        err = lookup(db, SQL_MSG_CASE, x->m->in_reply_to, NULL);
    if (!err)
        err = put_case(db, x, x->m->at);
    if (!err)
        err = put_row(db, x);
    if (!err)
        err = put_addressees(db, x);
    for (size_t i = 0; !err && i < x->m->entity_count; i++)
        err = put_entity(db, x->id, i, &x->m->entities[i]);
    if (!err)
        err = put_links(db, x);
    if (!err)
        err = tz_sq_x_put_extras(db, x->id, x->m, x->deviation);
    if (!err && x->change)
        err = set_state(db, x->change);
    if (!err && x->m->notice_state[0])
        err = put_notice(db, x->id, x->m->notice_state, x->m->at);
    if (!err && x->event)
        err = tz_sq_x_put_event(db, x->id, x->case_id, x->event);
    if (!err && x->nfip)
        err = tz_sq_x_put_nfip(db, x->id, x->nfip);
    snprintf(x->object, sizeof x->object, "xmsg/%lld", (long long)x->id);
    return err;
}

struct batch_ctx {
    struct tz_xput *items;
    size_t n;
};

/* Each message in a savepoint: a refused one rolls back to it and the rest go on. */
static tz_err batch_body(sqlite3 *db, void *ctx)
{
    struct batch_ctx *b = ctx;
    for (size_t i = 0; i < b->n; i++) {
        struct tz_xput *it = &b->items[i];
        tz_err err = tz_sq_map_rc(sqlite3_exec(db, "SAVEPOINT x_put", NULL, NULL, NULL));
        if (err)
            return err;
        struct put_ctx x = {.m = it->msg,
                            .change = it->change,
                            .deviation = it->deviation,
                            .event = it->event,
                            .nfip = it->nfip};
        err = put_body(db, &x);
        if (!err && it->audit) {
            struct tz_audit_rec a = *it->audit;
            a.object = a.object ? a.object : x.object;
            err = tz_sq_audit_append_in(db, &a, NULL);
        }
        it->err = err;
        it->id = err ? 0 : x.id;
        it->case_id = err ? 0 : x.case_id;
        const char *end = err ? "ROLLBACK TO x_put; RELEASE x_put" : "RELEASE x_put";
        if ((err = tz_sq_map_rc(sqlite3_exec(db, end, NULL, NULL, NULL))))
            return err;
    }
    return TZ_OK;
}

tz_err tz_sq_x_put_messages(struct tz_store *store, struct tz_xput *items, size_t n)
{
    struct batch_ctx b = {.items = items, .n = n};
    tz_err err = tz_sq_in_write(store, batch_body, &b, NULL);
    for (size_t i = 0; err && i < n; i++) {
        items[i].err = err;
        items[i].id = items[i].case_id = 0;
    }
    return err;
}

/* ---- reads ---- */

#define MSG_COLS TZ_SQ_XMSG_COLS
static const char SQL_GET_MSG[] =
    "SELECT " MSG_COLS ", c.crime_area, m.officer, m.restriction, m.source, m.info,"
    " m.art4_exception, m.art4_reasons, m.grounds, m.reasons, m.notice_type, m.body,"
    " (SELECT d.delay_s FROM x_deviations d WHERE d.message_id = m.id)"
    " FROM x_messages m JOIN x_cases c ON c.id = m.case_id WHERE m.id = ?";
static const char SQL_GET_ADDR[] =
    "SELECT node, unit, cc FROM x_addressees WHERE message_id = ? ORDER BY idx";
static const char SQL_GET_ENTITIES[] =
    "SELECT id, ref, kind FROM x_entities WHERE message_id = ? ORDER BY idx";
static const char SQL_GET_FIELDS[] =
    "SELECT name, idx, value FROM x_entity_fields WHERE entity_id = ? ORDER BY name, idx";
static const char SQL_GET_LINKS[] =
    "SELECT from_ref, to_ref, role FROM x_links WHERE message_id = ? ORDER BY idx";
static const char SQL_CASE_MSGS[] =
    "SELECT " MSG_COLS " FROM x_messages m JOIN x_cases c ON c.id = m.case_id"
    " WHERE m.case_id = ? ORDER BY m.id LIMIT 1000"; /* TZ_XS_CASE */
/*
 * A box: the clocks that run or stand first (by due instant), then the rest, newest first. Each
 * part is index ranges cut at the page, so a unit with millions of messages costs a page. The
 * running clocks are two ranges of x_addressees_inbox (state 'open', state 'paused'), each in
 * due order and covering (no row read), merged and cut at the page before any message is read:
 * with `state IN (...)` SQLite read every running clock of the unit and its message, then
 * sorted (a temporary B-tree; at 10 M messages thousands of rows a read, the inbox's tail).
 */
#define BOX_JOIN " JOIN x_messages m ON m.id = a.message_id JOIN x_cases c ON c.id = m.case_id"
#define BOX_RUNNING(state)                                                                         \
    "SELECT * FROM (SELECT message_id, due_at FROM x_addressees WHERE unit = ?1 AND inbound = 1"  \
    " AND state = '" state "' ORDER BY due_at, message_id LIMIT ?2)"
#define OUT_RUNNING(state)                                                                         \
    "SELECT * FROM (SELECT id AS message_id, due_at FROM x_messages WHERE from_unit = ?1"         \
    " AND inbound = 0 AND state = '" state "' ORDER BY due_at, id LIMIT ?2)"
static const char SQL_INBOX[] =
    "SELECT * FROM (SELECT " MSG_COLS " FROM (" BOX_RUNNING("open") " UNION ALL "
    BOX_RUNNING("paused") " ORDER BY due_at, message_id LIMIT ?2) r"
    " JOIN x_messages m ON m.id = r.message_id JOIN x_cases c ON c.id = m.case_id"
    " ORDER BY r.due_at, r.message_id)"
    " UNION ALL SELECT * FROM (SELECT " MSG_COLS " FROM x_addressees a" BOX_JOIN
    " WHERE a.unit = ?1 AND a.inbound = 1 AND a.state NOT IN ('open', 'paused')"
    " ORDER BY a.message_id DESC LIMIT ?2) LIMIT ?2";
static const char SQL_OUTBOX[] =
    "SELECT * FROM (SELECT " MSG_COLS " FROM (" OUT_RUNNING("open") " UNION ALL "
    OUT_RUNNING("paused") " ORDER BY due_at, message_id LIMIT ?2) r"
    " JOIN x_messages m ON m.id = r.message_id JOIN x_cases c ON c.id = m.case_id"
    " ORDER BY r.due_at, r.message_id)"
    " UNION ALL SELECT * FROM (SELECT " MSG_COLS " FROM x_messages m"
    " JOIN x_cases c ON c.id = m.case_id WHERE m.from_unit = ?1 AND m.inbound = 0"
    " AND m.state NOT IN ('open', 'paused') ORDER BY m.id DESC LIMIT ?2) LIMIT ?2";
static const char SQL_CROSS[] =
    "SELECT k.key, e.id, e.message_id, m.case_id FROM x_entity_keys k"
    " JOIN x_entities e ON e.id = k.entity_id JOIN x_messages m ON m.id = e.message_id"
    " WHERE k.key = ? ORDER BY e.id LIMIT 200";

const char *tz_sq_x_inbox_sql(void)
{
    return SQL_INBOX;
}

tz_err tz_sq_x_read_head(sqlite3_stmt *st, void *elem)
{
    struct tz_xhead_rec *h = elem;
    h->id = sqlite3_column_int64(st, 0);
    h->case_id = sqlite3_column_int64(st, 1);
    h->in_reply_to = sqlite3_column_int64(st, 2);
    h->inbound = (int)sqlite3_column_int64(st, 3);
    h->at = sqlite3_column_int64(st, 4);
    h->clock.due_at = sqlite3_column_int64(st, 13);
    h->clock.paused_since = sqlite3_column_int64(st, 14);
    h->clock.paused_total = sqlite3_column_int64(st, 15);
    tz_err err;
    if ((err = tz_sq_col_code(st, 5, h->type, sizeof h->type)) ||
        (err = tz_sq_col_code(st, 6, h->from_node, sizeof h->from_node)) ||
        (err = tz_sq_col_code(st, 7, h->from_unit, sizeof h->from_unit)) ||
        (err = tz_sq_col_code(st, 8, h->handling, sizeof h->handling)) ||
        (err = tz_sq_col_code(st, 9, h->urgency, sizeof h->urgency)) ||
        (err = tz_sq_col_code(st, 10, h->subject, sizeof h->subject)) ||
        (err = tz_sq_col_code(st, 11, h->lang, sizeof h->lang)))
        return err;
    return tz_sq_col_code(st, 12, h->clock.state, sizeof h->clock.state);
}

static void free_plain(void *recs, size_t count)
{
    free(recs);
}

/* The message's own row into out. */
static tz_err read_msg_row(sqlite3 *db, int64_t id, struct tz_xmsg_rec *m)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_GET_MSG, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
    }
    struct tz_xhead_rec h = {0};
    if (!(err = tz_sq_x_read_head(st, &h))) {
        m->id = h.id, m->case_id = h.case_id, m->in_reply_to = h.in_reply_to;
        m->inbound = h.inbound, m->at = h.at, m->clock = h.clock;
        memcpy(m->type, h.type, sizeof m->type);
        memcpy(m->from_node, h.from_node, sizeof m->from_node);
        memcpy(m->from_unit, h.from_unit, sizeof m->from_unit);
        memcpy(m->handling, h.handling, sizeof m->handling);
        memcpy(m->urgency, h.urgency, sizeof m->urgency);
        memcpy(m->subject, h.subject, sizeof m->subject);
        memcpy(m->lang, h.lang, sizeof m->lang);
        m->grounds = sqlite3_column_int64(st, 23);
        m->delay_s = sqlite3_column_int64(st, 27);
    }
    if (err || (err = tz_sq_col_code(st, 16, m->crime_area, sizeof m->crime_area)) ||
        (err = tz_sq_col_code(st, 17, m->officer, sizeof m->officer)) ||
        (err = tz_sq_col_code(st, 18, m->restriction, sizeof m->restriction)) ||
        (err = tz_sq_col_code(st, 19, m->source, sizeof m->source)) ||
        (err = tz_sq_col_code(st, 20, m->info, sizeof m->info)) ||
        (err = tz_sq_col_code(st, 21, m->art4_exception, sizeof m->art4_exception)) ||
        (err = tz_sq_col_code(st, 22, m->art4_reasons, sizeof m->art4_reasons)) ||
        (err = tz_sq_col_code(st, 24, m->reasons, sizeof m->reasons)) ||
        (err = tz_sq_col_code(st, 25, m->notice_type, sizeof m->notice_type)))
        goto done;
    err = tz_sq_col_strdup(st, 26, &m->text);
done:
    sqlite3_finalize(st);
    return err;
}

static tz_err read_addr(sqlite3_stmt *st, void *elem)
{
    struct tz_xaddr_rec *a = elem;
    a->cc = (int)sqlite3_column_int64(st, 2);
    tz_err err = tz_sq_col_code(st, 0, a->node, sizeof a->node);
    return err ? err : tz_sq_col_code(st, 1, a->unit, sizeof a->unit);
}

static tz_err read_field(sqlite3_stmt *st, void *elem)
{
    struct tz_xfield_rec *f = elem;
    f->idx = (int)sqlite3_column_int64(st, 1);
    tz_err err = tz_sq_col_code(st, 0, f->name, sizeof f->name);
    return err ? err : tz_sq_col_code(st, 2, f->value, sizeof f->value);
}

static tz_err read_entity_head(sqlite3_stmt *st, void *elem)
{
    struct tz_xentity_rec *e = elem;
    e->id = sqlite3_column_int64(st, 0);
    tz_err err = tz_sq_col_code(st, 1, e->ref, sizeof e->ref);
    return err ? err : tz_sq_col_code(st, 2, e->kind, sizeof e->kind);
}

static void free_entities(void *recs, size_t count)
{
    struct tz_xentity_rec *e = recs;
    for (size_t i = 0; e && i < count; i++)
        free(e[i].fields);
    free(recs);
}

static tz_err read_link(sqlite3_stmt *st, void *elem)
{
    struct tz_xlink_rec *l = elem;
    tz_err err = tz_sq_col_code(st, 0, l->from, sizeof l->from);
    if (!err)
        err = tz_sq_col_code(st, 1, l->to, sizeof l->to);
    return err ? err : tz_sq_col_code(st, 2, l->role, sizeof l->role);
}

/* Every row of sql bound to id, through read. */
static tz_err rows(sqlite3 *db, const char *sql, int64_t id, size_t size, tz_sq_row_reader read,
                   tz_sq_rows_free release, void **out, size_t *count)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, sql, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, id);
    err = tz_sq_read_rows(st, size, read, release, out, count);
    sqlite3_finalize(st);
    return err;
}

struct get_ctx {
    int64_t id;
    struct tz_xmsg_rec *out;
};

static tz_err get_body(sqlite3 *db, void *ctx)
{
    struct get_ctx *g = ctx;
    struct tz_xmsg_rec *m = g->out;
    tz_err err = read_msg_row(db, g->id, m);
    if (!err)
        err = rows(db, SQL_GET_ADDR, g->id, sizeof *m->addressees, read_addr, free_plain,
                   (void **)&m->addressees, &m->addressee_count);
    if (!err)
        err = rows(db, SQL_GET_ENTITIES, g->id, sizeof *m->entities, read_entity_head,
                   free_entities, (void **)&m->entities, &m->entity_count);
    for (size_t i = 0; !err && i < m->entity_count; i++)
        err = rows(db, SQL_GET_FIELDS, m->entities[i].id, sizeof(struct tz_xfield_rec),
                   read_field, free_plain, (void **)&m->entities[i].fields,
                   &m->entities[i].field_count);
    if (!err)
        err = rows(db, SQL_GET_LINKS, g->id, sizeof *m->links, read_link, free_plain,
                   (void **)&m->links, &m->link_count);
    if (!err)
        err = tz_sq_x_get_extras(db, g->id, m);
    return err;
}

tz_err tz_sq_x_get_message(struct tz_store *store, int64_t id, const struct tz_audit_rec *audit,
                           struct tz_xmsg_rec *out)
{
    memset(out, 0, sizeof *out);
    struct get_ctx g = {.id = id, .out = out};
    char object[48];
    snprintf(object, sizeof object, "xmsg/%lld", (long long)id);
    struct tz_audit_rec a;
    if (audit) {
        a = *audit;
        a.object = a.object ? a.object : object;
    }
    tz_err err = tz_sq_in_write(store, get_body, &g, audit ? &a : NULL);
    if (err)
        tz_store_xmsg_free(out);
    return err;
}

struct list_ctx {
    const char *sql;
    int64_t id;        /* a case */
    const char *unit;  /* a box */
    size_t limit;
    struct tz_xhead_rec **out;
    size_t *count;
};

static tz_err list_body(sqlite3 *db, void *ctx)
{
    struct list_ctx *l = ctx;
    sqlite3_stmt *st;
    tz_err err = TZ_OK;
    if (!l->unit && (err = lookup(db, SQL_CASE_EXISTS, l->id, NULL)))
        return err;
    if ((err = tz_sq_prep(db, l->sql, &st)))
        return err;
    if (l->unit) {
        sqlite3_bind_text(st, 1, l->unit, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (int64_t)l->limit);
    } else {
        sqlite3_bind_int64(st, 1, l->id);
    }
    err = tz_sq_read_rows(st, sizeof **l->out, tz_sq_x_read_head, free_plain, (void **)l->out, l->count);
    sqlite3_finalize(st);
    return err;
}

tz_err tz_sq_x_case_messages(struct tz_store *store, int64_t case_id,
                             const struct tz_audit_rec *audit, struct tz_xhead_rec **out,
                             size_t *count)
{
    struct list_ctx l = {.sql = SQL_CASE_MSGS, .id = case_id, .out = out, .count = count};
    return tz_sq_in_write(store, list_body, &l, audit);
}

tz_err tz_sq_x_box(struct tz_store *store, const char *unit, int inbox, size_t limit,
                   const struct tz_audit_rec *audit, struct tz_xhead_rec **out, size_t *count)
{
    struct list_ctx l = {.sql = inbox ? SQL_INBOX : SQL_OUTBOX,
                         .unit = unit,
                         .limit = limit ? limit : TZ_XS_PAGE,
                         .out = out,
                         .count = count};
    return tz_sq_in_write(store, list_body, &l, audit);
}

static tz_err read_hit(sqlite3_stmt *st, void *elem)
{
    struct tz_xhit_rec *h = elem;
    h->entity_id = sqlite3_column_int64(st, 1);
    h->message_id = sqlite3_column_int64(st, 2);
    h->case_id = sqlite3_column_int64(st, 3);
    return tz_sq_col_code(st, 0, h->key, sizeof h->key);
}

tz_err tz_sq_x_cross_check(struct tz_store *store, const char *const *keys, size_t n,
                           struct tz_xhit_rec **out, size_t *count)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    tz_err err = TZ_OK;
    for (size_t i = 0; !err && i < n && *count < TZ_XS_PAGE; i++) {
        sqlite3_stmt *st = NULL;
        struct tz_xhit_rec *found = NULL;
        size_t found_n = 0;
        if ((err = tz_sq_stmt(c, SQL_CROSS, &st)))
            break;
        sqlite3_bind_text(st, 1, keys[i], -1, SQLITE_STATIC);
        err = tz_sq_read_rows(st, sizeof *found, read_hit, free_plain, (void **)&found, &found_n);
        tz_sq_stmt_done(st);
        if (!err && found_n) {
            size_t keep = found_n < TZ_XS_PAGE - *count ? found_n : TZ_XS_PAGE - *count;
            struct tz_xhit_rec *grown = realloc(*out, (*count + keep) * sizeof *grown);
            if (!grown) {
                err = TZ_ENOMEM;
            } else {
                memcpy(grown + *count, found, keep * sizeof *found);
                *out = grown;
                *count += keep;
            }
        }
        free(found);
    }
    tz_sq_reader_release(store, c);
    if (err) {
        free(*out);
        *out = NULL;
        *count = 0;
    }
    return err;
}

/* ---- notices ---- */

static const char SQL_NOTICE_NEW[] =
    "INSERT INTO x_notices (message_id, state, changed_at, reviewed_by, step_note)"
    " VALUES (?, ?, ?, ?, ?)";
static const char SQL_NOTICE_STEP[] =
    "UPDATE x_notices SET state = ?, changed_at = ?,"
    " reviewed_by = CASE WHEN ? <> '' THEN ? ELSE reviewed_by END,"
    " step_note = CASE WHEN ? <> '' THEN ? ELSE step_note END"
    " WHERE message_id = ? AND state = ?";
static const char SQL_NOTICE_STATE[] = "SELECT state FROM x_notices WHERE message_id = ?";
static const char SQL_PUBLISHED[] =
    "SELECT e.id, e.ref, e.kind, n.message_id, m.notice_type FROM x_notices n"
    " JOIN x_messages m ON m.id = n.message_id JOIN x_entities e ON e.message_id = n.message_id"
    " WHERE n.state = 'published' AND e.kind IN ('person', 'document', 'vehicle') AND e.id > ?"
    " ORDER BY e.id LIMIT ?";

struct step_ctx {
    const struct tz_xnotice_step *s;
    char object[48];
};

static tz_err step_body(sqlite3 *db, void *ctx)
{
    struct step_ctx *x = ctx;
    const struct tz_xnotice_step *s = x->s;
    sqlite3_stmt *st;
    tz_err err = lookup(db, "SELECT id FROM x_messages WHERE id = ?", s->message_id, NULL);
    if (err)
        return err;
    bool fresh = !s->from[0];
    if ((err = tz_sq_prep(db, fresh ? SQL_NOTICE_NEW : SQL_NOTICE_STEP, &st)))
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    if (fresh) {
        tz_sq_bind_int64(&b, s->message_id);
        tz_sq_bind_text(&b, s->to);
        tz_sq_bind_int64(&b, s->at);
        tz_sq_bind_text(&b, s->reviewed_by);
        tz_sq_bind_text(&b, s->step_note);
    } else {
        tz_sq_bind_text(&b, s->to);
        tz_sq_bind_int64(&b, s->at);
        tz_sq_bind_text(&b, s->reviewed_by);
        tz_sq_bind_text(&b, s->reviewed_by);
        tz_sq_bind_text(&b, s->step_note);
        tz_sq_bind_text(&b, s->step_note);
        tz_sq_bind_int64(&b, s->message_id);
        tz_sq_bind_text(&b, s->from);
    }
    if ((err = run(st, &b)))
        return err;
    return sqlite3_changes(db) == 1 ? TZ_OK : TZ_ECONFLICT;
}

tz_err tz_sq_x_notice_step(struct tz_store *store, const struct tz_xnotice_step *step,
                           const struct tz_audit_rec *audit)
{
    struct step_ctx x = {.s = step};
    snprintf(x.object, sizeof x.object, "xnotice/%lld", (long long)step->message_id);
    struct tz_audit_rec a;
    if (audit) {
        a = *audit;
        a.object = a.object ? a.object : x.object;
    }
    return tz_sq_in_write(store, step_body, &x, audit ? &a : NULL);
}

tz_err tz_sq_x_notice_state(struct tz_store *store, int64_t message_id, char *out)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_NOTICE_STATE, &st);
    if (!err) {
        sqlite3_bind_int64(st, 1, message_id);
        int rc = sqlite3_step(st);
        err = rc == SQLITE_ROW    ? tz_sq_col_code(st, 0, out, TZ_XS_CODE)
              : rc == SQLITE_DONE ? TZ_ENOTFOUND
                                  : tz_sq_map_rc(rc);
    }
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

static tz_err read_published(sqlite3_stmt *st, void *elem)
{
    struct tz_xnotice_entity_rec *r = elem;
    r->entity.id = sqlite3_column_int64(st, 0);
    r->message_id = sqlite3_column_int64(st, 3);
    tz_err err = tz_sq_col_code(st, 1, r->entity.ref, sizeof r->entity.ref);
    if (!err)
        err = tz_sq_col_code(st, 2, r->entity.kind, sizeof r->entity.kind);
    return err ? err : tz_sq_col_code(st, 4, r->notice_type, sizeof r->notice_type);
}

static void free_published(void *recs, size_t count)
{
    tz_store_xnotice_entities_free(recs, count);
}

tz_err tz_sq_x_published_entities(struct tz_store *store, int64_t after, size_t limit,
                                  struct tz_xnotice_entity_rec **out, size_t *count)
{
    sqlite3 *db = tz_sq_read_begin(store);
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_PUBLISHED, &st);
    if (!err) {
        sqlite3_bind_int64(st, 1, after);
        sqlite3_bind_int64(st, 2, (int64_t)limit);
        err = tz_sq_read_rows(st, sizeof **out, read_published, free_published, (void **)out,
                              count);
        sqlite3_finalize(st);
    }
    for (size_t i = 0; !err && i < *count; i++) {
        struct tz_xentity_rec *e = &(*out)[i].entity;
        err = rows(db, SQL_GET_FIELDS, e->id, sizeof(struct tz_xfield_rec), read_field,
                   free_plain, (void **)&e->fields, &e->field_count);
    }
    tz_sq_read_end(store, db);
    if (err) {
        tz_store_xnotice_entities_free(*out, *count);
        *out = NULL;
        *count = 0;
    }
    return err;
}
