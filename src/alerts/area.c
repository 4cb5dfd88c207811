/*
 * area.c - an alert's area: its text (read and written, the one parser the
 * fuzz harness feeds), whether a point lies in it, and what a subscription
 * follows (the area and its categories).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alerts/alerts.h"
#include "base/num.h"

#define NUMBER_TEXT_MAX 32 /* bytes of one number of an area */
#define EARTH_RADIUS_M 6371008.8

/* The next field of s[*pos..n) up to sep (or the end): its start and length. */
static bool next_field(const char *s, size_t n, size_t *pos, char sep, const char **f, size_t *len)
{
    if (*pos > n)
        return false;
    const char *end = memchr(s + *pos, sep, n - *pos);
    size_t stop = end ? (size_t)(end - s) : n;
    *f = s + *pos;
    *len = stop - *pos;
    *pos = end ? stop + 1 : n + 1;
    return true;
}

static bool number(const char *f, size_t len, double lo, double hi, double *out)
{
    return len > 0 && len <= NUMBER_TEXT_MAX && tz_num_parse_double(f, len, lo, hi, out) == TZ_OK;
}

/* n numbers separated by sep, and nothing after them. */
static bool numbers(const char *s, size_t n, char sep, size_t count, const double *lo,
                    const double *hi, double *out)
{
    size_t pos = 0;
    for (size_t i = 0; i < count; i++) {
        const char *f;
        size_t len;
        if (!next_field(s, n, &pos, sep, &f, &len) || !number(f, len, lo[i], hi[i], &out[i]))
            return false;
    }
    return pos == n + 1;
}

static tz_err parse_bbox(const char *s, size_t n, struct tz_alert_area *a, const char **why)
{
    static const double lo[4] = {-180, -90, -180, -90}, hi[4] = {180, 90, 180, 90};
    double v[4];
    if (!numbers(s, n, ',', 4, lo, hi, v)) {
        *why = "bbox:W,S,E,N takes four numbers in degrees";
        return TZ_EINVAL;
    }
    if (v[0] > v[2] || v[1] > v[3]) {
        *why = "bbox: west <= east and south <= north";
        return TZ_EINVAL;
    }
    a->west = v[0], a->south = v[1], a->east = v[2], a->north = v[3];
    return TZ_OK;
}

/* The box around a circle, in degrees (wide enough: the circle's east-west span at its pole-most
 * latitude). */
static void circle_box(struct tz_alert_area *a)
{
    double dlat = a->radius_m / EARTH_RADIUS_M * 180.0 / M_PI;
    double far = fmin(fabs(a->lat) + dlat, 89.9);
    double dlon = dlat / cos(far * M_PI / 180.0);
    a->south = fmax(a->lat - dlat, -90), a->north = fmin(a->lat + dlat, 90);
    a->west = fmax(a->lon - dlon, -180), a->east = fmin(a->lon + dlon, 180);
}

static tz_err parse_circle(const char *s, size_t n, struct tz_alert_area *a, const char **why)
{
    static const double lo[3] = {-180, -89, TZ_ALERT_RADIUS_MIN};
    static const double hi[3] = {180, 89, TZ_ALERT_RADIUS_MAX};
    double v[3];
    if (!numbers(s, n, ',', 3, lo, hi, v)) {
        *why = "circle:LON,LAT,METRES takes degrees and 10..50000 metres";
        return TZ_EINVAL;
    }
    a->lon = v[0], a->lat = v[1], a->radius_m = v[2];
    circle_box(a);
    return TZ_OK;
}

static tz_err parse_polygon(const char *s, size_t n, struct tz_alert_area *a, const char **why)
{
    static const double lo[2] = {-180, -90}, hi[2] = {180, 90};
    size_t pos = 0;
    a->n = 0;
    a->west = 180, a->south = 90, a->east = -180, a->north = -90;
    while (pos <= n) {
        const char *f;
        size_t len;
        double v[2];
        next_field(s, n, &pos, ',', &f, &len);
        if (a->n == TZ_ALERT_POLYGON_MAX || !numbers(f, len, ' ', 2, lo, hi, v)) {
            *why = "polygon:LON LAT,LON LAT,... takes 3 to 64 points in degrees";
            return TZ_EINVAL;
        }
        a->xs[a->n] = v[0], a->ys[a->n] = v[1];
        a->n++;
        a->west = fmin(a->west, v[0]), a->east = fmax(a->east, v[0]);
        a->south = fmin(a->south, v[1]), a->north = fmax(a->north, v[1]);
    }
    if (a->n < 3) {
        *why = "polygon:LON LAT,LON LAT,... takes 3 to 64 points in degrees";
        return TZ_EINVAL;
    }
    return TZ_OK;
}

static tz_err parse_district(const char *s, size_t n, struct tz_alert_area *a, const char **why)
{
    if (n == 0 || n >= sizeof a->district) {
        *why = "district:ID names a district";
        return TZ_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == 0x7f || c == ',') {
            *why = "district:ID names a district";
            return TZ_EINVAL;
        }
    }
    memcpy(a->district, s, n);
    a->district[n] = '\0';
    return TZ_OK;
}

static const struct {
    const char *prefix;
    enum tz_alert_area_kind kind;
    tz_err (*parse)(const char *s, size_t n, struct tz_alert_area *a, const char **why);
} forms[] = {
    {"bbox:", TZ_AREA_BBOX, parse_bbox},
    {"circle:", TZ_AREA_CIRCLE, parse_circle},
    {"polygon:", TZ_AREA_POLYGON, parse_polygon},
    {"district:", TZ_AREA_DISTRICT, parse_district},
};

tz_err tz_alert_area_parse(const char *s, size_t n, struct tz_alert_area *out, const char **why)
{
    static const char *none = "";
    *why = none;
    memset(out, 0, sizeof *out);
    if (!s || n >= TZ_ALERT_TEXT_MAX) {
        *why = "an area is bbox:, circle:, polygon: or district:";
        return TZ_EINVAL;
    }
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        size_t k = strlen(forms[i].prefix);
        if (n >= k && memcmp(s, forms[i].prefix, k) == 0) {
            out->kind = forms[i].kind;
            tz_err err = forms[i].parse(s + k, n - k, out, why);
            if (!err && out->kind != TZ_AREA_DISTRICT &&
                (out->north - out->south > TZ_ALERT_SPAN_LAT ||
                 out->east - out->west > TZ_ALERT_SPAN_LON)) {
                *why = "an area spans at most 1 degree north-south and 2 west-east";
                return TZ_EINVAL;
            }
            return err;
        }
    }
    *why = "an area is bbox:, circle:, polygon: or district:";
    return TZ_EINVAL;
}

/* %.7g-style text of a coordinate that reads back to itself closely enough (1 cm). */
static int put_num(char *out, size_t size, size_t *at, const char *sep, double v)
{
    if (*at >= size)
        return -1;
    int k = snprintf(out + *at, size - *at, "%s%.7f", sep, v);
    if (k < 0 || (size_t)k >= size - *at)
        return -1;
    /* trailing zeros say nothing */
    size_t end = *at + (size_t)k;
    while (end > *at && out[end - 1] == '0')
        end--;
    if (end > *at && out[end - 1] == '.')
        end--;
    out[end] = '\0';
    *at = end;
    return 0;
}

tz_err tz_alert_area_format(const struct tz_alert_area *a, char *out, size_t size)
{
    size_t at = 0;
    int bad = 0;
    if (size == 0)
        return TZ_ETOOBIG;
    switch (a->kind) {
    case TZ_AREA_BBOX:
        at = (size_t)snprintf(out, size, "bbox:");
        bad |= put_num(out, size, &at, "", a->west) | put_num(out, size, &at, ",", a->south) |
               put_num(out, size, &at, ",", a->east) | put_num(out, size, &at, ",", a->north);
        break;
    case TZ_AREA_CIRCLE:
        at = (size_t)snprintf(out, size, "circle:");
        bad |= put_num(out, size, &at, "", a->lon) | put_num(out, size, &at, ",", a->lat) |
               put_num(out, size, &at, ",", a->radius_m);
        break;
    case TZ_AREA_POLYGON:
        at = (size_t)snprintf(out, size, "polygon:");
        for (size_t i = 0; i < a->n && !bad; i++)
            bad |= put_num(out, size, &at, i ? "," : "", a->xs[i]) |
                   put_num(out, size, &at, " ", a->ys[i]);
        break;
    case TZ_AREA_DISTRICT: {
        int k = snprintf(out, size, "district:%s", a->district);
        bad = k < 0 || (size_t)k >= size;
        break;
    }
    }
    return bad || at >= size ? TZ_ETOOBIG : TZ_OK;
}

static double distance_m(double lat1, double lon1, double lat2, double lon2)
{
    double r = M_PI / 180.0;
    double dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * r) * cos(lat2 * r) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * EARTH_RADIUS_M * asin(fmin(1.0, sqrt(h)));
}

/* Even-odd rule over the polygon's edges (x = lon, y = lat). */
static bool in_polygon(const struct tz_alert_area *a, double x, double y)
{
    bool in = false;
    for (size_t i = 0, j = a->n - 1; i < a->n; j = i++) {
        if ((a->ys[i] > y) != (a->ys[j] > y) &&
            x < (a->xs[j] - a->xs[i]) * (y - a->ys[i]) / (a->ys[j] - a->ys[i]) + a->xs[i])
            in = !in;
    }
    return in;
}

bool tz_alert_area_contains(const struct tz_alert_area *a, double lat, double lon,
                            const char *district_id)
{
    if (a->kind == TZ_AREA_DISTRICT)
        return district_id && strcmp(district_id, a->district) == 0;
    if (lon < a->west || lon > a->east || lat < a->south || lat > a->north)
        return false;
    switch (a->kind) {
    case TZ_AREA_CIRCLE:
        return distance_m(a->lat, a->lon, lat, lon) <= a->radius_m;
    case TZ_AREA_POLYGON:
        return in_polygon(a, lon, lat);
    default:
        return true;
    }
}

tz_err tz_alert_spec_category(const struct tz_threatmap *tm, struct tz_alert_spec *spec,
                              const char *code, size_t n)
{
    char c[TZ_CODE_MAX];
    if (n == 0 || n >= sizeof c || memchr(code, '\0', n))
        return TZ_EINVAL;
    memcpy(c, code, n);
    c[n] = '\0';
    if (!tz_threatmap_category(tm, c))
        return TZ_EINVAL;
    for (size_t i = 0; i < spec->category_count; i++)
        if (strcmp(spec->categories[i], c) == 0)
            return TZ_OK;
    if (spec->category_count == TZ_ALERT_CATEGORIES_MAX)
        return TZ_EINVAL;
    memcpy(spec->categories[spec->category_count++], c, n + 1);
    return TZ_OK;
}

tz_err tz_alert_spec_check(const struct tz_threatmap *tm, const struct tz_alert_spec *spec,
                           const char **why)
{
    if (spec->area.kind == TZ_AREA_DISTRICT && !tz_threatmap_district(tm, spec->area.district)) {
        *why = "no such district";
        return TZ_EINVAL;
    }
    return TZ_OK;
}

bool tz_alert_spec_matches(const struct tz_alert_spec *spec, const struct tz_report_rec *rec)
{
    if (spec->category_count) {
        size_t i = 0;
        while (i < spec->category_count && strcmp(spec->categories[i], rec->category) != 0)
            i++;
        if (i == spec->category_count)
            return false;
    }
    return tz_alert_area_contains(&spec->area, rec->lat, rec->lon, rec->district_id);
}
