/*
 * audit_head.c - the audit chain's head kept outside the database.
 *
 * Signed checkpoints (auth/audit.c) catch a rewritten chain, but only up to
 * the last checkpoint: whoever can write the database could delete the
 * newest entries after it and nothing would tell. So, after every commit
 * that grows the chain, the backend writes the new head (seq and hash) to a
 * file that lives elsewhere (`serve --audit-head FILE`), and `audit verify
 * --audit-head FILE` refuses a chain that is shorter than that head or holds
 * another hash at its seq. The file is one line, "SEQ HASH\n", replaced
 * atomically so that a crash leaves the old head or the new one, never half.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/num.h"
#include "store/backend.h"
#include "store/store.h"

#define HEAD_LINE_MAX (24 + 1 + 2 * TZ_HASH_LEN + 2)

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

tz_err tz_store_audit_head_read(const char *path, int64_t *seq, uint8_t hash[TZ_HASH_LEN])
{
    if (!path || !seq || !hash)
        return TZ_EINVAL;
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? TZ_ENOTFOUND : TZ_EIO;
    char line[HEAD_LINE_MAX + 2] = "";
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (!got)
        return TZ_EINVAL;
    const char *space = strchr(line, ' ');
    int64_t n = 0;
    if (!space || tz_num_parse_i64(line, (size_t)(space - line), 1, INT64_MAX, &n))
        return TZ_EINVAL;
    const char *h = space + 1;
    for (size_t i = 0; i < TZ_HASH_LEN; i++) {
        int hi = hex_value(h[2 * i]), lo = hi < 0 ? -1 : hex_value(h[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return TZ_EINVAL;
        hash[i] = (uint8_t)(hi << 4 | lo);
    }
    if (h[2 * TZ_HASH_LEN] != '\n' || h[2 * TZ_HASH_LEN + 1] != '\0')
        return TZ_EINVAL;
    *seq = n;
    return TZ_OK;
}

/* Syncs the directory holding path, so that a rename in it is durable. */
static tz_err sync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    if (n >= sizeof dir)
        return TZ_EIO;
    if (slash && n == 0)
        n = 1; /* the root */
    memcpy(dir, slash ? path : ".", slash ? n : 1);
    dir[slash ? n : 1] = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return TZ_EIO;
    tz_err err = fsync(fd) == 0 ? TZ_OK : TZ_EIO;
    close(fd);
    return err;
}

tz_err tz_store_audit_head_write(const char *path, int64_t seq, const uint8_t hash[TZ_HASH_LEN])
{
    char tmp[4096], line[HEAD_LINE_MAX + 1];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return TZ_EIO;
    int len = snprintf(line, sizeof line, "%lld ", (long long)seq);
    for (size_t i = 0; i < TZ_HASH_LEN; i++)
        len += snprintf(line + len, sizeof line - (size_t)len, "%02x", hash[i]);
    line[len++] = '\n';
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return TZ_EIO;
    tz_err err = write(fd, line, (size_t)len) == len && fsync(fd) == 0 ? TZ_OK : TZ_EIO;
    if (close(fd) != 0)
        err = TZ_EIO;
    if (!err && rename(tmp, path) != 0)
        err = TZ_EIO;
    if (err)
        unlink(tmp);
    return err ? err : sync_dir(path);
}
