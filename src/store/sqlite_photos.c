/*
 * sqlite_photos.c - the SQLite backend's photos of reports: written in the
 * insert of their report (tz_sq_put_photos, called by tz_sq_insert_reports
 * inside its transaction), listed without their bytes, read one size at a
 * time, and reviewed with the audit entry in the same transaction.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_internal.h"

#define PHOTO_COLS                                                                                 \
    "id, report_id, idx, status, width, height, thumb_width, thumb_height, reviewed_at,"           \
    " reviewed_by"

static const char SQL_PUT_PHOTO[] =
    "INSERT INTO report_photos (report_id, idx, width, height, thumb_width, thumb_height, image,"
    " thumb) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_PHOTOS_OF[] =
    "SELECT " PHOTO_COLS " FROM report_photos WHERE report_id = ? ORDER BY idx";
static const char SQL_APPROVED_PHOTOS_OF[] = "SELECT " PHOTO_COLS " FROM report_photos"
                                             " WHERE report_id = ? AND status = 'approved'"
                                             " ORDER BY idx";
static const char SQL_GET_IMAGE[] = "SELECT " PHOTO_COLS ", image FROM report_photos WHERE id = ?";
static const char SQL_GET_THUMB[] = "SELECT " PHOTO_COLS ", thumb FROM report_photos WHERE id = ?";

tz_err tz_sq_put_photos(struct tz_sq_conn *c, struct tz_report_rec *recs, size_t count)
{
    tz_err err = TZ_OK;
    for (size_t i = 0; i < count && !err; i++) {
        for (size_t k = 0; k < recs[i].photo_count && !err; k++) {
            struct tz_photo_rec *p = &recs[i].photos[k];
            sqlite3_stmt *st;
            if ((err = tz_sq_stmt(c, SQL_PUT_PHOTO, &st)))
                break;
            struct tz_sq_binder b = tz_sq_binder_of(st);
            tz_sq_bind_int64(&b, recs[i].id);
            tz_sq_bind_int64(&b, (int64_t)k + 1);
            tz_sq_bind_int64(&b, p->width);
            tz_sq_bind_int64(&b, p->height);
            tz_sq_bind_int64(&b, p->thumb_width);
            tz_sq_bind_int64(&b, p->thumb_height);
            tz_sq_bind_blob(&b, p->image, (int)p->image_len);
            tz_sq_bind_blob(&b, p->thumb, (int)p->thumb_len);
            err = b.rc != SQLITE_OK ? tz_sq_map_rc(b.rc) : tz_sq_stmt_run(st);
            if (!err) {
                p->id = sqlite3_last_insert_rowid(c->db);
                p->report_id = recs[i].id;
                p->idx = (int)k + 1;
            }
            tz_sq_stmt_done(st);
        }
    }
    return err;
}

/* A row of PHOTO_COLS into elem (a struct tz_photo_rec, zeroed). */
static tz_err read_photo(sqlite3_stmt *st, void *elem)
{
    struct tz_photo_rec *p = elem;
    p->id = sqlite3_column_int64(st, 0);
    p->report_id = sqlite3_column_int64(st, 1);
    p->idx = sqlite3_column_int(st, 2);
    tz_err err = tz_sq_col_code(st, 3, p->status, sizeof p->status);
    p->width = sqlite3_column_int(st, 4);
    p->height = sqlite3_column_int(st, 5);
    p->thumb_width = sqlite3_column_int(st, 6);
    p->thumb_height = sqlite3_column_int(st, 7);
    p->reviewed_at = sqlite3_column_int64(st, 8);
    if (!err)
        err = tz_sq_col_code(st, 9, p->reviewed_by, sizeof p->reviewed_by);
    return err;
}

static void free_photos(void *recs, size_t count)
{
    tz_photo_recs_free(recs, count);
}

tz_err tz_sq_photos_of(struct tz_store *store, int64_t report_id, bool approved_only,
                       struct tz_photo_rec **out, size_t *count)
{
    if (report_id <= 0)
        return TZ_OK;
    return tz_sq_read_all(store, approved_only ? SQL_APPROVED_PHOTOS_OF : SQL_PHOTOS_OF, report_id,
                          sizeof **out, read_photo, free_photos, (void **)out, count);
}

tz_err tz_sq_get_photo(struct tz_store *store, int64_t id, bool thumb, struct tz_photo_rec *out)
{
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    sqlite3_stmt *st = NULL;
    tz_err err = tz_sq_stmt(c, thumb ? SQL_GET_THUMB : SQL_GET_IMAGE, &st);
    if (!err) {
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
            err = TZ_ENOTFOUND;
        else if (rc != SQLITE_ROW)
            err = tz_sq_map_rc(rc);
        else
            err = read_photo(st, out);
        if (!err) {
            const void *bytes = sqlite3_column_blob(st, 10);
            size_t n = (size_t)sqlite3_column_bytes(st, 10);
            uint8_t *copy = malloc(n ? n : 1);
            if (!copy) {
                err = TZ_ENOMEM;
            } else {
                if (n)
                    memcpy(copy, bytes, n);
                *(thumb ? &out->thumb : &out->image) = copy;
                *(thumb ? &out->thumb_len : &out->image_len) = n;
            }
        }
    }
    tz_sq_stmt_done(st);
    tz_sq_reader_release(store, c);
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

static tz_err review_write(sqlite3 *db, void *ctx)
{
    const struct review *r = ctx;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db,
                            "UPDATE report_photos SET status = ?, reviewed_at = ?, reviewed_by = ?"
                            " WHERE id = ?",
                            &st);
    if (err)
        return err;
    tz_sq_bind_at(st, 1, r->status);
    sqlite3_bind_int64(st, 2, r->at);
    tz_sq_bind_at(st, 3, r->actor);
    sqlite3_bind_int64(st, 4, r->id);
    if ((err = tz_sq_run_once(st)))
        return err;
    return sqlite3_changes(db) ? TZ_OK : TZ_ENOTFOUND;
}

tz_err tz_sq_review_photo(struct tz_store *store, int64_t id, const char *status, int64_t at,
                          const char *actor, const struct tz_audit_rec *audit)
{
    struct review r = {id, status, at, actor};
    return tz_sq_in_write(store, review_write, &r, audit);
}
