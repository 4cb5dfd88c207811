/*
 * report.c - single reports from the terminal: `tarcza report show`,
 * `report transition` (as a supervisor) and `report merge`. The operator acts
 * as "cli:NAME" in the audit log; each change is written by the domain
 * module in one transaction with its audit entry.
 */
#include "base/tztime.h"
#include "cli/internal.h"
#include "http/render.h"

#define REPORT_JSON_MAX (16u * 1024 * 1024)

/* Prints report id with its history: a read of non-public data, audited like a police read (as a
 * supervisor, the role of the command line's report commands). */
static tz_err print_report(const struct cli_ctx *x, long long id)
{
    struct tz_buf b;
    tz_buf_init(&b, REPORT_JSON_MAX);
    struct tz_audit_rec who = cli_who_rec(&x->who, tz_auth_role_code(TZ_AUTH_SUPERVISOR));
    int64_t now = tz_time_now();
    struct tz_report_view view;
    tz_err err = tz_threatmap_police_read(x->tm, id, now, &who, "{\"view\":\"cli\"}", &view);
    if (!err) {
        err = tz_http_report_json(x->tm, &view, now, &b); /* http owns the wire format */
        tz_report_view_clear(&view);
    }
    if (!err)
        printf("%s\n", b.data);
    tz_buf_free(&b);
    return err;
}

int cli_report_show(const struct cli_call *c)
{
    long long id = 0;
    if (!cli_id(c->args[0], &id))
        return cli_usage_error(c, "ID is a report number");
    struct cli_ctx x;
    tz_err err = cli_ctx_open(c, true, &x);
    if (!err && (err = print_report(&x, id)))
        cli_fail("report", err);
    cli_ctx_close(&x);
    return err ? 1 : 0;
}

int cli_report_transition(const struct cli_call *c)
{
    long long id = 0;
    if (!cli_id(c->args[0], &id))
        return cli_usage_error(c, "ID is a report number");
    struct cli_ctx x;
    tz_err err = cli_ctx_open(c, true, &x);
    if (err)
        goto done;
    char object[64];
    snprintf(object, sizeof object, "report/%lld", id);
    const char *note = cli_text(c, CLI_NOTE, NULL);
    struct tz_audit_rec audit = cli_audit_entry(&x, TZ_AUDIT_REPORT_TRANSITION, object);
    audit.role = tz_auth_role_code(TZ_AUTH_SUPERVISOR);
    audit.note = note;
    struct tz_transition_request req = {
        .report_id = id,
        .to = c->args[1],
        .role = TZ_AUTH_SUPERVISOR,
        .actor = x.who.actor,
        .note = note,
        .public_note = cli_text(c, CLI_PUBLIC_NOTE, NULL),
        .referred_to = cli_text(c, CLI_REFERRED_TO, NULL),
        .audit = &audit,
    };
    struct tz_field_errors errs = {0};
    err = tz_threatmap_transition(x.tm, &req, tz_time_now(), &errs);
    for (size_t i = 0; i < errs.count; i++)
        fprintf(stderr, "tarcza: %s: %s\n", errs.items[i].field, errs.items[i].message);
    if (!err)
        err = print_report(&x, id);
    if (err)
        cli_fail("transition refused", err);
done:
    cli_ctx_close(&x);
    return err ? 1 : 0;
}

/* report merge DUP ORIGINAL: an officer's action, recorded with who, when and why. */
int cli_report_merge(const struct cli_call *c)
{
    long long dup = 0, orig = 0;
    if (!cli_id(c->args[0], &dup) || !cli_id(c->args[1], &orig))
        return cli_usage_error(c, "DUP and ORIGINAL are report numbers");
    struct cli_ctx x;
    tz_err err = cli_ctx_open(c, true, &x);
    if (err)
        goto done;
    char object[64], fields[64];
    snprintf(object, sizeof object, "report/%lld", dup);
    snprintf(fields, sizeof fields, "{\"merged_into\":%lld}", orig);
    const char *note = cli_text(c, CLI_NOTE, NULL);
    struct tz_audit_rec audit = cli_audit_entry(&x, TZ_AUDIT_REPORT_MERGE, object);
    audit.fields = fields;
    audit.note = note;
    err = tz_threatmap_merge(x.tm, dup, orig, x.who.actor, note, tz_time_now(), &audit);
    if (err)
        cli_fail("merge refused", err);
    else
        printf("tarcza: report %lld merged into %lld by %s\n", dup, orig, x.who.actor);
done:
    cli_ctx_close(&x);
    return err ? 1 : 0;
}
