/*
 * multipart.c - multipart/form-data bodies (RFC 7578 over RFC 2046), read for the Open311 POST
 * with photos: the text fields become the same key/value pairs as an urlencoded form
 * (http_form), the file parts named "media" are handed over as bytes pointing into the body. The
 * body is hostile: the boundary is checked, every part must be closed by the next delimiter,
 * the part headers are bounded, the names are bounded, a text value may not hold a NUL, and the
 * parts are bounded in number; anything else is TZ_EMALFORMED and nothing is kept.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/internal.h"

#define BOUNDARY_MAX 70       /* RFC 2046 5.1.1 */
#define PART_HEADERS_MAX 2048 /* bytes of one part's header block */
#define NAME_MAX_LEN 64       /* bytes of a field's name */

/* One part, as found: its name, whether it is a file, and its content (into the body). */
struct part {
    char name[NAME_MAX_LEN + 1];
    const char *data;
    size_t len;
};

bool http_is_multipart_form(const char *type)
{
    static const char media[] = "multipart/form-data";
    size_t n = sizeof media - 1;
    return type && strncasecmp(type, media, n) == 0 &&
           (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

/* The boundary parameter of a multipart/form-data Content-Type (quoted or not); false if none. */
static bool boundary_of(const char *type, char *out)
{
    if (!http_is_multipart_form(type))
        return false;
    const char *p = type + strlen("multipart/form-data");
    while (*p) {
        while (*p == ';' || *p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "boundary=", 9) != 0) {
            p = strchr(p, ';');
            if (!p)
                return false;
            continue;
        }
        p += 9;
        bool quoted = *p == '"';
        p += quoted;
        size_t n = 0;
        while (p[n] && (quoted ? p[n] != '"' : (p[n] != ';' && p[n] != ' ')))
            n++;
        if (n == 0 || n > BOUNDARY_MAX || (quoted && p[n] != '"'))
            return false;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[i];
            if (c < 0x20 || c > 0x7E)
                return false;
        }
        memcpy(out, p, n);
        out[n] = '\0';
        return true;
    }
    return false;
}

/* The value of param (name, filename) in a Content-Disposition line (n bytes): quoted text. */
static bool disposition_param(const char *line, size_t n, const char *param, char *out, size_t size)
{
    size_t plen = strlen(param);
    for (size_t i = 0; i + plen + 2 <= n; i++) {
        bool at_start = line[i - (i > 0)] == ';' || line[i - (i > 0)] == ' ' || i == 0;
        if (!at_start || strncasecmp(line + i, param, plen) != 0 || line[i + plen] != '=' ||
            line[i + plen + 1] != '"')
            continue;
        const char *v = line + i + plen + 2;
        const char *end = memchr(v, '"', n - (size_t)(v - line));
        if (!end || (size_t)(end - v) >= size)
            return false;
        memcpy(out, v, (size_t)(end - v));
        out[end - v] = '\0';
        return true;
    }
    return false;
}

/* Reads a part's header block (h, n bytes, CRLF-separated lines) for its name. */
static bool read_part_headers(const char *h, size_t n, struct part *p)
{
    static const char cd[] = "content-disposition:";
    bool named = false;
    for (size_t i = 0; i < n;) {
        const char *eol = memchr(h + i, '\r', n - i);
        size_t len = eol ? (size_t)(eol - (h + i)) : n - i;
        const char *line = h + i;
        if (memchr(line, '\0', len) || memchr(line, '\n', len))
            return false;
        if (len > sizeof cd - 1 && strncasecmp(line, cd, sizeof cd - 1) == 0) {
            const char *v = line + sizeof cd - 1;
            size_t vn = len - (sizeof cd - 1);
            while (vn && *v == ' ') {
                v++;
                vn--;
            }
            if (named || vn < 9 || strncasecmp(v, "form-data", 9) != 0)
                return false; /* twice, or not form-data */
            named = disposition_param(v, vn, "name", p->name, sizeof p->name) && p->name[0];
            if (!named)
                return false;
        }
        i += len + 2; /* the CRLF after the line (checked by the caller's split) */
    }
    return named;
}

/* Finds every part of body; false for a body that is not well-formed multipart. */
static bool split(const char *boundary, const char *body, size_t len, struct part *parts,
                  size_t max, size_t *count)
{
    char delim[BOUNDARY_MAX + 5];
    size_t dn = (size_t)snprintf(delim, sizeof delim, "\r\n--%s", boundary);
    /* The body starts with the first delimiter (without its CRLF): no preamble. */
    if (len < dn - 2 || memcmp(body, delim + 2, dn - 2) != 0)
        return false;
    size_t i = dn - 2;
    *count = 0;
    for (;;) {
        if (len - i >= 2 && body[i] == '-' && body[i + 1] == '-')
            return len - i == 2 || (len - i == 4 && body[i + 2] == '\r' && body[i + 3] == '\n');
        if (len - i < 2 || body[i] != '\r' || body[i + 1] != '\n' || *count >= max)
            return false;
        i += 2;
        const char *hend = memmem(body + i, len - i, "\r\n\r\n", 4);
        if (!hend || (size_t)(hend - (body + i)) > PART_HEADERS_MAX)
            return false;
        struct part *p = &parts[*count];
        memset(p, 0, sizeof *p);
        if (!read_part_headers(body + i, (size_t)(hend - (body + i)), p))
            return false;
        i = (size_t)(hend - body) + 4;
        const char *next = memmem(body + i, len - i, delim, dn);
        if (!next)
            return false; /* a part not closed: truncated */
        p->data = body + i;
        p->len = (size_t)(next - (body + i));
        (*count)++;
        i = (size_t)(next - body) + dn;
    }
}

tz_err http_multipart_parse(const char *content_type, const char *body, size_t len,
                            struct http_multipart *out)
{
    memset(out, 0, sizeof *out);
    char boundary[BOUNDARY_MAX + 1];
    enum { PARTS_MAX = HTTP_FORM_PARAMS_MAX + HTTP_MULTIPART_FILES_MAX };
    struct part *parts = calloc(PARTS_MAX, sizeof *parts);
    if (!parts)
        return TZ_ENOMEM;
    size_t n = 0, text = 0;
    tz_err err = TZ_OK;
    if (!boundary_of(content_type, boundary) || !split(boundary, body, len, parts, PARTS_MAX, &n))
        err = TZ_EMALFORMED;
    for (size_t i = 0; i < n && !err; i++) {
        if (strcmp(parts[i].name, "media") == 0)
            continue;
        if (memchr(parts[i].data, '\0', parts[i].len) || out->form.count >= HTTP_FORM_PARAMS_MAX)
            err = memchr(parts[i].data, '\0', parts[i].len) ? TZ_EMALFORMED : TZ_ETOOBIG;
        else
            out->form.count++;
        text += strlen(parts[i].name) + parts[i].len + 2;
    }
    if (!err && !(out->form.text = malloc(text + 1)))
        err = TZ_ENOMEM;
    char *o = out->form.text;
    size_t k = 0;
    for (size_t i = 0; i < n && !err; i++) {
        if (strcmp(parts[i].name, "media") == 0) {
            out->files_seen++;
            if (out->file_count < HTTP_MULTIPART_FILES_MAX) {
                out->files[out->file_count].data = (const uint8_t *)parts[i].data;
                out->files[out->file_count].len = parts[i].len;
                out->file_count++;
            }
            continue;
        }
        size_t nl = strlen(parts[i].name);
        out->form.params[k].key = memcpy(o, parts[i].name, nl + 1);
        o += nl + 1;
        out->form.params[k].value = memcpy(o, parts[i].data, parts[i].len);
        o[parts[i].len] = '\0';
        o += parts[i].len + 1;
        k++;
    }
    free(parts);
    if (err)
        http_multipart_free(out);
    return err;
}

void http_multipart_free(struct http_multipart *m)
{
    http_form_free(&m->form);
    memset(m, 0, sizeof *m);
}
