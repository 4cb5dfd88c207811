/*
 * open311_requests.c - reading service requests: GET requests.{fmt} (a list:
 * by ids, or by service codes, status and a window of at most 90 days),
 * requests/{id}.{fmt} and tokens/{id}.{fmt}. Each shows the public view of a
 * report and nothing more (tz_threatmap_public_report, _public_page).
 */
#include <stdio.h>
#include <string.h>

#include "base/tztime.h"
#include "http/open311.h"

#define LIST_MAX 1000       /* the specification's default and our hard maximum */
#define LIST_SCAN_ROUNDS 50 /* store pages read for one list, at most */
#define IDS_MAX 200         /* service_request_id values in one query */

/* The specification's two statuses: open until the police have finished with a report. */
const char *const o311_status[TZ_STATUS_COUNT] = {
    [TZ_STATUS_NEW] = "open",          [TZ_STATUS_VERIFYING] = "open",
    [TZ_STATUS_CONFIRMED] = "open",    [TZ_STATUS_NOT_CONFIRMED] = "closed",
    [TZ_STATUS_ELIMINATED] = "closed", [TZ_STATUS_REFERRED] = "closed",
    [TZ_STATUS_REJECTED] = "closed",
};

static void put_request(struct tz_threatmap *tm, struct o311_doc *d, const struct tz_report_rec *r,
                        int64_t now)
{
    enum tz_status s = TZ_STATUS_NEW;
    tz_status_parse(r->status, &s);
    const struct tz_category_rec *c = tz_threatmap_category(tm, r->category);
    const struct tz_district_rec *dist = tz_threatmap_district(tm, r->district_id);
    char notes[160];
    snprintf(notes, sizeof notes, "%s: %s (%s)%s", r->status, tz_status_name_en(s),
             tz_status_name_pl(s), tz_workflow_overdue(r, s, now) ? "; overdue" : "");
    o311_doc_object(d, "request");
    o311_doc_int(d, "service_request_id", r->id);
    o311_doc_text(d, "status", o311_status[s]);
    o311_doc_text(d, "status_notes", notes);
    o311_doc_text(d, "service_name", c ? c->name_en : r->category);
    o311_doc_text(d, "service_code", r->category);
    o311_doc_text(d, "description", r->public_description); /* public only once reviewed */
    o311_doc_text(d, "agency_responsible", dist ? dist->unit : NULL);
    o311_doc_text(d, "service_notice", NULL);
    o311_doc_time(d, "requested_datetime", r->received_at);
    o311_doc_time(d, "updated_datetime", r->status_changed_at);
    o311_doc_time(d, "expected_datetime", tz_workflow_due(r, s)); /* the deadline running now */
    o311_doc_text(d, "address", dist ? dist->name : NULL); /* no geocoder: the district's name */
    o311_doc_text(d, "address_id", NULL);
    o311_doc_text(d, "zipcode", NULL);
    o311_doc_fixed6(d, "lat", r->lat);
    o311_doc_fixed6(d, "long", r->lon);
    /* The first photo an officer approved (pending and rejected ones never show). */
    struct tz_photo_rec *photos = NULL;
    size_t n = 0;
    char media[48];
    bool has = tz_threatmap_photos_approved(tm, r->id, &photos, &n) == TZ_OK && n > 0;
    if (has)
        snprintf(media, sizeof media, "/api/v1/photos/%lld", (long long)photos[0].id);
    tz_photo_recs_free(photos, n);
    o311_doc_text(d, "media_url", has ? media : NULL);
    o311_doc_end(d, "request");
}

enum MHD_Result o311_one_request(struct request *req, enum o311_format f, const char *arg)
{
    int64_t id = 0;
    struct tz_report_rec r = {0};
    int64_t now = tz_time_now();
    tz_err err = o311_read_id(arg, strlen(arg), &id)
                     ? tz_threatmap_public_report(req->srv->tm, id, now, &r)
                     : TZ_ENOTFOUND;
    if (err == TZ_ENOTFOUND)
        return o311_send_error(req, f, 404, "service_request_id %s not found", arg);
    if (err)
        return o311_send_failure(req, f, err);
    struct tz_buf b;
    struct o311_doc d;
    tz_buf_init(&b, O311_SMALL_MAX);
    o311_doc_begin(&d, f, &b);
    o311_doc_list(&d, "service_requests");
    put_request(req->srv->tm, &d, &r, now);
    o311_doc_end(&d, "service_requests");
    tz_report_rec_clear(&r);
    return o311_send_doc(req, MHD_HTTP_OK, &d, &b);
}

/*
 * The Open311 token of a request is its service_request_id as text: our POST
 * answers once the report is durable, so there is never a pending request
 * to name, and the reporter's secret tracking token must not leave our own
 * API (docs/open311.md).
 */
enum MHD_Result o311_token(struct request *req, enum o311_format f, const char *arg)
{
    int64_t id = 0;
    struct tz_report_rec r = {0};
    tz_err err = o311_read_id(arg, strlen(arg), &id)
                     ? tz_threatmap_public_report(req->srv->tm, id, tz_time_now(), &r)
                     : TZ_ENOTFOUND;
    tz_report_rec_clear(&r);
    if (err == TZ_ENOTFOUND)
        return o311_send_error(req, f, 404, "token %s not found", arg);
    if (err)
        return o311_send_failure(req, f, err);
    struct tz_buf b;
    struct o311_doc d;
    tz_buf_init(&b, O311_SMALL_MAX);
    o311_doc_begin(&d, f, &b);
    o311_doc_list(&d, "service_requests");
    o311_doc_object(&d, "request");
    o311_doc_int(&d, "service_request_id", id);
    o311_doc_text(&d, "token", arg);
    o311_doc_end(&d, "request");
    o311_doc_end(&d, "service_requests");
    return o311_send_doc(req, MHD_HTTP_OK, &d, &b);
}

/* What GET requests asks for. */
struct list_query {
    const char *ids;   /* service_request_id: overrides everything else */
    const char *codes; /* service_code */
    const char *start, *end;
    const char *statuses; /* open, closed */
    struct tz_report_filter filter;
};

static tz_err add_code(const char *item, size_t n, struct tz_threatmap *tm,
                       struct tz_report_filter *f)
{
    char code[TZ_CODE_MAX];
    if (n >= sizeof code || f->category_count >= TZ_FILTER_MAX_CATEGORIES)
        return TZ_EINVAL;
    memcpy(code, item, n);
    code[n] = '\0';
    if (!tz_threatmap_category(tm, code))
        return TZ_EINVAL;
    memcpy(f->categories[f->category_count++], code, n + 1);
    return TZ_OK;
}

/* Splits a comma-separated list (bounded) and hands each item to fn. */
static tz_err each_item(const char *s, size_t max,
                        tz_err (*fn)(void *ctx, const char *item, size_t n), void *ctx)
{
    size_t items = 0;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        if (n == 0 || ++items > max)
            return TZ_EINVAL;
        tz_err err = fn(ctx, s, n);
        if (err)
            return err;
        if (!comma)
            return TZ_OK;
        s = comma + 1;
    }
}

struct item_ctx {
    struct tz_threatmap *tm;
    struct tz_report_filter *filter;
    int64_t *ids;
    size_t id_count;
};

static tz_err code_item(void *ctx, const char *item, size_t n)
{
    struct item_ctx *c = ctx;
    return add_code(item, n, c->tm, c->filter);
}

static tz_err status_item(void *ctx, const char *item, size_t n)
{
    struct item_ctx *c = ctx;
    bool open = n == 4 && memcmp(item, "open", 4) == 0;
    bool closed = n == 6 && memcmp(item, "closed", 6) == 0;
    if (!open && !closed)
        return TZ_EINVAL;
    for (int s = 0; s < TZ_STATUS_COUNT; s++) {
        const char *code = tz_status_code(s);
        bool dup = false;
        for (size_t i = 0; i < c->filter->status_count; i++)
            dup = dup || strcmp(c->filter->statuses[i], code) == 0;
        if (!dup && strcmp(o311_status[s], open ? "open" : "closed") == 0 &&
            c->filter->status_count < sizeof c->filter->statuses / sizeof c->filter->statuses[0])
            snprintf(c->filter->statuses[c->filter->status_count++], TZ_STATUS_MAX, "%s", code);
    }
    return TZ_OK;
}

static tz_err id_item(void *ctx, const char *item, size_t n)
{
    struct item_ctx *c = ctx;
    int64_t id;
    if (!o311_read_id(item, n, &id))
        return TZ_EINVAL;
    c->ids[c->id_count++] = id;
    return TZ_OK;
}

static enum MHD_Result list_by_ids(struct request *req, enum o311_format f, const char *ids_text)
{
    int64_t ids[IDS_MAX];
    struct item_ctx ctx = {.ids = ids};
    if (each_item(ids_text, IDS_MAX, id_item, &ctx))
        return o311_send_error(
            req, f, 400, "service_request_id must be a comma-separated list of at most %d ids",
            IDS_MAX);
    int64_t now = tz_time_now();
    struct tz_buf b;
    struct o311_doc d;
    tz_err err = TZ_OK;
    tz_buf_init(&b, O311_BODY_MAX);
    o311_doc_begin(&d, f, &b);
    o311_doc_list(&d, "service_requests");
    for (size_t i = 0; i < ctx.id_count && !err; i++) {
        struct tz_report_rec r = {0};
        err = tz_threatmap_public_report(req->srv->tm, ids[i], now, &r);
        if (err == TZ_ENOTFOUND) {
            err = TZ_OK; /* not there, or not public: simply not in the list */
            continue;
        }
        if (!err)
            put_request(req->srv->tm, &d, &r, now);
        tz_report_rec_clear(&r);
    }
    o311_doc_end(&d, "service_requests");
    if (err) {
        tz_buf_free(&b);
        return o311_send_failure(req, f, err);
    }
    return o311_send_doc(req, MHD_HTTP_OK, &d, &b);
}

enum MHD_Result o311_list_requests(struct request *req, enum o311_format f)
{
    struct tz_threatmap *tm = req->srv->tm;
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    struct list_query q = {0};
    struct o311_errors e = {0};
    if (!http_query_params(req, params, &n))
        return o311_send_error(req, f, 400, "too many query parameters");
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key, *v = o311_param_value(&params[i]);
        const char **slot = strcmp(k, "service_request_id") == 0 ? &q.ids
                            : strcmp(k, "service_code") == 0     ? &q.codes
                            : strcmp(k, "start_date") == 0       ? &q.start
                            : strcmp(k, "end_date") == 0         ? &q.end
                            : strcmp(k, "status") == 0           ? &q.statuses
                                                                 : NULL;
        /* jurisdiction_id (one jurisdiction here) and api_key (reading needs none, but many
         * clients send it with every call) are accepted and ignored. */
        if (!slot && strcmp(k, "jurisdiction_id") != 0 && strcmp(k, "api_key") != 0)
            o311_add_error(&e, 400, "unknown parameter %s", k);
        else if (slot && *slot && v)
            o311_add_error(&e, 400, "parameter %s given twice", k);
        else if (slot && v)
            *slot = v;
    }
    if (e.count)
        return o311_send_errors(req, f, &e, 0);
    if (q.ids)
        return list_by_ids(req, f, q.ids);

    int64_t now = tz_time_now();
    struct item_ctx ctx = {.tm = tm, .filter = &q.filter};
    if (q.codes && each_item(q.codes, TZ_FILTER_MAX_CATEGORIES, code_item, &ctx))
        o311_add_error(&e, 400,
                       "service_code must be a comma-separated list of known service codes");
    if (q.statuses && each_item(q.statuses, 2, status_item, &ctx))
        o311_add_error(&e, 400, "status must be open, closed or open,closed");
    /* The window of requested_datetime: at most 90 days, the last 90 when none is given. */
    o311_read_window(q.start, q.end, now, &q.filter.from, &q.filter.to, &e);
    if (e.count)
        return o311_send_errors(req, f, &e, 0);
    tz_threatmap_restrict_public(tm, &q.filter);

    struct tz_buf b;
    struct o311_doc d;
    tz_err err = TZ_OK;
    size_t emitted = 0;
    bool more = true;
    tz_buf_init(&b, O311_BODY_MAX);
    o311_doc_begin(&d, f, &b);
    o311_doc_list(&d, "service_requests");
    for (int round = 0; more && !err && emitted < LIST_MAX && round < LIST_SCAN_ROUNDS; round++) {
        struct tz_report_rec *recs = NULL;
        size_t count = 0;
        q.filter.limit = LIST_MAX;
        err = tz_threatmap_public_page(tm, &q.filter, now, &recs, &count, &more);
        for (size_t i = 0; !err && i < count && emitted < LIST_MAX; i++, emitted++)
            put_request(tm, &d, &recs[i], now);
        tz_report_recs_free(recs, count);
    }
    o311_doc_end(&d, "service_requests");
    if (err) {
        tz_buf_free(&b);
        return o311_send_failure(req, f, err);
    }
    return o311_send_doc(req, MHD_HTTP_OK, &d, &b);
}
