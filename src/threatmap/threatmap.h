/*
 * threatmap.h - the national threat map: reports in, routed to districts,
 * stored durably, moved through the workflow, and shown by the rules of
 * DESIGN 1.1.
 *
 * A tz_threatmap holds what the service keeps in memory: the category
 * catalogue, the districts and their router, and the group-commit writer.
 * It is built once from the store and is safe to use from many threads.
 * Functions take and return C structs and own every rule: what the public
 * may see, the workflow, the deadlines. Wire formats are the HTTP layer's
 * (http/render.h writes these structs, http/query.h reads query strings into
 * them); streaming answers (a page of reports) call a function of the
 * caller's per item instead of building a list.
 *
 * This header opens and closes the threat map and includes one header per
 * feature, each with its structs and verbs.
 */
#ifndef TZ_THREATMAP_THREATMAP_H
#define TZ_THREATMAP_THREATMAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "geo/geo.h"
#include "store/store.h"

/* The threat map's features, one header each. */
#include "threatmap/apikeys.h"  /* Open311 clients' keys */
#include "threatmap/catalog.h"  /* categories, groups, districts */
#include "threatmap/mapindex.h" /* the in-memory index of every report's point */
#include "threatmap/merge.h"    /* duplicates */
#include "threatmap/photos.h"   /* a report's photos: review, who sees them */
#include "threatmap/police.h"   /* transitions, the police read, assignment, queue */
#include "threatmap/query.h"    /* the public list, the map, the export */
#include "threatmap/reports.h"  /* a report filed, its views, me-too */
#include "threatmap/visit.h"    /* the police view for analysis */
#include "threatmap/workflow.h" /* the workflow's table and deadlines */

struct tz_threatmap_config {
    struct tz_workflow_config workflow;
    size_t commit_batch_max; /* reports in one group commit */
    size_t commit_queue_max; /* reports waiting for the writer before 503 */
    /* The map index's snapshot file (DB.mapindex; not owned): read at open when valid, written
     * by tz_threatmap_snapshot. NULL: the index is always built from the database. */
    const char *snapshot_path;
};

/* Defaults: the DESIGN periods, batches of up to 512, a queue of 8192. */
struct tz_threatmap_config tz_threatmap_defaults(void);

struct tz_threatmap;

/* Loads catalogue and districts from store, builds the router, starts the writer. */
tz_err tz_threatmap_open(struct tz_store *store, const struct tz_threatmap_config *cfg,
                         struct tz_threatmap **out);
/* Commits what is queued and frees tm; the store stays open. Safe with NULL. */
void tz_threatmap_close(struct tz_threatmap *tm);

/* What operations watch (/metrics): the map index's size and the group commit's batches. */
struct tz_threatmap_gauges {
    size_t index_reports; /* reports in the map index */
    size_t index_bytes;   /* its memory */
    struct tz_committer_stats commits;
};
void tz_threatmap_gauges(struct tz_threatmap *tm, struct tz_threatmap_gauges *out);
/* Whether this process can write reports now (readiness: tz_store_write_probe's answer). */
tz_err tz_threatmap_writable(struct tz_threatmap *tm);

/*
 * Brings the map index up to date with the reports and status changes stored
 * since the last call, by this process or any other (the command line, a
 * second server on the same database). Cheap when nothing changed.
 */
tz_err tz_threatmap_sync(struct tz_threatmap *tm);
/* Runs tz_threatmap_sync every interval_ms on a thread of its own until close. */
tz_err tz_threatmap_follow(struct tz_threatmap *tm, int interval_ms);

/* What tz_threatmap_snapshot did. */
struct tz_threatmap_snap_info {
    bool if_changed;        /* in: skip the write when the feed has not moved since the last */
    bool skipped;           /* out: skipped for that */
    size_t reports;         /* out: reports in the index written */
    int64_t report_id;      /* out: the change feed's position it reflects */
    int64_t transition_seq; /* out */
    uint64_t bytes;         /* out: the file's size */
    double seconds;         /* out: the time the write took */
};
/*
 * Writes the map index to cfg.snapshot_path atomically (a temporary file,
 * synced, renamed, the folder synced) with the change feed's position it
 * reflects, after a sync. Queries go on meanwhile; updates of the index wait
 * while it is copied into the file. TZ_EINVAL without a snapshot path; TZ_EIO,
 * TZ_ENOSPACE. info may be NULL.
 */
tz_err tz_threatmap_snapshot(struct tz_threatmap *tm, struct tz_threatmap_snap_info *info);
/* Runs tz_threatmap_snapshot every `seconds` (when the feed moved) on a thread until close. */
tz_err tz_threatmap_snapshot_every(struct tz_threatmap *tm, int seconds);

/*
 * Imports districts from a GeoJSON FeatureCollection into store (offline:
 * a running server loads districts at start). All or nothing: problems lists
 * every bad feature and nothing is stored when there is one.
 */
tz_err tz_threatmap_import_districts(struct tz_store *store, const char *json, size_t len,
                                     struct tz_geo_problems *problems);

/*
 * Fills store with demo data: the Kraków demo districts (when the store has
 * none) and `reports` reports clustered around hot spots, with KMZB-like
 * category frequencies, spread over the year before `now` and moved through
 * the workflow. Deterministic for a given seed.
 */
tz_err tz_threatmap_demo(struct tz_store *store, size_t reports, uint64_t seed, int64_t now);

#endif
