/*
 * address.h - address points: their import from the state register (PRG, as
 * CSV) and the search a citizen types into before dropping the pin.
 *
 * The import reads CSV (RFC 4180: locality, street, number, postcode, lon,
 * lat, after a header row), checks every line and writes the lines it takes in
 * one store transaction with its audit entry, reporting each refused line.
 * The index holds every address in memory, built once from the store at
 * start (or from records, for benchmarks), and answers prefix searches with
 * Polish diacritics folded and one typo tolerated in the street's name. It is
 * read-only once built, so any number of threads may search it at once.
 */
#ifndef TZ_ADDRESS_ADDRESS_H
#define TZ_ADDRESS_ADDRESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "store/store.h"

/* ---- folding ---- */

#define TZ_ADDRESS_QUERY_MAX 256 /* bytes of a search query */

/*
 * Folds the n bytes of UTF-8 at s for comparison into out (cap bytes, NUL
 * included): letters lower-cased, Polish (and common Latin-1) diacritics
 * dropped ("Ł" -> "l"), every run of other characters one space, none at either end.
 * TZ_EINVAL for invalid UTF-8, TZ_ETOOBIG when the result does not fit.
 */
tz_err tz_address_fold(const char *s, size_t n, char *out, size_t cap, size_t *len);

/* ---- import ---- */

#define TZ_ADDRESS_FILE_LINE_MAX 1024 /* bytes of one CSV record */
#define TZ_ADDRESS_REFUSALS_KEPT 1000 /* refused lines reported one by one; the rest counted */
#define TZ_ADDRESS_REASON_MAX 120

/* A refused line of the file and why. */
struct tz_address_refusal {
    size_t line; /* 1 is the header */
    char reason[TZ_ADDRESS_REASON_MAX];
};

/* What an import took and refused. Free with tz_address_import_report_free. */
struct tz_address_import_report {
    size_t lines;   /* records read, the header not counted */
    size_t taken;   /* stored */
    size_t refused; /* lines refused (the first TZ_ADDRESS_REFUSALS_KEPT are in items) */
    struct tz_address_refusal *items;
    size_t count;
};
void tz_address_import_report_free(struct tz_address_import_report *rep);

/*
 * Imports the CSV read from f: every line that passes the checks (six
 * fields; valid UTF-8 without control characters; a locality, a number, a
 * street and postcode that fit; the point inside Poland's bounds) is stored,
 * every other is listed in *rep with its reason. Everything taken is written
 * in one transaction with audit (may be NULL; its fields get the counts):
 * when this fails nothing is stored. TZ_EMALFORMED (with the reason in
 * rep->items) for a file whose header is not
 * "locality,street,number,postcode,lon,lat".
 */
tz_err tz_address_import(struct tz_store *store, FILE *f, const struct tz_audit_rec *audit,
                         struct tz_address_import_report *rep);

/*
 * Demo addresses in the demo districts (tz_geo_demo_districts): some thirty real Kraków street
 * names with made-up numbers, the same for the same seed, stored in one transaction with audit
 * (may be NULL); *count of them.
 */
tz_err tz_address_demo(struct tz_store *store, uint64_t seed, const struct tz_audit_rec *audit,
                       size_t *count);

/* Poland's bounds (with a margin of about a kilometre), which an imported point must be in. */
#define TZ_ADDRESS_LON_MIN 14.10
#define TZ_ADDRESS_LON_MAX 24.16
#define TZ_ADDRESS_LAT_MIN 48.99
#define TZ_ADDRESS_LAT_MAX 54.85

/* ---- the index ---- */

struct tz_address_index;

/* A new empty index; add addresses, then build it once before searching. */
tz_err tz_address_index_new(struct tz_address_index **out);
/* Adds a copy of rec; TZ_ECONFLICT once built, TZ_ETOOBIG past 2^31 addresses. */
tz_err tz_address_index_add(struct tz_address_index *ix, const struct tz_address_rec *rec);
/* Sorts what was added and makes the search keys; searches may start once it returns TZ_OK. */
tz_err tz_address_index_build(struct tz_address_index *ix);
/* The index of every address in the store, built. */
tz_err tz_address_index_load(struct tz_store *store, struct tz_address_index **out);
/* Addresses in the index. */
size_t tz_address_index_count(const struct tz_address_index *ix);
/* Bytes the index holds, for the benchmark. */
size_t tz_address_index_bytes(const struct tz_address_index *ix);
void tz_address_index_free(struct tz_address_index *ix);

#define TZ_ADDRESS_LIMIT_MAX 50 /* most hits one search returns */
#define TZ_ADDRESS_LIMIT_DEFAULT 10

/* One hit of a search, best first. */
struct tz_address_hit {
    struct tz_address_rec addr;
    unsigned edits; /* 0, or 1 when the street matched with one typo */
};

/*
 * Searches for the query (n bytes of UTF-8): a street's name or the start of
 * it (of any of its words), then optionally a house number or its start, then
 * optionally the locality's name or its start ("florianska 1 krak"; "ul." in
 * front is ignored). Without a number, each matching street is one hit (its
 * first number). Exact street matches come before those with one edit
 * (insertion, deletion, substitution, transposition; queried streets of 4
 * characters and more), exact numbers before numbers that start so, whole names
 * before prefixes, larger streets first. At most limit (1 to TZ_ADDRESS_LIMIT_MAX)
 * hits into out. TZ_EINVAL for invalid UTF-8, an empty query, or a bad limit;
 * TZ_ETOOBIG past TZ_ADDRESS_QUERY_MAX bytes.
 */
tz_err tz_address_search(const struct tz_address_index *ix, const char *q, size_t n, size_t limit,
                         struct tz_address_hit *out, size_t *count);

/*
 * The address nearest to (lat, lon) within max_m metres: TZ_ENOTFOUND when
 * there is none; *dist_m its distance.
 */
tz_err tz_address_nearest(const struct tz_address_index *ix, double lat, double lon, double max_m,
                          struct tz_address_hit *out, double *dist_m);

#endif
