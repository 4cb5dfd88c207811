/*
 * exchange_json.h - the JSON form of an exchange message
 * (docs/exchange-message.schema.json) read into the exchange's struct
 * tz_xmsg and validated by tz_exchange_validate. The body's shape (a JSON
 * object no deeper than the schema, no duplicate keys, valid UTF-8, each
 * member of its type, strings that fit, codes of their tables, no unknown
 * members) is checked here; every rule about the message is the exchange's.
 * The API and the command line's import read messages through this one door.
 */
#ifndef TZ_HTTP_EXCHANGE_JSON_H
#define TZ_HTTP_EXCHANGE_JSON_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/jsonw.h"
#include "base/fielderr.h"
#include "exchange/exchange.h"
#include "exchange/spoc.h"

/* The largest message body read, in bytes (free text, 64 entities, 128 links), not counting
 * the base64 of its attachments. */
#define TZ_X_BODY_MAX (512 * 1024)
/* The largest body with its attachments: the message and the base64 of TZ_X_ATTACH_TOTAL. */
#define TZ_X_WIRE_MAX (TZ_X_BODY_MAX + (TZ_X_ATTACH_TOTAL / 3 + 1) * 4 + 1024)
/* The deepest nesting of arrays and objects a message has (entity > nationalities). */
#define TZ_X_DEPTH_MAX 4

/*
 * Reads len bytes of JSON into m (which it initialises; the caller clears it
 * whatever the answer) and validates it. TZ_ETOOBIG over TZ_X_WIRE_MAX, or over
 * TZ_X_BODY_MAX without the base64 of its attachments (read into m->attachments);
 * TZ_EMALFORMED when it is not one JSON object (invalid UTF-8, a NUL,
 * duplicate keys, nesting deeper than TZ_X_DEPTH_MAX); TZ_EINVAL when fields
 * are wrong, each listed in errs; TZ_ENOMEM.
 */
tz_err tz_http_exchange_parse(const char *body, size_t len, struct tz_xmsg *m,
                              struct tz_field_errors *errs);
/* The same without tz_exchange_validate: for a door that sets members from elsewhere (the
 * path says the type and the message answered) and has the exchange validate the whole. */
tz_err tz_http_exchange_read(const char *body, size_t len, struct tz_xmsg *m,
                             struct tz_field_errors *errs);

/*
 * Writes m's members in the same JSON form (the members of an object the
 * caller has opened), so that what is written reads back as m: the export,
 * and the heart of every view of a message.
 */
void tz_http_put_xmsg(struct tz_jw *w, const struct tz_xmsg *m);
/*
 * Writes, as members of the open object, "labels" (each coded field's label
 * in lang) and "markings" (what its handling code makes every view carry:
 * H1 "not for judicial use", H2 "not to be passed on", H3 its restriction).
 */
void tz_http_put_xmsg_labels(struct tz_jw *w, const struct tz_xmsg *m, enum tz_xlang lang);
/* A stored message's receipt: {"id","case","due","hits":[{"entity","key","message","case"}]}. */
void tz_http_put_xreceipt(struct tz_jw *w, const struct tz_xreceipt *r);
/* A message as its reader sees it: the message, id, case, direction, state, due, overdue,
 * labels and markings in lang. */
void tz_http_put_xview(struct tz_jw *w, const struct tz_xview *v, enum tz_xlang lang);
/* Lines of a box or a thread: {"items":[...]} with deadlines, labels in lang. */
void tz_http_put_xlines(struct tz_jw *w, const struct tz_xlines *l, enum tz_xlang lang);
/* A year's Art. 18 statistics: {"year","sent","received","partners":[{"node","sent",
 * "received"}]}, each side {"requests","urgent","not_urgent","refusals","refusals_by_ground":
 * {"a".."h"},"deviations"} (render_exchange_stats.c). */
void tz_http_put_xstats(struct tz_jw *w, const struct tz_xstats *s);
/* The same as CSV with a header row: a row per direction, "all" partners first. */
tz_err tz_http_xstats_csv(const struct tz_xstats *s, struct tz_buf *out);
/* m as one JSON document appended to out (the export's file), with its markings. */
tz_err tz_http_exchange_json(const struct tz_xmsg *m, struct tz_buf *out);

#endif
