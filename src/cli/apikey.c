/*
 * apikey.c - the API keys of Open311 POST: `tarcza apikey add NAME` (the key
 * is shown once; only its hash is kept), `apikey revoke ID`, `apikey list`.
 * Adding and revoking are audited (as an admin) by threatmap with the change.
 */
#include <stdlib.h>

#include "base/tztime.h"
#include "cli/internal.h"

int cli_apikey_add(const struct cli_call *c)
{
    const char *name = c->args[0];
    struct tz_store *store = NULL;
    if (cli_open(c, &store, NULL))
        return 1;
    char key[TZ_API_KEY_TEXT_MAX];
    int64_t id = 0;
    struct cli_who who;
    cli_who(c, &who);
    struct tz_audit_rec rec = cli_who_rec(&who, tz_auth_role_code(TZ_AUTH_ADMIN));
    tz_err err = tz_threatmap_apikey_create(store, name, tz_time_now(), &rec, key, &id);
    tz_store_close(store);
    if (err)
        return cli_fail("apikey add", err);
    printf("%lld %s\n", (long long)id, key);
    fprintf(stderr, "tarcza: key %lld for %s; it is shown only now\n", (long long)id, name);
    return 0;
}

int cli_apikey_revoke(const struct cli_call *c)
{
    long long id = 0;
    if (!cli_id(c->args[0], &id))
        return cli_usage_error(c, "ID is a key's number (apikey list shows them)");
    struct tz_store *store = NULL;
    if (cli_open(c, &store, NULL))
        return 1;
    struct cli_who who;
    cli_who(c, &who);
    struct tz_audit_rec rec = cli_who_rec(&who, tz_auth_role_code(TZ_AUTH_ADMIN));
    tz_err err = tz_threatmap_apikey_revoke(store, id, tz_time_now(), &rec);
    tz_store_close(store);
    if (err)
        return cli_fail(err == TZ_ECONFLICT ? "apikey revoke: already revoked" : "apikey revoke",
                        err);
    printf("tarcza: key %lld revoked\n", id);
    return 0;
}

int cli_apikey_list(const struct cli_call *c)
{
    struct tz_store *store = NULL;
    if (cli_open(c, &store, NULL))
        return 1;
    struct tz_api_key_rec *keys = NULL;
    size_t n = 0;
    tz_err err = tz_threatmap_apikey_list(store, &keys, &n);
    tz_store_close(store);
    if (err)
        return cli_fail("apikey list", err);
    for (size_t i = 0; i < n; i++) {
        char created[TZ_TIME_TEXT_MAX], revoked[TZ_TIME_TEXT_MAX] = "valid";
        tz_time_format(keys[i].created_at, created);
        if (keys[i].revoked_at)
            tz_time_format(keys[i].revoked_at, revoked);
        printf("%lld\t%s\t%s\t%s\n", (long long)keys[i].id, keys[i].name, created, revoked);
    }
    free(keys);
    return 0;
}
