/*
 * fuzz_police.c - libFuzzer harness of the JSON bodies of the police
 * endpoints (police_body in api_auth.c: login, transitions, descriptions,
 * assignments, accounts). The input is a body, any bytes.
 *
 * What must hold, beyond "no crash, no undefined behaviour":
 *   - a body that is read is a JSON object whose every member is one of the
 *     allowed ones and a string or null, and police_field gives back exactly
 *     the strings (valid UTF-8, no NUL: jansson refuses both);
 *   - a body refused as invalid lists at least one error, and every error's
 *     field and message are valid UTF-8 that the problem document can carry.
 */
#include <jansson.h>
#include <string.h>

#include "check.h"
#include "http/police.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every member any police endpoint allows, in one list. */
static const char *const allowed[] = {
    "name",    "password", "totp", "to",   "note",      "referred_to", "public_description",
    "officer", "district", "role", "unit", "districts", "label",       NULL,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct request req = {0};
    tz_buf_init(&req.body, TZ_REPORT_BODY_MAX);
    if (tz_buf_append(&req.body, (const char *)data, size) != TZ_OK) {
        tz_buf_free(&req.body);
        return 0; /* the server answers 413 before this */
    }
    struct tz_field_errors errs = {0};
    json_t *root = NULL;
    tz_err err = police_body(&req, allowed, &root, &errs);
    if (err == TZ_OK) {
        FUZZ_CHECK(json_is_object(root), "not an object");
        const char *key;
        json_t *value;
        json_object_foreach(root, key, value)
        {
            bool known = false;
            for (size_t i = 0; allowed[i]; i++)
                known = known || strcmp(key, allowed[i]) == 0;
            FUZZ_CHECK(known, "unknown member %s accepted", key);
            FUZZ_CHECK(json_is_string(value) || json_is_null(value), "%s is not a string", key);
            const char *s = police_field(root, key);
            FUZZ_CHECK(json_is_null(value) == (s == NULL), "police_field of %s", key);
            if (s)
                FUZZ_CHECK(fuzz_utf8_valid(s, strlen(s)) && strlen(s) == json_string_length(value),
                           "%s: not UTF-8, or a NUL inside", key);
        }
        json_decref(root);
    } else {
        FUZZ_CHECK(err == TZ_EMALFORMED || err == TZ_EINVAL, "err %d", err);
        FUZZ_CHECK(err != TZ_EINVAL || errs.count > 0, "invalid without an error listed");
        for (size_t i = 0; i < errs.count; i++) {
            const struct tz_field_error *f = &errs.items[i];
            FUZZ_CHECK(fuzz_utf8_valid(f->field, strlen(f->field)), "field %zu not UTF-8", i);
            FUZZ_CHECK(fuzz_utf8_valid(f->message, strlen(f->message)), "message %zu not UTF-8", i);
        }
    }
    tz_buf_free(&req.body);
    return 0;
}
