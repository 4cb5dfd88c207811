/*
 * geos_util.h - private helpers shared by the .c files of src/geo: a GEOS
 * context that keeps its last error message, and the one writer of GeoJSON
 * geometry text. Not part of the module's promise (that is geo.h).
 */
#ifndef TZ_GEO_GEOS_UTIL_H
#define TZ_GEO_GEOS_UTIL_H

#include <geos_c.h>

#include "base/buf.h"
#include "base/err.h"

/*
 * A GEOS context whose error handler copies the last message into error.
 * The handler keeps a pointer to the struct, so it must not move while the
 * context lives. One context serves one thread at a time.
 */
struct geo_ctx {
    GEOSContextHandle_t h;
    char error[256]; /* last GEOS error message, "" when none */
};

/* Starts a context; TZ_ENOMEM when GEOS cannot. */
tz_err geo_ctx_init(struct geo_ctx *c);
/* Ends the context; safe on one that failed to start. */
void geo_ctx_finish(struct geo_ctx *c);

/* Longest text geo_format_number writes, NUL included. */
#define GEO_NUMBER_MAX 40

/* Writes v in the shortest %g form that strtod reads back as exactly v. */
void geo_format_number(double v, char out[GEO_NUMBER_MAX]);

/*
 * Appends g, a Polygon or MultiPolygon, to out as RFC 7946 GeoJSON geometry
 * text: [lon, lat] positions, each number in the shortest form that reads
 * back to the same double, exterior rings counterclockwise and holes
 * clockwise. TZ_EINVAL for any other geometry type.
 */
tz_err geo_write_geojson(GEOSContextHandle_t h, const GEOSGeometry *g, struct tz_buf *out);

#endif
