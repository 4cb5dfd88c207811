/* workflow.c - statuses, the transition table and deadlines (see workflow.h). */
#include "threatmap/workflow.h"

#include <string.h>

#include "base/tztime.h"

struct status_info {
    const char *code;
    const char *name_pl;
    const char *name_en;
};

static const struct status_info statuses[TZ_STATUS_COUNT] = {
    [TZ_STATUS_NEW] = {"new", "nowe", "new"},
    [TZ_STATUS_VERIFYING] = {"verifying", "weryfikacja", "being verified"},
    [TZ_STATUS_CONFIRMED] = {"confirmed", "potwierdzone", "confirmed"},
    [TZ_STATUS_NOT_CONFIRMED] = {"not_confirmed", "niepotwierdzone", "not confirmed"},
    [TZ_STATUS_ELIMINATED] = {"eliminated", "potwierdzone (wyeliminowane)",
                              "confirmed (eliminated)"},
    [TZ_STATUS_REFERRED] = {"referred", "potwierdzone (przekazane poza Policję)",
                            "confirmed (referred outside the police)"},
    [TZ_STATUS_REJECTED] = {"rejected", "odrzucone", "rejected"},
};

#define POLICE ((1u << TZ_AUTH_OFFICER) | (1u << TZ_AUTH_SUPERVISOR))

/* The transition table of DESIGN 1.1. Anything not listed here is refused. */
static const struct tz_transition_rule rules[] = {
    {TZ_STATUS_NEW, TZ_STATUS_VERIFYING, POLICE, false, false, true, false},
    {TZ_STATUS_NEW, TZ_STATUS_REJECTED, POLICE, true, false, false, false},
    {TZ_STATUS_VERIFYING, TZ_STATUS_CONFIRMED, POLICE, false, false, false, true},
    {TZ_STATUS_VERIFYING, TZ_STATUS_NOT_CONFIRMED, POLICE, true, false, false, true},
    {TZ_STATUS_CONFIRMED, TZ_STATUS_ELIMINATED, POLICE, false, false, false, false},
    {TZ_STATUS_CONFIRMED, TZ_STATUS_REFERRED, POLICE, false, true, false, false},
};

struct tz_workflow_config tz_workflow_defaults(void)
{
    return (struct tz_workflow_config){
        .takeup_days = 2,
        .verify_days = 5,
        .not_confirmed_public_days = 7,
        .eliminated_public_days = 30,
    };
}

const char *tz_status_code(enum tz_status s)
{
    return (unsigned)s < TZ_STATUS_COUNT ? statuses[s].code : "unknown";
}

const char *tz_status_name_pl(enum tz_status s)
{
    return (unsigned)s < TZ_STATUS_COUNT ? statuses[s].name_pl : "nieznany";
}

const char *tz_status_name_en(enum tz_status s)
{
    return (unsigned)s < TZ_STATUS_COUNT ? statuses[s].name_en : "unknown";
}

tz_err tz_status_parse(const char *code, enum tz_status *out)
{
    for (int s = 0; s < TZ_STATUS_COUNT; s++) {
        if (strcmp(code, statuses[s].code) == 0) {
            *out = (enum tz_status)s;
            return TZ_OK;
        }
    }
    return TZ_EINVAL;
}

const struct tz_transition_rule *tz_workflow_rule(enum tz_status from, enum tz_status to)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        if (rules[i].from == from && rules[i].to == to)
            return &rules[i];
    }
    return NULL;
}

const struct tz_transition_rule *tz_workflow_rules(size_t *count)
{
    *count = sizeof rules / sizeof rules[0];
    return rules;
}

size_t tz_workflow_allowed(enum tz_status from, enum tz_auth_role role,
                           const struct tz_transition_rule **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0] && n < max; i++) {
        if (rules[i].from == from && (unsigned)role < TZ_AUTH_ROLE_COUNT &&
            (rules[i].roles & (1u << role)))
            out[n++] = &rules[i];
    }
    return n;
}

static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    }
    return true;
}

tz_err tz_workflow_check(enum tz_status from, enum tz_status to, enum tz_auth_role role,
                         const char *note, const char *referred_to)
{
    const struct tz_transition_rule *rule = tz_workflow_rule(from, to);
    if (!rule)
        return TZ_ECONFLICT;
    if ((unsigned)role >= TZ_AUTH_ROLE_COUNT || !(rule->roles & (1u << role)))
        return TZ_EFORBIDDEN;
    if (rule->note_required && blank(note))
        return TZ_EINVAL;
    if (rule->referral_required == blank(referred_to))
        return TZ_EINVAL;
    return TZ_OK;
}

int64_t tz_workflow_takeup_due(const struct tz_workflow_config *cfg, int64_t received)
{
    return tz_time_add_pl_days(received, cfg->takeup_days);
}

int64_t tz_workflow_verify_due(const struct tz_workflow_config *cfg, int64_t taken_up)
{
    return tz_time_add_pl_days(taken_up, cfg->verify_days);
}

int64_t tz_workflow_due(const struct tz_report_rec *rec, enum tz_status status)
{
    if (status == TZ_STATUS_NEW)
        return rec->takeup_due;
    if (status == TZ_STATUS_VERIFYING)
        return rec->verify_due;
    return 0;
}

bool tz_workflow_overdue(const struct tz_report_rec *rec, enum tz_status status, int64_t now)
{
    int64_t due = tz_workflow_due(rec, status);
    return due != 0 && now > due;
}

bool tz_workflow_publicly_visible(const struct tz_workflow_config *cfg, enum tz_status status,
                                  int64_t status_changed_at, int64_t now)
{
    switch (status) {
    case TZ_STATUS_NEW:
    case TZ_STATUS_VERIFYING:
    case TZ_STATUS_CONFIRMED:
    case TZ_STATUS_REFERRED:
        return true;
    case TZ_STATUS_NOT_CONFIRMED:
        return now < tz_time_add_pl_days(status_changed_at, cfg->not_confirmed_public_days);
    case TZ_STATUS_ELIMINATED:
        return now < tz_time_add_pl_days(status_changed_at, cfg->eliminated_public_days);
    default:
        return false;
    }
}

bool tz_status_is_confirmed(enum tz_status s)
{
    return s == TZ_STATUS_CONFIRMED || s == TZ_STATUS_ELIMINATED || s == TZ_STATUS_REFERRED;
}
