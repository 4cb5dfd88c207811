/*
 * bench_case - the assistant over a whole exchange case (make bench, docs/benchmarks.md).
 *
 *   bench_case CORPUS [RUNS]     (default 200 runs)
 *
 * Makes a fresh database with one case of 40 messages received from a partner (a request and 39
 * more, their texts 40 texts of the assistant's corpus in every language), then times, as a SPOC
 * operator of the addressed unit: the case's digest (tz_assist_case_digest_as: the thread read,
 * each message read through exchange with its audit entry, the summary of them together, the
 * timeline, the entity table; no model) and a question over it (tz_assist_case_ask_as, no
 * model). Prints p50, p99 and max of each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "assistant/cases.h"

#define MESSAGES 40

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double ms_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

/* The texts of the corpus, every 21st (so that the languages alternate). */
static size_t texts(const char *path, char **out, size_t max)
{
    FILE *f = fopen(path, "r");
    char line[16384];
    size_t n = 0, i = 0;
    while (f && n < max && fgets(line, sizeof line, f)) {
        if (i++ % 21)
            continue;
        json_t *doc = json_loads(line, 0, NULL);
        json_t *t = json_object_get(doc, "text");
        if (json_is_string(t))
            out[n++] = strdup(json_string_value(t));
        json_decref(doc);
    }
    if (f)
        fclose(f);
    return n;
}

static tz_err receive(struct tz_exchange *x, const struct tz_xactor *who, int64_t case_id,
                      const char *text, int64_t *out_case)
{
    struct tz_xmsg m;
    tz_xmsg_init(&m);
    m.type = case_id ? TZ_XMSG_INFORMATION : TZ_XMSG_REQUEST;
    m.case_id = case_id;
    snprintf(m.subject, sizeof m.subject, "Bench case");
    snprintf(m.originator.node, sizeof m.originator.node, "DE");
    snprintf(m.originator.unit, sizeof m.originator.unit, "BKA-SPOC");
    snprintf(m.addressees[0].node, sizeof m.addressees[0].node, "PL");
    snprintf(m.addressees[0].unit, sizeof m.addressees[0].unit, "KGP-SPOC");
    m.addressee_count = 1;
    snprintf(m.lang, sizeof m.lang, "pl");
    m.handling = TZ_XH1;
    m.source = TZ_XSRC_B;
    m.info = TZ_XINFO_2;
    m.urgency = case_id ? -1 : TZ_XURG_NORMAL;
    m.text = strdup(text);
    m.text_len = strlen(text);
    struct tz_xreceipt r;
    struct tz_field_errors errs = {0};
    tz_err err = tz_exchange_submit(x, who, true, &m, &r, &errs);
    if (err && errs.count)
        fprintf(stderr, "bench_case: %s: %s\n", errs.items[0].field, errs.items[0].message);
    if (!err)
        *out_case = r.case_id;
    tz_xmsg_clear(&m);
    return err;
}

static void report(const char *what, double *ms, int runs)
{
    qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
    printf("%s, %d runs: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", what, runs, ms[runs / 2],
           ms[(size_t)runs * 99 / 100], ms[runs - 1]);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_case CORPUS [RUNS]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 200;
    if (runs < 1)
        runs = 200;
    char *t[MESSAGES];
    size_t nt = texts(argv[1], t, MESSAGES);
    char dir[] = "/tmp/tz_bench_case_XXXXXX", path[64];
    if (nt < MESSAGES || !mkdtemp(dir)) {
        fprintf(stderr, "bench_case: %zu texts in %s\n", nt, argv[1]);
        return 1;
    }
    snprintf(path, sizeof path, "%s/case.db", dir);
    struct tz_store *store = NULL;
    struct tz_auth *auth = NULL;
    struct tz_exchange *x = NULL;
    struct tz_auth_config cfg = tz_auth_defaults();
    struct tz_xnode_config node = {.node = "PL", .spoc_unit = "KGP-SPOC"};
    if (tz_store_open_sqlite(path, &store) || tz_auth_open(store, &cfg, &auth) ||
        tz_exchange_open(store, &node, &x)) {
        fprintf(stderr, "bench_case: cannot open %s\n", path);
        return 1;
    }
    struct tz_principal p = {.role = TZ_AUTH_SPOC_OPERATOR};
    snprintf(p.account.name, sizeof p.account.name, "bench");
    snprintf(p.account.unit, sizeof p.account.unit, "KGP-SPOC");
    struct tz_xactor who = {.p = &p, .client = "bench"};
    int64_t case_id = 0;
    size_t bytes = 0;
    for (size_t i = 0; i < MESSAGES; i++) {
        if (receive(x, &who, case_id, t[i], &case_id)) {
            fprintf(stderr, "bench_case: message %zu refused\n", i);
            return 1;
        }
        bytes += strlen(t[i]);
        free(t[i]);
    }
    struct tz_acase_ctx c = {
        .auth = auth, .who = {.p = &p, .client = "bench"}, .exchange = x, .store = store};
    double *ms = malloc((size_t)runs * sizeof *ms);
    size_t sentences = 0, events = 0, rows = 0;
    for (int i = 0; ms && i < runs; i++) {
        struct timespec a;
        struct tz_acase_digest d;
        clock_gettime(CLOCK_MONOTONIC, &a);
        tz_err err = tz_assist_case_digest_as(&c, case_id, 0, &d);
        ms[i] = ms_since(&a);
        if (err) {
            fprintf(stderr, "bench_case: digest failed (%d)\n", (int)err);
            return 1;
        }
        sentences = d.sentences, events = d.event_count, rows = d.row_count;
        tz_acase_digest_clear(&d);
    }
    char what[200];
    snprintf(what, sizeof what,
             "digest of a %d-message case (%zu bytes, %zu sentences, %zu events, %zu entities)",
             MESSAGES, bytes, sentences, events, rows);
    report(what, ms, runs);
    static const char q[] = "Kto dzwonił z numeru telefonu i gdzie jest samochód?";
    for (int i = 0; ms && i < runs; i++) {
        struct timespec a;
        struct tz_acase_answer an;
        clock_gettime(CLOCK_MONOTONIC, &a);
        tz_err err = tz_assist_case_ask_as(&c, case_id, q, strlen(q), &an);
        ms[i] = ms_since(&a);
        if (err) {
            fprintf(stderr, "bench_case: ask failed (%d)\n", (int)err);
            return 1;
        }
        tz_acase_answer_clear(&an);
    }
    report("a question over it, passages only (no model)", ms, runs);
    free(ms);
    tz_exchange_close(x);
    tz_auth_close(auth);
    tz_store_close(store);
    char f[96];
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(f, sizeof f, "%s%s", path, suffix[i]);
        unlink(f);
    }
    rmdir(dir);
    return 0;
}
