/*
 * Unit tests of screening/objects.h: the index of watch-listed documents and
 * vehicles. Exact keys (number and issuing state, VIN, plate and country),
 * the O/0 and I/1 confusion as a weaker hit that says where, the refusal of a
 * record that cannot be keyed, the views and explanations of hits, and the
 * bound on an answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "screening/objects.h"

#define D(type, number, country, status, source)                                                   \
    {                                                                                              \
        type, number, country, TZ_OBJ_NO_DATE, TZ_OBJ_NO_DATE, status, source                      \
    }

static const struct tz_doc_record DOCS[] = {
    D(TZ_DOC_PASSPORT, "EA1234567", "POL", TZ_DOC_STOLEN, "sltd:1"),
    D(TZ_DOC_ID_CARD, "EA 123 4567", "LTU", TZ_DOC_LOST, "sltd:2"), /* same number, other state */
    D(TZ_DOC_PASSPORT, "c01x00t47", "D", TZ_DOC_REVOKED, "sltd:3"),
    D(TZ_DOC_PASSPORT, "EAO123", "POL", TZ_DOC_STOLEN, "sltd:4"),
    D(TZ_DOC_PASSPORT, "EAOI23", "POL", TZ_DOC_STOLEN, "sltd:5"),
    D(TZ_DOC_PASSPORT, "EA0123", "POL", TZ_DOC_INVALIDATED, "sltd:6"),
    D(TZ_DOC_ID_CARD, "\xd0\x9a\xd0\x90 556677", "UKR", TZ_DOC_STOLEN, "sltd:7"), /* Cyrillic КА */
};
#define NDOCS (sizeof DOCS / sizeof DOCS[0])

static const struct tz_vehicle_record VEHICLES[] = {
    {"WVWZZZ1JZ3W386752", "WA 12345", "PL", "Volkswagen", "Golf", "black", TZ_VEHICLE_STOLEN,
     "smv:1"},
    {"1FTEW1EP4KFA12345", NULL, NULL, "Ford", "F-150", "white", TZ_VEHICLE_STOLEN, "smv:2"},
    /* a North American VIN with a wrong check digit: indexed as stamped */
    {"1FTEW1EP5KFA12340", NULL, NULL, "Ford", "F-150", "red", TZ_VEHICLE_STOLEN, "smv:3"},
    /* АА 1234 ВВ in Cyrillic */
    {NULL, "\xd0\x90\xd0\x90 1234 \xd0\x92\xd0\x92", "UKR", "Skoda", NULL, NULL, TZ_VEHICLE_STOLEN,
     "smv:4"},
    {NULL, "KR 1O0I2", "PL", "Volkswagen", "Passat", "black", TZ_VEHICLE_STOLEN, "smv:5"},
    {NULL, "WA 12345", "DE", NULL, NULL, NULL, TZ_VEHICLE_STOLEN, "smv:6"},
};
#define NVEH (sizeof VEHICLES / sizeof VEHICLES[0])

static int setup(void **state)
{
    struct tz_objects *ix = NULL;
    struct tz_objects_refusal why;
    if (tz_objects_build(DOCS, NDOCS, VEHICLES, NVEH, &ix, &why) != TZ_OK)
        return -1;
    *state = ix;
    return 0;
}

static int teardown(void **state)
{
    tz_objects_free(*state);
    return 0;
}

static tz_err find_doc(const struct tz_objects *ix, const char *number, const char *country,
                       struct tz_obj_hits *hits)
{
    struct tz_doc_query q = {number, strlen(number), country, country ? strlen(country) : 0};
    return tz_objects_find_documents(ix, &q, hits, NULL);
}

static const char *source_of(const struct tz_objects *ix, const struct tz_obj_hit *h)
{
    static struct tz_doc_record d;
    static struct tz_vehicle_record v;
    if (h->key == TZ_OBJ_KEY_NUMBER) {
        tz_objects_document(ix, h->record, &d);
        return d.source_id;
    }
    tz_objects_vehicle(ix, h->record, &v);
    return v.source_id;
}

static void documents_by_number_and_state(void **state)
{
    const struct tz_objects *ix = *state;
    struct tz_obj_hits hits;
    assert_int_equal(find_doc(ix, "EA1234567", "POL", &hits), TZ_OK);
    assert_int_equal(hits.count, 1);
    assert_string_equal(source_of(ix, &hits.hit[0]), "sltd:1");
    assert_int_equal(hits.hit[0].match, TZ_ID_SAME);
    assert_true(hits.hit[0].country_checked);
    /* no state: both states' records, neither said to be checked */
    assert_int_equal(find_doc(ix, "ea-1234567", NULL, &hits), TZ_OK);
    assert_int_equal(hits.count, 2);
    assert_false(hits.hit[0].country_checked);
    /* another state: nothing */
    assert_int_equal(find_doc(ix, "EA1234567", "CZE", &hits), TZ_OK);
    assert_int_equal(hits.count, 0);
    /* Germany's "D" and DEU are one state; lower case and Cyrillic read as the index reads them */
    assert_int_equal(find_doc(ix, "C01X00T47", "DEU", &hits), TZ_OK);
    assert_int_equal(hits.count, 1);
    assert_int_equal(find_doc(ix, "KA556677", "UKR", &hits), TZ_OK);
    assert_int_equal(hits.count, 1);
    assert_string_equal(source_of(ix, &hits.hit[0]), "sltd:7");
    assert_int_equal(find_doc(ix, "XY999", NULL, &hits), TZ_OK);
    assert_int_equal(hits.count + hits.dropped, 0);
}

static void confusion_is_a_weaker_hit_that_says_where(void **state)
{
    const struct tz_objects *ix = *state;
    struct tz_obj_hits hits;
    assert_int_equal(find_doc(ix, "EA0123", "POL", &hits), TZ_OK);
    assert_int_equal(hits.count, 3);
    /* the exact one first, then fewer confused positions first */
    assert_string_equal(source_of(ix, &hits.hit[0]), "sltd:6");
    assert_int_equal(hits.hit[0].match, TZ_ID_SAME);
    assert_string_equal(source_of(ix, &hits.hit[1]), "sltd:4");
    assert_int_equal(hits.hit[1].match, TZ_ID_CONFUSABLE);
    assert_int_equal(hits.hit[1].confused, 1);
    assert_int_equal(hits.hit[1].confused_at, 1u << 2);
    assert_string_equal(source_of(ix, &hits.hit[2]), "sltd:5");
    assert_int_equal(hits.hit[2].confused, 2);
    assert_int_equal(hits.hit[2].confused_at, (1u << 2) | (1u << 3));
    /* a number with nothing to confuse finds only itself */
    assert_int_equal(find_doc(ix, "EA1234567", "POL", &hits), TZ_OK);
    assert_int_equal(hits.count, 1);
}

static tz_err find_vehicle(const struct tz_objects *ix, const char *vin, const char *plate,
                           const char *country, struct tz_obj_hits *hits, const char **field)
{
    struct tz_vehicle_query q = {vin,     vin ? strlen(vin) : 0,
                                 plate,   plate ? strlen(plate) : 0,
                                 country, country ? strlen(country) : 0};
    return tz_objects_find_vehicles(ix, &q, hits, field);
}

static void vehicles_by_vin(void **state)
{
    const struct tz_objects *ix = *state;
    struct tz_obj_hits hits;
    const char *field;
    assert_int_equal(find_vehicle(ix, "wvwzzz1jz3w386752", NULL, NULL, &hits, &field), TZ_OK);
    assert_int_equal(hits.count, 1);
    assert_int_equal(hits.hit[0].key, TZ_OBJ_KEY_VIN);
    assert_int_equal(hits.hit[0].match, TZ_ID_SAME);
    assert_string_equal(source_of(ix, &hits.hit[0]), "smv:1");
    assert_int_equal(find_vehicle(ix, "WVWZZZ1JZ3W3867S2", NULL, NULL, &hits, &field), TZ_OK);
    assert_int_equal(hits.count, 0);
    /* O is never in a VIN: read as 0, and the hit says so */
    assert_int_equal(find_vehicle(ix, "1FTEW1EP5KFA1234O", NULL, NULL, &hits, &field), TZ_OK);
    assert_int_equal(hits.count, 1);
    assert_string_equal(source_of(ix, &hits.hit[0]), "smv:3");
    assert_int_equal(hits.hit[0].match, TZ_ID_CONFUSABLE);
    assert_int_equal(hits.hit[0].confused_at, 1u << 16);
    /* the wrong check digit does not stop the search */
    assert_int_equal(find_vehicle(ix, "1FTEW1EP5KFA12340", NULL, NULL, &hits, &field), TZ_OK);
    assert_int_equal(hits.count, 1);
    assert_int_equal(find_vehicle(ix, "1FTEW1EP5KFA1234", NULL, NULL, &hits, &field), TZ_EINVAL);
    assert_string_equal(field, "vin");
    assert_int_equal(find_vehicle(ix, NULL, NULL, NULL, &hits, &field), TZ_EINVAL);
    assert_string_equal(field, "vin");
}

static void vehicles_by_plate_and_country(void **state)
{
    const struct tz_objects *ix = *state;
    struct tz_obj_hits hits;
    const char *field;
    assert_int_equal(find_vehicle(ix, NULL, "wa12345", "POL", &hits, &field), TZ_OK);
    assert_int_equal(hits.count, 1);
    assert_string_equal(source_of(ix, &hits.hit[0]), "smv:1");
    assert_true(hits.hit[0].country_checked);
    assert_int_equal(hits.hit[0].key, TZ_OBJ_KEY_PLATE);
    /* no country: the Polish and the German plate */
    assert_int_equal(find_vehicle(ix, NULL, "WA-12345", NULL, &hits, &field), TZ_OK);
    assert_int_equal(hits.count, 2);
    assert_int_equal(find_vehicle(ix, NULL, "WA 12345", "CZ", &hits, &field), TZ_OK);
    assert_int_equal(hits.count, 0);
    /* a Cyrillic record found by the Latin plate */
    assert_int_equal(find_vehicle(ix, NULL, "AA1234BB", "UA", &hits, &field), TZ_OK);
    assert_int_equal(hits.count, 1);
    assert_string_equal(source_of(ix, &hits.hit[0]), "smv:4");
    /* KR 1O0I2 typed as KR 10012: the same plate but for two O/0, I/1 places */
    assert_int_equal(find_vehicle(ix, NULL, "KR 10012", "PL", &hits, &field), TZ_OK);
    assert_int_equal(hits.count, 1);
    assert_int_equal(hits.hit[0].match, TZ_ID_CONFUSABLE);
    assert_int_equal(hits.hit[0].confused_at, (1u << 3) | (1u << 5));
    /* VIN and plate in one query: each hit says which key found it */
    assert_int_equal(find_vehicle(ix, "1FTEW1EP4KFA12345", "WA12345", "PL", &hits, &field), TZ_OK);
    assert_int_equal(hits.count, 2);
    assert_int_equal(hits.hit[0].key, TZ_OBJ_KEY_VIN);
    assert_int_equal(hits.hit[1].key, TZ_OBJ_KEY_PLATE);
    assert_int_equal(find_vehicle(ix, NULL, "WA?1", "PL", &hits, &field), TZ_EINVAL);
    assert_string_equal(field, "plate");
    assert_int_equal(find_vehicle(ix, NULL, "WA1", "P1", &hits, &field), TZ_EINVAL);
    assert_string_equal(field, "plate_country");
}

static void views_and_explanations(void **state)
{
    const struct tz_objects *ix = *state;
    struct tz_vehicle_record a, b;
    tz_objects_vehicle(ix, 0, &a);
    tz_objects_vehicle(ix, 4, &b);
    assert_string_equal(a.vin, "WVWZZZ1JZ3W386752");
    assert_string_equal(a.plate, "WA12345");
    assert_string_equal(a.plate_country, "PL");
    assert_string_equal(a.model, "Golf");
    assert_ptr_equal(a.make, b.make); /* one copy of each make and colour */
    assert_ptr_equal(a.colour, b.colour);
    tz_objects_vehicle(ix, 1, &b);
    assert_null(b.plate);
    struct tz_doc_record d;
    tz_objects_document(ix, 2, &d);
    assert_string_equal(d.number, "C01X00T47");
    assert_string_equal(d.country, "DEU");
    assert_int_equal(d.status, TZ_DOC_REVOKED);
    assert_int_equal(d.valid_until, TZ_OBJ_NO_DATE);

    struct tz_obj_hits hits;
    char text[160];
    assert_int_equal(find_doc(ix, "EA0123", "POL", &hits), TZ_OK);
    tz_objects_explain(ix, &hits.hit[0], text, sizeof text);
    assert_string_equal(text, "passport EA0123 (POL, invalidated): the same number and issuing "
                              "state");
    tz_objects_explain(ix, &hits.hit[2], text, sizeof text);
    assert_string_equal(text, "passport EAOI23 (POL, stolen): the same number once O and 0, I "
                              "and 1 are taken as one, at positions 3, 4");
    const char *field;
    assert_int_equal(find_vehicle(ix, NULL, "KR10012", NULL, &hits, &field), TZ_OK);
    size_t need = tz_objects_explain(ix, &hits.hit[0], text, sizeof text);
    assert_string_equal(text, "plate KR1O0I2 (PL): the same plate once O and 0, I and 1 are "
                              "taken as one, at positions 4, 6");
    assert_int_equal(need, strlen(text));
    char small[8];
    assert_int_equal(tz_objects_explain(ix, &hits.hit[0], small, sizeof small), need);
    assert_string_equal(small, "plate K");
}

static void a_record_that_cannot_be_keyed_refuses_the_build(void **state)
{
    (void)state;
    struct tz_objects *ix = (struct tz_objects *)1;
    struct tz_objects_refusal why;
    struct tz_doc_record docs[3] = {DOCS[0], DOCS[1], DOCS[2]};
    docs[1].number = "EA#1";
    assert_int_equal(tz_objects_build(docs, 3, NULL, 0, &ix, &why), TZ_EINVAL);
    assert_null(ix);
    assert_false(why.vehicle);
    assert_int_equal(why.index, 1);
    assert_string_equal(why.field, "number");
    docs[1] = DOCS[1];
    docs[2].country = "Germany";
    assert_int_equal(tz_objects_build(docs, 3, NULL, 0, &ix, &why), TZ_EINVAL);
    assert_string_equal(why.field, "country");
    docs[2] = DOCS[2];
    docs[2].source_id = NULL;
    assert_int_equal(tz_objects_build(docs, 3, NULL, 0, &ix, &why), TZ_EINVAL);
    assert_string_equal(why.field, "source_id");

    struct tz_vehicle_record veh[2] = {VEHICLES[0], VEHICLES[1]};
    veh[1].vin = NULL;
    assert_int_equal(tz_objects_build(NULL, 0, veh, 2, &ix, &why), TZ_EINVAL);
    assert_true(why.vehicle);
    assert_int_equal(why.index, 1);
    assert_string_equal(why.field, "vin");
    veh[1].vin = "WVWZZZ1JZ3WO86752"; /* an O */
    assert_int_equal(tz_objects_build(NULL, 0, veh, 2, &ix, &why), TZ_EINVAL);
    assert_string_equal(why.field, "vin");
    veh[1] = VEHICLES[1];
    veh[1].plate = "WA 1";
    veh[1].plate_country = "PL";
    char long_model[TZ_OBJ_TEXT_MAX + 2];
    memset(long_model, 'x', sizeof long_model - 1);
    long_model[sizeof long_model - 1] = '\0';
    veh[1].model = long_model;
    assert_int_equal(tz_objects_build(NULL, 0, veh, 2, &ix, &why), TZ_ETOOBIG);
    assert_string_equal(why.field, "model");
    const char *field;
    veh[1].model = NULL;
    assert_int_equal(tz_objects_check_vehicle(&veh[1], &field), TZ_OK);
    assert_null(field);
}

static void an_empty_index_answers_nothing(void **state)
{
    (void)state;
    struct tz_objects *ix = NULL;
    assert_int_equal(tz_objects_build(NULL, 0, NULL, 0, &ix, NULL), TZ_OK);
    struct tz_obj_hits hits;
    const char *field;
    assert_int_equal(find_doc(ix, "EA1234567", NULL, &hits), TZ_OK);
    assert_int_equal(hits.count, 0);
    assert_int_equal(find_vehicle(ix, "WVWZZZ1JZ3W386752", "WA1", NULL, &hits, &field), TZ_OK);
    assert_int_equal(hits.count, 0);
    struct tz_objects_stats st;
    tz_objects_stats(ix, &st);
    assert_int_equal(st.documents + st.vehicles, 0);
    tz_objects_free(ix);
}

/* More hits than an answer holds: TZ_OBJ_HITS_MAX kept, the rest counted. */
static void an_answer_is_bounded(void **state)
{
    (void)state;
    enum { N = TZ_OBJ_HITS_MAX + 8 };
    struct tz_doc_record docs[N];
    char source[N][16];
    for (int i = 0; i < N; i++) {
        snprintf(source[i], sizeof source[i], "list:%d", i);
        docs[i] =
            (struct tz_doc_record)D(TZ_DOC_PASSPORT, "ZZ7777777", "POL", TZ_DOC_STOLEN, source[i]);
    }
    struct tz_objects *ix = NULL;
    assert_int_equal(tz_objects_build(docs, N, NULL, 0, &ix, NULL), TZ_OK);
    struct tz_obj_hits hits;
    assert_int_equal(find_doc(ix, "ZZ7777777", "POL", &hits), TZ_OK);
    assert_int_equal(hits.count, TZ_OBJ_HITS_MAX);
    assert_int_equal(hits.dropped, 8);
    struct tz_objects_stats st;
    tz_objects_stats(ix, &st);
    assert_int_equal(st.documents, N);
    assert_true(st.bytes > st.text_bytes && st.text_bytes >= N * 10);
    tz_objects_free(ix);
}

/*
 * Running out of memory: every allocation of a build made to fail in turn
 * (the test links with --wrap=malloc,calloc,realloc; tz_screening is static,
 * so its calls come here) gives TZ_ENOMEM and nothing built, and ASan's leak
 * check at exit proves nothing is left behind.
 */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
static int fail_countdown; /* the allocation that fails; 0: none */

static bool fail_now(void)
{
    return fail_countdown > 0 && --fail_countdown == 0;
}

void *__wrap_malloc(size_t n);
void *__wrap_malloc(size_t n)
{
    return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size)
{
    return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __real_realloc(p, n);
}

static void every_failed_allocation_is_an_error(void **state)
{
    (void)state;
    int failures = 0;
    for (int n = 1; n < 1000; n++) {
        struct tz_objects *ix = (struct tz_objects *)1;
        fail_countdown = n;
        tz_err err = tz_objects_build(DOCS, NDOCS, VEHICLES, NVEH, &ix, NULL);
        bool failed = fail_countdown == 0;
        fail_countdown = 0;
        if (!failed) { /* n passed the build's allocations: it is whole */
            assert_int_equal(err, TZ_OK);
            struct tz_obj_hits hits;
            assert_int_equal(find_doc(ix, "EA1234567", "POL", &hits), TZ_OK);
            assert_int_equal(hits.count, 1);
            tz_objects_free(ix);
            break;
        }
        failures++;
        if (err == TZ_OK) { /* only giving back the text's slack may fail and be ignored */
            tz_objects_free(ix);
            continue;
        }
        assert_int_equal(err, TZ_ENOMEM);
        assert_null(ix);
    }
    assert_true(failures >= 8); /* the index, its arrays, text, five tables, the interned set */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(documents_by_number_and_state),
        cmocka_unit_test(confusion_is_a_weaker_hit_that_says_where),
        cmocka_unit_test(vehicles_by_vin),
        cmocka_unit_test(vehicles_by_plate_and_country),
        cmocka_unit_test(views_and_explanations),
    };
    const struct CMUnitTest alone[] = {
        cmocka_unit_test(a_record_that_cannot_be_keyed_refuses_the_build),
        cmocka_unit_test(an_empty_index_answers_nothing),
        cmocka_unit_test(an_answer_is_bounded),
        cmocka_unit_test(every_failed_allocation_is_an_error),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    return failed + cmocka_run_group_tests(alone, NULL, NULL);
}
