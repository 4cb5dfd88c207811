/*
 * ids_mrz.c - the machine-readable zone of ICAO 9303 documents (ids.h).
 *
 * The input is cut into its lines, the format told by their count and length
 * (and a visa by its document code 'V'), and each field copied out of a fixed
 * position; the positions are tables, one per format. Every check digit the
 * format has is computed and compared with the one printed; a bad one is
 * reported by field and makes the parse fail with TZ_EINVAL, never pass.
 * Long document numbers of TD1 and TD2 (more than 9 characters: a '<' in the
 * check digit's place, the rest of the number, its check digit and a '<' at
 * the start of the optional data) are joined and checked over the whole
 * number, as ICAO 9303 part 5 note j says.
 *
 * Written here rather than taken from a library: Debian packages no MRZ
 * reader for C, and the rules are a page of tables.
 */
#include <string.h>

#include "screening/ids.h"

#define LINES_MAX 3
#define LINE_MAX 44

struct lines {
    char text[LINES_MAX][LINE_MAX + 1];
    size_t count, len;
    bool folded;
};

/* Where a format keeps its fields: line and column of each, and their lengths. */
struct layout {
    int code_line, issuer_line, names_line, names_col, names_len;
    int num_line, num_col, num_check; /* number: 9 characters, then its digit */
    int data_line;                    /* the line with birth, sex, expiry, nationality */
    int birth_col, sex_col, expiry_col, nat_col;
    int opt1_line, opt1_col, opt1_len; /* optional data 1 */
    int opt2_col, opt2_len;            /* TD1 only: optional data on line 2 (data_line) */
    int opt_check;                     /* TD3: the optional data's digit, else -1 */
    int composite;                     /* column of the composite digit on data_line, or -1 */
    bool long_number;                  /* a long number may continue into opt1 */
};

/* Two-line formats share every place but the optional data's length and their digits. */
#define TWO_LINE(NAMES, OPT, OPT_DIGIT, COMPOSITE, LONG_NUMBER)                                    \
    {                                                                                              \
        .code_line = 0, .issuer_line = 0, .names_line = 0, .names_col = 5, .names_len = NAMES,     \
        .num_line = 1, .num_col = 0, .num_check = 9, .data_line = 1, .birth_col = 13,              \
        .sex_col = 20, .expiry_col = 21, .nat_col = 10, .opt1_line = 1, .opt1_col = 28,            \
        .opt1_len = OPT, .opt_check = OPT_DIGIT, .composite = COMPOSITE,                           \
        .long_number = LONG_NUMBER                                                                 \
    }

static const struct layout LAYOUT[] = {
    [TZ_MRZ_TD1] = {.code_line = 0,
                    .issuer_line = 0,
                    .names_line = 2,
                    .names_col = 0,
                    .names_len = 30,
                    .num_line = 0,
                    .num_col = 5,
                    .num_check = 14,
                    .data_line = 1,
                    .birth_col = 0,
                    .sex_col = 7,
                    .expiry_col = 8,
                    .nat_col = 15,
                    .opt1_line = 0,
                    .opt1_col = 15,
                    .opt1_len = 15,
                    .opt2_col = 18,
                    .opt2_len = 11,
                    .opt_check = -1,
                    .composite = 29,
                    .long_number = true},
    [TZ_MRZ_TD2] = TWO_LINE(31, 7, -1, 35, true),
    [TZ_MRZ_TD3] = TWO_LINE(39, 14, 42, 43, false),
    [TZ_MRZ_MRV_B] = TWO_LINE(31, 8, -1, -1, false),
    [TZ_MRZ_MRV_A] = TWO_LINE(39, 16, -1, -1, false),
};
#undef TWO_LINE

static int char_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    if (c == '<')
        return 0;
    return -1;
}

char tz_mrz_check_digit(const char *s, size_t n)
{
    static const int weight[3] = {7, 3, 1};
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = char_value(s[i]);
        if (v < 0)
            return '\0';
        sum = (sum + v * weight[i % 3]) % 10;
    }
    return (char)('0' + sum);
}

int tz_mrz_full_year(int yy, int this_year, bool birth)
{
    int year = this_year - ((this_year % 100) - yy + 100) % 100; /* latest year <= this_year */
    if (!birth && year + 50 < this_year)
        year += 100; /* an expiry long past is one in the coming century's years */
    return year;
}

const char *tz_mrz_digit_name(enum tz_mrz_digit d)
{
    static const char *const name[TZ_MRZ_DIGIT_COUNT] = {
        [TZ_MRZ_DIGIT_NUMBER] = "document number", [TZ_MRZ_DIGIT_BIRTH] = "date of birth",
        [TZ_MRZ_DIGIT_EXPIRY] = "date of expiry",  [TZ_MRZ_DIGIT_OPTIONAL] = "optional data",
        [TZ_MRZ_DIGIT_COMPOSITE] = "composite",
    };
    return (unsigned)d < TZ_MRZ_DIGIT_COUNT ? name[d] : "unknown";
}

const char *tz_mrz_format_name(enum tz_mrz_format f)
{
    static const char *const name[] = {"TD1", "TD2", "TD3", "MRV-B", "MRV-A"};
    return (unsigned)f < sizeof name / sizeof name[0] ? name[f] : "unknown";
}

/* Adds one line (trailing CR, spaces and tabs dropped; an empty line skipped). */
static tz_err add_line(struct lines *l, const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0)
        return TZ_OK;
    if (l->count == LINES_MAX || n > LINE_MAX || (l->count > 0 && n != l->len))
        return TZ_EMALFORMED;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z') {
            c = (char)(c - 'a' + 'A');
            l->folded = true;
        }
        if (char_value(c) < 0)
            return TZ_EMALFORMED;
        l->text[l->count][i] = c;
    }
    l->text[l->count][n] = '\0';
    l->len = n;
    l->count++;
    return TZ_OK;
}

static size_t trimmed(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n;
}

/* Cuts the input into lines; one line of 90, 72 or 88 is the lines run together. */
static tz_err split_lines(const char *s, size_t n, struct lines *l)
{
    memset(l, 0, sizeof *l);
    n = trimmed(s, n);
    if (!memchr(s, '\n', n)) {
        size_t width = n == 90 ? 30 : n == 72 ? 36 : n == 88 ? 44 : n;
        tz_err err = TZ_OK;
        for (size_t at = 0; at < n && err == TZ_OK; at += width)
            err = add_line(l, s + at, width);
        return err;
    }
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '\n')
            continue;
        tz_err err = add_line(l, s + start, i - start);
        if (err != TZ_OK)
            return err;
        start = i + 1;
    }
    return TZ_OK;
}

static tz_err pick_format(const struct lines *l, enum tz_mrz_format *f)
{
    bool visa = l->count > 0 && l->text[0][0] == 'V';
    if (l->count == 3 && l->len == 30)
        *f = TZ_MRZ_TD1;
    else if (l->count == 2 && l->len == 36)
        *f = visa ? TZ_MRZ_MRV_B : TZ_MRZ_TD2;
    else if (l->count == 2 && l->len == 44)
        *f = visa ? TZ_MRZ_MRV_A : TZ_MRZ_TD3;
    else
        return TZ_EMALFORMED;
    return TZ_OK;
}

/* Copies n characters of src into dst (size cap) without the trailing filler. */
static void copy_field(char *dst, size_t cap, const char *src, size_t n)
{
    while (n > 0 && src[n - 1] == '<')
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Splits the name field at "<<": surname, then given names; '<' becomes a space. */
static void split_names(const char *field, size_t n, struct tz_mrz *out)
{
    out->names_truncated = field[n - 1] != '<';
    size_t cut = n;
    for (size_t i = 0; i + 1 < n; i++) {
        if (field[i] == '<' && field[i + 1] == '<') {
            cut = i;
            break;
        }
    }
    copy_field(out->surname, sizeof out->surname, field, cut);
    size_t from = cut + 2 < n ? cut + 2 : n;
    while (from < n && field[from] == '<')
        from++;
    copy_field(out->given, sizeof out->given, field + from, n - from);
    for (char *p = out->surname; *p; p++)
        *p = *p == '<' ? ' ' : *p;
    for (char *p = out->given; *p; p++)
        *p = *p == '<' ? ' ' : *p;
}

static int two_digits(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Reads YYMMDD; month and day may be "<<" (unknown) where unknown_ok. */
static void read_date(const char *s, bool unknown_ok, struct tz_mrz_date *d)
{
    static const int days[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    memcpy(d->text, s, 6);
    d->text[6] = '\0';
    int yy = two_digits(s), mm = two_digits(s + 2), dd = two_digits(s + 4);
    bool mm_unknown = unknown_ok && s[2] == '<' && s[3] == '<';
    bool dd_unknown = unknown_ok && s[4] == '<' && s[5] == '<';
    d->yy = yy < 0 ? 0 : yy;
    d->mm = mm < 0 ? 0 : mm;
    d->dd = dd < 0 ? 0 : dd;
    d->valid = yy >= 0 && (mm_unknown ? dd_unknown : mm >= 1 && mm <= 12);
    if (d->valid && !dd_unknown)
        d->valid =
            dd >= 1 && dd <= days[mm_unknown ? 0 : mm] && !(mm == 2 && dd == 29 && yy % 4 != 0);
}

static void verify(struct tz_mrz *out, enum tz_mrz_digit which, const char *field, size_t n,
                   char found)
{
    struct tz_mrz_digit_result *r = &out->digit[which];
    r->found = found;
    r->expected = tz_mrz_check_digit(field, n);
    r->check = found == r->expected ? TZ_MRZ_CHECK_OK : TZ_MRZ_CHECK_BAD;
    if (r->check == TZ_MRZ_CHECK_BAD)
        out->bad_digits |= 1u << which;
}

/*
 * The document number and its digit. A long number: the number field full, a
 * '<' in the digit's place, and the optional data holding the rest of the
 * number, its check digit and a filler.
 */
static void read_number(const struct lines *l, const struct layout *lay, struct tz_mrz *out)
{
    const char *line = l->text[lay->num_line];
    const char *num = line + lay->num_col;
    char found = line[lay->num_check];
    char whole[TZ_MRZ_NUMBER_MAX];
    size_t len = 9;
    memcpy(whole, num, 9);
    const char *opt = l->text[lay->opt1_line] + lay->opt1_col;
    if (lay->long_number && found == '<' && num[8] != '<') {
        size_t end = 0;
        while (end < (size_t)lay->opt1_len && opt[end] != '<')
            end++;
        if (end >= 2 && 9 + end - 1 <= sizeof whole) {
            memcpy(whole + 9, opt, end - 1);
            len = 9 + end - 1;
            found = opt[end - 1];
            size_t rest = end < (size_t)lay->opt1_len ? end + 1 : end;
            copy_field(out->optional1, sizeof out->optional1, opt + rest,
                       (size_t)lay->opt1_len - rest);
        }
    }
    /* trailing filler counts 0 in the digit, so the short number's digit covers its 9 places */
    verify(out, TZ_MRZ_DIGIT_NUMBER, whole, len, found);
    copy_field(out->number, sizeof out->number, whole, len);
}

/* The composite digit's text: the fields it covers, in order (ICAO 9303 parts 5, 6, 4). */
static void read_composite(const struct lines *l, enum tz_mrz_format f, const struct layout *lay,
                           struct tz_mrz *out)
{
    char text[64];
    size_t n = 0;
    const char *a = l->text[0], *b = l->text[1];
    if (f == TZ_MRZ_TD1) {
        memcpy(text, a + 5, 25);
        memcpy(text + 25, b, 7);
        memcpy(text + 32, b + 8, 7);
        memcpy(text + 39, b + 18, 11);
        n = 50;
    } else {
        size_t tail = (size_t)lay->composite - 21;
        memcpy(text, b, 10);
        memcpy(text + 10, b + 13, 7);
        memcpy(text + 17, b + 21, tail);
        n = 17 + tail;
    }
    verify(out, TZ_MRZ_DIGIT_COMPOSITE, text, n, l->text[lay->data_line][lay->composite]);
}

static void read_fields(const struct lines *l, enum tz_mrz_format f, struct tz_mrz *out)
{
    const struct layout *lay = &LAYOUT[f];
    const char *data = l->text[lay->data_line];
    copy_field(out->doc_code, sizeof out->doc_code, l->text[lay->code_line], 2);
    copy_field(out->issuer, sizeof out->issuer, l->text[lay->issuer_line] + 2, 3);
    split_names(l->text[lay->names_line] + lay->names_col, (size_t)lay->names_len, out);
    copy_field(out->nationality, sizeof out->nationality, data + lay->nat_col, 3);
    read_date(data + lay->birth_col, true, &out->birth);
    read_date(data + lay->expiry_col, false, &out->expiry);
    char sex = data[lay->sex_col];
    out->sex = sex == '<' ? 'X' : (sex == 'M' || sex == 'F' || sex == 'X') ? sex : '?';
    copy_field(out->optional1, sizeof out->optional1, l->text[lay->opt1_line] + lay->opt1_col,
               (size_t)lay->opt1_len);
    if (lay->opt2_len > 0)
        copy_field(out->optional2, sizeof out->optional2, data + lay->opt2_col,
                   (size_t)lay->opt2_len);
    read_number(l, lay, out);
    verify(out, TZ_MRZ_DIGIT_BIRTH, data + lay->birth_col, 6, data[lay->birth_col + 6]);
    verify(out, TZ_MRZ_DIGIT_EXPIRY, data + lay->expiry_col, 6, data[lay->expiry_col + 6]);
    if (lay->opt_check >= 0) {
        const char *opt = data + lay->opt1_col;
        char found = data[lay->opt_check];
        bool empty = out->optional1[0] == '\0';
        /* an empty personal number's digit may be '<' as well as '0' (ICAO 9303 part 4) */
        verify(out, TZ_MRZ_DIGIT_OPTIONAL, opt, (size_t)lay->opt1_len,
               empty && found == '<' ? '0' : found);
        out->digit[TZ_MRZ_DIGIT_OPTIONAL].found = found;
    }
    if (lay->composite >= 0)
        read_composite(l, f, lay, out);
}

tz_err tz_mrz_parse(const char *s, size_t n, struct tz_mrz *out)
{
    memset(out, 0, sizeof *out);
    if (n > TZ_MRZ_INPUT_MAX)
        return TZ_ETOOBIG;
    struct lines l;
    enum tz_mrz_format f = TZ_MRZ_TD1;
    tz_err err = split_lines(s, n, &l);
    if (err == TZ_OK)
        err = pick_format(&l, &f);
    if (err != TZ_OK) {
        memset(out, 0, sizeof *out);
        return err;
    }
    out->format = f;
    out->case_folded = l.folded;
    read_fields(&l, f, out);
    if (out->bad_digits || !out->birth.valid || !out->expiry.valid || out->sex == '?')
        return TZ_EINVAL;
    return TZ_OK;
}
