/*
 * geos_util.c - GEOS contexts that remember their errors, and the GeoJSON
 * writer used for every geometry that leaves src/geo.
 *
 * The writer is ours rather than GEOS's GeoJSON writer so that the text is
 * canonical: GEOS keeps rings in whatever orientation they came in (or, after
 * GEOSNormalize, in the JTS order, the opposite of RFC 7946), while the store
 * and the API want the right-hand rule of RFC 7946 section 3.1.6.
 */
#include "geo/geos_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GEOS calls this on an exception; userdata is the struct geo_ctx. */
static void remember_error(const char *message, void *userdata)
{
    struct geo_ctx *c = userdata;
    snprintf(c->error, sizeof c->error, "%s", message ? message : "unknown GEOS error");
}

tz_err geo_ctx_init(struct geo_ctx *c)
{
    c->error[0] = '\0';
    c->h = GEOS_init_r();
    if (!c->h)
        return TZ_ENOMEM;
    GEOSContext_setErrorMessageHandler_r(c->h, remember_error, c);
    return TZ_OK;
}

void geo_ctx_finish(struct geo_ctx *c)
{
    if (c->h)
        GEOS_finish_r(c->h);
    c->h = NULL;
}

void geo_format_number(double v, char out[GEO_NUMBER_MAX])
{
    /* 17 significant digits always round-trip; fewer usually do and read better. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, GEO_NUMBER_MAX, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
}

static tz_err put_number(struct tz_buf *out, double v)
{
    char s[GEO_NUMBER_MAX];
    geo_format_number(v, s);
    return tz_buf_puts(out, s);
}

/* Appends one ring as [[x,y],...], reversed when its orientation is not the wanted one. */
static tz_err put_ring(GEOSContextHandle_t h, const GEOSGeometry *ring, int want_ccw,
                       struct tz_buf *out)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int size = 0;
    char ccw = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &size) || !GEOSCoordSeq_isCCW_r(h, seq, &ccw))
        return TZ_ENOMEM; /* a ring from a valid polygon fails only when GEOS runs out */
    int reverse = (ccw != 0) != (want_ccw != 0);
    tz_err err = tz_buf_puts(out, "[");
    for (unsigned int i = 0; !err && i < size; i++) {
        double x, y;
        if (!GEOSCoordSeq_getXY_r(h, seq, reverse ? size - 1 - i : i, &x, &y))
            return TZ_ENOMEM;
        err = tz_buf_puts(out, i ? ",[" : "[");
        if (!err)
            err = put_number(out, x);
        if (!err)
            err = tz_buf_puts(out, ",");
        if (!err)
            err = put_number(out, y);
        if (!err)
            err = tz_buf_puts(out, "]");
    }
    return err ? err : tz_buf_puts(out, "]");
}

/* Appends one polygon's rings: the shell counterclockwise, the holes clockwise. */
static tz_err put_polygon(GEOSContextHandle_t h, const GEOSGeometry *poly, struct tz_buf *out)
{
    const GEOSGeometry *shell = GEOSGetExteriorRing_r(h, poly);
    int holes = GEOSGetNumInteriorRings_r(h, poly);
    if (!shell || holes < 0)
        return TZ_ENOMEM;
    tz_err err = tz_buf_puts(out, "[");
    if (!err)
        err = put_ring(h, shell, 1, out);
    for (int i = 0; !err && i < holes; i++) {
        const GEOSGeometry *hole = GEOSGetInteriorRingN_r(h, poly, i);
        if (!hole)
            return TZ_ENOMEM;
        err = tz_buf_puts(out, ",");
        if (!err)
            err = put_ring(h, hole, 0, out);
    }
    return err ? err : tz_buf_puts(out, "]");
}

tz_err geo_write_geojson(GEOSContextHandle_t h, const GEOSGeometry *g, struct tz_buf *out)
{
    size_t start = out->len;
    tz_err err;
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        err = tz_buf_puts(out, "{\"type\":\"Polygon\",\"coordinates\":");
        if (!err)
            err = put_polygon(h, g, out);
    } else if (type == GEOS_MULTIPOLYGON) {
        int n = GEOSGetNumGeometries_r(h, g);
        err = n < 0 ? TZ_ENOMEM : tz_buf_puts(out, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
        for (int i = 0; !err && i < n; i++) {
            const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, i);
            err = part ? TZ_OK : TZ_ENOMEM;
            if (!err && i)
                err = tz_buf_puts(out, ",");
            if (!err)
                err = put_polygon(h, part, out);
        }
        if (!err)
            err = tz_buf_puts(out, "]");
    } else {
        return TZ_EINVAL;
    }
    if (!err)
        err = tz_buf_puts(out, "}");
    if (err && out->data) {
        out->len = start; /* all or nothing */
        out->data[start] = '\0';
    }
    return err;
}
