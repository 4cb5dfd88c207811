/*
 * checkpointer.c - WAL checkpoints on a thread of their own.
 *
 * Why: in WAL mode every commit appends pages to the -wal file, and a
 * checkpoint copies them back into the database file. Left to itself SQLite
 * checkpoints inside the commit that takes the WAL past wal_autocheckpoint
 * pages: that commit copies megabytes and fsyncs the database file before it
 * returns, and for all that time the group-commit writer takes no new batch.
 * Every report waiting then waits for the checkpoint too, which is where the
 * p99 of POST /api/v1/reports came from. So the writer runs with the automatic
 * checkpoint off (its sqlite3_wal_hook reports here instead), and this thread
 * checkpoints on a connection of its own while the writer goes on committing.
 *
 * When:
 * - PASSIVE, which never blocks the writer or readers, when the WAL holds
 *   wake_pages frames not yet copied (the writer's hook wakes the thread) and
 *   on every tick (tick_ms) that finds any. Copying a few thousand frames at a
 *   time means a page that many commits rewrote (the tail of the table, the
 *   hot leaf of each index) is copied once, not once per commit.
 * - A PASSIVE checkpoint copies the WAL but cannot make it start over, since
 *   the writer keeps appending: under steady load the file would grow without
 *   bound. SQLite rewinds the WAL when a write transaction begins while every
 *   frame has been copied. So once the WAL is longer than reset_pages the
 *   thread takes the writer's mutex (write_mu) between two batches, copies the
 *   few frames the writer added since the last pass, and lets go: the next
 *   batch starts the WAL over, and journal_size_limit trims the file. The
 *   writer waits for that short step only: the last few hundred frames and
 *   one fsync of the database, a few ms (writer_wait_ns_max in the stats).
 * - When no commit came for idle_ns, a TRUNCATE (again under write_mu) leaves
 *   an idle server with an empty WAL.
 * - On stop, a last PASSIVE checkpoint; the writer connection, closed after
 *   this one, then finds nothing left to copy and removes the WAL.
 *
 * The thread's connection runs synchronous=FULL like the writer: a checkpoint
 * fsyncs the WAL before it copies and the database file after, so a power
 * cut during a checkpoint loses nothing (the WAL still holds every frame
 * until the next write transaction rewinds it). Lock order: write_mu, then mu.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <sqlite3.h>

#include "base/tztime.h"
#include "store/checkpointer.h"

#define TRUNCATE_BUSY_MS 100 /* how long a truncation waits for readers to move on */
#define RESET_SLACK 256      /* frames left for the step that holds the writer back */
#define RESET_TRIES 4        /* passes to get there while the writer keeps adding */

struct tz_checkpointer_config tz_checkpointer_defaults(void)
{
    /*
     * At 10,000 reports/s a report adds about 0.7 frames (4 KiB pages) to the
     * WAL: a PASSIVE checkpoint about every half second, a reset about every
     * two seconds, a WAL file of at most about 64 MiB (journal_size_limit).
     */
    return (struct tz_checkpointer_config){
        .wake_pages = 4000,
        .reset_pages = 16000,
        .tick_ms = 1000,
        .idle_ns = 5000000000LL,
    };
}

struct tz_checkpointer {
    struct tz_checkpointer_config cfg;
    sqlite3 *db; /* the thread's own connection */
    pthread_mutex_t *write_mu;
    pthread_t thread;

    pthread_mutex_t mu; /* guards everything below */
    pthread_cond_t cv;  /* wakes the thread: enough frames, or stop */
    bool wake, stopping;
    int wal_pages;  /* frames in the WAL after the last commit */
    int backfilled; /* frames of those that the last checkpoint had copied */
    int64_t last_commit_ns;
    bool written; /* a commit came since the WAL was last truncated */
    struct tz_store_stats stats;
};

void tz_checkpointer_note_commit(struct tz_checkpointer *ck, int wal_pages)
{
    pthread_mutex_lock(&ck->mu);
    if (wal_pages < ck->backfilled)
        ck->backfilled = 0; /* the WAL started over */
    ck->wal_pages = wal_pages;
    ck->last_commit_ns = tz_time_mono_ns();
    ck->written = true;
    if ((uint64_t)wal_pages > ck->stats.wal_pages_max)
        ck->stats.wal_pages_max = (uint64_t)wal_pages;
    if (wal_pages - ck->backfilled >= ck->cfg.wake_pages && !ck->wake) {
        ck->wake = true;
        pthread_cond_signal(&ck->cv);
    }
    pthread_mutex_unlock(&ck->mu);
}

/*
 * Runs one checkpoint of mode and counts it. Returns SQLite's result code;
 * *left is what the WAL still holds that the checkpoint could not copy.
 */
static int checkpoint(struct tz_checkpointer *ck, int mode, int *left)
{
    int log = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(ck->db, NULL, mode, &log, &copied);
    pthread_mutex_lock(&ck->mu);
    if (rc == SQLITE_OK) {
        ck->stats.checkpoints++;
        if (copied > ck->backfilled)
            ck->stats.frames_checkpointed += (uint64_t)(copied - ck->backfilled);
        /* More than the WAL holds: it started over meanwhile, and copied counts the old one. */
        ck->backfilled = copied <= ck->wal_pages ? copied : 0;
    }
    pthread_mutex_unlock(&ck->mu);
    *left = rc == SQLITE_OK && log > copied ? log - copied : 0;
    return rc;
}

/*
 * Holds the writer back while a checkpoint of mode copies the rest of the WAL
 * (PASSIVE: the next write transaction starts the WAL over) or also empties
 * the file (TRUNCATE). No commit can come in between, so when it succeeds the
 * WAL is known to be done with.
 */
static void reset_wal(struct tz_checkpointer *ck, int mode)
{
    pthread_mutex_lock(ck->write_mu);
    int64_t t0 = tz_time_mono_ns();
    int log = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(ck->db, NULL, mode, &log, &copied);
    int64_t waited = tz_time_mono_ns() - t0;
    pthread_mutex_lock(&ck->mu);
    if (rc == SQLITE_OK) {
        ck->stats.checkpoints++;
        if (copied > ck->backfilled)
            ck->stats.frames_checkpointed += (uint64_t)(copied - ck->backfilled);
        if (log == copied) {
            /* A reader still on an old snapshot can keep frames from being copied: then retry. */
            ck->stats.wal_resets++;
            ck->wal_pages = 0;
            ck->backfilled = 0;
            if (mode == SQLITE_CHECKPOINT_TRUNCATE)
                ck->written = false;
        } else {
            ck->backfilled = copied;
        }
    }
    if (waited > ck->stats.writer_wait_ns_max)
        ck->stats.writer_wait_ns_max = waited;
    pthread_mutex_unlock(&ck->mu);
    pthread_mutex_unlock(ck->write_mu);
}

static void *checkpointer_main(void *arg)
{
    struct tz_checkpointer *ck = arg;
    int left;
    checkpoint(ck, SQLITE_CHECKPOINT_PASSIVE, &left); /* whatever an earlier run left */
    pthread_mutex_lock(&ck->mu);
    while (!ck->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += ck->cfg.tick_ms / 1000;
        until.tv_nsec += (long)(ck->cfg.tick_ms % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        while (!ck->wake && !ck->stopping)
            if (pthread_cond_timedwait(&ck->cv, &ck->mu, &until) == ETIMEDOUT)
                break;
        if (ck->stopping)
            break;
        ck->wake = false;
        int pages = ck->wal_pages, backfilled = ck->backfilled;
        bool idle = ck->written && tz_time_mono_ns() - ck->last_commit_ns >= ck->cfg.idle_ns;
        pthread_mutex_unlock(&ck->mu);

        left = 0;
        if (pages > backfilled)
            checkpoint(ck, SQLITE_CHECKPOINT_PASSIVE, &left);
        if (idle) {
            reset_wal(ck, SQLITE_CHECKPOINT_TRUNCATE);
        } else if (pages >= ck->cfg.reset_pages) {
            /* Catch up first, so that the writer waits for a few frames only. */
            for (int i = 0; i < RESET_TRIES && left > RESET_SLACK; i++)
                checkpoint(ck, SQLITE_CHECKPOINT_PASSIVE, &left);
            reset_wal(ck, SQLITE_CHECKPOINT_PASSIVE);
        }
        pthread_mutex_lock(&ck->mu);
    }
    pthread_mutex_unlock(&ck->mu);
    checkpoint(ck, SQLITE_CHECKPOINT_PASSIVE, &left);
    return NULL;
}

/* Opens the thread's connection: read-write (a checkpoint writes the database file), no create. */
static tz_err open_conn(const char *path, sqlite3 **out)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(db, TRUNCATE_BUSY_MS);
    if (rc != SQLITE_OK) {
        sqlite3_close_v2(db);
        return (rc & 0xff) == SQLITE_NOMEM ? TZ_ENOMEM : TZ_EIO;
    }
    *out = db;
    return TZ_OK;
}

tz_err tz_checkpointer_start(const char *path, pthread_mutex_t *write_mu,
                             const struct tz_checkpointer_config *cfg, struct tz_checkpointer **out)
{
    *out = NULL;
    if (cfg->wake_pages < 1 || cfg->reset_pages < 1 || cfg->tick_ms < 1 || cfg->idle_ns < 0)
        return TZ_EINVAL;
    struct tz_checkpointer *ck = calloc(1, sizeof *ck);
    if (!ck)
        return TZ_ENOMEM;
    ck->cfg = *cfg;
    ck->write_mu = write_mu;
    ck->last_commit_ns = tz_time_mono_ns();
    tz_err err = open_conn(path, &ck->db);
    if (err)
        goto fail_mem;
    err = TZ_ENOMEM;
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        goto fail_db;
    int rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(&ck->cv, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0)
        goto fail_db;
    if (pthread_mutex_init(&ck->mu, NULL) != 0)
        goto fail_cond;
    if (pthread_create(&ck->thread, NULL, checkpointer_main, ck) != 0)
        goto fail_mutex;
    *out = ck;
    return TZ_OK;

fail_mutex:
    pthread_mutex_destroy(&ck->mu);
fail_cond:
    pthread_cond_destroy(&ck->cv);
fail_db:
    sqlite3_close_v2(ck->db);
fail_mem:
    free(ck);
    return err;
}

void tz_checkpointer_stop(struct tz_checkpointer *ck)
{
    if (!ck)
        return;
    pthread_mutex_lock(&ck->mu);
    ck->stopping = true;
    pthread_cond_signal(&ck->cv);
    pthread_mutex_unlock(&ck->mu);
    pthread_join(ck->thread, NULL);
    sqlite3_close_v2(ck->db);
    pthread_cond_destroy(&ck->cv);
    pthread_mutex_destroy(&ck->mu);
    free(ck);
}

void tz_checkpointer_stats(struct tz_checkpointer *ck, struct tz_store_stats *out)
{
    pthread_mutex_lock(&ck->mu);
    out->checkpoints += ck->stats.checkpoints;
    out->frames_checkpointed += ck->stats.frames_checkpointed;
    out->wal_resets += ck->stats.wal_resets;
    if (ck->stats.writer_wait_ns_max > out->writer_wait_ns_max)
        out->writer_wait_ns_max = ck->stats.writer_wait_ns_max;
    if (ck->stats.wal_pages_max > out->wal_pages_max)
        out->wal_pages_max = ck->stats.wal_pages_max;
    pthread_mutex_unlock(&ck->mu);
}
