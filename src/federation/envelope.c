/*
 * envelope.c - the canonical form a message travels in between nodes (docs/federation.md, "The
 * canonical form"): a fixed header of lines "name: value\n" in a fixed order, an empty line, the
 * body (exactly as many bytes as the header says), then "\nsignature: " and the Ed25519
 * signature (128 hex digits) over every byte before that newline, and a last "\n". There is one
 * way to write an envelope and the reader takes only that one: numbers in decimal without sign
 * or leading zeros, ids of capitals, digits, '-' and '_', nothing before, between or after.
 * The reader is the first thing a partner's bytes meet; it is bounded and fuzzed
 * (fuzz_federation).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "federation/internal.h"

static const char MAGIC[] = "tarcza-federation/1\n";
static const char SIG_LINE[] = "\nsignature: ";
static const char *const KINDS[] = {"message", "receipt", "sealed", "batch", "read"}; /* kinds */
#define NUM_DIGITS_MAX 18 /* below INT64_MAX */

tz_err tz_fed_envelope_write(const struct tz_fed_envelope *env, const uint8_t sk[TZ_FED_SIGN_SK],
                             struct tz_buf *out)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "%skind: %s\nid: %" PRId64 "\nfrom: %s\nto: %s\nsender-case: %" PRId64
                     "\nreceiver-case: %" PRId64 "\nin-reply-to: %" PRId64 "\nat: %" PRId64
                     "\nbody: %zu\n\n",
                     MAGIC, KINDS[env->kind], env->id, env->from, env->to, env->sender_case,
                     env->receiver_case, env->in_reply_to, env->at, env->body_len);
    if (n < 0 || (size_t)n >= sizeof head)
        return TZ_EINVAL;
    size_t start = out->len;
    tz_err err = tz_buf_append(out, head, (size_t)n);
    if (!err && env->body_len)
        err = tz_buf_append(out, env->body, env->body_len);
    if (err)
        return err;
    uint8_t sig[TZ_FED_SIG];
    crypto_sign_detached(sig, NULL, (const uint8_t *)out->data + start, out->len - start, sk);
    char line[sizeof SIG_LINE + 2 * TZ_FED_SIG + 2];
    memcpy(line, SIG_LINE, sizeof SIG_LINE - 1);
    tz_fed_hex(sig, sizeof sig, line + sizeof SIG_LINE - 1);
    size_t len = sizeof SIG_LINE - 1 + 2 * TZ_FED_SIG;
    line[len++] = '\n';
    return tz_buf_append(out, line, len);
}

/* A reader over the bytes: where it stands, and whether everything so far was as it must be. */
struct cursor {
    const char *p;
    size_t n, at;
    bool ok;
};

/* Takes the n bytes of lit, exactly. */
static void expect(struct cursor *c, const char *lit, size_t n)
{
    if (c->ok && c->n - c->at >= n && memcmp(c->p + c->at, lit, n) == 0)
        c->at += n;
    else
        c->ok = false;
}

/* The value of the line "name: VALUE\n" (at most cap - 1 bytes, no control bytes) into out. */
static void value_line(struct cursor *c, const char *name, char *out, size_t cap)
{
    expect(c, name, strlen(name));
    expect(c, ": ", 2);
    size_t len = 0;
    while (c->ok && c->at < c->n && c->p[c->at] != '\n') {
        unsigned char ch = (unsigned char)c->p[c->at++];
        if (ch < 0x21 || ch > 0x7e || len + 1 >= cap)
            c->ok = false;
        else
            out[len++] = (char)ch;
    }
    out[len] = '\0';
    expect(c, "\n", 1);
    if (len == 0)
        c->ok = false;
}

static void number_line(struct cursor *c, const char *name, int64_t *out)
{
    char v[NUM_DIGITS_MAX + 1];
    value_line(c, name, v, sizeof v);
    int64_t x = 0;
    for (size_t i = 0; c->ok && v[i]; i++) {
        if (v[i] < '0' || v[i] > '9' || (i == 0 && v[i] == '0' && v[1]))
            c->ok = false;
        else
            x = x * 10 + (v[i] - '0');
    }
    *out = c->ok ? x : 0;
}

static void id_line(struct cursor *c, const char *name, char *out)
{
    value_line(c, name, out, TZ_FS_ID);
    if (c->ok && !tz_fed_id_ok(out))
        c->ok = false;
}

/* Reads one envelope at the start of p[0..n); its length into *used. */
static tz_err parse_prefix(const char *p, size_t n, struct tz_fed_envelope *out, size_t *used)
{
    memset(out, 0, sizeof *out);
    *used = 0;
    if (n > TZ_FED_ENVELOPE_MAX)
        n = TZ_FED_ENVELOPE_MAX + 1; /* an envelope that long is refused below */
    struct cursor c = {.p = p, .n = n, .ok = p != NULL};
    char kind[16];
    int64_t body_len = 0;
    expect(&c, MAGIC, sizeof MAGIC - 1);
    value_line(&c, "kind", kind, sizeof kind);
    out->kind = TZ_FED_MESSAGE;
    bool known = false;
    for (size_t k = 0; c.ok && k < sizeof KINDS / sizeof KINDS[0]; k++)
        if (strcmp(kind, KINDS[k]) == 0) {
            out->kind = (enum tz_fed_kind)k;
            known = true;
        }
    if (!known)
        c.ok = false;
    number_line(&c, "id", &out->id);
    id_line(&c, "from", out->from);
    id_line(&c, "to", out->to);
    number_line(&c, "sender-case", &out->sender_case);
    number_line(&c, "receiver-case", &out->receiver_case);
    number_line(&c, "in-reply-to", &out->in_reply_to);
    number_line(&c, "at", &out->at);
    number_line(&c, "body", &body_len);
    expect(&c, "\n", 1);
    if (c.ok && (uint64_t)body_len > c.n - c.at)
        c.ok = false;
    if (c.ok) {
        out->body = p + c.at;
        out->body_len = (size_t)body_len;
        c.at += (size_t)body_len;
        out->signed_len = c.at;
    }
    expect(&c, SIG_LINE, sizeof SIG_LINE - 1);
    char hex[2 * TZ_FED_SIG + 2];
    if (c.ok && c.n - c.at >= 2 * TZ_FED_SIG + 1 && p[c.at + 2 * TZ_FED_SIG] == '\n' &&
        c.at + 2 * TZ_FED_SIG + 1 <= TZ_FED_ENVELOPE_MAX) {
        memcpy(hex, p + c.at, 2 * TZ_FED_SIG);
        hex[2 * TZ_FED_SIG] = '\0';
        for (size_t i = 0; i < 2 * TZ_FED_SIG; i++)
            if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
                c.ok = false;
        if (c.ok && tz_fed_unhex(hex, out->sig, TZ_FED_SIG))
            c.ok = false;
    } else {
        c.ok = false;
    }
    if (!c.ok || (out->id <= 0 && out->kind != TZ_FED_RECEIPT)) {
        memset(out, 0, sizeof *out);
        return TZ_EMALFORMED;
    }
    *used = c.at + 2 * TZ_FED_SIG + 1;
    return TZ_OK;
}

tz_err tz_fed_envelope_parse(const char *p, size_t n, struct tz_fed_envelope *out)
{
    if (n > TZ_FED_ENVELOPE_MAX) {
        memset(out, 0, sizeof *out);
        return TZ_ETOOBIG;
    }
    size_t used = 0;
    tz_err err = parse_prefix(p, n, out, &used);
    if (!err && used != n) { /* nothing may follow the signature line */
        memset(out, 0, sizeof *out);
        err = TZ_EMALFORMED;
    }
    return err;
}

tz_err tz_fed_envelope_next(const char *p, size_t n, struct tz_fed_envelope *out, size_t *used)
{
    return parse_prefix(p, n, out, used);
}

bool tz_fed_envelope_verify(const struct tz_fed_envelope *env, const char *p,
                            const uint8_t pk[TZ_FED_SIGN_PK])
{
    return env->signed_len > 0 &&
           crypto_sign_verify_detached(env->sig, (const uint8_t *)p, env->signed_len, pk) == 0;
}
