/*
 * events.h - the national football information points' family (part of
 * exchange.h; Council Decision 2002/348/JHA, EU Football Handbook
 * 2016/C 444/01). A football event is a record (competition, teams, venue with
 * coordinates, kick-off, risk category, the window around it) announced by an
 * nfip_event message, which opens the event's case. Risk assessments
 * (strategic, operational or tactical phase), supporter movements (numbers,
 * risk supporters, means of transport, route, arrival), requests for spotters
 * and post-event feedback are messages of that case, each with its NFIP part
 * (struct tz_xnfip) written in the same transaction as the message. Every
 * other rule of a message (validation, who may, handling codes) is the
 * exchange's as for any message; an NFIP type is refused outside its event.
 */
#ifndef TZ_EXCHANGE_EVENTS_H
#define TZ_EXCHANGE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

enum tz_xphase { TZ_XPHASE_STRATEGIC, TZ_XPHASE_OPERATIONAL, TZ_XPHASE_TACTICAL, TZ_XPHASE_COUNT };
enum tz_xrisk { TZ_XRISK_LOW, TZ_XRISK_INCREASED, TZ_XRISK_HIGH, TZ_XRISK_COUNT };
enum tz_xtransport {
    TZ_XTR_AIR,
    TZ_XTR_RAIL,
    TZ_XTR_COACH,
    TZ_XTR_CAR,
    TZ_XTR_FERRY,
    TZ_XTR_OTHER,
    TZ_XTR_COUNT
};

/* The window of an event when its announcement names none: a day before kick-off to a day
 * after (supporters arrive the day before; disorder follows the match). */
#define TZ_X_EVENT_BEFORE_S (24 * 3600)
#define TZ_X_EVENT_AFTER_S (24 * 3600)
#define TZ_X_EVENT_WINDOW_MAX_S (14 * 86400) /* the longest window an event may name */
#define TZ_X_SUPPORTERS_MAX 1000000
#define TZ_X_SPOTTERS_MAX 100

/* A football event. */
struct tz_xevent {
    int64_t id;      /* the nfip_event message that announced it; 0 until stored */
    int64_t case_id; /* its case */
    char competition[TZ_X_NAME_MAX];
    char home[TZ_X_NAME_MAX], away[TZ_X_NAME_MAX]; /* the teams */
    char venue[TZ_X_LONG_MAX];                     /* the stadium, its address */
    char country[TZ_X_COUNTRY_MAX];                /* the venue's */
    double lat, lon;                               /* the venue's, WGS 84 */
    int64_t kickoff;
    int risk;                       /* enum tz_xrisk */
    int64_t window_from, window_to; /* 0, 0: the default window around kick-off */
};

/* What an NFIP message carries beside the message (the members its type uses). */
struct tz_xnfip {
    int64_t event_id;
    int phase;                           /* nfip_risk: enum tz_xphase; -1 otherwise */
    int risk;                            /* nfip_risk: required; nfip_feedback: as observed; -1 */
    int64_t supporters, risk_supporters; /* nfip_movement; -1 when not said */
    int transport;                       /* nfip_movement: enum tz_xtransport; -1 otherwise */
    char route[TZ_X_LONG_MAX];           /* nfip_movement: the route, stops, crossings */
    int64_t arrival;                     /* nfip_movement: expected arrival; 0: not said */
    int64_t spotters;                    /* nfip_spotters: how many asked for; -1 otherwise */
};
/* Every member "not said" (-1, 0 or empty). */
void tz_xnfip_init(struct tz_xnfip *n);

/* Checks e (errs under /event/...) and fills its default window. TZ_OK or TZ_EINVAL. */
tz_err tz_exchange_event_validate(struct tz_xevent *e, struct tz_field_errors *errs);
/* Checks n for a message of type `type` (errs under /nfip/...): what the type requires, and
 * nothing another type carries. TZ_OK or TZ_EINVAL. */
tz_err tz_exchange_nfip_validate(int type, const struct tz_xnfip *n, struct tz_field_errors *errs);

/*
 * Announces event e with message m (made an nfip_event here): both checked,
 * then written with the message's audit entry in one transaction; e->id and
 * e->case_id are set. Otherwise as tz_exchange_submit.
 */
tz_err tz_exchange_event_create(struct tz_exchange *x, const struct tz_xactor *who, bool inbound,
                                struct tz_xevent *e, struct tz_xmsg *m, struct tz_xreceipt *out,
                                struct tz_field_errors *errs);

/*
 * Stores m, an NFIP message of event n->event_id (risk assessment, supporter
 * movements, request for spotters or feedback), in the event's case with
 * its NFIP part, in one transaction. TZ_ENOTFOUND when there is no such
 * event; otherwise as tz_exchange_submit.
 */
tz_err tz_exchange_event_submit(struct tz_exchange *x, const struct tz_xactor *who, bool inbound,
                                const struct tz_xnfip *n, struct tz_xmsg *m,
                                struct tz_xreceipt *out, struct tz_field_errors *errs);

/* One message of an event: its line (deadline as of now) and its NFIP part. */
struct tz_xevent_item {
    struct tz_xline line;
    struct tz_xnfip nfip;
};
/* An event and its messages, oldest first. */
struct tz_xevent_view {
    struct tz_xevent event;
    struct tz_xevent_item *items; /* owned: tz_xevent_view_clear */
    size_t count;
};
void tz_xevent_view_clear(struct tz_xevent_view *v);

/*
 * Event id with its messages, for a reader of its announcement (as
 * tz_exchange_get decides), audited in the read's transaction.
 * TZ_ENOTFOUND, TZ_EFORBIDDEN.
 */
tz_err tz_exchange_event_view(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                              struct tz_xevent_view *out);

/* The events the caller may read, kick-off latest first, at most a page (no audit: the list
 * names competitions and teams, no personal data). */
tz_err tz_exchange_events(struct tz_exchange *x, const struct tz_xactor *who,
                          struct tz_xevent **out, size_t *count);

#endif
