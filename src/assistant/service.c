/*
 * service.c - the assistant's police door and its redaction proposals.
 *
 * tz_assist_analyse_as is what the API and the command line call: the
 * permission table's assistant.use for a principal (an operator on the
 * command line acts on the machine and is not checked), then the analysis,
 * then the audit entry: what was asked (purpose, bytes, code points) and how
 * many entities of each type were found, never the text, since the text is
 * itself police data. An analysis changes nothing, so the audit entry is
 * the whole of its transaction; when it cannot be written nothing is
 * answered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assistant/internal.h"
#include "assistant/link.h"
#include "base/num.h"
#include "base/tztime.h"

tz_err tz_assist_reference_parse(const char *s, int64_t *out)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0)
        return TZ_EINVAL;
    int64_t y, m, d;
    if (n == 10 && s[4] == '-' && s[7] == '-' && !tz_num_parse_i64(s, 4, 1900, 2100, &y) &&
        !tz_num_parse_i64(s + 5, 2, 1, 12, &m) && !tz_num_parse_i64(s + 8, 2, 1, 31, &d)) {
        /* a day: its noon UTC, the same calendar day in Poland and in every zone near it */
        *out = tz_time_days_from_civil((int)y, (int)m, (int)d) * 86400 + 12 * 3600;
        return TZ_OK;
    }
    return tz_time_parse(s, n, out) == TZ_OK ? TZ_OK : TZ_EINVAL;
}

/* The placeholder of each type in a proposed redaction (Polish: the police pages' language). */
static const char *const placeholders[TZ_ENT_TYPE_COUNT] = {
    [TZ_ENT_EMAIL] = "[e-mail]",
    [TZ_ENT_URL] = NULL,
    [TZ_ENT_PHONE] = "[telefon]",
    [TZ_ENT_IBAN] = "[rachunek]",
    [TZ_ENT_CARD] = "[karta]",
    [TZ_ENT_CRYPTO] = "[portfel]",
    [TZ_ENT_DATE] = NULL,
    [TZ_ENT_PERSON] = "[osoba]",
    [TZ_ENT_PLACE] = NULL,
    [TZ_ENT_MRZ] = "[MRZ]",
    [TZ_ENT_DOCUMENT] = "[dokument]",
    [TZ_ENT_VIN] = "[VIN]",
    [TZ_ENT_PLATE] = "[nr rej.]",
};

tz_err tz_assist_redactions(const struct tz_assist_request *req, const struct tz_assist_result *r,
                            struct tz_redactions *out)
{
    memset(out, 0, sizeof *out);
    out->items = calloc(r->count ? r->count : 1, sizeof *out->items);
    out->text = malloc(req->len + r->count * 16 + 1);
    if (!out->items || !out->text) {
        tz_redactions_clear(out);
        return TZ_ENOMEM;
    }
    size_t at = 0;
    for (size_t i = 0; i < r->count; i++) {
        const struct tz_entity *e = &r->items[i];
        const char *ph = placeholders[e->type];
        if (!ph)
            continue;
        struct tz_redaction *d = &out->items[out->count++];
        d->entity = i;
        snprintf(d->replacement, sizeof d->replacement, "%s", ph);
        memcpy(out->text + out->len, req->text + at, e->start - at);
        out->len += e->start - at;
        size_t pl = strlen(ph);
        memcpy(out->text + out->len, ph, pl);
        out->len += pl;
        at = e->end;
    }
    memcpy(out->text + out->len, req->text + at, req->len - at);
    out->len += req->len - at;
    out->text[out->len] = '\0';
    return TZ_OK;
}

void tz_redactions_clear(struct tz_redactions *r)
{
    if (!r)
        return;
    free(r->items);
    free(r->text);
    memset(r, 0, sizeof *r);
}

/* The audit entry's fields: the size asked and the count of each type found. */
static void audit_fields(const struct tz_assist_request *req, const struct tz_assist_result *r,
                         const struct tz_assist_links *links, char *out, size_t size)
{
    size_t counts[TZ_ENT_TYPE_COUNT] = {0};
    for (size_t i = 0; r && i < r->count; i++)
        counts[r->items[i].type]++;
    int o = snprintf(out, size, "{\"bytes\":%zu,\"entities\":{", req->len);
    bool first = true;
    for (int t = 0; t < TZ_ENT_TYPE_COUNT && o > 0 && (size_t)o < size; t++) {
        if (!counts[t])
            continue;
        o += snprintf(out + o, size - (size_t)o, "%s\"%s\":%zu", first ? "" : ",",
                      tz_assist_type_code((enum tz_assist_type)t), counts[t]);
        first = false;
    }
    if (o > 0 && (size_t)o < size && links)
        o += snprintf(out + o, size - (size_t)o, "},\"links\":%zu", links->count);
    else if (o > 0 && (size_t)o < size)
        o += snprintf(out + o, size - (size_t)o, "}");
    if (o > 0 && (size_t)o < size)
        snprintf(out + o, size - (size_t)o, "}");
}

tz_err assist_audit(const struct tz_assist_caller *c, const char *fields, const char *outcome)
{
    char object[32];
    snprintf(object, sizeof object, "assistant/%.20s", c->purpose ? c->purpose : "analyse");
    struct tz_audit_rec rec =
        tz_auth_who_entry(c->auth, &c->who, tz_audit_code(TZ_AUDIT_ASSISTANT_USE), object);
    rec.fields = fields;
    rec.outcome = outcome;
    return tz_auth_audit(c->auth, &rec);
}

tz_err tz_assist_analyse_as(const struct tz_assist_caller *c, const struct tz_assist_request *req,
                            struct tz_assist_result *out, struct tz_redactions *redact)
{
    if (!c || !c->auth || !req || !out)
        return TZ_EINVAL;
    if (c->who.p && tz_auth_permit(c->who.p, TZ_ACT_ASSISTANT_USE, NULL, NULL, NULL)) {
        tz_err err = assist_audit(c, NULL, "refused");
        return err ? err : TZ_EFORBIDDEN;
    }
    tz_err err = tz_assist_analyse(req, out);
    if (!err && redact)
        err = tz_assist_redactions(req, out, redact);
    if (!err && c->link && c->links)
        err = tz_assist_link(c->link, &c->who, out, c->links);
    char fields[512];
    audit_fields(req, err ? NULL : out, c->link ? c->links : NULL, fields, sizeof fields);
    tz_err aerr = assist_audit(c, fields, err ? "failed" : "ok");
    if (!err && aerr)
        err = aerr; /* no audit entry, no answer */
    if (err) {
        tz_assist_result_clear(out);
        tz_redactions_clear(redact);
        if (c->link && c->links)
            tz_assist_links_clear(c->links);
    }
    return err;
}
