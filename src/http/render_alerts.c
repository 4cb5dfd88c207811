/*
 * render_alerts.c - the wire formats of the alerts for an area: the Atom
 * feed (RFC 4287: a feed with id, title, updated, author and self link; an
 * entry per report with its public status and category as atom:category,
 * its point as GeoRSS), the webhook's JSON body and the mail (RFC 5322, with
 * RFC 8058's List-Unsubscribe and List-Unsubscribe-Post). Only the public
 * fields of a report are written: the description an officer reviewed,
 * never the reporter's.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/jsonw.h"
#include "base/tztime.h"
#include "base/xml.h"
#include "http/render.h"

#define TAG "tag:tarcza.invalid,2026:"
#define MAIL_LINE_MAX 76 /* a mail body's lines are folded near this (RFC 5322 allows 998) */

/* ---- Atom ------------------------------------------------------------------------------- */

/* An attribute's value: the text escaped as XML character data, quotes included. */
static void attr(struct tz_buf *b, const char *name, const char *value, tz_err *err)
{
    if (*err)
        return;
    if (!(*err = tz_buf_printf(b, " %s=\"", name)) &&
        !(*err = tz_buf_xml_escape(b, value, strlen(value))))
        *err = tz_buf_puts(b, "\"");
}

static void element(struct tz_buf *b, const char *name, const char *text, tz_err *err)
{
    if (*err)
        return;
    if (!(*err = tz_buf_printf(b, "<%s>", name)) &&
        !(*err = tz_buf_xml_escape(b, text, strlen(text))))
        *err = tz_buf_printf(b, "</%s>\n", name);
}

/* A feed id from its area: the area's text, percent-encoded where an IRI may not hold it. */
static void feed_id(struct tz_buf *b, const char *area, tz_err *err)
{
    if (*err || (*err = tz_buf_puts(b, "<id>" TAG "alerts/")))
        return;
    for (const char *p = area; *p && !*err; p++) {
        unsigned char c = (unsigned char)*p;
        *err = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       strchr(":,.-_", c)
                   ? tz_buf_append(b, p, 1)
                   : tz_buf_printf(b, "%%%02X", c);
    }
    if (!*err)
        *err = tz_buf_puts(b, "</id>\n");
}

tz_err tz_http_atom_begin(struct tz_buf *b, const char *area_text, const char *self,
                          const char *title, int64_t updated)
{
    tz_err err = tz_buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                                "<feed xmlns=\"http://www.w3.org/2005/Atom\""
                                " xmlns:georss=\"http://www.georss.org/georss\">\n");
    char t[TZ_TIME_TEXT_MAX];
    tz_time_format(updated, t);
    feed_id(b, area_text, &err);
    element(b, "title", title, &err);
    element(b, "updated", t, &err);
    if (!err)
        err = tz_buf_puts(b, "<author><name>tarcza</name></author>\n<link rel=\"self\""
                             " type=\"application/atom+xml\"");
    attr(b, "href", self, &err);
    if (!err)
        err = tz_buf_puts(b, "/>\n");
    return err;
}

tz_err tz_http_atom_entry(const struct tz_threatmap *tm, struct tz_buf *b,
                          const struct tz_report_rec *r)
{
    const struct tz_category_rec *cat = tz_threatmap_category(tm, r->category);
    const char *name = cat && cat->name_pl ? cat->name_pl : r->category;
    char id[96], href[64], title[256], updated[TZ_TIME_TEXT_MAX], published[TZ_TIME_TEXT_MAX];
    char point[64];
    snprintf(id, sizeof id, TAG "report/%lld", (long long)r->id);
    snprintf(href, sizeof href, "/api/v1/reports/%lld", (long long)r->id);
    snprintf(title, sizeof title, "%s (%s)", name, r->status);
    snprintf(point, sizeof point, "%.6f %.6f", r->lat, r->lon);
    tz_time_format(r->status_changed_at ? r->status_changed_at : r->received_at, updated);
    tz_time_format(r->received_at, published);
    tz_err err = tz_buf_puts(b, "<entry>\n");
    element(b, "id", id, &err);
    element(b, "title", title, &err);
    element(b, "updated", updated, &err);
    element(b, "published", published, &err);
    if (!err && !(err = tz_buf_puts(b, "<link rel=\"alternate\" type=\"application/json\"")))
        attr(b, "href", href, &err);
    if (!err && !(err = tz_buf_puts(b, "/>\n<category scheme=\"urn:tarcza:category\"")))
        attr(b, "term", r->category, &err);
    attr(b, "label", name, &err);
    if (!err && !(err = tz_buf_puts(b, "/>\n<category scheme=\"urn:tarcza:status\"")))
        attr(b, "term", r->status, &err);
    if (!err)
        err = tz_buf_puts(b, "/>\n");
    if (r->public_description)
        element(b, "summary", r->public_description, &err);
    element(b, "georss:point", point, &err);
    if (!err)
        err = tz_buf_puts(b, "</entry>\n");
    return err;
}

tz_err tz_http_atom_end(struct tz_buf *b)
{
    return tz_buf_puts(b, "</feed>\n");
}

/* ---- the webhook's body --------------------------------------------------------------------- */

static tz_err webhook_json(const struct tz_alert_message *m, struct tz_buf *b)
{
    const struct tz_report_rec *r = m->report;
    struct tz_jw w;
    tz_jw_begin(&w, b);
    tz_jw_object(&w);
    tz_jw_kint(&w, "subscription", m->sub_id);
    tz_jw_kint(&w, "delivery", m->delivery_id);
    tz_jw_ktime(&w, "sent_at", m->now);
    tz_jw_kstr(&w, "event", m->change ? "status_changed" : "new_report");
    if (m->change) { /* its public part only (the sender passes nothing else) */
        tz_jw_key(&w, "change");
        tz_jw_object(&w);
        tz_jw_kint(&w, "seq", m->change->seq);
        tz_jw_kstr(&w, "from", m->change->from);
        tz_jw_kstr(&w, "to", m->change->to);
        tz_jw_ktime(&w, "at", m->change->at);
        tz_jw_kstr(&w, "public_note", m->change->public_note);
        tz_jw_object_end(&w);
    }
    tz_jw_key(&w, "report");
    tz_jw_object(&w);
    tz_jw_kint(&w, "id", r->id);
    tz_jw_kstr(&w, "category", r->category);
    tz_jw_kstr(&w, "status", r->status);
    tz_jw_key(&w, "lat");
    tz_jw_fixed6(&w, r->lat);
    tz_jw_key(&w, "lon");
    tz_jw_fixed6(&w, r->lon);
    tz_jw_kstr(&w, "district", r->district_id);
    tz_jw_ktime(&w, "received_at", r->received_at);
    tz_jw_ktime(&w, "status_changed_at", r->status_changed_at);
    tz_jw_kstr(&w, "description", r->public_description);
    tz_jw_object_end(&w);
    tz_jw_object_end(&w);
    return tz_jw_end(&w);
}

/* ---- mail ----------------------------------------------------------------------------------- */

/* Text into the body: CR and LF become spaces, lines folded at a space near MAIL_LINE_MAX (or
 * at a character boundary past 900 bytes), each ended by CRLF by the caller. */
static tz_err body_text(struct tz_buf *b, const char *s, size_t *col)
{
    tz_err err = TZ_OK;
    for (const char *p = s; *p && !err; p++) {
        unsigned char c = (unsigned char)*p;
        bool lead = (c & 0xC0) != 0x80;
        if ((c == ' ' && *col >= MAIL_LINE_MAX) || (lead && *col >= 900)) {
            err = tz_buf_puts(b, "\r\n");
            *col = 0;
            if (c == ' ')
                continue;
        }
        char ch = c == '\r' || c == '\n' ? ' ' : (char)c;
        err = err ? err : tz_buf_append(b, &ch, 1);
        (*col)++;
    }
    return err;
}

static tz_err line(struct tz_buf *b, const char *label, const char *text)
{
    size_t col = 0;
    tz_err err = label ? tz_buf_puts(b, label) : TZ_OK;
    if (!err && text)
        err = body_text(b, text, &col);
    return err ? err : tz_buf_puts(b, "\r\n");
}

static tz_err mail_headers(const struct tz_alert_message *m, const char *subject, struct tz_buf *b)
{
    char date[64];
    struct tm tm;
    time_t t = (time_t)m->now;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    /* The addresses and URL were checked when stored: no CR, LF or angle bracket. */
    return tz_buf_printf(b,
                         "From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\nDate: %s\r\n"
                         "Message-ID: <alert-%lld-%lld@tarcza.invalid>\r\nMIME-Version: 1.0\r\n"
                         "Content-Type: text/plain; charset=utf-8\r\n"
                         "Content-Transfer-Encoding: 8bit\r\n"
                         "List-Unsubscribe: <%s>\r\n"
                         "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
                         "Auto-Submitted: auto-generated\r\n\r\n",
                         m->from, m->to, subject, date, (long long)m->sub_id,
                         (long long)m->delivery_id, m->unsubscribe_url);
}

static tz_err mail_report(const struct tz_threatmap *tm, const struct tz_alert_message *m,
                          struct tz_buf *b)
{
    const struct tz_report_rec *r = m->report;
    const struct tz_category_rec *cat = tz_threatmap_category(tm, r->category);
    char subject[128], where[96], when[TZ_TIME_TEXT_MAX];
    if (m->change)
        snprintf(subject, sizeof subject, "tarcza: report %lld (%s) is now %s", (long long)r->id,
                 r->category, m->change->to);
    else
        snprintf(subject, sizeof subject, "tarcza: report %lld (%s) in your area", (long long)r->id,
                 r->category);
    snprintf(where, sizeof where, "%.6f, %.6f (%s)", r->lat, r->lon, r->district_id);
    tz_time_format(r->received_at, when);
    tz_err err = mail_headers(m, subject, b);
    if (!err)
        err = line(b, "Zgloszenie / report: ", cat && cat->name_pl ? cat->name_pl : r->category);
    if (!err && m->change)
        err = line(b, "Zmiana statusu / status changed: ", m->change->from);
    if (!err && m->change)
        err = line(b, "  -> ", m->change->to);
    if (!err && m->change && m->change->public_note)
        err = line(b, "Uwaga policji / police note: ", m->change->public_note);
    if (!err)
        err = line(b, "Status: ", r->status);
    if (!err)
        err = line(b, "Miejsce / place: ", where);
    if (!err)
        err = line(b, "Przyjete / received: ", when);
    if (!err && r->public_description)
        err = line(b, "Opis / description: ", r->public_description);
    if (!err)
        err = line(b, "\r\nWypisz sie / unsubscribe: ", m->unsubscribe_url);
    return err;
}

static tz_err mail_confirm(const struct tz_alert_message *m, struct tz_buf *b)
{
    tz_err err = mail_headers(m, "tarcza: confirm your alerts", b);
    if (!err)
        err = line(b, "Potwierdz subskrypcje / confirm your alerts: ", m->confirm_url);
    if (!err)
        err =
            line(b, "Jesli to nie Ty, zignoruj te wiadomosc / if it was not you, ignore it.", NULL);
    if (!err)
        err = line(b, "Wypisz sie / unsubscribe: ", m->unsubscribe_url);
    return err;
}

tz_err tz_http_alert_render(void *ctx, const struct tz_alert_message *m, struct tz_buf *out)
{
    const struct tz_threatmap *tm = ctx;
    switch (m->kind) {
    case TZ_ALERT_WEBHOOK:
        return m->report ? webhook_json(m, out) : TZ_EINVAL;
    case TZ_ALERT_MAIL:
        return m->report ? mail_report(tm, m, out) : TZ_EINVAL;
    case TZ_ALERT_CONFIRM:
        return mail_confirm(m, out);
    }
    return TZ_EINVAL;
}
