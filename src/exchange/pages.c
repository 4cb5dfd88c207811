/*
 * pages.c - what the police web pages read beside a message: a notice with
 * its lifecycle state and the steps the reader may make (the transition
 * table of notices.c decides), and the Art. 16(d) cross-check hits of a
 * stored message read again. Both read the message through tz_exchange_get,
 * so the permission and the audited read are that of any message read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange/internal.h"

void tz_xnotice_view_clear(struct tz_xnotice_view *v)
{
    tz_xview_clear(&v->view);
    v->offer_count = 0;
}

tz_err tz_exchange_notice_get(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                              struct tz_xnotice_view *out)
{
    memset(out, 0, sizeof *out);
    out->state = -1;
    tz_err err = tz_exchange_get(x, who, id, &out->view);
    if (err)
        return err;
    char state[TZ_XS_CODE] = "";
    if (out->view.msg.type != TZ_XMSG_NOTICE)
        err = TZ_ENOTFOUND;
    else if (!(err = tz_store_x_notice_state(tz_x_store(x), id, state)) &&
             (out->state = tz_x_notice_state_parse(state)) < 0)
        err = TZ_EIO; /* a state no table knows: the store was written by someone else */
    if (err) {
        tz_xnotice_view_clear(out);
        return err;
    }
    out->offer_count = tz_x_notice_offers(who, &out->view, out->state, out->offers);
    return TZ_OK;
}

/* The entities of stored messages older than id that share a key of keys (owner: each key's
 * entity in the message), into out. */
static tz_err older_hits(struct tz_exchange *x, int64_t id, char (*keys)[TZ_X_KEY_MAX],
                         const size_t *owner, size_t n, struct tz_xhit *out, size_t max,
                         size_t *count)
{
    const char *ptrs[TZ_X_ENTITIES * TZ_X_KEYS];
    for (size_t k = 0; k < n; k++)
        ptrs[k] = keys[k];
    struct tz_xhit_rec *hits = NULL;
    size_t found = 0;
    tz_err err = tz_store_x_cross_check(tz_x_store(x), ptrs, n, &hits, &found);
    for (size_t h = 0; !err && h < found && *count < max; h++) {
        if (hits[h].message_id >= id) /* the message itself, or what came after it */
            continue;
        struct tz_xhit *o = &out[(*count)++];
        memset(o, 0, sizeof *o);
        snprintf(o->key, sizeof o->key, "%s", hits[h].key);
        o->message_id = hits[h].message_id;
        o->case_id = hits[h].case_id;
        for (size_t k = 0; k < n; k++)
            if (strcmp(keys[k], hits[h].key) == 0)
                o->entity = owner[k];
    }
    free(hits);
    return err;
}

tz_err tz_exchange_hits(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                        struct tz_xhit *out, size_t max, size_t *count)
{
    *count = 0;
    struct tz_xview v;
    tz_err err = tz_exchange_get(x, who, id, &v);
    if (err)
        return err;
    char(*keys)[TZ_X_KEY_MAX] = calloc(TZ_X_ENTITIES * TZ_X_KEYS, sizeof *keys);
    size_t owner[TZ_X_ENTITIES * TZ_X_KEYS];
    size_t n = 0;
    for (size_t i = 0; keys && i < v.msg.entity_count && i < TZ_X_ENTITIES; i++) {
        size_t k = tz_xentity_keys(&v.msg.entities[i], &keys[n]);
        for (size_t j = 0; j < k; j++)
            owner[n + j] = i;
        n += k;
    }
    if (!keys)
        err = TZ_ENOMEM;
    else if (n)
        err = older_hits(x, id, keys, owner, n, out, max, count);
    free(keys);
    tz_xview_clear(&v);
    return err;
}
