/*
 * snapshot.h - the offline copy of the watch-lists (issue 15, like INTERPOL's MIND): a signed
 * snapshot of every record screened against, signed deltas after it, and a screening service
 * that answers from them alone, with no store and no network.
 *
 * What this module promises:
 *  - a file (snapshot or delta) is JSON lines: a header (format, version, kind, created, count,
 *    the lists' and notices' position it was made at, the state after it and, for a delta, the
 *    state it applies to), one line per record (person, document or vehicle: its source, its
 *    record id and its entries) or, in a delta, per record removed, in one order, and last the
 *    Ed25519 signature over every byte before it (docs/screening.md, "Offline copy");
 *  - tz_snap_apply checks the signature before it reads anything else: a changed byte, a cut
 *    file or another key is refused with the reason, and the state is left as it was;
 *  - a state's digest (BLAKE2b-256 over its record lines) names it: a delta names the state it
 *    follows and the state it makes, and applying it checks both; a full snapshot made after a
 *    delta's is the same state, byte for byte;
 *  - tz_screening_open_offline builds the same indexes the online service builds, from a state
 *    alone; the offline queries check the same fields and answer the same structs.
 */
#ifndef TZ_SCREENING_SNAPSHOT_H
#define TZ_SCREENING_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "screening/screening.h"

#define TZ_SNAP_VERSION 1
#define TZ_SNAP_WHY_MAX 160        /* bytes of a refusal's reason */
#define TZ_SNAP_LINE_MAX (1 << 20) /* bytes of one line of a file */
#define TZ_SNAP_ENTRIES_MAX 64     /* names of a person, entries of a record */
#define TZ_SNAP_DIGEST 32          /* bytes of a state's digest */

/* A file's header, as read or written. */
struct tz_snap_info {
    bool delta;
    char created[32];              /* RFC 3339, UTC */
    size_t count;                  /* record lines (a delta: records put and removed) */
    size_t removed;                /* a delta's records removed */
    int64_t lists_version;         /* the store's lists' version it was made at */
    uint64_t notices;              /* the exchange's notices' version in that process (0: none) */
    uint8_t state[TZ_SNAP_DIGEST]; /* the state after it */
    uint8_t base[TZ_SNAP_DIGEST];  /* a delta's: the state it applies to */
};

/* Takes every record screened against, one row at a time (a person once per name). */
struct tz_screen_visitor {
    void *ctx;
    tz_err (*person)(void *ctx, const struct tz_watch_person_rec *r);
    tz_err (*doc)(void *ctx, const struct tz_watch_doc_rec *d);
    tz_err (*vehicle)(void *ctx, const struct tz_watch_vehicle_rec *v);
};

/* A set of records (one line each, by kind, source and record id). */
struct tz_snap_state;

tz_err tz_snap_state_new(struct tz_snap_state **out); /* empty; TZ_ENOMEM */
void tz_snap_state_free(struct tz_snap_state *st);    /* safe with NULL */
/* Records in the state; TZ_ENOMEM (rows added are sorted into lines first, as by every call
 * that reads a state). */
tz_err tz_snap_state_count(struct tz_snap_state *st, size_t *count);
/* The digest of the state (BLAKE2b-256 over its lines in order). */
tz_err tz_snap_state_digest(struct tz_snap_state *st, uint8_t out[TZ_SNAP_DIGEST]);
/* Whether two states hold the same records, line for line (false also on TZ_ENOMEM). */
bool tz_snap_state_equal(struct tz_snap_state *a, struct tz_snap_state *b);

/*
 * Adds one row of a record (a person once per name; its source and record id name the
 * record). TZ_EINVAL for a row that cannot be written back (an empty or too long id, control
 * characters in it, more than TZ_SNAP_ENTRIES_MAX rows of one record); TZ_ENOMEM.
 */
tz_err tz_snap_add_person(struct tz_snap_state *st, const struct tz_watch_person_rec *r);
tz_err tz_snap_add_doc(struct tz_snap_state *st, const struct tz_watch_doc_rec *d);
tz_err tz_snap_add_vehicle(struct tz_snap_state *st, const struct tz_watch_vehicle_rec *v);

/*
 * Writes st as a signed file onto out: a full snapshot when base is NULL, else the delta that
 * makes st from base. info gives created, lists_version and notices; the rest is filled in.
 * sk is a libsodium Ed25519 secret key (64 bytes). TZ_ENOMEM, TZ_ETOOBIG (out's limit).
 */
tz_err tz_snap_write(struct tz_snap_state *st, struct tz_snap_state *base, const uint8_t sk[64],
                     struct tz_snap_info *info, struct tz_buf *out);

/*
 * Checks the signature of the file data (n bytes) with pk, then reads it and applies it to st:
 * a full snapshot replaces st, a delta must follow st's state. TZ_EINVAL with why (the
 * signature, the format, the line that is wrong, a delta that follows another state) and st
 * unchanged; TZ_ENOMEM. info (may be NULL) gets the header.
 */
tz_err tz_snap_apply(struct tz_snap_state *st, const char *data, size_t n, const uint8_t pk[32],
                     struct tz_snap_info *info, char why[TZ_SNAP_WHY_MAX]);

/* Hands v every row of st, as tz_screening_visit does the store's (the offline build). */
tz_err tz_snap_visit(struct tz_snap_state *st, const struct tz_screen_visitor *v);

/* The Ed25519 key files: the secret key as `tarcza audit keygen` writes it (hex), the public
 * key as 64 hex digits (what keygen and `watchlist snapshot` print). TZ_ENOTFOUND, TZ_EINVAL. */
tz_err tz_snap_secret_key(const char *path, uint8_t sk[64], uint8_t pk[32]);
tz_err tz_snap_public_key(const char *path, uint8_t pk[32]);
/* Wipes a secret key (what the compiler may not leave out). */
void tz_snap_wipe(void *p, size_t n);

/*
 * The state of every record s screens against now (the store's lists and the published
 * notices), and the position it was taken at; the read is audited (screening.query on
 * screening/snapshot, by who, with the count and the digest). TZ_EFORBIDDEN for a caller
 * without screening.query, TZ_ENOMEM, TZ_EIO.
 */
tz_err tz_screening_snapshot(struct tz_screening *s, const struct tz_auth_who *who,
                             struct tz_snap_state **out, struct tz_snap_info *info);

/* A service over st alone (no store, no audit, never refreshed): the indexes are built now.
 * st may be freed after. TZ_ENOMEM. Close with tz_screening_close. */
tz_err tz_screening_open_offline(struct tz_snap_state *st, const struct tz_screen_config *cfg,
                                 struct tz_screening **out);

/* The queries of an offline service: the same fields checked (a reason included, TZ_EINVAL
 * with errs), the same answers; nothing audited (there is no store to hold it). */
tz_err tz_screening_offline_person(struct tz_screening *s, const struct tz_screen_person_query *q,
                                   struct tz_field_errors *errs, struct tz_screen_answer *out);
tz_err tz_screening_offline_document(struct tz_screening *s, const struct tz_screen_doc_query *q,
                                     struct tz_field_errors *errs,
                                     struct tz_screen_obj_answer *out);
tz_err tz_screening_offline_vehicle(struct tz_screening *s, const struct tz_screen_vehicle_query *q,
                                    struct tz_field_errors *errs, struct tz_screen_obj_answer *out);
/* A batch as tz_screening_batch reads and answers it (every item checked first), offline. */
tz_err tz_screening_offline_batch(struct tz_screening *s, const struct tz_screen_batch_item *items,
                                  size_t n, const char *reason, struct tz_field_errors *errs,
                                  struct tz_screen_batch *out);

#endif
