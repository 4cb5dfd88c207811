/*
 * screening_offline.c - the offline copy on the command line: `tarcza watchlist snapshot --out
 * FILE --key KEYFILE [--since SNAPSHOT[,DELTA...]]` writes a signed snapshot (or the signed
 * delta after the files named) of every watch-list and published notice; `tarcza screen
 * person|document|vehicle ... --offline SNAPSHOT[,DELTA...] --pub PUBFILE` verifies every file
 * and answers from them alone, with no database (cli_screen_offline, called by screening.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tztime.h"
#include "cli/internal.h"
#include "http/render.h"
#include "screening/snapshot.h"

#define CHAIN_MAX 64 /* files of one --offline or --since */

/* Applies each file of the comma-separated list to st, each checked with pk; says why not. */
static tz_err read_chain(const char *list, const uint8_t pk[32], struct tz_snap_state *st,
                         struct tz_snap_info *last)
{
    char *copy = strdup(list), *save = NULL;
    tz_err err = copy ? TZ_OK : TZ_ENOMEM;
    size_t files = 0;
    for (char *path = copy ? strtok_r(copy, ",", &save) : NULL; !err && path;
         path = strtok_r(NULL, ",", &save)) {
        char *data = NULL, why[TZ_SNAP_WHY_MAX] = "";
        size_t n = 0;
        struct tz_snap_info info;
        if (++files > CHAIN_MAX)
            snprintf(why, sizeof why, "more than %d files", CHAIN_MAX), err = TZ_EINVAL;
        else if ((err = cli_read_file(path, &data, &n)))
            snprintf(why, sizeof why, "cannot be read");
        else if ((err = tz_snap_apply(st, data, n, pk, &info, why)) == TZ_OK) {
            if (files == 1 && info.delta)
                snprintf(why, sizeof why, "a delta: the first file must be a full snapshot"),
                    err = TZ_EINVAL;
            else if (last)
                *last = info;
        }
        if (err)
            fprintf(stderr, "tarcza: %s: refused: %s\n", path, why);
        free(data);
    }
    if (!err && files == 0)
        err = TZ_EINVAL;
    free(copy);
    return err;
}

/* Writes the buffer to a new file at path (replacing none: a snapshot is never overwritten). */
static tz_err write_new(const char *path, const struct tz_buf *b)
{
    FILE *f = fopen(path, "wx");
    if (!f)
        return TZ_ECONFLICT;
    bool ok = fwrite(b->data, 1, b->len, f) == b->len;
    ok = fclose(f) == 0 && ok;
    if (!ok)
        remove(path);
    return ok ? TZ_OK : TZ_EIO;
}

static void print_summary(const char *path, const struct tz_snap_info *info, const uint8_t pk[32])
{
    printf("{\"file\":\"%s\",\"kind\":\"%s\",\"created\":\"%s\",\"count\":%zu,\"removed\":%zu,"
           "\"position\":{\"lists\":%lld,\"notices\":%llu},\"state\":\"",
           path, info->delta ? "delta" : "full", info->created, info->count, info->removed,
           (long long)info->lists_version, (unsigned long long)info->notices);
    for (int i = 0; i < TZ_SNAP_DIGEST; i++)
        printf("%02x", info->state[i]);
    printf("\",\"public_key\":\"");
    for (int i = 0; i < 32; i++)
        printf("%02x", pk[i]);
    printf("\"}\n");
}

/* The state now, from the store and the published notices (the read audited). */
static tz_err current_state(const struct cli_call *c, struct tz_snap_state **st,
                            struct tz_snap_info *info)
{
    struct cli_ctx x;
    struct tz_exchange *xch = NULL;
    struct tz_screening *scr = NULL;
    tz_err err = cli_ctx_open(c, false, &x);
    if (!err && !(err = cli_exchange_open(c, x.store, &xch)) &&
        !(err = tz_screening_open(x.auth, NULL, &scr))) {
        tz_screening_attach_exchange(scr, xch);
        struct tz_auth_who who = cli_auth_who(&x.who, tz_auth_role_code(TZ_AUTH_ADMIN));
        err = tz_screening_snapshot(scr, &who, st, info);
    }
    tz_screening_close(scr);
    tz_exchange_close(xch);
    cli_ctx_close(&x);
    return err;
}

int cli_watchlist_snapshot(const struct cli_call *c)
{
    const char *out = c->text[CLI_OUT], *since = cli_text(c, CLI_SINCE, NULL);
    uint8_t sk[64], pk[32];
    tz_err err = tz_snap_secret_key(c->text[CLI_KEY], sk, pk);
    if (err) {
        fprintf(stderr, "tarcza: %s: not a key file (tarcza audit keygen --key FILE makes one)\n",
                c->text[CLI_KEY]);
        return cli_fail("watchlist snapshot", err);
    }
    struct tz_snap_state *base = NULL, *st = NULL;
    struct tz_snap_info info = {0};
    if (since && !(err = tz_snap_state_new(&base)))
        err = read_chain(since, pk, base, NULL);
    if (!err)
        err = current_state(c, &st, &info);
    char created[TZ_TIME_TEXT_MAX];
    tz_time_format(tz_time_now(), created);
    snprintf(info.created, sizeof info.created, "%s", created);
    struct tz_buf b;
    tz_buf_init(&b, (size_t)4 << 30);
    if (!err)
        err = tz_snap_write(st, base, sk, &info, &b);
    tz_snap_wipe(sk, sizeof sk);
    if (!err && (err = write_new(out, &b)) == TZ_ECONFLICT)
        fprintf(stderr, "tarcza: %s: exists or cannot be made (a snapshot is never replaced)\n",
                out);
    if (!err)
        print_summary(out, &info, pk);
    tz_buf_free(&b);
    tz_snap_state_free(st);
    tz_snap_state_free(base);
    return err ? cli_fail("watchlist snapshot", err) : 0;
}

/* Prints the field errors of a query. */
static void print_errors(const struct tz_field_errors *errs)
{
    for (size_t i = 0; i < errs->count; i++)
        fprintf(stderr, "tarcza: %s: %s\n", errs->items[i].field, errs->items[i].message);
}

int cli_screen_offline(const struct cli_call *c, const char *what, int kind, const void *q)
{
    uint8_t pk[32];
    const char *pub = cli_text(c, CLI_PUB, NULL);
    if (!pub)
        return cli_usage_error(c, "--offline needs --pub FILE (the snapshot's public key)");
    tz_err err = tz_snap_public_key(pub, pk);
    if (err) {
        fprintf(stderr, "tarcza: %s: not a public key (64 hex digits)\n", pub);
        return cli_fail(what, err);
    }
    struct tz_snap_state *st = NULL;
    struct tz_screening *scr = NULL;
    struct tz_field_errors errs = {0};
    struct tz_screen_answer a = {0};
    struct tz_screen_obj_answer o = {0};
    struct tz_buf b;
    tz_buf_init(&b, kind == 3 ? (size_t)1 << 30 : 1024 * 1024);
    if (!(err = tz_snap_state_new(&st)) && !(err = read_chain(c->text[CLI_OFFLINE], pk, st, NULL)))
        err = tz_screening_open_offline(st, NULL, &scr);
    if (!err && kind == 0 && !(err = tz_screening_offline_person(scr, q, &errs, &a)))
        err = tz_http_screen_answer_json(&a, &b);
    else if (!err && kind == 1 && !(err = tz_screening_offline_document(scr, q, &errs, &o)))
        err = tz_http_screen_obj_json(&o, &b);
    else if (!err && kind == 2 && !(err = tz_screening_offline_vehicle(scr, q, &errs, &o)))
        err = tz_http_screen_obj_json(&o, &b);
    else if (!err && kind == 3) {
        const struct cli_offline_batch *ob = q;
        struct tz_screen_batch batch = {0};
        if (!(err = tz_screening_offline_batch(scr, ob->items, ob->n, cli_text(c, CLI_REASON, NULL),
                                               &errs, &batch)))
            err = tz_http_screen_batch_json(&batch, &b);
        tz_screen_batch_clear(&batch);
    }
    if (!err)
        printf("%s\n", b.data);
    print_errors(&errs);
    tz_buf_free(&b);
    tz_screen_answer_clear(&a);
    tz_screen_obj_answer_clear(&o);
    tz_screening_close(scr);
    tz_snap_state_free(st);
    return err ? cli_fail(what, err) : 0;
}
