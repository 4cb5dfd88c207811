/*
 * sqlite_list.c - the SQLite backend's list of reports (tz_store_list_reports):
 * a filter (bbox, categories, statuses, time range, keyset cursor) answered
 * newest first with a plan chosen here rather than by SQLite (see below).
 */
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "store/sqlite_internal.h"

#define LIST_SQL_MAX 8192 /* longest SQL text a list query may build */

static const char SQL_MAX_REPORT_ID[] = "SELECT MAX(id) FROM reports";
/* One of MIN or MAX alone, so that SQLite reads it at one end of the index. */
static const char SQL_CELL_MIN[] = "SELECT MIN(" TZ_STORE_CELL_SQL ") FROM reports";
static const char SQL_CELL_MAX[] = "SELECT MAX(" TZ_STORE_CELL_SQL ") FROM reports";
static const char SQL_RECEIVED_MIN[] = "SELECT MIN(received_at) FROM reports";
static const char SQL_RECEIVED_MAX[] = "SELECT MAX(received_at) FROM reports";
static const char SQL_CATEGORY_COUNT[] = "SELECT COUNT(*) FROM categories";

/*
 * Lists, newest first, run in up to three steps so that neither a dense nor
 * a sparse filter costs time in proportion to the whole table.
 *
 * Left to itself SQLite plans badly here: it has no statistics about value
 * ranges (Debian's build lacks STAT4), so given a bbox or "status IN (six
 * codes)" it walks that index and sorts every match by id, which for a
 * viewport over the whole country is a sort of the whole table to return 100
 * rows. So the plan is chosen here, with SQLite's unary "+" (which keeps a
 * term from using an index) steering it:
 *
 * 1. A window of the newest ids is scanned by rowid, newest first, stopping
 *    at `limit` matches. A filter that matches a fair share of recent
 *    reports, as map viewports and the public list do, ends here.
 * 2. If that found some matches but not enough, the rate it saw sizes a
 *    second window, as long as that stays under LIST_WINDOW_MAX rows.
 * 3. What is still missing comes from the older ids through the one index
 *    that an estimate says is most selective (see choose_driver), or by
 *    rowid when none looks selective.
 *
 * All steps read one snapshot, inside one read transaction.
 */
#define LIST_WINDOW_PER_ROW 4 /* rows the first window holds per row asked for */
#define LIST_WINDOW_MIN 256
#define LIST_WINDOW_MAX 32768
#define STATUS_CODE_COUNT 7  /* the statuses the schema allows */
#define DRIVER_MAX_SHARE 0.5 /* an index expected to match more than this is no use */

/* What drives a step: a window of rowids, or one index over older ids. */
enum list_driver {
    DRIVE_WINDOW, /* ids in [lo, hi), by rowid; no index */
    DRIVE_ROWID,  /* ids below hi, by rowid */
    DRIVE_BBOX,   /* the grid-cell index (migration 3) */
    DRIVE_TIME,   /* the received_at index */
    DRIVE_CATEGORY,
    DRIVE_STATUS,
};

/*
 * The grid cells a bbox covers (TZ_STORE_CELL_SQL), as ranges of cell
 * numbers: one per row of cells, two where the box crosses 180°. A box of
 * more rows than CELL_RANGES_MAX gets one range from its first cell to its
 * last instead, which also holds cells outside the box: lat and lon are
 * checked row by row anyway, so that costs reading, not correctness.
 */
#define CELL_RANGES_MAX 32
#define CELL_COL_MAX (360 * TZ_STORE_CELLS_PER_DEGREE) /* the column of lon 180 */
/*
 * A point on the box's edge must fall in a cell of the box, so the edges'
 * cells must be worked out here exactly as SQLite works out a point's:
 * (lat + 90) * 50, an addition then a multiplication, each rounded once to a
 * double. That order leaves a compiler nothing to fuse (a fused multiply-add
 * multiplies first) and C does not reassociate, so the results are the same
 * bits as long as doubles are evaluated as doubles, which the assert checks.
 */
_Static_assert(FLT_EVAL_METHOD == 0, "cell numbers need doubles evaluated in double precision");

struct cell_ranges {
    size_t count;
    int64_t lo[CELL_RANGES_MAX], hi[CELL_RANGES_MAX];
};

static int64_t cell_row(double lat)
{
    lat = lat < -90 ? -90 : lat > 90 ? 90 : lat;
    return (int64_t)((lat + 90.0) * TZ_STORE_CELLS_PER_DEGREE);
}

static int64_t cell_col(double lon)
{
    lon = lon < -180 ? -180 : lon > 180 ? 180 : lon;
    return (int64_t)((lon + 180.0) * TZ_STORE_CELLS_PER_DEGREE);
}

static void add_range(struct cell_ranges *r, int64_t lo, int64_t hi)
{
    r->lo[r->count] = lo;
    r->hi[r->count] = hi;
    r->count++;
}

static void bbox_cells(const struct tz_report_filter *f, struct cell_ranges *out)
{
    const int64_t stride = TZ_STORE_CELL_ROW_STRIDE;
    int64_t r0 = cell_row(f->south), r1 = cell_row(f->north);
    int64_t cw = cell_col(f->west), ce = cell_col(f->east);
    /* Crossing 180°: columns from cw to the last one, and from the first one to ce. */
    bool crosses = f->west > f->east;
    if (crosses && cw <= ce + 1) {
        cw = 0; /* the two parts meet: every column */
        ce = CELL_COL_MAX;
        crosses = false;
    }
    size_t per_row = crosses ? 2 : 1;
    out->count = 0;
    if ((uint64_t)(r1 - r0 + 1) * per_row > CELL_RANGES_MAX) {
        add_range(out, r0 * stride + (crosses ? 0 : cw),
                  r1 * stride + (crosses ? CELL_COL_MAX : ce));
        return;
    }
    for (int64_t r = r0; r <= r1; r++) {
        if (crosses) {
            add_range(out, r * stride, r * stride + ce);
            add_range(out, r * stride + cw, r * stride + CELL_COL_MAX);
        } else {
            add_range(out, r * stride + cw, r * stride + ce);
        }
    }
}

/* Appends " AND col" or, when the term must not use an index, " AND +col". */
static tz_err put_term(struct tz_buf *sql, const char *col, bool indexed, const char *rest)
{
    return tz_buf_printf(sql, " AND %s%s%s", indexed ? "" : "+", col, rest);
}

static tz_err put_in_list(struct tz_buf *sql, const char *col, bool indexed, size_t count)
{
    tz_err err = put_term(sql, col, indexed, " IN (?");
    for (size_t i = 1; i < count && !err; i++)
        err = tz_buf_puts(sql, ", ?");
    return err ? err : tz_buf_puts(sql, ")");
}

/* Appends the cell term of a bbox step: one cell, or ranges of them. */
static tz_err put_cells(struct tz_buf *sql, const struct cell_ranges *cells)
{
    if (cells->count == 1 && cells->lo[0] == cells->hi[0])
        return tz_buf_puts(sql, " AND " TZ_STORE_CELL_SQL " = ?");
    tz_err err = tz_buf_puts(sql, " AND (");
    for (size_t i = 0; i < cells->count && !err; i++)
        err = tz_buf_puts(sql, i ? " OR " TZ_STORE_CELL_SQL " BETWEEN ? AND ?"
                                 : TZ_STORE_CELL_SQL " BETWEEN ? AND ?");
    return err ? err : tz_buf_puts(sql, ")");
}

/*
 * Builds the SQL of one step: only fixed text and '?' placeholders, in the
 * order bind_list() binds the values. cells is set for a DRIVE_BBOX step.
 */
static tz_err build_list_sql(const struct tz_report_filter *f, enum list_driver d,
                             const struct cell_ranges *cells, struct tz_buf *sql)
{
    tz_err err = tz_buf_puts(sql, "SELECT " TZ_SQ_REPORT_COLS " FROM reports WHERE ");
    /*
     * Bound to a parameter, "id < ?" looks to SQLite like a better start than
     * any other range, so it may use an index only where the rowid drives or
     * where an equality on (category, id), (status, id) or (cell, id) can
     * take it along: then the index gives the rows newest first, no sort.
     */
    bool one_cell = d == DRIVE_BBOX && cells->count == 1 && cells->lo[0] == cells->hi[0];
    bool id_indexed = d == DRIVE_WINDOW || d == DRIVE_ROWID || one_cell ||
                      (d == DRIVE_CATEGORY && f->category_count == 1) ||
                      (d == DRIVE_STATUS && f->status_count == 1);
    if (!err)
        err = tz_buf_puts(sql, id_indexed ? "id < ?" : "+id < ?");
    if (!err && d == DRIVE_WINDOW)
        err = tz_buf_puts(sql, " AND id >= ?");
    if (!err && f->has_bbox) {
        /*
         * Never a range on an index: lat and lon lead none. The cell index
         * carries them, and SQLite checks them on its entries.
         */
        if (!(err = put_term(sql, "lat", false, " >= ?")))
            err = put_term(sql, "lat", false, " <= ?");
        /* A box whose west edge lies east of its east edge crosses the antimeridian. */
        if (!err && f->west <= f->east) {
            if (!(err = put_term(sql, "lon", false, " >= ?")))
                err = put_term(sql, "lon", false, " <= ?");
        } else if (!err) {
            err = tz_buf_puts(sql, " AND (+lon >= ? OR +lon <= ?)");
        }
        if (!err && d == DRIVE_BBOX)
            err = put_cells(sql, cells);
    }
    if (!err && f->category_count)
        err = put_in_list(sql, "category", d == DRIVE_CATEGORY, f->category_count);
    if (!err && f->status_count)
        err = put_in_list(sql, "status", d == DRIVE_STATUS, f->status_count);
    if (!err && f->from)
        err = put_term(sql, "received_at", d == DRIVE_TIME, " >= ?");
    if (!err && f->to)
        err = put_term(sql, "received_at", d == DRIVE_TIME, " < ?");
    if (!err)
        err = tz_buf_puts(sql, " ORDER BY id DESC LIMIT ?");
    return err;
}

/* Binds one step's values: ids in [lo, hi) (lo only for a window), the filter, the limit. */
static int bind_list(sqlite3_stmt *st, const struct tz_report_filter *f, enum list_driver d,
                     const struct cell_ranges *cells, int64_t hi, int64_t lo, size_t limit)
{
    struct tz_sq_binder b = tz_sq_binder_of(st);
    tz_sq_bind_int64(&b, hi);
    if (d == DRIVE_WINDOW)
        tz_sq_bind_int64(&b, lo);
    if (f->has_bbox) {
        tz_sq_bind_double(&b, f->south);
        tz_sq_bind_double(&b, f->north);
        tz_sq_bind_double(&b, f->west);
        tz_sq_bind_double(&b, f->east);
        if (d == DRIVE_BBOX && cells->count == 1 && cells->lo[0] == cells->hi[0]) {
            tz_sq_bind_int64(&b, cells->lo[0]);
        } else if (d == DRIVE_BBOX) {
            for (size_t i = 0; i < cells->count; i++) {
                tz_sq_bind_int64(&b, cells->lo[i]);
                tz_sq_bind_int64(&b, cells->hi[i]);
            }
        }
    }
    for (size_t i = 0; i < f->category_count; i++)
        tz_sq_bind_text(&b, f->categories[i]);
    for (size_t i = 0; i < f->status_count; i++)
        tz_sq_bind_text(&b, f->statuses[i]);
    if (f->from)
        tz_sq_bind_int64(&b, f->from);
    if (f->to)
        tz_sq_bind_int64(&b, f->to);
    tz_sq_bind_int64(&b, (int64_t)limit);
    return b.rc;
}

/* Runs one step and appends its rows to *recs (n of them, room for cap). */
static tz_err list_step(struct tz_sq_conn *c, const struct tz_report_filter *f, enum list_driver d,
                        int64_t hi, int64_t lo, size_t limit, struct tz_report_rec **recs,
                        size_t *n, size_t *cap)
{
    struct tz_buf sql;
    tz_buf_init(&sql, LIST_SQL_MAX);
    sqlite3_stmt *st = NULL;
    struct cell_ranges cells = {.count = 0};
    if (d == DRIVE_BBOX)
        bbox_cells(f, &cells);
    tz_err err = build_list_sql(f, d, &cells, &sql);
    if (err)
        goto done;
    int rc = sqlite3_prepare_v2(c->db, sql.data, (int)sql.len, &st, NULL);
    if ((err = tz_sq_map_rc(rc)) ||
        (err = tz_sq_map_rc(bind_list(st, f, d, &cells, hi, lo, limit))))
        goto done;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((err = tz_store_grow((void **)recs, cap, *n, sizeof **recs)) ||
            (err = tz_sq_read_report(st, &(*recs)[*n])))
            goto done;
        (*n)++;
    }
    err = tz_sq_map_rc(rc);
done:
    sqlite3_finalize(st);
    tz_buf_free(&sql);
    return err;
}

/* The share of [lo, hi] that [from, to] covers, from 0 to 1. */
static double range_share(double from, double to, double lo, double hi)
{
    if (from < lo)
        from = lo;
    if (to > hi)
        to = hi;
    if (!(hi > lo))
        return 1;
    return to <= from ? 0 : (to - from) / (hi - lo);
}

/*
 * Picks the index for step 3: the one expected to match the smallest share
 * of the reports. The estimates are rough but cheap: a bbox's latitude span
 * against the span of all reports (the rows of the first and last cells in
 * the cell index, which is ordered by row), a time range against the span of
 * all receipt times (both spans read at the ends of their indexes), and a
 * list of codes as its share of all codes.
 */
static tz_err choose_driver(struct tz_sq_conn *c, const struct tz_report_filter *f,
                            enum list_driver *out)
{
    double best = DRIVER_MAX_SHARE, lo = 0, hi = 0;
    tz_err err = TZ_OK;
    *out = DRIVE_ROWID;
    if (f->has_bbox && !(err = tz_sq_query_number(c, SQL_CELL_MIN, &lo)) &&
        !(err = tz_sq_query_number(c, SQL_CELL_MAX, &hi))) {
        double south = (double)((int64_t)lo / TZ_STORE_CELL_ROW_STRIDE);
        double north = (double)((int64_t)hi / TZ_STORE_CELL_ROW_STRIDE + 1);
        south = south / TZ_STORE_CELLS_PER_DEGREE - 90;
        north = north / TZ_STORE_CELLS_PER_DEGREE - 90;
        double share = range_share(f->south, f->north, south, north);
        if (share <= best) {
            best = share;
            *out = DRIVE_BBOX;
        }
    }
    if (!err && (f->from || f->to) && !(err = tz_sq_query_number(c, SQL_RECEIVED_MIN, &lo)) &&
        !(err = tz_sq_query_number(c, SQL_RECEIVED_MAX, &hi))) {
        double share =
            range_share(f->from ? (double)f->from : lo, f->to ? (double)f->to : hi, lo, hi);
        if (share <= best) {
            best = share;
            *out = DRIVE_TIME;
        }
    }
    double categories = 0;
    if (!err && f->category_count && !(err = tz_sq_query_number(c, SQL_CATEGORY_COUNT, &categories)) &&
        categories > 0) {
        double share = (double)f->category_count / categories;
        if (share <= best) {
            best = share;
            *out = DRIVE_CATEGORY;
        }
    }
    if (!err && f->status_count) {
        double share = (double)f->status_count / STATUS_CODE_COUNT;
        if (share <= best)
            *out = DRIVE_STATUS;
    }
    return err;
}

tz_err tz_sq_list_reports(struct tz_store *store, const struct tz_report_filter *filter,
                          struct tz_report_rec **out, size_t *count)
{
    size_t limit = tz_store_page(filter->limit);
    struct tz_sq_conn *c = tz_sq_reader_acquire(store);
    struct tz_report_rec *recs = NULL;
    size_t n = 0, cap = 0;
    double max_id = 0;
    tz_err err = tz_sq_read_tx_begin(c);
    if (err)
        goto done;
    if ((err = tz_sq_query_number(c, SQL_MAX_REPORT_ID, &max_id)))
        goto done;

    /* Ids run from 1 up without gaps worth counting (reports are never deleted). */
    int64_t hi = (int64_t)max_id + 1;
    if (filter->before_id && filter->before_id < hi)
        hi = filter->before_id;
    int64_t window = (int64_t)(limit * LIST_WINDOW_PER_ROW);
    window = window < LIST_WINDOW_MIN ? LIST_WINDOW_MIN : window;
    int64_t lo = hi - window > 1 ? hi - window : 1;
    if (hi > 1)
        err = list_step(c, filter, DRIVE_WINDOW, hi, lo, limit, &recs, &n, &cap);
    if (!err && n > 0 && n < limit && lo > 1) {
        /* Twice the rows that the match rate seen so far says the rest needs. */
        int64_t more = (int64_t)(limit - n) * (hi - lo) / (int64_t)n * 2;
        if (more <= LIST_WINDOW_MAX) {
            int64_t lo2 = lo - more > 1 ? lo - more : 1;
            err = list_step(c, filter, DRIVE_WINDOW, lo, lo2, limit - n, &recs, &n, &cap);
            lo = lo2;
        }
    }
    if (!err && n < limit && lo > 1) {
        enum list_driver d;
        if (!(err = choose_driver(c, filter, &d)))
            err = list_step(c, filter, d, lo, 0, limit - n, &recs, &n, &cap);
    }
    if (!err)
        err = tz_sq_read_tx_commit(c);
done:
    tz_sq_tx_rollback(c); /* ends the read transaction if an error left it open */
    tz_sq_reader_release(store, c);
    if (err) {
        tz_report_recs_free(recs, n);
        return err;
    }
    *out = recs;
    *count = n;
    return TZ_OK;
}
