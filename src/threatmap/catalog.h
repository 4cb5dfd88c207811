/*
 * catalog.h - the catalogue and the districts as the threat map loaded them
 * (part of threatmap.h): categories, groups and districts by code, by
 * position and as lists, and the district that holds a point. Read-only while
 * the threat map is open.
 */
#ifndef TZ_THREATMAP_CATALOG_H
#define TZ_THREATMAP_CATALOG_H

#include <stddef.h>

#include "base/err.h"
#include "store/store.h"

struct tz_threatmap;

/* The category with this code, or NULL. */
const struct tz_category_rec *tz_threatmap_category(const struct tz_threatmap *tm,
                                                    const char *code);
/* The district with this id, or NULL. */
const struct tz_district_rec *tz_threatmap_district(const struct tz_threatmap *tm, const char *id);
/* Number of districts loaded. */
size_t tz_threatmap_district_count(const struct tz_threatmap *tm);
/* The i-th district in id order (i below tz_threatmap_district_count), for walking them all. */
const struct tz_district_rec *tz_threatmap_district_at(const struct tz_threatmap *tm, size_t i);

/* The groups of categories in sort order (0 .. count - 1). */
size_t tz_threatmap_group_count(const struct tz_threatmap *tm);
const struct tz_group_rec *tz_threatmap_group_at(const struct tz_threatmap *tm, size_t i);

/* The catalogue by position (0 .. count - 1, in sort order) and a group by its code (or NULL). */
size_t tz_threatmap_category_count(const struct tz_threatmap *tm);
const struct tz_category_rec *tz_threatmap_category_at(const struct tz_threatmap *tm, size_t i);
const struct tz_group_rec *tz_threatmap_group(const struct tz_threatmap *tm, const char *code);

/* The categories in the map index's numbering (category i of a tz_map_point); *count of them. */
const struct tz_category_rec *tz_threatmap_category_list(const struct tz_threatmap *tm,
                                                         size_t *count);
/* The districts, ordered by id; *count of them. */
const struct tz_district_rec *tz_threatmap_district_list(const struct tz_threatmap *tm,
                                                         size_t *count);
/* The district holding (lat, lon), as an index into tz_threatmap_district_list; TZ_EOUTSIDE. */
tz_err tz_threatmap_locate(struct tz_threatmap *tm, double lat, double lon, size_t *index);

#endif
