/*
 * reports.h - a citizen's report (part of threatmap.h): what a door read
 * (tz_report_input), its checks and submission to the group-commit writer,
 * the views of a stored report (public, reporter's, police) and me-too.
 */
#ifndef TZ_THREATMAP_REPORTS_H
#define TZ_THREATMAP_REPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/fielderr.h"
#include "store/committer.h"
#include "store/store.h"
#include "threatmap/photos.h"

struct tz_threatmap;

/* Hard limits on what a reporter may send. */
#define TZ_REPORT_BODY_MAX (16 * 1024) /* bytes of one POST body without photos */
/* ... and with photos: three of TZ_PHOTO_MAX_BYTES in base64 (4/3), and the report's own 16 KiB */
#define TZ_REPORT_PHOTOS_BODY_MAX (21u * 1024 * 1024)
#define TZ_DESCRIPTION_MAX_CHARS 1000 /* Unicode characters of a description */
#define TZ_TOKEN_TEXT_MAX 48          /* a tracking token as text, NUL included */

/* A report on its way in: the record to store and the token shown once to its reporter. */
struct tz_submission {
    struct tz_report_rec rec;
    char token[TZ_TOKEN_TEXT_MAX];
    /* Set by tz_threatmap_idem_replay: the first answer's report, read back. */
    bool replayed;
    int replayed_photos; /* photos the first answer said wait for review */
    /* Private to tz_threatmap_submit_async: the caller's callback, run after the map update. */
    struct tz_threatmap *tm_;
    tz_commit_done_fn done_;
    void *done_ctx_;
};

/* The names of "when" (DESIGN 1.1, as KMZB asks): bit k of a set is name k. */
#define TZ_WHEN_TIMES 4
#define TZ_WHEN_WEEKDAYS 7
extern const char *const tz_when_times[TZ_WHEN_TIMES];       /* morning .. night */
extern const char *const tz_when_weekdays[TZ_WHEN_WEEKDAYS]; /* mon .. sun */

/*
 * A citizen's report as a door read it (POST /api/v1/reports' JSON, Open311's
 * form), nothing checked yet: every rule is tz_threatmap_prepare's. Strings
 * are the caller's (borrowed for the call), n bytes each, not necessarily
 * valid UTF-8 or free of NUL; NULL is "not given". A door that could not read
 * a field at all (a number where a string belongs) leaves it unset and names
 * the reason in its *_problem, which is listed as that field's error in its
 * place among the others.
 */
struct tz_report_input {
    const char *category; /* a category code */
    size_t category_len;
    bool has_lat, has_lon; /* degrees, WGS 84 */
    double lat, lon;
    const char *description; /* free text */
    size_t description_len;
    const char *when_date; /* YYYY-MM-DD */
    size_t when_date_len;
    unsigned when_times;    /* bits of tz_when_times */
    unsigned when_weekdays; /* bits of tz_when_weekdays */
    const char *category_problem, *lat_problem, *lon_problem, *description_problem;
    const char *when_problem, *when_date_problem, *when_times_problem, *when_weekdays_problem;
    /* Photos (issue 19): at most TZ_REPORT_PHOTOS_MAX are taken; more is an error of /photos. */
    struct tz_photo_input photos[TZ_REPORT_PHOTOS_MAX];
    size_t photo_count;
    const char *photos_problem; /* the door could not read "photos" at all */
};

/*
 * Checks a report sent at `now` from client_addr (kept only as a keyed hash)
 * and prepares sub: category, point, district, deadlines, token, and its
 * photos each encoded anew without metadata. TZ_EINVAL
 * when fields are wrong, each listed in errs under its JSON Pointer (/category,
 * /lat, /lon, /description, /when/date, /when/times, /when/weekdays, /photos,
 * /photos/<i>) after
 * what errs already holds; TZ_ENOMEM. Nothing is stored; sub owns nothing
 * unless TZ_OK.
 */
tz_err tz_threatmap_prepare(struct tz_threatmap *tm, const struct tz_report_input *in,
                            const char *client_addr, int64_t now, struct tz_submission *sub,
                            struct tz_field_errors *errs);
/* Stores a prepared report; returns once it is durable (sub->rec.id set). */
tz_err tz_threatmap_submit(struct tz_threatmap *tm, struct tz_submission *sub);
/* The same without waiting: done(ctx, err) runs on the writer thread once durable. */
tz_err tz_threatmap_submit_async(struct tz_threatmap *tm, struct tz_submission *sub,
                                 tz_commit_done_fn done, void *ctx);
/* Releases what sub owns. */
void tz_submission_clear(struct tz_submission *sub);

/*
 * Idempotency keys (threatmap/idempotency.c, issue 19): a client that may send a report twice
 * (the offline outbox after a lost answer) names it with a key of TZ_IDEM_KEY_MIN to
 * TZ_IDEM_KEY_MAX printable ASCII characters without space, quote or backslash (a UUID fits).
 */
#define TZ_IDEM_KEY_MIN 16
#define TZ_IDEM_KEY_MAX 128
/* Whether key (n bytes) is a key this server takes. */
bool tz_threatmap_idem_key_ok(const char *key, size_t n);
/*
 * Before a prepared sub is submitted: it is to be stored with key, sent with body (body_len
 * bytes). The store refuses a second report with the same key (TZ_ECONFLICT from the submit).
 * TZ_EINVAL for a key tz_threatmap_idem_key_ok refuses.
 */
tz_err tz_threatmap_set_idempotency(struct tz_submission *sub, const char *key, size_t key_len,
                                    const void *body, size_t body_len);
/*
 * Before a report is prepared: whether key already named one. TZ_OK: out is the first answer
 * (the stored report, its tracking token, out->replayed set; clear it with
 * tz_submission_clear); TZ_ENOTFOUND: a new key; TZ_ECONFLICT: the key came with another body;
 * TZ_EINVAL: a key that tz_threatmap_idem_key_ok refuses; a store error.
 */
tz_err tz_threatmap_idem_replay(struct tz_threatmap *tm, const char *key, size_t key_len,
                                const void *body, size_t body_len, struct tz_submission *out);

/* A report as one reader may see it (free with tz_report_view_clear). */
struct tz_report_view {
    struct tz_report_rec rec;
    /* The reporter's (or the police) view: the description as written, when, the history. */
    bool reporter;
    struct tz_transition_rec *history; /* oldest first; read for the reporter's view only */
    size_t history_count;
    /* Its photos without their bytes: the approved ones in the public and the reporter's view,
     * every one (with its status) in the police view. */
    struct tz_photo_rec *photos;
    size_t photo_count;
    bool photos_read; /* one report's view (read, full): photos were read; a list's item: not */
};
void tz_report_view_clear(struct tz_report_view *v);

/*
 * GET /api/v1/reports/{id}: the public view, or with the right token the
 * reporter's view (description and status history). TZ_ENOTFOUND when there
 * is no such report or the public may not see it, a wrong token included (a
 * hidden report is not told from a missing one); TZ_EFORBIDDEN when a token is
 * given for a public report and does not match.
 */
tz_err tz_threatmap_report_read(struct tz_threatmap *tm, int64_t id, const char *token, int64_t now,
                                struct tz_report_view *out);

/* The whole report with its history, for police and operators (no visibility rules). */
tz_err tz_threatmap_report_full(struct tz_threatmap *tm, int64_t id, struct tz_report_view *out);

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

/* One report as the public may see it; TZ_ENOTFOUND if there is none or it is hidden. */
tz_err tz_threatmap_public_report(struct tz_threatmap *tm, int64_t id, int64_t now,
                                  struct tz_report_rec *out);

#endif
