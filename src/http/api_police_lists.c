/*
 * api_police_lists.c - the police lists: the officer's queue (open reports
 * of my districts, by deadline), the supervisor's dashboard (deadline
 * compliance per district and per officer, the overdue list) and the
 * institutions a report may be referred to. Each read is audited before
 * its data is sent; the deadline shown is tz_workflow_due's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/jsonw.h"
#include "base/num.h"
#include "http/police.h"

#define LIST_BODY_MAX (8u * 1024 * 1024)
#define QUEUE_DEFAULT 200
#define QUEUE_MAX 1000

/* One report of a queue or an overdue list. */
static void put_item(struct tz_jw *w, const struct tz_report_rec *r, int64_t now)
{
    enum tz_status st = TZ_STATUS_NEW;
    tz_status_parse(r->status, &st);
    tz_jw_object(w);
    tz_jw_kint(w, "id", r->id);
    tz_jw_kstr(w, "category", r->category);
    tz_jw_kstr(w, "status", tz_status_code(st));
    tz_jw_kstr(w, "district", r->district_id);
    tz_jw_key(w, "lat");
    tz_jw_fixed6(w, r->lat);
    tz_jw_key(w, "lon");
    tz_jw_fixed6(w, r->lon);
    tz_jw_ktime(w, "received_at", r->received_at);
    tz_jw_ktime(w, "due", tz_workflow_due(r, st));
    tz_jw_kbool(w, "overdue", tz_workflow_overdue(r, st, now));
    tz_jw_kstr(w, "description", r->description);
    tz_jw_kstr(w, "public_description", r->public_description);
    tz_jw_object_end(w);
}

/* The districts a queue or dashboard covers: the officer's own, the unit's, or all. */
static tz_err scope_districts(struct request *req, const struct tz_principal *p,
                              enum tz_auth_action action, char (**out)[TZ_ID_MAX], size_t *count)
{
    struct tz_threatmap *tm = req->srv->tm;
    size_t total = tz_threatmap_district_count(tm), n = 0;
    char(*ids)[TZ_ID_MAX] = calloc(total ? total : 1, TZ_ID_MAX);
    if (!ids)
        return TZ_ENOMEM;
    enum tz_auth_scope scope = tz_auth_scope_of(p->role, action);
    for (size_t i = 0; i < total; i++) {
        const struct tz_district_rec *d = tz_threatmap_district_at(tm, i);
        bool in =
            scope == TZ_SCOPE_ALL ||
            (scope == TZ_SCOPE_UNIT && strcmp(d->unit, p->account.unit) == 0) ||
            (scope == TZ_SCOPE_OWN && tz_auth_permit(p, action, d->id, d->unit, NULL) == TZ_OK);
        if (in && n < QUEUE_MAX)
            snprintf(ids[n++], TZ_ID_MAX, "%s", d->id);
    }
    *out = ids;
    *count = n;
    return TZ_OK;
}

static bool read_limit(struct request *req, size_t *limit)
{
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    *limit = QUEUE_DEFAULT;
    if (!http_query_params(req, params, &n))
        return false;
    for (size_t i = 0; i < n; i++) {
        const char *s = params[i].value;
        int64_t v = 0;
        if (strcmp(params[i].key, "limit") != 0 || !s ||
            tz_num_parse_i64(s, strlen(s), 1, QUEUE_MAX, &v))
            return false;
        *limit = (size_t)v;
    }
    return true;
}

enum MHD_Result api_queue(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    size_t limit;
    if (!police_begin(req, false, TZ_ACT_QUEUE, &c, &answer))
        return answer;
    if (!read_limit(req, &limit))
        return police_refuse(req, 400, "the queue takes only limit=1..1000");
    char(*ids)[TZ_ID_MAX] = NULL;
    size_t nids = 0, n = 0;
    struct tz_report_rec *recs = NULL;
    tz_err err = scope_districts(req, &c.p, TZ_ACT_QUEUE, &ids, &nids);
    if (!err)
        err = tz_threatmap_queue(req->srv->tm, (const char(*)[TZ_ID_MAX])ids, nids,
                                 c.p.account.name, limit, &recs, &n);
    free(ids);
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    if (!police_audit_read(req, &c, TZ_AUDIT_QUEUE_READ, n, &answer)) {
        tz_report_recs_free(recs, n);
        return answer;
    }
    int64_t now = tz_auth_now(req->srv->auth);
    struct tz_buf b;
    struct tz_jw w;
    tz_buf_init(&b, LIST_BODY_MAX);
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_key(&w, "reports");
    tz_jw_array(&w);
    for (size_t i = 0; i < n; i++)
        put_item(&w, &recs[i], now);
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    tz_report_recs_free(recs, n);
    return police_answer_doc(req, tz_jw_end(&w), &b);
}

static void put_counts(struct tz_jw *w, const struct tz_compliance_rec *r)
{
    tz_jw_kint(w, "reports", r->reports);
    tz_jw_kint(w, "taken_up", r->taken_up);
    tz_jw_kint(w, "taken_up_in_time", r->taken_up_in_time);
    tz_jw_kint(w, "verified", r->verified);
    tz_jw_kint(w, "verified_in_time", r->verified_in_time);
    tz_jw_kint(w, "overdue", r->overdue);
}

static void add_counts(struct tz_compliance_rec *sum, const struct tz_compliance_rec *r)
{
    sum->reports += r->reports;
    sum->taken_up += r->taken_up;
    sum->taken_up_in_time += r->taken_up_in_time;
    sum->verified += r->verified;
    sum->verified_in_time += r->verified_in_time;
    sum->overdue += r->overdue;
}

/* Per officer: the sums of the districts each officer account is bound to. */
static tz_err put_officers(struct request *req, const struct tz_compliance_rec *rows, size_t n,
                           struct tz_jw *w)
{
    struct tz_account_rec *all = NULL;
    size_t count = 0;
    tz_err err = tz_auth_accounts(req->srv->auth, &all, &count);
    for (size_t i = 0; !err && i < count; i++) {
        enum tz_auth_role role;
        if (tz_auth_role_parse(all[i].role, &role) || role != TZ_AUTH_OFFICER)
            continue;
        struct tz_compliance_rec sum = {0};
        bool any = false;
        for (size_t k = 0; k < all[i].district_count; k++) {
            for (size_t r = 0; r < n; r++) {
                if (strcmp(rows[r].district_id, all[i].districts[k]) == 0) {
                    add_counts(&sum, &rows[r]);
                    any = true;
                }
            }
        }
        if (!any)
            continue;
        tz_jw_object(w);
        tz_jw_kstr(w, "officer", all[i].name);
        put_counts(w, &sum);
        tz_jw_object_end(w);
    }
    if (all)
        sodium_memzero(all, count * sizeof *all);
    free(all);
    return err;
}

enum MHD_Result api_dashboard(struct request *req)
{
    struct police_ctx c;
    enum MHD_Result answer;
    if (!police_begin(req, false, TZ_ACT_DASHBOARD, &c, &answer))
        return answer;
    char(*ids)[TZ_ID_MAX] = NULL;
    size_t nids = 0, nrows = 0, nopen = 0;
    struct tz_compliance_rec *rows = NULL;
    struct tz_report_rec *open = NULL;
    int64_t now = tz_auth_now(req->srv->auth);
    tz_err err = scope_districts(req, &c.p, TZ_ACT_DASHBOARD, &ids, &nids);
    if (!err)
        err = tz_threatmap_compliance(req->srv->tm, (const char(*)[TZ_ID_MAX])ids, nids, now, &rows,
                                      &nrows);
    if (!err)
        err = tz_threatmap_queue(req->srv->tm, (const char(*)[TZ_ID_MAX])ids, nids, NULL, QUEUE_MAX,
                                 &open, &nopen);
    free(ids);
    struct tz_buf b;
    tz_buf_init(&b, LIST_BODY_MAX);
    if (!err && !police_audit_read(req, &c, TZ_AUDIT_DASHBOARD_READ, nopen, &answer)) {
        free(rows);
        tz_report_recs_free(open, nopen);
        tz_buf_free(&b);
        return answer;
    }
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_key(&w, "districts");
    tz_jw_array(&w);
    for (size_t i = 0; !err && i < nrows; i++) {
        const struct tz_district_rec *d = tz_threatmap_district(req->srv->tm, rows[i].district_id);
        tz_jw_object(&w);
        tz_jw_kstr(&w, "id", rows[i].district_id);
        tz_jw_kstr(&w, "name", d ? d->name : NULL);
        put_counts(&w, &rows[i]);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    tz_jw_key(&w, "officers");
    tz_jw_array(&w);
    if (!err)
        err = put_officers(req, rows, nrows, &w);
    tz_jw_array_end(&w);
    tz_jw_key(&w, "overdue");
    tz_jw_array(&w);
    for (size_t i = 0; !err && i < nopen; i++) {
        enum tz_status st = TZ_STATUS_NEW;
        tz_status_parse(open[i].status, &st);
        if (tz_workflow_overdue(&open[i], st, now))
            put_item(&w, &open[i], now);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    tz_err werr = tz_jw_end(&w);
    free(rows);
    tz_report_recs_free(open, nopen);
    return police_answer_doc(req, err ? err : werr, &b);
}

enum MHD_Result api_institutions(struct request *req)
{
    struct tz_group_rec *list = NULL;
    size_t n = 0;
    tz_err err = tz_threatmap_institutions(req->srv->tm, &list, &n);
    struct tz_buf b;
    struct tz_jw w;
    tz_buf_init(&b, 64u * 1024);
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_key(&w, "institutions");
    tz_jw_array(&w);
    for (size_t i = 0; !err && i < n; i++) {
        tz_jw_object(&w);
        tz_jw_kstr(&w, "code", list[i].code);
        tz_jw_kstr(&w, "name_pl", list[i].name_pl);
        tz_jw_kstr(&w, "name_en", list[i].name_en);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    tz_err werr = tz_jw_end(&w);
    tz_group_recs_free(list, n);
    return police_answer_doc(req, err ? err : werr, &b);
}
