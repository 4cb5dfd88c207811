/*
 * tztime.h - instants, RFC 3339 text and Polish calendar days.
 *
 * Instants are seconds since the Unix epoch, UTC (int64_t). Deadlines in
 * tarcza are counted in calendar days of Polish local time (Europe/Warsaw):
 * a report received at 10:00 on a Saturday before the spring DST change is
 * due for take-up at 10:00 local time two days later, 47 real hours on.
 *
 * Poland's offsets follow the EU rule (CET +01:00 in winter, CEST +02:00 from
 * 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
 * October). The rule is computed here rather than through localtime(), whose
 * zone is process-global state (the TZ variable) and not safe to switch per
 * call; tarcza must give the same deadline whatever zone the host runs in.
 */
#ifndef TZ_BASE_TZTIME_H
#define TZ_BASE_TZTIME_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Longest text tz_time_format writes, NUL included. */
#define TZ_TIME_TEXT_MAX 32

/* The current instant. */
int64_t tz_time_now(void);
/* A monotonic clock in nanoseconds, for measuring durations. */
int64_t tz_time_mono_ns(void);

/* Writes t as RFC 3339 UTC ("2026-03-28T09:00:00Z") into out. */
void tz_time_format(int64_t t, char out[TZ_TIME_TEXT_MAX]);

/*
 * Parses an RFC 3339 date-time ("2026-03-28T10:00:00Z", "...+01:00",
 * fractional seconds ignored) or a full date ("2026-03-28", read as 00:00
 * Polish local time) of n bytes. TZ_EINVAL for anything else.
 */
tz_err tz_time_parse(const char *s, size_t n, int64_t *out);

/* Polish local offset from UTC, in seconds, at instant t (3600 or 7200). */
int tz_time_pl_offset(int64_t t);

/*
 * The instant `days` calendar days after t at the same Polish wall-clock
 * time. A wall time that does not exist on the target day (the skipped hour
 * in March) moves one hour later; one that exists twice (October) takes the
 * first occurrence.
 */
int64_t tz_time_add_pl_days(int64_t t, int days);

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
int64_t tz_time_days_from_civil(int year, int month, int day);
/* The inverse of tz_time_days_from_civil. */
void tz_time_civil_from_days(int64_t days, int *year, int *month, int *day);

#endif
