/*
 * Unit tests of the exchange's retention (Art. 16) over a real store, with an
 * injected clock: a case concluded is due for review 180 days later (never
 * more than six months), the queue shows it only once due (and only to those
 * who may), a review keeps it until the next review (at most 180 days on) or
 * deletes its personal data irrevocably, so that a planted name is found in
 * no byte of the database file or its WAL; a concluded case takes no new
 * message; each step is audited.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "base/tztime.h"
#include "exchange/exchange.h"

#define COPY(dst, s) snprintf((dst), sizeof(dst), "%s", (s))
#define PLANTED "Szczebrzeszynowska"
#define PLANTED_DOC "QZ9988776"

static int64_t fixed_clock(void *ctx)
{
    return *(int64_t *)ctx;
}

struct fx {
    char dir[64], path[96];
    struct tz_store *store;
    struct tz_exchange *x;
    int64_t now;
    struct tz_principal boss, op, other, liaison;
};

static void principal(struct tz_principal *p, enum tz_auth_role role, const char *name,
                      const char *unit)
{
    memset(p, 0, sizeof *p);
    p->role = role;
    COPY(p->account.name, name);
    COPY(p->account.unit, unit);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    COPY(f->dir, "/tmp/tz_xret_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/x.db", f->dir);
    assert_int_equal(tz_store_open_sqlite(f->path, &f->store), TZ_OK);
    struct tz_xnode_config cfg = {.node = "PL", .spoc_unit = "KGP-SPOC"};
    assert_int_equal(tz_exchange_open(f->store, &cfg, &f->x), TZ_OK);
    f->now = 1780000000;
    tz_exchange_set_clock(f->x, fixed_clock, &f->now);
    principal(&f->boss, TZ_AUTH_SPOC_SUPERVISOR, "boss", "KGP-SPOC");
    principal(&f->op, TZ_AUTH_SPOC_OPERATOR, "op", "KGP-SPOC");
    principal(&f->other, TZ_AUTH_SPOC_OPERATOR, "other", "KWP-Krakow");
    principal(&f->liaison, TZ_AUTH_LIAISON, "liaison", "KGP-SPOC");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    tz_exchange_close(f->x);
    tz_store_close(f->store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* A request received from Germany by the SPOC, naming the planted person and document. */
static int64_t receive(struct fx *f, int64_t *case_id)
{
    struct tz_xmsg m;
    tz_xmsg_init(&m);
    m.type = TZ_XMSG_REQUEST;
    m.urgency = TZ_XURG_NORMAL;
    COPY(m.subject, "Sprawa " PLANTED);
    COPY(m.originator.node, "DE");
    COPY(m.originator.unit, "BKA-SPOC");
    m.addressee_count = 1;
    COPY(m.addressees[0].node, "PL");
    COPY(m.addressees[0].unit, "KGP-SPOC");
    COPY(m.lang, "pl");
    m.handling = TZ_XH0;
    m.source = TZ_XSRC_B;
    m.info = TZ_XINFO_2;
    m.text = strdup("Prosimy o dane osoby " PLANTED ".");
    m.text_len = strlen(m.text);
    m.entity_count = 2;
    m.entities = calloc(2, sizeof *m.entities);
    COPY(m.entities[0].ref, "p");
    m.entities[0].kind = TZ_XE_PERSON;
    COPY(m.entities[0].u.person.family, PLANTED);
    COPY(m.entities[0].u.person.original, "Щебжешиновська");
    COPY(m.entities[1].ref, "d");
    m.entities[1].kind = TZ_XE_DOCUMENT;
    m.entities[1].u.document.type = TZ_XDOC_PASSPORT;
    COPY(m.entities[1].u.document.number, PLANTED_DOC);
    COPY(m.entities[1].u.document.country, "PL");
    m.link_count = 1;
    m.links = calloc(1, sizeof *m.links);
    COPY(m.links[0].from, "p");
    COPY(m.links[0].to, "d");
    m.links[0].role = TZ_XL_HOLDER_OF;
    struct tz_xactor who = {.p = &f->boss, .client = "test"};
    struct tz_xreceipt r;
    struct tz_field_errors errs = {0};
    assert_int_equal(tz_exchange_submit(f->x, &who, true, &m, &r, &errs), TZ_OK);
    tz_xmsg_clear(&m);
    *case_id = r.case_id;
    return r.id;
}

/* Whether the bytes of file path hold needle. */
static bool file_holds(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    size_t n = strlen(needle), cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(fp);
    bool found = false;
    for (size_t i = 0; !found && i + n <= len; i++)
        found = memcmp(buf + i, needle, n) == 0;
    free(buf);
    return found;
}

static bool db_holds(const struct fx *f, const char *needle)
{
    char wal[128];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    return file_holds(f->path, needle) || file_holds(wal, needle);
}

static long long count(const struct fx *f, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void concluded_case_is_due_within_six_months(void **state)
{
    struct fx *f = *state;
    int64_t case_id;
    receive(f, &case_id);
    struct tz_xactor op = {.p = &f->op, .client = "t"}, other = {.p = &f->other, .client = "t"},
                     liaison = {.p = &f->liaison, .client = "t"},
                     boss = {.p = &f->boss, .client = "t"};
    struct tz_xretention r;
    struct tz_field_errors errs = {0};
    /* Another unit's operator and a liaison officer may not conclude the SPOC's case. */
    assert_int_equal(tz_exchange_conclude(f->x, &other, case_id, NULL, &r, &errs), TZ_EFORBIDDEN);
    assert_int_equal(tz_exchange_conclude(f->x, &liaison, case_id, NULL, &r, &errs), TZ_EFORBIDDEN);
    assert_int_equal(tz_exchange_conclude(f->x, &op, 999, NULL, &r, &errs), TZ_ENOTFOUND);
    assert_int_equal(tz_exchange_conclude(f->x, &op, case_id, "wymiana zakończona", &r, &errs),
                     TZ_OK);
    assert_int_equal(r.state, TZ_XRS_CONCLUDED);
    assert_string_equal(r.unit, "KGP-SPOC");
    assert_int_equal(r.concluded_at, f->now);
    /* Due no later than 6 months after: 180 days (at the same Polish wall-clock time). */
    assert_int_equal(r.review_due, tz_time_add_pl_days(f->now, 180));
    assert_true(r.review_due - f->now <= 181 * 86400);
    assert_false(r.due);
    int64_t first_due = r.review_due;
    assert_int_equal(tz_exchange_conclude(f->x, &op, case_id, NULL, &r, &errs), TZ_ECONFLICT);
    /* A concluded case takes no new message. */
    struct tz_xmsg m;
    tz_xmsg_init(&m);
    m.type = TZ_XMSG_INFORMATION;
    m.case_id = case_id;
    COPY(m.originator.node, "DE");
    COPY(m.originator.unit, "BKA-SPOC");
    m.addressee_count = 1;
    COPY(m.addressees[0].node, "PL");
    COPY(m.addressees[0].unit, "KGP-SPOC");
    COPY(m.lang, "de");
    m.handling = TZ_XH0;
    m.source = TZ_XSRC_A;
    m.info = TZ_XINFO_1;
    struct tz_xreceipt rc;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_submit(f->x, &boss, true, &m, &rc, &errs), TZ_ECONFLICT);
    assert_string_equal(errs.items[0].field, "/case");
    tz_xmsg_clear(&m);
    /* ... and the store refuses one too, in the transaction that would write it (a race). */
    struct tz_xmsg_rec raw = {.case_id = case_id, .inbound = 1, .at = f->now};
    COPY(raw.type, "information");
    COPY(raw.from_node, "DE");
    COPY(raw.from_unit, "BKA-SPOC");
    COPY(raw.lang, "de");
    COPY(raw.handling, "H0");
    COPY(raw.source, "A");
    COPY(raw.info, "1");
    struct tz_xput put = {.msg = &raw};
    assert_int_equal(tz_store_x_put_messages(f->store, &put, 1), TZ_OK);
    assert_int_equal(put.err, TZ_ECONFLICT);

    /* The queue: listed, not yet due; after 180 days due; the other unit sees none of it. */
    struct tz_xretentions q;
    assert_int_equal(tz_exchange_retention_queue(f->x, &op, false, &q), TZ_OK);
    assert_int_equal(q.count, 1);
    tz_xretentions_clear(&q);
    assert_int_equal(tz_exchange_retention_queue(f->x, &op, true, &q), TZ_OK);
    assert_int_equal(q.count, 0);
    tz_xretentions_clear(&q);
    f->now = first_due;
    assert_int_equal(tz_exchange_retention_queue(f->x, &op, true, &q), TZ_OK);
    assert_int_equal(q.count, 1);
    assert_true(q.items[0].due);
    tz_xretentions_clear(&q);
    assert_int_equal(tz_exchange_retention_queue(f->x, &other, false, &q), TZ_OK);
    assert_int_equal(q.count, 0);
    tz_xretentions_clear(&q);
    assert_int_equal(tz_exchange_retention_queue(f->x, &liaison, false, &q), TZ_EFORBIDDEN);
    assert_int_equal(tz_exchange_retention_queue(f->x, &boss, true, &q), TZ_OK);
    assert_int_equal(q.count, 1);
    tz_xretentions_clear(&q);

    /* Keep: the supervisor only, with reasons, the next review after now and within 180 days. */
    struct tz_xreview keep = {.keep = true, .reasons = "postępowanie w toku"};
    assert_int_equal(tz_exchange_retention_review(f->x, &op, case_id, &keep, &r, &errs),
                     TZ_EFORBIDDEN);
    struct tz_xreview bare = {.keep = true};
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_retention_review(f->x, &boss, case_id, &bare, &r, &errs),
                     TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/reasons");
    struct tz_xreview late = keep;
    late.next_review = tz_time_add_pl_days(f->now, 181);
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_retention_review(f->x, &boss, case_id, &late, &r, &errs),
                     TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/next_review");
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_exchange_retention_review(f->x, &boss, case_id, &keep, &r, &errs), TZ_OK);
    assert_int_equal(r.state, TZ_XRS_KEPT);
    assert_int_equal(r.reviews, 1);
    assert_int_equal(r.review_due, tz_time_add_pl_days(f->now, 180));
    assert_string_equal(r.reviewed_by, "boss");
    assert_false(r.due);
    struct tz_xreview soon = keep;
    soon.next_review = f->now + 30 * 86400;
    assert_int_equal(tz_exchange_retention_review(f->x, &boss, case_id, &soon, &r, &errs), TZ_OK);
    assert_int_equal(r.review_due, f->now + 30 * 86400);
    assert_int_equal(r.reviews, 2);
    /* Each step is audited: conclude and two reviews, and the queue's reads. */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'exchange.retention'"
                              " AND fields LIKE '%keep%'"),
                     2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'exchange.retention'"
                              " AND fields LIKE '%conclude%'"),
                     1);
}

static void deletion_leaves_no_byte_in_the_file(void **state)
{
    struct fx *f = *state;
    int64_t case_id, id = receive(f, &case_id);
    struct tz_xactor boss = {.p = &f->boss, .client = "t"};
    struct tz_xretention r;
    struct tz_field_errors errs = {0};
    assert_int_equal(tz_exchange_conclude(f->x, &boss, case_id, NULL, &r, &errs), TZ_OK);
    /* Before: the name is in the file or its WAL (the test would find it). */
    assert_true(db_holds(f, PLANTED));
    assert_true(db_holds(f, PLANTED_DOC));
    struct tz_xreview del = {.keep = false, .reasons = "nie jest już potrzebne"};
    assert_int_equal(tz_exchange_retention_review(f->x, &boss, case_id, &del, &r, &errs), TZ_OK);
    assert_int_equal(r.state, TZ_XRS_DELETED);
    assert_false(r.due);
    /* After the deletion and its checkpoint: not a byte of it, in the file or the WAL. */
    assert_false(db_holds(f, PLANTED));
    assert_false(db_holds(f, PLANTED_DOC));
    assert_false(db_holds(f, "Prosimy o dane"));
    /* Nor after the store is closed (its last checkpoint). */
    tz_exchange_close(f->x);
    tz_store_close(f->store);
    assert_false(db_holds(f, PLANTED));
    assert_int_equal(tz_store_open_sqlite(f->path, &f->store), TZ_OK);
    struct tz_xnode_config cfg = {.node = "PL", .spoc_unit = "KGP-SPOC"};
    assert_int_equal(tz_exchange_open(f->store, &cfg, &f->x), TZ_OK);
    tz_exchange_set_clock(f->x, fixed_clock, &f->now);
    /* What stays is what the statistics count: the message, its type and dates. */
    struct tz_xview v;
    assert_int_equal(tz_exchange_get(f->x, &boss, id, &v), TZ_OK);
    assert_int_equal(v.msg.type, TZ_XMSG_REQUEST);
    assert_int_equal(v.msg.entity_count, 0);
    assert_int_equal(v.msg.link_count, 0);
    assert_null(v.msg.text);
    tz_xview_clear(&v);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM x_entity_keys"), 0);
    /* Deleted is final: no second review, not in the queue, audited once. */
    assert_int_equal(tz_exchange_retention_review(f->x, &boss, case_id, &del, &r, &errs),
                     TZ_ECONFLICT);
    struct tz_xretentions q;
    assert_int_equal(tz_exchange_retention_queue(f->x, &boss, false, &q), TZ_OK);
    assert_int_equal(q.count, 0);
    tz_xretentions_clear(&q);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'exchange.retention'"
                              " AND fields LIKE '%delete%'"),
                     1);
    /* A case that was never concluded has no review. */
    assert_int_equal(tz_exchange_retention_review(f->x, &boss, 999, &del, &r, &errs), TZ_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(concluded_case_is_due_within_six_months, setup, teardown),
        cmocka_unit_test_setup_teardown(deletion_leaves_no_byte_in_the_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
