/*
 * fuzz_auth.c - libFuzzer harness of what src/auth reads from a client
 * besides JSON (which jansson parses): the session cookie's value, the
 * bearer token of Authorization, and the X-CSRF-Token header. The input is
 * the text, any bytes (cut at the first NUL, as a header value would be).
 *
 * One store with one account and one live session and token is made at
 * start. What must hold, beyond "no crash, no undefined behaviour":
 *   - text that is not the live session's id finds no session, and text that
 *     is not the live token finds no token (TZ_ENOTFOUND, never an error);
 *   - text that is not the session's CSRF token never passes the CSRF check.
 * It found the first: libsodium 1.0.18's base64url decoder reads any byte
 * >= 0x80 as '_', so such a byte in place of a '_' named the live session (the reproducer depends
 * on the random session, so the regression test is in tests/unit/test_auth.c,
 * sessions_expire_idle_and_absolute).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct tz_store *store;
static struct tz_auth *auth;
static char session[TZ_SECRET_TEXT_MAX], token[TZ_SECRET_TEXT_MAX];
static struct tz_principal live;
static char dir[64] = "/tmp/tz_fuzz_auth_XXXXXX";

static void cleanup(void)
{
    tz_auth_close(auth);
    tz_store_close(store);
    const char *suffixes[] = {"", "-wal", "-shm"};
    char p[128];
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/a.db%s", dir, suffixes[i]);
        unlink(p);
    }
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char path[96];
    static const struct tz_district_rec d = {
        .id = "D1", .name = "D1", .unit = "U", .geometry = "{}"};
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/a.db", dir);
    struct tz_auth_config cfg = tz_auth_defaults();
    cfg.pw_ops = 1;
    cfg.pw_mem = 8192;
    const char *const districts[] = {"D1"};
    struct tz_user_spec spec = {.name = "fuzz",
                                .role = "officer",
                                .districts = districts,
                                .district_count = 1,
                                .password = "a password for fuzzing"};
    if (tz_store_open_sqlite(path, &store) || tz_store_put_districts(store, &d, 1) ||
        tz_auth_open(store, &cfg, &auth) || tz_auth_user_add(auth, &spec, "fuzz", NULL))
        abort();
    struct tz_account_rec rec;
    if (tz_store_account_get(store, "fuzz", 0, &rec))
        abort();
    char code[8];
    snprintf(
        code, sizeof code, "%06u",
        tz_auth_hotp(rec.totp_secret, TZ_TOTP_SECRET_LEN, (uint64_t)(tz_auth_now(auth) / 30), 6));
    struct tz_login_result res;
    if (tz_auth_login(auth, "fuzz", "a password for fuzzing", code, "fuzz", &res) ||
        tz_auth_token_create(auth, "fuzz", "fuzz", 0, "fuzz", token) ||
        tz_auth_session(auth, res.session, &live))
        abort();
    memcpy(session, res.session, sizeof session);
    atexit(cleanup);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[256];
    size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy(text, data, n);
    text[n] = '\0';
    struct tz_principal p;
    tz_err err = tz_auth_session(auth, text, &p);
    if (strcmp(text, session) != 0)
        FUZZ_CHECK(err == TZ_ENOTFOUND, "session \"%s\": %s", text, tz_err_str(err));
    err = tz_auth_token(auth, text, &p);
    if (strcmp(text, token) != 0)
        FUZZ_CHECK(err == TZ_ENOTFOUND, "token \"%s\": %s", text, tz_err_str(err));
    if (strcmp(text, live.csrf) != 0)
        FUZZ_CHECK(!tz_auth_csrf_ok(&live, text), "CSRF \"%s\" passed", text);
    return 0;
}
