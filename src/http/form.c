/*
 * form.c - application/x-www-form-urlencoded bodies (the Open311 POST), read
 * into key/value pairs. The body is hostile: the pairs are bounded in number,
 * every escape is checked, and an escaped NUL is refused rather than allowed
 * to cut a value short.
 */
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"

int http_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into out (at most n + 1 bytes, NUL included); false on a bad escape or NUL. */
static bool decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = i + 2 < n ? http_hex_digit(s[i + 1]) : -1;
            int lo = hi >= 0 ? http_hex_digit(s[i + 2]) : -1;
            if (lo < 0)
                return false;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0')
            return false;
        out[o++] = c;
    }
    out[o] = '\0';
    return true;
}

tz_err http_form_parse(const char *body, size_t len, struct http_form *form)
{
    memset(form, 0, sizeof *form);
    /* Each pair decodes to no more bytes than it has, plus a NUL for its key and its value. */
    form->text = malloc(len + 2 * HTTP_FORM_PARAMS_MAX + 2);
    if (!form->text)
        return TZ_ENOMEM;
    char *out = form->text;
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(body + i, '&', len - i);
        size_t n = amp ? (size_t)(amp - (body + i)) : len - i;
        if (n > 0) {
            if (form->count >= HTTP_FORM_PARAMS_MAX)
                return TZ_ETOOBIG;
            const char *eq = memchr(body + i, '=', n);
            size_t kn = eq ? (size_t)(eq - (body + i)) : n;
            size_t k = form->count++;
            form->params[k].key = out;
            if (!decode(body + i, kn, out))
                return TZ_EMALFORMED;
            out += strlen(out) + 1;
            form->params[k].value = out;
            if (!decode(eq ? eq + 1 : "", eq ? n - kn - 1 : 0, out))
                return TZ_EMALFORMED;
            out += strlen(out) + 1;
        }
        i += n + 1;
    }
    return TZ_OK;
}

void http_form_free(struct http_form *form)
{
    free(form->text);
    form->text = NULL;
    form->count = 0;
}
