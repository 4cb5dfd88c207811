/*
 * fuzz_exchange.c - libFuzzer harness of the exchange message's JSON door
 * (http/exchange_json.c) and the exchange's validator behind it. The input
 * is a message body, any bytes.
 *
 * What must hold, beyond "no crash, no undefined behaviour":
 *   - a body is accepted, refused as malformed or too big, or refused as
 *     invalid with at least one error, each field and message valid UTF-8;
 *   - an accepted message is valid by tz_exchange_validate on its own, and
 *     written back (tz_http_exchange_json) it reads back as the same bytes:
 *     what the export writes, the import takes.
 */
#include <string.h>

#include "check.h"
#include "http/exchange_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_errors(const struct tz_field_errors *errs)
{
    for (size_t i = 0; i < errs->count; i++) {
        const struct tz_field_error *f = &errs->items[i];
        FUZZ_CHECK(fuzz_utf8_valid(f->field, strlen(f->field)), "field %zu not UTF-8", i);
        FUZZ_CHECK(fuzz_utf8_valid(f->message, strlen(f->message)), "message %zu not UTF-8", i);
    }
}

static void check_round_trip(struct tz_xmsg *m)
{
    struct tz_field_errors errs = {0};
    FUZZ_CHECK(tz_exchange_validate(m, &errs) == TZ_OK, "accepted but invalid: %s",
               errs.items[0].field);
    struct tz_buf first, second;
    tz_buf_init(&first, 2 * TZ_X_WIRE_MAX);
    tz_buf_init(&second, 2 * TZ_X_WIRE_MAX);
    tz_err err = tz_http_exchange_json(m, &first);
    if (err == TZ_OK) {
        struct tz_xmsg back;
        err = tz_http_exchange_parse(first.data, first.len, &back, &errs);
        FUZZ_CHECK(err == TZ_OK || err == TZ_ETOOBIG, "written back, refused: %d %s", err,
                   errs.count ? errs.items[0].field : "");
        if (err == TZ_OK) {
            FUZZ_CHECK(tz_http_exchange_json(&back, &second) == TZ_OK, "second write");
            FUZZ_CHECK(first.len == second.len && memcmp(first.data, second.data, first.len) == 0,
                       "read back differently");
        }
        tz_xmsg_clear(&back);
    }
    tz_buf_free(&first);
    tz_buf_free(&second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tz_field_errors errs = {0};
    struct tz_xmsg m;
    tz_err err = tz_http_exchange_parse((const char *)data, size, &m, &errs);
    if (err == TZ_OK) {
        check_round_trip(&m);
    } else {
        FUZZ_CHECK(err == TZ_EMALFORMED || err == TZ_EINVAL || err == TZ_ETOOBIG, "err %d", err);
        FUZZ_CHECK(err != TZ_EINVAL || errs.count > 0, "invalid without an error listed");
        check_errors(&errs);
    }
    tz_xmsg_clear(&m);
    return 0;
}
