/*
 * sqlite_assist_cases.c - the SQLite backend of the entities officers added to exchange cases
 * from the assistant (store/assist_cases.h, migration 22).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

static const char SQL_ADD[] =
    "INSERT INTO assist_case_entities (case_id, message_id, type, detail, value, written, key,"
    " start_cp, end_cp, actor, unit, at)"
    " SELECT case_id, id, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12 FROM x_messages"
    " WHERE id = ?2 AND case_id = ?1";
static const char SQL_LIST[] =
    "SELECT id, case_id, message_id, type, detail, value, written, key, start_cp, end_cp, actor,"
    " unit, at FROM assist_case_entities WHERE case_id = ? ORDER BY id LIMIT 500";

struct add_ctx {
    const struct tz_acase_entity_rec *rec;
    int64_t id;
};

static tz_err add_body(sqlite3 *db, void *ctx)
{
    struct add_ctx *a = ctx;
    const struct tz_acase_entity_rec *r = a->rec;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_ADD, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, r->case_id);
    tz_sq_bind_int64(&b, r->message_id);
    tz_sq_bind_text(&b, r->type);
    tz_sq_bind_text(&b, r->detail);
    tz_sq_bind_text(&b, r->value);
    tz_sq_bind_text(&b, r->text);
    tz_sq_bind_text(&b, r->key);
    tz_sq_bind_int64(&b, r->start);
    tz_sq_bind_int64(&b, r->end);
    tz_sq_bind_text(&b, r->actor);
    tz_sq_bind_text(&b, r->unit);
    tz_sq_bind_int64(&b, r->at);
    if (b.rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return tz_sq_map_rc(b.rc);
    }
    if ((err = tz_sq_run_once(st)))
        return err; /* a key already in the case: TZ_ECONFLICT */
    if (sqlite3_changes(db) == 0)
        return TZ_ENOTFOUND; /* no such message in that case */
    a->id = sqlite3_last_insert_rowid(db);
    return TZ_OK;
}

tz_err tz_sq_a_case_entity_add(struct tz_store *store, const struct tz_acase_entity_rec *rec,
                               const struct tz_audit_rec *audit, int64_t *id)
{
    struct add_ctx a = {.rec = rec};
    tz_err err = tz_sq_in_write(store, add_body, &a, audit);
    *id = err ? 0 : a.id;
    return err;
}

static tz_err read_entity(sqlite3_stmt *st, void *elem)
{
    struct tz_acase_entity_rec *r = elem;
    r->id = sqlite3_column_int64(st, 0);
    r->case_id = sqlite3_column_int64(st, 1);
    r->message_id = sqlite3_column_int64(st, 2);
    tz_err err = tz_sq_col_code(st, 3, r->type, sizeof r->type);
    if (!err)
        err = tz_sq_col_code(st, 4, r->detail, sizeof r->detail);
    if (!err)
        err = tz_sq_col_code(st, 5, r->value, sizeof r->value);
    if (!err)
        err = tz_sq_col_code(st, 6, r->text, sizeof r->text);
    if (!err)
        err = tz_sq_col_code(st, 7, r->key, sizeof r->key);
    r->start = sqlite3_column_int64(st, 8);
    r->end = sqlite3_column_int64(st, 9);
    if (!err)
        err = tz_sq_col_code(st, 10, r->actor, sizeof r->actor);
    if (!err)
        err = tz_sq_col_code(st, 11, r->unit, sizeof r->unit);
    r->at = sqlite3_column_int64(st, 12);
    return err;
}

static void free_entities(void *recs, size_t count)
{
    (void)count;
    free(recs);
}

tz_err tz_sq_a_case_entities(struct tz_store *store, int64_t case_id,
                             struct tz_acase_entity_rec **out, size_t *count)
{
    return tz_sq_read_all(store, SQL_LIST, case_id, sizeof **out, read_entity, free_entities,
                          (void **)out, count);
}
