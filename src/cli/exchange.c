/*
 * exchange.c - the command line's structured exchange (issue 14):
 * `tarcza exchange import FILE` (a message as a JSON file, sent or, with
 * --direction in, received from a partner), `exchange export --case ID --out
 * DIR` (each message of a case as ID.json, read back by import), and
 * `exchange inbox --unit U` (the unit's inbox with its running deadlines,
 * overdue first, as JSON). The operator acts as the SPOC's supervisor of
 * --spoc-unit; each write and each read is audited by the exchange in its
 * own transaction. Files are read and written through the message's one
 * JSON door (http/exchange_json.h), the API's own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"
#include "cli/internal.h"
#include "http/exchange_json.h"

tz_err cli_exchange_open(const struct cli_call *c, struct tz_store *store, struct tz_exchange **out)
{
    struct tz_xnode_config cfg = {0};
    const char *node = cli_text(c, CLI_NODE, "PL"), *spoc = cli_text(c, CLI_SPOC_UNIT, "KGP-SPOC");
    if (strlen(node) >= sizeof cfg.node || strlen(spoc) >= sizeof cfg.spoc_unit)
        return TZ_EINVAL;
    memcpy(cfg.node, node, strlen(node) + 1);
    memcpy(cfg.spoc_unit, spoc, strlen(spoc) + 1);
    return tz_exchange_open(store, &cfg, out);
}

/* What every exchange command works with: the store, the exchange, the operator as a principal
 * (cli_xctx, internal.h). */

int cli_xctx_open(const struct cli_call *c, struct cli_xctx *k)
{
    memset(k, 0, sizeof *k);
    cli_who(c, &k->who);
    if (cli_open(c, &k->store, NULL))
        return 1;
    tz_err err = cli_exchange_open(c, k->store, &k->x);
    if (err) {
        tz_store_close(k->store);
        return cli_fail("exchange (--node, --spoc-unit)", err);
    }
    k->p.role = TZ_AUTH_SPOC_SUPERVISOR;
    snprintf(k->p.account.name, sizeof k->p.account.name, "%.*s",
             (int)sizeof k->p.account.name - 1, k->who.actor);
    snprintf(k->p.account.role, sizeof k->p.account.role, "%s",
             tz_auth_role_code(TZ_AUTH_SPOC_SUPERVISOR));
    snprintf(k->p.account.unit, sizeof k->p.account.unit, "%.*s",
             (int)sizeof k->p.account.unit - 1, cli_text(c, CLI_SPOC_UNIT, "KGP-SPOC"));
    k->actor = (struct tz_xactor){.p = &k->p, .client = k->who.client};
    return 0;
}

void cli_xctx_close(struct cli_xctx *k)
{
    tz_exchange_close(k->x);
    tz_store_close(k->store);
}

/* The file at path, whole, at most max bytes (TZ_ETOOBIG beyond). */
static tz_err read_file(const char *path, size_t max, struct tz_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? TZ_ENOTFOUND : TZ_EIO;
    tz_buf_init(out, max);
    char chunk[8192];
    size_t n;
    tz_err err = TZ_OK;
    while (!err && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        err = tz_buf_append(out, chunk, n);
    if (!err && ferror(f))
        err = TZ_EIO;
    fclose(f);
    return err;
}

void cli_print_field_errors(const struct tz_field_errors *errs)
{
    for (size_t i = 0; i < errs->count; i++)
        fprintf(stderr, "tarcza: %s: %s\n", errs->items[i].field, errs->items[i].message);
}

int cli_exchange_import(const struct cli_call *c)
{
    const char *dir = cli_text(c, CLI_DIRECTION, "out");
    if (strcmp(dir, "in") != 0 && strcmp(dir, "out") != 0)
        return cli_usage_error(c, "--direction is in or out");
    struct tz_buf body;
    tz_err err = read_file(c->args[0], TZ_X_WIRE_MAX, &body);
    if (err) {
        tz_buf_free(&body);
        return cli_fail(c->args[0], err);
    }
    struct cli_xctx k;
    if (cli_xctx_open(c, &k)) {
        tz_buf_free(&body);
        return 1;
    }
    struct tz_field_errors errs = {0};
    struct tz_xmsg m;
    struct tz_xreceipt r;
    err = tz_http_exchange_parse(body.data ? body.data : "", body.len, &m, &errs);
    if (!err)
        err = tz_exchange_submit(k.x, &k.actor, strcmp(dir, "in") == 0, &m, &r, &errs);
    tz_xmsg_clear(&m);
    tz_buf_free(&body);
    cli_xctx_close(&k);
    if (err) {
        cli_print_field_errors(&errs);
        return cli_fail("exchange import", err);
    }
    struct tz_buf out;
    tz_buf_init(&out, 1 << 20);
    struct tz_jw w;
    tz_jw_begin(&w, &out);
    tz_http_put_xreceipt(&w, &r);
    if (!(err = tz_jw_end(&w)))
        printf("%s\n", out.data);
    tz_buf_free(&out);
    return err ? cli_fail("exchange import", err) : 0;
}

/* The bytes of each attachment of m (read back without them), each read audited. */
static tz_err fetch_attachments(struct cli_xctx *k, struct tz_xmsg *m)
{
    tz_err err = TZ_OK;
    for (size_t i = 0; !err && i < m->attachment_count; i++) {
        struct tz_xattachment a;
        if (!(err = tz_exchange_attachment(k->x, &k->actor, m->id, i, &a))) {
            m->attachments[i].data = a.data; /* m owns the bytes now */
            m->attachments[i].size = a.size;
        }
    }
    return err;
}

/* Writes message id of the case into dir/ID.json, its attachments with it. */
static tz_err export_one(struct cli_xctx *k, int64_t id, const char *dir)
{
    struct tz_xview v;
    tz_err err = tz_exchange_get(k->x, &k->actor, id, &v);
    if (!err)
        err = fetch_attachments(k, &v.msg);
    if (err) {
        tz_xview_clear(&v);
        return err;
    }
    struct tz_buf b;
    tz_buf_init(&b, 2 * TZ_X_WIRE_MAX);
    err = tz_http_exchange_json(&v.msg, &b);
    tz_xview_clear(&v);
    char path[CLI_TEXT_MAX + 32];
    snprintf(path, sizeof path, "%s/%lld.json", dir, (long long)id);
    FILE *f = err ? NULL : fopen(path, "wb");
    if (!err && !f)
        err = TZ_EIO;
    if (f) {
        if (fwrite(b.data, 1, b.len, f) != b.len || fputc('\n', f) == EOF)
            err = TZ_EIO;
        if (fclose(f) != 0)
            err = TZ_EIO;
    }
    tz_buf_free(&b);
    return err;
}

int cli_exchange_export(const struct cli_call *c)
{
    if (!c->set[CLI_CASE] || !c->set[CLI_OUT])
        return cli_usage_error(c, "export needs --case and --out");
    struct cli_xctx k;
    if (cli_xctx_open(c, &k))
        return 1;
    struct tz_xlines l;
    tz_err err = tz_exchange_case(k.x, &k.actor, (int64_t)c->num[CLI_CASE], &l);
    for (size_t i = 0; !err && i < l.count; i++)
        err = export_one(&k, l.items[i].id, c->text[CLI_OUT]);
    if (!err)
        fprintf(stderr, "tarcza: %zu messages of case %lld written to %s\n", l.count,
                c->num[CLI_CASE], c->text[CLI_OUT]);
    if (!err)
        tz_xlines_clear(&l);
    cli_xctx_close(&k);
    return err ? cli_fail("exchange export", err) : 0;
}

int cli_exchange_inbox(const struct cli_call *c)
{
    if (!c->set[CLI_UNIT])
        return cli_usage_error(c, "inbox needs --unit");
    struct cli_xctx k;
    if (cli_xctx_open(c, &k))
        return 1;
    struct tz_xlines l;
    tz_err err = tz_exchange_box(k.x, &k.actor, c->text[CLI_UNIT], true, 0, &l);
    cli_xctx_close(&k);
    if (err)
        return cli_fail("exchange inbox", err);
    struct tz_buf out;
    tz_buf_init(&out, 16u << 20);
    struct tz_jw w;
    tz_jw_begin(&w, &out);
    tz_http_put_xlines(&w, &l, TZ_XLANG_PL);
    tz_xlines_clear(&l);
    if (!(err = tz_jw_end(&w)))
        printf("%s\n", out.data);
    tz_buf_free(&out);
    return err ? cli_fail("exchange inbox", err) : 0;
}

/* `exchange stats [--year Y] [--format json|csv]`: the Art. 18 statistics of a year. */
int cli_exchange_stats(const struct cli_call *c)
{
    const char *format = cli_text(c, CLI_FORMAT, "json");
    bool csv = strcmp(format, "csv") == 0;
    if (!csv && strcmp(format, "json") != 0)
        return cli_usage_error(c, "--format is json or csv");
    struct cli_xctx k;
    if (cli_xctx_open(c, &k))
        return 1;
    int year = c->set[CLI_YEAR] ? (int)c->num[CLI_YEAR] : tz_exchange_year_of(tz_exchange_now(k.x));
    struct tz_xstats *s = malloc(sizeof *s);
    tz_err err = s ? tz_exchange_stats(k.x, &k.actor, year, s) : TZ_ENOMEM;
    cli_xctx_close(&k);
    struct tz_buf out;
    tz_buf_init(&out, 4u << 20);
    if (!err && csv) {
        err = tz_http_xstats_csv(s, &out);
    } else if (!err) {
        struct tz_jw w;
        tz_jw_begin(&w, &out);
        tz_http_put_xstats(&w, s);
        if (!(err = tz_jw_end(&w)))
            err = tz_buf_append(&out, "\n", 1);
    }
    if (!err)
        fwrite(out.data, 1, out.len, stdout);
    tz_buf_free(&out);
    free(s);
    return err ? cli_fail("exchange stats", err) : 0;
}

/* `exchange deviation ID --hours N --reason TEXT`: Art. 9, the request's deadline deviated. */
int cli_exchange_deviation(const struct cli_call *c)
{
    long long id;
    if (!cli_number(c->args[0], 1, INT64_MAX, &id))
        return cli_usage_error(c, "ID is a message's number");
    struct cli_xctx k;
    if (cli_xctx_open(c, &k))
        return 1;
    struct tz_xdeviation d = {.delay_s = (int64_t)c->num[CLI_HOURS] * 3600,
                              .reasons = cli_text(c, CLI_REASON, "")};
    struct tz_field_errors errs = {0};
    struct tz_xreceipt r;
    tz_err err = tz_exchange_deviate(k.x, &k.actor, (int64_t)id, &d, &r, &errs);
    cli_xctx_close(&k);
    if (err) {
        cli_print_field_errors(&errs);
        return cli_fail("exchange deviation", err);
    }
    struct tz_buf out;
    tz_buf_init(&out, 1 << 16);
    struct tz_jw w;
    tz_jw_begin(&w, &out);
    tz_http_put_xreceipt(&w, &r);
    if (!(err = tz_jw_end(&w)))
        printf("%s\n", out.data);
    tz_buf_free(&out);
    return err ? cli_fail("exchange deviation", err) : 0;
}
