/*
 * serve.c - `tarcza serve`: opens the store, the threat map, the police
 * accounts and (with --key and --checkpoints) the audit signer, starts the
 * map's change feed and the HTTP server, and waits for SIGINT or SIGTERM.
 * Everything is released on one path, in the reverse order it was taken.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address/address.h"
#include "alerts/alerts.h"
#include "cli/internal.h"
#include "federation/federation.h"
#include "http/fed_server.h"
#include "http/render.h"
#include "http/server.h"

/* The abuse limits of docs/reliability.md as given on the command line; -1: the server's default,
 * 0: off (except the header limit, which the parser keeps at 4096 or more). */
struct serve_limits {
    long long max_connections;
    long long per_ip_connections;
    long long idle_timeout_s;
    long long request_timeout_s;
    long long header_limit;
    long long write_rate_per_hour;
    long long write_burst;
    long long login_rate_per_min;
};

static struct serve_limits limits_given(const struct cli_call *c)
{
    return (struct serve_limits){
        .max_connections = cli_num(c, CLI_MAX_CONNECTIONS, -1),
        .per_ip_connections = cli_num(c, CLI_PER_IP_CONNECTIONS, -1),
        .idle_timeout_s = cli_num(c, CLI_IDLE_TIMEOUT, -1),
        .request_timeout_s = cli_num(c, CLI_REQUEST_TIMEOUT, -1),
        .header_limit = cli_num(c, CLI_HEADER_LIMIT, -1),
        .write_rate_per_hour = cli_num(c, CLI_WRITE_RATE, -1),
        .write_burst = cli_num(c, CLI_WRITE_BURST, -1),
        .login_rate_per_min = cli_num(c, CLI_LOGIN_RATE, -1),
    };
}

static void limits_apply(const struct serve_limits *l, struct tz_http_config *cfg)
{
    if (l->max_connections >= 0) /* the server has no "unlimited": 0 is the parser's maximum */
        cfg->connection_limit = (unsigned)(l->max_connections ? l->max_connections : 1000000);
    if (l->per_ip_connections >= 0)
        cfg->per_ip_limit = (unsigned)l->per_ip_connections;
    if (l->idle_timeout_s >= 0)
        cfg->idle_timeout_s = (unsigned)l->idle_timeout_s;
    if (l->request_timeout_s >= 0)
        cfg->request_timeout_s = (unsigned)l->request_timeout_s;
    if (l->header_limit >= 0)
        cfg->header_limit = (size_t)l->header_limit;
    if (l->write_rate_per_hour >= 0)
        cfg->write_rate_per_hour = (double)l->write_rate_per_hour;
    if (l->write_burst >= 0)
        cfg->write_burst = (unsigned)l->write_burst;
    if (l->login_rate_per_min >= 0)
        cfg->login_rate_per_min = (double)l->login_rate_per_min;
}

/*
 * The installed pages: PREFIX/share/tarcza/web beside PREFIX/bin/tarcza, found from where this
 * program runs so that an install under any prefix (cmake --install --prefix) finds its own.
 * Fills out and returns it when that folder exists; NULL otherwise (a build tree: no pages
 * unless --web names them).
 */
static const char *installed_web(char *out, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    struct stat st;
    int len = snprintf(out, size, "%s/../share/tarcza/web", exe);
    if (len < 0 || (size_t)len >= size || stat(out, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return out;
}

/* The alerts' sender from the command line: the relay, the links' base, its pace. */
static tz_err alerts_open(const struct cli_call *c, struct tz_store *store, struct tz_threatmap *tm,
                          struct tz_alerts **out)
{
    struct tz_alerts_config ac = tz_alerts_defaults();
    ac.smtp_url = cli_text(c, CLI_SMTP_URL, NULL);
    ac.mail_from = cli_text(c, CLI_MAIL_FROM, ac.mail_from);
    ac.public_url = cli_text(c, CLI_PUBLIC_URL, ac.public_url);
    ac.interval_ms = (int)cli_num(c, CLI_ALERTS_MS, ac.interval_ms);
    ac.retry_base_s = (int)cli_num(c, CLI_ALERTS_RETRY, ac.retry_base_s);
    ac.max_failures = (int)cli_num(c, CLI_ALERTS_FAILURES, ac.max_failures);
    ac.render = tz_http_alert_render;
    ac.render_ctx = tm;
    tz_err err = tz_alerts_open(tm, store, &ac, out);
    if (!err && ac.interval_ms > 0)
        err = tz_alerts_start(*out);
    return err;
}

/* The server's configuration from the command line (the auth handle is added once open); web
 * holds the installed pages' path when --web is not given. */
static struct tz_http_config config_of(const struct cli_call *c, char *web, size_t web_size)
{
    struct tz_http_config cfg = tz_http_defaults();
    cfg.port = (uint16_t)cli_num(c, CLI_PORT, 8080);
    cfg.bind_addr = cli_text(c, CLI_BIND, cfg.bind_addr);
    cfg.threads = (unsigned)cli_num(c, CLI_THREADS, cfg.threads);
    cfg.web_root = c->set[CLI_WEB] ? c->text[CLI_WEB] : installed_web(web, web_size);
    struct serve_limits limits = limits_given(c);
    limits_apply(&limits, &cfg);
    cfg.trusted_proxy = cli_text(c, CLI_TRUSTED_PROXY, NULL);
    cfg.ipv6_prefix = (unsigned)cli_num(c, CLI_IPV6_PREFIX, cfg.ipv6_prefix);
    cfg.tiles_url = cli_text(c, CLI_TILES, NULL);
    cfg.tiles_attribution = cli_text(c, CLI_TILES_ATTRIBUTION, NULL);
    cfg.translate_url = cli_text(c, CLI_TRANSLATE_URL, NULL);
    cfg.llm_url = cli_text(c, CLI_LLM_URL, NULL);
    if (c->set[CLI_KEY_RATE])
        cfg.key_rate_per_s = (double)c->num[CLI_KEY_RATE] / 60.0;
    if (c->set[CLI_KEY_BURST])
        cfg.key_burst = (double)c->num[CLI_KEY_BURST];
    const char *log = cli_text(c, CLI_LOG, "-");
    cfg.log_path = strcmp(log, "off") == 0 ? NULL : log;
    cfg.metrics_token = cli_text(c, CLI_METRICS_TOKEN, NULL);
    cfg.feed_rate_per_min = (double)cli_num(c, CLI_FEED_RATE, (long long)cfg.feed_rate_per_min);
    return cfg;
}

/* A file of --node-dir (name) unless the option o names another. */
static const char *node_file(const struct cli_call *c, enum cli_opt o, const char *name, char *buf,
                             size_t cap)
{
    if (c->set[o])
        return c->text[o];
    snprintf(buf, cap, "%s/%s", cli_text(c, CLI_NODE_DIR, "."), name);
    return buf;
}

/* Federation over the exchange, signing with --node-dir's key. */
static tz_err federation_open(const struct cli_call *c, struct tz_store *store,
                              struct tz_exchange *x, struct tz_fed **out)
{
    struct tz_fed_config fc = {.codec = &tz_http_fed_codec};
    char path[PATH_MAX];
    if (!c->set[CLI_NODE_DIR]) {
        cli_usage_error(c, "--federation-port needs --node-dir (tarcza node init)");
        return TZ_EINVAL;
    }
    snprintf(fc.node, sizeof fc.node, "%s", cli_text(c, CLI_NODE, "PL"));
    fc.alarm_s = cli_num(c, CLI_FEDERATION_ALARM_S, 3600);
    snprintf(path, sizeof path, "%s/sign.key", c->text[CLI_NODE_DIR]);
    tz_err err = tz_fed_key_load(path, fc.sk);
    if (!err)
        err = tz_fed_open(store, x, &fc, out);
    if (err)
        cli_fail("federation (--node-dir's sign.key)", err);
    return err;
}

/* The federation port and the sender (TLS when --node-ca is given). */
static tz_err federation_start(const struct cli_call *c, struct tz_fed *fed, const char *bind,
                               struct tz_http_fed **port, struct tz_http_fed_sender **sender)
{
    char cert[PATH_MAX], key[PATH_MAX];
    struct tz_http_fed_config fc = {.bind_addr = bind,
                                    .port = (uint16_t)c->num[CLI_FEDERATION_PORT]};
    if (c->set[CLI_NODE_CA]) {
        fc.cert_file = node_file(c, CLI_NODE_CERT, "tls.crt", cert, sizeof cert);
        fc.key_file = node_file(c, CLI_NODE_KEY, "tls.key", key, sizeof key);
        fc.ca_file = c->text[CLI_NODE_CA];
    }
    tz_err err = tz_http_fed_start(fed, &fc, port);
    if (!err)
        err = tz_http_fed_sender_start(fed, &fc, (int)cli_num(c, CLI_SEND_POLL_MS, 200), sender);
    if (err) {
        cli_fail("starting federation (--federation-port, --node-cert, --node-key, --node-ca)",
                 err);
        return err;
    }
    /* stderr: the first line of stdout is the API's address, which scripts and tests read */
    fprintf(stderr, "tarcza: federation %s on %s://%s:%u\n", tz_fed_node_id(fed),
            fc.cert_file ? "https" : "http", bind, tz_http_fed_port(*port));
    return TZ_OK;
}

/* The map index's snapshot at a clean stop, so that the next start reads it (threatmap/
 * snapshot.c); a failure is said and the next start builds from the database. */
static void write_snapshot(struct tz_threatmap *tm, const char *path)
{
    struct tz_threatmap_snap_info info = {0};
    tz_err err = tz_threatmap_snapshot(tm, &info);
    if (err)
        fprintf(stderr, "tarcza: map snapshot %s not written: %s\n", path, tz_err_str(err));
    else
        fprintf(stderr, "tarcza: map snapshot %s: %zu reports, %.2f s\n", path, info.reports,
                info.seconds);
}

int cli_serve(const struct cli_call *c)
{
    if (c->set[CLI_TILES_ATTRIBUTION] && !c->set[CLI_TILES])
        return cli_usage_error(c, "--tiles-attribution needs --tiles");
    if (c->set[CLI_KEY] != c->set[CLI_CHECKPOINTS])
        return cli_usage_error(c, "--key and --checkpoints go together");
    char web[PATH_MAX + 32];
    struct tz_http_config cfg = config_of(c, web, sizeof web);
    struct tz_store *store = NULL;
    struct tz_threatmap *tm = NULL;
    struct tz_auth *auth = NULL;
    struct tz_auth_signer *signer = NULL;
    struct tz_exchange *exchange = NULL;
    struct tz_fed *fed = NULL;
    struct tz_http_fed *fed_port = NULL;
    struct tz_http_fed_sender *sender = NULL;
    struct tz_http *srv = NULL;
    struct tz_address_index *addresses = NULL;
    struct tz_alerts *alerts = NULL;
    char snapshot[PATH_MAX] = "off";
    int rc = 1;
    tz_err err;
    /* Signals are taken by sigwait below; blocked before any thread (the committer, the map's
     * follower, the audit signer, the server's) starts, so that every thread inherits the mask. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);

    if (cli_open_snap(c, &store, &tm, snapshot, sizeof snapshot))
        goto done;
    if ((err = tz_auth_open(store, NULL, &auth))) {
        cli_fail("auth", err);
        goto done;
    }
    cfg.auth = auth;
    if ((err = cli_exchange_open(c, store, &exchange))) {
        cli_fail("exchange (--node, --spoc-unit)", err);
        goto done;
    }
    cfg.exchange = exchange;
    if (c->set[CLI_FEDERATION_PORT] && (err = federation_open(c, store, exchange, &fed)))
        goto done;
    cfg.federation = fed;
    if ((err = tz_address_index_load(store, &addresses))) {
        cli_fail("loading the addresses", err);
        goto done;
    }
    cfg.addresses = addresses;
    if (c->set[CLI_KEY] &&
        (err = tz_auth_signer_start(store, c->text[CLI_KEY], c->text[CLI_CHECKPOINTS],
                                    cli_num(c, CLI_CHECKPOINT_EVERY, 900), &signer))) {
        cli_fail("--key (the audit checkpoint key file)", err);
        goto done;
    }
    if ((err = alerts_open(c, store, tm, &alerts))) {
        cli_fail("alerts (--smtp-url, --public-url, --alerts-ms)", err);
        goto done;
    }
    cfg.alerts = alerts;
    long long snap_s = cli_num(c, CLI_SNAPSHOT_EVERY, 600);
    if (snap_s && strcmp(snapshot, "off") != 0 &&
        (err = tz_threatmap_snapshot_every(tm, (int)snap_s))) {
        cli_fail("the map snapshot's writer (--snapshot-every)", err);
        goto done;
    }
    long long sync_ms = cli_num(c, CLI_SYNC_MS, 1000);
    if ((sync_ms && (err = tz_threatmap_follow(tm, (int)sync_ms))) ||
        (err = tz_http_start(tm, &cfg, &srv))) {
        cli_fail("starting the server (--port, --web, --tiles, --log, --metrics-token)", err);
        goto done;
    }
    printf("tarcza: serving http://%s:%u (%zu districts, database %s)\n", cfg.bind_addr,
           tz_http_port(srv), tz_threatmap_district_count(tm), cli_db_name(c));
    if (fed && federation_start(c, fed, cfg.bind_addr, &fed_port, &sender))
        goto done;
    fflush(stdout);
    int sig = 0;
    sigwait(&signals, &sig);
    fprintf(stderr, "tarcza: stopping\n");
    rc = 0;
done:
    tz_http_fed_sender_stop(sender);
    tz_http_fed_stop(fed_port);
    tz_http_stop(srv);
    tz_alerts_close(alerts);     /* after the server: no request uses it any more */
    tz_auth_signer_stop(signer); /* signs the head once more */
    tz_auth_close(auth);
    tz_fed_close(fed);
    tz_exchange_close(exchange);
    if (rc == 0 && strcmp(snapshot, "off") != 0)
        write_snapshot(tm, snapshot); /* no request runs any more: the index is final */
    tz_threatmap_close(tm);
    tz_address_index_free(addresses);
    tz_store_close(store);
    return rc;
}
