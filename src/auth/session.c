/*
 * session.c - logging in (password, TOTP, lock-out), sessions, CSRF tokens
 * and API tokens.
 *
 * A session id is 32 random bytes, given to the browser base64url-encoded in
 * an HttpOnly, Secure, SameSite=Strict cookie and stored only as its BLAKE2b
 * hash, so a copy of the database logs nobody in. The CSRF token is derived
 * from the session id (BLAKE2b keyed with it), so it needs no storage and
 * dies with the session; the browser reads it from the login answer and
 * sends it in X-CSRF-Token, which another site cannot do.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "auth/internal.h"
#include "base/tztime.h"

#define SECRET_LEN 32
#define TOKEN_PREFIX "tzt_"
#define TOUCH_EVERY_S 60 /* a session's last_seen is written at most once a minute */

static void to_text(const uint8_t *bin, size_t n, char out[TZ_SECRET_TEXT_MAX])
{
    sodium_bin2base64(out, TZ_SECRET_TEXT_MAX, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/*
 * Reads a secret's text strictly: exactly the 43 characters of base64url
 * (no padding) that to_text writes for 32 bytes, in canonical form. The
 * decoder alone is laxer (fuzz_auth found that libsodium 1.0.18 reads any
 * byte >= 0x80 as '_'), and one secret must have one text.
 */
static bool from_text(const char *text, uint8_t bin[SECRET_LEN])
{
    size_t len = 0;
    size_t n = text ? strnlen(text, TZ_SECRET_TEXT_MAX) : 0;
    if (n != sodium_base64_ENCODED_LEN(SECRET_LEN, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    if (sodium_base642bin(bin, SECRET_LEN, text, n, NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != SECRET_LEN)
        return false;
    char again[TZ_SECRET_TEXT_MAX];
    to_text(bin, SECRET_LEN, again);
    return memcmp(again, text, n) == 0;
}

static void csrf_of(const uint8_t secret[SECRET_LEN], char out[TZ_SECRET_TEXT_MAX])
{
    static const char tag[] = "tarcza-csrf-v1";
    uint8_t mac[SECRET_LEN];
    crypto_generichash(mac, sizeof mac, (const unsigned char *)tag, sizeof tag - 1, secret,
                       SECRET_LEN);
    to_text(mac, sizeof mac, out);
}

/* The TOTP step within the allowed skew whose code is `code`, or 0. */
static int64_t totp_match(const struct tz_auth *auth, const uint8_t *secret, const char *code,
                          int64_t now)
{
    if (!code || strnlen(code, 8) != 6)
        return 0;
    uint32_t want = 0;
    for (int i = 0; i < 6; i++) {
        if (code[i] < '0' || code[i] > '9')
            return 0;
        want = want * 10 + (uint32_t)(code[i] - '0');
    }
    int64_t step = now / auth->cfg.totp_step_s;
    for (int d = -auth->cfg.totp_skew; d <= auth->cfg.totp_skew; d++) {
        if (step + d > 0 &&
            tz_auth_hotp(secret, TZ_TOTP_SECRET_LEN, (uint64_t)(step + d), 6) == want)
            return step + d;
    }
    return 0;
}

/* Counts a failed attempt towards the lock-out and audits it with its reason. */
static tz_err record_failure(struct tz_auth *auth, const struct tz_account_rec *rec,
                             struct tz_audit_rec *a, const char *reason, int64_t now)
{
    /* The store counts it (racing attempts each count) and says in fields what it did. */
    char fields[96] = "{}";
    struct tz_login_update u = {.account_id = rec->id,
                                .failure = true,
                                .now = now,
                                .window_s = auth->cfg.lock_window_s,
                                .lock_s = auth->cfg.lock_s,
                                .lock_failures = auth->cfg.lock_failures,
                                .fields = fields,
                                .fields_size = sizeof fields};
    a->outcome = "failed";
    a->note = reason;
    a->fields = fields;
    tz_err err = tz_store_account_login(auth->store, &u, a);
    return err ? err : TZ_EFORBIDDEN;
}

tz_err tz_auth_login(struct tz_auth *auth, const char *name, const char *password, const char *totp,
                     const char *client, struct tz_login_result *out)
{
    memset(out, 0, sizeof *out);
    int64_t now = tz_auth_now(auth);
    struct tz_account_rec rec;
    char object[96], who[TZ_ACCOUNT_NAME_MAX];
    /* The name as typed, bounded: an unknown name of any length must not bloat the log. */
    snprintf(who, sizeof who, "%s", name && *name ? name : "anonymous");
    snprintf(object, sizeof object, "account/%s", who);
    struct tz_audit_rec a = tz_auth_audit_entry(auth, NULL, who, client, tz_audit_code(TZ_AUDIT_AUTH_LOGIN), object);
    /* Same work as for a real account on every path that refuses without checking the password
     * (unknown, disabled, locked), so that timing does not tell which names exist. */
    static const char dummy[] = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
                                "RdescudvJCsgt3ub+b+dWRWJTmaaJObG0CO2szLlRfY";
    tz_err err = tz_store_account_get(auth->store, name, 0, &rec);
    if (err == TZ_ENOTFOUND) {
        tz_auth_password_check(dummy, password ? password : "");
        a.outcome = "failed";
        a.note = "unknown account";
        err = tz_store_audit_append(auth->store, &a);
        return err ? err : TZ_EFORBIDDEN;
    }
    if (err)
        return err;
    enum tz_auth_role role;
    if (tz_auth_role_parse(rec.role, &role) == TZ_OK)
        a.role = tz_auth_role_code(role);
    if (rec.disabled) {
        tz_auth_password_check(dummy, password ? password : "");
        a.outcome = "refused";
        a.note = "account disabled";
        err = tz_store_audit_append(auth->store, &a);
        err = err ? err : TZ_EFORBIDDEN;
        goto done;
    }
    if (rec.locked_until > now) {
        tz_auth_password_check(dummy, password ? password : "");
        out->retry_after = rec.locked_until - now;
        a.outcome = "refused";
        a.note = "account locked";
        err = tz_store_audit_append(auth->store, &a);
        err = err ? err : TZ_EBUSY;
        goto done;
    }
    bool pw_ok = tz_auth_password_check(rec.password_hash, password);
    int64_t step = totp_match(auth, rec.totp_secret, totp, now);
    if (!pw_ok || !step) {
        err = record_failure(auth, &rec, &a, !pw_ok ? "wrong password" : "wrong TOTP code", now);
        goto done;
    }
    if (step <= rec.totp_last_step) {
        err = record_failure(auth, &rec, &a, "TOTP code used before", now);
        goto done;
    }
    struct tz_login_update u = {.account_id = rec.id, .totp_step = step};
    err = tz_store_account_login(auth->store, &u, NULL);
    if (err == TZ_ECONFLICT) { /* another login took this code first */
        err = record_failure(auth, &rec, &a, "TOTP code used before", now);
        goto done;
    }
    if (err)
        goto done;

    uint8_t secret[SECRET_LEN];
    randombytes_buf(secret, sizeof secret);
    struct tz_session_rec s = {.account_id = rec.id, .created_at = now, .last_seen = now};
    auth_secret_hash(secret, sizeof secret, s.id_hash);
    snprintf(s.client, sizeof s.client, "%s", client ? client : "");
    a.outcome = "ok";
    a.fields = "{\"session\":\"created\"}";
    err = tz_store_session_put(auth->store, &s, false, NULL, &a);
    if (!err) {
        to_text(secret, sizeof secret, out->session);
        csrf_of(secret, out->csrf);
        out->idle_s = auth->cfg.idle_s;
        out->absolute_s = auth->cfg.absolute_s;
    }
    sodium_memzero(secret, sizeof secret);
done:
    sodium_memzero(&rec, sizeof rec);
    return err;
}

/* Loads the account of a session or token into out. */
static tz_err load_principal(struct tz_auth *auth, int64_t account_id, struct tz_principal *out)
{
    struct tz_account_rec rec;
    tz_err err = tz_store_account_get(auth->store, NULL, account_id, &rec);
    if (err == TZ_OK && rec.disabled)
        err = TZ_ENOTFOUND;
    if (!err)
        err = auth_principal(&rec, out);
    sodium_memzero(&rec, sizeof rec);
    return err;
}

tz_err tz_auth_session(struct tz_auth *auth, const char *session, struct tz_principal *out)
{
    uint8_t secret[SECRET_LEN], hash[TZ_HASH_LEN];
    if (!from_text(session, secret))
        return TZ_ENOTFOUND;
    auth_secret_hash(secret, sizeof secret, hash);
    struct tz_session_rec s;
    int64_t now = tz_auth_now(auth);
    tz_err err = tz_store_session_get(auth->store, hash, false, &s);
    if (!err &&
        (now - s.last_seen > auth->cfg.idle_s || now - s.created_at > auth->cfg.absolute_s)) {
        struct tz_audit_rec a =
            tz_auth_audit_entry(auth, NULL, "system", s.client, tz_audit_code(TZ_AUDIT_AUTH_SESSION_EXPIRED), NULL);
        char object[64];
        snprintf(object, sizeof object, "account/%lld", (long long)s.account_id);
        a.object = object;
        a.outcome = "ok";
        tz_store_session_end(auth->store, hash, 0, &a);
        err = TZ_ENOTFOUND;
    }
    if (!err)
        err = load_principal(auth, s.account_id, out);
    if (!err && now - s.last_seen >= TOUCH_EVERY_S)
        err = tz_store_session_touch(auth->store, hash, now);
    if (!err) {
        memcpy(out->session_hash, hash, TZ_HASH_LEN);
        csrf_of(secret, out->csrf);
    }
    sodium_memzero(secret, sizeof secret);
    return err;
}

bool tz_auth_csrf_ok(const struct tz_principal *p, const char *header)
{
    if (p->via_token)
        return true;
    size_t n = strnlen(p->csrf, TZ_SECRET_TEXT_MAX);
    if (!header || n == 0 || strnlen(header, TZ_SECRET_TEXT_MAX) != n)
        return false;
    return sodium_memcmp(header, p->csrf, n) == 0;
}

tz_err tz_auth_token(struct tz_auth *auth, const char *token, struct tz_principal *out)
{
    uint8_t secret[SECRET_LEN], hash[TZ_HASH_LEN];
    size_t plen = sizeof TOKEN_PREFIX - 1;
    if (!token || strncmp(token, TOKEN_PREFIX, plen) != 0 || !from_text(token + plen, secret))
        return TZ_ENOTFOUND;
    auth_secret_hash(secret, sizeof secret, hash);
    sodium_memzero(secret, sizeof secret);
    struct tz_session_rec s;
    tz_err err = tz_store_session_get(auth->store, hash, true, &s);
    if (!err && s.expires_at && tz_auth_now(auth) >= s.expires_at) {
        /* Refused like an unknown token; revoked, so that this is logged once. */
        char object[64];
        snprintf(object, sizeof object, "account/%lld", (long long)s.account_id);
        struct tz_audit_rec a =
            tz_auth_audit_entry(auth, NULL, "system", NULL,
                                tz_audit_code(TZ_AUDIT_TOKEN_EXPIRED), object);
        a.outcome = "ok";
        tz_store_session_end(auth->store, hash, 0, &a);
        err = TZ_ENOTFOUND;
    }
    if (!err)
        err = load_principal(auth, s.account_id, out);
    if (!err) {
        out->via_token = true;
        memcpy(out->session_hash, hash, TZ_HASH_LEN);
    }
    return err;
}

tz_err tz_auth_token_expiry(const struct tz_auth *auth, const char *text, int64_t *expires_at)
{
    int64_t now = tz_auth_now(auth);
    if (!text) {
        *expires_at = now + auth->cfg.token_s;
        return TZ_OK;
    }
    size_t n = strnlen(text, 64);
    size_t digits = strspn(text, "0123456789");
    int64_t at = 0;
    if (n > 0 && digits == n) {
        if (n > 4) /* more days than TZ_TOKEN_DAYS_MAX anyway */
            return TZ_EINVAL;
        int64_t days = 0;
        for (size_t i = 0; i < n; i++)
            days = days * 10 + (text[i] - '0');
        if (days < 1 || days > TZ_TOKEN_DAYS_MAX)
            return TZ_EINVAL;
        at = now + days * 86400;
    } else if (n == 0 || n >= 64 || tz_time_parse(text, n, &at) != TZ_OK) {
        return TZ_EINVAL;
    }
    if (at <= now || at > now + (int64_t)TZ_TOKEN_DAYS_MAX * 86400)
        return TZ_EINVAL;
    *expires_at = at;
    return TZ_OK;
}

tz_err tz_auth_token_create(struct tz_auth *auth, const char *name, const char *label,
                            int64_t expires_at, const char *actor, char out[TZ_SECRET_TEXT_MAX])
{
    struct tz_auth_who who = {.actor = actor};
    return tz_auth_account_token(auth, &who, name, label, expires_at, out);
}

tz_err tz_auth_account_token(struct tz_auth *auth, const struct tz_auth_who *who, const char *name,
                             const char *label, int64_t expires_at, char out[TZ_SECRET_TEXT_MAX])
{
    int64_t now = tz_auth_now(auth);
    if (expires_at == 0)
        expires_at = now + auth->cfg.token_s;
    if (expires_at <= now)
        return TZ_EINVAL;
    struct tz_account_rec rec;
    tz_err err = tz_store_account_get(auth->store, name, 0, &rec);
    if (err)
        return err;
    uint8_t secret[SECRET_LEN];
    randombytes_buf(secret, sizeof secret);
    struct tz_session_rec s = {.account_id = rec.id, .created_at = now, .expires_at = expires_at};
    auth_secret_hash(secret, sizeof secret, s.id_hash);
    char object[96], fields[64];
    snprintf(object, sizeof object, "account/%s", rec.name);
    snprintf(fields, sizeof fields, "{\"expires_at\":%lld}", (long long)expires_at);
    struct tz_audit_rec a = tz_auth_who_entry(auth, who, tz_audit_code(TZ_AUDIT_TOKEN_CREATE), object);
    a.outcome = "ok";
    a.note = label;
    a.fields = fields;
    err = tz_store_session_put(auth->store, &s, true, label ? label : "", &a);
    if (!err) {
        char text[TZ_SECRET_TEXT_MAX];
        to_text(secret, sizeof secret, text);
        memcpy(out, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1);
        memcpy(out + sizeof TOKEN_PREFIX - 1, text, strlen(text) + 1); /* 43 + 4 + 1 fit */
        sodium_memzero(text, sizeof text);
    }
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(&rec, sizeof rec);
    return err;
}

tz_err tz_auth_logout(struct tz_auth *auth, const struct tz_principal *p, const char *client)
{
    char object[96];
    snprintf(object, sizeof object, "account/%s", p->account.name);
    struct tz_audit_rec a = tz_auth_audit_entry(
        auth, p, NULL, client, p->via_token ? tz_audit_code(TZ_AUDIT_TOKEN_REVOKE) : tz_audit_code(TZ_AUDIT_AUTH_LOGOUT), object);
    a.outcome = "ok";
    return tz_store_session_end(auth->store, p->session_hash, 0, &a);
}
