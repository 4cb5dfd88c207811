/*
 * catalog.h - the store's catalogue: categories and their groups, police
 * districts, and the institutions a report may be referred to.
 */
#ifndef TZ_STORE_CATALOG_H
#define TZ_STORE_CATALOG_H

#include "store/common.h"

/* A category of threat (DESIGN 1.1): data, not code. */
struct tz_category_rec {
    char code[TZ_CODE_MAX];
    char group[TZ_CODE_MAX];
    char *name_pl;
    char *name_en;
    bool retired; /* takes no new reports */
    bool description_required;
    char visibility[TZ_CODE_MAX]; /* "always", "once_confirmed", "never" */
    int sort_order;
};

/* A group of categories. */
struct tz_group_rec {
    char code[TZ_CODE_MAX];
    char *name_pl;
    char *name_en;
};

/* A police district (rejon dzielnicowego). */
struct tz_district_rec {
    char id[TZ_ID_MAX];
    char *name;
    char *unit;
    char *officer;
    char *geometry; /* GeoJSON geometry object (RFC 7946), as text */
};

void tz_category_recs_free(struct tz_category_rec *recs, size_t count);
void tz_group_recs_free(struct tz_group_rec *recs, size_t count);

void tz_district_recs_free(struct tz_district_rec *recs, size_t count);

/*
 * The operations on the catalogue, declared once (see common.h): X(name, (parameters),
 * (arguments), preconditions).
 */
/* clang-format off */
#define TZ_STORE_CATALOG_OPS(X)                                                                    \
    /* Categories and groups, in their sort order. The caller frees with the _free functions. */   \
    X(categories, (struct tz_store *store, struct tz_category_rec **out, size_t *count),           \
      (store, out, count),                                                                         \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /* The groups of categories, in their sort order. */                                           \
    X(groups, (struct tz_store *store, struct tz_group_rec **out, size_t *count),                  \
      (store, out, count),                                                                         \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /*                                                                                             \
     * Inserts or replaces (by id) every district of the list in one transaction.                  \
     * Reports keep pointing at a replaced district. TZ_EINVAL if a district lacks                 \
     * its name, unit or geometry (the officer may be NULL); then none is stored.                  \
     */                                                                                            \
    X(put_districts, (struct tz_store *store, const struct tz_district_rec *recs, size_t count),   \
      (store, recs, count),                                                                        \
      TZ_PRE_NEED(districts_fit(recs, count)) TZ_PRE_IF(count == 0, TZ_OK))                        \
    /* Every district, ordered by id. */                                                           \
    X(districts, (struct tz_store *store, struct tz_district_rec **out, size_t *count),            \
      (store, out, count),                                                                         \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /* The institutions a report may be referred to (code, Polish and English name). */            \
    X(institutions, (struct tz_store *store, struct tz_group_rec **out, size_t *count),            \
      (store, out, count),                                                                         \
      TZ_PRE_EMPTY(out, count))
/* clang-format on */
TZ_STORE_CATALOG_OPS(TZ_STORE_DECLARE)

#endif
