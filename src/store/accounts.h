/*
 * accounts.h - the store's police accounts, login attempts, sessions and
 * API tokens (used by src/auth).
 */
#ifndef TZ_STORE_ACCOUNTS_H
#define TZ_STORE_ACCOUNTS_H

#include "store/common.h"

#define TZ_ROLE_MAX 16              /* role codes, NUL included */
#define TZ_UNIT_MAX 160             /* unit names, NUL included */
#define TZ_PWHASH_MAX 128           /* an Argon2id hash string (crypto_pwhash_STRBYTES) */
#define TZ_TOTP_SECRET_LEN 20       /* bytes of a TOTP seed (RFC 4226 recommends 160 bits) */
#define TZ_ACCOUNT_DISTRICTS_MAX 64 /* districts one account may be bound to */

/* A police account. Its districts bind an officer; a supervisor is bound to a unit. */
struct tz_account_rec {
    int64_t id; /* assigned by the store */
    char name[TZ_ACCOUNT_NAME_MAX];
    char role[TZ_ROLE_MAX]; /* officer, supervisor, analyst, admin */
    char unit[TZ_UNIT_MAX]; /* empty when none */
    char password_hash[TZ_PWHASH_MAX];
    uint8_t totp_secret[TZ_TOTP_SECRET_LEN];
    int64_t totp_last_step; /* the last TOTP time step accepted: each code counts once */
    int failed_count;       /* failed logins since failed_since */
    int64_t failed_since;
    int64_t locked_until; /* 0 when not locked */
    bool disabled;
    int64_t created_at;
    size_t district_count;
    char districts[TZ_ACCOUNT_DISTRICTS_MAX][TZ_ID_MAX];
};

/* A login session or an API token, as stored: only the hash of its secret. */
struct tz_session_rec {
    uint8_t id_hash[TZ_HASH_LEN];
    int64_t account_id;
    int64_t created_at;
    int64_t last_seen;
    int64_t expires_at; /* an API token stops working at this time; 0 for a session */
    char client[64];    /* address it was made from */
};

/*
 * How a login attempt changes an account (see tz_store_account_login). A
 * success sets totp_step; a failure (failure true) is counted by the store
 * itself in one statement, so that attempts racing on several threads each
 * count: a failure outside window_s of the first starts a new count, and the
 * lock_failures-th within it locks the account until now + lock_s (a lock is
 * never shortened). The store writes what it did into failures and
 * locked_until, and into fields (JSON for the audit entry, which is appended
 * after it in the same transaction).
 */
struct tz_login_update {
    int64_t account_id;
    int64_t totp_step; /* on success: the accepted step, which must be above the stored one */
    bool failure;
    int64_t now, window_s, lock_s;
    int lock_failures;
    int failures;         /* out: failures counted in the window (0 once it locked) */
    int64_t locked_until; /* out: the lock this failure set, or 0 */
    char *fields;         /* out: {"failures":N} or {"locked_until":T}; may be NULL */
    size_t fields_size;
};

/*
 * The operations on accounts and sessions, declared once (see common.h): X(name, (parameters),
 * (arguments), preconditions).
 */
/* clang-format off */
#define TZ_STORE_ACCOUNT_OPS(X)                                                                    \
    /*                                                                                             \
     * Inserts the account (rec->id 0) or replaces the one with its id, with its                   \
     * districts, and appends audit (may be NULL) in the same transaction.                         \
     * TZ_ECONFLICT when the name is taken, TZ_EINVAL for an unknown district or role.             \
     */                                                                                            \
    X(account_put, (struct tz_store *store, struct tz_account_rec *rec,                            \
       const struct tz_audit_rec *audit),                                                          \
      (store, rec, audit),                                                                         \
      TZ_PRE_NEED(rec && account_ok(rec) && TZ_PRE_AUDIT(audit)))                                  \
    /* One account by name (id 0) or by id; TZ_ENOTFOUND if none. */                               \
    X(account_get, (struct tz_store *store, const char *name, int64_t id,                          \
       struct tz_account_rec *out),                                                                \
      (store, id ? NULL : name, id, out),                                                          \
      TZ_PRE_NEED(out) TZ_PRE_NEED(id || name)                                                     \
      TZ_PRE_IF(!id && !TZ_PRE_FITS(name, TZ_ACCOUNT_NAME_MAX), TZ_ENOTFOUND) TZ_PRE_ZERO(out))    \
    /* Every account, by name. Free with free(). */                                                \
    X(accounts, (struct tz_store *store, struct tz_account_rec **out, size_t *count),              \
      (store, out, count),                                                                         \
      TZ_PRE_EMPTY(out, count))                                                                    \
    /*                                                                                             \
     * Records a login attempt's effect on the account with audit. With a non-zero                 \
     * totp_step the update applies only if that step is above the stored one                      \
     * (compare and set), else TZ_ECONFLICT: the same code cannot log in twice.                    \
     * A failure that locks the account also ends its sessions (not its API                        \
     * tokens), in the same transaction.                                                           \
     */                                                                                            \
    X(account_login, (struct tz_store *store, struct tz_login_update *upd,                         \
       const struct tz_audit_rec *audit),                                                          \
      (store, upd, audit),                                                                         \
      TZ_PRE_NEED(upd && TZ_PRE_AUDIT(audit)))                                                     \
    /* Stores a new session (or, with is_token, an API token labelled label) and audit. */         \
    X(session_put, (struct tz_store *store, const struct tz_session_rec *rec, bool is_token,       \
       const char *label, const struct tz_audit_rec *audit),                                       \
      (store, rec, is_token, label, audit),                                                        \
      TZ_PRE_NEED(rec && TZ_PRE_FITS(rec->client, sizeof rec->client) && TZ_PRE_AUDIT(audit))      \
      TZ_PRE_NEED(!is_token || label))                                                             \
    /* The session (or API token) with this hash; TZ_ENOTFOUND if none (or revoked). */            \
    X(session_get, (struct tz_store *store, const uint8_t id_hash[TZ_HASH_LEN], bool is_token,     \
       struct tz_session_rec *out),                                                                \
      (store, id_hash, is_token, out),                                                             \
      TZ_PRE_NEED(id_hash) TZ_PRE_ZERO(out))                                                       \
    /* Moves a session's last_seen forward. */                                                     \
    X(session_touch, (struct tz_store *store, const uint8_t id_hash[TZ_HASH_LEN], int64_t at),     \
      (store, id_hash, at),                                                                        \
      TZ_PRE_NEED(id_hash))                                                                        \
    /* Ends a session (or revokes a token) with audit; all of account_id when hash is NULL. */     \
    X(session_end, (struct tz_store *store, const uint8_t *id_hash, int64_t account_id,            \
       const struct tz_audit_rec *audit),                                                          \
      (store, id_hash, account_id, audit),                                                         \
      TZ_PRE_NEED((id_hash || account_id) && TZ_PRE_AUDIT(audit)))                                 \
    /*                                                                                             \
     * Binds district_id to account_id alone: the district leaves every other                      \
     * account and joins this one (if it had it, nothing changes), with audit, in                  \
     * one transaction. TZ_ENOTFOUND when there is no such account or district.                    \
     */                                                                                            \
    X(district_assign, (struct tz_store *store, const char *district_id,                           \
       int64_t account_id, const struct tz_audit_rec *audit),                                      \
      (store, district_id, account_id, audit),                                                     \
      TZ_PRE_NEED(TZ_PRE_FITS(district_id, TZ_ID_MAX) && *district_id && account_id > 0)           \
      TZ_PRE_NEED(TZ_PRE_AUDIT(audit)))
/* clang-format on */
TZ_STORE_ACCOUNT_OPS(TZ_STORE_DECLARE)

#endif
