/*
 * spoc.h - what a SPOC does beyond sending and reading messages (issue 14):
 *   - Art. 9 deviations: a received request that needs a judicial
 *     authorisation gets more time; the expected delay and the reasons are
 *     recorded, the due instant moves by the delay, and the requester is told
 *     in a message of type "deviation" to its unit in the case;
 *   - Art. 18 statistics of a year: requests sent and received, urgent and
 *     not, refusals by ground, deviations, in total and per partner;
 *   - H2: the provider's permission to pass a message's information on to a
 *     recipient, recorded, and a pass-on (forward) that needs it;
 *   - an attachment of a message read whole, with its SHA-256.
 * Each change and each read is audited in the transaction of its effect.
 * Like exchange.h it takes and returns structs; http and cli render them.
 */
#ifndef TZ_EXCHANGE_SPOC_H
#define TZ_EXCHANGE_SPOC_H

#include "exchange/exchange.h"

/* ---- Art. 9 deviations ---- */

#define TZ_X_DEVIATION_MIN_S 3600             /* an hour */
#define TZ_X_DEVIATION_MAX_S (90 * 24 * 3600) /* ninety days */

/* A deviation as the SPOC records it. */
struct tz_xdeviation {
    int64_t delay_s;     /* the expected delay: TZ_X_DEVIATION_MIN_S..TZ_X_DEVIATION_MAX_S */
    const char *reasons; /* required: why a judicial authorisation is needed (request's language) */
};

/*
 * Records deviation d on received request id for who (an actor of a unit the request
 * addresses): the request's due instant moves later by the delay (a compare-and-set on its
 * clock), and a message of type deviation, in the request's language, goes to the requester's
 * unit in the case, all with its audit entry in one transaction. out: the new message, its
 * case and the request's new due instant. TZ_EINVAL (errs) for a bad delay or reasons or a
 * message that is no received request; TZ_ECONFLICT when the request is answered or its
 * clock moved meanwhile; TZ_EFORBIDDEN; TZ_ENOTFOUND.
 */
tz_err tz_exchange_deviate(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                           const struct tz_xdeviation *d, struct tz_xreceipt *out,
                           struct tz_field_errors *errs);

/* ---- Art. 18 statistics ---- */

#define TZ_X_STAT_PARTNERS 256

/* What one side (sent or received) counts. */
struct tz_xstat_side {
    int64_t requests, urgent, not_urgent;
    int64_t refusals, by_ground[TZ_XG_COUNT]; /* a refusal counts once under each ground */
    int64_t deviations;
};
struct tz_xstat_partner {
    char node[TZ_X_NODE_MAX];
    struct tz_xstat_side sent, received;
};
/* A year's statistics (a calendar year in Polish time); partners sorted by node. */
struct tz_xstats {
    int year;
    struct tz_xstat_side sent, received;
    size_t partner_count;
    struct tz_xstat_partner partners[TZ_X_STAT_PARTNERS];
};

/* The year of instant t in Polish time. */
int tz_exchange_year_of(int64_t t);
/*
 * The statistics of year (2000-9999) into out, for who (TZ_EFORBIDDEN unless the actor reads
 * every unit's exchange: the SPOC's supervisor), the read audited. TZ_EINVAL for a year out of
 * range.
 */
tz_err tz_exchange_stats(struct tz_exchange *x, const struct tz_xactor *who, int year,
                         struct tz_xstats *out);

/* ---- H2: permissions and pass-on ---- */

/*
 * Records that the provider of received H2 message id permits passing its information on to
 * node `to`, for who (who may read the message), audited. TZ_EINVAL (errs) for a node that is
 * no node, or a message that is not a received H2 one; TZ_EFORBIDDEN; TZ_ENOTFOUND.
 */
tz_err tz_exchange_permit(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                          const char *to, struct tz_field_errors *errs);

/*
 * Passes the information of message id on in m (sent by this node, in id's case unless m names
 * another): with H2 every addressee but the provider and this node needs the provider's
 * recorded permission (TZ_EFORBIDDEN, the addressee named in errs, nothing stored). Then as
 * tz_exchange_submit. TZ_EFORBIDDEN also when who may not read id.
 */
tz_err tz_exchange_forward(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                           struct tz_xmsg *m, struct tz_xreceipt *out,
                           struct tz_field_errors *errs);

/* ---- attachments ---- */

/* An attachment read whole: its description and bytes (owned: tz_xattachment_clear). */
void tz_xattachment_clear(struct tz_xattachment *a);
/*
 * Attachment idx (from 0) of message id for who (who may read the message), the read audited
 * (object xattach/ID/IDX). TZ_ENOTFOUND when there is no such message or attachment.
 */
tz_err tz_exchange_attachment(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                              size_t idx, struct tz_xattachment *out);

#endif
