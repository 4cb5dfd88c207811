/*
 * api_analysis.c - GET /api/v1/analysis/...: hot spots, trends, statistics,
 * patrol plans and nearby reports for prevention (src/analysis).
 *
 * These are police-only (DESIGN 5): every handler here passes
 * analysis_allowed() first, the one place where the permission table's
 * analysis.read is applied and the read is written to the audit log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "base/num.h"
#include "base/tztime.h"
#include "http/police.h"
#include "http/render.h"

#define ANALYSIS_BODY_MAX (32u * 1024 * 1024)

/* The value of the query parameter key, or NULL. */
static const char *query_value(struct request *req, const char *key)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

struct key_count {
    const char *key;
    unsigned n;
};

static enum MHD_Result count_key(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    (void)value;
    struct key_count *c = cls;
    c->n += key && strcmp(key, c->key) == 0;
    return MHD_YES;
}

/* How many times the query string names key. */
static unsigned query_count(struct request *req, const char *key)
{
    struct key_count c = {key, 0};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, count_key, &c);
    return c.n;
}

/* Whether s is a report id as the handlers read it: 1 to 15 digits, not 0. */
static bool plain_id(const char *s, long long *id)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 15 || s[n] != '\0')
        return false;
    int64_t v = 0;
    bool ok = tz_num_parse_i64(s, n, 1, INT64_MAX, &v) == TZ_OK;
    *id = v;
    return ok;
}

/* What an analysis is about: a district (district=), or one report (linked?id=). */
struct subject {
    const struct tz_district_rec *district;
    long long report;                /* linked?id=: the report read, 0 otherwise */
    char report_district[TZ_ID_MAX]; /* ... the district it lies in */
    char assignee[TZ_ACCOUNT_NAME_MAX];
};

/*
 * The district a request is about, if any: district= names it, linked?id= a
 * report in it. The permission is checked on what the handler will read, so
 * a repeated district or id, or an id the handler would read differently, is
 * refused here (400). False with *answer queued on a refusal or an unknown report.
 */
static bool request_subject(struct request *req, struct subject *s, enum MHD_Result *answer)
{
    memset(s, 0, sizeof *s);
    if (query_count(req, "district") > 1 || query_count(req, "id") > 1) {
        *answer = http_respond_status_problem(req, 400, "district and id may be given once", NULL);
        return false;
    }
    const char *name = query_value(req, "district");
    if (name) {
        s->district = tz_threatmap_district(req->srv->tm, name); /* unknown: the handler says 400 */
        return true;
    }
    const char *id_text = strstr(req->url, "/linked") ? query_value(req, "id") : NULL;
    long long id = 0;
    if (!id_text)
        return true; /* the handler asks for one */
    if (!plain_id(id_text, &id)) {
        struct tz_field_errors errs = {0};
        tz_fielderr_add(&errs, "id", "a report number");
        *answer = http_respond_status_problem(req, 400, "bad query parameters", &errs);
        return false;
    }
    struct tz_report_rec rec = {0};
    tz_err err = tz_threatmap_police_report(req->srv->tm, id, &rec, s->assignee);
    if (!err) {
        s->district = tz_threatmap_district(req->srv->tm, rec.district_id);
        s->report = id;
        memcpy(s->report_district, rec.district_id, sizeof s->report_district);
    }
    tz_report_rec_clear(&rec);
    if (err)
        *answer =
            http_respond_problem(req, err, err == TZ_ENOTFOUND ? "no such report" : NULL, NULL);
    return err == TZ_OK;
}

/*
 * Whether the caller may take this analysis (permission table: analysis.read,
 * checked against the district the request is about, if any; for the reports
 * linked to one, also report.read on that report, its assignee included, as
 * its own page checks). The read is audited before anything is computed, a
 * refusal too, naming the report read or else the district. On false *answer
 * holds the 401/403/404/503 already queued.
 */
static bool analysis_allowed(struct request *req, enum MHD_Result *answer)
{
    struct tz_principal p;
    if (!police_caller(req, false, &p, answer))
        return false;
    struct subject s;
    if (!request_subject(req, &s, answer))
        return false;
    const struct tz_district_rec *d = s.district;
    char client[64];
    police_client(req, client, sizeof client);
    bool permitted =
        tz_auth_permit(&p, TZ_ACT_ANALYSIS, d ? d->id : NULL, d ? d->unit : NULL, NULL) == TZ_OK;
    if (permitted && s.report)
        permitted = tz_auth_permit(&p, TZ_ACT_REPORT_READ, s.report_district, d ? d->unit : "",
                                   s.assignee) == TZ_OK;
    char object[TZ_ID_MAX + 32];
    if (s.report)
        snprintf(object, sizeof object, "report/%lld", s.report);
    else
        snprintf(object, sizeof object, "%s", d ? d->id : "");
    const char *endpoint = strrchr(req->url, '/');
    char fields[96];
    snprintf(fields, sizeof fields, "{\"endpoint\":\"%.24s\"}", endpoint ? endpoint + 1 : "");
    struct tz_audit_rec a =
        tz_auth_audit_entry(req->srv->auth, &p, NULL, client, tz_auth_action_code(TZ_ACT_ANALYSIS),
                            object[0] ? object : NULL);
    a.fields = fields;
    a.outcome = permitted ? "ok" : "refused";
    tz_err err = tz_auth_audit(req->srv->auth, &a);
    if (err) /* no audit entry, no data */
        *answer = http_respond_problem(req, err, NULL, NULL);
    else if (!permitted)
        *answer = police_refuse(req, 403, "this analysis is outside your districts or your role");
    return !err && permitted;
}

static enum MHD_Result answer(struct request *req, query_fn fn)
{
    enum MHD_Result refused;
    if (!analysis_allowed(req, &refused))
        return refused;
    return http_respond_query(req, fn, ANALYSIS_BODY_MAX);
}

enum MHD_Result api_analysis_hotspots(struct request *req)
{
    return answer(req, tz_http_hotspots_json);
}

enum MHD_Result api_analysis_linked(struct request *req)
{
    return answer(req, tz_http_linked_json);
}

enum MHD_Result api_analysis_trends(struct request *req)
{
    return answer(req, tz_http_trends_json);
}

/* The patrol plan also names each place's nearest address, from the server's register. */
enum MHD_Result api_analysis_patrol(struct request *req)
{
    enum MHD_Result refused;
    if (!analysis_allowed(req, &refused))
        return refused;
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    if (!http_query_params(req, params, &n))
        return http_respond_status_problem(req, 400, "too many query parameters", NULL);
    struct tz_field_errors errs = {0};
    struct tz_buf b;
    tz_buf_init(&b, ANALYSIS_BODY_MAX);
    tz_err err =
        tz_http_patrol_json(req->srv->tm, req->srv->addresses, params, n, tz_time_now(), &b, &errs);
    return http_respond_answer(req, err, &b, &errs);
}

/* Statistics come as JSON, GeoJSON, CSV or text: the content type follows the format. */
enum MHD_Result api_analysis_stats(struct request *req)
{
    static const char *const types[] = {
        [TZ_STATS_JSON] = "application/json; charset=utf-8",
        [TZ_STATS_CSV] = "text/csv; charset=utf-8; header=present",
        [TZ_STATS_GEOJSON] = "application/geo+json",
        [TZ_STATS_TEXT] = "text/plain; charset=utf-8",
    };
    enum MHD_Result refused;
    if (!analysis_allowed(req, &refused))
        return refused;
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    if (!http_query_params(req, params, &n))
        return http_respond_status_problem(req, 400, "too many query parameters", NULL);
    struct tz_field_errors errs = {0};
    struct tz_buf b;
    tz_buf_init(&b, ANALYSIS_BODY_MAX);
    enum tz_stats_format format = TZ_STATS_JSON;
    tz_err err = tz_http_stats(req->srv->tm, params, n, tz_time_now(), &b, &format, &errs);
    if (err) {
        tz_buf_free(&b);
        if (err == TZ_EINVAL)
            return http_respond_status_problem(req, 400, "bad query parameters", &errs);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_typed(req, MHD_HTTP_OK, types[format], &b);
}
