/*
 * diffusions.c - INTERPOL's diffusions: a request for cooperation or an alert
 * that a member sends straight to the members it chooses, not published to
 * all as a notice is. A diffusion is a message whose addressees are those
 * chosen partners; it follows the notices' lifecycle (notices.c): one this
 * node writes starts as a draft, is reviewed (the same neutrality check of
 * Art. 2 and 3 of INTERPOL's Constitution applies to diffusions) and is
 * published, that is sent, to its addressees only; one received is published
 * at receipt. Only its addressees' units read it (tz_exchange_get), and its
 * persons, documents and vehicles join those screening checks while it is
 * published.
 */
#include <stdio.h>
#include <string.h>

#include "exchange/internal.h"

void tz_exchange_check_diffusion(const struct tz_xnode_config *cfg, const struct tz_xmsg *m,
                                 struct tz_field_errors *errs)
{
    size_t partners = 0;
    size_t n = m->addressee_count < TZ_X_ADDRESSEES ? m->addressee_count : TZ_X_ADDRESSEES;
    for (size_t i = 0; i < n; i++) {
        const struct tz_xparty *a = &m->addressees[i];
        if (strcmp(a->node, cfg->node) != 0)
            partners++;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(a->node, m->addressees[j].node) == 0 &&
                strcmp(a->unit, m->addressees[j].unit) == 0) {
                char f[TZ_FIELD_NAME_MAX];
                snprintf(f, sizeof f, "/addressees/%zu", i);
                tz_fielderr_add(errs, f, "the same partner twice");
                break;
            }
        }
    }
    if (partners == 0)
        tz_fielderr_add(errs, "/addressees",
                        "a diffusion goes to the partners chosen for it: at least one of "
                        "another node");
}
