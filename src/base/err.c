/* err.c - turns error codes into text, in one place. */
#include "base/err.h"

static const char *const messages[TZ_ERR_COUNT] = {
    [TZ_OK] = "success",
    [TZ_ENOMEM] = "out of memory",
    [TZ_EINVAL] = "invalid input",
    [TZ_ENOTFOUND] = "not found",
    [TZ_ECONFLICT] = "conflicts with the current state",
    [TZ_EIO] = "input/output error",
    [TZ_ENOSPACE] = "no space left on the device",
    [TZ_ETOOBIG] = "too large",
    [TZ_EOUTSIDE] = "outside every district",
    [TZ_EFORBIDDEN] = "forbidden",
    [TZ_EBUSY] = "busy, try again",
    [TZ_ECLOSED] = "shutting down",
    [TZ_EMALFORMED] = "malformed input",
    [TZ_EUNSUPPORTED] = "not supported by this store backend",
};

const char *tz_err_str(tz_err err)
{
    if (err < 0 || err >= TZ_ERR_COUNT || !messages[err])
        return "unknown error";
    return messages[err];
}
