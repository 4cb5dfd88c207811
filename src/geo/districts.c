/*
 * districts.c - reads police districts from a GeoJSON FeatureCollection and
 * checks them: ids, the officer's details, geometry, and that no two
 * districts overlap.
 *
 * Import is all or nothing. Every problem in the document is collected (an
 * administrator fixing a file wants the whole list, not one error per try)
 * and any problem refuses the whole document, so routing never sees a
 * half-imported map. Coordinates are first walked here, which gives precise
 * messages (unclosed ring, latitude out of range) where GEOS would only fail;
 * then GEOS reads the geometry member re-serialised by jansson, judges its
 * validity, and finds overlapping pairs through an STRtree so that thousands
 * of districts import in seconds rather than comparing every pair.
 */
#include "geo/geo.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "geo/geos_util.h"

#define MAX_ID_LEN 63    /* bytes, as geo.h promises */
#define MAX_TEXT_LEN 200 /* bytes of name, unit and officer */
#define MAX_MESSAGE 512  /* bytes of one problem message */

/*
 * Two districts overlap when the area they share passes this fraction of the
 * smaller one. Zero would flag floating-point slivers along borders that two
 * files draw from the same survey; 1e-9 of a 1 km^2 district is 10 cm by 10 cm,
 * far below anything a map shows.
 */
#define OVERLAP_FRACTION 1e-9

/* One feature while the document is checked. */
struct feature {
    char *id; /* NULL while missing or invalid */
    char *name;
    char *unit;
    char *officer;
    GEOSGeometry *geom; /* NULL unless the geometry is valid */
    double area;
    double box[4]; /* xmin, ymin, xmax, ymax of geom */
};

/* The state of one parse. */
struct parse {
    struct geo_ctx ctx;
    GEOSGeoJSONReader *reader;
    struct feature *feats;
    size_t n;
    struct tz_geo_problems problems;
    size_t problems_cap;
    size_t *cand; /* overlap candidates of one district */
    size_t ncand;
    size_t cand_cap;
    tz_err err; /* the first allocation failure, TZ_OK while none */
};

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Records a problem of feature index (or TZ_GEO_DOCUMENT), with its id when known. */
__attribute__((format(printf, 3, 4))) static void problem(struct parse *p, size_t index,
                                                          const char *fmt, ...)
{
    if (p->err)
        return;
    if (p->problems.count == p->problems_cap) {
        size_t cap = p->problems_cap ? p->problems_cap * 2 : 8;
        struct tz_geo_problem *items = realloc(p->problems.items, cap * sizeof *items);
        if (!items) {
            p->err = TZ_ENOMEM;
            return;
        }
        p->problems.items = items;
        p->problems_cap = cap;
    }
    char text[MAX_MESSAGE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    const char *id = index < p->n ? p->feats[index].id : NULL;
    struct tz_geo_problem *pr = &p->problems.items[p->problems.count];
    pr->index = index;
    pr->message = dup_n(text, strlen(text));
    pr->id = id ? dup_n(id, strlen(id)) : NULL;
    if (!pr->message || (id && !pr->id)) {
        free(pr->message);
        free(pr->id);
        p->err = TZ_ENOMEM;
        return;
    }
    p->problems.count++;
}

/* True when s holds a C0 or C1 control character or DEL (n bytes of valid UTF-8). */
static bool has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return true;
        if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] < 0xa0)
            return true; /* U+0080..U+009F */
    }
    return false;
}

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ')
            return false;
    return true;
}

/* Finds the feature's id: its "id" member, else its "id" property. */
static void check_id(struct parse *p, size_t i, json_t *feat, json_t *props)
{
    json_t *v = json_object_get(feat, "id");
    if (!v && json_is_object(props))
        v = json_object_get(props, "id");
    char num[GEO_NUMBER_MAX];
    const char *s = NULL;
    size_t n = 0;
    if (!v || json_is_null(v)) {
        problem(p, i, "The feature has no id (neither an \"id\" member nor an \"id\" property).");
        return;
    } else if (json_is_string(v)) {
        s = json_string_value(v);
        n = json_string_length(v);
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = num;
        n = strlen(num);
    } else if (json_is_real(v)) {
        geo_format_number(json_real_value(v), num);
        s = num;
        n = strlen(num);
    } else {
        problem(p, i, "The feature's id must be a string or a number.");
        return;
    }
    if (n == 0 || is_blank(s, n)) {
        problem(p, i, "The feature's id is empty.");
    } else if (n > MAX_ID_LEN) {
        problem(p, i, "The feature's id is longer than %d bytes.", MAX_ID_LEN);
    } else if (has_control(s, n)) {
        problem(p, i, "The feature's id contains control characters.");
    } else if (!(p->feats[i].id = dup_n(s, n))) {
        p->err = TZ_ENOMEM;
    }
}

/* Checks one of the text properties (name, unit, officer) and keeps a copy in *dst. */
static void check_text(struct parse *p, size_t i, json_t *props, const char *key, char **dst)
{
    json_t *v = json_object_get(props, key);
    if (!v || json_is_null(v)) {
        problem(p, i, "The property \"%s\" is missing.", key);
        return;
    }
    if (!json_is_string(v)) {
        problem(p, i, "The property \"%s\" must be a string.", key);
        return;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (is_blank(s, n))
        problem(p, i, "The property \"%s\" is empty.", key);
    else if (n > MAX_TEXT_LEN)
        problem(p, i, "The property \"%s\" is longer than %d bytes.", key, MAX_TEXT_LEN);
    else if (has_control(s, n))
        problem(p, i, "The property \"%s\" contains control characters.", key);
    else if (!(*dst = dup_n(s, n)))
        p->err = TZ_ENOMEM;
}

/* Checks one linear ring of positions; where names it ("ring 2", "polygon 1, ring 1"). */
static bool check_ring(struct parse *p, size_t i, json_t *ring, const char *where)
{
    if (!json_is_array(ring)) {
        problem(p, i, "The geometry's %s is not an array of positions.", where);
        return false;
    }
    size_t n = json_array_size(ring);
    if (n < 4) {
        problem(p, i, "The geometry's %s has %zu positions; a ring needs at least 4.", where, n);
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        json_t *pos = json_array_get(ring, k);
        size_t dims = json_array_size(pos);
        bool numbers = json_is_array(pos) && dims >= 2 && dims <= 3;
        for (size_t d = 0; numbers && d < dims; d++)
            numbers = json_is_number(json_array_get(pos, d));
        if (!numbers) {
            problem(p, i, "Position %zu of the geometry's %s is not [longitude, latitude].", k + 1,
                    where);
            return false;
        }
        double lon = json_number_value(json_array_get(pos, 0));
        double lat = json_number_value(json_array_get(pos, 1));
        if (!isfinite(lon) || lon < -180 || lon > 180) {
            problem(p, i, "Position %zu of the geometry's %s has longitude %g, outside -180..180.",
                    k + 1, where, lon);
            return false;
        }
        if (!isfinite(lat) || lat < -90 || lat > 90) {
            problem(p, i, "Position %zu of the geometry's %s has latitude %g, outside -90..90.",
                    k + 1, where, lat);
            return false;
        }
        /* RFC 7946 allows an altitude; GEOS 3.11's GeoJSON reader does not, and we need none. */
        if (dims == 3)
            json_array_remove(pos, 2);
    }
    json_t *first = json_array_get(ring, 0), *last = json_array_get(ring, n - 1);
    for (size_t d = 0; d < 2; d++) {
        if (json_number_value(json_array_get(first, d)) !=
            json_number_value(json_array_get(last, d))) {
            problem(p, i, "The geometry's %s is not closed: its first and last positions differ.",
                    where);
            return false;
        }
    }
    return true;
}

/* Checks the rings of one polygon; part is its 1-based place in a MultiPolygon, 0 in a Polygon. */
static bool check_polygon(struct parse *p, size_t i, json_t *rings, size_t part)
{
    char where[64];
    if (part)
        snprintf(where, sizeof where, "polygon %zu", part);
    else
        snprintf(where, sizeof where, "polygon");
    if (!json_is_array(rings) || json_array_size(rings) == 0) {
        problem(p, i, "The geometry's %s is not a non-empty array of rings.", where);
        return false;
    }
    for (size_t r = 0; r < json_array_size(rings); r++) {
        if (part)
            snprintf(where, sizeof where, "polygon %zu, ring %zu", part, r + 1);
        else
            snprintf(where, sizeof where, "ring %zu", r + 1);
        if (!check_ring(p, i, json_array_get(rings, r), where))
            return false;
    }
    return true;
}

/* Names a GeoJSON type other than the polygonal ones, without echoing arbitrary input. */
static const char *other_type(const char *type)
{
    static const char *const known[] = {
        "Point",   "MultiPoint",       "LineString", "MultiLineString", "GeometryCollection",
        "Feature", "FeatureCollection"};
    for (size_t k = 0; type && k < sizeof known / sizeof known[0]; k++)
        if (strcmp(type, known[k]) == 0)
            return known[k];
    return NULL;
}

/* Reads the feature's geometry with GEOS once its coordinates are well formed, then judges it. */
static void check_geometry(struct parse *p, size_t i, json_t *feat)
{
    json_t *g = json_object_get(feat, "geometry");
    if (!g || json_is_null(g)) {
        problem(p, i, "The feature has no geometry.");
        return;
    }
    const char *type = json_string_value(json_object_get(g, "type"));
    bool multi = type && strcmp(type, "MultiPolygon") == 0;
    if (!json_is_object(g) || !type) {
        problem(p, i, "The feature's geometry is not a GeoJSON geometry object.");
        return;
    }
    if (!multi && strcmp(type, "Polygon") != 0) {
        const char *other = other_type(type);
        if (other)
            problem(p, i, "The geometry must be a Polygon or MultiPolygon, not a %s.", other);
        else
            problem(p, i, "The geometry must be a Polygon or MultiPolygon.");
        return;
    }
    json_t *coords = json_object_get(g, "coordinates");
    if (!json_is_array(coords) || json_array_size(coords) == 0) {
        problem(p, i, "The geometry has no coordinates.");
        return;
    }
    if (multi) {
        for (size_t k = 0; k < json_array_size(coords); k++)
            if (!check_polygon(p, i, json_array_get(coords, k), k + 1))
                return;
    } else if (!check_polygon(p, i, coords, 0)) {
        return;
    }

    /* Only type and coordinates go to GEOS: foreign members are none of its business. */
    json_t *bare = json_pack("{s:s,s:O}", "type", type, "coordinates", coords);
    char *text = bare ? json_dumps(bare, JSON_COMPACT) : NULL;
    json_decref(bare);
    if (!text) {
        p->err = TZ_ENOMEM;
        return;
    }
    struct geo_ctx *c = &p->ctx;
    c->error[0] = '\0';
    GEOSGeometry *geom = GEOSGeoJSONReader_readGeometry_r(c->h, p->reader, text);
    free(text);
    if (!geom) {
        problem(p, i, "GEOS cannot read the geometry: %s.", c->error);
        return;
    }
    char valid = GEOSisValid_r(c->h, geom);
    double area = 0;
    if (valid != 1) {
        char *reason = GEOSisValidReason_r(c->h, geom);
        problem(p, i, "The geometry is invalid: %s.", reason ? reason : c->error);
        GEOSFree_r(c->h, reason);
    } else if (!GEOSArea_r(c->h, geom, &area) || !(area > 0)) {
        problem(p, i, "The geometry has no area.");
    } else if (!GEOSGeom_getExtent_r(c->h, geom, &p->feats[i].box[0], &p->feats[i].box[1],
                                     &p->feats[i].box[2], &p->feats[i].box[3])) {
        p->err = TZ_ENOMEM;
    } else {
        p->feats[i].geom = geom;
        p->feats[i].area = area;
        return;
    }
    GEOSGeom_destroy_r(c->h, geom);
}

static void check_feature(struct parse *p, size_t i, json_t *feat)
{
    if (!json_is_object(feat)) {
        problem(p, i, "The feature is not a JSON object.");
        return;
    }
    json_t *props = json_object_get(feat, "properties");
    check_id(p, i, feat, props); /* first, so that later problems carry the id */
    const char *type = json_string_value(json_object_get(feat, "type"));
    if (!type || strcmp(type, "Feature") != 0)
        problem(p, i, "The feature's \"type\" is not \"Feature\".");
    if (!json_is_object(props)) {
        problem(p, i, "The feature has no \"properties\" object.");
    } else {
        struct feature *f = &p->feats[i];
        check_text(p, i, props, "name", &f->name);
        check_text(p, i, props, "unit", &f->unit);
        check_text(p, i, props, "officer", &f->officer);
    }
    check_geometry(p, i, feat);
}

/* A feature's id beside its index, sorted to find duplicates. */
struct id_ref {
    const char *id;
    size_t index;
};

static int by_id(const void *a, const void *b)
{
    const struct id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Reports every feature whose id an earlier feature already uses. */
static void check_duplicates(struct parse *p)
{
    struct id_ref *refs = malloc((p->n ? p->n : 1) * sizeof *refs);
    size_t m = 0;
    if (!refs) {
        p->err = TZ_ENOMEM;
        return;
    }
    for (size_t i = 0; i < p->n; i++)
        if (p->feats[i].id)
            refs[m++] = (struct id_ref){p->feats[i].id, i};
    qsort(refs, m, sizeof *refs, by_id);
    for (size_t k = 1, first = 0; k < m; k++) {
        if (strcmp(refs[k].id, refs[first].id) != 0)
            first = k;
        else
            problem(p, refs[k].index, "The id \"%s\" is already used by feature %zu.", refs[k].id,
                    refs[first].index);
    }
    free(refs);
}

/* STRtree callback: collects the index of a feature whose envelope meets the query's. */
static void collect(void *item, void *userdata)
{
    struct parse *p = userdata;
    size_t j = (size_t)((struct feature *)item - p->feats);
    if (p->ncand == p->cand_cap) {
        size_t cap = p->cand_cap ? p->cand_cap * 2 : 16;
        size_t *cand = realloc(p->cand, cap * sizeof *cand);
        if (!cand) {
            p->err = TZ_ENOMEM;
            return;
        }
        p->cand = cand;
        p->cand_cap = cap;
    }
    p->cand[p->ncand++] = j;
}

/* Reports an overlap to both districts, each naming the other. */
static void report_overlap(struct parse *p, size_t i, size_t j)
{
    const char *idi = p->feats[i].id, *idj = p->feats[j].id;
    if (idj)
        problem(p, i, "The district overlaps district \"%s\" (feature %zu).", idj, j);
    else
        problem(p, i, "The district overlaps feature %zu.", j);
    if (idi)
        problem(p, j, "The district overlaps district \"%s\" (feature %zu).", idi, i);
    else
        problem(p, j, "The district overlaps feature %zu.", i);
}

/* Compares each pair of valid districts whose envelopes meet; sharing a border is fine. */
static void check_overlaps(struct parse *p)
{
    GEOSContextHandle_t h = p->ctx.h;
    GEOSSTRtree *tree = GEOSSTRtree_create_r(h, 10);
    if (!tree) {
        p->err = TZ_ENOMEM;
        return;
    }
    for (size_t i = 0; i < p->n; i++)
        if (p->feats[i].geom)
            GEOSSTRtree_insert_r(h, tree, p->feats[i].geom, &p->feats[i]);
    for (size_t i = 0; i < p->n && !p->err; i++) {
        struct feature *a = &p->feats[i];
        if (!a->geom)
            continue;
        p->ncand = 0;
        GEOSSTRtree_query_r(h, tree, a->geom, collect, p);
        const GEOSPreparedGeometry *prep = NULL;
        for (size_t k = 0; k < p->ncand && !p->err; k++) {
            size_t j = p->cand[k];
            struct feature *b = &p->feats[j];
            if (j <= i)
                continue; /* each pair once */
            /* What the boxes share bounds what the districts share: neighbours whose boxes
               only touch (a grid, straight borders) need no overlay at all. */
            double w = fmin(a->box[2], b->box[2]) - fmax(a->box[0], b->box[0]);
            double hgt = fmin(a->box[3], b->box[3]) - fmax(a->box[1], b->box[1]);
            double threshold = OVERLAP_FRACTION * fmin(a->area, b->area);
            if (!(w > 0 && hgt > 0 && w * hgt > threshold))
                continue;
            if (!prep && !(prep = GEOSPrepare_r(h, a->geom))) {
                p->err = TZ_ENOMEM;
                break;
            }
            if (GEOSPreparedIntersects_r(h, prep, b->geom) != 1)
                continue; /* disjoint (or, on a GEOS failure, decided below by relate) */
            GEOSGeometry *common = GEOSIntersection_r(h, a->geom, b->geom);
            double area = 0;
            bool overlap;
            if (common && GEOSArea_r(h, common, &area)) {
                overlap = area > threshold;
            } else {
                /* Overlay failed (a robustness limit of GEOS): ask relate whether interiors meet.
                 */
                overlap = GEOSRelatePattern_r(h, a->geom, b->geom, "T********") != 0;
            }
            if (common)
                GEOSGeom_destroy_r(h, common);
            if (overlap)
                report_overlap(p, i, j);
        }
        if (prep)
            GEOSPreparedGeom_destroy_r(h, prep);
    }
    GEOSSTRtree_destroy_r(h, tree);
}

/* A problem with its place in the order found, so that sorting by feature is stable. */
struct ranked_problem {
    struct tz_geo_problem p;
    size_t seq;
};

static int by_feature(const void *a, const void *b)
{
    const struct ranked_problem *x = a, *y = b;
    if (x->p.index != y->p.index)
        return x->p.index < y->p.index ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Sorts the problems by feature, keeping the order found within one feature. */
static void sort_problems(struct parse *p)
{
    struct tz_geo_problems *ps = &p->problems;
    struct ranked_problem *r = ps->count > 1 ? malloc(ps->count * sizeof *r) : NULL;
    if (!r)
        return; /* nothing to sort, or no memory: found order is still a right answer */
    for (size_t k = 0; k < ps->count; k++)
        r[k] = (struct ranked_problem){ps->items[k], k};
    qsort(r, ps->count, sizeof *r, by_feature);
    for (size_t k = 0; k < ps->count; k++)
        ps->items[k] = r[k].p;
    free(r);
}

static void feature_free(struct feature *f, GEOSContextHandle_t h)
{
    free(f->id);
    free(f->name);
    free(f->unit);
    free(f->officer);
    if (f->geom)
        GEOSGeom_destroy_r(h, f->geom);
}

/* Moves the checked features into out, their geometry written as canonical GeoJSON. */
static tz_err hand_over(struct parse *p, struct tz_geo_districts *out)
{
    struct tz_geo_district *items = calloc(p->n ? p->n : 1, sizeof *items);
    if (!items)
        return TZ_ENOMEM;
    tz_err err = TZ_OK;
    for (size_t i = 0; i < p->n && !err; i++) {
        struct tz_buf b;
        tz_buf_init(&b, 2 * (size_t)TZ_GEO_MAX_DOCUMENT);
        err = geo_write_geojson(p->ctx.h, p->feats[i].geom, &b);
        if (!err && !(items[i].geometry = tz_buf_take(&b)))
            err = TZ_ENOMEM;
        tz_buf_free(&b);
    }
    if (err) {
        for (size_t i = 0; i < p->n; i++)
            free(items[i].geometry);
        free(items);
        return err;
    }
    for (size_t i = 0; i < p->n; i++) {
        struct feature *f = &p->feats[i];
        items[i].id = f->id;
        items[i].name = f->name;
        items[i].unit = f->unit;
        items[i].officer = f->officer;
        f->id = f->name = f->unit = f->officer = NULL;
    }
    out->items = items;
    out->count = p->n;
    return TZ_OK;
}

/* Replaces bytes outside printable ASCII so that a message never carries broken UTF-8. */
static void printable_ascii(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            *s = '?';
}

tz_err tz_geo_parse_districts(const char *json, size_t len, struct tz_geo_districts *out,
                              struct tz_geo_problems *problems)
{
    struct parse p = {0};
    json_t *root = NULL;
    tz_err err = TZ_OK;
    out->items = NULL;
    out->count = 0;
    if (problems) {
        problems->items = NULL;
        problems->count = 0;
    }
    if (!json && len) {
        problem(&p, TZ_GEO_DOCUMENT, "The document is missing.");
        err = TZ_EINVAL;
        goto done;
    }
    if (len > TZ_GEO_MAX_DOCUMENT) {
        problem(&p, TZ_GEO_DOCUMENT, "The document is larger than %u bytes.",
                (unsigned)TZ_GEO_MAX_DOCUMENT);
        err = TZ_ETOOBIG;
        goto done;
    }
    json_error_t jerr;
    root = json_loadb(json ? json : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root && json_error_code(&jerr) == json_error_out_of_memory) {
        err = TZ_ENOMEM; /* the document may be fine */
        goto done;
    }
    if (!root) {
        printable_ascii(jerr.text);
        problem(&p, TZ_GEO_DOCUMENT, "The document is not valid JSON: %s (line %d, column %d).",
                jerr.text, jerr.line, jerr.column);
        err = TZ_EINVAL;
        goto done;
    }
    const char *type = json_string_value(json_object_get(root, "type"));
    json_t *features = json_object_get(root, "features");
    if (!type || strcmp(type, "FeatureCollection") != 0) {
        problem(&p, TZ_GEO_DOCUMENT, "The document is not a GeoJSON FeatureCollection.");
        err = TZ_EINVAL;
        goto done;
    }
    if (!json_is_array(features)) {
        problem(&p, TZ_GEO_DOCUMENT, "The FeatureCollection has no \"features\" array.");
        err = TZ_EINVAL;
        goto done;
    }

    p.n = json_array_size(features);
    p.feats = calloc(p.n ? p.n : 1, sizeof *p.feats);
    if (!p.feats || geo_ctx_init(&p.ctx) || !(p.reader = GEOSGeoJSONReader_create_r(p.ctx.h))) {
        p.err = TZ_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < p.n && !p.err; i++)
        check_feature(&p, i, json_array_get(features, i));
    if (!p.err)
        check_duplicates(&p);
    if (!p.err)
        check_overlaps(&p);
    if (p.err)
        goto done;
    if (p.problems.count) {
        sort_problems(&p);
        err = TZ_EINVAL;
        goto done;
    }
    err = hand_over(&p, out);

done:
    if (p.err) {
        err = p.err; /* out of memory: a partial list of problems would mislead */
        tz_geo_problems_free(&p.problems);
    }
    if (p.feats)
        for (size_t i = 0; i < p.n; i++)
            feature_free(&p.feats[i], p.ctx.h);
    free(p.feats);
    free(p.cand);
    if (p.reader)
        GEOSGeoJSONReader_destroy_r(p.ctx.h, p.reader);
    geo_ctx_finish(&p.ctx);
    json_decref(root);
    if (problems)
        *problems = p.problems;
    else
        tz_geo_problems_free(&p.problems);
    return err;
}

void tz_geo_districts_free(struct tz_geo_districts *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->count; i++) {
        struct tz_geo_district *x = &d->items[i];
        free(x->id);
        free(x->name);
        free(x->unit);
        free(x->officer);
        free(x->geometry);
    }
    free(d->items);
    d->items = NULL;
    d->count = 0;
}

void tz_geo_problems_free(struct tz_geo_problems *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++) {
        free(p->items[i].id);
        free(p->items[i].message);
    }
    free(p->items);
    p->items = NULL;
    p->count = 0;
}
