/*
 * render.h - the threat map's documents as the API writes them: a report (the
 * public, reporter's and police views), the answer to a filed report, the
 * catalogue, the districts, a page of reports and a map answer. http owns
 * every wire format (DESIGN §2): threatmap hands over C structs and these
 * functions write them through the house's one JSON writer (base/jsonw.h).
 * The command line prints a report with the same function.
 */
#ifndef TZ_HTTP_RENDER_H
#define TZ_HTTP_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/jsonw.h"
#include "address/address.h"
#include "alerts/alerts.h"
#include "analysis/analysis.h"
#include "assistant/assistant.h"
#include "assistant/link.h"
#include "assistant/summary.h"
#include "http/query.h"
#include "screening/screening.h"
#include "threatmap/mapindex.h"
#include "threatmap/threatmap.h"

/*
 * Writes degrees with six decimals as printf rounds them (exactly, from the
 * binary value): what reports and the export have always answered, where
 * tz_jw_fixed6 (the map's, faster) may differ in the last digit half-way.
 */
void tz_http_put_degrees(struct tz_jw *w, double v);
/* Inside a GeoJSON feature's object: "type":"Feature","geometry":{"type":geometry,"coordinates":
 * — the caller writes the coordinates and closes the geometry's object. */
void tz_http_put_feature_geometry(struct tz_jw *w, const char *geometry);

/*
 * Writes one report object into w: the public view, or with view->reporter
 * the reporter's (the description as written, "when" and, when
 * view->history is set, the status history).
 */
/* The photos of view as a JSON array: the approved ones with their public addresses, or for the
 * police every one with its status, review and the police addresses (which audit each read). */
void tz_http_put_photos(struct tz_jw *w, const struct tz_report_view *view, bool police);
void tz_http_put_report(struct tz_jw *w, const struct tz_threatmap *tm,
                        const struct tz_report_view *view, int64_t now);
/* The same as a whole JSON document appended to out. */
tz_err tz_http_report_json(const struct tz_threatmap *tm, const struct tz_report_view *view,
                           int64_t now, struct tz_buf *out);
/* The police and operators' view of report id (tz_threatmap_report_full) as JSON. */
tz_err tz_http_report_full_json(struct tz_threatmap *tm, int64_t id, int64_t now,
                                struct tz_buf *out);
/*
 * GET /api/v1/reports: a page of the public view (tz_threatmap_list) as
 * {"items":[...],"next_cursor":...}; TZ_EINVAL with errs for a bad parameter.
 */
tz_err tz_http_list_json(struct tz_threatmap *tm, const struct tz_query_param *params, size_t count,
                         int64_t now, struct tz_buf *out, struct tz_field_errors *errs);
/*
 * The 201 answer to a stored submission: id, district, status, deadlines,
 * token, and "nearby" (tz_analysis_submission_nearby) unless nearby is NULL.
 */
tz_err tz_http_submission_json(const struct tz_threatmap *tm, const struct tz_submission *sub,
                               const struct tz_nearby *nearby, size_t nearby_count,
                               struct tz_buf *out);
/* [{id, distance_m, status, received_at}] of reports nearby (analysis). */
void tz_http_put_nearby(struct tz_jw *w, const struct tz_nearby *nb, size_t n);
/* GET /api/v1/categories: groups with their categories, in Polish and English. */
tz_err tz_http_categories_json(const struct tz_threatmap *tm, struct tz_buf *out);
/* GET /api/v1/districts: a GeoJSON FeatureCollection. */
tz_err tz_http_districts_geojson(const struct tz_threatmap *tm, struct tz_buf *out);

/*
 * A map index answer as a GeoJSON FeatureCollection (RFC 7946). Clusters:
 * Point features with properties {cluster:true, count, counts:{status:n},
 * bbox:[w,s,e,n], expansion_zoom}; single reports: {cluster:false, id,
 * category, status, received_at}; hex bins: Polygon features with
 * {count, counts}. The collection carries "matched", "truncated" and, for hex,
 * "max_count". category_codes[i] and status_codes[s] (TZ_MAP_STATUSES of them)
 * name the indexes; received_at is RFC 3339 UTC, coordinates have 6 decimals.
 */
tz_err tz_http_map_geojson(const struct tz_map_result *r, enum tz_map_mode mode,
                           const char *const *category_codes, size_t category_count,
                           const char *const *status_codes, struct tz_buf *out);
/* GET /api/v1/map: tz_threatmap_map's answer as GeoJSON; TZ_EINVAL with errs for a bad parameter. */
tz_err tz_http_map_json(struct tz_threatmap *tm, const struct tz_query_param *params, size_t count,
                        int64_t now, struct tz_buf *out, struct tz_field_errors *errs);

/*
 * Hot spots as a GeoJSON FeatureCollection of hexagons (WGS 84, corners
 * projected back with proj): only the significant cells unless all, at most
 * TZ_HOTSPOT_FEATURES_MAX, then the parameters and the count per class.
 */
tz_err tz_http_hotspots_geojson(const struct tz_hotspots *h, struct tz_proj *proj, bool all,
                                struct tz_buf *out);
/* GET /api/v1/analysis/hotspots (tz_analysis_hotspots) as GeoJSON. */
tz_err tz_http_hotspots_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                             size_t count, int64_t now, struct tz_buf *out,
                             struct tz_field_errors *errs);
/* GET /api/v1/analysis/linked (tz_analysis_linked) as JSON. */
tz_err tz_http_linked_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                           size_t count, int64_t now, struct tz_buf *out,
                           struct tz_field_errors *errs);
/* Trends (tz_analysis_trends) as JSON appended to out. */
tz_err tz_http_trends_render(const struct tz_threatmap *tm, const struct tz_trends *t,
                             struct tz_buf *out);
/* GET /api/v1/analysis/trends (tz_analysis_trends) as JSON. */
tz_err tz_http_trends_json(struct tz_threatmap *tm, const struct tz_query_param *params,
                           size_t count, int64_t now, struct tz_buf *out,
                           struct tz_field_errors *errs);
/* A patrol plan (tz_analysis_patrol) as a GeoJSON FeatureCollection of points, each place with
 * its nearest address from addresses (null where there is none within reach, or no register). */
tz_err tz_http_patrol_render(const struct tz_threatmap *tm, const struct tz_patrol *p,
                             const struct tz_address_index *addresses, struct tz_buf *out);
/* GET /api/v1/analysis/patrol (tz_analysis_patrol) as GeoJSON. */
tz_err tz_http_patrol_json(struct tz_threatmap *tm, const struct tz_address_index *addresses,
                           const struct tz_query_param *params, size_t count, int64_t now,
                           struct tz_buf *out, struct tz_field_errors *errs);
/*
 * Statistics (tz_analysis_stats) in the format they were asked for (s->format:
 * JSON, CSV, GeoJSON or a terminal table), appended to out; `tarcza stats`
 * prints them with the same function.
 */
tz_err tz_http_stats_render(const struct tz_threatmap *tm, const struct tz_stats *s,
                            struct tz_buf *out);
/* GET /api/v1/analysis/stats: the statistics rendered; *format says in what (the content type). */
tz_err tz_http_stats(struct tz_threatmap *tm, const struct tz_query_param *params, size_t count,
                     int64_t now, struct tz_buf *out, enum tz_stats_format *format,
                     struct tz_field_errors *errs);

/*
 * The assistant's answer (render_assistant.c): the entities of req's text,
 * with redact the proposed redactions and the redacted text, with links the
 * hits on file beside them ("links": [{"entity", "kind", "score", "why",
 * "case_id", "message_id", "key" | "record", "name"}], "link_note").
 */
tz_err tz_http_assist_json(const struct tz_assist_request *req, const struct tz_assist_result *r,
                           const struct tz_redactions *redact,
                           const struct tz_assist_links *links, struct tz_buf *out);

/*
 * The summaries of a text (render_assistant.c): "language", "sentences" (how many the text
 * has), "extractive": [{"index", "start", "end", "byte_start", "byte_end", "text", "score"}],
 * and "abstractive": {"text", "label", "model"} or null with "abstractive_note" saying why.
 */
/* The language of a text (POST /api/v1/assistant/language, tarcza assist language): the whole
 * text's guess, its scripts and its paragraphs (byte spans), each with its guess. */
tz_err tz_http_language_json(const char *text, size_t n, struct tz_buf *b);
/* A translation beside its original (POST .../translate, tarcza assist translate). */
struct tz_translation;
tz_err tz_http_translation_json(const struct tz_translation *t, struct tz_buf *b);
/* The reports found for q (GET .../search, tarcza assist search) and, with m, the exchange
 * messages ("messages": [{"id", "case_id", "at", "inbound", "from_node", "from_unit",
 * "subject", "lang", "excerpt"}]). */
struct tz_search_result;
struct tz_search_msg_result;
tz_err tz_http_search_json(const char *q, const struct tz_search_result *r,
                           const struct tz_search_msg_result *m, struct tz_buf *b);

tz_err tz_http_summary_json(const char *text, const struct tz_summary_answer *a,
                            struct tz_buf *out);

/*
 * A person query's answer (tz_screening_person): the threshold and the hits best first, each
 * with its source, its record id as the source gave it, its name, its score and the
 * explanation (each query part and the record part it met, how and for how much; how date of
 * birth, nationality and sex moved the score). Appended to out.
 */
tz_err tz_http_screen_answer_json(const struct tz_screen_answer *a, struct tz_buf *out);
/* The same answer as a value written into w. */
void tz_http_put_screen_answer(struct tz_jw *w, const struct tz_screen_answer *a);
/*
 * A document's or vehicle's answer (render_screening_objects.c): the query as it was read
 * (the number normalised with its look-alikes and O/0, I/1 counted; the VIN with its check
 * digit; the plate for its country) and each hit with its record, the key that found it, same
 * or confusable at which positions, and a sentence saying why.
 */
tz_err tz_http_screen_obj_json(const struct tz_screen_obj_answer *a, struct tz_buf *out);
void tz_http_put_screen_obj(struct tz_jw *w, const struct tz_screen_obj_answer *a);
struct json_t;
/*
 * A batch's items from a JSON array (read_screening.c): each an object with its kind (left out:
 * told by its fields) and the string fields of its query; their strings are the array's (keep
 * it alive). Mistakes into errs (/items, /items/3/name...); *items is malloc'd (free()) even
 * then. TZ_ENOMEM.
 */
tz_err tz_http_screen_batch_read(struct json_t *array, struct tz_screen_batch_item **items,
                                 size_t *n, struct tz_field_errors *errs);
/* A batch's answers: {"count", "items_with_hits", "results": [{"item", "kind", "answer"}...]}. */
tz_err tz_http_screen_batch_json(const struct tz_screen_batch *b, struct tz_buf *out);
/* A watch-list import's report: counts and every line taken or refused with why. */
tz_err tz_http_watch_import_json(const char *source, const struct tz_watch_import *r,
                                 struct tz_buf *out);

/*
 * Alerts for an area (render_alerts.c). The Atom feed: begin (the feed's id
 * from its area's text, a self link, its title and updated), one entry per
 * report (public fields and status), end. tz_http_alert_render is the
 * sender's renderer (ctx: the threat map): a webhook's JSON body, a report's
 * mail and an address's confirmation mail (RFC 5322, RFC 8058 headers).
 */
tz_err tz_http_atom_begin(struct tz_buf *b, const char *area_text, const char *self,
                          const char *title, int64_t updated);
tz_err tz_http_atom_entry(const struct tz_threatmap *tm, struct tz_buf *b,
                          const struct tz_report_rec *r);
tz_err tz_http_atom_end(struct tz_buf *b);
tz_err tz_http_alert_render(void *ctx, const struct tz_alert_message *m, struct tz_buf *out);

#endif
