/*
 * Unit tests of assistant/translate.h: translation beside the original, through a real Apertium
 * pair (Debian's apertium-eng-spa, installed by scripts/deps.sh) and through a LibreTranslate
 * test double, a libmicrohttpd server in this test that answers well, slowly, with an error,
 * or with garbage. Every failure keeps the original and names its reason; a pair no engine has
 * is said to be missing, not invented.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <microhttpd.h>

#include "assistant/translate.h"

/* ---- the LibreTranslate double ---- */

enum double_mode { DOUBLE_OK, DOUBLE_SLOW, DOUBLE_GARBAGE, DOUBLE_ERROR, DOUBLE_NOT_TEXT };

struct upload {
    char data[65536];
    size_t len;
};

static enum double_mode mode;
static char last_source[8], last_target[8], last_path[64];

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* Answers {"translatedText": "ES:" + q} to a well-formed request, as the mode says otherwise. */
static enum MHD_Result answer(struct MHD_Connection *c, const struct upload *u)
{
    json_t *req = json_loadb(u->data, u->len, 0, NULL), *res;
    const char *q = json_string_value(json_object_get(req, "q"));
    char *body, text[70000];
    enum MHD_Result ok;

    snprintf(last_source, sizeof last_source, "%s",
             json_string_value(json_object_get(req, "source")) ?: "");
    snprintf(last_target, sizeof last_target, "%s",
             json_string_value(json_object_get(req, "target")) ?: "");
    if (mode == DOUBLE_SLOW)
        sleep(1);
    if (mode == DOUBLE_GARBAGE || q == NULL) {
        json_decref(req);
        return reply(c, 200, "<html>Bad gateway</html>");
    }
    if (mode == DOUBLE_ERROR) {
        json_decref(req);
        return reply(c, 500, "{\"error\":\"model not loaded\"}");
    }
    snprintf(text, sizeof text, "ES:%s", q);
    res = mode == DOUBLE_NOT_TEXT ? json_pack("{s:i}", "translatedText", 5)
                                  : json_pack("{s:s}", "translatedText", text);
    body = json_dumps(res, 0);
    ok = reply(c, 200, body);
    free(body);
    json_decref(res);
    json_decref(req);
    return ok;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **state)
{
    struct upload *u = *state;
    (void)cls, (void)method, (void)version;
    if (u == NULL) {
        u = calloc(1, sizeof *u);
        *state = u;
        snprintf(last_path, sizeof last_path, "%s", url);
        return MHD_YES;
    }
    if (*size > 0) {
        size_t k = *size < sizeof u->data - u->len ? *size : sizeof u->data - u->len;
        memcpy(u->data + u->len, data, k);
        u->len += k;
        *size = 0;
        return MHD_YES;
    }
    return answer(c, u);
}

static void done_cb(void *cls, struct MHD_Connection *c, void **state,
                    enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    free(*state);
    *state = NULL;
}

static struct MHD_Daemon *daemon_up;
static char libre_url[64];

static int start_double(void **state)
{
    (void)state;
    const union MHD_DaemonInfo *info;
    daemon_up = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                                 0, NULL, NULL, handler, NULL, MHD_OPTION_NOTIFY_COMPLETED,
                                 done_cb, NULL, MHD_OPTION_END);
    if (daemon_up == NULL)
        return -1;
    info = MHD_get_daemon_info(daemon_up, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(libre_url, sizeof libre_url, "http://127.0.0.1:%u/", (unsigned)info->port);
    return 0;
}

static int stop_double(void **state)
{
    (void)state;
    MHD_stop_daemon(daemon_up);
    return 0;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A stand-in for the apertium program (a shell script in /tmp) that does what body says. */
static const char *fake_apertium(const char *name, const char *body)
{
    static char path[128];
    FILE *f;
    snprintf(path, sizeof path, "/tmp/tz_test_%s_%d.sh", name, (int)getpid());
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s\n", body);
    fclose(f);
    chmod(path, 0700);
    return path;
}

/* ---- Apertium ---- */

static void apertium_translates_english_to_spanish_beside_the_original(void **state)
{
    (void)state;
    struct tz_translate_config cfg = {.timeout_ms = 120000};
    struct tz_translation t;
    const char *text = "The car was stolen yesterday.";

    assert_int_equal(tz_translate(&cfg, text, strlen(text), "en", "es", &t), TZ_OK);
    assert_string_equal(t.engine, "apertium");
    assert_string_equal(t.pair, "eng-spa");
    assert_string_equal(t.label, "machine translation");
    assert_string_equal(t.original, text);
    assert_non_null(t.text);
    assert_non_null(strstr(t.text, "coche"));
    assert_null(strstr(t.text, "car was"));
    tz_translation_clear(&t);
    /* the source language is identified when it is not given */
    text = "The police found the stolen car near the station in the evening.";
    assert_int_equal(tz_translate(&cfg, text, strlen(text), NULL, "es", &t), TZ_OK);
    assert_string_equal(t.from, "en");
    assert_string_equal(t.engine, "apertium");
    tz_translation_clear(&t);
    tz_translation_clear(&t); /* twice is safe */
}

static void a_pair_without_an_engine_is_said_to_be_missing(void **state)
{
    (void)state;
    struct tz_translate_config cfg = {.timeout_ms = 120000};
    struct tz_translation t;
    const char *text = "Skradziono samochód wczoraj wieczorem.";

    assert_int_equal(tz_translate(&cfg, text, strlen(text), "pl", "ka", &t), TZ_ENOTFOUND);
    assert_string_equal(t.original, text);
    assert_null(t.text);
    assert_null(t.label);
    assert_string_equal(t.engine, "");
    assert_non_null(strstr(t.reason, "no machine-translation engine"));
    tz_translation_clear(&t);
    /* Apertium turned off: English-Spanish has no engine either */
    cfg.apertium = "";
    assert_int_equal(tz_translate(&cfg, "The car", 7, "en", "es", &t), TZ_ENOTFOUND);
    tz_translation_clear(&t);
}

static void bad_requests_are_refused(void **state)
{
    (void)state;
    struct tz_translate_config cfg = {.timeout_ms = 120000};
    struct tz_translation t;
    assert_int_equal(tz_translate(&cfg, "abc", 3, "en", "english", &t), TZ_EINVAL);
    tz_translation_clear(&t);
    assert_int_equal(tz_translate(&cfg, "abc", 3, "EN", "es", &t), TZ_EINVAL);
    tz_translation_clear(&t);
    assert_int_equal(tz_translate(&cfg, "abc", 3, "es", "es", &t), TZ_EINVAL);
    tz_translation_clear(&t);
    assert_int_equal(tz_translate(&cfg, "a\xff", 2, "en", "es", &t), TZ_EINVAL);
    tz_translation_clear(&t);
    assert_int_equal(tz_translate(&cfg, "x", TZ_TRANSLATE_TEXT_MAX + 1, "en", "es", &t),
                     TZ_ETOOBIG);
    tz_translation_clear(&t);
}

static void an_apertium_that_hangs_or_floods_is_stopped(void **state)
{
    (void)state;
    struct tz_translate_config cfg = {.timeout_ms = 300};
    struct tz_translation t;
    double t0 = seconds();

    cfg.apertium = fake_apertium("hang", "cat >/dev/null; exec sleep 3600");
    assert_int_equal(tz_translate(&cfg, "The car", 7, "en", "es", &t), TZ_EIO);
    assert_true(seconds() - t0 < 600); /* not a timing assertion: it does not wait the hour */
    assert_non_null(strstr(t.reason, "time limit"));
    assert_string_equal(t.original, "The car");
    assert_null(t.text);
    tz_translation_clear(&t);
    unlink(cfg.apertium);

    cfg.timeout_ms = 120000;
    cfg.apertium = fake_apertium("flood", "exec yes 'una línea más'");
    assert_int_equal(tz_translate(&cfg, "The car", 7, "en", "es", &t), TZ_EIO);
    assert_non_null(strstr(t.reason, "bound"));
    tz_translation_clear(&t);
    unlink(cfg.apertium);

    cfg.apertium = fake_apertium("fail", "exit 3"); /* before or after it reads: failed */
    assert_int_equal(tz_translate(&cfg, "The car", 7, "en", "es", &t), TZ_EIO);
    assert_non_null(strstr(t.reason, "failed"));
    tz_translation_clear(&t);
    unlink(cfg.apertium);
}

/* ---- LibreTranslate ---- */

static void libretranslate_takes_the_pairs_apertium_lacks(void **state)
{
    (void)state;
    struct tz_translate_config cfg = {.libre_url = libre_url, .timeout_ms = 120000};
    struct tz_translation t;
    const char *text = "Şübhəli şəxs dünən axşam saxlanılıb.";

    mode = DOUBLE_OK;
    assert_int_equal(tz_translate(&cfg, text, strlen(text), NULL, "pl", &t), TZ_OK);
    assert_string_equal(t.engine, "libretranslate");
    assert_string_equal(t.from, "az");
    assert_string_equal(last_source, "az");
    assert_string_equal(last_target, "pl");
    assert_string_equal(last_path, "/translate");
    assert_string_equal(t.label, "machine translation");
    assert_string_equal(t.original, text);
    assert_non_null(t.text);
    assert_int_equal(strncmp(t.text, "ES:", 3), 0);
    assert_string_equal(t.text + 3, text);
    tz_translation_clear(&t);
    /* a pair Apertium has still goes to Apertium */
    assert_int_equal(tz_translate(&cfg, "The car", 7, "en", "es", &t), TZ_OK);
    assert_string_equal(t.engine, "apertium");
    tz_translation_clear(&t);
}

static void libretranslate_failures_keep_the_original_and_say_why(void **state)
{
    (void)state;
    static const struct {
        enum double_mode mode;
        const char *why;
    } cases[] = {
        {DOUBLE_SLOW, "time limit"},
        {DOUBLE_GARBAGE, "not a translation"},
        {DOUBLE_NOT_TEXT, "not a translation"},
        {DOUBLE_ERROR, "HTTP 500"},
    };
    struct tz_translate_config cfg = {.libre_url = libre_url};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tz_translation t;
        mode = cases[i].mode;
        /* the slow double sleeps a second: 300 ms is past; the others get all the time a
         * busy machine needs to reach their answer */
        cfg.timeout_ms = mode == DOUBLE_SLOW ? 300 : 120000;
        assert_int_equal(tz_translate(&cfg, "Dzień dobry", 12, "pl", "az", &t), TZ_EIO);
        assert_string_equal(t.engine, "libretranslate");
        assert_string_equal(t.original, "Dzień dobry");
        assert_null(t.text);
        assert_null(t.label);
        assert_non_null(strstr(t.reason, cases[i].why));
        tz_translation_clear(&t);
    }
    /* nobody listening */
    struct tz_translation t;
    cfg.libre_url = "http://127.0.0.1:1";
    assert_int_equal(tz_translate(&cfg, "Dzień dobry", 12, "pl", "az", &t), TZ_EIO);
    assert_non_null(strstr(t.reason, "could not be reached"));
    tz_translation_clear(&t);
    mode = DOUBLE_OK;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(apertium_translates_english_to_spanish_beside_the_original),
        cmocka_unit_test(a_pair_without_an_engine_is_said_to_be_missing),
        cmocka_unit_test(bad_requests_are_refused),
        cmocka_unit_test(an_apertium_that_hangs_or_floods_is_stopped),
        cmocka_unit_test(libretranslate_takes_the_pairs_apertium_lacks),
        cmocka_unit_test(libretranslate_failures_keep_the_original_and_say_why),
    };
    return cmocka_run_group_tests(tests, start_double, stop_double);
}
