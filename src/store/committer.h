/*
 * committer.h - group commit: many concurrent inserts share one transaction
 * and one fsync.
 *
 * Request threads submit reports; one writer thread takes whatever has queued
 * up, inserts it with tz_store_insert_reports() in a single transaction, and
 * then tells every submitter the outcome. Under load a batch grows to match
 * the arrival rate, so throughput is bounded by batch size / fsync time, not
 * by one fsync per report. A report is acknowledged only after its batch has
 * committed.
 *
 * A batch is one transaction, all or nothing; so that one invalid report
 * cannot fail the reports that happened to share its batch, a batch that
 * fails with TZ_EINVAL (or TZ_ECONFLICT: an idempotency key already taken) is
 * retried one report at a time, and only the invalid one is told. Other errors (TZ_EIO, TZ_ENOSPACE...) go to the
 * whole batch.
 */
#ifndef TZ_STORE_COMMITTER_H
#define TZ_STORE_COMMITTER_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct tz_committer;

/* Called on the writer thread once the report's batch committed (err 0, rec->id set) or failed. */
typedef void (*tz_commit_done_fn)(void *ctx, tz_err err);

/*
 * Starts the writer thread. max_batch bounds one transaction; queue_max bounds
 * waiting reports (both at least 1). The store must outlive the committer.
 */
tz_err tz_committer_start(struct tz_store *store, size_t max_batch, size_t queue_max,
                          struct tz_committer **out);
/*
 * Queues rec for insertion; the caller keeps owning rec and must keep it alive
 * until done() has been called. TZ_EBUSY when the queue is full, TZ_ECLOSED
 * after stop. done() runs on the writer thread and must not block.
 */
tz_err tz_committer_submit(struct tz_committer *c, struct tz_report_rec *rec,
                           tz_commit_done_fn done, void *ctx);
/* Submits and waits for the outcome (TZ_EBUSY and TZ_ECLOSED come back at once). */
tz_err tz_committer_insert(struct tz_committer *c, struct tz_report_rec *rec);
/* Batch sizes committed so far (for /metrics): batches of at most 1, 2, 4, ... 512 reports, and
 * the last bucket every batch; the buckets are cumulative, as Prometheus counts them. */
#define TZ_COMMITTER_BUCKETS 11
struct tz_committer_stats {
    uint64_t batches_le[TZ_COMMITTER_BUCKETS]; /* batches of at most 2^i reports (last: all) */
    uint64_t batches;                          /* batches committed or failed */
    uint64_t reports;                          /* reports in them */
    uint64_t queued;                           /* reports waiting now */
};
/* Reads c's counters (all 0 for NULL). */
void tz_committer_stats(struct tz_committer *c, struct tz_committer_stats *out);
/* Commits what is queued, then stops the thread and frees c. Safe with NULL. */
void tz_committer_stop(struct tz_committer *c);

#endif
