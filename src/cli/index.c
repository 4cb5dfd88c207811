/*
 * index.c - `tarcza index snapshot`: writes the map index's snapshot beside
 * the database (threatmap/snapshot.c), e.g. before a new instance's first
 * start, or after an upgrade that refused the old one. The index comes from
 * the snapshot already there when it is valid (brought up to date from the
 * change feed), else from the database.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/internal.h"

int cli_index_snapshot(const struct cli_call *c)
{
    char path[PATH_MAX];
    struct tz_store *store = NULL;
    struct tz_threatmap *tm = NULL;
    if (c->set[CLI_SNAPSHOT] && strcmp(c->text[CLI_SNAPSHOT], "off") == 0)
        return cli_usage_error(c, "--snapshot off: nothing to write");
    if (cli_open_snap(c, &store, &tm, path, sizeof path))
        return 1;
    struct tz_threatmap_snap_info info = {0};
    tz_err err = tz_threatmap_snapshot(tm, &info);
    if (err)
        cli_fail(path, err);
    else
        printf("tarcza: wrote %s: %zu reports at report %lld and change %lld, %llu bytes, "
               "%.2f s\n",
               path, info.reports, (long long)info.report_id, (long long)info.transition_seq,
               (unsigned long long)info.bytes, info.seconds);
    tz_threatmap_close(tm);
    tz_store_close(store);
    return err ? 1 : 0;
}
