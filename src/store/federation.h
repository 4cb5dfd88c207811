/*
 * federation.h - the store's side of federation (migration 19, issue 17): the node directory
 * (the partners this node exchanges messages with), the outbox (one row per message and
 * partner, queued by a trigger in the transaction that stores the message) and the record of
 * messages received from partners (written by a trigger in the transaction that stores the
 * message, so that a second copy cannot be stored). The rules live in src/federation.
 */
#ifndef TZ_STORE_FEDERATION_H
#define TZ_STORE_FEDERATION_H

#include "store/common.h"

#define TZ_FS_ID 32         /* a node's id ("PL", "EUROPOL"), NUL included */
#define TZ_FS_NAME 128      /* a node's name */
#define TZ_FS_URL 256       /* an endpoint URL */
#define TZ_FS_HEX 65        /* 32 bytes as hex, NUL included */
#define TZ_FS_LIST 256      /* a comma-separated list of codes */
#define TZ_FS_ERROR 160     /* why the last attempt failed */
#define TZ_FS_REF 64        /* "<sender>:<their id>" */
#define TZ_FS_NODES_MAX 256 /* partners in the directory, at most */

/* A partner in the directory. */
struct tz_fed_node_rec {
    char id[TZ_FS_ID];
    char name[TZ_FS_NAME];
    char country[8];             /* ISO 3166-1 alpha-2 */
    char endpoint[TZ_FS_URL];    /* https://host:port */
    char cert_sha256[TZ_FS_HEX]; /* SHA-256 of its TLS certificate (DER), lowercase hex */
    char sign_key[TZ_FS_HEX];    /* its Ed25519 public key, lowercase hex */
    char languages[TZ_FS_LIST];  /* working languages, BCP 47 primary tags: "en,fr" */
    char msg_types[TZ_FS_LIST];  /* the exchange's message type codes it accepts; "": all */
    char handling[TZ_FS_LIST];   /* the handling codes it accepts; "": all */
    int64_t added_at;
    /* What this node accepts from it (migration 23): "" and 0 take anything. */
    char accept_types[TZ_FS_LIST];
    char accept_handling[TZ_FS_LIST];
    int64_t accept_max_bytes; /* a message's body, at most */
    /* Its key and certificate before the last rotation, still taken until prev_until. */
    char prev_sign_key[TZ_FS_HEX];
    char prev_cert_sha256[TZ_FS_HEX];
    int64_t prev_until;
};

/* An entry of the revocation list. */
struct tz_fed_revoked_rec {
    char what[TZ_FS_HEX + 8]; /* "key:" or "cert:" and 64 hex digits */
    char node[TZ_FS_ID];
    char reason[TZ_FS_NAME];
    int64_t revoked_at;
};

/* A message stored from a partner, as the inbox records it. */
struct tz_fed_inbox_rec {
    char ref[TZ_FS_REF];         /* "<sender>:<their message id>" */
    char digest[TZ_FS_HEX];      /* SHA-256 of the message's body as signed */
    int64_t their_case;          /* the sender's case */
    int64_t message_id, case_id; /* here */
};

/* One row of the outbox: a message for a partner. */
struct tz_fed_out_rec {
    int64_t id, message_id, case_id, queued_at;
    char node[TZ_FS_ID];
    char state[16]; /* queued, delivered, refused */
    int attempts;
    int64_t next_at, done_at;
    char last_error[TZ_FS_ERROR];
    int64_t their_message, their_case;
    int64_t read_at; /* when a person there opened it, by its read receipt; 0: not yet */
};

/* A read receipt this node owes a partner (migration 23). */
struct tz_fed_read_rec {
    int64_t message_id;    /* ours, as stored from the partner */
    char sender[TZ_FS_ID]; /* the partner */
    int64_t their_message; /* its id there */
    int64_t read_at;
    int attempts;
    int64_t next_at;
};

/* What an attempt came to (fed_out_settle). */
struct tz_fed_settle {
    int64_t outbox_id;
    const char *state; /* "queued" (try again at next_at), "delivered", "refused" */
    int64_t next_at, done_at;
    const char *error; /* why (refused, or the failed attempt); "" when delivered */
    int64_t their_message, their_case;
};

/* A partner's queue, as operations watch it. */
struct tz_fed_queue_rec {
    char node[TZ_FS_ID];
    int64_t queued;           /* messages not yet delivered nor refused */
    int64_t oldest_queued_at; /* 0 when none */
    int64_t last_delivery;    /* 0 when none yet */
    int64_t refused;
    int attempts; /* of the head of its queue */
    char last_error[TZ_FS_ERROR];
};

/* clang-format off */
#define TZ_STORE_FEDERATION_OPS(X)                                                                 \
    /* Adds a partner, with audit (may be NULL) in the same transaction: TZ_ECONFLICT if its id   \
     * is in the directory already. */                                                            \
    X(fed_node_put, (struct tz_store *store, const struct tz_fed_node_rec *node,                   \
       const struct tz_audit_rec *audit),                                                          \
      (store, node, audit),                                                                        \
      TZ_PRE_NEED(node && node->id[0] && TZ_PRE_AUDIT(audit)))                                     \
    /* Removes a partner, with audit (may be NULL): TZ_ENOTFOUND if there is none. Its queued     \
     * messages stay (refused when it is not found at their turn). */                             \
    X(fed_node_remove, (struct tz_store *store, const char *id, const struct tz_audit_rec *audit), \
      (store, id, audit),                                                                          \
      TZ_PRE_NEED(TZ_PRE_FITS(id, TZ_FS_ID) && TZ_PRE_AUDIT(audit)))                               \
    /* Changes partner node->id's entry to node (every field but id and added_at), with audit   \
     * (may be NULL) in the same transaction: TZ_ENOTFOUND if it is not in the directory. */   \
    X(fed_node_set, (struct tz_store *store, const struct tz_fed_node_rec *node,                   \
       const struct tz_audit_rec *audit),                                                          \
      (store, node, audit),                                                                        \
      TZ_PRE_NEED(node && node->id[0] && TZ_PRE_AUDIT(audit)))                                     \
    /* Adds rec to the revocation list, with audit (may be NULL): TZ_ECONFLICT if it is there. */ \
    X(fed_revoke, (struct tz_store *store, const struct tz_fed_revoked_rec *rec,                   \
       const struct tz_audit_rec *audit),                                                          \
      (store, rec, audit),                                                                         \
      TZ_PRE_NEED(rec && rec->what[0] && TZ_PRE_AUDIT(audit)))                                     \
    /* Whether what ("key:HEX" or "cert:HEX") is revoked: TZ_OK with out, or TZ_ENOTFOUND. */     \
    X(fed_revoked_get, (struct tz_store *store, const char *what, struct tz_fed_revoked_rec *out), \
      (store, what, out),                                                                          \
      TZ_PRE_NEED(TZ_PRE_FITS(what, TZ_FS_HEX + 8)) TZ_PRE_ZERO(out))                              \
    /* The revocation list, newest first (at most 1000); free with free(). */                     \
    X(fed_revoked_list, (struct tz_store *store, struct tz_fed_revoked_rec **out, size_t *count),  \
      (store, out, count),                                                                         \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /* The read receipts queued for node, oldest first, at most limit (1..1000); free().        \
     */                                                                                           \
    X(fed_reads_due, (struct tz_store *store, const char *node, size_t limit,                      \
       struct tz_fed_read_rec **out, size_t *count),                                               \
      (store, node, limit, out, count),                                                            \
      TZ_PRE_NEED(TZ_PRE_FITS(node, TZ_FS_ID) && limit > 0 && limit <= TZ_STORE_LIST_MAX)          \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /* Settles read receipt message_id: state "sent", "refused" or "queued" (again at next_at),   \
     * attempts grows by one; with audit (may be NULL). TZ_ENOTFOUND when there is none. */       \
    X(fed_read_settle, (struct tz_store *store, int64_t message_id, const char *state,             \
       int64_t next_at, const struct tz_audit_rec *audit),                                         \
      (store, message_id, state, next_at, audit),                                                  \
      TZ_PRE_NEED(message_id > 0 && state && TZ_PRE_AUDIT(audit)))                                 \
    /* Records node's read receipt for our message message_id (kept once: the first read), with  \
     * audit (may be NULL): TZ_ENOTFOUND when we sent node no such message. */                    \
    X(fed_read_record, (struct tz_store *store, const char *node, int64_t message_id,              \
       int64_t read_at, const struct tz_audit_rec *audit),                                         \
      (store, node, message_id, read_at, audit),                                                   \
      TZ_PRE_NEED(TZ_PRE_FITS(node, TZ_FS_ID) && message_id > 0 && TZ_PRE_AUDIT(audit)))           \
    /* The partner id into out: TZ_ENOTFOUND if it is not in the directory. */                    \
    X(fed_node_get, (struct tz_store *store, const char *id, struct tz_fed_node_rec *out),         \
      (store, id, out),                                                                            \
      TZ_PRE_NEED(TZ_PRE_FITS(id, TZ_FS_ID)) TZ_PRE_ZERO(out))                                     \
    /* Every partner by id (at most TZ_FS_NODES_MAX); free the array with free(). */              \
    X(fed_nodes, (struct tz_store *store, struct tz_fed_node_rec **out, size_t *count),            \
      (store, out, count),                                                                         \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /* The message stored from a partner under ref: TZ_ENOTFOUND if there is none. */             \
    X(fed_inbox_get, (struct tz_store *store, const char *ref, struct tz_fed_inbox_rec *out),      \
      (store, ref, out),                                                                           \
      TZ_PRE_NEED(TZ_PRE_FITS(ref, TZ_FS_REF)) TZ_PRE_ZERO(out))                                   \
    /*                                                                                             \
     * Which case of node's a case of ours is, as far as the exchange with node has shown: the    \
     * case a message it sent us came from, else the case its receipt for a message we sent       \
     * named. *their_case is 0 when none; *known says whether case_id has any message from or to  \
     * node at all.                                                                                \
     */                                                                                            \
    X(fed_case_peer, (struct tz_store *store, const char *node, int64_t case_id,                   \
       int64_t *their_case, int *known),                                                           \
      (store, node, case_id, their_case, known),                                                   \
      TZ_PRE_NEED(TZ_PRE_FITS(node, TZ_FS_ID) && case_id > 0) TZ_PRE_ZERO(their_case)              \
      TZ_PRE_ZERO(known))                                                                          \
    /*                                                                                             \
     * The case of ours that node's case their_case is: the case of a message it sent us from     \
     * it, else the case of ours whose message it stored there. TZ_ENOTFOUND when none.           \
     */                                                                                            \
    X(fed_local_case, (struct tz_store *store, const char *node, int64_t their_case,               \
       int64_t *case_id),                                                                          \
      (store, node, their_case, case_id),                                                          \
      TZ_PRE_NEED(TZ_PRE_FITS(node, TZ_FS_ID)) TZ_PRE_ZERO(case_id)                                \
      TZ_PRE_IF(their_case <= 0, TZ_ENOTFOUND))                                                    \
    /*                                                                                             \
     * node's id of our message message_id: the id it had there when it came from node, or the    \
     * id node's receipt gave it when we sent it there. TZ_ENOTFOUND when it did neither.         \
     */                                                                                            \
    X(fed_peer_message, (struct tz_store *store, const char *node, int64_t message_id,             \
       int64_t *their_message),                                                                    \
      (store, node, message_id, their_message),                                                    \
      TZ_PRE_NEED(TZ_PRE_FITS(node, TZ_FS_ID)) TZ_PRE_ZERO(their_message)                          \
      TZ_PRE_IF(message_id <= 0, TZ_ENOTFOUND))                                                    \
    /* The head of node's queue (the oldest message queued for it): TZ_ENOTFOUND when empty. */   \
    X(fed_out_head, (struct tz_store *store, const char *node, struct tz_fed_out_rec *out),        \
      (store, node, out),                                                                          \
      TZ_PRE_NEED(TZ_PRE_FITS(node, TZ_FS_ID)) TZ_PRE_ZERO(out))                                   \
    /* Records what an attempt came to, with audit (may be NULL) in the same transaction (group  \
     * commit: settles at once share a commit); attempts grows by one. TZ_ENOTFOUND if there is  \
     * no such row. */                            \
    X(fed_out_settle, (struct tz_store *store, const struct tz_fed_settle *s,                      \
       const struct tz_audit_rec *audit),                                                          \
      (store, s, audit),                                                                           \
      TZ_PRE_NEED(s && s->outbox_id > 0 && s->state && s->error && TZ_PRE_AUDIT(audit)))           \
    /* The head of each case in node's queue (the oldest message queued for it in that case),   \
     * oldest first, at most limit (1..1000): what may be in flight at once while every case      \
     * keeps its order. Free with free(). */                                                      \
    X(fed_out_heads, (struct tz_store *store, const char *node, size_t limit,                      \
       struct tz_fed_out_rec **out, size_t *count),                                                \
      (store, node, limit, out, count),                                                            \
      TZ_PRE_NEED(TZ_PRE_FITS(node, TZ_FS_ID) && limit > 0 && limit <= TZ_STORE_LIST_MAX)          \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /* The queued messages of node's case case_id, oldest first, at most limit (1..1000): what   \
     * one batch envelope carries. Free with free(). */                                           \
    X(fed_out_case, (struct tz_store *store, const char *node, int64_t case_id, size_t limit,      \
       struct tz_fed_out_rec **out, size_t *count),                                                \
      (store, node, case_id, limit, out, count),                                                   \
      TZ_PRE_NEED(TZ_PRE_FITS(node, TZ_FS_ID) && case_id > 0 && limit > 0 &&                       \
                  limit <= TZ_STORE_LIST_MAX)                                                      \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /* node's outbox, newest first, at most limit (1..1000); free with free(). */                  \
    X(fed_out_list, (struct tz_store *store, const char *node, size_t limit,                       \
       struct tz_fed_out_rec **out, size_t *count),                                                \
      (store, node, limit, out, count),                                                            \
      TZ_PRE_NEED(TZ_PRE_FITS(node, TZ_FS_ID) && limit > 0 && limit <= TZ_STORE_LIST_MAX)          \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /* Each partner's queue (every node with a row in the outbox or the directory). */            \
    X(fed_queues, (struct tz_store *store, struct tz_fed_queue_rec **out, size_t *count),          \
      (store, out, count),                                                                         \
      TZ_PRE_EMPTY(out, count))
/* clang-format on */
TZ_STORE_FEDERATION_OPS(TZ_STORE_DECLARE)

#endif
