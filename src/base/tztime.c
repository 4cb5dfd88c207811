/* tztime.c - UTC instants, RFC 3339 and the Polish civil calendar (see tztime.h). */
#include "base/tztime.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

int64_t tz_time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

int64_t tz_time_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Civil date <-> day number, the well-known era-based formulas (400-year
 * cycles of 146097 days, years counted from March so that the leap day is
 * last).
 */
int64_t tz_time_days_from_civil(int year, int month, int day)
{
    assert(month >= 1 && month <= 12);
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tz_time_civil_from_days(int64_t days, int *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Day number of the last Sunday of the month. 1970-01-01 was a Thursday. */
static int64_t last_sunday(int year, int month)
{
    int next_year = month == 12 ? year + 1 : year;
    int next_month = month == 12 ? 1 : month + 1;
    int64_t last = tz_time_days_from_civil(next_year, next_month, 1) - 1;
    int64_t weekday = ((last % 7) + 7 + 4) % 7; /* 0 = Sunday */
    return last - weekday;
}

int tz_time_pl_offset(int64_t t)
{
    int year, month, day;
    tz_time_civil_from_days(floor_div(t, 86400), &year, &month, &day);
    int64_t summer_start = last_sunday(year, 3) * 86400 + 3600;
    int64_t summer_end = last_sunday(year, 10) * 86400 + 3600;
    return (t >= summer_start && t < summer_end) ? 7200 : 3600;
}

/* The instant of Polish wall-clock time `wall` (seconds, as if it were UTC). */
static int64_t from_pl_wall(int64_t wall)
{
    int64_t summer = wall - 7200, winter = wall - 3600;
    if (tz_time_pl_offset(summer) == 7200)
        return summer; /* also the first of two occurrences in October */
    return winter;     /* winter time, or the skipped hour moved one hour on */
}

int64_t tz_time_add_pl_days(int64_t t, int days)
{
    int64_t wall = t + tz_time_pl_offset(t);
    return from_pl_wall(wall + (int64_t)days * 86400);
}

void tz_time_format(int64_t t, char out[TZ_TIME_TEXT_MAX])
{
    int year, month, day;
    int64_t days = floor_div(t, 86400);
    int64_t secs = t - days * 86400;
    tz_time_civil_from_days(days, &year, &month, &day);
    snprintf(out, TZ_TIME_TEXT_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* Reads exactly `width` decimal digits at s[*pos]. */
static bool read_digits(const char *s, size_t n, size_t *pos, int width, int *out)
{
    int v = 0;
    for (int i = 0; i < width; i++) {
        if (*pos >= n || s[*pos] < '0' || s[*pos] > '9')
            return false;
        v = v * 10 + (s[*pos] - '0');
        (*pos)++;
    }
    *out = v;
    return true;
}

static bool expect(const char *s, size_t n, size_t *pos, char c)
{
    if (*pos >= n || s[*pos] != c)
        return false;
    (*pos)++;
    return true;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

tz_err tz_time_parse(const char *s, size_t n, int64_t *out)
{
    size_t pos = 0;
    int year, month, day, hour = 0, minute = 0, second = 0;
    if (!read_digits(s, n, &pos, 4, &year) || !expect(s, n, &pos, '-') ||
        !read_digits(s, n, &pos, 2, &month) || !expect(s, n, &pos, '-') ||
        !read_digits(s, n, &pos, 2, &day))
        return TZ_EINVAL;
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
        return TZ_EINVAL;
    int64_t days = tz_time_days_from_civil(year, month, day);
    if (pos == n) {
        *out = from_pl_wall(days * 86400);
        return TZ_OK;
    }
    if (pos >= n || (s[pos] != 'T' && s[pos] != 't'))
        return TZ_EINVAL;
    pos++;
    if (!read_digits(s, n, &pos, 2, &hour) || !expect(s, n, &pos, ':') ||
        !read_digits(s, n, &pos, 2, &minute) || !expect(s, n, &pos, ':') ||
        !read_digits(s, n, &pos, 2, &second))
        return TZ_EINVAL;
    if (hour > 23 || minute > 59 || second > 60)
        return TZ_EINVAL;
    if (pos < n && s[pos] == '.') {
        pos++;
        size_t digits = 0;
        while (pos < n && s[pos] >= '0' && s[pos] <= '9' && digits < 9) {
            pos++;
            digits++;
        }
        if (digits == 0)
            return TZ_EINVAL;
    }
    int offset = 0;
    if (pos < n && (s[pos] == 'Z' || s[pos] == 'z')) {
        pos++;
    } else if (pos < n && (s[pos] == '+' || s[pos] == '-')) {
        int sign = s[pos] == '-' ? -1 : 1, oh, om;
        pos++;
        if (!read_digits(s, n, &pos, 2, &oh) || !expect(s, n, &pos, ':') ||
            !read_digits(s, n, &pos, 2, &om) || oh > 23 || om > 59)
            return TZ_EINVAL;
        offset = sign * (oh * 3600 + om * 60);
    } else {
        return TZ_EINVAL;
    }
    if (pos != n)
        return TZ_EINVAL;
    *out = days * 86400 + hour * 3600 + minute * 60 + (second > 59 ? 59 : second) - offset;
    return TZ_OK;
}
