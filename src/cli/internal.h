/*
 * internal.h - what the files of src/cli/ share: the options the command
 * line knows (each with its value's bounds), the command table's row, the
 * parsed call a handler receives, and the helpers every handler uses.
 *
 * A command is a row of the table in table.c: its name and subcommand, its
 * positional arguments, the options it takes, the handler and its help. The
 * parser (options.c) refuses, with that row's usage and exit status 2, any
 * option the row does not list, a missing value, a number outside its range
 * or with anything after it, and the wrong count of arguments; a handler
 * starts with its inputs already checked against the table.
 */
#ifndef TZ_CLI_INTERNAL_H
#define TZ_CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "auth/auth.h"
#include "base/err.h"
#include "exchange/exchange.h"
#include "store/store.h"
#include "threatmap/threatmap.h"

#define CLI_DEFAULT_DB "var/tarcza.db"
#define CLI_ARGS_MAX 3    /* positional arguments after the subcommand */
#define CLI_TEXT_MAX 4096 /* bytes of a text option's value (a path, a URL, a note) */
#define CLI_ACTOR_MAX 128 /* "cli:" and the operator's name */
#define CLI_EXIT_USAGE 2  /* exit status of a command line the table refuses */

/* Every option the command line knows; CLI_NONE ends a row's list. */
enum cli_opt {
    CLI_NONE,
    CLI_DB,
    /* serve */
    CLI_PORT,
    CLI_BIND,
    CLI_THREADS,
    CLI_WEB,
    CLI_SYNC_MS,
    CLI_TILES,
    CLI_TILES_ATTRIBUTION,
    CLI_KEY_RATE,
    CLI_KEY_BURST,
    CLI_CHECKPOINT_EVERY,
    CLI_MAX_CONNECTIONS,
    CLI_PER_IP_CONNECTIONS,
    CLI_IDLE_TIMEOUT,
    CLI_REQUEST_TIMEOUT,
    CLI_HEADER_LIMIT,
    CLI_WRITE_RATE,
    CLI_WRITE_BURST,
    CLI_LOGIN_RATE,
    CLI_TRUSTED_PROXY,
    CLI_IPV6_PREFIX,
    /* the audit key (serve, audit) */
    CLI_KEY,
    CLI_CHECKPOINTS,
    /* demo */
    CLI_REPORTS,
    CLI_SEED,
    /* report */
    CLI_NOTE,
    CLI_REFERRED_TO,
    CLI_PUBLIC_NOTE,
    CLI_ACTOR,
    /* stats, audit export */
    CLI_BY,
    CLI_FROM,
    CLI_TO,
    CLI_FORMAT,
    /* user */
    CLI_ROLE,
    CLI_UNIT,
    CLI_DISTRICTS,
    CLI_LABEL,
    CLI_EXPIRES,
    /* every command that opens the database */
    CLI_AUDIT_HEAD,
    /* operations (docs/operations.md) */
    CLI_CONFIG,
    CLI_LOG,
    CLI_METRICS_TOKEN,
    /* assist */
    CLI_REFERENCE,
    CLI_AS,
    /* serve: the assistant */
    CLI_TRANSLATE_URL,
    CLI_LLM_URL,
    /* watchlist, screen */
    CLI_SOURCE,
    CLI_BIRTH_DATE,
    CLI_NATIONALITY,
    CLI_SEX,
    CLI_REASON,
    CLI_COUNTRY,
    CLI_VIN,
    CLI_PLATE,
    CLI_PLATE_COUNTRY,
    CLI_SINCE,
    CLI_OFFLINE,
    CLI_PUB,
    /* exchange */
    CLI_NODE,
    CLI_SPOC_UNIT,
    CLI_DIRECTION,
    CLI_OUT,
    CLI_CASE,
    CLI_YEAR,
    CLI_HOURS,
    /* exchange retention */
    CLI_REASONS,
    CLI_DECISION,
    CLI_NEXT_REVIEW,
    CLI_DUE,
    /* alerts for an area (serve, alerts) */
    CLI_SMTP_URL,
    CLI_MAIL_FROM,
    CLI_PUBLIC_URL,
    CLI_ALERTS_MS,
    CLI_ALERTS_RETRY,
    CLI_ALERTS_FAILURES,
    CLI_FEED_RATE,
    CLI_AREA,
    CLI_CATEGORIES,
    /* node (federation), serve's federation port */
    CLI_NODE_DIR,
    CLI_HOST,
    CLI_DAYS,
    CLI_NAME,
    CLI_ENDPOINT,
    CLI_CERT,
    CLI_CERT_SHA256,
    CLI_SIGN_KEY,
    CLI_LANGUAGES,
    CLI_TYPES,
    CLI_HANDLING,
    CLI_FEDERATION_PORT,
    CLI_NODE_CERT,
    CLI_NODE_KEY,
    CLI_NODE_CA,
    CLI_SEND_POLL_MS,
    CLI_FEDERATION_ALARM_S,
    CLI_ACCEPT_TYPES,
    CLI_ACCEPT_HANDLING,
    CLI_ACCEPT_MAX,
    CLI_OVERLAP_S,
    /* the map index's snapshot */
    CLI_SNAPSHOT,
    CLI_SNAPSHOT_EVERY,
    CLI_OPT_COUNT
};

/* An option: its name, the name of its value in the usage, and for a number its range. */
struct cli_option {
    const char *name;  /* "--port" */
    const char *value; /* "N", "PATH" */
    bool number;       /* an integer from lo to hi; otherwise text of at most CLI_TEXT_MAX bytes */
    long long lo, hi;
    const char *help; /* one line for `tarcza CMD --help` */
};

/* The option table (options.c), indexed by enum cli_opt. */
extern const struct cli_option cli_options[CLI_OPT_COUNT];

struct cli_call;

/* A row of the command table. */
struct cli_command {
    const char *name;                     /* "report" */
    const char *sub;                      /* "transition", or NULL for a command without one */
    const char *args;                     /* the positional arguments in the usage: "ID STATUS" */
    size_t nargs;                         /* ... and how many there must be */
    int (*run)(const struct cli_call *c); /* the exit status */
    const enum cli_opt *opts;             /* the options it takes, CLI_NONE-terminated */
    const enum cli_opt *required;         /* those of opts it cannot do without (NULL: none) */
    const char *help;                     /* what it does, lines of at most 90 columns */
};

/* A command line checked against its row: what the handler reads. */
struct cli_call {
    const struct cli_command *cmd;
    bool set[CLI_OPT_COUNT];
    const char *text[CLI_OPT_COUNT]; /* the value as given */
    long long num[CLI_OPT_COUNT];    /* for a number option, the value read */
    const char *args[CLI_ARGS_MAX];
    size_t nargs;
    char *config_text; /* the --config file's text, which text[] may point into (owned) */
};

#define CLI_CONFIG_MAX (64 * 1024) /* bytes of a configuration file */

/* ---- options.c ---- */

/* Reads s as a decimal integer from lo to hi: digits after an optional '-', nothing else. */
bool cli_number(const char *s, long long lo, long long hi, long long *out);
/* Fills c from argv[0..argc) (what follows the command and subcommand) against c->cmd; on a
 * refusal prints why and the command's usage to stderr and returns false. */
bool cli_parse(int argc, char **argv, struct cli_call *c);
/*
 * Reads the configuration file of --config into c, for the options the command line did not give
 * (the command line wins): lines of `name = value`, name an option of c's row without its "--",
 * blank lines and lines starting with '#' skipped. Each value is checked as on the command line;
 * an unknown or repeated name, a missing or bad value is refused with FILE:LINE on stderr (false).
 */
bool cli_config_load(struct cli_call *c, const char *path);
/*
 * The reading of cli_config_load over text (NUL-terminated, changed in place: c's values point
 * into it, so it must outlive c): true, or false with the 1-based number of the refused line in
 * *line_number and why in why[size]. Prints nothing (fuzz/fuzz_config.c feeds it).
 */
bool cli_config_parse(struct cli_call *c, char *text, size_t *line_number, char *why, size_t size);
/* An option's value, or dflt when it was not given. */
const char *cli_text(const struct cli_call *c, enum cli_opt o, const char *dflt);
long long cli_num(const struct cli_call *c, enum cli_opt o, long long dflt);

/* ---- table.c ---- */

/* The row of `tarcza name sub` (sub NULL or ignored for a command without subcommands), or NULL. */
const struct cli_command *cli_command_find(const char *name, const char *sub);
/* Prints "usage: tarcza NAME SUB ARGS [OPTIONS]" of cmd, wrapped. */
void cli_print_usage(FILE *f, const struct cli_command *cmd);
/* Prints cmd's usage and the help of each of its options. */
void cli_print_help(FILE *f, const struct cli_command *cmd);
/* For a handler that finds an argument it cannot use: cmd's usage on stderr; CLI_EXIT_USAGE. */
int cli_usage_error(const struct cli_call *c, const char *why);

/* ---- common.c ---- */

/* Prints "tarcza: what: error" to stderr; returns 1. */
int cli_fail(const char *what, tz_err err);
/* The database the call names (--db or the default). */
const char *cli_db(const struct cli_call *c);
/* The database as messages name it: the file, or "PostgreSQL" for a URI (which may hold a
 * password and is not printed). */
const char *cli_db_name(const struct cli_call *c);
/* Opens the store of c's database (keeping the audit chain's head in --audit-head's file when
 * given), and the threat map over it when tm is not NULL. On failure says why, leaves nothing open
 * and returns an error. */
tz_err cli_open(const struct cli_call *c, struct tz_store **store, struct tz_threatmap **tm);
/* cli_open with the map index's snapshot (--snapshot, by default DB.mapindex; "off": none):
 * read at open when valid; path holds its name (NULL in cfg when off). */
tz_err cli_open_snap(const struct cli_call *c, struct tz_store **store, struct tz_threatmap **tm,
                     char *path, size_t size);

/* Who an audit entry of the command line names. */
struct cli_who {
    char actor[CLI_ACTOR_MAX];  /* "cli:" and --actor, or $USER, or "operator" */
    char client[CLI_ACTOR_MAX]; /* "cli:" and the operating system's user running the command */
};
/* Fills w for c. */
void cli_who(const struct cli_call *c, struct cli_who *w);
/* The actor, role and client of w's entries when acting as role: the `who` that the domain's
 * audited operations take (the rest of the entry is theirs). */
struct tz_audit_rec cli_who_rec(const struct cli_who *w, const char *role);
/* The same as auth's account operations take it. */
struct tz_auth_who cli_auth_who(const struct cli_who *w, const char *role);

/* What a command other than serve works with: the store, the auth service over it (the audit
 * log's entries), the threat map when asked for, and who acts. */
struct cli_ctx {
    struct tz_store *store;
    struct tz_auth *auth;
    struct tz_threatmap *tm; /* NULL unless opened with map */
    struct cli_who who;
};
/* Opens x for c (with the threat map when map is set); on failure says why and returns an error.
 * Close x with cli_ctx_close either way. */
tz_err cli_ctx_open(const struct cli_call *c, bool map, struct cli_ctx *x);
/* Closes what cli_ctx_open opened. */
void cli_ctx_close(struct cli_ctx *x);
/* An audit entry by x's actor and client (no role: the terminal's operator) for action on object
 * (NULL: none), at now; the caller adds fields, note or role. */
struct tz_audit_rec cli_audit_entry(const struct cli_ctx *x, enum tz_audit_action action,
                                    const char *object);
/* Reads a positional argument as an id (1 and up); false when it is not one. */
bool cli_id(const char *s, long long *out);

/* ---- the handlers, one file per command group ---- */

int cli_serve(const struct cli_call *c);            /* serve.c */
int cli_index_snapshot(const struct cli_call *c);   /* index.c */
int cli_import_districts(const struct cli_call *c); /* data.c */
int cli_demo(const struct cli_call *c);             /* data.c */
int cli_report_show(const struct cli_call *c);      /* report.c */
int cli_report_transition(const struct cli_call *c);
int cli_report_merge(const struct cli_call *c);
int cli_apikey_add(const struct cli_call *c);     /* apikey.c */
int cli_alerts_webhook(const struct cli_call *c); /* alerts.c */
int cli_alerts_log(const struct cli_call *c);
int cli_apikey_revoke(const struct cli_call *c);
int cli_apikey_list(const struct cli_call *c);
int cli_stats(const struct cli_call *c);          /* stats.c */
int cli_assist_analyse(const struct cli_call *c); /* assist.c */
int cli_assist_redact(const struct cli_call *c);
int cli_assist_language(const struct cli_call *c);
int cli_assist_translate(const struct cli_call *c);
int cli_assist_summarise(const struct cli_call *c);
int cli_assist_search(const struct cli_call *c);
int cli_assist_case(const struct cli_call *c); /* assist_case.c */
int cli_assist_ask(const struct cli_call *c);
int cli_user_add(const struct cli_call *c); /* user.c */
int cli_user_passwd(const struct cli_call *c);
int cli_user_disable(const struct cli_call *c);
int cli_user_enable(const struct cli_call *c);
int cli_user_list(const struct cli_call *c);
int cli_user_districts(const struct cli_call *c);
int cli_user_token(const struct cli_call *c);
int cli_import_addresses(const struct cli_call *c); /* address.c */
int cli_watchlist_import(const struct cli_call *c); /* screening.c */
int cli_screen_person(const struct cli_call *c);
int cli_screen_document(const struct cli_call *c);
int cli_screen_vehicle(const struct cli_call *c);
int cli_screen_batch(const struct cli_call *c);
/* Reads the whole file at path into *out (malloc'd, NUL-terminated, *n bytes); screening.c. */
tz_err cli_read_file(const char *path, char **out, size_t *n);
int cli_watchlist_snapshot(const struct cli_call *c); /* screening_offline.c */
/* Answers a person (kind 0), document (1) or vehicle (2) query q from --offline's files. */
int cli_screen_offline(const struct cli_call *c, const char *what, int kind, const void *q);
/* kind 3 of cli_screen_offline: a batch's items, read. */
struct cli_offline_batch {
    const struct tz_screen_batch_item *items;
    size_t n;
};
int cli_audit_verify(const struct cli_call *c); /* audit.c */
int cli_audit_export(const struct cli_call *c);
int cli_audit_keygen(const struct cli_call *c);
int cli_audit_checkpoint(const struct cli_call *c);
int cli_backup(const struct cli_call *c); /* backup.c */
int cli_restore(const struct cli_call *c);
int cli_migrate(const struct cli_call *c); /* migrate.c */

/* ---- exchange.c ---- */

/* The exchange over store for this node (--node, --spoc-unit; PL and KGP-SPOC by default). */
tz_err cli_exchange_open(const struct cli_call *c, struct tz_store *store,
                         struct tz_exchange **out);
int cli_exchange_import(const struct cli_call *c);
int cli_exchange_export(const struct cli_call *c);
int cli_exchange_inbox(const struct cli_call *c);
int cli_exchange_stats(const struct cli_call *c);
int cli_exchange_deviation(const struct cli_call *c);

/* ---- exchange_retention.c ---- */

int cli_exchange_conclude(const struct cli_call *c);
int cli_exchange_retention(const struct cli_call *c);
int cli_exchange_review(const struct cli_call *c);
/* The exchange's CLI context (exchange.c), for the files of its commands. */
struct cli_xctx {
    struct tz_store *store;
    struct tz_exchange *x;
    struct cli_who who;
    struct tz_principal p;
    struct tz_xactor actor;
};
int cli_xctx_open(const struct cli_call *c, struct cli_xctx *k);
void cli_xctx_close(struct cli_xctx *k);
void cli_print_field_errors(const struct tz_field_errors *errs);
/* node.c: federation's identity and node directory. */
int cli_node_init(const struct cli_call *c);
int cli_node_add(const struct cli_call *c);
int cli_node_remove(const struct cli_call *c);
int cli_node_list(const struct cli_call *c);
int cli_node_terms(const struct cli_call *c);
int cli_node_rekey(const struct cli_call *c);
int cli_node_rotate(const struct cli_call *c);
int cli_node_revoke(const struct cli_call *c);
int cli_node_revoked(const struct cli_call *c);

#endif
