/*
 * district.c - who works where: which officer holds a district (DESIGN 1.1
 * routing: a report goes to its district's officer), and to whom work may be
 * handed (an officer of the supervisor's own unit). A supervisor hands a district of
 * their unit to an officer of their unit; the district leaves whoever held it
 * before, all in one store transaction with its audit entry (district.assign),
 * so it never has two officers or none in between. A refusal is audited too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/internal.h"

bool tz_auth_works_in_scope(const struct tz_principal *p, enum tz_auth_action action,
                            const struct tz_account_rec *rec, tz_auth_unit_fn unit_of, void *ctx)
{
    for (size_t k = 0; k < rec->district_count; k++) {
        const char *unit = unit_of ? unit_of(ctx, rec->districts[k]) : NULL;
        if (tz_auth_permit(p, action, rec->districts[k], unit ? unit : "", NULL) != TZ_OK)
            return false;
    }
    return tz_auth_scope_of(p->role, action) == TZ_SCOPE_ALL || !rec->unit[0] ||
           strcmp(rec->unit, p->account.unit) == 0;
}

tz_err tz_auth_assignee_check(struct tz_auth *auth, const struct tz_principal *p,
                              enum tz_auth_action action, const char *name, tz_auth_unit_fn unit_of,
                              void *ctx, struct tz_field_errors *errs)
{
    struct tz_account_rec rec;
    enum tz_auth_role role = TZ_AUTH_ADMIN;
    tz_err err = TZ_OK;
    if (!name || tz_store_account_get(auth->store, name, 0, &rec) != TZ_OK) {
        tz_fielderr_add(errs, "/officer", "not an enabled officer's account");
        return TZ_EINVAL;
    }
    if (rec.disabled || tz_auth_role_parse(rec.role, &role) ||
        (role != TZ_AUTH_OFFICER && role != TZ_AUTH_SUPERVISOR)) {
        tz_fielderr_add(errs, "/officer", "not an enabled officer's account");
        err = TZ_EINVAL;
    } else if (!tz_auth_works_in_scope(p, action, &rec, unit_of, ctx)) {
        tz_fielderr_add(errs, "/officer", "this officer works in another unit");
        err = TZ_EINVAL;
    }
    sodium_memzero(&rec, sizeof rec);
    return err;
}

static bool holds(const struct tz_account_rec *a, const char *district_id)
{
    for (size_t k = 0; k < a->district_count; k++) {
        if (strcmp(a->districts[k], district_id) == 0)
            return true;
    }
    return false;
}

/* {"district": id, "officer": name, "from": [the other accounts that held it]} */
static tz_err assign_fields(struct tz_auth *auth, const char *district_id, const char *officer,
                            struct tz_buf *f)
{
    struct tz_account_rec *all = NULL;
    size_t n = 0;
    tz_err err = tz_auth_accounts(auth, &all, &n);
    if (!err)
        err = tz_buf_puts(f, "{\"district\":");
    if (!err)
        err = tz_buf_json_cstr(f, district_id);
    if (!err)
        err = tz_buf_puts(f, ",\"officer\":");
    if (!err)
        err = tz_buf_json_cstr(f, officer);
    if (!err)
        err = tz_buf_puts(f, ",\"from\":[");
    bool first = true;
    for (size_t i = 0; !err && i < n; i++) {
        if (strcmp(all[i].name, officer) == 0 || !holds(&all[i], district_id))
            continue;
        err = first ? TZ_OK : tz_buf_puts(f, ",");
        first = false;
        if (!err)
            err = tz_buf_json_cstr(f, all[i].name);
    }
    if (!err)
        err = tz_buf_puts(f, "]}");
    if (all)
        sodium_memzero(all, n * sizeof *all);
    free(all);
    return err;
}

/* The checks of tz_auth_district_assign; why says what was refused. */
static tz_err check(const struct tz_auth_who *who, const char *district_id,
                    const char *district_unit, const struct tz_account_rec *target, bool found,
                    tz_auth_unit_fn unit_of, void *ctx, struct tz_field_errors *errs,
                    const char **why)
{
    if (!who->p || tz_auth_permit(who->p, TZ_ACT_DISTRICT_ASSIGN, district_id,
                                  district_unit ? district_unit : "", NULL) != TZ_OK) {
        *why = "outside the caller's unit";
        tz_fielderr_add(errs, "/district", "this district is outside your unit");
        return TZ_EFORBIDDEN;
    }
    enum tz_auth_role role;
    if (!found || tz_auth_role_parse(target->role, &role) || role != TZ_AUTH_OFFICER ||
        target->disabled) {
        *why = "not an enabled officer's account";
        tz_fielderr_add(errs, "/officer", "not an enabled officer's account");
        return TZ_EINVAL;
    }
    /* The officer must work in the caller's scope: every district they hold one the caller
     * may assign. */
    if (!tz_auth_works_in_scope(who->p, TZ_ACT_DISTRICT_ASSIGN, target, unit_of, ctx)) {
        *why = "officer of another unit";
        tz_fielderr_add(errs, "/officer", "this officer works in another unit");
        return TZ_EFORBIDDEN;
    }
    if (!holds(target, district_id) && target->district_count >= TZ_ACCOUNT_DISTRICTS_MAX) {
        *why = "the officer holds the most districts allowed";
        tz_fielderr_add(errs, "/officer", "this officer already has the most districts allowed");
        return TZ_EINVAL;
    }
    return TZ_OK;
}

tz_err tz_auth_district_assign(struct tz_auth *auth, const struct tz_auth_who *who,
                               const char *district_id, const char *district_unit,
                               const char *officer, tz_auth_unit_fn unit_of, void *ctx,
                               struct tz_field_errors *errs)
{
    if (!auth || !who || !district_id || !*district_id || strlen(district_id) >= TZ_ID_MAX)
        return TZ_EINVAL;
    char object[TZ_ID_MAX + 16];
    snprintf(object, sizeof object, "district/%s", district_id);
    struct tz_account_rec target = {0};
    bool found = officer && tz_store_account_get(auth->store, officer, 0, &target) == TZ_OK;
    const char *why = NULL;
    struct tz_buf f;
    tz_buf_init(&f, 16u * 1024);
    tz_err err = check(who, district_id, district_unit, &target, found, unit_of, ctx, errs, &why);
    if (err) {
        char fields[TZ_ACCOUNT_NAME_MAX + 32];
        snprintf(fields, sizeof fields, "{\"officer\":\"%s\"}", found ? target.name : "?");
        tz_err e = tz_auth_audit_refusal(auth, who, TZ_AUDIT_DISTRICT_ASSIGN, object, fields, why);
        err = e ? e : err;
        goto done;
    }
    if ((err = assign_fields(auth, district_id, target.name, &f)))
        goto done;
    struct tz_audit_rec a = tz_auth_audit_entry(auth, who->p, who->actor, who->client,
                                                tz_audit_code(TZ_AUDIT_DISTRICT_ASSIGN), object);
    a.fields = f.data;
    err = tz_store_district_assign(auth->store, district_id, target.id, &a);
done:
    tz_buf_free(&f);
    sodium_memzero(&target, sizeof target);
    return err;
}
