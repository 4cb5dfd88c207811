/*
 * x_money.c - IBANs, payment cards and crypto-wallet addresses, each only
 * when its check digits hold (a wrong one is refused: not extracted).
 * IBANs are read with or without the spaces of their print form and shown
 * compact in upper case; cards are shown masked as PCI DSS allows (the
 * first six and last four digits); Ethereum addresses in their EIP-55 form.
 */
#include <stdio.h>
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

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
}

/* ---- IBAN ---- */

/* Reads an IBAN at v[i] (country letters first); emits it when it is one. */
static size_t one_iban(struct scan *s, size_t i)
{
    const char *v = s->v;
    size_t n = s->vlen;
    char cc[2] = {upper(v[i]), upper(v[i + 1])};
    int want = tz_assist_iban_length(cc);
    if (!want)
        return i + 1;
    char iban[36];
    size_t k = 0, j = i, end = i;
    while (j < n && k < (size_t)want) {
        if (is_alnum(v[j])) {
            iban[k++] = upper(v[j]);
            end = ++j;
        } else if (v[j] == ' ' && k % 4 == 0 && k > 0 && j + 1 < n && is_alnum(v[j + 1])) {
            j++; /* the print form: groups of four */
        } else {
            break;
        }
    }
    if (k != (size_t)want || (end < n && is_alnum(v[end])))
        return i + 1;
    if (!tz_assist_iban_ok(iban, k))
        return i + 1;
    iban[k] = '\0';
    scan_emit(s, TZ_ENT_IBAN, i, end, iban, (char[3]){cc[0], cc[1], 0}, 0.99);
    return end;
}

void x_iban(struct scan *s)
{
    const char *v = s->v;
    size_t n = s->vlen;
    for (size_t i = 0; i + 15 <= n;) {
        bool letters = ((v[i] | 0x20) >= 'a' && (v[i] | 0x20) <= 'z') &&
                       ((v[i + 1] | 0x20) >= 'a' && (v[i + 1] | 0x20) <= 'z');
        if (letters && is_digit(v[i + 2]) && is_digit(v[i + 3]) && u8_word_start(v, i))
            i = one_iban(s, i);
        else
            i++;
    }
}

/* ---- payment cards ---- */

/* Whether the digits start as a card scheme's numbers do (IIN ranges of the major schemes). */
static bool card_prefix(const char *d, size_t n)
{
    int two = (d[0] - '0') * 10 + (d[1] - '0');
    int four = two * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    if (d[0] == '4')
        return n == 13 || n == 16 || n == 19; /* Visa */
    if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720))
        return n == 16; /* Mastercard */
    if (two == 34 || two == 37)
        return n == 15; /* American Express */
    if (two == 35 || two == 62 || four == 6011 || two == 65)
        return n >= 16 && n <= 19; /* JCB, UnionPay, Discover */
    if (two == 50 || (two >= 56 && two <= 69))
        return n >= 12 && n <= 19; /* Maestro */
    return false;
}

static size_t one_card(struct scan *s, size_t i)
{
    const char *v = s->v;
    size_t n = s->vlen, j = i, end = i, k = 0;
    char d[20];
    while (j < n) {
        if (is_digit(v[j])) {
            if (k == 19)
                return i + 1;
            d[k++] = v[j];
            end = ++j;
        } else if ((v[j] == ' ' || v[j] == '-') && j + 1 < n && is_digit(v[j + 1])) {
            j++;
        } else {
            break;
        }
    }
    if (k < 12 || (end < n && is_alnum(v[end])) || !card_prefix(d, k) || !tz_assist_luhn(d, k))
        return end;
    char masked[24];
    memcpy(masked, d, 6);
    memset(masked + 6, '*', k - 10);
    memcpy(masked + k - 4, d + k - 4, 4);
    masked[k] = '\0';
    scan_emit(s, TZ_ENT_CARD, i, end, masked, NULL, 0.97);
    return end;
}

/*
 * Whether v[i] continues a run of groups of four ("BY04 KGIC 5464 2355 0682"): a card starts
 * its own run, so the tail of a mistyped IBAN is not read as one.
 */
static bool inside_run(const char *v, size_t i)
{
    if (i > 0 && v[i - 1] == '+')
        return true; /* "+49 1529...": a phone */
    if (i < 5 || (v[i - 1] != ' ' && v[i - 1] != '-'))
        return false;
    for (size_t k = i - 5; k < i - 1; k++)
        if (!is_digit(v[k]) && !(v[k] >= 'A' && v[k] <= 'Z'))
            return false;
    return true;
}

void x_card(struct scan *s)
{
    const char *v = s->v;
    for (size_t i = 0; i < s->vlen;) {
        if (is_digit(v[i]) && v[i] >= '2' && u8_word_start(v, i) && !inside_run(v, i))
            i = one_card(s, i);
        else
            i++;
    }
}

/* ---- crypto wallets ---- */

static bool b58_char(char c)
{
    return is_alnum(c) && c != '0' && c != 'O' && c != 'I' && c != 'l';
}

static size_t one_wallet(struct scan *s, size_t i)
{
    const char *v = s->v;
    size_t n = s->vlen, end = i;
    while (end < n && end - i < 92 && is_alnum(v[end]))
        end++;
    size_t len = end - i;
    if (end < n && is_alnum(v[end]))
        return end;
    char value[96];
    if (len == 42 && v[i] == '0' && (v[i + 1] | 0x20) == 'x') {
        char sum[41];
        if (!tz_assist_eip55(v + i + 2, sum))
            return end;
        bool mixed = false, lower = false, up = false;
        for (size_t k = 0; k < 40; k++) {
            lower |= v[i + 2 + k] >= 'a' && v[i + 2 + k] <= 'f';
            up |= v[i + 2 + k] >= 'A' && v[i + 2 + k] <= 'F';
        }
        mixed = lower && up;
        if (mixed && memcmp(sum, v + i + 2, 40) != 0)
            return end; /* a wrong EIP-55 checksum: refused */
        snprintf(value, sizeof value, "0x%s", sum);
        scan_emit(s, TZ_ENT_CRYPTO, i, end, value, "ethereum", mixed ? 0.99 : 0.9);
        return end;
    }
    if ((v[i] | 0x20) == 'b' && len >= 14 && tz_assist_bech32(v + i, len)) {
        for (size_t k = 0; k < len; k++)
            value[k] = (char)(v[i + k] | 0x20);
        value[len] = '\0';
        scan_emit(s, TZ_ENT_CRYPTO, i, end, value, "bitcoin", 0.99);
        return end;
    }
    uint8_t version = 0;
    bool b58 = len >= 26 && len <= 35 && (v[i] == '1' || v[i] == '3');
    for (size_t k = 0; b58 && k < len; k++)
        b58 = b58_char(v[i + k]);
    if (b58 && tz_assist_base58check(v + i, len, &version) && (version == 0 || version == 5)) {
        memcpy(value, v + i, len);
        value[len] = '\0';
        scan_emit(s, TZ_ENT_CRYPTO, i, end, value, "bitcoin", 0.99);
    }
    return end;
}

void x_crypto(struct scan *s)
{
    const char *v = s->v;
    for (size_t i = 0; i < s->vlen;) {
        char c = v[i];
        if ((c == '0' || c == '1' || c == '3' || (c | 0x20) == 'b') && u8_word_start(v, i))
            i = one_wallet(s, i);
        else
            i++;
    }
}
