/*
 * api_federation.c - GET /api/v1/exchange/nodes: each partner of the node directory with the
 * state of its queue, as an operator watches it: reachable (the last attempt reached it), the
 * last delivery, how many messages wait and since when the oldest, how many were refused, and
 * why the head of the queue is waiting, and whether it is in alarm (its oldest message waits
 * longer than serve --federation-alarm-s). GET /api/v1/exchange/node-outbox?node=ID[&limit=N]:
 * that partner's outbox, newest first, each message's state, delivery and read receipt. For a
 * reader of every unit's boxes (the SPOC's supervisor), audited (federation.nodes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"
#include "federation/federation.h"
#include "http/police.h"

#define ANSWER_MAX (1024u * 1024)

/* The queue of node id among qs, or NULL. */
static const struct tz_fed_queue_rec *queue_of(const struct tz_fed_queue_rec *qs, size_t n,
                                               const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(qs[i].node, id) == 0)
            return &qs[i];
    return NULL;
}

static void put_node(struct tz_jw *w, const struct tz_fed *f, const struct tz_fed_node_rec *node,
                     const struct tz_fed_queue_rec *q)
{
    static const struct tz_fed_queue_rec none = {0};
    if (!q)
        q = &none;
    tz_jw_object(w);
    tz_jw_kstr(w, "id", node->id);
    tz_jw_kstr(w, "name", node->name);
    tz_jw_kstr(w, "country", node->country);
    tz_jw_kstr(w, "endpoint", node->endpoint);
    tz_jw_kstr(w, "cert_sha256", node->cert_sha256);
    tz_jw_kbool(w, "reachable", strcmp(q->last_error, "unreachable") != 0);
    tz_jw_ktime(w, "last_delivery", q->last_delivery);
    tz_jw_kint(w, "queue_length", q->queued);
    tz_jw_ktime(w, "oldest_undelivered", q->oldest_queued_at);
    tz_jw_kint(w, "refused", q->refused);
    tz_jw_kint(w, "attempts", q->attempts);
    tz_jw_kstr(w, "last_error", q->last_error);
    tz_jw_kbool(w, "alarm", tz_fed_alarm(f, q));
    tz_jw_object_end(w);
}

enum MHD_Result api_x_nodes(struct request *req)
{
    if (!req->srv->federation)
        return police_refuse(req, 503, "federation is not configured on this server");
    struct police_ctx c;
    enum MHD_Result answer;
    memset(&c, 0, sizeof c);
    if (!police_caller(req, false, &c.p, &answer))
        return answer;
    police_client(req, c.client, sizeof c.client);
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    struct tz_fed_queue_rec *qs = NULL;
    struct tz_fed_node_rec *nodes = NULL;
    size_t nq = 0, nn = 0;
    tz_err err = tz_fed_queues(req->srv->federation, &who, &qs, &nq);
    if (err == TZ_EFORBIDDEN)
        return police_refuse(req, 403, "the partners' queues are for the SPOC's supervisor");
    if (!err)
        err = tz_fed_nodes(req->srv->federation, &nodes, &nn);
    if (err) {
        free(qs);
        return http_respond_problem(req, err, NULL, NULL);
    }
    struct tz_buf b;
    tz_buf_init(&b, ANSWER_MAX);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "node", tz_fed_node_id(req->srv->federation));
    tz_jw_key(&w, "items");
    tz_jw_array(&w);
    for (size_t i = 0; i < nn; i++)
        put_node(&w, req->srv->federation, &nodes[i], queue_of(qs, nq, nodes[i].id));
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    free(qs);
    free(nodes);
    if ((err = tz_jw_end(&w))) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, 200, &b);
}

static void put_row(struct tz_jw *w, const struct tz_fed_out_rec *o)
{
    tz_jw_object(w);
    tz_jw_kint(w, "message", o->message_id);
    tz_jw_kint(w, "case", o->case_id);
    tz_jw_kstr(w, "state", o->state);
    tz_jw_ktime(w, "queued_at", o->queued_at);
    tz_jw_ktime(w, "delivered_at", strcmp(o->state, "delivered") == 0 ? o->done_at : 0);
    tz_jw_ktime(w, "read_at", o->read_at);
    tz_jw_kint(w, "attempts", o->attempts);
    tz_jw_kstr(w, "last_error", o->last_error);
    tz_jw_kint(w, "their_message", o->their_message);
    tz_jw_kint(w, "their_case", o->their_case);
    tz_jw_object_end(w);
}

enum MHD_Result api_x_node_outbox(struct request *req)
{
    if (!req->srv->federation)
        return police_refuse(req, 503, "federation is not configured on this server");
    struct police_ctx c;
    enum MHD_Result answer;
    memset(&c, 0, sizeof c);
    if (!police_caller(req, false, &c.p, &answer))
        return answer;
    police_client(req, c.client, sizeof c.client);
    const char *node = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "node");
    const char *lim = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, "limit");
    char *end = NULL;
    long limit = lim ? strtol(lim, &end, 10) : 100;
    if (!node || !node[0] || strlen(node) >= TZ_FS_ID ||
        (lim && (*end || limit < 1 || limit > 1000)))
        return police_refuse(req, 400, "node=ID (a partner) and limit=1..1000");
    struct tz_xactor who = {.p = &c.p, .client = c.client};
    struct tz_fed_out_rec *rows = NULL;
    size_t n = 0;
    tz_err err = tz_fed_outbox(req->srv->federation, &who, node, (size_t)limit, &rows, &n);
    if (err == TZ_EFORBIDDEN)
        return police_refuse(req, 403, "the partners' outboxes are for the SPOC's supervisor");
    if (err)
        return http_respond_problem(req, err, NULL, NULL);
    struct tz_buf b;
    tz_buf_init(&b, ANSWER_MAX);
    struct tz_jw w;
    tz_jw_begin(&w, &b);
    tz_jw_object(&w);
    tz_jw_kstr(&w, "node", node);
    tz_jw_key(&w, "items");
    tz_jw_array(&w);
    for (size_t i = 0; i < n; i++)
        put_row(&w, &rows[i]);
    tz_jw_array_end(&w);
    tz_jw_object_end(&w);
    free(rows);
    if ((err = tz_jw_end(&w))) {
        tz_buf_free(&b);
        return http_respond_problem(req, err, NULL, NULL);
    }
    return http_respond_json(req, 200, &b);
}
