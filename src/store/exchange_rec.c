/* exchange_rec.c - the life of the exchange's store records (store/exchange.h), whatever the
 * backend. */
#include <stdlib.h>
#include <string.h>

#include "store/exchange.h"

void tz_store_xmsg_free(struct tz_xmsg_rec *rec)
{
    if (!rec)
        return;
    for (size_t i = 0; rec->entities && i < rec->entity_count; i++)
        free(rec->entities[i].fields);
    free(rec->entities);
    free(rec->addressees);
    free(rec->links);
    free(rec->attachments);
    free(rec->text);
    memset(rec, 0, sizeof *rec);
}

void tz_store_xnotice_entities_free(struct tz_xnotice_entity_rec *recs, size_t count)
{
    for (size_t i = 0; recs && i < count; i++)
        free(recs[i].entity.fields);
    free(recs);
}
