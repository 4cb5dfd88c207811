/*
 * fuzz_query.c - libFuzzer harness of the query strings of GET /api/v1/reports
 * (tz_http_list_json) and GET /api/v1/map (tz_http_map_json), read by http
 * (tz_http_public_query, http/query_map.c) with threatmap's rules.
 *
 * The input is a query string as it follows the '?'. It is split the way
 * libmicrohttpd splits one for the HTTP layer: pairs separated by '&', the key
 * before the first '=', a key without '=' has no value (NULL), '+' is a space
 * and %HH a byte (a malformed escape stays as it is), and a decoded NUL ends
 * the string. More than MAX_PARAMS pairs is refused before the threat map
 * sees them (the HTTP layer answers 400), so such an input is skipped.
 *
 * Both queries run on the same parameters against a fixture of demo reports.
 * What must hold, beyond "no crash, no leak, no undefined behaviour":
 *   - TZ_EINVAL: at least one field error, each valid UTF-8 (they go back in
 *     the 400 problem document); no other error at all.
 *   - TZ_OK, the list: valid JSON, an object with an "items" array of at most
 *     TZ_LIST_PAGE_MAX reports, none rejected or of a category the public
 *     never sees, each inside the bbox and received in [from, to);
 *     "next_cursor" a string or null.
 *   - TZ_OK, the map: a valid GeoJSON FeatureCollection of at most
 *     TZ_MAP_MAX_FEATURES features whose counts add up to "matched" (unless
 *     "truncated"); counts by status that add up to the count and never name
 *     "rejected"; single reports inside the viewport and received in
 *     [from, to); clusters whose centroid lies in their box, inside the
 *     viewport, splitting at a higher zoom.
 *   - the map's "matched" is the same in both modes and at every zoom;
 *   - a list that is complete on its first page (no cursor in, none out)
 *     holds as many reports as the map matches with the same filters,
 *     unless a report lies within the index's precision of the bbox's edge.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/tztime.h"
#include "check.h"
#include "fixture.h"
#include "http/render.h"
#include "threatmap/mapindex.h"

#define MAX_PARAMS 32                    /* TZ_HTTP_MAX_QUERY_PARAMS (http/internal.h) */
#define EXTRA_PARAMS 3                   /* what the harness appends for its own queries */
#define LIST_BODY_MAX (8u * 1024 * 1024) /* as http/api_reports.c */
#define MAP_BODY_MAX (16u * 1024 * 1024) /* as http/api_map.c */
#define FIXTURE_REPORTS 2000
#define EDGE_DEG 1e-6 /* %.6f output, and the index's 1 cm positions */

static const struct fuzz_fixture *fx;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fx = fuzz_fixture_open(FIXTURE_REPORTS);
    return 0;
}

/* ---- the query string --------------------------------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes n bytes of s in place ('+' and %HH) and ends the text at the first NUL. */
static void url_decode(char *s, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        int hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
        int lo = i + 2 < n ? hex_value(s[i + 2]) : -1;
        if (s[i] == '%' && hi >= 0 && lo >= 0) {
            s[out++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            s[out++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    s[out] = '\0';
}

/*
 * Splits text (len bytes and a NUL, modified in place) into params; false when
 * there are more than MAX_PARAMS pairs. Empty pairs ("a&&b") are skipped.
 */
static bool split_query(char *text, size_t len, struct tz_query_param *params, size_t *count)
{
    *count = 0;
    char *end = text + len;
    for (char *p = text; p < end;) {
        char *amp = memchr(p, '&', (size_t)(end - p));
        char *stop = amp ? amp : end;
        *stop = '\0';
        if (stop > p) {
            if (*count == MAX_PARAMS)
                return false;
            char *eq = memchr(p, '=', (size_t)(stop - p));
            if (eq) {
                *eq = '\0';
                url_decode(eq + 1, (size_t)(stop - eq - 1));
            }
            url_decode(p, strlen(p));
            params[(*count)++] = (struct tz_query_param){p, eq ? eq + 1 : NULL};
        }
        p = stop + 1;
    }
    return true;
}

/* The value of the last parameter named key (the one that counts), or NULL. */
static const char *last_value(const struct tz_query_param *params, size_t count, const char *key)
{
    const char *v = NULL;
    for (size_t i = 0; i < count; i++) {
        if (strcmp(params[i].key, key) == 0)
            v = params[i].value ? params[i].value : "";
    }
    return v;
}

/* The viewport of an accepted query: W,S,E,N, or the whole world without a bbox. */
struct view {
    double west, south, east, north;
};

static struct view view_of(const struct tz_query_param *params, size_t count)
{
    struct view v = {-180, -90, 180, 90};
    const char *s = last_value(params, count, "bbox");
    if (!s)
        return v;
    double d[4];
    for (int i = 0; i < 4; i++) {
        char *end;
        d[i] = strtod(s, &end);
        FUZZ_CHECK(end != s, "an accepted bbox that does not read: %s", s);
        s = end + 1;
    }
    return (struct view){d[0], d[1], d[2], d[3]};
}

static bool in_view(const struct view *v, double lat, double lon, double slack)
{
    return lat >= v->south - slack && lat <= v->north + slack && lon >= v->west - slack &&
           lon <= v->east + slack;
}

/* The received_at range of an accepted query: [from, to), either end open when not given. */
struct window {
    bool has_from, has_to;
    int64_t from, to;
};

static struct window window_of(const struct tz_query_param *params, size_t count)
{
    struct window w = {0};
    const char *from = last_value(params, count, "from");
    const char *to = last_value(params, count, "to");
    w.has_from = from && tz_time_parse(from, strlen(from), &w.from) == TZ_OK;
    w.has_to = to && tz_time_parse(to, strlen(to), &w.to) == TZ_OK;
    FUZZ_CHECK(w.has_from == (from != NULL) && w.has_to == (to != NULL),
               "the query accepted a from or to that tz_time_parse refuses");
    return w;
}

/* Whether the RFC 3339 text of a report's received_at lies in w. */
static bool in_window(const struct window *w, const char *received_at)
{
    int64_t t;
    FUZZ_CHECK(received_at && tz_time_parse(received_at, strlen(received_at), &t) == TZ_OK,
               "received_at %s", received_at ? received_at : "(none)");
    return (!w->has_from || t >= w->from) && (!w->has_to || t < w->to);
}

/* Whether some report lies so near an edge of v that the index may put it either side. */
static bool report_near_edge(const struct view *v)
{
    for (size_t i = 0; i < fx->point_count; i++) {
        double lat = fx->points[i][0], lon = fx->points[i][1];
        if (fabs(lat - v->south) <= EDGE_DEG || fabs(lat - v->north) <= EDGE_DEG ||
            fabs(lon - v->west) <= EDGE_DEG || fabs(lon - v->east) <= EDGE_DEG)
            return true;
    }
    return false;
}

/* ---- answers ------------------------------------------------------------- */

static json_t *load_json(const struct tz_buf *out, const char *what)
{
    json_error_t jerr;
    FUZZ_CHECK(out->data != NULL && out->len > 0, "%s answered nothing", what);
    json_t *root = json_loadb(out->data, out->len, JSON_REJECT_DUPLICATES, &jerr);
    FUZZ_CHECK(root != NULL, "%s is not JSON: %s at %d:%d in %.200s", what, jerr.text, jerr.line,
               jerr.column, out->data);
    return root;
}

static void check_errors(tz_err err, const struct tz_field_errors *errs, const char *what)
{
    FUZZ_CHECK(err == TZ_EINVAL, "%s: unexpected %s", what, tz_err_str(err));
    FUZZ_CHECK(errs->count > 0, "%s: TZ_EINVAL without a field error", what);
    fuzz_check_field_errors(errs);
}

/* Checks a page of the list; returns its number of items, or -1 when there are more pages. */
static long check_list(const struct tz_buf *out, const struct view *v, const struct window *w)
{
    json_t *root = load_json(out, "the list");
    json_t *items = json_object_get(root, "items");
    json_t *cursor = json_object_get(root, "next_cursor");
    FUZZ_CHECK(json_is_array(items), "no items array");
    FUZZ_CHECK(json_array_size(items) <= TZ_LIST_PAGE_MAX, "%zu items", json_array_size(items));
    FUZZ_CHECK(json_is_string(cursor) || json_is_null(cursor), "next_cursor of the wrong type");
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        const char *status = json_string_value(json_object_get(item, "status"));
        const char *code = json_string_value(json_object_get(item, "category"));
        const struct tz_category_rec *cat = code ? tz_threatmap_category(fx->tm, code) : NULL;
        FUZZ_CHECK(status && strcmp(status, "rejected") != 0, "item %zu: status", i);
        FUZZ_CHECK(cat && strcmp(cat->visibility, "never") != 0, "item %zu: category %s", i,
                   code ? code : "(none)");
        double lat = json_number_value(json_object_get(item, "lat"));
        double lon = json_number_value(json_object_get(item, "lon"));
        FUZZ_CHECK(in_view(v, lat, lon, EDGE_DEG), "item %zu at (%f, %f) is outside the bbox", i,
                   lat, lon);
        const char *received = json_string_value(json_object_get(item, "received_at"));
        FUZZ_CHECK(in_window(w, received), "item %zu received at %s, outside from/to", i, received);
    }
    long n = json_is_null(cursor) ? (long)json_array_size(items) : -1;
    json_decref(root);
    return n;
}

/* The sum of a feature's "counts" object, whose statuses must be known and public. */
static json_int_t counts_sum(json_t *counts)
{
    const char *status;
    json_t *n;
    json_int_t sum = 0;
    FUZZ_CHECK(json_is_object(counts), "a feature without counts");
    json_object_foreach(counts, status, n)
    {
        enum tz_status s;
        FUZZ_CHECK(tz_status_parse(status, &s) == TZ_OK && s != TZ_STATUS_REJECTED,
                   "a count of status %s", status);
        FUZZ_CHECK(json_is_integer(n) && json_integer_value(n) > 0, "count of %s", status);
        sum += json_integer_value(n);
    }
    return sum;
}

/* Checks one Point feature of the clusters mode; returns the points it stands for. */
static json_int_t check_point(json_t *props, double lat, double lon, const struct view *v,
                              const struct window *w, int zoom)
{
    if (json_is_false(json_object_get(props, "cluster"))) {
        const char *code = json_string_value(json_object_get(props, "category"));
        const char *status = json_string_value(json_object_get(props, "status"));
        const struct tz_category_rec *cat = code ? tz_threatmap_category(fx->tm, code) : NULL;
        enum tz_status s;
        FUZZ_CHECK(cat && strcmp(cat->visibility, "never") != 0, "a single of category %s",
                   code ? code : "(none)");
        FUZZ_CHECK(status && tz_status_parse(status, &s) == TZ_OK && s != TZ_STATUS_REJECTED,
                   "a single of status %s", status ? status : "(none)");
        FUZZ_CHECK(strcmp(cat->visibility, "once_confirmed") != 0 || tz_status_is_confirmed(s),
                   "an unconfirmed single of %s", code);
        FUZZ_CHECK(json_integer_value(json_object_get(props, "id")) > 0, "a single without id");
        const char *received = json_string_value(json_object_get(props, "received_at"));
        FUZZ_CHECK(in_window(w, received), "a single received at %s, outside from/to", received);
        FUZZ_CHECK(in_view(v, lat, lon, EDGE_DEG), "a single at (%f, %f) outside the view", lat,
                   lon);
        return 1;
    }
    FUZZ_CHECK(json_is_true(json_object_get(props, "cluster")), "neither cluster nor single");
    json_int_t count = json_integer_value(json_object_get(props, "count"));
    FUZZ_CHECK(count >= 2, "a cluster of %lld", (long long)count);
    FUZZ_CHECK(counts_sum(json_object_get(props, "counts")) == count, "cluster counts");
    json_t *bbox = json_object_get(props, "bbox");
    double b[4];
    for (int i = 0; i < 4; i++) {
        FUZZ_CHECK(json_is_number(json_array_get(bbox, (size_t)i)), "a cluster without bbox");
        b[i] = json_number_value(json_array_get(bbox, (size_t)i));
    }
    struct view box = {b[0], b[1], b[2], b[3]};
    FUZZ_CHECK(box.west <= box.east && box.south <= box.north, "cluster bbox upside down");
    FUZZ_CHECK(in_view(v, box.south, box.west, EDGE_DEG) &&
                   in_view(v, box.north, box.east, EDGE_DEG),
               "a cluster box [%f,%f,%f,%f] outside the view", b[0], b[1], b[2], b[3]);
    FUZZ_CHECK(in_view(&box, lat, lon, EDGE_DEG), "a cluster centroid outside its box");
    json_int_t ez = json_integer_value(json_object_get(props, "expansion_zoom"));
    FUZZ_CHECK((ez > zoom || ez == TZ_MAP_MAX_ZOOM) && ez <= TZ_MAP_MAX_ZOOM,
               "a cluster at zoom %d splits at %lld", zoom, (long long)ez);
    return count;
}

/* Checks a hex bin; returns its count. */
static json_int_t check_hex(json_t *geometry, json_t *props)
{
    json_t *ring = json_array_get(json_object_get(geometry, "coordinates"), 0);
    FUZZ_CHECK(json_array_size(ring) == 7, "a hexagon of %zu positions", json_array_size(ring));
    FUZZ_CHECK(json_equal(json_array_get(ring, 0), json_array_get(ring, 6)), "an open hexagon");
    json_int_t count = json_integer_value(json_object_get(props, "count"));
    FUZZ_CHECK(count >= 1, "a hex bin of %lld", (long long)count);
    FUZZ_CHECK(counts_sum(json_object_get(props, "counts")) == count, "hex counts");
    return count;
}

/* Checks a map answer; returns its "matched". */
static json_int_t check_map(const struct tz_buf *out, const struct view *v, const struct window *w,
                            int zoom, bool hex)
{
    json_t *root = load_json(out, "the map");
    const char *type = json_string_value(json_object_get(root, "type"));
    json_t *features = json_object_get(root, "features");
    json_t *matched = json_object_get(root, "matched");
    FUZZ_CHECK(type && strcmp(type, "FeatureCollection") == 0, "not a FeatureCollection");
    FUZZ_CHECK(json_is_array(features), "no features array");
    FUZZ_CHECK(json_array_size(features) <= TZ_MAP_MAX_FEATURES, "%zu features",
               json_array_size(features));
    FUZZ_CHECK(json_is_integer(matched) && json_integer_value(matched) >= 0, "no matched");
    json_t *truncated = json_object_get(root, "truncated");
    FUZZ_CHECK(json_is_boolean(truncated), "no truncated");
    json_int_t sum = 0, max = 0;
    size_t i;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        json_t *geometry = json_object_get(f, "geometry");
        json_t *props = json_object_get(f, "properties");
        const char *gtype = json_string_value(json_object_get(geometry, "type"));
        FUZZ_CHECK(gtype && strcmp(gtype, hex ? "Polygon" : "Point") == 0, "feature %zu: %s", i,
                   gtype ? gtype : "(no geometry)");
        json_int_t n;
        if (hex) {
            n = check_hex(geometry, props);
        } else {
            json_t *pos = json_object_get(geometry, "coordinates");
            n = check_point(props, json_number_value(json_array_get(pos, 1)),
                            json_number_value(json_array_get(pos, 0)), v, w, zoom);
        }
        sum += n;
        max = n > max ? n : max;
    }
    json_int_t m = json_integer_value(matched);
    if (!json_is_true(truncated))
        FUZZ_CHECK(sum == m, "features count %lld points, matched says %lld", (long long)sum,
                   (long long)m);
    else
        FUZZ_CHECK(sum <= m, "features count %lld points, matched only %lld", (long long)sum,
                   (long long)m);
    if (hex)
        FUZZ_CHECK(json_integer_value(json_object_get(root, "max_count")) == max, "max_count");
    json_decref(root);
    return m;
}

/*
 * Runs the map on params, with `extra` appended (they override: the last of a
 * name counts). Returns its error; on success *matched is its "matched".
 */
static tz_err run_map(const struct tz_query_param *params, size_t count,
                      const struct tz_query_param *extra, size_t nextra, json_int_t *matched)
{
    struct tz_query_param all[MAX_PARAMS + EXTRA_PARAMS];
    memcpy(all, params, count * sizeof *params);
    if (nextra)
        memcpy(all + count, extra, nextra * sizeof *extra);
    count += nextra;
    struct tz_field_errors errs = {0};
    struct tz_buf out;
    tz_buf_init(&out, MAP_BODY_MAX);
    tz_err err = tz_http_map_json(fx->tm, all, count, fx->now, &out, &errs);
    if (err == TZ_OK) {
        FUZZ_CHECK(errs.count == 0, "map: TZ_OK with %zu field errors", errs.count);
        const char *z = last_value(all, count, "zoom");
        const char *mode = last_value(all, count, "mode");
        struct view v = view_of(all, count);
        struct window w = window_of(all, count);
        *matched =
            check_map(&out, &v, &w, (int)strtol(z, NULL, 10), mode && strcmp(mode, "hex") == 0);
    } else {
        check_errors(err, &errs, "map");
    }
    tz_buf_free(&out);
    return err;
}

/* The list on params, checked; -1 unless it is complete on its one page. */
static long run_list(const struct tz_query_param *params, size_t count)
{
    struct tz_field_errors errs = {0};
    struct tz_buf out;
    long complete = -1;
    tz_buf_init(&out, LIST_BODY_MAX);
    tz_err err = tz_http_list_json(fx->tm, params, count, fx->now, &out, &errs);
    if (err == TZ_OK) {
        FUZZ_CHECK(errs.count == 0, "list: TZ_OK with %zu field errors", errs.count);
        struct view v = view_of(params, count);
        struct window w = window_of(params, count);
        complete = check_list(&out, &v, &w);
        if (last_value(params, count, "cursor"))
            complete = -1; /* a later page: not the whole answer */
    } else {
        check_errors(err, &errs, "list");
    }
    tz_buf_free(&out);
    return complete;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tz_query_param params[MAX_PARAMS];
    size_t count = 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (!split_query(text, size, params, &count)) {
        free(text);
        return 0;
    }
    static const char *const zooms[] = {"0", "3", "7", "11", "13", "15", "17", "20"};
    const char *other_zoom = zooms[size % (sizeof zooms / sizeof zooms[0])];

    long listed = run_list(params, count);
    json_int_t matched = 0, again = 0;
    if (run_map(params, count, NULL, 0, &matched) == TZ_OK) {
        const char *mode = last_value(params, count, "mode");
        bool hex = mode && strcmp(mode, "hex") == 0;
        struct tz_query_param other[] = {{"mode", hex ? "clusters" : "hex"}, {"zoom", other_zoom}};
        FUZZ_CHECK(run_map(params, count, other, 2, &again) == TZ_OK, "the other mode fails");
        FUZZ_CHECK(again == matched, "matched %lld, in the other mode at zoom %s %lld",
                   (long long)matched, other_zoom, (long long)again);
    }
    if (listed >= 0) {
        /* The same filters on the map: the list's own parameters are not the map's. */
        size_t kept = 0;
        for (size_t i = 0; i < count; i++) {
            if (strcmp(params[i].key, "limit") != 0)
                params[kept++] = params[i];
        }
        struct tz_query_param extra[] = {{"zoom", other_zoom}, {"bbox", "-180,-90,180,90"}};
        size_t nextra = last_value(params, kept, "bbox") ? 1 : 2;
        tz_err err = run_map(params, kept, extra, nextra, &matched);
        FUZZ_CHECK(err == TZ_OK, "the map refuses the filters of an accepted list: %s",
                   tz_err_str(err));
        struct view v = view_of(params, kept);
        FUZZ_CHECK(matched == listed || report_near_edge(&v),
                   "the list has %ld reports, the map matches %lld", listed, (long long)matched);
    }
    free(text);
    return 0;
}
