/*
 * API tests of the analysis endpoints (src/http/api_analysis.c) against the
 * real `tarcza serve` on a demo database: hot spots as GeoJSON hexagons, the
 * "nearby" hint in the 201 answer, the linked view and merging from the
 * command line, trends, statistics in every format, the patrol plan, and
 * bad parameters refused with problem+json.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_client.h"

static const char *tarcza_binary;
static struct api_server server;
static char analyst[200]; /* "Authorization: Bearer ..." of an analyst: every request sends it */

static int start_server(void **state)
{
    (void)state;
    if (api_prepare(&server, tarcza_binary, 2000) != 0 || api_start(&server) != 0)
        return -1;
    if (api_make_token(&server, "ana", "analyst", NULL, analyst, sizeof analyst) != 0)
        return -1;
    server.extra_headers[0] = analyst;
    return 0;
}

/* cmocka reports a failed group teardown but does not count it: main() does (LeakSanitizer). */
static int server_exit_status;

static int stop_server(void **state)
{
    (void)state;
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

static json_t *get_ok(const char *path, struct api_response *r)
{
    assert_int_equal(api_get(&server, path, r), 0);
    if (r->status != 200)
        fprintf(stderr, "unexpected %ld for %s: %s\n", r->status, path, r->body);
    assert_int_equal(r->status, 200);
    return r->json;
}

static void get_400(const char *path, const char *field)
{
    struct api_response r;
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(r.status, 400);
    char type[128];
    assert_int_equal(api_header(&r, "Content-Type", type, sizeof type), 0);
    assert_non_null(strstr(type, "application/problem+json"));
    assert_non_null(strstr(r.body, field));
    api_response_free(&r);
}

/* Analysis is for the police: nobody logged in gets 401, an administrator 403. */
static void analysis_is_for_the_police(void **state)
{
    (void)state;
    char admin[200];
    assert_int_equal(api_make_token(&server, "root", "admin", NULL, admin, sizeof admin), 0);
    const char *paths[] = {"/api/v1/analysis/hotspots", "/api/v1/analysis/trends",
                           "/api/v1/analysis/stats", "/api/v1/analysis/patrol?district=KRK-01",
                           "/api/v1/analysis/linked?id=1"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct api_response r;
        server.extra_headers[0] = NULL;
        assert_int_equal(api_get(&server, paths[i], &r), 0);
        assert_int_equal(r.status, 401);
        api_response_free(&r);
        server.extra_headers[0] = admin;
        assert_int_equal(api_get(&server, paths[i], &r), 0);
        assert_int_equal(r.status, 403);
        api_response_free(&r);
    }
    server.extra_headers[0] = analyst;
}

/* The permission is checked on what the handler reads: no second district or id, no id that
 * reads one way for the check and another for the answer. */
static void the_check_and_the_answer_read_the_same_object(void **state)
{
    (void)state;
    char officer[200];
    assert_int_equal(api_make_token(&server, "nowak", "officer", "KRK-01", officer, sizeof officer),
                     0);
    struct api_response r;
    assert_int_equal(api_get(&server, "/api/v1/reports?limit=200", &r), 0);
    long long other = 0;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r.json, "items"), i, item)
    {
        const char *d = json_string_value(json_object_get(json_object_get(item, "district"), "id"));
        if (!other && d && strcmp(d, "KRK-01") != 0)
            other = json_integer_value(json_object_get(item, "id"));
    }
    api_response_free(&r);
    assert_true(other > 0);
    server.extra_headers[0] = officer;
    char paths[6][160];
    snprintf(paths[0], sizeof paths[0], "/api/v1/analysis/linked?id=%lld", other);
    snprintf(paths[1], sizeof paths[1], "/api/v1/analysis/linked?id=%lld.0", other);
    snprintf(paths[2], sizeof paths[2], "/api/v1/analysis/linked?id=0x%llx", other);
    snprintf(paths[3], sizeof paths[3], "/api/v1/analysis/linked?id=1&id=%lld", other);
    snprintf(paths[4], sizeof paths[4], "/api/v1/analysis/patrol?district=KRK-01&district=KRK-20");
    snprintf(paths[5], sizeof paths[5], "/api/v1/analysis/patrol?district=KRK-01");
    const long status[6] = {403, 400, 400, 400, 400, 200};
    for (size_t k = 0; k < 6; k++) {
        assert_int_equal(api_get(&server, paths[k], &r), 0);
        if (r.status != status[k])
            fprintf(stderr, "%s: %ld %s\n", paths[k], r.status, r.body);
        assert_int_equal(r.status, status[k]);
        api_response_free(&r);
    }
    server.extra_headers[0] = analyst;
}

static void hotspots_are_geojson_hexagons(void **state)
{
    (void)state;
    struct api_response r;
    json_t *j = get_ok("/api/v1/analysis/hotspots?cell=250&all=true", &r);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "FeatureCollection");
    json_t *features = json_object_get(j, "features");
    assert_true(json_array_size(features) > 10);
    assert_int_equal(json_integer_value(json_object_get(j, "cells")), json_array_size(features));
    json_int_t total = 0, hot = 0;
    size_t i;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        json_t *ring =
            json_array_get(json_object_get(json_object_get(f, "geometry"), "coordinates"), 0);
        assert_int_equal(json_array_size(ring), 7); /* six corners, closed */
        json_t *p = json_object_get(f, "properties");
        total += json_integer_value(json_object_get(p, "count"));
        hot += json_integer_value(json_object_get(p, "class")) > 0;
        double z = json_real_value(json_object_get(p, "z"));
        int cls = (int)json_integer_value(json_object_get(p, "class"));
        assert_true(cls == 0 || (cls > 0) == (z > 0));
    }
    assert_int_equal(total, json_integer_value(json_object_get(j, "points")));
    assert_true(hot > 0); /* the demo data has hot spots */
    api_response_free(&r);
    /* Only the significant ones by default; a filter narrows the points. */
    j = get_ok("/api/v1/analysis/hotspots?category=illegal_parking&from=2020-01-01", &r);
    json_array_foreach(json_object_get(j, "features"), i, f) assert_int_not_equal(
        json_integer_value(json_object_get(json_object_get(f, "properties"), "class")), 0);
    assert_true(json_integer_value(json_object_get(j, "points")) < total);
    api_response_free(&r);
    /* One district: exactly the reports routed to it (as the statistics count them). */
    j = get_ok("/api/v1/analysis/hotspots?district=KRK-01&all=true", &r);
    json_int_t in_district = json_integer_value(json_object_get(j, "points"));
    api_response_free(&r);
    j = get_ok("/api/v1/analysis/stats?by=district", &r);
    json_array_foreach(json_object_get(j, "groups"), i, f)
    {
        if (strcmp(json_string_value(json_object_get(f, "key")), "KRK-01") == 0)
            assert_int_equal(in_district, json_integer_value(json_object_get(f, "total")));
    }
    assert_true(in_district > 0);
    api_response_free(&r);
    get_400("/api/v1/analysis/hotspots?district=NOPE", "district");
    get_400("/api/v1/analysis/hotspots?cell=10", "cell");
    get_400("/api/v1/analysis/hotspots?cell=250&band=5000", "band");
    get_400("/api/v1/analysis/hotspots?zoom=3", "zoom");
    get_400("/api/v1/analysis/hotspots?category=nonsense", "category");
    get_400("/api/v1/analysis/hotspots?fdr=maybe", "fdr");
}

static void a_second_report_nearby_is_told_of_the_first(void **state)
{
    (void)state;
    const char *body = "{\"category\":\"stray_dogs\",\"lat\":50.0501,\"lon\":19.9601}";
    struct api_response a, b, c;
    assert_int_equal(api_post_json(&server, "/api/v1/reports", body, &a), 0);
    assert_int_equal(a.status, 201);
    json_int_t first = json_integer_value(json_object_get(a.json, "id"));
    /* ~50 m away: told; the reporter's report is still stored. */
    assert_int_equal(api_post_json(&server, "/api/v1/reports",
                                   "{\"category\":\"stray_dogs\",\"lat\":50.0505,\"lon\":19.9602}",
                                   &b),
                     0);
    assert_int_equal(b.status, 201);
    json_t *nearby = json_object_get(b.json, "nearby");
    assert_true(json_is_array(nearby));
    int seen = 0;
    size_t i;
    json_t *n;
    json_array_foreach(nearby, i, n)
    {
        if (json_integer_value(json_object_get(n, "id")) == first) {
            seen = 1;
            double d = json_real_value(json_object_get(n, "distance_m"));
            assert_true(d > 40 && d < 50);
            assert_string_equal(json_string_value(json_object_get(n, "status")), "new");
        }
    }
    assert_true(seen);
    /* Another category at the same spot is not the same threat. */
    assert_int_equal(api_post_json(&server, "/api/v1/reports",
                                   "{\"category\":\"begging\",\"lat\":50.0505,\"lon\":19.9602}",
                                   &c),
                     0);
    assert_int_equal(c.status, 201);
    json_array_foreach(json_object_get(c.json, "nearby"), i, n)
        assert_int_not_equal(json_integer_value(json_object_get(n, "id")), first);

    /* The officer of the district links them and merges the second into the first (over HTTP,
     * audited); the analyst may not merge. */
    char path[96], id_a[24], id_b[24], officer[200], merge_body[160];
    snprintf(path, sizeof path, "/api/v1/analysis/linked?id=%lld", (long long)first);
    snprintf(id_a, sizeof id_a, "%lld", (long long)first);
    snprintf(id_b, sizeof id_b, "%lld",
             (long long)json_integer_value(json_object_get(b.json, "id")));
    const char *district =
        json_string_value(json_object_get(json_object_get(a.json, "district"), "id"));
    assert_int_equal(
        api_make_token(&server, "kowalski", "officer", district, officer, sizeof officer), 0);
    char merge[96];
    snprintf(merge, sizeof merge, "/api/v1/reports/%s/merge", id_b);
    snprintf(merge_body, sizeof merge_body, "{\"into\":%s,\"note\":\"the same dogs\"}", id_a);
    struct api_response mr;
    assert_int_equal(api_post_json(&server, merge, merge_body, &mr), 0);
    assert_int_equal(mr.status, 403); /* the analyst analyses, the officer merges */
    api_response_free(&mr);
    server.extra_headers[0] = officer;
    assert_int_equal(api_post_json(&server, merge, "{\"into\":\"x\"}", &mr), 0);
    assert_int_equal(mr.status, 422);
    api_response_free(&mr);
    assert_int_equal(api_post_json(&server, merge, merge_body, &mr), 0);
    assert_int_equal(mr.status, 200);
    api_response_free(&mr);
    assert_int_equal(api_post_json(&server, merge, merge_body, &mr), 0);
    assert_int_equal(mr.status, 409); /* once only */
    api_response_free(&mr);
    server.extra_headers[0] = analyst;
    assert_int_not_equal(
        api_run_cli(&server, "/dev/null", "report", "merge", id_b, id_a, (char *)NULL), 0);
    assert_int_equal(api_count_rows(&server, "audit_log") > 0, 1);
    struct api_response l;
    json_t *lj = get_ok(path, &l);
    assert_true(json_integer_value(json_object_get(lj, "found")) >= 1);
    json_t *merges = json_object_get(lj, "merges");
    assert_int_equal(json_array_size(merges), 1);
    json_t *m = json_array_get(merges, 0);
    assert_string_equal(json_string_value(json_object_get(m, "actor")), "kowalski");
    assert_string_equal(json_string_value(json_object_get(m, "note")), "the same dogs");
    api_response_free(&l);
    assert_int_equal(api_count_rows(&server, "report_links"), 1);
    get_400("/api/v1/analysis/linked", "id");
    get_400("/api/v1/analysis/linked?id=abc", "id");
    api_response_free(&a);
    api_response_free(&b);
    api_response_free(&c);
}

/* The points of the district's hot spots and the sum of its monthly trend. */
static void counted_in(const char *district, json_int_t *points, json_int_t *trend)
{
    char path[160];
    struct api_response r;
    snprintf(path, sizeof path, "/api/v1/analysis/hotspots?district=%s&all=true", district);
    *points = json_integer_value(json_object_get(get_ok(path, &r), "points"));
    api_response_free(&r);
    snprintf(path, sizeof path, "/api/v1/analysis/trends?period=month&district=%s", district);
    json_t *counts = json_object_get(json_object_get(get_ok(path, &r), "total"), "counts");
    size_t i;
    json_t *v;
    *trend = 0;
    json_array_foreach(counts, i, v) *trend += json_integer_value(v);
    api_response_free(&r);
}

/* Two reports of one threat, the second merged into the first: hot spots and trends count one. */
static void merged_duplicates_count_once(void **state)
{
    (void)state;
    const char *body = "{\"category\":\"vandalism\",\"lat\":50.0712,\"lon\":19.9215}";
    struct api_response a, b, m;
    assert_int_equal(api_post_json(&server, "/api/v1/reports", body, &a), 0);
    assert_int_equal(a.status, 201);
    char district[64], officer[200], path[96], merge[96];
    snprintf(district, sizeof district, "%s",
             json_string_value(json_object_get(json_object_get(a.json, "district"), "id")));
    json_int_t points0, trend0, points1, trend1, points2, trend2;
    counted_in(district, &points0, &trend0);
    assert_int_equal(api_post_json(&server, "/api/v1/reports", body, &b), 0);
    assert_int_equal(b.status, 201);
    counted_in(district, &points1, &trend1);
    assert_int_equal(points1, points0 + 1); /* before the merge: two reports, two counts */
    assert_int_equal(trend1, trend0 + 1);
    assert_int_equal(
        api_make_token(&server, "merger", "officer", district, officer, sizeof officer), 0);
    server.extra_headers[0] = officer;
    snprintf(path, sizeof path, "/api/v1/reports/%lld/merge",
             (long long)json_integer_value(json_object_get(b.json, "id")));
    snprintf(merge, sizeof merge, "{\"into\":%lld}",
             (long long)json_integer_value(json_object_get(a.json, "id")));
    assert_int_equal(api_post_json(&server, path, merge, &m), 0);
    assert_int_equal(m.status, 200);
    api_response_free(&m);
    server.extra_headers[0] = analyst;
    counted_in(district, &points2, &trend2);
    assert_int_equal(points2, points0); /* merged: the threat counts once */
    assert_int_equal(trend2, trend0);
    api_response_free(&a);
    api_response_free(&b);
}

static void trends_compare_with_the_year_before(void **state)
{
    (void)state;
    struct api_response r;
    json_t *j = get_ok("/api/v1/analysis/trends?period=month", &r);
    json_t *periods = json_object_get(j, "periods");
    assert_int_equal(json_array_size(periods), 12);
    json_t *total = json_object_get(j, "total");
    assert_int_equal(json_array_size(json_object_get(total, "counts")), 12);
    assert_int_equal(json_array_size(json_object_get(total, "year_before")), 12);
    json_int_t sum = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(total, "counts"), i, v) sum += json_integer_value(v);
    assert_true(sum > 1000); /* the demo year */
    api_response_free(&r);
    j = get_ok("/api/v1/analysis/trends?period=week&district=KRK-01&group=road", &r);
    assert_int_equal(json_array_size(json_object_get(j, "periods")), 52);
    json_array_foreach(json_object_get(j, "series"), i, v)
    {
        const char *code = json_string_value(json_object_get(v, "category"));
        assert_true(strcmp(code, "illegal_parking") == 0 || strcmp(code, "speeding") == 0 ||
                    strstr(code, "road") || strstr(code, "traffic") || strstr(code, "racing") ||
                    strstr(code, "animal"));
    }
    api_response_free(&r);
    get_400("/api/v1/analysis/trends?period=day", "period");
    get_400("/api/v1/analysis/trends?district=NOPE", "district");
    get_400("/api/v1/analysis/trends?from=2000-01-01&to=2026-01-01", "to");
}

static void stats_in_every_format(void **state)
{
    (void)state;
    struct api_response r;
    json_t *j = get_ok("/api/v1/analysis/stats?by=district", &r);
    json_t *groups = json_object_get(j, "groups");
    assert_true(json_array_size(groups) > 10);
    json_int_t sum = 0;
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        sum += json_integer_value(json_object_get(g, "total"));
        json_t *pct = json_object_get(json_object_get(g, "takeup"), "on_time_pct");
        assert_true(json_is_null(pct) ||
                    (json_real_value(pct) >= 0 && json_real_value(pct) <= 100));
    }
    assert_int_equal(sum, api_count_reports(&server));
    api_response_free(&r);

    j = get_ok("/api/v1/analysis/stats?by=region", &r);
    assert_int_equal(json_array_size(json_object_get(j, "groups")), 1);
    api_response_free(&r);

    assert_int_equal(api_get(&server, "/api/v1/analysis/stats?by=unit&format=csv", &r), 0);
    assert_int_equal(r.status, 200);
    char type[128];
    assert_int_equal(api_header(&r, "Content-Type", type, sizeof type), 0);
    assert_non_null(strstr(type, "text/csv"));
    assert_memory_equal(r.body, "key,name,total,status_new", 25);
    assert_non_null(strstr(r.body, "\r\n\"Komisariat Policji"));
    api_response_free(&r);

    assert_int_equal(api_get(&server, "/api/v1/analysis/stats?format=geojson", &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "type")), "FeatureCollection");
    json_t *f = json_array_get(json_object_get(r.json, "features"), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(f, "geometry"), "type")),
                        "Polygon");
    api_response_free(&r);

    /* tarcza stats prints the same groups. */
    char out[320];
    snprintf(out, sizeof out, "%s/stats.txt", server.dir);
    assert_int_equal(api_run_cli(&server, out, "stats", "--by", "region", (char *)NULL), 0);
    FILE *fp = fopen(out, "r");
    assert_non_null(fp);
    char line[512];
    int found = 0;
    while (fgets(line, sizeof line, fp))
        found |= strncmp(line, "region", 6) == 0;
    fclose(fp);
    assert_true(found);
    get_400("/api/v1/analysis/stats?by=planet", "by");
    get_400("/api/v1/analysis/stats?format=xml", "format");
    get_400("/api/v1/analysis/stats?from=2026-02-01&to=2026-01-01", "to");
}

static void patrol_plan_ranks_places(void **state)
{
    (void)state;
    struct api_response r;
    json_t *j = get_ok("/api/v1/analysis/patrol?district=KRK-01&limit=5", &r);
    assert_string_equal(json_string_value(json_object_get(j, "district")), "KRK-01");
    json_t *features = json_object_get(j, "features");
    assert_true(json_array_size(features) >= 1);
    assert_true(json_array_size(features) <= 5);
    double last = 1e300;
    size_t i, streets = 0;
    json_t *f;
    json_array_foreach(features, i, f)
    {
        json_t *p = json_object_get(f, "properties");
        double score = json_real_value(json_object_get(p, "score"));
        assert_true(score > 0 && score <= last);
        last = score;
        assert_int_equal(json_integer_value(json_object_get(p, "rank")), (json_int_t)i + 1);
        assert_non_null(strstr(json_string_value(json_object_get(p, "reason")), "report"));
        assert_true(json_array_size(json_object_get(p, "reports")) >= 1);
        /* Where to go: the demo's address register names a street near each place, or null. */
        json_t *near = json_object_get(p, "nearest_address");
        assert_true(json_is_null(near) || json_string_length(json_object_get(near, "street")) > 0);
        streets += json_is_object(near);
        /* The reason's numbers, for a page to say it in its language: the statuses add up. */
        json_t *facts = json_object_get(p, "facts");
        json_int_t by = 0;
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(facts, "by_status"), k, v) by += json_integer_value(v);
        assert_true(json_integer_value(json_object_get(facts, "reports")) >= 1);
        assert_int_equal(by, json_integer_value(json_object_get(facts, "reports")));
        assert_true(json_integer_value(json_object_get(facts, "days_ago")) >= 0);
    }
    assert_true(json_integer_value(json_object_get(j, "half_life_days")) > 0);
    assert_true(streets >= 1);
    api_response_free(&r);
    get_400("/api/v1/analysis/patrol", "district");
    get_400("/api/v1/analysis/patrol?district=NOPE", "district");
    get_400("/api/v1/analysis/patrol?district=KRK-01&limit=500", "limit");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-TO-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(analysis_is_for_the_police),
        cmocka_unit_test(the_check_and_the_answer_read_the_same_object),
        cmocka_unit_test(hotspots_are_geojson_hexagons),
        cmocka_unit_test(a_second_report_nearby_is_told_of_the_first),
        cmocka_unit_test(trends_compare_with_the_year_before),
        cmocka_unit_test(merged_duplicates_count_once),
        cmocka_unit_test(stats_in_every_format),
        cmocka_unit_test(patrol_plan_ranks_places),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
