/* Unit tests of src/geo: GeoJSON district import and validation, routing, the demo districts. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "geo/geo.h"

/* Squares that share the border lon = 1, and one apart, as GeoJSON geometry. */
#define SQUARE_A "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"
#define SQUARE_B "{\"type\":\"Polygon\",\"coordinates\":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}"
#define SQUARE_C "{\"type\":\"Polygon\",\"coordinates\":[[[0,2],[1,2],[1,3],[0,3],[0,2]]]}"

/* Appends one Feature (comma first unless it is the first) with the given members. */
static void add_feature(struct tz_buf *b, const char *id_member, const char *props,
                        const char *geometry)
{
    int first = b->len == 0 || b->data[b->len - 1] == '[';
    assert_int_equal(tz_buf_printf(b,
                                   "%s{\"type\":\"Feature\",%s%s\"properties\":{%s},"
                                   "\"geometry\":%s}",
                                   first ? "" : ",", id_member ? id_member : "",
                                   id_member ? "," : "", props, geometry),
                     TZ_OK);
}

#define PROPS "\"name\":\"Rejon 1\",\"unit\":\"KP I\",\"officer\":\"asp. Jan Kowal\""

/* Parses text and checks that it fails with TZ_EINVAL and leaves out empty. */
static struct tz_geo_problems refuse(const char *text)
{
    struct tz_geo_districts out = {(void *)1, 99};
    struct tz_geo_problems problems;
    assert_int_equal(tz_geo_parse_districts(text, strlen(text), &out, &problems), TZ_EINVAL);
    assert_null(out.items);
    assert_int_equal(out.count, 0);
    assert_true(problems.count > 0);
    for (size_t i = 0; i < problems.count; i++)
        assert_non_null(problems.items[i].message);
    return problems;
}

/* A collection of the features in b (which holds "[" and the features). */
static char *collection(struct tz_buf *b)
{
    struct tz_buf doc;
    tz_buf_init(&doc, 64u << 20);
    assert_int_equal(
        tz_buf_printf(&doc, "{\"type\":\"FeatureCollection\",\"features\":%s]}", b->data), TZ_OK);
    tz_buf_free(b);
    return tz_buf_take(&doc);
}

/* The problems of a collection of one feature, which must have exactly one problem. */
static struct tz_geo_problem *one_problem(struct tz_geo_problems *ps, const char *id_member,
                                          const char *props, const char *geometry,
                                          const char *needle)
{
    struct tz_buf b;
    tz_buf_init(&b, 1 << 20);
    assert_int_equal(tz_buf_puts(&b, "["), TZ_OK);
    add_feature(&b, id_member, props, geometry);
    char *doc = collection(&b);
    *ps = refuse(doc);
    free(doc);
    if (ps->count != 1)
        for (size_t i = 0; i < ps->count; i++)
            fprintf(stderr, "problem %zu: %s\n", i, ps->items[i].message);
    assert_int_equal(ps->count, 1);
    assert_int_equal(ps->items[0].index, 0);
    if (!strstr(ps->items[0].message, needle))
        fail_msg("\"%s\" does not mention \"%s\"", ps->items[0].message, needle);
    return &ps->items[0];
}

static struct tz_router *build(const char *const *geoms, size_t n)
{
    struct tz_router *r = NULL;
    assert_int_equal(tz_router_build(geoms, n, &r), TZ_OK);
    assert_non_null(r);
    assert_int_equal(tz_router_count(r), n);
    return r;
}

/* Routes (lat, lon) and checks the result: an index, or (size_t)-1 for TZ_EOUTSIDE. */
static void expect_route(struct tz_router *r, double lat, double lon, size_t want)
{
    size_t got = 12345;
    tz_err err = tz_router_locate(r, lat, lon, &got);
    if (want == (size_t)-1) {
        if (err != TZ_EOUTSIDE)
            fail_msg("(%g, %g): want outside, got err %d index %zu", lat, lon, err, got);
    } else if (err != TZ_OK || got != want) {
        fail_msg("(%g, %g): want %zu, got err %d index %zu", lat, lon, want, err, got);
    }
}

static void router_finds_inside_and_outside(void **state)
{
    const char *geoms[] = {SQUARE_A, SQUARE_B, SQUARE_C};
    struct tz_router *r = build(geoms, 3);
    expect_route(r, 0.5, 0.5, 0);
    expect_route(r, 0.5, 1.5, 1);
    expect_route(r, 2.5, 0.5, 2);
    expect_route(r, 2.5, 1.5, (size_t)-1); /* inside the routers' box, in no district */
    expect_route(r, 1.5, 0.5, (size_t)-1); /* between A and C */
    expect_route(r, 0.5, 3.5, (size_t)-1); /* outside the box */
    expect_route(r, -50, 170, (size_t)-1);
    tz_router_free(r);
}

static void router_gives_borders_to_the_lowest_index(void **state)
{
    const char *ab[] = {SQUARE_A, SQUARE_B};
    struct tz_router *r = build(ab, 2);
    expect_route(r, 0.5, 1.0, 0); /* the shared border */
    expect_route(r, 1.0, 1.0, 0); /* the shared corner */
    expect_route(r, 0.5, 0.0, 0); /* the outer boundary is inside */
    expect_route(r, 0.0, 0.0, 0); /* so is a vertex */
    expect_route(r, 1.0, 2.0, 1); /* and B's outer corner */
    expect_route(r, 0.5, 2.0, 1);
    expect_route(r, 0.5, 2.0000001, (size_t)-1);
    tz_router_free(r);

    const char *ba[] = {SQUARE_B, SQUARE_A}; /* the same squares, the other order */
    r = build(ba, 2);
    expect_route(r, 0.5, 1.0, 0); /* now B */
    expect_route(r, 0.5, 0.5, 1);
    tz_router_free(r);
}

static void router_handles_multipolygons_with_holes(void **state)
{
    const char *geoms[] = {
        "{\"type\":\"MultiPolygon\",\"coordinates\":["
        "[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[1,3],[3,3],[3,1],[1,1]]],"
        "[[[10,10],[11,10],[11,11],[10,11],[10,10]]]]}",
        SQUARE_C, /* index 1: inside the hole's lon range but elsewhere */
    };
    struct tz_router *r = build(geoms, 2);
    expect_route(r, 0.5, 0.5, 0);      /* the first part */
    expect_route(r, 2, 2, (size_t)-1); /* the hole */
    expect_route(r, 2, 1, 0);          /* the hole's edge is the polygon's boundary */
    expect_route(r, 10.5, 10.5, 0);    /* the second part */
    expect_route(r, 7, 7, (size_t)-1); /* between the parts */
    tz_router_free(r);
}

static void router_refuses_non_finite_input(void **state)
{
    const char *geoms[] = {SQUARE_A};
    struct tz_router *r = build(geoms, 1);
    size_t i;
    assert_int_equal(tz_router_locate(r, NAN, 0.5, &i), TZ_EINVAL);
    assert_int_equal(tz_router_locate(r, 0.5, NAN, &i), TZ_EINVAL);
    assert_int_equal(tz_router_locate(r, INFINITY, 0.5, &i), TZ_EINVAL);
    assert_int_equal(tz_router_locate(r, 0.5, -INFINITY, &i), TZ_EINVAL);
    tz_router_free(r);
}

static void router_refuses_bad_geometry(void **state)
{
    const char *bad[] = {"not json", "{\"type\":\"Point\",\"coordinates\":[1,2]}",
                         "{\"type\":\"Polygon\",\"coordinates\":[]}", NULL};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        const char *geoms[] = {SQUARE_A, bad[k]};
        struct tz_router *r = (void *)1;
        assert_int_equal(tz_router_build(geoms, 2, &r), TZ_EINVAL);
        assert_null(r);
    }
    struct tz_router *r = NULL;
    assert_int_equal(tz_router_build(NULL, 0, &r), TZ_OK); /* no districts: all outside */
    expect_route(r, 50, 20, (size_t)-1);
    tz_router_free(r);
}

/* A wiggly circle of n vertices around (lon0, lat0), radius (in degrees) r(k) at vertex k. */
static double wiggle_radius(size_t k, size_t n)
{
    return 0.05 * (1 + 0.1 * sin(40.0 * 2 * M_PI * (double)k / (double)n));
}

static char *wiggly_circle(double lon0, double lat0, size_t n)
{
    struct tz_buf b;
    tz_buf_init(&b, 1u << 22);
    assert_int_equal(tz_buf_puts(&b, "{\"type\":\"Polygon\",\"coordinates\":[["), TZ_OK);
    for (size_t k = 0; k <= n; k++) {
        double t = 2 * M_PI * (double)(k % n) / (double)n, rad = wiggle_radius(k % n, n);
        assert_int_equal(tz_buf_printf(&b, "%s[%.9f,%.9f]", k ? "," : "", lon0 + rad * cos(t),
                                       lat0 + rad * sin(t)),
                         TZ_OK);
    }
    assert_int_equal(tz_buf_puts(&b, "]]}"), TZ_OK);
    return tz_buf_take(&b);
}

static void router_handles_a_district_of_thousands_of_vertices(void **state)
{
    const size_t n = 6000;
    char *circle = wiggly_circle(20.0, 50.0, n);
    /* Through the importer first: the normalised text is what a router is built from. */
    struct tz_buf b;
    tz_buf_init(&b, 1u << 22);
    assert_int_equal(tz_buf_puts(&b, "["), TZ_OK);
    add_feature(&b, "\"id\":\"BIG\"", PROPS, circle);
    char *doc = collection(&b);
    struct tz_geo_districts d;
    struct tz_geo_problems ps;
    assert_int_equal(tz_geo_parse_districts(doc, strlen(doc), &d, &ps), TZ_OK);
    assert_int_equal(ps.count, 0);
    assert_int_equal(d.count, 1);
    const char *geoms[] = {SQUARE_A, d.items[0].geometry};
    struct tz_router *r = build(geoms, 2);
    expect_route(r, 50.0, 20.0, 1);
    for (size_t k = 0; k < n; k += 7) {
        double t = 2 * M_PI * (double)k / (double)n, rad = wiggle_radius(k, n);
        expect_route(r, 50.0 + 0.99 * rad * sin(t), 20.0 + 0.99 * rad * cos(t), 1);
        expect_route(r, 50.0 + 1.01 * rad * sin(t), 20.0 + 1.01 * rad * cos(t), (size_t)-1);
    }
    expect_route(r, 0.5, 0.5, 0);
    tz_router_free(r);
    tz_geo_districts_free(&d);
    free(doc);
    free(circle);
}

struct worker {
    struct tz_router *router;
    unsigned seed;
    int wrong;
};

/* Routes points in and around the two squares and counts wrong answers. */
static void *route_many(void *arg)
{
    struct worker *w = arg;
    uint32_t x = w->seed;
    for (int k = 0; k < 20000; k++) {
        x = x * 1664525u + 1013904223u;
        double lon = (double)(x >> 8) / (double)(1u << 24) * 3.0 - 0.5; /* -0.5 .. 2.5 */
        x = x * 1664525u + 1013904223u;
        double lat = (double)(x >> 8) / (double)(1u << 24) * 1.5 - 0.25;
        size_t want = lat < 0 || lat > 1 || lon < 0 || lon > 2 ? (size_t)-1 : lon <= 1 ? 0 : 1;
        size_t got = (size_t)-1;
        tz_err err = tz_router_locate(w->router, lat, lon, &got);
        if ((want == (size_t)-1 && err != TZ_EOUTSIDE) || (want != (size_t)-1 && got != want))
            w->wrong++;
    }
    return NULL;
}

static void router_is_safe_from_many_threads(void **state)
{
    const char *geoms[] = {SQUARE_A, SQUARE_B};
    struct tz_router *r = build(geoms, 2);
    enum { THREADS = 8 };
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (unsigned i = 0; i < THREADS; i++) {
        w[i] = (struct worker){r, 7 + i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, route_many, &w[i]), 0);
    }
    for (unsigned i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].wrong, 0);
    }
    tz_router_free(r);
}

static void parse_reads_a_valid_collection(void **state)
{
    struct tz_buf b;
    tz_buf_init(&b, 1 << 20);
    assert_int_equal(tz_buf_puts(&b, "["), TZ_OK);
    /* A clockwise square, to be written counterclockwise; an extra member that is ignored. */
    add_feature(&b, "\"id\":\"A-1\"",
                "\"name\":\"Kazimierz\",\"unit\":\"Komisariat Policji I w Krakowie\","
                "\"officer\":\"asp. Anna Nowak\"",
                "{\"type\":\"Polygon\",\"bbox\":[0,0,1,1],"
                "\"coordinates\":[[[0,0],[0,1],[1,1],[1,0],[0,0]]]}");
    add_feature(&b, "\"id\":7", PROPS, SQUARE_B);           /* a numeric id */
    add_feature(&b, NULL, "\"id\":\"C\"," PROPS, SQUARE_C); /* id as a property */
    /* RFC 7946 positions may carry an altitude; it is dropped. */
    add_feature(&b, NULL, "\"id\":\"D\"," PROPS,
                "{\"type\":\"MultiPolygon\",\"coordinates\":"
                "[[[[5,5,210],[6,5,212.5],[6,6,0],[5,6,-3],[5,5,210]]]]}");
    char *doc = collection(&b);
    struct tz_geo_districts d;
    struct tz_geo_problems ps;
    assert_int_equal(tz_geo_parse_districts(doc, strlen(doc), &d, &ps), TZ_OK);
    assert_int_equal(ps.count, 0);
    assert_int_equal(d.count, 4);
    assert_string_equal(d.items[0].id, "A-1");
    assert_string_equal(d.items[0].name, "Kazimierz");
    assert_string_equal(d.items[0].unit, "Komisariat Policji I w Krakowie");
    assert_string_equal(d.items[0].officer, "asp. Anna Nowak");
    assert_string_equal(d.items[0].geometry,
                        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}");
    assert_string_equal(d.items[1].id, "7");
    assert_string_equal(d.items[1].geometry, SQUARE_B);
    assert_string_equal(d.items[2].id, "C");
    assert_string_equal(d.items[3].id, "D");
    assert_string_equal(d.items[3].geometry, "{\"type\":\"MultiPolygon\",\"coordinates\":"
                                             "[[[[5,5],[6,5],[6,6],[5,6],[5,5]]]]}");
    tz_geo_districts_free(&d);
    assert_null(d.items);
    tz_geo_problems_free(&ps);
    free(doc);
}

static void parse_refuses_what_is_not_a_feature_collection(void **state)
{
    const char *docs[] = {
        "{",
        "",
        "{\"type\":\"FeatureCollection\",\"type\":\"FeatureCollection\",\"features\":[]}",
        "[]",
        "{\"type\":\"Feature\",\"properties\":{},\"geometry\":" SQUARE_A "}",
        "{\"type\":\"FeatureCollection\"}",
        "{\"type\":\"FeatureCollection\",\"features\":{}}",
    };
    for (size_t k = 0; k < sizeof docs / sizeof docs[0]; k++) {
        struct tz_geo_problems ps = refuse(docs[k]);
        assert_int_equal(ps.count, 1);
        assert_int_equal(ps.items[0].index, TZ_GEO_DOCUMENT);
        assert_null(ps.items[0].id);
        tz_geo_problems_free(&ps);
    }
    struct tz_geo_problems ps = refuse("{ \"type\": 1 }");
    assert_non_null(strstr(ps.items[0].message, "FeatureCollection"));
    tz_geo_problems_free(&ps);

    /* Bytes past the maximum are refused before anything is read. */
    struct tz_geo_districts d;
    assert_int_equal(tz_geo_parse_districts("{}", (size_t)TZ_GEO_MAX_DOCUMENT + 1, &d, &ps),
                     TZ_ETOOBIG);
    assert_int_equal(d.count, 0);
    tz_geo_problems_free(&ps);
}

static void parse_refuses_a_feature_without_id(void **state)
{
    struct tz_geo_problems ps;
    struct tz_geo_problem *p = one_problem(&ps, NULL, PROPS, SQUARE_A, "id");
    assert_null(p->id);
    tz_geo_problems_free(&ps);
    p = one_problem(&ps, "\"id\":\"\"", PROPS, SQUARE_A, "id");
    tz_geo_problems_free(&ps);
    p = one_problem(&ps, "\"id\":true", PROPS, SQUARE_A, "id");
    tz_geo_problems_free(&ps);
    p = one_problem(&ps,
                    "\"id\":\"0123456789012345678901234567890123456789012345678901234567890123\"",
                    PROPS, SQUARE_A, "63");
    tz_geo_problems_free(&ps);
}

static void parse_refuses_duplicate_ids(void **state)
{
    struct tz_buf b;
    tz_buf_init(&b, 1 << 20);
    assert_int_equal(tz_buf_puts(&b, "["), TZ_OK);
    add_feature(&b, "\"id\":\"A\"", PROPS, SQUARE_A);
    add_feature(&b, "\"id\":\"B\"", PROPS, SQUARE_B);
    add_feature(&b, "\"id\":\"A\"", PROPS, SQUARE_C);
    char *doc = collection(&b);
    struct tz_geo_problems ps = refuse(doc);
    assert_int_equal(ps.count, 1);
    assert_int_equal(ps.items[0].index, 2);
    assert_string_equal(ps.items[0].id, "A");
    assert_non_null(strstr(ps.items[0].message, "feature 0"));
    tz_geo_problems_free(&ps);
    free(doc);
}

static void parse_refuses_missing_or_bad_properties(void **state)
{
    static const struct {
        const char *props, *needle;
    } cases[] = {
        {"\"unit\":\"KP I\",\"officer\":\"asp. Jan Kowal\"", "\"name\" is missing"},
        {"\"name\":\"\",\"unit\":\"KP I\",\"officer\":\"asp. Jan Kowal\"", "\"name\" is empty"},
        {"\"name\":\"R\",\"unit\":\"   \",\"officer\":\"asp. Jan Kowal\"", "\"unit\" is empty"},
        {"\"name\":\"R\",\"unit\":\"KP I\",\"officer\":17", "\"officer\" must be a string"},
        {"\"name\":\"R\",\"unit\":null,\"officer\":\"x\"", "\"unit\" is missing"},
        {"\"name\":\"a\\nb\",\"unit\":\"KP I\",\"officer\":\"x\"", "control"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct tz_geo_problems ps;
        struct tz_geo_problem *p =
            one_problem(&ps, "\"id\":\"R1\"", cases[k].props, SQUARE_A, cases[k].needle);
        assert_string_equal(p->id, "R1");
        tz_geo_problems_free(&ps);
    }
    char props[400];
    char name[202];
    memset(name, 'x', 201);
    name[201] = '\0';
    snprintf(props, sizeof props, "\"name\":\"%s\",\"unit\":\"u\",\"officer\":\"o\"", name);
    struct tz_geo_problems ps;
    one_problem(&ps, "\"id\":\"R1\"", props, SQUARE_A, "longer than 200");
    tz_geo_problems_free(&ps);
}

static void parse_refuses_bad_geometry(void **state)
{
    static const struct {
        const char *geometry, *needle;
    } cases[] = {
        {"{\"type\":\"Point\",\"coordinates\":[0.5,0.5]}", "Polygon or MultiPolygon, not a Point"},
        {"null", "no geometry"},
        /* A bow-tie: the ring crosses itself at (1, 1). */
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}", "invalid"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0.5]]]}",
         "not closed"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}", "at least 4"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[181,0],[181,1],[0,1],[0,0]]]}",
         "longitude 181"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,-91],[0,1],[0,0]]]}",
         "latitude -91"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,\"0\"],[1,1],[0,1],[0,0]]]}",
         "[longitude, latitude]"},
        {"{\"type\":\"Polygon\",\"coordinates\":[]}", "no coordinates"},
        {"{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],5]}",
         "polygon 2"},
        {"{\"type\":\"Circle\",\"coordinates\":[]}", "Polygon or MultiPolygon"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct tz_geo_problems ps;
        struct tz_geo_problem *p =
            one_problem(&ps, "\"id\":\"G\"", PROPS, cases[k].geometry, cases[k].needle);
        assert_string_equal(p->id, "G");
        tz_geo_problems_free(&ps);
    }
}

static void parse_refuses_overlapping_districts(void **state)
{
    struct tz_buf b;
    tz_buf_init(&b, 1 << 20);
    assert_int_equal(tz_buf_puts(&b, "["), TZ_OK);
    add_feature(&b, "\"id\":\"A\"", PROPS, SQUARE_A);
    add_feature(&b, "\"id\":\"B\"", PROPS, SQUARE_B); /* shares a border with A: fine */
    add_feature(&b, "\"id\":\"X\"", PROPS,
                "{\"type\":\"Polygon\",\"coordinates\":[[[0.5,0.5],[0.9,0.5],[0.9,2.5],"
                "[0.5,2.5],[0.5,0.5]]]}"); /* over A and C */
    add_feature(&b, "\"id\":\"C\"", PROPS, SQUARE_C);
    char *doc = collection(&b);
    struct tz_geo_problems ps = refuse(doc);
    assert_int_equal(ps.count, 4);
    assert_int_equal(ps.items[0].index, 0);
    assert_string_equal(ps.items[0].id, "A");
    assert_non_null(strstr(ps.items[0].message, "\"X\""));
    assert_int_equal(ps.items[1].index, 2);
    assert_string_equal(ps.items[1].id, "X");
    assert_non_null(strstr(ps.items[1].message, "\"A\""));
    assert_int_equal(ps.items[2].index, 2);
    assert_non_null(strstr(ps.items[2].message, "\"C\""));
    assert_int_equal(ps.items[3].index, 3);
    assert_string_equal(ps.items[3].id, "C");
    assert_non_null(strstr(ps.items[3].message, "\"X\""));
    tz_geo_problems_free(&ps);
    free(doc);
}

static void parse_accepts_float_noise_along_a_border(void **state)
{
    /* B reaches 1e-12 degrees into A: a sliver of 1e-12 deg^2, float noise, not an overlap. */
    struct tz_buf b;
    tz_buf_init(&b, 1 << 20);
    assert_int_equal(tz_buf_puts(&b, "["), TZ_OK);
    add_feature(&b, "\"id\":\"A\"", PROPS, SQUARE_A);
    add_feature(&b, "\"id\":\"B\"", PROPS,
                "{\"type\":\"Polygon\",\"coordinates\":[[[0.999999999999,0],[2,0],[2,1],"
                "[0.999999999999,1],[0.999999999999,0]]]}");
    char *doc = collection(&b);
    struct tz_geo_districts d;
    assert_int_equal(tz_geo_parse_districts(doc, strlen(doc), &d, NULL), TZ_OK); /* no list */
    assert_int_equal(d.count, 2);
    tz_geo_districts_free(&d);
    free(doc);
}

static void parse_reports_every_bad_feature(void **state)
{
    struct tz_buf b;
    tz_buf_init(&b, 1 << 20);
    assert_int_equal(tz_buf_puts(&b, "["), TZ_OK);
    add_feature(&b, "\"id\":\"ok\"", PROPS, SQUARE_A);
    add_feature(&b, "\"id\":\"noname\"", "\"unit\":\"u\",\"officer\":\"o\"", SQUARE_B);
    add_feature(&b, "\"id\":\"bowtie\"", PROPS,
                "{\"type\":\"Polygon\",\"coordinates\":[[[5,5],[7,7],[7,5],[5,7],[5,5]]]}");
    add_feature(&b, "\"id\":\"ok\"", PROPS, SQUARE_C);
    add_feature(&b, NULL, "\"officer\":\"\"", "{\"type\":\"Point\",\"coordinates\":[0,0]}");
    char *doc = collection(&b);
    struct tz_geo_problems ps = refuse(doc);
    size_t per_feature[5] = {0};
    for (size_t i = 0; i < ps.count; i++) {
        assert_true(ps.items[i].index < 5);
        per_feature[ps.items[i].index]++;
        if (i)
            assert_true(ps.items[i - 1].index <= ps.items[i].index); /* sorted by feature */
    }
    assert_int_equal(per_feature[0], 0);
    assert_int_equal(per_feature[1], 1);
    assert_int_equal(per_feature[2], 1);
    assert_int_equal(per_feature[3], 1); /* the duplicate id */
    assert_int_equal(per_feature[4], 5); /* no id, no name, no unit, empty officer, a Point */
    assert_string_equal(ps.items[0].id, "noname");
    assert_string_equal(ps.items[1].id, "bowtie");
    assert_string_equal(ps.items[2].id, "ok");
    assert_null(ps.items[3].id);
    tz_geo_problems_free(&ps);
    free(doc);
}

static void demo_districts_cover_krakow(void **state)
{
    struct tz_geo_districts demo;
    assert_int_equal(tz_geo_demo_districts(&demo), TZ_OK);
    assert_in_range(demo.count, 35, 45);

    /* Every id unique, every field there; the set passes the importer as a collection. */
    struct tz_buf b;
    tz_buf_init(&b, 16u << 20);
    assert_int_equal(tz_buf_puts(&b, "["), TZ_OK);
    for (size_t i = 0; i < demo.count; i++) {
        struct tz_geo_district *d = &demo.items[i];
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(d->id, demo.items[j].id);
            assert_string_not_equal(d->name, demo.items[j].name);
        }
        assert_non_null(strstr(d->unit, "Komisariat Policji "));
        assert_true(strlen(d->officer) > 5);
        char id[96];
        snprintf(id, sizeof id, "\"id\":\"%s\"", d->id);
        struct tz_buf props;
        tz_buf_init(&props, 4096);
        assert_int_equal(tz_buf_puts(&props, "\"name\":"), TZ_OK);
        assert_int_equal(tz_buf_json_string(&props, d->name, strlen(d->name)), TZ_OK);
        assert_int_equal(tz_buf_puts(&props, ",\"unit\":"), TZ_OK);
        assert_int_equal(tz_buf_json_string(&props, d->unit, strlen(d->unit)), TZ_OK);
        assert_int_equal(tz_buf_puts(&props, ",\"officer\":"), TZ_OK);
        assert_int_equal(tz_buf_json_string(&props, d->officer, strlen(d->officer)), TZ_OK);
        add_feature(&b, id, props.data, d->geometry);
        tz_buf_free(&props);
    }
    char *doc = collection(&b);
    struct tz_geo_districts parsed;
    struct tz_geo_problems ps;
    tz_err err = tz_geo_parse_districts(doc, strlen(doc), &parsed, &ps);
    for (size_t i = 0; i < ps.count; i++)
        fprintf(stderr, "demo problem %zu: %s\n", ps.items[i].index, ps.items[i].message);
    assert_int_equal(err, TZ_OK);
    assert_int_equal(parsed.count, demo.count);
    for (size_t i = 0; i < demo.count; i++)
        assert_string_equal(parsed.items[i].geometry, demo.items[i].geometry); /* canonical */

    const char **geoms = calloc(demo.count, sizeof *geoms);
    assert_non_null(geoms);
    for (size_t i = 0; i < demo.count; i++)
        geoms[i] = demo.items[i].geometry;
    struct tz_router *r = build(geoms, demo.count);
    size_t i = 0;
    assert_int_equal(tz_router_locate(r, 50.0617, 19.9373, &i), TZ_OK); /* Rynek Główny */
    assert_string_equal(demo.items[i].name, "Stare Miasto");
    assert_string_equal(demo.items[i].unit, "Komisariat Policji I w Krakowie");
    assert_int_equal(tz_router_locate(r, 50.0717, 20.0376, &i), TZ_OK); /* Plac Centralny */
    assert_string_equal(demo.items[i].name, "Nowa Huta");
    assert_string_equal(demo.items[i].unit, "Komisariat Policji VII w Krakowie");
    assert_int_equal(tz_router_locate(r, 50.0210, 19.8200, &i), TZ_OK); /* Tyniec */
    assert_string_equal(demo.items[i].name, "Tyniec");
    assert_int_equal(tz_router_locate(r, 52.2297, 21.0122, &i), TZ_EOUTSIDE); /* Warszawa */
    /* No gaps: a grid over the middle of the city routes everywhere. */
    for (double lat = 50.02; lat <= 50.085; lat += 0.005)
        for (double lon = 19.86; lon <= 20.05; lon += 0.005)
            if (tz_router_locate(r, lat, lon, &i) != TZ_OK)
                fail_msg("(%g, %g) is in no demo district", lat, lon);
    tz_router_free(r);
    free(geoms);
    tz_geo_districts_free(&parsed);
    tz_geo_problems_free(&ps);
    tz_geo_districts_free(&demo);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(router_finds_inside_and_outside),
        cmocka_unit_test(router_gives_borders_to_the_lowest_index),
        cmocka_unit_test(router_handles_multipolygons_with_holes),
        cmocka_unit_test(router_refuses_non_finite_input),
        cmocka_unit_test(router_refuses_bad_geometry),
        cmocka_unit_test(router_handles_a_district_of_thousands_of_vertices),
        cmocka_unit_test(router_is_safe_from_many_threads),
        cmocka_unit_test(parse_reads_a_valid_collection),
        cmocka_unit_test(parse_refuses_what_is_not_a_feature_collection),
        cmocka_unit_test(parse_refuses_a_feature_without_id),
        cmocka_unit_test(parse_refuses_duplicate_ids),
        cmocka_unit_test(parse_refuses_missing_or_bad_properties),
        cmocka_unit_test(parse_refuses_bad_geometry),
        cmocka_unit_test(parse_refuses_overlapping_districts),
        cmocka_unit_test(parse_accepts_float_noise_along_a_border),
        cmocka_unit_test(parse_reports_every_bad_feature),
        cmocka_unit_test(demo_districts_cover_krakow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
