/*
 * internal.h - what the files of the exchange module share and nobody else
 * may use.
 */
#ifndef TZ_EXCHANGE_INTERNAL_H
#define TZ_EXCHANGE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "exchange/exchange.h"

/* Whether the n bytes at s are well-formed UTF-8 (RFC 3629) without control characters other
 * than tab, line feed and carriage return. */
bool tz_x_text_ok(const char *s, size_t n);

/* Whether two language tags share their primary subtag, ASCII case ignored ("en-GB", "EN"). */
bool tz_x_same_language(const char *a, const char *b);

/* The value of field f of e as text (a code by its code), into out of size bytes. */
void tz_x_field_text(const struct tz_xentity *e, const struct tz_xfield *f, char *out, size_t size);
/* Sets field `name` of e (of e->kind) from its text: TZ_EINVAL for no such field or a bad value. */
tz_err tz_x_field_set(struct tz_xentity *e, const char *name, const char *value);

/* The attachments of m (attachments.c): count, sizes, names, the type sniffed from the bytes
 * against the declared one; sets each sha256. Appends to errs. */
void tz_x_check_attachments(struct tz_xmsg *m, struct tz_field_errors *errs);

/* m as the store's record (which owns its copies afterwards; free with tz_store_xmsg_free). */
tz_err tz_x_to_rec(const struct tz_xmsg *m, struct tz_xmsg_rec *r);
/* The store's record as a message (init'ed first; the caller clears it whatever the answer). */
tz_err tz_x_from_rec(const struct tz_xmsg_rec *r, struct tz_xmsg *m);
/* A stored entity as the exchange's (e zeroed by the caller); TZ_EIO for what no table knows. */
tz_err tz_x_entity_from_rec(const struct tz_xentity_rec *r, struct tz_xentity *e);
/* The state a new notice starts in: a received one is published (INTERPOL published it), one
 * this node writes is a draft. "" for a message that is no notice. */
const char *tz_x_notice_first_state(const struct tz_xmsg *m, bool inbound);
/* The handle's store, and an audit entry of who at the handle's now (notices.c). */
struct tz_store *tz_x_store(const struct tz_exchange *x);
/* Raises the notices' version after a notice was stored or moved (tz_exchange_notices_version). */
void tz_x_notices_moved(struct tz_exchange *x);
struct tz_audit_rec tz_x_audit(const struct tz_exchange *x, const struct tz_xactor *who,
                               enum tz_audit_action action, const char *object);
/* Heads as lines with their deadlines as of now, in their order (service.c). */
tz_err tz_x_lines_of(const struct tz_xhead_rec *h, size_t n, int64_t now, struct tz_xlines *out);

/* The steps who may make from state `from` of the notice v (the transition table's rows of
 * that state whose role and unit who has), into out (TZ_XNS_COUNT rows); their number. */
size_t tz_x_notice_offers(const struct tz_xactor *who, const struct tz_xview *v, int from,
                          struct tz_xnotice_offer *out);
/* The state of a stored notice state's code; -1 for none. */
int tz_x_notice_state_parse(const char *code);
/* What service.c lends the other files (deviation.c, stats.c, passon.c, attachments.c). */
const struct tz_xnode_config *tz_x_config(const struct tz_exchange *x);
/* Whether who may read the stored message (its units, or every unit's). */
tz_err tz_x_may_read(const struct tz_exchange *x, const struct tz_xactor *who,
                     const struct tz_xmsg_rec *rec);
/* Whether who may send (or receive: inbound) a message from from_unit to `to`. */
tz_err tz_x_may_send(const struct tz_xactor *who, bool inbound, const char *from_unit,
                     const struct tz_xparty *to, size_t to_count);
/* The reply clock of a stored request, and a clock as the store's state record. */
struct tz_xclock tz_x_clock_of(const struct tz_xmsg_rec *rec);
void tz_x_state_of(const struct tz_xclock *c, const char *state, int64_t now,
                   struct tz_xstate_rec *out);
/* Writes put durably through the group commit (put->err and put->id say how it went). */
tz_err tz_x_write(struct tz_exchange *x, struct tz_xput *put);
/* Art. 9 from a partner (deviation.c): what a received deviation m, answering stored request
 * `req` (its record trec), does: the request's due instant moves later by m's delay (*change)
 * and the deviation is recorded (*dev). TZ_EINVAL with errs for a deviation that is not a
 * partner's answer to a request this node sent, TZ_ECONFLICT when the request's clock no longer
 * runs. */
tz_err tz_x_partner_deviation(const struct tz_xmsg *m, bool inbound, const struct tz_xmsg *req,
                              const struct tz_xmsg_rec *trec, int64_t now,
                              struct tz_xstate_change *change, struct tz_xdeviation_rec *dev,
                              struct tz_field_errors *errs);
/*
 * tz_exchange_submit with the parts an NFIP message carries (events.c): an
 * nfip_event's row (event) or another NFIP message's part (nfip), each may be
 * NULL, written in the message's transaction. An NFIP type without either is
 * refused (it belongs to its event).
 */
tz_err tz_x_submit(struct tz_exchange *x, const struct tz_xactor *who, bool inbound,
                   struct tz_xmsg *m, const struct tz_xevent_rec *event,
                   const struct tz_xnfip_rec *nfip, struct tz_xreceipt *out,
                   struct tz_field_errors *errs);
/*
 * A diffusion this node sends goes to chosen partners: at least one
 * addressee of another node, none named twice. Appends to errs.
 */
void tz_exchange_check_diffusion(const struct tz_xnode_config *cfg, const struct tz_xmsg *m,
                                 struct tz_field_errors *errs);

#endif
