/*
 * photo_images.h - test pictures made with libvips (header-only, static): a
 * gradient of any size as JPEG, PNG or WebP, with alpha or without, and the
 * one thing no library writes, EXIF with GPS, added by exiftool (Debian's
 * libimage-exiftool-perl), the reader the tests also check the output with.
 * Used by tests/unit/test_photo.c, tests/api/test_photos.c and bench/.
 */
#ifndef TZ_TESTS_PHOTO_IMAGES_H
#define TZ_TESTS_PHOTO_IMAGES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

/* A w x h picture with 3 bands (4 with alpha) in format ".jpg", ".png" or ".webp"; 0 on success.
 * *out is malloc'd. noise makes it photo-like (hard to compress), for sizes and benchmarks. */
static inline int photo_image_make(const char *format, int w, int h, int alpha, int noise,
                                   uint8_t **out, size_t *len)
{
    VipsImage *base = vips_image_new(),
              **t = (VipsImage **)vips_object_local_array(VIPS_OBJECT(base), 8);
    int rc = noise == 1 ? vips_gaussnoise(&t[0], w, h, "mean", 128.0, "sigma", 60.0, NULL)
                        : vips_xyz(&t[0], w, h, NULL);
    if (!rc && noise > 1) { /* a gradient (20..220) under noise of that sigma: a photo's texture */
        rc = vips_gaussnoise(&t[6], w, h, "mean", 20.0, "sigma", (double)noise, NULL);
        if (!rc)
            rc = vips_linear1(t[0], &t[5], 200.0 / (w > h ? w : h), 0.0, NULL);
        if (!rc)
            rc = vips_add(t[5], t[6], &t[7], NULL);
        if (t[5]) {
            g_object_unref(t[5]);
            t[5] = NULL;
        }
        if (!rc) {
            g_object_unref(t[0]);
            t[0] = t[7];
            t[7] = NULL;
        }
    }
    if (!rc && noise == 1)
        rc = vips_bandjoin_const1(t[0], &t[1], 0.0, NULL); /* any second band: overwritten below */
    else if (!rc)
        t[1] = (g_object_ref(t[0]), t[0]);
    if (!rc)
        rc = vips_cast_uchar(t[1], &t[2], NULL);
    if (!rc) /* three bands: x, y and their mix */
        rc = vips_bandjoin_const1(t[2], &t[3], 90.0, NULL);
    if (!rc && alpha)
        rc = vips_bandjoin_const1(t[3], &t[4], 200.0, NULL);
    else if (!rc)
        t[4] = (g_object_ref(t[3]), t[3]);
    if (!rc)
        rc = vips_copy(t[4], &t[5], "interpretation", VIPS_INTERPRETATION_sRGB, NULL);
    void *buf = NULL;
    size_t n = 0;
    if (!rc)
        rc = vips_image_write_to_buffer(t[5], format, &buf, &n, NULL);
    g_object_unref(base);
    if (rc)
        return -1;
    *out = malloc(n);
    memcpy(*out, buf, n);
    *len = n;
    g_free(buf);
    return 0;
}

/* Writes n bytes to path; 0 on success. */
static inline int photo_file_write(const char *path, const uint8_t *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(d, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

/* Reads a whole file (at most 64 MiB) into *out (malloc'd); 0 on success. */
static inline int photo_file_read(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 64u << 20, n = 0;
    uint8_t *d = malloc(cap);
    n = d ? fread(d, 1, cap, f) : 0;
    fclose(f);
    if (!d)
        return -1;
    *out = d;
    *len = n;
    return 0;
}

/* The tags that tell where and who: added to the file at path by exiftool; 0 on success. */
static inline int photo_add_gps(const char *path)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "exiftool -q -overwrite_original -GPSLatitude=50.0614 -GPSLatitudeRef=N"
             " -GPSLongitude=19.9372 -GPSLongitudeRef=E -Make=SecretPhone -Model=X1"
             " -Artist='Jan Reporter' -DateTimeOriginal='2026:12:01 10:00:00'"
             " -XMP:Creator='Jan Reporter' -Comment='taken by Jan' '%s' >/dev/null 2>&1",
             path);
    return system(cmd) == 0 ? 0 : -1;
}

/* What exiftool finds of metadata groups in the file at path (EXIF, GPS, XMP, IPTC, ICC,
 * MakerNotes, comments) into out: "" when there is none. 0 when exiftool ran. */
static inline int photo_metadata(const char *path, char *out, size_t size)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "exiftool -q -q -s -G1 -EXIF:all -GPS:all -XMP:all -IPTC:all -ICC_Profile:all"
             " -MakerNotes:all -Comment -Artist -Make '%s' 2>/dev/null",
             path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    return pclose(p) == -1 ? -1 : 0;
}

#endif
