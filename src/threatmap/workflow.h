/*
 * workflow.h - the life of a report as data: statuses, the transition table,
 * who may make each transition, deadlines and what the public may see.
 *
 * DESIGN 1.1: new -> verifying -> {confirmed, not_confirmed};
 * confirmed -> {eliminated, referred}; new -> rejected. Police have
 * takeup_days (2) to take a report up and verify_days (5) after take-up to
 * verify it, counted in Polish calendar days (base/tztime.h). Overdue is
 * derived from the deadlines and the clock whenever it is asked for, never
 * stored.
 */
#ifndef TZ_THREATMAP_WORKFLOW_H
#define TZ_THREATMAP_WORKFLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h" /* enum tz_auth_role: who acts */
#include "base/err.h"
#include "store/store.h"

enum tz_status {
    TZ_STATUS_NEW,
    TZ_STATUS_VERIFYING,
    TZ_STATUS_CONFIRMED,
    TZ_STATUS_NOT_CONFIRMED,
    TZ_STATUS_ELIMINATED,
    TZ_STATUS_REFERRED,
    TZ_STATUS_REJECTED,
    TZ_STATUS_COUNT
};

/* Configurable periods (DESIGN 1.1 defaults: 2, 5, 7, 30). */
struct tz_workflow_config {
    int takeup_days;               /* new -> verifying */
    int verify_days;               /* verifying -> verified, counted from take-up */
    int not_confirmed_public_days; /* how long not_confirmed stays on the public map */
    int eliminated_public_days;    /* how long eliminated stays on the public map */
};

/* The defaults of DESIGN 1.1. */
struct tz_workflow_config tz_workflow_defaults(void);

/* Status code ("new") <-> enum; TZ_EINVAL for an unknown code. */
const char *tz_status_code(enum tz_status s);
tz_err tz_status_parse(const char *code, enum tz_status *out);
/* Polish and English names of a status. */
const char *tz_status_name_pl(enum tz_status s);
const char *tz_status_name_en(enum tz_status s);

/* One row of the transition table. */
struct tz_transition_rule {
    enum tz_status from;
    enum tz_status to;
    unsigned roles; /* bit set of (1u << enum tz_auth_role) allowed to make it */
    bool note_required;
    bool referral_required;   /* names the institution it is referred to */
    bool starts_verification; /* sets taken_up_at and the verification deadline */
    bool ends_verification;   /* sets verified_at */
};

/* The rule for from -> to, or NULL when that transition does not exist. */
const struct tz_transition_rule *tz_workflow_rule(enum tz_status from, enum tz_status to);
/* The whole table, for those who walk it (tests, documentation). */
const struct tz_transition_rule *tz_workflow_rules(size_t *count);

/*
 * The transitions role may make from `from` (the rules, in the table's
 * order) into out, at most max; returns how many. What the police console
 * offers for a report comes from here.
 */
size_t tz_workflow_allowed(enum tz_status from, enum tz_auth_role role,
                           const struct tz_transition_rule **out, size_t max);

/*
 * Checks that role may move a report from `from` to `to` with the given note
 * and referral. TZ_ECONFLICT when the transition does not exist,
 * TZ_EFORBIDDEN when the role may not make it, TZ_EINVAL when a required
 * note or referral is missing (or one is given where none belongs).
 */
tz_err tz_workflow_check(enum tz_status from, enum tz_status to, enum tz_auth_role role,
                         const char *note, const char *referred_to);

/* The take-up deadline of a report received at `received`. */
int64_t tz_workflow_takeup_due(const struct tz_workflow_config *cfg, int64_t received);
/* The verification deadline of a report taken up at `taken_up`. */
int64_t tz_workflow_verify_due(const struct tz_workflow_config *cfg, int64_t taken_up);

/*
 * The one rule of which deadline applies: the take-up deadline while a report
 * is new, the verification deadline while it is being verified, none (0)
 * otherwise. Every deadline shown (police queue, Open311, the public view)
 * comes from here.
 */
int64_t tz_workflow_due(const struct tz_report_rec *rec, enum tz_status status);
/* Whether the report has missed tz_workflow_due at `now`. */
bool tz_workflow_overdue(const struct tz_report_rec *rec, enum tz_status status, int64_t now);

/*
 * Whether the public may see a report in this status at `now` (DESIGN 1.1):
 * new, verifying, confirmed and referred always; not_confirmed and
 * eliminated for a while after their last change; rejected never. The
 * category's own visibility rule is applied on top of this by the caller.
 */
bool tz_workflow_publicly_visible(const struct tz_workflow_config *cfg, enum tz_status status,
                                  int64_t status_changed_at, int64_t now);

/* Whether the status counts as confirmed (confirmed, eliminated, referred). */
bool tz_status_is_confirmed(enum tz_status s);

#endif
