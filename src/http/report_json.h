/*
 * report_json.h - the JSON body of POST /api/v1/reports, read into the threat
 * map's struct tz_report_input and prepared by tz_threatmap_prepare. The
 * body's shape (a JSON object, a number where a number belongs, no unknown
 * members) is checked here; every rule about the report is the threat map's.
 */
#ifndef TZ_HTTP_REPORT_JSON_H
#define TZ_HTTP_REPORT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/fielderr.h"
#include "threatmap/threatmap.h"

/*
 * Reads a report body (len bytes of JSON) sent at `now` from client_addr and
 * prepares sub (tz_threatmap_prepare). TZ_EMALFORMED when the body is not a
 * JSON object (invalid UTF-8, duplicate keys and NUL included), TZ_EINVAL
 * when fields are wrong (each listed in errs, unknown members too),
 * TZ_ETOOBIG over TZ_REPORT_BODY_MAX, TZ_ENOMEM. Nothing is stored.
 */
tz_err tz_http_report_prepare(struct tz_threatmap *tm, const char *body, size_t len,
                              const char *client_addr, int64_t now, struct tz_submission *sub,
                              struct tz_field_errors *errs);

#endif
