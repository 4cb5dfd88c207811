/*
 * migrate.c - `tarcza migrate --from FILE.db --to postgresql://...`: a SQLite database moved into
 * a PostgreSQL one (tz_store_move_to_pg), then checked: every table's rows counted on both
 * sides (in the move's transaction), and the audit chain verified on the target and found to end
 * at the same entry with the same hash as the source's.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/internal.h"

/* The chain of db verified: its verdict into v; 1 (said) when it cannot be read or is broken. */
static int verified(const char *db, const char *what, struct tz_audit_verdict *v)
{
    struct tz_store *store = NULL;
    tz_err err = tz_store_open(db, &store);
    if (!err)
        err = tz_auth_audit_verify(store, NULL, NULL, v);
    tz_store_close(store);
    if (err)
        return cli_fail(what, err);
    if (v->first_bad) {
        printf("tarcza: the audit log of the %s is BROKEN at entry %lld: %s\n", what,
               (long long)v->first_bad, v->reason);
        return 1;
    }
    return 0;
}

int cli_migrate(const struct cli_call *c)
{
    const char *from = c->text[CLI_FROM], *to = c->text[CLI_TO];
    if (!tz_store_is_pg(to))
        return cli_usage_error(c, "--to must name a PostgreSQL database (postgresql://...)");
    if (access(from, R_OK) != 0)
        return cli_fail(from, TZ_ENOTFOUND); /* not made here: opening would create it */
    struct tz_audit_verdict before, after;
    if (verified(from, "source", &before))
        return 1;
    struct tz_store_move m;
    tz_err err = tz_store_move_to_pg(from, to, &m);
    if (err == TZ_ECONFLICT) {
        fprintf(stderr, "tarcza: the target already holds data (reports, accounts, audit entries"
                        " or messages): migrate fills a new database only\n");
        return 1;
    }
    if (err)
        return cli_fail("migrate (nothing was kept)", err);
    for (size_t i = 0; i < m.count; i++)
        printf("%-24s %10lld rows\n", m.tables[i].name, (long long)m.tables[i].rows_to);
    if (verified(to, "target", &after))
        return 1;
    if (after.entries != before.entries || after.head_seq != before.head_seq ||
        memcmp(after.head, before.head, TZ_HASH_LEN) != 0) {
        printf("tarcza: the target's audit chain does not end where the source's does\n");
        return 1;
    }
    printf("tarcza: %zu tables moved into PostgreSQL, row counts equal; audit chain intact"
           " (%lld entries, the same head as the source's)\n",
           m.count, (long long)after.entries);
    return 0;
}
