/*
 * exchange_spoc.h - the store's side of what a SPOC does beyond messages
 * (migration 14): Art. 18 statistics counted from the messages, the
 * permissions providers gave to pass H2 information on, and a message's
 * attachments read one at a time. Attachments and Art. 9 deviations are
 * written with their message by x_put_messages (exchange.h); each read here
 * that shows police data writes its audit entry in the same transaction.
 */
#ifndef TZ_STORE_EXCHANGE_SPOC_H
#define TZ_STORE_EXCHANGE_SPOC_H

#include "store/common.h"
#include "store/exchange.h"

#define TZ_XS_STATS_MAX 4096 /* rows of one statistics read, at most */
#define TZ_XS_PERMITS 64     /* permissions of one message, at most */

/*
 * One row of the statistics: messages of a type (request, refusal, deviation) in one
 * direction with one partner (a received message's originator node; each foreign addressee
 * node of a sent one), of one urgency (requests) and one set of grounds (refusals).
 */
struct tz_xstat_rec {
    int inbound;
    char partner[TZ_XS_CODE], type[TZ_XS_CODE], urgency[TZ_XS_CODE];
    int64_t grounds;
    int64_t count;
};

/* An attachment read whole: data owned by the caller (free()). */
struct tz_xattach_blob {
    struct tz_xattach_rec meta; /* meta.data is NULL: the bytes are in data */
    unsigned char *data;
};

/* clang-format off */
#define TZ_STORE_EXCHANGE_SPOC_OPS(X)                                                              \
    /*                                                                                             \
     * The statistics rows of messages stored in [from, to) (seconds), partners being nodes        \
     * other than node; with audit in the same transaction. Free the array with free().            \
     */                                                                                            \
    X(x_stats, (struct tz_store *store, int64_t from, int64_t to, const char *node,                \
       const struct tz_audit_rec *audit, struct tz_xstat_rec **out, size_t *count),                \
      (store, from, to, node, audit, out, count),                                                  \
      TZ_PRE_NEED(TZ_PRE_FITS(node, TZ_XS_CODE) && from <= to && TZ_PRE_AUDIT(audit))             \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /*                                                                                             \
     * Records the provider's permission to pass message id's information on to node to (at, by   \
     * actor), with audit in the same transaction; recording it again changes nothing.             \
     * TZ_ENOTFOUND if there is no such message.                                                   \
     */                                                                                            \
    X(x_permit, (struct tz_store *store, int64_t id, const char *to, int64_t at,                   \
       const char *actor, const struct tz_audit_rec *audit),                                       \
      (store, id, to, at, actor, audit),                                                           \
      TZ_PRE_NEED(TZ_PRE_FITS(to, TZ_XS_CODE) && actor && TZ_PRE_AUDIT(audit))                     \
      TZ_PRE_IF(id <= 0, TZ_ENOTFOUND))                                                            \
    /* The nodes message id may be passed on to, into out (TZ_XS_PERMITS rows of TZ_XS_CODE). */  \
    X(x_permits, (struct tz_store *store, int64_t id, char (*out)[TZ_XS_CODE], size_t *count),    \
      (store, id, out, count),                                                                     \
      TZ_PRE_NEED(out && count))                                                                   \
    /*                                                                                             \
     * Attachment idx (from 0) of message id whole into out (free out->data), with audit in the   \
     * same transaction. TZ_ENOTFOUND if there is none.                                            \
     */                                                                                            \
    X(x_attachment, (struct tz_store *store, int64_t id, size_t idx,                               \
       const struct tz_audit_rec *audit, struct tz_xattach_blob *out),                             \
      (store, id, idx, audit, out),                                                                \
      TZ_PRE_NEED(out && TZ_PRE_AUDIT(audit)) TZ_PRE_IF(id <= 0, TZ_ENOTFOUND))
/* clang-format on */
TZ_STORE_EXCHANGE_SPOC_OPS(TZ_STORE_DECLARE)

#endif
