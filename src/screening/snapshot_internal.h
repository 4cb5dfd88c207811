/*
 * snapshot_internal.h - what snapshot.c, snapshot_read.c and offline.c share (private).
 */
#ifndef TZ_SCREENING_SNAPSHOT_INTERNAL_H
#define TZ_SCREENING_SNAPSHOT_INTERNAL_H

#include <stddef.h>

#include <jansson.h>

#include "screening/internal.h"
#include "screening/snapshot.h"

#define TZ_SNAP_FORMAT "tarcza-watchlist-snapshot"

/* One record: its key ("<kind letter>\t<source>\t<record id>") and its line (JSON). */
struct snap_rec {
    char *key;
    char *line;
    bool removed; /* a delta's line that removes the record */
};

struct tz_snap_state {
    struct snap_rec *recs; /* sorted by key, no two alike */
    size_t count;
    json_t *pending; /* rows added, by key, not yet lines; NULL when none */
};

/* A field of an entry: its JSON name and where it lies in the row's struct. */
struct snap_field {
    const char *name;
    size_t off, size;
};

/* A kind of record: its code, its key's letter, its entries' fields and its row struct. */
struct snap_kind {
    const char *code;
    char letter;
    const struct snap_field *fields;
    size_t nfields;
    size_t size, source_off, record_off;
};
extern const struct snap_kind tz_snap_kinds[3]; /* person, document, vehicle */

/* Whether s (within cap bytes) is a record id or source a snapshot can hold. */
bool tz_snap_id_ok(const char *s, size_t cap);
/* Writes the pending rows into lines (TZ_ENOMEM). */
tz_err tz_snap_settle(struct tz_snap_state *st);
void tz_snap_recs_free(struct snap_rec *r, size_t n);
void tz_snap_digest_recs(const struct snap_rec *r, size_t n, uint8_t out[TZ_SNAP_DIGEST]);

#endif
