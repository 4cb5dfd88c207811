/*
 * sqlite_exchange_events.c - the SQLite backend's football events (migration
 * 15): an event's row and an NFIP message's part, written inside the
 * message's transaction (sqlite_exchange.c calls them), and an event read
 * with its messages in one transaction with the read's audit entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_exchange.h"

static const char SQL_PUT_EVENT[] =
    "INSERT INTO x_events (id, case_id, competition, home, away, venue, country, lat, lon,"
    " kickoff, window_from, window_to, risk) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_PUT_NFIP[] =
    "INSERT INTO x_nfip (message_id, event_id, phase, risk, supporters, risk_supporters,"
    " transport, route, arrival, spotters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_EVENT_EXISTS[] = "SELECT 1 FROM x_events WHERE id = ?";
#define EVENT_COLS                                                                                 \
    "id, case_id, competition, home, away, venue, country, lat, lon, kickoff, window_from,"        \
    " window_to, risk"
static const char SQL_GET_EVENT[] = "SELECT " EVENT_COLS " FROM x_events WHERE id = ?";
static const char SQL_EVENTS[] =
    "SELECT " EVENT_COLS " FROM x_events ORDER BY kickoff DESC, id DESC LIMIT 200";
/* The announcement, then every NFIP message of the event, oldest first. */
static const char SQL_EVENT_ITEMS[] =
    "SELECT " TZ_SQ_XMSG_COLS ", COALESCE(n.message_id, 0), COALESCE(n.event_id, 0),"
    " COALESCE(n.phase, ''), COALESCE(n.risk, ''), COALESCE(n.supporters, -1),"
    " COALESCE(n.risk_supporters, -1), COALESCE(n.transport, ''), COALESCE(n.route, ''),"
    " COALESCE(n.arrival, 0), COALESCE(n.spotters, -1)"
    " FROM x_messages m JOIN x_cases c ON c.id = m.case_id"
    " LEFT JOIN x_nfip n ON n.message_id = m.id"
    " WHERE m.id = ?1 OR m.id IN (SELECT message_id FROM x_nfip WHERE event_id = ?1)"
    " ORDER BY m.id LIMIT 200";

static tz_err run(sqlite3_stmt *st, struct tz_sq_binder *b)
{
    if (b->rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return tz_sq_map_rc(b->rc);
    }
    return tz_sq_run_once(st);
}

tz_err tz_sq_x_put_event(sqlite3 *db, int64_t id, int64_t case_id, const struct tz_xevent_rec *e)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_PUT_EVENT, &st);
    if (err)
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, id);
    tz_sq_bind_int64(&b, case_id);
    const char *texts[] = {e->competition, e->home, e->away, e->venue, e->country};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        tz_sq_bind_text(&b, texts[i]);
    tz_sq_bind_double(&b, e->lat);
    tz_sq_bind_double(&b, e->lon);
    tz_sq_bind_int64(&b, e->kickoff);
    tz_sq_bind_int64(&b, e->window_from);
    tz_sq_bind_int64(&b, e->window_to);
    tz_sq_bind_text(&b, e->risk);
    return run(st, &b);
}

tz_err tz_sq_x_put_nfip(sqlite3 *db, int64_t id, const struct tz_xnfip_rec *n)
{
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_EVENT_EXISTS, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, n->event_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? TZ_ENOTFOUND : tz_sq_map_rc(rc);
    if ((err = tz_sq_prep(db, SQL_PUT_NFIP, &st)))
        return err;
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, id);
    tz_sq_bind_int64(&b, n->event_id);
    tz_sq_bind_text(&b, n->phase);
    tz_sq_bind_text(&b, n->risk);
    tz_sq_bind_int64(&b, n->supporters);
    tz_sq_bind_int64(&b, n->risk_supporters);
    tz_sq_bind_text(&b, n->transport);
    tz_sq_bind_text(&b, n->route);
    tz_sq_bind_int64(&b, n->arrival);
    tz_sq_bind_int64(&b, n->spotters);
    return run(st, &b);
}

static tz_err read_event(sqlite3_stmt *st, void *elem)
{
    struct tz_xevent_rec *e = elem;
    e->id = sqlite3_column_int64(st, 0);
    e->case_id = sqlite3_column_int64(st, 1);
    e->lat = sqlite3_column_double(st, 7);
    e->lon = sqlite3_column_double(st, 8);
    e->kickoff = sqlite3_column_int64(st, 9);
    e->window_from = sqlite3_column_int64(st, 10);
    e->window_to = sqlite3_column_int64(st, 11);
    tz_err err;
    if ((err = tz_sq_col_code(st, 2, e->competition, sizeof e->competition)) ||
        (err = tz_sq_col_code(st, 3, e->home, sizeof e->home)) ||
        (err = tz_sq_col_code(st, 4, e->away, sizeof e->away)) ||
        (err = tz_sq_col_code(st, 5, e->venue, sizeof e->venue)) ||
        (err = tz_sq_col_code(st, 6, e->country, sizeof e->country)))
        return err;
    return tz_sq_col_code(st, 12, e->risk, sizeof e->risk);
}

static tz_err read_item(sqlite3_stmt *st, void *elem)
{
    struct tz_xevent_item_rec *it = elem;
    tz_err err = tz_sq_x_read_head(st, &it->head);
    if (err)
        return err;
    struct tz_xnfip_rec *n = &it->nfip;
    n->message_id = sqlite3_column_int64(st, 16);
    n->event_id = sqlite3_column_int64(st, 17);
    n->supporters = sqlite3_column_int64(st, 20);
    n->risk_supporters = sqlite3_column_int64(st, 21);
    n->arrival = sqlite3_column_int64(st, 24);
    n->spotters = sqlite3_column_int64(st, 25);
    if ((err = tz_sq_col_code(st, 18, n->phase, sizeof n->phase)) ||
        (err = tz_sq_col_code(st, 19, n->risk, sizeof n->risk)) ||
        (err = tz_sq_col_code(st, 22, n->transport, sizeof n->transport)))
        return err;
    return tz_sq_col_code(st, 23, n->route, sizeof n->route);
}

static void free_plain(void *recs, size_t count)
{
    (void)count;
    free(recs);
}

struct get_ctx {
    int64_t id;
    struct tz_xevent_rec *event;
    struct tz_xevent_item_rec **items;
    size_t *count;
};

static tz_err get_body(sqlite3 *db, void *ctx)
{
    struct get_ctx *g = ctx;
    sqlite3_stmt *st;
    tz_err err = tz_sq_prep(db, SQL_GET_EVENT, &st);
    if (err)
        return err;
    sqlite3_bind_int64(st, 1, g->id);
    int rc = sqlite3_step(st);
    err = rc == SQLITE_ROW    ? read_event(st, g->event)
          : rc == SQLITE_DONE ? TZ_ENOTFOUND
                              : tz_sq_map_rc(rc);
    sqlite3_finalize(st);
    if (err || (err = tz_sq_prep(db, SQL_EVENT_ITEMS, &st)))
        return err;
    sqlite3_bind_int64(st, 1, g->id);
    err =
        tz_sq_read_rows(st, sizeof **g->items, read_item, free_plain, (void **)g->items, g->count);
    sqlite3_finalize(st);
    return err;
}

tz_err tz_sq_x_event_get(struct tz_store *store, int64_t id, const struct tz_audit_rec *audit,
                         struct tz_xevent_rec *event, struct tz_xevent_item_rec **items,
                         size_t *count)
{
    memset(event, 0, sizeof *event);
    struct get_ctx g = {.id = id, .event = event, .items = items, .count = count};
    char object[48];
    snprintf(object, sizeof object, "xevent/%lld", (long long)id);
    struct tz_audit_rec a;
    if (audit) {
        a = *audit;
        a.object = a.object ? a.object : object;
    }
    tz_err err = tz_sq_in_write(store, get_body, &g, audit ? &a : NULL);
    if (err) {
        free(*items);
        *items = NULL;
        *count = 0;
    }
    return err;
}

tz_err tz_sq_x_events(struct tz_store *store, struct tz_xevent_rec **out, size_t *count)
{
    return tz_sq_read_all(store, SQL_EVENTS, 0, sizeof **out, read_event, free_plain, (void **)out,
                          count);
}
