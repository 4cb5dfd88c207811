/*
 * Unit tests of src/threatmap: the workflow table walked whole, deadlines and
 * overdue, public visibility, and the validation of report bodies against a
 * small store with two districts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/tztime.h"
#include "http/report_json.h"
#include "threatmap/threatmap.h"

static int64_t at(const char *rfc3339)
{
    int64_t t = 0;
    assert_int_equal(tz_time_parse(rfc3339, strlen(rfc3339), &t), TZ_OK);
    return t;
}

/* The transitions of DESIGN 1.1, and nothing else. */
static bool designed(enum tz_status from, enum tz_status to)
{
    return (from == TZ_STATUS_NEW && (to == TZ_STATUS_VERIFYING || to == TZ_STATUS_REJECTED)) ||
           (from == TZ_STATUS_VERIFYING &&
            (to == TZ_STATUS_CONFIRMED || to == TZ_STATUS_NOT_CONFIRMED)) ||
           (from == TZ_STATUS_CONFIRMED &&
            (to == TZ_STATUS_ELIMINATED || to == TZ_STATUS_REFERRED));
}

static void every_transition_is_allowed_or_refused_as_designed(void **state)
{
    for (int from = 0; from < TZ_STATUS_COUNT; from++) {
        for (int to = 0; to < TZ_STATUS_COUNT; to++) {
            const struct tz_transition_rule *rule = tz_workflow_rule(from, to);
            assert_int_equal(rule != NULL, designed(from, to));
            /* up to TZ_AUTH_ROLE_COUNT: no role at all (the public) is refused too */
            for (int role = 0; role <= TZ_AUTH_ROLE_COUNT; role++) {
                const char *referral = to == TZ_STATUS_REFERRED ? "Straż Miejska" : NULL;
                tz_err err = tz_workflow_check(from, to, role, "notatka", referral);
                bool police = role == TZ_AUTH_OFFICER || role == TZ_AUTH_SUPERVISOR;
                if (!designed(from, to))
                    assert_int_equal(err, TZ_ECONFLICT);
                else if (!police)
                    assert_int_equal(err, TZ_EFORBIDDEN);
                else
                    assert_int_equal(err, TZ_OK);
            }
        }
    }
}

static void notes_and_referrals_are_required_where_they_matter(void **state)
{
    enum tz_auth_role o = TZ_AUTH_OFFICER;
    assert_int_equal(tz_workflow_check(TZ_STATUS_NEW, TZ_STATUS_REJECTED, o, NULL, NULL), TZ_EINVAL);
    assert_int_equal(tz_workflow_check(TZ_STATUS_NEW, TZ_STATUS_REJECTED, o, "  \n", NULL),
                     TZ_EINVAL);
    assert_int_equal(tz_workflow_check(TZ_STATUS_NEW, TZ_STATUS_REJECTED, o, "spam", NULL), TZ_OK);
    assert_int_equal(
        tz_workflow_check(TZ_STATUS_VERIFYING, TZ_STATUS_NOT_CONFIRMED, o, NULL, NULL), TZ_EINVAL);
    assert_int_equal(tz_workflow_check(TZ_STATUS_VERIFYING, TZ_STATUS_CONFIRMED, o, NULL, NULL),
                     TZ_OK);
    assert_int_equal(tz_workflow_check(TZ_STATUS_CONFIRMED, TZ_STATUS_REFERRED, o, NULL, NULL),
                     TZ_EINVAL);
    assert_int_equal(
        tz_workflow_check(TZ_STATUS_CONFIRMED, TZ_STATUS_REFERRED, o, NULL, "Zarząd Dróg"), TZ_OK);
    /* An institution named where no referral happens is a mistake, not a silent extra. */
    assert_int_equal(
        tz_workflow_check(TZ_STATUS_CONFIRMED, TZ_STATUS_ELIMINATED, o, NULL, "Zarząd Dróg"),
        TZ_EINVAL);
}

static void status_codes_round_trip(void **state)
{
    for (int s = 0; s < TZ_STATUS_COUNT; s++) {
        enum tz_status back;
        assert_int_equal(tz_status_parse(tz_status_code(s), &back), TZ_OK);
        assert_int_equal(back, s);
    }
    enum tz_status x;
    assert_int_equal(tz_status_parse("lost", &x), TZ_EINVAL);
    assert_string_equal(tz_status_name_pl(TZ_STATUS_NOT_CONFIRMED), "niepotwierdzone");
}

static void deadlines_and_overdue(void **state)
{
    struct tz_workflow_config cfg = tz_workflow_defaults();
    char text[TZ_TIME_TEXT_MAX];
    /* Received on Friday 27 March 2026 at 12:00 CET: take up by Sunday 12:00 CEST. */
    int64_t received = at("2026-03-27T11:00:00Z");
    int64_t due = tz_workflow_takeup_due(&cfg, received);
    tz_time_format(due, text);
    assert_string_equal(text, "2026-03-29T10:00:00Z");
    /* Taken up on 23 October 2026 10:00 CEST: verify by 28 October 10:00 CET. */
    int64_t taken = at("2026-10-23T08:00:00Z");
    tz_time_format(tz_workflow_verify_due(&cfg, taken), text);
    assert_string_equal(text, "2026-10-28T09:00:00Z");

    struct tz_report_rec rec = {.takeup_due = due};
    assert_false(tz_workflow_overdue(&rec, TZ_STATUS_NEW, due));
    assert_true(tz_workflow_overdue(&rec, TZ_STATUS_NEW, due + 1));
    rec.verify_due = due + 86400;
    assert_false(tz_workflow_overdue(&rec, TZ_STATUS_VERIFYING, due + 1));
    assert_true(tz_workflow_overdue(&rec, TZ_STATUS_VERIFYING, due + 86401));
    assert_false(tz_workflow_overdue(&rec, TZ_STATUS_CONFIRMED, due + 999999));
}

/* One rule says which deadline applies; overdue follows from it, status by status. */
static void the_deadline_that_applies(void **state)
{
    struct tz_report_rec rec = {.takeup_due = 1000, .verify_due = 5000};
    for (int s = 0; s < TZ_STATUS_COUNT; s++) {
        int64_t due = tz_workflow_due(&rec, (enum tz_status)s);
        if (s == TZ_STATUS_NEW)
            assert_int_equal(due, 1000);
        else if (s == TZ_STATUS_VERIFYING)
            assert_int_equal(due, 5000);
        else
            assert_int_equal(due, 0);
        assert_int_equal(tz_workflow_overdue(&rec, (enum tz_status)s, 4000), due == 1000);
        assert_int_equal(tz_workflow_overdue(&rec, (enum tz_status)s, 6000), due != 0);
    }
    /* A report read before its deadline was set has none yet. */
    struct tz_report_rec none = {0};
    assert_int_equal(tz_workflow_due(&none, TZ_STATUS_NEW), 0);
    assert_false(tz_workflow_overdue(&none, TZ_STATUS_NEW, 1));
}

static void public_visibility_windows(void **state)
{
    struct tz_workflow_config cfg = tz_workflow_defaults();
    int64_t changed = at("2026-11-01T12:00:00Z");
    int64_t later = changed + 400 * 86400;
    assert_true(tz_workflow_publicly_visible(&cfg, TZ_STATUS_NEW, changed, later));
    assert_true(tz_workflow_publicly_visible(&cfg, TZ_STATUS_REFERRED, changed, later));
    assert_false(tz_workflow_publicly_visible(&cfg, TZ_STATUS_REJECTED, changed, changed));
    assert_true(tz_workflow_publicly_visible(&cfg, TZ_STATUS_NOT_CONFIRMED, changed,
                                             changed + 6 * 86400));
    assert_false(tz_workflow_publicly_visible(&cfg, TZ_STATUS_NOT_CONFIRMED, changed,
                                              changed + 7 * 86400));
    assert_true(tz_workflow_publicly_visible(&cfg, TZ_STATUS_ELIMINATED, changed,
                                             changed + 29 * 86400));
    assert_false(tz_workflow_publicly_visible(&cfg, TZ_STATUS_ELIMINATED, changed,
                                              changed + 31 * 86400));
}

/* A store with two square districts side by side: A west of 20.0, B east of it. */
struct fixture {
    char path[64];
    struct tz_store *store;
    struct tz_threatmap *tm;
};

static const char two_districts[] =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"id\":\"A\",\"properties\":{\"name\":\"Zachód\",\"unit\":\"KP I\","
    "\"officer\":\"asp. Jan Kowalski\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[19.9,50.0],[20.0,50.0],[20.0,50.1],[19.9,50.1],[19.9,50.0]]]}},"
    "{\"type\":\"Feature\",\"id\":\"B\",\"properties\":{\"name\":\"Wschód\",\"unit\":\"KP II\","
    "\"officer\":\"sierż. Anna Nowak\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
    "[[[20.0,50.0],[20.1,50.0],[20.1,50.1],[20.0,50.1],[20.0,50.0]]]}}]}";

static int open_fixture(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "/tmp/tarcza-tm-XXXXXX");
    int fd = mkstemp(f->path);
    if (fd < 0)
        return -1;
    close(fd);
    struct tz_geo_problems problems = {0};
    if (tz_store_open_sqlite(f->path, &f->store) ||
        tz_threatmap_import_districts(f->store, two_districts, strlen(two_districts), &problems) ||
        tz_threatmap_open(f->store, NULL, &f->tm))
        return -1;
    *state = f;
    return 0;
}

static int close_fixture(void **state)
{
    struct fixture *f = *state;
    tz_threatmap_close(f->tm);
    tz_store_close(f->store);
    char p[80];
    unlink(f->path);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
    free(f);
    return 0;
}

static tz_err prepare(struct fixture *f, const char *body, struct tz_submission *sub,
                      struct tz_field_errors *errs)
{
    memset(errs, 0, sizeof *errs);
    return tz_http_report_prepare(f->tm, body, strlen(body), "192.0.2.1",
                                  at("2026-11-25T10:00:00Z"), sub, errs);
}

static void reports_are_routed_to_their_district(void **state)
{
    struct fixture *f = *state;
    struct tz_submission sub;
    struct tz_field_errors errs;
    assert_int_equal(prepare(f, "{\"category\":\"speeding\",\"lat\":50.05,\"lon\":19.95}", &sub,
                             &errs),
                     TZ_OK);
    assert_string_equal(sub.rec.district_id, "A");
    assert_string_equal(sub.rec.status, "new");
    assert_true(strlen(sub.token) >= 30);
    tz_submission_clear(&sub);
    assert_int_equal(prepare(f, "{\"category\":\"speeding\",\"lat\":50.05,\"lon\":20.05}", &sub,
                             &errs),
                     TZ_OK);
    assert_string_equal(sub.rec.district_id, "B");
    tz_submission_clear(&sub);
    /* On the shared border the first district (by id) takes it. */
    assert_int_equal(prepare(f, "{\"category\":\"speeding\",\"lat\":50.05,\"lon\":20.0}", &sub,
                             &errs),
                     TZ_OK);
    assert_string_equal(sub.rec.district_id, "A");
    tz_submission_clear(&sub);
    assert_int_equal(prepare(f, "{\"category\":\"speeding\",\"lat\":50.05,\"lon\":20.2}", &sub,
                             &errs),
                     TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/lat");
}

static void bodies_are_validated_field_by_field(void **state)
{
    struct fixture *f = *state;
    struct tz_submission sub;
    struct tz_field_errors errs;
    assert_int_equal(prepare(f, "not json", &sub, &errs), TZ_EMALFORMED);
    assert_int_equal(prepare(f, "\"a string\"", &sub, &errs), TZ_EMALFORMED);
    /* Every wrong field is listed at once. */
    assert_int_equal(prepare(f, "{\"category\":\"x\",\"lat\":\"1\",\"lon\":500,\"extra\":1}", &sub,
                             &errs),
                     TZ_EINVAL);
    assert_int_equal(errs.count, 4);
    assert_string_equal(errs.items[0].field, "/extra");
    assert_string_equal(errs.items[1].field, "/category");
    assert_string_equal(errs.items[2].field, "/lat");
    assert_string_equal(errs.items[3].field, "/lon");
    /* A description is trimmed; a blank one counts as none. */
    assert_int_equal(prepare(f,
                             "{\"category\":\"speeding\",\"lat\":50.05,\"lon\":19.95,"
                             "\"description\":\"  Za szybko!\\r\\n\"}",
                             &sub, &errs),
                     TZ_OK);
    assert_string_equal(sub.rec.description, "Za szybko!");
    tz_submission_clear(&sub);
    assert_int_equal(prepare(f,
                             "{\"category\":\"dangerous_entertainment\",\"lat\":50.05,"
                             "\"lon\":19.95,\"description\":\"   \"}",
                             &sub, &errs),
                     TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/description");
    assert_int_equal(prepare(f,
                             "{\"category\":\"speeding\",\"lat\":50.05,\"lon\":19.95,"
                             "\"when\":{\"date\":\"2026-11-30\",\"times\":[\"night\"],"
                             "\"weekdays\":[\"fri\",\"sat\"]}}",
                             &sub, &errs),
                     TZ_OK);
    assert_int_equal(sub.rec.when_times, 8);
    assert_int_equal(sub.rec.when_weekdays, (1u << 4) | (1u << 5));
    assert_int_equal(sub.rec.when_date, at("2026-11-30"));
    tz_submission_clear(&sub);
}

/*
 * The struct both doors fill (the JSON body, Open311's form) is checked by
 * the same rules whoever filled it: bytes no parser has checked (a
 * percent-decoded form field) are refused field by field as invalid text,
 * never taken for a failed allocation; a door's reason for a field it could
 * not read is listed in that field's place.
 */
static void report_input_is_checked_whoever_filled_it(void **state)
{
    struct fixture *f = *state;
    struct tz_submission sub;
    struct tz_field_errors errs = {0};
    int64_t now = at("2026-11-25T10:00:00Z");
    struct tz_report_input in = {.category = "speeding",
                                 .category_len = 8,
                                 .has_lat = true,
                                 .has_lon = true,
                                 .lat = 50.05,
                                 .lon = 19.95,
                                 .description = "\xFF",
                                 .description_len = 1,
                                 .when_date = "\xC0\x80",
                                 .when_date_len = 2};
    assert_int_equal(tz_threatmap_prepare(f->tm, &in, "192.0.2.1", now, &sub, &errs), TZ_EINVAL);
    assert_int_equal(errs.count, 2);
    assert_string_equal(errs.items[0].field, "/when/date");
    assert_string_equal(errs.items[1].field, "/description");
    /* NUL inside, an overlong form, a surrogate, past U+10FFFF, cut short: not text either. */
    const char *bad[] = {"a\0b", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82"};
    size_t len[] = {3, 2, 3, 4, 2};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&errs, 0, sizeof errs);
        in.when_date = NULL;
        in.description = bad[i];
        in.description_len = len[i];
        assert_int_equal(tz_threatmap_prepare(f->tm, &in, "192.0.2.1", now, &sub, &errs),
                         TZ_EINVAL);
        assert_string_equal(errs.items[0].field, "/description");
    }
    /* A door's problem stands in its field's place; unknown "when" bits are refused. */
    memset(&errs, 0, sizeof errs);
    in.description = "Za szybko \xC5\x82";
    in.description_len = strlen(in.description);
    in.category = NULL;
    in.category_problem = "not a string";
    in.has_lat = false;
    in.lon = 500;
    in.when_times = 1u << TZ_WHEN_TIMES;
    assert_int_equal(tz_threatmap_prepare(f->tm, &in, "192.0.2.1", now, &sub, &errs), TZ_EINVAL);
    assert_int_equal(errs.count, 4);
    assert_string_equal(errs.items[0].field, "/category");
    assert_string_equal(errs.items[0].message, "not a string");
    assert_string_equal(errs.items[1].field, "/lat");
    assert_string_equal(errs.items[2].field, "/lon");
    assert_string_equal(errs.items[3].field, "/when/times");
    /* Filled right, it is a report. */
    memset(&errs, 0, sizeof errs);
    in = (struct tz_report_input){.category = "speeding",
                                  .category_len = 8,
                                  .has_lat = true,
                                  .has_lon = true,
                                  .lat = 50.05,
                                  .lon = 19.95,
                                  .when_date = "2026-11-30",
                                  .when_date_len = 10,
                                  .when_weekdays = 1u << 6};
    assert_int_equal(tz_threatmap_prepare(f->tm, &in, "192.0.2.1", now, &sub, &errs), TZ_OK);
    assert_string_equal(sub.rec.district_id, "A");
    assert_int_equal(sub.rec.when_date, at("2026-11-30"));
    assert_int_equal(sub.rec.when_weekdays, 1u << 6);
    tz_submission_clear(&sub);
}

static void stored_reports_move_through_the_workflow(void **state)
{
    struct fixture *f = *state;
    struct tz_submission sub;
    struct tz_field_errors errs;
    assert_int_equal(prepare(f, "{\"category\":\"vandalism\",\"lat\":50.05,\"lon\":20.05}", &sub,
                             &errs),
                     TZ_OK);
    assert_int_equal(tz_threatmap_submit(f->tm, &sub), TZ_OK);
    int64_t id = sub.rec.id;
    assert_true(id > 0);
    tz_submission_clear(&sub);

    int64_t now = at("2026-11-26T09:00:00Z");
    struct tz_transition_request req = {.report_id = id, .to = "confirmed",
                                        .role = TZ_AUTH_OFFICER, .actor = "test"};
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_threatmap_transition(f->tm, &req, now, &errs), TZ_ECONFLICT);
    req.to = "verifying";
    req.role = TZ_AUTH_ANALYST;
    assert_int_equal(tz_threatmap_transition(f->tm, &req, now, &errs), TZ_EFORBIDDEN);
    req.role = TZ_AUTH_OFFICER;
    assert_int_equal(tz_threatmap_transition(f->tm, &req, now, &errs), TZ_OK);
    /* Taking it up twice is a conflict: the report is no longer new. */
    assert_int_equal(tz_threatmap_transition(f->tm, &req, now, &errs), TZ_ECONFLICT);
    req.to = "not_confirmed";
    assert_int_equal(tz_threatmap_transition(f->tm, &req, now, &errs), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/note");
    req.to = "nowhere";
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_threatmap_transition(f->tm, &req, now, &errs), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/to");
    req.report_id = 999999;
    req.to = "verifying";
    assert_int_equal(tz_threatmap_transition(f->tm, &req, now, &errs), TZ_ENOTFOUND);
    /* The same rules for every caller (API, command line): a note of at most 4000 bytes, a
     * referral only to an institution of the list. Nothing changes. */
    static char long_note[TZ_TRANSITION_NOTE_MAX + 2];
    memset(long_note, 'n', sizeof long_note - 1);
    req.report_id = id;
    req.to = "not_confirmed";
    req.note = long_note;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_threatmap_transition(f->tm, &req, now, &errs), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/note");
    req.to = "confirmed";
    req.note = NULL;
    req.referred_to = "somebody";
    memset(&errs, 0, sizeof errs);
    assert_int_equal(tz_threatmap_transition(f->tm, &req, now, &errs), TZ_EINVAL);
    assert_string_equal(errs.items[0].field, "/referred_to");
    req.referred_to = NULL;

    /* The police view: the status, the verification deadline and the change in the history. */
    struct tz_report_view view;
    assert_int_equal(tz_threatmap_report_full(f->tm, id, &view), TZ_OK);
    assert_string_equal(view.rec.status, "verifying");
    int64_t verify_due = 0;
    assert_int_equal(tz_time_parse("2026-12-01T09:00:00Z", 20, &verify_due), TZ_OK);
    assert_int_equal(view.rec.verify_due, verify_due);
    assert_true(view.reporter);
    assert_int_equal(view.history_count, 1);
    assert_string_equal(view.history[0].from, "new");
    assert_string_equal(view.history[0].to, "verifying");
    tz_report_view_clear(&view);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(every_transition_is_allowed_or_refused_as_designed),
        cmocka_unit_test(notes_and_referrals_are_required_where_they_matter),
        cmocka_unit_test(status_codes_round_trip),
        cmocka_unit_test(deadlines_and_overdue),
        cmocka_unit_test(the_deadline_that_applies),
        cmocka_unit_test(public_visibility_windows),
    };
    const struct CMUnitTest stored[] = {
        cmocka_unit_test_setup_teardown(reports_are_routed_to_their_district, open_fixture,
                                        close_fixture),
        cmocka_unit_test_setup_teardown(bodies_are_validated_field_by_field, open_fixture,
                                        close_fixture),
        cmocka_unit_test_setup_teardown(report_input_is_checked_whoever_filled_it, open_fixture,
                                        close_fixture),
        cmocka_unit_test_setup_teardown(stored_reports_move_through_the_workflow, open_fixture,
                                        close_fixture),
    };
    int failed = cmocka_run_group_tests_name("workflow", pure, NULL, NULL);
    return failed | cmocka_run_group_tests_name("stored", stored, NULL, NULL);
}
