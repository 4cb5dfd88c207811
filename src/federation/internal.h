/*
 * internal.h - what the files of the federation module share.
 */
#ifndef TZ_FEDERATION_INTERNAL_H
#define TZ_FEDERATION_INTERNAL_H

#include <pthread.h>

#include "federation/federation.h"

#define TZ_FED_RECEIVE_STRIPES 64

struct tz_fed {
    struct tz_store *store;
    struct tz_exchange *x;
    struct tz_fed_config cfg;
    uint8_t pk[TZ_FED_SIGN_PK]; /* this node's public key, from cfg.sk */
    /* One receipt at a time per sender's case (its look-up of the id and its write): a case's
     * messages are placed one after another, different cases are received at once and share
     * the exchange's group commit. Striped by a hash of sender and case. */
    pthread_mutex_t receive_mu[TZ_FED_RECEIVE_STRIPES];
};

/* The audit entry of an act of federation itself (not a person's): actor "node:<id>". */
struct tz_audit_rec tz_fed_audit(const struct tz_fed *f, const char *action, const char *client,
                                 const char *outcome);

/* A node's id: capitals, digits, '-' and '_', 2 to TZ_FS_ID - 1 of them. */
bool tz_fed_id_ok(const char *s);

/* The comma-separated list (an entry of the directory) holds code (or is empty: everything). */
bool tz_fed_list_allows(const char *list, const char *code);

/* 64 hex digits, written in small letters after. */
bool tz_fed_hex32(char *s);
/* Every item of a comma-separated list is a row of table (or, for table < 0, a language). */
bool tz_fed_list_ok(const char *list, int table);
/* The audit entry of a person's change to the directory. */
struct tz_audit_rec tz_fed_person_audit(const struct tz_fed *f, const struct tz_xactor *who,
                                        const char *action, const char *outcome);
/* The sender's key that signed env (its bytes p): the directory's, or its previous one while
 * the overlap lasts, and not revoked. TZ_FED_OK or why not (terms.c). */
enum tz_fed_reason tz_fed_signer_ok(struct tz_fed *f, const struct tz_fed_node_rec *node,
                                    const struct tz_fed_envelope *env, const char *p);

/* A new Ed25519 key pair written to dir/key_name (0600) and dir/pub_name, never over a file
 * (TZ_ECONFLICT); the public key into pub_hex (keys.c). */
tz_err tz_fed_keypair_write(const char *dir, const char *key_name, const char *pub_name,
                            char *pub_hex);

/* ---- the outbox (outbox.c), shared with batches (batch.c) ---- */

/* The signed envelope of the outbox row's message for partner node, appended to out:
 * TZ_EFORBIDDEN when the partner's entry does not take it. */
tz_err tz_fed_envelope_of(struct tz_fed *f, const struct tz_fed_node_rec *node,
                          const struct tz_fed_out_rec *row, struct tz_buf *out);
/* Whether a refusal is tried again after a back-off rather than settled. */
bool tz_fed_retry(enum tz_fed_reason r);
/* Settles row by out's outcome (error: why the attempt failed, or NULL), audited. */
tz_err tz_fed_settle_row(struct tz_fed *f, const struct tz_fed_out_rec *row,
                         struct tz_fed_sent *out, const char *error);

/* ---- receipt, shared by the single envelope and the batch (receive.c, batch.c) ---- */

/* Reads p[0..n) as one envelope (a batch when batch, else a message or a sealed one) and checks
 * it and its sender: TZ_FED_OK with env and node filled, or why not. */
enum tz_fed_reason tz_fed_check_envelope(struct tz_fed *f, const char *p, size_t n, bool batch,
                                         struct tz_fed_envelope *env, struct tz_fed_node_rec *node);
/* Opens (when sealed), looks up, checks against this node's terms for its sender (node) and
 * stores a checked envelope's message, with the caller holding tz_fed_stripe(env); what became
 * of it into out. env's body is spent. */
enum tz_fed_reason tz_fed_accept(struct tz_fed *f, struct tz_fed_envelope *env,
                                 const struct tz_fed_node_rec *node, struct tz_fed_outcome *out);
/* The lock that serialises env's case (sender and sender's case, striped). */
pthread_mutex_t *tz_fed_stripe(struct tz_fed *f, const struct tz_fed_envelope *env);
/* A refusal's audit entry (federation.receive). */
void tz_fed_refusal_audit(struct tz_fed *f, const struct tz_fed_envelope *env, bool parsed,
                          const struct tz_fed_outcome *out);
/* Appends the signed receipt of out (for env when parsed) to receipt. */
tz_err tz_fed_receipt_write(struct tz_fed *f, const struct tz_fed_envelope *env, bool parsed,
                            const struct tz_fed_outcome *out, struct tz_buf *receipt);
/* Records a checked read envelope (read.c): TZ_FED_OK, or why not. */
enum tz_fed_reason tz_fed_read_in(struct tz_fed *f, const struct tz_fed_envelope *env,
                                  struct tz_fed_outcome *out);
/* Whether p[0..n) begins as a batch envelope does. */
bool tz_fed_is_batch(const char *p, size_t n);
/* tz_fed_receive of a batch. */
tz_err tz_fed_receive_batch(struct tz_fed *f, const char *p, size_t n, struct tz_fed_outcome *out,
                            struct tz_buf *receipt);

#endif
