/*
 * notice_subject.c - one subject of a published notice with the notice's owner and case: what
 * a screening hit on it names ("notices/<message id>/<entity ref>"), so that the hit can become
 * a request to the notice's owner in the notice's case (tz_screening_hit_message).
 *
 * No permission is checked and nothing is audited here: every officer screens against every
 * published notice, and the caller (screening) checks its own permission and audits the use in
 * the transaction of what it does with it.
 */
#include <stdio.h>
#include <string.h>

#include "exchange/internal.h"

tz_err tz_exchange_published_subject(struct tz_exchange *x, int64_t id, const char *ref,
                                     struct tz_xnotice_owner *out)
{
    memset(out, 0, sizeof *out);
    tz_xmsg_init(&out->notice);
    char state[TZ_XS_CODE] = "";
    tz_err err = tz_store_x_notice_state(tz_x_store(x), id, state);
    if (!err && tz_x_notice_state_parse(state) != TZ_XNS_PUBLISHED)
        err = TZ_ENOTFOUND; /* a draft, or cancelled or expired since the hit */
    struct tz_xmsg_rec rec = {0};
    if (!err && !(err = tz_store_x_get_message(tz_x_store(x), id, NULL, &rec))) {
        err = tz_x_from_rec(&rec, &out->notice);
        out->case_id = rec.case_id;
        out->inbound = rec.inbound != 0;
    }
    tz_store_xmsg_free(&rec);
    if (!err && out->notice.type != TZ_XMSG_NOTICE)
        err = TZ_ENOTFOUND;
    out->entity = -1;
    for (size_t i = 0; !err && i < out->notice.entity_count; i++)
        if (strcmp(out->notice.entities[i].ref, ref) == 0)
            out->entity = (int)i;
    if (!err && out->entity < 0)
        err = TZ_ENOTFOUND;
    if (err)
        tz_xnotice_owner_clear(out);
    return err;
}

void tz_xnotice_owner_clear(struct tz_xnotice_owner *o)
{
    tz_xmsg_clear(&o->notice);
    memset(o, 0, sizeof *o);
    o->entity = -1;
}
