/*
 * exchange.h - the store's structured exchange (migration 9): cases, their
 * messages with addressees, entities (each field a name/value row, so a new
 * field needs no migration), the exact keys of entities for the cross-check
 * (Art. 16(d)), and links. A message is written whole in one transaction with
 * its audit entry; a read of a message, a case or an inbox is written to the
 * audit log in the same transaction as the read. Codes are stored as the
 * exchange's stable codes; the rules live in src/exchange.
 */
#ifndef TZ_STORE_EXCHANGE_H
#define TZ_STORE_EXCHANGE_H

#include "store/common.h"

struct tz_xevent_rec;
struct tz_xnfip_rec;

#define TZ_XS_CODE 32  /* a code, a node, a reference; NUL included */
#define TZ_XS_UNIT 64  /* a unit */
#define TZ_XS_NAME 128 /* a name, an officer, a field's name */
#define TZ_XS_LONG 512 /* reasons, restrictions, a field's value */
#define TZ_XS_SUBJECT 256
#define TZ_XS_KEY 160   /* a cross-check key ("doc:PL:AB123") */
#define TZ_XS_PAGE 200  /* the longest inbox page */
#define TZ_XS_CASE 1000 /* the most messages of a case's thread that one read returns */

struct tz_xaddr_rec {
    char node[TZ_XS_CODE], unit[TZ_XS_UNIT];
    int cc;
};
/* One field of an entity: name, position (in a list field), value as text. */
struct tz_xfield_rec {
    char name[TZ_XS_CODE];
    int idx;
    char value[TZ_XS_LONG];
};
struct tz_xentity_rec {
    int64_t id;
    char ref[TZ_XS_CODE], kind[TZ_XS_CODE];
    struct tz_xfield_rec *fields; /* owned by the record (tz_store_xmsg_free) */
    size_t field_count;
    char keys[4][TZ_XS_KEY]; /* exact keys for the cross-check */
    size_t key_count;
};
struct tz_xlink_rec {
    char from[TZ_XS_CODE], to[TZ_XS_CODE], role[TZ_XS_CODE];
};

/* A request's reply clock as stored: state none (no clock), open, paused, answered, refused. */
struct tz_xstate_rec {
    char state[TZ_XS_CODE];
    int64_t due_at;       /* as computed at the last change (0: none) */
    int64_t paused_since; /* 0 while it runs */
    int64_t paused_total;
};

/* A stored message. Arrays and text are owned by the record: tz_store_xmsg_free. */
struct tz_xmsg_rec {
    int64_t id, case_id, in_reply_to;
    int inbound;  /* 1: received from a partner; 0: sent by this node */
    int64_t at;   /* received or sent */
    char subject[TZ_XS_SUBJECT], crime_area[TZ_XS_NAME]; /* the case's (read), a new case's */
    char type[TZ_XS_CODE], from_node[TZ_XS_CODE], from_unit[TZ_XS_UNIT], officer[TZ_XS_NAME];
    char lang[TZ_XS_CODE + 8], handling[TZ_XS_CODE], restriction[TZ_XS_LONG];
    char source[TZ_XS_CODE], info[TZ_XS_CODE], urgency[TZ_XS_CODE];
    char art4_exception[TZ_XS_CODE], art4_reasons[TZ_XS_LONG], reasons[TZ_XS_LONG];
    char notice_type[TZ_XS_CODE];
    int64_t grounds; /* bit set, as the exchange numbers them */
    int64_t delay_s; /* a deviation's delay (read from x_deviations), 0: none */
    struct tz_xstate_rec clock;
    char notice_state[TZ_XS_CODE]; /* a notice's first state (written with it), or "" */
    char *text; /* may be NULL */
    struct tz_xaddr_rec *addressees;
    size_t addressee_count;
    struct tz_xentity_rec *entities;
    size_t entity_count;
    struct tz_xlink_rec *links;
    size_t link_count;
    struct tz_xattach_rec *attachments; /* owned array; each data borrowed (see above) */
    size_t attachment_count;
};

/* One line of an inbox, an outbox or a case's thread. */
struct tz_xhead_rec {
    int64_t id, case_id, in_reply_to, at;
    int inbound;
    char type[TZ_XS_CODE], from_node[TZ_XS_CODE], from_unit[TZ_XS_UNIT], handling[TZ_XS_CODE];
    char urgency[TZ_XS_CODE], subject[TZ_XS_SUBJECT], lang[TZ_XS_CODE + 8];
    struct tz_xstate_rec clock;
};

/* A stored entity found by a key of an incoming one. */
struct tz_xhit_rec {
    char key[TZ_XS_KEY];
    int64_t entity_id, message_id, case_id;
};

/*
 * The state change of another message that a write carries (the request it answers): a
 * compare-and-set, written only while the request's clock is still `was` (state, paused_since,
 * paused_total as read), else the write is TZ_ECONFLICT (two answers at once: one wins).
 */
struct tz_xstate_change {
    int64_t message_id;
    struct tz_xstate_rec was;
    struct tz_xstate_rec clock;
};

/* An attachment of a stored message: what it is, its SHA-256, and its bytes (borrowed on a
 * write; NULL in a message read, which lists attachments without their bytes). */
struct tz_xattach_rec {
    char name[TZ_XS_NAME], type[TZ_XS_CODE];
    char sha256[65]; /* hex */
    size_t size;
    const unsigned char *data;
};

/* An Art. 9 deviation written with the message that informs the requester of it. */
struct tz_xdeviation_rec {
    int64_t request_id;
    int64_t delay_s;
    char reasons[TZ_XS_LONG];
    char actor[TZ_XS_NAME];
};

/* A notice's step in its lifecycle: from one state to another (compare-and-set on from). */
struct tz_xnotice_step {
    int64_t message_id;
    char from[TZ_XS_CODE], to[TZ_XS_CODE]; /* from "": the notice is new (no row yet) */
    int64_t at;
    char reviewed_by[TZ_XS_NAME]; /* the reviewer who recorded the neutrality check, or "" */
    char step_note[TZ_XS_LONG];    /* why (the last step that said) */
};

/* One entity of a published notice (for screening). */
struct tz_xnotice_entity_rec {
    int64_t message_id;
    char notice_type[TZ_XS_CODE];
    struct tz_xentity_rec entity; /* its fields owned: tz_store_xnotice_entities_free */
};
void tz_store_xnotice_entities_free(struct tz_xnotice_entity_rec *recs, size_t count);

/* One message of a batch (x_put_messages): what to write, and what came of it. */
struct tz_xput {
    const struct tz_xmsg_rec *msg;
    const struct tz_xstate_change *change; /* may be NULL */
    const struct tz_audit_rec *audit;      /* may be NULL */
    const struct tz_xdeviation_rec *deviation; /* may be NULL: an Art. 9 deviation's record */
    /* An nfip_event's event row, an NFIP message's part (exchange_events.h); may be NULL. */
    const struct tz_xevent_rec *event;
    const struct tz_xnfip_rec *nfip;
    int64_t id, case_id;                   /* out */
    tz_err err;                            /* out: this message's own outcome */
};

/* Frees what rec owns (arrays and text); safe on a zeroed record. */
void tz_store_xmsg_free(struct tz_xmsg_rec *rec);

/* clang-format off */
#define TZ_STORE_EXCHANGE_OPS(X)                                                                   \
    /*                                                                                             \
     * Stores n messages in one transaction (one fsync: group commit), each whole in a savepoint   \
     * of its own: a new case first when its case_id is 0 (subject, crime area, owner: the        \
     * originator), the message, its addressees, entities with fields and keys, links, a notice's  \
     * first state; its change (may be NULL) sets the clock of the request it answers, and its     \
     * audit (may be NULL; a NULL object becomes "xmsg/ID") is appended, with its attachments,  \
     * its deviation (may be NULL) and an event's row or an NFIP part (exchange_events.h). A       \
     * message refused (items[i].err: TZ_ENOTFOUND when its case, in_reply_to or event names       \
     * nothing, TZ_ECONFLICT when its change's clock moved or its case is concluded) rolls back    \
     * to its savepoint and the others commit. TZ_OK when the transaction committed; otherwise     \
     * every item's err is the failure and nothing was written.                                    \
     */                                                                                            \
    X(x_put_messages, (struct tz_store *store, struct tz_xput *items, size_t n),                   \
      (store, items, n),                                                                           \
      TZ_PRE_NEED(items && n > 0))                                                                 \
    /*                                                                                             \
     * Reads message id whole into out (free with tz_store_xmsg_free), appending audit (may be     \
     * NULL; its object "xmsg/ID") in the same transaction. TZ_ENOTFOUND if there is none.         \
     */                                                                                            \
    X(x_get_message, (struct tz_store *store, int64_t id, const struct tz_audit_rec *audit,        \
       struct tz_xmsg_rec *out),                                                                   \
      (store, id, audit, out),                                                                     \
      TZ_PRE_NEED(out && TZ_PRE_AUDIT(audit)) TZ_PRE_IF(id <= 0, TZ_ENOTFOUND))                    \
    /*                                                                                             \
     * The messages of case case_id, oldest first (at most TZ_XS_CASE), with audit in the same     \
     * transaction. Free the array with free(). TZ_ENOTFOUND if there is no such case.             \
     */                                                                                            \
    X(x_case_messages, (struct tz_store *store, int64_t case_id, const struct tz_audit_rec *audit, \
       struct tz_xhead_rec **out, size_t *count),                                                  \
      (store, case_id, audit, out, count),                                                         \
      TZ_PRE_NEED(TZ_PRE_AUDIT(audit)) TZ_PRE_EMPTY(out, count) TZ_PRE_IF(case_id <= 0,           \
                                                                          TZ_ENOTFOUND))          \
    /*                                                                                             \
     * A unit's box: inbound messages addressed to it (inbox) or outbound ones it sent (outbox),   \
     * requests with a running or stopped clock first by due instant, then the rest newest first;  \
     * at most limit (<= TZ_XS_PAGE) with audit in the same transaction. Free with free().         \
     */                                                                                            \
    X(x_box, (struct tz_store *store, const char *unit, int inbox, size_t limit,                   \
       const struct tz_audit_rec *audit, struct tz_xhead_rec **out, size_t *count),                \
      (store, unit, inbox, limit, audit, out, count),                                              \
      TZ_PRE_NEED(TZ_PRE_FITS(unit, TZ_XS_UNIT) && limit <= TZ_XS_PAGE && TZ_PRE_AUDIT(audit))     \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /*                                                                                             \
     * The stored entities with any of the n keys (exact match), at most TZ_XS_PAGE hits; free     \
     * the array with free().                                                                      \
     */                                                                                            \
    X(x_cross_check, (struct tz_store *store, const char *const *keys, size_t n,                   \
       struct tz_xhit_rec **out, size_t *count),                                                   \
      (store, keys, n, out, count),                                                                \
      TZ_PRE_NEED(keys || n == 0) TZ_PRE_EMPTY(out, count))                                        \
    /*                                                                                             \
     * Moves a notice one step (a new one: from ""), with audit in the same transaction.           \
     * TZ_ECONFLICT when it is not in step->from (someone moved it first); TZ_ENOTFOUND when       \
     * there is no such message.                                                                   \
     */                                                                                            \
    X(x_notice_step, (struct tz_store *store, const struct tz_xnotice_step *step,                  \
       const struct tz_audit_rec *audit),                                                          \
      (store, step, audit),                                                                        \
      TZ_PRE_NEED(step && step->message_id > 0 && TZ_PRE_AUDIT(audit)))                             \
    /* A notice's state into out (TZ_XS_CODE bytes); TZ_ENOTFOUND if it has none. */               \
    X(x_notice_state, (struct tz_store *store, int64_t message_id, char *out),                     \
      (store, message_id, out),                                                                    \
      TZ_PRE_NEED(out) TZ_PRE_IF(message_id <= 0, TZ_ENOTFOUND))                                   \
    /*                                                                                             \
     * The persons, documents and vehicles of published notices whose entity id is above after,    \
     * by entity id, at most limit (<= TZ_XS_PAGE): a page of what screening checks against.       \
     * Free with tz_store_xnotice_entities_free.                                                   \
     */                                                                                            \
    X(x_published_entities, (struct tz_store *store, int64_t after, size_t limit,                  \
       struct tz_xnotice_entity_rec **out, size_t *count),                                         \
      (store, after, limit, out, count),                                                           \
      TZ_PRE_NEED(limit > 0 && limit <= TZ_XS_PAGE) TZ_PRE_EMPTY(out, count))
/* clang-format on */
TZ_STORE_EXCHANGE_OPS(TZ_STORE_DECLARE)

#endif
