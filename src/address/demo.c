/*
 * demo.c - demo addresses for `tarcza demo`: real Kraków street names laid
 * out as straight lines from a point near where each really runs, numbers
 * odd on one side and even on the other every 12 metres, kept where they fall
 * inside the demo districts. The same on every call for the same seed.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address/address.h"
#include "geo/geo.h"

#define PI 3.14159265358979323846
#define SPACING_M 12.0
#define SIDE_M 10.0

/* A street: its name, where its number 1 is, its bearing (degrees from north) and postcode. */
struct demo_street {
    const char *name;
    double lat, lon, bearing;
    const char *postcode;
};

static const struct demo_street streets[] = {
    {"Floriańska", 50.0621, 19.9392, 10, "31-019"},
    {"Grodzka", 50.0598, 19.9376, 190, "31-006"},
    {"Szewska", 50.0618, 19.9358, 290, "31-009"},
    {"Sławkowska", 50.0625, 19.9378, 355, "31-014"},
    {"Karmelicka", 50.0640, 19.9327, 315, "31-128"},
    {"Długa", 50.0668, 19.9372, 5, "31-147"},
    {"Józefa Dietla", 50.0545, 19.9370, 95, "31-070"},
    {"Starowiślna", 50.0585, 19.9432, 145, "31-038"},
    {"Józefińska", 50.0488, 19.9452, 185, "30-529"},
    {"Kalwaryjska", 50.0450, 19.9445, 180, "30-504"},
    {"Wielicka", 50.0420, 19.9610, 130, "30-552"},
    {"Zakopiańska", 50.0300, 19.9310, 190, "30-418"},
    {"Aleja Adama Mickiewicza", 50.0585, 19.9230, 5, "30-059"},
    {"Aleja 29 Listopada", 50.0740, 19.9455, 30, "31-425"},
    {"Mogilska", 50.0680, 19.9610, 80, "31-545"},
    {"Aleja Jana Pawła II", 50.0700, 19.9880, 75, "31-864"},
    {"Lubicz", 50.0650, 19.9480, 85, "31-503"},
    {"Zwierzyniecka", 50.0565, 19.9325, 265, "31-105"},
    {"Tadeusza Kościuszki", 50.0545, 19.9210, 260, "30-114"},
    {"Czarnowiejska", 50.0670, 19.9160, 280, "30-054"},
    {"Królewska", 50.0730, 19.9200, 310, "30-040"},
    {"Nowohucka", 50.0500, 19.9920, 10, "30-728"},
    {"Aleja Pokoju", 50.0605, 19.9700, 90, "31-548"},
    {"Prądnicka", 50.0790, 19.9300, 355, "31-202"},
    {"Opolska", 50.0910, 19.9350, 270, "31-323"},
    {"Tadeusza Bora-Komorowskiego", 50.0900, 19.9700, 90, "31-476"},
    {"Kapelanka", 50.0440, 19.9210, 200, "30-347"},
    {"Limanowskiego", 50.0455, 19.9500, 170, "30-551"},
    {"Rakowicka", 50.0690, 19.9500, 40, "31-510"},
    {"Aleja Krasińskiego", 50.0580, 19.9260, 350, "31-111"},
};

/* The producer over the generated points (tz_store_put_addresses). */
struct demo_gen {
    struct tz_router *router;
    uint64_t rng;
    size_t street, number, count; /* the next to make; count of this street's numbers */
};

static uint64_t next_rng(uint64_t *s)
{
    *s ^= *s << 13; /* xorshift64: enough for made-up house counts */
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* The point of number n on street s: along its bearing, odd numbers left, even right. */
static void place(const struct demo_street *s, size_t n, double *lat, double *lon)
{
    double along = (double)((n - 1) / 2) * SPACING_M, side = n % 2 ? -SIDE_M : SIDE_M;
    double b = s->bearing * PI / 180.0;
    double north = along * cos(b) - side * sin(b), east = along * sin(b) + side * cos(b);
    *lat = s->lat + north / 111320.0;
    *lon = s->lon + east / (111320.0 * cos(s->lat * PI / 180.0));
}

static tz_err next(void *ctx, struct tz_address_rec *rec)
{
    struct demo_gen *g = ctx;
    size_t nstreets = sizeof streets / sizeof streets[0];
    while (g->street < nstreets) {
        if (g->number > g->count) {
            g->street++;
            g->number = 1;
            g->count = 20 + next_rng(&g->rng) % 100;
            continue;
        }
        const struct demo_street *s = &streets[g->street];
        size_t n = g->number++, district;
        memset(rec, 0, sizeof *rec);
        place(s, n, &rec->lat, &rec->lon);
        if (tz_router_locate(g->router, rec->lat, rec->lon, &district) != TZ_OK)
            continue; /* outside the demo districts */
        snprintf(rec->locality, sizeof rec->locality, "Kraków");
        snprintf(rec->street, sizeof rec->street, "%s", s->name);
        snprintf(rec->number, sizeof rec->number, "%zu", n);
        snprintf(rec->postcode, sizeof rec->postcode, "%s", s->postcode);
        return TZ_OK;
    }
    return TZ_ENOTFOUND;
}

tz_err tz_address_demo(struct tz_store *store, uint64_t seed, const struct tz_audit_rec *audit,
                       size_t *count)
{
    struct tz_geo_districts d = {0};
    const char **geoms = NULL;
    struct demo_gen g = {.rng = seed | 1, .number = 1};
    *count = 0;
    tz_err err = tz_geo_demo_districts(&d);
    if (!err && !(geoms = calloc(d.count ? d.count : 1, sizeof *geoms)))
        err = TZ_ENOMEM;
    for (size_t i = 0; !err && i < d.count; i++)
        geoms[i] = d.items[i].geometry;
    if (!err)
        err = tz_router_build(geoms, d.count, &g.router);
    g.count = 20 + next_rng(&g.rng) % 100;
    if (!err)
        err = tz_store_put_addresses(store, next, &g, audit, count);
    tz_router_free(g.router);
    free(geoms);
    tz_geo_districts_free(&d);
    return err;
}
