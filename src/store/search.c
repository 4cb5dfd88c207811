/*
 * search.c - what every backend's search index shares: freeing the pending reports.
 */
#include <stdlib.h>

#include "store/search.h"

void tz_search_pending_free(struct tz_search_pending_rec *recs, size_t count)
{
    for (size_t i = 0; recs && i < count; i++)
        free(recs[i].text);
    free(recs);
}
