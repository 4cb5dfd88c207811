/*
 * attachments.c - what a message's attachments must be: at most
 * TZ_X_ATTACHMENTS of them, each 1 byte to TZ_X_ATTACH_MAX and together at
 * most TZ_X_ATTACH_TOTAL, a name that is text and no path, and content of one
 * of the types of the table below, known by its own first bytes (magic
 * numbers), never by what the sender declared: the declared type must agree.
 * Each attachment's SHA-256 (libsodium) is set here, so that what is stored
 * and what a reader gets can be checked against it.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange/internal.h"
#include "exchange/spoc.h"

/* The types an attachment may be, each known by the bytes it starts with (text: by being
 * UTF-8 text without control characters other than tab and line ends). */
static const struct {
    const char *mime;
    const char *magic;
    size_t magic_len;
} types[] = {
    {"application/pdf", "%PDF-", 5},
    {"image/jpeg", "\xFF\xD8\xFF", 3},
    {"image/png", "\x89PNG\r\n\x1A\n", 8},
    {"text/plain", NULL, 0},
};

/* The media type the bytes are, or NULL for none of the table's. */
static const char *sniff(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (!types[i].magic)
            return tz_x_text_ok((const char *)p, n) ? types[i].mime : NULL;
        if (n >= types[i].magic_len && memcmp(p, types[i].magic, types[i].magic_len) == 0)
            return types[i].mime;
    }
    return NULL;
}

static void hex_sha256(const unsigned char *p, size_t n, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, p, n);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && tz_x_text_ok(s, n) && !strchr(s, '/') && !strchr(s, '\\') &&
           strcmp(s, ".") != 0 && strcmp(s, "..") != 0 && !strpbrk(s, "\t\r\n");
}

static void check_one(struct tz_xattachment *a, size_t i, size_t *total,
                      struct tz_field_errors *errs)
{
    char f[48];
    snprintf(f, sizeof f, "/attachments/%zu/name", i);
    if (!name_ok(a->name))
        tz_fielderr_add(errs, f, "a file's name: text without a path");
    snprintf(f, sizeof f, "/attachments/%zu/data", i);
    if (!a->data || a->size == 0) {
        tz_fielderr_add(errs, f, "required: the file's bytes");
        return;
    }
    if (a->size > TZ_X_ATTACH_MAX) {
        tz_fielderr_add(errs, f, "at most %u bytes", TZ_X_ATTACH_MAX);
        return;
    }
    *total += a->size;
    const char *mime = sniff(a->data, a->size);
    if (!mime) {
        tz_fielderr_add(errs, f, "must be a PDF, JPEG or PNG file or plain UTF-8 text");
        return;
    }
    if (strcmp(mime, a->type) != 0) {
        snprintf(f, sizeof f, "/attachments/%zu/type", i);
        tz_fielderr_add(errs, f, "the content is %s", mime);
        return;
    }
    hex_sha256(a->data, a->size, a->sha256);
}

void tz_x_check_attachments(struct tz_xmsg *m, struct tz_field_errors *errs)
{
    if (m->attachment_count > TZ_X_ATTACHMENTS) {
        tz_fielderr_add(errs, "/attachments", "at most %d attachments", TZ_X_ATTACHMENTS);
        return;
    }
    size_t total = 0;
    for (size_t i = 0; i < m->attachment_count; i++)
        check_one(&m->attachments[i], i, &total, errs);
    if (total > TZ_X_ATTACH_TOTAL)
        tz_fielderr_add(errs, "/attachments", "at most %u bytes together", TZ_X_ATTACH_TOTAL);
}

void tz_xattachment_clear(struct tz_xattachment *a)
{
    free(a->data);
    memset(a, 0, sizeof *a);
}

tz_err tz_exchange_attachment(struct tz_exchange *x, const struct tz_xactor *who, int64_t id,
                              size_t idx, struct tz_xattachment *out)
{
    memset(out, 0, sizeof *out);
    struct tz_xmsg_rec rec = {0};
    /* Who may read it is decided on the message before the read that is audited. */
    tz_err err = tz_store_x_get_message(tz_x_store(x), id, NULL, &rec);
    if (!err)
        err = tz_x_may_read(x, who, &rec);
    tz_store_xmsg_free(&rec);
    if (err)
        return err;
    char object[64];
    snprintf(object, sizeof object, "xattach/%lld/%zu", (long long)id, idx);
    struct tz_audit_rec audit = tz_x_audit(x, who, TZ_AUDIT_EXCHANGE_READ, object);
    struct tz_xattach_blob blob;
    if ((err = tz_store_x_attachment(tz_x_store(x), id, idx, &audit, &blob)))
        return err;
    snprintf(out->name, sizeof out->name, "%s", blob.meta.name);
    snprintf(out->type, sizeof out->type, "%s", blob.meta.type);
    snprintf(out->sha256, sizeof out->sha256, "%s", blob.meta.sha256);
    out->size = blob.meta.size;
    out->data = blob.data; /* ownership passes to out */
    return TZ_OK;
}
