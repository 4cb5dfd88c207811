/*
 * address.c - `tarcza import-addresses FILE.csv`: the address points of the
 * state register (PRG, converted as docs/addresses.md says) into the store,
 * in one transaction audited as an admin's import; prints each refused line
 * with its reason and the counts. Exit status 0 when the file was imported
 * (refused lines and all), 1 when nothing was.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "address/address.h"
#include "base/tztime.h"
#include "cli/internal.h"

int cli_import_addresses(const struct cli_call *c)
{
    const char *path = c->args[0];
    struct tz_store *store = NULL;
    struct tz_address_import_report rep = {0};
    int rc = 1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tarcza: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (cli_open(c, &store, NULL))
        goto done;
    struct cli_who who;
    cli_who(c, &who);
    struct tz_audit_rec audit = cli_who_rec(&who, tz_auth_role_code(TZ_AUTH_ADMIN));
    audit.action = tz_audit_code(TZ_AUDIT_ADDRESS_IMPORT);
    audit.object = "addresses";
    audit.outcome = "ok";
    audit.at = tz_time_now();
    tz_err err = tz_address_import(store, f, &audit, &rep);
    for (size_t i = 0; i < rep.count; i++)
        fprintf(stderr, "tarcza: %s:%zu: refused: %s\n", path, rep.items[i].line,
                rep.items[i].reason);
    if (rep.refused > rep.count)
        fprintf(stderr, "tarcza: ... and %zu more lines refused\n", rep.refused - rep.count);
    if (err) {
        cli_fail("nothing was imported", err);
        goto done;
    }
    printf("tarcza: %zu addresses taken, %zu lines refused, of %zu, into %s\n", rep.taken,
           rep.refused, rep.lines, cli_db_name(c));
    rc = 0;
done:
    tz_address_import_report_free(&rep);
    tz_store_close(store);
    fclose(f);
    return rc;
}
