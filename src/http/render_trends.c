/*
 * render_trends.c - trends and patrol plans of analysis (src/analysis) as the
 * API writes them, through base/jsonw: the struct the analysis answers with,
 * in the forms these answers have always had (the change in per cent with one
 * decimal, scores with two).
 */
#include <math.h>
#include <stdio.h>

#include "base/tztime.h"
#include "http/internal.h"
#include "http/render.h"

/* v with `decimals` decimals as printf writes it, or null when not finite. */
static void put_fixed(struct tz_jw *w, double v, int decimals)
{
    char text[64];
    int n = snprintf(text, sizeof text, "%.*f", decimals, v);
    if (n > 0 && (size_t)n < sizeof text && isfinite(v))
        tz_jw_raw(w, text, (size_t)n);
    else
        tz_jw_null(w);
}

/* A period's label: "YYYY-MM" for a month, its Monday "YYYY-MM-DD" for a week. */
static void put_period(struct tz_jw *w, bool week, int64_t first_day)
{
    char text[32];
    int y, m, d;
    tz_time_civil_from_days(first_day, &y, &m, &d);
    if (week)
        snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
    else
        snprintf(text, sizeof text, "%04d-%02d", y, m);
    tz_jw_str(w, text);
}

/* "counts", "year_before" and "change_pct" of one series, as members of the open object. */
static void put_series(struct tz_jw *w, const struct tz_trends_series *s, size_t n)
{
    tz_jw_key(w, "counts");
    tz_jw_array(w);
    for (size_t i = 0; i < n; i++)
        tz_jw_uint(w, s->counts[i]);
    tz_jw_array_end(w);
    tz_jw_key(w, "year_before");
    tz_jw_array(w);
    for (size_t i = 0; i < n; i++)
        tz_jw_uint(w, s->year_before[i]);
    tz_jw_array_end(w);
    tz_jw_key(w, "change_pct");
    tz_jw_array(w);
    for (size_t i = 0; i < n; i++) {
        double pct;
        if (tz_trends_change_pct(s->counts[i], s->year_before[i], &pct))
            put_fixed(w, pct, 1);
        else
            tz_jw_null(w);
    }
    tz_jw_array_end(w);
}

tz_err tz_http_trends_render(const struct tz_threatmap *tm, const struct tz_trends *t,
                             struct tz_buf *out)
{
    size_t ncat;
    const struct tz_category_rec *cats = tz_threatmap_category_list(tm, &ncat);
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "period", t->week ? "week" : "month");
    tz_jw_kstr(&w, "district", t->district);
    tz_jw_kstr(&w, "unit", t->unit);
    tz_jw_key(&w, "periods");
    tz_jw_array(&w);
    for (size_t i = 0; i < t->periods; i++)
        put_period(&w, t->week, t->first_day[i]);
    tz_jw_array_end(&w);
    tz_jw_key(&w, "total");
    tz_jw_object(&w);
    put_series(&w, &t->total, t->periods);
    tz_jw_object_end(&w);
    tz_jw_key(&w, "series");
    tz_jw_array(&w);
    for (size_t i = 0; i < t->series_count; i++) {
        const struct tz_category_rec *c = &cats[t->series[i].category];
        tz_jw_object(&w);
        tz_jw_kstr(&w, "category", c->code);
        tz_jw_kstr(&w, "name_pl", c->name_pl);
        tz_jw_kstr(&w, "name_en", c->name_en);
        put_series(&w, &t->series[i], t->periods);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

tz_err tz_http_trends_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                           size_t count, int64_t now, struct tz_buf *out,
                           struct tz_field_errors *errs)
{
    struct tz_trends t = {0};
    struct tz_trends_query q;
    tz_err err = tz_http_trends_query(tm, params, count, &q, errs);
    if (!err)
        err = tz_analysis_trends(tm, &q, now, &t, errs);
    if (!err)
        err = tz_http_trends_render(tm, &t, out);
    tz_trends_clear(&t);
    return err;
}

/* "key": t as RFC 3339 UTC, 1970's epoch included (tz_jw_ktime writes null for 0). */
static void put_ktime(struct tz_jw *w, const char *key, int64_t t)
{
    char text[TZ_TIME_TEXT_MAX];
    tz_time_format(t, text);
    tz_jw_kstr(w, key, text);
}

/* "3 reports (1 confirmed, 2 new), the last 2 days ago, 1 me-too, 1 overdue". */
static void put_reason(struct tz_jw *w, const struct tz_patrol_place *p, int64_t now)
{
    static const int order[] = {TZ_STATUS_CONFIRMED, TZ_STATUS_VERIFYING,     TZ_STATUS_NEW,
                                TZ_STATUS_REFERRED,  TZ_STATUS_NOT_CONFIRMED, TZ_STATUS_ELIMINATED,
                                TZ_STATUS_REJECTED};
    struct tz_buf b;
    tz_buf_init(&b, 4096);
    tz_err err = tz_buf_printf(&b, "%u report%s (", p->n, p->n == 1 ? "" : "s");
    for (size_t s = 0, n = 0; !err && s < sizeof order / sizeof order[0]; s++) {
        if (p->by_status[order[s]])
            err = tz_buf_printf(&b, "%s%u %s", n++ ? ", " : "", p->by_status[order[s]],
                                tz_status_code((enum tz_status)order[s]));
    }
    int64_t days = (now - p->last) / 86400;
    if (!err)
        err = tz_buf_printf(&b, "), the last %s%lld day%s ago", days <= 0 ? "under " : "",
                            (long long)(days <= 0 ? 1 : days), days == 1 || days <= 0 ? "" : "s");
    if (!err && p->me_too)
        err = tz_buf_printf(&b, ", %u me-too", p->me_too);
    if (!err && p->overdue)
        err = tz_buf_printf(&b, ", %u overdue", p->overdue);
    if (err)
        tz_jw_null(w);
    else
        tz_jw_strn(w, b.data, b.len);
    tz_buf_free(&b);
}

/* The numbers the reason is made of, for a page to say it in its own language. */
static void put_facts(struct tz_jw *w, const struct tz_patrol_place *p, int64_t now)
{
    tz_jw_key(w, "facts");
    tz_jw_object(w);
    tz_jw_kuint(w, "reports", p->n);
    tz_jw_key(w, "by_status");
    tz_jw_object(w);
    for (int s = 0; s < TZ_STATUS_COUNT; s++) {
        if (p->by_status[s])
            tz_jw_kuint(w, tz_status_code((enum tz_status)s), p->by_status[s]);
    }
    tz_jw_object_end(w);
    tz_jw_kint(w, "days_ago", (now - p->last) / 86400);
    tz_jw_kuint(w, "me_too", p->me_too);
    tz_jw_kuint(w, "overdue", p->overdue);
    tz_jw_object_end(w);
}

static void put_place(struct tz_jw *w, const struct tz_category_rec *cat,
                      const struct tz_patrol_place *p, size_t rank, int64_t now,
                      const struct tz_address_index *addresses)
{
    tz_jw_object(w);
    tz_http_put_feature_geometry(w, "Point");
    tz_jw_array(w);
    tz_http_put_degrees(w, p->lon);
    tz_http_put_degrees(w, p->lat);
    tz_jw_array_end(w);
    tz_jw_object_end(w);
    tz_jw_key(w, "properties");
    tz_jw_object(w);
    tz_jw_kuint(w, "rank", rank);
    tz_jw_key(w, "score");
    put_fixed(w, p->score, 2);
    tz_jw_kstr(w, "category", cat->code);
    tz_jw_kstr(w, "category_pl", cat->name_pl);
    tz_jw_kstr(w, "category_en", cat->name_en);
    put_ktime(w, "last_received_at", p->last);
    tz_jw_key(w, "reason");
    put_reason(w, p, now);
    put_facts(w, p, now);
    tz_jw_key(w, "reports");
    tz_jw_array(w);
    for (size_t k = 0; k < p->report_count; k++)
        tz_jw_int(w, p->reports[k]);
    tz_jw_array_end(w);
    http_put_nearest_address(w, addresses, p->lat, p->lon); /* where to go, not coordinates */
    tz_jw_object_end(w);
    tz_jw_object_end(w);
}

tz_err tz_http_patrol_render(const struct tz_threatmap *tm, const struct tz_patrol *p,
                             const struct tz_address_index *addresses, struct tz_buf *out)
{
    char score[512];
    snprintf(score, sizeof score,
             "sum over the place's reports of weight(status) * 0.5^(age_days/%d) * (1 + 0.5 * "
             "me_too); weights: confirmed 3, verifying 1.5, new 1, referred 1, not_confirmed "
             "0.25, eliminated 0, rejected 0",
             TZ_PATROL_HALF_LIFE);
    size_t ncat;
    const struct tz_category_rec *cats = tz_threatmap_category_list(tm, &ncat);
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "type", "FeatureCollection");
    tz_jw_kstr(&w, "district", p->district->id);
    tz_jw_kstr(&w, "district_name", p->district->name);
    tz_jw_kstr(&w, "unit", p->district->unit);
    tz_jw_kstr(&w, "officer", p->district->officer);
    put_ktime(&w, "generated_at", p->generated_at);
    put_ktime(&w, "reports_from", p->reports_from);
    tz_jw_kuint(&w, "reports", p->reports);
    tz_jw_kuint(&w, "places", p->places);
    tz_jw_kstr(&w, "score", score);
    tz_jw_kint(&w, "half_life_days", TZ_PATROL_HALF_LIFE);
    tz_jw_key(&w, "features");
    tz_jw_array(&w);
    for (size_t i = 0; i < p->top_count; i++)
        put_place(&w, &cats[p->top[i].category], &p->top[i], i + 1, p->generated_at, addresses);
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

tz_err tz_http_patrol_json(struct tz_threatmap *tm, const struct tz_address_index *addresses,
                           const struct tz_query_param *params, size_t count, int64_t now,
                           struct tz_buf *out, struct tz_field_errors *errs)
{
    struct tz_patrol p = {0};
    struct tz_patrol_query q;
    tz_err err = tz_http_patrol_query(tm, params, count, &q, errs);
    if (!err)
        err = tz_analysis_patrol(tm, &q, now, &p, errs);
    if (!err)
        err = tz_http_patrol_render(tm, &p, addresses, out);
    tz_patrol_clear(&p);
    return err;
}
