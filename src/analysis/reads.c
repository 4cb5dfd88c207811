/*
 * reads.c - analysis read by an operator outside HTTP (`tarcza stats`), each
 * written to the audit log before it is answered, as a police read over HTTP
 * is (http/api_analysis.c writes those, with the permission check).
 */
#include "analysis/internal.h"

tz_err tz_analysis_stats_read(struct tz_threatmap *tm, const struct tz_stats_query *q, int64_t now,
                              const struct tz_audit_rec *who, struct tz_stats *out,
                              struct tz_field_errors *errs)
{
    tz_err err = tz_analysis_stats(tm, q, now, out, errs);
    struct tz_audit_rec audit = {.at = now,
                                 .actor = who->actor,
                                 .role = who->role,
                                 .client = who->client,
                                 .action = tz_audit_code(TZ_AUDIT_ANALYSIS_READ),
                                 .object = "analysis/stats",
                                 .fields = "{\"endpoint\":\"stats\",\"view\":\"cli\"}",
                                 .outcome = "ok"};
    if (!err)
        err = tz_threatmap_audit(tm, &audit);
    if (err) /* no entry, no data */
        tz_stats_clear(out);
    return err;
}
