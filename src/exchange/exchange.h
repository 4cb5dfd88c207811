/*
 * exchange.h - structured exchange between police bodies (issue 14): a SPOC
 * case-management system in the sense of Directive (EU) 2023/977 Art. 16.
 *
 * What this module promises:
 *   - the model: cases, typed messages (struct tz_xmsg) with an originator,
 *     addressees, a language tag, a SIENA handling code (H0-H3, H3 with its
 *     text), an evaluation (source A/B/C/X, information 1-4), entities
 *     (person, document, vehicle, location, organisation, event, asset,
 *     communication identifier) and links between them with a role;
 *   - every coded field is one table (codes.c) with labels in Polish, English,
 *     French, Spanish and Arabic; a field holds the row's index (its enum);
 *   - tz_exchange_validate lists every mistake of a message, field by field
 *     (JSON Pointers into the message's JSON form, as the schema names them);
 *   - the rules, each a table where it can be: Art. 5 deadlines counted in
 *     Polish calendar days and paused by an open clarification request, Art. 6
 *     refusals on the closed list of grounds, the Art. 4 copy to the national
 *     SPOC and its exceptions, what handling codes forbid or mark, and Art. 11
 *     (replies, refusals and clarifications in the language of the request).
 *
 * It knows no wire format: http reads JSON into these structs and renders them.
 * Every instant is seconds since the epoch, UTC, given by the caller (tests
 * inject the clock; nothing here reads the time of day).
 */
#ifndef TZ_EXCHANGE_EXCHANGE_H
#define TZ_EXCHANGE_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "base/err.h"
#include "base/fielderr.h"
#include "store/store.h"

/* ---- coded fields: one table each ---- */

/* The languages every label exists in (INTERPOL's four and Polish). */
enum tz_xlang { TZ_XLANG_PL, TZ_XLANG_EN, TZ_XLANG_FR, TZ_XLANG_ES, TZ_XLANG_AR, TZ_XLANG_COUNT };

/* The tables. A field of a table holds a row index (the enums below follow the rows). */
enum tz_xtable {
    TZ_XT_MSG_TYPE,       /* enum tz_xmsg_type */
    TZ_XT_HANDLING,       /* enum tz_xhandling */
    TZ_XT_SOURCE,         /* enum tz_xsource */
    TZ_XT_INFO,           /* enum tz_xinfo */
    TZ_XT_URGENCY,        /* enum tz_xurgency */
    TZ_XT_REFUSAL_GROUND, /* Art. 6(1)(a)-(h), enum tz_xground */
    TZ_XT_ART4_EXCEPTION, /* enum tz_xart4 */
    TZ_XT_NOTICE_TYPE,    /* enum tz_xnotice */
    TZ_XT_DOC_TYPE,       /* enum tz_xdoc_type */
    TZ_XT_DOC_STATUS,     /* enum tz_xdoc_status */
    TZ_XT_ENTITY_KIND,    /* enum tz_xentity_kind */
    TZ_XT_LINK_ROLE,      /* enum tz_xlink_role */
    TZ_XT_SEX,            /* enum tz_xsex */
    TZ_XT_COMM_KIND,      /* enum tz_xcomm_kind */
    TZ_XT_ASSET_KIND,     /* enum tz_xasset_kind */
    TZ_XT_COUNTRY,        /* ISO 3166-1: code alpha-2, alt alpha-3 */
    TZ_XT_MARKING,        /* enum tz_xmarking: what a view must carry */
    TZ_XT_NFIP_PHASE,     /* enum tz_xphase (events.h) */
    TZ_XT_RISK,           /* enum tz_xrisk (events.h) */
    TZ_XT_TRANSPORT,      /* enum tz_xtransport (events.h) */
    TZ_XT_RETENTION_STATE, /* enum tz_xretention_state (retention.h) */
    TZ_XT_COUNT
};

/* One row: a stable code, another accepted spelling (or NULL), a label per language. */
struct tz_xcode {
    const char *code;
    const char *alt;
    const char *label[TZ_XLANG_COUNT];
};

/* The rows of a table and their number. */
const struct tz_xcode *tz_xcode_rows(enum tz_xtable table, size_t *count);
/* The table's name ("handling_code"), for errors and the schema. */
const char *tz_xcode_table_name(enum tz_xtable table);
/* The code of row `value`; NULL out of range. */
const char *tz_xcode_code(enum tz_xtable table, int value);
/* The label of row `value` in lang; NULL out of range. */
const char *tz_xcode_label(enum tz_xtable table, int value, enum tz_xlang lang);
/* The row whose code (or alt) is exactly the n bytes at s: TZ_EINVAL when none. */
tz_err tz_xcode_parse(enum tz_xtable table, const char *s, size_t n, int *out);
/* The language of a tag's primary subtag ("pl", "en-GB"); TZ_EINVAL for one without labels. */
tz_err tz_xlang_parse(const char *tag, enum tz_xlang *out);

enum tz_xmsg_type {
    TZ_XMSG_REQUEST,
    TZ_XMSG_REPLY,
    TZ_XMSG_INFORMATION, /* on own initiative (Art. 7) */
    TZ_XMSG_CLARIFICATION,
    TZ_XMSG_REFUSAL,
    TZ_XMSG_ACKNOWLEDGEMENT,
    TZ_XMSG_NOTICE,
    TZ_XMSG_DIFFUSION,
    TZ_XMSG_NFIP_EVENT,
    TZ_XMSG_NFIP_RISK,
    TZ_XMSG_NFIP_MOVEMENT,
    TZ_XMSG_NFIP_SPOTTERS,
    TZ_XMSG_NFIP_FEEDBACK,
    TZ_XMSG_DEVIATION, /* Art. 9: the requester told of a delay for judicial authorisation */
    TZ_XMSG_TYPE_COUNT
};

enum tz_xhandling { TZ_XH0, TZ_XH1, TZ_XH2, TZ_XH3, TZ_XH_COUNT };
enum tz_xsource { TZ_XSRC_A, TZ_XSRC_B, TZ_XSRC_C, TZ_XSRC_X, TZ_XSRC_COUNT };
enum tz_xinfo { TZ_XINFO_1, TZ_XINFO_2, TZ_XINFO_3, TZ_XINFO_4, TZ_XINFO_COUNT };
enum tz_xurgency {
    TZ_XURG_URGENT_DIRECT,   /* urgent, directly available information: 8 hours */
    TZ_XURG_URGENT_INDIRECT, /* urgent, indirectly available: 3 calendar days */
    TZ_XURG_NORMAL,          /* every other request: 7 calendar days */
    TZ_XURG_COUNT
};
/* Art. 6(1)(a)-(h); a refusal carries a set of them (bit 1 << ground). */
enum tz_xground {
    TZ_XG_A, TZ_XG_B, TZ_XG_C, TZ_XG_D, TZ_XG_E, TZ_XG_F, TZ_XG_G, TZ_XG_H, TZ_XG_COUNT
};
/* Art. 4(1): when a unit's direct request need not copy the national SPOC. */
enum tz_xart4 {
    TZ_XART4_SENSITIVE_INVESTIGATION,
    TZ_XART4_TERRORISM, /* outside crisis management */
    TZ_XART4_PERSON_SAFETY,
    TZ_XART4_COUNT
};
enum tz_xnotice {
    TZ_XN_RED, TZ_XN_YELLOW, TZ_XN_BLUE, TZ_XN_BLACK, TZ_XN_GREEN, TZ_XN_ORANGE,
    TZ_XN_PURPLE, TZ_XN_SILVER, TZ_XN_UN_SPECIAL, TZ_XN_COUNT
};
enum tz_xdoc_type {
    TZ_XDOC_PASSPORT, TZ_XDOC_ID_CARD, TZ_XDOC_RESIDENCE_PERMIT, TZ_XDOC_DRIVING_LICENCE,
    TZ_XDOC_VISA, TZ_XDOC_OTHER_TRAVEL, TZ_XDOC_TYPE_COUNT
};
enum tz_xdoc_status {
    TZ_XDS_VALID, TZ_XDS_LOST, TZ_XDS_STOLEN, TZ_XDS_REVOKED, TZ_XDS_EXPIRED, TZ_XDS_UNKNOWN,
    TZ_XDS_COUNT
};
enum tz_xentity_kind {
    TZ_XE_PERSON, TZ_XE_DOCUMENT, TZ_XE_VEHICLE, TZ_XE_LOCATION, TZ_XE_ORGANISATION,
    TZ_XE_EVENT, TZ_XE_ASSET, TZ_XE_COMM, TZ_XE_KIND_COUNT
};
enum tz_xlink_role {
    TZ_XL_OWNER_OF, TZ_XL_SUSPECT_IN, TZ_XL_VICTIM_IN, TZ_XL_WITNESS_IN, TZ_XL_SEEN_AT,
    TZ_XL_TRAVELS_WITH, TZ_XL_MEMBER_OF, TZ_XL_USES, TZ_XL_HOLDER_OF, TZ_XL_RELATED_TO,
    TZ_XL_ROLE_COUNT
};
enum tz_xsex { TZ_XSEX_UNKNOWN, TZ_XSEX_FEMALE, TZ_XSEX_MALE, TZ_XSEX_COUNT };
enum tz_xcomm_kind { TZ_XC_PHONE, TZ_XC_EMAIL, TZ_XC_ACCOUNT, TZ_XC_WALLET, TZ_XC_COUNT };
enum tz_xasset_kind {
    TZ_XA_PROPERTY, TZ_XA_ACCOUNT, TZ_XA_VESSEL, TZ_XA_AIRCRAFT, TZ_XA_OTHER, TZ_XA_COUNT
};
/* What every view of a message must carry beside it (tz_exchange_markings). */
enum tz_xmarking { TZ_XM_NOT_JUDICIAL, TZ_XM_NO_PASS_ON, TZ_XM_RESTRICTED, TZ_XM_COUNT };

/* ---- the model ---- */

#define TZ_X_NODE_MAX 32   /* a node ("PL", "DE-BKA"), NUL included */
#define TZ_X_UNIT_MAX 64   /* a unit's id */
#define TZ_X_NAME_MAX 128  /* a name, a make, a free label */
#define TZ_X_LONG_MAX 512  /* an address, a description, reasons */
#define TZ_X_ID_MAX 96     /* a number or identifier (document, plate, phone, e-mail, IBAN) */
#define TZ_X_REF_MAX 16    /* an entity's local reference in its message ("e1") */
#define TZ_X_LANG_MAX 36   /* a BCP 47 tag */
#define TZ_X_DATE_MAX 11   /* YYYY, YYYY-MM or YYYY-MM-DD */
#define TZ_X_COUNTRY_MAX 4 /* ISO 3166-1 alpha-2 (alpha-3 accepted, made alpha-2) */
#define TZ_X_SPELLINGS 4   /* other spellings of a person's name */
#define TZ_X_NATIONALITIES 4
#define TZ_X_ADDRESSEES 16
#define TZ_X_ENTITIES 64
#define TZ_X_LINKS 128
#define TZ_X_TEXT_MAX 65536 /* free text, bytes */
#define TZ_X_SUBJECT_MAX 256
#define TZ_X_ATTACHMENTS 5                   /* attachments of one message, at most */
#define TZ_X_ATTACH_MAX (4u * 1024 * 1024)   /* bytes of one attachment, at most */
#define TZ_X_ATTACH_TOTAL (8u * 1024 * 1024) /* bytes of a message's attachments, at most */
#define TZ_X_MIME_MAX 32                     /* a media type ("application/pdf") */

/* Who sent a message, or one addressee. */
struct tz_xparty {
    char node[TZ_X_NODE_MAX]; /* a state's or body's node: "PL", "DE", "EUROPOL" */
    char unit[TZ_X_UNIT_MAX];
    char officer[TZ_X_NAME_MAX]; /* originator only; may be empty */
    bool cc;                     /* addressee in copy */
};

struct tz_xperson {
    char family[TZ_X_NAME_MAX], given[TZ_X_NAME_MAX];
    char original[TZ_X_NAME_MAX]; /* the name as written in its original script */
    char spellings[TZ_X_SPELLINGS][TZ_X_NAME_MAX];
    size_t spelling_count;
    char birth_date[TZ_X_DATE_MAX]; /* partial allowed: YYYY or YYYY-MM */
    int sex;                        /* enum tz_xsex */
    char nationalities[TZ_X_NATIONALITIES][TZ_X_COUNTRY_MAX];
    size_t nationality_count;
    char birth_place[TZ_X_NAME_MAX];
};
struct tz_xdocument {
    int type; /* enum tz_xdoc_type */
    char number[TZ_X_ID_MAX];
    char country[TZ_X_COUNTRY_MAX];
    char valid_until[TZ_X_DATE_MAX];
    int status; /* enum tz_xdoc_status */
};
struct tz_xvehicle {
    char vin[TZ_X_ID_MAX], plate[TZ_X_ID_MAX];
    char plate_country[TZ_X_COUNTRY_MAX];
    char make[TZ_X_NAME_MAX], model[TZ_X_NAME_MAX], colour[TZ_X_NAME_MAX];
};
struct tz_xlocation {
    char address[TZ_X_LONG_MAX];
    char country[TZ_X_COUNTRY_MAX];
    bool has_coords;
    double lat, lon;
};
struct tz_xnamed { /* organisation and event */
    char name[TZ_X_LONG_MAX];
    char country[TZ_X_COUNTRY_MAX];
    char date[TZ_X_DATE_MAX]; /* an event's date; empty for an organisation */
};
struct tz_xasset {
    int kind; /* enum tz_xasset_kind */
    char identifier[TZ_X_ID_MAX]; /* IBAN, IMO number, land register number */
    char description[TZ_X_LONG_MAX];
};
struct tz_xcomm {
    int kind; /* enum tz_xcomm_kind */
    char value[TZ_X_ID_MAX];
};

struct tz_xentity {
    char ref[TZ_X_REF_MAX]; /* unique within its message; links name it */
    int kind;               /* enum tz_xentity_kind: which member of u holds it */
    union {
        struct tz_xperson person;
        struct tz_xdocument document;
        struct tz_xvehicle vehicle;
        struct tz_xlocation location;
        struct tz_xnamed named;
        struct tz_xasset asset;
        struct tz_xcomm comm;
    } u;
};

struct tz_xlink {
    char from[TZ_X_REF_MAX], to[TZ_X_REF_MAX]; /* entity refs of the same message */
    int role;                                  /* enum tz_xlink_role */
};

/*
 * An attachment: a name, the media type its sender declared, its bytes
 * (owned). The validator sniffs the type from the bytes (PDF, JPEG, PNG or
 * plain UTF-8 text; the declared one must agree) and sets sha256.
 */
struct tz_xattachment {
    char name[TZ_X_NAME_MAX];
    char type[TZ_X_MIME_MAX];
    unsigned char *data; /* owned; NULL in a message read back (the bytes are read one by one) */
    size_t size;
    char sha256[65]; /* hex, set by tz_exchange_validate (or read back) */
};

/*
 * A message. Everything is inline except the free text and the entity and
 * link arrays, which tz_xmsg_clear frees (the message owns them).
 */
struct tz_xmsg {
    int64_t id;      /* 0 until stored */
    int64_t case_id; /* 0: a new case (subject required) */
    int type;        /* enum tz_xmsg_type */
    int64_t in_reply_to;      /* the request a reply/refusal/clarification answers; 0: none */
    char subject[TZ_X_SUBJECT_MAX]; /* the case's subject (a new case) */
    char crime_area[TZ_X_NAME_MAX];
    struct tz_xparty originator;
    struct tz_xparty addressees[TZ_X_ADDRESSEES];
    size_t addressee_count;
    char lang[TZ_X_LANG_MAX]; /* BCP 47 tag of the free text */
    int handling;             /* enum tz_xhandling */
    char restriction[TZ_X_LONG_MAX]; /* H3's text; empty otherwise */
    int source, info;                /* enum tz_xsource, enum tz_xinfo */
    int urgency;                     /* request: enum tz_xurgency; -1 otherwise */
    int art4_exception;              /* -1: none; else enum tz_xart4 */
    char art4_reasons[TZ_X_LONG_MAX];
    unsigned grounds;                /* refusal: bit set of enum tz_xground */
    char reasons[TZ_X_LONG_MAX];     /* a refusal's or an Art. 9 deviation's reasons */
    int delay_hours;                 /* deviation (Art. 9): the expected delay; 0 otherwise */
    int notice_type;                 /* notice: enum tz_xnotice; -1 otherwise */
    char *text;                      /* free text (owned), NUL-terminated; may be NULL */
    size_t text_len;
    struct tz_xentity *entities; /* owned */
    size_t entity_count;
    struct tz_xlink *links; /* owned */
    size_t link_count;
    struct tz_xattachment *attachments; /* owned, each with its data */
    size_t attachment_count;
};

/* ---- entity fields and keys ---- */

enum tz_xftype { TZ_XF_TEXT, TZ_XF_CODE };
/* One field of an entity kind: its name in the schema, and where it lives in the kind's member
 * of struct tz_xentity's union. Lists (spellings, nationalities) and coordinates are not here. */
struct tz_xfield {
    const char *name;
    enum tz_xftype type;
    size_t off, size;
    int table; /* TZ_XF_CODE: enum tz_xtable */
};
/* The fields of an entity kind, ended by a NULL name; NULL for a kind out of range. */
const struct tz_xfield *tz_xentity_fields(int kind);

#define TZ_X_KEYS 4      /* keys of one entity, at most */
#define TZ_X_KEY_MAX 160 /* a key as text, NUL included */
/*
 * The exact keys of e for the cross-check ("doc:PL:AB1234567", "vin:...",
 * "plate:PL:KR12345", "phone:+48...", "email:a@b.pl", "account:PL61..."):
 * spaces, dashes and dots left out, letters in capitals (e-mail in small
 * letters). Returns how many it wrote.
 */
size_t tz_xentity_keys(const struct tz_xentity *e, char keys[TZ_X_KEYS][TZ_X_KEY_MAX]);

/* An empty message: every coded field that may be absent set to -1. */
void tz_xmsg_init(struct tz_xmsg *m);
/* Frees what m owns and empties it (init again). Safe on an initialised message. */
void tz_xmsg_clear(struct tz_xmsg *m);

/*
 * Checks every field of m on its own and together (codes in range, texts'
 * lengths and UTF-8, dates, countries, entity refs unique and links between
 * known refs, what each type requires: a request's urgency, a refusal's
 * grounds and reasons, a notice's type, H3's text, an Art. 4 exception's
 * reasons). Each mistake goes to errs under the JSON Pointer of its member.
 * Normalises what has two spellings (alpha-3 countries become alpha-2).
 * TZ_OK or TZ_EINVAL (errs then lists at least one).
 */
tz_err tz_exchange_validate(struct tz_xmsg *m, struct tz_field_errors *errs);

/* ---- the rules ---- */

/* This node's place in the exchange: who it is and where its national SPOC sits. */
struct tz_xnode_config {
    char node[TZ_X_NODE_MAX];      /* this state's node ("PL") */
    char spoc_unit[TZ_X_UNIT_MAX]; /* the national SPOC's unit */
};

/* Art. 5: the period of an urgency (an hour count or a day count; the other is 0). */
struct tz_xperiod {
    int hours;
    int days; /* Polish calendar days, same wall-clock time */
};
struct tz_xperiod tz_exchange_period(enum tz_xurgency urgency);

/*
 * A request's reply clock: received at `received`, due by the Art. 5 period
 * of its urgency, stopped while a clarification request is open. The due
 * instant moves later by every stretch the clock stood still.
 */
struct tz_xclock {
    int64_t received;
    int urgency;          /* enum tz_xurgency */
    int64_t paused_total; /* seconds stopped by closed clarifications */
    int64_t paused_since; /* > 0 while a clarification is open */
};
/* A clock started at receipt. */
struct tz_xclock tz_exchange_clock_start(int64_t received, enum tz_xurgency urgency);
/* Stops the clock at `at` (a clarification sent): TZ_ECONFLICT if it already stands. */
tz_err tz_exchange_clock_pause(struct tz_xclock *c, int64_t at);
/* Starts it again at `at` (the clarification answered): TZ_ECONFLICT if it runs. */
tz_err tz_exchange_clock_resume(struct tz_xclock *c, int64_t at);
/* When the reply is due as of now (a stopped clock: as if resumed now). */
int64_t tz_exchange_due(const struct tz_xclock *c, int64_t now);
/* Overdue as of now: never while the clock stands. */
bool tz_exchange_overdue(const struct tz_xclock *c, int64_t now);

/*
 * Art. 6 and Art. 11 for an answer (reply, refusal, clarification) to
 * `request`: a refusal needs one or more grounds and reasons, and no other
 * type may carry grounds; the answer's language is the request's (primary
 * subtag). Appends to errs; TZ_OK or TZ_EINVAL.
 */
tz_err tz_exchange_check_answer(const struct tz_xmsg *request, const struct tz_xmsg *answer,
                                struct tz_field_errors *errs);

/*
 * Art. 4: a request this node sends from a unit other than the national SPOC
 * to a foreign node must copy the national SPOC (an addressee of this node
 * and the SPOC's unit) unless an exception is recorded with reasons.
 * Appends to errs; TZ_OK or TZ_EINVAL.
 */
tz_err tz_exchange_check_art4(const struct tz_xnode_config *cfg, const struct tz_xmsg *m,
                              struct tz_field_errors *errs);

/* A permission recorded from a provider: `to` may receive its H2 information. */
struct tz_xpermission {
    int64_t message_id; /* the H2 message it covers */
    char to[TZ_X_NODE_MAX];
};

/*
 * Handling codes when `out` passes on the information of `source` (a
 * forward, or a reply that includes it): with H2 every addressee of `out`
 * other than the source's provider (its originator's node) and this node
 * needs a recorded permission for `source`. TZ_OK or TZ_EFORBIDDEN, naming
 * the addressee in errs.
 */
tz_err tz_exchange_check_pass_on(const struct tz_xnode_config *cfg, const struct tz_xmsg *source,
                                 const struct tz_xmsg *out, const struct tz_xpermission *perms,
                                 size_t perm_count, struct tz_field_errors *errs);

/* What a view of m must show beside it, in lang. */
struct tz_xmarkings {
    size_t count;
    struct {
        int marking;       /* enum tz_xmarking */
        const char *label; /* the table's label in the reader's language */
        const char *text;  /* H3: the restriction's own text; NULL otherwise */
    } items[TZ_XM_COUNT];
};
/* H1: not for judicial use; H2: not to be passed on; H3: the restriction, with its text. */
void tz_exchange_markings(const struct tz_xmsg *m, enum tz_xlang lang, struct tz_xmarkings *out);


/* ---- the service: messages stored and read, each with its audit entry ---- */

struct tz_exchange;

/* A clock: seconds since the epoch, UTC (tests inject one). */
typedef int64_t (*tz_exchange_clock_fn)(void *ctx);

/* Opens the service over store (which must outlive it) for node cfg. */
tz_err tz_exchange_open(struct tz_store *store, const struct tz_xnode_config *cfg,
                        struct tz_exchange **out);
/* Safe with NULL. */
void tz_exchange_close(struct tz_exchange *x);
/* This node's code and its national SPOC's unit (what a composer needs for Art. 4's copy). */
const struct tz_xnode_config *tz_exchange_node(const struct tz_exchange *x);
/* Replaces the clock; NULL goes back to the real one. */
void tz_exchange_set_clock(struct tz_exchange *x, tz_exchange_clock_fn fn, void *ctx);
int64_t tz_exchange_now(const struct tz_exchange *x);

/* Who acts, and from where (an address, "cli:<user>"). */
struct tz_xactor {
    const struct tz_principal *p;
    const char *client;
};

#define TZ_X_HITS 32
/* An entity on file that an incoming entity's key matched (Art. 16(d)). */
struct tz_xhit {
    size_t entity;           /* the incoming entity's index */
    char key[TZ_X_KEY_MAX];  /* the key that matched */
    int64_t message_id, case_id;
};

/* What a stored message's sender gets back. */
struct tz_xreceipt {
    int64_t id, case_id;
    int64_t due; /* a request's reply due instant; 0 otherwise */
    size_t hit_count;
    struct tz_xhit hits[TZ_X_HITS];
};

/*
 * Stores m, received from a partner (inbound) or sent by this node: checks
 * every field (TZ_EINVAL, errs), who may (TZ_EFORBIDDEN: an inbound message
 * must address the actor's unit, an outbound one come from it), Art. 4 for
 * an outbound request, Art. 6 and 11 for an answer (which joins the case of
 * the request it answers), then writes it whole with its audit entry in one
 * transaction; an answer moves the request's clock (a clarification stops
 * it, an answer to the clarification starts it again, a reply or refusal
 * ends it). An inbound request's entities are checked against those on file
 * first, and the hits come back in the receipt. A refused message is stored
 * nowhere. TZ_ENOTFOUND when its case or in_reply_to names nothing;
 * TZ_ECONFLICT for a reply or refusal to a request already answered or
 * refused, or whose clock another writer moved since it was read (the
 * clock's write is a compare-and-set: of two answers at once, one wins).
 */
tz_err tz_exchange_submit(struct tz_exchange *x, const struct tz_xactor *who, bool inbound,
                          struct tz_xmsg *m, struct tz_xreceipt *out,
                          struct tz_field_errors *errs);

/* tz_exchange_submit of a message this node sends, its audit entry noted with why it was sent
 * (screening: "from screening hit ..."). */
tz_err tz_exchange_submit_noted(struct tz_exchange *x, const struct tz_xactor *who,
                                const char *note, struct tz_xmsg *m, struct tz_xreceipt *out,
                                struct tz_field_errors *errs);

/*
 * The stored entities sharing an exact key (tz_xentity_keys' form) with one of keys[0..n), only
 * in messages the actor may read (tz_exchange_get's rule), at most max into hits (each hit's
 * entity: the index in keys of the key that matched), in the order stored. For a door that
 * audits the use itself (the assistant's analysis): no audit entry is written here.
 * TZ_EINVAL when n passes TZ_X_ENTITIES * TZ_X_KEYS; TZ_ENOMEM, TZ_EIO.
 */
tz_err tz_exchange_match(struct tz_exchange *x, const struct tz_xactor *who,
                         const char *const *keys, size_t n, struct tz_xhit *hits, size_t max,
                         size_t *count);

/* A message as a reader sees it: the message, where it stands, and its deadline as of now. */
struct tz_xview {
    struct tz_xmsg msg; /* owned: tz_xview_clear */
    bool inbound;
    int64_t at;
    char state[TZ_X_NODE_MAX]; /* none, open, paused, answered, refused */
    int64_t due;               /* a request's, 0 otherwise */
    bool overdue;              /* computed now */
};
void tz_xview_clear(struct tz_xview *v);

/*
 * Reads message id for who (TZ_EFORBIDDEN unless it addresses or comes from a
 * unit the actor may read), writing the read to the audit log in the same
 * transaction. TZ_ENOTFOUND if there is none.
 */
tz_err tz_exchange_get(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                       struct tz_xview *out);

/* One line of a box or a case's thread, its deadline as of now. */
struct tz_xline {
    int64_t id, case_id, in_reply_to, at;
    bool inbound;
    int type, handling, urgency; /* -1: none */
    char from_node[TZ_X_NODE_MAX], from_unit[TZ_X_UNIT_MAX], subject[TZ_X_SUBJECT_MAX];
    char lang[TZ_X_LANG_MAX], state[TZ_X_NODE_MAX];
    int64_t due;
    bool overdue;
};
struct tz_xlines {
    struct tz_xline *items; /* owned: tz_xlines_clear */
    size_t count;
};
void tz_xlines_clear(struct tz_xlines *l);

/*
 * A unit's inbox (inbound messages addressed to it) or outbox (sent by it):
 * overdue first, then the running deadlines, then the rest, newest first; at
 * most limit (0: the most a page holds). The read is audited in its
 * transaction. TZ_EFORBIDDEN unless the actor may see the unit's box.
 */
tz_err tz_exchange_box(struct tz_exchange *x, const struct tz_xactor *who, const char *unit,
                       bool inbox, size_t limit, struct tz_xlines *out);

/* The thread of case id, oldest first, audited in its transaction; TZ_EFORBIDDEN unless the
 * actor's unit took part in it (or the actor reads everything). */
tz_err tz_exchange_case(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                        struct tz_xlines *out);

/*
 * Whether who may write to case id: send on behalf of a unit that took part in it (sent one of
 * its messages, or is an addressee of one it received). TZ_OK and that unit into unit (may be
 * NULL); TZ_EFORBIDDEN; TZ_ENOTFOUND when there is no such case. Read for the rule only: no
 * audit entry here (the caller's write carries one).
 */
tz_err tz_exchange_case_writable(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                                 char unit[TZ_X_UNIT_MAX]);

/* One readable message of a case whole: its line and its free text (owned). */
struct tz_xcase_text {
    struct tz_xline line;
    char *text; /* "" when it has none */
    size_t len;
};
void tz_xcase_texts_free(struct tz_xcase_text *t, size_t n);
/*
 * The messages of case id that who may read (tz_exchange_get's rule), oldest first, each with
 * its line and its free text, into *out (*count of them; *total: the messages of the case), for
 * a reader of the whole case (the assistant's digest and questions): a message the actor may
 * not read is left out. One audit entry (exchange.read, object "xcase/ID", its fields the ids
 * read) is written in the transaction of the case's read before anything is handed over: one
 * entry for the case's read instead of one per message. TZ_EFORBIDDEN when the actor may read
 * none of them; TZ_ENOTFOUND when there is no such case; TZ_ENOMEM, TZ_EIO.
 */
tz_err tz_exchange_case_texts(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                              struct tz_xcase_text **out, size_t *count, size_t *total);

#define TZ_X_EXCERPT_MAX 320 /* bytes of a message's text in a search hit, NUL included */

/* A message found by a search: its line and the start of its free text. */
struct tz_xfound {
    struct tz_xline line;
    char excerpt[TZ_X_EXCERPT_MAX]; /* cut at a character */
};

/*
 * Those of the messages ids[0..n) that the actor may read (tz_exchange_get's rule), in the
 * order given, at most max into out (*count of them). For a door that audits the use itself
 * (the assistant's search, audited with its query): no audit entry is written here. Ids that
 * name nothing are passed over. TZ_EINVAL without a principal; TZ_ENOMEM, TZ_EIO.
 */
tz_err tz_exchange_readable(struct tz_exchange *x, const struct tz_xactor *who, const int64_t *ids,
                            size_t n, size_t max, struct tz_xfound *out, size_t *count);

/* ---- notices: their lifecycle, and what screening checks against ---- */

/* A notice's states: draft -> review -> published -> cancelled or expired (review -> draft:
 * sent back). Each step is a row of the table in notices.c. */
enum tz_xnotice_state {
    TZ_XNS_DRAFT, TZ_XNS_REVIEW, TZ_XNS_PUBLISHED, TZ_XNS_CANCELLED, TZ_XNS_EXPIRED,
    TZ_XNS_COUNT
};
const char *tz_xnotice_state_code(enum tz_xnotice_state s);

/* What a step records: the reason (required where the table says) and, from review to
 * published, the reviewer's confirmation that the notice has no political, military,
 * religious or racial character (Art. 2 and 3 of INTERPOL's Constitution). */
struct tz_xnotice_move {
    int to;            /* enum tz_xnotice_state */
    const char *note;  /* why; may be NULL where the table does not require it */
    bool neutral;      /* the neutrality check, confirmed */
};

/*
 * Moves notice id one step for who, by the transition table (roles, a note,
 * the neutrality check), with its audit entry in the same transaction.
 * TZ_EINVAL (errs) for a step the table lacks or a missing note or check,
 * TZ_EFORBIDDEN for a role or unit that may not, TZ_ECONFLICT when someone
 * moved it first, TZ_ENOTFOUND when id is no notice.
 */
tz_err tz_exchange_notice_move(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                               const struct tz_xnotice_move *move, struct tz_field_errors *errs);

/* One person, document or vehicle of a published notice. */
struct tz_xnotice_subject {
    int64_t notice_id; /* the notice's message */
    int notice_type;   /* enum tz_xnotice */
    const struct tz_xentity *entity;
};
/* Called once per subject; a non-zero answer stops the visit and is returned. */
typedef tz_err (*tz_xnotice_fn)(void *ctx, const struct tz_xnotice_subject *s);
/*
 * Calls fn with every person, document and vehicle of every published notice,
 * in the order they were stored, a page at a time (what screening checks
 * persons, documents and vehicles against). Cancelled and expired notices
 * are not visited.
 */
tz_err tz_exchange_published_visit(struct tz_exchange *x, tz_xnotice_fn fn, void *ctx);

/* A published notice with one of its subjects (notice_subject.c). */
struct tz_xnotice_owner {
    struct tz_xmsg notice; /* owned: tz_xnotice_owner_clear; its originator is the owner */
    int64_t case_id;
    bool inbound; /* received from a partner */
    int entity;   /* the subject's index in notice.entities */
};
void tz_xnotice_owner_clear(struct tz_xnotice_owner *o);
/*
 * Notice id, while published, with its entity ref (what a screening hit on it names): no
 * permission checked and no audit entry here, the caller audits its use. TZ_ENOTFOUND when id
 * is no published notice or has no entity ref; TZ_ENOMEM, TZ_EIO.
 */
tz_err tz_exchange_published_subject(struct tz_exchange *x, int64_t id, const char *ref,
                                     struct tz_xnotice_owner *out);

/* ---- what the police web pages read beside the message (pages.c) ---- */

/* A step `who` may make from a notice's state, and what it must record. */
struct tz_xnotice_offer {
    int to;          /* enum tz_xnotice_state */
    bool note;       /* the step records why */
    bool neutrality; /* the step records the neutrality check */
};
/* A notice as a reader sees it: the message, its lifecycle state and the steps the reader may
 * make from it (by the transition table: the reader's role and unit). */
struct tz_xnotice_view {
    struct tz_xview view; /* owned: tz_xnotice_view_clear */
    int state;            /* enum tz_xnotice_state */
    size_t offer_count;
    struct tz_xnotice_offer offers[TZ_XNS_COUNT];
};
void tz_xnotice_view_clear(struct tz_xnotice_view *v);
/*
 * Reads notice id for who as tz_exchange_get does (the read audited in its transaction, the
 * same permission), with its state and the steps offered. TZ_ENOTFOUND when id is no notice.
 */
tz_err tz_exchange_notice_get(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                              struct tz_xnotice_view *out);

/*
 * Art. 16(d) as shown with a stored message: the entities on file before message id arrived
 * that share an exact key with one of its entities (what the cross-check found at receipt, read
 * again), at most max of them into out, their number into *count. The read of the message is
 * audited as tz_exchange_get's, with the same permission.
 */
tz_err tz_exchange_hits(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                        struct tz_xhit *out, size_t max, size_t *count);
/*
 * A number raised each time this process stored a notice or moved one (published, cancelled,
 * ...): a reader of the published notices (screening) reads them again when it has moved.
 */
uint64_t tz_exchange_notices_version(const struct tz_exchange *x);
/* Football events (NFIP) and retention (Art. 16), each a header of its own. */
#include "exchange/events.h"
#include "exchange/retention.h"

#endif
