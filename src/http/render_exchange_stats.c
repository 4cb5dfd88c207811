/*
 * render_exchange_stats.c - the exchange's Art. 18 statistics as JSON and as
 * CSV (RFC 4180), for the API and `tarcza exchange stats`: totals sent and
 * received, then each partner's; refusals under each ground's code.
 */
#include <stdio.h>

#include "base/csvw.h"
#include "http/exchange_json.h"

static void put_side(struct tz_jw *w, const char *key, const struct tz_xstat_side *s)
{
    tz_jw_key(w, key);
    tz_jw_object(w);
    tz_jw_kint(w, "requests", s->requests);
    tz_jw_kint(w, "urgent", s->urgent);
    tz_jw_kint(w, "not_urgent", s->not_urgent);
    tz_jw_kint(w, "refusals", s->refusals);
    tz_jw_key(w, "refusals_by_ground");
    tz_jw_object(w);
    for (int g = 0; g < TZ_XG_COUNT; g++)
        tz_jw_kint(w, tz_xcode_code(TZ_XT_REFUSAL_GROUND, g), s->by_ground[g]);
    tz_jw_object_end(w);
    tz_jw_kint(w, "deviations", s->deviations);
    tz_jw_object_end(w);
}

void tz_http_put_xstats(struct tz_jw *w, const struct tz_xstats *s)
{
    tz_jw_object(w);
    tz_jw_kint(w, "year", s->year);
    put_side(w, "sent", &s->sent);
    put_side(w, "received", &s->received);
    tz_jw_key(w, "partners");
    tz_jw_array(w);
    for (size_t i = 0; i < s->partner_count; i++) {
        tz_jw_object(w);
        tz_jw_kstr(w, "node", s->partners[i].node);
        put_side(w, "sent", &s->partners[i].sent);
        put_side(w, "received", &s->partners[i].received);
        tz_jw_object_end(w);
    }
    tz_jw_array_end(w);
    tz_jw_object_end(w);
}

static void csv_row(struct tz_csvw *w, int year, const char *partner, const char *direction,
                    const struct tz_xstat_side *s)
{
    tz_csvw_int(w, year);
    tz_csvw_text(w, partner);
    tz_csvw_plain(w, direction);
    tz_csvw_int(w, s->requests);
    tz_csvw_int(w, s->urgent);
    tz_csvw_int(w, s->not_urgent);
    tz_csvw_int(w, s->refusals);
    for (int g = 0; g < TZ_XG_COUNT; g++)
        tz_csvw_int(w, s->by_ground[g]);
    tz_csvw_int(w, s->deviations);
    tz_csvw_row_end(w);
}

tz_err tz_http_xstats_csv(const struct tz_xstats *s, struct tz_buf *out)
{
    struct tz_csvw w;
    tz_csvw_begin(&w, out);
    static const char *const head[] = {"year",   "partner",    "direction", "requests",
                                       "urgent", "not_urgent", "refusals",  NULL};
    for (size_t i = 0; head[i]; i++)
        tz_csvw_plain(&w, head[i]);
    for (int g = 0; g < TZ_XG_COUNT; g++) {
        char name[32];
        snprintf(name, sizeof name, "refused_%s", tz_xcode_code(TZ_XT_REFUSAL_GROUND, g));
        tz_csvw_plain(&w, name);
    }
    tz_csvw_plain(&w, "deviations");
    tz_csvw_row_end(&w);
    csv_row(&w, s->year, "all", "sent", &s->sent);
    csv_row(&w, s->year, "all", "received", &s->received);
    for (size_t i = 0; i < s->partner_count; i++) {
        csv_row(&w, s->year, s->partners[i].node, "sent", &s->partners[i].sent);
        csv_row(&w, s->year, s->partners[i].node, "received", &s->partners[i].received);
    }
    return tz_csvw_end(&w);
}
