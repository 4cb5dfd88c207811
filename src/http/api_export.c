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

#include "base/tztime.h"
#include "http/internal.h"

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

/* A writer whose first error sticks, as in render.c. */
struct out {
    struct tz_buf *b;
    tz_err err;
};

static void put(struct out *o, const char *s)
{
    if (!o->err)
        o->err = tz_buf_puts(o->b, s);
}

__attribute__((format(printf, 2, 3))) static void putf(struct out *o, const char *fmt, ...)
{
    if (o->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    o->err = tz_buf_vprintf(o->b, fmt, ap);
    va_end(ap);
}

static void put_json(struct out *o, const char *s)
{
    if (!o->err)
        o->err = tz_buf_json_cstr(o->b, s);
}

static void put_time_json(struct out *o, int64_t t)
{
    char text[TZ_TIME_TEXT_MAX];
    if (!t) {
        put(o, "null");
        return;
    }
    tz_time_format(t, text);
    putf(o, "\"%s\"", text);
}

/*
 * A CSV field (RFC 4180): quoted when it holds a comma, quote or line break,
 * quotes doubled. Text that a spreadsheet would take for a formula (= + - @,
 * tab, CR at the start) gets a leading apostrophe, the OWASP advice for
 * exports: the data is public and its readers open it in spreadsheets.
 */
static void put_csv(struct out *o, const char *s)
{
    if (!s || o->err)
        return;
    bool formula = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        put(o, "\"");
    if (formula)
        put(o, "'");
    for (const char *p = s; *p && !o->err;) {
        const char *q = strchr(p, '"');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        o->err = tz_buf_append(o->b, p, n);
        if (q)
            put(o, "\"\"");
        p += n + (q ? 1 : 0);
    }
    if (quote)
        put(o, "\"");
}

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

static void put_feature(struct export *x, struct out *o, const struct tz_report_rec *r)
{
    struct row w = row_of(x, r);
    putf(o, "%s{\"type\":\"Feature\",\"id\":%lld,", x->written ? ",\n" : "", (long long)r->id);
    putf(o, "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]},", r->lon, r->lat);
    putf(o, "\"properties\":{\"id\":%lld,\"received_at\":", (long long)r->id);
    put_time_json(o, r->received_at);
    put(o, ",\"status_changed_at\":");
    put_time_json(o, r->status_changed_at);
    put(o, ",\"category\":");
    put_json(o, r->category);
    put(o, ",\"category_name_en\":");
    put_json(o, w.cat ? w.cat->name_en : NULL);
    put(o, ",\"category_name_pl\":");
    put_json(o, w.cat ? w.cat->name_pl : NULL);
    put(o, ",\"group\":");
    put_json(o, w.cat ? w.cat->group : NULL);
    put(o, ",\"status\":");
    put_json(o, r->status);
    put(o, ",\"status_name_en\":");
    put_json(o, tz_status_name_en(w.status));
    put(o, ",\"status_name_pl\":");
    put_json(o, tz_status_name_pl(w.status));
    put(o, ",\"district_id\":");
    put_json(o, r->district_id);
    put(o, ",\"district_name\":");
    put_json(o, w.district ? w.district->name : NULL);
    put(o, ",\"unit\":");
    put_json(o, w.district ? w.district->unit : NULL);
    putf(o, ",\"me_too\":%d,\"overdue\":%s,\"description\":", r->me_too,
         w.overdue ? "true" : "false");
    put_json(o, r->public_description);
    put(o, "}}");
}

#define CSV_HEADER                                                                                 \
    "id,received_at,status_changed_at,category,category_name_en,category_name_pl,group,status,"    \
    "status_name_en,status_name_pl,lat,lon,district_id,district_name,unit,me_too,overdue,"         \
    "description\r\n"

static void put_csv_row(struct export *x, struct out *o, const struct tz_report_rec *r)
{
    struct row w = row_of(x, r);
    char received[TZ_TIME_TEXT_MAX], changed[TZ_TIME_TEXT_MAX];
    tz_time_format(r->received_at, received);
    tz_time_format(r->status_changed_at, changed);
    putf(o, "%lld,%s,%s,", (long long)r->id, received, changed);
    const char *texts[] = {r->category,
                           w.cat ? w.cat->name_en : NULL,
                           w.cat ? w.cat->name_pl : NULL,
                           w.cat ? w.cat->group : NULL,
                           r->status,
                           tz_status_name_en(w.status),
                           tz_status_name_pl(w.status)};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        put_csv(o, texts[i]);
        put(o, ",");
    }
    putf(o, "%.6f,%.6f,", r->lat, r->lon);
    put_csv(o, r->district_id);
    put(o, ",");
    put_csv(o, w.district ? w.district->name : NULL);
    put(o, ",");
    put_csv(o, w.district ? w.district->unit : NULL);
    putf(o, ",%d,%s,", r->me_too, w.overdue ? "true" : "false");
    put_csv(o, r->public_description);
    put(o, "\r\n");
}

/* Renders the next piece of the export into x->chunk: the head, a page, or the tail. */
static tz_err fill(struct export *x)
{
    struct out o = {&x->chunk, TZ_OK};
    if (!x->started) {
        x->started = true;
        put(&o, x->format == EXPORT_CSV ? CSV_HEADER
                                        : "{\"type\":\"FeatureCollection\",\"features\":[\n");
        return o.err;
    }
    if (x->more) {
        struct tz_report_rec *recs = NULL;
        size_t n = 0;
        x->filter.limit = EXPORT_PAGE;
        o.err = tz_threatmap_public_page(x->tm, &x->filter, x->now, &recs, &n, &x->more);
        for (size_t i = 0; i < n && !o.err; i++, x->written++) {
            if (x->format == EXPORT_CSV)
                put_csv_row(x, &o, &recs[i]);
            else
                put_feature(x, &o, &recs[i]);
        }
        tz_report_recs_free(recs, n);
        return o.err;
    }
    if (x->format == EXPORT_GEOJSON)
        put(&o, "\n]}\n");
    x->done = true;
    return o.err;
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
    tz_err err = tz_threatmap_public_filter(x->tm, params, n, &x->filter, &errs);
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
