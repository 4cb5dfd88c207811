/*
 * offline.c - the offline copy's two ends in the service: the state of every record screened
 * against, taken from the store and the published notices (audited), and a service that
 * answers from a state alone (no store, no audit, never refreshed); the key files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "exchange/exchange.h"
#include "screening/snapshot_internal.h"

/* ---- key files ---- */

/* Reads the first line of path (at most cap - 1 bytes) into buf, line end cut. */
static tz_err first_line(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return TZ_ENOTFOUND;
    bool ok = fgets(buf, (int)cap, f) != NULL;
    fclose(f);
    if (!ok)
        return TZ_EINVAL;
    buf[strcspn(buf, "\r\n")] = '\0';
    return TZ_OK;
}

tz_err tz_snap_secret_key(const char *path, uint8_t sk[64], uint8_t pk[32])
{
    char hex[2 * crypto_sign_SECRETKEYBYTES + 4] = {0};
    size_t n = 0;
    tz_err err = first_line(path, hex, sizeof hex);
    if (!err &&
        (sodium_hex2bin(sk, crypto_sign_SECRETKEYBYTES, hex, strlen(hex), NULL, &n, NULL) != 0 ||
         n != crypto_sign_SECRETKEYBYTES))
        err = TZ_EINVAL;
    if (!err)
        crypto_sign_ed25519_sk_to_pk(pk, sk);
    sodium_memzero(hex, sizeof hex);
    return err;
}

tz_err tz_snap_public_key(const char *path, uint8_t pk[32])
{
    char hex[2 * crypto_sign_PUBLICKEYBYTES + 4] = {0};
    size_t n = 0;
    tz_err err = first_line(path, hex, sizeof hex);
    if (!err &&
        (sodium_hex2bin(pk, crypto_sign_PUBLICKEYBYTES, hex, strlen(hex), NULL, &n, NULL) != 0 ||
         n != crypto_sign_PUBLICKEYBYTES))
        err = TZ_EINVAL;
    return err;
}

void tz_snap_wipe(void *p, size_t n)
{
    sodium_memzero(p, n);
}

/* ---- the state of the service ---- */

static tz_err snap_person(void *ctx, const struct tz_watch_person_rec *r)
{
    tz_err err = tz_snap_add_person(ctx, r);
    return err == TZ_EINVAL ? TZ_OK : err; /* a row no snapshot can hold: left out */
}

static tz_err snap_doc(void *ctx, const struct tz_watch_doc_rec *d)
{
    tz_err err = tz_snap_add_doc(ctx, d);
    return err == TZ_EINVAL ? TZ_OK : err;
}

static tz_err snap_vehicle(void *ctx, const struct tz_watch_vehicle_rec *v)
{
    tz_err err = tz_snap_add_vehicle(ctx, v);
    return err == TZ_EINVAL ? TZ_OK : err;
}

tz_err tz_screening_snapshot(struct tz_screening *s, const struct tz_auth_who *who,
                             struct tz_snap_state **out, struct tz_snap_info *info)
{
    *out = NULL;
    memset(info, 0, sizeof *info);
    if (s->offline)
        return TZ_EINVAL;
    if (who->p && tz_auth_permit(who->p, TZ_ACT_SCREENING, NULL, NULL, NULL) != TZ_OK) {
        tz_err err = tz_screening_audit(s, who, "screening/snapshot", NULL, NULL, true);
        return err ? err : TZ_EFORBIDDEN;
    }
    struct tz_snap_state *st = NULL;
    tz_err err = tz_snap_state_new(&st);
    if (!err)
        err = tz_store_watchlist_version(tz_auth_store(s->auth), &info->lists_version);
    info->notices = s->exchange ? tz_exchange_notices_version(s->exchange) : 0;
    struct tz_screen_visitor v = {st, snap_person, snap_doc, snap_vehicle};
    if (!err)
        err = tz_screening_visit(s, &v);
    size_t count = 0;
    uint8_t digest[TZ_SNAP_DIGEST];
    if (!err)
        err = tz_snap_state_count(st, &count);
    if (!err)
        err = tz_snap_state_digest(st, digest);
    if (!err) {
        char hex[2 * TZ_SNAP_DIGEST + 1], fields[256];
        sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
        snprintf(fields, sizeof fields, "{\"records\":%zu,\"state\":\"%s\",\"lists\":%lld}", count,
                 hex, (long long)info->lists_version);
        err = tz_screening_audit(s, who, "screening/snapshot", fields, NULL, false);
    }
    if (err) {
        tz_snap_state_free(st);
        return err;
    }
    *out = st;
    return TZ_OK;
}

/* ---- a service over a state ---- */

static tz_err gather_person(void *ctx, const struct tz_watch_person_rec *r)
{
    return tz_screen_gather_person(ctx, r);
}

static tz_err gather_doc(void *ctx, const struct tz_watch_doc_rec *d)
{
    return tz_screen_gather_doc(ctx, d);
}

static tz_err gather_vehicle(void *ctx, const struct tz_watch_vehicle_rec *v)
{
    return tz_screen_gather_vehicle(ctx, v);
}

tz_err tz_screening_open_offline(struct tz_snap_state *st, const struct tz_screen_config *cfg,
                                 struct tz_screening **out)
{
    struct tz_screening *s = NULL;
    struct tz_screen_gather g;
    tz_err err = tz_screening_open(NULL, cfg, &s);
    if (!err && !(err = tz_screen_gather_init(&g))) {
        struct tz_screen_visitor v = {&g, gather_person, gather_doc, gather_vehicle};
        if ((err = tz_snap_visit(st, &v)))
            tz_screen_gather_clear(&g);
        else
            err = tz_screen_gather_finish(&g, &s->ix, &s->objects);
    }
    if (err) {
        tz_screening_close(s);
        return err;
    }
    s->offline = true, s->version = 0;
    *out = s;
    return TZ_OK;
}

tz_err tz_screening_offline_person(struct tz_screening *s, const struct tz_screen_person_query *in,
                                   struct tz_field_errors *errs, struct tz_screen_answer *out)
{
    struct tz_screen_query q;
    memset(out, 0, sizeof *out);
    out->threshold = s->cfg.threshold;
    tz_screening_read_person(in, "", &q, errs);
    tz_screening_check_reason(in->reason, errs);
    if (errs->count)
        return TZ_EINVAL;
    tz_err err = tz_screening_find_person(s, &q, out);
    if (err)
        tz_screen_answer_clear(out);
    return err;
}

/* A document or vehicle: the fields read (with the reason), then searched. */
static tz_err offline_obj(struct tz_screening *s, bool vehicle, const void *q, const char *reason,
                          struct tz_field_errors *errs, struct tz_screen_obj_answer *out)
{
    tz_err err = vehicle ? tz_screening_find_vehicle(NULL, q, "", errs, out)
                         : tz_screening_find_document(NULL, q, "", errs, out);
    tz_screening_check_reason(reason, errs);
    if (errs->count) {
        tz_screen_obj_answer_clear(out);
        return TZ_EINVAL;
    }
    err = vehicle ? tz_screening_find_vehicle(s, q, "", errs, out)
                  : tz_screening_find_document(s, q, "", errs, out);
    if (err)
        tz_screen_obj_answer_clear(out);
    return err;
}

tz_err tz_screening_offline_document(struct tz_screening *s, const struct tz_screen_doc_query *q,
                                     struct tz_field_errors *errs, struct tz_screen_obj_answer *out)
{
    return offline_obj(s, false, q, q->reason, errs, out);
}

tz_err tz_screening_offline_vehicle(struct tz_screening *s, const struct tz_screen_vehicle_query *q,
                                    struct tz_field_errors *errs, struct tz_screen_obj_answer *out)
{
    return offline_obj(s, true, q, q->reason, errs, out);
}
