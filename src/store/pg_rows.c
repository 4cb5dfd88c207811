/*
 * pg_rows.c - what the PostgreSQL backend's aggregate files share: arguments, statements
 * prepared once per connection, SQLSTATEs as tz_err, and reading columns of a result
 * (pg_internal.h says what each does).
 *
 * Results come back in text format (numbers as decimal text, bytea as "\x" and hex digits),
 * which keeps the reading code independent of the server's binary representations; arguments
 * go as text too, but bytea goes in binary, so that a hash or a photo is sent as its bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_internal.h"

/* ---- arguments -------------------------------------------------------------------------- */

static int next_arg(struct tz_pg_args *a)
{
    if (a->n >= TZ_PG_ARGS_MAX) {
        a->overflow = true;
        return -1;
    }
    return a->n++;
}

void tz_pg_arg_text(struct tz_pg_args *a, const char *s)
{
    int i = next_arg(a);
    if (i < 0)
        return;
    a->v[i] = s;
    a->len[i] = 0;
    a->fmt[i] = 0;
}

void tz_pg_arg_int(struct tz_pg_args *a, int64_t v)
{
    int i = next_arg(a);
    if (i < 0)
        return;
    snprintf(a->num[i], sizeof a->num[i], "%lld", (long long)v);
    a->v[i] = a->num[i];
    a->len[i] = 0;
    a->fmt[i] = 0;
}

void tz_pg_arg_time(struct tz_pg_args *a, int64_t t)
{
    if (t)
        tz_pg_arg_int(a, t);
    else
        tz_pg_arg_text(a, NULL);
}

void tz_pg_arg_double(struct tz_pg_args *a, double v)
{
    int i = next_arg(a);
    if (i < 0)
        return;
    /* %.17g round-trips every double; PostgreSQL reads it back to the same bits. */
    snprintf(a->num[i], sizeof a->num[i], "%.17g", v);
    a->v[i] = a->num[i];
    a->len[i] = 0;
    a->fmt[i] = 0;
}

void tz_pg_arg_bytes(struct tz_pg_args *a, const void *p, size_t n)
{
    int i = next_arg(a);
    if (i < 0)
        return;
    a->v[i] = p ? (const char *)p : "";
    a->len[i] = (int)n;
    a->fmt[i] = 1;
}

/* ---- statements ------------------------------------------------------------------------- */

/* SQLSTATE classes and codes (PostgreSQL's Appendix A) as tz_err. */
tz_err tz_pg_map_result(const PGresult *r)
{
    if (!r)
        return TZ_ENOMEM;
    switch (PQresultStatus(r)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_SINGLE_TUPLE:
        return TZ_OK;
    default:
        break;
    }
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (!state)
        return TZ_EIO; /* no SQLSTATE: the connection itself failed */
    if (strcmp(state, "23505") == 0)
        return TZ_ECONFLICT; /* unique_violation */
    if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0)
        return TZ_EINVAL; /* integrity constraint, data exception */
    if (strcmp(state, "53100") == 0)
        return TZ_ENOSPACE; /* disk_full */
    if (strcmp(state, "53200") == 0)
        return TZ_ENOMEM; /* out_of_memory */
    if (strncmp(state, "40", 2) == 0 || strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
        return TZ_EBUSY; /* serialization, deadlock, lock_not_available, query_canceled */
    if (strcmp(state, "25006") == 0)
        return TZ_EBUSY; /* read_only_sql_transaction: a standby, until it is promoted */
    return TZ_EIO;
}

static tz_err finish(PGresult *r, PGresult **res, int64_t *changed)
{
    tz_err err = tz_pg_map_result(r);
    if (!err && changed) {
        const char *n = PQcmdTuples(r);
        *changed = n && *n ? strtoll(n, NULL, 10) : 0;
    }
    if (!err && res)
        *res = r;
    else
        PQclear(r);
    return err;
}

static tz_err prepared(struct tz_pg_conn *c, const char *sql, int nargs, char name[16]);

tz_err tz_pg_prepare(struct tz_pg_conn *c, const char *sql, char name[TZ_PG_NAME_MAX])
{
    return prepared(c, sql, 0, name);
}

static tz_err prepared(struct tz_pg_conn *c, const char *sql, int nargs, char name[16])
{
    for (size_t i = 0; i < c->stmt_count; i++) {
        if (c->sql[i] == sql) {
            snprintf(name, 16, "s%u", (unsigned)i);
            return TZ_OK;
        }
    }
    if (c->stmt_count == TZ_PG_STMTS_MAX)
        return TZ_ETOOBIG;
    snprintf(name, 16, "s%u", (unsigned)c->stmt_count);
    (void)nargs; /* the server infers the parameters' types from the statement */
    tz_err err = finish(PQprepare(c->pg, name, sql, 0, NULL), NULL, NULL);
    if (!err)
        c->sql[c->stmt_count++] = sql;
    return err;
}

tz_err tz_pg_run(struct tz_pg_conn *c, const char *sql, const struct tz_pg_args *args,
                 PGresult **res, int64_t *changed)
{
    if (args && args->overflow)
        return TZ_ETOOBIG;
    char name[16];
    tz_err err = prepared(c, sql, args ? args->n : 0, name);
    if (err)
        return err;
    PGresult *r = PQexecPrepared(c->pg, name, args ? args->n : 0, args ? args->v : NULL,
                                 args ? args->len : NULL, args ? args->fmt : NULL, 0);
    return finish(r, res, changed);
}

tz_err tz_pg_run_once(struct tz_pg_conn *c, const char *sql, const struct tz_pg_args *args,
                      PGresult **res, int64_t *changed)
{
    if (args && args->overflow)
        return TZ_ETOOBIG;
    PGresult *r = PQexecParams(c->pg, sql, args ? args->n : 0, NULL, args ? args->v : NULL,
                               args ? args->len : NULL, args ? args->fmt : NULL, 0);
    return finish(r, res, changed);
}

/* ---- columns ---------------------------------------------------------------------------- */

bool tz_pg_is_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) != 0;
}

int64_t tz_pg_int(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    const char *v = PQgetvalue(r, row, col);
    /* A boolean column reads as 1 or 0 too. */
    if (v[0] == 't')
        return 1;
    if (v[0] == 'f')
        return 0;
    return strtoll(v, NULL, 10);
}

double tz_pg_double(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}

tz_err tz_pg_strdup(const PGresult *r, int row, int col, char **out)
{
    *out = NULL;
    if (PQgetisnull(r, row, col))
        return TZ_OK;
    *out = strdup(PQgetvalue(r, row, col));
    return *out ? TZ_OK : TZ_ENOMEM;
}

tz_err tz_pg_code(const PGresult *r, int row, int col, char *dst, size_t cap)
{
    dst[0] = '\0';
    if (PQgetisnull(r, row, col))
        return TZ_OK;
    const char *v = PQgetvalue(r, row, col);
    size_t n = (size_t)PQgetlength(r, row, col);
    if (n >= cap)
        return TZ_EIO;
    memcpy(dst, v, n);
    dst[n] = '\0';
    return TZ_OK;
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decodes a bytea in hex output ("\x0a1b..."), at most cap bytes; the count decoded. */
static size_t unhex(const char *v, size_t len, uint8_t *dst, size_t cap)
{
    if (len < 2 || v[0] != '\\' || v[1] != 'x')
        return 0;
    size_t n = 0;
    for (size_t i = 2; i + 1 < len && n < cap; i += 2) {
        int hi = hex_value(v[i]), lo = hex_value(v[i + 1]);
        if (hi < 0 || lo < 0)
            break;
        dst[n++] = (uint8_t)(hi << 4 | lo);
    }
    return n;
}

void tz_pg_bytes(const PGresult *r, int row, int col, uint8_t *dst, size_t cap, size_t *n)
{
    memset(dst, 0, cap);
    size_t got = 0;
    if (!PQgetisnull(r, row, col))
        got = unhex(PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col), dst, cap);
    if (n)
        *n = got;
}

tz_err tz_pg_bytes_dup(const PGresult *r, int row, int col, uint8_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (PQgetisnull(r, row, col))
        return TZ_OK;
    size_t len = (size_t)PQgetlength(r, row, col);
    size_t cap = len > 2 ? (len - 2) / 2 : 0;
    uint8_t *p = malloc(cap ? cap : 1);
    if (!p)
        return TZ_ENOMEM;
    *n = unhex(PQgetvalue(r, row, col), len, p, cap);
    *out = p;
    return TZ_OK;
}

tz_err tz_pg_read_report(const PGresult *r, int row, struct tz_report_rec *out)
{
    memset(out, 0, sizeof *out);
    tz_err err;
    out->id = tz_pg_int(r, row, 0);
    out->lat = tz_pg_double(r, row, 2);
    out->lon = tz_pg_double(r, row, 3);
    if ((err = tz_pg_code(r, row, 1, out->category, sizeof out->category)) ||
        (err = tz_pg_code(r, row, 4, out->district_id, sizeof out->district_id)) ||
        (err = tz_pg_code(r, row, 5, out->status, sizeof out->status)) ||
        (err = tz_pg_strdup(r, row, 6, &out->description)) ||
        (err = tz_pg_strdup(r, row, 7, &out->public_description))) {
        tz_report_rec_clear(out);
        return err;
    }
    out->received_at = tz_pg_int(r, row, 8);
    out->status_changed_at = tz_pg_int(r, row, 9);
    out->takeup_due = tz_pg_int(r, row, 10);
    out->taken_up_at = tz_pg_int(r, row, 11); /* NULL reads as 0 */
    out->verify_due = tz_pg_int(r, row, 12);
    out->verified_at = tz_pg_int(r, row, 13);
    out->when_date = tz_pg_int(r, row, 14);
    out->when_times = (unsigned)tz_pg_int(r, row, 15);
    out->when_weekdays = (unsigned)tz_pg_int(r, row, 16);
    out->me_too = (int)tz_pg_int(r, row, 17);
    tz_pg_bytes(r, row, 18, out->token_hash, TZ_HASH_LEN, NULL);
    tz_pg_bytes(r, row, 19, out->reporter_hash, TZ_HASH_LEN, NULL);
    return TZ_OK;
}

tz_err tz_pg_read_rows(const PGresult *r, size_t elem_size, tz_pg_row_reader read,
                       tz_pg_rows_free release, void **out, size_t *count)
{
    int rows = PQntuples(r);
    *out = NULL;
    *count = 0;
    if (rows == 0)
        return TZ_OK;
    char *recs = calloc((size_t)rows, elem_size);
    if (!recs)
        return TZ_ENOMEM;
    size_t n = 0;
    tz_err err = TZ_OK;
    for (int i = 0; i < rows && !err; i++) {
        err = read(r, i, recs + n * elem_size);
        n++; /* what a failed read allocated is freed with the rest */
    }
    if (err) {
        release(recs, n);
        return err;
    }
    *out = recs;
    *count = n;
    return TZ_OK;
}
