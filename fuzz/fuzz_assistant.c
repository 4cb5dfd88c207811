/*
 * fuzz_assistant.c - libFuzzer harness of the assistant's extractors
 * (tz_assist_analyse) and its redactions. The input is the text, any bytes;
 * the first byte, when there is one, also picks a reference date (or none).
 *
 * What must hold, beyond "no crash, no undefined behaviour":
 *   - invalid UTF-8 or a NUL is refused (TZ_EMALFORMED), valid text answered;
 *   - entities are in order, do not overlap, and each span lies in the text on
 *     character boundaries, in bytes and in code points that agree;
 *   - every value is valid UTF-8 and NUL-terminated within its buffer;
 *   - the redacted text is valid UTF-8 and no longer than the text plus the
 *     placeholders;
 *   - the extractive summary (summary.h) answers as the extractors do, keeps
 *     sentences in the text's order, each a non-empty span on character
 *     boundaries whose code points agree with its bytes.
 */
#include <string.h>

#include "assistant/assistant.h"
#include "assistant/summary.h"
#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t chars_before(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static void check_entities(const char *s, size_t size, const struct tz_assist_result *r)
{
    size_t prev_end = 0;
    for (size_t i = 0; i < r->count; i++) {
        const struct tz_entity *e = &r->items[i];
        FUZZ_CHECK(e->start < e->end && e->end <= size, "span [%zu,%zu) of %zu", e->start, e->end,
                   size);
        FUZZ_CHECK(e->start >= prev_end, "entity %zu overlaps the one before", i);
        FUZZ_CHECK(((unsigned char)s[e->start] & 0xC0) != 0x80, "start inside a character");
        FUZZ_CHECK(e->end == size || ((unsigned char)s[e->end] & 0xC0) != 0x80,
                   "end inside a character");
        FUZZ_CHECK(e->cstart == chars_before(s, e->start) && e->cend == chars_before(s, e->end),
                   "code points [%zu,%zu) disagree with bytes [%zu,%zu)", e->cstart, e->cend,
                   e->start, e->end);
        size_t vn = strnlen(e->value, sizeof e->value);
        FUZZ_CHECK(vn < sizeof e->value && fuzz_utf8_valid(e->value, vn), "value not UTF-8");
        FUZZ_CHECK(e->confidence > 0 && e->confidence <= 1, "confidence %f", e->confidence);
        prev_end = e->end;
    }
}

static void check_summary(const char *s, size_t size, tz_err expected)
{
    struct tz_summary sum;
    tz_err err = tz_summary_extract(s, size, (size % 7), &sum);
    FUZZ_CHECK(err == expected, "summary: %s, the extractors: %s", tz_err_str(err),
               tz_err_str(expected));
    for (size_t i = 0; !err && i < sum.count; i++) {
        const struct tz_summary_sentence *x = &sum.items[i];
        FUZZ_CHECK(x->start < x->end && x->end <= size, "sentence [%zu,%zu)", x->start, x->end);
        FUZZ_CHECK(i == 0 || x->index > sum.items[i - 1].index, "sentences out of order");
        FUZZ_CHECK(((unsigned char)s[x->start] & 0xC0) != 0x80, "sentence starts in a character");
        FUZZ_CHECK(x->end == size || ((unsigned char)s[x->end] & 0xC0) != 0x80,
                   "sentence ends in a character");
        FUZZ_CHECK(x->cstart == chars_before(s, x->start) && x->cend == chars_before(s, x->end),
                   "sentence code points disagree with bytes");
    }
    tz_summary_clear(&sum);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct tz_assist_request req = {.text = s, .len = size};
    if (size > 0 && data[0] % 3 == 1)
        req.reference = 1773316800; /* 2026-03-12 */
    struct tz_assist_result r = {0};
    tz_err err = tz_assist_analyse(&req, &r);
    bool valid = fuzz_utf8_valid(s, size) && !memchr(s, 0, size);
    if (size > TZ_ASSIST_TEXT_MAX)
        FUZZ_CHECK(err == TZ_ETOOBIG, "%zu bytes: %s", size, tz_err_str(err));
    else if (!valid)
        FUZZ_CHECK(err == TZ_EMALFORMED, "invalid text answered: %s", tz_err_str(err));
    else
        FUZZ_CHECK(err == TZ_OK, "valid text refused: %s", tz_err_str(err));
    if (!err) {
        check_entities(s, size, &r);
        struct tz_redactions d = {0};
        if (tz_assist_redactions(&req, &r, &d) == TZ_OK)
            FUZZ_CHECK(fuzz_utf8_valid(d.text, d.len) && d.len <= size + 16 * r.count,
                       "redacted text");
        tz_redactions_clear(&d);
    }
    tz_assist_result_clear(&r);
    check_summary(s, size, err);
    return 0;
}
