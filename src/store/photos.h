/*
 * photos.h - the store's photos of reports (issue 19, migration 20). A
 * report's photos are written by insert_reports in the report's own
 * transaction (tz_report_rec.photos), so that a report is acknowledged only
 * with its photos on disk; they are never public until an officer has
 * reviewed them (review_photo, with its audit entry in the same transaction).
 * Each photo is kept as two JPEGs without metadata (photo/photo.h made
 * them): the display size and a thumbnail.
 */
#ifndef TZ_STORE_PHOTOS_H
#define TZ_STORE_PHOTOS_H

#include "store/common.h"

#define TZ_REPORT_PHOTOS_MAX 3 /* photos of one report */
#define TZ_PHOTO_STATUS_MAX 12 /* "pending", "approved", "rejected", NUL included */

/* A photo as stored. */
struct tz_photo_rec {
    int64_t id;        /* assigned by the store on insert */
    int64_t report_id; /* set by insert_reports from its report */
    int idx;           /* 1..TZ_REPORT_PHOTOS_MAX, in the order the reporter sent them */
    char status[TZ_PHOTO_STATUS_MAX];
    int width, height;             /* of the display size */
    int thumb_width, thumb_height; /* of the thumbnail */
    uint8_t *image;                /* the display size (JPEG); NULL in lists */
    size_t image_len;
    uint8_t *thumb; /* the thumbnail (JPEG); NULL in lists */
    size_t thumb_len;
    int64_t reviewed_at; /* 0 until reviewed */
    char reviewed_by[TZ_ACCOUNT_NAME_MAX];
};

/* Releases what one photo owns (not the record itself); an array with its records. */
void tz_photo_rec_clear(struct tz_photo_rec *rec);
void tz_photo_recs_free(struct tz_photo_rec *recs, size_t count);

/* clang-format off */
#define TZ_STORE_PHOTO_OPS(X)                                                                      \
    /*                                                                                             \
     * The photos of a report by idx, without their bytes: every one, or only those an             \
     * officer approved. Empty for a report with none (or no report). Free with                    \
     * tz_photo_recs_free.                                                                         \
     */                                                                                            \
    X(photos_of, (struct tz_store *store, int64_t report_id, bool approved_only,                   \
       struct tz_photo_rec **out, size_t *count),                                                  \
      (store, report_id, approved_only, out, count),                                               \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /*                                                                                             \
     * One photo by id with the bytes of one size (thumb: the thumbnail, else the display          \
     * size, in image). TZ_ENOTFOUND if there is none. Free with tz_photo_rec_clear.               \
     */                                                                                            \
    X(get_photo, (struct tz_store *store, int64_t id, bool thumb, struct tz_photo_rec *out),       \
      (store, id, thumb, out),                                                                     \
      TZ_PRE_ZERO(out) TZ_PRE_IF(id <= 0, TZ_ENOTFOUND))                                           \
    /*                                                                                             \
     * An officer's decision on a photo ("approved" or "rejected") at `at` by actor, with          \
     * audit (may be NULL) in the same transaction. TZ_ENOTFOUND if there is no such photo.        \
     */                                                                                            \
    X(review_photo, (struct tz_store *store, int64_t id, const char *status, int64_t at,           \
       const char *actor, const struct tz_audit_rec *audit),                                       \
      (store, id, status, at, actor, audit),                                                       \
      TZ_PRE_NEED(status && actor && TZ_PRE_FITS(actor, TZ_ACCOUNT_NAME_MAX))                      \
      TZ_PRE_NEED(TZ_PRE_AUDIT(audit)) TZ_PRE_IF(id <= 0, TZ_ENOTFOUND))
/* clang-format on */
TZ_STORE_PHOTO_OPS(TZ_STORE_DECLARE)

#endif
