/*
 * Unit tests of screening's documents, vehicles, batches and notices over a real store: the
 * documents and vehicles of CSV, JSON and FollowTheMoney files taken or refused line by line
 * and stored with their list; document and vehicle queries answered with their explanation
 * (the number as read, the O/0 confusion, the VIN's check digit, the plate for its country)
 * and audited; a batch checked whole before anything is searched and audited once; and the
 * published notices of the exchange module in the index, a cancelled one gone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "exchange/exchange.h"
#include "screening/screening.h"
#include "screening/snapshot.h"

#define COPY(dst, s) snprintf((dst), sizeof(dst), "%s", (s))

struct fixture {
    char dir[64], path[128];
    struct tz_store *store;
    struct tz_auth *auth;
    struct tz_screening *scr;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/tz_screenl_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    struct tz_auth_config cfg = tz_auth_defaults();
    if (tz_store_open_sqlite(f->path, &f->store) || tz_auth_open(f->store, &cfg, &f->auth) ||
        tz_screening_open(f->auth, NULL, &f->scr))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tz_screening_close(f->scr);
    tz_auth_close(f->auth);
    tz_store_close(f->store);
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* The newest audit entry's object, outcome and fields. */
static void last_audit(struct tz_store *store, char *object, char *outcome, char *fields)
{
    struct tz_audit_rec *recs = NULL;
    size_t n = 0;
    assert_int_equal(tz_store_audit_read(store, 0, 1000, &recs, &n), TZ_OK);
    assert_true(n > 0);
    snprintf(object, 64, "%s", recs[n - 1].object ? recs[n - 1].object : "");
    snprintf(outcome, 64, "%s", recs[n - 1].outcome);
    snprintf(fields, 4096, "%s", recs[n - 1].fields ? recs[n - 1].fields : "");
    tz_audit_recs_free(recs, n);
}

static size_t audit_count(struct tz_store *store)
{
    struct tz_audit_rec *recs = NULL;
    size_t n = 0;
    assert_int_equal(tz_store_audit_read(store, 0, 1000, &recs, &n), TZ_OK);
    tz_audit_recs_free(recs, n);
    return n;
}

static const struct tz_auth_who OPERATOR = {.actor = "cli:test", .role = "analyst"};

static const char SLTD[] = "id,number,type,country,status,valid_until\n"
                           "sltd-9,L898902C3,passport,UTO,stolen,\n"
                           "sltd-1,EA 123-4567,passport,PL,stolen,2030-01-31\n"
                           "sltd-2,XY0I1,id_card,DEU,lost,\n"
                           "sltd-3,,passport,POL,stolen,\n"
                           "sltd-4,AB1,passport,POL,burnt,\n"
                           "sltd-5,AB2,passport,QQQQ,lost,\n";

static const char SMV[] =
    "{\"id\":\"smv-1\",\"vin\":\"1M8GDM9AXKP042788\",\"plate\":\"WX 12345\","
    "\"plate_country\":\"PL\",\"make\":\"Ford\",\"colour\":\"red\",\"status\":\"stolen\"}\n"
    "{\"id\":\"smv-2\",\"kind\":\"vehicle\",\"plate\":\"АА 1234 ВВ\",\"plate_country\":\"UA\"}\n"
    "{\"id\":\"smv-3\",\"vin\":\"1M8GDM9AXKP04278\"}\n"
    "{\"id\":\"smv-4\",\"kind\":\"vehicle\"}\n"
    "{\"id\":\"p-1\",\"name\":\"Jan Kowalski\"}\n";

static const char FTM[] =
    "{\"id\":\"os-1\",\"schema\":\"Passport\",\"properties\":{\"number\":[\"C01X00T47\"],"
    "\"country\":[\"de\"],\"endDate\":[\"2031-05-01\"],\"holder\":[\"os-9\"]}}\n"
    "{\"id\":\"os-2\",\"schema\":\"Identification\",\"properties\":{\"number\":[\"ID77\"],"
    "\"country\":[\"ua\"],\"type\":[\"National ID\"]}}\n"
    "{\"id\":\"os-3\",\"schema\":\"Vehicle\",\"properties\":{\"registrationNumber\":[\"B-MW 1\"],"
    "\"country\":[\"de\"],\"model\":[\"X5\"]}}\n"
    "{\"id\":\"os-4\",\"schema\":\"Passport\",\"properties\":{\"country\":[\"de\"]}}\n"
    "{\"id\":\"os-9\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Max Mustermann\"]}}\n";

static void documents_and_vehicles_are_read_line_by_line(void **state)
{
    (void)state;
    struct tz_watch_import imp;
    assert_int_equal(tz_watch_parse(SLTD, strlen(SLTD), TZ_WATCH_AUTO, &imp), TZ_OK);
    assert_int_equal(imp.format, TZ_WATCH_CSV);
    assert_int_equal(imp.taken, 3);
    assert_int_equal(imp.ndocs, 3);
    assert_string_equal(imp.docs[1].record_id, "sltd-1");
    assert_string_equal(imp.docs[1].country, "POL"); /* PL read as POL */
    assert_string_equal(imp.docs[1].status, "stolen");
    assert_string_equal(imp.docs[1].valid_until, "2030-01-31");
    assert_string_equal(imp.docs[2].doc_type, "id_card");
    assert_string_equal(imp.lines[3].why, "no number");
    assert_string_equal(imp.lines[4].why,
                        "status is not stolen, lost, revoked, invalidated or listed");
    assert_string_equal(imp.lines[5].why, "country is not an ISO 3166 code (two or three letters)");
    tz_watch_import_clear(&imp);

    assert_int_equal(tz_watch_parse(SMV, strlen(SMV), TZ_WATCH_AUTO, &imp), TZ_OK);
    assert_int_equal(imp.format, TZ_WATCH_JSON);
    assert_int_equal(imp.taken, 3); /* two vehicles and a person: one file may mix them */
    assert_int_equal(imp.nvehicles, 2);
    assert_int_equal(imp.npersons, 1);
    assert_string_equal(imp.vehicles[0].make, "Ford");
    assert_string_equal(imp.lines[2].why, "vin cannot be read (not a valid value)");
    assert_string_equal(imp.lines[3].why, "neither a vin nor a plate");
    tz_watch_import_clear(&imp);

    assert_int_equal(tz_watch_parse(FTM, strlen(FTM), TZ_WATCH_AUTO, &imp), TZ_OK);
    assert_int_equal(imp.format, TZ_WATCH_FTM);
    assert_int_equal(imp.taken, 4);
    assert_int_equal(imp.ndocs, 2);
    assert_string_equal(imp.docs[0].doc_type, "passport");
    assert_string_equal(imp.docs[0].country, "DEU");
    assert_string_equal(imp.docs[0].valid_until, "2031-05-01");
    assert_string_equal(imp.docs[1].doc_type, "other"); /* FTM's free text */
    assert_int_equal(imp.nvehicles, 1);
    assert_string_equal(imp.vehicles[0].plate, "B-MW 1");
    assert_string_equal(imp.vehicles[0].plate_country, "de");
    assert_false(imp.lines[3].taken);
    assert_string_equal(imp.lines[3].why, "no number");
    tz_watch_import_clear(&imp);
}

static void import(struct fixture *f, const char *source, const char *data)
{
    struct tz_watch_import rep;
    assert_int_equal(
        tz_screening_import(f->scr, &OPERATOR, source, data, strlen(data), TZ_WATCH_AUTO, &rep),
        TZ_OK);
    tz_watch_import_clear(&rep);
}

static void documents_are_screened_and_explained(void **state)
{
    struct fixture *f = *state;
    char object[64], outcome[64], fields[4096];
    import(f, "sltd", SLTD);
    import(f, "os", FTM);
    struct tz_field_errors errs = {0};
    struct tz_screen_obj_answer a;
    struct tz_screen_doc_query q = {.number = "ea1234567", .country = "POL", .reason = "border"};
    assert_int_equal(tz_screening_document(f->scr, &OPERATOR, &q, &errs, &a), TZ_OK);
    assert_true(a.has_number);
    assert_string_equal(a.number.text, "EA1234567");
    assert_true(a.number.case_folded);
    assert_int_equal(a.count, 1);
    assert_string_equal(a.hits[0].source, "sltd");
    assert_string_equal(a.hits[0].record_id, "sltd-1");
    assert_int_equal(a.hits[0].hit.match, TZ_ID_SAME);
    assert_true(a.hits[0].hit.country_checked);
    assert_int_equal(a.hits[0].doc_status, TZ_DOC_STOLEN);
    assert_string_equal(a.hits[0].sentence,
                        "passport EA1234567 (POL, stolen): the same number and issuing state");
    tz_screen_obj_answer_clear(&a);
    last_audit(f->store, object, outcome, fields);
    assert_string_equal(object, "screening/documents");
    assert_string_equal(outcome, "ok");
    assert_non_null(strstr(fields, "\"records\":[\"sltd/sltd-1\"]"));

    /* O for 0: a weaker hit, and where. Any state when none is given. */
    q = (struct tz_screen_doc_query){.number = "XYOI1", .reason = "border"};
    assert_int_equal(tz_screening_document(f->scr, &OPERATOR, &q, &errs, &a), TZ_OK);
    assert_int_equal(a.count, 1);
    assert_int_equal(a.hits[0].hit.match, TZ_ID_CONFUSABLE);
    assert_int_equal(a.hits[0].hit.confused, 1);
    assert_int_equal(a.hits[0].hit.confused_at, 1u << 2);
    assert_false(a.hits[0].hit.country_checked);
    tz_screen_obj_answer_clear(&a);

    /* A FollowTheMoney passport is "listed": on a list, not reported stolen. */
    q = (struct tz_screen_doc_query){.number = "C01X00T47", .country = "D", .reason = "x"};
    assert_int_equal(tz_screening_document(f->scr, &OPERATOR, &q, &errs, &a), TZ_OK);
    assert_int_equal(a.count, 1);
    assert_string_equal(a.hits[0].source, "os");
    assert_int_equal(a.hits[0].doc_status, TZ_DOC_LISTED);
    tz_screen_obj_answer_clear(&a);

    /* An MRZ as scanned: its number and issuing state searched, every check digit verified. */
    static const char TD3[] = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                              "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
    q = (struct tz_screen_doc_query){.mrz = TD3, .reason = "e-gate"};
    assert_int_equal(tz_screening_document(f->scr, &OPERATOR, &q, &errs, &a), TZ_OK);
    assert_true(a.has_mrz);
    assert_true(a.mrz_valid);
    assert_string_equal(a.country, "UTO");
    assert_int_equal(a.count, 1);
    assert_string_equal(a.hits[0].record_id, "sltd-9");
    assert_true(a.hits[0].hit.country_checked);
    tz_screen_obj_answer_clear(&a);
    /* A bad check digit is reported, with the digit expected; the number is still searched. */
    char bad[sizeof TD3];
    memcpy(bad, TD3, sizeof TD3);
    bad[45 + 9] = '7'; /* the number's digit: 6 */
    q.mrz = bad;
    assert_int_equal(tz_screening_document(f->scr, &OPERATOR, &q, &errs, &a), TZ_OK);
    assert_false(a.mrz_valid);
    assert_int_equal(a.mrz.digit[TZ_MRZ_DIGIT_NUMBER].check, TZ_MRZ_CHECK_BAD);
    assert_int_equal(a.mrz.digit[TZ_MRZ_DIGIT_NUMBER].found, '7');
    assert_int_equal(a.mrz.digit[TZ_MRZ_DIGIT_NUMBER].expected, '6');
    assert_int_equal(a.count, 1);
    tz_screen_obj_answer_clear(&a);
    last_audit(f->store, object, outcome, fields);
    assert_non_null(strstr(fields, "\"mrz\":\"P")); /* the MRZ as scanned, in the audit */
    assert_non_null(strstr(fields, "L898902C37UTO"));
    q = (struct tz_screen_doc_query){.mrz = "P<UTO", .reason = "e-gate"};
    assert_int_equal(tz_screening_document(f->scr, &OPERATOR, &q, &errs, &a), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/mrz");
    errs = (struct tz_field_errors){0};
    q = (struct tz_screen_doc_query){.mrz = TD3, .number = "X1", .reason = "e-gate"};
    assert_int_equal(tz_screening_document(f->scr, &OPERATOR, &q, &errs, &a), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/mrz");
    errs = (struct tz_field_errors){0};

    /* Fields are checked and the refusal audited. */
    q = (struct tz_screen_doc_query){.number = "A#1", .country = "XX"};
    assert_int_equal(tz_screening_document(f->scr, &OPERATOR, &q, &errs, &a), TZ_EINVAL);
    assert_int_equal(errs.count, 3);
    assert_string_equal(errs.items[0].field, "/number");
    assert_string_equal(errs.items[1].field, "/country");
    assert_string_equal(errs.items[2].field, "/reason");
    last_audit(f->store, object, outcome, fields);
    assert_string_equal(outcome, "refused");
    /* An admin may not screen. */
    struct tz_principal admin = {.role = TZ_AUTH_ADMIN};
    COPY(admin.account.name, "root");
    struct tz_auth_who who = {.p = &admin};
    errs = (struct tz_field_errors){0};
    q = (struct tz_screen_doc_query){.number = "EA1234567", .reason = "x"};
    assert_int_equal(tz_screening_document(f->scr, &who, &q, &errs, &a), TZ_EFORBIDDEN);
    last_audit(f->store, object, outcome, fields);
    assert_string_equal(outcome, "refused");
    assert_non_null(strstr(fields, "forbidden"));
}

static void vehicles_are_screened_and_explained(void **state)
{
    struct fixture *f = *state;
    char object[64], outcome[64], fields[4096];
    import(f, "smv", SMV);
    struct tz_field_errors errs = {0};
    struct tz_screen_obj_answer a;
    struct tz_screen_vehicle_query q = {.vin = "1m8gdm9axkp042788", .reason = "patrol"};
    assert_int_equal(tz_screening_vehicle(f->scr, &OPERATOR, &q, &errs, &a), TZ_OK);
    assert_true(a.has_vin);
    assert_int_equal(a.vin.check, TZ_VIN_CHECK_OK);
    assert_int_equal(a.count, 1);
    assert_int_equal(a.hits[0].hit.key, TZ_OBJ_KEY_VIN);
    assert_string_equal(a.hits[0].make, "Ford");
    assert_int_equal(a.hits[0].vehicle_status, TZ_VEHICLE_STOLEN);
    tz_screen_obj_answer_clear(&a);
    last_audit(f->store, object, outcome, fields);
    assert_string_equal(object, "screening/vehicles");

    /* A wrong check digit is reported with the digit expected, and still searched. */
    q = (struct tz_screen_vehicle_query){.vin = "1M8GDM9A1KP042788", .reason = "patrol"};
    assert_int_equal(tz_screening_vehicle(f->scr, &OPERATOR, &q, &errs, &a), TZ_OK);
    assert_int_equal(a.vin.check, TZ_VIN_CHECK_BAD);
    assert_int_equal(a.vin.check_found, '1');
    assert_int_equal(a.vin.check_expected, 'X');
    assert_false(a.vin_valid);
    assert_int_equal(a.count, 0);
    tz_screen_obj_answer_clear(&a);

    /* A Ukrainian plate typed in Latin meets the one listed in Cyrillic. */
    q = (struct tz_screen_vehicle_query){
        .plate = "aa-1234-bb", .plate_country = "UA", .reason = "patrol"};
    assert_int_equal(tz_screening_vehicle(f->scr, &OPERATOR, &q, &errs, &a), TZ_OK);
    assert_string_equal(a.plate.text, "AA1234BB");
    assert_int_equal(a.count, 1);
    assert_string_equal(a.hits[0].record_id, "smv-2");
    assert_int_equal(a.hits[0].hit.key, TZ_OBJ_KEY_PLATE);
    tz_screen_obj_answer_clear(&a);

    /* Neither a VIN nor a plate: refused. */
    q = (struct tz_screen_vehicle_query){.reason = "patrol"};
    assert_int_equal(tz_screening_vehicle(f->scr, &OPERATOR, &q, &errs, &a), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/vin");
}

static void batch_is_checked_whole_and_audited_once(void **state)
{
    struct fixture *f = *state;
    char object[64], outcome[64], fields[4096];
    import(f, "sltd", SLTD);
    import(f, "smv", SMV);
    struct tz_screen_batch_item items[4] = {
        {.kind = TZ_SCREEN_PERSON, .person = {.name = "Kowalski Jan"}},
        {.kind = TZ_SCREEN_DOCUMENT, .doc = {.number = "EA1234567", .country = "PL"}},
        {.kind = TZ_SCREEN_VEHICLE, .vehicle = {.plate = "WX12345", .plate_country = "PL"}},
        {.kind = TZ_SCREEN_PERSON, .person = {.name = "Nobody Atall"}},
    };
    struct tz_field_errors errs = {0};
    struct tz_screen_batch b;
    size_t before = audit_count(f->store);
    assert_int_equal(tz_screening_batch(f->scr, &OPERATOR, items, 4, "flight LO 281", &errs, &b),
                     TZ_OK);
    assert_int_equal(b.count, 4);
    assert_int_equal(b.hits, 3);
    assert_int_equal(b.results[0].person.count, 1);
    assert_string_equal(b.results[0].person.hits[0].source_id, "smv/p-1");
    assert_string_equal(b.results[1].object.hits[0].record_id, "sltd-1");
    assert_string_equal(b.results[2].object.hits[0].record_id, "smv-1");
    assert_int_equal(b.results[3].person.count, 0);
    tz_screen_batch_clear(&b);
    assert_int_equal(audit_count(f->store), before + 1);
    last_audit(f->store, object, outcome, fields);
    assert_string_equal(object, "screening/batch");
    assert_non_null(strstr(fields, "\"items\":4"));
    assert_non_null(strstr(fields, "\"items_with_hits\":3"));

    /* One bad item: nothing is screened, the item is named, the refusal audited. */
    items[2].vehicle = (struct tz_screen_vehicle_query){0};
    items[1].doc.country = "XX";
    assert_int_equal(tz_screening_batch(f->scr, &OPERATOR, items, 4, "x", &errs, &b), TZ_EINVAL);
    assert_int_equal(errs.count, 2);
    assert_string_equal(errs.items[0].field, "/items/1/country");
    assert_string_equal(errs.items[1].field, "/items/2/vin");
    assert_null(b.results);
    last_audit(f->store, object, outcome, fields);
    assert_string_equal(outcome, "refused");
    /* Bounded. */
    errs = (struct tz_field_errors){0};
    struct tz_screen_batch_item *many = calloc(TZ_SCREEN_BATCH_MAX + 1, sizeof *many);
    assert_non_null(many);
    for (size_t i = 0; i <= TZ_SCREEN_BATCH_MAX; i++)
        many[i] = items[0];
    assert_int_equal(
        tz_screening_batch(f->scr, &OPERATOR, many, TZ_SCREEN_BATCH_MAX + 1, "x", &errs, &b),
        TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/items");
    free(many);
}

/* ---- notices ---- */

static int64_t fixed_clock(void *ctx)
{
    return *(int64_t *)ctx;
}

/* A red notice received from INTERPOL (published at receipt): a person and a document. */
static void red_notice(struct tz_xmsg *m)
{
    tz_xmsg_init(m);
    m->type = TZ_XMSG_NOTICE;
    m->notice_type = TZ_XN_RED;
    COPY(m->subject, "Poszukiwany");
    COPY(m->originator.node, "INTERPOL");
    COPY(m->originator.unit, "IPSG");
    m->addressee_count = 1;
    COPY(m->addressees[0].node, "PL");
    COPY(m->addressees[0].unit, "KGP-SPOC");
    COPY(m->lang, "en");
    m->handling = TZ_XH0;
    m->source = TZ_XSRC_A;
    m->info = TZ_XINFO_1;
    m->entity_count = 2;
    m->entities = calloc(2, sizeof *m->entities);
    COPY(m->entities[0].ref, "e1");
    m->entities[0].kind = TZ_XE_PERSON;
    COPY(m->entities[0].u.person.family, "Shevchenko");
    COPY(m->entities[0].u.person.given, "Oleksandr");
    COPY(m->entities[0].u.person.original, "Олександр Шевченко");
    COPY(m->entities[1].ref, "e2");
    m->entities[1].kind = TZ_XE_DOCUMENT;
    m->entities[1].u.document.type = TZ_XDOC_PASSPORT;
    m->entities[1].u.document.status = TZ_XDS_STOLEN;
    COPY(m->entities[1].u.document.number, "FE123456");
    COPY(m->entities[1].u.document.country, "UA");
}

static size_t person_hits(struct fixture *f, const char *name, char *first, size_t cap)
{
    struct tz_screen_person_query q = {.name = name, .reason = "border"};
    struct tz_field_errors errs = {0};
    struct tz_screen_answer a;
    assert_int_equal(tz_screening_person(f->scr, &OPERATOR, &q, &errs, &a), TZ_OK);
    size_t n = a.count;
    if (n)
        snprintf(first, cap, "%s", a.hits[0].source_id);
    tz_screen_answer_clear(&a);
    return n;
}

/* The hits of a person query answered from a copy of what f's service screens against now. */
static size_t offline_hits(struct fixture *f, const char *name, char *first, size_t cap)
{
    struct tz_snap_state *st = NULL;
    struct tz_snap_info info;
    assert_int_equal(tz_screening_snapshot(f->scr, &OPERATOR, &st, &info), TZ_OK);
    char object[128], outcome[32], fields[4096];
    last_audit(f->store, object, outcome, fields);
    assert_string_equal(object, "screening/snapshot");
    assert_string_equal(outcome, "ok");
    struct tz_screening *off = NULL;
    assert_int_equal(tz_screening_open_offline(st, NULL, &off), TZ_OK);
    tz_snap_state_free(st);
    struct tz_field_errors errs = {0};
    struct tz_screen_answer a;
    struct tz_screen_person_query q = {.name = name, .reason = "border"};
    assert_int_equal(tz_screening_offline_person(off, &q, &errs, &a), TZ_OK);
    size_t n = a.count;
    if (n)
        snprintf(first, cap, "%s", a.hits[0].source_id);
    tz_screen_answer_clear(&a);
    tz_screening_close(off);
    return n;
}

static void notices_published_and_cancelled_reach_the_index(void **state)
{
    struct fixture *f = *state;
    struct tz_xnode_config cfg = {.node = "PL", .spoc_unit = "KGP-SPOC"};
    struct tz_exchange *x;
    assert_int_equal(tz_exchange_open(f->store, &cfg, &x), TZ_OK);
    int64_t now = 1780000000;
    tz_exchange_set_clock(x, fixed_clock, &now);
    tz_screening_attach_exchange(f->scr, x);
    char first[200] = "";
    assert_int_equal(person_hits(f, "Aleksandr Shevchenko", first, sizeof first), 0);

    struct tz_principal boss = {.role = TZ_AUTH_SPOC_SUPERVISOR};
    COPY(boss.account.name, "boss");
    COPY(boss.account.unit, "KGP-SPOC");
    struct tz_xactor who = {.p = &boss, .client = "test"};
    struct tz_xmsg m;
    struct tz_xreceipt r;
    struct tz_field_errors errs = {0};
    red_notice(&m);
    assert_int_equal(tz_exchange_submit(x, &who, true, &m, &r, &errs), TZ_OK);
    tz_xmsg_clear(&m);
    char want[64];
    snprintf(want, sizeof want, "notices/%lld/e1", (long long)r.id);
    /* Published: the next query finds the person, in any script, and the document. */
    assert_int_equal(person_hits(f, "Aleksandr Shevchenko", first, sizeof first), 1);
    assert_string_equal(first, want);
    assert_int_equal(person_hits(f, "Шевченко Олександр", first, sizeof first), 1);
    struct tz_screen_doc_query dq = {.number = "FE 123456", .country = "UKR", .reason = "x"};
    struct tz_screen_obj_answer a;
    assert_int_equal(tz_screening_document(f->scr, &OPERATOR, &dq, &errs, &a), TZ_OK);
    assert_int_equal(a.count, 1);
    assert_string_equal(a.hits[0].source, "notices");
    assert_int_equal(a.hits[0].doc_status, TZ_DOC_STOLEN);
    tz_screen_obj_answer_clear(&a);
    /* The offline copy holds the notice too, and taking it is audited. */
    assert_int_equal(offline_hits(f, "Шевченко Олександр", first, sizeof first), 1);
    assert_string_equal(first, want);

    /* Cancelled: gone from the next query. */
    struct tz_xnotice_move cancel = {.to = TZ_XNS_CANCELLED, .note = "withdrawn by INTERPOL"};
    assert_int_equal(tz_exchange_notice_move(x, &who, r.id, &cancel, &errs), TZ_OK);
    assert_int_equal(person_hits(f, "Aleksandr Shevchenko", first, sizeof first), 0);
    assert_int_equal(tz_screening_document(f->scr, &OPERATOR, &dq, &errs, &a), TZ_OK);
    assert_int_equal(a.count, 0);
    tz_screen_obj_answer_clear(&a);
    assert_int_equal(offline_hits(f, "Шевченко Олександр", first, sizeof first), 0);
    tz_exchange_close(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(documents_and_vehicles_are_read_line_by_line),
        cmocka_unit_test_setup_teardown(documents_are_screened_and_explained, setup, teardown),
        cmocka_unit_test_setup_teardown(vehicles_are_screened_and_explained, setup, teardown),
        cmocka_unit_test_setup_teardown(batch_is_checked_whole_and_audited_once, setup, teardown),
        cmocka_unit_test_setup_teardown(notices_published_and_cancelled_reach_the_index, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
