/*
 * fuzz_time.c - libFuzzer harness of tz_time_parse, which reads the dates and
 * times of outside input (the from/to query parameters, a report's
 * when.date). The input is the text, any bytes.
 *
 * What must hold, beyond "no crash, no undefined behaviour":
 *   - an instant in the Z form ("...Z" or "...z") formats back to text that
 *     parses to the same instant (tz_time_format and tz_time_parse agree),
 *     and so does any accepted instant from 1970 to the end of year 9999,
 *     which tz_time_format writes as YYYY-MM-DDTHH:MM:SSZ;
 *   - a full date (YYYY-MM-DD) is 00:00 Polish local time on that very day;
 *   - the Polish offset at any accepted instant is +01:00 or +02:00.
 */
#include <string.h>

#include "base/tztime.h"
#include "check.h"

#define YEAR_10000 253402300800LL /* 10000-01-01T00:00:00Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(int64_t t, const char *input, size_t size)
{
    char text[TZ_TIME_TEXT_MAX];
    tz_time_format(t, text);
    size_t n = strnlen(text, sizeof text);
    FUZZ_CHECK(n == 20 && text[19] == 'Z', "%lld formats as %s", (long long)t, text);
    int64_t again = 0;
    tz_err err = tz_time_parse(text, n, &again);
    FUZZ_CHECK(err == TZ_OK && again == t, "\"%.*s\" -> %lld -> \"%s\" -> %s %lld", (int)size,
               input, (long long)t, text, tz_err_str(err), (long long)again);
}

/* A full date is midnight in Poland on the same calendar day. */
static void check_date(int64_t t, const char *input)
{
    int offset = tz_time_pl_offset(t);
    int64_t wall = t + offset;
    FUZZ_CHECK(wall % 86400 == 0, "%.10s is %lld, not a Polish midnight", input, (long long)t);
    int y, m, d;
    tz_time_civil_from_days(wall / 86400, &y, &m, &d);
    char text[16];
    snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
    FUZZ_CHECK(memcmp(text, input, 10) == 0, "%.10s is Polish midnight of %s", input, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    int64_t t = 0;
    if (tz_time_parse(s, size, &t) != TZ_OK)
        return 0;
    int offset = tz_time_pl_offset(t);
    FUZZ_CHECK(offset == 3600 || offset == 7200, "offset %d", offset);
    bool z_form = size > 0 && (s[size - 1] == 'Z' || s[size - 1] == 'z');
    if (z_form || (t >= 0 && t < YEAR_10000))
        check_round_trip(t, s, size);
    if (size == 10)
        check_date(t, s);
    return 0;
}
