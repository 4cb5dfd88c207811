/*
 * assist.c - `tarcza assist analyse FILE|-` and `tarcza assist redact
 * FILE|-`, `language`, `translate LANG`, `summarise` and `search QUERY`: the
 * assistant's answer for a file or standard input, printed as the API's JSON
 * (http's renderers). The text is police data: every command writes its
 * assistant.use audit entry by the operator running it (what was asked, how
 * many bytes; a search its query), never with the text, before it answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assistant/assistant.h"
#include "assistant/lang.h"
#include "assistant/search.h"
#include "assistant/summary.h"
#include "assistant/translate.h"
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
        struct tz_assist_caller who = {
            .auth = x.auth, .who = cli_auth_who(&x.who, NULL), .purpose = purpose};
        err = tz_assist_analyse_as(&who, &req, &res, redact ? &red : NULL);
    }
    if (!err)
        err = tz_http_assist_json(&req, &res, redact ? &red : NULL, NULL, &b);
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

/* The assistant.use entry of the operator for what (its fields as JSON); no entry, no answer. */
static tz_err audit_use(const struct cli_ctx *x, const char *what, const char *fields)
{
    char object[48];
    snprintf(object, sizeof object, "assistant/%s", what);
    struct tz_audit_rec rec = cli_audit_entry(x, TZ_AUDIT_ASSISTANT_USE, object);
    rec.fields = fields;
    rec.outcome = "ok";
    return tz_auth_audit(x->auth, &rec);
}

/* Prints b and a line break; frees it. */
static void print(struct tz_buf *b)
{
    fwrite(b->data, 1, b->len, stdout);
    putchar('\n');
    tz_buf_free(b);
}

/* Reads the text of args[i], opens the context and audits the use; the caller closes both. */
static tz_err begin(const struct cli_call *c, size_t arg, const char *what, char **text, size_t *n,
                    struct cli_ctx *x)
{
    tz_err err = read_text(c->args[arg], text, n);
    if (err)
        return err;
    if (*n > TZ_ASSIST_TEXT_MAX)
        return TZ_ETOOBIG;
    if ((err = cli_ctx_open(c, false, x)))
        return err;
    char fields[64];
    snprintf(fields, sizeof fields, "{\"bytes\":%zu}", *n);
    return audit_use(x, what, fields);
}

int cli_assist_language(const struct cli_call *c)
{
    char *text = NULL;
    size_t n = 0;
    struct cli_ctx x = {0};
    struct tz_buf b;
    tz_buf_init(&b, 1u << 20);
    tz_err err = begin(c, 0, "language", &text, &n, &x);
    if (!err)
        err = tz_http_language_json(text, n, &b);
    if (!err)
        print(&b);
    tz_buf_free(&b);
    cli_ctx_close(&x);
    free(text);
    return err ? cli_fail("assist language", err) : 0;
}

int cli_assist_translate(const struct cli_call *c)
{
    char *text = NULL;
    size_t n = 0;
    struct cli_ctx x = {0};
    struct tz_buf b;
    struct tz_translation t = {0};
    tz_buf_init(&b, 1u << 20);
    tz_err err = begin(c, 1, "translate", &text, &n, &x);
    if (!err) {
        struct tz_translate_config cfg = {.libre_url = cli_text(c, CLI_TRANSLATE_URL, NULL)};
        err = tz_translate(&cfg, text, n, NULL, c->args[0], &t);
        if (err == TZ_ENOTFOUND || err == TZ_OK)
            err = tz_http_translation_json(&t, &b);
        else if (err == TZ_EIO)
            fprintf(stderr, "tarcza: %s\n", t.reason);
    }
    if (!err)
        print(&b);
    tz_buf_free(&b);
    tz_translation_clear(&t);
    cli_ctx_close(&x);
    free(text);
    return err ? cli_fail("assist translate", err) : 0;
}

int cli_assist_summarise(const struct cli_call *c)
{
    char *text = NULL;
    size_t n = 0;
    struct cli_ctx x = {0};
    struct tz_buf b;
    struct tz_summary_answer a = {0};
    tz_buf_init(&b, 4u << 20);
    tz_err err = read_text(c->args[0], &text, &n);
    if (!err)
        err = cli_ctx_open(c, false, &x);
    if (!err) {
        struct tz_llm_config llm = {.url = cli_text(c, CLI_LLM_URL, NULL)};
        struct tz_assist_caller who = {
            .auth = x.auth, .who = cli_auth_who(&x.who, NULL), .purpose = "summarise"};
        err = tz_assist_summarise_as(&who, text, n, 0, &llm, &a);
    }
    if (!err)
        err = tz_http_summary_json(text, &a, &b);
    if (!err)
        print(&b);
    tz_buf_free(&b);
    tz_summary_answer_clear(&a);
    cli_ctx_close(&x);
    free(text);
    if (err == TZ_EMALFORMED)
        fprintf(stderr, "tarcza: %s: not valid UTF-8\n", c->args[0]);
    return err ? cli_fail("assist summarise", err) : 0;
}

int cli_assist_search(const struct cli_call *c)
{
    const char *q = c->args[0];
    struct cli_ctx x = {0};
    struct tz_buf b, fields;
    struct tz_search_result r = {0};
    struct tz_jw w;
    tz_buf_init(&b, 4u << 20);
    tz_buf_init(&fields, 4 * TZ_SEARCH_QUERY_MAX);
    tz_jw_begin(&w, &fields);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "q", q);
    tz_jw_object_end(&w);
    tz_err err = tz_jw_end(&w);
    if (!err)
        err = cli_ctx_open(c, false, &x);
    if (!err)
        err = audit_use(&x, "search", fields.data);
    if (!err) {
        /* the operator acts on the machine: every report */
        struct tz_search_scope all = {.reach = TZ_SEARCH_ALL};
        err = tz_search_reports(x.store, &all, q, TZ_SEARCH_LIMIT_MAX, &r);
    }
    if (!err)
        err = tz_http_search_json(q, &r, NULL, &b);
    if (!err)
        print(&b);
    tz_buf_free(&b);
    tz_buf_free(&fields);
    tz_search_result_clear(&r);
    cli_ctx_close(&x);
    return err ? cli_fail("assist search", err) : 0;
}
