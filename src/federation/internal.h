/*
 * internal.h - what the files of the federation module share.
 */
#ifndef TZ_FEDERATION_INTERNAL_H
#define TZ_FEDERATION_INTERNAL_H

#include <pthread.h>

#include "federation/federation.h"

#define TZ_FED_RECEIVE_STRIPES 64

struct tz_fed {
    struct tz_store *store;
    struct tz_exchange *x;
    struct tz_fed_config cfg;
    uint8_t pk[TZ_FED_SIGN_PK]; /* this node's public key, from cfg.sk */
    /* One receipt at a time per sender's case (its look-up of the id and its write): a case's
     * messages are placed one after another, different cases are received at once and share
     * the exchange's group commit. Striped by a hash of sender and case. */
    pthread_mutex_t receive_mu[TZ_FED_RECEIVE_STRIPES];
};

/* The audit entry of an act of federation itself (not a person's): actor "node:<id>". */
struct tz_audit_rec tz_fed_audit(const struct tz_fed *f, const char *action, const char *client,
                                 const char *outcome);

/* A node's id: capitals, digits, '-' and '_', 2 to TZ_FS_ID - 1 of them. */
bool tz_fed_id_ok(const char *s);

/* The comma-separated list (an entry of the directory) holds code (or is empty: everything). */
bool tz_fed_list_allows(const char *list, const char *code);

#endif
