/*
 * case_write.c - a case as a whole, for the assistant: who may write to it
 * (tz_exchange_case_writable: a unit of the actor's that took part in it, as sender of one of
 * its messages or addressee of one it received; the permission is exchange.send for that unit,
 * as for sending a message in the case), and its readable messages read whole with one audit
 * entry naming them (tz_exchange_case_texts).
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

/* ---- a case read whole (tz_exchange_case_texts) ---- */

void tz_xcase_texts_free(struct tz_xcase_text *t, size_t n)
{
    for (size_t i = 0; t && i < n; i++)
        free(t[i].text);
    free(t);
}

/* The ids read, as the audit entry's fields: {"messages":[1,2,...]}; NULL when out of memory. */
static char *ids_field(const struct tz_xhead_rec *h, const bool *keep, size_t n)
{
    size_t size = 32 + n * 21, o = 0;
    char *f = malloc(size);
    if (!f)
        return NULL;
    o += (size_t)snprintf(f, size, "{\"messages\":[");
    for (size_t i = 0, k = 0; i < n; i++)
        if (keep[i])
            o += (size_t)snprintf(f + o, size - o, "%s%lld", k++ ? "," : "", (long long)h[i].id);
    snprintf(f + o, size - o, "]}");
    return f;
}

/* Which of the case's messages the actor may read, with their texts; *any: at least one. */
static tz_err readable(struct tz_exchange *x, const struct tz_xactor *who,
                       const struct tz_xhead_rec *h, size_t n, bool *keep, char **texts)
{
    tz_err err = TZ_OK;
    for (size_t i = 0; !err && i < n; i++) {
        struct tz_xmsg_rec rec = {0};
        if (!(err = tz_store_x_get_message(tz_x_store(x), h[i].id, NULL, &rec)) &&
            tz_x_may_read(x, who, &rec) == TZ_OK) {
            keep[i] = true;
            texts[i] = strdup(rec.text ? rec.text : "");
            if (!texts[i])
                err = TZ_ENOMEM;
        }
        tz_store_xmsg_free(&rec);
    }
    return err;
}

tz_err tz_exchange_case_texts(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                              struct tz_xcase_text **out, size_t *count, size_t *total)
{
    *out = NULL;
    *count = *total = 0;
    if (!x || !who || !who->p)
        return TZ_EINVAL;
    struct tz_xhead_rec *h = NULL;
    size_t n = 0;
    tz_err err = tz_store_x_case_messages(tz_x_store(x), id, NULL, &h, &n);
    bool *keep = err ? NULL : calloc(n ? n : 1, sizeof *keep);
    char **texts = err ? NULL : calloc(n ? n : 1, sizeof *texts);
    if (!err && (!keep || !texts))
        err = TZ_ENOMEM;
    if (!err)
        err = readable(x, who, h, n, keep, texts);
    size_t k = 0;
    for (size_t i = 0; !err && i < n; i++)
        k += keep[i];
    if (!err && k == 0)
        err = TZ_EFORBIDDEN;
    /* the read of the case, audited with the ids handed over, before anything is */
    char *fields = err ? NULL : ids_field(h, keep, n);
    if (!err && !fields)
        err = TZ_ENOMEM;
    if (!err) {
        char object[48];
        snprintf(object, sizeof object, "xcase/%lld", (long long)id);
        struct tz_audit_rec audit = tz_x_audit(x, who, TZ_AUDIT_EXCHANGE_READ, object);
        audit.fields = fields;
        struct tz_xhead_rec *again = NULL;
        size_t m = 0;
        err = tz_store_x_case_messages(tz_x_store(x), id, &audit, &again, &m);
        free(again);
    }
    free(fields);
    struct tz_xlines lines = {0};
    if (!err)
        err = tz_x_lines_of(h, n, tz_exchange_now(x), &lines);
    if (!err && !(*out = calloc(k, sizeof **out)))
        err = TZ_ENOMEM;
    for (size_t i = 0; !err && i < n; i++) {
        if (!keep[i])
            continue;
        struct tz_xcase_text *t = &(*out)[(*count)++];
        t->line = lines.items[i];
        t->text = texts[i];
        t->len = strlen(texts[i]);
        texts[i] = NULL;
    }
    if (!err)
        *total = n;
    tz_xlines_clear(&lines);
    for (size_t i = 0; texts && i < n; i++)
        free(texts[i]);
    free(texts);
    free(keep);
    free(h);
    if (err) {
        tz_xcase_texts_free(*out, *count);
        *out = NULL;
        *count = 0;
    }
    return err;
}
