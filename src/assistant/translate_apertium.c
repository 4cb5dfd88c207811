/*
 * assistant/translate_apertium.c - Apertium as a pipe: the text in, the translation out.
 *
 * Apertium is a pipeline of programs started by the `apertium` shell script, so it runs as a
 * child in a process group of its own, with the text written to its standard input (a pipe, as
 * the script opens /dev/stdin, which a socket cannot be; SIGPIPE is blocked in the writing thread
 * and a pending one taken back, so a pipeline that dies cannot kill the server) and its
 * standard output read at the same time (a long text would otherwise fill both pipes and
 * deadlock), under one deadline for the whole answer and a bound on its size. Past either, the
 * whole group is killed. Why not libapertium in process: its C++ API runs each stage of a mode
 * separately and Debian's pairs are described by mode files made for the shell pipeline.
 */
#include "assistant/translate_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"

#define DEFAULT_DATA "/usr/share/apertium"

extern char **environ;

/* ISO 639-1 to the ISO 639-3 codes Debian's Apertium pairs are named by. */
static const char *const ISO3[][2] = {
    {"pl", "pol"}, {"en", "eng"}, {"ru", "rus"}, {"uk", "ukr"}, {"be", "bel"}, {"az", "aze"},
    {"tr", "tur"}, {"ar", "ara"}, {"de", "deu"}, {"fr", "fra"}, {"es", "spa"}, {"ka", "kat"},
    {"cs", "ces"}, {"sk", "slk"}, {"ca", "cat"}, {"it", "ita"}, {"pt", "por"}, {"gl", "glg"},
    {"ro", "ron"}, {"nl", "nld"}, {"da", "dan"}, {"nb", "nob"}, {"sv", "swe"}, {"bg", "bul"},
    {"mk", "mkd"}, {"eu", "eus"}, {"oc", "oci"},
};

static const char *iso3(const char *code)
{
    for (size_t i = 0; i < sizeof ISO3 / sizeof ISO3[0]; i++)
        if (strcmp(ISO3[i][0], code) == 0)
            return ISO3[i][1];
    return NULL;
}

static const char *data_dir(const struct tz_translate_config *cfg)
{
    return cfg->apertium_modes != NULL ? cfg->apertium_modes : DEFAULT_DATA;
}

static bool mode_exists(const struct tz_translate_config *cfg, const char *a, const char *b,
                        char *mode, size_t m)
{
    char path[512];
    if (a == NULL || b == NULL)
        return false;
    if (snprintf(path, sizeof path, "%s/modes/%s-%s.mode", data_dir(cfg), a, b) >=
        (int)sizeof path)
        return false;
    if (access(path, R_OK) != 0)
        return false;
    return snprintf(mode, m, "%s-%s", a, b) < (int)m;
}

bool tz_translate_apertium_has(const struct tz_translate_config *cfg, const char *from,
                               const char *to, char *mode, size_t m)
{
    if (cfg->apertium != NULL && cfg->apertium[0] == '\0')
        return false;
    return mode_exists(cfg, iso3(from), iso3(to), mode, m) || mode_exists(cfg, from, to, mode, m);
}

static long ms_left(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Starts the pipeline with *in (its stdin) and *outfd (its stdout); the child's pid. */
static tz_err spawn(const struct tz_translate_config *cfg, const char *mode, int *in, int *outfd,
                    pid_t *pid)
{
    int pin[2] = {-1, -1}, po[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t def;
    const char *prog = cfg->apertium != NULL ? cfg->apertium : "apertium";
    char *argv[] = {(char *)prog, "-u", "-f", "txt", "-d", (char *)data_dir(cfg), (char *)mode,
                    NULL};
    tz_err err = TZ_EIO;

    if (pipe2(pin, O_CLOEXEC) != 0)
        return TZ_EIO;
    if (pipe2(po, O_CLOEXEC) != 0)
        goto fail;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_init(&at);
    sigemptyset(&def);
    sigaddset(&def, SIGPIPE);
    posix_spawnattr_setsigdefault(&at, &def);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
    if (posix_spawnp(pid, prog, &fa, &at, argv, environ) == 0)
        err = TZ_OK;
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(pin[0]);
    close(po[1]);
    if (err != TZ_OK) {
        close(pin[1]);
        close(po[0]);
        return err;
    }
    *in = pin[1];
    *outfd = po[0];
    return TZ_OK;
fail:
    close(pin[0]);
    close(pin[1]);
    return err;
}

/* write(2) with SIGPIPE blocked in this thread, and a SIGPIPE it raised taken back. */
static ssize_t write_quietly(int fd, const char *p, size_t n)
{
    sigset_t pipe_only, old;
    ssize_t w;
    int saved;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    w = write(fd, p, n > 4096 ? 4096 : n); /* PIPE_BUF at most: the poll said that much fits */
    saved = errno;
    if (w < 0 && errno == EPIPE)
        sigtimedwait(&pipe_only, NULL, &(struct timespec){0, 0});
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return w;
}

/*
 * Feeds text in and reads the answer out until EOF or the deadline. A child that stops reading
 * (*refused) is still read to its end: whether it failed is its exit status's to say.
 */
static tz_err pump(int *in, int outfd, const char *text, size_t n, struct tz_buf *b,
                   const struct timespec *deadline, bool *refused, char *why, size_t wn)
{
    size_t sent = 0;
    char chunk[8192];

    if (n == 0) {
        close(*in);
        *in = -1;
    }
    for (;;) {
        struct pollfd pf[2] = {{.fd = outfd, .events = POLLIN}, {.fd = *in, .events = POLLOUT}};
        long left = ms_left(deadline);
        int k;
        if (left <= 0) {
            snprintf(why, wn, "apertium gave no answer within the time limit");
            return TZ_EIO;
        }
        k = poll(pf, sent < n ? 2 : 1, (int)left);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return TZ_EIO;
        if (sent < n && (pf[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write_quietly(*in, text + sent, n - sent);
            if (w < 0 && errno != EAGAIN && errno != EINTR) {
                *refused = true;
                sent = n;
                close(*in);
                *in = -1;
                continue;
            }
            if (w > 0 && (sent += (size_t)w) == n) {
                close(*in);
                *in = -1;
            }
        }
        if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = read(outfd, chunk, sizeof chunk);
            if (r == 0)
                return TZ_OK;
            if (r < 0 && errno != EINTR && errno != EAGAIN)
                return TZ_EIO;
            if (r > 0 && tz_buf_append(b, chunk, (size_t)r) != TZ_OK) {
                snprintf(why, wn, "apertium's answer passed its bound");
                return TZ_EIO;
            }
        }
    }
}

/* Reaps the child by the deadline, killing its group past it; whether it exited with 0. */
static bool reap(pid_t pid, const struct timespec *deadline, bool kill_now)
{
    int st = 0;
    if (kill_now)
        kill(-pid, SIGKILL);
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) && WEXITSTATUS(st) == 0 && !kill_now;
        if (r < 0 && errno != EINTR)
            return false;
        if (ms_left(deadline) <= 0) {
            kill(-pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
            return false;
        }
        nanosleep(&(struct timespec){0, 2 * 1000 * 1000}, NULL);
    }
}

tz_err tz_translate_apertium_run(const struct tz_translate_config *cfg, const char *mode,
                                 const char *text, size_t n, char **out, char *why, size_t wn)
{
    struct timespec deadline;
    struct tz_buf b;
    int in = -1, outfd = -1;
    pid_t pid = -1;
    long limit = cfg->timeout_ms > 0 ? cfg->timeout_ms : 20000;
    bool refused = false;
    tz_err err;

    *out = NULL;
    tz_buf_init(&b, TZ_TRANSLATE_OUT_MAX);
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += limit / 1000;
    deadline.tv_nsec += (limit % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    err = spawn(cfg, mode, &in, &outfd, &pid);
    if (err != TZ_OK) {
        snprintf(why, wn, "apertium could not be started");
        goto done;
    }
    err = pump(&in, outfd, text, n, &b, &deadline, &refused, why, wn);
    if (!reap(pid, &deadline, err != TZ_OK) && err == TZ_OK) {
        snprintf(why, wn, "apertium failed");
        err = TZ_EIO;
    } else if (err == TZ_OK && refused) {
        snprintf(why, wn, "apertium stopped reading its input");
        err = TZ_EIO;
    }
    if (err == TZ_OK && tz_buf_append(&b, "", 0) == TZ_OK && b.data == NULL)
        err = tz_buf_append(&b, " ", 1); /* an empty answer still gets its memory */
    if (err == TZ_OK) {
        while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == ' '))
            b.data[--b.len] = '\0';
        *out = b.data;
        b.data = NULL;
    }
done:
    if (in >= 0)
        close(in);
    if (outfd >= 0)
        close(outfd);
    tz_buf_free(&b);
    return err;
}
