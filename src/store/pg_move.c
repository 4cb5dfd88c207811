/*
 * pg_move.c - `tarcza migrate`: a SQLite database moved into a PostgreSQL one
 * (tz_store_move_to_pg, store.h).
 *
 * Both databases are first brought to this program's schema by opening them as stores, so they
 * have the same tables and columns (test_pg_schema checks that they always do). The target must
 * hold no data of its own (no report, account or audit entry): its seed rows (the catalogue, the
 * institutions, the cursors) are replaced by the source's. Then, in one PostgreSQL transaction,
 * every table is copied row by row in the order of its foreign keys (referenced tables first; a
 * table's rows in rowid order, so that a message comes before a reply to it), the identity
 * columns are moved past the copied ids, and the rows of every table are counted on both sides.
 * Any difference rolls the whole move back. The audit log is copied as it is, seq and hashes
 * included (its triggers refuse updates and deletes, not inserts); the caller verifies the chain
 * on the target afterwards (src/cli/migrate.c).
 *
 * Left out: the SQLite-only tables of the assistant's search (FTS5, pg_schema.c) and
 * schema_migrations, which each side keeps for itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/buf.h"
#include "store/pg_internal.h"

#define SQL_MAX 4096

/* Whether s is a plain identifier ([a-z0-9_], as every name of the schema is): the source file
 * is outside input, and its names are written into the target's SQL. */
static bool ident_ok(const char *s)
{
    size_t n = 0;
    for (; s && s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
            return false;
    return n > 0 && n < TZ_STORE_MOVE_NAME;
}

/* The source's tables to copy, in the order of their foreign keys. */
static tz_err tables_in_order(sqlite3 *db, struct tz_store_move *m)
{
    static const char list[] =
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name NOT LIKE 'search_reports%' AND name NOT LIKE 'search_x_messages%'"
        " AND name <> 'schema_migrations' ORDER BY name";
    static const char refs[] =
        "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?) WHERE \"table\" <> ?";
    char names[TZ_STORE_MOVE_TABLES][TZ_STORE_MOVE_NAME];
    size_t n = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, list, -1, &st, NULL) != SQLITE_OK)
        return TZ_EIO;
    tz_err err = TZ_OK;
    while (!err && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (n == TZ_STORE_MOVE_TABLES)
            err = TZ_ETOOBIG;
        else if (!ident_ok(name))
            err = TZ_EMALFORMED;
        else
            snprintf(names[n++], TZ_STORE_MOVE_NAME, "%s", name);
    }
    sqlite3_finalize(st);
    if (err)
        return err;
    if (sqlite3_prepare_v2(db, refs, -1, &st, NULL) != SQLITE_OK)
        return TZ_EIO;
    bool done[TZ_STORE_MOVE_TABLES] = {false};
    m->count = 0;
    /* Each pass takes the tables whose referenced tables are all taken; a pass that takes none
     * would mean a cycle of foreign keys, which the schema has not. */
    for (bool moved = true; moved && m->count < n;) {
        moved = false;
        for (size_t i = 0; i < n; i++) {
            if (done[i])
                continue;
            bool ready = true;
            sqlite3_bind_text(st, 1, names[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, names[i], -1, SQLITE_STATIC);
            while (ready && sqlite3_step(st) == SQLITE_ROW) {
                const char *ref = (const char *)sqlite3_column_text(st, 0);
                for (size_t k = 0; k < n; k++)
                    if (!done[k] && strcmp(names[k], ref) == 0)
                        ready = false;
            }
            sqlite3_reset(st);
            if (!ready)
                continue;
            done[i] = moved = true;
            memcpy(m->tables[m->count++].name, names[i], TZ_STORE_MOVE_NAME);
        }
    }
    sqlite3_finalize(st);
    return m->count == n ? TZ_OK : TZ_EIO;
}

/* The number in the first column of sql's first row on PostgreSQL. */
static tz_err pg_number(struct tz_pg_conn *c, const char *sql, int64_t *out)
{
    PGresult *r = NULL;
    tz_err err = tz_pg_run_once(c, sql, NULL, &r, NULL);
    if (!err)
        *out = PQntuples(r) ? tz_pg_int(r, 0, 0) : 0;
    PQclear(r);
    return err;
}

/* TZ_ECONFLICT unless the target holds no report, account, audit entry or exchange message. */
static tz_err target_empty(struct tz_pg_conn *c)
{
    int64_t n = 0;
    tz_err err =
        pg_number(c,
                  "SELECT (SELECT COUNT(*) FROM reports) + (SELECT COUNT(*) FROM accounts)"
                  " + (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM x_messages)",
                  &n);
    return err ? err : n ? TZ_ECONFLICT : TZ_OK;
}

/* One value of the current row of st as an argument: blobs as bytea, the rest as text. */
static void arg_of(struct tz_pg_args *a, sqlite3_stmt *st, int col)
{
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_NULL:
        tz_pg_arg_text(a, NULL);
        break;
    case SQLITE_BLOB:
        tz_pg_arg_bytes(a, sqlite3_column_blob(st, col), (size_t)sqlite3_column_bytes(st, col));
        break;
    case SQLITE_INTEGER:
        tz_pg_arg_int(a, sqlite3_column_int64(st, col));
        break;
    case SQLITE_FLOAT:
        tz_pg_arg_double(a, sqlite3_column_double(st, col));
        break;
    default:
        tz_pg_arg_text(a, (const char *)sqlite3_column_text(st, col));
    }
}

/* The INSERT of a row of st into table: "INSERT INTO t (c1, ...) VALUES ($1, ...)". */
static tz_err insert_sql(const char *table, sqlite3_stmt *st, struct tz_buf *sql)
{
    int cols = sqlite3_column_count(st);
    for (int i = 0; i < cols; i++)
        if (!ident_ok(sqlite3_column_name(st, i)))
            return TZ_EMALFORMED;
    tz_err err = tz_buf_printf(sql, "INSERT INTO \"%s\" (", table);
    for (int i = 0; i < cols && !err; i++)
        err = tz_buf_printf(sql, i ? ", \"%s\"" : "\"%s\"", sqlite3_column_name(st, i));
    if (!err)
        err = tz_buf_puts(sql, ") VALUES (");
    for (int i = 0; i < cols && !err; i++)
        err = tz_buf_printf(sql, i ? ", $%d" : "$%d", i + 1);
    return err ? err : tz_buf_puts(sql, ")");
}

/* Copies every row of table t, in rowid order, with one statement prepared for it. */
static tz_err copy_table(sqlite3 *db, struct tz_pg_conn *c, struct tz_store_move_table *t)
{
    char select[160];
    snprintf(select, sizeof select, "SELECT * FROM \"%s\" ORDER BY rowid", t->name);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, select, -1, &st, NULL) != SQLITE_OK)
        return TZ_EIO;
    if (sqlite3_column_count(st) > TZ_PG_ARGS_MAX) {
        sqlite3_finalize(st);
        return TZ_ETOOBIG;
    }
    struct tz_buf sql;
    tz_buf_init(&sql, SQL_MAX);
    char name[80];
    snprintf(name, sizeof name, "move_%s", t->name);
    tz_err err = insert_sql(t->name, st, &sql);
    PGresult *r = err ? NULL : PQprepare(c->pg, name, sql.data, 0, NULL);
    if (!err && (err = tz_pg_map_result(r)))
        fprintf(stderr, "tarcza: %s: %s", t->name, PQerrorMessage(c->pg));
    PQclear(r);
    int rc = SQLITE_DONE;
    struct tz_pg_args *a = calloc(1, sizeof *a);
    if (!a)
        err = TZ_ENOMEM;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        memset(a, 0, sizeof *a);
        for (int i = 0; i < sqlite3_column_count(st); i++)
            arg_of(a, st, i);
        r = PQexecPrepared(c->pg, name, a->n, a->v, a->len, a->fmt, 0);
        if ((err = tz_pg_map_result(r)))
            fprintf(stderr, "tarcza: %s: %s", t->name, PQresultErrorMessage(r));
        PQclear(r);
        t->rows_from++;
    }
    if (!err && rc != SQLITE_DONE)
        err = TZ_EIO;
    free(a);
    sqlite3_finalize(st);
    tz_buf_free(&sql);
    return err;
}

/* Moves every identity column's sequence past the ids copied into it. */
static tz_err identities_past_copies(struct tz_pg_conn *c)
{
    PGresult *r = NULL;
    tz_err err = tz_pg_run_once(c,
                                "SELECT table_name, column_name FROM information_schema.columns"
                                " WHERE table_schema = 'public' AND is_identity = 'YES'",
                                NULL, &r, NULL);
    for (int i = 0; !err && i < PQntuples(r); i++) {
        char sql[512];
        const char *t = PQgetvalue(r, i, 0), *col = PQgetvalue(r, i, 1);
        snprintf(sql, sizeof sql,
                 "SELECT setval(pg_get_serial_sequence('\"%s\"', '%s'), COALESCE(MAX(\"%s\"), 0)"
                 " + 1, false) FROM \"%s\"",
                 t, col, col, t);
        err = tz_pg_run_once(c, sql, NULL, NULL, NULL);
    }
    PQclear(r);
    return err;
}

/* Empties the target's tables (its seed rows), referencing tables first. */
static tz_err clear_target(struct tz_pg_conn *c, const struct tz_store_move *m)
{
    tz_err err = TZ_OK;
    for (size_t i = m->count; i-- > 0 && !err;) {
        char sql[128];
        snprintf(sql, sizeof sql, "DELETE FROM \"%s\"", m->tables[i].name);
        err = tz_pg_run_once(c, sql, NULL, NULL, NULL);
    }
    return err;
}

static tz_err move_all(sqlite3 *db, struct tz_pg_conn *c, struct tz_store_move *m)
{
    tz_err err = target_empty(c);
    if (!err)
        err = clear_target(c, m);
    for (size_t i = 0; i < m->count && !err; i++)
        err = copy_table(db, c, &m->tables[i]);
    if (!err)
        err = identities_past_copies(c);
    for (size_t i = 0; i < m->count && !err; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM \"%s\"", m->tables[i].name);
        if (!(err = pg_number(c, sql, &m->tables[i].rows_to)) &&
            m->tables[i].rows_to != m->tables[i].rows_from)
            err = TZ_EIO; /* a count that differs: nothing is kept */
    }
    return err;
}

tz_err tz_store_move_to_pg(const char *from, const char *to, struct tz_store_move *m)
{
    if (!from || !to || !m || !tz_store_is_pg(to))
        return TZ_EINVAL;
    memset(m, 0, sizeof *m);
    struct tz_store *src = NULL, *dst = NULL;
    sqlite3 *db = NULL;
    struct tz_pg_conn *c = NULL;
    /* Both at this program's schema first (the source file must exist). */
    tz_err err = access(from, R_OK) == 0 ? tz_store_open_sqlite(from, &src) : TZ_ENOTFOUND;
    tz_store_close(src);
    if (!err)
        err = tz_store_open_pg(to, &dst);
    if (!err && sqlite3_open_v2(from, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        err = TZ_EIO;
    if (!err)
        err = tables_in_order(db, m);
    if (!err)
        c = tz_pg_acquire(dst, &err);
    /* One read transaction on the source: every table from the same moment. */
    if (!err && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        err = TZ_EIO;
    if (!err && !(err = tz_pg_run_once(c, "BEGIN", NULL, NULL, NULL))) {
        c->in_tx = true;
        if (!(err = move_all(db, c, m)))
            err = tz_pg_run_once(c, "COMMIT", NULL, NULL, NULL);
        if (!err)
            c->in_tx = false;
    }
    if (c)
        tz_pg_release(dst, c); /* rolls back what an error left open */
    sqlite3_close(db);
    tz_store_close(dst);
    return err;
}
