/*
 * screening.c - `tarcza watchlist import FILE` (a watch-list as CSV, JSON or FollowTheMoney
 * lines, replacing the list of that name; every line's fate printed as JSON, the import audited
 * by screening in its transaction), `tarcza screen person NAME --reason ...` (the hits with
 * their explanations, as the API answers them; the query audited), `tarcza screen document
 * NUMBER`, `tarcza screen vehicle --vin|--plate` and `tarcza screen batch FILE` (JSON lines,
 * one audited query). With --offline, the person, document and vehicle queries are answered
 * from a signed snapshot instead (screening_offline.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/internal.h"
#include "http/render.h"

#define FILE_MAX (1024ll * 1024 * 1024) /* bytes of a watch-list file */

tz_err cli_read_file(const char *path, char **out, size_t *n)
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
    tz_err err = cli_read_file(path, &data, &n);
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
    if (c->set[CLI_OFFLINE]) /* from a snapshot alone: no database */
        return cli_screen_offline(c, "screen person", 0, &q);
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

/* Prints an object query's answer (or its field errors); the query audited by screening. */
static int screen_obj(const struct cli_call *c, const char *what, bool vehicle, const void *q)
{
    if (c->set[CLI_OFFLINE]) /* from a snapshot alone: no database */
        return cli_screen_offline(c, what, vehicle ? 2 : 1, q);
    struct cli_ctx x;
    struct tz_screening *scr = NULL;
    struct tz_field_errors errs = {0};
    struct tz_screen_obj_answer a = {0};
    tz_err err = cli_ctx_open(c, false, &x);
    if (!err && !(err = tz_screening_open(x.auth, NULL, &scr))) {
        struct tz_auth_who who = cli_auth_who(&x.who, tz_auth_role_code(TZ_AUTH_ANALYST));
        err = vehicle ? tz_screening_vehicle(scr, &who, q, &errs, &a)
                      : tz_screening_document(scr, &who, q, &errs, &a);
    }
    struct tz_buf b;
    tz_buf_init(&b, 1024 * 1024);
    if (!err && !(err = tz_http_screen_obj_json(&a, &b)))
        printf("%s\n", b.data);
    tz_buf_free(&b);
    tz_screen_obj_answer_clear(&a);
    tz_screening_close(scr);
    cli_ctx_close(&x);
    for (size_t i = 0; i < errs.count; i++)
        fprintf(stderr, "tarcza: %s: %s\n", errs.items[i].field, errs.items[i].message);
    return err ? cli_fail(what, err) : 0;
}

int cli_screen_document(const struct cli_call *c)
{
    struct tz_screen_doc_query q = {
        .number = c->args[0],
        .country = cli_text(c, CLI_COUNTRY, NULL),
        .reason = cli_text(c, CLI_REASON, NULL),
    };
    return screen_obj(c, "screen document", false, &q);
}

int cli_screen_vehicle(const struct cli_call *c)
{
    struct tz_screen_vehicle_query q = {
        .vin = cli_text(c, CLI_VIN, NULL),
        .plate = cli_text(c, CLI_PLATE, NULL),
        .plate_country = cli_text(c, CLI_PLATE_COUNTRY, NULL),
        .reason = cli_text(c, CLI_REASON, NULL),
    };
    return screen_obj(c, "screen vehicle", true, &q);
}

/* The lines of a JSON-lines file as one array (blank lines skipped); NULL with the error. */
static json_t *batch_lines(const char *data, size_t n, struct tz_field_errors *errs)
{
    json_t *a = json_array();
    size_t line = 0;
    for (size_t at = 0; a && at < n; line++) {
        const char *nl = memchr(data + at, '\n', n - at);
        size_t len = nl ? (size_t)(nl - (data + at)) : n - at;
        size_t k = len;
        while (k > 0 && (data[at + k - 1] == '\r' || data[at + k - 1] == ' '))
            k--;
        if (k > 0) {
            json_error_t jerr;
            json_t *o = json_loadb(data + at, k, JSON_REJECT_DUPLICATES, &jerr);
            if (!o) {
                char f[TZ_FIELD_NAME_MAX];
                snprintf(f, sizeof f, "line %zu", line + 1);
                tz_fielderr_add(errs, f, "not a JSON object");
            }
            if (json_array_size(a) > TZ_SCREEN_BATCH_MAX || (o && json_array_append_new(a, o))) {
                json_decref(a);
                return NULL;
            }
        }
        at += len + 1;
    }
    return a;
}

int cli_screen_batch(const struct cli_call *c)
{
    char *data = NULL;
    size_t n = 0;
    tz_err err = cli_read_file(c->args[0], &data, &n);
    if (err) {
        fprintf(stderr, "tarcza: %s: cannot be read\n", c->args[0]);
        return cli_fail("screen batch", err);
    }
    struct tz_field_errors errs = {0};
    struct tz_screen_batch_item *items = NULL;
    size_t count = 0;
    json_t *lines = batch_lines(data, n, &errs);
    free(data);
    if (!lines)
        tz_fielderr_add(&errs, "/items", "at most %d lines", TZ_SCREEN_BATCH_MAX);
    else if (!errs.count)
        err = tz_http_screen_batch_read(lines, &items, &count, &errs);
    struct cli_ctx x = {0};
    struct tz_screening *scr = NULL;
    struct tz_screen_batch b = {0};
    bool opened = false;
    if (!err && errs.count)
        err = TZ_EINVAL;
    if (!err && c->text[CLI_OFFLINE]) { /* from a signed snapshot, nothing recorded */
        struct cli_offline_batch ob = {items, count};
        int rc = cli_screen_offline(c, "screen batch", 3, &ob);
        free(items);
        json_decref(lines);
        return rc;
    }
    if (!err && (opened = true) && !(err = cli_ctx_open(c, false, &x)) &&
        !(err = tz_screening_open(x.auth, NULL, &scr))) {
        struct tz_auth_who who = cli_auth_who(&x.who, tz_auth_role_code(TZ_AUTH_ANALYST));
        err = tz_screening_batch(scr, &who, items, count, cli_text(c, CLI_REASON, NULL), &errs, &b);
    }
    struct tz_buf out;
    tz_buf_init(&out, (size_t)1 << 30);
    if (!err && !(err = tz_http_screen_batch_json(&b, &out)))
        printf("%s\n", out.data);
    tz_buf_free(&out);
    tz_screen_batch_clear(&b);
    free(items);
    json_decref(lines);
    tz_screening_close(scr);
    if (opened)
        cli_ctx_close(&x);
    for (size_t i = 0; i < errs.count; i++)
        fprintf(stderr, "tarcza: %s: %s\n", errs.items[i].field, errs.items[i].message);
    return err ? cli_fail("screen batch", err) : 0;
}
