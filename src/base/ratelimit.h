/*
 * ratelimit.h - keyed token buckets with bounded memory, safe across threads.
 *
 * One limiter holds one bucket per key (a hashed client address, an API key
 * id...). A bucket refills at `rate` tokens per second up to `burst`; each
 * allowed request takes one token. Memory is fixed when the limiter is made:
 * when the table is full, the bucket seen longest ago is forgotten (it has
 * most likely refilled anyway). Keys are compared byte for byte, so callers
 * pass short fixed-size keys (a hash), at most TZ_RATELIMIT_KEY_MAX bytes.
 */
#ifndef TZ_BASE_RATELIMIT_H
#define TZ_BASE_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define TZ_RATELIMIT_KEY_MAX 32

struct tz_ratelimit;

/* Makes a limiter of rate_per_s (> 0) tokens a second, bursts of burst (>= 1)
 * and room for about max_keys buckets (>= 1). */
tz_err tz_ratelimit_new(double rate_per_s, double burst, size_t max_keys,
                        struct tz_ratelimit **out);
/* Releases the limiter; NULL is allowed. */
void tz_ratelimit_free(struct tz_ratelimit *rl);
/* Takes one token from key's bucket at now_ms (a monotonic clock in ms).
 * Returns true when allowed; otherwise false, and *retry_after_s (if not NULL)
 * is the whole number of seconds, at least 1, after which a token is there.
 * key_len must be 1..TZ_RATELIMIT_KEY_MAX. */
bool tz_ratelimit_take(struct tz_ratelimit *rl, const void *key, size_t key_len, int64_t now_ms,
                       int *retry_after_s);

#endif
