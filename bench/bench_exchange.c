/*
 * bench_exchange.c - how fast the exchange takes messages and answers a unit's inbox.
 *
 *   bench_exchange [MESSAGES [INTAKE]]
 *
 * 1. Intake: INTAKE (default 3000) requests received from a partner, each with 8 entities
 *    (person, passport, vehicle, location, organisation, account, phone, e-mail), submitted by
 *    8 threads through tz_exchange_submit: validated, permitted, cross-checked against the
 *    entities on file and written whole with its audit entry, durable (synchronous=FULL; one
 *    transaction, so one fsync, per message). Rate and per-call latency.
 * 2. Inbox: MESSAGES (default 1,000,000) messages addressed to 100 units, 2 % of them requests
 *    with a running clock (every unit's alike: 2 % of its messages), written straight into the tables in one transaction (building them
 *    through the API would take as long as intake takes them); then tz_exchange_box for a random
 *    unit, a page of 50, 2000 times: the inbox read with its audit entry (a write transaction).
 *
 *    The same transaction writes MESSAGES entities (a document each, with its exact key) and
 *    one case of 500 messages.
 * 3. The inbox's query alone, on a read-only connection of its own (no audit entry, no write
 *    lock): where a read's time goes, the index ranges or the audited commit.
 * 4. The case page of the 500-message case (tz_exchange_case, audited), 2000 times.
 * 5. The Art. 16(d) cross-check of one incoming request's 20 entities (10 keys on file, 10
 *    not) against the MESSAGES stored entities (the store's x_cross_check, as at receipt).
 *
 * Output lines:
 *   exchange_intake messages=3000 threads=8 seconds=... messages_per_s=... p50_ms=... p99_ms=...
 *   exchange_inbox messages=1000000 units=100 reads=2000 p50_ms=... p99_ms=...
 *   exchange_inbox_concurrent threads=8 reads=2000 reads_per_s=... p50_ms=... p99_ms=...
 *   exchange_inbox_query reads=2000 p50_ms=... p99_ms=...   (the query alone, no audit)
 *   exchange_case messages=500 reads=2000 p50_ms=... p99_ms=...
 *   exchange_cross_check entities=20 stored=1000000 checks=2000 p50_ms=... p99_ms=...
 * The concurrent line: the same reads by 8 threads at once (officers of many units reading),
 * whose audit entries share transactions (the store's group commit) instead of an fsync each.
 * EXCHANGE_DB_DIR=DIR makes the database's directory under DIR (a disk with room for 10 M
 * messages) instead of /tmp; it is deleted at the end.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/tztime.h"
#include "exchange/exchange.h"
#include "store/sqlite_exchange.h"

#define THREADS 8
#define UNITS 100

static char dir[128];
static struct tz_exchange *xch;
static struct tz_principal spoc = {.role = TZ_AUTH_SPOC_SUPERVISOR};
static atomic_long next_msg;
static long intake_total;
static int64_t *lat_ns;

#define COPY(dst, s) snprintf((dst), sizeof(dst), "%s", (s))

/* One inbox read of a unit drawn from *seed; its latency in ns, or -1. */
static int64_t read_box(struct tz_xactor *who, uint64_t *seed)
{
    *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
    char unit[32];
    snprintf(unit, sizeof unit, "unit-%d", (int)((*seed >> 33) % UNITS));
    struct tz_xlines l;
    int64_t a = tz_time_mono_ns();
    tz_err err = tz_exchange_box(xch, who, unit, true, 50, &l);
    int64_t ns = tz_time_mono_ns() - a;
    if (err || l.count != 50) {
        fprintf(stderr, "bench_exchange: box: %s %zu\n", tz_err_str(err), l.count);
        ns = -1;
    }
    tz_xlines_clear(&l);
    return ns;
}

#define BOX_READS 2000
static int64_t box_lat[BOX_READS];
static atomic_long box_next;
static atomic_int box_failed;

static void *box_thread(void *arg)
{
    struct tz_principal boss = spoc;
    struct tz_xactor who = {.p = &boss, .client = "bench"};
    uint64_t seed = (uint64_t)(uintptr_t)arg * 7919u + 1;
    for (long i; (i = atomic_fetch_add(&box_next, 1)) < BOX_READS;)
        if ((box_lat[i] = read_box(&who, &seed)) < 0)
            atomic_store(&box_failed, 1);
    return NULL;
}

static void request(struct tz_xmsg *m, long i)
{
    tz_xmsg_init(m);
    m->type = TZ_XMSG_REQUEST;
    COPY(m->subject, "bench");
    COPY(m->originator.node, "DE");
    COPY(m->originator.unit, "BKA-SPOC");
    m->addressee_count = 1;
    COPY(m->addressees[0].node, "PL");
    COPY(m->addressees[0].unit, "KGP-SPOC");
    COPY(m->lang, "pl");
    m->handling = TZ_XH1;
    m->source = TZ_XSRC_B;
    m->info = TZ_XINFO_2;
    m->urgency = TZ_XURG_NORMAL;
    m->entity_count = 8;
    m->entities = calloc(8, sizeof *m->entities);
    struct tz_xentity *e = m->entities;
    for (int k = 0; k < 8; k++) {
        snprintf(e[k].ref, sizeof e[k].ref, "e%d", k);
        e[k].kind = k < 6 ? k : TZ_XE_COMM;
    }
    snprintf(e[0].u.person.family, sizeof e[0].u.person.family, "Family%ld", i % 5000);
    e[1].u.document.type = TZ_XDOC_PASSPORT;
    snprintf(e[1].u.document.number, sizeof e[1].u.document.number, "P%07ld", i % 20000);
    COPY(e[1].u.document.country, "DE");
    snprintf(e[2].u.vehicle.plate, sizeof e[2].u.vehicle.plate, "B AB %ld", i % 9000);
    COPY(e[2].u.vehicle.plate_country, "DE");
    COPY(e[3].u.location.address, "Berlin");
    COPY(e[4].u.named.name, "Org");
    COPY(e[5].u.named.name, "Event");
    e[6].kind = TZ_XE_COMM;
    e[6].u.comm.kind = TZ_XC_PHONE;
    snprintf(e[6].u.comm.value, sizeof e[6].u.comm.value, "+4915%08ld", i % 30000);
    e[7].u.comm.kind = TZ_XC_EMAIL;
    snprintf(e[7].u.comm.value, sizeof e[7].u.comm.value, "p%ld@example.de", i % 30000);
}

static void *intake_thread(void *arg)
{
    struct tz_xactor who = {.p = &spoc, .client = "bench"};
    for (long i; (i = atomic_fetch_add(&next_msg, 1)) < intake_total;) {
        struct tz_xmsg m;
        request(&m, i);
        struct tz_xreceipt r;
        struct tz_field_errors errs = {0};
        int64_t t0 = tz_time_mono_ns();
        tz_err err = tz_exchange_submit(xch, &who, true, &m, &r, &errs);
        lat_ns[i] = tz_time_mono_ns() - t0;
        tz_xmsg_clear(&m);
        if (err) {
            fprintf(stderr, "bench_exchange: submit: %s %s\n", tz_err_str(err),
                    errs.count ? errs.items[0].field : "");
            exit(1);
        }
    }
    return NULL;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_ms(int64_t *v, long n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp64);
    return (double)v[(long)((double)(n - 1) * p)] / 1e6;
}

static long long scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The inbox's query alone on a read-only connection: its plan (stderr) and its latency. */
static void inbox_query(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        exit(1);
    char plan[4096];
    snprintf(plan, sizeof plan, "EXPLAIN QUERY PLAN %s", tz_sq_x_inbox_sql());
    if (sqlite3_prepare_v2(db, plan, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, "unit-1", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, 50);
        while (sqlite3_step(st) == SQLITE_ROW)
            fprintf(stderr, "plan: %s\n", (const char *)sqlite3_column_text(st, 3));
        sqlite3_finalize(st);
    }
    if (sqlite3_prepare_v2(db, tz_sq_x_inbox_sql(), -1, &st, NULL) != SQLITE_OK)
        exit(1);
    uint64_t seed = 43;
    for (int i = 0; i < BOX_READS; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        char unit[32];
        snprintf(unit, sizeof unit, "unit-%d", (int)((seed >> 33) % UNITS));
        int64_t a = tz_time_mono_ns();
        sqlite3_bind_text(st, 1, unit, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, 50);
        int rows = 0;
        while (sqlite3_step(st) == SQLITE_ROW)
            rows++;
        sqlite3_reset(st);
        box_lat[i] = tz_time_mono_ns() - a;
        if (rows != 50)
            exit(1);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    printf("exchange_inbox_query reads=%d p50_ms=%.3f p99_ms=%.3f\n", BOX_READS,
           pct_ms(box_lat, BOX_READS, 0.5), pct_ms(box_lat, BOX_READS, 0.99));
}

/* The case page of case id (500 messages), BOX_READS times, audited. */
static void case_page(struct tz_xactor *who, int64_t id)
{
    for (int i = 0; i < BOX_READS; i++) {
        struct tz_xlines l;
        int64_t a = tz_time_mono_ns();
        tz_err err = tz_exchange_case(xch, who, id, &l);
        box_lat[i] = tz_time_mono_ns() - a;
        size_t n = l.count;
        tz_xlines_clear(&l);
        if (err || n != 500) {
            fprintf(stderr, "bench_exchange: case: %s %zu\n", tz_err_str(err), n);
            exit(1);
        }
    }
    printf("exchange_case messages=500 reads=%d p50_ms=%.3f p99_ms=%.3f\n", BOX_READS,
           pct_ms(box_lat, BOX_READS, 0.5), pct_ms(box_lat, BOX_READS, 0.99));
}

/* 20 keys of an incoming request, 10 of them on file, against `stored` entities. */
static void cross_check(struct tz_store *store, long first, long stored)
{
    uint64_t seed = 44;
    char keys[20][64];
    const char *k[20];
    for (int i = 0; i < BOX_READS; i++) {
        for (int j = 0; j < 20; j++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            long n = first + (long)((seed >> 20) % (uint64_t)stored);
            snprintf(keys[j], sizeof keys[j], j % 2 ? "doc:DE:N%ld" : "doc:FR:X%ld", n);
            k[j] = keys[j];
        }
        struct tz_xhit_rec *hits = NULL;
        size_t count = 0;
        int64_t a = tz_time_mono_ns();
        tz_err err = tz_store_x_cross_check(store, k, 20, &hits, &count);
        box_lat[i] = tz_time_mono_ns() - a;
        free(hits);
        if (err || count < 10) {
            fprintf(stderr, "bench_exchange: cross-check: %s %zu\n", tz_err_str(err), count);
            exit(1);
        }
    }
    printf("exchange_cross_check entities=20 stored=%ld checks=%d p50_ms=%.3f p99_ms=%.3f\n",
           stored, BOX_READS, pct_ms(box_lat, BOX_READS, 0.5), pct_ms(box_lat, BOX_READS, 0.99));
}

/* Messages and addressees written straight into the tables: the inbox's data at scale. */
static void fill(const char *path, long n)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        exit(1);
    char sql[4096];
    snprintf(sql, sizeof sql,
             /* a generator: no journal (the WAL would hold every page once more, then be
              * copied back) and a large cache while the indexes grow; WAL again after */
             "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576; BEGIN;"
             "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %ld)"
             " INSERT INTO x_cases (subject, node, unit, created_at) SELECT 'case ' || i, 'DE',"
             " 'BKA-SPOC', 1700000000 + i FROM k WHERE i %% 10 = 1;"
             "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %ld)"
             " INSERT INTO x_messages (case_id, inbound, at, type, from_node, from_unit, lang,"
             " handling, source, info, urgency, state, due_at) SELECT (i - 1) / 10 + 1, 1,"
             " 1700000000 + i, 'request', 'DE', 'BKA-SPOC', 'pl', 'H0', 'B', '2', 'normal',"
             " CASE WHEN (i / %d) %% 50 = 0 THEN 'open' ELSE 'answered' END, 1700600000 + i FROM k;"
             "INSERT INTO x_addressees (message_id, idx, node, unit, inbound, state, due_at)"
             " SELECT id, 0, 'PL', 'unit-' || (id %% %d), 1, state, due_at FROM x_messages m"
             " WHERE NOT EXISTS (SELECT 1 FROM x_addressees a WHERE a.message_id = m.id);"
             /* one entity (a document) per message, with its exact key */
             "INSERT INTO x_entities (message_id, idx, ref, kind) SELECT id, 0, 'e0', 'document'"
             " FROM x_messages WHERE id > (SELECT coalesce(max(message_id), 0) FROM x_entities);"
             "INSERT INTO x_entity_keys (key, entity_id) SELECT 'doc:DE:N' || message_id, id"
             " FROM x_entities WHERE id > (SELECT coalesce(max(entity_id), 0) FROM x_entity_keys);"
             /* a case of 500 messages */
             "INSERT INTO x_cases (subject, node, unit, created_at) VALUES ('long', 'DE',"
             " 'BKA-SPOC', 1700000000);"
             "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 500)"
             " INSERT INTO x_messages (case_id, inbound, at, type, from_node, from_unit, lang,"
             " handling, source, info, urgency, state, due_at) SELECT (SELECT max(id) FROM"
             " x_cases), 1, 1700000000 + i, 'information', 'DE', 'BKA-SPOC', 'pl', 'H0', 'B', '2',"
             " '', 'none', 0 FROM k;"
             "INSERT INTO x_addressees (message_id, idx, node, unit, inbound, state, due_at)"
             " SELECT id, 0, 'PL', 'KGP-SPOC', 1, state, due_at FROM x_messages m"
             " WHERE case_id = (SELECT max(id) FROM x_cases);"
             "COMMIT; PRAGMA journal_mode=WAL;",
             n / 10 * 10 + 1, n, UNITS, UNITS);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench_exchange: fill: %s\n", msg);
        exit(1);
    }
    sqlite3_close(db);
}

int main(int argc, char **argv)
{
    long messages = argc > 1 ? atol(argv[1]) : 1000000;
    intake_total = argc > 2 ? atol(argv[2]) : 3000;
    const char *base = getenv("EXCHANGE_DB_DIR");
    snprintf(dir, sizeof dir, "%s/tz_bench_exchange_XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    char path[160];
    snprintf(path, sizeof path, "%s/x.db", dir);
    struct tz_store *store;
    struct tz_xnode_config cfg = {.node = "PL", .spoc_unit = "KGP-SPOC"};
    COPY(spoc.account.name, "bench");
    COPY(spoc.account.unit, "KGP-SPOC");
    if (tz_store_open_sqlite(path, &store) || tz_exchange_open(store, &cfg, &xch))
        return 1;
    /* 1. intake */
    lat_ns = calloc((size_t)intake_total, sizeof *lat_ns);
    pthread_t t[THREADS];
    int64_t t0 = tz_time_mono_ns();
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, intake_thread, NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    double s = (double)(tz_time_mono_ns() - t0) / 1e9;
    double p50 = pct_ms(lat_ns, intake_total, 0.5), p99 = pct_ms(lat_ns, intake_total, 0.99);
    printf("exchange_intake messages=%ld threads=%d seconds=%.2f messages_per_s=%.0f p50_ms=%.2f"
           " p99_ms=%.2f\n",
           intake_total, THREADS, s, (double)intake_total / s, p50, p99);
    tz_exchange_close(xch);
    tz_store_close(store);
    /* 2. inbox at scale */
    t0 = tz_time_mono_ns();
    fill(path, messages);
    fprintf(stderr, "exchange_fill messages=%ld seconds=%.1f\n", messages,
            (double)(tz_time_mono_ns() - t0) / 1e9);
    if (tz_store_open_sqlite(path, &store) || tz_exchange_open(store, &cfg, &xch))
        return 1;
    struct tz_principal boss = spoc;
    struct tz_xactor who = {.p = &boss, .client = "bench"};
    long reads = BOX_READS;
    int64_t *lat = calloc((size_t)reads, sizeof *lat);
    uint64_t seed = 42;
    for (long i = 0; i < reads; i++)
        if ((lat[i] = read_box(&who, &seed)) < 0)
            return 1;
    printf("exchange_inbox messages=%ld units=%d reads=%ld p50_ms=%.3f p99_ms=%.3f\n", messages,
           UNITS, reads, pct_ms(lat, reads, 0.5), pct_ms(lat, reads, 0.99));
    t0 = tz_time_mono_ns();
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, box_thread, (void *)(uintptr_t)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    s = (double)(tz_time_mono_ns() - t0) / 1e9;
    if (atomic_load(&box_failed))
        return 1;
    printf("exchange_inbox_concurrent threads=%d reads=%d reads_per_s=%.0f p50_ms=%.3f"
           " p99_ms=%.3f\n",
           THREADS, BOX_READS, BOX_READS / s, pct_ms(box_lat, BOX_READS, 0.5),
           pct_ms(box_lat, BOX_READS, 0.99));
    inbox_query(path);
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return 1;
    int64_t long_case = scalar(db, "SELECT max(id) FROM x_cases");
    /* the generated documents: messages first..first+stored-1 */
    const char *docs = " FROM x_entities WHERE ref = 'e0' AND kind = 'document'";
    char q[160];
    snprintf(q, sizeof q, "SELECT min(message_id)%s", docs);
    long first = (long)scalar(db, q);
    snprintf(q, sizeof q, "SELECT count(*)%s", docs);
    long stored = (long)scalar(db, q);
    sqlite3_close(db);
    case_page(&who, long_case);
    cross_check(store, first, stored);
    tz_exchange_close(xch);
    tz_store_close(store);
    free(lat);
    free(lat_ns);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
