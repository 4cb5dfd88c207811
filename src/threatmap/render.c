/*
 * render.c - the JSON the threat map answers with: reports (public and
 * reporter views), submissions, categories and districts. Written straight
 * into a bounded buffer: reading one report is the hottest path there is.
 */
#include <string.h>

#include "base/tztime.h"
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

static tz_err put_str(struct tz_buf *out, const char *s)
{
    if (!s)
        return tz_buf_puts(out, "null");
    return tz_buf_json_string(out, s, strlen(s));
}

/* "key":"2026-...Z" or "key":null for 0. */
static tz_err put_time(struct tz_buf *out, const char *key, int64_t t)
{
    if (!t)
        return tz_buf_printf(out, "\"%s\":null", key);
    char text[TZ_TIME_TEXT_MAX];
    tz_time_format(t, text);
    return tz_buf_printf(out, "\"%s\":\"%s\"", key, text);
}

static tz_err put_when(struct tz_buf *out, const struct tz_report_rec *rec)
{
    static const char *const times[] = {"morning", "afternoon", "evening", "night"};
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    if (!rec->when_date && !rec->when_times && !rec->when_weekdays)
        return tz_buf_puts(out, ",\"when\":null");
    tz_err err = tz_buf_puts(out, ",\"when\":{");
    if (!err && rec->when_date) {
        int64_t wall = rec->when_date + tz_time_pl_offset(rec->when_date);
        int y, m, d;
        tz_time_civil_from_days(wall / 86400, &y, &m, &d);
        err = tz_buf_printf(out, "\"date\":\"%04d-%02d-%02d\",", y, m, d);
    }
    if (!err)
        err = tz_buf_puts(out, "\"times\":[");
    for (int i = 0, n = 0; !err && i < 4; i++) {
        if (rec->when_times & (1u << i))
            err = tz_buf_printf(out, "%s\"%s\"", n++ ? "," : "", times[i]);
    }
    if (!err)
        err = tz_buf_puts(out, "],\"weekdays\":[");
    for (int i = 0, n = 0; !err && i < 7; i++) {
        if (rec->when_weekdays & (1u << i))
            err = tz_buf_printf(out, "%s\"%s\"", n++ ? "," : "", days[i]);
    }
    if (!err)
        err = tz_buf_puts(out, "]}");
    return err;
}

static tz_err put_district(const struct tz_threatmap *tm, struct tz_buf *out, const char *id)
{
    const struct tz_district_rec *d = tz_threatmap_district(tm, id);
    tz_err err = tz_buf_puts(out, ",\"district\":{\"id\":");
    if (!err)
        err = put_str(out, id);
    if (!err && d) {
        err = tz_buf_puts(out, ",\"name\":");
        if (!err)
            err = put_str(out, d->name);
        if (!err)
            err = tz_buf_puts(out, ",\"unit\":");
        if (!err)
            err = put_str(out, d->unit);
    }
    if (!err)
        err = tz_buf_puts(out, "}");
    return err;
}

tz_err tm_render_report(const struct tz_threatmap *tm, const struct tz_report_rec *rec,
                        int64_t now, bool reporter_view, struct tz_buf *out)
{
    enum tz_status status = TZ_STATUS_NEW;
    tz_status_parse(rec->status, &status);
    const struct tz_category_rec *cat = tz_threatmap_category(tm, rec->category);
    tz_err err = tz_buf_printf(out, "{\"id\":%lld,\"category\":", (long long)rec->id);
    if (!err)
        err = put_str(out, rec->category);
    if (!err)
        err = tz_buf_puts(out, ",\"group\":");
    if (!err)
        err = put_str(out, cat ? cat->group : NULL);
    if (!err)
        err = tz_buf_printf(out, ",\"lat\":%.6f,\"lon\":%.6f", rec->lat, rec->lon);
    if (!err)
        err = put_district(tm, out, rec->district_id);
    if (!err)
        err = tz_buf_printf(out, ",\"status\":\"%s\",\"status_name\":{\"pl\":", rec->status);
    if (!err)
        err = put_str(out, tz_status_name_pl(status));
    if (!err)
        err = tz_buf_puts(out, ",\"en\":");
    if (!err)
        err = put_str(out, tz_status_name_en(status));
    if (!err)
        err = tz_buf_puts(out, "},");
    if (!err)
        err = put_time(out, "received_at", rec->received_at);
    if (!err)
        err = tz_buf_puts(out, ",");
    if (!err)
        err = put_time(out, "status_changed_at", rec->status_changed_at);
    if (!err)
        err = tz_buf_puts(out, ",\"deadlines\":{");
    if (!err)
        err = put_time(out, "take_up", rec->takeup_due);
    if (!err)
        err = tz_buf_puts(out, ",");
    if (!err)
        err = put_time(out, "verify", rec->verify_due);
    if (!err)
        err = tz_buf_printf(out, "},\"overdue\":%s,\"me_too\":%d,\"description\":",
                            tz_workflow_overdue(rec, status, now) ? "true" : "false",
                            rec->me_too);
    if (!err)
        err = put_str(out, reporter_view && rec->description ? rec->description
                                                             : rec->public_description);
    if (!err && reporter_view)
        err = put_when(out, rec);
    if (!err)
        err = tz_buf_puts(out, "}");
    return err;
}

/* The reporter's view adds the status history: each change and when it happened. */
static tz_err render_history(struct tz_threatmap *tm, int64_t id, struct tz_buf *out)
{
    struct tz_transition_rec *hist = NULL;
    size_t count = 0;
    tz_err err = tz_store_history(tm->store, id, &hist, &count);
    if (!err)
        err = tz_buf_puts(out, ",\"history\":[");
    for (size_t i = 0; !err && i < count; i++) {
        err = tz_buf_printf(out, "%s{\"from\":\"%s\",\"to\":\"%s\",", i ? "," : "",
                            hist[i].from, hist[i].to);
        if (!err)
            err = put_time(out, "at", hist[i].at);
        if (!err)
            err = tz_buf_puts(out, ",\"referred_to\":");
        if (!err)
            err = put_str(out, hist[i].referred_to);
        if (!err)
            err = tz_buf_puts(out, "}");
    }
    if (!err)
        err = tz_buf_puts(out, "]");
    tz_transition_recs_free(hist, count);
    return err;
}

/* The report with everything its reporter may see: the description and the history. */
static tz_err render_full(struct tz_threatmap *tm, const struct tz_report_rec *rec, int64_t now,
                          struct tz_buf *out)
{
    tz_err err = tm_render_report(tm, rec, now, true, out);
    if (!err) {
        out->len--; /* reopen the object to append the history */
        err = render_history(tm, rec->id, out);
    }
    if (!err)
        err = tz_buf_puts(out, "}");
    return err;
}

tz_err tz_threatmap_report_json(struct tz_threatmap *tm, int64_t id, const char *token,
                                int64_t now, struct tz_buf *out)
{
    struct tz_report_rec rec = {0};
    tz_err err = tz_store_get_report(tm->store, id, &rec);
    if (err)
        return err;
    bool reporter = false;
    if (token) {
        uint8_t hash[TZ_HASH_LEN];
        tm_token_hash(token, hash);
        if (sodium_memcmp(hash, rec.token_hash, TZ_HASH_LEN) != 0) {
            err = TZ_EFORBIDDEN;
            goto done;
        }
        reporter = true;
    } else if (!tm_publicly_visible(tm, &rec, now)) {
        err = TZ_ENOTFOUND;
        goto done;
    }
    err = reporter ? render_full(tm, &rec, now, out) : tm_render_report(tm, &rec, now, false, out);
done:
    tz_report_rec_clear(&rec);
    return err;
}

tz_err tz_threatmap_report_full_json(struct tz_threatmap *tm, int64_t id, int64_t now,
                                     struct tz_buf *out)
{
    struct tz_report_rec rec = {0};
    tz_err err = tz_store_get_report(tm->store, id, &rec);
    if (!err)
        err = render_full(tm, &rec, now, out);
    tz_report_rec_clear(&rec);
    return err;
}

tz_err tz_threatmap_submission_json(const struct tz_threatmap *tm,
                                    const struct tz_submission *sub, struct tz_buf *out)
{
    const struct tz_report_rec *rec = &sub->rec;
    tz_err err = tz_buf_printf(out, "{\"id\":%lld,\"status\":\"%s\"", (long long)rec->id,
                               rec->status);
    if (!err)
        err = put_district(tm, out, rec->district_id);
    if (!err)
        err = tz_buf_puts(out, ",");
    if (!err)
        err = put_time(out, "received_at", rec->received_at);
    if (!err)
        err = tz_buf_puts(out, ",\"deadlines\":{");
    if (!err)
        err = put_time(out, "take_up", rec->takeup_due);
    if (!err)
        err = tz_buf_printf(out, ",\"verify\":null},\"token\":\"%s\","
                                 "\"tracking_url\":\"/api/v1/reports/%lld?token=%s\"}",
                            sub->token, (long long)rec->id, sub->token);
    return err;
}

static tz_err put_category(struct tz_buf *out, const struct tz_category_rec *c)
{
    tz_err err = tz_buf_puts(out, "{\"code\":");
    if (!err)
        err = put_str(out, c->code);
    if (!err)
        err = tz_buf_puts(out, ",\"name\":{\"pl\":");
    if (!err)
        err = put_str(out, c->name_pl);
    if (!err)
        err = tz_buf_puts(out, ",\"en\":");
    if (!err)
        err = put_str(out, c->name_en);
    if (!err)
        err = tz_buf_printf(out,
                            "},\"retired\":%s,\"description_required\":%s,\"visibility\":\"%s\"}",
                            c->retired ? "true" : "false",
                            c->description_required ? "true" : "false", c->visibility);
    return err;
}

tz_err tz_threatmap_categories_json(const struct tz_threatmap *tm, struct tz_buf *out)
{
    tz_err err = tz_buf_puts(out, "{\"groups\":[");
    for (size_t g = 0; !err && g < tm->group_count; g++) {
        const struct tz_group_rec *group = &tm->groups[g];
        err = tz_buf_printf(out, "%s{\"code\":", g ? "," : "");
        if (!err)
            err = put_str(out, group->code);
        if (!err)
            err = tz_buf_puts(out, ",\"name\":{\"pl\":");
        if (!err)
            err = put_str(out, group->name_pl);
        if (!err)
            err = tz_buf_puts(out, ",\"en\":");
        if (!err)
            err = put_str(out, group->name_en);
        if (!err)
            err = tz_buf_puts(out, "},\"categories\":[");
        for (size_t c = 0, n = 0; !err && c < tm->category_count; c++) {
            if (strcmp(tm->categories[c].group, group->code) != 0)
                continue;
            if (n++)
                err = tz_buf_puts(out, ",");
            if (!err)
                err = put_category(out, &tm->categories[c]);
        }
        if (!err)
            err = tz_buf_puts(out, "]}");
    }
    if (!err)
        err = tz_buf_puts(out, "]}");
    return err;
}

tz_err tz_threatmap_districts_geojson(const struct tz_threatmap *tm, struct tz_buf *out)
{
    tz_err err = tz_buf_puts(out, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (size_t i = 0; !err && i < tm->district_count; i++) {
        const struct tz_district_rec *d = &tm->districts[i];
        err = tz_buf_printf(out, "%s{\"type\":\"Feature\",\"id\":", i ? "," : "");
        if (!err)
            err = put_str(out, d->id);
        if (!err)
            err = tz_buf_puts(out, ",\"properties\":{\"name\":");
        if (!err)
            err = put_str(out, d->name);
        if (!err)
            err = tz_buf_puts(out, ",\"unit\":");
        if (!err)
            err = put_str(out, d->unit);
        if (!err)
            err = tz_buf_puts(out, ",\"officer\":");
        if (!err)
            err = put_str(out, d->officer);
        if (!err)
            err = tz_buf_puts(out, "},\"geometry\":");
        /* The geometry was validated and normalised by geo/ on import. */
        if (!err)
            err = tz_buf_puts(out, d->geometry);
        if (!err)
            err = tz_buf_puts(out, "}");
    }
    if (!err)
        err = tz_buf_puts(out, "]}");
    return err;
}
