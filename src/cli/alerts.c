/*
 * alerts.c - `tarcza alerts webhook URL --area AREA [--categories C,D]`: a
 * city system's webhook, registered by an admin on the command line (its
 * HMAC-SHA256 key is printed once, beside its id; audited as
 * alert.subscribe); `tarcza alerts log`: the delivery log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "base/tztime.h"
#include "cli/internal.h"

/* --area and --categories into spec; a usage error says which is wrong. */
static int read_spec(const struct cli_call *c, struct tz_threatmap *tm, struct tz_alert_spec *spec)
{
    const char *area = cli_text(c, CLI_AREA, NULL), *why = NULL;
    memset(spec, 0, sizeof *spec);
    if (!area)
        return cli_usage_error(c, "--area is required");
    if (tz_alert_area_parse(area, strlen(area), &spec->area, &why) ||
        tz_alert_spec_check(tm, spec, &why))
        return cli_usage_error(c, why);
    const char *s = cli_text(c, CLI_CATEGORIES, "");
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        if (tz_alert_spec_category(tm, spec, s, n))
            return cli_usage_error(c, "--categories names a code that is no category");
        s += n + (comma ? 1 : 0);
    }
    return 0;
}

int cli_alerts_webhook(const struct cli_call *c)
{
    struct tz_store *store = NULL;
    struct tz_threatmap *tm = NULL;
    if (cli_open(c, &store, &tm))
        return 1;
    struct tz_alert_spec spec;
    int rc = read_spec(c, tm, &spec);
    struct tz_alerts *alerts = NULL;
    tz_err err = TZ_OK;
    if (rc == 0 && (err = tz_alerts_open(tm, store, NULL, &alerts)))
        rc = cli_fail("alerts webhook", err);
    if (rc == 0) {
        struct cli_who who;
        cli_who(c, &who);
        struct tz_alert_who w = {.actor = who.actor, .role = "admin", .client = who.client};
        char secret[TZ_ALERT_SECRET_MAX];
        int64_t id = 0;
        const char *why = NULL;
        err =
            tz_alerts_add_webhook(alerts, &spec, c->args[0], &w, tz_time_now(), &id, secret, &why);
        if (err == TZ_EINVAL)
            rc = cli_usage_error(c, why);
        else if (err)
            rc = cli_fail("alerts webhook", err);
        else {
            printf("%lld %s\n", (long long)id, secret);
            fprintf(stderr, "tarcza: webhook %lld; its HMAC-SHA256 key is shown only now\n",
                    (long long)id);
        }
    }
    tz_alerts_close(alerts);
    tz_threatmap_close(tm);
    tz_store_close(store);
    return rc;
}

int cli_alerts_log(const struct cli_call *c)
{
    struct tz_store *store = NULL;
    if (cli_open(c, &store, NULL))
        return 1;
    struct tz_alert_log_rec *log = NULL;
    size_t n = 0;
    tz_err err = tz_store_alert_log(store, 0, &log, &n);
    tz_store_close(store);
    if (err)
        return cli_fail("alerts log", err);
    for (size_t i = 0; i < n; i++) {
        char at[TZ_TIME_TEXT_MAX];
        tz_time_format(log[i].at, at);
        printf("%s\tsubscription %lld\treport %lld\tattempt %d\t%s\n", at, (long long)log[i].sub_id,
               (long long)log[i].report_id, log[i].attempt, log[i].outcome);
    }
    free(log);
    return 0;
}
