/*
 * trends.c - counts per category per week or month for an area, beside the
 * same period a year earlier. One scan of the store from a year before the
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

static tz_err put_label(const struct trends *t, int64_t k, struct tz_buf *out)
{
    int y, m, d;
    tz_time_civil_from_days(period_day(t, k), &y, &m, &d);
    if (t->period == MONTH)
        return tz_buf_printf(out, "\"%04d-%02d\"", y, m);
    return tz_buf_printf(out, "\"%04d-%02d-%02d\"", y, m, d);
}

/* One series: counts, the year before and the change, for category c (or all when c < 0). */
static tz_err put_series(const struct trends *t, int c, struct tz_buf *out)
{
    static const char *const names[] = {"counts", "year_before", "change_pct"};
    tz_err err = TZ_OK;
    for (int part = 0; !err && part < 3; part++) {
        err = tz_buf_printf(out, "%s\"%s\":[", part ? "," : "", names[part]);
        for (size_t i = 0; !err && i < t->nb; i++) {
            uint64_t now = 0, before = 0;
            size_t ncat = TZ_MAP_MAX_CATEGORIES;
            for (size_t k = 0; k < ncat; k++) {
                if (c >= 0 ? (int)k == c : t->on[k]) {
                    now += t->counts[i + t->lag][k];
                    before += t->counts[i][k];
                }
            }
            if (i)
                err = tz_buf_puts(out, ",");
            if (err)
                break;
            if (part == 0)
                err = tz_buf_printf(out, "%llu", (unsigned long long)now);
            else if (part == 1)
                err = tz_buf_printf(out, "%llu", (unsigned long long)before);
            else if (before == 0)
                err = tz_buf_puts(out, "null");
            else
                err = tz_buf_printf(out, "%.1f",
                                    100.0 * ((double)now - (double)before) / (double)before);
        }
        if (!err)
            err = tz_buf_puts(out, "]");
    }
    return err;
}

tz_err tz_analysis_trends_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                               size_t count, int64_t now, struct tz_buf *out,
                               struct tz_field_errors *errs)
{
    static const char *const keys[] = {"period", "from",     "to",    "district",
                                       "unit",   "category", "group", NULL};
    static const char *const periods[] = {"week", "month", NULL};
    struct an_params ap;
    struct trends t = {.period = MONTH, .tm = tm};
    memset(t.on, 1, sizeof t.on);
    bool any = false;
    int64_t from = 0, to = now;
    const char *district = NULL;
    tz_err err = an_split_own(params, count, keys, &ap, errs);
    if (err)
        return err;
    for (size_t i = 0; i < ap.own_count; i++) {
        const struct tz_query_param *p = ap.own[i];
        const char *v = p->value ? p->value : "";
        int choice;
        if (strcmp(p->key, "period") == 0 && an_choice(p, periods, &choice, errs))
            t.period = choice == 0 ? WEEK : MONTH;
        else if (strcmp(p->key, "from") == 0)
            an_time(p, &from, errs);
        else if (strcmp(p->key, "to") == 0)
            an_time(p, &to, errs);
        else if (strcmp(p->key, "district") == 0 && !tz_threatmap_district(tm, v))
            tz_fielderr_add(errs, "district", "no such district");
        else if (strcmp(p->key, "district") == 0)
            district = v;
        else if (strcmp(p->key, "unit") == 0)
            t.unit = v;
        else if (strcmp(p->key, "category") == 0 || strcmp(p->key, "group") == 0)
            an_categories(tm, p, t.on, &any, errs);
    }
    t.lag = t.period == WEEK ? 52 : 12;
    int64_t last = period_of(t.period, an_local_day(to - 1));
    if (!from) /* a year of periods, the current one included */
        t.base = last - (t.period == WEEK ? 7 * 51 : 11);
    else
        t.base = period_of(t.period, an_local_day(from));
    int64_t nb = periods_between(t.period, t.base, last) + 1;
    if (nb < 1 || nb > TZ_TRENDS_BUCKETS_MAX)
        tz_fielderr_add(errs, "to", "from must be before to, at most %d periods apart",
                        TZ_TRENDS_BUCKETS_MAX);
    if (errs->count)
        return TZ_EINVAL;
    t.nb = (size_t)nb;
    t.base -= t.period == WEEK ? 7 * 52 : 12;
    t.counts = calloc(t.nb + t.lag, sizeof *t.counts);
    if (!t.counts)
        return TZ_ENOMEM;
    struct tz_scan_filter f = {
        .district_id = district,
        .from = an_day_start(period_day(&t, 0)),
        .to = an_day_start(period_day(&t, (int64_t)(t.nb + t.lag))),
    };
    err = tz_store_scan_reports(tz_threatmap_store(tm), &f, count_row, &t);
    if (!err)
        err = tz_buf_printf(
            out, "{\"period\":\"%s\",\"district\":", t.period == WEEK ? "week" : "month");
    if (!err)
        err = district ? tz_buf_json_cstr(out, district) : tz_buf_puts(out, "null");
    if (!err)
        err = tz_buf_puts(out, ",\"unit\":");
    if (!err)
        err = tz_buf_json_cstr(out, t.unit);
    if (!err)
        err = tz_buf_puts(out, ",\"periods\":[");
    for (size_t i = 0; !err && i < t.nb; i++) {
        if (i)
            err = tz_buf_puts(out, ",");
        if (!err)
            err = put_label(&t, (int64_t)(i + t.lag), out);
    }
    if (!err)
        err = tz_buf_puts(out, "],\"total\":{");
    if (!err)
        err = put_series(&t, -1, out);
    if (!err)
        err = tz_buf_puts(out, "},\"series\":[");
    size_t ncat, written = 0;
    const struct tz_category_rec *cats = tz_threatmap_category_list(tm, &ncat);
    for (size_t c = 0; !err && c < ncat; c++) {
        uint64_t sum = 0;
        for (size_t i = 0; i < t.nb + t.lag; i++)
            sum += t.counts[i][c];
        if (!t.on[c] || sum == 0)
            continue;
        err = tz_buf_printf(out, "%s{\"category\":\"%s\",\"name_pl\":", written++ ? "," : "",
                            cats[c].code);
        if (!err)
            err = tz_buf_json_cstr(out, cats[c].name_pl);
        if (!err)
            err = tz_buf_puts(out, ",\"name_en\":");
        if (!err)
            err = tz_buf_json_cstr(out, cats[c].name_en);
        if (!err)
            err = tz_buf_puts(out, ",");
        if (!err)
            err = put_series(&t, (int)c, out);
        if (!err)
            err = tz_buf_puts(out, "}");
    }
    if (!err)
        err = tz_buf_puts(out, "]}");
    free(t.counts);
    return err;
}
