/*
 * photos.h - the photos of a report (part of threatmap.h; issue 19): what a
 * door read of them, their review by an officer, and who may see them.
 *
 * A reporter sends at most TZ_REPORT_PHOTOS_MAX photos with a report;
 * tz_threatmap_prepare checks and encodes each anew (photo/photo.h: no
 * metadata survives) and the report's insert stores them in its own
 * transaction. A photo stays "pending" until an officer approves or rejects
 * it; the public (the report, Open311's media_url, the photo's own address)
 * sees approved photos of reports it may see, and nothing else.
 */
#ifndef TZ_THREATMAP_PHOTOS_H
#define TZ_THREATMAP_PHOTOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct tz_threatmap;

/* One photo as a door read it: its bytes (borrowed for the call), or why it could not. */
struct tz_photo_input {
    const uint8_t *data;
    size_t len;
    const char *problem; /* the door's reason (not base64, ...), listed as /photos/<i> */
};

/*
 * The bytes of one size of a photo the public may see: approved, of a report the
 * public sees at now. TZ_ENOTFOUND otherwise (pending and rejected photos are not
 * told from missing ones). Free with tz_photo_rec_clear.
 */
tz_err tz_threatmap_photo_public(struct tz_threatmap *tm, int64_t id, bool thumb, int64_t now,
                                 struct tz_photo_rec *out);
/* The approved photos of a report (no bytes), for its public views; free with tz_photo_recs_free.
 */
tz_err tz_threatmap_photos_approved(struct tz_threatmap *tm, int64_t report_id,
                                    struct tz_photo_rec **out, size_t *count);
/* Which report a photo belongs to (any status), for the police door's permission check. */
tz_err tz_threatmap_photo_report(struct tz_threatmap *tm, int64_t id, int64_t *report_id);
/*
 * One size of any photo for the police, answered only once who's "report.read" entry
 * (object photo/<id>) is in the audit log. Free with tz_photo_rec_clear.
 */
tz_err tz_threatmap_photo_police(struct tz_threatmap *tm, int64_t id, bool thumb, int64_t now,
                                 const struct tz_audit_rec *who, struct tz_photo_rec *out);
/*
 * An officer's review: approve (public from now on) or reject (never public), written
 * with audit (its action "photo.review", object photo/<id>) in one transaction by
 * actor at now. TZ_ENOTFOUND if there is no such photo.
 */
tz_err tz_threatmap_photo_review(struct tz_threatmap *tm, int64_t id, bool approve,
                                 const char *actor, int64_t now, const struct tz_audit_rec *audit);

#endif
