/*
 * fuzz_addresses.c - libFuzzer harness of the address register's CSV import
 * (`tarcza import-addresses`, address/import.c), into a real store under $TMPDIR.
 *
 * What must hold, beyond "no crash, no undefined behaviour, no leak":
 *   - a file is taken line by line: taken + refused is the number of records read, and the
 *     refusals kept are the first TZ_ADDRESS_REFUSALS_KEPT, each with a reason and a line after
 *     the header, in order;
 *   - a file whose header is wrong is refused whole (TZ_EMALFORMED, nothing taken, a reason);
 *   - the store's answer is the import's only other outcome.
 */
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "address/address.h"
#include "check.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tz_store *store;
static char dir[PATH_MAX], db[PATH_MAX];

static void close_store(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    tz_store_close(store);
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s%s", db, suffixes[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void open_store(void)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(dir, sizeof dir, "%s/tarcza-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    FUZZ_CHECK(n > 0 && (size_t)n < sizeof dir, "TMPDIR is too long");
    FUZZ_CHECK(mkdtemp(dir) != NULL, "cannot make a directory under %s", dir);
    n = snprintf(db, sizeof db, "%s/addresses.db", dir);
    FUZZ_CHECK(n > 0 && (size_t)n < sizeof db, "TMPDIR is too long");
    tz_err err = tz_store_open_sqlite(db, &store);
    FUZZ_CHECK(err == TZ_OK, "tz_store_open_sqlite(%s): %s", db, tz_err_str(err));
    atexit(close_store);
}

static void check_refusals(const struct tz_address_import_report *rep)
{
    size_t kept = rep->refused < TZ_ADDRESS_REFUSALS_KEPT ? rep->refused : TZ_ADDRESS_REFUSALS_KEPT;
    FUZZ_CHECK(rep->count == kept, "%zu refusals kept of %zu", rep->count, rep->refused);
    size_t last = 1; /* the header */
    for (size_t i = 0; i < rep->count; i++) {
        const struct tz_address_refusal *r = &rep->items[i];
        size_t why = strnlen(r->reason, sizeof r->reason);
        FUZZ_CHECK(why > 0 && why < sizeof r->reason, "refusal %zu has no reason", i);
        FUZZ_CHECK(fuzz_utf8_valid(r->reason, why), "refusal %zu's reason", i);
        FUZZ_CHECK(r->line > last, "line %zu after %zu", r->line, last);
        last = r->line;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!store)
        open_store();
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0; /* glibc before 2.22 refuses an empty buffer */
    struct tz_address_import_report rep;
    tz_err err = tz_address_import(store, f, NULL, &rep);
    fclose(f);
    if (err == TZ_EMALFORMED) {
        FUZZ_CHECK(rep.taken == 0 && rep.count >= 1, "a refused header took %zu", rep.taken);
        FUZZ_CHECK(strnlen(rep.items[0].reason, TZ_ADDRESS_REASON_MAX) > 0, "no reason");
    } else {
        FUZZ_CHECK(err == TZ_OK || err == TZ_ENOMEM, "%s", tz_err_str(err));
        if (err == TZ_OK) {
            FUZZ_CHECK(rep.taken + rep.refused == rep.lines, "%zu + %zu != %zu", rep.taken,
                       rep.refused, rep.lines);
            check_refusals(&rep);
        }
    }
    tz_address_import_report_free(&rep);
    return 0;
}
