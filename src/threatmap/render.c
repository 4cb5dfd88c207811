/*
 * render.c - the JSON the threat map answers with: reports (public and
 * reporter views), submissions, categories and districts. Written straight
 * into a bounded buffer: reading one report is the hottest path there is.
 */
#include <stdarg.h>
#include <stdio.h>
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

/*
 * A JSON writer whose first failure sticks: every later write is skipped and
 * the error comes back once, at the end, so that a document reads as one
 * straight sequence of writes instead of a chain of "if (!err)".
 */
struct jw {
    struct tz_buf *b;
    tz_err err;
};

static void jw_raw(struct jw *w, const char *s)
{
    if (!w->err)
        w->err = tz_buf_puts(w->b, s);
}

__attribute__((format(printf, 2, 3))) static void jw_printf(struct jw *w, const char *fmt, ...)
{
    if (w->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    w->err = tz_buf_vprintf(w->b, fmt, ap);
    va_end(ap);
}

/* A JSON string, or null for NULL. */
static void jw_str(struct jw *w, const char *s)
{
    if (w->err)
        return;
    w->err = tz_buf_json_cstr(w->b, s);
}

/* "key":"2026-...Z", or "key":null for 0. */
static void jw_time(struct jw *w, const char *key, int64_t t)
{
    char text[TZ_TIME_TEXT_MAX];
    if (!t) {
        jw_printf(w, "\"%s\":null", key);
        return;
    }
    tz_time_format(t, text);
    jw_printf(w, "\"%s\":\"%s\"", key, text);
}

/* "key":{"pl":...,"en":...} */
static void jw_names(struct jw *w, const char *key, const char *pl, const char *en)
{
    jw_printf(w, "\"%s\":{\"pl\":", key);
    jw_str(w, pl);
    jw_raw(w, ",\"en\":");
    jw_str(w, en);
    jw_raw(w, "}");
}

/* A JSON array of the names whose bit is set in bits. */
static void jw_name_set(struct jw *w, unsigned bits, const char *const *names, int count)
{
    jw_raw(w, "[");
    for (int i = 0, n = 0; i < count; i++) {
        if (bits & (1u << i))
            jw_printf(w, "%s\"%s\"", n++ ? "," : "", names[i]);
    }
    jw_raw(w, "]");
}

static void put_when(struct jw *w, const struct tz_report_rec *rec)
{
    static const char *const times[] = {"morning", "afternoon", "evening", "night"};
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    if (!rec->when_date && !rec->when_times && !rec->when_weekdays) {
        jw_raw(w, ",\"when\":null");
        return;
    }
    jw_raw(w, ",\"when\":{");
    if (rec->when_date) {
        int64_t wall = rec->when_date + tz_time_pl_offset(rec->when_date);
        int y, m, d;
        tz_time_civil_from_days(wall / 86400, &y, &m, &d);
        jw_printf(w, "\"date\":\"%04d-%02d-%02d\",", y, m, d);
    }
    jw_raw(w, "\"times\":");
    jw_name_set(w, rec->when_times, times, 4);
    jw_raw(w, ",\"weekdays\":");
    jw_name_set(w, rec->when_weekdays, days, 7);
    jw_raw(w, "}");
}

static void put_district(const struct tz_threatmap *tm, struct jw *w, const char *id)
{
    const struct tz_district_rec *d = tz_threatmap_district(tm, id);
    jw_raw(w, ",\"district\":{\"id\":");
    jw_str(w, id);
    if (d) {
        jw_raw(w, ",\"name\":");
        jw_str(w, d->name);
        jw_raw(w, ",\"unit\":");
        jw_str(w, d->unit);
    }
    jw_raw(w, "}");
}

/* Every member of a report's JSON object but the closing brace. */
static void put_report_members(const struct tz_threatmap *tm, struct jw *w,
                               const struct tz_report_rec *rec, int64_t now, bool reporter_view)
{
    enum tz_status status = TZ_STATUS_NEW;
    tz_status_parse(rec->status, &status);
    const struct tz_category_rec *cat = tz_threatmap_category(tm, rec->category);
    jw_printf(w, "{\"id\":%lld,\"category\":", (long long)rec->id);
    jw_str(w, rec->category);
    jw_raw(w, ",\"group\":");
    jw_str(w, cat ? cat->group : NULL);
    jw_printf(w, ",\"lat\":%.6f,\"lon\":%.6f", rec->lat, rec->lon);
    put_district(tm, w, rec->district_id);
    jw_printf(w, ",\"status\":\"%s\",", rec->status);
    jw_names(w, "status_name", tz_status_name_pl(status), tz_status_name_en(status));
    jw_raw(w, ",");
    jw_time(w, "received_at", rec->received_at);
    jw_raw(w, ",");
    jw_time(w, "status_changed_at", rec->status_changed_at);
    jw_raw(w, ",\"deadlines\":{");
    jw_time(w, "take_up", rec->takeup_due);
    jw_raw(w, ",");
    jw_time(w, "verify", rec->verify_due);
    jw_printf(w, "},\"overdue\":%s,\"me_too\":%d,\"description\":",
              tz_workflow_overdue(rec, status, now) ? "true" : "false", rec->me_too);
    jw_str(w, reporter_view && rec->description ? rec->description : rec->public_description);
    if (reporter_view)
        put_when(w, rec);
}

tz_err tm_render_report(const struct tz_threatmap *tm, const struct tz_report_rec *rec, int64_t now,
                        bool reporter_view, struct tz_buf *out)
{
    struct jw w = {out, TZ_OK};
    put_report_members(tm, &w, rec, now, reporter_view);
    jw_raw(&w, "}");
    return w.err;
}

/* The reporter's view adds the status history: each change and when it happened. */
static void put_history(struct tz_threatmap *tm, struct jw *w, int64_t id)
{
    struct tz_transition_rec *hist = NULL;
    size_t count = 0;
    if (!w->err)
        w->err = tz_store_history(tm->store, id, &hist, &count);
    jw_raw(w, ",\"history\":[");
    for (size_t i = 0; i < count; i++) {
        jw_printf(w, "%s{\"from\":\"%s\",\"to\":\"%s\",", i ? "," : "", hist[i].from, hist[i].to);
        jw_time(w, "at", hist[i].at);
        jw_raw(w, ",\"referred_to\":");
        jw_str(w, hist[i].referred_to);
        jw_raw(w, ",\"note\":"); /* the officer's note, shown to the reporter with the change */
        jw_str(w, hist[i].note);
        jw_raw(w, "}");
    }
    jw_raw(w, "]");
    tz_transition_recs_free(hist, count);
}

/* The report with everything its reporter may see: the description and the history. */
static tz_err render_full(struct tz_threatmap *tm, const struct tz_report_rec *rec, int64_t now,
                          struct tz_buf *out)
{
    struct jw w = {out, TZ_OK};
    put_report_members(tm, &w, rec, now, true);
    put_history(tm, &w, rec->id);
    jw_raw(&w, "}");
    return w.err;
}

tz_err tz_threatmap_report_json(struct tz_threatmap *tm, int64_t id, const char *token, int64_t now,
                                struct tz_buf *out)
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

tz_err tz_threatmap_submission_json(const struct tz_threatmap *tm, const struct tz_submission *sub,
                                    struct tz_buf *out)
{
    const struct tz_report_rec *rec = &sub->rec;
    struct jw w = {out, TZ_OK};
    jw_printf(&w, "{\"id\":%lld,\"status\":\"%s\"", (long long)rec->id, rec->status);
    put_district(tm, &w, rec->district_id);
    jw_raw(&w, ",");
    jw_time(&w, "received_at", rec->received_at);
    jw_raw(&w, ",\"deadlines\":{");
    jw_time(&w, "take_up", rec->takeup_due);
    jw_printf(
        &w,
        ",\"verify\":null},\"token\":\"%s\",\"tracking_url\":\"/api/v1/reports/%lld?token=%s\"}",
        sub->token, (long long)rec->id, sub->token);
    return w.err;
}

static void put_category(struct jw *w, const struct tz_category_rec *c)
{
    jw_raw(w, "{\"code\":");
    jw_str(w, c->code);
    jw_raw(w, ",");
    jw_names(w, "name", c->name_pl, c->name_en);
    jw_printf(w, ",\"retired\":%s,\"description_required\":%s,\"visibility\":\"%s\"}",
              c->retired ? "true" : "false", c->description_required ? "true" : "false",
              c->visibility);
}

tz_err tz_threatmap_categories_json(const struct tz_threatmap *tm, struct tz_buf *out)
{
    struct jw w = {out, TZ_OK};
    jw_raw(&w, "{\"groups\":[");
    for (size_t g = 0; g < tm->group_count; g++) {
        const struct tz_group_rec *group = &tm->groups[g];
        jw_raw(&w, g ? ",{\"code\":" : "{\"code\":");
        jw_str(&w, group->code);
        jw_raw(&w, ",");
        jw_names(&w, "name", group->name_pl, group->name_en);
        jw_raw(&w, ",\"categories\":[");
        for (size_t c = 0, n = 0; c < tm->category_count; c++) {
            if (strcmp(tm->categories[c].group, group->code) != 0)
                continue;
            if (n++)
                jw_raw(&w, ",");
            put_category(&w, &tm->categories[c]);
        }
        jw_raw(&w, "]}");
    }
    jw_raw(&w, "]}");
    return w.err;
}

tz_err tz_threatmap_districts_geojson(const struct tz_threatmap *tm, struct tz_buf *out)
{
    struct jw w = {out, TZ_OK};
    jw_raw(&w, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (size_t i = 0; i < tm->district_count; i++) {
        const struct tz_district_rec *d = &tm->districts[i];
        jw_raw(&w, i ? ",{\"type\":\"Feature\",\"id\":" : "{\"type\":\"Feature\",\"id\":");
        jw_str(&w, d->id);
        jw_raw(&w, ",\"properties\":{\"name\":");
        jw_str(&w, d->name);
        jw_raw(&w, ",\"unit\":");
        jw_str(&w, d->unit);
        jw_raw(&w, ",\"officer\":");
        jw_str(&w, d->officer);
        jw_raw(&w, "},\"geometry\":");
        jw_raw(&w, d->geometry); /* validated and normalised by geo/ on import */
        jw_raw(&w, "}");
    }
    jw_raw(&w, "]}");
    return w.err;
}
