/*
 * assistant/case_ask.c - a question over a case, answered from its readable messages.
 *
 * Retrieval: every sentence of every readable message, and the question, folded as the search
 * folds text (tz_search_fold: any script to Latin, diacritics and spellings folded) and
 * compared by their words' first five letters, as the search compares them; a sentence scores
 * the sum of the inverse sentence frequency of the question's words it holds, so a rare name
 * weighs more than a common word. The best TZ_ACASE_PASSAGES go to the model, each tagged
 * with its message ([m<id>]); the model is told to cite those tags, and a citation is kept
 * only when it names a message retrieved: anything else is dropped and said. Without a model
 * the passages are the answer, labelled as such.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assistant/cases_internal.h"
#include "assistant/internal.h"
#include "assistant/search.h"
#include "base/buf.h"

#define STEM 5    /* letters of a word compared, as the search compares them */
#define QWORDS 32 /* words of a question used, at most */

struct qwords {
    char w[QWORDS][STEM + 1];
    size_t n;
};

/* The distinct stems of a folded text's words of three letters or more. */
static void stems_of(const char *folded, size_t n, struct qwords *q)
{
    q->n = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && folded[i] == ' ')
            i++;
        size_t j = i;
        while (j < n && folded[j] != ' ')
            j++;
        if (j - i >= 3 && q->n < QWORDS) {
            char s[STEM + 1];
            size_t k = j - i < STEM ? j - i : STEM;
            memcpy(s, folded + i, k);
            s[k] = '\0';
            bool dup = false;
            for (size_t x = 0; x < q->n && !dup; x++)
                dup = strcmp(q->w[x], s) == 0;
            if (!dup)
                memcpy(q->w[q->n++], s, k + 1);
        }
        i = j;
    }
}

/* Which of the question's stems the folded sentence holds (a bit each). */
static uint32_t holds(const struct qwords *q, const char *folded, size_t n)
{
    struct qwords s;
    uint32_t mask = 0;
    stems_of(folded, n, &s);
    for (size_t i = 0; i < q->n; i++)
        for (size_t k = 0; k < s.n; k++)
            if (strcmp(q->w[i], s.w[k]) == 0)
                mask |= 1u << i;
    return mask;
}

struct cand {
    struct tz_acase_quote q;
    uint32_t mask;
};

static tz_err fold(const char *s, size_t n, struct tz_buf *b)
{
    b->len = 0;
    return tz_search_fold(s, n, b);
}

/* Every sentence of the readable messages with the question's words it holds. */
static tz_err candidates(const struct tz_acase_loaded *l, const struct qwords *q, struct cand **out,
                         size_t *count)
{
    size_t cap = 0, n = 0;
    struct cand *c = NULL;
    struct tz_buf b;
    tz_buf_init(&b, TZ_SEARCH_FOLD_MAX * 4);
    tz_err err = TZ_OK;
    for (size_t i = 0; !err && i < l->n; i++) {
        const struct tz_acase_msg *m = &l->m[i];
        struct tz_summary s = {0};
        err = m->len ? tz_summary_extract(m->text, m->len, TZ_SUMMARY_ALL, &s) : TZ_OK;
        for (size_t k = 0; !err && k < s.count; k++) {
            const struct tz_summary_sentence *x = &s.items[k];
            if ((err = fold(m->text + x->start, x->end - x->start, &b)))
                break;
            uint32_t mask = holds(q, b.data ? b.data : "", b.len);
            if (!mask)
                continue;
            if (n == cap) {
                size_t nc = cap ? 2 * cap : 64;
                struct cand *g = realloc(c, nc * sizeof *c);
                if (!g) {
                    err = TZ_ENOMEM;
                    break;
                }
                c = g, cap = nc;
            }
            struct cand *o = &c[n++];
            memset(&o->q, 0, offsetof(struct tz_acase_quote, text));
            o->q.text[0] = '\0';
            o->q.message_id = m->line.id;
            o->q.start = x->start, o->q.end = x->end;
            o->q.cstart = x->cstart, o->q.cend = x->cend;
            o->mask = mask;
        }
        tz_summary_clear(&s);
    }
    tz_buf_free(&b);
    if (err == TZ_EINVAL)
        err = TZ_OK; /* a text the fold refuses holds nothing to retrieve */
    if (err) {
        free(c);
        return err;
    }
    *out = c;
    *count = n;
    return TZ_OK;
}

static int by_score(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->q.score != y->q.score)
        return x->q.score > y->q.score ? -1 : 1;
    if (x->q.message_id != y->q.message_id)
        return x->q.message_id < y->q.message_id ? -1 : 1;
    return x->q.start < y->q.start ? -1 : x->q.start > y->q.start;
}

/* The best passages: each candidate scored by the rarity of the question's words it holds. */
static void rank(struct cand *c, size_t n, size_t words, struct tz_acase_answer *out)
{
    size_t df[QWORDS] = {0};
    for (size_t i = 0; i < n; i++)
        for (size_t w = 0; w < words; w++)
            df[w] += (c[i].mask >> w) & 1u;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t w = 0; w < words; w++)
            if ((c[i].mask >> w) & 1u)
                s += log(1.0 + (double)n / (double)df[w]);
        c[i].q.score = round(s * 1000) / 1000;
    }
    qsort(c, n, sizeof *c, by_score);
    for (size_t i = 0; i < n && out->passage_count < TZ_ACASE_PASSAGES; i++)
        out->passages[out->passage_count++] = c[i].q;
}

static const struct tz_acase_msg *msg_of(const struct tz_acase_loaded *l, int64_t id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->m[i].line.id == id)
            return &l->m[i];
    return NULL;
}

/* The model's user message: the passages, each tagged with its message, then the question. */
static tz_err prompt(const struct tz_acase_loaded *l, const struct tz_acase_answer *a,
                     const char *question, size_t qn, struct tz_buf *b)
{
    tz_err err = tz_buf_append(b, "Passages:\n", 10);
    for (size_t i = 0; !err && i < a->passage_count; i++) {
        const struct tz_acase_quote *p = &a->passages[i];
        const struct tz_acase_msg *m = msg_of(l, p->message_id);
        char tag[40];
        int w = snprintf(tag, sizeof tag, "[m%lld] ", (long long)p->message_id);
        err = tz_buf_append(b, tag, (size_t)w);
        if (!err && m)
            err = tz_buf_append(b, m->text + p->start, p->end - p->start);
        if (!err)
            err = tz_buf_append(b, "\n", 1);
    }
    if (!err)
        err = tz_buf_append(b, "\nQuestion: ", 11);
    if (!err)
        err = tz_buf_append(b, question, qn);
    return err;
}

static bool retrieved(const struct tz_acase_answer *a, int64_t id)
{
    for (size_t i = 0; i < a->passage_count; i++)
        if (a->passages[i].message_id == id)
            return true;
    return false;
}

static void keep_cite(int64_t *list, size_t *n, int64_t id)
{
    for (size_t i = 0; i < *n; i++)
        if (list[i] == id)
            return;
    if (*n < TZ_ACASE_CITES_MAX)
        list[(*n)++] = id;
}

/* The [m<id>] citations of the model's answer, sorted into kept and dropped. */
static void citations(struct tz_acase_answer *a)
{
    for (const char *p = a->text; (p = strstr(p, "[m")) != NULL; p += 2) {
        char *end;
        long long id = strtoll(p + 2, &end, 10);
        if (end == p + 2 || *end != ']' || id <= 0)
            continue;
        if (retrieved(a, id))
            keep_cite(a->cites, &a->cite_count, id);
        else
            keep_cite(a->rejected, &a->rejected_count, id);
    }
    if (a->rejected_count)
        snprintf(a->note, sizeof a->note,
                 "the model cited %zu message(s) it was not given: those citations were dropped",
                 a->rejected_count);
    else if (!a->cite_count)
        snprintf(a->note, sizeof a->note,
                 "the model's answer cites no message: check it against the passages");
}

static const char SYSTEM[] =
    "You answer a police officer's question about a case using only the passages given, each "
    "tagged with its message, e.g. [m12]. After every statement cite the tag of the passage it "
    "comes from, exactly as written. If the passages do not answer the question, say so. "
    "Answer in the language of the question; add nothing that is not in the passages.";

static tz_err ask_model(const struct tz_acase_ctx *c, const struct tz_acase_loaded *l,
                        const char *question, size_t qn, struct tz_acase_answer *out)
{
    struct tz_buf b;
    tz_buf_init(&b, TZ_ASSIST_TEXT_MAX);
    tz_err err = prompt(l, out, question, qn, &b);
    struct tz_llm_summary s = {0};
    out->llm_asked = true;
    tz_err lerr = err ? err : tz_llm_chat(c->llm, SYSTEM, b.data, b.len, &s);
    tz_buf_free(&b);
    if (lerr == TZ_ENOMEM)
        return lerr;
    if (lerr) {
        snprintf(out->note, sizeof out->note, "%s: the passages are the answer", s.reason);
        out->label = TZ_ACASE_EXTRACTIVE_LABEL;
        tz_llm_summary_clear(&s);
        return TZ_OK;
    }
    out->text = s.text;
    s.text = NULL;
    memcpy(out->model, s.model, sizeof out->model);
    out->label = TZ_LLM_LABEL;
    citations(out);
    tz_llm_summary_clear(&s);
    return TZ_OK;
}

void tz_acase_answer_clear(struct tz_acase_answer *a)
{
    if (!a)
        return;
    free(a->text);
    memset(a, 0, sizeof *a);
}

tz_err tz_assist_case_ask_as(const struct tz_acase_ctx *c, int64_t id, const char *question,
                             size_t n, struct tz_acase_answer *out)
{
    memset(out, 0, sizeof *out);
    if (!question || n == 0)
        return TZ_EINVAL;
    if (n > TZ_ACASE_QUESTION_MAX)
        return TZ_ETOOBIG;
    if (!u8_valid(question, n))
        return TZ_EMALFORMED;
    tz_err err = tz_acase_permit(c, "ask");
    if (err)
        return err;
    struct tz_buf b;
    tz_buf_init(&b, TZ_SEARCH_FOLD_MAX * 4);
    struct qwords q = {0};
    if (!(err = tz_search_fold(question, n, &b)))
        stems_of(b.data ? b.data : "", b.len, &q);
    tz_buf_free(&b);
    if (err)
        return err;
    struct tz_acase_loaded l = {0};
    if ((err = tz_acase_load(c, id, &l)))
        return err == TZ_EFORBIDDEN ? (tz_acase_audit(c, "ask", NULL, "refused"), err) : err;
    struct cand *cands = NULL;
    size_t nc = 0;
    err = candidates(&l, &q, &cands, &nc);
    if (!err)
        rank(cands, nc, q.n, out);
    free(cands);
    for (size_t i = 0; !err && i < out->passage_count; i++)
        tz_acase_quote_fill(&out->passages[i], msg_of(&l, out->passages[i].message_id)->text);
    if (!err && out->passage_count == 0)
        snprintf(out->note, sizeof out->note,
                 "no readable message of the case holds a word of the question");
    else if (!err && c->llm && c->llm->url && c->llm->url[0])
        err = ask_model(c, &l, question, n, out);
    else if (!err)
        snprintf(out->note, sizeof out->note,
                 "no language model server is configured: the passages that best match");
    if (!err && !out->label)
        out->label = TZ_ACASE_EXTRACTIVE_LABEL;
    char fields[200];
    snprintf(fields, sizeof fields,
             "{\"case\":%lld,\"question_bytes\":%zu,\"read\":%zu,\"passages\":%zu,\"llm\":\"%s\","
             "\"cites\":%zu,\"dropped\":%zu}",
             (long long)id, n, l.n, out->passage_count,
             !out->llm_asked ? "none"
             : out->text     ? "ok"
                             : "failed",
             out->cite_count, out->rejected_count);
    tz_err aerr = tz_acase_audit(c, "ask", err ? NULL : fields, err ? "failed" : "ok");
    if (!err && aerr)
        err = aerr;
    tz_acase_loaded_clear(&l);
    if (err)
        tz_acase_answer_clear(out);
    return err;
}
