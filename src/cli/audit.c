/*
 * audit.c - the audit log from the terminal: `tarcza audit verify` (the hash
 * chain, the signed checkpoints with --checkpoints and --key, and the head
 * kept outside the database with --audit-head), `export`
 * (JSON lines, itself audited), `keygen` (the Ed25519 checkpoint key) and
 * `checkpoint` (sign the chain's head).
 */
#include <string.h>

#include "base/tztime.h"
#include "cli/internal.h"

int cli_audit_verify(const struct cli_call *c)
{
    const char *key = cli_text(c, CLI_KEY, NULL), *path = cli_text(c, CLI_CHECKPOINTS, NULL);
    if (!key != !path)
        return cli_usage_error(c, "--checkpoints and --key go together (the public half of the "
                                  "key checks the signatures)");
    uint8_t pk[32];
    FILE *cp = NULL;
    struct tz_store *store = NULL;
    int rc = 1;
    tz_err err;
    if (key && (err = tz_auth_checkpoint_public(key, pk))) {
        cli_fail(key, err);
        goto done;
    }
    if (path && !(cp = fopen(path, "r"))) {
        cli_fail(path, TZ_ENOTFOUND);
        goto done;
    }
    if (cli_open(c, &store, NULL))
        goto done;
    struct tz_audit_verdict v;
    const char *head_file = cli_text(c, CLI_AUDIT_HEAD, NULL);
    if ((err = tz_auth_audit_verify(store, cp, cp ? pk : NULL, &v)) ||
        (head_file && (err = tz_auth_audit_verify_head(store, head_file, &v)))) {
        cli_fail("audit verify", err);
        goto done;
    }
    if (v.first_bad) {
        printf("audit log BROKEN at entry %lld: %s (%lld entries read)\n", (long long)v.first_bad,
               v.reason, (long long)v.entries);
        goto done;
    }
    char head[2 * TZ_HASH_LEN + 1];
    for (size_t i = 0; i < TZ_HASH_LEN; i++)
        snprintf(head + 2 * i, 3, "%02x", v.head[i]);
    printf("audit log intact: %lld entries, head %lld %s, %lld signed checkpoints matched\n",
           (long long)v.entries, (long long)v.head_seq, head, (long long)v.checkpoints);
    rc = 0;
done:
    tz_store_close(store);
    if (cp)
        fclose(cp);
    return rc;
}

int cli_audit_export(const struct cli_call *c)
{
    const char *from_text = cli_text(c, CLI_FROM, NULL), *to_text = cli_text(c, CLI_TO, NULL);
    int64_t from = 0, to = 0;
    if ((from_text && tz_time_parse(from_text, strlen(from_text), &from)) ||
        (to_text && tz_time_parse(to_text, strlen(to_text), &to)))
        return cli_usage_error(c, "--from and --to are RFC 3339 times or days (YYYY-MM-DD)");
    struct cli_ctx x;
    int rc = 1;
    tz_err err = cli_ctx_open(c, false, &x);
    if (err)
        goto done;
    if ((err = tz_auth_audit_export(x.store, from, to, stdout))) {
        cli_fail("audit export", err);
        goto done;
    }
    /* after the export, so that the export ends with the entry before this one */
    struct tz_audit_rec audit = cli_audit_entry(&x, TZ_AUDIT_AUDIT_EXPORT, NULL);
    audit.note = from_text;
    if ((err = tz_auth_audit(x.auth, &audit))) {
        cli_fail("audit export", err);
        goto done;
    }
    rc = 0;
done:
    cli_ctx_close(&x);
    return rc;
}

int cli_audit_keygen(const struct cli_call *c)
{
    uint8_t pk[32];
    const char *key = c->text[CLI_KEY];
    tz_err err = tz_auth_checkpoint_keygen(key, pk);
    if (err)
        return cli_fail("audit keygen --key FILE (a new file)", err);
    printf("checkpoint key written to %s; public key ", key);
    for (int i = 0; i < 32; i++)
        printf("%02x", pk[i]);
    printf("\n");
    return 0;
}

int cli_audit_checkpoint(const struct cli_call *c)
{
    const char *path = cli_text(c, CLI_CHECKPOINTS, NULL);
    struct tz_store *store = NULL;
    FILE *out = NULL;
    int rc = 1;
    if (cli_open(c, &store, NULL))
        goto done;
    if (!(out = path ? fopen(path, "a") : stdout)) {
        cli_fail(path, TZ_EIO);
        goto done;
    }
    int64_t head = 0;
    tz_err err = tz_auth_checkpoint(store, c->text[CLI_KEY], out, &head);
    if (err) {
        cli_fail("audit checkpoint --key FILE (the chain must be intact and not empty)", err);
        goto done;
    }
    rc = 0;
done:
    if (out && out != stdout)
        fclose(out);
    tz_store_close(store);
    return rc;
}
