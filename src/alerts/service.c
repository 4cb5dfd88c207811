/*
 * service.c - the alerts' subscriptions and feed: each change one store
 * write with its audit entry ("alert.subscribe", "alert.confirm",
 * "alert.unsubscribe"; an address is never written into the log), the feed
 * read through threatmap's public list, and the webhook's signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "alerts/internal.h"
#include "auth/auth.h"
#include "base/tztime.h"

#define URL_SCHEME_HTTP "http://"
#define URL_SCHEME_HTTPS "https://"

struct tz_alerts_config tz_alerts_defaults(void)
{
    return (struct tz_alerts_config){
        .smtp_url = NULL,
        .mail_from = "tarcza@localhost",
        .public_url = "http://localhost:8080",
        .interval_ms = 2000,
        .max_failures = 8,
        .retry_base_s = 30,
        .retry_max_s = 6 * 3600,
        .timeout_s = 10,
    };
}

tz_err tz_alerts_open(struct tz_threatmap *tm, struct tz_store *store,
                      const struct tz_alerts_config *cfg, struct tz_alerts **out)
{
    *out = NULL;
    if (sodium_init() < 0)
        return TZ_EIO;
    struct tz_alerts *a = calloc(1, sizeof *a);
    if (!a)
        return TZ_ENOMEM;
    a->tm = tm;
    a->store = store;
    a->cfg = cfg ? *cfg : tz_alerts_defaults();
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    *out = a;
    return TZ_OK;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static tz_err keep_id(void *ctx, const struct tz_report_view *v)
{
    *(int64_t *)ctx = v->rec.id;
    return TZ_OK;
}

tz_err alerts_newest_public(struct tz_alerts *a, int64_t now, int64_t *id)
{
    struct tz_public_query q;
    tz_public_query_init(&q);
    tz_public_query_limit(&q, 1);
    int64_t next = 0;
    *id = 0;
    return tz_threatmap_list(a->tm, &q, now, keep_id, id, &next);
}

static void categories_text(const struct tz_alert_spec *spec, char *out, size_t size)
{
    size_t at = 0;
    out[0] = '\0';
    for (size_t i = 0; i < spec->category_count && at < size; i++) {
        int k = snprintf(out + at, size - at, "%s%s", i ? "," : "", spec->categories[i]);
        if (k < 0)
            break;
        at += (size_t)k;
    }
}

tz_err alerts_spec_of_rec(const struct tz_alerts *a, const struct tz_alert_sub_rec *rec,
                          struct tz_alert_spec *out)
{
    const char *why;
    memset(out, 0, sizeof *out);
    tz_err err = tz_alert_area_parse(rec->area, strlen(rec->area), &out->area, &why);
    if (err)
        return TZ_EIO; /* only a parsed area is ever stored */
    const char *s = rec->categories;
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        (void)tz_alert_spec_category(a->tm, out, s, n); /* a retired code is left out */
        s += n + (comma ? 1 : 0);
    }
    return TZ_OK;
}

static struct tz_audit_rec audit_of(const struct tz_alert_who *who, enum tz_audit_action action,
                                    int64_t now)
{
    return (struct tz_audit_rec){
        .at = now,
        .actor = who && who->actor ? who->actor : "anonymous",
        .role = who ? who->role : NULL,
        .client = who ? who->client : NULL,
        .action = tz_audit_code(action),
        .outcome = "ok",
    };
}

tz_err tz_alerts_webhooks(struct tz_alerts *a, struct tz_alert_sub_rec **out, size_t *count)
{
    tz_err err = tz_store_alert_webhooks(a->store, out, count);
    for (size_t i = 0; !err && i < *count; i++)
        sodium_memzero((*out)[i].secret, sizeof(*out)[i].secret); /* shown once, when added */
    return err;
}

tz_err tz_alerts_webhook_enable(struct tz_alerts *a, int64_t id, bool enable,
                                const struct tz_alert_who *who)
{
    int64_t now = tz_time_now();
    struct tz_audit_rec audit =
        audit_of(who, enable ? TZ_AUDIT_ALERT_ENABLE : TZ_AUDIT_ALERT_DISABLE, now);
    return tz_store_alert_webhook_set(a->store, id, enable ? 0 : now, &audit);
}

tz_err tz_alerts_webhook_remove(struct tz_alerts *a, int64_t id, const struct tz_alert_who *who)
{
    struct tz_alert_sub_rec rec;
    tz_err err = tz_store_alert_sub_get(a->store, id, &rec);
    if (err)
        return err;
    bool webhook = strcmp(rec.kind, "webhook") == 0;
    tz_alert_sub_rec_clear(&rec);
    if (!webhook)
        return TZ_ENOTFOUND; /* only webhooks are an admin's to remove */
    struct tz_audit_rec audit = audit_of(who, TZ_AUDIT_ALERT_REMOVE, tz_time_now());
    return tz_store_alert_sub_delete(a->store, id, &audit);
}

/* Stores a subscription of kind for spec. */
static tz_err put(struct tz_alerts *a, const char *kind, const struct tz_alert_spec *spec,
                  const char *target, const char *secret, bool confirmed,
                  const struct tz_alert_who *who, int64_t now, int64_t *id)
{
    char area[TZ_ALERT_TEXT_MAX], cats[TZ_ALERT_CATEGORIES_MAX * TZ_CODE_MAX];
    tz_err err = tz_alert_area_format(&spec->area, area, sizeof area);
    if (err)
        return err;
    categories_text(spec, cats, sizeof cats);
    struct tz_alert_sub_rec rec = {
        .area = area,
        .categories = cats,
        .target = (char *)target,
        .confirmed = confirmed,
        .created_at = now,
    };
    snprintf(rec.kind, sizeof rec.kind, "%s", kind);
    snprintf(rec.secret, sizeof rec.secret, "%s", secret ? secret : "");
    if ((err = alerts_newest_public(a, now, &rec.after_report)))
        return err;
    char fields[96];
    snprintf(fields, sizeof fields, "{\"kind\":\"%s\"}", kind);
    struct tz_audit_rec audit = audit_of(who, TZ_AUDIT_ALERT_SUBSCRIBE, now);
    audit.fields = fields;
    return tz_store_alert_sub_put(a->store, &rec, &audit, id);
}

static void random_hex(char out[TZ_ALERT_SECRET_MAX])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, TZ_ALERT_SECRET_MAX, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
}

/* ---- subscriptions ------------------------------------------------------------------------- */

tz_err tz_alerts_subscribe_feed(struct tz_alerts *a, const struct tz_alert_spec *spec,
                                const struct tz_alert_who *who, int64_t now, int64_t *id)
{
    return put(a, "feed", spec, NULL, NULL, true, who, now, id);
}

/* An address we send to: printable ASCII without what could end a header or an SMTP command. */
static bool email_ok(const char *s, size_t n)
{
    if (n < 3 || n > TZ_ALERT_EMAIL_MAX)
        return false;
    const char *at = memchr(s, '@', n);
    if (!at || at == s || at - s > 64 || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
        return false;
    const char *domain = at + 1;
    size_t dn = n - (size_t)(domain - s);
    if (dn < 3 || !memchr(domain, '.', dn) || domain[0] == '.' || domain[dn - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f || strchr("<>()[]\\,;:\"", c))
            return false;
    }
    return true;
}

tz_err tz_alerts_subscribe_email(struct tz_alerts *a, const struct tz_alert_spec *spec,
                                 const char *email, size_t len, const struct tz_alert_who *who,
                                 int64_t now, int64_t *id, const char **why)
{
    if (!email || !email_ok(email, len)) {
        *why = "an e-mail address (user@example.org)";
        return TZ_EINVAL;
    }
    char address[TZ_ALERT_EMAIL_MAX + 1], token[TZ_ALERT_SECRET_MAX];
    memcpy(address, email, len);
    address[len] = '\0';
    random_hex(token);
    tz_err err = put(a, "email", spec, address, token, false, who, now, id);
    sodium_memzero(token, sizeof token);
    return err;
}

static bool url_ok(const char *url)
{
    size_t n = strlen(url);
    if (n >= TZ_ALERT_TARGET_MAX)
        return false;
    size_t k =
        strncmp(url, URL_SCHEME_HTTPS, strlen(URL_SCHEME_HTTPS)) == 0 ? strlen(URL_SCHEME_HTTPS)
        : strncmp(url, URL_SCHEME_HTTP, strlen(URL_SCHEME_HTTP)) == 0 ? strlen(URL_SCHEME_HTTP)
                                                                      : 0;
    if (k == 0 || n == k)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= ' ' || (unsigned char)url[i] >= 0x7f)
            return false;
    return true;
}

tz_err tz_alerts_add_webhook(struct tz_alerts *a, const struct tz_alert_spec *spec, const char *url,
                             const struct tz_alert_who *who, int64_t now, int64_t *id,
                             char secret[TZ_ALERT_SECRET_MAX], const char **why)
{
    if (!url || !url_ok(url)) {
        *why = "an http:// or https:// URL without spaces, under 512 bytes";
        return TZ_EINVAL;
    }
    random_hex(secret);
    tz_err err = put(a, "webhook", spec, url, secret, true, who, now, id);
    if (err)
        sodium_memzero(secret, TZ_ALERT_SECRET_MAX);
    return err;
}

/* The address subscription id if token is its token; TZ_ENOTFOUND otherwise. */
static tz_err email_sub(struct tz_alerts *a, int64_t id, const char *token,
                        struct tz_alert_sub_rec *rec)
{
    tz_err err = tz_store_alert_sub_get(a->store, id, rec);
    if (err)
        return err;
    size_t n = token ? strlen(token) : 0;
    if (strcmp(rec->kind, "email") != 0 || n != strlen(rec->secret) || n == 0 ||
        sodium_memcmp(token, rec->secret, n) != 0) {
        tz_alert_sub_rec_clear(rec);
        return TZ_ENOTFOUND;
    }
    return TZ_OK;
}

tz_err tz_alerts_confirm(struct tz_alerts *a, int64_t id, const char *token,
                         const struct tz_alert_who *who)
{
    struct tz_alert_sub_rec rec;
    tz_err err = email_sub(a, id, token, &rec);
    if (err)
        return err;
    tz_alert_sub_rec_clear(&rec);
    struct tz_audit_rec audit = audit_of(who, TZ_AUDIT_ALERT_CONFIRM, tz_time_now());
    return tz_store_alert_sub_confirm(a->store, id, &audit);
}

tz_err tz_alerts_unsubscribe(struct tz_alerts *a, int64_t id, const char *token,
                             const struct tz_alert_who *who)
{
    struct tz_alert_sub_rec rec;
    tz_err err = email_sub(a, id, token, &rec);
    if (err)
        return err;
    tz_alert_sub_rec_clear(&rec);
    struct tz_audit_rec audit = audit_of(who, TZ_AUDIT_ALERT_UNSUBSCRIBE, tz_time_now());
    return tz_store_alert_sub_delete(a->store, id, &audit);
}

tz_err tz_alerts_spec_of(struct tz_alerts *a, int64_t id, struct tz_alert_spec *out)
{
    struct tz_alert_sub_rec rec;
    tz_err err = tz_store_alert_sub_get(a->store, id, &rec);
    if (err)
        return err;
    /* Only a feed's own id names a feed: an address's or a webhook's area is theirs. */
    err = strcmp(rec.kind, "feed") == 0 ? alerts_spec_of_rec(a, &rec, out) : TZ_ENOTFOUND;
    tz_alert_sub_rec_clear(&rec);
    return err;
}

tz_err tz_alerts_sign(const char *secret_hex, const void *body, size_t len, char out[65])
{
    unsigned char key[crypto_auth_hmacsha256_KEYBYTES], mac[crypto_auth_hmacsha256_BYTES];
    size_t key_len = 0;
    if (sodium_hex2bin(key, sizeof key, secret_hex, strlen(secret_hex), NULL, &key_len, NULL) !=
            0 ||
        key_len != sizeof key)
        return TZ_EINVAL;
    crypto_auth_hmacsha256(mac, body, len, key);
    sodium_memzero(key, sizeof key);
    sodium_bin2hex(out, 65, mac, sizeof mac);
    return TZ_OK;
}
