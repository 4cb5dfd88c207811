/*
 * err.h - the one error type of tarcza.
 *
 * Every function that can fail returns a tz_err (0 = success) and hands its
 * results back through out-parameters. tz_err_str() is the one place where a
 * code becomes text. The HTTP layer maps codes to statuses (status_of_err in http/response.c).
 */
#ifndef TZ_BASE_ERR_H
#define TZ_BASE_ERR_H

typedef int tz_err;

enum tz_err_code {
    TZ_OK = 0,
    TZ_ENOMEM,     /* an allocation failed */
    TZ_EINVAL,     /* an argument or an input field is invalid */
    TZ_ENOTFOUND,  /* the object does not exist */
    TZ_ECONFLICT,  /* the object is not in a state that allows the change */
    TZ_EIO,        /* the store or the file system failed */
    TZ_ENOSPACE,   /* the disk is full */
    TZ_ETOOBIG,    /* an input or a buffer passed its hard maximum */
    TZ_EOUTSIDE,   /* a point lies outside every district */
    TZ_EFORBIDDEN, /* the caller may not do this */
    TZ_EBUSY,      /* a resource is temporarily unavailable; try again */
    TZ_ECLOSED,    /* the component is shutting down */
    TZ_EMALFORMED, /* an input cannot be parsed at all (not JSON, not a number) */
    TZ_EUNSUPPORTED, /* this store backend does not have the operation (yet) */
    TZ_ERR_COUNT
};

/* A short English description of err; never NULL. */
const char *tz_err_str(tz_err err);

#endif
