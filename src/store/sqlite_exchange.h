/*
 * sqlite_exchange.h - what the SQLite backend's exchange files share
 * (private to src/store): the columns of a message's line and their reader
 * (sqlite_exchange.c), and the writes of an event's row and an NFIP part that
 * a message's transaction makes (sqlite_exchange_events.c).
 */
#ifndef TZ_STORE_SQLITE_EXCHANGE_H
#define TZ_STORE_SQLITE_EXCHANGE_H

#include "store/sqlite_internal.h"

/* The columns of a message's line (m: x_messages, c: x_cases), as tz_sq_x_read_head reads them. */
#define TZ_SQ_XMSG_COLS                                                                            \
    "m.id, m.case_id, COALESCE(m.in_reply_to, 0), m.inbound, m.at, m.type, m.from_node,"           \
    " m.from_unit, m.handling, m.urgency, c.subject, m.lang, m.state, m.due_at, m.paused_since,"   \
    " m.paused_total"
/* The SQL of a unit's inbox (?1 the unit, ?2 the page's length): what bench_exchange times
 * alone, without the audited transaction around it. */
const char *tz_sq_x_inbox_sql(void);
/* A row of TZ_SQ_XMSG_COLS into elem (struct tz_xhead_rec). */
tz_err tz_sq_x_read_head(sqlite3_stmt *st, void *elem);

/* Inside the message's transaction: the event message id announces (its case case_id). */
tz_err tz_sq_x_put_event(sqlite3 *db, int64_t id, int64_t case_id, const struct tz_xevent_rec *e);
/* Inside the message's transaction: message id's NFIP part; TZ_ENOTFOUND without its event. */
tz_err tz_sq_x_put_nfip(sqlite3 *db, int64_t id, const struct tz_xnfip_rec *n);
/* Inside a message's transaction: TZ_ECONFLICT when case case_id is concluded (Art. 16: a
 * concluded case takes no new message; sqlite_exchange_retention.c). */
tz_err tz_sq_x_case_open(sqlite3 *db, int64_t case_id);

#endif
