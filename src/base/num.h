/*
 * num.h - the one bounded number parser of the house, for every number that
 * arrives as text (query parameters, form fields, path ids, command-line
 * options, headers).
 *
 * A number is exactly the n bytes given: no leading or trailing spaces, no
 * junk after it, no hexadecimal, octal or hexadecimal floating-point forms,
 * no inf or nan. Integers are an optional sign and decimal digits; reals are
 * an optional sign, digits with an optional decimal point (at least one digit
 * in all) and an optional decimal exponent. A value outside [min, max] is
 * TZ_EINVAL like any other bad input, so callers need no errno or range
 * checks of their own.
 */
#ifndef TZ_BASE_NUM_H
#define TZ_BASE_NUM_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* The longest text either parser reads; longer is TZ_EINVAL. */
#define TZ_NUM_TEXT_MAX 64

/*
 * Reads the n bytes at s as a decimal integer in [min, max] into *out.
 * TZ_EMALFORMED when it is not a decimal integer; TZ_EINVAL when it is one
 * outside [min, max] (however many digits it has). *out is untouched on error.
 */
tz_err tz_num_parse_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);

/*
 * Reads the n bytes at s as a finite decimal number in [min, max] into *out.
 * TZ_EMALFORMED when it is not a decimal number (hex floats, inf, nan, spaces
 * and trailing text included); TZ_EINVAL when it is one outside [min, max] or
 * beyond what a double holds. *out is untouched on error.
 */
tz_err tz_num_parse_double(const char *s, size_t n, double min, double max, double *out);

#endif
