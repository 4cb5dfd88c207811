/*
 * snapshot.c - the map index's snapshot beside the database (DB.mapindex), so
 * that a server starts in seconds at ten million reports instead of scanning
 * every report and building the index (docs/operations.md, "Start-up").
 *
 * Written: at a clean stop (serve), every snapshot_every_s seconds by a thread
 * of its own when the change feed moved, and by `tarcza index snapshot`. A
 * write brings the index up to the feed (tz_threatmap_sync), notes the feed's
 * position, and writes the index (mapindex_snap.c) to DB.mapindex.PID.tmp, which
 * is synced, renamed over DB.mapindex, and the folder synced: a crash leaves
 * the old file or the new one, never half of one.
 *
 * Read at start (tm_map_load): a file that mapindex_snap.c takes (version,
 * length, checksum, consistency) must also belong here: its context (the
 * schema version, the category codes in the index's order and the public view
 * the index keeps a copy of) must be this process's, and its owner mark must be this
 * database's: a digest of the report at the feed's report position and of
 * the status change at its change position, which another database, or this
 * one restored from an older backup, does not have (a database keeps every
 * report and every change; nothing deletes them). The feed after the
 * position is then replayed (tz_threatmap_sync) before the server serves.
 * Anything else is refused with a line on stderr and the index is built from
 * the database as without a snapshot: a snapshot may make a start faster,
 * never a map wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/tztime.h"
#include "threatmap/internal.h"

struct tm_snapshotter {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stopping;
    int every_s;
};

/* The context mark: the schema version, and what the index's category numbers and its copy of
 * the public view mean. */
static void context_mark(struct tz_threatmap *tm, uint8_t out[32])
{
    struct tz_map_usual usual;
    tm_public_view(tm, &usual);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)"tarcza map context 1", 20);
    /* A migration may change what reports hold: a snapshot is of one schema version. */
    int32_t schema = tz_store_schema_version(tm->store);
    crypto_generichash_update(&st, (const uint8_t *)&schema, sizeof schema);
    for (size_t i = 0; i < tm->category_count && i < TZ_MAP_MAX_CATEGORIES; i++)
        crypto_generichash_update(&st, (const uint8_t *)tm->categories[i].code,
                                  strlen(tm->categories[i].code) + 1);
    crypto_generichash_update(&st, usual.status_mask, sizeof usual.status_mask);
    for (int s = 0; s < TZ_MAP_STATUSES; s++) {
        int64_t w = usual.shown_for[s];
        crypto_generichash_update(&st, (const uint8_t *)&w, sizeof w);
    }
    crypto_generichash_final(&st, out, 32);
}

/*
 * The owner mark of the feed position (report_id, seq) in this database: a digest of the report
 * and the status change there. TZ_ENOTFOUND when the database has no such report or change.
 */
static tz_err owner_mark(struct tz_threatmap *tm, int64_t report_id, int64_t seq, uint8_t out[32])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const uint8_t *)"tarcza map owner 1", 18);
    int64_t at[2] = {report_id, seq};
    crypto_generichash_update(&st, (const uint8_t *)at, sizeof at);
    tz_err err = TZ_OK;
    if (report_id > 0) {
        struct tz_report_rec rec = {0};
        err = tz_store_get_report(tm->store, report_id, &rec);
        if (!err) {
            int64_t v[2] = {rec.id, rec.received_at};
            double ll[2] = {rec.lat, rec.lon};
            crypto_generichash_update(&st, (const uint8_t *)v, sizeof v);
            crypto_generichash_update(&st, (const uint8_t *)ll, sizeof ll);
            crypto_generichash_update(&st, (const uint8_t *)rec.category, strlen(rec.category));
            crypto_generichash_update(&st, rec.token_hash, sizeof rec.token_hash);
        }
        tz_report_rec_clear(&rec);
    }
    if (!err && seq > 0) {
        struct tz_transition_rec *tr = NULL;
        size_t n = 0;
        err = tz_store_transitions_after(tm->store, seq - 1, 1, &tr, &n);
        if (!err && (n != 1 || tr[0].seq != seq))
            err = TZ_ENOTFOUND;
        if (!err) {
            int64_t v[3] = {tr[0].seq, tr[0].report_id, tr[0].at};
            crypto_generichash_update(&st, (const uint8_t *)v, sizeof v);
            crypto_generichash_update(&st, (const uint8_t *)tr[0].to, strlen(tr[0].to));
        }
        tz_transition_recs_free(tr, n);
    }
    crypto_generichash_final(&st, out, 32);
    return err;
}

static tz_err sync_dir(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    int len = slash ? snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path)
                    : snprintf(dir, sizeof dir, ".");
    if (len <= 0 || (size_t)len >= sizeof dir)
        return slash == path ? TZ_OK : TZ_EIO; /* "/file": the root */
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return TZ_EIO;
    tz_err err = fsync(fd) == 0 ? TZ_OK : TZ_EIO;
    close(fd);
    return err;
}

/* Writes the index as of the feed position (rid, seq) to path, atomically. */
static tz_err write_file(struct tz_threatmap *tm, const char *path,
                         const struct tz_map_snap_meta *meta)
{
    char tmp[PATH_MAX];
    /* Named for this process: two servers on one database must not write into one file. */
    if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp)
        return TZ_ETOOBIG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno == ENOSPC ? TZ_ENOSPACE : TZ_EIO;
    tz_err err = tz_map_index_save(tm->map, meta, fd);
    if (!err && fsync(fd) != 0)
        err = errno == ENOSPC ? TZ_ENOSPACE : TZ_EIO;
    if (close(fd) != 0 && !err)
        err = TZ_EIO;
    if (!err && rename(tmp, path) != 0)
        err = TZ_EIO;
    if (!err)
        err = sync_dir(path);
    if (err)
        unlink(tmp);
    return err;
}

tz_err tz_threatmap_snapshot(struct tz_threatmap *tm, struct tz_threatmap_snap_info *info)
{
    const char *path = tm->cfg.snapshot_path;
    if (!path)
        return TZ_EINVAL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* The index holds at least what the feed holds up to the position read after this sync
     * (later changes in it are replayed again at the next start, which is harmless). */
    tz_err err = tz_threatmap_sync(tm);
    if (err)
        return err;
    struct tz_map_snap_meta meta = {.written_at = tz_time_now()};
    pthread_mutex_lock(&tm->sync_mu);
    meta.report_id = tm->sync_report_id;
    meta.transition_seq = tm->sync_transition_seq;
    pthread_mutex_unlock(&tm->sync_mu);
    size_t reports = tz_map_index_size(tm->map);
    pthread_mutex_lock(&tm->snap_mu);
    if (info && info->if_changed && tm->snap_written && tm->snap_report_id == meta.report_id &&
        tm->snap_seq == meta.transition_seq && tm->snap_reports == reports) {
        pthread_mutex_unlock(&tm->snap_mu);
        info->skipped = true;
        return TZ_OK; /* nothing new since the last one */
    }
    context_mark(tm, meta.context);
    err = owner_mark(tm, meta.report_id, meta.transition_seq, meta.owner);
    if (!err)
        err = write_file(tm, path, &meta);
    if (!err) {
        tm->snap_written = true;
        tm->snap_report_id = meta.report_id;
        tm->snap_seq = meta.transition_seq;
        tm->snap_reports = reports;
    }
    pthread_mutex_unlock(&tm->snap_mu);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (info && !err) {
        struct stat sb;
        info->reports = reports;
        info->report_id = meta.report_id;
        info->transition_seq = meta.transition_seq;
        info->bytes = stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
        info->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    }
    return err;
}

/* Reads the snapshot, checks it belongs here, and replays the feed after it: TZ_OK with tm->map
 * set, or an error with tm->map NULL (the caller builds from the database). */
static tz_err try_load(struct tz_threatmap *tm, const char *path, char *why, size_t why_size)
{
    struct tz_map_snap_meta meta;
    struct tz_map_index *idx = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, why_size, "%s", errno == ENOENT ? "none yet" : strerror(errno));
        return errno == ENOENT ? TZ_ENOTFOUND : TZ_EIO;
    }
    tz_err err = tz_map_index_load(fd, &meta, &idx, why, why_size);
    close(fd);
    if (err) {
        if (err != TZ_EINVAL)
            snprintf(why, why_size, "%s", tz_err_str(err));
        return err;
    }
    uint8_t mark[32];
    context_mark(tm, mark);
    if (memcmp(mark, meta.context, 32) != 0) {
        snprintf(why, why_size, "written with other categories or public rules");
        err = TZ_ECONFLICT;
    }
    if (!err && (meta.report_id < 0 || meta.transition_seq < 0 ||
                 owner_mark(tm, meta.report_id, meta.transition_seq, mark) != TZ_OK ||
                 memcmp(mark, meta.owner, 32) != 0)) {
        snprintf(why, why_size,
                 "of another database (or of a later state of this one): its report %lld or "
                 "change %lld is not this database's",
                 (long long)meta.report_id, (long long)meta.transition_seq);
        err = TZ_ECONFLICT;
    }
    if (err) {
        tz_map_index_free(idx);
        return err;
    }
    tm->map = idx;
    tm->sync_report_id = meta.report_id;
    tm->sync_transition_seq = meta.transition_seq;
    return TZ_OK;
}

tz_err tm_snap_load(struct tz_threatmap *tm)
{
    const char *path = tm->cfg.snapshot_path;
    char why[256] = "";
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tz_err err = try_load(tm, path, why, sizeof why);
    if (err) {
        if (err != TZ_ENOTFOUND)
            fprintf(stderr,
                    "tarcza: map snapshot %s refused: %s; building the index from the "
                    "database\n",
                    path, why);
        return err;
    }
    int64_t rid = tm->sync_report_id, seq = tm->sync_transition_seq;
    size_t before = tz_map_index_size(tm->map);
    err = tz_threatmap_sync(tm);
    if (err) {
        fprintf(stderr,
                "tarcza: map snapshot %s: replaying the change feed: %s; building the "
                "index from the database\n",
                path, tz_err_str(err));
        tz_map_index_free(tm->map);
        tm->map = NULL;
        tm->sync_report_id = tm->sync_transition_seq = 0;
        return err;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr,
            "tarcza: map index from the snapshot %s: %zu reports at report %lld and change %lld, "
            "then %zu reports and %lld changes replayed (%.2f s)\n",
            path, before, (long long)rid, (long long)seq, tz_map_index_size(tm->map) - before,
            (long long)(tm->sync_transition_seq - seq),
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return TZ_OK;
}

/* ---- the periodic writer ------------------------------------------------ */

static void *snap_main(void *arg)
{
    struct tz_threatmap *tm = arg;
    struct tm_snapshotter *w = tm->snapshotter;
    tz_err last = TZ_OK;
    pthread_mutex_lock(&w->mu);
    while (!w->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += w->every_s;
        while (!w->stopping && pthread_cond_timedwait(&w->wake, &w->mu, &until) != ETIMEDOUT)
            ;
        if (w->stopping)
            break;
        pthread_mutex_unlock(&w->mu);
        struct tz_threatmap_snap_info info = {.if_changed = true};
        tz_err err = tz_threatmap_snapshot(tm, &info);
        if (err && err != last)
            fprintf(stderr, "tarcza: map snapshot %s: %s\n", tm->cfg.snapshot_path,
                    tz_err_str(err));
        last = err;
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

tz_err tz_threatmap_snapshot_every(struct tz_threatmap *tm, int seconds)
{
    if (!tm || seconds < 1 || tm->snapshotter || !tm->cfg.snapshot_path)
        return TZ_EINVAL;
    struct tm_snapshotter *w = calloc(1, sizeof *w);
    if (!w)
        return TZ_ENOMEM;
    w->every_s = seconds;
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    tm->snapshotter = w;
    if (pthread_create(&w->thread, NULL, snap_main, tm) != 0) {
        tm->snapshotter = NULL;
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return TZ_ENOMEM;
    }
    return TZ_OK;
}

void tm_snap_stop(struct tz_threatmap *tm)
{
    struct tm_snapshotter *w = tm->snapshotter;
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->mu);
    free(w);
    tm->snapshotter = NULL;
}
