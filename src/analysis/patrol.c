/*
 * patrol.c - the district officer's patrol plan: the places of a district
 * to visit this week, ranked by score, each with its reason.
 *
 * The district's reports received in the last TZ_PATROL_DAYS are grouped
 * into places (tz_places_group: same category, 100 m, 14 days, chained), and
 * a place scores the sum over its reports of
 *
 *   weight(status) * 0.5 ^ (age_days / TZ_PATROL_HALF_LIFE) * (1 + 0.5 * me_too)
 *
 * with weight 3 for confirmed, 1.5 for verifying, 1 for new and referred,
 * 0.25 for not_confirmed, and 0 for eliminated and rejected (docs/analysis.md).
 * Places scoring 0 are left out.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "base/tztime.h"

static const double WEIGHT[TZ_STATUS_COUNT] = {
    [TZ_STATUS_NEW] = 1.0,        [TZ_STATUS_VERIFYING] = 1.5,
    [TZ_STATUS_CONFIRMED] = 3.0,  [TZ_STATUS_NOT_CONFIRMED] = 0.25,
    [TZ_STATUS_ELIMINATED] = 0.0, [TZ_STATUS_REFERRED] = 1.0,
    [TZ_STATUS_REJECTED] = 0.0,
};

struct prow {
    int64_t id;
    int category;
    uint8_t status;
    double lat, lon;
    int64_t received_at;
    int me_too;
    bool overdue;
};

struct collect {
    struct tz_threatmap *tm;
    int64_t now;
    struct prow *rows;
    size_t n, cap;
};

#define PATROL_ROWS_MAX 2000000 /* a district's reports in the window, at most */

static tz_err collect_row(void *ctx, const struct tz_report_row *r)
{
    struct collect *c = ctx;
    enum tz_status st;
    int cat = an_category(c->tm, r->category);
    if (cat < 0 || tz_status_parse(r->status, &st) != TZ_OK)
        return TZ_OK;
    if (c->n == c->cap) {
        if (c->cap >= PATROL_ROWS_MAX)
            return TZ_ETOOBIG;
        size_t cap = c->cap ? c->cap * 2 : 256;
        struct prow *p = realloc(c->rows, cap * sizeof *p);
        if (!p)
            return TZ_ENOMEM;
        c->rows = p;
        c->cap = cap;
    }
    bool overdue = (st == TZ_STATUS_NEW && r->takeup_due && c->now > r->takeup_due) ||
                   (st == TZ_STATUS_VERIFYING && r->verify_due && c->now > r->verify_due);
    c->rows[c->n++] =
        (struct prow){r->id, cat, (uint8_t)st, r->lat, r->lon, r->received_at, r->me_too, overdue};
    return TZ_OK;
}

struct place {
    uint32_t root; /* the row that names it */
    double score;
    double sx, sy; /* sums of lat, lon */
    uint32_t n, me_too, overdue;
    uint32_t by_status[TZ_STATUS_COUNT];
    int64_t last;
};

static int by_score(const void *a, const void *b)
{
    const struct place *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->root > y->root) - (x->root < y->root);
}

/* "3 reports (1 confirmed, 2 new), the last 2 days ago, 1 me-too, 1 overdue". */
static tz_err put_reason(const struct place *p, int64_t now, struct tz_buf *out)
{
    tz_err err = tz_buf_printf(out, "\"%u report%s (", p->n, p->n == 1 ? "" : "s");
    for (int s = 0, w = 0; !err && s < TZ_STATUS_COUNT; s++) {
        static const int order[] = {
            TZ_STATUS_CONFIRMED,     TZ_STATUS_VERIFYING,  TZ_STATUS_NEW,     TZ_STATUS_REFERRED,
            TZ_STATUS_NOT_CONFIRMED, TZ_STATUS_ELIMINATED, TZ_STATUS_REJECTED};
        int k = order[s];
        if (p->by_status[k])
            err = tz_buf_printf(out, "%s%u %s", w++ ? ", " : "", p->by_status[k],
                                tz_status_code((enum tz_status)k));
    }
    int64_t days = (now - p->last) / 86400;
    if (!err)
        err = tz_buf_printf(out, "), the last %s%lld day%s ago", days <= 0 ? "under " : "",
                            (long long)(days <= 0 ? 1 : days), days == 1 || days <= 0 ? "" : "s");
    if (!err && p->me_too)
        err = tz_buf_printf(out, ", %u me-too", p->me_too);
    if (!err && p->overdue)
        err = tz_buf_printf(out, ", %u overdue", p->overdue);
    return err ? err : tz_buf_puts(out, "\"");
}

static tz_err write_plan(struct tz_threatmap *tm, const struct tz_district_rec *d,
                         const struct collect *c, const uint32_t *place_of, struct place *places,
                         size_t np, size_t limit, int64_t now, struct tz_buf *out)
{
    size_t ncat;
    const struct tz_category_rec *cats = tz_threatmap_category_list(tm, &ncat);
    char t_now[TZ_TIME_TEXT_MAX], t_from[TZ_TIME_TEXT_MAX];
    tz_time_format(now, t_now);
    tz_time_format(now - (int64_t)TZ_PATROL_DAYS * 86400, t_from);
    tz_err err = tz_buf_puts(out, "{\"type\":\"FeatureCollection\",\"district\":");
    if (!err)
        err = tz_buf_json_cstr(out, d->id);
    if (!err)
        err = tz_buf_puts(out, ",\"district_name\":");
    if (!err)
        err = tz_buf_json_cstr(out, d->name);
    if (!err)
        err = tz_buf_puts(out, ",\"unit\":");
    if (!err)
        err = tz_buf_json_cstr(out, d->unit);
    if (!err)
        err = tz_buf_puts(out, ",\"officer\":");
    if (!err)
        err = tz_buf_json_cstr(out, d->officer);
    if (!err)
        err = tz_buf_printf(out,
                            ",\"generated_at\":\"%s\",\"reports_from\":\"%s\",\"reports\":%zu,"
                            "\"places\":%zu,\"score\":\"sum over the place's reports of "
                            "weight(status) * 0.5^(age_days/%d) * (1 + 0.5 * me_too); weights: "
                            "confirmed 3, verifying 1.5, new 1, referred 1, not_confirmed 0.25, "
                            "eliminated 0, rejected 0\",\"features\":[",
                            t_now, t_from, c->n, np, TZ_PATROL_HALF_LIFE);
    for (size_t i = 0; !err && i < np && i < limit; i++) {
        const struct place *p = &places[i];
        const struct prow *r0 = &c->rows[p->root];
        const struct tz_category_rec *cat = &cats[r0->category];
        char last[TZ_TIME_TEXT_MAX];
        tz_time_format(p->last, last);
        err = tz_buf_printf(out,
                            "%s{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
                            "\"coordinates\":[%.6f,%.6f]},\"properties\":{\"rank\":%zu,"
                            "\"score\":%.2f,\"category\":\"%s\",\"category_pl\":",
                            i ? "," : "", p->sy / p->n, p->sx / p->n, i + 1, p->score, cat->code);
        if (!err)
            err = tz_buf_json_cstr(out, cat->name_pl);
        if (!err)
            err = tz_buf_puts(out, ",\"category_en\":");
        if (!err)
            err = tz_buf_json_cstr(out, cat->name_en);
        if (!err)
            err = tz_buf_printf(out, ",\"last_received_at\":\"%s\",\"reason\":", last);
        if (!err)
            err = put_reason(p, now, out);
        if (!err)
            err = tz_buf_puts(out, ",\"reports\":[");
        for (size_t k = 0, w = 0; !err && k < c->n && w < 100; k++) {
            if (place_of[k] == p->root)
                err = tz_buf_printf(out, "%s%lld", w++ ? "," : "", (long long)c->rows[k].id);
        }
        if (!err)
            err = tz_buf_puts(out, "]}}");
    }
    return err ? err : tz_buf_puts(out, "]}");
}

tz_err tz_analysis_patrol_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                               size_t count, int64_t now, struct tz_buf *out,
                               struct tz_field_errors *errs)
{
    static const char *const keys[] = {"district", "limit", NULL};
    struct an_params ap;
    const struct tz_district_rec *d = NULL;
    double limit = TZ_PATROL_LIMIT;
    tz_err err = an_split_own(params, count, keys, &ap, errs);
    if (err)
        return err;
    for (size_t i = 0; i < ap.own_count; i++) {
        const struct tz_query_param *p = ap.own[i];
        if (strcmp(p->key, "limit") == 0) {
            if (an_double(p, 1, TZ_PATROL_LIMIT_MAX, &limit, errs) && limit != floor(limit))
                tz_fielderr_add(errs, "limit", "must be a whole number");
        } else if (!(d = tz_threatmap_district(tm, p->value ? p->value : ""))) {
            tz_fielderr_add(errs, "district", "no such district");
        }
    }
    if (!d && !errs->count)
        tz_fielderr_add(errs, "district", "required");
    if (errs->count)
        return TZ_EINVAL;

    struct collect c = {.tm = tm, .now = now};
    struct tz_scan_filter f = {
        .district_id = d->id, .from = now - (int64_t)TZ_PATROL_DAYS * 86400, .to = now + 1};
    struct tz_place_point *pts = NULL;
    uint32_t *place_of = NULL;
    struct place *places = NULL;
    size_t np = 0;
    err = tz_store_scan_reports(tz_threatmap_store(tm), &f, collect_row, &c);
    if (err)
        goto done;
    size_t m = c.n ? c.n : 1;
    pts = malloc(m * sizeof *pts);
    place_of = malloc(m * sizeof *place_of);
    places = calloc(m, sizeof *places);
    uint32_t *slot = malloc(m * sizeof *slot); /* a root's place in `places` */
    if (!pts || !place_of || !places || !slot) {
        free(slot);
        err = TZ_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < c.n; i++)
        pts[i] = (struct tz_place_point){(uint8_t)c.rows[i].category, c.rows[i].lat, c.rows[i].lon,
                                         c.rows[i].received_at};
    err = tz_places_group(pts, c.n, TZ_NEARBY_RADIUS_M, TZ_NEARBY_WINDOW_S, place_of);
    for (size_t i = 0; !err && i < c.n; i++) {
        const struct prow *r = &c.rows[i];
        uint32_t root = place_of[i];
        if (root == i) { /* the root comes first: it is the smallest index of its place */
            slot[i] = (uint32_t)np;
            places[np++] = (struct place){.root = root};
        }
        struct place *p = &places[slot[root]];
        double age = (double)(now - r->received_at) / 86400.0;
        p->score += WEIGHT[r->status] * pow(0.5, (age > 0 ? age : 0) / TZ_PATROL_HALF_LIFE) *
                    (1.0 + 0.5 * r->me_too);
        p->sx += r->lat;
        p->sy += r->lon;
        p->n++;
        p->me_too += (uint32_t)r->me_too;
        p->overdue += r->overdue;
        p->by_status[r->status]++;
        p->last = r->received_at > p->last ? r->received_at : p->last;
    }
    free(slot);
    if (err)
        goto done;
    /* Drop the places that score nothing, then rank. */
    size_t kept = 0;
    for (size_t i = 0; i < np; i++) {
        if (places[i].score > 0)
            places[kept++] = places[i];
    }
    np = kept;
    qsort(places, np, sizeof *places, by_score);
    err = write_plan(tm, d, &c, place_of, places, np, (size_t)limit, now, out);
done:
    free(pts);
    free(place_of);
    free(places);
    free(c.rows);
    return err;
}
