/*
 * oom_harness.h - the allocation-failure harness that test_oom.c and
 * test_oom_http.c share (one executable includes it once): the fault
 * injector under malloc and friends (linked with -Wl,--wrap=...), SQLite's
 * and jansson's allocators, the child processes that run a scenario for every
 * N, the checks and the template databases. How it works: test_oom.c's head.
 */
#ifndef TZ_TESTS_OOM_HARNESS_H
#define TZ_TESTS_OOM_HARNESS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/tztime.h"
#include "store/store.h"
#include "threatmap/threatmap.h"

#if defined(__SANITIZE_ADDRESS__)
#define TZ_OOM_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TZ_OOM_LSAN 1
#endif
#endif
#ifdef TZ_OOM_LSAN
#include <sanitizer/lsan_interface.h>
#endif

/* ---- the fault injector ---------------------------------------------------------------------- */

static atomic_bool oom_armed;
static atomic_long oom_seen;     /* allocations made while armed */
static atomic_long oom_fail_at;  /* the allocation (1-based) that fails; 0: none */
static atomic_long oom_injected; /* failures handed out */
static bool oom_persist;         /* every allocation from fail_at on fails */

static inline bool oom_fail(void)
{
    if (!atomic_load_explicit(&oom_armed, memory_order_relaxed))
        return false;
    long n = atomic_fetch_add(&oom_seen, 1) + 1;
    long at = atomic_load(&oom_fail_at);
    if (at > 0 && (n == at || (oom_persist && n > at))) {
        atomic_fetch_add(&oom_injected, 1);
        return true;
    }
    return false;
}

static inline void oom_arm(long fail_at)
{
    atomic_store(&oom_seen, 0);
    atomic_store(&oom_injected, 0);
    atomic_store(&oom_fail_at, fail_at);
    atomic_store(&oom_armed, true);
}

static inline void oom_disarm(void)
{
    atomic_store(&oom_armed, false);
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t count, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t count, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
void *__wrap_aligned_alloc(size_t align, size_t n);

void *__wrap_malloc(size_t n)
{
    return oom_fail() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t count, size_t n)
{
    return oom_fail() ? NULL : __real_calloc(count, n);
}
void *__wrap_realloc(void *p, size_t n)
{
    return oom_fail() ? NULL : __real_realloc(p, n);
}
char *__wrap_strdup(const char *s)
{
    return oom_fail() ? NULL : __real_strdup(s);
}
char *__wrap_strndup(const char *s, size_t n)
{
    return oom_fail() ? NULL : __real_strndup(s, n);
}
void *__wrap_aligned_alloc(size_t align, size_t n)
{
    return oom_fail() ? NULL : __real_aligned_alloc(align, n);
}

static sqlite3_mem_methods sqlite_default;

static inline void *sqlite_malloc(int n)
{
    return oom_fail() ? NULL : sqlite_default.xMalloc(n);
}
static inline void *sqlite_realloc(void *p, int n)
{
    return oom_fail() ? NULL : sqlite_default.xRealloc(p, n);
}

static inline void *json_malloc(size_t n)
{
    return oom_fail() ? NULL : __real_malloc(n);
}

/* Puts the injector under SQLite and jansson; before anything else uses either. */
static inline void oom_install(void)
{
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_default) != SQLITE_OK)
        abort();
    sqlite3_mem_methods m = sqlite_default;
    m.xMalloc = sqlite_malloc;
    m.xRealloc = sqlite_realloc;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK)
        abort();
    json_set_alloc_funcs(json_malloc, free);
}

/* ---- running a scenario for every N ---------------------------------------------------------- */

/* A failed check in a child: says what, where and for which N, and ends the child. */
static long child_n;
static const char *child_scenario;
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s, allocation %ld fails: %s:%d: %s\n", child_scenario, child_n,      \
                    __FILE__, __LINE__, #cond);                                                    \
            _exit(3);                                                                              \
        }                                                                                          \
    } while (0)
/* rc of a call that ran armed: TZ_OK, or TZ_ENOMEM once a failure was handed out. */
#define CHECK_RC(rc)                                                                               \
    do {                                                                                           \
        if (!((rc) == TZ_OK || ((rc) == TZ_ENOMEM && atomic_load(&oom_injected) > 0))) {           \
            fprintf(stderr, "%s, allocation %ld fails: %s:%d: %s answered %s\n", child_scenario,   \
                    child_n, __FILE__, __LINE__, #rc, tz_err_str(rc));                            \
            _exit(3);                                                                              \
        }                                                                                          \
    } while (0)

/* Template databases, copied for each run: migrated only, and with the two districts. */
static char empty_template[64], template_path[64];

static const char two_districts[] =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"id\":\"A\",\"properties\":{\"name\":\"Zachód\",\"unit\":\"KP I\","
    "\"officer\":\"asp. Jan Kowalski\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[19.9,50.0],[20.0,50.0],[20.0,50.1],[19.9,50.1],[19.9,50.0]]]}},"
    "{\"type\":\"Feature\",\"id\":\"B\",\"properties\":{\"name\":\"Wschód\",\"unit\":\"KP II\","
    "\"officer\":\"sierż. Anna Nowak\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[20.0,50.0],[20.1,50.0],[20.1,50.1],[20.0,50.1],[20.0,50.0]]]}}]}";

static inline void remove_db(const char *path)
{
    char p[96];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* Where the databases go: /dev/shm when there is one (thousands of runs, each syncing a few
 * times, would otherwise wait on the disk), else /tmp. */
static inline const char *scratch_dir(void)
{
    return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

/* Copies a template (closed, checkpointed: one file) to a fresh path. */
static inline void fresh_db_of(char path[64], const char *template)
{
    snprintf(path, 64, "%s/tarcza-oom-XXXXXX", scratch_dir());
    int out = mkstemp(path);
    CHECK(out >= 0);
    FILE *in = fopen(template, "rb");
    CHECK(in != NULL);
    char block[8192];
    size_t n;
    while ((n = fread(block, 1, sizeof block, in)) > 0)
        CHECK(write(out, block, n) == (ssize_t)n);
    fclose(in);
    close(out);
}

static inline void fresh_db(char path[64])
{
    fresh_db_of(path, template_path);
}

/* PRAGMA integrity_check on the closed database. */
static inline void check_integrity(const char *path)
{
    sqlite3 *db = NULL;
    CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    sqlite3_stmt *st = NULL;
    CHECK(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    CHECK(strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

typedef void (*scenario_fn)(long fail_at);

/* Leaks so far are a failure (LeakSanitizer, when the build has it). */
static inline void check_leaks(void)
{
#ifdef TZ_OOM_LSAN
    if (__lsan_do_recoverable_leak_check()) {
        fprintf(stderr, "%s, allocation %ld fails: memory leaked (above)\n", child_scenario,
                child_n);
        _exit(4);
    }
#endif
}

/*
 * Runs fn(n) for n = first, first + step, ... up to last, one after the other in
 * one child process (forking per N costs more than most runs), then checks for
 * leaks; returns the child's exit status (0: every check held). A failed check
 * names its N; a crash or a leak is located by the caller, one N per child.
 * With seen, the child writes the allocations its (single) run saw.
 */
static inline int run_child(const char *name, scenario_fn fn, long first, long last, long step,
                     long *seen)
{
    int fds[2];
    if (seen && pipe(fds) != 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        child_scenario = name;
        for (long n = first; n <= last; n += step) {
            child_n = n;
            fn(n);
        }
        check_leaks();
        if (seen) {
            long n = atomic_load(&oom_seen);
            CHECK(write(fds[1], &n, sizeof n) == (ssize_t)sizeof n);
        }
        _exit(0); /* no atexit handler of the parent's */
    }
    if (seen) {
        close(fds[1]);
        if (read(fds[0], seen, sizeof *seen) != (ssize_t)sizeof *seen)
            *seen = -1;
        close(fds[0]);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "%s, allocations %ld..%ld fail: killed by signal %d\n", name, first, last,
                WTERMSIG(status));
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}

static inline long env_long(const char *name, long dflt)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return dflt;
    char *end = NULL;
    long v = strtol(s, &end, 10);
    return (*end || v < 1) ? dflt : v;
}

#define BATCH 64 /* runs per child */

/* Counts the allocations of a clean run, then fails each N (every stride-th) in turn. */
static inline void for_every_n(const char *name, scenario_fn fn, long stride)
{
    long count = 0;
    assert_int_equal(run_child(name, fn, 0, 0, 1, &count), 0);
    assert_true(count > 0);
    stride = env_long("TZ_OOM_STRIDE", stride);
    long only = env_long("TZ_OOM_ONLY", 0), failed = 0, runs = 0;
    if (only) {
        assert_int_equal(run_child(name, fn, only, only, 1, NULL), 0);
        return;
    }
    /* A few past the count: threads may allocate a little more in another run. */
    long last = count + 8;
    for (long first = 1; first <= last; first += BATCH * stride) {
        long end = first + (BATCH - 1) * stride;
        if (end > last)
            end = last;
        runs += (end - first) / stride + 1;
        if (run_child(name, fn, first, end, stride, NULL) == 0)
            continue;
        /* Which N: one child each (the first failed check above may hide others). */
        for (long n = first; n <= end; n += stride)
            if (run_child(name, fn, n, n, 1, NULL) != 0)
                failed++;
        if (failed == 0)
            failed++; /* failed together only: still a failure */
    }
    printf("%s: %ld allocations in a clean run, %ld runs (every %ld%s), %ld failed\n", name,
           count, runs, stride, oom_persist ? ", persistent" : "", failed);
    assert_int_equal(failed, 0);
}

/* The template databases: migrated (one with districts), checkpointed into one file. */
static inline int make_template(void **state)
{
    struct tz_store *store = NULL;
    snprintf(empty_template, sizeof empty_template, "%s/tarcza-oom-empty-XXXXXX", scratch_dir());
    int fd = mkstemp(empty_template);
    if (fd < 0)
        return -1;
    close(fd);
    if (tz_store_open_sqlite(empty_template, &store))
        return -1;
    tz_store_close(store);
    snprintf(template_path, sizeof template_path, "%s/tarcza-oom-template-XXXXXX", scratch_dir());
    fd = mkstemp(template_path);
    if (fd < 0)
        return -1;
    close(fd);
    struct tz_geo_problems problems = {0};
    if (tz_store_open_sqlite(template_path, &store) ||
        tz_threatmap_import_districts(store, two_districts, strlen(two_districts), &problems))
        return -1;
    tz_store_close(store);
    return 0;
}

static inline int drop_template(void **state)
{
    remove_db(template_path);
    remove_db(empty_template);
    return 0;
}

#endif
