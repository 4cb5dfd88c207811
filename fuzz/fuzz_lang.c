/*
 * fuzz_lang.c - libFuzzer harness of the assistant's text readers: language identification
 * (tz_lang_identify, tz_lang_scripts, tz_lang_paragraphs) and the search fold (tz_search_fold),
 * which read any text an officer pastes or a report carries. The input is the text, any bytes.
 *
 * What must hold, beyond "no crash, no undefined behaviour":
 *   - invalid UTF-8 is TZ_EINVAL for every one of them, valid UTF-8 is read (TZ_OK);
 *   - the language is "" or one of tz_lang_code's, the confidence within 0..1, the script's
 *     letters never more than the text's bytes;
 *   - the paragraphs lie inside the text, in order, without overlapping;
 *   - the fold is words of ASCII lower-case letters and digits, one space between them.
 */
#include <string.h>

#include "assistant/lang.h"
#include "assistant/search.h"
#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_guess(const struct tz_lang_guess *g)
{
    bool known = g->lang[0] == '\0';
    for (size_t i = 0; !known && tz_lang_code(i); i++)
        known = strcmp(tz_lang_code(i), g->lang) == 0;
    FUZZ_CHECK(known, "unknown language %.4s", g->lang);
    FUZZ_CHECK(g->confidence >= 0 && g->confidence <= 1, "confidence %f", g->confidence);
}

static void check_fold(const char *s, size_t n)
{
    struct tz_buf b;
    tz_buf_init(&b, 4 * TZ_SEARCH_FOLD_MAX);
    tz_err err = tz_search_fold(s, n, &b);
    FUZZ_CHECK(err == TZ_OK, "fold: %s", tz_err_str(err));
    for (size_t i = 0; i < b.len; i++) {
        char c = b.data[i];
        bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        FUZZ_CHECK(word || (c == ' ' && i > 0 && i + 1 < b.len && b.data[i - 1] != ' '),
                   "fold byte %zu is 0x%02x in \"%s\"", i, (unsigned char)c, b.data);
    }
    tz_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    bool valid = fuzz_utf8_valid(s, size);
    struct tz_lang_guess g, parts[8];
    struct tz_lang_scripts sc;
    size_t count = 0;

    tz_err err = tz_lang_identify(s, size, &g);
    FUZZ_CHECK(err == (valid ? TZ_OK : TZ_EINVAL), "identify: %s", tz_err_str(err));
    err = tz_lang_scripts(s, size, &sc);
    FUZZ_CHECK(err == (valid ? TZ_OK : TZ_EINVAL), "scripts: %s", tz_err_str(err));
    err = tz_lang_paragraphs(s, size, parts, 8, &count);
    FUZZ_CHECK(err == (valid ? TZ_OK : TZ_EINVAL), "paragraphs: %s", tz_err_str(err));
    if (!valid) {
        struct tz_buf b;
        tz_buf_init(&b, 64);
        FUZZ_CHECK(tz_search_fold(s, size, &b) == TZ_EINVAL, "fold took invalid UTF-8");
        tz_buf_free(&b);
        return 0;
    }
    check_guess(&g);
    FUZZ_CHECK(sc.total <= size, "%zu letters in %zu bytes", sc.total, size);
    size_t end = 0;
    for (size_t i = 0; i < count; i++) {
        check_guess(&parts[i]);
        FUZZ_CHECK(parts[i].offset >= end && parts[i].offset + parts[i].length <= size,
                   "paragraph %zu at %zu+%zu after %zu in %zu", i, parts[i].offset,
                   parts[i].length, end, size);
        end = parts[i].offset + parts[i].length;
    }
    if (size <= TZ_SEARCH_FOLD_MAX)
        check_fold(s, size);
    return 0;
}
