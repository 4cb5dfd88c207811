/*
 * internal.h - what the files of src/alerts share (private to the module).
 */
#ifndef TZ_ALERTS_INTERNAL_H
#define TZ_ALERTS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "alerts/alerts.h"

struct tz_alerts {
    struct tz_threatmap *tm;
    struct tz_store *store;
    struct tz_alerts_config cfg;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stopping;
};

/* A stored subscription's spec (categories no longer in the catalogue are left out). */
tz_err alerts_spec_of_rec(const struct tz_alerts *a, const struct tz_alert_sub_rec *rec,
                          struct tz_alert_spec *out);
/* The id of the newest report the public sees at now, 0 for none. */
tz_err alerts_newest_public(struct tz_alerts *a, int64_t now, int64_t *id);

/* deliver.c: one delivery by libcurl; detail (size bytes) says what the other side answered. */
tz_err alerts_post_webhook(const struct tz_alerts *a, const char *url, const char *secret_hex,
                           int64_t sub_id, int64_t delivery_id, const struct tz_buf *body,
                           char *detail, size_t size);
tz_err alerts_send_mail(const struct tz_alerts *a, const char *to, const struct tz_buf *message,
                        char *detail, size_t size);

#endif
