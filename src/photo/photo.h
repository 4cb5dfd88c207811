/*
 * photo.h - a citizen's photo made safe to keep and to show (issue 19).
 *
 * What a reporter sends is hostile bytes. tz_photo_process checks them
 * (size, format by its magic bytes, nothing before or after the image: no
 * polyglot, the header's dimensions before any pixel is decoded: no
 * decompression bomb), decodes them with libvips in its untrusted-input mode
 * (only the JPEG, PNG and WebP loaders, every loader libvips marks untrusted
 * blocked, the operation cache off) and encodes the pixels anew as two
 * baseline JPEGs, a display size (at most TZ_PHOTO_FULL_PX on the long side)
 * and a thumbnail (TZ_PHOTO_THUMB_PX), upright (the EXIF orientation applied)
 * and in sRGB. The output carries no metadata at all: EXIF, GPS, XMP, IPTC,
 * ICC profiles and comments stay behind with the input, which is never kept.
 *
 * A library like geo: it knows no store, no wire format and no report.
 */
#ifndef TZ_PHOTO_PHOTO_H
#define TZ_PHOTO_PHOTO_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define TZ_PHOTO_MAX_BYTES (5u * 1024 * 1024) /* bytes of one photo as sent */
#define TZ_PHOTO_MAX_PIXELS 40000000ll        /* width x height of one photo as sent */
#define TZ_PHOTO_MAX_SIDE 30000               /* pixels on either side, whatever the area */
#define TZ_PHOTO_FULL_PX 1600                 /* the long side of the display size, at most */
#define TZ_PHOTO_THUMB_PX 320                 /* the long side of the thumbnail, at most */

/* What is kept of a photo: two JPEGs without metadata (free with tz_photo_clear). */
struct tz_photo {
    uint8_t *full; /* the display size */
    size_t full_len;
    int width, height;
    uint8_t *thumb; /* the thumbnail */
    size_t thumb_len;
    int thumb_width, thumb_height;
};

/*
 * Makes libvips ready for hostile input (once per process; tz_photo_process calls it too).
 * TZ_ENOMEM when libvips cannot start.
 */
tz_err tz_photo_init(void);

/*
 * Checks n bytes of a photo and encodes them anew into *out. TZ_ETOOBIG over
 * TZ_PHOTO_MAX_BYTES; TZ_EINVAL for anything refused, with *why (static text
 * for the reporter) naming the reason: empty, not JPEG, PNG or WebP, HEIC
 * (which this libvips cannot read), data before or after the image or another
 * file inside it (a polyglot), too many pixels (a decompression bomb),
 * malformed or truncated; TZ_ENOMEM. On any error *out holds nothing.
 * Thread-safe.
 */
tz_err tz_photo_process(const uint8_t *data, size_t n, struct tz_photo *out, const char **why);

/* Releases what p owns and zeroes it. Safe on a zeroed struct. */
void tz_photo_clear(struct tz_photo *p);

#endif
