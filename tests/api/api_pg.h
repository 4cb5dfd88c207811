/*
 * api_pg.h - the API tests' PostgreSQL side (api_pg.c): when TZ_TEST_PG names a cluster
 * (tests/pg/with_pg.sh starts a throw-away one), every server a test starts gets a database of
 * its own there, made by api_prepare and dropped by api_cleanup, and the tests' reads behind the
 * API (api_db_text, api_count_rows...) go to it with libpq instead of opening an SQLite file.
 */
#ifndef TZ_TESTS_API_PG_H
#define TZ_TESTS_API_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether db is a PostgreSQL URI rather than a file. */
bool api_pg_is(const char *db);
/* A new, empty database on TZ_TEST_PG's cluster, its URI into uri; false when TZ_TEST_PG is not
 * set (the tests run on SQLite files) or it could not be made. */
bool api_pg_create(char *uri, size_t size);
/* Drops the database of uri (made by api_pg_create), closing its connections first. */
void api_pg_drop(const char *uri);
/* The first column of sql's first row as text into out ("" for NULL): 0, 1 when there is no row,
 * -1 on an error (said on stderr). */
int api_pg_text(const char *uri, const char *sql, char *out, size_t size);
/* The first column of sql's first row as bytes (a bytea): its length, -1 on an error or no row. */
long api_pg_bytes(const char *uri, const char *sql, uint8_t *out, size_t cap);
/* Runs sql (one or more statements): 0, or -1 on an error (said on stderr). */
int api_pg_exec(const char *uri, const char *sql);

#endif
