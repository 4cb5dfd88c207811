/*
 * test_address.c - the address module: folding (Polish diacritics, case,
 * punctuation), the search's ranking (exact before one typo, whole words
 * before prefixes, numbers exact before those they start, locality as a
 * filter, bounded answers), the nearest address, and the import's report of
 * what it took and refused, line by line, written all or nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address/address.h"

static void fold_is(const char *in, const char *want)
{
    char out[64];
    size_t n = 0;
    assert_int_equal(tz_address_fold(in, strlen(in), out, sizeof out, &n), TZ_OK);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static void folding_drops_diacritics_case_and_punctuation(void **state)
{
    (void)state;
    fold_is("Floriańska", "florianska");
    fold_is("ZAŻÓŁĆ GĘŚLĄ JAŹŃ", "zazolc gesla jazn");
    fold_is("  ul.  Św. Jana, 7/3 ", "ul sw jana 7/3");
    fold_is("Müllerstraße", "mullerstrase");
    fold_is("", "");
    char out[8];
    size_t n;
    assert_int_equal(tz_address_fold("\xC5", 1, out, sizeof out, &n), TZ_EINVAL);     /* cut */
    assert_int_equal(tz_address_fold("\xC0\x80", 2, out, sizeof out, &n), TZ_EINVAL); /* overlong */
    assert_int_equal(tz_address_fold("abcdefghij", 10, out, sizeof out, &n), TZ_ETOOBIG);
}

static struct tz_address_rec rec(const char *loc, const char *street, const char *num, double lat,
                                 double lon)
{
    struct tz_address_rec r = {.lat = lat, .lon = lon};
    snprintf(r.locality, sizeof r.locality, "%s", loc);
    snprintf(r.street, sizeof r.street, "%s", street);
    snprintf(r.number, sizeof r.number, "%s", num);
    snprintf(r.postcode, sizeof r.postcode, "31-000");
    return r;
}

static struct tz_address_index *sample(void)
{
    static const char *const nums[] = {"1", "2", "10", "12", "12a", "3", "21"};
    struct tz_address_index *ix = NULL;
    assert_int_equal(tz_address_index_new(&ix), TZ_OK);
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        struct tz_address_rec r = rec("Kraków", "Floriańska", nums[i], 50.06 + i * 1e-4, 19.939);
        assert_int_equal(tz_address_index_add(ix, &r), TZ_OK);
    }
    struct tz_address_rec more[] = {
        rec("Wieliczka", "Floriańska", "3", 49.98, 20.06),
        rec("Kraków", "Florianka", "5", 50.07, 19.95),
        rec("Kraków", "Aleja Adama Mickiewicza", "5", 50.064, 19.924),
        rec("Kraków", "Mickiewicza", "8", 50.05, 19.90),
        rec("Zabierzów", "", "7", 50.11, 19.80),
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        assert_int_equal(tz_address_index_add(ix, &more[i]), TZ_OK);
    assert_int_equal(tz_address_index_build(ix), TZ_OK);
    assert_int_equal(tz_address_index_count(ix), 12);
    return ix;
}

static size_t search(const struct tz_address_index *ix, const char *q, size_t limit,
                     struct tz_address_hit *hits)
{
    size_t n = 99;
    assert_int_equal(tz_address_search(ix, q, strlen(q), limit, hits, &n), TZ_OK);
    return n;
}

static void a_folded_prefix_finds_the_street_and_number(void **state)
{
    (void)state;
    struct tz_address_index *ix = sample();
    struct tz_address_hit h[TZ_ADDRESS_LIMIT_MAX];
    size_t n = search(ix, "florianska 12", 10, h);
    assert_true(n >= 2);
    assert_string_equal(h[0].addr.street, "Floriańska");
    assert_string_equal(h[0].addr.number, "12");
    assert_string_equal(h[0].addr.locality, "Kraków");
    assert_string_equal(h[1].addr.number, "12a"); /* starts with 12: after the exact one */
    assert_int_equal(h[0].edits, 0);
    /* "florianska 1": exact 1 first, then those that start with 1 in their order. */
    n = search(ix, "Floriańska 1", 10, h);
    assert_int_equal(n, 4); /* not 21 */
    assert_string_equal(h[0].addr.number, "1");
    assert_string_equal(h[1].addr.number, "10");
    assert_string_equal(h[2].addr.number, "12");
    assert_string_equal(h[3].addr.number, "12a");
    tz_address_index_free(ix);
}

static void streets_rank_whole_words_first_and_larger_first(void **state)
{
    (void)state;
    struct tz_address_index *ix = sample();
    struct tz_address_hit h[TZ_ADDRESS_LIMIT_MAX];
    /* Without a number, one hit per street: Kraków's (7 numbers) before Wieliczka's (1); then
     * "Florianka", one edit away, last. */
    size_t n = search(ix, "florianska", 10, h);
    assert_int_equal(n, 3);
    assert_string_equal(h[0].addr.locality, "Kraków");
    assert_string_equal(h[1].addr.locality, "Wieliczka");
    assert_string_equal(h[2].addr.street, "Florianka");
    assert_int_equal(h[2].edits, 1);
    /* A prefix of both names: by size, then by name. */
    n = search(ix, "florian", 10, h);
    assert_int_equal(n, 3);
    assert_string_equal(h[0].addr.street, "Floriańska");
    assert_string_equal(h[1].addr.street, "Florianka");
    assert_int_equal(h[1].edits, 0);
    /* Any word of the name: "mickiewicza" finds both, the name that starts so first. */
    n = search(ix, "mickiewicza 5", 10, h);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].addr.street, "Aleja Adama Mickiewicza");
    n = search(ix, "mickiewicza", 10, h);
    assert_int_equal(n, 2);
    assert_string_equal(h[0].addr.street, "Mickiewicza");
    /* The locality narrows; "ul." is ignored; a village without streets by its name. */
    n = search(ix, "ul. florianska 3 wiel", 10, h);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].addr.locality, "Wieliczka");
    n = search(ix, "zabierzow 7", 10, h);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].addr.street, "");
    /* Bounded. */
    assert_int_equal(search(ix, "florianska 1", 2, h), 2);
    tz_address_index_free(ix);
}

static void one_typo_is_tolerated_and_ranked_last(void **state)
{
    (void)state;
    struct tz_address_index *ix = sample();
    struct tz_address_hit h[TZ_ADDRESS_LIMIT_MAX];
    static const char *const typos[] = {"florjanska 12", "florinska 12", "floriannska 12",
                                        "folrianska 12"};
    for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++) {
        size_t n = search(ix, typos[i], 10, h);
        assert_true(n >= 1);
        assert_string_equal(h[0].addr.street, "Floriańska");
        assert_string_equal(h[0].addr.number, "12");
        assert_int_equal(h[0].edits, 1);
    }
    assert_int_equal(search(ix, "flxxxnska 12", 10, h), 0); /* two edits: nothing */
    tz_address_index_free(ix);
}

static void bad_searches_are_refused(void **state)
{
    (void)state;
    struct tz_address_index *ix = sample();
    struct tz_address_hit h[TZ_ADDRESS_LIMIT_MAX];
    size_t n;
    char big[TZ_ADDRESS_QUERY_MAX + 2];
    memset(big, 'a', sizeof big);
    assert_int_equal(tz_address_search(ix, "", 0, 10, h, &n), TZ_EINVAL);
    assert_int_equal(tz_address_search(ix, " ,. ", 4, 10, h, &n), TZ_EINVAL);
    assert_int_equal(tz_address_search(ix, "a\xFF", 2, 10, h, &n), TZ_EINVAL);
    assert_int_equal(tz_address_search(ix, "abc", 3, 0, h, &n), TZ_EINVAL);
    assert_int_equal(tz_address_search(ix, "abc", 3, TZ_ADDRESS_LIMIT_MAX + 1, h, &n), TZ_EINVAL);
    assert_int_equal(tz_address_search(ix, big, sizeof big, 10, h, &n), TZ_ETOOBIG);
    struct tz_address_rec outside = rec("Berlin", "Unter den Linden", "1", 52.51, 13.39);
    assert_int_equal(tz_address_index_add(ix, &outside), TZ_ECONFLICT); /* built */
    tz_address_index_free(ix);
}

static void the_nearest_address(void **state)
{
    (void)state;
    struct tz_address_index *ix = sample();
    struct tz_address_hit h;
    double m = 0;
    assert_int_equal(tz_address_nearest(ix, 50.0641, 19.9241, 200, &h, &m), TZ_OK);
    assert_string_equal(h.addr.street, "Aleja Adama Mickiewicza");
    assert_true(m < 20);
    assert_int_equal(tz_address_nearest(ix, 50.30, 19.00, 200, &h, &m), TZ_ENOTFOUND);
    assert_int_equal(tz_address_nearest(ix, 50.0641, 19.9241, 0, &h, &m), TZ_EINVAL);
    tz_address_index_free(ix);
}

/* A store in a fresh temporary file. */
static struct tz_store *temp_store(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/tz-address-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[300];
    snprintf(path, sizeof path, "%s/t.db", dir);
    struct tz_store *store = NULL;
    assert_int_equal(tz_store_open_sqlite(path, &store), TZ_OK);
    return store;
}

static void remove_store(struct tz_store *store, const char *dir)
{
    tz_store_close(store);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static tz_err import_text(struct tz_store *store, const char *csv,
                          struct tz_address_import_report *rep)
{
    FILE *f = fmemopen((void *)csv, strlen(csv), "r");
    assert_non_null(f);
    struct tz_audit_rec audit = {
        .actor = "cli:test", .action = "address.import", .outcome = "ok", .at = 1};
    tz_err err = tz_address_import(store, f, &audit, rep);
    fclose(f);
    return err;
}

static void the_import_reports_each_refused_line(void **state)
{
    (void)state;
    char dir[64];
    struct tz_store *store = temp_store(dir, sizeof dir);
    struct tz_address_import_report rep;
    const char *csv = "\xEF\xBB\xBFlocality,street,number,postcode,lon,lat\r\n"
                      "Kraków,Floriańska,12,31-019,19.9397,50.0634\r\n"
                      "\"Kraków\",\"Zła, \"\"cudna\"\"\",3,,\"19.90\",\"50.06\"\r\n"
                      "Berlin,Unter den Linden,1,,13.39,52.51\n"
                      "Kraków,Floriańska,x,31-019,19.93,50.06\n"
                      "Kraków,Floriańska,5,3101,19.93,50.06\n"
                      "Kraków,Floriańska,7\n"
                      "Kraków,\"Multi\nline\",8,,19.93,50.06\n"
                      "Kraków,\xC5,9,,19.93,50.06\n"
                      ",Floriańska,10,,19.93,50.06\n"
                      "Kraków,\"open,11,,19.93,50.06\n";
    assert_int_equal(import_text(store, csv, &rep), TZ_OK);
    assert_int_equal(rep.taken, 2);
    assert_int_equal(rep.refused, 8);
    assert_int_equal(rep.lines, 10);
    static const struct {
        size_t line;
        const char *starts;
    } want[] = {{4, "lon:"},    {5, "number:"},  {6, "postcode:"},  {7, "not 6 fields"},
                {8, "street:"}, {10, "street:"}, {11, "locality:"}, {12, "a quoted field"}};
    assert_int_equal(rep.count, 8);
    for (size_t i = 0; i < rep.count; i++) {
        assert_int_equal(rep.items[i].line, want[i].line);
        assert_true(strncmp(rep.items[i].reason, want[i].starts, strlen(want[i].starts)) == 0);
    }
    tz_address_import_report_free(&rep);

    struct tz_address_index *ix = NULL;
    assert_int_equal(tz_address_index_load(store, &ix), TZ_OK);
    assert_int_equal(tz_address_index_count(ix), 2);
    struct tz_address_hit h[4];
    assert_int_equal(search(ix, "zla cudna 3", 4, h), 1);
    assert_string_equal(h[0].addr.street, "Zła, \"cudna\"");
    tz_address_index_free(ix);

    /* A file with another header is refused whole, and nothing of it is stored. */
    assert_int_equal(import_text(store, "a,b,c\nKraków,Nowa,1,,19.9,50.0\n", &rep), TZ_EMALFORMED);
    assert_int_equal(rep.taken, 0);
    assert_int_equal(rep.count, 1);
    assert_int_equal(rep.items[0].line, 1);
    tz_address_import_report_free(&rep);
    assert_int_equal(tz_address_index_load(store, &ix), TZ_OK);
    assert_int_equal(tz_address_index_count(ix), 2);
    tz_address_index_free(ix);
    remove_store(store, dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(folding_drops_diacritics_case_and_punctuation),
        cmocka_unit_test(a_folded_prefix_finds_the_street_and_number),
        cmocka_unit_test(streets_rank_whole_words_first_and_larger_first),
        cmocka_unit_test(one_typo_is_tolerated_and_ranked_last),
        cmocka_unit_test(bad_searches_are_refused),
        cmocka_unit_test(the_nearest_address),
        cmocka_unit_test(the_import_reports_each_refused_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
