/*
 * static.c - the browser front end's files, served from srv->web_root.
 *
 * This faces anyone on the network, so a path is served only when it is
 * plainly one of our files: letters, digits and "._-/" only (which leaves no
 * room for encoded traversal, NUL or backslashes, since libmicrohttpd has
 * already decoded %XX), no empty, "." or ".." segment, no hidden file, an
 * extension on an allow-list, and, after realpath(), still inside the folder
 * it was asked of (a symlink may not lead out). Only regular files of at
 * most STATIC_FILE_MAX bytes are sent.
 *
 * Two folders are mounted: "/vendor/leaflet/" is Leaflet's dist/ as npm
 * installed it (web/node_modules/leaflet/dist), and "/" is web/ itself, with
 * "/" meaning index.html. The rest of node_modules is not served.
 *
 * HTML pages carry the front end's Content-Security-Policy. Its img-src names
 * the tile server of the page's <meta name="tarcza-tiles" content="URL|...">,
 * if the page has one: the page and the policy then cannot disagree. A tile
 * server given to `tarcza serve --tiles` is written into that meta of every
 * page whose own is empty, so a deployment configures it without editing web/.
 * It may be an XYZ template, a WMTS template (KVP GetTile or RESTful, with
 * {TileMatrix}/{TileRow}/{TileCol}) or a WMS GetMap URL without its box
 * (tiles_url_ok); each is checked for its scheme, host and placeholders, and
 * the policy names its host whatever the form.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "http/internal.h"

#define STATIC_FILE_MAX (8u * 1024 * 1024) /* larger files are not ours: refuse them */
#define STATIC_REL_MAX 256                 /* longest path under a mount */
#define TILE_ORIGIN_MAX 200                /* longest tile origin put in the policy */
#define TILES_TEXT_MAX 300                 /* longest --tiles URL or attribution */

/* A fixed key: an ETag needs a stable digest, not a secret one. */
static const unsigned char etag_key[crypto_shorthash_KEYBYTES] = {
    't', 'a', 'r', 'c', 'z', 'a', '-', 'e', 't', 'a', 'g', '-', 't', 'i', 'l', 'e'};
static const char empty_tiles_meta[] = "<meta name=\"tarcza-tiles\" content=\"\">";

struct file_type {
    const char *ext;
    const char *type;
    bool html;
};

static const struct file_type file_types[] = {
    {"html", "text/html; charset=utf-8", true},
    {"js", "text/javascript; charset=utf-8", false},
    {"mjs", "text/javascript; charset=utf-8", false},
    {"css", "text/css; charset=utf-8", false},
    {"json", "application/json; charset=utf-8", false},
    {"geojson", "application/geo+json; charset=utf-8", false},
    {"map", "application/json; charset=utf-8", false},
    {"svg", "image/svg+xml", false},
    {"png", "image/png", false},
    {"ico", "image/x-icon", false},
    {"woff2", "font/woff2", false},
    {"webmanifest", "application/manifest+json", false}, /* the installable web app (issue 19) */
};

struct mount {
    const char *prefix; /* URL prefix, ending in '/' */
    const char *dir;    /* folder under web_root ("" for web_root itself) */
    const char *cache;  /* Cache-Control of its files (all carry an ETag too) */
};

/*
 * Our own files change with every release under the same names, so the
 * browser revalidates them (a cheap 304). Leaflet changes only with an
 * upgrade, so it may be kept for an hour.
 */
static const struct mount mounts[] = {
    {"/vendor/leaflet/", "node_modules/leaflet/dist", "public, max-age=3600"},
    {"/vendor/uplot/", "node_modules/uplot/dist", "public, max-age=3600"}, /* analysis charts */
    {"/", "", "no-cache"},
};

static const char csp_head[] = "default-src 'self'; img-src 'self' data:";
static const char csp_tail[] = "; style-src 'self'; script-src 'self'; connect-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/* Files that are not pages: should one be opened directly (an SVG), it may run nothing. */
static const char csp_other[] = "default-src 'none'; frame-ancestors 'none'";
/* The service worker (web/sw.js): a response's CSP governs the worker it starts, which fetches the
 * app shell from this origin to keep it for offline use, and nothing else. */
static const char csp_worker[] = "default-src 'self'; frame-ancestors 'none'";

/* A file found for a request: open, or fd -1. */
struct static_file {
    const struct mount *mount;
    const struct file_type *type;
    int fd;
    struct stat st;
    char etag[64];
};

/* Finds the mount of url and the path under it ("/" is index.html). */
static const struct mount *find_mount(const char *url, const char **rel)
{
    if (strcmp(url, "/") == 0) {
        *rel = "index.html";
        return &mounts[sizeof mounts / sizeof mounts[0] - 1];
    }
    for (size_t i = 0; i < sizeof mounts / sizeof mounts[0]; i++) {
        size_t n = strlen(mounts[i].prefix);
        if (strncmp(url, mounts[i].prefix, n) == 0) {
            *rel = url + n;
            return &mounts[i];
        }
    }
    return NULL;
}

static bool plain_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '/';
}

/*
 * Whether rel is a path we would ever serve: plain characters, and segments
 * that are neither empty nor start with a dot (so no ".", "..", ".git").
 * Under web_root, node_modules is reachable only through its mount.
 */
static bool plain_path(const struct mount *m, const char *rel)
{
    size_t n = strnlen(rel, STATIC_REL_MAX + 1);
    if (n == 0 || n > STATIC_REL_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool segment_start = i == 0 || rel[i - 1] == '/';
        if (!plain_char(rel[i]) || (segment_start && (rel[i] == '.' || rel[i] == '/')))
            return false;
    }
    if (rel[n - 1] == '/')
        return false;
    return m->dir[0] != '\0' || strncmp(rel, "node_modules/", 13) != 0;
}

/* The type of rel by its extension; NULL when it is not on the list. */
static const struct file_type *type_of(const char *rel)
{
    const char *slash = strrchr(rel, '/');
    const char *dot = strrchr(slash ? slash : rel, '.');
    if (!dot)
        return NULL;
    for (size_t i = 0; i < sizeof file_types / sizeof file_types[0]; i++) {
        if (strcmp(dot + 1, file_types[i].ext) == 0)
            return &file_types[i];
    }
    return NULL;
}

/*
 * Opens rel under the mount's folder, refusing anything whose real path
 * leaves that folder or that is not a regular file of a bounded size.
 * The folder is resolved too: npm may have made node_modules a link.
 */
static bool open_under(const char *web_root, struct static_file *f, const char *rel)
{
    char dir[PATH_MAX], path[PATH_MAX], base[PATH_MAX], real[PATH_MAX];
    bool ok = false;
    int n =
        snprintf(dir, sizeof dir, "%s%s%s", web_root, f->mount->dir[0] ? "/" : "", f->mount->dir);
    if (n < 0 || (size_t)n >= sizeof dir || !realpath(dir, base))
        goto done;
    n = snprintf(path, sizeof path, "%s/%s", base, rel);
    if (n < 0 || (size_t)n >= sizeof path || !realpath(path, real))
        goto done;
    size_t len = strlen(base);
    if (strncmp(real, base, len) != 0 || real[len] != '/')
        goto done;
    /* O_NONBLOCK: opening a FIFO planted in the folder must not hang a worker. */
    f->fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (f->fd < 0 || fstat(f->fd, &f->st) != 0)
        goto done;
    ok = S_ISREG(f->st.st_mode) && f->st.st_size <= (off_t)STATIC_FILE_MAX;
done:
    return ok;
}

/* Whether the client's If-None-Match names our current ETag. */
static bool client_has(struct request *req, const char *etag)
{
    const char *inm =
        MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    return inm && (strcmp(inm, "*") == 0 || strstr(inm, etag) != NULL);
}

static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == ':';
}

/* Length of the http:// or https:// that p starts with, or 0. */
static size_t scheme_len(const char *p, const char *end)
{
    static const char *const schemes[] = {"https://", "http://"};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i]);
        if ((size_t)(end - p) > n && memcmp(p, schemes[i], n) == 0)
            return n;
    }
    return 0;
}

/*
 * Writes into out the origin of the tile URL in the page's tarcza-tiles meta:
 * "https://tile.example.org/{z}/{x}/{y}.png|..." gives "https://tile.example.org",
 * and Leaflet's subdomain placeholder "{s}." becomes the wildcard "*.". Anything
 * unexpected gives "": the page then simply cannot load tiles, and no text of
 * the file that is not a plain host name reaches a header.
 */
static void tile_origin(const char *html, size_t len, char *out, size_t cap)
{
    static const char name[] = "name=\"tarcza-tiles\"";
    static const char content[] = "content=\"";
    out[0] = '\0';
    const char *p = memmem(html, len, name, sizeof name - 1);
    const char *end = html + len;
    if (!p)
        return;
    const char *tag_end = memchr(p, '>', (size_t)(end - p));
    p = memmem(p, (size_t)((tag_end ? tag_end : end) - p), content, sizeof content - 1);
    if (!p)
        return;
    p += sizeof content - 1;
    size_t scheme = scheme_len(p, end);
    if (!scheme || cap < scheme + 2)
        return;
    size_t o = scheme;
    memcpy(out, p, scheme);
    p += scheme;
    if (end - p >= 3 && memcmp(p, "{s}", 3) == 0) { /* Leaflet's subdomain placeholder */
        out[o++] = '*';
        p += 3;
    }
    size_t host = o;
    for (; p < end && host_char(*p) && o + 1 < cap; p++)
        out[o++] = *p;
    /* The host must end where the URL's path or the attribute does, or it was cut. */
    bool whole = p < end && (*p == '/' || *p == '|' || *p == '"');
    out[whole && o > host ? o : 0] = '\0';
}

/*
 * Whether the query of url (after its '?') has the parameter key (case-insensitive, as OGC
 * services read them) with value (case-insensitive; NULL: any value but an empty one).
 */
static bool query_has(const char *url, const char *key, const char *value)
{
    const char *q = strchr(url, '?');
    size_t klen = strlen(key);
    while (q && *q) {
        q++;
        size_t n = strcspn(q, "&");
        const char *eq = memchr(q, '=', n);
        if (eq && (size_t)(eq - q) == klen && strncasecmp(q, key, klen) == 0) {
            size_t vlen = n - klen - 1;
            return value ? vlen == strlen(value) && strncasecmp(eq + 1, value, vlen) == 0
                         : vlen > 0;
        }
        q += n;
    }
    return false;
}

/* Whether every {placeholder} of url is one of `allowed` (NULL-ended), and no brace is stray. */
static bool placeholders_in(const char *url, const char *const *allowed)
{
    size_t opened = 0, closed = 0;
    for (const char *p = url; *p; p++) {
        closed += *p == '}';
        if (*p != '{')
            continue;
        bool known = false;
        for (size_t i = 0; allowed[i] && !known; i++)
            known = strncmp(p, allowed[i], strlen(allowed[i])) == 0;
        if (!known)
            return false;
        opened++;
    }
    return opened == closed;
}

/*
 * A WMTS template (docs/web.md): KVP (SERVICE=WMTS&REQUEST=GetTile...) or RESTful, with
 * {TileMatrix}, {TileRow} and {TileCol} in a Web Mercator tile matrix set.
 */
static bool wmts_ok(const char *url)
{
    static const char *const allowed[] = {"{TileMatrix}", "{TileRow}", "{TileCol}", "{s}", NULL};
    bool kvp = strchr(url, '?') && query_has(url, "REQUEST", NULL);
    if (kvp && !(query_has(url, "SERVICE", "WMTS") && query_has(url, "REQUEST", "GetTile")))
        return false;
    return strstr(url, "{TileMatrix}") && strstr(url, "{TileRow}") && strstr(url, "{TileCol}") &&
           placeholders_in(url, allowed);
}

/*
 * A WMS GetMap URL without its box: the map asks for each 256-pixel tile with BBOX, WIDTH,
 * HEIGHT and SRS (or CRS) EPSG:3857 of its own, so the URL may name none of them but
 * EPSG:3857, and no placeholder.
 */
static bool wms_ok(const char *url)
{
    static const char *const none[] = {NULL};
    static const char *const theirs[] = {"BBOX", "WIDTH", "HEIGHT"};
    for (size_t i = 0; i < sizeof theirs / sizeof theirs[0]; i++) {
        if (query_has(url, theirs[i], NULL))
            return false;
    }
    static const char *const crs[] = {"SRS", "CRS"};
    for (size_t i = 0; i < sizeof crs / sizeof crs[0]; i++) {
        if (query_has(url, crs[i], NULL) && !query_has(url, crs[i], "EPSG:3857"))
            return false;
    }
    return query_has(url, "REQUEST", "GetMap") && query_has(url, "LAYERS", NULL) &&
           placeholders_in(url, none);
}

/* Whether url is a base map (XYZ, WMTS or WMS) we can put in a page and a policy as it is. */
static bool tiles_url_ok(const char *url)
{
    size_t n = strnlen(url, TILES_TEXT_MAX + 1);
    size_t scheme = scheme_len(url, url + n);
    if (!scheme || n > TILES_TEXT_MAX || url[scheme] == '/' || !strchr(url + scheme, '/'))
        return false;
    for (size_t i = 0; i < n; i++) { /* no quotes, brackets, blanks or '|' (the meta's separator) */
        unsigned char c = (unsigned char)url[i];
        if (c <= ' ' || c >= 0x7f || strchr("\"'<>\\|`^", c))
            return false;
    }
    if (query_has(url, "SERVICE", "WMS"))
        return wms_ok(url);
    if (strstr(url, "{TileMatrix}") || query_has(url, "SERVICE", "WMTS"))
        return wmts_ok(url);
    return strstr(url, "{z}") && strstr(url, "{x}") && strstr(url, "{y}");
}

/* Whether text is at most TILES_TEXT_MAX bytes of printable UTF-8, '|' excluded. */
static bool attribution_ok(const char *text)
{
    size_t n = strnlen(text, TILES_TEXT_MAX + 1);
    if (n > TILES_TEXT_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < ' ' || c == 0x7f || c == '|')
            return false;
        if (c >= 0x80) { /* a well-formed multi-byte sequence */
            size_t len = c >= 0xf0 && c <= 0xf4  ? 4
                         : c >= 0xe0 && c < 0xf0 ? 3
                         : c >= 0xc2 && c < 0xe0 ? 2
                                                 : 0;
            if (!len || i + len > n)
                return false;
            for (size_t k = 1; k < len; k++) {
                if (((unsigned char)text[i + k] & 0xc0) != 0x80)
                    return false;
            }
            i += len - 1;
        }
    }
    return true;
}

/* Appends s as the value of an HTML attribute (the page's JavaScript reads it as text). */
static tz_err put_attribute_text(struct tz_buf *b, const char *s)
{
    tz_err err = TZ_OK;
    for (; !err && *s; s++) {
        switch (*s) {
        case '&':
            err = tz_buf_puts(b, "&amp;");
            break;
        case '<':
            err = tz_buf_puts(b, "&lt;");
            break;
        case '>':
            err = tz_buf_puts(b, "&gt;");
            break;
        case '"':
            err = tz_buf_puts(b, "&quot;");
            break;
        case '\'':
            err = tz_buf_puts(b, "&#39;");
            break;
        default:
            err = tz_buf_append(b, s, 1);
        }
    }
    return err;
}

tz_err http_static_tiles(struct tz_http *srv, const char *url, const char *attribution)
{
    if (!tiles_url_ok(url) || (attribution && !attribution_ok(attribution)))
        return TZ_EINVAL;
    struct tz_buf b;
    tz_buf_init(&b, 8 * TILES_TEXT_MAX);
    tz_err err = tz_buf_puts(&b, "<meta name=\"tarcza-tiles\" content=\"");
    if (!err)
        err = put_attribute_text(&b, url);
    if (!err && attribution && *attribution) {
        err = tz_buf_puts(&b, "|");
        if (!err)
            err = put_attribute_text(&b, attribution);
    }
    if (!err)
        err = tz_buf_puts(&b, "\">");
    if (err) {
        tz_buf_free(&b);
        return err;
    }
    srv->tiles_meta = tz_buf_take(&b);
    return TZ_OK;
}

/* Puts srv->tiles_meta in place of the page's empty tiles meta; the page keeps its own otherwise.
 */
static tz_err configure_page(const struct tz_http *srv, char **page, size_t *len)
{
    const char *at =
        srv->tiles_meta ? memmem(*page, *len, empty_tiles_meta, sizeof empty_tiles_meta - 1) : NULL;
    if (!at)
        return TZ_OK;
    size_t before = (size_t)(at - *page), cut = sizeof empty_tiles_meta - 1;
    size_t meta = strlen(srv->tiles_meta), after = *len - before - cut;
    char *out = malloc(before + meta + after + 1);
    if (!out)
        return TZ_ENOMEM;
    memcpy(out, *page, before);
    memcpy(out + before, srv->tiles_meta, meta);
    memcpy(out + before + meta, at + cut, after);
    free(*page);
    *page = out;
    *len = before + meta + after;
    return TZ_OK;
}

/* Reads the whole (bounded) page: its tile origin is needed for the policy. */
static tz_err read_page(struct static_file *f, char **out)
{
    size_t size = (size_t)f->st.st_size;
    char *data = malloc(size ? size : 1);
    if (!data)
        return TZ_ENOMEM;
    size_t got = 0;
    while (got < size) {
        ssize_t r = pread(f->fd, data + got, size - got, (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            free(data);
            return TZ_EIO;
        }
        got += (size_t)r;
    }
    *out = data;
    return TZ_OK;
}

/*
 * Headers of every file: its type, the cache rule, the ETag and the common
 * hardening. A 304 passes NULL type and policy: a browser merges a 304's
 * headers into what it cached, so a policy sent there would replace the page's.
 */
static void add_file_headers(struct MHD_Response *resp, const struct static_file *f,
                             const char *type, const char *csp)
{
    if (type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    if (csp)
        MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, f->mount->cache);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, f->etag);
}

static enum MHD_Result queue(struct request *req, unsigned status, struct MHD_Response *resp)
{
    if (!resp)
        return MHD_NO;
    http_observe_answer(req, status, resp);
    enum MHD_Result ret = MHD_queue_response(req->conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Answers with a page, its policy naming the page's tile server. */
static enum MHD_Result respond_page(struct request *req, struct static_file *f)
{
    char *page = NULL;
    size_t len = (size_t)f->st.st_size;
    tz_err err = read_page(f, &page);
    if (!err)
        err = configure_page(req->srv, &page, &len);
    if (err) {
        free(page);
        return http_respond_problem(req, err, NULL, NULL);
    }
    char origin[TILE_ORIGIN_MAX + 1], csp[sizeof csp_head + sizeof csp_tail + TILE_ORIGIN_MAX + 2];
    tile_origin(page, len, origin, sizeof origin);
    snprintf(csp, sizeof csp, "%s%s%s%s", csp_head, origin[0] ? " " : "", origin, csp_tail);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, page, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(page);
        return MHD_NO;
    }
    add_file_headers(resp, f, f->type->type, csp);
    return queue(req, MHD_HTTP_OK, resp);
}

/*
 * Answers with any other file straight from its descriptor (sendfile where
 * it can). On success the response owns f->fd.
 */
static enum MHD_Result respond_file(struct request *req, struct static_file *f)
{
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)f->st.st_size, f->fd);
    if (!resp)
        return MHD_NO;
    f->fd = -1;
    add_file_headers(resp, f, f->type->type,
                     strcmp(req->url, "/sw.js") == 0 ? csp_worker : csp_other);
    return queue(req, MHD_HTTP_OK, resp);
}

static enum MHD_Result respond_not_modified(struct request *req, struct static_file *f)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    add_file_headers(resp, f, NULL, NULL);
    return queue(req, MHD_HTTP_NOT_MODIFIED, resp);
}

enum MHD_Result api_static(struct request *req)
{
    struct static_file f = {.fd = -1};
    const char *rel = NULL;
    enum MHD_Result ret;
    if (!req->srv->web_root || !(f.mount = find_mount(req->url, &rel)) ||
        !plain_path(f.mount, rel) || !(f.type = type_of(rel)) ||
        !open_under(req->srv->web_root, &f, rel)) {
        ret = http_respond_status_problem(req, 404, "no such resource", NULL);
        goto done;
    }
    /* Size and modification time change with every edit a deployment makes; a page's tile
     * setting may change with a restart, so it goes into a page's tag too. */
    uint64_t tiles = 0;
    if (f.type->html && req->srv->tiles_meta)
        crypto_shorthash((unsigned char *)&tiles, (const unsigned char *)req->srv->tiles_meta,
                         strlen(req->srv->tiles_meta), etag_key);
    snprintf(f.etag, sizeof f.etag, "\"%llx-%llx-%llx\"", (unsigned long long)f.st.st_size,
             (unsigned long long)f.st.st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)f.st.st_mtim.tv_nsec,
             (unsigned long long)tiles);
    if (client_has(req, f.etag))
        ret = respond_not_modified(req, &f);
    else if (f.type->html)
        ret = respond_page(req, &f);
    else
        ret = respond_file(req, &f);
done:
    if (f.fd >= 0)
        close(f.fd);
    return ret;
}
