/*
 * common.h - what every header of the store shares: the handle, the sizes
 * of the fixed-size codes and ids in its records, and the audit entry that
 * many writes carry (defined in audit.h), and how an operation is declared.
 * See store.h for what the store promises as a whole.
 */
#ifndef TZ_STORE_COMMON_H
#define TZ_STORE_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define TZ_CODE_MAX 48         /* category, group and status codes, NUL included */
#define TZ_ID_MAX 64           /* district ids, NUL included */
#define TZ_HASH_LEN 32         /* SHA-256 / BLAKE2b-256 digests */
#define TZ_STATUS_MAX 16       /* status codes, NUL included */
#define TZ_ACCOUNT_NAME_MAX 64 /* account names, NUL included */

/* The store, opened by tz_store_open_sqlite (store.h). */
struct tz_store;
/* One audit entry (audit.h); writes that take one append it in their own transaction. */
struct tz_audit_rec;

/*
 * Declared once. Each aggregate header lists its operations in one X-macro,
 * TZ_STORE_<AGGREGATE>_OPS(X), an entry per operation with its comment:
 *
 *     X(name, (parameters), (arguments), preconditions)
 *
 * Every operation returns tz_err and takes `struct tz_store *store` first.
 * From the one entry come: the public prototype tz_store_<name> (the header
 * expands its list with TZ_STORE_DECLARE), the member <name> of the backend's
 * table (backend.h), the dispatching function in store.c (TZ_STORE_FORWARD:
 * TZ_EINVAL without a store, then the preconditions, then the backend with
 * the arguments), and the declaration of each backend's function, which the
 * backend fills its table with by name (sqlite_internal.h: tz_sq_<name>).
 *
 * The preconditions are statements checked before the backend is called, in
 * this order; they hold for every backend. They may name the predicates of
 * store.c (reports_fit, filter_ok, ...) for what a line cannot say.
 */
/* TZ_EINVAL unless cond holds. */
#define TZ_PRE_NEED(cond)                                                                          \
    if (!(cond))                                                                                   \
        return TZ_EINVAL;
/* Answers err (TZ_OK: success) without calling the backend when cond holds. */
#define TZ_PRE_IF(cond, err)                                                                       \
    if (cond)                                                                                      \
        return (err);
/* An out-parameter: TZ_EINVAL when NULL, else zeroed. */
#define TZ_PRE_ZERO(p)                                                                             \
    TZ_PRE_NEED(p)                                                                                 \
    memset((p), 0, sizeof *(p));
/* An out-parameter pair (array, count): TZ_EINVAL when either is NULL, else empty. */
#define TZ_PRE_EMPTY(out, count)                                                                   \
    TZ_PRE_NEED((out) && (count))                                                                  \
    *(out) = NULL;                                                                                 \
    *(count) = 0;
/* True if s is a string shorter than cap bytes (a NUL within them). */
#define TZ_PRE_FITS(s, cap) ((s) && memchr((s), '\0', (cap)) != NULL)
/* True if an audit entry (may be NULL) names actor, action and outcome. */
#define TZ_PRE_AUDIT(a) (!(a) || ((a)->actor && (a)->action && (a)->outcome))

/* The public prototype of an operation: tz_err tz_store_<name>(parameters). */
#define TZ_STORE_DECLARE(name, params, args, pre) tz_err tz_store_##name params;

#endif
