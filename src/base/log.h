/*
 * log.h - where structured log lines go: standard error or a file, one line
 * per call, written whole by one write() under a lock so that lines from many
 * threads never interleave. The caller makes the line (http renders a JSON
 * object through jsonw.h); this module only delivers it.
 */
#ifndef TZ_BASE_LOG_H
#define TZ_BASE_LOG_H

#include <stddef.h>

#include "base/err.h"

struct tz_log;

/* Opens the sink: "-" is standard error, anything else a file opened for appending (created
 * 0600). TZ_EIO when the file cannot be opened. */
tz_err tz_log_open(const char *path, struct tz_log **out);
/* Writes the n bytes of line and a '\n' (line holds none). Errors are dropped: a full disk must
 * not stop the service. Safe with NULL (nothing is written). */
void tz_log_line(struct tz_log *log, const char *line, size_t n);
/* Closes the sink (standard error stays open). Safe with NULL. */
void tz_log_close(struct tz_log *log);

#endif
