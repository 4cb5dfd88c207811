/*
 * bench_search - the assistant's search over N reports (make bench, docs/assistant-lang.md).
 *
 *   bench_search [N]     (default 1,000,000)
 *
 * Makes a fresh database, writes N reports straight into it (SQL, one transaction: the search
 * is measured, not the report door) whose descriptions are Polish-like sentences naming one of
 * 5,000 made-up surnames, a third of them written in Cyrillic; indexes them all
 * (tz_search_index_all, timed), then runs 2,000 searches of each kind and prints p50 and p99:
 * a surname in Latin letters found in both scripts (rare word), a common word (every report has
 * a few of 40), two words, and a surname searched by an officer who may read 2 of 50 districts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "assistant/search.h"
#include "rng.h"

#define DISTRICTS 50
#define SURNAMES 5000
#define QUERIES 2000

static const char *const WORDS[] = {
    "samochód", "zaparkowany", "chodniku", "przejściu", "pieszych", "wieczorem", "rano",
    "sprzedaje", "telefony", "dworcu", "szkoły", "mężczyzna", "kobieta", "grupa", "młodzieży",
    "alkohol", "hałas", "nocą", "ulicy", "parku", "sklepem", "przystanku", "graffiti", "murze",
    "wysypisko", "śmieci", "psy", "bezpańskie", "rower", "skradziony", "kierowca", "prędkość",
    "zgłaszam", "codziennie", "weekend", "osiedlu", "bramie", "klatce", "sąsiad", "awantura",
};
#define NWORDS (sizeof WORDS / sizeof WORDS[0])

static const char *const ONSET[] = {"k", "m", "n", "s", "t", "w", "b", "d", "g", "r", "l", "p"};
static const char *const VOWEL[] = {"a", "o", "e", "i", "u"};
static const char *const CYR_ONSET[] = {"к", "м", "н", "с", "т", "в", "б", "д", "г", "р", "л", "п"};
static const char *const CYR_VOWEL[] = {"а", "о", "е", "и", "у"};

/* Surname i in Latin or Cyrillic letters: three syllables and -ov, by i's digits. */
static void surname(int i, int cyrillic, char *out, size_t size)
{
    int a = i % 12, b = (i / 12) % 5, c = (i / 60) % 12, d = (i / 720) % 5, e = (i / 3600) % 12;
    if (cyrillic)
        snprintf(out, size, "%s%s%s%s%s%s%s", CYR_ONSET[a], CYR_VOWEL[b], CYR_ONSET[c],
                 CYR_VOWEL[d], CYR_ONSET[e], "ов", "");
    else
        snprintf(out, size, "%c%s%s%s%s%s%s", ONSET[a][0] - 32, VOWEL[b], ONSET[c], VOWEL[d],
                 ONSET[e], "ov", "");
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void fill(sqlite3 *db, long n)
{
    sqlite3_stmt *st;
    char sql[256], text[512], name[64];
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (int d = 0; d < DISTRICTS; d++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO districts (id, name, unit, geometry) VALUES ('D%02d', 'd', 'KP %d',"
                 " '{}')",
                 d, d / 10);
        sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    sqlite3_exec(db,
                 "INSERT INTO accounts (id, name, role, unit, password_hash, totp_secret,"
                 " created_at) VALUES (1, 'nowak', 'officer', 'KP 0', 'x', x'00', 0);"
                 "INSERT INTO account_districts VALUES (1, 'D00'), (1, 'D01');",
                 NULL, NULL, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO reports (id, category, lat, lon, district_id, status,"
                       " description, received_at, status_changed_at, takeup_due, token_hash,"
                       " reporter_hash) VALUES (?, 'vandalism', 50, 20, ?, 'new', ?, ?, ?, ?,"
                       " x'00', x'00')",
                       -1, &st, NULL);
    for (long i = 1; i <= n; i++) {
        char district[8];
        size_t k = 0;
        int words = 6 + (int)(uniform() * 10);
        surname((int)(uniform() * SURNAMES), uniform() < 1.0 / 3, name, sizeof name);
        for (int w = 0; w < words && k < sizeof text - 64; w++) {
            if (w == 2)
                k += (size_t)snprintf(text + k, sizeof text - k, "%s ", name);
            k += (size_t)snprintf(text + k, sizeof text - k, "%s ",
                                  WORDS[(size_t)(uniform() * NWORDS) % NWORDS]);
        }
        snprintf(district, sizeof district, "D%02d", (int)(uniform() * DISTRICTS) % DISTRICTS);
        sqlite3_bind_int64(st, 1, i);
        sqlite3_bind_text(st, 2, district, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, text, (int)k, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, 1700000000 + i);
        sqlite3_bind_int64(st, 5, 1700000000 + i);
        sqlite3_bind_int64(st, 6, 1700200000 + i);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
}

/* Runs QUERIES searches of one kind and prints p50 and p99 (ms) and the mean hits. */
static void measure(struct tz_store *store, const char *kind, const struct tz_search_scope *scope)
{
    static double t[QUERIES];
    double hits = 0;
    for (int i = 0; i < QUERIES; i++) {
        char q[128], name[64];
        struct tz_search_result r;
        surname((int)(uniform() * SURNAMES), 0, name, sizeof name);
        if (strncmp(kind, "common", 6) == 0)
            snprintf(q, sizeof q, "%s", WORDS[(size_t)(uniform() * NWORDS) % NWORDS]);
        else if (strcmp(kind, "two_words") == 0)
            snprintf(q, sizeof q, "%s %s", WORDS[(size_t)(uniform() * NWORDS) % NWORDS], name);
        else
            snprintf(q, sizeof q, "%s", name);
        double t0 = now_us();
        if (tz_search_reports(store, scope, q, 50, &r) != TZ_OK) {
            fprintf(stderr, "bench_search: search failed\n");
            exit(1);
        }
        t[i] = (now_us() - t0) / 1000.0;
        hits += (double)r.count;
        tz_search_result_clear(&r);
    }
    qsort(t, QUERIES, sizeof t[0], by_double);
    printf("search %-14s queries=%d p50_ms=%.2f p99_ms=%.2f mean_hits=%.1f\n", kind, QUERIES,
           t[QUERIES / 2], t[QUERIES * 99 / 100], hits / QUERIES);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    char dir[] = "/tmp/bench_search_XXXXXX", path[128], cmd[160];
    struct tz_store *store = NULL;
    sqlite3 *db = NULL;
    size_t added = 0;

    if (n <= 0 || !mkdtemp(dir))
        return 2;
    snprintf(path, sizeof path, "%s/s.db", dir);
    if (tz_store_open_sqlite(path, &store) != TZ_OK || sqlite3_open(path, &db) != SQLITE_OK)
        return 1;
    double t0 = now_us();
    fill(db, n);
    sqlite3_close(db);
    double t1 = now_us();
    if (tz_search_index_all(store, &added) != TZ_OK)
        return 1;
    double t2 = now_us();
    printf("search reports=%ld fill_s=%.1f index_s=%.1f indexed=%zu index_per_s=%.0f\n", n,
           (t1 - t0) / 1e6, (t2 - t1) / 1e6, added, added / ((t2 - t1) / 1e6));
    struct tz_search_scope all = {.reach = TZ_SEARCH_ALL};
    struct tz_search_scope own = {.reach = TZ_SEARCH_OWN, .account = "nowak"};
    measure(store, "surname", &all);
    measure(store, "common_word", &all);
    measure(store, "two_words", &all);
    measure(store, "surname_own", &own);
    measure(store, "common_own", &own);
    tz_store_close(store);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
