/*
 * checkpointer.h - WAL checkpoints on a thread of their own (private to src/store).
 *
 * The SQLite backend turns off SQLite's automatic checkpoint on its writer
 * connection and hands the job to this thread, which copies the WAL back into
 * the database file on a connection of its own while the writer goes on
 * committing. checkpointer.c says why and when.
 */
#ifndef TZ_STORE_CHECKPOINTER_H
#define TZ_STORE_CHECKPOINTER_H

#include <pthread.h>

#include "base/err.h"
#include "store/store.h"

#include <stdint.h>

struct tz_checkpointer;

/* When the thread checkpoints (see checkpointer.c). */
struct tz_checkpointer_config {
    int wake_pages;  /* frames not yet copied that wake the thread for a PASSIVE checkpoint */
    int reset_pages; /* a WAL this long is made to start over */
    int tick_ms;     /* the thread looks at the WAL at least this often */
    int64_t idle_ns; /* this long without a commit and the WAL is truncated */
};

/* The settings the store runs with. */
struct tz_checkpointer_config tz_checkpointer_defaults(void);
/*
 * Opens a connection to the database at path (which must exist and be in WAL
 * mode) and starts the thread. write_mu is the mutex that every write
 * transaction of the process holds; the thread takes it only for the short
 * steps that let the WAL start over. It must outlive the checkpointer.
 * TZ_EINVAL for a setting below 1 (idle_ns below 0).
 */
tz_err tz_checkpointer_start(const char *path, pthread_mutex_t *write_mu,
                             const struct tz_checkpointer_config *cfg,
                             struct tz_checkpointer **out);
/*
 * Tells the thread that a commit left wal_pages frames in the WAL: the
 * writer's sqlite3_wal_hook calls it, with write_mu held. Never blocks on I/O.
 */
void tz_checkpointer_note_commit(struct tz_checkpointer *ck, int wal_pages);
/*
 * Copies what the WAL holds into the database file one last time, stops the
 * thread and frees ck. No write may be running or follow. Safe with NULL.
 */
void tz_checkpointer_stop(struct tz_checkpointer *ck);
/* Adds the checkpointer's counters to out. */
void tz_checkpointer_stats(struct tz_checkpointer *ck, struct tz_store_stats *out);

#endif
