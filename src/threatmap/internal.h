/*
 * internal.h - what the threatmap/ files share among themselves; not part of
 * the module's promise (that is threatmap.h).
 */
#ifndef TZ_THREATMAP_INTERNAL_H
#define TZ_THREATMAP_INTERNAL_H

#include <pthread.h>
#include <sodium.h>

#include "threatmap/mapindex.h"
#include "threatmap/threatmap.h"

struct tz_threatmap {
    struct tz_threatmap_config cfg;
    struct tz_store *store; /* not owned */
    struct tz_committer *committer;
    struct tz_category_rec *categories;
    size_t category_count;
    struct tz_group_rec *groups;
    size_t group_count;
    struct tz_district_rec *districts; /* ordered by id, as the store lists them */
    size_t district_count;
    struct tz_router *router;    /* index i routes to districts[i] */
    struct tz_map_index *map;    /* every report, for GET /api/v1/map */
    const char **category_codes; /* category_codes[i] = categories[i].code, for the map */
    /* Key of the reporter-address hash; random per process, so that hashes
     * cannot be linked across restarts or to the address without it. */
    uint8_t addr_key[crypto_generichash_KEYBYTES];
    /* The change feed (map.c, follow.c): how far this process has read the store's
     * reports and status changes. sync_mu also orders this process's own
     * status changes with the feed, so the index never ends on an older one. */
    pthread_mutex_t sync_mu;
    int64_t sync_report_id;
    int64_t sync_transition_seq;
    struct tm_follower *follower; /* the thread that syncs on a timer, or NULL */
    /* The snapshot (snapshot.c): the feed position and size of the last one written, so that
     * the periodic writer skips a round where nothing changed; snap_mu orders the writers. */
    pthread_mutex_t snap_mu;
    bool snap_written;
    int64_t snap_report_id, snap_seq;
    size_t snap_reports;
    struct tm_snapshotter *snapshotter; /* the thread that writes it on a timer, or NULL */
};

/* Whether the public may see rec (status windows and the category's rule). */
bool tm_publicly_visible(const struct tz_threatmap *tm, const struct tz_report_rec *rec,
                         int64_t now);
/* Checks and encodes anew the photos a door read into rec->photos (photos.c), each refusal listed
 * under /photos or /photos/<i>; TZ_ENOMEM. */
tz_err tm_read_photos(const struct tz_report_input *in, struct tz_report_rec *rec,
                      struct tz_field_errors *errs);
/* A public text: at most TZ_PUBLIC_TEXT_MAX_CHARS characters, line breaks but no other controls. */
bool tm_valid_public_text(const char *s);
/* The keyed hash of a reporter's address (never the address itself). */
void tm_reporter_hash(const struct tz_threatmap *tm, const char *client_addr,
                      uint8_t hash[TZ_HASH_LEN]);
/* Hash of a tracking token as stored. */
void tm_token_hash(const char *token, uint8_t hash[TZ_HASH_LEN]);
/* Position of a category in tm->categories, or -1. */
int tm_category_index(const struct tz_threatmap *tm, const char *code);
/* Builds the map index from every report in the store. */
tz_err tm_map_load(struct tz_threatmap *tm);
/* The public rules as the map index's usual view (map.c). */
void tm_public_view(const struct tz_threatmap *tm, struct tz_map_usual *usual);
/* Loads the index from cfg.snapshot_path and replays the feed after it (snapshot.c); on any
 * failure, said on stderr unless there is no file, tm->map stays NULL. */
tz_err tm_snap_load(struct tz_threatmap *tm);
/* Stops the periodic snapshot writer, if any. */
void tm_snap_stop(struct tz_threatmap *tm);
/* Puts a stored report on the map (after its commit). */
void tm_map_add(struct tz_threatmap *tm, const struct tz_report_rec *rec);
/* Stops the follower thread of tz_threatmap_follow, if any. */
void tm_follow_stop(struct tz_threatmap *tm);

/* Stores the Kraków demo districts of geo/ (demo.c uses it). */
tz_err tm_put_demo_districts(struct tz_store *store);

#endif
