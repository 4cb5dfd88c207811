/*
 * stats.c - `tarcza stats`: the statistics of GET /api/v1/analysis/stats in
 * the terminal (text by default), a read audited (as an analyst) by analysis
 * and printed through http's renderer.
 * The options are the query's parameters; analysis checks their values and
 * names every bad one.
 */
#include "analysis/analysis.h"
#include "base/tztime.h"
#include "cli/internal.h"
#include "http/render.h"

#define STATS_MAX (256u * 1024 * 1024)

int cli_stats(const struct cli_call *c)
{
    static const enum cli_opt params_of[] = {CLI_BY, CLI_FROM, CLI_TO, CLI_FORMAT};
    struct tz_query_param params[4];
    size_t n = 0;
    for (size_t i = 0; i < sizeof params_of / sizeof params_of[0]; i++)
        if (c->set[params_of[i]] || params_of[i] == CLI_FORMAT)
            params[n++] = (struct tz_query_param){cli_options[params_of[i]].name + 2,
                                                  cli_text(c, params_of[i], "text")};
    struct tz_store *store = NULL;
    struct tz_threatmap *tm = NULL;
    if (cli_open(c, &store, &tm))
        return 1;
    struct tz_field_errors errs = {0};
    struct tz_buf b;
    tz_buf_init(&b, STATS_MAX);
    struct tz_stats s = {0};
    struct cli_who who;
    cli_who(c, &who);
    struct tz_audit_rec rec = cli_who_rec(&who, tz_auth_role_code(TZ_AUTH_ANALYST));
    struct tz_stats_query q;
    tz_err err = tz_http_stats_query(params, n, &q, &errs); /* the options read as the query */
    if (!err)
        err = tz_analysis_stats_read(tm, &q, tz_time_now(), &rec, &s, &errs);
    for (size_t i = 0; i < errs.count; i++)
        fprintf(stderr, "tarcza: --%s: %s\n", errs.items[i].field, errs.items[i].message);
    if (!err)
        err = tz_http_stats_render(tm, &s, &b); /* http owns the wire format */
    if (!err)
        fwrite(b.data, 1, b.len, stdout);
    if (!err && s.format != TZ_STATS_TEXT && s.format != TZ_STATS_CSV)
        putchar('\n');
    tz_stats_clear(&s);
    tz_buf_free(&b);
    tz_threatmap_close(tm);
    tz_store_close(store);
    return err ? cli_fail("stats", err) : 0;
}
