/*
 * auth.h - who may do what: police accounts and their roles, passwords
 * (Argon2id), the second factor (TOTP, RFC 6238), lock-out, sessions and API
 * tokens, the permission table (role x action x scope), and the audit log's
 * hash chain with its signed checkpoints (DESIGN 5).
 *
 * Everything that depends on time reads the clock of the tz_auth handle,
 * which tests replace (tz_auth_set_clock) instead of sleeping. Secrets leave
 * this module only once: a session id or an API token goes to its holder and
 * is stored as a BLAKE2b hash; a TOTP seed is shown once, at enrolment.
 * Every change made here is written to the audit log in the same store
 * transaction as the change itself.
 */
#ifndef TZ_AUTH_AUTH_H
#define TZ_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fielderr.h"
#include "store/store.h"

/*
 * The police roles (DESIGN 5): the one role enum of the program (the
 * workflow's transition table names them too). The public has no account
 * and no role: it may take no police action.
 */
enum tz_auth_role {
    TZ_AUTH_OFFICER,    /* dzielnicowy: own districts */
    TZ_AUTH_SUPERVISOR, /* a unit and all its districts */
    TZ_AUTH_ANALYST,    /* reads and analyses everything, changes nothing */
    TZ_AUTH_ADMIN,      /* accounts and the audit log */
    TZ_AUTH_SPOC_OPERATOR,   /* exchange (issue 14): a SPOC's messages, its unit's inbox */
    TZ_AUTH_SPOC_SUPERVISOR, /* exchange: every unit's messages and inboxes */
    TZ_AUTH_LIAISON,         /* exchange: a unit's liaison officer, its own unit's messages */
    TZ_AUTH_ROLE_COUNT
};

/* What a request wants to do. Every police endpoint names one. */
enum tz_auth_action {
    TZ_ACT_REPORT_READ,       /* the full report: reporter's text, history, assignee */
    TZ_ACT_REPORT_TRANSITION, /* move it through the workflow */
    TZ_ACT_REPORT_DESCRIBE,   /* edit and review its public description */
    TZ_ACT_REPORT_ASSIGN,     /* hand a report to another officer */
    TZ_ACT_QUEUE,             /* the queue of open reports */
    TZ_ACT_DASHBOARD,         /* deadline compliance and the overdue list */
    TZ_ACT_DISTRICT_ASSIGN,   /* bind a district to another officer */
    TZ_ACT_ACCOUNTS,          /* list, add, change and disable accounts */
    TZ_ACT_AUDIT,             /* read and verify the audit log */
    TZ_ACT_ANALYSIS,          /* hot spots, trends, statistics, patrol plans, linked reports */
    TZ_ACT_REPORT_MERGE,      /* merge a duplicate report into its original */
    TZ_ACT_ASSISTANT_USE,     /* the assistant: entities, redactions, language, translation, search */
    TZ_ACT_SCREENING,         /* screen a person against the watch-lists */
    TZ_ACT_EXCHANGE_READ,     /* read an exchange message or case addressed to (or sent by) a unit */
    TZ_ACT_EXCHANGE_SEND,     /* send or receive an exchange message on behalf of a unit */
    TZ_ACT_EXCHANGE_INBOX,    /* a unit's inbox and outbox with their deadlines */
    TZ_ACT_EXCHANGE_RETENTION, /* conclude a case, the retention queue, reviews (Art. 16) */
    TZ_ACT_ALERT_WEBHOOKS,     /* add, list, disable, enable and remove city systems' webhooks */
    TZ_ACT_COUNT
};

/*
 * Every action the audit log records (its `action` column), one code each
 * from one table (tz_audit_code). A permission action (above) is written
 * under its own code (tz_auth_action_code), which is one of these.
 */
enum tz_audit_action {
    TZ_AUDIT_REPORT_READ,          /* report.read */
    TZ_AUDIT_REPORT_TRANSITION,    /* report.transition */
    TZ_AUDIT_REPORT_DESCRIBE,      /* report.describe */
    TZ_AUDIT_REPORT_ASSIGN,        /* report.assign */
    TZ_AUDIT_REPORT_MERGE,         /* report.merge */
    TZ_AUDIT_QUEUE_READ,           /* queue.read */
    TZ_AUDIT_DASHBOARD_READ,       /* dashboard.read */
    TZ_AUDIT_DISTRICT_ASSIGN,      /* district.assign */
    TZ_AUDIT_ANALYSIS_READ,        /* analysis.read */
    TZ_AUDIT_ACCOUNTS,             /* accounts: a refused account change or read */
    TZ_AUDIT_ACCOUNTS_READ,        /* accounts.read */
    TZ_AUDIT_ACCOUNT_ADD,          /* account.add */
    TZ_AUDIT_ACCOUNT_PASSWD,       /* account.passwd */
    TZ_AUDIT_ACCOUNT_DISABLE,      /* account.disable */
    TZ_AUDIT_ACCOUNT_ENABLE,       /* account.enable */
    TZ_AUDIT_ACCOUNT_DISTRICTS,    /* account.districts */
    TZ_AUDIT_AUDIT,                /* audit: a refused read of the log */
    TZ_AUDIT_AUDIT_VERIFY,         /* audit.verify */
    TZ_AUDIT_AUDIT_EXPORT,         /* audit.export */
    TZ_AUDIT_AUTH_LOGIN,           /* auth.login */
    TZ_AUDIT_AUTH_LOGOUT,          /* auth.logout */
    TZ_AUDIT_AUTH_CSRF,            /* auth.csrf */
    TZ_AUDIT_AUTH_SESSION_EXPIRED, /* auth.session_expired */
    TZ_AUDIT_TOKEN_CREATE,         /* token.create */
    TZ_AUDIT_TOKEN_REVOKE,         /* token.revoke */
    TZ_AUDIT_TOKEN_EXPIRED,        /* token.expired */
    TZ_AUDIT_APIKEY_ADD,           /* apikey.add: an Open311 key */
    TZ_AUDIT_APIKEY_REVOKE,        /* apikey.revoke */
    TZ_AUDIT_ADDRESS_IMPORT,       /* address.import: tarcza import-addresses */
    TZ_AUDIT_ASSISTANT_USE,        /* assistant.use */
    TZ_AUDIT_SCREENING_QUERY,      /* screening.query: who asked what, why, how many hits */
    TZ_AUDIT_WATCHLIST_IMPORT,     /* watchlist.import: a list taken in */
    TZ_AUDIT_WATCHLIST_KEYS,       /* watchlist.keys: stored persons' match keys filled in */
    TZ_AUDIT_EXCHANGE_READ,        /* exchange.read */
    TZ_AUDIT_EXCHANGE_SEND,        /* exchange.send */
    TZ_AUDIT_EXCHANGE_INBOX,       /* exchange.inbox */
    TZ_AUDIT_EXCHANGE_NOTICE,      /* exchange.notice: a notice's lifecycle step */
    TZ_AUDIT_EXCHANGE_RETENTION,   /* exchange.retention: a case concluded, kept or deleted */
    TZ_AUDIT_ALERT_SUBSCRIBE,      /* alert.subscribe: a feed, webhook or address follows */
    TZ_AUDIT_ALERT_CONFIRM,        /* alert.confirm: an address confirmed */
    TZ_AUDIT_ALERT_UNSUBSCRIBE,    /* alert.unsubscribe: an address deleted */
    TZ_AUDIT_ALERT_WEBHOOKS,       /* alert.webhooks: a refused read or change of webhooks */
    TZ_AUDIT_ALERT_WEBHOOKS_READ,  /* alert.webhooks.read: the list read by an admin */
    TZ_AUDIT_ALERT_DISABLE,        /* alert.disable: a webhook disabled by an admin */
    TZ_AUDIT_ALERT_ENABLE,         /* alert.enable: a webhook enabled again */
    TZ_AUDIT_ALERT_REMOVE,         /* alert.remove: a webhook removed by an admin */
    TZ_AUDIT_FED_NODE_ADD,         /* federation.node.add: a partner into the node directory */
    TZ_AUDIT_FED_NODE_REMOVE,      /* federation.node.remove */
    TZ_AUDIT_FED_NODES,            /* federation.nodes: the partners' queues read */
    TZ_AUDIT_FED_RECEIVE,          /* federation.receive: a partner's message refused */
    TZ_AUDIT_FED_SEND,             /* federation.send: an attempt settled (delivered, refused) */
    TZ_AUDIT_FED_NODE_CHANGE,      /* federation.node.change: a partner's terms or keys changed */
    TZ_AUDIT_FED_REVOKE,           /* federation.revoke: a key or certificate revoked */
    TZ_AUDIT_PHOTO_REVIEW,         /* photo.review: a report's photo approved or rejected */
    TZ_AUDIT_COUNT
};

/* Over which objects a role may take an action. */
enum tz_auth_scope {
    TZ_SCOPE_NONE, /* never */
    TZ_SCOPE_OWN,  /* objects in the account's own districts (or assigned to it) */
    TZ_SCOPE_UNIT, /* objects in the districts of the account's unit */
    TZ_SCOPE_ALL,  /* everything */
};

#define TZ_PASSWORD_MIN 12    /* bytes of a password, at least */
#define TZ_PASSWORD_MAX 256   /* and at most */
#define TZ_SECRET_TEXT_MAX 64 /* a session id, CSRF or API token as text, NUL included */
#define TZ_SESSION_COOKIE "tz_session"

struct tz_auth_config {
    int lock_failures;         /* failed logins that lock an account (5) */
    int64_t lock_window_s;     /* ... when they fall within this many seconds (900) */
    int64_t lock_s;            /* how long it stays locked (900) */
    int64_t idle_s;            /* a session unused this long ends (1800) */
    int64_t absolute_s;        /* a session ends this long after login whatever (43200) */
    int64_t token_s;           /* an API token ends this long after it is made (90 days) */
    int totp_step_s;           /* 30 */
    int totp_skew;             /* steps either side accepted for clock drift (1) */
    unsigned long long pw_ops; /* Argon2id cost (libsodium's INTERACTIVE by default) */
    size_t pw_mem;
};

/* The defaults of DESIGN 5. */
struct tz_auth_config tz_auth_defaults(void);

/* A clock: seconds since the epoch, UTC. */
typedef int64_t (*tz_auth_clock_fn)(void *ctx);

struct tz_auth;

/* Opens the auth service over store (which must outlive it). */
tz_err tz_auth_open(struct tz_store *store, const struct tz_auth_config *cfg, struct tz_auth **out);
/* Safe with NULL. */
void tz_auth_close(struct tz_auth *auth);
/* Replaces the clock (tests); NULL goes back to the real one. */
void tz_auth_set_clock(struct tz_auth *auth, tz_auth_clock_fn fn, void *ctx);
/* The time now, by the handle's clock. */
int64_t tz_auth_now(const struct tz_auth *auth);
/* The store the handle works on. */
struct tz_store *tz_auth_store(const struct tz_auth *auth);

/* ---- roles and the permission table ---- */

const char *tz_auth_role_code(enum tz_auth_role role);
tz_err tz_auth_role_parse(const char *code, enum tz_auth_role *out);
/* The audit log's code of a permission action (its refusals are written under it). */
const char *tz_auth_action_code(enum tz_auth_action action);
/* The audit log's code of an action ("report.read"); "unknown" out of range. */
const char *tz_audit_code(enum tz_audit_action action);
/* The table itself: the scope a role has for an action. */
enum tz_auth_scope tz_auth_scope_of(enum tz_auth_role role, enum tz_auth_action action);

/* Who is asking: an account, logged in by a session or an API token. */
struct tz_principal {
    struct tz_account_rec account;
    enum tz_auth_role role;
    bool via_token;                    /* API token: no cookie, so no CSRF check */
    uint8_t session_hash[TZ_HASH_LEN]; /* of the session or token */
    char csrf[TZ_SECRET_TEXT_MAX];     /* the CSRF token bound to the session */
};

/*
 * Whether p may take action on an object in district district_id of unit
 * district_unit that is assigned to assignee (NULL or "" when none). For
 * actions on no single object pass NULL for all three: any scope but NONE
 * allows them. TZ_OK or TZ_EFORBIDDEN.
 */
tz_err tz_auth_permit(const struct tz_principal *p, enum tz_auth_action action,
                      const char *district_id, const char *district_unit, const char *assignee);

/* ---- passwords and TOTP ---- */

/* Hashes a password with Argon2id. TZ_EINVAL when it is shorter or longer than allowed. */
tz_err tz_auth_password_hash(const struct tz_auth *auth, const char *password,
                             char out[TZ_PWHASH_MAX]);
/* Whether password matches hash (constant time). */
bool tz_auth_password_check(const char *hash, const char *password);
/* The HOTP value (RFC 4226, HMAC-SHA1) of counter, as a number of `digits` digits. */
uint32_t tz_auth_hotp(const uint8_t *key, size_t key_len, uint64_t counter, int digits);
/* Base32 (RFC 4648, no padding) of n bytes into out. */
tz_err tz_auth_base32(const uint8_t *data, size_t n, struct tz_buf *out);
/* The otpauth:// URI of an account's TOTP seed (issuer tarcza, SHA1, 6 digits, 30 s). */
tz_err tz_auth_otpauth_uri(const struct tz_account_rec *rec, struct tz_buf *out);
/* The URI drawn as a QR code in SVG (for the admin page, as a data: image). */
tz_err tz_auth_qr_svg(const char *uri, struct tz_buf *out);
/* The URI drawn as a QR code in text (two rows per line), for a terminal. */
tz_err tz_auth_qr_text(const char *uri, struct tz_buf *out);

/* ---- accounts ---- */

/* What makes an account. */
struct tz_user_spec {
    const char *name;             /* 1..63 of [a-z0-9._-] */
    const char *role;             /* role code */
    const char *unit;             /* required for a supervisor; may be NULL otherwise */
    const char *const *districts; /* an officer's districts */
    size_t district_count;
    const char *password;
};

/*
 * Creates an account with a fresh TOTP seed and puts its otpauth:// URI in
 * uri (shown once). actor is who does it ("cli:root", an admin's name).
 * TZ_EINVAL for a bad field, TZ_ECONFLICT when the name is taken.
 */
tz_err tz_auth_user_add(struct tz_auth *auth, const struct tz_user_spec *spec, const char *actor,
                        struct tz_buf *uri);
/* Sets a new password (and unlocks the account). */
tz_err tz_auth_user_passwd(struct tz_auth *auth, const char *name, const char *password,
                           const char *actor);
/* Disables (or enables again) an account; disabling ends its sessions and tokens. */
tz_err tz_auth_user_disable(struct tz_auth *auth, const char *name, bool disabled,
                            const char *actor);
/* Binds an account to these districts instead of its current ones. */
tz_err tz_auth_user_districts(struct tz_auth *auth, const char *name,
                              const char (*districts)[TZ_ID_MAX], size_t count, const char *actor);

/*
 * Who makes a change, for its audit entry: a caller over the API (p, with
 * the address it calls from) or an operator on the command line (actor,
 * "cli:<user>", p NULL).
 */
struct tz_auth_who {
    const struct tz_principal *p;
    const char *actor;  /* used when p is NULL */
    const char *client; /* the caller's address, or NULL */
    const char *role;   /* used when p is NULL: the role an operator acts as, or NULL */
};

/*
 * The account changes of the API (POST /api/v1/accounts, .../change): as
 * tz_auth_user_add, _passwd and _disable, audited with who's role and address.
 * An account may not disable itself (TZ_ECONFLICT). A refused change
 * (TZ_EINVAL, TZ_ECONFLICT, TZ_ENOTFOUND) is audited too, under "accounts"
 * with outcome "refused": who tried what on which account.
 */
tz_err tz_auth_account_add(struct tz_auth *auth, const struct tz_auth_who *who,
                           const struct tz_user_spec *spec, struct tz_buf *uri);
enum tz_account_change { TZ_ACCOUNT_DISABLE, TZ_ACCOUNT_ENABLE, TZ_ACCOUNT_PASSWORD };
tz_err tz_auth_account_change(struct tz_auth *auth, const struct tz_auth_who *who, const char *name,
                              enum tz_account_change change, const char *password);
/* Binds an account to these districts instead of its current ones, audited as who. */
tz_err tz_auth_account_districts(struct tz_auth *auth, const struct tz_auth_who *who,
                                 const char *name, const char (*districts)[TZ_ID_MAX],
                                 size_t count);
/* Makes an API token for account name, audited as who (tz_auth_token_create says the rest). */
tz_err tz_auth_account_token(struct tz_auth *auth, const struct tz_auth_who *who, const char *name,
                             const char *label, int64_t expires_at,
                             char out[TZ_SECRET_TEXT_MAX]);
/* Audits a refused change of action on object (outcome "refused", why as its note). */
tz_err tz_auth_audit_refusal(struct tz_auth *auth, const struct tz_auth_who *who,
                             enum tz_audit_action action, const char *object, const char *fields,
                             const char *why);

/* The unit of a district ("" when unknown): the caller's lookup (auth keeps no districts). */
typedef const char *(*tz_auth_unit_fn)(void *ctx, const char *district_id);

/*
 * Whether the account `rec` works where p may take action: every district it
 * holds is in p's scope for action (units by unit_of), and a supervisor's
 * unit is p's. Work is handed only to officers of one's own unit.
 */
bool tz_auth_works_in_scope(const struct tz_principal *p, enum tz_auth_action action,
                            const struct tz_account_rec *rec, tz_auth_unit_fn unit_of, void *ctx);

/*
 * Whether p may hand work (action: a report's assignment) to the account
 * `name`: an enabled officer's or supervisor's that works in p's scope
 * (tz_auth_works_in_scope). TZ_OK, or TZ_EINVAL with why in errs (/officer).
 */
tz_err tz_auth_assignee_check(struct tz_auth *auth, const struct tz_principal *p,
                              enum tz_auth_action action, const char *name, tz_auth_unit_fn unit_of,
                              void *ctx, struct tz_field_errors *errs);

/*
 * Binds district_id (of unit district_unit) to the officer account `officer`
 * and takes it from every other account, in one store transaction with its
 * audit entry (district.assign, by who, with the accounts it left). Refused,
 * and the refusal audited: TZ_EFORBIDDEN when who->p may not assign this
 * district or the officer works outside who->p's scope; TZ_EINVAL (errs,
 * field /officer) for anything but an enabled officer's account or one
 * holding the most districts allowed.
 */
tz_err tz_auth_district_assign(struct tz_auth *auth, const struct tz_auth_who *who,
                               const char *district_id, const char *district_unit,
                               const char *officer, tz_auth_unit_fn unit_of, void *ctx,
                               struct tz_field_errors *errs);

/* One account by name (secrets included: keep it in auth's callers only as long as needed). */
tz_err tz_auth_account(struct tz_auth *auth, const char *name, struct tz_account_rec *out);
/* Every account, by name; free with free(). */
tz_err tz_auth_accounts(struct tz_auth *auth, struct tz_account_rec **out, size_t *count);

/* ---- login, sessions, API tokens ---- */

struct tz_login_result {
    char session[TZ_SECRET_TEXT_MAX]; /* the cookie's value */
    char csrf[TZ_SECRET_TEXT_MAX];    /* to send back in X-CSRF-Token */
    int64_t retry_after;              /* seconds, when the account is locked */
    int64_t idle_s, absolute_s;
};

/*
 * Logs in with password and TOTP code from client. TZ_OK with a new session;
 * TZ_EFORBIDDEN for any wrong name, password, code (or a code used before)
 * or a disabled account, all alike to the caller; TZ_EBUSY while locked
 * (retry_after set). Each attempt is audited with its real reason.
 */
tz_err tz_auth_login(struct tz_auth *auth, const char *name, const char *password, const char *totp,
                     const char *client, struct tz_login_result *out);
/*
 * The principal of a session id (the cookie). TZ_ENOTFOUND when there is no
 * such session, it has been idle too long or lived too long, or its account
 * is disabled. Moves the session's idle clock on.
 */
tz_err tz_auth_session(struct tz_auth *auth, const char *session, struct tz_principal *out);
/* Whether header is the CSRF token of p's session (constant time); always true for a token. */
bool tz_auth_csrf_ok(const struct tz_principal *p, const char *header);
/*
 * The principal of an API token (Authorization: Bearer). TZ_ENOTFOUND when
 * there is none, it is revoked or it has expired (an expired token is revoked
 * then, with an audit entry).
 */
tz_err tz_auth_token(struct tz_auth *auth, const char *token, struct tz_principal *out);
#define TZ_TOKEN_DAYS_MAX 3650 /* the longest an API token may live */
/*
 * When a token made now should end, from `user token --expires` text: a
 * number of days (1..TZ_TOKEN_DAYS_MAX) or a time (RFC 3339, or a date
 * YYYY-MM-DD) after now and at most that far. NULL: the default
 * (tz_auth_config.token_s). TZ_EINVAL for anything else.
 */
tz_err tz_auth_token_expiry(const struct tz_auth *auth, const char *text, int64_t *expires_at);
/*
 * Makes an API token for account name, labelled, that works until
 * expires_at (0: the default, token_s from now; a time not after now is
 * TZ_EINVAL); the text goes to out once.
 */
tz_err tz_auth_token_create(struct tz_auth *auth, const char *name, const char *label,
                            int64_t expires_at, const char *actor, char out[TZ_SECRET_TEXT_MAX]);
/* Ends p's session (or revokes its token). */
tz_err tz_auth_logout(struct tz_auth *auth, const struct tz_principal *p, const char *client);

/* ---- the audit log ---- */

/* An entry by p (NULL: actor names who) from client, at the handle's now; the caller adds the rest.
 */
struct tz_audit_rec tz_auth_audit_entry(const struct tz_auth *auth, const struct tz_principal *p,
                                        const char *actor, const char *client, const char *action,
                                        const char *object);
/* The same for who: the principal's name and role, or the operator's actor and role. */
struct tz_audit_rec tz_auth_who_entry(const struct tz_auth *auth, const struct tz_auth_who *who,
                                      const char *action, const char *object);
/* Appends an entry on its own (a read, a refusal). */
tz_err tz_auth_audit(struct tz_auth *auth, struct tz_audit_rec *rec);

/* What tz_auth_audit_verify found. */
struct tz_audit_verdict {
    int64_t entries;   /* entries read */
    int64_t first_bad; /* seq of the first entry that breaks the chain; 0 when intact; -1 when the
                        * checkpoints file is unreadable or proves nothing */
    char reason[128];  /* why it is broken */
    int64_t head_seq;  /* the last entry */
    uint8_t head[TZ_HASH_LEN];
    int64_t checkpoints; /* signed checkpoints checked */
};

/*
 * Walks the whole chain: each entry's seq follows the last, its prev_hash is
 * the previous hash and its hash is what its contents give. With
 * checkpoints (a file of lines "seq hash signature", may be NULL) and
 * the Ed25519 public key, also checks each signature and that the chain
 * still has that hash at that seq. TZ_OK even when broken: see verdict.
 */
tz_err tz_auth_audit_verify(struct tz_store *store, FILE *checkpoints, const uint8_t public_key[32],
                            struct tz_audit_verdict *verdict);
/*
 * After tz_auth_audit_verify: checks verdict's chain against the head kept
 * outside the database (tz_store_audit_head_keep) in the file at head_path.
 * The chain must reach that seq and hold that hash there; otherwise the
 * verdict is broken (newest entries deleted, or rewritten), and so it is when
 * the file is missing or unreadable (first_bad -1). TZ_OK even when broken.
 */
tz_err tz_auth_audit_verify_head(struct tz_store *store, const char *head_path,
                                 struct tz_audit_verdict *verdict);
/* Writes the entries with from <= at < to (0: open) as JSON lines. */
tz_err tz_auth_audit_export(struct tz_store *store, int64_t from, int64_t to, FILE *out);
/* Makes an Ed25519 key pair: the secret key as hex into key_file (mode 0600), public into pk. */
tz_err tz_auth_checkpoint_keygen(const char *key_file, uint8_t public_key[32]);
/* Reads the key file's public half. */
tz_err tz_auth_checkpoint_public(const char *key_file, uint8_t public_key[32]);
/* Signs the chain's head with the key in key_file and appends the line to out. */
tz_err tz_auth_checkpoint(struct tz_store *store, const char *key_file, FILE *out,
                          int64_t *head_seq);

/*
 * Signs the head at intervals on a thread of its own ("at intervals", DESIGN 5): every
 * interval_s seconds, when the chain has grown, and once more when stopped. Each line is
 * appended to checkpoints_path and fsynced. TZ_ENOTFOUND if the key file cannot be read.
 */
struct tz_auth_signer;
tz_err tz_auth_signer_start(struct tz_store *store, const char *key_file,
                            const char *checkpoints_path, int64_t interval_s,
                            struct tz_auth_signer **out);
/* Signs a last time and stops the thread. Safe with NULL. */
void tz_auth_signer_stop(struct tz_auth_signer *signer);

#endif
