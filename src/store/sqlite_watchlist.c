/*
 * sqlite_watchlist.c - the SQLite backend's watch-lists (migration 10): a source's persons
 * replaced in one transaction with the import's audit entry, and the persons read in pages
 * for the screening index.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

static const char SQL_SOURCE_PUT[] =
    "INSERT INTO watchlist_sources (name, format, imported_at, version)"
    " VALUES (?, ?, ?, (SELECT COALESCE(MAX(version), 0) + 1 FROM watchlist_sources))"
    " ON CONFLICT (name) DO UPDATE SET format = excluded.format,"
    " imported_at = excluded.imported_at, version = excluded.version";
static const char SQL_VERSION[] = "SELECT COALESCE(MAX(version), 0) FROM watchlist_sources";
static const char SQL_SOURCE_ID[] = "SELECT id FROM watchlist_sources WHERE name = ?";
static const char SQL_PERSONS_CLEAR[] = "DELETE FROM watchlist_persons WHERE source_id = ?";
static const char SQL_PERSON_PUT[] =
    "INSERT INTO watchlist_persons (source_id, record_id, name, birth_date, sex, nationalities)"
    " VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_PERSONS[] =
    "SELECT p.id, s.name, p.record_id, p.name, p.birth_date, p.sex, p.nationalities"
    " FROM watchlist_persons p JOIN watchlist_sources s ON s.id = p.source_id"
    " WHERE p.id > ? ORDER BY p.id LIMIT ?";

static const char *or_null(const char *s)
{
    return s[0] ? s : NULL;
}

/* The list's row, made or updated; its id into *id. */
static tz_err put_source(struct tz_sq_conn *c, const char *source, const char *format,
                         int64_t now, int64_t *id)
{
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_SOURCE_PUT, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, source);
    tz_sq_bind_text(&b, format);
    tz_sq_bind_int64(&b, now);
    if ((err = tz_sq_map_rc(b.rc)) || (err = tz_sq_stmt_run(st)))
        return err;
    if ((err = tz_sq_stmt(c, SQL_SOURCE_ID, &st)))
        return err;
    b = tz_sq_binder_of(st);
    tz_sq_bind_text(&b, source);
    int rc = b.rc != SQLITE_OK ? b.rc : sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    err = rc == SQLITE_ROW ? TZ_OK : tz_sq_map_rc(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
    tz_sq_stmt_done(st);
    return err;
}

static tz_err put_person(struct tz_sq_conn *c, int64_t source_id,
                         const struct tz_watch_person_rec *p)
{
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_PERSON_PUT, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, source_id);
    tz_sq_bind_text(&b, p->record_id);
    tz_sq_bind_text(&b, p->name);
    tz_sq_bind_text(&b, or_null(p->birth_date));
    tz_sq_bind_text(&b, or_null(p->sex));
    tz_sq_bind_text(&b, or_null(p->nationalities));
    if ((err = tz_sq_map_rc(b.rc)))
        return err;
    int rc = sqlite3_step(st);
    err = rc == SQLITE_DONE                         ? TZ_OK
          : (rc & 0xff) == SQLITE_CONSTRAINT ? TZ_ECONFLICT
                                            : tz_sq_map_rc(rc);
    tz_sq_stmt_done(st);
    return err;
}

tz_err tz_sq_watchlist_replace(struct tz_store *store, const char *source, const char *format,
                               int64_t now, const struct tz_watch_person_rec *persons,
                               size_t count, const struct tz_audit_rec *audit, int64_t *source_id)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    if ((err = put_source(c, source, format, now, source_id)))
        goto done;
    if ((err = tz_sq_stmt(c, SQL_PERSONS_CLEAR, &st)))
        goto done;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, *source_id);
    if ((err = tz_sq_map_rc(b.rc)) || (err = tz_sq_stmt_run(st)))
        goto done;
    for (size_t i = 0; i < count && !err; i++)
        err = put_person(c, *source_id, &persons[i]);
    if (!err && audit)
        err = tz_sq_audit_append_in(c->db, audit, NULL);
done:
    err = tz_sq_writer_end(store, st, err);
    if (err)
        *source_id = 0;
    return err;
}

static tz_err read_person(sqlite3_stmt *st, void *elem)
{
    struct tz_watch_person_rec *p = elem;
    tz_err err;
    p->id = sqlite3_column_int64(st, 0);
    if ((err = tz_sq_col_code(st, 1, p->source, sizeof p->source)) ||
        (err = tz_sq_col_code(st, 2, p->record_id, sizeof p->record_id)) ||
        (err = tz_sq_col_code(st, 3, p->name, sizeof p->name)) ||
        (err = tz_sq_col_code(st, 4, p->birth_date, sizeof p->birth_date)) ||
        (err = tz_sq_col_code(st, 5, p->sex, sizeof p->sex)))
        return err;
    return tz_sq_col_code(st, 6, p->nationalities, sizeof p->nationalities);
}

static void free_persons(void *recs, size_t count)
{
    free(recs);
}

tz_err tz_sq_watchlist_persons(struct tz_store *store, int64_t after_id, size_t limit,
                               struct tz_watch_person_rec **out, size_t *count)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_PERSONS, &st);
    if (!err) {
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_int64(&b, after_id);
        tz_sq_bind_int64(&b, (int64_t)limit);
        err = tz_sq_map_rc(b.rc);
    }
    if (!err)
        err = tz_sq_read_rows(st, sizeof **out, read_person, free_persons, (void **)out, count);
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

tz_err tz_sq_watchlist_version(struct tz_store *store, int64_t *version)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    double v = 0;
    tz_err err = tz_sq_query_number(c, SQL_VERSION, &v);
    tz_sq_reader_release(store, c);
    *version = (int64_t)v;
    return err;
}
