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
#include "store/store.h"

/* The police roles (DESIGN 5); the public has no account. */
enum tz_auth_role {
    TZ_AUTH_OFFICER,    /* dzielnicowy: own districts */
    TZ_AUTH_SUPERVISOR, /* a unit and all its districts */
    TZ_AUTH_ANALYST,    /* reads and analyses everything, changes nothing */
    TZ_AUTH_ADMIN,      /* accounts and the audit log */
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
    TZ_ACT_COUNT
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
const char *tz_auth_action_code(enum tz_auth_action action);
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
/* The principal of an API token (Authorization: Bearer). TZ_ENOTFOUND when none. */
tz_err tz_auth_token(struct tz_auth *auth, const char *token, struct tz_principal *out);
/* Makes an API token for account name, labelled; the text goes to out once. */
tz_err tz_auth_token_create(struct tz_auth *auth, const char *name, const char *label,
                            const char *actor, char out[TZ_SECRET_TEXT_MAX]);
/* Ends p's session (or revokes its token). */
tz_err tz_auth_logout(struct tz_auth *auth, const struct tz_principal *p, const char *client);

/* ---- the audit log ---- */

/* An entry by p (NULL: actor names who) from client, at the handle's now; the caller adds the rest.
 */
struct tz_audit_rec tz_auth_audit_entry(const struct tz_auth *auth, const struct tz_principal *p,
                                        const char *actor, const char *client, const char *action,
                                        const char *object);
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
