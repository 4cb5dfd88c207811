/*
 * internal.h - what the photo module's files share: the container check that
 * runs before any decoder sees the bytes (check.c).
 */
#ifndef TZ_PHOTO_INTERNAL_H
#define TZ_PHOTO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum photo_kind { PHOTO_JPEG, PHOTO_PNG, PHOTO_WEBP };

/*
 * Names the format of n bytes by its magic and checks its container: the
 * file starts with the format's signature and ends exactly where the format
 * says it ends (a JPEG's end-of-image marker, a PNG's IEND chunk reached
 * chunk by chunk, a WebP's RIFF length), and holds no second file (a ZIP's
 * directory, HTML or script markup). TZ_EINVAL with *why otherwise.
 */
tz_err photo_check(const uint8_t *d, size_t n, enum photo_kind *kind, const char **why);

#endif
