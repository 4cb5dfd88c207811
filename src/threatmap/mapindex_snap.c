/*
 * mapindex_snap.c - the map index written to a file and read back (see
 * mapindex.h, "Snapshots"), so that a server starts from the built index
 * instead of a scan of every report and a build.
 *
 * The file is the index's own arrays, as they lie in memory, behind a fixed
 * header and a block of counts ("shape"):
 *
 *   header   magic "TZMAPIX\n", format version, header size, byte order,
 *            the file's length, the checksum, the caller's meta (what the file
 *            belongs to, the change feed's position it reflects)
 *   shape    the index's scalars (points, expiries, the usual view) and per
 *            set its counts (points, frozen, nodes, chunks) and ch_base
 *   arrays   the master arrays (ids, positions per set, sorted ids, the
 *            expiry heap), then per set its points (x, y, pid, times, category,
 *            status), nodes, sums and chunks
 *
 * Nothing is compressed or converted: a load is one read per array straight
 * into the memory the index keeps (about 170 bytes a report), so its cost is
 * the copy from the page cache and the page faults of fresh memory.
 *
 * The checksum is CRC32C in four lanes (8-byte word i goes to lane i mod 4, the
 * last partial word is padded with zeros, the length closes each lane): four
 * independent chains run at the speed of the machine's crc32 instruction (SSE
 * 4.2; a table elsewhere, which gives the same sums), where a cryptographic
 * hash of 1.5 GB would cost seconds. It is there to catch a torn or damaged file, not an attacker:
 * who can write the file beside the database can write the database.
 *
 * A file is refused, with a reason, unless its version, length, checksum and
 * every count agree, and the arrays pass the checks the index's code relies on
 * to stay inside its arrays (positions, node children, chunk roots, depths):
 * a hostile file may at worst make a wrong map, never a crash (fuzz/
 * fuzz_mapindex_snap.c). The caller checks that the file is its database's.
 */
#include "threatmap/mapindex_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#define MAGIC "TZMAPIX\n"
#define BYTE_ORDER_MARK 0x0102030405060708ull
#define MAX_DEPTH 40 /* a tree is at most 33 deep (mapindex_tree.c); refresh_path stops at 40 */

struct header {
    char magic[8];
    uint32_t version;
    uint32_t header_bytes;
    uint64_t byte_order;
    uint64_t file_bytes;
    uint32_t sum[4]; /* of the whole file with this field zeroed */
    struct tz_map_snap_meta meta;
};

struct set_shape {
    uint64_t n, frozen, nnodes, nchunks, built_chunks;
    int32_t ch_base;
    uint32_t pad;
};

struct shape {
    uint64_t n, nexp;
    int64_t usual_now;
    struct tz_map_usual usual;
    int32_t expired_max_ch[NSTAT];
    uint8_t has_usual, window_broken, expired_any[NSTAT];
    uint8_t pad[11]; /* no hidden padding: every byte of the file is written */
    struct set_shape set[NSETS];
};

/* ---- the checksum ------------------------------------------------------- */

struct sum {
    uint32_t lane[4];
    uint64_t words; /* whole words taken so far */
    uint8_t tail[8];
    size_t ntail;
    uint64_t bytes;
};

static uint32_t crc_table[256];
static bool hw_crc;

static void crc_make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc_table[i] = c;
    }
#if defined(__x86_64__)
    hw_crc = __builtin_cpu_supports("sse4.2");
#endif
}

/* The table and the choice of instruction, once per process (saves and loads may run at once). */
static void crc_init(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, crc_make_table);
}

static uint32_t crc_word_sw(uint32_t c, uint64_t w)
{
    for (int k = 0; k < 8; k++, w >>= 8)
        c = crc_table[(c ^ (uint8_t)w) & 0xFF] ^ (c >> 8);
    return c;
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static void crc_blocks_hw(uint32_t lane[4], const uint8_t *p,
                                                            size_t blocks)
{
    uint64_t a = lane[0], b = lane[1], c = lane[2], d = lane[3];
    for (size_t i = 0; i < blocks; i++, p += 32) {
        a = _mm_crc32_u64(a, load64(p));
        b = _mm_crc32_u64(b, load64(p + 8));
        c = _mm_crc32_u64(c, load64(p + 16));
        d = _mm_crc32_u64(d, load64(p + 24));
    }
    lane[0] = (uint32_t)a, lane[1] = (uint32_t)b, lane[2] = (uint32_t)c, lane[3] = (uint32_t)d;
}
#endif

static void crc_blocks(uint32_t lane[4], const uint8_t *p, size_t blocks)
{
#if defined(__x86_64__)
    if (hw_crc) {
        crc_blocks_hw(lane, p, blocks);
        return;
    }
#endif
    for (size_t i = 0; i < blocks; i++, p += 32) {
        for (int l = 0; l < 4; l++)
            lane[l] = crc_word_sw(lane[l], load64(p + 8 * l));
    }
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_word_hw(uint32_t c, uint64_t w)
{
    return (uint32_t)_mm_crc32_u64(c, w);
}
#endif

static void sum_word(struct sum *s, uint64_t w)
{
    uint32_t *l = &s->lane[s->words++ & 3];
#if defined(__x86_64__)
    if (hw_crc) {
        *l = crc_word_hw(*l, w);
        return;
    }
#endif
    *l = crc_word_sw(*l, w);
}

static void sum_add(struct sum *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    if (n == 0)
        return;
    s->bytes += n;
    while (n > 0 && s->ntail > 0) { /* finish the partial word of the last call */
        s->tail[s->ntail++] = *p++;
        n--;
        if (s->ntail == 8) {
            sum_word(s, load64(s->tail));
            s->ntail = 0;
        }
    }
    while (n >= 8 && (s->words & 3) != 0) {
        sum_word(s, load64(p));
        p += 8, n -= 8;
    }
    size_t blocks = n / 32;
    crc_blocks(s->lane, p, blocks);
    s->words += 4 * blocks;
    p += 32 * blocks, n -= 32 * blocks;
    while (n >= 8) {
        sum_word(s, load64(p));
        p += 8, n -= 8;
    }
    memcpy(s->tail, p, n);
    s->ntail = n;
}

static void sum_end(struct sum *s, uint32_t out[4])
{
    if (s->ntail > 0) {
        memset(s->tail + s->ntail, 0, 8 - s->ntail);
        sum_word(s, load64(s->tail));
        s->ntail = 0;
    }
    for (int l = 0; l < 4; l++)
        out[l] = ~crc_word_sw(s->lane[l], s->bytes);
}

static void sum_start(struct sum *s)
{
    crc_init();
    memset(s, 0, sizeof *s);
    for (int l = 0; l < 4; l++)
        s->lane[l] = 0xFFFFFFFFu;
}

/* ---- what the file holds, in order -------------------------------------- */

/* One array of the file: where it lies and its size in bytes. */
struct part {
    void *p;
    size_t bytes;
};

#define MAX_PARTS (8 + NSETS * 11)

/* The index's arrays in file order (pointers of idx, sizes from its counts). */
static size_t parts_of(struct tz_map_index *idx, struct part *out)
{
    size_t k = 0, n = idx->n;
    out[k++] = (struct part){idx->id, n * sizeof *idx->id};
    for (int s = 0; s < NSETS; s++)
        out[k++] = (struct part){idx->pos[s], n * sizeof *idx->pos[s]};
    out[k++] = (struct part){idx->sid, n * sizeof *idx->sid};
    out[k++] = (struct part){idx->spid, n * sizeof *idx->spid};
    out[k++] = (struct part){idx->exp, idx->nexp * sizeof *idx->exp};
    for (int s = 0; s < NSETS; s++) {
        struct mi_set *set = &idx->set[s];
        struct mi_layout *L = &set->L;
        out[k++] = (struct part){L->x, L->n * sizeof *L->x};
        out[k++] = (struct part){L->y, L->n * sizeof *L->y};
        out[k++] = (struct part){L->pid, L->n * sizeof *L->pid};
        if (!set->timeless) {
            out[k++] = (struct part){L->recv, L->n * sizeof *L->recv};
            out[k++] = (struct part){L->ch, L->n * sizeof *L->ch};
        }
        out[k++] = (struct part){L->cat, L->n};
        out[k++] = (struct part){L->st, L->n};
        out[k++] = (struct part){L->nodes, L->nnodes * sizeof *L->nodes};
        out[k++] = (struct part){L->sums, L->nnodes * sizeof *L->sums};
        out[k++] = (struct part){set->chunks, set->nchunks * sizeof *set->chunks};
    }
    return k;
}

/* The flags each set is built with (mapindex.c's build). */
static void set_flags(struct tz_map_index *idx)
{
    idx->set[SET_C].one_tree = idx->set[SET_P].one_tree = true;
    idx->set[SET_B].timeless = idx->set[SET_C].timeless = true;
}

static void shape_of(const struct tz_map_index *idx, struct shape *sh)
{
    memset(sh, 0, sizeof *sh);
    sh->n = idx->n;
    sh->nexp = idx->nexp;
    sh->usual_now = idx->usual_now;
    sh->usual = idx->usual;
    sh->has_usual = idx->has_usual;
    sh->window_broken = idx->window_broken;
    for (int s = 0; s < NSTAT; s++) {
        sh->expired_any[s] = idx->expired_any[s];
        sh->expired_max_ch[s] = idx->expired_max_ch[s];
    }
    for (int s = 0; s < NSETS; s++) {
        const struct mi_set *set = &idx->set[s];
        sh->set[s] = (struct set_shape){
            set->L.n, set->frozen, set->L.nnodes, set->nchunks, set->built_chunks, set->L.ch_base,
            0};
    }
}

/* ---- writing ------------------------------------------------------------ */

static tz_err write_all(int fd, const void *data, size_t n)
{
    const uint8_t *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n > (1u << 30) ? (1u << 30) : n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return errno == ENOSPC || errno == EDQUOT ? TZ_ENOSPACE : TZ_EIO;
        p += w;
        n -= (size_t)w;
    }
    return TZ_OK;
}

tz_err tz_map_index_save(const struct tz_map_index *idx, const struct tz_map_snap_meta *meta,
                         int fd)
{
    struct tz_map_index *w = (struct tz_map_index *)idx; /* the lock is not part of the value */
    struct header h = {.version = TZ_MAP_SNAP_VERSION,
                       .header_bytes = sizeof h,
                       .byte_order = BYTE_ORDER_MARK,
                       .meta = *meta};
    memcpy(h.magic, MAGIC, 8);
    struct shape sh;
    struct part parts[MAX_PARTS];
    struct sum sum;
    sum_start(&sum);
    if (pthread_rwlock_rdlock(&w->lock) != 0)
        return TZ_EBUSY;
    shape_of(idx, &sh);
    size_t np = parts_of(w, parts);
    h.file_bytes = sizeof h + sizeof sh;
    for (size_t i = 0; i < np; i++)
        h.file_bytes += parts[i].bytes;
    /* The header goes first with its checksum still zero, and again at the end with it. */
    tz_err err = write_all(fd, &h, sizeof h);
    if (!err)
        err = write_all(fd, &sh, sizeof sh);
    sum_add(&sum, &h, sizeof h);
    sum_add(&sum, &sh, sizeof sh);
    for (size_t i = 0; !err && i < np; i++) {
        if (parts[i].bytes == 0)
            continue;
        err = write_all(fd, parts[i].p, parts[i].bytes);
        sum_add(&sum, parts[i].p, parts[i].bytes);
    }
    pthread_rwlock_unlock(&w->lock);
    sum_end(&sum, h.sum);
    if (!err && lseek(fd, 0, SEEK_SET) != 0)
        err = TZ_EIO;
    if (!err)
        err = write_all(fd, &h, sizeof h);
    return err;
}

/* ---- reading ------------------------------------------------------------ */

/* Where a load reads from: a file or memory. */
struct src {
    int fd;
    const uint8_t *mem;
    size_t len, off;
    struct sum sum;
    char *why;
    size_t why_size;
};

static tz_err refuse(struct src *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static tz_err refuse(struct src *r, const char *fmt, ...)
{
    if (r->why && r->why_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->why, r->why_size, fmt, ap);
        va_end(ap);
    }
    return TZ_EINVAL;
}

static tz_err src_read(struct src *r, void *dst, size_t n)
{
    if (n == 0)
        return TZ_OK; /* dst may be NULL: an array of nothing */
    if (n > r->len - r->off)
        return refuse(r, "truncated");
    if (r->mem) {
        memcpy(dst, r->mem + r->off, n);
    } else {
        uint8_t *p = dst;
        for (size_t got = 0; got < n;) {
            size_t want = n - got > (1u << 30) ? (1u << 30) : n - got;
            ssize_t k = read(r->fd, p + got, want);
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0)
                return TZ_EIO;
            if (k == 0)
                return refuse(r, "truncated");
            got += (size_t)k;
        }
    }
    r->off += n;
    sum_add(&r->sum, dst, n);
    return TZ_OK;
}

/* Counts that fit the index's 32-bit positions, and a shape whose arrays make the file's length. */
static tz_err check_shape(struct src *r, const struct shape *sh, uint64_t file_bytes)
{
    uint64_t lim = NONE / 2;
    if (sh->n >= lim)
        return refuse(r, "point count out of range");
    /* Every other count is bounded by n or by 32 bits; the expiries only by the file, so that the
     * sum of sizes below cannot wrap around. */
    if (sh->nexp > file_bytes / sizeof(struct expiry))
        return refuse(r, "expiry count out of range");
    uint64_t bytes = sizeof(struct header) + sizeof(struct shape);
    bytes += sh->n * (2 * sizeof(int64_t) + NSETS * sizeof(uint32_t) + sizeof(uint32_t)) +
             sh->nexp * sizeof(struct expiry);
    for (int s = 0; s < NSETS; s++) {
        const struct set_shape *ss = &sh->set[s];
        bool timeless = s == SET_B || s == SET_C;
        if (ss->n >= lim || ss->frozen > ss->n || ss->nnodes >= NONE || ss->nchunks > ss->n + 1 ||
            ss->built_chunks > ss->nchunks)
            return refuse(r, "set %d: counts out of range", s);
        bytes += ss->n * ((timeless ? 3 : 5) * sizeof(uint32_t) + 2) +
                 ss->nnodes * (sizeof(struct mi_node) + sizeof(struct mi_sums)) +
                 ss->nchunks * sizeof(struct mi_chunk);
    }
    if (bytes != file_bytes)
        return refuse(r, "the counts do not make the file's length");
    if (sh->has_usual > 1 || sh->window_broken > 1)
        return refuse(r, "flags out of range");
    for (int s = 0; s < NSTAT; s++) {
        if (sh->expired_any[s] > 1)
            return refuse(r, "flags out of range");
        if (sh->has_usual &&
            (sh->usual.shown_for[s] < 0 || sh->usual.shown_for[s] > 10 * 366 * (int64_t)MI_DAY))
            return refuse(r, "usual view out of range");
    }
    return TZ_OK;
}

/* Allocates the arrays of a loaded index to the shape's counts, with room to grow as a build's. */
static tz_err alloc_index(struct tz_map_index *idx, const struct shape *sh)
{
    size_t n = sh->n;
    tz_err err = mi_master_reserve(idx, n + n / 16 + MI_BUFFER_POINTS);
    if (!err && sh->nexp) {
        idx->exp = malloc(sh->nexp * sizeof *idx->exp);
        err = idx->exp ? TZ_OK : TZ_ENOMEM;
        idx->exp_cap = sh->nexp;
    }
    for (int s = 0; !err && s < NSETS; s++) {
        struct mi_set *set = &idx->set[s];
        struct mi_layout *L = &set->L;
        const struct set_shape *ss = &sh->set[s];
        size_t cap = ss->n + (set->timeless ? 1 : ss->n / 16 + MI_BUFFER_POINTS);
        L->x = malloc(cap * sizeof *L->x);
        L->y = malloc(cap * sizeof *L->y);
        L->pid = malloc(cap * sizeof *L->pid);
        if (!set->timeless) {
            L->recv = malloc(cap * sizeof *L->recv);
            L->ch = malloc(cap * sizeof *L->ch);
        }
        L->cat = malloc(cap);
        L->st = malloc(cap);
        L->cap = cap;
        L->nodes = malloc((ss->nnodes ? ss->nnodes : 1) * sizeof *L->nodes);
        L->sums = malloc((ss->nnodes ? ss->nnodes : 1) * sizeof *L->sums);
        L->nodes_cap = ss->nnodes ? ss->nnodes : 1;
        set->chunks = malloc((ss->nchunks + 4) * sizeof *set->chunks);
        set->chunks_cap = ss->nchunks + 4;
        if (!L->x || !L->y || !L->pid || (!set->timeless && (!L->recv || !L->ch)) || !L->cat ||
            !L->st || !L->nodes || !L->sums || !set->chunks)
            err = TZ_ENOMEM;
        L->n = ss->n;
        L->nnodes = ss->nnodes;
        L->ch_base = ss->ch_base;
        set->frozen = ss->frozen;
        set->nchunks = ss->nchunks;
        set->built_chunks = ss->built_chunks;
    }
    if (!err) {
        idx->n = n;
        idx->nexp = sh->nexp;
        idx->usual_now = sh->usual_now;
        idx->usual = sh->usual;
        idx->has_usual = sh->has_usual;
        idx->window_broken = sh->window_broken;
        for (int s = 0; s < NSTAT; s++) {
            idx->expired_any[s] = sh->expired_any[s];
            idx->expired_max_ch[s] = sh->expired_max_ch[s];
        }
    }
    return err;
}

/* The nodes of a layout: ranges inside its points, children after their parent, depth bounded. */
static tz_err check_nodes(struct src *r, int s, const struct mi_layout *L)
{
    uint8_t *depth = calloc(L->nnodes ? L->nnodes : 1, 1);
    if (!depth)
        return TZ_ENOMEM;
    tz_err err = TZ_OK;
    for (size_t i = 0; !err && i < L->nnodes; i++) {
        const struct mi_node *nd = &L->nodes[i];
        if (nd->begin > nd->end || nd->end > L->n)
            err = refuse(r, "set %d: node %zu out of range", s, i);
        else if (nd->child == 0 && nd->nchild != 0)
            err = refuse(r, "set %d: node %zu: a leaf with children", s, i);
        else if (nd->child != 0 && (nd->child <= i || nd->nchild < 2 || nd->nchild > 4 ||
                                    (size_t)nd->child + nd->nchild > L->nnodes))
            err = refuse(r, "set %d: node %zu: children out of range", s, i);
        else if (nd->child != 0 && depth[i] + 1 >= MAX_DEPTH - 2)
            err = refuse(r, "set %d: node %zu: too deep", s, i);
        for (uint32_t c = 0; !err && nd->child && c < nd->nchild; c++) {
            uint8_t d = (uint8_t)(depth[i] + 1);
            if (depth[nd->child + c] < d)
                depth[nd->child + c] = d;
        }
    }
    free(depth);
    return err;
}

/* The chunks of a set: consecutive runs of its frozen points, roots inside their nodes. */
static tz_err check_chunks(struct src *r, int s, const struct mi_set *set)
{
    const struct mi_layout *L = &set->L;
    uint32_t at = 0, node0 = 0;
    for (size_t k = 0; k < set->nchunks; k++) {
        const struct mi_chunk *ck = &set->chunks[k];
        uint32_t nodes_end = k + 1 < set->nchunks ? set->chunks[k + 1].node0 : (uint32_t)L->nnodes;
        if (ck->begin != at || ck->end < ck->begin || ck->end > set->frozen || ck->node0 < node0 ||
            nodes_end < ck->node0 || nodes_end > L->nnodes)
            return refuse(r, "set %d: chunk %zu out of range", s, k);
        for (int c = 0; c < NCAT; c++) {
            if (ck->root[c] != NONE && (ck->root[c] < ck->node0 || ck->root[c] >= nodes_end))
                return refuse(r, "set %d: chunk %zu: a root out of range", s, k);
        }
        /* An update of a frozen point refreshes its chunk's tree of its category. */
        for (uint32_t p = ck->begin; p < ck->end; p++) {
            if (ck->root[set->one_tree ? 0 : L->cat[p]] == NONE)
                return refuse(r, "set %d: point %u has no tree", s, p);
        }
        at = ck->end;
        node0 = ck->node0;
    }
    if (at != set->frozen)
        return refuse(r, "set %d: the chunks do not cover its frozen points", s);
    return TZ_OK;
}

/*
 * What the index's code relies on to stay inside its arrays. Each check reads its arrays in
 * order: one lookup by position per point and set (does the slot hold this point?) would cost a
 * cache miss each, seconds at 10 M, for a consistency the checksum already vouches for.
 */
static tz_err check_index(struct src *r, const struct tz_map_index *idx)
{
    for (int s = 0; s < NSETS; s++) {
        const struct mi_set *set = &idx->set[s];
        const struct mi_layout *L = &set->L;
        for (size_t p = 0; p < L->n; p++) {
            if (L->pid[p] >= idx->n || L->cat[p] >= NCAT || L->st[p] > MI_TOMB)
                return refuse(r, "set %d: point %zu out of range", s, p);
        }
        tz_err err = check_nodes(r, s, L);
        if (!err)
            err = check_chunks(r, s, set);
        if (err)
            return err;
    }
    for (size_t pid = 0; pid < idx->n; pid++) {
        for (int s = 0; s < NSETS; s++) {
            uint32_t p = idx->pos[s][pid];
            if (p != NONE && p >= idx->set[s].L.n)
                return refuse(r, "point %zu: position out of range", pid);
        }
        if ((idx->pos[SET_A][pid] == NONE) == (idx->pos[SET_L][pid] == NONE))
            return refuse(r, "point %zu: not in exactly one of A and L", pid);
    }
    for (size_t i = 0; i < idx->n; i++) {
        if ((i > 0 && idx->sid[i] <= idx->sid[i - 1]) || idx->spid[i] >= idx->n)
            return refuse(r, "ids out of order");
    }
    for (size_t i = 0; i < idx->nexp; i++) {
        if (idx->exp[i].pid >= idx->n)
            return refuse(r, "expiry out of range");
    }
    return TZ_OK;
}

static tz_err load(struct src *r, struct tz_map_snap_meta *meta, struct tz_map_index **out)
{
    struct header h;
    struct shape sh;
    struct tz_map_index *idx = NULL;
    struct part parts[MAX_PARTS];
    uint32_t want[4];
    *out = NULL;
    sum_start(&r->sum);
    if (r->len < sizeof h)
        return refuse(r, "truncated");
    tz_err err = src_read(r, &h, sizeof h);
    if (err)
        return err;
    if (memcmp(h.magic, MAGIC, 8) != 0)
        return refuse(r, "not a map index snapshot");
    if (h.version != TZ_MAP_SNAP_VERSION)
        return refuse(r, "format version %u, this program reads %u", h.version,
                      TZ_MAP_SNAP_VERSION);
    if (h.header_bytes != sizeof h || h.byte_order != BYTE_ORDER_MARK)
        return refuse(r, "written by another kind of machine");
    if (h.file_bytes != r->len)
        return refuse(r, "%zu bytes where the header says %llu (truncated or grown)", r->len,
                      (unsigned long long)h.file_bytes);
    memcpy(want, h.sum, sizeof want);
    /* The checksum was taken with its own field zero: take the header again that way. */
    sum_start(&r->sum);
    memset(h.sum, 0, sizeof h.sum);
    sum_add(&r->sum, &h, sizeof h);
    err = src_read(r, &sh, sizeof sh);
    if (!err)
        err = check_shape(r, &sh, h.file_bytes);
    if (!err)
        err = mi_index_new(&idx);
    if (err)
        return err;
    set_flags(idx);
    err = alloc_index(idx, &sh);
    size_t np = err ? 0 : parts_of(idx, parts);
    for (size_t i = 0; !err && i < np; i++) {
        err = src_read(r, parts[i].p, parts[i].bytes);
    }
    uint32_t got[4];
    sum_end(&r->sum, got);
    if (!err && memcmp(got, want, sizeof got) != 0)
        err = refuse(r, "checksum mismatch (damaged)");
    if (!err)
        err = check_index(r, idx);
    if (err) {
        tz_map_index_free(idx);
        return err;
    }
    *meta = h.meta;
    *out = idx;
    return TZ_OK;
}

tz_err tz_map_index_load(int fd, struct tz_map_snap_meta *meta, struct tz_map_index **out,
                         char *why, size_t why_size)
{
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0 || lseek(fd, 0, SEEK_SET) != 0)
        return TZ_EIO;
    struct src r = {.fd = fd, .len = (size_t)end, .why = why, .why_size = why_size};
    return load(&r, meta, out);
}

tz_err tz_map_index_load_mem(const void *buf, size_t len, struct tz_map_snap_meta *meta,
                             struct tz_map_index **out, char *why, size_t why_size)
{
    static const uint8_t none;
    struct src r = {
        .fd = -1, .mem = len ? buf : &none, .len = len, .why = why, .why_size = why_size};
    return load(&r, meta, out);
}

void tz_map_snap_seal(void *buf, size_t len)
{
    struct header h;
    if (len < sizeof h)
        return;
    memcpy(&h, buf, sizeof h);
    memset(h.sum, 0, sizeof h.sum);
    struct sum s;
    sum_start(&s);
    sum_add(&s, &h, sizeof h);
    sum_add(&s, (const uint8_t *)buf + sizeof h, len - sizeof h);
    sum_end(&s, h.sum);
    memcpy(buf, &h, sizeof h);
}
