/*
 * auth.c - the handle, its clock, the roles and the permission table.
 *
 * The table is data (STYLE 7): one row per role, one column per action,
 * each cell a scope. tz_auth_permit is the only place that reads it, and
 * every police endpoint calls it before it touches anything.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/internal.h"
#include "base/tztime.h"

static const char *const role_codes[TZ_AUTH_ROLE_COUNT] = {
    [TZ_AUTH_OFFICER] = "officer",
    [TZ_AUTH_SUPERVISOR] = "supervisor",
    [TZ_AUTH_ANALYST] = "analyst",
    [TZ_AUTH_ADMIN] = "admin",
    [TZ_AUTH_SPOC_OPERATOR] = "spoc_operator",
    [TZ_AUTH_SPOC_SUPERVISOR] = "spoc_supervisor",
    [TZ_AUTH_LIAISON] = "liaison_officer",
};

/* The audit log's action codes: every entry's `action` is one of these. */
static const char *const audit_codes[TZ_AUDIT_COUNT] = {
    [TZ_AUDIT_REPORT_READ] = "report.read",
    [TZ_AUDIT_REPORT_TRANSITION] = "report.transition",
    [TZ_AUDIT_REPORT_DESCRIBE] = "report.describe",
    [TZ_AUDIT_REPORT_ASSIGN] = "report.assign",
    [TZ_AUDIT_REPORT_MERGE] = "report.merge",
    [TZ_AUDIT_QUEUE_READ] = "queue.read",
    [TZ_AUDIT_DASHBOARD_READ] = "dashboard.read",
    [TZ_AUDIT_DISTRICT_ASSIGN] = "district.assign",
    [TZ_AUDIT_ANALYSIS_READ] = "analysis.read",
    [TZ_AUDIT_ACCOUNTS] = "accounts",
    [TZ_AUDIT_ACCOUNTS_READ] = "accounts.read",
    [TZ_AUDIT_ACCOUNT_ADD] = "account.add",
    [TZ_AUDIT_ACCOUNT_PASSWD] = "account.passwd",
    [TZ_AUDIT_ACCOUNT_DISABLE] = "account.disable",
    [TZ_AUDIT_ACCOUNT_ENABLE] = "account.enable",
    [TZ_AUDIT_ACCOUNT_DISTRICTS] = "account.districts",
    [TZ_AUDIT_AUDIT] = "audit",
    [TZ_AUDIT_AUDIT_VERIFY] = "audit.verify",
    [TZ_AUDIT_AUDIT_EXPORT] = "audit.export",
    [TZ_AUDIT_AUTH_LOGIN] = "auth.login",
    [TZ_AUDIT_AUTH_LOGOUT] = "auth.logout",
    [TZ_AUDIT_AUTH_CSRF] = "auth.csrf",
    [TZ_AUDIT_AUTH_SESSION_EXPIRED] = "auth.session_expired",
    [TZ_AUDIT_TOKEN_CREATE] = "token.create",
    [TZ_AUDIT_TOKEN_REVOKE] = "token.revoke",
    [TZ_AUDIT_TOKEN_EXPIRED] = "token.expired",
    [TZ_AUDIT_APIKEY_ADD] = "apikey.add",
    [TZ_AUDIT_APIKEY_REVOKE] = "apikey.revoke",
    [TZ_AUDIT_ADDRESS_IMPORT] = "address.import",
    [TZ_AUDIT_ASSISTANT_USE] = "assistant.use",
    [TZ_AUDIT_SCREENING_QUERY] = "screening.query",
    [TZ_AUDIT_WATCHLIST_IMPORT] = "watchlist.import",
    [TZ_AUDIT_WATCHLIST_KEYS] = "watchlist.keys",
    [TZ_AUDIT_EXCHANGE_READ] = "exchange.read",
    [TZ_AUDIT_EXCHANGE_SEND] = "exchange.send",
    [TZ_AUDIT_EXCHANGE_INBOX] = "exchange.inbox",
    [TZ_AUDIT_EXCHANGE_NOTICE] = "exchange.notice",
    [TZ_AUDIT_EXCHANGE_RETENTION] = "exchange.retention",
    [TZ_AUDIT_ALERT_SUBSCRIBE] = "alert.subscribe",
    [TZ_AUDIT_ALERT_CONFIRM] = "alert.confirm",
    [TZ_AUDIT_ALERT_UNSUBSCRIBE] = "alert.unsubscribe",
    [TZ_AUDIT_ALERT_WEBHOOKS] = "alert.webhooks",
    [TZ_AUDIT_ALERT_WEBHOOKS_READ] = "alert.webhooks.read",
    [TZ_AUDIT_ALERT_DISABLE] = "alert.disable",
    [TZ_AUDIT_ALERT_ENABLE] = "alert.enable",
    [TZ_AUDIT_ALERT_REMOVE] = "alert.remove",
    [TZ_AUDIT_FED_NODE_ADD] = "federation.node.add",
    [TZ_AUDIT_FED_NODE_REMOVE] = "federation.node.remove",
    [TZ_AUDIT_FED_NODES] = "federation.nodes",
    [TZ_AUDIT_FED_RECEIVE] = "federation.receive",
    [TZ_AUDIT_FED_SEND] = "federation.send",
    [TZ_AUDIT_FED_NODE_CHANGE] = "federation.node.change",
    [TZ_AUDIT_FED_REVOKE] = "federation.revoke",
    [TZ_AUDIT_PHOTO_REVIEW] = "photo.review",
};

/* The code each permission action is audited under. */
static const enum tz_audit_action action_audit[TZ_ACT_COUNT] = {
    [TZ_ACT_REPORT_READ] = TZ_AUDIT_REPORT_READ,
    [TZ_ACT_REPORT_TRANSITION] = TZ_AUDIT_REPORT_TRANSITION,
    [TZ_ACT_REPORT_DESCRIBE] = TZ_AUDIT_REPORT_DESCRIBE,
    [TZ_ACT_REPORT_ASSIGN] = TZ_AUDIT_REPORT_ASSIGN,
    [TZ_ACT_QUEUE] = TZ_AUDIT_QUEUE_READ,
    [TZ_ACT_DASHBOARD] = TZ_AUDIT_DASHBOARD_READ,
    [TZ_ACT_DISTRICT_ASSIGN] = TZ_AUDIT_DISTRICT_ASSIGN,
    [TZ_ACT_ACCOUNTS] = TZ_AUDIT_ACCOUNTS,
    [TZ_ACT_AUDIT] = TZ_AUDIT_AUDIT,
    [TZ_ACT_ALERT_WEBHOOKS] = TZ_AUDIT_ALERT_WEBHOOKS,
    [TZ_ACT_ANALYSIS] = TZ_AUDIT_ANALYSIS_READ,
    [TZ_ACT_REPORT_MERGE] = TZ_AUDIT_REPORT_MERGE,
    [TZ_ACT_ASSISTANT_USE] = TZ_AUDIT_ASSISTANT_USE,
    [TZ_ACT_SCREENING] = TZ_AUDIT_SCREENING_QUERY,
    [TZ_ACT_EXCHANGE_READ] = TZ_AUDIT_EXCHANGE_READ,
    [TZ_ACT_EXCHANGE_SEND] = TZ_AUDIT_EXCHANGE_SEND,
    [TZ_ACT_EXCHANGE_INBOX] = TZ_AUDIT_EXCHANGE_INBOX,
    [TZ_ACT_EXCHANGE_RETENTION] = TZ_AUDIT_EXCHANGE_RETENTION,
};

/* The permission table (docs/security.md prints it). Cells not named are TZ_SCOPE_NONE. */
static const enum tz_auth_scope permissions[TZ_AUTH_ROLE_COUNT][TZ_ACT_COUNT] = {
    [TZ_AUTH_OFFICER] =
        {
            [TZ_ACT_REPORT_READ] = TZ_SCOPE_OWN,
            [TZ_ACT_REPORT_TRANSITION] = TZ_SCOPE_OWN,
            [TZ_ACT_REPORT_DESCRIBE] = TZ_SCOPE_OWN,
            [TZ_ACT_QUEUE] = TZ_SCOPE_OWN,
            [TZ_ACT_ANALYSIS] = TZ_SCOPE_OWN,
            [TZ_ACT_REPORT_MERGE] = TZ_SCOPE_OWN,
            [TZ_ACT_ASSISTANT_USE] = TZ_SCOPE_OWN,
            [TZ_ACT_SCREENING] = TZ_SCOPE_ALL,
        },
    [TZ_AUTH_SUPERVISOR] =
        {
            [TZ_ACT_REPORT_READ] = TZ_SCOPE_UNIT,
            [TZ_ACT_REPORT_TRANSITION] = TZ_SCOPE_UNIT,
            [TZ_ACT_REPORT_DESCRIBE] = TZ_SCOPE_UNIT,
            [TZ_ACT_REPORT_ASSIGN] = TZ_SCOPE_UNIT,
            [TZ_ACT_QUEUE] = TZ_SCOPE_UNIT,
            [TZ_ACT_DASHBOARD] = TZ_SCOPE_UNIT,
            [TZ_ACT_DISTRICT_ASSIGN] = TZ_SCOPE_UNIT,
            [TZ_ACT_ANALYSIS] = TZ_SCOPE_UNIT,
            [TZ_ACT_REPORT_MERGE] = TZ_SCOPE_UNIT,
            [TZ_ACT_ASSISTANT_USE] = TZ_SCOPE_UNIT,
            [TZ_ACT_SCREENING] = TZ_SCOPE_ALL,
        },
    [TZ_AUTH_ANALYST] =
        {
            [TZ_ACT_REPORT_READ] = TZ_SCOPE_ALL,
            [TZ_ACT_DASHBOARD] = TZ_SCOPE_ALL,
            [TZ_ACT_ANALYSIS] = TZ_SCOPE_ALL,
            [TZ_ACT_ASSISTANT_USE] = TZ_SCOPE_ALL,
            [TZ_ACT_SCREENING] = TZ_SCOPE_ALL,
        },
    [TZ_AUTH_ADMIN] =
        {
            [TZ_ACT_ACCOUNTS] = TZ_SCOPE_ALL,
            [TZ_ACT_AUDIT] = TZ_SCOPE_ALL,
            [TZ_ACT_ALERT_WEBHOOKS] = TZ_SCOPE_ALL,
        },
    /* The exchange's roles: a unit is the one a message addresses or comes from, so a partner's
     * message is seen only by the units it addresses (and by the SPOC's supervisor). */
    [TZ_AUTH_SPOC_OPERATOR] =
        {
            [TZ_ACT_ASSISTANT_USE] = TZ_SCOPE_UNIT,
            [TZ_ACT_SCREENING] = TZ_SCOPE_ALL,
            [TZ_ACT_EXCHANGE_READ] = TZ_SCOPE_UNIT,
            [TZ_ACT_EXCHANGE_SEND] = TZ_SCOPE_UNIT,
            [TZ_ACT_EXCHANGE_INBOX] = TZ_SCOPE_UNIT,
            [TZ_ACT_EXCHANGE_RETENTION] = TZ_SCOPE_UNIT,
        },
    [TZ_AUTH_SPOC_SUPERVISOR] =
        {
            [TZ_ACT_ASSISTANT_USE] = TZ_SCOPE_ALL,
            [TZ_ACT_SCREENING] = TZ_SCOPE_ALL,
            [TZ_ACT_EXCHANGE_READ] = TZ_SCOPE_ALL,
            [TZ_ACT_EXCHANGE_SEND] = TZ_SCOPE_UNIT,
            [TZ_ACT_EXCHANGE_INBOX] = TZ_SCOPE_ALL,
            [TZ_ACT_EXCHANGE_RETENTION] = TZ_SCOPE_ALL,
        },
    [TZ_AUTH_LIAISON] =
        {
            [TZ_ACT_ASSISTANT_USE] = TZ_SCOPE_UNIT,
            [TZ_ACT_SCREENING] = TZ_SCOPE_ALL,
            [TZ_ACT_EXCHANGE_READ] = TZ_SCOPE_UNIT,
            [TZ_ACT_EXCHANGE_SEND] = TZ_SCOPE_UNIT,
            [TZ_ACT_EXCHANGE_INBOX] = TZ_SCOPE_UNIT,
        },
};

struct tz_auth_config tz_auth_defaults(void)
{
    return (struct tz_auth_config){
        .lock_failures = 5,
        .lock_window_s = 15 * 60,
        .lock_s = 15 * 60,
        .idle_s = 30 * 60,
        .absolute_s = 12 * 3600,
        .token_s = 90 * 86400,
        .totp_step_s = 30,
        .totp_skew = 1,
        .pw_ops = crypto_pwhash_OPSLIMIT_INTERACTIVE,
        .pw_mem = crypto_pwhash_MEMLIMIT_INTERACTIVE,
    };
}

static int64_t real_clock(void *ctx)
{
    return tz_time_now();
}

tz_err tz_auth_open(struct tz_store *store, const struct tz_auth_config *cfg, struct tz_auth **out)
{
    if (!store || !out)
        return TZ_EINVAL;
    if (sodium_init() < 0)
        return TZ_EIO;
    struct tz_auth *a = calloc(1, sizeof *a);
    if (!a)
        return TZ_ENOMEM;
    a->store = store;
    a->cfg = cfg ? *cfg : tz_auth_defaults();
    a->clock = real_clock;
    *out = a;
    return TZ_OK;
}

void tz_auth_close(struct tz_auth *auth)
{
    free(auth);
}

void tz_auth_set_clock(struct tz_auth *auth, tz_auth_clock_fn fn, void *ctx)
{
    auth->clock = fn ? fn : real_clock;
    auth->clock_ctx = fn ? ctx : NULL;
}

int64_t tz_auth_now(const struct tz_auth *auth)
{
    return auth->clock(auth->clock_ctx);
}

struct tz_store *tz_auth_store(const struct tz_auth *auth)
{
    return auth->store;
}

const char *tz_auth_role_code(enum tz_auth_role role)
{
    return (unsigned)role < TZ_AUTH_ROLE_COUNT ? role_codes[role] : "unknown";
}

tz_err tz_auth_role_parse(const char *code, enum tz_auth_role *out)
{
    for (int r = 0; code && r < TZ_AUTH_ROLE_COUNT; r++) {
        if (strcmp(code, role_codes[r]) == 0) {
            *out = (enum tz_auth_role)r;
            return TZ_OK;
        }
    }
    return TZ_EINVAL;
}

const char *tz_audit_code(enum tz_audit_action action)
{
    return (unsigned)action < TZ_AUDIT_COUNT ? audit_codes[action] : "unknown";
}

const char *tz_auth_action_code(enum tz_auth_action action)
{
    return (unsigned)action < TZ_ACT_COUNT ? audit_codes[action_audit[action]] : "unknown";
}

enum tz_auth_scope tz_auth_scope_of(enum tz_auth_role role, enum tz_auth_action action)
{
    if ((unsigned)role >= TZ_AUTH_ROLE_COUNT || (unsigned)action >= TZ_ACT_COUNT)
        return TZ_SCOPE_NONE;
    return permissions[role][action];
}

static bool has_district(const struct tz_account_rec *a, const char *id)
{
    for (size_t i = 0; i < a->district_count; i++) {
        if (strcmp(a->districts[i], id) == 0)
            return true;
    }
    return false;
}

tz_err tz_auth_permit(const struct tz_principal *p, enum tz_auth_action action,
                      const char *district_id, const char *district_unit, const char *assignee)
{
    if (!p || p->account.disabled)
        return TZ_EFORBIDDEN;
    enum tz_auth_scope scope = tz_auth_scope_of(p->role, action);
    bool object = district_id || district_unit || (assignee && *assignee);
    switch (scope) {
    case TZ_SCOPE_ALL:
        return TZ_OK;
    case TZ_SCOPE_UNIT:
        if (!object)
            return p->account.unit[0] ? TZ_OK : TZ_EFORBIDDEN;
        return p->account.unit[0] && district_unit && strcmp(district_unit, p->account.unit) == 0
                   ? TZ_OK
                   : TZ_EFORBIDDEN;
    case TZ_SCOPE_OWN:
        if (!object)
            return TZ_OK;
        if (assignee && *assignee)
            return strcmp(assignee, p->account.name) == 0 ? TZ_OK : TZ_EFORBIDDEN;
        return district_id && has_district(&p->account, district_id) ? TZ_OK : TZ_EFORBIDDEN;
    default:
        return TZ_EFORBIDDEN;
    }
}

tz_err auth_principal(const struct tz_account_rec *rec, struct tz_principal *p)
{
    memset(p, 0, sizeof *p);
    p->account = *rec;
    sodium_memzero(p->account.password_hash, sizeof p->account.password_hash);
    sodium_memzero(p->account.totp_secret, sizeof p->account.totp_secret);
    return tz_auth_role_parse(rec->role, &p->role) ? TZ_EIO : TZ_OK;
}

void auth_hex(const uint8_t *data, size_t n, char *out)
{
    sodium_bin2hex(out, 2 * n + 1, data, n);
}

void auth_secret_hash(const uint8_t *secret, size_t n, uint8_t out[TZ_HASH_LEN])
{
    crypto_generichash(out, TZ_HASH_LEN, secret, n, NULL, 0);
}
