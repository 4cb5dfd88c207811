/*
 * fixture.h - the threat map that the harnesses of request input (report
 * bodies, query strings) run against: a SQLite store in a fresh temporary
 * directory with the Kraków demo districts and some demo reports, opened
 * once per process in LLVMFuzzerInitialize and never written to afterwards,
 * so that every input meets the same state.
 */
#ifndef TZ_FUZZ_FIXTURE_H
#define TZ_FUZZ_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "base/fielderr.h"
#include "threatmap/threatmap.h"

struct fuzz_fixture {
    struct tz_store *store;
    struct tz_threatmap *tm;
    int64_t now;         /* the clock of every call: the demo data is a year up to it */
    double (*points)[2]; /* (lat, lon) of every stored report */
    size_t point_count;
};

/*
 * Opens the fixture with `reports` demo reports (deterministic: one seed, one
 * clock). Aborts when it cannot: a harness without its fixture tests nothing.
 * The threat map is closed and the files are removed at exit.
 */
const struct fuzz_fixture *fuzz_fixture_open(size_t reports);

/* Checks a list of field errors as the HTTP layer will render it: each entry valid UTF-8. */
void fuzz_check_field_errors(const struct tz_field_errors *errs);

#endif
