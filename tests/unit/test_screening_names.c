/*
 * Unit tests of screening's person side: the name normaliser (table-driven per language: each row
 * a name as written and a Latin form or key its part must have), the phonetic key, the scorer and
 * its explanation field by field, partial dates, the index's hits best first, the watch-list
 * parsers line by line (FollowTheMoney, CSV, JSON), an import stored in one transaction with its
 * audit entry (a failing file leaves the list as it was), and person queries answered, audited
 * with their reason, checked field by field and refused to an admin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "screening/screening.h"

static struct tz_screen_name norm(const char *s)
{
    struct tz_screen_name n;
    tz_err err = tz_screen_normalise(s, strlen(s), &n);
    if (err)
        fprintf(stderr, "refused: %s\n", s);
    assert_int_equal(err, TZ_OK);
    return n;
}

static bool has_form(const struct tz_screen_part *p, const char *f)
{
    for (size_t i = 0; i < p->nforms; i++)
        if (strcmp(p->form[i], f) == 0)
            return true;
    return false;
}

static void dump(const char *s, const struct tz_screen_name *n)
{
    fprintf(stderr, "%s:", s);
    for (size_t i = 0; i < n->nparts; i++) {
        fprintf(stderr, " [");
        for (size_t f = 0; f < n->part[i].nforms; f++)
            fprintf(stderr, "%s%s", f ? "/" : "", n->part[i].form[f]);
        fprintf(stderr, " %s %s r%u]", n->part[i].phon, n->part[i].variant, n->part[i].role);
    }
    fprintf(stderr, "\n");
}

/* Each row: language, name as written, which part, a Latin form that part must have. */
static const struct {
    const char *lang, *name;
    unsigned part;
    const char *form;
} FORMS[] = {
    {"pl", "Łukasz Wałęsa", 0, "lukasz"},
    {"pl", "Łukasz Wałęsa", 1, "walesa"},
    {"pl", "Grzegorz Brzęczyszczykiewicz", 1, "brzeczyszczykiewicz"},
    {"az", "Əliyev İlham", 0, "eliyev"},
    {"az", "Əliyev İlham", 1, "ilham"},
    {"az", "Ağaoğlu Şəhla", 0, "agaoglu"},
    {"az", "Çingiz Qasımov", 1, "qasimov"},
    {"az-cyrl", "Әлијев", 0, "eliyev"},
    {"ru", "Алиев", 0, "aliev"},
    {"ru", "Алиев", 0, "aliyev"},
    {"ru", "Щербаков", 0, "shcherbakov"},
    {"ru", "Юлия", 0, "yuliya"},
    {"ru", "Юлия", 0, "iuliia"},
    {"ru", "Жуков", 0, "zhukov"},
    {"uk", "Олександр", 0, "oleksandr"},
    {"uk", "Гнатюк", 0, "hnatyuk"},
    {"be", "Лукашэнка", 0, "lukashenka"},
    {"bg", "Стоянов", 0, "stoyanov"},
    {"sr", "Ђоковић", 0, "djokovic"},
    {"kk", "Назарбаев", 0, "nazarbayev"},
    {"el", "Αλέξανδρος Παπαδόπουλος", 0, "alexandros"},
    {"el", "Αλέξανδρος Παπαδόπουλος", 1, "papadopoulos"},
    {"ka", "ჯუღაშვილი", 0, "jughashvili"},
    {"hy", "Արամ", 0, "aram"},
    {"ar", "محمد", 0, "mhmd"},
    {"ar", "يوسف", 0, "yusf"},
    {"tr", "Gündoğdu Işık", 0, "gundogdu"},
    {"tr", "Gündoğdu Işık", 1, "isik"},
    {"de", "Müller Straße", 0, "mueller"},
    {"de", "Müller Straße", 0, "muller"},
    {"de", "Müller Straße", 1, "strasse"},
    {"da", "Jørgensen", 0, "joergensen"},
    {"da", "Jørgensen", 0, "jorgensen"},
    {"nl", "Vincent van Gogh", 1, "vangogh"},
    {"nl", "Vincent van Gogh", 1, "gogh"},
    {"ar", "Abd al-Rahman", 0, "abdalrahman"},
    {"en", "O'Brien", 0, "obrien"},
};

static void forms_per_language(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof FORMS / sizeof FORMS[0]; i++) {
        struct tz_screen_name n = norm(FORMS[i].name);
        if (FORMS[i].part >= n.nparts || !has_form(&n.part[FORMS[i].part], FORMS[i].form)) {
            dump(FORMS[i].name, &n);
            fail_msg("%s: %s part %u lacks %s", FORMS[i].lang, FORMS[i].name, FORMS[i].part,
                     FORMS[i].form);
        }
    }
}

/* Pairs whose names must meet part by part (same phonetic key or variant class). */
static const struct {
    const char *lang, *a, *b;
} SAME_KEY[] = {
    {"az/ru", "Əliyev", "Алиев"},        {"az/en", "Aliyev", "Aliev"},
    {"uk/ru", "Олександр", "Aleksandr"}, {"uk/en", "Олександр", "Alexander"},
    {"ar/en", "محمد", "Muhammad"},       {"ar/en", "محمد", "Mohammed"},
    {"ar/en", "Mohamed", "Muhammad"},    {"ar/tr", "Mehmet", "Muhammad"},
    {"uk/ru", "Mykola", "Николай"},      {"ru/en", "Щербаков", "Shcherbakov"},
          {"ru/pl", "Жуков", "Żukow"},
    {"be/ru", "Лукашэнка", "Lukashenka"}, {"ar/en", "حسين", "Hussein"},
    {"ar/en", "عبد الرحمن", "Abdurrahman"}, {"ka/en", "ჯუღაშვილი", "Jughashvili"},
    {"el/en", "Παπαδόπουλος", "Papadopoulos"}, {"ru/en", "Андрей", "Andrej"},
    {"ru/en", "Цветков", "Tsvetkov"},    {"uk/ru", "Сергій", "Sergey"},
    {"ar/en", "عبد الله", "Abdullah"},
};

static void keys_meet_across_scripts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof SAME_KEY / sizeof SAME_KEY[0]; i++) {
        struct tz_screen_name a = norm(SAME_KEY[i].a), b = norm(SAME_KEY[i].b);
        const struct tz_screen_part *pa = &a.part[0], *pb = &b.part[0];
        bool meet = strcmp(pa->phon, pb->phon) == 0 ||
                    (pa->variant[0] && strcmp(pa->variant, pb->variant) == 0);
        if (!meet) {
            dump(SAME_KEY[i].a, &a);
            dump(SAME_KEY[i].b, &b);
            fail_msg("%s: %s and %s do not meet", SAME_KEY[i].lang, SAME_KEY[i].a,
                     SAME_KEY[i].b);
        }
    }
}

static void roles_particles_and_refusals(void **state)
{
    (void)state;
    struct tz_screen_name n = norm("Ivan Ivanovich Petrov");
    assert_int_equal(n.nparts, 3);
    assert_int_equal(n.part[1].role, TZ_SCREEN_PART_PATRONYMIC);
    n = norm("Ilham Heydar oğlu Aliyev");
    assert_int_equal(n.nparts, 3);
    assert_int_equal(n.part[1].role, TZ_SCREEN_PART_PATRONYMIC);
    n = norm("Osama bin Laden");
    assert_int_equal(n.nparts, 2);
    assert_int_equal(n.part[1].role, TZ_SCREEN_PART_PATRONYMIC);
    n = norm("J. Kowalska-Nowak");
    assert_int_equal(n.nparts, 3);
    assert_int_equal(n.part[0].role, TZ_SCREEN_PART_INITIAL);
    assert_string_equal(n.part[2].form[0], "nowak");
    struct tz_screen_name out;
    assert_int_equal(tz_screen_normalise("\xff\xfe", 2, &out), TZ_EINVAL);
    assert_int_equal(tz_screen_normalise("-- ..", 5, &out), TZ_EINVAL);
    assert_int_equal(tz_screen_normalise("a b c d e f g h i", 17, &out), TZ_EINVAL);
    char big[TZ_SCREEN_NAME_MAX + 2];
    memset(big, 'a', sizeof big);
    assert_int_equal(tz_screen_normalise(big, sizeof big, &out), TZ_EINVAL);
}

static void dates_are_parsed_whole_or_partial(void **state)
{
    (void)state;
    struct tz_screen_date d;
    assert_int_equal(tz_screen_date_parse("1961", 4, &d), TZ_OK);
    assert_int_equal(d.year, 1961);
    assert_int_equal(d.month, 0);
    assert_int_equal(tz_screen_date_parse("1961-12", 7, &d), TZ_OK);
    assert_int_equal(d.month, 12);
    assert_int_equal(tz_screen_date_parse("1961-12-24", 10, &d), TZ_OK);
    assert_int_equal(d.day, 24);
    assert_int_equal(tz_screen_date_parse("1961-13", 7, &d), TZ_EINVAL);
    assert_int_equal(tz_screen_date_parse("1961-02-30", 10, &d), TZ_EINVAL);
    assert_int_equal(tz_screen_date_parse("61-1-1", 6, &d), TZ_EINVAL);
}

static struct tz_screen_query query(const char *name, const char *dob, uint8_t sex)
{
    struct tz_screen_query q;
    memset(&q, 0, sizeof q);
    q.name = norm(name);
    if (dob)
        assert_int_equal(tz_screen_date_parse(dob, strlen(dob), &q.dob), TZ_OK);
    q.sex = sex;
    return q;
}

static void score_is_explained(void **state)
{
    (void)state;
    struct tz_screen_config cfg;
    tz_screen_config_default(&cfg);
    struct tz_screen_query q = query("Ilham Aliyev", "1961-12-24", TZ_SCREEN_SEX_MALE);
    struct tz_screen_name rec = norm("Алиев Ильхам Гейдар оглы");
    struct tz_screen_date dob = {1961, 12, 24};
    char nat[TZ_SCREEN_NAT_MAX][3] = {"az"};
    struct tz_screen_explain why;
    tz_screen_score(&cfg, &q, &rec, &dob, (const char(*)[3])nat, TZ_SCREEN_SEX_MALE, &why);
    assert_int_equal(why.npairs, 2);
    /* Ilham <-> Ильхам and Aliyev <-> Алиев, each by transliteration, in any order. */
    for (size_t i = 0; i < why.npairs; i++) {
        assert_int_equal(why.pair[i].how, TZ_SCREEN_TRANSLIT);
        assert_int_equal(why.pair[i].query_part, why.pair[i].record_part == 0 ? 1 : 0);
    }
    assert_int_equal(why.dob, TZ_SCREEN_FACT_SAME);
    assert_true(why.dob_move > 0);
    assert_int_equal(why.nat, TZ_SCREEN_FACT_NONE);
    assert_int_equal(why.sex, TZ_SCREEN_FACT_SAME);
    assert_true(why.score >= 0.95);
    /* The same name born another year, or another sex, drops below the threshold. */
    dob.year = 1975;
    tz_screen_score(&cfg, &q, &rec, &dob, (const char(*)[3])nat, TZ_SCREEN_SEX_MALE, &why);
    assert_int_equal(why.dob, TZ_SCREEN_FACT_DIFFER);
    assert_true(why.score < cfg.threshold);
    /* A partial date that agrees is partial. */
    q = query("Ilham Aliyev", "1961", 0);
    dob.year = 1961;
    tz_screen_score(&cfg, &q, &rec, &dob, (const char(*)[3])nat, TZ_SCREEN_SEX_MALE, &why);
    assert_int_equal(why.dob, TZ_SCREEN_FACT_PARTIAL);
    /* Relatives: the family name alone does not make a hit. */
    q = query("Mehriban Aliyeva", NULL, 0);
    tz_screen_score(&cfg, &q, &rec, &dob, (const char(*)[3])nat, 0, &why);
    assert_true(why.score < cfg.threshold);
}

static void index_answers_best_first(void **state)
{
    (void)state;
    struct tz_screen_index *ix = NULL;
    assert_int_equal(tz_screen_index_new(&ix), TZ_OK);
    static const char *const names[] = {"Алиев Ильхам", "Aliyev Mehriban", "Ilham Aliyev",
                                        "Ilham Aliyeva", "Jan Kowalski", "محمد عبد الله"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char id[16];
        snprintf(id, sizeof id, "rec-%zu", i);
        struct tz_screen_person_in p = {.source_id = id, .name = names[i]};
        assert_int_equal(tz_screen_index_add(ix, &p), TZ_OK);
    }
    struct tz_screen_person_in bad = {.source_id = "x", .name = "--"};
    assert_int_equal(tz_screen_index_add(ix, &bad), TZ_EINVAL);
    assert_int_equal(tz_screen_index_seal(ix), TZ_OK);
    assert_int_equal(tz_screen_index_count(ix), 6);
    struct tz_screen_config cfg;
    tz_screen_config_default(&cfg);
    struct tz_screen_query q = query("Əliyev İlham", NULL, 0);
    struct tz_screen_hit *hits = NULL;
    size_t n = 0;
    assert_int_equal(tz_screen_search(ix, &cfg, &q, &hits, &n), TZ_OK);
    assert_true(n >= 2);
    assert_string_equal(hits[0].source_id, "rec-2"); /* folded beats transliterated */
    assert_string_equal(hits[1].source_id, "rec-0");
    for (size_t i = 0; i < n; i++) {
        assert_string_not_equal(hits[i].source_id, "rec-1");
        if (i)
            assert_true(hits[i - 1].why.score >= hits[i].why.score);
    }
    free(hits);
    q = query("Mohammed Abdullah", NULL, 0);
    assert_int_equal(tz_screen_search(ix, &cfg, &q, &hits, &n), TZ_OK);
    assert_int_equal(n, 1);
    assert_string_equal(hits[0].source_id, "rec-5");
    free(hits);
    tz_screen_index_free(ix);
}

/* ---- watch-lists: the parsers, the store and the service ---- */

static const char FTM[] =
    "{\"id\":\"ofac-1\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Ilham Aliyev\"],"
    "\"alias\":[\"\u0418\u043b\u044c\u0445\u0430\u043c \u0410\u043b\u0438\u0435\u0432\","
    "\"Ilham Aliyev\"],"
    "\"birthDate\":[\"1961-12-24\"],\"nationality\":[\"az\"],\"gender\":[\"male\"]}}\n"
    "{\"id\":\"ofac-2\",\"schema\":\"Company\",\"properties\":{\"name\":[\"Acme\"]}}\n"
    "{\"id\":\"ofac-3\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Jan\"\n"
    "{\"id\":\"ofac-4\",\"schema\":\"Person\",\"properties\":{}}\n"
    "\n"
    "{\"id\":\"ofac-5\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Jan Nowak\"],"
    "\"birthDate\":[\"1961-13\"]}}\n"
    "{\"id\":\"ofac-6\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Łukasz Wałęsa\"]}}\n";

static void ftm_lines_are_taken_or_refused_one_by_one(void **state)
{
    (void)state;
    struct tz_watch_import imp;
    assert_int_equal(tz_watch_parse(FTM, strlen(FTM), TZ_WATCH_AUTO, &imp), TZ_OK);
    assert_int_equal(imp.format, TZ_WATCH_FTM);
    assert_int_equal(imp.nlines, 6); /* the empty line is no line */
    assert_int_equal(imp.taken, 2);
    assert_int_equal(imp.refused, 4);
    static const struct {
        size_t line;
        int taken;
        const char *why;
    } want[] = {{1, 1, ""},
                {2, 0, "schema Company is not taken (Person, Passport, Identification, Vehicle)"},
                {3, 0, "not a JSON object"},
                {4, 0, "no name"},
                {6, 0, "birth_date is not YYYY, YYYY-MM or YYYY-MM-DD"},
                {7, 1, ""}};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(imp.lines[i].line, want[i].line);
        assert_int_equal(imp.lines[i].taken, want[i].taken);
        assert_string_equal(imp.lines[i].why, want[i].why);
    }
    /* A record's names are persons of the same record id. */
    assert_int_equal(imp.npersons, 3);
    assert_string_equal(imp.persons[0].record_id, "ofac-1");
    assert_string_equal(imp.persons[1].record_id, "ofac-1");
    assert_string_equal(imp.persons[1].name, "Ильхам Алиев");
    assert_string_equal(imp.persons[0].birth_date, "1961-12-24");
    assert_string_equal(imp.persons[0].nationalities, "az");
    assert_string_equal(imp.persons[0].sex, "m");
    tz_watch_import_clear(&imp);
}

static void csv_and_json_are_read(void **state)
{
    (void)state;
    static const char csv[] = "name,id,nationality,birth_date,extra\r\n"
                              "\"Kowalski, Jan\",pl-1,pl;de,1970,x\r\n"
                              "\"Nowak \"\"Nowy\"\" Piotr\",pl-2,POL,,\r\n"
                              ",pl-3,,,\r\n";
    struct tz_watch_import imp;
    assert_int_equal(tz_watch_parse(csv, strlen(csv), TZ_WATCH_AUTO, &imp), TZ_OK);
    assert_int_equal(imp.format, TZ_WATCH_CSV);
    assert_int_equal(imp.taken, 1);
    assert_int_equal(imp.refused, 2);
    assert_string_equal(imp.persons[0].name, "Kowalski, Jan");
    assert_string_equal(imp.persons[0].nationalities, "pl,de");
    assert_int_equal(imp.lines[1].line, 3);
    assert_string_equal(imp.lines[1].why, "nationality is not a two-letter country code");
    assert_string_equal(imp.lines[2].why, "no name");
    tz_watch_import_clear(&imp);
    static const char nocols[] = "surname,given\nA,B\n";
    assert_int_equal(tz_watch_parse(nocols, strlen(nocols), TZ_WATCH_AUTO, &imp), TZ_EINVAL);
    static const char json[] = "[{\"id\":7,\"name\":\"Omar Haddad\",\"aliases\":[\"عمر حداد\"],"
                               "\"sex\":\"m\"},{\"id\":8},{\"id\":9,\"name\":\"X\",\"id\":10}]";
    assert_int_equal(tz_watch_parse(json, strlen(json), TZ_WATCH_AUTO, &imp), TZ_EINVAL);
    static const char json2[] = "[{\"id\":7,\"name\":\"Omar Haddad\",\"aliases\":[\"عمر حداد\"],"
                                "\"sex\":\"m\"},{\"id\":8}]";
    assert_int_equal(tz_watch_parse(json2, strlen(json2), TZ_WATCH_AUTO, &imp), TZ_OK);
    assert_int_equal(imp.format, TZ_WATCH_JSON);
    assert_int_equal(imp.taken, 1);
    assert_int_equal(imp.npersons, 2);
    assert_string_equal(imp.persons[0].record_id, "7");
    assert_string_equal(imp.lines[1].why, "no name");
    tz_watch_import_clear(&imp);
}

struct fixture {
    char dir[64], path[128];
    struct tz_store *store;
    struct tz_auth *auth;
    struct tz_screening *scr;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/tz_screen_XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    struct tz_auth_config cfg = tz_auth_defaults();
    if (tz_store_open_sqlite(f->path, &f->store) || tz_auth_open(f->store, &cfg, &f->auth) ||
        tz_screening_open(f->auth, NULL, &f->scr))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tz_screening_close(f->scr);
    tz_auth_close(f->auth);
    tz_store_close(f->store);
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static size_t stored_persons(struct tz_store *store)
{
    struct tz_watch_person_rec *recs = NULL;
    size_t n = 0;
    assert_int_equal(tz_store_watchlist_persons(store, 0, 10000, &recs, &n), TZ_OK);
    free(recs);
    return n;
}

/* The newest audit entry's action, outcome, note and fields into the caller's buffers. */
static void last_audit(struct tz_store *store, char *action, char *outcome, char *note,
                       char *fields)
{
    struct tz_audit_rec *recs = NULL;
    size_t n = 0;
    assert_int_equal(tz_store_audit_read(store, 0, 1000, &recs, &n), TZ_OK);
    assert_true(n > 0);
    snprintf(action, 64, "%s", recs[n - 1].action);
    snprintf(outcome, 64, "%s", recs[n - 1].outcome);
    snprintf(note, 600, "%s", recs[n - 1].note ? recs[n - 1].note : "");
    snprintf(fields, 4096, "%s", recs[n - 1].fields ? recs[n - 1].fields : "");
    tz_audit_recs_free(recs, n);
}

static const struct tz_auth_who OPERATOR = {.actor = "cli:test", .role = "analyst"};

static void import_is_one_transaction_with_its_audit(void **state)
{
    struct fixture *f = *state;
    struct tz_watch_import rep;
    char action[64], outcome[64], note[600], fields[4096];
    assert_int_equal(tz_screening_import(f->scr, &OPERATOR, "ofac", FTM, strlen(FTM),
                                         TZ_WATCH_AUTO, &rep),
                     TZ_OK);
    assert_int_equal(rep.taken, 2);
    assert_int_equal(rep.refused, 4);
    tz_watch_import_clear(&rep);
    assert_int_equal(stored_persons(f->store), 3);
    last_audit(f->store, action, outcome, note, fields);
    assert_string_equal(action, "watchlist.import");
    assert_non_null(strstr(fields, "\"lines_taken\":2"));
    assert_non_null(strstr(fields, "\"lines_refused\":4"));
    /* A file whose lines clash (the same record and name twice) stores nothing: the list keeps
     * what it held. */
    static const char clash[] = "id,name\nr1,Jan Nowak\nr1,Jan Nowak\n";
    assert_int_equal(tz_screening_import(f->scr, &OPERATOR, "ofac", clash, strlen(clash),
                                         TZ_WATCH_AUTO, &rep),
                     TZ_ECONFLICT);
    tz_watch_import_clear(&rep);
    assert_int_equal(stored_persons(f->store), 3);
    last_audit(f->store, action, outcome, note, fields);
    assert_string_equal(action, "watchlist.import");
    assert_non_null(strstr(fields, "\"lines_taken\":2")); /* still the first import's entry */
    /* A file with nothing to take is refused. */
    static const char none[] = "id,name\n,\n";
    assert_int_equal(tz_screening_import(f->scr, &OPERATOR, "other", none, strlen(none),
                                         TZ_WATCH_AUTO, &rep),
                     TZ_ECONFLICT);
    tz_watch_import_clear(&rep);
}

static void person_query_is_answered_and_audited(void **state)
{
    struct fixture *f = *state;
    struct tz_watch_import rep;
    char action[64], outcome[64], note[600], fields[4096];
    assert_int_equal(tz_screening_import(f->scr, &OPERATOR, "ofac", FTM, strlen(FTM),
                                         TZ_WATCH_AUTO, &rep),
                     TZ_OK);
    tz_watch_import_clear(&rep);
    struct tz_screen_person_query q = {.name = "Əliyev İlham", .birth_date = "1961",
                                       .reason = "border check, case 12/2026"};
    struct tz_field_errors errs = {0};
    struct tz_screen_answer a;
    assert_int_equal(tz_screening_person(f->scr, &OPERATOR, &q, &errs, &a), TZ_OK);
    assert_int_equal(a.count, 1); /* two names of one record: one hit */
    assert_string_equal(a.hits[0].source_id, "ofac/ofac-1");
    assert_int_equal(a.hits[0].why.dob, TZ_SCREEN_FACT_PARTIAL);
    tz_screen_answer_clear(&a);
    last_audit(f->store, action, outcome, note, fields);
    assert_string_equal(action, "screening.query");
    assert_string_equal(outcome, "ok");
    assert_string_equal(note, "border check, case 12/2026");
    assert_non_null(strstr(fields, "\"hits\":1"));
    assert_non_null(strstr(fields, "ofac/ofac-1"));
    /* A list imported later is seen by the next query. */
    static const char more[] = "id,name\nk1,Jan Kowalski\n";
    assert_int_equal(tz_screening_import(f->scr, &OPERATOR, "kgp", more, strlen(more),
                                         TZ_WATCH_AUTO, &rep),
                     TZ_OK);
    tz_watch_import_clear(&rep);
    q = (struct tz_screen_person_query){.name = "Kowalski Jan", .reason = "check"};
    assert_int_equal(tz_screening_person(f->scr, &OPERATOR, &q, &errs, &a), TZ_OK);
    assert_int_equal(a.count, 1);
    assert_string_equal(a.hits[0].source_id, "kgp/k1");
    tz_screen_answer_clear(&a);
    /* Fields are checked and the refusal audited. */
    q = (struct tz_screen_person_query){.name = "Jan", .sex = "x", .birth_date = "1999-02-30"};
    assert_int_equal(tz_screening_person(f->scr, &OPERATOR, &q, &errs, &a), TZ_EINVAL);
    assert_int_equal(errs.count, 3);
    assert_string_equal(errs.items[0].field, "/birth_date");
    assert_string_equal(errs.items[1].field, "/sex");
    assert_string_equal(errs.items[2].field, "/reason");
    last_audit(f->store, action, outcome, note, fields);
    assert_string_equal(action, "screening.query");
    assert_string_equal(outcome, "refused");
    /* An admin may not screen. */
    struct tz_principal admin = {.role = TZ_AUTH_ADMIN};
    snprintf(admin.account.name, sizeof admin.account.name, "root");
    struct tz_auth_who who = {.p = &admin};
    errs = (struct tz_field_errors){0};
    q = (struct tz_screen_person_query){.name = "Kowalski Jan", .reason = "check"};
    assert_int_equal(tz_screening_person(f->scr, &who, &q, &errs, &a), TZ_EFORBIDDEN);
    last_audit(f->store, action, outcome, note, fields);
    assert_string_equal(outcome, "refused");
    assert_non_null(strstr(fields, "forbidden"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(forms_per_language),
        cmocka_unit_test(keys_meet_across_scripts),
        cmocka_unit_test(roles_particles_and_refusals),
        cmocka_unit_test(dates_are_parsed_whole_or_partial),
        cmocka_unit_test(score_is_explained),
        cmocka_unit_test(index_answers_best_first),
        cmocka_unit_test(ftm_lines_are_taken_or_refused_one_by_one),
        cmocka_unit_test(csv_and_json_are_read),
        cmocka_unit_test_setup_teardown(import_is_one_transaction_with_its_audit, setup, teardown),
        cmocka_unit_test_setup_teardown(person_query_is_answered_and_audited, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tz_screen_release();
    return rc;
}
