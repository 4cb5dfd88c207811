/*
 * user.c - police accounts from the terminal: `tarcza user add`, `passwd`,
 * `disable`, `enable`, `list`, `districts` and `token`. Each change is made
 * by auth, which writes it with its audit entry in one transaction; the
 * operator acts as "cli:NAME".
 */
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/internal.h"

#define QR_TEXT_MAX (256u * 1024)
#define URI_MAX 1024
/* The operator manages accounts as the API's account administrator does. */
#define ACCOUNTS_ROLE "admin"

/* A password from TARCZA_PASSWORD, or one line of standard input (not echoed on a terminal). */
static bool read_password(char *out, size_t size)
{
    const char *env = getenv("TARCZA_PASSWORD");
    if (env) {
        snprintf(out, size, "%s", env);
        return true;
    }
    struct termios old, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        fputs("password: ", stderr);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    bool ok = fgets(out, (int)size, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputs("\n", stderr);
    }
    if (ok)
        out[strcspn(out, "\r\n")] = '\0';
    return ok;
}

/* Splits "a,b,c" into ids; false when there are too many or one is empty or too long. */
static bool split_districts(const char *list, char (*ids)[TZ_ID_MAX], size_t *count)
{
    *count = 0;
    while (list && *list) {
        size_t n = strcspn(list, ",");
        if (*count >= TZ_ACCOUNT_DISTRICTS_MAX || n == 0 || n >= TZ_ID_MAX)
            return false;
        memcpy(ids[*count], list, n);
        ids[(*count)++][n] = '\0';
        list += n + (list[n] == ',');
    }
    return true;
}

int cli_user_add(const struct cli_call *c)
{
    const char *name = c->args[0];
    char ids[TZ_ACCOUNT_DISTRICTS_MAX][TZ_ID_MAX];
    const char *ptrs[TZ_ACCOUNT_DISTRICTS_MAX];
    char password[TZ_PASSWORD_MAX + 2] = "";
    size_t nids = 0;
    if (!split_districts(cli_text(c, CLI_DISTRICTS, NULL), ids, &nids))
        return cli_usage_error(c, "--districts is a list of district ids, ID,ID...");
    for (size_t i = 0; i < nids; i++)
        ptrs[i] = ids[i];
    struct cli_ctx x;
    struct tz_buf uri, qr;
    tz_buf_init(&uri, URI_MAX);
    tz_buf_init(&qr, QR_TEXT_MAX);
    int rc = 1;
    if (cli_ctx_open(c, false, &x))
        goto done;
    if (!read_password(password, sizeof password)) {
        cli_fail("no password", TZ_EINVAL);
        goto done;
    }
    struct tz_user_spec spec = {.name = name,
                                .role = cli_text(c, CLI_ROLE, NULL),
                                .unit = cli_text(c, CLI_UNIT, NULL),
                                .districts = ptrs,
                                .district_count = nids,
                                .password = password};
    struct tz_auth_who who = cli_auth_who(&x.who, ACCOUNTS_ROLE);
    tz_err err = tz_auth_account_add(x.auth, &who, &spec, &uri);
    if (err) {
        cli_fail("user add (name [a-z0-9._-], known role and districts, a unit for a supervisor, "
                 "a password of at least 12 characters)",
                 err);
        goto done;
    }
    if (tz_auth_qr_text(uri.data, &qr) == TZ_OK)
        printf("%s", qr.data);
    printf("account %s created; enrol its authenticator with:\n%s\n", name, uri.data);
    rc = 0;
done:
    memset(password, 0, sizeof password);
    tz_buf_free(&qr);
    tz_buf_free(&uri);
    cli_ctx_close(&x);
    return rc;
}

int cli_user_passwd(const struct cli_call *c)
{
    char password[TZ_PASSWORD_MAX + 2] = "";
    struct cli_ctx x;
    int rc = 1;
    if (cli_ctx_open(c, false, &x))
        goto done;
    if (!read_password(password, sizeof password)) {
        cli_fail("no password", TZ_EINVAL);
        goto done;
    }
    struct tz_auth_who who = cli_auth_who(&x.who, ACCOUNTS_ROLE);
    tz_err err = tz_auth_account_change(x.auth, &who, c->args[0], TZ_ACCOUNT_PASSWORD, password);
    rc = err ? cli_fail("user passwd (at least 12 characters)", err) : 0;
done:
    memset(password, 0, sizeof password);
    cli_ctx_close(&x);
    return rc;
}

static int set_disabled(const struct cli_call *c, bool disabled)
{
    struct cli_ctx x;
    int rc = 1;
    if (!cli_ctx_open(c, false, &x)) {
        struct tz_auth_who who = cli_auth_who(&x.who, ACCOUNTS_ROLE);
        tz_err err = tz_auth_account_change(x.auth, &who, c->args[0],
                                            disabled ? TZ_ACCOUNT_DISABLE : TZ_ACCOUNT_ENABLE, NULL);
        rc = err ? cli_fail(disabled ? "disable" : "enable", err) : 0;
    }
    cli_ctx_close(&x);
    return rc;
}

int cli_user_disable(const struct cli_call *c)
{
    return set_disabled(c, true);
}

int cli_user_enable(const struct cli_call *c)
{
    return set_disabled(c, false);
}

int cli_user_list(const struct cli_call *c)
{
    struct cli_ctx x;
    struct tz_account_rec *list = NULL;
    size_t n = 0;
    int rc = 1;
    if (cli_ctx_open(c, false, &x))
        goto done;
    tz_err err = tz_auth_accounts(x.auth, &list, &n);
    if (!err) { /* a read of the accounts is audited, as over the API */
        struct tz_audit_rec audit = cli_audit_entry(&x, TZ_AUDIT_ACCOUNTS_READ, NULL);
        audit.fields = "{\"view\":\"cli\"}";
        err = tz_auth_audit(x.auth, &audit);
    }
    if (err) {
        cli_fail("user list", err);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        printf("%-24s %-10s %-8s %s", list[i].name, list[i].role,
               list[i].disabled ? "disabled" : "active", list[i].unit);
        for (size_t d = 0; d < list[i].district_count; d++)
            printf("%s%s", d ? "," : " ", list[i].districts[d]);
        printf("\n");
    }
    rc = 0;
done:
    free(list);
    cli_ctx_close(&x);
    return rc;
}

int cli_user_districts(const struct cli_call *c)
{
    char ids[TZ_ACCOUNT_DISTRICTS_MAX][TZ_ID_MAX];
    size_t nids = 0;
    if (!split_districts(c->text[CLI_DISTRICTS], ids, &nids))
        return cli_usage_error(c, "--districts is a list of district ids, ID,ID...");
    struct cli_ctx x;
    int rc = 1;
    if (!cli_ctx_open(c, false, &x)) {
        struct tz_auth_who who = cli_auth_who(&x.who, ACCOUNTS_ROLE);
        tz_err err = tz_auth_account_districts(x.auth, &who, c->args[0],
                                               (const char(*)[TZ_ID_MAX])ids, nids);
        rc = err ? cli_fail("user districts", err) : 0;
    }
    cli_ctx_close(&x);
    return rc;
}

int cli_user_token(const struct cli_call *c)
{
    struct cli_ctx x;
    int rc = 1;
    if (!cli_ctx_open(c, false, &x)) {
        char token[TZ_SECRET_TEXT_MAX];
        int64_t expires_at = 0;
        tz_err err = tz_auth_token_expiry(x.auth, cli_text(c, CLI_EXPIRES, NULL), &expires_at);
        struct tz_auth_who who = cli_auth_who(&x.who, ACCOUNTS_ROLE);
        if (!err)
            err = tz_auth_account_token(x.auth, &who, c->args[0], cli_text(c, CLI_LABEL, "api"),
                                        expires_at, token);
        if (!err)
            printf("%s\n", token);
        rc = err ? cli_fail("user token (--expires DAYS, 1 to 3650, or a later DATE)", err) : 0;
    }
    cli_ctx_close(&x);
    return rc;
}
