/*
 * photo.c - decoding a checked photo with libvips and encoding it anew.
 *
 * libvips is started once, for hostile input: every loader it marks
 * untrusted (ImageMagick, PDF, MAT, ...) is blocked, its operation cache is
 * off (a cached load keyed by a buffer's address could answer for another
 * buffer), and each operation runs on the calling thread (the server's
 * threads already work in parallel; one photo must not take every core).
 *
 * The header is read first through the one loader that check.c named,
 * which parses it without decoding a pixel; only a photo within
 * TZ_PHOTO_MAX_PIXELS is decoded at all. The display size comes from
 * vips_thumbnail_buffer, which shrinks while it loads (a JPEG decodes at an
 * eighth of its size where that is enough) and streams, so a photo never
 * lies whole in memory; the loader stops at the first error or truncation.
 * JPEG output with `strip` carries the pixels alone.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "photo/internal.h"
#include "photo/photo.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool ready;

static void start(void)
{
    if (VIPS_INIT("tarcza") != 0)
        return;
    vips_block_untrusted_set(TRUE);
    vips_cache_set_max(0);
    vips_concurrency_set(1);
    ready = true;
}

tz_err tz_photo_init(void)
{
    pthread_once(&once, start);
    return ready ? TZ_OK : TZ_ENOMEM;
}

void tz_photo_clear(struct tz_photo *p)
{
    free(p->full);
    free(p->thumb);
    memset(p, 0, sizeof *p);
}

/* Opens the header of d through the loader of its kind; no pixel is decoded yet. */
static int open_header(enum photo_kind kind, const uint8_t *d, size_t n, VipsImage **img)
{
    void *buf = (void *)d; /* libvips' loaders take a non-const buffer and only read it */
    switch (kind) {
    case PHOTO_JPEG:
        return vips_jpegload_buffer(buf, n, img, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    case PHOTO_PNG:
        return vips_pngload_buffer(buf, n, img, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    case PHOTO_WEBP:
        return vips_webpload_buffer(buf, n, img, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    }
    return -1;
}

/* Shrinks n bytes of an image to at most px on the long side, upright, in sRGB, without alpha. */
static int shrink(const uint8_t *d, size_t n, int px, VipsImage **out)
{
    VipsImage *t = NULL;
    if (vips_thumbnail_buffer((void *)d, n, &t, px, "height", px, "size", VIPS_SIZE_DOWN,
                              "option_string", "fail_on=error", NULL) != 0)
        return -1;
    if (!vips_image_hasalpha(t)) {
        *out = t;
        return 0;
    }
    double white[3] = {255, 255, 255};
    int bands = vips_image_get_bands(t) - 1;
    VipsArrayDouble *bg = vips_array_double_new(white, bands < 3 ? bands : 3);
    int rc = vips_flatten(t, out, "background", bg, NULL);
    vips_area_unref(VIPS_AREA(bg));
    g_object_unref(t);
    return rc;
}

/* Encodes img as a JPEG without metadata into a malloc'd copy (libvips' own buffer freed). */
static tz_err encode(VipsImage *img, uint8_t **out, size_t *len, int *w, int *h)
{
    void *buf = NULL;
    size_t n = 0;
    if (vips_jpegsave_buffer(img, &buf, &n, "Q", 85, "strip", TRUE, "optimize_coding", TRUE,
                             NULL) != 0)
        return TZ_EINVAL;
    *out = malloc(n);
    if (*out)
        memcpy(*out, buf, n);
    g_free(buf);
    if (!*out)
        return TZ_ENOMEM;
    *len = n;
    *w = vips_image_get_width(img);
    *h = vips_image_get_height(img);
    return TZ_OK;
}

/* Decodes d (checked, within bounds) and encodes both sizes into out. */
static tz_err reencode(const uint8_t *d, size_t n, struct tz_photo *out)
{
    VipsImage *full = NULL, *thumb = NULL;
    tz_err err = TZ_EINVAL;
    if (shrink(d, n, TZ_PHOTO_FULL_PX, &full) != 0)
        goto done;
    if ((err = encode(full, &out->full, &out->full_len, &out->width, &out->height)))
        goto done;
    err = TZ_EINVAL;
    if (shrink(out->full, out->full_len, TZ_PHOTO_THUMB_PX, &thumb) != 0)
        goto done;
    err = encode(thumb, &out->thumb, &out->thumb_len, &out->thumb_width, &out->thumb_height);
done:
    if (thumb)
        g_object_unref(thumb);
    if (full)
        g_object_unref(full);
    return err;
}

tz_err tz_photo_process(const uint8_t *data, size_t n, struct tz_photo *out, const char **why)
{
    memset(out, 0, sizeof *out);
    *why = NULL;
    if (n > TZ_PHOTO_MAX_BYTES) {
        *why = "the photo is larger than 5 MB";
        return TZ_ETOOBIG;
    }
    enum photo_kind kind;
    tz_err err = photo_check(data, n, &kind, why);
    if (err)
        return err;
    if ((err = tz_photo_init()))
        return err;
    VipsImage *head = NULL;
    if (open_header(kind, data, n, &head) != 0) {
        vips_error_clear();
        *why = "the image cannot be read: malformed or truncated";
        return TZ_EINVAL;
    }
    long long w = vips_image_get_width(head), h = vips_image_get_height(head);
    g_object_unref(head);
    if (w < 1 || h < 1 || w > TZ_PHOTO_MAX_SIDE || h > TZ_PHOTO_MAX_SIDE ||
        w * h > TZ_PHOTO_MAX_PIXELS) {
        *why = "the image has more than 40 megapixels (a decompression bomb?)";
        return TZ_EINVAL;
    }
    err = reencode(data, n, out);
    if (err) {
        vips_error_clear();
        tz_photo_clear(out);
        if (err == TZ_EINVAL)
            *why = "the image cannot be decoded: malformed or truncated";
    }
    return err;
}
