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
#include "base/tztime.h"
#include "http/server.h"
#include "store/store.h"
#include "threatmap/threatmap.h"

#define DEFAULT_DB "var/tarcza.db"

static const char usage[] =
    "usage: tarcza COMMAND [OPTIONS]\n"
    "\n"
    "  serve [--port N] [--bind ADDR] [--threads N] [--db PATH] [--web DIR]\n"
    "        serve the API on http://ADDR:N (default 127.0.0.1:8080; port 0 picks a free one)\n"
    "        and the browser front end from DIR (make run passes web/)\n"
    "  import-districts FILE.geojson [--db PATH]\n"
    "        import district polygons (FeatureCollection; properties name, unit, officer)\n"
    "  demo [--reports N] [--seed S] [--db PATH]\n"
    "        add demo data: Kraków districts (if none) and N reports (default 5000)\n"
    "  report show ID [--db PATH]\n"
    "        print a report with its history\n"
    "  report transition ID STATUS [--note TEXT] [--referred-to NAME] [--actor NAME] [--db PATH]\n"
    "        move a report through the workflow (as a supervisor)\n"
    "  report merge DUP ORIGINAL [--actor NAME] [--note TEXT] [--db PATH]\n"
    "        record that report DUP duplicates ORIGINAL (both stay; the merge is kept)\n"
    "  stats [--by district|unit|region] [--from DATE] [--to DATE] [--format text|csv|json|geojson]\n"
    "        [--db PATH]   reports by category and status and deadline compliance, per group\n"
    "  --help | --version\n"
    "\n"
    "The database defaults to " DEFAULT_DB ".\n";

/* Options shared by the subcommands; each reads the ones it needs. */
struct options {
    const char *db;
    const char *bind;
    const char *web;
    const char *note;
    const char *referred_to;
    const char *actor;
    long port;
    long threads;
    long long reports;
    long long seed;
    const char *args[4]; /* positional arguments after the command */
    int nargs;
};

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
        if (strcmp(a, "--db") == 0) {
            o->db = v;
        } else if (strcmp(a, "--bind") == 0) {
            o->bind = v;
        } else if (strcmp(a, "--web") == 0) {
            o->web = v;
        } else if (strcmp(a, "--note") == 0) {
            o->note = v;
        } else if (strcmp(a, "--referred-to") == 0) {
            o->referred_to = v;
        } else if (strcmp(a, "--actor") == 0) {
            o->actor = v;
        } else if (strcmp(a, "--port") == 0 && parse_number(v, 0, 65535, &n)) {
            o->port = (long)n;
        } else if (strcmp(a, "--threads") == 0 && parse_number(v, 1, 256, &n)) {
            o->threads = (long)n;
        } else if (strcmp(a, "--reports") == 0 && parse_number(v, 0, 100000000, &n)) {
            o->reports = n;
        } else if (strcmp(a, "--seed") == 0 && parse_number(v, 0, INT64_MAX, &n)) {
            o->seed = n;
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
    if (open_all(o, &store, &tm))
        return 1;
    struct tz_http_config cfg = tz_http_defaults();
    cfg.port = (uint16_t)o->port;
    if (o->bind)
        cfg.bind_addr = o->bind;
    if (o->threads)
        cfg.threads = (unsigned)o->threads;
    cfg.web_root = o->web;

    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL); /* before threads start, so they inherit it */
    tz_err err = tz_http_start(tm, &cfg, &srv);
    if (err) {
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
    tz_err err = tz_analysis_merge(tm, dup, orig, actor, o->note, tz_time_now());
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
    snprintf(actor, sizeof actor, "cli:%s", o->actor ? o->actor : (getenv("USER") ? getenv("USER") : "operator"));
    if (move) {
        struct tz_transition_request req = {
            .report_id = id,
            .to = o->args[2],
            .role = TZ_ROLE_SUPERVISOR,
            .actor = actor,
            .note = o->note,
            .referred_to = o->referred_to,
        };
        err = tz_threatmap_transition(tm, &req, tz_time_now(), &errs);
        for (size_t i = 0; i < errs.count; i++)
            fprintf(stderr, "tarcza: %s: %s\n", errs.items[i].field, errs.items[i].message);
    }
    struct tz_buf b;
    tz_buf_init(&b, 16u * 1024 * 1024);
    if (!err)
        err = tz_threatmap_report_full_json(tm, id, tz_time_now(), &b);
    if (!err)
        printf("%s\n", b.data);
    tz_buf_free(&b);
    tz_threatmap_close(tm);
    tz_store_close(store);
    return err ? fail(move ? "transition refused" : "report", err) : 0;
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
    struct options o = {.db = DEFAULT_DB, .port = 8080, .reports = -1, .seed = 2016};
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
    fprintf(stderr, "tarcza: unknown command %s\n\n%s", argv[1], usage);
    return 2;
}
