/*
 * sqlite_catalog.c - the SQLite backend's catalogue: categories and their
 * groups, districts, and the institutions a report may be referred to. Data
 * the threat map reads at start and the import writes; none of it changes
 * per request.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

static const char SQL_CATEGORIES[] =
    "SELECT code, group_code, name_pl, name_en, retired, description_required,"
    " visibility, sort_order FROM categories ORDER BY sort_order, code";
static const char SQL_GROUPS[] =
    "SELECT code, name_pl, name_en FROM category_groups ORDER BY sort_order, code";
/* An upsert, not INSERT OR REPLACE: replacing would delete a row that reports refer to. */
static const char SQL_PUT_DISTRICT[] = "INSERT INTO districts (id, name, unit, officer, geometry)"
                                       " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                                       " name = excluded.name, unit = excluded.unit,"
                                       " officer = excluded.officer, geometry = excluded.geometry";
static const char SQL_DISTRICTS[] =
    "SELECT id, name, unit, officer, geometry FROM districts ORDER BY id";

static tz_err read_category(sqlite3_stmt *st, void *elem)
{
    struct tz_category_rec *r = elem;
    r->retired = sqlite3_column_int(st, 4) != 0;
    r->description_required = sqlite3_column_int(st, 5) != 0;
    r->sort_order = sqlite3_column_int(st, 7);
    tz_err err;
    if ((err = tz_sq_col_code(st, 0, r->code, sizeof r->code)) ||
        (err = tz_sq_col_code(st, 1, r->group, sizeof r->group)) ||
        (err = tz_sq_col_strdup(st, 2, &r->name_pl)) ||
        (err = tz_sq_col_strdup(st, 3, &r->name_en)) ||
        (err = tz_sq_col_code(st, 6, r->visibility, sizeof r->visibility)))
        return err;
    return TZ_OK;
}

static void free_categories(void *recs, size_t count)
{
    tz_category_recs_free(recs, count);
}

tz_err tz_sq_categories(struct tz_store *store, struct tz_category_rec **out, size_t *count)
{
    return tz_sq_read_all(store, SQL_CATEGORIES, 0, sizeof **out, read_category, free_categories,
                          (void **)out, count);
}

static tz_err read_group(sqlite3_stmt *st, void *elem)
{
    struct tz_group_rec *r = elem;
    tz_err err;
    if ((err = tz_sq_col_code(st, 0, r->code, sizeof r->code)) ||
        (err = tz_sq_col_strdup(st, 1, &r->name_pl)) ||
        (err = tz_sq_col_strdup(st, 2, &r->name_en)))
        return err;
    return TZ_OK;
}

static void free_groups(void *recs, size_t count)
{
    tz_group_recs_free(recs, count);
}

tz_err tz_sq_groups(struct tz_store *store, struct tz_group_rec **out, size_t *count)
{
    return tz_sq_read_all(store, SQL_GROUPS, 0, sizeof **out, read_group, free_groups, (void **)out,
                          count);
}

tz_err tz_sq_put_districts(struct tz_store *store, const struct tz_district_rec *recs, size_t count)
{
    struct tz_sq_conn *c;
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_writer_begin(store, &c);
    if (err)
        return err;
    if ((err = tz_sq_stmt(c, SQL_PUT_DISTRICT, &st)))
        goto done;
    for (size_t i = 0; i < count && !err; i++) {
        struct tz_sq_binder b = tz_sq_binder_of(st);
        tz_sq_bind_text(&b, recs[i].id);
        tz_sq_bind_text(&b, recs[i].name);
        tz_sq_bind_text(&b, recs[i].unit);
        tz_sq_bind_text(&b, recs[i].officer);
        tz_sq_bind_text(&b, recs[i].geometry);
        err = b.rc != SQLITE_OK ? tz_sq_map_rc(b.rc) : tz_sq_stmt_run(st);
    }
done:
    return tz_sq_writer_end(store, st, err);
}

static tz_err read_district(sqlite3_stmt *st, void *elem)
{
    struct tz_district_rec *r = elem;
    tz_err err;
    if ((err = tz_sq_col_code(st, 0, r->id, sizeof r->id)) ||
        (err = tz_sq_col_strdup(st, 1, &r->name)) || (err = tz_sq_col_strdup(st, 2, &r->unit)) ||
        (err = tz_sq_col_strdup(st, 3, &r->officer)) ||
        (err = tz_sq_col_strdup(st, 4, &r->geometry)))
        return err;
    return TZ_OK;
}

static void free_districts(void *recs, size_t count)
{
    tz_district_recs_free(recs, count);
}

tz_err tz_sq_districts(struct tz_store *store, struct tz_district_rec **out, size_t *count)
{
    return tz_sq_read_all(store, SQL_DISTRICTS, 0, sizeof **out, read_district, free_districts,
                          (void **)out, count);
}

tz_err tz_sq_institutions(struct tz_store *store, struct tz_group_rec **out, size_t *count)
{
    sqlite3 *db = tz_sq_read_begin(store);
    sqlite3_stmt *st = NULL;
    struct tz_group_rec *recs = NULL;
    size_t n = 0, cap = 0;
    tz_err err =
        tz_sq_prep(db, "SELECT code, name_pl, name_en FROM institutions ORDER BY sort_order", &st);
    int rc = SQLITE_DONE;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((err = tz_store_grow((void **)&recs, &cap, n, sizeof *recs)))
            break;
        struct tz_group_rec *g = &recs[n++];
        memset(g, 0, sizeof *g);
        const char *pl = NULL, *en = NULL;
        if ((err = tz_sq_col_code(st, 0, g->code, sizeof g->code)) ||
            (err = tz_sq_col_dup(st, 1, &pl)) || (err = tz_sq_col_dup(st, 2, &en))) {
            free((char *)pl);
            break;
        }
        g->name_pl = (char *)pl;
        g->name_en = (char *)en;
    }
    if (!err && rc != SQLITE_DONE)
        err = tz_sq_map_rc(rc);
    sqlite3_finalize(st);
    tz_sq_read_end(store, db);
    if (err) {
        tz_group_recs_free(recs, n);
        return err;
    }
    *out = recs;
    *count = n;
    return TZ_OK;
}
