/*
 * api_export.c - open data: GET /api/v1/export/reports.geojson and .csv, the
 * public view (what the public map shows, by its rules) filtered like the map,
 * streamed. The answer is written a page of the store at a time as
 * libmicrohttpd asks for more bytes, by keyset over report ids, so an export
 * holds one page (EXPORT_PAGE reports) and one chunk in memory however many
 * reports it carries. Licence and fields: docs/open-data.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csvw.h"
#include "base/tztime.h"
#include "http/internal.h"
#include "http/render.h"

#define EXPORT_PAGE 500              /* reports read from the store at a time */
#define CHUNK_MAX (4u * 1024 * 1024) /* one page rendered, at most */
#define CHUNK_BLOCK (64u * 1024)     /* what libmicrohttpd is offered a call, at most */

enum export_format { EXPORT_GEOJSON, EXPORT_CSV };

struct export
{
    struct tz_threatmap *tm;
    enum export_format format;
    struct tz_report_filter filter; /* narrowed to the public; before_id walks it */
    int64_t now;                    /* one instant for the whole export */
    bool started, more, done;
    size_t written;      /* reports so far */
    struct tz_buf chunk; /* rendered, not yet handed over */
    size_t pos;          /* bytes of chunk handed over */
};

/* What each report says, in both formats: the public view only. */
struct row {
    const struct tz_report_rec *r;
    const struct tz_category_rec *cat;
    const struct tz_district_rec *district;
    enum tz_status status;
    bool overdue;
};

static struct row row_of(struct export *x, const struct tz_report_rec *r)
{
    struct row w = {.r = r, .status = TZ_STATUS_NEW};
    tz_status_parse(r->status, &w.status);
    w.cat = tz_threatmap_category(x->tm, r->category);
    w.district = tz_threatmap_district(x->tm, r->district_id);
    w.overdue = tz_workflow_overdue(r, w.status, x->now);
    return w;
}

/* One Feature of the GeoJSON export, after ",\n" when it is not the first. */
static tz_err put_feature(struct export *x, const struct tz_report_rec *r)
{
    struct row w = row_of(x, r);
    tz_err err = x->written ? tz_buf_puts(&x->chunk, ",\n") : TZ_OK;
    if (err)
        return err;
    struct tz_jw j;
    tz_jw_begin(&j, &x->chunk);
    tz_jw_object(&j);
    tz_jw_kstr(&j, "type", "Feature");
    tz_jw_kint(&j, "id", r->id);
    tz_jw_key(&j, "geometry");
    tz_jw_object(&j);
    tz_jw_kstr(&j, "type", "Point");
    tz_jw_key(&j, "coordinates");
    tz_jw_array(&j);
    tz_http_put_degrees(&j, r->lon);
    tz_http_put_degrees(&j, r->lat);
    tz_jw_array_end(&j);
    tz_jw_object_end(&j);
    tz_jw_key(&j, "properties");
    tz_jw_object(&j);
    tz_jw_kint(&j, "id", r->id);
    tz_jw_ktime(&j, "received_at", r->received_at);
    tz_jw_ktime(&j, "status_changed_at", r->status_changed_at);
    tz_jw_kstr(&j, "category", r->category);
    tz_jw_kstr(&j, "category_name_en", w.cat ? w.cat->name_en : NULL);
    tz_jw_kstr(&j, "category_name_pl", w.cat ? w.cat->name_pl : NULL);
    tz_jw_kstr(&j, "group", w.cat ? w.cat->group : NULL);
    tz_jw_kstr(&j, "status", r->status);
    tz_jw_kstr(&j, "status_name_en", tz_status_name_en(w.status));
    tz_jw_kstr(&j, "status_name_pl", tz_status_name_pl(w.status));
    tz_jw_kstr(&j, "district_id", r->district_id);
    tz_jw_kstr(&j, "district_name", w.district ? w.district->name : NULL);
    tz_jw_kstr(&j, "unit", w.district ? w.district->unit : NULL);
    tz_jw_kint(&j, "me_too", r->me_too);
    tz_jw_kbool(&j, "overdue", w.overdue);
    tz_jw_kstr(&j, "description", r->public_description);
    tz_jw_object_end(&j);
    tz_jw_object_end(&j);
    return tz_jw_end(&j);
}

/* The CSV's columns, in the order of each row (docs/open-data.md). */
static const char *const CSV_COLUMNS[] = {
    "id",          "received_at",    "status_changed_at", "category",      "category_name_en",
    "category_name_pl", "group",     "status",            "status_name_en", "status_name_pl",
    "lat",         "lon",            "district_id",       "district_name", "unit",
    "me_too",      "overdue",        "description"};

static void put_csv_header(struct tz_csvw *o)
{
    for (size_t i = 0; i < sizeof CSV_COLUMNS / sizeof CSV_COLUMNS[0]; i++)
        tz_csvw_plain(o, CSV_COLUMNS[i]);
    tz_csvw_row_end(o);
}

static void put_csv_row(struct export *x, struct tz_csvw *o, const struct tz_report_rec *r)
{
    struct row w = row_of(x, r);
    char received[TZ_TIME_TEXT_MAX], changed[TZ_TIME_TEXT_MAX];
    tz_time_format(r->received_at, received);
    tz_time_format(r->status_changed_at, changed);
    tz_csvw_int(o, r->id);
    tz_csvw_plain(o, received);
    tz_csvw_plain(o, changed);
    const char *texts[] = {r->category,
                           w.cat ? w.cat->name_en : NULL,
                           w.cat ? w.cat->name_pl : NULL,
                           w.cat ? w.cat->group : NULL,
                           r->status,
                           tz_status_name_en(w.status),
                           tz_status_name_pl(w.status)};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        tz_csvw_text(o, texts[i]);
    tz_csvw_fixed(o, r->lat, 6);
    tz_csvw_fixed(o, r->lon, 6);
    tz_csvw_text(o, r->district_id);
    tz_csvw_text(o, w.district ? w.district->name : NULL);
    tz_csvw_text(o, w.district ? w.district->unit : NULL);
    tz_csvw_int(o, r->me_too);
    tz_csvw_plain(o, w.overdue ? "true" : "false");
    tz_csvw_text(o, r->public_description);
    tz_csvw_row_end(o);
}

/* Renders the next piece of the export into x->chunk: the head, a page, or the tail. */
static tz_err fill(struct export *x)
{
    struct tz_csvw o;
    tz_csvw_begin(&o, &x->chunk);
    if (!x->started) {
        x->started = true;
        if (x->format == EXPORT_GEOJSON)
            return tz_buf_puts(&x->chunk, "{\"type\":\"FeatureCollection\",\"features\":[\n");
        put_csv_header(&o);
        return tz_csvw_end(&o);
    }
    if (x->more) {
        struct tz_report_rec *recs = NULL;
        size_t n = 0;
        x->filter.limit = EXPORT_PAGE;
        tz_err err = tz_threatmap_public_page(x->tm, &x->filter, x->now, &recs, &n, &x->more);
        for (size_t i = 0; i < n && !err && !o.err; i++, x->written++) {
            if (x->format == EXPORT_CSV)
                put_csv_row(x, &o, &recs[i]);
            else
                err = put_feature(x, &recs[i]);
        }
        tz_report_recs_free(recs, n);
        return err ? err : tz_csvw_end(&o);
    }
    x->done = true;
    return x->format == EXPORT_GEOJSON ? tz_buf_puts(&x->chunk, "\n]}\n") : TZ_OK;
}

/* libmicrohttpd asks for the next bytes; a failure half way ends the answer short (not 200 whole).
 */
static ssize_t read_export(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct export *x = cls;
    while (x->pos == x->chunk.len) {
        if (x->done)
            return MHD_CONTENT_READER_END_OF_STREAM;
        tz_buf_reset(&x->chunk);
        x->pos = 0;
        if (fill(x) != TZ_OK)
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = x->chunk.len - x->pos;
    if (n > max)
        n = max;
    memcpy(buf, x->chunk.data + x->pos, n);
    x->pos += n;
    return (ssize_t)n;
}

static void free_export(void *cls)
{
    struct export *x = cls;
    tz_buf_free(&x->chunk);
    free(x);
}

static enum MHD_Result start_export(struct request *req, enum export_format format)
{
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    if (!http_query_params(req, params, &n))
        return http_respond_status_problem(req, 400, "too many query parameters", NULL);
    struct export *x = calloc(1, sizeof *x);
    if (!x)
        return http_respond_problem(req, TZ_ENOMEM, NULL, NULL);
    x->tm = req->srv->tm;
    x->format = format;
    x->now = tz_time_now();
    x->more = true;
    tz_buf_init(&x->chunk, CHUNK_MAX);
    struct tz_field_errors errs = {0};
    struct tz_public_query q;
    tz_public_query_init(&q);
    tz_err err = tz_http_public_query(x->tm, params, n, TZ_HTTP_QUERY_EXPORT, &q, &errs);
    if (!err) {
        x->filter = q.filter;
        tz_threatmap_restrict_public(x->tm, &x->filter);
    }
    if (err) {
        free_export(x);
        if (err == TZ_EINVAL)
            return http_respond_status_problem(req, 400, "bad query parameters", &errs);
        return http_respond_problem(req, err, NULL, NULL);
    }
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, CHUNK_BLOCK,
                                                                  read_export, x, free_export);
    if (!resp) {
        free_export(x);
        return MHD_NO;
    }
    bool csv = format == EXPORT_CSV;
    MHD_add_response_header(resp, "Content-Disposition",
                            csv ? "attachment; filename=\"reports.csv\""
                                : "attachment; filename=\"reports.geojson\"");
    return http_queue_response(req, MHD_HTTP_OK, resp,
                               csv ? "text/csv; charset=utf-8; header=present"
                                   : "application/geo+json; charset=utf-8");
}

enum MHD_Result api_export_geojson(struct request *req)
{
    return start_export(req, EXPORT_GEOJSON);
}

enum MHD_Result api_export_csv(struct request *req)
{
    return start_export(req, EXPORT_CSV);
}
