/*
 * ratelimit.c - keyed token buckets in a fixed table of 8-slot groups.
 *
 * A key hashes to one group of 8 slots; each group has its own place in an
 * array of striped mutexes, so threads on different clients rarely meet. A new
 * key takes a free slot of its group, or else the slot seen longest ago. The
 * hash is seeded per limiter so that outsiders cannot aim keys at one group
 * (keys are usually keyed hashes already; the seed costs nothing).
 */
#include "base/ratelimit.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

enum { GROUP_SLOTS = 8, STRIPES = 64 };

struct slot {
    uint8_t key[TZ_RATELIMIT_KEY_MAX];
    uint8_t key_len; /* 0 = free */
    double tokens;
    int64_t last_ms;
};

struct tz_ratelimit {
    double rate_per_ms;
    double burst;
    size_t groups; /* a power of two */
    uint64_t seed[2];
    struct slot *slots; /* groups * GROUP_SLOTS */
    pthread_mutex_t locks[STRIPES];
};

tz_err tz_ratelimit_new(double rate_per_s, double burst, size_t max_keys, struct tz_ratelimit **out)
{
    *out = NULL;
    if (!(rate_per_s > 0) || !(burst >= 1) || max_keys == 0 || max_keys > ((size_t)1 << 32))
        return TZ_EINVAL;
    struct tz_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return TZ_ENOMEM;
    size_t groups = 1;
    while (groups * GROUP_SLOTS < max_keys)
        groups *= 2;
    rl->slots = calloc(groups * GROUP_SLOTS, sizeof *rl->slots);
    if (!rl->slots) {
        free(rl);
        return TZ_ENOMEM;
    }
    rl->rate_per_ms = rate_per_s / 1000.0;
    rl->burst = burst;
    rl->groups = groups;
    randombytes_buf(rl->seed, sizeof rl->seed);
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&rl->locks[i], NULL);
    *out = rl;
    return TZ_OK;
}

void tz_ratelimit_free(struct tz_ratelimit *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&rl->locks[i]);
    free(rl->slots);
    free(rl);
}

static size_t group_of(const struct tz_ratelimit *rl, const void *key, size_t key_len)
{
    uint8_t h[8];
    crypto_shorthash(h, key, key_len, (const unsigned char *)rl->seed);
    uint64_t v;
    memcpy(&v, h, sizeof v);
    return (size_t)(v & (rl->groups - 1));
}

/* The slot of key in group g: its own, a free one, or the one seen longest ago. */
static struct slot *find_slot(struct slot *group, const void *key, size_t key_len, bool *fresh)
{
    struct slot *free_slot = NULL, *oldest = &group[0];
    for (int i = 0; i < GROUP_SLOTS; i++) {
        struct slot *s = &group[i];
        if (s->key_len == key_len && memcmp(s->key, key, key_len) == 0) {
            *fresh = false;
            return s;
        }
        if (s->key_len == 0 && !free_slot)
            free_slot = s;
        if (s->last_ms < oldest->last_ms)
            oldest = s;
    }
    *fresh = true;
    return free_slot ? free_slot : oldest;
}

bool tz_ratelimit_take(struct tz_ratelimit *rl, const void *key, size_t key_len, int64_t now_ms,
                       int *retry_after_s)
{
    assert(key_len >= 1 && key_len <= TZ_RATELIMIT_KEY_MAX);
    size_t g = group_of(rl, key, key_len);
    pthread_mutex_t *lock = &rl->locks[g % STRIPES];
    bool allowed;

    pthread_mutex_lock(lock);
    bool fresh;
    struct slot *s = find_slot(&rl->slots[g * GROUP_SLOTS], key, key_len, &fresh);
    if (fresh) {
        memcpy(s->key, key, key_len);
        s->key_len = (uint8_t)key_len;
        s->tokens = rl->burst;
    } else if (now_ms > s->last_ms) {
        s->tokens = fmin(rl->burst, s->tokens + (double)(now_ms - s->last_ms) * rl->rate_per_ms);
    }
    if (fresh || now_ms > s->last_ms)
        s->last_ms = now_ms;
    allowed = s->tokens >= 1.0;
    if (allowed)
        s->tokens -= 1.0;
    else if (retry_after_s) {
        double wait_s = (1.0 - s->tokens) / rl->rate_per_ms / 1000.0;
        *retry_after_s = wait_s < 1.0 ? 1 : (int)fmin(ceil(wait_s), 86400.0 * 366);
    }
    pthread_mutex_unlock(lock);
    return allowed;
}
