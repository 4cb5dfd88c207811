/*
 * pg_catalog.c - the PostgreSQL backend's catalogue: categories and their groups, districts,
 * the institutions a report may be referred to, and the address points the address index loads
 * at start. The same statements as sqlite_catalog.c, in PostgreSQL's dialect.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_internal.h"

static const char SQL_CATEGORIES[] =
    "SELECT code, group_code, name_pl, name_en, retired, description_required,"
    " visibility, sort_order FROM categories ORDER BY sort_order, code";
static const char SQL_GROUPS[] =
    "SELECT code, name_pl, name_en FROM category_groups ORDER BY sort_order, code";
static const char SQL_PUT_DISTRICT[] = "INSERT INTO districts (id, name, unit, officer, geometry)"
                                       " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET"
                                       " name = excluded.name, unit = excluded.unit,"
                                       " officer = excluded.officer, geometry = excluded.geometry";
static const char SQL_DISTRICTS[] =
    "SELECT id, name, unit, officer, geometry FROM districts ORDER BY id";
static const char SQL_INSTITUTIONS[] =
    "SELECT code, name_pl, name_en FROM institutions ORDER BY sort_order";
static const char SQL_SCAN_ADDRESSES[] =
    "SELECT locality, street, number, postcode, lon, lat FROM addresses ORDER BY id";

/* Runs the static query sql on a pooled connection and reads every row into a new array. */
static tz_err read_all(struct tz_store *store, const char *sql, size_t elem_size,
                       tz_pg_row_reader read, tz_pg_rows_free release, void **out, size_t *count)
{
    PGresult *r = NULL;
    tz_err err = tz_pg_query(store, sql, NULL, &r);
    if (!err)
        err = tz_pg_read_rows(r, elem_size, read, release, out, count);
    PQclear(r);
    return err;
}

static tz_err read_category(const PGresult *res, int row, void *elem)
{
    struct tz_category_rec *r = elem;
    r->retired = tz_pg_int(res, row, 4) != 0;
    r->description_required = tz_pg_int(res, row, 5) != 0;
    r->sort_order = (int)tz_pg_int(res, row, 7);
    tz_err err;
    if ((err = tz_pg_code(res, row, 0, r->code, sizeof r->code)) ||
        (err = tz_pg_code(res, row, 1, r->group, sizeof r->group)) ||
        (err = tz_pg_strdup(res, row, 2, &r->name_pl)) ||
        (err = tz_pg_strdup(res, row, 3, &r->name_en)) ||
        (err = tz_pg_code(res, row, 6, r->visibility, sizeof r->visibility)))
        return err;
    return TZ_OK;
}

static void free_categories(void *recs, size_t count)
{
    tz_category_recs_free(recs, count);
}

tz_err tz_pg_categories(struct tz_store *store, struct tz_category_rec **out, size_t *count)
{
    return read_all(store, SQL_CATEGORIES, sizeof **out, read_category, free_categories,
                    (void **)out, count);
}

static tz_err read_group(const PGresult *res, int row, void *elem)
{
    struct tz_group_rec *r = elem;
    tz_err err;
    if ((err = tz_pg_code(res, row, 0, r->code, sizeof r->code)) ||
        (err = tz_pg_strdup(res, row, 1, &r->name_pl)) ||
        (err = tz_pg_strdup(res, row, 2, &r->name_en)))
        return err;
    return TZ_OK;
}

static void free_groups(void *recs, size_t count)
{
    tz_group_recs_free(recs, count);
}

tz_err tz_pg_groups(struct tz_store *store, struct tz_group_rec **out, size_t *count)
{
    return read_all(store, SQL_GROUPS, sizeof **out, read_group, free_groups, (void **)out, count);
}

tz_err tz_pg_institutions(struct tz_store *store, struct tz_group_rec **out, size_t *count)
{
    return read_all(store, SQL_INSTITUTIONS, sizeof **out, read_group, free_groups, (void **)out,
                    count);
}

struct districts_put {
    const struct tz_district_rec *recs;
    size_t count;
};

static tz_err districts_write(struct tz_pg_conn *c, void *ctx)
{
    const struct districts_put *d = ctx;
    tz_err err = TZ_OK;
    for (size_t i = 0; i < d->count && !err; i++) {
        struct tz_pg_args a = {0};
        tz_pg_arg_text(&a, d->recs[i].id);
        tz_pg_arg_text(&a, d->recs[i].name);
        tz_pg_arg_text(&a, d->recs[i].unit);
        tz_pg_arg_text(&a, d->recs[i].officer);
        tz_pg_arg_text(&a, d->recs[i].geometry);
        err = tz_pg_run(c, SQL_PUT_DISTRICT, &a, NULL, NULL);
    }
    return err;
}

tz_err tz_pg_put_districts(struct tz_store *store, const struct tz_district_rec *recs, size_t count)
{
    struct districts_put d = {recs, count};
    return tz_pg_in_write(store, districts_write, &d, NULL);
}

static tz_err read_district(const PGresult *res, int row, void *elem)
{
    struct tz_district_rec *r = elem;
    tz_err err;
    if ((err = tz_pg_code(res, row, 0, r->id, sizeof r->id)) ||
        (err = tz_pg_strdup(res, row, 1, &r->name)) ||
        (err = tz_pg_strdup(res, row, 2, &r->unit)) ||
        (err = tz_pg_strdup(res, row, 3, &r->officer)) ||
        (err = tz_pg_strdup(res, row, 4, &r->geometry)))
        return err;
    return TZ_OK;
}

static void free_districts(void *recs, size_t count)
{
    tz_district_recs_free(recs, count);
}

tz_err tz_pg_districts(struct tz_store *store, struct tz_district_rec **out, size_t *count)
{
    return read_all(store, SQL_DISTRICTS, sizeof **out, read_district, free_districts, (void **)out,
                    count);
}

/* ---- addresses (read at start by the address index) ---- */

struct address_scan {
    tz_store_address_fn fn;
    void *ctx;
};

static tz_err address_row(void *ctx, const PGresult *res, int row)
{
    const struct address_scan *s = ctx;
    struct tz_address_rec r;
    memset(&r, 0, sizeof r);
    tz_err err;
    if ((err = tz_pg_code(res, row, 0, r.locality, sizeof r.locality)) ||
        (err = tz_pg_code(res, row, 1, r.street, sizeof r.street)) ||
        (err = tz_pg_code(res, row, 2, r.number, sizeof r.number)) ||
        (err = tz_pg_code(res, row, 3, r.postcode, sizeof r.postcode)))
        return err;
    r.lon = tz_pg_double(res, row, 4);
    r.lat = tz_pg_double(res, row, 5);
    return s->fn(s->ctx, &r);
}

tz_err tz_pg_scan_addresses(struct tz_store *store, tz_store_address_fn fn, void *ctx)
{
    struct address_scan s = {fn, ctx};
    return tz_pg_scan(store, SQL_SCAN_ADDRESSES, NULL, address_row, &s);
}

struct address_put {
    tz_store_address_next_fn next;
    void *ctx;
    size_t *stored;
};

static tz_err addresses_write(struct tz_pg_conn *c, void *ctx)
{
    static const char sql[] =
        "INSERT INTO addresses (locality, street, number, postcode, lon, lat)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (locality, street, number) DO UPDATE SET"
        " postcode = excluded.postcode, lon = excluded.lon, lat = excluded.lat";
    struct address_put *p = ctx;
    struct tz_address_rec rec;
    tz_err err;
    while (!(err = p->next(p->ctx, &rec))) {
        struct tz_pg_args a = {0};
        tz_pg_arg_text(&a, rec.locality);
        tz_pg_arg_text(&a, rec.street);
        tz_pg_arg_text(&a, rec.number);
        tz_pg_arg_text(&a, rec.postcode);
        tz_pg_arg_double(&a, rec.lon);
        tz_pg_arg_double(&a, rec.lat);
        if ((err = tz_pg_run(c, sql, &a, NULL, NULL)))
            return err;
        (*p->stored)++;
    }
    return err == TZ_ENOTFOUND ? TZ_OK : err;
}

tz_err tz_pg_put_addresses(struct tz_store *store, tz_store_address_next_fn next, void *ctx,
                           const struct tz_audit_rec *audit, size_t *stored)
{
    struct address_put p = {next, ctx, stored};
    tz_err err = tz_pg_in_write(store, addresses_write, &p, audit);
    if (err)
        *stored = 0;
    return err;
}
