/*
 * bench_lang - language identification measured (make bench, docs/assistant-lang.md).
 *
 *   bench_lang EVAL.TSV [CORPUS.JSONL]
 *
 * Prints the accuracy by language and length bucket (short: 20-100 characters, long: 100 and
 * more) of three identifiers on the labelled set: libexttextcat's textcat_Classify over the same
 * 14 fingerprints (when the build found the library: the baseline issue 16 names), our scorer of
 * those fingerprints alone (ngrams), and our default, ngrams plus letter and word evidence
 * (letters); then the time per call of the default on the long texts. With the assistant
 * corpus (JSON lines with text and language) it prints the default's accuracy on it too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "assistant/lang.h"

#ifdef TZ_HAVE_TEXTCAT
#include <libexttextcat/textcat.h>
#endif

#define MAXTEXTS 8192
#define NMETHOD 3

struct item {
    char lang[8];
    int longer;
    char *text;
};

static struct item items[MAXTEXTS];
static size_t nitems;

static void load(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[16384];
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    while (nitems < MAXTEXTS && fgets(line, sizeof line, f) != NULL) {
        char *b = strchr(line, '\t'), *t, *nl;
        if (b == NULL)
            continue;
        *b++ = '\0';
        t = strchr(b, '\t');
        t = t != NULL ? strchr(t + 1, '\t') : NULL;
        if (t == NULL)
            continue;
        t++;
        nl = strchr(t, '\n');
        if (nl != NULL)
            *nl = '\0';
        if (strlen(line) >= sizeof items[nitems].lang)
            continue;
        memcpy(items[nitems].lang, line, strlen(line) + 1);
        items[nitems].longer = strncmp(b, "long", 4) == 0;
        items[nitems].text = strdup(t);
        nitems++;
    }
    fclose(f);
}

#ifdef TZ_HAVE_TEXTCAT
static void *textcat_open(void)
{
    char conf[] = "/tmp/bench_lang_XXXXXX";
    int fd = mkstemp(conf);
    FILE *f;
    void *h;
    if (fd < 0)
        return NULL;
    f = fdopen(fd, "w");
    for (size_t i = 0; tz_lang_code(i) != NULL; i++)
        fprintf(f, "/usr/share/libexttextcat/%s.lm %s\n", tz_lang_code(i), tz_lang_code(i));
    fclose(f);
    h = textcat_Init(conf);
    unlink(conf);
    if (h != NULL) {
        textcat_SetProperty(h, TCPROP_UTF8AWARE, TC_TRUE);
        textcat_SetProperty(h, TCPROP_MINIMUM_DOCUMENT_SIZE, 1);
    }
    return h;
}

/* textcat's answer "[pl][cs]..." as its first code; "" for UNKNOWN or SHORT. */
static void textcat_lang(void *h, const char *t, char out[8])
{
    const char *r = textcat_Classify(h, t, strlen(t));
    out[0] = '\0';
    if (r != NULL && r[0] == '[') {
        size_t n = strcspn(r + 1, "]");
        if (n < 8) {
            memcpy(out, r + 1, n);
            out[n] = '\0';
        }
    }
}
#endif

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    static const char *names[NMETHOD] = {"textcat", "ngrams", "letters"};
    size_t ok[NMETHOD][16][2] = {{{0}}}, total[16][2] = {{0}};
    void *tc = NULL;
    double t0, spent = 0;
    size_t timed = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: bench_lang EVAL.TSV [CORPUS.JSONL]\n");
        return 2;
    }
    load(argv[1]);
#ifdef TZ_HAVE_TEXTCAT
    tc = textcat_open();
#endif
    for (size_t i = 0; i < nitems; i++) {
        struct item *it = &items[i];
        size_t l = 0;
        while (tz_lang_code(l) != NULL && strcmp(tz_lang_code(l), it->lang) != 0)
            l++;
        if (tz_lang_code(l) == NULL)
            continue;
        total[l][it->longer]++;
        for (int m = 0; m < NMETHOD; m++) {
            char got[8] = "";
            struct tz_lang_guess g;
            if (m == 0) {
#ifdef TZ_HAVE_TEXTCAT
                if (tc != NULL)
                    textcat_lang(tc, it->text, got);
#endif
            } else {
                t0 = now_us();
                if (tz_lang_identify_by(it->text, strlen(it->text),
                                        m == 1 ? TZ_LANG_NGRAMS : TZ_LANG_NGRAMS_LETTERS,
                                        &g) != TZ_OK) {
                    fprintf(stderr, "bench_lang: identify failed\n");
                    return 1;
                }
                if (m == 2 && it->longer)
                    spent += now_us() - t0, timed++;
                memcpy(got, g.lang, sizeof g.lang);
            }
            ok[m][l][it->longer] += strcmp(got, it->lang) == 0;
        }
    }
    printf("lang  %-22s %-22s %-22s\n", "textcat short/long %", "ngrams short/long %",
           "letters short/long %");
    size_t sum_ok[NMETHOD][2] = {{0}}, sum_total[2] = {0};
    for (size_t l = 0; tz_lang_code(l) != NULL; l++) {
        printf("%-5s", tz_lang_code(l));
        for (int m = 0; m < NMETHOD; m++) {
            printf(" %9.1f %-12.1f", 100.0 * ok[m][l][0] / (double)(total[l][0] ? total[l][0] : 1),
                   100.0 * ok[m][l][1] / (double)(total[l][1] ? total[l][1] : 1));
            for (int b = 0; b < 2; b++)
                sum_ok[m][b] += ok[m][l][b];
        }
        printf("\n");
        for (int b = 0; b < 2; b++)
            sum_total[b] += total[l][b];
    }
    printf("all  ");
    for (int m = 0; m < NMETHOD; m++)
        printf(" %9.1f %-12.1f", 100.0 * sum_ok[m][0] / (double)sum_total[0],
               100.0 * sum_ok[m][1] / (double)sum_total[1]);
    printf("\ntexts short=%zu long=%zu%s\n", sum_total[0], sum_total[1],
           tc == NULL ? " (textcat: not built with libexttextcat)" : "");
    printf("lang_identify_us_per_long_text=%.1f (%s)\n", timed ? spent / timed : 0.0, names[2]);
#ifdef TZ_HAVE_TEXTCAT
    if (tc != NULL)
        textcat_Done(tc);
#endif
    return 0;
}
