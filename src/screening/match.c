/*
 * match.c - the exact scorer and its explanation (tz_screen_score).
 *
 * Every query part is compared with every record part and the pair gets the best of: the same
 * letters (1.0), the same after folding (0.98) or after transliteration (0.97), one name in two
 * languages by the variant table (0.95), the same phonetic key (0.2 + 0.75 x similarity of the
 * closest forms, so Aliev/Aliyev scores high and Hasan/Husayn, which share a skeleton, does not;
 * Arabic script, which writes no short vowels, 0.9), close in edit distance (0.2 + 0.75 x
 * similarity, at least 0.75 similar: Thompson/Thomson), an initial (0.6). Pairs are
 * then taken best first, each part at most once, in any order (names are written surname first
 * or last). The name score is the weighted sum over query parts divided by their weight plus
 * half the weight of the record's parts left unmatched (a patronymic left out weighs a tenth,
 * an initial a fifth): "Ivan Petrov" against "Ivan Ivanovich Petrov" still scores 0.95. Date of
 * birth, nationality and sex then move the score by the configured amounts.
 */
#include <string.h>

#include "screening/internal.h"

static const char *const HOW_CODES[TZ_SCREEN_HOW_COUNT] = {
    [TZ_SCREEN_SAME] = "same",         [TZ_SCREEN_FOLDED] = "folded",
    [TZ_SCREEN_TRANSLIT] = "transliterated", [TZ_SCREEN_VARIANT] = "variant",
    [TZ_SCREEN_PHONETIC] = "phonetic", [TZ_SCREEN_EDIT] = "edit_distance",
    [TZ_SCREEN_INITIAL] = "initial",
};

const char *tz_screen_how_code(enum tz_screen_how how)
{
    return (unsigned)how < TZ_SCREEN_HOW_COUNT ? HOW_CODES[how] : "unknown";
}

const char *tz_screen_fact_code(enum tz_screen_fact fact)
{
    static const char *const codes[] = {"unknown", "same", "partial", "near", "differ"};
    return (unsigned)fact < sizeof codes / sizeof codes[0] ? codes[fact] : "unknown";
}

void tz_screen_config_default(struct tz_screen_config *cfg)
{
    *cfg = (struct tz_screen_config){
        .threshold = 0.80,
        .dob_exact = 0.05,
        .dob_partial = 0.02,
        .dob_near = -0.05,
        .dob_differ = -0.30,
        .nat_same = 0.02,
        .nat_differ = -0.05,
        .sex_differ = -0.20,
        .max_hits = 20,
    };
}

static bool digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

tz_err tz_screen_date_parse(const char *s, size_t n, struct tz_screen_date *out)
{
    static const uint8_t mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y = 0, m = 0, d = 0;
    *out = (struct tz_screen_date){0};
    if (!s || (n != 4 && n != 7 && n != 10) || !digits(s, 4, &y) || y < 1800 || y > 2200)
        return TZ_EINVAL;
    if (n >= 7 && (s[4] != '-' || !digits(s + 5, 2, &m) || m < 1 || m > 12))
        return TZ_EINVAL;
    if (n == 10 && (s[7] != '-' || !digits(s + 8, 2, &d) || d < 1 || d > mdays[m - 1]))
        return TZ_EINVAL;
    *out = (struct tz_screen_date){(uint16_t)y, (uint8_t)m, (uint8_t)d};
    return TZ_OK;
}

/* The best comparison of two parts: how and score, and which forms met (*fi, *fj). */
static void compare_how(const struct tz_screen_part *q, const struct tz_screen_part *r,
                        struct tz_screen_pair *out, size_t *fi, size_t *fj)
{
    out->score = 0;
    out->how = TZ_SCREEN_EDIT;
    double best = 0;
    size_t bi = 0, bj = 0;
    bool exact = false;
    for (size_t i = 0; i < q->nforms && !exact; i++)
        for (size_t j = 0; j < r->nforms && !exact; j++)
            if (strcmp(q->form[i], r->form[j]) == 0)
                exact = true, best = 1.0, bi = i, bj = j;
    /* Without a variant, a phonetic key or an initial in common, a pair under 0.75 similar
     * scores nothing: the distances need only be known down to there. A pair that cannot beat
     * the best so far is not computed; the first best pair is the same as by computing all. */
    bool any = q->role == TZ_SCREEN_PART_INITIAL || r->role == TZ_SCREEN_PART_INITIAL ||
               (q->variant[0] && strcmp(q->variant, r->variant) == 0) ||
               strcmp(q->phon, r->phon) == 0;
    double floor = any ? 0.0 : 0.75;
    size_t rlen[TZ_SCREEN_FORMS_MAX];
    for (size_t j = 0; j < r->nforms && !exact; j++)
        rlen[j] = strlen(r->form[j]);
    for (size_t i = 0; i < q->nforms && !exact; i++) {
        size_t qlen = strlen(q->form[i]);
        for (size_t j = 0; j < r->nforms; j++) {
            double s = tz_screen_similarity_len(q->form[i], qlen, r->form[j], rlen[j],
                                                best > floor ? best : floor);
            if (s > best) {
                best = s, bi = i, bj = j;
            }
        }
    }
    *fi = bi, *fj = bj;
    if (best >= 1.0) {
        bool written_same = (q->origin == TZ_SCREEN_SAME && r->origin == TZ_SCREEN_SAME) ||
                            strcmp(q->written, r->written) == 0;
        uint8_t origin = q->origin > r->origin ? q->origin : r->origin;
        out->how = written_same ? TZ_SCREEN_SAME : origin;
        out->score = out->how == TZ_SCREEN_SAME     ? 1.0
                     : out->how == TZ_SCREEN_FOLDED ? 0.98
                                                    : 0.97;
        if (out->how == TZ_SCREEN_SAME && bi + bj > 0)
            out->how = TZ_SCREEN_FOLDED; /* met by a glued or second form */
        return;
    }
    if (q->role == TZ_SCREEN_PART_INITIAL || r->role == TZ_SCREEN_PART_INITIAL) {
        if (q->form[0][0] == r->form[0][0]) {
            out->how = TZ_SCREEN_INITIAL;
            out->score = 0.6;
        }
        return;
    }
    if (q->variant[0] && strcmp(q->variant, r->variant) == 0) {
        out->how = TZ_SCREEN_VARIANT;
        out->score = 0.95;
        return;
    }
    if (strcmp(q->phon, r->phon) == 0) {
        /* Arabic script writes no short vowels: its consonants are all it says. */
        out->how = TZ_SCREEN_PHONETIC;
        out->score = q->abjad || r->abjad ? 0.9 : 0.2 + 0.75 * best;
        return;
    }
    if (best >= 0.75)
        out->score = 0.2 + 0.75 * best;
}

/* compare_how, and the forms and parts as written for a pair that scores (the others are
 * dropped: their texts are not copied, on the path of every candidate). */
static void compare(const struct tz_screen_part *q, const struct tz_screen_part *r,
                    struct tz_screen_pair *out)
{
    size_t bi = 0, bj = 0;
    compare_how(q, r, out, &bi, &bj);
    if (out->score <= 0)
        return;
    memcpy(out->query_form, q->form[bi], sizeof out->query_form);
    memcpy(out->record_form, r->form[bj], sizeof out->record_form);
    memcpy(out->query_written, q->written, sizeof out->query_written);
    memcpy(out->record_written, r->written, sizeof out->record_written);
}

static double part_weight(const struct tz_screen_part *p)
{
    return p->role == TZ_SCREEN_PART_NAME ? 1.0 : 0.5;
}

static double unmatched_weight(const struct tz_screen_part *p)
{
    return p->role == TZ_SCREEN_PART_PATRONYMIC ? 0.1
           : p->role == TZ_SCREEN_PART_INITIAL  ? 0.2
                                                : 0.5;
}

/* The name score and its pairs. */
static void score_names(const struct tz_screen_name *q, const struct tz_screen_name *r,
                        struct tz_screen_explain *why)
{
    struct tz_screen_pair all[TZ_SCREEN_PARTS_MAX * TZ_SCREEN_PARTS_MAX];
    size_t n = 0;
    for (uint8_t i = 0; i < q->nparts; i++)
        for (uint8_t j = 0; j < r->nparts; j++) {
            compare(&q->part[i], &r->part[j], &all[n]);
            all[n].query_part = i, all[n].record_part = j;
            if (all[n].score > 0)
                n++;
        }
    bool qused[TZ_SCREEN_PARTS_MAX] = {0}, rused[TZ_SCREEN_PARTS_MAX] = {0};
    double sum = 0, weight = 0;
    why->npairs = 0;
    for (;;) { /* best remaining pair first; at most PARTS_MAX rounds */
        size_t best = n;
        for (size_t k = 0; k < n; k++)
            if (!qused[all[k].query_part] && !rused[all[k].record_part] &&
                (best == n || all[k].score > all[best].score))
                best = k;
        if (best == n)
            break;
        qused[all[best].query_part] = rused[all[best].record_part] = true;
        sum += all[best].score * part_weight(&q->part[all[best].query_part]);
        why->pair[why->npairs++] = all[best];
    }
    for (uint8_t i = 0; i < q->nparts; i++)
        weight += part_weight(&q->part[i]);
    for (uint8_t j = 0; j < r->nparts; j++)
        if (!rused[j])
            weight += unmatched_weight(&r->part[j]);
    why->name_score = weight > 0 ? sum / weight : 0;
}

static void score_dob(const struct tz_screen_config *cfg, const struct tz_screen_date *a,
                      const struct tz_screen_date *b, struct tz_screen_explain *why)
{
    why->dob = TZ_SCREEN_FACT_NONE, why->dob_move = 0;
    if (!a->year || !b->year)
        return;
    int dy = (int)a->year - (int)b->year;
    bool month_known = a->month && b->month, day_known = a->day && b->day;
    if (dy == 0 && (!month_known || a->month == b->month) && (!day_known || a->day == b->day)) {
        bool full = day_known;
        why->dob = full ? TZ_SCREEN_FACT_SAME : TZ_SCREEN_FACT_PARTIAL;
        why->dob_move = full ? cfg->dob_exact : cfg->dob_partial;
    } else if (dy == 1 || dy == -1) {
        why->dob = TZ_SCREEN_FACT_NEAR, why->dob_move = cfg->dob_near;
    } else {
        why->dob = TZ_SCREEN_FACT_DIFFER, why->dob_move = cfg->dob_differ;
    }
}

static void score_nat(const struct tz_screen_config *cfg, const char a[TZ_SCREEN_NAT_MAX][3],
                      const char b[TZ_SCREEN_NAT_MAX][3], struct tz_screen_explain *why)
{
    bool any_a = false, any_b = false;
    why->nat = TZ_SCREEN_FACT_NONE, why->nat_move = 0;
    for (size_t i = 0; i < TZ_SCREEN_NAT_MAX; i++) {
        any_a |= a[i][0] != 0, any_b |= b[i][0] != 0;
        for (size_t j = 0; a[i][0] && j < TZ_SCREEN_NAT_MAX; j++)
            if (b[j][0] && memcmp(a[i], b[j], 2) == 0) {
                why->nat = TZ_SCREEN_FACT_SAME, why->nat_move = cfg->nat_same;
                return;
            }
    }
    if (any_a && any_b)
        why->nat = TZ_SCREEN_FACT_DIFFER, why->nat_move = cfg->nat_differ;
}

void tz_screen_score(const struct tz_screen_config *cfg, const struct tz_screen_query *q,
                     const struct tz_screen_name *rec, const struct tz_screen_date *dob,
                     const char nat[TZ_SCREEN_NAT_MAX][3], uint8_t sex,
                     struct tz_screen_explain *why)
{
    memset(why, 0, sizeof *why);
    score_names(&q->name, rec, why);
    score_dob(cfg, &q->dob, dob, why);
    score_nat(cfg, q->nat, nat, why);
    why->sex = TZ_SCREEN_FACT_NONE;
    if (q->sex && sex) {
        why->sex = q->sex == sex ? TZ_SCREEN_FACT_SAME : TZ_SCREEN_FACT_DIFFER;
        why->sex_move = q->sex == sex ? 0 : cfg->sex_differ;
    }
    double s = why->name_score + why->dob_move + why->nat_move + why->sex_move;
    why->score = s < 0 ? 0 : s > 1 ? 1 : s;
}
