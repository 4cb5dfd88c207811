/*
 * photos.c - a report's photos in the threat map: taken in with the report
 * (each encoded anew by photo/photo.h before it reaches the record), reviewed
 * by an officer, and shown to the public only once approved and only on a
 * report the public may see.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "photo/photo.h"
#include "threatmap/internal.h"

/* Encodes one photo anew into p; a refusal is listed under its JSON Pointer. */
static tz_err take_photo(const struct tz_photo_input *in, size_t i, struct tz_photo_rec *p,
                         struct tz_field_errors *errs)
{
    char field[16];
    snprintf(field, sizeof field, "/photos/%zu", i);
    if (in->problem) {
        tz_fielderr_add(errs, field, "%s", in->problem);
        return TZ_OK;
    }
    struct tz_photo out;
    const char *why = NULL;
    tz_err err = tz_photo_process(in->data, in->len, &out, &why);
    if (err == TZ_EINVAL || err == TZ_ETOOBIG) {
        tz_fielderr_add(errs, field, "%s", why ? why : "the image cannot be read");
        return TZ_OK;
    }
    if (err)
        return err;
    p->idx = (int)i + 1;
    p->width = out.width;
    p->height = out.height;
    p->thumb_width = out.thumb_width;
    p->thumb_height = out.thumb_height;
    p->image = out.full; /* p takes both buffers */
    p->image_len = out.full_len;
    p->thumb = out.thumb;
    p->thumb_len = out.thumb_len;
    snprintf(p->status, sizeof p->status, "pending");
    return TZ_OK;
}

tz_err tm_read_photos(const struct tz_report_input *in, struct tz_report_rec *rec,
                      struct tz_field_errors *errs)
{
    if (in->photos_problem) {
        tz_fielderr_add(errs, "/photos", "%s", in->photos_problem);
        return TZ_OK;
    }
    if (in->photo_count == 0)
        return TZ_OK;
    if (in->photo_count > TZ_REPORT_PHOTOS_MAX) {
        tz_fielderr_add(errs, "/photos", "at most %d photos", TZ_REPORT_PHOTOS_MAX);
        return TZ_OK;
    }
    rec->photos = calloc(in->photo_count, sizeof *rec->photos);
    if (!rec->photos)
        return TZ_ENOMEM;
    rec->photo_count = in->photo_count;
    tz_err err = TZ_OK;
    for (size_t i = 0; i < in->photo_count && !err; i++)
        err = take_photo(&in->photos[i], i, &rec->photos[i], errs);
    return err;
}

tz_err tz_threatmap_photos_approved(struct tz_threatmap *tm, int64_t report_id,
                                    struct tz_photo_rec **out, size_t *count)
{
    return tz_store_photos_of(tm->store, report_id, true, out, count);
}

tz_err tz_threatmap_photo_public(struct tz_threatmap *tm, int64_t id, bool thumb, int64_t now,
                                 struct tz_photo_rec *out)
{
    struct tz_report_rec rec = {0};
    tz_err err = tz_store_get_photo(tm->store, id, thumb, out);
    if (!err && strcmp(out->status, "approved") != 0)
        err = TZ_ENOTFOUND;
    if (!err)
        err = tz_store_get_report(tm->store, out->report_id, &rec);
    if (!err && !tm_publicly_visible(tm, &rec, now))
        err = TZ_ENOTFOUND;
    tz_report_rec_clear(&rec);
    if (err)
        tz_photo_rec_clear(out);
    return err;
}

tz_err tz_threatmap_photo_report(struct tz_threatmap *tm, int64_t id, int64_t *report_id)
{
    struct tz_photo_rec p;
    *report_id = 0;
    tz_err err = tz_store_get_photo(tm->store, id, true, &p);
    if (!err)
        *report_id = p.report_id;
    tz_photo_rec_clear(&p);
    return err;
}

tz_err tz_threatmap_photo_police(struct tz_threatmap *tm, int64_t id, bool thumb, int64_t now,
                                 const struct tz_audit_rec *who, struct tz_photo_rec *out)
{
    tz_err err = tz_store_get_photo(tm->store, id, thumb, out);
    char object[48], fields[64];
    snprintf(object, sizeof object, "photo/%lld", (long long)id);
    snprintf(fields, sizeof fields, "{\"report\":%lld,\"size\":\"%s\"}", (long long)out->report_id,
             thumb ? "thumb" : "full");
    struct tz_audit_rec audit = {.at = now,
                                 .actor = who->actor,
                                 .role = who->role,
                                 .client = who->client,
                                 .action = tz_audit_code(TZ_AUDIT_REPORT_READ),
                                 .object = object,
                                 .fields = fields,
                                 .outcome = "ok"};
    if (!err)
        err = tz_store_audit_append(tm->store, &audit);
    if (err) /* no entry, no photo */
        tz_photo_rec_clear(out);
    return err;
}

tz_err tz_threatmap_photo_review(struct tz_threatmap *tm, int64_t id, bool approve,
                                 const char *actor, int64_t now, const struct tz_audit_rec *audit)
{
    return tz_store_review_photo(tm->store, id, approve ? "approved" : "rejected", now, actor,
                                 audit);
}
