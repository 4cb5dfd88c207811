/*
 * bench_screening_ids.c - the document and vehicle side of screening (issue
 * 15): index build time and bytes per record, query latency, and the rate of
 * the identifier readers (screening/ids.h, screening/objects.h).
 *
 *   bench_screening_ids [--documents N] [--vehicles M] [--queries Q] [--mrz K]
 *
 * Defaults are the scale: 10,000,000 documents and 5,000,000
 * vehicles (generated: Polish, German, Lithuanian, Czech, Slovak identity
 * documents and passports and other states' numbers; VINs of North American
 * makers with their check digit and European ones; plates of Poland and its
 * neighbours, Ukrainian ones in Cyrillic), 200,000 queries of each kind (half
 * of them numbers on the list typed as an officer would: separators, lower
 * case; some with an O/0 slip; the rest absent), 1,000,000 MRZ. Records and
 * queries are drawn before the clock starts. Output, one line per figure:
 *   screening documents build records=... build_s=... build_cpu_s=... bytes_per_record=...
 *     rss_bytes_per_record=...
 *   screening documents query queries=... hits=... p50_us=... p99_us=... max_us=... cpu_p99_us=...
 *   screening vehicles build ... / query ...
 *   screening mrz parse count=... per_s=... bad=...   (and vin, plate)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rng.h"
#include "screening/ids.h"
#include "screening/objects.h"

/* ---- measuring ---- */

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static size_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (size_t)sysconf(_SC_PAGESIZE);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double pct_us(int64_t *v, size_t n, double p)
{
    size_t i = (size_t)(p * (double)(n - 1));
    return (double)v[i] / 1000.0;
}

/* ---- drawing ---- */

/* A bump allocator for the generated text, so that records are many small strings cheaply. */
struct pool {
    char *p;
    size_t len, cap;
};

static char *pool_put(struct pool *pool, const char *s, size_t n)
{
    if (pool->len + n + 1 > pool->cap) {
        fprintf(stderr, "bench: pool full\n");
        exit(1);
    }
    char *at = pool->p + pool->len;
    memcpy(at, s, n);
    at[n] = '\0';
    pool->len += n + 1;
    return at;
}

static char pick(const char *set)
{
    return set[next() % strlen(set)];
}

static const char *const STATES[] = {"UKR", "BLR", "RUS", "DEU", "FRA", "ITA", "ESP",
                                     "GBR", "ROU", "BGR", "HUN", "TUR", "AZE", "GEO",
                                     "ARM", "KAZ", "SYR", "IRQ", "EGY", "NGA"};

/* A document number of one of the common shapes, and its issuing state. */
static size_t draw_document(char *num, const char **state)
{
    static const char *const pl_ids[] = {"POL", "LTU", "CZE", "SVK"};
    const char *upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", *digit = "0123456789";
    unsigned kind = (unsigned)(next() % 10);
    size_t n = 0;
    if (kind < 4) { /* Polish passport: 2 letters, 7 digits */
        *state = "POL";
        for (; n < 2; n++)
            num[n] = pick(upper);
        for (; n < 9; n++)
            num[n] = pick(digit);
    } else if (kind < 6) { /* identity card: 3 letters, 6 digits */
        *state = pl_ids[next() % 4];
        for (; n < 3; n++)
            num[n] = pick(upper);
        for (; n < 9; n++)
            num[n] = pick(digit);
    } else if (kind < 8) { /* German: 9 of the letters and digits its documents use */
        *state = "DEU";
        for (; n < 9; n++)
            num[n] = pick("CFGHJKLMNPRTVWXYZ0123456789");
    } else {
        *state = STATES[next() % (sizeof STATES / sizeof STATES[0])];
        size_t len = 8 + next() % 2;
        for (; n < len; n++)
            num[n] = pick("ABCDEFGHJKLMNPRSTUVWXYZ0123456789");
    }
    num[n] = '\0';
    return n;
}

static void draw_vin(char vin[18])
{
    static const char *const wmi_eu[] = {"WVW", "WBA", "WDB", "TMB", "VF1",
                                         "ZFA", "SUU", "WAU", "YV1", "VSS"};
    static const char *const wmi_na[] = {"1FT", "1G1", "2T1", "3VW", "5YJ", "1HG", "4T1", "2HG"};
    const char *alpha = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    bool na = next() % 10 < 3;
    memcpy(vin, na ? wmi_na[next() % 8] : wmi_eu[next() % 10], 3);
    for (int i = 3; i < 17; i++)
        vin[i] = pick(alpha);
    vin[17] = '\0';
    if (na)
        vin[8] = tz_vin_check_digit(vin);
}

/* A plate and its country; UA, BY and RU plates drawn in Cyrillic one time in two. */
static size_t draw_plate(char *plate, const char **country)
{
    static const char *const cyr[12] = {"\xd0\x90", "\xd0\x92", "\xd0\x95", "\xd0\x9a",
                                        "\xd0\x9c", "\xd0\x9d", "\xd0\x9e", "\xd0\xa0",
                                        "\xd0\xa1", "\xd0\xa2", "\xd0\xa5", "\xd0\xa3"};
    const char *lat = "ABEKMHOPCTXY", *upper = "ABCDEFGHJKLMNPRSTUVWXYZ", *digit = "0123456789";
    unsigned kind = (unsigned)(next() % 20);
    bool cyrillic = next() % 2;
    size_t n = 0;
#define LETTER_CYR()                                                                               \
    do {                                                                                           \
        unsigned k = (unsigned)(next() % 12);                                                      \
        if (cyrillic) {                                                                            \
            memcpy(plate + n, cyr[k], 2);                                                          \
            n += 2;                                                                                \
        } else {                                                                                   \
            plate[n++] = lat[k];                                                                   \
        }                                                                                          \
    } while (0)
    if (kind < 12) { /* PL: district, space, 5 */
        *country = "PL";
        for (int i = 0; i < 2 + (int)(next() % 2); i++)
            plate[n++] = pick(upper);
        plate[n++] = ' ';
        for (int i = 0; i < 4; i++)
            plate[n++] = pick(i == 0 ? digit : "0123456789ACEFHJKLMNPRTUVWXY");
    } else if (kind < 14) { /* DE */
        *country = "DE";
        plate[n++] = pick("BMKFSH");
        plate[n++] = '-';
        for (int i = 0; i < 2; i++)
            plate[n++] = pick(upper);
        plate[n++] = ' ';
        for (int i = 0; i < 1 + (int)(next() % 4); i++)
            plate[n++] = pick(digit);
    } else if (kind < 16) { /* UA: АА 1234 ВВ */
        *country = "UA";
        LETTER_CYR();
        LETTER_CYR();
        plate[n++] = ' ';
        for (int i = 0; i < 4; i++)
            plate[n++] = pick(digit);
        plate[n++] = ' ';
        LETTER_CYR();
        LETTER_CYR();
    } else if (kind < 17) { /* BY: 1234 АВ-7 */
        *country = "BY";
        for (int i = 0; i < 4; i++)
            plate[n++] = pick(digit);
        plate[n++] = ' ';
        LETTER_CYR();
        LETTER_CYR();
        plate[n++] = '-';
        plate[n++] = pick("1234567");
    } else if (kind < 18) { /* RU, Kaliningrad: А 123 ВС 39 */
        *country = "RU";
        LETTER_CYR();
        for (int i = 0; i < 3; i++)
            plate[n++] = pick(digit);
        LETTER_CYR();
        LETTER_CYR();
        memcpy(plate + n, next() % 2 ? "39" : "91", 2);
        n += 2;
    } else if (kind < 19) { /* LT */
        *country = "LT";
        for (int i = 0; i < 3; i++)
            plate[n++] = pick(upper);
        for (int i = 0; i < 3; i++)
            plate[n++] = pick(digit);
    } else { /* CZ */
        *country = "CZ";
        plate[n++] = pick("123456789");
        plate[n++] = pick(upper);
        plate[n++] = pick(digit);
        plate[n++] = ' ';
        for (int i = 0; i < 4; i++)
            plate[n++] = pick(digit);
    }
#undef LETTER_CYR
    plate[n] = '\0';
    return n;
}

/* ---- documents ---- */

struct query_set {
    char **text;
    const char **country;
    size_t n;
};

/* A number typed as an officer would: lower case, a space after two characters. */
static size_t typed(const char *num, char *out)
{
    size_t n = 0;
    for (size_t i = 0; num[i]; i++) {
        if (i == 2)
            out[n++] = ' ';
        out[n++] = num[i] >= 'A' && num[i] <= 'Z' ? (char)(num[i] - 'A' + 'a') : num[i];
    }
    out[n] = '\0';
    return n;
}

static double run_queries_documents(const struct tz_objects *ix, const struct query_set *qs,
                                    size_t *hits_total, int64_t *wall, int64_t *cpu)
{
    for (size_t i = 0; i < qs->n; i++) {
        struct tz_doc_query q = {qs->text[i], strlen(qs->text[i]), qs->country[i],
                                 qs->country[i] ? 3 : 0};
        struct tz_obj_hits hits;
        int64_t w0 = clock_ns(CLOCK_MONOTONIC), c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        if (tz_objects_find_documents(ix, &q, &hits, NULL) != TZ_OK) {
            fprintf(stderr, "bench: query %s refused\n", qs->text[i]);
            exit(1);
        }
        cpu[i] = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
        wall[i] = clock_ns(CLOCK_MONOTONIC) - w0;
        *hits_total += hits.count > 0;
    }
    return 0;
}

static void report_queries(const char *what, size_t n, size_t hits, int64_t *wall, int64_t *cpu)
{
    qsort(wall, n, sizeof *wall, cmp_i64);
    qsort(cpu, n, sizeof *cpu, cmp_i64);
    printf("screening %s query queries=%zu with_hits=%zu p50_us=%.2f p99_us=%.2f max_us=%.1f "
           "cpu_p50_us=%.2f cpu_p99_us=%.2f\n",
           what, n, hits, pct_us(wall, n, 0.5), pct_us(wall, n, 0.99), (double)wall[n - 1] / 1e3,
           pct_us(cpu, n, 0.5), pct_us(cpu, n, 0.99));
}

static void bench_documents(size_t ndocs, size_t nq)
{
    struct pool pool = {malloc(ndocs * 24 + nq * 24), 0, ndocs * 24 + nq * 24};
    struct tz_doc_record *docs = malloc(ndocs * sizeof *docs);
    struct query_set qs = {malloc(nq * sizeof(char *)), malloc(nq * sizeof(char *)), nq};
    if (!pool.p || !docs || !qs.text || !qs.country) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < ndocs; i++) {
        char num[16], src[24];
        const char *state;
        size_t n = draw_document(num, &state);
        int k = snprintf(src, sizeof src, "sltd:%zu", i);
        docs[i] = (struct tz_doc_record){(enum tz_doc_type)(next() % 3),
                                         pool_put(&pool, num, n),
                                         state,
                                         TZ_OBJ_NO_DATE,
                                         TZ_OBJ_NO_DATE,
                                         (enum tz_doc_status)(next() % 4),
                                         pool_put(&pool, src, (size_t)k)};
    }
    for (size_t i = 0; i < nq; i++) {
        char buf[32];
        const char *state;
        unsigned kind = (unsigned)(next() % 20);
        const struct tz_doc_record *d = &docs[next() % ndocs];
        size_t n;
        if (kind < 9) { /* on the list, typed */
            n = typed(d->number, buf);
            state = d->country;
        } else if (kind < 10) { /* on the list, no state */
            n = typed(d->number, buf);
            state = NULL;
        } else if (kind < 11) { /* on the list with a 0 read as O */
            n = (size_t)snprintf(buf, sizeof buf, "%s", d->number);
            char *z = strchr(buf, '0');
            if (z)
                *z = 'O';
            state = d->country;
        } else {
            n = draw_document(buf, &state);
        }
        qs.text[i] = pool_put(&pool, buf, n);
        qs.country[i] = state;
    }
    size_t rss0 = rss_bytes();
    int64_t t0 = clock_ns(CLOCK_MONOTONIC), c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    struct tz_objects *ix = NULL;
    struct tz_objects_refusal why;
    if (tz_objects_build(docs, ndocs, NULL, 0, &ix, &why) != TZ_OK) {
        fprintf(stderr, "bench: build refused record %zu (%s)\n", why.index, why.field);
        exit(1);
    }
    double build_s = (double)(clock_ns(CLOCK_MONOTONIC) - t0) / 1e9;
    double build_cpu_s = (double)(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c0) / 1e9;
    size_t rss1 = rss_bytes();
    struct tz_objects_stats st;
    tz_objects_stats(ix, &st);
    printf(
        "screening documents build records=%zu build_s=%.2f build_cpu_s=%.2f bytes_per_record=%.1f "
        "rss_bytes_per_record=%.1f\n",
        ndocs, build_s, build_cpu_s, (double)st.bytes / (double)ndocs,
        (double)(rss1 - rss0) / (double)ndocs);
    int64_t *wall = malloc(nq * sizeof *wall), *cpu = malloc(nq * sizeof *cpu);
    size_t hits = 0;
    run_queries_documents(ix, &qs, &hits, wall, cpu);
    report_queries("documents", nq, hits, wall, cpu);
    fflush(stdout);
    free(wall);
    free(cpu);
    tz_objects_free(ix);
    free(qs.text);
    free(qs.country);
    free(docs);
    free(pool.p);
}

/* ---- vehicles ---- */

static const char *const MAKES[][4] = {
    {"Volkswagen", "Golf", "Passat", "Tiguan"},
    {"Toyota", "Corolla", "RAV4", "Yaris"},
    {"Skoda", "Octavia", "Fabia", "Superb"},
    {"BMW", "X5", "320d", "530d"},
    {"Audi", "A4", "A6", "Q7"},
    {"Ford", "Focus", "F-150", "Transit"},
    {"Mercedes-Benz", "C 200", "E 220", "Sprinter"},
    {"Renault", "Clio", "Megane", "Master"},
};
static const char *const COLOURS[] = {"black", "white", "silver", "grey",  "blue",
                                      "red",   "green", "brown",  "yellow"};

struct vquery {
    const char *vin, *plate, *country;
};

static void draw_vehicles(struct pool *pool, struct tz_vehicle_record *veh, size_t nveh)
{
    for (size_t i = 0; i < nveh; i++) {
        char vin[18], plate[40], src[24];
        const char *country = NULL;
        unsigned kind = (unsigned)(next() % 10);
        const char *const *make = MAKES[next() % 8];
        int k = snprintf(src, sizeof src, "smv:%zu", i);
        veh[i] = (struct tz_vehicle_record){NULL,
                                            NULL,
                                            NULL,
                                            make[0],
                                            make[1 + next() % 3],
                                            COLOURS[next() % 9],
                                            TZ_VEHICLE_STOLEN,
                                            pool_put(pool, src, (size_t)k)};
        if (kind < 9) {
            draw_vin(vin);
            veh[i].vin = pool_put(pool, vin, 17);
        }
        if (kind >= 2) {
            size_t n = draw_plate(plate, &country);
            veh[i].plate = pool_put(pool, plate, n);
            veh[i].plate_country = country;
        }
    }
}

static void draw_vehicle_queries(struct pool *pool, const struct tz_vehicle_record *veh,
                                 size_t nveh, struct vquery *q, size_t nq)
{
    for (size_t i = 0; i < nq; i++) {
        const struct tz_vehicle_record *v = &veh[next() % nveh];
        unsigned kind = (unsigned)(next() % 10);
        char buf[40];
        q[i] = (struct vquery){NULL, NULL, NULL};
        if (kind < 4 && v->vin) {
            q[i].vin = v->vin;
        } else if (kind < 5) {
            draw_vin(buf);
            q[i].vin = pool_put(pool, buf, 17);
        } else if (kind < 9 && v->plate) {
            q[i].plate = v->plate;
            q[i].country = v->plate_country;
        } else {
            size_t n = draw_plate(buf, &q[i].country);
            q[i].plate = pool_put(pool, buf, n);
        }
    }
}

static void bench_vehicles(size_t nveh, size_t nq)
{
    size_t cap = nveh * 48 + nq * 48;
    struct pool pool = {malloc(cap), 0, cap};
    struct tz_vehicle_record *veh = malloc(nveh * sizeof *veh);
    struct vquery *q = malloc(nq * sizeof *q);
    int64_t *wall = malloc(nq * sizeof *wall), *cpu = malloc(nq * sizeof *cpu);
    if (!pool.p || !veh || !q || !wall || !cpu) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    draw_vehicles(&pool, veh, nveh);
    draw_vehicle_queries(&pool, veh, nveh, q, nq);
    size_t rss0 = rss_bytes();
    int64_t t0 = clock_ns(CLOCK_MONOTONIC), c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    struct tz_objects *ix = NULL;
    struct tz_objects_refusal why;
    if (tz_objects_build(NULL, 0, veh, nveh, &ix, &why) != TZ_OK) {
        fprintf(stderr, "bench: build refused vehicle %zu (%s)\n", why.index, why.field);
        exit(1);
    }
    double build_s = (double)(clock_ns(CLOCK_MONOTONIC) - t0) / 1e9;
    double build_cpu_s = (double)(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c0) / 1e9;
    size_t rss1 = rss_bytes();
    struct tz_objects_stats st;
    tz_objects_stats(ix, &st);
    printf(
        "screening vehicles build records=%zu build_s=%.2f build_cpu_s=%.2f bytes_per_record=%.1f "
        "rss_bytes_per_record=%.1f\n",
        nveh, build_s, build_cpu_s, (double)st.bytes / (double)nveh,
        (double)(rss1 - rss0) / (double)nveh);
    size_t hits = 0;
    for (size_t i = 0; i < nq; i++) {
        struct tz_vehicle_query vq = {q[i].vin,     q[i].vin ? strlen(q[i].vin) : 0,
                                      q[i].plate,   q[i].plate ? strlen(q[i].plate) : 0,
                                      q[i].country, q[i].country ? strlen(q[i].country) : 0};
        struct tz_obj_hits h;
        int64_t w0 = clock_ns(CLOCK_MONOTONIC), c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        if (tz_objects_find_vehicles(ix, &vq, &h, NULL) != TZ_OK) {
            fprintf(stderr, "bench: vehicle query refused\n");
            exit(1);
        }
        cpu[i] = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
        wall[i] = clock_ns(CLOCK_MONOTONIC) - w0;
        hits += h.count > 0;
    }
    report_queries("vehicles", nq, hits, wall, cpu);
    fflush(stdout);
    tz_objects_free(ix);
    free(wall);
    free(cpu);
    free(q);
    free(veh);
    free(pool.p);
}

/* ---- identifier readers ---- */

static size_t draw_td3(char *out)
{
    char l1[45], l2[45], num[16];
    const char *state;
    draw_document(num, &state);
    snprintf(l1, sizeof l1, "P<%s%-39s", state, "KOWALSKA<<ANNA<MARIA");
    for (char *p = l1; *p; p++)
        *p = *p == ' ' ? '<' : *p;
    char f[45];
    int len = snprintf(f, sizeof f, "%-9.9s", num);
    for (int i = 0; i < len; i++)
        f[i] = f[i] == ' ' ? '<' : f[i];
    char birth[7], expiry[7];
    snprintf(birth, sizeof birth, "%02d%02d%02d", (int)(next() % 100), 1 + (int)(next() % 12),
             1 + (int)(next() % 28));
    snprintf(expiry, sizeof expiry, "%02d%02d%02d", 26 + (int)(next() % 10), 1 + (int)(next() % 12),
             1 + (int)(next() % 28));
    snprintf(l2, sizeof l2, "%.9s%c%s%s%c%c%s%c<<<<<<<<<<<<<<0", f, tz_mrz_check_digit(f, 9), state,
             birth, tz_mrz_check_digit(birth, 6), next() % 2 ? 'M' : 'F', expiry,
             tz_mrz_check_digit(expiry, 6));
    char comp[40];
    memcpy(comp, l2, 10);
    memcpy(comp + 10, l2 + 13, 7);
    memcpy(comp + 17, l2 + 21, 22);
    l2[43] = tz_mrz_check_digit(comp, 39);
    l2[44] = '\0';
    if (next() % 10 == 0)
        l2[9] = l2[9] == '9' ? '0' : (char)(l2[9] + 1); /* one in ten with a bad digit */
    return (size_t)snprintf(out, 96, "%s\n%s", l1, l2);
}

static void bench_readers(size_t count)
{
    char *mrz = malloc(count * 96);
    char(*vin)[18] = malloc(count * sizeof *vin);
    char(*plate)[40] = malloc(count * sizeof *plate);
    const char **country = malloc(count * sizeof *country);
    size_t *len = malloc(count * sizeof *len), *plen = malloc(count * sizeof *plen);
    if (!mrz || !vin || !plate || !country || !len || !plen) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < count; i++) {
        len[i] = draw_td3(mrz + i * 96);
        draw_vin(vin[i]);
        plen[i] = draw_plate(plate[i], &country[i]);
    }
    size_t bad = 0;
    int64_t t0 = clock_ns(CLOCK_MONOTONIC);
    for (size_t i = 0; i < count; i++) {
        struct tz_mrz m;
        tz_err err = tz_mrz_parse(mrz + i * 96, len[i], &m);
        bad += err != TZ_OK;
        if (err != TZ_OK && err != TZ_EINVAL) {
            fprintf(stderr, "bench: MRZ not read: %s\n", mrz + i * 96);
            exit(1);
        }
    }
    double s = (double)(clock_ns(CLOCK_MONOTONIC) - t0) / 1e9;
    printf("screening mrz parse count=%zu per_s=%.0f refused_bad_digit=%zu\n", count,
           (double)count / s, bad);
    t0 = clock_ns(CLOCK_MONOTONIC);
    bad = 0;
    for (size_t i = 0; i < count; i++) {
        struct tz_vin v;
        bad += tz_vin_parse(vin[i], 17, &v) != TZ_OK;
    }
    s = (double)(clock_ns(CLOCK_MONOTONIC) - t0) / 1e9;
    printf("screening vin parse count=%zu per_s=%.0f refused=%zu\n", count, (double)count / s, bad);
    t0 = clock_ns(CLOCK_MONOTONIC);
    bad = 0;
    for (size_t i = 0; i < count; i++) {
        struct tz_plate p;
        enum tz_plate_country c = tz_plate_country_parse(country[i], strlen(country[i]));
        bad += tz_plate_normalise(c, plate[i], plen[i], &p) != TZ_OK;
    }
    s = (double)(clock_ns(CLOCK_MONOTONIC) - t0) / 1e9;
    printf("screening plate normalise count=%zu per_s=%.0f refused=%zu\n", count, (double)count / s,
           bad);
    free(mrz);
    free(vin);
    free(plate);
    free(country);
    free(len);
    free(plen);
}

static size_t arg_count(int argc, char **argv, const char *name, size_t dflt)
{
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], name) == 0) {
            char *end;
            unsigned long long v = strtoull(argv[i + 1], &end, 10);
            if (*end || v == 0 || v > 100000000ull) {
                fprintf(stderr, "bench: %s takes a count from 1 to 100000000\n", name);
                exit(2);
            }
            return (size_t)v;
        }
    }
    return dflt;
}

int main(int argc, char **argv)
{
    size_t ndocs = arg_count(argc, argv, "--documents", 10000000);
    size_t nveh = arg_count(argc, argv, "--vehicles", 5000000);
    size_t nq = arg_count(argc, argv, "--queries", 200000);
    size_t nmrz = arg_count(argc, argv, "--mrz", 1000000);
    bench_readers(nmrz);
    bench_documents(ndocs, nq);
    bench_vehicles(nveh, nq);
    return 0;
}
