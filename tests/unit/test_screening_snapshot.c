/*
 * test_screening_snapshot.c - the offline copy (screening/snapshot.h): a signed snapshot read
 * back is the state written; a delta applied to its base is the later state, line for line, as
 * a full snapshot of it; a changed byte, a cut file, another key, a delta out of order are
 * refused with the state untouched; a service over a state answers as the online one does.
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
#include <sodium.h>

#include "screening/snapshot.h"

static uint8_t pk[32], sk[64];

static void person(struct tz_snap_state *st, const char *id, const char *name, const char *dob)
{
    struct tz_watch_person_rec r = {0};
    snprintf(r.source, sizeof r.source, "wanted");
    snprintf(r.record_id, sizeof r.record_id, "%s", id);
    snprintf(r.name, sizeof r.name, "%s", name);
    snprintf(r.birth_date, sizeof r.birth_date, "%s", dob);
    snprintf(r.nationalities, sizeof r.nationalities, "az");
    r.sex[0] = 'm';
    assert_int_equal(tz_snap_add_person(st, &r), TZ_OK);
}

static void document(struct tz_snap_state *st, const char *id, const char *number,
                     const char *status)
{
    struct tz_watch_doc_rec d = {0};
    snprintf(d.source, sizeof d.source, "sltd");
    snprintf(d.record_id, sizeof d.record_id, "%s", id);
    snprintf(d.doc_type, sizeof d.doc_type, "passport");
    snprintf(d.number, sizeof d.number, "%s", number);
    snprintf(d.country, sizeof d.country, "DEU");
    snprintf(d.status, sizeof d.status, "%s", status);
    assert_int_equal(tz_snap_add_doc(st, &d), TZ_OK);
}

static void vehicle(struct tz_snap_state *st, const char *id, const char *vin)
{
    struct tz_watch_vehicle_rec v = {0};
    snprintf(v.source, sizeof v.source, "smv");
    snprintf(v.record_id, sizeof v.record_id, "%s", id);
    snprintf(v.vin, sizeof v.vin, "%s", vin);
    snprintf(v.plate, sizeof v.plate, "WO 12345");
    snprintf(v.plate_country, sizeof v.plate_country, "PL");
    snprintf(v.make, sizeof v.make, "Škoda");
    snprintf(v.status, sizeof v.status, "stolen");
    assert_int_equal(tz_snap_add_vehicle(st, &v), TZ_OK);
}

/* The earlier state: a person under two names, a document, a vehicle. */
static struct tz_snap_state *state_a(void)
{
    struct tz_snap_state *st = NULL;
    assert_int_equal(tz_snap_state_new(&st), TZ_OK);
    person(st, "P1", "Ильхам Алиев", "1961-12-24");
    person(st, "P1", "Ilham Aliyev", "1961-12-24");
    document(st, "D1", "XY0I1", "lost");
    vehicle(st, "V1", "WVWZZZ1JZXW000001");
    return st;
}

/* The later state: P1 changed, P2 new, D1's status moved, V1 gone. */
static struct tz_snap_state *state_b(void)
{
    struct tz_snap_state *st = NULL;
    assert_int_equal(tz_snap_state_new(&st), TZ_OK);
    person(st, "P1", "Ильхам Алиев", "1961");
    person(st, "P2", "Łukasz Wałęsa", "1970");
    document(st, "D1", "XY0I1", "stolen");
    return st;
}

static void write_file(struct tz_snap_state *st, struct tz_snap_state *base, struct tz_buf *out,
                       struct tz_snap_info *info)
{
    memset(info, 0, sizeof *info);
    snprintf(info->created, sizeof info->created, "2026-12-07T12:00:00Z");
    info->lists_version = 7;
    tz_buf_init(out, 1 << 20);
    assert_int_equal(tz_snap_write(st, base, sk, info, out), TZ_OK);
}

static void snapshot_round_trip_is_the_same_state(void **unused)
{
    (void)unused;
    struct tz_snap_state *a = state_a(), *back = NULL;
    struct tz_buf f;
    struct tz_snap_info w, r;
    write_file(a, NULL, &f, &w);
    assert_int_equal(w.count, 3);
    assert_false(w.delta);
    assert_non_null(strstr(f.data, "\"format\":\"tarcza-watchlist-snapshot\""));
    char why[TZ_SNAP_WHY_MAX];
    assert_int_equal(tz_snap_state_new(&back), TZ_OK);
    assert_int_equal(tz_snap_apply(back, f.data, f.len, pk, &r, why), TZ_OK);
    assert_true(tz_snap_state_equal(a, back));
    assert_int_equal(r.count, 3);
    assert_int_equal(r.lists_version, 7);
    assert_string_equal(r.created, "2026-12-07T12:00:00Z");
    assert_memory_equal(r.state, w.state, TZ_SNAP_DIGEST);
    size_t n = 0;
    assert_int_equal(tz_snap_state_count(back, &n), TZ_OK);
    assert_int_equal(n, 3);
    tz_buf_free(&f);
    tz_snap_state_free(a);
    tz_snap_state_free(back);
}

static void delta_applied_is_the_full_snapshot_of_the_later_state(void **unused)
{
    (void)unused;
    struct tz_snap_state *a = state_a(), *b = state_b(), *chain = NULL, *full = NULL;
    struct tz_buf fa, fd, fb;
    struct tz_snap_info ia, id, ib, r;
    char why[TZ_SNAP_WHY_MAX];
    write_file(a, NULL, &fa, &ia);
    write_file(b, a, &fd, &id);
    write_file(b, NULL, &fb, &ib);
    assert_true(id.delta);
    assert_int_equal(id.count, 4); /* P1 and D1 changed, P2 new, V1 gone */
    assert_int_equal(id.removed, 1);
    assert_memory_equal(id.base, ia.state, TZ_SNAP_DIGEST);
    assert_int_equal(tz_snap_state_new(&chain), TZ_OK);
    assert_int_equal(tz_snap_apply(chain, fa.data, fa.len, pk, NULL, why), TZ_OK);
    assert_int_equal(tz_snap_apply(chain, fd.data, fd.len, pk, &r, why), TZ_OK);
    assert_true(r.delta);
    assert_int_equal(tz_snap_state_new(&full), TZ_OK);
    assert_int_equal(tz_snap_apply(full, fb.data, fb.len, pk, NULL, why), TZ_OK);
    assert_true(tz_snap_state_equal(chain, full));
    assert_true(tz_snap_state_equal(chain, b));
    assert_memory_equal(ib.state, id.state, TZ_SNAP_DIGEST);
    /* the same delta again follows a state that is no longer there */
    assert_int_equal(tz_snap_apply(chain, fd.data, fd.len, pk, NULL, why), TZ_EINVAL);
    assert_non_null(strstr(why, "another state"));
    assert_true(tz_snap_state_equal(chain, b));
    /* a delta on an empty state (its snapshot missing) is refused */
    struct tz_snap_state *empty = NULL;
    assert_int_equal(tz_snap_state_new(&empty), TZ_OK);
    assert_int_equal(tz_snap_apply(empty, fd.data, fd.len, pk, NULL, why), TZ_EINVAL);
    size_t n = 9;
    assert_int_equal(tz_snap_state_count(empty, &n), TZ_OK);
    assert_int_equal(n, 0);
    /* a delta from a state to itself has no records and changes nothing */
    struct tz_buf fz;
    struct tz_snap_info iz;
    write_file(b, b, &fz, &iz);
    assert_int_equal(iz.count, 0);
    assert_int_equal(tz_snap_apply(chain, fz.data, fz.len, pk, NULL, why), TZ_OK);
    assert_true(tz_snap_state_equal(chain, b));
    tz_buf_free(&fa);
    tz_buf_free(&fd);
    tz_buf_free(&fb);
    tz_buf_free(&fz);
    tz_snap_state_free(a);
    tz_snap_state_free(b);
    tz_snap_state_free(chain);
    tz_snap_state_free(full);
    tz_snap_state_free(empty);
}

static void changed_cut_or_foreign_files_are_refused(void **unused)
{
    (void)unused;
    struct tz_snap_state *a = state_a(), *st = NULL;
    struct tz_buf f;
    struct tz_snap_info w;
    char why[TZ_SNAP_WHY_MAX];
    write_file(a, NULL, &f, &w);
    assert_int_equal(tz_snap_state_new(&st), TZ_OK);
    char *copy = malloc(f.len);
    assert_non_null(copy);
    /* every byte changed, one at a time */
    for (size_t i = 0; i < f.len; i++) {
        memcpy(copy, f.data, f.len);
        copy[i] ^= 0x01;
        assert_int_equal(tz_snap_apply(st, copy, f.len, pk, NULL, why), TZ_EINVAL);
        assert_true(why[0] != '\0');
    }
    /* cut anywhere */
    for (size_t n = 0; n < f.len; n += 7)
        assert_int_equal(tz_snap_apply(st, f.data, n, pk, NULL, why), TZ_EINVAL);
    assert_int_equal(tz_snap_apply(st, f.data, f.len - 1, pk, NULL, why), TZ_EINVAL);
    assert_non_null(strstr(why, "cut"));
    /* another key */
    uint8_t pk2[32], sk2[64];
    crypto_sign_keypair(pk2, sk2);
    assert_int_equal(tz_snap_apply(st, f.data, f.len, pk2, NULL, why), TZ_EINVAL);
    assert_non_null(strstr(why, "signature does not verify"));
    size_t n = 9;
    assert_int_equal(tz_snap_state_count(st, &n), TZ_OK);
    assert_int_equal(n, 0); /* nothing was taken from any of them */
    /* and the file itself is still good */
    assert_int_equal(tz_snap_apply(st, f.data, f.len, pk, NULL, why), TZ_OK);
    free(copy);
    tz_buf_free(&f);
    tz_snap_state_free(a);
    tz_snap_state_free(st);
}

/* A file signed with the right key but written by hand: the reader still checks it. */
static void signed_nonsense_is_refused(void **unused)
{
    (void)unused;
    static const char *const bodies[] = {
        "{\"format\":\"other\"}\n",
        "{\"count\":1,\"created\":\"x\",\"format\":\"tarcza-watchlist-snapshot\",\"kind\":"
        "\"full\",\"position\":{\"lists\":0,\"notices\":0},\"removed\":0,\"state\":\"00\","
        "\"version\":1}\n",
        "{\"count\":2,\"created\":\"x\",\"format\":\"tarcza-watchlist-snapshot\",\"kind\":"
        "\"full\",\"position\":{\"lists\":0,\"notices\":0},\"removed\":0,\"state\":"
        "\"0000000000000000000000000000000000000000000000000000000000000000\",\"version\":1}\n"
        "{\"entries\":[{\"name\":\"A B\"}],\"k\":\"person\",\"record_id\":\"2\",\"source\":\"s\"}\n"
        "{\"entries\":[{\"name\":\"A "
        "B\"}],\"k\":\"person\",\"record_id\":\"1\",\"source\":\"s\"}\n",
    };
    struct tz_snap_state *st = NULL;
    assert_int_equal(tz_snap_state_new(&st), TZ_OK);
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        uint8_t sig[crypto_sign_BYTES];
        char hex[2 * crypto_sign_BYTES + 1], file[2048], why[TZ_SNAP_WHY_MAX];
        crypto_sign_detached(sig, NULL, (const unsigned char *)bodies[i], strlen(bodies[i]), sk);
        sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
        int n = snprintf(file, sizeof file, "%s{\"signature\":\"%s\"}\n", bodies[i], hex);
        assert_int_equal(tz_snap_apply(st, file, (size_t)n, pk, NULL, why), TZ_EINVAL);
        assert_null(strstr(why, "signature")); /* signed right: refused for what it says */
    }
    tz_snap_state_free(st);
}

static void offline_service_answers_from_the_state_alone(void **unused)
{
    (void)unused;
    struct tz_snap_state *b = state_b();
    struct tz_screening *s = NULL;
    assert_int_equal(tz_screening_open_offline(b, NULL, &s), TZ_OK);
    tz_snap_state_free(b); /* the service keeps what it needs */
    struct tz_field_errors errs = {0};
    struct tz_screen_answer a = {0};
    struct tz_screen_person_query q = {.name = "Lukasz Walesa", .reason = "border check"};
    assert_int_equal(tz_screening_offline_person(s, &q, &errs, &a), TZ_OK);
    assert_int_equal(a.count, 1);
    assert_string_equal(a.hits[0].source_id, "wanted/P2");
    assert_int_equal(a.hits[0].why.pair[0].how, TZ_SCREEN_FOLDED);
    tz_screen_answer_clear(&a);
    q.name = "Ilham Aliyev";
    assert_int_equal(tz_screening_offline_person(s, &q, &errs, &a), TZ_OK);
    assert_int_equal(a.count, 1);
    assert_string_equal(a.hits[0].source_id, "wanted/P1");
    tz_screen_answer_clear(&a);
    struct tz_screen_obj_answer o = {0};
    struct tz_screen_doc_query d = {.number = "XYOI1", .country = "DE", .reason = "check"};
    assert_int_equal(tz_screening_offline_document(s, &d, &errs, &o), TZ_OK);
    assert_int_equal(o.count, 1);
    assert_string_equal(o.hits[0].record_id, "D1");
    assert_int_equal(o.hits[0].doc_status, TZ_DOC_STOLEN);
    tz_screen_obj_answer_clear(&o);
    struct tz_screen_vehicle_query v = {.vin = "WVWZZZ1JZXW000001", .reason = "check"};
    assert_int_equal(tz_screening_offline_vehicle(s, &v, &errs, &o), TZ_OK);
    assert_int_equal(o.count, 0); /* V1 was removed in the later state */
    tz_screen_obj_answer_clear(&o);
    q.reason = NULL; /* the same fields checked as online */
    assert_int_equal(tz_screening_offline_person(s, &q, &errs, &a), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/reason");
    tz_screening_close(s);
}

static void key_files_are_read(void **unused)
{
    (void)unused;
    char dir[] = "/tmp/tz_snapkeyXXXXXX";
    assert_non_null(mkdtemp(dir));
    char skp[64], pkp[64], hex[2 * 64 + 1];
    snprintf(skp, sizeof skp, "%s/k", dir);
    snprintf(pkp, sizeof pkp, "%s/p", dir);
    FILE *f = fopen(skp, "w");
    fprintf(f, "%s\n", sodium_bin2hex(hex, sizeof hex, sk, 64));
    fclose(f);
    f = fopen(pkp, "w");
    fprintf(f, "%s\n", sodium_bin2hex(hex, sizeof hex, pk, 32));
    fclose(f);
    uint8_t sk2[64], pk2[32], pk3[32];
    assert_int_equal(tz_snap_secret_key(skp, sk2, pk2), TZ_OK);
    assert_memory_equal(pk2, pk, 32);
    assert_int_equal(tz_snap_public_key(pkp, pk3), TZ_OK);
    assert_memory_equal(pk3, pk, 32);
    assert_int_equal(tz_snap_public_key(skp, pk3), TZ_EINVAL); /* a secret key is no public one */
    assert_int_equal(tz_snap_secret_key(pkp, sk2, pk2), TZ_EINVAL);
    remove(skp);
    remove(pkp);
    rmdir(dir);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    crypto_sign_keypair(pk, sk);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(snapshot_round_trip_is_the_same_state),
        cmocka_unit_test(delta_applied_is_the_full_snapshot_of_the_later_state),
        cmocka_unit_test(changed_cut_or_foreign_files_are_refused),
        cmocka_unit_test(signed_nonsense_is_refused),
        cmocka_unit_test(offline_service_answers_from_the_state_alone),
        cmocka_unit_test(key_files_are_read),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tz_screen_release();
    return rc;
}
