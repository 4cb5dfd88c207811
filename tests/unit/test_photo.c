/*
 * Unit tests of src/photo: a photo is encoded anew without any metadata (checked by exiftool on
 * the bytes made), within bounded sizes; every refusal (empty, not an image, HEIC, truncated,
 * a polyglot, a decompression bomb, over 5 MB) names its reason and yields nothing.
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

#include "photo/photo.h"
#include "support/photo_images.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tz_photo_XXXXXX");
    return mkdtemp(dir) && tz_photo_init() == TZ_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Refuses d (n bytes) with err and a reason containing `words`; out stays empty. */
static void refused(const uint8_t *d, size_t n, tz_err want, const char *words)
{
    struct tz_photo out;
    const char *why = NULL;
    assert_int_equal(tz_photo_process(d, n, &out, &why), want);
    assert_non_null(why);
    if (!strstr(why, words))
        fail_msg("reason \"%s\" does not say \"%s\"", why, words);
    assert_null(out.full);
    assert_null(out.thumb);
}

static void metadata_is_gone(void **state)
{
    (void)state;
    uint8_t *d, *in;
    size_t n, in_len;
    char path[128], out_path[128], meta[4096];
    assert_int_equal(photo_image_make(".jpg", 2400, 1800, 0, 0, &d, &n), 0);
    snprintf(path, sizeof path, "%s/gps.jpg", dir);
    assert_int_equal(photo_file_write(path, d, n), 0);
    free(d);
    assert_int_equal(photo_add_gps(path), 0);
    /* The input holds what must not survive: the reader sees it there. */
    assert_int_equal(photo_metadata(path, meta, sizeof meta), 0);
    assert_non_null(strstr(meta, "GPSLatitude"));
    assert_non_null(strstr(meta, "SecretPhone"));
    assert_non_null(strstr(meta, "Jan Reporter"));
    assert_int_equal(photo_file_read(path, &in, &in_len), 0);

    struct tz_photo p;
    const char *why = NULL;
    assert_int_equal(tz_photo_process(in, in_len, &p, &why), TZ_OK);
    assert_int_equal(p.width, 1600); /* 2400 x 1800 to the 1600 px bound */
    assert_int_equal(p.height, 1200);
    assert_int_equal(p.thumb_width, 320);
    assert_int_equal(p.thumb_height, 240);
    snprintf(out_path, sizeof out_path, "%s/out.jpg", dir);
    assert_int_equal(photo_file_write(out_path, p.full, p.full_len), 0);
    assert_int_equal(photo_metadata(out_path, meta, sizeof meta), 0);
    if (meta[0])
        fail_msg("metadata left in the display size: %s", meta);
    assert_int_equal(photo_file_write(out_path, p.thumb, p.thumb_len), 0);
    assert_int_equal(photo_metadata(out_path, meta, sizeof meta), 0);
    if (meta[0])
        fail_msg("metadata left in the thumbnail: %s", meta);
    /* Nor do the words themselves survive anywhere in the bytes. */
    assert_null(memmem(p.full, p.full_len, "Secret", 6));
    assert_null(memmem(p.full, p.full_len, "Exif", 4));
    tz_photo_clear(&p);
    free(in);
}

static void png_and_webp_become_jpeg(void **state)
{
    (void)state;
    static const char *const formats[] = {".png", ".webp"};
    for (size_t i = 0; i < 2; i++) {
        uint8_t *d;
        size_t n;
        assert_int_equal(photo_image_make(formats[i], 500, 800, 1, 0, &d, &n), 0);
        struct tz_photo p;
        const char *why = NULL;
        assert_int_equal(tz_photo_process(d, n, &p, &why), TZ_OK);
        assert_int_equal(p.width, 500); /* never enlarged */
        assert_int_equal(p.height, 800);
        assert_int_equal(p.thumb_width, 200);
        assert_int_equal(p.thumb_height, 320);
        assert_true(p.full_len > 3 && p.full[0] == 0xff && p.full[1] == 0xd8);
        tz_photo_clear(&p);
        free(d);
    }
}

static void refusals_name_their_reason(void **state)
{
    (void)state;
    uint8_t *jpg, *png;
    size_t jn, pn;
    assert_int_equal(photo_image_make(".jpg", 640, 480, 0, 1, &jpg, &jn), 0);
    refused(jpg, 0, TZ_EINVAL, "empty");
    refused((const uint8_t *)"hello, world", 12, TZ_EINVAL, "not a JPEG, PNG or WebP");
    static const uint8_t heic[] = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0};
    refused(heic, sizeof heic, TZ_EINVAL, "HEIC");
    /* Truncated: cut in the middle of its entropy-coded data. */
    refused(jpg, jn / 2, TZ_EINVAL, "truncated");
    /* Malformed inside, yet ending with the end-of-image marker. */
    uint8_t *bad = malloc(jn);
    memcpy(bad, jpg, jn);
    memset(bad + 200, 0xff, jn - 400); /* markers where data belongs */
    refused(bad, jn, TZ_EINVAL, "malformed");
    free(bad);
    /* A polyglot: a ZIP archive after the JPEG (its directory at the end, as ZIP readers look). */
    static const uint8_t zip_end[22] = {'P', 'K', 5, 6};
    uint8_t *poly = malloc(jn + sizeof zip_end);
    memcpy(poly, jpg, jn);
    memcpy(poly + jn, zip_end, sizeof zip_end);
    refused(poly, jn + sizeof zip_end, TZ_EINVAL, "polyglot");
    /* ... and script markup inside the image that still ends right. */
    static const char script[] = "<SCRIPT>alert(1)</script>";
    uint8_t *inner = malloc(jn + sizeof script + 3);
    memcpy(inner, jpg, 2);
    inner[2] = 0xff, inner[3] = 0xfe, inner[4] = 0, inner[5] = (uint8_t)(sizeof script + 1);
    memcpy(inner + 6, script, sizeof script - 1);
    memcpy(inner + 6 + sizeof script - 1, jpg + 2, jn - 2);
    refused(inner, jn + sizeof script + 3, TZ_EINVAL, "polyglot");
    free(inner);
    free(poly);
    /* A decompression bomb: 8000 x 6000 px (48 MP) of one colour, a small PNG. */
    assert_int_equal(photo_image_make(".png", 8000, 6000, 0, 0, &png, &pn), 0);
    assert_true(pn < TZ_PHOTO_MAX_BYTES);
    refused(png, pn, TZ_EINVAL, "40 megapixels");
    free(png);
    /* Over 5 MB, whatever it holds. */
    uint8_t *big = calloc(1, TZ_PHOTO_MAX_BYTES + 1);
    memcpy(big, jpg, 4);
    refused(big, TZ_PHOTO_MAX_BYTES + 1, TZ_ETOOBIG, "5 MB");
    free(big);
    free(jpg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metadata_is_gone),
        cmocka_unit_test(png_and_webp_become_jpeg),
        cmocka_unit_test(refusals_name_their_reason),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
