/*
 * ids_vin.c - vehicle identification numbers (ISO 3779) and their check
 * digit (ids.h).
 *
 * A VIN is 17 characters of the digits and the letters but I, O and Q. The
 * ninth is a check digit computed from the other sixteen (transliterated
 * letters, weights 8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2, modulo 11, 10 written
 * as X), which North America has required since 1981 (49 CFR 565) and China
 * since 2004 (GB 16735); elsewhere the ninth is the maker's own, so it is
 * only checked where the maker's region (the first character of the WMI)
 * requires it, and the answer says which.
 */
#include <string.h>

#include "screening/ids.h"

/* ISO 3779's transliteration of a character; -1 for one a VIN never holds (I, O, Q...). */
static int vin_value(char c)
{
    static const signed char letter[26] = {
        1, 2, 3, 4, 5, 6, 7, 8, -1, 1, 2, 3, 4, 5, -1, 7, -1, 9, 2, 3, 4, 5, 6, 7, 8, 9,
    };
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return letter[c - 'A'];
    return -1;
}

char tz_vin_check_digit(const char *vin17)
{
    static const int weight[17] = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v = vin_value(vin17[i]);
        if (v < 0)
            return '\0';
        sum += v * weight[i];
    }
    int r = sum % 11;
    return r == 10 ? 'X' : (char)('0' + r);
}

/* The region of the world the WMI's first character belongs to (ISO 3780). */
static enum tz_vin_region region_of(char c)
{
    if (c >= '1' && c <= '5')
        return TZ_VIN_REGION_NORTH_AMERICA;
    if (c == '6' || c == '7')
        return TZ_VIN_REGION_OCEANIA;
    if (c == '8' || c == '9')
        return TZ_VIN_REGION_SOUTH_AMERICA;
    if (c == 'L')
        return TZ_VIN_REGION_CHINA;
    if (c >= 'A' && c <= 'H')
        return TZ_VIN_REGION_AFRICA;
    if (c >= 'J' && c <= 'R')
        return TZ_VIN_REGION_ASIA;
    if (c >= 'S' && c <= 'Z')
        return TZ_VIN_REGION_EUROPE;
    return TZ_VIN_REGION_OTHER;
}

tz_err tz_vin_parse(const char *s, size_t n, struct tz_vin *out)
{
    memset(out, 0, sizeof *out);
    if (n > TZ_VIN_INPUT_MAX)
        return TZ_ETOOBIG;
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == '-' || c == '\t')
            continue;
        if (c >= 'a' && c <= 'z') {
            c = (char)(c - 'a' + 'A');
            out->case_folded = true;
        }
        if (len == 17)
            return TZ_EINVAL; /* too long: bad_position stays 0 */
        if (vin_value(c) < 0) {
            out->bad_position = (int)len + 1;
            return TZ_EINVAL;
        }
        out->text[len++] = c;
    }
    if (len != 17)
        return TZ_EINVAL;
    memcpy(out->wmi, out->text, 3);
    out->region = region_of(out->text[0]);
    out->check_found = out->text[8];
    out->check_expected = tz_vin_check_digit(out->text);
    bool required =
        out->region == TZ_VIN_REGION_NORTH_AMERICA || out->region == TZ_VIN_REGION_CHINA;
    if (!required) {
        out->check = TZ_VIN_CHECK_NOT_APPLICABLE;
        return TZ_OK;
    }
    out->check = out->check_found == out->check_expected ? TZ_VIN_CHECK_OK : TZ_VIN_CHECK_BAD;
    return out->check == TZ_VIN_CHECK_OK ? TZ_OK : TZ_EINVAL;
}
