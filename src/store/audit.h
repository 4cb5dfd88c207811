/*
 * audit.h - the store's audit log: entries chained by hash, appended in the
 * transaction of the change they record (DESIGN 5).
 */
#ifndef TZ_STORE_AUDIT_H
#define TZ_STORE_AUDIT_H

#include "store/common.h"

/*
 * One audit entry (DESIGN 5, Directive 2016/680 Art. 25): who, when, from
 * where, what (action, object and fields), why (note) and the outcome. seq,
 * prev_hash and hash are set by the store when it appends the entry; strings
 * read back are owned by the record (tz_audit_recs_free).
 */
struct tz_audit_rec {
    int64_t seq;
    int64_t at;
    const char *actor;   /* account name, "cli:<user>" or "anonymous" */
    const char *role;    /* may be NULL */
    const char *client;  /* address; may be NULL */
    const char *action;  /* "report.transition", "auth.login", ... */
    const char *object;  /* "report/12", "account/ala"; may be NULL */
    const char *fields;  /* what changed or was read (JSON text); may be NULL */
    const char *note;    /* why; may be NULL */
    const char *outcome; /* "ok", "refused", "failed" */
    uint8_t prev_hash[TZ_HASH_LEN];
    uint8_t hash[TZ_HASH_LEN];
};

/*
 * The chain hash of an entry: BLAKE2b-256 over a domain tag, prev, seq, at
 * and each text field length-prefixed (NULL differs from ""). The store
 * computes it on append; `tarcza audit verify` recomputes it.
 */
void tz_store_audit_hash(const struct tz_audit_rec *rec, const uint8_t prev[TZ_HASH_LEN],
                         uint8_t out[TZ_HASH_LEN]);

/* Reads a head file. TZ_ENOTFOUND when there is none, TZ_EINVAL when it cannot be read as one. */
tz_err tz_store_audit_head_read(const char *path, int64_t *seq, uint8_t hash[TZ_HASH_LEN]);
void tz_audit_recs_free(struct tz_audit_rec *recs, size_t count);

/*
 * The operations on the audit log, declared once (see common.h): X(name, (parameters),
 * (arguments), preconditions).
 */
/* clang-format off */
#define TZ_STORE_AUDIT_OPS(X)                                                                      \
    /* Appends one entry to the log in its own transaction (seq and hashes are set in *rec). */    \
    X(audit_append, (struct tz_store *store, struct tz_audit_rec *rec),                            \
      (store, rec),                                                                                \
      TZ_PRE_NEED(rec && TZ_PRE_AUDIT(rec)))                                                       \
    /*                                                                                             \
     * Keeps the audit chain's head (its last seq and hash) outside the database:                  \
     * from now on every write transaction that ends with a longer chain replaces                  \
     * the file at path with the new head, after its commit (see                                   \
     * tz_store_audit_head_read); NULL stops. The head is written now too. The file                \
     * is written only while the chain still holds the head it records (that seq                   \
     * with that hash): once entries it names are gone or changed the file is                      \
     * left as evidence and each write says so on stderr. TZ_EIO when it cannot                    \
     * be written, TZ_ECONFLICT when the chain no longer holds its head.                           \
     */                                                                                            \
    X(audit_head_keep, (struct tz_store *store, const char *path),                                 \
      (store, path),                                                                               \
      TZ_PRE_NEED(!path || path[0]))                                                               \
    /* Entries with seq > after_seq, oldest first, at most limit (1..1000). */                     \
    X(audit_read, (struct tz_store *store, int64_t after_seq, size_t limit,                        \
       struct tz_audit_rec **out, size_t *count),                                                  \
      (store, after_seq, limit, out, count),                                                       \
      TZ_PRE_NEED(limit > 0 && limit <= TZ_STORE_LIST_MAX) TZ_PRE_EMPTY(out, count))
/* clang-format on */
TZ_STORE_AUDIT_OPS(TZ_STORE_DECLARE)

#endif
