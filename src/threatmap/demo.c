/*
 * demo.c - realistic demo data: the Kraków districts and reports clustered
 * the way real ones are (around the old town, stations, estates), with
 * KMZB's category frequencies (DESIGN 1.1: ~46 % illegal parking, ~20 %
 * speeding, ~10 % alcohol in public) and a workflow history that matches each
 * report's age. Deterministic for a seed, so tests and benchmarks repeat.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tztime.h"
#include "threatmap/internal.h"

#define DEMO_BATCH 2000
#define DEMO_SPAN (365 * 86400) /* seconds of history the demo covers */

/* splitmix64: small, fast and good enough for demo data (not for secrets). */
struct demo_rng {
    uint64_t state;
};

static uint64_t rng_next(struct demo_rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_unit(struct demo_rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Standard normal, by Box-Muller. */
static double rng_normal(struct demo_rng *r)
{
    double u = rng_unit(r), v = rng_unit(r);
    return sqrt(-2.0 * log(u + 1e-300)) * cos(2.0 * M_PI * v);
}

struct hot_spot {
    double lat, lon, sigma_m, weight;
};

/* Where reports gather in Kraków: the old town, stations, big estates. */
static const struct hot_spot hot_spots[] = {
    {50.0617, 19.9373, 450, 10}, /* Rynek Główny */
    {50.0513, 19.9450, 350, 6},  /* Kazimierz */
    {50.0677, 19.9475, 300, 5},  /* Dworzec Główny */
    {50.0720, 20.0370, 650, 5},  /* Nowa Huta, plac Centralny */
    {50.0820, 19.8900, 700, 3},  /* Bronowice */
    {50.0230, 19.9120, 600, 3},  /* Ruczaj */
    {50.0100, 19.9600, 500, 3},  /* Kurdwanów */
    {50.0900, 19.9300, 600, 3},  /* Prądnik Biały */
    {50.0700, 20.0100, 500, 2},  /* Czyżyny */
    {50.0440, 19.9560, 400, 3},  /* Podgórze */
    {50.0600, 19.9150, 300, 2},  /* Błonia */
};

struct weighted_category {
    const char *code;
    double weight;
    const char *description; /* a typical Polish description, or NULL */
};

static const struct weighted_category mix[] = {
    {"illegal_parking", 46, "Samochody parkują na chodniku i zasłaniają przejście dla pieszych."},
    {"speeding", 20, "Kierowcy bardzo szybko jeżdżą obok szkoły, zwłaszcza wieczorem."},
    {"public_drinking", 10, "Grupa osób codziennie spożywa alkohol na ławkach przy placu zabaw."},
    {"poor_road_infrastructure", 4, "Brak oświetlenia na przejściu dla pieszych."},
    {"poor_traffic_organisation", 3, "Niewidoczny znak ustąp pierwszeństwa na skrzyżowaniu."},
    {"vandalism", 3, "Zniszczone wiaty przystankowe i pomalowane elewacje."},
    {"illegal_dumping", 2.5, "Worki ze śmieciami i gruz wyrzucone przy lesie."},
    {"homeless_in_need", 1.5, "Osoba bezdomna śpi na klatce schodowej, potrzebuje pomocy."},
    {"juvenile_groups", 1.5, "Młodzież gromadzi się wieczorami za garażami."},
    {"stray_dogs", 1.5, "Bezpańskie psy biegają po osiedlu."},
    {"begging", 1, NULL},
    {"drug_use", 1, NULL},
    {"illegal_racing", 1, "Nocne wyścigi samochodów na parkingu centrum handlowego."},
    {"destruction_of_greenery", 1, NULL},
    {"dangerous_entertainment", 0.5, "Głośny klub, bójki przed wejściem w weekendy."},
    {"unguarded_track_crossing", 0.4, NULL},
    {"dangerous_places_near_water", 0.4, NULL},
    {"unofficial_bathing_sites", 0.4, NULL},
    {"illegal_logging", 0.3, NULL},
    {"grass_burning", 0.3, NULL},
    {"animal_cruelty", 0.3, NULL},
    {"forest_animal_collisions", 0.2, NULL},
    {"unguarded_level_crossing", 0.2, NULL},
    {"poaching", 0.1, NULL},
    {"quads_in_forest", 0.1, NULL},
    {"dangerous_places_on_water", 0.1, NULL},
    {"drownings", 0.05, NULL},
};

static const struct weighted_category *pick_category(struct demo_rng *r)
{
    double total = 0;
    for (size_t i = 0; i < sizeof mix / sizeof mix[0]; i++)
        total += mix[i].weight;
    double x = rng_unit(r) * total;
    for (size_t i = 0; i < sizeof mix / sizeof mix[0]; i++) {
        if ((x -= mix[i].weight) < 0)
            return &mix[i];
    }
    return &mix[0];
}

/* A point: 80 % around a hot spot, the rest anywhere in the city's box. */
static void pick_point(struct demo_rng *r, double *lat, double *lon)
{
    if (rng_unit(r) < 0.2) {
        *lat = 49.98 + rng_unit(r) * 0.14;
        *lon = 19.80 + rng_unit(r) * 0.40;
        return;
    }
    double total = 0;
    for (size_t i = 0; i < sizeof hot_spots / sizeof hot_spots[0]; i++)
        total += hot_spots[i].weight;
    double x = rng_unit(r) * total;
    const struct hot_spot *h = &hot_spots[0];
    for (size_t i = 0; i < sizeof hot_spots / sizeof hot_spots[0]; i++) {
        if ((x -= hot_spots[i].weight) < 0) {
            h = &hot_spots[i];
            break;
        }
    }
    double metres_per_deg_lat = 111320.0;
    double metres_per_deg_lon = 111320.0 * cos(h->lat * M_PI / 180.0);
    *lat = h->lat + rng_normal(r) * h->sigma_m / metres_per_deg_lat;
    *lon = h->lon + rng_normal(r) * h->sigma_m / metres_per_deg_lon;
}

/* Moves a report through the workflow as far as its age makes likely. */
static void play_workflow(struct demo_rng *r, const struct tz_workflow_config *wf,
                          struct tz_report_rec *rec, int64_t now)
{
    enum tz_status status = TZ_STATUS_NEW;
    int64_t changed = rec->received_at;
    rec->takeup_due = tz_workflow_takeup_due(wf, rec->received_at);
    int64_t take_up = rec->received_at + 3600 + (int64_t)(rng_unit(r) * 2.4 * 86400);
    if (rng_unit(r) < 0.03 && take_up < now) {
        status = TZ_STATUS_REJECTED;
        changed = take_up;
    } else if (take_up < now && rng_unit(r) < 0.95) {
        status = TZ_STATUS_VERIFYING;
        changed = rec->taken_up_at = take_up;
        rec->verify_due = tz_workflow_verify_due(wf, take_up);
        int64_t verified = take_up + 3600 + (int64_t)(rng_unit(r) * 5.5 * 86400);
        if (verified < now) {
            changed = rec->verified_at = verified;
            status = rng_unit(r) < 0.62 ? TZ_STATUS_CONFIRMED : TZ_STATUS_NOT_CONFIRMED;
            int64_t closed = verified + (int64_t)(rng_unit(r) * 20 * 86400);
            if (status == TZ_STATUS_CONFIRMED && closed < now) {
                double x = rng_unit(r);
                if (x < 0.55) {
                    status = TZ_STATUS_ELIMINATED;
                    changed = closed;
                } else if (x < 0.7) {
                    status = TZ_STATUS_REFERRED;
                    changed = closed;
                }
            }
        }
    }
    snprintf(rec->status, sizeof rec->status, "%s", tz_status_code(status));
    rec->status_changed_at = changed;
}

static tz_err make_report(struct demo_rng *r, struct tz_router *router,
                          const struct tz_district_rec *districts,
                          const struct tz_workflow_config *wf, int64_t received, int64_t now,
                          struct tz_report_rec *rec)
{
    size_t index = 0;
    tz_err err;
    do {
        pick_point(r, &rec->lat, &rec->lon);
        err = tz_router_locate(router, rec->lat, rec->lon, &index);
    } while (err == TZ_EOUTSIDE);
    if (err)
        return err;
    snprintf(rec->district_id, sizeof rec->district_id, "%s", districts[index].id);
    const struct weighted_category *cat = pick_category(r);
    snprintf(rec->category, sizeof rec->category, "%s", cat->code);
    if (cat->description && rng_unit(r) < 0.6) {
        rec->description = strdup(cat->description);
        if (!rec->description)
            return TZ_ENOMEM;
    }
    rec->received_at = received;
    play_workflow(r, wf, rec, now);
    if (rec->description && rec->verified_at && rng_unit(r) < 0.5) {
        rec->public_description = strdup(rec->description);
        if (!rec->public_description)
            return TZ_ENOMEM;
    }
    rec->when_times = rng_unit(r) < 0.3 ? 1u << (rng_next(r) % 4) : 0;
    rec->me_too = rng_unit(r) < 0.1 ? (int)(rng_next(r) % 5) + 1 : 0;
    for (size_t i = 0; i < TZ_HASH_LEN; i++) {
        rec->token_hash[i] = (uint8_t)rng_next(r); /* no token opens a demo report */
        rec->reporter_hash[i] = (uint8_t)rng_next(r);
    }
    return TZ_OK;
}

static tz_err load_router(struct tz_store *store, struct tz_district_rec **districts, size_t *count,
                          struct tz_router **router)
{
    tz_err err = tz_store_districts(store, districts, count);
    if (!err && *count == 0) {
        tz_district_recs_free(*districts, *count);
        *districts = NULL;
        err = tm_put_demo_districts(store);
        if (!err)
            err = tz_store_districts(store, districts, count);
    }
    if (err)
        return err;
    const char **geometries = calloc(*count ? *count : 1, sizeof *geometries);
    if (!geometries)
        return TZ_ENOMEM;
    for (size_t i = 0; i < *count; i++)
        geometries[i] = (*districts)[i].geometry;
    err = tz_router_build(geometries, *count, router);
    free(geometries);
    return err;
}

tz_err tz_threatmap_demo(struct tz_store *store, size_t reports, uint64_t seed, int64_t now)
{
    struct tz_district_rec *districts = NULL;
    size_t district_count = 0;
    struct tz_router *router = NULL;
    struct tz_report_rec *batch = calloc(DEMO_BATCH, sizeof *batch);
    struct demo_rng rng = {seed};
    struct tz_workflow_config wf = tz_workflow_defaults();
    tz_err err = batch ? load_router(store, &districts, &district_count, &router) : TZ_ENOMEM;
    for (size_t done = 0; !err && done < reports;) {
        size_t n = reports - done < DEMO_BATCH ? reports - done : DEMO_BATCH;
        for (size_t i = 0; !err && i < n; i++) {
            /* Spread over the last year in order, so that ids follow time as in real use. */
            double slot = ((double)(done + i) + rng_unit(&rng)) / (double)reports;
            int64_t received = now - DEMO_SPAN + (int64_t)(slot * DEMO_SPAN);
            err = make_report(&rng, router, districts, &wf, received, now, &batch[i]);
        }
        if (!err)
            err = tz_store_insert_reports(store, batch, n);
        for (size_t i = 0; i < n; i++)
            tz_report_rec_clear(&batch[i]);
        memset(batch, 0, n * sizeof *batch);
        done += n;
    }
    tz_router_free(router);
    tz_district_recs_free(districts, district_count);
    free(batch);
    return err;
}
