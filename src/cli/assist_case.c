/*
 * assist_case.c - `tarcza assist case ID` and `tarcza assist ask ID QUESTION`: the assistant over
 * a whole exchange case (assistant/cases.h, the API's domain calls), printed as readable text:
 * the summary's sentences each with the message it cites ([m<id>]), the timeline, the entity
 * table; the answer to a question with its label, its citations and its passages.
 *
 * Who reads: with --as USER the police account USER (its role and unit: exchange's permissions
 * are that account's, the audit entries name it, the client is the operator's "cli:" name);
 * without it the operator acts as the SPOC's supervisor of --spoc-unit, as the exchange commands
 * do (who reads every case). The case is read, permission-checked and audited by the domain
 * (exchange.read of the case, assistant.use with counts), never here.
 *
 * The texts come from partners' messages: control characters are never written to the terminal
 * (each is printed as a space), so a message cannot move the cursor or recolour the screen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assistant/cases.h"
#include "cli/internal.h"

#define LLM_TIMEOUT_MS 60000

/* s, its C0 controls and DEL written as spaces (UTF-8 sequences pass as they are). */
static void put_text(const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        putchar(ch < 0x20 || ch == 0x7f ? ' ' : ch);
    }
}

/* Who reads the case: --as USER's account, or the operator as the SPOC's supervisor. */
static tz_err principal_of(const struct cli_call *c, const struct cli_ctx *x,
                           struct tz_principal *p)
{
    memset(p, 0, sizeof *p);
    const char *as = cli_text(c, CLI_AS, NULL);
    if (!as) {
        p->role = TZ_AUTH_SPOC_SUPERVISOR;
        snprintf(p->account.name, sizeof p->account.name, "%.*s", (int)sizeof p->account.name - 1,
                 x->who.actor);
        snprintf(p->account.role, sizeof p->account.role, "%s",
                 tz_auth_role_code(TZ_AUTH_SPOC_SUPERVISOR));
        snprintf(p->account.unit, sizeof p->account.unit, "%.*s", (int)sizeof p->account.unit - 1,
                 cli_text(c, CLI_SPOC_UNIT, "KGP-SPOC"));
        return TZ_OK;
    }
    tz_err err = tz_auth_account(x->auth, as, &p->account);
    /* the principal needs the name, role, unit and districts: never the secrets */
    memset(p->account.password_hash, 0, sizeof p->account.password_hash);
    memset(p->account.totp_secret, 0, sizeof p->account.totp_secret);
    if (err == TZ_ENOTFOUND || (!err && p->account.disabled)) {
        fprintf(stderr, "tarcza: --as %s: no such account, or it is disabled\n", as);
        return TZ_ENOTFOUND;
    }
    if (!err && tz_auth_role_parse(p->account.role, &p->role) != TZ_OK)
        err = TZ_EINVAL;
    if (err && err != TZ_ENOTFOUND)
        cli_fail("--as", err);
    return err;
}

/* Says why the case cannot be answered on stderr; the exit status (1). */
static int case_fail(const char *what, const char *id, tz_err err)
{
    if (err == TZ_ENOTFOUND)
        fprintf(stderr, "tarcza: %s %s: no such case\n", what, id);
    else if (err == TZ_EFORBIDDEN)
        fprintf(stderr, "tarcza: %s %s: this case is outside your units or role\n", what, id);
    else if (err == TZ_ETOOBIG || err == TZ_EINVAL)
        fprintf(stderr, "tarcza: %s: the question: 1 to %d bytes\n", what, TZ_ACASE_QUESTION_MAX);
    else if (err == TZ_EMALFORMED)
        fprintf(stderr, "tarcza: %s: the question is not valid UTF-8\n", what);
    else
        return cli_fail(what, err);
    return 1;
}

/* What both commands work with. */
struct acase_run {
    struct cli_ctx x;
    struct tz_exchange *xch;
    struct tz_principal p;
    struct tz_llm_config llm;
    struct tz_acase_ctx ac;
};

/* Opens r for c; on failure has said why (and r is to be closed all the same). */
static tz_err run_open(const struct cli_call *c, struct acase_run *r)
{
    memset(r, 0, sizeof *r);
    tz_err err = cli_ctx_open(c, false, &r->x);
    if (!err && (err = cli_exchange_open(c, r->x.store, &r->xch)))
        fprintf(stderr, "tarcza: exchange (--node, --spoc-unit): %s\n", tz_err_str(err));
    if (!err)
        err = principal_of(c, &r->x, &r->p);
    r->llm =
        (struct tz_llm_config){.url = cli_text(c, CLI_LLM_URL, NULL), .timeout_ms = LLM_TIMEOUT_MS};
    r->ac = (struct tz_acase_ctx){.auth = r->x.auth,
                                  .who = {.p = &r->p, .client = r->x.who.client},
                                  .exchange = r->xch,
                                  .store = r->x.store,
                                  .llm = &r->llm};
    return err;
}

static void run_close(struct acase_run *r)
{
    tz_exchange_close(r->xch);
    cli_ctx_close(&r->x);
    memset(&r->p, 0, sizeof r->p);
}

static void put_quote(const struct tz_acase_quote *q)
{
    printf("  [m%lld] ", (long long)q->message_id);
    put_text(q->text);
    putchar('\n');
}

static void put_digest(const struct tz_acase_digest *d)
{
    printf("Case %lld: %zu messages, %zu readable by you%s; language %s\n", (long long)d->case_id,
           d->messages, d->readable, d->truncated ? " (the text was cut: the rest left out)" : "",
           d->language[0] ? d->language : "unknown");
    printf("\nSummary (extractive, %zu of %zu sentences; [m<id>] the message each comes from):\n",
           d->summary_count, d->sentences);
    for (size_t i = 0; i < d->summary_count; i++)
        put_quote(&d->summary[i]);
    if (d->llm.text) {
        printf("\n%s (%s):\n  ", TZ_LLM_LABEL, d->llm.model[0] ? d->llm.model : "model");
        put_text(d->llm.text);
        putchar('\n');
    } else if (d->llm_asked) {
        printf("\nNo machine summary: the language model failed (");
        put_text(d->llm.reason);
        printf("); the extractive summary stands\n");
    }
    printf("\nTimeline:\n");
    for (size_t i = 0; i < d->event_count; i++) {
        const struct tz_acase_event *e = &d->events[i];
        printf("  %-20s %-9s [m%lld] ", e->when, e->kind, (long long)e->message_id);
        put_text(e->what);
        putchar('\n');
    }
    printf("\nEntities:\n");
    for (size_t i = 0; i < d->row_count; i++) {
        const struct tz_acase_row *r = &d->rows[i];
        printf("  %-9s ", tz_assist_type_code(r->type));
        put_text(r->value);
        printf("  x%zu in", r->count);
        for (size_t k = 0; k < r->message_count; k++)
            printf(" [m%lld]", (long long)r->messages[k]);
        printf("%s\n", r->added ? "  (added to the case)" : "");
    }
}

int cli_assist_case(const struct cli_call *c)
{
    long long id;
    if (!cli_id(c->args[0], &id))
        return cli_usage_error(c, "ID is a case number (1 and up)");
    struct acase_run r;
    if (run_open(c, &r)) {
        run_close(&r);
        return 1;
    }
    struct tz_acase_digest d;
    tz_err err = tz_assist_case_digest_as(&r.ac, id, 0, &d);
    bool got = !err;
    if (got) {
        put_digest(&d);
        tz_acase_digest_clear(&d);
    }
    run_close(&r);
    return err ? case_fail("assist case", c->args[0], err) : 0;
}

static void put_answer(const struct tz_acase_answer *a)
{
    printf("Answer (%s):\n", a->label ? a->label : TZ_ACASE_EXTRACTIVE_LABEL);
    if (a->text) {
        printf("  ");
        put_text(a->text);
        putchar('\n');
    } else {
        printf("  (no model's answer: the passages below are the answer)\n");
    }
    printf("Citations:");
    if (a->text)
        for (size_t i = 0; i < a->cite_count; i++)
            printf(" [m%lld]", (long long)a->cites[i]);
    else /* the extractive answer: its passages are its citations */
        for (size_t i = 0; i < a->passage_count; i++)
            printf(" [m%lld]", (long long)a->passages[i].message_id);
    putchar('\n');
    if (a->rejected_count) {
        printf("Dropped (naming messages the model was not given):");
        for (size_t i = 0; i < a->rejected_count; i++)
            printf(" [m%lld]", (long long)a->rejected[i]);
        putchar('\n');
    }
    printf("Passages:\n");
    for (size_t i = 0; i < a->passage_count; i++)
        put_quote(&a->passages[i]);
    if (a->note[0]) {
        printf("Note: ");
        put_text(a->note);
        putchar('\n');
    }
}

int cli_assist_ask(const struct cli_call *c)
{
    long long id;
    if (!cli_id(c->args[0], &id))
        return cli_usage_error(c, "ID is a case number (1 and up)");
    const char *q = c->args[1];
    size_t n = strlen(q);
    if (n == 0 || n > TZ_ACASE_QUESTION_MAX)
        return cli_usage_error(c, "QUESTION: 1 to 1000 bytes");
    struct acase_run r;
    if (run_open(c, &r)) {
        run_close(&r);
        return 1;
    }
    struct tz_acase_answer a;
    tz_err err = tz_assist_case_ask_as(&r.ac, id, q, n, &a);
    bool got = !err;
    if (got) {
        put_answer(&a);
        tz_acase_answer_clear(&a);
    }
    run_close(&r);
    return err ? case_fail("assist ask", c->args[0], err) : 0;
}
