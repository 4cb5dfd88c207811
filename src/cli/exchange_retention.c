/*
 * exchange_retention.c - Art. 16's retention on the command line (issue 14):
 * `tarcza exchange conclude --case ID [--reasons TEXT]`, `exchange retention
 * [--due yes]` (the queue, the review due soonest first, a line per case) and
 * `exchange review --case ID --decision keep|delete --reasons TEXT
 * [--next-review TIME]`. The operator acts as the SPOC's supervisor of
 * --spoc-unit (exchange.c); the exchange writes each step with its audit
 * entry.
 */
#include <stdio.h>
#include <string.h>

#include "base/tztime.h"
#include "cli/internal.h"

static void print_retention(const struct tz_xretention *r)
{
    char concluded[TZ_TIME_TEXT_MAX], due[TZ_TIME_TEXT_MAX] = "-";
    tz_time_format(r->concluded_at, concluded);
    if (r->state != TZ_XRS_DELETED)
        tz_time_format(r->review_due, due);
    printf("case %lld\t%s\t%s\tconcluded %s\treview due %s%s\treviews %d\t%s\n",
           (long long)r->case_id, tz_xcode_code(TZ_XT_RETENTION_STATE, r->state), r->unit,
           concluded, due, r->due ? " (due now)" : "", r->reviews, r->subject);
}

static int finish(const char *what, tz_err err, const struct tz_xretention *r,
                  const struct tz_field_errors *errs)
{
    if (err) {
        cli_print_field_errors(errs);
        return cli_fail(what, err);
    }
    print_retention(r);
    return 0;
}

int cli_exchange_conclude(const struct cli_call *c)
{
    struct cli_xctx k;
    if (cli_xctx_open(c, &k))
        return 1;
    struct tz_field_errors errs = {0};
    struct tz_xretention r;
    tz_err err = tz_exchange_conclude(k.x, &k.actor, (int64_t)c->num[CLI_CASE],
                                      c->set[CLI_REASONS] ? c->text[CLI_REASONS] : NULL, &r, &errs);
    cli_xctx_close(&k);
    return finish("exchange conclude", err, &r, &errs);
}

int cli_exchange_retention(const struct cli_call *c)
{
    const char *due = cli_text(c, CLI_DUE, "no");
    if (strcmp(due, "yes") != 0 && strcmp(due, "no") != 0)
        return cli_usage_error(c, "--due is yes or no");
    struct cli_xctx k;
    if (cli_xctx_open(c, &k))
        return 1;
    struct tz_xretentions l;
    tz_err err = tz_exchange_retention_queue(k.x, &k.actor, strcmp(due, "yes") == 0, &l);
    cli_xctx_close(&k);
    if (err)
        return cli_fail("exchange retention", err);
    for (size_t i = 0; i < l.count; i++)
        print_retention(&l.items[i]);
    fprintf(stderr,
            "tarcza: %zu concluded cases; the first review comes %d days after the "
            "conclusion, the next at most %d days after each review\n",
            l.count, TZ_X_RETENTION_FIRST_DAYS, TZ_X_RETENTION_PERIOD_DAYS);
    tz_xretentions_clear(&l);
    return 0;
}

int cli_exchange_review(const struct cli_call *c)
{
    const char *decision = c->text[CLI_DECISION];
    if (strcmp(decision, "keep") != 0 && strcmp(decision, "delete") != 0)
        return cli_usage_error(c, "--decision is keep or delete");
    struct tz_xreview r = {.keep = strcmp(decision, "keep") == 0, .reasons = c->text[CLI_REASONS]};
    if (c->set[CLI_NEXT_REVIEW] &&
        tz_time_parse(c->text[CLI_NEXT_REVIEW], strlen(c->text[CLI_NEXT_REVIEW]), &r.next_review) !=
            TZ_OK)
        return cli_usage_error(c, "--next-review is an RFC 3339 time");
    struct cli_xctx k;
    if (cli_xctx_open(c, &k))
        return 1;
    struct tz_field_errors errs = {0};
    struct tz_xretention out;
    tz_err err =
        tz_exchange_retention_review(k.x, &k.actor, (int64_t)c->num[CLI_CASE], &r, &out, &errs);
    cli_xctx_close(&k);
    return finish("exchange review", err, &out, &errs);
}
