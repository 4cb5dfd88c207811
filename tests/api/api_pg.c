/* api_pg.c - the API tests' PostgreSQL side (see api_pg.h). */
#include "api_pg.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool api_pg_is(const char *db)
{
    return strncmp(db, "postgres://", 11) == 0 || strncmp(db, "postgresql://", 13) == 0;
}

/* uri with its database (between "@/" or "//" and "?") replaced by name. */
static bool with_db(const char *uri, const char *name, char *out, size_t size)
{
    const char *q = strchr(uri, '?');
    const char *at = strstr(uri, "@/");
    const char *slash = at ? at + 1 : strstr(uri, "//") ? strchr(strstr(uri, "//") + 2, '/') : NULL;
    if (!q || !slash || slash > q)
        return false;
    int n = snprintf(out, size, "%.*s/%s%s", (int)(slash - uri), uri, name, q);
    return n > 0 && (size_t)n < size;
}

static PGconn *connect_to(const char *uri)
{
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "api_pg: %s", PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    return c;
}

static int exec_on(const char *uri, const char *sql)
{
    PGconn *c = connect_to(uri);
    if (!c)
        return -1;
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "api_pg: %s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

bool api_pg_create(char *uri, size_t size)
{
    static unsigned made;
    const char *base = getenv("TZ_TEST_PG");
    if (!base || !*base)
        return false;
    char name[64], sql[128];
    snprintf(name, sizeof name, "tz_test_%ld_%u", (long)getpid(), made++);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    return exec_on(base, sql) == 0 && with_db(base, name, uri, size);
}

void api_pg_drop(const char *uri)
{
    const char *base = getenv("TZ_TEST_PG");
    const char *q = strchr(uri, '?');
    const char *start = q ? q : uri;
    while (start > uri && start[-1] != '/')
        start--;
    if (!base || !q)
        return;
    char sql[160];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %.*s WITH (FORCE)", (int)(q - start), start);
    exec_on(base, sql);
}

/* Runs sql on uri for its first row's first column: the result, or NULL (said on stderr). */
static PGresult *first_value(const char *uri, const char *sql, int *rows)
{
    PGconn *c = connect_to(uri);
    if (!c)
        return NULL;
    PGresult *r = PQexec(c, sql);
    PQfinish(c);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "api_pg: %s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
        return NULL;
    }
    *rows = PQntuples(r);
    return r;
}

int api_pg_text(const char *uri, const char *sql, char *out, size_t size)
{
    int rows = 0;
    PGresult *r = first_value(uri, sql, &rows);
    if (!r)
        return -1;
    if (rows)
        snprintf(out, size, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return rows ? 0 : 1;
}

long api_pg_bytes(const char *uri, const char *sql, uint8_t *out, size_t cap)
{
    int rows = 0;
    PGresult *r = first_value(uri, sql, &rows);
    if (!r)
        return -1;
    long n = -1;
    if (rows) {
        size_t len = 0;
        unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 0), &len);
        if (b && len <= cap) {
            memcpy(out, b, len);
            n = (long)len;
        }
        PQfreemem(b);
    }
    PQclear(r);
    return n;
}

int api_pg_exec(const char *uri, const char *sql)
{
    return exec_on(uri, sql);
}
