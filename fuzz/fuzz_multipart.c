/*
 * fuzz_multipart.c - libFuzzer harness of the Open311 POST's multipart/form-data reader
 * (http_multipart_parse, issue 19: photos as "media" file parts). The input is a body, any
 * bytes, read with a fixed boundary.
 *
 * What must hold, beyond "no crash, no undefined behaviour":
 *   - a body that is read has at most HTTP_FORM_PARAMS_MAX text fields and at most
 *     HTTP_MULTIPART_FILES_MAX files kept (of files_seen);
 *   - every file lies inside the body, and every text field is a NUL-free copy no longer
 *     than the body;
 *   - writing the fields and files back as multipart with the same boundary and reading that
 *     again gives the very same fields and files.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "http/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TYPE "multipart/form-data; boundary=XyZ"

static size_t put(char *out, const char *s, size_t n)
{
    memcpy(out, s, n);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    struct http_multipart m, again;
    tz_err err = http_multipart_parse(TYPE, body, size, &m);
    if (err) {
        FUZZ_CHECK(err == TZ_EMALFORMED || err == TZ_ETOOBIG || err == TZ_ENOMEM, "err %d", err);
        http_multipart_free(&m);
        return 0;
    }
    FUZZ_CHECK(m.form.count <= HTTP_FORM_PARAMS_MAX, "%zu fields", m.form.count);
    FUZZ_CHECK(m.file_count <= HTTP_MULTIPART_FILES_MAX && m.file_count <= m.files_seen,
               "%zu files of %zu", m.file_count, m.files_seen);
    size_t cap = 2 * size + 256 * (m.form.count + m.file_count) + 64;
    char *out = malloc(cap);
    FUZZ_CHECK(out != NULL, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < m.form.count; i++) {
        const char *k = m.form.params[i].key, *v = m.form.params[i].value;
        FUZZ_CHECK(strlen(k) + strlen(v) <= size, "field %zu longer than the body", i);
        FUZZ_CHECK(strchr(k, '"') == NULL, "a quote in name %zu", i);
        n += (size_t)snprintf(out + n, cap - n,
                              "--XyZ\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n", k);
        n += put(out + n, v, strlen(v));
        n += put(out + n, "\r\n", 2);
    }
    for (size_t i = 0; i < m.file_count; i++) {
        const uint8_t *f = m.files[i].data;
        FUZZ_CHECK(f >= data && f + m.files[i].len <= data + size, "file %zu outside the body", i);
        n += put(out + n, "--XyZ\r\nContent-Disposition: form-data; name=\"media\"\r\n\r\n", 55);
        n += put(out + n, (const char *)f, m.files[i].len);
        n += put(out + n, "\r\n", 2);
    }
    n += put(out + n, "--XyZ--", 7);
    err = http_multipart_parse(TYPE, out, n, &again);
    FUZZ_CHECK(err == TZ_OK, "the written-back body does not read: %d", err);
    FUZZ_CHECK(again.form.count == m.form.count && again.file_count == m.file_count,
               "%zu fields and %zu files came back as %zu and %zu", m.form.count, m.file_count,
               again.form.count, again.file_count);
    for (size_t i = 0; i < m.form.count; i++)
        FUZZ_CHECK(strcmp(m.form.params[i].key, again.form.params[i].key) == 0 &&
                       strcmp(m.form.params[i].value, again.form.params[i].value) == 0,
                   "field %zu changed on the way back", i);
    for (size_t i = 0; i < m.file_count; i++)
        FUZZ_CHECK(m.files[i].len == again.files[i].len &&
                       memcmp(m.files[i].data, again.files[i].data, m.files[i].len) == 0,
                   "file %zu changed on the way back", i);
    http_multipart_free(&again);
    http_multipart_free(&m);
    free(out);
    return 0;
}
