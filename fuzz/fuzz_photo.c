/*
 * fuzz_photo.c - libFuzzer harness of photo/photo.h: the container check and
 * the libvips decoders behind it (JPEG, PNG, WebP in the untrusted mode), and
 * the encoder of what they gave, over any bytes.
 *
 * What must hold, beyond "no crash, no undefined behaviour, no leak":
 *   - a refusal is TZ_EINVAL (or TZ_ETOOBIG past 5 MB) with a reason, and
 *     leaves nothing in the output;
 *   - an accepted photo is two JPEGs (SOI first, EOI last) within the bounds
 *     (at most 1600 and 320 pixels on the long side, at least one), holding
 *     none of the input's metadata: no APP1 (EXIF, XMP) segment, no ICC
 *     profile, no comment;
 *   - and an accepted photo's display size, given back, is accepted again.
 *
 * libvips itself is not instrumented (Debian's build): its crashes still show
 * as signals, and what it hands back is checked here.
 */
#include <string.h>

#include "check.h"
#include "photo/photo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether d is a JPEG with no APP1..APP15 nor COM segment before its scan. */
static bool bare_jpeg(const uint8_t *d, size_t n)
{
    if (n < 4 || d[0] != 0xff || d[1] != 0xd8 || d[n - 2] != 0xff || d[n - 1] != 0xd9)
        return false;
    size_t at = 2;
    while (at + 4 <= n && d[at] == 0xff) {
        uint8_t marker = d[at + 1];
        if (marker == 0xda) /* start of scan: the headers are over */
            return true;
        if ((marker >= 0xe1 && marker <= 0xef) || marker == 0xfe)
            return false;
        at += 2 + ((size_t)d[at + 2] << 8 | d[at + 3]);
    }
    return false;
}

static void check_photo(const struct tz_photo *p)
{
    FUZZ_CHECK(p->full && p->thumb, "an accepted photo has both sizes");
    FUZZ_CHECK(p->width >= 1 && p->height >= 1 && p->width <= TZ_PHOTO_FULL_PX &&
                   p->height <= TZ_PHOTO_FULL_PX,
               "display size %dx%d", p->width, p->height);
    FUZZ_CHECK(p->thumb_width >= 1 && p->thumb_height >= 1 && p->thumb_width <= TZ_PHOTO_THUMB_PX &&
                   p->thumb_height <= TZ_PHOTO_THUMB_PX,
               "thumbnail %dx%d", p->thumb_width, p->thumb_height);
    FUZZ_CHECK(bare_jpeg(p->full, p->full_len), "the display size carries metadata");
    FUZZ_CHECK(bare_jpeg(p->thumb, p->thumb_len), "the thumbnail carries metadata");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tz_photo p;
    const char *why = NULL;
    tz_err err = tz_photo_process(data, size, &p, &why);
    if (err) {
        FUZZ_CHECK(err == TZ_EINVAL || err == TZ_ETOOBIG || err == TZ_ENOMEM, "err %d", err);
        FUZZ_CHECK(err == TZ_ENOMEM || (why && why[0]), "a refusal without a reason");
        FUZZ_CHECK(!p.full && !p.thumb, "a refusal left output");
        return 0;
    }
    check_photo(&p);
    struct tz_photo again;
    err = tz_photo_process(p.full, p.full_len, &again, &why);
    FUZZ_CHECK(err == TZ_OK, "the display size is refused: %s", why ? why : "");
    check_photo(&again);
    tz_photo_clear(&again);
    tz_photo_clear(&p);
    return 0;
}
