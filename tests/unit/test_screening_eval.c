/*
 * test_screening_eval - the matcher against the labelled evaluation set
 * (tests/data/screening/pairs.tsv, made by make_pairs.py beside it): each pair is scored at the
 * default configuration and threshold, and on the pairs whose sides are in different scripts
 * recall must be at least 0.95 at a precision of at least 0.90 (issue 15's goal). Prints
 * precision, recall and F1 per kind of pair and overall, and every miss, so a regression names
 * the pairs it lost. Argument: the TSV file.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screening/screening.h"

struct tally {
    unsigned tp, fp, fn, tn;
};

static void add(struct tally *t, bool label, bool hit)
{
    if (label && hit)
        t->tp++;
    else if (label)
        t->fn++;
    else if (hit)
        t->fp++;
    else
        t->tn++;
}

static void print(const char *what, const struct tally *t, double *p, double *r)
{
    *p = t->tp + t->fp ? (double)t->tp / (t->tp + t->fp) : 1.0;
    *r = t->tp + t->fn ? (double)t->tp / (t->tp + t->fn) : 1.0;
    double f1 = *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0;
    printf("%-12s pairs %5u  precision %.3f  recall %.3f  F1 %.3f\n", what,
           t->tp + t->fp + t->fn + t->tn, *p, *r, f1);
}

/* Splits line at tabs into at most n fields; returns how many. */
static size_t split(char *line, char **f, size_t n)
{
    size_t k = 0;
    f[k++] = line;
    for (char *c = line; *c && k < n; c++)
        if (*c == '\t') {
            *c = '\0';
            f[k++] = c + 1;
        }
    return k;
}

static bool side(const char *name, const char *dob, struct tz_screen_name *nm,
                 struct tz_screen_date *d)
{
    memset(d, 0, sizeof *d);
    if (dob[0] && tz_screen_date_parse(dob, strlen(dob), d) != TZ_OK)
        return false;
    return tz_screen_normalise(name, strlen(name), nm) == TZ_OK;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s pairs.tsv\n", argv[0]);
        return 2;
    }
    FILE *in = fopen(argv[1], "r");
    if (!in) {
        perror(argv[1]);
        return 2;
    }
    struct tz_screen_config cfg;
    tz_screen_config_default(&cfg);
    struct tally all = {0}, cross = {0}, kinds[4] = {{0}};
    static const char *const KINDS[] = {"match", "relative", "same_given", "other_dob"};
    char line[1024];
    unsigned lineno = 0, bad = 0;
    static const char nat[TZ_SCREEN_NAT_MAX][3];
    while (fgets(line, sizeof line, in)) {
        char *f[8];
        line[strcspn(line, "\n")] = '\0';
        if (lineno++ == 0 || split(line, f, 8) != 8)
            continue;
        struct tz_screen_query q;
        struct tz_screen_name rec;
        struct tz_screen_date rd;
        memset(&q, 0, sizeof q);
        if (!side(f[4], f[5], &q.name, &q.dob) || !side(f[6], f[7], &rec, &rd)) {
            printf("line %u: refused: %s | %s\n", lineno, f[4], f[6]);
            bad++;
            continue;
        }
        struct tz_screen_explain why;
        tz_screen_score(&cfg, &q, &rec, &rd, nat, 0, &why);
        bool label = f[3][0] == '1', hit = why.score >= cfg.threshold;
        add(&all, label, hit);
        if (f[2][0] == '1')
            add(&cross, label, hit);
        for (size_t k = 0; k < 4; k++)
            if (strcmp(f[0], KINDS[k]) == 0)
                add(&kinds[k], label, hit);
        if (label != hit)
            printf("%s %s %s: %s (%s) | %s (%s): %.3f\n", label ? "missed" : "false hit", f[0],
                   f[1], f[4], f[5], f[6], f[7], why.score);
    }
    fclose(in);
    double p, r, cp, cr;
    for (size_t k = 0; k < 4; k++)
        print(KINDS[k], &kinds[k], &p, &r);
    print("all", &all, &p, &r);
    print("cross-script", &cross, &cp, &cr);
    tz_screen_release();
    if (bad || cr < 0.95 || cp < 0.90) {
        printf("FAIL: %u refused; cross-script recall %.3f (>= 0.95), precision %.3f (>= 0.90)\n",
               bad, cr, cp);
        return 1;
    }
    return 0;
}
