/*
 * merge.h - duplicates (part of threatmap.h): an officer merges a
 * duplicate into its original, both kept, in one transaction with its audit
 * entry; the merges a report is part of.
 */
#ifndef TZ_THREATMAP_MERGE_H
#define TZ_THREATMAP_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct tz_threatmap;

/*
 * Merges the report duplicate into original (an officer's action): both stay,
 * the merge is recorded with actor, time and note, and audit (may be NULL) in
 * one transaction. TZ_EINVAL for a report merged into itself or no actor,
 * TZ_ENOTFOUND for a missing report, TZ_ECONFLICT when duplicate is merged
 * already, original is itself a duplicate or duplicate has duplicates of its
 * own.
 */
tz_err tz_threatmap_merge(struct tz_threatmap *tm, int64_t duplicate, int64_t original,
                          const char *actor, const char *note, int64_t now,
                          const struct tz_audit_rec *audit);
/* The merges report id is part of, as duplicate or original, oldest first (tz_merge_recs_free). */
tz_err tz_threatmap_merges(struct tz_threatmap *tm, int64_t id, struct tz_merge_rec **out,
                           size_t *count);
/* The ids of every merged duplicate, ascending (free() them): analysis counts a threat once. */
tz_err tz_threatmap_merged_duplicates(struct tz_threatmap *tm, int64_t **out, size_t *count);

#endif
