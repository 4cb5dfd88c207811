/*
 * pg_watchlist.c - the PostgreSQL backend's watch-lists (migration 10): a source's persons,
 * documents and vehicles replaced whole by an import, in one transaction with its audit entry,
 * and read back by pages of ids for screening's indexes. The statements of sqlite_watchlist.c
 * in PostgreSQL's dialect.
 */
#include <stdlib.h>
#include <string.h>

#include "store/pg_internal.h"

static const char SQL_SOURCE_PUT[] =
    "INSERT INTO watchlist_sources (name, format, imported_at, version)"
    " VALUES ($1, $2, $3, (SELECT COALESCE(MAX(version), 0) + 1 FROM watchlist_sources))"
    " ON CONFLICT (name) DO UPDATE SET format = excluded.format,"
    " imported_at = excluded.imported_at, version = excluded.version RETURNING id";
/* Imports queue on this lock, so that two never take the same version number. */
static const char SQL_LOCK[] = "LOCK TABLE watchlist_sources IN SHARE ROW EXCLUSIVE MODE";
static const char SQL_VERSION[] = "SELECT COALESCE(MAX(version), 0) FROM watchlist_sources";
static const char *const SQL_CLEAR[] = {
    "DELETE FROM watchlist_persons WHERE source_id = $1",
    "DELETE FROM watchlist_documents WHERE source_id = $1",
    "DELETE FROM watchlist_vehicles WHERE source_id = $1",
};
static const char SQL_PERSON_PUT[] =
    "INSERT INTO watchlist_persons (source_id, record_id, name, birth_date, sex, nationalities)"
    " VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_DOC_PUT[] =
    "INSERT INTO watchlist_documents (source_id, record_id, doc_type, number, country,"
    " valid_until, status) VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char SQL_VEHICLE_PUT[] =
    "INSERT INTO watchlist_vehicles (source_id, record_id, vin, plate, plate_country, make,"
    " model, colour, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
static const char SQL_PERSONS[] =
    "SELECT p.id, s.name, p.record_id, p.name, p.birth_date, p.sex, p.nationalities"
    " FROM watchlist_persons p JOIN watchlist_sources s ON s.id = p.source_id"
    " WHERE p.id > $1 ORDER BY p.id LIMIT $2";
static const char SQL_DOCS[] =
    "SELECT d.id, s.name, d.record_id, d.doc_type, d.number, d.country, d.valid_until, d.status"
    " FROM watchlist_documents d JOIN watchlist_sources s ON s.id = d.source_id"
    " WHERE d.id > $1 ORDER BY d.id LIMIT $2";
static const char SQL_VEHICLES[] =
    "SELECT v.id, s.name, v.record_id, v.vin, v.plate, v.plate_country, v.make, v.model,"
    " v.colour, v.status FROM watchlist_vehicles v JOIN watchlist_sources s ON s.id = v.source_id"
    " WHERE v.id > $1 ORDER BY v.id LIMIT $2";

static const char *or_null(const char *s)
{
    return s[0] ? s : NULL;
}

struct replace {
    const char *source, *format;
    int64_t now;
    const struct tz_watch_set *set;
    int64_t *source_id;
};

static tz_err put_rows(struct tz_pg_conn *c, const struct replace *r)
{
    const struct tz_watch_set *set = r->set;
    int64_t id = *r->source_id;
    tz_err err = TZ_OK;
    for (size_t i = 0; i < set->npersons && !err; i++) {
        const struct tz_watch_person_rec *p = &set->persons[i];
        struct tz_pg_args a = {0};
        tz_pg_arg_int(&a, id);
        tz_pg_arg_text(&a, p->record_id);
        tz_pg_arg_text(&a, p->name);
        tz_pg_arg_text(&a, or_null(p->birth_date));
        tz_pg_arg_text(&a, or_null(p->sex));
        tz_pg_arg_text(&a, or_null(p->nationalities));
        err = tz_pg_run(c, SQL_PERSON_PUT, &a, NULL, NULL);
    }
    for (size_t i = 0; i < set->ndocs && !err; i++) {
        const struct tz_watch_doc_rec *d = &set->docs[i];
        struct tz_pg_args a = {0};
        tz_pg_arg_int(&a, id);
        tz_pg_arg_text(&a, d->record_id);
        tz_pg_arg_text(&a, or_null(d->doc_type));
        tz_pg_arg_text(&a, d->number);
        tz_pg_arg_text(&a, or_null(d->country));
        tz_pg_arg_text(&a, or_null(d->valid_until));
        tz_pg_arg_text(&a, or_null(d->status));
        err = tz_pg_run(c, SQL_DOC_PUT, &a, NULL, NULL);
    }
    for (size_t i = 0; i < set->nvehicles && !err; i++) {
        const struct tz_watch_vehicle_rec *v = &set->vehicles[i];
        struct tz_pg_args a = {0};
        tz_pg_arg_int(&a, id);
        tz_pg_arg_text(&a, v->record_id);
        tz_pg_arg_text(&a, or_null(v->vin));
        tz_pg_arg_text(&a, or_null(v->plate));
        tz_pg_arg_text(&a, or_null(v->plate_country));
        tz_pg_arg_text(&a, or_null(v->make));
        tz_pg_arg_text(&a, or_null(v->model));
        tz_pg_arg_text(&a, or_null(v->colour));
        tz_pg_arg_text(&a, or_null(v->status));
        err = tz_pg_run(c, SQL_VEHICLE_PUT, &a, NULL, NULL);
    }
    return err;
}

static tz_err replace_write(struct tz_pg_conn *c, void *ctx)
{
    struct replace *r = ctx;
    struct tz_pg_args a = {0};
    PGresult *res = NULL;
    tz_pg_arg_text(&a, r->source);
    tz_pg_arg_text(&a, r->format);
    tz_pg_arg_int(&a, r->now);
    tz_err err = tz_pg_run(c, SQL_LOCK, NULL, NULL, NULL);
    if (!err && !(err = tz_pg_run(c, SQL_SOURCE_PUT, &a, &res, NULL)))
        *r->source_id = tz_pg_int(res, 0, 0);
    PQclear(res);
    for (size_t i = 0; i < sizeof SQL_CLEAR / sizeof *SQL_CLEAR && !err; i++) {
        struct tz_pg_args id = {0};
        tz_pg_arg_int(&id, *r->source_id);
        err = tz_pg_run(c, SQL_CLEAR[i], &id, NULL, NULL);
    }
    /* A key there already (the same record twice) is TZ_ECONFLICT, as the SQLite backend says. */
    return err ? err : put_rows(c, r);
}

tz_err tz_pg_watchlist_replace(struct tz_store *store, const char *source, const char *format,
                               int64_t now, const struct tz_watch_set *set,
                               const struct tz_audit_rec *audit, int64_t *source_id)
{
    struct replace r = {source, format, now, set, source_id};
    tz_err err = tz_pg_in_write(store, replace_write, &r, audit);
    if (err)
        *source_id = 0;
    return err;
}

static tz_err read_person(const PGresult *r, int row, void *elem)
{
    struct tz_watch_person_rec *p = elem;
    tz_err err;
    p->id = tz_pg_int(r, row, 0);
    if ((err = tz_pg_code(r, row, 1, p->source, sizeof p->source)) ||
        (err = tz_pg_code(r, row, 2, p->record_id, sizeof p->record_id)) ||
        (err = tz_pg_code(r, row, 3, p->name, sizeof p->name)) ||
        (err = tz_pg_code(r, row, 4, p->birth_date, sizeof p->birth_date)) ||
        (err = tz_pg_code(r, row, 5, p->sex, sizeof p->sex)))
        return err;
    return tz_pg_code(r, row, 6, p->nationalities, sizeof p->nationalities);
}

static tz_err read_doc(const PGresult *r, int row, void *elem)
{
    struct tz_watch_doc_rec *d = elem;
    tz_err err;
    d->id = tz_pg_int(r, row, 0);
    if ((err = tz_pg_code(r, row, 1, d->source, sizeof d->source)) ||
        (err = tz_pg_code(r, row, 2, d->record_id, sizeof d->record_id)) ||
        (err = tz_pg_code(r, row, 3, d->doc_type, sizeof d->doc_type)) ||
        (err = tz_pg_code(r, row, 4, d->number, sizeof d->number)) ||
        (err = tz_pg_code(r, row, 5, d->country, sizeof d->country)) ||
        (err = tz_pg_code(r, row, 6, d->valid_until, sizeof d->valid_until)))
        return err;
    return tz_pg_code(r, row, 7, d->status, sizeof d->status);
}

static tz_err read_vehicle(const PGresult *r, int row, void *elem)
{
    struct tz_watch_vehicle_rec *v = elem;
    tz_err err;
    v->id = tz_pg_int(r, row, 0);
    if ((err = tz_pg_code(r, row, 1, v->source, sizeof v->source)) ||
        (err = tz_pg_code(r, row, 2, v->record_id, sizeof v->record_id)) ||
        (err = tz_pg_code(r, row, 3, v->vin, sizeof v->vin)) ||
        (err = tz_pg_code(r, row, 4, v->plate, sizeof v->plate)) ||
        (err = tz_pg_code(r, row, 5, v->plate_country, sizeof v->plate_country)) ||
        (err = tz_pg_code(r, row, 6, v->make, sizeof v->make)) ||
        (err = tz_pg_code(r, row, 7, v->model, sizeof v->model)) ||
        (err = tz_pg_code(r, row, 8, v->colour, sizeof v->colour)))
        return err;
    return tz_pg_code(r, row, 9, v->status, sizeof v->status);
}

/* The records own no memory of their own: the array goes whole. */
static void free_rows(void *recs, size_t count)
{
    (void)count;
    free(recs);
}

static tz_err read_page(struct tz_store *store, const char *sql, int64_t after_id, size_t limit,
                        size_t size, tz_pg_row_reader fn, void **out, size_t *count)
{
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_int(&a, after_id);
    tz_pg_arg_int(&a, (int64_t)limit);
    tz_err err = tz_pg_query(store, sql, &a, &r);
    if (!err)
        err = tz_pg_read_rows(r, size, fn, free_rows, out, count);
    PQclear(r);
    return err;
}

tz_err tz_pg_watchlist_persons(struct tz_store *store, int64_t after_id, size_t limit,
                               struct tz_watch_person_rec **out, size_t *count)
{
    return read_page(store, SQL_PERSONS, after_id, limit, sizeof **out, read_person, (void **)out,
                     count);
}

tz_err tz_pg_watchlist_documents(struct tz_store *store, int64_t after_id, size_t limit,
                                 struct tz_watch_doc_rec **out, size_t *count)
{
    return read_page(store, SQL_DOCS, after_id, limit, sizeof **out, read_doc, (void **)out, count);
}

tz_err tz_pg_watchlist_vehicles(struct tz_store *store, int64_t after_id, size_t limit,
                                struct tz_watch_vehicle_rec **out, size_t *count)
{
    return read_page(store, SQL_VEHICLES, after_id, limit, sizeof **out, read_vehicle, (void **)out,
                     count);
}

tz_err tz_pg_watchlist_version(struct tz_store *store, int64_t *version)
{
    PGresult *r = NULL;
    tz_err err = tz_pg_query(store, SQL_VERSION, NULL, &r);
    if (!err)
        *version = tz_pg_int(r, 0, 0);
    PQclear(r);
    return err;
}
