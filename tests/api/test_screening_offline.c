/*
 * test_screening_offline - the offline copy through the real binary beside a running server
 * (a batch file too, `screen batch FILE --offline`, answered as online and recorded nowhere):
 * `tarcza watchlist snapshot` (signed with the audit checkpoint key's kind, audited), `tarcza
 * screen person|document|vehicle --offline SNAPSHOT[,DELTA] --pub` answering the same JSON as
 * the online door with no database at all, a delta `--since` the snapshot bringing a change and
 * a removal, and a changed byte, a cut file, another key, a delta without its snapshot refused
 * with a clear error and nothing answered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api_client.h"

#define NO_DB "/nonexistent/tarcza-offline.db" /* the offline machine has none */

static const char *tarcza_binary;
static struct api_server server;
static int server_exit_status;
static char analyst[200];
static char key[300], pub[300], snap[300], delta[300];

static const char LIST1[] =
    "{\"id\":\"P1\",\"name\":\"Ильхам Алиев\",\"birth_date\":\"1961-12-24\",\"nationality\":"
    "\"az\",\"sex\":\"m\",\"aliases\":[\"Ilham Aliyev\"]}\n"
    "{\"id\":\"D1\",\"kind\":\"document\",\"number\":\"XY0I1\",\"type\":\"id_card\","
    "\"country\":\"DEU\",\"status\":\"lost\"}\n"
    "{\"id\":\"V1\",\"kind\":\"vehicle\",\"vin\":\"1M8GDM9AXKP042788\",\"plate\":\"WX 12345\","
    "\"plate_country\":\"PL\",\"status\":\"stolen\"}\n";

/* The later list: P1 gone, P2 new, D1 stolen now, V1 kept. */
static const char LIST2[] =
    "{\"id\":\"P2\",\"name\":\"Łukasz Wałęsa\",\"birth_date\":\"1970\"}\n"
    "{\"id\":\"D1\",\"kind\":\"document\",\"number\":\"XY0I1\",\"type\":\"id_card\","
    "\"country\":\"DEU\",\"status\":\"stolen\"}\n"
    "{\"id\":\"V1\",\"kind\":\"vehicle\",\"vin\":\"1M8GDM9AXKP042788\",\"plate\":\"WX 12345\","
    "\"plate_country\":\"PL\",\"status\":\"stolen\"}\n";

static void write_file(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
}

static size_t read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n;
}

static void import(const char *text)
{
    char path[300];
    snprintf(path, sizeof path, "%s/wanted.json", server.dir);
    write_file(path, text, strlen(text));
    assert_int_equal(api_run_cli(&server, "/dev/null", "watchlist", "import", path, NULL), 0);
}

static int start_server(void **state)
{
    (void)state;
    if (api_prepare(&server, tarcza_binary, 0) != 0 || api_start(&server) != 0)
        return -1;
    if (api_make_token(&server, "offline.analyst", "analyst", NULL, analyst, sizeof analyst))
        return -1;
    snprintf(key, sizeof key, "%s/snapshot.key", server.dir);
    snprintf(pub, sizeof pub, "%s/snapshot.pub", server.dir);
    snprintf(snap, sizeof snap, "%s/wanted.snap", server.dir);
    snprintf(delta, sizeof delta, "%s/wanted-1.delta", server.dir);
    return 0;
}

static int stop_server(void **state)
{
    (void)state;
    server_exit_status = api_finish(&server);
    return server_exit_status == 0 ? 0 : -1;
}

/* The online answer of a person query, as the API writes it (the hits array). */
static char *online_hits(const char *body)
{
    struct api_response r;
    assert_int_equal(api_call_as(&server, analyst, "POST", "/api/v1/screening/persons", body, &r),
                     200);
    char *hits = json_dumps(json_object_get(r.json, "hits"), JSON_COMPACT | JSON_SORT_KEYS);
    api_response_free(&r);
    return hits;
}

/* An offline command's answer: its hits array (the command must succeed). */
static char *offline_hits(struct api_run *r)
{
    assert_int_equal(r->status, 0);
    json_t *v = json_loads(r->out, 0, NULL);
    assert_non_null(v);
    char *hits = json_dumps(json_object_get(v, "hits"), JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(v);
    return hits;
}

static void a_snapshot_answers_as_the_server_does(void **state)
{
    (void)state;
    static struct api_run r;
    import(LIST1);
    api_run_command(&server, &r, "audit", "keygen", "--key", key, NULL);
    assert_int_equal(r.status, 0);
    const char *hex = strstr(r.out, "public key ");
    assert_non_null(hex);
    write_file(pub, hex + 11, 64);
    api_run_command(&server, &r, "watchlist", "snapshot", "--out", snap, "--key", key, "--db",
                    server.db, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"kind\":\"full\",\"created\""));
    assert_non_null(strstr(r.out, "\"count\":3"));
    /* never replaced */
    api_run_command(&server, &r, "watchlist", "snapshot", "--out", snap, "--key", key, "--db",
                    server.db, NULL);
    assert_int_not_equal(r.status, 0);

    char *online = online_hits("{\"name\":\"Ilham Aliyev\",\"birth_date\":\"1961\",\"reason\":"
                               "\"border\"}");
    api_run_command(&server, &r, "screen", "person", "Ilham Aliyev", "--birth-date", "1961",
                    "--reason", "border", "--offline", snap, "--pub", pub, "--db", NO_DB, NULL);
    char *offline = offline_hits(&r);
    assert_string_equal(offline, online); /* the same hits, scores and explanations */
    assert_non_null(strstr(offline, "\"record_id\":\"P1\""));
    free(online);
    free(offline);

    api_run_command(&server, &r, "screen", "document", "XYOI1", "--country", "DE", "--reason",
                    "border", "--offline", snap, "--pub", pub, "--db", NO_DB, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"match\":\"confusable\""));
    assert_non_null(strstr(r.out, "\"status\":\"lost\""));
    api_run_command(&server, &r, "screen", "vehicle", "--vin", "1M8GDM9AXKP042788", "--reason",
                    "border", "--offline", snap, "--pub", pub, "--db", NO_DB, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"record_id\":\"V1\""));
    /* the same fields are required as online */
    api_run_command(&server, &r, "screen", "person", "Ilham Aliyev", "--reason", "", "--offline",
                    snap, "--pub", pub, NULL);
    assert_int_not_equal(r.status, 0);
    assert_non_null(strstr(r.err, "/reason"));
    /* taking the copy is audited */
    api_run_command(&server, &r, "audit", "export", "--db", server.db, NULL);
    assert_non_null(strstr(r.out, "screening/snapshot"));
}

static void a_delta_brings_the_changes(void **state)
{
    (void)state;
    static struct api_run r;
    import(LIST2);
    api_run_command(&server, &r, "watchlist", "snapshot", "--out", delta, "--key", key, "--since",
                    snap, "--db", server.db, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"kind\":\"delta\""));
    assert_non_null(strstr(r.out, "\"removed\":1"));
    char chain[700];
    snprintf(chain, sizeof chain, "%s,%s", snap, delta);
    api_run_command(&server, &r, "screen", "person", "Lukasz Walesa", "--reason", "border",
                    "--offline", chain, "--pub", pub, "--db", NO_DB, NULL);
    char *offline = offline_hits(&r);
    char *online = online_hits("{\"name\":\"Lukasz Walesa\",\"reason\":\"border\"}");
    assert_string_equal(offline, online);
    assert_non_null(strstr(offline, "\"record_id\":\"P2\""));
    free(online);
    free(offline);
    api_run_command(&server, &r, "screen", "person", "Ilham Aliyev", "--reason", "border",
                    "--offline", chain, "--pub", pub, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"hits\":[]")); /* removed by the delta */
    api_run_command(&server, &r, "screen", "document", "XY0I1", "--reason", "border", "--offline",
                    chain, "--pub", pub, NULL);
    assert_non_null(strstr(r.out, "\"status\":\"stolen\""));
    /* a delta alone, or before its snapshot, is refused */
    api_run_command(&server, &r, "screen", "person", "Lukasz Walesa", "--reason", "border",
                    "--offline", delta, "--pub", pub, NULL);
    assert_int_not_equal(r.status, 0);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "refused"));
}

static void changed_cut_or_foreign_copies_are_refused(void **state)
{
    (void)state;
    static struct api_run r;
    static char text[65536];
    char bad[300], pub2[300], key2[300];
    size_t n = read_file(snap, text, sizeof text);
    snprintf(bad, sizeof bad, "%s/bad.snap", server.dir);
    /* Алиев made Алиеw: one byte of a name */
    char *at = strstr(text, "Ilham Aliyev");
    assert_non_null(at);
    at[11] = 'w';
    write_file(bad, text, n);
    api_run_command(&server, &r, "screen", "person", "Ilham Aliyew", "--reason", "border",
                    "--offline", bad, "--pub", pub, NULL);
    assert_int_not_equal(r.status, 0);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "signature does not verify"));
    at[11] = 'v';
    write_file(bad, text, n / 2); /* cut */
    api_run_command(&server, &r, "screen", "person", "Ilham Aliyev", "--reason", "border",
                    "--offline", bad, "--pub", pub, NULL);
    assert_int_not_equal(r.status, 0);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "cut"));
    /* another key's public half */
    snprintf(key2, sizeof key2, "%s/other.key", server.dir);
    snprintf(pub2, sizeof pub2, "%s/other.pub", server.dir);
    api_run_command(&server, &r, "audit", "keygen", "--key", key2, NULL);
    const char *hex = strstr(r.out, "public key ");
    assert_non_null(hex);
    write_file(pub2, hex + 11, 64);
    api_run_command(&server, &r, "screen", "person", "Ilham Aliyev", "--reason", "border",
                    "--offline", snap, "--pub", pub2, NULL);
    assert_int_not_equal(r.status, 0);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "signature does not verify"));
    /* no --pub: told to give one */
    api_run_command(&server, &r, "screen", "person", "Ilham Aliyev", "--reason", "border",
                    "--offline", snap, NULL);
    assert_int_not_equal(r.status, 0);
    assert_non_null(strstr(r.err, "--pub"));
}

/* A batch file answered from the copy as the server's command answers it; nothing recorded. */
static void a_batch_is_answered_offline(void **state)
{
    (void)state;
    static struct api_run r;
    static const char items[] =
        "{\"kind\":\"person\",\"name\":\"Ilham Aliyev\",\"birth_date\":\"1961\"}\n"
        "{\"number\":\"XY 0I1\",\"country\":\"DEU\"}\n"
        "\n"
        "{\"plate\":\"wx-12345\",\"plate_country\":\"PL\"}\n"
        "{\"kind\":\"person\",\"name\":\"Jan Nowak\"}\n";
    char file[300];
    snprintf(file, sizeof file, "%s/travellers.jsonl", server.dir);
    write_file(file, items, strlen(items));
    api_run_command(&server, &r, "screen", "batch", file, "--reason", "ferry manifest", "--db",
                    server.db, NULL);
    assert_int_equal(r.status, 0);
    json_t *on = json_loads(r.out, 0, NULL);
    assert_non_null(on);
    long audited = (long)api_db_long(&server, "SELECT COUNT(*) FROM audit_log");
    api_run_command(&server, &r, "screen", "batch", file, "--reason", "ferry manifest", "--offline",
                    snap, "--pub", pub, "--db", NO_DB, NULL);
    assert_int_equal(r.status, 0);
    json_t *off = json_loads(r.out, 0, NULL);
    assert_non_null(off);
    assert_true(json_equal(on, off)); /* every item's answer the same */
    assert_int_equal(json_integer_value(json_object_get(off, "count")), 4);
    assert_int_equal(json_integer_value(json_object_get(off, "items_with_hits")), 3);
    json_decref(on);
    json_decref(off);
    assert_int_equal(api_db_long(&server, "SELECT COUNT(*) FROM audit_log"), audited);
    /* A bad item refuses the batch whole, named; a reason is required offline too. */
    static const char bad[] = "{\"kind\":\"person\",\"name\":\"Jan\"}\n{\"kind\":\"person\"}\n";
    write_file(file, bad, strlen(bad));
    api_run_command(&server, &r, "screen", "batch", file, "--reason", "x", "--offline", snap,
                    "--pub", pub, "--db", NO_DB, NULL);
    assert_int_not_equal(r.status, 0);
    assert_non_null(strstr(r.err, "/items/1/name"));
    assert_string_equal(r.out, "");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-OF-TARCZA\n", argv[0]);
        return 2;
    }
    tarcza_binary = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_snapshot_answers_as_the_server_does),
        cmocka_unit_test(a_batch_is_answered_offline),
        cmocka_unit_test(a_delta_brings_the_changes),
        cmocka_unit_test(changed_cut_or_foreign_copies_are_refused),
    };
    int failed = cmocka_run_group_tests(tests, start_server, stop_server);
    return failed || server_exit_status ? 1 : 0;
}
