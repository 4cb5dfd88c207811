/*
 * case_write.c - who may write to a case (tz_exchange_case_writable): a unit of the actor's
 * that took part in it, as sender of one of its messages or addressee of one it received; the
 * permission is exchange.send for that unit, as for sending a message in the case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange/internal.h"

/* The unit of rec the actor may send for, or NULL. */
static const char *unit_of(const struct tz_xactor *who, const struct tz_xmsg_rec *rec)
{
    if (!rec->inbound)
        return tz_auth_permit(who->p, TZ_ACT_EXCHANGE_SEND, NULL, rec->from_unit, NULL) == TZ_OK
                   ? rec->from_unit
                   : NULL;
    for (size_t i = 0; i < rec->addressee_count; i++) {
        const char *u = rec->addressees[i].unit;
        if (u[0] && tz_auth_permit(who->p, TZ_ACT_EXCHANGE_SEND, NULL, u, NULL) == TZ_OK)
            return u;
    }
    return NULL;
}

tz_err tz_exchange_case_writable(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                                 char unit[TZ_X_UNIT_MAX])
{
    if (unit)
        unit[0] = '\0';
    if (!x || !who || !who->p)
        return TZ_EINVAL;
    struct tz_xhead_rec *heads = NULL;
    size_t n = 0;
    tz_err err = tz_store_x_case_messages(tz_x_store(x), id, NULL, &heads, &n);
    bool allowed = false;
    for (size_t i = 0; !err && !allowed && i < n; i++) {
        struct tz_xmsg_rec rec = {0};
        if (!(err = tz_store_x_get_message(tz_x_store(x), heads[i].id, NULL, &rec))) {
            const char *u = unit_of(who, &rec);
            if (u && unit)
                snprintf(unit, TZ_X_UNIT_MAX, "%s", u);
            allowed = u != NULL;
        }
        tz_store_xmsg_free(&rec);
    }
    free(heads);
    if (!err && n == 0)
        err = TZ_ENOTFOUND;
    return err ? err : allowed ? TZ_OK : TZ_EFORBIDDEN;
}
