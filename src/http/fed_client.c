/*
 * fed_client.c - the sender: one thread that walks the node directory and posts each partner's
 * queue to its endpoint (POST ENDPOINT/federation/v1/messages) through libcurl, until the queue
 * is empty or must wait. Several messages are in flight per partner, the order kept within every
 * case: each round takes the heads of up to FLIGHT cases that are due (tz_fed_due) and posts
 * them at once from FLIGHT worker threads, each over its own kept-alive connection per partner;
 * the partner receives different cases at once and stores them in shared commits, and the
 * settles here share commits too (the store's group commit). A case's next message goes in a
 * later round, after its head is settled. Each head goes with the case's next queued messages in
 * one batch envelope (tz_fed_send_case: up to BATCH_MESSAGES, one commit on each side). After a
 * partner's messages, the read receipts owed to it (tz_fed_send_reads). With TLS: TLS 1.3 only,
 * this node's client certificate, the partner's certificate verified against the CA file, and
 * its SHA-256 fingerprint compared with the directory's, on each new connection, before the
 * receipt is believed (the receipt is signed besides).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "http/fed_server.h"

#define TURN 4096          /* messages to one partner before the next partner's turn */
#define FLIGHT 16          /* batches in flight to one partner at once, each of another case */
#define BATCH_MESSAGES 256 /* messages of a case in one batch envelope, at most */

/* A kept-alive connection to a partner: libcurl's handle, and whether the certificate of the
 * connection it holds was found to be the directory's (checked when a connection is made). */
struct link {
    char id[TZ_FS_ID], endpoint[TZ_FS_URL], fpr[TZ_FS_HEX];
    CURL *h;
    bool pinned;
};

struct tz_http_fed_sender {
    struct tz_fed *fed;
    char *cert, *key, *ca; /* paths, or NULL: plain HTTP */
    int poll_ms;
    struct link links[FLIGHT][TZ_FS_NODES_MAX]; /* each worker's own */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stopping;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    struct tz_buf *b = ctx;
    return tz_buf_append(b, p, size * n) ? 0 : size * n;
}

/* Whether the certificate curl saw (OpenSSL's certinfo, "Cert:" as PEM) has fingerprint fpr. */
static bool peer_is(CURL *h, const char *fpr)
{
    struct curl_certinfo *ci = NULL;
    if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
        return false;
    bool ok = false;
    for (struct curl_slist *s = ci->certinfo[0]; s && !ok; s = s->next) {
        if (strncmp(s->data, "Cert:", 5) != 0)
            continue;
        gnutls_x509_crt_t crt;
        gnutls_datum_t pem = {(unsigned char *)s->data + 5, (unsigned)strlen(s->data + 5)};
        gnutls_datum_t der = {0};
        if (gnutls_x509_crt_init(&crt) < 0)
            return false;
        if (gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM) == 0 &&
            gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der) == 0) {
            char got[TZ_FS_HEX];
            tz_fed_cert_fingerprint(der.data, der.size, got);
            ok = strcmp(got, fpr) == 0;
        }
        gnutls_free(der.data);
        gnutls_x509_crt_deinit(crt);
    }
    return ok;
}

/* The link to partner `to` (a new one, or one made afresh when its entry changed); NULL when
 * every slot is taken. */
static struct link *link_of(struct link *links, const struct tz_fed_node_rec *to)
{
    struct link *free_slot = NULL;
    for (size_t i = 0; i < TZ_FS_NODES_MAX; i++) {
        struct link *l = &links[i];
        if (!l->id[0] && !free_slot)
            free_slot = l;
        if (strcmp(l->id, to->id) != 0)
            continue;
        if (strcmp(l->endpoint, to->endpoint) != 0 || strcmp(l->fpr, to->cert_sha256) != 0) {
            curl_easy_cleanup(l->h);
            memset(l, 0, sizeof *l);
            break;
        }
        return l;
    }
    struct link *l = free_slot;
    for (size_t i = 0; !l && i < TZ_FS_NODES_MAX; i++)
        if (!links[i].id[0] || strcmp(links[i].id, to->id) == 0)
            l = &links[i];
    if (l) {
        snprintf(l->id, sizeof l->id, "%s", to->id);
        snprintf(l->endpoint, sizeof l->endpoint, "%s", to->endpoint);
        snprintf(l->fpr, sizeof l->fpr, "%s", to->cert_sha256);
    }
    return l;
}

static void set_options(struct tz_http_fed_sender *s, CURL *h, const char *url, const char *p,
                        size_t n, struct curl_slist *headers, struct tz_buf *reply)
{
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, p);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, s->cert ? "https" : "http,https");
    if (s->cert) {
        curl_easy_setopt(h, CURLOPT_SSLCERT, s->cert);
        curl_easy_setopt(h, CURLOPT_SSLKEY, s->key);
        curl_easy_setopt(h, CURLOPT_CAINFO, s->ca);
        curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_3);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
    }
}

/* One worker of a round: its connections, and the message it sends. */
struct worker {
    struct tz_http_fed_sender *s;
    struct link *links;
    const char *partner;
    const struct tz_fed_out_rec *row;
    tz_err err;
    struct tz_fed_batch_sent sent;
};

static tz_err post(void *ctx, const struct tz_fed_node_rec *to, const char *p, size_t n,
                   struct tz_buf *reply)
{
    struct worker *w = ctx;
    struct tz_http_fed_sender *s = w->s;
    struct link *l = link_of(w->links, to);
    if (!l)
        return TZ_ENOMEM;
    if (!l->h && !(l->h = curl_easy_init()))
        return TZ_ENOMEM;
    char url[TZ_FS_URL + 32];
    snprintf(url, sizeof url, "%s/federation/v1/messages", to->endpoint);
    struct curl_slist *headers =
        curl_slist_append(NULL, "Content-Type: application/vnd.tarcza.federation");
    if (!headers)
        return TZ_ENOMEM;
    curl_easy_reset(l->h); /* keeps the live connection for the next message */
    set_options(s, l->h, url, p, n, headers, reply);
    CURLcode rc = curl_easy_perform(l->h);
    long status = 0, fresh = 0;
    curl_easy_getinfo(l->h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(l->h, CURLINFO_NUM_CONNECTS, &fresh);
    tz_err err = rc != CURLE_OK || status != 200 ? TZ_EIO : TZ_OK;
    if (!err && s->cert) {
        if (fresh > 0) /* a new connection: its certificate against the directory's */
            l->pinned = peer_is(l->h, to->cert_sha256) ||
                        (to->prev_cert_sha256[0] && time(NULL) < to->prev_until &&
                         peer_is(l->h, to->prev_cert_sha256));
        if (!l->pinned) {
            fprintf(stderr,
                    "tarcza: federation: %s answered with a certificate not in the directory\n",
                    to->id);
            err = TZ_EFORBIDDEN;
        }
    }
    curl_slist_free_all(headers);
    if (err) { /* the next try starts on a new connection */
        curl_easy_cleanup(l->h);
        l->h = NULL;
        l->pinned = false;
    }
    return err;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct tz_fed_transport t = {.send = post, .ctx = w};
    w->err = tz_fed_send_case(w->s->fed, w->partner, w->row, BATCH_MESSAGES, &t, &w->sent);
    return NULL;
}

static bool stopping(struct tz_http_fed_sender *s)
{
    pthread_mutex_lock(&s->mu);
    bool stop = s->stopping;
    pthread_mutex_unlock(&s->mu);
    return stop;
}

/* One round to partner: the heads of up to FLIGHT cases, sent at once. How many were settled
 * (delivered or refused) into *moved; false when the partner's queue is done for this turn (empty,
 * waiting, or the partner down). */
static bool flight(struct tz_http_fed_sender *s, const char *partner, int *moved)
{
    struct tz_fed_out_rec *rows = NULL;
    size_t n = 0;
    if (tz_fed_due(s->fed, partner, FLIGHT, &rows, &n) || n == 0)
        return false;
    struct worker w[FLIGHT];
    pthread_t th[FLIGHT];
    bool started[FLIGHT] = {false};
    for (size_t i = 0; i < n; i++) {
        w[i] = (struct worker){.s = s, .links = s->links[i], .partner = partner, .row = &rows[i]};
        if (i > 0) /* the first runs on this thread */
            started[i] = pthread_create(&th[i], NULL, work, &w[i]) == 0;
    }
    work(&w[0]);
    bool more = true;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && started[i])
            pthread_join(th[i], NULL);
        else if (i > 0)
            work(&w[i]); /* no thread to be had: here, in turn */
        *moved += (int)(w[i].sent.delivered + w[i].sent.refused);
        if (w[i].err || w[i].sent.queued > 0 || w[i].sent.delivered + w[i].sent.refused == 0)
            more = false; /* the partner is down or could not store it: its back-off */
    }
    free(rows);
    return more;
}

/* Sends what is due to every partner; whether anything was delivered or refused. */
static bool round_of(struct tz_http_fed_sender *s)
{
    struct tz_fed_node_rec *nodes = NULL;
    size_t count = 0;
    int moved = 0;
    if (tz_fed_nodes(s->fed, &nodes, &count))
        return false;
    for (size_t i = 0; i < count; i++) {
        int before = moved;
        while (!stopping(s) && moved - before < TURN && flight(s, nodes[i].id, &moved)) {
        }
        /* the read receipts owed to it, over the first worker's connection */
        struct worker w = {.s = s, .links = s->links[0], .partner = nodes[i].id};
        struct tz_fed_transport t = {.send = post, .ctx = &w};
        size_t reads = 0;
        if (!stopping(s) && tz_fed_send_reads(s->fed, nodes[i].id, &t, &reads) == TZ_OK)
            moved += (int)reads;
    }
    free(nodes);
    return moved > 0;
}

static void *run(void *arg)
{
    struct tz_http_fed_sender *s = arg;
    for (;;) {
        bool moved = round_of(s);
        pthread_mutex_lock(&s->mu);
        if (!moved && !s->stopping) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += (long)(s->poll_ms % 1000) * 1000000L;
            until.tv_sec += s->poll_ms / 1000 + until.tv_nsec / 1000000000L;
            until.tv_nsec %= 1000000000L;
            while (!s->stopping && pthread_cond_timedwait(&s->cv, &s->mu, &until) != ETIMEDOUT) {
            }
        }
        bool stop = s->stopping;
        pthread_mutex_unlock(&s->mu);
        if (stop)
            return NULL;
    }
}

static char *dup_or_null(const char *s, tz_err *err)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    else
        *err = TZ_ENOMEM;
    return d;
}

static void free_sender(struct tz_http_fed_sender *s)
{
    free(s->cert);
    free(s->key);
    free(s->ca);
    free(s);
}

tz_err tz_http_fed_sender_start(struct tz_fed *f, const struct tz_http_fed_config *tls, int poll_ms,
                                struct tz_http_fed_sender **out)
{
    *out = NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return TZ_EIO;
    struct tz_http_fed_sender *s = calloc(1, sizeof *s);
    if (!s)
        return TZ_ENOMEM;
    tz_err err = TZ_OK;
    s->fed = f;
    s->poll_ms = poll_ms > 0 ? poll_ms : 200;
    if (tls && tls->cert_file) {
        s->cert = dup_or_null(tls->cert_file, &err);
        s->key = dup_or_null(tls->key_file, &err);
        s->ca = dup_or_null(tls->ca_file, &err);
        if (!err && (!s->key || !s->ca))
            err = TZ_EINVAL;
    }
    if (!err && pthread_mutex_init(&s->mu, NULL) != 0)
        err = TZ_ENOMEM;
    if (!err && pthread_cond_init(&s->cv, NULL) != 0) {
        pthread_mutex_destroy(&s->mu);
        err = TZ_ENOMEM;
    }
    if (!err && pthread_create(&s->thread, NULL, run, s) != 0) {
        pthread_cond_destroy(&s->cv);
        pthread_mutex_destroy(&s->mu);
        err = TZ_ENOMEM;
    }
    if (err) {
        free_sender(s);
        return err;
    }
    *out = s;
    return TZ_OK;
}

void tz_http_fed_sender_stop(struct tz_http_fed_sender *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    for (size_t k = 0; k < FLIGHT; k++)
        for (size_t i = 0; i < TZ_FS_NODES_MAX; i++)
            curl_easy_cleanup(s->links[k][i].h);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free_sender(s);
}
