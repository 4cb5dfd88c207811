/*
 * fed_server.c - the federation port: POST /federation/v1/messages with an envelope as its body
 * (at most TZ_FED_ENVELOPE_MAX bytes) answers 200 with the signed receipt, whatever it says
 * (federation.h: tz_fed_receive); anything else is 404, 405 or 413. With TLS (GnuTLS through
 * libmicrohttpd, TLS 1.3 only), a client must show a certificate that chains to the CA file and
 * whose SHA-256 fingerprint a partner of the directory has (or had, while a rotation's overlap
 * lasts) and that is not on the revocation list (tz_fed_door); any other connection is answered
 * 403 before its body is read, and logged. The envelope's own signature is checked whatever
 * the transport.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "http/exchange_json.h"
#include "http/fed_server.h"

#define RECEIPT_CT "application/vnd.tarcza.federation"
#define PATH "/federation/v1/messages"

static tz_err codec_encode(const struct tz_xmsg *m, struct tz_buf *out)
{
    return tz_http_exchange_json(m, out);
}

static tz_err codec_decode(const char *body, size_t n, struct tz_xmsg *m,
                           struct tz_field_errors *errs)
{
    return tz_http_exchange_parse(body, n, m, errs);
}

const struct tz_fed_codec tz_http_fed_codec = {.encode = codec_encode, .decode = codec_decode};

struct tz_http_fed {
    struct tz_fed *fed;
    struct MHD_Daemon *daemon;
    uint16_t port;
    bool tls;
    char *cert, *key, *ca; /* PEM texts the daemon reads from */
};

/* One request's state. */
struct fed_req {
    struct tz_buf body;
    bool too_big, refused;
};

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, const char *ct,
                               const char *p, size_t n)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(n, (void *)p, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ct);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result text(struct MHD_Connection *conn, unsigned status, const char *msg)
{
    return respond(conn, status, "text/plain; charset=utf-8", msg, strlen(msg));
}

/* The client's address as text, for the log. */
static void peer_text(struct MHD_Connection *conn, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "?");
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
                  (socklen_t)cap);
}

/*
 * Whether the TLS client is a partner: its certificate verified against the CA file, and its
 * fingerprint one of the directory's. Writes why not to why.
 */
static bool partner_ok(struct tz_http_fed *s, struct MHD_Connection *conn, char *why, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    gnutls_session_t session = ci ? (gnutls_session_t)ci->tls_session : NULL;
    unsigned status = 0, n = 0;
    if (!session || gnutls_protocol_get_version(session) != GNUTLS_TLS1_3) {
        snprintf(why, cap, "not TLS 1.3");
        return false;
    }
    const gnutls_datum_t *chain = gnutls_certificate_get_peers(session, &n);
    if (!chain || n == 0) {
        snprintf(why, cap, "no client certificate");
        return false;
    }
    if (gnutls_certificate_verify_peers2(session, &status) < 0 || status != 0) {
        snprintf(why, cap, "client certificate not valid (status 0x%x)", status);
        return false;
    }
    char fpr[TZ_FS_HEX], id[TZ_FS_ID];
    tz_fed_cert_fingerprint(chain[0].data, chain[0].size, fpr);
    tz_err err = tz_fed_door(s->fed, fpr, id);
    if (err == TZ_EFORBIDDEN)
        snprintf(why, cap, "certificate %s of %s is revoked", fpr, id);
    else if (err)
        snprintf(why, cap, "certificate %s is no partner's", fpr);
    return err == TZ_OK;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    struct tz_http_fed *s = cls;
    (void)version;
    struct fed_req *r = *state;
    if (!r) {
        if (!(r = calloc(1, sizeof *r)))
            return MHD_NO;
        tz_buf_init(&r->body, TZ_FED_ENVELOPE_MAX);
        *state = r;
        char why[160], peer[64];
        if (s->tls && !partner_ok(s, conn, why, sizeof why)) {
            peer_text(conn, peer, sizeof peer);
            fprintf(stderr, "tarcza: federation: refused %s: %s\n", peer, why);
            r->refused = true;
            /* answered now: the body is never read, and the connection closes after it */
            return text(conn, 403, "this node is not in the directory\n");
        }
        return MHD_YES;
    }
    if (r->refused) { /* answered at its first call */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_big && tz_buf_append(&r->body, upload, *upload_size))
            r->too_big = true;
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(url, PATH) != 0)
        return text(conn, 404, "no such path\n");
    if (strcmp(method, "POST") != 0)
        return text(conn, 405, "POST only\n");
    if (r->too_big)
        return text(conn, 413, "an envelope is at most 640 KiB\n");
    struct tz_buf receipt;
    struct tz_fed_outcome o;
    tz_buf_init(&receipt, (size_t)TZ_FED_BATCH_MAX * 4096); /* a batch's receipts */
    tz_err err =
        tz_fed_receive(s->fed, r->body.data ? r->body.data : "", r->body.len, &o, &receipt);
    enum MHD_Result ret = err ? text(conn, 503, "try again\n")
                              : respond(conn, 200, RECEIPT_CT, receipt.data, receipt.len);
    tz_buf_free(&receipt);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)conn;
    (void)code;
    struct fed_req *r = *state;
    if (r) {
        tz_buf_free(&r->body);
        free(r);
    }
    *state = NULL;
}

/* The file at path as a NUL-terminated text (PEM). */
static tz_err slurp(const char *path, char **out)
{
    gnutls_datum_t d = {0};
    if (gnutls_load_file(path, &d) < 0)
        return TZ_ENOTFOUND;
    char *t = malloc(d.size + 1);
    if (t) {
        memcpy(t, d.data, d.size);
        t[d.size] = '\0';
    }
    gnutls_free(d.data);
    *out = t;
    return t ? TZ_OK : TZ_ENOMEM;
}

static void free_fed(struct tz_http_fed *s)
{
    free(s->cert);
    free(s->key);
    free(s->ca);
    free(s);
}

tz_err tz_http_fed_start(struct tz_fed *f, const struct tz_http_fed_config *cfg,
                         struct tz_http_fed **out)
{
    *out = NULL;
    struct tz_http_fed *s = calloc(1, sizeof *s);
    if (!s)
        return TZ_ENOMEM;
    s->fed = f;
    s->tls = cfg->cert_file != NULL;
    tz_err err = TZ_OK;
    if (s->tls && (!cfg->key_file || !cfg->ca_file))
        err = TZ_EINVAL;
    if (!err && s->tls && !(err = slurp(cfg->cert_file, &s->cert)) &&
        !(err = slurp(cfg->key_file, &s->key)))
        err = slurp(cfg->ca_file, &s->ca);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(cfg->port)};
    if (!err &&
        inet_pton(AF_INET, cfg->bind_addr ? cfg->bind_addr : "127.0.0.1", &addr.sin_addr) != 1)
        err = TZ_EINVAL;
    if (err) {
        free_fed(s);
        return err;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG | (s->tls ? MHD_USE_TLS : 0);
    if (s->tls)
        s->daemon =
            MHD_start_daemon(flags, cfg->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                             (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                             MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 64u,
                             MHD_OPTION_HTTPS_MEM_CERT, s->cert, MHD_OPTION_HTTPS_MEM_KEY, s->key,
                             MHD_OPTION_HTTPS_MEM_TRUST, s->ca, MHD_OPTION_HTTPS_PRIORITIES,
                             "NORMAL:-VERS-ALL:+VERS-TLS1.3", MHD_OPTION_LISTENING_ADDRESS_REUSE,
                             1u, MHD_OPTION_END);
    else
        s->daemon =
            MHD_start_daemon(flags, cfg->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                             (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                             MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 64u,
                             MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
    if (!s->daemon) {
        free_fed(s);
        return TZ_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : cfg->port;
    *out = s;
    return TZ_OK;
}

uint16_t tz_http_fed_port(const struct tz_http_fed *s)
{
    return s->port;
}

void tz_http_fed_stop(struct tz_http_fed *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free_fed(s);
}
