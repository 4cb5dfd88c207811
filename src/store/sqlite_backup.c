/*
 * sqlite_backup.c - a consistent copy of a live SQLite database and the way
 * back from one (store.h: tz_store_backup_sqlite, tz_store_restore_sqlite).
 *
 * The copy is SQLite's online backup API run in one step: it reads every page
 * inside one read transaction, which in WAL mode never blocks the writer, so
 * `tarcza serve` keeps committing reports while a backup runs and the copy
 * holds exactly the transactions committed when it began (nothing half). It
 * is written to FILE.part, synced, and renamed into place, so FILE is either
 * a whole backup or absent. Neither function ever writes over an existing
 * file: a mistyped path cannot destroy a database.
 *
 * A restore checks the copy first (PRAGMA integrity_check must say "ok"),
 * copies it to a database path that does not exist yet the same way, and then
 * opens it as the server would, which brings an older backup's schema up to
 * date with this program's migrations (and refuses one from a newer tarcza).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/sqlite_internal.h"

#define BACKUP_BUSY_MS 10000 /* how long to wait for a lock held by the writer's checkpoint */
#define PATH_BYTES 4096

/* Opens path with flags and the busy timeout; TZ_EIO (or the mapped error) on failure. */
static tz_err open_db(const char *path, int flags, sqlite3 **db)
{
    int rc = sqlite3_open_v2(path, db, flags, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(*db, BACKUP_BUSY_MS);
    if (rc == SQLITE_OK)
        return TZ_OK;
    sqlite3_close(*db);
    *db = NULL;
    return rc == SQLITE_CANTOPEN ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
}

/* Copies every page of from into to in one step; the pages copied in *pages. */
static tz_err copy_pages(sqlite3 *from, sqlite3 *to, long long *pages)
{
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    if (!b)
        return tz_sq_map_rc(sqlite3_errcode(to));
    int rc = sqlite3_backup_step(b, -1);
    *pages = sqlite3_backup_pagecount(b);
    int done = sqlite3_backup_finish(b);
    if (rc == SQLITE_DONE)
        rc = done;
    return rc == SQLITE_OK || rc == SQLITE_DONE ? TZ_OK : tz_sq_map_rc(rc);
}

/* fsyncs the folder holding path, so that a rename into it survives a power cut. */
static tz_err sync_folder(const char *path)
{
    char dir[PATH_BYTES];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return TZ_EIO;
    tz_err err = fsync(fd) == 0 ? TZ_OK : TZ_EIO;
    close(fd);
    return err;
}

/* Copies the database from (open) to the new file to, through to.part and a rename. */
static tz_err copy_to_new_file(sqlite3 *from, const char *to, long long *pages)
{
    char part[PATH_BYTES];
    struct stat st;
    if (snprintf(part, sizeof part, "%s.part", to) >= (int)sizeof part)
        return TZ_EINVAL;
    if (stat(to, &st) == 0)
        return TZ_ECONFLICT;
    unlink(part); /* left by a copy that was interrupted */
    sqlite3 *out = NULL;
    tz_err err = open_db(part, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &out);
    if (!err)
        err = copy_pages(from, out, pages); /* commits with synchronous=FULL: the pages are synced */
    /* One self-contained file (the source's WAL mode would come with the pages): a reader of the
     * copy makes no -wal or -shm beside it; the server turns WAL on again when it opens one. */
    if (!err && sqlite3_exec(out, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK)
        err = TZ_EIO;
    if (out && sqlite3_close(out) != SQLITE_OK && !err)
        err = TZ_EIO;
    if (!err && (stat(to, &st) == 0 || errno != ENOENT))
        err = TZ_ECONFLICT; /* made meanwhile */
    if (!err && rename(part, to) != 0)
        err = TZ_EIO;
    if (!err)
        err = sync_folder(to);
    if (err)
        unlink(part);
    return err;
}

tz_err tz_store_backup_sqlite(const char *db_path, const char *to, long long *pages)
{
    if (!db_path || !to || !pages)
        return TZ_EINVAL;
    *pages = 0;
    sqlite3 *from = NULL;
    tz_err err = open_db(db_path, SQLITE_OPEN_READWRITE, &from);
    if (!err)
        err = copy_to_new_file(from, to, pages);
    sqlite3_close(from);
    return err;
}

/* Whether PRAGMA integrity_check says "ok" of db. */
static tz_err check_integrity(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL);
    tz_err err = rc == SQLITE_OK ? TZ_OK : TZ_EMALFORMED;
    if (!err) {
        rc = sqlite3_step(st);
        const unsigned char *text = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
        err = text && strcmp((const char *)text, "ok") == 0 ? TZ_OK : TZ_EMALFORMED;
    }
    sqlite3_finalize(st);
    return err;
}

tz_err tz_store_restore_sqlite(const char *from_path, const char *db_path, long long *pages)
{
    if (!from_path || !db_path || !pages)
        return TZ_EINVAL;
    *pages = 0;
    struct stat st;
    if (stat(db_path, &st) == 0)
        return TZ_ECONFLICT;
    sqlite3 *from = NULL;
    tz_err err = open_db(from_path, SQLITE_OPEN_READONLY, &from);
    if (!err)
        err = check_integrity(from);
    if (!err)
        err = copy_to_new_file(from, db_path, pages);
    sqlite3_close(from);
    struct tz_store *store = NULL;
    if (!err && (err = tz_store_open_sqlite(db_path, &store))) { /* the migrations, or a refusal */
        unlink(db_path);
        char side[PATH_BYTES];
        snprintf(side, sizeof side, "%s-wal", db_path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", db_path);
        unlink(side);
    }
    tz_store_close(store);
    return err;
}
