/*
 * Unit tests of screening's stored match keys (migration 21) and of a hit turned into an
 * exchange request, over a real store:
 *  - a name's keys read back give the same normalised name as ICU does, for every script and
 *    rule (particles, patronymics, the Arabic article, a piece without a letter); keys of another
 *    version, of another number of pieces or malformed are refused (then ICU is used);
 *  - an import stores the keys, and the index is built from them, not from ICU (a row whose keys
 *    were changed is found under the changed keys);
 *  - rows without keys (written before migration 21) or with keys of another version get theirs
 *    at the first build, written back in an audited transaction (watchlist.keys, by the system);
 *  - a notice's hit becomes a request to the notice's owner in the notice's case, its subject as
 *    the entity, audited in the message's transaction; refusals (fields, role, a cancelled
 *    notice) audited.
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

#include <sqlite3.h>
#include <unistd.h>

#include "exchange/exchange.h"
#include "screening/screening.h"

#define COPY(dst, s) snprintf((dst), sizeof(dst), "%s", (s))

static const char *const NAMES[] = {
    "Łukasz Wałęsa",       "Ильхам Алиев",         "Олександр Зінченко",  "Аляксандр Лукашэнка",
    "محمد بن عبد الله",    "عبد الرحمن الحسن",     "Vincent van Gogh",    "Abd al-Rahman",
    "Əli Məmmədov oğlu",   "Γιώργος Παπαδόπουλος", "ნიკოლოზ ბარათაშვილი", "Արամ Խաչատրյան",
    "Müller-Lüdenscheidt", "Seán O'Brien",         "Jan ' Kowalski",      "Иван Иванович Петров",
    "Hüseyin Yılmaz",      "J. R. R. Tolkien",
};

static void stored_keys_give_the_same_name(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        const char *s = NAMES[i];
        struct tz_screen_name icu, keyed, plain;
        char keys[256];
        assert_int_equal(tz_screen_normalise_keys(s, strlen(s), &icu, keys, sizeof keys), TZ_OK);
        assert_int_equal(strncmp(keys, TZ_SCREEN_KEYS_VERSION, 2), 0);
        assert_int_equal(tz_screen_normalise(s, strlen(s), &plain), TZ_OK);
        assert_int_equal(tz_screen_normalise_stored(s, strlen(s), keys, &keyed), TZ_OK);
        if (memcmp(&icu, &keyed, sizeof icu) != 0 || memcmp(&icu, &plain, sizeof icu) != 0)
            fail_msg("%s: keys %s do not give the same name", s, keys);
    }
    /* A piece without a letter is kept as such: the pieces line up. */
    char keys[256];
    struct tz_screen_name nm;
    assert_int_equal(tz_screen_normalise_keys("Jan ' Kowalski", 14, &nm, keys, sizeof keys), TZ_OK);
    assert_string_equal(keys, "k1 Sjan - Skowalski");
    /* Too small a buffer: no keys, the name all the same. */
    assert_int_equal(tz_screen_normalise_keys("Ильхам Алиев", strlen("Ильхам Алиев"), &nm, keys, 8),
                     TZ_OK);
    assert_string_equal(keys, "");
    /* Refused: another version, another number of pieces, a letter that is no form's, no form. */
    static const char *const bad[] = {"k0 Sjan Skowalski",
                                      "k1 Sjan",
                                      "k1 Sjan Skowalski Sx",
                                      "k1 Xjan Skowalski",
                                      "k1 S Skowalski",
                                      "k1 SJan Skowalski",
                                      "",
                                      "k1 Sjan,,a Skowalski"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (tz_screen_normalise_stored("Jan Kowalski", 12, bad[i], &nm) != TZ_EINVAL)
            fail_msg("keys \"%s\" taken", bad[i]);
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
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/tz_screenk_XXXXXX");
    if (!mkdtemp(f->dir))
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

/* Runs sql on the fixture's database beside the store (what a row of before looks like). */
static void sql(struct fixture *f, const char *text)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char *msg = NULL;
    if (sqlite3_exec(db, text, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", text, msg ? msg : "?");
    sqlite3_close(db);
}

static const struct tz_auth_who OPERATOR = {.actor = "cli:test", .role = "analyst"};

static const char LIST[] = "id,name,birth_date\n"
                           "p1,Ильхам Алиев,1961\n"
                           "p2,Łukasz Wałęsa,1970\n"
                           "p3,Иван Петров,1980\n";

static void import_list(struct fixture *f)
{
    struct tz_watch_import rep;
    assert_int_equal(
        tz_screening_import(f->scr, &OPERATOR, "wanted", LIST, strlen(LIST), TZ_WATCH_AUTO, &rep),
        TZ_OK);
    tz_watch_import_clear(&rep);
}

/* The stored rows' keys, in id order, into keys[0..3). */
static size_t stored_keys(struct fixture *f, char keys[][TZ_WATCH_KEYS_MAX], size_t max)
{
    struct tz_watch_person_rec *recs = NULL;
    size_t n = 0;
    assert_int_equal(tz_store_watchlist_persons(f->store, 0, 100, &recs, &n), TZ_OK);
    for (size_t i = 0; i < n && i < max; i++)
        COPY(keys[i], recs[i].keys);
    free(recs);
    return n;
}

static size_t hits(struct fixture *f, const char *name, char *first, size_t cap)
{
    struct tz_screen_person_query q = {.name = name, .reason = "border"};
    struct tz_field_errors errs = {0};
    struct tz_screen_answer a;
    assert_int_equal(tz_screening_person(f->scr, &OPERATOR, &q, &errs, &a), TZ_OK);
    size_t n = a.count;
    if (n && first)
        snprintf(first, cap, "%s", a.hits[0].source_id);
    tz_screen_answer_clear(&a);
    return n;
}

static void import_stores_keys_and_the_index_reads_them(void **state)
{
    struct fixture *f = *state;
    import_list(f);
    char keys[3][TZ_WATCH_KEYS_MAX];
    assert_int_equal(stored_keys(f, keys, 3), 3);
    struct tz_screen_name nm;
    char want[TZ_WATCH_KEYS_MAX];
    assert_int_equal(
        tz_screen_normalise_keys("Ильхам Алиев", strlen("Ильхам Алиев"), &nm, want, sizeof want),
        TZ_OK);
    assert_string_equal(keys[0], want);
    /* The index takes the stored keys as they are: keys changed behind the store's back are
     * what a query meets (no ICU ran over the name). */
    sql(f, "UPDATE watchlist_persons SET name_keys = 'k1 Tzorbul Tqwertov' WHERE record_id = 'p3'");
    sql(f, "UPDATE watchlist_sources SET version = version + 1");
    char first[128] = "";
    assert_int_equal(hits(f, "Zorbul Qwertov", first, sizeof first), 1);
    assert_string_equal(first, "wanted/p3");
    assert_int_equal(hits(f, "Ivan Petrov", NULL, 0), 0);
    assert_int_equal(hits(f, "Ilham Aliyev", first, sizeof first), 1);
    assert_string_equal(first, "wanted/p1");
}

/* The audit entries with action into *count, the last one's fields into fields. */
static size_t audit_with(struct tz_store *store, const char *action, char *actor, char *fields,
                         char *note)
{
    struct tz_audit_rec *recs = NULL;
    size_t n = 0, count = 0;
    assert_int_equal(tz_store_audit_read(store, 0, 1000, &recs, &n), TZ_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(recs[i].action, action) == 0) {
            count++;
            snprintf(actor, 64, "%s", recs[i].actor);
            snprintf(fields, 1024, "%s", recs[i].fields ? recs[i].fields : "");
            snprintf(note, 1024, "%s", recs[i].note ? recs[i].note : "");
        }
    tz_audit_recs_free(recs, n);
    return count;
}

static void rows_without_keys_get_them_at_the_first_build(void **state)
{
    struct fixture *f = *state;
    import_list(f);
    /* p1 and p2 as rows of before migration 21 are, p3 with keys of an older version. */
    sql(f, "UPDATE watchlist_persons SET name_keys = NULL WHERE record_id IN ('p1', 'p2');"
           "UPDATE watchlist_persons SET name_keys = 'k0 Sivan Spetrov' WHERE record_id = 'p3'");
    char keys[3][TZ_WATCH_KEYS_MAX], actor[64], fields[1024], note[1024];
    assert_int_equal(stored_keys(f, keys, 3), 3);
    assert_string_equal(keys[0], "");
    assert_int_equal(audit_with(f->store, "watchlist.keys", actor, fields, note), 0);
    /* The first build (a server's start) fills them, in one audited transaction. */
    struct tz_screening *s2 = NULL;
    assert_int_equal(tz_screening_open(f->auth, NULL, &s2), TZ_OK);
    assert_int_equal(tz_screening_load(s2), TZ_OK);
    tz_screening_close(s2);
    assert_int_equal(stored_keys(f, keys, 3), 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(strncmp(keys[i], "k1 ", 3), 0);
    assert_int_equal(audit_with(f->store, "watchlist.keys", actor, fields, note), 1);
    assert_string_equal(actor, "system");
    assert_non_null(strstr(fields, "\"rows\":3"));
    /* The next build has nothing to fill: no second entry; the answers are the same. */
    assert_int_equal(tz_screening_load(f->scr), TZ_OK);
    assert_int_equal(audit_with(f->store, "watchlist.keys", actor, fields, note), 1);
    char first[128] = "";
    assert_int_equal(hits(f, "Lukasz Walesa", first, sizeof first), 1);
    assert_string_equal(first, "wanted/p2");
}

/* ---- a hit turned into a request ---- */

static int64_t fixed_clock(void *ctx)
{
    return *(int64_t *)ctx;
}

/* A red notice received from INTERPOL (published at receipt): a person. */
static void red_notice(struct tz_xmsg *m)
{
    tz_xmsg_init(m);
    m->type = TZ_XMSG_NOTICE;
    m->notice_type = TZ_XN_RED;
    COPY(m->subject, "Poszukiwany");
    COPY(m->originator.node, "INTERPOL");
    COPY(m->originator.unit, "IPSG");
    m->addressee_count = 1;
    COPY(m->addressees[0].node, "PL");
    COPY(m->addressees[0].unit, "KGP-SPOC");
    COPY(m->lang, "en");
    m->handling = TZ_XH1;
    m->source = TZ_XSRC_A;
    m->info = TZ_XINFO_1;
    m->entity_count = 1;
    m->entities = calloc(1, sizeof *m->entities);
    COPY(m->entities[0].ref, "e1");
    m->entities[0].kind = TZ_XE_PERSON;
    COPY(m->entities[0].u.person.family, "Shevchenko");
    COPY(m->entities[0].u.person.given, "Oleksandr");
    COPY(m->entities[0].u.person.original, "Олександр Шевченко");
    COPY(m->entities[0].u.person.birth_date, "1975");
}

static void a_hit_becomes_a_request_to_the_notice_owner(void **state)
{
    struct fixture *f = *state;
    struct tz_xnode_config cfg = {.node = "PL", .spoc_unit = "KGP-SPOC"};
    struct tz_exchange *x;
    assert_int_equal(tz_exchange_open(f->store, &cfg, &x), TZ_OK);
    int64_t now = 1780000000;
    tz_exchange_set_clock(x, fixed_clock, &now);
    tz_screening_attach_exchange(f->scr, x);
    struct tz_principal boss = {.role = TZ_AUTH_SPOC_SUPERVISOR};
    COPY(boss.account.name, "boss");
    COPY(boss.account.unit, "KGP-SPOC");
    struct tz_xactor bw = {.p = &boss, .client = "test"};
    struct tz_xmsg m;
    struct tz_xreceipt r;
    struct tz_field_errors errs = {0};
    red_notice(&m);
    assert_int_equal(tz_exchange_submit(x, &bw, true, &m, &r, &errs), TZ_OK);
    tz_xmsg_clear(&m);
    char record[64], first[128] = "", actor[64], fields[1024], note[1024];
    snprintf(record, sizeof record, "%lld/e1", (long long)r.id);
    assert_int_equal(hits(f, "Шевченко Олександр", first, sizeof first), 1);

    /* A liaison officer of a regional unit writes to the notice's owner in one action. */
    struct tz_principal liaison = {.role = TZ_AUTH_LIAISON};
    COPY(liaison.account.name, "ala");
    COPY(liaison.account.unit, "KWP-KRAKOW");
    struct tz_auth_who who = {.p = &liaison, .client = "10.0.0.7"};
    struct tz_screen_hit_message q = {.source = "notices",
                                      .record_id = record,
                                      .reason = "border check Medyka, case 7/2026",
                                      .text = "Seen at Medyka 06:40, held for checks.",
                                      .urgency = "urgent_direct"};
    struct tz_screen_hit_sent sent;
    assert_int_equal(tz_screening_hit_message(f->scr, &who, &q, &errs, &sent), TZ_OK);
    assert_true(sent.message_id > r.id);
    assert_int_equal(sent.case_id, r.case_id); /* the notice's case: the notice referenced */
    assert_int_equal(sent.notice_id, r.id);
    assert_string_equal(sent.to_node, "INTERPOL");
    assert_string_equal(sent.to_unit, "IPSG");
    assert_int_equal(sent.due, now + 8 * 3600);
    /* Its audit entry, in the message's transaction, names the hit and the reason. */
    assert_int_equal(audit_with(f->store, "exchange.send", actor, fields, note), 2);
    assert_string_equal(actor, "ala");
    char want[256];
    snprintf(want, sizeof want, "from screening hit notices/%s: border check Medyka, case 7/2026",
             record);
    assert_string_equal(note, want);
    /* As stored: a request from the unit, the owner and the SPOC in copy, the subject. */
    struct tz_xview v;
    assert_int_equal(tz_exchange_get(x, &bw, sent.message_id, &v), TZ_OK);
    assert_int_equal(v.msg.type, TZ_XMSG_REQUEST);
    assert_string_equal(v.msg.originator.unit, "KWP-KRAKOW");
    assert_int_equal(v.msg.addressee_count, 2);
    assert_string_equal(v.msg.addressees[0].node, "INTERPOL");
    assert_string_equal(v.msg.addressees[1].unit, "KGP-SPOC");
    assert_true(v.msg.addressees[1].cc);
    assert_int_equal(v.msg.handling, TZ_XH1);
    assert_int_equal(v.msg.entity_count, 1);
    assert_int_equal(v.msg.entities[0].kind, TZ_XE_PERSON);
    assert_string_equal(v.msg.entities[0].u.person.family, "Shevchenko");
    assert_string_equal(v.msg.entities[0].u.person.birth_date, "1975");
    assert_non_null(strstr(v.msg.text, "Seen at Medyka"));
    tz_xview_clear(&v);

    /* Refused, each audited: fields, a role without exchange.send, a watch-list's record. */
    struct tz_screen_hit_message bad = {.source = "wanted", .record_id = "x", .reason = ""};
    errs = (struct tz_field_errors){0};
    assert_int_equal(tz_screening_hit_message(f->scr, &who, &bad, &errs, &sent), TZ_EINVAL);
    assert_int_equal(errs.count, 3);
    assert_string_equal(errs.items[0].field, "/source");
    assert_string_equal(errs.items[1].field, "/record_id");
    assert_string_equal(errs.items[2].field, "/reason");
    struct tz_principal officer = {.role = TZ_AUTH_OFFICER};
    COPY(officer.account.name, "jan");
    COPY(officer.account.unit, "KWP-KRAKOW");
    struct tz_auth_who ow = {.p = &officer, .client = "10.0.0.8"};
    errs = (struct tz_field_errors){0};
    assert_int_equal(tz_screening_hit_message(f->scr, &ow, &q, &errs, &sent), TZ_EFORBIDDEN);
    assert_int_equal(audit_with(f->store, "screening.query", actor, fields, note) >= 2, true);
    assert_string_equal(actor, "jan");
    assert_non_null(strstr(fields, "\"refused\":\"exchange: forbidden\""));
    /* Cancelled since the hit: nothing to write to. */
    struct tz_xnotice_move cancel = {.to = TZ_XNS_CANCELLED, .note = "withdrawn by INTERPOL"};
    assert_int_equal(tz_exchange_notice_move(x, &bw, r.id, &cancel, &errs), TZ_OK);
    errs = (struct tz_field_errors){0};
    assert_int_equal(tz_screening_hit_message(f->scr, &who, &q, &errs, &sent), TZ_ENOTFOUND);
    assert_int_equal(audit_with(f->store, "exchange.send", actor, fields, note), 2);
    tz_exchange_close(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stored_keys_give_the_same_name),
        cmocka_unit_test_setup_teardown(import_stores_keys_and_the_index_reads_them, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(rows_without_keys_get_them_at_the_first_build, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_hit_becomes_a_request_to_the_notice_owner, setup,
                                        teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tz_screen_release();
    return rc;
}
