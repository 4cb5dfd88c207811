/*
 * fuzz_report.c - libFuzzer harness of the report body of POST /api/v1/reports
 * (tz_http_report_prepare): the input is the body, exactly as the HTTP layer
 * hands it over.
 *
 * Nothing is submitted, so the fixture stays as it was opened. What must hold
 * for every body, beyond "no crash, no leak, no undefined behaviour":
 *   - TZ_OK: the report has a known category that takes reports, finite lat
 *     and lon on the globe, a district the threat map knows, the status "new",
 *     a take-up deadline after receipt, a token; its description, when there
 *     is one, is trimmed UTF-8 of at most TZ_DESCRIPTION_MAX_CHARS characters
 *     with no control character but line breaks (LF, CR LF).
 *   - TZ_EINVAL: at least one field error, each valid UTF-8 (they go back in
 *     the 422 problem document).
 *   - otherwise only TZ_EMALFORMED (not a JSON object) or TZ_ETOOBIG; and a
 *     refused body leaves nothing allocated in the submission.
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "fixture.h"
#include "http/report_json.h"

static const struct fuzz_fixture *fx;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fx = fuzz_fixture_open(0); /* districts only: reports play no part in reading a body */
    return 0;
}

/* Whether s (n bytes) has a control character other than LF and the CR of CR LF. */
static bool has_forbidden_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool crlf = c == '\r' && i + 1 < n && s[i + 1] == '\n';
        if ((c < 0x20 && c != '\n' && !crlf) || c == 0x7F)
            return true;
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] <= 0x9F)
            return true; /* C1: U+0080..U+009F */
    }
    return false;
}

static bool is_trim_byte(char c)
{
    return c == ' ' || c == '\n' || c == '\r';
}

static void check_accepted(const struct tz_submission *sub)
{
    const struct tz_report_rec *rec = &sub->rec;
    const struct tz_category_rec *cat = tz_threatmap_category(fx->tm, rec->category);
    FUZZ_CHECK(cat != NULL, "unknown category \"%.*s\"", (int)sizeof rec->category, rec->category);
    FUZZ_CHECK(!cat->retired, "retired category %s accepted", cat->code);
    FUZZ_CHECK(isfinite(rec->lat) && rec->lat >= -90 && rec->lat <= 90, "lat %g", rec->lat);
    FUZZ_CHECK(isfinite(rec->lon) && rec->lon >= -180 && rec->lon <= 180, "lon %g", rec->lon);
    FUZZ_CHECK(rec->district_id[0] && memchr(rec->district_id, 0, sizeof rec->district_id),
               "no district");
    FUZZ_CHECK(tz_threatmap_district(fx->tm, rec->district_id) != NULL, "district %s unknown",
               rec->district_id);
    FUZZ_CHECK(strcmp(rec->status, "new") == 0, "status %.16s", rec->status);
    FUZZ_CHECK(rec->received_at == fx->now && rec->status_changed_at == fx->now, "times");
    FUZZ_CHECK(rec->takeup_due > rec->received_at, "take-up due %lld", (long long)rec->takeup_due);
    FUZZ_CHECK(rec->verify_due == 0 && rec->taken_up_at == 0 && rec->verified_at == 0,
               "a new report has no verification yet");
    FUZZ_CHECK(rec->when_times < 16 && rec->when_weekdays < 128, "when bits %u %u", rec->when_times,
               rec->when_weekdays);
    FUZZ_CHECK(rec->public_description == NULL, "a public description before review");
    FUZZ_CHECK(sub->token[0] && memchr(sub->token, 0, sizeof sub->token), "no token");
    if (cat->description_required)
        FUZZ_CHECK(rec->description != NULL, "%s needs a description", cat->code);
    if (rec->description) {
        size_t n = strlen(rec->description);
        FUZZ_CHECK(n > 0, "an empty description is kept");
        FUZZ_CHECK(fuzz_utf8_valid(rec->description, n), "description is not UTF-8");
        FUZZ_CHECK(fuzz_utf8_chars(rec->description, n) <= TZ_DESCRIPTION_MAX_CHARS,
                   "description of %zu characters", fuzz_utf8_chars(rec->description, n));
        FUZZ_CHECK(!has_forbidden_control(rec->description, n), "control character kept");
        FUZZ_CHECK(!is_trim_byte(rec->description[0]) && !is_trim_byte(rec->description[n - 1]),
                   "description not trimmed");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tz_submission sub;
    struct tz_field_errors errs = {0};
    tz_err err = tz_http_report_prepare(fx->tm, (const char *)data, size, "203.0.113.7", fx->now,
                                        &sub, &errs);
    switch (err) {
    case TZ_OK:
        FUZZ_CHECK(errs.count == 0 && errs.dropped == 0, "accepted with %zu errors", errs.count);
        check_accepted(&sub);
        break;
    case TZ_EINVAL:
        FUZZ_CHECK(errs.count > 0, "TZ_EINVAL without a field error");
        fuzz_check_field_errors(&errs);
        break;
    case TZ_EMALFORMED:
        break;
    case TZ_ETOOBIG:
        FUZZ_CHECK(size > TZ_REPORT_BODY_MAX, "%zu bytes is not too big", size);
        break;
    default:
        FUZZ_CHECK(false, "unexpected %s", tz_err_str(err));
    }
    if (err != TZ_OK) {
        FUZZ_CHECK(sub.rec.description == NULL && sub.rec.public_description == NULL,
                   "a refused body keeps its description");
    }
    tz_submission_clear(&sub);
    return 0;
}
