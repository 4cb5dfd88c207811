/*
 * The store's group commit (store/sqlite_group.c): many threads changing accounts at once share
 * transactions, yet each change is all or nothing with its audit entry. A change refused (a name
 * already taken) leaves neither the account nor its entry, whatever batch it shared; every change
 * told "done" is there after the store is closed and opened again; the audit chain holds.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
// clang-format off
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include "store/store.h"

#define THREADS 16
#define PER_THREAD 40
#define TAKEN_EVERY 4 /* every 4th change of a thread asks for a name already taken */

struct worker {
    struct tz_store *store;
    int index;
    int done, refused, other;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        struct tz_account_rec rec = {0};
        bool taken = i % TAKEN_EVERY == TAKEN_EVERY - 1;
        snprintf(rec.name, sizeof rec.name, "%s-%d-%d", taken ? "first" : "officer",
                 taken ? 0 : w->index, i);
        snprintf(rec.role, sizeof rec.role, "officer");
        struct tz_audit_rec a = {.at = 1,
                                 .actor = "test",
                                 .action = "account.create",
                                 .object = rec.name,
                                 .outcome = "ok"};
        tz_err err = tz_store_account_put(w->store, &rec, &a);
        if (!err)
            w->done++;
        else if (err == TZ_ECONFLICT)
            w->refused++;
        else
            w->other++;
    }
    return NULL;
}

/* Reads the whole audit chain, checks its links and hashes, and counts entries by object prefix. */
static size_t chain_entries(struct tz_store *store, const char *prefix)
{
    size_t n = 0;
    int64_t after = 0;
    uint8_t prev[TZ_HASH_LEN] = {0};
    for (;;) {
        struct tz_audit_rec *recs = NULL;
        size_t count = 0;
        assert_int_equal(tz_store_audit_read(store, after, 500, &recs, &count), TZ_OK);
        for (size_t i = 0; i < count; i++) {
            uint8_t h[TZ_HASH_LEN];
            assert_memory_equal(recs[i].prev_hash, prev, TZ_HASH_LEN);
            tz_store_audit_hash(&recs[i], prev, h);
            assert_memory_equal(h, recs[i].hash, TZ_HASH_LEN);
            memcpy(prev, h, TZ_HASH_LEN);
            n += recs[i].object && strncmp(recs[i].object, prefix, strlen(prefix)) == 0;
            after = recs[i].seq;
        }
        tz_audit_recs_free(recs, count);
        if (count < 500)
            return n;
    }
}

static void changes_at_once_are_each_whole(void **state)
{
    (void)state;
    char dir[] = "/tmp/tz_group_XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/store.db", dir);
    struct tz_store *store = NULL;
    assert_int_equal(tz_store_open_sqlite(path, &store), TZ_OK);
    /* The names the threads ask for again: first-0-3, first-0-7, ... taken before they start. */
    for (int i = TAKEN_EVERY - 1; i < PER_THREAD; i += TAKEN_EVERY) {
        struct tz_account_rec rec = {0};
        snprintf(rec.name, sizeof rec.name, "first-0-%d", i);
        snprintf(rec.role, sizeof rec.role, "officer");
        assert_int_equal(tz_store_account_put(store, &rec, NULL), TZ_OK);
    }
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.store = store, .index = i};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    int done = 0, refused = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].other, 0);
        done += w[i].done;
        refused += w[i].refused;
    }
    assert_int_equal(refused, THREADS * (PER_THREAD / TAKEN_EVERY));
    assert_int_equal(done, THREADS * PER_THREAD - refused);
    tz_store_close(store);

    /* What was told "done" is on disk, with its entry; what was refused left nothing. */
    assert_int_equal(tz_store_open_sqlite(path, &store), TZ_OK);
    struct tz_account_rec *accounts = NULL;
    size_t count = 0;
    assert_int_equal(tz_store_accounts(store, &accounts, &count), TZ_OK);
    assert_int_equal(count, (size_t)done + PER_THREAD / TAKEN_EVERY);
    free(accounts);
    assert_int_equal(chain_entries(store, "officer-"), (size_t)done);
    assert_int_equal(chain_entries(store, "first-"), 0);
    tz_store_close(store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(changes_at_once_are_each_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
