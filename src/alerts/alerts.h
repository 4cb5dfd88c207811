/*
 * alerts.h - alerts for an area (issue 19): anyone may follow an area (a
 * district, a rectangle, a polygon or a radius around a point) and some
 * categories, through an Atom feed (no account), a webhook of a city system
 * (registered by an admin on the command line), or an e-mail address
 * (double opt-in, one-click unsubscribe that deletes the address).
 *
 * What is sent is only what the public map shows (threatmap's public API),
 * in its public text. A background sender matches each new public report
 * against the subscriptions into a durable outbox (store/alerts.h: at most
 * one row per subscription and report, the cursor moved in the same
 * commit), then delivers what is due: webhooks by HTTP POST signed with
 * HMAC-SHA256, mail through an SMTP relay (libcurl both), retried with
 * exponential back-off and jitter, a subscription disabled after
 * max_failures failures in a row, every attempt in the delivery log.
 *
 * The module knows no wire format: the door that starts the sender gives it
 * a renderer (tz_alert_render_fn) that writes the webhook's body and the
 * mail's message; the feed is a list of report records the door writes.
 */
#ifndef TZ_ALERTS_ALERTS_H
#define TZ_ALERTS_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fielderr.h"
#include "store/store.h"
#include "threatmap/threatmap.h"

/* ---- an area and what a subscription follows ---- */

#define TZ_ALERT_POLYGON_MAX 64  /* vertices of a polygon */
#define TZ_ALERT_RADIUS_MIN 10.0 /* metres of a circle */
#define TZ_ALERT_RADIUS_MAX 50000.0
#define TZ_ALERT_CATEGORIES_MAX 16 /* categories one subscription names */
#define TZ_ALERT_FEED_MAX 50       /* entries of a feed */
#define TZ_ALERT_EMAIL_MAX 254     /* bytes of an address (RFC 5321) */
#define TZ_ALERT_SPAN_LAT 1.0      /* degrees north-south of a box or a polygon */
#define TZ_ALERT_SPAN_LON 2.0      /* degrees west-east (a circle of 50 km fits both) */

enum tz_alert_area_kind {
    TZ_AREA_BBOX,     /* bbox:W,S,E,N */
    TZ_AREA_CIRCLE,   /* circle:LON,LAT,METRES */
    TZ_AREA_POLYGON,  /* polygon:LON LAT,LON LAT,... (3..64 vertices, closed implicitly) */
    TZ_AREA_DISTRICT, /* district:ID */
};

struct tz_alert_area {
    enum tz_alert_area_kind kind;
    double west, south, east, north; /* the box that holds it (not for a district) */
    double lon, lat, radius_m;       /* a circle */
    size_t n;                        /* a polygon's vertices */
    double xs[TZ_ALERT_POLYGON_MAX], ys[TZ_ALERT_POLYGON_MAX];
    char district[TZ_ID_MAX];
};

/*
 * Reads an area from its text (n bytes, the forms above; numbers in decimal,
 * degrees on the globe, a box west <= east and south <= north, spanning at
 * most TZ_ALERT_SPAN_LAT by TZ_ALERT_SPAN_LON degrees). TZ_EINVAL
 * with why (a static string) for text that is not one; out is then undefined.
 */
tz_err tz_alert_area_parse(const char *s, size_t n, struct tz_alert_area *out, const char **why);
/* The canonical text of an area into out (size bytes); TZ_ETOOBIG if it does not fit. */
tz_err tz_alert_area_format(const struct tz_alert_area *a, char *out, size_t size);
/* Whether a point (and the district it lies in, may be NULL) lies in the area. */
bool tz_alert_area_contains(const struct tz_alert_area *a, double lat, double lon,
                            const char *district_id);

/* What a subscription follows: an area and categories (none: every category). */
struct tz_alert_spec {
    struct tz_alert_area area;
    size_t category_count;
    char categories[TZ_ALERT_CATEGORIES_MAX][TZ_CODE_MAX];
};
/* Adds a category code (n bytes) of tm's catalogue: TZ_EINVAL for an unknown one or too many. */
tz_err tz_alert_spec_category(const struct tz_threatmap *tm, struct tz_alert_spec *spec,
                              const char *code, size_t n);
/* Checks what the catalogue decides (a district that exists): TZ_EINVAL with why. */
tz_err tz_alert_spec_check(const struct tz_threatmap *tm, const struct tz_alert_spec *spec,
                           const char **why);
/* Whether a report (its category, point and district) is one the spec follows. */
bool tz_alert_spec_matches(const struct tz_alert_spec *spec, const struct tz_report_rec *rec);

/* ---- the service ---- */

/* What the sender hands the renderer: one message for one subscription. */
enum tz_alert_message_kind {
    TZ_ALERT_WEBHOOK, /* the body of a webhook's POST */
    TZ_ALERT_MAIL,    /* a report by mail: the whole RFC 5322 message */
    TZ_ALERT_CONFIRM, /* the confirmation mail of a new address */
};
struct tz_alert_message {
    enum tz_alert_message_kind kind;
    int64_t sub_id;
    int64_t delivery_id;                /* the outbox row: the same on every retry */
    const struct tz_report_rec *report; /* public fields only; NULL for TZ_ALERT_CONFIRM */
    /* The public status change this message tells of, or NULL for the report's arrival: its
     * from, to, at and public_note are set (never the officer's internal note or actor). */
    const struct tz_transition_rec *change;
    const char *to;              /* the address (mail) */
    const char *from;            /* the sender's address (mail) */
    const char *confirm_url;     /* mail: the link that confirms the address */
    const char *unsubscribe_url; /* mail: the one-click unsubscribe link (RFC 8058) */
    int64_t now;
};
/* Writes the message into out; a non-zero return fails the attempt. */
typedef tz_err (*tz_alert_render_fn)(void *ctx, const struct tz_alert_message *m,
                                     struct tz_buf *out);

struct tz_alerts_config {
    const char *smtp_url;   /* smtp://host:port of the relay; NULL: no mail is sent */
    const char *mail_from;  /* the sender's address */
    const char *public_url; /* where the API is reached, for the links in mail */
    int interval_ms;        /* between the sender's rounds */
    int max_failures;       /* a subscription is disabled after this many failures in a row */
    int retry_base_s;       /* the first retry's delay; each next doubles (with jitter) */
    int retry_max_s;        /* the longest delay */
    int timeout_s;          /* of one delivery */
    tz_alert_render_fn render;
    void *render_ctx;
};
/* smtp_url NULL, 2 s rounds, 8 failures, 30 s .. 6 h back-off, 10 s deliveries. */
struct tz_alerts_config tz_alerts_defaults(void);

struct tz_alerts;

/* Opens the service over tm and store (both outlive it); cfg is copied (its strings are not). */
tz_err tz_alerts_open(struct tz_threatmap *tm, struct tz_store *store,
                      const struct tz_alerts_config *cfg, struct tz_alerts **out);
/* Starts the background sender (needs cfg->render). */
tz_err tz_alerts_start(struct tz_alerts *a);
/* Stops the sender (finishing the delivery in hand) and frees a; NULL is fine. */
void tz_alerts_close(struct tz_alerts *a);
/* One round of the sender at now: match new reports and the public status changes of the
 * reports subscriptions follow, deliver what is due. */
tz_err tz_alerts_round(struct tz_alerts *a, int64_t now);

/* Who asks, for the audit entry of a change. */
struct tz_alert_who {
    const char *actor;  /* "anonymous", "cli:<user>" */
    const char *role;   /* may be NULL */
    const char *client; /* address; may be NULL */
};

/* A feed's subscription (no account): its id names the feed. Audited. */
tz_err tz_alerts_subscribe_feed(struct tz_alerts *a, const struct tz_alert_spec *spec,
                                const struct tz_alert_who *who, int64_t now, int64_t *id);
/*
 * An address's subscription, unconfirmed: a confirmation mail with a token
 * goes out; nothing else does until tz_alerts_confirm. TZ_EINVAL for an
 * address that is not one (why set). Audited (without the address).
 */
tz_err tz_alerts_subscribe_email(struct tz_alerts *a, const struct tz_alert_spec *spec,
                                 const char *email, size_t len, const struct tz_alert_who *who,
                                 int64_t now, int64_t *id, const char **why);
/*
 * A city system's webhook (admin: the command line, the API): an http(s) URL; *secret
 * (hex, TZ_ALERT_SECRET_MAX) is its HMAC-SHA256 key, shown once. Audited.
 */
tz_err tz_alerts_add_webhook(struct tz_alerts *a, const struct tz_alert_spec *spec, const char *url,
                             const struct tz_alert_who *who, int64_t now, int64_t *id,
                             char secret[TZ_ALERT_SECRET_MAX], const char **why);
/* Every webhook (never its key: secret is cleared), by id; tz_alert_sub_recs_free. */
tz_err tz_alerts_webhooks(struct tz_alerts *a, struct tz_alert_sub_rec **out, size_t *count);
/*
 * An admin disables a webhook (what it is still owed is dropped) or enables
 * it again (owed what arrives from then on, its failures from 0). Audited
 * ("alert.disable", "alert.enable"): TZ_ENOTFOUND, TZ_ECONFLICT (already so).
 */
tz_err tz_alerts_webhook_enable(struct tz_alerts *a, int64_t id, bool enable,
                                const struct tz_alert_who *who);
/*
 * An admin removes a webhook: the subscription and what it is still owed are deleted (its lines
 * of the delivery log stay). Audited ("alert.remove"): TZ_ENOTFOUND for no webhook of that id
 * (a feed's or an address's id included).
 */
tz_err tz_alerts_webhook_remove(struct tz_alerts *a, int64_t id, const struct tz_alert_who *who);
/* Confirms an address with its token: TZ_ENOTFOUND (no such, or a wrong token), TZ_ECONFLICT. */
tz_err tz_alerts_confirm(struct tz_alerts *a, int64_t id, const char *token,
                         const struct tz_alert_who *who);
/* Deletes an address's subscription (the address with it) with its token: TZ_ENOTFOUND. */
tz_err tz_alerts_unsubscribe(struct tz_alerts *a, int64_t id, const char *token,
                             const struct tz_alert_who *who);
/* What feed subscription id follows: TZ_ENOTFOUND for none (or an address's, a webhook's). */
tz_err tz_alerts_spec_of(struct tz_alerts *a, int64_t id, struct tz_alert_spec *out);

/*
 * The feed of spec at now: the newest public reports it follows (by the time
 * received; a district's by id), at most max (1..TZ_ALERT_FEED_MAX), newest
 * first, given to fn one by one (public fields only: the reviewed
 * description, never the reporter's). Its work is bounded by the area's box
 * (TZ_ALERT_SPAN_*) and a bounded number of reads, not by the store's size.
 */
tz_err tz_alerts_feed(struct tz_alerts *a, const struct tz_alert_spec *spec, int64_t now,
                      size_t max, tz_report_view_fn fn, void *ctx);

/* HMAC-SHA256 of body under a webhook's hex key, as 64 hex digits and a NUL (out). */
tz_err tz_alerts_sign(const char *secret_hex, const void *body, size_t len, char out[65]);

#endif
