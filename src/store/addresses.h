/*
 * addresses.h - the store's address points (migration 15): locality, street,
 * number, postcode and the point, as imported from the state register of
 * address points (PRG) by `tarcza import-addresses`. The address module
 * (src/address/) owns the rules and the search; the store keeps the rows.
 */
#ifndef TZ_STORE_ADDRESSES_H
#define TZ_STORE_ADDRESSES_H

#include "store/common.h"

#define TZ_ADDRESS_LOCALITY_MAX 96 /* bytes of a locality's name, NUL included */
#define TZ_ADDRESS_STREET_MAX 128  /* bytes of a street's name ("" for none), NUL included */
#define TZ_ADDRESS_NUMBER_MAX 16   /* bytes of a house number ("12a", "7/3"), NUL included */
#define TZ_ADDRESS_POSTCODE_MAX 8  /* "31-019" and the NUL */

/* One address point. */
struct tz_address_rec {
    char locality[TZ_ADDRESS_LOCALITY_MAX];
    char street[TZ_ADDRESS_STREET_MAX]; /* "" in a village without streets */
    char number[TZ_ADDRESS_NUMBER_MAX];
    char postcode[TZ_ADDRESS_POSTCODE_MAX];
    double lon, lat; /* WGS 84 */
};

/*
 * Gives the next address to store into *rec: TZ_OK with one, TZ_ENOTFOUND when there are no more,
 * another error to give up (nothing is stored).
 */
typedef tz_err (*tz_store_address_next_fn)(void *ctx, struct tz_address_rec *rec);
/* Receives one stored address; a non-zero return stops the walk and is returned. */
typedef tz_err (*tz_store_address_fn)(void *ctx, const struct tz_address_rec *rec);

/*
 * The operations on addresses, declared once (see common.h): X(name, (parameters),
 * (arguments), preconditions).
 */
/* clang-format off */
#define TZ_STORE_ADDRESS_OPS(X)                                                                    \
    /*                                                                                             \
     * Stores every address next gives and audit (may be NULL) in one transaction:                 \
     * all or nothing. An address already stored (same locality, street and number)                \
     * takes the new postcode and point; *stored counts the rows written.                          \
     */                                                                                            \
    X(put_addresses, (struct tz_store *store, tz_store_address_next_fn next, void *ctx,            \
       const struct tz_audit_rec *audit, size_t *stored),                                          \
      (store, next, ctx, audit, stored),                                                           \
      TZ_PRE_NEED(next) TZ_PRE_NEED(TZ_PRE_AUDIT(audit)) TZ_PRE_ZERO(stored))                      \
    /* Calls fn with every stored address, in the order they were first stored. */                \
    X(scan_addresses, (struct tz_store *store, tz_store_address_fn fn, void *ctx),                 \
      (store, fn, ctx),                                                                            \
      TZ_PRE_NEED(fn))
/* clang-format on */
TZ_STORE_ADDRESS_OPS(TZ_STORE_DECLARE)

#endif
