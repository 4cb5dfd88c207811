/*
 * api_client.h - API tests talk to the real `tarcza serve`, started on a free
 * port with a fresh database in a temporary directory, over real HTTP (libcurl).
 */
#ifndef TZ_TESTS_API_CLIENT_H
#define TZ_TESTS_API_CLIENT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <stdbool.h>

struct api_server {
    const char *binary; /* path of the tarcza executable */
    char dir[256];      /* temporary directory holding the database */
    char db[300];
    pid_t pid;
    uint16_t port;
    const char *serve_args[16]; /* more arguments of `serve` for api_start, NULL-terminated */
    const char
        *extra_headers[4]; /* sent with every request while set ("Name: value"), NULL-ended */
    long long fsize_limit; /* > 0: RLIMIT_FSIZE of the server (bytes; SIGXFSZ ignored) */
};

struct api_response {
    long status;
    char *body; /* NUL-terminated */
    size_t len;
    char *headers; /* raw header block */
    json_t *json;  /* the body parsed, or NULL */
};

/* Makes a temporary directory with a demo database of `reports` reports. Returns 0 on success. */
int api_prepare(struct api_server *s, const char *binary, int reports);
/* Starts `tarcza serve --port 0` on the database with s->args and learns its port. */
int api_start(struct api_server *s);
/* Stops the server with a signal (SIGTERM to stop cleanly, SIGKILL to crash it); its exit status,
 * or 125 (having printed its threads' stacks) when it has not stopped within a minute. */
int api_stop(struct api_server *s, int sig);
/* Removes the temporary directory. */
void api_cleanup(struct api_server *s);
/* Stops the server cleanly (SIGTERM) and removes its files; its exit status, told on stderr when
 * not 0 (under the sanitizers, a leak or an error found in the server). */
int api_finish(struct api_server *s);
/* After a test, failed or not: kills the server if it runs, removes its files, zeroes s. */
void api_discard(struct api_server *s);
/* Runs the tarcza command with arguments (NULL-terminated), output to out_path; returns its exit
 * code. */
int api_run_cli(struct api_server *s, const char *out_path, ...);
/* What a command printed and how it ended (api_run_command). */
struct api_run {
    int status; /* the exit status, or -1 when it did not exit (killed by the 30 s alarm) */
    char out[65536];
    char err[65536];
};
/*
 * Runs s->binary with the arguments (NULL-terminated, at most 30) and keeps its standard output and
 * error in r; a command that would serve is stopped by an alarm after 30 s, so a refused `serve`
 * that starts anyway fails the test instead of hanging it.
 */
void api_run_command(const struct api_server *s, struct api_run *r, ...);
/*
 * Makes a police account (name, role, districts or NULL) with `tarcza user add` and an API token
 * for it with `tarcza user token`; header gets "Authorization: Bearer TOKEN" for extra_headers.
 * 0 on success.
 */
int api_make_token(struct api_server *s, const char *name, const char *role, const char *districts,
                   char *header, size_t size);
/* The same for an account bound to a unit (unit may be NULL: none), as the exchange's roles are. */
int api_make_unit_token(struct api_server *s, const char *name, const char *role, const char *unit,
                        char *header, size_t size);
/* A request (a JSON body, or none when body is NULL) with who's header ("Authorization: ...")
 * alone among the extra headers; asserts that it was answered, keeps r for the caller (freed by
 * it) and returns its status. */
long api_call_as(struct api_server *s, const char *who, const char *method, const char *path,
                 const char *body, struct api_response *r);
/* The same, the answer dropped: its status. */
long api_status_as(struct api_server *s, const char *who, const char *method, const char *path,
                   const char *body);
/* Whether the problem in r names field among its per-field errors. */
bool api_errors_name(const struct api_response *r, const char *field);

/* Sends a request; content_type NULL sends none; body may be NULL. chunked sends the body chunked.
 */
int api_request(struct api_server *s, const char *method, const char *path,
                const char *content_type, const char *body, size_t len, int chunked,
                struct api_response *r);
/* Shorthands. */
int api_get(struct api_server *s, const char *path, struct api_response *r);
int api_post_json(struct api_server *s, const char *path, const char *json, struct api_response *r);
/* The value of a response header (case-insensitive name), copied into out; 0 if found. */
int api_header(const struct api_response *r, const char *name, char *out, size_t size);
void api_response_free(struct api_response *r);
/* Number of rows in the reports table, read straight from the database file. */
long api_count_reports(struct api_server *s);
/* Number of rows in any table of the database. */
long api_count_rows(struct api_server *s, const char *table);
/* Whether the server's database is a PostgreSQL one (TZ_TEST_PG; see api_pg.h). */
bool api_db_is_pg(const struct api_server *s);
/* The database, opened for the caller (who closes it with sqlite3_close); SQLite only: a test
 * that runs on both backends reads through the functions below. */
sqlite3 *api_db_open(const struct api_server *s);
/* Behind the API, straight on the database file (a busy timeout of 10 s), for what a test checks
 * that no API shows (audit entries, stored hashes); each fails the running test on an error.
 * The first column of sql's first row as text ("" for NULL); no row fails the test. */
void api_db_text(const struct api_server *s, const char *sql, char *out, size_t size);
/* The same read as a number. */
long long api_db_long(const struct api_server *s, const char *sql);
/* The first column of sql's first row as bytes (a blob or bytea) into out: its length. */
size_t api_db_bytes(const struct api_server *s, const char *sql, uint8_t *out, size_t cap);
/* Runs sql (changes made behind the server's back, to prove they are caught). */
void api_db_exec(const struct api_server *s, const char *sql);
/* A TCP connection to the server, for raw bytes; -1 on failure. */
int api_connect(struct api_server *s);

#endif
