/*
 * fuzz_mrz.c - libFuzzer harness of screening/ids.h: the MRZ reader, document
 * numbers, VINs and plates, all given the same bytes (the first byte also
 * picks the plate's country).
 *
 * What must hold, beyond "no crash, no undefined behaviour":
 *   - an MRZ is TZ_OK only with no bad digit, a valid birth and expiry date
 *     and a known sex; every digit reported bad differs from the one
 *     computed; the fields are NUL-terminated text of the MRZ alphabet;
 *   - a document number or plate that is read is read again to itself
 *     (normalising is idempotent), compares SAME with itself and SAME or
 *     CONFUSABLE with its skeleton, and is valid UTF-8 (ASCII for a number);
 *   - a VIN that is read is 17 characters without I, O or Q, and where its
 *     digit was checked it is the digit tz_vin_check_digit computes;
 *   - the same bytes asked of a small document and vehicle index (objects.h)
 *     as a number, a VIN and a plate: every exact hit's key is the query's
 *     normal text, every weaker one differs from it only by O/0 and I/1, and
 *     an answer never holds more than TZ_OBJ_HITS_MAX.
 */
#include <string.h>

#include "check.h"
#include "screening/ids.h"
#include "screening/objects.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool mrz_text(const char *s, size_t cap, bool spaces)
{
    size_t n = strnlen(s, cap);
    if (n == cap)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '<' || (spaces && c == ' ')))
            return false;
    }
    return true;
}

static void check_mrz(const char *s, size_t n)
{
    struct tz_mrz m;
    tz_err err = tz_mrz_parse(s, n, &m);
    if (err != TZ_OK && err != TZ_EINVAL)
        return;
    FUZZ_CHECK(err != TZ_OK ||
                   (m.bad_digits == 0 && m.birth.valid && m.expiry.valid && m.sex != '?'),
               "TZ_OK with bad digits %#x", m.bad_digits);
    for (int d = 0; d < TZ_MRZ_DIGIT_COUNT; d++) {
        bool bad = m.digit[d].check == TZ_MRZ_CHECK_BAD;
        FUZZ_CHECK(bad == ((m.bad_digits >> d) & 1u), "digit %d flag", d);
        FUZZ_CHECK(!bad || m.digit[d].found != m.digit[d].expected, "digit %d", d);
    }
    FUZZ_CHECK(mrz_text(m.number, sizeof m.number, false), "number");
    FUZZ_CHECK(mrz_text(m.issuer, sizeof m.issuer, false), "issuer");
    FUZZ_CHECK(mrz_text(m.surname, sizeof m.surname, true), "surname");
    FUZZ_CHECK(mrz_text(m.given, sizeof m.given, true), "given");
    FUZZ_CHECK(mrz_text(m.optional1, sizeof m.optional1, false), "optional1");
    FUZZ_CHECK(mrz_text(m.optional2, sizeof m.optional2, false), "optional2");
}

static void check_docnum(const char *s, size_t n)
{
    struct tz_docnum d, again;
    if (tz_docnum_normalise(s, n, &d) != TZ_OK)
        return;
    FUZZ_CHECK(d.len == strlen(d.text) && d.len == strlen(d.skeleton), "lengths");
    for (size_t i = 0; i < d.len; i++)
        FUZZ_CHECK((d.text[i] >= 'A' && d.text[i] <= 'Z') || (d.text[i] >= '0' && d.text[i] <= '9'),
                   "%s", d.text);
    FUZZ_CHECK(tz_docnum_normalise(d.text, d.len, &again) == TZ_OK, "%s", d.text);
    FUZZ_CHECK(strcmp(again.text, d.text) == 0 && !again.separators_removed, "%s", d.text);
    FUZZ_CHECK(tz_id_compare(d.text, d.text, NULL, NULL) == TZ_ID_SAME, "%s", d.text);
    FUZZ_CHECK(tz_id_compare(d.text, d.skeleton, NULL, NULL) != TZ_ID_DIFFERENT, "%s", d.text);
}

static void check_vin(const char *s, size_t n)
{
    struct tz_vin v;
    tz_err err = tz_vin_parse(s, n, &v);
    if (err != TZ_OK)
        return;
    FUZZ_CHECK(strlen(v.text) == 17 && !strpbrk(v.text, "IOQ"), "%s", v.text);
    FUZZ_CHECK(v.check != TZ_VIN_CHECK_BAD, "%s", v.text);
    FUZZ_CHECK(v.check != TZ_VIN_CHECK_OK || tz_vin_check_digit(v.text) == v.text[8], "%s", v.text);
}

static void check_plate(enum tz_plate_country c, const char *s, size_t n)
{
    struct tz_plate p, again;
    if (tz_plate_normalise(c, s, n, &p) != TZ_OK)
        return;
    FUZZ_CHECK(p.len == strlen(p.text) && fuzz_utf8_valid(p.text, p.len), "plate");
    FUZZ_CHECK(tz_plate_normalise(c, p.text, p.len, &again) == TZ_OK, "%s", p.text);
    FUZZ_CHECK(strcmp(again.text, p.text) == 0 && again.format_known == p.format_known, "%s",
               p.text);
    FUZZ_CHECK(tz_id_compare(p.text, p.skeleton, NULL, NULL) != TZ_ID_DIFFERENT, "%s", p.text);
}

/* A small index, built once; numbers and plates chosen to be confusable with each other. */
static const struct tz_objects *fixture(void)
{
    static struct tz_objects *ix;
    static const struct tz_doc_record docs[] = {
        {TZ_DOC_PASSPORT, "EA0123", "POL", TZ_OBJ_NO_DATE, TZ_OBJ_NO_DATE, TZ_DOC_STOLEN, "a"},
        {TZ_DOC_PASSPORT, "EAO123", "POL", TZ_OBJ_NO_DATE, TZ_OBJ_NO_DATE, TZ_DOC_LOST, "b"},
        {TZ_DOC_ID_CARD, "EAOI23", "DEU", TZ_OBJ_NO_DATE, TZ_OBJ_NO_DATE, TZ_DOC_REVOKED, "c"},
        {TZ_DOC_ID_CARD, "A", "LTU", TZ_OBJ_NO_DATE, TZ_OBJ_NO_DATE, TZ_DOC_REVOKED, "d"},
    };
    static const struct tz_vehicle_record veh[] = {
        {"WVWZZZ1JZ3W386752", "WA 10I0O", "PL", "VW", "Golf", "black", TZ_VEHICLE_STOLEN, "e"},
        {"1FTEW1EP4KFA12345", "WA1O1OO", "PL", NULL, NULL, NULL, TZ_VEHICLE_STOLEN, "f"},
        {NULL, "AA1234BB", "UA", NULL, NULL, NULL, TZ_VEHICLE_STOLEN, "g"},
    };
    if (!ix && tz_objects_build(docs, 4, veh, 3, &ix, NULL) != TZ_OK)
        abort();
    return ix;
}

static void check_hits(const struct tz_objects *ix, const struct tz_obj_hits *hits,
                       const char *text)
{
    FUZZ_CHECK(hits->count <= TZ_OBJ_HITS_MAX, "%zu hits", hits->count);
    for (size_t i = 0; i < hits->count; i++) {
        const struct tz_obj_hit *h = &hits->hit[i];
        const char *key;
        struct tz_doc_record d;
        struct tz_vehicle_record v;
        if (h->key == TZ_OBJ_KEY_NUMBER) {
            tz_objects_document(ix, h->record, &d);
            key = d.number;
        } else {
            tz_objects_vehicle(ix, h->record, &v);
            key = h->key == TZ_OBJ_KEY_VIN ? v.vin : v.plate;
        }
        if (h->key == TZ_OBJ_KEY_VIN)
            continue; /* the VIN query maps I, O, Q itself; its text is not kept */
        FUZZ_CHECK(tz_id_compare(text, key, NULL, NULL) == h->match, "%s vs %s", text, key);
    }
}

static void check_index(const char *s, size_t n)
{
    const struct tz_objects *ix = fixture();
    struct tz_obj_hits hits;
    struct tz_doc_query dq = {s, n, NULL, 0};
    struct tz_docnum num;
    if (tz_objects_find_documents(ix, &dq, &hits, NULL) == TZ_OK) {
        FUZZ_CHECK(tz_docnum_normalise(s, n, &num) == TZ_OK, "number read twice");
        check_hits(ix, &hits, num.text);
    }
    struct tz_vehicle_query vin = {s, n, NULL, 0, NULL, 0};
    if (tz_objects_find_vehicles(ix, &vin, &hits, NULL) == TZ_OK)
        check_hits(ix, &hits, "");
    struct tz_vehicle_query pq = {NULL, 0, s, n, "PL", 2};
    struct tz_plate plate;
    if (tz_objects_find_vehicles(ix, &pq, &hits, NULL) == TZ_OK) {
        FUZZ_CHECK(tz_plate_normalise(TZ_PLATE_PL, s, n, &plate) == TZ_OK, "plate read twice");
        check_hits(ix, &hits, plate.text);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    check_mrz(s, size);
    check_docnum(s, size);
    check_vin(s, size);
    check_index(s, size);
    if (size > 0)
        check_plate((enum tz_plate_country)(data[0] % TZ_PLATE_COUNTRY_COUNT), s + 1, size - 1);
    return 0;
}
