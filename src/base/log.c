/*
 * log.c - the structured log's sink (log.h): a file descriptor and a lock.
 * A line and its newline leave in one write(); with O_APPEND the kernel puts
 * each at the file's end, so a log rotated by copying and truncating (or read
 * while written) holds whole lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

#define LINE_MAX_BYTES 8192 /* a longer line is cut (the caller's lines are far shorter) */

struct tz_log {
    int fd;
    bool own; /* close fd at the end (not standard error) */
    pthread_mutex_t mu;
};

tz_err tz_log_open(const char *path, struct tz_log **out)
{
    *out = NULL;
    struct tz_log *log = calloc(1, sizeof *log);
    if (!log)
        return TZ_ENOMEM;
    log->fd = STDERR_FILENO;
    if (strcmp(path, "-") != 0) {
        log->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        log->own = true;
    }
    if (log->fd < 0 || pthread_mutex_init(&log->mu, NULL) != 0) {
        if (log->fd >= 0 && log->own)
            close(log->fd);
        free(log);
        return TZ_EIO;
    }
    *out = log;
    return TZ_OK;
}

void tz_log_line(struct tz_log *log, const char *line, size_t n)
{
    if (!log)
        return;
    char buf[LINE_MAX_BYTES + 1];
    if (n > LINE_MAX_BYTES)
        n = LINE_MAX_BYTES;
    memcpy(buf, line, n);
    buf[n++] = '\n';
    pthread_mutex_lock(&log->mu);
    for (size_t done = 0; done < n;) {
        ssize_t w = write(log->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    pthread_mutex_unlock(&log->mu);
}

void tz_log_close(struct tz_log *log)
{
    if (!log)
        return;
    if (log->own)
        close(log->fd);
    pthread_mutex_destroy(&log->mu);
    free(log);
}
