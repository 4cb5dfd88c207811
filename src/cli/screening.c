/*
 * screening.c - `tarcza watchlist import FILE` (a watch-list as CSV, JSON or FollowTheMoney
 * lines, replacing the list of that name; every line's fate printed as JSON, the import audited
 * by screening in its transaction) and `tarcza screen person NAME --reason ...` (the hits with
 * their explanations, as the API answers them; the query audited).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/internal.h"
#include "http/render.h"

#define FILE_MAX (1024ll * 1024 * 1024) /* bytes of a watch-list file */

/* Reads the whole file at path into *out (malloc'd, *n bytes). */
static tz_err read_file(const char *path, char **out, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    tz_err err = TZ_OK;
    *out = NULL, *n = 0;
    if (!f)
        return TZ_ENOTFOUND;
    if (fseek(f, 0, SEEK_END) != 0) {
        err = TZ_EIO;
        goto done;
    }
    long size = ftell(f);
    if (size < 0 || size > FILE_MAX || fseek(f, 0, SEEK_SET) != 0) {
        err = size > FILE_MAX ? TZ_ETOOBIG : TZ_EIO;
        goto done;
    }
    if (!(buf = malloc((size_t)size + 1))) {
        err = TZ_ENOMEM;
        goto done;
    }
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
        err = TZ_EIO;
        goto done;
    }
    buf[size] = '\0';
    *out = buf, *n = (size_t)size, buf = NULL;
done:
    free(buf);
    fclose(f);
    return err;
}

/* The list's name: --source, else the file's name without its folder and extension. */
static void source_of(const struct cli_call *c, const char *path, char *out, size_t cap)
{
    const char *s = cli_text(c, CLI_SOURCE, NULL);
    if (s) {
        snprintf(out, cap, "%s", s);
        return;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    snprintf(out, cap, "%.*s", (int)(len < cap ? len : cap - 1), base);
}

int cli_watchlist_import(const struct cli_call *c)
{
    const char *path = c->args[0];
    enum tz_watch_format format = TZ_WATCH_AUTO;
    if (c->set[CLI_FORMAT] && tz_watch_format_parse(c->text[CLI_FORMAT], &format) != TZ_OK)
        return cli_usage_error(c, "--format is csv, json or ftm");
    char source[TZ_WATCH_ID_MAX];
    source_of(c, path, source, sizeof source);
    char *data = NULL;
    size_t n = 0;
    tz_err err = read_file(path, &data, &n);
    if (err) {
        fprintf(stderr, "tarcza: %s: cannot be read\n", path);
        return cli_fail("watchlist import", err);
    }
    struct cli_ctx x;
    struct tz_screening *scr = NULL;
    struct tz_watch_import rep = {0};
    if ((err = cli_ctx_open(c, false, &x)) == TZ_OK &&
        (err = tz_screening_open(x.auth, NULL, &scr)) == TZ_OK) {
        struct tz_auth_who who = cli_auth_who(&x.who, tz_auth_role_code(TZ_AUTH_ADMIN));
        err = tz_screening_import(scr, &who, source, data, n, format, &rep);
    }
    free(data);
    struct tz_buf b;
    tz_buf_init(&b, (size_t)1 << 30);
    if (rep.nlines && tz_http_watch_import_json(source, &rep, &b) == TZ_OK)
        printf("%s\n", b.data);
    tz_buf_free(&b);
    tz_watch_import_clear(&rep);
    tz_screening_close(scr);
    cli_ctx_close(&x);
    if (err == TZ_ECONFLICT)
        fprintf(stderr, "tarcza: watchlist import: nothing stored (no line taken, or two lines "
                        "with the same id and name)\n");
    return err ? cli_fail("watchlist import", err) : 0;
}

int cli_screen_person(const struct cli_call *c)
{
    struct tz_screen_person_query q = {
        .name = c->args[0],
        .birth_date = cli_text(c, CLI_BIRTH_DATE, NULL),
        .nationality = cli_text(c, CLI_NATIONALITY, NULL),
        .sex = cli_text(c, CLI_SEX, NULL),
        .reason = cli_text(c, CLI_REASON, NULL),
    };
    struct cli_ctx x;
    struct tz_screening *scr = NULL;
    struct tz_field_errors errs = {0};
    struct tz_screen_answer a = {0};
    tz_err err = cli_ctx_open(c, false, &x);
    if (!err && !(err = tz_screening_open(x.auth, NULL, &scr))) {
        struct tz_auth_who who = cli_auth_who(&x.who, tz_auth_role_code(TZ_AUTH_ANALYST));
        err = tz_screening_person(scr, &who, &q, &errs, &a);
    }
    struct tz_buf b;
    tz_buf_init(&b, 1024 * 1024);
    if (!err && !(err = tz_http_screen_answer_json(&a, &b)))
        printf("%s\n", b.data);
    tz_buf_free(&b);
    tz_screen_answer_clear(&a);
    tz_screening_close(scr);
    cli_ctx_close(&x);
    for (size_t i = 0; i < errs.count; i++)
        fprintf(stderr, "tarcza: %s: %s\n", errs.items[i].field, errs.items[i].message);
    return err ? cli_fail("screen person", err) : 0;
}
