/*
 * sqlite_watchlist.c - the SQLite backend's watch-lists (migration 10): a source's persons,
 * documents and vehicles replaced in one transaction with the import's audit entry, and each
 * kind read in pages for the screening index.
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
static const char *const SQL_CLEAR[] = {
    "DELETE FROM watchlist_persons WHERE source_id = ?",
    "DELETE FROM watchlist_documents WHERE source_id = ?",
    "DELETE FROM watchlist_vehicles WHERE source_id = ?",
};
static const char SQL_DOC_PUT[] =
    "INSERT INTO watchlist_documents (source_id, record_id, doc_type, number, country,"
    " valid_until, status) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_VEHICLE_PUT[] =
    "INSERT INTO watchlist_vehicles (source_id, record_id, vin, plate, plate_country, make,"
    " model, colour, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_DOCS[] =
    "SELECT d.id, s.name, d.record_id, d.doc_type, d.number, d.country, d.valid_until, d.status"
    " FROM watchlist_documents d JOIN watchlist_sources s ON s.id = d.source_id"
    " WHERE d.id > ? ORDER BY d.id LIMIT ?";
static const char SQL_VEHICLES[] =
    "SELECT v.id, s.name, v.record_id, v.vin, v.plate, v.plate_country, v.make, v.model,"
    " v.colour, v.status FROM watchlist_vehicles v JOIN watchlist_sources s ON s.id = v.source_id"
    " WHERE v.id > ? ORDER BY v.id LIMIT ?";
static const char SQL_PERSON_PUT[] =
    "INSERT INTO watchlist_persons (source_id, record_id, name, birth_date, sex, nationalities,"
    " name_keys) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_PERSON_KEYS[] =
    "UPDATE watchlist_persons SET name_keys = ? WHERE id = ? AND name = ?";
static const char SQL_PERSONS[] =
    "SELECT p.id, s.name, p.record_id, p.name, p.birth_date, p.sex, p.nationalities,"
    " p.name_keys FROM watchlist_persons p JOIN watchlist_sources s ON s.id = p.source_id"
    " WHERE p.id > ? ORDER BY p.id LIMIT ?";

static const char *or_null(const char *s)
{
    return s[0] ? s : NULL;
}

/* The list's row, made or updated; its id into *id. */
static tz_err put_source(struct tz_sq_conn *c, const char *source, const char *format, int64_t now,
                         int64_t *id)
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

/* Runs a bound insert: TZ_ECONFLICT for a row whose key is there already. */
static tz_err insert(sqlite3_stmt *st, const struct tz_sq_binder *b)
{
    tz_err err = tz_sq_map_rc(b->rc);
    if (!err) {
        int rc = sqlite3_step(st);
        err = rc == SQLITE_DONE                  ? TZ_OK
              : (rc & 0xff) == SQLITE_CONSTRAINT ? TZ_ECONFLICT
                                                 : tz_sq_map_rc(rc);
    }
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
    tz_sq_bind_text(&b, or_null(p->keys));
    return insert(st, &b);
}

static tz_err put_doc(struct tz_sq_conn *c, int64_t source_id, const struct tz_watch_doc_rec *d)
{
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_DOC_PUT, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, source_id);
    tz_sq_bind_text(&b, d->record_id);
    tz_sq_bind_text(&b, or_null(d->doc_type));
    tz_sq_bind_text(&b, d->number);
    tz_sq_bind_text(&b, or_null(d->country));
    tz_sq_bind_text(&b, or_null(d->valid_until));
    tz_sq_bind_text(&b, or_null(d->status));
    return insert(st, &b);
}

static tz_err put_vehicle(struct tz_sq_conn *c, int64_t source_id,
                          const struct tz_watch_vehicle_rec *v)
{
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, SQL_VEHICLE_PUT, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, source_id);
    tz_sq_bind_text(&b, v->record_id);
    tz_sq_bind_text(&b, or_null(v->vin));
    tz_sq_bind_text(&b, or_null(v->plate));
    tz_sq_bind_text(&b, or_null(v->plate_country));
    tz_sq_bind_text(&b, or_null(v->make));
    tz_sq_bind_text(&b, or_null(v->model));
    tz_sq_bind_text(&b, or_null(v->colour));
    tz_sq_bind_text(&b, or_null(v->status));
    return insert(st, &b);
}

/* Deletes what the list held of each kind. */
static tz_err clear_source(struct tz_sq_conn *c, int64_t source_id)
{
    tz_err err = TZ_OK;
    for (size_t i = 0; i < sizeof SQL_CLEAR / sizeof *SQL_CLEAR && !err; i++) {
        sqlite3_stmt *st = NULL;
        if ((err = tz_sq_stmt(c, SQL_CLEAR[i], &st)))
            break;
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_int64(&b, source_id);
        if (!(err = tz_sq_map_rc(b.rc)))
            err = tz_sq_stmt_run(st);
    }
    return err;
}

tz_err tz_sq_watchlist_replace(struct tz_store *store, const char *source, const char *format,
                               int64_t now, const struct tz_watch_set *set,
                               const struct tz_audit_rec *audit, int64_t *source_id)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    if ((err = put_source(c, source, format, now, source_id)))
        goto done;
    if ((err = clear_source(c, *source_id)))
        goto done;
    for (size_t i = 0; i < set->npersons && !err; i++)
        err = put_person(c, *source_id, &set->persons[i]);
    for (size_t i = 0; i < set->ndocs && !err; i++)
        err = put_doc(c, *source_id, &set->docs[i]);
    for (size_t i = 0; i < set->nvehicles && !err; i++)
        err = put_vehicle(c, *source_id, &set->vehicles[i]);
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
        (err = tz_sq_col_code(st, 5, p->sex, sizeof p->sex)) ||
        (err = tz_sq_col_code(st, 6, p->nationalities, sizeof p->nationalities)))
        return err;
    /* Keys that do not fit (written by a later version) are as none: recomputed. */
    err = tz_sq_col_code(st, 7, p->keys, sizeof p->keys);
    if (err == TZ_EIO)
        p->keys[0] = '\0', err = TZ_OK;
    return err;
}

/* The records own no memory of their own: the array goes whole. */
static void free_rows(void *recs, size_t count)
{
    (void)count;
    free(recs);
}

static tz_err read_doc(sqlite3_stmt *st, void *elem)
{
    struct tz_watch_doc_rec *d = elem;
    tz_err err;
    d->id = sqlite3_column_int64(st, 0);
    if ((err = tz_sq_col_code(st, 1, d->source, sizeof d->source)) ||
        (err = tz_sq_col_code(st, 2, d->record_id, sizeof d->record_id)) ||
        (err = tz_sq_col_code(st, 3, d->doc_type, sizeof d->doc_type)) ||
        (err = tz_sq_col_code(st, 4, d->number, sizeof d->number)) ||
        (err = tz_sq_col_code(st, 5, d->country, sizeof d->country)) ||
        (err = tz_sq_col_code(st, 6, d->valid_until, sizeof d->valid_until)))
        return err;
    return tz_sq_col_code(st, 7, d->status, sizeof d->status);
}

static tz_err read_vehicle(sqlite3_stmt *st, void *elem)
{
    struct tz_watch_vehicle_rec *v = elem;
    tz_err err;
    v->id = sqlite3_column_int64(st, 0);
    if ((err = tz_sq_col_code(st, 1, v->source, sizeof v->source)) ||
        (err = tz_sq_col_code(st, 2, v->record_id, sizeof v->record_id)) ||
        (err = tz_sq_col_code(st, 3, v->vin, sizeof v->vin)) ||
        (err = tz_sq_col_code(st, 4, v->plate, sizeof v->plate)) ||
        (err = tz_sq_col_code(st, 5, v->plate_country, sizeof v->plate_country)) ||
        (err = tz_sq_col_code(st, 6, v->make, sizeof v->make)) ||
        (err = tz_sq_col_code(st, 7, v->model, sizeof v->model)) ||
        (err = tz_sq_col_code(st, 8, v->colour, sizeof v->colour)))
        return err;
    return tz_sq_col_code(st, 9, v->status, sizeof v->status);
}

/* A page of rows of sql (after_id, limit bound) read by fn into *out. */
static tz_err read_page(struct tz_store *store, const char *sql, int64_t after_id, size_t limit,
                        size_t size, tz_err (*fn)(sqlite3_stmt *, void *), void **out,
                        size_t *count)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, sql, &st);
    if (!err) {
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_int64(&b, after_id);
        tz_sq_bind_int64(&b, (int64_t)limit);
        err = tz_sq_map_rc(b.rc);
    }
    if (!err)
        err = tz_sq_read_rows(st, size, fn, free_rows, out, count);
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
    return err;
}

tz_err tz_sq_watchlist_persons(struct tz_store *store, int64_t after_id, size_t limit,
                               struct tz_watch_person_rec **out, size_t *count)
{
    return read_page(store, SQL_PERSONS, after_id, limit, sizeof **out, read_person, (void **)out,
                     count);
}

tz_err tz_sq_watchlist_documents(struct tz_store *store, int64_t after_id, size_t limit,
                                 struct tz_watch_doc_rec **out, size_t *count)
{
    return read_page(store, SQL_DOCS, after_id, limit, sizeof **out, read_doc, (void **)out, count);
}

tz_err tz_sq_watchlist_vehicles(struct tz_store *store, int64_t after_id, size_t limit,
                                struct tz_watch_vehicle_rec **out, size_t *count)
{
    return read_page(store, SQL_VEHICLES, after_id, limit, sizeof **out, read_vehicle, (void **)out,
                     count);
}

tz_err tz_sq_watchlist_person_keys(struct tz_store *store, const struct tz_watch_person_keys *rows,
                                   size_t n, const struct tz_audit_rec *audit, size_t *updated)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    for (size_t i = 0; i < n && !err; i++) {
        if ((err = tz_sq_stmt(c, SQL_PERSON_KEYS, &st)))
            break;
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_text(&b, rows[i].keys);
        tz_sq_bind_int64(&b, rows[i].id);
        tz_sq_bind_text(&b, rows[i].name);
        if (!(err = tz_sq_map_rc(b.rc)) && !(err = tz_sq_stmt_run(st)))
            *updated += (size_t)sqlite3_changes(c->db);
    }
    st = NULL;
    if (!err && audit)
        err = tz_sq_audit_append_in(c->db, audit, NULL);
    err = tz_sq_writer_end(store, st, err);
    if (err)
        *updated = 0;
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
