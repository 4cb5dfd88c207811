/*
 * rules.c - the rules of the Directive (EU) 2023/977 that bind a message:
 * the Art. 5 reply periods as a table and the reply clock that an open
 * clarification request stops, Art. 6 and Art. 11 for an answer, the Art. 4
 * copy to the national SPOC, and what the SIENA handling codes forbid (H2) or
 * make every view carry (H1, H2, H3). Time comes from the caller, so tests
 * walk the clock across DST changes, month ends and leap days.
 */
#include <stdio.h>
#include <string.h>

#include "base/tztime.h"
#include "exchange/internal.h"

/* Art. 5(1): the period of each urgency, in the order of enum tz_xurgency. */
static const struct tz_xperiod periods[TZ_XURG_COUNT] = {
    [TZ_XURG_URGENT_DIRECT] = {.hours = 8},
    [TZ_XURG_URGENT_INDIRECT] = {.days = 3},
    [TZ_XURG_NORMAL] = {.days = 7},
};

struct tz_xperiod tz_exchange_period(enum tz_xurgency urgency)
{
    if ((unsigned)urgency >= TZ_XURG_COUNT)
        urgency = TZ_XURG_NORMAL;
    return periods[urgency];
}

struct tz_xclock tz_exchange_clock_start(int64_t received, enum tz_xurgency urgency)
{
    return (struct tz_xclock){.received = received, .urgency = (int)urgency};
}

tz_err tz_exchange_clock_pause(struct tz_xclock *c, int64_t at)
{
    if (c->paused_since > 0 || at < c->received)
        return TZ_ECONFLICT;
    c->paused_since = at > 0 ? at : 1;
    return TZ_OK;
}

tz_err tz_exchange_clock_resume(struct tz_xclock *c, int64_t at)
{
    if (c->paused_since <= 0 || at < c->paused_since)
        return TZ_ECONFLICT;
    c->paused_total += at - c->paused_since;
    c->paused_since = 0;
    return TZ_OK;
}

/* Counted from receipt in Polish calendar days (Art. 5 says calendar days of the receiving
 * state), then moved by every second the clock stood still. */
int64_t tz_exchange_due(const struct tz_xclock *c, int64_t now)
{
    struct tz_xperiod p = tz_exchange_period((enum tz_xurgency)c->urgency);
    int64_t due = p.days ? tz_time_add_pl_days(c->received, p.days)
                         : c->received + (int64_t)p.hours * 3600;
    due += c->paused_total;
    if (c->paused_since > 0 && now > c->paused_since)
        due += now - c->paused_since;
    return due;
}

bool tz_exchange_overdue(const struct tz_xclock *c, int64_t now)
{
    return c->paused_since <= 0 && now > tz_exchange_due(c, now);
}

tz_err tz_exchange_check_answer(const struct tz_xmsg *request, const struct tz_xmsg *answer,
                                struct tz_field_errors *errs)
{
    size_t before = errs->count + errs->dropped;
    if (request->type != TZ_XMSG_REQUEST)
        tz_fielderr_add(errs, "/in_reply_to", "must name a request");
    if (answer->type != TZ_XMSG_REPLY && answer->type != TZ_XMSG_REFUSAL &&
        answer->type != TZ_XMSG_CLARIFICATION && answer->type != TZ_XMSG_ACKNOWLEDGEMENT)
        tz_fielderr_add(errs, "/type", "an answer is a reply, refusal, clarification or "
                                       "acknowledgement");
    if (answer->type == TZ_XMSG_REFUSAL && (answer->grounds == 0 || !answer->reasons[0]))
        tz_fielderr_add(errs, "/grounds",
                        "a refusal names one or more grounds of Art. 6(1) and its reasons");
    if (answer->type != TZ_XMSG_REFUSAL && answer->grounds)
        tz_fielderr_add(errs, "/grounds", "only a refusal has grounds");
    if (answer->type != TZ_XMSG_ACKNOWLEDGEMENT &&
        !tz_x_same_language(request->lang, answer->lang))
        tz_fielderr_add(errs, "/lang", "must be the language of the request (%s)",
                        request->lang);
    return errs->count + errs->dropped > before ? TZ_EINVAL : TZ_OK;
}

static bool copies_spoc(const struct tz_xnode_config *cfg, const struct tz_xmsg *m)
{
    for (size_t i = 0; i < m->addressee_count && i < TZ_X_ADDRESSEES; i++)
        if (strcmp(m->addressees[i].node, cfg->node) == 0 &&
            strcmp(m->addressees[i].unit, cfg->spoc_unit) == 0)
            return true;
    return false;
}

static bool goes_abroad(const struct tz_xnode_config *cfg, const struct tz_xmsg *m)
{
    for (size_t i = 0; i < m->addressee_count && i < TZ_X_ADDRESSEES; i++)
        if (strcmp(m->addressees[i].node, cfg->node) != 0)
            return true;
    return false;
}

tz_err tz_exchange_check_art4(const struct tz_xnode_config *cfg, const struct tz_xmsg *m,
                              struct tz_field_errors *errs)
{
    if (m->type != TZ_XMSG_REQUEST || strcmp(m->originator.node, cfg->node) != 0 ||
        strcmp(m->originator.unit, cfg->spoc_unit) == 0 || !goes_abroad(cfg, m) ||
        copies_spoc(cfg, m))
        return TZ_OK;
    if (m->art4_exception >= 0 && m->art4_exception < TZ_XART4_COUNT && m->art4_reasons[0])
        return TZ_OK;
    tz_fielderr_add(errs, "/addressees",
                    "a unit's request abroad copies the national SPOC (%s/%s) unless an Art. 4 "
                    "exception is recorded with reasons",
                    cfg->node, cfg->spoc_unit);
    return TZ_EINVAL;
}

static bool permitted(const struct tz_xmsg *source, const char *to,
                      const struct tz_xpermission *perms, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (perms[i].message_id == source->id && strcmp(perms[i].to, to) == 0)
            return true;
    return false;
}

tz_err tz_exchange_check_pass_on(const struct tz_xnode_config *cfg, const struct tz_xmsg *source,
                                 const struct tz_xmsg *out, const struct tz_xpermission *perms,
                                 size_t perm_count, struct tz_field_errors *errs)
{
    if (source->handling != TZ_XH2)
        return TZ_OK;
    tz_err err = TZ_OK;
    for (size_t i = 0; i < out->addressee_count && i < TZ_X_ADDRESSEES; i++) {
        const char *to = out->addressees[i].node;
        if (strcmp(to, source->originator.node) == 0 || strcmp(to, cfg->node) == 0 ||
            permitted(source, to, perms, perm_count))
            continue;
        char f[TZ_FIELD_NAME_MAX];
        snprintf(f, sizeof f, "/addressees/%zu/node", i);
        tz_fielderr_add(errs, f,
                        "H2: message %lld may reach %s only with its provider's (%s) permission",
                        (long long)source->id, to, source->originator.node);
        err = TZ_EFORBIDDEN;
    }
    return err;
}

static void mark(struct tz_xmarkings *out, int marking, enum tz_xlang lang, const char *text)
{
    out->items[out->count].marking = marking;
    out->items[out->count].label = tz_xcode_label(TZ_XT_MARKING, marking, lang);
    out->items[out->count].text = text;
    out->count++;
}

void tz_exchange_markings(const struct tz_xmsg *m, enum tz_xlang lang, struct tz_xmarkings *out)
{
    memset(out, 0, sizeof *out);
    if ((unsigned)lang >= TZ_XLANG_COUNT)
        lang = TZ_XLANG_EN;
    if (m->handling == TZ_XH1)
        mark(out, TZ_XM_NOT_JUDICIAL, lang, NULL);
    else if (m->handling == TZ_XH2)
        mark(out, TZ_XM_NO_PASS_ON, lang, NULL);
    else if (m->handling == TZ_XH3)
        mark(out, TZ_XM_RESTRICTED, lang, m->restriction);
}
