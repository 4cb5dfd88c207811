/*
 * data.c - the commands that fill a database: `tarcza import-districts`
 * (district polygons from GeoJSON) and `tarcza demo` (Kraków's districts and
 * random reports in KMZB's proportions).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "address/address.h"
#include "base/tztime.h"
#include "cli/internal.h"

/* Reads at most TZ_GEO_MAX_DOCUMENT bytes of path into *data (the caller frees it). */
static tz_err read_document(const char *path, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tarcza: %s: %s\n", path, strerror(errno));
        return TZ_ENOTFOUND;
    }
    tz_err err = TZ_OK;
    char *buf = malloc(TZ_GEO_MAX_DOCUMENT + 1);
    size_t n = buf ? fread(buf, 1, TZ_GEO_MAX_DOCUMENT + 1, f) : 0;
    if (!buf)
        err = TZ_ENOMEM;
    else if (n > TZ_GEO_MAX_DOCUMENT)
        err = TZ_ETOOBIG;
    fclose(f);
    if (err) {
        cli_fail(path, err);
        free(buf);
        return err;
    }
    *data = buf;
    *len = n;
    return TZ_OK;
}

int cli_import_districts(const struct cli_call *c)
{
    const char *path = c->args[0];
    char *data = NULL;
    size_t len = 0;
    struct tz_store *store = NULL;
    struct tz_geo_problems problems = {0};
    int rc = 1;
    if (read_document(path, &data, &len) || cli_open(c, &store, NULL))
        goto done;
    tz_err err = tz_threatmap_import_districts(store, data, len, &problems);
    for (size_t i = 0; i < problems.count; i++)
        fprintf(stderr, "tarcza: feature %zu (id %s): %s\n", problems.items[i].index,
                problems.items[i].id ? problems.items[i].id : "none", problems.items[i].message);
    if (err) {
        cli_fail("nothing was imported", err);
        goto done;
    }
    printf("tarcza: districts imported into %s\n", cli_db_name(c));
    rc = 0;
done:
    tz_geo_problems_free(&problems);
    tz_store_close(store);
    free(data);
    return rc;
}

/* The demo's addresses, audited as an import by the operator; a second demo refreshes them. */
static tz_err demo_addresses(const struct cli_call *c, struct tz_store *store, uint64_t seed,
                             size_t *count)
{
    struct cli_who who;
    cli_who(c, &who);
    struct tz_audit_rec audit = cli_who_rec(&who, tz_auth_role_code(TZ_AUTH_ADMIN));
    audit.action = tz_audit_code(TZ_AUDIT_ADDRESS_IMPORT);
    audit.object = "addresses/demo";
    audit.outcome = "ok";
    audit.at = tz_time_now();
    return tz_address_demo(store, seed, &audit, count);
}

int cli_demo(const struct cli_call *c)
{
    struct tz_store *store = NULL;
    if (cli_open(c, &store, NULL))
        return 1;
    long long reports = cli_num(c, CLI_REPORTS, 5000);
    int64_t start = tz_time_mono_ns();
    uint64_t seed = (uint64_t)cli_num(c, CLI_SEED, 2016);
    tz_err err = tz_threatmap_demo(store, (size_t)reports, seed, tz_time_now());
    size_t addresses = 0;
    if (!err)
        err = demo_addresses(c, store, seed, &addresses);
    tz_store_close(store);
    if (err)
        return cli_fail("demo data", err);
    printf("tarcza: %zu demo addresses\n", addresses);
    printf("tarcza: %lld demo reports added to %s in %.1f s\n", reports, cli_db_name(c),
           (double)(tz_time_mono_ns() - start) / 1e9);
    return 0;
}
