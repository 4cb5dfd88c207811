/*
 * x_date.c - dates and times in the formats of pl, en, ru, uk, be, az, tr,
 * ar, de, fr, es and ka, resolved to ISO 8601 ("2026-03-12", with a time
 * "2026-03-12T14:30"): numeric (12.03.2026, 12/03/2026, 2026-03-12,
 * 12.03.26), with month names ("12 marca 2026", "March 12, 2026",
 * "12 de marzo de 2026", "12. März", "2026 წლის 12 მარტს"), and relative
 * words ("wczoraj", "вчера", "gestern") resolved against the message's
 * date. A date without a year takes the reference's year; without a
 * reference, relative words and yearless dates are not resolved (nothing
 * is made up). Words that also mean "morning" (morgen, mañana, sabah) are
 * left out: they would be wrong more often than right.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "assistant/internal.h"
#include "base/tztime.h"

struct word_num {
    const char *word; /* lower case */
    int n;
};

/* Month names (nominative and genitive/dative forms), lower case. */
static const struct word_num months[] = {
    /* pl */
    {"stycznia", 1},
    {"styczeń", 1},
    {"lutego", 2},
    {"luty", 2},
    {"marca", 3},
    {"marzec", 3},
    {"kwietnia", 4},
    {"kwiecień", 4},
    {"maja", 5},
    {"maj", 5},
    {"czerwca", 6},
    {"czerwiec", 6},
    {"lipca", 7},
    {"lipiec", 7},
    {"sierpnia", 8},
    {"sierpień", 8},
    {"września", 9},
    {"wrzesień", 9},
    {"października", 10},
    {"październik", 10},
    {"listopada", 11},
    {"listopad", 11},
    {"grudnia", 12},
    {"grudzień", 12},
    /* en */
    {"january", 1},
    {"february", 2},
    {"march", 3},
    {"april", 4},
    {"may", 5},
    {"june", 6},
    {"july", 7},
    {"august", 8},
    {"september", 9},
    {"october", 10},
    {"november", 11},
    {"december", 12},
    {"jan", 1},
    {"feb", 2},
    {"mar", 3},
    {"apr", 4},
    {"jun", 6},
    {"jul", 7},
    {"aug", 8},
    {"sep", 9},
    {"sept", 9},
    {"oct", 10},
    {"nov", 11},
    {"dec", 12},
    /* ru */
    {"января", 1},
    {"февраля", 2},
    {"марта", 3},
    {"апреля", 4},
    {"мая", 5},
    {"июня", 6},
    {"июля", 7},
    {"августа", 8},
    {"сентября", 9},
    {"октября", 10},
    {"ноября", 11},
    {"декабря", 12},
    {"январь", 1},
    {"февраль", 2},
    {"март", 3},
    {"апрель", 4},
    {"май", 5},
    {"июнь", 6},
    {"июль", 7},
    {"август", 8},
    {"сентябрь", 9},
    {"октябрь", 10},
    {"ноябрь", 11},
    {"декабрь", 12},
    /* uk */
    {"січня", 1},
    {"лютого", 2},
    {"березня", 3},
    {"квітня", 4},
    {"травня", 5},
    {"червня", 6},
    {"липня", 7},
    {"серпня", 8},
    {"вересня", 9},
    {"жовтня", 10},
    {"листопада", 11},
    {"грудня", 12},
    /* be */
    {"студзеня", 1},
    {"лютага", 2},
    {"сакавіка", 3},
    {"красавіка", 4},
    {"мая", 5},
    {"чэрвеня", 6},
    {"ліпеня", 7},
    {"жніўня", 8},
    {"верасня", 9},
    {"кастрычніка", 10},
    {"лістапада", 11},
    {"снежня", 12},
    /* az */
    {"yanvar", 1},
    {"fevral", 2},
    {"mart", 3},
    {"aprel", 4},
    {"iyun", 6},
    {"iyul", 7},
    {"avqust", 8},
    {"sentyabr", 9},
    {"oktyabr", 10},
    {"noyabr", 11},
    {"dekabr", 12},
    /* tr */
    {"ocak", 1},
    {"şubat", 2},
    {"nisan", 4},
    {"mayıs", 5},
    {"haziran", 6},
    {"temmuz", 7},
    {"ağustos", 8},
    {"eylül", 9},
    {"ekim", 10},
    {"kasım", 11},
    {"aralık", 12},
    /* de */
    {"januar", 1},
    {"jänner", 1},
    {"februar", 2},
    {"märz", 3},
    {"mai", 5},
    {"juni", 6},
    {"juli", 7},
    {"oktober", 10},
    {"dezember", 12},
    /* fr */
    {"janvier", 1},
    {"février", 2},
    {"mars", 3},
    {"avril", 4},
    {"juin", 6},
    {"juillet", 7},
    {"août", 8},
    {"septembre", 9},
    {"octobre", 10},
    {"novembre", 11},
    {"décembre", 12},
    /* es */
    {"enero", 1},
    {"febrero", 2},
    {"marzo", 3},
    {"abril", 4},
    {"mayo", 5},
    {"junio", 6},
    {"julio", 7},
    {"agosto", 8},
    {"septiembre", 9},
    {"setiembre", 9},
    {"octubre", 10},
    {"noviembre", 11},
    {"diciembre", 12},
    /* ar: the Egyptian/Gulf names and the Levantine ones */
    {"يناير", 1},
    {"فبراير", 2},
    {"مارس", 3},
    {"أبريل", 4},
    {"ابريل", 4},
    {"مايو", 5},
    {"يونيو", 6},
    {"يوليو", 7},
    {"أغسطس", 8},
    {"اغسطس", 8},
    {"سبتمبر", 9},
    {"أكتوبر", 10},
    {"اكتوبر", 10},
    {"نوفمبر", 11},
    {"ديسمبر", 12},
    {"كانون الثاني", 1},
    {"شباط", 2},
    {"آذار", 3},
    {"نيسان", 4},
    {"أيار", 5},
    {"حزيران", 6},
    {"تموز", 7},
    {"آب", 8},
    {"أيلول", 9},
    {"تشرين الأول", 10},
    {"تشرين الثاني", 11},
    {"كانون الأول", 12},
    /* ka: nominative and dative */
    {"იანვარი", 1},
    {"იანვარს", 1},
    {"თებერვალი", 2},
    {"თებერვალს", 2},
    {"მარტი", 3},
    {"მარტს", 3},
    {"აპრილი", 4},
    {"აპრილს", 4},
    {"მაისი", 5},
    {"მაისს", 5},
    {"ივნისი", 6},
    {"ივნისს", 6},
    {"ივლისი", 7},
    {"ივლისს", 7},
    {"აგვისტო", 8},
    {"აგვისტოს", 8},
    {"სექტემბერი", 9},
    {"სექტემბერს", 9},
    {"ოქტომბერი", 10},
    {"ოქტომბერს", 10},
    {"ნოემბერი", 11},
    {"ნოემბერს", 11},
    {"დეკემბერი", 12},
    {"დეკემბერს", 12},
};

/* Relative days, lower case. */
static const struct word_num relative[] = {
    {"przedwczoraj", -2}, {"wczoraj", -1},    {"dzisiaj", 0},
    {"dziś", 0},          {"jutro", 1},       {"the day before yesterday", -2},
    {"yesterday", -1},    {"today", 0},       {"tomorrow", 1},
    {"позавчера", -2},    {"вчера", -1},      {"сегодня", 0},
    {"завтра", 1},        {"позавчора", -2},  {"вчора", -1},
    {"учора", -1},        {"сьогодні", 0},    {"сёння", 0},
    {"заўтра", 1},        {"dünən", -1},      {"bu gün", 0},
    {"dün", -1},          {"bugün", 0},       {"yarın", 1},
    {"الأمس", -1},        {"أمس", -1},        {"اليوم", 0},
    {"غدا", 1},           {"vorgestern", -2}, {"gestern", -1},
    {"heute", 0},         {"übermorgen", 2},  {"avant-hier", -2},
    {"hier", -1},         {"aujourd'hui", 0}, {"demain", 1},
    {"anteayer", -2},     {"ayer", -1},       {"hoy", 0},
    {"გუშინწინ", -2},     {"გუშინ", -1},      {"დღეს", 0},
    {"ხვალ", 1},
};

/* Words after a year ("2026 r.", "2026 г."), passed over on the way to a time. */
static const char *const year_words[] = {"r.", "roku", "г.", "года", "року", "года,", "il", "yılı"};

/* Words between a date and its time. */
static const char *const time_links[] = {
    "o godz.", "około godz.", "ok. godz.", "godz.", "około", "ok.",   "o",    "at",
    "around",  "около",       "близько",   "каля",  "в",     "о",     "у",    "а",
    "a",       "um",          "gegen",     "à",     "vers",  "a las", "a la", "hacia las",
    "saat",    "في",          "الساعة",    "ve",    "de",
};

struct ymd {
    int y, m, d, hh, mm; /* hh < 0: no time */
};

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

static bool valid(const struct ymd *t)
{
    return t->y >= 1900 && t->y <= 2100 && t->m >= 1 && t->m <= 12 && t->d >= 1 &&
           t->d <= month_days(t->y, t->m);
}

/* The calendar day of the reference in Poland (where the messages are read), days from 1970. */
static int64_t ref_day(const struct scan *s)
{
    int64_t t = s->req->reference + tz_time_pl_offset(s->req->reference);
    return t / 86400 - (t < 0 && t % 86400);
}

static void civil(int64_t days, struct ymd *t)
{
    tz_time_civil_from_days(days, &t->y, &t->m, &t->d);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads 1..max digits at v[*i]; false if none. */
static bool number(const char *v, size_t n, size_t *i, size_t max, int *out, size_t *digits)
{
    size_t k = 0;
    int x = 0;
    while (*i + k < n && k < max && is_digit(v[*i + k]))
        x = x * 10 + (v[*i + k++] - '0');
    if (k == 0 || (*i + k < n && is_digit(v[*i + k])))
        return false;
    *i += k;
    *out = x;
    *digits = k;
    return true;
}

static size_t skip_spaces(const char *v, size_t n, size_t i)
{
    while (i < n && v[i] == ' ')
        i++;
    return i;
}

/* The longest month name at v[i] that ends a word: its month, *end after it; 0 if none. */
#define MONTH_COUNT (sizeof months / sizeof months[0])

/* The first letter of each month name: month_at compares only the names that start with the
 * letter at hand (some 400 names of twelve languages were each compared at every word). */
static uint32_t month_first[MONTH_COUNT];
static pthread_once_t month_once = PTHREAD_ONCE_INIT;

static void month_index(void)
{
    for (size_t k = 0; k < MONTH_COUNT; k++) {
        size_t len;
        month_first[k] = u8_at(months[k].word, strlen(months[k].word), 0, &len);
    }
}

static int month_at(const char *v, size_t n, size_t i, size_t *end)
{
    int best = 0;
    size_t best_end = 0, e, len;
    pthread_once(&month_once, month_index);
    uint32_t first = i < n ? u8_lower(u8_at(v, n, i, &len)) : 0;
    for (size_t k = 0; k < MONTH_COUNT; k++)
        if (month_first[k] == first && u8_match_fold(v, n, i, months[k].word, &e) && e > best_end &&
            u8_word_end(v, n, e)) {
            best = months[k].n;
            best_end = e;
        }
    if (best && best_end < n && v[best_end] == '.') /* "Sept." */
        best_end += best_end - i <= 4;
    *end = best_end;
    return best;
}

/* A time after a date (", o godz. 14:30"): fills hh:mm and returns the end, or i. */
static size_t time_after(const char *v, size_t n, size_t i, struct ymd *t)
{
    size_t j = i, e;
    if (j < n && v[j] == '-' && j + 3 < n) /* "2026-ci il" */
        while (j < n && v[j] != ' ')
            j++;
    j = skip_spaces(v, n, j);
    for (size_t k = 0; k < sizeof year_words / sizeof year_words[0]; k++)
        if (u8_match_fold(v, n, j, year_words[k], &e) && (e >= n || v[e] == ' ' || v[e] == ',')) {
            j = e;
            break;
        }
    if (j < n && v[j] == ',')
        j++;
    j = skip_spaces(v, n, j);
    size_t best = j;
    for (size_t k = 0; k < sizeof time_links / sizeof time_links[0]; k++)
        if (u8_match_fold(v, n, j, time_links[k], &e) && e > best && e < n && v[e] == ' ')
            best = e;
    j = skip_spaces(v, n, best);
    int hh, mm;
    size_t dg, start = j;
    if (j == i || !number(v, n, &j, 2, &hh, &dg) || j >= n || (v[j] != ':' && v[j] != '.'))
        return i;
    j++;
    if (!number(v, n, &j, 2, &mm, &dg) || dg != 2 || hh > 23 || mm > 59)
        return i;
    if (j < n && (is_digit(v[j]) || (v[j] == '.' && j + 1 < n && is_digit(v[j + 1]))))
        return i;
    (void)start;
    t->hh = hh;
    t->mm = mm;
    return j;
}

static void emit_date(struct scan *s, size_t a, size_t b, struct ymd *t, const char *detail,
                      double conf)
{
    if (!valid(t))
        return;
    b = time_after(s->v, s->vlen, b, t);
    char value[64]; /* the fields are bounded by valid(), but the compiler cannot know */
    if (t->hh >= 0)
        snprintf(value, sizeof value, "%04d-%02d-%02dT%02d:%02d", t->y, t->m, t->d, t->hh, t->mm);
    else
        snprintf(value, sizeof value, "%04d-%02d-%02d", t->y, t->m, t->d);
    scan_emit(s, TZ_ENT_DATE, a, b, value, detail, conf);
}

/* The reference's year, or 0. */
static int ref_year(const struct scan *s)
{
    if (!s->req->reference)
        return 0;
    struct ymd t;
    civil(ref_day(s), &t);
    return t.y;
}

/* An optional year after a month name: " 2026", " de 2026", ", 2026", " 2026-cü il". */
static int year_after(const char *v, size_t n, size_t *i)
{
    size_t j = *i;
    if (j < n && v[j] == ',')
        j++;
    j = skip_spaces(v, n, j);
    size_t e;
    if (u8_match_fold(v, n, j, "de ", &e))
        j = e;
    int y;
    size_t dg;
    if (j > *i && number(v, n, &j, 4, &y, &dg) && dg == 4 && (j >= n || v[j] != ':')) {
        *i = j;
        return y;
    }
    return 0;
}

/* A numeric date at v[i]: d.m.y, d/m/y, d-m-y, y-m-d. Returns its end, or 0. */
static size_t numeric(struct scan *s, size_t i, struct ymd *t)
{
    const char *v = s->v;
    size_t n = s->vlen, j = i, d1, d2, d3;
    int a, b, c;
    if (!number(v, n, &j, 4, &a, &d1) || j + 1 >= n)
        return 0;
    char sep = v[j];
    if (sep != '.' && sep != '/' && sep != '-')
        return 0;
    j++;
    if (!number(v, n, &j, 2, &b, &d2) || j + 1 >= n || v[j] != sep)
        return 0;
    j++;
    if (!number(v, n, &j, 4, &c, &d3))
        return 0;
    size_t cl;
    if (j < n && ((u8_is_letter(u8_at(v, n, j, &cl)) && !(d1 == 4 && v[j] == 'T')) ||
                  (v[j] == sep && j + 1 < n && is_digit(v[j + 1]))))
        return 0;
    if (d1 == 4 && sep == '-' && d3 <= 2) {
        *t = (struct ymd){a, b, c, -1, 0};
    } else if (d1 <= 2 && (d3 == 4 || (d3 == 2 && sep == '.'))) {
        int y = d3 == 2 ? (c < 70 ? 2000 + c : 1900 + c) : c;
        if (b > 12 && a <= 12 && sep == '/')
            *t = (struct ymd){y, a, b, -1, 0}; /* 03/25/2026: American order */
        else
            *t = (struct ymd){y, b, a, -1, 0};
    } else {
        return 0;
    }
    if (d1 == 4 && j < n && (v[j] == 'T' || v[j] == ' ') && j + 5 < n && is_digit(v[j + 1]) &&
        v[j + 3] == ':') {
        int hh, mm;
        size_t k = j + 1, dg;
        if (number(v, n, &k, 2, &hh, &dg) && v[k] == ':' && (k++, number(v, n, &k, 2, &mm, &dg)) &&
            hh < 24 && mm < 60) {
            t->hh = hh, t->mm = mm;
            j = k;
            if (j + 2 < n && v[j] == ':' && is_digit(v[j + 1]) && is_digit(v[j + 2]))
                j += 3;
            if (j < n && v[j] == 'Z')
                j++;
        }
    }
    return j;
}

/* "12 marca 2026", "12. März", "12 de marzo de 2026", "12th of March 2026". */
static size_t day_month(struct scan *s, size_t i, struct ymd *t)
{
    const char *v = s->v;
    size_t n = s->vlen, j = i, dg, e;
    int d;
    if (!number(v, n, &j, 2, &d, &dg))
        return 0;
    if (j < n && v[j] == '.')
        j++;
    static const char *const ord[] = {"st", "nd", "rd", "th", "-го", "-ci", "-cü", "-cı", "-cu"};
    for (size_t k = 0; k < sizeof ord / sizeof ord[0]; k++)
        if (u8_match_fold(v, n, j, ord[k], &e)) {
            j = e;
            break;
        }
    if (j >= n || v[j] != ' ')
        return 0;
    j = skip_spaces(v, n, j);
    if (u8_match_fold(v, n, j, "de ", &e) || u8_match_fold(v, n, j, "of ", &e))
        j = e;
    int m = month_at(v, n, j, &e);
    if (!m)
        return 0;
    j = e;
    int y = year_after(v, n, &j);
    *t = (struct ymd){y ? y : ref_year(s), m, d, -1, 0};
    return t->y ? j : 0;
}

/* "March 12, 2026", "Mart 12": month first (English; also read in any language). */
static size_t month_day(struct scan *s, size_t i, struct ymd *t)
{
    const char *v = s->v;
    size_t n = s->vlen, j, e, dg;
    int m = month_at(v, n, i, &e);
    if (!m || e >= n || v[e] != ' ')
        return 0;
    j = skip_spaces(v, n, e);
    int d;
    if (!number(v, n, &j, 2, &d, &dg))
        return 0;
    static const char *const ord[] = {"st", "nd", "rd", "th"};
    for (size_t k = 0; k < 4; k++)
        if (u8_match_fold(v, n, j, ord[k], &e) && u8_word_end(v, n, e)) {
            j = e;
            break;
        }
    size_t cl;
    if (j < n && u8_is_letter(u8_at(v, n, j, &cl)))
        return 0;
    int y = year_after(v, n, &j);
    *t = (struct ymd){y ? y : ref_year(s), m, d, -1, 0};
    return t->y ? j : 0;
}

/* "2026 წლის 12 მარტს": Georgian year first. */
static size_t georgian(struct scan *s, size_t i, struct ymd *t)
{
    const char *v = s->v;
    size_t n = s->vlen, j = i, dg, e;
    int y;
    if (!number(v, n, &j, 4, &y, &dg) || dg != 4)
        return 0;
    j = skip_spaces(v, n, j);
    if (!u8_match_fold(v, n, j, "წლის", &e))
        return 0;
    j = skip_spaces(v, n, e);
    size_t end = day_month(s, j, t);
    if (!end)
        return 0;
    t->y = y;
    return end;
}

static size_t relative_at(struct scan *s, size_t i, struct ymd *t)
{
    size_t best = 0, e;
    int days = 0;
    for (size_t k = 0; k < sizeof relative / sizeof relative[0]; k++)
        if (u8_match_fold(s->v, s->vlen, i, relative[k].word, &e) && e > best &&
            u8_word_end(s->v, s->vlen, e)) {
            best = e;
            days = relative[k].n;
        }
    if (!best || !s->req->reference)
        return 0;
    civil(ref_day(s) + days, t);
    t->hh = -1;
    return best;
}

void x_date(struct scan *s)
{
    const char *v = s->v;
    size_t n = s->vlen;
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = u8_at(v, n, i, &len);
        if (!u8_is_letter(cp) || !u8_word_start(v, i)) {
            i += len;
            continue;
        }
        struct ymd t = {0, 0, 0, -1, 0};
        size_t end = 0;
        const char *detail = NULL;
        double conf = 0.95;
        if (is_digit(v[i])) {
            if ((end = georgian(s, i, &t)) == 0 && (end = day_month(s, i, &t)) == 0) {
                end = numeric(s, i, &t);
                conf = 0.9;
            }
        } else if ((end = month_day(s, i, &t)) == 0 && (end = relative_at(s, i, &t)) != 0) {
            detail = "relative";
            conf = 0.85;
        }
        if (end) {
            emit_date(s, i, end, &t, detail, conf);
            i = end;
        } else {
            while (i < n && u8_is_letter(u8_at(v, n, i, &len)))
                i += len;
        }
    }
}
