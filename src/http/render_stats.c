/*
 * render_stats.c - statistics of analysis (tz_analysis_stats) as the API and
 * `tarcza stats` write them: JSON and GeoJSON through base/jsonw, CSV through
 * base/csvw (RFC 4180, CRLF, fields defused for spreadsheets) and a terminal table, in the
 * forms these answers have always had (shares with one decimal).
 */
#include <stdio.h>
#include <string.h>

#include "base/csvw.h"
#include "base/tztime.h"
#include "http/render.h"

static const char *const BY_NAMES[] = {"district", "unit", "region"};

/* "name":{"on_time":..,"late":..,"overdue":..,"open":..,"on_time_pct":..}. */
static void put_deadline(struct tz_jw *w, const char *name, const struct tz_stats_deadline *d)
{
    char text[32];
    double pct;
    tz_jw_key(w, name);
    tz_jw_object(w);
    tz_jw_kuint(w, "on_time", d->on_time);
    tz_jw_kuint(w, "late", d->late);
    tz_jw_kuint(w, "overdue", d->overdue);
    tz_jw_kuint(w, "open", d->open);
    tz_jw_key(w, "on_time_pct");
    int n = tz_stats_on_time_pct(d, &pct) ? snprintf(text, sizeof text, "%.1f", pct) : 0;
    if (n > 0 && (size_t)n < sizeof text)
        tz_jw_raw(w, text, (size_t)n);
    else
        tz_jw_null(w);
    tz_jw_object_end(w);
}

/* The properties of one group as a JSON object. */
static void put_props(struct tz_jw *w, const struct tz_category_rec *cats, size_t ncat,
                      const struct tz_stats_group *g)
{
    tz_jw_object(w);
    tz_jw_kstr(w, "key", g->key);
    tz_jw_kstr(w, "name", g->name);
    tz_jw_kuint(w, "total", g->total);
    tz_jw_key(w, "by_status");
    tz_jw_object(w);
    for (int k = 0; k < TZ_STATUS_COUNT; k++)
        tz_jw_kuint(w, tz_status_code((enum tz_status)k), g->by_status[k]);
    tz_jw_object_end(w);
    tz_jw_key(w, "by_category");
    tz_jw_object(w);
    for (size_t c = 0; c < ncat && c < TZ_MAP_MAX_CATEGORIES; c++) {
        if (g->by_category[c])
            tz_jw_kuint(w, cats[c].code, g->by_category[c]);
    }
    tz_jw_object_end(w);
    put_deadline(w, "takeup", &g->takeup);
    put_deadline(w, "verification", &g->verify);
    tz_jw_object_end(w);
}

/* The geometry of a group: its district's, or a collection of its districts'. */
static void put_geometry(struct tz_jw *w, const struct tz_stats *s, const struct tz_stats_group *g)
{
    if (s->by == TZ_STATS_BY_DISTRICT) {
        for (size_t i = 0; i < s->district_count; i++) {
            if (tz_stats_group_has(s, g, &s->districts[i])) {
                tz_jw_raw(w, s->districts[i].geometry, strlen(s->districts[i].geometry));
                return;
            }
        }
        tz_jw_null(w);
        return;
    }
    tz_jw_object(w);
    tz_jw_kstr(w, "type", "GeometryCollection");
    tz_jw_key(w, "geometries");
    tz_jw_array(w);
    for (size_t i = 0; i < s->district_count; i++) {
        if (tz_stats_group_has(s, g, &s->districts[i]))
            tz_jw_raw(w, s->districts[i].geometry, strlen(s->districts[i].geometry));
    }
    tz_jw_array_end(w);
    tz_jw_object_end(w);
}

/* JSON ({"by","from","to","groups":[...]}) or GeoJSON (a FeatureCollection of the groups). */
static tz_err write_json(const struct tz_threatmap *tm, const struct tz_stats *s, bool geo,
                         struct tz_buf *out)
{
    size_t ncat;
    const struct tz_category_rec *cats = tz_threatmap_category_list(tm, &ncat);
    struct tz_jw w;
    tz_jw_begin(&w, out);
    tz_jw_object(&w);
    if (geo)
        tz_jw_kstr(&w, "type", "FeatureCollection");
    tz_jw_kstr(&w, "by", BY_NAMES[s->by]);
    tz_jw_ktime(&w, "from", s->from);
    tz_jw_ktime(&w, "to", s->to);
    tz_jw_key(&w, geo ? "features" : "groups");
    tz_jw_array(&w);
    for (size_t i = 0; i < s->count; i++) {
        if (geo) {
            tz_jw_object(&w);
            tz_jw_kstr(&w, "type", "Feature");
            tz_jw_key(&w, "geometry");
            put_geometry(&w, s, &s->groups[i]);
            tz_jw_key(&w, "properties");
        }
        put_props(&w, cats, ncat, &s->groups[i]);
        if (geo)
            tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

static void csv_header(struct tz_csvw *w, const struct tz_category_rec *cats, size_t ncat)
{
    static const char *const deadlines[] = {
        "takeup_on_time", "takeup_late",   "takeup_overdue", "takeup_open",
        "takeup_on_time_pct", "verify_on_time", "verify_late", "verify_overdue",
        "verify_open",    "verify_on_time_pct"};
    char name[96];
    tz_csvw_plain(w, "key");
    tz_csvw_plain(w, "name");
    tz_csvw_plain(w, "total");
    for (int k = 0; k < TZ_STATUS_COUNT; k++) {
        snprintf(name, sizeof name, "status_%s", tz_status_code((enum tz_status)k));
        tz_csvw_plain(w, name);
    }
    for (size_t c = 0; c < ncat; c++) {
        snprintf(name, sizeof name, "category_%s", cats[c].code); /* codes: [a-z_], short */
        tz_csvw_plain(w, name);
    }
    for (size_t k = 0; k < sizeof deadlines / sizeof deadlines[0]; k++)
        tz_csvw_plain(w, deadlines[k]);
    tz_csvw_row_end(w);
}

static void csv_row(struct tz_csvw *w, const struct tz_stats_group *g, size_t ncat)
{
    tz_csvw_quoted(w, g->key);
    tz_csvw_quoted(w, g->name);
    tz_csvw_int(w, (int64_t)g->total);
    for (int k = 0; k < TZ_STATUS_COUNT; k++)
        tz_csvw_int(w, g->by_status[k]);
    for (size_t c = 0; c < ncat && c < TZ_MAP_MAX_CATEGORIES; c++)
        tz_csvw_int(w, g->by_category[c]);
    const struct tz_stats_deadline *d[2] = {&g->takeup, &g->verify};
    for (int k = 0; k < 2; k++) {
        double pct;
        tz_csvw_int(w, d[k]->on_time);
        tz_csvw_int(w, d[k]->late);
        tz_csvw_int(w, d[k]->overdue);
        tz_csvw_int(w, d[k]->open);
        if (tz_stats_on_time_pct(d[k], &pct))
            tz_csvw_fixed(w, pct, 1);
        else
            tz_csvw_plain(w, "");
    }
    tz_csvw_row_end(w);
}

static tz_err write_csv(const struct tz_threatmap *tm, const struct tz_stats *s, struct tz_buf *out)
{
    size_t ncat;
    const struct tz_category_rec *cats = tz_threatmap_category_list(tm, &ncat);
    struct tz_csvw w;
    tz_csvw_begin(&w, out);
    csv_header(&w, cats, ncat);
    for (size_t i = 0; i < s->count; i++)
        csv_row(&w, &s->groups[i], ncat);
    return tz_csvw_end(&w);
}

static tz_err write_text(const struct tz_stats *s, struct tz_buf *out)
{
    tz_err err = tz_buf_printf(out, "%-12s %-34s %7s", "key", "name", "total");
    for (int k = 0; !err && k < TZ_STATUS_COUNT; k++)
        err = tz_buf_printf(out, " %9.9s", tz_status_code((enum tz_status)k));
    if (!err)
        err = tz_buf_printf(out, " %9s %9s\n", "takeup%", "verify%");
    for (size_t i = 0; !err && i < s->count; i++) {
        const struct tz_stats_group *g = &s->groups[i];
        /* A unit's key is its name: said once. */
        err =
            tz_buf_printf(out, "%-12.12s %-34.34s %7llu", s->by == TZ_STATS_BY_UNIT ? "-" : g->key,
                          g->name, (unsigned long long)g->total);
        for (int k = 0; !err && k < TZ_STATUS_COUNT; k++)
            err = tz_buf_printf(out, " %9u", g->by_status[k]);
        const struct tz_stats_deadline *d[2] = {&g->takeup, &g->verify};
        for (int k = 0; !err && k < 2; k++) {
            double pct;
            err = tz_stats_on_time_pct(d[k], &pct) ? tz_buf_printf(out, " %9.1f", pct)
                                                   : tz_buf_printf(out, " %9s", "-");
        }
        if (!err)
            err = tz_buf_puts(out, "\n");
    }
    return err;
}

tz_err tz_http_stats_render(const struct tz_threatmap *tm, const struct tz_stats *s,
                            struct tz_buf *out)
{
    switch (s->format) {
    case TZ_STATS_CSV:
        return write_csv(tm, s, out);
    case TZ_STATS_TEXT:
        return write_text(s, out);
    case TZ_STATS_GEOJSON:
        return write_json(tm, s, true, out);
    case TZ_STATS_JSON:
    default:
        return write_json(tm, s, false, out);
    }
}

tz_err tz_http_stats(struct tz_threatmap *tm, const struct tz_query_param *params, size_t count,
                     int64_t now, struct tz_buf *out, enum tz_stats_format *format,
                     struct tz_field_errors *errs)
{
    struct tz_stats s = {0};
    struct tz_stats_query q;
    tz_err err = tz_http_stats_query(params, count, &q, errs);
    if (!err)
        err = tz_analysis_stats(tm, &q, now, &s, errs);
    if (!err)
        *format = s.format;
    if (!err)
        err = tz_http_stats_render(tm, &s, out);
    tz_stats_clear(&s);
    return err;
}
