/*
 * check.c - the container of a photo, checked before any decoder sees it.
 *
 * A polyglot is one file that two programs read as two things: a JPEG that
 * is also a ZIP archive (its directory at the end), a PNG followed by a
 * script, a GIFAR. Re-encoding already means that what tarcza keeps and
 * serves is never one, but a reporter who sends one is refused with the
 * reason, and nothing of it is stored: the format is named by its magic
 * bytes, the file must end exactly where that format ends, and it may not
 * hold a ZIP's end-of-directory record that reaches its last byte or HTML
 * or script markup. HEIC and AVIF are named so that the refusal can say why
 * (Debian's libvips is built without libheif).
 */
#include <stdbool.h>
#include <string.h>

#include "photo/internal.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Whether a PNG's chunks, walked from the signature, end with IEND at the last byte. */
static bool png_ends_right(const uint8_t *d, size_t n)
{
    size_t at = 8;
    for (size_t chunks = 0; chunks < n / 12 + 1 && n - at >= 12; chunks++) {
        uint32_t len = be32(d + at);
        if (len > 0x7fffffffu || len > n - at - 12)
            return false; /* truncated, or a length past the file */
        bool iend = memcmp(d + at + 4, "IEND", 4) == 0;
        at += 12 + (size_t)len;
        if (iend)
            return at == n;
    }
    return false;
}

/* Whether d holds an ISO BMFF file of a HEIF brand (HEIC, AVIF). */
static bool is_heif(const uint8_t *d, size_t n)
{
    static const char *const brands[] = {"heic", "heix", "hevc", "hevx", "heim",
                                         "heis", "mif1", "msf1", "avif", "avis"};
    if (n < 12 || memcmp(d + 4, "ftyp", 4) != 0)
        return false;
    for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++)
        if (memcmp(d + 8, brands[i], 4) == 0)
            return true;
    return false;
}

/* Whether a ZIP end-of-central-directory record ends exactly at the last byte (its comment
 * included): what a ZIP reader looks for from the end of a file. */
static bool has_zip_directory(const uint8_t *d, size_t n)
{
    if (n < 22)
        return false;
    size_t lowest = n - 22 > 0xffff ? n - 22 - 0xffff : 0; /* the comment is at most 64 KiB */
    for (size_t p = n - 22 + 1; p-- > lowest;) {
        if (d[p] == 'P' && d[p + 1] == 'K' && d[p + 2] == 5 && d[p + 3] == 6 &&
            (size_t)(d[p + 20] | d[p + 21] << 8) == n - p - 22)
            return true;
    }
    return false;
}

/* Whether d holds markup a browser would run or render (case-insensitive). Only tags long enough
 * that compressed pixels do not spell them by chance (a 5 MB photo holds some 20,000 '<'). */
static bool has_markup(const uint8_t *d, size_t n)
{
    static const char *const tags[] = {"<script", "<html", "<?php", "<iframe"};
    for (const uint8_t *p = d; (p = memchr(p, '<', n - (size_t)(p - d))) != NULL; p++) {
        size_t left = n - (size_t)(p - d);
        for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
            size_t len = strlen(tags[t]);
            if (left < len)
                continue;
            size_t k = 1;
            while (k < len && (p[k] | 0x20) == tags[t][k])
                k++;
            if (k == len)
                return true;
        }
    }
    return false;
}

tz_err photo_check(const uint8_t *d, size_t n, enum photo_kind *kind, const char **why)
{
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n == 0) {
        *why = "the photo is empty";
        return TZ_EINVAL;
    }
    if (n >= 4 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff) {
        *kind = PHOTO_JPEG;
        if (d[n - 2] != 0xff || d[n - 1] != 0xd9) {
            *why = "the JPEG does not end where a JPEG ends: truncated, or another file follows it"
                   " (a motion photo or a polyglot)";
            return TZ_EINVAL;
        }
    } else if (n >= 8 && memcmp(d, png_sig, 8) == 0) {
        *kind = PHOTO_PNG;
        if (!png_ends_right(d, n)) {
            *why = "the PNG does not end with its IEND chunk: truncated, or another file follows"
                   " it (a polyglot)";
            return TZ_EINVAL;
        }
    } else if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0) {
        *kind = PHOTO_WEBP;
        if ((uint64_t)le32(d + 4) + 8 != n) {
            *why = "the WebP's length does not match the file: truncated, or another file"
                   " follows it (a polyglot)";
            return TZ_EINVAL;
        }
    } else if (is_heif(d, n)) {
        *why = "HEIC and AVIF photos cannot be read here (the server's libvips is built without"
               " them); send JPEG, PNG or WebP";
        return TZ_EINVAL;
    } else {
        *why = "not a JPEG, PNG or WebP image";
        return TZ_EINVAL;
    }
    if (has_zip_directory(d, n) || has_markup(d, n)) {
        *why = "the image holds another file (a ZIP archive or web markup): a polyglot";
        return TZ_EINVAL;
    }
    return TZ_OK;
}
