/*
 * main.c - the `tarcza` command: serve the API, import districts, make demo
 * data, and look at or move single reports from the terminal. The only file
 * that may exit().
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include <termios.h>

#include "auth/auth.h"
#include "base/tztime.h"
#include "http/server.h"
#include "store/store.h"
#include "threatmap/threatmap.h"

#define DEFAULT_DB "var/tarcza.db"

static const char usage[] =
    "usage: tarcza COMMAND [OPTIONS]\n"
    "\n"
    "  serve [--port N] [--bind ADDR] [--threads N] [--db PATH] [--web DIR] [--sync-ms N]\n"
    "        serve the API on http://ADDR:N (default 127.0.0.1:8080; port 0 picks a free one)\n"
    "        and the browser front end from DIR (make run passes web/); every N ms (default\n"
    "        1000, 0 = never) the map picks up what other processes wrote to the database\n"
    "        [--tiles URL [--tiles-attribution TEXT]] base map tiles for the pages, an XYZ\n"
    "        template like https://tile.example.org/{z}/{x}/{y}.png (default: none)\n"
    "        [--key-rate N] [--key-burst N]: Open311 POSTs per API key, N a minute, N at once\n"
    "        [--key FILE --checkpoints FILE [--checkpoint-every S]] also signs the audit\n"
    "        chain's head every S seconds (default 900) into the checkpoints FILE\n"
    "        limits (0 turns one off): [--max-connections N (4096)] [--per-ip-connections N (0)]\n"
    "        [--idle-timeout S (30)] [--request-timeout S (10)] [--header-limit BYTES (32768)]\n"
    "        [--write-rate PER_HOUR (30)] [--write-burst N (10)]: reports per client address\n"
    "        [--login-rate PER_MINUTE (10)]: police login attempts per client address\n"
    "        [--trusted-proxy ADDR]: behind this reverse proxy the client is the last address of\n"
    "        X-Forwarded-For (limits, the reporter's hash and the audit log use it)\n"
    "  import-districts FILE.geojson [--db PATH]\n"
    "        import district polygons (FeatureCollection; properties name, unit, officer)\n"
    "  demo [--reports N] [--seed S] [--db PATH]\n"
    "        add demo data: Kraków districts (if none) and N reports (default 5000)\n"
    "  report show ID [--db PATH]\n"
    "        print a report with its history\n"
    "  report transition ID STATUS [--note TEXT] [--referred-to NAME] [--actor NAME] [--db PATH]\n"
    "        move a report through the workflow (as a supervisor)\n"
    "  apikey add NAME | apikey revoke ID | apikey list [--db PATH]\n"
    "        issue (the key is shown once), revoke or list the API keys of Open311 POST\n"
    "  report merge DUP ORIGINAL [--actor NAME] [--note TEXT] [--db PATH]\n"
    "        record that report DUP duplicates ORIGINAL (both stay; the merge is kept)\n"
    "  stats [--by district|unit|region] [--from DATE] [--to DATE] [--format "
    "text|csv|json|geojson]\n"
    "        [--db PATH]   reports by category and status and deadline compliance, per group\n"
    "  user add NAME --role ROLE [--unit UNIT] [--districts ID,ID...] [--db PATH]\n"
    "        create a police account (officer, supervisor, analyst, admin); the password is read\n"
    "        from TARCZA_PASSWORD or standard input; prints the TOTP enrolment URI and QR code\n"
    "  user passwd NAME | user disable NAME | user enable NAME | user list [--db PATH]\n"
    "  user districts NAME --districts ID,ID...   bind an account to these districts\n"
    "  user token NAME [--label TEXT]             make an API token (printed once)\n"
    "  audit verify [--checkpoints FILE --key FILE] [--db PATH]\n"
    "        check the audit log's hash chain (and signed checkpoints); names the first bad entry\n"
    "  audit export [--from TIME] [--to TIME] [--db PATH]   the entries as JSON lines\n"
    "  audit keygen --key FILE                    make the Ed25519 checkpoint key (keep it off the "
    "db host)\n"
    "  audit checkpoint --key FILE [--checkpoints FILE]   sign the chain's head (run at "
    "intervals)\n"
    "  --help | --version\n"
    "\n"
    "The database defaults to " DEFAULT_DB ".\n";

/* Options shared by the subcommands; each reads the ones it needs. */
struct options {
    const char *db;
    const char *bind;
    const char *web;
    const char *tiles;
    const char *trusted_proxy;
    const char *tiles_attribution;
    const char *note;
    const char *referred_to;
    const char *actor;
    const char *role;
    const char *unit;
    const char *districts;
    const char *label;
    const char *from;
    const char *to;
    const char *key;
    const char *checkpoints;
    long port;
    long threads;
    long sync_ms; /* serve: period of the map's change feed; -1 = the default */
    long long checkpoint_every;
    long long reports;
    long long seed;
    long long limits[8]; /* serve's abuse limits, in the order of limit_names; -1 = default */
    long long key_rate_per_min; /* 0: the server's default */
    long long key_burst;
    const char *args[4]; /* positional arguments after the command */
    int nargs;
};

static const char *const limit_names[8] = {
    "--max-connections", "--per-ip-connections", "--idle-timeout", "--request-timeout",
    "--header-limit",    "--write-rate",         "--write-burst",  "--login-rate",
};
static const long long limit_max[8] = {1000000, 1000000, 86400,   86400,
                                       1 << 20, 1000000, 1000000, 1000000};

static bool parse_number(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Reads argv[first..] into opts; false (with a message) on anything unknown. */
static bool parse_options(int argc, char **argv, int first, struct options *o)
{
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long long n = 0;
        bool takes_value = a[0] == '-' && a[1] == '-';
        if (takes_value && !v) {
            fprintf(stderr, "tarcza: %s needs a value\n", a);
            return false;
        }
        size_t limit = 0;
        while (limit < 8 && strcmp(a, limit_names[limit]) != 0)
            limit++;
        if (limit < 8) {
            /* The header limit must leave libmicrohttpd room for a request line and its answer. */
            if (!parse_number(v, limit == 4 ? 4096 : 0, limit_max[limit], &n)) {
                fprintf(stderr, "tarcza: bad value for %s: %s\n", a, v);
                return false;
            }
            o->limits[limit] = n;
            i++;
            continue;
        }
        if (strcmp(a, "--db") == 0) {
            o->db = v;
        } else if (strcmp(a, "--bind") == 0) {
            o->bind = v;
        } else if (strcmp(a, "--web") == 0) {
            o->web = v;
        } else if (strcmp(a, "--tiles") == 0) {
            o->tiles = v;
        } else if (strcmp(a, "--trusted-proxy") == 0) {
            o->trusted_proxy = v;
        } else if (strcmp(a, "--tiles-attribution") == 0) {
            o->tiles_attribution = v;
        } else if (strcmp(a, "--note") == 0) {
            o->note = v;
        } else if (strcmp(a, "--referred-to") == 0) {
            o->referred_to = v;
        } else if (strcmp(a, "--actor") == 0) {
            o->actor = v;
        } else if (strcmp(a, "--role") == 0) {
            o->role = v;
        } else if (strcmp(a, "--unit") == 0) {
            o->unit = v;
        } else if (strcmp(a, "--districts") == 0) {
            o->districts = v;
        } else if (strcmp(a, "--label") == 0) {
            o->label = v;
        } else if (strcmp(a, "--from") == 0) {
            o->from = v;
        } else if (strcmp(a, "--to") == 0) {
            o->to = v;
        } else if (strcmp(a, "--key") == 0) {
            o->key = v;
        } else if (strcmp(a, "--checkpoints") == 0) {
            o->checkpoints = v;
        } else if (strcmp(a, "--checkpoint-every") == 0 && parse_number(v, 1, 86400, &n)) {
            o->checkpoint_every = n;
        } else if (strcmp(a, "--port") == 0 && parse_number(v, 0, 65535, &n)) {
            o->port = (long)n;
        } else if (strcmp(a, "--threads") == 0 && parse_number(v, 1, 256, &n)) {
            o->threads = (long)n;
        } else if (strcmp(a, "--sync-ms") == 0 && parse_number(v, 0, 3600000, &n)) {
            o->sync_ms = (long)n;
        } else if (strcmp(a, "--reports") == 0 && parse_number(v, 0, 100000000, &n)) {
            o->reports = n;
        } else if (strcmp(a, "--seed") == 0 && parse_number(v, 0, INT64_MAX, &n)) {
            o->seed = n;
        } else if (strcmp(a, "--key-rate") == 0 && parse_number(v, 1, 1000000, &n)) {
            o->key_rate_per_min = n;
        } else if (strcmp(a, "--key-burst") == 0 && parse_number(v, 1, 1000000, &n)) {
            o->key_burst = n;
        } else if (!takes_value && o->nargs < 4) {
            o->args[o->nargs++] = a;
            continue;
        } else {
            fprintf(stderr, "tarcza: bad option or value: %s\n", a);
            return false;
        }
        i++;
    }
    return true;
}

static int fail(const char *what, tz_err err)
{
    fprintf(stderr, "tarcza: %s: %s\n", what, tz_err_str(err));
    return 1;
}

static int open_all(const struct options *o, struct tz_store **store, struct tz_threatmap **tm)
{
    tz_err err = tz_store_open_sqlite(o->db, store);
    if (err)
        return fail(o->db, err);
    if (!tm)
        return 0;
    err = tz_threatmap_open(*store, NULL, tm);
    if (err) {
        tz_store_close(*store);
        return fail("loading the threat map", err);
    }
    return 0;
}

static int cmd_serve(const struct options *o)
{
    struct tz_store *store = NULL;
    struct tz_threatmap *tm = NULL;
    struct tz_http *srv = NULL;
    /* Signals are taken by sigwait below; blocked before any thread (the committer, the map's
     * follower, the audit signer, the server's) starts, so that every thread inherits the mask. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL); /* before threads start, so they inherit it */
    if (open_all(o, &store, &tm))
        return 1;
    struct tz_http_config cfg = tz_http_defaults();
    cfg.port = (uint16_t)o->port;
    if (o->bind)
        cfg.bind_addr = o->bind;
    if (o->threads)
        cfg.threads = (unsigned)o->threads;
    cfg.web_root = o->web;
    const long long *l = o->limits;
    if (l[0] >= 0)
        cfg.connection_limit = (unsigned)(l[0] ? l[0] : 1000000);
    if (l[1] >= 0)
        cfg.per_ip_limit = (unsigned)l[1];
    if (l[2] >= 0)
        cfg.idle_timeout_s = (unsigned)l[2];
    if (l[3] >= 0)
        cfg.request_timeout_s = (unsigned)l[3];
    if (l[4] >= 0)
        cfg.header_limit = (size_t)l[4];
    if (l[5] >= 0)
        cfg.write_rate_per_hour = (double)l[5];
    if (l[6] >= 0)
        cfg.write_burst = (unsigned)l[6];
    if (l[7] >= 0)
        cfg.login_rate_per_min = (double)l[7];
    cfg.trusted_proxy = o->trusted_proxy;
    cfg.tiles_url = o->tiles;
    cfg.tiles_attribution = o->tiles_attribution;
    if (o->tiles_attribution && !o->tiles) {
        fputs("tarcza: --tiles-attribution needs --tiles\n", stderr);
        tz_threatmap_close(tm);
        tz_store_close(store);
        return 2;
    }
    if (o->key_rate_per_min)
        cfg.key_rate_per_s = (double)o->key_rate_per_min / 60.0;
    if (o->key_burst)
        cfg.key_burst = (double)o->key_burst;
    struct tz_auth *auth = NULL;
    if (tz_auth_open(store, NULL, &auth) != TZ_OK) {
        tz_threatmap_close(tm);
        tz_store_close(store);
        return fail("auth", TZ_ENOMEM);
    }
    cfg.auth = auth;
    struct tz_auth_signer *signer = NULL;
    if (o->key && o->checkpoints &&
        tz_auth_signer_start(store, o->key, o->checkpoints,
                             o->checkpoint_every ? o->checkpoint_every : 900, &signer) != TZ_OK) {
        tz_auth_close(auth);
        tz_threatmap_close(tm);
        tz_store_close(store);
        return fail("--key (the audit checkpoint key file)", TZ_ENOTFOUND);
    }

    long sync_ms = o->sync_ms < 0 ? 1000 : o->sync_ms;
    tz_err err = sync_ms ? tz_threatmap_follow(tm, (int)sync_ms) : TZ_OK;
    if (!err)
        err = tz_http_start(tm, &cfg, &srv);
    if (err) {
        tz_auth_signer_stop(signer);
        tz_auth_close(auth);
        tz_threatmap_close(tm);
        tz_store_close(store);
        return fail("starting the server", err);
    }
    printf("tarcza: serving http://%s:%u (%zu districts, database %s)\n", cfg.bind_addr,
           tz_http_port(srv), tz_threatmap_district_count(tm), o->db);
    fflush(stdout);
    int sig = 0;
    sigwait(&signals, &sig);
    fprintf(stderr, "tarcza: stopping\n");
    tz_http_stop(srv);
    tz_auth_signer_stop(signer); /* signs the head once more */
    tz_auth_close(auth);
    tz_threatmap_close(tm);
    tz_store_close(store);
    return 0;
}

static int cmd_import(const struct options *o)
{
    if (o->nargs != 1) {
        fputs(usage, stderr);
        return 2;
    }
    FILE *f = fopen(o->args[0], "rb");
    if (!f) {
        fprintf(stderr, "tarcza: %s: %s\n", o->args[0], strerror(errno));
        return 1;
    }
    char *data = malloc(TZ_GEO_MAX_DOCUMENT + 1);
    size_t len = data ? fread(data, 1, TZ_GEO_MAX_DOCUMENT + 1, f) : 0;
    fclose(f);
    if (!data || len > TZ_GEO_MAX_DOCUMENT) {
        free(data);
        return fail(o->args[0], data ? TZ_ETOOBIG : TZ_ENOMEM);
    }
    struct tz_store *store = NULL;
    if (open_all(o, &store, NULL)) {
        free(data);
        return 1;
    }
    struct tz_geo_problems problems = {0};
    tz_err err = tz_threatmap_import_districts(store, data, len, &problems);
    for (size_t i = 0; i < problems.count; i++)
        fprintf(stderr, "tarcza: feature %zu (id %s): %s\n", problems.items[i].index,
                problems.items[i].id ? problems.items[i].id : "none", problems.items[i].message);
    tz_geo_problems_free(&problems);
    tz_store_close(store);
    free(data);
    if (err)
        return fail("nothing was imported", err);
    printf("tarcza: districts imported into %s\n", o->db);
    return 0;
}

static int cmd_demo(const struct options *o)
{
    struct tz_store *store = NULL;
    if (open_all(o, &store, NULL))
        return 1;
    long long reports = o->reports >= 0 ? o->reports : 5000;
    int64_t start = tz_time_mono_ns();
    tz_err err = tz_threatmap_demo(store, (size_t)reports, (uint64_t)o->seed, tz_time_now());
    tz_store_close(store);
    if (err)
        return fail("demo data", err);
    printf("tarcza: %lld demo reports added to %s in %.1f s\n", reports, o->db,
           (double)(tz_time_mono_ns() - start) / 1e9);
    return 0;
}

/* report merge DUP ORIGINAL: an officer's action, recorded with who, when and why. */
static int cmd_merge(const struct options *o)
{
    long long dup = 0, orig = 0;
    if (!parse_number(o->args[1], 1, INT64_MAX, &dup) ||
        !parse_number(o->args[2], 1, INT64_MAX, &orig)) {
        fputs(usage, stderr);
        return 2;
    }
    struct tz_store *store = NULL;
    struct tz_threatmap *tm = NULL;
    if (open_all(o, &store, &tm))
        return 1;
    char actor[128];
    snprintf(actor, sizeof actor, "cli:%s",
             o->actor ? o->actor : (getenv("USER") ? getenv("USER") : "operator"));
    char object[64], fields[64];
    snprintf(object, sizeof object, "report/%lld", dup);
    snprintf(fields, sizeof fields, "{\"merged_into\":%lld}", orig);
    struct tz_audit_rec audit = {.at = tz_time_now(),
                                 .actor = actor,
                                 .action = "report.merge",
                                 .object = object,
                                 .fields = fields,
                                 .note = o->note,
                                 .outcome = "ok"};
    tz_err err = tz_analysis_merge(tm, dup, orig, actor, o->note, tz_time_now(), &audit);
    if (!err)
        printf("tarcza: report %lld merged into %lld by %s\n", dup, orig, actor);
    tz_threatmap_close(tm);
    tz_store_close(store);
    return err ? fail("merge refused", err) : 0;
}

static int cmd_report(const struct options *o)
{
    if (o->nargs == 3 && strcmp(o->args[0], "merge") == 0)
        return cmd_merge(o);
    long long id = 0;
    bool show = o->nargs == 2 && strcmp(o->args[0], "show") == 0;
    bool move = o->nargs == 3 && strcmp(o->args[0], "transition") == 0;
    if ((!show && !move) || !parse_number(o->args[1], 1, INT64_MAX, &id)) {
        fputs(usage, stderr);
        return 2;
    }
    struct tz_store *store = NULL;
    struct tz_threatmap *tm = NULL;
    if (open_all(o, &store, &tm))
        return 1;
    tz_err err = TZ_OK;
    struct tz_field_errors errs = {0};
    char actor[128];
    snprintf(actor, sizeof actor, "cli:%s",
             o->actor ? o->actor : (getenv("USER") ? getenv("USER") : "operator"));
    if (move) {
        struct tz_transition_request req = {
            .report_id = id,
            .to = o->args[2],
            .role = TZ_ROLE_SUPERVISOR,
            .actor = actor,
            .note = o->note,
            .referred_to = o->referred_to,
        };
        char object[64];
        snprintf(object, sizeof object, "report/%lld", id);
        struct tz_audit_rec audit = {.at = tz_time_now(),
                                     .actor = actor,
                                     .role = "supervisor",
                                     .action = "report.transition",
                                     .object = object,
                                     .note = o->note,
                                     .outcome = "ok"};
        req.audit = &audit;
        err = tz_threatmap_transition(tm, &req, tz_time_now(), &errs);
        for (size_t i = 0; i < errs.count; i++)
            fprintf(stderr, "tarcza: %s: %s\n", errs.items[i].field, errs.items[i].message);
    }
    struct tz_buf b;
    tz_buf_init(&b, 16u * 1024 * 1024);
    if (!err)
        err = tz_threatmap_report_full_json(tm, id, tz_time_now(), &b);
    if (!err && show) { /* an operator's read of non-public data is audited like a police read */
        char object[64];
        snprintf(object, sizeof object, "report/%lld", id);
        struct tz_audit_rec audit = {.at = tz_time_now(),
                                     .actor = actor,
                                     .action = "report.read",
                                     .object = object,
                                     .fields = "{\"view\":\"cli\"}",
                                     .outcome = "ok"};
        err = tz_store_audit_append(store, &audit);
    }
    if (!err)
        printf("%s\n", b.data);
    tz_buf_free(&b);
    tz_threatmap_close(tm);
    tz_store_close(store);
    return err ? fail(move ? "transition refused" : "report", err) : 0;
}

/* tarcza apikey add NAME: makes a key and shows it once; only its hash is kept. */
static int apikey_add(struct tz_store *store, const char *name)
{
    char key[TZ_API_KEY_TEXT_MAX];
    int64_t id = 0;
    tz_err err = tz_threatmap_apikey_create(store, name, tz_time_now(), key, &id);
    if (err)
        return fail("apikey add", err);
    printf("%lld %s\n", (long long)id, key);
    fprintf(stderr, "tarcza: key %lld for %s; it is shown only now\n", (long long)id, name);
    return 0;
}

static int apikey_revoke(struct tz_store *store, const char *id_text)
{
    long long id = 0;
    if (!parse_number(id_text, 1, INT64_MAX, &id)) {
        fputs(usage, stderr);
        return 2;
    }
    tz_err err = tz_store_revoke_api_key(store, id, tz_time_now());
    if (err)
        return fail(err == TZ_ECONFLICT ? "apikey revoke: already revoked" : "apikey revoke", err);
    printf("tarcza: key %lld revoked\n", id);
    return 0;
}

static int apikey_list(struct tz_store *store)
{
    struct tz_api_key_rec *keys = NULL;
    size_t n = 0;
    tz_err err = tz_store_api_keys(store, &keys, &n);
    if (err)
        return fail("apikey list", err);
    for (size_t i = 0; i < n; i++) {
        char created[TZ_TIME_TEXT_MAX], revoked[TZ_TIME_TEXT_MAX] = "valid";
        tz_time_format(keys[i].created_at, created);
        if (keys[i].revoked_at)
            tz_time_format(keys[i].revoked_at, revoked);
        printf("%lld\t%s\t%s\t%s\n", (long long)keys[i].id, keys[i].name, created, revoked);
    }
    free(keys);
    return 0;
}

static int cmd_apikey(const struct options *o)
{
    const char *sub = o->nargs >= 1 ? o->args[0] : "";
    bool add = o->nargs == 2 && strcmp(sub, "add") == 0;
    bool revoke = o->nargs == 2 && strcmp(sub, "revoke") == 0;
    bool list = o->nargs == 1 && strcmp(sub, "list") == 0;
    if (!add && !revoke && !list) {
        fputs(usage, stderr);
        return 2;
    }
    struct tz_store *store = NULL;
    if (open_all(o, &store, NULL))
        return 1;
    int rc = add      ? apikey_add(store, o->args[1])
             : revoke ? apikey_revoke(store, o->args[1])
                      : apikey_list(store);
    tz_store_close(store);
    return rc;
}

/* stats: the statistics of GET /api/v1/analysis/stats in the terminal (text by default). */
static int cmd_stats(int argc, char **argv)
{
    struct options o = {.db = DEFAULT_DB};
    struct tz_query_param params[8];
    size_t n = 0;
    bool has_format = false;
    for (int i = 2; i < argc; i += 2) {
        if (i + 1 >= argc || strncmp(argv[i], "--", 2) != 0 || n + 1 >= 8) {
            fputs(usage, stderr);
            return 2;
        }
        if (strcmp(argv[i], "--db") == 0) {
            o.db = argv[i + 1];
            continue;
        }
        has_format = has_format || strcmp(argv[i], "--format") == 0;
        params[n++] = (struct tz_query_param){argv[i] + 2, argv[i + 1]};
    }
    if (!has_format)
        params[n++] = (struct tz_query_param){"format", "text"};
    struct tz_store *store = NULL;
    struct tz_threatmap *tm = NULL;
    if (open_all(&o, &store, &tm))
        return 1;
    struct tz_field_errors errs = {0};
    struct tz_buf b;
    tz_buf_init(&b, 256u * 1024 * 1024);
    enum tz_stats_format format;
    tz_err err = tz_analysis_stats(tm, params, n, tz_time_now(), &b, &format, &errs);
    for (size_t i = 0; i < errs.count; i++)
        fprintf(stderr, "tarcza: --%s: %s\n", errs.items[i].field, errs.items[i].message);
    if (!err)
        fwrite(b.data, 1, b.len, stdout);
    if (!err && format != TZ_STATS_TEXT && format != TZ_STATS_CSV)
        putchar('\n');
    tz_buf_free(&b);
    tz_threatmap_close(tm);
    tz_store_close(store);
    return err ? fail("stats", err) : 0;
}

/* ---- police accounts and the audit log ---- */

static void cli_actor(const struct options *o, char *out, size_t size)
{
    const char *user = o->actor ? o->actor : getenv("USER") ? getenv("USER") : "operator";
    snprintf(out, size, "cli:%s", user);
}

/* A password from TARCZA_PASSWORD, or one line of standard input (not echoed on a terminal). */
static bool read_password(char *out, size_t size)
{
    const char *env = getenv("TARCZA_PASSWORD");
    if (env) {
        snprintf(out, size, "%s", env);
        return true;
    }
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fputs("password: ", stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    bool ok = fgets(out, (int)size, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputs("\n", stderr);
    }
    if (ok)
        out[strcspn(out, "\r\n")] = '\0';
    return ok;
}

/* Splits "a,b,c" into ids; false when there are too many or one is too long. */
static bool split_districts(const char *list, char (*ids)[TZ_ID_MAX], size_t *count)
{
    *count = 0;
    while (list && *list) {
        size_t n = strcspn(list, ",");
        if (*count >= TZ_ACCOUNT_DISTRICTS_MAX || n == 0 || n >= TZ_ID_MAX)
            return false;
        memcpy(ids[*count], list, n);
        ids[(*count)++][n] = '\0';
        list += n + (list[n] == ',');
    }
    return true;
}

static int user_list(struct tz_store *store, const char *actor)
{
    struct tz_account_rec *list = NULL;
    size_t n = 0;
    tz_err err = tz_store_accounts(store, &list, &n);
    struct tz_audit_rec audit = {.at = tz_time_now(),
                                 .actor = actor,
                                 .action = "accounts.read",
                                 .fields = "{\"view\":\"cli\"}",
                                 .outcome = "ok"};
    if (!err)
        err = tz_store_audit_append(store, &audit);
    if (err) {
        free(list);
        return fail("user list", err);
    }
    for (size_t i = 0; i < n; i++) {
        printf("%-24s %-10s %-8s %s", list[i].name, list[i].role,
               list[i].disabled ? "disabled" : "active", list[i].unit);
        for (size_t d = 0; d < list[i].district_count; d++)
            printf("%s%s", d ? "," : " ", list[i].districts[d]);
        printf("\n");
    }
    free(list);
    return 0;
}

static int cmd_user(const struct options *o)
{
    const char *what = o->nargs >= 1 ? o->args[0] : "";
    const char *name = o->nargs >= 2 ? o->args[1] : NULL;
    if (!(strcmp(what, "list") == 0 && o->nargs == 1) && o->nargs != 2) {
        fputs(usage, stderr);
        return 2;
    }
    struct tz_store *store = NULL;
    struct tz_auth *auth = NULL;
    if (open_all(o, &store, NULL))
        return 1;
    tz_err err = tz_auth_open(store, NULL, &auth);
    char actor[128], password[TZ_PASSWORD_MAX + 2] = "";
    char ids[TZ_ACCOUNT_DISTRICTS_MAX][TZ_ID_MAX];
    size_t nids = 0;
    cli_actor(o, actor, sizeof actor);
    int rc = 0;
    if (err) {
        rc = fail("auth", err);
    } else if (strcmp(what, "list") == 0) {
        rc = user_list(store, actor);
    } else if (strcmp(what, "add") == 0 || strcmp(what, "passwd") == 0) {
        if (!split_districts(o->districts, ids, &nids) ||
            !read_password(password, sizeof password)) {
            rc = fail("bad --districts or no password", TZ_EINVAL);
        } else if (strcmp(what, "passwd") == 0) {
            err = tz_auth_user_passwd(auth, name, password, actor);
            rc = err ? fail("user passwd (at least 12 characters)", err) : 0;
        } else {
            const char *ptrs[TZ_ACCOUNT_DISTRICTS_MAX];
            for (size_t i = 0; i < nids; i++)
                ptrs[i] = ids[i];
            struct tz_user_spec spec = {.name = name,
                                        .role = o->role,
                                        .unit = o->unit,
                                        .districts = ptrs,
                                        .district_count = nids,
                                        .password = password};
            struct tz_buf uri, qr;
            tz_buf_init(&uri, 1024);
            tz_buf_init(&qr, 256u * 1024);
            err = tz_auth_user_add(auth, &spec, actor, &uri);
            if (!err && tz_auth_qr_text(uri.data, &qr) == TZ_OK)
                printf("%s", qr.data);
            if (!err)
                printf("account %s created; enrol its authenticator with:\n%s\n", name, uri.data);
            rc = err ? fail("user add (name [a-z0-9._-], known role and districts, a unit for a "
                            "supervisor, a password of at least 12 characters)",
                            err)
                     : 0;
            tz_buf_free(&qr);
            tz_buf_free(&uri);
        }
    } else if (strcmp(what, "disable") == 0 || strcmp(what, "enable") == 0) {
        err = tz_auth_user_disable(auth, name, what[0] == 'd', actor);
        rc = err ? fail(what, err) : 0;
    } else if (strcmp(what, "districts") == 0) {
        if (!split_districts(o->districts, ids, &nids))
            err = TZ_EINVAL;
        if (!err)
            err = tz_auth_user_districts(auth, name, (const char(*)[TZ_ID_MAX])ids, nids, actor);
        rc = err ? fail("user districts", err) : 0;
    } else if (strcmp(what, "token") == 0) {
        char token[TZ_SECRET_TEXT_MAX];
        err = tz_auth_token_create(auth, name, o->label ? o->label : "api", actor, token);
        if (!err)
            printf("%s\n", token);
        rc = err ? fail("user token", err) : 0;
    } else {
        fputs(usage, stderr);
        rc = 2;
    }
    memset(password, 0, sizeof password);
    tz_auth_close(auth);
    tz_store_close(store);
    return rc;
}

static int audit_verify(const struct options *o, struct tz_store *store)
{
    uint8_t pk[32];
    FILE *cp = NULL;
    tz_err err = TZ_OK;
    if (o->checkpoints) {
        if (!o->key)
            return fail("--checkpoints needs --key (the public half is derived from it)",
                        TZ_EINVAL);
        if ((err = tz_auth_checkpoint_public(o->key, pk)))
            return fail(o->key, err);
        if (!(cp = fopen(o->checkpoints, "r")))
            return fail(o->checkpoints, TZ_ENOTFOUND);
    }
    struct tz_audit_verdict v;
    err = tz_auth_audit_verify(store, cp, cp ? pk : NULL, &v);
    if (cp)
        fclose(cp);
    if (err)
        return fail("audit verify", err);
    if (v.first_bad) {
        printf("audit log BROKEN at entry %lld: %s (%lld entries read)\n", (long long)v.first_bad,
               v.reason, (long long)v.entries);
        return 1;
    }
    char head[2 * TZ_HASH_LEN + 1];
    for (size_t i = 0; i < TZ_HASH_LEN; i++)
        snprintf(head + 2 * i, 3, "%02x", v.head[i]);
    printf("audit log intact: %lld entries, head %lld %s, %lld signed checkpoints matched\n",
           (long long)v.entries, (long long)v.head_seq, head, (long long)v.checkpoints);
    return 0;
}

static int cmd_audit(const struct options *o)
{
    const char *what = o->nargs == 1 ? o->args[0] : "";
    if (strcmp(what, "keygen") == 0) {
        uint8_t pk[32];
        tz_err err = o->key ? tz_auth_checkpoint_keygen(o->key, pk) : TZ_EINVAL;
        if (err)
            return fail("audit keygen --key FILE (a new file)", err);
        printf("checkpoint key written to %s; public key ", o->key);
        for (int i = 0; i < 32; i++)
            printf("%02x", pk[i]);
        printf("\n");
        return 0;
    }
    if (strcmp(what, "verify") != 0 && strcmp(what, "export") != 0 &&
        strcmp(what, "checkpoint") != 0) {
        fputs(usage, stderr);
        return 2;
    }
    struct tz_store *store = NULL;
    if (open_all(o, &store, NULL))
        return 1;
    int rc = 0;
    tz_err err = TZ_OK;
    if (strcmp(what, "verify") == 0) {
        rc = audit_verify(o, store);
    } else if (strcmp(what, "export") == 0) {
        int64_t from = 0, to = 0;
        if ((o->from && tz_time_parse(o->from, strlen(o->from), &from)) ||
            (o->to && tz_time_parse(o->to, strlen(o->to), &to)))
            err = TZ_EINVAL;
        char actor[128];
        cli_actor(o, actor, sizeof actor);
        struct tz_audit_rec audit = {.at = tz_time_now(),
                                     .actor = actor,
                                     .action = "audit.export",
                                     .note = o->from ? o->from : NULL,
                                     .outcome = "ok"};
        if (!err)
            err = tz_auth_audit_export(store, from, to, stdout);
        if (!err) /* after the export, so that the export ends with the entry before this one */
            err = tz_store_audit_append(store, &audit);
        rc = err ? fail("audit export (--from/--to as RFC 3339 or YYYY-MM-DD)", err) : 0;
    } else {
        FILE *out = o->checkpoints ? fopen(o->checkpoints, "a") : stdout;
        int64_t head = 0;
        err = !o->key ? TZ_EINVAL : !out ? TZ_EIO : tz_auth_checkpoint(store, o->key, out, &head);
        if (out && out != stdout)
            fclose(out);
        rc = err ? fail("audit checkpoint --key FILE (the chain must be intact and not empty)", err)
                 : 0;
    }
    tz_store_close(store);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("tarcza %s\n", TZ_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "stats") == 0)
        return cmd_stats(argc, argv);
    struct options o = {.db = DEFAULT_DB,
                        .port = 8080,
                        .reports = -1,
                        .seed = 2016,
                        .sync_ms = -1,
                        .limits = {-1, -1, -1, -1, -1, -1, -1, -1}};
    if (!parse_options(argc, argv, 2, &o))
        return 2;
    if (strcmp(argv[1], "serve") == 0)
        return cmd_serve(&o);
    if (strcmp(argv[1], "import-districts") == 0)
        return cmd_import(&o);
    if (strcmp(argv[1], "demo") == 0)
        return cmd_demo(&o);
    if (strcmp(argv[1], "report") == 0)
        return cmd_report(&o);
    if (strcmp(argv[1], "apikey") == 0)
        return cmd_apikey(&o);
    if (strcmp(argv[1], "user") == 0)
        return cmd_user(&o);
    if (strcmp(argv[1], "audit") == 0)
        return cmd_audit(&o);
    fprintf(stderr, "tarcza: unknown command %s\n\n%s", argv[1], usage);
    return 2;
}
