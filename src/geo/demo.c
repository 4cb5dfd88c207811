/*
 * demo.c - the demo districts: Kraków cut into 42 police districts.
 *
 * A hand-drawn outline of the city (26 vertices, close to the real boundary
 * at the scale of a demo) is divided among seed points placed at the real
 * centres of 42 neighbourhoods: each district is the Voronoi cell of its seed
 * (GEOSVoronoiDiagram) clipped to the outline, so each neighbourhood's name
 * sits where a Kraków resident would look for it, the districts share their
 * borders exactly, and together they cover the city. Each neighbourhood
 * belongs to a plausible one of the city's seven komisariats; the officers
 * are fictional, drawn from common Polish names by a fixed-seed generator of
 * our own, so every run yields the same districts.
 */
#include "geo/geo.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "geo/geos_util.h"

/* The city boundary, [lon, lat], counterclockwise from the west; not closed here. */
static const double outline[][2] = {
    {19.792, 50.010}, {19.830, 49.995}, {19.870, 49.990}, {19.910, 49.975}, {19.950, 49.967},
    {19.990, 49.975}, {20.030, 49.990}, {20.060, 50.010}, {20.110, 50.035}, {20.160, 50.040},
    {20.200, 50.045}, {20.217, 50.068}, {20.185, 50.085}, {20.140, 50.092}, {20.100, 50.100},
    {20.060, 50.112}, {20.020, 50.110}, {19.985, 50.118}, {19.950, 50.123}, {19.920, 50.126},
    {19.905, 50.112}, {19.875, 50.100}, {19.845, 50.088}, {19.825, 50.062}, {19.800, 50.040},
    {19.790, 50.025},
};
#define OUTLINE_N (sizeof outline / sizeof outline[0])

/* The city's komisariats, numbered as the seeds name them (1 = I ... 7 = VII). */
static const char *const units[] = {
    NULL,
    "Komisariat Policji I w Krakowie",
    "Komisariat Policji II w Krakowie",
    "Komisariat Policji III w Krakowie",
    "Komisariat Policji IV w Krakowie",
    "Komisariat Policji V w Krakowie",
    "Komisariat Policji VI w Krakowie",
    "Komisariat Policji VII w Krakowie",
};

/* A neighbourhood: its name, roughly where its centre is, and its komisariat. */
struct seed {
    const char *name;
    double lon, lat;
    int unit;
};

static const struct seed seeds[] = {
    /* I: Śródmieście */
    {"Stare Miasto", 19.9373, 50.0617, 1},
    {"Kazimierz", 19.9455, 50.0510, 1},
    {"Stradom", 19.9395, 50.0555, 1},
    {"Grzegórzki", 19.9640, 50.0600, 1},
    /* II: Krowodrza, Bronowice, Zwierzyniec */
    {"Krowodrza", 19.9250, 50.0740, 2},
    {"Łobzów", 19.9090, 50.0790, 2},
    {"Bronowice", 19.8830, 50.0830, 2},
    {"Azory", 19.9120, 50.0930, 2},
    {"Mydlniki", 19.8620, 50.0840, 2},
    {"Zwierzyniec", 19.9130, 50.0560, 2},
    {"Salwator", 19.8960, 50.0530, 2},
    {"Wola Justowska", 19.8720, 50.0640, 2},
    {"Olszanica", 19.8500, 50.0700, 2},
    /* IV: Dębniki and the south-west */
    {"Dębniki", 19.9220, 50.0470, 4},
    {"Ludwinów", 19.9330, 50.0430, 4},
    {"Ruczaj", 19.9000, 50.0220, 4},
    {"Tyniec", 19.8230, 50.0200, 4},
    {"Kliny", 19.9080, 50.0050, 4},
    /* V: Prądnik and the north */
    {"Prądnik Biały", 19.9260, 50.0960, 5},
    {"Prądnik Czerwony", 19.9650, 50.0880, 5},
    {"Tonie", 19.9200, 50.1150, 5},
    {"Witkowice", 19.9480, 50.1130, 5},
    {"Górka Narodowa", 19.9500, 50.1010, 5},
    {"Batowice", 19.9880, 50.1080, 5},
    {"Olsza", 19.9640, 50.0740, 5},
    /* VI: Podgórze, Płaszów and the south-east */
    {"Podgórze", 19.9540, 50.0430, 6},
    {"Zabłocie", 19.9620, 50.0480, 6},
    {"Płaszów", 19.9820, 50.0380, 6},
    {"Prokocim", 20.0030, 50.0190, 6},
    {"Bieżanów", 20.0330, 50.0150, 6},
    {"Łagiewniki", 19.9360, 50.0230, 6},
    {"Borek Fałęcki", 19.9220, 50.0130, 6},
    {"Swoszowice", 19.9380, 49.9880, 6},
    {"Kurdwanów", 19.9560, 50.0110, 6},
    {"Wola Duchacka", 19.9620, 50.0260, 6},
    /* VII: Nowa Huta, centre */
    {"Nowa Huta", 20.0370, 50.0720, 7},
    {"Czyżyny", 20.0020, 50.0700, 7},
    {"Mistrzejowice", 20.0050, 50.0970, 7},
    {"Bieńczyce", 20.0280, 50.0860, 7},
    /* III: Nowa Huta, east */
    {"Wzgórza Krzesławickie", 20.0650, 50.0960, 3},
    {"Pleszów", 20.0900, 50.0620, 3},
    {"Wyciąże", 20.1550, 50.0600, 3},
};
#define SEEDS_N (sizeof seeds / sizeof seeds[0])

static const char *const ranks[] = {"st. post.", "sierż.", "st. sierż.", "sierż. szt.",
                                    "mł. asp.",  "asp.",   "st. asp.",   "asp. szt."};
static const char *const women[] = {"Anna",    "Katarzyna", "Magdalena",  "Agnieszka",
                                    "Joanna",  "Ewa",       "Monika",     "Barbara",
                                    "Justyna", "Karolina",  "Aleksandra", "Dorota"};
static const char *const men[] = {"Piotr",  "Tomasz", "Marcin",   "Paweł",    "Michał", "Krzysztof",
                                  "Łukasz", "Jakub",  "Grzegorz", "Wojciech", "Marek",  "Andrzej"};
/* Surnames as {a man's form, a woman's form}. */
static const char *const surnames[][2] = {
    {"Nowak", "Nowak"},
    {"Kowalski", "Kowalska"},
    {"Wiśniewski", "Wiśniewska"},
    {"Wójcik", "Wójcik"},
    {"Kowalczyk", "Kowalczyk"},
    {"Kamiński", "Kamińska"},
    {"Lewandowski", "Lewandowska"},
    {"Zieliński", "Zielińska"},
    {"Szymański", "Szymańska"},
    {"Woźniak", "Woźniak"},
    {"Dąbrowski", "Dąbrowska"},
    {"Kozłowski", "Kozłowska"},
    {"Mazur", "Mazur"},
    {"Jankowski", "Jankowska"},
    {"Kwiatkowski", "Kwiatkowska"},
    {"Krawczyk", "Krawczyk"},
    {"Piotrowski", "Piotrowska"},
    {"Grabowski", "Grabowska"},
    {"Pawłowski", "Pawłowska"},
    {"Michalski", "Michalska"},
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* splitmix64: small, fast and the same everywhere, unlike rand(). */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t pick(uint64_t *state, size_t n)
{
    return (size_t)(next_random(state) % n);
}

#define NAME_MAX_LEN 64

/* Writes a fictional "rank first last" to out, a name not among the n in taken, and adds it. */
static void make_officer(uint64_t *state, char taken[][NAME_MAX_LEN], size_t n, char *out,
                         size_t size)
{
    /* 480 names for 42 districts: a few draws find a new one; the bound is for the reader. */
    for (int attempt = 0; attempt < 1000; attempt++) {
        int woman = (int)pick(state, 2);
        const char *first = woman ? women[pick(state, COUNT(women))] : men[pick(state, COUNT(men))];
        const char *last = surnames[pick(state, COUNT(surnames))][woman];
        snprintf(taken[n], NAME_MAX_LEN, "%s %s", first, last);
        size_t k = 0;
        while (k < n && strcmp(taken[k], taken[n]) != 0)
            k++;
        if (k == n)
            break;
    }
    snprintf(out, size, "%s %s", ranks[pick(state, COUNT(ranks))], taken[n]);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

/* The outline as a GEOS polygon. */
static GEOSGeometry *make_outline(GEOSContextHandle_t h)
{
    GEOSCoordSequence *seq = GEOSCoordSeq_create_r(h, OUTLINE_N + 1, 2);
    if (!seq)
        return NULL;
    for (size_t i = 0; i <= OUTLINE_N; i++) {
        const double *p = outline[i % OUTLINE_N];
        GEOSCoordSeq_setXY_r(h, seq, (unsigned)i, p[0], p[1]);
    }
    /* Each constructor takes ownership of its argument. */
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(h, seq);
    return ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
}

/* The seeds as one MultiPoint. */
static GEOSGeometry *make_sites(GEOSContextHandle_t h)
{
    GEOSGeometry *points[SEEDS_N];
    for (size_t i = 0; i < SEEDS_N; i++) {
        points[i] = GEOSGeom_createPointFromXY_r(h, seeds[i].lon, seeds[i].lat);
        if (!points[i]) {
            while (i-- > 0)
                GEOSGeom_destroy_r(h, points[i]);
            return NULL;
        }
    }
    GEOSGeometry *mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, points, SEEDS_N);
    if (!mp)
        for (size_t i = 0; i < SEEDS_N; i++)
            GEOSGeom_destroy_r(h, points[i]);
    return mp;
}

/* Keeps only the polygons of g (an intersection may add stray lines); takes g. */
static GEOSGeometry *polygonal(GEOSContextHandle_t h, GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON)
        return g;
    int n = GEOSGetNumGeometries_r(h, g);
    GEOSGeometry *parts[SEEDS_N * 4];
    unsigned m = 0;
    for (int i = 0; i < n && m < COUNT(parts); i++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, i);
        if (GEOSGeomTypeId_r(h, part) == GEOS_POLYGON && (parts[m] = GEOSGeom_clone_r(h, part)))
            m++;
    }
    GEOSGeom_destroy_r(h, g);
    GEOSGeometry *mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, m);
    if (!mp)
        for (unsigned i = 0; i < m; i++)
            GEOSGeom_destroy_r(h, parts[i]);
    return mp;
}

/*
 * Clips the Voronoi cell of each seed to the outline, in seed order. The
 * diagram lists its cells in an order of its own (GEOS 3.11 cannot keep the
 * input's), so each cell is matched to the seed it contains.
 */
static tz_err make_cells(GEOSContextHandle_t h, const GEOSGeometry *city,
                         GEOSGeometry *cells[SEEDS_N])
{
    tz_err err = TZ_ENOMEM;
    GEOSGeometry *sites = make_sites(h);
    GEOSGeometry *diagram = sites ? GEOSVoronoiDiagram_r(h, sites, city, 0.0, 0) : NULL;
    if (!diagram || GEOSGetNumGeometries_r(h, diagram) != (int)SEEDS_N)
        goto done;
    for (int c = 0; c < (int)SEEDS_N; c++) {
        const GEOSGeometry *cell = GEOSGetGeometryN_r(h, diagram, c);
        const GEOSGeometry *site = NULL;
        size_t s = 0;
        for (; s < SEEDS_N; s++) {
            site = GEOSGetGeometryN_r(h, sites, (int)s);
            if (GEOSContains_r(h, cell, site) == 1)
                break;
        }
        if (s == SEEDS_N || cells[s]) {
            err = TZ_EINVAL; /* the seeds are wrong: two at one place, or one outside */
            goto done;
        }
        GEOSGeometry *clipped = GEOSIntersection_r(h, cell, city);
        if (!clipped || !(cells[s] = polygonal(h, clipped)))
            goto done;
    }
    err = TZ_OK;
done:
    if (diagram)
        GEOSGeom_destroy_r(h, diagram);
    if (sites)
        GEOSGeom_destroy_r(h, sites);
    return err;
}

/* Proves the cells valid and tiling the city: their areas add up to the outline's. */
static tz_err check_cells(GEOSContextHandle_t h, const GEOSGeometry *city,
                          GEOSGeometry *const cells[SEEDS_N])
{
    double total = 0, whole = 0;
    for (size_t s = 0; s < SEEDS_N; s++) {
        double a = 0;
        GEOSGeometry *seed = GEOSGeom_createPointFromXY_r(h, seeds[s].lon, seeds[s].lat);
        char ok = seed && GEOSisValid_r(h, cells[s]) == 1 && GEOSArea_r(h, cells[s], &a) && a > 0 &&
                  GEOSContains_r(h, cells[s], seed) == 1;
        if (seed)
            GEOSGeom_destroy_r(h, seed);
        if (!ok)
            return TZ_EINVAL;
        total += a;
    }
    if (!GEOSArea_r(h, city, &whole) || fabs(total - whole) > 1e-9 * whole)
        return TZ_EINVAL;
    return TZ_OK;
}

tz_err tz_geo_demo_districts(struct tz_geo_districts *out)
{
    struct geo_ctx ctx = {0};
    GEOSGeometry *city = NULL;
    GEOSGeometry *cells[SEEDS_N] = {0};
    struct tz_geo_district *items = calloc(SEEDS_N, sizeof *items);
    uint64_t state = 0x4b52414b4f57u; /* "KRAKOW": any fixed value keeps the demo stable */
    char taken[SEEDS_N][NAME_MAX_LEN];
    tz_err err = TZ_ENOMEM;
    out->items = NULL;
    out->count = 0;
    if (!items || geo_ctx_init(&ctx) || !(city = make_outline(ctx.h)))
        goto done;
    if ((err = make_cells(ctx.h, city, cells)) || (err = check_cells(ctx.h, city, cells)))
        goto done;
    for (size_t s = 0; s < SEEDS_N; s++) {
        struct tz_geo_district *d = &items[s];
        char id[16], officer[128];
        struct tz_buf geometry;
        snprintf(id, sizeof id, "KRK-%02zu", s + 1);
        make_officer(&state, taken, s, officer, sizeof officer);
        tz_buf_init(&geometry, 1u << 20);
        err = geo_write_geojson(ctx.h, cells[s], &geometry);
        d->geometry = err ? NULL : tz_buf_take(&geometry);
        tz_buf_free(&geometry);
        d->id = dup_str(id);
        d->name = dup_str(seeds[s].name);
        d->unit = dup_str(units[seeds[s].unit]);
        d->officer = dup_str(officer);
        if (err || !d->geometry || !d->id || !d->name || !d->unit || !d->officer) {
            err = err ? err : TZ_ENOMEM;
            out->items = items;
            out->count = s + 1;
            tz_geo_districts_free(out); /* frees the half-made one too */
            items = NULL;
            goto done;
        }
    }
    out->items = items;
    out->count = SEEDS_N;
    items = NULL;
    err = TZ_OK;
done:
    free(items);
    for (size_t s = 0; s < SEEDS_N; s++)
        if (cells[s])
            GEOSGeom_destroy_r(ctx.h, cells[s]);
    if (city)
        GEOSGeom_destroy_r(ctx.h, city);
    geo_ctx_finish(&ctx);
    return err;
}
