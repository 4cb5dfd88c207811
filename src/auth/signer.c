/*
 * signer.c - the audit chain's head signed at intervals by the server itself
 * (tz_auth_signer_start), so that checkpoints exist even when nobody set up
 * a timer for `tarcza audit checkpoint`. The key file is read at start (and
 * must stay readable only by tarcza); the lines go to a file that operations
 * copy off the machine.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/internal.h"

struct tz_auth_signer {
    struct tz_store *store;
    char *key_file;
    char *path;
    int64_t interval_s;
    int64_t last_seq;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stopping;
};

/* Signs the head if the chain grew since the last signature. */
static void sign_now(struct tz_auth_signer *s)
{
    FILE *f = fopen(s->path, "a");
    if (!f)
        return;
    struct tz_audit_verdict v;
    if (tz_auth_audit_verify(s->store, NULL, NULL, &v) == TZ_OK && v.first_bad == 0 &&
        v.head_seq > s->last_seq) {
        int64_t head = 0;
        if (tz_auth_checkpoint(s->store, s->key_file, f, &head) == TZ_OK)
            s->last_seq = head;
        fsync(fileno(f));
    }
    fclose(f);
}

static void *run(void *arg)
{
    struct tz_auth_signer *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += s->interval_s;
        while (!s->stopping && pthread_cond_timedwait(&s->cv, &s->mu, &until) != ETIMEDOUT) {
        }
        bool last = s->stopping; /* a stop before the first wait still gets its signature */
        pthread_mutex_unlock(&s->mu);
        sign_now(s);
        pthread_mutex_lock(&s->mu);
        if (last)
            break;
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

tz_err tz_auth_signer_start(struct tz_store *store, const char *key_file,
                            const char *checkpoints_path, int64_t interval_s,
                            struct tz_auth_signer **out)
{
    uint8_t pk[32];
    tz_err err = tz_auth_checkpoint_public(key_file, pk);
    if (err)
        return err;
    if (interval_s < 1 || !checkpoints_path)
        return TZ_EINVAL;
    struct tz_auth_signer *s = calloc(1, sizeof *s);
    if (!s)
        return TZ_ENOMEM;
    s->store = store;
    s->interval_s = interval_s;
    s->key_file = strdup(key_file);
    s->path = strdup(checkpoints_path);
    if (!s->key_file || !s->path || pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s->key_file);
        free(s->path);
        free(s);
        return TZ_ENOMEM;
    }
    bool cv_ok = pthread_cond_init(&s->cv, NULL) == 0;
    if (!cv_ok || pthread_create(&s->thread, NULL, run, s) != 0) {
        if (cv_ok)
            pthread_cond_destroy(&s->cv);
        pthread_mutex_destroy(&s->mu);
        free(s->key_file);
        free(s->path);
        free(s);
        return TZ_ENOMEM;
    }
    *out = s;
    return TZ_OK;
}

void tz_auth_signer_stop(struct tz_auth_signer *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s->key_file);
    free(s->path);
    free(s);
}
