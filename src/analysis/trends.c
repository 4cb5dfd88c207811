/*
 * trends.c - counts per category per week or month for an area, beside the
 * same period a year earlier and the change in per cent, as a struct that
 * http writes (http/render.h). One scan of the store from a year before the
 * first period to the end of the last.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "base/tztime.h"

enum period { WEEK, MONTH };

struct trends {
    enum period period;
    size_t nb;    /* periods asked for */
    size_t lag;   /* periods in a year: 52 weeks or 12 months */
    int64_t base; /* first period of the scan (a year before the first asked for) */
    const char *unit;
    bool on[TZ_MAP_MAX_CATEGORIES];
    struct tz_threatmap *tm;
    uint32_t (*counts)[TZ_MAP_MAX_CATEGORIES]; /* [period from base][category] */
};

/* The period of local day d: a Monday's day number, or a month as year * 12 + month - 1. */
static int64_t period_of(enum period p, int64_t d)
{
    if (p == WEEK)
        return d - ((d % 7 + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
    int y, m, day;
    tz_time_civil_from_days(d, &y, &m, &day);
    return (int64_t)y * 12 + m - 1;
}

/* Periods from a to b (both periods of the same kind). */
static int64_t periods_between(enum period p, int64_t a, int64_t b)
{
    return p == WEEK ? (b - a) / 7 : b - a;
}

/* The first local day of period k after base. */
static int64_t period_day(const struct trends *t, int64_t k)
{
    if (t->period == WEEK)
        return t->base + 7 * k;
    int64_t ym = t->base + k;
    return tz_time_days_from_civil((int)(ym / 12), (int)(ym % 12) + 1, 1);
}

static tz_err count_row(void *ctx, const struct tz_report_row *r)
{
    struct trends *t = ctx;
    if (r->merged_into) /* a duplicate merged into its original: the threat counts once */
        return TZ_OK;
    if (t->unit && strcmp(r->unit, t->unit) != 0)
        return TZ_OK;
    int c = an_category(t->tm, r->category);
    if (c < 0 || !t->on[c])
        return TZ_OK;
    int64_t k =
        periods_between(t->period, t->base, period_of(t->period, an_local_day(r->received_at)));
    if (k >= 0 && (size_t)k < t->nb + t->lag)
        t->counts[k][c]++;
    return TZ_OK;
}

void tz_trends_query_init(struct tz_trends_query *q)
{
    memset(q, 0, sizeof *q);
    q->month = true;
    memset(q->on, 1, sizeof q->on);
}

/* The range of q into t; TZ_EINVAL when errs holds an error. */
static tz_err set_range(struct trends *t, const struct tz_trends_query *q, int64_t now,
                        struct tz_field_errors *errs)
{
    int64_t from = q->from, to = q->has_to ? q->to : now;
    t->lag = t->period == WEEK ? 52 : 12;
    int64_t last = period_of(t->period, an_local_day(to - 1));
    if (!from) /* a year of periods, the current one included */
        t->base = last - (t->period == WEEK ? 7 * 51 : 11);
    else
        t->base = period_of(t->period, an_local_day(from));
    int64_t nb = periods_between(t->period, t->base, last) + 1;
    if (nb < 1 || nb > TZ_TRENDS_BUCKETS_MAX)
        tz_fielderr_add(errs, "to", "from must be before to, at most %d periods apart",
                        TZ_TRENDS_BUCKETS_MAX);
    if (errs->count)
        return TZ_EINVAL;
    t->nb = (size_t)nb;
    t->base -= t->period == WEEK ? 7 * 52 : 12;
    return TZ_OK;
}

/* A copy of s (NULL stays NULL) into *out; TZ_ENOMEM. */
static tz_err copy_text(const char *s, char **out)
{
    *out = NULL;
    if (!s)
        return TZ_OK;
    size_t n = strlen(s) + 1;
    *out = malloc(n);
    if (!*out)
        return TZ_ENOMEM;
    memcpy(*out, s, n);
    return TZ_OK;
}

/* Fills series s (of category c, or of every category asked for when c < 0) from t's counts. */
static void fill_series(const struct trends *t, int c, struct tz_trends_series *s)
{
    s->category = c;
    for (size_t i = 0; i < t->nb; i++) {
        uint64_t now = 0, before = 0;
        for (size_t k = 0; k < TZ_MAP_MAX_CATEGORIES; k++) {
            if (c >= 0 ? (int)k == c : t->on[k]) {
                now += t->counts[i + t->lag][k];
                before += t->counts[i][k];
            }
        }
        s->counts[i] = now;
        s->year_before[i] = before;
    }
}

/* The series of the categories asked for that have a report in the scan, in catalogue order. */
static tz_err fill_result(const struct trends *t, struct tz_trends *out)
{
    size_t ncat, ns = 0;
    (void)tz_threatmap_category_list(t->tm, &ncat);
    int cats[TZ_MAP_MAX_CATEGORIES];
    for (size_t c = 0; c < ncat && c < TZ_MAP_MAX_CATEGORIES; c++) {
        uint64_t sum = 0;
        for (size_t i = 0; i < t->nb + t->lag; i++)
            sum += t->counts[i][c];
        if (t->on[c] && sum > 0)
            cats[ns++] = (int)c;
    }
    out->periods = t->nb;
    out->first_day = malloc(t->nb * sizeof *out->first_day);
    out->values = calloc((ns + 1) * 2 * t->nb, sizeof *out->values);
    out->series = calloc(ns ? ns : 1, sizeof *out->series);
    if (!out->first_day || !out->values || !out->series)
        return TZ_ENOMEM;
    for (size_t i = 0; i < t->nb; i++)
        out->first_day[i] = period_day(t, (int64_t)(i + t->lag));
    for (size_t k = 0; k <= ns; k++) {
        struct tz_trends_series *s = k ? &out->series[k - 1] : &out->total;
        s->counts = out->values + 2 * k * t->nb;
        s->year_before = s->counts + t->nb;
        fill_series(t, k ? cats[k - 1] : -1, s);
    }
    out->series_count = ns;
    return TZ_OK;
}

tz_err tz_analysis_trends(struct tz_threatmap *tm, const struct tz_trends_query *q, int64_t now,
                          struct tz_trends *out, struct tz_field_errors *errs)
{
    struct trends t = {.period = q->month ? MONTH : WEEK, .tm = tm, .unit = q->unit};
    memcpy(t.on, q->on, sizeof t.on);
    memset(out, 0, sizeof *out);
    const char *district = q->district;
    tz_err err = set_range(&t, q, now, errs);
    if (err)
        return err;
    t.counts = calloc(t.nb + t.lag, sizeof *t.counts);
    if (!t.counts)
        return TZ_ENOMEM;
    struct tz_scan_filter f = {
        .district_id = district,
        .from = an_day_start(period_day(&t, 0)),
        .to = an_day_start(period_day(&t, (int64_t)(t.nb + t.lag))),
    };
    err = tz_threatmap_scan(tm, &f, count_row, &t);
    out->week = t.period == WEEK;
    if (!err)
        err = copy_text(district, &out->district);
    if (!err)
        err = copy_text(t.unit, &out->unit);
    if (!err)
        err = fill_result(&t, out);
    free(t.counts);
    if (err)
        tz_trends_clear(out);
    return err;
}

void tz_trends_clear(struct tz_trends *t)
{
    if (!t)
        return;
    free(t->district);
    free(t->unit);
    free(t->first_day);
    free(t->values);
    free(t->series);
    memset(t, 0, sizeof *t);
}

bool tz_trends_change_pct(uint64_t now, uint64_t before, double *pct)
{
    if (before == 0)
        return false;
    *pct = 100.0 * ((double)now - (double)before) / (double)before;
    return true;
}
