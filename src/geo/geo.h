/*
 * geo.h - district geometry: GeoJSON import with validation, routing a point
 * to the district that contains it, and the demo districts.
 *
 * Geometry travels as GeoJSON geometry text (RFC 7946, [lon, lat], WGS 84),
 * the same text the store keeps and the API serves.
 */
#ifndef TZ_GEO_GEO_H
#define TZ_GEO_GEO_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* One district read from a GeoJSON Feature. Every string is owned and NUL-terminated. */
struct tz_geo_district {
    char *id; /* the Feature's "id" member, or its "id" property; <= 63 bytes */
    char *name;
    char *unit;     /* the police unit (komisariat) */
    char *officer;  /* the district officer (dzielnicowy) */
    char *geometry; /* normalised GeoJSON geometry: Polygon or MultiPolygon */
};

struct tz_geo_districts {
    struct tz_geo_district *items;
    size_t count;
};

/* Why one feature (or the whole document) was refused. */
struct tz_geo_problem {
    size_t index;  /* position of the feature in the collection, or TZ_GEO_DOCUMENT */
    char *id;      /* its id, or NULL when it has none */
    char *message; /* English, one sentence */
};

struct tz_geo_problems {
    struct tz_geo_problem *items;
    size_t count;
};

/* The index of a problem with the document as a whole (not JSON, not a FeatureCollection...). */
#define TZ_GEO_DOCUMENT SIZE_MAX

/* Largest GeoJSON document tz_geo_parse_districts accepts. */
#define TZ_GEO_MAX_DOCUMENT (64u * 1024 * 1024)

/*
 * Parses a GeoJSON FeatureCollection of districts (len bytes of json).
 * Each Feature needs an id, the string properties name, unit and officer,
 * and a valid Polygon or MultiPolygon geometry; ids are unique and no two
 * districts overlap (sharing a border is fine). On success fills out.
 * Otherwise returns TZ_EINVAL, leaves out empty and lists in problems every
 * feature that is wrong, with its id (TZ_ETOOBIG when len passes the maximum).
 * Problems are sorted by feature; one about the whole document has index
 * TZ_GEO_DOCUMENT. Each geometry in out is normalised: RFC 7946 ring order
 * (exterior counterclockwise, holes clockwise), shortest round-trip numbers.
 * "Overlap" means a shared area above 1e-9 of the smaller district, so float
 * noise along a shared border passes. problems may be NULL. TZ_ENOMEM leaves
 * both empty. The caller frees both with the _free functions.
 */
tz_err tz_geo_parse_districts(const char *json, size_t len, struct tz_geo_districts *out,
                              struct tz_geo_problems *problems);
/* Frees what a parse (or tz_geo_demo_districts) filled in; d is empty and reusable after. */
void tz_geo_districts_free(struct tz_geo_districts *d);
/* Frees the problems of a parse; p is empty after. */
void tz_geo_problems_free(struct tz_geo_problems *p);

/*
 * Routing: which district contains a point. Built once from the districts'
 * geometries (GEOS prepared geometries in an STRtree); tz_router_locate is
 * safe to call from many threads at once and costs microseconds. A router
 * keeps up to one private copy of the GEOS structures per online CPU, so that
 * threads do not queue on one lock; tz_router_free must not overlap a locate.
 */
struct tz_router;

/*
 * Builds a router over count GeoJSON geometries; index i in results means
 * geometries[i]. TZ_EINVAL unless each is a non-empty Polygon or MultiPolygon
 * (validity is the importer's job). Zero districts is a router that finds none.
 */
tz_err tz_router_build(const char *const *geometries, size_t count, struct tz_router **out);
/*
 * Finds the district whose polygon covers (lat, lon). A point on a border
 * shared by several districts goes to the one with the lowest index.
 * TZ_EOUTSIDE when no district covers it; TZ_EINVAL for non-finite input.
 */
tz_err tz_router_locate(struct tz_router *router, double lat, double lon, size_t *index);
/* Number of districts in the router. */
size_t tz_router_count(const struct tz_router *router);
/* Frees the router; NULL is fine. */
void tz_router_free(struct tz_router *router);

/*
 * Demo districts: about 40 districts (Voronoi cells clipped to an outline of
 * Kraków) with real neighbourhood names, assigned to the city's police units
 * (Komisariat Policji I-VII w Krakowie) and to fictional officers. The same
 * on every call: ids KRK-01..., geometry normalised as the importer writes it.
 */
tz_err tz_geo_demo_districts(struct tz_geo_districts *out);

#endif
