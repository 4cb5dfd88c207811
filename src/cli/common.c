/*
 * common.c - what every command's handler needs: failing with a message,
 * opening the store (and the threat map and the auth service over it), the
 * operator's name and entries for the audit log, and reading an id.
 */
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "cli/internal.h"

int cli_fail(const char *what, tz_err err)
{
    fprintf(stderr, "tarcza: %s: %s\n", what, tz_err_str(err));
    return 1;
}

const char *cli_db(const struct cli_call *c)
{
    return cli_text(c, CLI_DB, CLI_DEFAULT_DB);
}

const char *cli_db_name(const struct cli_call *c)
{
    return tz_store_is_pg(cli_db(c)) ? "PostgreSQL" : cli_db(c);
}

/* Opens the store, and the threat map with cfg (NULL: defaults) when tm is not NULL. */
static tz_err open_with(const struct cli_call *c, struct tz_store **store, struct tz_threatmap **tm,
                        const struct tz_threatmap_config *cfg)
{
    tz_err err = tz_store_open(cli_db(c), store);
    if (err) {
        cli_fail(cli_db_name(c), err);
        return err;
    }
    /* A chain that lost its recorded head is said on stderr; the file stays as evidence. */
    const char *head = cli_text(c, CLI_AUDIT_HEAD, NULL);
    if (head && (err = tz_store_audit_head_keep(*store, head)) && err != TZ_ECONFLICT) {
        cli_fail(head, err);
        tz_store_close(*store);
        *store = NULL;
        return err;
    }
    err = TZ_OK;
    if (tm && (err = tz_threatmap_open(*store, cfg, tm))) {
        cli_fail("loading the threat map", err);
        tz_store_close(*store);
        *store = NULL;
    }
    return err;
}

tz_err cli_open(const struct cli_call *c, struct tz_store **store, struct tz_threatmap **tm)
{
    return open_with(c, store, tm, NULL);
}

tz_err cli_open_snap(const struct cli_call *c, struct tz_store **store, struct tz_threatmap **tm,
                     char *path, size_t size)
{
    struct tz_threatmap_config cfg = tz_threatmap_defaults();
    const char *given = cli_text(c, CLI_SNAPSHOT, NULL);
    /* On PostgreSQL the change feed's position is not yet in commit order (docs/operations.md,
     * "What is left"), so a snapshot could miss a report committed late: none there. */
    bool on_pg = tz_store_is_pg(cli_db(c));
    if (on_pg && given && strcmp(given, "off") != 0) {
        cli_fail("--snapshot (not on PostgreSQL yet)", TZ_EINVAL);
        return TZ_EINVAL;
    }
    int len = on_pg   ? snprintf(path, size, "off")
              : given ? snprintf(path, size, "%s", given)
                      : snprintf(path, size, "%s.mapindex", cli_db(c));
    if (len < 0 || (size_t)len >= size) {
        cli_fail("--snapshot (the path is too long)", TZ_ETOOBIG);
        return TZ_ETOOBIG;
    }
    cfg.snapshot_path = strcmp(path, "off") == 0 ? NULL : path;
    return open_with(c, store, tm, &cfg);
}

void cli_who(const struct cli_call *c, struct cli_who *w)
{
    const char *user = getenv("USER");
    const struct passwd *pw = getpwuid(geteuid());
    snprintf(w->actor, sizeof w->actor, "cli:%s", cli_text(c, CLI_ACTOR, user ? user : "operator"));
    if (pw)
        snprintf(w->client, sizeof w->client, "cli:%s", pw->pw_name);
    else
        snprintf(w->client, sizeof w->client, "cli:uid %lu", (unsigned long)geteuid());
}

struct tz_audit_rec cli_who_rec(const struct cli_who *w, const char *role)
{
    return (struct tz_audit_rec){.actor = w->actor, .role = role, .client = w->client};
}

struct tz_auth_who cli_auth_who(const struct cli_who *w, const char *role)
{
    return (struct tz_auth_who){.actor = w->actor, .client = w->client, .role = role};
}

tz_err cli_ctx_open(const struct cli_call *c, bool map, struct cli_ctx *x)
{
    memset(x, 0, sizeof *x);
    cli_who(c, &x->who);
    tz_err err = cli_open(c, &x->store, map ? &x->tm : NULL);
    if (!err && (err = tz_auth_open(x->store, NULL, &x->auth)))
        cli_fail("auth", err);
    return err;
}

void cli_ctx_close(struct cli_ctx *x)
{
    tz_auth_close(x->auth);
    tz_threatmap_close(x->tm);
    tz_store_close(x->store);
    memset(x, 0, sizeof *x);
}

struct tz_audit_rec cli_audit_entry(const struct cli_ctx *x, enum tz_audit_action action,
                                    const char *object)
{
    return tz_auth_audit_entry(x->auth, NULL, x->who.actor, x->who.client, tz_audit_code(action),
                               object);
}

bool cli_id(const char *s, long long *out)
{
    return cli_number(s, 1, INT64_MAX, out);
}
