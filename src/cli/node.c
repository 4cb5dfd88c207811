/*
 * node.c - the command line's federation (issue 17): `tarcza node init` makes this node's
 * identity (Ed25519 signing key pair, TLS certificate and key) in --node-dir and prints what a
 * partner's `node add` needs; `node add ID`, `node remove ID` and `node list` keep the node
 * directory, `node terms ID` what this node accepts from a partner, `node rekey ID` a partner's
 * rotated keys, `node revoke` and `node revoked` the revocation list, each change audited as
 * the SPOC's supervisor of --spoc-unit; `node rotate` makes this node a new signing key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/internal.h"
#include "federation/federation.h"

int cli_node_init(const struct cli_call *c)
{
    const char *dir = cli_text(c, CLI_NODE_DIR, NULL), *id = cli_text(c, CLI_NODE, "PL");
    char pub[TZ_FS_HEX], fpr[TZ_FS_HEX];
    tz_err err = tz_fed_identity_make(dir, id, cli_text(c, CLI_HOST, NULL),
                                      (int)cli_num(c, CLI_DAYS, 825), pub, fpr);
    if (err == TZ_ECONFLICT)
        return cli_fail("--node-dir already holds an identity (nothing overwritten)", err);
    if (err)
        return cli_fail("making the identity (--node-dir must exist)", err);
    printf("node: %s\nsign_key: %s\ncert_sha256: %s\n", id, pub, fpr);
    return 0;
}

/* The store, the exchange and federation (the directory only), and who acts. */
struct ncli {
    struct tz_store *store;
    struct tz_exchange *x;
    struct tz_fed *f;
    struct cli_who who;
    struct tz_principal p;
    struct tz_xactor actor;
};

static int ncli_open(const struct cli_call *c, struct ncli *k)
{
    memset(k, 0, sizeof *k);
    cli_who(c, &k->who);
    if (cli_open(c, &k->store, NULL))
        return 1;
    struct tz_fed_config cfg = {0};
    snprintf(cfg.node, sizeof cfg.node, "%s", cli_text(c, CLI_NODE, "PL"));
    tz_err err = cli_exchange_open(c, k->store, &k->x);
    if (!err)
        err = tz_fed_open(k->store, k->x, &cfg, &k->f);
    if (err) {
        tz_exchange_close(k->x);
        tz_store_close(k->store);
        return cli_fail("federation (--node, --spoc-unit)", err);
    }
    k->p.role = TZ_AUTH_SPOC_SUPERVISOR;
    snprintf(k->p.account.name, sizeof k->p.account.name, "%.*s", (int)sizeof k->p.account.name - 1,
             k->who.actor);
    snprintf(k->p.account.role, sizeof k->p.account.role, "%s",
             tz_auth_role_code(TZ_AUTH_SPOC_SUPERVISOR));
    snprintf(k->p.account.unit, sizeof k->p.account.unit, "%.*s", (int)sizeof k->p.account.unit - 1,
             cli_text(c, CLI_SPOC_UNIT, "KGP-SPOC"));
    k->actor = (struct tz_xactor){.p = &k->p, .client = k->who.client};
    return 0;
}

static void ncli_close(struct ncli *k)
{
    tz_fed_close(k->f);
    tz_exchange_close(k->x);
    tz_store_close(k->store);
}

/* Copies an option's text into a field; false when it does not fit. */
static bool field(const struct cli_call *c, enum cli_opt o, char *dst, size_t cap)
{
    const char *v = cli_text(c, o, "");
    size_t n = strlen(v);
    if (n >= cap)
        return false;
    memcpy(dst, v, n + 1);
    return true;
}

static void print_errors(const struct tz_field_errors *errs)
{
    for (size_t i = 0; i < errs->count; i++)
        fprintf(stderr, "tarcza: %s: %s\n", errs->items[i].field, errs->items[i].message);
}

/* The fingerprint from --cert FILE or --cert-sha256 into fpr; false (reported) when neither
 * reads, or when given and required and both are missing. */
static bool cert_of(const struct cli_call *c, char *fpr, size_t cap, bool *given)
{
    *given = c->set[CLI_CERT] || c->set[CLI_CERT_SHA256];
    fpr[0] = '\0';
    if (c->set[CLI_CERT]) {
        tz_err err = tz_fed_cert_fingerprint_file(c->text[CLI_CERT], fpr);
        if (err)
            cli_fail("--cert (a PEM certificate)", err);
        return err == TZ_OK;
    }
    if (!field(c, CLI_CERT_SHA256, fpr, cap)) {
        cli_usage_error(c, "--cert-sha256 is 64 hex digits");
        return false;
    }
    return true;
}

int cli_node_add(const struct cli_call *c)
{
    struct tz_fed_node_rec n = {0};
    if (strlen(c->args[0]) >= sizeof n.id || !field(c, CLI_NAME, n.name, sizeof n.name) ||
        !field(c, CLI_COUNTRY, n.country, sizeof n.country) ||
        !field(c, CLI_ENDPOINT, n.endpoint, sizeof n.endpoint) ||
        !field(c, CLI_SIGN_KEY, n.sign_key, sizeof n.sign_key) ||
        !field(c, CLI_LANGUAGES, n.languages, sizeof n.languages) ||
        !field(c, CLI_TYPES, n.msg_types, sizeof n.msg_types) ||
        !field(c, CLI_HANDLING, n.handling, sizeof n.handling) ||
        !field(c, CLI_ACCEPT_TYPES, n.accept_types, sizeof n.accept_types) ||
        !field(c, CLI_ACCEPT_HANDLING, n.accept_handling, sizeof n.accept_handling))
        return cli_usage_error(c, "a value is too long");
    n.accept_max_bytes = cli_num(c, CLI_ACCEPT_MAX, 0);
    memcpy(n.id, c->args[0], strlen(c->args[0]) + 1);
    bool given = false;
    if (!cert_of(c, n.cert_sha256, sizeof n.cert_sha256, &given))
        return 1;
    struct ncli k;
    if (ncli_open(c, &k))
        return 1;
    struct tz_field_errors errs = {0};
    tz_err err = tz_fed_node_add(k.f, &k.actor, &n, &errs);
    print_errors(&errs);
    ncli_close(&k);
    if (err == TZ_ECONFLICT)
        return cli_fail("the node is in the directory already", err);
    if (err)
        return cli_fail("adding the node", err);
    printf("added %s (%s, %s)\n", n.id, n.name, n.endpoint);
    return 0;
}

int cli_node_remove(const struct cli_call *c)
{
    struct ncli k;
    if (ncli_open(c, &k))
        return 1;
    tz_err err = tz_fed_node_remove(k.f, &k.actor, c->args[0]);
    ncli_close(&k);
    if (err)
        return cli_fail(err == TZ_ENOTFOUND ? "no such node" : "removing the node", err);
    printf("removed %s\n", c->args[0]);
    return 0;
}

int cli_node_list(const struct cli_call *c)
{
    struct ncli k;
    if (ncli_open(c, &k))
        return 1;
    struct tz_fed_node_rec *nodes = NULL;
    size_t n = 0;
    tz_err err = tz_fed_nodes(k.f, &nodes, &n);
    for (size_t i = 0; !err && i < n; i++)
        printf("%s\t%s\t%s\t%s\t%s\t%s\tlanguages=%s\ttypes=%s\thandling=%s\n", nodes[i].id,
               nodes[i].name, nodes[i].country, nodes[i].endpoint, nodes[i].cert_sha256,
               nodes[i].sign_key, nodes[i].languages, nodes[i].msg_types, nodes[i].handling);
    free(nodes);
    ncli_close(&k);
    return err ? cli_fail("listing the nodes", err) : 0;
}

int cli_node_terms(const struct cli_call *c)
{
    struct ncli k;
    if (ncli_open(c, &k))
        return 1;
    struct tz_field_errors errs = {0};
    tz_err err = tz_fed_node_terms(k.f, &k.actor, c->args[0], cli_text(c, CLI_ACCEPT_TYPES, ""),
                                   cli_text(c, CLI_ACCEPT_HANDLING, ""),
                                   cli_num(c, CLI_ACCEPT_MAX, 0), &errs);
    print_errors(&errs);
    ncli_close(&k);
    if (err)
        return cli_fail(err == TZ_ENOTFOUND ? "no such node" : "changing the terms", err);
    printf("terms of %s: types=%s handling=%s max_bytes=%lld\n", c->args[0],
           cli_text(c, CLI_ACCEPT_TYPES, "*"), cli_text(c, CLI_ACCEPT_HANDLING, "*"),
           cli_num(c, CLI_ACCEPT_MAX, 0));
    return 0;
}

int cli_node_rekey(const struct cli_call *c)
{
    char fpr[TZ_FS_HEX];
    bool cert = false;
    if (!cert_of(c, fpr, sizeof fpr, &cert))
        return 1;
    struct ncli k;
    if (ncli_open(c, &k))
        return 1;
    struct tz_field_errors errs = {0};
    tz_err err = tz_fed_node_rekey(k.f, &k.actor, c->args[0], cli_text(c, CLI_SIGN_KEY, ""),
                                   cert ? fpr : NULL, cli_num(c, CLI_OVERLAP_S, 86400), &errs);
    print_errors(&errs);
    ncli_close(&k);
    if (err)
        return cli_fail(err == TZ_ENOTFOUND ? "no such node" : "changing the keys", err);
    printf("rekeyed %s: the replaced key%s accepted %lld s more\n", c->args[0],
           cert ? "s are" : " is", cli_num(c, CLI_OVERLAP_S, 86400));
    return 0;
}

int cli_node_rotate(const struct cli_call *c)
{
    char pub[TZ_FS_HEX];
    tz_err err = tz_fed_key_rotate(cli_text(c, CLI_NODE_DIR, "."), pub);
    if (err)
        return cli_fail("rotating the signing key (--node-dir holds sign.key; no sign.key.new)",
                        err);
    printf("sign_key: %s\n", pub);
    return 0;
}

int cli_node_revoke(const struct cli_call *c)
{
    char fpr[TZ_FS_HEX];
    bool cert = false;
    if (!cert_of(c, fpr, sizeof fpr, &cert))
        return 1;
    if (cert == c->set[CLI_SIGN_KEY])
        return cli_usage_error(c, "one of --sign-key, --cert, --cert-sha256");
    struct ncli k;
    if (ncli_open(c, &k))
        return 1;
    struct tz_field_errors errs = {0};
    const char *hex = cert ? fpr : cli_text(c, CLI_SIGN_KEY, "");
    tz_err err = tz_fed_revoke(k.f, &k.actor, cert ? "cert" : "key", hex,
                               cli_text(c, CLI_REASON, ""), &errs);
    print_errors(&errs);
    ncli_close(&k);
    if (err == TZ_ECONFLICT)
        return cli_fail("revoked already", err);
    if (err)
        return cli_fail("revoking", err);
    printf("revoked %s:%s\n", cert ? "cert" : "key", hex);
    return 0;
}

int cli_node_revoked(const struct cli_call *c)
{
    struct ncli k;
    if (ncli_open(c, &k))
        return 1;
    struct tz_fed_revoked_rec *r = NULL;
    size_t n = 0;
    tz_err err = tz_fed_revoked(k.f, &r, &n);
    for (size_t i = 0; !err && i < n; i++)
        printf("%s\t%s\t%lld\t%s\n", r[i].what, r[i].node, (long long)r[i].revoked_at, r[i].reason);
    free(r);
    ncli_close(&k);
    return err ? cli_fail("listing the revocation list", err) : 0;
}
