/*
 * render.c - the threat map's reports, submissions, catalogue and districts
 * as JSON (render.h), written through base/jsonw straight into a bounded
 * buffer: reading one report is the hottest path there is, so nothing is
 * built in between.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base/tztime.h"
#include "http/render.h"

/* "key":degrees (tz_http_put_degrees). */
void tz_http_put_feature_geometry(struct tz_jw *w, const char *geometry)
{
    tz_jw_kstr(w, "type", "Feature");
    tz_jw_key(w, "geometry");
    tz_jw_object(w);
    tz_jw_kstr(w, "type", geometry);
    tz_jw_key(w, "coordinates");
}

void tz_http_put_degrees(struct tz_jw *w, double v)
{
    char text[64];
    int n = snprintf(text, sizeof text, "%.6f", v);
    if (n > 0 && (size_t)n < sizeof text && isfinite(v))
        tz_jw_raw(w, text, (size_t)n);
    else
        tz_jw_null(w); /* JSON has no NaN; a report's point is always finite */
}

static void put_degrees(struct tz_jw *w, const char *key, double v)
{
    tz_jw_key(w, key);
    tz_http_put_degrees(w, v);
}

/* "key":{"pl":...,"en":...} */
static void put_names(struct tz_jw *w, const char *key, const char *pl, const char *en)
{
    tz_jw_key(w, key);
    tz_jw_object(w);
    tz_jw_kstr(w, "pl", pl);
    tz_jw_kstr(w, "en", en);
    tz_jw_object_end(w);
}

/* "key":[names whose bit is set in bits] */
static void put_name_set(struct tz_jw *w, const char *key, unsigned bits, const char *const *names,
                         int count)
{
    tz_jw_key(w, key);
    tz_jw_array(w);
    for (int i = 0; i < count; i++) {
        if (bits & (1u << i))
            tz_jw_str(w, names[i]);
    }
    tz_jw_array_end(w);
}

static void put_when(struct tz_jw *w, const struct tz_report_rec *rec)
{
    static const char *const times[] = {"morning", "afternoon", "evening", "night"};
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    if (!rec->when_date && !rec->when_times && !rec->when_weekdays) {
        tz_jw_knull(w, "when");
        return;
    }
    tz_jw_key(w, "when");
    tz_jw_object(w);
    if (rec->when_date) {
        int64_t wall = rec->when_date + tz_time_pl_offset(rec->when_date);
        int y, m, d;
        char date[16];
        tz_time_civil_from_days(wall / 86400, &y, &m, &d);
        snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
        tz_jw_kstr(w, "date", date);
    }
    put_name_set(w, "times", rec->when_times, times, 4);
    put_name_set(w, "weekdays", rec->when_weekdays, days, 7);
    tz_jw_object_end(w);
}

static void put_district(struct tz_jw *w, const struct tz_threatmap *tm, const char *id)
{
    const struct tz_district_rec *d = tz_threatmap_district(tm, id);
    tz_jw_key(w, "district");
    tz_jw_object(w);
    tz_jw_kstr(w, "id", id);
    if (d) {
        tz_jw_kstr(w, "name", d->name);
        tz_jw_kstr(w, "unit", d->unit);
    }
    tz_jw_object_end(w);
}

/* The status history: each change, when, the referral and the officer's note. */
static void put_history(struct tz_jw *w, const struct tz_report_view *view)
{
    tz_jw_key(w, "history");
    tz_jw_array(w);
    for (size_t i = 0; i < view->history_count; i++) {
        const struct tz_transition_rec *h = &view->history[i];
        tz_jw_object(w);
        tz_jw_kstr(w, "from", h->from);
        tz_jw_kstr(w, "to", h->to);
        tz_jw_ktime(w, "at", h->at);
        tz_jw_kstr(w, "referred_to", h->referred_to);
        tz_jw_kstr(w, "note", h->note);               /* shown to the reporter with the change */
        tz_jw_kstr(w, "public_note", h->public_note); /* shown to everyone (Open311 updates) */
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
}

void tz_http_put_photos(struct tz_jw *w, const struct tz_report_view *view, bool police)
{
    tz_jw_array(w);
    for (size_t i = 0; i < view->photo_count; i++) {
        const struct tz_photo_rec *p = &view->photos[i];
        /* Only an approved photo ever reaches a public document, whatever the view holds. */
        if (!police && strcmp(p->status, "approved") != 0)
            continue;
        const char *base = police ? "/api/v1/police/photos/" : "/api/v1/photos/";
        char url[64], thumb[80];
        snprintf(url, sizeof url, "%s%lld", base, (long long)p->id);
        snprintf(thumb, sizeof thumb, "%s/thumb", url);
        tz_jw_object(w);
        tz_jw_kint(w, "id", p->id);
        tz_jw_kstr(w, "url", url);
        tz_jw_kstr(w, "thumbnail_url", thumb);
        tz_jw_kint(w, "width", p->width);
        tz_jw_kint(w, "height", p->height);
        if (police) {
            tz_jw_kstr(w, "status", p->status);
            tz_jw_ktime(w, "reviewed_at", p->reviewed_at);
            tz_jw_kstr(w, "reviewed_by", p->reviewed_by[0] ? p->reviewed_by : NULL);
        }
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
}

void tz_http_put_report(struct tz_jw *w, const struct tz_threatmap *tm,
                        const struct tz_report_view *view, int64_t now)
{
    const struct tz_report_rec *rec = &view->rec;
    enum tz_status status = TZ_STATUS_NEW;
    tz_status_parse(rec->status, &status);
    const struct tz_category_rec *cat = tz_threatmap_category(tm, rec->category);
    tz_jw_object(w);
    tz_jw_kint(w, "id", rec->id);
    tz_jw_kstr(w, "category", rec->category);
    tz_jw_kstr(w, "group", cat ? cat->group : NULL);
    put_degrees(w, "lat", rec->lat);
    put_degrees(w, "lon", rec->lon);
    put_district(w, tm, rec->district_id);
    tz_jw_kstr(w, "status", rec->status);
    put_names(w, "status_name", tz_status_name_pl(status), tz_status_name_en(status));
    tz_jw_ktime(w, "received_at", rec->received_at);
    tz_jw_ktime(w, "status_changed_at", rec->status_changed_at);
    tz_jw_key(w, "deadlines");
    tz_jw_object(w);
    tz_jw_ktime(w, "take_up", rec->takeup_due);
    tz_jw_ktime(w, "verify", rec->verify_due);
    tz_jw_object_end(w);
    tz_jw_kbool(w, "overdue", tz_workflow_overdue(rec, status, now));
    tz_jw_kint(w, "me_too", rec->me_too);
    tz_jw_kstr(w, "description",
               view->reporter && rec->description ? rec->description : rec->public_description);
    if (view->reporter) {
        put_when(w, rec);
        put_history(w, view);
    }
    if (view->photos_read) { /* one report's views; a list's items carry none */
        tz_jw_key(w, "photos");
        tz_http_put_photos(w, view, false);
    }
    tz_jw_object_end(w);
}

tz_err tz_http_report_json(const struct tz_threatmap *tm, const struct tz_report_view *view,
                           int64_t now, struct tz_buf *out)
{
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_http_put_report(&w, tm, view, now);
    return tz_jw_end(&w);
}

void tz_http_put_nearby(struct tz_jw *w, const struct tz_nearby *nb, size_t n)
{
    tz_jw_array(w);
    for (size_t i = 0; i < n; i++) {
        char distance[32];
        int len = snprintf(distance, sizeof distance, "%.1f", nb[i].distance_m);
        tz_jw_object(w);
        tz_jw_kint(w, "id", nb[i].id);
        tz_jw_key(w, "distance_m");
        tz_jw_raw(w, distance, len > 0 && (size_t)len < sizeof distance ? (size_t)len : 0);
        tz_jw_kstr(w, "status", tz_status_code((enum tz_status)nb[i].status));
        tz_jw_ktime(w, "received_at", nb[i].received_at);
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
}

tz_err tz_http_submission_json(const struct tz_threatmap *tm, const struct tz_submission *sub,
                               const struct tz_nearby *nearby, size_t nearby_count,
                               struct tz_buf *out)
{
    const struct tz_report_rec *rec = &sub->rec;
    char url[sizeof "/api/v1/reports/?token=" + 24 + TZ_TOKEN_TEXT_MAX];
    snprintf(url, sizeof url, "/api/v1/reports/%lld?token=%s", (long long)rec->id, sub->token);
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    tz_jw_kint(&w, "id", rec->id);
    tz_jw_kstr(&w, "status", rec->status);
    put_district(&w, tm, rec->district_id);
    tz_jw_ktime(&w, "received_at", rec->received_at);
    tz_jw_key(&w, "deadlines");
    tz_jw_object(&w);
    tz_jw_ktime(&w, "take_up", rec->takeup_due);
    tz_jw_knull(&w, "verify");
    tz_jw_object_end(&w);
    tz_jw_kstr(&w, "token", sub->token);
    tz_jw_kstr(&w, "tracking_url", url);
    tz_jw_kint(&w, "photos_pending_review",
               sub->replayed ? sub->replayed_photos : (int64_t)rec->photo_count);
    if (nearby) {
        tz_jw_key(&w, "nearby");
        tz_http_put_nearby(&w, nearby, nearby_count);
    }
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

static void put_category(struct tz_jw *w, const struct tz_category_rec *c)
{
    tz_jw_object(w);
    tz_jw_kstr(w, "code", c->code);
    put_names(w, "name", c->name_pl, c->name_en);
    tz_jw_kbool(w, "retired", c->retired);
    tz_jw_kbool(w, "description_required", c->description_required);
    tz_jw_kstr(w, "visibility", c->visibility);
    tz_jw_object_end(w);
}

tz_err tz_http_categories_json(const struct tz_threatmap *tm, struct tz_buf *out)
{
    size_t groups = tz_threatmap_group_count(tm), categories = tz_threatmap_category_count(tm);
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    tz_jw_key(&w, "groups");
    tz_jw_array(&w);
    for (size_t g = 0; g < groups; g++) {
        const struct tz_group_rec *group = tz_threatmap_group_at(tm, g);
        tz_jw_object(&w);
        tz_jw_kstr(&w, "code", group->code);
        put_names(&w, "name", group->name_pl, group->name_en);
        tz_jw_key(&w, "categories");
        tz_jw_array(&w);
        for (size_t c = 0; c < categories; c++) {
            const struct tz_category_rec *cat = tz_threatmap_category_at(tm, c);
            if (strcmp(cat->group, group->code) == 0)
                put_category(&w, cat);
        }
        tz_jw_array_end(&w);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

tz_err tz_http_districts_geojson(const struct tz_threatmap *tm, struct tz_buf *out)
{
    size_t count = tz_threatmap_district_count(tm);
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "type", "FeatureCollection");
    tz_jw_key(&w, "features");
    tz_jw_array(&w);
    for (size_t i = 0; i < count; i++) {
        const struct tz_district_rec *d = tz_threatmap_district_at(tm, i);
        tz_jw_object(&w);
        tz_jw_kstr(&w, "type", "Feature");
        tz_jw_kstr(&w, "id", d->id);
        tz_jw_key(&w, "properties");
        tz_jw_object(&w);
        tz_jw_kstr(&w, "name", d->name);
        tz_jw_kstr(&w, "unit", d->unit);
        tz_jw_kstr(&w, "officer", d->officer);
        tz_jw_object_end(&w);
        tz_jw_key(&w, "geometry");
        /* validated and normalised by geo/ on import */
        tz_jw_raw(&w, d->geometry, d->geometry ? strlen(d->geometry) : 0);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

tz_err tz_http_report_full_json(struct tz_threatmap *tm, int64_t id, int64_t now,
                                struct tz_buf *out)
{
    struct tz_report_view view;
    tz_err err = tz_threatmap_report_full(tm, id, &view);
    if (!err)
        err = tz_http_report_json(tm, &view, now, out);
    tz_report_view_clear(&view);
    return err;
}

/* A page of GET /api/v1/reports being written: {"items":[...],"next_cursor":...}. */
struct list_page {
    struct tz_threatmap *tm;
    struct tz_jw w;
    int64_t now;
};

static tz_err put_list_item(void *ctx, const struct tz_report_view *report)
{
    struct list_page *p = ctx;
    tz_http_put_report(&p->w, p->tm, report, p->now);
    return p->w.err;
}

/* A cursor is the id to continue below, as base64url text, so clients treat it as opaque. */
static void make_cursor(int64_t before_id, char *out, size_t size)
{
    char text[32];
    int n = snprintf(text, sizeof text, "%lld", (long long)before_id);
    sodium_bin2base64(out, size, (const unsigned char *)text, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

tz_err tz_http_list_json(struct tz_threatmap *tm, const struct tz_query_param *params, size_t count,
                         int64_t now, struct tz_buf *out, struct tz_field_errors *errs)
{
    struct list_page p = {.tm = tm, .now = now};
    tz_jw_begin(&p.w, out);
    tz_jw_object(&p.w);
    tz_jw_key(&p.w, "items");
    tz_jw_array(&p.w);
    int64_t next = 0;
    struct tz_public_query q;
    tz_public_query_init(&q);
    tz_err err = tz_http_public_query(tm, params, count, TZ_HTTP_QUERY_LIST, &q, errs);
    if (err)
        return err; /* nothing of the page is answered: 400 with errs */
    err = tz_threatmap_list(tm, &q, now, put_list_item, &p, &next);
    tz_jw_array_end(&p.w);
    tz_jw_key(&p.w, "next_cursor");
    if (next > 0) {
        char cursor[64];
        make_cursor(next, cursor, sizeof cursor);
        tz_jw_str(&p.w, cursor);
    } else {
        tz_jw_null(&p.w);
    }
    tz_jw_object_end(&p.w);
    tz_err written = tz_jw_end(&p.w);
    return err ? err : written;
}
