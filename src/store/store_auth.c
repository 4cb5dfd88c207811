/*
 * store_auth.c - the public functions of store.h for accounts, sessions, API
 * tokens and the audit log, and the audit chain's hash.
 *
 * Like store.c they check their arguments and hand over to the backend; the
 * hash lives here, not in a backend, because every backend and the verifier
 * (src/auth) must compute exactly the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/backend.h"
#include "store/store.h"

#define AUDIT_DOMAIN "tarcza-audit-v1"

static void hash_u64(crypto_generichash_state *h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    crypto_generichash_update(h, b, sizeof b);
}

/* A text field: a presence byte, its length, its bytes (so NULL, "" and "a","b" vs "ab" differ). */
static void hash_text(crypto_generichash_state *h, const char *s)
{
    uint8_t present = s != NULL;
    crypto_generichash_update(h, &present, 1);
    size_t n = s ? strlen(s) : 0;
    hash_u64(h, n);
    if (n)
        crypto_generichash_update(h, (const unsigned char *)s, n);
}

void tz_store_audit_hash(const struct tz_audit_rec *r, const uint8_t prev[TZ_HASH_LEN],
                         uint8_t out[TZ_HASH_LEN])
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, TZ_HASH_LEN);
    crypto_generichash_update(&h, (const unsigned char *)AUDIT_DOMAIN, sizeof AUDIT_DOMAIN - 1);
    crypto_generichash_update(&h, prev, TZ_HASH_LEN);
    hash_u64(&h, (uint64_t)r->seq);
    hash_u64(&h, (uint64_t)r->at);
    hash_text(&h, r->actor);
    hash_text(&h, r->role);
    hash_text(&h, r->client);
    hash_text(&h, r->action);
    hash_text(&h, r->object);
    hash_text(&h, r->fields);
    hash_text(&h, r->note);
    hash_text(&h, r->outcome);
    crypto_generichash_final(&h, out, TZ_HASH_LEN);
}

static bool fits(const char *s, size_t cap)
{
    return s && memchr(s, '\0', cap) != NULL;
}

static bool audit_ok(const struct tz_audit_rec *a)
{
    return !a || (a->actor && a->action && a->outcome);
}

static bool account_ok(const struct tz_account_rec *r)
{
    if (!fits(r->name, sizeof r->name) || !r->name[0] || !fits(r->role, sizeof r->role) ||
        !fits(r->unit, sizeof r->unit) || !fits(r->password_hash, sizeof r->password_hash) ||
        r->district_count > TZ_ACCOUNT_DISTRICTS_MAX)
        return false;
    for (size_t i = 0; i < r->district_count; i++) {
        if (!fits(r->districts[i], TZ_ID_MAX))
            return false;
    }
    return true;
}

tz_err tz_store_account_put(struct tz_store *store, struct tz_account_rec *rec,
                            const struct tz_audit_rec *audit)
{
    if (!store || !rec || !account_ok(rec) || !audit_ok(audit))
        return TZ_EINVAL;
    return store->ops->account_put(store, rec, audit);
}

tz_err tz_store_account_get(struct tz_store *store, const char *name, int64_t id,
                            struct tz_account_rec *out)
{
    if (!store || !out || (!id && !fits(name, TZ_ACCOUNT_NAME_MAX)))
        return store && out && !id && name ? TZ_ENOTFOUND : TZ_EINVAL;
    memset(out, 0, sizeof *out);
    return store->ops->account_get(store, id ? NULL : name, id, out);
}

tz_err tz_store_accounts(struct tz_store *store, struct tz_account_rec **out, size_t *count)
{
    if (!store || !out || !count)
        return TZ_EINVAL;
    *out = NULL;
    *count = 0;
    return store->ops->accounts(store, out, count);
}

tz_err tz_store_account_login(struct tz_store *store, struct tz_login_update *upd,
                              const struct tz_audit_rec *audit)
{
    if (!store || !upd || !audit_ok(audit))
        return TZ_EINVAL;
    return store->ops->account_login(store, upd, audit);
}

tz_err tz_store_session_put(struct tz_store *store, const struct tz_session_rec *rec, bool is_token,
                            const char *label, const struct tz_audit_rec *audit)
{
    if (!store || !rec || !fits(rec->client, sizeof rec->client) || !audit_ok(audit) ||
        (is_token && !label))
        return TZ_EINVAL;
    return store->ops->session_put(store, rec, is_token, label, audit);
}

tz_err tz_store_session_get(struct tz_store *store, const uint8_t id_hash[TZ_HASH_LEN],
                            bool is_token, struct tz_session_rec *out)
{
    if (!store || !id_hash || !out)
        return TZ_EINVAL;
    memset(out, 0, sizeof *out);
    return store->ops->session_get(store, id_hash, is_token, out);
}

tz_err tz_store_session_touch(struct tz_store *store, const uint8_t id_hash[TZ_HASH_LEN],
                              int64_t at)
{
    if (!store || !id_hash)
        return TZ_EINVAL;
    return store->ops->session_touch(store, id_hash, at);
}

tz_err tz_store_session_end(struct tz_store *store, const uint8_t *id_hash, int64_t account_id,
                            const struct tz_audit_rec *audit)
{
    if (!store || (!id_hash && !account_id) || !audit_ok(audit))
        return TZ_EINVAL;
    return store->ops->session_end(store, id_hash, account_id, audit);
}

tz_err tz_store_audit_append(struct tz_store *store, struct tz_audit_rec *rec)
{
    if (!store || !rec || !audit_ok(rec))
        return TZ_EINVAL;
    return store->ops->audit_append(store, rec);
}

tz_err tz_store_audit_read(struct tz_store *store, int64_t after_seq, size_t limit,
                           struct tz_audit_rec **out, size_t *count)
{
    if (!store || !out || !count || limit == 0 || limit > TZ_STORE_LIST_MAX)
        return TZ_EINVAL;
    *out = NULL;
    *count = 0;
    return store->ops->audit_read(store, after_seq, limit, out, count);
}

void tz_audit_recs_free(struct tz_audit_rec *recs, size_t count)
{
    for (size_t i = 0; recs && i < count; i++) {
        free((char *)recs[i].actor);
        free((char *)recs[i].role);
        free((char *)recs[i].client);
        free((char *)recs[i].action);
        free((char *)recs[i].object);
        free((char *)recs[i].fields);
        free((char *)recs[i].note);
        free((char *)recs[i].outcome);
    }
    free(recs);
}

tz_err tz_store_institutions(struct tz_store *store, struct tz_group_rec **out, size_t *count)
{
    if (!store || !out || !count)
        return TZ_EINVAL;
    *out = NULL;
    *count = 0;
    return store->ops->institutions(store, out, count);
}

tz_err tz_store_review_description(struct tz_store *store, int64_t report_id, const char *text,
                                   const struct tz_audit_rec *audit)
{
    if (!store || report_id <= 0 || !audit_ok(audit))
        return TZ_EINVAL;
    return store->ops->review_description(store, report_id, text, audit);
}

tz_err tz_store_assign_report(struct tz_store *store, int64_t report_id, const char *account,
                              int64_t at, const struct tz_audit_rec *audit)
{
    if (!store || report_id <= 0 || (account && !fits(account, TZ_ACCOUNT_NAME_MAX)) ||
        !audit_ok(audit))
        return TZ_EINVAL;
    return store->ops->assign_report(store, report_id, account, at, audit);
}

tz_err tz_store_report_assignee(struct tz_store *store, int64_t report_id,
                                char out[TZ_ACCOUNT_NAME_MAX])
{
    if (!store || !out)
        return TZ_EINVAL;
    out[0] = '\0';
    return store->ops->report_assignee(store, report_id, out);
}

tz_err tz_store_queue(struct tz_store *store, const char (*districts)[TZ_ID_MAX],
                      size_t district_count, const char *account, size_t limit,
                      struct tz_report_rec **out, size_t *count)
{
    if (!store || !out || !count || (district_count && !districts) ||
        district_count > TZ_STORE_LIST_MAX || limit == 0 || limit > TZ_STORE_LIST_MAX)
        return TZ_EINVAL;
    *out = NULL;
    *count = 0;
    return store->ops->queue(store, districts, district_count, account, limit, out, count);
}

tz_err tz_store_compliance(struct tz_store *store, const char (*districts)[TZ_ID_MAX],
                           size_t district_count, int64_t now, struct tz_compliance_rec **out,
                           size_t *count)
{
    if (!store || !out || !count || (district_count && !districts) ||
        district_count > TZ_STORE_LIST_MAX)
        return TZ_EINVAL;
    *out = NULL;
    *count = 0;
    return store->ops->compliance(store, districts, district_count, now, out, count);
}
