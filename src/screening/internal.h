/*
 * internal.h - what the files of src/screening share (private to the module).
 *
 * normalise.c cuts a name into raw parts and romanises each with ICU (translit.c holds the
 * schemes); parts.c applies the rules over parts (particles, patronymics, initials, the
 * name-variant table); phonetic.c makes the keys; match.c scores; index.c finds candidates.
 */
#ifndef TZ_SCREENING_INTERNAL_H
#define TZ_SCREENING_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unicode/utypes.h>

#include "screening/objects.h"
#include "screening/screening.h"
#include "screening/snapshot.h"

/* Raw parts a name may have before particles are taken out. */
#define TZ_SCREEN_RAW_MAX 16

/*
 * Romanises one part (UTF-16, n units) into its distinct Latin forms (a-z only), in the order of
 * the schemes of its script; sets *origin (SAME, FOLDED or TRANSLIT) and *arabic when the part
 * is written in Arabic script. TZ_ENOMEM when ICU cannot allocate, TZ_EINVAL when no letter is
 * left.
 */
tz_err tz_screen_romanise(const UChar *s, int32_t n, struct tz_screen_part *part, bool *arabic);

/* Adds form (NUL-terminated, a-z) to part unless it is there already or part is full. */
void tz_screen_part_add_form(struct tz_screen_part *part, const char *form);

/*
 * Applies the rules over the raw parts (particles, patronymics, initials, Arabic article) and
 * writes the name's parts with their keys; TZ_EINVAL when none or more than TZ_SCREEN_PARTS_MAX
 * remain. arabic[i] says whether raw part i was Arabic script.
 */
tz_err tz_screen_parts_finish(struct tz_screen_part *raw, const bool *arabic, size_t nraw,
                              struct tz_screen_name *out);

/* The name-variant class (its first spelling) of a Latin form, or NULL when the table has none. */
const char *tz_screen_variant_of(const char *form);

/* Similarity of two a-z strings in 0..1 from their Levenshtein distance (1 - d / longer). */
double tz_screen_similarity(const char *a, const char *b);
/* The same when it is at least floor (0..1), else -1: stops as soon as it cannot be. */
double tz_screen_similarity_min(const char *a, const char *b, double floor);
/* The same with the lengths known (strlen(a), strlen(b)). */
double tz_screen_similarity_len(const char *a, size_t la, const char *b, size_t lb, double floor);

/* The key a part is indexed under: its variant class's phonetic key, else its own. */
static inline const char *tz_screen_part_key(const struct tz_screen_part *p)
{
    return p->key;
}

/* The variant class whose spellings have the phonetic key phon, NULL if none or several. */
const char *tz_screen_variant_of_key(const char *phon);

/* ---- documents and vehicles of watch-list files (import_objects.c) ---- */

enum tz_watch_kind { TZ_WATCH_PERSON, TZ_WATCH_DOCUMENT, TZ_WATCH_VEHICLE };

/* A document or vehicle line being read. */
struct tz_watch_obj {
    enum tz_watch_kind kind;
    bool lenient; /* FollowTheMoney: a type that is no code of ours is "other" */
    struct tz_watch_doc_rec doc;
    struct tz_watch_vehicle_rec veh;
    char why[TZ_WATCH_WHY_MAX]; /* the first reason to refuse the line */
};

struct json_t;

/* Sets one field by its name (number, type, country, valid_until, status; vin, plate,
 * plate_country, make, model, colour, status); a value that cannot be read refuses the line.
 * Names of the other kind or unknown are ignored. */
void tz_watch_obj_set(struct tz_watch_obj *o, const char *field, const char *s, size_t n);
/* The members of a JSON object of the kind, by the same names. */
void tz_watch_obj_json(struct tz_watch_obj *o, struct json_t *obj);
/* The properties of a FollowTheMoney Passport, Identification or Vehicle. */
void tz_watch_obj_ftm(struct tz_watch_obj *o, const char *schema, struct json_t *props);
/* Ends a line: refuses it (o->why) unless the index can key it. */
void tz_watch_obj_check(struct tz_watch_obj *o, const char *record_id);

/* An ISO 3166 code of two or three letters (or ICAO's D) as three upper-case letters. */
tz_err tz_watch_country3(const char *s, size_t n, char out[4]);
/* Codes of a document type and status as stored ("passport"; "stolen"... "listed"). */
const char *tz_watch_doc_type_code(enum tz_doc_type t);
const char *tz_watch_doc_status_code(enum tz_doc_status s);
/* A stored document or vehicle as the index takes it (strings borrowed from the row). */
void tz_watch_doc_record(const struct tz_watch_doc_rec *d, const char *source_id,
                         struct tz_doc_record *out);
void tz_watch_vehicle_record(const struct tz_watch_vehicle_rec *v, const char *source_id,
                             struct tz_vehicle_record *out);

/* ---- the service (service*.c) ---- */

#include <pthread.h>

struct tz_exchange;

struct tz_screening {
    struct tz_auth *auth;
    struct tz_exchange *exchange; /* published notices; NULL: none */
    struct tz_screen_config cfg;
    pthread_rwlock_t lock;
    pthread_mutex_t build; /* one build at a time */
    struct tz_screen_index *ix;
    struct tz_objects *objects; /* documents and vehicles */
    int64_t version;            /* of the lists in ix; -1 before the first build */
    uint64_t notices;           /* the exchange's notices version in ix */
    bool offline;               /* indexes read from a snapshot: no store, never refreshed */
};

#define TZ_SCREEN_REASON_MAX 500 /* bytes of a query's reason */

/* A stored person whose match keys are missing or of another version, with the keys made now. */
struct tz_screen_rekey {
    int64_t id;
    char name[TZ_WATCH_NAME_MAX];
    char keys[TZ_WATCH_KEYS_MAX];
};
#define TZ_SCREEN_REKEY_PAGE 5000 /* rows whose keys are written back in one transaction */

/* What a build gathers: persons go into the index as they come, documents and vehicles wait for
 * the objects' index (service_build.c). */
struct tz_screen_gather {
    struct tz_screen_index *ix;
    struct tz_auth *auth; /* set: stored persons without keys get theirs written back */
    struct tz_screen_rekey *rekey;
    size_t nrekey;
    size_t rekeyed; /* rows whose keys were written back */
    struct tz_watch_doc_rec *docs;
    size_t ndocs, cap_docs;
    struct tz_watch_vehicle_rec *vehicles;
    size_t nvehicles, cap_vehicles;
};
/* An empty gather (TZ_ENOMEM); every gather ends with _finish or _clear. */
tz_err tz_screen_gather_init(struct tz_screen_gather *g);
/* Adds one record, named "<source>/<record id>"; a person's name the normaliser refuses is left
 * out. TZ_ENOMEM. */
tz_err tz_screen_gather_person(struct tz_screen_gather *g, const struct tz_watch_person_rec *r);
tz_err tz_screen_gather_doc(struct tz_screen_gather *g, const struct tz_watch_doc_rec *d);
tz_err tz_screen_gather_vehicle(struct tz_screen_gather *g, const struct tz_watch_vehicle_rec *v);
/* Seals the persons' index and builds the objects' (a row it cannot key is left out); clears g
 * whatever happens. TZ_ENOMEM. */
tz_err tz_screen_gather_finish(struct tz_screen_gather *g, struct tz_screen_index **ix,
                               struct tz_objects **objects);
void tz_screen_gather_clear(struct tz_screen_gather *g);

/* Hands v every stored person, document and vehicle, then every published notice's; the
 * first error of v stops the visit and is returned. TZ_EIO. */
tz_err tz_screening_visit(struct tz_screening *s, const struct tz_screen_visitor *v);

/* New indexes of every stored person, document and vehicle and every published notice's
 * (service_build.c). */
tz_err tz_screening_build(struct tz_screening *s, struct tz_screen_index **ix,
                          struct tz_objects **objects);
/* Brings the indexes up to the store's lists and the exchange's notices (service.c). */
tz_err tz_screening_refresh(struct tz_screening *s);
/* Whether s is UTF-8 text without control characters but line feeds. */
bool tz_screening_utf8_ok(const char *s);
/* The reason of a query: required, at most TZ_SCREEN_REASON_MAX bytes of text. */
void tz_screening_check_reason(const char *reason, struct tz_field_errors *errs);
/* A person query's fields into q, each mistake into errs under prefix ("" or "/items/3"). */
void tz_screening_read_person(const struct tz_screen_person_query *in, const char *prefix,
                              struct tz_screen_query *q, struct tz_field_errors *errs);
/* The hits of a read person query (one per record, at most max_hits); the caller holds no lock. */
tz_err tz_screening_find_person(struct tz_screening *s, const struct tz_screen_query *q,
                                struct tz_screen_answer *out);
/* A document or vehicle query read and searched; field errors under prefix (service_objects.c). */
tz_err tz_screening_find_document(struct tz_screening *s, const struct tz_screen_doc_query *q,
                                  const char *prefix, struct tz_field_errors *errs,
                                  struct tz_screen_obj_answer *out);
tz_err tz_screening_find_vehicle(struct tz_screening *s, const struct tz_screen_vehicle_query *q,
                                 const char *prefix, struct tz_field_errors *errs,
                                 struct tz_screen_obj_answer *out);
/* Writes a query's audit entry: object, fields (JSON), the reason as its note, ok or refused. */
tz_err tz_screening_audit(struct tz_screening *s, const struct tz_auth_who *who, const char *object,
                          const char *fields, const char *reason, bool refused);

#endif
