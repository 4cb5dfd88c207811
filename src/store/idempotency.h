/*
 * idempotency.h - the store's idempotency keys of reports (issue 19, migration 24). A client
 * that may send the same report twice (the public map's offline outbox, after a lost answer)
 * names it with a key (the Idempotency-Key header); the key is written with its report by
 * insert_reports, in the report's own transaction, and is unique: a second report with the same
 * key is refused by the store (TZ_ECONFLICT), never stored. The store keeps no key in clear: a
 * hash to find it by, the hash of the body it came with, and the report's tracking token sealed
 * with a pad only the key gives (threatmap/idempotency.c), so that a replay can be answered with
 * the first answer and a reader of the database learns no token.
 */
#ifndef TZ_STORE_IDEMPOTENCY_H
#define TZ_STORE_IDEMPOTENCY_H

#include <stdbool.h>

#include "store/common.h"

#define TZ_IDEM_SEAL_MAX 64 /* bytes of a sealed tracking token */

/* A report's idempotency key as stored (part of tz_report_rec; set = false: none). */
struct tz_report_idem {
    bool set;
    uint8_t key_hash[TZ_HASH_LEN];  /* finds it: a hash of the key, in its own context */
    uint8_t body_hash[TZ_HASH_LEN]; /* what was sent with it: a replay must match */
    uint8_t seal[TZ_IDEM_SEAL_MAX]; /* the tracking token XOR a pad derived from the key */
    size_t seal_len;
    int photo_count;   /* photos the first answer said wait for review */
    int64_t report_id; /* read back: the report it named */
    int64_t at;        /* when it was first stored */
};

/* clang-format off */
#define TZ_STORE_IDEMPOTENCY_OPS(X)                                                                \
    /*                                                                                             \
     * The key whose hash is key_hash, with its report's id: TZ_ENOTFOUND if no report was          \
     * stored with it.                                                                             \
     */                                                                                            \
    X(report_by_idempotency_key, (struct tz_store *store, const uint8_t key_hash[TZ_HASH_LEN],     \
       struct tz_report_idem *out),                                                                \
      (store, key_hash, out),                                                                      \
      TZ_PRE_NEED(key_hash) TZ_PRE_ZERO(out))
/* clang-format on */
TZ_STORE_IDEMPOTENCY_OPS(TZ_STORE_DECLARE)

#endif
