/*
 * bench_addresses.c - the address search (address/address.h) at the scale
 * of Poland's register of address points: build time, bytes per address and
 * search latency.
 *
 *   bench_addresses [--addresses N] [--queries Q] [--dump DIR]
 *
 * Defaults: 8,000,000 addresses (PRG holds about that many), generated: 40,000
 * localities with made-up Polish names, each with streets drawn from 20,000
 * names where the common ones ("Polna", "Leśna", "Kościuszki") recur in many
 * localities as they do in the register, 1 to 200 numbers a street (some
 * with letters); 200,000 queries drawn from the addresses before the clock
 * starts, typed as a citizen would: folded and lower case ("florianska 12"),
 * a street's start only, one typo in the street, with the locality. Output:
 *   addresses build count=... build_s=... bytes_per_address=...
 *   addresses search queries=... hits=... p50_us=... p99_us=... max_us=... (and per kind)
 * --dump DIR also writes the same addresses (DIR/addresses.tsv: locality, street, number,
 * postcode, lon, lat) and queries (DIR/queries.tsv: kind, query) for bench/addresses_pg.sh, which
 * asks PostgreSQL's pg_trgm the same questions.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "address/address.h"
#include "rng.h"

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

static const char *const syll[] = {"ko",  "wa",  "le",  "śna",  "po",  "bo",  "rze",  "ma",  "li",
                                   "ny",  "sta", "gó",  "ra",   "ła",  "wie", "ki",   "dą",  "brow",
                                   "zie", "lo",  "cha", "przy", "łęg", "mo",  "krzy", "szo", "ga",
                                   "je",  "dli", "ska", "ów",   "ice", "no",  "pol",  "ce",  "ząb"};
static const char *const common[] = {"Polna",
                                     "Leśna",
                                     "Słoneczna",
                                     "Krótka",
                                     "Szkolna",
                                     "Ogrodowa",
                                     "Lipowa",
                                     "Brzozowa",
                                     "Łąkowa",
                                     "Kwiatowa",
                                     "Tadeusza Kościuszki",
                                     "Adama Mickiewicza",
                                     "Kościelna",
                                     "Jana Pawła II",
                                     "Floriańska",
                                     "Źródlana",
                                     "Żwirki i Wigury"};

#define SYLLS (sizeof syll / sizeof syll[0])
#define LOCALITIES 40000
#define STREET_NAMES 20000

/* A made-up name of 2 to 4 syllables, capitalised (ASCII first letters only). */
static void made_up(char *out, size_t cap, int suffix)
{
    size_t n = 2 + next() % 3, o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s", syll[next() % SYLLS]);
    if (out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
    if (suffix)
        snprintf(out + o, cap - o, "%s", suffix == 1 ? "owa" : "ska");
}

static char (*loc_names)[48];
static char (*street_names)[64];

static const char *street_pick(void)
{
    double u = uniform();
    if (u < 0.25)
        return common[next() % (sizeof common / sizeof common[0])];
    /* Zipf-like: low numbers far more often. */
    size_t i = (size_t)(STREET_NAMES * pow(uniform(), 3.0));
    return street_names[i < STREET_NAMES ? i : STREET_NAMES - 1];
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Folds and lower-cases s into out (as a citizen types: no diacritics). */
static void typed(const char *s, char *out, size_t cap)
{
    size_t n;
    if (tz_address_fold(s, strlen(s), out, cap, &n))
        out[0] = '\0';
}

/* DIR/name, opened for writing, or NULL having said why. */
static FILE *open_dump(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        perror(path);
    return f;
}

enum kind { EXACT, PREFIX, TYPO, LOCALITY, KINDS };
static const char *const kind_name[KINDS] = {"exact", "prefix", "typo", "locality"};

int main(int argc, char **argv)
{
    size_t total = 8000000, nq = 200000;
    const char *dump = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--addresses") == 0)
            total = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--queries") == 0)
            nq = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--dump") == 0)
            dump = argv[i + 1];
    }
    FILE *out_addr = NULL, *out_q = NULL;
    if (dump && (!(out_addr = open_dump(dump, "addresses.tsv")) ||
                 !(out_q = open_dump(dump, "queries.tsv"))))
        return 1;
    loc_names = malloc(LOCALITIES * sizeof *loc_names);
    street_names = malloc(STREET_NAMES * sizeof *street_names);
    char(*queries)[TZ_ADDRESS_QUERY_MAX] = malloc(nq * sizeof *queries);
    enum kind *kinds = malloc(nq * sizeof *kinds);
    int64_t *lat_ns = malloc(nq * sizeof *lat_ns), *cpu_ns = malloc(nq * sizeof *cpu_ns);
    struct tz_address_index *ix = NULL;
    if (!loc_names || !street_names || !queries || !kinds || !lat_ns || !cpu_ns ||
        tz_address_index_new(&ix)) {
        fprintf(stderr, "bench_addresses: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < LOCALITIES; i++)
        made_up(loc_names[i], sizeof loc_names[i], 0);
    for (size_t i = 0; i < STREET_NAMES; i++)
        made_up(street_names[i], sizeof street_names[i], 1 + (int)(i % 2));
    size_t q = 0, made = 0;
    int64_t add_ns = 0;
    for (size_t l = 0; made < total; l = (l + 1) % LOCALITIES) {
        double lat = 49.1 + uniform() * 5.5, lon = 14.3 + uniform() * 9.7;
        size_t streets = 1 + next() % 20;
        for (size_t s = 0; s < streets && made < total; s++) {
            struct tz_address_rec r = {0};
            snprintf(r.locality, sizeof r.locality, "%s", loc_names[l]);
            snprintf(r.street, sizeof r.street, "%s", street_pick());
            snprintf(r.postcode, sizeof r.postcode, "%02u-%03u", (unsigned)(next() % 100),
                     (unsigned)(next() % 1000));
            size_t numbers = 1 + (size_t)(199 * pow(uniform(), 2.0));
            for (size_t n = 1; n <= numbers && made < total; n++) {
                snprintf(r.number, sizeof r.number, "%zu%s", n, next() % 20 ? "" : "a");
                r.lat = lat + uniform() * 0.01;
                r.lon = lon + uniform() * 0.01;
                int64_t t0 = now_ns();
                if (tz_address_index_add(ix, &r)) {
                    fprintf(stderr, "bench_addresses: add failed\n");
                    return 1;
                }
                add_ns += now_ns() - t0;
                made++;
                if (out_addr)
                    fprintf(out_addr, "%s\t%s\t%s\t%s\t%.6f\t%.6f\n", r.locality, r.street,
                            r.number, r.postcode, r.lon, r.lat);
                if (q < nq && next() % (total / nq + 1) == 0) {
                    enum kind k = (enum kind)(next() % KINDS);
                    char st[120], lo[100];
                    typed(r.street, st, sizeof st);
                    typed(r.locality, lo, sizeof lo);
                    size_t sl = strlen(st);
                    if (k == PREFIX && sl > 3)
                        st[3 + next() % (sl - 3)] = '\0';
                    if (k == TYPO && sl > 4)
                        st[1 + next() % (sl - 2)] = (char)('a' + next() % 26);
                    if (k == PREFIX)
                        snprintf(queries[q], sizeof queries[q], "%s", st);
                    else if (k == LOCALITY)
                        snprintf(queries[q], sizeof queries[q], "%s %s %s", st, r.number, lo);
                    else
                        snprintf(queries[q], sizeof queries[q], "%s %s", st, r.number);
                    kinds[q++] = k;
                }
            }
        }
    }
    for (size_t i = 0; out_q && i < q; i++)
        fprintf(out_q, "%s\t%s\n", kind_name[kinds[i]], queries[i]);
    if (out_addr && (fclose(out_addr) | fclose(out_q))) {
        fprintf(stderr, "bench_addresses: cannot write to %s\n", dump);
        return 1;
    }
    int64_t t0 = now_ns();
    if (tz_address_index_build(ix)) {
        fprintf(stderr, "bench_addresses: build failed\n");
        return 1;
    }
    int64_t build_ns = now_ns() - t0 + add_ns;
    printf("addresses build count=%zu build_s=%.2f bytes_per_address=%.1f\n",
           tz_address_index_count(ix), (double)build_ns / 1e9,
           (double)tz_address_index_bytes(ix) / (double)tz_address_index_count(ix));
    struct tz_address_hit hits[TZ_ADDRESS_LIMIT_DEFAULT];
    size_t found = 0;
    for (size_t i = 0; i < q; i++) {
        size_t n = 0;
        int64_t s0 = now_ns(), c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        tz_address_search(ix, queries[i], strlen(queries[i]), TZ_ADDRESS_LIMIT_DEFAULT, hits, &n);
        lat_ns[i] = now_ns() - s0;
        cpu_ns[i] = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
        found += n > 0;
    }
    for (int k = -1; k < KINDS; k++) {
        size_t m = 0;
        int64_t *v = malloc((q ? q : 1) * sizeof *v), *c = malloc((q ? q : 1) * sizeof *c);
        for (size_t i = 0; v && c && i < q; i++)
            if (k < 0 || kinds[i] == (enum kind)k) {
                c[m] = cpu_ns[i];
                v[m++] = lat_ns[i];
            }
        if (!v || !c || !m) {
            free(v);
            free(c);
            continue;
        }
        qsort(v, m, sizeof *v, cmp_i64);
        qsort(c, m, sizeof *c, cmp_i64);
        printf("addresses search%s%s queries=%zu p50_us=%.1f p99_us=%.1f max_us=%.1f "
               "cpu_p99_us=%.1f\n",
               k < 0 ? "" : " kind=", k < 0 ? "" : kind_name[k], m, (double)v[m / 2] / 1e3,
               (double)v[m * 99 / 100] / 1e3, (double)v[m - 1] / 1e3,
               (double)c[m * 99 / 100] / 1e3);
        free(c);
        if (k < 0)
            printf("addresses search hits=%zu of %zu queries found something\n", found, q);
        free(v);
    }
    tz_address_index_free(ix);
    free(loc_names);
    free(street_names);
    free(queries);
    free(kinds);
    free(lat_ns);
    free(cpu_ns);
    return 0;
}
