/*
 * options.c - the options the command line knows and the parser that holds a
 * command line to its row of the command table: only the options the row
 * lists, each with a value (a later one wins over an earlier one), numbers
 * read strictly (decimal digits, nothing after them, inside their range),
 * text of bounded length, and as many positional arguments as the row names.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/num.h"
#include "cli/internal.h"

/* A text option and a number option, with the help line of each. */
/* clang-format off */
#define TEXT(name, value, help) {name, value, false, 0, 0, help}
#define NUMBER(name, value, lo, hi, help) {name, value, true, lo, hi, help}
/* clang-format on */

const struct cli_option cli_options[CLI_OPT_COUNT] = {
    [CLI_AUDIT_HEAD] = TEXT("--audit-head", "FILE",
                            "after each write, the audit chain's head (seq and hash) to FILE, "
                            "kept off the database; audit verify checks the chain still holds it"),
    [CLI_EXPIRES] = TEXT("--expires", "DAYS|DATE",
                         "the token works DAYS days (default 90, at most 3650) or until DATE"),
    [CLI_DB] = TEXT("--db", "PATH", "the database (default " CLI_DEFAULT_DB ")"),
    [CLI_PORT] =
        NUMBER("--port", "N", 0, 65535, "port to listen on (default 8080; 0 picks a free one)"),
    [CLI_BIND] = TEXT("--bind", "ADDR", "IPv4 address to listen on (default 127.0.0.1)"),
    [CLI_THREADS] = NUMBER("--threads", "N", 1, 256, "worker threads (default one per core)"),
    [CLI_WEB] = TEXT("--web", "DIR", "serve the browser front end from DIR (make run passes web/)"),
    [CLI_SYNC_MS] =
        NUMBER("--sync-ms", "N", 0, 3600000,
               "every N ms the map picks up what other processes wrote (default 1000, 0 = never)"),
    [CLI_TILES] = TEXT("--tiles", "URL",
                       "base map tiles for the pages, an XYZ template like "
                       "https://tile.example.org/{z}/{x}/{y}.png"),
    [CLI_TRANSLATE_URL] = TEXT("--translate-url", "URL",
                               "a LibreTranslate server (http://host:port) for the translations "
                               "Apertium has no pair for (default: none)"),
    [CLI_LLM_URL] = TEXT("--llm-url", "URL",
                         "a language model server on this machine speaking the OpenAI-compatible "
                         "API (http://127.0.0.1:8080) for abstractive summaries (default: none)"),
    [CLI_SMTP_URL] = TEXT("--smtp-url", "URL",
                          "the SMTP relay of the alerts' mail (smtp://host:port; default: none, "
                          "mail waits)"),
    [CLI_MAIL_FROM] = TEXT("--mail-from", "ADDR", "the alerts' sender address"),
    [CLI_PUBLIC_URL] = TEXT("--public-url", "URL",
                            "where citizens reach this API, for the links in mail "
                            "(default http://localhost:8080)"),
    [CLI_ALERTS_MS] = NUMBER("--alerts-ms", "N", 0, 3600000,
                             "every N ms the alerts' sender runs (default 2000, 0 = never)"),
    [CLI_ALERTS_RETRY] = NUMBER("--alerts-retry", "S", 1, 86400,
                                "first retry of a failed delivery after about S seconds, "
                                "doubling (default 30)"),
    [CLI_ALERTS_FAILURES] = NUMBER("--alerts-failures", "N", 1, 1000,
                                   "disable a subscription after N failures in a row (default 8)"),
    [CLI_FEED_RATE] = NUMBER("--feed-rate", "PER_MINUTE", 0, 1000000,
                             "Atom feeds per client address a minute (default 120, 0 = no limit)"),
    [CLI_AREA] = TEXT("--area", "AREA",
                      "bbox:W,S,E,N, circle:LON,LAT,METRES, polygon:LON LAT,... or district:ID"),
    [CLI_CATEGORIES] =
        TEXT("--categories", "CODES", "category codes separated by commas (default: all)"),
    [CLI_TILES_ATTRIBUTION] =
        TEXT("--tiles-attribution", "TEXT", "the tiles' attribution (needs --tiles)"),
    [CLI_KEY_RATE] = NUMBER("--key-rate", "N", 1, 1000000, "Open311 POSTs per API key a minute"),
    [CLI_KEY_BURST] = NUMBER("--key-burst", "N", 1, 1000000, "Open311 POSTs per API key at once"),
    [CLI_CHECKPOINT_EVERY] = NUMBER("--checkpoint-every", "S", 1, 86400,
                                    "sign the audit chain's head every S seconds (default 900)"),
    [CLI_MAX_CONNECTIONS] = NUMBER("--max-connections", "N", 0, 1000000,
                                   "concurrent connections (default 4096, 0 = no limit)"),
    [CLI_PER_IP_CONNECTIONS] = NUMBER("--per-ip-connections", "N", 0, 1000000,
                                      "concurrent connections from one client (default half of "
                                      "--max-connections, 4 to 64; the trusted proxy excepted; "
                                      "0 = no limit)"),
    [CLI_IDLE_TIMEOUT] = NUMBER("--idle-timeout", "S", 0, 86400,
                                "close a connection silent this long (default 30, 0 = never)"),
    [CLI_REQUEST_TIMEOUT] = NUMBER("--request-timeout", "S", 0, 86400,
                                   "a request must arrive within this (default 10, 0 = no limit)"),
    [CLI_HEADER_LIMIT] = NUMBER("--header-limit", "BYTES", 4096, 1 << 20,
                                "memory for a request's line and headers (default 32768)"),
    [CLI_WRITE_RATE] = NUMBER("--write-rate", "PER_HOUR", 0, 1000000,
                              "reports per client address an hour (default 30, 0 = no limit)"),
    [CLI_WRITE_BURST] =
        NUMBER("--write-burst", "N", 0, 1000000, "reports per client address at once (default 10)"),
    [CLI_LOGIN_RATE] =
        NUMBER("--login-rate", "PER_MINUTE", 0, 1000000,
               "police login attempts per client address a minute (default 10, 0 = no limit)"),
    [CLI_TRUSTED_PROXY] = TEXT("--trusted-proxy", "ADDR",
                               "behind this reverse proxy the client is the last address of "
                               "X-Forwarded-For or Forwarded (limits, the reporter's hash and the "
                               "audit log use it)"),
    [CLI_IPV6_PREFIX] = NUMBER("--ipv6-prefix", "BITS", 1, 128,
                               "the per-client limits count an IPv6 client by its network of "
                               "BITS leading bits (default 64)"),
    [CLI_KEY] = TEXT("--key", "FILE", "the Ed25519 audit checkpoint key (keep it off the db host)"),
    [CLI_CHECKPOINTS] = TEXT("--checkpoints", "FILE", "the file of signed audit checkpoints"),
    [CLI_REPORTS] = NUMBER("--reports", "N", 0, 100000000, "how many demo reports (default 5000)"),
    [CLI_SEED] = NUMBER("--seed", "S", 0, INT64_MAX,
                        "seed of the demo data's random numbers (default 2016)"),
    [CLI_NOTE] = TEXT("--note", "TEXT", "why, kept in the report's history"),
    [CLI_PUBLIC_NOTE] = TEXT("--public-note", "TEXT",
                             "words for everyone, shown with the change (public report, Open311)"),
    [CLI_REFERRED_TO] = TEXT("--referred-to", "NAME", "the institution a referred report goes to"),
    [CLI_ACTOR] = TEXT("--actor", "NAME", "who acts, for the audit log (default $USER)"),
    [CLI_BY] = TEXT("--by", "district|unit|region", "group the statistics (default district)"),
    [CLI_FROM] = TEXT("--from", "TIME|FILE",
                      "from this day or time (YYYY-MM-DD or RFC 3339); for migrate, the SQLite file"),
    [CLI_TO] = TEXT("--to", "TIME|FILE|URI",
                    "to this day or time (YYYY-MM-DD or RFC 3339); for backup, the copy's file;"
                    " for migrate, the PostgreSQL database"),
    [CLI_FORMAT] = TEXT("--format", "text|csv|json|geojson", "output format (default text)"),
    [CLI_ROLE] = TEXT("--role", "ROLE",
                      "officer, supervisor, analyst, admin (exchange: spoc_operator, "
                      "spoc_supervisor, liaison_officer)"),
    [CLI_UNIT] = TEXT("--unit", "UNIT", "the account's unit (a supervisor needs one)"),
    [CLI_DISTRICTS] = TEXT("--districts", "ID,ID...", "the districts the account is bound to"),
    [CLI_LABEL] = TEXT("--label", "TEXT", "what the token is for (default api)"),
    [CLI_SNAPSHOT] = TEXT("--snapshot", "PATH|off",
                          "the map index's snapshot, read at start when valid and written at a "
                          "clean stop (default DB.mapindex beside the database; off: none)"),
    [CLI_SNAPSHOT_EVERY] =
        NUMBER("--snapshot-every", "S", 0, 86400,
               "also write the map index's snapshot every S seconds when reports came in "
               "(default 600, 0 = only at a clean stop)"),
    [CLI_CONFIG] = TEXT("--config", "FILE",
                        "read these options from FILE, lines of `name = value` (the option's "
                        "name without --); the command line wins (docs/operations.md)"),
    [CLI_LOG] = TEXT("--log", "FILE|-|off",
                     "one JSON object a line per request to FILE (appended), - for stderr "
                     "(default), off for none"),
    [CLI_METRICS_TOKEN] = TEXT("--metrics-token", "FILE",
                               "GET /metrics also answers a client sending "
                               "`Authorization: Bearer` and the token in FILE (else loopback only)"),
    [CLI_REFERENCE] = TEXT("--reference", "DATE",
                           "the message's date, for \"wczoraj\" (YYYY-MM-DD or RFC 3339)"),
    [CLI_AS] = TEXT("--as", "USER",
                    "read as this police account, with its role and unit (default: the "
                    "operator as the SPOC's supervisor of --spoc-unit)"),
    [CLI_SOURCE] = TEXT("--source", "NAME", "the list's name (default: the file's name)"),
    [CLI_BIRTH_DATE] = TEXT("--birth-date", "YYYY[-MM[-DD]]", "the date of birth, or part of it"),
    [CLI_NATIONALITY] = TEXT("--nationality", "CC", "a nationality (ISO 3166 alpha-2)"),
    [CLI_SEX] = TEXT("--sex", "m|f", "the sex"),
    [CLI_REASON] = TEXT("--reason", "TEXT", "why: what is screened, a deadline deviated (audited)"),
    [CLI_COUNTRY] = TEXT("--country", "CC",
                         "a country (ISO 3166): a document's issuing state, a partner's country"),
    [CLI_VIN] = TEXT("--vin", "VIN", "a vehicle identification number"),
    [CLI_PLATE] = TEXT("--plate", "PLATE", "a number plate"),
    [CLI_PLATE_COUNTRY] = TEXT("--plate-country", "CC", "the plate's country (PL, D, UA...)"),
    [CLI_SINCE] = TEXT("--since", "FILE[,FILE...]",
                       "the snapshot (and its deltas) a delta follows: a delta, not a snapshot"),
    [CLI_OFFLINE] = TEXT("--offline", "FILE[,FILE...]",
                         "answer from a signed snapshot and its deltas alone (no database)"),
    [CLI_PUB] = TEXT("--pub", "FILE", "the public key (64 hex digits) the snapshots are signed by"),
    [CLI_NODE] = TEXT("--node", "NODE", "this node in the exchange (default PL)"),
    [CLI_SPOC_UNIT] = TEXT("--spoc-unit", "UNIT", "the national SPOC's unit (default KGP-SPOC)"),
    [CLI_DIRECTION] = TEXT("--direction", "in|out",
                           "a message received from a partner (in) or sent (out, the default)"),
    [CLI_OUT] = TEXT("--out", "DIR|FILE",
                     "the folder the messages are written to; the snapshot's new file"),
    [CLI_CASE] = NUMBER("--case", "ID", 1, INT64_MAX,
                        "the case (whose messages to export, to conclude or to review)"),
    [CLI_YEAR] = NUMBER("--year", "YYYY", 2000, 9999, "the year of the statistics (default: this one)"),
    [CLI_HOURS] = NUMBER("--hours", "N", 1, 2160, "the expected delay, in hours"),
    [CLI_REASONS] = TEXT("--reasons", "TEXT", "why (a conclusion, a retention review; audited)"),
    [CLI_DECISION] = TEXT("--decision", "keep|delete",
                          "keep the case's personal data until the next review, or delete it "
                          "irrevocably"),
    [CLI_NEXT_REVIEW] = TEXT("--next-review", "TIME",
                             "when to review a kept case again (RFC 3339; default and latest: "
                             "180 days on)"),
    [CLI_DUE] = TEXT("--due", "yes|no", "only the cases whose review has come (default no)"),
    [CLI_NODE_DIR] = TEXT("--node-dir", "DIR",
                          "this node's identity (node init writes sign.key, sign.pub, tls.crt, "
                          "tls.key there; serve signs with DIR/sign.key)"),
    [CLI_HOST] = TEXT("--host", "NAME", "a DNS name for the certificate besides localhost"),
    [CLI_DAYS] = NUMBER("--days", "N", 1, 3650, "the certificate is valid N days (default 825)"),
    [CLI_NAME] = TEXT("--name", "TEXT", "the partner's name"),
    [CLI_ENDPOINT] = TEXT("--endpoint", "URL", "its federation port, https://host:port"),
    [CLI_CERT] = TEXT("--cert", "FILE", "its TLS certificate (PEM): the fingerprint is taken"),
    [CLI_CERT_SHA256] = TEXT("--cert-sha256", "HEX", "its certificate's SHA-256 fingerprint"),
    [CLI_SIGN_KEY] = TEXT("--sign-key", "HEX", "its Ed25519 public key (node init prints it)"),
    [CLI_LANGUAGES] = TEXT("--languages", "en,fr", "its working languages"),
    [CLI_TYPES] = TEXT("--types", "CODES", "the message types it accepts (default all)"),
    [CLI_HANDLING] = TEXT("--handling", "CODES", "the handling codes it accepts (default all)"),
    [CLI_FEDERATION_PORT] = NUMBER("--federation-port", "N", 0, 65535,
                                   "receive partners' messages on port N and send the outbox "
                                   "(needs --node-dir; docs/federation.md)"),
    [CLI_NODE_CERT] = TEXT("--node-cert", "FILE", "TLS certificate (default DIR/tls.crt)"),
    [CLI_NODE_KEY] = TEXT("--node-key", "FILE", "TLS key (default DIR/tls.key)"),
    [CLI_NODE_CA] = TEXT("--node-ca", "FILE",
                         "partners' certificates or their CA (PEM); without it the federation "
                         "port speaks plain HTTP (tests on loopback only)"),
    [CLI_SEND_POLL_MS] = NUMBER("--send-poll-ms", "N", 10, 60000,
                                "the sender looks for work every N ms (default 200)"),
    [CLI_FEDERATION_ALARM_S] = NUMBER("--federation-alarm-s", "N", 1, 604800,
                                      "a partner whose oldest undelivered message waits longer "
                                      "than N s is in alarm (default 3600)"),
    [CLI_ACCEPT_TYPES] = TEXT("--accept-types", "CODES",
                              "the message types this node accepts from it (default all)"),
    [CLI_ACCEPT_HANDLING] = TEXT("--accept-handling", "CODES",
                                 "the handling codes this node accepts from it (default all)"),
    [CLI_ACCEPT_MAX] = NUMBER("--accept-max-bytes", "N", 0, 655360,
                              "the largest message body this node accepts from it (0: any)"),
    [CLI_OVERLAP_S] = NUMBER("--overlap-s", "N", 0, 7776000,
                             "the replaced key stays accepted N seconds (default 86400)"),
};

bool cli_number(const char *s, long long lo, long long hi, long long *out)
{
    /* base/num's decimal parser, but a number here is digits only: no '+' in front. */
    if (!s || s[0] == '+')
        return false;
    int64_t v = 0;
    if (tz_num_parse_i64(s, strlen(s), lo, hi, &v))
        return false;
    *out = v;
    return true;
}

static bool takes(const struct cli_command *cmd, enum cli_opt o)
{
    for (const enum cli_opt *p = cmd->opts; *p != CLI_NONE; p++)
        if (*p == o)
            return true;
    return false;
}

static enum cli_opt lookup(const char *name)
{
    for (int o = CLI_NONE + 1; o < CLI_OPT_COUNT; o++)
        if (strcmp(cli_options[o].name, name) == 0)
            return (enum cli_opt)o;
    return CLI_NONE;
}

/* Says why c's command line is refused, then its usage; false. */
__attribute__((format(printf, 2, 3))) static bool refuse(const struct cli_call *c, const char *fmt,
                                                         ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tarcza: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cli_print_usage(stderr, c->cmd);
    return false;
}

/* Checks v as a value of option o (spec) and keeps it in c; false with why in *why. */
static bool take_value(struct cli_call *c, enum cli_opt o, const char *v, const char **why)
{
    const struct cli_option *spec = &cli_options[o];
    long long n = 0;
    if (spec->number && !cli_number(v, spec->lo, spec->hi, &n)) {
        *why = "not a whole number in the option's range";
        return false;
    }
    if (!spec->number && strnlen(v, CLI_TEXT_MAX + 1) > CLI_TEXT_MAX) {
        *why = "longer than 4096 bytes";
        return false;
    }
    c->num[o] = n;
    c->set[o] = true;
    c->text[o] = v;
    return true;
}

bool cli_parse(int argc, char **argv, struct cli_call *c)
{
    const struct cli_command *cmd = c->cmd;
    char what[64];
    snprintf(what, sizeof what, "%s%s%s", cmd->name, cmd->sub ? " " : "", cmd->sub ? cmd->sub : "");
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] != '-') {
            if (c->nargs >= cmd->nargs || c->nargs >= CLI_ARGS_MAX)
                return refuse(c, "%s takes %s", what, *cmd->args ? cmd->args : "no arguments");
            c->args[c->nargs++] = a;
            continue;
        }
        enum cli_opt o = lookup(a);
        if (o == CLI_NONE)
            return refuse(c, "unknown option %s", a);
        if (!takes(cmd, o))
            return refuse(c, "%s does not take %s", what, a);
        if (i + 1 >= argc)
            return refuse(c, "%s needs a value (%s)", a, cli_options[o].value);
        const char *v = argv[++i];
        const struct cli_option *spec = &cli_options[o];
        const char *why = NULL;
        if (!take_value(c, o, v, &why)) {
            if (spec->number)
                return refuse(c, "%s: not a whole number from %lld to %lld: %s", a, spec->lo,
                              spec->hi, v);
            return refuse(c, "%s: longer than %d bytes", a, CLI_TEXT_MAX);
        }
    }
    if (c->nargs != cmd->nargs)
        return refuse(c, "%s takes %s", what, *cmd->args ? cmd->args : "no arguments");
    if (c->set[CLI_CONFIG] && !cli_config_load(c, c->text[CLI_CONFIG]))
        return false;
    for (const enum cli_opt *p = cmd->required; p && *p != CLI_NONE; p++)
        if (!c->set[*p])
            return refuse(c, "%s needs %s", what, cli_options[*p].name);
    return true;
}

const char *cli_text(const struct cli_call *c, enum cli_opt o, const char *dflt)
{
    return c->set[o] ? c->text[o] : dflt;
}

long long cli_num(const struct cli_call *c, enum cli_opt o, long long dflt)
{
    return c->set[o] ? c->num[o] : dflt;
}

/* ---- the configuration file ---- */

/* Reads the whole of path (at most CLI_CONFIG_MAX bytes) into a new NUL-terminated string. */
static char *read_config(const char *path, const char **why)
{
    FILE *f = fopen(path, "r");
    char *text = f ? malloc(CLI_CONFIG_MAX + 1) : NULL;
    size_t n = text ? fread(text, 1, CLI_CONFIG_MAX + 1, f) : 0;
    *why = !f ? "cannot be opened" : !text ? "out of memory" : NULL;
    if (text && (ferror(f) || n > CLI_CONFIG_MAX || memchr(text, '\0', n))) {
        *why = ferror(f) ? "cannot be read" : n > CLI_CONFIG_MAX ? "larger than 64 KiB"
                                                                  : "holds a NUL byte";
        free(text);
        text = NULL;
    }
    if (text)
        text[n] = '\0';
    if (f)
        fclose(f);
    return text;
}

static char *trim(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        *--end = '\0';
    return s;
}

/* Reads one line (NUL-terminated, without its '\n') of the file into c; false with why. */
static bool config_line(struct cli_call *c, char *line, bool *seen, char *why, size_t size)
{
    char *end = line + strlen(line);
    char *s = trim(line, end);
    if (*s == '\0' || *s == '#')
        return true;
    char *eq = strchr(s, '=');
    if (!eq) {
        snprintf(why, size, "not a line of `name = value`");
        return false;
    }
    *eq = '\0';
    char *name = trim(s, eq), *value = trim(eq + 1, end);
    char flag[64];
    snprintf(flag, sizeof flag, "--%s", name);
    enum cli_opt o = *name && strlen(name) < 60 ? lookup(flag) : CLI_NONE;
    const char *bad = o == CLI_NONE     ? "unknown name"
                      : o == CLI_CONFIG ? "a file cannot name another"
                      : !takes(c->cmd, o) ? "not an option of this command"
                      : seen[o]           ? "named twice"
                      : !*value           ? "no value"
                                          : NULL;
    if (bad) {
        snprintf(why, size, "%s: %.60s", bad, name);
        return false;
    }
    seen[o] = true;
    /* The command line wins, once the file's value is known to be good. */
    struct cli_call scratch = {.cmd = c->cmd};
    const char *wrong = NULL;
    if (take_value(c->set[o] ? &scratch : c, o, value, &wrong))
        return true;
    const struct cli_option *spec = &cli_options[o];
    if (spec->number)
        snprintf(why, size, "%s: not a whole number from %lld to %lld: %.40s", name, spec->lo,
                 spec->hi, value);
    else
        snprintf(why, size, "%s: %s", name, wrong);
    return false;
}

bool cli_config_parse(struct cli_call *c, char *text, size_t *line_number, char *why, size_t size)
{
    bool seen[CLI_OPT_COUNT] = {false};
    *line_number = 1;
    for (char *line = text; line; ++*line_number) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (!config_line(c, line, seen, why, size))
            return false;
        line = nl ? nl + 1 : NULL;
    }
    return true;
}

bool cli_config_load(struct cli_call *c, const char *path)
{
    const char *why = NULL;
    char *text = read_config(path, &why);
    if (!text) {
        fprintf(stderr, "tarcza: %s: %s\n", path, why);
        return false;
    }
    char why_line[192];
    size_t number = 0;
    if (!cli_config_parse(c, text, &number, why_line, sizeof why_line)) {
        fprintf(stderr, "tarcza: %s:%zu: %s\n", path, number, why_line);
        cli_print_usage(stderr, c->cmd);
        free(text);
        return false;
    }
    c->config_text = text; /* the values point into it; tz_cli_main frees it */
    return true;
}
