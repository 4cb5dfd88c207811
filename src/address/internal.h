/*
 * internal.h - what the files of src/address/ share: the index's layout.
 *
 * Names (localities, streets, numbers, postcodes) are interned once in one
 * arena and an address refers to them by offset, so 8 million addresses
 * cost 24 bytes each and their few distinct names. Built, the addresses are
 * sorted by street, locality and number; a run of one street in one locality
 * is a group; each group has a search key per word of its folded street name
 * (folded locality where it has no street), the keys sorted by their text, so
 * a prefix is a binary search. A second array orders the addresses by grid
 * cell for the nearest-address question.
 */
#ifndef TZ_ADDRESS_INTERNAL_H
#define TZ_ADDRESS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "address/address.h"

/* A growing arena of NUL-terminated strings, interned through an open-addressing table. */
struct addr_names {
    char *data;
    size_t len, cap;
    uint32_t *slots; /* offset + 1, 0 for empty */
    size_t nslots, used;
};

struct addr_point {
    uint32_t locality, street, number, postcode; /* offsets into names */
    float lat, lon;
};

struct addr_group {
    uint32_t first, count;       /* its addresses, in number order */
    uint32_t fstreet, flocality; /* offsets into folded */
};

struct addr_key {
    uint32_t text; /* offset into folded: a word start of a group's folded street */
    uint32_t group;
    uint32_t word; /* which word (0: the name's start) */
};

struct tz_address_index {
    struct addr_names names;
    struct addr_point *points;
    size_t count, cap;
    bool built;
    char *folded;
    size_t flen, fcap;
    struct addr_group *groups;
    size_t ngroups;
    struct addr_key *keys;
    size_t nkeys;
    uint32_t *by_cell; /* point numbers ordered by addr_cell */
};

/* The grid cell of a point (0.01 degree squares from 48 N 14 E), for the nearest address. */
static inline uint32_t addr_cell(double lat, double lon)
{
    return (uint32_t)((lat - 48.0) * 100.0) * 4096u + (uint32_t)((lon - 14.0) * 100.0);
}

/* The name at offset off. */
static inline const char *addr_name(const struct tz_address_index *ix, uint32_t off)
{
    return ix->names.data + off;
}

/* Fills rec with point p's address. */
void addr_point_rec(const struct tz_address_index *ix, const struct addr_point *p,
                    struct tz_address_rec *rec);

#endif
