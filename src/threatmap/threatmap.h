/*
 * threatmap.h - the national threat map: reports in, routed to districts,
 * stored durably, moved through the workflow, and shown by the rules of
 * DESIGN 1.1.
 *
 * A tz_threatmap holds what the service keeps in memory: the category
 * catalogue, the districts and their router, and the group-commit writer.
 * It is built once from the store and is safe to use from many threads.
 * Input from outside (request bodies, query parameters) is validated here;
 * the HTTP layer only moves bytes and maps error codes to statuses.
 */
#ifndef TZ_THREATMAP_THREATMAP_H
#define TZ_THREATMAP_THREATMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fielderr.h"
#include "geo/geo.h"
#include "store/committer.h"
#include "store/store.h"
#include "threatmap/mapindex.h"
#include "threatmap/workflow.h"

/* Hard limits on what a reporter may send. */
#define TZ_REPORT_BODY_MAX (16 * 1024) /* bytes of one POST body */
#define TZ_DESCRIPTION_MAX_CHARS 1000  /* Unicode characters of a description */
#define TZ_TOKEN_TEXT_MAX 48           /* a tracking token as text, NUL included */
#define TZ_LIST_PAGE_MAX 200           /* hard maximum page size of GET /reports */
#define TZ_LIST_PAGE_DEFAULT 50

struct tz_threatmap_config {
    struct tz_workflow_config workflow;
    size_t commit_batch_max; /* reports in one group commit */
    size_t commit_queue_max; /* reports waiting for the writer before 503 */
};

/* Defaults: the DESIGN periods, batches of up to 512, a queue of 8192. */
struct tz_threatmap_config tz_threatmap_defaults(void);

struct tz_threatmap;

/* Loads catalogue and districts from store, builds the router, starts the writer. */
tz_err tz_threatmap_open(struct tz_store *store, const struct tz_threatmap_config *cfg,
                         struct tz_threatmap **out);
/* Commits what is queued and frees tm; the store stays open. Safe with NULL. */
void tz_threatmap_close(struct tz_threatmap *tm);

/* The category with this code, or NULL. */
const struct tz_category_rec *tz_threatmap_category(const struct tz_threatmap *tm,
                                                    const char *code);
/* The district with this id, or NULL. */
const struct tz_district_rec *tz_threatmap_district(const struct tz_threatmap *tm, const char *id);
/* Number of districts loaded. */
size_t tz_threatmap_district_count(const struct tz_threatmap *tm);
/* The i-th district in id order (i below tz_threatmap_district_count), for walking them all. */
const struct tz_district_rec *tz_threatmap_district_at(const struct tz_threatmap *tm, size_t i);

/* GET /api/v1/categories: groups with their categories, in Polish and English. */
tz_err tz_threatmap_categories_json(const struct tz_threatmap *tm, struct tz_buf *out);
/* GET /api/v1/districts: a GeoJSON FeatureCollection. */
tz_err tz_threatmap_districts_geojson(const struct tz_threatmap *tm, struct tz_buf *out);

/* A report on its way in: the record to store and the token shown once to its reporter. */
struct tz_submission {
    struct tz_report_rec rec;
    char token[TZ_TOKEN_TEXT_MAX];
    /* Private to tz_threatmap_submit_async: the caller's callback, run after the map update. */
    struct tz_threatmap *tm_;
    tz_commit_done_fn done_;
    void *done_ctx_;
};

/*
 * Reads a report body (len bytes of JSON) sent at `now` from client_addr
 * (kept only as a keyed hash) and prepares sub: category, point, district,
 * deadlines, token. TZ_EMALFORMED when the body is not a JSON object,
 * TZ_EINVAL when fields are wrong (each listed in errs, unknown fields
 * too), TZ_ETOOBIG over TZ_REPORT_BODY_MAX. Nothing is stored.
 */
tz_err tz_threatmap_prepare(struct tz_threatmap *tm, const char *body, size_t len,
                            const char *client_addr, int64_t now, struct tz_submission *sub,
                            struct tz_field_errors *errs);
/* Stores a prepared report; returns once it is durable (sub->rec.id set). */
tz_err tz_threatmap_submit(struct tz_threatmap *tm, struct tz_submission *sub);
/* The same without waiting: done(ctx, err) runs on the writer thread once durable. */
tz_err tz_threatmap_submit_async(struct tz_threatmap *tm, struct tz_submission *sub,
                                 tz_commit_done_fn done, void *ctx);
/* The 201 answer to a stored submission: id, district, status, deadlines, token. */
tz_err tz_threatmap_submission_json(const struct tz_threatmap *tm, const struct tz_submission *sub,
                                    struct tz_buf *out);
/* Releases what sub owns. */
void tz_submission_clear(struct tz_submission *sub);

/*
 * GET /api/v1/reports/{id}: the public view, or with the right token the
 * reporter's view (description and status history). TZ_ENOTFOUND when there
 * is no such report or the public may not see it; TZ_EFORBIDDEN when a token
 * is given and does not match.
 */
tz_err tz_threatmap_report_json(struct tz_threatmap *tm, int64_t id, const char *token, int64_t now,
                                struct tz_buf *out);

/* The whole report with its history, for police and operators (no visibility rules). */
tz_err tz_threatmap_report_full_json(struct tz_threatmap *tm, int64_t id, int64_t now,
                                     struct tz_buf *out);

/*
 * POST /api/v1/reports/{id}/me-too: a citizen at client_addr also sees the
 * threat (DESIGN 1.1), instead of filing a duplicate. Only a report the public
 * sees and that is still open (new, verifying, confirmed, referred) takes one;
 * each address counts once per report. *count is the report's new count.
 * TZ_ENOTFOUND (no such public report), TZ_ECONFLICT (closed, or this address
 * said so already).
 */
tz_err tz_threatmap_me_too(struct tz_threatmap *tm, int64_t id, const char *client_addr,
                           int64_t now, int *count);

/*
 * Brings the map index up to date with the reports and status changes stored
 * since the last call, by this process or any other (the command line, a
 * second server on the same database). Cheap when nothing changed.
 */
tz_err tz_threatmap_sync(struct tz_threatmap *tm);
/* Runs tz_threatmap_sync every interval_ms on a thread of its own until close. */
tz_err tz_threatmap_follow(struct tz_threatmap *tm, int interval_ms);

/* One query parameter, as the HTTP layer received it. */
struct tz_query_param {
    const char *key;
    const char *value;
};

/*
 * GET /api/v1/reports?bbox=W,S,E,N&category=&group=&status=&from=&to=&cursor=&limit=
 * A page of the public view, newest first, with the cursor of the next page.
 * TZ_EINVAL with errs for a bad or unknown parameter.
 */
tz_err tz_threatmap_list_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                              size_t count, int64_t now, struct tz_buf *out,
                              struct tz_field_errors *errs);

/*
 * GET /api/v1/map?bbox=W,S,E,N&zoom=Z&mode=clusters|hex&category=&group=&status=&from=&to=
 * Clusters (or hexagonal bins) of the publicly visible reports in the box, as
 * GeoJSON (see mapindex.h), answered from the in-memory index.
 */
tz_err tz_threatmap_map_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                             size_t count, int64_t now, struct tz_buf *out,
                             struct tz_field_errors *errs);

/* A request to move a report through the workflow. */
struct tz_transition_request {
    int64_t report_id;
    const char *to; /* status code */
    enum tz_role role;
    const char *actor;       /* who: an account name, or "cli:<user>" */
    const char *note;        /* may be NULL where the table does not require one */
    const char *referred_to; /* the institution, for "referred" */
    /* When set, appended to the audit log in the transaction of the change, its fields filled in.
     */
    const struct tz_audit_rec *audit;
};

/*
 * Applies a transition at `now`: checks the table (TZ_ECONFLICT for a
 * transition that does not exist from the report's current status,
 * TZ_EFORBIDDEN for a role that may not make it, TZ_EINVAL with errs for a
 * missing note or referral or an unknown status), computes deadlines, and
 * stores the change with its history entry in one transaction.
 */
tz_err tz_threatmap_transition(struct tz_threatmap *tm, const struct tz_transition_request *req,
                               int64_t now, struct tz_field_errors *errs);

/*
 * Imports districts from a GeoJSON FeatureCollection into store (offline:
 * a running server loads districts at start). All or nothing: problems lists
 * every bad feature and nothing is stored when there is one.
 */
tz_err tz_threatmap_import_districts(struct tz_store *store, const char *json, size_t len,
                                     struct tz_geo_problems *problems);

/*
 * Fills store with demo data: the Kraków demo districts (when the store has
 * none) and `reports` reports clustered around hot spots, with KMZB-like
 * category frequencies, spread over the year before `now` and moved through
 * the workflow. Deterministic for a given seed.
 */
tz_err tz_threatmap_demo(struct tz_store *store, size_t reports, uint64_t seed, int64_t now);

/* ---- For other interfaces over the same data: Open311 and the open-data export ---------- */

/* The catalogue by position (0 .. count - 1, in sort order) and a group by its code (or NULL). */
size_t tz_threatmap_category_count(const struct tz_threatmap *tm);
const struct tz_category_rec *tz_threatmap_category_at(const struct tz_threatmap *tm, size_t i);
const struct tz_group_rec *tz_threatmap_group(const struct tz_threatmap *tm, const char *code);

/* One report as the public may see it; TZ_ENOTFOUND if there is none or it is hidden. */
tz_err tz_threatmap_public_report(struct tz_threatmap *tm, int64_t id, int64_t now,
                                  struct tz_report_rec *out);
/*
 * A filter of the public view read from query parameters as GET
 * /api/v1/reports reads them (bbox, category, group, status, from, to; no
 * cursor or limit), already narrowed to what the public may see. TZ_EINVAL
 * with errs for a bad or unknown parameter.
 */
tz_err tz_threatmap_public_filter(struct tz_threatmap *tm, const struct tz_query_param *params,
                                  size_t count, struct tz_report_filter *out,
                                  struct tz_field_errors *errs);
/* Narrows a filter built by hand to what the public may see (no rejected, no hidden category). */
void tz_threatmap_restrict_public(struct tz_threatmap *tm, struct tz_report_filter *filter);
/*
 * The next page of the public view of a narrowed filter, newest first: reads
 * at most filter->limit (1..1000) stored reports below filter->before_id,
 * keeps in *out those the public may see at now (free with
 * tz_report_recs_free), and moves filter->before_id on past what it read.
 * *more is false once nothing is left. Memory stays one page however many
 * reports match, so an export can stream any number of them.
 */
tz_err tz_threatmap_public_page(struct tz_threatmap *tm, struct tz_report_filter *filter,
                                int64_t now, struct tz_report_rec **out, size_t *count, bool *more);

/* An Open311 API key as text ("tz311_" and 43 base64url characters), NUL included. */
#define TZ_API_KEY_TEXT_MAX 64
/*
 * Makes a new random API key for the holder `name`, stores only its hash and
 * writes the key (to be shown once) and its id. TZ_EINVAL for a bad name.
 */
tz_err tz_threatmap_apikey_create(struct tz_store *store, const char *name, int64_t now,
                                  char key[TZ_API_KEY_TEXT_MAX], int64_t *id);
/* The id of the valid key `key`: TZ_EFORBIDDEN when it is missing, unknown, revoked or malformed.
 */
tz_err tz_threatmap_apikey_check(struct tz_threatmap *tm, const char *key, int64_t *id);
/* ---- for analysis (src/analysis): the police view of the map index ---- */

/* The categories in the map index's numbering (category i of a tz_map_point); *count of them. */
const struct tz_category_rec *tz_threatmap_category_list(const struct tz_threatmap *tm,
                                                         size_t *count);
/* The districts, ordered by id; *count of them. */
const struct tz_district_rec *tz_threatmap_district_list(const struct tz_threatmap *tm,
                                                         size_t *count);
/* The store tm reads and writes. */
struct tz_store *tz_threatmap_store(const struct tz_threatmap *tm);
/*
 * Reads the filter parameters category=, group=, status=, from=, to= and
 * bbox= into a visit of the police view (every category and status unless
 * narrowed; no public windows). Other parameters are errors. TZ_EINVAL with
 * errs for a bad one.
 */
tz_err tz_threatmap_parse_visit(struct tz_threatmap *tm, const struct tz_query_param *params,
                                size_t count, struct tz_map_visit *v, struct tz_field_errors *errs);
/* The district holding (lat, lon), as an index into tz_threatmap_district_list; TZ_EOUTSIDE. */
tz_err tz_threatmap_locate(struct tz_threatmap *tm, double lat, double lon, size_t *index);
/* Visits the reports of the map index (see tz_map_index_visit). */
tz_err tz_threatmap_visit(struct tz_threatmap *tm, const struct tz_map_visit *v, tz_map_visit_fn fn,
                          void *ctx);
/*
 * The police side (police.c). Permission checks are the caller's; audit is the caller's
 * entry, written in the same transaction as the change (store.h says what each does).
 */
/* A report's record (free with tz_report_rec_clear) and the account it is assigned to ("" none). */
tz_err tz_threatmap_police_report(struct tz_threatmap *tm, int64_t id, struct tz_report_rec *out,
                                  char assignee[TZ_ACCOUNT_NAME_MAX]);
/* The institutions a report may be referred to (data). */
tz_err tz_threatmap_institutions(struct tz_threatmap *tm, struct tz_group_rec **out, size_t *count);
/* Sets the reviewed public description (NULL hides it). */
tz_err tz_threatmap_review_description(struct tz_threatmap *tm, int64_t id, const char *text,
                                       const struct tz_audit_rec *audit);
/* Assigns a report to an account (NULL: back to its district's officer). */
tz_err tz_threatmap_assign(struct tz_threatmap *tm, int64_t id, const char *account, int64_t now,
                           const struct tz_audit_rec *audit);
/* Open reports of the districts by the deadline that applies (tz_store_queue). */
tz_err tz_threatmap_queue(struct tz_threatmap *tm, const char (*districts)[TZ_ID_MAX], size_t count,
                          const char *account, size_t limit, struct tz_report_rec **out, size_t *n);
/* Deadline compliance of each district at now. */
tz_err tz_threatmap_compliance(struct tz_threatmap *tm, const char (*districts)[TZ_ID_MAX],
                               size_t count, int64_t now, struct tz_compliance_rec **out,
                               size_t *n);

#endif
