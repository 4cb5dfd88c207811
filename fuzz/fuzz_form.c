/*
 * fuzz_form.c - libFuzzer harness of the Open311 POST body reader
 * (http_form_parse) and of the XML escaping its values go through on the
 * way back to a client (tz_buf_xml_escape). The input is a body, any bytes.
 *
 * What must hold, beyond "no crash, no undefined behaviour":
 *   - a form that is read has at most HTTP_FORM_PARAMS_MAX pairs, and every
 *     key and value decodes to no more bytes than the body has;
 *   - writing the pairs back (percent-encoding every byte that needs it) and
 *     reading that again gives the very same pairs;
 *   - every key and value, escaped for XML, is valid UTF-8 with no markup
 *     character and no control character but tab and line feed, and whatever
 *     it holds, escaping never fails for a value that fits its buffer.
 */
#include <string.h>

#include "base/xml.h"
#include "check.h"
#include "http/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_escaped(const char *s)
{
    struct tz_buf b;
    tz_buf_init(&b, 16 * strlen(s) + 16);
    tz_err err = tz_buf_xml_escape(&b, s, strlen(s));
    FUZZ_CHECK(err == TZ_OK, "escaping failed: %d", err);
    const char *out = b.data ? b.data : "";
    FUZZ_CHECK(fuzz_utf8_valid(out, b.len), "escaped text is not UTF-8");
    for (size_t i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)out[i];
        FUZZ_CHECK(c != '<' && c != '>' && c != '"' && c != '\'', "markup 0x%02x at %zu", c, i);
        FUZZ_CHECK(c >= 0x20 || c == '\t' || c == '\n', "control 0x%02x at %zu", c, i);
        if (c == '&') {
            static const char *const refs[] = {"&amp;",  "&lt;",   "&gt;",
                                               "&quot;", "&apos;", "&#13;"};
            bool ok = false;
            for (size_t k = 0; k < sizeof refs / sizeof refs[0]; k++)
                ok = ok || strncmp(out + i, refs[k], strlen(refs[k])) == 0;
            FUZZ_CHECK(ok, "a bare & at %zu", i);
        }
    }
    tz_buf_free(&b);
}

/* Appends s percent-encoded (every byte but letters and digits). */
static size_t encode(const char *s, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool plain =
            (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
        if (plain) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_form form, again;
    tz_err err = http_form_parse((const char *)data, size, &form);
    if (err) {
        FUZZ_CHECK(err == TZ_EMALFORMED || err == TZ_ETOOBIG || err == TZ_ENOMEM, "err %d", err);
        http_form_free(&form);
        return 0;
    }
    FUZZ_CHECK(form.count <= HTTP_FORM_PARAMS_MAX, "%zu pairs", form.count);
    char *body = malloc(3 * size + 2 * HTTP_FORM_PARAMS_MAX + 1);
    FUZZ_CHECK(body != NULL, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < form.count; i++) {
        FUZZ_CHECK(strlen(form.params[i].key) + strlen(form.params[i].value) <= size,
                   "pair %zu longer than the body", i);
        check_escaped(form.params[i].key);
        check_escaped(form.params[i].value);
        if (!form.params[i].key[0] && !form.params[i].value[0])
            continue; /* "=" reads as an empty pair, which writes back as nothing */
        if (n)
            body[n++] = '&';
        n += encode(form.params[i].key, body + n);
        body[n++] = '=';
        n += encode(form.params[i].value, body + n);
    }
    err = http_form_parse(body, n, &again);
    FUZZ_CHECK(err == TZ_OK, "the written-back form does not read: %d", err);
    size_t k = 0;
    for (size_t i = 0; i < form.count; i++) {
        if (!form.params[i].key[0] && !form.params[i].value[0])
            continue;
        FUZZ_CHECK(k < again.count && strcmp(form.params[i].key, again.params[k].key) == 0 &&
                       strcmp(form.params[i].value, again.params[k].value) == 0,
                   "pair %zu changed on the way back", i);
        k++;
    }
    FUZZ_CHECK(k == again.count, "%zu pairs came back as %zu", k, again.count);
    http_form_free(&again);
    http_form_free(&form);
    free(body);
    return 0;
}
