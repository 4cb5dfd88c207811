/*
 * open311_updates.c - GET servicerequestupdates.{fmt}: the status changes of
 * public requests, as FixMyStreet's Open311 client pulls them (mySociety's
 * extension of GeoReport v2, "Open311 FMS - Proposed differences to
 * Open311"; docs/open311.md). One update per public status change:
 *
 *   <service_request_updates><request_update>
 *     <update_id/> <service_request_id/> <status/> <updated_datetime/>
 *     <description/> <media_url/> <external_status_code/>
 *   </request_update>...</service_request_updates>
 *
 * The parameters and errors are those of GET requests: start_date and
 * end_date (on updated_datetime, both included, at most 90 days apart),
 * jurisdiction_id and api_key accepted and ignored, any other refused.
 */
#include <string.h>

#include "base/tztime.h"
#include "http/open311.h"

#define UPDATES_MAX 1000 /* as the requests: the specification's "first 1000" */

/* The extension's statuses (upper case): OPEN until the police have finished with a report. */
static const char *update_status(const char *code)
{
    enum tz_status s = TZ_STATUS_NEW;
    tz_status_parse(code, &s);
    return strcmp(o311_status[s], "open") == 0 ? "OPEN" : "CLOSED";
}

static tz_err put_update(void *ctx, const struct tz_transition_rec *change,
                         const struct tz_report_rec *report)
{
    struct o311_doc *d = ctx;
    o311_doc_object(d, "request_update");
    o311_doc_int(d, "update_id", change->seq);
    o311_doc_int(d, "service_request_id", report->id);
    o311_doc_text(d, "status", update_status(change->to));
    o311_doc_time(d, "updated_datetime", change->at);
    /* The officer's public note; the reporter's note never leaves our own API. */
    o311_doc_text(d, "description", change->public_note);
    o311_doc_text(d, "media_url", NULL);
    o311_doc_text(d, "external_status_code", change->to); /* our detailed status */
    o311_doc_end(d, "request_update");
    return d->err;
}

/* Reads start_date and end_date; the rest as GET requests treats it. False: errors in e. */
static bool read_query(struct request *req, const char **start, const char **end,
                       struct o311_errors *e)
{
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    if (!http_query_params(req, params, &n)) {
        o311_add_error(e, 400, "too many query parameters");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key, *v = o311_param_value(&params[i]);
        const char **slot = strcmp(k, "start_date") == 0 ? start
                            : strcmp(k, "end_date") == 0 ? end
                                                         : NULL;
        if (!slot && strcmp(k, "jurisdiction_id") != 0 && strcmp(k, "api_key") != 0)
            o311_add_error(e, 400, "unknown parameter %s", k);
        else if (slot && *slot && v)
            o311_add_error(e, 400, "parameter %s given twice", k);
        else if (slot && v)
            *slot = v;
    }
    return e->count == 0;
}

enum MHD_Result o311_list_updates(struct request *req, enum o311_format f)
{
    const char *start = NULL, *end = NULL;
    struct o311_errors e = {0};
    int64_t now = tz_time_now(), from = 0, to = 0;
    if (read_query(req, &start, &end, &e))
        o311_read_window(start, end, now, &from, &to, &e);
    if (e.count)
        return o311_send_errors(req, f, &e, 0);
    struct tz_buf b;
    struct o311_doc d;
    bool complete = false;
    tz_buf_init(&b, O311_BODY_MAX);
    o311_doc_begin(&d, f, &b);
    o311_doc_list(&d, "service_request_updates");
    tz_err err = tz_threatmap_public_updates(req->srv->tm, from, to, now, UPDATES_MAX, put_update,
                                             &d, &complete);
    o311_doc_end(&d, "service_request_updates");
    if (err) {
        tz_buf_free(&b);
        return o311_send_failure(req, f, err);
    }
    return o311_send_doc(req, MHD_HTTP_OK, &d, &b);
}
