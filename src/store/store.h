/*
 * store.h - the store: where reports, districts and categories live durably.
 *
 * The threat map talks to the store only through these headers, so that a
 * PostgreSQL backend can join the SQLite one without touching threatmap/.
 * Records here are plain data; the threat-map rules (validation, workflow,
 * deadlines) are not the store's business.
 *
 * Every function is safe to call from many threads at once. Writes are
 * transactions: when a write function returns TZ_OK its effect is committed
 * and synced to disk (SQLite: WAL, synchronous=FULL); when it returns an error,
 * nothing of it is stored.
 */
#ifndef TZ_STORE_STORE_H
#define TZ_STORE_STORE_H

/* The store's aggregates, one header each; this one includes them all. */
#include "store/accounts.h"
#include "store/alerts.h"
#include "store/addresses.h"
#include "store/analysis.h"
#include "store/apikeys.h"
#include "store/assist_cases.h"
#include "store/audit.h"
#include "store/catalog.h"
#include "store/common.h"
#include "store/exchange.h"
#include "store/exchange_spoc.h"
#include "store/exchange_events.h"
#include "store/federation.h"
#include "store/idempotency.h"
#include "store/photos.h"
#include "store/reports.h"
#include "store/search.h"
#include "store/watchlist.h"

/*
 * What the store did in the background since it was opened, for benchmarks
 * and operations; a backend leaves at 0 what it does not have.
 */
struct tz_store_stats {
    uint64_t checkpoints;         /* WAL checkpoints run */
    uint64_t frames_checkpointed; /* WAL frames copied back into the database file */
    uint64_t wal_resets;          /* times the WAL was emptied or made to start over */
    uint64_t wal_pages_max;       /* longest WAL seen after a commit, in pages */
    int64_t writer_wait_ns_max;   /* longest a checkpoint held the writer back */
};

/*
 * Opens (creating if needed) the SQLite store at path, a file, and brings its
 * schema up to date, one migration per transaction. TZ_ECONFLICT if the
 * database was migrated by a newer tarcza than this one; TZ_EIO if the file
 * cannot be opened or does not accept WAL mode.
 */
tz_err tz_store_open_sqlite(const char *path, struct tz_store **out);
/*
 * Opens the PostgreSQL store at uri (a libpq connection URI, postgres:// or postgresql://) and
 * brings its schema up to date (pg.c): the migrations of the SQLite backend in PostgreSQL's
 * dialect (pg_schema.c). TZ_EIO when the server cannot be reached, TZ_ECONFLICT when a newer
 * tarcza migrated it. Operations this backend does not have yet answer TZ_EUNSUPPORTED.
 */
tz_err tz_store_open_pg(const char *uri, struct tz_store **out);
/* Whether db names a PostgreSQL database (a postgres:// or postgresql:// URI) rather than a file. */
bool tz_store_is_pg(const char *db);
/* Opens db with the backend its form names: tz_store_open_pg for a URI, else SQLite's file. */
tz_err tz_store_open(const char *db, struct tz_store **out);
/*
 * A consistent copy of the SQLite database at db_path, taken while other processes (tarcza serve)
 * keep writing, to the new file to (sqlite_backup.c); *pages copied. TZ_ECONFLICT when to exists,
 * TZ_ENOTFOUND when db_path does not; on any error to does not exist.
 */
tz_err tz_store_backup_sqlite(const char *db_path, const char *to, long long *pages);
/*
 * Makes the new database db_path from the backup from_path: checked first (TZ_EMALFORMED unless
 * PRAGMA integrity_check says ok), copied, then migrated to this program's schema (TZ_ECONFLICT
 * when the backup is newer, or when db_path exists). On any error db_path does not exist.
 */
tz_err tz_store_restore_sqlite(const char *from_path, const char *db_path, long long *pages);
/* What tz_store_move_to_pg copied: each table with its rows in the source and in the target. */
#define TZ_STORE_MOVE_TABLES 96
#define TZ_STORE_MOVE_NAME 64
struct tz_store_move_table {
    char name[TZ_STORE_MOVE_NAME];
    int64_t rows_from, rows_to;
};
struct tz_store_move {
    size_t count;
    struct tz_store_move_table tables[TZ_STORE_MOVE_TABLES];
};
/*
 * Moves the SQLite database `from` into the PostgreSQL database `to` (pg_move.c): both brought
 * to this program's schema, then every table copied in one PostgreSQL transaction and its rows
 * counted on both sides; all or nothing. TZ_ENOTFOUND when from does not exist, TZ_ECONFLICT
 * when the target already holds reports, accounts, audit entries or messages, TZ_EIO when a
 * count differs. The audit log is copied as it is; verify it on the target afterwards.
 */
tz_err tz_store_move_to_pg(const char *from, const char *to, struct tz_store_move *m);
/* Closes the store; no call on it may be running or follow. Safe with NULL. */
void tz_store_close(struct tz_store *store);
/* The schema version after migrations. */
int tz_store_schema_version(struct tz_store *store);
/* The background counters (see struct tz_store_stats). */
tz_err tz_store_stats(struct tz_store *store, struct tz_store_stats *out);
/*
 * Whether this process can write now, for a readiness check: cheap (SQLite: takes the write lock
 * and lets it go, waiting at most 250 ms for another process's; nothing is written). TZ_EBUSY
 * when another holds the lock, TZ_EIO when the database is read-only or failing; TZ_OK also from
 * a backend that cannot tell (its writes report their own errors).
 */
tz_err tz_store_write_probe(struct tz_store *store);
/*
 * Runs fn(ctx) with every write this thread makes through store in one transaction, committed
 * once when fn returns TZ_OK (rolled back otherwise): one fsync for a batch of writes that each
 * have their own audit entry (federation's batch envelopes). Inside it each write runs in a
 * savepoint (a failed one undoes only itself) and answers before the commit, so fn must treat
 * nothing as durable until tz_store_hold returns TZ_OK; this thread's reads see its writes.
 * Every other writer waits meanwhile: keep fn short, and make it take no lock that another
 * writer may hold. TZ_EINVAL for a hold of another store inside one.
 */
tz_err tz_store_hold(struct tz_store *store, tz_err (*fn)(void *ctx), void *ctx);
/*
 * Calls fn(ctx) on a thread of the store's own soon after any process commits a write that the
 * change feed (tz_store_reports_after, tz_store_transitions_after) will show, and once each time
 * the store (re)connects to hear of them (what was committed while it could not hear). fn must
 * be quick and must not call the store (it wakes a reader). A notice may come for nothing, or
 * several writes give one; the feed itself says what is new. fn NULL stops the notices (waits
 * for a running fn to return); a second watch replaces the first. TZ_EUNSUPPORTED where the
 * backend has none (SQLite: a reader polls); PostgreSQL uses LISTEN/NOTIFY (pg_watch.c).
 */
tz_err tz_store_watch(struct tz_store *store, void (*fn)(void *ctx), void *ctx);

#endif
