/*
 * assist.c - `tarcza assist analyse FILE|-` and `tarcza assist redact
 * FILE|-`: the assistant's answer for a file or standard input, printed as
 * the API's JSON (http's renderer). The text is police data: the analysis
 * is the assistant's police door (tz_assist_analyse_as), audited as
 * assistant.use by the operator running the command, never with the text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assistant/assistant.h"
#include "cli/internal.h"
#include "http/render.h"

/* Reads at most TZ_ASSIST_TEXT_MAX + 1 bytes of path ("-": standard input) into *out. */
static tz_err read_text(const char *path, char **out, size_t *len)
{
    bool in = strcmp(path, "-") == 0;
    FILE *f = in ? stdin : fopen(path, "rb");
    if (!f)
        return TZ_ENOTFOUND;
    char *buf = malloc(TZ_ASSIST_TEXT_MAX + 2);
    size_t n = buf ? fread(buf, 1, TZ_ASSIST_TEXT_MAX + 1, f) : 0;
    tz_err err = !buf ? TZ_ENOMEM : ferror(f) ? TZ_EIO : TZ_OK;
    if (!in)
        fclose(f);
    if (err) {
        free(buf);
        return err;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return TZ_OK;
}

static int run(const struct cli_call *c, const char *purpose, bool redact)
{
    struct tz_assist_request req = {0};
    const char *ref = cli_text(c, CLI_REFERENCE, NULL);
    if (ref && tz_assist_reference_parse(ref, &req.reference)) {
        fprintf(stderr, "tarcza: --reference: a date (2026-03-12) or an RFC 3339 time\n");
        return CLI_EXIT_USAGE;
    }
    char *text = NULL;
    tz_err err = read_text(c->args[0], &text, &req.len);
    if (err)
        return cli_fail(c->args[0], err);
    req.text = text;
    struct cli_ctx x;
    err = cli_ctx_open(c, false, &x);
    struct tz_assist_result res = {0};
    struct tz_redactions red = {0};
    struct tz_buf b;
    tz_buf_init(&b, 16u * 1024 * 1024);
    if (!err) {
        struct tz_assist_caller who = {x.auth, cli_auth_who(&x.who, NULL), purpose};
        err = tz_assist_analyse_as(&who, &req, &res, redact ? &red : NULL);
    }
    if (!err)
        err = tz_http_assist_json(&req, &res, redact ? &red : NULL, &b);
    if (!err) {
        fwrite(b.data, 1, b.len, stdout);
        putchar('\n');
    }
    tz_buf_free(&b);
    tz_redactions_clear(&red);
    tz_assist_result_clear(&res);
    cli_ctx_close(&x);
    free(text);
    if (err == TZ_EMALFORMED)
        fprintf(stderr, "tarcza: %s: not valid UTF-8\n", c->args[0]);
    return err ? cli_fail("assist", err) : 0;
}

int cli_assist_analyse(const struct cli_call *c)
{
    return run(c, "analyse", false);
}

int cli_assist_redact(const struct cli_call *c)
{
    return run(c, "redact", true);
}
