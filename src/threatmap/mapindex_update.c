/*
 * mapindex_update.c - keeping the map index current (see mapindex.h): a new
 * report goes to the buffer of A or L, a status change rewrites the point in
 * place in each set that holds it (or moves it to a buffer), and the usual
 * view lets go of points as their windows close (a heap of expiries). Every
 * update holds the write lock; mapindex.c's top comment says why the sets.
 */
#include "threatmap/mapindex_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- expiries of the usual view ----------------------------------------- */

void mi_expiry_sift_down(struct expiry *h, size_t n, size_t i)
{
    for (;;) {
        size_t least = i, l = 2 * i + 1, r = l + 1;
        if (l < n && h[l].at < h[least].at)
            least = l;
        if (r < n && h[r].at < h[least].at)
            least = r;
        if (least == i)
            return;
        struct expiry t = h[i];
        h[i] = h[least];
        h[least] = t;
        i = least;
    }
}

static tz_err expiry_push(struct tz_map_index *idx, int64_t at, uint32_t pid)
{
    if (idx->nexp == idx->exp_cap) {
        size_t cap = idx->exp_cap ? idx->exp_cap * 2 : 1024;
        struct expiry *h = realloc(idx->exp, cap * sizeof *h);
        if (!h)
            return TZ_ENOMEM;
        idx->exp = h;
        idx->exp_cap = cap;
    }
    size_t i = idx->nexp++;
    while (i > 0 && idx->exp[(i - 1) / 2].at > at) {
        idx->exp[i] = idx->exp[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    idx->exp[i] = (struct expiry){at, pid};
    return TZ_OK;
}

static struct expiry expiry_pop(struct tz_map_index *idx)
{
    struct expiry top = idx->exp[0];
    idx->exp[0] = idx->exp[--idx->nexp];
    mi_expiry_sift_down(idx->exp, idx->nexp, 0);
    return top;
}

/* ---- updates ------------------------------------------------------------ */

/* Index in sid of the first id >= id. */
static size_t id_lower_bound(const struct tz_map_index *idx, int64_t id)
{
    size_t l = 0, r = idx->n;
    if (r > 0 && idx->sid[r - 1] < id)
        return r; /* the usual case: a new, larger id */
    while (l < r) {
        size_t m = l + (r - l) / 2;
        if (idx->sid[m] < id)
            l = m + 1;
        else
            r = m;
    }
    return l;
}

tz_err tz_map_index_add(struct tz_map_index *idx, const struct tz_map_point *p)
{
    if (!point_valid(p))
        return TZ_EINVAL;
    if (pthread_rwlock_wrlock(&idx->lock) != 0)
        return TZ_EBUSY;
    tz_err err = TZ_OK;
    size_t at = id_lower_bound(idx, p->id);
    if (at < idx->n && idx->sid[at] == p->id) {
        err = TZ_ECONFLICT;
        goto done;
    }
    if (idx->n >= NONE / 2 - 1) {
        err = TZ_ETOOBIG;
        goto done;
    }
    struct mi_rec r = rec_of(p, (uint32_t)idx->n);
    int home = is_late(r.recv, r.ch) ? SET_L : SET_A;
    if (idx->n == idx->cap)
        err = mi_master_reserve(idx, idx->cap + idx->cap / 2 + 1024);
    if (!err)
        err = mi_set_reserve(&idx->set[home]);
    if (err)
        goto done;
    idx->id[r.pid] = p->id;
    for (int s = 0; s < NSETS; s++)
        idx->pos[s][r.pid] = NONE;
    memmove(idx->sid + at + 1, idx->sid + at, (idx->n - at) * sizeof *idx->sid);
    memmove(idx->spid + at + 1, idx->spid + at, (idx->n - at) * sizeof *idx->spid);
    idx->sid[at] = p->id;
    idx->spid[at] = r.pid;
    idx->n++;
    idx->pos[home][r.pid] = mi_set_append(&idx->set[home], &r);
    (void)mi_set_freeze(&idx->set[home], idx->pos[home]); /* on failure it stays in the buffer */
done:
    pthread_rwlock_unlock(&idx->lock);
    return err;
}

/*
 * Moves the point pid, which lives in set `from`, to the buffer of set `to`
 * (A or L) with a new status, leaving dead slots wherever it was.
 */
static tz_err move_point(struct tz_map_index *idx, int from, int to, uint32_t pid, uint8_t status,
                         int32_t ch)
{
    struct mi_set *dest = &idx->set[to];
    tz_err err = mi_set_reserve(dest);
    if (err)
        return err;
    const struct mi_layout *L = &idx->set[from].L;
    uint32_t p = idx->pos[from][pid];
    struct mi_rec r = {L->x[p], L->y[p], L->recv[p], ch, pid, L->cat[p], status};
    for (int s = 0; s < NSETS; s++) {
        if (idx->pos[s][pid] != NONE) {
            mi_set_update(&idx->set[s], idx->pos[s][pid], MI_TOMB, 0);
            idx->pos[s][pid] = NONE;
        }
    }
    idx->pos[to][pid] = mi_set_append(dest, &r);
    (void)mi_set_freeze(dest, idx->pos[to]);
    return TZ_OK;
}

/* Whether A's point at position pa is one of the build's, which P mirrors where shown. */
static bool built_in_a(const struct tz_map_index *idx, uint32_t pa)
{
    const struct mi_set *a = &idx->set[SET_A];
    return a->built_chunks > 0 && pa < a->chunks[a->built_chunks - 1].end;
}

/*
 * Keeps W current for the build point pid of A (category k, at position pa)
 * that takes a new status: out of W, and back into W's buffer if the usual
 * view shows it in a status with a window.
 */
static void window_update(struct tz_map_index *idx, uint32_t pid, uint32_t pa, unsigned k,
                          uint8_t status, int32_t ch)
{
    struct mi_set *w = &idx->set[SET_W];
    if (idx->pos[SET_W][pid] != NONE) {
        mi_set_update(w, idx->pos[SET_W][pid], MI_TOMB, 0);
        idx->pos[SET_W][pid] = NONE;
    }
    if (!usual_until(idx, status, ch) || !usual_shows(idx, k, status, ch))
        return;
    const struct mi_layout *A = &idx->set[SET_A].L;
    struct mi_rec r = {A->x[pa], A->y[pa], A->recv[pa], ch, pid, (uint8_t)k, status};
    /* Without room the point is missing from W: the queries that read W would miss it, so the
     * view stops answering through W (window_broken) until a restart. */
    if (mi_set_reserve(w) != TZ_OK) {
        idx->window_broken = true;
        return;
    }
    idx->pos[SET_W][pid] = mi_set_append(w, &r);
    (void)mi_set_freeze(w, idx->pos[SET_W]);
}

/* Brings P's copy of the build point pid (category k) to a new status in place. */
static void usual_update(struct tz_map_index *idx, uint32_t pid, unsigned k, uint8_t status,
                         int32_t ch)
{
    bool shows = usual_shows(idx, k, status, ch);
    if (!shows)
        note_expired(idx, k, status, ch);
    uint32_t pp = idx->pos[SET_P][pid];
    if (pp == NONE)
        return;
    mi_set_update(&idx->set[SET_P], pp, shows ? status : MI_TOMB, ch);
    int64_t until = usual_until(idx, status, ch);
    /* Without its expiry the point stays in P past its time: answers stay right, only slower. */
    if (shows && until)
        (void)expiry_push(idx, until, pid);
}

tz_err tz_map_index_set_status(struct tz_map_index *idx, int64_t id, uint8_t status,
                               int64_t changed_at)
{
    if (status >= NSTAT)
        return TZ_EINVAL;
    if (pthread_rwlock_wrlock(&idx->lock) != 0)
        return TZ_EBUSY;
    tz_err err = TZ_OK;
    size_t at = id_lower_bound(idx, id);
    if (at >= idx->n || idx->sid[at] != id) {
        err = TZ_ENOTFOUND;
        goto done;
    }
    uint32_t pid = idx->spid[at];
    int32_t ch = rel_time(changed_at);
    uint32_t pl = idx->pos[SET_L][pid], pa = idx->pos[SET_A][pid];
    if (pl != NONE) {
        /* In L's buffer: in place; in a chunk of L: to the buffer, which keeps chunks in
         * status_changed_at order. */
        if (pl >= idx->set[SET_L].frozen)
            mi_set_update(&idx->set[SET_L], pl, status, ch);
        else
            err = move_point(idx, SET_L, SET_L, pid, status, ch);
    } else if (is_late(idx->set[SET_A].L.recv[pa], ch)) {
        err = move_point(idx, SET_A, SET_L, pid, status, ch);
    } else if (idx->has_usual && built_in_a(idx, pa) && idx->pos[SET_P][pid] == NONE &&
               usual_shows(idx, idx->set[SET_A].L.cat[pa], status, ch)) {
        /* Hidden from the usual view at the build and shown now: P has no place for it, and
         * queries of the view read A's chunks of the build only for other statuses. */
        err = move_point(idx, SET_A, SET_A, pid, status, ch);
    } else {
        for (int s = SET_A; s <= SET_C; s++) {
            if (idx->pos[s][pid] != NONE)
                mi_set_update(&idx->set[s], idx->pos[s][pid], status, ch);
        }
        if (idx->has_usual)
            usual_update(idx, pid, idx->set[SET_A].L.cat[pa], status, ch);
        if (idx->has_usual && built_in_a(idx, pa))
            window_update(idx, pid, pa, idx->set[SET_A].L.cat[pa], status, ch);
    }
done:
    pthread_rwlock_unlock(&idx->lock);
    return err;
}

tz_err tz_map_index_expire(struct tz_map_index *idx, int64_t now)
{
    if (!idx->has_usual)
        return TZ_OK;
    if (pthread_rwlock_rdlock(&idx->lock) != 0)
        return TZ_EBUSY;
    bool due = idx->nexp > 0 && idx->exp[0].at <= now;
    pthread_rwlock_unlock(&idx->lock);
    if (!due)
        return TZ_OK;
    if (pthread_rwlock_wrlock(&idx->lock) != 0)
        return TZ_EBUSY;
    idx->usual_now = now > idx->usual_now ? now : idx->usual_now;
    const struct mi_layout *P = &idx->set[SET_P].L;
    /* A bounded share per call, so that queries never wait long behind a backlog. */
    for (int done = 0; done < 4096 && idx->nexp > 0 && idx->exp[0].at <= now; done++) {
        struct expiry e = expiry_pop(idx);
        uint32_t pp = idx->pos[SET_P][e.pid];
        if (pp == NONE || P->st[pp] >= NSTAT)
            continue; /* moved away or hidden already */
        unsigned s = P->st[pp];
        int32_t ch = P->ch[pp];
        if (usual_until(idx, s, ch) != e.at)
            continue; /* changed since: a later entry stands for it */
        note_expired(idx, P->cat[pp], s, ch);
        mi_set_update(&idx->set[SET_P], pp, MI_TOMB, 0);
        uint32_t pw = idx->pos[SET_W][e.pid];
        if (pw != NONE) {
            mi_set_update(&idx->set[SET_W], pw, MI_TOMB, 0);
            idx->pos[SET_W][e.pid] = NONE;
        }
    }
    pthread_rwlock_unlock(&idx->lock);
    return TZ_OK;
}
