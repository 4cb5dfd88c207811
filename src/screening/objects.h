/*
 * objects.h - the in-memory index of watch-listed travel documents and
 * vehicles (INTERPOL's SLTD and SMV hold the like): built once from an array
 * of records, then asked by struct from any number of threads.
 *
 * What it promises:
 *   - exact keys: a document by its normal number (ids.h) and issuing state;
 *     a vehicle by its VIN, or by its normal plate and the plate's country;
 *   - the O/0 and I/1 confusion found too, as a weaker hit that says so and
 *     where (a VIN never holds I, O or Q, so a query's I, O or Q is read as
 *     1, 0 and 0 and the hit is weaker for it); never merged with an exact
 *     hit;
 *   - every hit names the record by its index in the array the index was
 *     built from, and the record's own view (its source id as the source gave
 *     it) can be read back;
 *   - a query costs a few hash probes whatever the size (one table per key,
 *     open addressing), no allocation, and the answer is bounded
 *     (TZ_OBJ_HITS_MAX, the rest counted);
 *   - the memory the index holds is reported (tz_objects_stats).
 *
 * The index is immutable once built: a changed list is a new build (the
 * screening store swaps it in). Records are validated by the rules the index
 * keys by; tz_objects_check_document and tz_objects_check_vehicle apply them
 * to one record, so an import can refuse a line before it builds.
 */
#ifndef TZ_SCREENING_OBJECTS_H
#define TZ_SCREENING_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "screening/ids.h"

enum tz_doc_type {
    TZ_DOC_PASSPORT,
    TZ_DOC_ID_CARD,
    TZ_DOC_VISA,
    TZ_DOC_RESIDENCE_PERMIT,
    TZ_DOC_DRIVING_LICENCE,
    TZ_DOC_VEHICLE_REGISTRATION,
    TZ_DOC_OTHER,
    TZ_DOC_TYPE_COUNT
};

enum tz_doc_status {
    TZ_DOC_STOLEN,
    TZ_DOC_LOST,
    TZ_DOC_REVOKED,
    TZ_DOC_INVALIDATED,
    TZ_DOC_LISTED, /* on a list (a notice, sanctions) without a report of loss or theft */
    TZ_DOC_STATUS_COUNT
};

enum tz_vehicle_status {
    TZ_VEHICLE_STOLEN,
    TZ_VEHICLE_LISTED, /* on a list (a notice, sanctions) without a report of theft */
    TZ_VEHICLE_STATUS_COUNT
};

/* A date as days since 1970-01-01; this value for none. */
#define TZ_OBJ_NO_DATE INT32_MIN
#define TZ_OBJ_SOURCE_MAX 128 /* bytes of a source id */
#define TZ_OBJ_TEXT_MAX 64    /* bytes of a make, model or colour */

/*
 * A watch-listed document. As input: strings NUL-terminated, the number as
 * the source wrote it. As a view (tz_objects_document): the number normal,
 * the country of 3 letters, strings owned by the index.
 */
struct tz_doc_record {
    enum tz_doc_type type;
    const char *number;
    const char *country; /* issuing state: 3 letters, or ICAO's "D" */
    int32_t valid_from;  /* days since 1970-01-01, or TZ_OBJ_NO_DATE */
    int32_t valid_until;
    enum tz_doc_status status;
    const char *source_id; /* the record's id as its source gave it (not empty) */
};

/* A watch-listed vehicle: a VIN, a plate, or both (NULL or "" for none). */
struct tz_vehicle_record {
    const char *vin;
    const char *plate;
    const char *plate_country; /* as tz_plate_country_parse reads it; NULL or "" = generic */
    const char *make, *model, *colour; /* NULL or "" when unknown */
    enum tz_vehicle_status status;
    const char *source_id;
};

struct tz_objects;

/* Which record could not be keyed, and why (tz_objects_build). */
struct tz_objects_refusal {
    bool vehicle; /* in the vehicles' array, else the documents' */
    size_t index;
    const char *field; /* "number", "country", "vin", "plate", "source_id", ... */
    tz_err err;        /* TZ_EINVAL or TZ_ETOOBIG */
};

/* Whether a document can be indexed: TZ_OK, or the error and *field (a static name). */
tz_err tz_objects_check_document(const struct tz_doc_record *r, const char **field);
/* The same for a vehicle. A VIN whose check digit is wrong is indexed (the list keeps what is
 * stamped on the car); one of the wrong length or alphabet is not. */
tz_err tz_objects_check_vehicle(const struct tz_vehicle_record *r, const char **field);

/*
 * Builds the index from the records (neither array is kept; either may be
 * empty). On TZ_EINVAL or TZ_ETOOBIG *refused (if not NULL) names the first
 * record that could not be keyed and nothing is built; TZ_ENOMEM when memory
 * runs out; TZ_ETOOBIG also when the records pass 2^32 - 2 or their text
 * 4 GiB. The caller frees *out with tz_objects_free.
 */
tz_err tz_objects_build(const struct tz_doc_record *docs, size_t ndocs,
                        const struct tz_vehicle_record *vehicles, size_t nvehicles,
                        struct tz_objects **out, struct tz_objects_refusal *refused);

/* Releases the index (NULL is fine). */
void tz_objects_free(struct tz_objects *ix);

/* A document query: the number as typed, the issuing state or none (any state). */
struct tz_doc_query {
    const char *number;
    size_t number_len;
    const char *country; /* NULL or empty: any */
    size_t country_len;
};

/* A vehicle query: a VIN, a plate, or both (each hit says which key found it). */
struct tz_vehicle_query {
    const char *vin;
    size_t vin_len;
    const char *plate;
    size_t plate_len;
    const char *plate_country; /* NULL or empty: any country, the plate read by the generic rule */
    size_t plate_country_len;
};

enum tz_obj_key { TZ_OBJ_KEY_NUMBER, TZ_OBJ_KEY_VIN, TZ_OBJ_KEY_PLATE };

/* One hit: which record, by which key, how strongly. */
struct tz_obj_hit {
    uint32_t record; /* index in the array given to tz_objects_build */
    enum tz_obj_key key;
    enum tz_id_match match; /* TZ_ID_SAME, or TZ_ID_CONFUSABLE: a weaker hit */
    uint32_t confused_at; /* CONFUSABLE: a bit per position (0-based, first 32) read as its twin */
    unsigned confused;    /* CONFUSABLE: how many positions */
    bool country_checked; /* the query named a country and the record's is the same */
};

#define TZ_OBJ_HITS_MAX 32

/* The answer: exact hits first, then the weaker ones (fewer confused positions first). */
struct tz_obj_hits {
    size_t count;   /* hits kept */
    size_t dropped; /* hits past TZ_OBJ_HITS_MAX, counted, not kept */
    struct tz_obj_hit hit[TZ_OBJ_HITS_MAX];
};

/*
 * Finds the documents with the query's number (and state). TZ_OK with zero or
 * more hits; TZ_EINVAL when the number (or the state) cannot be read, with
 * *field set to "number" or "country" if field is not NULL.
 */
tz_err tz_objects_find_documents(const struct tz_objects *ix, const struct tz_doc_query *q,
                                 struct tz_obj_hits *hits, const char **field);

/* Finds the vehicles with the query's VIN and/or plate; TZ_EINVAL as above ("vin", "plate"),
 * also when the query has neither. A VIN's check digit does not stop the search. */
tz_err tz_objects_find_vehicles(const struct tz_objects *ix, const struct tz_vehicle_query *q,
                                struct tz_obj_hits *hits, const char **field);

/* The view of document i (i < the count built); strings owned by the index. */
void tz_objects_document(const struct tz_objects *ix, uint32_t i, struct tz_doc_record *out);
/* The view of vehicle i; the plate and VIN normal, the plate country as its code ("" generic). */
void tz_objects_vehicle(const struct tz_objects *ix, uint32_t i, struct tz_vehicle_record *out);

/*
 * Writes an English sentence saying why the hit is one, for a person to read
 * ("number EA1234567 (POL): same", "plate WO1I0O (PL): same once O and 0, I
 * and 1 are taken as one, at positions 2, 4"); returns the length it needed,
 * as snprintf does.
 */
size_t tz_objects_explain(const struct tz_objects *ix, const struct tz_obj_hit *hit, char *buf,
                          size_t n);

struct tz_objects_stats {
    size_t documents, vehicles;
    size_t bytes;      /* every byte the index holds: records, text, hash tables */
    size_t text_bytes; /* of which text (numbers, VINs, plates, ids; makes, models, colours once) */
};

void tz_objects_stats(const struct tz_objects *ix, struct tz_objects_stats *out);

/* English names ("passport", "stolen"...); never NULL. */
const char *tz_doc_type_name(enum tz_doc_type t);
const char *tz_doc_status_name(enum tz_doc_status s);
const char *tz_vehicle_status_name(enum tz_vehicle_status s);

#endif
