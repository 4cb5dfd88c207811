/*
 * screening.h - persons against watch-lists, across scripts (issue 15).
 *
 * What this module promises:
 *  - tz_screen_normalise turns a name as written (UTF-8, any script) into name parts, each with
 *    its Latin forms (every romanisation scheme that differs: ISO 9, BGN/PCGN, passport practice,
 *    an Arabic name-variant reading, the German ae/oe/ue spelling), the name-variant class it
 *    belongs to (Oleksandr/Aleksandr, Muhammad/Mohammed/Mohamed...) and a phonetic key;
 *  - tz_screen_index holds person records in memory (about 200 bytes each) and gives candidates
 *    for a query from its phonetic keys; tz_screen_score scores one candidate exactly and explains
 *    the score part by part (which query part matched which record part and how, and how date of
 *    birth, nationality and sex moved it); tz_screen_search does both and keeps the hits above
 *    the threshold, best first;
 *  - the thresholds and weights are configuration (struct tz_screen_config).
 * Knows no wire format and no store; the watch-list store and its audit are the service's (below).
 */
#ifndef TZ_SCREENING_SCREENING_H
#define TZ_SCREENING_SCREENING_H

#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/err.h"
#include "base/fielderr.h"
#include "screening/ids.h"
#include "screening/objects.h"
#include "store/store.h"

#define TZ_SCREEN_NAME_MAX 256 /* bytes of a name as written, longer is refused */
#define TZ_SCREEN_PARTS_MAX 8  /* name parts kept; more are refused */
#define TZ_SCREEN_FORMS_MAX 6  /* Latin forms kept per part */
#define TZ_SCREEN_KEY_MAX 40   /* bytes of one Latin form or key, NUL included */
#define TZ_SCREEN_PHON_MAX 16  /* bytes of a phonetic key, NUL included */

/* How a part came to its Latin forms, and how a query part met a record part. */
enum tz_screen_how {
    TZ_SCREEN_SAME,         /* the same letters */
    TZ_SCREEN_FOLDED,       /* the same after folding diacritics and special letters */
    TZ_SCREEN_TRANSLIT,     /* the same after transliteration from another script */
    TZ_SCREEN_VARIANT,      /* two spellings of one name (the name-variant table) */
    TZ_SCREEN_PHONETIC,     /* the same phonetic key */
    TZ_SCREEN_EDIT,         /* close in edit distance */
    TZ_SCREEN_INITIAL,      /* an initial and a name that starts with it */
    TZ_SCREEN_HOW_COUNT
};

/* The code of a how ("same", "folded", "transliterated", ...); never NULL. */
const char *tz_screen_how_code(enum tz_screen_how how);

/* What a part is in its name. */
enum tz_screen_role {
    TZ_SCREEN_PART_NAME,       /* a given or family name */
    TZ_SCREEN_PART_PATRONYMIC, /* -ovich, -ovna, oğlu, qızı, ibn X: weighs less when missing */
    TZ_SCREEN_PART_INITIAL     /* one letter */
};

/* One part of a normalised name. */
struct tz_screen_part {
    char form[TZ_SCREEN_FORMS_MAX][TZ_SCREEN_KEY_MAX]; /* Latin, a-z only; form[0] first */
    uint8_t nforms;
    uint8_t origin; /* enum tz_screen_how: SAME (ASCII), FOLDED or TRANSLIT */
    uint8_t role;   /* enum tz_screen_role */
    char phon[TZ_SCREEN_PHON_MAX];    /* the phonetic key of form[0] (tz_screen_phonetic) */
    char variant[TZ_SCREEN_PHON_MAX]; /* the variant class (its first spelling), "" if none */
    char key[TZ_SCREEN_PHON_MAX];     /* indexed under: the class's phonetic key, else phon */
    uint8_t abjad;                    /* written in Arabic script: short vowels unwritten */
    char written[TZ_SCREEN_KEY_MAX];  /* the part as written (UTF-8, cut at a character) */
};

/* A normalised name: its parts in the order written. */
struct tz_screen_name {
    struct tz_screen_part part[TZ_SCREEN_PARTS_MAX];
    uint8_t nparts;
};

/*
 * Normalises the name s (n bytes of UTF-8) into out. TZ_EINVAL for invalid UTF-8, a name over
 * TZ_SCREEN_NAME_MAX bytes, more than TZ_SCREEN_PARTS_MAX parts or no letter at all; TZ_ENOMEM
 * when ICU cannot allocate. Thread-safe.
 */
tz_err tz_screen_normalise(const char *s, size_t n, struct tz_screen_name *out);

/*
 * The romanisation of a name (what ICU gave each piece of it) kept as text with the name, so that
 * an index is built without ICU: the version, then per piece " -" (no letter) or its origin (S, F,
 * T), A when written in Arabic script, and its forms by commas ("k1 Tmuhammad,mukhammad Sali").
 * The version changes whenever translit.c gives other forms: keys of another version are
 * recomputed.
 */
#define TZ_SCREEN_KEYS_VERSION "k1"

/* tz_screen_normalise, writing the name's keys into keys (cap bytes; "" when they do not fit or
 * the name is refused). */
tz_err tz_screen_normalise_keys(const char *s, size_t n, struct tz_screen_name *out, char *keys,
                                size_t cap);
/* tz_screen_normalise with the romanisation read from keys instead of ICU (no ICU
 * transliterator runs): TZ_EINVAL when keys are of another version or not s's. */
tz_err tz_screen_normalise_stored(const char *s, size_t n, const char *keys,
                                  struct tz_screen_name *out);

/*
 * The phonetic key of a Latin form (a-z): a consonant skeleton in which the spellings that
 * romanisation schemes disagree on fall together (see phonetic.c). Writes a NUL-terminated key
 * of at most TZ_SCREEN_PHON_MAX - 1 bytes.
 */
void tz_screen_phonetic(const char *form, char out[TZ_SCREEN_PHON_MAX]);

/* Frees what the normaliser keeps (ICU transliterators); the next call opens them again. */
void tz_screen_release(void);

/* A date of birth, possibly partial: 0 for an unknown month or day; year 0 for unknown. */
struct tz_screen_date {
    uint16_t year;
    uint8_t month;
    uint8_t day;
};

/*
 * Parses "YYYY", "YYYY-MM" or "YYYY-MM-DD" (n bytes) into out; TZ_EINVAL otherwise (a month or
 * day out of range included).
 */
tz_err tz_screen_date_parse(const char *s, size_t n, struct tz_screen_date *out);

/* Sex as the lists give it. */
enum tz_screen_sex { TZ_SCREEN_SEX_UNKNOWN, TZ_SCREEN_SEX_MALE, TZ_SCREEN_SEX_FEMALE };

/* The thresholds and weights of a score; tz_screen_config_default fills the defaults. */
struct tz_screen_config {
    double threshold;       /* hits scoring below are dropped (default 0.80) */
    double dob_exact;       /* added when the full dates agree (+0.05) */
    double dob_partial;     /* added when what both know agrees, but not a full date (+0.02) */
    double dob_near;        /* added when the years differ by one (-0.05) */
    double dob_differ;      /* added when the dates disagree otherwise (-0.30) */
    double nat_same;        /* added when a nationality is shared (+0.02) */
    double nat_differ;      /* added when both give nationalities and none is shared (-0.05) */
    double sex_differ;      /* added when both give a sex and they differ (-0.20) */
    size_t max_hits;        /* hits answered at most (default 20) */
};

/* The defaults (commented in struct tz_screen_config). */
void tz_screen_config_default(struct tz_screen_config *cfg);

#define TZ_SCREEN_NAT_MAX 4 /* nationalities kept per person */

/* A person of a watch-list, as the index takes it. */
struct tz_screen_person_in {
    const char *source_id; /* the record's id as its source gave it (NUL-terminated) */
    const char *name;      /* as written (NUL-terminated UTF-8) */
    const char *keys;      /* its keys (tz_screen_normalise_keys) or NULL: romanised with ICU */
    struct tz_screen_date dob;
    char nat[TZ_SCREEN_NAT_MAX][3]; /* ISO 3166 alpha-2, lower case; "" when unused */
    uint8_t sex;                    /* enum tz_screen_sex */
};

/* A person query: the name normalised, the rest optional (zero when unknown). */
struct tz_screen_query {
    struct tz_screen_name name;
    struct tz_screen_date dob;
    char nat[TZ_SCREEN_NAT_MAX][3];
    uint8_t sex;
};

/* One query part matched to one record part. */
struct tz_screen_pair {
    uint8_t query_part;  /* index in the query's name */
    uint8_t record_part; /* index in the record's name */
    uint8_t how;         /* enum tz_screen_how */
    double score;        /* 0..1 */
    char query_form[TZ_SCREEN_KEY_MAX];  /* the forms that met */
    char record_form[TZ_SCREEN_KEY_MAX];
    char query_written[TZ_SCREEN_KEY_MAX]; /* the parts as written */
    char record_written[TZ_SCREEN_KEY_MAX];
};

/* How a date, a nationality or the sex moved a score. */
enum tz_screen_fact { TZ_SCREEN_FACT_NONE, TZ_SCREEN_FACT_SAME, TZ_SCREEN_FACT_PARTIAL,
                      TZ_SCREEN_FACT_NEAR, TZ_SCREEN_FACT_DIFFER };

/* The code of a fact ("unknown", "same", "partial", "near", "differ"); never NULL. */
const char *tz_screen_fact_code(enum tz_screen_fact fact);

/* A score and its explanation. */
struct tz_screen_explain {
    double score;      /* name_score plus the moves, in 0..1 */
    double name_score; /* the names alone */
    struct tz_screen_pair pair[TZ_SCREEN_PARTS_MAX];
    uint8_t npairs;
    uint8_t dob, nat, sex; /* enum tz_screen_fact */
    double dob_move, nat_move, sex_move;
};

/* A hit: the record (its index position, its source's id) and why. */
struct tz_screen_hit {
    uint32_t record;
    char source_id[64];
    char name[TZ_SCREEN_NAME_MAX]; /* the record's name as written */
    struct tz_screen_explain why;
};

struct tz_screen_index;

/* A new empty index; TZ_ENOMEM. Free with tz_screen_index_free. */
tz_err tz_screen_index_new(struct tz_screen_index **out);
void tz_screen_index_free(struct tz_screen_index *ix);

/*
 * Adds a person (its name normalised first: from its keys when they are of this version and
 * the name's, else with ICU): TZ_EINVAL for a name tz_screen_normalise refuses
 * or an empty or too long source id (63 bytes at most), TZ_ENOMEM. Not thread-safe with any
 * other call on ix; a search sees it after tz_screen_index_seal.
 */
tz_err tz_screen_index_add(struct tz_screen_index *ix, const struct tz_screen_person_in *p);

/* Builds the candidate lists over every person added so far; TZ_ENOMEM. */
tz_err tz_screen_index_seal(struct tz_screen_index *ix);

/* Persons in the index, and the bytes it holds (records, names, candidate lists). */
size_t tz_screen_index_count(const struct tz_screen_index *ix);
size_t tz_screen_index_bytes(const struct tz_screen_index *ix);

/*
 * Scores the query against the name rec (and the facts given) exactly; fills why. Needs no
 * index: the matcher on its own.
 */
void tz_screen_score(const struct tz_screen_config *cfg, const struct tz_screen_query *q,
                     const struct tz_screen_name *rec, const struct tz_screen_date *dob,
                     const char nat[TZ_SCREEN_NAT_MAX][3], uint8_t sex,
                     struct tz_screen_explain *why);

/*
 * The hits of q in ix scoring at least cfg->threshold, best first, at most cfg->max_hits;
 * *hits is malloc'd (free()), *count may be 0. TZ_ENOMEM. Thread-safe on a sealed index.
 */
tz_err tz_screen_search(const struct tz_screen_index *ix, const struct tz_screen_config *cfg,
                        const struct tz_screen_query *q, struct tz_screen_hit **hits,
                        size_t *count);

/* ---- watch-list files (import.c) ---- */

/* The formats of a watch-list file. */
enum tz_watch_format {
    TZ_WATCH_AUTO, /* told by the content: FollowTheMoney lines, JSON, else CSV */
    TZ_WATCH_CSV,  /* a header line naming id, name, birth_date, nationality, sex, aliases */
    TZ_WATCH_JSON, /* an array of objects, or one object a line, with the same members */
    TZ_WATCH_FTM,  /* FollowTheMoney entities, one a line: {"id", "schema", "properties"} */
};

/* The code of a format ("csv", "json", "ftm"); "auto" for TZ_WATCH_AUTO. */
const char *tz_watch_format_code(enum tz_watch_format f);
/* The format of a code; TZ_EINVAL for an unknown one. */
tz_err tz_watch_format_parse(const char *code, enum tz_watch_format *out);

#define TZ_WATCH_WHY_MAX 96       /* bytes of a refusal's reason */
#define TZ_WATCH_LINES_MAX 2000000 /* lines (or array elements) of one file, more is refused */

/* What became of one line (or array element) of a file. */
struct tz_watch_line {
    size_t line;                 /* from 1 */
    uint8_t taken;               /* 1 taken, 0 refused */
    char record_id[64];          /* "" when the line has none */
    char why[TZ_WATCH_WHY_MAX];  /* the reason it was refused */
};

/* A file read: the persons it gives (one per name), its documents and vehicles, and each
 * line's fate. */
struct tz_watch_import {
    enum tz_watch_format format; /* as read */
    struct tz_watch_person_rec *persons;
    size_t npersons;
    struct tz_watch_doc_rec *docs;
    size_t ndocs;
    struct tz_watch_vehicle_rec *vehicles;
    size_t nvehicles;
    struct tz_watch_line *lines;
    size_t nlines;
    size_t taken, refused; /* lines */
};

/*
 * Reads a watch-list file (n bytes) into out: every line either taken, with its persons, or
 * refused with its reason. A line is refused for bad JSON, a schema other than Person, no id or
 * an id over 63 bytes, no name, a name the normaliser refuses, a date of birth, nationality or
 * sex that cannot be read. TZ_EINVAL when the file cannot be read at all (a CSV without id and
 * name columns, a JSON document that is neither an array nor lines) or has more than
 * TZ_WATCH_LINES_MAX lines; TZ_ENOMEM. Free with tz_watch_import_clear.
 */
tz_err tz_watch_parse(const char *data, size_t n, enum tz_watch_format format,
                      struct tz_watch_import *out);
void tz_watch_import_clear(struct tz_watch_import *imp);

/* ---- the service: watch-lists in the store, queries permitted and audited (service.c) ---- */

struct tz_screening;

/*
 * Opens the service over auth's store (auth must outlive it) with cfg (NULL: the defaults). The
 * index is built from the store on the first query and again whenever a list was imported
 * since (by this process or another). TZ_ENOMEM.
 */
tz_err tz_screening_open(struct tz_auth *auth, const struct tz_screen_config *cfg,
                         struct tz_screening **out);
/* Safe with NULL. */
void tz_screening_close(struct tz_screening *s);

/*
 * Imports the file data (n bytes) as the list named source, replacing what that list held: the
 * lines taken are stored in one transaction with the import's audit entry (watchlist.import, by
 * who, with the counts), the lines refused are only reported (report, which the caller clears).
 * TZ_EINVAL for a source name that is empty or over 63 bytes, or a file tz_watch_parse refuses;
 * TZ_ECONFLICT when nothing was taken; TZ_ENOMEM, TZ_EIO.
 */
tz_err tz_screening_import(struct tz_screening *s, const struct tz_auth_who *who,
                           const char *source, const char *data, size_t n,
                           enum tz_watch_format format, struct tz_watch_import *report);

/* A person query as a door reads it: text fields, NULL when absent. */
struct tz_screen_person_query {
    const char *name;        /* required */
    const char *birth_date;  /* YYYY, YYYY-MM or YYYY-MM-DD */
    const char *nationality; /* ISO 3166 alpha-2 */
    const char *sex;         /* m, f, male or female */
    const char *reason;      /* why the officer asks: required, 1..500 bytes */
};

/* The answer: hits best first (one per record, its best name), and the threshold applied. */
struct tz_screen_answer {
    struct tz_screen_hit *hits;
    size_t count;
    double threshold;
};
void tz_screen_answer_clear(struct tz_screen_answer *a);

/*
 * Screens a person: checks who's permission (TZ_EFORBIDDEN), every field (TZ_EINVAL with errs:
 * /name, /birth_date, /nationality, /sex, /reason), searches and writes the audit entry
 * (screening.query: the query, the reason as its note, the number of hits and their records)
 * before answering; a refusal is audited too. TZ_ENOMEM, TZ_EIO.
 */
tz_err tz_screening_person(struct tz_screening *s, const struct tz_auth_who *who,
                           const struct tz_screen_person_query *q, struct tz_field_errors *errs,
                           struct tz_screen_answer *out);

/* Builds the indexes now (persons, documents, vehicles, published notices) rather than on the
 * first query, as a server does at start; TZ_ENOMEM, TZ_EIO. */
tz_err tz_screening_load(struct tz_screening *s);

struct tz_exchange;

/* Also reads the published notices of x (which must outlive s): their persons, documents and
 * vehicles are in the indexes (source "notices", record "<message id>/<entity ref>"), rebuilt
 * whenever x publishes or cancels a notice. */
void tz_screening_attach_exchange(struct tz_screening *s, struct tz_exchange *x);

/* ---- a hit turned into an exchange request (service_message.c) ---- */

/* A hit as the answer named it, and what the officer adds. */
struct tz_screen_hit_message {
    const char *source;    /* "notices": only a notice's hit has an owner to write to */
    const char *record_id; /* "<notice id>/<entity ref>", as the answer gave it */
    const char *reason;    /* why: required, kept as the audit entry's note */
    const char *text;      /* the officer's words, optional, at most 8 KiB */
    const char *urgency;   /* urgent_direct, urgent_indirect or normal (NULL: normal) */
};

/* The request sent. */
struct tz_screen_hit_sent {
    int64_t message_id, case_id, notice_id;
    int64_t due;                   /* the reply's due instant */
    char to_node[32], to_unit[64]; /* the notice's owner */
};

/*
 * Sends the notice's owner a request about the hit, in the notice's case, with the notice's
 * subject as its entity (composed from the notice on file), written with its audit entry
 * (exchange.send, noted with the hit and the reason) in one transaction. TZ_EFORBIDDEN without
 * screening.query or exchange.send for the actor's unit; TZ_EINVAL with errs (/source,
 * /record_id, /text, /urgency, /reason, or the exchange's); TZ_ENOTFOUND when no exchange is
 * attached or the notice is no longer published or has no such subject. Refusals are audited.
 */
tz_err tz_screening_hit_message(struct tz_screening *s, const struct tz_auth_who *who,
                                const struct tz_screen_hit_message *q, struct tz_field_errors *errs,
                                struct tz_screen_hit_sent *out);

/* ---- documents and vehicles (service_objects.c) ---- */

/* A document query as a door reads it (NULL when absent): a number, or an MRZ as scanned. */
struct tz_screen_doc_query {
    const char *number;  /* as typed or printed; required unless mrz is given */
    const char *country; /* issuing state, 2 or 3 letters; NULL: any (with mrz: the MRZ's) */
    const char *mrz;     /* TD1, TD2, TD3 or a visa's, lines by LF; instead of number */
    const char *reason;  /* as for a person */
};

/* A vehicle query: a VIN, a plate, or both. */
struct tz_screen_vehicle_query {
    const char *vin;
    const char *plate;
    const char *plate_country; /* "PL", "POL", "D"...; NULL: the generic rule, any country */
    const char *reason;
};

/* One hit, copied out of the index with its explanation. */
struct tz_screen_obj_hit {
    char source[TZ_WATCH_ID_MAX];
    char record_id[TZ_OBJ_SOURCE_MAX];
    struct tz_obj_hit hit; /* the key, SAME or CONFUSABLE, the positions, country checked */
    /* a document's */
    enum tz_doc_type doc_type;
    enum tz_doc_status doc_status;
    char number[TZ_DOCNUM_MAX + 1];
    char country[4];
    int32_t valid_until; /* days since 1970-01-01 or TZ_OBJ_NO_DATE */
    /* a vehicle's */
    enum tz_vehicle_status vehicle_status;
    char vin[18], plate[TZ_PLATE_MAX + 1], plate_country[3];
    char make[TZ_OBJ_TEXT_MAX], model[TZ_OBJ_TEXT_MAX], colour[TZ_OBJ_TEXT_MAX];
    char sentence[256]; /* tz_objects_explain's */
};

/* The answer: the query as read (what the explanation starts from) and its hits. */
struct tz_screen_obj_answer {
    bool vehicle;
    bool has_number, has_vin, has_plate;
    struct tz_docnum number; /* case, separators, look-alikes, O/0 and I/1 counted */
    bool has_mrz;
    struct tz_mrz mrz; /* the MRZ read: every check digit with the digit found and expected */
    bool mrz_valid;    /* every check digit right and the dates real (tz_mrz_parse's TZ_OK) */
    char country[4];         /* "" any */
    struct tz_vin vin;       /* the check digit: checked or not, found and expected */
    bool vin_valid;          /* tz_vin_parse said TZ_OK */
    struct tz_plate plate;   /* normalised for its country, its shape known or not */
    struct tz_screen_obj_hit *hits;
    size_t count, dropped;
};
void tz_screen_obj_answer_clear(struct tz_screen_obj_answer *a);

/*
 * Screens a document or a vehicle as tz_screening_person does a person: permission, fields
 * (TZ_EINVAL with errs: /number, /country, /mrz; /vin, /plate, /plate_country; /reason), the
 * search, and the audit entry (screening.query on screening/documents or screening/vehicles)
 * before the answer; a refusal is audited too. An MRZ whose check digits are wrong is still
 * searched by its number and issuing state, and the answer says which digit is wrong.
 */
tz_err tz_screening_document(struct tz_screening *s, const struct tz_auth_who *who,
                             const struct tz_screen_doc_query *q, struct tz_field_errors *errs,
                             struct tz_screen_obj_answer *out);
tz_err tz_screening_vehicle(struct tz_screening *s, const struct tz_auth_who *who,
                            const struct tz_screen_vehicle_query *q, struct tz_field_errors *errs,
                            struct tz_screen_obj_answer *out);

/* ---- batches (service_batch.c) ---- */

#define TZ_SCREEN_BATCH_MAX 1000 /* items of one batch */

enum tz_screen_kind { TZ_SCREEN_PERSON, TZ_SCREEN_DOCUMENT, TZ_SCREEN_VEHICLE };
const char *tz_screen_kind_code(enum tz_screen_kind k); /* "person", "document", "vehicle" */

/* One item: its kind and the query of that kind (its reason is the batch's). */
struct tz_screen_batch_item {
    enum tz_screen_kind kind;
    struct tz_screen_person_query person;
    struct tz_screen_doc_query doc;
    struct tz_screen_vehicle_query vehicle;
};

/* One item's answer. */
struct tz_screen_batch_result {
    enum tz_screen_kind kind;
    struct tz_screen_answer person;
    struct tz_screen_obj_answer object;
};

/* The answers of a batch, one per item in the items' order. */
struct tz_screen_batch {
    struct tz_screen_batch_result *results;
    size_t count;
    size_t hits; /* items with at least one hit */
};
void tz_screen_batch_clear(struct tz_screen_batch *b);

/*
 * Screens items[0..n) (1..TZ_SCREEN_BATCH_MAX) for who with one reason: every item checked
 * first (TZ_EINVAL with errs such as /items/3/name, /reason; nothing screened), then each
 * searched, and one audit entry (screening.query on screening/batch: the count of each kind,
 * the items with hits and their records) written before the answers. TZ_EFORBIDDEN, TZ_ENOMEM,
 * TZ_EIO.
 */
tz_err tz_screening_batch(struct tz_screening *s, const struct tz_auth_who *who,
                          const struct tz_screen_batch_item *items, size_t n, const char *reason,
                          struct tz_field_errors *errs, struct tz_screen_batch *out);

#endif
