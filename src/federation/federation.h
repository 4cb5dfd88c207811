/*
 * federation.h - tarcza nodes that exchange the exchange's messages with each other (issue 17,
 * docs/federation.md).
 *
 * What this module promises:
 *   - the node directory: the partners this node talks to (id, name, country, endpoint, the
 *     SHA-256 fingerprint of their TLS certificate, their Ed25519 public key, working
 *     languages, the message types and handling codes they accept), each change checked field
 *     by field and written with its audit entry;
 *   - a node's identity: its Ed25519 key pair and a self-signed X.509 certificate with its key
 *     for TLS (tz_fed_identity_make);
 *   - the envelope: the canonical form a message travels in (a fixed header, the message's body,
 *     an Ed25519 signature over every byte before it), parsed strictly and bounded;
 *   - receipt: a message from a partner is verified (known sender, signature, timestamp within
 *     the window, its id not stored before with other content, its body a valid message from
 *     that sender) and stored through the exchange with the record of where it came from in
 *     the same transaction (a second copy is acknowledged, never stored twice); anything else
 *     is refused with a signed negative receipt that says why, and nothing of it is stored but
 *     the audit entry;
 *   - the outbox: a message sent to a partner is queued in the transaction that stores it (the
 *     store's trigger); tz_fed_send_next sends the head of a partner's queue through the
 *     caller's transport, one at a time in order, and settles it by the receipt that comes back
 *     (delivered, refused, or queued again after a back-off with jitter).
 *
 * It knows no wire format of its own beyond the envelope: the message's body is written and
 * read by the codec the caller gives (http's JSON form of a message), and bytes go out through
 * the caller's transport (libcurl in http). Every instant is seconds since the epoch, UTC.
 */
#ifndef TZ_FEDERATION_FEDERATION_H
#define TZ_FEDERATION_FEDERATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/fielderr.h"
#include "exchange/exchange.h"
#include "store/store.h"

#define TZ_FED_SIGN_PK 32                /* Ed25519 public key, bytes */
#define TZ_FED_SIGN_SK 64                /* Ed25519 secret key (libsodium's form), bytes */
#define TZ_FED_SIG 64                    /* Ed25519 signature, bytes */
#define TZ_FED_ENVELOPE_MAX (640 * 1024) /* the largest envelope read */
#define TZ_FED_WINDOW_S 300              /* default: how far an envelope's time may be from ours */

/* ---- identity ---- */

/*
 * Makes this node's identity in the folder dir (which must exist): sign.key (the Ed25519
 * secret key as hex, mode 0600), sign.pub (the public key as hex), tls.key (an ECDSA P-256 key,
 * PEM, 0600) and tls.crt (a self-signed X.509 certificate for node id, PEM, valid `days`,
 * with the subject alternative names DNS localhost and IP 127.0.0.1 besides host when given).
 * Refuses to overwrite (TZ_ECONFLICT); TZ_EINVAL for an id the directory would not take. Writes the
 * public key and the certificate's SHA-256 fingerprint (hex) to pub_hex and fpr_hex (TZ_FS_HEX
 * bytes each), what a partner's `tarcza node add` takes.
 */
tz_err tz_fed_identity_make(const char *dir, const char *id, const char *host, int days,
                            char *pub_hex, char *fpr_hex);
/* Reads a secret key file written by tz_fed_identity_make. TZ_ENOTFOUND, TZ_EINVAL. */
tz_err tz_fed_key_load(const char *path, uint8_t sk[TZ_FED_SIGN_SK]);
/* The SHA-256 fingerprint (lowercase hex, TZ_FS_HEX bytes) of the PEM certificate at path. */
tz_err tz_fed_cert_fingerprint_file(const char *path, char *fpr_hex);
/* The same of a DER certificate in memory. */
void tz_fed_cert_fingerprint(const uint8_t *der, size_t n, char *fpr_hex);
/* n bytes as lowercase hex into out (2n + 1 bytes). */
void tz_fed_hex(const uint8_t *p, size_t n, char *out);
/* Exactly 2n hex digits into n bytes: TZ_EINVAL otherwise. */
tz_err tz_fed_unhex(const char *hex, uint8_t *out, size_t n);

/* ---- the service ---- */

/* How the message's body is written and read (http's JSON form of a message). */
struct tz_fed_codec {
    /* Appends m's body to out. */
    tz_err (*encode)(const struct tz_xmsg *m, struct tz_buf *out);
    /* Reads n bytes into m (initialised by it; the caller clears it) and validates it. */
    tz_err (*decode)(const char *body, size_t n, struct tz_xmsg *m, struct tz_field_errors *errs);
};

/* This node. */
struct tz_fed_config {
    char node[TZ_FS_ID];        /* this node's id: the exchange's node code ("PL") */
    uint8_t sk[TZ_FED_SIGN_SK]; /* its signing key (unused for the directory only) */
    int64_t window_s;           /* 0: TZ_FED_WINDOW_S */
    int64_t alarm_s;            /* a queue whose oldest message waits longer is in alarm; 0: 3600 */
    const struct tz_fed_codec *codec; /* NULL: the directory only (receive and send: TZ_EINVAL) */
};

struct tz_fed;

/* Opens federation over store and x (which must outlive it). */
tz_err tz_fed_open(struct tz_store *store, struct tz_exchange *x, const struct tz_fed_config *cfg,
                   struct tz_fed **out);
/* Safe with NULL. */
void tz_fed_close(struct tz_fed *f);
/* This node's id. */
const char *tz_fed_node_id(const struct tz_fed *f);

/* ---- the node directory ---- */

/*
 * Checks every field of a partner (id of capitals, digits, '-' and '_', 2..31; a name; an ISO
 * 3166-1 country, alpha-3 written as alpha-2; an https:// endpoint; the fingerprint and the key
 * as 64 hex digits, in small letters after; languages as primary tags; message types and
 * handling codes of the exchange's tables), each mistake under the name of its field.
 * TZ_OK or TZ_EINVAL.
 */
tz_err tz_fed_node_check(struct tz_fed_node_rec *n, struct tz_field_errors *errs);
/* Adds a partner for who (this node's own id refused), audited: TZ_EINVAL (errs),
 * TZ_ECONFLICT when its id is there already. */
tz_err tz_fed_node_add(struct tz_fed *f, const struct tz_xactor *who, struct tz_fed_node_rec *n,
                       struct tz_field_errors *errs);
/* Removes a partner, audited: TZ_ENOTFOUND if there is none. */
tz_err tz_fed_node_remove(struct tz_fed *f, const struct tz_xactor *who, const char *id);
/*
 * What this node accepts from partner id (migration 23): message types and handling codes (lists
 * of codes, "" for any) and a body's size in bytes (0: any), enforced on receipt (refused with
 * not-accepted). Audited (federation.node.change): TZ_EINVAL (errs), TZ_ENOTFOUND.
 */
tz_err tz_fed_node_terms(struct tz_fed *f, const struct tz_xactor *who, const char *id,
                         const char *types, const char *handling, int64_t max_bytes,
                         struct tz_field_errors *errs);
/*
 * A partner rotated its keys: sign_key (64 hex digits) and, when not NULL, cert_sha256 become its
 * keys, and the ones they replace are still accepted for overlap_s seconds (0: refused at once;
 * signatures by the old key after that are refused with key-retired). Audited
 * (federation.node.change): TZ_EINVAL (errs), TZ_ENOTFOUND.
 */
tz_err tz_fed_node_rekey(struct tz_fed *f, const struct tz_xactor *who, const char *id,
                         const char *sign_key, const char *cert_sha256, int64_t overlap_s,
                         struct tz_field_errors *errs);
/*
 * Puts an Ed25519 key ("key") or a certificate's fingerprint ("cert"), 64 hex digits, on this
 * node's revocation list: envelopes signed by the key are refused with revoked (a signed
 * negative receipt), and a TLS client showing the certificate is refused at the door. Audited
 * (federation.revoke): TZ_EINVAL (errs), TZ_ECONFLICT when it is revoked already.
 */
tz_err tz_fed_revoke(struct tz_fed *f, const struct tz_xactor *who, const char *kind,
                     const char *hex, const char *reason, struct tz_field_errors *errs);
/* The revocation list; free with free(). */
tz_err tz_fed_revoked(struct tz_fed *f, struct tz_fed_revoked_rec **out, size_t *count);
/*
 * The door: whether a TLS client's certificate (its fingerprint) is a partner's, now: its
 * directory entry's, or the one it replaced while the overlap lasts, and not revoked. TZ_OK
 * with node's id in id (TZ_FS_ID bytes), TZ_ENOTFOUND (no partner's), TZ_EFORBIDDEN (revoked).
 */
tz_err tz_fed_door(struct tz_fed *f, const char *fpr, char *id);
/* Makes a new signing key pair in dir (a node's --node-dir): the old sign.key and sign.pub are
 * kept as sign.key.prev and sign.pub.prev; the new public key into pub_hex. */
tz_err tz_fed_key_rotate(const char *dir, char *pub_hex);

/* Every partner; free the array with free(). */
tz_err tz_fed_nodes(struct tz_fed *f, struct tz_fed_node_rec **out, size_t *count);

/* ---- the envelope (envelope.c; docs/federation.md "The canonical form") ---- */

/* A sealed message's body is the message's body in a libsodium sealed box for its addressee
 * node (crypto_box_seal to the X25519 key derived from the node's Ed25519 key in the
 * directory): the signature covers the sealed bytes, and only the addressee opens them. */
/* A batch's body is several message or sealed envelopes of one case, each signed, in the order
 * they are to be stored; the batch is signed besides (docs/federation.md "Batches"). */
/* A read receipt (kind read) says that a person at the sending node opened the message `id` of
 * its receiver; its body is one line "read-at: N\n". */
enum tz_fed_kind { TZ_FED_MESSAGE, TZ_FED_RECEIPT, TZ_FED_SEALED, TZ_FED_BATCH, TZ_FED_READ };
#define TZ_FED_BATCH_MAX 256 /* envelopes in one batch, at most */

/* An envelope as read (a receipt's id may be 0: it answers bytes that named none): the header's
 * fields, and where body and signature lie in its bytes. */
struct tz_fed_envelope {
    enum tz_fed_kind kind;
    int64_t id; /* message: the sender's message id; receipt: the id it answers */
    char from[TZ_FS_ID], to[TZ_FS_ID];
    int64_t sender_case;   /* message: the sender's case */
    int64_t receiver_case; /* message: the receiver's case as the sender knows it; 0: new */
    int64_t in_reply_to;   /* message: the receiver's id of the message it answers; 0: none */
    int64_t at;            /* when it was signed */
    const char *body;      /* into the parsed bytes */
    size_t body_len;
    size_t signed_len; /* the bytes the signature covers: 0 .. signed_len */
    uint8_t sig[TZ_FED_SIG];
};

/* Writes env's header and body (env->body, env->body_len), signed with sk, to out. */
tz_err tz_fed_envelope_write(const struct tz_fed_envelope *env, const uint8_t sk[TZ_FED_SIGN_SK],
                             struct tz_buf *out);
/*
 * Reads n bytes as one envelope in the canonical form, strictly (every header line, in order,
 * values in bounds, the body's length exact, the signature line last). TZ_EMALFORMED when it
 * is not one; TZ_ETOOBIG over TZ_FED_ENVELOPE_MAX. The body points into p.
 */
tz_err tz_fed_envelope_parse(const char *p, size_t n, struct tz_fed_envelope *out);
/* Reads the envelope at the start of p[0..n) (a batch's body holds several): as
 * tz_fed_envelope_parse, but bytes may follow; its length into *used. */
tz_err tz_fed_envelope_next(const char *p, size_t n, struct tz_fed_envelope *out, size_t *used);
/* Whether env's signature over its bytes p is pk's. */
bool tz_fed_envelope_verify(const struct tz_fed_envelope *env, const char *p,
                            const uint8_t pk[TZ_FED_SIGN_PK]);

/* ---- sealed boxes (seal.c) ---- */

/* Whether a message of this handling code travels sealed end to end: H2 (not to be passed on
 * without the provider's permission) and H3 (other restrictions), so that a relay between the
 * nodes cannot read it. */
bool tz_fed_must_seal(const char *handling);
/* Appends n bytes sealed for the node whose Ed25519 public key is pk (its X25519 key derived
 * from it) to out: crypto_box_SEALBYTES more than n. TZ_EINVAL for a key that is no point. */
tz_err tz_fed_seal(const char *p, size_t n, const uint8_t pk[TZ_FED_SIGN_PK], struct tz_buf *out);
/* Opens a sealed box with this node's Ed25519 secret key sk, appending the plain bytes to out:
 * TZ_EFORBIDDEN when it was not sealed for this key or was changed. */
tz_err tz_fed_unseal(const char *p, size_t n, const uint8_t sk[TZ_FED_SIGN_SK], struct tz_buf *out);

/* ---- receipts ---- */

/* Why a message is refused: the codes a negative receipt carries. */
enum tz_fed_reason {
    TZ_FED_OK,
    TZ_FED_MALFORMED,      /* not an envelope */
    TZ_FED_NOT_FOR_US,     /* addressed to another node */
    TZ_FED_UNKNOWN_SENDER, /* not in the directory */
    TZ_FED_BAD_SIGNATURE,  /* not signed by the sender's key, or changed since */
    TZ_FED_STALE,          /* its time outside the window */
    TZ_FED_REPLAYED_ID,    /* its id stored before with other content */
    TZ_FED_SCHEMA,         /* its body is no valid message */
    TZ_FED_ORIGINATOR,     /* the message's originator is not the sender */
    TZ_FED_NOT_ACCEPTED,   /* a type or handling code this node does not accept */
    TZ_FED_UNKNOWN_CASE,   /* it names a case of ours that is no case with the sender */
    TZ_FED_REFUSED,        /* the exchange refused it (its rules) */
    TZ_FED_FAILED,         /* this node could not store it now: try again */
    TZ_FED_BAD_SEAL,       /* sealed, but not for this node's key (or changed since) */
    TZ_FED_NOT_SEALED,     /* its handling code demands a sealed box and it came open */
    TZ_FED_KEY_RETIRED,    /* signed by the sender's previous key after its overlap ended */
    TZ_FED_REVOKED,        /* signed by a key on this node's revocation list */
    TZ_FED_REASON_COUNT
};
/* The reason's code ("bad-signature"); NULL out of range. */
const char *tz_fed_reason_code(enum tz_fed_reason r);
/* The code's reason: TZ_EINVAL for an unknown one. */
tz_err tz_fed_reason_parse(const char *s, size_t n, enum tz_fed_reason *out);

/* What became of a message at its receiver. */
struct tz_fed_outcome {
    enum tz_fed_reason reason; /* TZ_FED_OK: stored (or stored before: duplicate) */
    bool duplicate;
    int64_t message_id, case_id; /* at the receiver, when stored */
    char detail[160];            /* a word more on a refusal (a field's pointer) */
};

/*
 * Receives n bytes from a partner: verifies and stores the message they carry (see the top of
 * this file), and writes the signed receipt to give back to receipt (a buffer the caller has
 * made). Answers TZ_OK whenever a receipt was written, whatever it says (out says it);
 * TZ_ENOMEM or TZ_EIO otherwise.
 *
 * A batch (kind batch: several envelopes of one case) is received envelope by envelope in its
 * order, all of it in one store transaction (tz_store_hold: one commit), and answered with one
 * signed receipt per envelope, in the same order, one after another in receipt; out says
 * what became of the first. Once one of them could not be stored now (failed), the ones after
 * it are not tried (failed too), so that the sender's next try keeps the case's order.
 */
tz_err tz_fed_receive(struct tz_fed *f, const char *p, size_t n, struct tz_fed_outcome *out,
                      struct tz_buf *receipt);

/*
 * Reads a receipt for the message `id` this node sent to `partner`: parsed, signed by the
 * partner, for that message. TZ_EMALFORMED or TZ_EFORBIDDEN (not the partner's signature)
 * otherwise.
 */
tz_err tz_fed_receipt_read(struct tz_fed *f, const char *partner, int64_t id, const char *p,
                           size_t n, struct tz_fed_outcome *out);

/* ---- the outbox ---- */

/* Sends the n bytes of an envelope to a partner's endpoint; the receipt's bytes into reply
 * (made by the caller). TZ_EIO (or any error) when the partner could not be reached. */
struct tz_fed_transport {
    tz_err (*send)(void *ctx, const struct tz_fed_node_rec *to, const char *p, size_t n,
                   struct tz_buf *reply);
    void *ctx;
};

/* What one call of tz_fed_send_next did. */
struct tz_fed_sent {
    bool sent; /* a message was tried (false: the queue is empty or waits) */
    int64_t outbox_id, message_id;
    const char *state; /* "delivered", "refused", "queued" (try again later) */
    int64_t next_at;   /* when the next try is due (queued) */
    struct tz_fed_outcome outcome;
};

/*
 * Sends the head of partner's queue when it is due (its next_at has come), and settles it by
 * the receipt: delivered (the partner stored it, or had), refused (its negative receipt,
 * with the reason), or queued again after an exponential back-off with jitter (unreachable,
 * no valid receipt, or the partner could not store it now). One message at a time, so the
 * order within every case is kept. Each outcome is audited with the settle.
 */
tz_err tz_fed_send_next(struct tz_fed *f, const char *partner, const struct tz_fed_transport *t,
                        struct tz_fed_sent *out);
/*
 * Several messages in flight per partner, order kept within each case: the head of each of
 * partner's cases that is due now (the oldest queued message of the case, when its back-off has
 * run out), oldest first, at most max (1..1000); free with free(). The caller may send these
 * at once (tz_fed_send_row, from several threads: each settles in the store's group commit),
 * and must not send a case's next message before its head is settled.
 */
tz_err tz_fed_due(struct tz_fed *f, const char *partner, size_t max, struct tz_fed_out_rec **out,
                  size_t *count);
/* Sends row (one of tz_fed_due's) to partner and settles it, as tz_fed_send_next does. */
tz_err tz_fed_send_row(struct tz_fed *f, const char *partner, const struct tz_fed_out_rec *row,
                       const struct tz_fed_transport *t, struct tz_fed_sent *out);
/* What one call of tz_fed_send_case did. */
struct tz_fed_batch_sent {
    size_t sent, delivered, refused, queued;
};
/*
 * Sends the queued messages of head's case to partner, head (one of tz_fed_due's) first, at
 * most max (1..TZ_FED_BATCH_MAX) in one batch envelope, and settles each by its receipt as
 * tz_fed_send_next does. The messages are read in one store transaction and settled in another
 * (tz_store_hold), so a batch costs two commits here and one at the partner.
 */
tz_err tz_fed_send_case(struct tz_fed *f, const char *partner, const struct tz_fed_out_rec *head,
                        size_t max, const struct tz_fed_transport *t,
                        struct tz_fed_batch_sent *out);
/*
 * Sends partner the read receipts this node owes it (a person here opened its message: queued by
 * the store in the read's transaction), one signed read envelope each, and settles each by the
 * partner's receipt (sent; refused; or queued again after a back-off). *sent counts the settled.
 */
tz_err tz_fed_send_reads(struct tz_fed *f, const char *partner, const struct tz_fed_transport *t,
                         size_t *sent);
/* partner's outbox, newest first, at most limit (1..1000): each message's state, its delivery
 * and its read receipt; for the SPOC's supervisor, audited (federation.nodes). Free with free(). */
tz_err tz_fed_outbox(struct tz_fed *f, const struct tz_xactor *who, const char *partner,
                     size_t limit, struct tz_fed_out_rec **out, size_t *count);
/* The back-off before try number `attempts` + 1 (1 s doubling to at most 5 min, plus up to a
 * quarter more at random). */
int64_t tz_fed_backoff(int attempts);

/* This node's clock (the exchange's), seconds since the epoch. */
int64_t tz_fed_now(const struct tz_fed *f);
/* Whether a partner's queue is in alarm: its oldest undelivered message older than alarm_s. */
bool tz_fed_alarm(const struct tz_fed *f, const struct tz_fed_queue_rec *q);

/* Each partner's queue for the metrics (/metrics): counts and ages only, no message, so not
 * audited; free with free(). */
tz_err tz_fed_gauges(struct tz_fed *f, struct tz_fed_queue_rec **out, size_t *count);

/* Each partner's queue as operations watch it; free with free(). */
tz_err tz_fed_queues(struct tz_fed *f, const struct tz_xactor *who, struct tz_fed_queue_rec **out,
                     size_t *count);

#endif
