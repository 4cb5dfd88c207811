/*
 * proj.c - WGS 84 to EPSG:2180 (PUWG 1992, the Polish national grid in
 * metres) and back, through PROJ. A PJ and its context are not thread-safe,
 * so each caller opens its own; a batch goes through proj_trans_generic.
 */
#include <math.h>
#include <proj.h>
#include <stdlib.h>

#include "analysis/analysis.h"

struct tz_proj {
    PJ_CONTEXT *ctx;
    PJ *pj;
};

tz_err tz_proj_open(struct tz_proj **out)
{
    *out = NULL;
    struct tz_proj *p = calloc(1, sizeof *p);
    if (!p)
        return TZ_ENOMEM;
    tz_err err = TZ_EIO;
    p->ctx = proj_context_create();
    if (!p->ctx)
        goto done;
    proj_log_level(p->ctx, PJ_LOG_NONE);
    PJ *raw = proj_create_crs_to_crs(p->ctx, "EPSG:4326", "EPSG:2180", NULL);
    if (!raw)
        goto done;
    /* Longitude first in, easting first out, whatever the CRSs' axis order. */
    p->pj = proj_normalize_for_visualization(p->ctx, raw);
    proj_destroy(raw);
    if (p->pj)
        err = TZ_OK;
done:
    if (err) {
        tz_proj_close(p);
        return err;
    }
    *out = p;
    return TZ_OK;
}

static tz_err trans(struct tz_proj *p, PJ_DIRECTION dir, double *x, double *y, size_t n)
{
    if (n == 0)
        return TZ_OK;
    size_t done =
        proj_trans_generic(p->pj, dir, x, sizeof *x, n, y, sizeof *y, n, NULL, 0, 0, NULL, 0, 0);
    /* A point PROJ cannot transform comes back as HUGE_VAL; callers skip non-finite ones. */
    return done == n ? TZ_OK : TZ_EINVAL;
}

tz_err tz_proj_forward(struct tz_proj *p, double *x, double *y, size_t n)
{
    return trans(p, PJ_FWD, x, y, n);
}

tz_err tz_proj_inverse(struct tz_proj *p, double *x, double *y, size_t n)
{
    return trans(p, PJ_INV, x, y, n);
}

void tz_proj_close(struct tz_proj *p)
{
    if (!p)
        return;
    if (p->pj)
        proj_destroy(p->pj);
    if (p->ctx)
        proj_context_destroy(p->ctx);
    free(p);
}
