/*
 * api_addresses.c - GET /api/v1/addresses?q=&limit=: the address search
 * of the report form (public, under the same connection limits as the rest
 * of the public API). Reads the query string into the search's arguments,
 * refuses a bad one as a problem with per-field errors, and writes the hits.
 */
#include <string.h>

#include "address/address.h"
#include "base/jsonw.h"
#include "base/num.h"
#include "http/internal.h"

#define ADDRESSES_BODY_MAX (64u * 1024)

/* Reads q and limit from the query string; false with errs for a bad, missing or unknown one. */
static bool read_params(struct request *req, const char **q, size_t *limit,
                        struct tz_field_errors *errs)
{
    struct tz_query_param params[TZ_HTTP_MAX_QUERY_PARAMS];
    size_t n = 0;
    if (!http_query_params(req, params, &n)) {
        tz_fielderr_add(errs, "query", "more than %d parameters", TZ_HTTP_MAX_QUERY_PARAMS);
        return false;
    }
    *q = NULL;
    *limit = TZ_ADDRESS_LIMIT_DEFAULT;
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key, *v = params[i].value ? params[i].value : "";
        int64_t l = 0;
        if (strcmp(k, "q") == 0 && !*q)
            *q = v;
        else if (strcmp(k, "limit") == 0 &&
                 tz_num_parse_i64(v, strlen(v), 1, TZ_ADDRESS_LIMIT_MAX, &l) == TZ_OK)
            *limit = (size_t)l;
        else if (strcmp(k, "limit") == 0)
            tz_fielderr_add(errs, "limit", "a whole number from 1 to %d", TZ_ADDRESS_LIMIT_MAX);
        else
            tz_fielderr_add(errs, k, "unknown or repeated parameter (q, limit)");
    }
    if (!*q || !**q)
        tz_fielderr_add(errs, "q", "the address to look for: a street, a number, a locality");
    else if (strlen(*q) > TZ_ADDRESS_QUERY_MAX)
        tz_fielderr_add(errs, "q", "longer than %d bytes", TZ_ADDRESS_QUERY_MAX);
    return errs->count == 0 && errs->dropped == 0;
}

/* {"addresses":[{"street","number","locality","postcode","lon","lat","typo"}...]} */
static tz_err render(const struct tz_address_hit *hits, size_t n, struct tz_buf *b)
{
    struct tz_jw w;
    tz_jw_begin(&w, b);
    tz_jw_object(&w);
    tz_jw_key(&w, "addresses");
    tz_jw_array(&w);
    for (size_t i = 0; i < n; i++) {
        const struct tz_address_rec *a = &hits[i].addr;
        tz_jw_object(&w);
        tz_jw_kstr(&w, "street", a->street);
        tz_jw_kstr(&w, "number", a->number);
        tz_jw_kstr(&w, "locality", a->locality);
        tz_jw_kstr(&w, "postcode", a->postcode);
        tz_jw_key(&w, "lon");
        tz_jw_fixed6(&w, a->lon);
        tz_jw_key(&w, "lat");
        tz_jw_fixed6(&w, a->lat);
        tz_jw_kbool(&w, "typo", hits[i].edits > 0);
        tz_jw_object_end(&w);
    }
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

void http_put_nearest_address(struct tz_jw *w, const struct tz_address_index *ix, double lat,
                              double lon)
{
    struct tz_address_hit hit;
    double m = 0;
    tz_jw_key(w, "nearest_address");
    if (!ix || tz_address_nearest(ix, lat, lon, HTTP_NEAREST_MAX_M, &hit, &m) != TZ_OK) {
        tz_jw_null(w);
        return;
    }
    tz_jw_object(w);
    tz_jw_kstr(w, "street", hit.addr.street);
    tz_jw_kstr(w, "number", hit.addr.number);
    tz_jw_kstr(w, "locality", hit.addr.locality);
    tz_jw_kstr(w, "postcode", hit.addr.postcode);
    tz_jw_kint(w, "distance_m", (int64_t)(m + 0.5));
    tz_jw_object_end(w);
}

enum MHD_Result api_addresses(struct request *req)
{
    struct tz_field_errors errs = {0};
    const char *q = NULL;
    size_t limit = 0, n = 0;
    struct tz_address_hit hits[TZ_ADDRESS_LIMIT_MAX];
    if (!read_params(req, &q, &limit, &errs))
        return http_respond_status_problem(req, 400, "bad query parameters", &errs);
    if (!req->srv->addresses)
        return http_respond_status_problem(req, 503, "no address register is loaded", NULL);
    tz_err err = tz_address_search(req->srv->addresses, q, strlen(q), limit, hits, &n);
    if (err == TZ_EINVAL) {
        tz_fielderr_add(&errs, "q", "not UTF-8 text, or no street in it");
        return http_respond_status_problem(req, 400, "bad query parameters", &errs);
    }
    struct tz_buf b;
    tz_buf_init(&b, ADDRESSES_BODY_MAX);
    if (err || (err = render(hits, n, &b))) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, MHD_HTTP_OK, &b);
}
