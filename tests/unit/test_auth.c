/*
 * Unit tests of src/auth: one-time codes against the RFC 4226 and RFC 6238
 * vectors, passwords, the permission table (every role x every action x in
 * scope / out of scope / no object, against an expected table written out
 * here on its own), accounts, login with lock-out and each TOTP code
 * accepted once, session idle and absolute expiry, CSRF, API tokens, and
 * the audit chain: intact, one entry altered, and a rewritten chain caught
 * by a signed checkpoint. The clock is injected; nothing sleeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>
#include <unistd.h>

#include "auth/auth.h"

#define T0 1767261600 /* 2026-01-01T10:00:00Z */

struct fixture {
    char dir[64];
    char path[96];
    struct tz_store *store;
    struct tz_auth *auth;
    int64_t now;
};

static int64_t test_clock(void *ctx)
{
    return ((struct fixture *)ctx)->now;
}

static const struct tz_district_rec districts[] = {
    {.id = "krk-01", .name = "Rejon 1", .unit = "KP Kraków-Śródmieście", .geometry = "{}"},
    {.id = "krk-02", .name = "Rejon 2", .unit = "KP Kraków-Śródmieście", .geometry = "{}"},
    {.id = "krk-09", .name = "Rejon 9", .unit = "KP Kraków-Nowa Huta", .geometry = "{}"},
};

static void remove_db(const struct fixture *f)
{
    const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[160];
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/tz_auth_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    if (tz_store_open_sqlite(f->path, &f->store))
        return -1;
    if (tz_store_put_districts(f->store, districts, 3))
        return -1;
    struct tz_auth_config cfg = tz_auth_defaults();
    cfg.pw_ops = crypto_pwhash_OPSLIMIT_MIN; /* fast hashing in tests; same code path */
    cfg.pw_mem = crypto_pwhash_MEMLIMIT_MIN;
    if (tz_auth_open(f->store, &cfg, &f->auth))
        return -1;
    f->now = T0;
    tz_auth_set_clock(f->auth, test_clock, f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    tz_auth_close(f->auth);
    tz_store_close(f->store);
    remove_db(f);
    char p[160];
    snprintf(p, sizeof p, "%s/key", f->dir);
    unlink(p);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* ---- codes and passwords ---- */

static void hotp_matches_rfc4226(void **state)
{
    static const uint8_t key[] = "12345678901234567890";
    static const uint32_t want[] = {755224, 287082, 359152, 969429, 338314,
                                    254676, 287922, 162583, 399871, 520489};
    for (uint64_t c = 0; c < 10; c++)
        assert_int_equal(tz_auth_hotp(key, 20, c, 6), want[c]);
}

static void totp_matches_rfc6238_sha1(void **state)
{
    static const uint8_t key[] = "12345678901234567890";
    static const struct {
        int64_t t;
        uint32_t code;
    } v[] = {{59, 94287082},         {1111111109, 7081804},  {1111111111, 14050471},
             {1234567890, 89005924}, {2000000000, 69279037}, {20000000000, 65353130}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_int_equal(tz_auth_hotp(key, 20, (uint64_t)(v[i].t / 30), 8), v[i].code);
}

static void base32_and_otpauth_uri(void **state)
{
    struct tz_buf b;
    tz_buf_init(&b, 65536);
    assert_int_equal(tz_auth_base32((const uint8_t *)"12345678901234567890", 20, &b), TZ_OK);
    assert_string_equal(b.data, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    tz_buf_reset(&b);
    assert_int_equal(tz_auth_base32((const uint8_t *)"f", 1, &b), TZ_OK);
    assert_string_equal(b.data, "MY");
    struct tz_account_rec rec = {.name = "ala"};
    memcpy(rec.totp_secret, "12345678901234567890", 20);
    tz_buf_reset(&b);
    assert_int_equal(tz_auth_otpauth_uri(&rec, &b), TZ_OK);
    assert_string_equal(b.data, "otpauth://totp/tarcza:ala?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                                "&issuer=tarcza&algorithm=SHA1&digits=6&period=30");
    tz_buf_reset(&b);
    assert_int_equal(tz_auth_qr_text("otpauth://totp/x", &b), TZ_OK);
    assert_true(b.len > 100);
    tz_buf_free(&b);
}

static void passwords_hash_and_check(void **state)
{
    struct fixture *f = *state;
    char hash[TZ_PWHASH_MAX];
    assert_int_equal(tz_auth_password_hash(f->auth, "short", hash), TZ_EINVAL);
    assert_int_equal(tz_auth_password_hash(f->auth, "correct horse battery", hash), TZ_OK);
    assert_memory_equal(hash, "$argon2id$", 10);
    assert_true(tz_auth_password_check(hash, "correct horse battery"));
    assert_false(tz_auth_password_check(hash, "correct horse batterz"));
    assert_false(tz_auth_password_check(hash, NULL));
}

/* ---- the permission table ---- */

/* The expected table, written out independently of src/auth/auth.c: N none, O own, U unit, A all.
 */
static const char expected[TZ_AUTH_ROLE_COUNT][TZ_ACT_COUNT + 1] = {
    /*           read trans desc assign queue dash district accounts audit analysis merge
     *           assistant screen, exchange: read send inbox retention, alert webhooks */
    [TZ_AUTH_OFFICER] = "OOONONNNNOO" "OA" "NNNN" "N",
    [TZ_AUTH_SUPERVISOR] = "UUUUUUUNNUU" "UA" "NNNN" "N",
    [TZ_AUTH_ANALYST] = "ANNNNANNNAN" "AA" "NNNN" "N",
    [TZ_AUTH_ADMIN] = "NNNNNNNAANN" "NN" "NNNN" "A",
    [TZ_AUTH_SPOC_OPERATOR] = "NNNNNNNNNNN" "UA" "UUUU" "N",
    [TZ_AUTH_SPOC_SUPERVISOR] = "NNNNNNNNNNN" "AA" "AUAA" "N",
    [TZ_AUTH_LIAISON] = "NNNNNNNNNNN" "UA" "UUUN" "N",
};

static struct tz_principal principal(enum tz_auth_role role)
{
    struct tz_principal p = {.role = role};
    snprintf(p.account.name, sizeof p.account.name, "%s1", tz_auth_role_code(role));
    snprintf(p.account.role, sizeof p.account.role, "%s", tz_auth_role_code(role));
    if (role == TZ_AUTH_SUPERVISOR || role >= TZ_AUTH_SPOC_OPERATOR) /* the exchange's too */
        snprintf(p.account.unit, sizeof p.account.unit, "KP A");
    if (role == TZ_AUTH_OFFICER) {
        snprintf(p.account.districts[0], TZ_ID_MAX, "d-own");
        p.account.district_count = 1;
    }
    return p;
}

static void permission_table_is_exhaustively_as_specified(void **state)
{
    for (int r = 0; r < TZ_AUTH_ROLE_COUNT; r++) {
        struct tz_principal p = principal((enum tz_auth_role)r);
        for (int a = 0; a < TZ_ACT_COUNT; a++) {
            char e = expected[r][a];
            enum tz_auth_action act = (enum tz_auth_action)a;
            /* In scope: the officer's own district, the supervisor's unit. */
            tz_err in = tz_auth_permit(&p, act, "d-own", "KP A", NULL);
            /* Out of scope: another unit's district. */
            tz_err out = tz_auth_permit(&p, act, "d-other", "KP B", NULL);
            /* No object (lists, dashboards). */
            tz_err none = tz_auth_permit(&p, act, NULL, NULL, NULL);
            /* Assigned to this account in someone else's district, and to another account. */
            tz_err mine = tz_auth_permit(&p, act, "d-other", "KP B", p.account.name);
            tz_err theirs = tz_auth_permit(&p, act, "d-own", "KP A", "someone");
            char where[64];
            snprintf(where, sizeof where, "%s x %s", tz_auth_role_code(p.role),
                     tz_auth_action_code(act));
            assert_int_equal(in, e == 'N' ? TZ_EFORBIDDEN : TZ_OK);
            assert_int_equal(out, e == 'A' ? TZ_OK : TZ_EFORBIDDEN);
            assert_int_equal(none, e == 'N' ? TZ_EFORBIDDEN : TZ_OK);
            assert_int_equal(mine, e == 'A' || e == 'O' ? TZ_OK : TZ_EFORBIDDEN);
            assert_int_equal(theirs, e == 'N' || e == 'O' ? TZ_EFORBIDDEN : TZ_OK);
            assert_int_equal(tz_auth_scope_of(p.role, act), e == 'N'   ? TZ_SCOPE_NONE
                                                            : e == 'O' ? TZ_SCOPE_OWN
                                                            : e == 'U' ? TZ_SCOPE_UNIT
                                                                       : TZ_SCOPE_ALL);
        }
    }
    /* A supervisor without a unit has no scope at all; a disabled account nothing. */
    struct tz_principal s = principal(TZ_AUTH_SUPERVISOR);
    s.account.unit[0] = '\0';
    assert_int_equal(tz_auth_permit(&s, TZ_ACT_QUEUE, NULL, NULL, NULL), TZ_EFORBIDDEN);
    struct tz_principal o = principal(TZ_AUTH_OFFICER);
    o.account.disabled = true;
    assert_int_equal(tz_auth_permit(&o, TZ_ACT_QUEUE, NULL, NULL, NULL), TZ_EFORBIDDEN);
}

/* ---- accounts and login ---- */

static void add_officer(struct fixture *f, const char *name, char uri[256])
{
    const char *const ds[] = {"krk-01"};
    struct tz_user_spec spec = {.name = name,
                                .role = "officer",
                                .districts = ds,
                                .district_count = 1,
                                .password = "correct horse battery"};
    struct tz_buf b;
    tz_buf_init(&b, 1024);
    assert_int_equal(tz_auth_user_add(f->auth, &spec, "cli:test", &b), TZ_OK);
    snprintf(uri, 256, "%s", b.data);
    tz_buf_free(&b);
}

/* The current code of an account, read from the seed in the database. */
static void code_at(struct fixture *f, const char *name, int64_t t, char out[8])
{
    struct tz_account_rec rec;
    assert_int_equal(tz_store_account_get(f->store, name, 0, &rec), TZ_OK);
    snprintf(out, 8, "%06u", tz_auth_hotp(rec.totp_secret, 20, (uint64_t)(t / 30), 6));
}

static void accounts_add_list_and_refuse_bad_ones(void **state)
{
    struct fixture *f = *state;
    char uri[256];
    add_officer(f, "jan.kowalski", uri);
    assert_memory_equal(uri, "otpauth://totp/tarcza:jan.kowalski?secret=", 42);
    struct tz_buf b;
    tz_buf_init(&b, 1024);
    const char *const bad_district[] = {"nowhere"};
    struct tz_user_spec spec = {
        .name = "jan.kowalski", .role = "officer", .password = "correct horse battery"};
    assert_int_equal(tz_auth_user_add(f->auth, &spec, "cli:test", &b), TZ_ECONFLICT);
    spec.name = "Bad Name";
    assert_int_equal(tz_auth_user_add(f->auth, &spec, "cli:test", &b), TZ_EINVAL);
    spec.name = "x";
    spec.role = "king";
    assert_int_equal(tz_auth_user_add(f->auth, &spec, "cli:test", &b), TZ_EINVAL);
    spec.role = "supervisor"; /* without a unit */
    assert_int_equal(tz_auth_user_add(f->auth, &spec, "cli:test", &b), TZ_EINVAL);
    spec.role = "officer";
    spec.districts = bad_district;
    spec.district_count = 1;
    assert_int_equal(tz_auth_user_add(f->auth, &spec, "cli:test", &b), TZ_EINVAL);
    spec.district_count = 0;
    spec.password = "short";
    assert_int_equal(tz_auth_user_add(f->auth, &spec, "cli:test", &b), TZ_EINVAL);
    tz_buf_free(&b);

    struct tz_account_rec *list = NULL;
    size_t n = 0;
    assert_int_equal(tz_store_accounts(f->store, &list, &n), TZ_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].role, "officer");
    assert_int_equal(list[0].district_count, 1);
    assert_string_equal(list[0].districts[0], "krk-01");
    free(list);
}

static void login_good_bad_replayed_and_locked(void **state)
{
    struct fixture *f = *state;
    char uri[256], code[8];
    struct tz_login_result res;
    add_officer(f, "ola", uri);

    code_at(f, "ola", f->now, code);
    assert_int_equal(tz_auth_login(f->auth, "ola", "wrong password!!", code, "10.0.0.1", &res),
                     TZ_EFORBIDDEN);
    assert_int_equal(
        tz_auth_login(f->auth, "ola", "correct horse battery", "000000", "10.0.0.1", &res),
        TZ_EFORBIDDEN);
    assert_int_equal(
        tz_auth_login(f->auth, "nobody", "correct horse battery", code, "10.0.0.1", &res),
        TZ_EFORBIDDEN);
    assert_int_equal(tz_auth_login(f->auth, "ola", "correct horse battery", code, "10.0.0.1", &res),
                     TZ_OK);
    assert_int_equal(strlen(res.session), 43);
    assert_int_equal(strlen(res.csrf), 43);
    /* The same code again, even within its 30 s: refused. */
    f->now += 5;
    assert_int_equal(tz_auth_login(f->auth, "ola", "correct horse battery", code, "10.0.0.1", &res),
                     TZ_EFORBIDDEN);
    /* A code from the previous step is accepted (clock skew), but not one older. */
    f->now += 60;
    code_at(f, "ola", f->now - 30, code);
    assert_int_equal(tz_auth_login(f->auth, "ola", "correct horse battery", code, "10.0.0.1", &res),
                     TZ_OK);
    code_at(f, "ola", f->now - 90, code);
    assert_int_equal(tz_auth_login(f->auth, "ola", "correct horse battery", code, "10.0.0.1", &res),
                     TZ_EFORBIDDEN);

    /* Failures so far: 2 above in another window... start a fresh window: 5 in 15 min lock. */
    f->now += 16 * 60;
    for (int i = 0; i < 5; i++) {
        f->now += 60;
        assert_int_equal(tz_auth_login(f->auth, "ola", "wrong password!!", "123456", NULL, &res),
                         TZ_EFORBIDDEN);
    }
    f->now += 30;
    code_at(f, "ola", f->now, code);
    assert_int_equal(tz_auth_login(f->auth, "ola", "correct horse battery", code, NULL, &res),
                     TZ_EBUSY);
    assert_true(res.retry_after > 0 && res.retry_after <= 15 * 60);
    f->now += res.retry_after;
    code_at(f, "ola", f->now, code);
    assert_int_equal(tz_auth_login(f->auth, "ola", "correct horse battery", code, NULL, &res),
                     TZ_OK);

    /* Failures spread over more than 15 minutes do not lock. */
    for (int i = 0; i < 8; i++) {
        f->now += 5 * 60;
        assert_int_equal(tz_auth_login(f->auth, "ola", "wrong password!!", "123456", NULL, &res),
                         TZ_EFORBIDDEN);
    }
    f->now += 5 * 60;
    code_at(f, "ola", f->now, code);
    assert_int_equal(tz_auth_login(f->auth, "ola", "correct horse battery", code, NULL, &res),
                     TZ_OK);

    /* A disabled account cannot log in; a new password unlocks and works. */
    assert_int_equal(tz_auth_user_disable(f->auth, "ola", true, "cli:test"), TZ_OK);
    f->now += 60;
    code_at(f, "ola", f->now, code);
    assert_int_equal(tz_auth_login(f->auth, "ola", "correct horse battery", code, NULL, &res),
                     TZ_EFORBIDDEN);
    assert_int_equal(tz_auth_user_disable(f->auth, "ola", false, "cli:test"), TZ_OK);
    assert_int_equal(tz_auth_user_passwd(f->auth, "ola", "another good password", "cli:test"),
                     TZ_OK);
    assert_int_equal(tz_auth_login(f->auth, "ola", "another good password", code, NULL, &res),
                     TZ_OK);
}

static void login(struct fixture *f, const char *name, struct tz_login_result *res)
{
    char code[8];
    f->now += 30; /* a fresh TOTP step */
    code_at(f, name, f->now, code);
    assert_int_equal(tz_auth_login(f->auth, name, "correct horse battery", code, NULL, res), TZ_OK);
}

/* Failures are counted by the store, not from the caller's copy of the account: attempts that
 * raced (each read the account before any wrote) all count, and a lock is never shortened. */
static void racing_failures_all_count(void **state)
{
    struct fixture *f = *state;
    char uri[256];
    add_officer(f, "ewa", uri);
    struct tz_account_rec stale;
    assert_int_equal(tz_store_account_get(f->store, "ewa", 0, &stale), TZ_OK);
    int64_t locked = 0;
    for (int i = 1; i <= 5; i++) { /* all from the same stale account record */
        char fields[96] = "";
        struct tz_login_update u = {.account_id = stale.id,
                                    .failure = true,
                                    .now = f->now + i,
                                    .window_s = 15 * 60,
                                    .lock_s = 15 * 60,
                                    .lock_failures = 5,
                                    .fields = fields,
                                    .fields_size = sizeof fields};
        assert_int_equal(tz_store_account_login(f->store, &u, NULL), TZ_OK);
        assert_int_equal(u.failures, i < 5 ? i : 0);
        if (i == 5) {
            locked = u.locked_until;
            assert_int_equal(locked, f->now + 5 + 15 * 60);
            assert_non_null(strstr(fields, "locked_until"));
        }
    }
    struct tz_account_rec now_rec;
    assert_int_equal(tz_store_account_get(f->store, "ewa", 0, &now_rec), TZ_OK);
    assert_int_equal(now_rec.locked_until, locked);
    /* A late failure that read the account before the lock cannot lift or shorten it. */
    struct tz_login_update late = {.account_id = stale.id,
                                   .failure = true,
                                   .now = f->now,
                                   .window_s = 15 * 60,
                                   .lock_s = 1,
                                   .lock_failures = 1};
    assert_int_equal(tz_store_account_login(f->store, &late, NULL), TZ_OK);
    assert_int_equal(tz_store_account_get(f->store, "ewa", 0, &now_rec), TZ_OK);
    assert_int_equal(now_rec.locked_until, locked);
}

/* A new password ends the account's sessions and revokes its API tokens. */
static void a_new_password_ends_sessions_and_tokens(void **state)
{
    struct fixture *f = *state;
    char uri[256], token[TZ_SECRET_TEXT_MAX];
    add_officer(f, "olek", uri);
    struct tz_login_result res;
    struct tz_principal p;
    login(f, "olek", &res);
    assert_int_equal(tz_auth_token_create(f->auth, "olek", "api", 0, "cli:test", token), TZ_OK);
    assert_int_equal(tz_auth_session(f->auth, res.session, &p), TZ_OK);
    assert_int_equal(tz_auth_token(f->auth, token, &p), TZ_OK);
    assert_int_equal(tz_auth_user_passwd(f->auth, "olek", "another good password", "cli:test"),
                     TZ_OK);
    assert_int_equal(tz_auth_session(f->auth, res.session, &p), TZ_ENOTFOUND);
    assert_int_not_equal(tz_auth_token(f->auth, token, &p), TZ_OK);
}

/* API tokens end: 90 days by default, or when --expires says (days or a date), never before now. */
static void api_tokens_expire(void **state)
{
    struct fixture *f = *state;
    char uri[256], token[TZ_SECRET_TEXT_MAX];
    struct tz_principal p;
    int64_t at = 0;
    add_officer(f, "bot", uri);
    assert_int_equal(tz_auth_token_expiry(f->auth, NULL, &at), TZ_OK);
    assert_int_equal(at, T0 + 90 * 86400);
    assert_int_equal(tz_auth_token_expiry(f->auth, "7", &at), TZ_OK);
    assert_int_equal(at, T0 + 7 * 86400);
    assert_int_equal(tz_auth_token_expiry(f->auth, "3650", &at), TZ_OK);
    assert_int_equal(tz_auth_token_expiry(f->auth, "2026-02-01T10:00:00Z", &at), TZ_OK);
    assert_int_equal(at, T0 + 31 * 86400);
    const char *bad[] = {"0", "3651", "99999", "-1", "", "7d", "2025-12-31", "2040-01-01", "x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tz_auth_token_expiry(f->auth, bad[i], &at), TZ_EINVAL);
    assert_int_equal(tz_auth_token_create(f->auth, "bot", "old", T0, "cli:test", token), TZ_EINVAL);

    assert_int_equal(tz_auth_token_create(f->auth, "bot", "week", T0 + 7 * 86400, "cli:test", token),
                     TZ_OK);
    f->now = T0 + 7 * 86400 - 1;
    assert_int_equal(tz_auth_token(f->auth, token, &p), TZ_OK);
    f->now = T0 + 7 * 86400;
    assert_int_equal(tz_auth_token(f->auth, token, &p), TZ_ENOTFOUND);
    f->now = T0; /* revoked when found expired: a clock set back does not revive it */
    assert_int_equal(tz_auth_token(f->auth, token, &p), TZ_ENOTFOUND);
}

/* Five failed logins lock the account and end its sessions, in the same transaction. */
static void a_lock_out_ends_sessions(void **state)
{
    struct fixture *f = *state;
    char uri[256];
    add_officer(f, "ewa", uri);
    struct tz_login_result res, wrong;
    struct tz_principal p;
    login(f, "ewa", &res);
    assert_int_equal(tz_auth_session(f->auth, res.session, &p), TZ_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(tz_auth_login(f->auth, "ewa", "not the password", "000000", "1.2.3.4",
                                       &wrong),
                         TZ_EFORBIDDEN);
    assert_int_equal(tz_auth_session(f->auth, res.session, &p), TZ_OK);
    assert_int_equal(
        tz_auth_login(f->auth, "ewa", "not the password", "000000", "1.2.3.4", &wrong),
        TZ_EFORBIDDEN);
    assert_int_equal(tz_auth_session(f->auth, res.session, &p), TZ_ENOTFOUND);
}

static void sessions_expire_idle_and_absolute(void **state)
{
    struct fixture *f = *state;
    char uri[256];
    struct tz_login_result res;
    struct tz_principal p;
    add_officer(f, "ewa", uri);
    login(f, "ewa", &res);
    assert_int_equal(tz_auth_session(f->auth, res.session, &p), TZ_OK);
    assert_string_equal(p.account.name, "ewa");
    assert_int_equal(p.role, TZ_AUTH_OFFICER);
    assert_true(tz_auth_csrf_ok(&p, res.csrf));
    assert_false(tz_auth_csrf_ok(&p, NULL));
    assert_false(tz_auth_csrf_ok(&p, "nope"));
    assert_int_equal(tz_auth_session(f->auth, "garbage", &p), TZ_ENOTFOUND);
    /*
     * One secret, one text (found by fuzz_auth): libsodium 1.0.18's base64url decoder reads
     * any byte >= 0x80 as '_', so such a byte in place of a '_' must not name the session;
     * nor may other unused trailing bits in the last character.
     */
    struct tz_login_result other = res;
    for (int i = 0; i < 40 && !strchr(other.session, '_'); i++)
        login(f, "ewa", &other);
    char *underscore = strchr(other.session, '_');
    assert_non_null(underscore);
    char odd[TZ_SECRET_TEXT_MAX];
    memcpy(odd, other.session, sizeof odd);
    odd[underscore - other.session] = (char)0xa7;
    assert_int_equal(tz_auth_session(f->auth, other.session, &p), TZ_OK);
    assert_int_equal(tz_auth_session(f->auth, odd, &p), TZ_ENOTFOUND);
    static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *pos = strchr(b64url, other.session[42]);
    assert_non_null(pos);
    memcpy(odd, other.session, sizeof odd);
    odd[42] = b64url[((pos - b64url) ^ 1) & 63]; /* the last character's unused low bits */
    assert_int_equal(tz_auth_session(f->auth, odd, &p), TZ_ENOTFOUND);
    assert_int_equal(tz_auth_session(f->auth, res.session, &p), TZ_OK);

    /* Idle: 29 minutes is fine, and moves the idle clock; then 31 minutes ends it. */
    f->now += 29 * 60;
    assert_int_equal(tz_auth_session(f->auth, res.session, &p), TZ_OK);
    f->now += 31 * 60;
    assert_int_equal(tz_auth_session(f->auth, res.session, &p), TZ_ENOTFOUND);

    /* Absolute: used every 20 minutes, it still ends after 12 hours. */
    login(f, "ewa", &res);
    int64_t start = f->now;
    while (f->now - start + 20 * 60 <= 12 * 3600) {
        f->now += 20 * 60;
        assert_int_equal(tz_auth_session(f->auth, res.session, &p), TZ_OK);
    }
    f->now = start + 12 * 3600 + 1;
    assert_int_equal(tz_auth_session(f->auth, res.session, &p), TZ_ENOTFOUND);

    /* Logout ends it; disabling the account ends the others. */
    login(f, "ewa", &res);
    assert_int_equal(tz_auth_session(f->auth, res.session, &p), TZ_OK);
    assert_int_equal(tz_auth_logout(f->auth, &p, NULL), TZ_OK);
    assert_int_equal(tz_auth_session(f->auth, res.session, &p), TZ_ENOTFOUND);
    login(f, "ewa", &res);
    assert_int_equal(tz_auth_user_disable(f->auth, "ewa", true, "cli:test"), TZ_OK);
    assert_int_equal(tz_auth_session(f->auth, res.session, &p), TZ_ENOTFOUND);
}

static void api_tokens(void **state)
{
    struct fixture *f = *state;
    char uri[256], token[TZ_SECRET_TEXT_MAX];
    struct tz_principal p;
    add_officer(f, "bot", uri);
    assert_int_equal(tz_auth_token_create(f->auth, "bot", "sync", 0, "cli:test", token), TZ_OK);
    assert_memory_equal(token, "tzt_", 4);
    assert_int_equal(tz_auth_token(f->auth, token, &p), TZ_OK);
    assert_true(p.via_token);
    assert_true(tz_auth_csrf_ok(&p, NULL));
    token[10] ^= 1;
    assert_int_equal(tz_auth_token(f->auth, token, &p), TZ_ENOTFOUND);
    token[10] ^= 1;
    assert_int_equal(tz_auth_logout(f->auth, &p, NULL), TZ_OK); /* revokes it */
    assert_int_equal(tz_auth_token(f->auth, token, &p), TZ_ENOTFOUND);
}

/* ---- who holds a district ---- */

static const char *unit_of(void *ctx, const char *district_id)
{
    for (size_t i = 0; i < sizeof districts / sizeof districts[0]; i++) {
        if (strcmp(districts[i].id, district_id) == 0)
            return districts[i].unit;
    }
    return "";
}

static void add_account(struct fixture *f, const char *name, const char *role, const char *unit,
                        const char *const *ds, size_t n)
{
    struct tz_user_spec spec = {.name = name,
                                .role = role,
                                .unit = unit,
                                .districts = ds,
                                .district_count = n,
                                .password = "correct horse battery"};
    assert_int_equal(tz_auth_user_add(f->auth, &spec, "cli:test", NULL), TZ_OK);
}

static size_t holders(struct fixture *f, const char *district, char *names, size_t size)
{
    struct tz_account_rec *all = NULL;
    size_t n = 0, count = 0;
    names[0] = '\0';
    assert_int_equal(tz_auth_accounts(f->auth, &all, &n), TZ_OK);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < all[i].district_count; k++) {
            if (strcmp(all[i].districts[k], district) == 0) {
                size_t len = strlen(names);
                snprintf(names + len, size - len, "%s%s", count++ ? "," : "", all[i].name);
            }
        }
    }
    free(all);
    return count;
}

/* The newest audit entry; the caller frees it with tz_audit_recs_free. */
static struct tz_audit_rec *last_entry(struct fixture *f)
{
    struct tz_audit_rec *all = NULL, *last = NULL;
    size_t n = 0;
    int64_t after = 0;
    for (;;) {
        assert_int_equal(tz_store_audit_read(f->store, after, 100, &all, &n), TZ_OK);
        if (n == 0)
            break;
        tz_audit_recs_free(last, last ? 1 : 0);
        last = calloc(1, sizeof *last);
        *last = all[n - 1];
        memset(&all[n - 1], 0, sizeof all[n - 1]);
        after = last->seq;
        tz_audit_recs_free(all, n);
    }
    tz_audit_recs_free(all, n);
    assert_non_null(last);
    return last;
}

/*
 * A district moves to one officer and leaves the others in one transaction with its entry:
 * when the entry cannot be written nothing moves. Refusals are audited with who and where.
 */
static void district_assignment_is_one_transaction(void **state)
{
    struct fixture *f = *state;
    const char *const both[] = {"krk-01", "krk-02"};
    const char *const huta[] = {"krk-09"};
    add_account(f, "ala", "officer", NULL, both, 2);
    add_account(f, "bolek", "officer", NULL, NULL, 0);
    add_account(f, "huta", "officer", NULL, huta, 1);
    add_account(f, "ana", "analyst", NULL, NULL, 0);
    struct tz_principal p = {.role = TZ_AUTH_SUPERVISOR};
    snprintf(p.account.name, sizeof p.account.name, "szef");
    snprintf(p.account.unit, sizeof p.account.unit, "KP Kraków-Śródmieście");
    struct tz_auth_who who = {.p = &p, .client = "10.0.0.7"};
    struct tz_field_errors errs = {0};
    char names[256];

    assert_int_equal(tz_auth_district_assign(f->auth, &who, "krk-01", "KP Kraków-Śródmieście",
                                             "bolek", unit_of, NULL, &errs),
                     TZ_OK);
    assert_int_equal(holders(f, "krk-01", names, sizeof names), 1);
    assert_string_equal(names, "bolek");
    struct tz_audit_rec *e = last_entry(f);
    assert_string_equal(e->action, "district.assign");
    assert_string_equal(e->object, "district/krk-01");
    assert_string_equal(e->actor, "szef");
    assert_string_equal(e->role, "supervisor");
    assert_string_equal(e->client, "10.0.0.7");
    assert_string_equal(e->outcome, "ok");
    assert_non_null(strstr(e->fields, "\"from\":[\"ala\"]"));
    tz_audit_recs_free(e, 1);

    /* The entry cannot be written: the district stays where it was. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TRIGGER no_entry BEFORE INSERT ON audit_log"
                                  " BEGIN SELECT RAISE(ABORT, 'no'); END;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_not_equal(tz_auth_district_assign(f->auth, &who, "krk-02", "KP Kraków-Śródmieście",
                                                 "bolek", unit_of, NULL, &errs),
                         TZ_OK);
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER no_entry", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(holders(f, "krk-02", names, sizeof names), 1);
    assert_string_equal(names, "ala");

    /* Refused and audited: an officer of another unit, an analyst, another unit's district. */
    assert_int_equal(tz_auth_district_assign(f->auth, &who, "krk-02", "KP Kraków-Śródmieście",
                                             "huta", unit_of, NULL, &errs),
                     TZ_EFORBIDDEN);
    e = last_entry(f);
    assert_string_equal(e->action, "district.assign");
    assert_string_equal(e->outcome, "refused");
    assert_string_equal(e->role, "supervisor");
    assert_string_equal(e->client, "10.0.0.7");
    assert_non_null(strstr(e->fields, "huta"));
    tz_audit_recs_free(e, 1);
    assert_int_equal(tz_auth_district_assign(f->auth, &who, "krk-02", "KP Kraków-Śródmieście",
                                             "ana", unit_of, NULL, &errs),
                     TZ_EINVAL);
    assert_int_equal(tz_auth_district_assign(f->auth, &who, "krk-09", "KP Kraków-Nowa Huta",
                                             "bolek", unit_of, NULL, &errs),
                     TZ_EFORBIDDEN);
    e = last_entry(f);
    assert_string_equal(e->object, "district/krk-09");
    assert_string_equal(e->outcome, "refused");
    tz_audit_recs_free(e, 1);
    assert_int_equal(holders(f, "krk-02", names, sizeof names), 1);
    assert_int_equal(holders(f, "krk-09", names, sizeof names), 1);
    assert_string_equal(names, "huta");
}

/* ---- the audit chain ---- */

static void alter_entry(struct fixture *f, int64_t seq, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    char stmt[512];
    snprintf(stmt, sizeof stmt,
             "DROP TRIGGER audit_log_no_update; %s WHERE seq = %lld;"
             " CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
             " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
             sql, (long long)seq);
    assert_int_equal(sqlite3_exec(db, stmt, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void audit_chain_verifies_and_finds_the_altered_entry(void **state)
{
    struct fixture *f = *state;
    char uri[256];
    struct tz_login_result res;
    add_officer(f, "adam", uri);                                         /* 1 */
    tz_auth_login(f->auth, "adam", "bad password 123", "1", NULL, &res); /* 2 */
    login(f, "adam", &res);                                              /* 3 */
    for (int i = 0; i < 5; i++) {
        struct tz_audit_rec a =
            tz_auth_audit_entry(f->auth, NULL, "adam", "10.0.0.2", "report.read", "report/7");
        assert_int_equal(tz_auth_audit(f->auth, &a), TZ_OK);
        assert_int_equal(a.seq, 4 + i);
    }
    struct tz_audit_verdict v;
    assert_int_equal(tz_auth_audit_verify(f->store, NULL, NULL, &v), TZ_OK);
    assert_int_equal(v.entries, 8);
    assert_int_equal(v.first_bad, 0);

    /* Direct writes are refused by the triggers. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE audit_log SET note = 'x'", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit_log", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    /* Someone drops the trigger and alters entry 5. */
    alter_entry(f, 5, "UPDATE audit_log SET client = '10.9.9.9'");
    assert_int_equal(tz_auth_audit_verify(f->store, NULL, NULL, &v), TZ_OK);
    assert_int_equal(v.first_bad, 5);
    assert_non_null(strstr(v.reason, "altered"));
}

static void checkpoint_catches_a_rewritten_chain(void **state)
{
    struct fixture *f = *state;
    char key[160], uri[256];
    uint8_t pk[32], pk2[32];
    snprintf(key, sizeof key, "%s/key", f->dir);
    assert_int_equal(tz_auth_checkpoint_keygen(key, pk), TZ_OK);
    assert_int_equal(tz_auth_checkpoint_keygen(key, pk2), TZ_ECONFLICT); /* never overwritten */
    assert_int_equal(tz_auth_checkpoint_public(key, pk2), TZ_OK);
    assert_memory_equal(pk, pk2, 32);
    add_officer(f, "kasia", uri);
    add_officer(f, "basia", uri);

    FILE *cp = tmpfile();
    int64_t head = 0;
    assert_int_equal(tz_auth_checkpoint(f->store, key, cp, &head), TZ_OK);
    assert_int_equal(head, 2);
    add_officer(f, "zosia", uri);

    struct tz_audit_verdict v;
    rewind(cp);
    assert_int_equal(tz_auth_audit_verify(f->store, cp, pk, &v), TZ_OK);
    assert_int_equal(v.first_bad, 0);
    assert_int_equal(v.checkpoints, 1);

    /*
     * A rewrite of entry 2 that also recomputes every hash after it: the chain
     * is consistent again, but entry 2 no longer has the signed hash.
     */
    alter_entry(f, 2, "UPDATE audit_log SET actor = 'cli:someone-else'");
    struct tz_audit_rec *recs = NULL;
    size_t n = 0;
    assert_int_equal(tz_store_audit_read(f->store, 0, 100, &recs, &n), TZ_OK);
    uint8_t prev[32] = {0};
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_exec(db, "DROP TRIGGER audit_log_no_update", NULL, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        memcpy(recs[i].prev_hash, prev, 32);
        tz_store_audit_hash(&recs[i], prev, recs[i].hash);
        sqlite3_stmt *st;
        sqlite3_prepare_v2(db, "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", -1,
                           &st, NULL);
        sqlite3_bind_blob(st, 1, recs[i].prev_hash, 32, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, recs[i].hash, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, recs[i].seq);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
        memcpy(prev, recs[i].hash, 32);
    }
    sqlite3_close(db);
    tz_audit_recs_free(recs, n);
    assert_int_equal(tz_auth_audit_verify(f->store, NULL, NULL, &v), TZ_OK);
    assert_int_equal(v.first_bad, 0); /* without the checkpoint it looks intact */
    rewind(cp);
    assert_int_equal(tz_auth_audit_verify(f->store, cp, pk, &v), TZ_OK);
    assert_int_equal(v.first_bad, 2);
    assert_non_null(strstr(v.reason, "checkpoint"));
    /* A checkpoint signed by another key is refused. */
    rewind(cp);
    uint8_t other[32];
    memcpy(other, pk, 32);
    other[0] ^= 1;
    assert_int_equal(tz_auth_audit_verify(f->store, cp, other, &v), TZ_OK);
    assert_int_not_equal(v.first_bad, 0);
    fclose(cp);
    /* A garbled checkpoints file, or one that checks nothing, proves nothing: not intact. */
    FILE *garbled = tmpfile();
    fputs("this is not a checkpoint\n", garbled);
    rewind(garbled);
    assert_int_equal(tz_auth_audit_verify(f->store, garbled, pk, &v), TZ_OK);
    assert_int_equal(v.first_bad, -1);
    fclose(garbled);
    FILE *empty = tmpfile();
    assert_int_equal(tz_auth_audit_verify(f->store, empty, pk, &v), TZ_OK);
    assert_int_equal(v.first_bad, -1);
    assert_non_null(strstr(v.reason, "no signed checkpoint"));
    fclose(empty);

    FILE *out = tmpfile();
    assert_int_equal(tz_auth_audit_export(f->store, 0, 0, out), TZ_OK);
    assert_true(ftell(out) > 100);
    fclose(out);
}

static void signer_signs_the_head_when_stopped(void **state)
{
    struct fixture *f = *state;
    char key[160], path[160], uri[256];
    uint8_t pk[32];
    snprintf(key, sizeof key, "%s/key", f->dir);
    snprintf(path, sizeof path, "%s/checkpoints", f->dir);
    assert_int_equal(tz_auth_checkpoint_keygen(key, pk), TZ_OK);
    struct tz_auth_signer *s = NULL;
    char missing[200];
    snprintf(missing, sizeof missing, "%s/none", f->dir);
    assert_int_equal(tz_auth_signer_start(f->store, missing, path, 3600, &s), TZ_ENOTFOUND);
    assert_int_equal(tz_auth_signer_start(f->store, key, path, 3600, &s), TZ_OK);
    add_officer(f, "piotr", uri);
    tz_auth_signer_stop(s); /* no waiting: the stop signs the head */
    FILE *cp = fopen(path, "r");
    assert_non_null(cp);
    struct tz_audit_verdict v;
    assert_int_equal(tz_auth_audit_verify(f->store, cp, pk, &v), TZ_OK);
    fclose(cp);
    assert_int_equal(v.first_bad, 0);
    assert_int_equal(v.checkpoints, 1);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hotp_matches_rfc4226),
        cmocka_unit_test(totp_matches_rfc6238_sha1),
        cmocka_unit_test(base32_and_otpauth_uri),
        cmocka_unit_test_setup_teardown(passwords_hash_and_check, setup, teardown),
        cmocka_unit_test(permission_table_is_exhaustively_as_specified),
        cmocka_unit_test_setup_teardown(accounts_add_list_and_refuse_bad_ones, setup, teardown),
        cmocka_unit_test_setup_teardown(login_good_bad_replayed_and_locked, setup, teardown),
        cmocka_unit_test_setup_teardown(racing_failures_all_count, setup, teardown),
        cmocka_unit_test_setup_teardown(a_new_password_ends_sessions_and_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(sessions_expire_idle_and_absolute, setup, teardown),
        cmocka_unit_test_setup_teardown(api_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(district_assignment_is_one_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(api_tokens_expire, setup, teardown),
        cmocka_unit_test_setup_teardown(a_lock_out_ends_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(audit_chain_verifies_and_finds_the_altered_entry, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(checkpoint_catches_a_rewritten_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(signer_signs_the_head_when_stopped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
