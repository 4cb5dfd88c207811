/*
 * fed_server.h - federation's doors (issue 17, docs/federation.md): the federation port, where
 * partners' nodes post envelopes (libmicrohttpd; with a certificate, TLS 1.3 only through GnuTLS
 * and each client's certificate checked against the node directory's fingerprints), and the
 * sender, a thread that posts each partner's queue to its endpoint (libcurl, the node's client
 * certificate, TLS 1.3 only) and settles it by the receipt. The message's body travels in its
 * JSON form (exchange_json.h), which is the codec federation signs.
 */
#ifndef TZ_HTTP_FED_SERVER_H
#define TZ_HTTP_FED_SERVER_H

#include <stdint.h>

#include "base/err.h"
#include "federation/federation.h"

/* The message's JSON form as federation's codec (exchange_json.h's writer and reader). */
extern const struct tz_fed_codec tz_http_fed_codec;

/* Where the federation port listens and with what certificate. */
struct tz_http_fed_config {
    const char *bind_addr; /* default "127.0.0.1" */
    uint16_t port;         /* 0 picks a free one */
    /* TLS (all three, or none: plain HTTP for tests on loopback only): this node's certificate
     * and key (PEM files) and the CA file (PEM) that partners' certificates chain to. */
    const char *cert_file, *key_file, *ca_file;
};

struct tz_http_fed;
/* Starts the federation port over f (which must outlive it). */
tz_err tz_http_fed_start(struct tz_fed *f, const struct tz_http_fed_config *cfg,
                         struct tz_http_fed **out);
uint16_t tz_http_fed_port(const struct tz_http_fed *s);
/* Stops it (waits for requests in flight); safe with NULL. */
void tz_http_fed_stop(struct tz_http_fed *s);

/* The sender: every partner of the directory, its queue in order. */
struct tz_http_fed_sender;
/* Starts the sender over f with this node's certificate, key and CA file (all NULL: plain
 * HTTP), looking for work every poll_ms (and at once after a delivery). */
tz_err tz_http_fed_sender_start(struct tz_fed *f, const struct tz_http_fed_config *tls, int poll_ms,
                                struct tz_http_fed_sender **out);
/* Stops it after the attempt in flight; safe with NULL. */
void tz_http_fed_sender_stop(struct tz_http_fed_sender *s);

#endif
