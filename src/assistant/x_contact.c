/*
 * x_contact.c - e-mail addresses, URLs and phone numbers.
 *
 * Phone numbers are validated here against a table of numbering plans
 * (country code, lengths of the national significant number, the digits it
 * may start with) rather than through libphonenumber: Debian ships it for
 * C++ only, and a shim would bring C++ and its 10 MB of metadata into a C
 * project for the dozen countries issue 16 names. The table covers those
 * countries and their neighbours; a number of another country is read as
 * international (+CC) when its code is in the table. National forms are
 * read for Poland (nine digits) and Russia's trunk 8 (8 9xx ...): the
 * forms police texts of those countries use; other national forms are too
 * ambiguous without knowing the country.
 */
#include <string.h>

#include "assistant/internal.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* ---- e-mail ---- */

static bool local_char(char c)
{
    return is_alnum(c) || (c && strchr("._%+-", c));
}

static bool domain_char(char c)
{
    return is_alnum(c) || c == '.' || c == '-';
}

void x_email(struct scan *s)
{
    const char *v = s->v;
    size_t n = s->vlen;
    for (size_t at = 1; at + 1 < n; at++) {
        if (v[at] != '@')
            continue;
        size_t a = at;
        while (a > 0 && at - a < 64 && local_char(v[a - 1]))
            a--;
        while (a < at && v[a] == '.')
            a++;
        size_t b = at + 1;
        while (b < n && b - at < 253 && domain_char(v[b]))
            b++;
        while (b > at + 1 && (v[b - 1] == '.' || v[b - 1] == '-'))
            b--;
        if (a == at || b == at + 1)
            continue;
        const char *dot = NULL;
        for (size_t i = at + 1; i < b; i++)
            if (v[i] == '.')
                dot = v + i;
        size_t tld = dot ? (size_t)(v + b - dot - 1) : 0;
        bool alpha = tld >= 2;
        for (size_t i = 0; alpha && i < tld; i++)
            alpha = (dot[1 + i] | 0x20) >= 'a' && (dot[1 + i] | 0x20) <= 'z';
        if (!alpha || (b < n && ((unsigned char)v[b] >= 0x80)))
            continue;
        char value[TZ_ENTITY_VALUE_MAX];
        size_t len = b - a < sizeof value ? b - a : sizeof value - 1;
        for (size_t i = 0; i < len; i++)
            value[i] = lower(v[a + i]);
        value[len] = '\0';
        scan_emit(s, TZ_ENT_EMAIL, a, b, value, NULL, 0.99);
        at = b;
    }
}

/* ---- URLs ---- */

static bool url_char(unsigned char c)
{
    return c > ' ' && c != '<' && c != '>' && c != '"' && c != '\'' && c != '`' && c < 0x7F;
}

void x_url(struct scan *s)
{
    static const char *const starts[] = {"https://", "http://", "ftp://", "www."};
    const char *v = s->v;
    size_t n = s->vlen;
    for (size_t i = 0; i < n; i++) {
        if ((v[i] | 0x20) != 'h' && (v[i] | 0x20) != 'w' && (v[i] | 0x20) != 'f')
            continue;
        if (!u8_word_start(v, i))
            continue;
        size_t k = 0, e = 0;
        for (; k < sizeof starts / sizeof starts[0]; k++)
            if (u8_match_fold(v, n, i, starts[k], &e))
                break;
        if (k == sizeof starts / sizeof starts[0])
            continue;
        size_t b = e;
        while (b < n && b - i < 2048 && url_char((unsigned char)v[b]))
            b++;
        while (b > e && strchr(".,;:!?)]}", v[b - 1]))
            b--;
        if (b - e < 3 || !memchr(v + e, '.', b - e))
            continue;
        char value[TZ_ENTITY_VALUE_MAX];
        size_t o = 0;
        if (k == 3)
            o = (size_t)snprintf(value, sizeof value, "http://");
        bool host = true;
        size_t slashes = 0;
        for (size_t j = i; j < b && o + 1 < sizeof value; j++) {
            char c = v[j];
            if (c == '/' && ++slashes >= 3)
                host = false;
            value[o++] = host ? lower(c) : c;
        }
        value[o] = '\0';
        scan_emit(s, TZ_ENT_URL, i, b, value, NULL, 0.98);
        i = b;
    }
}

/* ---- phone numbers ---- */

struct plan {
    const char *cc; /* country calling code */
    const char *iso;
    int min, max;       /* digits of the national significant number */
    const char *starts; /* the first digits it may have */
};

/* The numbering plans of issue 16's countries and their neighbours (ITU-T E.164 assignments). */
static const struct plan plans[] = {
    {"48", "PL", 9, 9, "123456789"},   {"44", "GB", 9, 10, "1237"},
    {"1", "US", 10, 10, "23456789"},   {"7", "RU", 10, 10, "3489"},
    {"380", "UA", 9, 9, "3456789"},    {"375", "BY", 9, 9, "1234"},
    {"994", "AZ", 9, 9, "1245679"},    {"90", "TR", 10, 10, "2345"},
    {"49", "DE", 7, 11, "123456789"},  {"33", "FR", 9, 9, "123456789"},
    {"34", "ES", 9, 9, "6789"},        {"995", "GE", 9, 9, "3457"},
    {"966", "SA", 9, 9, "15"},         {"971", "AE", 8, 9, "23456789"},
    {"20", "EG", 9, 10, "123"},        {"212", "MA", 9, 9, "5678"},
    {"213", "DZ", 9, 9, "2345679"},    {"216", "TN", 8, 8, "23457"},
    {"962", "JO", 8, 9, "235679"},     {"961", "LB", 7, 8, "134578"},
    {"964", "IQ", 8, 10, "1234567"},   {"963", "SY", 8, 9, "1234569"},
    {"974", "QA", 8, 8, "34567"},      {"965", "KW", 8, 8, "12569"},
    {"370", "LT", 8, 8, "345678"},     {"371", "LV", 8, 8, "2678"},
    {"372", "EE", 7, 8, "345678"},     {"420", "CZ", 9, 9, "23456789"},
    {"421", "SK", 9, 9, "234589"},     {"43", "AT", 7, 12, "123456789"},
    {"39", "IT", 6, 11, "03"},         {"31", "NL", 9, 9, "123456789"},
    {"32", "BE", 8, 9, "123456789"},   {"373", "MD", 8, 8, "2345678"},
    {"40", "RO", 9, 9, "237"},         {"36", "HU", 8, 9, "1234579"},
    {"374", "AM", 8, 8, "1234579"},    {"998", "UZ", 9, 9, "3456789"},
    {"86", "CN", 10, 11, "123456789"},
};

static const struct plan *plan_of(const char *d, size_t n, size_t *cclen)
{
    for (size_t l = 1; l <= 3 && l < n; l++)
        for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++)
            if (strlen(plans[i].cc) == l && memcmp(plans[i].cc, d, l) == 0) {
                *cclen = l;
                return &plans[i];
            }
    return NULL;
}

static bool nsn_fits(const struct plan *p, const char *d, size_t n)
{
    return (int)n >= p->min && (int)n <= p->max && strchr(p->starts, d[0]) && d[0];
}

/*
 * Gathers the digits of a number from v[i]: digits with single separators
 * (space, hyphen, dot between groups is not one: dates), brackets around an
 * area code. *end gets the offset after the last digit.
 */
static size_t gather(const char *v, size_t n, size_t i, char *d, size_t max, size_t *end)
{
    size_t k = 0, parens = 0;
    bool sep = false;
    *end = i;
    for (size_t j = i; j < n; j++) {
        char c = v[j];
        if (is_digit(c)) {
            if (k == max)
                return max + 1;
            d[k++] = c;
            sep = false;
            *end = j + 1;
        } else if ((c == '(' || c == ')') && parens < 2) {
            parens++;
        } else if ((c == ' ' || c == '-') && !sep) {
            sep = true;
        } else {
            break;
        }
    }
    return k;
}

/* Whether a word for a phone ("tel", "phone", "тел"...) ends shortly before v[i]. */
static bool phone_word_before(const char *v, size_t i)
{
    static const char *const words[] = {"tel", "phone", "тел", "handy", "mobile", "kom."};
    size_t from = i > 16 ? i - 16 : 0;
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
        size_t wn = strlen(words[k]);
        for (size_t j = from; j + wn <= i; j++) {
            size_t e;
            if (u8_match_fold(v, i, j, words[k], &e))
                return true;
        }
    }
    return false;
}

/* Reads a number starting at v[i]; emits it when valid. Returns where to go on. */
static size_t one_phone(struct scan *s, size_t i)
{
    const char *v = s->v;
    size_t n = s->vlen, end;
    bool plus = v[i] == '+';
    size_t from = plus ? i + 1 : i;
    if (v[from] == '(')
        from++;
    char d[24];
    size_t k = gather(v, n, from, d, 20, &end);
    if (k > 20 || k < 7)
        return end > i ? end : i + 1;
    size_t cl;
    if (end < n && (u8_is_letter(u8_at(v, n, end, &cl)) ||
                    (v[end] == '.' && end + 1 < n && is_digit(v[end + 1])) || v[end] == '/'))
        return end;
    const char *num = d;
    size_t len = k;
    bool intl = plus;
    if (!plus && k > 2 && d[0] == '0' && d[1] == '0') {
        num += 2, len -= 2, intl = true;
    }
    char value[24];
    const struct plan *p = NULL;
    size_t cc = 0;
    if (intl) {
        p = plan_of(num, len, &cc);
        if (!p || !nsn_fits(p, num + cc, len - cc))
            return end;
        snprintf(value, sizeof value, "+%.*s", (int)len, num);
    } else if (len == 9 && d[0] != '0' && (end - i > 9 || phone_word_before(v, i))) {
        p = &plans[0]; /* nine digits: grouped, or after "tel." (else a REGON, an order no.) */
        snprintf(value, sizeof value, "+48%.9s", d);
    } else if (len == 11 && d[0] == '8' && strchr("349", d[1]) &&
               (v[i + 1] == ' ' || v[i + 1] == '(')) {
        /* the trunk 8 and a grouped number, never eleven bare digits (a PESEL) */
        p = &plans[3];
        snprintf(value, sizeof value, "+7%.10s", d + 1);
    } else {
        return end;
    }
    scan_emit(s, TZ_ENT_PHONE, i, end, value, p->iso, intl ? 0.95 : 0.8);
    return end;
}

void x_phone(struct scan *s)
{
    const char *v = s->v;
    size_t n = s->vlen;
    for (size_t i = 0; i < n;) {
        char c = v[i];
        bool start = (c == '+' && i + 1 < n && (is_digit(v[i + 1]) || v[i + 1] == '(')) ||
                     (is_digit(c) && u8_word_start(v, i) &&
                      (i == 0 || (v[i - 1] != '+' && v[i - 1] != '.')));
        if (c == '(' && i + 1 < n && is_digit(v[i + 1]) && u8_word_start(v, i))
            start = true;
        if (!start) {
            i++;
            continue;
        }
        i = one_phone(s, i);
    }
}
