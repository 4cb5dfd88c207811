/*
 * assist_cases.h - the entities an officer added to an exchange case from what the assistant
 * found in one of its messages (migration 22, issue 16).
 *
 * A row is one entity of one case: its type and normalised value as the assistant read them,
 * its key (exchange's key form where the type has one: "phone:+48601234567"; else
 * "<type>:<value>"), the words as written and where they stand in the message (code points),
 * who added it and when. A key is in a case once (a second add is TZ_ECONFLICT). The row is
 * written with its audit entry in one transaction. A case's retention erases its rows with the
 * rest of its personal data (sqlite_exchange_retention.c).
 */
#ifndef TZ_STORE_ASSIST_CASES_H
#define TZ_STORE_ASSIST_CASES_H

#include "store/common.h"

#define TZ_ACASE_CODE 32   /* a type ("phone"), a unit's code; NUL included */
#define TZ_ACASE_VALUE 512 /* a value or the words as written */
#define TZ_ACASE_KEY 160
#define TZ_ACASE_PAGE 500 /* the most entities one case lists */

struct tz_acase_entity_rec {
    int64_t id, case_id, message_id;
    char type[TZ_ACASE_CODE], detail[TZ_ACASE_CODE];
    char value[TZ_ACASE_VALUE], text[TZ_ACASE_VALUE];
    char key[TZ_ACASE_KEY];
    int64_t start, end; /* code points of the message's text, half-open */
    char actor[128], unit[64];
    int64_t at;
};

/* clang-format off */
#define TZ_STORE_ASSIST_CASE_OPS(X)                                                                \
    /*                                                                                             \
     * Adds rec (its id ignored) to its case with audit in the same transaction; *id the new row.  \
     * TZ_ECONFLICT when the case already has rec->key; TZ_ENOTFOUND when rec->message_id is no    \
     * message of rec->case_id.                                                                    \
     */                                                                                            \
    X(a_case_entity_add, (struct tz_store *store, const struct tz_acase_entity_rec *rec,           \
       const struct tz_audit_rec *audit, int64_t *id),                                             \
      (store, rec, audit, id),                                                                     \
      TZ_PRE_NEED(rec && rec->case_id > 0 && rec->message_id > 0 && id && TZ_PRE_AUDIT(audit)     \
                  && TZ_PRE_FITS(rec->key, TZ_ACASE_KEY)))                                         \
    /* The entities added to case case_id, oldest first, at most TZ_ACASE_PAGE; free(). */         \
    X(a_case_entities, (struct tz_store *store, int64_t case_id,                                   \
       struct tz_acase_entity_rec **out, size_t *count),                                           \
      (store, case_id, out, count),                                                                \
      TZ_PRE_EMPTY(out, count) TZ_PRE_IF(case_id <= 0, TZ_ENOTFOUND))
/* clang-format on */
TZ_STORE_ASSIST_CASE_OPS(TZ_STORE_DECLARE)

#endif
