/*
 * fuzz_screening_import.c - libFuzzer harness of the watch-list parsers (tz_watch_parse: CSV,
 * JSON, FollowTheMoney lines; persons, travel documents and vehicles). The first byte picks the
 * format (auto, csv, json, ftm), the rest is the file.
 *
 * What must hold, beyond "no crash, no undefined behaviour, no leak":
 *   - every line is taken or refused: taken + refused is the number of lines reported, a
 *     refused line says why and a taken one does not, line numbers only grow;
 *   - a taken line gives at least one person, a document or a vehicle; every person has a
 *     record id and a name the normaliser takes; every document and vehicle has a record id
 *     and passes the index's own check (what is taken can always be indexed);
 *   - a refused file (TZ_EINVAL) reports nothing.
 */
#include <string.h>

#include "check.h"
#include "screening/internal.h" /* the stored rows as the index reads them */
#include "screening/screening.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_report(const struct tz_watch_import *imp)
{
    FUZZ_CHECK(imp->taken + imp->refused == imp->nlines, "%zu + %zu != %zu", imp->taken,
               imp->refused, imp->nlines);
    FUZZ_CHECK(imp->npersons + imp->ndocs + imp->nvehicles >= imp->taken,
               "%zu persons, %zu documents, %zu vehicles for %zu lines", imp->npersons,
               imp->ndocs, imp->nvehicles, imp->taken);
    size_t last = 0;
    for (size_t i = 0; i < imp->nlines; i++) {
        const struct tz_watch_line *l = &imp->lines[i];
        FUZZ_CHECK(l->line > last, "line %zu after %zu", l->line, last);
        last = l->line;
        size_t why = strnlen(l->why, sizeof l->why);
        FUZZ_CHECK(why < sizeof l->why && (l->taken ? why == 0 : why > 0), "line %zu", l->line);
        FUZZ_CHECK(!l->taken || l->record_id[0], "taken line %zu without an id", l->line);
    }
    for (size_t i = 0; i < imp->npersons; i++) {
        const struct tz_watch_person_rec *p = &imp->persons[i];
        struct tz_screen_name nm;
        FUZZ_CHECK(p->record_id[0] && strnlen(p->record_id, sizeof p->record_id) < 64, "id");
        FUZZ_CHECK(tz_screen_normalise(p->name, strnlen(p->name, sizeof p->name), &nm) == TZ_OK,
                   "person %zu's name %s", i, p->name);
    }
    const char *field = NULL;
    for (size_t i = 0; i < imp->ndocs; i++) {
        struct tz_doc_record r;
        FUZZ_CHECK(imp->docs[i].record_id[0], "document %zu without an id", i);
        tz_watch_doc_record(&imp->docs[i], imp->docs[i].record_id, &r);
        FUZZ_CHECK(tz_objects_check_document(&r, &field) == TZ_OK, "document %zu: %s", i, field);
    }
    for (size_t i = 0; i < imp->nvehicles; i++) {
        struct tz_vehicle_record r;
        FUZZ_CHECK(imp->vehicles[i].record_id[0], "vehicle %zu without an id", i);
        tz_watch_vehicle_record(&imp->vehicles[i], imp->vehicles[i].record_id, &r);
        FUZZ_CHECK(tz_objects_check_vehicle(&r, &field) == TZ_OK, "vehicle %zu: %s", i, field);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum tz_watch_format f = (enum tz_watch_format)(data[0] % 4);
    struct tz_watch_import imp;
    tz_err err = tz_watch_parse((const char *)data + 1, size - 1, f, &imp);
    if (err == TZ_OK)
        check_report(&imp);
    else
        FUZZ_CHECK(imp.nlines == 0 && imp.npersons == 0 && imp.ndocs == 0 && imp.nvehicles == 0,
                   "%s with lines", tz_err_str(err));
    tz_watch_import_clear(&imp);
    return 0;
}
