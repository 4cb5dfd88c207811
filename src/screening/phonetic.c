/*
 * phonetic.c - the phonetic key of a romanised name part, the name-variant table and the edit
 * similarity.
 *
 * Why a key of our own: Soundex, Metaphone and Daitch-Mokotoff are made for English or German
 * spellings of names and split what romanisation schemes disagree on (Zhukov/Žukov, Khalid/
 * Halid/Chalid, Aliev/Aliyev/Əliyev, Tsvetkov/Cvetkov, Shcherbakov/Ščerbakov). This key is a
 * consonant skeleton in which exactly those disagreements fall together: the digraphs of every
 * scheme map to one letter (shch/sch/sh/sz/š -> s, ch/cz/č/tsch -> c, zh/ž -> z, kh/gh/h/g -> g
 * since Russian writes foreign h as г, ts/tz/ц -> c, ph -> f, w -> v, x -> ks, q -> g as
 * Azerbaijani q and Russian г for it, c -> k before a back vowel or a consonant), vowels
 * and y (and j after a vowel: Andrej/Andrey) are dropped because schemes and languages disagree
 * most on them (and Arabic script does not write short vowels), except that a leading vowel is
 * kept as '0' (Oleksandr/Aleksandr meet, Aleksandr/Leksandr do not), doubled consonants collapse,
 * a final h after a vowel goes (Abdullah/Abdulla) and a final d is t (Mehmet/Muhammad, final
 * devoicing in Slavic and Turkish spellings). It is deliberately coarse: it only finds
 * candidates; the scorer (match.c) decides with the forms themselves.
 *
 * The name-variant table holds the spellings of one given name across languages that no
 * romanisation rule links (Mykola/Nikolay, Hanna/Anna, Muhammad/Mehmet, Józef/Yusuf): it is data,
 * sorted once and searched by bisection.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screening/internal.h"

/* Multi-letter spellings and what they become (first match at a position wins: longest first). */
static const struct {
    const char *from;
    const char *to;
} DIGRAPHS[] = {
    {"shch", "s"}, {"tsch", "c"}, {"sch", "s"}, {"dzh", "j"}, {"sh", "s"}, {"sz", "s"},
    {"ch", "c"},   {"cz", "c"},   {"zh", "z"},  {"kh", "g"},  {"gh", "g"}, {"ts", "c"},
    {"tz", "c"},   {"dz", "z"},   {"dj", "j"},  {"ph", "f"},  {"th", "t"}, {"dh", "d"},
    {"ck", "k"},   {"x", "ks"},   {"q", "g"},   {"w", "v"},   {"h", "g"},
};

static bool vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/* The form with its digraphs replaced, vowels as 'a'; into out (size n). */
static void simplify(const char *s, char *out, size_t n)
{
    size_t len = strlen(s), k = 0;
    /* A final h after a vowel is silent in every scheme that writes it. */
    if (len >= 2 && s[len - 1] == 'h' && vowel(s[len - 2]))
        len--;
    for (size_t i = 0; i < len && k + 3 < n;) {
        size_t j = 0, best = 0;
        for (j = 0; j < sizeof DIGRAPHS / sizeof DIGRAPHS[0]; j++) {
            size_t fl = strlen(DIGRAPHS[j].from);
            if (fl <= len - i && memcmp(s + i, DIGRAPHS[j].from, fl) == 0) {
                best = fl;
                break;
            }
        }
        if (best) {
            const char *to = DIGRAPHS[j].to;
            size_t tl = strlen(to);
            memcpy(out + k, to, tl);
            k += tl;
            i += best;
            continue;
        }
        char c = s[i++];
        if (c == 'j' && k > 0 && out[k - 1] == 'a' && s[i] != 'j')
            c = 'a'; /* j after a vowel is a glide (Andrej, Alijev), not in Najjar */
        else if (c == 'c' && !(i < len && (s[i] == 'e' || s[i] == 'i' || s[i] == 'y')))
            c = 'k'; /* c before a, o, u or a consonant: Catherine/Katherine, Carl/Karl */
        out[k++] = vowel(c) ? 'a' : c;
    }
    out[k] = '\0';
}

void tz_screen_phonetic(const char *form, char out[TZ_SCREEN_PHON_MAX])
{
    char s[2 * TZ_SCREEN_KEY_MAX + 4];
    simplify(form, s, sizeof s);
    size_t k = 0;
    char prev = 0;
    for (size_t i = 0; s[i] && k + 1 < TZ_SCREEN_PHON_MAX; i++) {
        char c = s[i];
        if (c == 'a') {
            if (k == 0)
                out[k++] = '0';
            prev = 'a';
            continue;
        }
        if (c == prev)
            continue;
        out[k++] = c;
        prev = c;
    }
    out[k] = '\0';
    /* Abd al-Rahman / Abdurrahman: the article's l before a consonant goes. */
    if (k > 5 && memcmp(out, "0bdl", 4) == 0 && out[4] != 'l') {
        memmove(out + 3, out + 4, k - 3);
        k--;
    }
    if (k > 1 && out[k - 1] == 'd')
        out[k - 1] = 't';
}

/* Each row: the class first, then its other spellings; NULL ends a row. */
static const char *const VARIANTS[][20] = {
    {"muhammad", "mohammed", "mohamed", "mohammad", "muhammed", "mohamad", "muhamed", "mehmet",
     "mehmed", "mukhammad", "magomed", "mohamud", "mahomed", "muhamad", "mohammet", "mukhamed",
     NULL},
    {"ahmad", "ahmed", "ahmet", "akhmed", "akhmad", "achmed", "ahmat", "akhmet", NULL},
    {"husayn", "hussein", "husein", "hussain", "husain", "huseyn", "huseyin", "guseyn", "gusein",
     "hossein", "houssein", "guseyn", "huseini", NULL},
    {"hasan", "hassan", "gasan", "khasan", "hasen", NULL},
    {"yusuf", "yousef", "youssef", "yousuf", "yusef", "yosef", "iosif", "josef", "jozef", "joseph",
     "jusuf", "yussuf", "osip", NULL},
    {"umar", "omar", "omer", "oumar", NULL},
    {"uthman", "osman", "usman", "othman", "usmon", NULL},
    {"abdullah", "abdallah", "abdulla", "abdula", "abdalla", "abdollah", NULL},
    {"abdulrahman", "abdurrahman", "abdalrahman", "abdelrahman", "abdurahman", "abdurakhman",
     "abderrahmane", "abdelrahmane", NULL},
    {"mustafa", "mustapha", "moustafa", "mostafa", NULL},
    {"mahmud", "mahmoud", "mahmood", "makhmud", NULL},
    {"ibrahim", "ebrahim", "ibragim", "brahim", "ibraheem", NULL},
    {"ismail", "ismayil", "ismael", "ismoil", "esmail", "ismayil", NULL},
    {"khalid", "khaled", "halid", "chalid", NULL},
    {"yaqub", "yakub", "yakup", "jakub", "jacob", "jakob", "yaakov", "yakov", "iakov", NULL},
    {"suleyman", "sulayman", "suleiman", "sulejman", "sulaiman", "soliman", NULL},
    {"aleksandr", "oleksandr", "alexander", "aleksander", "aliaksandr", "alyaksandr", "olexandr",
     "alexandr", "aleksandar", "aleksandre", "oleksander", "alexandre", "alessandro", NULL},
    {"aleksey", "oleksiy", "oleksii", "aleksei", "alexei", "alexey", "aliaksei", "alyaksey",
     "oleksij", "aleksej", "aleksiej", NULL},
    {"nikolay", "nikolai", "mykola", "mikola", "mikalai", "nicolai", "nikolaj", "mikolaj",
     "nicholas", "nikola", "mikalay", NULL},
    {"mikhail", "mykhailo", "mikhailo", "michal", "michael", "mihail", "mikhael", "mikail",
     "mihajlo", "mykhaylo", "mikhal", "mihai", NULL},
    {"sergey", "sergei", "serhiy", "serhii", "siarhei", "sergiy", "sergii", "serhij", "sergej",
     "siargei", "sergiusz", NULL},
    {"vladimir", "volodymyr", "uladzimir", "wladimir", "wlodzimierz", "vladimer", "uladzimer",
     NULL},
    {"dmitriy", "dmitry", "dmitri", "dmytro", "dzmitry", "dmitrij", "dymitr", "dzmitryi",
     "dmitrii", NULL},
    {"yuriy", "yuri", "yury", "yurii", "jurij", "juri", "iurii", "yurij", "yuras", "jury", NULL},
    {"georgiy", "georgi", "giorgi", "george", "heorhiy", "georgios", "jerzy", "heorhii",
     "georgii", "jurgen", NULL},
    {"ivan", "iwan", "ivane", "ioann", "ivanne", NULL},
    {"pavel", "pavlo", "pawel", "paul", "pavle", "pavlos", "paulius", NULL},
    {"petr", "pyotr", "piotr", "petro", "peter", "pieter", "petar", "petros", "petras", NULL},
    {"andrey", "andrei", "andriy", "andrii", "andrzej", "andrew", "andreas", "andrij", "andrej",
     "andria", "andrus", NULL},
    {"anna", "hanna", "ganna", "ana", "ann", "anne", "ganka", NULL},
    {"yelena", "elena", "olena", "alena", "helena", "jelena", "alyona", "halina", "alena", NULL},
    {"yekaterina", "ekaterina", "kateryna", "katerina", "katarzyna", "catherine", "katharina",
     "katsiaryna", "kateryna", NULL},
    {"yevgeniy", "evgeniy", "yevhen", "evgeny", "eugene", "eugeniusz", "yauhen", "jewgienij",
     "evgenij", "yevgeny", "ievgen", "ievgenii", NULL},
    {"olga", "olha", "volha", "olia", NULL},
    {"tatyana", "tatiana", "tetiana", "tatsiana", "tatjana", "tacjana", "tetyana", NULL},
    {"natalya", "natalia", "nataliya", "natalja", "natalie", "nataliia", "natallia", NULL},
    {"mariya", "maria", "mariia", "maryia", "marija", "marya", "maryja", "mary", "marie", NULL},
    {"yuliya", "yulia", "yuliia", "yulija", "julia", "julija", "iuliia", "juliya", "yulyia", NULL},
    {"svetlana", "sviatlana", "svitlana", "swietlana", "svyatlana", NULL},
    {"grigoriy", "hryhoriy", "grigori", "hryhorii", "ryhor", "grzegorz", "gregory", "grigol",
     NULL},
    {"vasiliy", "vasyl", "vasili", "vasil", "wasyl", "vasily", "vasilii", "vasilij", NULL},
    {"konstantin", "kostiantyn", "kanstantsin", "konstanty", "constantin", "kostyantyn", NULL},
    {"stepan", "stefan", "stephen", "steven", "szczepan", "stsiapan", "stepane", NULL},
    {"fyodor", "fedor", "fedir", "teodor", "theodore", "fiodor", "fedar", NULL},
    {"jan", "john", "johann", "johannes", "ioannis", "hans", "jon", NULL},
};

struct variant_entry {
    const char *form;
    const char *cls;
};
static struct variant_entry *entries, *by_key;
static size_t nentries;
static pthread_once_t once = PTHREAD_ONCE_INIT;
/* Phonetic key of each spelling, for by_key. */
static char (*keys)[TZ_SCREEN_PHON_MAX];

static int by_form(const void *a, const void *b)
{
    return strcmp(((const struct variant_entry *)a)->form, ((const struct variant_entry *)b)->form);
}

static void build_table(void)
{
    size_t n = 0;
    for (size_t r = 0; r < sizeof VARIANTS / sizeof VARIANTS[0]; r++)
        for (size_t i = 0; VARIANTS[r][i]; i++)
            n++;
    /* A table of a few hundred entries made once; if it cannot be made, no variants are known. */
    entries = calloc(n, sizeof *entries);
    by_key = calloc(n, sizeof *by_key);
    keys = calloc(n, sizeof *keys);
    if (!entries || !by_key || !keys) {
        free(entries), free(by_key), free(keys);
        entries = by_key = NULL, keys = NULL;
        return;
    }
    for (size_t r = 0; r < sizeof VARIANTS / sizeof VARIANTS[0]; r++)
        for (size_t i = 0; VARIANTS[r][i]; i++) {
            tz_screen_phonetic(VARIANTS[r][i], keys[nentries]);
            by_key[nentries] = (struct variant_entry){keys[nentries], VARIANTS[r][0]};
            entries[nentries++] = (struct variant_entry){VARIANTS[r][i], VARIANTS[r][0]};
        }
    qsort(entries, nentries, sizeof *entries, by_form);
    qsort(by_key, nentries, sizeof *by_key, by_form);
}

const char *tz_screen_variant_of_key(const char *phon)
{
    pthread_once(&once, build_table);
    if (!by_key)
        return NULL;
    struct variant_entry key = {phon, NULL};
    const struct variant_entry *e = bsearch(&key, by_key, nentries, sizeof *by_key, by_form);
    if (!e)
        return NULL;
    /* The same key in two classes (Hasan, Husayn: gsn) names neither. */
    const struct variant_entry *lo = e, *hi = e, *end = by_key + nentries;
    while (lo > by_key && strcmp(lo[-1].form, phon) == 0)
        lo--;
    while (hi + 1 < end && strcmp(hi[1].form, phon) == 0)
        hi++;
    for (const struct variant_entry *x = lo; x <= hi; x++)
        if (strcmp(x->cls, e->cls) != 0)
            return NULL;
    return e->cls;
}

const char *tz_screen_variant_of(const char *form)
{
    pthread_once(&once, build_table);
    if (!entries)
        return NULL;
    struct variant_entry key = {form, NULL};
    const struct variant_entry *e = bsearch(&key, entries, nentries, sizeof *entries, by_form);
    return e ? e->cls : NULL;
}

double tz_screen_similarity(const char *a, const char *b)
{
    return tz_screen_similarity_min(a, b, 0.0);
}

double tz_screen_similarity_min(const char *a, const char *b, double floor)
{
    return tz_screen_similarity_len(a, strlen(a), b, strlen(b), floor);
}

double tz_screen_similarity_len(const char *a, size_t la, const char *b, size_t lb, double floor)
{
    if (la == 0 && lb == 0)
        return 1.0;
    if (la >= TZ_SCREEN_KEY_MAX || lb >= TZ_SCREEN_KEY_MAX)
        return floor > 0 ? -1.0 : 0.0;
    size_t longer = la > lb ? la : lb;
    /* The most edits that keep the similarity at floor or above: the lengths alone may say no,
     * and the rows stop once two running are all above it. */
    unsigned dmax = floor > 0 ? (unsigned)((1.0 - floor) * (double)longer + 1e-9) : ~0u;
    if ((la > lb ? la - lb : lb - la) > dmax)
        return -1.0;
    /* Three rows of the optimal string alignment distance (a swap of two letters is one edit:
     * Micheal/Michael). */
    unsigned rows[3][TZ_SCREEN_KEY_MAX + 1];
    unsigned *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (unsigned)j;
    unsigned prev_min = 0;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (unsigned)i;
        unsigned cur_min = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
            unsigned v = prev[j - 1] + cost;
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            cur_min = v < cur_min ? v : cur_min;
        }
        if (cur_min > dmax && prev_min > dmax)
            return -1.0;
        prev_min = cur_min;
        unsigned *t = prev2;
        prev2 = prev, prev = cur, cur = t;
    }
    if (prev[lb] > dmax)
        return -1.0;
    return 1.0 - (double)prev[lb] / (double)longer;
}
