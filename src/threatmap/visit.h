/*
 * visit.h - the police view for analysis (part of threatmap.h): visits
 * of the map index's points, one pass over the stored reports, and the audit
 * entry of a read answered outside HTTP. No public rules apply here.
 */
#ifndef TZ_THREATMAP_VISIT_H
#define TZ_THREATMAP_VISIT_H

#include "base/err.h"
#include "store/store.h"
#include "threatmap/mapindex.h"

struct tz_threatmap;

/*
 * Reads the stored reports that pass filter in one pass (tz_store_scan_reports:
 * fn sees each row during the call only; a non-zero return stops the scan).
 */
tz_err tz_threatmap_scan(struct tz_threatmap *tm, const struct tz_scan_filter *filter,
                         tz_err (*fn)(void *ctx, const struct tz_report_row *row), void *ctx);
/* Appends entry to the audit log, its chain fields filled in (a read analysis answers outside HTTP). */
tz_err tz_threatmap_audit(struct tz_threatmap *tm, struct tz_audit_rec *entry);
/* Visits the reports of the map index (see tz_map_index_visit). */
tz_err tz_threatmap_visit(struct tz_threatmap *tm, const struct tz_map_visit *v, tz_map_visit_fn fn,
                          void *ctx);

#endif
