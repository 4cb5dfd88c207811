/*
 * import.c - `tarcza import-addresses`: the register's CSV read record by
 * record (RFC 4180: fields in double quotes may hold commas, quotes doubled
 * and line breaks; CR LF or LF ends a record), each record checked, the ones
 * taken streamed into one store transaction and the refused ones reported
 * with their line. Written here rather than with a CSV library because
 * Debian's (libcsv) stops at the first error, and the import must say, line
 * by line, which records it refused and go on.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address/internal.h"
#include "base/num.h"

#define FIELDS 6
static const char HEADER[] = "locality,street,number,postcode,lon,lat";

/* One record as read: its fields point into text. */
struct record {
    char text[TZ_ADDRESS_FILE_LINE_MAX + 1];
    size_t len;
    size_t start[FIELDS + 1], flen[FIELDS + 1];
    size_t fields;
    const char *bad; /* why it cannot be a record (NULL: it parsed) */
};

struct reader {
    FILE *f;
    size_t line; /* of the record being read */
    size_t next_line;
    struct record rec;
    struct tz_address_import_report *rep;
    tz_err err;      /* an allocation failed */
    char fields[96]; /* the audit entry's counts, written when the file ends */
};

/* Notes a refused line; only the first TZ_ADDRESS_REFUSALS_KEPT are kept. */
static void refuse(struct reader *r, const char *why)
{
    struct tz_address_import_report *rep = r->rep;
    rep->refused++;
    if (rep->count >= TZ_ADDRESS_REFUSALS_KEPT)
        return;
    if (!rep->items && !(rep->items = calloc(TZ_ADDRESS_REFUSALS_KEPT, sizeof *rep->items))) {
        r->err = TZ_ENOMEM;
        return;
    }
    struct tz_address_refusal *x = &rep->items[rep->count++];
    x->line = r->line;
    snprintf(x->reason, sizeof x->reason, "%s", why);
}

/* Appends c to the record's text (or marks it too long). */
static void put(struct record *rec, int c)
{
    if (rec->len < TZ_ADDRESS_FILE_LINE_MAX)
        rec->text[rec->len++] = (char)c;
    else
        rec->bad = "the line is longer than 1024 bytes";
}

/* Ends the field being read; more than FIELDS marks the record. */
static void end_field(struct record *rec, size_t *fstart)
{
    if (rec->fields < FIELDS + 1) {
        rec->start[rec->fields] = *fstart;
        rec->flen[rec->fields] = rec->len - *fstart;
    }
    rec->fields++;
    put(rec, '\0');
    *fstart = rec->len;
}

/* Reads the next record; false at the end of the file. */
static bool read_record(struct reader *r)
{
    struct record *rec = &r->rec;
    rec->len = rec->fields = 0;
    rec->bad = NULL;
    r->line = r->next_line;
    size_t fstart = 0;
    bool quoted = false, was_quoted = false, any = false;
    int c;
    while ((c = getc(r->f)) != EOF) {
        any = true;
        if (quoted) {
            if (c == '"') {
                int d = getc(r->f);
                if (d == '"') {
                    put(rec, '"');
                    continue;
                }
                quoted = false;
                if (d == EOF)
                    break;
                c = d;
            } else {
                r->next_line += c == '\n';
                put(rec, c);
                continue;
            }
        }
        if (c == '\r') { /* CR LF ends a record as LF does */
            int d = getc(r->f);
            if (d == '\n')
                c = '\n';
            else if (d != EOF)
                ungetc(d, r->f);
        }
        if (c == '"' && rec->len == fstart && !was_quoted) {
            quoted = was_quoted = true;
        } else if (c == ',') {
            end_field(rec, &fstart);
            was_quoted = false;
        } else if (c == '\n') {
            r->next_line++;
            break;
        } else if (was_quoted) {
            rec->bad = "text after a quoted field's closing quote";
        } else {
            put(rec, c);
        }
    }
    if (!any)
        return false;
    if (quoted)
        rec->bad = "a quoted field is not closed";
    end_field(rec, &fstart);
    return true;
}

/* True if the n bytes at s are UTF-8 without control characters. */
static bool clean_text(const char *s, size_t n)
{
    char f[TZ_ADDRESS_FILE_LINE_MAX + 1];
    size_t len;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
            return false;
    return tz_address_fold(s, n, f, sizeof f, &len) == TZ_OK;
}

/* Copies field i into dst (cap bytes); the reason when it does not fit or is not clean. */
static const char *field(const struct record *rec, size_t i, char *dst, size_t cap,
                         const char *name)
{
    static __thread char why[TZ_ADDRESS_REASON_MAX];
    const char *s = rec->text + rec->start[i];
    size_t n = rec->flen[i];
    if (!clean_text(s, n))
        snprintf(why, sizeof why, "%s: not UTF-8 text, or control characters", name);
    else if (n >= cap)
        snprintf(why, sizeof why, "%s: longer than %zu bytes", name, cap - 1);
    else {
        memcpy(dst, s, n);
        dst[n] = '\0';
        return NULL;
    }
    return why;
}

/* A house number: digits first, then letters, digits, '/' or '-' (12, 12a, 7/3, 15-17). */
static bool number_ok(const char *s)
{
    if (s[0] < '0' || s[0] > '9')
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              *s == '/' || *s == '-'))
            return false;
    return true;
}

/* A Polish postcode, NN-NNN, or none. */
static bool postcode_ok(const char *s)
{
    if (!s[0])
        return true;
    for (size_t i = 0; i < 6; i++)
        if (i == 2 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return false;
    return s[6] == '\0';
}

/* Checks the record into out; the reason it is refused, or NULL. */
static const char *check(const struct record *rec, struct tz_address_rec *out)
{
    const char *why;
    memset(out, 0, sizeof *out);
    if (rec->bad)
        return rec->bad;
    if (rec->fields != FIELDS)
        return "not 6 fields (locality, street, number, postcode, lon, lat)";
    if ((why = field(rec, 0, out->locality, sizeof out->locality, "locality")) ||
        (why = field(rec, 1, out->street, sizeof out->street, "street")) ||
        (why = field(rec, 2, out->number, sizeof out->number, "number")) ||
        (why = field(rec, 3, out->postcode, sizeof out->postcode, "postcode")))
        return why;
    if (!out->locality[0])
        return "locality: empty";
    if (!number_ok(out->number))
        return "number: not a house number (12, 12a, 7/3)";
    if (!postcode_ok(out->postcode))
        return "postcode: not NN-NNN";
    if (tz_num_parse_double(rec->text + rec->start[4], rec->flen[4], TZ_ADDRESS_LON_MIN,
                            TZ_ADDRESS_LON_MAX, &out->lon))
        return "lon: not a longitude in Poland (14.10 to 24.16)";
    if (tz_num_parse_double(rec->text + rec->start[5], rec->flen[5], TZ_ADDRESS_LAT_MIN,
                            TZ_ADDRESS_LAT_MAX, &out->lat))
        return "lat: not a latitude in Poland (48.99 to 54.85)";
    return NULL;
}

/* The store's producer: the next record that passes, the refused ones reported on the way. */
static tz_err next(void *ctx, struct tz_address_rec *out)
{
    struct reader *r = ctx;
    while (!r->err && read_record(r)) {
        r->rep->lines++;
        const char *why = check(&r->rec, out);
        if (!why) {
            r->rep->taken++;
            return TZ_OK;
        }
        refuse(r, why);
    }
    if (!r->err && ferror(r->f))
        r->err = TZ_EIO;
    /* The store appends the audit entry after the last record: the counts are final now. */
    snprintf(r->fields, sizeof r->fields, "{\"taken\":%zu,\"refused\":%zu}", r->rep->taken,
             r->rep->refused);
    return r->err ? r->err : TZ_ENOTFOUND;
}

/* Skips a UTF-8 byte order mark at the start of the file (spreadsheets write one). */
static void skip_bom(FILE *f)
{
    int a = getc(f);
    if (a == 0xEF) {
        int b = getc(f), c = getc(f);
        if (b == 0xBB && c == 0xBF)
            return;
        /* Not a mark: the header check refuses the line anyway, so its bytes need not return. */
        return;
    }
    if (a != EOF)
        ungetc(a, f);
}

void tz_address_import_report_free(struct tz_address_import_report *rep)
{
    if (rep) {
        free(rep->items);
        memset(rep, 0, sizeof *rep);
    }
}

tz_err tz_address_import(struct tz_store *store, FILE *f, const struct tz_audit_rec *audit,
                         struct tz_address_import_report *rep)
{
    memset(rep, 0, sizeof *rep);
    struct reader *r = calloc(1, sizeof *r);
    if (!r)
        return TZ_ENOMEM;
    *r = (struct reader){.f = f, .next_line = 1, .rep = rep};
    tz_err err = TZ_OK;
    skip_bom(f);
    bool header = read_record(r) && !r->rec.bad && r->rec.fields == FIELDS;
    for (size_t i = 1; header && i < FIELDS; i++)
        r->rec.text[r->rec.start[i] - 1] = ','; /* the header's fields as one line again */
    if (!header || strcasecmp(r->rec.text, HEADER) != 0) {
        refuse(r, "the header is not locality,street,number,postcode,lon,lat");
        err = r->err ? r->err : TZ_EMALFORMED;
        goto done;
    }
    struct tz_audit_rec a = audit ? *audit : (struct tz_audit_rec){0};
    a.fields = r->fields;
    size_t stored = 0;
    err = tz_store_put_addresses(store, next, r, audit ? &a : NULL, &stored);
    if (err)
        rep->taken = 0; /* nothing of it is stored */
done:
    free(r);
    return err;
}
