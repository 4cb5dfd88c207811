/*
 * internal.h - what the analysis/ files share; not part of the module's
 * promise (that is analysis.h).
 */
#ifndef TZ_ANALYSIS_INTERNAL_H
#define TZ_ANALYSIS_INTERNAL_H

#include "analysis/analysis.h"

/* The Polish calendar day (days since 1970-01-01) of instant t. */
int64_t an_local_day(int64_t t);
/* The instant of 00:00 Polish time on local day d. */
int64_t an_day_start(int64_t d);
/* The category's number in the threat map's list, or -1. */
int an_category(struct tz_threatmap *tm, const char *code);

#endif
