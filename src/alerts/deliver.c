/*
 * deliver.c - one delivery by libcurl: a webhook's POST (http and https only,
 * no redirects, the body signed with HMAC-SHA256 under the subscription's
 * key) or a mail through the configured SMTP relay. Each is bounded in time
 * (cfg.timeout_s); what the other side answered goes into the delivery log.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "alerts/internal.h"

#define HEADER_MAX 160

/* Drops a response body: only the status matters. */
static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

tz_err alerts_post_webhook(const struct tz_alerts *a, const char *url, const char *secret_hex,
                           int64_t sub_id, int64_t delivery_id, const struct tz_buf *body,
                           char *detail, size_t size)
{
    char sig[65], h_sig[HEADER_MAX], h_id[HEADER_MAX], h_sub[HEADER_MAX];
    const char *data = body->data ? body->data : "";
    if (tz_alerts_sign(secret_hex, data, body->len, sig) != TZ_OK) {
        snprintf(detail, size, "no key to sign with");
        return TZ_EINVAL;
    }
    snprintf(h_sig, sizeof h_sig, "X-Tarcza-Signature: sha256=%s", sig);
    snprintf(h_id, sizeof h_id, "X-Tarcza-Delivery: %lld", (long long)delivery_id);
    snprintf(h_sub, sizeof h_sub, "X-Tarcza-Subscription: %lld", (long long)sub_id);
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL, *t;
    const char *lines[] = {"Content-Type: application/json", h_sig, h_id, h_sub, "Expect:"};
    tz_err err = c ? TZ_OK : TZ_ENOMEM;
    for (size_t i = 0; !err && i < sizeof lines / sizeof lines[0]; i++) {
        if (!(t = curl_slist_append(h, lines[i])))
            err = TZ_ENOMEM;
        else
            h = t;
    }
    if (err)
        goto done;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)a->cfg.timeout_s);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, data);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body->len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) {
        snprintf(detail, size, "%s", curl_easy_strerror(rc));
        err = TZ_EIO;
    } else {
        snprintf(detail, size, "HTTP %ld", status);
        err = status >= 200 && status < 300 ? TZ_OK : TZ_EIO;
    }
done:
    curl_slist_free_all(h);
    if (c)
        curl_easy_cleanup(c);
    return err;
}

/* Hands the message to curl's upload. */
struct reader {
    const char *p;
    size_t left;
};

static size_t read_message(char *out, size_t size, size_t n, void *ctx)
{
    struct reader *r = ctx;
    size_t k = size * n < r->left ? size * n : r->left;
    memcpy(out, r->p, k);
    r->p += k;
    r->left -= k;
    return k;
}

tz_err alerts_send_mail(const struct tz_alerts *a, const char *to, const struct tz_buf *message,
                        char *detail, size_t size)
{
    char from[TZ_ALERT_TARGET_MAX + 2], rcpt_to[TZ_ALERT_TARGET_MAX + 2];
    snprintf(from, sizeof from, "<%s>", a->cfg.mail_from);
    snprintf(rcpt_to, sizeof rcpt_to, "<%s>", to);
    CURL *c = curl_easy_init();
    struct curl_slist *rcpt = c ? curl_slist_append(NULL, rcpt_to) : NULL;
    if (!c || !rcpt) {
        if (c)
            curl_easy_cleanup(c);
        return TZ_ENOMEM;
    }
    struct reader r = {.p = message->data ? message->data : "", .left = message->len};
    curl_easy_setopt(c, CURLOPT_URL, a->cfg.smtp_url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)a->cfg.timeout_s);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(c, CURLOPT_READDATA, &r);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    tz_err err = TZ_OK;
    if (rc != CURLE_OK) {
        snprintf(detail, size, "%s (SMTP %ld)", curl_easy_strerror(rc), status);
        err = TZ_EIO;
    } else {
        snprintf(detail, size, "SMTP %ld", status);
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    return err;
}
