/*
 * bench_screening - the person index at scale: builds N generated persons (default 1,000,000),
 * then answers Q person queries on one thread and prints the load time (names romanised with ICU,
 * and again from the keys an import stores with each name), bytes per record, queries per second
 * and latency percentiles.
 *
 * The generator: per country (Poland, Russia in Cyrillic, Ukraine in Cyrillic, Azerbaijan,
 * Turkey, Germany, England, the Arab world in Latin), a list of given names and family-name
 * stems made of syllables with the country's endings (-ski, -ov/-ova, -enko, -yev, -oğlu, -er,
 * -son...), so that names repeat as in real lists (common given names, rarer family names); a
 * query is a record's name with its parts swapped, or with one letter dropped, doubled or
 * folded (Wałęsa as Walesa), the way an officer types it. Usage: bench_screening [N] [Q].
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "screening/screening.h"

/* xorshift64*: a fixed stream per seed (the queries draw the same persons as the load). */
struct rng {
    uint64_t s;
};
static void rng_seed(struct rng *r, uint64_t seed)
{
    r->s = seed * 0x9E3779B97F4A7C15ULL + 1;
}
static uint64_t rng_next(struct rng *r)
{
    r->s ^= r->s >> 12, r->s ^= r->s << 25, r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1DULL;
}

struct country {
    const char *given[12];
    const char *syll[12];
    const char *end_m, *end_f;
};

static const struct country C[] = {
    {{"Jan", "Piotr", "Łukasz", "Paweł", "Anna", "Małgorzata", "Krzysztof", "Katarzyna",
      "Tomasz", "Agnieszka", "Michał", "Ewa"},
     {"kow", "now", "wiś", "dąb", "lew", "zieliń", "szym", "woź", "koz", "jab", "maz", "krup"},
     "ski", "ska"},
    {{"Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Иван", "Ольга", "Татьяна",
      "Елена", "Наталья", "Михаил", "Юлия"},
     {"ива", "пет", "сид", "кузн", "смир", "поп", "вол", "мор", "зай", "сол", "жук", "щерб"},
     "ов", "ова"},
    {{"Олександр", "Сергій", "Микола", "Андрій", "Олена", "Ганна", "Оксана", "Дмитро",
      "Володимир", "Юрій", "Тетяна", "Василь"},
     {"шевч", "ковал", "бонд", "ткач", "крав", "мельн", "гнат", "пол", "зін", "ляш", "гри", "сав"},
     "енко", "енко"},
    {{"İlham", "Heydər", "Əli", "Məmməd", "Elçin", "Rövşən", "Mehriban", "Leyla", "Sevinc",
      "Aytən", "Ramiz", "Turan"},
     {"əli", "məmməd", "hüseyn", "qasım", "rza", "ibrahim", "həsən", "quliy", "nəsib", "abbas",
      "cəfər", "kərim"},
     "ov", "ova"},
    {{"Mehmet", "Mustafa", "Ahmet", "Ayşe", "Fatma", "Hüseyin", "Emine", "İbrahim", "Zeynep",
      "Hasan", "Elif", "Ali"},
     {"yıl", "şah", "öz", "çel", "doğ", "kıl", "ars", "kay", "ayd", "kar", "tek", "bul"},
     "oğlu", "oğlu"},
    {{"Jürgen", "Klaus", "Stefan", "Sabine", "Ursula", "Thomas", "Michael", "Monika",
      "Andreas", "Petra", "Wolfgang", "Brigitte"},
     {"mül", "schmi", "schnei", "fisch", "web", "mey", "wag", "beck", "schulz", "hoff", "koch",
      "bau"},
     "er", "er"},
    {{"John", "David", "Michael", "James", "Sarah", "Emma", "Robert", "Elizabeth", "William",
      "Catherine", "Thomas", "Mary"},
     {"smi", "john", "will", "brow", "jon", "dav", "wil", "tay", "rob", "thomp", "whi", "harr"},
     "son", "son"},
    {{"Muhammad", "Ahmed", "Youssef", "Omar", "Fatima", "Khaled", "Ibrahim", "Mariam",
      "Mustafa", "Layla", "Abdullah", "Zainab"},
     {"has", "mans", "hadd", "khour", "najj", "mas", "sha", "suleim", "qas", "rah", "jab",
      "sal"},
     "an", "a"},
};
#define NC (sizeof C / sizeof C[0])

/* A family name: two or three syllables of the country and its ending. */
static void family(struct rng *r, const struct country *c, int female, char *out, size_t n)
{
    int k = 2 + (int)(rng_next(r) % 2);
    size_t len = 0;
    for (int i = 0; i < k; i++) {
        const char *s = c->syll[rng_next(r) % 12];
        int w = snprintf(out + len, n - len, "%s", s);
        if (w < 0 || (size_t)w >= n - len)
            break;
        len += (size_t)w;
    }
    snprintf(out + len, n - len, "%s", female ? c->end_f : c->end_m);
    /* Capital first letter of an ASCII name; other scripts as they are. */
    if (out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
}

static void person(struct rng *r, char *name, size_t n, struct tz_screen_date *dob, uint8_t *sex)
{
    const struct country *c = &C[rng_next(r) % NC];
    size_t g = rng_next(r) % 12;
    int female = (int)(rng_next(r) % 2);
    char fam[128];
    family(r, c, female, fam, sizeof fam);
    snprintf(name, n, "%s %s", c->given[g], fam);
    *dob = (struct tz_screen_date){(uint16_t)(1940 + rng_next(r) % 65),
                                   (uint8_t)(1 + rng_next(r) % 12),
                                   (uint8_t)(1 + rng_next(r) % 28)};
    *sex = female ? TZ_SCREEN_SEX_FEMALE : TZ_SCREEN_SEX_MALE;
}

/* The way an officer types it: parts swapped, or an ASCII letter dropped or doubled. */
static void vary(struct rng *r, const char *name, char *out, size_t n)
{
    const char *sp = strchr(name, ' ');
    unsigned how = (unsigned)(rng_next(r) % 3);
    if (how == 0 && sp) {
        snprintf(out, n, "%s %.*s", sp + 1, (int)(sp - name), name);
        return;
    }
    snprintf(out, n, "%s", name);
    size_t len = strlen(out);
    size_t at = len - 2;
    if (len < 6 || (unsigned char)out[at] >= 0x80 || (unsigned char)out[at + 1] >= 0x80)
        return;
    if (how == 1)
        memmove(out + at, out + at + 1, len - at);
    else if (len + 1 < n) {
        memmove(out + at + 1, out + at, len - at + 1);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this thread: what the queries cost whatever else the machine runs. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    size_t nq = argc > 2 ? strtoul(argv[2], NULL, 10) : 20000;
    struct tz_screen_index *ix = NULL;
    struct rng r;
    rng_seed(&r, 15);
    if (n == 0 || nq == 0 || tz_screen_index_new(&ix) != TZ_OK)
        return 1;
    /* The load as a build with ICU does it (each name romanised, its keys kept as an import
     * stores them), then the same persons again from their stored keys, without ICU. */
    char name[256], id[32], keys[256];
    char *stored = NULL;
    size_t used = 0, cap = 0;
    double t0 = now_s(), c0 = cpu_s();
    for (size_t i = 0; i < n; i++) {
        struct tz_screen_name nm;
        struct tz_screen_person_in p = {.source_id = id, .name = name, .keys = keys};
        person(&r, name, sizeof name, &p.dob, &p.sex);
        snprintf(id, sizeof id, "P%zu", i);
        if (tz_screen_normalise_keys(name, strlen(name), &nm, keys, sizeof keys) != TZ_OK ||
            tz_screen_index_add(ix, &p) != TZ_OK) {
            fprintf(stderr, "refused: %s\n", name);
            return 1;
        }
        size_t k = strlen(keys) + 1;
        if (used + k > cap) {
            cap = cap ? cap * 2 : 1 << 20;
            if (!(stored = realloc(stored, cap)))
                return 1;
        }
        memcpy(stored + used, keys, k);
        used += k;
    }
    tz_screen_index_seal(ix);
    double load_icu = now_s() - t0, load_icu_cpu = cpu_s() - c0;
    tz_screen_index_free(ix);
    if (tz_screen_index_new(&ix) != TZ_OK)
        return 1;
    rng_seed(&r, 15);
    t0 = now_s(), c0 = cpu_s();
    for (size_t i = 0, at = 0; i < n; i++) {
        struct tz_screen_person_in p = {.source_id = id, .name = name, .keys = stored + at};
        person(&r, name, sizeof name, &p.dob, &p.sex);
        snprintf(id, sizeof id, "P%zu", i);
        at += strlen(stored + at) + 1;
        if (tz_screen_index_add(ix, &p) != TZ_OK)
            return 1;
    }
    tz_screen_index_seal(ix);
    double load = now_s() - t0, load_cpu = cpu_s() - c0;
    free(stored);
    printf("persons %zu  load with ICU %.1f s (%.1f s CPU)  load from stored keys %.1f s (%.1f s "
           "CPU)  bytes/record %.0f\n",
           n, load_icu, load_icu_cpu, load, load_cpu,
           (double)tz_screen_index_bytes(ix) / (double)n);
    struct tz_screen_config cfg;
    tz_screen_config_default(&cfg);
    double *lat = calloc(nq, sizeof *lat), *clat = calloc(nq, sizeof *clat);
    if (!lat || !clat)
        return 1;
    /* The queries: persons drawn again from the start of the same stream (each one is in the
     * index when nq <= n), typed with a variation. */
    rng_seed(&r, 15);
    struct rng rv;
    rng_seed(&rv, 16);
    size_t found = 0;
    double cpu_norm = 0; /* of which the query's normalisation */
    double q0 = now_s();
    c0 = cpu_s();
    for (size_t i = 0; i < nq; i++) {
        struct tz_screen_date dob;
        uint8_t sex;
        char q[300];
        person(&r, name, sizeof name, &dob, &sex);
        vary(&rv, name, q, sizeof q);
        double a = now_s(), ca = cpu_s();
        struct tz_screen_query query = {.dob = dob, .sex = sex};
        struct tz_screen_hit *hits = NULL;
        size_t count = 0;
        tz_err err = tz_screen_normalise(q, strlen(q), &query.name);
        double cb = cpu_s();
        if (!err && tz_screen_search(ix, &cfg, &query, &hits, &count) == TZ_OK)
            found += count > 0;
        free(hits);
        lat[i] = now_s() - a;
        clat[i] = cpu_s() - ca; /* the query's own CPU: what the load around it does not add */
        cpu_norm += cb - ca;
    }
    double total = now_s() - q0, cpu = cpu_s() - c0;
    qsort(lat, nq, sizeof *lat, by_double);
    qsort(clat, nq, sizeof *clat, by_double);
    printf("queries %zu  %.0f/s on one thread (wall), %.0f per CPU second  p50 %.3f ms  p99 %.3f ms"
           "  with a hit %.1f%%\n",
           nq, (double)nq / total, (double)nq / cpu, lat[nq / 2] * 1e3, lat[nq * 99 / 100] * 1e3,
           100.0 * (double)found / (double)nq);
    printf("per query: normalisation %.1f us CPU, search and scoring %.1f us CPU; CPU p50 %.3f ms"
           "  p99 %.3f ms\n",
           cpu_norm / (double)nq * 1e6, (cpu - cpu_norm) / (double)nq * 1e6, clat[nq / 2] * 1e3,
           clat[nq * 99 / 100] * 1e3);
    free(lat);
    free(clat);
    tz_screen_index_free(ix);
    tz_screen_release();
    return 0;
}
