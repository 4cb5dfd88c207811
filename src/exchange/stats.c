/*
 * stats.c - Art. 18 of Directive (EU) 2023/977: what a member state reports
 * each year: requests sent and received (urgent and not), refusals by
 * ground, and deviations for judicial authorisation, in total and per
 * partner. The store counts the messages of the year (in Polish time) by
 * direction, partner, type, urgency and grounds; this file folds the rows
 * into the struct that the API and the command line render.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tztime.h"
#include "exchange/internal.h"
#include "exchange/spoc.h"

int tz_exchange_year_of(int64_t t)
{
    int64_t local = t + tz_time_pl_offset(t);
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int y, mo, d;
    tz_time_civil_from_days(days, &y, &mo, &d);
    return y;
}

/* Midnight of 1 January of year in Polish time (winter time then: CET). */
static int64_t year_start(int year)
{
    int64_t t = tz_time_days_from_civil(year, 1, 1) * 86400;
    return t - tz_time_pl_offset(t);
}

/* The partner's entry (added in node order), or NULL when the table is full. */
static struct tz_xstat_partner *partner(struct tz_xstats *s, const char *node)
{
    size_t lo = 0, hi = s->partner_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(s->partners[mid].node, node);
        if (c == 0)
            return &s->partners[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (s->partner_count == TZ_X_STAT_PARTNERS)
        return NULL;
    memmove(&s->partners[lo + 1], &s->partners[lo],
            (s->partner_count - lo) * sizeof s->partners[0]);
    memset(&s->partners[lo], 0, sizeof s->partners[0]);
    snprintf(s->partners[lo].node, sizeof s->partners[lo].node, "%s", node);
    s->partner_count++;
    return &s->partners[lo];
}

static void count(struct tz_xstat_side *side, const struct tz_xstat_rec *r)
{
    if (strcmp(r->type, "request") == 0) {
        side->requests += r->count;
        if (strncmp(r->urgency, "urgent", 6) == 0)
            side->urgent += r->count;
        else
            side->not_urgent += r->count;
    } else if (strcmp(r->type, "refusal") == 0) {
        side->refusals += r->count;
        for (int g = 0; g < TZ_XG_COUNT; g++)
            if (r->grounds & ((int64_t)1 << g))
                side->by_ground[g] += r->count;
    } else if (strcmp(r->type, "deviation") == 0) {
        side->deviations += r->count;
    }
}

tz_err tz_exchange_stats(struct tz_exchange *x, const struct tz_xactor *who, int year,
                         struct tz_xstats *out)
{
    memset(out, 0, sizeof *out);
    if (year < 2000 || year > 9999)
        return TZ_EINVAL;
    if (tz_auth_scope_of(who->p->role, TZ_ACT_EXCHANGE_READ) != TZ_SCOPE_ALL)
        return TZ_EFORBIDDEN;
    out->year = year;
    char object[48];
    snprintf(object, sizeof object, "xstats/%d", year);
    struct tz_audit_rec audit = tz_x_audit(x, who, TZ_AUDIT_EXCHANGE_READ, object);
    struct tz_xstat_rec *rows = NULL;
    size_t n = 0;
    tz_err err = tz_store_x_stats(tz_x_store(x), year_start(year), year_start(year + 1),
                                  tz_x_config(x)->node, &audit, &rows, &n);
    for (size_t i = 0; !err && i < n; i++) {
        struct tz_xstat_partner *p = partner(out, rows[i].partner);
        count(rows[i].inbound ? &out->received : &out->sent, &rows[i]);
        if (p)
            count(rows[i].inbound ? &p->received : &p->sent, &rows[i]);
    }
    free(rows);
    return err;
}
