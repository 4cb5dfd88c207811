/*
 * store.h - the store: where reports, districts and categories live durably.
 *
 * The threat map talks to the store only through this header, so that a
 * PostgreSQL backend can join the SQLite one without touching threatmap/.
 * Records here are plain data; the threat-map rules (validation, workflow,
 * deadlines) are not the store's business.
 *
 * Every function is safe to call from many threads at once. Writes are
 * transactions: when a write function returns TZ_OK its effect is committed
 * and synced to disk (SQLite: WAL, synchronous=FULL); when it returns an error,
 * nothing of it is stored.
 */
#ifndef TZ_STORE_STORE_H
#define TZ_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define TZ_CODE_MAX 48   /* category, group and status codes, NUL included */
#define TZ_ID_MAX 64     /* district ids, NUL included */
#define TZ_HASH_LEN 32   /* SHA-256 / BLAKE2b-256 digests */
#define TZ_STATUS_MAX 16 /* status codes, NUL included */

/* A category of threat (DESIGN 1.1): data, not code. */
struct tz_category_rec {
    char code[TZ_CODE_MAX];
    char group[TZ_CODE_MAX];
    char *name_pl;
    char *name_en;
    bool retired; /* takes no new reports */
    bool description_required;
    char visibility[TZ_CODE_MAX]; /* "always", "once_confirmed", "never" */
    int sort_order;
};

/* A group of categories. */
struct tz_group_rec {
    char code[TZ_CODE_MAX];
    char *name_pl;
    char *name_en;
};

/* A police district (rejon dzielnicowego). */
struct tz_district_rec {
    char id[TZ_ID_MAX];
    char *name;
    char *unit;
    char *officer;
    char *geometry; /* GeoJSON geometry object (RFC 7946), as text */
};

/* A report, as stored. Times are Unix seconds UTC; 0 means "not yet". */
struct tz_report_rec {
    int64_t id; /* assigned by the store on insert */
    char category[TZ_CODE_MAX];
    double lat, lon;
    char district_id[TZ_ID_MAX];
    char status[TZ_STATUS_MAX];
    char *description;        /* as the reporter wrote it; may be NULL */
    char *public_description; /* as an officer reviewed it; NULL until then */
    int64_t received_at;
    int64_t status_changed_at;
    int64_t takeup_due; /* deadline to take it up */
    int64_t taken_up_at;
    int64_t verify_due; /* deadline to verify; 0 until taken up */
    int64_t verified_at;
    int64_t when_date;   /* when it happens: a day (00:00 Polish time), or 0 */
    unsigned when_times; /* bit set of times of day: 1 morning, 2 afternoon, 4 evening, 8 night */
    unsigned when_weekdays;             /* bit set of weekdays: bit 0 Monday ... bit 6 Sunday */
    int me_too;                         /* citizens who confirmed it */
    uint8_t token_hash[TZ_HASH_LEN];    /* hash of the reporter's tracking token */
    uint8_t reporter_hash[TZ_HASH_LEN]; /* keyed hash of the reporter's address */
    int64_t api_key_id; /* the Open311 key that sent it, or 0; written, not read back */
};

/* One status change of a report. */
struct tz_transition_rec {
    int64_t seq; /* its place among all changes of all reports, increasing */
    int64_t report_id;
    char from[TZ_STATUS_MAX];
    char to[TZ_STATUS_MAX];
    int64_t at;
    char *actor;       /* who made it */
    char *note;        /* why; may be NULL */
    char *referred_to; /* institution, for "referred"; may be NULL */
};

/* What a list of reports is filtered by. Zero-initialised means "everything". */
#define TZ_FILTER_MAX_CATEGORIES 64
struct tz_report_filter {
    bool has_bbox;
    double west, south, east, north;
    size_t category_count;
    char categories[TZ_FILTER_MAX_CATEGORIES][TZ_CODE_MAX];
    size_t status_count;
    char statuses[8][TZ_STATUS_MAX];
    int64_t from, to;  /* received_at in [from, to); 0 = open */
    int64_t before_id; /* keyset cursor: only ids below it; 0 = from the newest */
    size_t limit;      /* at most this many, newest first */
};

struct tz_audit_rec;

/* Where the store is asked to change a report's status (compare and set). */
struct tz_status_change {
    int64_t report_id;
    const char *expected_status; /* the change fails with TZ_ECONFLICT unless the report is in it */
    const char *new_status;
    int64_t at;
    int64_t taken_up_at; /* new values of these three when non-zero */
    int64_t verify_due;
    int64_t verified_at;
    const char *actor;
    const char *note;
    const char *referred_to;
    const struct tz_audit_rec
        *audit; /* when set, appended to the audit log in the same transaction */
};

/*
 * What the store did in the background since it was opened, for benchmarks
 * and operations; a backend leaves at 0 what it does not have.
 */
struct tz_store_stats {
    uint64_t checkpoints;         /* WAL checkpoints run */
    uint64_t frames_checkpointed; /* WAL frames copied back into the database file */
    uint64_t wal_resets;          /* times the WAL was emptied or made to start over */
    uint64_t wal_pages_max;       /* longest WAL seen after a commit, in pages */
    int64_t writer_wait_ns_max;   /* longest a checkpoint held the writer back */
};

struct tz_store;

/*
 * Opens (creating if needed) the SQLite store at path, a file, and brings its
 * schema up to date, one migration per transaction. TZ_ECONFLICT if the
 * database was migrated by a newer tarcza than this one; TZ_EIO if the file
 * cannot be opened or does not accept WAL mode.
 */
tz_err tz_store_open_sqlite(const char *path, struct tz_store **out);
/* Closes the store; no call on it may be running or follow. Safe with NULL. */
void tz_store_close(struct tz_store *store);
/* The schema version after migrations. */
int tz_store_schema_version(struct tz_store *store);
/* The background counters (see struct tz_store_stats). */
tz_err tz_store_stats(struct tz_store *store, struct tz_store_stats *out);

/* Categories and groups, in their sort order. The caller frees with the _free functions. */
tz_err tz_store_categories(struct tz_store *store, struct tz_category_rec **out, size_t *count);
tz_err tz_store_groups(struct tz_store *store, struct tz_group_rec **out, size_t *count);
void tz_category_recs_free(struct tz_category_rec *recs, size_t count);
void tz_group_recs_free(struct tz_group_rec *recs, size_t count);

/*
 * Inserts or replaces (by id) every district of the list in one transaction.
 * Reports keep pointing at a replaced district. TZ_EINVAL if a district lacks
 * its name, unit or geometry (the officer may be NULL); then none is stored.
 */
tz_err tz_store_put_districts(struct tz_store *store, const struct tz_district_rec *recs,
                              size_t count);
/* Every district, ordered by id. */
tz_err tz_store_districts(struct tz_store *store, struct tz_district_rec **out, size_t *count);
void tz_district_recs_free(struct tz_district_rec *recs, size_t count);

/*
 * Inserts count reports in one transaction and writes their new ids into
 * recs[i].id (increasing in array order). All are stored or none is: on an
 * error every recs[i].id is 0. TZ_EINVAL when a report breaks the schema
 * (unknown category or district, unknown status code, lat/lon off the globe,
 * when_times or when_weekdays out of range). The store does not check the
 * threat-map rules (retired categories, required descriptions). This is the
 * group-commit primitive: see committer.h for the thread that batches
 * concurrent requests into it.
 */
tz_err tz_store_insert_reports(struct tz_store *store, struct tz_report_rec *recs, size_t count);
/* One report by id; TZ_ENOTFOUND if there is none. Free with tz_report_rec_clear. */
tz_err tz_store_get_report(struct tz_store *store, int64_t id, struct tz_report_rec *out);
/*
 * Reports matching filter, newest first (by id), at most filter->limit: 100
 * when it is 0, never more than 1000. The next page is the same filter with
 * before_id set to the last id of this one. TZ_EINVAL for a filter that
 * cannot be read (counts past their arrays, a bbox with south > north or
 * outside the globe); a bbox whose west lies east of its east crosses 180°.
 */
tz_err tz_store_list_reports(struct tz_store *store, const struct tz_report_filter *filter,
                             struct tz_report_rec **out, size_t *count);
/* Number of reports stored. */
tz_err tz_store_count_reports(struct tz_store *store, int64_t *count);
/* Releases what a report record owns (not the record itself). */
void tz_report_rec_clear(struct tz_report_rec *rec);
void tz_report_recs_free(struct tz_report_rec *recs, size_t count);

/*
 * Applies a status change and records it in the report's history, in one
 * transaction: TZ_ENOTFOUND if there is no such report, TZ_ECONFLICT if it is
 * not in expected_status (nothing changes), TZ_EINVAL for an unknown status
 * code or a missing actor. The store does not check that the workflow allows
 * the transition; threatmap does.
 */
tz_err tz_store_change_status(struct tz_store *store, const struct tz_status_change *change);
/* Sets the reviewed public description (NULL hides it again); TZ_ENOTFOUND if no such report. */
tz_err tz_store_set_public_description(struct tz_store *store, int64_t report_id, const char *text);
/* The report's status history, oldest first; empty for a report with none (or no report). */
tz_err tz_store_history(struct tz_store *store, int64_t report_id, struct tz_transition_rec **out,
                        size_t *count);
void tz_transition_recs_free(struct tz_transition_rec *recs, size_t count);

/*
 * The change feed, for a server to learn what other processes (the command
 * line, another instance) stored since it last looked. Reports with ids above
 * after_id, oldest first, at most limit (1..TZ_STORE_LIST_MAX).
 */
tz_err tz_store_reports_after(struct tz_store *store, int64_t after_id, size_t limit,
                              struct tz_report_rec **out, size_t *count);
/* Status changes with seq above after_seq, in the order they were made, at most limit. */
tz_err tz_store_transitions_after(struct tz_store *store, int64_t after_seq, size_t limit,
                                  struct tz_transition_rec **out, size_t *count);
/* The highest seq of a status change so far (0 when there is none). */
tz_err tz_store_last_transition_seq(struct tz_store *store, int64_t *seq);
/*
 * Records that a citizen (the keyed hash of their address) also sees the
 * threat of report_id ("me too") and returns the report's new count in
 * *me_too. TZ_ENOTFOUND if there is no such report; TZ_ECONFLICT if this
 * reporter confirmed it already (nothing changes).
 */
tz_err tz_store_add_me_too(struct tz_store *store, int64_t report_id,
                           const uint8_t reporter_hash[TZ_HASH_LEN], int64_t at, int *me_too);

/* An API key of the Open311 interface (migration 6). The key itself is never stored. */
#define TZ_API_KEY_NAME_MAX 64 /* bytes of a key's name, NUL included */
struct tz_api_key_rec {
    int64_t id;
    char name[TZ_API_KEY_NAME_MAX]; /* who holds it, for the admin */
    int64_t created_at;
    int64_t revoked_at; /* 0 while it is valid */
};

/* Stores a new key by its hash; TZ_EINVAL for an empty or too long name or a hash already used. */
tz_err tz_store_put_api_key(struct tz_store *store, const char *name,
                            const uint8_t hash[TZ_HASH_LEN], int64_t now, int64_t *id);
/* Revokes a key at now: TZ_ENOTFOUND if there is none, TZ_ECONFLICT if it is already revoked. */
tz_err tz_store_revoke_api_key(struct tz_store *store, int64_t id, int64_t now);
/* Every key, oldest first; free the array with free(). */
tz_err tz_store_api_keys(struct tz_store *store, struct tz_api_key_rec **out, size_t *count);
/* The id of the valid (not revoked) key with this hash; TZ_ENOTFOUND if there is none. */
tz_err tz_store_find_api_key(struct tz_store *store, const uint8_t hash[TZ_HASH_LEN], int64_t *id);
/* ---- analysis (migration 7) ---- */

/* A duplicate merged into its original. */
struct tz_merge_rec {
    int64_t report_id;   /* the duplicate */
    int64_t original_id; /* the report it was merged into */
    int64_t at;
    char *actor;
    char *note; /* may be NULL */
};

/*
 * Merges the report `duplicate` into `original` at `at` by actor, with a
 * note (may be NULL), in one transaction; both reports stay as they are.
 * TZ_EINVAL for the same id twice or no actor; TZ_ENOTFOUND when either
 * report does not exist; TZ_ECONFLICT when duplicate is merged already, when
 * original is itself a duplicate (merge into its original instead) or when
 * duplicate has duplicates of its own. audit (may be NULL) is appended to the
 * audit log in the same transaction.
 */
tz_err tz_store_merge_report(struct tz_store *store, int64_t duplicate, int64_t original,
                             int64_t at, const char *actor, const char *note,
                             const struct tz_audit_rec *audit);
/* The merges that involve report id, as duplicate or as original, oldest first. */
tz_err tz_store_report_merges(struct tz_store *store, int64_t id, struct tz_merge_rec **out,
                              size_t *count);
void tz_merge_recs_free(struct tz_merge_rec *recs, size_t count);

/* One report as a scan sees it: the columns analysis needs, valid during the callback only. */
struct tz_report_row {
    int64_t id;
    const char *category;
    double lat, lon;
    const char *district_id;
    const char *unit; /* the district's unit */
    const char *status;
    int64_t received_at, status_changed_at;
    int64_t takeup_due, taken_up_at, verify_due, verified_at; /* 0 = not yet */
    int me_too;
    int64_t merged_into; /* the original, for a merged duplicate; 0 otherwise */
};

/* Which reports a scan reads: received in [from, to) (0 = open), of one district or all. */
struct tz_scan_filter {
    const char *district_id; /* NULL for every district */
    int64_t from, to;
};

/*
 * Calls fn for every report the filter matches, in id order, on one
 * consistent snapshot. A non-zero return of fn stops the scan and is returned.
 */
tz_err tz_store_scan_reports(struct tz_store *store, const struct tz_scan_filter *filter,
                             tz_err (*fn)(void *ctx, const struct tz_report_row *row), void *ctx);
/* ---- accounts, sessions, API tokens and the audit log (used by src/auth) ------------------- */

#define TZ_ACCOUNT_NAME_MAX 64      /* account names, NUL included */
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
    char client[64]; /* address it was made from */
};

/*
 * One audit entry (DESIGN 5, Directive 2016/680 Art. 25): who, when, from
 * where, what (action, object and fields), why (note) and the outcome. seq,
 * prev_hash and hash are set by the store when it appends the entry; strings
 * read back are owned by the record (tz_audit_recs_free).
 */
struct tz_audit_rec {
    int64_t seq;
    int64_t at;
    const char *actor;   /* account name, "cli:<user>" or "anonymous" */
    const char *role;    /* may be NULL */
    const char *client;  /* address; may be NULL */
    const char *action;  /* "report.transition", "auth.login", ... */
    const char *object;  /* "report/12", "account/ala"; may be NULL */
    const char *fields;  /* what changed or was read (JSON text); may be NULL */
    const char *note;    /* why; may be NULL */
    const char *outcome; /* "ok", "refused", "failed" */
    uint8_t prev_hash[TZ_HASH_LEN];
    uint8_t hash[TZ_HASH_LEN];
};

/*
 * The chain hash of an entry: BLAKE2b-256 over a domain tag, prev, seq, at
 * and each text field length-prefixed (NULL differs from ""). The store
 * computes it on append; `tarcza audit verify` recomputes it.
 */
void tz_store_audit_hash(const struct tz_audit_rec *rec, const uint8_t prev[TZ_HASH_LEN],
                         uint8_t out[TZ_HASH_LEN]);

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
 * Inserts the account (rec->id 0) or replaces the one with its id, with its
 * districts, and appends audit (may be NULL) in the same transaction.
 * TZ_ECONFLICT when the name is taken, TZ_EINVAL for an unknown district or role.
 */
tz_err tz_store_account_put(struct tz_store *store, struct tz_account_rec *rec,
                            const struct tz_audit_rec *audit);
/* One account by name (id 0) or by id; TZ_ENOTFOUND if none. */
tz_err tz_store_account_get(struct tz_store *store, const char *name, int64_t id,
                            struct tz_account_rec *out);
/* Every account, by name. Free with free(). */
tz_err tz_store_accounts(struct tz_store *store, struct tz_account_rec **out, size_t *count);
/*
 * Records a login attempt's effect on the account with audit. With a non-zero
 * totp_step the update applies only if that step is above the stored one
 * (compare and set), else TZ_ECONFLICT: the same code cannot log in twice.
 */
tz_err tz_store_account_login(struct tz_store *store, struct tz_login_update *upd,
                              const struct tz_audit_rec *audit);

/* Stores a new session (or, with is_token, an API token labelled label) and audit. */
tz_err tz_store_session_put(struct tz_store *store, const struct tz_session_rec *rec, bool is_token,
                            const char *label, const struct tz_audit_rec *audit);
/* The session (or API token) with this hash; TZ_ENOTFOUND if none (or revoked). */
tz_err tz_store_session_get(struct tz_store *store, const uint8_t id_hash[TZ_HASH_LEN],
                            bool is_token, struct tz_session_rec *out);
/* Moves a session's last_seen forward. */
tz_err tz_store_session_touch(struct tz_store *store, const uint8_t id_hash[TZ_HASH_LEN],
                              int64_t at);
/* Ends a session (or revokes a token) with audit; ends every session of account_id when hash is
 * NULL. */
tz_err tz_store_session_end(struct tz_store *store, const uint8_t *id_hash, int64_t account_id,
                            const struct tz_audit_rec *audit);

/* Appends one entry to the audit log in its own transaction (seq and hashes are set in *rec). */
tz_err tz_store_audit_append(struct tz_store *store, struct tz_audit_rec *rec);
/* Entries with seq > after_seq, oldest first, at most limit (1..1000). */
tz_err tz_store_audit_read(struct tz_store *store, int64_t after_seq, size_t limit,
                           struct tz_audit_rec **out, size_t *count);
void tz_audit_recs_free(struct tz_audit_rec *recs, size_t count);

/* The institutions a report may be referred to (code, Polish and English name). */
tz_err tz_store_institutions(struct tz_store *store, struct tz_group_rec **out, size_t *count);

/* Sets the reviewed public description with audit in one transaction (NULL hides it). */
tz_err tz_store_review_description(struct tz_store *store, int64_t report_id, const char *text,
                                   const struct tz_audit_rec *audit);
/* Assigns a report to an account name (NULL: back to its district's officer) with audit. */
tz_err tz_store_assign_report(struct tz_store *store, int64_t report_id, const char *account,
                              int64_t at, const struct tz_audit_rec *audit);
/* The account a report is assigned to, or "" when none. */
tz_err tz_store_report_assignee(struct tz_store *store, int64_t report_id,
                                char out[TZ_ACCOUNT_NAME_MAX]);

/*
 * An officer's queue: open reports (new, verifying) in the given districts
 * that are not assigned to someone else, plus those assigned to `account`
 * (NULL: every open report of the districts, whoever it is assigned to),
 * ordered by the deadline that applies (take-up for new, verification for
 * verifying), earliest (so overdue) first, at most limit (1..1000).
 */
tz_err tz_store_queue(struct tz_store *store, const char (*districts)[TZ_ID_MAX],
                      size_t district_count, const char *account, size_t limit,
                      struct tz_report_rec **out, size_t *count);

/* Deadline compliance of one district (the supervisor's dashboard). */
struct tz_compliance_rec {
    char district_id[TZ_ID_MAX];
    int64_t reports;          /* received */
    int64_t taken_up;         /* taken up at all */
    int64_t taken_up_in_time; /* taken up by the take-up deadline */
    int64_t verified;
    int64_t verified_in_time; /* verified by the verification deadline */
    int64_t overdue;          /* open and past its deadline at `now` */
};
/* Compliance of each of the given districts at now, in their order. Free with free(). */
tz_err tz_store_compliance(struct tz_store *store, const char (*districts)[TZ_ID_MAX],
                           size_t district_count, int64_t now, struct tz_compliance_rec **out,
                           size_t *count);

#endif
