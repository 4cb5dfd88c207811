/*
 * read.c - reading one report by the rules of DESIGN 1.1: what the public may
 * see, the reporter's view behind the tracking token, the police view, and a
 * citizen's "me too". http/render.c writes what these return.
 */
#include <string.h>

#include "threatmap/internal.h"

bool tm_publicly_visible(const struct tz_threatmap *tm, const struct tz_report_rec *rec,
                         int64_t now)
{
    enum tz_status status;
    if (tz_status_parse(rec->status, &status) != TZ_OK)
        return false;
    if (!tz_workflow_publicly_visible(&tm->cfg.workflow, status, rec->status_changed_at, now))
        return false;
    const struct tz_category_rec *cat = tz_threatmap_category(tm, rec->category);
    if (!cat || strcmp(cat->visibility, "never") == 0)
        return false;
    if (strcmp(cat->visibility, "once_confirmed") == 0)
        return tz_status_is_confirmed(status);
    return true;
}

void tz_report_view_clear(struct tz_report_view *v)
{
    tz_report_rec_clear(&v->rec);
    tz_transition_recs_free(v->history, v->history_count);
    v->history = NULL;
    v->history_count = 0;
    tz_photo_recs_free(v->photos, v->photo_count);
    v->photos = NULL;
    v->photo_count = 0;
    v->photos_read = false;
    v->reporter = false;
}

/* Reads the history of the report in view: the reporter's view shows it. */
static tz_err read_history(struct tz_threatmap *tm, struct tz_report_view *view)
{
    view->reporter = true;
    return tz_store_history(tm->store, view->rec.id, &view->history, &view->history_count);
}

tz_err tz_threatmap_report_read(struct tz_threatmap *tm, int64_t id, const char *token, int64_t now,
                                struct tz_report_view *out)
{
    memset(out, 0, sizeof *out);
    tz_err err = tz_store_get_report(tm->store, id, &out->rec);
    if (err)
        goto done;
    if (token) {
        uint8_t hash[TZ_HASH_LEN];
        tm_token_hash(token, hash);
        if (sodium_memcmp(hash, out->rec.token_hash, TZ_HASH_LEN) != 0) {
            /* A hidden report answers a wrong token as a missing one: no existence oracle. */
            err = tm_publicly_visible(tm, &out->rec, now) ? TZ_EFORBIDDEN : TZ_ENOTFOUND;
            goto done;
        }
        err = read_history(tm, out);
    } else if (!tm_publicly_visible(tm, &out->rec, now)) {
        err = TZ_ENOTFOUND;
    }
    if (!err) /* the public and the reporter see only what an officer approved */
        err = tz_store_photos_of(tm->store, id, true, &out->photos, &out->photo_count);
    out->photos_read = !err;
done:
    if (err)
        tz_report_view_clear(out);
    return err;
}

tz_err tz_threatmap_report_full(struct tz_threatmap *tm, int64_t id, struct tz_report_view *out)
{
    memset(out, 0, sizeof *out);
    tz_err err = tz_store_get_report(tm->store, id, &out->rec);
    if (!err)
        err = read_history(tm, out);
    if (!err)
        err = tz_store_photos_of(tm->store, id, false, &out->photos, &out->photo_count);
    out->photos_read = !err;
    if (err)
        tz_report_view_clear(out);
    return err;
}

/* Statuses a citizen may still say "me too" to: the threat is there or may be. */
static bool takes_me_too(enum tz_status s)
{
    return s == TZ_STATUS_NEW || s == TZ_STATUS_VERIFYING || s == TZ_STATUS_CONFIRMED ||
           s == TZ_STATUS_REFERRED;
}

tz_err tz_threatmap_me_too(struct tz_threatmap *tm, int64_t id, const char *client_addr,
                           int64_t now, int *count)
{
    struct tz_report_rec rec = {0};
    enum tz_status status;
    *count = 0;
    tz_err err = tz_store_get_report(tm->store, id, &rec);
    if (err)
        goto done;
    if (!tm_publicly_visible(tm, &rec, now) || tz_status_parse(rec.status, &status) != TZ_OK) {
        err = TZ_ENOTFOUND;
        goto done;
    }
    if (!takes_me_too(status)) {
        err = TZ_ECONFLICT;
        goto done;
    }
    uint8_t who[TZ_HASH_LEN];
    tm_reporter_hash(tm, client_addr, who);
    err = tz_store_add_me_too(tm->store, id, who, now, count);
done:
    tz_report_rec_clear(&rec);
    return err;
}
