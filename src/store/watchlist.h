/*
 * watchlist.h - the store's watch-lists for screening (migration 10): the sources a list came
 * from and the persons, travel documents and vehicles on them.
 */
#ifndef TZ_STORE_WATCHLIST_H
#define TZ_STORE_WATCHLIST_H

#include "store/common.h"

#define TZ_WATCH_ID_MAX 64    /* a source's name or a record's id, NUL included */
#define TZ_WATCH_NAME_MAX 256 /* a name as written, NUL included */
#define TZ_WATCH_NAT_MAX 16   /* nationalities as "pl,ru" (four alpha-2 codes), NUL included */
#define TZ_WATCH_KEYS_MAX 256 /* a name's stored match keys (migration 21), NUL included */

/* A person of a watch-list: one row per name (a record's aliases are rows of the same record). */
struct tz_watch_person_rec {
    int64_t id;
    char source[TZ_WATCH_ID_MAX];    /* the list's name */
    char record_id[TZ_WATCH_ID_MAX]; /* as the source gave it */
    char name[TZ_WATCH_NAME_MAX];    /* as written (UTF-8) */
    char birth_date[11];             /* YYYY, YYYY-MM or YYYY-MM-DD; "" when unknown */
    char sex[2];                     /* "m", "f" or "" */
    char nationalities[TZ_WATCH_NAT_MAX];
    char keys[TZ_WATCH_KEYS_MAX]; /* the name's romanisation as screening wrote it; "" none */
};

/* A person row's match keys, filled in after the row was written (rows of before migration 21,
 * or keys of an older version): the row's id and name (the keys go only to the row that still
 * holds that name) and the keys. Strings borrowed. */
struct tz_watch_person_keys {
    int64_t id;
    const char *name;
    const char *keys;
};

/* A travel document of a watch-list (INTERPOL's SLTD holds the like). */
struct tz_watch_doc_rec {
    int64_t id;
    char source[TZ_WATCH_ID_MAX];
    char record_id[TZ_WATCH_ID_MAX];
    char doc_type[24];               /* "passport", "id_card"... (screening's codes) */
    char number[TZ_WATCH_ID_MAX];    /* as the source wrote it */
    char country[4];                 /* issuing state, ISO 3166 alpha-3 */
    char valid_until[11];            /* YYYY-MM-DD or "" */
    char status[12];                 /* "stolen", "lost", "revoked", "invalidated"; "" listed */
};

/* A vehicle of a watch-list (INTERPOL's SMV holds the like): a VIN, a plate, or both. */
struct tz_watch_vehicle_rec {
    int64_t id;
    char source[TZ_WATCH_ID_MAX];
    char record_id[TZ_WATCH_ID_MAX];
    char vin[TZ_WATCH_ID_MAX];
    char plate[TZ_WATCH_ID_MAX];
    char plate_country[4]; /* as written: "PL", "POL", "D"...; "" for none */
    char make[TZ_WATCH_ID_MAX], model[TZ_WATCH_ID_MAX], colour[TZ_WATCH_ID_MAX];
    char status[8]; /* "stolen"; "" listed */
};

/* What one import stores: the list's persons, documents and vehicles (arrays may be empty). */
struct tz_watch_set {
    const struct tz_watch_person_rec *persons;
    size_t npersons;
    const struct tz_watch_doc_rec *docs;
    size_t ndocs;
    const struct tz_watch_vehicle_rec *vehicles;
    size_t nvehicles;
};

/*
 * The operations on watch-lists, declared once (see common.h): X(name, (parameters),
 * (arguments), preconditions).
 */
/* clang-format off */
#define TZ_STORE_WATCHLIST_OPS(X)                                                                  \
    /*                                                                                             \
     * Replaces the persons, documents and vehicles of the list named source (made if new) with    \
     * set's, and appends audit (may be NULL) in the same transaction: either all of it is stored  \
     * or none. format says what the file was ("csv", "json", "ftm"). *source_id is the list's id. \
     * TZ_ECONFLICT when two persons have the same record id and name, or two documents (or two    \
     * vehicles) the same record id.                                                               \
     */                                                                                            \
    X(watchlist_replace, (struct tz_store *store, const char *source, const char *format,         \
       int64_t now, const struct tz_watch_set *set, const struct tz_audit_rec *audit,              \
       int64_t *source_id),                                                                        \
      (store, source, format, now, set, audit, source_id),                                         \
      TZ_PRE_NEED(TZ_PRE_FITS(source, TZ_WATCH_ID_MAX) && source[0] && format && set &&            \
                  (set->persons || set->npersons == 0) && (set->docs || set->ndocs == 0) &&        \
                  (set->vehicles || set->nvehicles == 0) && TZ_PRE_AUDIT(audit))                   \
      TZ_PRE_ZERO(source_id))                                                                      \
    /* Persons with id > after_id, by id, at most limit (1..10000); free with free(). */           \
    X(watchlist_persons, (struct tz_store *store, int64_t after_id, size_t limit,                  \
       struct tz_watch_person_rec **out, size_t *count),                                           \
      (store, after_id, limit, out, count),                                                        \
      TZ_PRE_NEED(limit > 0 && limit <= 10000) TZ_PRE_EMPTY(out, count))                          \
    /* Documents with id > after_id, by id, at most limit (1..10000); free with free(). */         \
    X(watchlist_documents, (struct tz_store *store, int64_t after_id, size_t limit,                \
       struct tz_watch_doc_rec **out, size_t *count),                                              \
      (store, after_id, limit, out, count),                                                        \
      TZ_PRE_NEED(limit > 0 && limit <= 10000) TZ_PRE_EMPTY(out, count))                          \
    /* Vehicles with id > after_id, by id, at most limit (1..10000); free with free(). */          \
    X(watchlist_vehicles, (struct tz_store *store, int64_t after_id, size_t limit,                 \
       struct tz_watch_vehicle_rec **out, size_t *count),                                          \
      (store, after_id, limit, out, count),                                                        \
      TZ_PRE_NEED(limit > 0 && limit <= 10000) TZ_PRE_EMPTY(out, count))                          \
    /*                                                                                             \
     * Sets the match keys of rows[0..n) (a row whose name is no longer the one given is left as  \
     * it is) and appends audit in the same transaction; *updated counts the rows changed.         \
     */                                                                                            \
    X(watchlist_person_keys, (struct tz_store *store, const struct tz_watch_person_keys *rows,     \
       size_t n, const struct tz_audit_rec *audit, size_t *updated),                               \
      (store, rows, n, audit, updated),                                                            \
      TZ_PRE_NEED((rows || n == 0) && TZ_PRE_AUDIT(audit)) TZ_PRE_ZERO(updated))                  \
    /* The version of the lists: raised by every import (0 when none), for an index to follow. */ \
    X(watchlist_version, (struct tz_store *store, int64_t *version),                               \
      (store, version),                                                                            \
      TZ_PRE_ZERO(version))
/* clang-format on */
TZ_STORE_WATCHLIST_OPS(TZ_STORE_DECLARE)

#endif
