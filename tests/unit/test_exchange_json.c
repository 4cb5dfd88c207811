/*
 * Unit tests of the exchange message's JSON door (http/exchange_json.c) and
 * its writer (http/render_exchange.c): a message with every entity kind
 * reads into the exchange's structs field by field and writes back as the
 * same bytes; hostile bodies (not JSON, duplicate keys, invalid UTF-8, NUL,
 * deep nesting, too big, strings too long, unknown members, unknown codes,
 * wrong types) are refused with what the API answers (400, 413, 422 with the
 * field named); labels and markings are written in the reader's language.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "http/exchange_json.h"

#ifndef TZ_SOURCE_DIR
#define TZ_SOURCE_DIR "."
#endif

/* The corpus file fuzz/corpus/fuzz_exchange/<name>, read whole. */
static char *corpus(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/fuzz/corpus/fuzz_exchange/%s", TZ_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *data = calloc(1, 1 << 16);
    *len = fread(data, 1, (1 << 16) - 1, f);
    fclose(f);
    return data;
}

static bool names(const struct tz_field_errors *errs, const char *field)
{
    for (size_t i = 0; i < errs->count; i++)
        if (strcmp(errs->items[i].field, field) == 0)
            return true;
    return false;
}

static void test_reads_every_field(void **state)
{
    (void)state;
    size_t len;
    char *body = corpus("request.json", &len);
    struct tz_xmsg m;
    struct tz_field_errors errs = {0};
    tz_err err = tz_http_exchange_parse(body, len, &m, &errs);
    if (err)
        fail_msg("%d %s: %s", err, errs.items[0].field, errs.items[0].message);
    assert_int_equal(m.type, TZ_XMSG_REQUEST);
    assert_int_equal(m.urgency, TZ_XURG_URGENT_INDIRECT);
    assert_int_equal(m.handling, TZ_XH1);
    assert_int_equal(m.source, TZ_XSRC_B);
    assert_int_equal(m.info, TZ_XINFO_2);
    assert_string_equal(m.originator.officer, "asp. Nowak");
    assert_int_equal(m.addressee_count, 2);
    assert_true(m.addressees[1].cc);
    assert_int_equal(m.entity_count, 9);
    const struct tz_xperson *p = &m.entities[0].u.person;
    assert_string_equal(p->original, "Məmmədov Elçin");
    assert_string_equal(p->spellings[0], "Mamedov");
    assert_string_equal(p->nationalities[0], "AZ"); /* AZE, made alpha-2 */
    assert_int_equal(p->sex, TZ_XSEX_MALE);
    assert_int_equal(m.entities[1].u.document.type, TZ_XDOC_PASSPORT);
    assert_string_equal(m.entities[2].u.vehicle.vin, "WVWZZZ1JZXW000001");
    assert_true(m.entities[3].u.location.has_coords);
    assert_true(m.entities[3].u.location.lon == 16.9435);
    assert_int_equal(m.entities[7].u.comm.kind, TZ_XC_PHONE);
    assert_int_equal(m.link_count, 3);
    assert_int_equal(m.links[2].role, TZ_XL_SEEN_AT);
    /* Written back, it reads back as the same bytes. */
    struct tz_buf a, b;
    tz_buf_init(&a, 1 << 20);
    tz_buf_init(&b, 1 << 20);
    assert_int_equal(tz_http_exchange_json(&m, &a), TZ_OK);
    struct tz_xmsg back;
    assert_int_equal(tz_http_exchange_parse(a.data, a.len, &back, &errs), TZ_OK);
    assert_int_equal(tz_http_exchange_json(&back, &b), TZ_OK);
    assert_string_equal(a.data, b.data);
    tz_buf_free(&a);
    tz_buf_free(&b);
    tz_xmsg_clear(&back);
    tz_xmsg_clear(&m);
    free(body);
}

/* body refused with err (and, for TZ_EINVAL, field named). */
static void refused(const char *body, size_t len, tz_err want, const char *field)
{
    struct tz_xmsg m;
    struct tz_field_errors errs = {0};
    tz_err err = tz_http_exchange_parse(body, len, &m, &errs);
    if (err != want)
        fail_msg("%.60s: got %d, wanted %d (%s)", body, err, want,
                 errs.count ? errs.items[0].field : "");
    if (field && !names(&errs, field))
        fail_msg("%.60s: no error at %s (first %s: %s)", body, field, errs.items[0].field,
                 errs.items[0].message);
    tz_xmsg_clear(&m);
}
#define REFUSED(lit, want, field) refused(lit, sizeof(lit) - 1, want, field)

static void test_hostile_bodies(void **state)
{
    (void)state;
    REFUSED("not json", TZ_EMALFORMED, NULL);
    REFUSED("[1,2]", TZ_EMALFORMED, NULL);
    REFUSED("{\"type\":\"request\",\"type\":\"reply\"}", TZ_EMALFORMED, NULL);
    REFUSED("{\"text\":\"\xff\xfe\"}", TZ_EMALFORMED, NULL);
    REFUSED("{\"text\":\"a\\u0000b\"}", TZ_EMALFORMED, NULL);
    REFUSED("{\"entities\":[{\"x\":[[[1]]]}]}", TZ_EMALFORMED, NULL);
    REFUSED("{\"text\":\"[[[[[[[[[[\"}", TZ_EINVAL, "/originator"); /* brackets in a string: no depth */
    REFUSED("{\"type\":\"request\",\"bogus\":1}", TZ_EINVAL, "/bogus");
    REFUSED("{\"type\":\"telegram\"}", TZ_EINVAL, "/type");
    REFUSED("{\"handling\":\"H9\"}", TZ_EINVAL, "/handling");
    REFUSED("{\"handling\":2}", TZ_EINVAL, "/handling");
    REFUSED("{\"grounds\":[\"z\"]}", TZ_EINVAL, "/grounds/0");
    REFUSED("{\"case\":-4}", TZ_EINVAL, "/case");
    REFUSED("{\"case\":\"4\"}", TZ_EINVAL, "/case");
    REFUSED("{\"evaluation\":{\"source\":\"Z\"}}", TZ_EINVAL, "/evaluation/source");
    REFUSED("{\"originator\":{\"node\":\"PL\",\"cc\":true}}", TZ_EINVAL, "/originator/cc");
    REFUSED("{\"entities\":[{\"ref\":\"a\",\"kind\":\"dragon\"}]}", TZ_EINVAL, "/entities/0/kind");
    REFUSED("{\"entities\":[{\"ref\":\"a\",\"kind\":\"vehicle\",\"wings\":2}]}", TZ_EINVAL,
            "/entities/0/wings");
    REFUSED("{\"entities\":[{\"kind\":\"vehicle\"}]}", TZ_EINVAL, "/entities/0/ref");
    REFUSED("{\"entities\":[{\"ref\":\"a\",\"kind\":\"location\",\"lat\":50}]}", TZ_EINVAL,
            "/entities/0");
    REFUSED("{\"links\":[{\"from\":\"a\",\"to\":\"b\",\"role\":\"enemy_of\"}]}", TZ_EINVAL,
            "/links/0/role");
    /* A string one byte too long is refused, not cut. */
    char body[600];
    int n = snprintf(body, sizeof body, "{\"lang\":\"%0*d\"}", TZ_X_LANG_MAX, 0);
    refused(body, (size_t)n, TZ_EINVAL, "/lang");
    /* Too big, before a byte is read. */
    char *big = malloc(TZ_X_BODY_MAX + 2);
    memset(big, ' ', TZ_X_BODY_MAX + 1);
    big[0] = '{';
    big[TZ_X_BODY_MAX] = '}';
    refused(big, TZ_X_BODY_MAX + 1, TZ_ETOOBIG, NULL);
    free(big);
    /* Well-formed but breaking a rule of the exchange: H3 without its text. */
    size_t len;
    char *refusal = corpus("refusal.json", &len);
    char *h3 = strstr(refusal, "\"restriction\":\"Tylko do wiadomości KGP\",");
    assert_non_null(h3);
    memmove(h3, h3 + strlen("\"restriction\":\"Tylko do wiadomości KGP\","),
            strlen(h3) - strlen("\"restriction\":\"Tylko do wiadomości KGP\",") + 1);
    refused(refusal, strlen(refusal), TZ_EINVAL, "/restriction");
    free(refusal);
}

/* Attachments: base64 decoded, the type sniffed and its SHA-256 set; the 512 KiB bound counts the
 * message without its attachments' base64, which has a bound of its own. */
static void test_attachments(void **state)
{
    (void)state;
    size_t len;
    char *body = corpus("attachments.json", &len);
    struct tz_xmsg m;
    struct tz_field_errors errs = {0};
    assert_int_equal(tz_http_exchange_parse(body, len, &m, &errs), TZ_OK);
    assert_int_equal(m.attachment_count, 3);
    assert_string_equal(m.attachments[0].type, "application/pdf");
    assert_memory_equal(m.attachments[0].data, "%PDF-1.4", 8);
    assert_int_equal(strlen(m.attachments[1].sha256), 64);
    tz_xmsg_clear(&m);
    free(body);
    body = corpus("attachments_bad.json", &len);
    errs = (struct tz_field_errors){0};
    assert_int_equal(tz_http_exchange_parse(body, len, &m, &errs), TZ_EINVAL);
    assert_true(names(&errs, "/attachments/1/data")); /* the door's: not base64 */
    tz_xmsg_clear(&m);
    free(body);
    REFUSED("{\"attachments\":{}}", TZ_EINVAL, "/attachments");
    REFUSED("{\"attachments\":[{\"name\":\"a\",\"type\":\"text/plain\"}]}", TZ_EINVAL,
            "/attachments/0/data");
    REFUSED("{\"attachments\":[{\"name\":\"a\",\"type\":\"text/plain\",\"data\":\"YQ==\","
            "\"x\":1}]}",
            TZ_EINVAL, "/attachments/0/x");
    /* 600 KiB of text is too big; 600 KiB of an attachment's base64 is not. */
    size_t big = 600u * 1024;
    char *text = malloc(big + 128);
    memcpy(text, "{\"text\":\"", 9);
    memset(text + 9, 'a', big);
    memcpy(text + 9 + big, "\"}", 3);
    refused(text, big + 11, TZ_ETOOBIG, NULL);
    int n = snprintf(text, 128, "{\"attachments\":[{\"name\":\"a.txt\",\"type\":\"text/plain\",\"data\":\"");
    memset(text + n, 'Y', big);
    memcpy(text + n + big, "\"}]}", 5);
    refused(text, n + big + 4, TZ_EINVAL, "/originator"); /* read whole, then the message's rules */
    free(text);
}

static void test_labels_and_markings(void **state)
{
    (void)state;
    size_t len;
    char *body = corpus("refusal.json", &len);
    struct tz_xmsg m;
    struct tz_field_errors errs = {0};
    assert_int_equal(tz_http_exchange_parse(body, len, &m, &errs), TZ_OK);
    struct tz_buf out;
    tz_buf_init(&out, 1 << 16);
    struct tz_jw w;
    tz_jw_begin(&w, &out);
    tz_jw_object(&w);
    tz_http_put_xmsg_labels(&w, &m, TZ_XLANG_FR);
    tz_jw_object_end(&w);
    assert_int_equal(tz_jw_end(&w), TZ_OK);
    assert_non_null(strstr(out.data, "\"type\":\"refus\""));
    assert_non_null(strstr(out.data, "autorisation judiciaire refusée"));
    assert_non_null(strstr(out.data, "{\"code\":\"restricted\",\"label\":\"RESTRICTIONS\","
                                     "\"text\":\"Tylko do wiadomości KGP\"}"));
    tz_buf_free(&out);
    tz_xmsg_clear(&m);
    free(body);
}

/* The schema in docs/ lists, for each code table, exactly the table's codes (alpha-3 countries
 * after the alpha-2 ones), so the documentation cannot drift from the C tables. */
static void test_schema_lists_the_tables(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/docs/exchange-message.schema.json", TZ_SOURCE_DIR);
    json_error_t jerr;
    json_t *schema = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!schema)
        fail_msg("%s: %s", path, jerr.text);
    assert_string_equal(json_string_value(json_object_get(schema, "$schema")),
                        "https://json-schema.org/draft/2020-12/schema");
    json_t *defs = json_object_get(schema, "$defs");
    for (int t = 0; t < TZ_XT_COUNT; t++) {
        if (t == TZ_XT_MARKING)
            continue; /* written by the server, never read */
        const char *name = tz_xcode_table_name((enum tz_xtable)t);
        json_t *list = json_object_get(json_object_get(defs, name), "enum");
        if (!json_is_array(list))
            fail_msg("schema: no enum for %s", name);
        size_t n, k = 0;
        const struct tz_xcode *rows = tz_xcode_rows((enum tz_xtable)t, &n);
        for (size_t i = 0; i < n; i++)
            assert_string_equal(json_string_value(json_array_get(list, k++)), rows[i].code);
        for (size_t i = 0; i < n; i++)
            if (rows[i].alt)
                assert_string_equal(json_string_value(json_array_get(list, k++)), rows[i].alt);
        assert_int_equal(json_array_size(list), k);
    }
    json_decref(schema);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_every_field),
        cmocka_unit_test(test_hostile_bodies),
        cmocka_unit_test(test_attachments),
        cmocka_unit_test(test_labels_and_markings),
        cmocka_unit_test(test_schema_lists_the_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
