/*
 * passon.c - handling code H2 ("not to be passed on without the provider's
 * permission") through the doors: a provider's permission for a recipient is
 * recorded (audited), and a pass-on of a message's information to third
 * parties is checked against the recorded permissions
 * (tz_exchange_check_pass_on) before it is submitted; refused, nothing is
 * stored and the refusal names each recipient without permission.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange/internal.h"
#include "exchange/spoc.h"

/* A node's code: 2 to 31 capitals, digits and dashes ("FR", "DE-BKA", "INTERPOL"). */
static bool node_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 2 || n >= TZ_X_NODE_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

/* Message id as stored and as the exchange's struct, if who may read it. */
static tz_err readable(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                       struct tz_xmsg_rec *rec, struct tz_xmsg *m)
{
    tz_err err = tz_store_x_get_message(tz_x_store(x), id, NULL, rec);
    if (!err)
        err = tz_x_may_read(x, who, rec);
    if (!err)
        err = tz_x_from_rec(rec, m);
    return err;
}

tz_err tz_exchange_permit(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                          const char *to, struct tz_field_errors *errs)
{
    if (!node_ok(to)) {
        tz_fielderr_add(errs, "/to", "a node: 2 to 31 capitals, digits or dashes");
        return TZ_EINVAL;
    }
    struct tz_xmsg_rec rec = {0};
    struct tz_xmsg m;
    tz_xmsg_init(&m);
    tz_err err = readable(x, who, id, &rec, &m);
    if (!err && (!rec.inbound || m.handling != TZ_XH2)) {
        tz_fielderr_add(errs, "/to", "only a received H2 message needs its provider's permission");
        err = TZ_EINVAL;
    }
    if (!err && strcmp(to, m.originator.node) == 0) {
        tz_fielderr_add(errs, "/to", "the provider needs no permission of its own");
        err = TZ_EINVAL;
    }
    if (!err) {
        char object[64];
        snprintf(object, sizeof object, "xperm/%lld/%s", (long long)id, to);
        struct tz_audit_rec audit = tz_x_audit(x, who, TZ_AUDIT_EXCHANGE_SEND, object);
        err = tz_store_x_permit(tz_x_store(x), id, to, tz_exchange_now(x), who->p->account.name,
                                &audit);
    }
    tz_store_xmsg_free(&rec);
    tz_xmsg_clear(&m);
    return err;
}

tz_err tz_exchange_forward(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                           struct tz_xmsg *m, struct tz_xreceipt *out, struct tz_field_errors *errs)
{
    memset(out, 0, sizeof *out);
    struct tz_xmsg_rec rec = {0};
    struct tz_xmsg source;
    tz_xmsg_init(&source);
    char nodes[TZ_XS_PERMITS][TZ_XS_CODE];
    size_t n = 0;
    struct tz_xpermission perms[TZ_XS_PERMITS];
    tz_err err = readable(x, who, id, &rec, &source);
    if (!err)
        err = tz_store_x_permits(tz_x_store(x), id, nodes, &n);
    for (size_t i = 0; !err && i < n; i++) {
        perms[i].message_id = id;
        snprintf(perms[i].to, sizeof perms[i].to, "%s", nodes[i]);
    }
    if (!err && m->case_id == 0)
        m->case_id = rec.case_id;
    if (!err)
        err = tz_exchange_check_pass_on(tz_x_config(x), &source, m, perms, n, errs);
    if (!err)
        err = tz_exchange_submit(x, who, false, m, out, errs);
    tz_store_xmsg_free(&rec);
    tz_xmsg_clear(&source);
    return err;
}
