/*
 * table.c - the command table of `tarcza` and the dispatch over it. Each row
 * names a command (and subcommand), its positional arguments, the options it
 * takes, its handler and its help; `tarcza --help`, `tarcza CMD --help` and
 * every refusal print from these rows, so the usage cannot drift from what
 * the parser accepts. Handlers live one file per command group.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/internal.h"

#define OPTS(...) ((const enum cli_opt[]){__VA_ARGS__, CLI_NONE})

/* clang-format off */
static const struct cli_command commands[] = {
    {"serve", NULL, "", 0, cli_serve,
     OPTS(CLI_PORT, CLI_BIND, CLI_THREADS, CLI_DB, CLI_WEB, CLI_SYNC_MS, CLI_TILES,
          CLI_TILES_ATTRIBUTION, CLI_KEY_RATE, CLI_KEY_BURST, CLI_KEY, CLI_CHECKPOINTS,
          CLI_CHECKPOINT_EVERY, CLI_MAX_CONNECTIONS, CLI_PER_IP_CONNECTIONS, CLI_IDLE_TIMEOUT,
          CLI_REQUEST_TIMEOUT, CLI_HEADER_LIMIT, CLI_WRITE_RATE, CLI_WRITE_BURST, CLI_LOGIN_RATE,
          CLI_TRUSTED_PROXY, CLI_IPV6_PREFIX, CLI_AUDIT_HEAD, CLI_TRANSLATE_URL, CLI_LLM_URL, CLI_NODE,
          CLI_SPOC_UNIT, CLI_CONFIG, CLI_LOG, CLI_METRICS_TOKEN, CLI_SMTP_URL, CLI_MAIL_FROM,
          CLI_PUBLIC_URL, CLI_ALERTS_MS, CLI_ALERTS_RETRY, CLI_ALERTS_FAILURES, CLI_FEED_RATE,
          CLI_FEDERATION_PORT, CLI_NODE_DIR, CLI_NODE_CERT, CLI_NODE_KEY, CLI_NODE_CA,
          CLI_SEND_POLL_MS, CLI_FEDERATION_ALARM_S, CLI_SNAPSHOT, CLI_SNAPSHOT_EVERY),
     NULL,
     "serve the API on http://ADDR:N and the browser front end; with --key and --checkpoints\n"
     "also sign the audit chain's head at intervals; abuse limits: docs/reliability.md;\n"
     "installed, the pages come from PREFIX/share/tarcza/web; operations: docs/operations.md"},
    {"import-districts", NULL, "FILE.geojson", 1, cli_import_districts, OPTS(CLI_DB, CLI_AUDIT_HEAD), NULL,
     "import district polygons (FeatureCollection; properties name, unit, officer)"},
    {"demo", NULL, "", 0, cli_demo, OPTS(CLI_REPORTS, CLI_SEED, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "add demo data: Kraków districts (if none) and N reports (default 5000)"},
    {"report", "show", "ID", 1, cli_report_show, OPTS(CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "print a report with its history (audited as a read)"},
    {"report", "transition", "ID STATUS", 2, cli_report_transition,
     OPTS(CLI_NOTE, CLI_PUBLIC_NOTE, CLI_REFERRED_TO, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "move a report through the workflow (as a supervisor)"},
    {"report", "merge", "DUP ORIGINAL", 2, cli_report_merge, OPTS(CLI_ACTOR, CLI_NOTE, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "record that report DUP duplicates ORIGINAL (both stay; the merge is kept)"},
    {"alerts", "webhook", "URL", 1, cli_alerts_webhook,
     OPTS(CLI_AREA, CLI_CATEGORIES, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "register a city system's webhook for an area (prints its id and its HMAC key, once)"},
    {"alerts", "log", "", 0, cli_alerts_log, OPTS(CLI_DB), NULL,
     "print the alerts' delivery log, newest first"},
    {"apikey", "add", "NAME", 1, cli_apikey_add, OPTS(CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "issue an API key for Open311 POST (the key is shown once)"},
    {"apikey", "revoke", "ID", 1, cli_apikey_revoke, OPTS(CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL, "revoke an API key"},
    {"apikey", "list", "", 0, cli_apikey_list, OPTS(CLI_DB, CLI_AUDIT_HEAD), NULL,
     "list the API keys: id, name, created, revoked (or \"valid\")"},
    {"stats", NULL, "", 0, cli_stats, OPTS(CLI_BY, CLI_FROM, CLI_TO, CLI_FORMAT, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "reports by category and status and deadline compliance, per group"},
    {"user", "add", "NAME", 1, cli_user_add,
     OPTS(CLI_ROLE, CLI_UNIT, CLI_DISTRICTS, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), OPTS(CLI_ROLE),
     "create a police account; the password is read from TARCZA_PASSWORD or standard input;\n"
     "prints the TOTP enrolment URI and QR code"},
    {"user", "passwd", "NAME", 1, cli_user_passwd, OPTS(CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "set a new password (TARCZA_PASSWORD or standard input); ends the account's sessions"},
    {"user", "disable", "NAME", 1, cli_user_disable, OPTS(CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "disable an account"},
    {"user", "enable", "NAME", 1, cli_user_enable, OPTS(CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "enable an account again"},
    {"user", "list", "", 0, cli_user_list, OPTS(CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "list the accounts (audited as a read)"},
    {"user", "districts", "NAME", 1, cli_user_districts, OPTS(CLI_DISTRICTS, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD),
     OPTS(CLI_DISTRICTS), "bind an account to these districts"},
    {"user", "token", "NAME", 1, cli_user_token, OPTS(CLI_LABEL, CLI_EXPIRES, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "make an API token for an account (printed once) that works for 90 days or --expires"},
    {"exchange", "import", "FILE", 1, cli_exchange_import,
     OPTS(CLI_DIRECTION, CLI_NODE, CLI_SPOC_UNIT, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "store an exchange message from a JSON file (sent, or --direction in: received)"},
    {"exchange", "export", "", 0, cli_exchange_export,
     OPTS(CLI_CASE, CLI_OUT, CLI_NODE, CLI_SPOC_UNIT, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD),
     OPTS(CLI_CASE, CLI_OUT), "write each message of a case to DIR/ID.json (audited reads)"},
    {"exchange", "inbox", "", 0, cli_exchange_inbox,
     OPTS(CLI_UNIT, CLI_NODE, CLI_SPOC_UNIT, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), OPTS(CLI_UNIT),
     "a unit's inbox with its running deadlines, overdue first, as JSON"},
    {"exchange", "stats", "", 0, cli_exchange_stats,
     OPTS(CLI_YEAR, CLI_FORMAT, CLI_NODE, CLI_SPOC_UNIT, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "Art. 18 statistics of a year (default: this one) as JSON or CSV (--format json|csv)"},
    {"exchange", "deviation", "ID", 1, cli_exchange_deviation,
     OPTS(CLI_HOURS, CLI_REASON, CLI_NODE, CLI_SPOC_UNIT, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD),
     OPTS(CLI_HOURS, CLI_REASON),
     "Art. 9: received request ID needs a judicial authorisation: its deadline moves by\n"
     "--hours, and the requester is told why (--reason)"},
    {"exchange", "conclude", "", 0, cli_exchange_conclude,
     OPTS(CLI_CASE, CLI_REASONS, CLI_NODE, CLI_SPOC_UNIT, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD),
     OPTS(CLI_CASE), "conclude a case: its personal data is due for review within 180 days"},
    {"exchange", "retention", "", 0, cli_exchange_retention,
     OPTS(CLI_DUE, CLI_NODE, CLI_SPOC_UNIT, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "the retention queue: concluded cases, the review due soonest first (audited read)"},
    {"exchange", "review", "", 0, cli_exchange_review,
     OPTS(CLI_CASE, CLI_DECISION, CLI_REASONS, CLI_NEXT_REVIEW, CLI_NODE, CLI_SPOC_UNIT, CLI_ACTOR,
          CLI_DB, CLI_AUDIT_HEAD),
     OPTS(CLI_CASE, CLI_DECISION, CLI_REASONS),
     "review a concluded case: keep its personal data (until --next-review) or delete it\n"
     "irrevocably from the database file"},
    {"node", "init", "", 0, cli_node_init, OPTS(CLI_NODE_DIR, CLI_NODE, CLI_HOST, CLI_DAYS),
     OPTS(CLI_NODE_DIR, CLI_NODE),
     "make this node's Ed25519 signing key pair and a self-signed TLS certificate and key in DIR;\n"
     "prints the public key and the certificate's fingerprint for partners' node add"},
    {"node", "add", "ID", 1, cli_node_add,
     OPTS(CLI_NAME, CLI_COUNTRY, CLI_ENDPOINT, CLI_CERT, CLI_CERT_SHA256, CLI_SIGN_KEY,
          CLI_LANGUAGES, CLI_TYPES, CLI_HANDLING, CLI_ACCEPT_TYPES, CLI_ACCEPT_HANDLING,
          CLI_ACCEPT_MAX, CLI_NODE, CLI_SPOC_UNIT, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD),
     OPTS(CLI_NAME, CLI_COUNTRY, CLI_ENDPOINT, CLI_SIGN_KEY),
     "add a partner to the node directory (--cert FILE or --cert-sha256 HEX)"},
    {"node", "terms", "ID", 1, cli_node_terms,
     OPTS(CLI_ACCEPT_TYPES, CLI_ACCEPT_HANDLING, CLI_ACCEPT_MAX, CLI_NODE, CLI_SPOC_UNIT,
          CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD),
     NULL, "what this node accepts from partner ID (types, handling codes, size; refused on\n"
           "receipt with not-accepted); an option left out accepts anything"},
    {"node", "rekey", "ID", 1, cli_node_rekey,
     OPTS(CLI_SIGN_KEY, CLI_CERT, CLI_CERT_SHA256, CLI_OVERLAP_S, CLI_NODE, CLI_SPOC_UNIT,
          CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD),
     OPTS(CLI_SIGN_KEY),
     "partner ID rotated its keys: its new signing key (and certificate); the replaced ones\n"
     "are accepted --overlap-s more seconds, then refused (key-retired)"},
    {"node", "rotate", "", 0, cli_node_rotate, OPTS(CLI_NODE_DIR), OPTS(CLI_NODE_DIR),
     "a new signing key pair for this node in DIR (the old one kept as sign.key.prev); give\n"
     "partners the printed key for their node rekey, then restart serve"},
    {"node", "revoke", "", 0, cli_node_revoke,
     OPTS(CLI_SIGN_KEY, CLI_CERT, CLI_CERT_SHA256, CLI_REASON, CLI_NODE, CLI_SPOC_UNIT, CLI_ACTOR,
          CLI_DB, CLI_AUDIT_HEAD),
     NULL, "put a signing key (--sign-key) or a certificate (--cert, --cert-sha256) on this\n"
           "node's revocation list: its envelopes are refused (revoked), its TLS refused"},
    {"node", "revoked", "", 0, cli_node_revoked, OPTS(CLI_NODE, CLI_SPOC_UNIT, CLI_DB, CLI_AUDIT_HEAD),
     NULL, "the revocation list, one entry a line"},
    {"node", "remove", "ID", 1, cli_node_remove,
     OPTS(CLI_NODE, CLI_SPOC_UNIT, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "remove a partner from the node directory (its messages then are refused)"},
    {"node", "list", "", 0, cli_node_list, OPTS(CLI_NODE, CLI_SPOC_UNIT, CLI_DB, CLI_AUDIT_HEAD),
     NULL, "the node directory, one partner a line"},
    {"audit", "verify", "", 0, cli_audit_verify, OPTS(CLI_CHECKPOINTS, CLI_KEY, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "check the audit log's hash chain (and with --checkpoints and --key its signed\n"
     "checkpoints); names the first bad entry"},
    {"audit", "export", "", 0, cli_audit_export, OPTS(CLI_FROM, CLI_TO, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "the entries as JSON lines (the export is itself audited)"},
    {"audit", "keygen", "", 0, cli_audit_keygen, OPTS(CLI_KEY), OPTS(CLI_KEY),
     "make the Ed25519 checkpoint key in a new file (keep it off the database host)"},
    {"audit", "checkpoint", "", 0, cli_audit_checkpoint, OPTS(CLI_KEY, CLI_CHECKPOINTS, CLI_DB, CLI_AUDIT_HEAD),
     OPTS(CLI_KEY), "sign the chain's head (run at intervals) onto FILE or standard output"},
    {"import-addresses", NULL, "FILE.csv", 1, cli_import_addresses, OPTS(CLI_DB, CLI_AUDIT_HEAD), NULL,
     "import address points (CSV: locality,street,number,postcode,lon,lat; docs/addresses.md);\n"
     "refused lines are listed, the rest stored in one transaction"},
    {"assist", "analyse", "FILE|-", 1, cli_assist_analyse,
     OPTS(CLI_REFERENCE, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "the entities of a text (FILE, or - for standard input) as the API's JSON; audited"},
    {"assist", "redact", "FILE|-", 1, cli_assist_redact,
     OPTS(CLI_REFERENCE, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "the redactions proposed for a report's description (FILE or -) as JSON; audited"},
    {"assist", "language", "FILE|-", 1, cli_assist_language,
     OPTS(CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "the language of a text (FILE or -), its scripts and its paragraphs' languages; audited"},
    {"assist", "translate", "LANG FILE|-", 2, cli_assist_translate,
     OPTS(CLI_TRANSLATE_URL, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "the machine translation of a text into LANG (ISO 639-1) beside its original: Apertium,\n"
     "else the --translate-url server; without an engine it says so; audited"},
    {"assist", "summarise", "FILE|-", 1, cli_assist_summarise,
     OPTS(CLI_LLM_URL, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "the extractive summary of a text (FILE or -), and the --llm-url model's beside it; audited"},
    {"assist", "search", "QUERY", 1, cli_assist_search,
     OPTS(CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "the reports whose description holds every word of QUERY, across scripts; audited"},
    {"assist", "case", "ID", 1, cli_assist_case,
     OPTS(CLI_AS, CLI_LLM_URL, CLI_NODE, CLI_SPOC_UNIT, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "a whole exchange case as text: its summary ([m<id>] the message each sentence is from),\n"
     "timeline and entities, read as --as USER (default: the SPOC's supervisor); audited"},
    {"assist", "ask", "ID QUESTION", 2, cli_assist_ask,
     OPTS(CLI_AS, CLI_LLM_URL, CLI_NODE, CLI_SPOC_UNIT, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "a question over case ID answered from its messages with citations: the --llm-url model's\n"
     "answer, else the passages themselves, labelled; read as --as USER; audited"},
    {"watchlist", "import", "FILE", 1, cli_watchlist_import,
     OPTS(CLI_SOURCE, CLI_FORMAT, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), NULL,
     "import a watch-list (CSV, JSON or FollowTheMoney lines; --format csv|json|ftm, else told\n"
     "by its content), replacing the list of that name; prints every line taken or refused"},
    {"watchlist", "snapshot", "", 0, cli_watchlist_snapshot,
     OPTS(CLI_OUT, CLI_KEY, CLI_SINCE, CLI_NODE, CLI_SPOC_UNIT, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD),
     OPTS(CLI_OUT, CLI_KEY),
     "write a signed (Ed25519, --key as audit keygen makes it) offline copy of every watch-list\n"
     "and published notice to a new FILE; with --since, the signed delta after those files"},
    {"screen", "person", "NAME", 1, cli_screen_person,
     OPTS(CLI_BIRTH_DATE, CLI_NATIONALITY, CLI_SEX, CLI_REASON, CLI_OFFLINE, CLI_PUB, CLI_ACTOR,
          CLI_DB, CLI_AUDIT_HEAD),
     OPTS(CLI_REASON), "screen a person against the watch-lists: the hits as JSON (audited;\n"
     "with --offline, from a signed snapshot and its deltas alone)"},
    {"screen", "document", "NUMBER", 1, cli_screen_document,
     OPTS(CLI_COUNTRY, CLI_REASON, CLI_OFFLINE, CLI_PUB, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD),
     OPTS(CLI_REASON),
     "screen a travel document against the watch-lists: the hits as JSON (audited; --offline)"},
    {"screen", "vehicle", "", 0, cli_screen_vehicle,
     OPTS(CLI_VIN, CLI_PLATE, CLI_PLATE_COUNTRY, CLI_REASON, CLI_OFFLINE, CLI_PUB, CLI_ACTOR,
          CLI_DB, CLI_AUDIT_HEAD),
     OPTS(CLI_REASON), "screen a vehicle (--vin and/or --plate) against the watch-lists (audited;\n"
     "--offline)"},
    {"screen", "batch", "FILE", 1, cli_screen_batch,
     OPTS(CLI_REASON, CLI_OFFLINE, CLI_PUB, CLI_ACTOR, CLI_DB, CLI_AUDIT_HEAD), OPTS(CLI_REASON),
     "screen a batch (FILE: one JSON object a line, at most 1,000: {\"kind\", fields}) as one\n"
     "audited query; prints the answers of every item (--offline: from a signed snapshot)"},
    {"backup", NULL, "", 0, cli_backup, OPTS(CLI_TO, CLI_DB), OPTS(CLI_TO),
     "copy the database to FILE (a new file) while serve keeps writing: SQLite's online\n"
     "backup, one consistent snapshot; docs/operations.md"},
    {"index", "snapshot", "", 0, cli_index_snapshot, OPTS(CLI_SNAPSHOT, CLI_DB), NULL,
     "write the map index's snapshot (DB.mapindex) for a server to start from: read from the\n"
     "snapshot there when valid and brought up to date, else built from the database"},
    {"restore", NULL, "FILE", 1, cli_restore, OPTS(CLI_DB), NULL,
     "make the database (a new file; stop serve first) from the backup FILE: checked with\n"
     "PRAGMA integrity_check, then migrated to this version's schema"},
    {"migrate", NULL, "", 0, cli_migrate, OPTS(CLI_FROM, CLI_TO), OPTS(CLI_FROM, CLI_TO),
     "move the SQLite database --from FILE into the new PostgreSQL database --to URI: every\n"
     "table in one transaction, row counts and the audit chain checked; docs/operations.md"},
};
/* clang-format on */

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])
#define WIDTH 100 /* columns of the usage */

const struct cli_command *cli_command_find(const char *name, const char *sub)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0 &&
            (!commands[i].sub || (sub && strcmp(commands[i].sub, sub) == 0)))
            return &commands[i];
    return NULL;
}

/* Prints word (its length n) at *col after a space, wrapping past WIDTH to a new line indented by
 * indent columns. */
static void word(FILE *f, const char *s, size_t n, size_t indent, size_t *col)
{
    if (*col + 1 + n > WIDTH) {
        fprintf(f, "\n%*s", (int)indent - 1, "");
        *col = indent - 1;
    }
    fprintf(f, " %.*s", (int)n, s);
    *col += 1 + n;
}

/* Prints text's words from *col on, wrapped as word does. */
static void words(FILE *f, const char *text, size_t indent, size_t *col)
{
    while (*text) {
        size_t n = strcspn(text, " ");
        if (n)
            word(f, text, n, indent, col);
        text += n + (text[n] == ' ');
    }
}

static void synopsis(FILE *f, const char *lead, const struct cli_command *cmd)
{
    size_t col = (size_t)fprintf(f, "%starcza %s", lead, cmd->name);
    char text[256];
    if (cmd->sub)
        word(f, cmd->sub, strlen(cmd->sub), 8, &col);
    if (*cmd->args)
        word(f, cmd->args, strlen(cmd->args), 8, &col);
    for (const enum cli_opt *p = cmd->opts; *p != CLI_NONE; p++) {
        bool required = false;
        for (const enum cli_opt *r = cmd->required; r && *r != CLI_NONE; r++)
            required = required || *r == *p;
        const struct cli_option *o = &cli_options[*p];
        int n = snprintf(text, sizeof text, required ? "%s %s" : "[%s %s]", o->name, o->value);
        word(f, text, n > 0 ? (size_t)n : 0, 8, &col);
    }
    fputc('\n', f);
}

/* Prints text's lines, each indented. */
static void indented(FILE *f, const char *text)
{
    while (*text) {
        size_t n = strcspn(text, "\n");
        fprintf(f, "        %.*s\n", (int)n, text);
        text += n + (text[n] == '\n');
    }
}

void cli_print_usage(FILE *f, const struct cli_command *cmd)
{
    synopsis(f, "usage: ", cmd);
}

void cli_print_help(FILE *f, const struct cli_command *cmd)
{
    cli_print_usage(f, cmd);
    indented(f, cmd->help);
    for (const enum cli_opt *p = cmd->opts; *p != CLI_NONE; p++) {
        const struct cli_option *o = &cli_options[*p];
        char name[64], range[64] = "";
        snprintf(name, sizeof name, "%s %s", o->name, o->value);
        size_t col = (size_t)fprintf(f, "  %-26s", name);
        words(f, o->help, 29, &col);
        if (o->number) {
            snprintf(range, sizeof range, "[%lld to %lld]", o->lo, o->hi);
            word(f, range, strlen(range), 29, &col);
        }
        fputc('\n', f);
    }
}

int cli_usage_error(const struct cli_call *c, const char *why)
{
    fprintf(stderr, "tarcza: %s\n", why);
    cli_print_usage(stderr, c->cmd);
    return CLI_EXIT_USAGE;
}

/* The whole table: `tarcza --help`. */
static void print_all(FILE *f)
{
    fputs("usage: tarcza COMMAND [ARGUMENTS] [OPTIONS]\n\n", f);
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        synopsis(f, "  ", &commands[i]);
        indented(f, commands[i].help);
    }
    fputs("  tarcza --help | --version | COMMAND [SUBCOMMAND] --help\n\n"
          "Options take one value each; a later one wins over an earlier one.\n"
          "The database defaults to " CLI_DEFAULT_DB ".\n",
          f);
}

/* The rows of one command (all its subcommands), for a refused or asked-for group. */
static void print_group(FILE *f, const char *name, bool help)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0) {
            if (help)
                cli_print_help(f, &commands[i]);
            else
                cli_print_usage(f, &commands[i]);
        }
}

static bool is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

int tz_cli_main(int argc, char **argv)
{
    if (argc < 2) {
        print_all(stderr);
        return CLI_EXIT_USAGE;
    }
    if (is_help(argv[1])) {
        print_all(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("tarcza %s\n", TZ_VERSION);
        return 0;
    }
    const char *name = argv[1];
    const char *sub = argc > 2 ? argv[2] : "";
    const struct cli_command *cmd = NULL, *group = NULL;
    for (size_t i = 0; i < COMMAND_COUNT && !cmd; i++) {
        if (strcmp(commands[i].name, name) != 0)
            continue;
        group = &commands[i];
        if (!commands[i].sub || strcmp(commands[i].sub, sub) == 0)
            cmd = &commands[i];
    }
    if (!group) {
        fprintf(stderr, "tarcza: unknown command %s (tarcza --help lists them)\n", name);
        return CLI_EXIT_USAGE;
    }
    int first = cmd && cmd->sub ? 3 : 2; /* where the arguments after the (sub)command start */
    for (int i = 2; i < argc; i += argv[i][0] == '-' && argv[i][1] == '-' ? 2 : 1)
        if (is_help(argv[i])) { /* an option's value that reads "--help" is not a call for help */
            if (cmd)
                cli_print_help(stdout, cmd);
            else
                print_group(stdout, name, true);
            return 0;
        }
    if (!cmd) {
        fprintf(stderr, "tarcza: %s needs one of its subcommands:\n", name);
        print_group(stderr, name, false);
        return CLI_EXIT_USAGE;
    }
    struct cli_call call = {.cmd = cmd};
    int rc = CLI_EXIT_USAGE;
    if (cli_parse(argc - first, argv + first, &call))
        rc = cmd->run(&call);
    free(call.config_text);
    return rc;
}
