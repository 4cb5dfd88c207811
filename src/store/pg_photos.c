/*
 * pg_photos.c - the PostgreSQL backend's photos of reports (migration 19): the list of a
 * report's photos, one photo with the bytes of one size, and an officer's review with its audit
 * entry. They are written with their report, in its transaction (pg_reports.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_internal.h"

#define PHOTO_COLS                                                                                 \
    "id, report_id, idx, status, width, height, thumb_width, thumb_height, reviewed_at,"           \
    " reviewed_by"
static const char SQL_PHOTOS_OF[] =
    "SELECT " PHOTO_COLS " FROM report_photos WHERE report_id = $1 ORDER BY idx";
static const char SQL_APPROVED_PHOTOS_OF[] = "SELECT " PHOTO_COLS " FROM report_photos"
                                             " WHERE report_id = $1 AND status = 'approved'"
                                             " ORDER BY idx";
static const char SQL_GET_IMAGE[] = "SELECT " PHOTO_COLS ", image FROM report_photos WHERE id = $1";
static const char SQL_GET_THUMB[] = "SELECT " PHOTO_COLS ", thumb FROM report_photos WHERE id = $1";
static const char SQL_REVIEW[] =
    "UPDATE report_photos SET status = $1, reviewed_at = $2, reviewed_by = $3 WHERE id = $4";

static tz_err read_photo(const PGresult *r, int row, void *elem)
{
    struct tz_photo_rec *p = elem;
    p->id = tz_pg_int(r, row, 0);
    p->report_id = tz_pg_int(r, row, 1);
    p->idx = (int)tz_pg_int(r, row, 2);
    p->width = (int)tz_pg_int(r, row, 4);
    p->height = (int)tz_pg_int(r, row, 5);
    p->thumb_width = (int)tz_pg_int(r, row, 6);
    p->thumb_height = (int)tz_pg_int(r, row, 7);
    p->reviewed_at = tz_pg_int(r, row, 8);
    tz_err err = tz_pg_code(r, row, 3, p->status, sizeof p->status);
    return err ? err : tz_pg_code(r, row, 9, p->reviewed_by, sizeof p->reviewed_by);
}

static void free_photos(void *recs, size_t count)
{
    tz_photo_recs_free(recs, count);
}

tz_err tz_pg_photos_of(struct tz_store *store, int64_t report_id, bool approved_only,
                       struct tz_photo_rec **out, size_t *count)
{
    if (report_id <= 0)
        return TZ_OK;
    struct tz_pg_args a = {0};
    tz_pg_arg_int(&a, report_id);
    PGresult *r = NULL;
    tz_err err = tz_pg_query(store, approved_only ? SQL_APPROVED_PHOTOS_OF : SQL_PHOTOS_OF, &a, &r);
    if (!err)
        err = tz_pg_read_rows(r, sizeof **out, read_photo, free_photos, (void **)out, count);
    PQclear(r);
    return err;
}

tz_err tz_pg_get_photo(struct tz_store *store, int64_t id, bool thumb, struct tz_photo_rec *out)
{
    struct tz_pg_args a = {0};
    PGresult *r = NULL;
    tz_pg_arg_int(&a, id);
    tz_err err = tz_pg_query(store, thumb ? SQL_GET_THUMB : SQL_GET_IMAGE, &a, &r);
    if (!err && PQntuples(r) == 0)
        err = TZ_ENOTFOUND;
    if (!err)
        err = read_photo(r, 0, out);
    if (!err)
        err = tz_pg_bytes_dup(r, 0, 10, thumb ? &out->thumb : &out->image,
                              thumb ? &out->thumb_len : &out->image_len);
    PQclear(r);
    if (err)
        tz_photo_rec_clear(out);
    return err;
}

struct review {
    int64_t id;
    const char *status;
    int64_t at;
    const char *actor;
};

static tz_err review_write(struct tz_pg_conn *c, void *ctx)
{
    const struct review *rv = ctx;
    struct tz_pg_args a = {0};
    int64_t changed = 0;
    tz_pg_arg_text(&a, rv->status);
    tz_pg_arg_int(&a, rv->at);
    tz_pg_arg_text(&a, rv->actor);
    tz_pg_arg_int(&a, rv->id);
    tz_err err = tz_pg_run(c, SQL_REVIEW, &a, NULL, &changed);
    return err ? err : changed ? TZ_OK : TZ_ENOTFOUND;
}

tz_err tz_pg_review_photo(struct tz_store *store, int64_t id, const char *status, int64_t at,
                          const char *actor, const struct tz_audit_rec *audit)
{
    struct review rv = {id, status, at, actor};
    return tz_pg_in_write(store, review_write, &rv, audit);
}
