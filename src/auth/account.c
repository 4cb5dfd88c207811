/*
 * account.c - making and changing police accounts (tarcza user ..., and the
 * administrator's API). Each change goes to the store with its audit entry in
 * one transaction; a change made over the API names the caller's role and
 * address, and a refused one is audited as refused.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "auth/internal.h"

static bool valid_name(const char *s)
{
    size_t n = s ? strnlen(s, TZ_ACCOUNT_NAME_MAX) : 0;
    if (n == 0 || n >= TZ_ACCOUNT_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static bool copy_field(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strnlen(src, cap) : 0;
    if (n >= cap)
        return false;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
    return true;
}

/* The audit entry of a change to account `name` by who; object is its storage. */
static struct tz_audit_rec account_audit(struct tz_auth *auth, const struct tz_auth_who *who,
                                         enum tz_audit_action action, const char *name,
                                         char *object, size_t cap)
{
    snprintf(object, cap, "account/%s", name ? name : "");
    return tz_auth_who_entry(auth, who, tz_audit_code(action), object);
}

tz_err tz_auth_audit_refusal(struct tz_auth *auth, const struct tz_auth_who *who,
                             enum tz_audit_action action, const char *object, const char *fields,
                             const char *why)
{
    struct tz_audit_rec a = tz_auth_who_entry(auth, who, tz_audit_code(action), object);
    a.fields = fields;
    a.note = why;
    a.outcome = "refused";
    return tz_auth_audit(auth, &a);
}

/* Audits a refused account change (TZ_EINVAL, TZ_ECONFLICT, TZ_ENOTFOUND); err stays the answer. */
static tz_err refused(struct tz_auth *auth, const struct tz_auth_who *who, const char *name,
                      const char *change, tz_err err)
{
    if (err != TZ_EINVAL && err != TZ_ECONFLICT && err != TZ_ENOTFOUND)
        return err;
    char object[96];
    struct tz_buf f;
    tz_buf_init(&f, 256);
    tz_err e = tz_buf_puts(&f, "{\"change\":");
    if (!e)
        e = tz_buf_json_cstr(&f, change);
    if (!e)
        e = tz_buf_puts(&f, "}");
    snprintf(object, sizeof object, "account/%s", name && valid_name(name) ? name : "?");
    if (!e)
        e = tz_auth_audit_refusal(auth, who, TZ_AUDIT_ACCOUNTS, object, f.data, tz_err_str(err));
    tz_buf_free(&f);
    return e ? e : err; /* no audit entry, no answer but the failure to write it */
}

static tz_err user_add(struct tz_auth *auth, const struct tz_auth_who *who,
                       const struct tz_user_spec *spec, struct tz_buf *uri)
{
    struct tz_account_rec rec = {0};
    enum tz_auth_role role;
    tz_err err = TZ_EINVAL;
    if (!spec || !valid_name(spec->name) || tz_auth_role_parse(spec->role, &role) ||
        spec->district_count > TZ_ACCOUNT_DISTRICTS_MAX ||
        !copy_field(rec.unit, sizeof rec.unit, spec->unit) ||
        ((role == TZ_AUTH_SUPERVISOR || role >= TZ_AUTH_SPOC_OPERATOR) && !rec.unit[0]))
        goto done;
    copy_field(rec.name, sizeof rec.name, spec->name);
    copy_field(rec.role, sizeof rec.role, spec->role);
    for (size_t i = 0; i < spec->district_count; i++) {
        if (!copy_field(rec.districts[i], TZ_ID_MAX, spec->districts[i]) || !rec.districts[i][0])
            goto done;
    }
    rec.district_count = spec->district_count;
    if ((err = tz_auth_password_hash(auth, spec->password, rec.password_hash)))
        goto done;
    randombytes_buf(rec.totp_secret, sizeof rec.totp_secret);
    rec.created_at = tz_auth_now(auth);
    char object[96], fields[256];
    struct tz_audit_rec a =
        account_audit(auth, who, TZ_AUDIT_ACCOUNT_ADD, rec.name, object, sizeof object);
    snprintf(fields, sizeof fields, "{\"role\":\"%s\",\"districts\":%zu}", rec.role,
             rec.district_count);
    a.fields = fields;
    if ((err = tz_store_account_put(auth->store, &rec, &a)))
        goto done;
    if (uri)
        err = tz_auth_otpauth_uri(&rec, uri);
done:
    sodium_memzero(&rec, sizeof rec);
    return err;
}

tz_err tz_auth_user_add(struct tz_auth *auth, const struct tz_user_spec *spec, const char *actor,
                        struct tz_buf *uri)
{
    struct tz_auth_who who = {.actor = actor};
    return user_add(auth, &who, spec, uri);
}

tz_err tz_auth_account_add(struct tz_auth *auth, const struct tz_auth_who *who,
                           const struct tz_user_spec *spec, struct tz_buf *uri)
{
    tz_err err = user_add(auth, who, spec, uri);
    return err ? refused(auth, who, spec ? spec->name : NULL, "add", err) : TZ_OK;
}

/* Reads the account, lets change() alter it, and writes it back with an audit entry. */
typedef tz_err (*account_change)(struct tz_auth *auth, struct tz_account_rec *rec, const void *arg);
static tz_err modify(struct tz_auth *auth, const char *name, const struct tz_auth_who *who,
                     enum tz_audit_action action, account_change change, const void *arg,
                     const char *fields)
{
    struct tz_account_rec rec;
    tz_err err = tz_store_account_get(auth->store, name, 0, &rec);
    if (!err)
        err = change(auth, &rec, arg);
    if (!err) {
        char object[96];
        struct tz_audit_rec a = account_audit(auth, who, action, rec.name, object, sizeof object);
        a.fields = fields;
        err = tz_store_account_put(auth->store, &rec, &a);
    }
    sodium_memzero(&rec, sizeof rec);
    return err;
}

static tz_err set_password(struct tz_auth *auth, struct tz_account_rec *rec, const void *arg)
{
    rec->failed_count = 0;
    rec->failed_since = 0;
    rec->locked_until = 0;
    return tz_auth_password_hash(auth, arg, rec->password_hash);
}

static tz_err user_passwd(struct tz_auth *auth, const struct tz_auth_who *who, const char *name,
                          const char *password)
{
    return modify(auth, name, who, TZ_AUDIT_ACCOUNT_PASSWD, set_password, password,
                  "{\"password\":\"changed\"}");
}

tz_err tz_auth_user_passwd(struct tz_auth *auth, const char *name, const char *password,
                           const char *actor)
{
    struct tz_auth_who who = {.actor = actor};
    return user_passwd(auth, &who, name, password);
}

static tz_err set_disabled(struct tz_auth *auth, struct tz_account_rec *rec, const void *arg)
{
    rec->disabled = *(const bool *)arg;
    return TZ_OK;
}

static tz_err user_disable(struct tz_auth *auth, const struct tz_auth_who *who, const char *name,
                           bool disabled)
{
    return modify(auth, name, who, disabled ? TZ_AUDIT_ACCOUNT_DISABLE : TZ_AUDIT_ACCOUNT_ENABLE,
                  set_disabled, &disabled,
                  disabled ? "{\"disabled\":true}" : "{\"disabled\":false}");
}

tz_err tz_auth_user_disable(struct tz_auth *auth, const char *name, bool disabled,
                            const char *actor)
{
    struct tz_auth_who who = {.actor = actor};
    return user_disable(auth, &who, name, disabled);
}

tz_err tz_auth_account_change(struct tz_auth *auth, const struct tz_auth_who *who, const char *name,
                              enum tz_account_change change, const char *password)
{
    static const char *const names[] = {
        [TZ_ACCOUNT_DISABLE] = "disable",
        [TZ_ACCOUNT_ENABLE] = "enable",
        [TZ_ACCOUNT_PASSWORD] = "password",
    };
    tz_err err = TZ_EINVAL;
    bool self = who->p && name && strcmp(name, who->p->account.name) == 0;
    if (!name || (unsigned)change > TZ_ACCOUNT_PASSWORD)
        err = TZ_EINVAL;
    else if (change == TZ_ACCOUNT_DISABLE && self)
        err = TZ_ECONFLICT; /* an administrator does not lock themselves out */
    else if (change == TZ_ACCOUNT_PASSWORD)
        err = user_passwd(auth, who, name, password);
    else
        err = user_disable(auth, who, name, change == TZ_ACCOUNT_DISABLE);
    return err ? refused(auth, who, name,
                         (unsigned)change <= TZ_ACCOUNT_PASSWORD ? names[change] : "?", err)
               : TZ_OK;
}

struct district_list {
    const char (*ids)[TZ_ID_MAX];
    size_t count;
};

static tz_err set_districts(struct tz_auth *auth, struct tz_account_rec *rec, const void *arg)
{
    const struct district_list *l = arg;
    if (l->count > TZ_ACCOUNT_DISTRICTS_MAX)
        return TZ_EINVAL;
    for (size_t i = 0; i < l->count; i++) {
        if (!copy_field(rec->districts[i], TZ_ID_MAX, l->ids[i]))
            return TZ_EINVAL;
    }
    rec->district_count = l->count;
    return TZ_OK;
}

tz_err tz_auth_user_districts(struct tz_auth *auth, const char *name,
                              const char (*districts)[TZ_ID_MAX], size_t count, const char *actor)
{
    struct tz_auth_who who = {.actor = actor};
    return tz_auth_account_districts(auth, &who, name, districts, count);
}

tz_err tz_auth_account_districts(struct tz_auth *auth, const struct tz_auth_who *who,
                                 const char *name, const char (*districts)[TZ_ID_MAX],
                                 size_t count)
{
    struct district_list l = {districts, count};
    struct tz_buf f;
    tz_buf_init(&f, 16u * 1024);
    tz_err err = tz_buf_puts(&f, "{\"districts\":[");
    for (size_t i = 0; i < count && !err; i++) {
        if (i)
            err = tz_buf_puts(&f, ",");
        if (!err)
            err = tz_buf_json_string(&f, districts[i], strnlen(districts[i], TZ_ID_MAX));
    }
    if (!err)
        err = tz_buf_puts(&f, "]}");
    if (!err)
        err = modify(auth, name, who, TZ_AUDIT_ACCOUNT_DISTRICTS, set_districts, &l, f.data);
    tz_buf_free(&f);
    return err;
}

tz_err tz_auth_account(struct tz_auth *auth, const char *name, struct tz_account_rec *out)
{
    return tz_store_account_get(auth->store, name, 0, out);
}

tz_err tz_auth_accounts(struct tz_auth *auth, struct tz_account_rec **out, size_t *count)
{
    return tz_store_accounts(auth->store, out, count);
}
