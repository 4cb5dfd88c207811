/*
 * bench_screening_batch - batch screening through the service as the batch door runs it
 * (tz_screening_batch: every item read, then searched, one audit entry per batch in the
 * store): a watch-list of N generated persons, documents and vehicles imported as CSV and JSON
 * through tz_screening_import, then B batches of 1,000 travellers (a passenger list: 80 %
 * persons, 10 % passports, 10 % vehicles, about one in twenty on the list) on one thread.
 * Prints the import time, the index build, and travellers a minute (issue 15 asks for at least
 * 100,000). Usage: bench_screening_batch [N] [B].
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "screening/screening.h"

static uint64_t state = 0x9E3779B97F4A7C15ULL;
static uint64_t next(void)
{
    state ^= state >> 12, state ^= state << 25, state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
}

static const char *const GIVEN[] = {"Jan",    "Piotr", "Anna",  "Ewa",    "Ilham",  "Mehmet",
                                    "Olena",  "Ivan",  "Maria", "Hassan", "Leyla",  "Tomasz",
                                    "Sergey", "Fatma", "John",  "Oksana", "Mikola", "Zeynep"};
static const char *const SYLL[] = {"kow", "nov", "lis", "dab", "shev", "kov", "ali", "mam",
                                   "hus", "ras", "bor", "zel", "mar",  "tur", "gor", "vol"};
static const char *const END[] = {"ski", "ska", "ov", "ova", "enko", "yev", "oglu", "er"};

/* Person k's name: a given name and a family name of three syllables and an ending (about
 * 590,000 distinct names, so that a list of a million repeats some, as real lists do). */
static void person_name(uint64_t k, char *out, size_t cap)
{
    uint64_t r = k * 0x9E3779B97F4A7C15ULL;
    snprintf(out, cap, "%s %s%s%s%s", GIVEN[r % 18], SYLL[(r >> 8) % 16], SYLL[(r >> 16) % 16],
             SYLL[(r >> 24) % 16], END[(r >> 32) % 8]);
    out[strlen(GIVEN[r % 18]) + 1] -= 32; /* the family name's capital */
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int import(struct tz_screening *s, const char *source, struct tz_buf *b)
{
    static const struct tz_auth_who who = {.actor = "bench", .role = "admin"};
    struct tz_watch_import rep;
    tz_err err = tz_screening_import(s, &who, source, b->data, b->len, TZ_WATCH_AUTO, &rep);
    tz_watch_import_clear(&rep);
    if (err)
        fprintf(stderr, "bench_screening_batch: import %s: %s\n", source, tz_err_str(err));
    return err ? -1 : 0;
}

/* Persons (CSV), documents (CSV) and vehicles (JSON lines), n of each kind's share. */
static int load(struct tz_screening *s, size_t n)
{
    struct tz_buf b;
    char line[256], name[128];
    int rc = 0;
    tz_buf_init(&b, (size_t)1 << 31);
    tz_buf_append(&b, "id,name\n", 8);
    for (size_t i = 0; i < n; i++) {
        person_name(i, name, sizeof name);
        int k = snprintf(line, sizeof line, "p%zu,%s\n", i, name);
        tz_buf_append(&b, line, (size_t)k);
    }
    rc |= import(s, "persons", &b);
    b.len = 0;
    tz_buf_append(&b, "id,number,country,status\n", 25);
    for (size_t i = 0; i < n; i++) {
        int k = snprintf(line, sizeof line, "d%zu,EA%07zu,POL,stolen\n", i, i);
        tz_buf_append(&b, line, (size_t)k);
    }
    rc |= import(s, "documents", &b);
    b.len = 0;
    for (size_t i = 0; i < n / 2; i++) {
        int k = snprintf(line, sizeof line,
                         "{\"id\":\"v%zu\",\"plate\":\"WX%05zu\",\"plate_country\":\"PL\"}\n", i,
                         i % 100000);
        tz_buf_append(&b, line, (size_t)k);
    }
    rc |= import(s, "vehicles", &b);
    tz_buf_free(&b);
    return rc;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    size_t batches = argc > 2 ? strtoul(argv[2], NULL, 10) : 20;
    char dir[] = "/tmp/tz_bench_batch_XXXXXX", path[64];
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/b.db", dir);
    struct tz_store *store = NULL;
    struct tz_auth *auth = NULL;
    struct tz_screening *s = NULL;
    struct tz_auth_config cfg = tz_auth_defaults();
    if (tz_store_open_sqlite(path, &store) || tz_auth_open(store, &cfg, &auth) ||
        tz_screening_open(auth, NULL, &s))
        return 1;
    double t0 = now_s();
    if (load(s, n))
        return 1;
    double t1 = now_s();
    static const struct tz_auth_who who = {.actor = "bench", .role = "officer"};
    struct tz_screen_batch_item *items = calloc(1000, sizeof *items);
    char(*names)[128] = calloc(1000, 128), (*nums)[32] = calloc(1000, 32);
    size_t travellers = 0, with_hits = 0;
    double search = 0, first = 0;
    for (size_t k = 0; k < batches + 1; k++) {
        for (size_t i = 0; i < 1000; i++) {
            uint64_t r = next(), pick = r % 10;
            uint64_t id = (r >> 8) % (n * 20); /* one in twenty on the list */
            struct tz_screen_batch_item *it = &items[i];
            memset(it, 0, sizeof *it);
            if (pick < 8) {
                person_name(id, names[i], sizeof names[i]);
                it->kind = TZ_SCREEN_PERSON, it->person.name = names[i];
            } else if (pick == 8) {
                snprintf(nums[i], sizeof nums[i], "EA%07llu", (unsigned long long)(id % 10000000));
                it->kind = TZ_SCREEN_DOCUMENT, it->doc.number = nums[i], it->doc.country = "PL";
            } else {
                snprintf(nums[i], sizeof nums[i], "WX%05llu", (unsigned long long)(id % 1000000));
                it->kind = TZ_SCREEN_VEHICLE, it->vehicle.plate = nums[i];
                it->vehicle.plate_country = "PL";
            }
        }
        struct tz_field_errors errs = {0};
        struct tz_screen_batch b;
        double a = now_s();
        tz_err err = tz_screening_batch(s, &who, items, 1000, "bench: passenger list", &errs, &b);
        double d = now_s() - a;
        if (err) {
            fprintf(stderr, "bench_screening_batch: batch: %s (%s)\n", tz_err_str(err),
                    errs.count ? errs.items[0].field : "");
            return 1;
        }
        if (k == 0) {
            first = d; /* the first batch builds the index */
        } else {
            search += d, travellers += b.count, with_hits += b.hits;
        }
        tz_screen_batch_clear(&b);
    }
    printf("screening batch: %zu persons, %zu documents, %zu vehicles; import %.1f s; first "
           "batch (index build) %.2f s\n",
           n, n, n / 2, t1 - t0, first);
    printf("screening batch: %zu travellers in %zu batches of 1,000 in %.2f s: %.0f travellers "
           "a minute, %.2f ms a batch, %zu with hits\n",
           travellers, batches, search, travellers / search * 60, search / batches * 1000,
           with_hits);
    free(items), free(names), free(nums);
    tz_screening_close(s);
    tz_auth_close(auth);
    tz_store_close(store);
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[96];
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
    rmdir(dir);
    return 0;
}
