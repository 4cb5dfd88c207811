/*
 * API tests of a report's photos (issue 19) against the real server: a photo
 * sent in POST /api/v1/reports is stored with its report, without any
 * metadata (exiftool reads the stored bytes); it is on no public door (the
 * report, the list, the map, the exports, Open311, its own address) until an
 * officer approves it, the review audited; and every refused photo (not
 * base64, not an image, HEIC, truncated, a polyglot, a decompression bomb,
 * over 5 MB, a fourth photo) is answered with problem+json naming it, and
 * nothing is stored; and the bytes of photo uploads held at once are bounded (503 past it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api_client.h"
#include "support/photo_images.h"

static const char *tarcza_binary;
static struct api_server server;

#define RYNEK "\"lat\":50.0617,\"lon\":19.9373"

static int start_server(void **state)
{
    (void)state;
    if (VIPS_INIT("test_photos") != 0 || api_prepare(&server, tarcza_binary, 10) != 0)
        return -1;
    server.serve_args[0] = "--write-rate"; /* these tests file many reports from one address */
    server.serve_args[1] = "0";
    return api_start(&server);
}

static int stop_server(void **state)
{
    (void)state;
    int rc = server.pid > 0 ? api_finish(&server) : 0;
    api_cleanup(&server);
    return rc;
}

/* POSTs a report at the Rynek with the given photos (count of them, raw bytes) into r. */
static void post_with_photos(const uint8_t *const *photos, const size_t *lens, size_t count,
                             struct api_response *r)
{
    size_t cap = 256;
    for (size_t i = 0; i < count; i++)
        cap += sodium_base64_ENCODED_LEN(lens[i], sodium_base64_VARIANT_ORIGINAL) + 4;
    char *body = malloc(cap);
    assert_non_null(body);
    size_t n =
        (size_t)snprintf(body, cap, "{\"category\":\"illegal_parking\"," RYNEK ",\"photos\":[");
    for (size_t i = 0; i < count; i++) {
        body[n++] = i ? ',' : ' ';
        body[n++] = '"';
        sodium_bin2base64(body + n, cap - n, photos[i], lens[i], sodium_base64_VARIANT_ORIGINAL);
        n += strlen(body + n);
        body[n++] = '"';
    }
    snprintf(body + n, cap - n, "]}");
    assert_int_equal(api_post_json(&server, "/api/v1/reports", body, r), 0);
    free(body);
}

/* A JPEG of w x h with GPS, maker and author in its EXIF and XMP (exiftool wrote them). */
static void jpeg_with_gps(int w, int h, uint8_t **out, size_t *len)
{
    char path[400];
    uint8_t *d;
    size_t n;
    assert_int_equal(photo_image_make(".jpg", w, h, 0, 1, &d, &n), 0);
    snprintf(path, sizeof path, "%s/in.jpg", server.dir);
    assert_int_equal(photo_file_write(path, d, n), 0);
    free(d);
    assert_int_equal(photo_add_gps(path), 0);
    assert_int_equal(photo_file_read(path, out, len), 0);
}

/* Files a report with one photo; its id, the photo's id and the district's id. */
static long long report_with_photo(long long *photo_id, char *district, size_t size)
{
    uint8_t *jpg;
    size_t n;
    jpeg_with_gps(2000, 1500, &jpg, &n);
    struct api_response r;
    const uint8_t *photos[] = {jpg};
    post_with_photos(photos, &n, 1, &r);
    if (r.status != 201)
        fail_msg("unexpected %ld: %s", r.status, r.body);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    assert_int_equal(json_integer_value(json_object_get(r.json, "photos_pending_review")), 1);
    snprintf(district, size, "%s",
             json_string_value(json_object_get(json_object_get(r.json, "district"), "id")));
    api_response_free(&r);
    free(jpg);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT id FROM report_photos WHERE report_id = %lld", id);
    *photo_id = api_db_long(&server, sql);
    return id;
}

static void stored_photos_carry_no_metadata(void **state)
{
    (void)state;
    long long photo_id;
    char district[64], sql[160], path[400], meta[4096];
    long long id = report_with_photo(&photo_id, district, sizeof district);
    assert_true(photo_id > 0);
    /* The bytes on disk, read behind the server's back, by a real EXIF reader. */
    static const char *const columns[] = {"image", "thumb"};
    for (size_t c = 0; c < 2; c++) {
        static uint8_t jpeg[4 << 20];
        snprintf(sql, sizeof sql, "SELECT %s FROM report_photos WHERE id = %lld", columns[c],
                 photo_id);
        size_t n = api_db_bytes(&server, sql, jpeg, sizeof jpeg);
        snprintf(path, sizeof path, "%s/stored.jpg", server.dir);
        assert_int_equal(photo_file_write(path, jpeg, n), 0);
        snprintf(sql, sizeof sql, "SELECT width FROM report_photos WHERE id = %lld", photo_id);
        assert_int_equal(api_db_long(&server, sql), 1600); /* 2000 x 1500 to the bound */
        snprintf(sql, sizeof sql, "SELECT height FROM report_photos WHERE id = %lld", photo_id);
        assert_int_equal(api_db_long(&server, sql), 1200);
        assert_int_equal(photo_metadata(path, meta, sizeof meta), 0);
        if (meta[0])
            fail_msg("metadata stored in %s: %s", columns[c], meta);
    }
    snprintf(sql, sizeof sql, "SELECT status FROM report_photos WHERE report_id = %lld", id);
    char status[32];
    api_db_text(&server, sql, status, sizeof status);
    assert_string_equal(status, "pending");
}

/* GETs path and checks its status; with not_in, that its body does not hold that text. */
static void door(const char *path, long want, const char *not_in)
{
    struct api_response r;
    assert_int_equal(api_get(&server, path, &r), 0);
    if (r.status != want)
        fail_msg("%s: %ld, not %ld: %s", path, r.status, want, r.body);
    if (not_in && r.body && strstr(r.body, not_in))
        fail_msg("%s shows %s before review", path, not_in);
    api_response_free(&r);
}

/* The public doors of report id and its photo: none shows the photo (reviewed: whether to). */
static void public_doors(long long id, long long photo_id, int approved)
{
    char path[160], url[64];
    snprintf(url, sizeof url, "/api/v1/photos/%lld", photo_id);
    snprintf(path, sizeof path, "/api/v1/photos/%lld", photo_id);
    door(path, approved ? 200 : 404, NULL);
    snprintf(path, sizeof path, "/api/v1/photos/%lld/thumb", photo_id);
    door(path, approved ? 200 : 404, NULL);
    /* The list, the map and the exports never carry photos; the report and Open311 once
     * approved. */
    door("/api/v1/reports?limit=200", 200, url);
    door("/api/v1/map?bbox=19.7,49.9,20.4,50.2&zoom=18", 200, url);
    door("/api/v1/map?bbox=19.7,49.9,20.4,50.2&zoom=10", 200, url);
    door("/api/v1/export/reports.geojson", 200, url);
    door("/api/v1/export/reports.csv", 200, url);
    snprintf(path, sizeof path, "/api/v1/reports/%lld", id);
    door(path, 200, approved ? NULL : url);
    snprintf(path, sizeof path, "/open311/v2/requests/%lld.json", id);
    door(path, 200, approved ? NULL : url);
    snprintf(path, sizeof path, "/open311/v2/requests/%lld.xml", id);
    door(path, 200, approved ? NULL : url);
    door("/open311/v2/requests.json", 200, approved ? NULL : url);
    struct api_response r;
    snprintf(path, sizeof path, "/api/v1/reports/%lld", id);
    assert_int_equal(api_get(&server, path, &r), 0);
    json_t *photos = json_object_get(r.json, "photos");
    assert_int_equal(json_array_size(photos), approved ? 1 : 0);
    if (approved) {
        assert_string_equal(json_string_value(json_object_get(json_array_get(photos, 0), "url")),
                            url);
    }
    api_response_free(&r);
    snprintf(path, sizeof path, "/open311/v2/requests/%lld.json", id);
    assert_int_equal(api_get(&server, path, &r), 0);
    json_t *media = json_object_get(json_array_get(r.json, 0), "media_url");
    if (approved)
        assert_string_equal(json_string_value(media), url);
    else
        assert_true(json_is_null(media));
    api_response_free(&r);
}

static long review(long long photo_id, const char *body)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/photos/%lld/review", photo_id);
    struct api_response r;
    assert_int_equal(api_post_json(&server, path, body, &r), 0);
    long status = r.status;
    api_response_free(&r);
    return status;
}

static void photos_are_public_only_once_approved(void **state)
{
    (void)state;
    long long photo_id;
    char district[64], officer[256], sql[200], path[128];
    long long id = report_with_photo(&photo_id, district, sizeof district);
    public_doors(id, photo_id, 0);

    /* Anonymous callers may not review. */
    assert_int_equal(review(photo_id, "{\"decision\":\"approve\"}"), 401);
    assert_int_equal(
        api_make_token(&server, "photo.officer", "officer", district, officer, sizeof officer), 0);
    server.extra_headers[0] = officer;
    /* The officer sees the pending photo (each read audited) ... */
    struct api_response r;
    snprintf(path, sizeof path, "/api/v1/police/reports/%lld", id);
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *p0 = json_array_get(json_object_get(r.json, "photos"), 0);
    assert_string_equal(json_string_value(json_object_get(p0, "status")), "pending");
    api_response_free(&r);
    snprintf(path, sizeof path, "/api/v1/police/photos/%lld", photo_id);
    assert_int_equal(api_get(&server, path, &r), 0);
    assert_int_equal(r.status, 200);
    char type[64];
    assert_int_equal(api_header(&r, "Content-Type", type, sizeof type), 0);
    assert_string_equal(type, "image/jpeg");
    assert_true(r.len > 1000 && (uint8_t)r.body[0] == 0xff && (uint8_t)r.body[1] == 0xd8);
    api_response_free(&r);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit_log WHERE action = 'report.read' AND object = 'photo/%lld'"
             " AND actor = 'photo.officer'",
             photo_id);
    assert_int_equal(api_db_long(&server, sql), 1);

    /* ... reviews it: a bad decision is refused, a rejection keeps it hidden ... */
    assert_int_equal(review(photo_id, "{\"decision\":\"maybe\"}"), 422);
    assert_int_equal(review(photo_id, "{\"decision\":\"reject\",\"note\":\"a face\"}"), 200);
    server.extra_headers[0] = NULL;
    public_doors(id, photo_id, 0);
    server.extra_headers[0] = officer;
    /* ... and an approval shows it, in bounded sizes. */
    assert_int_equal(review(photo_id, "{\"decision\":\"approve\"}"), 200);
    server.extra_headers[0] = NULL;
    public_doors(id, photo_id, 1);
    snprintf(
        sql, sizeof sql,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'photo.review' AND object = 'photo/%lld'"
        " AND outcome = 'ok'",
        photo_id);
    assert_int_equal(api_db_long(&server, sql), 2);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit_log WHERE action = 'report.describe' AND object ="
             " 'photo/%lld' AND outcome = 'refused'",
             photo_id);
    assert_int_equal(api_db_long(&server, sql), 1);
    snprintf(sql, sizeof sql, "SELECT reviewed_by FROM report_photos WHERE id = %lld", photo_id);
    char by[64];
    api_db_text(&server, sql, by, sizeof by);
    assert_string_equal(by, "photo.officer");
}

/* POSTs photos and expects 422 naming field with words, and nothing stored. */
static void refused(const char *what, const uint8_t *const *photos, const size_t *lens,
                    size_t count, const char *field, const char *words)
{
    long reports = api_count_reports(&server);
    long stored = api_count_rows(&server, "report_photos");
    struct api_response r;
    post_with_photos(photos, lens, count, &r);
    if (r.status != 422)
        fail_msg("%s: %ld: %s", what, r.status, r.body);
    char type[64];
    assert_int_equal(api_header(&r, "Content-Type", type, sizeof type), 0);
    assert_true(strncmp(type, "application/problem+json", 24) == 0);
    json_t *e = json_array_get(json_object_get(r.json, "errors"), 0);
    const char *f = json_string_value(json_object_get(e, "field"));
    const char *m = json_string_value(json_object_get(e, "message"));
    if (!f || strcmp(f, field) != 0 || !m || !strstr(m, words))
        fail_msg("%s: %s", what, r.body);
    api_response_free(&r);
    assert_int_equal(api_count_reports(&server), reports);
    assert_int_equal(api_count_rows(&server, "report_photos"), stored);
}

static void bad_photos_are_refused_and_nothing_is_stored(void **state)
{
    (void)state;
    uint8_t *jpg, *bomb;
    size_t jn, bn;
    assert_int_equal(photo_image_make(".jpg", 800, 600, 0, 1, &jpg, &jn), 0);
    assert_int_equal(photo_image_make(".png", 8000, 6000, 0, 0, &bomb, &bn), 0);
    const uint8_t *one[1];
    size_t len[4];
    one[0] = (const uint8_t *)"not an image at all";
    len[0] = 19;
    refused("text", one, len, 1, "/photos/0", "not a JPEG, PNG or WebP");
    static const uint8_t heic[] = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0};
    one[0] = heic;
    len[0] = sizeof heic;
    refused("HEIC", one, len, 1, "/photos/0", "HEIC");
    one[0] = jpg;
    len[0] = jn / 2;
    refused("truncated", one, len, 1, "/photos/0", "truncated");
    uint8_t *poly = malloc(jn + 22);
    memcpy(poly, jpg, jn);
    memset(poly + jn, 0, 22);
    memcpy(poly + jn, "PK\x05\x06", 4);
    one[0] = poly;
    len[0] = jn + 22;
    refused("polyglot", one, len, 1, "/photos/0", "polyglot");
    one[0] = bomb;
    len[0] = bn;
    refused("bomb", one, len, 1, "/photos/0", "40 megapixels");
    uint8_t *big = calloc(1, (5u * 1024 * 1024) + 1);
    memcpy(big, jpg, 4);
    one[0] = big;
    len[0] = (5u * 1024 * 1024) + 1;
    refused("over 5 MB", one, len, 1, "/photos/0", "5 MB");
    /* The second of two is bad: the first, good, is not kept either. */
    const uint8_t *two[] = {jpg, (const uint8_t *)"GIF89a"};
    size_t two_len[] = {jn, 6};
    refused("second bad", two, two_len, 2, "/photos/1", "not a JPEG");
    const uint8_t *four[] = {jpg, jpg, jpg, jpg};
    size_t four_len[] = {jn, jn, jn, jn};
    refused("four", four, four_len, 4, "/photos", "at most 3");
    /* Not base64, and not an array. */
    long reports = api_count_reports(&server);
    struct api_response r;
    assert_int_equal(
        api_post_json(&server, "/api/v1/reports",
                      "{\"category\":\"illegal_parking\"," RYNEK ",\"photos\":[\"@@@\"]}", &r),
        0);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "/photos/0"));
    api_response_free(&r);
    assert_int_equal(api_post_json(&server, "/api/v1/reports",
                                   "{\"category\":\"illegal_parking\"," RYNEK ",\"photos\":\"x\"}",
                                   &r),
                     0);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "\"/photos\""));
    api_response_free(&r);
    assert_int_equal(api_count_reports(&server), reports);
    /* Three good ones are taken, each once. */
    const uint8_t *three[] = {jpg, jpg, jpg};
    post_with_photos(three, four_len, 3, &r);
    assert_int_equal(r.status, 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "photos_pending_review")), 3);
    api_response_free(&r);
    free(big);
    free(poly);
    free(bomb);
    free(jpg);
}

/* ---- Open311 POST with media files (multipart/form-data) ---- */

#define BOUNDARY "tarcza-test-7d1f3a9c"

/* Issues an Open311 API key through the command line (as an admin would) into key. */
static void open311_key(char *key, size_t size)
{
    char out[400];
    snprintf(out, sizeof out, "%s/key.txt", server.dir);
    assert_int_equal(api_run_cli(&server, out, "apikey", "add", "photos", NULL), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    long long id = 0;
    char k[128] = "";
    assert_int_equal(fscanf(f, "%lld %127s", &id, k), 2);
    fclose(f);
    snprintf(key, size, "%s", k);
}

/* A multipart/form-data body: the text fields (name, value pairs), then the media files. */
static char *multipart(const char *const *fields, size_t nfields, const uint8_t *const *files,
                       const size_t *lens, size_t nfiles, bool closed, size_t *len)
{
    size_t cap = 4096;
    for (size_t i = 0; i < nfiles; i++)
        cap += lens[i] + 256;
    char *b = malloc(cap);
    assert_non_null(b);
    size_t n = 0;
    for (size_t i = 0; i + 1 < nfields; i += 2)
        n +=
            (size_t)snprintf(b + n, cap - n,
                             "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n"
                             "%s\r\n",
                             fields[i], fields[i + 1]);
    for (size_t i = 0; i < nfiles; i++) {
        n += (size_t)snprintf(b + n, cap - n,
                              "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"media\";"
                              " filename=\"p%zu.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n",
                              i);
        memcpy(b + n, files[i], lens[i]);
        n += lens[i];
        n += (size_t)snprintf(b + n, cap - n, "\r\n");
    }
    if (closed)
        n += (size_t)snprintf(b + n, cap - n, "--" BOUNDARY "--\r\n");
    *len = n;
    return b;
}

/* POSTs a multipart Open311 request at the Rynek with the media files; its status. */
static long post_open311(const char *key, const uint8_t *const *files, const size_t *lens,
                         size_t nfiles, bool closed, struct api_response *r)
{
    const char *fields[] = {"api_key",      key,
                            "service_code", "illegal_parking",
                            "lat",          "50.0617",
                            "long",         "19.9373",
                            "description",  "Auto na chodniku, zdjęcie w załączniku."};
    size_t len;
    char *body =
        multipart(fields, sizeof fields / sizeof fields[0], files, lens, nfiles, closed, &len);
    assert_int_equal(api_request(&server, "POST", "/open311/v2/requests.json",
                                 "multipart/form-data; boundary=" BOUNDARY, body, len, 0, r),
                     0);
    free(body);
    return r->status;
}

/* An Open311 refusal: 400, its description holds words, nothing stored. */
static void open311_refused(const char *what, const char *key, const uint8_t *const *files,
                            const size_t *lens, size_t nfiles, bool closed, const char *words)
{
    long reports = api_count_reports(&server);
    long stored = api_count_rows(&server, "report_photos");
    struct api_response r;
    if (post_open311(key, files, lens, nfiles, closed, &r) != 400 || !strstr(r.body, words))
        fail_msg("%s: %ld %s", what, r.status, r.body);
    api_response_free(&r);
    assert_int_equal(api_count_reports(&server), reports);
    assert_int_equal(api_count_rows(&server, "report_photos"), stored);
}

static void open311_takes_media_files_with_the_same_checks(void **state)
{
    (void)state;
    char key[128], sql[200], path[400], meta[4096], media[64];
    open311_key(key, sizeof key);
    uint8_t *jpg;
    size_t n;
    jpeg_with_gps(2000, 1500, &jpg, &n);
    const uint8_t *one[] = {jpg};
    struct api_response r;
    if (post_open311(key, one, &n, 1, true, &r) != 200)
        fail_msg("%ld %s", r.status, r.body);
    json_t *req = json_array_get(r.json, 0);
    long long id = json_integer_value(json_object_get(req, "service_request_id"));
    assert_true(id > 0);
    assert_non_null(strstr(json_string_value(json_object_get(req, "service_notice")), "review"));
    api_response_free(&r);
    /* Stored with its report, pending, re-encoded without metadata (exiftool on the bytes). */
    snprintf(sql, sizeof sql, "SELECT status FROM report_photos WHERE report_id = %lld", id);
    char status[32];
    api_db_text(&server, sql, status, sizeof status);
    assert_string_equal(status, "pending");
    snprintf(sql, sizeof sql, "SELECT image FROM report_photos WHERE report_id = %lld", id);
    static uint8_t stored[4 << 20];
    size_t stored_len = api_db_bytes(&server, sql, stored, sizeof stored);
    snprintf(path, sizeof path, "%s/o311.jpg", server.dir);
    assert_int_equal(photo_file_write(path, stored, stored_len), 0);
    assert_int_equal(photo_metadata(path, meta, sizeof meta), 0);
    if (meta[0])
        fail_msg("metadata stored: %s", meta);
    /* Not public before review: Open311's own answer has no media_url. */
    snprintf(media, sizeof media, "/open311/v2/requests/%lld.json", id);
    door(media, 200, "media_url\":\"/");

    /* The refusals of the report API, in Open311's format, nothing stored. */
    const uint8_t *text[] = {(const uint8_t *)"not an image at all"};
    size_t text_len = 19;
    open311_refused("text", key, text, &text_len, 1, true, "media file 1: not a JPEG");
    size_t half = n / 2;
    open311_refused("truncated", key, one, &half, 1, true, "truncated");
    const uint8_t *four[] = {jpg, jpg, jpg, jpg};
    size_t four_len[] = {n, n, n, n};
    open311_refused("four", key, four, four_len, 4, true, "at most 3 media files");
    open311_refused("not closed", key, one, &n, 1, false, "not well-formed");
    const uint8_t *two[] = {jpg, (const uint8_t *)"GIF89a"};
    size_t two_len[] = {n, 6};
    open311_refused("second bad", key, two, two_len, 2, true, "media file 2");

    /* media_url is never fetched; the notice says how to send a photo instead. */
    char form[400];
    snprintf(form, sizeof form,
             "api_key=%s&service_code=illegal_parking&lat=50.0617&long=19.9373"
             "&media_url=http%%3A%%2F%%2F127.0.0.1%%3A1%%2Fx.jpg",
             key);
    assert_int_equal(api_request(&server, "POST", "/open311/v2/requests.json",
                                 "application/x-www-form-urlencoded", form, strlen(form), 0, &r),
                     0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "media_url was not fetched"));
    api_response_free(&r);
    free(jpg);
}

/* An Open311 POST with media sent again under its Idempotency-Key (issue 19): the first answer,
 * its notice still counting the photo waiting for review, and the photos stored once. */
static void an_open311_replay_with_media_stores_its_photos_once(void **state)
{
    (void)state;
    /* The PostgreSQL backend has no idempotency keys yet (no report_by_idempotency_key, no
     * table of migration 24): test_idempotency runs on SQLite only, and so does this. */
    if (api_db_is_pg(&server))
        return;
    char key[128], notice[400];
    open311_key(key, sizeof key);
    uint8_t *jpg;
    size_t n;
    jpeg_with_gps(800, 600, &jpg, &n);
    const uint8_t *one[] = {jpg};
    long reports = api_count_reports(&server);
    long photos = api_count_rows(&server, "report_photos");
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    server.extra_headers[0] = "Idempotency-Key: \"1b4e7d2a-photo-replay-4c8f-9a0e-6d3b5f7a1c92\"";
    struct api_response first, again;
    assert_int_equal(post_open311(key, one, &n, 1, true, &first), 200);
    assert_int_equal(post_open311(key, one, &n, 1, true, &again), 200);
    memset(server.extra_headers, 0, sizeof server.extra_headers);
    json_t *a = json_array_get(first.json, 0), *b = json_array_get(again.json, 0);
    assert_int_equal(json_integer_value(json_object_get(b, "service_request_id")),
                     json_integer_value(json_object_get(a, "service_request_id")));
    snprintf(notice, sizeof notice, "%s", json_string_value(json_object_get(a, "service_notice")));
    assert_non_null(strstr(notice, "1 photo waits for review"));
    assert_string_equal(json_string_value(json_object_get(b, "service_notice")), notice);
    assert_int_equal(api_count_reports(&server), reports + 1);
    assert_int_equal(api_count_rows(&server, "report_photos"), photos + 1);
    api_response_free(&first);
    api_response_free(&again);
    free(jpg);
}

/* Sends the head of a report declaring a 21 MiB body on a new connection; the descriptor. */
static int start_upload(void)
{
    int fd = api_connect(&server);
    assert_true(fd >= 0);
    char head[256];
    int n =
        snprintf(head, sizeof head,
                 "POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 "Content-Length: %u\r\n\r\n",
                 21u * 1024 * 1024);
    assert_int_equal(send(fd, head, (size_t)n, MSG_NOSIGNAL), n);
    return fd;
}

/* The status line the server sent on fd within ms, or "" when it sent none. */
static void answer_of(int fd, int ms, char *out, size_t size)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    out[0] = '\0';
    if (poll(&p, 1, ms) > 0) {
        ssize_t n = recv(fd, out, size - 1, 0);
        out[n > 0 ? n : 0] = '\0';
    }
}

static void photo_uploads_held_at_once_are_bounded(void **state)
{
    (void)state;
    /* Six uploads declaring 21 MiB each hold 126 MiB of the 128 MiB bound; the next is 503. */
    int fds[6];
    for (int i = 0; i < 6; i++)
        fds[i] = start_upload();
    char line[512] = "";
    for (int tries = 0; tries < 50 && !strstr(line, " 503 "); tries++) {
        int fd = start_upload(); /* the six may not all be counted yet: ask again */
        answer_of(fd, 200, line, sizeof line);
        close(fd);
    }
    if (!strstr(line, "HTTP/1.1 503 "))
        fail_msg("a seventh upload was taken: %s", line);
    assert_non_null(strstr(line, "Retry-After"));
    for (int i = 0; i < 6; i++)
        close(fds[i]);
    /* Their bytes are given back when they end: a report with a photo is taken again. */
    uint8_t *jpg;
    size_t n;
    assert_int_equal(photo_image_make(".jpg", 300, 200, 0, 0, &jpg, &n), 0);
    const uint8_t *one[] = {jpg};
    long status = 0;
    for (int tries = 0; tries < 50 && status != 201; tries++) {
        struct api_response r;
        post_with_photos(one, &n, 1, &r);
        status = r.status;
        api_response_free(&r);
        if (status != 201)
            usleep(100 * 1000);
    }
    assert_int_equal(status, 201);
    free(jpg);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s TARCZA_BINARY\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stored_photos_carry_no_metadata),
        cmocka_unit_test(photos_are_public_only_once_approved),
        cmocka_unit_test(bad_photos_are_refused_and_nothing_is_stored),
        cmocka_unit_test(photo_uploads_held_at_once_are_bounded),
        cmocka_unit_test(open311_takes_media_files_with_the_same_checks),
        cmocka_unit_test(an_open311_replay_with_media_stores_its_photos_once),
    };
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
