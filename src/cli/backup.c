/*
 * backup.c - `tarcza backup` and `tarcza restore` (docs/operations.md): the
 * SQLite database copied while `tarcza serve` keeps writing, and a new
 * database made from such a copy (checked, then migrated to this program's
 * schema). Both refuse to write over an existing file.
 */
#include <stdio.h>

#include "cli/internal.h"

/* PostgreSQL has its own tools for this (docs/operations.md): pg_dump, or a base backup and PITR. */
static int pg_refused(const struct cli_call *c, const char *what)
{
    fprintf(stderr,
            "tarcza: %s works on SQLite files; for PostgreSQL use pg_dump/pg_restore or a base "
            "backup with WAL archiving (docs/operations.md)\n",
            what);
    (void)c;
    return 1;
}

int cli_backup(const struct cli_call *c)
{
    if (tz_store_is_pg(cli_db(c)))
        return pg_refused(c, "backup");
    long long pages = 0;
    const char *to = c->text[CLI_TO];
    tz_err err = tz_store_backup_sqlite(cli_db(c), to, &pages);
    if (err == TZ_ECONFLICT) {
        fprintf(stderr, "tarcza: %s exists: a backup never writes over a file\n", to);
        return 1;
    }
    if (err)
        return cli_fail(cli_db(c), err);
    printf("tarcza: backup of %s written to %s (%lld pages)\n", cli_db(c), to, pages);
    return 0;
}

int cli_restore(const struct cli_call *c)
{
    if (tz_store_is_pg(cli_db(c)))
        return pg_refused(c, "restore");
    long long pages = 0;
    const char *from = c->args[0];
    tz_err err = tz_store_restore_sqlite(from, cli_db(c), &pages);
    if (err == TZ_ECONFLICT)
        fprintf(stderr,
                "tarcza: %s exists, or the backup is from a newer tarcza: restore makes a new "
                "database (stop serve and move the old one aside first)\n",
                cli_db(c));
    else if (err == TZ_EMALFORMED)
        fprintf(stderr, "tarcza: %s is damaged (PRAGMA integrity_check): nothing restored\n",
                from);
    else if (err)
        cli_fail(from, err);
    if (err)
        return 1;
    printf("tarcza: %s restored from %s (%lld pages) and migrated to this version's schema\n",
           cli_db(c), from, pages);
    return 0;
}
